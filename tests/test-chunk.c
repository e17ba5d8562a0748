/* test-chunk.c: MsrpChunk parsing, encoding and headers (RFC 4975 section 7)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"
#include "msrp-utils-private.h"
#include "msrp-chunk-private.h"
#include "test-utils.h"

#define TO_URI   TEST_RFC4975_TO
#define FROM_URI TEST_RFC4975_FROM

static const char rfc_send[] = TEST_RFC4975_SEND;
static const char rfc_response[] = TEST_RFC4975_RESPONSE;

/* RFC 4975 section 7.1.2: a success REPORT. */
static const char rfc_report[] =
  "MSRP dkei38sd REPORT\r\n"
  "To-Path: msrp://alice.example.com:7777/iau39soe2843z;tcp\r\n"
  "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
  "Message-ID: 12339sdqwer\r\n"
  "Byte-Range: 1-106/106\r\n"
  "Status: 000 200 OK\r\n"
  "-------dkei38sd$\r\n";

/* After RFC 4975 section 7.1.1: one message in chunks whose Byte-Range end
 * and total are unknown, continued with '+', then ended with '$'; and a
 * message aborted with '#'. */
static const char rfc_chunks[] =
  "MSRP d93kswow SEND\r\n"
  "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
  "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
  "Message-ID: 12339sdqwer\r\n"
  "Byte-Range: 1-*/*\r\n"
  "Content-Type: text/plain\r\n"
  "\r\n"
  "abcdefghij\r\n"
  "-------d93kswow+\r\n"
  "MSRP op2nc9a SEND\r\n"
  "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
  "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
  "Message-ID: 12339sdqwer\r\n"
  "Byte-Range: 11-*/*\r\n"
  "Content-Type: text/plain\r\n"
  "\r\n"
  "klmnopqrst\r\n"
  "-------op2nc9a+\r\n"
  "MSRP qwe3v8z SEND\r\n"
  "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
  "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
  "Message-ID: 12339sdqwer\r\n"
  "Byte-Range: 21-26/26\r\n"
  "Content-Type: text/plain\r\n"
  "\r\n"
  "uvwxyz\r\n"
  "-------qwe3v8z$\r\n"
  "MSRP 9sdj3kd SEND\r\n"
  "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
  "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
  "Message-ID: 9x8c7v6b\r\n"
  "Byte-Range: 1-*/4096\r\n"
  "Content-Type: image/png\r\n"
  "\r\n"
  "PNG\r\n"
  "-------9sdj3kd#\r\n";

static GBytes *
bytes_from_string (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

static MsrpChunk *
parse_string (const char *s)
{
  g_autoptr(GBytes) bytes = bytes_from_string (s);
  g_autoptr(GError) error = NULL;
  MsrpChunk *chunk;
  gsize consumed = 0;

  chunk = msrp_chunk_parse (bytes, &consumed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (chunk);
  g_assert_cmpuint (consumed, ==, strlen (s));
  return chunk;
}

/* Printable form of bytes that may hold NUL, for failure messages. */
static char *
escape_bytes (const char *data,
              gsize       len)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    {
      guchar c = data[i];

      if (c == '\r')
        g_string_append (s, "\\r");
      else if (c == '\n')
        g_string_append (s, "\\n");
      else if (c < 0x20 || c >= 0x7f || c == '\\')
        g_string_append_printf (s, "\\x%02x", c);
      else
        g_string_append_c (s, c);
    }
  return g_string_free (s, FALSE);
}

static void
assert_bytes_equal (GBytes     *bytes,
                    const char *expected,
                    gsize       expected_len)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len != expected_len || memcmp (data, expected, len) != 0)
    {
      g_autofree char *got = escape_bytes (data, len);
      g_autofree char *want = escape_bytes (expected, expected_len);

      g_error ("Bytes differ:\n got: %s\nwant: %s", got, want);
    }
}

static void
assert_encodes_to (MsrpChunk  *chunk,
                   const char *expected)
{
  g_autoptr(GBytes) out = msrp_chunk_encode (chunk);

  assert_bytes_equal (out, expected, strlen (expected));
}

static void
assert_body (MsrpChunk  *chunk,
             const char *expected,
             gsize       expected_len)
{
  GBytes *data = msrp_chunk_get_data (chunk);

  g_assert_nonnull (data);
  assert_bytes_equal (data, expected, expected_len);
  g_assert_cmpuint (msrp_chunk_get_size (chunk), ==, expected_len);
}

static void
assert_path (GPtrArray  *path,
             const char *expected)
{
  g_autofree char *str = NULL;

  g_assert_nonnull (path);
  str = msrp_path_to_string (path);
  g_assert_cmpstr (str, ==, expected);
}

/* Checks that two chunks are the same on every observable point. */
static void
assert_chunks_equal (MsrpChunk *a,
                     MsrpChunk *b)
{
  g_auto(GStrv) na = msrp_chunk_get_header_names (a);
  g_auto(GStrv) nb = msrp_chunk_get_header_names (b);
  g_autoptr(GBytes) ea = msrp_chunk_encode (a);
  g_autoptr(GBytes) eb = msrp_chunk_encode (b);

  g_assert_cmpstr (msrp_chunk_get_method (a), ==, msrp_chunk_get_method (b));
  g_assert_cmpstr (msrp_chunk_get_transaction_id (a), ==, msrp_chunk_get_transaction_id (b));
  g_assert_cmpuint (msrp_chunk_get_code (a), ==, msrp_chunk_get_code (b));
  g_assert_cmpstr (msrp_chunk_get_comment (a), ==, msrp_chunk_get_comment (b));
  g_assert_cmpint (msrp_chunk_get_continuation (a), ==, msrp_chunk_get_continuation (b));
  g_assert_true (g_strv_equal ((const char *const *) na, (const char *const *) nb));
  for (guint i = 0; na[i] != NULL; i++)
    g_assert_cmpstr (msrp_chunk_get_header (a, na[i]), ==, msrp_chunk_get_header (b, na[i]));
  g_assert_cmpint (msrp_chunk_get_data (a) == NULL, ==, msrp_chunk_get_data (b) == NULL);
  if (msrp_chunk_get_data (a) != NULL)
    g_assert_true (g_bytes_equal (msrp_chunk_get_data (a), msrp_chunk_get_data (b)));
  g_assert_true (g_bytes_equal (ea, eb));
}

/* RFC examples */

static void
test_rfc_send (void)
{
  g_autoptr(MsrpChunk) chunk = parse_string (rfc_send);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  const char *const expected_names[] = {
    "To-Path", "From-Path", "Message-ID", "Byte-Range", "Content-Type", NULL
  };
  gint64 start, end, total;

  g_assert_true (msrp_chunk_is_request (chunk));
  g_assert_cmpstr (msrp_chunk_get_method (chunk), ==, "SEND");
  g_assert_cmpstr (msrp_chunk_get_transaction_id (chunk), ==, "a786hjs2");
  g_assert_cmpuint (msrp_chunk_get_code (chunk), ==, 0);
  g_assert_null (msrp_chunk_get_comment (chunk));
  assert_path (msrp_chunk_get_to_path (chunk), TO_URI);
  assert_path (msrp_chunk_get_from_path (chunk), FROM_URI);
  g_assert_cmpstr (msrp_chunk_get_message_id (chunk), ==, "87652491");
  g_assert_true (msrp_chunk_get_byte_range (chunk, &start, &end, &total));
  g_assert_cmpint (start, ==, 1);
  g_assert_cmpint (end, ==, 25);
  g_assert_cmpint (total, ==, 25);
  g_assert_cmpstr (msrp_chunk_get_content_type (chunk), ==, "text/plain");
  g_assert_cmpint (msrp_chunk_get_continuation (chunk), ==, MSRP_CONTINUATION_END);
  assert_body (chunk, "Hey Bob, are you there?", 23);
  g_assert_cmpuint (msrp_chunk_get_segment (chunk), ==, 0);
  /* Defaults of the report headers, which the example leaves out. */
  g_assert_false (msrp_chunk_get_success_report (chunk));
  g_assert_cmpint (msrp_chunk_get_failure_report (chunk), ==, MSRP_FAILURE_REPORT_YES);

  names = msrp_chunk_get_header_names (chunk);
  g_assert_true (g_strv_equal ((const char *const *) names, expected_names));

  g_assert_true (msrp_chunk_verify_headers (chunk, &error));
  g_assert_no_error (error);

  /* It encodes back to the same bytes. */
  assert_encodes_to (chunk, rfc_send);
}

static void
test_rfc_send_built (void)
{
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", "a786hjs2");
  g_autoptr(GPtrArray) to = test_path (TO_URI);
  g_autoptr(GPtrArray) from = test_path (FROM_URI);
  g_autoptr(GBytes) body = bytes_from_string ("Hey Bob, are you there?");

  /* To-Path, From-Path and Content-Type are set out of order on purpose:
   * they go first, second and last whatever the order. The other headers
   * keep the order they were added in. */
  msrp_chunk_set_content_type (chunk, "text/plain");
  msrp_chunk_set_data (chunk, body);
  msrp_chunk_set_from_path (chunk, from);
  msrp_chunk_set_message_id (chunk, "87652491");
  msrp_chunk_set_byte_range (chunk, 1, 25, 25);
  msrp_chunk_set_to_path (chunk, to);

  assert_encodes_to (chunk, rfc_send);
  /* The body is shared, not copied. */
  g_assert_true (msrp_chunk_get_data (chunk) == body);
}

static void
test_rfc_response (void)
{
  g_autoptr(MsrpChunk) chunk = parse_string (rfc_response);
  g_autoptr(MsrpChunk) built = NULL;
  g_autoptr(GPtrArray) to = test_path (FROM_URI);
  g_autoptr(GPtrArray) from = test_path (TO_URI);
  g_autoptr(GError) error = NULL;

  g_assert_false (msrp_chunk_is_request (chunk));
  g_assert_null (msrp_chunk_get_method (chunk));
  g_assert_cmpstr (msrp_chunk_get_transaction_id (chunk), ==, "a786hjs2");
  g_assert_cmpuint (msrp_chunk_get_code (chunk), ==, 200);
  g_assert_cmpstr (msrp_chunk_get_comment (chunk), ==, "OK");
  g_assert_null (msrp_chunk_get_data (chunk));
  g_assert_cmpuint (msrp_chunk_get_size (chunk), ==, 0);
  assert_path (msrp_chunk_get_to_path (chunk), FROM_URI);
  assert_path (msrp_chunk_get_from_path (chunk), TO_URI);
  g_assert_true (msrp_chunk_verify_headers (chunk, &error));
  g_assert_no_error (error);
  assert_encodes_to (chunk, rfc_response);

  /* The same response made with the API; NULL comment: the usual one. */
  built = msrp_chunk_new_response ("a786hjs2", MSRP_STATUS_OK, NULL);
  msrp_chunk_set_from_path (built, from);
  msrp_chunk_set_to_path (built, to);
  g_assert_cmpstr (msrp_chunk_get_comment (built), ==, "OK");
  assert_encodes_to (built, rfc_response);
}

