/* test-relay-shared.c: many sessions of one client through one relay
 * connection and one AUTH (RFC 4975 section 8.1, RFC 4976), through our
 * MsrpRelay and through Kamailio (started around this test)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"
#include <sys/socket.h>
#include "msrp-relay-private.h"
#include "msrp-relay-client-private.h"
#include "msrp-transport-mux-private.h"
#include "msrp-transport-private.h"
#include "test-utils.h"

#define TIMEOUT_SECONDS 120
#define N_SESSIONS 100


/* What the tests before left at our relay has gone: every session of a
 * connection that closed ends with it. */
static void
wait_relay_idle (void)
{
  while (msrp_relay_get_n_sessions (test_ours.relay) > 0 || g_hash_table_size (test_ours.relay->connections) > 0)
    g_main_context_iteration (NULL, TRUE);
}

/* N sessions of alice (active) with N peers of bob (passive), each side
 * through its relay settings. */
typedef struct {
  guint n;
  MsrpSession **a, **b;
  GPtrArray **messages_a, **messages_b;
  GPtrArray **reports_a, **reports_b;
  GPtrArray *paths_a;
  GPtrArray *closed_errors;    /* of GError, as alice's sessions close */
  guint n_closed;
} Many;

static MsrpConnector *
make_connector (MsrpRelaySettings *settings,
                gboolean           active)
{
  MsrpConnector *connector = active ? msrp_get_connector (settings) : msrp_get_acceptor (settings);

  if (msrp_relay_settings_get_use_tls (settings) && msrp_relay_settings_get_tls_database (settings) == NULL)
    g_signal_connect (connector, "accept-certificate", G_CALLBACK (test_ours_accept_cert), NULL);
  return connector;
}

static void
on_a_closed (MsrpSession *session,
             GError      *error,
             gpointer     user_data)
{
  Many *m = user_data;

  m->n_closed++;
  if (error != NULL)
    g_ptr_array_add (m->closed_errors, g_error_copy (error));
}

