/* test-cpim.c: MsrpCpimMessage (RFC 3862 message/cpim)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"
#include "test-utils.h"

#define IMDN_NS "urn:ietf:params:imdn"

/* RFC 3862 section 6, the message/cpim body (the lines marked h:, e: and
 * x:), with CRLF line ends. */
static const char rfc3862_example[] =
  "From: MR SANDERS <im:piglet@100akerwood.com>\r\n"
  "To: Depressed Donkey <im:eeyore@100akerwood.com>\r\n"
  "DateTime: 2000-12-13T13:40:00-08:00\r\n"
  "Subject: the weather will be fine today\r\n"
  "Subject:;lang=fr beau temps prevu pour aujourd'hui\r\n"
  "NS: MyFeatures <mid:MessageFeatures@id.foo.com>\r\n"
  "Require: MyFeatures.VitalMessageOption\r\n"
  "MyFeatures.VitalMessageOption: Confirmation-requested\r\n"
  "MyFeatures.WackyMessageOption: Use-silly-font\r\n"
  "\r\n"
  "Content-type: text/xml; charset=utf-8\r\n"
  "Content-ID: <1234567890@foo.com>\r\n"
  "\r\n"
  "<body>\r\n"
  "Here is the text of my message.\r\n"
  "</body>\r\n";

/* The IMDN request of RFC 5438 section 7.1.1.1, as the CPIM part of the
 * SEND carrying it. */
static const char rfc5438_request[] =
  "From: Alice <im:alice@example.com>\r\n"
  "To: Bob <im:bob@example.com>\r\n"
  "NS: imdn <urn:ietf:params:imdn>\r\n"
  "imdn.Message-ID: 34jk324j\r\n"
  "DateTime: 2006-04-04T12:16:49-05:00\r\n"
  "imdn.Disposition-Notification: positive-delivery, display\r\n"
  "\r\n"
  "Content-type: text/plain\r\n"
  "Content-length: 12\r\n"
  "\r\n"
  "Hello World\n";

#define parse_string(str, error) test_parse_string ((TestParseFunc) msrp_cpim_message_parse, (str), (error))

/* parse -> to_bytes -> parse gives an equal message, and writing that
 * again gives the same bytes. */
static void
assert_equal (MsrpCpimMessage *a,
              MsrpCpimMessage *b)
{
  g_assert_true (msrp_cpim_message_equal (a, b));
}

static void
assert_round_trip (MsrpCpimMessage *msg)
{
  test_assert_round_trip (msg, (TestToBytesFunc) msrp_cpim_message_to_bytes,
                          (TestParseFunc) msrp_cpim_message_parse, (TestAssertSameFunc) assert_equal);
}

static void
assert_body (MsrpCpimMessage *msg,
             const char      *expected,
             gsize            len)
{
  GBytes *body = msrp_cpim_message_get_body (msg);

  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), expected, len);
}

