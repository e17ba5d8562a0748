/* msrp-chunk.c: MSRP requests and responses
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-chunk.h"
#include "msrp-chunk-private.h"
#include "msrp-error.h"
#include "msrp-uri.h"
#include "msrp-utils-private.h"

/**
 * MsrpChunk:
 *
 * One MSRP chunk: a request (SEND, REPORT, AUTH, NICKNAME, ...) or a
 * response, with its headers, its body and its continuation flag.
 *
 * Headers are kept in wire order: To-Path first, From-Path second, then the
 * others in the order they were received or added, the Content-* headers
 * last and Content-Type the very last. Known headers are spelled the
 * canonical way (`Message-ID`, `Byte-Range`, ...); extension headers are
 * kept as they came, in order. Typed accessors such as
 * [method@Msrp.Chunk.get_byte_range] read and write the common headers;
 * [method@Msrp.Chunk.get_header] and [method@Msrp.Chunk.set_header] reach
 * every header by name.
 *
 * [func@Msrp.Chunk.parse] reads a chunk from bytes and
 * [method@Msrp.Chunk.encode] writes one; a chunk's body is a [struct@GLib.Bytes]
 * shared, not copied.
 *
 * Since: 1.0
 */

typedef enum {
  H_OTHER,
  H_TO_PATH,
  H_FROM_PATH,
  H_MESSAGE_ID,
  H_SUCCESS_REPORT,
  H_FAILURE_REPORT,
  H_BYTE_RANGE,
  H_STATUS,
  H_EXPIRES,
  H_MIN_EXPIRES,
  H_MAX_EXPIRES,
  H_USE_PATH,
  H_WWW_AUTHENTICATE,
  H_AUTHORIZATION,
  H_AUTHENTICATION_INFO,
  H_CONTENT_TYPE,
  H_CONTENT_ID,
  H_CONTENT_DESCRIPTION,
  H_CONTENT_DISPOSITION,
  H_USE_NICKNAME,
  N_HEADER_IDS
} HeaderId;

static const struct {
  const char *name;
  guint8 len;
} known_headers[N_HEADER_IDS] = {
#define K(s) { s, sizeof s - 1 }
  [H_OTHER] = { NULL, 0 },
  [H_TO_PATH] = K ("To-Path"),
  [H_FROM_PATH] = K ("From-Path"),
  [H_MESSAGE_ID] = K ("Message-ID"),
  [H_SUCCESS_REPORT] = K ("Success-Report"),
  [H_FAILURE_REPORT] = K ("Failure-Report"),
  [H_BYTE_RANGE] = K ("Byte-Range"),
  [H_STATUS] = K ("Status"),
  [H_EXPIRES] = K ("Expires"),
  [H_MIN_EXPIRES] = K ("Min-Expires"),
  [H_MAX_EXPIRES] = K ("Max-Expires"),
  [H_USE_PATH] = K ("Use-Path"),
  [H_WWW_AUTHENTICATE] = K ("WWW-Authenticate"),
  [H_AUTHORIZATION] = K ("Authorization"),
  [H_AUTHENTICATION_INFO] = K ("Authentication-Info"),
  [H_CONTENT_TYPE] = K ("Content-Type"),
  [H_CONTENT_ID] = K ("Content-ID"),
  [H_CONTENT_DESCRIPTION] = K ("Content-Description"),
  [H_CONTENT_DISPOSITION] = K ("Content-Disposition"),
  [H_USE_NICKNAME] = K ("Use-Nickname"),
#undef K
};

typedef struct {
  char *name;      /* static for known headers */
  char *value;
  guint8 id;
  guint8 rank;
} Header;

struct _MsrpChunk
{
  GObject parent_instance;

  char *method;
  char *transaction_id;
  guint code;
  char *comment;
  MsrpContinuation continuation;
  GBytes *data;
  GArray *headers;          /* of Header, in wire order */
  GPtrArray *path_cache[3]; /* parsed To-Path, From-Path, Use-Path */
  guint segment;
  gboolean last_segment;
};

enum {
  PROP_0,
  PROP_METHOD,
  PROP_TRANSACTION_ID,
  PROP_CODE,
  PROP_COMMENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (MsrpChunk, msrp_chunk, G_TYPE_OBJECT)

static HeaderId
lookup_header (const char *name,
               gsize       len)
{
  char first;

  if (len == 0)
    return H_OTHER;
  first = g_ascii_tolower (name[0]);
  for (guint id = 1; id < N_HEADER_IDS; id++)
    if (known_headers[id].len == len &&
        g_ascii_tolower (known_headers[id].name[0]) == first &&
        (memcmp (known_headers[id].name, name, len) == 0 ||
         g_ascii_strncasecmp (known_headers[id].name, name, len) == 0))
      return id;
  return H_OTHER;
}

/* To-Path first, From-Path second, Content-* at the end, Content-Type last. */
static guint8
header_rank (HeaderId    id,
             const char *name)
{
  switch (id)
    {
    case H_TO_PATH:
      return 0;
    case H_FROM_PATH:
      return 1;
    case H_CONTENT_TYPE:
      return 4;
    case H_CONTENT_ID:
    case H_CONTENT_DESCRIPTION:
    case H_CONTENT_DISPOSITION:
      return 3;
    default:
      return g_ascii_strncasecmp (name, "Content-", 8) == 0 ? 3 : 2;
    }
}

static void
header_clear (gpointer data)
{
  Header *h = data;

  if (h->id == H_OTHER)
    g_free (h->name);
  g_free (h->value);
}

static int
path_cache_index (HeaderId id)
{
  switch (id)
    {
    case H_TO_PATH:
      return 0;
    case H_FROM_PATH:
      return 1;
    case H_USE_PATH:
      return 2;
    default:
      return -1;
    }
}

static void
invalidate (MsrpChunk *chunk,
            HeaderId   id)
{
  int i = path_cache_index (id);

  if (i >= 0)
    g_clear_pointer (&chunk->path_cache[i], g_ptr_array_unref);
}

/* Inserts after the last header of the same or a lower rank. */
static void
insert_header (MsrpChunk *chunk,
               HeaderId   id,
               char      *name,
               char      *value)
{
  Header h = { name, value, id, header_rank (id, name) };
  guint pos = chunk->headers->len;

  while (pos > 0 && g_array_index (chunk->headers, Header, pos - 1).rank > h.rank)
    pos--;
  if (pos == chunk->headers->len)
    g_array_append_val (chunk->headers, h);
  else
    g_array_insert_val (chunk->headers, pos, h);
  invalidate (chunk, id);
}

static Header *
find_header (MsrpChunk  *chunk,
             HeaderId    id,
             const char *name)
{
  for (guint i = 0; i < chunk->headers->len; i++)
    {
      Header *h = &g_array_index (chunk->headers, Header, i);

      if (id != H_OTHER ? h->id == id : (h->id == H_OTHER && g_ascii_strcasecmp (h->name, name) == 0))
        return h;
    }
  return NULL;
}

static const char *
get_by_id (MsrpChunk *chunk,
           HeaderId   id)
{
  Header *h = find_header (chunk, id, NULL);

  return h ? h->value : NULL;
}

static gboolean
remove_all (MsrpChunk  *chunk,
            HeaderId    id,
            const char *name)
{
  gboolean removed = FALSE;

  for (guint i = chunk->headers->len; i > 0; i--)
    {
      Header *h = &g_array_index (chunk->headers, Header, i - 1);

      if (id != H_OTHER ? h->id == id : (h->id == H_OTHER && g_ascii_strcasecmp (h->name, name) == 0))
        {
          g_array_remove_index (chunk->headers, i - 1);
          removed = TRUE;
        }
    }
  invalidate (chunk, id);
  return removed;
}

/* Replaces the first header of that name, drops any others, or adds it. */
static void
set_by_id (MsrpChunk  *chunk,
           HeaderId    id,
           const char *name,
           const char *value)
{
  Header *h;

  if (value == NULL)
    {
      remove_all (chunk, id, name);
      return;
    }

  h = find_header (chunk, id, name);
  if (h != NULL)
    {
      char *copy = g_strdup (value);
      guint first = h - (Header *) (gpointer) chunk->headers->data;

      g_free (h->value);
      h->value = copy;
      for (guint i = chunk->headers->len; i > first + 1; i--)
        {
          Header *o = &g_array_index (chunk->headers, Header, i - 1);

          if (id != H_OTHER ? o->id == id : (o->id == H_OTHER && g_ascii_strcasecmp (o->name, name) == 0))
            g_array_remove_index (chunk->headers, i - 1);
        }
      invalidate (chunk, id);
      return;
    }

  insert_header (chunk, id,
                 id != H_OTHER ? (char *) known_headers[id].name : g_strdup (name),
                 g_strdup (value));
}

static void
msrp_chunk_finalize (GObject *object)
{
  MsrpChunk *self = MSRP_CHUNK (object);

  g_free (self->method);
  g_free (self->transaction_id);
  g_free (self->comment);
  g_clear_pointer (&self->data, g_bytes_unref);
  g_array_unref (self->headers);
  for (guint i = 0; i < G_N_ELEMENTS (self->path_cache); i++)
    g_clear_pointer (&self->path_cache[i], g_ptr_array_unref);

  G_OBJECT_CLASS (msrp_chunk_parent_class)->finalize (object);
}

static void
msrp_chunk_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  MsrpChunk *self = MSRP_CHUNK (object);

