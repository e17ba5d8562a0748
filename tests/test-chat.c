/* test-chat.c: MsrpStream and MsrpChat between two chats on loopback
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include <libsoup/soup.h>

#include "msrp-glib.h"
#include "msrp-transport-private.h"
#include "msrp-session-app-private.h"
#include "msrp-chat-private.h"
#include "test-stream-utils.h"
#include "test-utils.h"

#define ALICE "Alice <sip:alice@example.com>"
#define BOB "\"Bob B.\" <sip:bob@example.com>"

typedef TestChatPeer Peer;

typedef struct {
  guint watchdog;
  Peer alice;
  Peer bob;
  MsrpRelay *relay;
  MsrpUri *relay_uri;
} Fixture;

static void
peer_init (Peer       *peer,
           const char *local,
           const char *remote)
{
  g_autoptr(MsrpUri) local_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);

  test_chat_peer_init (peer, local, remote);
  msrp_stream_set_local_uri (MSRP_STREAM (peer->chat), local_uri);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->watchdog = test_watchdog_start (TEST_TIMEOUT_SECONDS);
  peer_init (&f->alice, ALICE, BOB);
  peer_init (&f->bob, BOB, ALICE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  test_chat_peer_clear (&f->alice);
  test_chat_peer_clear (&f->bob);
  g_clear_object (&f->relay);
  g_clear_object (&f->relay_uri);
  test_drain ();
  test_watchdog_stop (f->watchdog);
}

/* Operations */

static MsrpSdpMedia *
initialize (Peer         *peer,
            MsrpSdpMedia *offer)
{
  g_autoptr(GError) error = NULL;
  MsrpSdpMedia *media = test_stream_initialize (MSRP_STREAM (peer->chat), offer, &error);

  g_assert_no_error (error);
  return media;
}

/* Offer, answer and start; the answer may be changed on its way. */
static void
connect_pair_edited (Fixture *f,
                     void   (*edit_answer) (MsrpSdpMedia *answer),
                     void   (*edit_offer) (MsrpSdpMedia *offer))
{
  g_autoptr(MsrpSdpMedia) offer = initialize (&f->alice, NULL);
  g_autoptr(MsrpSdpMedia) offer_sent = test_through_sdp (offer, NULL);
  g_autoptr(MsrpSdpMedia) answer = NULL;
  g_autoptr(MsrpSdpMedia) answer_sent = NULL;

  if (edit_offer != NULL)
    edit_offer (offer_sent);
  answer = initialize (&f->bob, offer_sent);
  answer_sent = test_through_sdp (answer, NULL);
  if (edit_answer != NULL)
    edit_answer (answer_sent);

  test_stream_start_both (MSRP_STREAM (f->alice.chat), answer_sent, MSRP_STREAM (f->bob.chat));
  g_assert_true (f->alice.started && f->bob.started);
  g_assert_cmpint (msrp_stream_get_state (MSRP_STREAM (f->alice.chat)), ==, MSRP_STREAM_STATE_STARTED);
  g_assert_nonnull (msrp_stream_get_session (MSRP_STREAM (f->bob.chat)));
}

static void
connect_pair (Fixture *f)
{
  connect_pair_edited (f, NULL, NULL);
}

/* Tests */

static void
test_offer_answer_media (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;
  const char * const *types;

  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  offer = initialize (&f->alice, NULL);
  g_assert_cmpstr (msrp_sdp_media_get_media (offer), ==, "message");
  g_assert_cmpstr (msrp_sdp_media_get_protocol (offer), ==, "TCP/MSRP");
  g_assert_cmpstr (msrp_sdp_media_get_setup (offer), ==, "actpass");
  g_assert_true (msrp_sdp_media_get_cema (offer));
  g_assert_null (msrp_sdp_media_get_fingerprint (offer));
  g_assert_cmpstr (msrp_sdp_media_get_connection_address (offer), ==, "127.0.0.1");
  g_assert_cmpuint (msrp_sdp_media_get_port (offer), !=, 0);
  g_assert_cmpuint (msrp_sdp_media_get_path (offer)->len, ==, 1);
  g_assert_cmpuint (msrp_uri_get_port (g_ptr_array_index (msrp_sdp_media_get_path (offer), 0)), ==,
                    msrp_sdp_media_get_port (offer));
  types = msrp_sdp_media_get_accept_types (offer);
  g_assert_true (g_strv_contains (types, "message/cpim"));
  g_assert_true (g_strv_contains (msrp_sdp_media_get_accept_wrapped_types (offer), "message/imdn+xml"));
  g_assert_true (msrp_stream_get_is_offerer (MSRP_STREAM (f->alice.chat)));

  answer = initialize (&f->bob, offer);
  g_assert_cmpstr (msrp_sdp_media_get_setup (answer), ==, "active");
  g_assert_cmpstr (msrp_sdp_media_get_protocol (answer), ==, "TCP/MSRP");
  g_assert_false (msrp_stream_get_is_offerer (MSRP_STREAM (f->bob.chat)));
  /* The answerer listens nowhere: port 9 (RFC 4145). */
  g_assert_cmpuint (msrp_sdp_media_get_port (answer), ==, 9);
}

