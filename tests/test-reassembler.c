/* test-reassembler.c: incoming messages put together from chunks, alone
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"
#include "msrp-reassembler-private.h"

#define KIB 1024
#define MIB (1024 * 1024)

/* A chunk of message_id: bytes [start, start + len) of data (1-based
 * start), with total (-1: `*`) and a continuation. */
static MsrpChunk *
piece (const char       *message_id,
       const guint8     *data,
       gint64            start,
       gsize             len,
       gint64            total,
       MsrpContinuation  continuation)
{
  MsrpChunk *chunk = msrp_chunk_new_request ("SEND", NULL);
  g_autoptr(GBytes) body = g_bytes_new (data + start - 1, len);

  msrp_chunk_set_message_id (chunk, message_id);
  msrp_chunk_set_byte_range (chunk, start, len > 0 ? start + (gint64) len - 1 : -1, total);
  msrp_chunk_set_content_type (chunk, "application/octet-stream");
  msrp_chunk_set_data (chunk, body);
  msrp_chunk_set_continuation (chunk, continuation);
  return chunk;
}

static guint8 *
pattern (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 2654435761u >> 24);
  return data;
}

typedef struct {
  MsrpChunk *first;
  GBytes *message;
  guint64 total;
} Out;

static void
out_clear (Out *out)
{
  g_clear_object (&out->first);
  g_clear_pointer (&out->message, g_bytes_unref);
  out->total = 0;
}

static MsrpReassembly
add (MsrpReassembler *r,
     MsrpChunk       *chunk,
     gboolean         streamed,
     Out             *out)
{
  out_clear (out);
  return _msrp_reassembler_add (r, chunk, streamed, &out->first, &out->message, &out->total);
}

static MsrpReassembly
add_piece (MsrpReassembler  *r,
           const char       *message_id,
           const guint8     *data,
           gint64            start,
           gsize             len,
           gint64            total,
           MsrpContinuation  continuation,
           Out              *out)
{
  g_autoptr(MsrpChunk) chunk = piece (message_id, data, start, len, total, continuation);

  return add (r, chunk, FALSE, out);
}

/* Out of order, overlapping, the last chunk first: the right bytes, and
 * the first chunk's headers without its body. */
static void
test_out_of_order (void)
{
  g_autoptr(MsrpReassembler) r = _msrp_reassembler_new ();
  const gsize size = 200 * KIB + 7;
  g_autofree guint8 *data = pattern (size);
  Out out = { 0, };

  _msrp_reassembler_set_limits (r, 16 * MIB, 64 * MIB, 64);
  g_assert_cmpint (add_piece (r, "m1", data, 150 * KIB + 1, size - 150 * KIB, size, MSRP_CONTINUATION_END, &out),
                   ==, MSRP_REASSEMBLY_PENDING);
  g_assert_cmpint (add_piece (r, "m1", data, 70 * KIB + 1, 90 * KIB, size, MSRP_CONTINUATION_MORE, &out),
                   ==, MSRP_REASSEMBLY_PENDING);
  g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, 1);
  g_assert_cmpint (add_piece (r, "m1", data, 1, 80 * KIB, size, MSRP_CONTINUATION_MORE, &out),
                   ==, MSRP_REASSEMBLY_COMPLETE);
  g_assert_cmpuint (out.total, ==, size);
  g_assert_nonnull (out.message);
  g_assert_cmpmem (g_bytes_get_data (out.message, NULL), g_bytes_get_size (out.message), data, size);
  g_assert_cmpstr (msrp_chunk_get_message_id (out.first), ==, "m1");
  g_assert_cmpstr (msrp_chunk_get_content_type (out.first), ==, "application/octet-stream");
  g_assert_null (msrp_chunk_get_data (out.first));
  /* Nothing is left behind. */
  g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, 0);
  g_assert_cmpuint (_msrp_reassembler_get_held (r), ==, 0);

  /* A whole message in one chunk comes out as it is. */
  g_assert_cmpint (add_piece (r, "m2", data, 1, 10, 10, MSRP_CONTINUATION_END, &out),
                   ==, MSRP_REASSEMBLY_COMPLETE);
  g_assert_cmpmem (g_bytes_get_data (out.message, NULL), g_bytes_get_size (out.message), data, 10);

  /* Total unknown until the last chunk, which has `$`; and an empty one. */
  g_assert_cmpint (add_piece (r, "m3", data, 6, 5, -1, MSRP_CONTINUATION_END, &out), ==, MSRP_REASSEMBLY_PENDING);
  g_assert_cmpint (add_piece (r, "m3", data, 1, 5, -1, MSRP_CONTINUATION_MORE, &out), ==, MSRP_REASSEMBLY_COMPLETE);
  g_assert_cmpmem (g_bytes_get_data (out.message, NULL), g_bytes_get_size (out.message), data, 10);
  g_assert_cmpint (add_piece (r, "m4", data, 1, 0, -1, MSRP_CONTINUATION_MORE, &out), ==, MSRP_REASSEMBLY_PENDING);
  g_assert_cmpint (add_piece (r, "m4", data, 1, 0, 0, MSRP_CONTINUATION_END, &out), ==, MSRP_REASSEMBLY_COMPLETE);
  g_assert_cmpuint (g_bytes_get_size (out.message), ==, 0);

  /* `#` drops what was kept. */
  g_assert_cmpint (add_piece (r, "m5", data, 1, 100, 1000, MSRP_CONTINUATION_MORE, &out), ==, MSRP_REASSEMBLY_PENDING);
  g_assert_cmpuint (_msrp_reassembler_get_held (r), >, 0);
  g_assert_cmpint (add_piece (r, "m5", data, 101, 0, 1000, MSRP_CONTINUATION_ABORT, &out), ==, MSRP_REASSEMBLY_ABORTED);
  g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, 0);
  g_assert_cmpuint (_msrp_reassembler_get_held (r), ==, 0);
  out_clear (&out);
}