static void
test_rfc_report (void)
{
  g_autoptr(MsrpChunk) chunk = parse_string (rfc_report);
  g_autoptr(MsrpChunk) built = NULL;
  g_autoptr(GError) error = NULL;
  const char *comment = NULL;
  guint code = 0;

  g_assert_cmpstr (msrp_chunk_get_method (chunk), ==, "REPORT");
  g_assert_true (msrp_chunk_get_status (chunk, &code, &comment));
  g_assert_cmpuint (code, ==, 200);
  g_assert_cmpstr (comment, ==, "OK");
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Status"), ==, "000 200 OK");
  g_assert_null (msrp_chunk_get_data (chunk));
  g_assert_true (msrp_chunk_verify_headers (chunk, &error));
  g_assert_no_error (error);
  assert_encodes_to (chunk, rfc_report);

  built = msrp_chunk_new_request ("REPORT", "dkei38sd");
  msrp_chunk_set_message_id (built, "12339sdqwer");
  msrp_chunk_set_header (built, "from-path", "msrp://bob.example.com:8888/9di4eae923wzd;tcp");
  msrp_chunk_set_byte_range (built, 1, 106, 106);
  msrp_chunk_set_status (built, 200, NULL);
  msrp_chunk_set_header (built, "TO-PATH", "msrp://alice.example.com:7777/iau39soe2843z;tcp");
  assert_encodes_to (built, rfc_report);
}

static void
test_rfc_chunks (void)
{
  g_autoptr(GBytes) all = bytes_from_string (rfc_chunks);
  const struct {
    const char *tid;
    const char *body;
    gint64 start, end, total;
    MsrpContinuation continuation;
  } expected[] = {
    { "d93kswow", "abcdefghij", 1, -1, -1, MSRP_CONTINUATION_MORE },
    { "op2nc9a", "klmnopqrst", 11, -1, -1, MSRP_CONTINUATION_MORE },
    { "qwe3v8z", "uvwxyz", 21, 26, 26, MSRP_CONTINUATION_END },
    { "9sdj3kd", "PNG", 1, -1, 4096, MSRP_CONTINUATION_ABORT },
  };
  gsize offset = 0;
  GString *reencoded = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GBytes) rest = g_bytes_new_from_bytes (all, offset, g_bytes_get_size (all) - offset);
      g_autoptr(GError) error = NULL;
      g_autoptr(MsrpChunk) chunk = NULL;
      g_autoptr(GBytes) enc = NULL;
      gint64 start, end, total;
      gsize consumed = 0;

      chunk = msrp_chunk_parse (rest, &consumed, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (msrp_chunk_get_transaction_id (chunk), ==, expected[i].tid);
      assert_body (chunk, expected[i].body, strlen (expected[i].body));
      g_assert_true (msrp_chunk_get_byte_range (chunk, &start, &end, &total));
      g_assert_cmpint (start, ==, expected[i].start);
      g_assert_cmpint (end, ==, expected[i].end);
      g_assert_cmpint (total, ==, expected[i].total);
      g_assert_cmpint (msrp_chunk_get_continuation (chunk), ==, expected[i].continuation);
      g_assert_true (msrp_chunk_verify_headers (chunk, &error));
      g_assert_no_error (error);

      enc = msrp_chunk_encode (chunk);
      g_string_append_len (reencoded, g_bytes_get_data (enc, NULL), g_bytes_get_size (enc));
      /* consumed stops right after this chunk's end-line. */
      g_assert_cmpuint (consumed, ==, g_bytes_get_size (enc));
      offset += consumed;
    }
  g_assert_cmpuint (offset, ==, strlen (rfc_chunks));
  g_assert_cmpstr (reencoded->str, ==, rfc_chunks);
  g_string_free (reencoded, TRUE);
}

/* Valid chunks */

typedef struct {
  const char *name;
  const char *input;
  const char *method;     /* NULL for a response */
  guint code;
  const char *comment;
  const char *tid;
  guint n_headers;
  const char *body;       /* NULL: no body */
  gsize body_len;
  MsrpContinuation continuation;
  const char *canonical;  /* msrp_chunk_encode, or NULL when it is input */
} ValidChunk;

#define PATHS "To-Path: msrp://a.example.com/s1;tcp\r\nFrom-Path: msrp://b.example.com/s2;tcp\r\n"

static const ValidChunk valid_chunks[] = {
  { "no-body", "MSRP abcd SEND\r\n" PATHS "Message-ID: m1\r\nByte-Range: 1-0/0\r\n-------abcd$\r\n",
    "SEND", 0, NULL, "abcd", 4, NULL, 0, MSRP_CONTINUATION_END, NULL },
  { "empty-body",
    "MSRP abcd SEND\r\n" PATHS "Message-ID: m1\r\nContent-Type: text/plain\r\n\r\n\r\n-------abcd$\r\n",
    "SEND", 0, NULL, "abcd", 4, "", 0, MSRP_CONTINUATION_END, NULL },
  { "response-no-comment", "MSRP abcd 200\r\n" PATHS "-------abcd$\r\n",
    NULL, 200, NULL, "abcd", 2, NULL, 0, MSRP_CONTINUATION_END, NULL },
  { "response-long-comment", "MSRP abcd 481 Session does not exist here\r\n" PATHS "-------abcd$\r\n",
    NULL, 481, "Session does not exist here", "abcd", 2, NULL, 0, MSRP_CONTINUATION_END, NULL },
  { "response-unknown-code", "MSRP abcd 299 Strange\r\n" PATHS "-------abcd$\r\n",
    NULL, 299, "Strange", "abcd", 2, NULL, 0, MSRP_CONTINUATION_END, NULL },
  { "lower-case-header-names",
    "MSRP abcd SEND\r\nto-path: msrp://a.example.com/s1;tcp\r\nFROM-PATH: msrp://b.example.com/s2;tcp\r\n"
    "message-id: m1\r\nbyte-range: 1-3/3\r\ncontent-type: text/plain\r\n\r\nabc\r\n-------abcd$\r\n",
    "SEND", 0, NULL, "abcd", 5, "abc", 3, MSRP_CONTINUATION_END,
    "MSRP abcd SEND\r\n" PATHS "Message-ID: m1\r\nByte-Range: 1-3/3\r\nContent-Type: text/plain\r\n"
    "\r\nabc\r\n-------abcd$\r\n" },
  { "from-path-first",
    "MSRP abcd SEND\r\nFrom-Path: msrp://b.example.com/s2;tcp\r\nMessage-ID: m1\r\n"
    "To-Path: msrp://a.example.com/s1;tcp\r\n-------abcd$\r\n",
    "SEND", 0, NULL, "abcd", 3, NULL, 0, MSRP_CONTINUATION_END,
    "MSRP abcd SEND\r\n" PATHS "Message-ID: m1\r\n-------abcd$\r\n" },
  { "content-type-not-last",
    "MSRP abcd SEND\r\n" PATHS "Content-Type: text/plain\r\nMessage-ID: m1\r\nX-Foo: bar\r\n\r\nx\r\n-------abcd+\r\n",
    "SEND", 0, NULL, "abcd", 5, "x", 1, MSRP_CONTINUATION_MORE,
    "MSRP abcd SEND\r\n" PATHS "Message-ID: m1\r\nX-Foo: bar\r\nContent-Type: text/plain\r\n\r\nx\r\n-------abcd+\r\n" },
  { "whitespace-around-values",
    "MSRP abcd SEND\r\nTo-Path:msrp://a.example.com/s1;tcp\r\nFrom-Path:   msrp://b.example.com/s2;tcp  \r\n"
    "Message-ID:\tm1\t\r\n-------abcd#\r\n",
    "SEND", 0, NULL, "abcd", 3, NULL, 0, MSRP_CONTINUATION_ABORT,
    "MSRP abcd SEND\r\n" PATHS "Message-ID: m1\r\n-------abcd#\r\n" },
  { "stray-blank-lines-before",
    "\r\n\r\nMSRP abcd SEND\r\n" PATHS "-------abcd$\r\n",
    "SEND", 0, NULL, "abcd", 2, NULL, 0, MSRP_CONTINUATION_END,
    "MSRP abcd SEND\r\n" PATHS "-------abcd$\r\n" },
  { "nickname",
    "MSRP abcd NICKNAME\r\n" PATHS "Use-Nickname: \"Alice\"\r\n-------abcd$\r\n",
    "NICKNAME", 0, NULL, "abcd", 3, NULL, 0, MSRP_CONTINUATION_END, NULL },
  { "auth",
    "MSRP abcd AUTH\r\nTo-Path: msrps://relay.example.com;tcp\r\nFrom-Path: msrps://b.example.com/s2;tcp\r\n"
    "Authorization: Digest username=\"alice\", realm=\"example.com\"\r\nExpires: 900\r\n-------abcd$\r\n",
    "AUTH", 0, NULL, "abcd", 4, NULL, 0, MSRP_CONTINUATION_END,
    "MSRP abcd AUTH\r\nTo-Path: msrps://relay.example.com;tcp\r\nFrom-Path: msrps://b.example.com/s2;tcp\r\n"
    "Authorization: Digest username=\"alice\", realm=\"example.com\"\r\nExpires: 900\r\n-------abcd$\r\n" },
  { "unknown-method", "MSRP abcd FROB\r\n" PATHS "-------abcd$\r\n",
    "FROB", 0, NULL, "abcd", 2, NULL, 0, MSRP_CONTINUATION_END, NULL },
  { "utf8-header",
    "MSRP abcd SEND\r\n" PATHS "Content-Description: caf\xc3\xa9 \xe2\x98\x95\r\nContent-Type: text/plain\r\n"
    "\r\n\xc3\xa9\r\n-------abcd$\r\n",
    "SEND", 0, NULL, "abcd", 4, "\xc3\xa9", 2, MSRP_CONTINUATION_END, NULL },
  { "long-tid",
    "MSRP a123456789b123456789c123456789d123456789e123456789f123456789g123 SEND\r\n" PATHS
    "Content-Type: text/plain\r\n\r\nbody\r\n-------a123456789b123456789c123456789d123456789e123456789f123456789g123$\r\n",
    "SEND", 0, NULL, "a123456789b123456789c123456789d123456789e123456789f123456789g123", 3, "body", 4,
    MSRP_CONTINUATION_END, NULL },
  { "tid-with-punctuation",
    "MSRP a.b-c+d%e=f SEND\r\n" PATHS "-------a.b-c+d%e=f$\r\n",
    "SEND", 0, NULL, "a.b-c+d%e=f", 2, NULL, 0, MSRP_CONTINUATION_END, NULL },
  { "trailing-space-start-line",
    "MSRP abcd SEND  \r\n" PATHS "-------abcd$\r\n",
    "SEND", 0, NULL, "abcd", 2, NULL, 0, MSRP_CONTINUATION_END,
    "MSRP abcd SEND\r\n" PATHS "-------abcd$\r\n" },
  { "empty-header-value",
    "MSRP abcd SEND\r\n" PATHS "X-Empty:\r\n-------abcd$\r\n",
    "SEND", 0, NULL, "abcd", 3, NULL, 0, MSRP_CONTINUATION_END,
    "MSRP abcd SEND\r\n" PATHS "X-Empty: \r\n-------abcd$\r\n" },
};

