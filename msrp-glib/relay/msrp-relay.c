/* msrp-relay.c: an RFC 4976 relay server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gnetworking.h>

#include "msrp-relay.h"
#include "msrp-chunk.h"
#include "msrp-chunk-private.h"
#include "msrp-connector.h"
#include "msrp-connector-private.h"
#include "msrp-digest-private.h"
#include "msrp-marshal.h"
#include "msrp-error.h"
#include "msrp-listener-private.h"
#include "msrp-transport.h"
#include "msrp-transport-private.h"
#include "msrp-uri-private.h"
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
 * 401 with a Digest challenge (MD5, `qop="auth"`; a nonce lives five
 * minutes and its nonce count must grow; an expired nonce is challenged
 * again with `stale=TRUE`). With valid credentials and an Expires within
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
 * 15 minutes), and the connection reads nothing meanwhile. After
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
 *   open; that route serves only the client of that session, and a later
 *   request that names the same peer from another connection does not
 *   replace it. The relay accepts any certificate from the hosts it connects
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
 * to, or the connection itself, has more than 256 KiB waiting to be
 * written, so a slow receiver slows its sender down instead of growing
 * the relay's memory.
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

/* The largest piece of a body forwarded at once. */
#define SEGMENT_SIZE (64 * 1024)

/* Reading pauses while a connection has more than HIGH_WATER bytes to
 * write, and goes on once it is below LOW_WATER. */
#define HIGH_WATER (256 * 1024)
#define LOW_WATER (64 * 1024)

/* Bytes counted for the start line, headers and end-line of a chunk. */
#define WRITE_OVERHEAD 512

#define NONCE_LIFETIME_US (300 * G_USEC_PER_SEC)
/* Known expired nonces get stale=TRUE for that long again. */
#define NONCE_MEMORY_US (2 * NONCE_LIFETIME_US)
#define MAX_NONCES 10000

/* A session is forgotten that long after its Expires. */
#define EXPIRES_GRACE_SECONDS 5

/* Forwarded transactions remembered per connection; older ones are
 * forgotten without a report. */
#define MAX_PENDING 4096

#define SESSION_ID_BYTES 16

/* Failed Digest answers are remembered per user and per address for that
 * long after the last one, in at most that many entries; the answer to
 * the n-th (n >= 2) waits AUTH_DELAY_BASE_MS << (n - 2), at most
 * AUTH_DELAY_MAX_MS. */
#define FAILURE_MEMORY_US (15 * 60 * G_USEC_PER_SEC)
#define MAX_FAILURE_ENTRIES 4096
#define AUTH_DELAY_BASE_MS 250
#define AUTH_DELAY_MAX_MS 8000
/* Longer usernames are counted by their hash. */
#define MAX_FAILURE_KEY 128

typedef struct _Conn Conn;
typedef struct _Listener Listener;

typedef struct {
  char *value;
  gint64 issued;
  guint64 last_nc;
} Nonce;

struct _Listener {
  guint ref_count;
  MsrpRelay *relay;            /* NULL once stopped */
  MsrpListener *helper;
  MsrpUri *uri;
};

typedef struct {
  MsrpRelay *relay;
  char *id;
  MsrpUri *uri;
  char *username;
  Conn *conn;                  /* the connection that authenticated it */
  GSource *timer;
} RelaySession;

/* A previous hop that reached a session's client through a connection:
 * the client's requests to that URI go back that way. */
typedef struct {
  char *session_id;
  MsrpUri *uri;
} PeerKey;

/* Recent failed Digest answers of one user or one address. */
typedef struct {
  GList link;                  /* in failure_order */
  char *key;
  guint count;
  gint64 last;
} Failures;

typedef enum {
  CONN_CONNECTING,             /* outgoing, no transport yet */
  CONN_OPEN,
  CONN_CLOSED,
} ConnState;

/* One request being forwarded: its pieces all go the same way. */
typedef struct {
  guint ref_count;
  Conn *in;
  Conn *out;
  char *method;
  char *tid;                   /* as it arrived */
  char *message_id;
  MsrpFailureReport failure_report;
  GPtrArray *orig_from;        /* the From-Path as it arrived */
  GPtrArray *to;               /* the To-Path forwarded */
  GPtrArray *from;             /* the From-Path forwarded */
  MsrpUri *responder;          /* the URI the sender addressed */
  guint n_pieces;
  gboolean answered;           /* the sender got its response */
  gboolean failed;             /* the rest is dropped */
} Route;

/* A forwarded transaction waiting for the next hop's response. */
typedef struct {
  GList link;
  char *tid;
  Route *route;
  gint64 start, end, total;
  gint64 deadline;
} Pending;

/* A piece waiting for its outgoing connection. */
typedef struct {
  MsrpChunk *chunk;
  Route *route;
  gboolean last;
  gsize size;
} QueuedPiece;

struct _Conn {
  guint ref_count;
  MsrpRelay *relay;            /* NULL once closed */
  ConnState state;
  Listener *listener;          /* incoming connections */
  MsrpListenerConn *lconn;     /* incoming, until its first request */
  char *key;                   /* outgoing connections */
  MsrpUri *next_hop;           /* outgoing connections */
  GIOStream *stream;
  MsrpTransport *transport;
  GCancellable *cancellable;
  GSource *timer;              /* connect timeout */
  gboolean busy;               /* connecting: the callback closes */
  gboolean reading;
  gboolean paths_set;
  gsize queued;                /* bytes handed to the transport, not written yet */
  Conn *blocked_on;            /* reading waits for its queue to drain */
  GPtrArray *waiters;          /* connections blocked on this one */
  Conn *last_out;              /* where the last request went */
  GQueue connect_queue;        /* of QueuedPiece */
  GPtrArray *sessions;         /* of RelaySession, owned by the relay */
  GHashTable *pending;         /* tid → Pending */
  GQueue pending_order;
  GSource *pending_timer;
  Route *cur;                  /* the chunk whose pieces are being read */
  GPtrArray *peer_uris;        /* of PeerKey: the routes it taught (keys of by_peer) */
  GSource *idle_timer;         /* closes it when idle and owning no session */
  gint64 last_activity;        /* monotonic time of its last read or write */

  /* Password guessing */
  guint auth_failures;
  char *peer_address;          /* "" when unknown */
  GSource *auth_delay;         /* reading waits until the answer is sent */
  MsrpChunk *delayed_answer;
  gboolean close_after_answer;
};

/* A connection remembers at most this many previous hops. */
#define MAX_PEER_URIS 16

struct _MsrpRelay
{
  GObject parent_instance;

  GMainContext *context;
  char *realm;
  GTlsCertificate *tls_certificate;
  guint min_expires;
  guint max_expires;
  guint default_expires;
  guint response_timeout;
  guint idle_timeout;
  guint first_request_timeout;
  guint max_pending_connections;
  guint max_pending_per_address;
  MsrpLogger *logger;

  GPtrArray *listeners;        /* of Listener */
  GHashTable *connections;     /* set of Conn, each holding a reference */
  GHashTable *outgoing;        /* key → Conn */
  GHashTable *by_peer;         /* PeerKey → the Conn it came on */
  GHashTable *sessions;        /* session-id → RelaySession */
  GHashTable *user_sessions;   /* username → number of sessions */
  GHashTable *failures;        /* key → Failures */
  GQueue failure_order;        /* of Failures, the oldest failure first */
  guint max_auth_failures;
  guint max_sessions_per_connection;
  guint max_sessions_per_user;
  GHashTable *users;           /* username → password */
  GHashTable *nonces;          /* value → Nonce */
  GQueue nonce_order;
};

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
  PROP_FIRST_REQUEST_TIMEOUT,
  PROP_MAX_PENDING_CONNECTIONS,
  PROP_MAX_PENDING_PER_ADDRESS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_LOOKUP_PASSWORD,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (MsrpRelay, msrp_relay, G_TYPE_OBJECT)

static void conn_close (Conn *conn, const char *reason);
static void conn_continue (Conn *conn);
static void piece_send (Route *route, MsrpChunk *chunk, gboolean last);
static void listener_unref (Listener *listener);

/* Small helpers */

/* Callbacks run with the relay's context as the thread-default one, so
 * that the transports, connections and tasks they make complete there. */
static GMainContext *
push_context (MsrpRelay *self)
{
  GMainContext *context;

  if (self == NULL)
    return NULL;
  context = g_main_context_ref (self->context);
  g_main_context_push_thread_default (context);
  return context;
}

