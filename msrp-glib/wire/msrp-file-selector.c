/* msrp-file-selector.c: RFC 5547 a=file-selector
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-file-selector.h"
#include "msrp-error.h"
#include "msrp-utils-private.h"

/**
 * MsrpFileSelector:
 *
 * The file selector of RFC 5547 (the value of the SDP `a=file-selector`
 * attribute): what identifies a file that is offered (pushed) or asked
 * for (pulled) in a file transfer.
 *
 *     name:"My cool picture.jpg" type:image/jpeg size:32349 hash:sha-1:72:24:5F:...
 *
 * Any of the four selectors may be absent, but not all of them. The name
 * is kept decoded (the wire form percent-encodes `"`, `%` and control
 * characters), the type as the selector writes it (`text/plain` or
 * `text/html;charset="UTF-8"`), and the hash as written after `hash:`
 * (`sha-1:72:24:5F:...`, the SHA-1 that RFC 5547 requires, upper-case hex
 * bytes separated by colons).
 *
 * A selector is immutable. [func@Msrp.FileSelector.new_for_file_async]
 * makes the selector of a file, hashing it in a worker thread;
 * [method@Msrp.FileSelector.equal] tells whether two selectors name the
 * same file.
 *
 * Since: 1.0
 */

struct _MsrpFileSelector
{
  GObject parent_instance;

  char *name;
  char *content_type;
  gint64 size;
  char *hash;
};

G_DEFINE_FINAL_TYPE (MsrpFileSelector, msrp_file_selector, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_CONTENT_TYPE,
  PROP_SIZE,
  PROP_HASH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Syntax (RFC 5547 section 6). */

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t';
}

static gsize
span_token (const char *s)
{
  gsize n = 0;

  while (s[n] != '\0' && _msrp_is_token_char (s[n]))
    n++;
  return n;
}

/* Reads the quoted string at *p (a DQUOTE), percent-decoding it; a '%'
 * not followed by two hex digits is taken as it is, as some senders do
 * not encode it. *p ends past the closing DQUOTE. */
static char *
read_quoted (const char **p)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *s = *p + 1;

  for (;; s++)
    {
      if (*s == '\0' || *s == '\r' || *s == '\n')
        return NULL;
      if (*s == '"')
        break;
      if (*s == '%' && g_ascii_isxdigit (s[1]) && g_ascii_isxdigit (s[2]))
        {
          char c = g_ascii_xdigit_value (s[1]) * 16 + g_ascii_xdigit_value (s[2]);

          if (c == '\0')
            return NULL;
          g_string_append_c (out, c);
          s += 2;
        }
      else
        g_string_append_c (out, *s);
    }
  *p = s + 1;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
