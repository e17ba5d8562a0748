/* test-relay.c: MsrpRelay (RFC 4976) over real loopback sockets, driven by
 * raw MsrpTransport clients that write the AUTH and SEND requests by hand
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "msrp-glib.h"
#include "msrp-digest-private.h"
#include "msrp-relay-private.h"
#include "msrp-transport-private.h"
#include "msrp-uri-private.h"
#include "test-utils.h"

#define TIMEOUT_SECONDS 60
#define REALM "example.com"
#define N_MANY 50

/* The relay's certificate (see test_certificate()). */
#define RELAY_CN "relay.example.com"

typedef struct {
  guint timeout_id;
  MsrpRelay *relay;
  MsrpUri *relay_uri;
  GPtrArray *clients;
} Fixture;

/* A client: a transport on a connection to the relay (or to anything),
 * that keeps reading and queues what arrives. */
typedef struct {
  GIOStream *stream;
  MsrpTransport *transport;
  MsrpUri *uri;            /* its own URI */
  MsrpUri *use_uri;        /* its session on the relay, once authenticated */
  GQueue received;
  gboolean closed;
  gboolean reading;

  /* SENDs are hashed and answered instead of queued */
  gboolean sink;
  GChecksum *sha;
  guint64 bytes;
  guint n_sends;
  guint n_ends;
  gint64 next_start;       /* the Byte-Range start the next piece must have */
  gboolean answer_sends;
  guint answer_code;       /* when not 0, SENDs are answered with this */
  guint n_ok;              /* 200s not queued when count_ok */
  gboolean count_ok;
  guint64 outstanding;     /* writes not completed */
} Client;

static void client_read (Client *client);

static void
on_client_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Client *client = user_data;
  g_autoptr(GError) error = NULL;
  MsrpChunk *chunk;

  client->reading = FALSE;
  chunk = msrp_transport_read_chunk_finish (MSRP_TRANSPORT (source), result, &error);
  if (chunk == NULL)
    {
      client->closed = TRUE;
      return;
    }

  if (client->answer_code != 0 && msrp_chunk_is_request (chunk) &&
      g_strcmp0 (msrp_chunk_get_method (chunk), "SEND") == 0)
    {
      if (client->answer_code > 0)
        {
          g_autoptr(MsrpChunk) response = msrp_transport_make_response (client->transport, chunk,
                                                                        client->answer_code, NULL);

          msrp_transport_write_chunk_async (client->transport, response, NULL, NULL, NULL);
        }
    }

  if (client->sink && msrp_chunk_is_request (chunk) &&
      g_strcmp0 (msrp_chunk_get_method (chunk), "SEND") == 0)
    {
      GBytes *data = msrp_chunk_get_data (chunk);
      gint64 start;

      msrp_chunk_get_byte_range (chunk, &start, NULL, NULL);
      g_assert_cmpint (start, ==, client->next_start);
      if (data != NULL)
        {
          g_checksum_update (client->sha, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
          client->bytes += g_bytes_get_size (data);
          client->next_start += g_bytes_get_size (data);
        }
      client->n_sends++;
      if (msrp_chunk_get_continuation (chunk) == MSRP_CONTINUATION_END)
        client->n_ends++;
      if (client->answer_sends && msrp_chunk_get_failure_report (chunk) == MSRP_FAILURE_REPORT_YES)
        {
          g_autoptr(MsrpChunk) response = msrp_transport_make_response (client->transport, chunk, 200, NULL);

          msrp_transport_write_chunk_async (client->transport, response, NULL, NULL, NULL);
        }
      g_object_unref (chunk);
    }
  else if (client->count_ok && !msrp_chunk_is_request (chunk) && msrp_chunk_get_code (chunk) == 200)
    {
      client->n_ok++;
      g_object_unref (chunk);
    }
  else
    g_queue_push_tail (&client->received, chunk);

  client_read (client);
}

static void
client_read (Client *client)
{
  if (client->reading || client->closed)
    return;
  client->reading = TRUE;
  msrp_transport_read_chunk_async (client->transport, 0, NULL, on_client_read, client);
}

static void
client_free (gpointer data)
{
  Client *client = data;

  g_queue_clear_full (&client->received, g_object_unref);
  if (client->transport != NULL)
    msrp_transport_close_async (client->transport, NULL, NULL, NULL);
  while (client->reading)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&client->transport);
  g_clear_object (&client->stream);
  g_clear_object (&client->uri);
  g_clear_object (&client->use_uri);
  g_clear_pointer (&client->sha, g_checksum_free);
  g_free (client);
}

/* A transport on a stream, reading at once. */
static Client *
client_new_on_stream (GIOStream *stream,
                      MsrpUri   *remote)
{
  Client *client = g_new0 (Client, 1);
  g_autoptr(GPtrArray) local = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) remote_path = g_ptr_array_new_with_free_func (g_object_unref);

  client->stream = g_object_ref (stream);
  client->uri = msrp_uri_new ("127.0.0.1", 9, NULL, FALSE);
  g_ptr_array_add (local, g_object_ref (client->uri));
  g_ptr_array_add (remote_path, g_object_ref (remote));
  client->transport = msrp_transport_new (stream, local, remote_path);
  g_queue_init (&client->received);
  client->sha = g_checksum_new (G_CHECKSUM_SHA256);
  client->next_start = 1;
  client_read (client);
  return client;
}

/* A client connecting from @local_ip (another loopback address, say), or
 * from any address when NULL. */
static Client *
client_new_from (Fixture    *f,
                 MsrpUri    *to,
                 const char *local_ip)
{
  g_autoptr(GSocketConnection) connection = test_socket_connect (msrp_uri_get_host (to), msrp_uri_get_port (to),
                                                                 local_ip, msrp_uri_get_use_tls (to));
  Client *client = client_new_on_stream (G_IO_STREAM (connection), to);

  g_ptr_array_add (f->clients, client);
  return client;
}

static Client *
client_new (Fixture *f,
            MsrpUri *to)
{
  return client_new_from (f, to, NULL);
}

static MsrpChunk *
client_next (Client *client)
{
  while (g_queue_is_empty (&client->received))
    {
      g_assert_false (client->closed);
      g_main_context_iteration (NULL, TRUE);
    }
  return g_queue_pop_head (&client->received);
}

static void
on_client_written (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Client *client = user_data;
  GError *error = NULL;

  msrp_transport_write_chunk_finish (MSRP_TRANSPORT (source), result, &error);
  g_assert_no_error (error);
  client->outstanding--;
}

static void
client_write (Client    *client,
              MsrpChunk *chunk)
{
  client->outstanding++;
  msrp_transport_write_chunk_async (client->transport, chunk, NULL, on_client_written, client);
}

static void
assert_path (GPtrArray *path,
             MsrpUri   *first,
             ...)
{
  va_list args;
  guint i = 0;

  g_assert_nonnull (path);
  va_start (args, first);
  for (MsrpUri *uri = first; uri != NULL; uri = va_arg (args, MsrpUri *), i++)
    {
      g_assert_cmpuint (i, <, path->len);
      if (!msrp_uri_equal (g_ptr_array_index (path, i), uri))
        g_error ("path element %u: %s, expected %s", i,
                 _msrp_uri_peek_string (g_ptr_array_index (path, i)), _msrp_uri_peek_string (uri));
    }
  va_end (args);
  g_assert_cmpuint (i, ==, path->len);
}

static MsrpChunk *
new_request (Client     *client,
             const char *method,
             GPtrArray  *to)
{
  MsrpChunk *chunk = msrp_chunk_new_request (method, NULL);
  g_autoptr(GPtrArray) from = test_path_of (client->uri, NULL);

  msrp_chunk_set_to_path (chunk, to);
  msrp_chunk_set_from_path (chunk, from);
  return chunk;
}

static MsrpChunk *
new_send (Client     *client,
          GPtrArray  *to,
          const char *text)
{
  MsrpChunk *chunk = new_request (client, "SEND", to);
  g_autofree char *message_id = g_strdup_printf ("m%08x", g_random_int ());
  gsize len = strlen (text);

  msrp_chunk_set_message_id (chunk, message_id);
  msrp_chunk_set_byte_range (chunk, 1, len, len);
  if (len > 0)
    {
      g_autoptr(GBytes) body = g_bytes_new (text, len);

      msrp_chunk_set_content_type (chunk, "text/plain");
      msrp_chunk_set_data (chunk, body);
    }
  return chunk;
}

/* Sends an AUTH to @target (with @authorization and @expires when given)
 * and gives the response. */
static MsrpChunk *
client_auth_once (Client     *client,
                  MsrpUri    *target,
                  const char *authorization,
                  gint64      expires)
{
  g_autoptr(GPtrArray) to = test_path_of (target, NULL);
  g_autoptr(MsrpChunk) auth = new_request (client, "AUTH", to);
  MsrpChunk *response;

  if (authorization != NULL)
    msrp_chunk_set_authorization (auth, authorization);
  if (expires >= 0)
    msrp_chunk_set_expires (auth, expires);
  client_write (client, auth);
  response = client_next (client);
  g_assert_false (msrp_chunk_is_request (response));
  g_assert_cmpstr (msrp_chunk_get_transaction_id (response), ==, msrp_chunk_get_transaction_id (auth));
  /* Hop by hop: back to us, from what we addressed. */
  assert_path (msrp_chunk_get_to_path (response), client->uri, NULL);
  assert_path (msrp_chunk_get_from_path (response), target, NULL);
  return response;
}

static char *
answer_challenge (MsrpChunk  *challenge_response,
                  MsrpUri    *target,
                  const char *user,
                  const char *password,
                  guint       nc)
{
  g_autoptr(GHashTable) challenge = NULL;
  g_autofree char *scheme = NULL;
  GError *error = NULL;
  char *authorization;

  g_assert_cmpuint (msrp_chunk_get_code (challenge_response), ==, 401);
  challenge = msrp_chunk_get_auth_params (challenge_response, "WWW-Authenticate", &scheme);
  g_assert_nonnull (challenge);
  g_assert_cmpstr (scheme, ==, "Digest");
  g_assert_cmpstr (g_hash_table_lookup (challenge, "realm"), ==, REALM);
  authorization = _msrp_digest_make_authorization (challenge, user, password,
                                                   _msrp_uri_peek_string (target), TRUE, nc, &error);
  g_assert_no_error (error);
  return authorization;
}

/* The whole AUTH exchange; gives the final response. */
static MsrpChunk *
client_auth_full (Client     *client,
                  MsrpUri    *target,
                  const char *user,
                  const char *password,
                  gint64      expires)
{
  g_autoptr(MsrpChunk) challenge = client_auth_once (client, target, NULL, expires);
  g_autofree char *authorization = answer_challenge (challenge, target, user, password, 1);

  return client_auth_once (client, target, authorization, expires);
}

/* A client with a session on the relay. */
static Client *
authed_client (Fixture    *f,
               const char *user,
               const char *password)
{
  Client *client = client_new (f, f->relay_uri);
  g_autoptr(MsrpChunk) ok = client_auth_full (client, f->relay_uri, user, password, -1);
  GPtrArray *use_path;

  g_assert_cmpuint (msrp_chunk_get_code (ok), ==, 200);
  use_path = msrp_chunk_get_use_path (ok);
  g_assert_nonnull (use_path);
  g_assert_cmpuint (use_path->len, ==, 1);
  client->use_uri = g_object_ref (g_ptr_array_index (use_path, 0));
  return client;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GError *error = NULL;

  f->timeout_id = test_watchdog_start (TIMEOUT_SECONDS);
  f->relay = msrp_relay_new (REALM);
  msrp_relay_add_user (f->relay, "alice", "alicepass");
  msrp_relay_add_user (f->relay, "bob", "bobpass");
  f->relay_uri = msrp_relay_listen (f->relay, "127.0.0.1", 0, FALSE, &error);
  g_assert_no_error (error);
  f->clients = g_ptr_array_new_with_free_func (client_free);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_ptr_array_unref (f->clients);
  test_unref_finalizes (g_steal_pointer (&f->relay));
  g_clear_object (&f->relay_uri);
  test_drain ();
  test_watchdog_stop (f->timeout_id);
}

/* AUTH */

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  Client *a = client_new (f, f->relay_uri);
  g_autoptr(MsrpChunk) challenge = client_auth_once (a, f->relay_uri, NULL, -1);
  g_autofree char *authorization = answer_challenge (challenge, f->relay_uri, "alice", "alicepass", 1);
  g_autoptr(MsrpChunk) ok = client_auth_once (a, f->relay_uri, authorization, -1);
  g_autoptr(GHashTable) params = msrp_chunk_get_auth_params (challenge, "WWW-Authenticate", NULL);
  MsrpUri *use;

  g_assert_cmpstr (g_hash_table_lookup (params, "qop"), ==, "auth");
  g_assert_cmpstr (g_hash_table_lookup (params, "algorithm"), ==, "MD5");
  g_assert_cmpuint (msrp_chunk_get_code (ok), ==, 200);
  g_assert_cmpint (msrp_chunk_get_expires (ok), ==, 600);
  g_assert_cmpuint (msrp_chunk_get_use_path (ok)->len, ==, 1);
  use = g_ptr_array_index (msrp_chunk_get_use_path (ok), 0);
  g_assert_cmpstr (msrp_uri_get_host (use), ==, "127.0.0.1");
  g_assert_cmpuint (msrp_uri_get_port (use), ==, msrp_uri_get_port (f->relay_uri));
  g_assert_false (msrp_uri_get_use_tls (use));
  g_assert_cmpstr (msrp_uri_get_transport (use), ==, "tcp");
  g_assert_cmpuint (strlen (msrp_uri_get_session_id (use)), >=, 16);
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, 1);

  /* The same Authorization again is a replay: a fresh challenge. */
  {
    g_autoptr(MsrpChunk) replay = client_auth_once (a, f->relay_uri, authorization, -1);

    g_assert_cmpuint (msrp_chunk_get_code (replay), ==, 401);
  }
  /* Every AUTH to the relay URI makes another session. */
  {
    g_autoptr(MsrpChunk) second = client_auth_full (a, f->relay_uri, "bob", "bobpass", -1);

    g_assert_cmpuint (msrp_chunk_get_code (second), ==, 200);
    g_assert_false (msrp_uri_equal (g_ptr_array_index (msrp_chunk_get_use_path (second), 0), use));
    g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, 2);
  }
}

static char *
on_lookup_password (MsrpRelay  *relay,
                    const char *username,
                    gpointer    user_data)
{
  guint *calls = user_data;

  (*calls)++;
  if (strcmp (username, "carol") == 0)
    return g_strdup ("carolpass");
  return NULL;
}

static void
test_auth_refused (Fixture       *f,
                   gconstpointer  data)
{
  Client *a = client_new (f, f->relay_uri);
  guint calls = 0;

  g_signal_connect (f->relay, "lookup-password", G_CALLBACK (on_lookup_password), &calls);

  /* Wrong password, unknown user: 401 again, the connection stays. */
  {
    g_autoptr(MsrpChunk) r = client_auth_full (a, f->relay_uri, "alice", "wrong", -1);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 401);
    g_assert_nonnull (msrp_chunk_get_www_authenticate (r));
  }
  {
    g_autoptr(MsrpChunk) r = client_auth_full (a, f->relay_uri, "mallory", "x", -1);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 401);
    g_assert_cmpuint (calls, ==, 1);
  }
  /* Malformed Authorization: 400. */
  {
    g_autoptr(MsrpChunk) r = client_auth_once (a, f->relay_uri, "Digest ,,,=", -1);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 400);
  }
  {
    g_autoptr(MsrpChunk) r = client_auth_once (a, f->relay_uri, "Digest username=\"alice\"", -1);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 400);
  }
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, 0);

  /* A user from the signal. */
  {
    g_autoptr(MsrpChunk) r = client_auth_full (a, f->relay_uri, "carol", "carolpass", -1);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 200);
    g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, 1);
  }

  /* A nonce the relay never issued (on another connection: the first one
   * has used two of its three failures). */
  {
    Client *b = client_new (f, f->relay_uri);
    g_autofree char *authorization =
      g_strdup_printf ("Digest username=\"alice\", realm=\"" REALM "\", nonce=\"00\", uri=\"%s\", "
                       "response=\"00\", qop=auth, nc=00000001, cnonce=\"1\"",
                       _msrp_uri_peek_string (f->relay_uri));
    g_autoptr(MsrpChunk) r = client_auth_once (b, f->relay_uri, authorization, -1);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 401);
  }
}

static void
test_auth_expires (Fixture       *f,
                   gconstpointer  data)
{
  Client *a = client_new (f, f->relay_uri);

  {
    g_autoptr(MsrpChunk) r = client_auth_full (a, f->relay_uri, "alice", "alicepass", 10);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 423);
    g_assert_cmpint (msrp_chunk_get_min_expires (r), ==, 60);
  }
  {
    g_autoptr(MsrpChunk) r = client_auth_full (a, f->relay_uri, "alice", "alicepass", 100000);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 423);
    g_assert_cmpint (msrp_chunk_get_max_expires (r), ==, 3600);
  }
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, 0);
  {
    g_autoptr(MsrpChunk) r = client_auth_full (a, f->relay_uri, "alice", "alicepass", 120);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 200);
    g_assert_cmpint (msrp_chunk_get_expires (r), ==, 120);
  }
}

static void
test_auth_refresh (Fixture       *f,
                   gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *b = client_new (f, f->relay_uri);
  g_autoptr(MsrpChunk) r = client_auth_full (a, a->use_uri, "alice", "alicepass", 3000);
  g_autoptr(MsrpChunk) other = NULL;

  g_assert_cmpuint (msrp_chunk_get_code (r), ==, 200);
  assert_path (msrp_chunk_get_use_path (r), a->use_uri, NULL);
  g_assert_cmpint (msrp_chunk_get_expires (r), ==, 3000);
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, 1);

  /* Another connection cannot refresh it. */
  other = client_auth_once (b, a->use_uri, NULL, -1);
  g_assert_cmpuint (msrp_chunk_get_code (other), ==, 481);
}

static void
test_session_expiry (Fixture       *f,
                     gconstpointer  data)
{
  Client *b = authed_client (f, "bob", "bobpass");
  Client *a;
  g_autoptr(MsrpChunk) r = NULL;

  msrp_relay_set_min_expires (f->relay, 1);
  a = client_new (f, f->relay_uri);
  r = client_auth_full (a, f->relay_uri, "alice", "alicepass", 1);
  g_assert_cmpuint (msrp_chunk_get_code (r), ==, 200);
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, 2);
  /* Forgotten Expires + a few seconds later. */
  while (msrp_relay_get_n_sessions (f->relay) > 1)
    g_main_context_iteration (NULL, TRUE);
  {
    MsrpUri *use = g_ptr_array_index (msrp_chunk_get_use_path (r), 0);
    g_autoptr(GPtrArray) to = test_path_of (use, b->use_uri, b->uri, NULL);
    g_autoptr(MsrpChunk) send = new_send (a, to, "late");
    g_autoptr(MsrpChunk) answer = NULL;

    client_write (a, send);
    answer = client_next (a);
    g_assert_cmpuint (msrp_chunk_get_code (answer), ==, 481);
  }
}

/* The relay remembers where the last request of a connection went, for
 * the next with the same paths: once a session ends on a connection that
 * stays open, its client gets nothing more sent the same way. */
static void
test_route_after_session_ends (Fixture       *f,
                               gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *b = client_new (f, f->relay_uri);
  g_autoptr(MsrpChunk) r = NULL;
  g_autoptr(GPtrArray) to = NULL;
  g_autoptr(MsrpChunk) first = NULL;
  g_autoptr(MsrpChunk) got = NULL;
  g_autoptr(MsrpChunk) ok = NULL;
  g_autoptr(MsrpChunk) late = NULL;
  g_autoptr(MsrpChunk) answer = NULL;

  msrp_relay_set_min_expires (f->relay, 1);
  r = client_auth_full (b, f->relay_uri, "bob", "bobpass", 1);
  g_assert_cmpuint (msrp_chunk_get_code (r), ==, 200);
  to = test_path_of (a->use_uri, g_ptr_array_index (msrp_chunk_get_use_path (r), 0), b->uri, NULL);
  first = new_send (a, to, "first");
  client_write (a, first);
  got = client_next (b);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (first));
  ok = client_next (a);
  g_assert_cmpuint (msrp_chunk_get_code (ok), ==, 200);

  while (msrp_relay_get_n_sessions (f->relay) > 1)
    g_main_context_iteration (NULL, TRUE);
  late = new_send (a, to, "late");
  msrp_chunk_set_failure_report (late, MSRP_FAILURE_REPORT_YES);
  client_write (a, late);
  /* B's session is gone: the relay tries its URI as any other next hop
   * (itself, which answers 481), and A learns of it. */
  do
    {
      g_clear_object (&answer);
      answer = client_next (a);
    }
  while (msrp_chunk_is_request (answer) ? strcmp (msrp_chunk_get_method (answer), "REPORT") != 0
                                        : msrp_chunk_get_code (answer) == 200);
  g_assert_true (g_queue_is_empty (&b->received));
  g_assert_false (b->closed);
}

/* Password guessing: each failed answer is answered later than the one
 * before from the same address or for the same user, the connection
 * reads nothing meanwhile (guesses cannot be pipelined), and the third
 * failure on a connection gets 403 and closes it. The delays start at a
 * quarter of a second; only lower bounds are checked. */
static MsrpChunk *
timed_auth (Client     *client,
            MsrpUri    *target,
            const char *authorization,
            gdouble    *seconds)
{
  gint64 t0 = g_get_monotonic_time ();
  MsrpChunk *r = client_auth_once (client, target, authorization, -1);

  *seconds = (g_get_monotonic_time () - t0) / 1e6;
  return r;
}

static void
test_auth_guessing (Fixture       *f,
                    gconstpointer  data)
{
  Client *a = client_new (f, f->relay_uri);
  g_autoptr(MsrpChunk) challenge = client_auth_once (a, f->relay_uri, NULL, -1);
  gdouble took[3];

  g_assert_cmpuint (msrp_relay_get_max_auth_failures (f->relay), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *authorization = answer_challenge (challenge, f->relay_uri, "alice", "guess", 1);
      g_autoptr(MsrpChunk) r = timed_auth (a, f->relay_uri, authorization, &took[i]);

      g_test_message ("failed answer %u answered after %.3f s", i + 1, took[i]);
      g_clear_object (&challenge);
      if (i < 2)
        {
          g_assert_cmpuint (msrp_chunk_get_code (r), ==, 401);
          challenge = g_object_ref (r);
        }
      else
        g_assert_cmpuint (msrp_chunk_get_code (r), ==, 403);
    }
  g_assert_cmpfloat (took[1], >=, 0.2);
  g_assert_cmpfloat (took[2], >=, 0.45);
  while (!a->closed)
    g_main_context_iteration (NULL, TRUE);

  /* Another address and another user start afresh, but two answers sent
   * at once (one nonce, nc 1 and 2) are still answered one delay apart. */
  {
    Client *b = client_new_from (f, f->relay_uri, "127.0.0.2");
    g_autoptr(MsrpChunk) c = client_auth_once (b, f->relay_uri, NULL, -1);
    g_autofree char *guess1 = answer_challenge (c, f->relay_uri, "bob", "guess1", 1);
    g_autofree char *guess2 = answer_challenge (c, f->relay_uri, "bob", "guess2", 2);
    g_autoptr(GPtrArray) to = test_path_of (f->relay_uri, NULL);
    g_autoptr(MsrpChunk) auth1 = new_request (b, "AUTH", to);
    g_autoptr(MsrpChunk) auth2 = new_request (b, "AUTH", to);
    g_autoptr(MsrpChunk) r1 = NULL;
    g_autoptr(MsrpChunk) r2 = NULL;
    gint64 t0 = g_get_monotonic_time (), t1;

    msrp_chunk_set_authorization (auth1, guess1);
    msrp_chunk_set_authorization (auth2, guess2);
    client_write (b, auth1);
    client_write (b, auth2);
    r1 = client_next (b);
    t1 = g_get_monotonic_time ();
    r2 = client_next (b);
    g_test_message ("pipelined failures answered after %.3f s and %.3f s",
                    (t1 - t0) / 1e6, (g_get_monotonic_time () - t0) / 1e6);
    g_assert_cmpuint (msrp_chunk_get_code (r1), ==, 401);
    g_assert_cmpuint (msrp_chunk_get_code (r2), ==, 401);
    g_assert_cmpint (g_get_monotonic_time () - t1, >=, 200 * 1000);
  }

  /* The same user from yet another address: its three failures count. */
  {
    Client *c = client_new_from (f, f->relay_uri, "127.0.0.3");
    g_autoptr(MsrpChunk) fresh = client_auth_once (c, f->relay_uri, NULL, -1);
    g_autofree char *guess = answer_challenge (fresh, f->relay_uri, "alice", "guess", 1);
    g_autoptr(MsrpChunk) r = NULL;
    gdouble seconds;

    r = timed_auth (c, f->relay_uri, guess, &seconds);
    g_test_message ("alice's 4th failure, from another address, answered after %.3f s", seconds);
    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 401);
    g_assert_cmpfloat (seconds, >=, 0.9);
  }

  /* The right password is not held back. */
  {
    Client *d = client_new_from (f, f->relay_uri, "127.0.0.3");
    gint64 t0 = g_get_monotonic_time ();
    g_autoptr(MsrpChunk) ok = client_auth_full (d, f->relay_uri, "alice", "alicepass", -1);

    g_assert_cmpuint (msrp_chunk_get_code (ok), ==, 200);
    g_test_message ("the right password answered after %.3f s", (g_get_monotonic_time () - t0) / 1e6);
  }
}

static gint
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Guessing over parallel connections: the failure delay belongs to the
 * user (and the address), not to a connection, so four connections
 * guessing one password get no more guesses judged than one: between
 * the n-th wrong answer judged and the next, the n-th delay passes.
 * Delays made short for the test: 25 ms doubling up to 200 ms. */
static void
test_auth_guessing_parallel (Fixture       *f,
                             gconstpointer  data)
{
  enum { N_CONNS = 4, N_GUESSES = 4 };
  Client *conns[N_CONNS];
  MsrpChunk *challenges[N_CONNS];
  guint sent[N_CONNS] = { 0, }, answered[N_CONNS] = { 0, };
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint done = 0, i, too_soon = 0;

  _msrp_relay_set_auth_delays (f->relay, 25, 200);
  msrp_relay_set_max_auth_failures (f->relay, 100);
  for (i = 0; i < N_CONNS; i++)
    {
      conns[i] = client_new (f, f->relay_uri);
      challenges[i] = client_auth_once (conns[i], f->relay_uri, NULL, -1);
    }

  /* Each connection answers again as soon as it hears back. */
  while (done < N_CONNS)
    {
      for (i = 0; i < N_CONNS; i++)
        {
          if (sent[i] > answered[i] && !g_queue_is_empty (&conns[i]->received))
            {
              g_autoptr(MsrpChunk) r = g_queue_pop_head (&conns[i]->received);
              gint64 now = g_get_monotonic_time ();

              g_assert_cmpuint (msrp_chunk_get_code (r), ==, 401);
              g_array_append_val (times, now);
              if (++answered[i] == N_GUESSES)
                done++;
            }
          if (sent[i] == answered[i] && sent[i] < N_GUESSES)
            {
              g_autofree char *guess = g_strdup_printf ("guess%u-%u", i, sent[i]);
              g_autofree char *authorization = answer_challenge (challenges[i], f->relay_uri, "alice", guess,
                                                                 sent[i] + 1);
              g_autoptr(GPtrArray) to = test_path_of (f->relay_uri, NULL);
              g_autoptr(MsrpChunk) auth = new_request (conns[i], "AUTH", to);

              msrp_chunk_set_authorization (auth, authorization);
              client_write (conns[i], auth);
              sent[i]++;
            }
          g_assert_false (conns[i]->closed);
        }
      if (done < N_CONNS)
        g_main_context_iteration (NULL, TRUE);
    }

  g_array_sort (times, compare_gint64);
  for (i = 1; i < times->len; i++)
    {
      /* The i-th failure (counting from 1) delays the next answer. */
      guint n = i;
      gint64 delay_ms = n < 2 ? 0 : MIN (200, 25 << (n - 2));
      gint64 gap_us = g_array_index (times, gint64, i) - g_array_index (times, gint64, i - 1);

      g_test_message ("failure %u -> %u: %.1f ms apart, delay %" G_GINT64_FORMAT " ms",
                      n, n + 1, gap_us / 1e3, delay_ms);
      /* A little slack for the clock of a loaded machine. */
      if (gap_us < delay_ms * 1000 * 8 / 10)
        too_soon++;
    }
  g_assert_cmpuint (too_soon, ==, 0);
  for (i = 0; i < N_CONNS; i++)
    g_object_unref (challenges[i]);
}

/* Nonce flood: credential-less AUTHs make the relay issue as many
 * challenges as anyone likes, but an honest client's answer to its own
 * challenge still counts; a nonce the relay never issued on this
 * connection gets a fresh challenge and is no failed guess (no password
 * was tried): the connection is not closed for it. */
static void
test_auth_nonce_flood (Fixture       *f,
                       gconstpointer  data)
{
  Client *honest = client_new (f, f->relay_uri);
  Client *flood = client_new (f, f->relay_uri);
  g_autoptr(MsrpChunk) challenge = client_auth_once (honest, f->relay_uri, NULL, -1);
  g_autoptr(GPtrArray) to = test_path_of (f->relay_uri, NULL);
  const guint n = 10001;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsrpChunk) auth = new_request (flood, "AUTH", to);

      client_write (flood, auth);
    }
  while (g_queue_get_length (&flood->received) < n)
    {
      g_assert_false (flood->closed);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (msrp_chunk_get_code (g_queue_peek_tail (&flood->received)), ==, 401);

  {
    g_autofree char *authorization = answer_challenge (challenge, f->relay_uri, "alice", "alicepass", 1);
    g_autoptr(MsrpChunk) ok = client_auth_once (honest, f->relay_uri, authorization, -1);

    g_assert_cmpuint (msrp_chunk_get_code (ok), ==, 200);
  }

  /* The flood's nonces are no good on the honest connection, and
   * answering with them is no failure. */
  for (guint i = 0; i < 4; i++)
    {
      MsrpChunk *theirs = g_queue_peek_nth (&flood->received, i);
      g_autofree char *authorization = answer_challenge (theirs, f->relay_uri, "bob", "bobpass", 1);
      g_autoptr(MsrpChunk) r = client_auth_once (honest, f->relay_uri, authorization, -1);
      g_autoptr(GHashTable) params = msrp_chunk_get_auth_params (r, "WWW-Authenticate", NULL);

      g_assert_cmpuint (msrp_chunk_get_code (r), ==, 401);
      g_assert_nonnull (params);
      g_assert_cmpstr (g_hash_table_lookup (params, "stale"), ==, NULL);
    }
  g_assert_false (honest->closed);
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, 1);
}

/* A Digest answer whose uri= names another URI than the AUTH's To-Path
 * is refused (RFC 2617 section 3.2.2.5: 400), even when its response is
 * right for that uri; the same URI written differently (RFC 4975 section
 * 6.1 equality) is fine. */
static void
test_auth_digest_uri (Fixture       *f,
                      gconstpointer  data)
{
  Client *a = client_new (f, f->relay_uri);
  g_autofree char *elsewhere = g_strdup_printf ("msrp://relay.example.net:%u;tcp", msrp_uri_get_port (f->relay_uri));
  g_autofree char *respelled = g_strdup_printf ("MSRP://127.0.0.1:%u;TCP", msrp_uri_get_port (f->relay_uri));
  g_autoptr(MsrpUri) other = msrp_uri_parse (elsewhere, NULL);
  g_autoptr(MsrpUri) same = msrp_uri_parse (respelled, NULL);

  g_assert_nonnull (other);
  g_assert_nonnull (same);
  {
    g_autoptr(MsrpChunk) challenge = client_auth_once (a, f->relay_uri, NULL, -1);
    g_autofree char *authorization = answer_challenge (challenge, other, "alice", "alicepass", 1);
    g_autoptr(MsrpChunk) r = client_auth_once (a, f->relay_uri, authorization, -1);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 400);
    g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, 0);
  }
  {
    g_autoptr(MsrpChunk) challenge = client_auth_once (a, f->relay_uri, NULL, -1);
    g_autoptr(GHashTable) params = msrp_chunk_get_auth_params (challenge, "WWW-Authenticate", NULL);
    g_autofree char *authorization = _msrp_digest_make_authorization (params, "alice", "alicepass",
                                                                      respelled, TRUE, 1, NULL);
    g_autoptr(MsrpChunk) r = client_auth_once (a, f->relay_uri, authorization, -1);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 200);
  }
}

/* Without uri=, the digest-uri is the AUTH's To-Path URI (HA2 =
 * MD5("AUTH:" uri), RFC 4976 section 5), not an empty string. */
static void
test_auth_without_uri (Fixture       *f,
                       gconstpointer  data)
{
  Client *a = client_new (f, f->relay_uri);
  const char *to = _msrp_uri_peek_string (f->relay_uri);

  {
    g_autoptr(MsrpChunk) challenge = client_auth_once (a, f->relay_uri, NULL, -1);
    g_autoptr(GHashTable) params = msrp_chunk_get_auth_params (challenge, "WWW-Authenticate", NULL);
    g_autofree char *authorization = _msrp_digest_make_authorization (params, "alice", "alicepass",
                                                                      "", FALSE, 1, NULL);
    g_autoptr(MsrpChunk) r = client_auth_once (a, f->relay_uri, authorization, -1);

    g_assert_null (strstr (authorization, "uri="));
    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 401);
  }
  {
    g_autoptr(MsrpChunk) challenge = client_auth_once (a, f->relay_uri, NULL, -1);
    g_autoptr(GHashTable) params = msrp_chunk_get_auth_params (challenge, "WWW-Authenticate", NULL);
    g_autofree char *authorization = _msrp_digest_make_authorization (params, "alice", "alicepass",
                                                                      to, FALSE, 1, NULL);
    g_autoptr(MsrpChunk) r = client_auth_once (a, f->relay_uri, authorization, -1);

    g_assert_null (strstr (authorization, "uri="));
    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 200);
  }
}

/* Sessions are capped per connection and per user: past the cap, 403. */
static void
test_session_caps (Fixture       *f,
                   gconstpointer  data)
{
  Client *a = client_new (f, f->relay_uri);
  Client *b = client_new (f, f->relay_uri);
  g_autoptr(MsrpUri) b_session = NULL;

  g_assert_cmpuint (msrp_relay_get_max_sessions_per_connection (f->relay), ==, 16);
  g_assert_cmpuint (msrp_relay_get_max_sessions_per_user (f->relay), ==, 128);
  g_object_set (f->relay, "max-sessions-per-connection", 2, "max-sessions-per-user", 3, NULL);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(MsrpChunk) r = client_auth_full (a, f->relay_uri, "alice", "alicepass", -1);

      g_assert_cmpuint (msrp_chunk_get_code (r), ==, i < 2 ? 200 : 403);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(MsrpChunk) r = client_auth_full (b, f->relay_uri, "alice", "alicepass", -1);

      g_assert_cmpuint (msrp_chunk_get_code (r), ==, i < 1 ? 200 : 403);
      if (i == 0)
        b_session = g_object_ref (g_ptr_array_index (msrp_chunk_get_use_path (r), 0));
    }
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, 3);
  /* Another user on the same connection: under both caps. */
  {
    g_autoptr(MsrpChunk) r = client_auth_full (b, f->relay_uri, "bob", "bobpass", -1);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 200);
  }
  /* A refresh is not a new session. */
  {
    g_autoptr(MsrpChunk) r = client_auth_full (b, b_session, "alice", "alicepass", -1);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 200);
  }
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, 4);
  /* Sessions that end make room. */
  msrp_transport_close_async (a->transport, NULL, NULL, NULL);
  while (msrp_relay_get_n_sessions (f->relay) > 2)
    g_main_context_iteration (NULL, TRUE);
  {
    Client *c = client_new (f, f->relay_uri);
    g_autoptr(MsrpChunk) r = client_auth_full (c, f->relay_uri, "alice", "alicepass", -1);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 200);
  }
}

/* Forwarding */

static void
test_send_between_clients (Fixture       *f,
                           gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *b = authed_client (f, "bob", "bobpass");
  g_autoptr(GPtrArray) to = test_path_of (a->use_uri, b->use_uri, b->uri, NULL);
  g_autoptr(MsrpChunk) send = new_send (a, to, "Hello, Bob");
  g_autoptr(MsrpChunk) got = NULL;
  g_autoptr(MsrpChunk) ok = NULL;
  char **names;

  msrp_chunk_set_success_report (send, TRUE);
  client_write (a, send);
  got = client_next (b);
  g_assert_cmpstr (msrp_chunk_get_method (got), ==, "SEND");
  g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (send));
  assert_path (msrp_chunk_get_to_path (got), b->uri, NULL);
  /* RFC 4976 7.3: each relay URI consumed goes first in From-Path. */
  assert_path (msrp_chunk_get_from_path (got), b->use_uri, a->use_uri, a->uri, NULL);
  g_assert_cmpstr (msrp_chunk_get_message_id (got), ==, msrp_chunk_get_message_id (send));
  g_assert_true (msrp_chunk_get_success_report (got));
  g_assert_true (g_bytes_equal (msrp_chunk_get_data (got), msrp_chunk_get_data (send)));
  g_assert_cmpint (msrp_chunk_get_continuation (got), ==, MSRP_CONTINUATION_END);
  names = msrp_chunk_get_header_names (got);
  g_assert_cmpstr (names[0], ==, "To-Path");
  g_assert_cmpstr (names[1], ==, "From-Path");
  g_strfreev (names);

  /* The relay's own 200, one hop. */
  ok = client_next (a);
  g_assert_cmpuint (msrp_chunk_get_code (ok), ==, 200);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (ok), ==, msrp_chunk_get_transaction_id (send));
  assert_path (msrp_chunk_get_to_path (ok), a->uri, NULL);
  assert_path (msrp_chunk_get_from_path (ok), a->use_uri, NULL);

  /* B's 200 to the relay stays there; B's answer goes back the same way. */
  {
    g_autoptr(MsrpChunk) response = msrp_transport_make_response (b->transport, got, 200, NULL);
    g_autoptr(GPtrArray) back = test_path_of (b->use_uri, a->use_uri, a->uri, NULL);
    g_autoptr(MsrpChunk) reply = new_send (b, back, "Hi Alice");
    g_autoptr(MsrpChunk) got_reply = NULL;
    g_autoptr(MsrpChunk) ok_b = NULL;

    msrp_chunk_set_to_path (response, msrp_chunk_get_from_path (got));
    client_write (b, response);
    client_write (b, reply);
    got_reply = client_next (a);
    g_assert_cmpstr (msrp_chunk_get_method (got_reply), ==, "SEND");
    assert_path (msrp_chunk_get_to_path (got_reply), a->uri, NULL);
    assert_path (msrp_chunk_get_from_path (got_reply), a->use_uri, b->use_uri, b->uri, NULL);
    ok_b = client_next (b);
    g_assert_cmpuint (msrp_chunk_get_code (ok_b), ==, 200);
    g_assert_true (g_queue_is_empty (&a->received));
  }

  /* A REPORT passes and is not answered; Failure-Report no gets no 200. */
  {
    g_autoptr(GPtrArray) back = test_path_of (b->use_uri, a->use_uri, a->uri, NULL);
    g_autoptr(MsrpChunk) report = new_request (b, "REPORT", back);
    g_autoptr(MsrpChunk) quiet = new_send (a, to, "no answer please");
    g_autoptr(MsrpChunk) got_report = NULL;
    g_autoptr(MsrpChunk) got_quiet = NULL;
    g_autoptr(MsrpChunk) marker = new_send (a, to, "marker");
    g_autoptr(MsrpChunk) got_marker = NULL;
    g_autoptr(MsrpChunk) ok_marker = NULL;

    msrp_chunk_set_message_id (report, msrp_chunk_get_message_id (send));
    msrp_chunk_set_byte_range (report, 1, 10, 10);
    msrp_chunk_set_status (report, 200, NULL);
    client_write (b, report);
    got_report = client_next (a);
    g_assert_cmpstr (msrp_chunk_get_method (got_report), ==, "REPORT");
    assert_path (msrp_chunk_get_from_path (got_report), a->use_uri, b->use_uri, b->uri, NULL);

    msrp_chunk_set_failure_report (quiet, MSRP_FAILURE_REPORT_NO);
    client_write (a, quiet);
    client_write (a, marker);
    got_quiet = client_next (b);
    got_marker = client_next (b);
    g_assert_cmpstr (msrp_chunk_get_transaction_id (got_quiet), ==, msrp_chunk_get_transaction_id (quiet));
    g_assert_cmpstr (msrp_chunk_get_transaction_id (got_marker), ==, msrp_chunk_get_transaction_id (marker));
    ok_marker = client_next (a);
    g_assert_cmpstr (msrp_chunk_get_transaction_id (ok_marker), ==, msrp_chunk_get_transaction_id (marker));
    g_assert_true (g_queue_is_empty (&b->received));
  }
}

/* A peer without a relay: a plain listening socket. */
typedef struct {
  GSocketService *service;
  MsrpUri *uri;
  Client *client;
  GPtrArray *clients;
} Peer;

static gboolean
on_peer_incoming (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source,
                  gpointer           user_data)
{
  Peer *peer = user_data;

  g_assert_null (peer->client);
  peer->client = client_new_on_stream (G_IO_STREAM (connection), peer->uri);
  g_object_unref (peer->client->uri);
  peer->client->uri = g_object_ref (peer->uri);
  g_ptr_array_add (peer->clients, peer->client);
  return TRUE;
}

static void
peer_start (Peer    *peer,
            Fixture *f)
{
  GError *error = NULL;
  guint16 port;

  peer->service = g_socket_service_new ();
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (peer->service), NULL, &error);
  g_assert_no_error (error);
  peer->uri = msrp_uri_new ("127.0.0.1", port, NULL, FALSE);
  peer->clients = f->clients;
  g_signal_connect (peer->service, "incoming", G_CALLBACK (on_peer_incoming), peer);
}

static void
peer_stop (Peer *peer)
{
  g_socket_service_stop (peer->service);
  g_socket_listener_close (G_SOCKET_LISTENER (peer->service));
  g_clear_object (&peer->service);
  g_clear_object (&peer->uri);
}

static void
wait_for_peer (Peer *peer)
{
  while (peer->client == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_send_to_peer (Fixture       *f,
                   gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Peer peer = { 0, };
  g_autoptr(GPtrArray) to = NULL;
  g_autoptr(MsrpChunk) send = NULL;
  g_autoptr(MsrpChunk) got = NULL;
  g_autoptr(MsrpChunk) ok = NULL;

  peer_start (&peer, f);
  to = test_path_of (a->use_uri, peer.uri, NULL);
  send = new_send (a, to, "to a direct peer");
  client_write (a, send);
  wait_for_peer (&peer);
  got = client_next (peer.client);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (send));
  assert_path (msrp_chunk_get_to_path (got), peer.uri, NULL);
  assert_path (msrp_chunk_get_from_path (got), a->use_uri, a->uri, NULL);
  ok = client_next (a);
  g_assert_cmpuint (msrp_chunk_get_code (ok), ==, 200);

  /* The peer answers on the connection the relay opened. */
  {
    g_autoptr(GPtrArray) back = test_path_of (a->use_uri, a->uri, NULL);
    g_autoptr(MsrpChunk) reply = new_send (peer.client, back, "from the peer");
    g_autoptr(MsrpChunk) got_reply = NULL;
    g_autoptr(MsrpChunk) ok_peer = NULL;

    client_write (peer.client, reply);
    got_reply = client_next (a);
    assert_path (msrp_chunk_get_to_path (got_reply), a->uri, NULL);
    assert_path (msrp_chunk_get_from_path (got_reply), a->use_uri, peer.uri, NULL);
    ok_peer = client_next (peer.client);
    g_assert_cmpuint (msrp_chunk_get_code (ok_peer), ==, 200);
    assert_path (msrp_chunk_get_to_path (ok_peer), peer.uri, NULL);
    assert_path (msrp_chunk_get_from_path (ok_peer), a->use_uri, NULL);
  }

  /* A second SEND reuses the relay's connection. */
  {
    g_autoptr(MsrpChunk) again = new_send (a, to, "again");
    g_autoptr(MsrpChunk) got_again = NULL;

    client_write (a, again);
    got_again = client_next (peer.client);
    g_assert_cmpstr (msrp_chunk_get_transaction_id (got_again), ==, msrp_chunk_get_transaction_id (again));
  }
  peer_stop (&peer);
}

static void
test_unknown_session (Fixture       *f,
                      gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  g_autoptr(MsrpUri) bogus = g_object_new (MSRP_TYPE_URI, "host", "127.0.0.1",
                                           "port", msrp_uri_get_port (f->relay_uri),
                                           "session-id", "nosuchsession", NULL);
  g_autoptr(GPtrArray) to = test_path_of (bogus, a->uri, NULL);
  g_autoptr(GPtrArray) to_relay = test_path_of (f->relay_uri, a->uri, NULL);
  g_autoptr(MsrpChunk) report = new_request (a, "REPORT", to);
  g_autoptr(MsrpChunk) send = new_send (a, to, "nobody");
  g_autoptr(MsrpChunk) to_self = new_send (a, to_relay, "nobody");
  g_autoptr(MsrpChunk) r1 = NULL;
  g_autoptr(MsrpChunk) r2 = NULL;

  msrp_chunk_set_message_id (report, "abcd1234");
  msrp_chunk_set_status (report, 200, NULL);
  client_write (a, report);   /* never answered */
  client_write (a, send);
  client_write (a, to_self);
  r1 = client_next (a);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (r1), ==, msrp_chunk_get_transaction_id (send));
  g_assert_cmpuint (msrp_chunk_get_code (r1), ==, 481);
  assert_path (msrp_chunk_get_to_path (r1), a->uri, NULL);
  r2 = client_next (a);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (r2), ==, msrp_chunk_get_transaction_id (to_self));
  g_assert_cmpuint (msrp_chunk_get_code (r2), ==, 403);
}

/* The next chunk @client gets is a response with @code. */
static void
assert_next_code (Client *client,
                  guint   code)
{
  g_autoptr(MsrpChunk) r = client_next (client);

  g_assert_false (msrp_chunk_is_request (r));
  g_assert_cmpuint (msrp_chunk_get_code (r), ==, code);
}

/* Until @a or @b has something (or @peer a connection): which one. */
static void
wait_either (Client *a,
             Client *b,
             Peer   *peer)
{
  while ((a == NULL || g_queue_is_empty (&a->received)) &&
         (b == NULL || g_queue_is_empty (&b->received)) &&
         (peer == NULL || peer->client == NULL))
    g_main_context_iteration (NULL, TRUE);
}

/* Makes the relay handle everything @client wrote before: a request it
 * refuses, and its answer. */
static void
client_sync (Client  *client,
             Fixture *f)
{
  g_autoptr(GPtrArray) to = test_path_of (f->relay_uri, NULL);
  g_autoptr(MsrpChunk) probe = new_send (client, to, "sync");
  g_autoptr(MsrpChunk) r = NULL;

  client_write (client, probe);
  r = client_next (client);
  g_assert_false (msrp_chunk_is_request (r));
  g_assert_cmpstr (msrp_chunk_get_transaction_id (r), ==, msrp_chunk_get_transaction_id (probe));
  g_assert_cmpuint (msrp_chunk_get_code (r), ==, 403);
}

/* As client_sync(), taking the requests that come before the answer
 * (into @requests, or dropped). */
static void
client_sync_collect (Client    *client,
                     Fixture   *f,
                     GPtrArray *requests)
{
  g_autoptr(GPtrArray) to = test_path_of (f->relay_uri, NULL);
  g_autoptr(MsrpChunk) probe = new_send (client, to, "sync");

  client_write (client, probe);
  for (;;)
    {
      g_autoptr(MsrpChunk) r = client_next (client);

      if (msrp_chunk_is_request (r))
        {
          if (requests != NULL)
            g_ptr_array_add (requests, g_steal_pointer (&r));
          continue;
        }
      if (strcmp (msrp_chunk_get_transaction_id (r), msrp_chunk_get_transaction_id (probe)) == 0)
        {
          g_assert_cmpuint (msrp_chunk_get_code (r), ==, 403);
          return;
        }
    }
}

/* Sends @text from @client to @to with @from as From-Path. */
static MsrpChunk *
send_as (Client     *client,
         GPtrArray  *to,
         MsrpUri    *from,
         const char *text)
{
  MsrpChunk *send = new_send (client, to, text);
  g_autoptr(GPtrArray) from_path = test_path_of (from, NULL);

  msrp_chunk_set_from_path (send, from_path);
  client_write (client, send);
  return send;
}

/* A refused request teaches the relay no route: a connection that names
 * a peer's URI in a SEND the relay answers 403 does not get the messages
 * that a client of the relay then sends that peer. */
static void
test_route_refused (Fixture       *f,
                    gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *mallory = client_new (f, f->relay_uri);
  Peer peer = { 0, };
  g_autoptr(GPtrArray) to_relay = test_path_of (f->relay_uri, NULL);
  g_autoptr(GPtrArray) to_peer = NULL;
  g_autoptr(MsrpChunk) claim = NULL;
  g_autoptr(MsrpChunk) refused = NULL;
  g_autoptr(MsrpChunk) send = NULL;
  g_autoptr(MsrpChunk) got = NULL;
  g_autoptr(MsrpChunk) ok = NULL;

  peer_start (&peer, f);
  claim = send_as (mallory, to_relay, peer.uri, "I am the peer");
  refused = client_next (mallory);
  g_assert_cmpuint (msrp_chunk_get_code (refused), ==, 403);

  to_peer = test_path_of (a->use_uri, peer.uri, NULL);
  send = new_send (a, to_peer, "for the peer only");
  client_write (a, send);
  wait_either (mallory, NULL, &peer);
  g_assert_true (g_queue_is_empty (&mallory->received));
  got = client_next (peer.client);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (send));
  ok = client_next (a);
  g_assert_cmpuint (msrp_chunk_get_code (ok), ==, 200);
  peer_stop (&peer);
}

/* The URI of a peer that connected from @client's address. */
static MsrpUri *
uri_of_address (Client     *client,
                const char *session_id)
{
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (G_SOCKET_CONNECTION (client->stream), NULL);
  GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (local);
  g_autofree char *host = g_inet_address_to_string (g_inet_socket_address_get_address (inet));

  return g_object_new (MSRP_TYPE_URI, "host", host, "port", g_inet_socket_address_get_port (inet),
                       "session-id", session_id, NULL);
}

