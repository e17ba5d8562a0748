/* test-is-composing.c: MsrpIsComposing (RFC 3994
 * application/im-iscomposing+xml)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"
#include "test-utils.h"

/* RFC 3994 section 6, the idle indication (without the page indent). */
static const char rfc3994_idle[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"\n"
  "  xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
  "  xsi:schemaLocation=\"urn:ietf:params:xml:ns:im-composing\n"
  "  iscomposing.xsd\">\n"
  "  <state>idle</state>\n"
  "  <lastactive>2003-01-27T10:43:00Z</lastactive>\n"
  "  <contenttype>audio</contenttype>\n"
  "</isComposing>\n";

/* RFC 3994 section 6, the active indication. */
static const char rfc3994_active[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"\n"
  "  xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
  "  xsi:schemaLocation=\"urn:ietf:params:xml:ns:im-composing\n"
  "  iscomposing.xsd\">\n"
  "  <state>active</state>\n"
  "  <contenttype>text/plain</contenttype>\n"
  "  <refresh>90</refresh>\n"
  "</isComposing>\n";

#define parse_string(str, error) test_parse_string ((TestParseFunc) msrp_is_composing_parse, (str), (error))

static void
assert_same (MsrpIsComposing *a,
             MsrpIsComposing *b)
{
  g_assert_cmpstr (msrp_is_composing_get_state (a), ==, msrp_is_composing_get_state (b));
  g_assert_cmpstr (msrp_is_composing_get_content_type (a), ==, msrp_is_composing_get_content_type (b));
  g_assert_cmpuint (msrp_is_composing_get_refresh (a), ==, msrp_is_composing_get_refresh (b));
  test_assert_same_datetime (msrp_is_composing_get_last_active (a), msrp_is_composing_get_last_active (b));
}

/* to_bytes -> parse gives the same document, which writes the same bytes
 * again. */
static void
assert_round_trip (MsrpIsComposing *ic)
{
  test_assert_round_trip (ic, (TestToBytesFunc) msrp_is_composing_to_bytes,
                          (TestParseFunc) msrp_is_composing_parse, (TestAssertSameFunc) assert_same);
}

#define assert_malformed(input, len, needle) \
  test_assert_parse_malformed_xml ((TestParseFunc) msrp_is_composing_parse, input, len, needle)

static void
test_is_composing_rfc3994_idle (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpIsComposing) ic = parse_string (rfc3994_idle, &error);
  g_autoptr(GBytes) xml = NULL;
  GDateTime *last;

  g_assert_no_error (error);
  g_assert_cmpstr (msrp_is_composing_get_state (ic), ==, "idle");
  g_assert_cmpstr (msrp_is_composing_get_content_type (ic), ==, "audio");
  g_assert_cmpuint (msrp_is_composing_get_refresh (ic), ==, 0);
  last = msrp_is_composing_get_last_active (ic);
  g_assert_nonnull (last);
  g_assert_cmpint (g_date_time_to_unix (last), ==, 1043664180);
  g_assert_cmpint (g_date_time_get_utc_offset (last), ==, 0);

  xml = msrp_is_composing_to_bytes (ic);
  test_assert_bytes (xml,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">\n"
                     "  <state>idle</state>\n"
                     "  <lastactive>2003-01-27T10:43:00Z</lastactive>\n"
                     "  <contenttype>audio</contenttype>\n"
                     "</isComposing>\n");
  assert_round_trip (ic);
}

static void
test_is_composing_rfc3994_active (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpIsComposing) ic = parse_string (rfc3994_active, &error);
  g_autoptr(MsrpIsComposing) built = msrp_is_composing_new ("active", "text/plain", 90);
  g_autoptr(GBytes) xml = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (msrp_is_composing_get_state (ic), ==, "active");
  g_assert_cmpstr (msrp_is_composing_get_content_type (ic), ==, "text/plain");
  g_assert_cmpuint (msrp_is_composing_get_refresh (ic), ==, 90);
  g_assert_null (msrp_is_composing_get_last_active (ic));
  assert_same (ic, built);

  xml = msrp_is_composing_to_bytes (built);
  test_assert_bytes (xml,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">\n"
                     "  <state>active</state>\n"
                     "  <contenttype>text/plain</contenttype>\n"
                     "  <refresh>90</refresh>\n"
                     "</isComposing>\n");
  assert_round_trip (ic);
  g_assert_cmpstr (MSRP_IS_COMPOSING_CONTENT_TYPE, ==, "application/im-iscomposing+xml");
}

