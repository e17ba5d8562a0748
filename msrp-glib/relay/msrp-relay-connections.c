/* msrp-relay-connections.c: MsrpRelay's connections and listening sockets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "msrp-relay-private.h"
#include "msrp-connector-private.h"
#include "msrp-transport-private.h"
#include "msrp-uri-private.h"

/* The largest piece of a body forwarded at once. */
#define SEGMENT_SIZE (64 * 1024)

/* Reading pauses while a connection has more than HIGH_WATER bytes to
 * write, and goes on once it is below LOW_WATER. */
#define HIGH_WATER (256 * 1024)
#define LOW_WATER (64 * 1024)

static void listener_unref (MsrpRelayListener *listener);

/* Small helpers */

GMainContext *
_msrp_relay_push_context (MsrpRelay *self)
{
  GMainContext *context;

  if (self == NULL)
    return NULL;
  context = g_main_context_ref (self->context);
  g_main_context_push_thread_default (context);
  return context;
}

void
_msrp_relay_pop_context (GMainContext *context)
{
  if (context == NULL)
    return;
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

void
_msrp_relay_timer_attach (MsrpRelay   *self,
                          GSource     *timer,
                          const char  *name,
                          GSourceFunc  func,
                          gpointer     data)
{
  g_source_set_static_name (timer, name);
  g_source_set_callback (timer, func, data, NULL);
  g_source_attach (timer, self->context);
}

void
_msrp_relay_timer_clear (GSource **timer)
{
  if (*timer == NULL)
    return;
  g_source_destroy (*timer);
  g_clear_pointer (timer, g_source_unref);
}

/* Connections */

MsrpRelayConn *
_msrp_relay_conn_ref (MsrpRelayConn *conn)
{
  conn->ref_count++;
  return conn;
}

void
_msrp_relay_conn_unref (MsrpRelayConn *conn)
{
  if (--conn->ref_count > 0)
    return;

  g_assert (conn->cur == NULL && conn->blocked_on == NULL && conn->last_out == NULL && conn->route_memo == NULL);
  g_assert (g_queue_is_empty (&conn->connect_queue) && g_queue_is_empty (&conn->pending_order));
  g_assert (conn->waiters == NULL && conn->sessions->len == 0 && conn->lconn == NULL);
  g_assert (g_queue_is_empty (&conn->nonces));
  g_clear_pointer (&conn->waiters, g_ptr_array_unref);
  g_clear_pointer (&conn->sessions, g_ptr_array_unref);
  g_clear_pointer (&conn->pending, g_hash_table_unref);
  g_clear_pointer (&conn->peer_uris, g_ptr_array_unref);
  g_free (conn->peer_address);
  if (conn->listener != NULL)
    listener_unref (conn->listener);
  g_free (conn->key);
  g_clear_object (&conn->next_hop);
  g_clear_object (&conn->stream);
  g_clear_object (&conn->transport);
  g_clear_object (&conn->cancellable);
  g_free (conn);
}

static MsrpRelayConn *
conn_new (MsrpRelay *self)
{
  MsrpRelayConn *conn = g_new0 (MsrpRelayConn, 1);

  conn->ref_count = 1;  /* the relay's */
  conn->relay = self;
  conn->serial = ++self->next_serial;
  conn->park_link.data = conn;
  conn->sessions = g_ptr_array_new ();
  /* waiters and pending are made on first use: most connections never
   * block another one, and an idle one forwards nothing. */
  conn->peer_uris = g_ptr_array_new_with_free_func (_msrp_relay_peer_key_free);
  g_queue_init (&conn->connect_queue);
  g_queue_init (&conn->pending_order);
  g_hash_table_add (self->connections, conn);
  return conn;
}

static void
conn_wake_waiters (MsrpRelayConn *conn)
{
  g_autoptr(GPtrArray) waiters = NULL;

  if (conn->waiters == NULL)
    return;
  waiters = g_steal_pointer (&conn->waiters);
  for (guint i = 0; i < waiters->len; i++)
    {
      MsrpRelayConn *waiter = g_ptr_array_index (waiters, i);

      if (waiter->blocked_on == conn)
        {
          waiter->blocked_on = NULL;
          _msrp_relay_conn_unref (conn);
          _msrp_relay_conn_continue (waiter);
        }
      _msrp_relay_conn_unref (waiter);
    }
}

typedef struct {
  MsrpRelayConn *conn;
  gsize size;
  gboolean forwarded;
} WriteContext;

static void
on_conn_written (MsrpTransport    *transport,
                 const GError     *error,
                 gsize             body_written,
                 MsrpContinuation  ended,
                 gpointer          user_data)
{
  WriteContext *ctx = user_data;
  MsrpRelayConn *conn = ctx->conn;
  GMainContext *context = _msrp_relay_push_context (conn->relay);

  conn->queued -= ctx->size;
  if (ctx->forwarded)
    conn->forwarded -= ctx->size;
  if (error != NULL)
    _msrp_relay_conn_close (conn, error->message);
  else if (conn->queued <= LOW_WATER)
    conn_wake_waiters (conn);
  _msrp_relay_conn_unref (conn);
  g_free (ctx);
  _msrp_relay_pop_context (context);
}

static gboolean
conn_write (MsrpRelayConn *conn,
            MsrpChunk     *chunk,
            gboolean       forwarded)
{
  MsrpRelay *self = conn->relay;
  WriteContext *ctx;

  if (self == NULL || conn->transport == NULL)
    return FALSE;
  if (self->holding && !conn->held)
    {
      conn->held = TRUE;
      _msrp_transport_hold_writes (conn->transport);
      conn->held_next = self->held;
      self->held = _msrp_relay_conn_ref (conn);
    }
  ctx = g_new (WriteContext, 1);
  ctx->conn = _msrp_relay_conn_ref (conn);
  ctx->size = msrp_chunk_get_size (chunk) + MSRP_RELAY_WRITE_OVERHEAD;
  ctx->forwarded = forwarded;
  conn->queued += ctx->size;
  if (forwarded)
    conn->forwarded += ctx->size;
  conn->last_activity = g_get_monotonic_time ();
  /* No GTask: completed from the transport's own callbacks. */
  _msrp_transport_write_chunk_with_callback (conn->transport, chunk, 0, on_conn_written, ctx);
  return TRUE;
}

gboolean
_msrp_relay_conn_write (MsrpRelayConn *conn,
                        MsrpChunk     *chunk)
{
  return conn_write (conn, chunk, FALSE);
}

gboolean
_msrp_relay_conn_forward (MsrpRelayConn *conn,
                          MsrpChunk     *chunk)
{
  return conn_write (conn, chunk, TRUE);
}

/* Lets the writes held back since relay_hold() go out, one write a
 * connection. Their callbacks may run (and close connections) in here. */
static void
relay_release (MsrpRelay *self)
{
  self->holding = FALSE;
  while (self->held != NULL)
    {
      MsrpRelayConn *conn = self->held;

      self->held = conn->held_next;
      conn->held_next = NULL;
      conn->held = FALSE;
      _msrp_transport_release_writes (conn->transport);
      _msrp_relay_conn_unref (conn);
    }
}

GSocketConnection *
_msrp_relay_conn_get_socket (MsrpRelayConn *conn)
{
  g_autoptr(GIOStream) base = NULL;
  GIOStream *stream = conn->stream;

  if (G_IS_TLS_CONNECTION (stream))
    {
      g_object_get (stream, "base-io-stream", &base, NULL);
      stream = base;
    }
  return G_IS_SOCKET_CONNECTION (stream) ? G_SOCKET_CONNECTION (stream) : NULL;
}

/* Closing */

void
_msrp_relay_conn_close (MsrpRelayConn *conn,
                        const char    *reason)
{
  MsrpRelay *self = conn->relay;
  gboolean had_sessions;

  if (self == NULL)
    return;

  g_debug ("relay: closing connection %p: %s", conn, reason);
  _msrp_relay_routes_changed (self);
  _msrp_relay_conn_ref (conn);
  conn->relay = NULL;
  conn->state = MSRP_RELAY_CONN_CLOSED;
  if (conn->cancellable != NULL)
    g_cancellable_cancel (conn->cancellable);
  _msrp_poller_timer_clear (&conn->timer);
  if (conn->lconn != NULL)
    _msrp_listener_conn_release (g_steal_pointer (&conn->lconn));
  _msrp_poller_timer_clear (&conn->idle_timer);

  had_sessions = _msrp_relay_auth_conn_closed (self, conn);
  if (conn->key != NULL && g_hash_table_lookup (self->outgoing, conn->key) == conn)
    g_hash_table_remove (self->outgoing, conn->key);
  _msrp_relay_forward_conn_closed (self, conn);
  g_clear_pointer (&conn->last_out, _msrp_relay_conn_unref);

  if (conn->blocked_on != NULL)
    {
      MsrpRelayConn *other = g_steal_pointer (&conn->blocked_on);

      if (other->waiters != NULL && g_ptr_array_remove (other->waiters, conn))
        {
          _msrp_relay_conn_unref (conn);
          if (other->waiters->len == 0)
            g_clear_pointer (&other->waiters, g_ptr_array_unref);
        }
      _msrp_relay_conn_unref (other);
    }
  conn_wake_waiters (conn);

  /* Its pending read is dropped here, not failed a turn later. */
  if (conn->reading && _msrp_transport_cancel_read (conn->transport))
    {
      conn->reading = FALSE;
      _msrp_relay_conn_unref (conn);
    }
  if (conn->transport != NULL)
    {
      /* The transport may outlive the connection. */
      _msrp_transport_set_idle_func (conn->transport, NULL, NULL);
      msrp_transport_close_async (conn->transport, NULL, NULL, NULL);
    }
  else if (conn->stream != NULL && !conn->busy)
    g_io_stream_close_async (conn->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  /* else the connect callback closes it */

  g_hash_table_remove (self->connections, conn);
  if (had_sessions)
    _msrp_relay_notify_n_sessions (self);
  _msrp_relay_conn_unref (conn);
}

static void
on_conn_timeout (gpointer user_data)
{
  MsrpRelayConn *conn = user_data;

  _msrp_relay_conn_close (conn, "could not connect in time");
}

static void
on_idle_check (gpointer user_data)
{
  MsrpRelayConn *conn = user_data;
  MsrpRelay *self = conn->relay;
  gint64 idle = g_get_monotonic_time () - conn->last_activity;

  if (self == NULL)
    return;
  if (conn->sessions->len > 0 || !g_queue_is_empty (&conn->pending_order) ||
      conn->queued > 0 || idle < (gint64) self->idle_timeout * G_USEC_PER_SEC)
    {
      _msrp_poller_timer_start_seconds (conn->idle_timer, self->idle_timeout);
      return;
    }
  _msrp_relay_conn_close (conn, "idle, with no session");
}

/* Connections' timers are on the context's one timer queue: a GSource
 * each would be walked on every main loop iteration. */
static void
conn_start_idle_watch (MsrpRelayConn *conn)
{
  conn->last_activity = g_get_monotonic_time ();
  if (conn->idle_timer == NULL)
    conn->idle_timer = _msrp_poller_timer_new (conn->relay->context, G_PRIORITY_DEFAULT, on_idle_check, conn);
  _msrp_poller_timer_start_seconds (conn->idle_timer, conn->relay->idle_timeout);
}

static void
conn_start_timer (MsrpRelayConn *conn)
{
  if (conn->timer == NULL)
    conn->timer = _msrp_poller_timer_new (conn->relay->context, G_PRIORITY_DEFAULT, on_conn_timeout, conn);
  _msrp_poller_timer_start_seconds (conn->timer, conn->relay->response_timeout);
}

/* Outgoing connections */

static gboolean
on_outgoing_accept_certificate (GTlsConnection       *tls,
                                GTlsCertificate      *peer_cert,
                                GTlsCertificateFlags  errors,
                                gpointer              user_data)
{
  /* The peer's identity is checked end to end (SDP fingerprint); a hop
   * is a hop. */
  return TRUE;
}

static void
on_client_event (GSocketClient      *client,
                 GSocketClientEvent  event,
                 GSocketConnectable *connectable,
                 GIOStream          *connection,
                 gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_CONNECTED)
    _msrp_connector_set_no_delay (G_SOCKET_CONNECTION (connection));
  else if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    {
      g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (connection), FALSE);
      g_signal_connect (connection, "accept-certificate",
                        G_CALLBACK (on_outgoing_accept_certificate), NULL);
    }
}

