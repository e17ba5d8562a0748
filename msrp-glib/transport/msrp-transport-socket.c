/* msrp-transport-socket.c: MsrpTransport's backend for a GIOStream
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything that knows what the stream is: a plain socket connection
 * (read, written and waited for on its fd), TLS over one (read and written
 * through the TLS streams without blocking, waited for on the socket), a
 * pollable stream (waited for through its source), or any other stream
 * (read and written asynchronously).
 */

#include "config.h"

#include "msrp-transport-backend-private.h"
#include "msrp-poller-private.h"

typedef struct {
  MsrpTransportBackend parent;

  GIOStream *stream;
  /* A plain socket is read and written through its GSocket: its
   * connection's two stream objects (some 250 bytes a connection) are
   * only made when wanted (socket_input(), socket_output()). */
  GSocket *socket;
  GInputStream *input;
  GOutputStream *output;
  /* The socket's fd, for a plain socket or TLS over one; or -1 */
  int fd;
  /* Attached for as long as reads follow one another: GLib 2.74 wakes the
   * main context up (a system call each) whenever a source with an fd is
   * attached, destroyed, blocked or unblocked. */
  GSource *read_source;
  gboolean tls_maybe_pending;   /* the TLS stream may hold decrypted data
                                 * the socket does not show */
  gboolean async_read_pending;  /* a g_input_stream_read_async() is running */
  gboolean close_waits_for_read;
  /* Waiting on fd for room to write the rest of a batch */
  GSource *write_source;
  gpointer write_tag;
  gboolean write_watched;       /* write_tag has G_IO_OUT */
  /* Or, where the poller can (Linux), the fd watched through it for both
   * reads and writes, in place of the two sources: made on the first wait. */
  MsrpPollerWatch *watch;
  gboolean no_watch;            /* the poller could not: sources it is */
} SocketBackend;

static GInputStream *
socket_input (SocketBackend *b)
{
  if (b->input == NULL)
    b->input = g_io_stream_get_input_stream (b->stream);
  return b->input;
}

static GOutputStream *
socket_output (SocketBackend *b)
{
  if (b->output == NULL)
    b->output = g_io_stream_get_output_stream (b->stream);
  return b->output;
}

typedef struct {
  GSource source;
  SocketBackend *backend;       /* it destroys the source first */
} FdSource;

#ifdef G_OS_UNIX
/* The socket under a TLS connection whose handshake is done: the
 * connection itself (a server's), or wrapped in a GTcpWrapperConnection
 * with the socket (a GSocketClient's). -1 for anything else. */
static int
tls_socket_fd (GIOStream *stream)
{
  g_autoptr(GIOStream) base = NULL;
  GIOStream *tls = NULL;
  GSocketConnection *socket_connection = NULL;

  if (G_IS_TCP_WRAPPER_CONNECTION (stream))
    {
      tls = g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (stream));
      socket_connection = G_SOCKET_CONNECTION (stream);
    }
  else if (G_IS_TLS_CONNECTION (stream))
    {
      tls = stream;
      g_object_get (stream, "base-io-stream", &base, NULL);
      if (G_IS_SOCKET_CONNECTION (base) && !G_IS_TCP_WRAPPER_CONNECTION (base))
        socket_connection = G_SOCKET_CONNECTION (base);
    }
  if (!G_IS_TLS_CONNECTION (tls) || socket_connection == NULL ||
      g_tls_connection_get_protocol_version (G_TLS_CONNECTION (tls)) == G_TLS_PROTOCOL_VERSION_UNKNOWN)
    return -1;
  return g_socket_get_fd (g_socket_connection_get_socket (socket_connection));
}
#endif

/* Called by the poller: data, room, or a hang-up. */
static void
on_fd_ready (MsrpPollerWatch *watch,
             GIOCondition     condition,
             gpointer         user_data)
{
  SocketBackend *b = user_data;
  MsrpTransport *transport = b->parent.transport;

  g_object_ref (transport);
  if ((condition & (G_IO_IN | G_IO_HUP | G_IO_ERR)) &&
      (_msrp_poller_watch_get_events (watch) & G_IO_IN))
    {
      /* Data with no read waiting for it: the watch stops (it would fire
       * on and on), and the next read starts it again. */
      if (!_msrp_transport_reading (transport))
        _msrp_poller_watch_set_events (watch, _msrp_poller_watch_get_events (watch) & ~G_IO_IN);
      else
        _msrp_transport_readable (transport);
    }
  /* The backend is still there: the transport, which owns it, is. */
  if ((condition & (G_IO_OUT | G_IO_HUP | G_IO_ERR)) &&
      (_msrp_poller_watch_get_events (b->watch) & G_IO_OUT))
    _msrp_transport_writable (transport);
  g_object_unref (transport);
}

