/* bench-reassembler.c: throughput of the reassembler, which puts incoming
 * messages together from their chunks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A 16 MiB message (the default max-message-size) added chunk by chunk,
 * with the session's default limits, as a receiver sees it:
 *
 *   64k:    chunks of 64 KiB (the default max-chunk-size), MB/s
 *   4k:     chunks of 4 KiB (a relay's 8 KiB or less), chunks/s
 *   gaps:   4 KiB chunks, every other one first, then the gaps
 *
 * The chunks are made before the clock starts: only the reassembler is
 * timed. Options: --json for one JSON object on stdout; --quick for a
 * short run.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "msrp-glib.h"
#include "msrp-reassembler-private.h"

#define MESSAGE_SIZE (16 * 1024 * 1024)

/* The chunks of @message, @chunk_size bytes each, in the order they are
 * added: in order, or every other one and then the rest. */
static GPtrArray *
make_chunks (GBytes  *message,
             gsize    chunk_size,
             gboolean gaps)
{
  GPtrArray *chunks = g_ptr_array_new_with_free_func (g_object_unref);
  gsize size = g_bytes_get_size (message);
  guint n = (size + chunk_size - 1) / chunk_size;

  for (guint pass = 0; pass < (gaps ? 2u : 1u); pass++)
    for (guint i = gaps ? pass : 0; i < n; i += gaps ? 2 : 1)
      {
        gsize offset = (gsize) i * chunk_size;
        gsize len = MIN (chunk_size, size - offset);
        g_autoptr(GBytes) body = g_bytes_new_from_bytes (message, offset, len);
        MsrpChunk *chunk = msrp_chunk_new_request ("SEND", NULL);

        msrp_chunk_set_message_id (chunk, "benchmessage0001");
        msrp_chunk_set_content_type (chunk, "application/octet-stream");
        msrp_chunk_set_byte_range (chunk, offset + 1, offset + len, size);
        msrp_chunk_set_data (chunk, body);
        msrp_chunk_set_continuation (chunk, i == n - 1 ? MSRP_CONTINUATION_END : MSRP_CONTINUATION_MORE);
        g_ptr_array_add (chunks, chunk);
      }
  return chunks;
}

static double
run_once (GPtrArray *chunks,
          GBytes    *message)
{
  MsrpReassembler *r = _msrp_reassembler_new ();
  gint64 start;
  double seconds;
  guint complete = 0;

  _msrp_reassembler_set_limits (r, MSRP_DEFAULT_MAX_MESSAGE_SIZE, MSRP_DEFAULT_MAX_REASSEMBLY_SIZE,
                                MSRP_DEFAULT_MAX_OPEN_MESSAGES);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < chunks->len; i++)
    {
      g_autoptr(MsrpChunk) first = NULL;
      g_autoptr(GBytes) whole = NULL;
      guint64 total = 0;

      switch (_msrp_reassembler_add (r, g_ptr_array_index (chunks, i), FALSE, &first, &whole, &total))
        {
        case MSRP_REASSEMBLY_PENDING:
          break;
        case MSRP_REASSEMBLY_COMPLETE:
          if (total != g_bytes_get_size (message) || whole == NULL)
            g_error ("the message came out wrong");
          complete++;
          break;
        default:
          g_error ("chunk %u refused", i);
        }
    }
  seconds = (g_get_monotonic_time () - start) / 1e6;
  if (complete != 1)
    g_error ("the message did not complete");
  _msrp_reassembler_free (r);
  return seconds;
}

static double
best_of (int        n,
         GPtrArray *chunks,
         GBytes    *message)
{
  double best = G_MAXDOUBLE;

  for (int i = 0; i < n; i++)
    best = MIN (best, run_once (chunks, message));
  return best;
}

int
main (int    argc,
      char **argv)
{
  gboolean json = FALSE, quick = FALSE;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GPtrArray) big = NULL;
  g_autoptr(GPtrArray) small = NULL;
  g_autoptr(GPtrArray) gaps = NULL;
  double t_big, t_small, t_gaps;
  guint8 *data;
  int reps;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        json = TRUE;
      else if (strcmp (argv[i], "--quick") == 0)
        quick = TRUE;
      else
        {
          fprintf (stderr, "usage: %s [--json] [--quick]\n", argv[0]);
          return 2;
        }
    }
  reps = quick ? 3 : 20;

  data = g_malloc (MESSAGE_SIZE);
  for (gsize i = 0; i < MESSAGE_SIZE; i++)
    data[i] = (guint8) (i * 31 + (i >> 13));
  message = g_bytes_new_take (data, MESSAGE_SIZE);
  big = make_chunks (message, 64 * 1024, FALSE);
  small = make_chunks (message, 4 * 1024, FALSE);
  gaps = make_chunks (message, 4 * 1024, TRUE);

  t_big = best_of (reps, big, message);
  t_small = best_of (reps, small, message);
  t_gaps = best_of (reps, gaps, message);

  if (json)
    printf ("{\"chunks_64k_mb_s\": %.0f, \"chunks_4k_s\": %.0f, \"chunks_4k_gaps_s\": %.0f}\n",
            MESSAGE_SIZE / t_big / 1e6, small->len / t_small, gaps->len / t_gaps);
  else
    {
      printf ("64 KiB chunks:        %7.0f MB/s   (%.2f M chunks/s)\n",
              MESSAGE_SIZE / t_big / 1e6, big->len / t_big / 1e6);
      printf ("4 KiB chunks:         %7.2f M chunks/s   (%.0f MB/s)\n",
              small->len / t_small / 1e6, MESSAGE_SIZE / t_small / 1e6);
      printf ("4 KiB, gaps first:    %7.2f M chunks/s   (%.0f MB/s)\n",
              gaps->len / t_gaps / 1e6, MESSAGE_SIZE / t_gaps / 1e6);
    }
  return 0;
}
