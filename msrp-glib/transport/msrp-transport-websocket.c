/* msrp-transport-websocket.c: MsrpTransport's backend for a WebSocket
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * MSRP over WebSocket (RFC 7977) on a SoupWebsocketConnection: each chunk
 * goes out as one WebSocket message, a text frame when it is valid UTF-8
 * and a binary one otherwise; the messages that come are handed to the
 * parser one after the other, as the bytes of a stream, so that a chunk
 * split over several messages, or two in one, parses as over TCP.
 *
 * libsoup 3.2 has no buffered amount and no way to pause a connection's
 * input: writes wait while the connection's stream cannot take more (so
 * that libsoup's queue holds a message or two at most), and what comes is
 * bounded by a limit on the bytes held.
 */

#include "config.h"

#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <libsoup/soup.h>

#include "msrp-transport-backend-private.h"
#include "msrp-transport-mux-private.h"
#include "msrp-error.h"
#include "msrp-utils-private.h"

/* The largest message taken: far above the chunks peers send (64 KiB by
 * default, 8 KiB through relays). */
#define MAX_INCOMING_PAYLOAD (4 * 1024 * 1024)
/* The most bytes held that the transport has not read: above it the peer
 * sends far faster than its session window allows, and is cut off. */
#define MAX_HELD_BYTES (16 * 1024 * 1024)
#define KEEPALIVE_SECONDS 30

typedef struct {
  MsrpTransportBackend parent;

  SoupWebsocketConnection *ws;
  GPollableOutputStream *output; /* the connection's stream, for room */
  gulong message_id;
  gulong closed_id;
  gulong error_id;

  /* Reading: messages not read yet, oldest first */
  GQueue incoming;
  gsize head_pos;               /* read of the first one */
  gsize held;
  gboolean want_read;
  GSource *read_source;         /* made ready while data (or the end) waits */
  gboolean ended;               /* closed: no more messages */
  GError *error;                /* how it ended, NULL for a clean close */

  /* Writing */
  GByteArray *out;              /* the chunk being put together */
  GSource *write_source;

  GTask *close_task;
} WebsocketBackend;

static GError *
close_error (SoupWebsocketConnection *ws)
{
  gushort code = soup_websocket_connection_get_close_code (ws);
  const char *data = soup_websocket_connection_get_close_data (ws);

  switch (code)
    {
    case 0:                     /* the connection went without a close frame */
      return g_error_new_literal (MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                                  _("The MSRP WebSocket connection was lost"));
    case SOUP_WEBSOCKET_CLOSE_NORMAL:
    case SOUP_WEBSOCKET_CLOSE_GOING_AWAY:
    case SOUP_WEBSOCKET_CLOSE_NO_STATUS:
      return NULL;
    default:
      return g_error_new (MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                          _("The peer closed the MSRP WebSocket with code %u (%s)"),
                          code, data != NULL && *data ? data : "-");
    }
}

static void
schedule_read (WebsocketBackend *b)
{
  if (b->want_read && b->read_source != NULL &&
      (!g_queue_is_empty (&b->incoming) || b->ended))
    g_source_set_ready_time (b->read_source, 0);
}

static gboolean
dispatch_read_source (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs read_source_funcs = {
  .dispatch = dispatch_read_source,
};

static gboolean
on_read_source (gpointer user_data)
{
  WebsocketBackend *b = user_data;
  MsrpTransport *transport = b->parent.transport;

  if (!b->want_read)
    return G_SOURCE_CONTINUE;
  /* Messages with no read waiting for them (a paused session): the source
   * would fire on and on; the next read asks for it again. */
  if (!_msrp_transport_reading (transport))
    {
      b->want_read = FALSE;
      return G_SOURCE_CONTINUE;
    }
  g_object_ref (transport);
  _msrp_transport_readable (transport);
  /* Level-triggered, as a socket is: more waiting makes it ready again. */
  schedule_read (b);
  g_object_unref (transport);
  return G_SOURCE_CONTINUE;
}

static void
ws_want_read (MsrpTransportBackend *backend,
              gboolean              want)
{
  WebsocketBackend *b = (WebsocketBackend *) backend;

  b->want_read = want;
  if (want && b->read_source == NULL)
    {
      b->read_source = g_source_new (&read_source_funcs, sizeof (GSource));
      g_source_set_static_name (b->read_source, "[msrp] websocket read");
      g_source_set_callback (b->read_source, on_read_source, b, NULL);
      g_source_attach (b->read_source, backend->transport->context);
    }
  if (want)
    schedule_read (b);
  else if (b->read_source != NULL)
    g_source_set_ready_time (b->read_source, -1);
}

static gssize
ws_read (MsrpTransportBackend  *backend,
         guint8                *buffer,
         gsize                  size,
         GError               **error)
{
  WebsocketBackend *b = (WebsocketBackend *) backend;
  GBytes *head = g_queue_peek_head (&b->incoming);
  const guint8 *data;
  gsize len, n;

  if (head == NULL)
    {
      if (!b->ended)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "");
          return -1;
        }
      if (b->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&b->error));
          return -1;
        }
      return 0;
    }
  data = g_bytes_get_data (head, &len);
  n = MIN (size, len - b->head_pos);
  memcpy (buffer, data + b->head_pos, n);
  b->head_pos += n;
  b->held -= n;
  if (b->head_pos == len)
    {
      g_bytes_unref (g_queue_pop_head (&b->incoming));
      b->head_pos = 0;
    }
  return n;
}

