/* msrp-cpim-message.c: RFC 3862 message/cpim
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-cpim-message.h"
#include "msrp-cpim-private.h"
#include "msrp-error.h"
#include "msrp-utils-private.h"

/**
 * MsrpCpimMessage:
 *
 * A CPIM message (RFC 3862, `message/cpim`): the envelope chat messages
 * travel in when they need more than MSRP's own headers, such as a sender
 * and recipients, a timestamp, a subject, or the IMDN headers of RFC 5438.
 *
 * A CPIM message has three parts: its own headers (From, To, cc, DateTime,
 * Subject, NS, Require and namespaced extension headers), the MIME headers
 * of the content it carries (Content-Type, Content-ID, ...), and the
 * content itself, kept as bytes.
 *
 * [func@Msrp.CpimMessage.parse] reads CRLF or bare LF lines and headers in
 * any order; [method@Msrp.CpimMessage.to_bytes] always writes CRLF lines,
 * identities as `"Display Name" <uri>` or `<uri>`, and the `NS:` lines of
 * the namespaces in use, so that namespaced headers are addressed by their
 * namespace URI, whatever prefix the sender picked:
 *
 * ```c
 * g_autoptr(GBytes) text = g_bytes_new_static ("Hello", 5);
 * g_autoptr(MsrpCpimMessage) msg = msrp_cpim_message_new ("text/plain; charset=utf-8", text);
 * g_autoptr(GBytes) wire = NULL;
 * g_autoptr(GError) error = NULL;
 *
 * msrp_cpim_message_set_from (msg, "\"Alice\" <sip:alice@example.com>");
 * msrp_cpim_message_add_to (msg, "<sip:bob@example.com>");
 * msrp_cpim_message_add_header (msg, "urn:ietf:params:imdn", "imdn",
 *                               "Message-ID", "34jk324j");
 * wire = msrp_cpim_message_to_bytes (msg);
 *
 * // and on the other side
 * g_autoptr(MsrpCpimMessage) in = msrp_cpim_message_parse (wire, &error);
 * const char *id = msrp_cpim_message_get_header (in, "urn:ietf:params:imdn",
 *                                                "Message-ID");
 * ```
 *
 * A message is plain data: it does no I/O, and its setters check their
 * arguments (a malformed identity or a line break in a value is a
 * programming error). Parsing hostile input is bounded: the header blocks
 * may take at most 64 KiB and 256 lines together.
 *
 * Since: 1.0
 */

/* Together, the CPIM and MIME header blocks: enough for any real message,
 * small enough that hostile input cannot take much memory. */
#define MAX_HEADER_BLOCK (64 * 1024)
#define MAX_HEADER_LINES 256

typedef struct
{
  char *ns;      /* the resolved namespace URI */
  char *prefix;  /* the prefix to write it with, if free; NULL: none given */
  char *name;
  char *params;  /* ";lang=fr..." as written, or NULL */
  char *value;
} CpimHeader;

struct _MsrpCpimMessage
{
  GObject parent_instance;

  GPtrArray *headers;          /* (element-type CpimHeader) */
  GPtrArray *content_names;    /* (element-type utf8) */
  GPtrArray *content_values;   /* (element-type utf8) */
  GBytes *body;
};

G_DEFINE_FINAL_TYPE (MsrpCpimMessage, msrp_cpim_message, G_TYPE_OBJECT)

static void
cpim_header_free (gpointer data)
{
  CpimHeader *h = data;

  g_free (h->ns);
  g_free (h->prefix);
  g_free (h->name);
  g_free (h->params);
  g_free (h->value);
  g_free (h);
}

static void
msrp_cpim_message_finalize (GObject *object)
{
  MsrpCpimMessage *self = MSRP_CPIM_MESSAGE (object);

  g_ptr_array_unref (self->headers);
  g_ptr_array_unref (self->content_names);
  g_ptr_array_unref (self->content_values);
  g_bytes_unref (self->body);

  G_OBJECT_CLASS (msrp_cpim_message_parent_class)->finalize (object);
}

static void
msrp_cpim_message_class_init (MsrpCpimMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = msrp_cpim_message_finalize;
}

static void
msrp_cpim_message_init (MsrpCpimMessage *self)
{
  self->headers = g_ptr_array_new_with_free_func (cpim_header_free);
  self->content_names = g_ptr_array_new_with_free_func (g_free);
  self->content_values = g_ptr_array_new_with_free_func (g_free);
  self->body = g_bytes_new_static ("", 0);
}

/* Syntax (RFC 3862 section 3.2). */

static gboolean
is_name_char (guchar c)
{
  return g_ascii_isalnum (c) || c == 0x21 || (c >= 0x23 && c <= 0x27) ||
         c == 0x2a || c == 0x2b || c == 0x2d || (c >= 0x5e && c <= 0x60) ||
         c == 0x7c || c == 0x7e;
}

static gboolean
is_cpim_token_char (guchar c)
{
  return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a || c == 0x2b ||
         c == 0x2d || c == 0x2e || (c >= 0x30 && c <= 0x39) ||
         (c >= 0x41 && c <= 0x5a) || (c >= 0x5e && c <= 0x7e);
}

static gsize
span_name (const char *s)
{
  gsize n = 0;

  while (is_name_char (s[n]))
    n++;
  return n;
}

static gboolean
is_name (const char *s)
{
  return s != NULL && *s != '\0' && s[span_name (s)] == '\0';
}

static gboolean
is_wsp (char c)
{
  return c == ' ' || c == '\t';
}

/* A URI as CPIM carries it between angle brackets: a scheme (RFC 3986),
 * then visible ASCII; sip:, sips:, im:, tel:, urn:, mid: and any other. */
