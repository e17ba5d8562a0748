/* msrp-chunk-encode.c: MsrpChunk as bytes: parsing one chunk, encoding
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-chunk.h"
#include "msrp-chunk-internal-private.h"
#include "msrp-error.h"
#include "msrp-utils-private.h"

/* msrp_chunk_parse() */

typedef struct {
  GBytes *input;
  const guint8 *input_data;
  gsize input_len;
  MsrpChunk *chunk;
  const guint8 *first_slice;
  gsize first_len;
  GByteArray *body;
  gboolean done;
  GError *error;
} ParseOne;

static gboolean
parse_one_head (const MsrpChunkHead *head,
                gpointer             user_data)
{
  ParseOne *ctx = user_data;

  ctx->chunk = _msrp_chunk_new_from_head (head);
  return TRUE;
}

static gboolean
parse_one_body (const guint8 *data,
                gsize         len,
                gpointer      user_data)
{
  ParseOne *ctx = user_data;
  gboolean in_input = data >= ctx->input_data && data + len <= ctx->input_data + ctx->input_len;

  if (ctx->body == NULL && ctx->first_slice == NULL && in_input)
    {
      ctx->first_slice = data;
      ctx->first_len = len;
      return TRUE;
    }
  if (ctx->body == NULL)
    {
      ctx->body = g_byte_array_new ();
      if (ctx->first_slice != NULL)
        g_byte_array_append (ctx->body, ctx->first_slice, ctx->first_len);
    }
  g_byte_array_append (ctx->body, data, len);
  return TRUE;
}

static gboolean
parse_one_end (MsrpContinuation continuation,
               gpointer         user_data)
{
  ParseOne *ctx = user_data;

  ctx->chunk->continuation = continuation;
  ctx->done = TRUE;
  return FALSE;
}

static gboolean
parse_one_malformed (const char   *tid,
                     const char   *method,
                     const GError *error,
                     gpointer      user_data)
{
  ParseOne *ctx = user_data;

  ctx->error = g_error_copy (error);
  return FALSE;
}

/**
 * msrp_chunk_parse:
 * @data: bytes that begin with a chunk
 * @consumed: (out) (optional): where to store the length of the chunk
 * @error: return location for a #GError
 *
 * Parses exactly one chunk from the start of @data; what follows it is left
 * alone, and @consumed tells where it begins. The body is found by its
 * end-line, as RFC 4975 says, not by Byte-Range; when it lies in one piece
 * in @data it shares @data's memory.
 *
 * The headers are not checked beyond their syntax: see
 * [method@Msrp.Chunk.verify_headers].
 *
 * Returns: (transfer full): the chunk, or %NULL with @error set in the
 *   %MSRP_ERROR domain (%MSRP_ERROR_INCOMPLETE_CHUNK when @data ends before
 *   the end-line)
 *
 * Since: 1.0
 */
MsrpChunk *
msrp_chunk_parse (GBytes  *data,
                  gsize   *consumed,
                  GError **error)
{
  static const MsrpChunkParserCallbacks callbacks = {
    .head = parse_one_head,
    .body = parse_one_body,
    .end = parse_one_end,
    .malformed = parse_one_malformed,
  };
  ParseOne ctx = { 0, };
  g_autoptr(MsrpChunkParser) parser = NULL;
  gsize used = 0;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ctx.input = data;
  ctx.input_data = g_bytes_get_data (data, &ctx.input_len);
  parser = _msrp_chunk_parser_new (&callbacks, &ctx);

  if (!_msrp_chunk_parser_feed (parser, ctx.input_data, ctx.input_len, &used, &ctx.error) ||
      ctx.error != NULL || !ctx.done)
    {
      if (ctx.error == NULL)
        g_set_error_literal (&ctx.error, MSRP_ERROR, MSRP_ERROR_INCOMPLETE_CHUNK,
                             _("The data ends before the MSRP chunk’s end-line"));
      g_clear_object (&ctx.chunk);
      if (ctx.body != NULL)
        g_byte_array_unref (ctx.body);
      g_propagate_error (error, ctx.error);
      return NULL;
    }

  if (ctx.chunk->data != NULL)
    {
      g_bytes_unref (ctx.chunk->data);
      if (ctx.body != NULL)
        ctx.chunk->data = g_byte_array_free_to_bytes (ctx.body);
      else if (ctx.first_slice != NULL)
        ctx.chunk->data = g_bytes_new_from_bytes (data, ctx.first_slice - ctx.input_data, ctx.first_len);
      else
        ctx.chunk->data = g_bytes_new_static ("", 0);
    }
  else if (ctx.body != NULL)
    g_byte_array_unref (ctx.body);

  if (consumed != NULL)
    *consumed = used;
  return ctx.chunk;
}

