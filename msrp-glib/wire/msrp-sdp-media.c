/* msrp-sdp-media.c: one SDP media section carrying MSRP
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-sdp-media-private.h"
#include "msrp-enums.h"
#include "msrp-error.h"
#include "msrp-uri.h"
#include "msrp-utils-private.h"

/**
 * MsrpSdpMedia:
 *
 * One media section of an SDP body (RFC 4566) that sets up an MSRP
 * session (RFC 4975 section 8): its `m=` line, its connection address and
 * its attributes, among them the MSRP ones (`a=path`, `a=accept-types`,
 * `a=accept-wrapped-types`, `a=max-size`), connection setup (`a=setup`,
 * RFC 6135; `a=msrp-cema`, RFC 6714), TLS (`a=fingerprint`, RFC 8122) and
 * file transfer (`a=file-selector` and the other attributes of RFC 5547).
 *
 * [func@Msrp.SdpMedia.parse] reads a media section from its `m=` line, or
 * a whole SDP body, of which it takes the first MSRP media section; the
 * session-level `c=`, `a=setup` and `a=fingerprint` then apply to the media
 * section when it has none of its own, and are copied into it.
 * [method@Msrp.SdpMedia.to_string] writes the section back, `m=` line
 * first, with CRLF line ends. Lines and attributes that the object does not
 * interpret (`i=`, `b=`, `a=file-icon`, ...) are kept in their order, so
 * that a well-formed section parsed and written again is the same text.
 *
 * A new object's attributes are written in a fixed order: `c=`, then
 * `a=path`, `accept-types`, `accept-wrapped-types`, `max-size`, `setup`,
 * the direction, `fingerprint`, `msrp-cema`, `file-selector`,
 * `file-transfer-id`, `file-disposition`, `file-date`, `file-range`, and
 * the others in the order they were added:
 *
 * ```c
 * g_autoptr(MsrpSdpMedia) media = msrp_sdp_media_new ("message");
 * const char *types[] = { "message/cpim", "text/plain", NULL };
 * g_autofree char *text = NULL;
 *
 * msrp_sdp_media_set_port (media, 7394);
 * msrp_sdp_media_set_connection_address (media, "192.0.2.1");
 * msrp_sdp_media_set_path (media, local_path);
 * msrp_sdp_media_set_accept_types (media, types);
 * msrp_sdp_media_set_setup (media, "actpass");
 * text = msrp_sdp_media_to_string (media);
 * // m=message 7394 TCP/MSRP *
 * // c=IN IP4 192.0.2.1
 * // a=path:msrp://192.0.2.1:7394/2s93i93idj;tcp
 * // a=accept-types:message/cpim text/plain
 * // a=setup:actpass
 * ```
 *
 * Parsing is bounded (64 KiB, 1024 lines) and refuses malformed SDP with
 * %MSRP_ERROR_MALFORMED_SDP and a message that names the line. Attribute
 * names are matched without regard to case.
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (MsrpSdpMedia, msrp_sdp_media, G_TYPE_OBJECT)

GParamSpec *_msrp_sdp_media_properties[N_PROPS];

static const KnownAttribute known_attributes[] = {
  { "path", 1, PROP_PATH, TRUE },
  { "accept-types", 2, PROP_ACCEPT_TYPES, TRUE },
  { "accept-wrapped-types", 3, PROP_ACCEPT_WRAPPED_TYPES, TRUE },
  { "max-size", 4, PROP_MAX_SIZE, TRUE },
  { "setup", 5, PROP_SETUP, TRUE },
  { "sendrecv", 6, PROP_DIRECTION, FALSE },
  { "sendonly", 6, PROP_DIRECTION, FALSE },
  { "recvonly", 6, PROP_DIRECTION, FALSE },
  { "inactive", 6, PROP_DIRECTION, FALSE },
  { "fingerprint", 7, PROP_FINGERPRINT, TRUE },
  { "msrp-cema", 8, PROP_CEMA, FALSE },
  /* the file attributes are flags in a capability indication (RFC 5547
   * section 9.3) */
  { "file-selector", 9, PROP_FILE_SELECTOR, FALSE },
  { "file-transfer-id", 10, PROP_FILE_TRANSFER_ID, FALSE },
  { "file-disposition", 11, PROP_FILE_DISPOSITION, FALSE },
  { "file-date", 12, PROP_FILE_DATE, FALSE },
  { "file-range", 13, PROP_FILE_RANGE_START, FALSE },
};