static gboolean
is_uri (const char *s,
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
    if ((guchar) s[i] <= 0x20 || (guchar) s[i] >= 0x7f || strchr ("<>\"", s[i]) != NULL)
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

  while (is_wsp (*p))
    p++;
  if (*p == '"')
    {
      if (!read_quoted_string (&p, display))
        return NULL;
      while (is_wsp (*p))
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

          while (e > p && is_wsp (e[-1]))
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
      for (p = end + 1; is_wsp (*p); p++)
        ;
      if (*p != '\0')
        return NULL;
    }
  else
    {
      uri = p;
      end = p + strlen (p);
      while (end > uri && is_wsp (end[-1]))
        end--;
    }
  if (!is_uri (uri, end - uri) || !g_utf8_validate (display->str, display->len, NULL) ||
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
static gboolean
skip_params (const char **p)
{
  const char *s = *p;

  while (*s == ';')
    {
      gsize n = span_name (++s);

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
static char *
params_get (const char *params,
            const char *name)
{
  const char *s = params;

  if (params == NULL)
    return NULL;
  while (*s == ';')
    {
      const char *pname = ++s;
      gsize n = span_name (s);
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

static gboolean
is_identity_header (const char *name)
{
  return strcmp (name, "From") == 0 || strcmp (name, "To") == 0 || strcmp (name, "cc") == 0;
}

static char *
format_datetime (GDateTime *datetime)
{
  GString *out = g_string_new (NULL);
  GTimeSpan offset = g_date_time_get_utc_offset (datetime) / G_TIME_SPAN_MINUTE;
  int usec = g_date_time_get_microsecond (datetime);

  g_string_append_printf (out, "%04d-%02d-%02dT%02d:%02d:%02d",
                          g_date_time_get_year (datetime),
                          g_date_time_get_month (datetime),
                          g_date_time_get_day_of_month (datetime),
                          g_date_time_get_hour (datetime),
                          g_date_time_get_minute (datetime),
                          g_date_time_get_second (datetime));
  if (usec != 0)
    {
      g_string_append_printf (out, ".%06d", usec);
      while (out->str[out->len - 1] == '0')
        g_string_truncate (out, out->len - 1);
    }
  if (offset == 0)
    g_string_append_c (out, 'Z');
  else
    g_string_append_printf (out, "%c%02d:%02d", offset < 0 ? '-' : '+',
                            (int) (ABS (offset) / 60), (int) (ABS (offset) % 60));
  return g_string_free (out, FALSE);
}

/* Headers */

/* g_strv_builder_unref_to_strv() is GLib 2.82 */
static char **
strv_builder_finish (GStrvBuilder *builder)
{
  char **strv = g_strv_builder_end (builder);

  g_strv_builder_unref (builder);
  return strv;
}

static gboolean
header_is (const CpimHeader *h,
           const char       *ns,
           const char       *name)
{
  return strcmp (h->name, name) == 0 && strcmp (h->ns, ns ? ns : MSRP_CPIM_NAMESPACE) == 0;
}

static CpimHeader *
header_new (const char *ns,
            const char *prefix,
            const char *name,
            const char *params,
            char       *value)
{
  CpimHeader *h = g_new0 (CpimHeader, 1);

  h->ns = g_strdup (ns ? ns : MSRP_CPIM_NAMESPACE);
  h->prefix = g_strdup (prefix);
  h->name = g_strdup (name);
  h->params = g_strdup (params);
  h->value = value;
  return h;
}

static CpimHeader *
find_header (MsrpCpimMessage *self,
             const char      *ns,
             const char      *name,
             guint           *index)
{
  for (guint i = index ? *index : 0; i < self->headers->len; i++)
    {
      CpimHeader *h = g_ptr_array_index (self->headers, i);

      if (header_is (h, ns, name))
        {
          if (index)
            *index = i;
          return h;
        }
    }
  return NULL;
}

static char **
header_values (MsrpCpimMessage *self,
               const char      *ns,
               const char      *name)
{
  GStrvBuilder *builder = g_strv_builder_new ();

  for (guint i = 0; i < self->headers->len; i++)
    {
      CpimHeader *h = g_ptr_array_index (self->headers, i);

      if (header_is (h, ns, name))
        g_strv_builder_add (builder, h->value);
    }
  return strv_builder_finish (builder);
}

/* Replaces the first of the headers that match with value (removing the
 * others), or appends it; NULL removes them all. */
static void
replace_headers (MsrpCpimMessage *self,
                 const char      *name,
                 char            *value,
                 gboolean         with_params)
{
  gboolean done = value == NULL;

  for (guint i = 0; i < self->headers->len;)
    {
      CpimHeader *h = g_ptr_array_index (self->headers, i);

      if (header_is (h, NULL, name) && (with_params || h->params == NULL))
        {
          if (!done)
            {
              g_free (h->value);
              h->value = value;
              g_clear_pointer (&h->params, g_free);
              done = TRUE;
              i++;
              continue;
            }
          g_ptr_array_remove_index (self->headers, i);
          continue;
        }
      i++;
    }
  if (!done)
    g_ptr_array_add (self->headers, header_new (NULL, NULL, name, NULL, value));
}

/* Parsing */

typedef struct
{
  guint line;
  char *prefix;
  char *name;
  char *params;
  char *value;
} RawHeader;

static void
raw_header_clear (gpointer data)
{
  RawHeader *r = data;

  g_free (r->prefix);
  g_free (r->name);
  g_free (r->params);
  g_free (r->value);
}

typedef struct
{
  const char *data;
  gsize len;
  gsize pos;
  guint line;
  guint n_lines;
} Reader;

/* The next line, without its CRLF or LF, checked as text. */
static gboolean
read_line (Reader      *r,
           const char **line,
           gsize       *line_len,
           GError     **error)
{
  gsize limit = MIN (r->len, MAX_HEADER_BLOCK);
  const char *lf = NULL;
  g_autofree char *copy = NULL;

  if (r->pos < limit)
    lf = memchr (r->data + r->pos, '\n', limit - r->pos);
  if (lf == NULL)
    {
      if (r->len > MAX_HEADER_BLOCK)
        g_set_error (error, MSRP_ERROR, MSRP_ERROR_HEADERS_TOO_LARGE,
                     _("The headers of the CPIM message are larger than %u bytes"),
                     (guint) MAX_HEADER_BLOCK);
      else
        g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                             _("The CPIM message ends before the blank line that ends its headers"));
      return FALSE;
    }
  if (++r->n_lines > MAX_HEADER_LINES)
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_TOO_MANY_HEADERS,
                   _("The CPIM message has more than %u header lines"),
                   (guint) MAX_HEADER_LINES);
      return FALSE;
    }
  r->line++;
  *line = r->data + r->pos;
  *line_len = lf - *line;
  if (*line_len > 0 && (*line)[*line_len - 1] == '\r')
    (*line_len)--;
  r->pos = lf - r->data + 1;

  copy = g_strndup (*line, *line_len);
  if (strlen (copy) != *line_len || !_msrp_is_header_value (copy))
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                   _("Line %u of the CPIM message has control characters or is not UTF-8"),
                   r->line);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_cpim_header (const char *line,
                   RawHeader  *raw,
                   GError    **error)
{
  const char *p = line;
  const char *params;
  gsize n = span_name (p);

  if (n > 0 && p[n] == '.')
    {
      raw->prefix = g_strndup (p, n);
      p += n + 1;
      n = span_name (p);
    }
  if (n == 0 || p[n] != ':')
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                   _("Line %u of the CPIM message is not a header (Name: value)"),
                   raw->line);
      return FALSE;
    }
  raw->name = g_strndup (p, n);
  p += n + 1;
  params = p;
  if (!skip_params (&p))
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                   _("Line %u of the CPIM message has invalid header parameters"),
                   raw->line);
      return FALSE;
    }
  if (p > params)
    raw->params = g_strndup (params, p - params);
  if (is_wsp (*p))
    p++;
  raw->value = g_strdup (p);
  return TRUE;
}