static void
test_parse_valid (gconstpointer data)
{
  const ValidChunk *t = data;
  g_autoptr(MsrpChunk) chunk = parse_string (t->input);
  g_autoptr(MsrpChunk) again = NULL;
  g_autoptr(MsrpChunk) copy = NULL;
  g_autoptr(GBytes) enc = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  gsize consumed = 0;

  g_assert_cmpstr (msrp_chunk_get_method (chunk), ==, t->method);
  g_assert_cmpint (msrp_chunk_is_request (chunk), ==, t->method != NULL);
  g_assert_cmpuint (msrp_chunk_get_code (chunk), ==, t->code);
  g_assert_cmpstr (msrp_chunk_get_comment (chunk), ==, t->comment);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (chunk), ==, t->tid);
  names = msrp_chunk_get_header_names (chunk);
  g_assert_cmpuint (g_strv_length (names), ==, t->n_headers);
  if (t->body == NULL)
    g_assert_null (msrp_chunk_get_data (chunk));
  else
    assert_body (chunk, t->body, t->body_len);
  g_assert_cmpint (msrp_chunk_get_continuation (chunk), ==, t->continuation);

  /* Exact bytes of the encoding. */
  assert_encodes_to (chunk, t->canonical ? t->canonical : t->input);

  /* encode -> parse gives the same chunk back. */
  enc = msrp_chunk_encode (chunk);
  again = msrp_chunk_parse (enc, &consumed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, g_bytes_get_size (enc));
  assert_chunks_equal (chunk, again);

  copy = msrp_chunk_copy (chunk);
  assert_chunks_equal (chunk, copy);
}

/* Invalid chunks */

static const TestRefusal invalid_chunks[] = {
  { "empty", "", MSRP_ERROR_INCOMPLETE_CHUNK },
  { "only-blank-lines", "\r\n\r\n", MSRP_ERROR_INCOMPLETE_CHUNK },
  { "no-end-line", "MSRP abcd SEND\r\n" PATHS, MSRP_ERROR_INCOMPLETE_CHUNK },
  { "body-not-ended", "MSRP abcd SEND\r\n" PATHS "Content-Type: text/plain\r\n\r\nabc\r\n-------abcd",
    MSRP_ERROR_INCOMPLETE_CHUNK },
  { "end-line-without-crlf", "MSRP abcd SEND\r\n" PATHS "Content-Type: text/plain\r\n\r\nabc\r\n-------abcd$",
    MSRP_ERROR_INCOMPLETE_CHUNK },
  { "http", "HTTP/1.1 200 OK\r\n\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "lower-case-msrp", "msrp abcd SEND\r\n" PATHS "-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "no-tid", "MSRP SEND\r\n" PATHS "-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "bad-tid", "MSRP ab_cd SEND\r\n" PATHS "-------ab_cd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "tid-starts-with-dash", "MSRP -abcd SEND\r\n" PATHS "--------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "tid-too-long",
    "MSRP a123456789b123456789c123456789d123456789e123456789f123456789g1230 SEND\r\n" PATHS
    "-------a123456789b123456789c123456789d123456789e123456789f123456789g1230$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "lower-case-method", "MSRP abcd send\r\n" PATHS "-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "method-with-digit", "MSRP abcd SEND2\r\n" PATHS "-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "no-method", "MSRP abcd \r\n" PATHS "-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "two-digit-code", "MSRP abcd 20 OK\r\n" PATHS "-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "four-digit-code", "MSRP abcd 2000 OK\r\n" PATHS "-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "code-starting-with-0", "MSRP abcd 099 OK\r\n" PATHS "-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "comment-control-char", "MSRP abcd 200 O\x01K\r\n" PATHS "-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "bare-lf-start-line", "MSRP abcd SEND\n" PATHS "-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "bare-lf-header", "MSRP abcd SEND\r\nTo-Path: msrp://a.example.com/s1;tcp\n"
    "From-Path: msrp://b.example.com/s2;tcp\r\n-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "no-colon", "MSRP abcd SEND\r\n" PATHS "NoColonHere\r\n-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "space-in-name", "MSRP abcd SEND\r\n" PATHS "Bad Name: x\r\n-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "empty-name", "MSRP abcd SEND\r\n" PATHS ": x\r\n-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "control-char-in-value", "MSRP abcd SEND\r\n" PATHS "X-A: a\x01z\r\n-------abcd$\r\n",
    MSRP_ERROR_MALFORMED_CHUNK },
  { "nul-in-value", "MSRP abcd SEND\r\n" PATHS "X-A: a\0z\r\n-------abcd$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "invalid-utf8-value", "MSRP abcd SEND\r\n" PATHS "X-A: a\xc3(z\r\n-------abcd$\r\n",
    MSRP_ERROR_MALFORMED_CHUNK },
  { "end-line-of-other-tid", "MSRP abcd SEND\r\n" PATHS "-------abce$\r\n", MSRP_ERROR_MALFORMED_CHUNK },
  { "end-line-bad-flag", "MSRP abcd SEND\r\n" PATHS "-------abcd!\r\n", MSRP_ERROR_MALFORMED_CHUNK },
};

static void
test_parse_invalid (gconstpointer data)
{
  const TestRefusal *t = data;
  /* Some inputs hold a NUL: the length is the array's, not strlen. */
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpChunk) chunk = NULL;
  gsize consumed = 12345;
  gsize len = strlen (t->input);

  if (strcmp (t->name, "nul-in-value") == 0)
    len = strlen (t->input) + 1 + strlen (t->input + strlen (t->input) + 1);
  bytes = g_bytes_new (t->input, len);

  chunk = msrp_chunk_parse (bytes, &consumed, &error);
  g_assert_null (chunk);
  g_assert_error (error, MSRP_ERROR, (gint) t->code);
  /* consumed is left alone on failure. */
  g_assert_cmpuint (consumed, ==, 12345);
}

static void
test_parse_line_too_long (void)
{
  g_autofree char *value = g_strnfill (20 * 1024, 'x');
  g_autofree char *input = g_strdup_printf ("MSRP abcd SEND\r\n" PATHS "X-Big: %s\r\n-------abcd$\r\n", value);
  g_autofree char *start = g_strdup_printf ("MSRP abcd SEND%s\r\n" PATHS "-------abcd$\r\n", value);
  g_autoptr(GBytes) bytes = bytes_from_string (input);
  g_autoptr(GBytes) start_bytes = bytes_from_string (start);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpChunk) chunk = NULL;

  chunk = msrp_chunk_parse (bytes, NULL, &error);
  g_assert_null (chunk);
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_LINE_TOO_LONG);
  g_clear_error (&error);

  chunk = msrp_chunk_parse (start_bytes, NULL, &error);
  g_assert_null (chunk);
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_LINE_TOO_LONG);
}

static void
test_parse_incomplete_prefixes (void)
{
  const char *inputs[] = { rfc_send, rfc_response, rfc_report };

  /* Every strict prefix of a chunk is incomplete, none is malformed. */
  for (guint n = 0; n < G_N_ELEMENTS (inputs); n++)
    {
      gsize len = strlen (inputs[n]);

      for (gsize k = 0; k < len; k++)
        {
          g_autoptr(GBytes) bytes = g_bytes_new (inputs[n], k);
          g_autoptr(GError) error = NULL;
          g_autoptr(MsrpChunk) chunk = msrp_chunk_parse (bytes, NULL, &error);

          g_assert_null (chunk);
          g_assert_error (error, MSRP_ERROR, MSRP_ERROR_INCOMPLETE_CHUNK);
        }
    }
}

static void
test_parse_trailing_data (void)
{
  g_autofree char *two = g_strconcat (rfc_send, rfc_response, "MSRP junk", NULL);
  g_autoptr(GBytes) bytes = bytes_from_string (two);
  g_autoptr(GBytes) rest = NULL;
  g_autoptr(GBytes) tail = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpChunk) first = NULL;
  g_autoptr(MsrpChunk) second = NULL;
  g_autoptr(MsrpChunk) third = NULL;
  gsize consumed = 0;
  gsize consumed2 = 0;

  first = msrp_chunk_parse (bytes, &consumed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, strlen (rfc_send));
  g_assert_cmpstr (msrp_chunk_get_method (first), ==, "SEND");
  assert_body (first, "Hey Bob, are you there?", 23);

  rest = g_bytes_new_from_bytes (bytes, consumed, g_bytes_get_size (bytes) - consumed);
  second = msrp_chunk_parse (rest, &consumed2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (consumed2, ==, strlen (rfc_response));
  g_assert_cmpuint (msrp_chunk_get_code (second), ==, 200);

  tail = g_bytes_new_from_bytes (rest, consumed2, g_bytes_get_size (rest) - consumed2);
  third = msrp_chunk_parse (tail, NULL, &error);
  g_assert_null (third);
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_INCOMPLETE_CHUNK);
}

static void
test_parse_zero_copy (void)
{
  g_autoptr(GBytes) bytes = bytes_from_string (rfc_send);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpChunk) chunk = NULL;
  const guint8 *base;
  const guint8 *body;
  gsize len;

  chunk = msrp_chunk_parse (bytes, NULL, &error);
  g_assert_no_error (error);
  base = g_bytes_get_data (bytes, &len);
  body = g_bytes_get_data (msrp_chunk_get_data (chunk), NULL);
  /* The body shares the input's memory. */
  g_assert_true (body == base + strlen (rfc_send) - strlen ("Hey Bob, are you there?\r\n-------a786hjs2$\r\n"));
}

/* Encoding */

static void
test_encode_order (void)
{
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", "tid12345");
  g_autoptr(GPtrArray) to = test_path ("msrps://relay.example.com:2855/r1;tcp msrp://b.example.com/s2;tcp");
  g_autoptr(GPtrArray) from = test_path ("msrp://a.example.com/s1;tcp");
  g_autoptr(GBytes) body = bytes_from_string ("hello");
  g_auto(GStrv) names = NULL;
  const char *const expected_names[] = {
    "To-Path", "From-Path", "Message-ID", "X-Custom", "Byte-Range", "Success-Report", "Failure-Report",
    "Content-ID", "Content-Description", "Content-Disposition", "Content-Type", NULL
  };

  msrp_chunk_set_content_type (chunk, "text/plain");
  msrp_chunk_set_content_id (chunk, "<1@a>");
  msrp_chunk_set_message_id (chunk, "msg1");
  msrp_chunk_set_from_path (chunk, from);
  msrp_chunk_set_header (chunk, "X-Custom", "1");
  msrp_chunk_set_content_description (chunk, "a greeting");
  msrp_chunk_set_byte_range (chunk, 1, 5, 5);
  msrp_chunk_set_to_path (chunk, to);
  msrp_chunk_set_success_report (chunk, TRUE);
  msrp_chunk_set_failure_report (chunk, MSRP_FAILURE_REPORT_PARTIAL);
  msrp_chunk_set_content_disposition (chunk, "inline");
  msrp_chunk_set_data (chunk, body);
  msrp_chunk_set_continuation (chunk, MSRP_CONTINUATION_MORE);

  names = msrp_chunk_get_header_names (chunk);
  g_assert_true (g_strv_equal ((const char *const *) names, expected_names));

  assert_encodes_to (chunk,
                     "MSRP tid12345 SEND\r\n"
                     "To-Path: msrps://relay.example.com:2855/r1;tcp msrp://b.example.com/s2;tcp\r\n"
                     "From-Path: msrp://a.example.com/s1;tcp\r\n"
                     "Message-ID: msg1\r\n"
                     "X-Custom: 1\r\n"
                     "Byte-Range: 1-5/5\r\n"
                     "Success-Report: yes\r\n"
                     "Failure-Report: partial\r\n"
                     "Content-ID: <1@a>\r\n"
                     "Content-Description: a greeting\r\n"
                     "Content-Disposition: inline\r\n"
                     "Content-Type: text/plain\r\n"
                     "\r\n"
                     "hello\r\n"
                     "-------tid12345+\r\n");

  /* Replacing a header keeps its place; the flags all encode. */
  msrp_chunk_set_message_id (chunk, "msg2");
  msrp_chunk_set_continuation (chunk, MSRP_CONTINUATION_ABORT);
  msrp_chunk_set_data (chunk, NULL);
  msrp_chunk_remove_header (chunk, "Content-Type");
  msrp_chunk_remove_header (chunk, "content-id");
  msrp_chunk_remove_header (chunk, "CONTENT-DESCRIPTION");
  msrp_chunk_remove_header (chunk, "Content-Disposition");
  assert_encodes_to (chunk,
                     "MSRP tid12345 SEND\r\n"
                     "To-Path: msrps://relay.example.com:2855/r1;tcp msrp://b.example.com/s2;tcp\r\n"
                     "From-Path: msrp://a.example.com/s1;tcp\r\n"
                     "Message-ID: msg2\r\n"
                     "X-Custom: 1\r\n"
                     "Byte-Range: 1-5/5\r\n"
                     "Success-Report: yes\r\n"
                     "Failure-Report: partial\r\n"
                     "-------tid12345#\r\n");
}

