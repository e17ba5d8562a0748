/* msrp-chat-private.h: the parts of MsrpChat
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * MsrpChat is split in three around this header: the object, its
 * properties and the public API (msrp-chat.c); sending: the queue, the
 * checks against the peer's media, CPIM wrapping and the notifications it
 * writes (msrp-chat-outgoing.c); and receiving: the message check,
 * is-composing and the notifications it reads (msrp-chat-incoming.c).
 */

#pragma once

#include "msrp-chat.h"
#include "msrp-imdn.h"

G_BEGIN_DECLS

#define MAX_REMEMBERED_SENT 4096        /* ids whose notifications count */
#define MAX_REMEMBERED_DISPLAY 1024     /* incoming ids that asked for display */
#define MAX_COMPOSING_SENDERS 256
/* Delivery notifications we owe but the peer does not read: past this
 * many in flight, more are dropped (they are best effort). A peer that
 * pipelines is owed one per message of its window at once (bench-chat
 * keeps 256 in flight): 64 dropped them from peers that do read. */
#define MAX_NOTIFICATIONS_IN_FLIGHT 1024
/* Senders and ids come from the peer: longer ones are not remembered. */
#define MAX_REMEMBERED_KEY 1024
#define DEFAULT_COMPOSING_REFRESH 120   /* RFC 3994 section 4 */

typedef enum {
  OUT_MESSAGE,
  OUT_COMPOSING,
  OUT_NOTIFICATION,
} OutKind;

typedef struct {
  MsrpChat *chat;
  OutKind kind;
  char *id;
  GBytes *content;
  char *content_type;
  char **recipients;          /* NULL: the remote identity */
  GDateTime *timestamp;
  char *refusal;              /* why it cannot be sent, told later */
} Outgoing;

enum {
  SENT_DELIVERED = 1 << 0,
  SENT_FAILED = 1 << 1,
  SENT_DISPLAYED = 1 << 2,
};

/* A table that forgets its oldest keys past a bound. */
typedef struct {
  GHashTable *table;          /* key (owned) → value */
  GQueue order;               /* the keys, oldest first */
  guint max;
} Bounded;

struct _MsrpChat
{
  MsrpStream parent_instance;

  char *local_identity;
  char *remote_identity;
  char *remote_uri;
  char *local_uri;
  char *envelope;             /* From and To lines of our own messages */
  gint64 stamp_second;        /* the second that stamp holds */
  char stamp[24];             /* it as RFC 3339 says, UTC, without "Z" */
  char **accept_types;
  char **accept_wrapped_types;

  GMainContext *context;
  GQueue queued;              /* Outgoing before the chat runs */
  GQueue refused;             /* Outgoing to tell of from an idle */
  guint refusals_source;
  guint notifications_in_flight; /* automatic ones, handed to the session */
  gboolean no_delivery_requests; /* see _msrp_chat_set_request_notifications() */
  Bounded sent;               /* our message ids → SENT_* flags */
  Bounded display_requests;   /* incoming ids → their sender */
  GHashTable *composing;      /* sender → its idle timer (GSource) */

  /* What the message check parsed, for message-received right after. */
  MsrpChunk *checked_first;
  MsrpCpimMessage *checked_cpim;
};

enum {
  SIGNAL_MESSAGE_RECEIVED,
  SIGNAL_MESSAGE_DELIVERED,
  SIGNAL_MESSAGE_NOT_DELIVERED,
  SIGNAL_MESSAGE_DISPLAYED,
  SIGNAL_COMPOSING_INDICATION,
  N_SIGNALS
};

extern guint _msrp_chat_signals[N_SIGNALS];
#define signals _msrp_chat_signals

/* Shared by the two parts. */
void _msrp_chat_bounded_insert (Bounded *b, const char *key, gpointer value);
guint _msrp_chat_check_message (MsrpSession *session,
                                MsrpChunk *first,
                                GBytes *message,
                                gpointer user_data);
void _msrp_chat_clear_checked (MsrpChat *self);
void _msrp_chat_destroy_source (gpointer data);
void _msrp_chat_emit_not_delivered (MsrpChat *self,
                                    const char *message_id,
                                    guint code,
                                    const char *reason);
gboolean _msrp_chat_chatroom_allows (MsrpChat *self, const char *capability);
gboolean _msrp_chat_is_chatroom (MsrpChat *self);
gboolean _msrp_chat_is_type (const char *content_type, const char *type);
Outgoing * _msrp_chat_notification_new (MsrpChat *self,
                                        MsrpImdnKind kind,
                                        const char *status,
                                        const char *message_id,
                                        const char *recipient);
void _msrp_chat_on_message_received (MsrpSession *session,
                                     MsrpChunk *first,
                                     GBytes *data,
                                     gpointer user_data);
Outgoing * _msrp_chat_outgoing_new (OutKind kind, GBytes *content, const char *content_type);
void _msrp_chat_outgoing_free (Outgoing *out);
void _msrp_chat_send_now (MsrpChat *self, Outgoing *out);
void _msrp_chat_send_or_queue (MsrpChat *self, Outgoing *out);
gboolean _msrp_chat_types_contain (const char * const *types, const char *content_type);

gboolean _msrp_chat_sent_add_flags (MsrpChat   *self,
                                    const char *id,
                                    guint       flags);

void _msrp_chat_set_request_notifications (MsrpChat *self,
                                           gboolean  request);

G_END_DECLS