static void
test_cpim_rfc3862 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpCpimMessage) msg = parse_string (rfc3862_example, &error);
  g_autoptr(GDateTime) datetime = NULL;
  g_auto(GStrv) to = NULL;
  g_auto(GStrv) cc = NULL;
  g_auto(GStrv) require = NULL;
  g_auto(GStrv) langs = NULL;
  g_autoptr(GBytes) wire = NULL;
  const char *body = "<body>\r\nHere is the text of my message.\r\n</body>\r\n";

  g_assert_no_error (error);
  g_assert_cmpstr (msrp_cpim_message_get_from (msg), ==, "\"MR SANDERS\" <im:piglet@100akerwood.com>");
  to = msrp_cpim_message_get_to (msg);
  g_assert_cmpstrv (to, ((const char *[]) { "\"Depressed Donkey\" <im:eeyore@100akerwood.com>", NULL }));
  cc = msrp_cpim_message_get_cc (msg);
  g_assert_cmpuint (g_strv_length (cc), ==, 0);

  datetime = msrp_cpim_message_get_datetime (msg);
  g_assert_nonnull (datetime);
  g_assert_cmpint (g_date_time_get_year (datetime), ==, 2000);
  g_assert_cmpint (g_date_time_get_hour (datetime), ==, 13);
  g_assert_cmpint (g_date_time_get_utc_offset (datetime), ==, -8 * G_TIME_SPAN_HOUR);
  g_assert_cmpint (g_date_time_to_unix (datetime), ==, 976743600);

  g_assert_cmpstr (msrp_cpim_message_get_subject (msg), ==, "the weather will be fine today");
  g_assert_cmpstr (msrp_cpim_message_get_subject_for_lang (msg, NULL), ==, "the weather will be fine today");
  g_assert_cmpstr (msrp_cpim_message_get_subject_for_lang (msg, "fr"), ==, "beau temps prevu pour aujourd'hui");
  g_assert_cmpstr (msrp_cpim_message_get_subject_for_lang (msg, "FR"), ==, "beau temps prevu pour aujourd'hui");
  g_assert_null (msrp_cpim_message_get_subject_for_lang (msg, "de"));
  langs = msrp_cpim_message_get_subject_langs (msg);
  g_assert_cmpstrv (langs, ((const char *[]) { "fr", NULL }));

  require = msrp_cpim_message_get_require (msg);
  g_assert_cmpstrv (require, ((const char *[]) { "MyFeatures.VitalMessageOption", NULL }));
  g_assert_cmpstr (msrp_cpim_message_get_header (msg, "mid:MessageFeatures@id.foo.com", "VitalMessageOption"),
                   ==, "Confirmation-requested");
  g_assert_cmpstr (msrp_cpim_message_get_header (msg, "mid:MessageFeatures@id.foo.com", "WackyMessageOption"),
                   ==, "Use-silly-font");
  /* by namespace, not by prefix */
  g_assert_null (msrp_cpim_message_get_header (msg, NULL, "MyFeatures.WackyMessageOption"));
  g_assert_null (msrp_cpim_message_get_header (msg, NULL, "NS"));
  /* CPIM header names are case-sensitive */
  g_assert_null (msrp_cpim_message_get_header (msg, NULL, "from"));
  g_assert_nonnull (msrp_cpim_message_get_header (msg, MSRP_CPIM_NAMESPACE, "From"));

  g_assert_cmpstr (msrp_cpim_message_get_content_type (msg), ==, "text/xml; charset=utf-8");
  g_assert_cmpstr (msrp_cpim_message_get_content_header (msg, "content-id"), ==, "<1234567890@foo.com>");
  assert_body (msg, body, strlen (body));

  /* Written back: CRLF, identities quoted, the NS line first, same prefix. */
  wire = msrp_cpim_message_to_bytes (msg);
  g_assert_cmpmem (g_bytes_get_data (wire, NULL), g_bytes_get_size (wire),
                   "NS: MyFeatures <mid:MessageFeatures@id.foo.com>\r\n"
                   "From: \"MR SANDERS\" <im:piglet@100akerwood.com>\r\n"
                   "To: \"Depressed Donkey\" <im:eeyore@100akerwood.com>\r\n"
                   "DateTime: 2000-12-13T13:40:00-08:00\r\n"
                   "Subject: the weather will be fine today\r\n"
                   "Subject:;lang=fr beau temps prevu pour aujourd'hui\r\n"
                   "Require: MyFeatures.VitalMessageOption\r\n"
                   "MyFeatures.VitalMessageOption: Confirmation-requested\r\n"
                   "MyFeatures.WackyMessageOption: Use-silly-font\r\n"
                   "\r\n"
                   "Content-type: text/xml; charset=utf-8\r\n"
                   "Content-ID: <1234567890@foo.com>\r\n"
                   "\r\n"
                   "<body>\r\n"
                   "Here is the text of my message.\r\n"
                   "</body>\r\n",
                   strlen (rfc3862_example) + 2 * 2);
  assert_round_trip (msg);
}

static void
test_cpim_imdn_request (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpCpimMessage) msg = parse_string (rfc5438_request, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (msrp_cpim_message_get_from (msg), ==, "\"Alice\" <im:alice@example.com>");
  g_assert_cmpstr (msrp_cpim_message_get_header (msg, IMDN_NS, "Message-ID"), ==, "34jk324j");
  g_assert_cmpstr (msrp_cpim_message_get_header (msg, IMDN_NS, "Disposition-Notification"),
                   ==, "positive-delivery, display");
  g_assert_null (msrp_cpim_message_get_header (msg, NULL, "Message-ID"));
  g_assert_cmpstr (msrp_cpim_message_get_content_type (msg), ==, "text/plain");
  g_assert_cmpstr (msrp_cpim_message_get_content_header (msg, "Content-Length"), ==, "12");
  assert_body (msg, "Hello World\n", 12);
  assert_round_trip (msg);
}

