/* msrp-session.h: sending and receiving messages over a transport
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
#include "msrp-transport.h"
#include "msrp-outgoing-file.h"

G_BEGIN_DECLS

/**
 * MSRP_DEFAULT_MAX_CHUNK_SIZE:
 *
 * The default largest body of one chunk a session sends (64 KiB).
 */
#define MSRP_DEFAULT_MAX_CHUNK_SIZE (64 * 1024)

/**
 * MSRP_DEFAULT_MAX_MESSAGE_SIZE:
 *
 * The default largest message a session reassembles for
 * [signal@Msrp.Session::message-received] (16 MiB).
 */
#define MSRP_DEFAULT_MAX_MESSAGE_SIZE (16 * 1024 * 1024)

/**
 * MSRP_DEFAULT_MAX_REASSEMBLY_SIZE:
 *
 * The default [property@Msrp.Session:max-reassembly-size]: 64 MiB.
 *
 * Since: 1.0
 */
#define MSRP_DEFAULT_MAX_REASSEMBLY_SIZE (64 * 1024 * 1024)

/**
 * MSRP_DEFAULT_MAX_OPEN_MESSAGES:
 *
 * The default [property@Msrp.Session:max-open-messages].
 *
 * Since: 1.0
 */
#define MSRP_DEFAULT_MAX_OPEN_MESSAGES 64

#define MSRP_TYPE_SESSION (msrp_session_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpSession, msrp_session, MSRP, SESSION, GObject)

MSRP_AVAILABLE_IN_ALL
MsrpSession   *msrp_session_new                  (MsrpTransport       *transport,
                                                  const char * const  *accept_types);

MSRP_AVAILABLE_IN_ALL
void           msrp_session_send_chunk_async     (MsrpSession         *session,
                                                  MsrpChunk           *chunk,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
MsrpChunk     *msrp_session_send_chunk_finish    (MsrpSession         *session,
                                                  GAsyncResult        *result,
                                                  GError             **error);
MSRP_AVAILABLE_IN_ALL
void           msrp_session_deliver_chunk_async  (MsrpSession         *session,
                                                  MsrpChunk           *chunk,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
MsrpChunk     *msrp_session_deliver_chunk_finish (MsrpSession         *session,
                                                  GAsyncResult        *result,
                                                  GError             **error);
MSRP_AVAILABLE_IN_ALL
void           msrp_session_send_message_async   (MsrpSession         *session,
                                                  GBytes              *data,
                                                  const char          *content_type,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
char          *msrp_session_send_message_finish  (MsrpSession         *session,
                                                  GAsyncResult        *result,
                                                  GError             **error);
MSRP_AVAILABLE_IN_ALL
void           msrp_session_send_file_async      (MsrpSession         *session,
                                                  MsrpOutgoingFile    *file,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
gboolean       msrp_session_send_file_finish     (MsrpSession         *session,
                                                  GAsyncResult        *result,
                                                  GError             **error);
MSRP_AVAILABLE_IN_ALL
void           msrp_session_shutdown_async       (MsrpSession         *session,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
gboolean       msrp_session_shutdown_finish      (MsrpSession         *session,
                                                  GAsyncResult        *result,
                                                  GError             **error);

MSRP_AVAILABLE_IN_ALL
void           msrp_session_pause_reading        (MsrpSession         *session);
MSRP_AVAILABLE_IN_ALL
void           msrp_session_resume_reading       (MsrpSession         *session);

MSRP_AVAILABLE_IN_ALL
MsrpTransport *msrp_session_get_transport        (MsrpSession         *session);
MSRP_AVAILABLE_IN_ALL
const char * const *msrp_session_get_accept_types (MsrpSession        *session);
MSRP_AVAILABLE_IN_ALL
guint          msrp_session_get_response_timeout (MsrpSession         *session);
MSRP_AVAILABLE_IN_ALL
void           msrp_session_set_response_timeout (MsrpSession         *session,
                                                  guint                seconds);
MSRP_AVAILABLE_IN_ALL
gsize          msrp_session_get_max_chunk_size   (MsrpSession         *session);
MSRP_AVAILABLE_IN_ALL
void           msrp_session_set_max_chunk_size   (MsrpSession         *session,
                                                  gsize                size);
MSRP_AVAILABLE_IN_ALL
gboolean       msrp_session_get_success_report   (MsrpSession         *session);
MSRP_AVAILABLE_IN_ALL
void           msrp_session_set_success_report   (MsrpSession         *session,
                                                  gboolean             success_report);
MSRP_AVAILABLE_IN_ALL
MsrpFailureReport msrp_session_get_failure_report (MsrpSession        *session);
MSRP_AVAILABLE_IN_ALL
void           msrp_session_set_failure_report   (MsrpSession         *session,
                                                  MsrpFailureReport    failure_report);
MSRP_AVAILABLE_IN_ALL
guint          msrp_session_get_keepalive_interval (MsrpSession       *session);
MSRP_AVAILABLE_IN_ALL
void           msrp_session_set_keepalive_interval (MsrpSession       *session,
                                                    guint              seconds);
MSRP_AVAILABLE_IN_ALL
guint64        msrp_session_get_max_size         (MsrpSession         *session);
MSRP_AVAILABLE_IN_ALL
void           msrp_session_set_max_size         (MsrpSession         *session,
                                                  guint64              size);
MSRP_AVAILABLE_IN_ALL
gsize          msrp_session_get_max_message_size (MsrpSession         *session);
MSRP_AVAILABLE_IN_ALL
void           msrp_session_set_max_message_size (MsrpSession         *session,
                                                  gsize                size);
MSRP_AVAILABLE_IN_ALL
gsize          msrp_session_get_max_reassembly_size (MsrpSession      *session);
MSRP_AVAILABLE_IN_ALL
void           msrp_session_set_max_reassembly_size (MsrpSession      *session,
                                                     gsize             size);
MSRP_AVAILABLE_IN_ALL
guint          msrp_session_get_max_open_messages (MsrpSession        *session);
MSRP_AVAILABLE_IN_ALL
void           msrp_session_set_max_open_messages (MsrpSession        *session,
                                                   guint               count);

G_END_DECLS