static void
pop_context (GMainContext *context)
{
  if (context == NULL)
    return;
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

/* Attaches a timer to the relay's context. */
static GSource *
timer_attach (MsrpRelay   *self,
              GSource     *timer,
              const char  *name,
              GSourceFunc  func,
              gpointer     data)
{
  g_source_set_static_name (timer, name);
  g_source_set_callback (timer, func, data, NULL);
  g_source_attach (timer, self->context);
  return timer;
}

static void
timer_clear (GSource **timer)
{
  if (*timer == NULL)
    return;
  g_source_destroy (*timer);
  g_clear_pointer (timer, g_source_unref);
}

static GPtrArray *
path_prepend (GPtrArray *path,
              guint      skip,
              MsrpUri   *first)
{
  GPtrArray *result = g_ptr_array_new_full (path->len + 1, g_object_unref);

  if (first != NULL)
    g_ptr_array_add (result, g_object_ref (first));
  for (guint i = skip; i < path->len; i++)
    g_ptr_array_add (result, g_object_ref (g_ptr_array_index (path, i)));
  return result;
}

static char *
new_session_id (void)
{
  guint8 bytes[SESSION_ID_BYTES];
  GString *out = g_string_sized_new (2 * SESSION_ID_BYTES + 1);

  /* The session-id is what lets a peer reach a client: unguessable. */
  _msrp_random_bytes (MSRP_RANDOM_SECRET, bytes, sizeof bytes);
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (out, "%02x", bytes[i]);
  return g_string_free (out, FALSE);
}

/* The response to @request, one hop back: To-Path the previous hop,
 * From-Path the URI the request addressed. */
static MsrpChunk *
make_response (MsrpChunk  *request,
               guint       code,
               const char *comment)
{
  MsrpChunk *response = msrp_chunk_new_response (msrp_chunk_get_transaction_id (request), code, comment);
  GPtrArray *to = msrp_chunk_get_to_path (request);
  GPtrArray *from = msrp_chunk_get_from_path (request);

  if (from != NULL && from->len > 0)
    {
      g_autoptr(GPtrArray) path = _msrp_path_new_single (g_ptr_array_index (from, 0));

      msrp_chunk_set_to_path (response, path);
    }
  if (to != NULL && to->len > 0)
    {
      g_autoptr(GPtrArray) path = _msrp_path_new_single (g_ptr_array_index (to, 0));

      msrp_chunk_set_from_path (response, path);
    }
  return response;
}

/* Whether a request with this method and Failure-Report gets a response
 * with @code (RFC 4975 section 7.1.2). */
static gboolean
wants_response (const char        *method,
                MsrpFailureReport  failure_report,
                guint              code)
{
  if (strcmp (method, "REPORT") == 0)
    return FALSE;
  if (strcmp (method, "SEND") != 0)
    return TRUE;
  switch (failure_report)
    {
    case MSRP_FAILURE_REPORT_NO:
      return FALSE;
    case MSRP_FAILURE_REPORT_PARTIAL:
      return code >= 300;
    case MSRP_FAILURE_REPORT_YES:
    default:
      return TRUE;
    }
}

/* Nonces */

static void
nonce_free (gpointer data)
{
  Nonce *nonce = data;

  g_free (nonce->value);
  g_free (nonce);
}

static void
nonces_prune (MsrpRelay *self)
{
  gint64 now = g_get_monotonic_time ();
  Nonce *oldest;

  /* Issued in order, so the oldest come first. */
  while ((oldest = g_queue_peek_head (&self->nonce_order)) != NULL &&
         (now - oldest->issued > NONCE_MEMORY_US || self->nonce_order.length > MAX_NONCES))
    {
      g_queue_pop_head (&self->nonce_order);
      g_hash_table_remove (self->nonces, oldest->value);
    }
}

static const char *
nonce_issue (MsrpRelay *self)
{
  Nonce *nonce = g_new0 (Nonce, 1);

  nonce->value = _msrp_digest_new_nonce ();
  nonce->issued = g_get_monotonic_time ();
  g_queue_push_tail (&self->nonce_order, nonce);
  g_hash_table_replace (self->nonces, nonce->value, nonce);
  nonces_prune (self);
  return nonce->value;
}

/* Sessions */

static void
relay_session_free (gpointer data)
{
  RelaySession *session = data;

  timer_clear (&session->timer);
  if (session->conn != NULL)
    g_ptr_array_remove_fast (session->conn->sessions, session);
  if (session->username != NULL)
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (session->relay->user_sessions, session->username));

      if (n <= 1)
        g_hash_table_remove (session->relay->user_sessions, session->username);
      else
        g_hash_table_insert (session->relay->user_sessions, g_strdup (session->username), GUINT_TO_POINTER (n - 1));
    }
  g_clear_object (&session->uri);
  g_free (session->username);
  g_free (session->id);
  g_free (session);
}

static gboolean
on_session_expired (gpointer user_data)
{
  RelaySession *session = user_data;
  MsrpRelay *self = session->conn->relay;

  g_debug ("relay: session %s expired", session->id);
  g_clear_pointer (&session->timer, g_source_unref);
  g_hash_table_remove (self->sessions, session->id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SESSIONS]);
  return G_SOURCE_REMOVE;
}

static void
session_set_expires (MsrpRelay    *self,
                     RelaySession *session,
                     guint         expires)
{
  timer_clear (&session->timer);
  session->timer = timer_attach (self, g_timeout_source_new_seconds (expires + EXPIRES_GRACE_SECONDS),
                                 "[msrp] relay session expiry", on_session_expired, session);
}

/* A session of this relay that @uri names: by session-id, with the port
 * of the listener it was made on, so that another relay's URIs are not
 * taken for ours. */
static RelaySession *
lookup_session (MsrpRelay *self,
                MsrpUri   *uri,
                gboolean   check_port)
{
  const char *id = msrp_uri_get_session_id (uri);
  RelaySession *session;

  if (id == NULL)
    return NULL;
  session = g_hash_table_lookup (self->sessions, id);
  if (session != NULL && check_port && msrp_uri_get_port (uri) != msrp_uri_get_port (session->uri))
    return NULL;
  return session;
}

/* Routes */

static Route *
route_ref (Route *route)
{
  route->ref_count++;
  return route;
}

static void conn_unref (Conn *conn);

static void
route_unref (Route *route)
{
  if (--route->ref_count > 0)
    return;
  conn_unref (route->in);
  if (route->out != NULL)
    conn_unref (route->out);
  g_free (route->method);
  g_free (route->tid);
  g_free (route->message_id);
  g_clear_pointer (&route->orig_from, g_ptr_array_unref);
  g_clear_pointer (&route->to, g_ptr_array_unref);
  g_clear_pointer (&route->from, g_ptr_array_unref);
  g_clear_object (&route->responder);
  g_free (route);
}

/* Routes to previous hops */

static PeerKey *
peer_key_new (const char *session_id,
              MsrpUri    *uri)
{
  PeerKey *key = g_new0 (PeerKey, 1);

  key->session_id = g_strdup (session_id);
  key->uri = g_object_ref (uri);
  return key;
}

static void
peer_key_free (gpointer data)
{
  PeerKey *key = data;

  g_free (key->session_id);
  g_object_unref (key->uri);
  g_free (key);
}

static guint
peer_key_hash (gconstpointer data)
{
  const PeerKey *key = data;

  return g_str_hash (key->session_id) * 31 + msrp_uri_hash (key->uri);
}

static gboolean
peer_key_equal (gconstpointer a,
                gconstpointer b)
{
  const PeerKey *ka = a, *kb = b;

  return strcmp (ka->session_id, kb->session_id) == 0 && msrp_uri_equal (ka->uri, kb->uri);
}

/* Connections */

static Conn *
conn_ref (Conn *conn)
{
  conn->ref_count++;
  return conn;
}

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_free (pending->tid);
  route_unref (pending->route);
  g_free (pending);
}

static void
queued_piece_free (QueuedPiece *piece)
{
  g_object_unref (piece->chunk);
  route_unref (piece->route);
  g_free (piece);
}