/* NS: [prefix SP] <uri> */
static gboolean
parse_ns (const RawHeader *raw,
          char           **prefix,
          char           **uri,
          GError         **error)
{
  const char *p = raw->value;
  const char *end;
  gsize n;

  while (is_wsp (*p))
    p++;
  n = span_name (p);
  if (n > 0)
    {
      *prefix = g_strndup (p, n);
      p += n;
      if (!is_wsp (*p))
        goto fail;
      while (is_wsp (*p))
        p++;
    }
  if (*p != '<' || (end = strchr (p, '>')) == NULL || !is_uri (p + 1, end - p - 1))
    goto fail;
  *uri = g_strndup (p + 1, end - p - 1);
  for (p = end + 1; is_wsp (*p); p++)
    ;
  if (*p != '\0')
    {
      g_clear_pointer (uri, g_free);
      goto fail;
    }
  return TRUE;

fail:
  g_clear_pointer (prefix, g_free);
  g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
               _("Line %u of the CPIM message is not a namespace declaration (NS: prefix <uri>)"),
               raw->line);
  return FALSE;
}

static gboolean
is_ns_declaration (const RawHeader *raw)
{
  return raw->prefix == NULL && strcmp (raw->name, "NS") == 0;
}

/* Resolves the prefixes of the CPIM header block and checks CPIM's own
 * headers. A declaration holds from where it is; a prefix used before its
 * declaration takes its first one, as some senders write NS last. */
static gboolean
resolve_headers (MsrpCpimMessage *self,
                 GArray          *raws,
                 GError         **error)
{
  g_autoptr(GHashTable) first = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) current = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < raws->len; i++)
    {
      RawHeader *raw = &g_array_index (raws, RawHeader, i);
      char *prefix = NULL, *uri = NULL;

      if (!is_ns_declaration (raw))
        continue;
      if (!parse_ns (raw, &prefix, &uri, error))
        return FALSE;
      if (prefix == NULL || g_hash_table_contains (first, prefix))
        {
          g_free (prefix);
          g_free (uri);
        }
      else
        g_hash_table_insert (first, prefix, uri);
    }

  for (guint i = 0; i < raws->len; i++)
    {
      RawHeader *raw = &g_array_index (raws, RawHeader, i);
      const char *ns;
      char *value;

      if (is_ns_declaration (raw))
        {
          char *prefix = NULL, *uri = NULL;

          parse_ns (raw, &prefix, &uri, NULL);
          g_hash_table_insert (current, prefix ? prefix : g_strdup (""), uri);
          continue;
        }

      if (raw->prefix == NULL)
        ns = g_hash_table_lookup (current, "");
      else if ((ns = g_hash_table_lookup (current, raw->prefix)) == NULL)
        ns = g_hash_table_lookup (first, raw->prefix);
      if (ns == NULL && raw->prefix != NULL)
        {
          g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                       _("Line %u of the CPIM message uses the name prefix “%s”, which no NS line declares"),
                       raw->line, raw->prefix);
          return FALSE;
        }
      if (ns == NULL)
        ns = MSRP_CPIM_NAMESPACE;

      value = g_steal_pointer (&raw->value);
      if (strcmp (ns, MSRP_CPIM_NAMESPACE) == 0)
        {
          if (strcmp (raw->name, "NS") == 0)
            {
              /* "cpim.NS", a declaration all the same */
              char *prefix = NULL, *uri = NULL;

              raw->value = value;
              if (!parse_ns (raw, &prefix, &uri, error))
                return FALSE;
              g_hash_table_insert (current, prefix ? prefix : g_strdup (""), uri);
              continue;
            }
          if (is_identity_header (raw->name))
            {
              char *identity = normalize_identity (value);

              g_free (value);
              if (identity == NULL)
                {
                  g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                               _("Line %u of the CPIM message has an invalid identity (expected \"Name\" <uri> or <uri>)"),
                               raw->line);
                  return FALSE;
                }
              value = identity;
            }
          else if (strcmp (raw->name, "DateTime") == 0)
            {
              g_autoptr(GDateTime) datetime = g_date_time_new_from_iso8601 (value, NULL);

              if (datetime == NULL)
                {
                  g_free (value);
                  g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                               _("Line %u of the CPIM message has an invalid DateTime (expected RFC 3339, such as 2000-12-13T13:40:00-08:00)"),
                               raw->line);
                  return FALSE;
                }
            }
        }
      g_ptr_array_add (self->headers,
                       header_new (ns, raw->prefix, raw->name, raw->params, value));
    }
  return TRUE;
}