static void
test_encode_canonical_names (void)
{
  const char *input =
    "MSRP abcd SEND\r\n"
    "from-path: msrp://b.example.com/s2;tcp\r\n"
    "TO-PATH: msrp://a.example.com/s1;tcp\r\n"
    "content-type: text/plain\r\n"
    "message-id: m1\r\n"
    "BYTE-RANGE: 1-2/2\r\n"
    "success-report: yes\r\n"
    "failure-report: no\r\n"
    "x-lower: kept as is\r\n"
    "use-path: msrps://r.example.com;tcp\r\n"
    "www-authenticate: Digest realm=\"x\"\r\n"
    "content-id: <c>\r\n"
    "\r\n"
    "hi\r\n"
    "-------abcd$\r\n";
  g_autoptr(MsrpChunk) chunk = parse_string (input);

  assert_encodes_to (chunk,
                     "MSRP abcd SEND\r\n"
                     "To-Path: msrp://a.example.com/s1;tcp\r\n"
                     "From-Path: msrp://b.example.com/s2;tcp\r\n"
                     "Message-ID: m1\r\n"
                     "Byte-Range: 1-2/2\r\n"
                     "Success-Report: yes\r\n"
                     "Failure-Report: no\r\n"
                     "x-lower: kept as is\r\n"
                     "Use-Path: msrps://r.example.com;tcp\r\n"
                     "WWW-Authenticate: Digest realm=\"x\"\r\n"
                     "Content-ID: <c>\r\n"
                     "Content-Type: text/plain\r\n"
                     "\r\n"
                     "hi\r\n"
                     "-------abcd$\r\n");
}

static void
test_encode_response (void)
{
  const struct {
    guint code;
    const char *comment;
    const char *line;
  } cases[] = {
    { 200, NULL, "MSRP t1234 200 OK\r\n" },
    { 400, NULL, "MSRP t1234 400 Bad Request\r\n" },
    { 403, NULL, "MSRP t1234 403 Forbidden\r\n" },
    { 408, NULL, "MSRP t1234 408 Request Timeout\r\n" },
    { 413, NULL, "MSRP t1234 413 Stop Sending\r\n" },
    { 415, NULL, "MSRP t1234 415 Unsupported Media Type\r\n" },
    { 481, NULL, "MSRP t1234 481 Session Does Not Exist\r\n" },
    { 501, NULL, "MSRP t1234 501 Unknown Method\r\n" },
    { 506, NULL, "MSRP t1234 506 Session Already Bound\r\n" },
    { 299, NULL, "MSRP t1234 299\r\n" },
    { 200, "Fine thanks", "MSRP t1234 200 Fine thanks\r\n" },
    { 200, "", "MSRP t1234 200\r\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MsrpChunk) chunk = msrp_chunk_new_response ("t1234", cases[i].code, cases[i].comment);
      g_autofree char *expected = g_strconcat (cases[i].line, "-------t1234$\r\n", NULL);

      g_assert_cmpuint (msrp_chunk_get_code (chunk), ==, cases[i].code);
      g_assert_false (msrp_chunk_is_request (chunk));
      assert_encodes_to (chunk, expected);
    }
}

static void
test_new_request_random_tid (void)
{
  g_autoptr(MsrpChunk) a = msrp_chunk_new_request ("SEND", NULL);
  g_autoptr(MsrpChunk) b = msrp_chunk_new_request ("SEND", NULL);
  const char *tid = msrp_chunk_get_transaction_id (a);

  g_assert_nonnull (tid);
  /* At least 64 random bits: 16 characters of [a-z0-9]. */
  g_assert_cmpuint (strlen (tid), >=, 13);
  g_assert_cmpuint (strlen (tid), <=, 32);
  g_assert_true (g_ascii_isalnum (tid[0]));
  g_assert_cmpstr (tid, !=, msrp_chunk_get_transaction_id (b));
  g_assert_null (msrp_chunk_get_data (a));
  g_assert_cmpint (msrp_chunk_get_continuation (a), ==, MSRP_CONTINUATION_END);
}

/* Binary bodies */

typedef struct {
  const char *name;
  const char *data;
  gsize len;
} Body;

#define B(name, s) { name, s, sizeof s - 1 }

static const Body bodies[] = {
  B ("nul", "\0"),
  B ("nuls", "a\0b\0\0c"),
  B ("cr", "\r"),
  B ("lf", "\n"),
  B ("crlf", "\r\n"),
  B ("crlfcrlf", "\r\n\r\n"),
  B ("ends-with-cr", "abc\r"),
  B ("ends-with-crlf", "abc\r\n"),
  B ("starts-with-dashes", "-------a786hjs2$\r\nrest"),
  B ("fake-end-x", "\r\n-------a786hjs2x"),
  B ("fake-end-x-middle", "abc\r\n-------a786hjs2xdef"),
  B ("fake-end-dollar-no-crlf", "abc\r\n-------a786hjs2$def"),
  B ("fake-end-dollar-cr-only", "abc\r\n-------a786hjs2$\rdef"),
  B ("fake-end-dollar-lf-only", "abc\r\n-------a786hjs2$\ndef"),
  B ("fake-end-plus-cr-x", "\r\n-------a786hjs2+\rx"),
  B ("fake-end-hash-no-crlf", "\r\n-------a786hjs2#x"),
  B ("fake-end-bad-flag", "\r\n-------a786hjs2!\r\n"),
  B ("fake-end-longer-tid", "\r\n-------a786hjs2a$\r\n"),
  B ("fake-end-shorter-tid", "\r\n-------a786hjs$\r\n"),
  B ("fake-end-six-dashes", "\r\n------a786hjs2$\r\n"),
  B ("fake-end-eight-dashes", "\r\n--------a786hjs2$\r\n"),
  B ("fake-end-no-cr", "\n-------a786hjs2$\r\n"),
  B ("ends-with-needle", "abc\r\n-------a786hjs2"),
  B ("ends-with-partial-needle", "abc\r\n-------a786h"),
  B ("repeated-needles", "\r\n-------a786hjs2\r\n-------a786hjs2\r\n-------a786hjs2x"),
  B ("mime-like", "Content-Type: text/plain\r\n\r\nMSRP a786hjs2 SEND\r\n"),
  B ("high-bytes", "\xff\xfe\x80\x00\x7f\xc3"),
};

static void
check_body_round_trip (const char *name,
                       const char *data,
                       gsize       len)
{
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", "a786hjs2");
  g_autoptr(GBytes) body = g_bytes_new (data, len);
  g_autoptr(GBytes) enc = NULL;
  g_autoptr(MsrpChunk) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) to = test_path (TO_URI);
  g_autoptr(GPtrArray) from = test_path (FROM_URI);
  gsize consumed = 0;
  GString *expected;

  msrp_chunk_set_to_path (chunk, to);
  msrp_chunk_set_from_path (chunk, from);
  msrp_chunk_set_message_id (chunk, "m1");
  msrp_chunk_set_byte_range (chunk, 1, len, len);
  msrp_chunk_set_content_type (chunk, "application/octet-stream");
  msrp_chunk_set_data (chunk, body);

  enc = msrp_chunk_encode (chunk);
  expected = g_string_new ("MSRP a786hjs2 SEND\r\n"
                           "To-Path: " TO_URI "\r\n"
                           "From-Path: " FROM_URI "\r\n"
                           "Message-ID: m1\r\n");
  g_string_append_printf (expected, "Byte-Range: 1-%" G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT "\r\n", len, len);
  g_string_append (expected, "Content-Type: application/octet-stream\r\n\r\n");
  g_string_append_len (expected, data, len);
  g_string_append (expected, "\r\n-------a786hjs2$\r\n");
  assert_bytes_equal (enc, expected->str, expected->len);
  g_string_free (expected, TRUE);

  parsed = msrp_chunk_parse (enc, &consumed, &error);
  if (error != NULL)
    g_error ("Body “%s”: %s", name, error->message);
  g_assert_cmpuint (consumed, ==, g_bytes_get_size (enc));
  assert_body (parsed, data, len);
  g_assert_true (msrp_chunk_verify_headers (parsed, &error));
  g_assert_no_error (error);
}

static void
test_binary_body (gconstpointer data)
{
  const Body *b = data;

  check_body_round_trip (b->name, b->data, b->len);
}

static void
test_binary_all_bytes (void)
{
  guint8 all[512];

  for (guint i = 0; i < sizeof all; i++)
    all[i] = i & 0xff;
  check_body_round_trip ("all-bytes", (const char *) all, sizeof all);
  for (guint i = 0; i < sizeof all; i++)
    all[i] = 0xff - (i & 0xff);
  check_body_round_trip ("all-bytes-reversed", (const char *) all, sizeof all);
}

