/* test-transport.c: MsrpTransport over real loopback sockets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"
#include "msrp-transport-private.h"
#include "test-utils.h"

#define TIMEOUT_SECONDS 10

typedef struct {
  GSocketConnection *conn_a;   /* client side */
  GSocketConnection *conn_b;   /* server side */
  MsrpTransport *a;
  MsrpTransport *b;
  GPtrArray *path_a;
  GPtrArray *path_b;
  guint timeout_id;
} Fixture;

/* Iterates the main context until *flag, failing the test on timeout. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->timeout_id = test_watchdog_start (TIMEOUT_SECONDS);
  test_socket_pair (&f->conn_a, &f->conn_b);
  f->path_a = test_path ("msrp://127.0.0.1:7001/alicesession;tcp");
  f->path_b = test_path ("msrp://127.0.0.1:7002/bobsession;tcp");
  f->a = msrp_transport_new (G_IO_STREAM (f->conn_a), f->path_a, f->path_b);
  f->b = msrp_transport_new (G_IO_STREAM (f->conn_b), f->path_b, f->path_a);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->a);
  g_clear_object (&f->b);
  g_clear_object (&f->conn_a);
  g_clear_object (&f->conn_b);
  g_clear_pointer (&f->path_a, g_ptr_array_unref);
  g_clear_pointer (&f->path_b, g_ptr_array_unref);
  test_watchdog_stop (f->timeout_id);
  /* Let closes and cancellations finish, so that nothing leaks. */
  test_drain ();
}

/* Reads with a size limit, giving the error instead of asserting. */
static MsrpChunk *
read_chunk (MsrpTransport *t,
            gsize          max_size,
            GError       **error)
{
  TestOp r = { 0, };

  msrp_transport_read_chunk_async (t, max_size, NULL, test_on_read, &r);
  test_wait_for (&r.done);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.chunk;
}

static void
write_raw (GSocketConnection *conn,
           const char        *data,
           gssize             len)
{
  GError *error = NULL;

  /* Small writes on a fresh loopback socket never block. */
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), data,
                             len < 0 ? strlen (data) : (gsize) len, NULL, NULL, &error);
  g_assert_no_error (error);
}

static GBytes *
bytes_from (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

/* Tests */

static void
test_send_and_respond (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) body = bytes_from ("Hello, Bob");
  g_autoptr(MsrpChunk) send = msrp_transport_make_chunk (f->a, NULL, body, "text/plain");
  g_autoptr(MsrpChunk) got = NULL;
  g_autoptr(MsrpChunk) response = NULL;
  g_autoptr(MsrpChunk) got_response = NULL;
  g_autofree char *to = NULL;
  g_autofree char *from = NULL;
  gint64 start, end, total;
  GError *error = NULL;

  g_assert_cmpstr (msrp_chunk_get_method (send), ==, "SEND");
  g_assert_nonnull (msrp_chunk_get_message_id (send));
  msrp_chunk_get_byte_range (send, &start, &end, &total);
  g_assert_cmpint (start, ==, 1);
  g_assert_cmpint (end, ==, 10);
  g_assert_cmpint (total, ==, 10);

  test_write_chunk (f->a, send);
  got = test_read_chunk (f->b);
  g_assert_cmpstr (msrp_chunk_get_method (got), ==, "SEND");
  g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (send));
  g_assert_cmpstr (msrp_chunk_get_message_id (got), ==, msrp_chunk_get_message_id (send));
  g_assert_true (g_bytes_equal (msrp_chunk_get_data (got), body));
  to = msrp_path_to_string (msrp_chunk_get_to_path (got));
  from = msrp_path_to_string (msrp_chunk_get_from_path (got));
  g_assert_cmpstr (to, ==, "msrp://127.0.0.1:7002/bobsession;tcp");
  g_assert_cmpstr (from, ==, "msrp://127.0.0.1:7001/alicesession;tcp");
  g_assert_true (msrp_transport_check_incoming_send_chunk (f->b, got, &error));
  g_assert_no_error (error);

  response = msrp_transport_make_response (f->b, got, 200, NULL);
  test_write_chunk (f->b, response);
  got_response = test_read_chunk (f->a);
  g_assert_false (msrp_chunk_is_request (got_response));
  g_assert_cmpuint (msrp_chunk_get_code (got_response), ==, 200);
  g_assert_cmpstr (msrp_chunk_get_comment (got_response), ==, "OK");
  g_assert_cmpstr (msrp_chunk_get_transaction_id (got_response), ==, msrp_chunk_get_transaction_id (send));
  g_clear_pointer (&to, g_free);
  to = msrp_path_to_string (msrp_chunk_get_to_path (got_response));
  g_assert_cmpstr (to, ==, "msrp://127.0.0.1:7001/alicesession;tcp");
}

static void
test_empty_send (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(MsrpChunk) send = msrp_transport_make_chunk (f->a, NULL, NULL, NULL);
  g_autoptr(MsrpChunk) got = NULL;
  g_autoptr(GBytes) wire = msrp_chunk_encode (send);

  /* The binding SEND has no body at all: some peers fail on one. */
  g_assert_null (msrp_chunk_get_data (send));
  g_assert_null (g_strstr_len (g_bytes_get_data (wire, NULL), g_bytes_get_size (wire), "Content-Type"));
  g_assert_cmpstr (msrp_chunk_get_header (send, "Byte-Range"), ==, "1-0/0");
  test_write_chunk (f->a, send);
  got = test_read_chunk (f->b);
  g_assert_null (msrp_chunk_get_data (got));
  g_assert_cmpuint (msrp_chunk_get_size (got), ==, 0);
}

static void
on_pipelined_write (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  guint *done = user_data;
  GError *error = NULL;

  g_assert_true (msrp_transport_write_chunk_finish (MSRP_TRANSPORT (source), result, &error));
  g_assert_no_error (error);
  (*done)++;
}

