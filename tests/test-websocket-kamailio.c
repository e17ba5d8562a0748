/* test-websocket-kamailio.c: MSRP over WebSocket (RFC 7977) through a
 * real relay, Kamailio's websocket and msrp modules: a WebSocket client
 * of the relay talks to a TCP one, each side as acceptor and connector
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msrp-glib.h"
#include "msrp-transport-private.h"
#include "test-utils.h"

#define TIMEOUT_SECONDS 120
#define LARGE_SIZE (10 * 1024 * 1024)

static guint16 kam_tcp_port, kam_ws_port;

/* tests/relay/with-kamailio-ws starts Kamailio on free ports around this
 * test and stops it however the test ends. */
static void
kamailio_find (void)
{
  const char *tcp = g_getenv ("MSRP_TEST_KAMAILIO_WS_TCP_PORT");
  const char *ws = g_getenv ("MSRP_TEST_KAMAILIO_WS_PORT");

  if (tcp == NULL || ws == NULL)
    g_error ("no Kamailio relay: run this test through tests/relay/with-kamailio-ws (meson test does)");
  kam_tcp_port = atoi (tcp);
  kam_ws_port = atoi (ws);
}

/* The configuration has no Digest: any credentials pass. */
static MsrpRelaySettings *
kamailio_settings (const char *user,
                   gboolean    websocket)
{
  MsrpRelaySettings *settings = msrp_relay_settings_new ("example.com", user, "unused");

  msrp_relay_settings_set_host (settings, "127.0.0.1");
  msrp_relay_settings_set_port (settings, websocket ? kam_ws_port : kam_tcp_port);
  msrp_relay_settings_set_use_tls (settings, FALSE);
  if (websocket)
    {
      msrp_relay_settings_set_transport (settings, "ws");
      msrp_relay_settings_set_websocket_path (settings, "/");
    }
  return settings;
}

static GBytes *
random_bytes (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i + 4 <= size; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (data + i, &r, 4);
    }
  return g_bytes_new_take (data, size);
}

typedef struct {
  MsrpSession *session;
  GPtrArray *messages;          /* of GBytes */
} Side;

static void
side_init (Side          *side,
           MsrpTransport *transport)
{
  side->session = msrp_session_new (transport, NULL);
  side->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  msrp_session_set_max_message_size (side->session, 2 * LARGE_SIZE);
  /* Kamailio's 200 means "forwarded": only a REPORT proves delivery. */
  msrp_session_set_success_report (side->session, TRUE);
  g_signal_connect (side->session, "message-received", G_CALLBACK (test_keep_message), side->messages);
}

static void
side_clear (Side *side)
{
  g_clear_object (&side->session);
  g_clear_pointer (&side->messages, g_ptr_array_unref);
}

/* Sends @message from @from to @to, and checks what arrives by its hash. */
static void
send_and_check (Side   *from,
                Side   *to,
                GBytes *message)
{
  g_autofree char *sent_hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, message);
  g_autofree char *got_hash = NULL;
  guint before = to->messages->len;
  TestOp op = { 0, };

  msrp_session_send_message_async (from->session, message, "application/octet-stream", NULL,
                                   test_on_message_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  test_wait_for_len (to->messages, before + 1);
  got_hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, g_ptr_array_index (to->messages, before));
  g_assert_cmpstr (got_hash, ==, sent_hash);
  test_op_clear (&op);
}

/* data: whether the WebSocket client is the acceptor (it waits at the
 * relay for a TCP peer) or the connector (it reaches a TCP acceptor). */
static void
test_ws_tcp (gconstpointer data)
{
  gboolean ws_accepts = GPOINTER_TO_INT (data);
  guint timeout_id = test_watchdog_start (TIMEOUT_SECONDS);
  g_autoptr(MsrpRelaySettings) alice = kamailio_settings ("alice", ws_accepts);
  g_autoptr(MsrpRelaySettings) bob = kamailio_settings ("bob", !ws_accepts);
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_relay_new (alice);
  g_autoptr(MsrpConnector) connector = msrp_connector_relay_new (bob);
  g_autoptr(MsrpTransport) at = NULL;
  g_autoptr(MsrpTransport) ct = NULL;
  g_autoptr(GBytes) hello = g_bytes_new_static ("hello over a WebSocket", 22);
  g_autoptr(GBytes) back = g_bytes_new_static ("und zurück über TCP", strlen ("und zurück über TCP"));
  g_autoptr(GBytes) large = random_bytes (LARGE_SIZE);
  MsrpTransport *ws_side;
  GPtrArray *ws_path;
  MsrpUri *own;
  Side a = { 0, }, c = { 0, };
  Side *ws, *tcp;

  test_connect_pair (acceptor, connector, NULL, &at, &ct);
  ws_side = ws_accepts ? at : ct;
  g_assert_nonnull (_msrp_transport_get_websocket (ws_side));
  g_assert_null (_msrp_transport_get_websocket (ws_accepts ? ct : at));
  /* RFC 7977 section 5: the WebSocket client's own URI, behind the
   * Use-Path that Kamailio gives on its TCP side. */
  ws_path = msrp_transport_get_full_local_path (ws_side);
  g_assert_cmpuint (ws_path->len, ==, 2);
  own = g_ptr_array_index (ws_path, 1);
  g_assert_true (g_str_has_suffix (msrp_uri_get_host (own), ".invalid"));
  g_assert_cmpstr (msrp_uri_get_transport (own), ==, "ws");
  g_assert_cmpuint (msrp_uri_get_port (g_ptr_array_index (ws_path, 0)), ==, kam_tcp_port);
  g_assert_cmpstr (msrp_uri_get_transport (g_ptr_array_index (ws_path, 0)), ==, "tcp");

  side_init (&a, at);
  side_init (&c, ct);
  ws = ws_accepts ? &a : &c;
  tcp = ws_accepts ? &c : &a;
  /* Kamailio takes frames of 11238 bytes at most: 8 KiB chunks. */
  g_assert_cmpuint (msrp_session_get_max_chunk_size (ws->session), <=, 8 * 1024);
  g_assert_cmpuint (msrp_session_get_max_chunk_size (tcp->session), <=, 8 * 1024);

  send_and_check (ws, tcp, hello);
  send_and_check (tcp, ws, back);
  send_and_check (ws, tcp, large);
  send_and_check (tcp, ws, large);

  side_clear (&a);
  side_clear (&c);
  test_drain ();
  test_watchdog_stop (timeout_id);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  kamailio_find ();

  g_test_add_data_func ("/websocket-kamailio/ws-acceptor-tcp-connector", GINT_TO_POINTER (TRUE), test_ws_tcp);
  g_test_add_data_func ("/websocket-kamailio/tcp-acceptor-ws-connector", GINT_TO_POINTER (FALSE), test_ws_tcp);

  return g_test_run ();
}