static void
on_transport_idle (MsrpTransport *transport,
                   gpointer       user_data)
{
  _msrp_relay_forward_conn_idle (user_data);
}

static void
conn_open (MsrpRelayConn *conn,
           GPtrArray     *local_path,
           GPtrArray     *remote_path)
{
  conn->transport = g_object_new (MSRP_TYPE_TRANSPORT, "stream", conn->stream, NULL);
  _msrp_transport_set_idle_func (conn->transport, on_transport_idle, conn);
  msrp_transport_set_logger (conn->transport, conn->relay->logger);
  if (local_path != NULL && remote_path != NULL)
    {
      _msrp_transport_set_paths (conn->transport, local_path, remote_path);
      conn->paths_set = TRUE;
    }
  conn->state = MSRP_RELAY_CONN_OPEN;
  conn_start_idle_watch (conn);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  MsrpRelayConn *conn = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) remote = NULL;

  GMainContext *context = _msrp_relay_push_context (conn->relay);

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  conn->busy = FALSE;
  if (conn->relay == NULL)
    {
      if (connection != NULL)
        g_io_stream_close_async (G_IO_STREAM (connection), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
    }
  else if (connection == NULL)
    _msrp_relay_conn_close (conn, error->message);
  else
    {
      g_debug ("relay: connected to %s", conn->key);
      _msrp_poller_timer_clear (&conn->timer);
      conn->stream = G_IO_STREAM (g_steal_pointer (&connection));
      remote = _msrp_path_new_single (conn->next_hop);
      conn_open (conn, remote, remote);

      _msrp_relay_send_queued (conn);
      _msrp_relay_conn_continue (conn);
    }
  _msrp_relay_conn_unref (conn);
  _msrp_relay_pop_context (context);
}

