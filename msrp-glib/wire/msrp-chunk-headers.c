/* msrp-chunk-headers.c: MsrpChunk's typed headers, read, written and
 * verified
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-chunk.h"
#include "msrp-chunk-internal-private.h"
#include "msrp-error.h"
#include "msrp-uri.h"
#include "msrp-utils-private.h"

/* The getter and setter of a header whose value get() parses and set()
 * writes; none is what the getter returns on a programming error. */
#define TYPED_HEADER(fn, ID, type, none, get, arg, set)                         \
type                                                                            \
msrp_chunk_get_##fn (MsrpChunk *chunk)                                          \
{                                                                               \
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), none);                           \
  return get (chunk, ID);                                                       \
}                                                                               \
void                                                                            \
msrp_chunk_set_##fn (MsrpChunk *chunk,                                          \
                     type       arg)                                            \
{                                                                               \
  g_return_if_fail (MSRP_IS_CHUNK (chunk));                                     \
  set (chunk, ID, arg);                                                         \
}

/* Paths */

static GPtrArray *
get_path (MsrpChunk    *chunk,
          MsrpHeaderId  id)
{
  int i = _msrp_chunk_path_index (id);
  const char *value;

  if (chunk->path_cache[i] == NULL && (value = _msrp_chunk_get_by_id (chunk, id)) != NULL)
    chunk->path_cache[i] = msrp_path_parse (value, NULL);
  return chunk->path_cache[i];
}

static void
set_path (MsrpChunk    *chunk,
          MsrpHeaderId  id,
          GPtrArray    *path)
{
  g_autofree char *value = NULL;
  GPtrArray *copy;

  if (path == NULL || path->len == 0)
    {
      _msrp_chunk_remove_all (chunk, id, NULL);
      return;
    }

  value = msrp_path_to_string (path);
  _msrp_chunk_set_by_id (chunk, id, NULL, value);
  copy = g_ptr_array_new_full (path->len, g_object_unref);
  for (guint i = 0; i < path->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (path, i)));
  chunk->path_cache[_msrp_chunk_path_index (id)] = copy;
}

void
_msrp_path_memo_clear (MsrpPathMemo *memo)
{
  g_clear_pointer (&memo->value, g_free);
  g_clear_pointer (&memo->path, g_ptr_array_unref);
}

/* get_path(), but a value equal to the memo's shares its parse. */
static void
parse_path_memo (MsrpChunk    *chunk,
                 MsrpHeaderId  id,
                 MsrpPathMemo *memo)
{
  int i = _msrp_chunk_path_index (id);
  const char *value;

  if (chunk->path_cache[i] != NULL || (value = _msrp_chunk_get_by_id (chunk, id)) == NULL)
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
  parse_path_memo (chunk, MSRP_HEADER_TO_PATH, &memos[0]);
  parse_path_memo (chunk, MSRP_HEADER_FROM_PATH, &memos[1]);
}

