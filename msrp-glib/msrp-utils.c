/* msrp-utils.c: small helpers shared inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <libintl.h>

#include "msrp-utils-private.h"
#include "msrp-version.h"

const char *
msrp_gettext (const char *msgid)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }

  return g_dgettext (GETTEXT_PACKAGE, msgid);
}

/* Transaction ids, Message-IDs and session-ids: lower-case letters and
 * digits, 5.17 bits a character (16 characters carry 82 bits). Five
 * characters come from each 32-bit random number (36^5 is about 2^25.8,
 * so the modulo bias is below 2%). */
char *
msrp_random_ident (gsize length)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  char *ident = g_malloc (length + 1);
  guint32 r = 0;

  for (gsize i = 0; i < length; i++)
    {
      if (i % 5 == 0)
        r = g_random_int ();
      ident[i] = alphabet[r % 36];
      r /= 36;
    }
  ident[length] = '\0';

  return ident;
}

gboolean
msrp_is_ident (const char *str,
               gssize      len)
{
  if (len < 0)
    len = strlen (str);
  if (len < 1 || len > MSRP_IDENT_MAX_LEN || !g_ascii_isalnum (str[0]))
    return FALSE;
  for (gssize i = 1; i < len; i++)
    if (!msrp_is_ident_char (str[i]))
      return FALSE;
  return TRUE;
}

gboolean
msrp_is_token (const char *str,
               gssize      len)
{
  if (len < 0)
    len = strlen (str);
  if (len < 1)
    return FALSE;
  for (gssize i = 0; i < len; i++)
    if (!msrp_is_token_char (str[i]))
      return FALSE;
  return TRUE;
}

/* What may go into a header value without breaking the framing:
 * valid UTF-8 without control characters other than tab. */
gboolean
msrp_is_header_value (const char *str)
{
  for (const guchar *p = (const guchar *) str; *p; p++)
    if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
      return FALSE;
  return g_utf8_validate (str, -1, NULL);
}

/**
 * msrp_get_major_version:
 *
 * Gets the major version of the library loaded at run time.
 *
 * Returns: the major version of the msrp-glib library in use at run time
 *
 * Since: 1.0
 */
guint
msrp_get_major_version (void)
{
  return MSRP_MAJOR_VERSION;
}

/**
 * msrp_get_minor_version:
 *
 * Gets the minor version of the library loaded at run time.
 *
 * Returns: the minor version of the msrp-glib library in use at run time
 *
 * Since: 1.0
 */
guint
msrp_get_minor_version (void)
{
  return MSRP_MINOR_VERSION;
}

/**
 * msrp_get_micro_version:
 *
 * Gets the micro version of the library loaded at run time.
 *
 * Returns: the micro version of the msrp-glib library in use at run time
 *
 * Since: 1.0
 */
guint
msrp_get_micro_version (void)
{
  return MSRP_MICRO_VERSION;
}
