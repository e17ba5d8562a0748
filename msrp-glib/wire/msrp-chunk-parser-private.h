/* msrp-chunk-parser-private.h: the incremental MSRP chunk parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>
#include "msrp-chunk.h"

G_BEGIN_DECLS

/* Default hard limits. */
#define MSRP_PARSER_MAX_HEADER_BLOCK (64 * 1024)
#define MSRP_PARSER_MAX_LINE         (16 * 1024)
#define MSRP_PARSER_MAX_HEADERS      64

typedef struct _MsrpChunkParser MsrpChunkParser;

/* One header, as offsets into MsrpChunkHead.base. */
typedef struct {
  guint32 name_off;
  guint32 name_len;
  guint32 value_off;
  guint32 value_len;
} MsrpParserHeader;

/* A complete header block: the start line and the header lines, with the
 * blank line when a body follows, never the end-line. Every pointer is
 * valid only during the head callback. Strings are not NUL-terminated:
 * use the lengths. */
typedef struct {
  const char             *base;
  gsize                   len;
  const char             *tid;
  gsize                   tid_len;
  const char             *method;     /* NULL for a response */
  gsize                   method_len;
  guint                   code;       /* 0 for a request */
  const char             *comment;    /* NULL when the response has none */
  gsize                   comment_len;
  const MsrpParserHeader *headers;
  guint                   n_headers;
  gboolean                has_body;   /* a blank line, then a body, follow */
} MsrpChunkHead;

/* Every callback returns TRUE to go on, FALSE to pause: feed() then
 * returns at once, and *consumed tells how far it got. */
typedef struct {
  /* A header block was parsed. */
  gboolean (*head)      (const MsrpChunkHead *head,
                         gpointer             user_data);
  /* A slice of body; data points into the fed buffer when it can, so it is
   * valid only during the callback. */
  gboolean (*body)      (const guint8        *data,
                         gsize                len,
                         gpointer             user_data);
  /* The end-line was parsed: the chunk is complete. */
  gboolean (*end)       (MsrpContinuation     continuation,
                         gpointer             user_data);
  /* A chunk that can still be framed is malformed: a request gets 400. The
   * parser drops the rest of it (up to its end-line) and goes on; when the
   * error is a bad line, the rest of its header block must still end
   * within the limits, or feed() fails with MSRP_ERROR_HEADERS_TOO_LARGE
   * (or LINE_TOO_LONG). method is NULL for a response. */
  gboolean (*malformed) (const char          *tid,
                         const char          *method,
                         const GError        *error,
                         gpointer             user_data);
} MsrpChunkParserCallbacks;

MsrpChunkParser *_msrp_chunk_parser_new        (const MsrpChunkParserCallbacks *callbacks,
                                               gpointer                        user_data);
void             _msrp_chunk_parser_free       (MsrpChunkParser *parser);
void             _msrp_chunk_parser_set_limits (MsrpChunkParser *parser,
                                               gsize            max_line,
                                               gsize            max_header_block,
                                               guint            max_headers);

/* Parses data. Returns FALSE when the stream cannot be framed any more: the
 * connection must close (error says why; the parser stays failed). */
gboolean         _msrp_chunk_parser_feed       (MsrpChunkParser *parser,
                                               const guint8    *data,
                                               gsize            len,
                                               gsize           *consumed,
                                               GError         **error);

/* TRUE between chunks: an end of stream here is a clean close. */
gboolean         _msrp_chunk_parser_is_idle    (MsrpChunkParser *parser);

/* TRUE while a body is being parsed (head delivered, end-line not yet). */
gboolean         _msrp_chunk_parser_in_body    (MsrpChunkParser *parser);

/* In a body: the bytes at the end of what was fed that the parser holds
 * back (they may begin the end-line). They come out as body, before the
 * next bytes fed, unless they turn out to be the end-line. */
gsize            _msrp_chunk_parser_get_held   (MsrpChunkParser *parser);

void             _msrp_chunk_parser_reset      (MsrpChunkParser *parser);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsrpChunkParser, _msrp_chunk_parser_free)

G_END_DECLS
