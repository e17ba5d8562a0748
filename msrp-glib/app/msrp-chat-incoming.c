/* msrp-chat-incoming.c: what a chat receives: messages, is-composing, notifications
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


/* Incoming */

void
_msrp_chat_clear_checked (MsrpChat *self)
{
  g_clear_object (&self->checked_first);
  g_clear_object (&self->checked_cpim);
}

guint
_msrp_chat_check_message (MsrpSession *session,
                          MsrpChunk   *first,
                          GBytes      *message,
                          gpointer     user_data)
{
  MsrpChat *self = user_data;
  const char *content_type = msrp_chunk_get_content_type (first);
  g_autoptr(MsrpCpimMessage) cpim = NULL;
  g_autoptr(GError) error = NULL;
  const char *inner;

  _msrp_chat_clear_checked (self);
  if (!_msrp_chat_is_type (content_type, "message/cpim"))
    return 0;
  cpim = msrp_cpim_message_parse (message, &error);
  if (cpim == NULL)
    {
      g_debug ("MSRP chat: refusing a CPIM message: %s", error->message);
      return MSRP_STATUS_BAD_REQUEST;
    }
  inner = msrp_cpim_message_get_content_type (cpim);
  if (inner == NULL || !_msrp_chat_types_contain ((const char * const *) self->accept_wrapped_types, inner))
    return MSRP_STATUS_UNSUPPORTED_MEDIA_TYPE;
  self->checked_first = g_object_ref (first);
  self->checked_cpim = g_steal_pointer (&cpim);
  return 0;
}

static gboolean
on_composing_timeout (gpointer user_data)
{
  MsrpChat *self = user_data;
  GSource *source = g_main_current_source ();
  g_autoptr(MsrpIsComposing) idle = NULL;
  g_autofree char *sender = NULL;
  GHashTableIter iter;
  gpointer key, value;

  /* The sender whose timer this is. */
  g_hash_table_iter_init (&iter, self->composing);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (value == source)
      {
        sender = g_strdup (key);
        g_hash_table_iter_remove (&iter);
        break;
      }
  if (sender == NULL)
    return G_SOURCE_REMOVE;
  idle = msrp_is_composing_new ("idle", NULL, 0);
  g_signal_emit (self, signals[SIGNAL_COMPOSING_INDICATION], 0, idle, sender);
  return G_SOURCE_REMOVE;
}

void
_msrp_chat_destroy_source (gpointer data)
{
  GSource *source = data;

  g_source_destroy (source);
  g_source_unref (source);
}

static void
handle_composing (MsrpChat   *self,
                  GBytes     *content,
                  const char *sender)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpIsComposing) indication = msrp_is_composing_parse (content, &error);

  if (indication == NULL)
    {
      g_debug ("MSRP chat: ignoring an is-composing document: %s", error->message);
      return;
    }
  g_hash_table_remove (self->composing, sender);
  if (g_strcmp0 (msrp_is_composing_get_state (indication), "active") == 0 &&
      g_hash_table_size (self->composing) < MAX_COMPOSING_SENDERS && strlen (sender) <= MAX_REMEMBERED_KEY)
    {
      guint refresh = msrp_is_composing_get_refresh (indication);
      GSource *timer = g_timeout_source_new_seconds (refresh ? refresh : DEFAULT_COMPOSING_REFRESH);

      g_source_set_static_name (timer, "[msrp] is-composing timeout");
      g_source_set_callback (timer, on_composing_timeout, self, NULL);
      g_source_attach (timer, self->context);
      g_hash_table_insert (self->composing, g_strdup (sender), timer);
    }
  g_signal_emit (self, signals[SIGNAL_COMPOSING_INDICATION], 0, indication, sender);
}

/* Skips @prefix at *@p, or fails. */
static gboolean
skip_literal (const char **p,
              const char  *end,
              const char  *prefix)
{
  gsize len = strlen (prefix);

  if ((gsize) (end - *p) < len || memcmp (*p, prefix, len) != 0)
    return FALSE;
  *p += len;
  return TRUE;
}

/* Skips text up to "</@name>\n" at *@p: UTF-8 without markup or entities,
 * so that the XML it is part of is well-formed. */
static gboolean
skip_element_text (const char **p,
                   const char  *end,
                   const char  *name,
                   const char **text,
                   gsize       *text_len)
{
  const char *lt = memchr (*p, '<', end - *p);

  if (lt == NULL || memchr (*p, '&', lt - *p) != NULL || !g_utf8_validate_len (*p, lt - *p, NULL))
    return FALSE;
  *text = *p;
  *text_len = lt - *p;
  *p = lt;
  return skip_literal (p, end, "</") && skip_literal (p, end, name) && skip_literal (p, end, ">\n");
}

