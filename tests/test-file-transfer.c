/* test-file-transfer.c: MsrpFileTransfer (RFC 5547) between two streams
 * on loopback
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "msrp-glib.h"
#include "msrp-file-transfer-private.h"
#include "test-stream-utils.h"
#include "test-utils.h"

#define MIB (1024 * 1024)

typedef struct {
  MsrpFileTransfer *transfer;
  TestStreamEnd end;
  guint progress_notifies;
  gint64 first_progress;      /* monotonic time of the first one */
  gint64 last_progress;
  gint64 last_value;          /* bytes-transferred when last notified */
  gint64 end_after;           /* the test ends it after that many bytes */
  gint64 seen;
} Peer;

typedef struct {
  guint watchdog;
  char *dir;
  GFile *source;
  GFile *destination;
  GBytes *content;
  Peer sender;
  Peer receiver;
} Fixture;

static void
on_progress (GObject    *object,
             GParamSpec *pspec,
             Peer       *peer)
{
  peer->last_progress = g_get_monotonic_time ();
  peer->last_value = msrp_file_transfer_get_bytes_transferred (MSRP_FILE_TRANSFER (object));
  if (peer->progress_notifies++ == 0)
    peer->first_progress = peer->last_progress;
}

static void
peer_set (Peer             *peer,
          MsrpFileTransfer *transfer,
          gboolean          tls)
{
  g_autoptr(MsrpUri) local_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);

  g_assert_nonnull (transfer);
  g_assert_null (peer->transfer);
  memset (peer, 0, sizeof *peer);
  peer->transfer = transfer;
  msrp_stream_set_local_uri (MSRP_STREAM (transfer), local_uri);
  msrp_stream_set_use_tls (MSRP_STREAM (transfer), tls);
  test_stream_watch_end (MSRP_STREAM (transfer), &peer->end);
  g_signal_connect (transfer, "notify::bytes-transferred", G_CALLBACK (on_progress), peer);
}

/* Drops the peer and waits until its transfer is gone: its disk writes are
 * done and its partial file closed. */
static void
peer_clear (Peer *peer)
{
  if (peer->transfer != NULL)
    test_unref_and_wait (g_steal_pointer (&peer->transfer));
  g_clear_error (&peer->end.failed);
  memset (peer, 0, sizeof *peer);
}

static GBytes *
random_bytes (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i += 4)
    {
      guint32 r = g_test_rand_int ();

      memcpy (data + i, &r, MIN (4, size - i));
    }
  return g_bytes_new_take (data, size);
}

static void
write_source (Fixture *f,
              gsize    size)
{
  g_autofree char *path = g_file_get_path (f->source);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&f->content, g_bytes_unref);
  f->content = random_bytes (size);
  g_file_set_contents (path, g_bytes_get_data (f->content, NULL), size, &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *destination = NULL;

  f->watchdog = test_watchdog_start (30);
  f->dir = g_dir_make_tmp ("msrp-file-transfer-XXXXXX", &error);
  g_assert_no_error (error);
  source = g_build_filename (f->dir, "source.bin", NULL);
  destination = g_build_filename (f->dir, "received.bin", NULL);
  f->source = g_file_new_for_path (source);
  f->destination = g_file_new_for_path (destination);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_chmod (child, 0700);
      remove_tree (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  peer_clear (&f->sender);
  peer_clear (&f->receiver);
  test_drain ();
  remove_tree (f->dir);
  g_free (f->dir);
  g_clear_object (&f->source);
  g_clear_object (&f->destination);
  g_clear_pointer (&f->content, g_bytes_unref);
  test_watchdog_stop (f->watchdog);
}

/* Operations */

static MsrpSdpMedia *
initialize (Peer         *peer,
            MsrpSdpMedia *offer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpSdpMedia) media = test_stream_initialize (MSRP_STREAM (peer->transfer), offer, &error);

  g_assert_no_error (error);
  return test_through_sdp (media, NULL);
}

static GError *
initialize_error (Peer         *peer,
                  MsrpSdpMedia *offer)
{
  GError *error = NULL;

  g_assert_null (test_stream_initialize (MSRP_STREAM (peer->transfer), offer, &error));
  g_assert_nonnull (error);
  return error;
}