static gboolean
is_field_name (const char *s,
               gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if ((guchar) s[i] <= 0x20 || (guchar) s[i] >= 0x7f || s[i] == ':')
      return FALSE;
  return TRUE;
}

static gboolean
parse_content_headers (MsrpCpimMessage *self,
                       Reader          *r,
                       GError         **error)
{
  for (;;)
    {
      const char *line, *colon;
      gsize len;

      if (!read_line (r, &line, &len, error))
        return FALSE;
      if (len == 0)
        return TRUE;

      if (is_wsp (line[0]))
        {
          /* folded (RFC 5322 section 2.2.3) */
          guint last = self->content_values->len;
          g_autofree char *more = g_strstrip (g_strndup (line, len));
          char **value;

          if (last == 0)
            {
              g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                           _("Line %u of the CPIM message continues a header but follows none"),
                           r->line);
              return FALSE;
            }
          value = (char **) &g_ptr_array_index (self->content_values, last - 1);
          if (*more != '\0')
            {
              char *joined = **value ? g_strconcat (*value, " ", more, NULL) : g_strdup (more);

              g_free (*value);
              *value = joined;
            }
          continue;
        }

      colon = memchr (line, ':', len);
      if (colon == NULL || !is_field_name (line, colon - line))
        {
          g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                       _("Line %u of the CPIM message is not a MIME header (Name: value)"),
                       r->line);
          return FALSE;
        }
      g_ptr_array_add (self->content_names, g_strndup (line, colon - line));
      g_ptr_array_add (self->content_values,
                       g_strstrip (g_strndup (colon + 1, len - (colon + 1 - line))));
    }
}

/* The two header blocks, with their blank lines. */
static void
write_headers (MsrpCpimMessage *self,
               GString         *out)
{
  g_autoptr(GHashTable) prefix_of = NULL;   /* ns -> prefix */
  g_autoptr(GHashTable) taken = NULL;       /* prefix -> ns */
  g_autoptr(GPtrArray) order = NULL;        /* namespaces, first use first */
  guint counter = 0;

  prefix_of = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  taken = g_hash_table_new (g_str_hash, g_str_equal);
  order = g_ptr_array_new ();

  /* The prefixes headers came with first, so that Require values that
   * name them stay right; then made-up ones for the rest. */
  for (guint i = 0; i < self->headers->len; i++)
    {
      CpimHeader *h = g_ptr_array_index (self->headers, i);

      if (strcmp (h->ns, MSRP_CPIM_NAMESPACE) == 0 || g_hash_table_contains (prefix_of, h->ns))
        continue;
      if (!g_ptr_array_find_with_equal_func (order, h->ns, g_str_equal, NULL))
        g_ptr_array_add (order, h->ns);
      if (h->prefix != NULL && !g_hash_table_contains (taken, h->prefix))
        {
          char *prefix = g_strdup (h->prefix);

          g_hash_table_insert (prefix_of, h->ns, prefix);
          g_hash_table_insert (taken, prefix, h->ns);
        }
    }
  for (guint i = 0; i < order->len; i++)
    {
      char *ns = g_ptr_array_index (order, i);
      char *prefix;

      if (g_hash_table_contains (prefix_of, ns))
        continue;
      for (;;)
        {
          prefix = g_strdup_printf ("ns%u", ++counter);
          if (!g_hash_table_contains (taken, prefix))
            break;
          g_free (prefix);
        }
      g_hash_table_insert (prefix_of, ns, prefix);
      g_hash_table_insert (taken, prefix, ns);
    }

  for (guint i = 0; i < order->len; i++)
    {
      const char *ns = g_ptr_array_index (order, i);

      g_string_append_printf (out, "NS: %s <%s>\r\n",
                              (const char *) g_hash_table_lookup (prefix_of, ns), ns);
    }
  for (guint i = 0; i < self->headers->len; i++)
    {
      CpimHeader *h = g_ptr_array_index (self->headers, i);

      if (strcmp (h->ns, MSRP_CPIM_NAMESPACE) != 0)
        {
          g_string_append (out, g_hash_table_lookup (prefix_of, h->ns));
          g_string_append_c (out, '.');
        }
      g_string_append (out, h->name);
      g_string_append_c (out, ':');
      if (h->params != NULL)
        g_string_append (out, h->params);
      g_string_append_c (out, ' ');
      g_string_append (out, h->value);
      g_string_append (out, "\r\n");
    }
  g_string_append (out, "\r\n");
  for (guint i = 0; i < self->content_names->len; i++)
    g_string_append_printf (out, "%s: %s\r\n",
                            (const char *) g_ptr_array_index (self->content_names, i),
                            (const char *) g_ptr_array_index (self->content_values, i));
  g_string_append (out, "\r\n");
}

/**
 * msrp_cpim_message_to_bytes:
 * @self: a #MsrpCpimMessage
 *
 * Writes the message as a `message/cpim` body: an `NS:` line for each
 * namespace its headers use (with the prefix they were given, or `ns1`,
 * `ns2`... when none was or it is taken), its headers in order, a blank
 * line, the MIME headers, a blank line and the content. Lines end in CRLF.
 *
 * Returns: (transfer full): the bytes of the message
 *
 * Since: 1.0
 */
GBytes *
msrp_cpim_message_to_bytes (MsrpCpimMessage *self)
{
  gsize body_len;
  const char *body;
  GString *out;

  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (self), NULL);

  body = g_bytes_get_data (self->body, &body_len);
  out = g_string_sized_new (256 + body_len);
  write_headers (self, out);
  g_string_append_len (out, body, body_len);
  return g_string_free_to_bytes (out);
}

