/* msrp-transport-private.h: MsrpTransport internals for connectors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "msrp-transport.h"

G_BEGIN_DECLS

/* Puts a chunk back: the next read returns it first. */
void _msrp_transport_unread (MsrpTransport *transport,
                             MsrpChunk     *chunk);

/* Sets the paths of a transport made without them, once its first request
 * has told which session it is for (MsrpServer). The paths are copied. */
void _msrp_transport_set_paths (MsrpTransport *transport,
                                GPtrArray     *local_path,
                                GPtrArray     *remote_path);

/* A request with only its paths: To-Path the full remote path, From-Path
 * this endpoint's URI (make_chunk adds Message-ID and Byte-Range). */
MsrpChunk *_msrp_transport_new_request (MsrpTransport *transport,
                                        const char    *method);

/* The next chunk if the bytes already read hold it, without waiting or a
 * main-loop turn; NULL otherwise (then use read_chunk_async). Never while
 * a read is pending. */
MsrpChunk *_msrp_transport_read_buffered (MsrpTransport *transport,
                                          gsize          max_size);

/* The relay hops (RFC 4976) a request passes before the remote path: the
 * To-Path of every request is @route followed by the full remote path.
 * NULL or empty for a direct connection. Copied. */
void _msrp_transport_set_route (MsrpTransport *transport,
                                GPtrArray     *route);

/* TRUE when requests go through a relay (a route is set). */
gboolean _msrp_transport_get_through_relay (MsrpTransport *transport);

/* Takes the response with transaction id @tid aside, whoever reads: it
 * goes to @func, from inside the read, instead of to the reader. @func
 * must not read or close the transport synchronously. A NULL @func drops
 * the expectation. Used for AUTH refreshes while a session reads. */
typedef void (*MsrpTransportInterceptFunc) (MsrpTransport *transport,
                                            MsrpChunk     *response,
                                            gpointer       user_data);

void _msrp_transport_intercept_response (MsrpTransport              *transport,
                                         const char                 *tid,
                                         MsrpTransportInterceptFunc  func,
                                         gpointer                    user_data);

/* The library's own writes, without a GTask each: @func (nullable) is
 * called when the chunk was written or failed (@error set), never from
 * inside the call.
 *
 * With @slice_size > 0 the request's body may be cut short, for long
 * chunks that must not hold up other traffic (RFC 4975 7.1): it goes out
 * in slices of at most @slice_size bytes, and between two slices the chunk
 * ends early, with `+` after the bytes written so far, when another write
 * is waiting (or a close). Its Byte-Range end should be `*`. A body no
 * longer than @slice_size goes out whole. @body_written and @ended tell
 * how many body bytes went out and the flag the chunk ended with. */
typedef void (*MsrpTransportWrittenFunc) (MsrpTransport    *transport,
                                          const GError     *error,
                                          gsize             body_written,
                                          MsrpContinuation  ended,
                                          gpointer          user_data);

void     _msrp_transport_write_chunk_with_callback (MsrpTransport            *transport,
                                                    MsrpChunk                *chunk,
                                                    gsize                     slice_size,
                                                    MsrpTransportWrittenFunc  func,
                                                    gpointer                  user_data);

/* The library's own reads, without a GTask each: @func gets the chunk or
 * the error (both transfer full), as read_chunk_finish would, never from
 * inside this call. Only one read may be pending, of either kind. */
void     _msrp_transport_write_response (MsrpTransport            *transport,
                                         MsrpChunk                *request,
                                         guint                     code,
                                         MsrpTransportWrittenFunc  func,
                                         gpointer                  user_data);
/* Writes a REPORT of @message_id's bytes 1 to @total with @code, as a
 * chunk made and written would go, without making it. FALSE when it
 * cannot (a logger wants the chunk, no From-Path, closing): nothing was
 * written then. */
gboolean _msrp_transport_write_report   (MsrpTransport            *transport,
                                         const char               *to_path,
                                         const char               *message_id,
                                         guint64                   total,
                                         guint                     code,
                                         MsrpTransportWrittenFunc  func,
                                         gpointer                  user_data);

typedef void (*MsrpTransportReadFunc) (MsrpTransport *transport,
                                       MsrpChunk     *chunk,
                                       GError        *error,
                                       gpointer       user_data);

void     _msrp_transport_read_with_callback (MsrpTransport         *transport,
                                             gsize                  max_size,
                                             MsrpTransportReadFunc  func,
                                             gpointer               user_data);
/* Drops a pending read_with_callback(): its @func is not called. FALSE
 * when there was none. */
gboolean _msrp_transport_cancel_read (MsrpTransport *transport);

/* Holds back the writes asked for until the matching
 * _msrp_transport_release_writes(), so that they go out together (a relay
 * forwarding what one wakeup read from other connections). Calls nest.
 * Release only from one's own main-loop callback: writes may complete, and
 * their callbacks run, inside it. */
void     _msrp_transport_hold_writes    (MsrpTransport *transport);
void     _msrp_transport_release_writes (MsrpTransport *transport);

/* Ends an interruptible chunk (queued or being written) with `#` at its
 * next slice boundary. FALSE when its end-line is already on its way (or it
 * is not there): then it ends as it would have. */
gboolean _msrp_transport_abort_chunk (MsrpTransport *transport,
                                      MsrpChunk     *chunk);

/* A transport on an open WebSocket (RFC 7977: one chunk a WebSocket
 * message). NULL paths: learnt from the first request, as a server's. */
MsrpTransport *_msrp_transport_new_for_websocket (SoupWebsocketConnection *ws,
                                                  GPtrArray               *local_path,
                                                  GPtrArray               *remote_path);
/* The WebSocket a transport runs on, or NULL. */
SoupWebsocketConnection *_msrp_transport_get_websocket (MsrpTransport *transport);
/* The bytes a WebSocket transport took from libsoup and the transport has
 * not read yet (0 on other transports): tests check it stays bounded. */
gsize _msrp_transport_websocket_get_held_bytes (MsrpTransport *transport);
/* soup_server_add_websocket_handler() for MSRP peers (sub-protocol "msrp"),
 * on a connection that reads through a buffer and stops reading while its
 * transport is behind. */
void _msrp_websocket_server_add_handler (SoupServer                  *server,
                                         const char                  *path,
                                         SoupServerWebsocketCallback  callback,
                                         gpointer                     user_data,
                                         GDestroyNotify               destroy);

/* Called whenever the transport gives back what it held for reading
 * (see _msrp_transport_holds_read_state()): a connection whose peer is
 * quiet. An owner that keeps what hangs on the last request read (the
 * relay's route memo) lets go of it then. NULL @func: none. */
typedef void (*MsrpTransportIdleFunc) (MsrpTransport *transport,
                                       gpointer       user_data);

void _msrp_transport_set_idle_func (MsrpTransport         *transport,
                                    MsrpTransportIdleFunc  func,
                                    gpointer               user_data);

/* For tests: how long a quiet connection keeps the parsed paths of its
 * last request (0: they go as soon as it is quiet). */
void _msrp_transport_set_memo_linger (gint64 usec);

/* For tests: whether the transport holds a read buffer, a parser of its
 * own or the parsed paths of the last request; an idle one holds none. */
gboolean _msrp_transport_holds_read_state (MsrpTransport *transport);

G_END_DECLS
