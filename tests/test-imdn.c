/* test-imdn.c: MsrpImdn (RFC 5438 message/imdn+xml) and the XML reader
 * under it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"
#include "test-utils.h"

#define IMDN_XMLNS "urn:ietf:params:xml:ns:imdn"

/* RFC 5438 section 7.2.1.1, the delivery notification, as the RFC prints
 * it (without the page indent), with the start tag of
 * <original-recipient-uri> broken over two lines. */
static const char rfc5438_delivery[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\n"
  "   <message-id>34jk324j</message-id>\n"
  "   <datetime>2008-04-04T12:16:49-05:00</datetime>\n"
  "   <recipient-uri>im:bob@example.com</recipient-uri>\n"
  "   <original-recipient-uri\n"
  "      >im:bob@example.com</original-recipient-uri>\n"
  "   <delivery-notification>\n"
  "      <status>\n"
  "         <delivered/>\n"
  "      </status>\n"
  "   </delivery-notification>\n"
  "</imdn>\n";

/* Section 7.2.1.2, the display notification. */
static const char rfc5438_display[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\n"
  "   <message-id>34jk324j</message-id>\n"
  "   <datetime>2008-04-04T12:16:49-05:00</datetime>\n"
  "   <recipient-uri>im:bob@example.com</recipient-uri>\n"
  "   <original-recipient-uri\n"
  "      >im:bob@example.com</original-recipient-uri>\n"
  "   <display-notification>\n"
  "      <status>\n"
  "         <displayed/>\n"
  "      </status>\n"
  "   </display-notification>\n"
  "</imdn>\n";

/* Section 7.2.1.3, the processing notification. */
static const char rfc5438_processing[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\n"
  "   <message-id>34jk324j</message-id>\n"
  "   <datetime>2008-04-04T12:16:49-05:00</datetime>\n"
  "   <recipient-uri>im:bob@example.com</recipient-uri>\n"
  "   <original-recipient-uri\n"
  "      >im:bob@example.com</original-recipient-uri>\n"
  "   <processing-notification>\n"
  "      <status>\n"
  "         <processed/>\n"
  "      </status>\n"
  "   </processing-notification>\n"
  "</imdn>\n";

/* The delivery notification of the RFC 5438 examples, wrapped in CPIM as
 * it travels (the RFC leaves out the blank line before the MIME headers;
 * it is here), with CRLF line ends. */
static const char rfc5438_cpim_notification[] =
  "From: Bob <im:bob@example.com>\r\n"
  "To: Alice <im:alice@example.com>\r\n"
  "NS: imdn <urn:ietf:params:imdn>\r\n"
  "imdn.Message-ID: d834jied93rf\r\n"
  "DateTime: 2008-04-04T12:16:49-05:00\r\n"
  "\r\n"
  "Content-type: message/imdn+xml\r\n"
  "Content-Disposition: notification\r\n"
  "\r\n"
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
  "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\r\n"
  "  <message-id>34jk324j</message-id>\r\n"
  "  <datetime>2008-04-04T12:16:49-05:00</datetime>\r\n"
  "  <recipient-uri>im:bob@example.com</recipient-uri>\r\n"
  "  <original-recipient-uri\r\n"
  "    >im:bob@example.com</original-recipient-uri>\r\n"
  "  <delivery-notification>\r\n"
  "    <status>\r\n"
  "      <delivered/>\r\n"
  "    </status>\r\n"
  "  </delivery-notification>\r\n"
  "</imdn>\r\n";

#define parse_string(str, error) test_parse_string ((TestParseFunc) msrp_imdn_parse, (str), (error))

static void
assert_same (MsrpImdn *a,
             MsrpImdn *b)
{
  g_assert_cmpint (msrp_imdn_get_kind (a), ==, msrp_imdn_get_kind (b));
  g_assert_cmpstr (msrp_imdn_get_status (a), ==, msrp_imdn_get_status (b));
  g_assert_cmpstr (msrp_imdn_get_message_id (a), ==, msrp_imdn_get_message_id (b));
  g_assert_cmpstr (msrp_imdn_get_recipient_uri (a), ==, msrp_imdn_get_recipient_uri (b));
  g_assert_cmpstr (msrp_imdn_get_original_recipient_uri (a), ==,
                   msrp_imdn_get_original_recipient_uri (b));
  g_assert_cmpstr (msrp_imdn_get_subject (a), ==, msrp_imdn_get_subject (b));
  test_assert_same_datetime (msrp_imdn_get_datetime (a), msrp_imdn_get_datetime (b));
}

/* to_bytes -> parse gives the same notification, which writes the same
 * bytes again. */
static void
assert_round_trip (MsrpImdn *imdn)
{
  test_assert_round_trip (imdn, (TestToBytesFunc) msrp_imdn_to_bytes,
                          (TestParseFunc) msrp_imdn_parse, (TestAssertSameFunc) assert_same);
}

#define assert_malformed(input, len, needle) \
  test_assert_parse_malformed_xml ((TestParseFunc) msrp_imdn_parse, input, len, needle)

typedef struct {
  const char *document;
  MsrpImdnKind kind;
  const char *status;
} RfcExample;

static const RfcExample rfc_examples[] = {
  { rfc5438_delivery, MSRP_IMDN_KIND_DELIVERY, "delivered" },
  { rfc5438_display, MSRP_IMDN_KIND_DISPLAY, "displayed" },
  { rfc5438_processing, MSRP_IMDN_KIND_PROCESSING, "processed" },
};

static void
test_imdn_rfc5438 (gconstpointer data)
{
  const RfcExample *example = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpImdn) imdn = parse_string (example->document, &error);
  g_autoptr(GBytes) xml = NULL;
  g_autofree char *expected = NULL;
  GDateTime *datetime;
  const char *notification = example->kind == MSRP_IMDN_KIND_DELIVERY ? "delivery-notification"
                             : example->kind == MSRP_IMDN_KIND_DISPLAY ? "display-notification"
                             : "processing-notification";

  g_assert_no_error (error);
  g_assert_cmpint (msrp_imdn_get_kind (imdn), ==, example->kind);
  g_assert_cmpstr (msrp_imdn_get_status (imdn), ==, example->status);
  g_assert_cmpstr (msrp_imdn_get_message_id (imdn), ==, "34jk324j");
  g_assert_cmpstr (msrp_imdn_get_recipient_uri (imdn), ==, "im:bob@example.com");
  g_assert_cmpstr (msrp_imdn_get_original_recipient_uri (imdn), ==, "im:bob@example.com");
  g_assert_null (msrp_imdn_get_subject (imdn));
  datetime = msrp_imdn_get_datetime (imdn);
  g_assert_nonnull (datetime);
  g_assert_cmpint (g_date_time_to_unix (datetime), ==, 1207329409);
  g_assert_cmpint (g_date_time_get_utc_offset (datetime), ==, -5 * G_TIME_SPAN_HOUR);
  g_assert_cmpint (g_date_time_get_hour (datetime), ==, 12);

  /* Written back: the same content, our layout. */
  xml = msrp_imdn_to_bytes (imdn);
  expected = g_strdup_printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                              "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\n"
                              "  <message-id>34jk324j</message-id>\n"
                              "  <datetime>2008-04-04T12:16:49-05:00</datetime>\n"
                              "  <recipient-uri>im:bob@example.com</recipient-uri>\n"
                              "  <original-recipient-uri>im:bob@example.com</original-recipient-uri>\n"
                              "  <%s>\n"
                              "    <status>\n"
                              "      <%s/>\n"
                              "    </status>\n"
                              "  </%s>\n"
                              "</imdn>\n",
                              notification, example->status, notification);
  test_assert_bytes (xml, expected);
  assert_round_trip (imdn);

  /* CRLF line ends read the same */
  {
    g_autoptr(GRegex) regex = g_regex_new ("\n", 0, 0, NULL);
    g_autofree char *crlf = g_regex_replace_literal (regex, example->document, -1, 0, "\r\n", 0, NULL);
    g_autoptr(MsrpImdn) again = parse_string (crlf, &error);

    g_assert_no_error (error);
    assert_same (imdn, again);
  }
}

/* The notification as it travels: CPIM around the XML, the CPIM side
 * found through the constants. */
static void
test_imdn_in_cpim (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (rfc5438_cpim_notification,
                                                strlen (rfc5438_cpim_notification));
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpCpimMessage) cpim = msrp_cpim_message_parse (bytes, &error);
  g_autoptr(MsrpImdn) imdn = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (msrp_cpim_message_get_content_type (cpim), ==, MSRP_IMDN_CONTENT_TYPE);
  g_assert_cmpstr (msrp_cpim_message_get_header (cpim, MSRP_IMDN_NAMESPACE, "Message-ID"), ==,
                   "d834jied93rf");
  g_assert_cmpstr (MSRP_IMDN_NAMESPACE, ==, "urn:ietf:params:imdn");
  g_assert_cmpstr (MSRP_IMDN_CONTENT_TYPE, ==, "message/imdn+xml");

  imdn = msrp_imdn_parse (msrp_cpim_message_get_body (cpim), &error);
  g_assert_no_error (error);
  g_assert_cmpint (msrp_imdn_get_kind (imdn), ==, MSRP_IMDN_KIND_DELIVERY);
  g_assert_cmpstr (msrp_imdn_get_status (imdn), ==, "delivered");
  g_assert_cmpstr (msrp_imdn_get_message_id (imdn), ==, "34jk324j");
  g_assert_cmpstr (msrp_imdn_get_original_recipient_uri (imdn), ==, "im:bob@example.com");
}