static void
conn_unref (Conn *conn)
{
  if (--conn->ref_count > 0)
    return;

  g_assert (conn->cur == NULL && conn->blocked_on == NULL && conn->last_out == NULL);
  g_assert (g_queue_is_empty (&conn->connect_queue) && g_queue_is_empty (&conn->pending_order));
  g_assert (conn->waiters->len == 0 && conn->sessions->len == 0 && conn->lconn == NULL);
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

static Conn *
conn_new (MsrpRelay *self)
{
  Conn *conn = g_new0 (Conn, 1);

  conn->ref_count = 1;  /* the relay's */
  conn->relay = self;
  conn->cancellable = g_cancellable_new ();
  conn->waiters = g_ptr_array_new ();
  conn->sessions = g_ptr_array_new ();
  conn->pending = g_hash_table_new (g_str_hash, g_str_equal);
  conn->peer_uris = g_ptr_array_new_with_free_func (peer_key_free);
  g_queue_init (&conn->connect_queue);
  g_queue_init (&conn->pending_order);
  g_hash_table_add (self->connections, conn);
  return conn;
}

static void
conn_wake_waiters (Conn *conn)
{
  g_autoptr(GPtrArray) waiters = NULL;

  if (conn->waiters->len == 0)
    return;
  waiters = g_steal_pointer (&conn->waiters);
  conn->waiters = g_ptr_array_new ();
  for (guint i = 0; i < waiters->len; i++)
    {
      Conn *waiter = g_ptr_array_index (waiters, i);

      if (waiter->blocked_on == conn)
        {
          waiter->blocked_on = NULL;
          conn_unref (conn);
          conn_continue (waiter);
        }
      conn_unref (waiter);
    }
}

typedef struct {
  Conn *conn;
  gsize size;
} WriteContext;

static void
on_conn_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  WriteContext *ctx = user_data;
  Conn *conn = ctx->conn;
  g_autoptr(GError) error = NULL;
  GMainContext *context = push_context (conn->relay);

  conn->queued -= ctx->size;
  if (!msrp_transport_write_chunk_finish (MSRP_TRANSPORT (source), result, &error))
    conn_close (conn, error->message);
  else if (conn->queued <= LOW_WATER)
    conn_wake_waiters (conn);
  conn_unref (conn);
  g_free (ctx);
  pop_context (context);
}

/* Hands a chunk to the connection's write queue. */
static gboolean
conn_write (Conn      *conn,
            MsrpChunk *chunk)
{
  WriteContext *ctx;

  if (conn->relay == NULL || conn->transport == NULL)
    return FALSE;
  ctx = g_new0 (WriteContext, 1);
  ctx->conn = conn_ref (conn);
  ctx->size = msrp_chunk_get_size (chunk) + WRITE_OVERHEAD;
  conn->queued += ctx->size;
  conn->last_activity = g_get_monotonic_time ();
  msrp_transport_write_chunk_async (conn->transport, chunk, NULL, on_conn_written, ctx);
  return TRUE;
}

static void
conn_respond (Conn       *conn,
              MsrpChunk  *request,
              guint       code,
              const char *comment)
{
  g_autoptr(MsrpChunk) response = NULL;

  if (!wants_response (msrp_chunk_get_method (request), msrp_chunk_get_failure_report (request), code))
    return;
  response = make_response (request, code, comment);
  conn_write (conn, response);
}

/* Sends a response back to the sender of a route, one hop: To-Path the
 * previous hop, From-Path the URI the sender addressed. */
static void
route_reply (Route     *route,
             MsrpChunk *response)
{
  g_autoptr(GPtrArray) to = _msrp_path_new_single (g_ptr_array_index (route->orig_from, 0));
  g_autoptr(GPtrArray) from = _msrp_path_new_single (route->responder);

  route->answered = TRUE;
  msrp_chunk_set_to_path (response, to);
  msrp_chunk_set_from_path (response, from);
  conn_write (route->in, response);
}

/* The response the sender of a route gets from the relay itself. */
static void
route_answer (Route      *route,
              guint       code,
              const char *comment)
{
  g_autoptr(MsrpChunk) response = NULL;

  if (route->answered)
    return;
  route->answered = TRUE;
  if (!wants_response (route->method, route->failure_report, code))
    return;

  response = msrp_chunk_new_response (route->tid, code, comment);
  route_reply (route, response);
}

static void
route_fail (Route      *route,
            guint       code,
            const char *comment)
{
  if (route->failed)
    return;
  g_debug ("relay: cannot forward %s %s: %u", route->method, route->tid, code);
  route->failed = TRUE;
  route_answer (route, code, comment);
}

/* A failure REPORT back to the sender of a SEND (RFC 4975 section 7.1.2). */
static void
route_report (Route      *route,
              gint64      start,
              gint64      end,
              gint64      total,
              guint       code,
              const char *comment)
{
  g_autoptr(MsrpChunk) report = NULL;
  g_autoptr(GPtrArray) from = NULL;

  if (route->failure_report == MSRP_FAILURE_REPORT_NO || route->in->relay == NULL ||
      strcmp (route->method, "SEND") != 0)
    return;

  g_debug ("relay: failure REPORT %u for %s", code, route->tid);
  report = msrp_chunk_new_request ("REPORT", NULL);
  msrp_chunk_set_to_path (report, route->orig_from);
  from = _msrp_path_new_single (route->responder);
  msrp_chunk_set_from_path (report, from);
  if (route->message_id != NULL)
    msrp_chunk_set_message_id (report, route->message_id);
  msrp_chunk_set_byte_range (report, start, end, total);
  if (comment != NULL && !msrp_is_header_value (comment))
    comment = NULL;
  msrp_chunk_set_status (report, code, comment);
  conn_write (route->in, report);
}

/* Pending transactions */

static void
pending_remove (Conn    *conn,
                Pending *pending)
{
  g_hash_table_remove (conn->pending, pending->tid);
  g_queue_unlink (&conn->pending_order, &pending->link);
}

/* The next hop failed (@silent: it did not answer, or its connection
 * was lost): what the sender is told. */
static void
pending_fail (Pending    *pending,
              guint       code,
              const char *comment,
              gboolean    silent)
{
  Route *route = pending->route;

  if (strcmp (route->method, "SEND") == 0)
    {
      /* partial: the next hop answers only failures, so silence is fine */
      if (!silent || route->failure_report == MSRP_FAILURE_REPORT_YES)
        route_report (route, pending->start, pending->end, pending->total, code, comment);
    }
  else
    route_answer (route, code, comment);
}

static void pending_schedule (Conn *conn);

static gboolean
on_pending_timeout (gpointer user_data)
{
  Conn *conn = user_data;
  gint64 now = g_get_monotonic_time ();
  Pending *pending;

  GMainContext *context = push_context (conn->relay);

  g_clear_pointer (&conn->pending_timer, g_source_unref);
  conn_ref (conn);
  while (conn->relay != NULL &&
         (pending = g_queue_peek_head (&conn->pending_order)) != NULL && pending->deadline <= now)
    {
      pending_remove (conn, pending);
      pending_fail (pending, MSRP_STATUS_REQUEST_TIMEOUT, NULL, TRUE);
      pending_free (pending);
    }
  if (conn->relay != NULL)
    pending_schedule (conn);
  conn_unref (conn);
  pop_context (context);
  return G_SOURCE_REMOVE;
}

static void
pending_schedule (Conn *conn)
{
  Pending *first = g_queue_peek_head (&conn->pending_order);
  gint64 delay;

  if (conn->pending_timer != NULL || first == NULL)
    return;
  delay = MAX (first->deadline - g_get_monotonic_time (), 0);
  conn->pending_timer = timer_attach (conn->relay, g_timeout_source_new (delay / 1000 + 1),
                                      "[msrp] relay response timeout", on_pending_timeout, conn);
}

static void
pending_add (Conn      *conn,
             Route     *route,
             MsrpChunk *chunk)
{
  Pending *pending;

  if (strcmp (route->method, "REPORT") == 0 ||
      (strcmp (route->method, "SEND") == 0 && route->failure_report == MSRP_FAILURE_REPORT_NO))
    return;

  if (conn->pending_order.length >= MAX_PENDING)
    {
      Pending *oldest = g_queue_peek_head (&conn->pending_order);

      pending_remove (conn, oldest);
      pending_free (oldest);
    }

  pending = g_new0 (Pending, 1);
  pending->link.data = pending;
  pending->tid = g_strdup (msrp_chunk_get_transaction_id (chunk));
  pending->route = route_ref (route);
  msrp_chunk_get_byte_range (chunk, &pending->start, &pending->end, &pending->total);
  if (pending->end < 0)
    pending->end = pending->start + msrp_chunk_get_size (chunk) - 1;
  pending->deadline = g_get_monotonic_time () + (gint64) conn->relay->response_timeout * G_USEC_PER_SEC;

  /* A tid used twice: the older transaction is forgotten. */
  {
    Pending *old = g_hash_table_lookup (conn->pending, pending->tid);

    if (old != NULL)
      {
        pending_remove (conn, old);
        pending_free (old);
      }
  }
  g_hash_table_insert (conn->pending, pending->tid, pending);
  g_queue_push_tail_link (&conn->pending_order, &pending->link);
  pending_schedule (conn);
}

