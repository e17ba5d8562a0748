/* msrp-cpim-syntax.c: the syntax of RFC 3862 message/cpim: identities,
 * quoted strings, header parameters, dates
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-cpim-message-private.h"

/* Syntax (RFC 3862 section 3.2). */

/* Character classes, looked up for every byte of every header. */
enum {
  NAME_CHAR = 1 << 0,    /* RFC 3862 name (header names, prefixes) */
  TOKEN_CHAR = 1 << 1,   /* RFC 3862 token (parameter values) */
  URI_CHAR = 1 << 2,     /* what a URI between angle brackets may hold */
};

static const guint8 char_class[128] = {
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x00 */
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x10 */
  0, 7, 0, 7, 7, 7, 7, 7, 4, 4, 7, 7, 4, 7, 6, 4,  /* 0x20 */
  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 4, 4, 0, 4, 0, 4,  /* 0x30 */
  4, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,  /* 0x40 */
  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 4, 4, 4, 7, 7,  /* 0x50 */
  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,  /* 0x60 */
  7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 7, 6, 7, 0,  /* 0x70 */
};

static inline gboolean
has_class (guchar c,
           guint8 class)
{
  return c < 0x80 && (char_class[c] & class) != 0;
}

static gboolean
is_name_char (guchar c)
{
  return has_class (c, NAME_CHAR);
}

static gboolean
is_cpim_token_char (guchar c)
{
  return has_class (c, TOKEN_CHAR);
}

gsize
_msrp_cpim_span_name (const char *s)
{
  gsize n = 0;

  while (is_name_char (s[n]))
    n++;
  return n;
}

gboolean
_msrp_cpim_is_name (const char *s)
{
  return s != NULL && *s != '\0' && s[_msrp_cpim_span_name (s)] == '\0';
}

/* A URI as CPIM carries it between angle brackets: a scheme (RFC 3986),
 * then visible ASCII; sip:, sips:, im:, tel:, urn:, mid: and any other. */
gboolean
_msrp_cpim_is_uri (const char *s,
                   gsize       len)
{
  gsize i = 0;

  if (len == 0 || !g_ascii_isalpha (s[0]))
    return FALSE;
  while (i < len && (g_ascii_isalnum (s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
    i++;
  if (i == len || s[i] != ':' || i + 1 == len)
    return FALSE;
  for (i++; i < len; i++)
    if (!has_class (s[i], URI_CHAR))
      return FALSE;
  return TRUE;
}

/* Reads a CPIM String (RFC 3862 section 3.2) that starts at *p, which is a
 * DQUOTE; on success *p is past the closing DQUOTE and the decoded text is
 * appended to out (which may be NULL to only check). */
static gboolean
read_quoted_string (const char **p,
                    GString     *out)
{
  const char *s = *p + 1;

  for (;;)
    {
      char c = *s++;

      if (c == '\0')
        return FALSE;
      if (c == '"')
        break;
      if (c != '\\')
        {
          if (out)
            g_string_append_c (out, c);
          continue;
        }
      c = *s++;
      switch (c)
        {
        case 'u':
          {
            gunichar u = 0;

            for (int i = 0; i < 4; i++, s++)
              {
                if (!g_ascii_isxdigit (*s))
                  return FALSE;
                u = u * 16 + g_ascii_xdigit_value (*s);
              }
            if (u == 0 || !g_unichar_validate (u))
              return FALSE;
            if (out)
              g_string_append_unichar (out, u);
          }
          break;
        case 'b':
          if (out)
            g_string_append_c (out, '\b');
          break;
        case 't':
          if (out)
            g_string_append_c (out, '\t');
          break;
        case 'n':
          if (out)
            g_string_append_c (out, '\n');
          break;
        case 'r':
          if (out)
            g_string_append_c (out, '\r');
          break;
        case '\0':
          return FALSE;
        default:
          /* \" \' \\ and, leniently, any other quoted character */
          if (out)
            g_string_append_c (out, c);
        }
    }
  *p = s;
  return TRUE;
}

static void
append_quoted_string (GString    *out,
                      const char *text)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) text; *p; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\b':
          g_string_append (out, "\\b");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\u%04X", *p);
          else
            g_string_append_c (out, *p);
        }
    }
  g_string_append_c (out, '"');
}

