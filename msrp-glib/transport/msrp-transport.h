/* msrp-transport.h: one MSRP connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include "msrp-version.h"
#include "msrp-chunk.h"
#include "msrp-logger.h"

G_BEGIN_DECLS

#define MSRP_TYPE_TRANSPORT (msrp_transport_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpTransport, msrp_transport, MSRP, TRANSPORT, GObject)

MSRP_AVAILABLE_IN_ALL
MsrpTransport *msrp_transport_new                (GIOStream           *stream,
                                                  GPtrArray           *local_path,
                                                  GPtrArray           *remote_path);
MSRP_AVAILABLE_IN_ALL
GIOStream     *msrp_transport_get_stream         (MsrpTransport       *transport);
MSRP_AVAILABLE_IN_ALL
GPtrArray     *msrp_transport_get_full_local_path  (MsrpTransport     *transport);
MSRP_AVAILABLE_IN_ALL
GPtrArray     *msrp_transport_get_full_remote_path (MsrpTransport     *transport);
MSRP_AVAILABLE_IN_ALL
MsrpLogger    *msrp_transport_get_logger         (MsrpTransport       *transport);
MSRP_AVAILABLE_IN_ALL
void           msrp_transport_set_logger         (MsrpTransport       *transport,
                                                  MsrpLogger          *logger);
MSRP_AVAILABLE_IN_ALL
gboolean       msrp_transport_get_use_sessmatch  (MsrpTransport       *transport);
MSRP_AVAILABLE_IN_ALL
void           msrp_transport_set_use_sessmatch  (MsrpTransport       *transport,
                                                  gboolean             use_sessmatch);

MSRP_AVAILABLE_IN_ALL
MsrpChunk     *msrp_transport_make_chunk         (MsrpTransport       *transport,
                                                  const char          *method,
                                                  GBytes              *data,
                                                  const char          *content_type);
MSRP_AVAILABLE_IN_ALL
MsrpChunk     *msrp_transport_make_response      (MsrpTransport       *transport,
                                                  MsrpChunk           *request,
                                                  guint                code,
                                                  const char          *comment);
MSRP_AVAILABLE_IN_ALL
gboolean       msrp_transport_check_incoming_send_chunk (MsrpTransport *transport,
                                                         MsrpChunk     *chunk,
                                                         GError       **error);

MSRP_AVAILABLE_IN_ALL
void           msrp_transport_write_chunk_async  (MsrpTransport       *transport,
                                                  MsrpChunk           *chunk,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
gboolean       msrp_transport_write_chunk_finish (MsrpTransport       *transport,
                                                  GAsyncResult        *result,
                                                  GError             **error);
MSRP_AVAILABLE_IN_ALL
void           msrp_transport_read_chunk_async   (MsrpTransport       *transport,
                                                  gsize                max_size,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
MsrpChunk     *msrp_transport_read_chunk_finish  (MsrpTransport       *transport,
                                                  GAsyncResult        *result,
                                                  GError             **error);
MSRP_AVAILABLE_IN_ALL
void           msrp_transport_close_async        (MsrpTransport       *transport,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
gboolean       msrp_transport_close_finish       (MsrpTransport       *transport,
                                                  GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS
