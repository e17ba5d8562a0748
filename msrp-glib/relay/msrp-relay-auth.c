/* msrp-relay-auth.c: MsrpRelay's sessions, made and refreshed by AUTH
 * with HTTP Digest
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-relay-private.h"
#include "msrp-listener-private.h"
#include "msrp-digest-private.h"
#include "msrp-uri-private.h"
#include "msrp-utils-private.h"

#define NONCE_LIFETIME_US (300 * G_USEC_PER_SEC)
/* Answered nonces remembered (for their nonce counts) at most. */
#define MAX_NONCES 10000
/* A nonce: 16 hex digits of its issue time, 16 of salt, 32 of MAC. */
#define NONCE_TIME_LEN 16
#define NONCE_SALT_BYTES 8
#define NONCE_MAC_LEN 32
#define NONCE_LEN (NONCE_TIME_LEN + 2 * NONCE_SALT_BYTES + NONCE_MAC_LEN)

/* A session is forgotten that long after its Expires. */
#define EXPIRES_GRACE_SECONDS 5

#define SESSION_ID_BYTES 16

/* Failed Digest answers are remembered per user and per address for that
 * long after the last one, in at most that many entries (and those that
 * AUTHs wait on); after the n-th (n >= 2), the user and the address have
 * AUTH_DELAY_BASE_MS << (n - 2), at most AUTH_DELAY_MAX_MS, before their
 * next answer is judged. */
#define FAILURE_MEMORY_US (15 * 60 * G_USEC_PER_SEC)
#define MAX_FAILURE_ENTRIES 4096
#define AUTH_DELAY_BASE_MS 250
#define AUTH_DELAY_MAX_MS 8000
/* Longer usernames are counted by their hash. */
#define MAX_FAILURE_KEY 128

typedef struct {
  char *value;
  gint64 issued;
  guint64 last_nc;
  GList order_link;             /* in the relay's nonce_order */
  MsrpRelayConn *conn;          /* it was issued on, NULL once freed */
  GList conn_link;              /* in conn->nonces */
} Nonce;

/* Recent failed Digest answers of one user or one address. */
typedef struct {
  MsrpRelay *relay;
  GList link;                  /* in failure_order */
  char *key;
  guint count;
  gint64 last;
  gint64 not_before;           /* no answer is judged earlier */
  GQueue waiters;              /* of MsrpRelayConn, by their park_link */
  GSource *timer;              /* the first waiter's turn */
} Failures;

/* Nonces
 *
 * The relay keeps no table of the nonces it issues, which anyone could
 * fill with credential-less AUTHs until honest clients' nonces were
 * forgotten: a nonce carries its issue time and a MAC (HMAC-SHA-256 with
 * a key of the relay's) over that time, a salt and the connection it was
 * issued on. Only nonces answered with the right password are
 * remembered, for their nonce counts (replays), and only while they live.
 */

static char *
nonce_mac (MsrpRelay     *self,
           MsrpRelayConn *conn,
           const char    *head)
{
  g_autofree char *text = g_strdup_printf ("%.*s:%" G_GUINT64_FORMAT,
                                           NONCE_TIME_LEN + 2 * NONCE_SALT_BYTES, head, conn->serial);
  char *mac = g_compute_hmac_for_string (G_CHECKSUM_SHA256, self->nonce_key, sizeof self->nonce_key,
                                         text, -1);

  mac[NONCE_MAC_LEN] = '\0';
  return mac;
}

static char *
nonce_issue (MsrpRelay     *self,
             MsrpRelayConn *conn)
{
  guint8 salt[NONCE_SALT_BYTES];
  GString *nonce = g_string_sized_new (NONCE_LEN + 1);
  g_autofree char *mac = NULL;

  g_string_append_printf (nonce, "%016" G_GINT64_MODIFIER "x", g_get_monotonic_time ());
  _msrp_random_bytes (MSRP_RANDOM_NONCE, salt, sizeof salt);
  for (guint i = 0; i < sizeof salt; i++)
    g_string_append_printf (nonce, "%02x", salt[i]);
  mac = nonce_mac (self, conn, nonce->str);
  g_string_append (nonce, mac);
  return g_string_free (nonce, FALSE);
}

/* Whether @value is a nonce the relay issued on @conn, and when. */
static gboolean
nonce_check (MsrpRelay     *self,
             MsrpRelayConn *conn,
             const char    *value,
             gint64        *issued)
{
  g_autofree char *mac = NULL;
  guint diff = 0;

  if (strlen (value) != NONCE_LEN)
    return FALSE;
  for (guint i = 0; i < NONCE_LEN; i++)
    if (!g_ascii_isxdigit (value[i]) || g_ascii_isupper (value[i]))
      return FALSE;
  mac = nonce_mac (self, conn, value);
  /* In constant time, so that timing tells nothing of the MAC. */
  for (guint i = 0; i < NONCE_MAC_LEN; i++)
    diff |= (guchar) (mac[i] ^ value[NONCE_LEN - NONCE_MAC_LEN + i]);
  if (diff != 0)
    return FALSE;
  {
    char time_hex[NONCE_TIME_LEN + 1];

    memcpy (time_hex, value, NONCE_TIME_LEN);
    time_hex[NONCE_TIME_LEN] = '\0';
    *issued = (gint64) g_ascii_strtoull (time_hex, NULL, 16);
  }
  return TRUE;
}

static void
nonce_free (gpointer data)
{
  Nonce *nonce = data;

  if (nonce->conn != NULL)
    g_queue_unlink (&nonce->conn->nonces, &nonce->conn_link);
  g_free (nonce->value);
  g_free (nonce);
}

static void
nonces_prune (MsrpRelay *self)
{
  gint64 now = g_get_monotonic_time ();
  Nonce *oldest;

  /* Remembered in the order they were answered, so the oldest come
   * first; past the limit, the nonces issued before the one forgotten
   * can no longer be told from replays: they are stale. */
  while ((oldest = g_queue_peek_head (&self->nonce_order)) != NULL &&
         (now - oldest->issued > NONCE_LIFETIME_US || self->nonce_order.length >= MAX_NONCES))
    {
      if (now - oldest->issued <= NONCE_LIFETIME_US)
        self->nonce_floor = MAX (self->nonce_floor, oldest->issued);
      g_queue_pop_head_link (&self->nonce_order);
      g_hash_table_remove (self->nonces, oldest->value);
    }
}

/* The record of an answered nonce; NULL when it can no longer be told
 * whether it was answered before. */
static Nonce *
nonce_answered (MsrpRelay     *self,
                MsrpRelayConn *conn,
                const char    *value,
                gint64         issued)
{
  Nonce *nonce = g_hash_table_lookup (self->nonces, value);

  if (nonce != NULL)
    return nonce;
  if (issued <= self->nonce_floor)
    return NULL;
  nonces_prune (self);
  nonce = g_new0 (Nonce, 1);
  nonce->value = g_strdup (value);
  nonce->issued = issued;
  nonce->order_link.data = nonce;
  g_queue_push_tail_link (&self->nonce_order, &nonce->order_link);
  /* Good on its connection only (its MAC binds it): forgotten with it. */
  nonce->conn = conn;
  nonce->conn_link.data = nonce;
  g_queue_push_tail_link (&conn->nonces, &nonce->conn_link);
  g_hash_table_insert (self->nonces, nonce->value, nonce);
  return nonce;
}

/* Sessions */

static void
new_session_id (char out[2 * SESSION_ID_BYTES + 1])
{
  static const char hex[] = "0123456789abcdef";
  guint8 bytes[SESSION_ID_BYTES];

  /* The session-id is what lets a peer reach a client: unguessable. */
  _msrp_random_bytes (MSRP_RANDOM_SECRET, bytes, sizeof bytes);
  for (guint i = 0; i < sizeof bytes; i++)
    {
      out[2 * i] = hex[bytes[i] >> 4];
      out[2 * i + 1] = hex[bytes[i] & 0xf];
    }
  out[2 * SESSION_ID_BYTES] = '\0';
}

static void
relay_session_free (gpointer data)
{
  MsrpRelaySession *session = data;

  _msrp_relay_routes_changed (session->relay);
  _msrp_poller_timer_clear (&session->timer);
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
  g_clear_object (&session->endpoint);
  g_free (session->username);
  g_free (session);
}

static void
on_session_expired (gpointer user_data)
{
  MsrpRelaySession *session = user_data;
  MsrpRelay *self = session->conn->relay;

  g_debug ("relay: session %s expired", session->id);
  g_hash_table_remove (self->sessions, session->id);
  _msrp_relay_notify_n_sessions (self);
}

static void
session_set_expires (MsrpRelay        *self,
                     MsrpRelaySession *session,
                     guint             expires)
{
  /* One queue for all sessions' timers: a GSource each would be walked on
   * every main loop iteration. */
  if (session->timer == NULL)
    session->timer = _msrp_poller_timer_new (self->context, G_PRIORITY_DEFAULT, on_session_expired, session);
  _msrp_poller_timer_start_seconds (session->timer, expires + EXPIRES_GRACE_SECONDS);
}

/* A session of this relay that @uri names: by session-id, with the port
 * of the listener it was made on, so that another relay's URIs are not
 * taken for ours. */
MsrpRelaySession *
_msrp_relay_lookup_session (MsrpRelay *self,
                            MsrpUri   *uri,
                            gboolean   check_port)
{
  const char *id = msrp_uri_get_session_id (uri);
  MsrpRelaySession *session;

  if (id == NULL)
    return NULL;
  session = g_hash_table_lookup (self->sessions, id);
  if (session != NULL && check_port && msrp_uri_get_port (uri) != msrp_uri_get_port (session->uri))
    return NULL;
  return session;
}

/* Challenges */

static MsrpChunk *
make_challenge (MsrpRelayConn *conn,
                MsrpChunk     *request,
                gboolean       stale)
{
  MsrpRelay *self = conn->relay;
  MsrpChunk *response = _msrp_relay_make_response (request, MSRP_STATUS_UNAUTHORIZED, NULL);
  g_autofree char *nonce = nonce_issue (self, conn);
  g_autofree char *challenge = _msrp_digest_make_challenge (self->realm, nonce, stale);

  msrp_chunk_set_www_authenticate (response, challenge);
  return response;
}

static void
send_challenge (MsrpRelayConn *conn,
                MsrpChunk     *request,
                gboolean       stale)
{
  g_autoptr(MsrpChunk) response = make_challenge (conn, request, stale);

  _msrp_relay_conn_write (conn, response);
}

/* Password guessing */

static void
failures_free (gpointer data)
{
  Failures *failures = data;

  g_assert (g_queue_is_empty (&failures->waiters));
  _msrp_relay_timer_clear (&failures->timer);
  g_free (failures->key);
  g_free (failures);
}

static void
failures_prune (MsrpRelay *self,
                gint64     now)
{
  Failures *oldest;

  /* Kept in the order of their last failure, so the oldest come first;
   * room is left for one more. One that AUTHs wait on stays (it failed
   * within the longest delay): there are no more of them than
   * connections. */
  while ((oldest = g_queue_peek_head (&self->failure_order)) != NULL &&
         g_queue_is_empty (&oldest->waiters) &&
         (now - oldest->last > FAILURE_MEMORY_US || self->failure_order.length >= MAX_FAILURE_ENTRIES))
    {
      g_queue_unlink (&self->failure_order, &oldest->link);
      g_hash_table_remove (self->failures, oldest->key);
    }
}

static char *
failures_key (char        kind,
              const char *name)
{
  if (strlen (name) > MAX_FAILURE_KEY)
    {
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);

      return g_strdup_printf ("%c#%s", kind, hash);
    }
  return g_strdup_printf ("%c:%s", kind, name);
}

