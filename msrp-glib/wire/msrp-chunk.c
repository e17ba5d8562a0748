/* msrp-chunk.c: MsrpChunk, its start line, body and header list
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-chunk.h"
#include "msrp-chunk-internal-private.h"
#include "msrp-error.h"
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

const struct _MsrpKnownHeader _msrp_chunk_known_headers[MSRP_N_HEADER_IDS] = {
#define K(s) { s, sizeof s - 1 }
  [MSRP_HEADER_OTHER] = { NULL, 0 },
  [MSRP_HEADER_TO_PATH] = K ("To-Path"),
  [MSRP_HEADER_FROM_PATH] = K ("From-Path"),
  [MSRP_HEADER_MESSAGE_ID] = K ("Message-ID"),
  [MSRP_HEADER_SUCCESS_REPORT] = K ("Success-Report"),
  [MSRP_HEADER_FAILURE_REPORT] = K ("Failure-Report"),
  [MSRP_HEADER_BYTE_RANGE] = K ("Byte-Range"),
  [MSRP_HEADER_STATUS] = K ("Status"),
  [MSRP_HEADER_EXPIRES] = K ("Expires"),
  [MSRP_HEADER_MIN_EXPIRES] = K ("Min-Expires"),
  [MSRP_HEADER_MAX_EXPIRES] = K ("Max-Expires"),
  [MSRP_HEADER_USE_PATH] = K ("Use-Path"),
  [MSRP_HEADER_WWW_AUTHENTICATE] = K ("WWW-Authenticate"),
  [MSRP_HEADER_AUTHORIZATION] = K ("Authorization"),
  [MSRP_HEADER_AUTHENTICATION_INFO] = K ("Authentication-Info"),
  [MSRP_HEADER_CONTENT_TYPE] = K ("Content-Type"),
  [MSRP_HEADER_CONTENT_ID] = K ("Content-ID"),
  [MSRP_HEADER_CONTENT_DESCRIPTION] = K ("Content-Description"),
  [MSRP_HEADER_CONTENT_DISPOSITION] = K ("Content-Disposition"),
  [MSRP_HEADER_USE_NICKNAME] = K ("Use-Nickname"),
#undef K
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

static MsrpHeaderId
lookup_header (const char *name,
               gsize       len)
{
  char first;

  if (len == 0)
    return MSRP_HEADER_OTHER;
  first = g_ascii_tolower (name[0]);
  for (guint id = 1; id < MSRP_N_HEADER_IDS; id++)
    if (_msrp_chunk_known_headers[id].len == len &&
        g_ascii_tolower (_msrp_chunk_known_headers[id].name[0]) == first &&
        (memcmp (_msrp_chunk_known_headers[id].name, name, len) == 0 ||
         g_ascii_strncasecmp (_msrp_chunk_known_headers[id].name, name, len) == 0))
      return id;
  return MSRP_HEADER_OTHER;
}

/* To-Path first, From-Path second, Content-* at the end, Content-Type last. */
static guint8
header_rank (MsrpHeaderId  id,
             const char   *name)
{
  switch (id)
    {
    case MSRP_HEADER_TO_PATH:
      return 0;
    case MSRP_HEADER_FROM_PATH:
      return 1;
    case MSRP_HEADER_CONTENT_TYPE:
      return 4;
    case MSRP_HEADER_CONTENT_ID:
    case MSRP_HEADER_CONTENT_DESCRIPTION:
    case MSRP_HEADER_CONTENT_DISPOSITION:
      return 3;
    case MSRP_HEADER_OTHER:
      return g_ascii_strncasecmp (name, "Content-", 8) == 0 ? 3 : 2;
    default:
      return 2;
    }
}

static void
header_clear (gpointer data)
{
  MsrpHeader *h = data;

  if (h->id == MSRP_HEADER_OTHER)
    g_free (h->name);
  if (!h->shared)
    g_free (h->value);
}

/* Frees a string of the start line unless it is in the strings block. */
static void
free_string (MsrpChunk *chunk,
             char      *s)
{
  guintptr at = (guintptr) s, block = (guintptr) chunk->strings;

  if (chunk->strings == NULL || at < block || at >= block + chunk->strings_len)
    g_free (s);
}

/* Drops the parse of a path header that changes. */
static void
invalidate (MsrpChunk    *chunk,
            MsrpHeaderId  id)
{
  int i = _msrp_chunk_path_index (id);

  if (i >= 0)
    g_clear_pointer (&chunk->path_cache[i], g_ptr_array_unref);
}

/* Inserts after the last header of the same or a lower rank. */
static void
insert_header (MsrpChunk    *chunk,
               MsrpHeaderId  id,
               char         *name,
               char         *value,
               gboolean      shared)
{
  MsrpHeader h = { name, value, id, header_rank (id, name), shared };
  guint pos = chunk->headers->len;

  while (pos > 0 && g_array_index (chunk->headers, MsrpHeader, pos - 1).rank > h.rank)
    pos--;
  if (pos == chunk->headers->len)
    g_array_append_val (chunk->headers, h);
  else
    g_array_insert_val (chunk->headers, pos, h);
  invalidate (chunk, id);
}

/* Removes the headers of that name from index @from on. */
static gboolean
remove_from (MsrpChunk    *chunk,
             MsrpHeaderId  id,
             const char   *name,
             guint         from)
{
  gboolean removed = FALSE;

  for (guint i = chunk->headers->len; i > from; i--)
    if (_msrp_header_is (&g_array_index (chunk->headers, MsrpHeader, i - 1), id, name))
      {
        g_array_remove_index (chunk->headers, i - 1);
        removed = TRUE;
      }
  invalidate (chunk, id);
  return removed;
}