/* A response from a next hop. */
static void
handle_response (Conn      *conn,
                 MsrpChunk *response)
{
  Pending *pending = g_hash_table_lookup (conn->pending, msrp_chunk_get_transaction_id (response));
  Route *route;
  guint code = msrp_chunk_get_code (response);

  if (pending == NULL)
    {
      g_debug ("relay: dropping a response to an unknown transaction %s",
               msrp_chunk_get_transaction_id (response));
      return;
    }
  pending_remove (conn, pending);
  route = pending->route;

  if (strcmp (route->method, "SEND") == 0)
    {
      if (code >= 300)
        pending_fail (pending, code, msrp_chunk_get_comment (response), FALSE);
    }
  else if (!route->answered && route->in->relay != NULL)
    {
      g_autoptr(MsrpChunk) copy = msrp_chunk_copy (response);

      /* Passed back, one hop further. */
      route_reply (route, copy);
    }
  pending_free (pending);
}

/* Closing */

static void
conn_close (Conn       *conn,
            const char *reason)
{
  MsrpRelay *self = conn->relay;
  QueuedPiece *piece;
  Pending *pending;
  gboolean had_sessions;

  if (self == NULL)
    return;

  g_debug ("relay: closing connection %p: %s", conn, reason);
  conn_ref (conn);
  conn->relay = NULL;
  conn->state = CONN_CLOSED;
  g_cancellable_cancel (conn->cancellable);
  timer_clear (&conn->timer);
  if (conn->lconn != NULL)
    _msrp_listener_conn_release (g_steal_pointer (&conn->lconn));
  timer_clear (&conn->idle_timer);
  timer_clear (&conn->pending_timer);

  had_sessions = conn->sessions->len > 0;
  while (conn->sessions->len > 0)
    {
      RelaySession *session = g_ptr_array_index (conn->sessions, conn->sessions->len - 1);

      g_debug ("relay: session %s ends with its connection", session->id);
      g_hash_table_remove (self->sessions, session->id);
    }

  if (conn->key != NULL && g_hash_table_lookup (self->outgoing, conn->key) == conn)
    g_hash_table_remove (self->outgoing, conn->key);
  for (guint i = 0; i < conn->peer_uris->len; i++)
    {
      PeerKey *key = g_ptr_array_index (conn->peer_uris, i);

      if (g_hash_table_lookup (self->by_peer, key) == conn)
        g_hash_table_remove (self->by_peer, key);
    }
  g_ptr_array_set_size (conn->peer_uris, 0);
  timer_clear (&conn->auth_delay);
  g_clear_object (&conn->delayed_answer);

  while ((piece = g_queue_pop_head (&conn->connect_queue)) != NULL)
    {
      route_fail (piece->route, MSRP_STATUS_REQUEST_TIMEOUT, "Downstream-failure");
      queued_piece_free (piece);
    }
  while ((pending = g_queue_peek_head (&conn->pending_order)) != NULL)
    {
      pending_remove (conn, pending);
      pending_fail (pending, MSRP_STATUS_REQUEST_TIMEOUT, "Downstream-failure", TRUE);
      pending_free (pending);
    }
  g_clear_pointer (&conn->cur, route_unref);
  g_clear_pointer (&conn->last_out, conn_unref);

  if (conn->blocked_on != NULL)
    {
      Conn *other = g_steal_pointer (&conn->blocked_on);

      if (g_ptr_array_remove (other->waiters, conn))
        conn_unref (conn);
      conn_unref (other);
    }
  conn_wake_waiters (conn);

  if (conn->transport != NULL)
    msrp_transport_close_async (conn->transport, NULL, NULL, NULL);
  else if (conn->stream != NULL && !conn->busy)
    g_io_stream_close_async (conn->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  /* else the connect callback closes it */

  g_hash_table_remove (self->connections, conn);
  if (had_sessions)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SESSIONS]);
  conn_unref (conn);
}

static gboolean
on_conn_timeout (gpointer user_data)
{
  Conn *conn = user_data;

  g_clear_pointer (&conn->timer, g_source_unref);
  conn_close (conn, "could not connect in time");
  return G_SOURCE_REMOVE;
}

static gboolean
on_idle_check (gpointer user_data)
{
  Conn *conn = user_data;
  MsrpRelay *self = conn->relay;
  gint64 idle = g_get_monotonic_time () - conn->last_activity;

  if (self == NULL || conn->sessions->len > 0 || !g_queue_is_empty (&conn->pending_order) ||
      conn->queued > 0 || idle < (gint64) self->idle_timeout * G_USEC_PER_SEC)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&conn->idle_timer, g_source_unref);
  conn_close (conn, "idle, with no session");
  return G_SOURCE_REMOVE;
}

static void
conn_start_idle_watch (Conn *conn)
{
  conn->last_activity = g_get_monotonic_time ();
  conn->idle_timer = timer_attach (conn->relay, g_timeout_source_new_seconds (conn->relay->idle_timeout),
                                   "[msrp] relay idle connection", on_idle_check, conn);
}

static void
conn_start_timer (Conn *conn)
{
  conn->timer = timer_attach (conn->relay, g_timeout_source_new_seconds (conn->relay->response_timeout),
                              "[msrp] relay connection setup", on_conn_timeout, conn);
}

/* AUTH */

static MsrpChunk *
make_challenge (Conn      *conn,
                MsrpChunk *request,
                gboolean   stale)
{
  MsrpRelay *self = conn->relay;
  MsrpChunk *response = make_response (request, MSRP_STATUS_UNAUTHORIZED, NULL);
  g_autofree char *challenge = _msrp_digest_make_challenge (self->realm, nonce_issue (self), stale);

  msrp_chunk_set_www_authenticate (response, challenge);
  return response;
}

static void
send_challenge (Conn      *conn,
                MsrpChunk *request,
                gboolean   stale)
{
  g_autoptr(MsrpChunk) response = make_challenge (conn, request, stale);

  conn_write (conn, response);
}

static char *
lookup_password (MsrpRelay  *self,
                 const char *username)
{
  const char *password = g_hash_table_lookup (self->users, username);
  char *found = NULL;

  if (password != NULL)
    return g_strdup (password);
  g_signal_emit (self, signals[SIGNAL_LOOKUP_PASSWORD], 0, username, &found);
  return found;
}

/* Password guessing */

static void
failures_free (gpointer data)
{
  Failures *failures = data;

  g_free (failures->key);
  g_free (failures);
}

static void
failures_prune (MsrpRelay *self,
                gint64     now)
{
  Failures *oldest;

  /* Kept in the order of their last failure, so the oldest come first;
   * room is left for one more. */
  while ((oldest = g_queue_peek_head (&self->failure_order)) != NULL &&
         (now - oldest->last > FAILURE_MEMORY_US || self->failure_order.length >= MAX_FAILURE_ENTRIES))
    {
      g_queue_unlink (&self->failure_order, &oldest->link);
      g_hash_table_remove (self->failures, oldest->key);
    }
}

/* Counts one more failed answer for a user (@kind 'u') or an address
 * ('a'), and gives the number of its recent failures. */
static guint
failures_add (MsrpRelay  *self,
              char        kind,
              const char *name)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *key = NULL;
  Failures *failures;

  failures_prune (self, now);
  if (strlen (name) > MAX_FAILURE_KEY)
    {
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);

      key = g_strdup_printf ("%c#%s", kind, hash);
    }
  else
    key = g_strdup_printf ("%c:%s", kind, name);

  failures = g_hash_table_lookup (self->failures, key);
  if (failures == NULL)
    {
      failures = g_new0 (Failures, 1);
      failures->link.data = failures;
      failures->key = g_steal_pointer (&key);
      g_hash_table_insert (self->failures, failures->key, failures);
    }
  else
    g_queue_unlink (&self->failure_order, &failures->link);
  failures->count++;
  failures->last = now;
  g_queue_push_tail_link (&self->failure_order, &failures->link);
  return failures->count;
}

/* The IP address a connection comes from ("" when unknown). */
static const char *
conn_peer_address (Conn *conn)
{
  g_autoptr(GIOStream) base = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  GIOStream *stream = conn->stream;

  if (conn->peer_address != NULL)
    return conn->peer_address;
  if (G_IS_TLS_CONNECTION (stream))
    {
      g_object_get (stream, "base-io-stream", &base, NULL);
      stream = base;
    }
  if (G_IS_SOCKET_CONNECTION (stream))
    address = g_socket_connection_get_remote_address (G_SOCKET_CONNECTION (stream), NULL);
  if (G_IS_INET_SOCKET_ADDRESS (address))
    conn->peer_address = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  else
    conn->peer_address = g_strdup ("");
  return conn->peer_address;
}

