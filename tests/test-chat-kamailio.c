/* test-chat-kamailio.c: two MsrpChat through a real RFC 4976 relay,
 * Kamailio's msrp module (started around this test by
 * tests/relay/with-kamailio), over TCP and TLS, with one side or both
 * behind the relay
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msrp-glib.h"
#include "test-stream-utils.h"
#include "test-utils.h"

/* Kamailio, its TLS handshakes and its connection to itself take a while
 * on a loaded machine. */
#define TIMEOUT_SECONDS 60

#define ALICE "Alice <sip:alice@example.com>"
#define BOB "\"Bob B.\" <sip:bob@example.com>"
/* More than one 8 KiB relay chunk, and more than Kamailio takes in one
 * frame (11238 bytes): it must be cut into chunks on the way. */
#define LONG_SIZE 30000

/* Where a chat goes: through Kamailio over TCP or TLS, or direct. */
typedef enum {
  SIDE_KAMAILIO,
  SIDE_KAMAILIO_TLS,
  SIDE_DIRECT,
  SIDE_DIRECT_TLS,
} Side;

/* Alice offers (and waits), Bob answers (and connects). */
typedef struct {
  const char *name;
  Side alice;
  Side bob;
} Setup;

/* A chat peer and what came through the relay below its chat. */
typedef struct {
  TestChatPeer base;
  GPtrArray *reports;         /* char *"message-id status", success REPORTs */
  GPtrArray *imdns;           /* char *"kind status message-id", IMDNs received */
} Peer;

static gboolean
side_is_relay (Side side)
{
  return side == SIDE_KAMAILIO || side == SIDE_KAMAILIO_TLS;
}

/* Signals */

/* What came through the relay below the chat: the success REPORTs and
 * the IMDN documents, which the chat folds into one signal. */
static void
on_report (MsrpSession *session,
           MsrpChunk   *report,
           Peer        *peer)
{
  guint code = 0;

  g_assert_true (msrp_chunk_get_status (report, &code, NULL));
  g_ptr_array_add (peer->reports, g_strdup_printf ("%s %u", msrp_chunk_get_message_id (report), code));
}

static void
on_session_message (MsrpSession *session,
                    MsrpChunk   *first,
                    GBytes      *data,
                    Peer        *peer)
{
  g_autoptr(MsrpCpimMessage) cpim = NULL;
  g_autoptr(MsrpImdn) imdn = NULL;

  if (g_strcmp0 (msrp_chunk_get_content_type (first), "message/cpim") != 0)
    return;
  cpim = msrp_cpim_message_parse (data, NULL);
  g_assert_nonnull (cpim);
  if (g_strcmp0 (msrp_cpim_message_get_content_type (cpim), MSRP_IMDN_CONTENT_TYPE) != 0)
    return;
  imdn = msrp_imdn_parse (msrp_cpim_message_get_body (cpim), NULL);
  g_assert_nonnull (imdn);
  g_ptr_array_add (peer->imdns, g_strdup_printf ("%s %s %s",
                                                 msrp_imdn_get_kind (imdn) == MSRP_IMDN_KIND_DISPLAY
                                                   ? "display" : "delivery",
                                                 msrp_imdn_get_status (imdn),
                                                 msrp_imdn_get_message_id (imdn)));
}

static void
on_started (MsrpStream *stream,
            Peer       *peer)
{
  MsrpSession *session = msrp_stream_get_session (stream);

  g_signal_connect (session, "report-received", G_CALLBACK (on_report), peer);
  g_signal_connect (session, "message-received", G_CALLBACK (on_session_message), peer);
}

static void
peer_init (Peer       *peer,
           const char *local,
           const char *remote,
           Side        side,
           const char *user,
           const char *password)
{
  test_chat_peer_init (&peer->base, local, remote);
  peer->reports = g_ptr_array_new_with_free_func (g_free);
  peer->imdns = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (peer->base.chat, "started", G_CALLBACK (on_started), peer);

  if (side_is_relay (side))
    {
      g_autoptr(MsrpRelaySettings) relay = test_kamailio_settings (user, password, side == SIDE_KAMAILIO_TLS);

      msrp_stream_set_relay (MSRP_STREAM (peer->base.chat), relay);
    }
  else
    {
      g_autoptr(MsrpUri) local_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);

      msrp_stream_set_local_uri (MSRP_STREAM (peer->base.chat), local_uri);
      msrp_stream_set_use_tls (MSRP_STREAM (peer->base.chat), side == SIDE_DIRECT_TLS);
    }
}

