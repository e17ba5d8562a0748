/* msrp-is-composing.c: RFC 3994 application/im-iscomposing+xml
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-is-composing.h"
#include "msrp-error.h"
#include "msrp-utils-private.h"
#include "msrp-xml-private.h"

/**
 * MsrpIsComposing:
 *
 * A message composition indication (RFC 3994,
 * `application/im-iscomposing+xml`): "Alice is typing…". Its state is
 * `active` while a message is being composed and `idle` when it is no
 * longer; an active indication says how long it holds (`refresh`, in
 * seconds) before the receiver should take the sender as idle, and may
 * say what is being composed (`contenttype`, such as `text/plain` or
 * `audio`). An idle one may say when the sender was last active.
 *
 * ```c
 * g_autoptr(MsrpIsComposing) typing = msrp_is_composing_new ("active", "text/plain", 90);
 * g_autoptr(GBytes) xml = msrp_is_composing_to_bytes (typing);
 * // send as MSRP_IS_COMPOSING_CONTENT_TYPE
 *
 * g_autoptr(GError) error = NULL;
 * g_autoptr(MsrpIsComposing) in = msrp_is_composing_parse (xml, &error);
 * if (in != NULL && g_str_equal (msrp_is_composing_get_state (in), "active"))
 *   g_print ("typing, for %u s at most\n", msrp_is_composing_get_refresh (in));
 * ```
 *
 * [func@Msrp.IsComposing.parse] is namespace-aware (the namespace
 * `urn:ietf:params:xml:ns:im-iscomposing` with any prefix, or as the
 * default one), skips elements of other namespaces, and refuses documents
 * with a DOCTYPE, over 64 KiB or nested deeper than 32 levels.
 *
 * Since: 1.0
 */

#define IS_COMPOSING_XML_NAMESPACE "urn:ietf:params:xml:ns:im-iscomposing"

static const char state_active[] = "active";
static const char state_idle[] = "idle";

struct _MsrpIsComposing
{
  GObject parent_instance;