/**
 * msrp_cpim_message_parse:
 * @data: a `message/cpim` body
 * @error: return location for a #GError
 *
 * Parses a CPIM message: its headers, then the MIME headers of its
 * content, then the content. Lines may end in CRLF or in a bare LF, and
 * headers may come in any order. Identities are kept as CPIM writes them
 * (see [method@Msrp.CpimMessage.get_from]); the content is a slice of
 * @data, not a copy, and may hold any bytes.
 *
 * Bad input fails with %MSRP_ERROR_MALFORMED_CPIM and a message that names
 * the line; header blocks over 64 KiB with %MSRP_ERROR_HEADERS_TOO_LARGE,
 * more than 256 header lines with %MSRP_ERROR_TOO_MANY_HEADERS.
 *
 * Returns: (transfer full): the message, or %NULL with @error set
 *
 * Since: 1.0
 */
MsrpCpimMessage *
msrp_cpim_message_parse (GBytes  *data,
                         GError **error)
{
  g_autoptr(MsrpCpimMessage) self = NULL;
  g_autoptr(GArray) raws = NULL;
  Reader r = { 0, };

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  r.data = g_bytes_get_data (data, &r.len);
  raws = g_array_new (FALSE, TRUE, sizeof (RawHeader));
  g_array_set_clear_func (raws, raw_header_clear);

  for (;;)
    {
      RawHeader raw = { 0, };
      g_autofree char *text = NULL;
      const char *line;
      gsize len;

      if (!read_line (&r, &line, &len, error))
        return NULL;
      if (len == 0)
        break;
      raw.line = r.line;
      text = g_strndup (line, len);
      if (!parse_cpim_header (text, &raw, error))
        {
          raw_header_clear (&raw);
          return NULL;
        }
      g_array_append_val (raws, raw);
    }

  self = g_object_new (MSRP_TYPE_CPIM_MESSAGE, NULL);
  if (!resolve_headers (self, raws, error) ||
      !parse_content_headers (self, &r, error))
    return NULL;

  /* What parses must write what parses again: identities gain quotes and
   * escapes, lines CRLF, namespaces prefixes. Writing at most doubles the
   * header blocks plus a few bytes a line; check exactly past that. */
  if (r.pos * 2 + r.n_lines * 32 > MAX_HEADER_BLOCK)
    {
      g_autoptr(GString) written = g_string_new (NULL);

      write_headers (self, written);
      if (written->len > MAX_HEADER_BLOCK)
        {
          g_set_error (error, MSRP_ERROR, MSRP_ERROR_HEADERS_TOO_LARGE,
                       _("The headers of the CPIM message are larger than %u bytes"),
                       (guint) MAX_HEADER_BLOCK);
          return NULL;
        }
    }

  g_bytes_unref (self->body);
  self->body = g_bytes_new_from_bytes (data, r.pos, r.len - r.pos);
  return g_steal_pointer (&self);
}

/**
 * msrp_cpim_message_new:
 * @content_type: (nullable): the MIME type of @body, such as
 *   `text/plain; charset=utf-8`, or %NULL for no Content-Type header
 * @body: (nullable): the content, or %NULL for none
 *
 * Makes a CPIM message that carries @body. Add its headers with the
 * setters, then write it with [method@Msrp.CpimMessage.to_bytes].
 *
 * Returns: (transfer full): a new message
 *
 * Since: 1.0
 */
MsrpCpimMessage *
msrp_cpim_message_new (const char *content_type,
                       GBytes     *body)
{
  MsrpCpimMessage *self = g_object_new (MSRP_TYPE_CPIM_MESSAGE, NULL);

  if (content_type != NULL)
    msrp_cpim_message_set_content_header (self, "Content-Type", content_type);
  if (body != NULL)
    {
      g_bytes_unref (self->body);
      self->body = g_bytes_ref (body);
    }
  return self;
}


/**
 * msrp_cpim_message_equal:
 * @a: a #MsrpCpimMessage
 * @b: another #MsrpCpimMessage
 *
 * Whether two messages say the same: the same headers in the same order
 * (by namespace URI, whatever their prefixes), the same MIME headers and
 * the same content.
 *
 * Returns: %TRUE if @a and @b are equal
 *
 * Since: 1.0
 */
gboolean
msrp_cpim_message_equal (MsrpCpimMessage *a,
                         MsrpCpimMessage *b)
{
  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (a), FALSE);
  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (b), FALSE);

  if (a->headers->len != b->headers->len ||
      a->content_names->len != b->content_names->len ||
      !g_bytes_equal (a->body, b->body))
    return FALSE;
  for (guint i = 0; i < a->headers->len; i++)
    {
      CpimHeader *ha = g_ptr_array_index (a->headers, i);
      CpimHeader *hb = g_ptr_array_index (b->headers, i);

      if (strcmp (ha->ns, hb->ns) != 0 || strcmp (ha->name, hb->name) != 0 ||
          g_strcmp0 (ha->params, hb->params) != 0 || strcmp (ha->value, hb->value) != 0)
        return FALSE;
    }
  for (guint i = 0; i < a->content_names->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (a->content_names, i),
                            g_ptr_array_index (b->content_names, i)) != 0 ||
        strcmp (g_ptr_array_index (a->content_values, i),
                g_ptr_array_index (b->content_values, i)) != 0)
      return FALSE;
  return TRUE;
}

/* Identities */

/**
 * msrp_cpim_message_get_from:
 * @self: a #MsrpCpimMessage
 *
 * Gets the sender: the From header, as CPIM writes an identity,
 * `"Display Name" <uri>` or `<uri>` (whatever form the sender used).
 *
 * Returns: (nullable): the sender, or %NULL when there is no From header
 *
 * Since: 1.0
 */
const char *
msrp_cpim_message_get_from (MsrpCpimMessage *self)
{
  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (self), NULL);

  return msrp_cpim_message_get_header (self, NULL, "From");
}

/**
 * msrp_cpim_message_set_from:
 * @self: a #MsrpCpimMessage
 * @identity: (nullable): the sender, as `"Display Name" <uri>`,
 *   `Display Name <uri>`, `<uri>` or a bare URI; %NULL removes it
 *
 * Sets the sender (the From header). The identity is written as CPIM
 * writes identities, `"Display Name" <uri>` or `<uri>`.
 *
 * Since: 1.0
 */