static void
many_connect (Many              *m,
              guint              n,
              MsrpRelaySettings *alice,
              MsrpRelaySettings *bob)
{
  g_autofree MsrpConnector **ca = g_new0 (MsrpConnector *, n);
  g_autofree MsrpConnector **cb = g_new0 (MsrpConnector *, n);
  g_autofree TestOp *pa = g_new0 (TestOp, n);
  g_autofree TestOp *pb = g_new0 (TestOp, n);

  m->n = n;
  m->a = g_new0 (MsrpSession *, n);
  m->b = g_new0 (MsrpSession *, n);
  m->messages_a = g_new0 (GPtrArray *, n);
  m->messages_b = g_new0 (GPtrArray *, n);
  m->reports_a = g_new0 (GPtrArray *, n);
  m->reports_b = g_new0 (GPtrArray *, n);
  m->paths_a = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  m->closed_errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  /* All at once: the ones that come while the connection is being made
   * wait for it. */
  for (guint i = 0; i < n; i++)
    {
      ca[i] = make_connector (alice, TRUE);
      cb[i] = make_connector (bob, FALSE);
      msrp_connector_prepare_async (ca[i], NULL, NULL, test_on_prepared, &pa[i]);
      msrp_connector_prepare_async (cb[i], NULL, NULL, test_on_prepared, &pb[i]);
    }
  for (guint i = 0; i < n; i++)
    {
      test_wait_both (&pa[i], &pb[i]);
      g_assert_cmpuint (pa[i].path->len, ==, 2);
      g_assert_cmpuint (pb[i].path->len, ==, 2);
    }
  for (guint i = 0; i < n; i++)
    {
      pa[i].done = pb[i].done = FALSE;
      msrp_connector_complete_async (cb[i], pa[i].path, NULL, test_on_completed, &pb[i]);
      msrp_connector_complete_async (ca[i], pb[i].path, NULL, test_on_completed, &pa[i]);
    }
  for (guint i = 0; i < n; i++)
    {
      test_wait_both (&pa[i], &pb[i]);
      m->a[i] = msrp_session_new (pa[i].transport, NULL);
      m->b[i] = msrp_session_new (pb[i].transport, NULL);
      g_object_set (m->a[i], "success-report", TRUE, NULL);
      g_object_set (m->b[i], "success-report", TRUE, NULL);
      m->messages_a[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      m->messages_b[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      m->reports_a[i] = g_ptr_array_new_with_free_func (g_object_unref);
      m->reports_b[i] = g_ptr_array_new_with_free_func (g_object_unref);
      g_signal_connect (m->a[i], "message-received", G_CALLBACK (test_keep_message), m->messages_a[i]);
      g_signal_connect (m->b[i], "message-received", G_CALLBACK (test_keep_message), m->messages_b[i]);
      g_signal_connect (m->a[i], "report-received", G_CALLBACK (test_keep_chunk), m->reports_a[i]);
      g_signal_connect (m->b[i], "report-received", G_CALLBACK (test_keep_chunk), m->reports_b[i]);
      g_signal_connect (m->a[i], "closed", G_CALLBACK (on_a_closed), m);
      g_ptr_array_add (m->paths_a, g_ptr_array_ref (pa[i].path));
      test_op_clear (&pa[i]);
      test_op_clear (&pb[i]);
      g_object_unref (ca[i]);
      g_object_unref (cb[i]);
    }
}

static void
many_free (Many *m)
{
  g_autofree TestOp *ops = g_new0 (TestOp, 2 * m->n);

  for (guint i = 0; i < m->n; i++)
    {
      msrp_session_shutdown_async (m->a[i], NULL, test_on_shutdown, &ops[2 * i]);
      msrp_session_shutdown_async (m->b[i], NULL, test_on_shutdown, &ops[2 * i + 1]);
    }
  for (guint i = 0; i < 2 * m->n; i++)
    {
      test_wait_for (&ops[i].done);
      test_op_clear (&ops[i]);
    }
  for (guint i = 0; i < m->n; i++)
    {
      g_object_unref (m->a[i]);
      g_object_unref (m->b[i]);
      g_ptr_array_unref (m->messages_a[i]);
      g_ptr_array_unref (m->messages_b[i]);
      g_ptr_array_unref (m->reports_a[i]);
      g_ptr_array_unref (m->reports_b[i]);
    }
  g_free (m->a);
  g_free (m->b);
  g_free (m->messages_a);
  g_free (m->messages_b);
  g_free (m->reports_a);
  g_free (m->reports_b);
  g_ptr_array_unref (m->paths_a);
  g_ptr_array_unref (m->closed_errors);
  test_drain ();
}

static MsrpMux *
session_mux (MsrpSession *session)
{
  return _msrp_transport_get_mux (msrp_session_get_transport (session));
}

/* One session of each side's connection shares it with all the others:
 * one mux, one Use-Path (one AUTH). */
static void
assert_one_connection (Many *m)
{
  MsrpMux *mux_a = session_mux (m->a[0]);
  MsrpMux *mux_b = session_mux (m->b[0]);
  MsrpUri *relay_a = g_ptr_array_index ((GPtrArray *) g_ptr_array_index (m->paths_a, 0), 0);

  g_assert_nonnull (mux_a);
  g_assert_nonnull (mux_b);
  g_assert_true (mux_a != mux_b);
  for (guint i = 0; i < m->n; i++)
    {
      GPtrArray *path = g_ptr_array_index (m->paths_a, i);

      g_assert_true (session_mux (m->a[i]) == mux_a);
      g_assert_true (session_mux (m->b[i]) == mux_b);
      g_assert_true (msrp_uri_equal (g_ptr_array_index (path, 0), relay_a));
      /* Each session has its own URI behind the shared Use-Path. */
      if (i > 0)
        g_assert_false (msrp_uri_equal (g_ptr_array_index (path, 1),
                                        g_ptr_array_index ((GPtrArray *) g_ptr_array_index (m->paths_a, i - 1), 1)));
    }
  /* Ours, and the one the connection has for its AUTHs. */
  g_assert_cmpuint (_msrp_mux_get_n_children (mux_a), ==, m->n + 1);
}

static void
send_text (MsrpSession *session,
           const char  *text)
{
  g_autoptr(GBytes) data = g_bytes_new (text, strlen (text));

  msrp_session_send_message_async (session, data, "text/plain", NULL, NULL, NULL);
}

static gboolean
all_arrived (Many  *m,
             guint  round)
{
  for (guint i = 0; i < m->n; i++)
    {
      if (m->a[i] == NULL)
        continue;
      if (m->messages_a[i]->len < round || m->messages_b[i]->len < round ||
          m->reports_a[i]->len < round || m->reports_b[i]->len < round)
        return FALSE;
    }
  return TRUE;
}

static void
assert_text (GPtrArray  *messages,
             guint       index,
             const char *expected)
{
  GBytes *data = g_ptr_array_index (messages, index);
  gsize len;
  const char *text = g_bytes_get_data (data, &len);

  g_assert_cmpmem (text, len, expected, strlen (expected));
}

/* A message each way on every session, answered by a success REPORT
 * each (so that requests, responses and REPORTs all cross the shared
 * connections both ways). */
static void
exchange_all (Many  *m,
              guint  round)
{
  for (guint i = 0; i < m->n; i++)
    {
      g_autofree char *ab = NULL, *ba = NULL;

      if (m->a[i] == NULL)
        continue;
      ab = g_strdup_printf ("round %u from alice %u", round, i);
      ba = g_strdup_printf ("round %u from bob %u", round, i);
      send_text (m->a[i], ab);
      send_text (m->b[i], ba);
    }
  while (!all_arrived (m, round))
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < m->n; i++)
    {
      g_autofree char *ab = NULL, *ba = NULL;

      if (m->a[i] == NULL)
        continue;
      ab = g_strdup_printf ("round %u from alice %u", round, i);
      ba = g_strdup_printf ("round %u from bob %u", round, i);
      g_assert_cmpuint (m->messages_b[i]->len, ==, round);
      g_assert_cmpuint (m->messages_a[i]->len, ==, round);
      assert_text (m->messages_b[i], round - 1, ab);
      assert_text (m->messages_a[i], round - 1, ba);
    }
}

/* The socket of the connection a session shares, cut as a network
 * failure would: every session on it ends with the same error. */
static void
cut_connection (MsrpSession *session)
{
  MsrpTransport *base = _msrp_mux_get_base (session_mux (session));
  GIOStream *stream = msrp_transport_get_stream (base);
  GError *error = NULL;

  g_assert_true (G_IS_SOCKET_CONNECTION (stream));
  g_socket_shutdown (g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream)), TRUE, TRUE, &error);
  g_assert_no_error (error);
}

