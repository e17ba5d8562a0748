/* test-hostile.c: what a hostile peer writes by hand, against a bound
 * MsrpSession and an MsrpRelay before any AUTH, over loopback
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The peer writes raw bytes and reads what comes back with an
 * MsrpTransport of its own. Each case must end in the right response or a
 * clean close, never a crash (run it under ASan/UBSan), a hang or a
 * connection held open for ever.
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"
#include "test-utils.h"

#define TIMEOUT_SECONDS 20

#define ALICE "msrp://127.0.0.1:7001/alicesession;tcp"
#define BOB "msrp://127.0.0.1:7002/bobsession;tcp"

/* The peer */

typedef struct {
  GSocketConnection *conn;
  MsrpTransport *transport;   /* reads what comes back */
  GQueue received;
  GQueue to_write;            /* of GBytes, the head being written */
  GError *closed;             /* the error that ended reading */
  gboolean reading;
} Peer;

static void peer_read (Peer *peer);

static void
on_peer_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Peer *peer = user_data;
  GError *error = NULL;
  MsrpChunk *chunk;

  peer->reading = FALSE;
  chunk = msrp_transport_read_chunk_finish (MSRP_TRANSPORT (source), result, &error);
  if (chunk == NULL)
    {
      peer->closed = error;
      return;
    }
  g_queue_push_tail (&peer->received, chunk);
  peer_read (peer);
}

static void
peer_read (Peer *peer)
{
  peer->reading = TRUE;
  msrp_transport_read_chunk_async (peer->transport, 0, NULL, on_peer_read, peer);
}

static Peer *
peer_new (GSocketConnection *conn,
          const char        *local,
          const char        *remote)
{
  Peer *peer = g_new0 (Peer, 1);
  g_autoptr(GPtrArray) local_path = test_path (local);
  g_autoptr(GPtrArray) remote_path = test_path (remote);

  peer->conn = conn;
  peer->transport = msrp_transport_new (G_IO_STREAM (conn), local_path, remote_path);
  g_queue_init (&peer->received);
  g_queue_init (&peer->to_write);
  peer_read (peer);
  return peer;
}

static void
peer_free (Peer *peer)
{
  msrp_transport_close_async (peer->transport, NULL, NULL, NULL);
  while (peer->reading || peer->to_write.length > 0)
    g_main_context_iteration (NULL, TRUE);
  g_queue_clear_full (&peer->received, g_object_unref);
  g_clear_error (&peer->closed);
  g_clear_object (&peer->transport);
  g_clear_object (&peer->conn);
  g_free (peer);
}

static void peer_write_next (Peer *peer);

static void
on_peer_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Peer *peer = user_data;
  GError *error = NULL;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  g_bytes_unref (g_queue_pop_head (&peer->to_write));
  /* The other end may close first: that is what some tests wait for. */
  if (error != NULL)
    {
      g_queue_clear_full (&peer->to_write, (GDestroyNotify) g_bytes_unref);
      g_error_free (error);
      return;
    }
  peer_write_next (peer);
}

static void
peer_write_next (Peer *peer)
{
  GBytes *next = g_queue_peek_head (&peer->to_write);

  if (next != NULL)
    g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (peer->conn)),
                                     g_bytes_get_data (next, NULL), g_bytes_get_size (next),
                                     G_PRIORITY_DEFAULT, NULL, on_peer_written, peer);
}

/* Written in order, while the main context runs: the other end reads in
 * this thread, so a large write must not block it. */
static void
peer_write (Peer       *peer,
            const char *data,
            gsize       len)
{
  g_queue_push_tail (&peer->to_write, g_bytes_new (data, len));
  if (peer->to_write.length == 1)
    peer_write_next (peer);
}

/* A SEND whose body of @len 'x' begins at @start. */
static void
peer_write_send (Peer       *peer,
                 const char *tid,
                 const char *to,
                 const char *from,
                 const char *start,
                 gsize       len)
{
  g_autofree char *body = g_strnfill (len, 'x');
  g_autofree char *chunk = g_strdup_printf ("MSRP %s SEND\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
                                            "Message-ID: %s\r\nByte-Range: %s-*/*\r\n"
                                            "Content-Type: text/plain\r\n\r\n%s\r\n-------%s$\r\n",
                                            tid, to, from, tid, start, body, tid);

  peer_write (peer, chunk, strlen (chunk));
}

/* A header block that does not end within 64 KiB of short header lines
 * (past the 64th header too); not much more, so that the other end has
 * read it all when it closes. */