void
msrp_cpim_message_set_from (MsrpCpimMessage *self,
                            const char      *identity)
{
  char *normalized = NULL;

  g_return_if_fail (MSRP_IS_CPIM_MESSAGE (self));
  if (identity != NULL)
    {
      normalized = normalize_identity (identity);
      g_return_if_fail (normalized != NULL);
    }

  if (normalized != NULL && find_header (self, NULL, "From", NULL) == NULL)
    g_ptr_array_insert (self->headers, 0, header_new (NULL, NULL, "From", NULL, normalized));
  else
    replace_headers (self, "From", normalized, TRUE);
}

static void
add_identity (MsrpCpimMessage *self,
              const char      *name,
              const char      *identity)
{
  char *normalized = normalize_identity (identity);

  g_return_if_fail (normalized != NULL);
  g_ptr_array_add (self->headers, header_new (NULL, NULL, name, NULL, normalized));
}

/**
 * msrp_cpim_message_get_to:
 * @self: a #MsrpCpimMessage
 *
 * Gets the recipients: every To header, in order, as CPIM writes
 * identities (see [method@Msrp.CpimMessage.get_from]).
 *
 * Returns: (transfer full) (array zero-terminated=1): the recipients,
 *   possibly none
 *
 * Since: 1.0
 */
char **
msrp_cpim_message_get_to (MsrpCpimMessage *self)
{
  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (self), NULL);

  return header_values (self, NULL, "To");
}

/**
 * msrp_cpim_message_add_to:
 * @self: a #MsrpCpimMessage
 * @identity: a recipient, as `"Display Name" <uri>`, `Display Name <uri>`,
 *   `<uri>` or a bare URI
 *
 * Adds a recipient (a To header).
 *
 * Since: 1.0
 */
void
msrp_cpim_message_add_to (MsrpCpimMessage *self,
                          const char      *identity)
{
  g_return_if_fail (MSRP_IS_CPIM_MESSAGE (self));
  g_return_if_fail (identity != NULL);

  add_identity (self, "To", identity);
}

/**
 * msrp_cpim_message_get_cc:
 * @self: a #MsrpCpimMessage
 *
 * Gets the courtesy recipients: every cc header, in order, as CPIM writes
 * identities.
 *
 * Returns: (transfer full) (array zero-terminated=1): the courtesy
 *   recipients, possibly none
 *
 * Since: 1.0
 */
char **
msrp_cpim_message_get_cc (MsrpCpimMessage *self)
{
  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (self), NULL);

  return header_values (self, NULL, "cc");
}

/**
 * msrp_cpim_message_add_cc:
 * @self: a #MsrpCpimMessage
 * @identity: a courtesy recipient, as `"Display Name" <uri>`,
 *   `Display Name <uri>`, `<uri>` or a bare URI
 *
 * Adds a courtesy recipient (a cc header).
 *
 * Since: 1.0
 */
void
msrp_cpim_message_add_cc (MsrpCpimMessage *self,
                          const char      *identity)
{
  g_return_if_fail (MSRP_IS_CPIM_MESSAGE (self));
  g_return_if_fail (identity != NULL);

  add_identity (self, "cc", identity);
}

/* Subject */

static char *
header_lang (const CpimHeader *h)
{
  return params_get (h->params, "lang");
}

/**
 * msrp_cpim_message_get_subject_for_lang:
 * @self: a #MsrpCpimMessage
 * @lang: (nullable): a language tag such as `fr`, compared without regard
 *   to case; %NULL for the Subject header without one
 *
 * Gets the subject in a language: the first Subject header whose `lang`
 * parameter is @lang (`Subject:;lang=fr Objet`).
 *
 * Returns: (nullable): the subject, or %NULL when there is none in @lang
 *
 * Since: 1.0
 */
const char *
msrp_cpim_message_get_subject_for_lang (MsrpCpimMessage *self,
                                        const char      *lang)
{
  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (self), NULL);

  for (guint i = 0; i < self->headers->len; i++)
    {
      CpimHeader *h = g_ptr_array_index (self->headers, i);
      g_autofree char *h_lang = NULL;

      if (!header_is (h, NULL, "Subject"))
        continue;
      h_lang = header_lang (h);
      if (lang == NULL ? h_lang == NULL : (h_lang != NULL && g_ascii_strcasecmp (h_lang, lang) == 0))
        return h->value;
    }
  return NULL;
}

/**
 * msrp_cpim_message_get_subject:
 * @self: a #MsrpCpimMessage
 *
 * Gets the subject: the Subject header without a language, or else the
 * first one. See [method@Msrp.CpimMessage.get_subject_for_lang] for the
 * others.
 *
 * Returns: (nullable): the subject, or %NULL when there is none
 *
 * Since: 1.0
 */
const char *
msrp_cpim_message_get_subject (MsrpCpimMessage *self)
{
  const char *subject;

  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (self), NULL);

  subject = msrp_cpim_message_get_subject_for_lang (self, NULL);
  return subject ? subject : msrp_cpim_message_get_header (self, NULL, "Subject");
}

/**
 * msrp_cpim_message_set_subject:
 * @self: a #MsrpCpimMessage
 * @subject: (nullable): the subject, on one line; %NULL removes it
 *
 * Sets the Subject header without a language, leaving those with one.
 *
 * Since: 1.0
 */
void
msrp_cpim_message_set_subject (MsrpCpimMessage *self,
                               const char      *subject)
{
  g_return_if_fail (MSRP_IS_CPIM_MESSAGE (self));
  g_return_if_fail (subject == NULL || _msrp_is_header_value (subject));

  replace_headers (self, "Subject", g_strdup (subject), FALSE);
}

