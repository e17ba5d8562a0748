/* test-uri.c: MsrpUri and paths (RFC 4975 section 6)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"
#include "test-utils.h"

/* Valid URIs */

typedef struct {
  const char *str;
  gboolean use_tls;
  const char *user;        /* decoded */
  const char *host;        /* without brackets */
  guint port;
  const char *session_id;
  const char *transport;   /* lower case */
  const char *param_name;  /* one parameter to look up, or NULL */
  const char *param_value;
  const char *canonical;   /* msrp_uri_to_string */
} ValidUri;

static const ValidUri valid_uris[] = {
  /* RFC 4975 section 6 examples. */
  { "msrp://alice.example.com:7394/2s93i9ek2a;tcp", FALSE, NULL, "alice.example.com", 7394,
    "2s93i9ek2a", "tcp", NULL, NULL,
    "msrp://alice.example.com:7394/2s93i9ek2a;tcp" },
  { "msrp://bob.example.com:8493/si438dsaodes;tcp", FALSE, NULL, "bob.example.com", 8493,
    "si438dsaodes", "tcp", NULL, NULL,
    "msrp://bob.example.com:8493/si438dsaodes;tcp" },
  { "msrps://alice.example.com:9892/98cjs;tcp", TRUE, NULL, "alice.example.com", 9892,
    "98cjs", "tcp", NULL, NULL,
    "msrps://alice.example.com:9892/98cjs;tcp" },
  /* A relay's own URI has no session-id (RFC 4976). */
  { "msrps://relay.example.com;tcp", TRUE, NULL, "relay.example.com", 0, NULL, "tcp", NULL, NULL,
    "msrps://relay.example.com;tcp" },
  { "msrps://relay.example.com:2855;tcp", TRUE, NULL, "relay.example.com", 2855, NULL, "tcp", NULL, NULL,
    "msrps://relay.example.com:2855;tcp" },
  /* User part, plain and percent-encoded. */
  { "msrp://alice@example.com:2855/abcd;tcp", FALSE, "alice", "example.com", 2855, "abcd", "tcp", NULL, NULL,
    "msrp://alice@example.com:2855/abcd;tcp" },
  { "msrp://bob%20smith@example.com/abcd;tcp", FALSE, "bob smith", "example.com", 0, "abcd", "tcp", NULL, NULL,
    "msrp://bob%20smith@example.com/abcd;tcp" },
  { "msrp://a%40b@example.com/abcd;tcp", FALSE, "a@b", "example.com", 0, "abcd", "tcp", NULL, NULL,
    "msrp://a%40b@example.com/abcd;tcp" },
  { "msrp://us:er;x@example.com/abcd;tcp", FALSE, "us:er;x", "example.com", 0, "abcd", "tcp", NULL, NULL,
    "msrp://us:er%3Bx@example.com/abcd;tcp" },
  { "msrp://%C3%A9l%C3%A8ve@example.com/abcd;tcp", FALSE, "\xc3\xa9l\xc3\xa8ve", "example.com", 0, "abcd",
    "tcp", NULL, NULL,
    "msrp://%C3%A9l%C3%A8ve@example.com/abcd;tcp" },
  /* IPv4 and IPv6 hosts. */
  { "msrp://192.0.2.1:12763/kjhd37s2s20w2a;tcp", FALSE, NULL, "192.0.2.1", 12763, "kjhd37s2s20w2a", "tcp",
    NULL, NULL,
    "msrp://192.0.2.1:12763/kjhd37s2s20w2a;tcp" },
  { "msrp://[::1]:2855/abcd;tcp", FALSE, NULL, "::1", 2855, "abcd", "tcp", NULL, NULL,
    "msrp://[::1]:2855/abcd;tcp" },
  { "msrp://[2001:db8::1]/abcd;tcp", FALSE, NULL, "2001:db8::1", 0, "abcd", "tcp", NULL, NULL,
    "msrp://[2001:db8::1]/abcd;tcp" },
  { "msrps://user@[2001:db8:0:0:0:0:0:2]:443/x;ws", TRUE, "user", "2001:db8:0:0:0:0:0:2", 443, "x", "ws",
    NULL, NULL,
    "msrps://user@[2001:db8:0:0:0:0:0:2]:443/x;ws" },
  { "msrp://[::ffff:192.0.2.1];tcp", FALSE, NULL, "::ffff:192.0.2.1", 0, NULL, "tcp", NULL, NULL,
    "msrp://[::ffff:192.0.2.1];tcp" },
  /* Ports at the bounds, leading zeros. */
  { "msrp://h:1/s;tcp", FALSE, NULL, "h", 1, "s", "tcp", NULL, NULL, "msrp://h:1/s;tcp" },
  { "msrp://h:65535/s;tcp", FALSE, NULL, "h", 65535, "s", "tcp", NULL, NULL, "msrp://h:65535/s;tcp" },
  { "msrp://h:02855/s;tcp", FALSE, NULL, "h", 2855, "s", "tcp", NULL, NULL, "msrp://h:2855/s;tcp" },
  /* Session-ids as relays make them: '/', '+' and '='. */
  { "msrps://relay.example.net:2855/a+b/c=d==;tcp", TRUE, NULL, "relay.example.net", 2855, "a+b/c=d==",
    "tcp", NULL, NULL,
    "msrps://relay.example.net:2855/a+b/c=d==;tcp" },
  { "msrp://h/Ab-c.d_e~f%2F;tcp", FALSE, NULL, "h", 0, "Ab-c.d_e~f%2F", "tcp", NULL, NULL,
    "msrp://h/Ab-c.d_e~f%2F;tcp" },
  /* Scheme and transport are case-insensitive; written in lower case. */
  { "MSRP://Example.COM:2855/CaSe;TCP", FALSE, NULL, "Example.COM", 2855, "CaSe", "tcp", NULL, NULL,
    "msrp://Example.COM:2855/CaSe;tcp" },
  { "MsRpS://h/s;Ws", TRUE, NULL, "h", 0, "s", "ws", NULL, NULL, "msrps://h/s;ws" },
  /* RFC 7977 WebSocket transport. */
  { "msrps://df7jal23ls0d.invalid/98cjs;ws", TRUE, NULL, "df7jal23ls0d.invalid", 0, "98cjs", "ws",
    NULL, NULL,
    "msrps://df7jal23ls0d.invalid/98cjs;ws" },
  /* Extra parameters are kept. */
  { "msrp://h:99/s;tcp;foo=bar", FALSE, NULL, "h", 99, "s", "tcp", "foo", "bar",
    "msrp://h:99/s;tcp;foo=bar" },
  { "msrp://h/s;tcp;lr;x=1", FALSE, NULL, "h", 0, "s", "tcp", "LR", "",
    "msrp://h/s;tcp;lr;x=1" },
  { "msrp://h/s;tcp;a=1;B=2", FALSE, NULL, "h", 0, "s", "tcp", "b", "2",
    "msrp://h/s;tcp;a=1;B=2" },
  /* Unreserved characters escaped in the host are decoded. */
  { "msrp://ex%61mple.com/s;tcp", FALSE, NULL, "example.com", 0, "s", "tcp", NULL, NULL,
    "msrp://example.com/s;tcp" },
  /* Other transports are tokens of letters and digits. */
  { "msrp://h/s;sctp", FALSE, NULL, "h", 0, "s", "sctp", NULL, NULL, "msrp://h/s;sctp" },
};

