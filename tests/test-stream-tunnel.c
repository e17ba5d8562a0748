/* test-stream-tunnel.c: MsrpStreamTunnel between two streams on loopback
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "msrp-glib.h"
#include "msrp-tunnel-io-stream-private.h"
#include "test-stream-utils.h"
#include "test-utils.h"

#define MIB (1024 * 1024)
#define CONTENT_TYPE "application/x-rfb"

typedef struct {
  MsrpStreamTunnel *tunnel;
  TestStreamEnd end;
} Peer;

typedef struct {
  guint watchdog;
  Peer offerer;
  Peer answerer;
  char *offer;                /* as sent */
  char *answer;
} Fixture;

static void
peer_set (Peer           *peer,
          MsrpTunnelRole  role,
          gboolean        tls)
{
  g_autoptr(MsrpUri) local_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);

  peer->tunnel = msrp_stream_tunnel_new (CONTENT_TYPE);
  msrp_stream_tunnel_set_role (peer->tunnel, role);
  msrp_stream_set_local_uri (MSRP_STREAM (peer->tunnel), local_uri);
  msrp_stream_set_use_tls (MSRP_STREAM (peer->tunnel), tls);
  test_stream_watch_end (MSRP_STREAM (peer->tunnel), &peer->end);
}

static void
peer_clear (Peer *peer)
{
  if (peer->tunnel != NULL)
    {
      g_signal_handlers_disconnect_by_data (peer->tunnel, &peer->end);
      g_clear_object (&peer->tunnel);
    }
  g_clear_error (&peer->end.failed);
}

static GIOStream *
io_of (Peer *peer)
{
  return msrp_stream_tunnel_get_stream (peer->tunnel);
}

static MsrpTunnelIOStream *
private_io_of (Peer *peer)
{
  return MSRP_TUNNEL_IO_STREAM (io_of (peer));
}

/* Initializes @peer with @offer (NULL: an offer), and gives the media as
 * the peer would read it. */
static MsrpSdpMedia *
initialize (Peer          *peer,
            MsrpSdpMedia  *offer,
            char         **text,
            GError       **error)
{
  g_autoptr(MsrpSdpMedia) media = test_stream_initialize (MSRP_STREAM (peer->tunnel), offer, error);

  if (media == NULL)
    return NULL;
  return test_through_sdp (media, text);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->watchdog = test_watchdog_start (60);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  peer_clear (&f->offerer);
  peer_clear (&f->answerer);
  test_drain ();
  g_free (f->offer);
  g_free (f->answer);
  test_watchdog_stop (f->watchdog);
}

/* Two tunnels, started: the offerer shares its screen. */
static void
connect_pair (Fixture  *f,
              gboolean  tls)
{
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;
  g_autoptr(GError) error = NULL;

  peer_set (&f->offerer, MSRP_TUNNEL_ROLE_PASSIVE, tls);
  peer_set (&f->answerer, MSRP_TUNNEL_ROLE_NONE, tls);
  offer = initialize (&f->offerer, NULL, &f->offer, &error);
  g_assert_no_error (error);
  answer = initialize (&f->answerer, offer, &f->answer, &error);
  g_assert_no_error (error);

  test_stream_start_both (MSRP_STREAM (f->offerer.tunnel), answer, MSRP_STREAM (f->answerer.tunnel));
}

/* Writing: @total bytes of a seeded generator, in writes of random sizes,
 * then (unless @keep_open) a close. */
typedef struct {
  GOutputStream *out;
  GRand *rand;
  GChecksum *sum;
  guint8 *buf;
  gsize buf_len;
  gsize buf_off;
  guint64 total;
  guint64 written;
  gboolean keep_open;
  gboolean pending;           /* a write is out */
  gboolean done;
  GError *error;
} Writer;

static void write_next (Writer *w);

static void
on_closed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Writer *w = user_data;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &w->error))
    g_assert_nonnull (w->error);
  w->done = TRUE;
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Writer *w = user_data;
  gssize n = g_output_stream_write_finish (G_OUTPUT_STREAM (source), result, &w->error);

  w->pending = FALSE;
  if (n < 0)
    {
      w->done = TRUE;
      return;
    }
  g_checksum_update (w->sum, w->buf + w->buf_off, n);
  w->buf_off += n;
  w->written += n;
  write_next (w);
}

