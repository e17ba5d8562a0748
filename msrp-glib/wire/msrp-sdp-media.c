/* msrp-sdp-media.c: one SDP media section carrying MSRP
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-sdp-media.h"
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

#define MAX_SDP_SIZE (64 * 1024)
#define MAX_SDP_LINES 1024

typedef struct
{
  char type;      /* 'a', 'c', 'i', 'b', 'k', ... */
  char *name;     /* an attribute's name; NULL for other lines */
  char *value;    /* after ':' for an attribute (NULL: a flag), else after '=' */
} SdpLine;

struct _MsrpSdpMedia
{
  GObject parent_instance;

  char *media;
  guint16 port;
  char *port_count;   /* "/2" as written, or NULL */
  char *protocol;
  char *formats;
  GPtrArray *lines;   /* (element-type SdpLine), in order */

  /* Parsed from the lines, kept so that getters can return them
   * (transfer none); each is rebuilt when its attribute changes. */
  GPtrArray *path;
  char **accept_types;
  char **accept_wrapped_types;
  MsrpFileSelector *file_selector;
  char *connection_address;
};

G_DEFINE_FINAL_TYPE (MsrpSdpMedia, msrp_sdp_media, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MEDIA,
  PROP_PORT,
  PROP_PROTOCOL,
  PROP_CONNECTION_ADDRESS,
  PROP_PATH,
  PROP_ACCEPT_TYPES,
  PROP_ACCEPT_WRAPPED_TYPES,
  PROP_MAX_SIZE,
  PROP_SETUP,
  PROP_DIRECTION,
  PROP_FINGERPRINT,
  PROP_CEMA,
  PROP_FILE_SELECTOR,
  PROP_FILE_TRANSFER_ID,
  PROP_FILE_DISPOSITION,
  PROP_FILE_DATE,
  PROP_FILE_RANGE_START,
  PROP_FILE_RANGE_STOP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The attributes this object interprets, in the order a new object
 * writes them (rank), with the property each one backs. */
typedef struct
{
  const char *name;
  guint rank;
  guint prop;
  gboolean needs_value;
} KnownAttribute;

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

#define OTHER_RANK 1000

/* Indexed by MsrpSdpDirection. */
static const char * const direction_names[] = { "sendrecv", "sendonly", "recvonly", "inactive" };

static const KnownAttribute *
find_known (const char *name)
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

static SdpLine *
sdp_line_new (char        type,
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

static SdpLine *
find_attribute (MsrpSdpMedia *self,
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

static SdpLine *
find_line (MsrpSdpMedia *self,
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

/* Syntax */

static gboolean
is_token (const char *s,
          gsize       len)
{
  return len > 0 && _msrp_is_token (s, len);
}

/* A token that may hold '/', as the protocol of an m= line. */
static gboolean
is_protocol (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (*s != '/' && !_msrp_is_token_char (*s))
      return FALSE;
  return TRUE;
}

static gboolean
is_msrp_protocol (const char *protocol)
{
  gsize len = strlen (protocol);

  return len >= 5 && g_ascii_strcasecmp (protocol + len - 5, "/MSRP") == 0;
}

/* Text on one line: UTF-8 without control characters but tab. */
static gboolean
is_line_text (const char *s)
{
  return _msrp_is_header_value (s);
}

static gboolean
parse_decimal (const char *s,
               gint64      max,
               gint64     *out)
{
  gint64 value = 0;

  if (!g_ascii_isdigit (*s))
    return FALSE;
  for (; g_ascii_isdigit (*s); s++)
    {
      if (value > (max - (*s - '0')) / 10)
        return FALSE;
      value = value * 10 + (*s - '0');
    }
  if (*s != '\0')
    return FALSE;
  *out = value;
  return TRUE;
}

/* "start-stop" or "start-*", 1-based (RFC 5547 section 6). */
static gboolean
parse_file_range (const char *value,
                  gint64     *start,
                  gint64     *stop)
{
  const char *dash = strchr (value, '-');
  g_autofree char *first = NULL;

  if (dash == NULL)
    return FALSE;
  first = g_strndup (value, dash - value);
  if (!parse_decimal (first, G_MAXINT64, start) || *start < 1)
    return FALSE;
  if (strcmp (dash + 1, "*") == 0)
    {
      *stop = -1;
      return TRUE;
    }
  return parse_decimal (dash + 1, G_MAXINT64, stop) && *stop >= *start;
}

/* RFC 8122 section 5: hash-func SP 2HEX *(":" 2HEX). */
static gboolean
is_fingerprint (const char *value)
{
  const char *space = strchr (value, ' ');
  const char *p;

  if (space == NULL || !is_token (value, space - value))
    return FALSE;
  for (p = space + 1;; p += 3)
    {
      if (!g_ascii_isxdigit (p[0]) || !g_ascii_isxdigit (p[1]))
        return FALSE;
      if (p[2] == '\0')
        return TRUE;
      if (p[2] != ':')
        return FALSE;
    }
}

static gboolean
is_setup (const char *value)
{
  return g_ascii_strcasecmp (value, "active") == 0 || g_ascii_strcasecmp (value, "passive") == 0 ||
         g_ascii_strcasecmp (value, "actpass") == 0 || g_ascii_strcasecmp (value, "holdconn") == 0;
}

static char **
split_types (const char *value)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  g_auto(GStrv) parts = g_strsplit_set (value, " \t", -1);
  char **types;

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_strv_builder_add (builder, parts[i]);
  types = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return types;
}

/* A media type of accept-types: `*`, type/(star) or type/subtype; a few
 * peers add parameters, which are kept. */
static gboolean
is_accept_type (const char *type)
{
  if (*type == '\0')
    return FALSE;
  for (const char *p = type; *p; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p == 0x7f)
      return FALSE;
  return TRUE;
}

/* Checks the value of an attribute this object interprets; on failure
 * the error says what is wrong, for the parser to name the line. */
static gboolean
check_attribute (const char *name,
                 const char *value,
                 GError    **error)
{
  const KnownAttribute *known = find_known (name);
  const char *reason = NULL;
  gint64 start, stop;

  if (known == NULL)
    return TRUE;
  if (value == NULL)
    {
      if (!known->needs_value)
        return TRUE;
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP,
                   _("a=%s has no value"), known->name);
      return FALSE;
    }

  switch (known->prop)
    {
    case PROP_PATH:
      {
        g_autoptr(GPtrArray) path = NULL;
        GError *local_error = NULL;

        path = msrp_path_parse (value, &local_error);
        if (path == NULL)
          {
            g_propagate_prefixed_error (error, local_error, _("a=path is not a list of MSRP URIs: "));
            if (error != NULL)
              (*error)->code = MSRP_ERROR_MALFORMED_SDP;
            return FALSE;
          }
      }
      break;
    case PROP_ACCEPT_TYPES:
    case PROP_ACCEPT_WRAPPED_TYPES:
      {
        g_auto(GStrv) types = split_types (value);

        if (types[0] == NULL)
          reason = _("the value lists no media type");
      }
      break;
    case PROP_MAX_SIZE:
      if (!parse_decimal (value, G_MAXINT64, &start))
        reason = _("the value is not a number of bytes");
      break;
    case PROP_SETUP:
      if (!is_setup (value))
        reason = _("the value is not active, passive, actpass or holdconn");
      break;
    case PROP_FINGERPRINT:
      if (!is_fingerprint (value))
        reason = _("the value is not a hash function and hex bytes (sha-256 AB:CD:…)");
      break;
    case PROP_FILE_SELECTOR:
      {
        g_autoptr(MsrpFileSelector) selector = NULL;
        GError *local_error = NULL;

        selector = msrp_file_selector_parse (value, &local_error);
        if (selector == NULL)
          {
            g_propagate_prefixed_error (error, local_error, "a=file-selector: ");
            return FALSE;
          }
      }
      break;
    case PROP_FILE_RANGE_START:
      if (!parse_file_range (value, &start, &stop))
        reason = _("the value is not a range of bytes from 1 (start-stop or start-*)");
      break;
    default:
      break;
    }

  if (reason != NULL)
    {
      /* TRANSLATORS: the first %s is an attribute name, the second says
       * what is wrong with its value */
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP, _("a=%s is invalid: %s"),
                   known->name, reason);
      return FALSE;
    }
  return TRUE;
}

/* c=IN IP4 address, or IP6; returns the address. */
static char *
parse_connection (const char *value)
{
  g_auto(GStrv) fields = g_strsplit (value, " ", -1);

  if (g_strv_length (fields) != 3 || !is_token (fields[0], strlen (fields[0])) ||
      !is_token (fields[1], strlen (fields[1])) || *fields[2] == '\0')
    return NULL;
  return g_strdup (fields[2]);
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
      if ((line = find_line (self, 'c')) != NULL)
        self->connection_address = parse_connection (line->value);
      break;
    case PROP_PATH:
      g_clear_pointer (&self->path, g_ptr_array_unref);
      if ((line = find_attribute (self, "path")) != NULL && line->value != NULL)
        self->path = msrp_path_parse (line->value, NULL);
      break;
    case PROP_ACCEPT_TYPES:
      g_clear_pointer (&self->accept_types, g_strfreev);
      if ((line = find_attribute (self, "accept-types")) != NULL && line->value != NULL)
        self->accept_types = split_types (line->value);
      break;
    case PROP_ACCEPT_WRAPPED_TYPES:
      g_clear_pointer (&self->accept_wrapped_types, g_strfreev);
      if ((line = find_attribute (self, "accept-wrapped-types")) != NULL && line->value != NULL)
        self->accept_wrapped_types = split_types (line->value);
      break;
    case PROP_FILE_SELECTOR:
      g_clear_object (&self->file_selector);
      if ((line = find_attribute (self, "file-selector")) != NULL && line->value != NULL)
        self->file_selector = msrp_file_selector_parse (line->value, NULL);
      break;
    default:
      break;
    }
}