static void
check_valid (const ValidUri *t,
             MsrpUri        *uri)
{
  g_assert_cmpint (msrp_uri_get_use_tls (uri), ==, t->use_tls);
  g_assert_cmpstr (msrp_uri_get_user (uri), ==, t->user);
  g_assert_cmpstr (msrp_uri_get_host (uri), ==, t->host);
  g_assert_cmpuint (msrp_uri_get_port (uri), ==, t->port);
  g_assert_cmpstr (msrp_uri_get_session_id (uri), ==, t->session_id);
  g_assert_cmpstr (msrp_uri_get_transport (uri), ==, t->transport);
  if (t->param_name != NULL)
    g_assert_cmpstr (msrp_uri_get_parameter (uri, t->param_name), ==, t->param_value);
  g_assert_null (msrp_uri_get_parameter (uri, "nosuchparam"));
}

static void
test_uri_valid (gconstpointer data)
{
  const ValidUri *t = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpUri) uri = NULL;
  g_autoptr(MsrpUri) again = NULL;
  g_autoptr(MsrpUri) third = NULL;
  g_autofree char *str = NULL;
  g_autofree char *str2 = NULL;

  uri = msrp_uri_parse (t->str, &error);
  g_assert_no_error (error);
  g_assert_nonnull (uri);
  check_valid (t, uri);

  /* parse -> to_string -> parse gives an equal URI with the same parts. */
  str = msrp_uri_to_string (uri);
  g_assert_cmpstr (str, ==, t->canonical);
  again = msrp_uri_parse (str, &error);
  g_assert_no_error (error);
  check_valid (t, again);
  g_assert_true (msrp_uri_equal (uri, again));
  g_assert_true (msrp_uri_equal (again, uri));
  g_assert_cmpuint (msrp_uri_hash (uri), ==, msrp_uri_hash (again));

  /* The canonical form is a fixed point. */
  str2 = msrp_uri_to_string (again);
  g_assert_cmpstr (str2, ==, str);

  /* The construct properties give the same URI back. */
  third = g_object_new (MSRP_TYPE_URI,
                        "host", msrp_uri_get_host (uri),
                        "port", msrp_uri_get_port (uri),
                        "user", msrp_uri_get_user (uri),
                        "session-id", msrp_uri_get_session_id (uri),
                        "transport", msrp_uri_get_transport (uri),
                        "use-tls", msrp_uri_get_use_tls (uri),
                        NULL);
  g_assert_true (msrp_uri_equal (uri, third));
  g_assert_cmpuint (msrp_uri_hash (uri), ==, msrp_uri_hash (third));
}

