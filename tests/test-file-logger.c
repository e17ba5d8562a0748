/* test-file-logger.c: the readable traffic log of msrp_file_logger_new()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"
#include "msrp-file-logger-private.h"
#include "test-utils.h"

#define TO_URI   "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp"
#define FROM_URI "msrp://atlanta.example.com:7654/jshA7weztas;tcp"

/* The start line and headers of the chunks made by new_send(), as logged. */
#define SEND_HEAD(tid)                    \
  "MSRP " tid " SEND\n"                   \
  "To-Path: " TO_URI "\n"                 \
  "From-Path: " FROM_URI "\n"             \
  "Message-ID: 87652491\n"                \
  "Content-Type: text/plain\n"

typedef struct {
  GOutputStream *stream;
  MsrpLogger *logger;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  fx->stream = g_memory_output_stream_new_resizable ();
  fx->logger = msrp_file_logger_new (fx->stream);
  g_assert_true (MSRP_IS_LOGGER (fx->logger));
  g_assert_true (MSRP_IS_FILE_LOGGER (fx->logger));
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_object (&fx->logger);
  g_clear_object (&fx->stream);
}

static MsrpChunk *
new_send (const char *tid,
          const void *body,
          gssize      body_len)
{
  MsrpChunk *chunk = msrp_chunk_new_request ("SEND", tid);
  g_autoptr(GPtrArray) to = test_path (TO_URI);
  g_autoptr(GPtrArray) from = test_path (FROM_URI);

  msrp_chunk_set_to_path (chunk, to);
  msrp_chunk_set_from_path (chunk, from);
  msrp_chunk_set_message_id (chunk, "87652491");
  msrp_chunk_set_content_type (chunk, "text/plain");
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_len < 0 ? strlen (body) : (gsize) body_len);

      msrp_chunk_set_data (chunk, bytes);
    }
  return chunk;
}

typedef enum {
  PART_HEAD = 1 << 0,
  PART_BODY = 1 << 1,
  PART_END = 1 << 2,
  PART_ALL = PART_HEAD | PART_BODY | PART_END,
} Parts;

/* Hands the logger the chunk's wire bytes as a transport does: the header
 * block, the body in pieces of piece_size bytes (0: whole), the end-line. */
static void
feed (MsrpLogger    *logger,
      MsrpTransport *transport,
      MsrpChunk     *chunk,
      gboolean       sent,
      Parts          parts,
      gsize          piece_size)
{
  MsrpLoggerInterface *iface = MSRP_LOGGER_GET_IFACE (logger);
  g_autoptr(GBytes) wire = msrp_chunk_encode (chunk);
  GBytes *body = msrp_chunk_get_data (chunk);
  gsize body_len = body != NULL ? g_bytes_get_size (body) : 0;
  const char *wire_data = g_bytes_get_data (wire, NULL);
  gsize wire_len = g_bytes_get_size (wire);
  g_autofree char *end = g_strdup_printf ("%s-------%s%c\r\n", body != NULL ? "\r\n" : "",
                                          msrp_chunk_get_transaction_id (chunk),
                                          "$+#"[msrp_chunk_get_continuation (chunk)]);
  gsize end_len = strlen (end);
  gsize head_len = wire_len - body_len - end_len;

  g_assert_cmpmem (wire_data + head_len + body_len, end_len, end, end_len);

  if (parts & PART_HEAD)
    {
      g_autoptr(GBytes) head = g_bytes_new_from_bytes (wire, 0, head_len);

      (sent ? iface->sent_new_chunk : iface->received_new_chunk) (logger, transport, chunk, head);
    }

  if ((parts & PART_BODY) && body_len > 0)
    {
      if (piece_size == 0)
        piece_size = body_len;
      for (gsize offset = 0; offset < body_len; offset += piece_size)
        {
          g_autoptr(GBytes) piece = g_bytes_new_from_bytes (body, offset, MIN (piece_size, body_len - offset));

          (sent ? iface->sent_chunk_data : iface->received_chunk_data) (logger, transport, chunk, piece);
        }
    }

  if (parts & PART_END)
    {
      g_autoptr(GBytes) end_bytes = g_bytes_new (end, end_len);

      (sent ? iface->sent_chunk_end : iface->received_chunk_end) (logger, transport, chunk, end_bytes);
    }
}

