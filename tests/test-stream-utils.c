/* test-stream-utils.c: what the MsrpStream suites share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "test-stream-utils.h"
#include "test-utils.h"

void
test_stream_on_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  TestStreamOp *op = user_data;
  MsrpStream *stream = MSRP_STREAM (source);

  if (g_async_result_is_tagged (result, msrp_stream_initialize_async))
    {
      op->media = msrp_stream_initialize_finish (stream, result, &op->error);
      op->ok = op->media != NULL;
    }
  else if (g_async_result_is_tagged (result, msrp_stream_start_async))
    op->ok = msrp_stream_start_finish (stream, result, &op->error);
  else
    op->ok = msrp_stream_end_finish (stream, result, &op->error);
  op->done = TRUE;
}

MsrpSdpMedia *
test_stream_initialize (MsrpStream    *stream,
                        MsrpSdpMedia  *offer,
                        GError       **error)
{
  TestStreamOp op = { 0 };

  msrp_stream_initialize_async (stream, offer, NULL, test_stream_on_done, &op);
  g_assert_cmpint (msrp_stream_get_state (stream), !=, MSRP_STREAM_STATE_NEW);
  test_wait_for (&op.done);
  if (op.media == NULL)
    {
      g_assert_nonnull (op.error);
      g_propagate_error (error, op.error);
      return NULL;
    }
  g_assert_no_error (op.error);
  g_assert_cmpint (msrp_stream_get_state (stream), ==, MSRP_STREAM_STATE_INITIALIZED);
  return op.media;
}

MsrpSdpMedia *
test_through_sdp (MsrpSdpMedia  *media,
                  char         **text)
{
  g_autofree char *sdp = msrp_sdp_media_to_string (media);
  g_autoptr(GError) error = NULL;
  MsrpSdpMedia *parsed = msrp_sdp_media_parse (sdp, &error);

  g_assert_no_error (error);
  g_assert_nonnull (parsed);
  if (text != NULL)
    *text = g_steal_pointer (&sdp);
  return parsed;
}

void
test_stream_start_both (MsrpStream   *offerer,
                        MsrpSdpMedia *answer,
                        MsrpStream   *answerer)
{
  TestStreamOp a = { 0 }, b = { 0 };

  msrp_stream_start_async (offerer, answer, NULL, test_stream_on_done, &a);
  msrp_stream_start_async (answerer, NULL, NULL, test_stream_on_done, &b);
  test_wait_for (&a.done);
  test_wait_for (&b.done);
  g_assert_no_error (a.error);
  g_assert_no_error (b.error);
  g_assert_true (a.ok && b.ok);
}

void
test_stream_end (MsrpStream *stream)
{
  TestStreamOp op = { 0 };

  msrp_stream_end_async (stream, NULL, test_stream_on_done, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_true (op.ok);
}

static void
on_stream_ended (MsrpStream    *stream,
                 TestStreamEnd *end)
{
  end->ended = TRUE;
  end->done = TRUE;
}

static void
on_stream_failed (MsrpStream    *stream,
                  const GError  *error,
                  TestStreamEnd *end)
{
  g_assert_null (end->failed);
  end->failed = g_error_copy (error);
  end->done = TRUE;
}

void
test_stream_watch_end (MsrpStream    *stream,
                       TestStreamEnd *end)
{
  g_signal_connect (stream, "ended", G_CALLBACK (on_stream_ended), end);
  g_signal_connect (stream, "failed", G_CALLBACK (on_stream_failed), end);
}

/* Chat peers */

static void
on_received (MsrpChat        *chat,
             MsrpChatMessage *message,
             TestChatPeer    *peer)
{
  g_ptr_array_add (peer->received, g_object_ref (message));
}

static void
on_delivered (MsrpChat     *chat,
              const char   *id,
              TestChatPeer *peer)
{
  g_ptr_array_add (peer->delivered, g_strdup (id));
}

static void
on_not_delivered (MsrpChat     *chat,
                  const char   *id,
                  guint         code,
                  const char   *reason,
                  TestChatPeer *peer)
{
  g_ptr_array_add (peer->not_delivered, g_strdup_printf ("%s %u %s", id, code, reason));
}

static void
on_displayed (MsrpChat     *chat,
              const char   *id,
              TestChatPeer *peer)
{
  g_ptr_array_add (peer->displayed, g_strdup (id));
}

static void
on_composing (MsrpChat        *chat,
              MsrpIsComposing *indication,
              const char      *sender,
              TestChatPeer    *peer)
{
  g_ptr_array_add (peer->composing, g_strdup_printf ("%s %s", msrp_is_composing_get_state (indication), sender));
}

static void
on_started (MsrpStream   *stream,
            TestChatPeer *peer)
{
  peer->started = TRUE;
}

static void
on_will_end (MsrpStream   *stream,
             TestChatPeer *peer)
{
  peer->will_end = TRUE;
}

static void
on_ended (MsrpStream   *stream,
          TestChatPeer *peer)
{
  peer->ended = TRUE;
}

static void
on_failed (MsrpStream   *stream,
           const GError *error,
           TestChatPeer *peer)
{
  g_assert_null (peer->failed);
  peer->failed = g_error_copy (error);
}

void
test_chat_peer_init (TestChatPeer *peer,
                     const char   *local,
                     const char   *remote)
{
  peer->chat = msrp_chat_new (local, remote);
  peer->received = g_ptr_array_new_with_free_func (g_object_unref);
  peer->delivered = g_ptr_array_new_with_free_func (g_free);
  peer->not_delivered = g_ptr_array_new_with_free_func (g_free);
  peer->displayed = g_ptr_array_new_with_free_func (g_free);
  peer->composing = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (peer->chat, "message-received", G_CALLBACK (on_received), peer);
  g_signal_connect (peer->chat, "message-delivered", G_CALLBACK (on_delivered), peer);
  g_signal_connect (peer->chat, "message-not-delivered", G_CALLBACK (on_not_delivered), peer);
  g_signal_connect (peer->chat, "message-displayed", G_CALLBACK (on_displayed), peer);
  g_signal_connect (peer->chat, "composing-indication", G_CALLBACK (on_composing), peer);
  g_signal_connect (peer->chat, "started", G_CALLBACK (on_started), peer);
  g_signal_connect (peer->chat, "will-end", G_CALLBACK (on_will_end), peer);
  g_signal_connect (peer->chat, "ended", G_CALLBACK (on_ended), peer);
  g_signal_connect (peer->chat, "failed", G_CALLBACK (on_failed), peer);
}

void
test_chat_peer_clear (TestChatPeer *peer)
{
  if (peer->chat != NULL)
    {
      TestStreamOp end = { 0 };

      /* Ending it first lets go of what it still has running (a
       * connector waiting for its peer, say); a stream that already
       * ended or failed just says so. */
      msrp_stream_end_async (MSRP_STREAM (peer->chat), NULL, test_stream_on_done, &end);
      test_wait_for (&end.done);
      g_clear_error (&end.error);
      /* What still holds it (a TLS close or a certificate that GIO runs
       * in a thread) lets go soon; one that never does is caught by the
       * test's watchdog. */
      test_unref_and_wait (g_steal_pointer (&peer->chat));
      test_drain ();
    }
  g_ptr_array_unref (peer->received);
  g_ptr_array_unref (peer->delivered);
  g_ptr_array_unref (peer->not_delivered);
  g_ptr_array_unref (peer->displayed);
  g_ptr_array_unref (peer->composing);
  g_clear_error (&peer->failed);
}
