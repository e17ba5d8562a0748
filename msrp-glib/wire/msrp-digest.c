/* msrp-digest.c: HTTP Digest (RFC 2617) for MSRP AUTH (RFC 4976)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-digest-private.h"
#include "msrp-error.h"
#include "msrp-utils-private.h"

static char *
md5_hex (const char *first,
         ...)
{
  GChecksum *checksum = g_checksum_new (G_CHECKSUM_MD5);
  const char *part = first;
  gboolean colon = FALSE;
  va_list args;
  char *hex;

  va_start (args, first);
  while (part != NULL)
    {
      if (colon)
        g_checksum_update (checksum, (const guchar *) ":", 1);
      g_checksum_update (checksum, (const guchar *) part, strlen (part));
      colon = TRUE;
      part = va_arg (args, const char *);
    }
  va_end (args);

  hex = g_strdup (g_checksum_get_string (checksum));
  g_checksum_free (checksum);
  return hex;
}

char *
_msrp_digest_compute (const char *username,
                      const char *realm,
                      const char *password,
                      const char *method,
                      const char *uri,
                      const char *nonce,
                      const char *nc,
                      const char *cnonce,
                      const char *qop)
{
  g_autofree char *ha1 = md5_hex (username, realm, password, NULL);
  g_autofree char *ha2 = md5_hex (method, uri ? uri : "", NULL);

  if (qop != NULL && *qop != '\0')
    return md5_hex (ha1, nonce, nc ? nc : "", cnonce ? cnonce : "", qop, ha2, NULL);
  return md5_hex (ha1, nonce, ha2, NULL);
}

/* Whether a comma-separated list (a qop-options value) has @item. */
static gboolean
list_has (const char *list,
          const char *item)
{
  g_auto(GStrv) items = g_strsplit (list, ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    if (g_ascii_strcasecmp (g_strstrip (items[i]), item) == 0)
      return TRUE;
  return FALSE;
}

/* A quoted-string: backslash before '"' and '\'. */
static void
append_quoted (GString    *out,
               const char *value)
{
  g_string_append_c (out, '"');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static gboolean
quotable (const char *value)
{
  for (const char *p = value; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

char *
_msrp_digest_make_authorization (GHashTable  *challenge,
                                 const char  *username,
                                 const char  *password,
                                 const char  *uri,
                                 gboolean     include_uri,
                                 guint        nc,
                                 GError     **error)
{
  const char *realm, *nonce, *opaque, *algorithm, *qop_options;
  g_autofree char *cnonce = NULL;
  g_autofree char *response = NULL;
  char nc_str[9];
  gboolean with_qop = FALSE;
  GString *out;

  g_return_val_if_fail (challenge != NULL, NULL);
  g_return_val_if_fail (username != NULL && password != NULL, NULL);

  realm = g_hash_table_lookup (challenge, "realm");
  nonce = g_hash_table_lookup (challenge, "nonce");
  opaque = g_hash_table_lookup (challenge, "opaque");
  algorithm = g_hash_table_lookup (challenge, "algorithm");
  qop_options = g_hash_table_lookup (challenge, "qop");

  if (realm == NULL || nonce == NULL)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED,
                           _("The relay’s Digest challenge has no realm or no nonce"));
      return NULL;
    }
  if (algorithm != NULL && g_ascii_strcasecmp (algorithm, "MD5") != 0)
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED,
                   _("The relay asks for the Digest algorithm “%s”, which is not supported"), algorithm);
      return NULL;
    }
  if (qop_options != NULL)
    {
      if (!list_has (qop_options, "auth"))
        {
          g_set_error (error, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED,
                       _("The relay asks for the Digest qop “%s”, which is not supported"), qop_options);
          return NULL;
        }
      with_qop = TRUE;
    }
  if (!quotable (username) || !quotable (realm) || !quotable (nonce) ||
      (uri != NULL && !quotable (uri)) || (opaque != NULL && !quotable (opaque)))
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED,
                           _("A Digest parameter holds control characters"));
      return NULL;
    }

  g_snprintf (nc_str, sizeof nc_str, "%08x", nc);
  cnonce = _msrp_random_ident (MSRP_RANDOM_NONCE, 16);
  response = _msrp_digest_compute (username, realm, password, MSRP_DIGEST_METHOD, uri, nonce,
                                   with_qop ? nc_str : NULL, with_qop ? cnonce : NULL,
                                   with_qop ? "auth" : NULL);

  out = g_string_new ("Digest username=");
  append_quoted (out, username);
  g_string_append (out, ", realm=");
  append_quoted (out, realm);
  g_string_append (out, ", nonce=");
  append_quoted (out, nonce);
  if (include_uri && uri != NULL)
    {
      g_string_append (out, ", uri=");
      append_quoted (out, uri);
    }
  g_string_append (out, ", response=");
  append_quoted (out, response);
  if (algorithm != NULL)
    g_string_append (out, ", algorithm=MD5");
  if (with_qop)
    g_string_append_printf (out, ", qop=auth, nc=%s, cnonce=\"%s\"", nc_str, cnonce);
  if (opaque != NULL)
    {
      g_string_append (out, ", opaque=");
      append_quoted (out, opaque);
    }
  return g_string_free (out, FALSE);
}

