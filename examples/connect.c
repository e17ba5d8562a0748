/* connect.c: an acceptor and a connector in one process, over loopback TCP;
 * the connector sends one message and the acceptor prints it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <msrp-glib/msrp-glib.h>

static GMainLoop *loop;
static MsrpConnector *acceptor, *connector;
static GPtrArray *acceptor_path, *connector_path;

static void
on_received (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpChunk) chunk = msrp_transport_read_chunk_finish (MSRP_TRANSPORT (source), result, &error);

  if (chunk == NULL)
    g_error ("%s", error->message);
  printf ("%s %.*s\n", msrp_chunk_get_method (chunk), (int) msrp_chunk_get_size (chunk),
          (const char *) g_bytes_get_data (msrp_chunk_get_data (chunk), NULL));
  g_object_unref (source);
  g_main_loop_quit (loop);
}

static void
on_acceptor_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  MsrpTransport *transport = msrp_connector_complete_finish (acceptor, result, &error);

  if (transport == NULL)
    g_error ("%s", error->message);
  msrp_transport_read_chunk_async (transport, 0, NULL, on_received, NULL);
}

static void
on_connector_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpTransport) transport = msrp_connector_complete_finish (connector, result, &error);
  g_autoptr(GBytes) body = g_bytes_new_static ("Hello, Bob", 10);
  g_autoptr(MsrpChunk) chunk = NULL;

  if (transport == NULL)
    g_error ("%s", error->message);
  chunk = msrp_transport_make_chunk (transport, NULL, body, "text/plain");
  msrp_transport_write_chunk_async (transport, chunk, NULL, NULL, NULL);
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
  return 0;
}
