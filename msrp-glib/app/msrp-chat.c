/* msrp-chat.c: a chat stream (CPIM, IMDN, is-composing, RFC 7701)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-chat-private.h"
#include "msrp-chat-message-private.h"
#include "msrp-stream-private.h"
#include "msrp-cpim-private.h"
#include "msrp-imdn.h"
#include "msrp-is-composing.h"
#include "msrp-enums.h"
#include "msrp-error.h"
#include "msrp-marshal.h"
#include "msrp-session-app-private.h"
#include "msrp-utils-private.h"
#include "msrp-xml-private.h"


/**
 * MsrpChat:
 *
 * A chat: the reference API's MSRPChat, the stream that chat applications
 * use. It follows the life cycle of [class@Msrp.Stream] (initialize with
 * the peer's offer or none, start with the peer's answer, end) and turns
 * the session's messages into things people see:
 *
 * - [method@Msrp.Chat.send_message] queues a message until the chat runs,
 *   and sends it wrapped in CPIM (RFC 3862) when the peer accepts
 *   `message/cpim`, as the reference does, else bare. Messages carry
 *   `Success-Report: yes` and `Failure-Report: partial`; wrapped ones also
 *   ask for IMDN (RFC 5438) delivery and display notifications.
 *   [signal@Msrp.Chat::message-delivered] comes from the success REPORT
 *   or a delivery notification, [signal@Msrp.Chat::message-not-delivered]
 *   from an error response, a failure REPORT, a timeout, a negative
 *   notification, or (code 0) from the chat itself when the peer cannot
 *   take the message at all.
 * - Incoming messages come unwrapped as [signal@Msrp.Chat::message-received];
 *   the chat answers requests for delivery notifications itself, and
 *   [method@Msrp.Chat.send_display_notification] sends display ones. A
 *   CPIM envelope that does not parse gets 400, a type the chat does not
 *   take 415.
 * - is-composing (RFC 3994) both ways: an `active` state that is not
 *   refreshed in time turns `idle` by itself.
 * - Chat rooms (RFC 7701): nicknames and private messages, when the peer's
 *   `a=chatroom` allows them.
 *
 * ```c
 * MsrpChat *chat = msrp_chat_new ("Alice <sip:alice@example.com>",
 *                                 "<sip:bob@example.com>");
 * g_signal_connect (chat, "message-received", G_CALLBACK (on_message), NULL);
 * // the offer goes into the SIP INVITE's SDP:
 * msrp_stream_initialize_async (MSRP_STREAM (chat), NULL, NULL, on_offer, NULL);
 * // ... with the answer: msrp_stream_start_async (MSRP_STREAM (chat), answer, ...)
 * msrp_chat_send_text (chat, "Hello", NULL);
 * ```
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (MsrpChat, msrp_chat, MSRP_TYPE_STREAM)

enum {
  PROP_0,
  PROP_LOCAL_IDENTITY,
  PROP_REMOTE_IDENTITY,
  PROP_ACCEPT_TYPES,
  PROP_ACCEPT_WRAPPED_TYPES,
  PROP_CPIM_ENABLED,
  PROP_PRIVATE_MESSAGES_ALLOWED,
  PROP_NICKNAME_ALLOWED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

guint _msrp_chat_signals[N_SIGNALS];

static const char * const default_accept_types[] = {
  "message/cpim", "text/*", "image/*", MSRP_IS_COMPOSING_CONTENT_TYPE, NULL
};
static const char * const default_accept_wrapped_types[] = {
  "text/*", "image/*", MSRP_IS_COMPOSING_CONTENT_TYPE, MSRP_IMDN_CONTENT_TYPE, NULL
};

/* Bounded tables */

static void
bounded_init (Bounded        *b,
              guint           max,
              GDestroyNotify  value_free)
{
  b->table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, value_free);
  g_queue_init (&b->order);
  b->max = max;
}

static void
bounded_clear (Bounded *b)
{
  g_queue_clear (&b->order);
  g_clear_pointer (&b->table, g_hash_table_unref);
}

void
_msrp_chat_bounded_insert (Bounded    *b,
                           const char *key,
                           gpointer    value)
{
  char *owned = g_strdup (key);

  /* A key there already keeps its place (and the table frees @owned). */
  if (!g_hash_table_insert (b->table, owned, value))
    return;
  g_queue_push_tail (&b->order, owned);
  while (b->order.length > b->max)
    g_hash_table_remove (b->table, g_queue_pop_head (&b->order));
}

