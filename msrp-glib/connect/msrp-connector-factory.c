/* msrp-connector-factory.c: the connector for a side of a session
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "msrp-connector.h"
#include "msrp-connector-direct.h"
#include "msrp-acceptor-direct.h"
#include "msrp-connector-relay.h"
#include "msrp-acceptor-relay.h"

/* Apart from msrp-connector.c, so that the base class does not depend on
 * its implementations. */

/**
 * msrp_get_connector:
 * @relay: (nullable): the relay to go through, or %NULL for a direct
 *   connection
 *
 * Makes the connector of the active side of a session (the side that
 * connects, RFC 6135 `a=setup:active`): a [class@Msrp.ConnectorDirect], or a
 * [class@Msrp.ConnectorRelay] through @relay.
 *
 * Returns: (transfer full): a new connector
 *
 * Since: 1.0
 */
MsrpConnector *
msrp_get_connector (MsrpRelaySettings *relay)
{
  g_return_val_if_fail (relay == NULL || MSRP_IS_RELAY_SETTINGS (relay), NULL);

  if (relay != NULL)
    return msrp_connector_relay_new (relay);
  return msrp_connector_direct_new ();
}

/**
 * msrp_get_acceptor:
 * @relay: (nullable): the relay to go through, or %NULL for a direct
 *   connection
 *
 * Makes the connector of the passive side of a session (the side that
 * waits, `a=setup:passive`): a [class@Msrp.AcceptorDirect], or a
 * [class@Msrp.AcceptorRelay] through @relay. Through a relay both sides
 * connect out to their relays; the passive side waits for the peer's first
 * SEND.
 *
 * Returns: (transfer full): a new connector
 *
 * Since: 1.0
 */
MsrpConnector *
msrp_get_acceptor (MsrpRelaySettings *relay)
{
  g_return_val_if_fail (relay == NULL || MSRP_IS_RELAY_SETTINGS (relay), NULL);

  if (relay != NULL)
    return msrp_acceptor_relay_new (relay);
  return msrp_acceptor_direct_new ();
}
