/* msrp-chat-message-private.h: how MsrpChat makes its messages
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-chat-message.h"

G_BEGIN_DECLS

/* Takes nothing: every argument is copied or referenced. */
MsrpChatMessage *_msrp_chat_message_new (GBytes             *content,
                                         const char         *content_type,
                                         const char         *sender,
                                         const char * const *recipients,
                                         GDateTime          *timestamp,
                                         const char         *message_id,
                                         gboolean            is_private,
                                         MsrpCpimMessage    *cpim);

G_END_DECLS