void
_msrp_chunk_set_path_encoded (MsrpChunk  *chunk,
                              gboolean    from,
                              const char *value,
                              GPtrArray  *path)
{
  MsrpHeaderId id = from ? MSRP_HEADER_FROM_PATH : MSRP_HEADER_TO_PATH;

  _msrp_chunk_set_by_id (chunk, id, NULL, value);
  chunk->path_cache[_msrp_chunk_path_index (id)] = g_ptr_array_ref (path);
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
TYPED_HEADER (to_path, MSRP_HEADER_TO_PATH, GPtrArray *, NULL, get_path, path, set_path)

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
TYPED_HEADER (from_path, MSRP_HEADER_FROM_PATH, GPtrArray *, NULL, get_path, path, set_path)

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
TYPED_HEADER (use_path, MSRP_HEADER_USE_PATH, GPtrArray *, NULL, get_path, path, set_path)

/* Plain string headers */

#define STRING_HEADER(fn, ID, what)                                             \
const char *                                                                    \
msrp_chunk_get_##fn (MsrpChunk *chunk)                                          \
{                                                                               \
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), NULL);                           \
  return _msrp_chunk_get_by_id (chunk, ID);                                     \
}                                                                               \
void                                                                            \
msrp_chunk_set_##fn (MsrpChunk  *chunk,                                         \
                     const char *what)                                          \
{                                                                               \
  g_return_if_fail (MSRP_IS_CHUNK (chunk));                                     \
  g_return_if_fail (what == NULL || _msrp_is_header_value (what));              \
  _msrp_chunk_set_by_id (chunk, ID, NULL, what);                                \
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
STRING_HEADER (message_id, MSRP_HEADER_MESSAGE_ID, message_id)

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
STRING_HEADER (content_type, MSRP_HEADER_CONTENT_TYPE, content_type)

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
STRING_HEADER (www_authenticate, MSRP_HEADER_WWW_AUTHENTICATE, value)

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
STRING_HEADER (authorization, MSRP_HEADER_AUTHORIZATION, value)

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
STRING_HEADER (authentication_info, MSRP_HEADER_AUTHENTICATION_INFO, value)

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
STRING_HEADER (content_id, MSRP_HEADER_CONTENT_ID, content_id)

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
STRING_HEADER (content_description, MSRP_HEADER_CONTENT_DESCRIPTION, description)

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
STRING_HEADER (content_disposition, MSRP_HEADER_CONTENT_DISPOSITION, disposition)

/* Numbers */

static gboolean
parse_uint64 (const char *s,
              const char *end,
              gint64     *out)
{
  guint64 v;

  /* Up to G_MAXINT64 itself: a number that a Byte-Range can hold must
   * read back. */
  if (!_msrp_parse_decimal (&s, end, G_MAXINT64, &v) || s != end)
    return FALSE;
  *out = v;
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

static gint64
get_seconds (MsrpChunk    *chunk,
             MsrpHeaderId  id)
{
  const char *value = _msrp_chunk_get_by_id (chunk, id);
  gint64 v;

  if (value == NULL || !parse_uint64 (value, value + strlen (value), &v))
    return -1;
  return v;
}

static void
set_seconds (MsrpChunk    *chunk,
             MsrpHeaderId  id,
             gint64        seconds)
{
  char buf[21];

  if (seconds < 0)
    {
      _msrp_chunk_remove_all (chunk, id, NULL);
      return;
    }
  *format_count (buf, seconds) = '\0';
  _msrp_chunk_set_by_id (chunk, id, NULL, buf);
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
/**
 * msrp_chunk_set_expires:
 * @chunk: a #MsrpChunk
 * @seconds: the lifetime in seconds, or -1 to remove the header
 *
 * Sets the Expires header (RFC 4976).
 *
 * Since: 1.0
 */
TYPED_HEADER (expires, MSRP_HEADER_EXPIRES, gint64, -1, get_seconds, seconds, set_seconds)

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
/**
 * msrp_chunk_set_min_expires:
 * @chunk: a #MsrpChunk
 * @seconds: seconds, or -1 to remove the header
 *
 * Sets the Min-Expires header (RFC 4976).
 *
 * Since: 1.0
 */
TYPED_HEADER (min_expires, MSRP_HEADER_MIN_EXPIRES, gint64, -1, get_seconds, seconds, set_seconds)

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
/**
 * msrp_chunk_set_max_expires:
 * @chunk: a #MsrpChunk
 * @seconds: seconds, or -1 to remove the header
 *
 * Sets the Max-Expires header (RFC 4976).
 *
 * Since: 1.0
 */
TYPED_HEADER (max_expires, MSRP_HEADER_MAX_EXPIRES, gint64, -1, get_seconds, seconds, set_seconds)

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

  value = _msrp_chunk_get_by_id (chunk, MSRP_HEADER_BYTE_RANGE);
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
  _msrp_chunk_set_by_id (chunk, MSRP_HEADER_BYTE_RANGE, NULL, buf);
}

/* Success-Report and Failure-Report values, in MsrpFailureReport order;
 * Success-Report takes the first two. */
static const char *const report_values[] = { "yes", "no", "partial" };

/* The index of @value among the first @n report values, or -1. */
static int
parse_report (const char *value,
              guint       n)
{
  /* As written, mostly: looked at for every chunk sent and received. */
  for (guint i = 0; i < n; i++)
    if (strcmp (value, report_values[i]) == 0)
      return i;
  for (guint i = 0; i < n; i++)
    if (g_ascii_strcasecmp (value, report_values[i]) == 0)
      return i;
  return -1;
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
  value = _msrp_chunk_get_by_id (chunk, MSRP_HEADER_SUCCESS_REPORT);
  return value != NULL && parse_report (value, 2) == 0;
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
  _msrp_chunk_set_by_id (chunk, MSRP_HEADER_SUCCESS_REPORT, NULL, report_values[success_report ? 0 : 1]);
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
  int report;

  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), MSRP_FAILURE_REPORT_YES);

  value = _msrp_chunk_get_by_id (chunk, MSRP_HEADER_FAILURE_REPORT);
  report = value != NULL ? parse_report (value, 3) : -1;
  return report >= 0 ? (MsrpFailureReport) report : MSRP_FAILURE_REPORT_YES;
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
  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  g_return_if_fail (failure_report <= MSRP_FAILURE_REPORT_PARTIAL);
  _msrp_chunk_set_by_id (chunk, MSRP_HEADER_FAILURE_REPORT, NULL, report_values[failure_report]);
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

  value = _msrp_chunk_get_by_id (chunk, MSRP_HEADER_STATUS);
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
  _msrp_chunk_set_by_id (chunk, MSRP_HEADER_STATUS, NULL, value);
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

  value = _msrp_chunk_get_by_id (chunk, MSRP_HEADER_USE_NICKNAME);
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
      _msrp_chunk_remove_all (chunk, MSRP_HEADER_USE_NICKNAME, NULL);
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
  _msrp_chunk_set_by_id (chunk, MSRP_HEADER_USE_NICKNAME, NULL, quoted->str);
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
  static const MsrpHeaderId paths[] = {
    MSRP_HEADER_TO_PATH, MSRP_HEADER_FROM_PATH, MSRP_HEADER_USE_PATH,
  };
  static const MsrpHeaderId durations[] = {
    MSRP_HEADER_EXPIRES, MSRP_HEADER_MIN_EXPIRES, MSRP_HEADER_MAX_EXPIRES,
  };
  guint seen[MSRP_N_HEADER_IDS] = { 0, };
  const char *value;
  gint64 a, b, c;

  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < chunk->headers->len; i++)
    {
      const MsrpHeader *h = &g_array_index (chunk->headers, MsrpHeader, i);

      if (h->id != MSRP_HEADER_OTHER && seen[h->id]++ > 0)
        return bad_request (error, _("The %s header appears more than once"), h->name);
    }

  if (!seen[MSRP_HEADER_TO_PATH])
    return bad_request (error, _("The %s header is missing"), "To-Path");
  if (!seen[MSRP_HEADER_FROM_PATH])
    return bad_request (error, _("The %s header is missing"), "From-Path");
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    if (seen[paths[i]] && get_path (chunk, paths[i]) == NULL)
      return bad_request (error, _("The %s header is not a valid path"),
                          _msrp_chunk_known_headers[paths[i]].name);

  if (chunk->method == NULL)
    return TRUE;

  value = _msrp_chunk_get_by_id (chunk, MSRP_HEADER_MESSAGE_ID);
  if (value == NULL && (strcmp (chunk->method, "SEND") == 0 || strcmp (chunk->method, "REPORT") == 0))
    return bad_request (error, _("The %s header is missing"), "Message-ID");
  if (value != NULL && !_msrp_is_ident (value, -1))
    return bad_request (error, _("The %s header is not a valid identifier"), "Message-ID");

  value = _msrp_chunk_get_by_id (chunk, MSRP_HEADER_BYTE_RANGE);
  if (value != NULL &&
      (!parse_byte_range (value, &a, &b, &c) ||
       (b >= 0 && b < a - 1) ||
       (c >= 0 && b >= 0 && b > c) ||
       (c >= 0 && a - 1 > c) ||
       (chunk->data != NULL && (guint64) a - 1 + g_bytes_get_size (chunk->data) > G_MAXINT64)))
    return bad_request (error, _("The %s header is not valid"), "Byte-Range");

  value = _msrp_chunk_get_by_id (chunk, MSRP_HEADER_FAILURE_REPORT);
  if (value != NULL && parse_report (value, 3) < 0)
    return bad_request (error, _("The %s header is not valid"), "Failure-Report");

  value = _msrp_chunk_get_by_id (chunk, MSRP_HEADER_SUCCESS_REPORT);
  if (value != NULL && parse_report (value, 2) < 0)
    return bad_request (error, _("The %s header is not valid"), "Success-Report");

  for (guint i = 0; i < G_N_ELEMENTS (durations); i++)
    if (seen[durations[i]] && get_seconds (chunk, durations[i]) < 0)
      return bad_request (error, _("The %s header is not valid"),
                          _msrp_chunk_known_headers[durations[i]].name);

  if (strcmp (chunk->method, "REPORT") == 0)
    {
      guint code;
      const char *comment;

      value = _msrp_chunk_get_by_id (chunk, MSRP_HEADER_STATUS);
      if (value == NULL)
        return bad_request (error, _("The %s header is missing"), "Status");
      if (!parse_status (value, &code, &comment))
        return bad_request (error, _("The %s header is not valid"), "Status");
    }

  if (chunk->data != NULL && g_bytes_get_size (chunk->data) > 0 && !seen[MSRP_HEADER_CONTENT_TYPE])
    return bad_request (error, _("The %s header is missing"), "Content-Type");

  return TRUE;
}