/* One-byte chunks in descending order, every other byte first, then the
 * gaps: 400,000 chunks, each O(log n) (it took 19 s when it was
 * quadratic). */
static void
test_descending_bytes (void)
{
  g_autoptr(MsrpReassembler) r = _msrp_reassembler_new ();
  const gsize size = 400 * 1000;
  g_autofree guint8 *data = pattern (size);
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", NULL);
  Out out = { 0, };
  gsize peak = 0;

  _msrp_reassembler_set_limits (r, 16 * MIB, 64 * MIB, 64);
  msrp_chunk_set_message_id (chunk, "descending");
  for (int pass = 0; pass < 2; pass++)
    for (gint64 start = size - pass; start >= 1; start -= 2)
      {
        g_autoptr(GBytes) body = g_bytes_new_static (data + start - 1, 1);
        MsrpReassembly result;

        msrp_chunk_set_byte_range (chunk, start, start, size);
        msrp_chunk_set_data (chunk, body);
        msrp_chunk_set_continuation (chunk, start == (gint64) size ? MSRP_CONTINUATION_END : MSRP_CONTINUATION_MORE);
        result = add (r, chunk, FALSE, &out);
        if (pass == 1 && start <= 2)
          g_assert_cmpint (result, ==, MSRP_REASSEMBLY_COMPLETE);
        else
          g_assert_cmpint (result, ==, MSRP_REASSEMBLY_PENDING);
        peak = MAX (peak, _msrp_reassembler_get_held (r));
      }
  g_assert_cmpuint (out.total, ==, size);
  g_assert_cmpmem (g_bytes_get_data (out.message, NULL), g_bytes_get_size (out.message), data, size);
  /* The 200,000 ranges between the passes were counted. */
  g_assert_cmpuint (peak, >, size / 2 * 32);
  g_assert_cmpuint (_msrp_reassembler_get_held (r), ==, 0);
  out_clear (&out);
}

/* One byte a block over several messages: what is counted is the blocks
 * it takes, not the bytes, and it stays under the bound. */
static void
test_sparse_bound (void)
{
  g_autoptr(MsrpReassembler) r = _msrp_reassembler_new ();
  const gsize max_held = 2 * MIB;
  g_autofree guint8 *data = pattern (16 * MIB);
  Out out = { 0, };
  guint accepted = 0;
  gboolean refused = FALSE;
  const char *ids[] = { "s0", "s1", "s2", "s3" };

  _msrp_reassembler_set_limits (r, 16 * MIB, max_held, 64);
  for (guint i = 0; i < 256 && !refused; i++)
    {
      const char *id = ids[i % G_N_ELEMENTS (ids)];
      MsrpReassembly result = add_piece (r, id, data, (gint64) (i / G_N_ELEMENTS (ids)) * 64 * KIB + 1, 1,
                                         -1, MSRP_CONTINUATION_MORE, &out);

      g_assert_cmpuint (_msrp_reassembler_get_held (r), <=, max_held);
      if (result == MSRP_REASSEMBLY_OVER_LIMIT)
        {
          refused = TRUE;
          /* That message is dropped; the others stay. */
          g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, G_N_ELEMENTS (ids) - 1);
          /* Its later chunks are refused, and do not start it again. */
          g_assert_cmpint (add_piece (r, id, data, 1, 1, -1, MSRP_CONTINUATION_MORE, &out),
                           ==, MSRP_REASSEMBLY_REFUSED);
          g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, G_N_ELEMENTS (ids) - 1);
          /* Until the sender ends it with `#`. */
          g_assert_cmpint (add_piece (r, id, data, 2, 0, -1, MSRP_CONTINUATION_ABORT, &out),
                           ==, MSRP_REASSEMBLY_ABORTED);
          break;
        }
      g_assert_cmpint (result, ==, MSRP_REASSEMBLY_PENDING);
      accepted++;
      /* A byte costs its block. */
      g_assert_cmpuint (_msrp_reassembler_get_held (r), >=, accepted * 64 * KIB);
    }
  g_assert_true (refused);
  g_assert_cmpuint (accepted, <, max_held / (64 * KIB));
  g_assert_cmpuint (accepted, >=, max_held / (64 * KIB) - 4);

  _msrp_reassembler_clear (r);
  g_assert_cmpuint (_msrp_reassembler_get_held (r), ==, 0);
  out_clear (&out);
}