static void
test_empty_body_vs_none (void)
{
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", "e1234");
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) enc = NULL;
  g_autoptr(MsrpChunk) parsed = NULL;
  g_autoptr(GError) error = NULL;

  msrp_chunk_set_header (chunk, "To-Path", "msrp://a.example.com/s1;tcp");
  msrp_chunk_set_header (chunk, "From-Path", "msrp://b.example.com/s2;tcp");
  msrp_chunk_set_message_id (chunk, "m1");
  msrp_chunk_set_byte_range (chunk, 1, 0, 0);

  /* No body: no blank line, no Content-Type. */
  assert_encodes_to (chunk,
                     "MSRP e1234 SEND\r\n" PATHS
                     "Message-ID: m1\r\nByte-Range: 1-0/0\r\n"
                     "-------e1234$\r\n");
  enc = msrp_chunk_encode (chunk);
  parsed = msrp_chunk_parse (enc, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (msrp_chunk_get_data (parsed));
  g_assert_cmpuint (msrp_chunk_get_size (parsed), ==, 0);
  g_assert_true (msrp_chunk_verify_headers (parsed, &error));
  g_assert_no_error (error);
  g_clear_pointer (&enc, g_bytes_unref);
  g_clear_object (&parsed);

  /* Empty body: blank line, empty body, CRLF, end-line. */
  msrp_chunk_set_content_type (chunk, "text/plain");
  msrp_chunk_set_data (chunk, empty);
  assert_encodes_to (chunk,
                     "MSRP e1234 SEND\r\n" PATHS
                     "Message-ID: m1\r\nByte-Range: 1-0/0\r\nContent-Type: text/plain\r\n"
                     "\r\n"
                     "\r\n-------e1234$\r\n");
  enc = msrp_chunk_encode (chunk);
  parsed = msrp_chunk_parse (enc, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (msrp_chunk_get_data (parsed));
  g_assert_cmpuint (g_bytes_get_size (msrp_chunk_get_data (parsed)), ==, 0);
  g_assert_cmpuint (msrp_chunk_get_size (parsed), ==, 0);
  g_assert_true (msrp_chunk_verify_headers (parsed, &error));
  g_assert_no_error (error);
}

/* Typed accessors */

static void
test_byte_range (void)
{
  const struct {
    const char *value;
    gboolean ok;
    gint64 start, end, total;
  } cases[] = {
    { "1-25/25", TRUE, 1, 25, 25 },
    { "1-*/*", TRUE, 1, -1, -1 },
    { "1-*/8191", TRUE, 1, -1, 8191 },
    { "2000-4095/*", TRUE, 2000, 4095, -1 },
    { "1-0/0", TRUE, 1, 0, 0 },
    { "9000000000-9000000001/9000000001", TRUE, 9000000000, 9000000001, 9000000001 },
    { "0-5/5", FALSE, 1, -1, -1 },
    { "*-5/5", FALSE, 1, -1, -1 },
    { "1-5", FALSE, 1, -1, -1 },
    { "1/5", FALSE, 1, -1, -1 },
    { "", FALSE, 1, -1, -1 },
    { "a-b/c", FALSE, 1, -1, -1 },
    { "1--5/5", FALSE, 1, -1, -1 },
    { "1-5/5/5", FALSE, 1, -1, -1 },
    { "1-**/*", FALSE, 1, -1, -1 },
    { "1-5/*x", FALSE, 1, -1, -1 },
    { "1-99999999999999999999/*", FALSE, 1, -1, -1 },
    /* Up to G_MAXINT64 itself, and not one more. */
    { "9223372036854775807-9223372036854775807/9223372036854775807", TRUE,
      G_MAXINT64, G_MAXINT64, G_MAXINT64 },
    { "9223372036854775808-*/*", FALSE, 1, -1, -1 },
    { "1-9223372036854775808/*", FALSE, 1, -1, -1 },
    { "1-*/9223372036854775810", FALSE, 1, -1, -1 },
  };
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", "br1234");
  gint64 s = 0, e = 0, t = 0;

  /* Absent: treated as 1-* / * and FALSE. */
  g_assert_false (msrp_chunk_get_byte_range (chunk, &s, &e, &t));
  g_assert_cmpint (s, ==, 1);
  g_assert_cmpint (e, ==, -1);
  g_assert_cmpint (t, ==, -1);
  /* The outputs are optional. */
  g_assert_false (msrp_chunk_get_byte_range (chunk, NULL, NULL, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      msrp_chunk_set_header (chunk, "Byte-Range", cases[i].value);
      s = e = t = 12345;
      if (msrp_chunk_get_byte_range (chunk, &s, &e, &t) != cases[i].ok)
        g_error ("Byte-Range “%s” should be %s", cases[i].value, cases[i].ok ? "valid" : "invalid");
      g_assert_cmpint (s, ==, cases[i].start);
      g_assert_cmpint (e, ==, cases[i].end);
      g_assert_cmpint (t, ==, cases[i].total);
    }

  /* The setter writes '*' for -1. */
  msrp_chunk_set_byte_range (chunk, 1, -1, -1);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Byte-Range"), ==, "1-*/*");
  msrp_chunk_set_byte_range (chunk, 4097, -1, 10000);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "byte-range"), ==, "4097-*/10000");
  msrp_chunk_set_byte_range (chunk, 4097, 8192, -1);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Byte-Range"), ==, "4097-8192/*");
  g_assert_true (msrp_chunk_get_byte_range (chunk, &s, &e, &t));
  g_assert_cmpint (s, ==, 4097);
  g_assert_cmpint (e, ==, 8192);
  g_assert_cmpint (t, ==, -1);
  msrp_chunk_set_byte_range (chunk, 1, 0, 0);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Byte-Range"), ==, "1-0/0");
  msrp_chunk_set_byte_range (chunk, G_MAXINT64 / 2, G_MAXINT64 / 2, G_MAXINT64 / 2);
  g_assert_true (msrp_chunk_get_byte_range (chunk, &s, &e, &t));
  g_assert_cmpint (s, ==, G_MAXINT64 / 2);
  g_assert_cmpint (t, ==, G_MAXINT64 / 2);
  /* What the setter writes reads back, up to the largest. */
  msrp_chunk_set_byte_range (chunk, G_MAXINT64, G_MAXINT64, G_MAXINT64);
  g_assert_true (msrp_chunk_get_byte_range (chunk, &s, &e, &t));
  g_assert_cmpint (s, ==, G_MAXINT64);
  g_assert_cmpint (e, ==, G_MAXINT64);
  g_assert_cmpint (t, ==, G_MAXINT64);
}

static void
test_reports (void)
{
  const struct {
    const char *value;
    gboolean success;
    MsrpFailureReport failure;
  } cases[] = {
    { "yes", TRUE, MSRP_FAILURE_REPORT_YES },
    { "YES", TRUE, MSRP_FAILURE_REPORT_YES },
    { "no", FALSE, MSRP_FAILURE_REPORT_NO },
    { "No", FALSE, MSRP_FAILURE_REPORT_NO },
    { "partial", FALSE, MSRP_FAILURE_REPORT_PARTIAL },
    { "PARTIAL", FALSE, MSRP_FAILURE_REPORT_PARTIAL },
    { "maybe", FALSE, MSRP_FAILURE_REPORT_YES },
  };
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", "rp1234");

  /* Defaults (RFC 4975 section 7.2): Success-Report no, Failure-Report yes. */
  g_assert_false (msrp_chunk_get_success_report (chunk));
  g_assert_cmpint (msrp_chunk_get_failure_report (chunk), ==, MSRP_FAILURE_REPORT_YES);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      msrp_chunk_set_header (chunk, "Success-Report", cases[i].value);
      msrp_chunk_set_header (chunk, "Failure-Report", cases[i].value);
      g_assert_cmpint (msrp_chunk_get_success_report (chunk), ==, cases[i].success);
      g_assert_cmpint (msrp_chunk_get_failure_report (chunk), ==, cases[i].failure);
    }

  msrp_chunk_set_success_report (chunk, TRUE);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Success-Report"), ==, "yes");
  g_assert_true (msrp_chunk_get_success_report (chunk));
  msrp_chunk_set_success_report (chunk, FALSE);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Success-Report"), ==, "no");
  g_assert_false (msrp_chunk_get_success_report (chunk));

  msrp_chunk_set_failure_report (chunk, MSRP_FAILURE_REPORT_NO);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Failure-Report"), ==, "no");
  g_assert_cmpint (msrp_chunk_get_failure_report (chunk), ==, MSRP_FAILURE_REPORT_NO);
  msrp_chunk_set_failure_report (chunk, MSRP_FAILURE_REPORT_PARTIAL);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Failure-Report"), ==, "partial");
  g_assert_cmpint (msrp_chunk_get_failure_report (chunk), ==, MSRP_FAILURE_REPORT_PARTIAL);
  msrp_chunk_set_failure_report (chunk, MSRP_FAILURE_REPORT_YES);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Failure-Report"), ==, "yes");
  g_assert_cmpint (msrp_chunk_get_failure_report (chunk), ==, MSRP_FAILURE_REPORT_YES);
}

static void
test_status (void)
{
  const struct {
    const char *value;
    gboolean ok;
    guint code;
    const char *comment;
  } cases[] = {
    { "000 200 OK", TRUE, 200, "OK" },
    { "000 200", TRUE, 200, NULL },
    { "000 413 Stop sending that", TRUE, 413, "Stop sending that" },
    { "000 999 x", TRUE, 999, "x" },
    { "200 OK", FALSE, 0, NULL },
    { "000 20 OK", FALSE, 0, NULL },
    { "000 2000", FALSE, 0, NULL },
    { "000 099 x", FALSE, 0, NULL },
    { "000 abc", FALSE, 0, NULL },
    { "", FALSE, 0, NULL },
  };
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("REPORT", "st1234");
  guint code = 1;
  const char *comment = "x";

  g_assert_false (msrp_chunk_get_status (chunk, &code, &comment));
  g_assert_cmpuint (code, ==, 0);
  g_assert_null (comment);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      msrp_chunk_set_header (chunk, "Status", cases[i].value);
      code = 1;
      comment = "x";
      if (msrp_chunk_get_status (chunk, &code, &comment) != cases[i].ok)
        g_error ("Status “%s” should be %s", cases[i].value, cases[i].ok ? "valid" : "invalid");
      g_assert_cmpuint (code, ==, cases[i].code);
      g_assert_cmpstr (comment, ==, cases[i].comment);
    }

  msrp_chunk_set_status (chunk, 200, NULL);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Status"), ==, "000 200 OK");
  msrp_chunk_set_status (chunk, 481, NULL);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Status"), ==, "000 481 Session Does Not Exist");
  msrp_chunk_set_status (chunk, 408, "Timed out");
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Status"), ==, "000 408 Timed out");
  msrp_chunk_set_status (chunk, 299, NULL);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Status"), ==, "000 299");
  g_assert_true (msrp_chunk_get_status (chunk, &code, NULL));
  g_assert_cmpuint (code, ==, 299);
  /* One Status header only. */
  {
    g_auto(GStrv) names = msrp_chunk_get_header_names (chunk);
    g_assert_cmpuint (g_strv_length (names), ==, 1);
  }
}

static void
test_expires (void)
{
  const struct {
    const char *name;
    gint64 (*get) (MsrpChunk *);
    void (*set) (MsrpChunk *, gint64);
  } headers[] = {
    { "Expires", msrp_chunk_get_expires, msrp_chunk_set_expires },
    { "Min-Expires", msrp_chunk_get_min_expires, msrp_chunk_set_min_expires },
    { "Max-Expires", msrp_chunk_get_max_expires, msrp_chunk_set_max_expires },
  };
  const struct {
    const char *value;
    gint64 seconds;
  } values[] = {
    { "0", 0 },
    { "900", 900 },
    { "3600", 3600 },
    { "4294967296", G_GINT64_CONSTANT (4294967296) },
    { "-1", -1 },
    { "abc", -1 },
    { "", -1 },
    { "12x", -1 },
    { "99999999999999999999999", -1 },
  };

  for (guint h = 0; h < G_N_ELEMENTS (headers); h++)
    {
      g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("AUTH", "ex1234");
      g_autofree char *lower = g_ascii_strdown (headers[h].name, -1);

      g_assert_cmpint (headers[h].get (chunk), ==, -1);
      headers[h].set (chunk, 3600);
      g_assert_cmpstr (msrp_chunk_get_header (chunk, lower), ==, "3600");
      g_assert_cmpint (headers[h].get (chunk), ==, 3600);
      headers[h].set (chunk, 0);
      g_assert_cmpstr (msrp_chunk_get_header (chunk, headers[h].name), ==, "0");
      g_assert_cmpint (headers[h].get (chunk), ==, 0);
      headers[h].set (chunk, -1);
      g_assert_null (msrp_chunk_get_header (chunk, headers[h].name));
      g_assert_cmpint (headers[h].get (chunk), ==, -1);

      for (guint v = 0; v < G_N_ELEMENTS (values); v++)
        {
          msrp_chunk_set_header (chunk, headers[h].name, values[v].value);
          g_assert_cmpint (headers[h].get (chunk), ==, values[v].seconds);
        }
    }
}