static void
peer_write_endless_block (Peer       *peer,
                          const char *tid,
                          const char *to,
                          const char *from)
{
  GString *s = g_string_new (NULL);

  g_string_printf (s, "MSRP %s SEND\r\nTo-Path: %s\r\nFrom-Path: %s\r\n", tid, to, from);
  for (guint i = 0; s->len < 65 * 1024; i++)
    g_string_append_printf (s, "X-Filler-%05u: %080u\r\n", i, i);
  peer_write (peer, s->str, s->len);
  g_string_free (s, TRUE);
}

static MsrpChunk *
peer_next (Peer *peer)
{
  while (g_queue_is_empty (&peer->received))
    {
      g_assert_null (peer->closed);
      g_main_context_iteration (NULL, TRUE);
    }
  return g_queue_pop_head (&peer->received);
}

static void
peer_expect_response (Peer       *peer,
                      const char *tid,
                      guint       code)
{
  g_autoptr(MsrpChunk) response = peer_next (peer);

  g_assert_false (msrp_chunk_is_request (response));
  g_assert_cmpstr (msrp_chunk_get_transaction_id (response), ==, tid);
  g_assert_cmpuint (msrp_chunk_get_code (response), ==, code);
  /* A response goes one hop back, from where the request went. */
  g_assert_nonnull (msrp_chunk_get_to_path (response));
  g_assert_nonnull (msrp_chunk_get_from_path (response));
}

/* The other end closes the connection (a reset when it closed with
 * bytes of ours unread). */
static void
peer_wait_closed (Peer *peer)
{
  while (peer->closed == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!g_error_matches (peer->closed, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
    g_assert_error (peer->closed, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED);
}

/* A bound session */

typedef struct {
  guint timeout_id;
  GSocketConnection *conn_b;
  MsrpTransport *tb;
  MsrpSession *session;
  Peer *peer;
  GPtrArray *messages;
  gboolean closed;
  GError *closed_error;
} SessionFixture;

static void
on_message_received (MsrpSession *session,
                     MsrpChunk   *first,
                     GBytes      *data,
                     gpointer     user_data)
{
  SessionFixture *f = user_data;

  g_ptr_array_add (f->messages, g_bytes_ref (data));
}

static void
on_session_closed (MsrpSession  *session,
                   const GError *error,
                   gpointer      user_data)
{
  SessionFixture *f = user_data;

  f->closed = TRUE;
  f->closed_error = error ? g_error_copy (error) : NULL;
}

static void
session_setup (SessionFixture *f,
               gconstpointer   data)
{
  g_autoptr(GPtrArray) local = test_path (BOB);
  g_autoptr(GPtrArray) remote = test_path (ALICE);
  GSocketConnection *conn_a = NULL;

  f->timeout_id = test_watchdog_start (TIMEOUT_SECONDS);
  test_socket_pair (&conn_a, &f->conn_b);

  f->peer = peer_new (conn_a, ALICE, BOB);
  f->tb = msrp_transport_new (G_IO_STREAM (f->conn_b), local, remote);
  f->session = msrp_session_new (f->tb, NULL);
  f->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_signal_connect (f->session, "message-received", G_CALLBACK (on_message_received), f);
  g_signal_connect (f->session, "closed", G_CALLBACK (on_session_closed), f);
}

static void
session_teardown (SessionFixture *f,
                  gconstpointer   data)
{
  g_signal_handlers_disconnect_by_data (f->session, f);
  g_clear_object (&f->session);
  g_clear_object (&f->tb);
  g_clear_object (&f->conn_b);
  peer_free (f->peer);
  g_ptr_array_unref (f->messages);
  g_clear_error (&f->closed_error);
  test_drain ();
  test_watchdog_stop (f->timeout_id);
}

/* A Byte-Range start 9 bytes before the largest position, with a body
 * longer than one read part and with one of ten bytes: each gets 400, and
 * the session goes on (issue 12, item 6). */
static void
test_session_byte_range_overflow (SessionFixture *f,
                                  gconstpointer   data)
{
  GBytes *got;

  peer_write_send (f->peer, "ovf0long", BOB, ALICE, "9223372036854775799", 300 * 1024);
  peer_write_send (f->peer, "ovf0ten", BOB, ALICE, "9223372036854775799", 10);
  peer_write_send (f->peer, "good0msg", BOB, ALICE, "1", 5);

  peer_expect_response (f->peer, "ovf0long", 400);
  peer_expect_response (f->peer, "ovf0ten", 400);
  peer_expect_response (f->peer, "good0msg", 200);
  while (f->messages->len < 1)
    g_main_context_iteration (NULL, TRUE);
  got = g_ptr_array_index (f->messages, 0);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), "xxxxx", 5);
  g_assert_cmpuint (f->messages->len, ==, 1);
  g_assert_false (f->closed);
}

