/* test-tls.c: self-signed certificates, fingerprints, and a real handshake
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "msrp-glib.h"
#include "test-utils.h"

#define HANDSHAKE_TIMEOUT_SECONDS 20

/* Certificates take a key generation each: the tests share a few. */
static GTlsCertificate *cert_a;
static GTlsCertificate *cert_b;
static GTlsCertificate *cert_c;

static GByteArray *
get_der (GTlsCertificate *cert)
{
  GByteArray *der = NULL;

  g_object_get (cert, "certificate", &der, NULL);
  g_assert_nonnull (der);
  return der;
}

/* The certificate as GnuTLS sees it, to check its fields one by one. */
static gnutls_x509_crt_t
import_crt (GTlsCertificate *cert)
{
  g_autoptr(GByteArray) der = get_der (cert);
  gnutls_datum_t datum = { der->data, der->len };
  gnutls_x509_crt_t crt;

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER), ==, 0);
  return crt;
}

static gboolean
crt_has_key_purpose (gnutls_x509_crt_t  crt,
                     const char        *oid)
{
  for (guint i = 0;; i++)
    {
      char buf[128];
      size_t size = sizeof buf;
      int ret = gnutls_x509_crt_get_key_purpose_oid (crt, i, buf, &size, NULL);

      if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
        return FALSE;
      g_assert_cmpint (ret, ==, 0);
      if (strcmp (buf, oid) == 0)
        return TRUE;
    }
}

/* Self-signed certificates */

static void
test_self_signed_fields (void)
{
  gnutls_x509_crt_t crt = import_crt (cert_a);
  g_autofree char *cert_pem = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autoptr(GPtrArray) dns_names = NULL;
  g_autoptr(GPtrArray) ip_addresses = NULL;
  g_autoptr(GTlsCertificate) reparsed = NULL;
  g_autoptr(GError) error = NULL;
  guint8 serial[64];
  size_t serial_size = sizeof serial;
  unsigned int critical = 0, ca = 1, key_usage = 0;
  int pathlen;
  gsize len;

  /* Certificate and private key, in PEM that GIO reads back. */
  g_object_get (cert_a, "certificate-pem", &cert_pem, "private-key-pem", &key_pem, NULL);
  g_assert_true (g_str_has_prefix (cert_pem, "-----BEGIN CERTIFICATE-----\n"));
  g_assert_true (g_str_has_suffix (cert_pem, "-----END CERTIFICATE-----\n"));
  g_assert_nonnull (key_pem);
  g_assert_nonnull (strstr (key_pem, "-----BEGIN PRIVATE KEY-----"));
  reparsed = g_tls_certificate_new_from_pem (cert_pem, -1, &error);
  g_assert_no_error (error);
  g_assert_true (g_tls_certificate_is_same (reparsed, cert_a));

  /* Subject and issuer are the common name: self-signed. */
  subject = g_tls_certificate_get_subject_name (cert_a);
  issuer = g_tls_certificate_get_issuer_name (cert_a);
  g_assert_cmpstr (subject, ==, "CN=msrp-a.example.com");
  g_assert_cmpstr (issuer, ==, "CN=msrp-a.example.com");
  g_assert_cmpint (gnutls_x509_crt_check_issuer (crt, crt), ==, 1);

  /* Valid now (from a day ago), and for years. */
  not_before = g_tls_certificate_get_not_valid_before (cert_a);
  not_after = g_tls_certificate_get_not_valid_after (cert_a);
  g_assert_nonnull (not_before);
  g_assert_nonnull (not_after);
  g_assert_cmpint (g_date_time_difference (now, not_before), >=, 23 * G_TIME_SPAN_HOUR);
  g_assert_cmpint (g_date_time_difference (now, not_before), <=, 25 * G_TIME_SPAN_HOUR);
  g_assert_cmpint (g_date_time_difference (not_after, now), >=, 9 * 365 * G_TIME_SPAN_DAY);
  g_assert_cmpint (g_date_time_difference (not_after, now), <=, 11 * 365 * G_TIME_SPAN_DAY);

  /* The host name is the subjectAltName. */
  dns_names = g_tls_certificate_get_dns_names (cert_a);
  g_assert_nonnull (dns_names);
  g_assert_cmpuint (dns_names->len, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (dns_names, 0), &len), len,
                   "msrp-a.example.com", strlen ("msrp-a.example.com"));
  ip_addresses = g_tls_certificate_get_ip_addresses (cert_a);
  g_assert_true (ip_addresses == NULL || ip_addresses->len == 0);
  g_assert_cmpint (gnutls_x509_crt_check_hostname (crt, "msrp-a.example.com"), !=, 0);
  g_assert_cmpint (gnutls_x509_crt_check_hostname (crt, "other.example.com"), ==, 0);

  /* X.509 v3, ECDSA P-256, an end entity for TLS servers and clients. */
  g_assert_cmpint (gnutls_x509_crt_get_version (crt), ==, 3);
  g_assert_cmpint (gnutls_x509_crt_get_pk_algorithm (crt, NULL), ==, GNUTLS_PK_ECDSA);
  g_assert_cmpint (gnutls_x509_crt_get_signature_algorithm (crt), ==, GNUTLS_SIGN_ECDSA_SHA256);
  g_assert_cmpint (gnutls_x509_crt_get_key_usage (crt, &key_usage, &critical), >=, 0);
  g_assert_cmpuint (key_usage, ==, GNUTLS_KEY_DIGITAL_SIGNATURE);
  g_assert_cmpint (gnutls_x509_crt_get_basic_constraints (crt, &critical, &ca, &pathlen), >=, 0);
  g_assert_cmpuint (ca, ==, 0);
  g_assert_true (crt_has_key_purpose (crt, GNUTLS_KP_TLS_WWW_SERVER));
  g_assert_true (crt_has_key_purpose (crt, GNUTLS_KP_TLS_WWW_CLIENT));

  /* A positive 16-byte random serial number. */
  g_assert_cmpint (gnutls_x509_crt_get_serial (crt, serial, &serial_size), ==, 0);
  g_assert_cmpuint (serial_size, ==, 16);
  g_assert_cmpuint (serial[0] & 0x80, ==, 0);

  gnutls_x509_crt_deinit (crt);
}