/* A route serves the client of the session it was learnt through, and an
 * open route is never replaced: a peer P that reached A through the relay
 * (from the address of its URI) keeps getting A's messages on its
 * connection, whoever else claims P's URI (toward A, or toward a session
 * of its own). */
static void
test_route_kept (Fixture       *f,
                 gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *p = client_new (f, f->relay_uri);
  Client *mallory = authed_client (f, "bob", "bobpass");
  Client *mallory2 = client_new (f, f->relay_uri);
  g_autoptr(MsrpUri) p_uri = uri_of_address (p, "peer-p");
  g_autoptr(MsrpUri) q_uri = g_object_new (MSRP_TYPE_URI, "host", "127.0.0.1", "port", test_free_port (),
                                           "session-id", "peer-q", NULL);
  g_autoptr(GPtrArray) to_a = test_path_of (a->use_uri, a->uri, NULL);
  g_autoptr(GPtrArray) to_mallory = test_path_of (mallory->use_uri, mallory->uri, NULL);
  g_autoptr(GPtrArray) a_to_p = test_path_of (a->use_uri, p_uri, NULL);
  g_autoptr(GPtrArray) a_to_q = test_path_of (a->use_uri, q_uri, NULL);

  /* P reaches A: the relay learns where P is. */
  {
    g_autoptr(MsrpChunk) hello = send_as (p, to_a, p_uri, "hello from P");
    g_autoptr(MsrpChunk) got = client_next (a);
    g_autoptr(MsrpChunk) ok = client_next (p);

    g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (hello));
    g_assert_cmpuint (msrp_chunk_get_code (ok), ==, 200);
  }
  /* Mallory claims P's URI toward A (which A sees and may refuse) and
   * toward a session of its own, from another connection. */
  {
    g_autoptr(MsrpChunk) claim1 = send_as (mallory2, to_a, p_uri, "I am P");
    g_autoptr(MsrpChunk) claim2 = send_as (mallory2, to_mallory, p_uri, "I am P too");
    g_autoptr(MsrpChunk) got1 = client_next (a);
    g_autoptr(MsrpChunk) got2 = client_next (mallory);

    g_assert_cmpstr (msrp_chunk_get_transaction_id (got1), ==, msrp_chunk_get_transaction_id (claim1));
    g_assert_cmpstr (msrp_chunk_get_transaction_id (got2), ==, msrp_chunk_get_transaction_id (claim2));
    assert_next_code (mallory2, 200);
    assert_next_code (mallory2, 200);
  }
  /* A answers P: on P's connection. */
  {
    g_autoptr(MsrpChunk) reply = new_send (a, a_to_p, "for P only");
    g_autoptr(MsrpChunk) got = NULL;

    client_write (a, reply);
    wait_either (p, mallory2, NULL);
    g_assert_true (g_queue_is_empty (&mallory2->received));
    got = client_next (p);
    g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (reply));
    assert_next_code (a, 200);
  }
  /* A URI taught through Mallory's own session serves only Mallory. */
  {
    g_autoptr(MsrpChunk) claim = send_as (mallory2, to_mallory, q_uri, "I am Q");
    g_autoptr(MsrpChunk) got = client_next (mallory);
    g_autoptr(MsrpChunk) to_q = NULL;
    g_autoptr(MsrpChunk) r = NULL;

    g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (claim));
    assert_next_code (mallory2, 200);
    /* Nobody listens at Q's address: the relay tries it and gives up,
     * but the message never goes to Mallory. */
    to_q = new_send (a, a_to_q, "for Q only");
    client_write (a, to_q);
    wait_either (a, mallory2, NULL);
    g_assert_true (g_queue_is_empty (&mallory2->received));
    r = client_next (a);
    g_assert_cmpstr (msrp_chunk_get_transaction_id (r), ==, msrp_chunk_get_transaction_id (to_q));
    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 408);
  }
}

/* Route learning (RFC 4976 section 6): a request that reaches a client
 * of the relay teaches the relay where its sender is only when that
 * cannot be found out by dialling: a URI on a `.invalid` host or without
 * a port (the sender listens nowhere), or one that names the very
 * address the request came from. Anyone who knows a client's session
 * could otherwise claim a peer's URI first, and get what the client
 * sends that peer. */
static void
test_route_learning (Fixture       *f,
                     gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *mallory = client_new (f, f->relay_uri);
  Peer peer = { 0, };
  g_autoptr(GPtrArray) to_a = test_path_of (a->use_uri, a->uri, NULL);

  /* Mallory claims the URI of a peer that listens: the relay dials it. */
  peer_start (&peer, f);
  {
    g_autoptr(MsrpChunk) claim = send_as (mallory, to_a, peer.uri, "I am the peer");
    g_autoptr(MsrpChunk) got = client_next (a);
    g_autoptr(GPtrArray) to_peer = test_path_of (a->use_uri, peer.uri, NULL);
    g_autoptr(MsrpChunk) send = new_send (a, to_peer, "for the peer only");
    g_autoptr(MsrpChunk) got_peer = NULL;

    g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (claim));
    assert_next_code (mallory, 200);
    client_write (a, send);
    wait_either (mallory, NULL, &peer);
    g_assert_true (g_queue_is_empty (&mallory->received));
    got_peer = client_next (peer.client);
    g_assert_cmpstr (msrp_chunk_get_transaction_id (got_peer), ==, msrp_chunk_get_transaction_id (send));
    assert_next_code (a, 200);
  }
  peer_stop (&peer);

  /* A peer that cannot be dialled, and one that names its own address,
   * are reached back on their connections. */
  for (guint i = 0; i < 2; i++)
    {
      Client *p = client_new (f, f->relay_uri);
      g_autoptr(MsrpUri) p_uri = NULL;
      g_autoptr(GPtrArray) to_p = NULL;
      g_autoptr(MsrpChunk) hello = NULL;
      g_autoptr(MsrpChunk) got = NULL;
      g_autoptr(MsrpChunk) reply = NULL;
      g_autoptr(MsrpChunk) got_reply = NULL;

      if (i == 0)
        p_uri = g_object_new (MSRP_TYPE_URI, "host", "k3j5h2l1.invalid", "session-id", "peer-ws",
                              "transport", "ws", NULL);
      else
        p_uri = uri_of_address (p, "peer-here");
      hello = send_as (p, to_a, p_uri, "hello");
      got = client_next (a);
      g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (hello));
      assert_next_code (p, 200);

      to_p = test_path_of (a->use_uri, p_uri, NULL);
      reply = new_send (a, to_p, "back to you");
      client_write (a, reply);
      got_reply = client_next (p);
      g_assert_cmpstr (msrp_chunk_get_transaction_id (got_reply), ==, msrp_chunk_get_transaction_id (reply));
      assert_next_code (a, 200);
    }
}

/* Forgery (RFC 4976 sections 6-7): a request that uses A's session as its
 * sender's relay (A's session first in To-Path, going on to B) comes only
 * on A's connection; from any other it gets 403 and B sees nothing, be it
 * a SEND or a REPORT, from a connection without a session or with one. A
 * response counts only on the connection the request went out on. */
static void
test_forgery (Fixture       *f,
              gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *b = authed_client (f, "bob", "bobpass");
  Client *mallory = client_new (f, f->relay_uri);
  Client *mallory2 = authed_client (f, "bob", "bobpass");
  g_autoptr(GPtrArray) to = test_path_of (a->use_uri, b->use_uri, b->uri, NULL);
  Client *forgers[] = { mallory, mallory2 };

  for (guint i = 0; i < G_N_ELEMENTS (forgers); i++)
    {
      g_autoptr(MsrpChunk) forged = send_as (forgers[i], to, a->uri, "Hi Bob, it is Alice");
      g_autoptr(MsrpChunk) r = client_next (forgers[i]);
      g_autoptr(MsrpChunk) report = new_request (forgers[i], "REPORT", to);
      g_autoptr(GPtrArray) from = test_path_of (a->uri, NULL);

      g_assert_cmpstr (msrp_chunk_get_transaction_id (r), ==, msrp_chunk_get_transaction_id (forged));
      g_assert_cmpuint (msrp_chunk_get_code (r), ==, 403);

      msrp_chunk_set_from_path (report, from);
      msrp_chunk_set_message_id (report, "forgedreport1");
      msrp_chunk_set_byte_range (report, 1, 10, 10);
      msrp_chunk_set_status (report, 200, NULL);
      client_write (forgers[i], report);
      client_sync (forgers[i], f);
    }

  /* What B gets first is A's own message. */
  {
    g_autoptr(MsrpChunk) send = new_send (a, to, "Hi Bob");
    g_autoptr(MsrpChunk) got = NULL;
    g_autoptr(MsrpChunk) forged_response = NULL;
    g_autoptr(GPtrArray) response_to = test_path_of (b->use_uri, NULL);
    g_autoptr(GPtrArray) response_from = test_path_of (b->uri, NULL);

    client_write (a, send);
    got = client_next (b);
    g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (send));
    assert_path (msrp_chunk_get_from_path (got), b->use_uri, a->use_uri, a->uri, NULL);
    assert_next_code (a, 200);

    /* Mallory answers in B's name: no failure REPORT reaches A. */
    forged_response = msrp_chunk_new_response (msrp_chunk_get_transaction_id (send), 415, NULL);
    msrp_chunk_set_to_path (forged_response, response_to);
    msrp_chunk_set_from_path (forged_response, response_from);
    client_write (mallory, forged_response);
    client_sync (mallory, f);
    client_sync (a, f);
  }
  g_assert_true (g_queue_is_empty (&b->received));

  /* Toward a session's own client, any connection may send. */
  {
    g_autoptr(GPtrArray) to_b = test_path_of (b->use_uri, b->uri, NULL);
    g_autoptr(MsrpChunk) send = send_as (mallory, to_b, mallory->uri, "Hi Bob, I am Mallory");
    g_autoptr(MsrpChunk) got = client_next (b);

    g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (send));
  }
}

static void
assert_failure_report (MsrpChunk  *report,
                       Client     *sender,
                       MsrpChunk  *send,
                       guint       code)
{
  guint got_code = 0;
  gint64 start, end, total;

  g_assert_cmpstr (msrp_chunk_get_method (report), ==, "REPORT");
  assert_path (msrp_chunk_get_to_path (report), sender->uri, NULL);
  assert_path (msrp_chunk_get_from_path (report), sender->use_uri, NULL);
  g_assert_cmpstr (msrp_chunk_get_message_id (report), ==, msrp_chunk_get_message_id (send));
  g_assert_true (msrp_chunk_get_status (report, &got_code, NULL));
  g_assert_cmpuint (got_code, ==, code);
  g_assert_true (msrp_chunk_get_byte_range (report, &start, &end, &total));
  g_assert_cmpint (start, ==, 1);
  g_assert_cmpint (end, ==, msrp_chunk_get_size (send));
}

static void
test_unreachable (Fixture       *f,
                  gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  g_autoptr(MsrpUri) nowhere = msrp_uri_new ("127.0.0.1", test_free_port (), NULL, FALSE);
  g_autoptr(GPtrArray) to = test_path_of (a->use_uri, nowhere, NULL);
  g_autoptr(MsrpChunk) send = new_send (a, to, "lost");
  g_autoptr(MsrpChunk) partial = new_send (a, to, "lost too");
  g_autoptr(MsrpChunk) r = NULL;
  g_autoptr(MsrpChunk) r2 = NULL;

  msrp_chunk_set_failure_report (partial, MSRP_FAILURE_REPORT_PARTIAL);
  client_write (a, send);
  client_write (a, partial);
  r = client_next (a);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (r), ==, msrp_chunk_get_transaction_id (send));
  g_assert_cmpuint (msrp_chunk_get_code (r), ==, 408);
  assert_path (msrp_chunk_get_to_path (r), a->uri, NULL);
  assert_path (msrp_chunk_get_from_path (r), a->use_uri, NULL);
  r2 = client_next (a);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (r2), ==, msrp_chunk_get_transaction_id (partial));
  g_assert_cmpuint (msrp_chunk_get_code (r2), ==, 408);
}

static void
test_next_hop_error (Fixture       *f,
                     gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *b = authed_client (f, "bob", "bobpass");
  g_autoptr(GPtrArray) to = test_path_of (a->use_uri, b->use_uri, b->uri, NULL);
  g_autoptr(MsrpChunk) send = new_send (a, to, "unwanted");
  g_autoptr(MsrpChunk) ok = NULL;
  g_autoptr(MsrpChunk) report = NULL;

  /* B refuses the content: A hears 200 from the relay, then a REPORT. */
  b->answer_code = 415;
  client_write (a, send);
  ok = client_next (a);
  g_assert_cmpuint (msrp_chunk_get_code (ok), ==, 200);
  report = client_next (a);
  assert_failure_report (report, a, send, 415);

  /* Failure-Report partial: no 200, but the REPORT all the same. */
  {
    g_autoptr(MsrpChunk) partial = new_send (a, to, "unwanted too");
    g_autoptr(MsrpChunk) report2 = NULL;

    msrp_chunk_set_failure_report (partial, MSRP_FAILURE_REPORT_PARTIAL);
    client_write (a, partial);
    report2 = client_next (a);
    assert_failure_report (report2, a, partial, 415);
  }
}