/* The failures of a user (@kind 'u') or an address ('a'), if any. */
static Failures *
failures_lookup (MsrpRelay  *self,
                 char        kind,
                 const char *name)
{
  g_autofree char *key = failures_key (kind, name);

  return g_hash_table_lookup (self->failures, key);
}

/* Counts one more failed answer for a user (@kind 'u') or an address
 * ('a'). */
static Failures *
failures_add (MsrpRelay  *self,
              char        kind,
              const char *name,
              gint64      now)
{
  g_autofree char *key = failures_key (kind, name);
  Failures *failures;

  failures_prune (self, now);
  failures = g_hash_table_lookup (self->failures, key);
  if (failures == NULL)
    {
      failures = g_new0 (Failures, 1);
      failures->relay = self;
      failures->link.data = failures;
      failures->key = g_steal_pointer (&key);
      g_queue_init (&failures->waiters);
      g_hash_table_insert (self->failures, failures->key, failures);
    }
  else
    g_queue_unlink (&self->failure_order, &failures->link);
  failures->count++;
  failures->last = now;
  g_queue_push_tail_link (&self->failure_order, &failures->link);
  return failures;
}

static gboolean on_failures_turn (gpointer user_data);

/* Wakes the first AUTH waiting on @failures at its not-before time. */
static void
failures_arm (Failures *failures)
{
  gint64 wait_us;

  if (failures->timer != NULL || g_queue_is_empty (&failures->waiters))
    return;
  wait_us = MAX (failures->not_before - g_get_monotonic_time (), 0);
  failures->timer = g_timeout_source_new ((wait_us + 999) / 1000);
  _msrp_relay_timer_attach (failures->relay, failures->timer, "[msrp] relay AUTH turn", on_failures_turn, failures);
}

/* Takes a parked AUTH out of its queue. */
static void
conn_unpark (MsrpRelayConn *conn)
{
  Failures *failures = conn->parked_on;

  if (failures == NULL)
    return;
  g_queue_unlink (&failures->waiters, &conn->park_link);
  conn->parked_on = NULL;
  if (g_queue_is_empty (&failures->waiters))
    _msrp_relay_timer_clear (&failures->timer);
}

static gboolean
on_failures_turn (gpointer user_data)
{
  Failures *failures = user_data;
  MsrpRelayConn *conn = g_queue_peek_head (&failures->waiters);
  g_autoptr(MsrpChunk) request = NULL;
  GMainContext *context;
  gboolean more;

  g_clear_pointer (&failures->timer, g_source_unref);
  context = _msrp_relay_push_context (conn->relay);
  _msrp_relay_conn_ref (conn);
  conn_unpark (conn);
  more = !g_queue_is_empty (&failures->waiters);
  request = g_steal_pointer (&conn->parked);
  /* Judged now, unless the other key still holds it: it waits there. */
  conn->auth_turn = TRUE;
  _msrp_relay_handle_auth (conn, request);
  conn->auth_turn = FALSE;
  _msrp_relay_conn_continue (conn);
  _msrp_relay_conn_unref (conn);
  /* With waiters left, the record is still there (see failures_prune). */
  if (more)
    failures_arm (failures);
  _msrp_relay_pop_context (context);
  return G_SOURCE_REMOVE;
}

/* Whether the answer in @request must wait until its user and its
 * address may be judged again (after the delay of their last failure,
 * whichever connection it came on, and after the answers already waiting
 * for them); it then waits in line, the connection reading nothing
 * meanwhile. */