/* Starts the offerer with @answer and the answerer, and waits for both. */
static void
start_both (Peer         *offerer,
            MsrpSdpMedia *answer,
            Peer         *answerer)
{
  test_stream_start_both (MSRP_STREAM (offerer->transfer), answer, MSRP_STREAM (answerer->transfer));
}

static void
assert_received (Fixture *f)
{
  g_autofree char *path = g_file_get_path (f->destination);
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (data, len, g_bytes_get_data (f->content, NULL), g_bytes_get_size (f->content));
}

static gboolean
exists (GFile *file)
{
  return file != NULL && g_file_query_exists (file, NULL);
}

static GFile *
part_file (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, ".received.bin.part", NULL);

  return g_file_new_for_path (path);
}

static char *
sha1_of (GBytes *bytes)
{
  g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, bytes);
  GString *out = g_string_new ("sha-1:");

  for (guint i = 0; hex[i] != '\0'; i += 2)
    g_string_append_printf (out, "%s%c%c", i ? ":" : "", g_ascii_toupper (hex[i]), g_ascii_toupper (hex[i + 1]));
  return g_string_free (out, FALSE);
}

/* A push from sender to receiver: offer, answer, start. The edits change
 * the media on their way. */
static void
push_edited (Fixture  *f,
             gboolean  tls,
             void    (*edit_offer) (MsrpSdpMedia *offer, Fixture *f),
             void    (*edit_answer) (MsrpSdpMedia *answer, Fixture *f))
{
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;
  g_autoptr(GError) error = NULL;

  peer_set (&f->sender, msrp_file_transfer_new_push (f->source, NULL), tls);
  offer = initialize (&f->sender, NULL);
  if (edit_offer != NULL)
    edit_offer (offer, f);
  peer_set (&f->receiver, msrp_file_transfer_new_from_offer (offer, f->destination, &error), tls);
  g_assert_no_error (error);
  answer = initialize (&f->receiver, offer);
  if (edit_answer != NULL)
    edit_answer (answer, f);
  start_both (&f->sender, answer, &f->receiver);
}

static void
wait_done (Fixture *f)
{
  test_wait_for (&f->sender.end.done);
  test_wait_for (&f->receiver.end.done);
}

static void
assert_success (Fixture *f)
{
  gint64 size = g_bytes_get_size (f->content);

  wait_done (f);
  g_assert_no_error (f->sender.end.failed);
  g_assert_no_error (f->receiver.end.failed);
  g_assert_true (f->sender.end.ended && f->receiver.end.ended);
  assert_received (f);
  g_assert_cmpint (msrp_file_transfer_get_bytes_transferred (f->sender.transfer), ==, size);
  g_assert_cmpint (msrp_file_transfer_get_bytes_transferred (f->receiver.transfer), ==, size);
  /* The last value was notified before the stream ended. */
  g_assert_cmpint (f->sender.last_value, ==, size);
  g_assert_cmpint (f->receiver.last_value, ==, size);
  g_assert_false (exists (_msrp_file_transfer_get_part_file (f->receiver.transfer)));
}

/* Tests */