static void
peer_clear (Peer *peer)
{
  test_chat_peer_clear (&peer->base);
  g_ptr_array_unref (peer->reports);
  g_ptr_array_unref (peer->imdns);
}

/* Operations */

/* The media as the peer gets it: through SDP text. */
static MsrpSdpMedia *
initialize (Peer         *peer,
            MsrpSdpMedia *offer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpSdpMedia) media = test_stream_initialize (MSRP_STREAM (peer->base.chat), offer, &error);
  g_autofree char *text = NULL;
  MsrpSdpMedia *parsed;

  g_assert_no_error (error);
  parsed = test_through_sdp (media, &text);
  g_test_message ("SDP:\n%s", text);
  return parsed;
}

static void
connect_pair (Peer *alice,
              Peer *bob)
{
  g_autoptr(MsrpSdpMedia) offer = initialize (alice, NULL);
  g_autoptr(MsrpSdpMedia) answer = initialize (bob, offer);

  test_stream_start_both (MSRP_STREAM (alice->base.chat), answer, MSRP_STREAM (bob->base.chat));
  g_assert_cmpint (msrp_stream_get_state (MSRP_STREAM (alice->base.chat)), ==, MSRP_STREAM_STATE_STARTED);
  g_assert_cmpint (msrp_stream_get_state (MSRP_STREAM (bob->base.chat)), ==, MSRP_STREAM_STATE_STARTED);
}

/* Whether the chat's connection (to its relay, to the peer's relay, or
 * from the peer's relay) is TLS: exactly when its media says so. */
static void
assert_tls_as_media (Peer *peer)
{
  MsrpStream *stream = MSRP_STREAM (peer->base.chat);
  MsrpSdpMedia *media = msrp_stream_get_local_media (stream);
  GIOStream *io = msrp_transport_get_stream (msrp_session_get_transport (msrp_stream_get_session (stream)));
  gboolean tls = g_strcmp0 (msrp_sdp_media_get_protocol (media), "TCP/TLS/MSRP") == 0;

  if (G_IS_TCP_WRAPPER_CONNECTION (io))
    io = g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (io));
  g_assert_cmpint (G_IS_TLS_CONNECTION (io), ==, tls);
}

static gboolean
contains_str (GPtrArray  *array,
              const char *str)
{
  for (guint i = 0; i < array->len; i++)
    if (g_strcmp0 (g_ptr_array_index (array, i), str) == 0)
      return TRUE;
  return FALSE;
}

static void
wait_for_str (GPtrArray  *array,
              const char *str)
{
  while (!contains_str (array, str))
    g_main_context_iteration (NULL, TRUE);
}

/* One message from @from to @to and everything it brings back: the
 * message itself, the success REPORT, the IMDN delivery notification,
 * and, asked for by @to, the display notification. */
static void
talk (Peer       *from,
      Peer       *to,
      const char *text)
{
  GError *error = NULL;
  g_autofree char *id = msrp_chat_send_text (from->base.chat, text, &error);
  g_autofree char *report = NULL;
  g_autofree char *delivery = NULL;
  g_autofree char *display = NULL;
  guint received = to->base.received->len;
  guint delivered = from->base.delivered->len;
  MsrpChatMessage *message;

  g_assert_no_error (error);
  g_assert_nonnull (id);
  /* A refusal on the way (such as the relay's 413) fails at once. */
  while (to->base.received->len < received + 1)
    {
      g_assert_cmpuint (from->base.not_delivered->len, ==, 0);
      g_main_context_iteration (NULL, TRUE);
    }
  message = g_ptr_array_index (to->base.received, received);
  g_assert_cmpstr (msrp_chat_message_get_text (message), ==, text);
  g_assert_cmpstr (msrp_chat_message_get_message_id (message), ==, id);
  g_assert_nonnull (msrp_chat_message_get_cpim (message));

  test_wait_for_len (from->base.delivered, delivered + 1);
  g_assert_cmpstr (g_ptr_array_index (from->base.delivered, delivered), ==, id);
  report = g_strdup_printf ("%s 200", id);
  wait_for_str (from->reports, report);
  delivery = g_strdup_printf ("delivery delivered %s", id);
  wait_for_str (from->imdns, delivery);

  g_assert_true (msrp_chat_send_display_notification (to->base.chat, id, &error));
  g_assert_no_error (error);
  wait_for_str (from->base.displayed, id);
  display = g_strdup_printf ("display displayed %s", id);
  g_assert_true (contains_str (from->imdns, display));
  /* Each signal once, whichever way the news came. */
  g_assert_cmpuint (from->base.delivered->len, ==, delivered + 1);
  g_assert_cmpuint (from->base.not_delivered->len, ==, 0);
}

