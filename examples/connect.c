/* connect.c: an acceptor and a connector in one process, over loopback TCP;
 * the connector sends one message through a session and the acceptor prints it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <msrp-glib/msrp-glib.h>

static GMainLoop *loop;
static MsrpConnector *acceptor, *connector;
static GPtrArray *acceptor_path, *connector_path;
static MsrpSession *receiver, *sender;

static void
on_message (MsrpSession *session, MsrpChunk *first_chunk, GBytes *data, gpointer user_data)
{
  printf ("received %s %.*s\n", msrp_chunk_get_content_type (first_chunk),
          (int) g_bytes_get_size (data), (const char *) g_bytes_get_data (data, NULL));
}

static void
on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = msrp_session_send_message_finish (sender, result, &error);

  if (message_id == NULL)
    g_error ("%s", error->message);
  printf ("delivered %s\n", message_id);
  g_main_loop_quit (loop);
}

static void
on_acceptor_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  static const char *const accept_types[] = { "text/plain", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpTransport) transport = msrp_connector_complete_finish (acceptor, result, &error);

  if (transport == NULL)
    g_error ("%s", error->message);
  /* A session reads, answers and reassembles; it emits whole messages. */
  receiver = msrp_session_new (transport, accept_types);
  g_signal_connect (receiver, "message-received", G_CALLBACK (on_message), NULL);
}

static void
on_connector_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpTransport) transport = msrp_connector_complete_finish (connector, result, &error);
  g_autoptr(GBytes) body = g_bytes_new_static ("Hello, Bob", 10);

  if (transport == NULL)
    g_error ("%s", error->message);
  sender = msrp_session_new (transport, NULL);
  msrp_session_set_success_report (sender, TRUE);  /* complete once the peer confirms */
  msrp_session_send_message_async (sender, body, "text/plain", NULL, on_sent, NULL);
}

static void
on_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GPtrArray **path = user_data;
  g_autoptr(GError) error = NULL;

  /* The full local path, for the SDP a=path. */
  *path = msrp_connector_prepare_finish (MSRP_CONNECTOR (source), result, &error);
  if (*path == NULL)
    g_error ("%s", error->message);
  if (acceptor_path == NULL || connector_path == NULL)
    return;
  /* Each side completes with the other's path, from the peer's SDP. */
  msrp_connector_complete_async (acceptor, connector_path, NULL, on_acceptor_ready, NULL);
  msrp_connector_complete_async (connector, acceptor_path, NULL, on_connector_ready, NULL);
}

int
main (void)
{
  g_autoptr(MsrpUri) listen_on = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);

  loop = g_main_loop_new (NULL, FALSE);
  acceptor = msrp_acceptor_direct_new ();    /* the passive side: listens */
  connector = msrp_connector_direct_new ();  /* the active side: connects */
  msrp_connector_prepare_async (acceptor, listen_on, NULL, on_prepared, &acceptor_path);
  msrp_connector_prepare_async (connector, NULL, NULL, on_prepared, &connector_path);
  g_main_loop_run (loop);

  g_clear_object (&sender);
  g_clear_object (&receiver);
  g_clear_object (&acceptor);
  g_clear_object (&connector);
  g_clear_pointer (&acceptor_path, g_ptr_array_unref);
  g_clear_pointer (&connector_path, g_ptr_array_unref);
  g_main_loop_unref (loop);
  return 0;
}