static void
test_pipelined (Fixture       *f,
                gconstpointer  data)
{
  const guint n = 500;
  guint written = 0;
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func (g_object_unref);

  /* All writes queued at once; they go out in order, and the reader sees
   * them in order even though many arrive in one read. */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u", i);
      g_autoptr(GBytes) body = bytes_from (text);
      MsrpChunk *chunk = msrp_transport_make_chunk (f->a, NULL, body, "text/plain");

      g_ptr_array_add (sent, chunk);
      msrp_transport_write_chunk_async (f->a, chunk, NULL, on_pipelined_write, &written);
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsrpChunk) got = test_read_chunk (f->b);

      g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==,
                       msrp_chunk_get_transaction_id (g_ptr_array_index (sent, i)));
      g_assert_true (g_bytes_equal (msrp_chunk_get_data (got),
                                    msrp_chunk_get_data (g_ptr_array_index (sent, i))));
    }
  while (written < n)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_segments (Fixture       *f,
               gconstpointer  data)
{
  const gsize size = 100 * 1000 + 7;
  const gsize max = 16 * 1024;
  g_autofree guint8 *raw = g_malloc (size);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(MsrpChunk) send = NULL;
  g_autoptr(GByteArray) joined = g_byte_array_new ();
  gint64 expect_start = 1;
  guint expect_segment = 1;
  gboolean last = FALSE;

  for (gsize i = 0; i < size; i++)
    raw[i] = (guint8) (i * 7 + (i >> 8));
  body = g_bytes_new (raw, size);
  send = msrp_transport_make_chunk (f->a, NULL, body, "application/octet-stream");
  msrp_chunk_set_continuation (send, MSRP_CONTINUATION_MORE);
  test_write_chunk (f->a, send);

  while (!last)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MsrpChunk) part = read_chunk (f->b, max, &error);
      gint64 start, end, total;

      g_assert_no_error (error);
      g_assert_cmpuint (msrp_chunk_get_segment (part), ==, expect_segment++);
      g_assert_cmpuint (msrp_chunk_get_size (part), <=, max);
      g_assert_cmpuint (msrp_chunk_get_size (part), >, 0);
      g_assert_true (msrp_chunk_get_byte_range (part, &start, &end, &total));
      g_assert_cmpint (start, ==, expect_start);
      g_assert_cmpint (end, ==, start + (gint64) msrp_chunk_get_size (part) - 1);
      g_assert_cmpint (total, ==, size);
      g_assert_cmpstr (msrp_chunk_get_message_id (part), ==, msrp_chunk_get_message_id (send));
      expect_start = end + 1;
      g_byte_array_append (joined, g_bytes_get_data (msrp_chunk_get_data (part), NULL),
                           msrp_chunk_get_size (part));
      last = (gsize) end == size;
      /* Every part but the last says more follows; the last has the
       * chunk's own flag. */
      g_assert_cmpint (msrp_chunk_get_continuation (part), ==, MSRP_CONTINUATION_MORE);
    }
  g_assert_cmpuint (expect_segment - 1, ==, (size + max - 1) / max);
  g_assert_cmpmem (joined->data, joined->len, raw, size);

  /* A small chunk after it comes whole, as segment 0. */
  {
    g_autoptr(GBytes) small = bytes_from ("small");
    g_autoptr(MsrpChunk) next = msrp_transport_make_chunk (f->a, NULL, small, "text/plain");
    g_autoptr(MsrpChunk) got = NULL;
    g_autoptr(GError) error = NULL;

    test_write_chunk (f->a, next);
    got = read_chunk (f->b, max, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (msrp_chunk_get_segment (got), ==, 0);
    g_assert_cmpint (msrp_chunk_get_continuation (got), ==, MSRP_CONTINUATION_END);
    g_assert_true (g_bytes_equal (msrp_chunk_get_data (got), small));
  }
}

static void
test_malformed_gets_400 (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(MsrpChunk) good = NULL;
  g_autoptr(MsrpChunk) response = NULL;

  /* A request that can be framed but has a bad header line: the transport
   * answers 400 itself and reads on. */
  write_raw (f->conn_a,
             "MSRP bad0req1 SEND\r\n"
             "To-Path: msrp://127.0.0.1:7002/bobsession;tcp\r\n"
             "This is not a header\r\n"
             "Content-Type: text/plain\r\n\r\n"
             "dropped\r\n"
             "-------bad0req1$\r\n"
             "MSRP good0req SEND\r\n"
             "To-Path: msrp://127.0.0.1:7002/bobsession;tcp\r\n"
             "From-Path: msrp://127.0.0.1:7001/alicesession;tcp\r\n"
             "Message-ID: m1\r\n"
             "Content-Type: text/plain\r\n\r\n"
             "kept\r\n"
             "-------good0req$\r\n", -1);
  good = test_read_chunk (f->b);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (good), ==, "good0req");
  g_assert_cmpmem (g_bytes_get_data (msrp_chunk_get_data (good), NULL), 4, "kept", 4);

  response = test_read_chunk (f->a);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (response), ==, "bad0req1");
  g_assert_cmpuint (msrp_chunk_get_code (response), ==, 400);
}

#define RAW_PATHS "To-Path: msrp://127.0.0.1:7002/bobsession;tcp\r\n" \
                  "From-Path: msrp://127.0.0.1:7001/alicesession;tcp\r\n"

