/* msrp-sdp-media.h: one SDP media section carrying MSRP
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <glib-object.h>
#include "msrp-version.h"
#include "msrp-file-selector.h"

G_BEGIN_DECLS

/**
 * MsrpSdpDirection:
 * @MSRP_SDP_DIRECTION_SENDRECV: both ends send (`a=sendrecv`, also when
 *   no direction is given)
 * @MSRP_SDP_DIRECTION_SENDONLY: this end only sends (`a=sendonly`; the
 *   offerer of an RFC 5547 push)
 * @MSRP_SDP_DIRECTION_RECVONLY: this end only receives (`a=recvonly`; the
 *   offerer of an RFC 5547 pull)
 * @MSRP_SDP_DIRECTION_INACTIVE: nothing is sent (`a=inactive`)
 *
 * The direction attribute of a media section (RFC 4566 section 6).
 *
 * Since: 1.0
 */
typedef enum {
  MSRP_SDP_DIRECTION_SENDRECV,
  MSRP_SDP_DIRECTION_SENDONLY,
  MSRP_SDP_DIRECTION_RECVONLY,
  MSRP_SDP_DIRECTION_INACTIVE,
} MsrpSdpDirection;

#define MSRP_TYPE_SDP_MEDIA (msrp_sdp_media_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpSdpMedia, msrp_sdp_media, MSRP, SDP_MEDIA, GObject)

MSRP_AVAILABLE_IN_ALL
MsrpSdpMedia     *msrp_sdp_media_new                 (const char       *media);
MSRP_AVAILABLE_IN_ALL
MsrpSdpMedia     *msrp_sdp_media_parse               (const char       *sdp,
                                                      GError          **error);
MSRP_AVAILABLE_IN_ALL
char             *msrp_sdp_media_to_string           (MsrpSdpMedia     *self);
MSRP_AVAILABLE_IN_ALL
MsrpSdpMedia     *msrp_sdp_media_copy                (MsrpSdpMedia     *self);

MSRP_AVAILABLE_IN_ALL
const char       *msrp_sdp_media_get_media           (MsrpSdpMedia     *self);
MSRP_AVAILABLE_IN_ALL
guint16           msrp_sdp_media_get_port            (MsrpSdpMedia     *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_port            (MsrpSdpMedia     *self,
                                                      guint16           port);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_sdp_media_get_protocol        (MsrpSdpMedia     *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_protocol        (MsrpSdpMedia     *self,
                                                      const char       *protocol);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_sdp_media_get_connection_address (MsrpSdpMedia  *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_connection_address (MsrpSdpMedia  *self,
                                                         const char    *address);

MSRP_AVAILABLE_IN_ALL
GPtrArray        *msrp_sdp_media_get_path            (MsrpSdpMedia     *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_path            (MsrpSdpMedia     *self,
                                                      GPtrArray        *path);
MSRP_AVAILABLE_IN_ALL
const char * const *msrp_sdp_media_get_accept_types  (MsrpSdpMedia     *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_accept_types    (MsrpSdpMedia     *self,
                                                      const char * const *types);
MSRP_AVAILABLE_IN_ALL
const char * const *msrp_sdp_media_get_accept_wrapped_types (MsrpSdpMedia *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_accept_wrapped_types (MsrpSdpMedia *self,
                                                           const char * const *types);
MSRP_AVAILABLE_IN_ALL
gint64            msrp_sdp_media_get_max_size        (MsrpSdpMedia     *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_max_size        (MsrpSdpMedia     *self,
                                                      gint64            max_size);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_sdp_media_get_setup           (MsrpSdpMedia     *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_setup           (MsrpSdpMedia     *self,
                                                      const char       *setup);
MSRP_AVAILABLE_IN_ALL
MsrpSdpDirection  msrp_sdp_media_get_direction       (MsrpSdpMedia     *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_direction       (MsrpSdpMedia     *self,
                                                      MsrpSdpDirection  direction);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_sdp_media_get_fingerprint     (MsrpSdpMedia     *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_fingerprint     (MsrpSdpMedia     *self,
                                                      const char       *fingerprint);
MSRP_AVAILABLE_IN_ALL
gboolean          msrp_sdp_media_get_cema            (MsrpSdpMedia     *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_cema            (MsrpSdpMedia     *self,
                                                      gboolean          cema);

MSRP_AVAILABLE_IN_ALL
MsrpFileSelector *msrp_sdp_media_get_file_selector   (MsrpSdpMedia     *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_file_selector   (MsrpSdpMedia     *self,
                                                      MsrpFileSelector *selector);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_sdp_media_get_file_transfer_id (MsrpSdpMedia    *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_file_transfer_id (MsrpSdpMedia    *self,
                                                       const char      *id);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_sdp_media_get_file_disposition (MsrpSdpMedia    *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_file_disposition (MsrpSdpMedia    *self,
                                                       const char      *disposition);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_sdp_media_get_file_date       (MsrpSdpMedia     *self);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_file_date       (MsrpSdpMedia     *self,
                                                      const char       *date);
MSRP_AVAILABLE_IN_ALL
gboolean          msrp_sdp_media_get_file_range      (MsrpSdpMedia     *self,
                                                      gint64           *start,
                                                      gint64           *stop);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_set_file_range      (MsrpSdpMedia     *self,
                                                      gint64            start,
                                                      gint64            stop);

MSRP_AVAILABLE_IN_ALL
const char       *msrp_sdp_media_get_attribute       (MsrpSdpMedia     *self,
                                                      const char       *name);
MSRP_AVAILABLE_IN_ALL
char            **msrp_sdp_media_get_attribute_values (MsrpSdpMedia    *self,
                                                       const char      *name);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_add_attribute       (MsrpSdpMedia     *self,
                                                      const char       *name,
                                                      const char       *value);
MSRP_AVAILABLE_IN_ALL
void              msrp_sdp_media_remove_attribute    (MsrpSdpMedia     *self,
                                                      const char       *name);

G_END_DECLS