/* Indexed by MsrpSdpDirection. */
const char * const _msrp_sdp_direction_names[4] = { "sendrecv", "sendonly", "recvonly", "inactive" };

const KnownAttribute *
_msrp_sdp_find_known (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_attributes); i++)
    if (g_ascii_strcasecmp (known_attributes[i].name, name) == 0)
      return &known_attributes[i];
  return NULL;
}

static void
sdp_line_free (gpointer data)
{
  SdpLine *line = data;

  g_free (line->name);
  g_free (line->value);
  g_free (line);
}

SdpLine *
_msrp_sdp_sdp_line_new (char        type,
                        const char *name,
                        const char *value)
{
  SdpLine *line = g_new0 (SdpLine, 1);

  line->type = type;
  line->name = g_strdup (name);
  line->value = g_strdup (value);
  return line;
}

static gboolean
is_attribute (const SdpLine *line,
              const char    *name)
{
  return line->type == 'a' && g_ascii_strcasecmp (line->name, name) == 0;
}

SdpLine *
_msrp_sdp_find_attribute (MsrpSdpMedia *self,
                          const char   *name)
{
  for (guint i = 0; i < self->lines->len; i++)
    {
      SdpLine *line = g_ptr_array_index (self->lines, i);

      if (is_attribute (line, name))
        return line;
    }
  return NULL;
}

SdpLine *
_msrp_sdp_find_line (MsrpSdpMedia *self,
                     char          type)
{
  for (guint i = 0; i < self->lines->len; i++)
    {
      SdpLine *line = g_ptr_array_index (self->lines, i);

      if (line->type == type)
        return line;
    }
  return NULL;
}

/* Caches */

static void
sync_cache (MsrpSdpMedia *self,
            guint         prop)
{
  SdpLine *line;

  switch (prop)
    {
    case PROP_CONNECTION_ADDRESS:
      g_clear_pointer (&self->connection_address, g_free);
      if ((line = _msrp_sdp_find_line (self, 'c')) != NULL)
        self->connection_address = _msrp_sdp_parse_connection (line->value);
      break;
    case PROP_PATH:
      g_clear_pointer (&self->path, g_ptr_array_unref);
      if ((line = _msrp_sdp_find_attribute (self, "path")) != NULL && line->value != NULL)
        self->path = msrp_path_parse (line->value, NULL);
      break;
    case PROP_ACCEPT_TYPES:
      g_clear_pointer (&self->accept_types, g_strfreev);
      if ((line = _msrp_sdp_find_attribute (self, "accept-types")) != NULL && line->value != NULL)
        self->accept_types = _msrp_sdp_split_types (line->value);
      break;
    case PROP_ACCEPT_WRAPPED_TYPES:
      g_clear_pointer (&self->accept_wrapped_types, g_strfreev);
      if ((line = _msrp_sdp_find_attribute (self, "accept-wrapped-types")) != NULL && line->value != NULL)
        self->accept_wrapped_types = _msrp_sdp_split_types (line->value);
      break;
    case PROP_FILE_SELECTOR:
      g_clear_object (&self->file_selector);
      if ((line = _msrp_sdp_find_attribute (self, "file-selector")) != NULL && line->value != NULL)
        self->file_selector = msrp_file_selector_parse (line->value, NULL);
      break;
    default:
      break;
    }
}

void
_msrp_sdp_sync_all_caches (MsrpSdpMedia *self)
{
  sync_cache (self, PROP_CONNECTION_ADDRESS);
  sync_cache (self, PROP_PATH);
  sync_cache (self, PROP_ACCEPT_TYPES);
  sync_cache (self, PROP_ACCEPT_WRAPPED_TYPES);
  sync_cache (self, PROP_FILE_SELECTOR);
}

/* After the lines of an attribute changed: its cache and notification. */
static void
attribute_changed (MsrpSdpMedia *self,
                   const char   *name)
{
  const KnownAttribute *known = _msrp_sdp_find_known (name);

  if (known == NULL)
    return;
  sync_cache (self, known->prop);
  g_object_notify_by_pspec (G_OBJECT (self), properties[known->prop]);
  if (known->prop == PROP_FILE_RANGE_START)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE_RANGE_STOP]);
}

