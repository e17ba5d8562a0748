/* msrp-listener.c: the accepting side that MsrpServer, MsrpRelay and
 * MsrpAcceptorDirect share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gnetworking.h>

#include "msrp-listener-private.h"
#include "msrp-connector-private.h"
#include "msrp-utils-private.h"
#include "msrp-poller-private.h"

/* Until its owner releases a connection (it has read its first request,
 * or for a relay the connection has authenticated), anyone can open it,
 * so what it may hold is bounded:
 *
 * - in time: it must be released within the first-request timeout (TLS
 *   handshake included);
 * - in number: past the limit, the oldest pending connection is closed for
 *   the new one, so that idle connections cannot keep real peers out;
 * - per peer address (IPv6: per /64), so that one host cannot take every
 *   place;
 * - TLS: glib-networking runs a server handshake in a thread of GTask's
 *   pool, blocked on the socket. The handshake starts only once the
 *   ClientHello has begun to arrive, so silent connections take no
 *   thread; at most max-handshakes run at once, the others wait in line
 *   (those whose whole first TLS record has come first: a real peer sends
 *   its ClientHello at once), and one that has run for HANDSHAKE_GRACE_MS
 *   while others wait is cancelled for them (a real handshake takes a few
 *   round trips). */

/* A handshake older than this gives its place to a waiting one. */
#define HANDSHAKE_GRACE_MS 2000

/* Retrying a failed accept: after a second, or when out of descriptors
 * (the listening socket stays readable, so accepting pauses) after a
 * back-off from 100 ms doubling to 2 s, or as soon as one of the
 * listener's connections has gone. */
#define ACCEPT_RETRY_MS 1000
#define ACCEPT_BACKOFF_MIN_MS 100
#define ACCEPT_BACKOFF_MAX_MS 2000

/* Out of descriptors, a pending connection this old gives its place. */
#define OUT_OF_FDS_EVICT_AGE_MS 1000

/* Running out of descriptors again this soon after is only a debug
 * message: a server at its limit could flood the log otherwise. */
#define FD_WARNING_INTERVAL_US (60 * G_USEC_PER_SEC)

/* Tells the listener that one of its connections has gone, while it
 * waits for a descriptor. Each accepted socket holds a weak reference
 * with a reference on this: the last unref of a socket may come in
 * another thread (a TLS handshake's), or after the listener. */
typedef struct {
  gatomicrefcount ref_count;
  int waiting;                 /* atomic: out of descriptors */
  GMainContext *context;
  MsrpListener *listener;      /* in the context only; NULL once stopped */
} FdWatch;

typedef enum {
  LCONN_WAITING,      /* TLS: until the ClientHello begins to arrive */
  LCONN_QUEUED,       /* TLS: until a handshake may start */
  LCONN_HANDSHAKING,
  LCONN_HANDED,       /* the owner's, until it releases it */
} LConnState;

struct _MsrpListenerConn {
  guint ref_count;
  MsrpListener *listener;      /* NULL once no longer pending */
  LConnState state;
  GSocketConnection *connection;
  GTlsConnection *tls;
  GCancellable *cancellable;
  GSource *readable;
  char *address;
  gint64 accepted;             /* monotonic µs */
  gint64 handshake_started;
  GList link;                  /* in listener->pending */
  GList address_link;          /* in its address's queue */
  GList tls_link;              /* in listener->handshakes or ->queued */
  gpointer data;
};

