/* msrp-tls.c: certificates and fingerprints for msrps: connections
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "msrp-tls.h"
#include "msrp-error.h"
#include "msrp-utils-private.h"

/* MSRP endpoints usually present self-signed certificates: what vouches for
 * the peer is the fingerprint of its certificate in the SDP that set up the
 * session (a=fingerprint, RFC 4572 and RFC 8122), which travels over the
 * signalling channel. */

/* Certificates made here are valid from a day ago (clocks of peers drift)
 * for about ten years (they are tied to a key, not to a name anyone checks). */
#define VALIDITY_PAST_SECONDS   (24 * 60 * 60)
#define VALIDITY_FUTURE_SECONDS ((time_t) 3650 * 24 * 60 * 60)
#define SERIAL_LENGTH           16

/* The longest digest of the hash functions below (SHA-512). */
#define MAX_DIGEST_LENGTH       64

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_privkey_t, gnutls_x509_privkey_deinit, NULL)

static void
datum_clear (gnutls_datum_t *datum)
{
  if (datum->data != NULL)
    {
      /* The datum may hold a private key. */
      gnutls_memset (datum->data, 0, datum->size);
      gnutls_free (datum->data);
    }
  datum->data = NULL;
  datum->size = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (gnutls_datum_t, datum_clear)

/* A host name in the preferred name syntax of RFC 5280 (letters, digits and
 * hyphens; the only form a subjectAltName dNSName may take). */
static gboolean
is_dns_name (const char *name)
{
  gsize label_len = 0;
  gsize len = strlen (name);

  if (len == 0 || len > 253)
    return FALSE;

  for (gsize i = 0; i <= len; i++)
    {
      char c = name[i];

      if (c == '.' || c == '\0')
        {
          if (label_len == 0 || label_len > 63 || name[i - 1] == '-')
            return FALSE;
          label_len = 0;
        }
      else if (g_ascii_isalnum (c) || (c == '-' && label_len > 0))
        label_len++;
      else
        return FALSE;
    }

  return TRUE;
}

static int
set_subject_alt_name (gnutls_x509_crt_t  crt,
                      const char        *common_name)
{
  g_autofree char *ascii = NULL;

  if (g_hostname_is_ip_address (common_name))
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (common_name);

      /* An IP address goes in an iPAddress entry only: as a dNSName it would
       * break the syntax RFC 5280 requires there, and hostname checks match
       * addresses against iPAddress entries anyway. */
      if (address == NULL)
        return 0;
      return gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS,
                                                   g_inet_address_to_bytes (address),
                                                   g_inet_address_get_native_size (address),
                                                   GNUTLS_FSAN_APPEND);
    }

  /* A common name that is no host name ("Alice") gets no subjectAltName. */
  ascii = g_hostname_to_ascii (common_name);
  if (ascii == NULL || !is_dns_name (ascii))
    return 0;

  return gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME,
                                               ascii, strlen (ascii),
                                               GNUTLS_FSAN_APPEND);
}

static int
fill_certificate (gnutls_x509_crt_t      crt,
                  gnutls_x509_privkey_t  key,
                  const char            *common_name)
{
  guint8 serial[SERIAL_LENGTH];
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  time_t now = time (NULL);
  int ret;

  if ((ret = gnutls_x509_crt_set_version (crt, 3)) < 0)
    return ret;

  /* RFC 5280: a positive integer of at most 20 octets; the top bits set
   * this way keep it positive and its DER encoding SERIAL_LENGTH long. */
  if ((ret = gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
    return ret;
  serial[0] = (serial[0] & 0x7f) | 0x40;
  if ((ret = gnutls_x509_crt_set_serial (crt, serial, sizeof serial)) < 0)
    return ret;

  if ((ret = gnutls_x509_crt_set_activation_time (crt, now - VALIDITY_PAST_SECONDS)) < 0 ||
      (ret = gnutls_x509_crt_set_expiration_time (crt, now + VALIDITY_FUTURE_SECONDS)) < 0)
    return ret;

  if ((ret = gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                            common_name, strlen (common_name))) < 0)
    return ret;
  if ((ret = gnutls_x509_crt_set_key (crt, key)) < 0)
    return ret;
  if ((ret = set_subject_alt_name (crt, common_name)) < 0)
    return ret;

  /* ECDSA keys only sign; the key exchange is ephemeral (ECDHE). */
  if ((ret = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0)
    return ret;
  if ((ret = gnutls_x509_crt_set_basic_constraints (crt, 0, -1)) < 0)
    return ret;
  /* Both ends of an MSRP connection present their certificate. */
  if ((ret = gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
      (ret = gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_CLIENT, 0)) < 0)
    return ret;

  if ((ret = gnutls_x509_crt_get_key_id (crt, GNUTLS_KEYID_USE_SHA1, key_id, &key_id_size)) < 0 ||
      (ret = gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size)) < 0)
    return ret;

  return gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0);
}