static void
test_push (Fixture       *f,
           gconstpointer  data)
{
  gboolean tls = GPOINTER_TO_INT (data);
  gsize size = 3 * MIB + 123;
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  MsrpFileSelector *selector;
  gint64 start, elapsed;

  write_source (f, size);
  hash = sha1_of (f->content);
  peer_set (&f->sender, msrp_file_transfer_new_push (f->source, "application/x-test"), tls);
  g_assert_true (msrp_file_transfer_get_is_sender (f->sender.transfer));
  g_assert_cmpint (msrp_file_transfer_get_size (f->sender.transfer), ==, -1);
  offer = initialize (&f->sender, NULL);
  g_assert_cmpfloat (msrp_file_transfer_get_hash_progress (f->sender.transfer), ==, 1.0);

  /* RFC 5547 section 8: a push offer. */
  g_assert_cmpint (msrp_sdp_media_get_direction (offer), ==, MSRP_SDP_DIRECTION_SENDONLY);
  selector = msrp_sdp_media_get_file_selector (offer);
  g_assert_nonnull (selector);
  g_assert_cmpstr (msrp_file_selector_get_name (selector), ==, "source.bin");
  g_assert_cmpstr (msrp_file_selector_get_content_type (selector), ==, "application/x-test");
  g_assert_cmpint (msrp_file_selector_get_size (selector), ==, size);
  g_assert_cmpstr (msrp_file_selector_get_hash (selector), ==, hash);
  g_assert_cmpstr (msrp_sdp_media_get_file_transfer_id (offer), ==,
                   msrp_file_transfer_get_transfer_id (f->sender.transfer));
  g_assert_cmpstr (msrp_sdp_media_get_file_disposition (offer), ==, "attachment");
  g_assert_true (g_str_has_prefix (msrp_sdp_media_get_file_date (offer), "modification:\""));
  g_assert_cmpstr (msrp_sdp_media_get_accept_types (offer)[0], ==, "application/x-test");
  g_assert_false (msrp_sdp_media_get_file_range (offer, NULL, NULL));
  g_assert_cmpstr (msrp_sdp_media_get_protocol (offer), ==, tls ? "TCP/TLS/MSRP" : "TCP/MSRP");
  g_assert_cmpint (msrp_file_transfer_get_size (f->sender.transfer), ==, size);

  peer_set (&f->receiver, msrp_file_transfer_new_from_offer (offer, f->destination, &error), tls);
  g_assert_no_error (error);
  g_assert_false (msrp_file_transfer_get_is_sender (f->receiver.transfer));
  answer = initialize (&f->receiver, offer);
  /* The answer mirrors the selector and the transfer id. */
  g_assert_cmpint (msrp_sdp_media_get_direction (answer), ==, MSRP_SDP_DIRECTION_RECVONLY);
  g_assert_true (msrp_file_selector_equal (msrp_sdp_media_get_file_selector (answer), selector));
  g_assert_cmpstr (msrp_sdp_media_get_file_transfer_id (answer), ==, msrp_sdp_media_get_file_transfer_id (offer));
  g_assert_false (msrp_sdp_media_get_file_range (answer, NULL, NULL));

  start = g_get_monotonic_time ();
  start_both (&f->sender, answer, &f->receiver);
  assert_success (f);
  elapsed = g_get_monotonic_time () - start;

  /* Progress: at most 20 notifications a second, and the last one. */
  g_assert_cmpuint (f->receiver.progress_notifies, >, 0);
  g_assert_cmpuint (f->sender.progress_notifies, <=, elapsed / (G_USEC_PER_SEC / 20) + 3);
  g_assert_cmpuint (f->receiver.progress_notifies, <=, elapsed / (G_USEC_PER_SEC / 20) + 3);
}

static void
on_selector (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  MsrpFileSelector **selector = user_data;
  g_autoptr(GError) error = NULL;

  *selector = msrp_file_selector_new_for_file_finish (result, &error);
  g_assert_no_error (error);
}

static MsrpFileSelector *
selector_of (GFile *file)
{
  MsrpFileSelector *selector = NULL;

  msrp_file_selector_new_for_file_async (file, NULL, NULL, on_selector, &selector);
  test_wait_for_ptr ((gpointer *) &selector);
  return selector;
}

static void
test_pull (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(MsrpFileSelector) selector = NULL;
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;
  g_autoptr(GError) error = NULL;

  write_source (f, 2 * MIB + 7);
  selector = selector_of (f->source);
  peer_set (&f->receiver, msrp_file_transfer_new_pull (selector, f->destination), FALSE);
  offer = initialize (&f->receiver, NULL);
  g_assert_cmpint (msrp_sdp_media_get_direction (offer), ==, MSRP_SDP_DIRECTION_RECVONLY);
  g_assert_true (msrp_file_selector_equal (msrp_sdp_media_get_file_selector (offer), selector));
  g_assert_nonnull (msrp_sdp_media_get_file_transfer_id (offer));

  peer_set (&f->sender, msrp_file_transfer_new_from_offer (offer, f->source, &error), FALSE);
  g_assert_no_error (error);
  g_assert_true (msrp_file_transfer_get_is_sender (f->sender.transfer));
  answer = initialize (&f->sender, offer);
  g_assert_cmpint (msrp_sdp_media_get_direction (answer), ==, MSRP_SDP_DIRECTION_SENDONLY);
  g_assert_true (msrp_file_selector_equal (msrp_sdp_media_get_file_selector (answer), selector));
  start_both (&f->receiver, answer, &f->sender);
  assert_success (f);
}