static void
test_chat_plain (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *id = NULL;
  MsrpChatMessage *message;
  g_autoptr(GError) error = NULL;

  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  connect_pair (f);
  g_assert_true (msrp_chat_get_cpim_enabled (f->alice.chat));
  g_assert_false (G_IS_TLS_CONNECTION (msrp_transport_get_stream (
    msrp_session_get_transport (msrp_stream_get_session (MSRP_STREAM (f->alice.chat))))));

  id = msrp_chat_send_text (f->alice.chat, "Hello, Bob", &error);
  g_assert_no_error (error);
  test_wait_for_len (f->bob.received, 1);
  test_wait_for_len (f->alice.delivered, 1);
  g_assert_cmpstr (g_ptr_array_index (f->alice.delivered, 0), ==, id);

  message = g_ptr_array_index (f->bob.received, 0);
  g_assert_cmpstr (msrp_chat_message_get_text (message), ==, "Hello, Bob");
  g_assert_true (g_str_has_prefix (msrp_chat_message_get_content_type (message), "text/plain"));
  g_assert_cmpstr (msrp_chat_message_get_sender (message), ==, "\"Alice\" <sip:alice@example.com>");
  g_assert_cmpstr (msrp_chat_message_get_recipients (message)[0], ==, BOB);
  g_assert_cmpstr (msrp_chat_message_get_message_id (message), ==, id);
  g_assert_nonnull (msrp_chat_message_get_cpim (message));
  g_assert_nonnull (msrp_chat_message_get_timestamp (message));
  g_assert_cmpint (ABS (g_date_time_to_unix (msrp_chat_message_get_timestamp (message)) -
                        g_get_real_time () / G_USEC_PER_SEC), <=, 60);
  g_assert_false (msrp_chat_message_get_private (message));

  /* Bob's delivery notification does not deliver it twice; his display
   * notification shows. */
  g_assert_true (msrp_chat_send_display_notification (f->bob.chat, id, &error));
  g_assert_no_error (error);
  test_wait_for_len (f->alice.displayed, 1);
  g_assert_cmpstr (g_ptr_array_index (f->alice.displayed, 0), ==, id);
  g_assert_cmpuint (f->alice.delivered->len, ==, 1);
  g_assert_cmpuint (f->alice.not_delivered->len, ==, 0);

  /* Only once, and only for what asked. */
  g_assert_false (msrp_chat_send_display_notification (f->bob.chat, id, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* And back. */
  g_clear_pointer (&id, g_free);
  id = msrp_chat_send_text (f->bob.chat, "Hi Alice", NULL);
  test_wait_for_len (f->alice.received, 1);
  test_wait_for_len (f->bob.delivered, 1);
  message = g_ptr_array_index (f->alice.received, 0);
  g_assert_cmpstr (msrp_chat_message_get_text (message), ==, "Hi Alice");
  g_assert_cmpstr (msrp_chat_message_get_sender (message), ==, BOB);

  test_stream_end (MSRP_STREAM (f->alice.chat));
  g_assert_cmpint (msrp_stream_get_state (MSRP_STREAM (f->alice.chat)), ==, MSRP_STREAM_STATE_ENDED);
  g_assert_true (f->alice.will_end && f->alice.ended);
  test_wait_for (&f->bob.ended);
  g_assert_true (f->bob.will_end);
  g_assert_null (f->bob.failed);
  g_assert_null (msrp_stream_get_session (MSRP_STREAM (f->bob.chat)));

  /* Sending after the end is an error, not a silent drop. */
  g_assert_null (msrp_chat_send_text (f->alice.chat, "late", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

/* The peer's CPIM From need not be the remote identity the application
 * gave: its notifications still go back to whoever sent the message. */
static void
test_chat_other_identity (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;

  test_chat_peer_clear (&f->bob);
  peer_init (&f->bob, BOB, "<sip:someone-else@example.com>");
  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  connect_pair (f);

  id = msrp_chat_send_text (f->alice.chat, "Hello, Bob", &error);
  g_assert_no_error (error);
  test_wait_for_len (f->bob.received, 1);
  g_assert_cmpstr (msrp_chat_message_get_sender (g_ptr_array_index (f->bob.received, 0)), ==,
                   "\"Alice\" <sip:alice@example.com>");
  g_assert_true (msrp_chat_send_display_notification (f->bob.chat, id, &error));
  g_assert_no_error (error);
  test_wait_for_len (f->alice.displayed, 1);
  g_assert_cmpstr (g_ptr_array_index (f->alice.displayed, 0), ==, id);
  g_assert_cmpuint (f->alice.delivered->len, ==, 1);
  g_assert_cmpuint (f->alice.not_delivered->len, ==, 0);

  test_stream_end (MSRP_STREAM (f->alice.chat));
  test_wait_for (&f->bob.ended);
}

static void
test_chat_tls (Fixture       *f,
               gconstpointer  data)
{
  MsrpSession *session;
  GIOStream *stream;
  g_autofree char *id = NULL;

  /* No setup at all: TLS with self-signed certificates and SDP
   * fingerprints. */
  connect_pair (f);
  g_assert_cmpstr (msrp_sdp_media_get_protocol (msrp_stream_get_local_media (MSRP_STREAM (f->alice.chat))),
                   ==, "TCP/TLS/MSRP");
  g_assert_true (g_str_has_prefix (msrp_sdp_media_get_fingerprint (
    msrp_stream_get_local_media (MSRP_STREAM (f->alice.chat))), "sha-256 "));
  g_assert_nonnull (msrp_sdp_media_get_fingerprint (msrp_stream_get_local_media (MSRP_STREAM (f->bob.chat))));

  session = msrp_stream_get_session (MSRP_STREAM (f->bob.chat));
  stream = msrp_transport_get_stream (msrp_session_get_transport (session));
  if (G_IS_TCP_WRAPPER_CONNECTION (stream))
    stream = g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (stream));
  g_assert_true (G_IS_TLS_CONNECTION (stream));
  session = msrp_stream_get_session (MSRP_STREAM (f->alice.chat));
  g_assert_true (G_IS_TLS_CONNECTION (msrp_transport_get_stream (msrp_session_get_transport (session))));

  id = msrp_chat_send_text (f->bob.chat, "encrypted", NULL);
  test_wait_for_len (f->alice.received, 1);
  test_wait_for_len (f->bob.delivered, 1);
  g_assert_cmpstr (msrp_chat_message_get_text (g_ptr_array_index (f->alice.received, 0)), ==, "encrypted");
}

static void
tamper_fingerprint (MsrpSdpMedia *media)
{
  msrp_sdp_media_set_fingerprint (media, "sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                                         "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
}

static void
test_chat_fingerprint_mismatch (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(MsrpSdpMedia) offer = initialize (&f->alice, NULL);
  g_autoptr(MsrpSdpMedia) offer_sent = test_through_sdp (offer, NULL);
  g_autoptr(MsrpSdpMedia) answer = NULL;
  TestStreamOp a = { 0 }, b = { 0 };

  /* Someone on the signalling path changed the fingerprint: Bob, who
   * connects, refuses Alice's certificate. */
  tamper_fingerprint (offer_sent);
  answer = initialize (&f->bob, offer_sent);
  msrp_stream_start_async (MSRP_STREAM (f->alice.chat), answer, NULL, test_stream_on_done, &a);
  msrp_stream_start_async (MSRP_STREAM (f->bob.chat), NULL, NULL, test_stream_on_done, &b);
  test_wait_for (&b.done);
  g_assert_error (b.error, MSRP_ERROR, MSRP_ERROR_FINGERPRINT_MISMATCH);
  g_assert_cmpint (msrp_stream_get_state (MSRP_STREAM (f->bob.chat)), ==, MSRP_STREAM_STATE_FAILED);
  g_assert_error (f->bob.failed, MSRP_ERROR, MSRP_ERROR_FINGERPRINT_MISMATCH);
  g_clear_error (&b.error);

  /* Alice never got a session: ending her stops the wait. */
  test_stream_end (MSRP_STREAM (f->alice.chat));
  test_wait_for (&a.done);
  g_assert_false (a.ok);
  g_clear_error (&a.error);
  g_assert_false (f->alice.started);
}

static void
bob_takes_text_only (Peer *bob)
{
  const char * const types[] = { "text/plain", NULL };

  msrp_chat_set_accept_types (bob->chat, types);
}

static void
test_chat_bare (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *id = NULL;
  g_autofree char *png = NULL;
  g_autofree char *stamped = NULL;
  g_autoptr(GBytes) image = g_bytes_new_static ("\x89PNG", 4);
  g_autoptr(GDateTime) when = g_date_time_new_utc (2026, 1, 2, 3, 4, 5);
  g_autofree char *expected = NULL;
  MsrpChatMessage *message;

  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  bob_takes_text_only (&f->bob);
  connect_pair (f);
  g_assert_false (msrp_chat_get_cpim_enabled (f->alice.chat));

  id = msrp_chat_send_text (f->alice.chat, "bare", NULL);
  test_wait_for_len (f->bob.received, 1);
  test_wait_for_len (f->alice.delivered, 1);
  message = g_ptr_array_index (f->bob.received, 0);
  g_assert_null (msrp_chat_message_get_cpim (message));
  g_assert_cmpstr (msrp_chat_message_get_text (message), ==, "bare");
  g_assert_cmpstr (msrp_chat_message_get_sender (message), ==, "\"Alice\" <sip:alice@example.com>");
  g_assert_cmpstr (msrp_chat_message_get_message_id (message), ==, id);

  /* A type the peer does not take, and CPIM metadata without CPIM: never
   * silently dropped. */
  png = msrp_chat_send_message (f->alice.chat, image, "image/png", NULL, NULL, NULL);
  stamped = msrp_chat_send_message (f->alice.chat, image, "text/plain", NULL, when, NULL);
  test_wait_for_len (f->alice.not_delivered, 2);
  expected = g_strdup_printf ("%s 0 ", png);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->alice.not_delivered, 0), expected));
  g_free (expected);
  expected = g_strdup_printf ("%s 0 ", stamped);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->alice.not_delivered, 1), expected));
  g_assert_cmpuint (f->bob.received->len, ==, 1);
}