static void
write_next (Writer *w)
{
  if (w->buf_off == w->buf_len)
    {
      gsize size = MIN (w->total - w->written, (guint64) g_rand_int_range (w->rand, 1, 200 * 1024));

      if (size == 0)
        {
          if (w->keep_open)
            w->done = TRUE;
          else
            g_output_stream_close_async (w->out, G_PRIORITY_DEFAULT, NULL, on_closed, w);
          return;
        }
      g_free (w->buf);
      w->buf = g_malloc (size);
      for (gsize i = 0; i < size; i++)
        w->buf[i] = g_rand_int (w->rand);
      w->buf_len = size;
      w->buf_off = 0;
    }
  w->pending = TRUE;
  g_output_stream_write_async (w->out, w->buf + w->buf_off, w->buf_len - w->buf_off,
                               G_PRIORITY_DEFAULT, NULL, on_written, w);
}

static void
writer_start (Writer *w,
              Peer   *peer,
              guint64 total,
              guint32 seed)
{
  memset (w, 0, sizeof *w);
  w->out = g_io_stream_get_output_stream (io_of (peer));
  w->rand = g_rand_new_with_seed (seed);
  w->sum = g_checksum_new (G_CHECKSUM_SHA256);
  w->total = total;
  write_next (w);
}

static void
writer_clear (Writer *w)
{
  g_rand_free (w->rand);
  g_checksum_free (w->sum);
  g_free (w->buf);
  g_clear_error (&w->error);
}

/* Reading to end-of-file, in reads of random sizes. */
typedef struct {
  GInputStream *in;
  GChecksum *sum;
  guint8 buf[256 * 1024];
  guint64 received;
  gboolean done;
  GError *error;
} Reader;

static void read_next (Reader *r);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reader *r = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &r->error);

  if (n <= 0)
    {
      r->done = TRUE;
      return;
    }
  g_checksum_update (r->sum, r->buf, n);
  r->received += n;
  read_next (r);
}

static void
read_next (Reader *r)
{
  g_input_stream_read_async (r->in, r->buf, g_test_rand_int_range (1, sizeof r->buf),
                             G_PRIORITY_DEFAULT, NULL, on_read, r);
}

static Reader *
reader_start (Peer *peer)
{
  Reader *r = g_new0 (Reader, 1);

  r->in = g_io_stream_get_input_stream (io_of (peer));
  r->sum = g_checksum_new (G_CHECKSUM_SHA256);
  read_next (r);
  return r;
}

static void
reader_free (Reader *r)
{
  g_checksum_free (r->sum);
  g_clear_error (&r->error);
  g_free (r);
}

static void
assert_same (Writer *w,
             Reader *r)
{
  g_assert_no_error (w->error);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->received, ==, w->total);
  g_assert_cmpstr (g_checksum_get_string (r->sum), ==, g_checksum_get_string (w->sum));
}

/* The bytes the allocator has handed out and not got back; 0 where that
 * is unknown (another libc; a sanitizer's allocator shows nothing here
 * either, and checks leaks itself). */
static gsize
heap_in_use (void)
{
#if defined (__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
#else
  return 0;
#endif
}

/* Tests */

static void
test_sdp (Fixture       *f,
          gconstpointer  data)
{
  connect_pair (f, FALSE);

  g_assert_true (g_str_has_prefix (f->offer, "m=application "));
  g_assert_nonnull (strstr (f->offer, " TCP/MSRP *\r\n"));
  g_assert_nonnull (strstr (f->offer, "a=accept-types:application/x-rfb\r\n"));
  g_assert_nonnull (strstr (f->offer, "a=rfbsetup:passive\r\n"));
  /* The answerer takes the other end: the viewer. */
  g_assert_nonnull (strstr (f->answer, "a=rfbsetup:active\r\n"));
  g_assert_cmpint (msrp_stream_tunnel_get_role (f->answerer.tunnel), ==, MSRP_TUNNEL_ROLE_ACTIVE);
  g_assert_cmpstr (msrp_stream_tunnel_get_content_type (f->answerer.tunnel), ==, CONTENT_TYPE);
}