static void
test_uri_parameter_names (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpUri) uri = NULL;
  g_autoptr(MsrpUri) plain = NULL;
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) none = NULL;
  const char *const expected[] = { "foo", "lr", "Bar", NULL };

  uri = msrp_uri_parse ("msrp://h/s;tcp;foo=1;lr;Bar=x-y", &error);
  g_assert_no_error (error);
  names = msrp_uri_get_parameter_names (uri);
  g_assert_true (g_strv_equal ((const char *const *) names, expected));
  g_assert_cmpstr (msrp_uri_get_parameter (uri, "foo"), ==, "1");
  g_assert_cmpstr (msrp_uri_get_parameter (uri, "lr"), ==, "");
  g_assert_cmpstr (msrp_uri_get_parameter (uri, "bar"), ==, "x-y");
  /* The transport is not a parameter. */
  g_assert_null (msrp_uri_get_parameter (uri, "tcp"));

  plain = msrp_uri_parse ("msrp://h/s;tcp", &error);
  g_assert_no_error (error);
  none = msrp_uri_get_parameter_names (plain);
  g_assert_nonnull (none);
  g_assert_null (none[0]);
}

/* Invalid URIs */

typedef struct {
  const char *str;
  const char *word;   /* the message says which part is wrong */
} InvalidUri;

static const InvalidUri invalid_uris[] = {
  { "", "scheme" },
  { "http://example.com/s;tcp", "scheme" },
  { "sip:alice@example.com", "scheme" },
  { "msrp:example.com/s;tcp", "scheme" },
  { "msrp:/example.com/s;tcp", "scheme" },
  { "msrpx://example.com/s;tcp", "scheme" },
  { "msrp://example.com/s", "transport" },
  { "msrp://example.com:2855/s", "transport" },
  { "msrp://example.com", "transport" },
  { "msrp://example.com/s;", "transport" },
  { "msrp://example.com/s;t-c-p", "transport" },
  { "msrp://example.com/s;tcp/x", "transport" },
  { "msrp://example.com:0/s;tcp", "port" },
  { "msrp://example.com:65536/s;tcp", "port" },
  { "msrp://example.com:99999/s;tcp", "port" },
  { "msrp://example.com:/s;tcp", "port" },
  { "msrp://example.com:;tcp", "port" },
  { "msrp://example.com:x/s;tcp", "port" },
  { "msrp://example.com:-1/s;tcp", "port" },
  { "msrp://example.com:1234567/s;tcp", "port" },
  { "msrp://example.com:0000002855/s;tcp", "port" },
  { "msrp:///s;tcp", "host" },
  { "msrp://:2855/s;tcp", "host" },
  { "msrp://;tcp", "host" },
  { "msrp://alice@/s;tcp", "host" },
  { "msrp://exa mple.com/s;tcp", "host" },
  { "msrp://exa\"mple.com/s;tcp", "host" },
  { "msrp://exa<mple.com/s;tcp", "host" },
  { "msrp://ex%6/s;tcp", "host" },
  { "msrp://ex\xc3\xa9.com/s;tcp", "host" },
  { "msrp://[::1/s;tcp", "IPv6" },
  { "msrp://[::g]/s;tcp", "IPv6" },
  { "msrp://[192.0.2.1]/s;tcp", "IPv6" },
  { "msrp://[fe80::1%25eth0]/s;tcp", "IPv6" },
  { "msrp://[]/s;tcp", "IPv6" },
  { "msrp://[::1]x/s;tcp", "host" },
  { "msrp://example.com/;tcp", "session-id" },
  { "msrp://example.com/a b;tcp", "session-id" },
  { "msrp://example.com/a?b;tcp", "session-id" },
  { "msrp://example.com/a%zzb;tcp", "session-id" },
  { "msrp://example.com/a#b;tcp", "session-id" },
  { "msrp://example.com/a\xc3\xa9;tcp", "session-id" },
  { "msrp://@example.com/s;tcp", "user" },
  { "msrp://a b@example.com/s;tcp", "user" },
  { "msrp://a%00b@example.com/s;tcp", "user" },
  { "msrp://a%FFb@example.com/s;tcp", "user" },
  { "msrp://example.com/s;tcp;", "parameter" },
  { "msrp://example.com/s;tcp;a=", "parameter" },
  { "msrp://example.com/s;tcp;=b", "parameter" },
  { "msrp://example.com/s;tcp;a=b=c", "parameter" },
  { "msrp://example.com/s;tcp;a b", "parameter" },
};