static guint
line_rank (const SdpLine *line)
{
  const KnownAttribute *known = _msrp_sdp_find_known (line->name);

  return known ? known->rank : OTHER_RANK;
}

/* Puts an attribute after those of its rank and before those of a later
 * one, so that new objects write attributes in a fixed order. */
void
_msrp_sdp_insert_attribute (MsrpSdpMedia *self,
                            SdpLine      *line)
{
  guint rank = line_rank (line);

  for (guint i = 0; i < self->lines->len; i++)
    {
      SdpLine *other = g_ptr_array_index (self->lines, i);

      if (other->type == 'a' && line_rank (other) > rank)
        {
          g_ptr_array_insert (self->lines, i, line);
          return;
        }
    }
  g_ptr_array_add (self->lines, line);
}

void
_msrp_sdp_remove_attributes (MsrpSdpMedia *self,
                             const char   *name,
                             SdpLine      *except)
{
  for (guint i = 0; i < self->lines->len;)
    {
      SdpLine *line = g_ptr_array_index (self->lines, i);

      if (line != except && is_attribute (line, name))
        g_ptr_array_remove_index (self->lines, i);
      else
        i++;
    }
}

static gboolean
has_other (MsrpSdpMedia *self,
           const char   *name,
           SdpLine      *except)
{
  for (guint i = 0; i < self->lines->len; i++)
    {
      SdpLine *line = g_ptr_array_index (self->lines, i);

      if (line != except && is_attribute (line, name))
        return TRUE;
    }
  return FALSE;
}

/* Gives an attribute that comes once the value (NULL removes it): the
 * first line of that name takes it, others go. Returns whether anything
 * changed, and notifies then. */
gboolean
_msrp_sdp_set_single (MsrpSdpMedia *self,
                      const char   *name,
                      const char   *value,
                      gboolean      flag)
{
  SdpLine *line = _msrp_sdp_find_attribute (self, name);

  if (value == NULL && !flag)
    {
      if (line == NULL)
        return FALSE;
      _msrp_sdp_remove_attributes (self, name, NULL);
    }
  else if (line != NULL)
    {
      if (g_strcmp0 (line->value, value) == 0 && !has_other (self, name, line))
        return FALSE;
      g_free (line->value);
      line->value = g_strdup (value);
      _msrp_sdp_remove_attributes (self, name, line);
    }
  else
    _msrp_sdp_insert_attribute (self, _msrp_sdp_sdp_line_new ('a', name, value));

  attribute_changed (self, name);
  return TRUE;
}

/* GObject */

static void
msrp_sdp_media_finalize (GObject *object)
{
  MsrpSdpMedia *self = MSRP_SDP_MEDIA (object);

  g_free (self->media);
  g_free (self->port_count);
  g_free (self->protocol);
  g_free (self->formats);
  g_ptr_array_unref (self->lines);
  g_clear_pointer (&self->path, g_ptr_array_unref);
  g_strfreev (self->accept_types);
  g_strfreev (self->accept_wrapped_types);
  g_clear_object (&self->file_selector);
  g_free (self->connection_address);

  G_OBJECT_CLASS (msrp_sdp_media_parent_class)->finalize (object);
}