/* A pull of a file that is not the one the selector describes is refused. */
static void
test_pull_wrong_file (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(MsrpFileSelector) selector = NULL;
  g_autoptr(MsrpFileSelector) wrong = NULL;
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(GError) error = NULL;

  write_source (f, 1000);
  selector = selector_of (f->source);
  wrong = msrp_file_selector_new ("source.bin", NULL, 1000,
                                  "sha-1:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33");
  peer_set (&f->receiver, msrp_file_transfer_new_pull (wrong, f->destination), FALSE);
  offer = initialize (&f->receiver, NULL);
  peer_set (&f->sender, msrp_file_transfer_new_from_offer (offer, f->source, &error), FALSE);
  g_assert_no_error (error);
  error = initialize_error (&f->sender, offer);
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED);
  g_assert_true (f->sender.end.done);
  g_assert_error (f->sender.end.failed, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED);
}

static void
end_in_idle (Peer *peer)
{
  msrp_stream_end_async (MSRP_STREAM (peer->transfer), NULL, NULL, NULL);
}

/* The test's own chunk-received handler: ends the receiver once that many
 * bytes came. */
static void
on_test_chunk (MsrpSession *session,
               MsrpChunk   *chunk,
               Peer        *peer)
{
  peer->seen += msrp_chunk_get_size (chunk);
  if (peer->end_after > 0 && peer->seen >= peer->end_after)
    {
      peer->end_after = 0;
      end_in_idle (peer);
    }
}

static void
interrupt_after (Peer   *receiver,
                 gint64  bytes)
{
  MsrpSession *session = msrp_stream_get_session (MSRP_STREAM (receiver->transfer));

  receiver->end_after = bytes;
  g_signal_connect (session, "chunk-received", G_CALLBACK (on_test_chunk), receiver);
}

static gint64
file_size (GFile *file)
{
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL, NULL);

  return info ? g_file_info_get_size (info) : -1;
}

static void
test_resume_push (Fixture       *f,
                  gconstpointer  data)
{
  gsize size = 6 * MIB + 5;
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;
  g_autoptr(GFile) part = part_file (f);
  g_autoptr(GError) error = NULL;
  gint64 kept, start, stop;

  write_source (f, size);
  push_edited (f, FALSE, NULL, NULL);
  interrupt_after (&f->receiver, MIB);
  wait_done (f);
  /* The receiver ended it; for the sender, the peer ended too soon. */
  g_assert_true (f->receiver.end.ended);
  g_assert_error (f->sender.end.failed, MSRP_ERROR, MSRP_ERROR_TRANSFER_INCOMPLETE);
  g_assert_false (exists (f->destination));
  peer_clear (&f->sender);
  peer_clear (&f->receiver);
  kept = file_size (part);
  g_assert_cmpint (kept, >=, MIB);
  g_assert_cmpint (kept, <, (gint64) size);

  /* A new push of the same file: the receiver asks for what it lacks. */
  peer_set (&f->sender, msrp_file_transfer_new_push (f->source, NULL), FALSE);
  offer = initialize (&f->sender, NULL);
  peer_set (&f->receiver, msrp_file_transfer_new_from_offer (offer, f->destination, &error), FALSE);
  g_assert_no_error (error);
  answer = initialize (&f->receiver, offer);
  g_assert_true (msrp_sdp_media_get_file_range (answer, &start, &stop));
  g_assert_cmpint (start, ==, kept + 1);
  g_assert_cmpint (stop, ==, size);
  g_assert_cmpint (msrp_file_transfer_get_bytes_transferred (f->receiver.transfer), ==, kept);
  start_both (&f->sender, answer, &f->receiver);
  g_assert_true (msrp_file_transfer_get_range (f->sender.transfer, &start, NULL));
  g_assert_cmpint (start, ==, kept + 1);
  assert_success (f);
}