/* What the stream holds, with each timestamp replaced by "TS". */
static char *
get_log (GOutputStream *stream)
{
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (stream);
  g_autofree char *text = g_strndup (g_memory_output_stream_get_data (memory),
                                     g_memory_output_stream_get_data_size (memory));
  g_autoptr(GRegex) timestamp = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GError) error = NULL;
  char *result;

  g_assert_cmpuint (strlen (text), ==, g_memory_output_stream_get_data_size (memory));

  timestamp = g_regex_new ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z ",
                           G_REGEX_MULTILINE, 0, &error);
  g_assert_no_error (error);

  /* Timestamps are the time of logging, in UTC. */
  if (g_regex_match (timestamp, text, 0, &match))
    {
      g_autofree char *first = g_match_info_fetch (match, 0);
      g_autoptr(GDateTime) logged = g_date_time_new_from_iso8601 (g_strchomp (first), NULL);
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      g_assert_nonnull (logged);
      g_assert_cmpint (g_date_time_difference (now, logged), >=, 0);
      g_assert_cmpint (g_date_time_difference (now, logged), <, 60 * G_TIME_SPAN_SECOND);
    }

  result = g_regex_replace_literal (timestamp, text, -1, 0, "TS ", 0, &error);
  g_assert_no_error (error);
  return result;
}

static void
assert_log (Fixture    *fx,
            const char *expected)
{
  g_autofree char *log = get_log (fx->stream);

  g_assert_cmpstr (log, ==, expected);
}

static void
test_text_body (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = new_send ("a786hjs2", "Hey Bob, are you there?", -1);

  feed (fx->logger, NULL, chunk, TRUE, PART_ALL, 0);
  assert_log (fx,
              "TS >>> sent\n"
              SEND_HEAD ("a786hjs2")
              "\n"
              "Hey Bob, are you there?\n"
              "-------a786hjs2$\n");
}

static void
test_no_body (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_response ("a786hjs2", MSRP_STATUS_OK, NULL);
  g_autoptr(GPtrArray) to = test_path (FROM_URI);
  g_autoptr(GPtrArray) from = test_path (TO_URI);

  msrp_chunk_set_to_path (chunk, to);
  msrp_chunk_set_from_path (chunk, from);
  feed (fx->logger, NULL, chunk, FALSE, PART_ALL, 0);
  assert_log (fx,
              "TS <<< received\n"
              "MSRP a786hjs2 200 OK\n"
              "To-Path: " FROM_URI "\n"
              "From-Path: " TO_URI "\n"
              "-------a786hjs2$\n");
}

static void
test_empty_body (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = new_send ("e1", "", 0);

  feed (fx->logger, NULL, chunk, TRUE, PART_ALL, 0);
  assert_log (fx,
              "TS >>> sent\n"
              SEND_HEAD ("e1")
              "\n"
              "-------e1$\n");
}

static void
test_text_pieces (Fixture       *fx,
                  gconstpointer  data)
{
  /* Split everywhere, also inside the two-byte characters. */
  g_autoptr(MsrpChunk) chunk = new_send ("u8", "Grüße\r\n\tzweite Zeile, ñ\r\nend", -1);

  feed (fx->logger, NULL, chunk, FALSE, PART_ALL, 1);
  assert_log (fx,
              "TS <<< received\n"
              SEND_HEAD ("u8")
              "\n"
              "Grüße\n"
              "\tzweite Zeile, ñ\n"
              "end\n"
              "-------u8$\n");
}

static void
test_binary_body (Fixture       *fx,
                  gconstpointer  data)
{
  const struct {
    const char *body;
    gsize len;
    const char *shown;
  } cases[] = {
    { "\0\1\2", 3, "[3 bytes of binary data]" },
    { "\xff", 1, "[1 byte of binary data]" },
    { "red \x1b[31mtext", 13, "[13 bytes of binary data]" },   /* ESC */
    { "caf\xc3", 4, "[4 bytes of binary data]" },               /* cut UTF-8 */
    { "a\xc2\x85z", 4, "[4 bytes of binary data]" },            /* U+0085, a C1 control */
    { "nul\0inside", 10, "[10 bytes of binary data]" },
    { "\x7f", 1, "[1 byte of binary data]" },                   /* DEL */
  };
  GString *expected = g_string_new (NULL);
  g_autofree char *log = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *tid = g_strdup_printf ("bin%u", i);
      g_autoptr(MsrpChunk) chunk = new_send (tid, cases[i].body, cases[i].len);

      feed (fx->logger, NULL, chunk, TRUE, PART_ALL, 0);
      g_string_append_printf (expected,
                              "TS >>> sent\n"
                              SEND_HEAD ("%s")
                              "\n"
                              "%s\n"
                              "-------%s$\n",
                              tid, cases[i].shown, tid);
    }

  log = get_log (fx->stream);
  g_assert_cmpstr (log, ==, expected->str);
  g_string_free (expected, TRUE);
}