/* A SEND whose body begins at @start, @len bytes of 'x'. */
static void
write_raw_send (GSocketConnection *conn,
                const char        *tid,
                const char        *start,
                gsize              len)
{
  g_autofree char *body = g_strnfill (len, 'x');
  g_autofree char *chunk = g_strdup_printf ("MSRP %s SEND\r\n" RAW_PATHS
                                            "Message-ID: big0msg\r\n"
                                            "Byte-Range: %s-*/*\r\n"
                                            "Content-Type: text/plain\r\n\r\n"
                                            "%s\r\n-------%s$\r\n",
                                            tid, start, body, tid);

  write_raw (conn, chunk, -1);
}

/* The largest Byte-Range start the parser takes is G_MAXINT64 - 8: nine
 * bytes fit after it, a tenth would be byte 2^63 (issue 12, item 6). The
 * chunk that does not fit gets 400 and reading goes on, whether it is read
 * whole or in parts shorter than its body. */
static void
test_byte_range_overflow (Fixture       *f,
                          gconstpointer  data)
{
  const gsize max_sizes[] = { 0, 64 * 1024, 4 };

  for (guint m = 0; m < G_N_ELEMENTS (max_sizes); m++)
    {
      gsize max = max_sizes[m];
      g_autoptr(MsrpChunk) response = NULL;
      GString *joined = g_string_new (NULL);
      gint64 next = G_MAXINT64 - 8, last = 0;
      MsrpChunk *chunk;
      g_autoptr(GError) error = NULL;

      /* In parts of 4, the ranges of the parts go up to the very last
       * byte (refusing needs parts larger than what fits: see below). */
      if (max >= 10)
        {
          write_raw_send (f->conn_a, "ovf0long", "9223372036854775799", 70 * 1024);
          write_raw_send (f->conn_a, "ovf0ten", "9223372036854775799", 10);
        }
      write_raw_send (f->conn_a, "fit0nine", "9223372036854775799", 9);

      /* Only the chunk that fits comes, in parts when it must. */
      do
        {
          gint64 start, end;

          chunk = read_chunk (f->b, max, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (msrp_chunk_get_transaction_id (chunk), ==, "fit0nine");
          msrp_chunk_get_byte_range (chunk, &start, &end, NULL);
          g_assert_cmpint (start, ==, next);
          g_string_append_len (joined, g_bytes_get_data (msrp_chunk_get_data (chunk), NULL),
                               msrp_chunk_get_size (chunk));
          last = start + (gint64) (msrp_chunk_get_size (chunk) - 1);
          if (msrp_chunk_get_segment (chunk) > 0)
            g_assert_cmpint (end, ==, last);
          if (last < G_MAXINT64)
            next = last + 1;
          g_clear_object (&chunk);
        }
      while (joined->len < 9);
      g_assert_cmpstr (joined->str, ==, "xxxxxxxxx");
      g_assert_cmpint (last, ==, G_MAXINT64);
      g_string_free (joined, TRUE);
      if (max < 10)
        continue;

      /* The two that do not fit were answered 400. */
      response = test_read_chunk (f->a);
      g_assert_cmpstr (msrp_chunk_get_transaction_id (response), ==, "ovf0long");
      g_assert_cmpuint (msrp_chunk_get_code (response), ==, 400);
      g_clear_object (&response);
      response = test_read_chunk (f->a);
      g_assert_cmpstr (msrp_chunk_get_transaction_id (response), ==, "ovf0ten");
      g_assert_cmpuint (msrp_chunk_get_code (response), ==, 400);
    }
}

/* A chunk that runs past the largest message after parts of it were
 * handed out cannot be refused any more: the read fails. */
static void
test_byte_range_overflow_late (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(MsrpChunk) part = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;
  gint64 start, end;

  /* 100 bytes fit; parts of 64. */
  write_raw_send (f->conn_a, "ovf0late", "9223372036854775708", 150);
  part = read_chunk (f->b, 64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (msrp_chunk_get_segment (part), ==, 1);
  msrp_chunk_get_byte_range (part, &start, &end, NULL);
  g_assert_cmpint (start, ==, G_MAXINT64 - 99);
  g_assert_cmpint (end, ==, G_MAXINT64 - 99 + 63);

  g_assert_null (read_chunk (f->b, 64, &error));
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CHUNK);
  g_assert_null (read_chunk (f->b, 64, &again));
  g_assert_error (again, MSRP_ERROR, MSRP_ERROR_MALFORMED_CHUNK);
}

/* A header block that never ends fails the read at the limit instead of
 * being read (and dropped) for ever; the request is answered 400 first
 * (issue 12, item 12). So does a header line that never ends. */
static void
test_header_block_never_ends (Fixture       *f,
                              gconstpointer  data)
{
  GString *s = g_string_new ("MSRP end0less SEND\r\n" RAW_PATHS);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpChunk) response = NULL;

  for (guint i = 0; s->len < 80 * 1024; i++)
    g_string_append_printf (s, "X-Filler-%05u: %0100u\r\n", i, i);
  write_raw (f->conn_a, s->str, s->len);
  g_string_free (s, TRUE);

  g_assert_null (read_chunk (f->b, 0, &error));
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_HEADERS_TOO_LARGE);
  response = test_read_chunk (f->a);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (response), ==, "end0less");
  g_assert_cmpuint (msrp_chunk_get_code (response), ==, 400);
}

static void
test_header_line_never_ends (Fixture       *f,
                             gconstpointer  data)
{
  GString *s = g_string_new ("MSRP end0less SEND\r\n" RAW_PATHS "X-Long: ");
  g_autoptr(GError) error = NULL;

  while (s->len < 40 * 1024)
    g_string_append_c (s, 'a');
  write_raw (f->conn_a, s->str, s->len);
  g_string_free (s, TRUE);

  g_assert_null (read_chunk (f->b, 0, &error));
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_LINE_TOO_LONG);
}