  switch (prop_id)
    {
    case PROP_METHOD:
      g_value_set_string (value, self->method);
      break;
    case PROP_TRANSACTION_ID:
      g_value_set_string (value, self->transaction_id);
      break;
    case PROP_CODE:
      g_value_set_uint (value, self->code);
      break;
    case PROP_COMMENT:
      g_value_set_string (value, self->comment);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
is_method (const char *method)
{
  if (*method == '\0')
    return FALSE;
  for (const char *p = method; *p; p++)
    if (!g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* Set while the library makes a chunk whose fields it fills in itself:
 * constructed() then leaves them alone. */
static GPrivate filling_in;

/* A chunk without method, transaction id or code yet: the caller sets
 * the fields (the hot path of every chunk read or made). The properties
 * are read-only, so that GObject sets none at construction. */
static MsrpChunk *
chunk_new_empty (void)
{
  MsrpChunk *chunk;

  g_private_set (&filling_in, GINT_TO_POINTER (1));
  chunk = g_object_new (MSRP_TYPE_CHUNK, NULL);
  g_private_set (&filling_in, NULL);
  return chunk;
}

static void
msrp_chunk_constructed (GObject *object)
{
  MsrpChunk *self = MSRP_CHUNK (object);

  G_OBJECT_CLASS (msrp_chunk_parent_class)->constructed (object);

  if (g_private_get (&filling_in) != NULL)
    return;

  /* Made by g_object_new(), as a binding's default constructor does: a
   * SEND with a new transaction id. */
  self->method = g_strdup ("SEND");
  self->transaction_id = _msrp_random_ident (MSRP_RANDOM_NONCE, MSRP_RANDOM_ID_LENGTH);
}

static void
msrp_chunk_class_init (MsrpChunkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = msrp_chunk_finalize;
  object_class->get_property = msrp_chunk_get_property;
  object_class->constructed = msrp_chunk_constructed;

  /**
   * MsrpChunk:method:
   *
   * The method of a request ("SEND", "REPORT", "AUTH", ...), or %NULL for
   * a response. Chunks are made with [ctor@Msrp.Chunk.new_request],
   * [ctor@Msrp.Chunk.new_response] or parsed; one made with g_object_new()
   * is a SEND with a new transaction id.
   *
   * Since: 1.0
   */
  properties[PROP_METHOD] =
    g_param_spec_string ("method", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpChunk:transaction-id:
   *
   * The transaction id.
   *
   * Since: 1.0
   */
  properties[PROP_TRANSACTION_ID] =
    g_param_spec_string ("transaction-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpChunk:code:
   *
   * The status code of a response, or 0 for a request.
   *
   * Since: 1.0
   */
  properties[PROP_CODE] =
    g_param_spec_uint ("code", NULL, NULL, 0, 999, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpChunk:comment:
   *
   * The comment after a response's status code, or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_COMMENT] =
    g_param_spec_string ("comment", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
msrp_chunk_init (MsrpChunk *self)
{
  self->headers = g_array_sized_new (FALSE, FALSE, sizeof (Header), 8);
  g_array_set_clear_func (self->headers, header_clear);
  self->continuation = MSRP_CONTINUATION_END;
}

/**
 * msrp_chunk_new_request:
 * @method: the method, such as "SEND" or "REPORT" (upper-case letters)
 * @transaction_id: (nullable): the transaction id, or %NULL for a new
 *   random one
 *
 * Makes a request without headers or body.
 *
 * Returns: (transfer full): a new request
 *
 * Since: 1.0
 */
MsrpChunk *
msrp_chunk_new_request (const char *method,
                        const char *transaction_id)
{
  MsrpChunk *chunk;

  g_return_val_if_fail (method != NULL && is_method (method), NULL);
  g_return_val_if_fail (transaction_id == NULL || _msrp_is_ident (transaction_id, -1), NULL);

  chunk = chunk_new_empty ();
  chunk->method = g_strdup (method);
  chunk->transaction_id = transaction_id ? g_strdup (transaction_id)
                                         : _msrp_random_ident (MSRP_RANDOM_NONCE, MSRP_RANDOM_ID_LENGTH);
  return chunk;
}

/**
 * msrp_chunk_new_response:
 * @transaction_id: the transaction id of the request being answered
 * @code: the status code, from 100 to 999 (see [enum@Msrp.Status])
 * @comment: (nullable): the comment, or %NULL for the usual one of @code
 *   ([func@Msrp.Status.get_reason]; none for an unknown code)
 *
 * Makes a response. Fill in its To-Path (the previous hop: the first URI
 * of the request's From-Path) and its From-Path (your own URI).
 *
 * Returns: (transfer full): a new response
 *
 * Since: 1.0
 */
MsrpChunk *
msrp_chunk_new_response (const char *transaction_id,
                         guint       code,
                         const char *comment)
{
  MsrpChunk *chunk;

  g_return_val_if_fail (transaction_id != NULL && _msrp_is_ident (transaction_id, -1), NULL);
  g_return_val_if_fail (code >= 100 && code <= 999, NULL);
  g_return_val_if_fail (comment == NULL || _msrp_is_header_value (comment), NULL);

  if (comment == NULL)
    comment = msrp_status_get_reason (code);

  chunk = chunk_new_empty ();
  chunk->transaction_id = g_strdup (transaction_id);
  chunk->code = code;
  chunk->comment = g_strdup (comment);
  return chunk;
}

MsrpChunk *
_msrp_chunk_new_from_head (const MsrpChunkHead *head)
{
  MsrpChunk *chunk = chunk_new_empty ();

  /* The parser checked the start line as constructed() would. */
  chunk->transaction_id = g_strndup (head->tid, head->tid_len);
  if (head->code != 0)
    {
      chunk->code = head->code;
      chunk->comment = head->comment ? g_strndup (head->comment, head->comment_len) : NULL;
    }
  else
    chunk->method = g_strndup (head->method, head->method_len);

  for (guint i = 0; i < head->n_headers; i++)
    {
      const MsrpParserHeader *ph = &head->headers[i];
      const char *name = head->base + ph->name_off;
      HeaderId id = lookup_header (name, ph->name_len);

      insert_header (chunk, id,
                     id != H_OTHER ? (char *) known_headers[id].name : g_strndup (name, ph->name_len),
                     g_strndup (head->base + ph->value_off, ph->value_len));
    }

  if (head->has_body)
    chunk->data = g_bytes_new_static ("", 0);

  return chunk;
}

void
_msrp_chunk_set_segment (MsrpChunk *chunk,
                         guint      segment)
{
  chunk->segment = segment;
}

void
_msrp_chunk_set_last_segment (MsrpChunk *chunk,
                              gboolean   last)
{
  chunk->last_segment = last;
}

gboolean
_msrp_chunk_is_last_segment (MsrpChunk *chunk)
{
  return chunk->last_segment;
}

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
      const Header *h = &g_array_index (chunk->headers, Header, i);

      put (out, h->name, h->id != H_OTHER ? known_headers[h->id].len : strlen (h->name));
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

/**
 * msrp_chunk_copy:
 * @chunk: a #MsrpChunk
 *
 * Copies the chunk: start line, headers, continuation flag, segment number
 * and body (the body's [struct@GLib.Bytes] is shared, being immutable).
 *
 * Returns: (transfer full): the copy
 *
 * Since: 1.0
 */
MsrpChunk *
msrp_chunk_copy (MsrpChunk *chunk)
{
  MsrpChunk *copy;

  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);

  copy = chunk_new_empty ();
  copy->transaction_id = g_strdup (chunk->transaction_id);
  copy->method = g_strdup (chunk->method);
  copy->code = chunk->code;
  copy->comment = g_strdup (chunk->comment);
  copy->continuation = chunk->continuation;
  copy->segment = chunk->segment;
  copy->last_segment = chunk->last_segment;
  if (chunk->data != NULL)
    copy->data = g_bytes_ref (chunk->data);
  for (guint i = 0; i < chunk->headers->len; i++)
    {
      const Header *h = &g_array_index (chunk->headers, Header, i);
      Header c = { h->id != H_OTHER ? h->name : g_strdup (h->name), g_strdup (h->value), h->id, h->rank };

      g_array_append_val (copy->headers, c);
    }

  return copy;
}

/* Accessors */

/**
 * msrp_chunk_get_method:
 * @chunk: a #MsrpChunk
 *
 * Gets the method of a request.
 *
 * Returns: (nullable): the method of a request, or %NULL for a response
 *
 * Since: 1.0
 */
const char *
msrp_chunk_get_method (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);
  return chunk->method;
}

/**
 * msrp_chunk_get_transaction_id:
 * @chunk: a #MsrpChunk
 *
 * Gets the transaction id that the start line and the end-line carry.
 *
 * Returns: the transaction id
 *
 * Since: 1.0
 */
const char *
msrp_chunk_get_transaction_id (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);
  return chunk->transaction_id;
}

/**
 * msrp_chunk_get_code:
 * @chunk: a #MsrpChunk
 *
 * Gets the status code of a response.
 *
 * Returns: the status code of a response, or 0 for a request
 *
 * Since: 1.0
 */
guint
msrp_chunk_get_code (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), 0);
  return chunk->code;
}

/**
 * msrp_chunk_get_comment:
 * @chunk: a #MsrpChunk
 *
 * Gets the comment that follows the status code of a response.
 *
 * Returns: (nullable): the comment after a response's status code, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_chunk_get_comment (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);
  return chunk->comment;
}

/**
 * msrp_chunk_is_request:
 * @chunk: a #MsrpChunk
 *
 * Tells a request from a response.
 *
 * Returns: %TRUE for a request, %FALSE for a response
 *
 * Since: 1.0
 */
gboolean
msrp_chunk_is_request (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), FALSE);
  return chunk->method != NULL;
}

/**
 * msrp_chunk_get_continuation:
 * @chunk: a #MsrpChunk
 *
 * Gets the continuation flag of the chunk's end-line.
 *
 * Returns: the continuation flag of the end-line
 *
 * Since: 1.0
 */
MsrpContinuation
msrp_chunk_get_continuation (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), MSRP_CONTINUATION_END);
  return chunk->continuation;
}