static void
sync_all_caches (MsrpSdpMedia *self)
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
  const KnownAttribute *known = find_known (name);

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
  const KnownAttribute *known = find_known (line->name);

  return known ? known->rank : OTHER_RANK;
}

/* Puts an attribute after those of its rank and before those of a later
 * one, so that new objects write attributes in a fixed order. */
static void
insert_attribute (MsrpSdpMedia *self,
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

static void
remove_attributes (MsrpSdpMedia *self,
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
static gboolean
set_single (MsrpSdpMedia *self,
            const char   *name,
            const char   *value,
            gboolean      flag)
{
  SdpLine *line = find_attribute (self, name);

  if (value == NULL && !flag)
    {
      if (line == NULL)
        return FALSE;
      remove_attributes (self, name, NULL);
    }
  else if (line != NULL)
    {
      if (g_strcmp0 (line->value, value) == 0 && !has_other (self, name, line))
        return FALSE;
      g_free (line->value);
      line->value = g_strdup (value);
      remove_attributes (self, name, line);
    }
  else
    insert_attribute (self, sdp_line_new ('a', name, value));

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

  if (self->media == NULL || !is_token (self->media, strlen (self->media)))
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
  g_return_val_if_fail (media != NULL && is_token (media, strlen (media)), NULL);

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

      g_ptr_array_add (copy->lines, sdp_line_new (line->type, line->name, line->value));
    }
  sync_all_caches (copy);
  return copy;
}

/* Parsing */

typedef struct
{
  guint number;
  const char *text;    /* the line without its end, NUL-terminated */
} Line;

static gboolean
line_error (GError    **error,
            guint       number,
            const char *reason)
{
  /* TRANSLATORS: the second %s says what is wrong with the line */
  g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP,
               _("Line %u of the SDP is invalid: %s"), number, reason);
  return FALSE;
}