/* The delivery and display notifications that this library writes (see
 * _msrp_chat_notification_new()), read without an XML parser: a chat with another
 * msrp-glib peer gets one for each message, and GMarkup took a third of
 * what the chat does for it. Anything else goes to msrp_imdn_parse(). */
static char *
read_own_notification (GBytes       *content,
                       MsrpImdnKind *kind)
{
  static const char delivered[] =
    "  <delivery-notification>\n    <status>\n      <delivered/>\n    </status>\n"
    "  </delivery-notification>\n</imdn>\n";
  static const char displayed[] =
    "  <display-notification>\n    <status>\n      <displayed/>\n    </status>\n"
    "  </display-notification>\n</imdn>\n";
  gsize size;
  const char *p = g_bytes_get_data (content, &size);
  const char *end = p + size;
  const char *id, *text;
  gsize id_len, text_len;
  g_autofree char *message_id = NULL;

  if (p == NULL ||
      !skip_literal (&p, end, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                              "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\n  <message-id>") ||
      !skip_element_text (&p, end, "message-id", &id, &id_len) ||
      !skip_literal (&p, end, "  <datetime>") ||
      !skip_element_text (&p, end, "datetime", &text, &text_len))
    return NULL;
  if (skip_literal (&p, end, "  <recipient-uri>") &&
      !skip_element_text (&p, end, "recipient-uri", &text, &text_len))
    return NULL;
  if ((gsize) (end - p) == sizeof delivered - 1 && memcmp (p, delivered, end - p) == 0)
    *kind = MSRP_IMDN_KIND_DELIVERY;
  else if ((gsize) (end - p) == sizeof displayed - 1 && memcmp (p, displayed, end - p) == 0)
    *kind = MSRP_IMDN_KIND_DISPLAY;
  else
    return NULL;
  message_id = g_strndup (id, id_len);
  if (strlen (message_id) != id_len || !_msrp_xml_is_token (message_id))
    return NULL;
  return g_steal_pointer (&message_id);
}

static void
handle_notification (MsrpChat *self,
                     GBytes   *content)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpImdn) imdn = NULL;
  g_autofree char *own_id = NULL;
  MsrpImdnKind kind;
  const char *id, *status;
  gpointer value;
  guint flags;

  own_id = read_own_notification (content, &kind);
  if (own_id != NULL)
    {
      id = own_id;
      status = kind == MSRP_IMDN_KIND_DELIVERY ? "delivered" : "displayed";
    }
  else
    {
      imdn = msrp_imdn_parse (content, &error);
      if (imdn == NULL)
        {
          g_debug ("MSRP chat: ignoring an IMDN: %s", error->message);
          return;
        }
      id = msrp_imdn_get_message_id (imdn);
      status = msrp_imdn_get_status (imdn);
      kind = msrp_imdn_get_kind (imdn);
    }
  /* Only about what we sent: nobody makes us report other ids. */
  if (!g_hash_table_lookup_extended (self->sent.table, id, NULL, &value))
    {
      g_debug ("MSRP chat: ignoring an IMDN about a message we did not send: %s", id);
      return;
    }
  flags = GPOINTER_TO_UINT (value);
  switch (kind)
    {
    case MSRP_IMDN_KIND_DELIVERY:
      if (g_strcmp0 (status, "delivered") == 0)
        {
          if (flags & SENT_DELIVERED)
            return;
          _msrp_chat_sent_add_flags (self, id, SENT_DELIVERED);
          g_signal_emit (self, signals[SIGNAL_MESSAGE_DELIVERED], 0, id);
        }
      else
        {
          g_autofree char *reason = g_strdup_printf (_("Delivery notification: %s"), status);

          _msrp_chat_sent_add_flags (self, id, SENT_FAILED);
          _msrp_chat_emit_not_delivered (self, id, 0, reason);
        }
      break;
    case MSRP_IMDN_KIND_DISPLAY:
      if (g_strcmp0 (status, "displayed") == 0 && !(flags & SENT_DISPLAYED))
        {
          _msrp_chat_sent_add_flags (self, id, SENT_DISPLAYED);
          g_signal_emit (self, signals[SIGNAL_MESSAGE_DISPLAYED], 0, id);
        }
      break;
    case MSRP_IMDN_KIND_PROCESSING:
    default:
      break;
    }
}