/**
 * msrp_chunk_set_continuation:
 * @chunk: a #MsrpChunk
 * @continuation: the continuation flag
 *
 * Sets the continuation flag of the end-line: `$` for the last chunk of a
 * message, `+` when more follow, `#` to abort the message.
 *
 * Since: 1.0
 */
void
msrp_chunk_set_continuation (MsrpChunk        *chunk,
                             MsrpContinuation  continuation)
{
  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  g_return_if_fail (continuation <= MSRP_CONTINUATION_ABORT);
  chunk->continuation = continuation;
}

/**
 * msrp_chunk_get_data:
 * @chunk: a #MsrpChunk
 *
 * Gets the body of the chunk.
 *
 * Returns: (nullable) (transfer none): the body, or %NULL when the chunk
 *   has none (which is not the same as an empty body)
 *
 * Since: 1.0
 */
GBytes *
msrp_chunk_get_data (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);
  return chunk->data;
}

/**
 * msrp_chunk_set_data:
 * @chunk: a #MsrpChunk
 * @data: (nullable): the body, or %NULL for none
 *
 * Sets the body. A chunk with data, even empty data, is written with a
 * blank line and a body section; set a Content-Type too.
 *
 * Since: 1.0
 */
void
msrp_chunk_set_data (MsrpChunk *chunk,
                     GBytes    *data)
{
  g_return_if_fail (MSRP_IS_CHUNK (chunk));

  if (data != NULL)
    g_bytes_ref (data);
  g_clear_pointer (&chunk->data, g_bytes_unref);
  chunk->data = data;
}

/**
 * msrp_chunk_get_size:
 * @chunk: a #MsrpChunk
 *
 * Gets the size of the chunk's body.
 *
 * Returns: the size of the body in bytes (0 without one)
 *
 * Since: 1.0
 */
gsize
msrp_chunk_get_size (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), 0);
  return chunk->data ? g_bytes_get_size (chunk->data) : 0;
}

