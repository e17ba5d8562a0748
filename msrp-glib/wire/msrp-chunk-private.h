/* msrp-chunk-private.h: MsrpChunk internals shared with the transport
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-chunk.h"
#include "msrp-chunk-parser-private.h"

G_BEGIN_DECLS

/* Length of the random transaction ids and Message-IDs the library makes. */
#define MSRP_RANDOM_ID_LENGTH 16

MsrpChunk *_msrp_chunk_new_from_head (const MsrpChunkHead *head);
void       _msrp_chunk_encode_head   (MsrpChunk           *chunk,
                                      GString             *out);
void       _msrp_chunk_encode_end    (MsrpChunk           *chunk,
                                      GString             *out);
void       _msrp_chunk_set_segment   (MsrpChunk           *chunk,
                                      guint                segment);
/* Whether a part handed out by a transport is the last of its chunk. */
void       _msrp_chunk_set_last_segment (MsrpChunk        *chunk,
                                         gboolean          last);
gboolean   _msrp_chunk_is_last_segment  (MsrpChunk        *chunk);
/* Gives a chunk another transaction id (an ident): a relay forwards the
 * pieces of one chunk as chunks of their own, headers unchanged. */
void       _msrp_chunk_set_transaction_id (MsrpChunk      *chunk,
                                           const char     *transaction_id);

/* The last path header parsed and its parse: the chunks of a connection
 * mostly carry the same To-Path and From-Path, parsed once then. */
typedef struct {
  char      *value;
  GPtrArray *path;   /* (element-type MsrpUri) */
} MsrpPathMemo;

void       _msrp_path_memo_clear     (MsrpPathMemo        *memo);
/* Parses To-Path (memos[0]) and From-Path (memos[1]) ahead of their getters. */
void       _msrp_chunk_parse_paths   (MsrpChunk           *chunk,
                                      MsrpPathMemo         memos[2]);
/* Sets To-Path (or From-Path) from its encoded @value and its parse @path,
 * which the chunk shares (the getters return it, transfer none). */
void       _msrp_chunk_set_path_encoded (MsrpChunk        *chunk,
                                         gboolean          from,
                                         const char       *value,
                                         GPtrArray        *path);

/* Whether a SEND carries part of a message (a body, or a chunk that more
 * follow): a session must see and answer it, even when it is the first
 * request that binds a connection. */
static inline gboolean
_msrp_chunk_carries_content (MsrpChunk *chunk)
{
  GBytes *data = msrp_chunk_get_data (chunk);

  return (data != NULL && g_bytes_get_size (data) > 0) ||
         msrp_chunk_get_continuation (chunk) != MSRP_CONTINUATION_END;
}

G_END_DECLS
