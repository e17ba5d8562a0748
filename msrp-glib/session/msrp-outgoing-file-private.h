/* msrp-outgoing-file-private.h: MsrpOutgoingFile internals for the session
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-outgoing-file.h"
#include "msrp-chunk.h"

G_BEGIN_DECLS

/* Records progress: bytes_sent counts from the start of the message (so it
 * includes the file's position). Notifies only when the value changes. */
void _msrp_outgoing_file_set_bytes_sent (MsrpOutgoingFile *file,
                                         goffset           bytes_sent);

/* Sets the file's extra headers on a chunk of it, in the order they were
 * first set. */
void _msrp_outgoing_file_apply_headers  (MsrpOutgoingFile *file,
                                         MsrpChunk        *chunk);

G_END_DECLS