/* Adds @flags to a message we sent, if the table still remembers it: an id
 * it forgot is not put back (it would be kept past the table's bound). */
gboolean
_msrp_chat_sent_add_flags (MsrpChat   *self,
                           const char *id,
                           guint       flags)
{
  gpointer key, value;

  if (!g_hash_table_lookup_extended (self->sent.table, id, &key, &value))
    return FALSE;
  g_hash_table_steal (self->sent.table, key);
  g_hash_table_insert (self->sent.table, key, GUINT_TO_POINTER (GPOINTER_TO_UINT (value) | flags));
  return TRUE;
}

static void
bounded_remove (Bounded    *b,
                const char *key)
{
  gpointer owned;

  if (!g_hash_table_lookup_extended (b->table, key, &owned, NULL))
    return;
  g_queue_remove (&b->order, owned);
  g_hash_table_remove (b->table, key);
}

/* Types */

/* Whether @content_type (parameters ignored) matches one of @types:
 * `*`, `type/ *` or the type itself, case-insensitively. */
gboolean
_msrp_chat_types_contain (const char * const *types,
                          const char         *content_type)
{
  const char *semicolon;
  gsize len;

  if (types == NULL || content_type == NULL)
    return FALSE;
  semicolon = strchr (content_type, ';');
  len = semicolon ? (gsize) (semicolon - content_type) : strlen (content_type);
  while (len > 0 && g_ascii_isspace (content_type[len - 1]))
    len--;
  for (guint i = 0; types[i] != NULL; i++)
    {
      const char *t = types[i];
      gsize tlen = strlen (t);

      if (strcmp (t, "*") == 0)
        return TRUE;
      if (tlen == len && g_ascii_strncasecmp (t, content_type, len) == 0)
        return TRUE;
      if (tlen >= 2 && t[tlen - 1] == '*' && t[tlen - 2] == '/' && tlen - 1 <= len &&
          g_ascii_strncasecmp (t, content_type, tlen - 1) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
_msrp_chat_is_type (const char *content_type,
                    const char *type)
{
  const char * const types[] = { type, NULL };

  return _msrp_chat_types_contain (types, content_type);
}

static gboolean
check_can_send (MsrpChat  *self,
                GError   **error)
{
  MsrpStreamState state = msrp_stream_get_state (MSRP_STREAM (self));

  if (state >= MSRP_STREAM_STATE_ENDING)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _("The chat has ended"));
      return FALSE;
    }
  return TRUE;
}

/* MsrpStream */

static gboolean
chat_prepare_local_media (MsrpStream    *stream,
                          MsrpSdpMedia  *local_media,
                          MsrpSdpMedia  *remote_offer,
                          GError       **error)
{
  MsrpChat *self = MSRP_CHAT (stream);

  msrp_sdp_media_set_accept_types (local_media, (const char * const *) self->accept_types);
  if (_msrp_chat_types_contain ((const char * const *) self->accept_types, "message/cpim"))
    msrp_sdp_media_set_accept_wrapped_types (local_media, (const char * const *) self->accept_wrapped_types);
  return TRUE;
}

static gboolean
chat_check_remote_media (MsrpStream    *stream,
                         MsrpSdpMedia  *remote,
                         GError       **error)
{
  const char * const *accept = msrp_sdp_media_get_accept_types (remote);

  if (accept == NULL || accept[0] == NULL)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                           _("The peer’s chat media has no a=accept-types"));
      return FALSE;
    }
  if (msrp_sdp_media_get_direction (remote) == MSRP_SDP_DIRECTION_INACTIVE)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                           _("The peer’s chat media is inactive"));
      return FALSE;
    }
  return TRUE;
}

static const char * const *
chat_accept_types (MsrpStream *stream)
{
  return (const char * const *) MSRP_CHAT (stream)->accept_types;
}

static void
chat_session_started (MsrpStream  *stream,
                      MsrpSession *session)
{
  MsrpChat *self = MSRP_CHAT (stream);
  Outgoing *out;

  _msrp_session_set_message_check (session, _msrp_chat_check_message, self);
  g_signal_connect_object (session, "message-received", G_CALLBACK (_msrp_chat_on_message_received), self, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CPIM_ENABLED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIVATE_MESSAGES_ALLOWED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NICKNAME_ALLOWED]);

  while ((out = g_queue_pop_head (&self->queued)) != NULL)
    _msrp_chat_send_now (self, out);
}

