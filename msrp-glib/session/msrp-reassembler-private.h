/* msrp-reassembler-private.h: incoming messages put together from chunks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>
#include "msrp-chunk.h"
#include "msrp-session.h"

G_BEGIN_DECLS

/* A session's unfinished incoming messages, by Message-ID: their bytes in
 * blocks allocated as chunks fill them (a chunk far into a message does
 * not allocate what lies before it), the ranges received in a balanced
 * tree (O(log n) a chunk, in any order), and the memory all that takes,
 * bounded. No I/O and no signals: the session answers and emits. */
typedef struct _MsrpReassembler MsrpReassembler;

typedef enum {
  MSRP_REASSEMBLY_PENDING,     /* taken; the message is not whole yet */
  MSRP_REASSEMBLY_COMPLETE,    /* taken; the message is whole */
  MSRP_REASSEMBLY_ABORTED,     /* a `#` chunk: what was kept of it is gone */
  /* Refused (413): the message is dropped, and so are its later chunks. */
  MSRP_REASSEMBLY_TOO_LARGE,   /* over max_message_size, and not streamed */
  MSRP_REASSEMBLY_OVER_LIMIT,  /* over the bytes held or messages open */
  MSRP_REASSEMBLY_REFUSED,     /* a later chunk of a message refused before */
} MsrpReassembly;

MsrpReassembler *_msrp_reassembler_new           (void);
void             _msrp_reassembler_free          (MsrpReassembler *self);
/* Drops every unfinished message. */
void             _msrp_reassembler_clear         (MsrpReassembler *self);

/* max_message_size: the largest message put together; max_held: the
 * memory that unfinished messages may take in all (0: no limit);
 * max_open: how many may be unfinished at once (0: no limit). They apply
 * to the chunks added from now on. */
void             _msrp_reassembler_set_limits    (MsrpReassembler *self,
                                                  gsize            max_message_size,
                                                  gsize            max_held,
                                                  guint            max_open);

/* Adds a SEND chunk (or a part of one). streamed: the application takes
 * the chunks as they come, so a message over max_message_size is followed
 * (to tell when it is complete) without its bytes, rather than refused.
 * On MSRP_REASSEMBLY_COMPLETE, *first is the message's first chunk (its
 * headers; the body is not kept unless it is the whole message), *message
 * the whole message or NULL when it was too large to keep, and *total its
 * size. */
MsrpReassembly   _msrp_reassembler_add           (MsrpReassembler  *self,
                                                  MsrpChunk        *chunk,
                                                  gboolean          streamed,
                                                  MsrpChunk       **first,
                                                  GBytes          **message,
                                                  guint64          *total);

/* Drops what is kept of a message refused by the caller, and refuses its
 * later chunks (MSRP_REASSEMBLY_REFUSED) until a `#` one. */
void             _msrp_reassembler_refuse        (MsrpReassembler *self,
                                                  const char      *message_id);

/* The memory unfinished messages take: their blocks, their range and
 * header bookkeeping, not only the bytes received. */
gsize            _msrp_reassembler_get_held      (MsrpReassembler *self);
guint            _msrp_reassembler_get_n_open    (MsrpReassembler *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsrpReassembler, _msrp_reassembler_free)

/* In msrp-session.c, for tests. */
MsrpReassembler *_msrp_session_get_reassembler   (MsrpSession     *session);

G_END_DECLS