static void
test_is_composing_namespaces (void)
{
  static const char *const inputs[] = {
    "<ic:isComposing xmlns:ic='urn:ietf:params:xml:ns:im-iscomposing'>"
    "<ic:state> active </ic:state><ic:refresh>+0060</ic:refresh></ic:isComposing>",
    /* children in a default namespace declared under a prefixed root */
    "<ic:isComposing xmlns:ic='urn:ietf:params:xml:ns:im-iscomposing' xmlns='urn:example:x'>"
    "<state>idle</state><refresh>1</refresh>"
    "<s xmlns='urn:ietf:params:xml:ns:im-iscomposing'>ignored</s>"
    "<state xmlns='urn:ietf:params:xml:ns:im-iscomposing'>active</state>"
    "<ic:refresh>60</ic:refresh></ic:isComposing>",
    /* foreign elements with their own children of the same names */
    "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'>"
    "<x:ext xmlns:x='urn:example:x'><state>idle</state><x:state>idle</x:state></x:ext>"
    "<state><![CDATA[active]]></state><!-- c --><refresh>\n60\n</refresh>"
    "<x:ext xmlns:x='urn:example:x'/></isComposing>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MsrpIsComposing) ic = parse_string (inputs[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (msrp_is_composing_get_state (ic), ==, "active");
      g_assert_cmpuint (msrp_is_composing_get_refresh (ic), ==, 60);
      g_assert_null (msrp_is_composing_get_content_type (ic));
      assert_round_trip (ic);
    }
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  g_string_append_printf (user_data, "%s ", pspec->name);
}

static void
test_is_composing_build (void)
{
  g_autoptr(MsrpIsComposing) ic = msrp_is_composing_new ("idle", NULL, 0);
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (9 * 3600);
  g_autoptr(GDateTime) when = g_date_time_new (tz, 2003, 1, 27, 19, 43, 0.125);
  g_autoptr(GString) notified = g_string_new (NULL);
  g_autoptr(GBytes) xml = NULL;

  xml = msrp_is_composing_to_bytes (ic);
  test_assert_bytes (xml,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">\n"
                     "  <state>idle</state>\n"
                     "</isComposing>\n");

  g_signal_connect (ic, "notify", G_CALLBACK (on_notify), notified);
  msrp_is_composing_set_state (ic, "active");
  msrp_is_composing_set_state (ic, "active");
  msrp_is_composing_set_last_active (ic, when);
  msrp_is_composing_set_content_type (ic, "text/html; charset=\"utf-8\"");
  msrp_is_composing_set_refresh (ic, 120);
  msrp_is_composing_set_refresh (ic, 120);
  g_assert_cmpstr (notified->str, ==, "state last-active content-type refresh ");

  g_clear_pointer (&xml, g_bytes_unref);
  xml = msrp_is_composing_to_bytes (ic);
  test_assert_bytes (xml,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">\n"
                     "  <state>active</state>\n"
                     "  <lastactive>2003-01-27T19:43:00.125+09:00</lastactive>\n"
                     "  <contenttype>text/html; charset=&quot;utf-8&quot;</contenttype>\n"
                     "  <refresh>120</refresh>\n"
                     "</isComposing>\n");
  assert_round_trip (ic);

  /* through GObject properties */
  {
    g_autoptr(MsrpIsComposing) props = g_object_new (MSRP_TYPE_IS_COMPOSING,
                                                     "state", "active",
                                                     "refresh", 60,
                                                     "last-active", when,
                                                     NULL);
    g_autofree char *state = NULL;
    guint refresh;

    g_object_get (props, "state", &state, "refresh", &refresh, NULL);
    g_assert_cmpstr (state, ==, "active");
    g_assert_cmpuint (refresh, ==, 60);
    g_assert_true (g_date_time_equal (msrp_is_composing_get_last_active (props), when));
  }
}

static void
test_is_composing_bad_state_is_programming_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(MsrpIsComposing) ic = msrp_is_composing_new ("idle", NULL, 0);

      msrp_is_composing_set_state (ic, "typing");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*found != NULL*");
}

#define IC_OPEN "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'>"