static void
test_use_path (void)
{
  g_autoptr(MsrpChunk) chunk = parse_string ("MSRP ab12 200 OK\r\n"
                                             "To-Path: msrp://a.example.com/s1;tcp\r\n"
                                             "From-Path: msrps://relay.example.com;tcp\r\n"
                                             "Use-Path: msrps://relay.example.com:2855/r+/x=;tcp msrps://relay2.example.com/r2;tcp\r\n"
                                             "Expires: 600\r\n"
                                             "-------ab12$\r\n");
  g_autoptr(GPtrArray) path = test_path ("msrps://other.example.com/o1;tcp");
  g_autoptr(GError) error = NULL;
  GPtrArray *use;

  use = msrp_chunk_get_use_path (chunk);
  g_assert_nonnull (use);
  g_assert_cmpuint (use->len, ==, 2);
  g_assert_cmpstr (msrp_uri_get_session_id (g_ptr_array_index (use, 0)), ==, "r+/x=");
  g_assert_cmpint (msrp_chunk_get_expires (chunk), ==, 600);
  g_assert_true (msrp_chunk_verify_headers (chunk, &error));
  g_assert_no_error (error);

  msrp_chunk_set_use_path (chunk, path);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "Use-Path"), ==, "msrps://other.example.com/o1;tcp");
  assert_path (msrp_chunk_get_use_path (chunk), "msrps://other.example.com/o1;tcp");

  /* A path set as a header string is parsed again. */
  msrp_chunk_set_header (chunk, "use-path", "msrps://third.example.com;tcp");
  assert_path (msrp_chunk_get_use_path (chunk), "msrps://third.example.com;tcp");

  /* An invalid path reads as NULL. */
  msrp_chunk_set_header (chunk, "Use-Path", "not a uri");
  g_assert_null (msrp_chunk_get_use_path (chunk));

  msrp_chunk_set_use_path (chunk, NULL);
  g_assert_null (msrp_chunk_get_header (chunk, "Use-Path"));
  g_assert_null (msrp_chunk_get_use_path (chunk));
}

static void
test_paths_cached_and_updated (void)
{
  g_autoptr(MsrpChunk) chunk = parse_string (rfc_send);
  g_autoptr(GPtrArray) new_to = test_path ("msrp://c.example.com/s3;tcp msrp://d.example.com/s4;tcp");
  GPtrArray *to;

  to = msrp_chunk_get_to_path (chunk);
  /* The same array until the header changes. */
  g_assert_true (to == msrp_chunk_get_to_path (chunk));
  msrp_chunk_set_to_path (chunk, new_to);
  assert_path (msrp_chunk_get_to_path (chunk), "msrp://c.example.com/s3;tcp msrp://d.example.com/s4;tcp");
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "To-Path"), ==,
                   "msrp://c.example.com/s3;tcp msrp://d.example.com/s4;tcp");
  /* Changing the header by name updates the typed view. */
  msrp_chunk_set_header (chunk, "to-path", "msrp://e.example.com/s5;tcp");
  assert_path (msrp_chunk_get_to_path (chunk), "msrp://e.example.com/s5;tcp");
  msrp_chunk_remove_header (chunk, "From-Path");
  g_assert_null (msrp_chunk_get_from_path (chunk));
  msrp_chunk_set_to_path (chunk, NULL);
  g_assert_null (msrp_chunk_get_to_path (chunk));
  g_assert_null (msrp_chunk_get_header (chunk, "To-Path"));
}

static void
test_auth_headers (void)
{
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_response ("au1234", 401, NULL);
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *scheme = NULL;

  g_assert_cmpstr (msrp_chunk_get_comment (chunk), ==, "Unauthorized");
  g_assert_null (msrp_chunk_get_www_authenticate (chunk));
  g_assert_null (msrp_chunk_get_auth_params (chunk, "WWW-Authenticate", &scheme));
  g_assert_null (scheme);

  msrp_chunk_set_www_authenticate (chunk, "Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth\", algorithm=MD5");
  g_assert_cmpstr (msrp_chunk_get_www_authenticate (chunk), ==,
                   "Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth\", algorithm=MD5");
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "www-authenticate"), ==,
                   "Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth\", algorithm=MD5");

  params = msrp_chunk_get_auth_params (chunk, "WWW-Authenticate", &scheme);
  g_assert_nonnull (params);
  g_assert_cmpstr (scheme, ==, "Digest");
  g_assert_cmpuint (g_hash_table_size (params), ==, 4);
  g_assert_cmpstr (g_hash_table_lookup (params, "realm"), ==, "example.com");
  g_assert_cmpstr (g_hash_table_lookup (params, "nonce"), ==, "abc");
  g_assert_cmpstr (g_hash_table_lookup (params, "qop"), ==, "auth");
  g_assert_cmpstr (g_hash_table_lookup (params, "algorithm"), ==, "MD5");
  g_clear_pointer (&params, g_hash_table_unref);
  g_clear_pointer (&scheme, g_free);

  /* Names are lower-cased, escapes in quoted strings undone, commas and
   * spaces inside quotes kept; the scheme is optional for the caller. */
  msrp_chunk_set_authorization (chunk, "Digest USERNAME=\"al\\\"ice\",realm=\"a, b\" , uri=\"msrps://relay.example.com;tcp\",nc=00000001");
  g_assert_nonnull (msrp_chunk_get_authorization (chunk));
  params = msrp_chunk_get_auth_params (chunk, "authorization", NULL);
  g_assert_nonnull (params);
  g_assert_cmpuint (g_hash_table_size (params), ==, 4);
  g_assert_cmpstr (g_hash_table_lookup (params, "username"), ==, "al\"ice");
  g_assert_cmpstr (g_hash_table_lookup (params, "realm"), ==, "a, b");
  g_assert_cmpstr (g_hash_table_lookup (params, "uri"), ==, "msrps://relay.example.com;tcp");
  g_assert_cmpstr (g_hash_table_lookup (params, "nc"), ==, "00000001");
  g_clear_pointer (&params, g_hash_table_unref);

  /* Authentication-Info has no scheme. */
  msrp_chunk_set_authentication_info (chunk, "qop=auth, rspauth=\"6629fae49393a05397450978507c4ef1\", cnonce=\"0a4f113b\", nc=00000001");
  g_assert_nonnull (msrp_chunk_get_authentication_info (chunk));
  params = msrp_chunk_get_auth_params (chunk, "Authentication-Info", &scheme);
  g_assert_nonnull (params);
  g_assert_null (scheme);
  g_assert_cmpuint (g_hash_table_size (params), ==, 4);
  g_assert_cmpstr (g_hash_table_lookup (params, "rspauth"), ==, "6629fae49393a05397450978507c4ef1");
  g_assert_cmpstr (g_hash_table_lookup (params, "qop"), ==, "auth");
  g_clear_pointer (&params, g_hash_table_unref);

  /* Unparsable values give NULL. */
  msrp_chunk_set_www_authenticate (chunk, "Digest realm=\"unterminated");
  g_assert_null (msrp_chunk_get_auth_params (chunk, "WWW-Authenticate", NULL));
  msrp_chunk_set_www_authenticate (chunk, "Digest realm");
  g_assert_null (msrp_chunk_get_auth_params (chunk, "WWW-Authenticate", NULL));
  msrp_chunk_set_www_authenticate (chunk, "\"Digest\"");
  g_assert_null (msrp_chunk_get_auth_params (chunk, "WWW-Authenticate", NULL));

  /* Setting NULL removes. */
  msrp_chunk_set_www_authenticate (chunk, NULL);
  msrp_chunk_set_authorization (chunk, NULL);
  msrp_chunk_set_authentication_info (chunk, NULL);
  g_assert_null (msrp_chunk_get_www_authenticate (chunk));
  g_assert_null (msrp_chunk_get_authorization (chunk));
  g_assert_null (msrp_chunk_get_authentication_info (chunk));
  {
    g_auto(GStrv) names = msrp_chunk_get_header_names (chunk);
    g_assert_cmpuint (g_strv_length (names), ==, 0);
  }
}

static void
test_content_headers (void)
{
  const struct {
    const char *name;
    const char *(*get) (MsrpChunk *);
    void (*set) (MsrpChunk *, const char *);
    const char *value;
  } headers[] = {
    { "Content-Type", msrp_chunk_get_content_type, msrp_chunk_set_content_type, "message/cpim" },
    { "Content-ID", msrp_chunk_get_content_id, msrp_chunk_set_content_id, "<abc@example.com>" },
    { "Content-Description", msrp_chunk_get_content_description, msrp_chunk_set_content_description,
      "Holiday photo" },
    { "Content-Disposition", msrp_chunk_get_content_disposition, msrp_chunk_set_content_disposition,
      "attachment; filename=\"a.png\"" },
    { "Message-ID", msrp_chunk_get_message_id, msrp_chunk_set_message_id, "87652491" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", "ct1234");
      g_autofree char *upper = g_ascii_strup (headers[i].name, -1);
      g_auto(GStrv) names = NULL;

      g_assert_null (headers[i].get (chunk));
      headers[i].set (chunk, headers[i].value);
      g_assert_cmpstr (headers[i].get (chunk), ==, headers[i].value);
      g_assert_cmpstr (msrp_chunk_get_header (chunk, upper), ==, headers[i].value);
      names = msrp_chunk_get_header_names (chunk);
      g_assert_cmpuint (g_strv_length (names), ==, 1);
      g_assert_cmpstr (names[0], ==, headers[i].name);
      /* Through the generic setter with odd spelling: same header. */
      msrp_chunk_set_header (chunk, upper, "other");
      g_assert_cmpstr (headers[i].get (chunk), ==, "other");
      headers[i].set (chunk, NULL);
      g_assert_null (headers[i].get (chunk));
      g_assert_null (msrp_chunk_get_header (chunk, headers[i].name));
    }
}

static void
test_use_nickname (void)
{
  const struct {
    const char *nickname;
    const char *wire;
  } cases[] = {
    { "Alice", "\"Alice\"" },
    { "Alice Smith", "\"Alice Smith\"" },
    { "say \"hi\"", "\"say \\\"hi\\\"\"" },
    { "back\\slash", "\"back\\\\slash\"" },
    { "\xc3\xa9l\xc3\xa8ve", "\"\xc3\xa9l\xc3\xa8ve\"" },
    { "", "\"\"" },
  };
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("NICKNAME", "nk1234");

  g_assert_null (msrp_chunk_get_use_nickname (chunk));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = NULL;
      g_autofree char *reparsed = NULL;
      g_autoptr(GBytes) enc = NULL;
      g_autoptr(MsrpChunk) parsed = NULL;
      g_autoptr(GError) error = NULL;

      msrp_chunk_set_use_nickname (chunk, cases[i].nickname);
      g_assert_cmpstr (msrp_chunk_get_header (chunk, "Use-Nickname"), ==, cases[i].wire);
      got = msrp_chunk_get_use_nickname (chunk);
      g_assert_cmpstr (got, ==, cases[i].nickname);

      enc = msrp_chunk_encode (chunk);
      parsed = msrp_chunk_parse (enc, NULL, &error);
      g_assert_no_error (error);
      reparsed = msrp_chunk_get_use_nickname (parsed);
      g_assert_cmpstr (reparsed, ==, cases[i].nickname);
    }

  /* An unquoted token from a peer is read as it is. */
  msrp_chunk_set_header (chunk, "Use-Nickname", "bob");
  {
    g_autofree char *got = msrp_chunk_get_use_nickname (chunk);
    g_assert_cmpstr (got, ==, "bob");
  }
  msrp_chunk_set_use_nickname (chunk, NULL);
  g_assert_null (msrp_chunk_get_header (chunk, "Use-Nickname"));
}