static void
test_garbage_fails (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;
  g_autoptr(MsrpChunk) chunk = NULL;

  write_raw (f->conn_a, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", -1);
  chunk = read_chunk (f->b, 0, &error);
  g_assert_null (chunk);
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CHUNK);
  /* and it stays failed */
  g_assert_null (read_chunk (f->b, 0, &again));
  g_assert_error (again, MSRP_ERROR, MSRP_ERROR_MALFORMED_CHUNK);
}

static void
test_peer_closes (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GError *close_error = NULL;

  g_io_stream_close (G_IO_STREAM (f->conn_a), NULL, &close_error);
  g_assert_no_error (close_error);
  g_assert_null (read_chunk (f->b, 0, &error));
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED);
}

static void
test_peer_closes_mid_chunk (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GError *close_error = NULL;

  write_raw (f->conn_a,
             "MSRP cut0chunk SEND\r\n"
             "To-Path: msrp://127.0.0.1:7002/bobsession;tcp\r\n"
             "From-Path: msrp://127.0.0.1:7001/alicesession;tcp\r\n"
             "Message-ID: m1\r\n"
             "Content-Type: text/plain\r\n\r\n"
             "half a bo", -1);
  g_io_stream_close (G_IO_STREAM (f->conn_a), NULL, &close_error);
  g_assert_no_error (close_error);
  g_assert_null (read_chunk (f->b, 0, &error));
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_CHUNK_TRUNCATED);
}

static void
test_cancel_read (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) body = bytes_from ("after the cancel");
  g_autoptr(MsrpChunk) send = msrp_transport_make_chunk (f->a, NULL, body, "text/plain");
  g_autoptr(MsrpChunk) got = NULL;
  TestOp r = { 0, };

  msrp_transport_read_chunk_async (f->b, 0, cancellable, test_on_read, &r);
  g_main_context_iteration (NULL, FALSE);
  g_cancellable_cancel (cancellable);
  test_wait_for (&r.done);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);

  /* Nothing was lost: the next read gets the next chunk. */
  test_write_chunk (f->a, send);
  got = test_read_chunk (f->b);
  g_assert_true (g_bytes_equal (msrp_chunk_get_data (got), body));
}

static void
test_cancel_mid_chunk (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MsrpChunk) got = NULL;
  TestOp r = { 0, };

  /* Half a chunk arrives, the read is cancelled, the rest arrives: the
   * next read returns the whole chunk. */
  write_raw (f->conn_a,
             "MSRP half0chk SEND\r\n"
             "To-Path: msrp://127.0.0.1:7002/bobsession;tcp\r\n"
             "From-Path: msrp://127.0.0.1:7001/alicesession;tcp\r\n"
             "Message-ID: m1\r\n"
             "Content-Type: text/plain\r\n\r\n"
             "first half, ", -1);
  msrp_transport_read_chunk_async (f->b, 0, cancellable, test_on_read, &r);
  /* Let the transport take in what is there. */
  for (int i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (r.done);
  g_cancellable_cancel (cancellable);
  test_wait_for (&r.done);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);

  write_raw (f->conn_a, "second half\r\n-------half0chk$\r\n", -1);
  got = test_read_chunk (f->b);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, "half0chk");
  g_assert_cmpmem (g_bytes_get_data (msrp_chunk_get_data (got), NULL), msrp_chunk_get_size (got),
                   "first half, second half", 23);
}

static void
test_second_read_pending (Fixture       *f,
                          gconstpointer  data)
{
  TestOp r1 = { 0, }, r2 = { 0, }, rc = { 0, };

  msrp_transport_read_chunk_async (f->b, 0, NULL, test_on_read, &r1);
  msrp_transport_read_chunk_async (f->b, 0, NULL, test_on_read, &r2);
  test_wait_for (&r2.done);
  g_assert_error (r2.error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&r2.error);
  g_assert_false (r1.done);

  /* Closing fails the pending read. */
  msrp_transport_close_async (f->b, NULL, test_on_closed, &rc);
  test_wait_for (&r1.done);
  g_assert_error (r1.error, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED);
  g_clear_error (&r1.error);
  test_wait_for (&rc.done);
  g_assert_no_error (rc.error);
  g_assert_true (rc.ok);
  g_assert_true (g_io_stream_is_closed (G_IO_STREAM (f->conn_b)));
}

static void
test_close_flushes_writes (Fixture       *f,
                           gconstpointer  data)
{
  guint written = 0;
  TestOp rc = { 0, };
  TestOp rw = { 0, };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(GBytes) body = bytes_from ("queued before the close");
      g_autoptr(MsrpChunk) chunk = msrp_transport_make_chunk (f->a, NULL, body, "text/plain");

      msrp_transport_write_chunk_async (f->a, chunk, NULL, on_pipelined_write, &written);
    }
  msrp_transport_close_async (f->a, NULL, test_on_closed, &rc);

  /* Writes after the close are refused. */
  {
    g_autoptr(MsrpChunk) late = msrp_transport_make_chunk (f->a, NULL, NULL, NULL);

    msrp_transport_write_chunk_async (f->a, late, NULL, test_on_written, &rw);
    test_wait_for (&rw.done);
    g_assert_error (rw.error, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED);
    g_clear_error (&rw.error);
  }

  for (guint i = 0; i < 50; i++)
    g_object_unref (test_read_chunk (f->b));
  g_assert_null (read_chunk (f->b, 0, &error));
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED);
  test_wait_for (&rc.done);
  g_assert_no_error (rc.error);
  g_assert_cmpuint (written, ==, 50);
}