struct _MsrpListener {
  guint ref_count;
  MsrpListenerFuncs funcs;
  gpointer user_data;
  GMainContext *context;
  GSocketListener *socket_listener;
  GCancellable *cancellable;
  GSource *retry_source;
  FdWatch *fd_watch;
  MsrpPoller *poller;          /* held for the connections' transports */
  guint accept_backoff_ms;     /* 0 unless out of descriptors */
  guint backoff_min_ms;
  guint backoff_max_ms;
  guint n_out_of_fds;
  gint64 fd_warned;            /* monotonic µs, 0: never */
  GSource *timeout_source;     /* the first-request timeout of the oldest */
  GSource *slot_source;        /* the grace of the oldest handshake */
  gboolean started;
  GTlsCertificate *certificate;
  guint first_request_timeout;
  guint max_pending;
  guint max_per_address;
  guint max_handshakes;
  GQueue pending;              /* of MsrpListenerConn, oldest first */
  GHashTable *by_address;      /* address → GQueue of MsrpListenerConn */
  GQueue handshakes;           /* running, oldest first */
  GQueue queued;               /* waiting for a handshake, oldest first */
};

static void accept_next (MsrpListener *self);
static void fill_slots (MsrpListener *self);
static gboolean on_first_request_timeout (gpointer user_data);

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static GSource *
attach_timeout (MsrpListener *self,
                gint64        delay_ms,
                const char   *name,
                GSourceFunc   func)
{
  GSource *source = g_timeout_source_new (MAX (delay_ms, 0));

  g_source_set_static_name (source, name);
  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

char *
_msrp_listener_address_key_from_native (gconstpointer native,
                                        gsize         len)
{
  const struct sockaddr *sa = native;
  char text[INET6_ADDRSTRLEN];
  const guint8 *bytes;

  if (len >= sizeof (struct sockaddr_in) && sa->sa_family == AF_INET)
    {
      inet_ntop (AF_INET, &((const struct sockaddr_in *) native)->sin_addr, text, sizeof text);
      return g_strdup (text);
    }
  if (len < sizeof (struct sockaddr_in6) || sa->sa_family != AF_INET6)
    return g_strdup ("");

  bytes = ((const struct sockaddr_in6 *) native)->sin6_addr.s6_addr;
  {
    static const guint8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

    if (memcmp (bytes, v4_mapped, sizeof v4_mapped) == 0)
      return g_strdup_printf ("%u.%u.%u.%u", bytes[12], bytes[13], bytes[14], bytes[15]);
  }
  return g_strdup_printf ("%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64",
                          bytes[0], bytes[1], bytes[2], bytes[3],
                          bytes[4], bytes[5], bytes[6], bytes[7]);
}

char *
_msrp_listener_address_key (GSocketConnection *connection)
{
  /* Asked of the kernel, not of the GSocket: g_socket_get_remote_address()
   * keeps the GSocketAddress it makes for the socket's life (some 300
   * bytes a connection). */
  struct sockaddr_storage storage;
  socklen_t len = sizeof storage;

  if (getpeername (g_socket_get_fd (g_socket_connection_get_socket (connection)),
                   (struct sockaddr *) &storage, &len) != 0)
    return g_strdup ("");
  return _msrp_listener_address_key_from_native (&storage, len);
}

/* Connections */

static MsrpListenerConn *
lconn_ref (MsrpListenerConn *lconn)
{
  lconn->ref_count++;
  return lconn;
}

static void
lconn_unref (MsrpListenerConn *lconn)
{
  if (--lconn->ref_count > 0)
    return;
  g_assert (lconn->listener == NULL && lconn->readable == NULL);
  g_clear_object (&lconn->connection);
  g_clear_object (&lconn->tls);
  g_clear_object (&lconn->cancellable);
  g_free (lconn->address);
  g_free (lconn);
}

/* No longer pending: out of every list. */
static void
lconn_unlink (MsrpListenerConn *lconn)
{
  MsrpListener *self = lconn->listener;
  GQueue *same;

  if (self == NULL)
    return;
  lconn->listener = NULL;
  destroy_source (&lconn->readable);
  g_queue_unlink (&self->pending, &lconn->link);
  same = g_hash_table_lookup (self->by_address, lconn->address);
  g_queue_unlink (same, &lconn->address_link);
  if (same->length == 0)
    g_hash_table_remove (self->by_address, lconn->address);
  if (lconn->state == LCONN_HANDSHAKING)
    g_queue_unlink (&self->handshakes, &lconn->tls_link);
  else if (lconn->state == LCONN_QUEUED)
    g_queue_unlink (&self->queued, &lconn->tls_link);
}

/* Closes a connection the owner does not have (yet); the caller fills
 * the handshake slot it may have freed. */
static void
lconn_close (MsrpListenerConn *lconn,
             const char       *reason)
{
  gboolean was_handshaking = lconn->state == LCONN_HANDSHAKING;

  g_assert (lconn->state != LCONN_HANDED);
  g_debug ("listener: closing connection %p from %s: %s", lconn, lconn->address, reason);
  lconn_unlink (lconn);
  g_cancellable_cancel (lconn->cancellable);
  /* A handshake's callback closes its connection. */
  if (!was_handshaking)
    g_io_stream_close_async (lconn->tls ? G_IO_STREAM (lconn->tls) : G_IO_STREAM (lconn->connection),
                             G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  lconn_unref (lconn);
}

/* Gives up on a pending connection. */
static void
lconn_evict (MsrpListenerConn *lconn,
             const char       *reason)
{
  MsrpListener *self = lconn->listener;

  if (lconn->state == LCONN_HANDSHAKING)
    {
      lconn_close (lconn, reason);
      fill_slots (self);
      return;
    }
  if (lconn->state != LCONN_HANDED)
    {
      lconn_close (lconn, reason);
      return;
    }
  g_debug ("listener: giving up on connection %p from %s: %s", lconn, lconn->address, reason);
  lconn_unlink (lconn);
  self->funcs.drop (lconn, lconn->data, reason, self->user_data);
}

static void
lconn_hand_over (MsrpListenerConn *lconn,
                 GIOStream        *stream)
{
  MsrpListener *self = lconn->listener;

  lconn->state = LCONN_HANDED;
  self->funcs.accepted (lconn, stream, self->user_data);
}

void
_msrp_listener_conn_set_data (MsrpListenerConn *lconn,
                              gpointer          conn_data)
{
  lconn->data = conn_data;
}

void
_msrp_listener_conn_release (MsrpListenerConn *lconn)
{
  g_return_if_fail (lconn->state == LCONN_HANDED);

  lconn_unlink (lconn);
  lconn_unref (lconn);
}

/* TLS */

gboolean
_msrp_tls_check_protocol_version (GTlsConnection  *tls,
                                  GError         **error)
{
  const char *name;

  /* GIO 2.74 cannot set a minimum version on one connection (only the
   * process-wide G_TLS_GNUTLS_PRIORITY can), so an older version is
   * refused once the handshake has told which one the peer chose. */
  switch (g_tls_connection_get_protocol_version (tls))
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:
      name = "SSL 3.0";
      break;
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:
      name = "TLS 1.0";
      break;
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:
      name = "TLS 1.1";
      break;
    default:
      return TRUE;
    }
  g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
               _("The MSRP peer negotiated %s, but MSRP needs TLS 1.2 or later: enable TLS 1.2 on the peer"),
               name);
  return FALSE;
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  MsrpListenerConn *lconn = user_data;
  MsrpListener *self = lconn->listener;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = g_tls_connection_handshake_finish (lconn->tls, result, &error);
  if (self == NULL)
    {
      /* Evicted, timed out or stopped meanwhile. */
      g_io_stream_close_async (G_IO_STREAM (lconn->tls), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      lconn_unref (lconn);
      return;
    }

  _msrp_listener_ref (self);
  g_queue_unlink (&self->handshakes, &lconn->tls_link);
  lconn->state = LCONN_WAITING;
  if (ok)
    ok = _msrp_tls_check_protocol_version (lconn->tls, &error);
  if (!ok)
    {
      if (self->funcs.handshake_failed != NULL)
        self->funcs.handshake_failed (lconn->tls, error, self->user_data);
      if (lconn->listener != NULL)
        lconn_close (lconn, error->message);
    }
  else
    lconn_hand_over (lconn, G_IO_STREAM (lconn->tls));
  if (self->socket_listener != NULL)
    fill_slots (self);
  _msrp_listener_unref (self);
  lconn_unref (lconn);
}

static void
start_handshake (MsrpListenerConn *lconn)
{
  MsrpListener *self = lconn->listener;
  g_autoptr(GError) error = NULL;
  GIOStream *tls;

  tls = g_tls_server_connection_new (G_IO_STREAM (lconn->connection), self->certificate, &error);
  if (tls == NULL)
    {
      lconn_close (lconn, error->message);
      return;
    }
  lconn->tls = G_TLS_CONNECTION (tls);
  /* MSRP's framing, not close_notify, tells a cut. */
  g_tls_connection_set_require_close_notify (lconn->tls, FALSE);
  if (self->funcs.tls_setup != NULL)
    self->funcs.tls_setup (lconn->tls, self->user_data);

  lconn->state = LCONN_HANDSHAKING;
  lconn->handshake_started = g_get_monotonic_time ();
  g_queue_push_tail_link (&self->handshakes, &lconn->tls_link);
  g_tls_connection_handshake_async (lconn->tls, G_PRIORITY_DEFAULT, lconn->cancellable,
                                    on_handshake, lconn_ref (lconn));
}

/* Whether the first TLS record (the ClientHello) has come whole, seen
 * without reading it. Anything else that has come (an end, bytes that are
 * not TLS) is as quick to deal with. */
static gboolean
lconn_hello_complete (MsrpListenerConn *lconn)
{
  GSocket *socket = g_socket_connection_get_socket (lconn->connection);
  gssize available = g_socket_get_available_bytes (socket);
  guint8 head[5];
  GInputVector vector = { head, sizeof head };
  gint flags = G_SOCKET_MSG_PEEK;

  if (available < (gssize) sizeof head)
    return available <= 0;
  if (g_socket_receive_message (socket, NULL, &vector, 1, NULL, NULL, &flags, NULL, NULL) < (gssize) sizeof head)
    return TRUE;
  return head[0] != 0x16 || available >= (gssize) sizeof head + ((head[3] << 8) | head[4]);
}

/* The next connection to start its handshake. */
static MsrpListenerConn *
pick_queued (MsrpListener *self)
{
  for (GList *l = self->queued.head; l != NULL; l = l->next)
    if (lconn_hello_complete (l->data))
      return l->data;
  return self->queued.head->data;
}

static gboolean
on_slot_timeout (gpointer user_data)
{
  MsrpListener *self = user_data;

  g_clear_pointer (&self->slot_source, g_source_unref);
  fill_slots (self);
  return G_SOURCE_REMOVE;
}

/* Starts the waiting handshakes there is room for, making room from
 * handshakes that have had their time. */
static void
fill_slots (MsrpListener *self)
{
  gint64 now = g_get_monotonic_time ();
  MsrpListenerConn *oldest;

  while (self->queued.length > 0)
    {
      if (self->handshakes.length >= self->max_handshakes)
        {
          oldest = self->handshakes.head->data;
          if (now - oldest->handshake_started < HANDSHAKE_GRACE_MS * 1000)
            break;
          lconn_close (oldest, "the TLS handshake took too long while others waited");
          continue;
        }
      oldest = pick_queued (self);
      g_queue_unlink (&self->queued, &oldest->tls_link);
      oldest->state = LCONN_WAITING;
      start_handshake (oldest);
    }

  destroy_source (&self->slot_source);
  if (self->queued.length > 0)
    {
      oldest = self->handshakes.head->data;
      self->slot_source = attach_timeout (self, HANDSHAKE_GRACE_MS - (now - oldest->handshake_started) / 1000,
                                          "[msrp] listener handshake grace", on_slot_timeout);
    }
}

static gboolean
on_readable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  MsrpListenerConn *lconn = user_data;
  MsrpListener *self = lconn->listener;

  g_clear_pointer (&lconn->readable, g_source_unref);
  lconn->state = LCONN_QUEUED;
  g_queue_push_tail_link (&self->queued, &lconn->tls_link);
  fill_slots (self);
  return G_SOURCE_REMOVE;
}