static void
test_next_hop_timeout (Fixture       *f,
                       gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *b = authed_client (f, "bob", "bobpass");
  g_autoptr(GPtrArray) to = test_path_of (a->use_uri, b->use_uri, b->uri, NULL);
  g_autoptr(MsrpChunk) send = new_send (a, to, "into the void");
  g_autoptr(MsrpChunk) partial = new_send (a, to, "partial: no timeout report");
  g_autoptr(MsrpChunk) ok = NULL;
  g_autoptr(MsrpChunk) report = NULL;
  g_autoptr(MsrpChunk) got = NULL;
  g_autoptr(MsrpChunk) got2 = NULL;

  /* B never answers. */
  msrp_relay_set_response_timeout (f->relay, 1);
  msrp_chunk_set_failure_report (partial, MSRP_FAILURE_REPORT_PARTIAL);
  client_write (a, partial);
  client_write (a, send);
  got = client_next (b);
  got2 = client_next (b);
  ok = client_next (a);
  g_assert_cmpuint (msrp_chunk_get_code (ok), ==, 200);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (ok), ==, msrp_chunk_get_transaction_id (send));
  report = client_next (a);
  assert_failure_report (report, a, send, 408);

  /* And when B's connection closes with a SEND outstanding. */
  {
    g_autoptr(MsrpChunk) third = new_send (a, to, "cut off");
    g_autoptr(MsrpChunk) got3 = NULL;
    g_autoptr(MsrpChunk) ok3 = NULL;
    g_autoptr(MsrpChunk) report3 = NULL;

    msrp_relay_set_response_timeout (f->relay, 30);
    client_write (a, third);
    got3 = client_next (b);
    ok3 = client_next (a);
    g_assert_cmpuint (msrp_chunk_get_code (ok3), ==, 200);
    msrp_transport_close_async (b->transport, NULL, NULL, NULL);
    report3 = client_next (a);
    assert_failure_report (report3, a, third, 408);
    while (msrp_relay_get_n_sessions (f->relay) > 1)
      g_main_context_iteration (NULL, TRUE);
  }
}

/* Transactions waiting for the next hop are capped per sender (4096):
 * past it, the sender's own SENDs get 413 (RFC 4975: stop sending this
 * message), while another sender's transaction toward the same next hop
 * is kept, and its failure still comes back as a REPORT. */
static void
test_pending_cap (Fixture       *f,
                  gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *b = authed_client (f, "bob", "bobpass");
  Client *m = client_new (f, f->relay_uri);
  g_autoptr(GPtrArray) to = test_path_of (a->use_uri, b->use_uri, b->uri, NULL);
  g_autoptr(GPtrArray) to_b = test_path_of (b->use_uri, b->uri, NULL);
  g_autoptr(MsrpChunk) send = new_send (a, to, "keep me");
  g_autoptr(MsrpChunk) got = NULL;
  g_autoptr(MsrpChunk) refused = NULL;
  g_autoptr(MsrpChunk) last = NULL;
  const guint cap = 4096;
  guint i;

  /* B answers nothing for now: every transaction stays pending. */
  client_write (a, send);
  got = client_next (b);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (send));
  assert_next_code (a, 200);

  m->count_ok = TRUE;
  for (i = 0; i <= cap; i++)
    {
      g_autoptr(MsrpChunk) flood = new_send (m, to_b, "flood");

      client_write (m, flood);
      if (i == cap)
        last = g_object_ref (flood);
    }
  while (m->n_ok + g_queue_get_length (&m->received) < cap + 1)
    {
      g_assert_false (m->closed);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (m->n_ok, ==, cap);
  refused = client_next (m);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (refused), ==, msrp_chunk_get_transaction_id (last));
  g_assert_cmpuint (msrp_chunk_get_code (refused), ==, 413);

  /* B refuses A's message at last: A hears of it. */
  {
    g_autoptr(MsrpChunk) response = msrp_transport_make_response (b->transport, got, 415, NULL);
    g_autoptr(GPtrArray) to_a = g_ptr_array_new_with_free_func (g_object_unref);

    msrp_chunk_set_to_path (response, msrp_chunk_get_from_path (got));
    client_write (b, response);
    client_sync_collect (b, f, NULL);
    /* What the relay wrote A after B's response comes before the answer
     * to a probe A sends now. */
    client_sync_collect (a, f, to_a);
    g_assert_cmpuint (to_a->len, ==, 1);
    assert_failure_report (g_ptr_array_index (to_a, 0), a, send, 415);
  }
}

static void
test_interrupted_chunk (Fixture       *f,
                        gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *b = authed_client (f, "bob", "bobpass");
  g_autoptr(GPtrArray) to = test_path_of (a->use_uri, b->use_uri, b->uri, NULL);
  g_autoptr(MsrpChunk) first = new_send (a, to, "Hello");
  g_autoptr(MsrpChunk) second = new_send (a, to, "World");
  g_autoptr(MsrpChunk) got1 = NULL;
  g_autoptr(MsrpChunk) got2 = NULL;
  gint64 start, end, total;

  /* The sender cut the first chunk short: Byte-Range end stays 10. */
  msrp_chunk_set_message_id (second, msrp_chunk_get_message_id (first));
  msrp_chunk_set_byte_range (first, 1, 10, 10);
  msrp_chunk_set_continuation (first, MSRP_CONTINUATION_MORE);
  msrp_chunk_set_byte_range (second, 6, 10, 10);
  client_write (a, first);
  client_write (a, second);
  got1 = client_next (b);
  got2 = client_next (b);
  g_assert_cmpint (msrp_chunk_get_continuation (got1), ==, MSRP_CONTINUATION_MORE);
  g_assert_true (msrp_chunk_get_byte_range (got1, &start, &end, &total));
  g_assert_cmpint (start, ==, 1);
  g_assert_cmpint (end, ==, 10);
  g_assert_cmpint (total, ==, 10);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (got1), ==, msrp_chunk_get_transaction_id (first));
  g_assert_cmpint (msrp_chunk_get_continuation (got2), ==, MSRP_CONTINUATION_END);
  g_assert_true (msrp_chunk_get_byte_range (got2, &start, &end, &total));
  g_assert_cmpint (start, ==, 6);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (got2), ==, msrp_chunk_get_transaction_id (second));
  g_assert_true (g_bytes_equal (msrp_chunk_get_data (got2), msrp_chunk_get_data (second)));

  /* An aborted chunk keeps its '#'. */
  {
    g_autoptr(MsrpChunk) aborted = new_send (a, to, "Bye");
    g_autoptr(MsrpChunk) got3 = NULL;

    msrp_chunk_set_continuation (aborted, MSRP_CONTINUATION_ABORT);
    client_write (a, aborted);
    got3 = client_next (b);
    g_assert_cmpint (msrp_chunk_get_continuation (got3), ==, MSRP_CONTINUATION_ABORT);
  }
}

/* Large transfers */

static gint64
read_status_kb (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, field);
  if (line == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (field) + 1, NULL, 10);
}

/* Resets VmHWM (Linux 4.0 and later). Not under AddressSanitizer, whose
 * quarantine keeps freed memory. */
static gboolean
reset_peak_rss (void)
{
#if defined(__SANITIZE_ADDRESS__)
  return FALSE;
#else
  FILE *file = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;

  if (file == NULL)
    return FALSE;
  ok = fputs ("5", file) >= 0;
  return fclose (file) == 0 && ok;
#endif
}

static void
fill (GRand  *rand,
      guint8 *buffer,
      gsize   len)
{
  for (gsize i = 0; i < len; i += 4)
    {
      guint32 r = g_rand_int (rand);

      memcpy (buffer + i, &r, MIN (4, len - i));
    }
}

#define BIG_SIZE (50 * 1024 * 1024)
#define SMALL_CHUNK (8 * 1024)
#define WINDOW 32