static void
test_self_signed_unique (void)
{
  gnutls_x509_crt_t crt_a = import_crt (cert_a);
  gnutls_x509_crt_t crt_b = import_crt (cert_b);
  guint8 serial_a[32], serial_b[32];
  size_t size_a = sizeof serial_a, size_b = sizeof serial_b;

  /* A new key and a new serial number each time. */
  g_assert_false (g_tls_certificate_is_same (cert_a, cert_b));
  g_assert_cmpint (gnutls_x509_crt_get_serial (crt_a, serial_a, &size_a), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_get_serial (crt_b, serial_b, &size_b), ==, 0);
  g_assert_false (size_a == size_b && memcmp (serial_a, serial_b, size_a) == 0);

  gnutls_x509_crt_deinit (crt_a);
  gnutls_x509_crt_deinit (crt_b);
}

static void
test_self_signed_ip (gconstpointer data)
{
  const char *ip = data;
  g_autoptr(GTlsCertificate) cert = test_certificate_new (ip);
  g_autoptr(GPtrArray) ip_addresses = g_tls_certificate_get_ip_addresses (cert);
  g_autoptr(GPtrArray) dns_names = g_tls_certificate_get_dns_names (cert);
  g_autoptr(GInetAddress) expected = g_inet_address_new_from_string (ip);
  g_autofree char *subject = g_tls_certificate_get_subject_name (cert);
  g_autofree char *expected_subject = g_strconcat ("CN=", ip, NULL);
  gnutls_x509_crt_t crt = import_crt (cert);

  g_assert_cmpstr (subject, ==, expected_subject);
  /* An address goes in an iPAddress entry, not in a dNSName. */
  g_assert_nonnull (ip_addresses);
  g_assert_cmpuint (ip_addresses->len, ==, 1);
  g_assert_true (g_inet_address_equal (g_ptr_array_index (ip_addresses, 0), expected));
  g_assert_true (dns_names == NULL || dns_names->len == 0);
  g_assert_cmpint (gnutls_x509_crt_check_ip (crt, g_inet_address_to_bytes (expected),
                                             g_inet_address_get_native_size (expected), 0), !=, 0);

  gnutls_x509_crt_deinit (crt);
}