MsrpRelayConn *
_msrp_relay_get_outgoing (MsrpRelay *self,
                          MsrpUri   *uri)
{
  g_autofree char *host = g_ascii_strdown (msrp_uri_get_host (uri), -1);
  guint port = msrp_uri_get_port (uri) ? msrp_uri_get_port (uri) : MSRP_DEFAULT_PORT;
  g_autofree char *key = g_strdup_printf ("%s://%s:%u", msrp_uri_get_use_tls (uri) ? "msrps" : "msrp",
                                          host, port);
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  MsrpRelayConn *conn;

  conn = g_hash_table_lookup (self->outgoing, key);
  if (conn != NULL)
    return conn;

  g_debug ("relay: connecting to %s", key);
  conn = conn_new (self);
  conn->key = g_steal_pointer (&key);
  conn->next_hop = g_object_ref (uri);
  conn->state = MSRP_RELAY_CONN_CONNECTING;
  conn->busy = TRUE;
  g_hash_table_insert (self->outgoing, conn->key, conn);

  client = g_socket_client_new ();
  g_signal_connect (client, "event", G_CALLBACK (on_client_event), NULL);
  if (msrp_uri_get_use_tls (uri))
    g_socket_client_set_tls (client, TRUE);
  connectable = _msrp_uri_to_connectable (uri);
  conn_start_timer (conn);
  /* Only an outgoing connection has a cancellable: an accepted one has
   * nothing to cancel. */
  conn->cancellable = g_cancellable_new ();
  g_socket_client_connect_async (client, connectable, conn->cancellable, on_connected, _msrp_relay_conn_ref (conn));
  return conn;
}