/**
 * msrp_chunk_get_segment:
 * @chunk: a #MsrpChunk
 *
 * A transport that reads long bodies in parts of a bounded size hands them
 * out as "virtual" chunks numbered 1, 2, ..., each with the Byte-Range of
 * its part.
 *
 * Returns: the number of this part, or 0 for a whole chunk
 *
 * Since: 1.0
 */
guint
msrp_chunk_get_segment (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), 0);
  return chunk->segment;
}

static gboolean
check_header_name (const char *name)
{
  return name != NULL && _msrp_is_token (name, -1);
}

/**
 * msrp_chunk_get_header:
 * @chunk: a #MsrpChunk
 * @name: a header name (case-insensitive)
 *
 * Looks up a header by name.
 *
 * Returns: (nullable): the value of the first header of that name, or
 *   %NULL
 *
 * Since: 1.0
 */
const char *
msrp_chunk_get_header (MsrpChunk  *chunk,
                       const char *name)
{
  Header *h;

  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  h = find_header (chunk, lookup_header (name, strlen (name)), name);
  return h ? h->value : NULL;
}

/**
 * msrp_chunk_set_header:
 * @chunk: a #MsrpChunk
 * @name: a header name: letters, digits and `-` (RFC 4975 token)
 * @value: (nullable): the value, or %NULL to remove the header
 *
 * Sets a header, replacing every header of that name. A new header takes
 * its place in wire order (see [class@Msrp.Chunk]). The value must be UTF-8
 * without control characters other than tab.
 *
 * Since: 1.0
 */
void
msrp_chunk_set_header (MsrpChunk  *chunk,
                       const char *name,
                       const char *value)
{
  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  g_return_if_fail (check_header_name (name));
  g_return_if_fail (value == NULL || _msrp_is_header_value (value));

  set_by_id (chunk, lookup_header (name, strlen (name)), name, value);
}

/**
 * msrp_chunk_add_header:
 * @chunk: a #MsrpChunk
 * @name: a header name: letters, digits and `-` (RFC 4975 token)
 * @value: the value
 *
 * Adds a header after those of the same kind, even when one of that name
 * is there already (for extension headers that may repeat).
 *
 * Since: 1.0
 */
void
msrp_chunk_add_header (MsrpChunk  *chunk,
                       const char *name,
                       const char *value)
{
  HeaderId id;

  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  g_return_if_fail (check_header_name (name));
  g_return_if_fail (value != NULL && _msrp_is_header_value (value));

  id = lookup_header (name, strlen (name));
  insert_header (chunk, id,
                 id != H_OTHER ? (char *) known_headers[id].name : g_strdup (name),
                 g_strdup (value));
}

/**
 * msrp_chunk_remove_header:
 * @chunk: a #MsrpChunk
 * @name: a header name (case-insensitive)
 *
 * Removes every header of that name.
 *
 * Returns: %TRUE when a header was removed
 *
 * Since: 1.0
 */
gboolean
msrp_chunk_remove_header (MsrpChunk  *chunk,
                          const char *name)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return remove_all (chunk, lookup_header (name, strlen (name)), name);
}

/**
 * msrp_chunk_get_header_names:
 * @chunk: a #MsrpChunk
 *
 * Lists the chunk's headers.
 *
 * Returns: (transfer full): the header names in wire order, known headers
 *   in their canonical spelling; a repeated header appears each time
 *
 * Since: 1.0
 */
char **
msrp_chunk_get_header_names (MsrpChunk *chunk)
{
  char **names;

  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);

  names = g_new (char *, chunk->headers->len + 1);
  for (guint i = 0; i < chunk->headers->len; i++)
    names[i] = g_strdup (g_array_index (chunk->headers, Header, i).name);
  names[chunk->headers->len] = NULL;
  return names;
}

/* Paths */

static GPtrArray *
get_path (MsrpChunk *chunk,
          HeaderId   id)
{
  int i = path_cache_index (id);
  const char *value;

  if (chunk->path_cache[i] == NULL && (value = get_by_id (chunk, id)) != NULL)
    chunk->path_cache[i] = msrp_path_parse (value, NULL);
  return chunk->path_cache[i];
}

static void
set_path (MsrpChunk *chunk,
          HeaderId   id,
          GPtrArray *path)
{
  g_autofree char *value = NULL;
  GPtrArray *copy;

  if (path == NULL || path->len == 0)
    {
      remove_all (chunk, id, NULL);
      return;
    }

  value = msrp_path_to_string (path);
  set_by_id (chunk, id, NULL, value);
  copy = g_ptr_array_new_full (path->len, g_object_unref);
  for (guint i = 0; i < path->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (path, i)));
  chunk->path_cache[path_cache_index (id)] = copy;
}

/**
 * msrp_chunk_get_to_path:
 * @chunk: a #MsrpChunk
 *
 * Gets the To-Path header: the hops still ahead, the destination last.
 *
 * Returns: (transfer none) (nullable) (element-type Msrp.Uri): the
 *   To-Path, or %NULL when it is missing or invalid; it stays valid until
 *   the header changes
 *
 * Since: 1.0
 */
void
_msrp_path_memo_clear (MsrpPathMemo *memo)
{
  g_clear_pointer (&memo->value, g_free);
  g_clear_pointer (&memo->path, g_ptr_array_unref);
}

/* get_path(), but a value equal to the memo's shares its parse. */
static void
parse_path_memo (MsrpChunk    *chunk,
                 HeaderId      id,
                 MsrpPathMemo *memo)
{
  int i = path_cache_index (id);
  const char *value;

  if (chunk->path_cache[i] != NULL || (value = get_by_id (chunk, id)) == NULL)
    return;
  if (memo->value == NULL || strcmp (memo->value, value) != 0)
    {
      GPtrArray *path = msrp_path_parse (value, NULL);

      if (path == NULL)
        return;
      _msrp_path_memo_clear (memo);
      memo->value = g_strdup (value);
      memo->path = path;
    }
  chunk->path_cache[i] = g_ptr_array_ref (memo->path);
}

void
_msrp_chunk_parse_paths (MsrpChunk    *chunk,
                         MsrpPathMemo  memos[2])
{
  parse_path_memo (chunk, H_TO_PATH, &memos[0]);
  parse_path_memo (chunk, H_FROM_PATH, &memos[1]);
}

void
_msrp_chunk_set_path_encoded (MsrpChunk  *chunk,
                              gboolean    from,
                              const char *value,
                              GPtrArray  *path)
{
  HeaderId id = from ? H_FROM_PATH : H_TO_PATH;

  set_by_id (chunk, id, NULL, value);
  chunk->path_cache[path_cache_index (id)] = g_ptr_array_ref (path);
}

GPtrArray *
msrp_chunk_get_to_path (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);
  return get_path (chunk, H_TO_PATH);
}

/**
 * msrp_chunk_set_to_path:
 * @chunk: a #MsrpChunk
 * @path: (nullable) (element-type Msrp.Uri): the path, or %NULL to remove
 *   the header
 *
 * Sets the To-Path: the hops still ahead, the destination last.
 *
 * Since: 1.0
 */
void
msrp_chunk_set_to_path (MsrpChunk *chunk,
                        GPtrArray *path)
{
  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  set_path (chunk, H_TO_PATH, path);
}

