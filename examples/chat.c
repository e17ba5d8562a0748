/* chat.c: Alice and Bob chat, both in this process. Alice's SDP offer and
 * Bob's answer go between them as text, as a SIP application carries them
 * in an INVITE and its 200 OK; then the chat runs over TLS, checked by the
 * fingerprints in that SDP, with delivery and display marks.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <stdlib.h>
#include <msrp-glib/msrp-glib.h>

static GMainLoop *loop;
static MsrpChat *alice, *bob;
static int marks;   /* delivered and displayed marks seen */
static int ends;    /* Alice's end finished, Bob saw the end */

static const char *
name_of (MsrpChat *chat)
{
  return chat == alice ? "Alice" : "Bob";
}

static void
fail (const char *what, const GError *error)
{
  fprintf (stderr, "%s: %s\n", what, error->message);
  exit (1);
}

static void
on_message (MsrpChat *chat, MsrpChatMessage *message, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  printf ("%s got from %s: %s\n", name_of (chat), msrp_chat_message_get_sender (message),
          msrp_chat_message_get_text (message));
  /* The sender asked to know when its message is shown: it is now. */
  if (!msrp_chat_send_display_notification (chat, msrp_chat_message_get_message_id (message), &error))
    fail ("display notification", error);
  if (chat == bob)
    {
      g_autofree char *id = msrp_chat_send_text (bob, "Hi Alice! All fine here.", &error);

      if (id == NULL)
        fail ("send", error);
    }
}

static void
on_ended (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!msrp_stream_end_finish (MSRP_STREAM (source), result, &error))
    fail ("end", error);
  printf ("Alice: chat ended\n");
  if (++ends == 2)
    g_main_loop_quit (loop);
}

/* Two messages, each delivered and displayed: then Alice hangs up. */
static void
count_mark (void)
{
  if (++marks == 4)
    msrp_stream_end_async (MSRP_STREAM (alice), NULL, on_ended, NULL);
}

static void
on_delivered (MsrpChat *chat, const char *message_id, gpointer user_data)
{
  printf ("%s: ✓ delivered (%s)\n", name_of (chat), message_id);
  count_mark ();
}

static void
on_not_delivered (MsrpChat *chat, const char *message_id, guint code, const char *reason, gpointer user_data)
{
  fprintf (stderr, "%s: not delivered (%s): %u %s\n", name_of (chat), message_id, code, reason);
  exit (1);
}

static void
on_displayed (MsrpChat *chat, const char *message_id, gpointer user_data)
{
  printf ("%s: ✓✓ displayed (%s)\n", name_of (chat), message_id);
  count_mark ();
}

static void
on_bob_ended (MsrpStream *stream, gpointer user_data)
{
  printf ("Bob: Alice ended the chat\n");
  if (++ends == 2)
    g_main_loop_quit (loop);
}

static void
on_failed (MsrpStream *stream, const GError *error, gpointer user_data)
{
  fail (name_of (MSRP_CHAT (stream)), error);
}

static void
on_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!msrp_stream_start_finish (MSRP_STREAM (source), result, &error))
    fail ("start", error);
}

/* The other side's media arrives as SDP text. */
static MsrpSdpMedia *
receive_sdp (const char *who, MsrpSdpMedia *media)
{
  g_autofree char *sdp = msrp_sdp_media_to_string (media);
  g_autoptr(GError) error = NULL;
  MsrpSdpMedia *parsed;

  printf ("%s's SDP:\n%s\n", who, sdp);
  parsed = msrp_sdp_media_parse (sdp, &error);
  if (parsed == NULL)
    fail ("SDP", error);
  return parsed;
}

static void
on_answer (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpSdpMedia) answer = msrp_stream_initialize_finish (MSRP_STREAM (bob), result, &error);
  g_autoptr(MsrpSdpMedia) remote_answer = NULL;

  if (answer == NULL)
    fail ("answer", error);
  remote_answer = receive_sdp ("Bob", answer);

  /* Alice starts with Bob's answer, Bob with the offer he has: he connects. */
  msrp_stream_start_async (MSRP_STREAM (alice), remote_answer, NULL, on_started, NULL);
  msrp_stream_start_async (MSRP_STREAM (bob), NULL, NULL, on_started, NULL);
}

static void
on_offer (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpSdpMedia) offer = msrp_stream_initialize_finish (MSRP_STREAM (alice), result, &error);
  g_autoptr(MsrpSdpMedia) remote_offer = NULL;
  g_autofree char *id = NULL;

  if (offer == NULL)
    fail ("offer", error);
  remote_offer = receive_sdp ("Alice", offer);
  msrp_stream_initialize_async (MSRP_STREAM (bob), remote_offer, NULL, on_answer, NULL);

  /* Sending before the chat runs is fine: the message waits for it. */
  id = msrp_chat_send_text (alice, "Hello Bob, how are you?", &error);
  if (id == NULL)
    fail ("send", error);
}

static MsrpChat *
make_chat (const char *me, const char *peer)
{
  MsrpChat *chat = msrp_chat_new (me, peer);
  g_autoptr(MsrpUri) loopback = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);

  /* Both ends are on this machine; a real application leaves this out. */
  msrp_stream_set_local_uri (MSRP_STREAM (chat), loopback);
  g_signal_connect (chat, "message-received", G_CALLBACK (on_message), NULL);
  g_signal_connect (chat, "message-delivered", G_CALLBACK (on_delivered), NULL);
  g_signal_connect (chat, "message-not-delivered", G_CALLBACK (on_not_delivered), NULL);
  g_signal_connect (chat, "message-displayed", G_CALLBACK (on_displayed), NULL);
  g_signal_connect (chat, "failed", G_CALLBACK (on_failed), NULL);
  return chat;
}

int
main (void)
{
  loop = g_main_loop_new (NULL, FALSE);
  alice = make_chat ("Alice <sip:alice@example.com>", "Bob <sip:bob@example.com>");
  bob = make_chat ("Bob <sip:bob@example.com>", "Alice <sip:alice@example.com>");
  g_signal_connect (bob, "ended", G_CALLBACK (on_bob_ended), NULL);

  /* Alice makes the offer: NULL, she has none from Bob. */
  msrp_stream_initialize_async (MSRP_STREAM (alice), NULL, NULL, on_offer, NULL);
  g_main_loop_run (loop);

  g_object_unref (alice);
  g_object_unref (bob);
  g_main_loop_unref (loop);
  return 0;
}
