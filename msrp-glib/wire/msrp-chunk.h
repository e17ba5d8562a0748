/* msrp-chunk.h: MSRP requests and responses
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <glib-object.h>
#include "msrp-version.h"

G_BEGIN_DECLS

/**
 * MsrpContinuation:
 * @MSRP_CONTINUATION_END: `$`: the last chunk of the message
 * @MSRP_CONTINUATION_MORE: `+`: more chunks of the message follow
 * @MSRP_CONTINUATION_ABORT: `#`: the sender aborted the message
 *
 * The continuation flag at the end of a chunk's end-line.
 *
 * Since: 1.0
 */
typedef enum {
  MSRP_CONTINUATION_END,
  MSRP_CONTINUATION_MORE,
  MSRP_CONTINUATION_ABORT,
} MsrpContinuation;

/**
 * MsrpFailureReport:
 * @MSRP_FAILURE_REPORT_YES: every chunk gets a response (the default)
 * @MSRP_FAILURE_REPORT_NO: no responses and no failure reports at all
 * @MSRP_FAILURE_REPORT_PARTIAL: only failures are answered
 *
 * The value of a SEND's Failure-Report header.
 *
 * Since: 1.0
 */
typedef enum {
  MSRP_FAILURE_REPORT_YES,
  MSRP_FAILURE_REPORT_NO,
  MSRP_FAILURE_REPORT_PARTIAL,
} MsrpFailureReport;

#define MSRP_TYPE_CHUNK (msrp_chunk_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpChunk, msrp_chunk, MSRP, CHUNK, GObject)

MSRP_AVAILABLE_IN_ALL
MsrpChunk        *msrp_chunk_new_request        (const char   *method,
                                                 const char   *transaction_id);
MSRP_AVAILABLE_IN_ALL
MsrpChunk        *msrp_chunk_new_response       (const char   *transaction_id,
                                                 guint         code,
                                                 const char   *comment);
MSRP_AVAILABLE_IN_ALL
MsrpChunk        *msrp_chunk_parse              (GBytes       *data,
                                                 gsize        *consumed,
                                                 GError      **error);
MSRP_AVAILABLE_IN_ALL
GBytes           *msrp_chunk_encode             (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
MsrpChunk        *msrp_chunk_copy               (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
gboolean          msrp_chunk_verify_headers     (MsrpChunk    *chunk,
                                                 GError      **error);

MSRP_AVAILABLE_IN_ALL
const char       *msrp_chunk_get_method         (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_chunk_get_transaction_id (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
guint             msrp_chunk_get_code           (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_chunk_get_comment        (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
gboolean          msrp_chunk_is_request         (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
MsrpContinuation  msrp_chunk_get_continuation   (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_continuation   (MsrpChunk    *chunk,
                                                 MsrpContinuation continuation);
MSRP_AVAILABLE_IN_ALL
GBytes           *msrp_chunk_get_data           (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_data           (MsrpChunk    *chunk,
                                                 GBytes       *data);
MSRP_AVAILABLE_IN_ALL
gsize             msrp_chunk_get_size           (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
guint             msrp_chunk_get_segment        (MsrpChunk    *chunk);

MSRP_AVAILABLE_IN_ALL
const char       *msrp_chunk_get_header         (MsrpChunk    *chunk,
                                                 const char   *name);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_header         (MsrpChunk    *chunk,
                                                 const char   *name,
                                                 const char   *value);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_add_header         (MsrpChunk    *chunk,
                                                 const char   *name,
                                                 const char   *value);
MSRP_AVAILABLE_IN_ALL
gboolean          msrp_chunk_remove_header      (MsrpChunk    *chunk,
                                                 const char   *name);
MSRP_AVAILABLE_IN_ALL
char            **msrp_chunk_get_header_names   (MsrpChunk    *chunk);

MSRP_AVAILABLE_IN_ALL
GPtrArray        *msrp_chunk_get_to_path        (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_to_path        (MsrpChunk    *chunk,
                                                 GPtrArray    *path);
MSRP_AVAILABLE_IN_ALL
GPtrArray        *msrp_chunk_get_from_path      (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_from_path      (MsrpChunk    *chunk,
                                                 GPtrArray    *path);
MSRP_AVAILABLE_IN_ALL
GPtrArray        *msrp_chunk_get_use_path       (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_use_path       (MsrpChunk    *chunk,
                                                 GPtrArray    *path);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_chunk_get_message_id     (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_message_id     (MsrpChunk    *chunk,
                                                 const char   *message_id);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_chunk_get_content_type   (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_content_type   (MsrpChunk    *chunk,
                                                 const char   *content_type);
MSRP_AVAILABLE_IN_ALL
gboolean          msrp_chunk_get_byte_range     (MsrpChunk    *chunk,
                                                 gint64       *start,
                                                 gint64       *end,
                                                 gint64       *total);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_byte_range     (MsrpChunk    *chunk,
                                                 gint64        start,
                                                 gint64        end,
                                                 gint64        total);
MSRP_AVAILABLE_IN_ALL
gboolean          msrp_chunk_get_success_report (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_success_report (MsrpChunk    *chunk,
                                                 gboolean      success_report);
MSRP_AVAILABLE_IN_ALL
MsrpFailureReport msrp_chunk_get_failure_report (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_failure_report (MsrpChunk    *chunk,
                                                 MsrpFailureReport failure_report);
MSRP_AVAILABLE_IN_ALL
gboolean          msrp_chunk_get_status         (MsrpChunk    *chunk,
                                                 guint        *code,
                                                 const char  **comment);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_status         (MsrpChunk    *chunk,
                                                 guint         code,
                                                 const char   *comment);
MSRP_AVAILABLE_IN_ALL
gint64            msrp_chunk_get_expires        (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_expires        (MsrpChunk    *chunk,
                                                 gint64        seconds);
MSRP_AVAILABLE_IN_ALL
gint64            msrp_chunk_get_min_expires    (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_min_expires    (MsrpChunk    *chunk,
                                                 gint64        seconds);
MSRP_AVAILABLE_IN_ALL
gint64            msrp_chunk_get_max_expires    (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_max_expires    (MsrpChunk    *chunk,
                                                 gint64        seconds);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_chunk_get_www_authenticate (MsrpChunk  *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_www_authenticate (MsrpChunk  *chunk,
                                                   const char *value);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_chunk_get_authorization  (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_authorization  (MsrpChunk    *chunk,
                                                 const char   *value);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_chunk_get_authentication_info (MsrpChunk  *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_authentication_info (MsrpChunk  *chunk,
                                                      const char *value);
MSRP_AVAILABLE_IN_ALL
GHashTable       *msrp_chunk_get_auth_params    (MsrpChunk    *chunk,
                                                 const char   *name,
                                                 char        **scheme);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_chunk_get_content_id     (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_content_id     (MsrpChunk    *chunk,
                                                 const char   *content_id);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_chunk_get_content_description (MsrpChunk  *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_content_description (MsrpChunk  *chunk,
                                                      const char *description);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_chunk_get_content_disposition (MsrpChunk  *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_content_disposition (MsrpChunk  *chunk,
                                                      const char *disposition);
MSRP_AVAILABLE_IN_ALL
char             *msrp_chunk_get_use_nickname   (MsrpChunk    *chunk);
MSRP_AVAILABLE_IN_ALL
void              msrp_chunk_set_use_nickname   (MsrpChunk    *chunk,
                                                 const char   *nickname);

G_END_DECLS