/* Reads an identity in any form peers write (`"Name" <uri>`, `Name <uri>`,
 * `<uri>`, a bare URI) and returns it as CPIM writes it, or NULL. */
static char *
normalize_identity (const char *identity)
{
  g_autoptr(GString) display = g_string_new (NULL);
  g_autoptr(GString) out = NULL;
  const char *p = identity;
  const char *uri, *end;

  while (_msrp_cpim_is_wsp (*p))
    p++;
  if (*p == '"')
    {
      if (!read_quoted_string (&p, display))
        return NULL;
      while (_msrp_cpim_is_wsp (*p))
        p++;
      if (*p != '<')
        return NULL;
    }
  else
    {
      const char *lt = strchr (p, '<');

      if (lt != NULL)
        {
          const char *e = lt;

          while (e > p && _msrp_cpim_is_wsp (e[-1]))
            e--;
          if (memchr (p, '"', e - p) != NULL)
            return NULL;
          g_string_append_len (display, p, e - p);
          p = lt;
        }
    }

  if (*p == '<')
    {
      uri = p + 1;
      end = strchr (uri, '>');
      if (end == NULL)
        return NULL;
      for (p = end + 1; _msrp_cpim_is_wsp (*p); p++)
        ;
      if (*p != '\0')
        return NULL;
    }
  else
    {
      uri = p;
      end = p + strlen (p);
      while (end > uri && _msrp_cpim_is_wsp (end[-1]))
        end--;
    }
  if (!_msrp_cpim_is_uri (uri, end - uri) || !g_utf8_validate (display->str, display->len, NULL) ||
      strlen (display->str) != display->len)
    return NULL;

  out = g_string_new (NULL);
  if (display->len > 0)
    {
      append_quoted_string (out, display->str);
      g_string_append_c (out, ' ');
    }
  g_string_append_c (out, '<');
  g_string_append_len (out, uri, end - uri);
  g_string_append_c (out, '>');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Checks `*( ";" Param-name "=" Param-value )` from *p; *p ends past it. */
gboolean
_msrp_cpim_skip_params (const char **p)
{
  const char *s = *p;

  while (*s == ';')
    {
      gsize n = _msrp_cpim_span_name (++s);

      if (n == 0 || s[n] != '=')
        return FALSE;
      s += n + 1;
      if (*s == '"')
        {
          if (!read_quoted_string (&s, NULL))
            return FALSE;
        }
      else
        {
          const char *start = s;

          while (is_cpim_token_char (*s))
            s++;
          if (s == start)
            return FALSE;
        }
    }
  *p = s;
  return TRUE;
}

/* The raw value of parameter name in a checked parameter string. */
char *
_msrp_cpim_params_get (const char *params,
                       const char *name)
{
  const char *s = params;

  if (params == NULL)
    return NULL;
  while (*s == ';')
    {
      const char *pname = ++s;
      gsize n = _msrp_cpim_span_name (s);
      const char *value;

      s += n + 1;
      value = s;
      if (*s == '"')
        read_quoted_string (&s, NULL);
      else
        while (is_cpim_token_char (*s))
          s++;
      if (n == strlen (name) && strncmp (pname, name, n) == 0)
        return g_strndup (value, s - value);
    }
  return NULL;
}

gboolean
_msrp_cpim_is_identity_header (const char *name)
{
  return strcmp (name, "From") == 0 || strcmp (name, "To") == 0 || strcmp (name, "cc") == 0;
}

/* Whether an identity is already as normalize_identity() writes it
 * (`<uri>`, or `"Name" <uri>` with a name that needs no escapes), so that
 * parsing keeps it as it is instead of writing it anew. */
gboolean
_msrp_cpim_is_normal_identity (const char *s,
                               gsize       len)
{
  const char *end = s + len;
  const char *p = s;

  if (p < end && *p == '"')
    {
      const char *name = ++p;

      while (p < end && *p != '"' && *p != '\\' && (guchar) *p >= 0x20 && *p != 0x7f)
        p++;
      if (p == name || p + 2 >= end || p[0] != '"' || p[1] != ' ')
        return FALSE;
      p += 2;
    }
  return end - p >= 2 && *p == '<' && end[-1] == '>' && _msrp_cpim_is_uri (p + 1, end - p - 2);
}

static int
read_digits (const char *s,
             int         n)
{
  int value = 0;

  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return -1;
      value = value * 10 + (s[i] - '0');
    }
  return value;
}

