/* test-websocket.c: MSRP over WebSocket (RFC 7977) on loopback: an
 * MsrpServer on a SoupServer reached by MsrpConnectorDirect, MsrpRelay's
 * WebSocket listener between WebSocket and TCP clients, TLS, a large
 * message, backpressure, and bad input from raw WebSocket clients
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "msrp-glib.h"
#include "msrp-transport-private.h"
#include "msrp-session-private.h"
#include "test-utils.h"

#define TIMEOUT_SECONDS 60
#define SERVER_CN "server.example.com"
#define PEER_CN "peer.example.com"

typedef struct {
  guint timeout_id;
  SoupServer *soup;
  guint16 port;
  MsrpServer *server;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  gboolean tls = GPOINTER_TO_INT (data);
  GError *error = NULL;
  GSList *uris;

  f->timeout_id = test_watchdog_start (TIMEOUT_SECONDS);
  if (tls)
    f->soup = soup_server_new ("tls-certificate", test_certificate (SERVER_CN), NULL);
  else
    f->soup = soup_server_new (NULL, NULL);
  soup_server_listen_local (f->soup, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | (tls ? SOUP_SERVER_LISTEN_HTTPS : 0),
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->soup);
  f->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  f->server = msrp_server_new ();
  msrp_server_add_websocket_handler (f->server, f->soup, "/msrp");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  test_unref_and_wait (g_steal_pointer (&f->server));
  soup_server_disconnect (f->soup);
  g_clear_object (&f->soup);
  test_drain ();
  test_watchdog_stop (f->timeout_id);
}

static TEST_DEFINE_ON (on_server_completed, MSRP_SERVER, msrp_server_complete_for_uri_finish, transport)

/* An MsrpServer session on the SoupServer, `;ws`, and a connector that
 * reaches it; both transports. */
