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

/* What a typical message needs fits on the stack; larger ones take the
 * heap, bounded by the limits above. */
#define STACK_LINES 16
#define STACK_SCRATCH 2048

/* Parsing copies each header line once, into a scratch buffer where it
 * ends in a NUL, so that the syntax functions stop at its end. Names and
 * values are slices of it until they are copied, once more, into the
 * headers the message keeps: no allocation per line or per field. */

/* A namespace declaration; a prefix of length 0 is the default namespace. */
typedef struct
{
  MsrpCpimSlice prefix;
  MsrpCpimSlice uri;
} Namespace;

typedef struct
{
  guint line;
  MsrpCpimSlice prefix;
  MsrpCpimSlice name;
  MsrpCpimSlice params;
  MsrpCpimSlice value;
  Namespace decl;     /* of an NS line, once parsed */
  /* once resolved: */
  gboolean is_declaration;
  MsrpCpimSlice ns;   /* str NULL: CPIM's own */
  char *normalized;   /* the identity value rewritten, or NULL */
  gsize size;         /* of its header block */
} RawHeader;

/* A MIME header; joined is its value when folded lines made it anew. */
typedef struct
{
  MsrpCpimSlice name;
  MsrpCpimSlice value;
  char *joined;
} RawField;

/* The lines of a message being parsed: on the stack for a typical one,
 * on the heap (up to MAX_HEADER_LINES) past that. */
typedef struct
{
  RawHeader *raws;
  guint n_raws;
  RawField *fields;
  guint n_fields;
  RawHeader stack_raws[STACK_LINES];
  RawField stack_fields[STACK_LINES];
} Lines;

static void
lines_clear (Lines *lines)
{
  for (guint i = 0; i < lines->n_raws; i++)
    if (lines->raws[i].normalized != NULL)
      g_free (lines->raws[i].normalized);
  for (guint i = 0; i < lines->n_fields; i++)
    if (lines->fields[i].joined != NULL)
      g_free (lines->fields[i].joined);
  if (lines->raws != lines->stack_raws)
    g_free (lines->raws);
  if (lines->fields != lines->stack_fields)
    g_free (lines->fields);
}

typedef struct
{
  const char *data;
  gsize len;
  gsize pos;
  guint line;
  guint n_lines;
  char *scratch;   /* room for the header blocks, MIN (len, MAX_HEADER_BLOCK) + 1 */
  gsize used;
} Reader;

static gboolean
slice_equal (MsrpCpimSlice a,
             MsrpCpimSlice b)
{
  return a.len == b.len && memcmp (a.str, b.str, a.len) == 0;
}

static gboolean
slice_is (MsrpCpimSlice  s,
          const char    *str)
{
  return s.str != NULL && strlen (str) == s.len && memcmp (s.str, str, s.len) == 0;
}

/* Whether any of eight bytes is not printable ASCII: below 0x20 (x - 0x20
 * borrows into the top bit), 0x7f (x ^ 0x7f has a zero byte, which - 1
 * borrows) or above. Exact when no byte is flagged. */
static inline gboolean
has_unprintable (guint64 x)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);

  return (((x - ones * 0x20) | ((x ^ (ones * 0x7f)) - ones) | x) & (ones * 0x80)) != 0;
}

/* What _msrp_is_header_value() checks, over a slice: valid UTF-8 without
 * control characters other than tab. */
static gboolean
is_text (const char *s,
         gsize       len)
{
  gboolean ascii = TRUE;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = s[i];

      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return FALSE;
      if (c >= 0x80)
        ascii = FALSE;
    }
  return ascii || g_utf8_validate_len (s, len, NULL);
}

/* The common case in one pass: a line of printable ASCII up to its CRLF
 * or LF, checked and copied to copy eight bytes at a time. FALSE for
 * anything else (a tab, UTF-8, no line end), which read_line() then
 * takes slowly. Copies only bytes of the line. */
static gboolean
copy_plain_line (const char  *s,
                 gsize        avail,
                 char        *copy,
                 gsize       *len,
                 const char **lf)
{
  gsize i = 0;

  for (; i + 8 <= avail; i += 8)
    {
      guint64 x;

      memcpy (&x, s + i, 8);
      if (has_unprintable (x))
        break;
      memcpy (copy + i, &x, 8);
    }
  for (; i < avail; i++)
    {
      guchar c = s[i];

      if (c >= 0x20 && c < 0x7f)
        copy[i] = c;
      else if (c == '\n' || (c == '\r' && i + 1 < avail && s[i + 1] == '\n'))
        {
          *len = i;
          *lf = s + i + (c == '\r');
          return TRUE;
        }
      else
        return FALSE;
    }
  return FALSE;
}