/* The first-request timeout */

static void
arm_timeout (MsrpListener *self)
{
  MsrpListenerConn *oldest;
  gint64 deadline;

  if (self->timeout_source != NULL || self->pending.length == 0)
    return;
  oldest = self->pending.head->data;
  deadline = oldest->accepted + (gint64) self->first_request_timeout * G_USEC_PER_SEC;
  self->timeout_source = attach_timeout (self, (deadline - g_get_monotonic_time () + 999) / 1000,
                                         "[msrp] listener first request", on_first_request_timeout);
}

static gboolean
on_first_request_timeout (gpointer user_data)
{
  MsrpListener *self = user_data;
  gint64 now = g_get_monotonic_time ();
  MsrpListenerConn *oldest;

  g_clear_pointer (&self->timeout_source, g_source_unref);
  _msrp_listener_ref (self);
  while (self->pending.length > 0)
    {
      oldest = self->pending.head->data;
      if (oldest->accepted + (gint64) self->first_request_timeout * G_USEC_PER_SEC > now)
        break;
      lconn_evict (oldest, "not released in time (no first request, or not authenticated)");
    }
  arm_timeout (self);
  _msrp_listener_unref (self);
  return G_SOURCE_REMOVE;
}

/* Accepting */

static FdWatch *
fd_watch_ref (FdWatch *watch)
{
  g_atomic_ref_count_inc (&watch->ref_count);
  return watch;
}