static void
connect_direct (Fixture        *f,
                MsrpConnector  *peer,
                gboolean        tls,
                MsrpTransport **server_transport,
                MsrpTransport **peer_transport)
{
  g_autofree char *text = g_strdup_printf ("%s://127.0.0.1:%u/wsid%u;ws", tls ? "msrps" : "msrp",
                                           f->port, g_random_int ());
  g_autoptr(MsrpUri) local = msrp_uri_parse (text, NULL);
  g_autoptr(GPtrArray) server_path = NULL;
  g_autoptr(GPtrArray) peer_path = NULL;
  GError *error = NULL;
  TestOp srv = { 0, }, con = { 0, };

  g_assert_nonnull (local);
  server_path = msrp_server_prepare (f->server, local, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (msrp_uri_get_transport (g_ptr_array_index (server_path, 0)), ==, "ws");
  g_assert_cmpuint (msrp_uri_get_port (g_ptr_array_index (server_path, 0)), ==, f->port);

  msrp_connector_set_websocket_path (peer, "/msrp");
  peer_path = test_prepare (peer, NULL);
  msrp_server_complete_for_uri_async (f->server, g_ptr_array_index (server_path, 0), peer_path, NULL, NULL,
                                      on_server_completed, &srv);
  msrp_connector_complete_async (peer, server_path, NULL, test_on_completed, &con);
  test_wait_both (&srv, &con);
  *server_transport = g_steal_pointer (&srv.transport);
  *peer_transport = g_steal_pointer (&con.transport);
  test_op_clear (&srv);
  test_op_clear (&con);
}

static void
test_direct (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(MsrpConnector) peer = msrp_connector_direct_new ();
  g_autoptr(MsrpTransport) srv = NULL;
  g_autoptr(MsrpTransport) con = NULL;
  TestOp closed = { 0, };

  connect_direct (f, peer, FALSE, &srv, &con);
  g_assert_nonnull (_msrp_transport_get_websocket (srv));
  g_assert_nonnull (_msrp_transport_get_websocket (con));
  g_assert_cmpstr (soup_websocket_connection_get_protocol (_msrp_transport_get_websocket (con)), ==, "msrp");

  test_exchange_text (con, srv, "from the active side");
  test_exchange_text (srv, con, "from the server, über WebSocket");

  /* A clean close shows on the other side as the end of the connection. */
  msrp_transport_close_async (con, NULL, test_on_closed, &closed);
  test_wait_for (&closed.done);
  {
    TestOp op = { 0, };

    msrp_transport_read_chunk_async (srv, 0, NULL, test_on_read, &op);
    test_op_assert_error (&op, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED);
  }
  test_op_clear (&closed);
}

static void
test_wrong_path (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(MsrpConnector) peer = msrp_connector_direct_new ();
  g_autofree char *text = g_strdup_printf ("msrp://127.0.0.1:%u/wrongpath;ws", f->port);
  g_autoptr(GPtrArray) remote = test_path (text);
  g_autoptr(GPtrArray) local = NULL;
  TestOp con = { 0, };

  /* No handler on "/": the upgrade is refused, as a clean error. */
  local = test_prepare (peer, NULL);
  msrp_connector_complete_async (peer, remote, NULL, test_on_completed, &con);
  test_wait_for (&con.done);
  g_assert_nonnull (con.error);
  g_assert_null (con.transport);
  test_op_clear (&con);
}

/* Both sides with a certificate and the other's fingerprint: wss. */
static void
test_tls (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(MsrpConnector) peer = msrp_connector_direct_new ();
  g_autoptr(MsrpTransport) srv = NULL;
  g_autoptr(MsrpTransport) con = NULL;
  g_autofree char *fp = msrp_tls_certificate_get_fingerprint (test_certificate (SERVER_CN), G_CHECKSUM_SHA256);

  msrp_connector_set_tls_certificate (peer, test_certificate (PEER_CN));
  msrp_connector_set_peer_fingerprint (peer, fp);
  connect_direct (f, peer, TRUE, &srv, &con);
  test_exchange_text (con, srv, "over wss");
  test_exchange_text (srv, con, "back over wss");
}

static void
test_tls_wrong_fingerprint (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(MsrpConnector) peer = msrp_connector_direct_new ();
  g_autofree char *fp = msrp_tls_certificate_get_fingerprint (test_certificate (PEER_CN), G_CHECKSUM_SHA256);
  g_autofree char *text = g_strdup_printf ("msrps://127.0.0.1:%u/nobody;ws", f->port);
  g_autoptr(GPtrArray) remote = test_path (text);
  g_autoptr(GPtrArray) local = NULL;
  TestOp con = { 0, };

  msrp_connector_set_peer_fingerprint (peer, fp);
  msrp_connector_set_websocket_path (peer, "/msrp");
  local = test_prepare (peer, NULL);
  msrp_connector_complete_async (peer, remote, NULL, test_on_completed, &con);
  test_op_assert_error (&con, MSRP_ERROR, MSRP_ERROR_FINGERPRINT_MISMATCH);
}

static GBytes *
pattern_bytes (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 7 + (i >> 13));
  return g_bytes_new_take (data, size);
}

/* 10 MiB between two sessions, its hash checked on arrival. */
static void
test_large_message (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(MsrpConnector) peer = msrp_connector_direct_new ();
  g_autoptr(MsrpTransport) srv = NULL;
  g_autoptr(MsrpTransport) con = NULL;
  g_autoptr(MsrpSession) a = NULL;
  g_autoptr(MsrpSession) b = NULL;
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GBytes) message = pattern_bytes (10 * 1024 * 1024);
  g_autofree char *sent_hash = NULL;
  g_autofree char *got_hash = NULL;
  TestOp op = { 0, };

  connect_direct (f, peer, FALSE, &srv, &con);
  a = msrp_session_new (con, NULL);
  b = msrp_session_new (srv, NULL);
  g_signal_connect (b, "message-received", G_CALLBACK (test_keep_message), messages);
  msrp_session_send_message_async (a, message, "application/octet-stream", NULL, test_on_message_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  test_wait_for_len (messages, 1);
  sent_hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, message);
  got_hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, g_ptr_array_index (messages, 0));
  g_assert_cmpstr (got_hash, ==, sent_hash);
  test_op_clear (&op);
}

/* The sender's window of chunks waiting for their responses
 * (msrp-session-outgoing.c). */
#define SESSION_WINDOW_BYTES (4 * 1024 * 1024)

/* A transfer of 40 MiB to a reader whose session is paused. */
typedef struct {
  MsrpTransport *srv;
  MsrpTransport *con;
  MsrpSession *a;               /* sends */
  MsrpSession *b;               /* paused */
  GPtrArray *messages;
  GBytes *message;
  TestOp op;
  gsize max_held;
} PausedTransfer;