/**
 * msrp_cpim_message_add_subject:
 * @self: a #MsrpCpimMessage
 * @subject: the subject, on one line
 * @lang: (nullable): its language tag, such as `fr`, or %NULL
 *
 * Adds a Subject header, in a language when @lang is given
 * (`Subject:;lang=fr Objet`). A message may have a subject in several
 * languages.
 *
 * Since: 1.0
 */
void
msrp_cpim_message_add_subject (MsrpCpimMessage *self,
                               const char      *subject,
                               const char      *lang)
{
  g_autofree char *params = NULL;

  g_return_if_fail (MSRP_IS_CPIM_MESSAGE (self));
  g_return_if_fail (subject != NULL && _msrp_is_header_value (subject));
  if (lang != NULL)
    {
      const char *p;

      params = g_strconcat (";lang=", lang, NULL);
      p = params;
      g_return_if_fail (*lang != '"' && skip_params (&p) && *p == '\0');
    }

  g_ptr_array_add (self->headers, header_new (NULL, NULL, "Subject", params, g_strdup (subject)));
}

/**
 * msrp_cpim_message_get_subject_langs:
 * @self: a #MsrpCpimMessage
 *
 * Gets the languages the subject is given in: the `lang` parameters of the
 * Subject headers, in order.
 *
 * Returns: (transfer full) (array zero-terminated=1): the language tags,
 *   possibly none
 *
 * Since: 1.0
 */
char **
msrp_cpim_message_get_subject_langs (MsrpCpimMessage *self)
{
  GStrvBuilder *builder;

  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->headers->len; i++)
    {
      CpimHeader *h = g_ptr_array_index (self->headers, i);
      char *lang;

      if (header_is (h, NULL, "Subject") && (lang = header_lang (h)) != NULL)
        {
          g_strv_builder_add (builder, lang);
          g_free (lang);
        }
    }
  return strv_builder_finish (builder);
}

/* DateTime */

/**
 * msrp_cpim_message_get_datetime:
 * @self: a #MsrpCpimMessage
 *
 * Gets when the message was sent: the DateTime header (RFC 3339), in the
 * time zone it was written with.
 *
 * Returns: (transfer full) (nullable): the time, or %NULL when there is no
 *   DateTime header
 *
 * Since: 1.0
 */
GDateTime *
msrp_cpim_message_get_datetime (MsrpCpimMessage *self)
{
  const char *value;

  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (self), NULL);

  value = msrp_cpim_message_get_header (self, NULL, "DateTime");
  return value ? g_date_time_new_from_iso8601 (value, NULL) : NULL;
}

/**
 * msrp_cpim_message_set_datetime:
 * @self: a #MsrpCpimMessage
 * @datetime: (nullable): when the message was sent, or %NULL to remove it
 *
 * Sets the DateTime header. It is written in RFC 3339 form with the time
 * zone offset of @datetime and its fraction of a second, if any, such as
 * `2000-12-13T13:40:00.25-08:00`.
 *
 * Since: 1.0
 */
void
msrp_cpim_message_set_datetime (MsrpCpimMessage *self,
                                GDateTime       *datetime)
{
  g_return_if_fail (MSRP_IS_CPIM_MESSAGE (self));

  replace_headers (self, "DateTime", datetime ? format_datetime (datetime) : NULL, TRUE);
}

/* Require */

/**
 * msrp_cpim_message_get_require:
 * @self: a #MsrpCpimMessage
 *
 * Gets the headers the receiver must understand (RFC 3862 section 4.7):
 * the names in the Require headers, as written (`MyFeatures.VitalOption`).
 *
 * Returns: (transfer full) (array zero-terminated=1): the header names,
 *   possibly none
 *
 * Since: 1.0
 */
char **
msrp_cpim_message_get_require (MsrpCpimMessage *self)
{
  GStrvBuilder *builder;

  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->headers->len; i++)
    {
      CpimHeader *h = g_ptr_array_index (self->headers, i);
      g_auto(GStrv) names = NULL;

      if (!header_is (h, NULL, "Require"))
        continue;
      names = g_strsplit (h->value, ",", -1);
      for (guint j = 0; names[j] != NULL; j++)
        if (*g_strstrip (names[j]) != '\0')
          g_strv_builder_add (builder, names[j]);
    }
  return strv_builder_finish (builder);
}

/**
 * msrp_cpim_message_add_require:
 * @self: a #MsrpCpimMessage
 * @header_name: the header the receiver must understand, as written,
 *   such as `MyFeatures.VitalOption`
 *
 * Adds a Require header. Give the header's namespace the prefix used here
 * in [method@Msrp.CpimMessage.add_header], so that the name resolves.
 *
 * Since: 1.0
 */
void
msrp_cpim_message_add_require (MsrpCpimMessage *self,
                               const char      *header_name)
{
  g_return_if_fail (MSRP_IS_CPIM_MESSAGE (self));
  g_return_if_fail (header_name != NULL && _msrp_is_header_value (header_name));

  g_ptr_array_add (self->headers, header_new (NULL, NULL, "Require", NULL, g_strdup (header_name)));
}

/* Any header */

/**
 * msrp_cpim_message_get_header:
 * @self: a #MsrpCpimMessage
 * @namespace_uri: (nullable): the namespace URI of the header, such as
 *   `urn:ietf:params:imdn`; %NULL for CPIM's own ([const@Msrp.CPIM_NAMESPACE])
 * @name: the header name, without prefix; CPIM header names are
 *   case-sensitive
 *
 * Gets a header by its namespace, whatever prefix the sender gave it:
 * `imdn.Message-ID` after `NS: imdn <urn:ietf:params:imdn>` is the header
 * `Message-ID` of namespace `urn:ietf:params:imdn`.
 *
 * Returns: (nullable): the value of the first such header, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_cpim_message_get_header (MsrpCpimMessage *self,
                              const char      *namespace_uri,
                              const char      *name)
{
  CpimHeader *h;

  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  h = find_header (self, namespace_uri, name, NULL);
  return h ? h->value : NULL;
}

/**
 * msrp_cpim_message_get_header_values:
 * @self: a #MsrpCpimMessage
 * @namespace_uri: (nullable): the namespace URI of the header; %NULL for
 *   CPIM's own
 * @name: the header name, without prefix
 *
 * Gets the values of every header of that name, in order, for headers
 * that may come more than once.
 *
 * Returns: (transfer full) (array zero-terminated=1): the values,
 *   possibly none
 *
 * Since: 1.0
 */