static void
fd_watch_unref (FdWatch *watch)
{
  if (!g_atomic_ref_count_dec (&watch->ref_count))
    return;
  g_main_context_unref (watch->context);
  g_free (watch);
}

static gboolean
on_fd_freed (gpointer user_data)
{
  FdWatch *watch = user_data;
  MsrpListener *self = watch->listener;

  /* Its descriptor is closed by now unless the socket's finalize runs in
   * another thread: then this accept fails, and the back-off goes on. */
  if (self != NULL && self->retry_source != NULL && self->accept_backoff_ms > 0)
    {
      g_debug ("listener: a connection has gone, accepting again");
      destroy_source (&self->retry_source);
      accept_next (self);
    }
  return G_SOURCE_REMOVE;
}

/* Any thread: an accepted socket is being finalized. */
static void
on_socket_gone (gpointer  user_data,
                GObject  *socket)
{
  FdWatch *watch = user_data;

  if (g_atomic_int_compare_and_exchange (&watch->waiting, TRUE, FALSE))
    {
      GSource *source = g_idle_source_new ();

      g_source_set_static_name (source, "[msrp] listener descriptor freed");
      g_source_set_callback (source, on_fd_freed, fd_watch_ref (watch), (GDestroyNotify) fd_watch_unref);
      g_source_attach (source, watch->context);
      g_source_unref (source);
    }
  fd_watch_unref (watch);
}