#define PAUSED_TRANSFER_SIZE (40 * 1024 * 1024)

/* Starts the transfer in chunks of @chunk_size (0: the session's). */
static void
paused_transfer_start (Fixture        *f,
                       PausedTransfer *t,
                       gsize           chunk_size)
{
  g_autoptr(MsrpConnector) peer = msrp_connector_direct_new ();

  connect_direct (f, peer, FALSE, &t->srv, &t->con);
  t->a = msrp_session_new (t->con, NULL);
  t->b = msrp_session_new (t->srv, NULL);
  if (chunk_size > 0)
    msrp_session_set_max_chunk_size (t->a, chunk_size);
  msrp_session_set_max_message_size (t->b, PAUSED_TRANSFER_SIZE);
  msrp_session_pause_reading (t->b);
  t->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_signal_connect (t->b, "message-received", G_CALLBACK (test_keep_message), t->messages);
  t->message = pattern_bytes (PAUSED_TRANSFER_SIZE);
  msrp_session_send_message_async (t->a, t->message, "application/octet-stream", NULL,
                                   test_on_message_sent, &t->op);
}

/* One blocking turn of the main loop, noting what the reader's WebSocket
 * holds. */
static void
paused_transfer_iterate (PausedTransfer *t)
{
  g_main_context_iteration (NULL, TRUE);
  t->max_held = MAX (t->max_held, _msrp_transport_websocket_get_held_bytes (t->srv));
}

/* Runs what is pending (each turn dispatches something until nothing
 * moves any more: a busy loop never ends), checks that nothing arrived
 * and returns what the reader's WebSocket holds. */
static gsize
paused_transfer_settle (PausedTransfer *t,
                        gsize           bound)
{
  gsize held;

  while (g_main_context_iteration (NULL, FALSE))
    t->max_held = MAX (t->max_held, _msrp_transport_websocket_get_held_bytes (t->srv));
  held = _msrp_transport_websocket_get_held_bytes (t->srv);
  g_assert_no_error (t->op.error);
  g_assert_false (t->op.done);
  g_assert_cmpuint (t->messages->len, ==, 0);
  g_assert_cmpuint (held, >, 0);
  g_assert_cmpuint (t->max_held, <=, bound);
  return held;
}

/* Nothing moves while the reader is paused; once it reads, all arrives
 * with at most @bound bytes held on the way. */
static void
paused_transfer_finish (PausedTransfer *t,
                        gsize           held,
                        gsize           bound)
{
  g_autofree char *sent_hash = NULL;
  g_autofree char *got_hash = NULL;

  g_assert_false (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpuint (_msrp_transport_websocket_get_held_bytes (t->srv), ==, held);

  msrp_session_resume_reading (t->b);
  while (t->messages->len == 0 || !t->op.done)
    paused_transfer_iterate (t);
  g_test_message ("at most %" G_GSIZE_FORMAT " bytes held during the transfer", t->max_held);
  g_assert_cmpuint (t->max_held, <=, bound);
  g_assert_no_error (t->op.error);
  sent_hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, t->message);
  got_hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, g_ptr_array_index (t->messages, 0));
  g_assert_cmpstr (got_hash, ==, sent_hash);
  test_op_clear (&t->op);
  g_ptr_array_unref (t->messages);
  g_bytes_unref (t->message);
  g_object_unref (t->b);
  g_object_unref (t->a);
  g_object_unref (t->con);
  g_object_unref (t->srv);
}

/* A reader that stops (its session paused) while 40 MiB come: what bounds
 * the bytes held is the sender, which waits for the responses of its
 * window; all arrives after the resume. */
static void
test_backpressure (Fixture       *f,
                   gconstpointer  data)
{
  /* The window, a chunk over it, and the chunk the parser is in. */
  const gsize bound = SESSION_WINDOW_BYTES + 2 * 64 * 1024 + 128 * 1024;
  PausedTransfer t = { 0, };
  gsize held, outstanding;

  paused_transfer_start (f, &t, 0);
  /* The sender fills its window, then everything in flight lands at the
   * reader's WebSocket, and nothing moves any more. */
  while (t.a->msg_outstanding_bytes < SESSION_WINDOW_BYTES)
    paused_transfer_iterate (&t);
  held = paused_transfer_settle (&t, bound);
  outstanding = t.a->msg_outstanding_bytes;
  g_test_message ("paused reader: %" G_GSIZE_FORMAT " bytes held by its WebSocket, "
                  "%" G_GSIZE_FORMAT " bytes waiting for responses at the sender", held, outstanding);
  g_assert_cmpuint (outstanding, <=, SESSION_WINDOW_BYTES + 64 * 1024);
  paused_transfer_finish (&t, held, bound);
}