/* Makes the key and the certificate; returns them in PEM, the certificate
 * first, or a GnuTLS error code. */
static int
make_self_signed_pem (const char  *common_name,
                      char       **pem_out,
                      gsize       *pem_len_out)
{
  g_auto(gnutls_x509_privkey_t) key = NULL;
  g_auto(gnutls_x509_crt_t) crt = NULL;
  g_auto(gnutls_datum_t) crt_pem = { NULL, 0 };
  g_auto(gnutls_datum_t) key_pem = { NULL, 0 };
  char *pem;
  int ret;

  if ((ret = gnutls_x509_privkey_init (&key)) < 0)
    return ret;
  if ((ret = gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                           GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1),
                                           0)) < 0)
    return ret;

  if ((ret = gnutls_x509_crt_init (&crt)) < 0)
    return ret;
  if ((ret = fill_certificate (crt, key, common_name)) < 0)
    return ret;

  /* An unencrypted PKCS #8 key ("BEGIN PRIVATE KEY") is the form every GIO
   * TLS backend reads. */
  if ((ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &crt_pem)) < 0)
    return ret;
  if ((ret = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                GNUTLS_PKCS_PLAIN, &key_pem)) < 0)
    return ret;

  pem = g_malloc (crt_pem.size + key_pem.size + 1);
  memcpy (pem, crt_pem.data, crt_pem.size);
  memcpy (pem + crt_pem.size, key_pem.data, key_pem.size);
  pem[crt_pem.size + key_pem.size] = '\0';

  *pem_out = pem;
  *pem_len_out = crt_pem.size + key_pem.size;
  return 0;
}

/**
 * msrp_tls_certificate_new_self_signed:
 * @common_name: the subject's common name, usually the host name or the IP
 *   address of the endpoint
 * @error: return location for a #GError
 *
 * Makes a new self-signed certificate with a new ECDSA P-256 key, to use
 * as the `tls-certificate` of connectors and of `MsrpServer`. Peers
 * check it against the fingerprint in the SDP (see
 * [func@Msrp.tls_certificate_get_fingerprint]), not against a certificate
 * authority.
 *
 * The certificate is valid from a day ago for about ten years, may serve
 * both TLS servers and TLS clients, and has a random serial number. When
 * @common_name is a host name it is also the subjectAltName (dNSName);
 * when it is an IP address, it is the iPAddress subjectAltName.
 *
 * Generating a key costs some CPU time (a fraction of a millisecond on a
 * desktop): make one certificate for the life of the application rather
 * than one per session.
 *
 * Returns: (transfer full): a new certificate with its private key, or
 *   %NULL on error
 *
 * Since: 1.0
 */
GTlsCertificate *
msrp_tls_certificate_new_self_signed (const char  *common_name,
                                      GError     **error)
{
  GTlsCertificate *certificate;
  char *pem = NULL;
  gsize pem_len = 0;
  int ret;

  g_return_val_if_fail (common_name != NULL && *common_name != '\0', NULL);
  g_return_val_if_fail (g_utf8_validate (common_name, -1, NULL), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ret = make_self_signed_pem (common_name, &pem, &pem_len);
  if (ret < 0)
    {
      /* TRANSLATORS: %s is GnuTLS's description of what went wrong */
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_FAILED,
                   _("Could not create a self-signed TLS certificate: %s"),
                   gnutls_strerror (ret));
      return NULL;
    }

  certificate = g_tls_certificate_new_from_pem (pem, pem_len, error);

  /* The PEM holds the private key. */
  gnutls_memset (pem, 0, pem_len);
  g_free (pem);

  return certificate;
}

typedef struct {
  const char *name;             /* RFC 8122 hash-func, lower case */
  GChecksumType checksum_type;  /* HASH_WITH_GNUTLS: no GChecksumType */
  gnutls_digest_algorithm_t digest;
  guint length;
} HashFunc;

#define HASH_WITH_GNUTLS ((GChecksumType) -1)

/* RFC 8122 section 5 (md2 is left out: nothing computes it any more). */
static const HashFunc hash_funcs[] = {
  { "sha-1", G_CHECKSUM_SHA1, GNUTLS_DIG_SHA1, 20 },
  { "sha-224", HASH_WITH_GNUTLS, GNUTLS_DIG_SHA224, 28 },
  { "sha-256", G_CHECKSUM_SHA256, GNUTLS_DIG_SHA256, 32 },
  { "sha-384", G_CHECKSUM_SHA384, GNUTLS_DIG_SHA384, 48 },
  { "sha-512", G_CHECKSUM_SHA512, GNUTLS_DIG_SHA512, 64 },
  { "md5", G_CHECKSUM_MD5, GNUTLS_DIG_MD5, 16 },
};