static void
test_sdp_conflict (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  peer_set (&f->offerer, MSRP_TUNNEL_ROLE_PASSIVE, FALSE);
  peer_set (&f->answerer, MSRP_TUNNEL_ROLE_PASSIVE, FALSE);
  offer = initialize (&f->offerer, NULL, &f->offer, &error);
  g_assert_no_error (error);
  answer = initialize (&f->answerer, offer, &text, &error);
  g_assert_null (answer);
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED);
}

/* 16 MiB in all, both ways at once, in writes and reads of random sizes. */
static void
test_bytes (Fixture       *f,
            gconstpointer  data)
{
  Writer wa, wb;
  Reader *ra, *rb;
  gsize heap;

  connect_pair (f, GPOINTER_TO_INT (data));
  heap = heap_in_use ();
  writer_start (&wa, &f->offerer, 8 * MIB + 17, 1);
  writer_start (&wb, &f->answerer, 8 * MIB - 5, 2);
  ra = reader_start (&f->offerer);
  rb = reader_start (&f->answerer);
  test_wait_for (&wa.done);
  test_wait_for (&wb.done);
  test_wait_for (&ra->done);
  test_wait_for (&rb->done);
  assert_same (&wa, rb);
  assert_same (&wb, ra);
  /* What went through is not kept (16 MiB did). */
  g_assert_cmpuint (heap_in_use (), <, heap + 4 * MIB);
  /* What waited on either side stayed bounded. */
  g_assert_cmpuint (_msrp_tunnel_io_stream_get_max_buffered (private_io_of (&f->answerer)), <=,
                    MSRP_TUNNEL_INPUT_HIGH + MSRP_DEFAULT_MAX_CHUNK_SIZE);
  g_assert_cmpuint (_msrp_tunnel_io_stream_get_max_queued (private_io_of (&f->offerer)), <=,
                    MSRP_TUNNEL_OUTPUT_HIGH + MSRP_DEFAULT_MAX_CHUNK_SIZE);

  test_stream_end (MSRP_STREAM (f->offerer.tunnel));
  test_wait_for (&f->answerer.end.done);
  g_assert_true (f->answerer.end.ended);
  writer_clear (&wa);
  writer_clear (&wb);
  reader_free (ra);
  reader_free (rb);
}

static gboolean
writer_stuck (Writer *w)
{
  return w->pending &&
         !g_pollable_output_stream_is_writable (G_POLLABLE_OUTPUT_STREAM (w->out));
}

/* The peer does not read: the writer waits, memory stays bounded on both
 * sides; once the peer reads, everything arrives. */
static void
test_backpressure (Fixture       *f,
                   gconstpointer  data)
{
  Writer w;
  Reader *r;
  guint64 written;
  MsrpTunnelIOStream *receiver;

  connect_pair (f, FALSE);
  receiver = private_io_of (&f->answerer);
  writer_start (&w, &f->offerer, 64 * MIB, 3);
  /* Until the writer is held up with the receiver's buffer full. */
  while (!w.done && !(writer_stuck (&w) && _msrp_tunnel_io_stream_get_max_buffered (receiver) > MSRP_TUNNEL_INPUT_HIGH))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (w.done);
  test_drain ();
  written = w.written;
  g_assert_cmpuint (written, <, 32 * MIB);
  g_assert_true (writer_stuck (&w));
  g_assert_cmpuint (_msrp_tunnel_io_stream_get_max_buffered (receiver), <=,
                    MSRP_TUNNEL_INPUT_HIGH + MSRP_DEFAULT_MAX_CHUNK_SIZE);
  g_assert_cmpuint (_msrp_tunnel_io_stream_get_max_queued (private_io_of (&f->offerer)), <=,
                    MSRP_TUNNEL_OUTPUT_HIGH + MSRP_DEFAULT_MAX_CHUNK_SIZE);
  g_test_message ("the writer waited after %" G_GUINT64_FORMAT " bytes", written);

  r = reader_start (&f->answerer);
  test_wait_for (&w.done);
  test_wait_for (&r->done);
  assert_same (&w, r);
  g_assert_cmpuint (_msrp_tunnel_io_stream_get_max_buffered (receiver), <=,
                    MSRP_TUNNEL_INPUT_HIGH + MSRP_DEFAULT_MAX_CHUNK_SIZE);
  writer_clear (&w);
  reader_free (r);
}

