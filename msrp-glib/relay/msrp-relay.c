/* msrp-relay.c: an RFC 4976 relay server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "msrp-relay-private.h"
#include "msrp-marshal.h"
#include "msrp-utils-private.h"

/**
 * MsrpRelay:
 *
 * An MSRP relay (RFC 4976): clients authenticate with AUTH and HTTP Digest,
 * get a session URI on the relay (`Use-Path`) for a while (`Expires`), and
 * the relay forwards requests along their To-Path.
 *
 * [method@Msrp.Relay.listen] opens a listening socket (TCP, or TLS with
 * [property@Msrp.Relay:tls-certificate]) and gives the relay's URI, the
 * To-Path of a client's first AUTH. Users come from
 * [method@Msrp.Relay.add_user] or, for names not added, from
 * [signal@Msrp.Relay::lookup-password].
 *
 * ## AUTH
 *
 * An AUTH whose To-Path is a relay URI alone (no session-id) is answered
 * 401 with a Digest challenge (MD5, `qop="auth"`; a nonce is good on the
 * connection it was issued on for five minutes, and its nonce count must
 * grow; the right password with an expired nonce is challenged again with
 * `stale=TRUE`, and a nonce the relay did not issue there gets a fresh
 * challenge). The relay keeps no state for the nonces it issues, so
 * challenges asked for in any number cannot crowd out honest clients'. With valid credentials and an Expires within
 * [property@Msrp.Relay:min-expires] and [property@Msrp.Relay:max-expires]
 * (else 423 with Min-Expires or Max-Expires) the relay makes a session:
 * 200 with `Use-Path: msrp[s]://host:port/<session-id>;tcp` (the scheme,
 * host and port of the listener the AUTH came in on) and `Expires`. An
 * AUTH without Expires gets [property@Msrp.Relay:default-expires]. The
 * session belongs to the connection the AUTH came on; an AUTH on that
 * connection whose To-Path is the session URI refreshes it (challenged in
 * the same way; the session-id stays). A session ends when its connection
 * closes, or a few seconds after it expires. A malformed Authorization
 * header gets 400; a wrong password, an unknown user and a replayed nonce
 * count get a fresh 401.
 *
 * The digest-uri is the AUTH's To-Path URI: a `uri=` parameter must name
 * it (RFC 4975 URI equality; else 400), and an answer without `uri=` is
 * checked with the To-Path URI as it was written in its place, which is
 * what clients that leave `uri=` out hash.
 *
 * Failed answers are answered later and later while the same user or the
 * same IP address keeps failing (no delay for the first failure, then a
 * quarter of a second, doubling up to 8 s; failures are remembered for
 * 15 minutes), and the connection reads nothing meanwhile. The delay
 * belongs to the user and to the address, not to the connection: until
 * it has passed, answers for that user or from that address wait in
 * line, on whatever connection they come, so parallel connections guess
 * no faster than one. After
 * [property@Msrp.Relay:max-auth-failures] failures on one connection the
 * answer is 403 and the connection closes. A connection holds at most
 * [property@Msrp.Relay:max-sessions-per-connection] sessions and a user at
 * most [property@Msrp.Relay:max-sessions-per-user]; an AUTH for one more
 * gets 403.
 *
 * ## Forwarding
 *
 * Any other request (and an AUTH with more than one URI in its To-Path,
 * for a relay further on) is forwarded when the first URI of its To-Path
 * names a session of this relay, by session-id (else 481; 403 for a
 * request to the relay's own URI). As RFC 4976 section 7.3 says, the relay
 * removes that URI from the To-Path and puts the same URI first in the
 * From-Path. When the next URI is again one of this relay's sessions (both
 * peers use this relay), it is consumed in the same way, so the receiver
 * of a request that A sent to B sees `From-Path: <B's session> <A's
 * session> <A>`. The next hop is then:
 *
 * - the connection that authenticated the last session consumed, when two
 *   were consumed or when the request came from another connection than
 *   that session's (a peer reaching the client). When two are consumed,
 *   the first serves as the sender's relay, and the request must come on
 *   the connection that authenticated it (RFC 4976 sections 6 and 7):
 *   from any other, it gets 403, so that nobody sends in another client's
 *   name;
 * - otherwise the host and port of the new first To-Path URI (a client
 *   reaching a peer): the relay connects there (TLS for `msrps`), and uses
 *   one connection for every request to the same host, port and scheme.
 *   Requests that come back on such a connection are forwarded in the
 *   same way. A peer that reached the client through a connection of its
 *   own (the first URI of the From-Path of a request the relay forwarded
 *   to the client) is reached back through that connection while it is
 *   open, when its URI cannot be dialled (a `.invalid` host, no port, or a
 *   transport other than `tcp`) or names the address the connection comes
 *   from; any other URI is dialled, so that claiming a peer's URI first
 *   gets nobody its traffic. Such a route serves only the client of that
 *   session, and a later request that names the same peer from another
 *   connection does not replace it. The relay accepts any certificate from the hosts it connects
 *   to, as the peer's identity is checked end to end.
 *
 * Transaction ids, Byte-Range and the continuation flag pass unchanged,
 * with one exception: a chunk with a body larger than 64 KiB is forwarded
 * in pieces as it arrives, so that the relay never holds a whole large
 * chunk. Each piece is a chunk with the original headers, the Byte-Range
 * of the piece and the flag `+` but on the last one, which ends with the
 * original flag; the first piece keeps the transaction id and the others
 * get new ones. This is the chunk interruption of RFC 4975 section 7.1.1,
 * which every receiver handles. Only SEND bodies are split; another
 * request with a body that large gets 413.
 *
 * Reading from a connection pauses while the connection it last forwarded
 * to has more than 256 KiB waiting to be written, or the connection itself
 * has more than that of its own answers (what others forwarded to it does
 * not count: its responses to them are read on), so a slow receiver slows
 * its sender down instead of growing the relay's memory.
 *
 * ## Responses and reports
 *
 * Responses travel one hop. The relay answers a SEND itself, 200 once it
 * has queued the chunk (its last piece) for the next hop, when the SEND's
 * Failure-Report is `yes` (or absent); 408 when the next hop cannot be
 * reached, and 481 or 403 as above (for `partial` only those errors, for
 * `no` nothing). The next hop's response to a SEND is not passed on: when
 * it is an error, or when none came within
 * [property@Msrp.Relay:response-timeout] although Failure-Report is
 * `yes`, and the SEND asked for failure reports, the relay sends a REPORT
 * back to the sender (To-Path the SEND's From-Path as it arrived, the
 * Message-ID and Byte-Range of the piece, `Status: 000 <code>`). The same
 * happens when the next hop's connection closes with transactions
 * outstanding. REPORTs are forwarded and never answered. The responses to
 * other requests (NICKNAME, and AUTH for a relay further on) are passed
 * back to their sender with their To-Path and From-Path rewritten for the
 * hop; without one in time the relay answers 408. A response counts only
 * when it comes on the connection its request was forwarded on.
 *
 * The requests of one connection that wait for a next hop's response are
 * at most 4096: past that, its SENDs get 413 (the sender stops sending
 * that message) and its other requests 403, until responses come or time
 * out. Nobody else's transactions are dropped for them.
 *
 * A relay for two users on all addresses, port 2855, with TLS:
 *
 * ```c
 * g_autoptr(GError) error = NULL;
 * g_autoptr(GTlsCertificate) certificate =
 *   g_tls_certificate_new_from_file ("relay.pem", &error);
 * MsrpRelay *relay = msrp_relay_new ("example.com");
 * g_autoptr(MsrpUri) uri = NULL;
 *
 * msrp_relay_add_user (relay, "alice", "secret");
 * msrp_relay_add_user (relay, "bob", "s3cret");
 * msrp_relay_set_tls_certificate (relay, certificate);
 * uri = msrp_relay_listen (relay, "0.0.0.0", 2855, TRUE, &error);
 * // serves from the main loop until msrp_relay_stop (relay)
 * ```
 *
 * Since: 1.0
 */