/* Reading */

/* The connection whose write queue is too long for @conn to read on: its
 * own, or that of where its last request went; NULL when it may read.
 * Its own counts without what others forwarded to it: their senders wait
 * for that (as its last_out), and reading it is what takes in the
 * responses to those requests, which would otherwise pile up as pending
 * (a file through the relay then gets 413 once its sender refills the
 * queue before each read). */
static MsrpRelayConn *
conn_blocker (MsrpRelayConn *conn)
{
  if (conn->queued - conn->forwarded > HIGH_WATER)
    return conn;
  if (conn->last_out != NULL && conn->last_out->relay != NULL && conn->last_out->queued > HIGH_WATER)
    return conn->last_out;
  return NULL;
}

static gboolean
conn_may_read (MsrpRelayConn *conn)
{
  return conn->relay != NULL && conn->state == MSRP_RELAY_CONN_OPEN && !conn->reading &&
         conn->blocked_on == NULL && conn->auth_delay == NULL && conn->parked == NULL;
}

static void
conn_handle (MsrpRelayConn *conn,
             MsrpChunk     *chunk)
{
  if (msrp_chunk_is_request (chunk))
    _msrp_relay_handle_request (conn, chunk);
  else
    _msrp_relay_handle_response (conn, chunk);
}

static void
on_read (MsrpTransport *transport,
         MsrpChunk     *read,
         GError        *error,
         gpointer       user_data)
{
  MsrpRelayConn *conn = user_data;
  MsrpRelay *self = conn->relay;
  g_autoptr(MsrpChunk) chunk = read;
  GMainContext *context = _msrp_relay_push_context (self);

  conn->reading = FALSE;
  conn->last_activity = g_get_monotonic_time ();
  if (self == NULL)
    ;
  else if (chunk == NULL)
    _msrp_relay_conn_close (conn, error->message);
  else
    {
      /* What this read brought is forwarded in one go, a main-loop turn
       * and a write a connection for all of it (not one each). */
      g_object_ref (self);
      self->holding = TRUE;
      conn_handle (conn, chunk);
      while (conn_may_read (conn) && conn_blocker (conn) == NULL)
        {
          g_autoptr(MsrpChunk) next = _msrp_transport_read_buffered (conn->transport, SEGMENT_SIZE);

          if (next == NULL)
            break;
          conn_handle (conn, next);
        }
      _msrp_relay_conn_continue (conn);
      relay_release (self);
      g_object_unref (self);
    }
  g_clear_error (&error);
  _msrp_relay_conn_unref (conn);
  _msrp_relay_pop_context (context);
}

