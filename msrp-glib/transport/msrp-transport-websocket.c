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
#define ROOM_CHECK_BYTES (32 * 1024)
/* The longest a message waits under the cork while the loop is busy. */
#define CORK_MAX_USEC 1000
/* The buffer of a chunk put together from pieces is kept up to this size
 * for the next one. */
#define OUT_KEEP_BYTES (128 * 1024)
/* What one read from the network takes on a connection of our server: libsoup
 * asks for 1 KiB at a time, served from here. */
#define INPUT_BUFFER_SIZE (64 * 1024)
/* The most bytes libsoup's read loop takes in one turn of the main loop. */
#define INPUT_TURN_MAX (512 * 1024)
/* Reading from the network stops with this much held that the transport has
 * not read, and starts again below INPUT_RESUME_BYTES: the peer then waits,
 * as on TCP. */
#define INPUT_PAUSE_BYTES (1024 * 1024)
#define INPUT_RESUME_BYTES (256 * 1024)

/* The input of a WebSocket that our server accepted. libsoup 3.2 reads its
 * stream 1 KiB at a time, a system call each, and has no way to stop
 * reading: these reads come from a buffer filled 64 KiB at a time, and
 * find nothing while the transport is behind. */
G_DECLARE_FINAL_TYPE (MsrpWsInput, msrp_ws_input, MSRP, WS_INPUT, GInputStream)

struct _MsrpWsInput
{
  GInputStream parent;

  GPollableInputStream *base;
  guint8 *buffer;               /* only while data comes */
  gsize pos;
  gsize len;
  gsize turn;                   /* served since libsoup last waited */
  gboolean paused;
  GSource *source;              /* the last one libsoup waits on */
};

static void msrp_ws_input_pollable_iface_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MsrpWsInput, msrp_ws_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      msrp_ws_input_pollable_iface_init))

static void
msrp_ws_input_init (MsrpWsInput *self)
{
}

static void
msrp_ws_input_finalize (GObject *object)
{
  MsrpWsInput *self = MSRP_WS_INPUT (object);

  g_clear_pointer (&self->source, g_source_unref);
  g_free (self->buffer);
  g_clear_object (&self->base);
  G_OBJECT_CLASS (msrp_ws_input_parent_class)->finalize (object);
}

static gssize
msrp_ws_input_read_nonblocking (GPollableInputStream  *pollable,
                                void                  *buffer,
                                gsize                  count,
                                GError               **error)
{
  MsrpWsInput *self = MSRP_WS_INPUT (pollable);
  gssize n;

  if (self->paused || self->turn >= INPUT_TURN_MAX)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "");
      return -1;
    }
  if (self->pos == self->len)
    {
      if (self->buffer == NULL)
        self->buffer = g_malloc (INPUT_BUFFER_SIZE);
      n = g_pollable_input_stream_read_nonblocking (self->base, self->buffer, INPUT_BUFFER_SIZE, NULL, error);
      if (n <= 0)
        {
          /* Nothing more for now: an idle connection holds no buffer. */
          g_clear_pointer (&self->buffer, g_free);
          return n;
        }
      self->pos = 0;
      self->len = n;
    }
  n = MIN (count, self->len - self->pos);
  memcpy (buffer, self->buffer + self->pos, n);
  self->pos += n;
  self->turn += n;
  return n;
}

static gssize
msrp_ws_input_read (GInputStream  *stream,
                    void          *buffer,
                    gsize          count,
                    GCancellable  *cancellable,
                    GError       **error)
{
  MsrpWsInput *self = MSRP_WS_INPUT (stream);
  gsize n;

  if (self->pos == self->len)
    return g_input_stream_read (G_INPUT_STREAM (self->base), buffer, count, cancellable, error);
  n = MIN (count, self->len - self->pos);
  memcpy (buffer, self->buffer + self->pos, n);
  self->pos += n;
  return n;
}

static gboolean
msrp_ws_input_close (GInputStream  *stream,
                     GCancellable  *cancellable,
                     GError       **error)
{
  MsrpWsInput *self = MSRP_WS_INPUT (stream);

  /* The base stream is closed with its GIOStream. */
  g_clear_pointer (&self->buffer, g_free);
  self->pos = self->len = 0;
  return TRUE;
}