enum {
  PROP_0,
  PROP_REALM,
  PROP_TLS_CERTIFICATE,
  PROP_MIN_EXPIRES,
  PROP_MAX_EXPIRES,
  PROP_DEFAULT_EXPIRES,
  PROP_RESPONSE_TIMEOUT,
  PROP_IDLE_TIMEOUT,
  PROP_LOGGER,
  PROP_N_SESSIONS,
  PROP_MAX_AUTH_FAILURES,
  PROP_MAX_SESSIONS_PER_CONNECTION,
  PROP_MAX_SESSIONS_PER_USER,
  PROP_FIRST_REQUEST_TIMEOUT,    /* the listener limits, in their order */
  PROP_MAX_PENDING_CONNECTIONS,
  PROP_MAX_PENDING_PER_ADDRESS,
  N_PROPS
};

#define PROP_LIMIT(limit) (PROP_FIRST_REQUEST_TIMEOUT + (limit))
#define LIMIT_OF_PROP(prop_id) ((MsrpListenerLimit) ((prop_id) - PROP_FIRST_REQUEST_TIMEOUT))

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_LOOKUP_PASSWORD,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (MsrpRelay, msrp_relay, G_TYPE_OBJECT)

/* Stores a listener limit, gives it to every listening socket, and
 * notifies. */
static void
set_limit (MsrpRelay         *self,
           MsrpListenerLimit  limit,
           guint              value)
{
  if (!_msrp_listener_limits_set (&self->limits, limit, value))
    return;
  _msrp_relay_apply_limits (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT (limit)]);
}

static void
msrp_relay_dispose (GObject *object)
{
  MsrpRelay *self = MSRP_RELAY (object);

  msrp_relay_stop (self);

  G_OBJECT_CLASS (msrp_relay_parent_class)->dispose (object);
}

