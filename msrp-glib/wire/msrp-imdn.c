/* msrp-imdn.c: RFC 5438 message/imdn+xml
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-imdn.h"
#include "msrp-enums.h"
#include "msrp-error.h"
#include "msrp-utils-private.h"
#include "msrp-xml-private.h"

/**
 * MsrpImdn:
 *
 * An Instant Message Disposition Notification (RFC 5438,
 * `message/imdn+xml`): what the recipient of a chat message reports about
 * it, when the sender asked for it with the CPIM header
 * `imdn.Disposition-Notification`.
 *
 * A notification has a [enum@Msrp.ImdnKind] and a status that belongs to
 * it, the element name of RFC 5438 section 7.2.1:
 *
 * | kind | statuses |
 * |------|----------|
 * | delivery | `delivered`, `failed`, `forbidden`, `error` |
 * | display | `displayed`, `forbidden`, `error` |
 * | processing | `processed`, `stored`, `forbidden`, `error` |
 *
 * and names the message by the `imdn.Message-ID` it came with (see
 * [const@Msrp.IMDN_NAMESPACE]), with when it happened and, optionally, who
 * received it and its subject.
 *
 * ```c
 * g_autoptr(MsrpImdn) imdn = msrp_imdn_new (MSRP_IMDN_KIND_DISPLAY, "34jk324j", "displayed");
 * g_autoptr(GBytes) xml = NULL;
 * g_autoptr(GError) error = NULL;
 *
 * msrp_imdn_set_recipient_uri (imdn, "im:bob@example.com");
 * xml = msrp_imdn_to_bytes (imdn);      // send as MSRP_IMDN_CONTENT_TYPE
 *
 * // and on the other side
 * g_autoptr(MsrpImdn) in = msrp_imdn_parse (xml, &error);
 * if (in != NULL && msrp_imdn_get_kind (in) == MSRP_IMDN_KIND_DISPLAY)
 *   g_print ("%s was read\n", msrp_imdn_get_message_id (in));
 * ```
 *
 * [func@Msrp.Imdn.parse] is namespace-aware: the IMDN namespace
 * (`urn:ietf:params:xml:ns:imdn`) may come with any prefix or as the
 * default namespace, and elements of other namespaces (extensions) are
 * skipped. It refuses documents with a DOCTYPE, larger than 64 KiB or
 * nested deeper than 32 levels, and expands no entities but XML's own five
 * and character references.
 *
 * Since: 1.0
 */

#define IMDN_XML_NAMESPACE "urn:ietf:params:xml:ns:imdn"

struct _MsrpImdn
{
  GObject parent_instance;

  MsrpImdnKind kind;
  const char *status;     /* one of statuses[kind] */
  char *message_id;
  GDateTime *datetime;
  char *recipient_uri;
  char *original_recipient_uri;
  char *subject;
};

