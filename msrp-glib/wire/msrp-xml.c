/* msrp-xml.c: a small namespace-aware XML reader on GMarkup
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GMarkup reads the well-formed XML subset these formats use and expands
 * nothing but the five predefined entities and character references; it
 * knows nothing of namespaces and passes a DOCTYPE through. This reader
 * adds the namespaces (xmlns and xmlns:prefix declarations in scope per
 * element, RFC-style "any prefix" matching by URI), refuses DOCTYPEs and
 * other markup declarations, and bounds size and depth. libxml2 would do
 * the same with its entity loading and network access switched off, but
 * it is a dependency the library does not otherwise need.
 */

#include "config.h"

#include <string.h>

#include "msrp-xml-private.h"
#include "msrp-error.h"
#include "msrp-utils-private.h"

#define XML_NAMESPACE "http://www.w3.org/XML/1998/namespace"
#define XMLNS_NAMESPACE "http://www.w3.org/2000/xmlns/"

typedef struct
{
  char *prefix;   /* NULL: the default namespace */
  char *uri;      /* NULL: no namespace (xmlns="") */
  guint depth;    /* of the element that declares it */
} Binding;

typedef struct
{
  const char *format;
  const MsrpXmlCallbacks *callbacks;
  gpointer user_data;

  GArray *bindings;                         /* (element-type Binding) innermost last */
  guint depth;                              /* elements open */
  int tags[MSRP_XML_MAX_DEPTH + 1];         /* by depth; [0] is the document */
  gboolean leaf[MSRP_XML_MAX_DEPTH + 1];    /* no child element so far */
  guint skip_depth;                         /* > 0: inside the element skipped there */
  GString *text;
  gboolean seen_root;
  gboolean seen_markup;
} Reader;

static void
binding_clear (gpointer data)
{
  Binding *b = data;

  g_free (b->prefix);
  g_free (b->uri);
}

/* Input quoted in a message: short, and cut at a character boundary. */
char *
_msrp_xml_shorten (const char *text,
         gssize      len)
{
  g_autofree char *copy = len < 0 ? g_strdup (text) : g_strndup (text, len);
  g_autofree char *start = NULL;

  if (g_utf8_strlen (copy, -1) <= 40)
    return g_steal_pointer (&copy);
  start = g_utf8_substring (copy, 0, 40);
  return g_strconcat (start, "…", NULL);
}

static void
set_error (GError    **error,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
set_error (GError    **error,
           const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (MSRP_ERROR, MSRP_ERROR_MALFORMED_XML, format, args));
  va_end (args);
}

static const Binding *
lookup (Reader     *r,
        const char *prefix,
        gsize       len)
{
  for (guint i = r->bindings->len; i > 0; i--)
    {
      const Binding *b = &g_array_index (r->bindings, Binding, i - 1);

      if (prefix == NULL ? b->prefix == NULL
                         : (b->prefix != NULL && strncmp (b->prefix, prefix, len) == 0 &&
                            b->prefix[len] == '\0'))
        return b;
    }
  return NULL;
}

/* The xmlns and xmlns:prefix attributes of an element, in scope until it
 * ends (Namespaces in XML 1.0, sections 3 and 5). */
static gboolean
declare_namespaces (Reader      *r,
                    const char  *element,
                    const char **names,
                    const char **values,
                    GError     **error)
{
  guint first = r->bindings->len;

  for (guint i = 0; names[i] != NULL; i++)
    {
      Binding b = { NULL, NULL, r->depth };

      if (strncmp (names[i], "xmlns", 5) != 0)
        continue;
      if (names[i][5] == ':')
        {
          const char *prefix = names[i] + 6;

          if (*prefix == '\0' || strchr (prefix, ':') != NULL || strcmp (prefix, "xmlns") == 0 ||
              *values[i] == '\0' ||
              (strcmp (prefix, "xml") == 0) != (strcmp (values[i], XML_NAMESPACE) == 0) ||
              strcmp (values[i], XMLNS_NAMESPACE) == 0)
            {
              g_autofree char *quoted = _msrp_xml_shorten (names[i], -1);

              set_error (error, _("The %s document has an invalid namespace declaration “%s” on <%s>"),
                         r->format, quoted, element);
              return FALSE;
            }
          if (strcmp (prefix, "xml") == 0)
            continue;
          b.prefix = g_strdup (prefix);
        }
      else if (names[i][5] != '\0')
        continue;

      for (guint j = first; j < r->bindings->len; j++)
        if (g_strcmp0 (g_array_index (r->bindings, Binding, j).prefix, b.prefix) == 0)
          {
            g_free (b.prefix);
            set_error (error, _("The %s document declares a namespace prefix twice on <%s>"),
                       r->format, element);
            return FALSE;
          }
      if (*values[i] != '\0')
        b.uri = g_strdup (values[i]);
      g_array_append_val (r->bindings, b);
    }
  return TRUE;
}