static gboolean
on_auth_delay (gpointer user_data)
{
  Conn *conn = user_data;
  g_autoptr(MsrpChunk) answer = g_steal_pointer (&conn->delayed_answer);
  GMainContext *context = push_context (conn->relay);

  g_clear_pointer (&conn->auth_delay, g_source_unref);
  conn_write (conn, answer);
  if (conn->close_after_answer)
    conn_close (conn, "too many failed AUTH answers");
  else
    conn_continue (conn);
  pop_context (context);
  return G_SOURCE_REMOVE;
}

/* A Digest answer that failed: a new challenge (@code 401), or @code.
 * The answer comes later and later as the recent failures of the user or
 * of the address add up, and the connection reads nothing meanwhile, so
 * that guesses cannot be pipelined. After max-auth-failures on one
 * connection the answer is 403 and the connection closes, as msrprelay
 * does: a new connection is a new TCP (and TLS) handshake, and it starts
 * with the same delay. */
static void
auth_failed (Conn       *conn,
             MsrpChunk  *request,
             const char *username,
             guint       code,
             const char *comment)
{
  MsrpRelay *self = conn->relay;
  const char *address = conn_peer_address (conn);
  g_autoptr(MsrpChunk) answer = NULL;
  gboolean last;
  guint n = 0, delay;

  if (*address != '\0')
    n = failures_add (self, 'a', address);
  if (username != NULL)
    {
      guint n_user = failures_add (self, 'u', username);

      n = MAX (n, n_user);
    }
  last = ++conn->auth_failures >= self->max_auth_failures;
  if (last)
    answer = make_response (request, MSRP_STATUS_FORBIDDEN, "Too many failed attempts");
  else if (code == MSRP_STATUS_UNAUTHORIZED)
    answer = make_challenge (conn, request, FALSE);
  else
    answer = make_response (request, code, comment);

  delay = n < 2 ? 0 : MIN (AUTH_DELAY_MAX_MS, AUTH_DELAY_BASE_MS << MIN (n - 2, 16));
  g_debug ("relay: failed AUTH %u on connection %p, %u recently; answered in %u ms",
           conn->auth_failures, conn, n, delay);
  if (delay == 0)
    {
      conn_write (conn, answer);
      if (last)
        conn_close (conn, "too many failed AUTH answers");
      return;
    }
  conn->delayed_answer = g_steal_pointer (&answer);
  conn->close_after_answer = last;
  conn->auth_delay = timer_attach (self, g_timeout_source_new (delay),
                                   "[msrp] relay failed AUTH delay", on_auth_delay, conn);
}

static void
handle_auth (Conn      *conn,
             MsrpChunk *request)
{
  MsrpRelay *self = conn->relay;
  MsrpUri *target = g_ptr_array_index (msrp_chunk_get_to_path (request), 0);
  RelaySession *session = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *password = NULL;
  g_autofree char *to_text = NULL;
  g_autoptr(MsrpChunk) response = NULL;
  g_autoptr(GPtrArray) use_path = NULL;
  const char *username, *nonce_value, *qop, *digest_uri;
  Nonce *nonce;
  gint64 expires;

  if (msrp_uri_get_session_id (target) != NULL)
    {
      /* A refresh, on the connection that made the session. */
      session = lookup_session (self, target, FALSE);
      if (session == NULL || session->conn != conn)
        {
          conn_respond (conn, request, MSRP_STATUS_SESSION_DOES_NOT_EXIST, NULL);
          return;
        }
    }
  else if (conn->listener == NULL)
    {
      conn_respond (conn, request, MSRP_STATUS_FORBIDDEN, "AUTH only from clients");
      return;
    }

  if (msrp_chunk_get_authorization (request) == NULL)
    {
      send_challenge (conn, request, FALSE);
      return;
    }
  params = msrp_chunk_get_auth_params (request, "Authorization", &scheme);
  if (params == NULL || g_ascii_strcasecmp (scheme, "Digest") != 0 ||
      (username = g_hash_table_lookup (params, "username")) == NULL ||
      (nonce_value = g_hash_table_lookup (params, "nonce")) == NULL ||
      g_hash_table_lookup (params, "realm") == NULL ||
      g_hash_table_lookup (params, "response") == NULL)
    {
      conn_respond (conn, request, MSRP_STATUS_BAD_REQUEST, "Malformed Authorization");
      return;
    }

  /* The answer must be for this request (RFC 2617 section 3.2.2.5: 400
   * otherwise), not one made for another host or session. */
  digest_uri = g_hash_table_lookup (params, "uri");
  if (digest_uri != NULL)
    {
      g_autoptr(MsrpUri) parsed = msrp_uri_parse (digest_uri, NULL);

      if (parsed == NULL || !msrp_uri_equal (parsed, target))
        {
          g_debug ("relay: AUTH with a Digest uri for another URI");
          auth_failed (conn, request, username, MSRP_STATUS_BAD_REQUEST, "Digest uri is not the To-Path");
          return;
        }
    }

  if (g_strcmp0 (g_hash_table_lookup (params, "realm"), self->realm) != 0)
    {
      g_debug ("relay: AUTH for another realm");
      auth_failed (conn, request, username, MSRP_STATUS_UNAUTHORIZED, NULL);
      return;
    }

  nonces_prune (self);
  nonce = g_hash_table_lookup (self->nonces, nonce_value);
  if (nonce == NULL)
    {
      g_debug ("relay: AUTH with an unknown nonce");
      auth_failed (conn, request, username, MSRP_STATUS_UNAUTHORIZED, NULL);
      return;
    }
  /* Without uri=, the digest-uri is the To-Path URI as it was written:
   * that is what clients that leave uri= out hash. */
  to_text = g_strstrip (g_strdup (msrp_chunk_get_header (request, "To-Path")));
  password = lookup_password (self, username);
  if (password == NULL || !_msrp_digest_verify (params, password, MSRP_DIGEST_METHOD, to_text))
    {
      g_debug ("relay: AUTH with wrong credentials for “%s”", username);
      auth_failed (conn, request, username, MSRP_STATUS_UNAUTHORIZED, NULL);
      return;
    }
  if (g_get_monotonic_time () - nonce->issued > NONCE_LIFETIME_US)
    {
      send_challenge (conn, request, TRUE);
      return;
    }

  /* Replays: the nonce count must grow; without qop a nonce is good once. */
  qop = g_hash_table_lookup (params, "qop");
  if (qop != NULL)
    {
      const char *nc_str = g_hash_table_lookup (params, "nc");
      char *end = NULL;
      guint64 nc = nc_str ? g_ascii_strtoull (nc_str, &end, 16) : 0;

      if (nc_str == NULL || *nc_str == '\0' || *end != '\0' || nc <= nonce->last_nc)
        {
          g_debug ("relay: AUTH replayed a nonce count");
          auth_failed (conn, request, username, MSRP_STATUS_UNAUTHORIZED, NULL);
          return;
        }
      nonce->last_nc = nc;
    }
  else
    {
      if (nonce->last_nc > 0)
        {
          auth_failed (conn, request, username, MSRP_STATUS_UNAUTHORIZED, NULL);
          return;
        }
      nonce->last_nc = 1;
    }

  if (session == NULL)
    {
      /* RFC 4976 has no status for "too many sessions": 403 says that
       * the request was understood and is refused, so clients give up
       * instead of answering a new challenge (401) or another Expires
       * (423). */
      if (conn->sessions->len >= self->max_sessions_per_connection)
        {
          conn_respond (conn, request, MSRP_STATUS_FORBIDDEN, "Too many sessions on this connection");
          return;
        }
      if (GPOINTER_TO_UINT (g_hash_table_lookup (self->user_sessions, username)) >= self->max_sessions_per_user)
        {
          conn_respond (conn, request, MSRP_STATUS_FORBIDDEN, "Too many sessions for this user");
          return;
        }
    }

  expires = msrp_chunk_get_expires (request);
  if (expires < 0)
    expires = self->default_expires;
  if (expires < self->min_expires || expires > self->max_expires)
    {
      response = make_response (request, MSRP_STATUS_INTERVAL_OUT_OF_BOUNDS, NULL);
      if (expires < self->min_expires)
        msrp_chunk_set_min_expires (response, self->min_expires);
      else
        msrp_chunk_set_max_expires (response, self->max_expires);
      conn_write (conn, response);
      return;
    }

  if (session == NULL)
    {
      MsrpUri *listen_uri = conn->listener->uri;
      guint n_user = GPOINTER_TO_UINT (g_hash_table_lookup (self->user_sessions, username));

      session = g_new0 (RelaySession, 1);
      session->relay = self;
      session->id = new_session_id ();
      session->uri = g_object_new (MSRP_TYPE_URI,
                                   "host", msrp_uri_get_host (listen_uri),
                                   "port", msrp_uri_get_port (listen_uri),
                                   "session-id", session->id,
                                   "transport", "tcp",
                                   "use-tls", msrp_uri_get_use_tls (listen_uri),
                                   NULL);
      session->username = g_strdup (username);
      session->conn = conn;
      g_hash_table_insert (self->user_sessions, g_strdup (username), GUINT_TO_POINTER (n_user + 1));
      g_ptr_array_add (conn->sessions, session);
      g_hash_table_insert (self->sessions, session->id, session);
      g_debug ("relay: new session %s for “%s”", session->id, username);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SESSIONS]);
    }
  else
    g_debug ("relay: session %s refreshed", session->id);
  session_set_expires (self, session, expires);

  response = make_response (request, MSRP_STATUS_OK, NULL);
  use_path = _msrp_path_new_single (session->uri);
  msrp_chunk_set_use_path (response, use_path);
  msrp_chunk_set_expires (response, expires);
  conn_write (conn, response);
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
conn_open (Conn      *conn,
           GPtrArray *local_path,
           GPtrArray *remote_path)
{
  conn->transport = g_object_new (MSRP_TYPE_TRANSPORT, "stream", conn->stream, NULL);
  msrp_transport_set_logger (conn->transport, conn->relay->logger);
  if (local_path != NULL && remote_path != NULL)
    {
      _msrp_transport_set_paths (conn->transport, local_path, remote_path);
      conn->paths_set = TRUE;
    }
  conn->state = CONN_OPEN;
  conn_start_idle_watch (conn);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Conn *conn = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) remote = NULL;
  QueuedPiece *piece;

  GMainContext *context = push_context (conn->relay);

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  conn->busy = FALSE;
  if (conn->relay == NULL)
    {
      if (connection != NULL)
        g_io_stream_close_async (G_IO_STREAM (connection), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
    }
  else if (connection == NULL)
    conn_close (conn, error->message);
  else
    {
      g_debug ("relay: connected to %s", conn->key);
      timer_clear (&conn->timer);
      conn->stream = G_IO_STREAM (g_steal_pointer (&connection));
      remote = _msrp_path_new_single (conn->next_hop);
      conn_open (conn, remote, remote);

      while ((piece = g_queue_pop_head (&conn->connect_queue)) != NULL)
        {
          conn->queued -= piece->size;
          piece_send (piece->route, piece->chunk, piece->last);
          queued_piece_free (piece);
        }
      conn_continue (conn);
    }
  conn_unref (conn);
  pop_context (context);
}