/**
 * msrp_chunk_get_from_path:
 * @chunk: a #MsrpChunk
 *
 * Gets the From-Path header: the previous hop first, the sender last.
 *
 * Returns: (transfer none) (nullable) (element-type Msrp.Uri): the
 *   From-Path, or %NULL when it is missing or invalid; it stays valid until
 *   the header changes
 *
 * Since: 1.0
 */
GPtrArray *
msrp_chunk_get_from_path (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);
  return get_path (chunk, H_FROM_PATH);
}

/**
 * msrp_chunk_set_from_path:
 * @chunk: a #MsrpChunk
 * @path: (nullable) (element-type Msrp.Uri): the path, or %NULL to remove
 *   the header
 *
 * Sets the From-Path: the previous hop first, the sender last.
 *
 * Since: 1.0
 */
void
msrp_chunk_set_from_path (MsrpChunk *chunk,
                          GPtrArray *path)
{
  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  set_path (chunk, H_FROM_PATH, path);
}

/**
 * msrp_chunk_get_use_path:
 * @chunk: a #MsrpChunk
 *
 * Gets the Use-Path header of a relay's answer to AUTH (RFC 4976).
 *
 * Returns: (transfer none) (nullable) (element-type Msrp.Uri): the
 *   Use-Path a relay sent in its 200 to AUTH, or %NULL
 *
 * Since: 1.0
 */
GPtrArray *
msrp_chunk_get_use_path (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);
  return get_path (chunk, H_USE_PATH);
}

/**
 * msrp_chunk_set_use_path:
 * @chunk: a #MsrpChunk
 * @path: (nullable) (element-type Msrp.Uri): the path, or %NULL to remove
 *   the header
 *
 * Sets the Use-Path header (RFC 4976).
 *
 * Since: 1.0
 */
void
msrp_chunk_set_use_path (MsrpChunk *chunk,
                         GPtrArray *path)
{
  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  set_path (chunk, H_USE_PATH, path);
}

/* Plain string headers */

#define STRING_HEADER(fn, ID, what)                                             \
const char *                                                                    \
msrp_chunk_get_##fn (MsrpChunk *chunk)                                          \
{                                                                               \
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);                           \
  return get_by_id (chunk, ID);                                                 \
}                                                                               \
void                                                                            \
msrp_chunk_set_##fn (MsrpChunk  *chunk,                                         \
                     const char *what)                                          \
{                                                                               \
  g_return_if_fail (MSRP_IS_CHUNK (chunk));                                     \
  g_return_if_fail (what == NULL || _msrp_is_header_value (what));               \
  set_by_id (chunk, ID, NULL, what);                                            \
}

/**
 * msrp_chunk_get_message_id:
 * @chunk: a #MsrpChunk
 *
 * Gets the Message-ID header, which the chunks of a message and its REPORTs share.
 *
 * Returns: (nullable): the Message-ID, or %NULL
 *
 * Since: 1.0
 */
/**
 * msrp_chunk_set_message_id:
 * @chunk: a #MsrpChunk
 * @message_id: (nullable): the Message-ID, or %NULL to remove it
 *
 * Sets the Message-ID: every chunk of a message and its REPORTs carry the
 * same one.
 *
 * Since: 1.0
 */
STRING_HEADER (message_id, H_MESSAGE_ID, message_id)

/**
 * msrp_chunk_get_content_type:
 * @chunk: a #MsrpChunk
 *
 * Gets the Content-Type header: the MIME type of the body.
 *
 * Returns: (nullable): the Content-Type, or %NULL
 *
 * Since: 1.0
 */
/**
 * msrp_chunk_set_content_type:
 * @chunk: a #MsrpChunk
 * @content_type: (nullable): a MIME type such as "text/plain", or %NULL to
 *   remove the header
 *
 * Sets the Content-Type, which goes last among the headers.
 *
 * Since: 1.0
 */
STRING_HEADER (content_type, H_CONTENT_TYPE, content_type)

/**
 * msrp_chunk_get_www_authenticate:
 * @chunk: a #MsrpChunk
 *
 * Gets the WWW-Authenticate header of a relay's 401 (RFC 4976).
 *
 * Returns: (nullable): the WWW-Authenticate header of a 401 from a relay,
 *   or %NULL; [method@Msrp.Chunk.get_auth_params] splits it up
 *
 * Since: 1.0
 */
/**
 * msrp_chunk_set_www_authenticate:
 * @chunk: a #MsrpChunk
 * @value: (nullable): a challenge such as `Digest realm="example.com",
 *   nonce="..."`, or %NULL to remove the header
 *
 * Sets the WWW-Authenticate header (RFC 4976).
 *
 * Since: 1.0
 */
STRING_HEADER (www_authenticate, H_WWW_AUTHENTICATE, value)

/**
 * msrp_chunk_get_authorization:
 * @chunk: a #MsrpChunk
 *
 * Gets the Authorization header of an AUTH request (RFC 4976).
 *
 * Returns: (nullable): the Authorization header of an AUTH, or %NULL
 *
 * Since: 1.0
 */
/**
 * msrp_chunk_set_authorization:
 * @chunk: a #MsrpChunk
 * @value: (nullable): Digest credentials, or %NULL to remove the header
 *
 * Sets the Authorization header (RFC 4976).
 *
 * Since: 1.0
 */
STRING_HEADER (authorization, H_AUTHORIZATION, value)

/**
 * msrp_chunk_get_authentication_info:
 * @chunk: a #MsrpChunk
 *
 * Gets the Authentication-Info header (RFC 4976).
 *
 * Returns: (nullable): the Authentication-Info header, or %NULL
 *
 * Since: 1.0
 */
/**
 * msrp_chunk_set_authentication_info:
 * @chunk: a #MsrpChunk
 * @value: (nullable): the value, or %NULL to remove the header
 *
 * Sets the Authentication-Info header (RFC 4976).
 *
 * Since: 1.0
 */
STRING_HEADER (authentication_info, H_AUTHENTICATION_INFO, value)

/**
 * msrp_chunk_get_content_id:
 * @chunk: a #MsrpChunk
 *
 * Gets the Content-ID header.
 *
 * Returns: (nullable): the Content-ID, or %NULL
 *
 * Since: 1.0
 */
/**
 * msrp_chunk_set_content_id:
 * @chunk: a #MsrpChunk
 * @content_id: (nullable): the Content-ID, or %NULL to remove it
 *
 * Sets the Content-ID header.
 *
 * Since: 1.0
 */
STRING_HEADER (content_id, H_CONTENT_ID, content_id)

/**
 * msrp_chunk_get_content_description:
 * @chunk: a #MsrpChunk
 *
 * Gets the Content-Description header.
 *
 * Returns: (nullable): the Content-Description, or %NULL
 *
 * Since: 1.0
 */
/**
 * msrp_chunk_set_content_description:
 * @chunk: a #MsrpChunk
 * @description: (nullable): the description, or %NULL to remove it
 *
 * Sets the Content-Description header.
 *
 * Since: 1.0
 */
STRING_HEADER (content_description, H_CONTENT_DESCRIPTION, description)

/**
 * msrp_chunk_get_content_disposition:
 * @chunk: a #MsrpChunk
 *
 * Gets the Content-Disposition header.
 *
 * Returns: (nullable): the Content-Disposition, or %NULL
 *
 * Since: 1.0
 */