/* The sender of a push resumes with a range of its own (it knows what the
 * receiver acknowledged). */
static void
test_resume_push_set_range (Fixture       *f,
                            gconstpointer  data)
{
  gsize size = 4 * MIB;
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 acknowledged, start, stop;

  write_source (f, size);
  push_edited (f, FALSE, NULL, NULL);
  interrupt_after (&f->receiver, MIB);
  wait_done (f);
  acknowledged = msrp_file_transfer_get_bytes_transferred (f->sender.transfer);
  peer_clear (&f->sender);
  peer_clear (&f->receiver);

  peer_set (&f->sender, msrp_file_transfer_new_push (f->source, NULL), FALSE);
  msrp_file_transfer_set_range (f->sender.transfer, acknowledged + 1, -1);
  offer = initialize (&f->sender, NULL);
  g_assert_true (msrp_sdp_media_get_file_range (offer, &start, &stop));
  g_assert_cmpint (start, ==, acknowledged + 1);
  g_assert_cmpint (stop, ==, -1);
  peer_set (&f->receiver, msrp_file_transfer_new_from_offer (offer, f->destination, &error), FALSE);
  answer = initialize (&f->receiver, offer);
  start_both (&f->sender, answer, &f->receiver);
  assert_success (f);
}

static void
test_resume_pull (Fixture       *f,
                  gconstpointer  data)
{
  gsize size = 5 * MIB + 77;
  g_autoptr(MsrpFileSelector) selector = NULL;
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;
  g_autoptr(MsrpSdpMedia) offer2 = NULL;
  g_autoptr(MsrpSdpMedia) answer2 = NULL;
  g_autoptr(GFile) part = part_file (f);
  g_autoptr(GError) error = NULL;
  gint64 kept, start, stop;

  write_source (f, size);
  selector = selector_of (f->source);
  peer_set (&f->receiver, msrp_file_transfer_new_pull (selector, f->destination), FALSE);
  offer = initialize (&f->receiver, NULL);
  g_assert_false (msrp_sdp_media_get_file_range (offer, NULL, NULL));
  peer_set (&f->sender, msrp_file_transfer_new_from_offer (offer, f->source, &error), FALSE);
  answer = initialize (&f->sender, offer);
  start_both (&f->receiver, answer, &f->sender);
  interrupt_after (&f->receiver, 2 * MIB);
  wait_done (f);
  g_assert_true (f->receiver.end.ended);
  g_assert_error (f->sender.end.failed, MSRP_ERROR, MSRP_ERROR_TRANSFER_INCOMPLETE);
  peer_clear (&f->sender);
  peer_clear (&f->receiver);
  kept = file_size (part);
  g_assert_cmpint (kept, >=, 2 * MIB);
  g_assert_cmpint (kept, <, (gint64) size);

  /* The new pull offers the range its partial file lacks. */
  peer_set (&f->receiver, msrp_file_transfer_new_pull (selector, f->destination), FALSE);
  offer2 = initialize (&f->receiver, NULL);
  g_assert_true (msrp_sdp_media_get_file_range (offer2, &start, &stop));
  g_assert_cmpint (start, ==, kept + 1);
  g_assert_cmpint (stop, ==, size);
  peer_set (&f->sender, msrp_file_transfer_new_from_offer (offer2, f->source, &error), FALSE);
  g_assert_no_error (error);
  answer2 = initialize (&f->sender, offer2);
  g_assert_true (msrp_sdp_media_get_file_range (answer2, &start, NULL));
  g_assert_cmpint (start, ==, kept + 1);
  start_both (&f->receiver, answer2, &f->sender);
  assert_success (f);
}

/* The sender vanishes mid-transfer: the receiver fails, and keeps what
 * it got for a resume. */