static const HashFunc *
hash_func_for_checksum_type (GChecksumType checksum_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (hash_funcs); i++)
    if (hash_funcs[i].checksum_type == checksum_type)
      return &hash_funcs[i];
  return NULL;
}

static const HashFunc *
hash_func_for_name (const char *name,
                    gsize       len)
{
  for (guint i = 0; i < G_N_ELEMENTS (hash_funcs); i++)
    if (strlen (hash_funcs[i].name) == len &&
        g_ascii_strncasecmp (hash_funcs[i].name, name, len) == 0)
      return &hash_funcs[i];
  return NULL;
}

/* Hashes the DER form of the certificate, which is what RFC 4572 section 5
 * fingerprints. digest must hold func->length bytes. */
static gboolean
certificate_digest (GTlsCertificate *certificate,
                    const HashFunc  *func,
                    guint8          *digest)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  g_return_val_if_fail (der != NULL && der->len > 0, FALSE);

  if (func->checksum_type == HASH_WITH_GNUTLS)
    return gnutls_hash_fast (func->digest, der->data, der->len, digest) == 0;
  else
    {
      g_autoptr(GChecksum) checksum = g_checksum_new (func->checksum_type);
      gsize length = func->length;

      g_checksum_update (checksum, der->data, der->len);
      g_checksum_get_digest (checksum, digest, &length);
      return length == func->length;
    }
}

static char *
format_fingerprint (const HashFunc *func,
                    const guint8   *digest)
{
  static const char hex[] = "0123456789ABCDEF";
  GString *s = g_string_sized_new (strlen (func->name) + 1 + 3 * func->length);

  g_string_append (s, func->name);
  g_string_append_c (s, ' ');
  for (guint i = 0; i < func->length; i++)
    {
      if (i > 0)
        g_string_append_c (s, ':');
      g_string_append_c (s, hex[digest[i] >> 4]);
      g_string_append_c (s, hex[digest[i] & 0xf]);
    }

  return g_string_free (s, FALSE);
}

/**
 * msrp_tls_certificate_get_fingerprint:
 * @certificate: a certificate
 * @checksum_type: the hash function: %G_CHECKSUM_SHA256 (what to use),
 *   %G_CHECKSUM_SHA1, %G_CHECKSUM_SHA384, %G_CHECKSUM_SHA512 or
 *   %G_CHECKSUM_MD5
 *
 * Gives the fingerprint of @certificate in the form of the SDP
 * `a=fingerprint` attribute (RFC 4572 and RFC 8122): the hash function's
 * name in lower case, a space, and the hash of the certificate's DER
 * encoding as upper-case hexadecimal bytes separated by colons, as in
 * `sha-256 5A:0C:...:9F`.
 *
 * Returns: (transfer full): the fingerprint
 *
 * Since: 1.0
 */
char *
msrp_tls_certificate_get_fingerprint (GTlsCertificate *certificate,
                                      GChecksumType    checksum_type)
{
  const HashFunc *func;
  guint8 digest[MAX_DIGEST_LENGTH];

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);
  func = hash_func_for_checksum_type (checksum_type);
  g_return_val_if_fail (func != NULL, NULL);

  if (!certificate_digest (certificate, func, digest))
    return NULL;

  return format_fingerprint (func, digest);
}