/* Out of descriptors: accepting pauses, with a warning when it starts. */
static void
pause_accepting (MsrpListener *self,
                 const GError *error)
{
  gint64 now = g_get_monotonic_time ();

  self->n_out_of_fds++;
  if (self->accept_backoff_ms == 0 &&
      (self->fd_warned == 0 || now - self->fd_warned >= FD_WARNING_INTERVAL_US))
    {
      g_message ("Accepting connections pauses until a descriptor is free: %s (raise the limit "
                 "of open files, e.g. with ulimit -n)", error->message);
      self->fd_warned = now;
    }
  self->accept_backoff_ms = CLAMP (self->accept_backoff_ms * 2, self->backoff_min_ms, self->backoff_max_ms);
  g_atomic_int_set (&self->fd_watch->waiting, TRUE);
}

static void
add_connection (MsrpListener      *self,
                GSocketConnection *connection)
{
  MsrpListenerConn *lconn = g_new0 (MsrpListenerConn, 1);
  GQueue *same;

  _msrp_connector_set_no_delay (connection);
  g_object_weak_ref (G_OBJECT (g_socket_connection_get_socket (connection)), on_socket_gone,
                     fd_watch_ref (self->fd_watch));
  lconn->ref_count = 1;  /* while pending, and then the owner's */
  lconn->connection = g_object_ref (connection);
  lconn->cancellable = g_cancellable_new ();
  lconn->address = _msrp_listener_address_key (connection);
  lconn->accepted = g_get_monotonic_time ();
  lconn->link.data = lconn->address_link.data = lconn->tls_link.data = lconn;

  /* Full: the oldest goes, so that idle connections cannot keep a new
   * peer out for long. */
  same = g_hash_table_lookup (self->by_address, lconn->address);
  if (same != NULL && same->length >= self->max_per_address)
    lconn_evict (same->head->data, "too many pending connections from its address");
  if (self->pending.length >= self->max_pending)
    lconn_evict (self->pending.head->data, "too many pending connections");

  same = g_hash_table_lookup (self->by_address, lconn->address);
  if (same == NULL)
    {
      same = g_queue_new ();
      g_hash_table_insert (self->by_address, g_strdup (lconn->address), same);
    }
  lconn->listener = self;
  g_queue_push_tail_link (&self->pending, &lconn->link);
  g_queue_push_tail_link (same, &lconn->address_link);
  arm_timeout (self);
  g_debug ("listener: new connection %p from %s (%u pending)", lconn, lconn->address, self->pending.length);

  if (self->certificate == NULL)
    {
      lconn_hand_over (lconn, G_IO_STREAM (connection));
      return;
    }
  lconn->state = LCONN_WAITING;
  lconn->readable = g_socket_create_source (g_socket_connection_get_socket (connection), G_IO_IN, NULL);
  g_source_set_static_name (lconn->readable, "[msrp] listener ClientHello");
  g_source_set_callback (lconn->readable, G_SOURCE_FUNC (on_readable), lconn, NULL);
  g_source_attach (lconn->readable, self->context);
}