/* Any prefix, declared after its use, or through a default namespace. */
static void
test_cpim_prefixes (void)
{
  static const char *const inputs[] = {
    "NS: x <urn:ietf:params:imdn>\nx.Message-ID: 1\n\n\n",
    "x.Message-ID: 1\nNS: x <urn:ietf:params:imdn>\n\n\n",
    "NS: <urn:ietf:params:imdn>\nMessage-ID: 1\n\n\n",
    "NS: imdn <urn:ietf:params:imdn>\nNS: cpim <urn:ietf:params:cpim-headers:>\nimdn.Message-ID: 1\n\n\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MsrpCpimMessage) msg = parse_string (inputs[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (msrp_cpim_message_get_header (msg, IMDN_NS, "Message-ID"), ==, "1");
      assert_round_trip (msg);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MsrpCpimMessage) msg =
      parse_string ("NS: cpim <urn:ietf:params:cpim-headers:>\ncpim.From: <sip:a@b>\n\n\n", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (msrp_cpim_message_get_from (msg), ==, "<sip:a@b>");
    assert_round_trip (msg);
  }
}

/* Identities in every form peers write, and every scheme. */
static void
test_cpim_identities (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "<sip:alice@example.com>", "<sip:alice@example.com>" },
    { "sips:alice@example.com", "<sips:alice@example.com>" },
    { "Alice <im:alice@example.com>", "\"Alice\" <im:alice@example.com>" },
    { "\"Alice\" <tel:+1-201-555-0123>", "\"Alice\" <tel:+1-201-555-0123>" },
    { "\"Alice\"<sip:a@b>", "\"Alice\" <sip:a@b>" },
    { "  Alice   Smith   <sip:a@b>  ", "\"Alice   Smith\" <sip:a@b>" },
    { "\"\" <sip:a@b>", "<sip:a@b>" },
    { "\"A \\\"B\\\" \\\\ C\" <sip:a@b>", "\"A \\\"B\\\" \\\\ C\" <sip:a@b>" },
    { "\"tab\\there\" <sip:a@b>", "\"tab\\there\" <sip:a@b>" },
    { "\"\\u00e9t\\u00E9\" <sip:a@b>", "\"\xc3\xa9t\xc3\xa9\" <sip:a@b>" },
    { "\"\\x\" <sip:a@b>", "\"x\" <sip:a@b>" },
    { "J\xc3\xbcrgen <sip:j@b>", "\"J\xc3\xbcrgen\" <sip:j@b>" },
    { "<sip:alice@example.com;transport=tcp>", "<sip:alice@example.com;transport=tcp>" },
    /* next to the form CPIM writes, which parsing keeps as it is */
    { "\"Alice\"  <sip:a@b>", "\"Alice\" <sip:a@b>" },
    { "\"Alice\" <sip:a@b> ", "\"Alice\" <sip:a@b>" },
    { "\"A\tB\" <sip:a@b>", "\"A\\tB\" <sip:a@b>" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("From: %s\r\ncc: %s\r\n\r\n\r\n", cases[i].in, cases[i].in);
      g_autoptr(GError) error = NULL;
      g_autoptr(MsrpCpimMessage) msg = parse_string (text, &error);
      g_autoptr(MsrpCpimMessage) built = msrp_cpim_message_new (NULL, NULL);
      g_auto(GStrv) cc = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (msrp_cpim_message_get_from (msg), ==, cases[i].out);
      cc = msrp_cpim_message_get_cc (msg);
      g_assert_cmpstrv (cc, ((const char *[]) { cases[i].out, NULL }));
      assert_round_trip (msg);

      msrp_cpim_message_set_from (built, cases[i].in);
      msrp_cpim_message_add_cc (built, cases[i].in);
      g_assert_true (msrp_cpim_message_equal (msg, built));
    }
}