/* The IMDN namespace under any prefix, as the default namespace, declared
 * on a parent or redeclared in a child. */
static void
test_imdn_namespaces (void)
{
  static const char *const inputs[] = {
    /* a prefix */
    "<i:imdn xmlns:i='urn:ietf:params:xml:ns:imdn'><i:message-id>m1</i:message-id>"
    "<i:display-notification><i:status><i:displayed/></i:status></i:display-notification></i:imdn>",
    /* a prefix, and a default namespace of something else */
    "<imdn:imdn xmlns='urn:example:other' xmlns:imdn='urn:ietf:params:xml:ns:imdn'>"
    "<message-id>wrong</message-id><imdn:message-id>m1</imdn:message-id>"
    "<imdn:display-notification><imdn:status><displayed/><imdn:displayed/></imdn:status>"
    "</imdn:display-notification></imdn:imdn>",
    /* the default namespace redeclared in a child, and back */
    "<imdn xmlns='urn:ietf:params:xml:ns:imdn'>"
    "<x xmlns='urn:example:other'><message-id>wrong</message-id></x>"
    "<message-id>m1</message-id>"
    "<display-notification xmlns='urn:ietf:params:xml:ns:imdn'><status><displayed/></status>"
    "</display-notification></imdn>",
    /* the same prefix bound to another namespace in a child */
    "<p:imdn xmlns:p='urn:ietf:params:xml:ns:imdn'>"
    "<p:x xmlns:p='urn:example:other'><p:message-id>wrong</p:message-id></p:x>"
    "<p:message-id>m1</p:message-id>"
    "<q:display-notification xmlns:q='urn:ietf:params:xml:ns:imdn'><q:status><p:displayed/>"
    "</q:status></q:display-notification></p:imdn>",
    /* two prefixes for the one namespace, and xml:lang */
    "<a:imdn xmlns:a='urn:ietf:params:xml:ns:imdn' xmlns:b='urn:ietf:params:xml:ns:imdn' xml:lang='en'>"
    "<b:message-id>m1</b:message-id><a:display-notification><b:status><a:displayed/></b:status>"
    "</a:display-notification></a:imdn>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MsrpImdn) imdn = parse_string (inputs[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (msrp_imdn_get_message_id (imdn), ==, "m1");
      g_assert_cmpint (msrp_imdn_get_kind (imdn), ==, MSRP_IMDN_KIND_DISPLAY);
      g_assert_cmpstr (msrp_imdn_get_status (imdn), ==, "displayed");
      g_assert_null (msrp_imdn_get_datetime (imdn));
      assert_round_trip (imdn);
    }

  /* xmlns="" takes the children out of the namespace: no message-id then */
  {
    static const char undeclared[] =
      "<imdn xmlns='urn:ietf:params:xml:ns:imdn'><x xmlns=''/>"
      "<message-id xmlns=''>m1</message-id>"
      "<display-notification><status><displayed/></status></display-notification></imdn>";

    assert_malformed (undeclared, strlen (undeclared), "no <message-id>");
  }
}