static gboolean
auth_must_wait (MsrpRelayConn *conn,
                MsrpChunk     *request,
                const char    *address,
                const char    *username)
{
  MsrpRelay *self = conn->relay;
  gint64 now = g_get_monotonic_time ();
  Failures *keys[2] = { NULL, NULL }, *latest = NULL;

  if (*address != '\0')
    keys[0] = failures_lookup (self, 'a', address);
  keys[1] = failures_lookup (self, 'u', username);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (keys[i] != NULL &&
        (keys[i]->not_before > now || (!conn->auth_turn && !g_queue_is_empty (&keys[i]->waiters))) &&
        (latest == NULL || keys[i]->not_before > latest->not_before))
      latest = keys[i];
  if (latest == NULL)
    return FALSE;

  g_debug ("relay: AUTH on connection %p waits %" G_GINT64_FORMAT " ms for its turn", conn,
           MAX (latest->not_before - now, 0) / 1000);
  conn->parked = g_object_ref (request);
  conn->parked_on = latest;
  g_queue_push_tail_link (&latest->waiters, &conn->park_link);
  failures_arm (latest);
  return TRUE;
}

/* The IP address a connection comes from ("" when unknown). */
static const char *
conn_peer_address (MsrpRelayConn *conn)
{
  GSocketConnection *socket;

  if (conn->peer_address != NULL)
    return conn->peer_address;
  /* Keyed as the listener's per-address limits are (IPv6 by /64), so that
   * one host cannot get fresh failure counters by changing addresses. */
  socket = _msrp_relay_conn_get_socket (conn);
  conn->peer_address = socket ? _msrp_listener_address_key (socket) : g_strdup ("");
  return conn->peer_address;
}

static gboolean
on_auth_delay (gpointer user_data)
{
  MsrpRelayConn *conn = user_data;
  g_autoptr(MsrpChunk) answer = g_steal_pointer (&conn->delayed_answer);
  GMainContext *context = _msrp_relay_push_context (conn->relay);

  g_clear_pointer (&conn->auth_delay, g_source_unref);
  _msrp_relay_conn_write (conn, answer);
  if (conn->close_after_answer)
    _msrp_relay_conn_close (conn, "too many failed AUTH answers");
  else
    _msrp_relay_conn_continue (conn);
  _msrp_relay_pop_context (context);
  return G_SOURCE_REMOVE;
}

/* A Digest answer that failed: a new challenge (@code 401), or @code.
 * The answer comes later and later as the recent failures of the user or
 * of the address add up, and the connection reads nothing meanwhile, so
 * that guesses cannot be pipelined; the next answer for the user or from
 * the address waits as long on every connection (auth_must_wait()), so
 * that parallel connections do not guess faster either. After max-auth-failures on one
 * connection the answer is 403 and the connection closes, as msrprelay
 * does: a new connection is a new TCP (and TLS) handshake, and it starts
 * with the same delay. */
static void
auth_failed (MsrpRelayConn *conn,
             MsrpChunk     *request,
             const char    *username,
             guint          code,
             const char    *comment)
{
  MsrpRelay *self = conn->relay;
  const char *address = conn_peer_address (conn);
  g_autoptr(MsrpChunk) answer = NULL;
  Failures *by_address = NULL, *by_user = NULL;
  gint64 now = g_get_monotonic_time ();
  gboolean last;
  guint n = 0, delay;

  if (*address != '\0')
    {
      by_address = failures_add (self, 'a', address, now);
      n = by_address->count;
    }
  if (username != NULL)
    {
      by_user = failures_add (self, 'u', username, now);
      n = MAX (n, by_user->count);
    }
  last = ++conn->auth_failures >= self->max_auth_failures;
  if (last)
    answer = _msrp_relay_make_response (request, MSRP_STATUS_FORBIDDEN, "Too many failed attempts");
  else if (code == MSRP_STATUS_UNAUTHORIZED)
    answer = make_challenge (conn, request, FALSE);
  else
    answer = _msrp_relay_make_response (request, code, comment);

  delay = n < 2 ? 0 : MIN (self->auth_delay_max_ms, self->auth_delay_base_ms << MIN (n - 2, 16));
  g_debug ("relay: failed AUTH %u on connection %p, %u recently; answered in %u ms",
           conn->auth_failures, conn, n, delay);
  /* Nobody's next answer for this user or from this address is judged
   * before then, on any connection. */
  if (by_address != NULL)
    by_address->not_before = now + (gint64) delay * 1000;
  if (by_user != NULL)
    by_user->not_before = now + (gint64) delay * 1000;
  if (delay == 0)
    {
      _msrp_relay_conn_write (conn, answer);
      if (last)
        _msrp_relay_conn_close (conn, "too many failed AUTH answers");
      return;
    }
  conn->delayed_answer = g_steal_pointer (&answer);
  conn->close_after_answer = last;
  conn->auth_delay = g_timeout_source_new (delay);
  _msrp_relay_timer_attach (self, conn->auth_delay, "[msrp] relay failed AUTH delay", on_auth_delay, conn);
}