static Conn *
get_outgoing (MsrpRelay *self,
              MsrpUri   *uri)
{
  g_autofree char *host = g_ascii_strdown (msrp_uri_get_host (uri), -1);
  guint port = msrp_uri_get_port (uri) ? msrp_uri_get_port (uri) : MSRP_DEFAULT_PORT;
  g_autofree char *key = g_strdup_printf ("%s://%s:%u", msrp_uri_get_use_tls (uri) ? "msrps" : "msrp",
                                          host, port);
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  Conn *conn;

  conn = g_hash_table_lookup (self->outgoing, key);
  if (conn != NULL)
    return conn;

  g_debug ("relay: connecting to %s", key);
  conn = conn_new (self);
  conn->key = g_steal_pointer (&key);
  conn->next_hop = g_object_ref (uri);
  conn->state = CONN_CONNECTING;
  conn->busy = TRUE;
  g_hash_table_insert (self->outgoing, conn->key, conn);

  client = g_socket_client_new ();
  g_signal_connect (client, "event", G_CALLBACK (on_client_event), NULL);
  if (msrp_uri_get_use_tls (uri))
    g_socket_client_set_tls (client, TRUE);
  connectable = _msrp_uri_to_connectable (uri);
  conn_start_timer (conn);
  g_socket_client_connect_async (client, connectable, conn->cancellable, on_connected, conn_ref (conn));
  return conn;
}

/* Forwarding */

/* A copy of a piece under a new transaction id. The headers go through
 * the parser so that they stay exactly as they were, in their order. */
static MsrpChunk *
copy_with_tid (MsrpChunk  *piece,
               const char *tid)
{
  g_autoptr(MsrpChunk) head = msrp_chunk_copy (piece);
  g_autoptr(GBytes) placeholder = g_bytes_new_static ("x", 1);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  GString *encoded = g_string_new (NULL);
  GString *out;
  const char *rest;
  MsrpChunk *copy;

  msrp_chunk_set_data (head, placeholder);
  _msrp_chunk_encode_head (head, encoded);
  rest = strstr (encoded->str, "\r\n");
  out = g_string_new (NULL);
  g_string_append_printf (out, "MSRP %s %s%sx\r\n-------%s$\r\n",
                          tid, msrp_chunk_get_method (piece), rest, tid);
  g_string_free (encoded, TRUE);
  bytes = g_string_free_to_bytes (out);

  copy = msrp_chunk_parse (bytes, NULL, &error);
  if (copy == NULL)
    {
      g_debug ("relay: could not copy a piece: %s", error->message);
      return NULL;
    }
  msrp_chunk_set_data (copy, msrp_chunk_get_data (piece));
  msrp_chunk_set_continuation (copy, msrp_chunk_get_continuation (piece));
  return copy;
}

/* Hands a piece to an open connection. */
static void
piece_send (Route     *route,
            MsrpChunk *chunk,
            gboolean   last)
{
  Conn *out = route->out;

  if (route->failed)
    return;
  if (!conn_write (out, chunk))
    {
      route_fail (route, MSRP_STATUS_REQUEST_TIMEOUT, "Downstream-failure");
      return;
    }
  pending_add (out, route, chunk);
  if (last && strcmp (route->method, "SEND") == 0)
    route_answer (route, MSRP_STATUS_OK, NULL);
}

static void
route_forward (Route     *route,
               MsrpChunk *piece,
               gboolean   last)
{
  Conn *out = route->out;
  g_autoptr(MsrpChunk) chunk = NULL;

  if (route->failed)
    return;

  if (route->n_pieces++ == 0)
    chunk = msrp_chunk_copy (piece);
  else
    {
      g_autofree char *tid = msrp_random_ident (MSRP_RANDOM_ID_LENGTH);

      chunk = copy_with_tid (piece, tid);
      if (chunk == NULL)
        {
          route_fail (route, MSRP_STATUS_BAD_REQUEST, NULL);
          return;
        }
    }
  msrp_chunk_set_to_path (chunk, route->to);
  msrp_chunk_set_from_path (chunk, route->from);

  g_clear_pointer (&route->in->last_out, conn_unref);
  route->in->last_out = conn_ref (out);

  if (out->state == CONN_CONNECTING)
    {
      QueuedPiece *queued = g_new0 (QueuedPiece, 1);

      queued->chunk = g_steal_pointer (&chunk);
      queued->route = route_ref (route);
      queued->last = last;
      queued->size = msrp_chunk_get_size (queued->chunk) + WRITE_OVERHEAD;
      out->queued += queued->size;
      g_queue_push_tail (&out->connect_queue, queued);
    }
  else
    piece_send (route, chunk, last);
}

/* The previous hop of a request that reached a session's client from
 * another connection is reachable through that connection (RFC 4975
 * section 6: connections are reused): a peer that connected to us
 * directly, with a URI that names no listening socket, gets the client's
 * requests and REPORTs back that way. The route serves that session's
 * client only, so that nobody can divert another client's traffic, and
 * never replaces a route whose connection is open. */
static void
remember_peer (Conn         *conn,
               RelaySession *session,
               MsrpUri      *uri)
{
  MsrpRelay *self = conn->relay;
  PeerKey lookup = { session->id, uri };
  Conn *known;

  if (msrp_uri_get_session_id (uri) == NULL)
    return;
  known = g_hash_table_lookup (self->by_peer, &lookup);
  if (known != NULL)
    return;  /* ours already, or another open connection's */
  if (conn->peer_uris->len >= MAX_PEER_URIS)
    {
      PeerKey *oldest = g_ptr_array_index (conn->peer_uris, 0);

      if (g_hash_table_lookup (self->by_peer, oldest) == conn)
        g_hash_table_remove (self->by_peer, oldest);
      g_ptr_array_remove_index (conn->peer_uris, 0);
    }
  g_ptr_array_add (conn->peer_uris, peer_key_new (session->id, uri));
  g_hash_table_insert (self->by_peer, peer_key_new (session->id, uri), conn);
}