static void
msrp_sdp_media_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MsrpSdpMedia *self = MSRP_SDP_MEDIA (object);
  gint64 start = 0, stop = -1;

  switch (prop_id)
    {
    case PROP_MEDIA:
      g_value_set_string (value, self->media);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_PROTOCOL:
      g_value_set_string (value, self->protocol);
      break;
    case PROP_CONNECTION_ADDRESS:
      g_value_set_string (value, self->connection_address);
      break;
    case PROP_PATH:
      g_value_set_boxed (value, self->path);
      break;
    case PROP_ACCEPT_TYPES:
      g_value_set_boxed (value, self->accept_types);
      break;
    case PROP_ACCEPT_WRAPPED_TYPES:
      g_value_set_boxed (value, self->accept_wrapped_types);
      break;
    case PROP_MAX_SIZE:
      g_value_set_int64 (value, msrp_sdp_media_get_max_size (self));
      break;
    case PROP_SETUP:
      g_value_set_string (value, msrp_sdp_media_get_setup (self));
      break;
    case PROP_DIRECTION:
      g_value_set_enum (value, msrp_sdp_media_get_direction (self));
      break;
    case PROP_FINGERPRINT:
      g_value_set_string (value, msrp_sdp_media_get_fingerprint (self));
      break;
    case PROP_CEMA:
      g_value_set_boolean (value, msrp_sdp_media_get_cema (self));
      break;
    case PROP_FILE_SELECTOR:
      g_value_set_object (value, self->file_selector);
      break;
    case PROP_FILE_TRANSFER_ID:
      g_value_set_string (value, msrp_sdp_media_get_file_transfer_id (self));
      break;
    case PROP_FILE_DISPOSITION:
      g_value_set_string (value, msrp_sdp_media_get_file_disposition (self));
      break;
    case PROP_FILE_DATE:
      g_value_set_string (value, msrp_sdp_media_get_file_date (self));
      break;
    case PROP_FILE_RANGE_START:
      msrp_sdp_media_get_file_range (self, &start, NULL);
      g_value_set_int64 (value, start);
      break;
    case PROP_FILE_RANGE_STOP:
      msrp_sdp_media_get_file_range (self, NULL, &stop);
      g_value_set_int64 (value, stop);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_sdp_media_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  MsrpSdpMedia *self = MSRP_SDP_MEDIA (object);

  switch (prop_id)
    {
    case PROP_MEDIA:
      g_free (self->media);
      self->media = g_value_dup_string (value);
      break;
    case PROP_PORT:
      msrp_sdp_media_set_port (self, g_value_get_uint (value));
      break;
    case PROP_PROTOCOL:
      msrp_sdp_media_set_protocol (self, g_value_get_string (value));
      break;
    case PROP_CONNECTION_ADDRESS:
      msrp_sdp_media_set_connection_address (self, g_value_get_string (value));
      break;
    case PROP_PATH:
      msrp_sdp_media_set_path (self, g_value_get_boxed (value));
      break;
    case PROP_ACCEPT_TYPES:
      msrp_sdp_media_set_accept_types (self, g_value_get_boxed (value));
      break;
    case PROP_ACCEPT_WRAPPED_TYPES:
      msrp_sdp_media_set_accept_wrapped_types (self, g_value_get_boxed (value));
      break;
    case PROP_MAX_SIZE:
      msrp_sdp_media_set_max_size (self, g_value_get_int64 (value));
      break;
    case PROP_SETUP:
      msrp_sdp_media_set_setup (self, g_value_get_string (value));
      break;
    case PROP_DIRECTION:
      msrp_sdp_media_set_direction (self, g_value_get_enum (value));
      break;
    case PROP_FINGERPRINT:
      msrp_sdp_media_set_fingerprint (self, g_value_get_string (value));
      break;
    case PROP_CEMA:
      msrp_sdp_media_set_cema (self, g_value_get_boolean (value));
      break;
    case PROP_FILE_SELECTOR:
      msrp_sdp_media_set_file_selector (self, g_value_get_object (value));
      break;
    case PROP_FILE_TRANSFER_ID:
      msrp_sdp_media_set_file_transfer_id (self, g_value_get_string (value));
      break;
    case PROP_FILE_DISPOSITION:
      msrp_sdp_media_set_file_disposition (self, g_value_get_string (value));
      break;
    case PROP_FILE_DATE:
      msrp_sdp_media_set_file_date (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_sdp_media_constructed (GObject *object)
{
  MsrpSdpMedia *self = MSRP_SDP_MEDIA (object);

  G_OBJECT_CLASS (msrp_sdp_media_parent_class)->constructed (object);

  if (self->media == NULL || !_msrp_sdp_is_token (self->media, strlen (self->media)))
    {
      g_critical ("“%s” is not a valid SDP media type", self->media ? self->media : "(null)");
      g_free (self->media);
      self->media = g_strdup ("message");
    }
}

static void
msrp_sdp_media_class_init (MsrpSdpMediaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = msrp_sdp_media_finalize;
  object_class->get_property = msrp_sdp_media_get_property;
  object_class->set_property = msrp_sdp_media_set_property;
  object_class->constructed = msrp_sdp_media_constructed;

  /**
   * MsrpSdpMedia:media:
   *
   * The media type of the `m=` line: "message" for chat and file
   * transfer, "application" for some other uses of MSRP.
   *
   * Since: 1.0
   */
  properties[PROP_MEDIA] =
    g_param_spec_string ("media", NULL, NULL, "message",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpSdpMedia:port:
   *
   * The port of the `m=` line (MSRP connects to the URIs of the path; the
   * port says little more than whether the media is accepted). 0 rejects
   * the media (RFC 3264). A new object has 2855.
   *
   * Since: 1.0
   */
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, MSRP_DEFAULT_PORT, rw);

  /**
   * MsrpSdpMedia:protocol:
   *
   * The transport protocol of the `m=` line: "TCP/MSRP", "TCP/TLS/MSRP",
   * "TCP/WS/MSRP" or "TCP/WSS/MSRP" (RFC 7977).
   *
   * Since: 1.0
   */
  properties[PROP_PROTOCOL] =
    g_param_spec_string ("protocol", NULL, NULL, "TCP/MSRP", rw);

  /**
   * MsrpSdpMedia:connection-address:
   *
   * The address of the `c=` line, or %NULL when there is none.
   *
   * Since: 1.0
   */
  properties[PROP_CONNECTION_ADDRESS] =
    g_param_spec_string ("connection-address", NULL, NULL, NULL, rw);

  /**
   * MsrpSdpMedia:path: (type GPtrArray(MsrpUri))
   *
   * The URIs of `a=path`, as written: the first is the one to connect to,
   * the last the URI of the endpoint itself. %NULL when there is none.
   *
   * Since: 1.0
   */
  properties[PROP_PATH] =
    g_param_spec_boxed ("path", NULL, NULL, G_TYPE_PTR_ARRAY, rw);

  /**
   * MsrpSdpMedia:accept-types:
   *
   * The media types of `a=accept-types`: what may be sent as MSRP
   * content (`*` and type/\* are wildcards). %NULL when there is none.
   *
   * Since: 1.0
   */
  properties[PROP_ACCEPT_TYPES] =
    g_param_spec_boxed ("accept-types", NULL, NULL, G_TYPE_STRV, rw);

  /**
   * MsrpSdpMedia:accept-wrapped-types:
   *
   * The media types of `a=accept-wrapped-types`: what may be sent inside
   * a wrapper such as `message/cpim`. %NULL when there is none.
   *
   * Since: 1.0
   */
  properties[PROP_ACCEPT_WRAPPED_TYPES] =
    g_param_spec_boxed ("accept-wrapped-types", NULL, NULL, G_TYPE_STRV, rw);

  /**
   * MsrpSdpMedia:max-size:
   *
   * The largest message the endpoint takes, in bytes (`a=max-size`), or
   * -1 when there is no such attribute.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_SIZE] =
    g_param_spec_int64 ("max-size", NULL, NULL, -1, G_MAXINT64, -1, rw);

  /**
   * MsrpSdpMedia:setup:
   *
   * The connection role of `a=setup` (RFC 4145, RFC 6135): "active",
   * "passive", "actpass" or "holdconn", as written; %NULL when there is
   * none.
   *
   * Since: 1.0
   */
  properties[PROP_SETUP] =
    g_param_spec_string ("setup", NULL, NULL, NULL, rw);

  /**
   * MsrpSdpMedia:direction:
   *
   * The direction attribute; %MSRP_SDP_DIRECTION_SENDRECV when there is
   * none. Setting it writes the attribute, even `a=sendrecv`.
   *
   * Since: 1.0
   */
  properties[PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL, MSRP_TYPE_SDP_DIRECTION,
                       MSRP_SDP_DIRECTION_SENDRECV, rw);

  /**
   * MsrpSdpMedia:fingerprint:
   *
   * The certificate fingerprint of `a=fingerprint` (RFC 8122), such as
   * "sha-256 AB:CD:...", as written (see
   * [func@Msrp.tls_certificate_get_fingerprint]); %NULL when there is none.
   *
   * Since: 1.0
   */
  properties[PROP_FINGERPRINT] =
    g_param_spec_string ("fingerprint", NULL, NULL, NULL, rw);

  /**
   * MsrpSdpMedia:cema:
   *
   * Whether the endpoint supports the connection establishment of RFC 6714
   * for middleboxes (`a=msrp-cema`).
   *
   * Since: 1.0
   */
  properties[PROP_CEMA] =
    g_param_spec_boolean ("cema", NULL, NULL, FALSE, rw);

  /**
   * MsrpSdpMedia:file-selector:
   *
   * The file of an RFC 5547 file transfer (`a=file-selector`), or %NULL.
   * It is %NULL too for a capability indication, an `a=file-selector`
   * without a value (see [method@Msrp.SdpMedia.get_attribute]).
   *
   * Since: 1.0
   */
  properties[PROP_FILE_SELECTOR] =
    g_param_spec_object ("file-selector", NULL, NULL, MSRP_TYPE_FILE_SELECTOR, rw);

  /**
   * MsrpSdpMedia:file-transfer-id:
   *
   * The identifier of an RFC 5547 file transfer (`a=file-transfer-id`),
   * or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_FILE_TRANSFER_ID] =
    g_param_spec_string ("file-transfer-id", NULL, NULL, NULL, rw);

  /**
   * MsrpSdpMedia:file-disposition:
   *
   * What to do with a transferred file (`a=file-disposition`, such as
   * "attachment" or "render"), or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_FILE_DISPOSITION] =
    g_param_spec_string ("file-disposition", NULL, NULL, NULL, rw);

  /**
   * MsrpSdpMedia:file-date:
   *
   * The dates of a transferred file as `a=file-date` writes them, such as
   * `creation:"Mon, 15 May 2006 15:01:31 +0300"`, or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_FILE_DATE] =
    g_param_spec_string ("file-date", NULL, NULL, NULL, rw);

  /**
   * MsrpSdpMedia:file-range-start:
   *
   * The first byte of `a=file-range` (counted from 1), or 0 when there is
   * none. Set it with [method@Msrp.SdpMedia.set_file_range].
   *
   * Since: 1.0
   */
  properties[PROP_FILE_RANGE_START] =
    g_param_spec_int64 ("file-range-start", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpSdpMedia:file-range-stop:
   *
   * The last byte of `a=file-range`, or -1 when it is `*` (to the end of
   * the file) or there is no such attribute.
   *
   * Since: 1.0
   */
  properties[PROP_FILE_RANGE_STOP] =
    g_param_spec_int64 ("file-range-stop", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
msrp_sdp_media_init (MsrpSdpMedia *self)
{
  self->port = MSRP_DEFAULT_PORT;
  self->protocol = g_strdup ("TCP/MSRP");
  self->formats = g_strdup ("*");
  self->lines = g_ptr_array_new_with_free_func (sdp_line_free);
}

/**
 * msrp_sdp_media_new:
 * @media: the media type: "message" (chat, file transfer) or
 *   "application"
 *
 * Makes a media section with no attributes, port 2855 and protocol
 * "TCP/MSRP", for a local offer or answer.
 *
 * Returns: (transfer full): a new #MsrpSdpMedia
 *
 * Since: 1.0
 */
MsrpSdpMedia *
msrp_sdp_media_new (const char *media)
{
  g_return_val_if_fail (media != NULL && _msrp_sdp_is_token (media, strlen (media)), NULL);

  return g_object_new (MSRP_TYPE_SDP_MEDIA, "media", media, NULL);
}

/**
 * msrp_sdp_media_copy:
 * @self: a #MsrpSdpMedia
 *
 * Copies a media section, with every line.
 *
 * Returns: (transfer full): a new #MsrpSdpMedia equal to @self
 *
 * Since: 1.0
 */
MsrpSdpMedia *
msrp_sdp_media_copy (MsrpSdpMedia *self)
{
  MsrpSdpMedia *copy;

  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);

  copy = g_object_new (MSRP_TYPE_SDP_MEDIA, "media", self->media, NULL);
  copy->port = self->port;
  copy->port_count = g_strdup (self->port_count);
  g_free (copy->protocol);
  copy->protocol = g_strdup (self->protocol);
  g_free (copy->formats);
  copy->formats = g_strdup (self->formats);
  for (guint i = 0; i < self->lines->len; i++)
    {
      SdpLine *line = g_ptr_array_index (self->lines, i);

      g_ptr_array_add (copy->lines, _msrp_sdp_sdp_line_new (line->type, line->name, line->value));
    }
  _msrp_sdp_sync_all_caches (copy);
  return copy;
}

/**
 * msrp_sdp_media_to_string:
 * @self: a #MsrpSdpMedia
 *
 * Writes the media section: the `m=` line, then the other lines, each
 * ended by CRLF.
 *
 * Returns: (transfer full): the media section
 *
 * Since: 1.0
 */
char *
msrp_sdp_media_to_string (MsrpSdpMedia *self)
{
  GString *out;

  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);

  out = g_string_sized_new (256);
  g_string_append_printf (out, "m=%s %u%s %s %s\r\n", self->media, self->port,
                          self->port_count ? self->port_count : "", self->protocol, self->formats);
  for (guint i = 0; i < self->lines->len; i++)
    {
      SdpLine *line = g_ptr_array_index (self->lines, i);

      g_string_append_c (out, line->type);
      g_string_append_c (out, '=');
      if (line->type == 'a')
        {
          g_string_append (out, line->name);
          if (line->value != NULL)
            {
              g_string_append_c (out, ':');
              g_string_append (out, line->value);
            }
        }
      else
        g_string_append (out, line->value);
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}

/* m= and c= */

/**
 * msrp_sdp_media_get_media:
 * @self: a #MsrpSdpMedia
 *
 * Gets the media type of the `m=` line.
 *
 * Returns: the media type, such as "message"
 *
 * Since: 1.0
 */
const char *
msrp_sdp_media_get_media (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);

  return self->media;
}

/**
 * msrp_sdp_media_get_port:
 * @self: a #MsrpSdpMedia
 *
 * Gets the port of the `m=` line.
 *
 * Returns: the port; 0 when the media is rejected
 *
 * Since: 1.0
 */
guint16
msrp_sdp_media_get_port (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), 0);

  return self->port;
}

/**
 * msrp_sdp_media_set_port:
 * @self: a #MsrpSdpMedia
 * @port: the port; 0 to reject the media
 *
 * Sets the port of the `m=` line.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_port (MsrpSdpMedia *self,
                         guint16       port)
{
  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));

  if (self->port == port)
    return;
  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

/**
 * msrp_sdp_media_get_protocol:
 * @self: a #MsrpSdpMedia
 *
 * Gets the transport protocol of the `m=` line.
 *
 * Returns: the protocol, such as "TCP/MSRP" or "TCP/TLS/MSRP"
 *
 * Since: 1.0
 */
const char *
msrp_sdp_media_get_protocol (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);

  return self->protocol;
}

/**
 * msrp_sdp_media_set_protocol:
 * @self: a #MsrpSdpMedia
 * @protocol: "TCP/MSRP", "TCP/TLS/MSRP", "TCP/WS/MSRP" or "TCP/WSS/MSRP"
 *   (any protocol that ends in `/MSRP`)
 *
 * Sets the transport protocol of the `m=` line.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_protocol (MsrpSdpMedia *self,
                             const char   *protocol)
{
  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));
  g_return_if_fail (protocol != NULL && _msrp_sdp_is_protocol (protocol) && _msrp_sdp_is_msrp_protocol (protocol));

  if (strcmp (self->protocol, protocol) == 0)
    return;
  g_free (self->protocol);
  self->protocol = g_strdup (protocol);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROTOCOL]);
}

/**
 * msrp_sdp_media_get_connection_address:
 * @self: a #MsrpSdpMedia
 *
 * Gets the address of the `c=` line.
 *
 * Returns: (nullable): the address, or %NULL when there is no `c=` line
 *
 * Since: 1.0
 */
const char *
msrp_sdp_media_get_connection_address (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);

  return self->connection_address;
}