static void
test_check_incoming (Fixture       *f,
                     gconstpointer  data)
{
  static const struct {
    const char *to;
    const char *from;
    gboolean sessmatch;
    guint code;  /* 0: accepted */
  } cases[] = {
    { "msrp://127.0.0.1:7002/bobsession;tcp", "msrp://127.0.0.1:7001/alicesession;tcp", FALSE, 0 },
    /* host case and a relay hop before the sender do not matter */
    { "msrp://127.0.0.1:7002/bobsession;TCP", "msrp://relay.example:1/r;tcp msrp://127.0.0.1:7001/alicesession;tcp", FALSE, 0 },
    { "msrp://127.0.0.1:7002/othersession;tcp", "msrp://127.0.0.1:7001/alicesession;tcp", FALSE, 481 },
    { "msrp://127.0.0.1:9999/bobsession;tcp", "msrp://127.0.0.1:7001/alicesession;tcp", FALSE, 481 },
    { "msrp://relay.example:1/r;tcp msrp://127.0.0.1:7002/bobsession;tcp", "msrp://127.0.0.1:7001/alicesession;tcp", FALSE, 481 },
    { "msrp://127.0.0.1:7002/bobsession;tcp", "msrp://127.0.0.1:7001/mallory;tcp", FALSE, 481 },
    /* a middlebox rewrote hosts and ports: only session-ids match */
    { "msrp://10.0.0.1:2855/bobsession;tcp", "msrp://192.0.2.1:2855/alicesession;tcp", FALSE, 481 },
    { "msrp://10.0.0.1:2855/bobsession;tcp", "msrp://192.0.2.1:2855/alicesession;tcp", TRUE, 0 },
    { "msrp://10.0.0.1:2855/other;tcp", "msrp://192.0.2.1:2855/alicesession;tcp", TRUE, 481 },
    { NULL, "msrp://127.0.0.1:7001/alicesession;tcp", FALSE, 400 },
    { "msrp://127.0.0.1:7002/bobsession;tcp", NULL, FALSE, 400 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", NULL);
      g_autoptr(GError) error = NULL;
      gboolean ok;

      if (cases[i].to)
        msrp_chunk_set_header (chunk, "To-Path", cases[i].to);
      if (cases[i].from)
        msrp_chunk_set_header (chunk, "From-Path", cases[i].from);
      msrp_chunk_set_message_id (chunk, "abcd");
      msrp_transport_set_use_sessmatch (f->b, cases[i].sessmatch);
      g_assert_cmpint (msrp_transport_get_use_sessmatch (f->b), ==, cases[i].sessmatch);
      ok = msrp_transport_check_incoming_send_chunk (f->b, chunk, &error);
      if (cases[i].code == 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, MSRP_TRANSACTION_ERROR, (gint) cases[i].code);
        }
    }
}

/* A logger that records what it is told. */

#define TEST_TYPE_LOGGER (test_logger_get_type ())
G_DECLARE_FINAL_TYPE (TestLogger, test_logger, TEST, LOGGER, GObject)

struct _TestLogger
{
  GObject parent_instance;
  GString *received;
  GString *sent;
  guint calls[6];
};

static void test_logger_iface_init (MsrpLoggerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestLogger, test_logger, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MSRP_TYPE_LOGGER, test_logger_iface_init))

static void
test_logger_finalize (GObject *object)
{
  TestLogger *self = TEST_LOGGER (object);

  g_string_free (self->received, TRUE);
  g_string_free (self->sent, TRUE);
  G_OBJECT_CLASS (test_logger_parent_class)->finalize (object);
}

static void
test_logger_class_init (TestLoggerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_logger_finalize;
}

static void
test_logger_init (TestLogger *self)
{
  self->received = g_string_new (NULL);
  self->sent = g_string_new (NULL);
}

#define LOG_FN(name, field, n)                                                  \
static void                                                                     \
name (MsrpLogger *logger, MsrpTransport *transport, MsrpChunk *chunk, GBytes *data) \
{                                                                               \
  TestLogger *self = TEST_LOGGER (logger);                                      \
  gsize len;                                                                    \
  const char *p = g_bytes_get_data (data, &len);                                \
                                                                                \
  g_assert_true (MSRP_IS_TRANSPORT (transport));                                \
  g_assert_true (MSRP_IS_CHUNK (chunk));                                        \
  g_string_append_len (self->field, p, len);                                    \
  self->calls[n]++;                                                             \
}

LOG_FN (log_received_new, received, 0)
LOG_FN (log_received_data, received, 1)
LOG_FN (log_received_end, received, 2)
LOG_FN (log_sent_new, sent, 3)
LOG_FN (log_sent_data, sent, 4)
LOG_FN (log_sent_end, sent, 5)

static void
test_logger_iface_init (MsrpLoggerInterface *iface)
{
  iface->received_new_chunk = log_received_new;
  iface->received_chunk_data = log_received_data;
  iface->received_chunk_end = log_received_end;
  iface->sent_new_chunk = log_sent_new;
  iface->sent_chunk_data = log_sent_data;
  iface->sent_chunk_end = log_sent_end;
}

