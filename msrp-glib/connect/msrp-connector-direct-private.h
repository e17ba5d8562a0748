/* msrp-connector-direct-private.h: what the application layer sets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-connector-direct.h"

G_BEGIN_DECLS

/* Connects to @host and @port instead of the first URI of the peer's path
 * (RFC 6714 CEMA: the address of the peer's SDP c= and m= lines). */
void _msrp_connector_direct_set_address    (MsrpConnectorDirect *connector,
                                            const char          *host,
                                            guint16              port);
/* Uses the first URI of @local_path as the local URI, as prepare would. */
void _msrp_connector_direct_set_local_path (MsrpConnectorDirect *connector,
                                            GPtrArray           *local_path);

G_END_DECLS