static void
on_sender_chunk (MsrpSession *session,
                 MsrpChunk   *chunk,
                 Fixture     *f)
{
  if (f->receiver.end_after > 0 && (f->receiver.seen += msrp_chunk_get_size (chunk)) >= f->receiver.end_after)
    {
      f->receiver.end_after = 0;
      end_in_idle (&f->sender);
    }
}

static void
test_sender_vanishes (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GFile) part = part_file (f);

  /* Larger than what the window and the socket buffers hold: the sender
   * stops before the receiver has it all. */
  write_source (f, 32 * MIB);
  push_edited (f, FALSE, NULL, NULL);
  f->receiver.end_after = MIB;
  g_signal_connect (msrp_stream_get_session (MSRP_STREAM (f->receiver.transfer)), "chunk-received",
                    G_CALLBACK (on_sender_chunk), f);
  wait_done (f);
  g_assert_true (f->sender.end.ended);
  g_assert_error (f->receiver.end.failed, MSRP_ERROR, MSRP_ERROR_TRANSFER_INCOMPLETE);
  g_assert_false (exists (f->destination));
  g_assert_cmpint (file_size (part), >=, MIB);
}

static void
edit_hash (MsrpSdpMedia *offer,
           Fixture      *f)
{
  MsrpFileSelector *real = msrp_sdp_media_get_file_selector (offer);
  g_autoptr(MsrpFileSelector) wrong =
    msrp_file_selector_new (msrp_file_selector_get_name (real), msrp_file_selector_get_content_type (real),
                            msrp_file_selector_get_size (real),
                            "sha-1:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33");

  msrp_sdp_media_set_file_selector (offer, wrong);
}

/* The sender checks that the answer is about its file: give it its own. */
static void
restore_selector (MsrpSdpMedia *answer,
                  Fixture      *f)
{
  msrp_sdp_media_set_file_selector (answer, msrp_file_transfer_get_selector (f->sender.transfer));
}

static void
test_hash_mismatch (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GFile) part = part_file (f);

  write_source (f, MIB + 3);
  push_edited (f, FALSE, edit_hash, restore_selector);
  wait_done (f);
  g_assert_error (f->receiver.end.failed, MSRP_ERROR, MSRP_ERROR_HASH_MISMATCH);
  /* The bad file is not left under the destination name, nor to resume. */
  g_assert_false (exists (f->destination));
  g_assert_false (exists (part));
  /* The sender hears of it through a failure REPORT. */
  g_assert_error (f->sender.end.failed, MSRP_TRANSACTION_ERROR, MSRP_STATUS_BAD_REQUEST);
}

static void
edit_accept_types (MsrpSdpMedia *offer,
                   Fixture      *f)
{
  const char * const types[] = { "image/png", NULL };

  msrp_sdp_media_set_accept_types (offer, types);
}

static void
test_refused_415 (Fixture       *f,
                  gconstpointer  data)
{
  write_source (f, 200 * 1024);
  push_edited (f, FALSE, edit_accept_types, NULL);
  wait_done (f);
  g_assert_error (f->sender.end.failed, MSRP_TRANSACTION_ERROR, MSRP_STATUS_UNSUPPORTED_MEDIA_TYPE);
  g_assert_error (f->receiver.end.failed, MSRP_ERROR, MSRP_ERROR_TRANSFER_INCOMPLETE);
  g_assert_false (exists (f->destination));
}

static void
edit_size (MsrpSdpMedia *offer,
           Fixture      *f)
{
  MsrpFileSelector *real = msrp_sdp_media_get_file_selector (offer);
  g_autoptr(MsrpFileSelector) smaller =
    msrp_file_selector_new (msrp_file_selector_get_name (real), msrp_file_selector_get_content_type (real),
                            msrp_file_selector_get_size (real) - 1000, msrp_file_selector_get_hash (real));

  msrp_sdp_media_set_file_selector (offer, smaller);
}

static void
test_refused_413 (Fixture       *f,
                  gconstpointer  data)
{
  write_source (f, 300 * 1024);
  push_edited (f, FALSE, edit_size, restore_selector);
  wait_done (f);
  g_assert_error (f->sender.end.failed, MSRP_TRANSACTION_ERROR, MSRP_STATUS_STOP_SENDING);
  g_assert_error (f->receiver.end.failed, MSRP_ERROR, MSRP_ERROR_TRANSFER_INCOMPLETE);
  g_assert_false (exists (f->destination));
}

