/* msrp-server.h: one listening socket shared by many sessions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include <libsoup/soup.h>
#include "msrp-version.h"
#include "msrp-uri.h"
#include "msrp-logger.h"
#include "msrp-transport.h"

G_BEGIN_DECLS

#define MSRP_TYPE_SERVER (msrp_server_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpServer, msrp_server, MSRP, SERVER, GObject)

MSRP_AVAILABLE_IN_ALL
MsrpServer      *msrp_server_new                     (void);

MSRP_AVAILABLE_IN_ALL
GPtrArray       *msrp_server_prepare                 (MsrpServer          *server,
                                                      MsrpUri             *local_uri,
                                                      GError             **error);
MSRP_AVAILABLE_IN_ALL
void             msrp_server_complete_async          (MsrpServer          *server,
                                                      GPtrArray           *full_remote_path,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
void             msrp_server_complete_for_uri_async  (MsrpServer          *server,
                                                      MsrpUri             *local_uri,
                                                      GPtrArray           *full_remote_path,
                                                      const char          *peer_fingerprint,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
MsrpTransport   *msrp_server_complete_finish         (MsrpServer          *server,
                                                      GAsyncResult        *result,
                                                      GError             **error);
MSRP_AVAILABLE_IN_ALL
MsrpTransport   *msrp_server_complete_for_uri_finish (MsrpServer          *server,
                                                      GAsyncResult        *result,
                                                      GError             **error);
MSRP_AVAILABLE_IN_ALL
void             msrp_server_cleanup                 (MsrpServer          *server,
                                                      MsrpUri             *local_uri);

MSRP_AVAILABLE_IN_ALL
guint            msrp_server_get_bind_timeout        (MsrpServer          *server);
MSRP_AVAILABLE_IN_ALL
void             msrp_server_set_bind_timeout        (MsrpServer          *server,
                                                      guint                seconds);
MSRP_AVAILABLE_IN_ALL
GTlsCertificate *msrp_server_get_tls_certificate     (MsrpServer          *server);
MSRP_AVAILABLE_IN_ALL
void             msrp_server_set_tls_certificate     (MsrpServer          *server,
                                                      GTlsCertificate     *certificate);
MSRP_AVAILABLE_IN_ALL
MsrpLogger      *msrp_server_get_logger              (MsrpServer          *server);
MSRP_AVAILABLE_IN_ALL
void             msrp_server_set_logger              (MsrpServer          *server,
                                                      MsrpLogger          *logger);
MSRP_AVAILABLE_IN_ALL
gboolean         msrp_server_get_use_sessmatch       (MsrpServer          *server);
MSRP_AVAILABLE_IN_ALL
void             msrp_server_set_use_sessmatch       (MsrpServer          *server,
                                                      gboolean             use_sessmatch);
MSRP_AVAILABLE_IN_ALL
guint            msrp_server_get_first_request_timeout (MsrpServer *server);
MSRP_AVAILABLE_IN_ALL
void             msrp_server_set_first_request_timeout (MsrpServer *server,
                                                        guint      seconds);
MSRP_AVAILABLE_IN_ALL
guint            msrp_server_get_max_pending_connections (MsrpServer *server);
MSRP_AVAILABLE_IN_ALL
void             msrp_server_set_max_pending_connections (MsrpServer *server,
                                                          guint      max_pending);
MSRP_AVAILABLE_IN_ALL
guint            msrp_server_get_max_pending_per_address (MsrpServer *server);
MSRP_AVAILABLE_IN_ALL
void             msrp_server_set_max_pending_per_address (MsrpServer *server,
                                                          guint      max_pending);

MSRP_AVAILABLE_IN_ALL
void             msrp_server_add_websocket_handler   (MsrpServer          *server,
                                                      SoupServer          *soup_server,
                                                      const char          *path);

G_END_DECLS