char *
_msrp_digest_new_nonce (void)
{
  guint8 bytes[16];
  GString *out = g_string_sized_new (33);

  /* A predictable nonce lets an attacker collect answers to it ahead of time. */
  _msrp_random_bytes (MSRP_RANDOM_SECRET, bytes, sizeof bytes);
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (out, "%02x", bytes[i]);
  return g_string_free (out, FALSE);
}

char *
_msrp_digest_make_challenge (const char *realm,
                             const char *nonce,
                             gboolean    stale)
{
  GString *out = g_string_new ("Digest realm=");

  append_quoted (out, realm);
  g_string_append (out, ", nonce=");
  append_quoted (out, nonce);
  g_string_append (out, ", qop=\"auth\", algorithm=MD5");
  if (stale)
    g_string_append (out, ", stale=TRUE");
  return g_string_free (out, FALSE);
}

/* Compares two strings of the same length in constant time. */
static gboolean
equal_hex (const char *a,
           const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guchar diff = 0;

  if (la != lb)
    return FALSE;
  for (gsize i = 0; i < la; i++)
    diff |= (guchar) g_ascii_tolower (a[i]) ^ (guchar) g_ascii_tolower (b[i]);
  return diff == 0;
}

gboolean
_msrp_digest_verify (GHashTable *params,
                     const char *password,
                     const char *method,
                     const char *request_uri)
{
  const char *username, *realm, *nonce, *uri, *response, *qop, *nc, *cnonce, *algorithm;
  g_autofree char *expected = NULL;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (password != NULL && method != NULL, FALSE);

  username = g_hash_table_lookup (params, "username");
  realm = g_hash_table_lookup (params, "realm");
  nonce = g_hash_table_lookup (params, "nonce");
  uri = g_hash_table_lookup (params, "uri");
  if (uri == NULL)
    uri = request_uri;
  response = g_hash_table_lookup (params, "response");
  qop = g_hash_table_lookup (params, "qop");
  nc = g_hash_table_lookup (params, "nc");
  cnonce = g_hash_table_lookup (params, "cnonce");
  algorithm = g_hash_table_lookup (params, "algorithm");

  if (username == NULL || realm == NULL || nonce == NULL || response == NULL)
    return FALSE;
  if (algorithm != NULL && g_ascii_strcasecmp (algorithm, "MD5") != 0)
    return FALSE;
  if (qop != NULL)
    {
      if (g_ascii_strcasecmp (qop, "auth") != 0 || nc == NULL || cnonce == NULL)
        return FALSE;
    }

  expected = _msrp_digest_compute (username, realm, password, method, uri, nonce, nc, cnonce, qop);
  return equal_hex (expected, response);
}