static void
msrp_relay_finalize (GObject *object)
{
  MsrpRelay *self = MSRP_RELAY (object);

  g_clear_pointer (&self->listeners, g_ptr_array_unref);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->outgoing, g_hash_table_unref);
  g_clear_pointer (&self->by_peer, g_hash_table_unref);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->users, g_hash_table_unref);
  g_clear_pointer (&self->user_sessions, g_hash_table_unref);
  /* The queue's links live in the entries the table frees. */
  g_clear_pointer (&self->failures, g_hash_table_unref);
  g_queue_init (&self->failure_order);
  /* The queue's links live in the nonces the table frees. */
  g_queue_init (&self->nonce_order);
  g_clear_pointer (&self->nonces, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->realm, g_free);
  g_clear_object (&self->tls_certificate);
  g_clear_object (&self->logger);

  G_OBJECT_CLASS (msrp_relay_parent_class)->finalize (object);
}

static void
msrp_relay_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  MsrpRelay *self = MSRP_RELAY (object);

  switch (prop_id)
    {
    case PROP_REALM:
      g_value_set_string (value, self->realm);
      break;
    case PROP_TLS_CERTIFICATE:
      g_value_set_object (value, self->tls_certificate);
      break;
    case PROP_MIN_EXPIRES:
      g_value_set_uint (value, self->min_expires);
      break;
    case PROP_MAX_EXPIRES:
      g_value_set_uint (value, self->max_expires);
      break;
    case PROP_DEFAULT_EXPIRES:
      g_value_set_uint (value, self->default_expires);
      break;
    case PROP_RESPONSE_TIMEOUT:
      g_value_set_uint (value, self->response_timeout);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;
    case PROP_FIRST_REQUEST_TIMEOUT:
    case PROP_MAX_PENDING_CONNECTIONS:
    case PROP_MAX_PENDING_PER_ADDRESS:
      g_value_set_uint (value, self->limits.values[LIMIT_OF_PROP (prop_id)]);
      break;
    case PROP_LOGGER:
      g_value_set_object (value, self->logger);
      break;
    case PROP_N_SESSIONS:
      g_value_set_uint (value, msrp_relay_get_n_sessions (self));
      break;
    case PROP_MAX_AUTH_FAILURES:
      g_value_set_uint (value, self->max_auth_failures);
      break;
    case PROP_MAX_SESSIONS_PER_CONNECTION:
      g_value_set_uint (value, self->max_sessions_per_connection);
      break;
    case PROP_MAX_SESSIONS_PER_USER:
      g_value_set_uint (value, self->max_sessions_per_user);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_relay_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  MsrpRelay *self = MSRP_RELAY (object);

  switch (prop_id)
    {
    case PROP_REALM:
      self->realm = g_value_dup_string (value);
      break;
    case PROP_TLS_CERTIFICATE:
      msrp_relay_set_tls_certificate (self, g_value_get_object (value));
      break;
    case PROP_MIN_EXPIRES:
      msrp_relay_set_min_expires (self, g_value_get_uint (value));
      break;
    case PROP_MAX_EXPIRES:
      msrp_relay_set_max_expires (self, g_value_get_uint (value));
      break;
    case PROP_DEFAULT_EXPIRES:
      msrp_relay_set_default_expires (self, g_value_get_uint (value));
      break;
    case PROP_RESPONSE_TIMEOUT:
      msrp_relay_set_response_timeout (self, g_value_get_uint (value));
      break;
    case PROP_IDLE_TIMEOUT:
      msrp_relay_set_idle_timeout (self, g_value_get_uint (value));
      break;
    case PROP_FIRST_REQUEST_TIMEOUT:
    case PROP_MAX_PENDING_CONNECTIONS:
    case PROP_MAX_PENDING_PER_ADDRESS:
      set_limit (self, LIMIT_OF_PROP (prop_id), g_value_get_uint (value));
      break;
    case PROP_LOGGER:
      msrp_relay_set_logger (self, g_value_get_object (value));
      break;
    case PROP_MAX_AUTH_FAILURES:
      msrp_relay_set_max_auth_failures (self, g_value_get_uint (value));
      break;
    case PROP_MAX_SESSIONS_PER_CONNECTION:
      msrp_relay_set_max_sessions_per_connection (self, g_value_get_uint (value));
      break;
    case PROP_MAX_SESSIONS_PER_USER:
      msrp_relay_set_max_sessions_per_user (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_relay_constructed (GObject *object)
{
  MsrpRelay *self = MSRP_RELAY (object);

  G_OBJECT_CLASS (msrp_relay_parent_class)->constructed (object);

  if (self->realm == NULL)
    self->realm = g_strdup ("msrp-relay");
}

/* The first handler that knows the user wins. */
static gboolean
lookup_password_accumulator (GSignalInvocationHint *hint,
                             GValue                *accumulated,
                             const GValue          *handler_return,
                             gpointer               user_data)
{
  if (g_value_get_string (handler_return) == NULL)
    return TRUE;
  g_value_copy (handler_return, accumulated);
  return FALSE;
}

static void
msrp_relay_class_init (MsrpRelayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = msrp_relay_dispose;
  object_class->finalize = msrp_relay_finalize;
  object_class->get_property = msrp_relay_get_property;
  object_class->set_property = msrp_relay_set_property;
  object_class->constructed = msrp_relay_constructed;

  /**
   * MsrpRelay:realm:
   *
   * The Digest realm of the challenges, usually the relay's domain.
   *
   * Since: 1.0
   */
  properties[PROP_REALM] =
    g_param_spec_string ("realm", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelay:tls-certificate:
   *
   * The relay's certificate, with its private key, for TLS listeners
   * (`msrps:`). Set it before [method@Msrp.Relay.listen] asks for TLS.
   *
   * Since: 1.0
   */
  properties[PROP_TLS_CERTIFICATE] =
    g_param_spec_object ("tls-certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelay:min-expires:
   *
   * The shortest session lifetime, in seconds, an AUTH may ask for;
   * shorter ones get 423 with Min-Expires.
   *
   * Since: 1.0
   */
  properties[PROP_MIN_EXPIRES] =
    g_param_spec_uint ("min-expires", NULL, NULL, 1, G_MAXINT32, 60,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelay:max-expires:
   *
   * The longest session lifetime, in seconds, an AUTH may ask for; longer
   * ones get 423 with Max-Expires.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_EXPIRES] =
    g_param_spec_uint ("max-expires", NULL, NULL, 1, G_MAXINT32, 3600,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelay:default-expires:
   *
   * The session lifetime, in seconds, of an AUTH without Expires.
   *
   * Since: 1.0
   */
  properties[PROP_DEFAULT_EXPIRES] =
    g_param_spec_uint ("default-expires", NULL, NULL, 1, G_MAXINT32, 600,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelay:response-timeout:
   *
   * Seconds the relay waits for a next hop: to connect, for a TLS
   * handshake, and for the response to a forwarded request (then a SEND's
   * sender gets a failure REPORT, another request's sender a 408).
   *
   * Since: 1.0
   */
  properties[PROP_RESPONSE_TIMEOUT] =
    g_param_spec_uint ("response-timeout", NULL, NULL, 1, G_MAXUINT / 1000, 30,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelay:idle-timeout:
   *
   * Seconds after which a connection that owns no session (it has not
   * authenticated, or its sessions expired) and has carried no traffic is
   * closed, so that idle or abandoned connections cannot pile up. Checked
   * about once a period, so such a connection lasts between one and two
   * periods.
   *
   * Since: 1.0
   */
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL, 1, G_MAXUINT / 1000, 60,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelay:first-request-timeout:
   *
   * Seconds a connection accepted by the relay has to authenticate (a
   * 200 to its AUTH) or to send a request that reaches a session, TLS
   * handshake included; it is closed otherwise, whatever it sent before
   * (AUTHs answered 401, say). Afterwards
   * [property@Msrp.Relay:idle-timeout] applies.
   *
   * Since: 1.0
   */

  /**
   * MsrpRelay:max-pending-connections:
   *
   * The largest number of pending connections on each listening socket:
   * accepted, but not authenticated yet and without a request that
   * reached a session. When a new
   * connection comes with that many pending, the oldest pending one is
   * closed, so that idle connections cannot keep clients out.
   *
   * Since: 1.0
   */

  /**
   * MsrpRelay:max-pending-per-address:
   *
   * The largest number of pending connections (see
   * [property@Msrp.Relay:max-pending-connections]) from one IP address, or
   * one IPv6 /64 network, on each listening socket: past it, the oldest of
   * them is closed.
   *
   * Since: 1.0
   */
  /* The three listener limits above, made alike for servers and relays. */
  _msrp_listener_limits_make_param_specs (&properties[PROP_FIRST_REQUEST_TIMEOUT]);

  /**
   * MsrpRelay:logger:
   *
   * The logger given to the transport of every connection the relay
   * accepts or makes from now on, or %NULL for `g_debug()`.
   *
   * Since: 1.0
   */
  properties[PROP_LOGGER] =
    g_param_spec_object ("logger", NULL, NULL, MSRP_TYPE_LOGGER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelay:n-sessions:
   *
   * The number of sessions clients hold on the relay.
   *
   * Since: 1.0
   */
  properties[PROP_N_SESSIONS] =
    g_param_spec_uint ("n-sessions", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelay:max-auth-failures:
   *
   * How many failed Digest answers (a wrong password, an unknown user, a
   * replayed nonce count, a `uri=` that is not the To-Path) one
   * connection may give: the last one is answered 403 and the connection
   * closes. Independently of it, the answer to a failure is delayed more
   * and more (from a quarter of a second up to 8 s) while the same user
   * or the same IP address keeps failing, so that passwords cannot be
   * guessed quickly over many connections either.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_AUTH_FAILURES] =
    g_param_spec_uint ("max-auth-failures", NULL, NULL, 1, G_MAXUINT, 3,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelay:max-sessions-per-connection:
   *
   * How many sessions one connection may hold. Past it, an AUTH for a
   * new session is answered 403 (a refresh is always fine).
   *
   * Since: 1.0
   */
  properties[PROP_MAX_SESSIONS_PER_CONNECTION] =
    g_param_spec_uint ("max-sessions-per-connection", NULL, NULL, 1, G_MAXUINT, 16,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelay:max-sessions-per-user:
   *
   * How many sessions one user may hold at once, over all connections.
   * Past it, an AUTH for a new session is answered 403.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_SESSIONS_PER_USER] =
    g_param_spec_uint ("max-sessions-per-user", NULL, NULL, 1, G_MAXUINT, 128,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MsrpRelay::lookup-password:
   * @relay: the relay
   * @username: the username of an AUTH
   *
   * Emitted for an AUTH by a user that [method@Msrp.Relay.add_user] did
   * not add. The first handler that returns a password wins.
   *
   * Returns: (transfer full) (nullable): the user's password, or %NULL
   *   for an unknown user
   *
   * Since: 1.0
   */
  signals[SIGNAL_LOOKUP_PASSWORD] =
    g_signal_new ("lookup-password", MSRP_TYPE_RELAY, G_SIGNAL_RUN_LAST, 0,
                  lookup_password_accumulator, NULL, _msrp_marshal_STRING__STRING,
                  G_TYPE_STRING, 1, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_LOOKUP_PASSWORD], MSRP_TYPE_RELAY,
                              _msrp_marshal_STRING__STRINGv);
}

static void
msrp_relay_init (MsrpRelay *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->min_expires = 60;
  self->max_expires = 3600;
  self->default_expires = 600;
  self->response_timeout = 30;
  self->idle_timeout = 60;
  _msrp_listener_limits_init (&self->limits);
  self->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->max_auth_failures = 3;
  self->max_sessions_per_connection = 16;
  self->max_sessions_per_user = 128;
  _msrp_relay_connections_init (self);
  _msrp_relay_forward_init (self);
  _msrp_relay_auth_init (self);
}

/* Shared with the other parts */

char *
_msrp_relay_lookup_password (MsrpRelay  *self,
                             const char *username)
{
  const char *password = g_hash_table_lookup (self->users, username);
  char *found = NULL;

  if (password != NULL)
    return g_strdup (password);
  g_signal_emit (self, signals[SIGNAL_LOOKUP_PASSWORD], 0, username, &found);
  return found;
}

void
_msrp_relay_notify_n_sessions (MsrpRelay *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SESSIONS]);
}

void
_msrp_relay_set_auth_delays (MsrpRelay *self,
                             guint      base_ms,
                             guint      max_ms)
{
  self->auth_delay_base_ms = base_ms;
  self->auth_delay_max_ms = max_ms;
}

void
_msrp_relay_set_one_endpoint_per_session (MsrpRelay *self,
                                          gboolean   one)
{
  self->one_endpoint_per_session = one;
}

/**
 * msrp_relay_new:
 * @realm: (nullable): the Digest realm, usually the relay's domain, or
 *   %NULL for "msrp-relay"
 *
 * Makes a relay. It serves from the first [method@Msrp.Relay.listen] on,
 * in the thread-default main context of the caller of this function.
 *
 * Returns: (transfer full): a new #MsrpRelay
 *
 * Since: 1.0
 */
MsrpRelay *
msrp_relay_new (const char *realm)
{
  return g_object_new (MSRP_TYPE_RELAY, "realm", realm, NULL);
}

/**
 * msrp_relay_listen:
 * @relay: a #MsrpRelay
 * @host: (nullable): the IP address to listen on and to put in the URIs,
 *   or a host name to put in the URIs (the relay then listens on every
 *   address), or %NULL for every address and "localhost"
 * @port: the TCP port, or 0 for any free one
 * @use_tls: whether clients connect with TLS (`msrps:`); needs
 *   [property@Msrp.Relay:tls-certificate]
 * @error: return location for a #GError
 *
 * Opens a listening socket. It may be called several times, for a TCP and
 * a TLS port say. Sessions made through a listener get URIs with its
 * scheme, host and port.
 *
 * Returns: (transfer full): the relay's URI on this socket (no session-id):
 *   the To-Path of a client's first AUTH
 *
 * Since: 1.0
 */
MsrpUri *
msrp_relay_listen (MsrpRelay   *relay,
                   const char  *host,
                   guint16      port,
                   gboolean     use_tls,
                   GError     **error)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (use_tls && relay->tls_certificate == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("An MSRP relay needs a TLS certificate to listen with TLS: set its tls-certificate property first"));
      return NULL;
    }

  return _msrp_relay_listen (relay, host, port, use_tls, error);
}

/**
 * msrp_relay_listen_websocket:
 * @relay: a #MsrpRelay
 * @host: (nullable): as for [method@Msrp.Relay.listen]
 * @port: the TCP port, or 0 for any free one
 * @use_tls: whether clients connect with TLS (`wss:`); needs
 *   [property@Msrp.Relay:tls-certificate]
 * @error: return location for a #GError
 *
 * Listens for clients that come over a WebSocket (RFC 7977, sub-protocol
 * `msrp`, on any HTTP path), as browsers do. They authenticate with AUTH
 * and Digest as TCP clients do, and the relay carries their sessions to
 * and from TCP and TLS peers, and other WebSocket clients. The limits of
 * pending connections count a client from its TCP connection until it
 * authenticates, so one that never finishes the HTTP upgrade is dropped.
 *
 * A session made over a WebSocket gets the URI of a TCP listener of the
 * relay (one with the same TLS setting if there is one), where its peers
 * reach it; call [method@Msrp.Relay.listen] too.
 *
 * Returns: (transfer full): the relay's URI on this socket, with the
 *   transport `ws` (no session-id): the To-Path of a client's first AUTH
 *
 * Since: 1.0
 */
MsrpUri *
msrp_relay_listen_websocket (MsrpRelay   *relay,
                             const char  *host,
                             guint16      port,
                             gboolean     use_tls,
                             GError     **error)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (use_tls && relay->tls_certificate == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("An MSRP relay needs a TLS certificate to listen with TLS: set its tls-certificate property first"));
      return NULL;
    }

  return _msrp_relay_listen_websocket (relay, host, port, use_tls, error);
}

/**
 * msrp_relay_add_user:
 * @relay: a #MsrpRelay
 * @username: the username
 * @password: (nullable): the password, or %NULL to remove the user
 *
 * Adds a user who may authenticate, or changes the password of one.
 *
 * Since: 1.0
 */
void
msrp_relay_add_user (MsrpRelay  *relay,
                     const char *username,
                     const char *password)
{
  g_return_if_fail (MSRP_IS_RELAY (relay));
  g_return_if_fail (username != NULL);

  if (password == NULL)
    g_hash_table_remove (relay->users, username);
  else
    g_hash_table_replace (relay->users, g_strdup (username), g_strdup (password));
}

/**
 * msrp_relay_stop:
 * @relay: a #MsrpRelay
 *
 * Closes every listening socket and every connection; the sessions end.
 * The relay may listen again afterwards.
 *
 * Since: 1.0
 */
void
msrp_relay_stop (MsrpRelay *relay)
{
  GList *conns;

  g_return_if_fail (MSRP_IS_RELAY (relay));

  g_ptr_array_set_size (relay->listeners, 0);
  conns = g_hash_table_get_keys (relay->connections);
  for (GList *l = conns; l != NULL; l = l->next)
    _msrp_relay_conn_ref (l->data);
  for (GList *l = conns; l != NULL; l = l->next)
    {
      _msrp_relay_conn_close (l->data, "the relay stops");
      _msrp_relay_conn_unref (l->data);
    }
  g_list_free (conns);
  g_assert (g_hash_table_size (relay->sessions) == 0);
}

/**
 * msrp_relay_get_realm:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:realm].
 *
 * Returns: the realm
 *
 * Since: 1.0
 */
const char *
msrp_relay_get_realm (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), NULL);
  return relay->realm;
}

/**
 * msrp_relay_get_tls_certificate:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:tls-certificate].
 *
 * Returns: (transfer none) (nullable): the certificate, or %NULL
 *
 * Since: 1.0
 */
GTlsCertificate *
msrp_relay_get_tls_certificate (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), NULL);
  return relay->tls_certificate;
}

/**
 * msrp_relay_set_tls_certificate:
 * @relay: a #MsrpRelay
 * @certificate: (nullable): a certificate with its private key, or %NULL
 *
 * Sets [property@Msrp.Relay:tls-certificate]. TLS connections accepted
 * afterwards use the new certificate.
 *
 * Since: 1.0
 */
void
msrp_relay_set_tls_certificate (MsrpRelay       *relay,
                                GTlsCertificate *certificate)
{
  g_return_if_fail (MSRP_IS_RELAY (relay));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  if (!g_set_object (&relay->tls_certificate, certificate))
    return;
  for (guint i = 0; i < relay->listeners->len; i++)
    {
      MsrpRelayListener *listener = g_ptr_array_index (relay->listeners, i);

      if (msrp_uri_get_use_tls (listener->uri) && certificate != NULL)
        _msrp_listener_set_tls_certificate (listener->helper, certificate);
    }
  g_object_notify_by_pspec (G_OBJECT (relay), properties[PROP_TLS_CERTIFICATE]);
}

/**
 * msrp_relay_get_min_expires:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:min-expires].
 *
 * Returns: the shortest session lifetime, in seconds
 *
 * Since: 1.0
 */
guint
msrp_relay_get_min_expires (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), 0);
  return relay->min_expires;
}

