/* msrp-is-composing.h: RFC 3994 application/im-iscomposing+xml
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
 * MSRP_IS_COMPOSING_CONTENT_TYPE:
 *
 * The MIME type of a message composition indication,
 * `application/im-iscomposing+xml` (RFC 3994).
 *
 * Since: 1.0
 */
#define MSRP_IS_COMPOSING_CONTENT_TYPE "application/im-iscomposing+xml"

#define MSRP_TYPE_IS_COMPOSING (msrp_is_composing_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpIsComposing, msrp_is_composing, MSRP, IS_COMPOSING, GObject)

MSRP_AVAILABLE_IN_ALL
MsrpIsComposing *msrp_is_composing_new              (const char      *state,
                                                     const char      *content_type,
                                                     guint            refresh);
MSRP_AVAILABLE_IN_ALL
MsrpIsComposing *msrp_is_composing_parse            (GBytes          *data,
                                                     GError         **error);
MSRP_AVAILABLE_IN_ALL
GBytes          *msrp_is_composing_to_bytes         (MsrpIsComposing *self);

MSRP_AVAILABLE_IN_ALL
const char      *msrp_is_composing_get_state        (MsrpIsComposing *self);
MSRP_AVAILABLE_IN_ALL
void             msrp_is_composing_set_state        (MsrpIsComposing *self,
                                                     const char      *state);
MSRP_AVAILABLE_IN_ALL
GDateTime       *msrp_is_composing_get_last_active  (MsrpIsComposing *self);
MSRP_AVAILABLE_IN_ALL
void             msrp_is_composing_set_last_active  (MsrpIsComposing *self,
                                                     GDateTime       *last_active);
MSRP_AVAILABLE_IN_ALL
const char      *msrp_is_composing_get_content_type (MsrpIsComposing *self);
MSRP_AVAILABLE_IN_ALL
void             msrp_is_composing_set_content_type (MsrpIsComposing *self,
                                                     const char      *content_type);
MSRP_AVAILABLE_IN_ALL
guint            msrp_is_composing_get_refresh      (MsrpIsComposing *self);
MSRP_AVAILABLE_IN_ALL
void             msrp_is_composing_set_refresh      (MsrpIsComposing *self,
                                                     guint            refresh);

G_END_DECLS
