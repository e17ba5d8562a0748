/* msrp-file-transfer.h: a file transfer stream (RFC 5547)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include "msrp-version.h"
#include "msrp-types.h"
#include "msrp-stream.h"
#include "msrp-file-selector.h"
#include "msrp-sdp-media.h"

G_BEGIN_DECLS

#define MSRP_TYPE_FILE_TRANSFER (msrp_file_transfer_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpFileTransfer, msrp_file_transfer, MSRP, FILE_TRANSFER, MsrpStream)

MSRP_AVAILABLE_IN_ALL
MsrpFileTransfer *msrp_file_transfer_new_push           (GFile            *file,
                                                         const char       *content_type);
MSRP_AVAILABLE_IN_ALL
MsrpFileTransfer *msrp_file_transfer_new_pull           (MsrpFileSelector *selector,
                                                         GFile            *destination);
MSRP_AVAILABLE_IN_ALL
MsrpFileTransfer *msrp_file_transfer_new_from_offer     (MsrpSdpMedia     *offer,
                                                         GFile            *file,
                                                         GError          **error);

MSRP_AVAILABLE_IN_ALL
void              msrp_file_transfer_set_range          (MsrpFileTransfer *transfer,
                                                         gint64            start,
                                                         gint64            stop);
MSRP_AVAILABLE_IN_ALL
gboolean          msrp_file_transfer_get_range          (MsrpFileTransfer *transfer,
                                                         gint64           *start,
                                                         gint64           *stop);

MSRP_AVAILABLE_IN_ALL
GFile            *msrp_file_transfer_get_file           (MsrpFileTransfer *transfer);
MSRP_AVAILABLE_IN_ALL
gboolean          msrp_file_transfer_get_is_sender      (MsrpFileTransfer *transfer);
MSRP_AVAILABLE_IN_ALL
MsrpFileSelector *msrp_file_transfer_get_selector       (MsrpFileTransfer *transfer);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_file_transfer_get_transfer_id    (MsrpFileTransfer *transfer);
MSRP_AVAILABLE_IN_ALL
gint64            msrp_file_transfer_get_size           (MsrpFileTransfer *transfer);
MSRP_AVAILABLE_IN_ALL
gint64            msrp_file_transfer_get_bytes_transferred (MsrpFileTransfer *transfer);
MSRP_AVAILABLE_IN_ALL
double            msrp_file_transfer_get_hash_progress  (MsrpFileTransfer *transfer);

G_END_DECLS