static void
test_large_body (Fixture       *fx,
                 gconstpointer  data)
{
  const struct {
    gsize size;
    gsize piece;
    gboolean binary;
  } cases[] = {
    { 4095, 0, FALSE },      /* the longest body shown */
    { 4095, 4000, FALSE },
    { 4096, 0, FALSE },      /* summed up */
    { 4096, 4095, FALSE },
    { 5000, 1000, FALSE },
    { 1 << 20, 65536, TRUE },
  };
  GString *expected = g_string_new (NULL);
  g_autofree char *log = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *tid = g_strdup_printf ("big%u", i);
      g_autofree char *body = g_malloc (cases[i].size);
      g_autoptr(MsrpChunk) chunk = NULL;

      memset (body, cases[i].binary ? '\0' : 'a', cases[i].size);
      chunk = new_send (tid, body, cases[i].size);
      feed (fx->logger, NULL, chunk, FALSE, PART_ALL, cases[i].piece);

      g_string_append_printf (expected, "TS <<< received\n" SEND_HEAD ("%s") "\n", tid);
      if (cases[i].size < 4096)
        {
          g_string_append_len (expected, body, cases[i].size);
          g_string_append_c (expected, '\n');
        }
      else
        g_string_append_printf (expected, "[%" G_GSIZE_FORMAT " bytes]\n", cases[i].size);
      g_string_append_printf (expected, "-------%s$\n", tid);
    }

  log = get_log (fx->stream);
  g_assert_cmpstr (log, ==, expected->str);
  g_string_free (expected, TRUE);
}

static void
test_continuation (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(MsrpChunk) more = new_send ("c1", "first part", -1);
  g_autoptr(MsrpChunk) abort = new_send ("c2", "", 0);

  msrp_chunk_set_continuation (more, MSRP_CONTINUATION_MORE);
  msrp_chunk_set_continuation (abort, MSRP_CONTINUATION_ABORT);
  feed (fx->logger, NULL, more, TRUE, PART_ALL, 0);
  feed (fx->logger, NULL, abort, TRUE, PART_ALL, 0);
  assert_log (fx,
              "TS >>> sent\n" SEND_HEAD ("c1") "\n" "first part\n" "-------c1+\n"
              "TS >>> sent\n" SEND_HEAD ("c2") "\n" "-------c2#\n");
}

static void
test_interleaved (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(MsrpChunk) in = new_send ("in1", "incoming", -1);
  g_autoptr(MsrpChunk) out = new_send ("out1", "outgoing", -1);

  /* A chunk is sent while another is being read: each entry stays whole,
   * in the order the chunks ended. */
  feed (fx->logger, NULL, in, FALSE, PART_HEAD, 0);
  feed (fx->logger, NULL, out, TRUE, PART_ALL, 0);
  feed (fx->logger, NULL, in, FALSE, PART_BODY | PART_END, 0);
  assert_log (fx,
              "TS >>> sent\n" SEND_HEAD ("out1") "\n" "outgoing\n" "-------out1$\n"
              "TS <<< received\n" SEND_HEAD ("in1") "\n" "incoming\n" "-------in1$\n");
}

static void
test_incomplete (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(MsrpChunk) cut = new_send ("cut1", "abcdef", -1);
  g_autoptr(MsrpChunk) next = new_send ("next1", "ok", -1);
  g_autoptr(MsrpChunk) last = new_send ("last1", "zz", -1);
  MsrpLoggerInterface *iface = MSRP_LOGGER_GET_IFACE (fx->logger);
  g_autoptr(GBytes) part = g_bytes_new_static ("abc", 3);

  /* The reading of a chunk stops halfway; the next chunk read on the same
   * transport means that the first one will not end. */
  feed (fx->logger, NULL, cut, FALSE, PART_HEAD, 0);
  iface->received_chunk_data (fx->logger, NULL, cut, part);
  feed (fx->logger, NULL, next, FALSE, PART_ALL, 0);
  /* What is pending when the logger goes away is written too. */
  feed (fx->logger, NULL, last, TRUE, PART_HEAD, 0);
  g_clear_object (&fx->logger);

  assert_log (fx,
              "TS <<< received\n" SEND_HEAD ("cut1") "\n" "abc\n" "[chunk incomplete]\n"
              "TS <<< received\n" SEND_HEAD ("next1") "\n" "ok\n" "-------next1$\n"
              "TS >>> sent\n" SEND_HEAD ("last1") "\n" "[chunk incomplete]\n");
}

static void
test_without_head (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = new_send ("mid1", "tail of it", -1);

  /* A logger set in the middle of a chunk logs what it sees. */
  feed (fx->logger, NULL, chunk, FALSE, PART_BODY | PART_END, 0);
  assert_log (fx,
              "TS <<< received\n"
              "tail of it\n"
              "-------mid1$\n");
}