static gboolean
line_error_from (GError **error,
                 guint    number,
                 GError  *cause)
{
  line_error (error, number, cause->message);
  g_error_free (cause);
  return FALSE;
}

/* m=<media> <port>[/<count>] <proto> <fmt> ... */
static MsrpSdpMedia *
parse_media_line (const char *value,
                  guint       number,
                  GError    **error)
{
  g_autoptr(MsrpSdpMedia) self = NULL;
  g_auto(GStrv) fields = g_strsplit (value, " ", 4);
  const char *slash;
  g_autofree char *port_text = NULL;
  gint64 port, count;

  if (g_strv_length (fields) != 4 || !is_token (fields[0], strlen (fields[0])) ||
      !is_protocol (fields[2]) || *fields[3] == '\0' || *fields[3] == ' ')
    return line_error (error, number, _("the m= line is not “m=media port protocol formats”")), NULL;

  slash = strchr (fields[1], '/');
  port_text = slash ? g_strndup (fields[1], slash - fields[1]) : g_strdup (fields[1]);
  if (!parse_decimal (port_text, G_MAXUINT16, &port) ||
      (slash != NULL && !parse_decimal (slash + 1, G_MAXUINT16, &count)))
    return line_error (error, number, _("the port of the m= line is not a number from 0 to 65535")), NULL;

  self = g_object_new (MSRP_TYPE_SDP_MEDIA, "media", fields[0], NULL);
  self->port = port;
  self->port_count = g_strdup (slash);
  g_free (self->protocol);
  self->protocol = g_strdup (fields[2]);
  g_free (self->formats);
  self->formats = g_strdup (fields[3]);
  return g_steal_pointer (&self);
}

/* Splits the input into checked lines: text, bounded, every line of the
 * form x=... . Lines point into a copy owned by *storage. */
static GArray *
split_lines (const char *sdp,
             char      **storage,
             GError    **error)
{
  g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (Line));
  gsize len = strnlen (sdp, MAX_SDP_SIZE + 1);
  const char *invalid;
  char *p, *end;
  guint number = 0;

  if (len > MAX_SDP_SIZE)
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP,
                   _("The SDP is larger than %u bytes"), (guint) MAX_SDP_SIZE);
      return NULL;
    }
  if (!g_utf8_validate (sdp, len, &invalid))
    {
      guint at = 1;

      for (const char *q = sdp; q < invalid; q++)
        at += *q == '\n';
      line_error (error, at, _("the line is not UTF-8"));
      return NULL;
    }

  *storage = p = g_strndup (sdp, len);
  end = p + len;
  while (p < end)
    {
      char *lf = memchr (p, '\n', end - p);
      char *line_end = lf ? lf : end;
      Line line;

      if (line_end > p && line_end[-1] == '\r')
        line_end--;
      *line_end = '\0';
      line.number = ++number;
      line.text = p;
      p = lf ? lf + 1 : end;

      if (number > MAX_SDP_LINES)
        {
          g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP,
                       _("The SDP has more than %u lines"), (guint) MAX_SDP_LINES);
          return NULL;
        }
      if (*line.text == '\0')
        {
          /* blank lines may end the body, as some stacks add one */
          const char *rest = p;

          while (rest < end && (*rest == '\r' || *rest == '\n'))
            rest++;
          if (rest == end)
            break;
          line_error (error, number, _("the line is empty"));
          return NULL;
        }
      if (!g_ascii_isalpha (line.text[0]) || line.text[1] != '=')
        {
          line_error (error, number, _("the line is not of the form x=value"));
          return NULL;
        }
      if (!is_line_text (line.text))
        {
          line_error (error, number, _("the line has control characters"));
          return NULL;
        }
      g_array_append_val (lines, line);
    }

  if (lines->len == 0)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP, _("The SDP is empty"));
      return NULL;
    }
  return g_steal_pointer (&lines);
}