static void
test_uri_invalid (gconstpointer data)
{
  const InvalidUri *t = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpUri) uri = NULL;

  uri = msrp_uri_parse (t->str, &error);
  g_assert_null (uri);
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_INVALID_URI);
  if (strstr (error->message, t->word) == NULL)
    g_error ("The error for “%s” does not mention “%s”: %s", t->str, t->word, error->message);
}

static void
test_uri_invalid_message_printable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpUri) uri = NULL;
  g_autofree char *long_uri = NULL;
  g_autofree char *many = g_strnfill (5000, 'a');

  /* Control characters from the network are not echoed as they are. */
  uri = msrp_uri_parse ("msrp://exa\r\nmple.com/s;tcp", &error);
  g_assert_null (uri);
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_INVALID_URI);
  g_assert_null (strchr (error->message, '\r'));
  g_assert_null (strchr (error->message, '\n'));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);

  /* Invalid UTF-8 is not echoed either, and a huge URI is cut short. */
  long_uri = g_strdup_printf ("msrp://h/%s\xff;tcp", many);
  uri = msrp_uri_parse (long_uri, &error);
  g_assert_null (uri);
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_INVALID_URI);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpuint (strlen (error->message), <, 1000);
}

/* Comparison: RFC 4975 section 6.1 */

typedef struct {
  const char *a;
  const char *b;
  gboolean equal;
  const char *rule;
} EqualCase;