static void
test_large_message (Fixture       *f,
                    gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *b = authed_client (f, "bob", "bobpass");
  g_autoptr(GPtrArray) to = test_path_of (a->use_uri, b->use_uri, b->uri, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (4976);
  g_autoptr(GChecksum) sent = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (SMALL_CHUNK);
  gboolean measure = reset_peak_rss ();
  gint64 rss_before = read_status_kb ("VmRSS:");
  gint64 peak, t0 = g_get_monotonic_time ();
  guint64 offset = 0;

  b->sink = TRUE;
  b->answer_sends = TRUE;
  a->count_ok = TRUE;
  while (offset < BIG_SIZE)
    {
      g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", NULL);
      g_autoptr(GPtrArray) from = test_path_of (a->uri, NULL);
      g_autoptr(GBytes) body = NULL;

      while (a->outstanding >= WINDOW)
        g_main_context_iteration (NULL, TRUE);
      fill (rand, buffer, SMALL_CHUNK);
      g_checksum_update (sent, buffer, SMALL_CHUNK);
      body = g_bytes_new (buffer, SMALL_CHUNK);
      msrp_chunk_set_to_path (chunk, to);
      msrp_chunk_set_from_path (chunk, from);
      msrp_chunk_set_message_id (chunk, "bigmessage1");
      msrp_chunk_set_byte_range (chunk, offset + 1, offset + SMALL_CHUNK, BIG_SIZE);
      msrp_chunk_set_content_type (chunk, "application/octet-stream");
      msrp_chunk_set_data (chunk, body);
      offset += SMALL_CHUNK;
      if (offset < BIG_SIZE)
        msrp_chunk_set_continuation (chunk, MSRP_CONTINUATION_MORE);
      client_write (a, chunk);
    }
  while (b->n_ends < 1 || a->n_ok < BIG_SIZE / SMALL_CHUNK)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (b->bytes, ==, BIG_SIZE);
  g_assert_cmpuint (b->n_sends, ==, BIG_SIZE / SMALL_CHUNK);
  g_assert_cmpstr (g_checksum_get_string (b->sha), ==, g_checksum_get_string (sent));
  peak = read_status_kb ("VmHWM:");
  g_test_message ("50 MiB in 8 KiB chunks through the relay: %.2f s, peak RSS growth %" G_GINT64_FORMAT " KiB",
                  (g_get_monotonic_time () - t0) / 1e6, peak - rss_before);
  if (measure && rss_before > 0 && peak > 0)
    g_assert_cmpint (peak - rss_before, <, 32 * 1024);
  g_assert_true (g_queue_is_empty (&a->received));
}

/* One 50 MiB chunk, written raw without holding it: the relay forwards it
 * in pieces. */
typedef struct {
  GOutputStream *output;
  GRand *rand;
  GChecksum *sent;
  guint8 *buffer;
  guint64 offset;
  char *tid;
  gboolean done;
} RawSend;

static void raw_send_next (RawSend *raw);

static void
on_raw_written (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  RawSend *raw = user_data;
  GError *error = NULL;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  g_assert_no_error (error);
  raw_send_next (raw);
}

#define RAW_BLOCK (64 * 1024)

static void
raw_send_next (RawSend *raw)
{
  if (raw->offset == BIG_SIZE)
    {
      g_autofree char *end = g_strdup_printf ("\r\n-------%s$\r\n", raw->tid);

      raw->offset++;
      g_output_stream_write_all_async (raw->output, end, strlen (end), G_PRIORITY_DEFAULT, NULL,
                                       on_raw_written, raw);
      g_object_set_data_full (G_OBJECT (raw->output), "end", g_steal_pointer (&end), g_free);
      return;
    }
  if (raw->offset > BIG_SIZE)
    {
      raw->done = TRUE;
      return;
    }
  fill (raw->rand, raw->buffer, RAW_BLOCK);
  g_checksum_update (raw->sent, raw->buffer, RAW_BLOCK);
  raw->offset += RAW_BLOCK;
  g_output_stream_write_all_async (raw->output, raw->buffer, RAW_BLOCK, G_PRIORITY_DEFAULT, NULL,
                                   on_raw_written, raw);
}

static void
test_large_chunk (Fixture       *f,
                  gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *b = authed_client (f, "bob", "bobpass");
  g_autoptr(GPtrArray) to = test_path_of (a->use_uri, b->use_uri, b->uri, NULL);
  g_autofree char *to_str = msrp_path_to_string (to);
  g_autofree char *head = NULL;
  g_autoptr(MsrpChunk) ok = NULL;
  gboolean measure = reset_peak_rss ();
  gint64 rss_before = read_status_kb ("VmRSS:");
  gint64 peak, t0 = g_get_monotonic_time ();
  RawSend raw = { 0, };
  gboolean head_written = FALSE;

  b->sink = TRUE;
  b->answer_sends = TRUE;
  raw.output = g_io_stream_get_output_stream (a->stream);
  raw.rand = g_rand_new_with_seed (4975);
  raw.sent = g_checksum_new (G_CHECKSUM_SHA256);
  raw.buffer = g_malloc (RAW_BLOCK);
  raw.tid = g_strdup ("bigchunk0001");
  head = g_strdup_printf ("MSRP %s SEND\r\nTo-Path: %s\r\nFrom-Path: %s\r\nMessage-ID: onechunk\r\n"
                          "Byte-Range: 1-%d/%d\r\nContent-Type: application/octet-stream\r\n\r\n",
                          raw.tid, to_str, _msrp_uri_peek_string (a->uri), BIG_SIZE, BIG_SIZE);
  g_assert_true (g_output_stream_write_all (raw.output, head, strlen (head), NULL, NULL, NULL));
  head_written = TRUE;
  raw_send_next (&raw);
  test_wait_for (&raw.done);
  while (b->n_ends < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (head_written);
  g_assert_cmpuint (b->bytes, ==, BIG_SIZE);
  g_assert_cmpuint (b->n_sends, >, 1);
  g_assert_cmpstr (g_checksum_get_string (b->sha), ==, g_checksum_get_string (raw.sent));

  /* One answer to the original transaction. */
  ok = client_next (a);
  g_assert_cmpuint (msrp_chunk_get_code (ok), ==, 200);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (ok), ==, raw.tid);
  peak = read_status_kb ("VmHWM:");
  g_test_message ("one 50 MiB chunk through the relay: %.2f s in %u pieces, peak RSS growth %" G_GINT64_FORMAT " KiB",
                  (g_get_monotonic_time () - t0) / 1e6, b->n_sends, peak - rss_before);
  if (measure && rss_before > 0 && peak > 0)
    g_assert_cmpint (peak - rss_before, <, 32 * 1024);

  g_rand_free (raw.rand);
  g_checksum_free (raw.sent);
  g_free (raw.buffer);
  g_free (raw.tid);
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A receiver that does not read: the sender is held back. */
static void
test_backpressure (Fixture       *f,
                   gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *b = authed_client (f, "bob", "bobpass");
  g_autoptr(GPtrArray) to = test_path_of (a->use_uri, b->use_uri, b->uri, NULL);
  g_autoptr(GBytes) body = NULL;
  g_autofree guint8 *buffer = g_malloc0 (SMALL_CHUNK);
  guint written = 0, i;

  /* B stops reading: its read loop is not re-armed after the read
   * pending now. */
  b->sink = TRUE;
  b->answer_sends = TRUE;
  a->count_ok = TRUE;
  b->closed = TRUE;
  body = g_bytes_new (buffer, SMALL_CHUNK);

  /* 40 MiB offered; how much leaves A while B sleeps is bounded by the
   * socket buffers and the relay's high-water mark, not by the size. */
  for (i = 0; i < 5120; i++)
    {
      g_autoptr(MsrpChunk) chunk = new_send (a, to, "");

      msrp_chunk_set_content_type (chunk, "application/octet-stream");
      msrp_chunk_set_data (chunk, body);
      msrp_chunk_set_byte_range (chunk, (gint64) i * SMALL_CHUNK + 1, (gint64) (i + 1) * SMALL_CHUNK, -1);
      msrp_chunk_set_continuation (chunk, MSRP_CONTINUATION_MORE);
      client_write (a, chunk);
    }
  /* Showing that something does not happen takes a time window: the
   * main loop runs (blocking, not spinning) for one second while B does
   * not read; without backpressure all 40 MiB would leave A in that time
   * (the relay moves 50 MiB in about a second). */
  {
    gboolean window_over = FALSE;

    g_timeout_add_seconds (1, set_flag, &window_over);
    test_wait_for (&window_over);
  }
  written = 5120 - a->outstanding;
  g_test_message ("chunks of 8 KiB written while the receiver slept: %u", written);
  g_assert_cmpuint (written, <, 5120 / 2);

  /* B reads again: everything arrives. */
  b->closed = FALSE;
  client_read (b);
  g_assert_true (b->reading);
  while (b->n_sends < 5120)
    g_main_context_iteration (NULL, TRUE);
  while (a->outstanding > 0)
    g_main_context_iteration (NULL, TRUE);
}

/* Connections that own no session and carry nothing are closed after the
 * idle timeout; one with a session stays. */
static void
test_idle_connections (Fixture       *f,
                       gconstpointer  data)
{
  Client *idle, *authed;
  g_autoptr(MsrpChunk) again = NULL;

  msrp_relay_set_idle_timeout (f->relay, 1);
  g_assert_cmpuint (msrp_relay_get_idle_timeout (f->relay), ==, 1);
  authed = authed_client (f, "alice", "alicepass");
  idle = client_new (f, f->relay_uri);
  client_read (idle);

  /* The relay closes the idle one (within two periods). */
  while (!idle->closed)
    g_main_context_iteration (NULL, TRUE);

  /* The other still answers: a refresh of its session. */
  again = client_auth_full (authed, authed->use_uri, "alice", "alicepass", -1);
  g_assert_cmpuint (msrp_chunk_get_code (again), ==, 200);
  g_assert_false (authed->closed);
}

/* Connections that send no request: beyond max-pending-connections the
 * oldest are closed, the others after the first-request timeout, long
 * before the idle timeout; a client still gets in. */
static void
test_pending_connections (Fixture       *f,
                          gconstpointer  data)
{
  Client *idle[10], *authed;
  g_autoptr(MsrpChunk) again = NULL;
  guint i;

  msrp_relay_set_max_pending_connections (f->relay, 4);
  g_assert_cmpuint (msrp_relay_get_max_pending_connections (f->relay), ==, 4);
  g_assert_cmpuint (msrp_relay_get_idle_timeout (f->relay), ==, 60);
  for (i = 0; i < G_N_ELEMENTS (idle); i++)
    idle[i] = client_new (f, f->relay_uri);
  for (i = 0; i < 6; i++)
    while (!idle[i]->closed)
      g_main_context_iteration (NULL, TRUE);

  authed = authed_client (f, "alice", "alicepass");

  msrp_relay_set_first_request_timeout (f->relay, 1);
  for (i = 6; i < G_N_ELEMENTS (idle); i++)
    while (!idle[i]->closed)
      g_main_context_iteration (NULL, TRUE);
  again = client_auth_full (authed, authed->use_uri, "alice", "alicepass", -1);
  g_assert_cmpuint (msrp_chunk_get_code (again), ==, 200);
  g_assert_false (authed->closed);
}

/* Until every client of @clients is closed, or @seconds have passed:
 * whether they all closed. */
static gboolean
wait_closed (Client **clients,
             guint    n,
             guint    seconds)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add_seconds (seconds, set_flag, &expired);
  guint i = 0;

  while (i < n && !expired)
    {
      if (clients[i]->closed)
        i++;
      else
        g_main_context_iteration (NULL, TRUE);
    }
  if (!expired)
    g_source_remove (id);
  return i == n;
}

/* A connection stays pending (bounded by max-pending-connections and the
 * first-request timeout) until it has authenticated or reached a
 * session, not just until its first request: AUTHs answered 401 do not
 * take it out of the limits. */
static void
test_pending_until_authenticated (Fixture       *f,
                                  gconstpointer  data)
{
  Client *challenged[10], *authed, *peer, *late;
  g_autoptr(GPtrArray) to_a = NULL;
  guint i;

  msrp_relay_set_max_pending_connections (f->relay, 4);
  for (i = 0; i < G_N_ELEMENTS (challenged); i++)
    {
      g_autoptr(MsrpChunk) r = NULL;

      challenged[i] = client_new (f, f->relay_uri);
      r = client_auth_once (challenged[i], f->relay_uri, NULL, -1);
      g_assert_cmpuint (msrp_chunk_get_code (r), ==, 401);
    }
  /* The oldest made room for the newer ones. */
  g_assert_true (wait_closed (challenged, 6, 5));

  /* Authenticated, or reaching a session: out of the limits. */
  authed = authed_client (f, "alice", "alicepass");
  peer = client_new (f, f->relay_uri);
  to_a = test_path_of (authed->use_uri, authed->uri, NULL);
  {
    g_autoptr(MsrpChunk) hello = send_as (peer, to_a, peer->uri, "hello");

    g_object_unref (client_next (authed));
    assert_next_code (peer, 200);
  }
  /* Accepted after them: it times out last. */
  late = client_new (f, f->relay_uri);
  {
    g_autoptr(MsrpChunk) r = client_auth_once (late, f->relay_uri, NULL, -1);

    g_assert_cmpuint (msrp_chunk_get_code (r), ==, 401);
  }

  msrp_relay_set_first_request_timeout (f->relay, 1);
  g_assert_true (wait_closed (challenged + 6, 4, 5));
  g_assert_true (wait_closed (&late, 1, 5));
  g_assert_false (authed->closed);
  g_assert_false (peer->closed);
  {
    g_autoptr(MsrpChunk) again = send_as (peer, to_a, peer->uri, "still here");
    g_autoptr(MsrpChunk) got = client_next (authed);

    g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (again));
  }
}

/* Raw TLS connections that never send a ClientHello do not hold up a TLS
 * client. */