/* Where the server's side of a WebSocket stops reading from the network
 * (INPUT_PAUSE_BYTES in msrp-transport-websocket.c). */
#define SERVER_PAUSE_BYTES (1024 * 1024)

/* The same with 1 MiB chunks, which the sender's window counts as one
 * slice each: far more than the window is in flight. The server's side of
 * the WebSocket stops reading while its session is behind, so that the
 * rest waits in the network as on TCP (it used to be held, until the
 * connection was cut at 16 MiB). */
static void
test_backpressure_large_chunks (Fixture       *f,
                                gconstpointer  data)
{
  const gsize chunk_size = 1024 * 1024;
  /* Reading stops past the limit, within the message that crossed it. */
  const gsize bound = SERVER_PAUSE_BYTES + chunk_size + 64 * 1024;
  PausedTransfer t = { 0, };
  gsize held;

  paused_transfer_start (f, &t, chunk_size);
  while (_msrp_transport_websocket_get_held_bytes (t.srv) < SERVER_PAUSE_BYTES && !t.op.done)
    paused_transfer_iterate (&t);
  held = paused_transfer_settle (&t, bound);
  g_test_message ("paused reader: %" G_GSIZE_FORMAT " bytes held by its WebSocket", held);
  paused_transfer_finish (&t, held, bound);
}

/* Through MsrpRelay: a TCP listener for TCP peers, a WebSocket one for
 * WebSocket clients. */
typedef struct {
  guint timeout_id;
  MsrpRelay *relay;
  guint16 tcp_port;
  guint16 ws_port;
} RelayFixture;

static void
relay_setup (RelayFixture  *f,
             gconstpointer  data)
{
  g_autoptr(MsrpUri) tcp = NULL;
  g_autoptr(MsrpUri) ws = NULL;
  GError *error = NULL;

  f->timeout_id = test_watchdog_start (TIMEOUT_SECONDS);
  f->relay = msrp_relay_new ("example.com");
  msrp_relay_add_user (f->relay, "alice", "alicepass");
  msrp_relay_add_user (f->relay, "bob", "bobpass");
  tcp = msrp_relay_listen (f->relay, "127.0.0.1", 0, FALSE, &error);
  g_assert_no_error (error);
  ws = msrp_relay_listen_websocket (f->relay, "127.0.0.1", 0, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (msrp_uri_get_transport (ws), ==, "ws");
  f->tcp_port = msrp_uri_get_port (tcp);
  f->ws_port = msrp_uri_get_port (ws);
}

static void
relay_teardown (RelayFixture  *f,
                gconstpointer  data)
{
  msrp_relay_stop (f->relay);
  g_clear_object (&f->relay);
  test_drain ();
  test_watchdog_stop (f->timeout_id);
}

static MsrpRelaySettings *
relay_settings (RelayFixture *f,
                const char   *user,
                gboolean      websocket)
{
  g_autofree char *password = g_strconcat (user, "pass", NULL);
  MsrpRelaySettings *settings = msrp_relay_settings_new ("example.com", user, password);

  msrp_relay_settings_set_host (settings, "127.0.0.1");
  msrp_relay_settings_set_port (settings, websocket ? f->ws_port : f->tcp_port);
  msrp_relay_settings_set_use_tls (settings, FALSE);
  if (websocket)
    msrp_relay_settings_set_transport (settings, "ws");
  return settings;
}

/* A message each way between two sessions, checked on arrival. */
static void
exchange_messages (MsrpTransport *x,
                   MsrpTransport *y)
{
  g_autoptr(MsrpSession) a = msrp_session_new (x, NULL);
  g_autoptr(MsrpSession) b = msrp_session_new (y, NULL);
  g_autoptr(GPtrArray) got_a = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) got_b = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GBytes) ab = g_bytes_new_static ("from a", 6);
  g_autoptr(GBytes) ba = pattern_bytes (300 * 1024);
  TestOp op1 = { 0, }, op2 = { 0, };

  g_signal_connect (a, "message-received", G_CALLBACK (test_keep_message), got_a);
  g_signal_connect (b, "message-received", G_CALLBACK (test_keep_message), got_b);
  msrp_session_send_message_async (a, ab, "text/plain", NULL, test_on_message_sent, &op1);
  msrp_session_send_message_async (b, ba, "application/octet-stream", NULL, test_on_message_sent, &op2);
  test_wait_for_len (got_b, 1);
  test_wait_for_len (got_a, 1);
  test_wait_for (&op1.done);
  test_wait_for (&op2.done);
  g_assert_no_error (op1.error);
  g_assert_no_error (op2.error);
  g_assert_true (g_bytes_equal (g_ptr_array_index (got_b, 0), ab));
  g_assert_true (g_bytes_equal (g_ptr_array_index (got_a, 0), ba));
  test_op_clear (&op1);
  test_op_clear (&op2);
}