static const EqualCase equal_cases[] = {
  /* Identical. */
  { "msrp://example.com:2855/s1;tcp", "msrp://example.com:2855/s1;tcp", TRUE, "identical" },
  /* The scheme is case-insensitive... */
  { "MSRP://example.com:2855/s1;tcp", "msrp://example.com:2855/s1;tcp", TRUE, "scheme case" },
  { "msrpS://example.com/s1;tcp", "MSRPs://example.com/s1;tcp", TRUE, "scheme case (msrps)" },
  /* ...but msrp and msrps differ. */
  { "msrps://example.com:2855/s1;tcp", "msrp://example.com:2855/s1;tcp", FALSE, "scheme" },
  /* The user part is ignored. */
  { "msrp://alice@example.com:2855/s1;tcp", "msrp://example.com:2855/s1;tcp", TRUE, "user ignored" },
  { "msrp://alice@example.com:2855/s1;tcp", "msrp://bob@example.com:2855/s1;tcp", TRUE, "user ignored" },
  { "msrp://Alice@example.com/s1;tcp", "msrp://alice@example.com/s1;tcp", TRUE, "user ignored" },
  /* The host is case-insensitive, after decoding unreserved characters. */
  { "msrp://EXAMPLE.com:2855/s1;tcp", "msrp://example.COM:2855/s1;tcp", TRUE, "host case" },
  { "msrp://ex%61mple.com/s1;tcp", "msrp://example.com/s1;tcp", TRUE, "host %-decoding" },
  { "msrp://ex%41mple.com/s1;tcp", "msrp://example.com/s1;tcp", TRUE, "host %-decoding and case" },
  { "msrp://%65%78ample.com/s1;tcp", "msrp://EXAMPLE.COM/s1;tcp", TRUE, "host %-decoding and case" },
  { "msrp://a%2Db.com/s1;tcp", "msrp://a-b.com/s1;tcp", TRUE, "host %-decoding of '-'" },
  { "msrp://a%2ab.com/s1;tcp", "msrp://a%2Ab.com/s1;tcp", TRUE, "host escape of a reserved char, hex case" },
  { "msrp://[2001:DB8::1]/s1;tcp", "msrp://[2001:db8::1]/s1;tcp", TRUE, "IPv6 host case" },
  { "msrp://example.com/s1;tcp", "msrp://example.org/s1;tcp", FALSE, "host" },
  { "msrp://example.com/s1;tcp", "msrp://example.com./s1;tcp", FALSE, "host" },
  { "msrp://192.0.2.1/s1;tcp", "msrp://192.0.2.2/s1;tcp", FALSE, "host" },
  /* A URI with an explicit port never equals one without, even the default. */
  { "msrp://example.com:2855/s1;tcp", "msrp://example.com/s1;tcp", FALSE, "explicit vs absent port" },
  { "msrp://example.com/s1;tcp", "msrp://example.com:2855/s1;tcp", FALSE, "absent vs explicit port" },
  { "msrp://example.com:2855/s1;tcp", "msrp://example.com:2856/s1;tcp", FALSE, "port" },
  { "msrp://example.com:02855/s1;tcp", "msrp://example.com:2855/s1;tcp", TRUE, "port is a number" },
  /* The session-id is case-sensitive... */
  { "msrp://example.com/abcd;tcp", "msrp://example.com/ABCD;tcp", FALSE, "session-id case" },
  { "msrp://example.com/abcd;tcp", "msrp://example.com/abce;tcp", FALSE, "session-id" },
  { "msrp://example.com/a+b=;tcp", "msrp://example.com/a+b=;tcp", TRUE, "session-id with + and =" },
  /* ...and a URI with one never equals one without. */
  { "msrp://example.com/abcd;tcp", "msrp://example.com;tcp", FALSE, "session-id present vs absent" },
  { "msrps://relay.example.com;tcp", "msrps://relay.example.com;tcp", TRUE, "both without session-id" },
  /* The transport is case-insensitive and must match. */
  { "msrp://example.com/s1;TCP", "msrp://example.com/s1;tcp", TRUE, "transport case" },
  { "msrp://example.com/s1;Ws", "msrp://example.com/s1;wS", TRUE, "transport case" },
  { "msrp://example.com/s1;tcp", "msrp://example.com/s1;ws", FALSE, "transport" },
  { "msrp://example.com/s1;tcp", "msrp://example.com/s1;sctp", FALSE, "transport" },
  /* Other parameters are ignored. */
  { "msrp://example.com/s1;tcp;foo=bar", "msrp://example.com/s1;tcp", TRUE, "parameters ignored" },
  { "msrp://example.com/s1;tcp;foo=bar", "msrp://example.com/s1;tcp;foo=baz;x", TRUE, "parameters ignored" },
  /* Everything at once. */
  { "MSRPS://u1@EX%61MPLE.com:9/Sid;TCP;a=b", "msrps://u2@example.COM:9/Sid;tcp", TRUE, "all rules" },
};

static void
test_uri_equal (gconstpointer data)
{
  const EqualCase *t = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpUri) a = NULL;
  g_autoptr(MsrpUri) b = NULL;

  a = msrp_uri_parse (t->a, &error);
  g_assert_no_error (error);
  b = msrp_uri_parse (t->b, &error);
  g_assert_no_error (error);

  if (msrp_uri_equal (a, b) != t->equal || msrp_uri_equal (b, a) != t->equal)
    g_error ("%s: “%s” and “%s” should%s be equal", t->rule, t->a, t->b, t->equal ? "" : " not");
  /* Reflexive. */
  g_assert_true (msrp_uri_equal (a, a));
  g_assert_true (msrp_uri_equal (b, b));
  /* Equal URIs hash alike. */
  if (t->equal)
    g_assert_cmpuint (msrp_uri_hash (a), ==, msrp_uri_hash (b));
}

