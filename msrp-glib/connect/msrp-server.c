/* msrp-server.c: one listening socket shared by many sessions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "msrp-server-private.h"
#include "msrp-connector.h"
#include "msrp-connector-private.h"
#include "msrp-marshal.h"
#include "msrp-error.h"
#include "msrp-tls.h"
#include "msrp-transport-private.h"
#include "msrp-uri-private.h"
#include "msrp-utils-private.h"
#include "msrp-websocket-client-private.h"

/**
 * MsrpServer:
 *
 * The passive side of many direct connections at once, on one listening
 * socket (like the reference API's `MSRPServer`): each session gets its
 * own local URI on the same host and port, and the connections that come
 * in are told apart by their first request, the binding SEND (RFC 4975
 * section 8.1), whose To-Path names the session.
 *
 * 1. [method@Msrp.Server.prepare] starts listening the first time, and
 *    registers a local URI (with a fresh session-id) for the local SDP's
 *    `a=path`.
 * 2. [method@Msrp.Server.complete_for_uri_async] takes the peer's full
 *    path from its SDP and gives the transport once the peer has connected
 *    and bound that URI. [method@Msrp.Server.complete_async] waits instead
 *    for the connection that binds with the peer's path, whichever of the
 *    waiting URIs it binds.
 * 3. [method@Msrp.Server.cleanup] forgets the URI when the session ends or
 *    will not be completed.
 *
 * A peer may connect and bind before complete is called (its SDP answer
 * may come after its connection): the connection then waits, without an
 * answer, until complete checks it, or until
 * [property@Msrp.Server:bind-timeout] has passed. Several connections may
 * wait so for one URI (eight at most; one more is answered 506): complete
 * takes the first whose From-Path ends with the peer's URI, answers those
 * from other peers 481 at once, and the others 506 once it is bound.
 *
 * The binding SEND is answered as RFC 4975 says: 200 when it is accepted
 * (it is consumed, not handed to the application); 481 when its To-Path
 * names no registered URI, or when its From-Path does not end with the
 * peer URI that complete expects (the server then goes on waiting for the
 * right peer); 506 when the session is bound already; 501 or 400 for a
 * first request that is not a valid SEND, and 413 for a binding SEND with
 * a body larger than 64 KiB. The connection is closed after any error
 * answer, and so are connections that send data that cannot be framed.
 *
 * Connections that have not sent their binding SEND yet are bounded, so
 * that idle ones cannot pile up or keep real peers out: each must send it
 * within [property@Msrp.Server:first-request-timeout]; beyond
 * [property@Msrp.Server:max-pending-connections] of them, or
 * [property@Msrp.Server:max-pending-per-address] from one address, the
 * oldest is closed for the new one. A connection whose binding SEND came
 * waits for its complete until [property@Msrp.Server:bind-timeout].
 *
 * With a [property@Msrp.Server:tls-certificate] the URIs are `msrps:` and
 * every connection runs the TLS server side, asking the peer for its
 * certificate. The handshake starts when the peer's ClientHello arrives, a
 * few handshakes run at once (one that stalls gives its place to a
 * waiting one after two seconds), and peers that negotiate less than TLS
 * 1.2 are disconnected. Since the handshake comes before the binding SEND tells
 * which session the connection is for, the peer's certificate is checked
 * after the binding: against the fingerprint given to
 * [method@Msrp.Server.complete_for_uri_async], or else through
 * [signal@Msrp.Server::accept-certificate].
 *
 * The listening socket stays open, on the same port, until the server is
 * disposed, even when no URI is registered any more: later calls to
 * [method@Msrp.Server.prepare] reuse it.
 *
 * MsrpServer looks like a [class@Msrp.Connector] but differs where serving
 * many sessions on one socket calls for it, as the reference API's
 * `MSRPServer` does:
 *
 * - [method@Msrp.Server.prepare] is synchronous: it only binds the local
 *   socket (once) and makes up a URI, with nothing to wait for on the
 *   network, whereas a connector's prepare may connect to a relay first.
 * - [method@Msrp.Server.cleanup] names the URI to forget, since one server
 *   holds many; a connector holds one session and needs no argument.
 * - [property@Msrp.Server:bind-timeout] bounds only the wait for a peer to
 *   bind (the server never connects out), where a connector's
 *   [property@Msrp.Connector:timeout] bounds connecting, the TLS handshake
 *   and binding together.
 *
 * One server, one port, a session per call:
 *
 * ```c
 * static void
 * on_bound (GObject *source, GAsyncResult *result, gpointer user_data)
 * {
 *   g_autoptr(GError) error = NULL;
 *   g_autoptr(MsrpTransport) transport =
 *     msrp_server_complete_finish (MSRP_SERVER (source), result, &error);
 *
 *   if (transport != NULL)
 *     start_session (msrp_session_new (transport, NULL));
 * }
 *
 * MsrpServer *server = msrp_server_new ();
 * g_autoptr(GError) error = NULL;
 * g_autoptr(GPtrArray) local_path = msrp_server_prepare (server, NULL, &error);
 * g_autofree char *a_path = msrp_path_to_string (local_path);  // for the SDP
 *
 * // once the peer's SDP has given its a=path:
 * msrp_server_complete_async (server, remote_path, NULL, on_bound, NULL);
 * ```
 *
 * Since: 1.0
 */

