/* msrp-connector-relay.h: the active side through an RFC 4976 relay
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include "msrp-connector.h"
#include "msrp-relay-settings.h"

G_BEGIN_DECLS

#define MSRP_TYPE_CONNECTOR_RELAY (msrp_connector_relay_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpConnectorRelay, msrp_connector_relay, MSRP, CONNECTOR_RELAY, MsrpConnector)

MSRP_AVAILABLE_IN_ALL
MsrpConnector     *msrp_connector_relay_new          (MsrpRelaySettings *relay);
MSRP_AVAILABLE_IN_ALL
MsrpRelaySettings *msrp_connector_relay_get_relay    (MsrpConnectorRelay *connector);

G_END_DECLS