typedef struct {
  char buf[64];
  gsize len;
  gboolean done;
  gboolean eof;
  GError *error;
} ReadAll;

static void
on_read_all (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ReadAll *ra = user_data;
  gsize n = 0;

  g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &n, &ra->error);
  ra->len = n;
  ra->eof = n < sizeof ra->buf;
  ra->done = TRUE;
}

/* Reads until end-of-file (or 64 bytes). */
static void
read_all (Peer    *peer,
          ReadAll *ra)
{
  memset (ra, 0, sizeof *ra);
  g_input_stream_read_all_async (g_io_stream_get_input_stream (io_of (peer)), ra->buf, sizeof ra->buf,
                                 G_PRIORITY_DEFAULT, NULL, on_read_all, ra);
  test_wait_for (&ra->done);
  g_assert_no_error (ra->error);
}

static void
on_read_all_bytes (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ReadAll *ra = user_data;

  g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &ra->len, &ra->error);
  ra->done = TRUE;
}

static void
count_chunk (MsrpSession *session,
             MsrpChunk   *chunk,
             guint       *n)
{
  (*n)++;
}

/* Small writes made while a message is going out are gathered into the
 * next one: 1000 writes of 10 bytes in one turn of the main loop take a
 * few SENDs, not 1000, and arrive whole and in order. */
static void
test_small_writes (Fixture       *f,
                   gconstpointer  data)
{
  GPollableOutputStream *out;
  MsrpSession *receiving;
  g_autoptr(GString) sent = g_string_new (NULL);
  g_autofree char *got = g_malloc (10000);
  ReadAll op = { 0 };
  guint chunks = 0;

  connect_pair (f, FALSE);
  out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (io_of (&f->offerer)));
  receiving = msrp_stream_get_session (MSRP_STREAM (f->answerer.tunnel));
  g_signal_connect (receiving, "chunk-received", G_CALLBACK (count_chunk), &chunks);
  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(GError) error = NULL;
      char piece[11];

      g_snprintf (piece, sizeof piece, "%09u,", i);
      g_assert_cmpint (g_pollable_output_stream_write_nonblocking (out, piece, 10, NULL, &error), ==, 10);
      g_assert_no_error (error);
      g_string_append_len (sent, piece, 10);
    }

  g_input_stream_read_all_async (g_io_stream_get_input_stream (io_of (&f->answerer)), got, 10000,
                                 G_PRIORITY_DEFAULT, NULL, on_read_all_bytes, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_cmpmem (got, op.len, sent->str, sent->len);
  g_assert_cmpuint (chunks, >=, 2);
  g_assert_cmpuint (chunks, <=, 3);
  g_signal_handlers_disconnect_by_data (receiving, &chunks);
}

static void
on_written_all (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  TestStreamOp *op = user_data;

  op->ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &op->error);
  op->done = TRUE;
}

static void
on_io_closed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TestStreamOp *op = user_data;

  if (G_IS_OUTPUT_STREAM (source))
    op->ok = g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &op->error);
  else
    op->ok = g_io_stream_close_finish (G_IO_STREAM (source), result, &op->error);
  op->done = TRUE;
}

