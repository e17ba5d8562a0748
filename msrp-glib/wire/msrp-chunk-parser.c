/* msrp-chunk-parser.c: the incremental MSRP chunk parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A push parser in the spirit of libnice's stun/ code: plain C, no I/O.
 * Bytes arrive in pieces of any size. The header block is parsed line by
 * line, straight from the caller's buffer when it is complete there, or
 * from a bounded internal copy when it spans pieces. The body is never
 * copied: the parser looks for "\r\n-------<tid><flag>\r\n" and hands out
 * the bytes before it as slices of the caller's buffer. The few bytes at the
 * end of a piece that might begin an end-line are held back (at most the
 * length of an end-line) until the next piece tells what they are.
 */

#include "config.h"

#include <string.h>

#include "msrp-chunk-parser-private.h"
#include "msrp-error.h"
#include "msrp-utils-private.h"

typedef enum {
  STATE_START,    /* before a start line */
  STATE_HEADERS,  /* in the header block, start line parsed */
  STATE_BODY,     /* in a body */
  STATE_SKIP_HEADERS, /* dropping the rest of a malformed chunk's header
                       * block, line by line, within the limits */
  STATE_SKIP,     /* dropping a malformed chunk up to its end-line */
  STATE_FAILED,   /* the stream cannot be framed */
} ParserState;

typedef enum {
  LINE_NEXT,          /* go on with the next line */
  LINE_BLANK,         /* an empty line before a start line: ignore it */
  LINE_BODY,          /* blank line: the block ends, a body follows */
  LINE_END,           /* end-line: the block ends, no body */
  LINE_MALFORMED,     /* the chunk is bad but can still be framed */
  LINE_FATAL,         /* the stream cannot be framed */
} LineResult;

/* "\r\n" + "-------" + tid */
#define NEEDLE_MAX (2 + 7 + MSRP_IDENT_MAX_LEN)

struct _MsrpChunkParser {
  MsrpChunkParserCallbacks callbacks;
  gpointer user_data;

  gsize max_line;
  gsize max_block;
  guint max_headers;

  ParserState state;

  /* The header block. While it lies whole in the caller's buffer, offsets
   * are relative to its start there; once it spans pieces it is copied
   * into buf, which is never larger than max_block. */
  guint8 *buf;
  gsize buf_alloc;
  gboolean buffered;
  gsize block_len;
  gsize line_start;
  gsize skipped;          /* bytes of the block before it, in STATE_SKIP_HEADERS */

  gsize tid_off, tid_len;
  gsize method_off, method_len;
  guint code;
  gsize comment_off, comment_len;
  gboolean has_comment;
  MsrpParserHeader *headers;
  guint n_headers;
  MsrpContinuation end_flag;
  gboolean end_pending;   /* a chunk without body ended; end() not yet called */

  /* End-line search. */
  char tid[MSRP_IDENT_MAX_LEN + 1];
  char needle[NEEDLE_MAX];
  gsize needle_len;
  guint8 pending[NEEDLE_MAX + 3];
  gsize pending_len;
};

MsrpChunkParser *
_msrp_chunk_parser_new (const MsrpChunkParserCallbacks *callbacks,
                       gpointer                        user_data)
{
  MsrpChunkParser *parser = g_new0 (MsrpChunkParser, 1);

  parser->callbacks = *callbacks;
  parser->user_data = user_data;
  parser->max_line = MSRP_PARSER_MAX_LINE;
  parser->max_block = MSRP_PARSER_MAX_HEADER_BLOCK;
  parser->max_headers = MSRP_PARSER_MAX_HEADERS;
  parser->headers = g_new (MsrpParserHeader, parser->max_headers);
  parser->state = STATE_START;

  return parser;
}

void
_msrp_chunk_parser_free (MsrpChunkParser *parser)
{
  if (parser == NULL)
    return;
  g_free (parser->buf);
  g_free (parser->headers);
  g_free (parser);
}