static void
on_message (SoupWebsocketConnection *ws,
            gint                     type,
            GBytes                  *message,
            gpointer                 user_data)
{
  WebsocketBackend *b = user_data;
  gsize len = g_bytes_get_size (message);

  if (b->ended || len == 0)
    return;
  if (b->held + len > MAX_HELD_BYTES)
    {
      g_debug ("websocket %p: the peer sends more than is read, closing", b->parent.transport);
      b->ended = TRUE;
      b->error = g_error_new_literal (MSRP_ERROR, MSRP_ERROR_FAILED,
                                      _("The MSRP WebSocket peer sent more than could be held"));
      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
      schedule_read (b);
      return;
    }
  g_queue_push_tail (&b->incoming, g_bytes_ref (message));
  b->held += len;
  schedule_read (b);
}

static void
on_error (SoupWebsocketConnection *ws,
          GError                  *error,
          gpointer                 user_data)
{
  WebsocketBackend *b = user_data;

  g_debug ("websocket %p: %s", b->parent.transport, error->message);
  if (b->error == NULL && !b->ended)
    b->error = g_error_new (MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                            _("The MSRP WebSocket connection failed: %s"), error->message);
}

static void
on_closed (SoupWebsocketConnection *ws,
           gpointer                 user_data)
{
  WebsocketBackend *b = user_data;
  MsrpTransport *transport = b->parent.transport;

  if (!b->ended)
    {
      b->ended = TRUE;
      if (b->error == NULL)
        b->error = close_error (ws);
    }
  schedule_read (b);
  /* A writer waiting for room learns of the close from writev(). */
  if (b->write_source != NULL)
    g_source_set_ready_time (b->write_source, 0);
  if (b->close_task != NULL)
    {
      GTask *task = g_steal_pointer (&b->close_task);

      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  (void) transport;
}

/* Writing */

/* Whether the connection can take another message now: libsoup writes a
 * message at once when the stream has room and queues what it cannot
 * write, so a stream without room means a queue is building. */
static gboolean
has_room (WebsocketBackend *b)
{
  return b->output == NULL || g_pollable_output_stream_is_writable (b->output);
}

static GPollableReturn
ws_writev (MsrpTransportBackend  *backend,
           const GOutputVector   *vectors,
           gsize                  n_vectors,
           gboolean               chunk_end,
           gsize                 *written,
           GError               **error)
{
  WebsocketBackend *b = (WebsocketBackend *) backend;
  g_autoptr(GBytes) message = NULL;
  const char *data;
  gsize len;

  *written = 0;
  if (soup_websocket_connection_get_state (b->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_propagate_error (error, _msrp_transport_closed_error ());
      return G_POLLABLE_RETURN_FAILED;
    }
  /* A message is started only when there is room; the rest of one being
   * put together always goes into it. */
  if (b->out->len == 0 && !has_room (b))
    return G_POLLABLE_RETURN_WOULD_BLOCK;

  for (gsize i = 0; i < n_vectors; i++)
    {
      g_byte_array_append (b->out, vectors[i].buffer, vectors[i].size);
      *written += vectors[i].size;
    }
  if (!chunk_end)
    return G_POLLABLE_RETURN_OK;

  message = g_byte_array_free_to_bytes (g_steal_pointer (&b->out));
  b->out = g_byte_array_new ();
  data = g_bytes_get_data (message, &len);
  soup_websocket_connection_send_message (b->ws,
                                          g_utf8_validate_len (data, len, NULL) ? SOUP_WEBSOCKET_DATA_TEXT
                                                                                : SOUP_WEBSOCKET_DATA_BINARY,
                                          message);
  return G_POLLABLE_RETURN_OK;
}

static gboolean
on_room (GObject  *stream,
         gpointer  user_data)
{
  WebsocketBackend *b = user_data;
  MsrpTransport *transport = b->parent.transport;

  g_source_set_ready_time (b->write_source, -1);
  g_object_ref (transport);
  _msrp_transport_writable (transport);
  g_object_unref (transport);
  return G_SOURCE_CONTINUE;
}

static void
ws_want_write (MsrpTransportBackend *backend,
               gboolean              want)
{
  WebsocketBackend *b = (WebsocketBackend *) backend;

  if (!want)
    {
      if (b->write_source != NULL)
        {
          g_source_destroy (b->write_source);
          g_clear_pointer (&b->write_source, g_source_unref);
        }
      return;
    }
  if (b->write_source != NULL)
    return;
  if (b->output != NULL)
    b->write_source = g_pollable_output_stream_create_source (b->output, NULL);
  else
    b->write_source = g_idle_source_new ();
  g_source_set_static_name (b->write_source, "[msrp] websocket write");
  g_source_set_callback (b->write_source, G_SOURCE_FUNC (on_room), b, NULL);
  g_source_attach (b->write_source, backend->transport->context);
  if (soup_websocket_connection_get_state (b->ws) == SOUP_WEBSOCKET_STATE_CLOSED)
    g_source_set_ready_time (b->write_source, 0);
}

static void
ws_writev_async (MsrpTransportBackend *backend,
                 GOutputVector        *vectors,
                 gsize                 n_vectors)
{
  g_assert_not_reached ();
}

/* Closing */

static gboolean
ws_close (MsrpTransportBackend *backend,
          GTask                *task)
{
  WebsocketBackend *b = (WebsocketBackend *) backend;

  if (soup_websocket_connection_get_state (b->ws) == SOUP_WEBSOCKET_STATE_CLOSED)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return TRUE;
    }
  g_assert (b->close_task == NULL);
  b->close_task = task;
  if (soup_websocket_connection_get_state (b->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (b->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  return TRUE;
}

static void
ws_free (MsrpTransportBackend *backend)
{
  WebsocketBackend *b = (WebsocketBackend *) backend;

  g_clear_signal_handler (&b->message_id, b->ws);
  g_clear_signal_handler (&b->closed_id, b->ws);
  g_clear_signal_handler (&b->error_id, b->ws);
  if (soup_websocket_connection_get_state (b->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (b->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  if (b->read_source != NULL)
    {
      g_source_destroy (b->read_source);
      g_source_unref (b->read_source);
    }
  ws_want_write (backend, FALSE);
  g_queue_clear_full (&b->incoming, (GDestroyNotify) g_bytes_unref);
  g_clear_error (&b->error);
  g_byte_array_unref (b->out);
  if (b->close_task != NULL)
    {
      g_task_return_boolean (b->close_task, TRUE);
      g_object_unref (b->close_task);
    }
  g_clear_object (&b->output);
  g_object_unref (b->ws);
  g_free (b);
}

static const MsrpTransportBackendFuncs websocket_backend_funcs = {
  .read = ws_read,
  .want_read = ws_want_read,
  .writev = ws_writev,
  .want_write = ws_want_write,
  .writev_async = ws_writev_async,
  .close = ws_close,
  .free = ws_free,
};

/* The socket under a WebSocket's stream: libsoup and TLS wrap it in streams
 * of their own, each with its base stream as a property. */
static GSocket *
find_socket (GIOStream *stream)
{
  for (guint depth = 0; stream != NULL && depth < 8; depth++)
    {
      GParamSpec *base;
      g_autoptr(GIOStream) next = NULL;

      if (G_IS_SOCKET_CONNECTION (stream))
        return g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
      base = g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-io-stream");
      if (base == NULL)
        base = g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-iostream");
      if (base == NULL || !g_type_is_a (base->value_type, G_TYPE_IO_STREAM))
        return NULL;
      g_object_get (stream, base->name, &next, NULL);
      /* The stream outlives this walk: it holds its base. */
      stream = next;
    }
  return NULL;
}

/* Each chunk and each response is a write of its own: with Nagle's
 * algorithm a small one waits for the peer's delayed ACK (40 ms). */
static void
set_no_delay (SoupWebsocketConnection *ws)
{
  GSocket *socket = find_socket (soup_websocket_connection_get_io_stream (ws));
  GError *error = NULL;

  if (socket == NULL)
    {
      g_debug ("websocket: no socket found to turn off Nagle's algorithm on");
      return;
    }
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, &error))
    {
      g_debug ("websocket: could not turn off Nagle's algorithm: %s", error->message);
      g_error_free (error);
    }
}

static MsrpTransportBackend *
websocket_backend_new (MsrpTransport           *transport,
                       SoupWebsocketConnection *ws)
{
  WebsocketBackend *b = g_new0 (WebsocketBackend, 1);
  GOutputStream *output = g_io_stream_get_output_stream (soup_websocket_connection_get_io_stream (ws));

  b->parent.funcs = &websocket_backend_funcs;
  b->parent.transport = transport;
  b->parent.flags = MSRP_TRANSPORT_BACKEND_POLLS | MSRP_TRANSPORT_BACKEND_WRITES_NOW |
                    MSRP_TRANSPORT_BACKEND_FRAMED;
  b->ws = g_object_ref (ws);
  if (G_IS_POLLABLE_OUTPUT_STREAM (output) &&
      g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (output)))
    b->output = g_object_ref (G_POLLABLE_OUTPUT_STREAM (output));
  g_queue_init (&b->incoming);
  b->out = g_byte_array_new ();

  soup_websocket_connection_set_max_incoming_payload_size (ws, MAX_INCOMING_PAYLOAD);
  set_no_delay (ws);
  if (soup_websocket_connection_get_keepalive_interval (ws) == 0)
    soup_websocket_connection_set_keepalive_interval (ws, KEEPALIVE_SECONDS);
  b->message_id = g_signal_connect (ws, "message", G_CALLBACK (on_message), b);
  b->closed_id = g_signal_connect (ws, "closed", G_CALLBACK (on_closed), b);
  b->error_id = g_signal_connect (ws, "error", G_CALLBACK (on_error), b);
  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_CLOSED)
    {
      b->ended = TRUE;
      b->error = close_error (ws);
    }
  return &b->parent;
}

/* A transport on an open WebSocket (RFC 7977), one chunk a message. The
 * paths may be NULL for a transport that learns them from its first
 * request (MsrpServer, MsrpRelay). */
MsrpTransport *
_msrp_transport_new_for_websocket (SoupWebsocketConnection *ws,
                                   GPtrArray               *local_path,
                                   GPtrArray               *remote_path)
{
  MsrpTransport *transport;

  g_return_val_if_fail (SOUP_IS_WEBSOCKET_CONNECTION (ws), NULL);

  transport = g_object_new (MSRP_TYPE_TRANSPORT,
                            "stream", soup_websocket_connection_get_io_stream (ws),
                            "full-local-path", local_path,
                            "full-remote-path", remote_path,
                            NULL);
  /* Made with the socket backend of the stream, which has done nothing
   * yet: the WebSocket takes its place. */
  transport->backend->funcs->free (transport->backend);
  transport->backend = websocket_backend_new (transport, ws);
  return transport;
}

/* The WebSocket under a transport, or NULL. */
SoupWebsocketConnection *
_msrp_transport_get_websocket (MsrpTransport *transport)
{
  MsrpMux *mux = _msrp_transport_get_mux (transport);

  /* A session that shares one runs on it too. */
  if (mux != NULL)
    return _msrp_transport_get_websocket (_msrp_mux_get_base (mux));
  if (transport->backend->funcs != &websocket_backend_funcs)
    return NULL;
  return ((WebsocketBackend *) transport->backend)->ws;
}

gsize
_msrp_transport_websocket_get_held_bytes (MsrpTransport *transport)
{
  MsrpMux *mux = _msrp_transport_get_mux (transport);

  if (mux != NULL)
    return _msrp_transport_websocket_get_held_bytes (_msrp_mux_get_base (mux));
  if (transport->backend->funcs != &websocket_backend_funcs)
    return 0;
  return ((WebsocketBackend *) transport->backend)->held;
}
