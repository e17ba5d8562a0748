/* msrp-cpim-message.c: RFC 3862 message/cpim
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-cpim-message-private.h"
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

G_DEFINE_FINAL_TYPE (MsrpCpimMessage, msrp_cpim_message, G_TYPE_OBJECT)

/* Shared by every message (a GBytes for each would cost a parse as much as
 * its headers). */
static GBytes *
empty_bytes (void)
{
  static GBytes *empty;

  if (g_once_init_enter (&empty))
    g_once_init_leave (&empty, g_bytes_new_static ("", 0));
  return empty;
}

/* Blocks in the arena go with it. */
static void
header_free (gpointer data)
{
  MsrpCpimHeader *h = data;

  if (!h->in_arena)
    g_free (h);
}

static void
field_free (gpointer data)
{
  MsrpCpimField *f = data;

  if (!f->in_arena)
    g_free (f);
}

static void
msrp_cpim_message_finalize (GObject *object)
{
  MsrpCpimMessage *self = MSRP_CPIM_MESSAGE (object);

  g_ptr_array_unref (self->headers);
  g_ptr_array_unref (self->content);
  g_free (self->arena);
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
  self->headers = g_ptr_array_new_with_free_func (header_free);
  self->content = g_ptr_array_new_with_free_func (field_free);
  self->body = g_bytes_ref (empty_bytes ());
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
header_is (const MsrpCpimHeader *h,
           const char           *ns,
           const char           *name)
{
  return strcmp (h->name, name) == 0 && strcmp (h->ns, ns ? ns : MSRP_CPIM_NAMESPACE) == 0;
}

/* Copies s to *at, NUL-terminated, and moves *at past it. */
static const char *
put_string (char          **at,
            MsrpCpimSlice   s)
{
  char *copy = *at;

  if (s.str == NULL)
    return NULL;
  memcpy (copy, s.str, s.len);
  copy[s.len] = '\0';
  *at += s.len + 1;
  return copy;
}

static gsize
align_block (gsize size)
{
  return (size + sizeof (gpointer) - 1) & ~(sizeof (gpointer) - 1);
}

static gboolean
is_cpim_slice (MsrpCpimSlice ns)
{
  return ns.str == NULL ||
         (ns.len == strlen (MSRP_CPIM_NAMESPACE) &&
          memcmp (ns.str, MSRP_CPIM_NAMESPACE, ns.len) == 0);
}

gsize
_msrp_cpim_header_size (MsrpCpimSlice ns,
                        MsrpCpimSlice prefix,
                        MsrpCpimSlice name,
                        MsrpCpimSlice params,
                        MsrpCpimSlice value)
{
  return align_block (sizeof (MsrpCpimHeader) + (is_cpim_slice (ns) ? 0 : ns.len + 1) +
                      prefix.len + 1 + name.len + 1 + params.len + 1 + value.len + 1);
}

MsrpCpimHeader *
_msrp_cpim_header_init (gpointer      block,
                        MsrpCpimSlice ns,
                        MsrpCpimSlice prefix,
                        MsrpCpimSlice name,
                        MsrpCpimSlice params,
                        MsrpCpimSlice value)
{
  MsrpCpimHeader *h = block;
  char *at = (char *) (h + 1);

  h->ns = is_cpim_slice (ns) ? MSRP_CPIM_NAMESPACE : put_string (&at, ns);
  h->prefix = put_string (&at, prefix);
  h->name = put_string (&at, name);
  h->params = put_string (&at, params);
  h->value = put_string (&at, value);
  h->in_arena = FALSE;
  return h;
}

MsrpCpimHeader *
_msrp_cpim_header_new (MsrpCpimSlice ns,
                       MsrpCpimSlice prefix,
                       MsrpCpimSlice name,
                       MsrpCpimSlice params,
                       MsrpCpimSlice value)
{
  gpointer block = g_malloc (_msrp_cpim_header_size (ns, prefix, name, params, value));

  return _msrp_cpim_header_init (block, ns, prefix, name, params, value);
}

gsize
_msrp_cpim_field_size (MsrpCpimSlice name,
                       MsrpCpimSlice value)
{
  return align_block (sizeof (MsrpCpimField) + name.len + 1 + value.len + 1);
}

MsrpCpimField *
_msrp_cpim_field_init (gpointer      block,
                       MsrpCpimSlice name,
                       MsrpCpimSlice value)
{
  MsrpCpimField *f = block;
  char *at = (char *) (f + 1);

  f->name = put_string (&at, name);
  f->value = put_string (&at, value);
  f->in_arena = FALSE;
  return f;
}

MsrpCpimField *
_msrp_cpim_field_new (MsrpCpimSlice name,
                      MsrpCpimSlice value)
{
  return _msrp_cpim_field_init (g_malloc (_msrp_cpim_field_size (name, value)), name, value);
}

static MsrpCpimHeader *
header_new (const char *ns,
            const char *prefix,
            const char *name,
            const char *params,
            const char *value)
{
  return _msrp_cpim_header_new (MSRP_CPIM_SLICE (ns), MSRP_CPIM_SLICE (prefix),
                                MSRP_CPIM_SLICE (name), MSRP_CPIM_SLICE (params),
                                MSRP_CPIM_SLICE (value));
}

static MsrpCpimHeader *
find_header (MsrpCpimMessage *self,
             const char      *ns,
             const char      *name,
             guint           *index)
{
  for (guint i = index ? *index : 0; i < self->headers->len; i++)
    {
      MsrpCpimHeader *h = g_ptr_array_index (self->headers, i);

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
      MsrpCpimHeader *h = g_ptr_array_index (self->headers, i);

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
                 const char      *value,
                 gboolean         with_params)
{
  gboolean done = value == NULL;

  for (guint i = 0; i < self->headers->len;)
    {
      MsrpCpimHeader *h = g_ptr_array_index (self->headers, i);

      if (header_is (h, NULL, name) && (with_params || h->params == NULL))
        {
          if (!done)
            {
              g_ptr_array_index (self->headers, i) =
                header_new (h->ns, h->prefix, h->name, NULL, value);
              header_free (h);
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
      a->content->len != b->content->len ||
      !g_bytes_equal (a->body, b->body))
    return FALSE;
  for (guint i = 0; i < a->headers->len; i++)
    {
      MsrpCpimHeader *ha = g_ptr_array_index (a->headers, i);
      MsrpCpimHeader *hb = g_ptr_array_index (b->headers, i);

      if (strcmp (ha->ns, hb->ns) != 0 || strcmp (ha->name, hb->name) != 0 ||
          g_strcmp0 (ha->params, hb->params) != 0 || strcmp (ha->value, hb->value) != 0)
        return FALSE;
    }
  for (guint i = 0; i < a->content->len; i++)
    {
      MsrpCpimField *fa = g_ptr_array_index (a->content, i);
      MsrpCpimField *fb = g_ptr_array_index (b->content, i);

      if (g_ascii_strcasecmp (fa->name, fb->name) != 0 || strcmp (fa->value, fb->value) != 0)
        return FALSE;
    }
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
  g_autofree char *normalized = NULL;

  g_return_if_fail (MSRP_IS_CPIM_MESSAGE (self));
  if (identity != NULL)
    {
      normalized = _msrp_cpim_normalize_identity (identity);
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
  g_autofree char *normalized = _msrp_cpim_normalize_identity (identity);

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
header_lang (const MsrpCpimHeader *h)
{
  return _msrp_cpim_params_get (h->params, "lang");
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
      MsrpCpimHeader *h = g_ptr_array_index (self->headers, i);
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

  replace_headers (self, "Subject", subject, FALSE);
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
      g_return_if_fail (*lang != '"' && _msrp_cpim_skip_params (&p) && *p == '\0');
    }

  g_ptr_array_add (self->headers, header_new (NULL, NULL, "Subject", params, subject));
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
      MsrpCpimHeader *h = g_ptr_array_index (self->headers, i);
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
  g_autofree char *value = NULL;

  g_return_if_fail (MSRP_IS_CPIM_MESSAGE (self));

  value = datetime ? _msrp_format_rfc3339 (datetime) : NULL;
  replace_headers (self, "DateTime", value, TRUE);
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
      MsrpCpimHeader *h = g_ptr_array_index (self->headers, i);
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

  g_ptr_array_add (self->headers, header_new (NULL, NULL, "Require", NULL, header_name));
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
  MsrpCpimHeader *h;

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
  g_autofree char *normalized = NULL;

  g_return_if_fail (MSRP_IS_CPIM_MESSAGE (self));
  g_return_if_fail (namespace_uri == NULL || _msrp_cpim_is_uri (namespace_uri, strlen (namespace_uri)));
  g_return_if_fail (prefix == NULL || _msrp_cpim_is_name (prefix));
  g_return_if_fail (_msrp_cpim_is_name (name));
  g_return_if_fail (value != NULL && _msrp_is_header_value (value));

  cpim = namespace_uri == NULL || strcmp (namespace_uri, MSRP_CPIM_NAMESPACE) == 0;
  /* NS lines are written from the namespaces in use */
  g_return_if_fail (!cpim || strcmp (name, "NS") != 0);
  if (cpim && _msrp_cpim_is_identity_header (name))
    {
      normalized = _msrp_cpim_normalize_identity (value);
      g_return_if_fail (normalized != NULL);
      value = normalized;
    }
  else if (cpim)
    g_return_if_fail (strcmp (name, "DateTime") != 0 || _msrp_cpim_is_datetime (value));

  g_ptr_array_add (self->headers,
                   header_new (namespace_uri, cpim ? NULL : prefix, name, NULL, value));
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
  for (guint i = from; i < self->content->len; i++)
    if (g_ascii_strcasecmp (((MsrpCpimField *) g_ptr_array_index (self->content, i))->name,
                            name) == 0)
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
  return ((MsrpCpimField *) g_ptr_array_index (self->content, index))->value;
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
  MsrpCpimSlice stripped;
  guint index;

  g_return_if_fail (MSRP_IS_CPIM_MESSAGE (self));
  g_return_if_fail (name != NULL && _msrp_cpim_is_field_name (name, strlen (name)));
  g_return_if_fail (value == NULL || _msrp_is_header_value (value));

  if (value != NULL)
    stripped = _msrp_cpim_strip (value, strlen (value));
  if (value != NULL && find_content_header (self, name, 0, &index))
    {
      MsrpCpimField *old = g_ptr_array_index (self->content, index);

      /* the name keeps the case it had */
      g_ptr_array_index (self->content, index) =
        _msrp_cpim_field_new (MSRP_CPIM_SLICE (old->name), stripped);
      field_free (old);
      index++;
    }
  else if (value != NULL)
    {
      g_ptr_array_add (self->content, _msrp_cpim_field_new (MSRP_CPIM_SLICE (name), stripped));
      return;
    }
  else
    index = 0;

  while (find_content_header (self, name, index, &index))
    g_ptr_array_remove_index (self->content, index);
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