/* The next line, without its CRLF or LF, checked as text and copied to
 * the scratch buffer. */
static gboolean
read_line (Reader  *r,
           char   **line,
           gsize   *line_len,
           GError **error)
{
  gsize limit = MIN (r->len, MAX_HEADER_BLOCK);
  /* lines and their ends add up to at most pos, which is within limit */
  char *copy = r->scratch + r->used;
  const char *start = NULL;
  const char *lf = NULL;
  gboolean copied = FALSE;
  gsize len = 0;

  /* data is NULL when empty */
  if (r->pos < limit)
    {
      start = r->data + r->pos;
      copied = copy_plain_line (start, limit - r->pos, copy, &len, &lf);
      if (!copied)
        lf = memchr (start, '\n', limit - r->pos);
    }
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
  r->pos = lf - r->data + 1;

  if (!copied)
    {
      len = lf - start;
      if (len > 0 && start[len - 1] == '\r')
        len--;
      if (!is_text (start, len))
        {
          g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                       _("Line %u of the CPIM message has control characters or is not UTF-8"),
                       r->line);
          return FALSE;
        }
      memcpy (copy, start, len);
    }
  copy[len] = '\0';
  r->used += len + 1;
  *line = copy;
  *line_len = len;
  return TRUE;
}

static gboolean
parse_cpim_header (const char *line,
                   gsize       len,
                   RawHeader  *raw,
                   GError    **error)
{
  const char *p = line;
  const char *params;
  gsize n = _msrp_cpim_span_name (p);

  if (n > 0 && p[n] == '.')
    {
      raw->prefix = (MsrpCpimSlice) { p, n };
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
  raw->name = (MsrpCpimSlice) { p, n };
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
    raw->params = (MsrpCpimSlice) { params, p - params };
  if (_msrp_cpim_is_wsp (*p))
    p++;
  raw->value = (MsrpCpimSlice) { p, line + len - p };
  return TRUE;
}

/* NS: [prefix SP] <uri> */
static gboolean
parse_ns (const RawHeader *raw,
          Namespace       *decl,
          GError         **error)
{
  const char *p = raw->value.str;
  const char *end;
  gsize n;

  decl->prefix = (MsrpCpimSlice) { p, 0 };
  while (_msrp_cpim_is_wsp (*p))
    p++;
  n = _msrp_cpim_span_name (p);
  if (n > 0)
    {
      decl->prefix = (MsrpCpimSlice) { p, n };
      p += n;
      if (!_msrp_cpim_is_wsp (*p))
        goto fail;
      while (_msrp_cpim_is_wsp (*p))
        p++;
    }
  if (*p != '<' || (end = strchr (p, '>')) == NULL || !_msrp_cpim_is_uri (p + 1, end - p - 1))
    goto fail;
  decl->uri = (MsrpCpimSlice) { p + 1, end - p - 1 };
  for (p = end + 1; _msrp_cpim_is_wsp (*p); p++)
    ;
  if (*p == '\0')
    return TRUE;

fail:
  g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
               _("Line %u of the CPIM message is not a namespace declaration (NS: prefix <uri>)"),
               raw->line);
  return FALSE;
}

static gboolean
is_ns_declaration (const RawHeader *raw)
{
  return raw->prefix.str == NULL && slice_is (raw->name, "NS");
}

static const MsrpCpimSlice *
lookup_namespace (const Namespace *table,
                  guint            n,
                  MsrpCpimSlice    prefix)
{
  for (guint i = 0; i < n; i++)
    if (slice_equal (table[i].prefix, prefix))
      return &table[i].uri;
  return NULL;
}

static void
declare_namespace (Namespace       *table,
                   guint           *n,
                   const Namespace *decl)
{
  for (guint i = 0; i < *n; i++)
    if (slice_equal (table[i].prefix, decl->prefix))
      {
        table[i].uri = decl->uri;
        return;
      }
  table[(*n)++] = *decl;
}

/* Resolves the prefixes of the CPIM header block and checks CPIM's own
 * headers. A declaration holds from where it is; a prefix used before its
 * declaration takes its first one, as some senders write NS last. A few
 * declarations are the rule, so the tables are arrays searched in turn. */