/**
 * msrp_relay_set_min_expires:
 * @relay: a #MsrpRelay
 * @seconds: the shortest session lifetime, at least 1
 *
 * Sets [property@Msrp.Relay:min-expires].
 *
 * Since: 1.0
 */
void
msrp_relay_set_min_expires (MsrpRelay *relay,
                            guint      seconds)
{
  g_return_if_fail (MSRP_IS_RELAY (relay));
  g_return_if_fail (seconds >= 1 && seconds <= G_MAXINT32);

  _msrp_set_uint (G_OBJECT (relay), &relay->min_expires, seconds, properties[PROP_MIN_EXPIRES]);
}

/**
 * msrp_relay_get_max_expires:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:max-expires].
 *
 * Returns: the longest session lifetime, in seconds
 *
 * Since: 1.0
 */
guint
msrp_relay_get_max_expires (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), 0);
  return relay->max_expires;
}

/**
 * msrp_relay_set_max_expires:
 * @relay: a #MsrpRelay
 * @seconds: the longest session lifetime, at least 1
 *
 * Sets [property@Msrp.Relay:max-expires].
 *
 * Since: 1.0
 */
void
msrp_relay_set_max_expires (MsrpRelay *relay,
                            guint      seconds)
{
  g_return_if_fail (MSRP_IS_RELAY (relay));
  g_return_if_fail (seconds >= 1 && seconds <= G_MAXINT32);

  _msrp_set_uint (G_OBJECT (relay), &relay->max_expires, seconds, properties[PROP_MAX_EXPIRES]);
}