/* Reads an a= line into name and value (NULL for a flag). */
static gboolean
split_attribute (const Line *line,
                 char      **name,
                 char      **value,
                 GError    **error)
{
  const char *text = line->text + 2;
  const char *colon = strchr (text, ':');
  gsize name_len = colon ? (gsize) (colon - text) : strlen (text);

  if (!is_token (text, name_len))
    return line_error (error, line->number, _("the attribute has no valid name (a=name:value)"));
  *name = g_strndup (text, name_len);
  *value = colon ? g_strdup (colon + 1) : NULL;
  return TRUE;
}

static gboolean
parse_media_attribute (MsrpSdpMedia *self,
                       const Line   *line,
                       GError      **error)
{
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;
  GError *local_error = NULL;

  if (!split_attribute (line, &name, &value, error))
    return FALSE;
  if (!check_attribute (name, value, &local_error))
    return line_error_from (error, line->number, local_error);
  g_ptr_array_add (self->lines, sdp_line_new ('a', name, value));
  return TRUE;
}

/* What the session level gives every media section. */
typedef struct
{
  char *connection;    /* the c= value */
  char *setup;
  char *fingerprint;
} SessionLevel;

static void
session_level_clear (SessionLevel *session)
{
  g_free (session->connection);
  g_free (session->setup);
  g_free (session->fingerprint);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SessionLevel, session_level_clear)

static gboolean
parse_session_line (SessionLevel *session,
                    const Line   *line,
                    GError      **error)
{
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;
  GError *local_error = NULL;

  if (line->text[0] == 'c')
    {
      g_autofree char *address = parse_connection (line->text + 2);

      if (address == NULL)
        return line_error (error, line->number, _("the c= line is not “c=IN IP4 address” or “c=IN IP6 address”"));
      if (session->connection == NULL)
        session->connection = g_strdup (line->text + 2);
      return TRUE;
    }
  if (line->text[0] != 'a')
    return TRUE;

  if (!split_attribute (line, &name, &value, error))
    return FALSE;
  if (g_ascii_strcasecmp (name, "setup") != 0 && g_ascii_strcasecmp (name, "fingerprint") != 0)
    return TRUE;
  if (!check_attribute (name, value, &local_error))
    return line_error_from (error, line->number, local_error);
  if (g_ascii_strcasecmp (name, "setup") == 0 && session->setup == NULL)
    session->setup = g_steal_pointer (&value);
  else if (g_ascii_strcasecmp (name, "fingerprint") == 0 && session->fingerprint == NULL)
    session->fingerprint = g_steal_pointer (&value);
  return TRUE;
}

/* The session-level lines that apply to the media when it has none. */
static void
apply_session_level (MsrpSdpMedia *self,
                     SessionLevel *session)
{
  if (session->connection != NULL && find_line (self, 'c') == NULL)
    {
      guint i = 0;

      /* c= follows i= (RFC 4566 section 5) */
      while (i < self->lines->len && ((SdpLine *) g_ptr_array_index (self->lines, i))->type == 'i')
        i++;
      g_ptr_array_insert (self->lines, i, sdp_line_new ('c', NULL, session->connection));
    }
  if (session->setup != NULL && find_attribute (self, "setup") == NULL)
    insert_attribute (self, sdp_line_new ('a', "setup", session->setup));
  if (session->fingerprint != NULL && find_attribute (self, "fingerprint") == NULL)
    insert_attribute (self, sdp_line_new ('a', "fingerprint", session->fingerprint));
}

/**
 * msrp_sdp_media_parse:
 * @sdp: an SDP media section, from its `m=` line, or a whole SDP body
 *   (from `v=`); lines may end in CRLF or LF
 * @error: return location for a #GError
 *
 * Parses the first MSRP media section of @sdp: the first whose protocol
 * ends in `/MSRP`. In a whole body, the session-level `c=`, `a=setup` and
 * `a=fingerprint` apply to the media section when it has none of its own
 * (RFC 4566, RFC 4145, RFC 8122), and become part of it.
 *
 * Returns: (transfer full): the media section, or %NULL with @error set
 *   to %MSRP_ERROR_MALFORMED_SDP, with a message that names the line
 *
 * Since: 1.0
 */
