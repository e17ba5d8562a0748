/* msrp-outgoing-file.h: a file, or any stream, to send in a session
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

#define MSRP_TYPE_OUTGOING_FILE (msrp_outgoing_file_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpOutgoingFile, msrp_outgoing_file, MSRP, OUTGOING_FILE, GObject)

MSRP_AVAILABLE_IN_ALL
MsrpOutgoingFile *msrp_outgoing_file_new              (GInputStream     *stream,
                                                       goffset           size,
                                                       const char       *content_type,
                                                       goffset           position,
                                                       const char       *message_id);
MSRP_AVAILABLE_IN_ALL
MsrpOutgoingFile *msrp_outgoing_file_new_for_file     (GFile            *file,
                                                       const char       *content_type,
                                                       GError          **error);
MSRP_AVAILABLE_IN_ALL
void              msrp_outgoing_file_new_for_file_async  (GFile               *file,
                                                          const char          *content_type,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
MsrpOutgoingFile *msrp_outgoing_file_new_for_file_finish (GAsyncResult        *result,
                                                          GError             **error);

MSRP_AVAILABLE_IN_ALL
GInputStream     *msrp_outgoing_file_get_stream       (MsrpOutgoingFile *file);
MSRP_AVAILABLE_IN_ALL
goffset           msrp_outgoing_file_get_size         (MsrpOutgoingFile *file);
MSRP_AVAILABLE_IN_ALL
goffset           msrp_outgoing_file_get_position     (MsrpOutgoingFile *file);
MSRP_AVAILABLE_IN_ALL
goffset           msrp_outgoing_file_get_bytes_sent   (MsrpOutgoingFile *file);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_outgoing_file_get_message_id   (MsrpOutgoingFile *file);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_outgoing_file_get_content_type (MsrpOutgoingFile *file);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_outgoing_file_get_file_name    (MsrpOutgoingFile *file);

MSRP_AVAILABLE_IN_ALL
const char       *msrp_outgoing_file_get_header       (MsrpOutgoingFile *file,
                                                       const char       *name);
MSRP_AVAILABLE_IN_ALL
void              msrp_outgoing_file_set_header       (MsrpOutgoingFile *file,
                                                       const char       *name,
                                                       const char       *value);

G_END_DECLS