static gboolean
on_accept_retry (gpointer user_data)
{
  MsrpListener *self = user_data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  accept_next (self);
  return G_SOURCE_REMOVE;
}

static void
on_incoming (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  MsrpListener *self = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  gint64 retry_ms = ACCEPT_RETRY_MS;

  connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);
  if (self->socket_listener == NULL)
    {
      /* Stopped meanwhile. */
      if (connection != NULL)
        g_io_stream_close_async (G_IO_STREAM (connection), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
    }
  else if (connection == NULL)
    {
      g_debug ("listener: accepting a connection failed: %s", error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES))
        {
          pause_accepting (self, error);
          retry_ms = self->accept_backoff_ms;
          /* One that has not even sent a request in a second goes (one
           * accepted just now has had no time to). */
          if (self->pending.length > 0 &&
              g_get_monotonic_time () - ((MsrpListenerConn *) self->pending.head->data)->accepted >=
              OUT_OF_FDS_EVICT_AGE_MS * 1000)
            {
              lconn_evict (self->pending.head->data, "out of file descriptors");
              retry_ms = self->backoff_min_ms;
            }
        }
      if (self->socket_listener != NULL)
        self->retry_source = attach_timeout (self, retry_ms, "[msrp] listener accept retry", on_accept_retry);
    }
  else
    {
      if (self->accept_backoff_ms > 0)
        {
          g_debug ("listener: accepting again");
          self->accept_backoff_ms = 0;
          g_atomic_int_set (&self->fd_watch->waiting, FALSE);
        }
      g_main_context_push_thread_default (self->context);
      accept_next (self);
      add_connection (self, connection);
      g_main_context_pop_thread_default (self->context);
    }
  _msrp_listener_unref (self);
}