/* Extensions: elements and attributes of other namespaces anywhere, with
 * whatever they hold; comments, processing instructions, CDATA and
 * character references. */
static void
test_imdn_extensions (void)
{
  static const char input[] =
    "<?xml version='1.0' encoding='utf-8' standalone='yes'?>\n"
    "<!-- a comment -->\n"
    "<?app-hint x?>\n"
    "<imdn xmlns='urn:ietf:params:xml:ns:imdn' xmlns:e='urn:example:ext' e:flag='1'>\n"
    "  <e:before><message-id>not this</message-id><e:deep><e:deeper/></e:deep></e:before>\n"
    "  <message-id e:x='y'>\n    <![CDATA[a<b]]>&amp;&#x63;&#100;\n  </message-id>\n"
    "  <datetime>2008-04-04T12:16:49.5+05:30</datetime>\n"
    "  <subject>  Caf&#233; &lt;menu&gt; <!-- not text -->&#9;today\n</subject>\n"
    "  <recipient-uri>sip:bob@example.com;transport=tcp</recipient-uri>\n"
    "  <e:reason code='42'>kept out</e:reason>\n"
    "  <unknown-imdn-element>ignored</unknown-imdn-element>\n"
    "  <processing-notification>\n"
    "    <e:note>before the status</e:note>\n"
    "    <status><e:detail/><stored>  </stored><e:more>text</e:more></status>\n"
    "    <e:after/>\n"
    "  </processing-notification>\n"
    "  <e:trailer><status><failed/></status></e:trailer>\n"
    "</imdn>\n"
    "<!-- after -->\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpImdn) imdn = parse_string (input, &error);
  GDateTime *datetime;

  g_assert_no_error (error);
  g_assert_cmpstr (msrp_imdn_get_message_id (imdn), ==, "a<b&cd");
  g_assert_cmpstr (msrp_imdn_get_subject (imdn), ==, "  Caf\xc3\xa9 <menu> \ttoday\n");
  g_assert_cmpstr (msrp_imdn_get_recipient_uri (imdn), ==, "sip:bob@example.com;transport=tcp");
  g_assert_null (msrp_imdn_get_original_recipient_uri (imdn));
  g_assert_cmpint (msrp_imdn_get_kind (imdn), ==, MSRP_IMDN_KIND_PROCESSING);
  g_assert_cmpstr (msrp_imdn_get_status (imdn), ==, "stored");
  datetime = msrp_imdn_get_datetime (imdn);
  g_assert_cmpint (g_date_time_get_utc_offset (datetime), ==, (5 * 60 + 30) * G_TIME_SPAN_MINUTE);
  g_assert_cmpint (g_date_time_get_microsecond (datetime), ==, 500000);
  assert_round_trip (imdn);
}

