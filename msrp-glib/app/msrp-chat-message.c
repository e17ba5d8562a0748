/* msrp-chat-message.c: a message a chat received
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-chat-message.h"
#include "msrp-chat-message-private.h"

/**
 * MsrpChatMessage:
 *
 * A message that a [class@Msrp.Chat] received, unwrapped from its CPIM
 * envelope when it came in one: what it says, who sent it to whom, and
 * when. Read-only.
 *
 * Since: 1.0
 */

struct _MsrpChatMessage
{
  GObject parent_instance;

  GBytes *content;
  char *content_type;
  char *text;                 /* NULL unless text/\* in valid UTF-8 */
  char *sender;
  char **recipients;
  GDateTime *timestamp;
  char *message_id;
  gboolean is_private;
  MsrpCpimMessage *cpim;
};

G_DEFINE_FINAL_TYPE (MsrpChatMessage, msrp_chat_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONTENT,
  PROP_CONTENT_TYPE,
  PROP_TEXT,
  PROP_SENDER,
  PROP_RECIPIENTS,
  PROP_TIMESTAMP,
  PROP_MESSAGE_ID,
  PROP_PRIVATE,
  PROP_CPIM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
msrp_chat_message_finalize (GObject *object)
{
  MsrpChatMessage *self = MSRP_CHAT_MESSAGE (object);

  g_bytes_unref (self->content);
  g_free (self->content_type);
  g_free (self->text);
  g_free (self->sender);
  g_strfreev (self->recipients);
  g_clear_pointer (&self->timestamp, g_date_time_unref);
  g_free (self->message_id);
  g_clear_object (&self->cpim);
  G_OBJECT_CLASS (msrp_chat_message_parent_class)->finalize (object);
}

static void
msrp_chat_message_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MsrpChatMessage *self = MSRP_CHAT_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_CONTENT:
      g_value_set_boxed (value, self->content);
      break;
    case PROP_CONTENT_TYPE:
      g_value_set_string (value, self->content_type);
      break;
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_SENDER:
      g_value_set_string (value, self->sender);
      break;
    case PROP_RECIPIENTS:
      g_value_set_boxed (value, self->recipients);
      break;
    case PROP_TIMESTAMP:
      g_value_set_boxed (value, self->timestamp);
      break;
    case PROP_MESSAGE_ID:
      g_value_set_string (value, self->message_id);
      break;
    case PROP_PRIVATE:
      g_value_set_boolean (value, self->is_private);
      break;
    case PROP_CPIM:
      g_value_set_object (value, self->cpim);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_chat_message_class_init (MsrpChatMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = msrp_chat_message_finalize;
  object_class->get_property = msrp_chat_message_get_property;

  /**
   * MsrpChatMessage:content:
   *
   * The content, as it came (the body of the CPIM envelope when wrapped).
   *
   * Since: 1.0
   */
  properties[PROP_CONTENT] = g_param_spec_boxed ("content", NULL, NULL, G_TYPE_BYTES, flags);

  /**
   * MsrpChatMessage:content-type:
   *
   * The MIME type of the content, such as "text/plain;charset=UTF-8".
   *
   * Since: 1.0
   */
  properties[PROP_CONTENT_TYPE] = g_param_spec_string ("content-type", NULL, NULL, NULL, flags);

  /**
   * MsrpChatMessage:text:
   *
   * The content as text, for a `text/` type whose content is valid UTF-8;
   * else %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL, flags);

  /**
   * MsrpChatMessage:sender:
   *
   * Who sent it, as CPIM writes identities (`"Display Name" <uri>` or
   * `<uri>`): the CPIM From, else the chat's remote identity.
   *
   * Since: 1.0
   */
  properties[PROP_SENDER] = g_param_spec_string ("sender", NULL, NULL, NULL, flags);

  /**
   * MsrpChatMessage:recipients:
   *
   * To whom it was sent: the CPIM To identities, else the chat's local
   * identity.
   *
   * Since: 1.0
   */
  properties[PROP_RECIPIENTS] = g_param_spec_boxed ("recipients", NULL, NULL, G_TYPE_STRV, flags);

  /**
   * MsrpChatMessage:timestamp:
   *
   * When it was sent: the CPIM DateTime, else when it arrived.
   *
   * Since: 1.0
   */
  properties[PROP_TIMESTAMP] = g_param_spec_boxed ("timestamp", NULL, NULL, G_TYPE_DATE_TIME, flags);

  /**
   * MsrpChatMessage:message-id:
   *
   * Its id: the IMDN Message-ID of a wrapped message (the one
   * [method@Msrp.Chat.send_display_notification] takes), else the MSRP
   * Message-ID.
   *
   * Since: 1.0
   */
  properties[PROP_MESSAGE_ID] = g_param_spec_string ("message-id", NULL, NULL, NULL, flags);

  /**
   * MsrpChatMessage:private:
   *
   * Whether it is a private message (RFC 7701): sent through a chat room
   * to one participant only.
   *
   * Since: 1.0
   */
  properties[PROP_PRIVATE] = g_param_spec_boolean ("private", NULL, NULL, FALSE, flags);

  /**
   * MsrpChatMessage:cpim:
   *
   * The CPIM envelope it came in, or %NULL when it came bare.
   *
   * Since: 1.0
   */
  properties[PROP_CPIM] = g_param_spec_object ("cpim", NULL, NULL, MSRP_TYPE_CPIM_MESSAGE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
msrp_chat_message_init (MsrpChatMessage *self)
{
}

static gboolean
is_text_type (const char *content_type)
{
  return g_ascii_strncasecmp (content_type, "text/", 5) == 0;
}

MsrpChatMessage *
_msrp_chat_message_new (GBytes             *content,
                        const char         *content_type,
                        const char         *sender,
                        const char * const *recipients,
                        GDateTime          *timestamp,
                        const char         *message_id,
                        gboolean            is_private,
                        MsrpCpimMessage    *cpim)
{
  MsrpChatMessage *self = g_object_new (MSRP_TYPE_CHAT_MESSAGE, NULL);
  gsize size;
  const char *data = g_bytes_get_data (content, &size);

  self->content = g_bytes_ref (content);
  self->content_type = g_strdup (content_type);
  /* Text without NULs, so that the C string is all of it. */
  if (is_text_type (content_type) && g_utf8_validate_len (data ? data : "", size, NULL))
    self->text = g_strndup (data ? data : "", size);
  self->sender = g_strdup (sender);
  self->recipients = g_strdupv ((char **) recipients);
  self->timestamp = timestamp ? g_date_time_ref (timestamp) : g_date_time_new_now_utc ();
  self->message_id = g_strdup (message_id);
  self->is_private = is_private;
  self->cpim = cpim ? g_object_ref (cpim) : NULL;
  return self;
}

/**
 * msrp_chat_message_get_content:
 * @message: a #MsrpChatMessage
 *
 * Returns: (transfer none): the content
 *
 * Since: 1.0
 */
GBytes *
msrp_chat_message_get_content (MsrpChatMessage *message)
{
  g_return_val_if_fail (MSRP_IS_CHAT_MESSAGE (message), NULL);
  return message->content;
}

/**
 * msrp_chat_message_get_content_type:
 * @message: a #MsrpChatMessage
 *
 * Returns: the MIME type of the content
 *
 * Since: 1.0
 */
const char *
msrp_chat_message_get_content_type (MsrpChatMessage *message)
{
  g_return_val_if_fail (MSRP_IS_CHAT_MESSAGE (message), NULL);
  return message->content_type;
}

/**
 * msrp_chat_message_get_text:
 * @message: a #MsrpChatMessage
 *
 * Returns: (nullable): the content as text, or %NULL when it is not
 *   `text/` in valid UTF-8
 *
 * Since: 1.0
 */
const char *
msrp_chat_message_get_text (MsrpChatMessage *message)
{
  g_return_val_if_fail (MSRP_IS_CHAT_MESSAGE (message), NULL);
  return message->text;
}

/**
 * msrp_chat_message_get_sender:
 * @message: a #MsrpChatMessage
 *
 * Returns: who sent it (see [property@Msrp.ChatMessage:sender])
 *
 * Since: 1.0
 */
const char *
msrp_chat_message_get_sender (MsrpChatMessage *message)
{
  g_return_val_if_fail (MSRP_IS_CHAT_MESSAGE (message), NULL);
  return message->sender;
}

/**
 * msrp_chat_message_get_recipients:
 * @message: a #MsrpChatMessage
 *
 * Returns: (transfer none) (array zero-terminated=1): to whom it was sent
 *
 * Since: 1.0
 */
const char * const *
msrp_chat_message_get_recipients (MsrpChatMessage *message)
{
  g_return_val_if_fail (MSRP_IS_CHAT_MESSAGE (message), NULL);
  return (const char * const *) message->recipients;
}

/**
 * msrp_chat_message_get_timestamp:
 * @message: a #MsrpChatMessage
 *
 * Returns: (transfer none): when it was sent
 *
 * Since: 1.0
 */
GDateTime *
msrp_chat_message_get_timestamp (MsrpChatMessage *message)
{
  g_return_val_if_fail (MSRP_IS_CHAT_MESSAGE (message), NULL);
  return message->timestamp;
}

/**
 * msrp_chat_message_get_message_id:
 * @message: a #MsrpChatMessage
 *
 * Returns: its id (see [property@Msrp.ChatMessage:message-id])
 *
 * Since: 1.0
 */
const char *
msrp_chat_message_get_message_id (MsrpChatMessage *message)
{
  g_return_val_if_fail (MSRP_IS_CHAT_MESSAGE (message), NULL);
  return message->message_id;
}

/**
 * msrp_chat_message_get_private:
 * @message: a #MsrpChatMessage
 *
 * Returns: whether it is a private message in a chat room
 *
 * Since: 1.0
 */
gboolean
msrp_chat_message_get_private (MsrpChatMessage *message)
{
  g_return_val_if_fail (MSRP_IS_CHAT_MESSAGE (message), FALSE);
  return message->is_private;
}

/**
 * msrp_chat_message_get_cpim:
 * @message: a #MsrpChatMessage
 *
 * Returns: (transfer none) (nullable): the CPIM envelope, or %NULL
 *
 * Since: 1.0
 */
MsrpCpimMessage *
msrp_chat_message_get_cpim (MsrpChatMessage *message)
{
  g_return_val_if_fail (MSRP_IS_CHAT_MESSAGE (message), NULL);
  return message->cpim;
}