static gboolean
resolve_name (Reader      *r,
              const char  *element,
              const char **ns,
              const char **local,
              GError     **error)
{
  const char *colon = strchr (element, ':');
  const Binding *b;

  if (colon == NULL)
    {
      b = lookup (r, NULL, 0);
      *ns = b ? b->uri : NULL;
      *local = element;
      return TRUE;
    }

  *local = colon + 1;
  if (colon == element || **local == '\0' || strchr (*local, ':') != NULL ||
      strncmp (element, "xmlns:", 6) == 0)
    {
      g_autofree char *quoted = _msrp_xml_shorten (element, -1);

      set_error (error, _("The %s document has an invalid element name “%s”"), r->format, quoted);
      return FALSE;
    }
  if (colon - element == 3 && strncmp (element, "xml", 3) == 0)
    {
      *ns = XML_NAMESPACE;
      return TRUE;
    }
  b = lookup (r, element, colon - element);
  if (b == NULL)
    {
      g_autofree char *quoted = _msrp_xml_shorten (element, colon - element);

      set_error (error, _("The %s document uses the namespace prefix “%s”, which is not declared"),
                 r->format, quoted);
      return FALSE;
    }
  *ns = b->uri;
  return TRUE;
}

static void
on_start_element (GMarkupParseContext  *context,
                  const char           *element,
                  const char          **names,
                  const char          **values,
                  gpointer              user_data,
                  GError              **error)
{
  Reader *r = user_data;
  const char *ns, *local;
  int tag;

  if (r->depth == 0 && r->seen_root)
    {
      set_error (error, _("The %s document has more than one root element"), r->format);
      return;
    }
  if (r->depth == MSRP_XML_MAX_DEPTH)
    {
      set_error (error, _("The %s document nests elements deeper than %u levels"),
                 r->format, (guint) MSRP_XML_MAX_DEPTH);
      return;
    }
  r->seen_root = r->seen_markup = TRUE;
  r->leaf[r->depth] = FALSE;
  r->depth++;
  r->tags[r->depth] = 0;
  r->leaf[r->depth] = TRUE;

  if (!declare_namespaces (r, element, names, values, error) ||
      !resolve_name (r, element, &ns, &local, error))
    return;
  if (r->skip_depth > 0)
    return;

  tag = r->callbacks->start_element (r->user_data, r->tags[r->depth - 1], ns, local, error);
  if (tag < 0)
    return;
  if (tag == 0)
    {
      r->skip_depth = r->depth;
      return;
    }
  r->tags[r->depth] = tag;
  g_string_truncate (r->text, 0);
}

static void
on_end_element (GMarkupParseContext  *context,
                const char           *element,
                gpointer              user_data,
                GError              **error)
{
  Reader *r = user_data;
  guint depth = r->depth;

  if (r->skip_depth == 0 && r->tags[depth] > 0 &&
      !r->callbacks->end_element (r->user_data, r->tags[depth],
                                  r->leaf[depth] ? r->text->str : NULL, error))
    return;

  if (r->skip_depth == depth)
    r->skip_depth = 0;
  while (r->bindings->len > 0 &&
         g_array_index (r->bindings, Binding, r->bindings->len - 1).depth == depth)
    g_array_set_size (r->bindings, r->bindings->len - 1);
  r->depth--;
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 len,
         gpointer              user_data,
         GError              **error)
{
  Reader *r = user_data;

  if (r->depth > 0 && r->skip_depth == 0 && r->tags[r->depth] > 0 && r->leaf[r->depth])
    g_string_append_len (r->text, text, len);
}