static void
test_self_signed_names (void)
{
  const struct {
    const char *common_name;
    const char *subject;
    const char *dns_name;   /* NULL: no subjectAltName */
  } cases[] = {
    { "localhost", "CN=localhost", "localhost" },
    { "Alice Example", "CN=Alice Example", NULL },
    { "bücher.example", "CN=bücher.example", "xn--bcher-kva.example" },
    { "-bad-.example", "CN=-bad-.example", NULL },
    { "a..b", "CN=a..b", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GTlsCertificate) cert = test_certificate_new (cases[i].common_name);
      g_autoptr(GPtrArray) dns_names = g_tls_certificate_get_dns_names (cert);
      g_autoptr(GPtrArray) ip_addresses = g_tls_certificate_get_ip_addresses (cert);
      g_autofree char *subject = g_tls_certificate_get_subject_name (cert);

      g_test_message ("common name “%s”", cases[i].common_name);
      g_assert_cmpstr (subject, ==, cases[i].subject);
      g_assert_true (ip_addresses == NULL || ip_addresses->len == 0);
      if (cases[i].dns_name == NULL)
        g_assert_true (dns_names == NULL || dns_names->len == 0);
      else
        {
          gsize len;
          const void *name;

          g_assert_nonnull (dns_names);
          g_assert_cmpuint (dns_names->len, ==, 1);
          name = g_bytes_get_data (g_ptr_array_index (dns_names, 0), &len);
          g_assert_cmpmem (name, len, cases[i].dns_name, strlen (cases[i].dns_name));
        }
    }
}

/* Fingerprints */

static const struct {
  GChecksumType type;
  const char *name;
  gnutls_digest_algorithm_t digest;
  guint length;
} hashes[] = {
  { G_CHECKSUM_SHA256, "sha-256", GNUTLS_DIG_SHA256, 32 },
  { G_CHECKSUM_SHA1, "sha-1", GNUTLS_DIG_SHA1, 20 },
  { G_CHECKSUM_SHA384, "sha-384", GNUTLS_DIG_SHA384, 48 },
  { G_CHECKSUM_SHA512, "sha-512", GNUTLS_DIG_SHA512, 64 },
  { G_CHECKSUM_MD5, "md5", GNUTLS_DIG_MD5, 16 },
};

/* The fingerprint as GnuTLS computes it, formatted by hand. */
static char *
reference_fingerprint (GTlsCertificate           *cert,
                       const char                *name,
                       gnutls_digest_algorithm_t  digest)
{
  gnutls_x509_crt_t crt = import_crt (cert);
  guint8 buf[64];
  size_t size = sizeof buf;
  GString *s = g_string_new (name);

  g_assert_cmpint (gnutls_x509_crt_get_fingerprint (crt, digest, buf, &size), ==, 0);
  g_string_append_c (s, ' ');
  for (gsize i = 0; i < size; i++)
    g_string_append_printf (s, "%s%02X", i > 0 ? ":" : "", buf[i]);
  gnutls_x509_crt_deinit (crt);
  return g_string_free (s, FALSE);
}

static void
test_fingerprint_format (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (hashes); i++)
    {
      g_autofree char *fp = msrp_tls_certificate_get_fingerprint (cert_a, hashes[i].type);
      g_autofree char *again = msrp_tls_certificate_get_fingerprint (cert_a, hashes[i].type);
      g_autofree char *other = msrp_tls_certificate_get_fingerprint (cert_b, hashes[i].type);
      g_autofree char *reference = reference_fingerprint (cert_a, hashes[i].name, hashes[i].digest);
      g_autofree char *pattern = g_strdup_printf ("^%s ([0-9A-F]{2}:){%u}[0-9A-F]{2}$",
                                                  hashes[i].name, hashes[i].length - 1);

      g_test_message ("%s", fp);
      g_assert_true (g_regex_match_simple (pattern, fp, 0, 0));
      g_assert_cmpuint (strlen (fp), ==, strlen (hashes[i].name) + 1 + 3 * hashes[i].length - 1);
      g_assert_cmpstr (fp, ==, reference);
      g_assert_cmpstr (fp, ==, again);
      g_assert_cmpstr (fp, !=, other);
    }
}

static void
test_fingerprint_match (void)
{
  g_autofree char *sha224 = reference_fingerprint (cert_a, "sha-224", GNUTLS_DIG_SHA224);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (hashes); i++)
    {
      g_autofree char *fp = msrp_tls_certificate_get_fingerprint (cert_a, hashes[i].type);
      g_autofree char *lower = g_ascii_strdown (fp, -1);
      g_autofree char *upper = g_ascii_strup (fp, -1);
      g_autofree char *padded = g_strconcat ("  \t", fp, " \r\n", NULL);
      const char *variants[] = { fp, lower, upper, padded };

      for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
        {
          g_assert_true (msrp_tls_certificate_matches_fingerprint (cert_a, variants[v], &error));
          g_assert_no_error (error);
        }
    }

  /* sha-224 has no GChecksumType but is an RFC 8122 hash function. */
  g_assert_true (msrp_tls_certificate_matches_fingerprint (cert_a, sha224, &error));
  g_assert_no_error (error);
}