char **
msrp_cpim_message_get_header_values (MsrpCpimMessage *self,
                                     const char      *namespace_uri,
                                     const char      *name)
{
  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return header_values (self, namespace_uri, name);
}

/**
 * msrp_cpim_message_add_header:
 * @self: a #MsrpCpimMessage
 * @namespace_uri: (nullable): the namespace URI of the header, such as
 *   `urn:ietf:params:imdn`; %NULL for CPIM's own
 * @prefix: (nullable): the prefix to write it with, such as `imdn`; %NULL
 *   (or a prefix another namespace already has) picks one
 * @name: the header name, such as `Message-ID`
 * @value: the value, on one line
 *
 * Adds a header. The `NS:` line that declares its namespace is written by
 * [method@Msrp.CpimMessage.to_bytes]. CPIM's own identity headers (From,
 * To, cc) are written as CPIM writes identities.
 *
 * Since: 1.0
 */
void
msrp_cpim_message_add_header (MsrpCpimMessage *self,
                              const char      *namespace_uri,
                              const char      *prefix,
                              const char      *name,
                              const char      *value)
{
  gboolean cpim;
  char *stored;

  g_return_if_fail (MSRP_IS_CPIM_MESSAGE (self));
  g_return_if_fail (namespace_uri == NULL || is_uri (namespace_uri, strlen (namespace_uri)));
  g_return_if_fail (prefix == NULL || is_name (prefix));
  g_return_if_fail (is_name (name));
  g_return_if_fail (value != NULL && _msrp_is_header_value (value));

  cpim = namespace_uri == NULL || strcmp (namespace_uri, MSRP_CPIM_NAMESPACE) == 0;
  /* NS lines are written from the namespaces in use */
  g_return_if_fail (!cpim || strcmp (name, "NS") != 0);
  if (cpim && is_identity_header (name))
    {
      stored = normalize_identity (value);
      g_return_if_fail (stored != NULL);
    }
  else
    {
      if (cpim && strcmp (name, "DateTime") == 0)
        {
          g_autoptr(GDateTime) datetime = g_date_time_new_from_iso8601 (value, NULL);

          g_return_if_fail (datetime != NULL);
        }
      stored = g_strdup (value);
    }

  g_ptr_array_add (self->headers,
                   header_new (namespace_uri, cpim ? NULL : prefix, name, NULL, stored));
}

/* Content */

/**
 * msrp_cpim_message_get_content_type:
 * @self: a #MsrpCpimMessage
 *
 * Gets the MIME type of the content, with its parameters, as the
 * Content-Type header gives it (`text/plain; charset=utf-8`).
 *
 * Returns: (nullable): the content type, or %NULL when there is none
 *
 * Since: 1.0
 */
const char *
msrp_cpim_message_get_content_type (MsrpCpimMessage *self)
{
  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (self), NULL);

  return msrp_cpim_message_get_content_header (self, "Content-Type");
}

static gboolean
find_content_header (MsrpCpimMessage *self,
                     const char      *name,
                     guint            from,
                     guint           *index)
{
  for (guint i = from; i < self->content_names->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (self->content_names, i), name) == 0)
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

/**
 * msrp_cpim_message_get_content_header:
 * @self: a #MsrpCpimMessage
 * @name: a MIME header name, such as `Content-ID` (compared without
 *   regard to case, as MIME does)
 *
 * Gets a MIME header of the content.
 *
 * Returns: (nullable): the value of the first such header, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_cpim_message_get_content_header (MsrpCpimMessage *self,
                                      const char      *name)
{
  guint index;

  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (!find_content_header (self, name, 0, &index))
    return NULL;
  return g_ptr_array_index (self->content_values, index);
}

/**
 * msrp_cpim_message_set_content_header:
 * @self: a #MsrpCpimMessage
 * @name: a MIME header name, such as `Content-ID`
 * @value: (nullable): its value, on one line; %NULL removes the header
 *
 * Sets a MIME header of the content, replacing any of that name.
 *
 * Since: 1.0
 */
void
msrp_cpim_message_set_content_header (MsrpCpimMessage *self,
                                      const char      *name,
                                      const char      *value)
{
  guint index;

  g_return_if_fail (MSRP_IS_CPIM_MESSAGE (self));
  g_return_if_fail (name != NULL && is_field_name (name, strlen (name)));
  g_return_if_fail (value == NULL || _msrp_is_header_value (value));

  if (value != NULL && find_content_header (self, name, 0, &index))
    {
      g_free (g_ptr_array_index (self->content_values, index));
      g_ptr_array_index (self->content_values, index) = g_strstrip (g_strdup (value));
      index++;
    }
  else if (value != NULL)
    {
      g_ptr_array_add (self->content_names, g_strdup (name));
      g_ptr_array_add (self->content_values, g_strstrip (g_strdup (value)));
      return;
    }
  else
    index = 0;

  while (find_content_header (self, name, index, &index))
    {
      g_ptr_array_remove_index (self->content_names, index);
      g_ptr_array_remove_index (self->content_values, index);
    }
}

/**
 * msrp_cpim_message_get_body:
 * @self: a #MsrpCpimMessage
 *
 * Gets the content the message carries, any bytes.
 *
 * Returns: (transfer none): the content
 *
 * Since: 1.0
 */
GBytes *
msrp_cpim_message_get_body (MsrpCpimMessage *self)
{
  g_return_val_if_fail (MSRP_IS_CPIM_MESSAGE (self), NULL);

  return self->body;
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
  /* Written as `... <uri>`: the URI has no '<' (is_uri refuses it). */
  lt = strrchr (normalized, '<');
  gt = strrchr (normalized, '>');
  return g_strndup (lt + 1, gt - lt - 1);
}