static gboolean
is_in_range (int value,
             int min,
             int max)
{
  return value >= min && value <= max;
}

/* The form of RFC 3339 senders write (2000-12-13T13:40:00.25-08:00),
 * checked by hand: only times GDateTime takes too, years 2 to 9998 so that
 * no offset moves them out of its range. */
static gboolean
is_common_datetime (const char *s)
{
  static const guint8 days_in_month[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int year, month, day;
  const char *p;

  if (strnlen (s, 20) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
      s[13] != ':' || s[16] != ':')
    return FALSE;
  year = read_digits (s, 4);
  month = read_digits (s + 5, 2);
  day = read_digits (s + 8, 2);
  if (!is_in_range (year, 2, 9998) || !is_in_range (month, 1, 12) ||
      !is_in_range (day, 1, days_in_month[month - 1]) ||
      (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))))
    return FALSE;
  if (!is_in_range (read_digits (s + 11, 2), 0, 23) ||
      !is_in_range (read_digits (s + 14, 2), 0, 59) ||
      !is_in_range (read_digits (s + 17, 2), 0, 59))
    return FALSE;

  p = s + 19;
  if (*p == '.')
    {
      const char *fraction = ++p;

      while (g_ascii_isdigit (*p))
        p++;
      /* more digits could round up to second 60 */
      if (p == fraction || p - fraction > 9)
        return FALSE;
    }
  if (*p == 'Z')
    p++;
  else if ((*p == '+' || *p == '-') && is_in_range (read_digits (p + 1, 2), 0, 23) &&
           p[3] == ':' && is_in_range (read_digits (p + 4, 2), 0, 59))
    p += 6;
  else
    return FALSE;
  return *p == '\0';
}

/* Whether s is a time GDateTime reads (RFC 3339 or ISO 8601 with a time
 * zone). The common form is checked by hand, as making a GDateTime (and
 * its GTimeZone) for every message parsed costs more than the rest. */
gboolean
_msrp_cpim_is_datetime (const char *s)
{
  g_autoptr(GDateTime) datetime = NULL;

  if (is_common_datetime (s))
    return TRUE;
  datetime = g_date_time_new_from_iso8601 (s, NULL);
  return datetime != NULL;
}

/* s without the spaces and tabs around it. */
MsrpCpimSlice
_msrp_cpim_strip (const char *s,
                  gsize       len)
{
  while (len > 0 && _msrp_cpim_is_wsp (*s))
    {
      s++;
      len--;
    }
  while (len > 0 && _msrp_cpim_is_wsp (s[len - 1]))
    len--;
  return (MsrpCpimSlice) { s, len };
}

gboolean
_msrp_cpim_is_field_name (const char *s,
                          gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if ((guchar) s[i] <= 0x20 || (guchar) s[i] >= 0x7f || s[i] == ':')
      return FALSE;
  return TRUE;
}

char *
_msrp_cpim_normalize_identity (const char *identity)
{
  g_return_val_if_fail (identity != NULL, NULL);

  return normalize_identity (identity);
}

char *
_msrp_cpim_identity_get_uri (const char *identity)
{
  g_autofree char *normalized = NULL;
  const char *lt, *gt;

  g_return_val_if_fail (identity != NULL, NULL);

  normalized = normalize_identity (identity);
  if (normalized == NULL)
    return NULL;
  /* Written as `... <uri>`: the URI has no '<' (_msrp_cpim_is_uri refuses it). */
  lt = strrchr (normalized, '<');
  gt = strrchr (normalized, '>');
  return g_strndup (lt + 1, gt - lt - 1);
}