static void
test_tls_silent (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(MsrpUri) tls_uri = NULL;
  g_autoptr(GPtrArray) silent = g_ptr_array_new_with_free_func ((GDestroyNotify) test_raw_free);
  g_autoptr(MsrpChunk) ok = NULL;
  GError *error = NULL;
  Client *a;
  gint64 start;

  msrp_relay_set_tls_certificate (f->relay, test_certificate (RELAY_CN));
  tls_uri = msrp_relay_listen (f->relay, "127.0.0.1", 0, TRUE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 100; i++)
    g_ptr_array_add (silent, test_raw_connect (msrp_uri_get_port (tls_uri), NULL));

  start = g_get_monotonic_time ();
  a = client_new (f, tls_uri);
  ok = client_auth_full (a, tls_uri, "alice", "alicepass", -1);
  g_assert_cmpuint (msrp_chunk_get_code (ok), ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

/* TLS */

static void
test_tls (Fixture       *f,
          gconstpointer  data)
{
  GError *error = NULL;
  g_autoptr(MsrpUri) tls_uri = NULL;
  Client *a, *b;
  g_autoptr(MsrpChunk) ok = NULL;
  g_autoptr(MsrpUri) refused = msrp_relay_listen (f->relay, "127.0.0.1", 0, TRUE, &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (refused);
  g_clear_error (&error);

  msrp_relay_set_tls_certificate (f->relay, test_certificate (RELAY_CN));
  tls_uri = msrp_relay_listen (f->relay, "127.0.0.1", 0, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (msrp_uri_get_use_tls (tls_uri));
  g_assert_cmpuint (msrp_uri_get_port (tls_uri), !=, msrp_uri_get_port (f->relay_uri));

  a = client_new (f, tls_uri);
  ok = client_auth_full (a, tls_uri, "alice", "alicepass", -1);
  g_assert_cmpuint (msrp_chunk_get_code (ok), ==, 200);
  a->use_uri = g_object_ref (g_ptr_array_index (msrp_chunk_get_use_path (ok), 0));
  g_assert_true (msrp_uri_get_use_tls (a->use_uri));
  g_assert_cmpuint (msrp_uri_get_port (a->use_uri), ==, msrp_uri_get_port (tls_uri));

  /* TLS client to TCP client. */
  b = authed_client (f, "bob", "bobpass");
  {
    g_autoptr(GPtrArray) to = test_path_of (a->use_uri, b->use_uri, b->uri, NULL);
    g_autoptr(MsrpChunk) send = new_send (a, to, "over TLS");
    g_autoptr(MsrpChunk) got = NULL;
    g_autoptr(MsrpChunk) ok2 = NULL;

    client_write (a, send);
    got = client_next (b);
    assert_path (msrp_chunk_get_from_path (got), b->use_uri, a->use_uri, a->uri, NULL);
    ok2 = client_next (a);
    g_assert_cmpuint (msrp_chunk_get_code (ok2), ==, 200);
  }
}

/* Many sessions at once, and what closing does to them. */
static void
test_many_sessions (Fixture       *f,
                    gconstpointer  data)
{
  Client *clients[N_MANY];
  guint i;

  for (i = 0; i < N_MANY; i++)
    clients[i] = authed_client (f, i % 2 ? "alice" : "bob", i % 2 ? "alicepass" : "bobpass");
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, N_MANY);

  for (i = 0; i < N_MANY; i++)
    {
      Client *from = clients[i], *to = clients[(i + 1) % N_MANY];
      g_autoptr(GPtrArray) path = test_path_of (from->use_uri, to->use_uri, to->uri, NULL);
      g_autofree char *text = g_strdup_printf ("message %u", i);
      g_autoptr(MsrpChunk) send = new_send (from, path, text);

      client_write (from, send);
    }
  /* Each gets the 200 to its SEND and its neighbour's message, in any
   * order. */
  for (i = 0; i < N_MANY; i++)
    {
      Client *prev = clients[(i + N_MANY - 1) % N_MANY];
      g_autofree char *text = g_strdup_printf ("message %u", (i + N_MANY - 1) % N_MANY);
      g_autoptr(GBytes) expected = g_bytes_new (text, strlen (text));
      guint n_ok = 0, n_send = 0;

      for (guint k = 0; k < 2; k++)
        {
          g_autoptr(MsrpChunk) got = client_next (clients[i]);

          if (msrp_chunk_is_request (got))
            {
              g_assert_true (g_bytes_equal (msrp_chunk_get_data (got), expected));
              assert_path (msrp_chunk_get_from_path (got), clients[i]->use_uri, prev->use_uri, prev->uri, NULL);
              n_send++;
            }
          else
            {
              g_assert_cmpuint (msrp_chunk_get_code (got), ==, 200);
              n_ok++;
            }
        }
      g_assert_cmpuint (n_ok, ==, 1);
      g_assert_cmpuint (n_send, ==, 1);
    }

  /* A connection that closes takes its sessions with it. */
  msrp_transport_close_async (clients[0]->transport, NULL, NULL, NULL);
  while (msrp_relay_get_n_sessions (f->relay) > N_MANY - 1)
    g_main_context_iteration (NULL, TRUE);
}

/* Sessions set up in pairs at a time: the relay's pending limit per
 * address (32) counts connections not authenticated yet. */
#define N_DROPPED 300
#define DROPPED_BATCH 8

typedef struct {
  MsrpConnector *connectors[2];
  GPtrArray *paths[2];
  MsrpTransport *transports[2];
  guint pending;
} DropPair;

static void
on_drop_pair_completed (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  DropPair *pair = user_data;
  guint side = MSRP_CONNECTOR (source) == pair->connectors[0] ? 0 : 1;
  GError *error = NULL;

  pair->transports[side] = msrp_connector_complete_finish (MSRP_CONNECTOR (source), result, &error);
  g_assert_no_error (error);
  pair->pending--;
}

static void
on_drop_pair_prepared (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  DropPair *pair = user_data;
  guint side = MSRP_CONNECTOR (source) == pair->connectors[0] ? 0 : 1;
  GError *error = NULL;

  pair->paths[side] = msrp_connector_prepare_finish (MSRP_CONNECTOR (source), result, &error);
  g_assert_no_error (error);
  if (--pair->pending > 0)
    return;
  pair->pending = 2;
  for (guint i = 0; i < 2; i++)
    msrp_connector_complete_async (pair->connectors[i], pair->paths[1 - i], NULL,
                                   on_drop_pair_completed, pair);
}

static void
on_drop_closed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError *error = NULL;

  g_assert_true (msrp_transport_close_finish (MSRP_TRANSPORT (source), result, &error));
  g_assert_no_error (error);
  (*(guint *) user_data)--;
}

static guint
n_pending_pairs (DropPair *pairs,
                 guint     n)
{
  guint pending = 0;

  for (guint i = 0; i < n; i++)
    pending += pairs[i].pending > 0;
  return pending;
}

static void
open_drop_pairs (MsrpRelaySettings *settings,
                 DropPair          *pairs,
                 guint              n)
{
  for (guint i = 0; i < n; i++)
    {
      DropPair *pair = &pairs[i];

      pair->connectors[0] = msrp_acceptor_relay_new (settings);
      pair->connectors[1] = msrp_connector_relay_new (settings);
      pair->pending = 2;
      for (guint k = 0; k < 2; k++)
        msrp_connector_prepare_async (pair->connectors[k], NULL, NULL, on_drop_pair_prepared, pair);
      while (n_pending_pairs (pairs, i + 1) >= DROPPED_BATCH)
        g_main_context_iteration (NULL, TRUE);
    }
  while (n_pending_pairs (pairs, n) > 0)
    g_main_context_iteration (NULL, TRUE);
}

/* Closes the client ends and waits until the relay has ended every
 * session. */
static void
drop_pairs (MsrpRelay *relay,
            DropPair  *pairs,
            guint      n)
{
  guint closing = 0;

  for (guint i = 0; i < n; i++)
    for (guint k = 0; k < 2; k++)
      {
        closing++;
        msrp_transport_close_async (pairs[i].transports[k], NULL, on_drop_closed, &closing);
      }
  while (closing > 0 || msrp_relay_get_n_sessions (relay) > 0)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < n; i++)
    for (guint k = 0; k < 2; k++)
      {
        g_clear_object (&pairs[i].transports[k]);
        g_clear_object (&pairs[i].connectors[k]);
        g_clear_pointer (&pairs[i].paths[k], g_ptr_array_unref);
      }
  test_drain ();
}

/* Many sessions bound through the relay, then dropped: every descriptor
 * comes back, the answered nonces are forgotten, and while they are idle
 * the relay's connections hold no read buffer. */
static void
test_many_sessions_dropped (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(MsrpRelaySettings) settings = msrp_relay_settings_new (REALM, "alice", "alicepass");
  g_autofree DropPair *pairs = g_new0 (DropPair, N_DROPPED / 2);
  guint fds_before;
  GHashTableIter iter;
  gpointer key;

  msrp_relay_set_max_sessions_per_user (f->relay, N_DROPPED);
  /* A connection and an AUTH each, not one shared by all. */
  msrp_relay_settings_set_share_connection (settings, FALSE);
  msrp_relay_settings_set_host (settings, "127.0.0.1");
  msrp_relay_settings_set_port (settings, msrp_uri_get_port (f->relay_uri));
  msrp_relay_settings_set_use_tls (settings, FALSE);
  /* One pair first: GIO opens descriptors of its own (resolver, thread
   * wakeups) the first time, and keeps them. */
  open_drop_pairs (settings, pairs, 1);
  drop_pairs (f->relay, pairs, 1);
  fds_before = test_count_fds ();

  /* What a quiet connection keeps of its last request goes at once. */
  _msrp_transport_set_memo_linger (0);
  open_drop_pairs (settings, pairs, N_DROPPED / 2);
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, N_DROPPED);
  g_assert_cmpuint (test_count_fds (), >=, fds_before + 2 * N_DROPPED);

  test_drain ();
  g_hash_table_iter_init (&iter, f->relay->connections);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      MsrpRelayConn *conn = key;

      if (conn->transport != NULL)
        g_assert_false (_msrp_transport_holds_read_state (conn->transport));
      /* Nor where its last request went, which hangs on its paths. */
      g_assert_null (conn->route_memo);
    }
  _msrp_transport_set_memo_linger (G_USEC_PER_SEC);

  /* Each AUTH's nonce is remembered (for its nonce count) ... */
  g_assert_cmpuint (f->relay->nonce_order.length, >=, N_DROPPED);
  drop_pairs (f->relay, pairs, N_DROPPED / 2);
  g_assert_cmpuint (test_count_fds (), ==, fds_before);
  /* ... but only as long as its connection: it is good on no other. */
  g_assert_cmpuint (f->relay->nonce_order.length, ==, 0);
  g_assert_cmpuint (g_hash_table_size (f->relay->nonces), ==, 0);
}

static void
on_notify_count (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *b = authed_client (f, "bob", "bobpass");
  Client *idle = client_new (f, f->relay_uri);
  Peer peer = { 0, };
  g_autoptr(GPtrArray) to = NULL;
  g_autoptr(MsrpChunk) send = NULL;
  guint notified = 0;

  peer_start (&peer, f);
  to = test_path_of (a->use_uri, peer.uri, NULL);
  send = new_send (a, to, "to a direct peer");
  client_write (a, send);
  wait_for_peer (&peer);
  g_object_unref (client_next (peer.client));

  g_signal_connect (f->relay, "notify::n-sessions", G_CALLBACK (on_notify_count), &notified);
  msrp_relay_stop (f->relay);
  g_assert_cmpuint (notified, >=, 1);
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, 0);
  /* Every connection closes, the outgoing one included. */
  while (!a->closed || !b->closed || !idle->closed || !peer.client->closed)
    g_main_context_iteration (NULL, TRUE);
  peer_stop (&peer);
}

static void
test_garbage (Fixture       *f,
              gconstpointer  data)
{
  Client *a = authed_client (f, "alice", "alicepass");
  Client *junk = client_new (f, f->relay_uri);
  GOutputStream *output = g_io_stream_get_output_stream (junk->stream);
  const char garbage[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  g_autoptr(GPtrArray) to = test_path_of (f->relay_uri, NULL);
  g_autoptr(MsrpChunk) bad = new_request (a, "SEND", to);
  g_autoptr(MsrpChunk) r = NULL;

  g_assert_true (g_output_stream_write_all (output, garbage, strlen (garbage), NULL, NULL, NULL));
  while (!junk->closed)
    g_main_context_iteration (NULL, TRUE);

  /* A SEND without Message-ID: 400, and the connection goes on. */
  client_write (a, bad);
  r = client_next (a);
  g_assert_cmpuint (msrp_chunk_get_code (r), ==, 400);
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relay), ==, 1);
}

static void
test_properties (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *realm = NULL;
  guint min, max, def, timeout, n;

  g_object_get (f->relay, "realm", &realm, "min-expires", &min, "max-expires", &max,
                "default-expires", &def, "response-timeout", &timeout, "n-sessions", &n, NULL);
  g_assert_cmpstr (realm, ==, REALM);
  g_assert_cmpuint (min, ==, 60);
  g_assert_cmpuint (max, ==, 3600);
  g_assert_cmpuint (def, ==, 600);
  g_assert_cmpuint (timeout, ==, 30);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpstr (msrp_relay_get_realm (f->relay), ==, REALM);
  g_assert_null (msrp_relay_get_logger (f->relay));
  g_assert_null (msrp_relay_get_tls_certificate (f->relay));
  g_assert_cmpstr (msrp_uri_get_session_id (f->relay_uri), ==, NULL);
  g_assert_cmpstr (msrp_uri_get_host (f->relay_uri), ==, "127.0.0.1");
  g_assert_cmpuint (msrp_uri_get_port (f->relay_uri), !=, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/relay/properties", test_properties);
  ADD ("/relay/auth", test_auth);
  ADD ("/relay/auth-refused", test_auth_refused);
  ADD ("/relay/auth-expires", test_auth_expires);
  ADD ("/relay/auth-refresh", test_auth_refresh);
  ADD ("/relay/auth-guessing", test_auth_guessing);
  ADD ("/relay/auth-guessing-parallel", test_auth_guessing_parallel);
  ADD ("/relay/auth-nonce-flood", test_auth_nonce_flood);
  ADD ("/relay/auth-digest-uri", test_auth_digest_uri);
  ADD ("/relay/auth-without-uri", test_auth_without_uri);
  ADD ("/relay/session-caps", test_session_caps);
  ADD ("/relay/session-expiry", test_session_expiry);
  ADD ("/relay/route-after-session-ends", test_route_after_session_ends);
  ADD ("/relay/send-between-clients", test_send_between_clients);
  ADD ("/relay/send-to-peer", test_send_to_peer);
  ADD ("/relay/unknown-session", test_unknown_session);
  ADD ("/relay/route-refused", test_route_refused);
  ADD ("/relay/route-kept", test_route_kept);
  ADD ("/relay/route-learning", test_route_learning);
  ADD ("/relay/forgery", test_forgery);
  ADD ("/relay/unreachable", test_unreachable);
  ADD ("/relay/next-hop-error", test_next_hop_error);
  ADD ("/relay/next-hop-timeout", test_next_hop_timeout);
  ADD ("/relay/interrupted-chunk", test_interrupted_chunk);
  ADD ("/relay/pending-cap", test_pending_cap);
  ADD ("/relay/large-message", test_large_message);
  ADD ("/relay/large-chunk", test_large_chunk);
  ADD ("/relay/backpressure", test_backpressure);
  ADD ("/relay/idle-connections", test_idle_connections);
  ADD ("/relay/tls", test_tls);
  ADD ("/relay/pending-connections", test_pending_connections);
  ADD ("/relay/pending-until-authenticated", test_pending_until_authenticated);
  ADD ("/relay/tls-silent", test_tls_silent);
  ADD ("/relay/many-sessions", test_many_sessions);
  ADD ("/relay/many-sessions-dropped", test_many_sessions_dropped);
  ADD ("/relay/stop", test_stop);
  ADD ("/relay/garbage", test_garbage);

  return g_test_run ();
}