/* data: whether the WebSocket client is the acceptor (it waits at the
 * relay) or the connector. */
static void
test_relay_ws_tcp (RelayFixture  *f,
                   gconstpointer  data)
{
  gboolean ws_accepts = GPOINTER_TO_INT (data);
  g_autoptr(MsrpRelaySettings) alice = relay_settings (f, "alice", ws_accepts);
  g_autoptr(MsrpRelaySettings) bob = relay_settings (f, "bob", !ws_accepts);
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_relay_new (alice);
  g_autoptr(MsrpConnector) connector = msrp_connector_relay_new (bob);
  g_autoptr(MsrpTransport) at = NULL;
  g_autoptr(MsrpTransport) ct = NULL;
  GPtrArray *ws_path;
  MsrpTransport *ws_side;
  MsrpUri *own;

  test_connect_pair (acceptor, connector, NULL, &at, &ct);
  ws_side = ws_accepts ? at : ct;
  g_assert_nonnull (_msrp_transport_get_websocket (ws_side));
  g_assert_null (_msrp_transport_get_websocket (ws_accepts ? ct : at));
  /* RFC 7977 section 5: the WebSocket client's own URI. */
  ws_path = msrp_transport_get_full_local_path (ws_side);
  own = g_ptr_array_index (ws_path, ws_path->len - 1);
  g_assert_true (g_str_has_suffix (msrp_uri_get_host (own), ".invalid"));
  g_assert_cmpstr (msrp_uri_get_transport (own), ==, "ws");
  /* Its relay URI (Use-Path) is the relay's TCP one, for TCP peers. */
  g_assert_cmpuint (msrp_uri_get_port (g_ptr_array_index (ws_path, 0)), ==, f->tcp_port);
  exchange_messages (at, ct);
}

/* Both clients over WebSockets. */
static void
test_relay_ws_ws (RelayFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(MsrpRelaySettings) alice = relay_settings (f, "alice", TRUE);
  g_autoptr(MsrpRelaySettings) bob = relay_settings (f, "bob", TRUE);
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_relay_new (alice);
  g_autoptr(MsrpConnector) connector = msrp_connector_relay_new (bob);
  g_autoptr(MsrpTransport) at = NULL;
  g_autoptr(MsrpTransport) ct = NULL;

  test_connect_pair (acceptor, connector, NULL, &at, &ct);
  exchange_messages (at, ct);
}

static void
test_relay_ws_bad_password (RelayFixture  *f,
                            gconstpointer  data)
{
  g_autoptr(MsrpRelaySettings) alice = msrp_relay_settings_new ("example.com", "alice", "wrong");
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_relay_new (alice);
  TestOp op = { 0, };

  g_object_set (alice, "host", "127.0.0.1", "port", f->ws_port, "use-tls", FALSE, "transport", "ws", NULL);
  msrp_connector_prepare_async (acceptor, NULL, NULL, test_on_prepared, &op);
  test_op_assert_error (&op, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED);
}

/* Bad input from raw WebSocket clients, at the relay */

typedef struct {
  SoupWebsocketConnection *ws;
  GPtrArray *messages;          /* of GBytes */
  gboolean closed;
} RawWs;