static void
test_chat_queued (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  TestStreamOp a = { 0 }, b = { 0 };

  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  /* Sent before anything is connected: queued, in order. */
  first = msrp_chat_send_text (f->alice.chat, "one", NULL);
  offer = initialize (&f->alice, NULL);
  second = msrp_chat_send_text (f->alice.chat, "two", NULL);
  answer = initialize (&f->bob, offer);
  msrp_stream_start_async (MSRP_STREAM (f->alice.chat), answer, NULL, test_stream_on_done, &a);
  msrp_stream_start_async (MSRP_STREAM (f->bob.chat), NULL, NULL, test_stream_on_done, &b);
  test_wait_for_len (f->bob.received, 2);
  test_wait_for_len (f->alice.delivered, 2);
  g_assert_cmpstr (msrp_chat_message_get_text (g_ptr_array_index (f->bob.received, 0)), ==, "one");
  g_assert_cmpstr (msrp_chat_message_get_text (g_ptr_array_index (f->bob.received, 1)), ==, "two");
  test_wait_for (&a.done);
  test_wait_for (&b.done);
}

static void
test_chat_queued_then_failed (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autofree char *id = NULL;

  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  id = msrp_chat_send_text (f->alice.chat, "never", NULL);
  offer = initialize (&f->alice, NULL);
  test_stream_end (MSRP_STREAM (f->alice.chat));
  g_assert_cmpuint (f->alice.not_delivered->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->alice.not_delivered, 0), id));
}

static void
on_raw_sent (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  TestStreamOp *op = user_data;
  g_autofree char *id = msrp_session_send_message_finish (MSRP_SESSION (source), result, &op->error);

  op->ok = id != NULL;
  op->done = TRUE;
}

static void
test_chat_refuses (Fixture       *f,
                   gconstpointer  data)
{
  MsrpSession *alice;
  g_autoptr(GBytes) garbage = g_bytes_new_static ("not CPIM at all", 15);
  static const char pdf[] =
    "From: <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\n\r\n"
    "Content-Type: application/pdf\r\n\r\n%PDF";
  g_autoptr(GBytes) wrapped_pdf = g_bytes_new_static (pdf, sizeof pdf - 1);
  TestStreamOp op = { 0 };

  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  connect_pair (f);
  alice = msrp_stream_get_session (MSRP_STREAM (f->alice.chat));

  /* A CPIM that does not parse gets 400; a wrapped type Bob does not take
   * 415; neither reaches him. */
  msrp_session_send_message_async (alice, garbage, "message/cpim", NULL, on_raw_sent, &op);
  test_wait_for (&op.done);
  g_assert_error (op.error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_BAD_REQUEST);
  g_clear_error (&op.error);

  op.done = FALSE;
  msrp_session_send_message_async (alice, wrapped_pdf, "message/cpim", NULL, on_raw_sent, &op);
  test_wait_for (&op.done);
  g_assert_error (op.error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_UNSUPPORTED_MEDIA_TYPE);
  g_clear_error (&op.error);
  g_assert_cmpuint (f->bob.received->len, ==, 0);
}

/* A peer's imdn.Message-ID that an IMDN document cannot carry (XML
 * takes no control characters, no doubled or edge spaces) still delivers
 * the message; no notification is sent for it, and none can be asked
 * for. */