static void
close_one_and_cut (Many *m)
{
  TestOp op = { 0, };
  GError *first;
  guint left = m->n - 1;

  /* Closing one session leaves the others working. */
  msrp_session_shutdown_async (m->a[0], NULL, test_on_shutdown, &op);
  test_wait_for (&op.done);
  test_op_clear (&op);
  g_assert_cmpuint (_msrp_mux_get_n_children (session_mux (m->a[1])), ==, m->n);
  g_clear_object (&m->a[0]);
  msrp_session_shutdown_async (m->b[0], NULL, test_on_shutdown, &op);
  test_wait_for (&op.done);
  test_op_clear (&op);
  g_clear_object (&m->b[0]);
  m->n_closed = 0;
  g_ptr_array_set_size (m->closed_errors, 0);
  exchange_all (m, 2);

  /* Losing the connection fails every session on it, with one error. */
  cut_connection (m->a[1]);
  while (m->n_closed < left)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (m->closed_errors->len, ==, left);
  first = g_ptr_array_index (m->closed_errors, 0);
  g_test_message ("lost: %s", first->message);
  for (guint i = 1; i < left; i++)
    {
      GError *error = g_ptr_array_index (m->closed_errors, i);

      g_assert_error (error, first->domain, first->code);
      g_assert_cmpstr (error->message, ==, first->message);
    }
}

static void
many_free_rest (Many *m)
{
  /* Make many_free() skip the sessions closed by hand. */
  guint w = 0;

  for (guint i = 0; i < m->n; i++)
    if (m->a[i] != NULL)
      {
        m->a[w] = m->a[i];
        m->b[w] = m->b[i];
        m->messages_a[w] = m->messages_a[i];
        m->messages_b[w] = m->messages_b[i];
        m->reports_a[w] = m->reports_a[i];
        m->reports_b[w] = m->reports_b[i];
        w++;
      }
    else
      {
        g_ptr_array_unref (m->messages_a[i]);
        g_ptr_array_unref (m->messages_b[i]);
        g_ptr_array_unref (m->reports_a[i]);
        g_ptr_array_unref (m->reports_b[i]);
      }
  m->n = w;
  many_free (m);
}

/* 100 sessions of alice with 100 of bob through our relay: one
 * connection and one AUTH each, messages, responses and REPORTs both ways
 * on all of them. */