enum {
  PROP_0,
  PROP_BIND_TIMEOUT,
  PROP_TLS_CERTIFICATE,
  PROP_LOGGER,
  PROP_USE_SESSMATCH,
  PROP_FIRST_REQUEST_TIMEOUT,    /* the listener limits, in their order */
  PROP_MAX_PENDING_CONNECTIONS,
  PROP_MAX_PENDING_PER_ADDRESS,
  N_PROPS
};

#define PROP_LIMIT(limit) (PROP_FIRST_REQUEST_TIMEOUT + (limit))
#define LIMIT_OF_PROP(prop_id) ((MsrpListenerLimit) ((prop_id) - PROP_FIRST_REQUEST_TIMEOUT))

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_ACCEPT_CERTIFICATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (MsrpServer, msrp_server, G_TYPE_OBJECT)

/* Stores a listener limit, gives it to the listener, and notifies. */
static void
set_limit (MsrpServer        *self,
           MsrpListenerLimit  limit,
           guint              value)
{
  if (!_msrp_listener_limits_set (&self->limits, limit, value))
    return;
  if (self->listener != NULL)
    _msrp_listener_set_limits (self->listener, &self->limits);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT (limit)]);
}

/* Paths */

/* The registered session a URI names, matched as the To-Path of a binding
 * SEND is. */
MsrpServerSession *
_msrp_server_lookup_session (MsrpServer *self,
                             MsrpUri    *uri)
{
  const char *id = msrp_uri_get_session_id (uri);
  MsrpServerSession *session;

  if (id == NULL)
    return NULL;
  session = g_hash_table_lookup (self->sessions, id);
  if (session == NULL || (!self->use_sessmatch && !msrp_uri_equal (uri, session->uri)))
    return NULL;
  return session;
}

gboolean
_msrp_server_accept_certificate (MsrpServer           *self,
                                 GTlsCertificate      *peer,
                                 GTlsCertificateFlags  errors,
                                 MsrpUri              *local_uri)
{
  gboolean accept = TRUE;

  if (g_signal_has_handler_pending (self, signals[SIGNAL_ACCEPT_CERTIFICATE], 0, TRUE))
    g_signal_emit (self, signals[SIGNAL_ACCEPT_CERTIFICATE], 0, peer, errors, local_uri, &accept);
  return accept;
}

MsrpListener *
_msrp_server_peek_listener (MsrpServer *server)
{
  return server->listener;
}

/* Listening */

static gboolean
start_listening (MsrpServer  *self,
                 const char  *address,
                 guint        port,
                 GError     **error)
{
  MsrpListener *listener = _msrp_listener_new (self->context, &_msrp_server_listener_funcs, self);
  guint16 real_port;

  if (!_msrp_listener_listen (listener, address, port, &real_port, error))
    {
      _msrp_listener_unref (listener);
      return FALSE;
    }
  _msrp_listener_set_tls_certificate (listener, self->tls_certificate);
  _msrp_listener_set_limits (listener, &self->limits);

  g_debug ("server: listening on %s port %u", address ? address : "every address", real_port);
  self->listener = listener;
  self->listen_host = g_strdup (address);
  self->listen_port = real_port;
  _msrp_listener_start (listener);
  return TRUE;
}

static gboolean
same_address (const char *a,
              const char *b)
{
  g_autoptr(GInetAddress) ia = g_inet_address_new_from_string (a);
  g_autoptr(GInetAddress) ib = g_inet_address_new_from_string (b);

  return ia != NULL && ib != NULL && g_inet_address_equal (ia, ib);
}

/* GObject */

static void
msrp_server_dispose (GObject *object)
{
  MsrpServer *self = MSRP_SERVER (object);
  GList *sessions, *conns;

  g_cancellable_cancel (self->cancellable);
  if (self->listener != NULL)
    _msrp_listener_stop (self->listener);

  /* Stolen first: failing a complete runs its callback. */
  sessions = g_hash_table_get_values (self->sessions);
  g_hash_table_steal_all (self->sessions);
  g_list_free_full (sessions, _msrp_server_session_free);
  while (!g_queue_is_empty (&self->waiters))
    _msrp_server_waiter_fail (g_queue_peek_head (&self->waiters),
                              g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                   _("The MSRP server was disposed before a peer bound a session")));

  conns = g_hash_table_get_keys (self->connections);
  for (GList *l = conns; l != NULL; l = l->next)
    _msrp_server_conn_drop (l->data, "the server is disposed");
  g_list_free (conns);
  g_clear_pointer (&self->listener, _msrp_listener_unref);

  G_OBJECT_CLASS (msrp_server_parent_class)->dispose (object);
}