enum {
  PROP_0,
  PROP_KIND,
  PROP_STATUS,
  PROP_MESSAGE_ID,
  PROP_DATETIME,
  PROP_RECIPIENT_URI,
  PROP_ORIGINAL_RECIPIENT_URI,
  PROP_SUBJECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (MsrpImdn, msrp_imdn, G_TYPE_OBJECT)

/* RFC 5438 section 7.2.1; the first of each kind is the positive one. */
static const char *const statuses[][5] = {
  [MSRP_IMDN_KIND_DELIVERY] = { "delivered", "failed", "forbidden", "error", NULL },
  [MSRP_IMDN_KIND_DISPLAY] = { "displayed", "forbidden", "error", NULL },
  [MSRP_IMDN_KIND_PROCESSING] = { "processed", "stored", "forbidden", "error", NULL },
};

static const char *const notification_names[] = {
  [MSRP_IMDN_KIND_DELIVERY] = "delivery-notification",
  [MSRP_IMDN_KIND_DISPLAY] = "display-notification",
  [MSRP_IMDN_KIND_PROCESSING] = "processing-notification",
};

static gboolean
is_kind (int kind)
{
  return kind >= MSRP_IMDN_KIND_DELIVERY && kind <= MSRP_IMDN_KIND_PROCESSING;
}

/* The status as stored (a static string), or NULL when kind has none such. */
static const char *
find_status (MsrpImdnKind kind,
             const char  *status)
{
  for (guint i = 0; statuses[kind][i] != NULL; i++)
    if (strcmp (statuses[kind][i], status) == 0)
      return statuses[kind][i];
  return NULL;
}

static gboolean
is_status (const char *name)
{
  for (guint kind = 0; kind < G_N_ELEMENTS (statuses); kind++)
    if (find_status (kind, name) != NULL)
      return TRUE;
  return FALSE;
}

static void
msrp_imdn_finalize (GObject *object)
{
  MsrpImdn *self = MSRP_IMDN (object);

  g_free (self->message_id);
  g_clear_pointer (&self->datetime, g_date_time_unref);
  g_free (self->recipient_uri);
  g_free (self->original_recipient_uri);
  g_free (self->subject);

  G_OBJECT_CLASS (msrp_imdn_parent_class)->finalize (object);
}

static void
msrp_imdn_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  MsrpImdn *self = MSRP_IMDN (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case PROP_MESSAGE_ID:
      g_value_set_string (value, self->message_id);
      break;
    case PROP_DATETIME:
      g_value_set_boxed (value, self->datetime);
      break;
    case PROP_RECIPIENT_URI:
      g_value_set_string (value, self->recipient_uri);
      break;
    case PROP_ORIGINAL_RECIPIENT_URI:
      g_value_set_string (value, self->original_recipient_uri);
      break;
    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_imdn_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  MsrpImdn *self = MSRP_IMDN (object);

  switch (prop_id)
    {
    case PROP_KIND:
      msrp_imdn_set_kind (self, g_value_get_enum (value));
      break;
    case PROP_STATUS:
      msrp_imdn_set_status (self, g_value_get_string (value));
      break;
    case PROP_MESSAGE_ID:
      msrp_imdn_set_message_id (self, g_value_get_string (value));
      break;
    case PROP_DATETIME:
      msrp_imdn_set_datetime (self, g_value_get_boxed (value));
      break;
    case PROP_RECIPIENT_URI:
      msrp_imdn_set_recipient_uri (self, g_value_get_string (value));
      break;
    case PROP_ORIGINAL_RECIPIENT_URI:
      msrp_imdn_set_original_recipient_uri (self, g_value_get_string (value));
      break;
    case PROP_SUBJECT:
      msrp_imdn_set_subject (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_imdn_class_init (MsrpImdnClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = msrp_imdn_finalize;
  object_class->get_property = msrp_imdn_get_property;
  object_class->set_property = msrp_imdn_set_property;

  /**
   * MsrpImdn:kind:
   *
   * What the notification reports on: delivery, display or processing.
   * Set at construction, before [property@Msrp.Imdn:status]; changing it
   * later keeps the status when the new kind has it (`forbidden`, `error`)
   * and else sets the new kind's positive one.
   *
   * Since: 1.0
   */
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       MSRP_TYPE_IMDN_KIND, MSRP_IMDN_KIND_DELIVERY,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                       G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpImdn:status:
   *
   * The status, as the element name RFC 5438 gives it: `delivered`,
   * `failed`, `forbidden` or `error` for a delivery notification;
   * `displayed`, `forbidden` or `error` for a display notification;
   * `processed`, `stored`, `forbidden` or `error` for a processing
   * notification. Setting %NULL sets the kind's positive status (the
   * first of its list).
   *
   * Since: 1.0
   */
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, "delivered",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpImdn:message-id:
   *
   * The message the notification is about: the value of the
   * `imdn.Message-ID` CPIM header it came with.
   *
   * Since: 1.0
   */
  properties[PROP_MESSAGE_ID] =
    g_param_spec_string ("message-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpImdn:datetime:
   *
   * When the reported disposition happened, written in RFC 3339 form with
   * its time zone offset. [ctor@Msrp.Imdn.new] sets the current time.
   * RFC 5438 requires it; a parsed notification without one has %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_DATETIME] =
    g_param_spec_boxed ("datetime", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpImdn:recipient-uri:
   *
   * Who the message was disposed of for, such as `im:bob@example.com`,
   * or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_RECIPIENT_URI] =
    g_param_spec_string ("recipient-uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpImdn:original-recipient-uri:
   *
   * Who the message was first sent to, when an intermediary (a list
   * exploder, a forwarding service) changed the recipient, or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_ORIGINAL_RECIPIENT_URI] =
    g_param_spec_string ("original-recipient-uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpImdn:subject:
   *
   * The subject of the message the notification is about, or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_SUBJECT] =
    g_param_spec_string ("subject", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
msrp_imdn_init (MsrpImdn *self)
{
  self->kind = MSRP_IMDN_KIND_DELIVERY;
  self->status = statuses[MSRP_IMDN_KIND_DELIVERY][0];
}

/**
 * msrp_imdn_new:
 * @kind: what the notification reports on
 * @message_id: the `imdn.Message-ID` of the message it is about
 * @status: (nullable): a status of @kind (see [property@Msrp.Imdn:status]),
 *   or %NULL for its positive one (`delivered`, `displayed`, `processed`)
 *
 * Makes a notification dated now (to the second, in UTC).
 *
 * Returns: (transfer full): a new #MsrpImdn
 *
 * Since: 1.0
 */
MsrpImdn *
msrp_imdn_new (MsrpImdnKind  kind,
               const char   *message_id,
               const char   *status)
{
  g_autoptr(GDateTime) exact = NULL;
  g_autoptr(GDateTime) now = NULL;

  g_return_val_if_fail (is_kind (kind), NULL);
  g_return_val_if_fail (_msrp_xml_is_token (message_id), NULL);
  g_return_val_if_fail (status == NULL || find_status (kind, status) != NULL, NULL);

  /* whole seconds, as peers write it; UTC, as the local time zone
   * costs a look at /etc/localtime each time */
  exact = g_date_time_new_now_utc ();
  now = g_date_time_add (exact, -g_date_time_get_microsecond (exact));
  return g_object_new (MSRP_TYPE_IMDN,
                       "kind", kind,
                       "message-id", message_id,
                       "status", status,
                       "datetime", now,
                       NULL);
}

/**
 * msrp_imdn_kind_has_status:
 * @kind: a kind of notification
 * @status: a status name, such as `displayed`
 *
 * Checks whether @status belongs to notifications of @kind (RFC 5438
 * section 7.2.1): `forbidden` and `error` belong to all three kinds.
 *
 * Returns: whether a notification of @kind may have @status
 *
 * Since: 1.0
 */
gboolean
msrp_imdn_kind_has_status (MsrpImdnKind  kind,
                           const char   *status)
{
  g_return_val_if_fail (is_kind (kind), FALSE);
  g_return_val_if_fail (status != NULL, FALSE);

  return find_status (kind, status) != NULL;
}

/* Accessors */

/**
 * msrp_imdn_get_kind:
 * @self: a #MsrpImdn
 *
 * Gets what the notification reports on.
 *
 * Returns: the kind of notification
 *
 * Since: 1.0
 */
MsrpImdnKind
msrp_imdn_get_kind (MsrpImdn *self)
{
  g_return_val_if_fail (MSRP_IS_IMDN (self), MSRP_IMDN_KIND_DELIVERY);

  return self->kind;
}

/**
 * msrp_imdn_set_kind:
 * @self: a #MsrpImdn
 * @kind: what the notification reports on
 *
 * Sets what the notification reports on. The status stays when @kind has
 * it (`forbidden`, `error`); otherwise it becomes the positive status of
 * @kind (`delivered`, `displayed`, `processed`).
 *
 * Since: 1.0
 */
void
msrp_imdn_set_kind (MsrpImdn     *self,
                    MsrpImdnKind  kind)
{
  const char *status;

  g_return_if_fail (MSRP_IS_IMDN (self));
  g_return_if_fail (is_kind (kind));

  if (self->kind == kind)
    return;
  self->kind = kind;
  status = find_status (kind, self->status);
  g_object_freeze_notify (G_OBJECT (self));
  if (status == NULL)
    {
      self->status = statuses[kind][0];
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * msrp_imdn_get_status:
 * @self: a #MsrpImdn
 *
 * Gets the status: the element name of RFC 5438, such as `delivered`.
 *
 * Returns: the status
 *
 * Since: 1.0
 */
const char *
msrp_imdn_get_status (MsrpImdn *self)
{
  g_return_val_if_fail (MSRP_IS_IMDN (self), NULL);

  return self->status;
}

/**
 * msrp_imdn_set_status:
 * @self: a #MsrpImdn
 * @status: (nullable): a status of the notification's kind (see
 *   [property@Msrp.Imdn:status]), or %NULL for its positive one
 *
 * Sets the status. A status of another kind is a programming error; check
 * with [func@Msrp.ImdnKind.has_status] first when it comes from elsewhere.
 *
 * Since: 1.0
 */
void
msrp_imdn_set_status (MsrpImdn   *self,
                      const char *status)
{
  const char *found;

  g_return_if_fail (MSRP_IS_IMDN (self));

  found = status ? find_status (self->kind, status) : statuses[self->kind][0];
  g_return_if_fail (found != NULL);

  if (self->status == found)
    return;
  self->status = found;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

/**
 * msrp_imdn_get_message_id:
 * @self: a #MsrpImdn
 *
 * Gets the `imdn.Message-ID` of the message the notification is about.
 *
 * Returns: (nullable): the message id, %NULL only before one is set
 *
 * Since: 1.0
 */
const char *
msrp_imdn_get_message_id (MsrpImdn *self)
{
  g_return_val_if_fail (MSRP_IS_IMDN (self), NULL);

  return self->message_id;
}

static void
set_string (MsrpImdn   *self,
            char      **field,
            const char *value,
            int         prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/**
 * msrp_imdn_set_message_id:
 * @self: a #MsrpImdn
 * @message_id: the `imdn.Message-ID` of the message it is about: text
 *   without control characters or space around it
 *
 * Sets the message the notification is about.
 *
 * Since: 1.0
 */
void
msrp_imdn_set_message_id (MsrpImdn   *self,
                          const char *message_id)
{
  g_return_if_fail (MSRP_IS_IMDN (self));
  g_return_if_fail (_msrp_xml_is_token (message_id));

  set_string (self, &self->message_id, message_id, PROP_MESSAGE_ID);
}

/**
 * msrp_imdn_get_datetime:
 * @self: a #MsrpImdn
 *
 * Gets when the reported disposition happened, in the time zone it was
 * written with.
 *
 * Returns: (transfer none) (nullable): the time, or %NULL
 *
 * Since: 1.0
 */
GDateTime *
msrp_imdn_get_datetime (MsrpImdn *self)
{
  g_return_val_if_fail (MSRP_IS_IMDN (self), NULL);

  return self->datetime;
}

/**
 * msrp_imdn_set_datetime:
 * @self: a #MsrpImdn
 * @datetime: (nullable): when the disposition happened; %NULL leaves the
 *   `<datetime>` out, which RFC 5438 does not allow
 *
 * Sets when the reported disposition happened. It is written in RFC 3339
 * form with the offset of @datetime, such as `2008-04-04T12:16:49-05:00`.
 *
 * Since: 1.0
 */
void
msrp_imdn_set_datetime (MsrpImdn  *self,
                        GDateTime *datetime)
{
  g_return_if_fail (MSRP_IS_IMDN (self));

  if (self->datetime == datetime ||
      (self->datetime != NULL && datetime != NULL && g_date_time_equal (self->datetime, datetime) &&
       g_date_time_get_utc_offset (self->datetime) == g_date_time_get_utc_offset (datetime)))
    return;
  g_clear_pointer (&self->datetime, g_date_time_unref);
  self->datetime = datetime ? g_date_time_ref (datetime) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATETIME]);
}

/**
 * msrp_imdn_get_recipient_uri:
 * @self: a #MsrpImdn
 *
 * Gets who the message was disposed of for.
 *
 * Returns: (nullable): the recipient's URI, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_imdn_get_recipient_uri (MsrpImdn *self)
{
  g_return_val_if_fail (MSRP_IS_IMDN (self), NULL);

  return self->recipient_uri;
}

/**
 * msrp_imdn_set_recipient_uri:
 * @self: a #MsrpImdn
 * @uri: (nullable): the recipient's URI, such as `im:bob@example.com`, or
 *   %NULL
 *
 * Sets who the message was disposed of for.
 *
 * Since: 1.0
 */
void
msrp_imdn_set_recipient_uri (MsrpImdn   *self,
                             const char *uri)
{
  g_return_if_fail (MSRP_IS_IMDN (self));
  g_return_if_fail (uri == NULL || _msrp_xml_is_token (uri));

  set_string (self, &self->recipient_uri, uri, PROP_RECIPIENT_URI);
}

/**
 * msrp_imdn_get_original_recipient_uri:
 * @self: a #MsrpImdn
 *
 * Gets who the message was first sent to.
 *
 * Returns: (nullable): the original recipient's URI, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_imdn_get_original_recipient_uri (MsrpImdn *self)
{
  g_return_val_if_fail (MSRP_IS_IMDN (self), NULL);

  return self->original_recipient_uri;
}

/**
 * msrp_imdn_set_original_recipient_uri:
 * @self: a #MsrpImdn
 * @uri: (nullable): the original recipient's URI, or %NULL
 *
 * Sets who the message was first sent to.
 *
 * Since: 1.0
 */
void
msrp_imdn_set_original_recipient_uri (MsrpImdn   *self,
                                      const char *uri)
{
  g_return_if_fail (MSRP_IS_IMDN (self));
  g_return_if_fail (uri == NULL || _msrp_xml_is_token (uri));

  set_string (self, &self->original_recipient_uri, uri, PROP_ORIGINAL_RECIPIENT_URI);
}

/**
 * msrp_imdn_get_subject:
 * @self: a #MsrpImdn
 *
 * Gets the subject of the message the notification is about.
 *
 * Returns: (nullable): the subject, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_imdn_get_subject (MsrpImdn *self)
{
  g_return_val_if_fail (MSRP_IS_IMDN (self), NULL);

  return self->subject;
}

/**
 * msrp_imdn_set_subject:
 * @self: a #MsrpImdn
 * @subject: (nullable): the subject: text without control characters but
 *   tab and line feed; or %NULL
 *
 * Sets the subject of the message the notification is about.
 *
 * Since: 1.0
 */
void
msrp_imdn_set_subject (MsrpImdn   *self,
                       const char *subject)
{
  g_return_if_fail (MSRP_IS_IMDN (self));
  g_return_if_fail (subject == NULL || _msrp_xml_is_text (subject));

  set_string (self, &self->subject, subject, PROP_SUBJECT);
}

/* Writing */

/**
 * msrp_imdn_to_bytes:
 * @self: a #MsrpImdn
 *
 * Writes the notification as a `message/imdn+xml` document in UTF-8: the
 * XML declaration, then `<imdn>` in the IMDN namespace with the message
 * id, the date, the optional elements that are set, and the notification
 * with its status, escaped where needed.
 *
 * Returns: (transfer full): the document
 *
 * Since: 1.0
 */
GBytes *
msrp_imdn_to_bytes (MsrpImdn *self)
{
  GString *out;

  g_return_val_if_fail (MSRP_IS_IMDN (self), NULL);
  g_return_val_if_fail (self->message_id != NULL, NULL);

  out = g_string_sized_new (384);
  g_string_append (out,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<imdn xmlns=\"" IMDN_XML_NAMESPACE "\">\n");
  _msrp_xml_append_element (out, "message-id", self->message_id);
  if (self->datetime != NULL)
    {
      g_autofree char *datetime = _msrp_format_rfc3339 (self->datetime);

      _msrp_xml_append_element (out, "datetime", datetime);
    }
  if (self->recipient_uri != NULL)
    _msrp_xml_append_element (out, "recipient-uri", self->recipient_uri);
  if (self->original_recipient_uri != NULL)
    _msrp_xml_append_element (out, "original-recipient-uri", self->original_recipient_uri);
  if (self->subject != NULL)
    _msrp_xml_append_element (out, "subject", self->subject);
  g_string_append_printf (out, "  <%s>\n    <status>\n      <%s/>\n    </status>\n  </%s>\n</imdn>\n",
                          notification_names[self->kind], self->status,
                          notification_names[self->kind]);
  return g_string_free_to_bytes (out);
}

/* Parsing */

enum {
  TAG_ROOT = 1,
  TAG_MESSAGE_ID,
  TAG_DATETIME,
  TAG_RECIPIENT_URI,
  TAG_ORIGINAL_RECIPIENT_URI,
  TAG_SUBJECT,
  TAG_NOTIFICATION,
  TAG_STATUS,
  N_TAGS
};

static const char *const leaf_names[] = {
  [TAG_MESSAGE_ID] = "message-id",
  [TAG_DATETIME] = "datetime",
  [TAG_RECIPIENT_URI] = "recipient-uri",
  [TAG_ORIGINAL_RECIPIENT_URI] = "original-recipient-uri",
  [TAG_SUBJECT] = "subject",
};

typedef struct
{
  MsrpImdn *self;
  int kind;             /* -1 until the notification element */
  const char *status;
  gboolean seen[N_TAGS];
} ImdnParser;

static void
set_wrong_root_error (GError    **error,
                      const char *ns,
                      const char *name)
{
  if (ns == NULL)
    g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                 _("The document is not an IMDN notification: its root element is <%s> in no namespace"),
                 name);
  else
    {
      g_autofree char *quoted = _msrp_xml_shorten (ns, -1);

      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                   _("The document is not an IMDN notification: its root element is <%s> in the namespace “%s”"),
                   name, quoted);
    }
}

static void
set_duplicate_error (GError    **error,
                     const char *name)
{
  g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
               _("The IMDN notification has more than one <%s>"), name);
}

static int
imdn_start_element (gpointer     user_data,
                    int          parent,
                    const char  *ns,
                    const char  *name,
                    GError     **error)
{
  ImdnParser *p = user_data;

  if (parent == 0)
    {
      if (g_strcmp0 (ns, IMDN_XML_NAMESPACE) != 0 || strcmp (name, "imdn") != 0)
        {
          set_wrong_root_error (error, ns, name);
          return -1;
        }
      return TAG_ROOT;
    }
  /* Elements of other namespaces are extensions (RFC 5438 section 11). */
  if (g_strcmp0 (ns, IMDN_XML_NAMESPACE) != 0)
    return 0;

  switch (parent)
    {
    case TAG_ROOT:
      for (int tag = TAG_MESSAGE_ID; tag <= TAG_SUBJECT; tag++)
        if (strcmp (name, leaf_names[tag]) == 0)
          {
            if (p->seen[tag])
              {
                set_duplicate_error (error, name);
                return -1;
              }
            p->seen[tag] = TRUE;
            return tag;
          }
      for (int kind = 0; kind < (int) G_N_ELEMENTS (notification_names); kind++)
        if (strcmp (name, notification_names[kind]) == 0)
          {
            if (p->kind >= 0)
              {
                g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                                     _("The IMDN notification has more than one delivery, display or processing notification"));
                return -1;
              }
            p->kind = kind;
            return TAG_NOTIFICATION;
          }
      return 0;

    case TAG_NOTIFICATION:
      if (strcmp (name, "status") != 0)
        return 0;
      if (p->seen[TAG_STATUS])
        {
          set_duplicate_error (error, name);
          return -1;
        }
      p->seen[TAG_STATUS] = TRUE;
      return TAG_STATUS;

    case TAG_STATUS:
      if (!is_status (name))
        return 0;
      if (p->status != NULL)
        {
          g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                               _("The <status> of the IMDN notification has more than one status"));
          return -1;
        }
      p->status = find_status (p->kind, name);
      if (p->status == NULL)
        {
          g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                       _("The status <%s/> of the IMDN notification does not belong in a <%s>"),
                       name, notification_names[p->kind]);
          return -1;
        }
      return 0;

    default:
      return 0;
    }
}

static gboolean
set_token (char       **field,
           const char  *text,
           gboolean     required,
           const char  *name,
           GError     **error)
{
  g_autofree char *value = _msrp_xml_collapse (text ? text : "");

  if (*value == '\0' && !required)
    return TRUE;
  if (!_msrp_xml_is_token (value))
    {
      g_autofree char *quoted = _msrp_xml_shorten (value, -1);

      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                   _("The IMDN notification has an invalid <%s> “%s”"), name, quoted);
      return FALSE;
    }
  *field = g_steal_pointer (&value);
  return TRUE;
}