/* The poller's watch, made if needed; NULL where sources are used. */
static MsrpPollerWatch *
ensure_watch (SocketBackend *b)
{
  if (b->watch == NULL && !b->no_watch && b->fd >= 0 && _msrp_poller_can_watch ())
    {
      b->watch = _msrp_poller_watch_new (b->parent.transport->context, G_PRIORITY_DEFAULT,
                                         b->fd, on_fd_ready, b);
      b->no_watch = b->watch == NULL;
    }
  return b->watch;
}

static void
watch_set (SocketBackend *b,
           GIOCondition   condition,
           gboolean       on)
{
  GIOCondition events = _msrp_poller_watch_get_events (b->watch);

  _msrp_poller_watch_set_events (b->watch, on ? events | condition : events & ~condition);
}

/* Reading */

static void
stop_read_source (SocketBackend *b)
{
  if (b->watch != NULL)
    watch_set (b, G_IO_IN, FALSE);
  if (b->read_source != NULL)
    {
      g_source_destroy (b->read_source);
      g_clear_pointer (&b->read_source, g_source_unref);
    }
}

static gboolean
on_readable (GObject  *stream,
             gpointer  user_data)
{
  SocketBackend *b = user_data;
  MsrpTransport *transport = b->parent.transport;
  gboolean keep;

  if (g_main_current_source () != b->read_source)
    return G_SOURCE_REMOVE;
  /* Data with no read waiting for it: the source goes (it would fire on
   * and on), and the next read makes a new one. */
  if (!_msrp_transport_reading (transport))
    {
      stop_read_source (b);
      return G_SOURCE_REMOVE;
    }
  /* A main loop run inside a read's callback may dispatch the source
   * again (it may recurse): that reads for the next read, as the state is
   * settled before a callback runs. */
  g_object_ref (transport);
  /* A TLS stream's source follows the connection's state only while it
   * is new: it is made again for every wait, as GIO's own reads do. */
  if (b->fd < 0)
    g_clear_pointer (&b->read_source, g_source_unref);
  _msrp_transport_readable (transport);
  keep = g_main_current_source () == b->read_source;
  g_object_unref (transport);
  return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

#ifdef G_OS_UNIX
static gboolean
dispatch_fd_source (GSource     *source,
                    GSourceFunc  callback,
                    gpointer     user_data)
{
  if (g_source_get_ready_time (source) != -1)
    g_source_set_ready_time (source, -1);
  /* Called as a pollable stream's source calls it. */
  return ((GPollableSourceFunc) (void (*) (void)) callback) (NULL, user_data);
}

static GSourceFuncs fd_source_funcs = {
  .dispatch = dispatch_fd_source,
};
#endif

/* Attaches the read source if it is not there yet. A plain socket is
 * watched through its fd alone, by one source for the connection's life: a
 * pollable stream's source has a child source, which GLib blocks (waking
 * the context up twice) on every dispatch. */
static void
start_read_source (SocketBackend *b)
{
  if (b->read_source != NULL)
    return;
#ifdef G_OS_UNIX
  if (b->fd >= 0)
    {
      b->read_source = g_source_new (&fd_source_funcs, sizeof (GSource));
      g_source_add_unix_fd (b->read_source, b->fd, G_IO_IN);
    }
  else
#endif
    b->read_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (socket_input (b)), NULL);
  g_source_set_static_name (b->read_source, "[msrp] transport read");
  /* Not blocked while dispatched: GLib 2.74 wakes the main context up
   * (a system call) to take a blocked source's fd out of the poll and
   * again to put it back, twice for every read. */
  g_source_set_can_recurse (b->read_source, TRUE);
  g_source_set_callback (b->read_source, G_SOURCE_FUNC (on_readable), b, NULL);
  g_source_attach (b->read_source, b->parent.transport->context);
}

static void
socket_want_read (MsrpTransportBackend *backend,
                  gboolean              want)
{
  SocketBackend *b = (SocketBackend *) backend;

  if (!want)
    {
      stop_read_source (b);
      return;
    }
  if (ensure_watch (b) != NULL)
    {
      watch_set (b, G_IO_IN, TRUE);
      if (b->tls_maybe_pending)
        _msrp_poller_watch_set_ready (b->watch, G_IO_IN);
      return;
    }
  start_read_source (b);
  /* Data a TLS stream holds decrypted (a read asked for less than a
   * record, or the handshake read it) does not show on the socket: the
   * source is made ready, to read a turn later. */
  if (b->tls_maybe_pending)
    g_source_set_ready_time (b->read_source, 0);
}