/* Every status of every kind, built and parsed; every status of another
 * kind, refused by both. */
static void
test_imdn_statuses (void)
{
  static const struct {
    MsrpImdnKind kind;
    const char *element;
    const char *const statuses[5];
  } kinds[] = {
    { MSRP_IMDN_KIND_DELIVERY, "delivery-notification", { "delivered", "failed", "forbidden", "error", NULL } },
    { MSRP_IMDN_KIND_DISPLAY, "display-notification", { "displayed", "forbidden", "error", NULL } },
    { MSRP_IMDN_KIND_PROCESSING, "processing-notification", { "processed", "stored", "forbidden", "error", NULL } },
  };
  static const char *const all[] = {
    "delivered", "failed", "forbidden", "error", "displayed", "processed", "stored",
  };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      for (guint s = 0; s < G_N_ELEMENTS (all); s++)
        {
          gboolean belongs = g_strv_contains (kinds[k].statuses, all[s]);
          g_autofree char *xml =
            g_strdup_printf ("<imdn xmlns='" IMDN_XMLNS "'><message-id>x</message-id>"
                             "<%s><status><%s/></status></%s></imdn>",
                             kinds[k].element, all[s], kinds[k].element);
          g_autoptr(GError) error = NULL;
          g_autoptr(MsrpImdn) parsed = parse_string (xml, &error);

          g_assert_cmpint (msrp_imdn_kind_has_status (kinds[k].kind, all[s]), ==, belongs);
          if (!belongs)
            {
              g_autofree char *needle = g_strdup_printf ("<%s/>", all[s]);

              assert_malformed (xml, strlen (xml), needle);
              continue;
            }

          g_assert_no_error (error);
          g_assert_cmpint (msrp_imdn_get_kind (parsed), ==, kinds[k].kind);
          g_assert_cmpstr (msrp_imdn_get_status (parsed), ==, all[s]);
          {
            g_autoptr(MsrpImdn) built = msrp_imdn_new (kinds[k].kind, "x", all[s]);
            g_autoptr(GBytes) bytes = NULL;
            g_autofree char *needle = g_strdup_printf ("  <%s>\n    <status>\n      <%s/>\n",
                                                       kinds[k].element, all[s]);

            g_assert_cmpstr (msrp_imdn_get_status (built), ==, all[s]);
            bytes = msrp_imdn_to_bytes (built);
            g_assert_nonnull (g_strstr_len (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), needle));
            assert_round_trip (built);
          }
        }

      /* NULL is the positive status */
      {
        g_autoptr(MsrpImdn) positive = msrp_imdn_new (kinds[k].kind, "x", NULL);

        g_assert_cmpstr (msrp_imdn_get_status (positive), ==, kinds[k].statuses[0]);
      }
    }
}