static void
test_fingerprint_mismatch (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (hashes); i++)
    {
      g_autofree char *fp_a = msrp_tls_certificate_get_fingerprint (cert_a, hashes[i].type);
      g_autofree char *fp_b = msrp_tls_certificate_get_fingerprint (cert_b, hashes[i].type);
      g_autoptr(GError) error = NULL;

      g_assert_false (msrp_tls_certificate_matches_fingerprint (cert_a, fp_b, &error));
      g_assert_error (error, MSRP_ERROR, MSRP_ERROR_FINGERPRINT_MISMATCH);
      /* The message shows what the SDP said and what the peer has. */
      g_assert_nonnull (strstr (error->message, fp_a));
      g_assert_nonnull (strstr (error->message, fp_b));
      g_assert_true (strstr (error->message, fp_b) < strstr (error->message, fp_a));
    }

  /* One bit off, in the last byte. */
  {
    g_autofree char *fp = msrp_tls_certificate_get_fingerprint (cert_a, G_CHECKSUM_SHA256);
    g_autoptr(GError) error = NULL;
    char *last = fp + strlen (fp) - 1;

    *last = *last == '0' ? '1' : '0';
    g_assert_false (msrp_tls_certificate_matches_fingerprint (cert_a, fp, &error));
    g_assert_error (error, MSRP_ERROR, MSRP_ERROR_FINGERPRINT_MISMATCH);
  }
}

static void
test_fingerprint_invalid (void)
{
  g_autofree char *fp = msrp_tls_certificate_get_fingerprint (cert_a, G_CHECKSUM_SHA256);
  const char *hex = fp + strlen ("sha-256 ");
  g_autofree char *no_colons = NULL;
  g_autofree char *short_ = g_strdup_printf ("sha-256 %.*s", (int) strlen (hex) - 3, hex);
  g_autofree char *long_ = g_strdup_printf ("%s:AB", fp);
  g_autofree char *trailing_colon = g_strdup_printf ("%s:", fp);
  g_autofree char *sha1_name = g_strdup_printf ("sha-1 %s", hex);
  g_autofree char *md2 = g_strdup_printf ("md2 %s", hex);
  g_autofree char *sha999 = g_strdup_printf ("sha-999 %s", hex);
  g_autofree char *no_space = g_strdup_printf ("sha-256:%s", hex);
  g_autofree char *junk = g_strdup_printf ("%s junk", fp);
  g_autofree char *hex_only = g_strdup (hex);
  g_autofree char *double_colon = g_strdup (fp);
  g_autofree char *single_digit = g_strdup_printf ("sha-256 A:%s", hex + 3);
  g_autofree char *not_hex = g_strdup (fp);
  g_autofree char *nul_name = g_strdup_printf ("sha\x01-256 %s", hex);
  GString *s = g_string_new ("sha-256 ");

  for (const char *p = hex; *p; p++)
    if (*p != ':')
      g_string_append_c (s, *p);
  no_colons = g_string_free (s, FALSE);
  double_colon[11] = ':';   /* "sha-256 AB::D:..." */
  not_hex[8] = 'G';

  {
    const char *invalid[] = {
      "",
      "   ",
      "sha-256",
      "sha-256 ",
      "sha-256 \xff\xfe",
      no_colons,
      short_,
      long_,
      trailing_colon,
      sha1_name,       /* a sha-256 value under the name sha-1 */
      md2,
      sha999,
      no_space,
      junk,
      hex_only,
      double_colon,
      single_digit,
      not_hex,
      nul_name,
    };

    for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
      {
        g_autoptr(GError) error = NULL;

        g_assert_false (msrp_tls_certificate_matches_fingerprint (cert_a, invalid[i], &error));
        g_assert_error (error, MSRP_ERROR, MSRP_ERROR_INVALID_FINGERPRINT);
        g_test_message ("%u: %s", i, error->message);
        /* Messages stay printable whatever the input. */
        g_assert_true (g_utf8_validate (error->message, -1, NULL));
        for (const char *p = error->message; *p; p++)
          g_assert_cmpint ((guchar) *p, >=, 0x20);
      }
  }
}