/* A bounded, printable copy for messages: the string comes from the SDP. */
static char *
printable_copy (const char *str,
                gsize       max_len)
{
  char *copy = g_utf8_make_valid (str, MIN (strlen (str), max_len));

  for (char *p = copy; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = '?';
  return copy;
}

static gboolean
invalid_fingerprint (GError    **error,
                     const char *fingerprint,
                     const char *what)
{
  g_autofree char *shown = printable_copy (fingerprint, 250);

  /* TRANSLATORS: the first %s is the fingerprint from the SDP, the second
   * says what is wrong with it */
  g_set_error (error, MSRP_ERROR, MSRP_ERROR_INVALID_FINGERPRINT,
               _("Invalid certificate fingerprint “%s”: %s"), shown, what);
  return FALSE;
}

static inline gboolean
is_wsp (char c)
{
  return c == ' ' || c == '\t';
}

/* Parses "hash-func SP fingerprint" (RFC 8122 section 5): hash-func in any
 * case, then colon-separated pairs of hexadecimal digits in any case;
 * whitespace is allowed around the whole. */
static gboolean
parse_fingerprint (const char      *fingerprint,
                   const HashFunc **func_out,
                   guint8          *digest,
                   GError         **error)
{
  const char *p = fingerprint;
  const char *name;
  const HashFunc *func;
  guint n = 0;

  while (g_ascii_isspace (*p))
    p++;
  name = p;
  while (*p != '\0' && !g_ascii_isspace (*p))
    p++;
  if (p == name)
    return invalid_fingerprint (error, fingerprint, _("it is empty"));

  func = hash_func_for_name (name, p - name);
  if (func == NULL)
    {
      g_autofree char *name_copy = g_strndup (name, p - name);
      g_autofree char *shown = printable_copy (name_copy, 20);
      g_autofree char *what = NULL;

      what = g_strdup_printf (_("the hash function “%s” is unknown (use sha-256, sha-1, sha-224, sha-384, sha-512 or md5)"),
                              shown);
      return invalid_fingerprint (error, fingerprint, what);
    }

  if (!is_wsp (*p))
    return invalid_fingerprint (error, fingerprint,
                                _("the hash value does not follow the hash function’s name after a space"));
  while (is_wsp (*p))
    p++;

  for (;;)
    {
      if (!g_ascii_isxdigit (p[0]) || !g_ascii_isxdigit (p[1]))
        return invalid_fingerprint (error, fingerprint,
                                    _("the hash value is not hexadecimal bytes separated by colons"));
      if (n < MAX_DIGEST_LENGTH)
        digest[n] = g_ascii_xdigit_value (p[0]) << 4 | g_ascii_xdigit_value (p[1]);
      n++;
      p += 2;
      if (*p != ':')
        break;
      p++;
    }

  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\0')
    return invalid_fingerprint (error, fingerprint,
                                _("the hash value is not hexadecimal bytes separated by colons"));

  if (n != func->length)
    {
      g_autofree char *what = NULL;

      /* TRANSLATORS: %s is a hash function such as "sha-256"; the first %u
       * is how many bytes its hash has, the second how many were given */
      what = g_strdup_printf (_("a %s hash has %u bytes, not %u"), func->name, func->length, n);
      return invalid_fingerprint (error, fingerprint, what);
    }

  *func_out = func;
  return TRUE;
}

/**
 * msrp_tls_certificate_matches_fingerprint:
 * @certificate: a certificate, usually the one a peer presented
 * @fingerprint: a fingerprint in the form of the SDP `a=fingerprint`
 *   attribute, such as `sha-256 5A:0C:...:9F`
 * @error: return location for a #GError
 *
 * Checks that @certificate has @fingerprint: this is how an endpoint makes
 * sure that the peer of an `msrps:` connection is the one that sent the
 * SDP (RFC 4975 section 14.2, RFC 4572). Call it from a handler of
 * [signal@Gio.TlsConnection::accept-certificate] with the fingerprint of
 * the remote SDP, and accept the certificate when it returns %TRUE.
 *
 * The hash function's name (sha-1, sha-224, sha-256, sha-384, sha-512 or
 * md5) and the hexadecimal digits may be in any case; whitespace around
 * the fingerprint is ignored. The comparison takes the same time wherever
 * the fingerprints differ.
 *
 * Returns: %TRUE when @certificate has @fingerprint. Otherwise %FALSE, with
 *   @error set to %MSRP_ERROR_FINGERPRINT_MISMATCH when the certificate has
 *   another fingerprint, or to %MSRP_ERROR_INVALID_FINGERPRINT when
 *   @fingerprint cannot be parsed.
 *
 * Since: 1.0
 */
gboolean
msrp_tls_certificate_matches_fingerprint (GTlsCertificate  *certificate,
                                          const char       *fingerprint,
                                          GError          **error)
{
  const HashFunc *func = NULL;
  guint8 expected[MAX_DIGEST_LENGTH];
  guint8 actual[MAX_DIGEST_LENGTH];
  guint8 diff = 0;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), FALSE);
  g_return_val_if_fail (fingerprint != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!parse_fingerprint (fingerprint, &func, expected, error))
    return FALSE;

  if (!certificate_digest (certificate, func, actual))
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_FAILED,
                   _("Could not compute the %s fingerprint of the certificate"), func->name);
      return FALSE;
    }

  for (guint i = 0; i < func->length; i++)
    diff |= expected[i] ^ actual[i];

  if (diff != 0)
    {
      g_autofree char *expected_str = format_fingerprint (func, expected);
      g_autofree char *actual_str = format_fingerprint (func, actual);

      /* TRANSLATORS: the first %s is the fingerprint the SDP announced, the
       * second the fingerprint of the certificate the peer presented */
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_FINGERPRINT_MISMATCH,
                   _("The SDP announced the certificate fingerprint “%s”, but the peer presented a certificate with the fingerprint “%s”: the peer is not the one the SDP describes, or the SDP is out of date"),
                   expected_str, actual_str);
      return FALSE;
    }

  return TRUE;
}