/**
 * msrp_sdp_media_set_connection_address:
 * @self: a #MsrpSdpMedia
 * @address: (nullable): a host name or an IPv4 or IPv6 address, or %NULL
 *   to remove the `c=` line
 *
 * Sets the `c=` line: `c=IN IP6 address` when @address is an IPv6
 * address, else `c=IN IP4 address`.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_connection_address (MsrpSdpMedia *self,
                                       const char   *address)
{
  SdpLine *line;
  g_autofree char *value = NULL;

  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));
  g_return_if_fail (address == NULL || (*address != '\0' && _msrp_sdp_is_line_text (address) &&
                                        strpbrk (address, " \t") == NULL));

  if (g_strcmp0 (self->connection_address, address) == 0)
    return;
  line = _msrp_sdp_find_line (self, 'c');
  if (address == NULL)
    g_ptr_array_remove (self->lines, line);
  else
    {
      value = g_strdup_printf ("IN %s %s", strchr (address, ':') ? "IP6" : "IP4", address);
      if (line != NULL)
        {
          g_free (line->value);
          line->value = g_steal_pointer (&value);
        }
      else
        {
          guint i = 0;

          while (i < self->lines->len && ((SdpLine *) g_ptr_array_index (self->lines, i))->type == 'i')
            i++;
          g_ptr_array_insert (self->lines, i, _msrp_sdp_sdp_line_new ('c', NULL, value));
        }
    }
  sync_cache (self, PROP_CONNECTION_ADDRESS);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_ADDRESS]);
}

/* Any attribute */