void
_msrp_chunk_parser_set_limits (MsrpChunkParser *parser,
                              gsize            max_line,
                              gsize            max_header_block,
                              guint            max_headers)
{
  g_return_if_fail (parser->state == STATE_START && parser->block_len == 0);
  g_return_if_fail (max_line > 0 && max_header_block > 0 && max_headers > 0);
  g_return_if_fail (max_header_block <= G_MAXUINT32);

  parser->max_line = max_line;
  parser->max_block = max_header_block;
  parser->max_headers = max_headers;
  parser->headers = g_renew (MsrpParserHeader, parser->headers, max_headers);
}

static void
reset_block (MsrpChunkParser *parser)
{
  parser->buffered = FALSE;
  parser->block_len = 0;
  parser->line_start = 0;
  parser->skipped = 0;
  parser->n_headers = 0;
  parser->code = 0;
  parser->method_len = 0;
  parser->has_comment = FALSE;
}

void
_msrp_chunk_parser_reset (MsrpChunkParser *parser)
{
  reset_block (parser);
  parser->pending_len = 0;
  parser->end_pending = FALSE;
  parser->needle_len = 0;
  parser->tid[0] = '\0';
  parser->state = STATE_START;
}

gboolean
_msrp_chunk_parser_is_idle (MsrpChunkParser *parser)
{
  return parser->state == STATE_START && parser->block_len == 0 && !parser->end_pending;
}

gboolean
_msrp_chunk_parser_in_body (MsrpChunkParser *parser)
{
  return parser->state == STATE_BODY;
}

gsize
_msrp_chunk_parser_get_held (MsrpChunkParser *parser)
{
  return parser->state == STATE_BODY ? parser->pending_len : 0;
}

static void
buf_append (MsrpChunkParser *parser,
            const guint8    *data,
            gsize            len)
{
  gsize need = parser->block_len + len;

  if (need > parser->buf_alloc)
    {
      gsize alloc = MAX (parser->buf_alloc * 2, 1024);

      while (alloc < need)
        alloc *= 2;
      alloc = MIN (alloc, MAX (parser->max_block, need));
      parser->buf = g_realloc (parser->buf, alloc);
      parser->buf_alloc = alloc;
    }
  memcpy (parser->buf + parser->block_len, data, len);
}

static gboolean
is_flag (guchar c)
{
  return c == '$' || c == '+' || c == '#';
}

static MsrpContinuation
flag_to_continuation (guchar c)
{
  switch (c)
    {
    case '+':
      return MSRP_CONTINUATION_MORE;
    case '#':
      return MSRP_CONTINUATION_ABORT;
    default:
      return MSRP_CONTINUATION_END;
    }
}

/* Whether c may stand at position k of the end-line "\r\n-------tid" F "\r\n". */
static inline gboolean
end_line_match (MsrpChunkParser *parser,
                gsize            k,
                guchar           c)
{
  if (k < parser->needle_len)
    return (guchar) parser->needle[k] == c;
  if (k == parser->needle_len)
    return is_flag (c);
  if (k == parser->needle_len + 1)
    return c == '\r';
  return c == '\n';
}

static gboolean
set_error_literal (GError    **error,
                   MsrpError   code,
                   const char *message)
{
  g_set_error_literal (error, MSRP_ERROR, code, message);
  return FALSE;
}

/* _msrp_is_token_char() by table: it runs for every byte of every header
 * name. */
static inline gboolean
is_token_char (guchar c)
{
  /* Bit c of the 128: visible ASCII but for "(),/:;<=>?@[\] and DQUOTE
   * (RFC 4975 section 9). */
  static const guint32 token_bits[4] = {
    0x00000000,                                                  /* 0x00-0x1f */
    ~(1u << 0 | 1u << 2 | 1u << 8 | 1u << 9 | 1u << 12 | 1u << 15 |
      1u << 26 | 1u << 27 | 1u << 28 | 1u << 29 | 1u << 30 | 1u << 31), /* 0x20-0x3f */
    ~(1u << 0 | 1u << 27 | 1u << 28 | 1u << 29),                 /* 0x40-0x5f */
    ~(1u << 31),                                                 /* 0x60-0x7f */
  };

  return c < 128 && (token_bits[c >> 5] >> (c & 31)) & 1;
}