static void
test_cpim_lf_only (void)
{
  g_autofree char *lf = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpCpimMessage) crlf_msg = parse_string (rfc3862_example, &error);
  g_autoptr(MsrpCpimMessage) lf_msg = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("\r\n", 0, 0, NULL);

  g_assert_no_error (error);
  lf = g_regex_replace_literal (regex, rfc3862_example, -1, 0, "\n", 0, NULL);
  lf_msg = parse_string (lf, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (msrp_cpim_message_get_subject_for_lang (lf_msg, "fr"), ==,
                   "beau temps prevu pour aujourd'hui");
  {
    const char *body = "<body>\nHere is the text of my message.\n</body>\n";

    assert_body (lf_msg, body, strlen (body));
  }

  /* The same headers; only the body's own line ends differ. */
  {
    g_autoptr(GBytes) a = NULL;
    g_autoptr(GBytes) b = NULL;
    g_autoptr(MsrpCpimMessage) a_msg = NULL;
    g_autoptr(MsrpCpimMessage) b_msg = NULL;
    const char *headers_end;

    headers_end = strstr (lf, "\n\n<body>");
    g_assert_nonnull (headers_end);
    {
      g_autofree char *lf_headers = g_strndup (lf, headers_end + 2 - lf);
      g_autofree char *crlf_headers = g_strndup (rfc3862_example,
                                                 strstr (rfc3862_example, "\r\n\r\n<body>") + 4 - rfc3862_example);

      a_msg = parse_string (lf_headers, &error);
      g_assert_no_error (error);
      b_msg = parse_string (crlf_headers, &error);
      g_assert_no_error (error);
      g_assert_true (msrp_cpim_message_equal (a_msg, b_msg));
      a = msrp_cpim_message_to_bytes (a_msg);
      b = msrp_cpim_message_to_bytes (b_msg);
      g_assert_true (g_bytes_equal (a, b));
    }
  }

  /* Mixed: CRLF in the CPIM headers, LF in the MIME part. */
  {
    g_autoptr(MsrpCpimMessage) msg =
      parse_string ("From: <im:a@b>\r\nTo: <im:c@d>\r\n\r\nContent-Type: text/plain\n\nhi\n", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (msrp_cpim_message_get_content_type (msg), ==, "text/plain");
    assert_body (msg, "hi\n", 3);
    assert_round_trip (msg);
  }
}

static void
test_cpim_build (void)
{
  g_autoptr(GBytes) text = g_bytes_new_static ("Hello", 5);
  g_autoptr(MsrpCpimMessage) msg = msrp_cpim_message_new ("text/plain; charset=utf-8", text);
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (5 * 3600 + 30 * 60);
  g_autoptr(GDateTime) when = g_date_time_new (tz, 2024, 2, 29, 23, 59, 7.25);
  g_autoptr(GDateTime) back = NULL;
  g_autoptr(GBytes) wire = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpCpimMessage) parsed = NULL;
  g_auto(GStrv) to = NULL;
  const char *expected;

  msrp_cpim_message_set_from (msg, "Alice <sip:alice@example.com>");
  msrp_cpim_message_add_to (msg, "<sip:bob@example.com>");
  msrp_cpim_message_add_to (msg, "\"Carol \\\"C\\\"\" <sip:carol@example.com>");
  msrp_cpim_message_set_datetime (msg, when);
  msrp_cpim_message_set_subject (msg, "hi");
  msrp_cpim_message_add_subject (msg, "salut", "fr");
  msrp_cpim_message_add_header (msg, IMDN_NS, "imdn", "Message-ID", "34jk324j");
  msrp_cpim_message_add_header (msg, IMDN_NS, NULL, "Disposition-Notification", "positive-delivery");
  msrp_cpim_message_add_header (msg, "urn:example:other", "imdn", "X", "taken prefix");
  msrp_cpim_message_add_header (msg, "urn:example:third", NULL, "Y", "no prefix");
  msrp_cpim_message_add_require (msg, "imdn.Message-ID");
  msrp_cpim_message_set_content_header (msg, "Content-ID", "<1@x>");

  wire = msrp_cpim_message_to_bytes (msg);
  expected = "NS: imdn <urn:ietf:params:imdn>\r\n"
             "NS: ns1 <urn:example:other>\r\n"
             "NS: ns2 <urn:example:third>\r\n"
             "From: \"Alice\" <sip:alice@example.com>\r\n"
             "To: <sip:bob@example.com>\r\n"
             "To: \"Carol \\\"C\\\"\" <sip:carol@example.com>\r\n"
             "DateTime: 2024-02-29T23:59:07.25+05:30\r\n"
             "Subject: hi\r\n"
             "Subject:;lang=fr salut\r\n"
             "imdn.Message-ID: 34jk324j\r\n"
             "imdn.Disposition-Notification: positive-delivery\r\n"
             "ns1.X: taken prefix\r\n"
             "ns2.Y: no prefix\r\n"
             "Require: imdn.Message-ID\r\n"
             "\r\n"
             "Content-Type: text/plain; charset=utf-8\r\n"
             "Content-ID: <1@x>\r\n"
             "\r\n"
             "Hello";
  g_assert_cmpmem (g_bytes_get_data (wire, NULL), g_bytes_get_size (wire), expected, strlen (expected));

  parsed = msrp_cpim_message_parse (wire, &error);
  g_assert_no_error (error);
  g_assert_true (msrp_cpim_message_equal (msg, parsed));
  to = msrp_cpim_message_get_to (parsed);
  g_assert_cmpuint (g_strv_length (to), ==, 2);
  g_assert_cmpstr (to[1], ==, "\"Carol \\\"C\\\"\" <sip:carol@example.com>");
  back = msrp_cpim_message_get_datetime (parsed);
  g_assert_true (g_date_time_equal (back, when));
  g_assert_cmpint (g_date_time_get_utc_offset (back), ==, g_date_time_get_utc_offset (when));
  g_assert_cmpstr (msrp_cpim_message_get_header (parsed, "urn:example:other", "X"), ==, "taken prefix");

  /* setters replace; NULL removes */
  msrp_cpim_message_set_from (msg, "<sip:eve@example.com>");
  g_assert_cmpstr (msrp_cpim_message_get_from (msg), ==, "<sip:eve@example.com>");
  msrp_cpim_message_set_subject (msg, NULL);
  g_assert_null (msrp_cpim_message_get_subject_for_lang (msg, NULL));
  g_assert_cmpstr (msrp_cpim_message_get_subject (msg), ==, "salut");
  msrp_cpim_message_set_datetime (msg, NULL);
  g_assert_null (msrp_cpim_message_get_datetime (msg));
  msrp_cpim_message_set_content_header (msg, "content-type", "text/html");
  g_assert_cmpstr (msrp_cpim_message_get_content_type (msg), ==, "text/html");
  msrp_cpim_message_set_content_header (msg, "CONTENT-ID", NULL);
  g_assert_null (msrp_cpim_message_get_content_header (msg, "Content-ID"));
  msrp_cpim_message_set_from (msg, NULL);
  g_assert_null (msrp_cpim_message_get_from (msg));
  assert_round_trip (msg);

  /* UTC is written with Z */
  {
    g_autoptr(GDateTime) utc = g_date_time_new_utc (2000, 1, 2, 3, 4, 5);

    msrp_cpim_message_set_datetime (msg, utc);
    g_assert_cmpstr (msrp_cpim_message_get_header (msg, NULL, "DateTime"), ==, "2000-01-02T03:04:05Z");
  }
}