static void
test_uri_hash_table (void)
{
  g_autoptr(GHashTable) table = NULL;
  g_autoptr(GError) error = NULL;
  const char *keys[] = {
    "msrp://example.com:2855/s1;tcp",
    "msrp://example.com/s1;tcp",
    "msrp://example.com/S1;tcp",
    "msrps://example.com/s1;tcp",
    "msrp://example.com/s1;ws",
    "msrp://example.com;tcp",
  };
  const struct {
    const char *lookup;
    int index;   /* -1: not found */
  } lookups[] = {
    { "MSRP://bob@EXAMPLE.com:2855/s1;TCP;x=y", 0 },
    { "msrp://ex%61mple.com/s1;tcp", 1 },
    { "msrp://Example.com/S1;Tcp", 2 },
    { "msrpS://example.com/s1;tcp", 3 },
    { "msrp://example.com/s1;WS", 4 },
    { "msrp://user@example.com;tcp;lr", 5 },
    { "msrp://example.com:2856/s1;tcp", -1 },
    { "msrp://example.com/s2;tcp", -1 },
    { "msrps://example.com;tcp", -1 },
  };

  table = g_hash_table_new_full ((GHashFunc) msrp_uri_hash, (GEqualFunc) msrp_uri_equal,
                                 g_object_unref, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      MsrpUri *uri = msrp_uri_parse (keys[i], &error);

      g_assert_no_error (error);
      g_assert_true (g_hash_table_insert (table, uri, GINT_TO_POINTER (i + 1)));
    }
  /* Every key is distinct. */
  g_assert_cmpuint (g_hash_table_size (table), ==, G_N_ELEMENTS (keys));

  for (guint i = 0; i < G_N_ELEMENTS (lookups); i++)
    {
      g_autoptr(MsrpUri) uri = msrp_uri_parse (lookups[i].lookup, &error);
      gpointer value;

      g_assert_no_error (error);
      value = g_hash_table_lookup (table, uri);
      if (GPOINTER_TO_INT (value) - 1 != lookups[i].index)
        g_error ("Looking up “%s” found entry %d, expected %d",
                 lookups[i].lookup, GPOINTER_TO_INT (value) - 1, lookups[i].index);
    }

  /* Inserting an equal key replaces nothing new. */
  {
    MsrpUri *dup = msrp_uri_parse ("msrp://EXAMPLE.COM/s1;tcp", &error);

    g_assert_no_error (error);
    g_assert_false (g_hash_table_insert (table, dup, GINT_TO_POINTER (100)));
    g_assert_cmpuint (g_hash_table_size (table), ==, G_N_ELEMENTS (keys));
  }
}

/* msrp_uri_new */

static void
test_uri_new (void)
{
  g_autoptr(MsrpUri) a = NULL;
  g_autoptr(MsrpUri) b = NULL;
  g_autoptr(MsrpUri) c = NULL;
  g_autoptr(MsrpUri) v6 = NULL;
  g_autoptr(MsrpUri) v6parsed = NULL;
  g_autoptr(MsrpUri) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *str = NULL;
  g_autofree char *v6str = NULL;
  const char *sid;

  a = msrp_uri_new ("example.com", 7394, NULL, FALSE);
  b = msrp_uri_new ("example.com", 7394, NULL, FALSE);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  sid = msrp_uri_get_session_id (a);
  g_assert_nonnull (sid);
  g_assert_cmpuint (strlen (sid), >=, 10);
  for (const char *p = sid; *p; p++)
    g_assert_true (g_ascii_isalnum (*p));
  /* Random session-ids: two new URIs differ. */
  g_assert_cmpstr (sid, !=, msrp_uri_get_session_id (b));
  g_assert_false (msrp_uri_equal (a, b));

  g_assert_cmpstr (msrp_uri_get_host (a), ==, "example.com");
  g_assert_cmpuint (msrp_uri_get_port (a), ==, 7394);
  g_assert_cmpstr (msrp_uri_get_transport (a), ==, "tcp");
  g_assert_false (msrp_uri_get_use_tls (a));
  g_assert_null (msrp_uri_get_user (a));

  str = msrp_uri_to_string (a);
  parsed = msrp_uri_parse (str, &error);
  g_assert_no_error (error);
  g_assert_true (msrp_uri_equal (a, parsed));
  g_assert_cmpuint (msrp_uri_hash (a), ==, msrp_uri_hash (parsed));

  c = msrp_uri_new ("relay.example.com", 0, "a+b/c=", TRUE);
  g_assert_cmpstr (msrp_uri_get_session_id (c), ==, "a+b/c=");
  g_assert_true (msrp_uri_get_use_tls (c));
  g_assert_cmpuint (msrp_uri_get_port (c), ==, 0);
  g_free (str);
  str = msrp_uri_to_string (c);
  g_assert_cmpstr (str, ==, "msrps://relay.example.com/a+b/c=;tcp");

  /* IPv6 addresses are given without brackets and written with them. */
  v6 = msrp_uri_new ("2001:db8::7", 2855, "abc", FALSE);
  v6str = msrp_uri_to_string (v6);
  g_assert_cmpstr (v6str, ==, "msrp://[2001:db8::7]:2855/abc;tcp");
  v6parsed = msrp_uri_parse ("MSRP://user@[2001:DB8::7]:2855/abc;TCP", &error);
  g_assert_no_error (error);
  g_assert_true (msrp_uri_equal (v6, v6parsed));
  g_assert_cmpuint (msrp_uri_hash (v6), ==, msrp_uri_hash (v6parsed));
}