void
_msrp_relay_conn_admit (MsrpRelayConn *conn)
{
  /* From now on the idle timeout bounds it. A request answered 401 (or
   * 481) does not admit it: anyone can send one. */
  if (conn->lconn != NULL)
    _msrp_listener_conn_release (g_steal_pointer (&conn->lconn));
}

void
_msrp_relay_conn_continue (MsrpRelayConn *conn)
{
  MsrpRelayConn *blocker = NULL;

  if (!conn_may_read (conn))
    return;

  blocker = conn_blocker (conn);
  g_clear_pointer (&conn->last_out, _msrp_relay_conn_unref);

  if (blocker != NULL)
    {
      conn->blocked_on = _msrp_relay_conn_ref (blocker);
      if (blocker->waiters == NULL)
        blocker->waiters = g_ptr_array_new ();
      g_ptr_array_add (blocker->waiters, _msrp_relay_conn_ref (conn));
      return;
    }

  conn->reading = TRUE;
  _msrp_transport_read_with_callback (conn->transport, SEGMENT_SIZE, on_read, _msrp_relay_conn_ref (conn));
}

/* Incoming connections: the listener bounds them until they are
 * admitted. */

static void
on_listener_accepted (MsrpListenerConn *lconn,
                      GIOStream        *stream,
                      gpointer          user_data)
{
  MsrpRelayListener *listener = user_data;
  MsrpRelayConn *conn;

  GMainContext *context = _msrp_relay_push_context (listener->relay);

  conn = conn_new (listener->relay);
  conn->listener = listener;
  listener->ref_count++;
  conn->lconn = lconn;
  _msrp_listener_conn_set_data (lconn, conn);
  g_debug ("relay: new connection %p", conn);
  conn->stream = g_object_ref (stream);
  conn_open (conn, NULL, NULL);
  _msrp_relay_conn_continue (conn);
  _msrp_relay_pop_context (context);
}

static void
on_listener_drop (MsrpListenerConn *lconn,
                  gpointer          conn_data,
                  const char       *reason,
                  gpointer          user_data)
{
  MsrpRelayListener *listener = user_data;
  GMainContext *context = _msrp_relay_push_context (listener->relay);

  _msrp_relay_conn_close (conn_data, reason);
  _msrp_relay_pop_context (context);
}

static const MsrpListenerFuncs listener_funcs = {
  .accepted = on_listener_accepted,
  .drop = on_listener_drop,
};

/* Listening */

static void
listener_unref (MsrpRelayListener *listener)
{
  if (--listener->ref_count > 0)
    return;
  g_clear_object (&listener->uri);
  g_clear_object (&listener->soup);
  g_clear_pointer (&listener->upgrading, g_hash_table_unref);
  g_free (listener);
}

static void
listener_apply_limits (MsrpRelayListener *listener,
                       MsrpRelay         *self)
{
  _msrp_listener_set_limits (listener->helper, &self->limits);
}

void
_msrp_relay_apply_limits (MsrpRelay *self)
{
  for (guint i = 0; i < self->listeners->len; i++)
    listener_apply_limits (g_ptr_array_index (self->listeners, i), self);
}