static gboolean
is_value_ok (const char *s,
             gsize       len)
{
  gboolean ascii = TRUE;
  gsize i = 0;

  /* Eight bytes at a time while none is below 0x20 or above 0x7e. */
  for (; i + 8 <= len; i += 8)
    {
      guint64 w;

      memcpy (&w, s + i, 8);
      if (((w - G_GUINT64_CONSTANT (0x2020202020202020)) | (w + G_GUINT64_CONSTANT (0x0101010101010101)) | w) &
          G_GUINT64_CONSTANT (0x8080808080808080))
        break;
    }
  for (; i < len; i++)
    {
      guchar c = s[i];

      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return FALSE;
      if (c & 0x80)
        ascii = FALSE;
    }
  return ascii || g_utf8_validate_len (s, len, NULL);
}

static LineResult
parse_start_line (MsrpChunkParser *parser,
                  const char      *base,
                  gsize            ls,
                  gsize            le,
                  GError         **error)
{
  gsize content_end = le - 1;
  gboolean crlf = FALSE;
  gsize p, tid_end;

  if (content_end > ls && base[content_end - 1] == '\r')
    {
      content_end--;
      crlf = TRUE;
    }

  /* Stray blank lines between chunks are harmless. */
  if (content_end == ls)
    return LINE_BLANK;

  if (content_end - ls < 5 || memcmp (base + ls, "MSRP ", 5) != 0)
    {
      set_error_literal (error, MSRP_ERROR_MALFORMED_CHUNK,
                         _("The peer sent data that is not an MSRP start line"));
      return LINE_FATAL;
    }

  p = ls + 5;
  tid_end = p;
  while (tid_end < content_end && base[tid_end] != ' ')
    tid_end++;
  if (tid_end == content_end || !_msrp_is_ident (base + p, tid_end - p))
    {
      set_error_literal (error, MSRP_ERROR_MALFORMED_CHUNK,
                         _("The MSRP start line has no valid transaction ID"));
      return LINE_FATAL;
    }

  parser->tid_off = p;
  parser->tid_len = tid_end - p;
  memcpy (parser->tid, base + p, parser->tid_len);
  parser->tid[parser->tid_len] = '\0';
  memcpy (parser->needle, "\r\n-------", 9);
  memcpy (parser->needle + 9, parser->tid, parser->tid_len);
  parser->needle_len = 9 + parser->tid_len;

  p = tid_end + 1;
  /* From here on the chunk can be framed by its end-line. */
  while (content_end > p && (base[content_end - 1] == ' ' || base[content_end - 1] == '\t'))
    content_end--;

  if (p < content_end && g_ascii_isdigit (base[p]))
    {
      if (content_end - p < 3 ||
          !g_ascii_isdigit (base[p + 1]) || !g_ascii_isdigit (base[p + 2]) ||
          (content_end - p > 3 && base[p + 3] != ' ') ||
          base[p] == '0')
        {
          set_error_literal (error, MSRP_ERROR_MALFORMED_CHUNK,
                             _("The MSRP response has an invalid status code"));
          return LINE_MALFORMED;
        }
      parser->code = (base[p] - '0') * 100 + (base[p + 1] - '0') * 10 + (base[p + 2] - '0');
      if (content_end - p > 4)
        {
          parser->has_comment = TRUE;
          parser->comment_off = p + 4;
          parser->comment_len = content_end - (p + 4);
          if (!is_value_ok (base + parser->comment_off, parser->comment_len))
            {
              set_error_literal (error, MSRP_ERROR_MALFORMED_CHUNK,
                                 _("The MSRP response comment has invalid characters"));
              return LINE_MALFORMED;
            }
        }
    }
  else
    {
      parser->method_off = p;
      parser->method_len = content_end - p;
      if (parser->method_len == 0)
        {
          set_error_literal (error, MSRP_ERROR_MALFORMED_CHUNK,
                             _("The MSRP start line has no method"));
          return LINE_MALFORMED;
        }
      for (gsize i = p; i < content_end; i++)
        if (!g_ascii_isupper (base[i]))
          {
            set_error_literal (error, MSRP_ERROR_MALFORMED_CHUNK,
                               _("The MSRP request has an invalid method"));
            return LINE_MALFORMED;
          }
    }

  if (!crlf)
    {
      set_error_literal (error, MSRP_ERROR_MALFORMED_CHUNK,
                         _("An MSRP line does not end with CRLF"));
      return LINE_MALFORMED;
    }

  return LINE_NEXT;
}