static void
test_escaped_head (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", "esc1");
  MsrpLoggerInterface *iface = MSRP_LOGGER_GET_IFACE (fx->logger);
  static const char head[] =
    "MSRP esc1 SEND\r\n"
    "X-Evil: \x1b]0;owned\x07 and \xff\xfe, caf\xc3\xa9\tok\r\n"
    "X-Lone-CR: a\rb\r\n";
  g_autoptr(GBytes) head_bytes = g_bytes_new_static (head, sizeof head - 1);
  g_autoptr(GBytes) end = g_bytes_new_static ("-------esc1$\r\n", 14);

  /* Whatever a peer sends, the log is UTF-8 with no control characters
   * that a terminal would act on. */
  iface->received_new_chunk (fx->logger, NULL, chunk, head_bytes);
  iface->received_chunk_end (fx->logger, NULL, chunk, end);
  assert_log (fx,
              "TS <<< received\n"
              "MSRP esc1 SEND\n"
              "X-Evil: \\x1b]0;owned\\x07 and \\xff\\xfe, café\tok\n"
              "X-Lone-CR: a\\x0db\n"
              "-------esc1$\n");
}

static void
test_peer (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(GInputStream) input = g_memory_input_stream_new ();
  g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) stream = g_simple_io_stream_new (input, output);
  g_autoptr(GPtrArray) local = test_path ("msrp://alice.example.com:7777/iau39soe2843z;tcp");
  g_autoptr(GPtrArray) remote = test_path ("msrp://relay.example.com:2855/r3l4y;tcp "
                                           "msrp://bob.example.com:8888/9di4eae923wzd;tcp");
  g_autoptr(MsrpTransport) transport = msrp_transport_new (stream, local, remote);
  g_autoptr(MsrpChunk) out = new_send ("p1", "hi", -1);
  g_autoptr(MsrpChunk) in = new_send ("p2", "hello", -1);

  /* The peer is the other end of the connection: the first hop. */
  feed (fx->logger, transport, out, TRUE, PART_ALL, 0);
  feed (fx->logger, transport, in, FALSE, PART_ALL, 0);
  assert_log (fx,
              "TS >>> sent to msrp://relay.example.com:2855/r3l4y;tcp\n"
              SEND_HEAD ("p1") "\n" "hi\n" "-------p1$\n"
              "TS <<< received from msrp://relay.example.com:2855/r3l4y;tcp\n"
              SEND_HEAD ("p2") "\n" "hello\n" "-------p2$\n");
}

/* An output stream whose writes all fail, and that counts them. */
typedef struct {
  GOutputStream parent_instance;
  guint writes;
} FailingStream;

typedef GOutputStreamClass FailingStreamClass;

static GType failing_stream_get_type (void);
G_DEFINE_TYPE (FailingStream, failing_stream, G_TYPE_OUTPUT_STREAM)

static gssize
failing_stream_write (GOutputStream  *stream,
                      const void     *buffer,
                      gsize           count,
                      GCancellable   *cancellable,
                      GError        **error)
{
  ((FailingStream *) stream)->writes++;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "No space left on device");
  return -1;
}

static void
failing_stream_class_init (FailingStreamClass *klass)
{
  klass->write_fn = failing_stream_write;
}

static void
failing_stream_init (FailingStream *self)
{
}

static void
test_write_error (void)
{
  FailingStream *stream = g_object_new (failing_stream_get_type (), NULL);
  g_autoptr(MsrpLogger) logger = msrp_file_logger_new (G_OUTPUT_STREAM (stream));
  g_autoptr(MsrpChunk) first = new_send ("f1", "one", -1);
  g_autoptr(MsrpChunk) second = new_send ("f2", "two", -1);
  g_autoptr(MsrpChunk) third = new_send ("f3", "three", -1);

  /* The first failure is told once, as debug output; then the logger stays
   * quiet, and never warns (warnings are fatal in the tests). */
  g_test_expect_message ("Msrp", G_LOG_LEVEL_DEBUG,
                         "Stopped logging MSRP traffic: could not write to the log: No space left on device");
  feed (logger, NULL, first, TRUE, PART_ALL, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (stream->writes, ==, 1);

  feed (logger, NULL, second, FALSE, PART_ALL, 0);
  feed (logger, NULL, third, TRUE, PART_HEAD, 0);
  g_clear_object (&logger);
  g_assert_cmpuint (stream->writes, ==, 1);

  g_object_unref (stream);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/file-logger/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("text-body", test_text_body);
  ADD ("no-body", test_no_body);
  ADD ("empty-body", test_empty_body);
  ADD ("text-pieces", test_text_pieces);
  ADD ("binary-body", test_binary_body);
  ADD ("large-body", test_large_body);
  ADD ("continuation", test_continuation);
  ADD ("interleaved", test_interleaved);
  ADD ("incomplete", test_incomplete);
  ADD ("without-head", test_without_head);
  ADD ("escaped-head", test_escaped_head);
  ADD ("peer", test_peer);
  g_test_add_func ("/file-logger/write-error", test_write_error);

#undef ADD

  return g_test_run ();
}