/**
 * msrp_chunk_set_content_disposition:
 * @chunk: a #MsrpChunk
 * @disposition: (nullable): a disposition such as
 *   `attachment; filename="a.png"`, or %NULL to remove it
 *
 * Sets the Content-Disposition header.
 *
 * Since: 1.0
 */
STRING_HEADER (content_disposition, H_CONTENT_DISPOSITION, disposition)

/* Numbers */

static gboolean
parse_uint64 (const char *s,
              const char *end,
              gint64     *out)
{
  guint64 v = 0;

  if (s == end)
    return FALSE;
  for (; s < end; s++)
    {
      /* Up to G_MAXINT64 itself: a number that a Byte-Range can hold
       * must read back. */
      if (!g_ascii_isdigit (*s) || v > (guint64) (G_MAXINT64 - (*s - '0')) / 10)
        return FALSE;
      v = v * 10 + (*s - '0');
    }
  *out = v;
  return TRUE;
}

static gint64
get_seconds (MsrpChunk *chunk,
             HeaderId   id)
{
  const char *value = get_by_id (chunk, id);
  gint64 v;

  if (value == NULL || !parse_uint64 (value, value + strlen (value), &v))
    return -1;
  return v;
}

static void
set_seconds (MsrpChunk *chunk,
             HeaderId   id,
             gint64     seconds)
{
  char buf[32];

  if (seconds < 0)
    {
      remove_all (chunk, id, NULL);
      return;
    }
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, seconds);
  set_by_id (chunk, id, NULL, buf);
}

/**
 * msrp_chunk_get_expires:
 * @chunk: a #MsrpChunk
 *
 * Gets the Expires header (RFC 4976).
 *
 * Returns: the Expires header in seconds (RFC 4976), or -1 when it is
 *   missing or not a number
 *
 * Since: 1.0
 */
gint64
msrp_chunk_get_expires (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), -1);
  return get_seconds (chunk, H_EXPIRES);
}

/**
 * msrp_chunk_set_expires:
 * @chunk: a #MsrpChunk
 * @seconds: the lifetime in seconds, or -1 to remove the header
 *
 * Sets the Expires header (RFC 4976).
 *
 * Since: 1.0
 */
void
msrp_chunk_set_expires (MsrpChunk *chunk,
                        gint64     seconds)
{
  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  set_seconds (chunk, H_EXPIRES, seconds);
}

/**
 * msrp_chunk_get_min_expires:
 * @chunk: a #MsrpChunk
 *
 * Gets the Min-Expires header (RFC 4976).
 *
 * Returns: the Min-Expires header of a 423 in seconds, or -1
 *
 * Since: 1.0
 */
gint64
msrp_chunk_get_min_expires (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), -1);
  return get_seconds (chunk, H_MIN_EXPIRES);
}

/**
 * msrp_chunk_set_min_expires:
 * @chunk: a #MsrpChunk
 * @seconds: seconds, or -1 to remove the header
 *
 * Sets the Min-Expires header (RFC 4976).
 *
 * Since: 1.0
 */
void
msrp_chunk_set_min_expires (MsrpChunk *chunk,
                            gint64     seconds)
{
  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  set_seconds (chunk, H_MIN_EXPIRES, seconds);
}

/**
 * msrp_chunk_get_max_expires:
 * @chunk: a #MsrpChunk
 *
 * Gets the Max-Expires header (RFC 4976).
 *
 * Returns: the Max-Expires header of a 423 in seconds, or -1
 *
 * Since: 1.0
 */
gint64
msrp_chunk_get_max_expires (MsrpChunk *chunk)
{
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), -1);
  return get_seconds (chunk, H_MAX_EXPIRES);
}

/**
 * msrp_chunk_set_max_expires:
 * @chunk: a #MsrpChunk
 * @seconds: seconds, or -1 to remove the header
 *
 * Sets the Max-Expires header (RFC 4976).
 *
 * Since: 1.0
 */
void
msrp_chunk_set_max_expires (MsrpChunk *chunk,
                            gint64     seconds)
{
  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  set_seconds (chunk, H_MAX_EXPIRES, seconds);
}

/* Byte-Range: start "-" (end / "*") "/" (total / "*") */
static gboolean
parse_byte_range (const char *value,
                  gint64     *start,
                  gint64     *end,
                  gint64     *total)
{
  const char *dash = strchr (value, '-');
  const char *slash = dash ? strchr (dash, '/') : NULL;
  const char *stop = value + strlen (value);

  if (dash == NULL || slash == NULL ||
      !parse_uint64 (value, dash, start) || *start < 1)
    return FALSE;
  if (slash - dash == 2 && dash[1] == '*')
    *end = -1;
  else if (!parse_uint64 (dash + 1, slash, end))
    return FALSE;
  if (stop - slash == 2 && slash[1] == '*')
    *total = -1;
  else if (!parse_uint64 (slash + 1, stop, total))
    return FALSE;
  return TRUE;
}

/* Writes a non-negative number in decimal; returns the end. */
static char *
format_count (char   *p,
              gint64  n)
{
  char digits[21];
  int len = 0;

  do
    digits[len++] = '0' + n % 10;
  while ((n /= 10) > 0);
  while (len > 0)
    *p++ = digits[--len];
  return p;
}

/**
 * msrp_chunk_get_byte_range:
 * @chunk: a #MsrpChunk
 * @start: (out) (optional): the first byte, 1-based
 * @end: (out) (optional): the last byte, inclusive, or -1 for `*` (unknown)
 * @total: (out) (optional): the size of the whole message, or -1 for `*`
 *   (unknown)
 *
 * Reads the Byte-Range header, such as `1-4096/10000`. A chunk without one
 * is treated as `1-*&#47;*` (RFC 4975 section 7.1.1): the outputs are set to
 * 1, -1 and -1 and %FALSE is returned; so they are for an invalid header.
 *
 * Returns: %TRUE when the chunk has a valid Byte-Range header
 *
 * Since: 1.0
 */
gboolean
msrp_chunk_get_byte_range (MsrpChunk *chunk,
                           gint64    *start,
                           gint64    *end,
                           gint64    *total)
{
  const char *value;
  gint64 s = 1, e = -1, t = -1;
  gboolean ok = FALSE;

  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), FALSE);

  value = get_by_id (chunk, H_BYTE_RANGE);
  if (value != NULL)
    {
      ok = parse_byte_range (value, &s, &e, &t);
      if (!ok)
        s = 1, e = -1, t = -1;
    }
  if (start)
    *start = s;
  if (end)
    *end = e;
  if (total)
    *total = t;
  return ok;
}

/**
 * msrp_chunk_set_byte_range:
 * @chunk: a #MsrpChunk
 * @start: the first byte of this chunk's body in the message, 1-based
 * @end: the last byte, inclusive, or -1 for `*`
 * @total: the size of the message, or -1 for `*`
 *
 * Sets the Byte-Range header. An empty message is `1-0/0`.
 *
 * Since: 1.0
 */