static LineResult
parse_header_line (MsrpChunkParser *parser,
                   const char      *base,
                   gsize            ls,
                   gsize            le,
                   GError         **error)
{
  gsize end = le - 1;
  gsize colon, vs;
  MsrpParserHeader *h;

  if (end == ls || base[end - 1] != '\r')
    {
      set_error_literal (error, MSRP_ERROR_MALFORMED_CHUNK,
                         _("An MSRP line does not end with CRLF"));
      return LINE_MALFORMED;
    }
  end--;

  if (end == ls)
    return LINE_BODY;

  if (base[ls] == '-' && end - ls >= 7 && memcmp (base + ls, "-------", 7) == 0)
    {
      /* Tolerate trailing blanks here: taking the line for a bad header
       * would drop everything up to an end-line that never comes. */
      while (end - ls > 7 + parser->tid_len + 1 && (base[end - 1] == ' ' || base[end - 1] == '\t'))
        end--;
      if (end - ls == 7 + parser->tid_len + 1 &&
          memcmp (base + ls + 7, parser->tid, parser->tid_len) == 0 &&
          is_flag (base[end - 1]))
        {
          parser->end_flag = flag_to_continuation (base[end - 1]);
          return LINE_END;
        }
      set_error_literal (error, MSRP_ERROR_MALFORMED_CHUNK,
                         _("An MSRP end-line does not match the transaction ID"));
      return LINE_MALFORMED;
    }

  colon = ls;
  while (colon < end && is_token_char (base[colon]))
    colon++;
  if (colon == ls || colon == end || base[colon] != ':')
    {
      set_error_literal (error, MSRP_ERROR_MALFORMED_CHUNK,
                         _("An MSRP header line is not “Name: value”"));
      return LINE_MALFORMED;
    }

  vs = colon + 1;
  while (vs < end && (base[vs] == ' ' || base[vs] == '\t'))
    vs++;
  while (end > vs && (base[end - 1] == ' ' || base[end - 1] == '\t'))
    end--;
  if (!is_value_ok (base + vs, end - vs))
    {
      set_error_literal (error, MSRP_ERROR_MALFORMED_CHUNK,
                         _("An MSRP header value has invalid characters"));
      return LINE_MALFORMED;
    }

  if (parser->n_headers >= parser->max_headers)
    {
      set_error_literal (error, MSRP_ERROR_TOO_MANY_HEADERS,
                         _("The MSRP chunk has too many headers"));
      return LINE_MALFORMED;
    }

  h = &parser->headers[parser->n_headers++];
  h->name_off = ls;
  h->name_len = colon - ls;
  h->value_off = vs;
  h->value_len = end - vs;

  return LINE_NEXT;
}

static gboolean
emit_head (MsrpChunkParser *parser,
           const char      *base,
           gsize            len,
           gboolean         has_body)
{
  MsrpChunkHead head = {
    .base = base,
    .len = len,
    .tid = base + parser->tid_off,
    .tid_len = parser->tid_len,
    .method = parser->method_len ? base + parser->method_off : NULL,
    .method_len = parser->method_len,
    .code = parser->code,
    .comment = parser->has_comment ? base + parser->comment_off : NULL,
    .comment_len = parser->has_comment ? parser->comment_len : 0,
    .headers = parser->headers,
    .n_headers = parser->n_headers,
    .has_body = has_body,
  };

  if (parser->callbacks.head == NULL)
    return TRUE;
  return parser->callbacks.head (&head, parser->user_data);
}