/**
 * msrp_sdp_media_get_attribute:
 * @self: a #MsrpSdpMedia
 * @name: an attribute name, such as `file-icon` (compared without regard
 *   to case)
 *
 * Gets the value of an attribute, the first when there are several.
 *
 * Returns: (nullable): the value; "" for an attribute without one (a
 *   flag such as `a=recvonly`); %NULL when there is no such attribute
 *
 * Since: 1.0
 */
const char *
msrp_sdp_media_get_attribute (MsrpSdpMedia *self,
                              const char   *name)
{
  SdpLine *line;

  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  line = _msrp_sdp_find_attribute (self, name);
  if (line == NULL)
    return NULL;
  return line->value ? line->value : "";
}

/**
 * msrp_sdp_media_get_attribute_values:
 * @self: a #MsrpSdpMedia
 * @name: an attribute name (compared without regard to case)
 *
 * Gets the values of every attribute of that name, in order, for
 * attributes that may come more than once.
 *
 * Returns: (transfer full) (array zero-terminated=1): the values ("" for
 *   a flag), possibly none
 *
 * Since: 1.0
 */
char **
msrp_sdp_media_get_attribute_values (MsrpSdpMedia *self,
                                     const char   *name)
{
  GStrvBuilder *builder;
  char **values;

  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->lines->len; i++)
    {
      SdpLine *line = g_ptr_array_index (self->lines, i);

      if (is_attribute (line, name))
        g_strv_builder_add (builder, line->value ? line->value : "");
    }
  values = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return values;
}

