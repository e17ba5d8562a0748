/* test-block-pool.c: the session's reused read blocks, alone
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-block-pool-private.h"

#define BLOCK_SIZE (64 * 1024)
#define MAX_SPARE 3

static void
test_page_aligned (void)
{
  g_autoptr(MsrpBlockPool) pool = _msrp_block_pool_new (BLOCK_SIZE, MAX_SPARE);
  MsrpBlock *blocks[5];

  for (guint i = 0; i < G_N_ELEMENTS (blocks); i++)
    {
      guint8 *data;

      blocks[i] = _msrp_block_pool_take (pool);
      data = _msrp_block_get_data (blocks[i]);
      g_assert_cmpuint ((guintptr) data % 4096, ==, 0);
      /* The whole block is there to write (ASan checks the bounds). */
      memset (data, 0xa5, BLOCK_SIZE);
    }
  for (guint i = 0; i < G_N_ELEMENTS (blocks); i++)
    _msrp_block_give_back (blocks[i]);
}

static void
test_reuse (void)
{
  g_autoptr(MsrpBlockPool) pool = _msrp_block_pool_new (BLOCK_SIZE, MAX_SPARE);
  MsrpBlock *block, *again;

  /* Not kept until asked for. */
  block = _msrp_block_pool_take (pool);
  _msrp_block_give_back (block);
  g_assert_cmpuint (_msrp_block_pool_get_n_spare (pool), ==, 0);

  _msrp_block_pool_set_keep (pool, TRUE);
  block = _msrp_block_pool_take (pool);
  _msrp_block_give_back (block);
  g_assert_cmpuint (_msrp_block_pool_get_n_spare (pool), ==, 1);
  again = _msrp_block_pool_take (pool);
  g_assert_true (again == block);
  g_assert_cmpuint (_msrp_block_pool_get_n_spare (pool), ==, 0);

  /* Through GBytes too. */
  g_bytes_unref (_msrp_block_free_to_bytes (again, 100));
  g_assert_cmpuint (_msrp_block_pool_get_n_spare (pool), ==, 1);
  block = _msrp_block_pool_take (pool);
  g_assert_true (block == again);
  _msrp_block_give_back (block);

  /* Not keeping any more frees those kept. */
  _msrp_block_pool_set_keep (pool, FALSE);
  g_assert_cmpuint (_msrp_block_pool_get_n_spare (pool), ==, 0);
}

static void
test_at_most_max_kept (void)
{
  g_autoptr(MsrpBlockPool) pool = _msrp_block_pool_new (BLOCK_SIZE, MAX_SPARE);
  MsrpBlock *blocks[MAX_SPARE + 2];
  MsrpBlock *taken[MAX_SPARE + 2];

  _msrp_block_pool_set_keep (pool, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (blocks); i++)
    blocks[i] = _msrp_block_pool_take (pool);
  for (guint i = 0; i < G_N_ELEMENTS (blocks); i++)
    {
      _msrp_block_give_back (blocks[i]);
      g_assert_cmpuint (_msrp_block_pool_get_n_spare (pool), ==, MIN (i + 1, MAX_SPARE));
    }

  /* The first given back were kept, and come back last first; then the
   * pool allocates. */
  for (guint i = 0; i < G_N_ELEMENTS (blocks); i++)
    {
      MsrpBlock *block = _msrp_block_pool_take (pool);

      if (i < MAX_SPARE)
        g_assert_true (block == blocks[MAX_SPARE - 1 - i]);
      taken[i] = block;
    }
  g_assert_cmpuint (_msrp_block_pool_get_n_spare (pool), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (taken); i++)
    _msrp_block_give_back (taken[i]);
  g_assert_cmpuint (_msrp_block_pool_get_n_spare (pool), ==, MAX_SPARE);
}

static void
test_bytes_outlive_pool (void)
{
  MsrpBlockPool *pool = _msrp_block_pool_new (BLOCK_SIZE, MAX_SPARE);
  MsrpBlock *block;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) slice = NULL;
  guint8 *data;

  _msrp_block_pool_set_keep (pool, TRUE);
  block = _msrp_block_pool_take (pool);
  data = _msrp_block_get_data (block);
  memcpy (data, "hello, block", 12);
  bytes = _msrp_block_free_to_bytes (block, 12);
  slice = g_bytes_new_from_bytes (bytes, 7, 5);
  g_assert_true (g_bytes_get_data (bytes, NULL) == data);

  /* The owner goes (as a session does at its end: keep nothing more); the
   * GBytes and a slice of it stay valid. */
  _msrp_block_pool_set_keep (pool, FALSE);
  _msrp_block_pool_unref (pool);
  g_clear_pointer (&bytes, g_bytes_unref);
  g_assert_cmpmem (g_bytes_get_data (slice, NULL), 5, "block", 5);
  /* The last one frees the block and then the pool (ASan and valgrind
   * see a leak or a use after free otherwise). */
  g_clear_pointer (&slice, g_bytes_unref);
}

static gpointer
give_back_in_thread (gpointer data)
{
  g_bytes_unref (data);
  return NULL;
}

static void
test_bytes_freed_in_thread (void)
{
  g_autoptr(MsrpBlockPool) pool = _msrp_block_pool_new (BLOCK_SIZE, MAX_SPARE);
  GBytes *bytes[MAX_SPARE + 1];
  GThread *threads[G_N_ELEMENTS (bytes)];

  /* Distinct blocks: all taken before any goes back. */
  _msrp_block_pool_set_keep (pool, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (bytes); i++)
    bytes[i] = _msrp_block_free_to_bytes (_msrp_block_pool_take (pool), BLOCK_SIZE);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("give back", give_back_in_thread, bytes[i]);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpuint (_msrp_block_pool_get_n_spare (pool), ==, MAX_SPARE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/block-pool/page-aligned", test_page_aligned);
  g_test_add_func ("/block-pool/reuse", test_reuse);
  g_test_add_func ("/block-pool/at-most-max-kept", test_at_most_max_kept);
  g_test_add_func ("/block-pool/bytes-outlive-pool", test_bytes_outlive_pool);
  g_test_add_func ("/block-pool/bytes-freed-in-thread", test_bytes_freed_in_thread);

  return g_test_run ();
}