static gboolean
disposition_asks (const char *disposition,
                  const char *what)
{
  gsize len = strlen (what);

  /* A comma-separated list: each item, spaces around it skipped. */
  for (const char *p = disposition; p != NULL && *p != '\0'; )
    {
      const char *end = strchr (p, ',');
      const char *last = end ? end : p + strlen (p);

      while (p < last && g_ascii_isspace (*p))
        p++;
      while (last > p && g_ascii_isspace (last[-1]))
        last--;
      if ((gsize) (last - p) == len && g_ascii_strncasecmp (p, what, len) == 0)
        return TRUE;
      p = end ? end + 1 : NULL;
    }
  return FALSE;
}

void
_msrp_chat_on_message_received (MsrpSession *session,
                                MsrpChunk   *first,
                                GBytes      *data,
                                gpointer     user_data)
{
  MsrpChat *self = user_data;
  g_autoptr(MsrpCpimMessage) cpim = NULL;
  g_autoptr(MsrpChatMessage) message = NULL;
  g_autoptr(GBytes) content = NULL;
  g_auto(GStrv) recipients = NULL;
  g_autoptr(GDateTime) timestamp = NULL;
  g_autofree char *sender = NULL;
  const char *content_type = msrp_chunk_get_content_type (first);
  const char *message_id = msrp_chunk_get_message_id (first);
  const char *disposition = NULL;
  gboolean is_private = FALSE;

  if (self->checked_first == first)
    cpim = g_steal_pointer (&self->checked_cpim);
  _msrp_chat_clear_checked (self);
  if (content_type == NULL)
    return;

  if (cpim != NULL)
    {
      const char *from = msrp_cpim_message_get_from (cpim);
      const char *imdn_id = msrp_cpim_message_get_header (cpim, MSRP_IMDN_NAMESPACE, "Message-ID");

      content_type = msrp_cpim_message_get_content_type (cpim);
      content = g_bytes_ref (msrp_cpim_message_get_body (cpim));
      /* A notification needs none of the rest (its DateTime is costly to
       * read): one comes back for each message we send. */
      if (_msrp_chat_is_type (content_type, MSRP_IMDN_CONTENT_TYPE))
        {
          handle_notification (self, content);
          return;
        }
      sender = g_strdup (from ? from : self->remote_identity);
      recipients = msrp_cpim_message_get_to (cpim);
      if (recipients[0] == NULL)
        {
          g_strfreev (recipients);
          recipients = g_new0 (char *, 2);
          recipients[0] = g_strdup (self->local_identity);
        }
      timestamp = msrp_cpim_message_get_datetime (cpim);
      if (timestamp != NULL)
        g_date_time_ref (timestamp);
      if (imdn_id != NULL)
        {
          message_id = imdn_id;
          disposition = msrp_cpim_message_get_header (cpim, MSRP_IMDN_NAMESPACE, "Disposition-Notification");
        }
      if (_msrp_chat_is_chatroom (self) && recipients[1] == NULL)
        {
          g_autofree char *uri = _msrp_cpim_identity_get_uri (recipients[0]);

          is_private = uri != NULL && g_strcmp0 (uri, self->remote_uri) != 0;
        }
    }
  else
    {
      content = g_bytes_ref (data);
      sender = g_strdup (self->remote_identity);
      recipients = g_new0 (char *, 2);
      recipients[0] = g_strdup (self->local_identity);
    }

  if (_msrp_chat_is_type (content_type, MSRP_IS_COMPOSING_CONTENT_TYPE))
    {
      handle_composing (self, content, sender);
      return;
    }
  if (_msrp_chat_is_type (content_type, MSRP_IMDN_CONTENT_TYPE))
    {
      handle_notification (self, content);
      return;
    }

  /* A message ends the sender's composing. */
  g_hash_table_remove (self->composing, sender);

  /* An id that no IMDN document can carry gets no notification. */
  if (disposition != NULL && !_msrp_xml_is_token (message_id))
    {
      g_debug ("MSRP chat: not notifying about a message whose imdn.Message-ID XML cannot carry");
      disposition = NULL;
    }

  if (disposition_asks (disposition, "positive-delivery"))
    {
      if (self->notifications_in_flight < MAX_NOTIFICATIONS_IN_FLIGHT)
        _msrp_chat_send_or_queue (self, _msrp_chat_notification_new (self, MSRP_IMDN_KIND_DELIVERY, "delivered",
                                                                     message_id, sender));
      else
        g_debug ("MSRP chat: the peer reads no notifications; not sending one more");
    }
  if (disposition_asks (disposition, "display") &&
      strlen (message_id) <= MAX_REMEMBERED_KEY && strlen (sender) <= MAX_REMEMBERED_KEY)
    _msrp_chat_bounded_insert (&self->display_requests, message_id, g_strdup (sender));

  message = _msrp_chat_message_new (content, content_type, sender, (const char * const *) recipients,
                                    timestamp, message_id, is_private, cpim);
  g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, message);
}

