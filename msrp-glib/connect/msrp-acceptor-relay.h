/* msrp-acceptor-relay.h: the passive side through an RFC 4976 relay
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

#define MSRP_TYPE_ACCEPTOR_RELAY (msrp_acceptor_relay_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpAcceptorRelay, msrp_acceptor_relay, MSRP, ACCEPTOR_RELAY, MsrpConnector)

MSRP_AVAILABLE_IN_ALL
MsrpConnector     *msrp_acceptor_relay_new          (MsrpRelaySettings *relay);
MSRP_AVAILABLE_IN_ALL
MsrpRelaySettings *msrp_acceptor_relay_get_relay    (MsrpAcceptorRelay *acceptor);

G_END_DECLS