static void
fail_queued (MsrpChat *self)
{
  Outgoing *out;

  g_hash_table_remove_all (self->composing);
  while ((out = g_queue_pop_head (&self->queued)) != NULL)
    {
      if (out->kind == OUT_MESSAGE)
        _msrp_chat_emit_not_delivered (self, out->id, 0, _("The chat ended before the message was sent"));
      _msrp_chat_outgoing_free (out);
    }
}

static void
on_state_changed (MsrpChat   *self,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  if (msrp_stream_get_state (MSRP_STREAM (self)) >= MSRP_STREAM_STATE_ENDING)
    fail_queued (self);
}

/* GObject */

static void
msrp_chat_dispose (GObject *object)
{
  MsrpChat *self = MSRP_CHAT (object);
  MsrpSession *session = msrp_stream_get_session (MSRP_STREAM (self));

  if (session != NULL)
    _msrp_session_set_message_check (session, NULL, NULL);
  g_queue_clear_full (&self->queued, (GDestroyNotify) _msrp_chat_outgoing_free);
  g_queue_clear_full (&self->refused, (GDestroyNotify) _msrp_chat_outgoing_free);
  if (self->refusals_source != 0)
    {
      g_source_destroy (g_main_context_find_source_by_id (self->context, self->refusals_source));
      self->refusals_source = 0;
    }
  g_clear_pointer (&self->composing, g_hash_table_unref);
  _msrp_chat_clear_checked (self);
  G_OBJECT_CLASS (msrp_chat_parent_class)->dispose (object);
}

static void
msrp_chat_finalize (GObject *object)
{
  MsrpChat *self = MSRP_CHAT (object);

  g_main_context_unref (self->context);
  g_free (self->local_identity);
  g_free (self->remote_identity);
  g_free (self->remote_uri);
  g_free (self->local_uri);
  g_free (self->envelope);
  g_strfreev (self->accept_types);
  g_strfreev (self->accept_wrapped_types);
  bounded_clear (&self->sent);
  bounded_clear (&self->display_requests);
  G_OBJECT_CLASS (msrp_chat_parent_class)->finalize (object);
}