/**
 * msrp_relay_get_default_expires:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:default-expires].
 *
 * Returns: the lifetime of a session whose AUTH had no Expires, in seconds
 *
 * Since: 1.0
 */
guint
msrp_relay_get_default_expires (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), 0);
  return relay->default_expires;
}

/**
 * msrp_relay_set_default_expires:
 * @relay: a #MsrpRelay
 * @seconds: the lifetime of a session whose AUTH has no Expires
 *
 * Sets [property@Msrp.Relay:default-expires]. A value outside
 * [property@Msrp.Relay:min-expires] and [property@Msrp.Relay:max-expires]
 * makes such AUTHs fail with 423.
 *
 * Since: 1.0
 */
void
msrp_relay_set_default_expires (MsrpRelay *relay,
                                guint      seconds)
{
  g_return_if_fail (MSRP_IS_RELAY (relay));
  g_return_if_fail (seconds >= 1 && seconds <= G_MAXINT32);

  _msrp_set_uint (G_OBJECT (relay), &relay->default_expires, seconds, properties[PROP_DEFAULT_EXPIRES]);
}

/**
 * msrp_relay_get_response_timeout:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:response-timeout].
 *
 * Returns: the timeout, in seconds
 *
 * Since: 1.0
 */
guint
msrp_relay_get_response_timeout (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), 0);
  return relay->response_timeout;
}