/* Generic headers */

static void
test_extension_headers_order (void)
{
  const char *input =
    "MSRP ext1 SEND\r\n"
    PATHS
    "X-Zeta: 1\r\n"
    "Message-ID: m1\r\n"
    "X-Alpha: 2\r\n"
    "x-zeta: 3\r\n"
    "Priority: urgent\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Language: en\r\n"
    "\r\n"
    "x\r\n"
    "-------ext1$\r\n";
  g_autoptr(MsrpChunk) chunk = parse_string (input);
  g_autoptr(MsrpChunk) again = NULL;
  g_autoptr(GBytes) enc = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = msrp_chunk_get_header_names (chunk);
  const char *const expected[] = {
    "To-Path", "From-Path", "X-Zeta", "Message-ID", "X-Alpha", "x-zeta", "Priority",
    "Content-Language", "Content-Type", NULL
  };

  g_assert_true (g_strv_equal ((const char *const *) names, expected));
  /* get_header gives the first of repeated headers, by any spelling. */
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "X-ZETA"), ==, "1");
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "x-alpha"), ==, "2");
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "priority"), ==, "urgent");
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "CONTENT-language"), ==, "en");
  g_assert_null (msrp_chunk_get_header (chunk, "X-Missing"));

  assert_encodes_to (chunk,
                     "MSRP ext1 SEND\r\n"
                     PATHS
                     "X-Zeta: 1\r\n"
                     "Message-ID: m1\r\n"
                     "X-Alpha: 2\r\n"
                     "x-zeta: 3\r\n"
                     "Priority: urgent\r\n"
                     "Content-Language: en\r\n"
                     "Content-Type: text/plain\r\n"
                     "\r\n"
                     "x\r\n"
                     "-------ext1$\r\n");

  enc = msrp_chunk_encode (chunk);
  again = msrp_chunk_parse (enc, NULL, &error);
  g_assert_no_error (error);
  assert_chunks_equal (chunk, again);

  /* Repeated extension headers are not an error. */
  g_assert_true (msrp_chunk_verify_headers (chunk, &error));
  g_assert_no_error (error);
}

static void
test_set_header (void)
{
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", "sh1234");
  g_auto(GStrv) names = NULL;
  const char *const after_set[] = { "X-A", "X-B", NULL };

  msrp_chunk_add_header (chunk, "X-A", "1");
  msrp_chunk_add_header (chunk, "X-B", "b");
  msrp_chunk_add_header (chunk, "x-a", "2");
  msrp_chunk_add_header (chunk, "X-A", "3");
  names = msrp_chunk_get_header_names (chunk);
  g_assert_cmpuint (g_strv_length (names), ==, 4);
  g_clear_pointer (&names, g_strfreev);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "x-A"), ==, "1");

  /* set_header replaces every header of that name, keeping the first's place. */
  msrp_chunk_set_header (chunk, "X-a", "new");
  names = msrp_chunk_get_header_names (chunk);
  g_assert_true (g_strv_equal ((const char *const *) names, after_set));
  g_clear_pointer (&names, g_strfreev);
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "X-A"), ==, "new");
  assert_encodes_to (chunk, "MSRP sh1234 SEND\r\nX-A: new\r\nX-B: b\r\n-------sh1234$\r\n");

  /* The same for known headers, with add_header making duplicates. */
  msrp_chunk_add_header (chunk, "Message-ID", "one");
  msrp_chunk_add_header (chunk, "message-id", "two");
  g_assert_cmpstr (msrp_chunk_get_message_id (chunk), ==, "one");
  msrp_chunk_set_message_id (chunk, "three");
  assert_encodes_to (chunk, "MSRP sh1234 SEND\r\nX-A: new\r\nX-B: b\r\nMessage-ID: three\r\n-------sh1234$\r\n");

  /* remove_header removes all, and says whether it did. */
  msrp_chunk_add_header (chunk, "X-B", "b2");
  g_assert_true (msrp_chunk_remove_header (chunk, "x-b"));
  g_assert_null (msrp_chunk_get_header (chunk, "X-B"));
  g_assert_false (msrp_chunk_remove_header (chunk, "X-B"));
  g_assert_false (msrp_chunk_remove_header (chunk, "Status"));
  g_assert_true (msrp_chunk_remove_header (chunk, "MESSAGE-ID"));
  g_assert_null (msrp_chunk_get_message_id (chunk));

  /* set_header with NULL removes. */
  msrp_chunk_set_header (chunk, "X-A", NULL);
  names = msrp_chunk_get_header_names (chunk);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
  assert_encodes_to (chunk, "MSRP sh1234 SEND\r\n-------sh1234$\r\n");
}

static void
test_set_header_rejects_crlf (void)
{
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", "cr1234");

  /* A value cannot break the framing by carrying a line break. */
  TEST_EXPECT_CRITICAL ("*_msrp_is_header_value*",
                        msrp_chunk_set_header (chunk, "X-Evil", "a\r\n-------cr1234$"));
  g_assert_null (msrp_chunk_get_header (chunk, "X-Evil"));

  TEST_EXPECT_CRITICAL ("*check_header_name*", msrp_chunk_set_header (chunk, "Bad Name", "x"));
  TEST_EXPECT_CRITICAL ("*check_header_name*", msrp_chunk_set_header (chunk, "Colon:", "x"));

  assert_encodes_to (chunk, "MSRP cr1234 SEND\r\n-------cr1234$\r\n");
}

static void
test_copy (void)
{
  g_autoptr(MsrpChunk) chunk = parse_string (rfc_send);
  g_autoptr(MsrpChunk) copy = NULL;
  g_autoptr(MsrpChunk) response = parse_string (rfc_response);
  g_autoptr(MsrpChunk) response_copy = NULL;
  g_autoptr(GBytes) before = msrp_chunk_encode (chunk);
  g_autoptr(GBytes) after = NULL;

  msrp_chunk_add_header (chunk, "X-Extra", "1");
  msrp_chunk_set_continuation (chunk, MSRP_CONTINUATION_MORE);
  copy = msrp_chunk_copy (chunk);
  assert_chunks_equal (chunk, copy);
  /* The body is shared. */
  g_assert_true (msrp_chunk_get_data (chunk) == msrp_chunk_get_data (copy));
  assert_path (msrp_chunk_get_to_path (copy), TO_URI);

  /* Changing the copy leaves the original alone. */
  msrp_chunk_set_message_id (copy, "changed");
  msrp_chunk_set_header (copy, "X-Extra", "2");
  msrp_chunk_remove_header (copy, "Byte-Range");
  msrp_chunk_set_data (copy, NULL);
  msrp_chunk_set_to_path (copy, NULL);
  g_assert_cmpstr (msrp_chunk_get_message_id (chunk), ==, "87652491");
  g_assert_cmpstr (msrp_chunk_get_header (chunk, "X-Extra"), ==, "1");
  g_assert_nonnull (msrp_chunk_get_header (chunk, "Byte-Range"));
  assert_body (chunk, "Hey Bob, are you there?", 23);
  assert_path (msrp_chunk_get_to_path (chunk), TO_URI);
  msrp_chunk_remove_header (chunk, "X-Extra");
  msrp_chunk_set_continuation (chunk, MSRP_CONTINUATION_END);
  after = msrp_chunk_encode (chunk);
  g_assert_true (g_bytes_equal (before, after));

  response_copy = msrp_chunk_copy (response);
  assert_chunks_equal (response, response_copy);
  g_assert_null (msrp_chunk_get_data (response_copy));
}

/* A relay re-labels the pieces of a chunk it forwards: only the start
 * line and the end-line change, the headers stay as they came, in their
 * order, unknown ones included. */
static void
test_set_transaction_id (void)
{
  static const char odd[] =
    "MSRP a786hjs2 SEND\r\n"
    "To-Path: " TO_URI "\r\n"
    "From-Path: " FROM_URI "\r\n"
    "X-First: 1\r\n"
    "Message-ID: 87652491\r\n"
    "Byte-Range: 1-*/25\r\n"
    "x-lower: a  b\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "Hey Bob, are you there?\r\n"
    "-------a786hjs2+\r\n";
  g_autoptr(MsrpChunk) chunk = parse_string (odd);
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GString) expected = g_string_new (odd);

  g_string_replace (expected, "a786hjs2", "Relay.piece-2", 0);
  _msrp_chunk_set_transaction_id (chunk, "Relay.piece-2");
  g_assert_cmpstr (msrp_chunk_get_transaction_id (chunk), ==, "Relay.piece-2");
  encoded = msrp_chunk_encode (chunk);
  g_assert_cmpmem (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded), expected->str, expected->len);
}

/* verify_headers */

typedef struct {
  const char *name;
  const char *input;
  const char *word;   /* the header the message names; NULL: valid */
} VerifyCase;

#define SEND_START "MSRP vf1234 SEND\r\n"
#define SEND_END "-------vf1234$\r\n"