static void
test_ours_hundred (gconstpointer data)
{
  gboolean tls = GPOINTER_TO_INT (data);
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  g_autoptr(MsrpRelaySettings) alice = test_ours_settings ("alice", "alicepass", tls);
  g_autoptr(MsrpRelaySettings) bob = test_ours_settings ("bob", "bobpass", !tls);
  guint sessions_before, connections_before;
  Many m = { 0, };

  wait_relay_idle ();
  sessions_before = msrp_relay_get_n_sessions (test_ours.relay);
  connections_before = g_hash_table_size (test_ours.relay->connections);
  many_connect (&m, N_SESSIONS, alice, bob);
  assert_one_connection (&m);
  /* One connection and one AUTH for each client at the relay. */
  g_assert_cmpuint (g_hash_table_size (test_ours.relay->connections), ==, connections_before + 2);
  g_assert_cmpuint (msrp_relay_get_n_sessions (test_ours.relay), ==, sessions_before + 2);

  exchange_all (&m, 1);
  g_assert_cmpuint (g_hash_table_size (test_ours.relay->connections), ==, connections_before + 2);
  close_one_and_cut (&m);
  many_free_rest (&m);
  test_watchdog_stop (id);
}

/* A SEND from @from read on @to, and the relay's 200 to it on @from. */
static void
exchange_text (MsrpTransport *from,
               MsrpTransport *to,
               const char    *text)
{
  g_autoptr(MsrpChunk) response = NULL;

  test_exchange_text (from, to, text);
  response = test_read_chunk (from);
  g_assert_false (msrp_chunk_is_request (response));
  g_assert_cmpuint (msrp_chunk_get_code (response), ==, MSRP_STATUS_OK);
}

/* A relay that gives a session to one endpoint refuses the second
 * session on the shared connection (403): it fails, and the next
 * connector has a connection and an AUTH of its own. */
static void
test_ours_refused (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  g_autoptr(MsrpRelaySettings) alice = test_ours_settings ("alice", "alicepass", FALSE);
  g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(MsrpConnector) c1 = msrp_get_connector (alice);
  g_autoptr(MsrpConnector) c2 = msrp_get_connector (alice);
  g_autoptr(MsrpConnector) c3 = msrp_get_connector (alice);
  g_autoptr(MsrpConnector) p1 = msrp_get_acceptor (NULL);
  g_autoptr(MsrpConnector) p2 = msrp_get_acceptor (NULL);
  g_autoptr(MsrpConnector) p3 = msrp_get_acceptor (NULL);
  g_autoptr(MsrpTransport) t1 = NULL, u1 = NULL, t3 = NULL, u3 = NULL;
  g_autoptr(GPtrArray) path2 = NULL, peer2 = NULL, path3 = NULL;
  guint sessions_before;
  TestOp op = { 0, };

  wait_relay_idle ();
  sessions_before = msrp_relay_get_n_sessions (test_ours.relay);
  _msrp_relay_set_one_endpoint_per_session (test_ours.relay, TRUE);
  test_connect_pair (p1, c1, listen_uri, &u1, &t1);
  exchange_text (t1, u1, "first");
  g_assert_cmpuint (msrp_relay_get_n_sessions (test_ours.relay), ==, sessions_before + 1);

  /* The second session shares the connection, and is refused. */
  peer2 = test_prepare (p2, listen_uri);
  path2 = test_prepare (c2, NULL);
  g_assert_true (msrp_uri_equal (g_ptr_array_index (path2, 0),
                                 g_ptr_array_index (msrp_transport_get_full_local_path (t1), 0)));
  msrp_connector_complete_async (c2, peer2, NULL, test_on_completed, &op);
  test_op_assert_error (&op, MSRP_TRANSACTION_ERROR, MSRP_STATUS_FORBIDDEN);
  msrp_connector_cleanup (p2);
  g_assert_cmpuint (msrp_relay_get_n_sessions (test_ours.relay), ==, sessions_before + 1);

  /* The third has a connection (and an AUTH) of its own, and works. */
  test_connect_pair (p3, c3, listen_uri, &u3, &t3);
  path3 = g_ptr_array_ref (msrp_transport_get_full_local_path (t3));
  g_assert_false (msrp_uri_equal (g_ptr_array_index (path3, 0), g_ptr_array_index (path2, 0)));
  g_assert_true (_msrp_transport_get_mux (t3) != _msrp_transport_get_mux (t1));
  g_assert_cmpuint (msrp_relay_get_n_sessions (test_ours.relay), ==, sessions_before + 2);
  exchange_text (t3, u3, "third");
  exchange_text (u3, t3, "back");
  /* The first goes on. */
  exchange_text (t1, u1, "first again");

  _msrp_relay_set_one_endpoint_per_session (test_ours.relay, FALSE);
  test_watchdog_stop (id);
}

