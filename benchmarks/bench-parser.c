/* bench-parser.c: throughput of the chunk parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Feeds the parser the way a socket would (64 KiB reads) and prints, beside
 * each figure, memmem() scanning the same bytes for the same end-line: no
 * parser can find the end of a body faster than that search, so it is the
 * ceiling for large bodies.
 *
 *   large:  1 MiB random bodies, GB/s
 *   small:  SENDs with 100-byte bodies, chunks/s (parser alone, and with a
 *           MsrpChunk object made for each, as the transport will)
 *
 * Options: --json for one JSON object on stdout; --quick for a short run.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "msrp-glib.h"
#include "msrp-chunk-private.h"
#include "msrp-chunk-parser-private.h"

#define READ_SIZE (64 * 1024)

typedef struct {
  guint64 chunks;
  guint64 body_bytes;
  gboolean make_objects;
} Counter;

static gboolean
on_head (const MsrpChunkHead *head,
         gpointer             user_data)
{
  Counter *c = user_data;

  if (c->make_objects)
    g_object_unref (_msrp_chunk_new_from_head (head));
  return TRUE;
}

static gboolean
on_body (const guint8 *data,
         gsize         len,
         gpointer      user_data)
{
  Counter *c = user_data;

  c->body_bytes += len;
  return TRUE;
}

static gboolean
on_end (MsrpContinuation continuation,
        gpointer         user_data)
{
  Counter *c = user_data;

  c->chunks++;
  return TRUE;
}

static const MsrpChunkParserCallbacks callbacks = { on_head, on_body, on_end, NULL };

static GBytes *
make_send (const char *tid,
           gsize       body_size,
           GRand      *rand)
{
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", tid);
  g_autoptr(GPtrArray) to = msrp_path_parse ("msrp://127.0.0.1:40000/bench0receiver;tcp", NULL);
  g_autoptr(GPtrArray) from = msrp_path_parse ("msrp://127.0.0.1:40001/bench0sender;tcp", NULL);
  g_autoptr(GBytes) body = NULL;
  guint8 *data = g_malloc (body_size);

  for (gsize i = 0; i < body_size; i++)
    data[i] = g_rand_int (rand);
  body = g_bytes_new_take (data, body_size);

  msrp_chunk_set_to_path (chunk, to);
  msrp_chunk_set_from_path (chunk, from);
  msrp_chunk_set_message_id (chunk, "a1b2c3d4e5f6g7h8");
  msrp_chunk_set_byte_range (chunk, 1, body_size, body_size);
  msrp_chunk_set_content_type (chunk, "application/octet-stream");
  msrp_chunk_set_data (chunk, body);
  return msrp_chunk_encode (chunk);
}

/* Repeats one encoded chunk until the buffer holds about `target` bytes. */
static GByteArray *
repeat (GBytes *one,
        gsize   target,
        guint  *count)
{
  GByteArray *buf = g_byte_array_sized_new (target + g_bytes_get_size (one));

  *count = 0;
  while (buf->len < target)
    {
      g_byte_array_append (buf, g_bytes_get_data (one, NULL), g_bytes_get_size (one));
      (*count)++;
    }
  return buf;
}

static double
run_parser (GByteArray *buf,
            gboolean    make_objects,
            guint       expected_chunks)
{
  Counter c = { 0, 0, make_objects };
  g_autoptr(MsrpChunkParser) parser = _msrp_chunk_parser_new (&callbacks, &c);
  gint64 start = g_get_monotonic_time ();

  for (gsize pos = 0; pos < buf->len; pos += READ_SIZE)
    {
      gsize len = MIN (READ_SIZE, buf->len - pos);
      gsize used;
      g_autoptr(GError) error = NULL;

      if (!_msrp_chunk_parser_feed (parser, buf->data + pos, len, &used, &error))
        g_error ("parser failed: %s", error->message);
    }
  if (c.chunks != expected_chunks)
    g_error ("parsed %" G_GUINT64_FORMAT " chunks, expected %u", c.chunks, expected_chunks);
  return (g_get_monotonic_time () - start) / 1e6;
}