static void
msrp_server_finalize (GObject *object)
{
  MsrpServer *self = MSRP_SERVER (object);

  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->ws_by_address, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->listen_host, g_free);
  g_clear_object (&self->tls_certificate);
  g_clear_object (&self->logger);

  G_OBJECT_CLASS (msrp_server_parent_class)->finalize (object);
}

static void
msrp_server_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  MsrpServer *self = MSRP_SERVER (object);

  switch (prop_id)
    {
    case PROP_BIND_TIMEOUT:
      g_value_set_uint (value, self->bind_timeout);
      break;
    case PROP_TLS_CERTIFICATE:
      g_value_set_object (value, self->tls_certificate);
      break;
    case PROP_LOGGER:
      g_value_set_object (value, self->logger);
      break;
    case PROP_USE_SESSMATCH:
      g_value_set_boolean (value, self->use_sessmatch);
      break;
    case PROP_FIRST_REQUEST_TIMEOUT:
    case PROP_MAX_PENDING_CONNECTIONS:
    case PROP_MAX_PENDING_PER_ADDRESS:
      g_value_set_uint (value, self->limits.values[LIMIT_OF_PROP (prop_id)]);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_server_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  MsrpServer *self = MSRP_SERVER (object);

  switch (prop_id)
    {
    case PROP_BIND_TIMEOUT:
      msrp_server_set_bind_timeout (self, g_value_get_uint (value));
      break;
    case PROP_TLS_CERTIFICATE:
      msrp_server_set_tls_certificate (self, g_value_get_object (value));
      break;
    case PROP_LOGGER:
      msrp_server_set_logger (self, g_value_get_object (value));
      break;
    case PROP_USE_SESSMATCH:
      msrp_server_set_use_sessmatch (self, g_value_get_boolean (value));
      break;
    case PROP_FIRST_REQUEST_TIMEOUT:
    case PROP_MAX_PENDING_CONNECTIONS:
    case PROP_MAX_PENDING_PER_ADDRESS:
      set_limit (self, LIMIT_OF_PROP (prop_id), g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_server_class_init (MsrpServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = msrp_server_dispose;
  object_class->finalize = msrp_server_finalize;
  object_class->get_property = msrp_server_get_property;
  object_class->set_property = msrp_server_set_property;

  /**
   * MsrpServer:bind-timeout:
   *
   * Seconds allowed for a peer to bind a session: a pending
   * [method@Msrp.Server.complete_for_uri_async] fails with
   * %MSRP_ERROR_BIND_TIMEOUT when no peer bound the session that long after
   * it was called, and a connection is closed when it has not bound a
   * session (TLS handshake and binding SEND included) that long after it
   * was accepted.
   *
   * Since: 1.0
   */
  properties[PROP_BIND_TIMEOUT] =
    g_param_spec_uint ("bind-timeout", NULL, NULL, 1, G_MAXUINT / 1000, MSRP_DEFAULT_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpServer:tls-certificate:
   *
   * The server's certificate, with its private key. When set, the URIs
   * [method@Msrp.Server.prepare] gives are `msrps:` and every connection
   * uses TLS. Set it before the first prepare: URIs already given out keep
   * their scheme. [func@Msrp.tls_certificate_new_self_signed] makes one.
   *
   * Since: 1.0
   */
  properties[PROP_TLS_CERTIFICATE] =
    g_param_spec_object ("tls-certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpServer:logger:
   *
   * The logger given to the transports of the connections this server
   * accepts; it sees their traffic from the binding SEND on.
   *
   * Since: 1.0
   */
  properties[PROP_LOGGER] =
    g_param_spec_object ("logger", NULL, NULL, MSRP_TYPE_LOGGER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpServer:use-sessmatch:
   *
   * Whether binding SENDs, and then the chunks on the transports, are
   * matched to sessions by session-id only (RFC 6714 style), for peers
   * behind middleboxes that rewrite hosts and ports in `a=path`.
   *
   * Since: 1.0
   */
  properties[PROP_USE_SESSMATCH] =
    g_param_spec_boolean ("use-sessmatch", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpServer:first-request-timeout:
   *
   * Seconds a new connection has to send its binding SEND, TLS handshake
   * included; it is closed otherwise. Shorter than
   * [property@Msrp.Server:bind-timeout], so that connections that send
   * nothing cannot pile up. A connection that has sent its binding SEND
   * waits for its complete until the bind timeout.
   *
   * Since: 1.0
   */

  /**
   * MsrpServer:max-pending-connections:
   *
   * The largest number of pending connections: accepted, but without
   * their binding SEND yet. When a new connection comes with that many
   * pending, the oldest pending one is closed, so that idle connections
   * cannot keep real peers out.
   *
   * Since: 1.0
   */

  /**
   * MsrpServer:max-pending-per-address:
   *
   * The largest number of pending connections (see
   * [property@Msrp.Server:max-pending-connections]) from one IP address,
   * or one IPv6 /64 network: past it, the oldest of them is closed.
   *
   * Since: 1.0
   */
  /* The three listener limits above, made alike for servers and relays. */
  _msrp_listener_limits_make_param_specs (&properties[PROP_FIRST_REQUEST_TIMEOUT]);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MsrpServer::accept-certificate:
   * @server: the server
   * @peer_cert: (nullable): the peer's certificate, or %NULL when it
   *   presented none
   * @errors: the problems GIO found with it
   * @local_uri: the registered URI the connection bound
   *
   * Emitted when a TLS connection has bound a session for which
   * [method@Msrp.Server.complete_for_uri_async] was given no peer
   * fingerprint, to decide whether the peer may have it. Without a
   * handler every peer is accepted, as it would be without TLS: the
   * session's URI, with its random session-id, is what the peer must
   * know. A refused peer's connection is closed and the pending complete
   * fails with %G_TLS_ERROR_BAD_CERTIFICATE.
   *
   * Returns: %TRUE to accept the peer
   *
   * Since: 1.0
   */
  signals[SIGNAL_ACCEPT_CERTIFICATE] =
    g_signal_new ("accept-certificate", MSRP_TYPE_SERVER, G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, _msrp_marshal_BOOLEAN__OBJECT_FLAGS_OBJECT,
                  G_TYPE_BOOLEAN, 3, G_TYPE_TLS_CERTIFICATE, G_TYPE_TLS_CERTIFICATE_FLAGS, MSRP_TYPE_URI);
  g_signal_set_va_marshaller (signals[SIGNAL_ACCEPT_CERTIFICATE], MSRP_TYPE_SERVER,
                              _msrp_marshal_BOOLEAN__OBJECT_FLAGS_OBJECTv);
}

static void
msrp_server_init (MsrpServer *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, _msrp_server_session_free);
  self->connections = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) _msrp_server_conn_unref, NULL);
  self->ws_by_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_queue_free);
  self->bind_timeout = MSRP_DEFAULT_TIMEOUT;
  _msrp_listener_limits_init (&self->limits);
}

/**
 * msrp_server_new:
 *
 * Makes a server. It listens from the first [method@Msrp.Server.prepare]
 * on, and its operations complete in the thread-default main context of
 * the caller of this function.
 *
 * Returns: (transfer full): a new #MsrpServer
 *
 * Since: 1.0
 */
MsrpServer *
msrp_server_new (void)
{
  return g_object_new (MSRP_TYPE_SERVER, NULL);
}

/**
 * msrp_server_prepare:
 * @server: a #MsrpServer
 * @local_uri: (nullable): the URI to register, or %NULL for one made up
 * @error: return location for a #GError
 *
 * Registers a local URI for a new session, to put in the local SDP's
 * `a=path`, and starts listening when the server does not listen yet.
 *
 * The first call listens on the host of @local_uri when it is an IP
 * address (else on every address) and on its port (0, or no @local_uri:
 * any free port); every later call reuses that socket, and fails with
 * %G_IO_ERROR_INVALID_ARGUMENT when @local_uri asks for another port or
 * another IP address.
 *
 * A @local_uri with the transport `ws` is for peers that come over a
 * WebSocket (RFC 7977) on [method@Msrp.Server.add_websocket_handler]: no
 * socket is opened, and the URI keeps the host, port and scheme given (those
 * of the SoupServer).
 *
 * The URI registered has the real port, the scheme `msrps` when
 * [property@Msrp.Server:tls-certificate] is set, and a random session-id
 * when @local_uri has none. Its host is the one of @local_uri, or else the
 * address listened on, or else "localhost". A session-id that is
 * registered already fails with %G_IO_ERROR_EXISTS.
 *
 * Returns: (transfer container) (element-type Msrp.Uri): the full local
 *   path: the registered URI alone
 *
 * Since: 1.0
 */
GPtrArray *
msrp_server_prepare (MsrpServer  *server,
                     MsrpUri     *local_uri,
                     GError     **error)
{
  const char *host = local_uri ? msrp_uri_get_host (local_uri) : NULL;
  guint port = local_uri ? msrp_uri_get_port (local_uri) : 0;
  gboolean is_ip = host != NULL && g_hostname_is_ip_address (host);
  gboolean websocket = local_uri != NULL && _msrp_uri_is_websocket (local_uri);
  g_autofree char *random_id = NULL;
  const char *session_id;
  MsrpServerSession *session;

  g_return_val_if_fail (MSRP_IS_SERVER (server), NULL);
  g_return_val_if_fail (local_uri == NULL || MSRP_IS_URI (local_uri), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (websocket)
    {
      /* Reached on the application's SoupServer (add_websocket_handler):
       * its host and port are the ones given. */
    }
  else if (local_uri != NULL && g_ascii_strcasecmp (msrp_uri_get_transport (local_uri), "tcp") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("An MSRP server listens for TCP connections, not for the transport “%s”"),
                   msrp_uri_get_transport (local_uri));
      return NULL;
    }

  if (websocket)
    ;
  else if (server->listener == NULL)
    {
      if (!start_listening (server, is_ip ? host : NULL, port, error))
        return NULL;
    }
  else if (port != 0 && port != server->listen_port)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The MSRP server listens on port %u already, not on port %u: ask for port %u or 0"),
                   server->listen_port, port, server->listen_port);
      return NULL;
    }
  else if (is_ip && server->listen_host != NULL && !same_address (host, server->listen_host))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The MSRP server listens on the address %s already, not on %s: use another MsrpServer for another address"),
                   server->listen_host, host);
      return NULL;
    }

  session_id = local_uri ? msrp_uri_get_session_id (local_uri) : NULL;
  if (session_id == NULL)
    session_id = random_id = _msrp_random_ident (MSRP_RANDOM_SECRET, 20);
  if (g_hash_table_contains (server->sessions, session_id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("The MSRP session-id “%s” is registered already: give each session its own"),
                   session_id);
      return NULL;
    }

  if (host == NULL)
    host = server->listen_host ? server->listen_host : "localhost";

  session = g_new0 (MsrpServerSession, 1);
  session->server = server;
  session->uri = g_object_new (MSRP_TYPE_URI,
                               "host", host,
                               "port", websocket ? port : server->listen_port,
                               "user", local_uri ? msrp_uri_get_user (local_uri) : NULL,
                               "session-id", session_id,
                               "transport", websocket ? "ws" : "tcp",
                               "use-tls", websocket ? msrp_uri_get_use_tls (local_uri)
                                                    : server->tls_certificate != NULL,
                               NULL);
  session->local_path = _msrp_path_new_single (session->uri);
  g_hash_table_insert (server->sessions, (gpointer) msrp_uri_get_session_id (session->uri), session);
  g_debug ("server: registered %s", msrp_uri_get_session_id (session->uri));

  return _msrp_path_copy (session->local_path);
}