MsrpSdpMedia *
msrp_sdp_media_parse (const char *sdp,
                      GError    **error)
{
  g_autofree char *storage = NULL;
  g_autoptr(GArray) lines = NULL;
  g_autoptr(MsrpSdpMedia) self = NULL;
  g_auto(SessionLevel) session = { NULL, NULL, NULL };
  gboolean in_session, skipping = FALSE;

  g_return_val_if_fail (sdp != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lines = split_lines (sdp, &storage, error);
  if (lines == NULL)
    return NULL;

  in_session = g_array_index (lines, Line, 0).text[0] != 'm';
  if (in_session && g_array_index (lines, Line, 0).text[0] != 'v')
    {
      line_error (error, 1, _("an SDP body starts with v= and a media section with m="));
      return NULL;
    }

  for (guint i = 0; i < lines->len; i++)
    {
      const Line *line = &g_array_index (lines, Line, i);

      if (line->text[0] == 'm')
        {
          g_autoptr(MsrpSdpMedia) media = parse_media_line (line->text + 2, line->number, error);

          if (media == NULL)
            return NULL;
          in_session = FALSE;
          if (self != NULL)
            break;
          skipping = !is_msrp_protocol (media->protocol);
          if (!skipping)
            self = g_steal_pointer (&media);
          continue;
        }

      if (in_session)
        {
          if (!parse_session_line (&session, line, error))
            return NULL;
        }
      else if (skipping)
        continue;
      else if (line->text[0] == 'a')
        {
          if (!parse_media_attribute (self, line, error))
            return NULL;
        }
      else
        {
          g_autofree char *address = NULL;

          if (line->text[0] == 'c' && (address = parse_connection (line->text + 2)) == NULL)
            {
              line_error (error, line->number, _("the c= line is not “c=IN IP4 address” or “c=IN IP6 address”"));
              return NULL;
            }
          g_ptr_array_add (self->lines, sdp_line_new (line->text[0], NULL, line->text + 2));
        }
    }

  if (self == NULL)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP,
                           _("The SDP has no MSRP media section (m=message … TCP/MSRP *)"));
      return NULL;
    }
  apply_session_level (self, &session);
  sync_all_caches (self);
  return g_steal_pointer (&self);
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
  g_return_if_fail (protocol != NULL && is_protocol (protocol) && is_msrp_protocol (protocol));

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
  g_return_if_fail (address == NULL || (*address != '\0' && is_line_text (address) &&
                                        strpbrk (address, " \t") == NULL));

  if (g_strcmp0 (self->connection_address, address) == 0)
    return;
  line = find_line (self, 'c');
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
          g_ptr_array_insert (self->lines, i, sdp_line_new ('c', NULL, value));
        }
    }
  sync_cache (self, PROP_CONNECTION_ADDRESS);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_ADDRESS]);
}

/* MSRP attributes (RFC 4975 section 8) */

/**
 * msrp_sdp_media_get_path:
 * @self: a #MsrpSdpMedia
 *
 * Gets the path of `a=path`: the URIs as written, the one to connect to
 * first and the endpoint's own URI last.
 *
 * Returns: (transfer none) (nullable) (element-type MsrpUri): the path, or
 *   %NULL when there is no `a=path`
 *
 * Since: 1.0
 */
GPtrArray *
msrp_sdp_media_get_path (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);

  return self->path;
}

/**
 * msrp_sdp_media_set_path:
 * @self: a #MsrpSdpMedia
 * @path: (nullable) (element-type MsrpUri): the full local path (see
 *   [method@Msrp.Connector.prepare_async]), or %NULL to remove `a=path`
 *
 * Sets `a=path`.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_path (MsrpSdpMedia *self,
                         GPtrArray    *path)
{
  g_autofree char *value = NULL;

  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));
  g_return_if_fail (path == NULL || path->len > 0);

  if (path != NULL)
    value = msrp_path_to_string (path);
  set_single (self, "path", value, FALSE);
}

static void
set_types (MsrpSdpMedia       *self,
           const char         *name,
           const char * const *types)
{
  g_autofree char *value = NULL;

  if (types != NULL && types[0] != NULL)
    {
      for (guint i = 0; types[i] != NULL; i++)
        g_return_if_fail (is_accept_type (types[i]) && is_line_text (types[i]));
      value = g_strjoinv (" ", (char **) types);
    }
  set_single (self, name, value, FALSE);
}

/**
 * msrp_sdp_media_get_accept_types:
 * @self: a #MsrpSdpMedia
 *
 * Gets the media types of `a=accept-types`: what the endpoint takes as
 * MSRP content. `*` takes anything, type/\* any subtype.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the
 *   types, or %NULL when there is no `a=accept-types`
 *
 * Since: 1.0
 */