static void
test_uri_properties (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpUri) uri = NULL;
  g_autofree char *host = NULL, *user = NULL, *sid = NULL, *transport = NULL;
  guint port;
  gboolean use_tls;

  uri = msrp_uri_parse ("msrps://al%69ce@[::1]:99/x/y;WS", &error);
  g_assert_no_error (error);
  g_object_get (uri,
                "host", &host,
                "port", &port,
                "user", &user,
                "session-id", &sid,
                "transport", &transport,
                "use-tls", &use_tls,
                NULL);
  g_assert_cmpstr (host, ==, "::1");
  g_assert_cmpuint (port, ==, 99);
  g_assert_cmpstr (user, ==, "alice");
  g_assert_cmpstr (sid, ==, "x/y");
  g_assert_cmpstr (transport, ==, "ws");
  g_assert_true (use_tls);
}

/* Paths */

typedef struct {
  const char *str;
  guint len;
  const char *canonical;
} PathCase;

static const PathCase path_cases[] = {
  { "msrp://alice.example.com:7394/2s93i9ek2a;tcp", 1,
    "msrp://alice.example.com:7394/2s93i9ek2a;tcp" },
  { "msrps://relay.example.com:2855/r1;tcp msrp://bob.example.com:8493/si438dsaodes;tcp", 2,
    "msrps://relay.example.com:2855/r1;tcp msrp://bob.example.com:8493/si438dsaodes;tcp" },
  { "msrps://r1.example.com/a+b/c=;tcp msrps://r2.example.com/d==;tcp msrp://[::1]:9/s;tcp", 3,
    "msrps://r1.example.com/a+b/c=;tcp msrps://r2.example.com/d==;tcp msrp://[::1]:9/s;tcp" },
  /* Several spaces, tabs, leading and trailing blanks. */
  { "  msrp://a.example.com/s1;tcp    msrp://b.example.com/s2;TCP  ", 2,
    "msrp://a.example.com/s1;tcp msrp://b.example.com/s2;tcp" },
  { "msrp://a.example.com/s1;tcp\tmsrp://b.example.com/s2;tcp", 2,
    "msrp://a.example.com/s1;tcp msrp://b.example.com/s2;tcp" },
};

static void
test_path_valid (gconstpointer data)
{
  const PathCase *t = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) path = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *str = NULL;
  g_auto(GStrv) parts = NULL;

  path = msrp_path_parse (t->str, &error);
  g_assert_no_error (error);
  g_assert_nonnull (path);
  g_assert_cmpuint (path->len, ==, t->len);

  /* Each element is the URI parsed on its own. */
  parts = g_strsplit (t->canonical, " ", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, t->len);
  for (guint i = 0; i < path->len; i++)
    {
      g_autoptr(MsrpUri) one = msrp_uri_parse (parts[i], &error);

      g_assert_no_error (error);
      g_assert_true (MSRP_IS_URI (g_ptr_array_index (path, i)));
      g_assert_true (msrp_uri_equal (one, g_ptr_array_index (path, i)));
    }

  str = msrp_path_to_string (path);
  g_assert_cmpstr (str, ==, t->canonical);

  again = msrp_path_parse (str, &error);
  g_assert_no_error (error);
  g_assert_true (msrp_path_equal (path, again));
  g_assert_true (msrp_path_equal (again, path));
}

