/* sender.c: the active end of an MSRP session. It connects to a receiver's
 * path, sends a text message and, if given one, a file, each with a request
 * for a success REPORT; it prints what happens and exits once the receiver
 * has ended the session.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: sender PATH [FILE]
 *
 * PATH is what the receiver printed after "a=path:", for instance
 *   ./sender 'msrp://127.0.0.1:40321/2b8d8a3f2f5e4b7c;tcp'
 */

#include <stdio.h>
#include <stdlib.h>
#include <msrp-glib/msrp-glib.h>

static GMainLoop *loop;
static MsrpSession *chat;    /* our session with the peer */
static GPtrArray *remote_path;  /* the receiver's path, as its SDP would give it */
static const char *file_name;   /* or NULL */
static gboolean all_sent;
static int exit_status = EXIT_SUCCESS;

static void
fail (const GError *error)
{
  fprintf (stderr, "sender: %s\n", error->message);
  exit_status = EXIT_FAILURE;
  g_main_loop_quit (loop);
}

static void
on_answer (MsrpSession *session, MsrpChunk *first_chunk, GBytes *data, gpointer user_data)
{
  printf ("answer: %.*s\n", (int) g_bytes_get_size (data),
          (const char *) g_bytes_get_data (data, NULL));
}

static void
on_report (MsrpSession *session, MsrpChunk *report, gpointer user_data)
{
  guint code;
  const char *comment;

  /* The receiver confirms that the whole message arrived: Status 000 200. */
  msrp_chunk_get_status (report, &code, &comment);
  printf ("REPORT for %s: %u %s\n", msrp_chunk_get_message_id (report),
          code, comment != NULL ? comment : "");
}

static void
on_closed (MsrpSession *session, const GError *error, gpointer user_data)
{
  if (error != NULL)
    fail (error);
  else if (!all_sent)
    {
      fprintf (stderr, "sender: the receiver ended the session too early\n");
      exit_status = EXIT_FAILURE;
    }
  else
    printf ("the receiver ended the session\n");
  g_main_loop_quit (loop);
}

static void
on_file_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MsrpOutgoingFile *file = user_data;
  g_autoptr(GError) error = NULL;

  if (!msrp_session_send_file_finish (chat, result, &error))
    fail (error);
  else
    {
      printf ("sent file %s (%" G_GOFFSET_FORMAT " bytes) as %s\n", file_name,
              msrp_outgoing_file_get_size (file), msrp_outgoing_file_get_message_id (file));
      /* Now wait for the receiver's answer and for it to end the session. */
      all_sent = TRUE;
    }
  g_object_unref (file);
}

static void
on_message_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  MsrpOutgoingFile *outgoing;
  g_autofree char *message_id = msrp_session_send_message_finish (chat, result, &error);

  /* It completes once every chunk got its 200 and the REPORT came. */
  if (message_id == NULL)
    {
      fail (error);
      return;
    }
  printf ("sent message %s\n", message_id);

  if (file_name == NULL)
    {
      all_sent = TRUE;
      return;
    }
  /* A file is streamed chunk by chunk; NULL: guess its type. */
  file = g_file_new_for_commandline_arg (file_name);
  outgoing = msrp_outgoing_file_new_for_file (file, NULL, &error);
  if (outgoing == NULL)
    {
      fail (error);
      return;
    }
  msrp_session_send_file_async (chat, outgoing, NULL, on_file_sent, outgoing);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MsrpConnector *connector = MSRP_CONNECTOR (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpTransport) transport = msrp_connector_complete_finish (connector, result, &error);
  g_autoptr(GBytes) text = g_bytes_new_static ("Hello from C", 12);

  if (transport == NULL)
    {
      fail (error);
      return;
    }
  printf ("connected\n");

  chat = msrp_session_new (transport, NULL);
  /* Ask for a success REPORT on everything we send: sending then completes
   * only when the receiver has confirmed the whole message. */
  msrp_session_set_success_report (chat, TRUE);
  g_signal_connect (chat, "message-received", G_CALLBACK (on_answer), NULL);
  g_signal_connect (chat, "report-received", G_CALLBACK (on_report), NULL);
  g_signal_connect (chat, "closed", G_CALLBACK (on_closed), NULL);

  msrp_session_send_message_async (chat, text, "text/plain", NULL, on_message_sent, NULL);
}

static void
on_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MsrpConnector *connector = MSRP_CONNECTOR (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) local_path = msrp_connector_prepare_finish (connector, result, &error);

  if (local_path == NULL)
    {
      fail (error);
      return;
    }
  /* local_path would go into our SDP; the receiver here takes anyone.
   * Connect to the receiver and bind the connection to its session. */
  msrp_connector_complete_async (connector, remote_path, NULL, on_connected, NULL);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpConnector) connector = NULL;

  if (argc < 2 || argc > 3)
    {
      fprintf (stderr, "usage: %s PATH [FILE]\n", argv[0]);
      return EXIT_FAILURE;
    }
  remote_path = msrp_path_parse (argv[1], &error);
  if (remote_path == NULL)
    {
      fprintf (stderr, "sender: %s\n", error->message);
      return EXIT_FAILURE;
    }
  file_name = argv[2];

  loop = g_main_loop_new (NULL, FALSE);

  /* The active side connects (msrp_get_connector (relay) would go
   * through an RFC 4976 relay instead). NULL: any local URI will do. */
  connector = msrp_get_connector (NULL);
  msrp_connector_prepare_async (connector, NULL, NULL, on_prepared, NULL);

  g_main_loop_run (loop);

  g_clear_object (&chat);
  g_ptr_array_unref (remote_path);
  g_main_loop_unref (loop);
  return exit_status;
}