/* AUTH */

void
_msrp_relay_handle_auth (MsrpRelayConn *conn,
                         MsrpChunk     *request)
{
  MsrpRelay *self = conn->relay;
  MsrpUri *target = g_ptr_array_index (msrp_chunk_get_to_path (request), 0);
  MsrpRelaySession *session = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *password = NULL;
  g_autofree char *to_text = NULL;
  g_autoptr(MsrpChunk) response = NULL;
  g_autoptr(GPtrArray) use_path = NULL;
  const char *username, *nonce_value, *qop, *digest_uri;
  Nonce *nonce;
  gint64 issued = 0;
  gint64 expires;

  if (msrp_uri_get_session_id (target) != NULL)
    {
      /* A refresh, on the connection that made the session. */
      session = _msrp_relay_lookup_session (self, target, FALSE);
      if (session == NULL || session->conn != conn)
        {
          _msrp_relay_conn_respond (conn, request, MSRP_STATUS_SESSION_DOES_NOT_EXIST, NULL);
          return;
        }
    }
  else if (conn->listener == NULL)
    {
      _msrp_relay_conn_respond (conn, request, MSRP_STATUS_FORBIDDEN, "AUTH only from clients");
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
      _msrp_relay_conn_respond (conn, request, MSRP_STATUS_BAD_REQUEST, "Malformed Authorization");
      return;
    }
  if (auth_must_wait (conn, request, conn_peer_address (conn), username))
    return;

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

  if (!nonce_check (self, conn, nonce_value, &issued))
    {
      /* Not issued on this connection (or forged): no password is tried
       * with it, so it is no failed guess either. */
      g_debug ("relay: AUTH with an unknown nonce");
      send_challenge (conn, request, FALSE);
      return;
    }
  /* Without uri=, the digest-uri is the To-Path URI as it was written:
   * that is what clients that leave uri= out hash. */
  to_text = g_strstrip (g_strdup (msrp_chunk_get_header (request, "To-Path")));
  password = _msrp_relay_lookup_password (self, username);
  if (password == NULL || !_msrp_digest_verify (params, password, MSRP_DIGEST_METHOD, to_text))
    {
      g_debug ("relay: AUTH with wrong credentials for “%s”", username);
      auth_failed (conn, request, username, MSRP_STATUS_UNAUTHORIZED, NULL);
      return;
    }
  /* The right password with an old nonce: RFC 2617's stale=TRUE, which
   * clients answer at once with the new nonce. */
  if (g_get_monotonic_time () - issued > NONCE_LIFETIME_US ||
      (nonce = nonce_answered (self, conn, nonce_value, issued)) == NULL)
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
          _msrp_relay_conn_respond (conn, request, MSRP_STATUS_FORBIDDEN, "Too many sessions on this connection");
          return;
        }
      if (GPOINTER_TO_UINT (g_hash_table_lookup (self->user_sessions, username)) >= self->max_sessions_per_user)
        {
          _msrp_relay_conn_respond (conn, request, MSRP_STATUS_FORBIDDEN, "Too many sessions for this user");
          return;
        }
    }

  expires = msrp_chunk_get_expires (request);
  if (expires < 0)
    expires = self->default_expires;
  if (expires < self->min_expires || expires > self->max_expires)
    {
      response = _msrp_relay_make_response (request, MSRP_STATUS_INTERVAL_OUT_OF_BOUNDS, NULL);
      if (expires < self->min_expires)
        msrp_chunk_set_min_expires (response, self->min_expires);
      else
        msrp_chunk_set_max_expires (response, self->max_expires);
      _msrp_relay_conn_write (conn, response);
      return;
    }

  if (session == NULL)
    {
      MsrpUri *listen_uri = _msrp_relay_session_base_uri (self, conn->listener);
      guint n_user = GPOINTER_TO_UINT (g_hash_table_lookup (self->user_sessions, username));
      char id[2 * SESSION_ID_BYTES + 1];

      session = g_new0 (MsrpRelaySession, 1);
      session->relay = self;
      new_session_id (id);
      session->uri = g_object_new (MSRP_TYPE_URI,
                                   "host", msrp_uri_get_host (listen_uri),
                                   "port", msrp_uri_get_port (listen_uri),
                                   "session-id", id,
                                   "transport", msrp_uri_get_transport (listen_uri),
                                   "use-tls", msrp_uri_get_use_tls (listen_uri),
                                   NULL);
      /* One copy of the id a session: the URI's. */
      session->id = msrp_uri_get_session_id (session->uri);
      session->username = g_strdup (username);
      session->conn = conn;
      g_hash_table_insert (self->user_sessions, g_strdup (username), GUINT_TO_POINTER (n_user + 1));
      g_ptr_array_add (conn->sessions, session);
      g_hash_table_insert (self->sessions, (char *) session->id, session);
      _msrp_relay_routes_changed (self);
      g_debug ("relay: new session %s for “%s”", session->id, username);
      _msrp_relay_notify_n_sessions (self);
    }
  else
    g_debug ("relay: session %s refreshed", session->id);
  session_set_expires (self, session, expires);
  _msrp_relay_conn_admit (conn);

  response = _msrp_relay_make_response (request, MSRP_STATUS_OK, NULL);
  use_path = _msrp_path_new_single (session->uri);
  msrp_chunk_set_use_path (response, use_path);
  msrp_chunk_set_expires (response, expires);
  _msrp_relay_conn_write (conn, response);
}

