/* msrp-chat.h: a chat stream (CPIM, IMDN, is-composing, RFC 7701)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include "msrp-version.h"
#include "msrp-types.h"
#include "msrp-stream.h"
#include "msrp-chat-message.h"
#include "msrp-is-composing.h"

G_BEGIN_DECLS

#define MSRP_TYPE_CHAT (msrp_chat_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpChat, msrp_chat, MSRP, CHAT, MsrpStream)

MSRP_AVAILABLE_IN_ALL
MsrpChat           *msrp_chat_new                        (const char          *local_identity,
                                                          const char          *remote_identity);

MSRP_AVAILABLE_IN_ALL
char               *msrp_chat_send_message               (MsrpChat            *chat,
                                                          GBytes              *content,
                                                          const char          *content_type,
                                                          const char * const  *recipients,
                                                          GDateTime           *timestamp,
                                                          GError             **error);
MSRP_AVAILABLE_IN_ALL
char               *msrp_chat_send_text                  (MsrpChat            *chat,
                                                          const char          *text,
                                                          GError             **error);
MSRP_AVAILABLE_IN_ALL
gboolean            msrp_chat_send_composing_indication  (MsrpChat            *chat,
                                                          const char          *state,
                                                          guint                refresh,
                                                          GError             **error);
MSRP_AVAILABLE_IN_ALL
gboolean            msrp_chat_send_display_notification  (MsrpChat            *chat,
                                                          const char          *message_id,
                                                          GError             **error);
MSRP_AVAILABLE_IN_ALL
void                msrp_chat_set_local_nickname_async   (MsrpChat            *chat,
                                                          const char          *nickname,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
gboolean            msrp_chat_set_local_nickname_finish  (MsrpChat            *chat,
                                                          GAsyncResult        *result,
                                                          GError             **error);

MSRP_AVAILABLE_IN_ALL
const char         *msrp_chat_get_local_identity         (MsrpChat            *chat);
MSRP_AVAILABLE_IN_ALL
const char         *msrp_chat_get_remote_identity        (MsrpChat            *chat);
MSRP_AVAILABLE_IN_ALL
const char * const *msrp_chat_get_accept_types           (MsrpChat            *chat);
MSRP_AVAILABLE_IN_ALL
void                msrp_chat_set_accept_types           (MsrpChat            *chat,
                                                          const char * const  *types);
MSRP_AVAILABLE_IN_ALL
const char * const *msrp_chat_get_accept_wrapped_types   (MsrpChat            *chat);
MSRP_AVAILABLE_IN_ALL
void                msrp_chat_set_accept_wrapped_types   (MsrpChat            *chat,
                                                          const char * const  *types);
MSRP_AVAILABLE_IN_ALL
gboolean            msrp_chat_get_cpim_enabled           (MsrpChat            *chat);
MSRP_AVAILABLE_IN_ALL
gboolean            msrp_chat_get_private_messages_allowed (MsrpChat          *chat);
MSRP_AVAILABLE_IN_ALL
gboolean            msrp_chat_get_nickname_allowed       (MsrpChat            *chat);

G_END_DECLS