static void
test_imdn_wrong_status_is_programming_error (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(MsrpImdn) imdn = msrp_imdn_new (MSRP_IMDN_KIND_DISPLAY, "x", NULL);

      msrp_imdn_set_status (imdn, "delivered");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*found != NULL*");
}

static void
test_imdn_wrong_status_in_new (void)
{
  if (g_test_subprocess ())
    {
      MsrpImdn *imdn = msrp_imdn_new (MSRP_IMDN_KIND_PROCESSING, "x", "displayed");

      g_assert_null (imdn);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*find_status*");
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  GString *names = user_data;

  g_string_append_printf (names, "%s ", pspec->name);
}

static void
test_imdn_build (void)
{
  g_autoptr(MsrpImdn) imdn = msrp_imdn_new (MSRP_IMDN_KIND_DELIVERY, "Msg<1>&\"2\"", "failed");
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (-(3 * 3600 + 30 * 60));
  g_autoptr(GDateTime) when = g_date_time_new (tz, 2024, 2, 29, 23, 59, 7.25);
  g_autoptr(GString) notified = g_string_new (NULL);
  g_autoptr(GBytes) xml = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GDateTime *made;

  /* new() dates it now, to the second */
  made = msrp_imdn_get_datetime (imdn);
  g_assert_nonnull (made);
  g_assert_cmpint (g_date_time_get_microsecond (made), ==, 0);
  g_assert_cmpint (ABS (g_date_time_difference (now, made)), <, 5 * G_TIME_SPAN_SECOND);

  g_signal_connect (imdn, "notify", G_CALLBACK (count_notify), notified);
  msrp_imdn_set_datetime (imdn, when);
  msrp_imdn_set_datetime (imdn, when);
  msrp_imdn_set_recipient_uri (imdn, "sip:bob@example.com");
  msrp_imdn_set_original_recipient_uri (imdn, "sip:list@example.com");
  msrp_imdn_set_subject (imdn, "Tom & Jerry's <b>\tplan\n");
  msrp_imdn_set_subject (imdn, "Tom & Jerry's <b>\tplan\n");
  g_assert_cmpstr (notified->str, ==, "datetime recipient-uri original-recipient-uri subject ");

  xml = msrp_imdn_to_bytes (imdn);
  test_assert_bytes (xml,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\n"
                     "  <message-id>Msg&lt;1&gt;&amp;&quot;2&quot;</message-id>\n"
                     "  <datetime>2024-02-29T23:59:07.25-03:30</datetime>\n"
                     "  <recipient-uri>sip:bob@example.com</recipient-uri>\n"
                     "  <original-recipient-uri>sip:list@example.com</original-recipient-uri>\n"
                     "  <subject>Tom &amp; Jerry&apos;s &lt;b&gt;\tplan\n</subject>\n"
                     "  <delivery-notification>\n"
                     "    <status>\n"
                     "      <failed/>\n"
                     "    </status>\n"
                     "  </delivery-notification>\n"
                     "</imdn>\n");
  assert_round_trip (imdn);

  /* A new kind keeps forbidden and error, and else takes its positive status. */
  g_string_truncate (notified, 0);
  msrp_imdn_set_kind (imdn, MSRP_IMDN_KIND_DISPLAY);
  g_assert_cmpstr (msrp_imdn_get_status (imdn), ==, "displayed");
  /* both, in whatever order GObject thaws them */
  g_assert_cmpuint (notified->len, ==, strlen ("kind status "));
  g_assert_nonnull (strstr (notified->str, "kind "));
  g_assert_nonnull (strstr (notified->str, "status "));
  msrp_imdn_set_status (imdn, "forbidden");
  g_string_truncate (notified, 0);
  msrp_imdn_set_kind (imdn, MSRP_IMDN_KIND_PROCESSING);
  g_assert_cmpstr (msrp_imdn_get_status (imdn), ==, "forbidden");
  g_assert_cmpstr (notified->str, ==, "kind ");
  msrp_imdn_set_status (imdn, NULL);
  g_assert_cmpstr (msrp_imdn_get_status (imdn), ==, "processed");

  /* Optional parts removed are left out; so is the datetime when unset. */
  msrp_imdn_set_recipient_uri (imdn, NULL);
  msrp_imdn_set_original_recipient_uri (imdn, NULL);
  msrp_imdn_set_subject (imdn, NULL);
  msrp_imdn_set_datetime (imdn, NULL);
  msrp_imdn_set_message_id (imdn, "m 2");
  g_clear_pointer (&xml, g_bytes_unref);
  xml = msrp_imdn_to_bytes (imdn);
  test_assert_bytes (xml,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\n"
                     "  <message-id>m 2</message-id>\n"
                     "  <processing-notification>\n"
                     "    <status>\n"
                     "      <processed/>\n"
                     "    </status>\n"
                     "  </processing-notification>\n"
                     "</imdn>\n");
  assert_round_trip (imdn);

  /* UTC is written with Z; properties through GObject */
  {
    g_autoptr(GDateTime) utc = g_date_time_new_utc (2000, 1, 2, 3, 4, 5);
    g_autoptr(MsrpImdn) props = g_object_new (MSRP_TYPE_IMDN,
                                              "status", "error",
                                              "kind", MSRP_IMDN_KIND_DISPLAY,
                                              "message-id", "p1",
                                              "datetime", utc,
                                              "subject", "s",
                                              NULL);
    g_autoptr(GBytes) bytes = msrp_imdn_to_bytes (props);
    g_autofree char *status = NULL;
    MsrpImdnKind kind;

    g_object_get (props, "status", &status, "kind", &kind, NULL);
    g_assert_cmpstr (status, ==, "error");
    g_assert_cmpint (kind, ==, MSRP_IMDN_KIND_DISPLAY);
    g_assert_nonnull (g_strstr_len (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                    "<datetime>2000-01-02T03:04:05Z</datetime>"));
  }
}

/* Refusals */

#define NOTIF "<delivery-notification><status><delivered/></status></delivery-notification>"
#define IMDN_OPEN "<imdn xmlns='urn:ietf:params:xml:ns:imdn'>"

static const TestMalformedXml malformed[] = {
  { "doctype-entity",
    "<?xml version='1.0'?><!DOCTYPE imdn [<!ENTITY id 'x'>]>" IMDN_OPEN "<message-id>&id;</message-id>" NOTIF "</imdn>",
    "DOCTYPE" },
  { "billion-laughs",
    "<?xml version='1.0'?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
    "]>\n" IMDN_OPEN "<message-id>&lol3;</message-id>" NOTIF "</imdn>",
    "DOCTYPE" },
  { "external-entity",
    "<!DOCTYPE imdn SYSTEM 'file:///etc/passwd'>" IMDN_OPEN "<message-id>x</message-id>" NOTIF "</imdn>",
    "DOCTYPE" },
  { "entity-no-doctype", IMDN_OPEN "<message-id>&lol;</message-id>" NOTIF "</imdn>", "well-formed" },
  /* GMarkup finds no end to it */
  { "markup-declaration", "<!ENTITY lol 'x'>" IMDN_OPEN "<message-id>x</message-id>" NOTIF "</imdn>",
    "well-formed" },
  { "wrong-namespace",
    "<imdn xmlns='urn:ietf:params:xml:ns:imdn-wrong'><message-id>x</message-id>" NOTIF "</imdn>",
    "urn:ietf:params:xml:ns:imdn-wrong" },
  { "no-namespace", "<imdn><message-id>x</message-id>" NOTIF "</imdn>", "no namespace" },
  { "cpim-namespace", "<imdn xmlns='urn:ietf:params:imdn'><message-id>x</message-id>" NOTIF "</imdn>",
    "urn:ietf:params:imdn" },
  { "wrong-root", "<isComposing xmlns='urn:ietf:params:xml:ns:imdn'/>", "<isComposing>" },
  { "no-message-id", IMDN_OPEN NOTIF "</imdn>", "no <message-id>" },
  { "empty-message-id", IMDN_OPEN "<message-id> \n </message-id>" NOTIF "</imdn>", "<message-id>" },
  { "control-in-message-id", IMDN_OPEN "<message-id>a&#1;b</message-id>" NOTIF "</imdn>", "<message-id>" },
  { "nul-reference", IMDN_OPEN "<message-id>a&#0;b</message-id>" NOTIF "</imdn>", "well-formed" },
  { "two-message-ids", IMDN_OPEN "<message-id>a</message-id><message-id>b</message-id>" NOTIF "</imdn>",
    "more than one <message-id>" },
  { "bad-datetime", IMDN_OPEN "<message-id>a</message-id><datetime>yesterday</datetime>" NOTIF "</imdn>",
    "yesterday" },
  { "datetime-no-offset",
    IMDN_OPEN "<message-id>a</message-id><datetime>2008-04-04T12:16:49</datetime>" NOTIF "</imdn>",
    "<datetime>" },
  { "datetime-week-date",
    IMDN_OPEN "<message-id>a</message-id><datetime>2008-W14-5T12:16:49Z</datetime>" NOTIF "</imdn>",
    "<datetime>" },
  { "datetime-bad-month",
    IMDN_OPEN "<message-id>a</message-id><datetime>2008-13-04T12:16:49Z</datetime>" NOTIF "</imdn>",
    "<datetime>" },
  { "no-notification", IMDN_OPEN "<message-id>a</message-id></imdn>", "no delivery" },
  { "two-notifications",
    IMDN_OPEN "<message-id>a</message-id>" NOTIF
    "<display-notification><status><displayed/></status></display-notification></imdn>",
    "more than one delivery" },
  { "no-status", IMDN_OPEN "<message-id>a</message-id><delivery-notification/></imdn>", "no <status>" },
  { "empty-status",
    IMDN_OPEN "<message-id>a</message-id><delivery-notification><status/></delivery-notification></imdn>",
    "<status>" },
  { "foreign-status-only",
    IMDN_OPEN "<message-id>a</message-id><delivery-notification><status>"
    "<delivered xmlns='urn:example:x'/></status></delivery-notification></imdn>",
    "<status>" },
  { "two-statuses",
    IMDN_OPEN "<message-id>a</message-id><delivery-notification><status><delivered/><failed/></status>"
    "</delivery-notification></imdn>",
    "more than one status" },
  { "two-status-elements",
    IMDN_OPEN "<message-id>a</message-id><delivery-notification><status><delivered/></status>"
    "<status><delivered/></status></delivery-notification></imdn>",
    "more than one <status>" },
  { "status-of-other-kind",
    IMDN_OPEN "<message-id>a</message-id><display-notification><status><delivered/></status>"
    "</display-notification></imdn>",
    "<display-notification>" },
  { "undeclared-prefix", "<i:imdn xmlns:x='urn:ietf:params:xml:ns:imdn'/>", "“i”" },
  { "empty-prefix-binding", "<i:imdn xmlns:i=''/>", "xmlns:i" },
  { "xmlns-prefix", "<xmlns:imdn xmlns:xmlns='urn:x'/>", "xmlns:xmlns" },
  { "two-colons", "<a:b:imdn xmlns:a='urn:x'/>", "a:b:imdn" },
  { "duplicate-declaration",
    "<imdn xmlns='urn:ietf:params:xml:ns:imdn' xmlns='urn:ietf:params:xml:ns:imdn'/>", "twice" },
  { "mismatched-tags", IMDN_OPEN "<message-id>a</datetime>" NOTIF "</imdn>", "well-formed" },
  { "two-roots", IMDN_OPEN "<message-id>a</message-id>" NOTIF "</imdn>" IMDN_OPEN "</imdn>",
    "more than one root" },
  { "text-after-root", IMDN_OPEN "<message-id>a</message-id>" NOTIF "</imdn>trailing", "well-formed" },
  { "latin1", "<?xml version='1.0' encoding='ISO-8859-1'?>" IMDN_OPEN "<message-id>a</message-id>" NOTIF
    "</imdn>", "ISO-8859-1" },
  { "late-declaration", "<!-- x --><?xml version='1.0'?>" IMDN_OPEN "<message-id>a</message-id>" NOTIF
    "</imdn>", "XML declaration" },
  { "bad-declaration", "<?xml version='1.0' encoding=UTF-8?>" IMDN_OPEN "<message-id>a</message-id>" NOTIF
    "</imdn>", "XML declaration" },
  { "not-utf8", IMDN_OPEN "<message-id>\xc3\x28</message-id>" NOTIF "</imdn>", "UTF-8" },
  /* found by fuzz-imdn: GMarkup let these pass with an error set */
  { "not-utf8-comment", IMDN_OPEN "<message-id>a</message-id>" NOTIF "<!-- \xff --></imdn>", "UTF-8" },
  { "not-utf8-leading-comment", "<!-- \xff -->" IMDN_OPEN "<message-id>a</message-id>" NOTIF "</imdn>",
    "UTF-8" },
  { "not-utf8-cdata", IMDN_OPEN "<message-id><![CDATA[\xff]]>a</message-id>" NOTIF "</imdn>", "UTF-8" },
  { "not-utf8-pi", IMDN_OPEN "<message-id>a</message-id>" NOTIF "<?x \xff?></imdn>", "UTF-8" },
  { "empty", "", "well-formed" },
  { "whitespace", " \n ", "well-formed" },
  { "not-xml", "Hello World", "well-formed" },
};

static void
test_imdn_malformed (gconstpointer data)
{
  test_assert_malformed_row ((TestParseFunc) msrp_imdn_parse, data);
}

/* Every prefix of a notification fails but the whole one (its last
 * newline is optional), and no prefix crashes. */
static void
test_imdn_truncated (void)
{
  const char *docs[] = { rfc5438_delivery, rfc5438_display, rfc5438_processing };

  test_assert_prefixes_malformed ((TestParseFunc) msrp_imdn_parse, docs, G_N_ELEMENTS (docs));
  {
    g_autoptr(GBytes) nul = g_bytes_new (rfc5438_delivery, sizeof rfc5438_delivery);

    /* with its NUL: not text */
    g_autoptr(GError) error = NULL;
    g_autoptr(MsrpImdn) imdn = msrp_imdn_parse (nul, &error);

    g_assert_null (imdn);
    g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML);
  }
}