static gboolean
resolve_headers (RawHeader *raws,
                 guint      n_raws,
                 GError   **error)
{
  Namespace stack[2 * STACK_LINES];
  g_autofree Namespace *heap = NULL;
  Namespace *first = stack, *current = stack + STACK_LINES;
  guint n_first = 0, n_current = 0;
  Namespace decl;

  if (n_raws > STACK_LINES)
    {
      heap = g_new (Namespace, 2 * n_raws);
      first = heap;
      current = heap + n_raws;
    }

  for (guint i = 0; i < n_raws; i++)
    {
      Namespace *own = &raws[i].decl;

      if (!is_ns_declaration (&raws[i]))
        continue;
      if (!parse_ns (&raws[i], own, error))
        return FALSE;
      if (own->prefix.len > 0 && lookup_namespace (first, n_first, own->prefix) == NULL)
        first[n_first++] = *own;
    }

  for (guint i = 0; i < n_raws; i++)
    {
      RawHeader *raw = &raws[i];
      MsrpCpimSlice cpim = { NULL, 0 };
      const MsrpCpimSlice *ns;

      if (is_ns_declaration (raw))
        {
          raw->is_declaration = TRUE;
          declare_namespace (current, &n_current, &raw->decl);
          continue;
        }

      if (raw->prefix.str == NULL)
        ns = lookup_namespace (current, n_current, (MsrpCpimSlice) { "", 0 });
      else if ((ns = lookup_namespace (current, n_current, raw->prefix)) == NULL)
        ns = lookup_namespace (first, n_first, raw->prefix);
      if (ns == NULL && raw->prefix.str != NULL)
        {
          g_autofree char *prefix = g_strndup (raw->prefix.str, raw->prefix.len);

          g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                       _("Line %u of the CPIM message uses the name prefix “%s”, which no NS line declares"),
                       raw->line, prefix);
          return FALSE;
        }
      if (ns == NULL)
        ns = &cpim;

      if (ns->str == NULL || slice_is (*ns, MSRP_CPIM_NAMESPACE))
        {
          if (slice_is (raw->name, "NS"))
            {
              /* "cpim.NS", a declaration all the same */
              if (!parse_ns (raw, &decl, error))
                return FALSE;
              raw->is_declaration = TRUE;
              declare_namespace (current, &n_current, &decl);
              continue;
            }
          if (slice_is (raw->name, "From") || slice_is (raw->name, "To") ||
              slice_is (raw->name, "cc"))
            {
              /* kept as it is when already written as CPIM writes it */
              if (!_msrp_cpim_is_normal_identity (raw->value.str, raw->value.len))
                {
                  raw->normalized = _msrp_cpim_normalize_identity (raw->value.str);
                  if (raw->normalized == NULL)
                    {
                      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                                   _("Line %u of the CPIM message has an invalid identity (expected \"Name\" <uri> or <uri>)"),
                                   raw->line);
                      return FALSE;
                    }
                  raw->value = MSRP_CPIM_SLICE (raw->normalized);
                }
            }
          else if (slice_is (raw->name, "DateTime") && !_msrp_cpim_is_datetime (raw->value.str))
            {
              g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                           _("Line %u of the CPIM message has an invalid DateTime (expected RFC 3339, such as 2000-12-13T13:40:00-08:00)"),
                           raw->line);
              return FALSE;
            }
        }
      raw->ns = *ns;
    }
  return TRUE;
}