static void
write_text (Peer       *peer,
            const char *text)
{
  TestStreamOp op = { 0 };

  g_output_stream_write_all_async (g_io_stream_get_output_stream (io_of (peer)), text, strlen (text),
                                   G_PRIORITY_DEFAULT, NULL, on_written_all, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
}

/* Closing one side's output gives EOF on the other, which may still
 * answer: a half close; closing the GIOStream closes the rest. */
static void
test_eof (Fixture       *f,
          gconstpointer  data)
{
  ReadAll ra;
  TestStreamOp op = { 0 };

  connect_pair (f, GPOINTER_TO_INT (data));
  write_text (&f->offerer, "hello");
  g_output_stream_close_async (g_io_stream_get_output_stream (io_of (&f->offerer)), G_PRIORITY_DEFAULT,
                               NULL, on_io_closed, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  read_all (&f->answerer, &ra);
  g_assert_true (ra.eof);
  g_assert_cmpmem (ra.buf, ra.len, "hello", 5);

  write_text (&f->answerer, "world");
  memset (&op, 0, sizeof op);
  g_io_stream_close_async (io_of (&f->answerer), G_PRIORITY_DEFAULT, NULL, on_io_closed, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  read_all (&f->offerer, &ra);
  g_assert_true (ra.eof);
  g_assert_cmpmem (ra.buf, ra.len, "world", 5);

  /* The MSRP stream goes on until ended. */
  g_assert_cmpint (msrp_stream_get_state (MSRP_STREAM (f->offerer.tunnel)), ==, MSRP_STREAM_STATE_STARTED);
  test_stream_end (MSRP_STREAM (f->answerer.tunnel));
  test_wait_for (&f->offerer.end.done);
  g_assert_true (f->offerer.end.ended);
}

/* The peer ends the stream: what it wrote arrives, then EOF; our writes
 * fail. */
static void
test_peer_ends (Fixture       *f,
                gconstpointer  data)
{
  ReadAll ra;
  TestStreamOp op = { 0 };

  connect_pair (f, FALSE);
  write_text (&f->answerer, "bye");
  test_stream_end (MSRP_STREAM (f->answerer.tunnel));
  test_wait_for (&f->offerer.end.done);
  g_assert_true (f->offerer.end.ended);
  read_all (&f->offerer, &ra);
  g_assert_true (ra.eof);
  g_assert_cmpmem (ra.buf, ra.len, "bye", 3);

  g_output_stream_write_all_async (g_io_stream_get_output_stream (io_of (&f->offerer)), "x", 1,
                                   G_PRIORITY_DEFAULT, NULL, on_written_all, &op);
  test_wait_for (&op.done);
  g_assert_error (op.error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  g_clear_error (&op.error);
}

/* Ending while a write waits (the peer is not reading): the write fails,
 * both streams end, the peer reads what went out, then EOF. */
static void
test_end_while_writing (Fixture       *f,
                        gconstpointer  data)
{
  Writer w;
  Reader *r;
  TestStreamOp op = { 0 };

  connect_pair (f, FALSE);
  writer_start (&w, &f->offerer, 64 * MIB, 4);
  while (!writer_stuck (&w))
    g_main_context_iteration (NULL, TRUE);

  msrp_stream_end_async (MSRP_STREAM (f->offerer.tunnel), NULL, test_stream_on_done, &op);
  test_wait_for (&w.done);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);

  r = reader_start (&f->answerer);
  test_wait_for (&r->done);
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->received, >, 0);
  g_assert_cmpuint (r->received, <=, w.written);
  test_wait_for (&op.done);
  g_assert_true (f->offerer.end.ended);
  test_wait_for (&f->answerer.end.done);
  g_assert_true (f->answerer.end.ended);
  writer_clear (&w);
  reader_free (r);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, data, func) \
  g_test_add ("/stream-tunnel/" name, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("sdp", NULL, test_sdp);
  ADD ("sdp/conflict", NULL, test_sdp_conflict);
  ADD ("bytes/tcp", GINT_TO_POINTER (FALSE), test_bytes);
  ADD ("bytes/tls", GINT_TO_POINTER (TRUE), test_bytes);
  ADD ("backpressure", NULL, test_backpressure);
  ADD ("small-writes", NULL, test_small_writes);
  ADD ("eof/tcp", GINT_TO_POINTER (FALSE), test_eof);
  ADD ("eof/tls", GINT_TO_POINTER (TRUE), test_eof);
  ADD ("peer-ends", NULL, test_peer_ends);
  ADD ("end-while-writing", NULL, test_end_while_writing);

  return g_test_run ();
}
