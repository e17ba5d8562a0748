/* fuzz-chunk.c: libFuzzer target for the chunk parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Checks, for any input:
 * - the streaming parser neither crashes nor leaks, fed whole or in pieces
 *   whose sizes come from the input itself;
 * - it sees the same chunks, bodies, flags and errors however the input is
 *   split (the pieces only change where the reads happen to stop);
 * - msrp_chunk_parse() agrees with it on the first chunk, and encoding a
 *   parsed chunk and parsing that again gives back the same bytes.
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"
#include "msrp-chunk-private.h"
#include "msrp-chunk-parser-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct {
  GString *log;   /* every event, in order: what the splits must not change */
  GString *body;  /* body bytes since the last event: slices are merged */
} Trace;

/* Body slices depend on where the pieces were cut, so consecutive slices
 * are logged as one. */
static void
flush_body (Trace *t)
{
  if (t->body->len > 0)
    {
      g_string_append_printf (t->log, "B%" G_GSIZE_FORMAT ":", t->body->len);
      g_string_append_len (t->log, t->body->str, t->body->len);
      g_string_truncate (t->body, 0);
    }
}

/* Which limit is crossed first may depend on the cuts; that it is a limit
 * does not. */
static int
error_class (const GError *error)
{
  if (error->code == MSRP_ERROR_LINE_TOO_LONG || error->code == MSRP_ERROR_HEADERS_TOO_LARGE)
    return -1;
  return error->code;
}

static gboolean
on_head (const MsrpChunkHead *head,
         gpointer             user_data)
{
  Trace *t = user_data;
  g_autoptr(MsrpChunk) chunk = _msrp_chunk_new_from_head (head);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = msrp_chunk_get_header_names (chunk);

  flush_body (t);
  g_string_append_printf (t->log, "H[%.*s|%.*s|%u|%d|%u]",
                          (int) head->tid_len, head->tid,
                          (int) head->method_len, head->method ? head->method : "",
                          head->code, head->has_body, head->n_headers);
  for (guint i = 0; names[i]; i++)
    g_string_append_printf (t->log, "%s=%s;", names[i], msrp_chunk_get_header (chunk, names[i]));
  /* Exercise the typed accessors on whatever came in. */
  msrp_chunk_get_to_path (chunk);
  msrp_chunk_get_from_path (chunk);
  msrp_chunk_get_use_path (chunk);
  msrp_chunk_get_byte_range (chunk, NULL, NULL, NULL);
  msrp_chunk_get_status (chunk, NULL, NULL);
  msrp_chunk_get_expires (chunk);
  g_clear_pointer (&error, g_error_free);
  if (!msrp_chunk_verify_headers (chunk, &error))
    g_assert_true (error->domain == MSRP_TRANSACTION_ERROR && error->code == 400);
  g_free (msrp_chunk_get_use_nickname (chunk));
  {
    g_autofree char *scheme = NULL;
    GHashTable *params = msrp_chunk_get_auth_params (chunk, "WWW-Authenticate", &scheme);

    g_clear_pointer (&params, g_hash_table_unref);
  }
  return TRUE;
}

static gboolean
on_body (const guint8 *data,
         gsize         len,
         gpointer      user_data)
{
  Trace *t = user_data;

  g_assert_cmpuint (len, >, 0);
  g_string_append_len (t->body, (const char *) data, len);
  return TRUE;
}

static gboolean
on_end (MsrpContinuation continuation,
        gpointer         user_data)
{
  Trace *t = user_data;

  flush_body (t);
  g_string_append_printf (t->log, "E%d", continuation);
  return TRUE;
}

static gboolean
on_malformed (const char   *tid,
              const char   *method,
              const GError *error,
              gpointer      user_data)
{
  Trace *t = user_data;

  g_assert_nonnull (tid);
  flush_body (t);
  g_string_append_printf (t->log, "M[%s|%s|%d]", tid, method ? method : "", error_class (error));
  return TRUE;
}

static const MsrpChunkParserCallbacks callbacks = {
  on_head, on_body, on_end, on_malformed,
};

static char *
run (const guint8 *data,
     size_t        size,
     const guint8 *splits,
     size_t        n_splits,
     gboolean     *fatal)
{
  Trace t = { g_string_new (NULL), g_string_new (NULL) };
  g_autoptr(MsrpChunkParser) parser = _msrp_chunk_parser_new (&callbacks, &t);
  size_t pos = 0, k = 0;

  /* Small limits, so that short inputs reach them too. */
  _msrp_chunk_parser_set_limits (parser, 300, 1200, 12);
  *fatal = FALSE;
  while (pos < size)
    {
      size_t piece = size - pos;
      gsize consumed = 0;
      g_autoptr(GError) error = NULL;

      if (n_splits > 0)
        {
          size_t cut = (size_t) splits[k++ % n_splits] + 1;

          piece = MIN (piece, cut);
        }
      if (!_msrp_chunk_parser_feed (parser, data + pos, piece, &consumed, &error))
        {
          g_assert_nonnull (error);
          flush_body (&t);
          g_string_append_printf (t.log, "F%d", error_class (error));
          *fatal = TRUE;
          break;
        }
      g_assert_cmpuint (consumed, ==, piece);
      pos += piece;
    }
  flush_body (&t);
  if (!*fatal)
    g_string_append_printf (t.log, "I%d", _msrp_chunk_parser_is_idle (parser));
  g_string_free (t.body, TRUE);
  return g_string_free (t.log, FALSE);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *whole = NULL;
  g_autofree char *pieces = NULL;
  g_autofree char *bytes = NULL;
  gboolean fatal_whole, fatal_pieces, fatal_bytes;
  const guint8 *splits = data;
  size_t n_splits = MIN (size, 16);

  if (size > 1 << 20)
    return 0;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  whole = run (data, size, NULL, 0, &fatal_whole);
  pieces = run (data, size, splits, n_splits, &fatal_pieces);
  if (size < 4096)
    {
      static const guint8 one = 0;

      bytes = run (data, size, &one, 1, &fatal_bytes);
    }

  /* The cuts must not change what the parser sees. */
  if (strcmp (whole, pieces) != 0 && g_getenv ("FUZZ_DEBUG"))
    g_printerr ("whole:  %s\npieces: %s\n", whole, pieces);
  g_assert_cmpint (fatal_whole, ==, fatal_pieces);
  g_assert_true (strcmp (whole, pieces) == 0);
  if (bytes != NULL)
    {
      g_assert_cmpint (fatal_whole, ==, fatal_bytes);
      g_assert_true (strcmp (whole, bytes) == 0);
    }

  /* msrp_chunk_parse() on the first chunk, and the round trip. */
  {
    g_autoptr(GBytes) input = g_bytes_new_static (data, size);
    g_autoptr(GError) error = NULL;
    g_autoptr(MsrpChunk) chunk = NULL;
    gsize consumed = 0;

    chunk = msrp_chunk_parse (input, &consumed, &error);
    if (chunk != NULL)
      {
        g_autoptr(GBytes) encoded = msrp_chunk_encode (chunk);
        g_autoptr(MsrpChunk) again = NULL;
        g_autoptr(GBytes) encoded_again = NULL;
        gsize consumed_again = 0;

        g_assert_cmpuint (consumed, <=, size);
        again = msrp_chunk_parse (encoded, &consumed_again, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (consumed_again, ==, g_bytes_get_size (encoded));
        encoded_again = msrp_chunk_encode (again);
        g_assert_true (g_bytes_equal (encoded, encoded_again));
      }
    else
      g_assert_nonnull (error);
  }

  return 0;
}