/* A header block that never ends: 400, then the session closes with
 * HEADERS_TOO_LARGE instead of reading on for ever (issue 12, item 12). */
static void
test_session_header_block_never_ends (SessionFixture *f,
                                      gconstpointer   data)
{
  peer_write_endless_block (f->peer, "end0less", BOB, ALICE);
  test_wait_for (&f->closed);
  g_assert_error (f->closed_error, MSRP_ERROR, MSRP_ERROR_HEADERS_TOO_LARGE);
  peer_expect_response (f->peer, "end0less", 400);
  peer_wait_closed (f->peer);
  g_assert_cmpuint (f->messages->len, ==, 0);
}

/* An MsrpRelay, before any AUTH */

typedef struct {
  guint timeout_id;
  MsrpRelay *relay;
  MsrpUri *relay_uri;
  char *relay_str;
  Peer *peer;
} RelayFixture;

static void
relay_setup (RelayFixture  *f,
             gconstpointer  data)
{
  GSocketConnection *conn;
  GError *error = NULL;

  f->timeout_id = test_watchdog_start (TIMEOUT_SECONDS);
  f->relay = msrp_relay_new ("example.com");
  msrp_relay_add_user (f->relay, "alice", "alicepass");
  f->relay_uri = msrp_relay_listen (f->relay, "127.0.0.1", 0, FALSE, &error);
  g_assert_no_error (error);
  f->relay_str = msrp_uri_to_string (f->relay_uri);

  conn = test_socket_connect (msrp_uri_get_host (f->relay_uri), msrp_uri_get_port (f->relay_uri), NULL, FALSE);
  f->peer = peer_new (conn, ALICE, f->relay_str);
}

static void
relay_teardown (RelayFixture  *f,
                gconstpointer  data)
{
  peer_free (f->peer);
  test_unref_finalizes (g_steal_pointer (&f->relay));
  g_clear_object (&f->relay_uri);
  g_free (f->relay_str);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  test_watchdog_stop (f->timeout_id);
}

/* The connection stays usable: an AUTH without credentials is
 * challenged. */
static void
relay_expect_challenge (RelayFixture *f)
{
  g_autofree char *auth = g_strdup_printf ("MSRP auth0tid AUTH\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
                                           "-------auth0tid$\r\n", f->relay_str, ALICE);

  peer_write (f->peer, auth, strlen (auth));
  peer_expect_response (f->peer, "auth0tid", 401);
}

static void
test_relay_byte_range_overflow (RelayFixture  *f,
                                gconstpointer  data)
{
  g_autofree char *to = g_strdup_printf ("%s %s", f->relay_str, BOB);

  peer_write_send (f->peer, "ovf0long", to, ALICE, "9223372036854775799", 300 * 1024);
  peer_write_send (f->peer, "ovf0ten", to, ALICE, "9223372036854775799", 10);
  peer_expect_response (f->peer, "ovf0long", 400);
  peer_expect_response (f->peer, "ovf0ten", 400);
  relay_expect_challenge (f);
}

static void
test_relay_header_block_never_ends (RelayFixture  *f,
                                    gconstpointer  data)
{
  g_autofree char *to = g_strdup_printf ("%s %s", f->relay_str, BOB);

  peer_write_endless_block (f->peer, "end0less", to, ALICE);
  /* No 400: the connection has no paths to answer with before a
   * request was read whole. */
  peer_wait_closed (f->peer);
  g_assert_cmpuint (f->peer->received.length, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/hostile/session/byte-range-overflow", SessionFixture, NULL,
              session_setup, test_session_byte_range_overflow, session_teardown);
  g_test_add ("/hostile/session/header-block-never-ends", SessionFixture, NULL,
              session_setup, test_session_header_block_never_ends, session_teardown);
  g_test_add ("/hostile/relay/byte-range-overflow", RelayFixture, NULL,
              relay_setup, test_relay_byte_range_overflow, relay_teardown);
  g_test_add ("/hostile/relay/header-block-never-ends", RelayFixture, NULL,
              relay_setup, test_relay_header_block_never_ends, relay_teardown);

  return g_test_run ();
}
