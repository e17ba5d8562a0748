/* msrp-block-pool-private.h: page-aligned read blocks, used again
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The blocks a session reads streams into, used again rather than freed:
 * a megabyte fresh from malloc() comes as new pages, which the kernel has
 * to fault in and clear (a tenth of a TLS file sender's time). A block is
 * given out as GBytes, which may outlive the pool's owner and be freed in
 * any thread: each block holds a reference to the pool. */
typedef struct _MsrpBlockPool MsrpBlockPool;
typedef struct _MsrpBlock MsrpBlock;

/* Blocks of block_size bytes; at most max_spare given back are kept. */
MsrpBlockPool *_msrp_block_pool_new            (gsize          block_size,
                                                guint          max_spare);
MsrpBlockPool *_msrp_block_pool_ref            (MsrpBlockPool *pool);
void           _msrp_block_pool_unref          (MsrpBlockPool *pool);

/* keep: whether blocks given back are kept (FALSE at first); FALSE also
 * frees those kept. */
void           _msrp_block_pool_set_keep       (MsrpBlockPool *pool,
                                                gboolean       keep);
guint          _msrp_block_pool_get_n_spare    (MsrpBlockPool *pool);

/* A kept block, or a new one. */
MsrpBlock     *_msrp_block_pool_take           (MsrpBlockPool *pool);

/* The block's block_size bytes; they begin at a page: the kernel's copy
 * from a file into an address 8 bytes past an alignment took four times
 * as long. */
guint8        *_msrp_block_get_data            (MsrpBlock     *block);

/* Gives the block back to its pool (a GDestroyNotify). */
void           _msrp_block_give_back           (gpointer       block);

/* Takes the block: its first size bytes as GBytes, whose end gives the
 * block back. */
GBytes        *_msrp_block_free_to_bytes       (MsrpBlock     *block,
                                                gsize          size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsrpBlockPool, _msrp_block_pool_unref)

G_END_DECLS