static void
test_imdn_limits (void)
{
  g_autoptr(GString) doc = g_string_new (IMDN_OPEN "<message-id>a</message-id>" NOTIF);
  g_autoptr(GString) deep = g_string_new (IMDN_OPEN "<message-id>a</message-id>" NOTIF);
  gsize base = doc->len;

  /* up to 64 KiB, with a long comment */
  g_string_append (doc, "<!--");
  while (doc->len < 64 * 1024 - strlen ("--></imdn>"))
    g_string_append_c (doc, 'x');
  g_string_append (doc, "--></imdn>");
  g_assert_cmpuint (doc->len, ==, 64 * 1024);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MsrpImdn) imdn = parse_string (doc->str, &error);

    g_assert_no_error (error);
  }
  g_string_insert_c (doc, base + 4, 'x');
  assert_malformed (doc->str, doc->len, "65536 bytes");

  /* 32 levels, not 33 */
  for (guint i = 1; i < 32; i++)
    g_string_append (deep, "<e:x xmlns:e='urn:example:x'>");
  for (guint i = 1; i < 32; i++)
    g_string_append (deep, "</e:x>");
  g_string_append (deep, "</imdn>");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MsrpImdn) imdn = parse_string (deep->str, &error);

    g_assert_no_error (error);
  }
  g_string_truncate (deep, 0);
  g_string_append (deep, IMDN_OPEN "<message-id>a</message-id>" NOTIF);
  for (guint i = 1; i < 33; i++)
    g_string_append (deep, "<x>");
  assert_malformed (deep->str, deep->len, "32 levels");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/imdn/rfc5438/delivery", &rfc_examples[0], test_imdn_rfc5438);
  g_test_add_data_func ("/imdn/rfc5438/display", &rfc_examples[1], test_imdn_rfc5438);
  g_test_add_data_func ("/imdn/rfc5438/processing", &rfc_examples[2], test_imdn_rfc5438);
  g_test_add_func ("/imdn/in-cpim", test_imdn_in_cpim);
  g_test_add_func ("/imdn/namespaces", test_imdn_namespaces);
  g_test_add_func ("/imdn/extensions", test_imdn_extensions);
  g_test_add_func ("/imdn/statuses", test_imdn_statuses);
  g_test_add_func ("/imdn/wrong-status/set", test_imdn_wrong_status_is_programming_error);
  g_test_add_func ("/imdn/wrong-status/new", test_imdn_wrong_status_in_new);
  g_test_add_func ("/imdn/build", test_imdn_build);
  TEST_ADD_TABLE ("/imdn/malformed", malformed, test_imdn_malformed);
  g_test_add_func ("/imdn/truncated", test_imdn_truncated);
  g_test_add_func ("/imdn/limits", test_imdn_limits);

  return g_test_run ();
}