/**
 * msrp_server_complete_for_uri_async:
 * @server: a #MsrpServer
 * @local_uri: a URI [method@Msrp.Server.prepare] registered
 * @full_remote_path: (nullable) (element-type Msrp.Uri): the peer's full
 *   path, from its SDP `a=path`, or %NULL to accept whoever binds
 *   @local_uri
 * @peer_fingerprint: (nullable): the fingerprint of the peer's
 *   certificate from its SDP `a=fingerprint`, such as "sha-256 AB:CD:..",
 *   or %NULL
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the transport is ready
 * @user_data: data for @callback
 *
 * Waits until a peer has connected and bound @local_uri, and gives the
 * transport; the peer may also have bound it before this call.
 *
 * With @full_remote_path, the binding SEND's From-Path must end with its
 * last URI: another peer is answered 481 and the server goes on waiting.
 * The transport's remote path is @full_remote_path, or else the binding
 * SEND's From-Path.
 *
 * On TLS connections @peer_fingerprint, when given, is checked: a peer
 * with another certificate is disconnected and this fails with
 * %MSRP_ERROR_FINGERPRINT_MISMATCH. Without it,
 * [signal@Msrp.Server::accept-certificate] decides.
 *
 * It fails with %MSRP_ERROR_BIND_TIMEOUT when no peer bound @local_uri
 * within [property@Msrp.Server:bind-timeout], with %G_IO_ERROR_CANCELLED
 * when @cancellable is cancelled or [method@Msrp.Server.cleanup] is
 * called for @local_uri, and with %G_IO_ERROR_NOT_FOUND for a URI that is
 * not registered. Finish it with [method@Msrp.Server.complete_finish].
 *
 * Since: 1.0
 */