/* share-connection off: a connection and an AUTH each. */
static void
test_ours_opt_out (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  g_autoptr(MsrpRelaySettings) alice = test_ours_settings ("alice", "alicepass", FALSE);
  g_autoptr(MsrpConnector) c1 = NULL, c2 = NULL;
  g_autoptr(GPtrArray) path1 = NULL, path2 = NULL;
  guint sessions_before;

  wait_relay_idle ();
  sessions_before = msrp_relay_get_n_sessions (test_ours.relay);
  g_assert_true (msrp_relay_settings_get_share_connection (alice));
  msrp_relay_settings_set_share_connection (alice, FALSE);
  c1 = msrp_get_connector (alice);
  c2 = msrp_get_connector (alice);
  path1 = test_prepare (c1, NULL);
  path2 = test_prepare (c2, NULL);
  g_assert_false (msrp_uri_equal (g_ptr_array_index (path1, 0), g_ptr_array_index (path2, 0)));
  g_assert_cmpuint (msrp_relay_get_n_sessions (test_ours.relay), ==, sessions_before + 2);
  msrp_connector_cleanup (c1);
  msrp_connector_cleanup (c2);
  test_drain ();
  test_watchdog_stop (id);
}

/* A session whose URI is another's on the shared connection cannot share
 * it (chunks are told apart by that URI): it gets its own. */
static void
test_ours_same_uri (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  g_autoptr(MsrpRelaySettings) alice = test_ours_settings ("alice", "alicepass", FALSE);
  g_autoptr(MsrpUri) uri = msrp_uri_new ("localhost", 0, "samesession", FALSE);
  g_autoptr(MsrpConnector) c1 = msrp_get_connector (alice);
  g_autoptr(MsrpConnector) c2 = msrp_get_connector (alice);
  g_autoptr(GPtrArray) path1 = NULL, path2 = NULL;

  path1 = test_prepare (c1, uri);
  path2 = test_prepare (c2, uri);
  g_assert_false (msrp_uri_equal (g_ptr_array_index (path1, 0), g_ptr_array_index (path2, 0)));
  msrp_connector_cleanup (c1);
  msrp_connector_cleanup (c2);
  test_drain ();
  test_watchdog_stop (id);
}

/* Cancelling one of the connectors that wait for the shared connection
 * fails it alone; the others get the connection. */
