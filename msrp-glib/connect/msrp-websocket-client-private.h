/* msrp-websocket-client-private.h: reaching a peer or a relay over a
 * WebSocket (RFC 7977)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "msrp-connector.h"
#include "msrp-uri.h"

G_BEGIN_DECLS

/* Opens a WebSocket with the sub-protocol "msrp" to the host and port of
 * @uri (`wss:` for `msrps:`) on @path. A TLS peer is checked as
 * _msrp_connector_watch_tls() does for @connector (@mismatch as there),
 * against @database when not NULL. */
void                     _msrp_websocket_connect_async  (MsrpConnector        *connector,
                                                         MsrpUri              *uri,
                                                         const char           *path,
                                                         gboolean              check_fingerprint,
                                                         GTlsDatabase         *database,
                                                         GError              **mismatch,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
SoupWebsocketConnection *_msrp_websocket_connect_finish (GAsyncResult         *result,
                                                         GError              **error);

/* Whether a path's first hop is reached over a WebSocket. */
gboolean                 _msrp_uri_is_websocket         (MsrpUri              *uri);

/* A client's own URI over a WebSocket (RFC 7977 section 5): a random host
 * under `.invalid`, a random port and session-id, `;ws`. */
MsrpUri                 *_msrp_websocket_client_uri_new (gboolean              use_tls);

G_END_DECLS