/**
 * msrp_relay_set_response_timeout:
 * @relay: a #MsrpRelay
 * @seconds: the timeout, at least 1
 *
 * Sets [property@Msrp.Relay:response-timeout]. It applies to the
 * connections and transactions that start afterwards.
 *
 * Since: 1.0
 */
void
msrp_relay_set_response_timeout (MsrpRelay *relay,
                                 guint      seconds)
{
  g_return_if_fail (MSRP_IS_RELAY (relay));
  g_return_if_fail (seconds >= 1 && seconds <= G_MAXUINT / 1000);

  _msrp_set_uint (G_OBJECT (relay), &relay->response_timeout, seconds, properties[PROP_RESPONSE_TIMEOUT]);
}

/**
 * msrp_relay_get_idle_timeout:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:idle-timeout].
 *
 * Returns: the timeout, in seconds
 *
 * Since: 1.0
 */
guint
msrp_relay_get_idle_timeout (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), 0);
  return relay->idle_timeout;
}

/**
 * msrp_relay_set_idle_timeout:
 * @relay: a #MsrpRelay
 * @seconds: the timeout, at least 1
 *
 * Sets [property@Msrp.Relay:idle-timeout], for the connections that open
 * afterwards.
 *
 * Since: 1.0
 */
void
msrp_relay_set_idle_timeout (MsrpRelay *relay,
                             guint      seconds)
{
  g_return_if_fail (MSRP_IS_RELAY (relay));
  g_return_if_fail (seconds >= 1 && seconds <= G_MAXUINT / 1000);

  _msrp_set_uint (G_OBJECT (relay), &relay->idle_timeout, seconds, properties[PROP_IDLE_TIMEOUT]);
}