append_quoted (GString    *out,
               const char *text)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) text; *p; p++)
    {
      if (*p == '"' || *p == '%' || *p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "%%%02X", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* Reads a MIME type with parameters, in the selector's form
 * (`type/subtype;name="value"`) or in MIME's (`type/subtype; name=value`),
 * from *p up to a space outside quotes or the end. Returns it in the
 * selector's form; *p ends past it. */
static char *
read_type (const char **p)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *s = *p;
  gsize n;

  n = span_token (s);
  if (n == 0 || s[n] != '/')
    return NULL;
  g_string_append_len (out, s, n + 1);
  s += n + 1;
  n = span_token (s);
  if (n == 0)
    return NULL;
  g_string_append_len (out, s, n);
  s += n;

  for (;;)
    {
      const char *q = s;

      while (is_space (*q))
        q++;
      if (*q != ';')
        break;
      q++;
      while (is_space (*q))
        q++;
      n = span_token (q);
      if (n == 0 || q[n] != '=')
        return NULL;
      g_string_append_c (out, ';');
      g_string_append_len (out, q, n + 1);
      q += n + 1;
      if (*q == '"')
        {
          g_autofree char *value = read_quoted (&q);

          if (value == NULL || *value == '\0' || !g_utf8_validate (value, -1, NULL))
            return NULL;
          append_quoted (out, value);
        }
      else
        {
          g_autofree char *value = NULL;

          n = span_token (q);
          if (n == 0)
            return NULL;
          value = g_strndup (q, n);
          append_quoted (out, value);
          q += n;
        }
      s = q;
    }
  *p = s;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
normalize_type (const char *type)
{
  const char *p = type;
  char *normal = read_type (&p);

  while (normal != NULL && is_space (*p))
    p++;
  if (normal != NULL && *p != '\0')
    g_clear_pointer (&normal, g_free);
  return normal;
}

/* hash-algorithm ":" 2HEX *(":" 2HEX), with the algorithm a token. */
static gboolean
is_hash (const char *s,
         gsize       len)
{
  gsize i = 0;

  while (i < len && s[i] != ':' && _msrp_is_token_char (s[i]))
    i++;
  if (i == 0 || i == len || s[i] != ':')
    return FALSE;
  for (i++;; i += 3)
    {
      if (i + 2 > len || !g_ascii_isxdigit (s[i]) || !g_ascii_isxdigit (s[i + 1]))
        return FALSE;
      if (i + 2 == len)
        return TRUE;
      if (s[i + 2] != ':')
        return FALSE;
    }
}

static gboolean
is_name (const char *name)
{
  return *name != '\0' && g_utf8_validate (name, -1, NULL);
}

/* GObject */

static void
msrp_file_selector_finalize (GObject *object)
{
  MsrpFileSelector *self = MSRP_FILE_SELECTOR (object);

  g_free (self->name);
  g_free (self->content_type);
  g_free (self->hash);

  G_OBJECT_CLASS (msrp_file_selector_parent_class)->finalize (object);
}

static void
msrp_file_selector_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MsrpFileSelector *self = MSRP_FILE_SELECTOR (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_CONTENT_TYPE:
      g_value_set_string (value, self->content_type);
      break;
    case PROP_SIZE:
      g_value_set_int64 (value, self->size);
      break;
    case PROP_HASH:
      g_value_set_string (value, self->hash);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_file_selector_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MsrpFileSelector *self = MSRP_FILE_SELECTOR (object);

  switch (prop_id)
    {
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_CONTENT_TYPE:
      self->content_type = g_value_dup_string (value);
      break;
    case PROP_SIZE:
      self->size = g_value_get_int64 (value);
      break;
    case PROP_HASH:
      self->hash = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Bindings construct with g_object_new (): check there what
 * msrp_file_selector_new () checks, and keep the type in selector form. */
static void
msrp_file_selector_constructed (GObject *object)
{
  MsrpFileSelector *self = MSRP_FILE_SELECTOR (object);

  G_OBJECT_CLASS (msrp_file_selector_parent_class)->constructed (object);

  if (self->name != NULL && !is_name (self->name))
    {
      g_critical ("An MsrpFileSelector's name must be non-empty UTF-8");
      g_clear_pointer (&self->name, g_free);
    }
  if (self->content_type != NULL)
    {
      char *normal = normalize_type (self->content_type);

      if (normal == NULL)
        g_critical ("“%s” is not a valid MIME type for an MsrpFileSelector", self->content_type);
      g_free (self->content_type);
      self->content_type = normal;
    }
  if (self->hash != NULL && !is_hash (self->hash, strlen (self->hash)))
    {
      g_critical ("“%s” is not a valid file hash (expected sha-1:AB:CD:...)", self->hash);
      g_clear_pointer (&self->hash, g_free);
    }
  if (self->name == NULL && self->content_type == NULL && self->size < 0 && self->hash == NULL)
    g_critical ("An MsrpFileSelector needs at least one of name, type, size and hash");
}

static void
msrp_file_selector_class_init (MsrpFileSelectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = msrp_file_selector_finalize;
  object_class->get_property = msrp_file_selector_get_property;
  object_class->set_property = msrp_file_selector_set_property;
  object_class->constructed = msrp_file_selector_constructed;

  /**
   * MsrpFileSelector:name:
   *
   * The file name (without any directory), decoded, or %NULL. A name
   * from the network may still hold `/` or `..`: take its base name
   * before saving a file under it.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpFileSelector:content-type:
   *
   * The MIME type of the file with its parameters, as the selector writes
   * it (`text/html;charset="UTF-8"`), or %NULL. At construction it may also
   * be given as MIME writes it (`text/html; charset=UTF-8`).
   *
   * Since: 1.0
   */
  properties[PROP_CONTENT_TYPE] =
    g_param_spec_string ("content-type", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpFileSelector:size:
   *
   * The size of the file in bytes, or -1 when the selector gives none.
   *
   * Since: 1.0
   */
  properties[PROP_SIZE] =
    g_param_spec_int64 ("size", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpFileSelector:hash:
   *
   * The hash of the file as written after `hash:`, the algorithm first
   * (`sha-1:72:24:5F:...`), or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_HASH] =
    g_param_spec_string ("hash", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
msrp_file_selector_init (MsrpFileSelector *self)
{
  self->size = -1;
}

/**
 * msrp_file_selector_new:
 * @name: (nullable): the file name, without any directory, or %NULL
 * @content_type: (nullable): the MIME type, with parameters if any
 *   (`text/html; charset=UTF-8` or `text/html;charset="UTF-8"`), or %NULL
 * @size: the size in bytes, or -1 for none
 * @hash: (nullable): the hash as written after `hash:`, such as
 *   `sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E`,
 *   or %NULL
 *
 * Makes a file selector. At least one of the four must be given.
 *
 * Returns: (transfer full): a new #MsrpFileSelector
 *
 * Since: 1.0
 */
MsrpFileSelector *
msrp_file_selector_new (const char *name,
                        const char *content_type,
                        gint64      size,
                        const char *hash)
{
  g_autofree char *normal_type = NULL;

  g_return_val_if_fail (name == NULL || is_name (name), NULL);
  g_return_val_if_fail (content_type == NULL || (normal_type = normalize_type (content_type)) != NULL, NULL);
  g_return_val_if_fail (size >= -1, NULL);
  g_return_val_if_fail (hash == NULL || is_hash (hash, strlen (hash)), NULL);
  g_return_val_if_fail (name != NULL || content_type != NULL || size >= 0 || hash != NULL, NULL);

  return g_object_new (MSRP_TYPE_FILE_SELECTOR,
                       "name", name,
                       "content-type", normal_type,
                       "size", size,
                       "hash", hash,
                       NULL);
}

static gboolean
selector_is (const char *p,
             const char *key)
{
  return g_ascii_strncasecmp (p, key, strlen (key)) == 0;
}

static gboolean
fail (GError    **error,
      const char *message)
{
  g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP, message);
  return FALSE;
}

typedef struct
{
  char *name;
  char *content_type;
  gint64 size;
  char *hash;
} Selectors;

static void
selectors_clear (Selectors *self)
{
  g_free (self->name);
  g_free (self->content_type);
  g_free (self->hash);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Selectors, selectors_clear)

static gboolean
parse_selectors (Selectors  *self,
                 const char *value,
                 GError    **error)
{
  const char *p = value;
  gboolean any = FALSE;

  for (;;)
    {
      while (is_space (*p))
        p++;
      if (*p == '\0')
        break;
      if (any && !is_space (p[-1]))
        return fail (error, _("The selectors of the file selector must be separated by spaces"));
      any = TRUE;

      if (selector_is (p, "name:"))
        {
          p += 5;
          if (self->name != NULL)
            return fail (error, _("The file selector has two names"));
          if (*p != '"' || (self->name = read_quoted (&p)) == NULL || !is_name (self->name))
            return fail (error, _("The name in the file selector is not a quoted UTF-8 string (name:\"file.txt\")"));
        }
      else if (selector_is (p, "type:"))
        {
          p += 5;
          if (self->content_type != NULL)
            return fail (error, _("The file selector has two types"));
          if ((self->content_type = read_type (&p)) == NULL)
            return fail (error, _("The type in the file selector is not a MIME type (type:image/jpeg)"));
        }
      else if (selector_is (p, "size:"))
        {
          const char *start = p += 5;
          guint64 size = 0;

          if (self->size >= 0)
            return fail (error, _("The file selector has two sizes"));
          /* It stops at the digit that overflows, past the start. */
          if (!_msrp_parse_decimal (&p, NULL, G_MAXINT64, &size) && p != start)
            return fail (error, _("The size in the file selector is too large"));
          if (p == start || (*p != '\0' && !is_space (*p)))
            return fail (error, _("The size in the file selector is not a number of bytes (size:1234)"));
          self->size = size;
        }
      else if (selector_is (p, "hash:"))
        {
          const char *start = p += 5;

          if (self->hash != NULL)
            return fail (error, _("The file selector has two hashes"));
          while (*p != '\0' && !is_space (*p))
            p++;
          if (!is_hash (start, p - start))
            return fail (error, _("The hash in the file selector is not of the form sha-1:AB:CD:…"));
          self->hash = g_strndup (start, p - start);
        }
      else
        return fail (error, _("The file selector has a selector other than name, type, size and hash"));
    }

  if (!any)
    return fail (error, _("The file selector is empty"));
  return TRUE;
}

/**
 * msrp_file_selector_parse:
 * @value: the value of an `a=file-selector` attribute, without the
 *   attribute's name
 * @error: return location for a #GError
 *
 * Parses a file selector (RFC 5547 section 6), its selectors in any order.
 *
 * Returns: (transfer full): a new #MsrpFileSelector, or %NULL with @error
 *   set to %MSRP_ERROR_MALFORMED_SDP
 *
 * Since: 1.0
 */
MsrpFileSelector *
msrp_file_selector_parse (const char *value,
                          GError    **error)
{
  g_auto(Selectors) s = { NULL, NULL, -1, NULL };

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parse_selectors (&s, value, error))
    return NULL;
  return g_object_new (MSRP_TYPE_FILE_SELECTOR,
                       "name", s.name,
                       "content-type", s.content_type,
                       "size", s.size,
                       "hash", s.hash,
                       NULL);
}

/**
 * msrp_file_selector_to_string:
 * @self: a #MsrpFileSelector
 *
 * Writes the selector as the value of an `a=file-selector` attribute:
 * `name:"..." type:... size:... hash:...`, with those it has.
 *
 * Returns: (transfer full): the selector
 *
 * Since: 1.0
 */
char *
msrp_file_selector_to_string (MsrpFileSelector *self)
{
  GString *out;

  g_return_val_if_fail (MSRP_IS_FILE_SELECTOR (self), NULL);

  out = g_string_new (NULL);
  if (self->name != NULL)
    {
      g_string_append (out, "name:");
      append_quoted (out, self->name);
    }
  if (self->content_type != NULL)
    g_string_append_printf (out, "%stype:%s", out->len ? " " : "", self->content_type);
  if (self->size >= 0)
    g_string_append_printf (out, "%ssize:%" G_GINT64_FORMAT, out->len ? " " : "", self->size);
  if (self->hash != NULL)
    g_string_append_printf (out, "%shash:%s", out->len ? " " : "", self->hash);
  return g_string_free (out, FALSE);
}

static gboolean
same_type (const char *a,
           const char *b)
{
  g_autofree char *normal_a = NULL;
  g_autofree char *normal_b = NULL;

  if (a == NULL || b == NULL)
    return a == b;
  normal_a = normalize_type (a);
  normal_b = normalize_type (b);
  return g_ascii_strcasecmp (normal_a ? normal_a : a, normal_b ? normal_b : b) == 0;
}

/**
 * msrp_file_selector_equal:
 * @a: a #MsrpFileSelector
 * @b: another #MsrpFileSelector
 *
 * Tells whether two selectors select the same file, as RFC 5547 section
 * 8.1 matches the selector of an answer with that of its offer: both have
 * the same selectors, with equal values. Names are compared exactly; types
 * (with their parameters) and hashes without regard to case.
 *
 * Returns: %TRUE when @a and @b select the same file
 *
 * Since: 1.0
 */
gboolean
msrp_file_selector_equal (MsrpFileSelector *a,
                          MsrpFileSelector *b)
{
  g_return_val_if_fail (MSRP_IS_FILE_SELECTOR (a), FALSE);
  g_return_val_if_fail (MSRP_IS_FILE_SELECTOR (b), FALSE);

  return g_strcmp0 (a->name, b->name) == 0 &&
         same_type (a->content_type, b->content_type) &&
         a->size == b->size &&
         (a->hash == NULL ? b->hash == NULL : (b->hash != NULL && g_ascii_strcasecmp (a->hash, b->hash) == 0));
}

/**
 * msrp_file_selector_get_name:
 * @self: a #MsrpFileSelector
 *
 * Gets the file name.
 *
 * Returns: (nullable): the name, decoded, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_file_selector_get_name (MsrpFileSelector *self)
{
  g_return_val_if_fail (MSRP_IS_FILE_SELECTOR (self), NULL);

  return self->name;
}

/**
 * msrp_file_selector_get_content_type:
 * @self: a #MsrpFileSelector
 *
 * Gets the MIME type of the file, with parameters, as the selector writes
 * it (`text/html;charset="UTF-8"`).
 *
 * Returns: (nullable): the type, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_file_selector_get_content_type (MsrpFileSelector *self)
{
  g_return_val_if_fail (MSRP_IS_FILE_SELECTOR (self), NULL);

  return self->content_type;
}

/**
 * msrp_file_selector_get_size:
 * @self: a #MsrpFileSelector
 *
 * Gets the size of the file.
 *
 * Returns: the size in bytes, or -1 when the selector gives none
 *
 * Since: 1.0
 */
gint64
msrp_file_selector_get_size (MsrpFileSelector *self)
{
  g_return_val_if_fail (MSRP_IS_FILE_SELECTOR (self), -1);

  return self->size;
}

/**
 * msrp_file_selector_get_hash:
 * @self: a #MsrpFileSelector
 *
 * Gets the hash of the file as written after `hash:`, such as
 * `sha-1:72:24:5F:...`.
 *
 * Returns: (nullable): the hash, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_file_selector_get_hash (MsrpFileSelector *self)
{
  g_return_val_if_fail (MSRP_IS_FILE_SELECTOR (self), NULL);

  return self->hash;
}

/* The selector of a file */

#define HASH_BUFFER_SIZE (64 * 1024)

static const char FILE_ATTRIBUTES[] =
  G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
  G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE;

static char *
format_sha1 (GChecksum *checksum)
{
  guint8 digest[20];
  gsize len = sizeof digest;
  GString *out = g_string_new ("sha-1:");

  g_checksum_get_digest (checksum, digest, &len);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (out, i ? ":%02X" : "%02X", digest[i]);
  return g_string_free (out, FALSE);
}

/* Runs in a worker thread: reads the file in fixed-size pieces, so that
 * memory stays the same whatever its size. */
static void
new_for_file_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GFile *file = g_task_get_task_data (task);
  const char *content_type = g_object_get_data (G_OBJECT (task), "content-type");
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GChecksum) checksum = NULL;
  g_autofree guint8 *buffer = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *guessed = NULL;
  g_autofree char *normal_type = NULL;
  GError *error = NULL;
  gint64 size = 0;

  info = g_file_query_info (file, FILE_ATTRIBUTES, G_FILE_QUERY_INFO_NONE, cancellable, &error);
  if (info == NULL || (stream = g_file_read (file, cancellable, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  checksum = g_checksum_new (G_CHECKSUM_SHA1);
  buffer = g_malloc (HASH_BUFFER_SIZE);
  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, HASH_BUFFER_SIZE,
                                      cancellable, &error);

      if (n < 0)
        {
          g_task_return_error (task, error);
          return;
        }
      if (n == 0)
        break;
      g_checksum_update (checksum, buffer, n);
      size += n;
    }
  hash = format_sha1 (checksum);

  if (content_type == NULL && g_file_info_get_content_type (info) != NULL)
    guessed = g_content_type_get_mime_type (g_file_info_get_content_type (info));
  normal_type = normalize_type (content_type ? content_type : guessed ? guessed : "");
  if (normal_type == NULL)
    normal_type = g_strdup ("application/octet-stream");

  g_task_return_pointer (task,
                         g_object_new (MSRP_TYPE_FILE_SELECTOR,
                                       "name", g_file_info_get_display_name (info),
                                       "content-type", normal_type,
                                       "size", size,
                                       "hash", hash,
                                       NULL),
                         g_object_unref);
}

/**
 * msrp_file_selector_new_for_file_async:
 * @file: the file
 * @content_type: (nullable): its MIME type, or %NULL to guess it from
 *   the file ("application/octet-stream" when that fails)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the selector is ready
 * @user_data: data for @callback
 *
 * Makes the selector of a file: its name (the base name, for display),
 * type, size and SHA-1 hash. The file is read in a worker thread, in
 * pieces of fixed size: the main context is never blocked, and memory
 * stays the same whatever the size of the file.
 *
 * Since: 1.0
 */
void
msrp_file_selector_new_for_file_async (GFile               *file,
                                       const char          *content_type,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *normal_type = NULL;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (content_type == NULL || (normal_type = normalize_type (content_type)) != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, msrp_file_selector_new_for_file_async);
  g_task_set_name (task, "[msrp] hash file for selector");
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "content-type", g_steal_pointer (&normal_type), g_free);
  g_task_run_in_thread (task, new_for_file_thread);
}

/**
 * msrp_file_selector_new_for_file_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [func@Msrp.FileSelector.new_for_file_async].
 *
 * Returns: (transfer full): the selector of the file, or %NULL with @error
 *   set (a [error@Gio.IOErrorEnum] such as %G_IO_ERROR_NOT_FOUND) when it
 *   cannot be read
 *
 * Since: 1.0
 */
MsrpFileSelector *
msrp_file_selector_new_for_file_finish (GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, msrp_file_selector_new_for_file_async), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