/* Tells the caller about a recoverable error, and drops the rest of the
 * chunk.
 *
 * After a bad line (@skip_headers) the rest of the header block is read
 * line by line (STATE_SKIP_HEADERS): it must still end within the limits,
 * so that a block that never ends is not read for ever.
 *
 * Past a limit, the rest is dropped up to the end-line (STATE_SKIP).
 * line/line_len is then the part of the current line already taken (it
 * has no LF yet): with the CRLF that ended the previous line it may be
 * the beginning of the end-line, and is then held back as such, so that
 * the end-line is found however the bytes came in; else only a CR it
 * ends with may begin one. */
static gboolean
emit_malformed (MsrpChunkParser *parser,
                const char      *base,
                gboolean         skip_headers,
                const char      *line,
                gsize            line_len,
                GError          *error)
{
  char *method = NULL;
  gboolean go_on = TRUE;
  gboolean end_line = TRUE;

  if (parser->code == 0 && parser->method_len > 0 && base != NULL)
    method = g_strndup (base + parser->method_off, parser->method_len);

  if (skip_headers)
    {
      gsize block_len = parser->block_len;

      reset_block (parser);
      parser->skipped = block_len;
      parser->state = STATE_SKIP_HEADERS;
      goto emit;
    }

  for (gsize k = 0; k < line_len && end_line; k++)
    end_line = 2 + k < parser->needle_len + 3 && end_line_match (parser, 2 + k, line[k]);

  parser->state = STATE_SKIP;
  if (end_line)
    {
      memcpy (parser->pending, "\r\n", 2);
      if (line_len > 0)
        memcpy (parser->pending + 2, line, line_len);
      parser->pending_len = 2 + line_len;
    }
  else if (line[line_len - 1] == '\r')
    {
      parser->pending[0] = '\r';
      parser->pending_len = 1;
    }
  else
    parser->pending_len = 0;
  reset_block (parser);

emit:
  if (parser->callbacks.malformed != NULL)
    go_on = parser->callbacks.malformed (parser->tid, method, error, parser->user_data);

  g_free (method);
  g_error_free (error);
  return go_on;
}

static gboolean
deliver_pending_end (MsrpChunkParser *parser)
{
  parser->end_pending = FALSE;
  if (parser->callbacks.end == NULL)
    return TRUE;
  return parser->callbacks.end (parser->end_flag, parser->user_data);
}

static void
fail (MsrpChunkParser *parser,
      GError         **error,
      GError          *local_error)
{
  parser->state = STATE_FAILED;
  g_propagate_error (error, local_error);
}

/* A whole line of a malformed chunk's header block: only where the block
 * ends matters. */
static void
skip_header_line (MsrpChunkParser *parser,
                  const char      *base)
{
  g_autoptr(GError) ignored = NULL;
  gsize block_len = parser->block_len;

  switch (parse_header_line (parser, base, parser->line_start, parser->block_len, &ignored))
    {
    case LINE_BODY:
      /* A body follows: it is dropped up to its end-line. */
      parser->state = STATE_SKIP;
      parser->pending_len = 0;
      reset_block (parser);
      break;

    case LINE_END:
      parser->state = STATE_START;
      reset_block (parser);
      break;

    case LINE_NEXT:
    case LINE_MALFORMED:
    case LINE_BLANK:
    case LINE_FATAL:
    default:
      /* Only the current line is kept. */
      block_len += parser->skipped;
      reset_block (parser);
      parser->skipped = block_len;
      parser->state = STATE_SKIP_HEADERS;
      break;
    }
}