static volatile gsize sink;

static double
run_memmem (GByteArray *buf,
            const char *needle,
            guint       expected_hits)
{
  gsize needle_len = strlen (needle);
  gint64 start = g_get_monotonic_time ();
  guint hits = 0;

  /* The same 64 KiB reads; a match cut by a read boundary is missed, which
   * only flatters the ceiling. */
  for (gsize pos = 0; pos < buf->len; pos += READ_SIZE)
    {
      const guint8 *p = buf->data + pos;
      const guint8 *end = buf->data + MIN (pos + READ_SIZE, buf->len);
      const guint8 *hit;

      while ((hit = memmem (p, end - p, needle, needle_len)) != NULL)
        {
          hits++;
          p = hit + needle_len;
        }
      sink += p - buf->data;
    }
  if (hits > expected_hits)
    g_error ("memmem found %u end-lines, expected at most %u", hits, expected_hits);
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
best_of (int n, double (*fn) (GByteArray *, gboolean, guint), GByteArray *buf, gboolean objects, guint expected)
{
  double best = G_MAXDOUBLE;

  for (int i = 0; i < n; i++)
    best = MIN (best, fn (buf, objects, expected));
  return best;
}

static double
best_of_memmem (int n, GByteArray *buf, const char *needle, guint expected)
{
  double best = G_MAXDOUBLE;

  for (int i = 0; i < n; i++)
    best = MIN (best, run_memmem (buf, needle, expected));
  return best;
}

int
main (int    argc,
      char **argv)
{
  gboolean json = FALSE, quick = FALSE;
  g_autoptr(GRand) rand = g_rand_new_with_seed (4975);
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
  reps = quick ? 1 : 5;

  {
    g_autoptr(GBytes) one = make_send ("largebodytid0001", 1024 * 1024, rand);
    guint count;
    g_autoptr(GByteArray) buf = repeat (one, quick ? 64 * 1024 * 1024 : 256 * 1024 * 1024, &count);
    double t_parse = best_of (reps, run_parser, buf, FALSE, count);
    double t_memmem = best_of_memmem (reps, buf, "\r\n-------largebodytid0001", count);
    double gbs = buf->len / t_parse / 1e9;
    double gbs_memmem = buf->len / t_memmem / 1e9;

    if (json)
      printf ("{\"large_gb_s\": %.3f, \"large_memmem_gb_s\": %.3f, ", gbs, gbs_memmem);
    else
      printf ("1 MiB bodies:     %6.2f GB/s   memmem ceiling %6.2f GB/s   (parser at %.0f%% of the ceiling)\n",
              gbs, gbs_memmem, 100 * gbs / gbs_memmem);
  }

  {
    g_autoptr(GBytes) one = make_send ("smallbodytid0001", 100, rand);
    guint count;
    g_autoptr(GByteArray) buf = repeat (one, quick ? 16 * 1024 * 1024 : 64 * 1024 * 1024, &count);
    double t_parse = best_of (reps, run_parser, buf, FALSE, count);
    double t_objects = best_of (reps, run_parser, buf, TRUE, count);
    double t_memmem = best_of_memmem (reps, buf, "\r\n-------smallbodytid0001", count);

    if (json)
      printf ("\"small_chunks_s\": %.0f, \"small_chunks_s_with_objects\": %.0f, "
              "\"small_memmem_chunks_s\": %.0f, \"small_chunk_bytes\": %" G_GSIZE_FORMAT "}\n",
              count / t_parse, count / t_objects, count / t_memmem, g_bytes_get_size (one));
    else
      printf ("100-byte SENDs:   %6.2f M chunks/s (%.2f GB/s)   with MsrpChunk objects %5.2f M chunks/s   "
              "memmem ceiling %6.2f M chunks/s   (%" G_GSIZE_FORMAT " bytes a chunk)\n",
              count / t_parse / 1e6, buf->len / t_parse / 1e9, count / t_objects / 1e6,
              count / t_memmem / 1e6, g_bytes_get_size (one));
  }

  return 0;
}