static gboolean
msrp_ws_input_can_poll (GPollableInputStream *pollable)
{
  return g_pollable_input_stream_can_poll (MSRP_WS_INPUT (pollable)->base);
}

static gboolean
msrp_ws_input_is_readable (GPollableInputStream *pollable)
{
  MsrpWsInput *self = MSRP_WS_INPUT (pollable);

  return !self->paused && (self->pos < self->len || g_pollable_input_stream_is_readable (self->base));
}

/* Ready at once with data buffered, with the base stream otherwise, never
 * while paused (msrp_ws_input_set_paused() makes it ready then). */
static GSource *
msrp_ws_input_create_source (GPollableInputStream *pollable,
                             GCancellable         *cancellable)
{
  MsrpWsInput *self = MSRP_WS_INPUT (pollable);
  g_autoptr(GSource) child = NULL;
  GSource *source;

  /* libsoup waits: its next read loop starts a turn. */
  self->turn = 0;
  if (!self->paused && self->pos == self->len)
    child = g_pollable_input_stream_create_source (self->base, NULL);
  source = g_pollable_source_new_full (self, child, cancellable);
  if (!self->paused && self->pos < self->len)
    g_source_set_ready_time (source, 0);
  g_clear_pointer (&self->source, g_source_unref);
  self->source = g_source_ref (source);
  return source;
}

static void
msrp_ws_input_class_init (MsrpWsInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = msrp_ws_input_finalize;
  input_class->read_fn = msrp_ws_input_read;
  input_class->close_fn = msrp_ws_input_close;
}

static void
msrp_ws_input_pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = msrp_ws_input_can_poll;
  iface->is_readable = msrp_ws_input_is_readable;
  iface->create_source = msrp_ws_input_create_source;
  iface->read_nonblocking = msrp_ws_input_read_nonblocking;
}

static void
msrp_ws_input_set_paused (MsrpWsInput *self,
                          gboolean     paused)
{
  if (self->paused == paused)
    return;
  self->paused = paused;
  /* libsoup waits on a source that no data will make ready. */
  if (!paused && self->source != NULL && !g_source_is_destroyed (self->source))
    g_source_set_ready_time (self->source, 0);
}

/* The stream of a WebSocket that our server accepted: the socket's (or TLS
 * connection's), with MsrpWsInput in front of its input. */
G_DECLARE_FINAL_TYPE (MsrpWsIOStream, msrp_ws_io_stream, MSRP, WS_IO_STREAM, GIOStream)

struct _MsrpWsIOStream
{
  GIOStream parent;

  GIOStream *base;
  MsrpWsInput *input;
};

enum {
  PROP_WS_0,
  PROP_WS_BASE_IO_STREAM,
};

G_DEFINE_FINAL_TYPE (MsrpWsIOStream, msrp_ws_io_stream, G_TYPE_IO_STREAM)

static void
msrp_ws_io_stream_init (MsrpWsIOStream *self)
{
}

static void
msrp_ws_io_stream_finalize (GObject *object)
{
  MsrpWsIOStream *self = MSRP_WS_IO_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->base);
  G_OBJECT_CLASS (msrp_ws_io_stream_parent_class)->finalize (object);
}

/* find_socket() walks down through it. */
static void
msrp_ws_io_stream_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MsrpWsIOStream *self = MSRP_WS_IO_STREAM (object);

  switch (prop_id)
    {
    case PROP_WS_BASE_IO_STREAM:
      g_value_set_object (value, self->base);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GInputStream *
msrp_ws_io_stream_get_input_stream (GIOStream *stream)
{
  return G_INPUT_STREAM (MSRP_WS_IO_STREAM (stream)->input);
}

static GOutputStream *
msrp_ws_io_stream_get_output_stream (GIOStream *stream)
{
  return g_io_stream_get_output_stream (MSRP_WS_IO_STREAM (stream)->base);
}

static gboolean
msrp_ws_io_stream_close (GIOStream     *stream,
                         GCancellable  *cancellable,
                         GError       **error)
{
  MsrpWsIOStream *self = MSRP_WS_IO_STREAM (stream);

  g_input_stream_close (G_INPUT_STREAM (self->input), NULL, NULL);
  return g_io_stream_close (self->base, cancellable, error);
}

/* Closing the base GIOStream closes the socket (GIOStream's own close
 * would close only the two streams). */
static void
msrp_ws_io_stream_close_async (GIOStream           *stream,
                               int                  io_priority,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  MsrpWsIOStream *self = MSRP_WS_IO_STREAM (stream);
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, msrp_ws_io_stream_close_async);
  g_input_stream_close (G_INPUT_STREAM (self->input), NULL, NULL);
  g_io_stream_close_async (self->base, io_priority, cancellable, _msrp_transport_stream_closed, task);
}