void
msrp_server_complete_for_uri_async (MsrpServer          *server,
                                    MsrpUri             *local_uri,
                                    GPtrArray           *full_remote_path,
                                    const char          *peer_fingerprint,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  MsrpServerSession *session;

  g_return_if_fail (MSRP_IS_SERVER (server));
  g_return_if_fail (MSRP_IS_URI (local_uri));
  /* An empty path means none: gjs 1.74 passes null as an empty array. */
  if (full_remote_path != NULL && full_remote_path->len == 0)
    full_remote_path = NULL;
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (server, cancellable, callback, user_data);
  g_task_set_name (task, "[msrp] server complete");
  g_task_set_source_tag (task, msrp_server_complete_for_uri_async);

  session = _msrp_server_lookup_session (server, local_uri);
  if (session == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                               _("The MSRP server has no such URI: call msrp_server_prepare() first, and msrp_server_cleanup() only after the session"));
      return;
    }
  if (session->task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "%s",
                               _("The MSRP session is being completed already"));
      return;
    }
  if (session->bound)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("The MSRP session was completed already: prepare a new URI for a new session"));
      return;
    }
  if (peer_fingerprint != NULL && server->tls_certificate != NULL)
    {
      GError *error = NULL;

      /* Our own certificate tells a malformed fingerprint from a mismatch,
       * so a typo shows now rather than when the peer comes. */
      if (!msrp_tls_certificate_matches_fingerprint (server->tls_certificate, peer_fingerprint, &error) &&
          g_error_matches (error, MSRP_ERROR, MSRP_ERROR_INVALID_FINGERPRINT))
        {
          g_task_return_error (task, error);
          return;
        }
      g_clear_error (&error);
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  _msrp_server_session_wait (session, g_steal_pointer (&task), full_remote_path, peer_fingerprint);
}