static void
on_raw_message (SoupWebsocketConnection *ws,
                gint                     type,
                GBytes                  *message,
                gpointer                 user_data)
{
  RawWs *raw = user_data;

  g_ptr_array_add (raw->messages, g_bytes_ref (message));
}

static void
on_raw_closed (SoupWebsocketConnection *ws,
               gpointer                 user_data)
{
  ((RawWs *) user_data)->closed = TRUE;
}

static void
on_raw_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RawWs *raw = user_data;
  GError *error = NULL;

  raw->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static void
raw_ws_connect_to (RawWs      *raw,
                   guint16     port,
                   const char *path)
{
  static const char *protocols[] = { "msrp", NULL };
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

  raw->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  soup_session_set_proxy_resolver (session, NULL);
  soup_session_websocket_connect_async (session, msg, NULL, (char **) protocols, G_PRIORITY_DEFAULT, NULL,
                                        on_raw_connected, raw);
  test_wait_for_ptr ((gpointer *) &raw->ws);
  g_assert_cmpstr (soup_websocket_connection_get_protocol (raw->ws), ==, "msrp");
  g_signal_connect (raw->ws, "message", G_CALLBACK (on_raw_message), raw);
  g_signal_connect (raw->ws, "closed", G_CALLBACK (on_raw_closed), raw);
}

static void
raw_ws_connect (RawWs   *raw,
                guint16  port)
{
  raw_ws_connect_to (raw, port, "/");
}