static void
listener_stop (gpointer data)
{
  MsrpRelayListener *listener = data;

  listener->relay = NULL;
  _msrp_listener_stop (listener->helper);
  g_clear_pointer (&listener->helper, _msrp_listener_unref);
  if (listener->soup != NULL)
    soup_server_disconnect (listener->soup);
  if (listener->upgrading != NULL)
    g_hash_table_remove_all (listener->upgrading);
  listener_unref (listener);
}

/* A listening socket of the relay on @host (an address, or NULL for
 * all) and @port (0: any free one, put in @real_port), with the relay's
 * certificate when @use_tls and its limits. */
static MsrpRelayListener *
listener_new (MsrpRelay                  *self,
              const MsrpListenerFuncs    *funcs,
              const char                 *host,
              guint16                     port,
              gboolean                    use_tls,
              guint16                    *real_port,
              GError                    **error)
{
  gboolean is_ip = host != NULL && g_hostname_is_ip_address (host);
  MsrpRelayListener *listener = g_new0 (MsrpRelayListener, 1);

  *real_port = port;
  listener->ref_count = 1;  /* the relay's */
  listener->helper = _msrp_listener_new (self->context, funcs, listener);
  if (!_msrp_listener_listen (listener->helper, is_ip ? host : NULL, port, real_port, error))
    {
      _msrp_listener_unref (listener->helper);
      g_free (listener);
      return NULL;
    }
  if (use_tls)
    _msrp_listener_set_tls_certificate (listener->helper, self->tls_certificate);
  listener_apply_limits (listener, self);
  return listener;
}

MsrpUri *
_msrp_relay_listen (MsrpRelay   *self,
                    const char  *host,
                    guint16      port,
                    gboolean     use_tls,
                    GError     **error)
{
  MsrpRelayListener *listener;
  guint16 real_port;

  listener = listener_new (self, &listener_funcs, host, port, use_tls, &real_port, error);
  if (listener == NULL)
    return NULL;

  listener->relay = self;
  listener->uri = g_object_new (MSRP_TYPE_URI,
                                "host", host ? host : "localhost",
                                "port", real_port,
                                "transport", "tcp",
                                "use-tls", use_tls,
                                NULL);
  g_ptr_array_add (self->listeners, listener);
  g_debug ("relay: listening as %s", _msrp_uri_peek_string (listener->uri));
  _msrp_listener_start (listener->helper);

  return g_object_ref (listener->uri);
}

/* WebSocket listeners (RFC 7977): the helper accepts (with its limits of
 * pending connections and TLS), the SoupServer upgrades; a connection is
 * pending from its accept until it authenticates, as on TCP, so a client
 * that never finishes the upgrade is dropped as one that never speaks. */

/* The peer's address and port: which upgrade a connection is. (GLib
 * 2.74's g_socket_connectable_to_string() leaks here.) */
static char *
peer_key (GSocketAddress *address)
{
  g_autofree char *ip = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("");
  ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  return g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

static void
on_ws_accepted (MsrpListenerConn *lconn,
                GIOStream        *stream,
                gpointer          user_data)
{
  MsrpRelayListener *listener = user_data;
  GMainContext *context = _msrp_relay_push_context (listener->relay);
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;
  GSocketConnection *socket;
  MsrpRelayConn *conn;

  conn = conn_new (listener->relay);
  conn->listener = listener;
  listener->ref_count++;
  conn->lconn = lconn;
  _msrp_listener_conn_set_data (lconn, conn);
  conn->stream = g_object_ref (stream);
  conn->state = MSRP_RELAY_CONN_CONNECTING;
  g_debug ("relay: new WebSocket connection %p", conn);

  socket = _msrp_relay_conn_get_socket (conn);
  if (socket != NULL)
    {
      local = g_socket_connection_get_local_address (socket, NULL);
      remote = g_socket_connection_get_remote_address (socket, NULL);
    }
  g_hash_table_replace (listener->upgrading, peer_key (remote), _msrp_relay_conn_ref (conn));
  if (!soup_server_accept_iostream (listener->soup, stream, local, remote, &error))
    _msrp_relay_conn_close (conn, error->message);
  _msrp_relay_pop_context (context);
}

static void
on_ws_drop (MsrpListenerConn *lconn,
            gpointer          conn_data,
            const char       *reason,
            gpointer          user_data)
{
  MsrpRelayListener *listener = user_data;
  GMainContext *context = _msrp_relay_push_context (listener->relay);
  GHashTableIter iter;
  gpointer value;

  /* Closed below: it is not waiting for its upgrade any more. */
  g_hash_table_iter_init (&iter, listener->upgrading);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == conn_data)
      {
        g_hash_table_iter_remove (&iter);
        break;
      }
  _msrp_relay_conn_close (conn_data, reason);
  _msrp_relay_pop_context (context);
}