/* Decides where a request goes (see the class documentation). Returns
 * NULL with the status to answer in @code when it cannot be forwarded. */
static Route *
route_new (Conn       *conn,
           MsrpChunk  *request,
           guint      *code,
           const char **comment)
{
  MsrpRelay *self = conn->relay;
  GPtrArray *to = msrp_chunk_get_to_path (request);
  GPtrArray *from = msrp_chunk_get_from_path (request);
  MsrpUri *first = g_ptr_array_index (to, 0);
  RelaySession *s0, *s1 = NULL;
  g_autoptr(GPtrArray) new_to = NULL;
  g_autoptr(GPtrArray) new_from = NULL;
  gboolean learn = FALSE;
  Conn *out;
  Route *route;

  if (msrp_uri_get_session_id (first) == NULL)
    {
      *code = MSRP_STATUS_FORBIDDEN;
      *comment = "Nowhere to forward";
      return NULL;
    }
  s0 = lookup_session (self, first, FALSE);
  if (s0 == NULL)
    {
      *code = MSRP_STATUS_SESSION_DOES_NOT_EXIST;
      *comment = NULL;
      return NULL;
    }
  if (to->len < 2)
    {
      *code = MSRP_STATUS_FORBIDDEN;
      *comment = "Nowhere to forward";
      return NULL;
    }

  new_to = path_prepend (to, 1, NULL);
  new_from = path_prepend (from, 0, s0->uri);
  s1 = lookup_session (self, g_ptr_array_index (new_to, 0), TRUE);
  if (s1 != NULL)
    {
      /* Both peers use this relay. */
      GPtrArray *tmp;

      if (new_to->len < 2)
        {
          *code = MSRP_STATUS_FORBIDDEN;
          *comment = "Nowhere to forward";
          return NULL;
        }
      /* s0 serves as the sender's relay: only its client may send
       * through it (RFC 4976 sections 6 and 7), or anybody could send
       * in its name. */
      if (conn != s0->conn)
        {
          *code = MSRP_STATUS_FORBIDDEN;
          *comment = "Not your session";
          return NULL;
        }
      tmp = path_prepend (new_to, 1, NULL);
      g_ptr_array_unref (new_to);
      new_to = tmp;
      tmp = path_prepend (new_from, 0, s1->uri);
      g_ptr_array_unref (new_from);
      new_from = tmp;
      out = s1->conn;
    }
  else if (conn != s0->conn)
    {
      /* Toward the session's own client: from anybody. */
      out = s0->conn;
      learn = TRUE;
    }
  else
    {
      PeerKey lookup = { s0->id, g_ptr_array_index (new_to, 0) };
      MsrpUri *next = lookup.uri;
      Conn *known = g_hash_table_lookup (self->by_peer, &lookup);

      if (known != NULL && known->relay != NULL)
        out = known;
      else if (g_ascii_strcasecmp (msrp_uri_get_transport (next), "tcp") != 0)
        {
          *code = MSRP_STATUS_REQUEST_TIMEOUT;
          *comment = "Downstream-failure";
          return NULL;
        }
      else
        out = get_outgoing (self, next);
    }

  route = g_new0 (Route, 1);
  route->ref_count = 1;
  route->in = conn_ref (conn);
  route->out = conn_ref (out);
  route->method = g_strdup (msrp_chunk_get_method (request));
  route->tid = g_strdup (msrp_chunk_get_transaction_id (request));
  route->message_id = g_strdup (msrp_chunk_get_message_id (request));
  route->failure_report = msrp_chunk_get_failure_report (request);
  route->orig_from = _msrp_path_copy (from);
  route->to = g_steal_pointer (&new_to);
  route->from = g_steal_pointer (&new_from);
  route->responder = g_object_ref (first);
  if (learn)
    remember_peer (conn, s0, g_ptr_array_index (from, 0));
  return route;
}

static void
handle_request (Conn      *conn,
                MsrpChunk *chunk)
{
  guint segment = msrp_chunk_get_segment (chunk);
  gboolean last = segment == 0 || _msrp_chunk_is_last_segment (chunk);
  const char *method = msrp_chunk_get_method (chunk);
  g_autoptr(GError) error = NULL;
  Route *route;
  guint code = 0;
  const char *comment = NULL;

  if (segment > 1)
    {
      /* The rest of a long body. */
      if (conn->cur != NULL)
        route_forward (conn->cur, chunk, last);
      if (last)
        g_clear_pointer (&conn->cur, route_unref);
      return;
    }
  g_clear_pointer (&conn->cur, route_unref);

  if (!msrp_chunk_verify_headers (chunk, &error))
    {
      g_debug ("relay: bad request: %s", error->message);
      if (msrp_chunk_get_to_path (chunk) != NULL && msrp_chunk_get_from_path (chunk) != NULL)
        conn_respond (conn, chunk, MSRP_STATUS_BAD_REQUEST, NULL);
      return;
    }

  if (!conn->paths_set)
    {
      /* For the transport's own answers to malformed requests. */
      g_autoptr(GPtrArray) local = NULL;
      g_autoptr(GPtrArray) remote = _msrp_path_new_single (g_ptr_array_index (msrp_chunk_get_from_path (chunk), 0));

      local = _msrp_path_new_single (conn->listener ? conn->listener->uri
                                                    : g_ptr_array_index (msrp_chunk_get_to_path (chunk), 0));
      _msrp_transport_set_paths (conn->transport, local, remote);
      conn->paths_set = TRUE;
    }

  if (!last && strcmp (method, "SEND") != 0)
    {
      conn_respond (conn, chunk, MSRP_STATUS_STOP_SENDING, "Too large for this relay");
      return;
    }

  if (strcmp (method, "AUTH") == 0 && msrp_chunk_get_to_path (chunk)->len == 1)
    {
      handle_auth (conn, chunk);
      return;
    }

  route = route_new (conn, chunk, &code, &comment);
  if (route == NULL)
    {
      conn_respond (conn, chunk, code, comment);
      return;
    }
  route_forward (route, chunk, last);
  if (!last)
    conn->cur = route;
  else
    route_unref (route);
}

/* Reading */

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Conn *conn = user_data;
  g_autoptr(MsrpChunk) chunk = NULL;
  g_autoptr(GError) error = NULL;

  GMainContext *context = push_context (conn->relay);

  chunk = msrp_transport_read_chunk_finish (MSRP_TRANSPORT (source), result, &error);
  conn->reading = FALSE;
  conn->last_activity = g_get_monotonic_time ();
  if (conn->relay == NULL)
    ;
  else if (chunk == NULL)
    conn_close (conn, error->message);
  else
    {
      /* From now on the idle timeout bounds it. */
      if (conn->lconn != NULL)
        _msrp_listener_conn_release (g_steal_pointer (&conn->lconn));
      if (msrp_chunk_is_request (chunk))
        handle_request (conn, chunk);
      else
        handle_response (conn, chunk);
      conn_continue (conn);
    }
  conn_unref (conn);
  pop_context (context);
}

/* Reads the next chunk, unless a write queue is too long. */
static void
conn_continue (Conn *conn)
{
  Conn *blocker = NULL;

  if (conn->relay == NULL || conn->state != CONN_OPEN || conn->reading || conn->blocked_on != NULL ||
      conn->auth_delay != NULL)
    return;

  if (conn->queued > HIGH_WATER)
    blocker = conn;
  else if (conn->last_out != NULL && conn->last_out->relay != NULL && conn->last_out->queued > HIGH_WATER)
    blocker = conn->last_out;
  g_clear_pointer (&conn->last_out, conn_unref);

  if (blocker != NULL)
    {
      conn->blocked_on = conn_ref (blocker);
      g_ptr_array_add (blocker->waiters, conn_ref (conn));
      return;
    }

  conn->reading = TRUE;
  msrp_transport_read_chunk_async (conn->transport, SEGMENT_SIZE, conn->cancellable,
                                   on_read, conn_ref (conn));
}

/* Incoming connections: the listener bounds them until their first
 * request. */