static void
test_logger (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(TestLogger) la = g_object_new (TEST_TYPE_LOGGER, NULL);
  g_autoptr(TestLogger) lb = g_object_new (TEST_TYPE_LOGGER, NULL);
  g_autoptr(GBytes) body = bytes_from ("logged body");
  g_autoptr(MsrpChunk) send = msrp_transport_make_chunk (f->a, NULL, body, "text/plain");
  g_autoptr(MsrpChunk) got = NULL;
  g_autoptr(GBytes) wire = msrp_chunk_encode (send);

  msrp_transport_set_logger (f->a, MSRP_LOGGER (la));
  g_object_set (f->b, "logger", lb, NULL);
  g_assert_true (msrp_transport_get_logger (f->b) == MSRP_LOGGER (lb));
  test_write_chunk (f->a, send);
  got = test_read_chunk (f->b);

  /* Both sides saw exactly the bytes that crossed the wire. */
  g_assert_cmpmem (la->sent->str, la->sent->len, g_bytes_get_data (wire, NULL), g_bytes_get_size (wire));
  g_assert_cmpmem (lb->received->str, lb->received->len, g_bytes_get_data (wire, NULL), g_bytes_get_size (wire));
  g_assert_cmpuint (la->calls[3], ==, 1);
  g_assert_cmpuint (la->calls[4], ==, 1);
  g_assert_cmpuint (la->calls[5], ==, 1);
  g_assert_cmpuint (lb->calls[0], ==, 1);
  g_assert_cmpuint (lb->calls[1], >=, 1);
  g_assert_cmpuint (lb->calls[2], ==, 1);
  /* A chunk without a body: its end-line is logged once. */
  {
    g_autoptr(MsrpChunk) empty = msrp_transport_make_chunk (f->a, NULL, NULL, NULL);
    g_autoptr(MsrpChunk) got_empty = NULL;
    g_autoptr(GBytes) empty_wire = msrp_chunk_encode (empty);
    gsize before = lb->received->len;

    test_write_chunk (f->a, empty);
    got_empty = test_read_chunk (f->b);
    g_assert_cmpmem (lb->received->str + before, lb->received->len - before,
                     g_bytes_get_data (empty_wire, NULL), g_bytes_get_size (empty_wire));
  }
  msrp_transport_set_logger (f->a, NULL);
  msrp_transport_set_logger (f->b, NULL);
}

/* A stream that cannot poll: the transport falls back to read_async(). */
static void
test_unpollable_stream (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GInputStream) buffered = g_buffered_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (f->conn_b)));
  g_autoptr(GIOStream) simple = g_simple_io_stream_new (buffered, g_io_stream_get_output_stream (G_IO_STREAM (f->conn_b)));
  g_autoptr(MsrpTransport) t = msrp_transport_new (simple, f->path_b, f->path_a);
  g_autoptr(GBytes) body = bytes_from ("through a buffered stream");
  g_autoptr(MsrpChunk) send = msrp_transport_make_chunk (f->a, NULL, body, "text/plain");
  g_autoptr(MsrpChunk) got = NULL;
  TestOp r = { 0, }, rc = { 0, };

  g_assert_false (G_IS_POLLABLE_INPUT_STREAM (buffered));
  test_write_chunk (f->a, send);
  got = test_read_chunk (t);
  g_assert_true (g_bytes_equal (msrp_chunk_get_data (got), body));

  /* Closing while a read waits on the stream ends both cleanly. */
  msrp_transport_read_chunk_async (t, 0, NULL, test_on_read, &r);
  g_main_context_iteration (NULL, FALSE);
  msrp_transport_close_async (t, NULL, test_on_closed, &rc);
  test_wait_for (&r.done);
  g_assert_error (r.error, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED);
  g_clear_error (&r.error);
  test_wait_for (&rc.done);
  g_assert_no_error (rc.error);
}

/* A transport whose peer is quiet holds no read buffer and no parser (an
 * idle connection costs little), keeps what is left over between two
 * reads, and reads on as before: a chunk cut anywhere, two in one write. */
static void
test_idle_gives_back_buffer (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GBytes) body = bytes_from ("Hello, Bob");
  g_autoptr(MsrpChunk) first = msrp_transport_make_chunk (f->a, NULL, body, "text/plain");
  g_autoptr(MsrpChunk) second = msrp_transport_make_chunk (f->a, NULL, body, "text/plain");
  g_autoptr(GBytes) first_wire = msrp_chunk_encode (first);
  g_autoptr(GBytes) second_wire = msrp_chunk_encode (second);
  g_autoptr(GByteArray) both = g_byte_array_new ();
  const char *wire = g_bytes_get_data (first_wire, NULL);
  gsize half = g_bytes_get_size (first_wire) / 2;
  g_autoptr(MsrpChunk) got = NULL;
  TestOp r = { 0, };

  /* The parsed paths go as soon as it is quiet (see quiet-keeps-paths). */
  _msrp_transport_set_memo_linger (0);
  g_assert_false (_msrp_transport_holds_read_state (f->b));

  /* Half a chunk: the parser and the rest wait for the other half. */
  msrp_transport_read_chunk_async (f->b, 0, NULL, test_on_read, &r);
  g_assert_false (_msrp_transport_holds_read_state (f->b));
  write_raw (f->conn_a, wire, half);
  while (!_msrp_transport_holds_read_state (f->b))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (r.done);
  write_raw (f->conn_a, wire + half, g_bytes_get_size (first_wire) - half);
  test_wait_for (&r.done);
  g_assert_no_error (r.error);
  g_assert_true (g_bytes_equal (msrp_chunk_get_data (r.chunk), body));
  g_clear_object (&r.chunk);
  g_assert_false (_msrp_transport_holds_read_state (f->b));

  /* Two chunks in one write: the second stays buffered after the first
   * read, then goes. */
  g_byte_array_append (both, g_bytes_get_data (first_wire, NULL), g_bytes_get_size (first_wire));
  g_byte_array_append (both, g_bytes_get_data (second_wire, NULL), g_bytes_get_size (second_wire));
  write_raw (f->conn_a, (const char *) both->data, both->len);
  got = test_read_chunk (f->b);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (first));
  g_clear_object (&got);
  /* A loopback write is in the socket whole before the read starts. */
  g_assert_true (_msrp_transport_holds_read_state (f->b));
  got = test_read_chunk (f->b);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (got), ==, msrp_chunk_get_transaction_id (second));
  g_assert_false (_msrp_transport_holds_read_state (f->b));

  /* Quiet again, a read pending: nothing held; the next chunk reads fine. */
  memset (&r, 0, sizeof r);
  msrp_transport_read_chunk_async (f->b, 0, NULL, test_on_read, &r);
  test_drain ();
  g_assert_false (_msrp_transport_holds_read_state (f->b));
  test_write_chunk (f->a, first);
  test_wait_for (&r.done);
  g_assert_no_error (r.error);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (r.chunk), ==, msrp_chunk_get_transaction_id (first));
  g_clear_object (&r.chunk);
  g_assert_false (_msrp_transport_holds_read_state (f->b));
  _msrp_transport_set_memo_linger (G_USEC_PER_SEC);
}