static void
test_ours_cancel_waiter (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  g_autoptr(MsrpRelaySettings) alice = test_ours_settings ("alice", "alicepass", TRUE);
  g_autoptr(MsrpConnector) c1 = make_connector (alice, TRUE);
  g_autoptr(MsrpConnector) c2 = make_connector (alice, TRUE);
  g_autoptr(MsrpConnector) c3 = make_connector (alice, TRUE);
  TestOp o1 = { 0, }, o2 = { 0, }, o3 = { 0, };

  msrp_connector_prepare_async (c1, NULL, NULL, test_on_prepared, &o1);
  msrp_connector_prepare_async (c2, NULL, NULL, test_on_prepared, &o2);
  msrp_connector_prepare_async (c3, NULL, NULL, test_on_prepared, &o3);
  /* The first, which started the connection, goes. */
  msrp_connector_cleanup (c1);
  test_wait_for (&o1.done);
  g_assert_error (o1.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  test_wait_both (&o2, &o3);
  g_assert_true (msrp_uri_equal (g_ptr_array_index (o2.path, 0), g_ptr_array_index (o3.path, 0)));
  test_op_clear (&o1);
  test_op_clear (&o2);
  test_op_clear (&o3);
  msrp_connector_cleanup (c2);
  msrp_connector_cleanup (c3);
  test_drain ();
  test_watchdog_stop (id);
}

/* The same through Kamailio: alice over TLS, bob over TCP. */
static void
test_kamailio_hundred (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  g_autoptr(MsrpRelaySettings) alice = test_kamailio_settings ("alice", "alicepass", TRUE);
  g_autoptr(MsrpRelaySettings) bob = test_kamailio_settings ("bob", "bobpass", FALSE);
  Many m = { 0, };

  many_connect (&m, N_SESSIONS, alice, bob);
  assert_one_connection (&m);
  exchange_all (&m, 1);
  close_one_and_cut (&m);
  many_free_rest (&m);
  test_watchdog_stop (id);
}

/* The mux on its own, over a socket pair: the far end is a plain
 * transport. */
typedef struct {
  MsrpTransport *far;
  MsrpMux *mux;
  MsrpTransport *child;
  GPtrArray *child_path;
} MuxPair;

static void
mux_pair_init (MuxPair *mp)
{
  g_autoptr(GSocketConnection) client = NULL;
  g_autoptr(GSocketConnection) server = NULL;
  g_autoptr(GPtrArray) base_local = test_path ("msrp://127.0.0.1:1/base;tcp");
  g_autoptr(GPtrArray) far_path = test_path ("msrp://127.0.0.1:2/far;tcp");
  g_autoptr(MsrpTransport) base = NULL;

  test_socket_pair (&client, &server);
  base = msrp_transport_new (G_IO_STREAM (client), base_local, far_path);
  mp->far = msrp_transport_new (G_IO_STREAM (server), far_path, base_local);
  mp->mux = _msrp_mux_new (base);
  g_assert_nonnull (mp->mux);
  mp->child_path = test_path ("msrp://127.0.0.1:1/child;tcp");
  mp->child = _msrp_mux_open (mp->mux, mp->child_path, far_path);
  g_assert_nonnull (mp->child);
  /* Its session-id is taken. */
  g_assert_null (_msrp_mux_open (mp->mux, mp->child_path, far_path));
}

static void
mux_pair_clear (MuxPair *mp)
{
  g_clear_object (&mp->child);
  g_clear_pointer (&mp->mux, _msrp_mux_unref);
  g_clear_object (&mp->far);
  g_clear_pointer (&mp->child_path, g_ptr_array_unref);
  test_drain ();
}

/* A chunk far larger than the socket takes goes out in many writes, each
 * when there is room again; the child keeps waiting for room until it is
 * all out. */
static void
test_mux_partial_writes (void)
{
  guint id = test_watchdog_start (30);
  const gsize size = 64 * 1024 * 1024;
  g_autofree guint8 *data = g_malloc (size);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(MsrpChunk) chunk = NULL;
  TestOp written = { 0, }, read = { 0, };
  MuxPair mp = { 0, };

  mux_pair_init (&mp);
  for (gsize i = 0; i < size; i++)
    data[i] = i * 7 + (i >> 12);
  body = g_bytes_new_static (data, size);
  chunk = msrp_transport_make_chunk (mp.child, NULL, body, "application/octet-stream");
  msrp_transport_write_chunk_async (mp.child, chunk, NULL, test_on_written, &written);
  /* Nobody reads yet: the socket fills up. */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (written.done);
  msrp_transport_read_chunk_async (mp.far, 0, NULL, test_on_read, &read);
  test_wait_for (&read.done);
  test_wait_for (&written.done);
  g_assert_no_error (written.error);
  g_assert_no_error (read.error);
  g_assert_true (g_bytes_equal (msrp_chunk_get_data (read.chunk), body));
  test_op_clear (&read);
  mux_pair_clear (&mp);
  test_watchdog_stop (id);
}

/* Chunks go to the child their To-Path names; a request for nobody gets
 * 481, a response for nobody is dropped. */
static void
test_mux_routing (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  g_autoptr(MsrpChunk) to_child = NULL, to_nobody = NULL, response = NULL, stray = NULL;
  g_autoptr(MsrpChunk) got = NULL, answer = NULL;
  g_autoptr(GPtrArray) nobody = test_path ("msrp://127.0.0.1:1/nobody;tcp");
  g_autoptr(GBytes) text = g_bytes_new_static ("hello", 5);
  MuxPair mp = { 0, };

  mux_pair_init (&mp);
  to_nobody = msrp_transport_make_chunk (mp.far, NULL, text, "text/plain");
  msrp_chunk_set_to_path (to_nobody, nobody);
  stray = msrp_chunk_new_response ("strayresponse1", 200, NULL);
  msrp_chunk_set_to_path (stray, nobody);
  msrp_chunk_set_from_path (stray, msrp_transport_get_full_local_path (mp.far));
  to_child = msrp_transport_make_chunk (mp.far, NULL, text, "text/plain");
  msrp_chunk_set_to_path (to_child, mp.child_path);
  test_write_chunk (mp.far, to_nobody);
  test_write_chunk (mp.far, stray);
  test_write_chunk (mp.far, to_child);

  answer = test_read_chunk (mp.far);
  g_assert_false (msrp_chunk_is_request (answer));
  g_assert_cmpstr (msrp_chunk_get_transaction_id (answer), ==, msrp_chunk_get_transaction_id (to_nobody));
  g_assert_cmpuint (msrp_chunk_get_code (answer), ==, MSRP_STATUS_SESSION_DOES_NOT_EXIST);
  got = test_read_chunk (mp.child);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (to_child));
  g_assert_true (g_bytes_equal (msrp_chunk_get_data (got), text));

  /* The child answers on the shared connection. */
  response = msrp_transport_make_response (mp.child, got, 200, NULL);
  test_write_chunk (mp.child, response);
  g_clear_object (&answer);
  answer = test_read_chunk (mp.far);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (answer), ==, msrp_chunk_get_transaction_id (to_child));
  mux_pair_clear (&mp);
  test_watchdog_stop (id);
}