void
msrp_chunk_set_byte_range (MsrpChunk *chunk,
                           gint64     start,
                           gint64     end,
                           gint64     total)
{
  char buf[3 * 21 + 3];
  char *p = buf;

  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  g_return_if_fail (start >= 1);
  g_return_if_fail (end >= -1 && total >= -1);

  /* On every chunk sent: plain digits, no printf. */
  p = format_count (p, start);
  *p++ = '-';
  p = end >= 0 ? format_count (p, end) : (*p = '*', p + 1);
  *p++ = '/';
  p = total >= 0 ? format_count (p, total) : (*p = '*', p + 1);
  *p = '\0';
  set_by_id (chunk, H_BYTE_RANGE, NULL, buf);
}

/**
 * msrp_chunk_get_success_report:
 * @chunk: a #MsrpChunk
 *
 * Tells whether the sender asked for a success REPORT.
 *
 * Returns: %TRUE when Success-Report is `yes` (the default is `no`)
 *
 * Since: 1.0
 */
gboolean
msrp_chunk_get_success_report (MsrpChunk *chunk)
{
  const char *value;

  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), FALSE);
  value = get_by_id (chunk, H_SUCCESS_REPORT);
  return value != NULL && g_ascii_strcasecmp (value, "yes") == 0;
}

/**
 * msrp_chunk_set_success_report:
 * @chunk: a #MsrpChunk
 * @success_report: whether the receiver should send a success REPORT
 *
 * Sets Success-Report to `yes` or `no`.
 *
 * Since: 1.0
 */
void
msrp_chunk_set_success_report (MsrpChunk *chunk,
                               gboolean   success_report)
{
  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  set_by_id (chunk, H_SUCCESS_REPORT, NULL, success_report ? "yes" : "no");
}

/**
 * msrp_chunk_get_failure_report:
 * @chunk: a #MsrpChunk
 *
 * Gets the Failure-Report header: which responses the sender wants.
 *
 * Returns: the Failure-Report value; %MSRP_FAILURE_REPORT_YES when the
 *   header is missing (or not understood), as RFC 4975 says
 *
 * Since: 1.0
 */
MsrpFailureReport
msrp_chunk_get_failure_report (MsrpChunk *chunk)
{
  const char *value;

  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), MSRP_FAILURE_REPORT_YES);

  value = get_by_id (chunk, H_FAILURE_REPORT);
  if (value != NULL && g_ascii_strcasecmp (value, "no") == 0)
    return MSRP_FAILURE_REPORT_NO;
  if (value != NULL && g_ascii_strcasecmp (value, "partial") == 0)
    return MSRP_FAILURE_REPORT_PARTIAL;
  return MSRP_FAILURE_REPORT_YES;
}

/**
 * msrp_chunk_set_failure_report:
 * @chunk: a #MsrpChunk
 * @failure_report: the value
 *
 * Sets Failure-Report to `yes`, `no` or `partial`.
 *
 * Since: 1.0
 */
void
msrp_chunk_set_failure_report (MsrpChunk         *chunk,
                               MsrpFailureReport  failure_report)
{
  static const char *const values[] = { "yes", "no", "partial" };

  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  g_return_if_fail (failure_report <= MSRP_FAILURE_REPORT_PARTIAL);
  set_by_id (chunk, H_FAILURE_REPORT, NULL, values[failure_report]);
}

/* Status: namespace SP status-code [SP comment] */
static gboolean
parse_status (const char  *value,
              guint       *code,
              const char **comment)
{
  gsize len = strlen (value);

  if (len < 7 || memcmp (value, "000 ", 4) != 0 ||
      !g_ascii_isdigit (value[4]) || !g_ascii_isdigit (value[5]) || !g_ascii_isdigit (value[6]) ||
      value[4] == '0' || (len > 7 && value[7] != ' '))
    return FALSE;
  *code = (value[4] - '0') * 100 + (value[5] - '0') * 10 + (value[6] - '0');
  *comment = len > 8 ? value + 8 : NULL;
  return TRUE;
}

/**
 * msrp_chunk_get_status:
 * @chunk: a #MsrpChunk
 * @code: (out) (optional): the status code
 * @comment: (out) (optional) (nullable) (transfer none): the comment, or
 *   %NULL
 *
 * Reads the Status header of a REPORT, such as `000 200 OK`.
 *
 * Returns: %TRUE when the chunk has a valid Status header
 *
 * Since: 1.0
 */
gboolean
msrp_chunk_get_status (MsrpChunk   *chunk,
                       guint       *code,
                       const char **comment)
{
  const char *value;
  guint c = 0;
  const char *text = NULL;
  gboolean ok;

  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), FALSE);

  value = get_by_id (chunk, H_STATUS);
  ok = value != NULL && parse_status (value, &c, &text);
  if (code)
    *code = ok ? c : 0;
  if (comment)
    *comment = ok ? text : NULL;
  return ok;
}

/**
 * msrp_chunk_set_status:
 * @chunk: a #MsrpChunk
 * @code: a status code from 100 to 999
 * @comment: (nullable): the comment, or %NULL for the usual one
 *
 * Sets the Status header of a REPORT: `000 <code> <comment>`.
 *
 * Since: 1.0
 */
void
msrp_chunk_set_status (MsrpChunk  *chunk,
                       guint       code,
                       const char *comment)
{
  g_autofree char *value = NULL;

  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  g_return_if_fail (code >= 100 && code <= 999);
  g_return_if_fail (comment == NULL || _msrp_is_header_value (comment));

  if (comment == NULL)
    comment = msrp_status_get_reason (code);
  if (comment != NULL && *comment != '\0')
    value = g_strdup_printf ("000 %03u %s", code, comment);
  else
    value = g_strdup_printf ("000 %03u", code);
  set_by_id (chunk, H_STATUS, NULL, value);
}

/* quoted-string, with backslash escapes; p points at the opening quote */
static char *
parse_quoted (const char **pp)
{
  const char *p = *pp + 1;
  GString *s = g_string_new (NULL);

  while (*p != '\0' && *p != '"')
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      g_string_append_c (s, *p++);
    }
  if (*p != '"')
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  *pp = p + 1;
  return g_string_free (s, FALSE);
}

/**
 * msrp_chunk_get_auth_params:
 * @chunk: a #MsrpChunk
 * @name: "WWW-Authenticate", "Authorization" or "Authentication-Info"
 * @scheme: (out) (optional) (nullable) (transfer full): the scheme, such
 *   as "Digest", or %NULL (Authentication-Info has none)
 *
 * Splits an authentication header into its parameters: names in lower
 * case, quoted values unquoted.
 *
 * Returns: (transfer full) (nullable) (element-type utf8 utf8): the
 *   parameters, or %NULL when the header is missing or cannot be parsed
 *
 * Since: 1.0
 */
GHashTable *
msrp_chunk_get_auth_params (MsrpChunk   *chunk,
                            const char  *name,
                            char       **scheme)
{
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *scheme_name = NULL;
  const char *value, *p;

  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (scheme)
    *scheme = NULL;
  value = msrp_chunk_get_header (chunk, name);
  if (value == NULL)
    return NULL;

  p = value;
  if (g_ascii_strcasecmp (name, "Authentication-Info") != 0)
    {
      const char *start = p;

      while (_msrp_is_token_char (*p))
        p++;
      if (p == start)
        return NULL;
      scheme_name = g_strndup (start, p - start);
    }

  params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (;;)
    {
      const char *start;
      char *key, *val;

      while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
      if (*p == '\0')
        break;
      start = p;
      while (_msrp_is_token_char (*p) && *p != '=')
        p++;
      if (p == start)
        return NULL;
      key = g_ascii_strdown (start, p - start);
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p != '=')
        {
          g_free (key);
          return NULL;
        }
      p++;
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '"')
        val = parse_quoted (&p);
      else
        {
          start = p;
          while (*p != '\0' && *p != ',' && *p != ' ' && *p != '\t')
            p++;
          val = g_strndup (start, p - start);
        }
      if (val == NULL)
        {
          g_free (key);
          return NULL;
        }
      g_hash_table_replace (params, key, val);
    }

  if (scheme)
    *scheme = g_steal_pointer (&scheme_name);
  return g_steal_pointer (&params);
}