static void
test_chat_bad_imdn_id (Fixture       *f,
                       gconstpointer  data)
{
  MsrpSession *alice;
  static const char cpim[] =
    "NS: imdn <urn:ietf:params:imdn>\r\n"
    "From: <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\n"
    "imdn.Message-ID: two  spaces\r\n"
    "imdn.Disposition-Notification: positive-delivery, display\r\n\r\n"
    "Content-Type: text/plain\r\n\r\nodd id";
  g_autoptr(GBytes) odd = g_bytes_new_static (cpim, sizeof cpim - 1);
  g_autoptr(GError) error = NULL;
  MsrpChatMessage *message;
  TestStreamOp op = { 0 };

  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  connect_pair (f);
  alice = msrp_stream_get_session (MSRP_STREAM (f->alice.chat));
  msrp_session_send_message_async (alice, odd, "message/cpim", NULL, on_raw_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  test_wait_for_len (f->bob.received, 1);
  message = g_ptr_array_index (f->bob.received, 0);
  g_assert_cmpstr (msrp_chat_message_get_text (message), ==, "odd id");
  g_assert_false (msrp_chat_send_display_notification (f->bob.chat, msrp_chat_message_get_message_id (message),
                                                       &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  /* Bob goes on talking. */
  g_free (msrp_chat_send_text (f->bob.chat, "still here", NULL));
  test_wait_for_len (f->alice.received, 1);
}

static GBytes *
wrapped_imdn (const char *xml)
{
  g_autofree char *cpim = g_strconcat ("NS: imdn <urn:ietf:params:imdn>\r\n"
                                       "From: <sip:bob@example.com>\r\nTo: <sip:alice@example.com>\r\n"
                                       "imdn.Message-ID: n1x2y3z4\r\n\r\n"
                                       "Content-Type: message/imdn+xml\r\n"
                                       "Content-Disposition: notification\r\n\r\n", xml, NULL);

  return g_bytes_new (cpim, strlen (cpim));
}

/* Notifications as other stacks write them (prefixes, other spacing) are
 * read by the XML parser; one that looks like ours but is not well-formed
 * is ignored. */
static void
test_chat_foreign_imdn (Fixture       *f,
                        gconstpointer  data)
{
  MsrpSession *bob;
  g_autofree char *id = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *foreign = NULL;
  g_autoptr(GBytes) bad_bytes = NULL;
  g_autoptr(GBytes) foreign_bytes = NULL;
  g_autoptr(GBytes) text = g_bytes_new_static ("after", 5);
  TestStreamOp op = { 0 };

  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  connect_pair (f);
  bob = msrp_stream_get_session (MSRP_STREAM (f->bob.chat));
  id = msrp_chat_send_text (f->alice.chat, "read me", NULL);
  test_wait_for_len (f->bob.received, 1);

  bad = g_strdup_printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                         "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\n"
                         "  <message-id>%s</message-id>\n"
                         "  <datetime>&undefined;</datetime>\n"
                         "  <display-notification>\n    <status>\n      <displayed/>\n    </status>\n"
                         "  </display-notification>\n</imdn>\n", id);
  bad_bytes = wrapped_imdn (bad);
  msrp_session_send_message_async (bob, bad_bytes, "message/cpim", NULL, on_raw_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  /* Sent after it on the same connection: Alice has read both. */
  op.done = FALSE;
  msrp_session_send_message_async (bob, text, "text/plain", NULL, on_raw_sent, &op);
  test_wait_for (&op.done);
  test_wait_for_len (f->alice.received, 1);
  g_assert_cmpuint (f->alice.displayed->len, ==, 0);

  foreign = g_strdup_printf ("<?xml version='1.0'?>"
                             "<i:imdn xmlns:i='urn:ietf:params:xml:ns:imdn'>"
                             " <i:message-id>%s</i:message-id>"
                             " <i:datetime>2008-04-04T12:16:49-05:00</i:datetime>"
                             " <i:display-notification><i:status><i:displayed/></i:status></i:display-notification>"
                             "</i:imdn>", id);
  foreign_bytes = wrapped_imdn (foreign);
  op.done = FALSE;
  msrp_session_send_message_async (bob, foreign_bytes, "message/cpim", NULL, on_raw_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  test_wait_for_len (f->alice.displayed, 1);
  g_assert_cmpstr (g_ptr_array_index (f->alice.displayed, 0), ==, id);
}

static void
test_chat_composing (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  connect_pair (f);

  g_assert_true (msrp_chat_send_composing_indication (f->alice.chat, "active", 1, &error));
  g_assert_no_error (error);
  test_wait_for_len (f->bob.composing, 1);
  g_assert_cmpstr (g_ptr_array_index (f->bob.composing, 0), ==, "active \"Alice\" <sip:alice@example.com>");
  /* Not refreshed within 1 s: idle by itself. */
  test_wait_for_len (f->bob.composing, 2);
  g_assert_cmpstr (g_ptr_array_index (f->bob.composing, 1), ==, "idle \"Alice\" <sip:alice@example.com>");

  g_assert_true (msrp_chat_send_composing_indication (f->alice.chat, "active", 60, NULL));
  test_wait_for_len (f->bob.composing, 3);
  g_assert_true (msrp_chat_send_composing_indication (f->alice.chat, "idle", 0, NULL));
  test_wait_for_len (f->bob.composing, 4);
  g_assert_cmpstr (g_ptr_array_index (f->bob.composing, 3), ==, "idle \"Alice\" <sip:alice@example.com>");
  /* Notifications and is-composing are not messages. */
  g_assert_cmpuint (f->bob.received->len, ==, 0);
  g_assert_cmpuint (f->alice.delivered->len, ==, 0);
}

static void
make_chatroom (MsrpSdpMedia *answer)
{
  msrp_sdp_media_add_attribute (answer, "chatroom", "nickname private-messages");
}

static void
test_chat_private (Fixture       *f,
                   gconstpointer  data)
{
  const char * const carol[] = { "Carol <sip:carol@example.com>", NULL };
  const char * const bad[] = { "not an identity <", NULL };
  g_autoptr(GBytes) hello = g_bytes_new_static ("psst", 4);
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;
  MsrpChatMessage *message;

  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  connect_pair_edited (f, make_chatroom, NULL);
  g_assert_true (msrp_chat_get_private_messages_allowed (f->alice.chat));
  g_assert_true (msrp_chat_get_nickname_allowed (f->alice.chat));
  g_assert_false (msrp_chat_get_private_messages_allowed (f->bob.chat));

  id = msrp_chat_send_message (f->alice.chat, hello, "text/plain", carol, NULL, &error);
  g_assert_no_error (error);
  test_wait_for_len (f->bob.received, 1);
  message = g_ptr_array_index (f->bob.received, 0);
  g_assert_cmpstr (msrp_chat_message_get_recipients (message)[0], ==, "\"Carol\" <sip:carol@example.com>");

  /* Bob's peer is no chat room: no private messages to others. */
  g_clear_pointer (&id, g_free);
  id = msrp_chat_send_message (f->bob.chat, hello, "text/plain", carol, NULL, NULL);
  test_wait_for_len (f->bob.not_delivered, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->bob.not_delivered, 0), id));

  g_assert_null (msrp_chat_send_message (f->alice.chat, hello, "text/plain", bad, NULL, &error));
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM);
}

static void
on_nickname (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  TestStreamOp *op = user_data;

  op->ok = msrp_chat_set_local_nickname_finish (MSRP_CHAT (source), result, &op->error);
  op->done = TRUE;
}

static void
test_chat_nickname_unsupported (Fixture       *f,
                                gconstpointer  data)
{
  TestStreamOp op = { 0 };

  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  connect_pair (f);
  msrp_chat_set_local_nickname_async (f->alice.chat, "ali", NULL, on_nickname, &op);
  test_wait_for (&op.done);
  g_assert_error (op.error, MSRP_ERROR, MSRP_ERROR_PEER_UNSUPPORTED);
  g_clear_error (&op.error);

  /* A peer that claims a chat room but does not know NICKNAME: 501. */
  test_chat_peer_clear (&f->alice);
  test_chat_peer_clear (&f->bob);
  peer_init (&f->alice, ALICE, BOB);
  peer_init (&f->bob, BOB, ALICE);
  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  connect_pair_edited (f, make_chatroom, NULL);
  op.done = FALSE;
  msrp_chat_set_local_nickname_async (f->alice.chat, "ali \"the\" great", NULL, on_nickname, &op);
  test_wait_for (&op.done);
  g_assert_error (op.error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_UNKNOWN_METHOD);
  g_clear_error (&op.error);
}

static void
test_chat_server (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(MsrpServer) server = msrp_server_new ();
  g_autoptr(GTlsCertificate) certificate = test_certificate_new ("server");
  Peer carol = { 0 }, dave = { 0 };
  g_autoptr(MsrpSdpMedia) offer1 = NULL, offer2 = NULL, answer1 = NULL, answer2 = NULL;
  TestStreamOp ops[4] = { { 0 } };

  /* Two chats offered on one shared TLS server port. */
  msrp_server_set_tls_certificate (server, certificate);
  msrp_stream_set_server (MSRP_STREAM (f->alice.chat), server);
  peer_init (&carol, "<sip:carol@example.com>", "<sip:dave@example.com>");
  peer_init (&dave, "<sip:dave@example.com>", "<sip:carol@example.com>");
  msrp_stream_set_server (MSRP_STREAM (carol.chat), server);
  msrp_stream_set_use_tls (MSRP_STREAM (carol.chat), FALSE);

  offer1 = initialize (&f->alice, NULL);
  offer2 = initialize (&carol, NULL);
  g_assert_cmpuint (msrp_sdp_media_get_port (offer1), ==, msrp_sdp_media_get_port (offer2));
  g_assert_cmpstr (msrp_sdp_media_get_protocol (offer1), ==, "TCP/TLS/MSRP");
  g_assert_cmpstr (msrp_sdp_media_get_protocol (offer2), ==, "TCP/TLS/MSRP");
  g_assert_nonnull (msrp_sdp_media_get_fingerprint (offer2));
  answer1 = initialize (&f->bob, offer1);
  answer2 = initialize (&dave, offer2);
  msrp_stream_start_async (MSRP_STREAM (f->alice.chat), answer1, NULL, test_stream_on_done, &ops[0]);
  msrp_stream_start_async (MSRP_STREAM (carol.chat), answer2, NULL, test_stream_on_done, &ops[1]);
  msrp_stream_start_async (MSRP_STREAM (dave.chat), NULL, NULL, test_stream_on_done, &ops[2]);
  msrp_stream_start_async (MSRP_STREAM (f->bob.chat), NULL, NULL, test_stream_on_done, &ops[3]);
  for (guint i = 0; i < 4; i++)
    {
      test_wait_for (&ops[i].done);
      g_assert_no_error (ops[i].error);
    }

  /* The server's certificate makes the stream TLS, whatever use-tls says,
   * and its fingerprint goes into the offer. */
  g_assert_nonnull (msrp_sdp_media_get_fingerprint (offer1));
  g_free (msrp_chat_send_text (dave.chat, "to carol", NULL));
  g_free (msrp_chat_send_text (f->bob.chat, "to alice", NULL));
  test_wait_for_len (carol.received, 1);
  test_wait_for_len (f->alice.received, 1);
  g_assert_cmpstr (msrp_chat_message_get_text (g_ptr_array_index (carol.received, 0)), ==, "to carol");
  g_assert_cmpstr (msrp_chat_message_get_text (g_ptr_array_index (f->alice.received, 0)), ==, "to alice");
  test_chat_peer_clear (&carol);
  test_chat_peer_clear (&dave);
}

static void
test_chat_relay (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(MsrpRelaySettings) alice_relay = msrp_relay_settings_new ("example.com", "alice", "alicepass");
  g_autoptr(MsrpRelaySettings) bob_relay = msrp_relay_settings_new ("example.com", "bob", "bobpass");
  GError *error = NULL;

  f->relay = msrp_relay_new ("example.com");
  msrp_relay_add_user (f->relay, "alice", "alicepass");
  msrp_relay_add_user (f->relay, "bob", "bobpass");
  f->relay_uri = msrp_relay_listen (f->relay, "127.0.0.1", 0, FALSE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      MsrpRelaySettings *relay = i == 0 ? alice_relay : bob_relay;

      g_object_set (relay, "host", "127.0.0.1", "port", msrp_uri_get_port (f->relay_uri),
                    "use-tls", FALSE, NULL);
    }
  /* Both through the relay: Alice waits there, Bob connects through it. */
  msrp_stream_set_relay (MSRP_STREAM (f->alice.chat), alice_relay);
  msrp_stream_set_relay (MSRP_STREAM (f->bob.chat), bob_relay);
  connect_pair (f);
  g_assert_cmpuint (msrp_sdp_media_get_path (msrp_stream_get_local_media (MSRP_STREAM (f->alice.chat)))->len, ==, 2);
  g_assert_null (msrp_sdp_media_get_fingerprint (msrp_stream_get_local_media (MSRP_STREAM (f->alice.chat))));
  /* The relay is reached over TCP here: no msrps URIs, TCP/MSRP. */
  g_assert_cmpstr (msrp_sdp_media_get_protocol (msrp_stream_get_local_media (MSRP_STREAM (f->alice.chat))), ==,
                   "TCP/MSRP");

  g_free (msrp_chat_send_text (f->alice.chat, "via relay", NULL));
  g_free (msrp_chat_send_text (f->bob.chat, "back via relay", NULL));
  test_wait_for_len (f->bob.received, 1);
  test_wait_for_len (f->alice.received, 1);
  test_wait_for_len (f->alice.delivered, 1);
  test_wait_for_len (f->bob.delivered, 1);
  g_assert_cmpstr (msrp_chat_message_get_text (g_ptr_array_index (f->bob.received, 0)), ==, "via relay");
  /* Through relays a peer's end does not reach the other side (SIP's BYE
   * tells it): each ends its own. */
  test_stream_end (MSRP_STREAM (f->bob.chat));
  test_stream_end (MSRP_STREAM (f->alice.chat));
  g_assert_true (f->alice.ended && f->bob.ended);
}

/* RFC 7977 through MsrpRelay: the chat whose relay settings say "ws" is a
 * WebSocket client of the relay, the other a plain TCP peer without a
 * relay. data: whether the WebSocket client offers (it waits at the
 * relay) or answers (it connects through the relay). */
static void
test_chat_relay_websocket (Fixture       *f,
                           gconstpointer  data)
{
  gboolean ws_offers = GPOINTER_TO_INT (data);
  g_autoptr(MsrpRelaySettings) settings = msrp_relay_settings_new ("example.com", "alice", "alicepass");
  g_autoptr(MsrpUri) ws_uri = NULL;
  Peer *ws = ws_offers ? &f->alice : &f->bob;
  Peer *tcp = ws_offers ? &f->bob : &f->alice;
  MsrpSdpMedia *ws_media, *tcp_media;
  GPtrArray *path;
  MsrpUri *own;
  GError *error = NULL;

  f->relay = msrp_relay_new ("example.com");
  msrp_relay_add_user (f->relay, "alice", "alicepass");
  f->relay_uri = msrp_relay_listen (f->relay, "127.0.0.1", 0, FALSE, &error);
  g_assert_no_error (error);
  ws_uri = msrp_relay_listen_websocket (f->relay, "127.0.0.1", 0, FALSE, &error);
  g_assert_no_error (error);
  g_object_set (settings, "host", "127.0.0.1", "port", msrp_uri_get_port (ws_uri), "use-tls", FALSE,
                "transport", "ws", NULL);
  msrp_stream_set_relay (MSRP_STREAM (ws->chat), settings);
  msrp_stream_set_use_tls (MSRP_STREAM (tcp->chat), FALSE);
  connect_pair (f);

  /* RFC 7977 section 8: TCP/WS/MSRP, the client's .invalid ;ws URI
   * behind the relay's Use-Path, which is the relay's TCP URI. */
  ws_media = msrp_stream_get_local_media (MSRP_STREAM (ws->chat));
  tcp_media = msrp_stream_get_local_media (MSRP_STREAM (tcp->chat));
  g_assert_cmpstr (msrp_sdp_media_get_protocol (ws_media), ==, "TCP/WS/MSRP");
  g_assert_cmpstr (msrp_sdp_media_get_protocol (tcp_media), ==, "TCP/MSRP");
  path = msrp_sdp_media_get_path (ws_media);
  g_assert_cmpuint (path->len, ==, 2);
  g_assert_cmpuint (msrp_uri_get_port (g_ptr_array_index (path, 0)), ==, msrp_uri_get_port (f->relay_uri));
  g_assert_cmpstr (msrp_uri_get_transport (g_ptr_array_index (path, 0)), ==, "tcp");
  own = g_ptr_array_index (path, 1);
  g_assert_true (g_str_has_suffix (msrp_uri_get_host (own), ".invalid"));
  g_assert_cmpstr (msrp_uri_get_transport (own), ==, "ws");
  g_assert_cmpstr (msrp_sdp_media_get_connection_address (ws_media), ==, "127.0.0.1");
  g_assert_cmpuint (msrp_sdp_media_get_port (ws_media), ==, msrp_uri_get_port (f->relay_uri));

  g_free (msrp_chat_send_text (ws->chat, "from the WebSocket", NULL));
  g_free (msrp_chat_send_text (tcp->chat, "from TCP", NULL));
  test_wait_for_len (tcp->received, 1);
  test_wait_for_len (ws->received, 1);
  test_wait_for_len (ws->delivered, 1);
  test_wait_for_len (tcp->delivered, 1);
  g_assert_cmpstr (msrp_chat_message_get_text (g_ptr_array_index (tcp->received, 0)), ==, "from the WebSocket");
  g_assert_cmpstr (msrp_chat_message_get_text (g_ptr_array_index (ws->received, 0)), ==, "from TCP");
  test_stream_end (MSRP_STREAM (ws->chat));
  test_stream_end (MSRP_STREAM (tcp->chat));
}

/* An offer on an application's SoupServer (RFC 7977 from the server
 * side): its first hop says ;ws, and the answerer, a plain MsrpChat,
 * reaches it over a WebSocket. */
static void
test_chat_websocket_server (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(SoupServer) soup = soup_server_new (NULL, NULL);
  g_autoptr(MsrpServer) server = msrp_server_new ();
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;
  g_autofree char *text = NULL;
  g_autoptr(MsrpUri) local = NULL;
  MsrpTransport *transport;
  GError *error = NULL;
  GSList *uris;

  soup_server_listen_local (soup, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (soup);
  text = g_strdup_printf ("msrp://127.0.0.1:%d;ws", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  /* On "/": the answerer's connector takes its default websocket-path. */
  msrp_server_add_websocket_handler (server, soup, "/");
  local = msrp_uri_parse (text, &error);
  g_assert_no_error (error);
  msrp_stream_set_server (MSRP_STREAM (f->alice.chat), server);
  msrp_stream_set_local_uri (MSRP_STREAM (f->alice.chat), local);
  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);

  offer = initialize (&f->alice, NULL);
  g_assert_cmpstr (msrp_sdp_media_get_protocol (offer), ==, "TCP/WS/MSRP");
  g_assert_cmpstr (msrp_uri_get_transport (g_ptr_array_index (msrp_sdp_media_get_path (offer), 0)), ==, "ws");
  answer = initialize (&f->bob, offer);
  g_assert_cmpstr (msrp_sdp_media_get_setup (answer), ==, "active");
  test_stream_start_both (MSRP_STREAM (f->alice.chat), answer, MSRP_STREAM (f->bob.chat));
  transport = msrp_session_get_transport (msrp_stream_get_session (MSRP_STREAM (f->bob.chat)));
  g_assert_nonnull (_msrp_transport_get_websocket (transport));

  g_free (msrp_chat_send_text (f->bob.chat, "to the web server", NULL));
  g_free (msrp_chat_send_text (f->alice.chat, "from the web server", NULL));
  test_wait_for_len (f->alice.received, 1);
  test_wait_for_len (f->bob.received, 1);
  g_assert_cmpstr (msrp_chat_message_get_text (g_ptr_array_index (f->alice.received, 0)), ==, "to the web server");
  g_assert_cmpstr (msrp_chat_message_get_text (g_ptr_array_index (f->bob.received, 0)), ==, "from the web server");
  test_stream_end (MSRP_STREAM (f->bob.chat));
  test_stream_end (MSRP_STREAM (f->alice.chat));
  soup_server_disconnect (soup);
}

static void
test_chat_offer_active (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;

  /* An offerer that wants to connect (a=setup:active): the answerer
   * listens. */
  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  offer = initialize (&f->alice, NULL);
  msrp_sdp_media_set_setup (offer, "active");
  answer = initialize (&f->bob, offer);
  g_assert_cmpstr (msrp_sdp_media_get_setup (answer), ==, "passive");
  g_assert_cmpuint (msrp_sdp_media_get_port (answer), !=, 9);
  /* Alice offered to listen, and connects instead. */
  test_stream_start_both (MSRP_STREAM (f->alice.chat), answer, MSRP_STREAM (f->bob.chat));
  g_free (msrp_chat_send_text (f->alice.chat, "reversed", NULL));
  test_wait_for_len (f->bob.received, 1);
}

/* A media anchor between the two (RFC 6714): a TCP forwarder that the
 * offer's c= and m= lines name, while a=path still names Alice. */
typedef struct {
  GSocketService *service;
  guint16 port;
  guint16 target_port;
  guint connections;
} Anchor;

static void
on_anchor_connected (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GIOStream *incoming = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) outgoing =
    g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);

  g_assert_no_error (error);
  g_io_stream_splice_async (incoming, G_IO_STREAM (outgoing), G_IO_STREAM_SPLICE_CLOSE_STREAM1 |
                            G_IO_STREAM_SPLICE_CLOSE_STREAM2, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_object_unref (incoming);
}

static gboolean
on_anchor_incoming (GSocketService    *service,
                    GSocketConnection *connection,
                    GObject           *source,
                    gpointer           user_data)
{
  Anchor *anchor = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  anchor->connections++;
  g_socket_client_connect_to_host_async (client, "127.0.0.1", anchor->target_port, NULL,
                                         on_anchor_connected, g_object_ref (connection));
  return TRUE;
}

static void
anchor_offer (Anchor       *anchor,
              MsrpSdpMedia *offer)
{
  g_autoptr(GError) error = NULL;

  anchor->target_port = msrp_sdp_media_get_port (offer);
  anchor->service = g_socket_service_new ();
  anchor->port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (anchor->service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (anchor->service, "incoming", G_CALLBACK (on_anchor_incoming), anchor);
  msrp_sdp_media_set_port (offer, anchor->port);
}

static void
test_chat_cema (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) offer_sent = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;
  Anchor anchor = { 0 };

  offer = initialize (&f->alice, NULL);
  offer_sent = test_through_sdp (offer, NULL);
  g_assert_true (msrp_sdp_media_get_cema (offer_sent));
  anchor_offer (&anchor, offer_sent);
  if (GPOINTER_TO_INT (data))
    msrp_sdp_media_set_cema (offer_sent, FALSE);

  answer = initialize (&f->bob, offer_sent);
  test_stream_start_both (MSRP_STREAM (f->alice.chat), answer, MSRP_STREAM (f->bob.chat));
  g_free (msrp_chat_send_text (f->bob.chat, "anchored", NULL));
  test_wait_for_len (f->alice.received, 1);

  /* With CEMA on both sides Bob went through the anchor; without it,
   * straight to the first URI of Alice's path. */
  g_assert_cmpuint (anchor.connections, ==, GPOINTER_TO_INT (data) ? 0 : 1);
  g_socket_service_stop (anchor.service);
  g_socket_listener_close (G_SOCKET_LISTENER (anchor.service));
  g_object_unref (anchor.service);
}

static void
test_chat_refused_media (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(MsrpSdpMedia) offer = initialize (&f->alice, NULL);
  g_autoptr(MsrpSdpMedia) answer = msrp_sdp_media_copy (offer);
  TestStreamOp a = { 0 };

  msrp_sdp_media_set_port (answer, 0);
  msrp_stream_start_async (MSRP_STREAM (f->alice.chat), answer, NULL, test_stream_on_done, &a);
  test_wait_for (&a.done);
  g_assert_error (a.error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED);
  g_assert_error (f->alice.failed, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED);
  g_clear_error (&a.error);
}

/* A peer that sends a flood of messages asking for delivery notifications
 * and reads nothing: the chat owes one notification for each, but keeps at
 * most 1024 of them in flight (issue 13); the rest are dropped (they are
 * best effort) instead of queueing in memory without bound. */
#define FLOOD 3000
#define CHAT_MAX_NOTIFICATIONS 1024    /* MAX_NOTIFICATIONS_IN_FLIGHT */

typedef struct {
  guint notifications;
  guint flood_sent;
} FloodCounts;

static void
on_flood_sent (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  FloodCounts *counts = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = msrp_session_send_message_finish (MSRP_SESSION (source), result, &error);

  g_assert_no_error (error);
  counts->flood_sent++;
}

static void
on_flood_notification (MsrpSession *session,
                       MsrpChunk   *first,
                       GBytes      *data,
                       gpointer     user_data)
{
  FloodCounts *counts = user_data;
  gsize size;
  const char *text = g_bytes_get_data (data, &size);

  if (g_strstr_len (text, size, "Content-Type: message/imdn+xml") != NULL)
    counts->notifications++;
}

/* Keeps what the kernel takes from the chat small, so that what the peer
 * does not read stays with the chat. (The reader's receive buffer is left
 * as it is: a small one stalls loopback TCP once reading resumes.) */
static void
shrink_socket_buffer (MsrpStream *stream)
{
  MsrpTransport *transport = msrp_session_get_transport (msrp_stream_get_session (stream));
  GIOStream *io = msrp_transport_get_stream (transport);
  g_autoptr(GError) error = NULL;

  g_assert_true (G_IS_SOCKET_CONNECTION (io));
  g_assert_true (g_socket_set_option (g_socket_connection_get_socket (G_SOCKET_CONNECTION (io)),
                                      SOL_SOCKET, SO_SNDBUF, 4096, &error));
  g_assert_no_error (error);
}

static void
test_chat_notification_flood (Fixture       *f,
                              gconstpointer  data)
{
  MsrpSession *alice;
  FloodCounts counts = { 0 };
  g_autofree char *end = NULL;

  msrp_stream_set_use_tls (MSRP_STREAM (f->alice.chat), FALSE);
  connect_pair (f);
  shrink_socket_buffer (MSRP_STREAM (f->bob.chat));
  alice = msrp_stream_get_session (MSRP_STREAM (f->alice.chat));
  g_signal_connect (alice, "message-received", G_CALLBACK (on_flood_notification), &counts);

  /* Without reports Bob owes Alice nothing but the notifications. */
  msrp_session_pause_reading (alice);
  for (guint i = 0; i < FLOOD; i++)
    {
      g_autofree char *id = g_strdup_printf ("flood%u", i);
      g_autofree char *cpim = g_strdup_printf ("NS: imdn <urn:ietf:params:imdn>\r\n"
                                               "From: <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\n"
                                               "imdn.Message-ID: %s\r\n"
                                               "imdn.Disposition-Notification: positive-delivery\r\n\r\n"
                                               "Content-Type: text/plain\r\n\r\nread me", id);
      g_autoptr(GBytes) bytes = g_bytes_new (cpim, strlen (cpim));

      _msrp_session_send_message_with_id (alice, bytes, "message/cpim", id, FALSE, MSRP_FAILURE_REPORT_NO,
                                          NULL, on_flood_sent, &counts);
    }
  test_wait_for_len (f->bob.received, FLOOD);
  g_assert_cmpuint (counts.flood_sent, ==, FLOOD);

  /* Alice reads again: what Bob kept comes, then a message he sends
   * after them. */
  end = msrp_chat_send_text (f->bob.chat, "the end", NULL);
  msrp_session_resume_reading (alice);
  test_wait_for_len (f->alice.received, 1);
  g_assert_cmpstr (msrp_chat_message_get_text (g_ptr_array_index (f->alice.received, 0)), ==, "the end");
  g_test_message ("%u of %u notifications came", counts.notifications, FLOOD);
  /* The bound, and what the socket buffers held besides (about 70 when
   * this was written). */
  g_assert_cmpuint (counts.notifications, >, 0);
  g_assert_cmpuint (counts.notifications, <=, CHAT_MAX_NOTIFICATIONS + 400);
}

/* The notifications the chat writes by hand are what msrp_imdn_to_bytes()
 * writes for them (read_own_notification() reads only that), with or
 * without anything to escape in the recipient URI. */
static void
test_notification_bytes (void)
{
  static const char * const locals[] = { "Bob <sip:bob@example.com>", "<sip:bob&amp@example.com>" };

  for (guint i = 0; i < G_N_ELEMENTS (locals); i++)
    for (MsrpImdnKind kind = MSRP_IMDN_KIND_DELIVERY; kind <= MSRP_IMDN_KIND_DISPLAY; kind++)
      {
        g_autoptr(MsrpChat) chat = msrp_chat_new (locals[i], "Alice <sip:alice@example.com>");
        const char *status = kind == MSRP_IMDN_KIND_DELIVERY ? "delivered" : "displayed";
        Outgoing *out = _msrp_chat_notification_new (chat, kind, status, "xz9Ab0", "Alice <sip:alice@example.com>");
        g_autoptr(GError) error = NULL;
        g_autoptr(MsrpImdn) imdn = msrp_imdn_parse (out->content, &error);
        g_autoptr(GBytes) written = NULL;

        g_assert_no_error (error);
        g_assert_cmpstr (msrp_imdn_get_message_id (imdn), ==, "xz9Ab0");
        g_assert_cmpstr (msrp_imdn_get_status (imdn), ==, status);
        g_assert_cmpint (msrp_imdn_get_kind (imdn), ==, kind);
        written = msrp_imdn_to_bytes (imdn);
        g_assert_cmpmem (g_bytes_get_data (out->content, NULL), g_bytes_get_size (out->content),
                         g_bytes_get_data (written, NULL), g_bytes_get_size (written));
        _msrp_chat_outgoing_free (out);
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/chat/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("offer-answer-media", test_offer_answer_media);
  ADD ("plain", test_chat_plain);
  ADD ("other-identity", test_chat_other_identity);
  ADD ("tls", test_chat_tls);
  ADD ("fingerprint-mismatch", test_chat_fingerprint_mismatch);
  ADD ("bare", test_chat_bare);
  ADD ("queued", test_chat_queued);
  ADD ("queued-then-ended", test_chat_queued_then_failed);
  ADD ("refuses", test_chat_refuses);
  ADD ("bad-imdn-id", test_chat_bad_imdn_id);
  ADD ("foreign-imdn", test_chat_foreign_imdn);
  ADD ("notification-flood", test_chat_notification_flood);
  ADD ("composing", test_chat_composing);
  ADD ("private", test_chat_private);
  ADD ("nickname", test_chat_nickname_unsupported);
  ADD ("server", test_chat_server);
  ADD ("relay", test_chat_relay);
  g_test_add ("/chat/relay-websocket-offers", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_chat_relay_websocket, fixture_teardown);
  ADD ("websocket-server", test_chat_websocket_server);
  g_test_add ("/chat/relay-websocket-answers", Fixture, GINT_TO_POINTER (FALSE), fixture_setup,
              test_chat_relay_websocket, fixture_teardown);
  ADD ("offer-active", test_chat_offer_active);
  ADD ("refused-media", test_chat_refused_media);
  g_test_add ("/chat/cema", Fixture, GINT_TO_POINTER (FALSE), fixture_setup, test_chat_cema, fixture_teardown);
  g_test_add ("/chat/cema-off", Fixture, GINT_TO_POINTER (TRUE), fixture_setup, test_chat_cema, fixture_teardown);
#undef ADD
  g_test_add_func ("/chat/notification-bytes", test_notification_bytes);

  return g_test_run ();
}