const char * const *
msrp_sdp_media_get_accept_types (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);

  return (const char * const *) self->accept_types;
}

/**
 * msrp_sdp_media_set_accept_types:
 * @self: a #MsrpSdpMedia
 * @types: (nullable) (array zero-terminated=1): media types such as
 *   `message/cpim`, `text/plain`, image/\* or `*`; %NULL or none removes
 *   `a=accept-types`
 *
 * Sets `a=accept-types`.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_accept_types (MsrpSdpMedia       *self,
                                 const char * const *types)
{
  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));

  set_types (self, "accept-types", types);
}

/**
 * msrp_sdp_media_get_accept_wrapped_types:
 * @self: a #MsrpSdpMedia
 *
 * Gets the media types of `a=accept-wrapped-types`: what the endpoint
 * takes inside a wrapper such as `message/cpim`.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the
 *   types, or %NULL when there is no `a=accept-wrapped-types`
 *
 * Since: 1.0
 */
const char * const *
msrp_sdp_media_get_accept_wrapped_types (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);

  return (const char * const *) self->accept_wrapped_types;
}

/**
 * msrp_sdp_media_set_accept_wrapped_types:
 * @self: a #MsrpSdpMedia
 * @types: (nullable) (array zero-terminated=1): media types; %NULL or
 *   none removes `a=accept-wrapped-types`
 *
 * Sets `a=accept-wrapped-types`.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_accept_wrapped_types (MsrpSdpMedia       *self,
                                         const char * const *types)
{
  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));

  set_types (self, "accept-wrapped-types", types);
}

/**
 * msrp_sdp_media_get_max_size:
 * @self: a #MsrpSdpMedia
 *
 * Gets `a=max-size`: the largest message the endpoint takes.
 *
 * Returns: the size in bytes, or -1 when there is no `a=max-size`
 *
 * Since: 1.0
 */
gint64
msrp_sdp_media_get_max_size (MsrpSdpMedia *self)
{
  SdpLine *line;
  gint64 size;

  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), -1);

  line = find_attribute (self, "max-size");
  if (line == NULL || line->value == NULL || !parse_decimal (line->value, G_MAXINT64, &size))
    return -1;
  return size;
}

/**
 * msrp_sdp_media_set_max_size:
 * @self: a #MsrpSdpMedia
 * @max_size: the largest message to take, in bytes, or -1 to remove
 *   `a=max-size`
 *
 * Sets `a=max-size`.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_max_size (MsrpSdpMedia *self,
                             gint64        max_size)
{
  g_autofree char *value = NULL;

  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));
  g_return_if_fail (max_size >= -1);

  if (max_size >= 0)
    value = g_strdup_printf ("%" G_GINT64_FORMAT, max_size);
  set_single (self, "max-size", value, FALSE);
}

/* Connections: RFC 4145, RFC 6135, RFC 6714, RFC 8122 */

static const char *
attribute_value (MsrpSdpMedia *self,
                 const char   *name)
{
  SdpLine *line = find_attribute (self, name);

  return line ? line->value : NULL;
}

/**
 * msrp_sdp_media_get_setup:
 * @self: a #MsrpSdpMedia
 *
 * Gets the connection role of `a=setup` (RFC 4145, RFC 6135).
 *
 * Returns: (nullable): "active", "passive", "actpass" or "holdconn", as
 *   written, or %NULL when there is no `a=setup`
 *
 * Since: 1.0
 */
const char *
msrp_sdp_media_get_setup (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);

  return attribute_value (self, "setup");
}

/**
 * msrp_sdp_media_set_setup:
 * @self: a #MsrpSdpMedia
 * @setup: (nullable): "active", "passive", "actpass" or "holdconn", or
 *   %NULL to remove `a=setup`
 *
 * Sets `a=setup`.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_setup (MsrpSdpMedia *self,
                          const char   *setup)
{
  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));
  g_return_if_fail (setup == NULL || is_setup (setup));

  set_single (self, "setup", setup, FALSE);
}

/**
 * msrp_sdp_media_get_direction:
 * @self: a #MsrpSdpMedia
 *
 * Gets the direction attribute.
 *
 * Returns: the direction; %MSRP_SDP_DIRECTION_SENDRECV when there is none
 *
 * Since: 1.0
 */
MsrpSdpDirection
msrp_sdp_media_get_direction (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), MSRP_SDP_DIRECTION_SENDRECV);

  for (guint i = 0; i < self->lines->len; i++)
    {
      SdpLine *line = g_ptr_array_index (self->lines, i);

      for (guint d = 0; line->type == 'a' && d < G_N_ELEMENTS (direction_names); d++)
        if (g_ascii_strcasecmp (line->name, direction_names[d]) == 0)
          return d;
    }
  return MSRP_SDP_DIRECTION_SENDRECV;
}

