/* msrp-file-transfer-private.h: MsrpFileTransfer internals for tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-file-transfer.h"

G_BEGIN_DECLS

/* The most bytes a receiver ever had waiting to be written to disk. */
gsize  _msrp_file_transfer_get_max_queued (MsrpFileTransfer *transfer);
/* The partial file a receiver writes to, next to its destination. */
GFile *_msrp_file_transfer_get_part_file  (MsrpFileTransfer *transfer);

G_END_DECLS
