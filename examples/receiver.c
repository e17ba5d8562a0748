/* receiver.c: the passive end of an MSRP session. It listens on 127.0.0.1,
 * prints its path, waits for a peer, prints each message that arrives and
 * answers it; after N messages it ends the session and exits.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: receiver [N]        (N: how many messages to wait for, default 1)
 *
 * The first line it prints is its path, the way the SDP attribute a=path
 * would carry it; give it to a sender (sender.c, sender.py, ...).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <msrp-glib/msrp-glib.h>

static GMainLoop *loop;
static MsrpSession *chat;    /* our session with the peer */
static guint expected = 1;      /* messages to wait for */
static guint answered;          /* answers the sender has acknowledged */
static int exit_status = EXIT_SUCCESS;

static void
fail (const GError *error)
{
  fprintf (stderr, "receiver: %s\n", error->message);
  exit_status = EXIT_FAILURE;
  g_main_loop_quit (loop);
}

static void
on_closed (MsrpSession *session, const GError *error, gpointer user_data)
{
  /* NULL: a clean end, ours (shutdown) or the peer's. */
  if (error != NULL)
    fail (error);
  else
    g_main_loop_quit (loop);
}

static void
on_answer_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = msrp_session_send_message_finish (chat, result, &error);

  if (message_id == NULL)
    {
      fail (error);
      return;
    }
  /* The last answer went through: end the session. Shutting down sends
   * whatever is still queued, closes the connection, then emits closed. */
  if (++answered == expected)
    msrp_session_shutdown_async (chat, NULL, NULL, NULL);
}

static void
on_message (MsrpSession *session, MsrpChunk *first_chunk, GBytes *data, gpointer user_data)
{
  const char *content_type = msrp_chunk_get_content_type (first_chunk);
  gsize size = g_bytes_get_size (data);
  g_autofree char *answer = NULL;
  g_autoptr(GBytes) body = NULL;

  /* The session has checked, acknowledged (200) and put the message
   * together; it has also sent the REPORT when the sender asked for one. */
  if (g_str_equal (content_type, "text/plain"))
    printf ("received %s (%zu bytes): %.*s\n", content_type, size,
            (int) size, (const char *) g_bytes_get_data (data, NULL));
  else
    printf ("received %s (%zu bytes)\n", content_type, size);
  fflush (stdout);

  /* Answer with a message of our own: either side may send at any time. */
  answer = g_strdup_printf ("got %zu bytes of %s", size, content_type);
  body = g_bytes_new (answer, strlen (answer));
  msrp_session_send_message_async (session, body, "text/plain", NULL, on_answer_sent, NULL);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MsrpConnector *acceptor = MSRP_CONNECTOR (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpTransport) transport = msrp_connector_complete_finish (acceptor, result, &error);
  g_autofree char *peer = NULL;

  if (transport == NULL)
    {
      fail (error);
      return;
    }
  peer = msrp_path_to_string (msrp_transport_get_full_remote_path (transport));
  printf ("peer %s\n", peer);
  fflush (stdout);

  /* The session does the protocol: it answers, reassembles and reports. */
  chat = msrp_session_new (transport, NULL);   /* NULL: accept any type */
  g_signal_connect (chat, "message-received", G_CALLBACK (on_message), NULL);
  g_signal_connect (chat, "closed", G_CALLBACK (on_closed), NULL);
}

static void
on_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MsrpConnector *acceptor = MSRP_CONNECTOR (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) path = msrp_connector_prepare_finish (acceptor, result, &error);
  g_autofree char *path_string = NULL;

  if (path == NULL)
    {
      fail (error);
      return;
    }
  /* Our full path. In real life it goes into our SDP (a=path); here the
   * user copies it to the sender. Flushed: a script may be reading it. */
  path_string = msrp_path_to_string (path);
  printf ("a=path:%s\n", path_string);
  fflush (stdout);

  /* Wait for a peer. NULL: take whoever binds our path first (with SDP we
   * would pass the peer's a=path, and nobody else would get in). */
  msrp_connector_complete_async (acceptor, NULL, NULL, on_connected, NULL);
}

int
main (int argc, char **argv)
{
  g_autoptr(MsrpConnector) acceptor = NULL;
  g_autoptr(MsrpUri) local_uri = NULL;

  if (argc > 2 || (argc == 2 && (expected = atoi (argv[1])) < 1))
    {
      fprintf (stderr, "usage: %s [N]\n", argv[0]);
      return EXIT_FAILURE;
    }

  loop = g_main_loop_new (NULL, FALSE);

  /* The passive side listens (msrp_get_acceptor (relay) would go through
   * an RFC 4976 relay instead). Port 0: any free port, which the path
   * will name. NULL session-id: a random one. */
  acceptor = msrp_get_acceptor (NULL);
  local_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  msrp_connector_prepare_async (acceptor, local_uri, NULL, on_prepared, NULL);

  g_main_loop_run (loop);

  g_clear_object (&chat);
  g_main_loop_unref (loop);
  return exit_status;
}