static void
on_listener_accepted (MsrpListenerConn *lconn,
                      GIOStream        *stream,
                      gpointer          user_data)
{
  Listener *listener = user_data;
  Conn *conn;

  GMainContext *context = push_context (listener->relay);

  conn = conn_new (listener->relay);
  conn->listener = listener;
  listener->ref_count++;
  conn->lconn = lconn;
  _msrp_listener_conn_set_data (lconn, conn);
  g_debug ("relay: new connection %p", conn);
  conn->stream = g_object_ref (stream);
  conn_open (conn, NULL, NULL);
  conn_continue (conn);
  pop_context (context);
}

static void
on_listener_drop (MsrpListenerConn *lconn,
                  gpointer          conn_data,
                  const char       *reason,
                  gpointer          user_data)
{
  Listener *listener = user_data;
  GMainContext *context = push_context (listener->relay);

  conn_close (conn_data, reason);
  pop_context (context);
}

static const MsrpListenerFuncs listener_funcs = {
  .accepted = on_listener_accepted,
  .drop = on_listener_drop,
};

/* Listening */

static void
listener_unref (Listener *listener)
{
  if (--listener->ref_count > 0)
    return;
  g_clear_object (&listener->uri);
  g_free (listener);
}

static void
listener_apply_limits (Listener  *listener,
                       MsrpRelay *self)
{
  _msrp_listener_set_first_request_timeout (listener->helper, self->first_request_timeout);
  _msrp_listener_set_max_pending (listener->helper, self->max_pending_connections);
  _msrp_listener_set_max_pending_per_address (listener->helper, self->max_pending_per_address);
}

static void
apply_limits (MsrpRelay *self)
{
  for (guint i = 0; i < self->listeners->len; i++)
    listener_apply_limits (g_ptr_array_index (self->listeners, i), self);
}

static void
listener_stop (gpointer data)
{
  Listener *listener = data;

  listener->relay = NULL;
  _msrp_listener_stop (listener->helper);
  g_clear_pointer (&listener->helper, _msrp_listener_unref);
  listener_unref (listener);
}

/* GObject */

/* Stores a guint property and notifies when it changed; the listener
 * limits go to every listening socket first. */
static void
set_uint (MsrpRelay *self,
          guint     *field,
          guint      value,
          guint      prop_id)
{
  if (*field == value)
    return;
  *field = value;
  if (prop_id == PROP_FIRST_REQUEST_TIMEOUT || prop_id == PROP_MAX_PENDING_CONNECTIONS ||
      prop_id == PROP_MAX_PENDING_PER_ADDRESS)
    apply_limits (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
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
  g_queue_clear (&self->nonce_order);
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
      g_value_set_uint (value, self->first_request_timeout);
      break;
    case PROP_MAX_PENDING_CONNECTIONS:
      g_value_set_uint (value, self->max_pending_connections);
      break;
    case PROP_MAX_PENDING_PER_ADDRESS:
      g_value_set_uint (value, self->max_pending_per_address);
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
      msrp_relay_set_first_request_timeout (self, g_value_get_uint (value));
      break;
    case PROP_MAX_PENDING_CONNECTIONS:
      msrp_relay_set_max_pending_connections (self, g_value_get_uint (value));
      break;
    case PROP_MAX_PENDING_PER_ADDRESS:
      msrp_relay_set_max_pending_per_address (self, g_value_get_uint (value));
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
   * Seconds a connection accepted by the relay has to send its first
   * complete request, TLS handshake included; it is closed otherwise.
   * Afterwards [property@Msrp.Relay:idle-timeout] applies.
   *
   * Since: 1.0
   */
  properties[PROP_FIRST_REQUEST_TIMEOUT] =
    g_param_spec_uint ("first-request-timeout", NULL, NULL, 1, G_MAXUINT / 1000,
                       MSRP_LISTENER_FIRST_REQUEST_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelay:max-pending-connections:
   *
   * The largest number of pending connections on each listening socket:
   * accepted, but without a complete first request yet. When a new
   * connection comes with that many pending, the oldest pending one is
   * closed, so that idle connections cannot keep clients out.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_PENDING_CONNECTIONS] =
    g_param_spec_uint ("max-pending-connections", NULL, NULL, 1, G_MAXUINT,
                       MSRP_LISTENER_MAX_PENDING,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

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
  properties[PROP_MAX_PENDING_PER_ADDRESS] =
    g_param_spec_uint ("max-pending-per-address", NULL, NULL, 1, G_MAXUINT,
                       MSRP_LISTENER_MAX_PENDING_PER_ADDRESS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

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
   * How many failed Digest answers (a wrong password, an unknown user or
   * nonce, a replayed nonce count, a `uri=` that is not the To-Path) one
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
  self->first_request_timeout = MSRP_LISTENER_FIRST_REQUEST_TIMEOUT;
  self->max_pending_connections = MSRP_LISTENER_MAX_PENDING;
  self->max_pending_per_address = MSRP_LISTENER_MAX_PENDING_PER_ADDRESS;
  self->listeners = g_ptr_array_new_with_free_func (listener_stop);
  self->connections = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) conn_unref, NULL);
  self->outgoing = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_peer = g_hash_table_new_full (peer_key_hash, peer_key_equal, peer_key_free, NULL);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, relay_session_free);
  self->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->user_sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, failures_free);
  g_queue_init (&self->failure_order);
  self->max_auth_failures = 3;
  self->max_sessions_per_connection = 16;
  self->max_sessions_per_user = 128;
  self->nonces = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, nonce_free);
  g_queue_init (&self->nonce_order);
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
  g_autoptr(MsrpUri) uri = NULL;
  gboolean is_ip = host != NULL && g_hostname_is_ip_address (host);
  Listener *listener;
  guint16 real_port = port;

  g_return_val_if_fail (MSRP_IS_RELAY (relay), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (use_tls && relay->tls_certificate == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("An MSRP relay needs a TLS certificate to listen with TLS: set its tls-certificate property first"));
      return NULL;
    }

  listener = g_new0 (Listener, 1);
  listener->ref_count = 1;  /* the relay's */
  listener->helper = _msrp_listener_new (relay->context, &listener_funcs, listener);
  if (!_msrp_listener_listen (listener->helper, is_ip ? host : NULL, port, &real_port, error))
    {
      _msrp_listener_unref (listener->helper);
      g_free (listener);
      return NULL;
    }
  if (use_tls)
    _msrp_listener_set_tls_certificate (listener->helper, relay->tls_certificate);
  listener_apply_limits (listener, relay);

  listener->relay = relay;
  listener->uri = g_object_new (MSRP_TYPE_URI,
                                "host", host ? host : "localhost",
                                "port", real_port,
                                "transport", "tcp",
                                "use-tls", use_tls,
                                NULL);
  g_ptr_array_add (relay->listeners, listener);
  g_debug ("relay: listening as %s", _msrp_uri_peek_string (listener->uri));
  _msrp_listener_start (listener->helper);

  return g_object_ref (listener->uri);
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
    conn_ref (l->data);
  for (GList *l = conns; l != NULL; l = l->next)
    {
      conn_close (l->data, "the relay stops");
      conn_unref (l->data);
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
      Listener *listener = g_ptr_array_index (relay->listeners, i);

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

  set_uint (relay, &relay->min_expires, seconds, PROP_MIN_EXPIRES);
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

  set_uint (relay, &relay->max_expires, seconds, PROP_MAX_EXPIRES);
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

  set_uint (relay, &relay->default_expires, seconds, PROP_DEFAULT_EXPIRES);
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

  set_uint (relay, &relay->response_timeout, seconds, PROP_RESPONSE_TIMEOUT);
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

  set_uint (relay, &relay->idle_timeout, seconds, PROP_IDLE_TIMEOUT);
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
  return relay->first_request_timeout;
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
  g_return_if_fail (seconds >= 1 && seconds <= G_MAXUINT / 1000);

  set_uint (relay, &relay->first_request_timeout, seconds, PROP_FIRST_REQUEST_TIMEOUT);
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
  return relay->max_pending_connections;
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
  g_return_if_fail (max_pending >= 1);

  set_uint (relay, &relay->max_pending_connections, max_pending, PROP_MAX_PENDING_CONNECTIONS);
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
  return relay->max_pending_per_address;
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
  g_return_if_fail (max_pending >= 1);

  set_uint (relay, &relay->max_pending_per_address, max_pending, PROP_MAX_PENDING_PER_ADDRESS);
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

  set_uint (relay, &relay->max_auth_failures, failures, PROP_MAX_AUTH_FAILURES);
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

  set_uint (relay, &relay->max_sessions_per_connection, sessions, PROP_MAX_SESSIONS_PER_CONNECTION);
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

  set_uint (relay, &relay->max_sessions_per_user, sessions, PROP_MAX_SESSIONS_PER_USER);
}