static gboolean
msrp_ws_io_stream_close_finish (GIOStream     *stream,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
msrp_ws_io_stream_class_init (MsrpWsIOStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->finalize = msrp_ws_io_stream_finalize;
  object_class->get_property = msrp_ws_io_stream_get_property;
  stream_class->get_input_stream = msrp_ws_io_stream_get_input_stream;
  stream_class->get_output_stream = msrp_ws_io_stream_get_output_stream;
  stream_class->close_fn = msrp_ws_io_stream_close;
  stream_class->close_async = msrp_ws_io_stream_close_async;
  stream_class->close_finish = msrp_ws_io_stream_close_finish;

  g_object_class_install_property (object_class, PROP_WS_BASE_IO_STREAM,
                                   g_param_spec_object ("base-io-stream", NULL, NULL, G_TYPE_IO_STREAM,
                                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static GIOStream *
msrp_ws_io_stream_new (GIOStream *base)
{
  MsrpWsIOStream *self = g_object_new (msrp_ws_io_stream_get_type (), NULL);

  self->base = g_object_ref (base);
  self->input = g_object_new (msrp_ws_input_get_type (), NULL);
  self->input->base = g_object_ref (G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (base)));
  return G_IO_STREAM (self);
}

typedef struct {
  MsrpTransportBackend parent;

  SoupWebsocketConnection *ws;
  GPollableOutputStream *output; /* the connection's stream, for room */
  MsrpWsInput *input;           /* ours to pause, on our server's side */
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
  gsize since_room;             /* sent since the stream last showed room */
  GSocket *socket;              /* under the WebSocket, when found */
  GSource *idle_source;         /* these two take the cork off */
  GSource *deadline_source;
  gboolean sent_since_idle;     /* a message went since the loop was idle */
  gboolean corked;
  gint64 corked_at;

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

/* The backend's sources are ready by its state, seen in prepare(): made
 * ready with g_source_set_ready_time(), each change would write to the
 * context's wakeup fd, a system call or two a message. Everything that
 * changes that state runs in the context's own thread, before its next
 * prepare(). */
typedef struct {
  GSource source;
  WebsocketBackend *b;
} BackendSource;

static gboolean
read_ready (WebsocketBackend *b)
{
  return b->want_read && (!g_queue_is_empty (&b->incoming) || b->ended);
}

static gboolean
read_source_prepare (GSource *source,
                     gint    *timeout)
{
  *timeout = -1;
  return read_ready (((BackendSource *) source)->b);
}

static gboolean
read_source_check (GSource *source)
{
  return read_ready (((BackendSource *) source)->b);
}

static gboolean
backend_source_dispatch (GSource     *source,
                         GSourceFunc  callback,
                         gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs read_source_funcs = {
  .prepare = read_source_prepare,
  .check = read_source_check,
  .dispatch = backend_source_dispatch,
};

static GSource *
backend_source_new (WebsocketBackend *b,
                    GSourceFuncs     *funcs,
                    const char       *name,
                    GSourceFunc       func)
{
  GSource *source = g_source_new (funcs, sizeof (BackendSource));

  ((BackendSource *) source)->b = b;
  g_source_set_static_name (source, name);
  g_source_set_callback (source, func, b, NULL);
  g_source_attach (source, b->parent.transport->context);
  return source;
}

static gboolean
on_read_source (gpointer user_data)
{
  WebsocketBackend *b = user_data;
  MsrpTransport *transport = b->parent.transport;

  /* Messages with no read waiting for them (a paused session): the source
   * would fire on and on; the next read asks for it again. */
  if (!_msrp_transport_reading (transport))
    {
      b->want_read = FALSE;
      return G_SOURCE_CONTINUE;
    }
  /* Level-triggered, as a socket is: more waiting makes it ready again. */
  g_object_ref (transport);
  _msrp_transport_readable (transport);
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
    b->read_source = backend_source_new (b, &read_source_funcs, "[msrp] websocket read", on_read_source);
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
  gsize len, n, total = 0;

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
  /* The parser takes the messages as a stream: as many as fit go in one
   * read (small chunks come many at a time). */
  do
    {
      data = g_bytes_get_data (head, &len);
      n = MIN (size - total, len - b->head_pos);
      memcpy (buffer + total, data + b->head_pos, n);
      total += n;
      b->head_pos += n;
      b->held -= n;
      if (b->head_pos < len)
        break;
      g_bytes_unref (g_queue_pop_head (&b->incoming));
      b->head_pos = 0;
    }
  while (total < size && (head = g_queue_peek_head (&b->incoming)) != NULL);
  if (b->input != NULL && b->held < INPUT_RESUME_BYTES)
    msrp_ws_input_set_paused (b->input, FALSE);
  return total;
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
      return;
    }
  g_queue_push_tail (&b->incoming, g_bytes_ref (message));
  b->held += len;
  /* The transport is behind: the peer waits (TCP's flow control). */
  if (b->input != NULL && b->held >= INPUT_PAUSE_BYTES)
    msrp_ws_input_set_paused (b->input, TRUE);
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
 * write, so a stream without room means a queue is building. Asking is a
 * system call (a poll): it is asked again only once ROOM_CHECK_BYTES have
 * gone since it last had room, which bounds libsoup's queue to that and
 * one message. */
static gboolean
has_room (WebsocketBackend *b)
{
  if (b->output == NULL || b->since_room < ROOM_CHECK_BYTES)
    return TRUE;
  if (!g_pollable_output_stream_is_writable (b->output))
    return FALSE;
  b->since_room = 0;
  return TRUE;
}

/* The cork comes off when the main loop has nothing else to do (the idle
 * source, at a low priority), or CORK_MAX_USEC after it went on when the
 * loop stays busy (the deadline source, at a high one). */
static gboolean
idle_source_prepare (GSource *source,
                     gint    *timeout)
{
  WebsocketBackend *b = ((BackendSource *) source)->b;

  *timeout = -1;
  if (b->corked)
    return TRUE;
  /* Caught up: the next message goes out at once again. */
  b->sent_since_idle = FALSE;
  return FALSE;
}

static gboolean
idle_source_check (GSource *source)
{
  return ((BackendSource *) source)->b->corked;
}

static GSourceFuncs idle_source_funcs = {
  .prepare = idle_source_prepare,
  .check = idle_source_check,
  .dispatch = backend_source_dispatch,
};

static gboolean
deadline_source_prepare (GSource *source,
                         gint    *timeout)
{
  WebsocketBackend *b = ((BackendSource *) source)->b;
  gint64 left;

  *timeout = -1;
  if (!b->corked)
    return FALSE;
  left = b->corked_at + CORK_MAX_USEC - g_source_get_time (source);
  if (left <= 0)
    return TRUE;
  *timeout = (left + 999) / 1000;
  return FALSE;
}

static gboolean
deadline_source_check (GSource *source)
{
  WebsocketBackend *b = ((BackendSource *) source)->b;

  return b->corked && g_source_get_time (source) >= b->corked_at + CORK_MAX_USEC;
}

static GSourceFuncs deadline_source_funcs = {
  .prepare = deadline_source_prepare,
  .check = deadline_source_check,
  .dispatch = backend_source_dispatch,
};

static gboolean
on_uncork (gpointer user_data)
{
  WebsocketBackend *b = user_data;

  if (!b->corked)
    return G_SOURCE_CONTINUE;
  b->corked = FALSE;
  if (b->socket != NULL)
    g_socket_set_option (b->socket, IPPROTO_TCP, TCP_CORK, FALSE, NULL);
  return G_SOURCE_CONTINUE;
}

/* libsoup makes a send() of each message. The first one after the main
 * loop caught up goes out at once (the peer may be waiting for just that
 * one); when more follow before the loop is idle again, the socket is
 * corked and puts them in few segments instead of one each: far less work
 * for both ends' TCP stacks, and fewer wakeups of the peer, which then has
 * more to answer at a time, and so on back. */
static void
cork (WebsocketBackend *b)
{
  if (b->corked || b->socket == NULL || b->idle_source == NULL)
    return;
  if (!b->sent_since_idle)
    {
      b->sent_since_idle = TRUE;
      return;
    }
  if (!g_socket_set_option (b->socket, IPPROTO_TCP, TCP_CORK, TRUE, NULL))
    {
      g_clear_object (&b->socket);  /* not TCP after all */
      return;
    }
  b->corked = TRUE;
  b->corked_at = g_source_get_time (b->idle_source);
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

  if (chunk_end && b->out->len == 0 && n_vectors == 1)
    {
      /* A whole chunk in one piece (the write path makes one of a small
       * chunk): libsoup copies it into its frame, so no copy of ours. */
      data = vectors[0].buffer;
      len = vectors[0].size;
    }
  else
    {
      for (gsize i = 0; i < n_vectors; i++)
        g_byte_array_append (b->out, vectors[i].buffer, vectors[i].size);
      if (!chunk_end)
        {
          for (gsize i = 0; i < n_vectors; i++)
            *written += vectors[i].size;
          return G_POLLABLE_RETURN_OK;
        }
      data = (const char *) b->out->data;
      len = b->out->len;
    }

  cork (b);
  /* The buffer is ours again once the call returns: libsoup has made its
   * frame of it by then. */
  message = g_bytes_new_static (data, len);
  soup_websocket_connection_send_message (b->ws,
                                          g_utf8_validate_len (data, len, NULL) ? SOUP_WEBSOCKET_DATA_TEXT
                                                                                : SOUP_WEBSOCKET_DATA_BINARY,
                                          message);
  b->since_room += len;
  for (gsize i = 0; i < n_vectors; i++)
    *written += vectors[i].size;
  if (b->out->len > OUT_KEEP_BYTES)
    {
      /* A rare large chunk does not keep its buffer for good. */
      g_byte_array_unref (b->out);
      b->out = g_byte_array_new ();
    }
  else
    g_byte_array_set_size (b->out, 0);
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
  /* The peer's close frame must come through. */
  if (b->input != NULL)
    msrp_ws_input_set_paused (b->input, FALSE);
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
  if (b->input != NULL)
    {
      msrp_ws_input_set_paused (b->input, FALSE);
      g_object_unref (b->input);
    }
  if (soup_websocket_connection_get_state (b->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (b->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  if (b->read_source != NULL)
    {
      g_source_destroy (b->read_source);
      g_source_unref (b->read_source);
    }
  ws_want_write (backend, FALSE);
  if (b->idle_source != NULL)
    {
      /* What libsoup still writes (a close frame) goes at once. */
      on_uncork (b);
      g_source_destroy (b->idle_source);
      g_source_unref (b->idle_source);
      g_source_destroy (b->deadline_source);
      g_source_unref (b->deadline_source);
    }
  g_queue_clear_full (&b->incoming, (GDestroyNotify) g_bytes_unref);
  g_clear_error (&b->error);
  g_byte_array_unref (b->out);
  if (b->close_task != NULL)
    {
      g_task_return_boolean (b->close_task, TRUE);
      g_object_unref (b->close_task);
    }
  g_clear_object (&b->output);
  g_clear_object (&b->socket);
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
 * algorithm a small one waits for the peer's delayed ACK (40 ms). The
 * socket is kept for the cork. */
static void
set_no_delay (WebsocketBackend *b)
{
  GSocket *socket = find_socket (soup_websocket_connection_get_io_stream (b->ws));
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
      return;
    }
  b->socket = g_object_ref (socket);
}

static MsrpTransportBackend *
websocket_backend_new (MsrpTransport           *transport,
                       SoupWebsocketConnection *ws)
{
  WebsocketBackend *b = g_new0 (WebsocketBackend, 1);
  GIOStream *stream = soup_websocket_connection_get_io_stream (ws);
  GOutputStream *output = g_io_stream_get_output_stream (stream);

  b->parent.funcs = &websocket_backend_funcs;
  b->parent.transport = transport;
  b->parent.flags = MSRP_TRANSPORT_BACKEND_POLLS | MSRP_TRANSPORT_BACKEND_WRITES_NOW |
                    MSRP_TRANSPORT_BACKEND_FRAMED;
  b->ws = g_object_ref (ws);
  if (G_IS_POLLABLE_OUTPUT_STREAM (output) &&
      g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (output)))
    b->output = g_object_ref (G_POLLABLE_OUTPUT_STREAM (output));
  if (MSRP_IS_WS_IO_STREAM (stream))
    b->input = g_object_ref (MSRP_WS_IO_STREAM (stream)->input);
  g_queue_init (&b->incoming);
  b->out = g_byte_array_new ();

  soup_websocket_connection_set_max_incoming_payload_size (ws, MAX_INCOMING_PAYLOAD);
  set_no_delay (b);
  if (b->socket != NULL)
    {
      b->idle_source = backend_source_new (b, &idle_source_funcs, "[msrp] websocket uncork", on_uncork);
      g_source_set_priority (b->idle_source, G_PRIORITY_LOW);
      b->deadline_source = backend_source_new (b, &deadline_source_funcs, "[msrp] websocket cork deadline",
                                               on_uncork);
      g_source_set_priority (b->deadline_source, G_PRIORITY_HIGH);
    }
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

/* Our server's WebSockets: libsoup's handshake, and a connection made by us
 * on MsrpWsIOStream. */
typedef struct {
  GWeakRef server;
  SoupServerWebsocketCallback callback;
  gpointer user_data;
  GDestroyNotify destroy;
} WsHandler;

static void
ws_handler_clear (gpointer data)
{
  WsHandler *h = data;

  g_weak_ref_clear (&h->server);
  if (h->destroy != NULL)
    h->destroy (h->user_data);
}

static void
ws_handler_release (gpointer data,
                    GClosure *closure)
{
  g_rc_box_release_full (data, ws_handler_clear);
}

static void
ws_handler_release_notify (gpointer data)
{
  g_rc_box_release_full (data, ws_handler_clear);
}

/* The 101 went out: the connection is the WebSocket's from here on. */
static void
on_upgrade_written (SoupServerMessage *msg,
                    gpointer           user_data)
{
  WsHandler *h = user_data;
  g_autoptr(SoupServer) server = g_weak_ref_get (&h->server);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GIOStream) wrapped = NULL;
  g_autoptr(SoupWebsocketConnection) ws = NULL;

  if (soup_server_message_get_status (msg) != SOUP_STATUS_SWITCHING_PROTOCOLS)
    return;
  g_object_ref (msg);
  stream = soup_server_message_steal_connection (msg);
  wrapped = msrp_ws_io_stream_new (stream);
  ws = soup_websocket_connection_new (wrapped, uri, SOUP_WEBSOCKET_CONNECTION_SERVER,
                                      soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                                    "Origin"),
                                      soup_message_headers_get_one (soup_server_message_get_response_headers (msg),
                                                                    "Sec-WebSocket-Protocol"),
                                      NULL);
  if (server != NULL)
    h->callback (server, msg, g_uri_get_path (uri), ws, h->user_data);
  else
    soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_object_unref (msg);
}

static void
on_early_request (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  static const char *protocols[] = { "msrp", NULL };
  WsHandler *h = user_data;

  /* What is not a good handshake goes on to libsoup's own handler, which
   * answers it. No extensions: MSRP gains nothing from compression. */
  if (!soup_websocket_server_check_handshake (msg, NULL, (char **) protocols, NULL, NULL) ||
      !soup_websocket_server_process_handshake (msg, NULL, (char **) protocols, NULL, NULL))
    return;
  g_signal_connect_data (msg, "wrote-informational", G_CALLBACK (on_upgrade_written),
                         g_rc_box_acquire (h), ws_handler_release, 0);
}

/* Like soup_server_add_websocket_handler() for the sub-protocol "msrp",
 * but the connection reads through MsrpWsInput: libsoup's reads of 1 KiB
 * are served from memory, and the transport can stop them when it is
 * behind. The handshake is made in an early handler on @path (it replaces
 * one the application set on that very path). */
void
_msrp_websocket_server_add_handler (SoupServer                  *server,
                                    const char                  *path,
                                    SoupServerWebsocketCallback  callback,
                                    gpointer                     user_data,
                                    GDestroyNotify               destroy)
{
  static const char *protocols[] = { "msrp", NULL };
  WsHandler *h = g_rc_box_new0 (WsHandler);

  g_weak_ref_init (&h->server, server);
  h->callback = callback;
  h->user_data = user_data;
  h->destroy = destroy;
  soup_server_add_websocket_handler (server, path, NULL, (char **) protocols, callback, user_data, NULL);
  soup_server_add_early_handler (server, path, on_early_request, h, ws_handler_release_notify);
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