/* A TLS handshake on loopback, each side checking the other's certificate
 * against a fingerprint, as MSRP endpoints do with the one from the SDP. */

typedef struct {
  const char *name;
  GTlsCertificate *certificate;   /* this side's */
  char *expected_fingerprint;     /* the peer's, as the SDP would say */
  GIOStream *base;                /* the TCP connection */
  GIOStream *connection;          /* the GTlsConnection over it */
  guint checks;
  GError *check_error;
  GError *error;
  gboolean done;
} Side;

typedef struct {
  GMainLoop *loop;
  guint timeout_id;
  Side server;
  Side client_side;
} HandshakeFixture;

static void
side_clear (Side *side)
{
  g_free (side->expected_fingerprint);
  g_clear_object (&side->connection);
  g_clear_object (&side->base);
  g_clear_error (&side->check_error);
  g_clear_error (&side->error);
}

static void
handshake_fixture_set_up (HandshakeFixture *fx,
                          gconstpointer     data)
{
  fx->loop = g_main_loop_new (NULL, FALSE);
  fx->timeout_id = test_watchdog_start (HANDSHAKE_TIMEOUT_SECONDS);
  fx->server.name = "server";
  fx->server.certificate = cert_a;
  fx->client_side.name = "client";
  fx->client_side.certificate = cert_b;
}

static void
handshake_fixture_tear_down (HandshakeFixture *fx,
                             gconstpointer     data)
{
  side_clear (&fx->server);
  side_clear (&fx->client_side);
  test_watchdog_stop (fx->timeout_id);
  g_main_loop_unref (fx->loop);
}

static gboolean
on_accept_certificate (GTlsConnection       *connection,
                       GTlsCertificate      *peer_certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Side *side = user_data;

  /* Self-signed: the system's database does not know it. */
  g_assert_true (errors & G_TLS_CERTIFICATE_UNKNOWN_CA);
  side->checks++;
  g_clear_error (&side->check_error);
  return msrp_tls_certificate_matches_fingerprint (peer_certificate,
                                                   side->expected_fingerprint,
                                                   &side->check_error);
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  HandshakeFixture *fx = user_data;
  Side *side = G_IO_STREAM (source) == fx->server.connection ? &fx->server : &fx->client_side;

  g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &side->error);
  side->done = TRUE;
  g_test_message ("%s handshake: %s", side->name, side->error ? side->error->message : "done");

  /* A side that gives up closes the connection (as MSRP connectors do), so
   * that the other side does not wait for its next message. */
  if (side->error != NULL)
    g_io_stream_close_async (side->base, G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  if (fx->server.done && fx->client_side.done)
    g_main_loop_quit (fx->loop);
}

static void
start_handshake (HandshakeFixture *fx,
                 Side             *side)
{
  g_signal_connect (side->connection, "accept-certificate",
                    G_CALLBACK (on_accept_certificate), side);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (side->connection), G_PRIORITY_DEFAULT,
                                    NULL, on_handshake, fx);
}

static void
run_handshake (HandshakeFixture *fx,
               GTlsCertificate  *server_expects,
               GTlsCertificate  *client_expects)
{
  g_autoptr(GSocketConnection) client = NULL;
  g_autoptr(GSocketConnection) server = NULL;
  g_autoptr(GError) error = NULL;

  fx->server.expected_fingerprint = msrp_tls_certificate_get_fingerprint (server_expects, G_CHECKSUM_SHA256);
  fx->client_side.expected_fingerprint = msrp_tls_certificate_get_fingerprint (client_expects, G_CHECKSUM_SHA256);

  test_socket_pair (&client, &server);
  fx->server.base = G_IO_STREAM (g_object_ref (server));
  fx->server.connection = g_tls_server_connection_new (G_IO_STREAM (server), cert_a, &error);
  g_assert_no_error (error);
  g_object_set (fx->server.connection, "authentication-mode", G_TLS_AUTHENTICATION_REQUIRED, NULL);
  fx->client_side.base = G_IO_STREAM (g_object_ref (client));
  fx->client_side.connection = g_tls_client_connection_new (G_IO_STREAM (client), NULL, &error);
  g_assert_no_error (error);
  g_tls_connection_set_certificate (G_TLS_CONNECTION (fx->client_side.connection), cert_b);
  start_handshake (fx, &fx->server);
  start_handshake (fx, &fx->client_side);
  g_main_loop_run (fx->loop);

  g_assert_true (fx->server.done);
  g_assert_true (fx->client_side.done);
}