/**
 * msrp_chunk_get_use_nickname:
 * @chunk: a #MsrpChunk
 *
 * Gets the nickname of a NICKNAME request (RFC 7701).
 *
 * Returns: (transfer full) (nullable): the nickname of a NICKNAME request
 *   (RFC 7701), unquoted, or %NULL
 *
 * Since: 1.0
 */
char *
msrp_chunk_get_use_nickname (MsrpChunk *chunk)
{
  const char *value;

  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);

  value = get_by_id (chunk, H_USE_NICKNAME);
  if (value == NULL)
    return NULL;
  if (*value == '"')
    return parse_quoted (&value);
  return g_strdup (value);
}

/**
 * msrp_chunk_set_use_nickname:
 * @chunk: a #MsrpChunk
 * @nickname: (nullable): the nickname, or %NULL to remove the header
 *
 * Sets the Use-Nickname header of a NICKNAME request (RFC 7701) to the
 * nickname as a quoted string.
 *
 * Since: 1.0
 */
void
msrp_chunk_set_use_nickname (MsrpChunk  *chunk,
                             const char *nickname)
{
  GString *quoted;

  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  g_return_if_fail (nickname == NULL || _msrp_is_header_value (nickname));

  if (nickname == NULL)
    {
      remove_all (chunk, H_USE_NICKNAME, NULL);
      return;
    }
  quoted = g_string_new ("\"");
  for (const char *p = nickname; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '"');
  set_by_id (chunk, H_USE_NICKNAME, NULL, quoted->str);
  g_string_free (quoted, TRUE);
}

/* Verification */

static gboolean G_GNUC_PRINTF (2, 3)
bad_request (GError    **error,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (MSRP_TRANSACTION_ERROR, MSRP_STATUS_BAD_REQUEST, format, args));
  va_end (args);
  return FALSE;
}

/**
 * msrp_chunk_verify_headers:
 * @chunk: a #MsrpChunk
 * @error: return location for a #GError
 *
 * Checks the headers the way a receiver must before acting on a chunk:
 * To-Path and From-Path present and valid; a Message-ID on SEND and
 * REPORT; a valid Status on REPORT; valid Byte-Range, Failure-Report,
 * Success-Report, Expires, Min-Expires, Max-Expires and Use-Path when
 * present; a Content-Type when there is a body; none of these headers
 * twice.
 *
 * Returns: %TRUE when the headers are fine; otherwise %FALSE with @error
 *   set to %MSRP_TRANSACTION_ERROR / %MSRP_STATUS_BAD_REQUEST, the response
 *   to send, and a message naming the header
 *
 * Since: 1.0
 */
gboolean
msrp_chunk_verify_headers (MsrpChunk  *chunk,
                           GError    **error)
{
  guint seen[N_HEADER_IDS] = { 0, };
  const char *value;
  gint64 a, b, c;

  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < chunk->headers->len; i++)
    {
      const Header *h = &g_array_index (chunk->headers, Header, i);

      if (h->id != H_OTHER && seen[h->id]++ > 0)
        return bad_request (error, _("The %s header appears more than once"), h->name);
    }

  if (!seen[H_TO_PATH])
    return bad_request (error, _("The %s header is missing"), "To-Path");
  if (!seen[H_FROM_PATH])
    return bad_request (error, _("The %s header is missing"), "From-Path");
  if (get_path (chunk, H_TO_PATH) == NULL)
    return bad_request (error, _("The %s header is not a valid path"), "To-Path");
  if (get_path (chunk, H_FROM_PATH) == NULL)
    return bad_request (error, _("The %s header is not a valid path"), "From-Path");
  if (seen[H_USE_PATH] && get_path (chunk, H_USE_PATH) == NULL)
    return bad_request (error, _("The %s header is not a valid path"), "Use-Path");

  if (chunk->method == NULL)
    return TRUE;

  value = get_by_id (chunk, H_MESSAGE_ID);
  if (value == NULL && (strcmp (chunk->method, "SEND") == 0 || strcmp (chunk->method, "REPORT") == 0))
    return bad_request (error, _("The %s header is missing"), "Message-ID");
  if (value != NULL && !_msrp_is_ident (value, -1))
    return bad_request (error, _("The %s header is not a valid identifier"), "Message-ID");

  value = get_by_id (chunk, H_BYTE_RANGE);
  if (value != NULL &&
      (!parse_byte_range (value, &a, &b, &c) ||
       (b >= 0 && b < a - 1) ||
       (c >= 0 && b >= 0 && b > c) ||
       (c >= 0 && a - 1 > c) ||
       (chunk->data != NULL && (guint64) a - 1 + g_bytes_get_size (chunk->data) > G_MAXINT64)))
    return bad_request (error, _("The %s header is not valid"), "Byte-Range");

  value = get_by_id (chunk, H_FAILURE_REPORT);
  if (value != NULL &&
      g_ascii_strcasecmp (value, "yes") != 0 &&
      g_ascii_strcasecmp (value, "no") != 0 &&
      g_ascii_strcasecmp (value, "partial") != 0)
    return bad_request (error, _("The %s header is not valid"), "Failure-Report");

  value = get_by_id (chunk, H_SUCCESS_REPORT);
  if (value != NULL &&
      g_ascii_strcasecmp (value, "yes") != 0 &&
      g_ascii_strcasecmp (value, "no") != 0)
    return bad_request (error, _("The %s header is not valid"), "Success-Report");

  if (seen[H_EXPIRES] && get_seconds (chunk, H_EXPIRES) < 0)
    return bad_request (error, _("The %s header is not valid"), "Expires");
  if (seen[H_MIN_EXPIRES] && get_seconds (chunk, H_MIN_EXPIRES) < 0)
    return bad_request (error, _("The %s header is not valid"), "Min-Expires");
  if (seen[H_MAX_EXPIRES] && get_seconds (chunk, H_MAX_EXPIRES) < 0)
    return bad_request (error, _("The %s header is not valid"), "Max-Expires");

  if (strcmp (chunk->method, "REPORT") == 0)
    {
      guint code;
      const char *comment;

      value = get_by_id (chunk, H_STATUS);
      if (value == NULL)
        return bad_request (error, _("The %s header is missing"), "Status");
      if (!parse_status (value, &code, &comment))
        return bad_request (error, _("The %s header is not valid"), "Status");
    }

  if (chunk->data != NULL && g_bytes_get_size (chunk->data) > 0 && !seen[H_CONTENT_TYPE])
    return bad_request (error, _("The %s header is missing"), "Content-Type");

  return TRUE;
}