/* Closing */

gboolean
_msrp_relay_auth_conn_closed (MsrpRelay     *self,
                              MsrpRelayConn *conn)
{
  gboolean had_sessions = conn->sessions->len > 0;

  while (conn->sessions->len > 0)
    {
      MsrpRelaySession *session = g_ptr_array_index (conn->sessions, conn->sessions->len - 1);

      g_debug ("relay: session %s ends with its connection", session->id);
      g_hash_table_remove (self->sessions, session->id);
    }
  _msrp_relay_timer_clear (&conn->auth_delay);
  g_clear_object (&conn->delayed_answer);
  conn_unpark (conn);
  g_clear_object (&conn->parked);
  /* Its answered nonces can never be presented again: their MACs name
   * this connection. Kept, thousands of them would hold memory (and pin
   * heap pages) for minutes after a drop. */
  while (conn->nonces.head != NULL)
    {
      Nonce *nonce = conn->nonces.head->data;

      g_queue_unlink (&self->nonce_order, &nonce->order_link);
      g_hash_table_remove (self->nonces, nonce->value);
    }
  return had_sessions;
}

void
_msrp_relay_auth_init (MsrpRelay *self)
{
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, relay_session_free);
  self->user_sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, failures_free);
  g_queue_init (&self->failure_order);
  _msrp_random_bytes (MSRP_RANDOM_SECRET, self->nonce_key, sizeof self->nonce_key);
  self->auth_delay_base_ms = AUTH_DELAY_BASE_MS;
  self->auth_delay_max_ms = AUTH_DELAY_MAX_MS;
  self->nonces = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, nonce_free);
  g_queue_init (&self->nonce_order);
}