static gboolean
skip_without_tls (void)
{
  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("GIO has no TLS backend (glib-networking)");
      return TRUE;
    }
  return FALSE;
}

static void
test_handshake_match (HandshakeFixture *fx,
                      gconstpointer     data)
{
  GTlsCertificate *peer;

  if (skip_without_tls ())
    return;

  run_handshake (fx, cert_b, cert_a);

  g_assert_no_error (fx->server.error);
  g_assert_no_error (fx->client_side.error);
  g_assert_cmpuint (fx->server.checks, ==, 1);
  g_assert_cmpuint (fx->client_side.checks, ==, 1);
  g_assert_no_error (fx->server.check_error);
  g_assert_no_error (fx->client_side.check_error);

  /* Each side sees the other's certificate. */
  peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (fx->server.connection));
  g_assert_true (g_tls_certificate_is_same (peer, cert_b));
  peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (fx->client_side.connection));
  g_assert_true (g_tls_certificate_is_same (peer, cert_a));
}

static void
test_handshake_wrong_server (HandshakeFixture *fx,
                             gconstpointer     data)
{
  if (skip_without_tls ())
    return;

  /* The client expects cert_c, the server presents cert_a. */
  run_handshake (fx, cert_b, cert_c);

  g_assert_cmpuint (fx->client_side.checks, ==, 1);
  g_assert_error (fx->client_side.check_error, MSRP_ERROR, MSRP_ERROR_FINGERPRINT_MISMATCH);
  g_assert_error (fx->client_side.error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  /* The server learns of it by an alert or by the closed connection. */
  g_assert_nonnull (fx->server.error);
  g_assert_true (fx->server.error->domain == G_TLS_ERROR || fx->server.error->domain == G_IO_ERROR);
}

static void
test_handshake_wrong_client (HandshakeFixture *fx,
                             gconstpointer     data)
{
  if (skip_without_tls ())
    return;

  /* The server expects cert_c, the client presents cert_b. */
  run_handshake (fx, cert_c, cert_a);

  g_assert_cmpuint (fx->server.checks, ==, 1);
  g_assert_error (fx->server.check_error, MSRP_ERROR, MSRP_ERROR_FINGERPRINT_MISMATCH);
  g_assert_error (fx->server.error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  /* The client accepted the server; in TLS 1.3 its handshake may end
   * before the server has looked at the client's certificate. */
  g_assert_cmpuint (fx->client_side.checks, ==, 1);
  g_assert_no_error (fx->client_side.check_error);
  if (fx->client_side.error != NULL)
    g_assert_true (fx->client_side.error->domain == G_TLS_ERROR ||
                   fx->client_side.error->domain == G_IO_ERROR);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  cert_a = test_certificate_new ("msrp-a.example.com");
  cert_b = test_certificate_new ("msrp-b.example.com");
  cert_c = test_certificate_new ("msrp-c.example.com");

  g_test_add_func ("/tls/self-signed/fields", test_self_signed_fields);
  g_test_add_func ("/tls/self-signed/unique", test_self_signed_unique);
  g_test_add_data_func ("/tls/self-signed/ipv4", "192.0.2.1", test_self_signed_ip);
  g_test_add_data_func ("/tls/self-signed/ipv6", "2001:db8::1", test_self_signed_ip);
  g_test_add_func ("/tls/self-signed/names", test_self_signed_names);
  g_test_add_func ("/tls/fingerprint/format", test_fingerprint_format);
  g_test_add_func ("/tls/fingerprint/match", test_fingerprint_match);
  g_test_add_func ("/tls/fingerprint/mismatch", test_fingerprint_mismatch);
  g_test_add_func ("/tls/fingerprint/invalid", test_fingerprint_invalid);
  g_test_add ("/tls/handshake/match", HandshakeFixture, NULL,
              handshake_fixture_set_up, test_handshake_match, handshake_fixture_tear_down);
  g_test_add ("/tls/handshake/wrong-server", HandshakeFixture, NULL,
              handshake_fixture_set_up, test_handshake_wrong_server, handshake_fixture_tear_down);
  g_test_add ("/tls/handshake/wrong-client", HandshakeFixture, NULL,
              handshake_fixture_set_up, test_handshake_wrong_client, handshake_fixture_tear_down);

  ret = g_test_run ();

  g_clear_object (&cert_a);
  g_clear_object (&cert_b);
  g_clear_object (&cert_c);

  return ret;
}
