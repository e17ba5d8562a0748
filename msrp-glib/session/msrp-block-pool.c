/* msrp-block-pool.c: page-aligned read blocks, used again
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "msrp-block-pool-private.h"

struct _MsrpBlockPool {
  gatomicrefcount ref_count;
  GMutex lock;
  GPtrArray *spare;       /* of MsrpBlock */
  gboolean keep;          /* FALSE: blocks given back are freed */
  gsize block_size;
  guint max_spare;
};

/* The block's head fills a page, so that its data begins at the next. */
#define BLOCK_HEAD 4096

struct _MsrpBlock {
  MsrpBlockPool *pool;
  /* then, from BLOCK_HEAD on, block_size bytes */
};

MsrpBlockPool *
_msrp_block_pool_new (gsize block_size,
                      guint max_spare)
{
  MsrpBlockPool *pool = g_new0 (MsrpBlockPool, 1);

  g_atomic_ref_count_init (&pool->ref_count);
  g_mutex_init (&pool->lock);
  pool->spare = g_ptr_array_new_with_free_func (g_aligned_free);
  pool->block_size = block_size;
  pool->max_spare = max_spare;
  return pool;
}

MsrpBlockPool *
_msrp_block_pool_ref (MsrpBlockPool *pool)
{
  g_atomic_ref_count_inc (&pool->ref_count);
  return pool;
}

void
_msrp_block_pool_unref (MsrpBlockPool *pool)
{
  if (!g_atomic_ref_count_dec (&pool->ref_count))
    return;
  g_ptr_array_unref (pool->spare);
  g_mutex_clear (&pool->lock);
  g_free (pool);
}

void
_msrp_block_pool_set_keep (MsrpBlockPool *pool,
                           gboolean       keep)
{
  g_mutex_lock (&pool->lock);
  pool->keep = keep;
  if (!keep)
    g_ptr_array_set_size (pool->spare, 0);
  g_mutex_unlock (&pool->lock);
}

guint
_msrp_block_pool_get_n_spare (MsrpBlockPool *pool)
{
  guint n;

  g_mutex_lock (&pool->lock);
  n = pool->spare->len;
  g_mutex_unlock (&pool->lock);
  return n;
}

MsrpBlock *
_msrp_block_pool_take (MsrpBlockPool *pool)
{
  MsrpBlock *block = NULL;

  g_mutex_lock (&pool->lock);
  if (pool->spare->len > 0)
    block = g_ptr_array_steal_index_fast (pool->spare, pool->spare->len - 1);
  g_mutex_unlock (&pool->lock);
  if (block == NULL)
    block = g_aligned_alloc (1, BLOCK_HEAD + pool->block_size, 4096);
  block->pool = _msrp_block_pool_ref (pool);
  return block;
}

guint8 *
_msrp_block_get_data (MsrpBlock *block)
{
  return (guint8 *) block + BLOCK_HEAD;
}

void
_msrp_block_give_back (gpointer data)
{
  MsrpBlock *block = data;
  MsrpBlockPool *pool = block->pool;

  g_mutex_lock (&pool->lock);
  if (pool->keep && pool->spare->len < pool->max_spare)
    {
      g_ptr_array_add (pool->spare, block);
      block = NULL;
    }
  g_mutex_unlock (&pool->lock);
  g_aligned_free (block);
  _msrp_block_pool_unref (pool);
}

GBytes *
_msrp_block_free_to_bytes (MsrpBlock *block,
                           gsize      size)
{
  g_return_val_if_fail (size <= block->pool->block_size, NULL);

  return g_bytes_new_with_free_func (_msrp_block_get_data (block), size, _msrp_block_give_back, block);
}