static gboolean
read_content_headers (Lines   *lines,
                      Reader  *r,
                      GError **error)
{
  for (;;)
    {
      const char *colon;
      char *line;
      gsize len;

      if (!read_line (r, &line, &len, error))
        return FALSE;
      if (len == 0)
        return TRUE;

      if (_msrp_cpim_is_wsp (line[0]))
        {
          /* folded (RFC 5322 section 2.2.3) */
          MsrpCpimSlice more = _msrp_cpim_strip (line, len);
          RawField *field;
          char *joined;

          if (lines->n_fields == 0)
            {
              g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                           _("Line %u of the CPIM message continues a header but follows none"),
                           r->line);
              return FALSE;
            }
          if (more.len == 0)
            continue;
          field = &lines->fields[lines->n_fields - 1];
          if (field->value.len > 0)
            joined = g_strdup_printf ("%.*s %.*s", (int) field->value.len, field->value.str,
                                      (int) more.len, more.str);
          else
            joined = g_strndup (more.str, more.len);
          g_free (field->joined);
          field->joined = joined;
          field->value = MSRP_CPIM_SLICE (joined);
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
      if (lines->n_fields == STACK_LINES)
        {
          /* read_line stops at MAX_HEADER_LINES */
          lines->fields = g_new (RawField, MAX_HEADER_LINES);
          memcpy (lines->fields, lines->stack_fields, sizeof lines->stack_fields);
        }
      lines->fields[lines->n_fields].name = (MsrpCpimSlice) { line, colon - line };
      lines->fields[lines->n_fields].value =
        _msrp_cpim_strip (colon + 1, line + len - (colon + 1));
      lines->fields[lines->n_fields].joined = NULL;
      lines->n_fields++;
    }
}

/* Makes the headers of the message from the lines read, all in one block,
 * and sizes the arrays once (GPtrArray grows two pointers at a time). */
static void
store_headers (MsrpCpimMessage *self,
               Lines           *lines)
{
  guint n_headers = 0;
  gsize size = 0;
  char *at;

  for (guint i = 0; i < lines->n_raws; i++)
    {
      RawHeader *raw = &lines->raws[i];

      if (raw->is_declaration)
        continue;
      raw->size = _msrp_cpim_header_size (raw->ns, raw->prefix, raw->name,
                                          raw->params, raw->value);
      size += raw->size;
      n_headers++;
    }
  for (guint i = 0; i < lines->n_fields; i++)
    size += _msrp_cpim_field_size (lines->fields[i].name, lines->fields[i].value);
  if (size == 0)
    return;

  at = self->arena = g_malloc (size);
  g_ptr_array_set_size (self->headers, n_headers);
  g_ptr_array_set_size (self->content, lines->n_fields);
  for (guint i = 0, n = 0; i < lines->n_raws; i++)
    {
      const RawHeader *raw = &lines->raws[i];
      MsrpCpimHeader *h;

      if (raw->is_declaration)
        continue;
      h = _msrp_cpim_header_init (at, raw->ns, raw->prefix, raw->name, raw->params, raw->value);
      h->in_arena = TRUE;
      g_ptr_array_index (self->headers, n++) = h;
      at += raw->size;
    }
  for (guint i = 0; i < lines->n_fields; i++)
    {
      const RawField *raw = &lines->fields[i];
      MsrpCpimField *f = _msrp_cpim_field_init (at, raw->name, raw->value);

      f->in_arena = TRUE;
      g_ptr_array_index (self->content, i) = f;
      at += _msrp_cpim_field_size (raw->name, raw->value);
    }
}

/* The prefix a namespace is written with. */
typedef struct
{
  const char *ns;
  const char *prefix;   /* NULL until picked */
  char made_up[16];     /* "ns1", "ns2"... */
} Prefix;

static Prefix *
find_prefix (Prefix     *prefixes,
             guint       n,
             const char *ns)
{
  for (guint i = 0; i < n; i++)
    if (strcmp (prefixes[i].ns, ns) == 0)
      return &prefixes[i];
  return NULL;
}

static gboolean
is_prefix_taken (const Prefix *prefixes,
                 guint         n,
                 const char   *prefix)
{
  for (guint i = 0; i < n; i++)
    if (prefixes[i].prefix != NULL && strcmp (prefixes[i].prefix, prefix) == 0)
      return TRUE;
  return FALSE;
}

/* The two header blocks, with their blank lines. Messages use a namespace
 * or two, so the prefixes are an array searched in turn. */