/**
 * msrp_sdp_media_set_direction:
 * @self: a #MsrpSdpMedia
 * @direction: the direction
 *
 * Sets the direction attribute: `a=sendonly` for an RFC 5547 push,
 * `a=recvonly` for a pull. The attribute is written even for
 * %MSRP_SDP_DIRECTION_SENDRECV.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_direction (MsrpSdpMedia     *self,
                              MsrpSdpDirection  direction)
{
  MsrpSdpDirection old;
  SdpLine *first = NULL;
  guint count = 0;

  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));
  g_return_if_fail (direction <= MSRP_SDP_DIRECTION_INACTIVE);

  old = msrp_sdp_media_get_direction (self);
  for (guint i = 0; i < self->lines->len; i++)
    {
      SdpLine *line = g_ptr_array_index (self->lines, i);

      for (guint d = 0; line->type == 'a' && d < G_N_ELEMENTS (direction_names); d++)
        if (g_ascii_strcasecmp (line->name, direction_names[d]) == 0)
          {
            first = first ? first : line;
            count++;
          }
    }
  if (first != NULL && count == 1 && old == direction)
    return;

  /* the first direction line takes the new one, in its place */
  for (guint d = 0; d < G_N_ELEMENTS (direction_names); d++)
    remove_attributes (self, direction_names[d], first);
  if (first != NULL)
    {
      g_free (first->name);
      first->name = g_strdup (direction_names[direction]);
      g_clear_pointer (&first->value, g_free);
    }
  else
    insert_attribute (self, sdp_line_new ('a', direction_names[direction], NULL));
  if (old != direction)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRECTION]);
}

/**
 * msrp_sdp_media_get_fingerprint:
 * @self: a #MsrpSdpMedia
 *
 * Gets the certificate fingerprint of `a=fingerprint` (RFC 8122), the
 * first when there are several.
 *
 * Returns: (nullable): the fingerprint as written, such as
 *   "sha-256 AB:CD:...", or %NULL when there is none
 *
 * Since: 1.0
 */
const char *
msrp_sdp_media_get_fingerprint (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);

  return attribute_value (self, "fingerprint");
}

/**
 * msrp_sdp_media_set_fingerprint:
 * @self: a #MsrpSdpMedia
 * @fingerprint: (nullable): the fingerprint, as
 *   [func@Msrp.tls_certificate_get_fingerprint] gives it
 *   ("sha-256 AB:CD:..."), or %NULL to remove `a=fingerprint`
 *
 * Sets `a=fingerprint`.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_fingerprint (MsrpSdpMedia *self,
                                const char   *fingerprint)
{
  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));
  g_return_if_fail (fingerprint == NULL || is_fingerprint (fingerprint));

  set_single (self, "fingerprint", fingerprint, FALSE);
}

/**
 * msrp_sdp_media_get_cema:
 * @self: a #MsrpSdpMedia
 *
 * Gets whether the media has `a=msrp-cema` (RFC 6714).
 *
 * Returns: %TRUE when the endpoint supports CEMA
 *
 * Since: 1.0
 */
gboolean
msrp_sdp_media_get_cema (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), FALSE);

  return find_attribute (self, "msrp-cema") != NULL;
}

/**
 * msrp_sdp_media_set_cema:
 * @self: a #MsrpSdpMedia
 * @cema: whether to write `a=msrp-cema`
 *
 * Sets or removes `a=msrp-cema` (RFC 6714).
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_cema (MsrpSdpMedia *self,
                         gboolean      cema)
{
  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));

  if (!!cema == msrp_sdp_media_get_cema (self))
    return;
  set_single (self, "msrp-cema", NULL, cema);
}

/* File transfer: RFC 5547 */

/**
 * msrp_sdp_media_get_file_selector:
 * @self: a #MsrpSdpMedia
 *
 * Gets the file of an RFC 5547 file transfer (`a=file-selector`).
 *
 * Returns: (transfer none) (nullable): the selector, or %NULL when there
 *   is none or it has no value (a capability indication)
 *
 * Since: 1.0
 */
MsrpFileSelector *
msrp_sdp_media_get_file_selector (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);

  return self->file_selector;
}

