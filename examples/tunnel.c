/* tunnel.c: bytes through an MsrpStreamTunnel, both ends in one process
 *
 * The side with the screen (a VNC server, here a greeting) offers a tunnel
 * for "application/x-rfb", the viewer answers, and both start; in an
 * application the offer and the answer travel in SIP, here they go as SDP
 * text. The server writes and closes its output, the viewer reads up to
 * end-of-file and ends the tunnel. Exits 0 once the viewer read it all and
 * both tunnels ended.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#include <msrp-glib/msrp-glib.h>

#define GREETING "RFB 003.008\n"

static GMainLoop *loop;
static int ended, status = 1;
static GByteArray *received;

static void
on_ended (MsrpStream *stream,
          gpointer    user_data)
{
  if (++ended == 2)
    g_main_loop_quit (loop);
}

static void
on_failed (MsrpStream   *stream,
           const GError *error,
           gpointer      user_data)
{
  g_printerr ("failed: %s\n", error->message);
  g_main_loop_quit (loop);
}

static MsrpSdpMedia *
through_sdp (MsrpSdpMedia *media)
{
  g_autofree char *text = msrp_sdp_media_to_string (media);

  return msrp_sdp_media_parse (text, NULL);
}

typedef struct {
  MsrpStreamTunnel *server;
  MsrpStreamTunnel *viewer;
  MsrpSdpMedia *offer;
} Pair;

/* The server's side: write, then close the output, which the viewer reads
 * as end-of-file. */
static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_printerr ("write: %s\n", error->message);
      g_main_loop_quit (loop);
      return;
    }
  g_output_stream_close_async (G_OUTPUT_STREAM (source), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

static void
on_server_started (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GIOStream *stream = msrp_stream_tunnel_get_stream (MSRP_STREAM_TUNNEL (source));

  if (!msrp_stream_start_finish (MSRP_STREAM (source), result, NULL))
    return;  /* "failed" says why */
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
                                   GREETING, strlen (GREETING), G_PRIORITY_DEFAULT,
                                   NULL, on_written, NULL);
}

/* The viewer's side: read up to end-of-file, then end the tunnel. */
static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  MsrpStreamTunnel *viewer = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (bytes == NULL)
    {
      g_printerr ("read: %s\n", error->message);
      g_main_loop_quit (loop);
      return;
    }
  if (g_bytes_get_size (bytes) > 0)
    {
      g_byte_array_append (received, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      g_input_stream_read_bytes_async (G_INPUT_STREAM (source), 65536, G_PRIORITY_DEFAULT,
                                       NULL, on_read, viewer);
      return;
    }
  g_print ("viewer read: %.*s", (int) received->len, (const char *) received->data);
  if (received->len == strlen (GREETING) && memcmp (received->data, GREETING, received->len) == 0)
    status = 0;
  msrp_stream_end_async (MSRP_STREAM (viewer), NULL, NULL, NULL);
}

static void
on_answer (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Pair *pair = user_data;
  g_autoptr(MsrpSdpMedia) answer = msrp_stream_initialize_finish (MSRP_STREAM (source), result, NULL);
  g_autoptr(MsrpSdpMedia) received_answer = NULL;
  GIOStream *stream;

  if (answer == NULL)
    return;  /* "failed" says why */
  received_answer = through_sdp (answer);
  /* The server's side waits for the viewer, which connects. */
  msrp_stream_start_async (MSRP_STREAM (pair->server), received_answer, NULL, on_server_started, NULL);
  msrp_stream_start_async (MSRP_STREAM (pair->viewer), NULL, NULL, NULL, NULL);
  /* Reads wait until the tunnel runs. */
  stream = msrp_stream_tunnel_get_stream (pair->viewer);
  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (stream), 65536,
                                   G_PRIORITY_DEFAULT, NULL, on_read, pair->viewer);
}

static void
on_offer (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Pair *pair = user_data;
  g_autoptr(MsrpSdpMedia) offer = msrp_stream_initialize_finish (MSRP_STREAM (source), result, NULL);

  if (offer == NULL)
    return;
  pair->offer = through_sdp (offer);
  /* The answerer takes the role the offer leaves it: the viewer's. */
  pair->viewer = msrp_stream_tunnel_new ("application/x-rfb");
  g_signal_connect (pair->viewer, "ended", G_CALLBACK (on_ended), NULL);
  g_signal_connect (pair->viewer, "failed", G_CALLBACK (on_failed), NULL);
  msrp_stream_initialize_async (MSRP_STREAM (pair->viewer), pair->offer, NULL, on_answer, pair);
}

int
main (void)
{
  Pair pair = { 0 };

  loop = g_main_loop_new (NULL, FALSE);
  received = g_byte_array_new ();

  pair.server = msrp_stream_tunnel_new ("application/x-rfb");
  /* This side has the screen: a=rfbsetup:passive. */
  msrp_stream_tunnel_set_role (pair.server, MSRP_TUNNEL_ROLE_PASSIVE);
  g_signal_connect (pair.server, "ended", G_CALLBACK (on_ended), NULL);
  g_signal_connect (pair.server, "failed", G_CALLBACK (on_failed), NULL);
  msrp_stream_initialize_async (MSRP_STREAM (pair.server), NULL, NULL, on_offer, &pair);

  g_main_loop_run (loop);

  if (ended != 2)
    status = 1;
  g_clear_object (&pair.server);
  g_clear_object (&pair.viewer);
  g_clear_object (&pair.offer);
  g_byte_array_unref (received);
  g_main_loop_unref (loop);
  return status;
}