/* <?xml version="1.0" encoding="..."?>: GMarkup reads UTF-8 only. */
static gboolean
check_declaration (Reader      *r,
                   const char  *text,
                   gsize        len,
                   GError     **error)
{
  g_autofree char *decl = g_strndup (text, len);
  const char *p = strstr (decl, "encoding");
  const char *end;
  char quote;

  if (p == NULL)
    return TRUE;
  for (p += 8; g_ascii_isspace (*p); p++)
    ;
  if (*p != '=')
    goto malformed;
  for (p++; g_ascii_isspace (*p); p++)
    ;
  quote = *p++;
  if ((quote != '"' && quote != '\'') || (end = strchr (p, quote)) == NULL)
    goto malformed;
  if (end - p == 5 && g_ascii_strncasecmp (p, "UTF-8", 5) == 0)
    return TRUE;
  {
    g_autofree char *quoted = _msrp_xml_shorten (p, end - p);

    set_error (error, _("The %s document is in the encoding “%s”; only UTF-8 is supported"),
               r->format, quoted);
  }
  return FALSE;

malformed:
  set_error (error, _("The %s document has a malformed XML declaration"), r->format);
  return FALSE;
}

/* Comments, processing instructions and declarations. A DOCTYPE could
 * declare entities; no document of these formats has one, so any is
 * refused rather than skipped. */
static void
on_passthrough (GMarkupParseContext  *context,
                const char           *text,
                gsize                 len,
                gpointer              user_data,
                GError              **error)
{
  Reader *r = user_data;
  gboolean first = !r->seen_markup;

  r->seen_markup = TRUE;
  if (len >= 4 && memcmp (text, "<!--", 4) == 0)
    return;
  if (len >= 2 && memcmp (text, "<?", 2) == 0)
    {
      gsize n = 2;

      while (n < len && !g_ascii_isspace (text[n]) && text[n] != '?')
        n++;
      if (n != 5 || g_ascii_strncasecmp (text + 2, "xml", 3) != 0)
        return;
      if (first && strncmp (text + 2, "xml", 3) == 0)
        {
          check_declaration (r, text, len, error);
          return;
        }
      set_error (error, _("The %s document has an XML declaration that is not at its start"),
                 r->format);
      return;
    }
  if (len >= 9 && memcmp (text, "<!DOCTYPE", 9) == 0)
    set_error (error, _("The %s document has a document type declaration (DOCTYPE), which is not allowed"),
               r->format);
  else
    set_error (error, _("The %s document has a markup declaration, which is not allowed"),
               r->format);
}

/*
 * _msrp_xml_parse:
 * @data: the document
 * @format: its name for error messages ("IMDN", "is-composing")
 * @callbacks: what to do with the elements
 *
 * Reads a document of at most MSRP_XML_MAX_SIZE bytes and
 * MSRP_XML_MAX_DEPTH levels, calling @callbacks for the elements they want.
 * Every failure is MSRP_ERROR_MALFORMED_XML.
 */
