/* msrp-utils-private.h: small helpers shared inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The longest transaction id or Message-ID accepted from the network. RFC
 * 4975 says 32; a few peers in the field send longer ones. */
#define MSRP_IDENT_MAX_LEN 64

const char *_msrp_gettext          (const char *msgid) G_GNUC_FORMAT (1);
#define _(s) _msrp_gettext (s)
#define N_(s) (s)

/* What random bytes are for: NONCE must be unique and unpredictable
 * (transaction ids, Message-IDs); SECRET guards access (session-ids,
 * Digest nonces) and comes from GnuTLS's strongest level. */
typedef enum {
  MSRP_RANDOM_NONCE,
  MSRP_RANDOM_SECRET,
} MsrpRandomLevel;

void        _msrp_random_bytes    (MsrpRandomLevel level,
                                   gpointer        data,
                                   gsize           length);
char       *_msrp_random_ident    (MsrpRandomLevel level,
                                   gsize           length);
gboolean    _msrp_is_ident         (const char *str,
                                   gssize      len);
gboolean    _msrp_is_token         (const char *str,
                                   gssize      len);
gboolean    _msrp_is_header_value  (const char *str);
char       *_msrp_format_rfc3339   (GDateTime  *datetime);

static inline gboolean
_msrp_is_ident_char (guchar c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '-' || c == '+' || c == '%' || c == '=';
}

/* RFC 4975 token: 1*(%x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 /
 * %x41-5A / %x5E-7E), that is, visible ASCII but for "(),/:;<=>?@[\] and
 * DQUOTE; unlike RFC 7230's, it takes `{` and `}`. */
static inline gboolean
_msrp_is_token_char (guchar c)
{
  return c > 0x20 && c < 0x7f && !strchr ("\"(),/:;<=>?@[\\]", c);
}

/* Reads the decimal digits at *@p, up to @end (NULL: up to the first
 * non-digit), into @out and moves *@p past them. FALSE, with *@p at the
 * digit that overflows, when there is none or the number is above @max:
 * every parser of the wire formats reads its numbers this one way. */
static inline gboolean
_msrp_parse_decimal (const char **p,
                     const char  *end,
                     guint64      max,
                     guint64     *out)
{
  const char *s = *p;
  guint64 value = 0;

  if (s == end || !g_ascii_isdigit (*s))
    return FALSE;
  for (; s != end && g_ascii_isdigit (*s); s++)
    {
      if (value > (max - (guint64) (*s - '0')) / 10)
        {
          *p = s;
          return FALSE;
        }
      value = value * 10 + (guint64) (*s - '0');
    }
  *p = s;
  *out = value;
  return TRUE;
}

/* What a property's setter does once it has checked its argument: stores
 * @value in *@field and notifies @pspec, unless *@field had that value
 * already. Returns whether it changed. */
static inline gboolean
_msrp_set_uint (GObject    *object,
                guint      *field,
                guint       value,
                GParamSpec *pspec)
{
  if (*field == value)
    return FALSE;
  *field = value;
  g_object_notify_by_pspec (object, pspec);
  return TRUE;
}

/* The same for a boolean, stored as TRUE or FALSE. */
static inline gboolean
_msrp_set_boolean (GObject    *object,
                   gboolean   *field,
                   gboolean    value,
                   GParamSpec *pspec)
{
  value = !!value;
  if (*field == value)
    return FALSE;
  *field = value;
  g_object_notify_by_pspec (object, pspec);
  return TRUE;
}

/* The same for a string, stored as a copy. */
static inline gboolean
_msrp_set_string (GObject     *object,
                  char       **field,
                  const char  *value,
                  GParamSpec  *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (object, pspec);
  return TRUE;
}

G_END_DECLS