static const MsrpListenerFuncs ws_listener_funcs = {
  .accepted = on_ws_accepted,
  .drop = on_ws_drop,
};

static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  MsrpRelayListener *listener = user_data;
  g_autofree char *key = peer_key (soup_server_message_get_remote_address (msg));
  g_autofree char *stolen_key = NULL;
  GMainContext *context;
  MsrpRelayConn *conn = NULL;

  if (listener->relay == NULL ||
      !g_hash_table_steal_extended (listener->upgrading, key, (gpointer *) &stolen_key, (gpointer *) &conn) ||
      conn->relay == NULL)
    {
      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      g_clear_pointer (&conn, _msrp_relay_conn_unref);
      return;
    }
  context = _msrp_relay_push_context (listener->relay);
  g_debug ("relay: connection %p upgraded to a WebSocket", conn);
  conn->transport = _msrp_transport_new_for_websocket (ws, NULL, NULL);
  _msrp_transport_set_idle_func (conn->transport, on_transport_idle, conn);
  msrp_transport_set_logger (conn->transport, conn->relay->logger);
  conn->state = MSRP_RELAY_CONN_OPEN;
  conn_start_idle_watch (conn);
  _msrp_relay_conn_continue (conn);
  _msrp_relay_conn_unref (conn);
  _msrp_relay_pop_context (context);
}

/* The upgrade is a GET without a body. Whatever body an unauthenticated
 * client sends instead is dropped as it comes: SoupServer would otherwise
 * keep all of it until the request ends. */
static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
}

MsrpUri *
_msrp_relay_listen_websocket (MsrpRelay   *self,
                              const char  *host,
                              guint16      port,
                              gboolean     use_tls,
                              GError     **error)
{
  MsrpRelayListener *listener;
  guint16 real_port;
  GMainContext *context;

  listener = listener_new (self, &ws_listener_funcs, host, port, use_tls, &real_port, error);
  if (listener == NULL)
    return NULL;

  /* Its sources go to the relay's context. */
  context = _msrp_relay_push_context (self);
  listener->soup = soup_server_new ("server-header", "msrp-glib", NULL);
  g_signal_connect (listener->soup, "request-started", G_CALLBACK (on_request_started), NULL);
  _msrp_websocket_server_add_handler (listener->soup, NULL, on_websocket, listener, NULL);
  _msrp_relay_pop_context (context);
  listener->upgrading = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) _msrp_relay_conn_unref);

  listener->relay = self;
  listener->uri = g_object_new (MSRP_TYPE_URI,
                                "host", host ? host : "localhost",
                                "port", real_port,
                                "transport", "ws",
                                "use-tls", use_tls,
                                NULL);
  g_ptr_array_add (self->listeners, listener);
  g_debug ("relay: listening for WebSockets as %s", _msrp_uri_peek_string (listener->uri));
  _msrp_listener_start (listener->helper);

  return g_object_ref (listener->uri);
}

MsrpUri *
_msrp_relay_session_base_uri (MsrpRelay         *self,
                              MsrpRelayListener *listener)
{
  MsrpUri *fallback = NULL;

  if (listener->soup == NULL)
    return listener->uri;
  for (guint i = 0; i < self->listeners->len; i++)
    {
      MsrpRelayListener *other = g_ptr_array_index (self->listeners, i);

      if (other->soup != NULL)
        continue;
      if (msrp_uri_get_use_tls (other->uri) == msrp_uri_get_use_tls (listener->uri))
        return other->uri;
      if (fallback == NULL)
        fallback = other->uri;
    }
  return fallback != NULL ? fallback : listener->uri;
}

void
_msrp_relay_connections_init (MsrpRelay *self)
{
  self->listeners = g_ptr_array_new_with_free_func (listener_stop);
  self->connections = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) _msrp_relay_conn_unref, NULL);
  self->outgoing = g_hash_table_new (g_str_hash, g_str_equal);
}