static void
accept_next (MsrpListener *self)
{
  g_main_context_push_thread_default (self->context);
  g_socket_listener_accept_async (self->socket_listener, self->cancellable, on_incoming,
                                  _msrp_listener_ref (self));
  g_main_context_pop_thread_default (self->context);
}

/* The listener */

MsrpListener *
_msrp_listener_new (GMainContext            *context,
                    const MsrpListenerFuncs *funcs,
                    gpointer                 user_data)
{
  MsrpListener *self = g_new0 (MsrpListener, 1);

  self->ref_count = 1;
  self->funcs = *funcs;
  self->user_data = user_data;
  self->context = g_main_context_ref (context);
  self->cancellable = g_cancellable_new ();
  self->first_request_timeout = MSRP_LISTENER_FIRST_REQUEST_TIMEOUT;
  self->max_pending = MSRP_LISTENER_MAX_PENDING;
  self->max_per_address = MSRP_LISTENER_MAX_PENDING_PER_ADDRESS;
  self->max_handshakes = MSRP_LISTENER_MAX_HANDSHAKES;
  self->by_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_queue_free);
  self->backoff_min_ms = ACCEPT_BACKOFF_MIN_MS;
  self->backoff_max_ms = ACCEPT_BACKOFF_MAX_MS;
  self->fd_watch = g_new0 (FdWatch, 1);
  g_atomic_ref_count_init (&self->fd_watch->ref_count);
  self->fd_watch->context = g_main_context_ref (context);
  self->fd_watch->listener = self;
  self->poller = _msrp_poller_hold (context);
  return self;
}

MsrpListener *
_msrp_listener_ref (MsrpListener *self)
{
  self->ref_count++;
  return self;
}

void
_msrp_listener_unref (MsrpListener *self)
{
  if (--self->ref_count > 0)
    return;
  g_assert (self->pending.length == 0 && self->socket_listener == NULL);
  self->fd_watch->listener = NULL;
  g_clear_pointer (&self->fd_watch, fd_watch_unref);
  g_clear_pointer (&self->poller, _msrp_poller_release);
  g_clear_pointer (&self->by_address, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->certificate);
  g_free (self);
}

gboolean
_msrp_listener_listen (MsrpListener  *self,
                       const char    *address,
                       guint16        port,
                       guint16       *real_port,
                       GError       **error)
{
  g_autoptr(GSocketListener) socket_listener = g_socket_listener_new ();
  guint16 got = port;

  g_return_val_if_fail (self->socket_listener == NULL, FALSE);

  /* Many peers may connect at once (GIO listens with a backlog of 10). */
  g_socket_listener_set_backlog (socket_listener, SOMAXCONN);
  if (address != NULL)
    {
      g_autoptr(GSocketAddress) wanted = g_inet_socket_address_new_from_string (address, port);
      g_autoptr(GSocketAddress) effective = NULL;

      if (!g_socket_listener_add_address (socket_listener, wanted, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                          NULL, &effective, error))
        return FALSE;
      got = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
    }
  else if (port != 0)
    {
      if (!g_socket_listener_add_inet_port (socket_listener, port, NULL, error))
        return FALSE;
    }
  else
    {
      got = g_socket_listener_add_any_inet_port (socket_listener, NULL, error);
      if (got == 0)
        return FALSE;
    }

  self->socket_listener = g_steal_pointer (&socket_listener);
  if (real_port != NULL)
    *real_port = got;
  return TRUE;
}

void
_msrp_listener_start (MsrpListener *self)
{
  g_return_if_fail (self->socket_listener != NULL);

  if (self->started)
    return;
  self->started = TRUE;
  accept_next (self);
}