/* A message that could never fit is refused at its first chunk; one that
 * is too large for max_message_size is refused, or followed without its
 * bytes when it is streamed. */
static void
test_too_large (void)
{
  g_autoptr(MsrpReassembler) r = _msrp_reassembler_new ();
  g_autofree guint8 *data = pattern (200 * KIB);
  Out out = { 0, };

  _msrp_reassembler_set_limits (r, G_MAXSIZE, 64 * MIB, 64);
  g_assert_cmpint (add_piece (r, "huge", data, 1, 60 * KIB, 100 * 1000 * 1000, MSRP_CONTINUATION_MORE, &out),
                   ==, MSRP_REASSEMBLY_OVER_LIMIT);
  g_assert_cmpuint (_msrp_reassembler_get_held (r), ==, 0);

  _msrp_reassembler_set_limits (r, 100 * KIB, 64 * MIB, 64);
  g_assert_cmpint (add_piece (r, "big", data, 1, 60 * KIB, 200 * KIB, MSRP_CONTINUATION_MORE, &out),
                   ==, MSRP_REASSEMBLY_TOO_LARGE);
  g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, 0);
  /* Total unknown: refused at the chunk that goes past the size, and
   * what was kept of it goes. */
  g_assert_cmpint (add_piece (r, "grows", data, 1, 60 * KIB, -1, MSRP_CONTINUATION_MORE, &out),
                   ==, MSRP_REASSEMBLY_PENDING);
  g_assert_cmpint (add_piece (r, "grows", data, 60 * KIB + 1, 60 * KIB, -1, MSRP_CONTINUATION_MORE, &out),
                   ==, MSRP_REASSEMBLY_TOO_LARGE);
  g_assert_cmpuint (_msrp_reassembler_get_held (r), ==, 0);

  /* Streamed: followed, without its bytes, to its end. */
  {
    g_autoptr(MsrpChunk) c1 = piece ("streamed", data, 1, 60 * KIB, -1, MSRP_CONTINUATION_MORE);
    g_autoptr(MsrpChunk) c2 = piece ("streamed", data, 60 * KIB + 1, 80 * KIB, -1, MSRP_CONTINUATION_MORE);
    g_autoptr(MsrpChunk) c3 = piece ("streamed", data, 140 * KIB + 1, 60 * KIB, -1, MSRP_CONTINUATION_END);

    g_assert_cmpint (add (r, c1, TRUE, &out), ==, MSRP_REASSEMBLY_PENDING);
    g_assert_cmpuint (_msrp_reassembler_get_held (r), >=, 60 * KIB);
    g_assert_cmpint (add (r, c2, TRUE, &out), ==, MSRP_REASSEMBLY_PENDING);
    /* Its bytes are gone once it is known to be too large. */
    g_assert_cmpuint (_msrp_reassembler_get_held (r), <, 16 * KIB);
    g_assert_cmpint (add (r, c3, TRUE, &out), ==, MSRP_REASSEMBLY_COMPLETE);
    g_assert_null (out.message);
    g_assert_cmpuint (out.total, ==, 200 * KIB);
    g_assert_cmpstr (msrp_chunk_get_message_id (out.first), ==, "streamed");
  }
  g_assert_cmpuint (_msrp_reassembler_get_held (r), ==, 0);
  out_clear (&out);
}

/* A whole message in one chunk that is too large to keep but streamed
 * (a tunnel's, which keeps nothing) completes at once: it holds nothing,
 * so neither the open messages nor the bytes held may refuse it. */