static void
test_path_equal (void)
{
  const struct {
    const char *a;
    const char *b;
    gboolean equal;
  } cases[] = {
    { "msrp://a/s;tcp", "msrp://A/s;TCP;x=1", TRUE },
    { "msrp://a/s;tcp msrp://b/t;tcp", "MSRP://u@a/s;tcp msrp://B/t;tcp", TRUE },
    { "msrp://a/s;tcp msrp://b/t;tcp", "msrp://b/t;tcp msrp://a/s;tcp", FALSE },
    { "msrp://a/s;tcp msrp://b/t;tcp", "msrp://a/s;tcp", FALSE },
    { "msrp://a/s;tcp", "msrp://a/s;tcp msrp://b/t;tcp", FALSE },
    { "msrp://a/s;tcp msrp://b/t;tcp", "msrp://a/s;tcp msrp://b:2855/t;tcp", FALSE },
    { "msrp://a/s;tcp msrp://b/t;tcp msrp://c/u;tcp", "msrp://a/s;tcp msrp://b/t;tcp msrp://c/U;tcp", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) a = msrp_path_parse (cases[i].a, &error);
      g_autoptr(GPtrArray) b = NULL;

      g_assert_no_error (error);
      b = msrp_path_parse (cases[i].b, &error);
      g_assert_no_error (error);
      if (msrp_path_equal (a, b) != cases[i].equal || msrp_path_equal (b, a) != cases[i].equal)
        g_error ("Paths “%s” and “%s” should%s be equal", cases[i].a, cases[i].b,
                 cases[i].equal ? "" : " not");
    }
}

static void
test_path_invalid (void)
{
  const struct {
    const char *str;
    const char *words[3];
  } cases[] = {
    { "", { "empty", NULL } },
    { "   ", { "empty", NULL } },
    { "\t \t", { "empty", NULL } },
    { "msrp://a/s;tcp http://b/t;tcp", { "URI 2", "scheme", NULL } },
    { "msrp://a/s;tcp msrp://b:0/t;tcp msrp://c/u;tcp", { "URI 2", "port", NULL } },
    { "msrp://a/s;tcp  msrp://b/t", { "URI 2", "transport", NULL } },
    { "msrp://a/;tcp msrp://b/t;tcp", { "URI 1", "session-id", NULL } },
    { "msrp://a/s;tcp msrp://b/t;tcp msrp://c d/u;tcp", { "URI 3", "transport", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) path = msrp_path_parse (cases[i].str, &error);

      g_assert_null (path);
      g_assert_error (error, MSRP_ERROR, MSRP_ERROR_INVALID_URI);
      for (guint w = 0; cases[i].words[w] != NULL; w++)
        if (strstr (error->message, cases[i].words[w]) == NULL)
          g_error ("The error for path “%s” does not mention “%s”: %s",
                   cases[i].str, cases[i].words[w], error->message);
    }
}

static void
test_path_position_in_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) path = NULL;

  /* The message names the URI's position: "URI 2 of the path". */
  path = msrp_path_parse ("msrp://a/s;tcp msrp://b:65536/t;tcp", &error);
  g_assert_null (path);
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_INVALID_URI);
  g_assert_nonnull (strstr (error->message, "URI 2"));
  g_assert_null (strstr (error->message, "URI 1"));
  g_assert_nonnull (strstr (error->message, "msrp://b:65536/t;tcp"));
  g_assert_nonnull (strstr (error->message, "port"));
}

static char *
case_name (const char *prefix,
           guint       i,
           const char *what)
{
  GString *s = g_string_new (prefix);

  g_string_append_printf (s, "/%02u-", i);
  /* Test paths may not hold every character: keep it readable and safe. */
  for (const char *p = what; *p && s->len < 80; p++)
    g_string_append_c (s, g_ascii_isalnum (*p) || *p == '.' || *p == '-' ? *p : '_');
  return g_string_free (s, FALSE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (valid_uris); i++)
    {
      g_autofree char *name = case_name ("/uri/valid", i, valid_uris[i].str);
      g_test_add_data_func (name, &valid_uris[i], test_uri_valid);
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid_uris); i++)
    {
      g_autofree char *name = case_name ("/uri/invalid", i, invalid_uris[i].word);
      g_test_add_data_func (name, &invalid_uris[i], test_uri_invalid);
    }
  for (guint i = 0; i < G_N_ELEMENTS (equal_cases); i++)
    {
      g_autofree char *name = case_name ("/uri/equal", i, equal_cases[i].rule);
      g_test_add_data_func (name, &equal_cases[i], test_uri_equal);
    }
  g_test_add_func ("/uri/invalid-message-printable", test_uri_invalid_message_printable);
  g_test_add_func ("/uri/parameter-names", test_uri_parameter_names);
  g_test_add_func ("/uri/hash-table", test_uri_hash_table);
  g_test_add_func ("/uri/new", test_uri_new);
  g_test_add_func ("/uri/properties", test_uri_properties);

  TEST_ADD_NUMBERED ("/path/valid", path_cases, test_path_valid);
  g_test_add_func ("/path/equal", test_path_equal);
  g_test_add_func ("/path/invalid", test_path_invalid);
  g_test_add_func ("/path/position-in-message", test_path_position_in_message);

  return g_test_run ();
}