static void
test_unreadable_source (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* No such file: a read error whoever runs the test. */
  peer_set (&f->sender, msrp_file_transfer_new_push (f->source, NULL), FALSE);
  error = initialize_error (&f->sender, NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (strstr (error->message, "source.bin") != NULL);
  g_assert_error (f->sender.end.failed, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpint (msrp_stream_get_state (MSRP_STREAM (f->sender.transfer)), ==, MSRP_STREAM_STATE_FAILED);
}

static void
test_unwritable_destination (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->dir, "read-only", NULL);
  g_autofree char *path = g_build_filename (dir, "received.bin", NULL);
  g_autoptr(GFile) destination = g_file_new_for_path (path);
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(GError) error = NULL;

  write_source (f, 1000);
  if (geteuid () == 0)
    {
      /* root writes into read-only directories: a file in the way then. */
      g_assert_true (g_file_set_contents (dir, "", 0, NULL));
    }
  else
    {
      g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
      g_assert_cmpint (g_chmod (dir, 0500), ==, 0);
    }
  peer_set (&f->sender, msrp_file_transfer_new_push (f->source, NULL), FALSE);
  offer = initialize (&f->sender, NULL);
  peer_set (&f->receiver, msrp_file_transfer_new_from_offer (offer, destination, &error), FALSE);
  g_assert_no_error (error);
  error = initialize_error (&f->receiver, offer);
  g_assert_true (error->domain == G_IO_ERROR);
  g_assert_true (strstr (error->message, "received.bin") != NULL);
  g_assert_nonnull (f->receiver.end.failed);
}

/* A large file is written as it comes, never kept in memory: what waits
 * for the disk stays within a few MiB. */
static void
test_backpressure (Fixture       *f,
                   gconstpointer  data)
{
  write_source (f, 48 * MIB);
  push_edited (f, FALSE, NULL, NULL);
  assert_success (f);
  g_assert_cmpuint (_msrp_file_transfer_get_max_queued (f->receiver.transfer), >, 0);
  g_assert_cmpuint (_msrp_file_transfer_get_max_queued (f->receiver.transfer), <=, 3 * MIB);
}

static void
test_empty_file (Fixture       *f,
                 gconstpointer  data)
{
  write_source (f, 0);
  push_edited (f, FALSE, NULL, NULL);
  assert_success (f);
}

static void
test_bad_offer (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(MsrpSdpMedia) media = msrp_sdp_media_new ("message");
  g_autoptr(GError) error = NULL;
  MsrpFileTransfer *transfer;

  transfer = msrp_file_transfer_new_from_offer (media, f->destination, &error);
  g_assert_null (transfer);
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, data, func) \
  g_test_add ("/file-transfer/" name, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("push/tcp", GINT_TO_POINTER (FALSE), test_push);
  ADD ("push/tls", GINT_TO_POINTER (TRUE), test_push);
  ADD ("push/empty", NULL, test_empty_file);
  ADD ("pull", NULL, test_pull);
  ADD ("pull/wrong-file", NULL, test_pull_wrong_file);
  ADD ("resume/push", NULL, test_resume_push);
  ADD ("resume/push-set-range", NULL, test_resume_push_set_range);
  ADD ("resume/pull", NULL, test_resume_pull);
  ADD ("errors/sender-vanishes", NULL, test_sender_vanishes);
  ADD ("errors/hash-mismatch", NULL, test_hash_mismatch);
  ADD ("errors/refused-415", NULL, test_refused_415);
  ADD ("errors/refused-413", NULL, test_refused_413);
  ADD ("errors/unreadable-source", NULL, test_unreadable_source);
  ADD ("errors/unwritable-destination", NULL, test_unwritable_destination);
  ADD ("errors/bad-offer", NULL, test_bad_offer);
  ADD ("backpressure", NULL, test_backpressure);

  return g_test_run ();
}