gboolean
_msrp_chunk_parser_feed (MsrpChunkParser *parser,
                        const guint8    *data,
                        gsize            len,
                        gsize           *consumed,
                        GError         **error)
{
  gsize i = 0;
  gsize block_origin = 0;
  gboolean ok = TRUE;

  if (parser->state == STATE_FAILED)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CHUNK,
                           _("The MSRP stream cannot be parsed any further"));
      ok = FALSE;
      goto out;
    }

  /* A head callback paused right before the end of a chunk without body. */
  if (parser->end_pending && !deliver_pending_end (parser))
    goto out;

  while (i < len)
    {
      switch (parser->state)
        {
        case STATE_START:
        case STATE_HEADERS:
        case STATE_SKIP_HEADERS:
          {
            const guint8 *nl;
            gsize piece_end, piece;
            const char *base;
            GError *local_error = NULL;
            gsize line_begin;
            LineResult r;

            if (parser->block_len == 0)
              block_origin = i;

            nl = memchr (data + i, '\n', len - i);
            piece_end = nl ? (gsize) (nl - data) + 1 : len;
            piece = piece_end - i;

            if (parser->block_len - parser->line_start + piece > parser->max_line ||
                parser->skipped + parser->block_len + piece > parser->max_block)
              {
                gboolean line = parser->block_len - parser->line_start + piece > parser->max_line;

                if (line)
                  g_set_error (&local_error, MSRP_ERROR, MSRP_ERROR_LINE_TOO_LONG,
                               _("An MSRP header line is longer than %u bytes"),
                               (guint) MIN (parser->max_line, G_MAXUINT));
                else
                  g_set_error (&local_error, MSRP_ERROR, MSRP_ERROR_HEADERS_TOO_LARGE,
                               _("An MSRP header block is larger than %u bytes"),
                               (guint) parser->max_block);
                /* A malformed chunk was reported already: its block must
                 * not go on for ever. */
                if (parser->state == STATE_START || parser->state == STATE_SKIP_HEADERS)
                  {
                    fail (parser, error, local_error);
                    ok = FALSE;
                    goto out;
                  }
                base = parser->buffered ? (const char *) parser->buf : (const char *) data + block_origin;
                if (!emit_malformed (parser, base, FALSE, base + parser->line_start,
                                     parser->block_len - parser->line_start, local_error))
                  goto out;
                continue;
              }

            if (parser->buffered)
              buf_append (parser, data + i, piece);
            parser->block_len += piece;
            i = piece_end;

            if (nl == NULL)
              {
                if (!parser->buffered)
                  {
                    parser->block_len = 0;
                    buf_append (parser, data + block_origin, piece_end - block_origin);
                    parser->block_len = piece_end - block_origin;
                    parser->buffered = TRUE;
                  }
                break;
              }

            base = parser->buffered ? (const char *) parser->buf : (const char *) data + block_origin;
            line_begin = parser->line_start;
            if (parser->state == STATE_SKIP_HEADERS)
              {
                skip_header_line (parser, base);
                break;
              }
            if (parser->state == STATE_START)
              r = parse_start_line (parser, base, parser->line_start, parser->block_len, &local_error);
            else
              r = parse_header_line (parser, base, parser->line_start, parser->block_len, &local_error);
            parser->line_start = parser->block_len;

            switch (r)
              {
              case LINE_NEXT:
                parser->state = STATE_HEADERS;
                /* The piece ends on a line boundary inside the block: keep
                 * the block, the caller's buffer will be gone. */
                if (i == len && !parser->buffered)
                  {
                    gsize block_len = parser->block_len;

                    parser->block_len = 0;
                    buf_append (parser, data + block_origin, block_len);
                    parser->block_len = block_len;
                    parser->buffered = TRUE;
                  }
                break;

              case LINE_BLANK:
                reset_block (parser);
                break;

              case LINE_BODY:
                parser->state = STATE_BODY;
                parser->pending_len = 0;
                if (!emit_head (parser, base, parser->block_len, TRUE))
                  {
                    reset_block (parser);
                    goto out;
                  }
                reset_block (parser);
                break;

              case LINE_END:
                parser->state = STATE_START;
                parser->end_pending = TRUE;
                /* The head ends before the end-line. */
                if (!emit_head (parser, base, line_begin, FALSE))
                  {
                    reset_block (parser);
                    goto out;
                  }
                reset_block (parser);
                if (!deliver_pending_end (parser))
                  goto out;
                break;

              case LINE_MALFORMED:
                if (!emit_malformed (parser, base, TRUE, NULL, 0, local_error))
                  goto out;
                break;

              case LINE_FATAL:
              default:
                fail (parser, error, local_error);
                ok = FALSE;
                goto out;
              }
          }
          break;

        case STATE_BODY:
        case STATE_SKIP:
          {
            gboolean emit = parser->state == STATE_BODY;
            gsize end_len = parser->needle_len + 3;
            gsize s;
            guchar flag;

            if (parser->pending_len > 0)
              {
                gsize had = parser->pending_len;
                gsize j = 0;

                while (had + j < end_len && i + j < len &&
                       end_line_match (parser, had + j, data[i + j]))
                  j++;

                if (had + j == end_len)
                  {
                    if (parser->needle_len < had)
                      flag = parser->pending[parser->needle_len];
                    else
                      flag = data[i + parser->needle_len - had];
                    i += j;
                    parser->pending_len = 0;
                    goto chunk_end;
                  }

                if (i + j == len)
                  {
                    memcpy (parser->pending + had, data + i, j);
                    parser->pending_len += j;
                    i = len;
                    break;
                  }

                /* Not an end-line after all: what was held back is body.
                 * No end-line can begin inside it (a '\r' occurs in an
                 * end-line only at its start and before its last byte), so
                 * the search goes on at i. */
                parser->pending_len = 0;
                if (emit && parser->callbacks.body != NULL &&
                    !parser->callbacks.body (parser->pending, had, parser->user_data))
                  goto out;
              }

            s = i;
            for (;;)
              {
                const guint8 *hit = memmem (data + s, len - s, parser->needle, parser->needle_len);
                gsize h, avail;

                if (hit == NULL)
                  {
                    gsize tail = len - s < parser->needle_len ? s : len - (parser->needle_len - 1);
                    gsize body_end = len;

                    /* Does the piece end with the beginning of an end-line? */
                    for (const guint8 *cr = memchr (data + tail, '\r', len - tail);
                         cr != NULL;
                         cr = memchr (cr + 1, '\r', len - (cr + 1 - data)))
                      {
                        gsize k = cr - data;

                        if (memcmp (cr, parser->needle, len - k) == 0)
                          {
                            body_end = k;
                            break;
                          }
                      }

                    if (body_end > i && emit && parser->callbacks.body != NULL &&
                        !parser->callbacks.body (data + i, body_end - i, parser->user_data))
                      {
                        i = body_end;
                        goto out;
                      }
                    memcpy (parser->pending, data + body_end, len - body_end);
                    parser->pending_len = len - body_end;
                    i = len;
                    break;
                  }

                h = hit - data;
                avail = len - (h + parser->needle_len);
                if ((avail >= 1 && !is_flag (data[h + parser->needle_len])) ||
                    (avail >= 2 && data[h + parser->needle_len + 1] != '\r') ||
                    (avail >= 3 && data[h + parser->needle_len + 2] != '\n'))
                  {
                    s = h + 1;
                    continue;
                  }

                if (h > i && emit && parser->callbacks.body != NULL &&
                    !parser->callbacks.body (data + i, h - i, parser->user_data))
                  {
                    i = h;
                    goto out;
                  }

                if (avail < 3)
                  {
                    memcpy (parser->pending, data + h, len - h);
                    parser->pending_len = len - h;
                    i = len;
                    break;
                  }

                flag = data[h + parser->needle_len];
                i = h + end_len;
                goto chunk_end;
              }
            break;

          chunk_end:
            parser->state = STATE_START;
            reset_block (parser);
            if (emit && parser->callbacks.end != NULL &&
                !parser->callbacks.end (flag_to_continuation (flag), parser->user_data))
              goto out;
          }
          break;

        case STATE_FAILED:
        default:
          g_assert_not_reached ();
        }
    }

out:
  if (consumed != NULL)
    *consumed = i;
  return ok;
}