static void
msrp_chat_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  MsrpChat *self = MSRP_CHAT (object);

  switch (prop_id)
    {
    case PROP_LOCAL_IDENTITY:
      g_value_set_string (value, self->local_identity);
      break;
    case PROP_REMOTE_IDENTITY:
      g_value_set_string (value, self->remote_identity);
      break;
    case PROP_ACCEPT_TYPES:
      g_value_set_boxed (value, self->accept_types);
      break;
    case PROP_ACCEPT_WRAPPED_TYPES:
      g_value_set_boxed (value, self->accept_wrapped_types);
      break;
    case PROP_CPIM_ENABLED:
      g_value_set_boolean (value, msrp_chat_get_cpim_enabled (self));
      break;
    case PROP_PRIVATE_MESSAGES_ALLOWED:
      g_value_set_boolean (value, msrp_chat_get_private_messages_allowed (self));
      break;
    case PROP_NICKNAME_ALLOWED:
      g_value_set_boolean (value, msrp_chat_get_nickname_allowed (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_identity (char       **field,
              const char  *identity)
{
  g_autofree char *normalized = NULL;

  g_return_if_fail (identity != NULL);
  normalized = _msrp_cpim_normalize_identity (identity);
  /* Programmer error: identities are the application's own data. */
  g_return_if_fail (normalized != NULL);
  g_free (*field);
  *field = g_steal_pointer (&normalized);
}

static void
msrp_chat_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  MsrpChat *self = MSRP_CHAT (object);

  switch (prop_id)
    {
    case PROP_LOCAL_IDENTITY:
      set_identity (&self->local_identity, g_value_get_string (value));
      g_clear_pointer (&self->local_uri, g_free);
      g_clear_pointer (&self->envelope, g_free);
      break;
    case PROP_REMOTE_IDENTITY:
      set_identity (&self->remote_identity, g_value_get_string (value));
      g_clear_pointer (&self->envelope, g_free);
      g_free (self->remote_uri);
      self->remote_uri = self->remote_identity ? _msrp_cpim_identity_get_uri (self->remote_identity) : NULL;
      break;
    case PROP_ACCEPT_TYPES:
      msrp_chat_set_accept_types (self, g_value_get_boxed (value));
      break;
    case PROP_ACCEPT_WRAPPED_TYPES:
      msrp_chat_set_accept_wrapped_types (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_chat_init (MsrpChat *self)
{
  g_queue_init (&self->queued);
  g_queue_init (&self->refused);
  self->context = g_main_context_ref_thread_default ();
  bounded_init (&self->sent, MAX_REMEMBERED_SENT, NULL);
  bounded_init (&self->display_requests, MAX_REMEMBERED_DISPLAY, g_free);
  self->composing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, _msrp_chat_destroy_source);
  self->accept_types = g_strdupv ((char **) default_accept_types);
  self->accept_wrapped_types = g_strdupv ((char **) default_accept_wrapped_types);
  g_signal_connect (self, "notify::state", G_CALLBACK (on_state_changed), NULL);
}

static void
msrp_chat_class_init (MsrpChatClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  MsrpStreamClass *stream_class = MSRP_STREAM_CLASS (klass);

  object_class->dispose = msrp_chat_dispose;
  object_class->finalize = msrp_chat_finalize;
  object_class->get_property = msrp_chat_get_property;
  object_class->set_property = msrp_chat_set_property;

  stream_class->media_type = "message";
  stream_class->prepare_local_media = chat_prepare_local_media;
  stream_class->check_remote_media = chat_check_remote_media;
  stream_class->accept_types = chat_accept_types;
  stream_class->session_started = chat_session_started;

  /**
   * MsrpChat:local-identity:
   *
   * Who we are, as a CPIM identity (`"Display Name" <uri>` or `<uri>`;
   * other forms are normalized to these): the From of wrapped messages.
   *
   * Since: 1.0
   */
  properties[PROP_LOCAL_IDENTITY] =
    g_param_spec_string ("local-identity", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpChat:remote-identity:
   *
   * Who the peer is, as a CPIM identity: the To of wrapped messages, and
   * the sender of bare ones.
   *
   * Since: 1.0
   */
  properties[PROP_REMOTE_IDENTITY] =
    g_param_spec_string ("remote-identity", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpChat:accept-types:
   *
   * The content types the chat takes (its `a=accept-types`); by default
   * `message/cpim`, `text/ *`, `image/ *` and is-composing. Set it before
   * initializing.
   *
   * Since: 1.0
   */
  properties[PROP_ACCEPT_TYPES] =
    g_param_spec_boxed ("accept-types", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpChat:accept-wrapped-types:
   *
   * The content types the chat takes inside CPIM (its
   * `a=accept-wrapped-types`); by default `text/ *`, `image/ *`,
   * is-composing and IMDN. Set it before initializing.
   *
   * Since: 1.0
   */
  properties[PROP_ACCEPT_WRAPPED_TYPES] =
    g_param_spec_boxed ("accept-wrapped-types", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpChat:cpim-enabled:
   *
   * Whether messages go wrapped in CPIM: the peer's media accepts
   * `message/cpim`.
   *
   * Since: 1.0
   */
  properties[PROP_CPIM_ENABLED] =
    g_param_spec_boolean ("cpim-enabled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpChat:private-messages-allowed:
   *
   * Whether the peer, a chat room, takes private messages (RFC 7701
   * `a=chatroom:private-messages`, with CPIM).
   *
   * Since: 1.0
   */
  properties[PROP_PRIVATE_MESSAGES_ALLOWED] =
    g_param_spec_boolean ("private-messages-allowed", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpChat:nickname-allowed:
   *
   * Whether the peer, a chat room, takes nicknames (RFC 7701
   * `a=chatroom:nickname`).
   *
   * Since: 1.0
   */
  properties[PROP_NICKNAME_ALLOWED] =
    g_param_spec_boolean ("nickname-allowed", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MsrpChat::message-received:
   * @chat: the chat
   * @message: the message, unwrapped
   *
   * A message arrived (not is-composing or a notification: those have
   * signals of their own).
   *
   * Since: 1.0
   */
  signals[SIGNAL_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, MSRP_TYPE_CHAT_MESSAGE);

  /**
   * MsrpChat::message-delivered:
   * @chat: the chat
   * @message_id: the id [method@Msrp.Chat.send_message] gave
   *
   * The peer got the message: its success REPORT or delivery notification
   * came (once per message).
   *
   * Since: 1.0
   */
  signals[SIGNAL_MESSAGE_DELIVERED] =
    g_signal_new ("message-delivered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * MsrpChat::message-not-delivered:
   * @chat: the chat
   * @message_id: the id [method@Msrp.Chat.send_message] gave
   * @code: the MSRP status code (408 for a timeout), or 0 when the chat
   *   itself could not send it (a type the peer does not take, the chat
   *   ended) or a negative delivery notification came
   * @reason: why, for people
   *
   * The message did not reach the peer.
   *
   * Since: 1.0
   */
  signals[SIGNAL_MESSAGE_NOT_DELIVERED] =
    g_signal_new ("message-not-delivered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, _msrp_marshal_VOID__STRING_UINT_STRING,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_MESSAGE_NOT_DELIVERED], G_TYPE_FROM_CLASS (klass),
                              _msrp_marshal_VOID__STRING_UINT_STRINGv);

  /**
   * MsrpChat::message-displayed:
   * @chat: the chat
   * @message_id: the id [method@Msrp.Chat.send_message] gave
   *
   * The peer displayed the message (an IMDN display notification).
   *
   * Since: 1.0
   */
  signals[SIGNAL_MESSAGE_DISPLAYED] =
    g_signal_new ("message-displayed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * MsrpChat::composing-indication:
   * @chat: the chat
   * @indication: the is-composing state (`active` or `idle`)
   * @sender: who is (or stopped) composing, as a CPIM identity
   *
   * The peer (or a participant of a chat room) started or stopped
   * composing. An `active` state that is not refreshed in time is followed
   * by an `idle` one made by the chat.
   *
   * Since: 1.0
   */
  signals[SIGNAL_COMPOSING_INDICATION] =
    g_signal_new ("composing-indication", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, _msrp_marshal_VOID__OBJECT_STRING,
                  G_TYPE_NONE, 2, MSRP_TYPE_IS_COMPOSING, G_TYPE_STRING);
  g_signal_set_va_marshaller (signals[SIGNAL_COMPOSING_INDICATION], G_TYPE_FROM_CLASS (klass),
                              _msrp_marshal_VOID__OBJECT_STRINGv);
}

/* API */

/**
 * msrp_chat_new:
 * @local_identity: who we are: `"Display Name" <uri>`, `Display Name <uri>`,
 *   `<uri>` or a bare URI (`sip:`, `sips:`, `im:`, `tel:`, ...)
 * @remote_identity: who the peer is, in the same forms
 *
 * Makes a chat stream. Set [property@Msrp.Stream:relay],
 * [property@Msrp.Stream:server] and the other stream properties, then
 * initialize it.
 *
 * Returns: (transfer full): a new #MsrpChat
 *
 * Since: 1.0
 */
MsrpChat *
msrp_chat_new (const char *local_identity,
               const char *remote_identity)
{
  g_return_val_if_fail (local_identity != NULL, NULL);
  g_return_val_if_fail (remote_identity != NULL, NULL);

  return g_object_new (MSRP_TYPE_CHAT,
                       "local-identity", local_identity,
                       "remote-identity", remote_identity,
                       NULL);
}

/**
 * msrp_chat_send_message:
 * @chat: a #MsrpChat
 * @content: the message
 * @content_type: its MIME type, such as "text/plain"
 * @recipients: (nullable) (array zero-terminated=1): the CPIM To
 *   identities, or %NULL for the peer; in a chat room a single participant
 *   other than the room makes a private message
 * @timestamp: (nullable): the CPIM DateTime, or %NULL for now
 * @error: return location for a #GError
 *
 * Sends a message, or queues it until the chat has started. It goes
 * wrapped in CPIM when the peer accepts `message/cpim` (asking for IMDN
 * delivery and display notifications), else bare; recipients and a
 * timestamp need CPIM. What becomes of it is told by
 * [signal@Msrp.Chat::message-delivered] or
 * [signal@Msrp.Chat::message-not-delivered], with the id returned here.
 *
 * Returns: (transfer full): the message id (the MSRP Message-ID, and the
 *   IMDN Message-ID when wrapped), or %NULL with @error set when the chat
 *   has ended or a recipient is not a valid identity
 *
 * Since: 1.0
 */
char *
msrp_chat_send_message (MsrpChat            *chat,
                        GBytes              *content,
                        const char          *content_type,
                        const char * const  *recipients,
                        GDateTime           *timestamp,
                        GError             **error)
{
  Outgoing *out;
  char *id;

  g_return_val_if_fail (MSRP_IS_CHAT (chat), NULL);
  g_return_val_if_fail (content != NULL, NULL);
  g_return_val_if_fail (content_type != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_can_send (chat, error))
    return NULL;
  for (guint i = 0; recipients != NULL && recipients[i] != NULL; i++)
    {
      g_autofree char *normalized = _msrp_cpim_normalize_identity (recipients[i]);

      if (normalized == NULL)
        {
          g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_CPIM,
                       _("“%s” is not a valid recipient; write it as “Name <sip:user@host>” or as a URI"),
                       recipients[i]);
          return NULL;
        }
    }

  out = _msrp_chat_outgoing_new (OUT_MESSAGE, content, content_type);
  if (recipients != NULL && recipients[0] != NULL)
    out->recipients = g_strdupv ((char **) recipients);
  if (timestamp != NULL)
    out->timestamp = g_date_time_ref (timestamp);
  id = g_strdup (out->id);
  _msrp_chat_send_or_queue (chat, out);
  return id;
}

/**
 * msrp_chat_send_text:
 * @chat: a #MsrpChat
 * @text: the message, UTF-8
 * @error: return location for a #GError
 *
 * Sends a `text/plain` message to the peer, as
 * [method@Msrp.Chat.send_message] does.
 *
 * Returns: (transfer full): the message id, or %NULL with @error set
 *
 * Since: 1.0
 */
char *
msrp_chat_send_text (MsrpChat    *chat,
                     const char  *text,
                     GError     **error)
{
  g_autoptr(GBytes) content = NULL;

  g_return_val_if_fail (MSRP_IS_CHAT (chat), NULL);
  g_return_val_if_fail (text != NULL && g_utf8_validate (text, -1, NULL), NULL);

  content = g_bytes_new (text, strlen (text));
  return msrp_chat_send_message (chat, content, "text/plain;charset=UTF-8", NULL, NULL, error);
}

/**
 * msrp_chat_send_composing_indication:
 * @chat: a #MsrpChat
 * @state: "active" or "idle"
 * @refresh: seconds until the peer turns an active state idle by itself
 *   unless another indication comes, or 0 for the default (120)
 * @error: return location for a #GError
 *
 * Tells the peer that we are composing a message, or stopped (RFC 3994).
 *
 * Returns: %TRUE when it was sent or queued, else %FALSE with @error set
 *   (the chat ended)
 *
 * Since: 1.0
 */
gboolean
msrp_chat_send_composing_indication (MsrpChat    *chat,
                                     const char  *state,
                                     guint        refresh,
                                     GError     **error)
{
  g_autoptr(MsrpIsComposing) indication = NULL;
  g_autoptr(GBytes) body = NULL;
  gboolean active;

  g_return_val_if_fail (MSRP_IS_CHAT (chat), FALSE);
  g_return_val_if_fail (g_strcmp0 (state, "active") == 0 || g_strcmp0 (state, "idle") == 0, FALSE);

  if (!check_can_send (chat, error))
    return FALSE;
  active = strcmp (state, "active") == 0;
  indication = msrp_is_composing_new (state, "text/plain", active ? refresh : 0);
  if (active)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      msrp_is_composing_set_last_active (indication, now);
    }
  body = msrp_is_composing_to_bytes (indication);
  _msrp_chat_send_or_queue (chat, _msrp_chat_outgoing_new (OUT_COMPOSING, body, MSRP_IS_COMPOSING_CONTENT_TYPE));
  return TRUE;
}

/**
 * msrp_chat_send_display_notification:
 * @chat: a #MsrpChat
 * @message_id: the [property@Msrp.ChatMessage:message-id] of a received
 *   message
 * @error: return location for a #GError
 *
 * Tells the sender of a message that it was displayed (an IMDN display
 * notification), as its sender asked. RFC 5438 allows it only for
 * messages that asked for it, and once.
 *
 * Returns: %TRUE when it was sent, else %FALSE with @error set
 *   (%G_IO_ERROR_NOT_FOUND when no recent message with that id asked for
 *   one)
 *
 * Since: 1.0
 */
gboolean
msrp_chat_send_display_notification (MsrpChat    *chat,
                                     const char  *message_id,
                                     GError     **error)
{
  const char *sender;

  g_return_val_if_fail (MSRP_IS_CHAT (chat), FALSE);
  g_return_val_if_fail (message_id != NULL, FALSE);

  if (!check_can_send (chat, error))
    return FALSE;
  sender = g_hash_table_lookup (chat->display_requests.table, message_id);
  if (sender == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No message “%s” asked for a display notification"), message_id);
      return FALSE;
    }
  _msrp_chat_send_or_queue (chat, _msrp_chat_notification_new (chat, MSRP_IMDN_KIND_DISPLAY, "displayed", message_id, sender));
  bounded_remove (&chat->display_requests, message_id);
  return TRUE;
}

static void
on_nickname_answered (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(MsrpChunk) response = NULL;
  GError *error = NULL;
  guint code;

  response = msrp_session_send_chunk_finish (MSRP_SESSION (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  code = msrp_chunk_get_code (response);
  if (code / 100 == 2)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  switch (code)
    {
    case 424:
      g_task_return_new_error (task, MSRP_TRANSACTION_ERROR, code, "%s",
                               _("The chat room did not take the nickname"));
      break;
    case 425:
      g_task_return_new_error (task, MSRP_TRANSACTION_ERROR, code, "%s",
                               _("The nickname is reserved or in use already; choose another"));
      break;
    default:
      g_task_return_new_error (task, MSRP_TRANSACTION_ERROR, code,
                               _("The chat room refused the nickname: %u %s"), code,
                               msrp_chunk_get_comment (response) ? msrp_chunk_get_comment (response) : "");
    }
}

/**
 * msrp_chat_set_local_nickname_async:
 * @chat: a #MsrpChat
 * @nickname: the nickname to use in the chat room
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the room answered
 * @user_data: data for @callback
 *
 * Asks the chat room for a nickname (RFC 7701: a NICKNAME request with
 * Use-Nickname). The chat must have started, with a peer whose
 * `a=chatroom` offers nicknames ([property@Msrp.Chat:nickname-allowed]).
 *
 * Since: 1.0
 */
void
msrp_chat_set_local_nickname_async (MsrpChat            *chat,
                                    const char          *nickname,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(MsrpChunk) request = NULL;
  g_autoptr(GString) quoted = NULL;
  MsrpSession *session;
  MsrpTransport *transport;

  g_return_if_fail (MSRP_IS_CHAT (chat));
  g_return_if_fail (nickname != NULL && g_utf8_validate (nickname, -1, NULL));

  task = g_task_new (chat, cancellable, callback, user_data);
  g_task_set_source_tag (task, msrp_chat_set_local_nickname_async);
  session = msrp_stream_get_session (MSRP_STREAM (chat));
  if (session == NULL || msrp_stream_get_state (MSRP_STREAM (chat)) != MSRP_STREAM_STATE_STARTED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "%s",
                               _("The chat has not started"));
      return;
    }
  if (!msrp_chat_get_nickname_allowed (chat))
    {
      g_task_return_new_error (task, MSRP_ERROR, MSRP_ERROR_PEER_UNSUPPORTED, "%s",
                               _("The peer is not a chat room that takes nicknames"));
      return;
    }
  if (strpbrk (nickname, "\r\n") != NULL || nickname[0] == '\0')
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("A nickname must not be empty or hold line breaks"));
      return;
    }

  /* Use-Nickname: a quoted-string (RFC 7701 section 9). */
  quoted = g_string_new ("\"");
  for (const char *p = nickname; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '"');

  transport = msrp_session_get_transport (session);
  request = msrp_chunk_new_request ("NICKNAME", NULL);
  msrp_chunk_set_to_path (request, msrp_transport_get_full_remote_path (transport));
  msrp_chunk_set_from_path (request, msrp_transport_get_full_local_path (transport));
  msrp_chunk_set_header (request, "Use-Nickname", quoted->str);
  msrp_session_send_chunk_async (session, request, cancellable, on_nickname_answered, g_steal_pointer (&task));
}

/**
 * msrp_chat_set_local_nickname_finish:
 * @chat: a #MsrpChat
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Chat.set_local_nickname_async].
 *
 * Returns: %TRUE when the room took the nickname, else %FALSE with @error
 *   set (%MSRP_TRANSACTION_ERROR 425 when it is in use, 424 when the room
 *   refused it)
 *
 * Since: 1.0
 */
gboolean
msrp_chat_set_local_nickname_finish (MsrpChat      *chat,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, chat), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * msrp_chat_get_local_identity:
 * @chat: a #MsrpChat
 *
 * Returns: who we are, as a CPIM identity
 *
 * Since: 1.0
 */
const char *
msrp_chat_get_local_identity (MsrpChat *chat)
{
  g_return_val_if_fail (MSRP_IS_CHAT (chat), NULL);
  return chat->local_identity;
}

/**
 * msrp_chat_get_remote_identity:
 * @chat: a #MsrpChat
 *
 * Returns: who the peer is, as a CPIM identity
 *
 * Since: 1.0
 */
const char *
msrp_chat_get_remote_identity (MsrpChat *chat)
{
  g_return_val_if_fail (MSRP_IS_CHAT (chat), NULL);
  return chat->remote_identity;
}

/**
 * msrp_chat_get_accept_types:
 * @chat: a #MsrpChat
 *
 * Returns: (transfer none) (array zero-terminated=1): the types the chat
 *   takes
 *
 * Since: 1.0
 */
const char * const *
msrp_chat_get_accept_types (MsrpChat *chat)
{
  g_return_val_if_fail (MSRP_IS_CHAT (chat), NULL);
  return (const char * const *) chat->accept_types;
}

static void
set_types (MsrpChat            *self,
           char              ***field,
           const char * const  *types,
           const char * const  *defaults,
           GParamSpec          *pspec)
{
  g_return_if_fail (msrp_stream_get_state (MSRP_STREAM (self)) == MSRP_STREAM_STATE_NEW);

  g_strfreev (*field);
  *field = g_strdupv ((char **) (types && types[0] ? types : defaults));
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

/**
 * msrp_chat_set_accept_types:
 * @chat: a #MsrpChat
 * @types: (nullable) (array zero-terminated=1): the types to take, or
 *   %NULL for the default
 *
 * Sets [property@Msrp.Chat:accept-types], before initializing.
 *
 * Since: 1.0
 */
void
msrp_chat_set_accept_types (MsrpChat           *chat,
                            const char * const *types)
{
  g_return_if_fail (MSRP_IS_CHAT (chat));
  set_types (chat, &chat->accept_types, types, default_accept_types, properties[PROP_ACCEPT_TYPES]);
}

/**
 * msrp_chat_get_accept_wrapped_types:
 * @chat: a #MsrpChat
 *
 * Returns: (transfer none) (array zero-terminated=1): the types the chat
 *   takes inside CPIM
 *
 * Since: 1.0
 */
const char * const *
msrp_chat_get_accept_wrapped_types (MsrpChat *chat)
{
  g_return_val_if_fail (MSRP_IS_CHAT (chat), NULL);
  return (const char * const *) chat->accept_wrapped_types;
}

/**
 * msrp_chat_set_accept_wrapped_types:
 * @chat: a #MsrpChat
 * @types: (nullable) (array zero-terminated=1): the types to take inside
 *   CPIM, or %NULL for the default
 *
 * Sets [property@Msrp.Chat:accept-wrapped-types], before initializing.
 *
 * Since: 1.0
 */
void
msrp_chat_set_accept_wrapped_types (MsrpChat           *chat,
                                    const char * const *types)
{
  g_return_if_fail (MSRP_IS_CHAT (chat));
  set_types (chat, &chat->accept_wrapped_types, types, default_accept_wrapped_types,
             properties[PROP_ACCEPT_WRAPPED_TYPES]);
}

/**
 * msrp_chat_get_cpim_enabled:
 * @chat: a #MsrpChat
 *
 * Returns: whether messages go wrapped in CPIM (known once the peer's
 *   media is)
 *
 * Since: 1.0
 */
gboolean
msrp_chat_get_cpim_enabled (MsrpChat *chat)
{
  MsrpSdpMedia *media;

  g_return_val_if_fail (MSRP_IS_CHAT (chat), FALSE);
  media = msrp_stream_get_remote_media (MSRP_STREAM (chat));
  return media != NULL && _msrp_chat_types_contain (msrp_sdp_media_get_accept_types (media), "message/cpim");
}

/**
 * msrp_chat_get_private_messages_allowed:
 * @chat: a #MsrpChat
 *
 * Returns: whether the peer takes private messages
 *
 * Since: 1.0
 */
gboolean
msrp_chat_get_private_messages_allowed (MsrpChat *chat)
{
  g_return_val_if_fail (MSRP_IS_CHAT (chat), FALSE);
  return msrp_chat_get_cpim_enabled (chat) && _msrp_chat_chatroom_allows (chat, "private-messages");
}

/**
 * msrp_chat_get_nickname_allowed:
 * @chat: a #MsrpChat
 *
 * Returns: whether the peer takes nicknames
 *
 * Since: 1.0
 */
gboolean
msrp_chat_get_nickname_allowed (MsrpChat *chat)
{
  g_return_val_if_fail (MSRP_IS_CHAT (chat), FALSE);
  return _msrp_chat_chatroom_allows (chat, "nickname");
}