/* Encoding */

/* g_string_append() with a known length, without its generic insert: the
 * head of every chunk written is made here. */
static inline void
put (GString    *out,
     const char *s,
     gsize       len)
{
  gsize old = out->len;

  if (old + len >= out->allocated_len)
    {
      g_string_set_size (out, old + len);
      out->len = old;
    }
  memcpy (out->str + old, s, len);
  out->len = old + len;
  out->str[out->len] = '\0';
}

void
_msrp_chunk_encode_head (MsrpChunk *chunk,
                         GString   *out)
{
  put (out, "MSRP ", 5);
  put (out, chunk->transaction_id, strlen (chunk->transaction_id));
  put (out, " ", 1);
  if (chunk->method != NULL)
    put (out, chunk->method, strlen (chunk->method));
  else
    {
      char code[3] = { '0' + chunk->code / 100, '0' + chunk->code / 10 % 10, '0' + chunk->code % 10 };

      put (out, code, 3);
      if (chunk->comment != NULL && *chunk->comment != '\0')
        {
          put (out, " ", 1);
          put (out, chunk->comment, strlen (chunk->comment));
        }
    }
  put (out, "\r\n", 2);

  for (guint i = 0; i < chunk->headers->len; i++)
    {
      const MsrpHeader *h = &g_array_index (chunk->headers, MsrpHeader, i);

      put (out, h->name, h->id != MSRP_HEADER_OTHER ? _msrp_chunk_known_headers[h->id].len : strlen (h->name));
      put (out, ": ", 2);
      put (out, h->value, strlen (h->value));
      put (out, "\r\n", 2);
    }

  if (chunk->data != NULL)
    put (out, "\r\n", 2);
}

void
_msrp_chunk_encode_end (MsrpChunk *chunk,
                        GString   *out)
{
  if (chunk->data != NULL)
    put (out, "\r\n", 2);
  put (out, "-------", 7);
  put (out, chunk->transaction_id, strlen (chunk->transaction_id));
  put (out, &"$+#"[chunk->continuation], 1);
  put (out, "\r\n", 2);
}

/**
 * msrp_chunk_encode:
 * @chunk: a #MsrpChunk
 *
 * Writes the chunk as it goes on the wire: the start line, To-Path,
 * From-Path, the other headers in order with Content-Type last, and, when
 * the chunk has data (even empty data), a blank line and the body, then
 * the end-line with the continuation flag.
 *
 * The body must not contain the chunk's own end-line; random transaction
 * ids make that practically impossible.
 *
 * Returns: (transfer full): the encoded chunk
 *
 * Since: 1.0
 */
GBytes *
msrp_chunk_encode (MsrpChunk *chunk)
{
  GString *out;
  gsize size;

  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);

  size = chunk->data ? g_bytes_get_size (chunk->data) : 0;
  out = g_string_sized_new (256 + size);
  _msrp_chunk_encode_head (chunk, out);
  if (size > 0)
    g_string_append_len (out, g_bytes_get_data (chunk->data, NULL), size);
  _msrp_chunk_encode_end (chunk, out);

  return g_string_free_to_bytes (out);
}