gboolean
_msrp_chunk_remove_all (MsrpChunk    *chunk,
                        MsrpHeaderId  id,
                        const char   *name)
{
  return remove_from (chunk, id, name, 0);
}

void
_msrp_chunk_set_by_id (MsrpChunk    *chunk,
                       MsrpHeaderId  id,
                       const char   *name,
                       const char   *value)
{
  MsrpHeader *h;

  if (value == NULL)
    {
      remove_from (chunk, id, name, 0);
      return;
    }

  h = _msrp_chunk_find_header (chunk, id, name);
  if (h != NULL)
    {
      char *copy = g_strdup (value);

      if (!h->shared)
        g_free (h->value);
      h->value = copy;
      h->shared = FALSE;
      remove_from (chunk, id, name, h - (MsrpHeader *) (gpointer) chunk->headers->data + 1);
      return;
    }

  insert_header (chunk, id,
                 id != MSRP_HEADER_OTHER ? (char *) _msrp_chunk_known_headers[id].name : g_strdup (name),
                 g_strdup (value), FALSE);
}

static void
msrp_chunk_finalize (GObject *object)
{
  MsrpChunk *self = MSRP_CHUNK (object);

  free_string (self, self->method);
  free_string (self, self->transaction_id);
  free_string (self, self->comment);
  g_clear_pointer (&self->data, g_bytes_unref);
  g_array_unref (self->headers);
  g_free (self->strings);
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
  self->headers = g_array_sized_new (FALSE, FALSE, sizeof (MsrpHeader), 8);
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

/* Copies @len bytes and a NUL to @p; returns the end. */
static inline char *
put_string (char       *p,
            const char *s,
            gsize       len)
{
  memcpy (p, s, len);
  p[len] = '\0';
  return p + len + 1;
}

MsrpChunk *
_msrp_chunk_new_from_head (const MsrpChunkHead *head)
{
  MsrpChunk *chunk = chunk_new_empty ();
  gsize size = head->tid_len + 1;
  char *p;

  /* One block for the strings of the start line and the header values:
   * a chunk read is one allocation for them, not one a string. */
  if (head->code != 0)
    size += head->comment ? head->comment_len + 1 : 0;
  else
    size += head->method_len + 1;
  for (guint i = 0; i < head->n_headers; i++)
    size += head->headers[i].value_len + 1;
  chunk->strings = p = g_malloc (size);
  chunk->strings_len = size;

  /* The parser checked the start line as constructed() would. */
  chunk->transaction_id = p;
  p = put_string (p, head->tid, head->tid_len);
  if (head->code != 0)
    {
      chunk->code = head->code;
      if (head->comment != NULL)
        {
          chunk->comment = p;
          p = put_string (p, head->comment, head->comment_len);
        }
    }
  else
    {
      chunk->method = p;
      p = put_string (p, head->method, head->method_len);
    }

  for (guint i = 0; i < head->n_headers; i++)
    {
      const MsrpParserHeader *ph = &head->headers[i];
      const char *name = head->base + ph->name_off;
      MsrpHeaderId id = lookup_header (name, ph->name_len);
      char *value = p;

      p = put_string (p, head->base + ph->value_off, ph->value_len);
      insert_header (chunk, id,
                     id != MSRP_HEADER_OTHER ? (char *) _msrp_chunk_known_headers[id].name : g_strndup (name, ph->name_len),
                     value, TRUE);
    }
  g_assert ((gsize) (p - chunk->strings) == size);

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
_msrp_chunk_set_transaction_id (MsrpChunk  *chunk,
                                const char *transaction_id)
{
  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  g_return_if_fail (transaction_id != NULL && _msrp_is_ident (transaction_id, -1));

  free_string (chunk, chunk->transaction_id);
  chunk->transaction_id = g_strdup (transaction_id);
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
      const MsrpHeader *h = &g_array_index (chunk->headers, MsrpHeader, i);
      MsrpHeader c = { h->id != MSRP_HEADER_OTHER ? h->name : g_strdup (h->name), g_strdup (h->value), h->id, h->rank };

      g_array_append_val (copy->headers, c);
    }

  return copy;
}

/* Accessors */

/* Getters of the fields that need nothing more. */
#define FIELD_GETTER(type, field, fallback)                                     \
type                                                                            \
msrp_chunk_get_##field (MsrpChunk *chunk)                                       \
{                                                                               \
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), fallback);                       \
  return chunk->field;                                                          \
}

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
FIELD_GETTER (const char *, method, NULL)

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
FIELD_GETTER (const char *, transaction_id, NULL)

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
FIELD_GETTER (guint, code, 0)

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
FIELD_GETTER (const char *, comment, NULL)

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
FIELD_GETTER (MsrpContinuation, continuation, MSRP_CONTINUATION_END)

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
FIELD_GETTER (GBytes *, data, NULL)

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
FIELD_GETTER (guint, segment, 0)

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
  MsrpHeader *h;

  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  h = _msrp_chunk_find_header (chunk, lookup_header (name, strlen (name)), name);
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

  _msrp_chunk_set_by_id (chunk, lookup_header (name, strlen (name)), name, value);
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
  MsrpHeaderId id;

  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  g_return_if_fail (check_header_name (name));
  g_return_if_fail (value != NULL && _msrp_is_header_value (value));

  id = lookup_header (name, strlen (name));
  insert_header (chunk, id,
                 id != MSRP_HEADER_OTHER ? (char *) _msrp_chunk_known_headers[id].name : g_strdup (name),
                 g_strdup (value), FALSE);
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

  return _msrp_chunk_remove_all (chunk, lookup_header (name, strlen (name)), name);
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
    names[i] = g_strdup (g_array_index (chunk->headers, MsrpHeader, i).name);
  names[chunk->headers->len] = NULL;
  return names;
}
