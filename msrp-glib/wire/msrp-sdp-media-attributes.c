/* msrp-sdp-media-attributes.c: the typed attributes of MsrpSdpMedia
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
  _msrp_sdp_set_single (self, "path", value, FALSE);
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
        g_return_if_fail (_msrp_sdp_is_accept_type (types[i]) && _msrp_sdp_is_line_text (types[i]));
      value = g_strjoinv (" ", (char **) types);
    }
  _msrp_sdp_set_single (self, name, value, FALSE);
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

  line = _msrp_sdp_find_attribute (self, "max-size");
  if (line == NULL || line->value == NULL || !_msrp_sdp_parse_decimal (line->value, G_MAXINT64, &size))
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
  _msrp_sdp_set_single (self, "max-size", value, FALSE);
}

/* Connections: RFC 4145, RFC 6135, RFC 6714, RFC 8122 */

static const char *
attribute_value (MsrpSdpMedia *self,
                 const char   *name)
{
  SdpLine *line = _msrp_sdp_find_attribute (self, name);

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
  g_return_if_fail (setup == NULL || _msrp_sdp_is_setup (setup));

  _msrp_sdp_set_single (self, "setup", setup, FALSE);
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

      for (guint d = 0; line->type == 'a' && d < G_N_ELEMENTS (_msrp_sdp_direction_names); d++)
        if (g_ascii_strcasecmp (line->name, _msrp_sdp_direction_names[d]) == 0)
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

      for (guint d = 0; line->type == 'a' && d < G_N_ELEMENTS (_msrp_sdp_direction_names); d++)
        if (g_ascii_strcasecmp (line->name, _msrp_sdp_direction_names[d]) == 0)
          {
            first = first ? first : line;
            count++;
          }
    }
  if (first != NULL && count == 1 && old == direction)
    return;

  /* the first direction line takes the new one, in its place */
  for (guint d = 0; d < G_N_ELEMENTS (_msrp_sdp_direction_names); d++)
    _msrp_sdp_remove_attributes (self, _msrp_sdp_direction_names[d], first);
  if (first != NULL)
    {
      g_free (first->name);
      first->name = g_strdup (_msrp_sdp_direction_names[direction]);
      g_clear_pointer (&first->value, g_free);
    }
  else
    _msrp_sdp_insert_attribute (self, _msrp_sdp_sdp_line_new ('a', _msrp_sdp_direction_names[direction], NULL));
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
  g_return_if_fail (fingerprint == NULL || _msrp_sdp_is_fingerprint (fingerprint));

  _msrp_sdp_set_single (self, "fingerprint", fingerprint, FALSE);
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

  return _msrp_sdp_find_attribute (self, "msrp-cema") != NULL;
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
  _msrp_sdp_set_single (self, "msrp-cema", NULL, cema);
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
  _msrp_sdp_set_single (self, "file-selector", value, FALSE);
}

static void
set_file_text (MsrpSdpMedia *self,
               const char   *name,
               const char   *value)
{
  g_return_if_fail (value == NULL || (*value != '\0' && _msrp_sdp_is_line_text (value)));

  _msrp_sdp_set_single (self, name, value, FALSE);
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

  line = _msrp_sdp_find_attribute (self, "file-range");
  found = line != NULL && line->value != NULL && _msrp_sdp_parse_file_range (line->value, &first, &last);
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
  _msrp_sdp_set_single (self, "file-range", value, FALSE);
}

