/* msrp-session-app-private.h: what the application layer uses of sessions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-session.h"

G_BEGIN_DECLS

/* Checks a complete incoming message before its last chunk is answered:
 * 0 takes it, a status code refuses it (no success REPORT then, and no
 * message-received). The application layer uses it for what only the
 * content shows (a CPIM that does not parse, a wrapped type it does not
 * take). */
typedef guint (*MsrpMessageCheck) (MsrpSession *session,
                                   MsrpChunk   *first,
                                   GBytes      *message,
                                   gpointer     user_data);

/* For the application layer. */
void     _msrp_session_set_message_check    (MsrpSession         *session,
                                             MsrpMessageCheck     check,
                                             gpointer             user_data);
/* send_message_async with the caller's Message-ID and reports. */
void     _msrp_session_send_message_with_id (MsrpSession         *session,
                                             GBytes              *data,
                                             const char          *content_type,
                                             const char          *message_id,
                                             gboolean             success_report,
                                             MsrpFailureReport    failure_report,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);

G_END_DECLS