/* A new connection lets the parsed paths of its last request go as soon
 * as it is quiet; one in use (more than 8 requests read) keeps them while
 * quiet for a while, then lets them go. */
static void
test_quiet_keeps_paths (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) body = bytes_from ("Hello, Bob");
  g_autoptr(MsrpChunk) got = NULL;

  _msrp_transport_set_memo_linger (100 * 1000);
  for (guint i = 0; i < 9; i++)
    {
      g_autoptr(MsrpChunk) chunk = msrp_transport_make_chunk (f->a, NULL, body, "text/plain");

      test_write_chunk (f->a, chunk);
      got = test_read_chunk (f->b);
      g_clear_object (&got);
      test_drain ();
      /* New: nothing kept; in use from the ninth on. */
      g_assert_cmpint (_msrp_transport_holds_read_state (f->b), ==, i == 8);
    }
  while (_msrp_transport_holds_read_state (f->b))
    g_main_context_iteration (NULL, TRUE);
  _msrp_transport_set_memo_linger (G_USEC_PER_SEC);
}

/* Iterates until the transport has taken everything the peer wrote. */
static void
wait_until_read (Fixture *f)
{
  GSocket *socket = g_socket_connection_get_socket (f->conn_b);

  while (g_socket_get_available_bytes (socket) > 0)
    g_main_context_iteration (NULL, TRUE);
}

/* A body whose Byte-Range promises more than comes: it is read straight
 * into its buffer, and what the parser holds back at the end of a read
 * (it may begin the end-line) comes out right whether it is body or the
 * end-line; the end-line, and the next chunk behind it, are found there
 * too when the body ends early. */
static void
test_body_read_in_place (Fixture       *f,
                         gconstpointer  data)
{
  /* The end-line in one read; split after what may begin one; a false
   * start of one that is body after all. */
  for (guint split = 0; split < 3; split++)
    {
      g_autofree char *first = g_strdup_printf ("MSRP early%u SEND\r\n" RAW_PATHS
                                                "Message-ID: m1\r\nByte-Range: 1-100000/100000\r\n"
                                                "Content-Type: text/plain\r\n\r\nb", split);
      g_autofree char *end_line = g_strdup_printf ("\r\n-------early%u+\r\n", split);
      g_autofree char *next = g_strdup_printf ("MSRP later%u SEND\r\n" RAW_PATHS
                                               "Message-ID: m2\r\nByte-Range: 1-5/5\r\n"
                                               "Content-Type: text/plain\r\n\r\nlater\r\n"
                                               "-------later%u$\r\n", split, split);
      g_autoptr(GString) body = g_string_new ("b");
      g_autoptr(MsrpChunk) cut = NULL;
      g_autoptr(MsrpChunk) later = NULL;
      TestOp r = { 0, };

      /* The head first: the rest of the body is then read into place. */
      msrp_transport_read_chunk_async (f->b, 0, NULL, test_on_read, &r);
      write_raw (f->conn_a, first, -1);
      wait_until_read (f);
      for (guint i = 1; i < 50000; i++)
        g_string_append_c (body, 'a' + i % 26);
      if (split == 2)
        g_string_append (body, "\r\n-------early");
      write_raw (f->conn_a, body->str + 1, body->len - 1);
      if (split == 1)
        {
          write_raw (f->conn_a, end_line, 6);
          wait_until_read (f);
          write_raw (f->conn_a, end_line + 6, -1);
        }
      else if (split == 2)
        {
          wait_until_read (f);
          write_raw (f->conn_a, "2x and more", -1);
          g_string_append (body, "2x and more");
          write_raw (f->conn_a, end_line, -1);
        }
      else
        write_raw (f->conn_a, end_line, -1);
      write_raw (f->conn_a, next, -1);

      test_wait_for (&r.done);
      g_assert_no_error (r.error);
      cut = r.chunk;
      g_assert_cmpmem (g_bytes_get_data (msrp_chunk_get_data (cut), NULL), msrp_chunk_get_size (cut),
                       body->str, body->len);
      g_assert_cmpint (msrp_chunk_get_continuation (cut), ==, MSRP_CONTINUATION_MORE);
      later = test_read_chunk (f->b);
      g_assert_true (g_str_has_prefix (next + 5, msrp_chunk_get_transaction_id (later)));
      g_assert_cmpuint (strlen (msrp_chunk_get_transaction_id (later)), ==, 6);
      g_assert_cmpmem (g_bytes_get_data (msrp_chunk_get_data (later), NULL), 5, "later", 5);
    }
}

/* The library's own reads, asked for one after another from their
 * callbacks (as a session reads). */
typedef struct {
  guint want;
  GPtrArray *chunks;
} FollowingReads;

static void
on_following_read (MsrpTransport *transport,
                   MsrpChunk     *chunk,
                   GError        *error,
                   gpointer       user_data)
{
  FollowingReads *fr = user_data;

  g_assert_no_error (error);
  g_ptr_array_add (fr->chunks, chunk);
  if (fr->chunks->len < fr->want)
    _msrp_transport_read_with_callback (transport, 0, on_following_read, fr);
}