static gboolean
imdn_end_element (gpointer     user_data,
                  int          tag,
                  const char  *text,
                  GError     **error)
{
  ImdnParser *p = user_data;
  MsrpImdn *self = p->self;

  switch (tag)
    {
    case TAG_MESSAGE_ID:
      return set_token (&self->message_id, text, TRUE, leaf_names[tag], error);
    case TAG_RECIPIENT_URI:
      return set_token (&self->recipient_uri, text, FALSE, leaf_names[tag], error);
    case TAG_ORIGINAL_RECIPIENT_URI:
      return set_token (&self->original_recipient_uri, text, FALSE, leaf_names[tag], error);

    case TAG_DATETIME:
      {
        g_autofree char *value = _msrp_xml_collapse (text ? text : "");

        self->datetime = _msrp_xml_parse_datetime (value);
        if (self->datetime == NULL)
          {
            g_autofree char *quoted = _msrp_xml_shorten (value, -1);

            g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                         _("The IMDN notification has an invalid <datetime> “%s” (expected RFC 3339, such as 2008-04-04T12:16:49-05:00)"),
                         quoted);
            return FALSE;
          }
        return TRUE;
      }

    case TAG_SUBJECT:
      {
        g_autofree char *value = g_strdup (text ? text : "");

        _msrp_xml_normalize_text (value);
        if (!_msrp_xml_is_text (value))
          {
            g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                         _("The IMDN notification has an invalid <%s> (control characters)"),
                         leaf_names[tag]);
            return FALSE;
          }
        self->subject = g_steal_pointer (&value);
        return TRUE;
      }

    case TAG_STATUS:
      if (p->status == NULL)
        {
          g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                       _("The <status> of the IMDN notification has none of the statuses of a <%s>"),
                       notification_names[p->kind]);
          return FALSE;
        }
      return TRUE;

    case TAG_NOTIFICATION:
      if (!p->seen[TAG_STATUS])
        {
          g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                       _("The <%s> of the IMDN notification has no <status>"),
                       notification_names[p->kind]);
          return FALSE;
        }
      return TRUE;

    default:
      return TRUE;
    }
}