/**
 * msrp_relay_get_first_request_timeout:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:first-request-timeout].
 *
 * Returns: the first-request timeout, in seconds
 *
 * Since: 1.0
 */
guint
msrp_relay_get_first_request_timeout (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), 0);
  return relay->limits.values[MSRP_LISTENER_LIMIT_FIRST_REQUEST_TIMEOUT];
}

/**
 * msrp_relay_set_first_request_timeout:
 * @relay: a #MsrpRelay
 * @seconds: the timeout, in seconds, at least 1
 *
 * Sets [property@Msrp.Relay:first-request-timeout].
 *
 * Since: 1.0
 */
void
msrp_relay_set_first_request_timeout (MsrpRelay *relay,
                                      guint     seconds)
{
  g_return_if_fail (MSRP_IS_RELAY (relay));
  set_limit (relay, MSRP_LISTENER_LIMIT_FIRST_REQUEST_TIMEOUT, seconds);
}

/**
 * msrp_relay_get_max_pending_connections:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:max-pending-connections].
 *
 * Returns: the largest number of pending connections
 *
 * Since: 1.0
 */
guint
msrp_relay_get_max_pending_connections (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), 0);
  return relay->limits.values[MSRP_LISTENER_LIMIT_MAX_PENDING];
}

/**
 * msrp_relay_set_max_pending_connections:
 * @relay: a #MsrpRelay
 * @max_pending: the largest number, at least 1
 *
 * Sets [property@Msrp.Relay:max-pending-connections].
 *
 * Since: 1.0
 */
void
msrp_relay_set_max_pending_connections (MsrpRelay *relay,
                                        guint     max_pending)
{
  g_return_if_fail (MSRP_IS_RELAY (relay));
  set_limit (relay, MSRP_LISTENER_LIMIT_MAX_PENDING, max_pending);
}

/**
 * msrp_relay_get_max_pending_per_address:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:max-pending-per-address].
 *
 * Returns: the largest number of pending connections from one address
 *
 * Since: 1.0
 */
