/* msrp-imdn.h: RFC 5438 message/imdn+xml
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <glib-object.h>
#include "msrp-version.h"

G_BEGIN_DECLS

/**
 * MSRP_IMDN_NAMESPACE:
 *
 * The namespace URI of the IMDN headers of a CPIM message (RFC 5438
 * section 9): `imdn.Message-ID` and `imdn.Disposition-Notification` after
 * `NS: imdn <urn:ietf:params:imdn>`. Give it to
 * [method@Msrp.CpimMessage.get_header] and
 * [method@Msrp.CpimMessage.add_header].
 *
 * Since: 1.0
 */
#define MSRP_IMDN_NAMESPACE "urn:ietf:params:imdn"

/**
 * MSRP_IMDN_CONTENT_TYPE:
 *
 * The MIME type of an IMDN notification, `message/imdn+xml` (RFC 5438).
 *
 * Since: 1.0
 */
#define MSRP_IMDN_CONTENT_TYPE "message/imdn+xml"

/**
 * MsrpImdnKind:
 * @MSRP_IMDN_KIND_DELIVERY: a delivery notification
 *   (`<delivery-notification>`): delivered, failed, forbidden or error
 * @MSRP_IMDN_KIND_DISPLAY: a display notification (`<display-notification>`):
 *   displayed, forbidden or error
 * @MSRP_IMDN_KIND_PROCESSING: a processing notification
 *   (`<processing-notification>`): processed, stored, forbidden or error
 *
 * What an IMDN notification reports on (RFC 5438 section 7).
 *
 * Since: 1.0
 */
typedef enum {
  MSRP_IMDN_KIND_DELIVERY,
  MSRP_IMDN_KIND_DISPLAY,
  MSRP_IMDN_KIND_PROCESSING,
} MsrpImdnKind;

#define MSRP_TYPE_IMDN (msrp_imdn_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpImdn, msrp_imdn, MSRP, IMDN, GObject)

MSRP_AVAILABLE_IN_ALL
MsrpImdn     *msrp_imdn_new                        (MsrpImdnKind  kind,
                                                    const char   *message_id,
                                                    const char   *status);
MSRP_AVAILABLE_IN_ALL
MsrpImdn     *msrp_imdn_parse                      (GBytes       *data,
                                                    GError      **error);
MSRP_AVAILABLE_IN_ALL
GBytes       *msrp_imdn_to_bytes                   (MsrpImdn     *self);

MSRP_AVAILABLE_IN_ALL
MsrpImdnKind  msrp_imdn_get_kind                   (MsrpImdn     *self);
MSRP_AVAILABLE_IN_ALL
void          msrp_imdn_set_kind                   (MsrpImdn     *self,
                                                    MsrpImdnKind  kind);
MSRP_AVAILABLE_IN_ALL
const char   *msrp_imdn_get_status                 (MsrpImdn     *self);
MSRP_AVAILABLE_IN_ALL
void          msrp_imdn_set_status                 (MsrpImdn     *self,
                                                    const char   *status);
MSRP_AVAILABLE_IN_ALL
const char   *msrp_imdn_get_message_id             (MsrpImdn     *self);
MSRP_AVAILABLE_IN_ALL
void          msrp_imdn_set_message_id             (MsrpImdn     *self,
                                                    const char   *message_id);
MSRP_AVAILABLE_IN_ALL
GDateTime    *msrp_imdn_get_datetime               (MsrpImdn     *self);
MSRP_AVAILABLE_IN_ALL
void          msrp_imdn_set_datetime               (MsrpImdn     *self,
                                                    GDateTime    *datetime);
MSRP_AVAILABLE_IN_ALL
const char   *msrp_imdn_get_recipient_uri          (MsrpImdn     *self);
MSRP_AVAILABLE_IN_ALL
void          msrp_imdn_set_recipient_uri          (MsrpImdn     *self,
                                                    const char   *uri);
MSRP_AVAILABLE_IN_ALL
const char   *msrp_imdn_get_original_recipient_uri (MsrpImdn     *self);
MSRP_AVAILABLE_IN_ALL
void          msrp_imdn_set_original_recipient_uri (MsrpImdn     *self,
                                                    const char   *uri);
MSRP_AVAILABLE_IN_ALL
const char   *msrp_imdn_get_subject                (MsrpImdn     *self);
MSRP_AVAILABLE_IN_ALL
void          msrp_imdn_set_subject                (MsrpImdn     *self,
                                                    const char   *subject);

MSRP_AVAILABLE_IN_ALL
gboolean      msrp_imdn_kind_has_status            (MsrpImdnKind  kind,
                                                    const char   *status);

G_END_DECLS