static const TestMalformedXml malformed[] = {
  { "doctype-entity",
    "<!DOCTYPE isComposing [<!ENTITY s 'active'>]>" IC_OPEN "<state>&s;</state></isComposing>", "DOCTYPE" },
  { "billion-laughs",
    "<?xml version='1.0'?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
    "]>\n" IC_OPEN "<state>idle</state><contenttype>&lol2;</contenttype></isComposing>",
    "DOCTYPE" },
  { "wrong-namespace", "<isComposing xmlns='urn:ietf:params:xml:ns:im-composing'><state>idle</state></isComposing>",
    "urn:ietf:params:xml:ns:im-composing" },
  { "no-namespace", "<isComposing><state>idle</state></isComposing>", "no namespace" },
  { "imdn", "<imdn xmlns='urn:ietf:params:xml:ns:imdn'/>", "<imdn>" },
  { "no-state", IC_OPEN "<refresh>60</refresh></isComposing>", "no <state>" },
  { "bad-state", IC_OPEN "<state>typing</state></isComposing>", "typing" },
  { "state-case", IC_OPEN "<state>Active</state></isComposing>", "Active" },
  { "empty-state", IC_OPEN "<state/></isComposing>", "<state>" },
  { "two-states", IC_OPEN "<state>idle</state><state>active</state></isComposing>", "more than one <state>" },
  { "bad-lastactive", IC_OPEN "<state>idle</state><lastactive>2003-01-27</lastactive></isComposing>",
    "<lastactive>" },
  { "lastactive-no-offset",
    IC_OPEN "<state>idle</state><lastactive>2003-01-27T10:43:00</lastactive></isComposing>", "<lastactive>" },
  { "zero-refresh", IC_OPEN "<state>active</state><refresh>0</refresh></isComposing>", "<refresh>" },
  { "negative-refresh", IC_OPEN "<state>active</state><refresh>-5</refresh></isComposing>", "<refresh>" },
  { "huge-refresh", IC_OPEN "<state>active</state><refresh>4294967296</refresh></isComposing>", "<refresh>" },
  { "text-refresh", IC_OPEN "<state>active</state><refresh>soon</refresh></isComposing>", "soon" },
  { "control-contenttype", IC_OPEN "<state>active</state><contenttype>a&#2;</contenttype></isComposing>",
    "<contenttype>" },
  { "undeclared-prefix", "<x:isComposing/>", "“x”" },
  { "truncated", IC_OPEN "<state>idle</state>", "well-formed" },
  { "empty", "", "well-formed" },
};

static void
test_is_composing_malformed (gconstpointer data)
{
  test_assert_malformed_row ((TestParseFunc) msrp_is_composing_parse, data);
}

static void
test_is_composing_truncated (void)
{
  const char *docs[] = { rfc3994_idle, rfc3994_active };

  test_assert_prefixes_malformed ((TestParseFunc) msrp_is_composing_parse, docs, G_N_ELEMENTS (docs));
}

static void
test_is_composing_limits (void)
{
  g_autoptr(GString) big = g_string_new (IC_OPEN "<state>idle</state><contenttype>");
  g_autoptr(GString) deep = g_string_new (IC_OPEN "<state>idle</state>");

  while (big->len <= 64 * 1024)
    g_string_append (big, "xxxxxxxxxxxxxxxx");
  g_string_append (big, "</contenttype></isComposing>");
  assert_malformed (big->str, big->len, "65536 bytes");

  for (guint i = 1; i < 40; i++)
    g_string_append (deep, "<x:x xmlns:x='urn:x'>");
  assert_malformed (deep->str, deep->len, "32 levels");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/is-composing/rfc3994/idle", test_is_composing_rfc3994_idle);
  g_test_add_func ("/is-composing/rfc3994/active", test_is_composing_rfc3994_active);
  g_test_add_func ("/is-composing/namespaces", test_is_composing_namespaces);
  g_test_add_func ("/is-composing/build", test_is_composing_build);
  g_test_add_func ("/is-composing/bad-state", test_is_composing_bad_state_is_programming_error);
  TEST_ADD_TABLE ("/is-composing/malformed", malformed, test_is_composing_malformed);
  g_test_add_func ("/is-composing/truncated", test_is_composing_truncated);
  g_test_add_func ("/is-composing/limits", test_is_composing_limits);

  return g_test_run ();
}