static void
test_whole_streamed (void)
{
  g_autoptr(MsrpReassembler) r = _msrp_reassembler_new ();
  g_autofree guint8 *data = pattern (64 * KIB);
  g_autoptr(MsrpChunk) whole = piece ("whole", data, 1, 64 * KIB, 64 * KIB, MSRP_CONTINUATION_END);
  Out out = { 0, };

  _msrp_reassembler_set_limits (r, KIB, 8 * KIB, 1);
  g_assert_cmpint (add_piece (r, "open", data, 1, 100, 200, MSRP_CONTINUATION_MORE, &out),
                   ==, MSRP_REASSEMBLY_PENDING);
  g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, 1);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (add (r, whole, TRUE, &out), ==, MSRP_REASSEMBLY_COMPLETE);
      g_assert_null (out.message);
      g_assert_cmpuint (out.total, ==, 64 * KIB);
      g_assert_cmpstr (msrp_chunk_get_message_id (out.first), ==, "whole");
    }
  g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, 1);
  out_clear (&out);
}

/* Only so many messages open at once: one more is refused, the others go
 * on. */
static void
test_open_messages (void)
{
  g_autoptr(MsrpReassembler) r = _msrp_reassembler_new ();
  g_autofree guint8 *data = pattern (100);
  Out out = { 0, };

  _msrp_reassembler_set_limits (r, 16 * MIB, 64 * MIB, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("open%u", i);

      g_assert_cmpint (add_piece (r, id, data, 1, 50, 100, MSRP_CONTINUATION_MORE, &out), ==, MSRP_REASSEMBLY_PENDING);
    }
  g_assert_cmpint (add_piece (r, "one-more", data, 1, 50, 100, MSRP_CONTINUATION_MORE, &out),
                   ==, MSRP_REASSEMBLY_OVER_LIMIT);
  g_assert_cmpint (add_piece (r, "one-more", data, 51, 50, 100, MSRP_CONTINUATION_END, &out),
                   ==, MSRP_REASSEMBLY_REFUSED);
  /* A message in one chunk needs no room. */
  g_assert_cmpint (add_piece (r, "whole", data, 1, 100, 100, MSRP_CONTINUATION_END, &out), ==, MSRP_REASSEMBLY_COMPLETE);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("open%u", i);

      g_assert_cmpint (add_piece (r, id, data, 51, 50, 100, MSRP_CONTINUATION_END, &out), ==, MSRP_REASSEMBLY_COMPLETE);
      g_assert_cmpmem (g_bytes_get_data (out.message, NULL), g_bytes_get_size (out.message), data, 100);
    }
  g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, 0);
  out_clear (&out);
}

/* A first chunk pins neither its body nor more than its headers cost, and
 * long headers count. */
static void
test_first_chunk_cost (void)
{
  g_autoptr(MsrpReassembler) r = _msrp_reassembler_new ();
  g_autofree guint8 *data = pattern (60 * KIB);
  g_autofree char *long_value = g_strnfill (30 * KIB, 'x');
  g_autoptr(MsrpChunk) chunk = piece ("pinned", data, 1, 60 * KIB, 120 * KIB, MSRP_CONTINUATION_MORE);
  gsize plain;
  Out out = { 0, };

  _msrp_reassembler_set_limits (r, 16 * MIB, 64 * MIB, 64);
  g_assert_cmpint (add (r, chunk, FALSE, &out), ==, MSRP_REASSEMBLY_PENDING);
  plain = _msrp_reassembler_get_held (r);
  /* Its bytes in a block, and a little for the rest. */
  g_assert_cmpuint (plain, >=, 60 * KIB);
  g_assert_cmpuint (plain, <, 70 * KIB);
  _msrp_reassembler_clear (r);

  msrp_chunk_set_header (chunk, "X-Long", long_value);
  g_assert_cmpint (add (r, chunk, FALSE, &out), ==, MSRP_REASSEMBLY_PENDING);
  g_assert_cmpuint (_msrp_reassembler_get_held (r), >=, plain + 30 * KIB);
  out_clear (&out);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reassembler/out-of-order", test_out_of_order);
  g_test_add_func ("/reassembler/descending-bytes", test_descending_bytes);
  g_test_add_func ("/reassembler/sparse-bound", test_sparse_bound);
  g_test_add_func ("/reassembler/too-large", test_too_large);
  g_test_add_func ("/reassembler/whole-streamed", test_whole_streamed);
  g_test_add_func ("/reassembler/open-messages", test_open_messages);
  g_test_add_func ("/reassembler/first-chunk-cost", test_first_chunk_cost);

  return g_test_run ();
}