/**
 * msrp_sdp_media_add_attribute:
 * @self: a #MsrpSdpMedia
 * @name: the attribute name, a token such as `file-icon` or `chatroom`
 * @value: (nullable): its value, on one line, or %NULL for a flag
 *
 * Adds an attribute line, after those already there (an attribute this
 * object interprets goes where a new object writes it). The value of an
 * attribute this object interprets, such as `max-size`, must be valid.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_add_attribute (MsrpSdpMedia *self,
                              const char   *name,
                              const char   *value)
{
  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));
  g_return_if_fail (name != NULL && _msrp_sdp_is_token (name, strlen (name)) && strchr (name, ':') == NULL);
  g_return_if_fail (value == NULL || _msrp_sdp_is_line_text (value));
  g_return_if_fail (_msrp_sdp_check_attribute (name, value, NULL));

  _msrp_sdp_insert_attribute (self, _msrp_sdp_sdp_line_new ('a', name, value));
  attribute_changed (self, name);
}

/**
 * msrp_sdp_media_remove_attribute:
 * @self: a #MsrpSdpMedia
 * @name: an attribute name (compared without regard to case)
 *
 * Removes every attribute of that name.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_remove_attribute (MsrpSdpMedia *self,
                                 const char   *name)
{
  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));
  g_return_if_fail (name != NULL);

  if (_msrp_sdp_find_attribute (self, name) == NULL)
    return;
  _msrp_sdp_remove_attributes (self, name, NULL);
  attribute_changed (self, name);
}
