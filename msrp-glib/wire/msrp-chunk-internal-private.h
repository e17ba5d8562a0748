/* msrp-chunk-internal-private.h: the MsrpChunk struct and header storage,
 * shared by the msrp-chunk-*.c files only (other layers include
 * msrp-chunk-private.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-chunk-private.h"

G_BEGIN_DECLS

typedef enum {
  MSRP_HEADER_OTHER,
  MSRP_HEADER_TO_PATH,
  MSRP_HEADER_FROM_PATH,
  MSRP_HEADER_MESSAGE_ID,
  MSRP_HEADER_SUCCESS_REPORT,
  MSRP_HEADER_FAILURE_REPORT,
  MSRP_HEADER_BYTE_RANGE,
  MSRP_HEADER_STATUS,
  MSRP_HEADER_EXPIRES,
  MSRP_HEADER_MIN_EXPIRES,
  MSRP_HEADER_MAX_EXPIRES,
  MSRP_HEADER_USE_PATH,
  MSRP_HEADER_WWW_AUTHENTICATE,
  MSRP_HEADER_AUTHORIZATION,
  MSRP_HEADER_AUTHENTICATION_INFO,
  MSRP_HEADER_CONTENT_TYPE,
  MSRP_HEADER_CONTENT_ID,
  MSRP_HEADER_CONTENT_DESCRIPTION,
  MSRP_HEADER_CONTENT_DISPOSITION,
  MSRP_HEADER_USE_NICKNAME,
  MSRP_N_HEADER_IDS
} MsrpHeaderId;

/* The canonical spelling of each known header, indexed by MsrpHeaderId. */
extern const struct _MsrpKnownHeader {
  const char *name;
  guint8 len;
} _msrp_chunk_known_headers[MSRP_N_HEADER_IDS];

typedef struct {
  char *name;      /* static for known headers */
  char *value;
  guint8 id;
  guint8 rank;
  guint8 shared;   /* value in the chunk's strings block, not freed */
} MsrpHeader;

struct _MsrpChunk
{
  GObject parent_instance;

  char *method;
  char *transaction_id;
  guint code;
  char *comment;
  MsrpContinuation continuation;
  GBytes *data;
  GArray *headers;          /* of MsrpHeader, in wire order */
  GPtrArray *path_cache[3]; /* parsed To-Path, From-Path, Use-Path */
  guint segment;
  gboolean last_segment;
  /* A parsed chunk's start line and header values, in one block: the
   * strings above and the values of headers marked shared point into it. */
  char *strings;
  gsize strings_len;
};

/* Replaces the first header of that name, drops any others, or adds it;
 * a %NULL @value removes them all. @name only for MSRP_HEADER_OTHER. */
void     _msrp_chunk_set_by_id  (MsrpChunk    *chunk,
                                 MsrpHeaderId  id,
                                 const char   *name,
                                 const char   *value);
gboolean _msrp_chunk_remove_all (MsrpChunk    *chunk,
                                 MsrpHeaderId  id,
                                 const char   *name);

/* Inline: every chunk read or sent looks its headers up. */

static inline int
_msrp_chunk_path_index (MsrpHeaderId id)
{
  switch (id)
    {
    case MSRP_HEADER_TO_PATH:
      return 0;
    case MSRP_HEADER_FROM_PATH:
      return 1;
    case MSRP_HEADER_USE_PATH:
      return 2;
    default:
      return -1;
    }
}

/* Whether @h is the known header @id, or the extension header @name. */
static inline gboolean
_msrp_header_is (const MsrpHeader *h,
                 MsrpHeaderId      id,
                 const char       *name)
{
  return id != MSRP_HEADER_OTHER ? h->id == id
                                 : h->id == MSRP_HEADER_OTHER && g_ascii_strcasecmp (h->name, name) == 0;
}

static inline MsrpHeader *
_msrp_chunk_find_header (MsrpChunk    *chunk,
                         MsrpHeaderId  id,
                         const char   *name)
{
  for (guint i = 0; i < chunk->headers->len; i++)
    {
      MsrpHeader *h = &g_array_index (chunk->headers, MsrpHeader, i);

      if (_msrp_header_is (h, id, name))
        return h;
    }
  return NULL;
}

static inline const char *
_msrp_chunk_get_by_id (MsrpChunk    *chunk,
                       MsrpHeaderId  id)
{
  MsrpHeader *h = _msrp_chunk_find_header (chunk, id, NULL);

  return h ? h->value : NULL;
}

G_END_DECLS