/**
 * msrp_server_complete_async:
 * @server: a #MsrpServer
 * @full_remote_path: (nullable) (element-type Msrp.Uri): the peer's full
 *   path, from its SDP `a=path`, or %NULL to accept whoever binds
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the transport is ready
 * @user_data: data for @callback
 *
 * Waits for the connection that binds with @full_remote_path, as the
 * reference API's `MSRPServer.complete()` does, and gives its transport:
 * the peer may bind any registered URI that is neither completed nor being
 * completed (by [method@Msrp.Server.complete_for_uri_async]), whatever the
 * number of them, and may have bound it before this call. A peer is known
 * by the last URI of its binding SEND's From-Path; bindings from other
 * peers wait for their own complete.
 *
 * %NULL accepts whoever binds, which only tells sessions apart when one
 * URI is waiting: with none, or with several, it fails with
 * %G_IO_ERROR_INVALID_ARGUMENT (name the URI with
 * [method@Msrp.Server.complete_for_uri_async] then).
 *
 * With a single such URI (and no other complete with a path pending), this
 * is [method@Msrp.Server.complete_for_uri_async] for that URI, without a
 * peer fingerprint. It fails with %MSRP_ERROR_BIND_TIMEOUT when no such
 * peer bound within [property@Msrp.Server:bind-timeout], and with
 * %G_IO_ERROR_CANCELLED when @cancellable is cancelled. Finish it with
 * [method@Msrp.Server.complete_finish].
 *
 * Since: 1.0
 */
void
msrp_server_complete_async (MsrpServer          *server,
                            GPtrArray           *full_remote_path,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GHashTableIter iter;
  MsrpServerSession *session, *waiting = NULL, *parked = NULL;
  guint n_waiting = 0;

  g_return_if_fail (MSRP_IS_SERVER (server));
  /* An empty path means none: gjs 1.74 passes null as an empty array. */
  if (full_remote_path != NULL && full_remote_path->len == 0)
    full_remote_path = NULL;
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  g_hash_table_iter_init (&iter, server->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &session))
    if (!session->bound && session->task == NULL)
      {
        waiting = session;
        n_waiting++;
        if (full_remote_path != NULL && parked == NULL &&
            _msrp_server_session_has_parked (session, full_remote_path))
          parked = session;
      }

  /* One URI waiting: its own complete, which answers other peers 481. */
  if (n_waiting == 1 && (full_remote_path == NULL || g_queue_is_empty (&server->waiters)))
    {
      msrp_server_complete_for_uri_async (server, waiting->uri, full_remote_path, NULL,
                                          cancellable, callback, user_data);
      return;
    }

  task = g_task_new (server, cancellable, callback, user_data);
  g_task_set_name (task, "[msrp] server complete");
  g_task_set_source_tag (task, msrp_server_complete_for_uri_async);
  if (n_waiting == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("No prepared MSRP session waits to be completed: call msrp_server_prepare() first"));
      return;
    }
  if (full_remote_path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("msrp_server_complete_async() without a remote path completes the only prepared session, but %u are waiting: give the peer’s path, or use msrp_server_complete_for_uri_async()"),
                               n_waiting);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  /* The peer bound already. */
  if (parked != NULL)
    {
      _msrp_server_session_wait (parked, g_steal_pointer (&task), full_remote_path, NULL);
      return;
    }

  _msrp_server_add_waiter (server, g_steal_pointer (&task), full_remote_path);
}

/**
 * msrp_server_complete_finish:
 * @server: a #MsrpServer
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Server.complete_async] (and
 * [method@Msrp.Server.complete_for_uri_async]).
 *
 * Returns: (transfer full): the transport, bound to the session
 *
 * Since: 1.0
 */