guint
msrp_relay_get_max_pending_per_address (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), 0);
  return relay->limits.values[MSRP_LISTENER_LIMIT_MAX_PENDING_PER_ADDRESS];
}

/**
 * msrp_relay_set_max_pending_per_address:
 * @relay: a #MsrpRelay
 * @max_pending: the largest number, at least 1
 *
 * Sets [property@Msrp.Relay:max-pending-per-address].
 *
 * Since: 1.0
 */
void
msrp_relay_set_max_pending_per_address (MsrpRelay *relay,
                                        guint     max_pending)
{
  g_return_if_fail (MSRP_IS_RELAY (relay));
  set_limit (relay, MSRP_LISTENER_LIMIT_MAX_PENDING_PER_ADDRESS, max_pending);
}

/**
 * msrp_relay_get_logger:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:logger].
 *
 * Returns: (transfer none) (nullable): the logger, or %NULL
 *
 * Since: 1.0
 */
MsrpLogger *
msrp_relay_get_logger (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), NULL);
  return relay->logger;
}

/**
 * msrp_relay_set_logger:
 * @relay: a #MsrpRelay
 * @logger: (nullable): a logger, or %NULL for `g_debug()`
 *
 * Sets [property@Msrp.Relay:logger].
 *
 * Since: 1.0
 */
void
msrp_relay_set_logger (MsrpRelay  *relay,
                       MsrpLogger *logger)
{
  g_return_if_fail (MSRP_IS_RELAY (relay));
  g_return_if_fail (logger == NULL || MSRP_IS_LOGGER (logger));

  if (g_set_object (&relay->logger, logger))
    g_object_notify_by_pspec (G_OBJECT (relay), properties[PROP_LOGGER]);
}

/**
 * msrp_relay_get_n_sessions:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:n-sessions].
 *
 * Returns: the number of sessions clients hold
 *
 * Since: 1.0
 */
guint
msrp_relay_get_n_sessions (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), 0);
  return g_hash_table_size (relay->sessions);
}

/**
 * msrp_relay_get_max_auth_failures:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:max-auth-failures].
 *
 * Returns: the failed Digest answers one connection may give
 *
 * Since: 1.0
 */
guint
msrp_relay_get_max_auth_failures (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), 0);
  return relay->max_auth_failures;
}

/**
 * msrp_relay_set_max_auth_failures:
 * @relay: a #MsrpRelay
 * @failures: the failed Digest answers one connection may give, at least 1
 *
 * Sets [property@Msrp.Relay:max-auth-failures].
 *
 * Since: 1.0
 */
void
msrp_relay_set_max_auth_failures (MsrpRelay *relay,
                                  guint      failures)
{
  g_return_if_fail (MSRP_IS_RELAY (relay));
  g_return_if_fail (failures >= 1);

  _msrp_set_uint (G_OBJECT (relay), &relay->max_auth_failures, failures, properties[PROP_MAX_AUTH_FAILURES]);
}

/**
 * msrp_relay_get_max_sessions_per_connection:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:max-sessions-per-connection].
 *
 * Returns: the sessions one connection may hold
 *
 * Since: 1.0
 */
guint
msrp_relay_get_max_sessions_per_connection (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), 0);
  return relay->max_sessions_per_connection;
}

/**
 * msrp_relay_set_max_sessions_per_connection:
 * @relay: a #MsrpRelay
 * @sessions: the sessions one connection may hold, at least 1
 *
 * Sets [property@Msrp.Relay:max-sessions-per-connection]. Sessions that
 * exist stay.
 *
 * Since: 1.0
 */
void
msrp_relay_set_max_sessions_per_connection (MsrpRelay *relay,
                                            guint      sessions)
{
  g_return_if_fail (MSRP_IS_RELAY (relay));
  g_return_if_fail (sessions >= 1);

  _msrp_set_uint (G_OBJECT (relay), &relay->max_sessions_per_connection, sessions, properties[PROP_MAX_SESSIONS_PER_CONNECTION]);
}

/**
 * msrp_relay_get_max_sessions_per_user:
 * @relay: a #MsrpRelay
 *
 * Gets [property@Msrp.Relay:max-sessions-per-user].
 *
 * Returns: the sessions one user may hold
 *
 * Since: 1.0
 */
guint
msrp_relay_get_max_sessions_per_user (MsrpRelay *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY (relay), 0);
  return relay->max_sessions_per_user;
}

/**
 * msrp_relay_set_max_sessions_per_user:
 * @relay: a #MsrpRelay
 * @sessions: the sessions one user may hold, at least 1
 *
 * Sets [property@Msrp.Relay:max-sessions-per-user]. Sessions that exist
 * stay.
 *
 * Since: 1.0
 */
void
msrp_relay_set_max_sessions_per_user (MsrpRelay *relay,
                                      guint      sessions)
{
  g_return_if_fail (MSRP_IS_RELAY (relay));
  g_return_if_fail (sessions >= 1);

  _msrp_set_uint (G_OBJECT (relay), &relay->max_sessions_per_user, sessions, properties[PROP_MAX_SESSIONS_PER_USER]);
}