static void
on_read_async (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  SocketBackend *b = user_data;
  MsrpTransport *transport = b->parent.transport;
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  b->async_read_pending = FALSE;
  if (b->close_waits_for_read)
    {
      b->close_waits_for_read = FALSE;
      _msrp_transport_finish_close (transport);
    }
  _msrp_transport_read_done (transport, n, error);
  /* The read's reference, taken in socket_read(). */
  g_object_unref (transport);
}

static gssize
socket_read (MsrpTransportBackend  *backend,
             guint8                *buffer,
             gsize                  size,
             GError               **error)
{
  SocketBackend *b = (SocketBackend *) backend;
  gssize n;

  if (!(backend->flags & MSRP_TRANSPORT_BACKEND_POLLS))
    {
      /* Streams that cannot poll: closing stops the read through the
       * transport's cancellable; the caller's is only looked at when data
       * comes. */
      b->async_read_pending = TRUE;
      g_input_stream_read_async (socket_input (b), buffer, size, G_PRIORITY_DEFAULT,
                                 _msrp_transport_get_cancellable (backend->transport),
                                 on_read_async, b);
      g_object_ref (backend->transport);
      return -1;
    }
  if (b->socket != NULL)
    n = g_socket_receive_with_blocking (b->socket, (char *) buffer, size, FALSE, NULL, error);
  else
    n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (socket_input (b)),
                                                  buffer, size, NULL, error);
  /* Under TLS (coalesce), on the socket: the TLS stream may keep more. */
  if (n > 0)
    b->tls_maybe_pending = b->fd >= 0 && (backend->flags & MSRP_TRANSPORT_BACKEND_COALESCE);
  else if (n < 0)
    b->tls_maybe_pending = FALSE;
  return n;
}

/* Writing */

static GPollableReturn
socket_writev (MsrpTransportBackend  *backend,
               const GOutputVector   *vectors,
               gsize                  n_vectors,
               gboolean               chunk_end,
               gsize                 *written,
               GError               **error)
{
  SocketBackend *b = (SocketBackend *) backend;
  GPollableOutputStream *output;
  gsize total = 0;

  /* What the socket's output stream would do, without the stream. */
  *written = 0;
  if (b->socket != NULL)
    return g_socket_send_message_with_timeout (b->socket, NULL, vectors, n_vectors, NULL, 0,
                                               G_SOCKET_MSG_NONE, 0, written, NULL, error);
  output = G_POLLABLE_OUTPUT_STREAM (socket_output (b));
  if (!(backend->flags & MSRP_TRANSPORT_BACKEND_COALESCE))
    return g_pollable_output_stream_writev_nonblocking (output, vectors, n_vectors, written, NULL, error);

  /* A TLS stream takes a record a call, and GIO's writev stops at the
   * first short write: written on here until the socket is full, rather
   * than a main-loop turn a record. */
  for (gsize i = 0; i < n_vectors; i++)
    {
      gsize done = 0;

      while (done < vectors[i].size)
        {
          GError *local_error = NULL;
          gssize n = g_pollable_output_stream_write_nonblocking (output,
                                                                 (const guint8 *) vectors[i].buffer + done,
                                                                 vectors[i].size - done, NULL, &local_error);

          if (n < 0)
            {
              *written = total;
              if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
                {
                  g_propagate_error (error, local_error);
                  return G_POLLABLE_RETURN_FAILED;
                }
              g_error_free (local_error);
              return total > 0 ? G_POLLABLE_RETURN_OK : G_POLLABLE_RETURN_WOULD_BLOCK;
            }
          done += n;
          total += n;
        }
    }
  *written = total;
  return G_POLLABLE_RETURN_OK;
}

#ifdef G_OS_UNIX
/* The fd is in the source only while watched: polled with no events, a
 * socket that hung up would still make the source ready, on and on. */
static void
watch_for_room (SocketBackend *b,
                gboolean       watch)
{
  if (b->write_watched == watch)
    return;
  b->write_watched = watch;
  if (watch)
    b->write_tag = g_source_add_unix_fd (b->write_source, b->fd, G_IO_OUT);
  else
    {
      g_source_remove_unix_fd (b->write_source, b->write_tag);
      b->write_tag = NULL;
    }
}

static gboolean
write_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  _msrp_transport_writable (((FdSource *) source)->backend->parent.transport);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs write_source_funcs = {
  .dispatch = write_source_dispatch,
};
#endif

/* Waits on the socket, by one source for the connection's life, rather
 * than a GTask and a new source for each wait. */