static const VerifyCase verify_cases[] = {
  { "ok-send", SEND_START PATHS "Message-ID: m1\r\n" SEND_END, NULL },
  { "ok-send-all", SEND_START PATHS "Message-ID: m1\r\nByte-Range: 1-3/3\r\nSuccess-Report: no\r\n"
    "Failure-Report: partial\r\nContent-Type: text/plain\r\n\r\nabc\r\n" SEND_END, NULL },
  { "ok-empty-body-no-content-type", SEND_START PATHS "Message-ID: m1\r\n\r\n\r\n" SEND_END, NULL },
  { "ok-response", "MSRP vf1234 200 OK\r\n" PATHS SEND_END, NULL },
  { "ok-auth-without-message-id", "MSRP vf1234 AUTH\r\n" PATHS "Expires: 900\r\n" SEND_END, NULL },
  { "ok-report", "MSRP vf1234 REPORT\r\n" PATHS "Message-ID: m1\r\nStatus: 000 200 OK\r\n" SEND_END, NULL },
  { "ok-byte-range-star", SEND_START PATHS "Message-ID: m1\r\nByte-Range: 1-*/*\r\n" SEND_END, NULL },
  { "ok-byte-range-end-star", SEND_START PATHS "Message-ID: m1\r\nByte-Range: 5-*/10\r\n" SEND_END, NULL },
  { "missing-to-path", SEND_START "From-Path: msrp://b.example.com/s2;tcp\r\nMessage-ID: m1\r\n" SEND_END,
    "To-Path" },
  { "missing-from-path", SEND_START "To-Path: msrp://a.example.com/s1;tcp\r\nMessage-ID: m1\r\n" SEND_END,
    "From-Path" },
  { "response-missing-from-path", "MSRP vf1234 200 OK\r\nTo-Path: msrp://a.example.com/s1;tcp\r\n" SEND_END,
    "From-Path" },
  { "invalid-to-path", SEND_START "To-Path: msrp://a.example.com/s1\r\nFrom-Path: msrp://b.example.com/s2;tcp\r\n"
    "Message-ID: m1\r\n" SEND_END, "To-Path" },
  { "invalid-from-path", SEND_START "To-Path: msrp://a.example.com/s1;tcp\r\nFrom-Path: http://x/\r\n"
    "Message-ID: m1\r\n" SEND_END, "From-Path" },
  { "invalid-use-path", "MSRP vf1234 200 OK\r\n" PATHS "Use-Path: nope\r\n" SEND_END, "Use-Path" },
  { "missing-message-id", SEND_START PATHS SEND_END, "Message-ID" },
  { "invalid-message-id", SEND_START PATHS "Message-ID: a b\r\n" SEND_END, "Message-ID" },
  { "report-missing-message-id", "MSRP vf1234 REPORT\r\n" PATHS "Status: 000 200 OK\r\n" SEND_END, "Message-ID" },
  { "report-missing-status", "MSRP vf1234 REPORT\r\n" PATHS "Message-ID: m1\r\n" SEND_END, "Status" },
  { "report-invalid-status", "MSRP vf1234 REPORT\r\n" PATHS "Message-ID: m1\r\nStatus: 200 OK\r\n" SEND_END,
    "Status" },
  { "byte-range-syntax", SEND_START PATHS "Message-ID: m1\r\nByte-Range: 1-3\r\n" SEND_END, "Byte-Range" },
  { "byte-range-zero-start", SEND_START PATHS "Message-ID: m1\r\nByte-Range: 0-3/3\r\n" SEND_END, "Byte-Range" },
  { "byte-range-end-before-start", SEND_START PATHS "Message-ID: m1\r\nByte-Range: 5-3/10\r\n" SEND_END,
    "Byte-Range" },
  { "byte-range-end-after-total", SEND_START PATHS "Message-ID: m1\r\nByte-Range: 1-11/10\r\n" SEND_END,
    "Byte-Range" },
  { "byte-range-start-after-total", SEND_START PATHS "Message-ID: m1\r\nByte-Range: 12-*/10\r\n" SEND_END,
    "Byte-Range" },
  /* The body's last byte must have a position (issue 12, item 6). */
  { "ok-byte-range-last-byte", SEND_START PATHS "Message-ID: m1\r\nByte-Range: 9223372036854775805-*/*\r\n"
    "Content-Type: text/plain\r\n\r\nabc\r\n" SEND_END, NULL },
  { "ok-byte-range-largest-total", SEND_START PATHS "Message-ID: m1\r\n"
    "Byte-Range: 9223372036854775807-9223372036854775807/9223372036854775807\r\n"
    "Content-Type: text/plain\r\n\r\na\r\n" SEND_END, NULL },
  { "byte-range-body-past-largest", SEND_START PATHS "Message-ID: m1\r\nByte-Range: 9223372036854775806-*/*\r\n"
    "Content-Type: text/plain\r\n\r\nabc\r\n" SEND_END, "Byte-Range" },
  { "duplicate-message-id", SEND_START PATHS "Message-ID: m1\r\nMessage-ID: m1\r\n" SEND_END, "Message-ID" },
  { "duplicate-to-path", SEND_START PATHS "To-Path: msrp://a.example.com/s1;tcp\r\nMessage-ID: m1\r\n" SEND_END,
    "To-Path" },
  { "duplicate-byte-range", SEND_START PATHS "Message-ID: m1\r\nByte-Range: 1-3/3\r\nbyte-range: 1-3/3\r\n"
    "Content-Type: text/plain\r\n\r\nabc\r\n" SEND_END, "Byte-Range" },
  { "duplicate-content-type", SEND_START PATHS "Message-ID: m1\r\nContent-Type: text/plain\r\n"
    "Content-Type: text/html\r\n\r\nabc\r\n" SEND_END, "Content-Type" },
  { "body-without-content-type", SEND_START PATHS "Message-ID: m1\r\n\r\nabc\r\n" SEND_END, "Content-Type" },
  { "bad-failure-report", SEND_START PATHS "Message-ID: m1\r\nFailure-Report: maybe\r\n" SEND_END,
    "Failure-Report" },
  { "bad-success-report", SEND_START PATHS "Message-ID: m1\r\nSuccess-Report: partial\r\n" SEND_END,
    "Success-Report" },
  { "bad-expires", "MSRP vf1234 AUTH\r\n" PATHS "Expires: soon\r\n" SEND_END, "Expires" },
  { "bad-min-expires", "MSRP vf1234 AUTH\r\n" PATHS "Min-Expires: -5\r\n" SEND_END, "Min-Expires" },
  { "bad-max-expires", "MSRP vf1234 AUTH\r\n" PATHS "Max-Expires: 1e9\r\n" SEND_END, "Max-Expires" },
};

static void
test_verify (gconstpointer data)
{
  const VerifyCase *t = data;
  g_autoptr(MsrpChunk) chunk = parse_string (t->input);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = msrp_chunk_verify_headers (chunk, &error);
  if (t->word == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      return;
    }
  g_assert_false (ok);
  g_assert_error (error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_BAD_REQUEST);
  if (strstr (error->message, t->word) == NULL)
    g_error ("%s: the message does not name %s: %s", t->name, t->word, error->message);
}

static void
test_verify_built (void)
{
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", "vb1234");
  g_autoptr(GPtrArray) to = test_path ("msrp://a.example.com/s1;tcp");
  g_autoptr(GPtrArray) from = test_path ("msrp://b.example.com/s2;tcp");
  g_autoptr(GBytes) body = bytes_from_string ("data");
  g_autoptr(GError) error = NULL;

  g_assert_false (msrp_chunk_verify_headers (chunk, &error));
  g_assert_error (error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_BAD_REQUEST);
  g_clear_error (&error);

  msrp_chunk_set_to_path (chunk, to);
  msrp_chunk_set_from_path (chunk, from);
  msrp_chunk_set_message_id (chunk, "m1");
  msrp_chunk_set_data (chunk, body);
  g_assert_false (msrp_chunk_verify_headers (chunk, &error));
  g_assert_error (error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_BAD_REQUEST);
  g_assert_nonnull (strstr (error->message, "Content-Type"));
  g_clear_error (&error);

  msrp_chunk_set_content_type (chunk, "text/plain");
  g_assert_true (msrp_chunk_verify_headers (chunk, &error));
  g_assert_no_error (error);
}

/* RFC 4975 section 9: token = 1*(%x21 / %x23-27 / %x2A-2B / %x2D-2E /
 * %x30-39 / %x41-5A / %x5E-7E), written out here apart from the library's
 * tables; `{` and `}` are in it (they were refused). */
static gboolean
abnf_token_char (guint c)
{
  return c == 0x21 || (c >= 0x23 && c <= 0x27) || (c >= 0x2a && c <= 0x2b) ||
         (c >= 0x2d && c <= 0x2e) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) ||
         (c >= 0x5e && c <= 0x7e);
}

/* Every byte, in the library's check and in a header name the parser
 * reads. */
static void
test_token_chars (void)
{
  guint n_tokens = 0;

  for (guint c = 0; c < 256; c++)
    {
      gboolean token = abnf_token_char (c);
      const char name[4] = { 'X', (char) c, 'Y', '\0' };
      g_autoptr(GString) wire = g_string_new ("MSRP tok1 SEND\r\n"
                                              "To-Path: msrp://a.example.com/s1;tcp\r\n"
                                              "From-Path: msrp://b.example.com/s2;tcp\r\n");
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(MsrpChunk) chunk = NULL;
      g_autoptr(GError) error = NULL;
      gboolean name_read = FALSE;

      g_test_message ("byte 0x%02x", c);
      g_assert_cmpint (_msrp_is_token_char (c), ==, token);
      g_assert_cmpint (_msrp_is_token (name, 3), ==, token);

      g_string_append_len (wire, name, 3);
      g_string_append (wire, ": v\r\n-------tok1$\r\n");
      bytes = g_bytes_new (wire->str, wire->len);
      chunk = msrp_chunk_parse (bytes, NULL, &error);
      if (chunk != NULL)
        {
          g_auto(GStrv) names = msrp_chunk_get_header_names (chunk);

          for (guint i = 0; names[i] != NULL; i++)
            if (strlen (names[i]) == 3 && memcmp (names[i], name, 3) == 0)
              name_read = TRUE;
        }
      g_assert_cmpint (name_read, ==, token);
      if (token)
        {
          g_assert_cmpstr (msrp_chunk_get_header (chunk, name), ==, "v");
          n_tokens++;
        }
      else if (chunk == NULL)
        g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CHUNK);
    }
  g_assert_cmpuint (n_tokens, ==, 1 + 5 + 2 + 2 + 10 + 26 + 33);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chunk/rfc/send", test_rfc_send);
  g_test_add_func ("/chunk/rfc/send-built", test_rfc_send_built);
  g_test_add_func ("/chunk/rfc/response", test_rfc_response);
  g_test_add_func ("/chunk/rfc/report", test_rfc_report);
  g_test_add_func ("/chunk/rfc/chunks", test_rfc_chunks);

  TEST_ADD_TABLE ("/chunk/parse/valid", valid_chunks, test_parse_valid);
  TEST_ADD_TABLE ("/chunk/parse/invalid", invalid_chunks, test_parse_invalid);
  g_test_add_func ("/chunk/parse/line-too-long", test_parse_line_too_long);
  g_test_add_func ("/chunk/parse/incomplete-prefixes", test_parse_incomplete_prefixes);
  g_test_add_func ("/chunk/parse/trailing-data", test_parse_trailing_data);
  g_test_add_func ("/chunk/parse/zero-copy", test_parse_zero_copy);

  g_test_add_func ("/chunk/encode/order", test_encode_order);
  g_test_add_func ("/chunk/encode/canonical-names", test_encode_canonical_names);
  g_test_add_func ("/chunk/encode/response", test_encode_response);
  g_test_add_func ("/chunk/new/random-tid", test_new_request_random_tid);

  TEST_ADD_TABLE ("/chunk/body", bodies, test_binary_body);
  g_test_add_func ("/chunk/body/all-bytes", test_binary_all_bytes);
  g_test_add_func ("/chunk/body/empty-vs-none", test_empty_body_vs_none);

  g_test_add_func ("/chunk/header/byte-range", test_byte_range);
  g_test_add_func ("/chunk/header/reports", test_reports);
  g_test_add_func ("/chunk/header/status", test_status);
  g_test_add_func ("/chunk/header/expires", test_expires);
  g_test_add_func ("/chunk/header/use-path", test_use_path);
  g_test_add_func ("/chunk/header/paths", test_paths_cached_and_updated);
  g_test_add_func ("/chunk/header/auth", test_auth_headers);
  g_test_add_func ("/chunk/header/content", test_content_headers);
  g_test_add_func ("/chunk/header/use-nickname", test_use_nickname);
  g_test_add_func ("/chunk/header/extension-order", test_extension_headers_order);
  g_test_add_func ("/chunk/header/set-remove", test_set_header);
  g_test_add_func ("/chunk/header/reject-crlf", test_set_header_rejects_crlf);
  g_test_add_func ("/chunk/copy", test_copy);
  g_test_add_func ("/chunk/header/token-chars", test_token_chars);
  g_test_add_func ("/chunk/set-transaction-id", test_set_transaction_id);

  TEST_ADD_TABLE ("/chunk/verify", verify_cases, test_verify);
  g_test_add_func ("/chunk/verify/built", test_verify_built);

  return g_test_run ();
}
