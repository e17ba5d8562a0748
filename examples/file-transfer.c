/* file-transfer.c: push a file with progress, both ends in one process
 *
 * The sender offers a file (RFC 5547), the receiver answers with where it
 * goes, and both start; in an application the offer and the answer travel
 * in SIP, here they go as SDP text. Exits 0 once the file arrived whole.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#include <glib/gstdio.h>
#include <msrp-glib/msrp-glib.h>

static GMainLoop *loop;
static int ended, status = 1;

static void
on_progress (MsrpFileTransfer *transfer,
             GParamSpec       *pspec,
             gpointer          user_data)
{
  gint64 done = msrp_file_transfer_get_bytes_transferred (transfer);
  gint64 size = msrp_file_transfer_get_size (transfer);

  g_print ("%s: %3d %%\n", (const char *) user_data, (int) (100 * done / MAX (size, 1)));
}

static void
on_ended (MsrpStream *stream,
          gpointer    user_data)
{
  if (++ended == 2)
    {
      status = 0;
      g_main_loop_quit (loop);
    }
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
  MsrpFileTransfer *sender;
  MsrpFileTransfer *receiver;
  GFile *destination;
  MsrpSdpMedia *offer;
} Pair;

static void
on_answer (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Pair *pair = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpSdpMedia) answer = msrp_stream_initialize_finish (MSRP_STREAM (source), result, &error);
  g_autoptr(MsrpSdpMedia) received = NULL;

  if (answer == NULL)
    return;  /* "failed" says why */
  received = through_sdp (answer);
  /* The sender waits for the receiver, which connects. */
  msrp_stream_start_async (MSRP_STREAM (pair->sender), received, NULL, NULL, NULL);
  msrp_stream_start_async (MSRP_STREAM (pair->receiver), NULL, NULL, NULL, NULL);
}

static void
on_offer (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Pair *pair = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpSdpMedia) offer = msrp_stream_initialize_finish (MSRP_STREAM (source), result, &error);

  if (offer == NULL)
    return;
  pair->offer = through_sdp (offer);
  pair->receiver = msrp_file_transfer_new_from_offer (pair->offer, pair->destination, &error);
  if (pair->receiver == NULL)
    {
      on_failed (NULL, error, NULL);
      return;
    }
  g_signal_connect (pair->receiver, "notify::bytes-transferred", G_CALLBACK (on_progress), "received");
  g_signal_connect (pair->receiver, "ended", G_CALLBACK (on_ended), NULL);
  g_signal_connect (pair->receiver, "failed", G_CALLBACK (on_failed), NULL);
  msrp_stream_initialize_async (MSRP_STREAM (pair->receiver), pair->offer, NULL, on_answer, pair);
}

int
main (void)
{
  g_autofree char *dir = g_dir_make_tmp ("msrp-file-example-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "photo.jpg", NULL);
  g_autofree char *copy = g_build_filename (dir, "received.jpg", NULL);
  g_autofree char *data = g_malloc (3 * 1024 * 1024);
  g_autofree char *got = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  gsize length = 0;
  Pair pair = { 0 };

  memset (data, 'x', 3 * 1024 * 1024);
  g_file_set_contents (path, data, 3 * 1024 * 1024, NULL);
  loop = g_main_loop_new (NULL, FALSE);
  pair.destination = g_file_new_for_path (copy);

  pair.sender = msrp_file_transfer_new_push (file, "image/jpeg");
  g_signal_connect (pair.sender, "notify::bytes-transferred", G_CALLBACK (on_progress), "sent");
  g_signal_connect (pair.sender, "ended", G_CALLBACK (on_ended), NULL);
  g_signal_connect (pair.sender, "failed", G_CALLBACK (on_failed), NULL);
  /* Hashes the file (in a thread), then makes the offer. */
  msrp_stream_initialize_async (MSRP_STREAM (pair.sender), NULL, NULL, on_offer, &pair);

  g_main_loop_run (loop);

  if (status == 0 && (!g_file_get_contents (copy, &got, &length, NULL) ||
                      length != 3 * 1024 * 1024 || memcmp (got, data, length) != 0))
    status = 1;
  g_clear_object (&pair.sender);
  g_clear_object (&pair.receiver);
  g_clear_object (&pair.offer);
  g_clear_object (&pair.destination);
  g_remove (path);
  g_remove (copy);
  g_rmdir (dir);
  g_main_loop_unref (loop);
  return status;
}