void
_msrp_listener_stop (MsrpListener *self)
{
  if (self->socket_listener == NULL)
    return;

  _msrp_listener_ref (self);
  g_cancellable_cancel (self->cancellable);
  g_socket_listener_close (self->socket_listener);
  g_clear_object (&self->socket_listener);
  destroy_source (&self->retry_source);
  destroy_source (&self->timeout_source);
  destroy_source (&self->slot_source);

  /* The owner's connections stay open, and the owner's to release. */
  while (self->pending.length > 0)
    {
      MsrpListenerConn *lconn = self->pending.head->data;

      if (lconn->state == LCONN_HANDED)
        lconn_unlink (lconn);
      else
        lconn_close (lconn, "the listener stops");
    }
  _msrp_listener_unref (self);
}

void
_msrp_listener_set_tls_certificate (MsrpListener    *self,
                                    GTlsCertificate *certificate)
{
  g_set_object (&self->certificate, certificate);
}

void
_msrp_listener_set_limits (MsrpListener             *self,
                           const MsrpListenerLimits *limits)
{
  guint seconds = limits->values[MSRP_LISTENER_LIMIT_FIRST_REQUEST_TIMEOUT];

  self->max_pending = MAX (limits->values[MSRP_LISTENER_LIMIT_MAX_PENDING], 1);
  self->max_per_address = MAX (limits->values[MSRP_LISTENER_LIMIT_MAX_PENDING_PER_ADDRESS], 1);
  if (self->first_request_timeout == seconds)
    return;
  self->first_request_timeout = seconds;
  /* Shorter: the oldest may be due now. */
  destroy_source (&self->timeout_source);
  if (self->socket_listener != NULL)
    arm_timeout (self);
}

void
_msrp_listener_set_max_handshakes (MsrpListener *self,
                                   guint         max_handshakes)
{
  self->max_handshakes = MAX (max_handshakes, 1);
}

void
_msrp_listener_set_accept_backoff (MsrpListener *self,
                                   guint         min_ms,
                                   guint         max_ms)
{
  self->backoff_min_ms = MAX (min_ms, 1);
  self->backoff_max_ms = MAX (max_ms, self->backoff_min_ms);
}

guint
_msrp_listener_get_n_out_of_fds (MsrpListener *self)
{
  return self->n_out_of_fds;
}

guint
_msrp_listener_get_n_pending (MsrpListener *self)
{
  return self->pending.length;
}

guint
_msrp_listener_get_n_handshakes (MsrpListener *self)
{
  return self->handshakes.length;
}

/* The limits' properties, in limit order: the ranges are the setters'
 * checks too. */
static const struct {
  const char *name;
  guint min, max, def;
} limit_props[MSRP_LISTENER_N_LIMITS] = {
  { "first-request-timeout", 1, G_MAXUINT / 1000, MSRP_LISTENER_FIRST_REQUEST_TIMEOUT },
  { "max-pending-connections", 1, G_MAXUINT, MSRP_LISTENER_MAX_PENDING },
  { "max-pending-per-address", 1, G_MAXUINT, MSRP_LISTENER_MAX_PENDING_PER_ADDRESS },
};

void
_msrp_listener_limits_make_param_specs (GParamSpec **pspecs)
{
  for (guint i = 0; i < MSRP_LISTENER_N_LIMITS; i++)
    pspecs[i] = g_param_spec_uint (limit_props[i].name, NULL, NULL,
                                   limit_props[i].min, limit_props[i].max, limit_props[i].def,
                                   G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

void
_msrp_listener_limits_init (MsrpListenerLimits *limits)
{
  for (guint i = 0; i < MSRP_LISTENER_N_LIMITS; i++)
    limits->values[i] = limit_props[i].def;
}

gboolean
_msrp_listener_limits_set (MsrpListenerLimits *limits,
                           MsrpListenerLimit   limit,
                           guint               value)
{
  g_return_val_if_fail (limit < MSRP_LISTENER_N_LIMITS, FALSE);
  g_return_val_if_fail (value >= limit_props[limit].min && value <= limit_props[limit].max, FALSE);

  if (limits->values[limit] == value)
    return FALSE;
  limits->values[limit] = value;
  return TRUE;
}
