/* msrp-cpim-parse.c: reading and writing RFC 3862 message/cpim
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-cpim-message-private.h"
#include "msrp-error.h"
#include "msrp-utils-private.h"

/* Together, the CPIM and MIME header blocks: enough for any real message,
 * small enough that hostile input cannot take much memory. */
#define MAX_HEADER_BLOCK (64 * 1024)
#define MAX_HEADER_LINES 256

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
  gsize n = _msrp_cpim_span_name (p);

  if (n > 0 && p[n] == '.')
    {
      raw->prefix = g_strndup (p, n);
      p += n + 1;
      n = _msrp_cpim_span_name (p);
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
  if (!_msrp_cpim_skip_params (&p))
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                   _("Line %u of the CPIM message has invalid header parameters"),
                   raw->line);
      return FALSE;
    }
  if (p > params)
    raw->params = g_strndup (params, p - params);
  if (_msrp_cpim_is_wsp (*p))
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

  while (_msrp_cpim_is_wsp (*p))
    p++;
  n = _msrp_cpim_span_name (p);
  if (n > 0)
    {
      *prefix = g_strndup (p, n);
      p += n;
      if (!_msrp_cpim_is_wsp (*p))
        goto fail;
      while (_msrp_cpim_is_wsp (*p))
        p++;
    }
  if (*p != '<' || (end = strchr (p, '>')) == NULL || !_msrp_cpim_is_uri (p + 1, end - p - 1))
    goto fail;
  *uri = g_strndup (p + 1, end - p - 1);
  for (p = end + 1; _msrp_cpim_is_wsp (*p); p++)
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
          if (_msrp_cpim_is_identity_header (raw->name))
            {
              char *identity = _msrp_cpim_normalize_identity (value);

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
                       _msrp_cpim_header_new (ns, raw->prefix, raw->name, raw->params, value));
    }
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

      if (_msrp_cpim_is_wsp (line[0]))
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
      if (colon == NULL || !_msrp_cpim_is_field_name (line, colon - line))
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
      MsrpCpimHeader *h = g_ptr_array_index (self->headers, i);

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
      MsrpCpimHeader *h = g_ptr_array_index (self->headers, i);

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