gboolean
_msrp_xml_parse (GBytes                 *data,
                 const char             *format,
                 const MsrpXmlCallbacks *callbacks,
                 gpointer                user_data,
                 GError                **error)
{
  static const GMarkupParser parser = {
    on_start_element, on_end_element, on_text, on_passthrough, NULL,
  };
  GMarkupParseContext *context;
  g_autoptr(GError) local_error = NULL;
  Reader r = { 0, };
  const char *text;
  gsize len;
  gboolean ok;

  text = g_bytes_get_data (data, &len);
  if (len > MSRP_XML_MAX_SIZE)
    {
      set_error (error, _("The %s document is larger than %u bytes"),
                 format, (guint) MSRP_XML_MAX_SIZE);
      return FALSE;
    }
  if (text == NULL)
    text = "";
  /* a UTF-8 byte order mark, which GMarkup would take for text */
  if (len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    {
      text += 3;
      len -= 3;
    }
  /* GMarkup (2.74) sets an error for bad UTF-8 in a comment or CDATA
   * section, then goes on as if it had not; check it all first. */
  if (!g_utf8_validate_len (text, len, NULL))
    {
      set_error (error, _("The %s document is not UTF-8 text"), format);
      return FALSE;
    }

  r.format = format;
  r.callbacks = callbacks;
  r.user_data = user_data;
  r.bindings = g_array_new (FALSE, FALSE, sizeof (Binding));
  g_array_set_clear_func (r.bindings, binding_clear);
  r.text = g_string_new (NULL);

  context = g_markup_parse_context_new (&parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &r, NULL);
  ok = g_markup_parse_context_parse (context, text, len, &local_error) && local_error == NULL &&
       g_markup_parse_context_end_parse (context, &local_error) && local_error == NULL;
  g_markup_parse_context_free (context);
  g_array_unref (r.bindings);
  g_string_free (r.text, TRUE);

  if (ok)
    return TRUE;
  if (local_error->domain == G_MARKUP_ERROR)
    {
      /* GMarkup quotes the input, even where it is not UTF-8 */
      g_autofree char *reason = g_utf8_make_valid (local_error->message, -1);

      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                   _("The %s document is not well-formed XML: %s"), format, reason);
    }
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
is_xml_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* XML Schema's "collapse" (xs:token, xs:anyURI, xs:dateTime): no space
 * around, one between words. */
char *
_msrp_xml_collapse (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!is_xml_space (*p))
        {
          g_string_append_c (out, *p);
          continue;
        }
      while (is_xml_space (p[1]))
        p++;
      if (out->len > 0 && p[1] != '\0')
        g_string_append_c (out, ' ');
    }
  return g_string_free (out, FALSE);
}

/* What a collapsed value can be, and so what a setter takes: UTF-8 text
 * without control characters, without space around or two in a row. */
gboolean
_msrp_xml_is_token (const char *str)
{
  gsize len;

  if (str == NULL || *str == '\0' || !g_utf8_validate (str, -1, NULL))
    return FALSE;
  len = strlen (str);
  if (str[0] == ' ' || str[len - 1] == ' ')
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if ((guchar) str[i] < 0x20 || str[i] == 0x7f || (str[i] == ' ' && str[i + 1] == ' '))
      return FALSE;
  return TRUE;
}

/* Free text (xs:string): UTF-8 without control characters but tab and
 * line feed. CR is not kept: XML reads it as a line feed. */
gboolean
_msrp_xml_is_text (const char *str)
{
  if (str == NULL || !g_utf8_validate (str, -1, NULL))
    return FALSE;
  for (const guchar *p = (const guchar *) str; *p != '\0'; p++)
    if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
      return FALSE;
  return TRUE;
}

/* XML end-of-line handling for a CR that came from a character reference. */
void
_msrp_xml_normalize_text (char *text)
{
  for (char *p = strchr (text, '\r'); p != NULL; p = strchr (p, '\r'))
    *p = '\n';
}

/* RFC 3339, with an offset: "2008-04-04T12:16:49-05:00", "...Z". */
GDateTime *
_msrp_xml_parse_datetime (const char *text)
{
  /* GLib reads every ISO 8601 form; RFC 3339 asks at least for a full
   * date, a T and a time. */
  if (strlen (text) < 20 || !g_ascii_isdigit (text[0]) || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't'))
    return NULL;
  return g_date_time_new_from_iso8601 (text, NULL);
}

/* "  <name>text</name>\n", the text escaped. */
void
_msrp_xml_append_element (GString    *out,
                          const char *name,
                          const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_string_append (out, "  <");
  g_string_append (out, name);
  g_string_append_c (out, '>');
  g_string_append (out, escaped);
  g_string_append (out, "</");
  g_string_append (out, name);
  g_string_append (out, ">\n");
}