static void
write_headers (MsrpCpimMessage *self,
               GString         *out)
{
  Prefix stack[8];
  g_autofree Prefix *heap = NULL;
  Prefix *prefixes = stack;
  guint n = 0, counter = 0;

  /* at most a namespace a header */
  if (self->headers->len > G_N_ELEMENTS (stack))
    prefixes = heap = g_new (Prefix, self->headers->len);

  /* The prefixes headers came with first, so that Require values that
   * name them stay right; then made-up ones for the rest. */
  for (guint i = 0; i < self->headers->len; i++)
    {
      MsrpCpimHeader *h = g_ptr_array_index (self->headers, i);
      Prefix *p;

      if (_msrp_cpim_is_cpim_namespace (h->ns))
        continue;
      p = find_prefix (prefixes, n, h->ns);
      if (p != NULL && p->prefix != NULL)
        continue;
      if (p == NULL)
        {
          p = &prefixes[n++];
          p->ns = h->ns;
          p->prefix = NULL;
        }
      if (h->prefix != NULL && !is_prefix_taken (prefixes, n, h->prefix))
        p->prefix = h->prefix;
    }
  for (guint i = 0; i < n; i++)
    {
      Prefix *p = &prefixes[i];

      if (p->prefix != NULL)
        continue;
      do
        g_snprintf (p->made_up, sizeof p->made_up, "ns%u", ++counter);
      while (is_prefix_taken (prefixes, n, p->made_up));
      p->prefix = p->made_up;
    }

  for (guint i = 0; i < n; i++)
    {
      g_string_append_len (out, "NS: ", 4);
      g_string_append (out, prefixes[i].prefix);
      g_string_append_len (out, " <", 2);
      g_string_append (out, prefixes[i].ns);
      g_string_append_len (out, ">\r\n", 3);
    }
  for (guint i = 0; i < self->headers->len; i++)
    {
      MsrpCpimHeader *h = g_ptr_array_index (self->headers, i);

      if (!_msrp_cpim_is_cpim_namespace (h->ns))
        {
          g_string_append (out, find_prefix (prefixes, n, h->ns)->prefix);
          g_string_append_c (out, '.');
        }
      g_string_append (out, h->name);
      g_string_append_c (out, ':');
      if (h->params != NULL)
        g_string_append (out, h->params);
      g_string_append_c (out, ' ');
      g_string_append (out, h->value);
      g_string_append_len (out, "\r\n", 2);
    }
  g_string_append_len (out, "\r\n", 2);
  for (guint i = 0; i < self->content->len; i++)
    {
      MsrpCpimField *f = g_ptr_array_index (self->content, i);

      g_string_append (out, f->name);
      g_string_append_len (out, ": ", 2);
      g_string_append (out, f->value);
      g_string_append_len (out, "\r\n", 2);
    }
  g_string_append_len (out, "\r\n", 2);
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
  out = g_string_sized_new (512 + body_len);
  write_headers (self, out);
  g_string_append_len (out, body, body_len);
  return g_string_free_to_bytes (out);
}

static MsrpCpimMessage *
parse_message (GBytes  *data,
               Lines   *lines,
               GError **error)
{
  g_autoptr(MsrpCpimMessage) self = NULL;
  char stack_scratch[STACK_SCRATCH];
  g_autofree char *heap_scratch = NULL;
  Reader r = { 0, };

  r.data = g_bytes_get_data (data, &r.len);
  r.scratch = stack_scratch;
  if (MIN (r.len, MAX_HEADER_BLOCK) + 1 > sizeof stack_scratch)
    r.scratch = heap_scratch = g_malloc (MIN (r.len, MAX_HEADER_BLOCK) + 1);

  for (;;)
    {
      RawHeader *raw;
      char *line;
      gsize len;

      if (!read_line (&r, &line, &len, error))
        return NULL;
      if (len == 0)
        break;
      if (lines->n_raws == STACK_LINES)
        {
          /* read_line stops at MAX_HEADER_LINES */
          lines->raws = g_new (RawHeader, MAX_HEADER_LINES);
          memcpy (lines->raws, lines->stack_raws, sizeof lines->stack_raws);
        }
      /* field by field: zeroing the whole struct costs more */
      raw = &lines->raws[lines->n_raws++];
      raw->line = r.line;
      raw->prefix = raw->params = raw->ns = (MsrpCpimSlice) { NULL, 0 };
      raw->is_declaration = FALSE;
      raw->normalized = NULL;
      if (!parse_cpim_header (line, len, raw, error))
        return NULL;
    }

  if (!resolve_headers (lines->raws, lines->n_raws, error) ||
      !read_content_headers (lines, &r, error))
    return NULL;

  self = g_object_new (MSRP_TYPE_CPIM_MESSAGE, NULL);
  store_headers (self, lines);

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
  MsrpCpimMessage *self;
  Lines lines;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lines.raws = lines.stack_raws;
  lines.n_raws = 0;
  lines.fields = lines.stack_fields;
  lines.n_fields = 0;
  self = parse_message (data, &lines, error);
  lines_clear (&lines);
  return self;
}