static void
test_cpim_binary_body (void)
{
  static const guint8 payload[] = { 0, 1, 2, '\r', '\n', 0, '\n', '\n', 0xff, 0xfe, 0 };
  g_autoptr(GBytes) body = g_bytes_new_static (payload, sizeof payload);
  g_autoptr(MsrpCpimMessage) msg = msrp_cpim_message_new ("application/octet-stream", body);
  g_autoptr(GBytes) wire = NULL;
  g_autoptr(MsrpCpimMessage) parsed = NULL;
  g_autoptr(GError) error = NULL;

  msrp_cpim_message_set_from (msg, "<sip:a@b>");
  wire = msrp_cpim_message_to_bytes (msg);
  parsed = msrp_cpim_message_parse (wire, &error);
  g_assert_no_error (error);
  assert_body (parsed, (const char *) payload, sizeof payload);
  g_assert_true (g_bytes_equal (msrp_cpim_message_get_body (parsed), body));
  assert_round_trip (parsed);

  /* an empty body */
  {
    g_autoptr(MsrpCpimMessage) empty = parse_string ("\n\n", &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (msrp_cpim_message_get_body (empty)), ==, 0);
    g_assert_null (msrp_cpim_message_get_content_type (empty));
    assert_round_trip (empty);
  }
}

static void
test_cpim_folded_mime (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpCpimMessage) msg =
    parse_string ("From: <sip:a@b>\n\nContent-Type: text/plain;\n\tcharset=utf-8\nX:  y  \n\nz", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (msrp_cpim_message_get_content_type (msg), ==, "text/plain; charset=utf-8");
  g_assert_cmpstr (msrp_cpim_message_get_content_header (msg, "x"), ==, "y");
  assert_round_trip (msg);
}

/* Malformed input */

typedef struct {
  const char *input;
  guint line;   /* the line the message names, 0: none */
  int code;
} Malformed;