MsrpTransport *
msrp_server_complete_finish (MsrpServer    *server,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (MSRP_IS_SERVER (server), NULL);
  g_return_val_if_fail (g_task_is_valid (result, server), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == msrp_server_complete_for_uri_async, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * msrp_server_complete_for_uri_finish:
 * @server: a #MsrpServer
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Server.complete_for_uri_async]; the same as
 * [method@Msrp.Server.complete_finish], under the name bindings look for.
 *
 * Returns: (transfer full): the transport, bound to the session
 *
 * Since: 1.0
 */
MsrpTransport *
msrp_server_complete_for_uri_finish (MsrpServer    *server,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return msrp_server_complete_finish (server, result, error);
}

/**
 * msrp_server_cleanup:
 * @server: a #MsrpServer
 * @local_uri: a URI [method@Msrp.Server.prepare] registered
 *
 * Forgets @local_uri: call it when the session ends, or when it will not
 * be completed (the SDP negotiation failed, say). A pending complete for
 * it fails with %G_IO_ERROR_CANCELLED, a connection waiting for it is
 * closed, and later bindings of it are answered 481. A transport already
 * handed out is not touched. The listening socket stays open.
 *
 * Since: 1.0
 */
void
msrp_server_cleanup (MsrpServer *server,
                     MsrpUri    *local_uri)
{
  MsrpServerSession *session;

  g_return_if_fail (MSRP_IS_SERVER (server));
  g_return_if_fail (MSRP_IS_URI (local_uri));

  session = _msrp_server_lookup_session (server, local_uri);
  if (session == NULL)
    return;
  g_debug ("server: unregistered %s", msrp_uri_get_session_id (session->uri));
  /* Stolen first: failing the complete runs its callback. */
  g_hash_table_steal (server->sessions, msrp_uri_get_session_id (session->uri));
  _msrp_server_session_free (session);
}

/**
 * msrp_server_get_bind_timeout:
 * @server: a #MsrpServer
 *
 * Gets [property@Msrp.Server:bind-timeout].
 *
 * Returns: the bind timeout, in seconds
 *
 * Since: 1.0
 */
guint
msrp_server_get_bind_timeout (MsrpServer *server)
{
  g_return_val_if_fail (MSRP_IS_SERVER (server), 0);
  return server->bind_timeout;
}

/**
 * msrp_server_set_bind_timeout:
 * @server: a #MsrpServer
 * @seconds: the bind timeout, at least 1
 *
 * Sets [property@Msrp.Server:bind-timeout]. It applies to the completes
 * and connections that start afterwards.
 *
 * Since: 1.0
 */
void
msrp_server_set_bind_timeout (MsrpServer *server,
                              guint       seconds)
{
  g_return_if_fail (MSRP_IS_SERVER (server));
  g_return_if_fail (seconds >= 1 && seconds <= G_MAXUINT / 1000);

  _msrp_set_uint (G_OBJECT (server), &server->bind_timeout, seconds, properties[PROP_BIND_TIMEOUT]);
}

/**
 * msrp_server_get_tls_certificate:
 * @server: a #MsrpServer
 *
 * Gets [property@Msrp.Server:tls-certificate].
 *
 * Returns: (transfer none) (nullable): the certificate, or %NULL
 *
 * Since: 1.0
 */
GTlsCertificate *
msrp_server_get_tls_certificate (MsrpServer *server)
{
  g_return_val_if_fail (MSRP_IS_SERVER (server), NULL);
  return server->tls_certificate;
}

/**
 * msrp_server_set_tls_certificate:
 * @server: a #MsrpServer
 * @certificate: (nullable): a certificate with its private key, or %NULL
 *   for plain TCP
 *
 * Sets [property@Msrp.Server:tls-certificate].
 *
 * Since: 1.0
 */
void
msrp_server_set_tls_certificate (MsrpServer      *server,
                                 GTlsCertificate *certificate)
{
  g_return_if_fail (MSRP_IS_SERVER (server));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  if (!g_set_object (&server->tls_certificate, certificate))
    return;
  if (server->listener != NULL)
    _msrp_listener_set_tls_certificate (server->listener, certificate);
  g_object_notify_by_pspec (G_OBJECT (server), properties[PROP_TLS_CERTIFICATE]);
}

/**
 * msrp_server_get_logger:
 * @server: a #MsrpServer
 *
 * Gets [property@Msrp.Server:logger].
 *
 * Returns: (transfer none) (nullable): the logger, or %NULL
 *
 * Since: 1.0
 */
MsrpLogger *
msrp_server_get_logger (MsrpServer *server)
{
  g_return_val_if_fail (MSRP_IS_SERVER (server), NULL);
  return server->logger;
}

/**
 * msrp_server_set_logger:
 * @server: a #MsrpServer
 * @logger: (nullable): a logger, or %NULL for `g_debug()`
 *
 * Sets [property@Msrp.Server:logger].
 *
 * Since: 1.0
 */
void
msrp_server_set_logger (MsrpServer *server,
                        MsrpLogger *logger)
{
  g_return_if_fail (MSRP_IS_SERVER (server));
  g_return_if_fail (logger == NULL || MSRP_IS_LOGGER (logger));

  if (g_set_object (&server->logger, logger))
    g_object_notify_by_pspec (G_OBJECT (server), properties[PROP_LOGGER]);
}

/**
 * msrp_server_get_use_sessmatch:
 * @server: a #MsrpServer
 *
 * Gets [property@Msrp.Server:use-sessmatch].
 *
 * Returns: whether sessions are matched by session-id only
 *
 * Since: 1.0
 */
gboolean
msrp_server_get_use_sessmatch (MsrpServer *server)
{
  g_return_val_if_fail (MSRP_IS_SERVER (server), FALSE);
  return server->use_sessmatch;
}

/**
 * msrp_server_set_use_sessmatch:
 * @server: a #MsrpServer
 * @use_sessmatch: whether to match sessions by session-id only
 *
 * Sets [property@Msrp.Server:use-sessmatch].
 *
 * Since: 1.0
 */
void
msrp_server_set_use_sessmatch (MsrpServer *server,
                               gboolean    use_sessmatch)
{
  g_return_if_fail (MSRP_IS_SERVER (server));

  _msrp_set_boolean (G_OBJECT (server), &server->use_sessmatch, use_sessmatch, properties[PROP_USE_SESSMATCH]);
}

/**
 * msrp_server_get_first_request_timeout:
 * @server: a #MsrpServer
 *
 * Gets [property@Msrp.Server:first-request-timeout].
 *
 * Returns: the first-request timeout, in seconds
 *
 * Since: 1.0
 */
guint
msrp_server_get_first_request_timeout (MsrpServer *server)
{
  g_return_val_if_fail (MSRP_IS_SERVER (server), 0);
  return server->limits.values[MSRP_LISTENER_LIMIT_FIRST_REQUEST_TIMEOUT];
}

/**
 * msrp_server_set_first_request_timeout:
 * @server: a #MsrpServer
 * @seconds: the timeout, in seconds, at least 1
 *
 * Sets [property@Msrp.Server:first-request-timeout].
 *
 * Since: 1.0
 */
void
msrp_server_set_first_request_timeout (MsrpServer *server,
                                       guint      seconds)
{
  g_return_if_fail (MSRP_IS_SERVER (server));
  set_limit (server, MSRP_LISTENER_LIMIT_FIRST_REQUEST_TIMEOUT, seconds);
}

/**
 * msrp_server_get_max_pending_connections:
 * @server: a #MsrpServer
 *
 * Gets [property@Msrp.Server:max-pending-connections].
 *
 * Returns: the largest number of pending connections
 *
 * Since: 1.0
 */
guint
msrp_server_get_max_pending_connections (MsrpServer *server)
{
  g_return_val_if_fail (MSRP_IS_SERVER (server), 0);
  return server->limits.values[MSRP_LISTENER_LIMIT_MAX_PENDING];
}

/**
 * msrp_server_set_max_pending_connections:
 * @server: a #MsrpServer
 * @max_pending: the largest number, at least 1
 *
 * Sets [property@Msrp.Server:max-pending-connections].
 *
 * Since: 1.0
 */
void
msrp_server_set_max_pending_connections (MsrpServer *server,
                                         guint      max_pending)
{
  g_return_if_fail (MSRP_IS_SERVER (server));
  set_limit (server, MSRP_LISTENER_LIMIT_MAX_PENDING, max_pending);
}

/**
 * msrp_server_get_max_pending_per_address:
 * @server: a #MsrpServer
 *
 * Gets [property@Msrp.Server:max-pending-per-address].
 *
 * Returns: the largest number of pending connections from one address
 *
 * Since: 1.0
 */
guint
msrp_server_get_max_pending_per_address (MsrpServer *server)
{
  g_return_val_if_fail (MSRP_IS_SERVER (server), 0);
  return server->limits.values[MSRP_LISTENER_LIMIT_MAX_PENDING_PER_ADDRESS];
}

/**
 * msrp_server_set_max_pending_per_address:
 * @server: a #MsrpServer
 * @max_pending: the largest number, at least 1
 *
 * Sets [property@Msrp.Server:max-pending-per-address].
 *
 * Since: 1.0
 */
void
msrp_server_set_max_pending_per_address (MsrpServer *server,
                                         guint      max_pending)
{
  g_return_if_fail (MSRP_IS_SERVER (server));
  set_limit (server, MSRP_LISTENER_LIMIT_MAX_PENDING_PER_ADDRESS, max_pending);
}

typedef struct {
  GWeakRef server;
} WebsocketHandler;

static void
websocket_handler_free (gpointer data)
{
  WebsocketHandler *h = data;

  g_weak_ref_clear (&h->server);
  g_free (h);
}

static void
on_websocket (SoupServer              *soup_server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  WebsocketHandler *h = user_data;
  g_autoptr(MsrpServer) self = g_weak_ref_get (&h->server);
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);
  g_autofree char *address = NULL;

  if (self == NULL)
    {
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      return;
    }
  /* Counted by IP address, as the listener counts TCP peers. */
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    address = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  _msrp_server_accept_websocket (self, connection, address != NULL ? address : "");
}

/**
 * msrp_server_add_websocket_handler:
 * @server: a #MsrpServer
 * @soup_server: the application's #SoupServer
 * @path: (nullable): the HTTP path peers open their WebSocket on, or %NULL
 *   for every path
 *
 * Takes MSRP peers that come over a WebSocket (RFC 7977, sub-protocol
 * `msrp`) on @soup_server, which may serve the application's web pages on
 * other paths of the same port. Sessions for them are registered with
 * [method@Msrp.Server.prepare] and a local URI with the transport `ws`
 * and the SoupServer's host and port; they are completed as any other.
 *
 * Since: 1.0
 */
void
msrp_server_add_websocket_handler (MsrpServer *server,
                                   SoupServer *soup_server,
                                   const char *path)
{
  WebsocketHandler *h;

  g_return_if_fail (MSRP_IS_SERVER (server));
  g_return_if_fail (SOUP_IS_SERVER (soup_server));

  h = g_new0 (WebsocketHandler, 1);
  g_weak_ref_init (&h->server, server);
  _msrp_websocket_server_add_handler (soup_server, path, on_websocket, h, websocket_handler_free);
}