/**
 * msrp_imdn_parse:
 * @data: a `message/imdn+xml` document
 * @error: return location for a #GError
 *
 * Parses an IMDN notification. The document must be well-formed XML in
 * UTF-8 whose root is `<imdn>` in the IMDN namespace (with any prefix),
 * with a `<message-id>` and one delivery, display or processing
 * notification whose status belongs to it. Elements of other namespaces
 * are skipped; `<datetime>` must be RFC 3339 when present.
 *
 * Anything else fails with %MSRP_ERROR_MALFORMED_XML and a message that
 * says what is wrong; so do documents with a DOCTYPE, over 64 KiB, or
 * nested deeper than 32 levels.
 *
 * Returns: (transfer full): the notification, or %NULL with @error set
 *
 * Since: 1.0
 */
MsrpImdn *
msrp_imdn_parse (GBytes  *data,
                 GError **error)
{
  static const MsrpXmlCallbacks callbacks = { imdn_start_element, imdn_end_element };
  g_autoptr(MsrpImdn) self = NULL;
  ImdnParser p = { 0, };

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (MSRP_TYPE_IMDN, NULL);
  p.self = self;
  p.kind = -1;
  if (!_msrp_xml_parse (data, "IMDN", &callbacks, &p, error))
    return NULL;

  if (self->message_id == NULL)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                           _("The IMDN notification has no <message-id>"));
      return NULL;
    }
  if (p.kind < 0)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML,
                           _("The IMDN notification has no delivery, display or processing notification"));
      return NULL;
    }
  self->kind = p.kind;
  self->status = p.status;
  return g_steal_pointer (&self);
}