static void
raw_ws_clear (RawWs *raw)
{
  if (raw->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (raw->ws, raw);
      if (soup_websocket_connection_get_state (raw->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (raw->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
  g_clear_object (&raw->ws);
  g_clear_pointer (&raw->messages, g_ptr_array_unref);
}

/* MsrpServer's WebSocket handler caps the connections that have not sent
 * their binding yet, as its TCP listener does: when full, the oldest goes,
 * the oldest from the same address first. */
static void
test_pending_caps (Fixture       *f,
                   gconstpointer  data)
{
  RawWs raws[4] = { { 0, }, };

  msrp_server_set_max_pending_per_address (f->server, 2);
  for (guint i = 0; i < 3; i++)
    raw_ws_connect_to (&raws[i], f->port, "/msrp");
  test_wait_for (&raws[0].closed);
  g_assert_false (raws[1].closed);
  g_assert_false (raws[2].closed);

  msrp_server_set_max_pending_per_address (f->server, 10);
  msrp_server_set_max_pending_connections (f->server, 2);
  raw_ws_connect_to (&raws[3], f->port, "/msrp");
  test_wait_for (&raws[1].closed);
  g_assert_false (raws[2].closed);
  g_assert_false (raws[3].closed);

  for (guint i = 0; i < G_N_ELEMENTS (raws); i++)
    raw_ws_clear (&raws[i]);
}

static char *
auth_request (guint16     port,
              const char *tid)
{
  return g_strdup_printf ("MSRP %s AUTH\r\n"
                          "To-Path: msrp://127.0.0.1:%u;ws\r\n"
                          "From-Path: msrp://abcdef.invalid:1234/xyz;ws\r\n"
                          "-------%s$\r\n", tid, port, tid);
}

static void
assert_challenge (GBytes     *message,
                  const char *tid)
{
  g_autofree char *start = g_strdup_printf ("MSRP %s 401", tid);
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  g_assert_cmpuint (len, >, strlen (start));
  g_assert_cmpmem (data, strlen (start), start, strlen (start));
  g_assert_nonnull (g_strstr_len (data, len, "WWW-Authenticate: Digest"));
}

/* A chunk split over several messages, and two chunks in one: parsed as
 * a stream, answered one message a response. */
static void
test_bad_split_and_joined (RelayFixture  *f,
                           gconstpointer  data)
{
  g_autofree char *one = auth_request (f->ws_port, "split1");
  g_autofree char *two = auth_request (f->ws_port, "joined2");
  g_autofree char *three = auth_request (f->ws_port, "joined3");
  g_autofree char *both = g_strconcat (two, three, NULL);
  RawWs raw = { 0, };
  gsize third = strlen (one) / 3;
  g_autoptr(GBytes) part1 = g_bytes_new_static (one, third);
  g_autoptr(GBytes) part2 = g_bytes_new_static (one + third, third);

  raw_ws_connect (&raw, f->ws_port);
  soup_websocket_connection_send_message (raw.ws, SOUP_WEBSOCKET_DATA_TEXT, part1);
  soup_websocket_connection_send_message (raw.ws, SOUP_WEBSOCKET_DATA_BINARY, part2);
  soup_websocket_connection_send_text (raw.ws, one + 2 * third);
  test_wait_for_len (raw.messages, 1);
  assert_challenge (g_ptr_array_index (raw.messages, 0), "split1");

  soup_websocket_connection_send_text (raw.ws, both);
  test_wait_for_len (raw.messages, 3);
  assert_challenge (g_ptr_array_index (raw.messages, 1), "joined2");
  assert_challenge (g_ptr_array_index (raw.messages, 2), "joined3");
  /* Each response a message of its own, as a text frame. */
  raw_ws_clear (&raw);
}

/* Binary garbage: the relay closes the connection cleanly. */
static void
test_bad_garbage (RelayFixture  *f,
                  gconstpointer  data)
{
  static const guint8 garbage[] = { 0x00, 0xff, 0x13, 0x37, 0x80, 0x0d, 0x0a, 0x0d, 0x0a, 0xfe };
  g_autofree char *after = auth_request (f->ws_port, "after1");
  RawWs raw = { 0, };
  RawWs next = { 0, };

  raw_ws_connect (&raw, f->ws_port);
  soup_websocket_connection_send_binary (raw.ws, garbage, sizeof garbage);
  test_wait_for (&raw.closed);
  g_assert_cmpuint (raw.messages->len, ==, 0);
  raw_ws_clear (&raw);

  /* The relay goes on. */
  raw_ws_connect (&next, f->ws_port);
  soup_websocket_connection_send_text (next.ws, after);
  test_wait_for_len (next.messages, 1);
  assert_challenge (g_ptr_array_index (next.messages, 0), "after1");
  raw_ws_clear (&next);
}

/* A close in the middle of a chunk ends the relay's connection. */
static void
test_bad_close_mid_chunk (RelayFixture  *f,
                          gconstpointer  data)
{
  g_autofree char *one = auth_request (f->ws_port, "half1");
  g_autofree char *after = auth_request (f->ws_port, "after2");
  g_autoptr(GBytes) part = g_bytes_new_static (one, strlen (one) / 2);
  RawWs raw = { 0, };
  RawWs next = { 0, };

  raw_ws_connect (&raw, f->ws_port);
  soup_websocket_connection_send_message (raw.ws, SOUP_WEBSOCKET_DATA_TEXT, part);
  soup_websocket_connection_close (raw.ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  test_wait_for (&raw.closed);
  g_assert_cmpuint (raw.messages->len, ==, 0);
  raw_ws_clear (&raw);

  raw_ws_connect (&next, f->ws_port);
  soup_websocket_connection_send_text (next.ws, after);
  test_wait_for_len (next.messages, 1);
  assert_challenge (g_ptr_array_index (next.messages, 0), "after2");
  raw_ws_clear (&next);
}

/* WebSocket frames by hand: a message in two fragments (RFC 6455
 * section 5.4), masked as a client's must be. */
static void
append_frame (GByteArray *out,
              guint8      first,
              const char *payload,
              gsize       len)
{
  static const guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  guint8 head[4];

  g_assert_cmpuint (len, <, 65536);
  head[0] = first;
  if (len < 126)
    {
      head[1] = 0x80 | len;
      g_byte_array_append (out, head, 2);
    }
  else
    {
      head[1] = 0x80 | 126;
      head[2] = len >> 8;
      head[3] = len & 0xff;
      g_byte_array_append (out, head, 4);
    }
  g_byte_array_append (out, mask, 4);
  for (gsize i = 0; i < len; i++)
    {
      guint8 b = payload[i] ^ mask[i % 4];

      g_byte_array_append (out, &b, 1);
    }
}

static gboolean
raw_has (TestRaw    *raw,
         const char *needle)
{
  return raw->received->len > 0 &&
         g_strstr_len ((const char *) raw->received->data, raw->received->len, needle) != NULL;
}

static void
test_bad_fragmented (RelayFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(TestRaw) raw = test_raw_connect (f->ws_port, NULL);
  g_autofree char *one = auth_request (f->ws_port, "frag1");
  g_autofree char *request = g_strdup_printf ("GET / HTTP/1.1\r\n"
                                              "Host: 127.0.0.1:%u\r\n"
                                              "Upgrade: websocket\r\n"
                                              "Connection: Upgrade\r\n"
                                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                              "Sec-WebSocket-Version: 13\r\n"
                                              "Sec-WebSocket-Protocol: msrp\r\n\r\n", f->ws_port);
  g_autoptr(GByteArray) frames = g_byte_array_new ();
  gsize half = strlen (one) / 2;

  test_raw_send (raw, request, -1);
  test_raw_read_start (raw);
  while (!raw_has (raw, "\r\n\r\n"))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (raw_has (raw, "HTTP/1.1 101"));
  g_assert_true (raw_has (raw, "Sec-WebSocket-Protocol: msrp"));

  append_frame (frames, 0x01, one, half);                   /* text, not final */
  append_frame (frames, 0x80, one + half, strlen (one) - half); /* continuation, final */
  test_raw_send (raw, frames->data, frames->len);
  while (!raw_has (raw, "MSRP frag1 401"))
    g_main_context_iteration (NULL, TRUE);
}

/* A client that connects and never finishes the upgrade is dropped as a
 * pending connection that never speaks. */
static void
test_bad_never_upgrades (RelayFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(TestRaw) silent = NULL;
  g_autoptr(TestRaw) half = NULL;

  msrp_relay_set_first_request_timeout (f->relay, 1);
  silent = test_raw_connect (f->ws_port, NULL);
  half = test_raw_connect (f->ws_port, NULL);
  test_raw_send (half, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n", -1);
  test_raw_read_to_eof (silent);
  test_raw_read_to_eof (half);
  g_assert_cmpuint (silent->received->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/websocket/direct", Fixture, NULL, fixture_setup, test_direct, fixture_teardown);
  g_test_add ("/websocket/wrong-path", Fixture, NULL, fixture_setup, test_wrong_path, fixture_teardown);
  g_test_add ("/websocket/tls", Fixture, GINT_TO_POINTER (TRUE), fixture_setup, test_tls, fixture_teardown);
  g_test_add ("/websocket/tls-wrong-fingerprint", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_tls_wrong_fingerprint, fixture_teardown);
  g_test_add ("/websocket/large-message", Fixture, NULL, fixture_setup, test_large_message, fixture_teardown);
  g_test_add ("/websocket/backpressure", Fixture, NULL, fixture_setup, test_backpressure, fixture_teardown);
  g_test_add ("/websocket/backpressure-large-chunks", Fixture, NULL, fixture_setup, test_backpressure_large_chunks,
              fixture_teardown);
  g_test_add ("/websocket/pending-caps", Fixture, NULL, fixture_setup, test_pending_caps, fixture_teardown);

  g_test_add ("/websocket/relay/ws-acceptor-tcp-connector", RelayFixture, GINT_TO_POINTER (TRUE),
              relay_setup, test_relay_ws_tcp, relay_teardown);
  g_test_add ("/websocket/relay/tcp-acceptor-ws-connector", RelayFixture, GINT_TO_POINTER (FALSE),
              relay_setup, test_relay_ws_tcp, relay_teardown);
  g_test_add ("/websocket/relay/ws-both", RelayFixture, NULL, relay_setup, test_relay_ws_ws, relay_teardown);
  g_test_add ("/websocket/relay/bad-password", RelayFixture, NULL, relay_setup, test_relay_ws_bad_password,
              relay_teardown);

  g_test_add ("/websocket/bad/split-and-joined", RelayFixture, NULL, relay_setup, test_bad_split_and_joined,
              relay_teardown);
  g_test_add ("/websocket/bad/garbage", RelayFixture, NULL, relay_setup, test_bad_garbage, relay_teardown);
  g_test_add ("/websocket/bad/close-mid-chunk", RelayFixture, NULL, relay_setup, test_bad_close_mid_chunk,
              relay_teardown);
  g_test_add ("/websocket/bad/fragmented", RelayFixture, NULL, relay_setup, test_bad_fragmented, relay_teardown);
  g_test_add ("/websocket/bad/never-upgrades", RelayFixture, NULL, relay_setup, test_bad_never_upgrades,
              relay_teardown);

  return g_test_run ();
}
