/* msrp-file-selector.h: RFC 5547 a=file-selector
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include "msrp-version.h"

G_BEGIN_DECLS

#define MSRP_TYPE_FILE_SELECTOR (msrp_file_selector_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpFileSelector, msrp_file_selector, MSRP, FILE_SELECTOR, GObject)

MSRP_AVAILABLE_IN_ALL
MsrpFileSelector *msrp_file_selector_new              (const char       *name,
                                                       const char       *content_type,
                                                       gint64            size,
                                                       const char       *hash);
MSRP_AVAILABLE_IN_ALL
MsrpFileSelector *msrp_file_selector_parse            (const char       *value,
                                                       GError          **error);
MSRP_AVAILABLE_IN_ALL
char             *msrp_file_selector_to_string        (MsrpFileSelector *self);
MSRP_AVAILABLE_IN_ALL
gboolean          msrp_file_selector_equal            (MsrpFileSelector *a,
                                                       MsrpFileSelector *b);

MSRP_AVAILABLE_IN_ALL
const char       *msrp_file_selector_get_name         (MsrpFileSelector *self);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_file_selector_get_content_type (MsrpFileSelector *self);
MSRP_AVAILABLE_IN_ALL
gint64            msrp_file_selector_get_size         (MsrpFileSelector *self);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_file_selector_get_hash         (MsrpFileSelector *self);

MSRP_AVAILABLE_IN_ALL
void              msrp_file_selector_new_for_file_async  (GFile               *file,
                                                          const char          *content_type,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
MsrpFileSelector *msrp_file_selector_new_for_file_finish (GAsyncResult        *result,
                                                          GError             **error);

G_END_DECLS
