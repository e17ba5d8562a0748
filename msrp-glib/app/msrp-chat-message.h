/* msrp-chat-message.h: a message a chat received
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <glib-object.h>
#include "msrp-version.h"
#include "msrp-types.h"
#include "msrp-cpim-message.h"

G_BEGIN_DECLS

#define MSRP_TYPE_CHAT_MESSAGE (msrp_chat_message_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpChatMessage, msrp_chat_message, MSRP, CHAT_MESSAGE, GObject)

MSRP_AVAILABLE_IN_ALL
GBytes             *msrp_chat_message_get_content      (MsrpChatMessage *message);
MSRP_AVAILABLE_IN_ALL
const char         *msrp_chat_message_get_content_type (MsrpChatMessage *message);
MSRP_AVAILABLE_IN_ALL
const char         *msrp_chat_message_get_text         (MsrpChatMessage *message);
MSRP_AVAILABLE_IN_ALL
const char         *msrp_chat_message_get_sender       (MsrpChatMessage *message);
MSRP_AVAILABLE_IN_ALL
const char * const *msrp_chat_message_get_recipients   (MsrpChatMessage *message);
MSRP_AVAILABLE_IN_ALL
GDateTime          *msrp_chat_message_get_timestamp    (MsrpChatMessage *message);
MSRP_AVAILABLE_IN_ALL
const char         *msrp_chat_message_get_message_id   (MsrpChatMessage *message);
MSRP_AVAILABLE_IN_ALL
gboolean            msrp_chat_message_get_private      (MsrpChatMessage *message);
MSRP_AVAILABLE_IN_ALL
MsrpCpimMessage    *msrp_chat_message_get_cpim         (MsrpChatMessage *message);

G_END_DECLS