static void
test_chat (gconstpointer data)
{
  const Setup *setup = data;
  guint watchdog = test_watchdog_start (TIMEOUT_SECONDS);
  Peer alice = { 0 }, bob = { 0 };
  g_autoptr(GString) long_text = g_string_new (NULL);
  GPtrArray *path;

  peer_init (&alice, ALICE, BOB, setup->alice, "alice", "alicepass");
  peer_init (&bob, BOB, ALICE, setup->bob, "bob", "bobpass");
  connect_pair (&alice, &bob);

  /* The relay's Use-Path goes before our own URI in a=path. */
  path = msrp_sdp_media_get_path (msrp_stream_get_local_media (MSRP_STREAM (alice.base.chat)));
  g_assert_cmpuint (path->len, ==, side_is_relay (setup->alice) ? 2 : 1);
  path = msrp_sdp_media_get_path (msrp_stream_get_local_media (MSRP_STREAM (bob.base.chat)));
  g_assert_cmpuint (path->len, ==, side_is_relay (setup->bob) ? 2 : 1);

  assert_tls_as_media (&alice);
  assert_tls_as_media (&bob);

  talk (&alice, &bob, "Hello Bob, through Kamailio");
  talk (&bob, &alice, "Hello Alice, back through Kamailio");
  talk (&alice, &bob, "Ünïcödé ✓");

  /* Long messages both ways: the relay takes frames of about 11 KB only. */
  for (guint i = 0; long_text->len < LONG_SIZE; i++)
    g_string_append_printf (long_text, "line %u of a long chat message\n", i);
  talk (&alice, &bob, long_text->str);
  talk (&bob, &alice, long_text->str);

  /* is-composing is not a message, and comes through too. */
  g_assert_true (msrp_chat_send_composing_indication (bob.base.chat, "active", 60, NULL));
  test_wait_for_len (alice.base.composing, 1);
  g_assert_cmpstr (g_ptr_array_index (alice.base.composing, 0), ==, "active " BOB);
  g_assert_cmpuint (alice.base.received->len, ==, 2);

  g_assert_null (alice.base.failed);
  g_assert_null (bob.base.failed);
  /* Through a relay a peer's end does not reach the other side: each
   * ends its own. */
  test_stream_end (MSRP_STREAM (bob.base.chat));
  test_stream_end (MSRP_STREAM (alice.base.chat));
  peer_clear (&alice);
  peer_clear (&bob);
  test_watchdog_stop (watchdog);
}

/* Alice offers, Bob answers and connects. */
static const Setup setups[] = {
  /* Both at Kamailio. */
  { "both/tcp", SIDE_KAMAILIO, SIDE_KAMAILIO },
  { "both/tls", SIDE_KAMAILIO_TLS, SIDE_KAMAILIO_TLS },
  { "both/tls-and-tcp", SIDE_KAMAILIO_TLS, SIDE_KAMAILIO },
  /* Alice at Kamailio, Bob direct: he connects to her relay. */
  { "offerer-relayed/tcp", SIDE_KAMAILIO, SIDE_DIRECT },
  { "offerer-relayed/tls", SIDE_KAMAILIO_TLS, SIDE_DIRECT },
  /* Alice direct, Bob at Kamailio: his relay connects to her. */
  { "answerer-relayed/tcp", SIDE_DIRECT, SIDE_KAMAILIO },
  { "answerer-relayed/tls", SIDE_DIRECT_TLS, SIDE_KAMAILIO_TLS },
};

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  test_kamailio_find ();
  /* A direct chat that reaches the peer's relay checks the relay's
   * certificate against the system's database: trust Kamailio's test
   * certificate there. */
  {
    g_autoptr(GTlsDatabase) db = test_kamailio_database ();

    g_tls_backend_set_default_database (g_tls_backend_get_default (), db);
  }

  TEST_ADD_TABLE ("/chat-kamailio", setups, test_chat);

  status = g_test_run ();
  test_kamailio_free ();
  return status;
}