static void
socket_want_write (MsrpTransportBackend *backend,
                   gboolean              want)
{
#ifdef G_OS_UNIX
  SocketBackend *b = (SocketBackend *) backend;

  if (ensure_watch (b) != NULL)
    {
      watch_set (b, G_IO_OUT, want);
      return;
    }
  if (want && b->write_source == NULL)
    {
      b->write_source = g_source_new (&write_source_funcs, sizeof (FdSource));
      ((FdSource *) b->write_source)->backend = b;
      g_source_set_static_name (b->write_source, "[msrp] transport write");
      g_source_set_can_recurse (b->write_source, TRUE);
      b->write_tag = g_source_add_unix_fd (b->write_source, b->fd, G_IO_OUT);
      b->write_watched = TRUE;
      g_source_attach (b->write_source, backend->transport->context);
    }
  else
    watch_for_room (b, want);
#else
  g_assert_not_reached ();
#endif
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  MsrpTransport *transport = user_data;
  GError *error = NULL;

  g_output_stream_writev_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  _msrp_transport_written (transport, error);
  g_object_unref (transport);
}

static void
socket_writev_async (MsrpTransportBackend *backend,
                     GOutputVector        *vectors,
                     gsize                 n_vectors)
{
  SocketBackend *b = (SocketBackend *) backend;

  g_output_stream_writev_all_async (socket_output (b), vectors, n_vectors, G_PRIORITY_DEFAULT,
                                    _msrp_transport_get_cancellable (backend->transport),
                                    on_written, g_object_ref (backend->transport));
}

/* Closing */

static gboolean
socket_close (MsrpTransportBackend *backend,
              GTask                *task)
{
  SocketBackend *b = (SocketBackend *) backend;

  /* A stream does not close while an operation runs on it. */
  if (b->async_read_pending)
    {
      b->close_waits_for_read = TRUE;
      g_cancellable_cancel (_msrp_transport_get_cancellable (backend->transport));
      return FALSE;
    }
  g_io_stream_close_async (b->stream, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                           _msrp_transport_stream_closed, task);
  return TRUE;
}

static void
socket_free (MsrpTransportBackend *backend)
{
  SocketBackend *b = (SocketBackend *) backend;

  stop_read_source (b);
  if (b->watch != NULL)
    _msrp_poller_watch_destroy (b->watch);
  if (b->write_source != NULL)
    {
      g_source_destroy (b->write_source);
      g_source_unref (b->write_source);
    }
  g_object_unref (b->stream);
  g_free (b);
}

static const MsrpTransportBackendFuncs socket_backend_funcs = {
  .read = socket_read,
  .want_read = socket_want_read,
  .writev = socket_writev,
  .want_write = socket_want_write,
  .writev_async = socket_writev_async,
  .close = socket_close,
  .free = socket_free,
};

MsrpTransportBackend *
_msrp_transport_socket_backend_new (MsrpTransport *transport,
                                    GIOStream     *stream)
{
  SocketBackend *b = g_new0 (SocketBackend, 1);
  gboolean plain_socket = G_IS_SOCKET_CONNECTION (stream) && !G_IS_TCP_WRAPPER_CONNECTION (stream);
  gboolean can_poll;

  b->parent.funcs = &socket_backend_funcs;
  b->parent.transport = transport;
  b->stream = g_object_ref (stream);
  /* A socket's input stream always polls. */
  if (plain_socket)
    {
      b->socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
      can_poll = TRUE;
    }
  else
    can_poll = G_IS_POLLABLE_INPUT_STREAM (socket_input (b)) &&
               g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (socket_input (b)));
  if (can_poll)
    b->parent.flags |= MSRP_TRANSPORT_BACKEND_POLLS;
  /* A plain socket takes a vectored write in one system call; other
   * streams (TLS above all) are given the batch cut into full records. */
  if (!plain_socket)
    b->parent.flags |= MSRP_TRANSPORT_BACKEND_COALESCE;
  else
    b->parent.flags |= MSRP_TRANSPORT_BACKEND_SHORT_READ_DRAINS;
  b->fd = -1;
#ifdef G_OS_UNIX
  if (can_poll && plain_socket)
    b->fd = g_socket_get_fd (g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream)));
  /* A TLS stream whose handshake is done, over a plain socket: it is read
   * and written without blocking, and waited for on the socket, by one
   * source for the connection's life. A source of the TLS stream is made
   * for each wait (the stream's state is looked at when it is made), which
   * wakes the main context up four times. */
  else if (can_poll && G_IS_POLLABLE_OUTPUT_STREAM (socket_output (b)))
    b->fd = tls_socket_fd (stream);
#endif
  if (b->fd >= 0)
    b->parent.flags |= MSRP_TRANSPORT_BACKEND_WRITES_NOW;
  /* The handshake may have read application data already. */
  b->tls_maybe_pending = b->fd >= 0 && !plain_socket;
  return &b->parent;
}