  const char *state;      /* state_active or state_idle */
  GDateTime *last_active;
  char *content_type;
  guint refresh;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_LAST_ACTIVE,
  PROP_CONTENT_TYPE,
  PROP_REFRESH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (MsrpIsComposing, msrp_is_composing, G_TYPE_OBJECT)

static const char *
find_state (const char *state)
{
  if (strcmp (state, state_active) == 0)
    return state_active;
  if (strcmp (state, state_idle) == 0)
    return state_idle;
  return NULL;
}

static void
msrp_is_composing_finalize (GObject *object)
{
  MsrpIsComposing *self = MSRP_IS_COMPOSING (object);

  g_clear_pointer (&self->last_active, g_date_time_unref);
  g_free (self->content_type);

  G_OBJECT_CLASS (msrp_is_composing_parent_class)->finalize (object);
}

static void
msrp_is_composing_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MsrpIsComposing *self = MSRP_IS_COMPOSING (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;
    case PROP_LAST_ACTIVE:
      g_value_set_boxed (value, self->last_active);
      break;
    case PROP_CONTENT_TYPE:
      g_value_set_string (value, self->content_type);
      break;
    case PROP_REFRESH:
      g_value_set_uint (value, self->refresh);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_is_composing_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  MsrpIsComposing *self = MSRP_IS_COMPOSING (object);

  switch (prop_id)
    {
    case PROP_STATE:
      msrp_is_composing_set_state (self, g_value_get_string (value));
      break;
    case PROP_LAST_ACTIVE:
      msrp_is_composing_set_last_active (self, g_value_get_boxed (value));
      break;
    case PROP_CONTENT_TYPE:
      msrp_is_composing_set_content_type (self, g_value_get_string (value));
      break;
    case PROP_REFRESH:
      msrp_is_composing_set_refresh (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_is_composing_class_init (MsrpIsComposingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = msrp_is_composing_finalize;
  object_class->get_property = msrp_is_composing_get_property;
  object_class->set_property = msrp_is_composing_set_property;

  /**
   * MsrpIsComposing:state:
   *
   * `active` while a message is being composed, `idle` when it is not.
   *
   * Since: 1.0
   */
  properties[PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, state_idle,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpIsComposing:last-active:
   *
   * When the sender was last active composing (`<lastactive>`), or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_LAST_ACTIVE] =
    g_param_spec_boxed ("last-active", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpIsComposing:content-type:
   *
   * What is being composed (`<contenttype>`): a MIME type such as
   * `text/plain`, or a top-level type such as `audio`; %NULL when not
   * said (text).
   *
   * Since: 1.0
   */
  properties[PROP_CONTENT_TYPE] =
    g_param_spec_string ("content-type", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpIsComposing:refresh:
   *
   * For an active indication, the seconds within which the sender will
   * send another one; a receiver that gets none takes the sender as idle
   * after that time (RFC 3994 section 3.3). 0 when absent.
   *
   * Since: 1.0
   */
  properties[PROP_REFRESH] =
    g_param_spec_uint ("refresh", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
msrp_is_composing_init (MsrpIsComposing *self)
{
  self->state = state_idle;
}

/**
 * msrp_is_composing_new:
 * @state: `active` or `idle`
 * @content_type: (nullable): what is being composed, such as `text/plain`
 *   or `audio`, or %NULL
 * @refresh: for an active indication, the seconds within which another
 *   will follow (RFC 3994 suggests 60 to 120); 0 for none
 *
 * Makes a composition indication.
 *
 * Returns: (transfer full): a new #MsrpIsComposing
 *
 * Since: 1.0
 */
MsrpIsComposing *
msrp_is_composing_new (const char *state,
                       const char *content_type,
                       guint       refresh)
{
  g_return_val_if_fail (state != NULL && find_state (state) != NULL, NULL);
  g_return_val_if_fail (content_type == NULL || _msrp_xml_is_token (content_type), NULL);

  return g_object_new (MSRP_TYPE_IS_COMPOSING,
                       "state", state,
                       "content-type", content_type,
                       "refresh", refresh,
                       NULL);
}

/**
 * msrp_is_composing_get_state:
 * @self: a #MsrpIsComposing
 *
 * Gets whether a message is being composed.
 *
 * Returns: `active` or `idle`
 *
 * Since: 1.0
 */
const char *
msrp_is_composing_get_state (MsrpIsComposing *self)
{
  g_return_val_if_fail (MSRP_IS_IS_COMPOSING (self), NULL);

  return self->state;
}

/**
 * msrp_is_composing_set_state:
 * @self: a #MsrpIsComposing
 * @state: `active` or `idle`
 *
 * Sets whether a message is being composed.
 *
 * Since: 1.0
 */
void
msrp_is_composing_set_state (MsrpIsComposing *self,
                             const char      *state)
{
  const char *found;

  g_return_if_fail (MSRP_IS_IS_COMPOSING (self));
  g_return_if_fail (state != NULL);
  found = find_state (state);
  g_return_if_fail (found != NULL);

  if (self->state == found)
    return;
  self->state = found;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/**
 * msrp_is_composing_get_last_active:
 * @self: a #MsrpIsComposing
 *
 * Gets when the sender was last active composing, in the time zone it was
 * written with.
 *
 * Returns: (transfer none) (nullable): the time, or %NULL
 *
 * Since: 1.0
 */
GDateTime *
msrp_is_composing_get_last_active (MsrpIsComposing *self)
{
  g_return_val_if_fail (MSRP_IS_IS_COMPOSING (self), NULL);

  return self->last_active;
}

/**
 * msrp_is_composing_set_last_active:
 * @self: a #MsrpIsComposing
 * @last_active: (nullable): when the sender was last active, or %NULL
 *
 * Sets when the sender was last active composing; it is written in RFC
 * 3339 form with the offset of @last_active.
 *
 * Since: 1.0
 */
void
msrp_is_composing_set_last_active (MsrpIsComposing *self,
                                   GDateTime       *last_active)
{
  g_return_if_fail (MSRP_IS_IS_COMPOSING (self));

  if (self->last_active == last_active ||
      (self->last_active != NULL && last_active != NULL &&
       g_date_time_equal (self->last_active, last_active) &&
       g_date_time_get_utc_offset (self->last_active) == g_date_time_get_utc_offset (last_active)))
    return;
  g_clear_pointer (&self->last_active, g_date_time_unref);
  self->last_active = last_active ? g_date_time_ref (last_active) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ACTIVE]);
}

/**
 * msrp_is_composing_get_content_type:
 * @self: a #MsrpIsComposing
 *
 * Gets what is being composed.
 *
 * Returns: (nullable): a MIME type or top-level type, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_is_composing_get_content_type (MsrpIsComposing *self)
{
  g_return_val_if_fail (MSRP_IS_IS_COMPOSING (self), NULL);

  return self->content_type;
}

/**
 * msrp_is_composing_set_content_type:
 * @self: a #MsrpIsComposing
 * @content_type: (nullable): what is being composed, such as `text/plain`
 *   or `audio`: text without control characters or space around it; or
 *   %NULL
 *
 * Sets what is being composed.
 *
 * Since: 1.0
 */
void
msrp_is_composing_set_content_type (MsrpIsComposing *self,
                                    const char      *content_type)
{
  g_return_if_fail (MSRP_IS_IS_COMPOSING (self));
  g_return_if_fail (content_type == NULL || _msrp_xml_is_token (content_type));

  _msrp_set_string (G_OBJECT (self), &self->content_type, content_type, properties[PROP_CONTENT_TYPE]);
}

/**
 * msrp_is_composing_get_refresh:
 * @self: a #MsrpIsComposing
 *
 * Gets the seconds within which the sender will send another indication.
 *
 * Returns: the refresh interval in seconds, 0 when absent
 *
 * Since: 1.0
 */
guint
msrp_is_composing_get_refresh (MsrpIsComposing *self)
{
  g_return_val_if_fail (MSRP_IS_IS_COMPOSING (self), 0);

  return self->refresh;
}

/**
 * msrp_is_composing_set_refresh:
 * @self: a #MsrpIsComposing
 * @refresh: the seconds within which another indication will follow, or
 *   0 for none
 *
 * Sets the refresh interval.
 *
 * Since: 1.0
 */
void
msrp_is_composing_set_refresh (MsrpIsComposing *self,
                               guint            refresh)
{
  g_return_if_fail (MSRP_IS_IS_COMPOSING (self));

  _msrp_set_uint (G_OBJECT (self), &self->refresh, refresh, properties[PROP_REFRESH]);
}

/**
 * msrp_is_composing_to_bytes:
 * @self: a #MsrpIsComposing
 *
 * Writes the indication as an `application/im-iscomposing+xml` document
 * in UTF-8: the XML declaration, then `<isComposing>` in the RFC 3994
 * namespace with `<state>` and whichever of `<lastactive>`,
 * `<contenttype>` and `<refresh>` are set.
 *
 * Returns: (transfer full): the document
 *
 * Since: 1.0
 */
GBytes *
msrp_is_composing_to_bytes (MsrpIsComposing *self)
{
  GString *out;

  g_return_val_if_fail (MSRP_IS_IS_COMPOSING (self), NULL);

  out = g_string_sized_new (256);
  g_string_append (out,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<isComposing xmlns=\"" IS_COMPOSING_XML_NAMESPACE "\">\n");
  _msrp_xml_append_element (out, "state", self->state);
  if (self->last_active != NULL)
    {
      g_autofree char *last_active = _msrp_format_rfc3339 (self->last_active);

      _msrp_xml_append_element (out, "lastactive", last_active);
    }
  if (self->content_type != NULL)
    _msrp_xml_append_element (out, "contenttype", self->content_type);
  if (self->refresh != 0)
    g_string_append_printf (out, "  <refresh>%u</refresh>\n", self->refresh);
  g_string_append (out, "</isComposing>\n");
  return g_string_free_to_bytes (out);
}

/* Parsing */

enum {
  TAG_ROOT = 1,
  TAG_STATE,
  TAG_LAST_ACTIVE,
  TAG_CONTENT_TYPE,
  TAG_REFRESH,
  N_TAGS
};

static const char *const leaf_names[] = {
  [TAG_STATE] = "state",
  [TAG_LAST_ACTIVE] = "lastactive",
  [TAG_CONTENT_TYPE] = "contenttype",
  [TAG_REFRESH] = "refresh",
};

typedef struct
{
  MsrpIsComposing *self;
  gboolean seen[N_TAGS];
} IsComposingParser;

static int
is_composing_start_element (gpointer     user_data,
                            int          parent,
                            const char  *ns,
                            const char  *name,
                            GError     **error)
{
  IsComposingParser *p = user_data;

  if (parent == 0)
    {
      if (g_strcmp0 (ns, IS_COMPOSING_XML_NAMESPACE) == 0 && strcmp (name, "isComposing") == 0)
        return TAG_ROOT;
      if (ns == NULL)
        g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                     _("The document is not an is-composing indication: its root element is <%s> in no namespace"),
                     name);
      else
        {
          g_autofree char *quoted = _msrp_xml_shorten (ns, -1);

          g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                       _("The document is not an is-composing indication: its root element is <%s> in the namespace “%s”"),
                       name, quoted);
        }
      return -1;
    }
  /* Elements of other namespaces are extensions (RFC 3994 section 4). */
  if (parent != TAG_ROOT || g_strcmp0 (ns, IS_COMPOSING_XML_NAMESPACE) != 0)
    return 0;

  for (int tag = TAG_STATE; tag <= TAG_REFRESH; tag++)
    if (strcmp (name, leaf_names[tag]) == 0)
      {
        if (p->seen[tag])
          {
            g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                         _("The is-composing indication has more than one <%s>"), name);
            return -1;
          }
        p->seen[tag] = TRUE;
        return tag;
      }
  return 0;
}

static void
set_invalid_error (GError    **error,
                   int         tag,
                   const char *value,
                   const char *expected)
{
  g_autofree char *quoted = _msrp_xml_shorten (value, -1);

  g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
               _("The is-composing indication has an invalid <%s> “%s” (expected %s)"),
               leaf_names[tag], quoted, expected);
}

/* xs:positiveInteger, up to G_MAXUINT seconds */
static gboolean
parse_refresh (const char *text,
               guint      *refresh)
{
  guint64 value;
  const char *p = text;

  if (*p == '+')
    p++;
  if (!_msrp_parse_decimal (&p, NULL, G_MAXUINT, &value) || *p != '\0' || value == 0)
    return FALSE;
  *refresh = value;
  return TRUE;
}

static gboolean
is_composing_end_element (gpointer     user_data,
                          int          tag,
                          const char  *text,
                          GError     **error)
{
  IsComposingParser *p = user_data;
  MsrpIsComposing *self = p->self;
  g_autofree char *value = NULL;

  if (tag == TAG_ROOT)
    return TRUE;

  value = _msrp_xml_collapse (text ? text : "");
  switch (tag)
    {
    case TAG_STATE:
      self->state = find_state (value);
      if (self->state == NULL)
        {
          set_invalid_error (error, tag, value, _("active or idle"));
          return FALSE;
        }
      return TRUE;

    case TAG_LAST_ACTIVE:
      self->last_active = _msrp_xml_parse_datetime (value);
      if (self->last_active == NULL)
        {
          set_invalid_error (error, tag, value, _("RFC 3339, such as 2003-01-27T10:43:00Z"));
          return FALSE;
        }
      return TRUE;

    case TAG_CONTENT_TYPE:
      if (*value == '\0')
        return TRUE;
      if (!_msrp_xml_is_token (value))
        {
          set_invalid_error (error, tag, value, _("a MIME type"));
          return FALSE;
        }
      self->content_type = g_steal_pointer (&value);
      return TRUE;

    case TAG_REFRESH:
      if (!parse_refresh (value, &self->refresh))
        {
          set_invalid_error (error, tag, value, _("a positive number of seconds"));
          return FALSE;
        }
      return TRUE;

    default:
      return TRUE;
    }
}

/**
 * msrp_is_composing_parse:
 * @data: an `application/im-iscomposing+xml` document
 * @error: return location for a #GError
 *
 * Parses a composition indication. The document must be well-formed XML
 * in UTF-8 whose root is `<isComposing>` in the RFC 3994 namespace (with
 * any prefix), with a `<state>` of `active` or `idle`; `<lastactive>` must
 * be RFC 3339 and `<refresh>` a positive number when present. Elements of
 * other namespaces are skipped.
 *
 * Anything else fails with %MSRP_ERROR_MALFORMED_XML and a message that
 * says what is wrong; so do documents with a DOCTYPE, over 64 KiB, or
 * nested deeper than 32 levels.
 *
 * Returns: (transfer full): the indication, or %NULL with @error set
 *
 * Since: 1.0
 */
MsrpIsComposing *
msrp_is_composing_parse (GBytes  *data,
                         GError **error)
{
  static const MsrpXmlCallbacks callbacks = {
    is_composing_start_element, is_composing_end_element,
  };
  g_autoptr(MsrpIsComposing) self = NULL;
  IsComposingParser p = { 0, };

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (MSRP_TYPE_IS_COMPOSING, NULL);
  p.self = self;
  if (!_msrp_xml_parse (data, "is-composing", &callbacks, &p, error))
    return NULL;
  if (!p.seen[TAG_STATE])
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                           _("The is-composing indication has no <state>"));
      return NULL;
    }
  return g_steal_pointer (&self);
}