static const Malformed malformed[] = {
  { "From <sip:a@b>\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { ": x\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "From: <sip:a@b>\nFr om: x\n\n\n", 2, MSRP_ERROR_MALFORMED_CPIM },
  { "a.b.c: x\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "From: not an identity\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "From: <sip:a@b\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "From: <noscheme>\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "From: \"open <sip:a@b>\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "From: \"A\" <sip:a@b> trailing\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "From: \"\\u0000\" <sip:a@b>\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "From: \"\\uD800\" <sip:a@b>\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "To: <sip:a@b>\nTo: <sip:a b>\n\n\n", 2, MSRP_ERROR_MALFORMED_CPIM },
  { "DateTime: yesterday\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "DateTime: 2000-12-13T13:40:00\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "Subject:;lang fr\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "Subject:;lang=\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "Subject:;lang=\"fr\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "imdn.Message-ID: 1\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "NS: imdn urn:ietf:params:imdn\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "NS: imdn <urn:ietf:params:imdn> x\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "NS: <>\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "Subject: a\x01" "b\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "Subject: a\rb\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "Subject: \xc3\x28\n\n\n", 1, MSRP_ERROR_MALFORMED_CPIM },
  { "From: <sip:a@b>\n\nContent-Type text/plain\n\n", 3, MSRP_ERROR_MALFORMED_CPIM },
  { "From: <sip:a@b>\n\n continued\n\n", 3, MSRP_ERROR_MALFORMED_CPIM },
  { "From: <sip:a@b>\n\nBad Name: x\n\n", 3, MSRP_ERROR_MALFORMED_CPIM },
  { "From: <sip:a@b>\n", 0, MSRP_ERROR_MALFORMED_CPIM },
  { "From: <sip:a@b>\n\nContent-Type: text/plain\n", 0, MSRP_ERROR_MALFORMED_CPIM },
  { "", 0, MSRP_ERROR_MALFORMED_CPIM },
};

static void
assert_malformed (const char *input,
                  gsize       len,
                  guint       line,
                  int         code)
{
  g_autoptr(GBytes) bytes = g_bytes_new (input, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpCpimMessage) msg = msrp_cpim_message_parse (bytes, &error);

  g_assert_null (msg);
  g_assert_error (error, MSRP_ERROR, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  if (line != 0)
    {
      g_autofree char *needle = g_strdup_printf ("Line %u ", line);

      g_assert_nonnull (strstr (error->message, needle));
    }
}

static void
test_cpim_malformed (gconstpointer data)
{
  const Malformed *m = data;
  gsize len = strlen (m->input);

  assert_malformed (m->input, len, m->line, m->code);
}

/* Every prefix of a malformed input fails too (with the same error once
 * the bad line is complete); no prefix crashes or is taken as valid. */
static void
test_cpim_malformed_splits (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      const char *input = malformed[i].input;
      gsize len = strlen (input);

      for (gsize cut = 0; cut <= len; cut++)
        {
          g_autoptr(GBytes) bytes = g_bytes_new (input, cut);
          g_autoptr(GError) error = NULL;
          g_autoptr(MsrpCpimMessage) msg = msrp_cpim_message_parse (bytes, &error);

          if (msg != NULL)
            {
              /* only when the cut leaves a valid message, which round-trips */
              g_assert_no_error (error);
              assert_round_trip (msg);
              continue;
            }
          g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM);
        }
    }
}

/* Every truncation of a valid message: an error until the MIME headers
 * are complete, then the message with a shorter body. */
static void
test_cpim_truncated (void)
{
  gsize len = strlen (rfc3862_example);
  gsize body_start = strstr (rfc3862_example, "<body>") - rfc3862_example;

  for (gsize cut = 0; cut <= len; cut++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (rfc3862_example, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(MsrpCpimMessage) msg = msrp_cpim_message_parse (bytes, &error);

      if (cut < body_start)
        {
          g_assert_null (msg);
          g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpuint (g_bytes_get_size (msrp_cpim_message_get_body (msg)), ==, cut - body_start);
        }
    }
}

static void
test_cpim_limits (void)
{
  g_autoptr(GString) big = g_string_new (NULL);
  g_autoptr(GString) many = g_string_new (NULL);

  /* one long line past 64 KiB */
  g_string_append (big, "Subject: ");
  while (big->len < 70 * 1024)
    g_string_append (big, "xxxxxxxxxxxxxxxx");
  g_string_append (big, "\n\n\nbody");
  assert_malformed (big->str, big->len, 0, MSRP_ERROR_HEADERS_TOO_LARGE);

  /* but a big body is fine */
  {
    g_autoptr(GString) body = g_string_new ("\n\n");
    g_autoptr(GError) error = NULL;
    g_autoptr(MsrpCpimMessage) msg = NULL;

    g_string_append_len (body, big->str, big->len);
    msg = parse_string (body->str, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (msrp_cpim_message_get_body (msg)), ==, big->len);
  }

  /* Under the limit as read, over it as written (every backslash of an
   * unquoted display name is escaped): refused, so that what parses
   * always parses again from its bytes. */
  {
    g_autoptr(GString) grows = g_string_new ("From: ");

    while (grows->len < 40 * 1024)
      g_string_append (grows, "\\\\\\\\");
    g_string_append (grows, " <sip:a@b>\n\n\n");
    assert_malformed (grows->str, grows->len, 0, MSRP_ERROR_HEADERS_TOO_LARGE);
  }

  for (guint i = 0; i < 300; i++)
    g_string_append (many, "To: <sip:a@b>\n");
  g_string_append (many, "\n\n");
  assert_malformed (many->str, many->len, 0, MSRP_ERROR_TOO_MANY_HEADERS);
}

/* DateTime: the common RFC 3339 form is checked by hand, the rest by
 * GDateTime; either way a message parses exactly when GDateTime takes its
 * DateTime, and get_datetime() then gives it. */
static void
test_cpim_datetime_forms (void)
{
  static const char *const values[] = {
    "2024-05-01T12:16:49.25+02:00", "2000-12-13T13:40:00-08:00", "2000-12-13T13:40:00Z",
    "2000-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2023-02-29T00:00:00Z",
    "2024-04-31T00:00:00Z", "2024-04-30T24:00:00Z", "2024-04-30T23:60:00Z",
    "2024-04-30T23:59:60Z", "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z",
    "2024-01-00T00:00:00Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+23:59",
    "0002-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "9998-12-31T23:59:59-23:59",
    "2000-12-13T13:40:00+24:00", "2000-12-13T13:40:00+23:60", "2000-12-13T13:40:00+0800",
    "2000-12-13T13:40:00+08", "2000-12-13T13:40:59.999999999Z",
    "2000-12-13T13:40:59.9999999999Z", "2000-12-13T13:40:00.Z", "2000-12-13t13:40:00z",
    "2000-12-13 13:40:00Z", "20001213T134000Z", "2000-12-13T13:40Z", "2000-12-13T13:40:00",
    "2000-12-13T13:40:00Zjunk", "2000-12-13T13:40:00+08:00 ", "+2000-12-13T13:40:00Z",
    "2000-1a-13T13:40:00Z", "2000-12-13T13:40:00-00:00",
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *text = g_strdup_printf ("DateTime: %s\n\n\n", values[i]);
      g_autoptr(GDateTime) expected = g_date_time_new_from_iso8601 (values[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(MsrpCpimMessage) msg = parse_string (text, &error);
      g_autoptr(GDateTime) datetime = NULL;

      g_test_message ("%s", values[i]);
      if (expected == NULL)
        {
          g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM);
          continue;
        }
      g_assert_no_error (error);
      datetime = msrp_cpim_message_get_datetime (msg);
      g_assert_nonnull (datetime);
      g_assert_true (g_date_time_equal (datetime, expected));
      g_assert_cmpint (g_date_time_get_utc_offset (datetime), ==,
                       g_date_time_get_utc_offset (expected));
    }
}

/* More lines, namespaces and bytes than a typical message: past what
 * parsing and writing keep on the stack. */
static void
test_cpim_many_headers (void)
{
  g_autoptr(GString) text = g_string_new ("From: <sip:a@b>\n");
  g_autoptr(GString) subject = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpCpimMessage) msg = NULL;
  g_auto(GStrv) to = NULL;

  for (guint i = 0; i < 20; i++)
    g_string_append_printf (text, "NS: p%u <urn:example:%u>\np%u.Header: %u\nTo: <sip:%u@b>\n",
                            i, i, i, i, i);
  while (subject->len < 3000)
    g_string_append (subject, "0123456789");
  g_string_append_printf (text, "Subject: %s\n\n", subject->str);
  for (guint i = 0; i < 20; i++)
    g_string_append_printf (text, "X-Field-%u: value %u\n", i, i);
  g_string_append (text, "\nbody");

  msg = parse_string (text->str, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *ns = g_strdup_printf ("urn:example:%u", i);
      g_autofree char *value = g_strdup_printf ("%u", i);
      g_autofree char *field = g_strdup_printf ("x-field-%u", i);
      g_autofree char *field_value = g_strdup_printf ("value %u", i);

      g_assert_cmpstr (msrp_cpim_message_get_header (msg, ns, "Header"), ==, value);
      g_assert_cmpstr (msrp_cpim_message_get_content_header (msg, field), ==, field_value);
    }
  to = msrp_cpim_message_get_to (msg);
  g_assert_cmpuint (g_strv_length (to), ==, 20);
  g_assert_cmpstr (to[19], ==, "<sip:19@b>");
  g_assert_cmpstr (msrp_cpim_message_get_subject (msg), ==, subject->str);
  assert_body (msg, "body", 4);
  assert_round_trip (msg);
}

/* The headers of a parsed message share one block; setters replace and
 * remove them one by one. */
static void
test_cpim_set_after_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpCpimMessage) msg =
    parse_string ("From: <sip:a@b>\nSubject: hi\nSubject:;lang=fr salut\n"
                  "DateTime: 2000-12-13T13:40:00Z\nNS: x <urn:x>\nx.Y: z\n\n"
                  "Content-Type: text/plain\nContent-ID: <1@b>\n\nbody", &error);
  g_autoptr(GDateTime) when = g_date_time_new_utc (2001, 1, 2, 3, 4, 5);
  g_autoptr(GBytes) wire = NULL;
  g_autofree char *written = NULL;

  g_assert_no_error (error);
  msrp_cpim_message_set_from (msg, "Bob <sip:bob@b>");
  msrp_cpim_message_set_subject (msg, "hello");
  msrp_cpim_message_set_datetime (msg, when);
  msrp_cpim_message_set_content_header (msg, "content-type", "text/html");
  msrp_cpim_message_set_content_header (msg, "Content-ID", NULL);
  msrp_cpim_message_add_header (msg, "urn:x", NULL, "W", "v");

  wire = msrp_cpim_message_to_bytes (msg);
  written = g_strndup (g_bytes_get_data (wire, NULL), g_bytes_get_size (wire));
  g_assert_cmpstr (written, ==,
                   "NS: x <urn:x>\r\n"
                   "From: \"Bob\" <sip:bob@b>\r\n"
                   "Subject: hello\r\n"
                   "Subject:;lang=fr salut\r\n"
                   "DateTime: 2001-01-02T03:04:05Z\r\n"
                   "x.Y: z\r\n"
                   "x.W: v\r\n"
                   "\r\n"
                   "Content-Type: text/html\r\n"
                   "\r\n"
                   "body");

  msrp_cpim_message_set_from (msg, NULL);
  msrp_cpim_message_set_datetime (msg, NULL);
  g_assert_null (msrp_cpim_message_get_from (msg));
  g_assert_null (msrp_cpim_message_get_header (msg, NULL, "DateTime"));
  assert_round_trip (msg);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cpim/rfc3862", test_cpim_rfc3862);
  g_test_add_func ("/cpim/imdn-request", test_cpim_imdn_request);
  g_test_add_func ("/cpim/prefixes", test_cpim_prefixes);
  g_test_add_func ("/cpim/identities", test_cpim_identities);
  g_test_add_func ("/cpim/lf-only", test_cpim_lf_only);
  g_test_add_func ("/cpim/build", test_cpim_build);
  g_test_add_func ("/cpim/binary-body", test_cpim_binary_body);
  g_test_add_func ("/cpim/folded-mime", test_cpim_folded_mime);
  TEST_ADD_NUMBERED ("/cpim/malformed", malformed, test_cpim_malformed);
  g_test_add_func ("/cpim/malformed-splits", test_cpim_malformed_splits);
  g_test_add_func ("/cpim/truncated", test_cpim_truncated);
  g_test_add_func ("/cpim/limits", test_cpim_limits);
  g_test_add_func ("/cpim/datetime-forms", test_cpim_datetime_forms);
  g_test_add_func ("/cpim/many-headers", test_cpim_many_headers);
  g_test_add_func ("/cpim/set-after-parse", test_cpim_set_after_parse);

  return g_test_run ();
}