static void
test_reads_follow_in_one_turn (Fixture       *f,
                               gconstpointer  data)
{
  FollowingReads fr = { 20, g_ptr_array_new_with_free_func (g_object_unref) };
  g_autoptr(GString) raw = g_string_new (NULL);

  for (guint i = 0; i < fr.want; i++)
    g_string_append_printf (raw,
                            "MSRP turn%04u SEND\r\n" RAW_PATHS
                            "Message-ID: m%u\r\nFailure-Report: no\r\n"
                            "Content-Type: text/plain\r\n\r\n"
                            "chunk %u\r\n-------turn%04u$\r\n", i, i, i, i);
  write_raw (f->conn_a, raw->str, raw->len);

  /* The chunks that came together are handed out in the turn that read
   * them, each read asked for from the callback before: not one a turn. */
  _msrp_transport_read_with_callback (f->b, 0, on_following_read, &fr);
  while (fr.chunks->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fr.chunks->len, ==, fr.want);
  for (guint i = 0; i < fr.want; i++)
    {
      g_autofree char *tid = g_strdup_printf ("turn%04u", i);

      g_assert_cmpstr (msrp_chunk_get_transaction_id (g_ptr_array_index (fr.chunks, i)), ==, tid);
    }
  g_ptr_array_unref (fr.chunks);
}

/* An output stream that keeps what is written to it, and the size of
 * every write: a TLS stream would make a record of each. */
#define TEST_TYPE_RECORDING_STREAM (test_recording_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestRecordingStream, test_recording_stream, TEST, RECORDING_STREAM, GOutputStream)

struct _TestRecordingStream
{
  GOutputStream parent_instance;
  GByteArray *data;
  GArray *sizes;
};

G_DEFINE_TYPE (TestRecordingStream, test_recording_stream, G_TYPE_OUTPUT_STREAM)

static gssize
test_recording_stream_write (GOutputStream  *stream,
                             const void     *buffer,
                             gsize           count,
                             GCancellable   *cancellable,
                             GError        **error)
{
  TestRecordingStream *self = TEST_RECORDING_STREAM (stream);

  g_byte_array_append (self->data, buffer, count);
  g_array_append_val (self->sizes, count);
  return count;
}

static void
test_recording_stream_finalize (GObject *object)
{
  TestRecordingStream *self = TEST_RECORDING_STREAM (object);

  g_byte_array_unref (self->data);
  g_array_unref (self->sizes);
  G_OBJECT_CLASS (test_recording_stream_parent_class)->finalize (object);
}

static void
test_recording_stream_class_init (TestRecordingStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_recording_stream_finalize;
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = test_recording_stream_write;
}

static void
test_recording_stream_init (TestRecordingStream *self)
{
  self->data = g_byte_array_new ();
  self->sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
}

static void
test_full_records (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GInputStream) input = g_memory_input_stream_new ();
  g_autoptr(TestRecordingStream) output = g_object_new (TEST_TYPE_RECORDING_STREAM, NULL);
  g_autoptr(GIOStream) stream = g_simple_io_stream_new (input, G_OUTPUT_STREAM (output));
  g_autoptr(MsrpTransport) t = msrp_transport_new (stream, f->path_a, f->path_b);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(MsrpChunk) send = NULL;
  g_autoptr(MsrpChunk) parsed = NULL;
  g_autoptr(GBytes) wire = NULL;
  guint8 *bytes = g_malloc (100000);
  GError *error = NULL;
  gsize consumed = 0;
  guint n;

  for (guint i = 0; i < 100000; i++)
    bytes[i] = g_test_rand_int_range (0, 256);
  body = g_bytes_new_take (bytes, 100000);
  send = msrp_transport_make_chunk (t, NULL, body, "application/octet-stream");
  test_write_chunk (t, send);

  /* Head, body and end-line go out in full records of 16 KiB (a TLS
   * stream makes one of each write), not one record a piece. */
  n = output->sizes->len;
  g_assert_cmpuint (n, ==, (output->data->len + 16383) / 16384);
  for (guint i = 0; i + 1 < n; i++)
    g_assert_cmpuint (g_array_index (output->sizes, gsize, i), ==, 16384);
  wire = g_bytes_new (output->data->data, output->data->len);
  parsed = msrp_chunk_parse (wire, &consumed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, output->data->len);
  g_assert_true (g_bytes_equal (msrp_chunk_get_data (parsed), body));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add ("/transport/" name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("send-and-respond", test_send_and_respond);
  ADD ("empty-send", test_empty_send);
  ADD ("pipelined", test_pipelined);
  ADD ("segments", test_segments);
  ADD ("malformed-gets-400", test_malformed_gets_400);
  ADD ("byte-range-overflow", test_byte_range_overflow);
  ADD ("byte-range-overflow-late", test_byte_range_overflow_late);
  ADD ("header-block-never-ends", test_header_block_never_ends);
  ADD ("header-line-never-ends", test_header_line_never_ends);
  ADD ("garbage-fails", test_garbage_fails);
  ADD ("peer-closes", test_peer_closes);
  ADD ("peer-closes-mid-chunk", test_peer_closes_mid_chunk);
  ADD ("cancel-read", test_cancel_read);
  ADD ("cancel-mid-chunk", test_cancel_mid_chunk);
  ADD ("second-read-pending", test_second_read_pending);
  ADD ("close-flushes-writes", test_close_flushes_writes);
  ADD ("check-incoming", test_check_incoming);
  ADD ("logger", test_logger);
  ADD ("unpollable-stream", test_unpollable_stream);
  ADD ("idle-gives-back-buffer", test_idle_gives_back_buffer);
  ADD ("quiet-keeps-paths", test_quiet_keeps_paths);
  ADD ("body-read-in-place", test_body_read_in_place);
  ADD ("reads-follow-in-one-turn", test_reads_follow_in_one_turn);
  ADD ("full-records", test_full_records);
#undef ADD

  return g_test_run ();
}