/**
 * msrp_sdp_media_set_file_selector:
 * @self: a #MsrpSdpMedia
 * @selector: (nullable): the file, or %NULL to remove `a=file-selector`
 *
 * Sets `a=file-selector`.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_file_selector (MsrpSdpMedia     *self,
                                  MsrpFileSelector *selector)
{
  g_autofree char *value = NULL;

  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));
  g_return_if_fail (selector == NULL || MSRP_IS_FILE_SELECTOR (selector));

  if (selector != NULL)
    value = msrp_file_selector_to_string (selector);
  set_single (self, "file-selector", value, FALSE);
}

static void
set_file_text (MsrpSdpMedia *self,
               const char   *name,
               const char   *value)
{
  g_return_if_fail (value == NULL || (*value != '\0' && is_line_text (value)));

  set_single (self, name, value, FALSE);
}

/**
 * msrp_sdp_media_get_file_transfer_id:
 * @self: a #MsrpSdpMedia
 *
 * Gets `a=file-transfer-id`: what tells file transfers apart (a new one
 * in a new offer is a new transfer).
 *
 * Returns: (nullable): the identifier, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_sdp_media_get_file_transfer_id (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);

  return attribute_value (self, "file-transfer-id");
}

/**
 * msrp_sdp_media_set_file_transfer_id:
 * @self: a #MsrpSdpMedia
 * @id: (nullable): the identifier, or %NULL to remove it
 *
 * Sets `a=file-transfer-id`.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_file_transfer_id (MsrpSdpMedia *self,
                                     const char   *id)
{
  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));
  g_return_if_fail (id == NULL || strchr (id, ' ') == NULL);

  set_file_text (self, "file-transfer-id", id);
}

/**
 * msrp_sdp_media_get_file_disposition:
 * @self: a #MsrpSdpMedia
 *
 * Gets `a=file-disposition`, such as "attachment" or "render".
 *
 * Returns: (nullable): the disposition, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_sdp_media_get_file_disposition (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);

  return attribute_value (self, "file-disposition");
}

/**
 * msrp_sdp_media_set_file_disposition:
 * @self: a #MsrpSdpMedia
 * @disposition: (nullable): the disposition, or %NULL to remove it
 *
 * Sets `a=file-disposition`.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_file_disposition (MsrpSdpMedia *self,
                                     const char   *disposition)
{
  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));

  set_file_text (self, "file-disposition", disposition);
}

/**
 * msrp_sdp_media_get_file_date:
 * @self: a #MsrpSdpMedia
 *
 * Gets `a=file-date` as written, such as
 * `creation:"Mon, 15 May 2006 15:01:31 +0300"`.
 *
 * Returns: (nullable): the dates, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_sdp_media_get_file_date (MsrpSdpMedia *self)
{
  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), NULL);

  return attribute_value (self, "file-date");
}

/**
 * msrp_sdp_media_set_file_date:
 * @self: a #MsrpSdpMedia
 * @date: (nullable): the dates as `a=file-date` writes them
 *   (`creation:"..." modification:"..." read:"..."`, RFC 5322 dates), or
 *   %NULL to remove it
 *
 * Sets `a=file-date`.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_file_date (MsrpSdpMedia *self,
                              const char   *date)
{
  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));

  set_file_text (self, "file-date", date);
}

/**
 * msrp_sdp_media_get_file_range:
 * @self: a #MsrpSdpMedia
 * @start: (out) (optional): the first byte, counted from 1
 * @stop: (out) (optional): the last byte, or -1 for `*` (to the end)
 *
 * Gets `a=file-range` (RFC 5547): the part of the file to transfer, to
 * resume a transfer.
 *
 * Returns: %TRUE when there is an `a=file-range`; %FALSE (and @start 0,
 *   @stop -1) when there is none
 *
 * Since: 1.0
 */
gboolean
msrp_sdp_media_get_file_range (MsrpSdpMedia *self,
                               gint64       *start,
                               gint64       *stop)
{
  SdpLine *line;
  gint64 first = 0, last = -1;
  gboolean found;

  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (self), FALSE);

  line = find_attribute (self, "file-range");
  found = line != NULL && line->value != NULL && parse_file_range (line->value, &first, &last);
  if (!found)
    first = 0, last = -1;
  if (start)
    *start = first;
  if (stop)
    *stop = last;
  return found;
}

/**
 * msrp_sdp_media_set_file_range:
 * @self: a #MsrpSdpMedia
 * @start: the first byte, counted from 1; 0 removes `a=file-range`
 * @stop: the last byte, at least @start, or -1 for `*` (to the end)
 *
 * Sets `a=file-range`.
 *
 * Since: 1.0
 */
void
msrp_sdp_media_set_file_range (MsrpSdpMedia *self,
                               gint64        start,
                               gint64        stop)
{
  g_autofree char *value = NULL;

  g_return_if_fail (MSRP_IS_SDP_MEDIA (self));
  g_return_if_fail (start >= 0);
  g_return_if_fail (start == 0 || stop == -1 || stop >= start);

  if (start > 0 && stop == -1)
    value = g_strdup_printf ("%" G_GINT64_FORMAT "-*", start);
  else if (start > 0)
    value = g_strdup_printf ("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, start, stop);
  set_single (self, "file-range", value, FALSE);
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

  line = find_attribute (self, name);
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
  g_return_if_fail (name != NULL && is_token (name, strlen (name)) && strchr (name, ':') == NULL);
  g_return_if_fail (value == NULL || is_line_text (value));
  g_return_if_fail (check_attribute (name, value, NULL));

  insert_attribute (self, sdp_line_new ('a', name, value));
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

  if (find_attribute (self, name) == NULL)
    return;
  remove_attributes (self, name, NULL);
  attribute_changed (self, name);
}