static void
on_far_written (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  guint *left = user_data;

  g_assert_true (msrp_transport_write_chunk_finish (MSRP_TRANSPORT (source), result, NULL));
  (*left)--;
}

/* A peer that sends requests for sessions not on the connection and
 * reads none of the 481s gets at most a bounded number of them queued. */
static void
test_mux_answers_bounded (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  g_autoptr(GPtrArray) nobody = test_path ("msrp://127.0.0.1:1/nobody;tcp");
  g_autoptr(GBytes) text = g_bytes_new_static ("hello", 5);
  const guint n = 20000;
  guint left = n;
  MuxPair mp = { 0, };
  GSocket *far_socket, *base_socket;

  mux_pair_init (&mp);
  /* Small socket buffers: the answers fill them soon. */
  far_socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (msrp_transport_get_stream (mp.far)));
  base_socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (msrp_transport_get_stream (_msrp_mux_get_base (mp.mux))));
  g_assert_true (g_socket_set_option (far_socket, SOL_SOCKET, SO_RCVBUF, 4096, NULL));
  g_assert_true (g_socket_set_option (base_socket, SOL_SOCKET, SO_SNDBUF, 4096, NULL));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsrpChunk) request = msrp_transport_make_chunk (mp.far, NULL, text, "text/plain");

      msrp_chunk_set_to_path (request, nobody);
      msrp_transport_write_chunk_async (mp.far, request, NULL, on_far_written, &left);
    }
  /* Everything is read at the mux; the far side reads nothing back, so
   * the answers fill the socket and then wait. */
  while (left > 0)
    g_main_context_iteration (NULL, TRUE);
  test_drain ();
  g_assert_cmpuint (_msrp_mux_get_n_queued_answers (mp.mux), >, 0);
  g_assert_cmpuint (_msrp_mux_get_n_queued_answers (mp.mux), <=, 256);
  mux_pair_clear (&mp);
  test_watchdog_stop (id);
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/relay-shared/ours/hundred-tcp", GINT_TO_POINTER (FALSE), test_ours_hundred);
  g_test_add_data_func ("/relay-shared/ours/hundred-tls", GINT_TO_POINTER (TRUE), test_ours_hundred);
  g_test_add_func ("/relay-shared/ours/refused", test_ours_refused);
  g_test_add_func ("/relay-shared/ours/opt-out", test_ours_opt_out);
  g_test_add_func ("/relay-shared/ours/same-uri", test_ours_same_uri);
  g_test_add_func ("/relay-shared/ours/cancel-waiter", test_ours_cancel_waiter);
  g_test_add_func ("/relay-shared/kamailio/hundred", test_kamailio_hundred);
  g_test_add_func ("/relay-shared/mux/partial-writes", test_mux_partial_writes);
  g_test_add_func ("/relay-shared/mux/routing", test_mux_routing);
  g_test_add_func ("/relay-shared/mux/answers-bounded", test_mux_answers_bounded);

  test_kamailio_find ();
  test_ours_start ();
  status = g_test_run ();
  test_ours_stop ();
  test_kamailio_free ();
  return status;
}
