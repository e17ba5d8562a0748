/* msrp-chat-outgoing.c: what a chat sends: the queue, the checks against
 * the peer's media, CPIM wrapping and IMDN notifications
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-chat-private.h"
#include "msrp-stream-private.h"
#include "msrp-cpim-private.h"
#include "msrp-imdn.h"
#include "msrp-is-composing.h"
#include "msrp-error.h"
#include "msrp-session-app-private.h"
#include "msrp-utils-private.h"
#include "msrp-xml-private.h"

/* The peer's capabilities, from its media */

static MsrpSdpMedia *
remote_media (MsrpChat *self)
{
  return msrp_stream_get_remote_media (MSRP_STREAM (self));
}

static const char * const *
remote_wrapped_types (MsrpChat *self)
{
  MsrpSdpMedia *media = remote_media (self);
  const char * const *wrapped = msrp_sdp_media_get_accept_wrapped_types (media);

  /* Without accept-wrapped-types, what it takes bare it takes wrapped. */
  if (wrapped == NULL || wrapped[0] == NULL)
    return msrp_sdp_media_get_accept_types (media);
  return wrapped;
}

gboolean
_msrp_chat_chatroom_allows (MsrpChat   *self,
                            const char *capability)
{
  MsrpSdpMedia *media = remote_media (self);
  const char *chatroom = media ? msrp_sdp_media_get_attribute (media, "chatroom") : NULL;
  g_auto(GStrv) tokens = NULL;

  if (chatroom == NULL)
    return FALSE;
  tokens = g_strsplit_set (chatroom, " \t", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    if (g_ascii_strcasecmp (tokens[i], capability) == 0)
      return TRUE;
  return FALSE;
}

gboolean
_msrp_chat_is_chatroom (MsrpChat *self)
{
  MsrpSdpMedia *media = remote_media (self);

  return media != NULL && msrp_sdp_media_get_attribute (media, "chatroom") != NULL;
}

/* Outgoing */

void
_msrp_chat_outgoing_free (Outgoing *out)
{
  g_clear_object (&out->chat);
  g_free (out->id);
  g_bytes_unref (out->content);
  g_free (out->content_type);
  g_strfreev (out->recipients);
  g_clear_pointer (&out->timestamp, g_date_time_unref);
  g_free (out->refusal);
  g_free (out);
}

Outgoing *
_msrp_chat_outgoing_new (OutKind     kind,
                         GBytes     *content,
                         const char *content_type)
{
  Outgoing *out = g_new0 (Outgoing, 1);

  out->kind = kind;
  out->id = _msrp_random_ident (MSRP_RANDOM_NONCE, 16);
  out->content = g_bytes_ref (content);
  out->content_type = g_strdup (content_type);
  return out;
}

void
_msrp_chat_emit_not_delivered (MsrpChat   *self,
                               const char *message_id,
                               guint       code,
                               const char *reason)
{
  g_signal_emit (self, signals[SIGNAL_MESSAGE_NOT_DELIVERED], 0, message_id, code, reason);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Outgoing *out = user_data;
  MsrpChat *self = out->chat;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = msrp_session_send_message_finish (MSRP_SESSION (source), result, &error);
  gpointer flags;

  if (out->kind != OUT_MESSAGE)
    {
      if (out->kind == OUT_NOTIFICATION)
        self->notifications_in_flight--;
      if (id == NULL)
        g_debug ("MSRP chat: a notification or is-composing could not be sent: %s", error->message);
      _msrp_chat_outgoing_free (out);
      return;
    }

  flags = g_hash_table_lookup (self->sent.table, out->id);
  if (id != NULL)
    {
      if (!(GPOINTER_TO_UINT (flags) & SENT_DELIVERED))
        {
          _msrp_chat_sent_add_flags (self, out->id, SENT_DELIVERED);
          g_signal_emit (self, signals[SIGNAL_MESSAGE_DELIVERED], 0, out->id);
        }
    }
  else
    {
      guint code = error->domain == MSRP_TRANSACTION_ERROR ? (guint) error->code : 0;
      const char *reason = code != 0 && msrp_status_get_reason (code) ? msrp_status_get_reason (code)
                                                                     : error->message;

      _msrp_chat_sent_add_flags (self, out->id, SENT_FAILED);
      _msrp_chat_emit_not_delivered (self, out->id, code, reason);
    }
  _msrp_chat_outgoing_free (out);
}

/* Why @out cannot go to this peer, or NULL when it can; *wrap tells how. */
static char *
check_peer_takes (MsrpChat *self,
                  Outgoing *out,
                  gboolean *wrap)
{
  MsrpSdpMedia *media = remote_media (self);
  const char * const *accept = msrp_sdp_media_get_accept_types (media);
  gboolean cpim = _msrp_chat_types_contain (accept, "message/cpim");

  *wrap = cpim;
  /* Outside a chat room a notification goes back to whoever sent the
   * message, even when its From is not the remote identity we were given:
   * that is no private message. */
  if (out->recipients != NULL && (out->kind != OUT_NOTIFICATION || _msrp_chat_is_chatroom (self)))
    {
      gboolean only_peer = g_strv_length (out->recipients) == 1;

      if (only_peer)
        {
          g_autofree char *uri = _msrp_cpim_identity_get_uri (out->recipients[0]);

          only_peer = g_strcmp0 (uri, self->remote_uri) == 0;
        }
      if (!only_peer && !(cpim && _msrp_chat_chatroom_allows (self, "private-messages")))
        return g_strdup (_("The peer does not take private messages"));
    }
  if (cpim)
    {
      if (!_msrp_chat_types_contain (remote_wrapped_types (self), out->content_type))
        return g_strdup_printf (_("The peer does not take “%s” messages"), out->content_type);
      return NULL;
    }
  if (out->kind == OUT_NOTIFICATION)
    return g_strdup (_("The peer does not take CPIM, which notifications need"));
  if (out->timestamp != NULL || out->recipients != NULL)
    return g_strdup (_("The peer does not take CPIM, which a timestamp or recipients need"));
  if (!_msrp_chat_types_contain (accept, out->content_type))
    return g_strdup_printf (_("The peer does not take “%s” messages"), out->content_type);
  return NULL;
}

/* The From and To lines of the messages the chat sends to its peer, as
 * the CPIM writer makes them: made once, so that each message needs no
 * MsrpCpimMessage (building and writing one costs more than the rest of
 * what the chat does for a message). */
static const char *
own_envelope (MsrpChat *self)
{
  if (self->envelope == NULL)
    {
      g_autoptr(MsrpCpimMessage) cpim = msrp_cpim_message_new (NULL, NULL);
      g_autoptr(GBytes) bytes = NULL;
      const char *data, *end;
      gsize len;

      msrp_cpim_message_set_from (cpim, self->local_identity);
      msrp_cpim_message_add_to (cpim, self->remote_identity);
      bytes = msrp_cpim_message_to_bytes (cpim);
      data = g_bytes_get_data (bytes, &len);
      end = g_strstr_len (data, len, "\r\n\r\n");
      g_assert (end != NULL);
      self->envelope = g_strndup (data, end + 2 - data);
    }
  return self->envelope;
}

/* Now in RFC 3339 (UTC), as _msrp_format_rfc3339() writes it: the
 * date and time are formatted once a second, not for every message. */
static void
format_now (MsrpChat *self,
            char      buf[40])
{
  gint64 now = g_get_real_time ();
  gint64 second = now / G_USEC_PER_SEC;
  int usec = now % G_USEC_PER_SEC;
  gsize len;

  if (second != self->stamp_second || self->stamp[0] == '\0')
    {
      g_autoptr(GDateTime) datetime = g_date_time_new_from_unix_utc (second);
      int year, month, day;

      g_date_time_get_ymd (datetime, &year, &month, &day);
      g_snprintf (self->stamp, sizeof self->stamp, "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day,
                  g_date_time_get_hour (datetime), g_date_time_get_minute (datetime),
                  g_date_time_get_second (datetime));
      self->stamp_second = second;
    }
  /* The fraction by hand: printf was most of what a stamp cost. */
  len = strlen (self->stamp);
  memcpy (buf, self->stamp, len);
  if (usec != 0)
    {
      buf[len++] = '.';
      for (int i = 5; i >= 0; i--, usec /= 10)
        buf[len + i] = '0' + usec % 10;
      len += 6;
      while (buf[len - 1] == '0')
        len--;
    }
  buf[len++] = 'Z';
  buf[len] = '\0';
}

/* What wrap() writes, for the usual case: to the peer, dated now. */
static GBytes *
wrap_own (MsrpChat *self,
          Outgoing *out)
{
  static const char ns[] = "NS: imdn <" MSRP_IMDN_NAMESPACE ">\r\n";
  static const char disposition[] = "imdn.Disposition-Notification: positive-delivery, display\r\n";
  static const char notification[] = "Content-Disposition: notification\r\n";
  gsize size;
  const char *body = g_bytes_get_data (out->content, &size);
  const char *envelope = own_envelope (self);
  gboolean with_id = out->kind != OUT_COMPOSING;
  gboolean asks = out->kind == OUT_MESSAGE && !self->no_delivery_requests;
  gsize envelope_len = strlen (envelope), id_len = with_id ? strlen (out->id) : 0;
  gsize type_len = strlen (out->content_type);
  gsize datetime_len, len;
  char datetime[40];
  char *text, *p;

  format_now (self, datetime);
  datetime_len = strlen (datetime);

  /* Measured, then copied into one block: a GString took a tenth of what
   * sending a chat line cost. */
  len = (with_id ? sizeof ns - 1 : 0) + envelope_len + 10 + datetime_len + 2 +
        (with_id ? 17 + id_len + 2 : 0) + (asks ? sizeof disposition - 1 : 0) +
        16 + type_len + 2 + (out->kind == OUT_NOTIFICATION ? sizeof notification - 1 : 0) + 2 + size;
  text = p = g_malloc (len + 1);
#define PUT(s, n) (memcpy (p, (s), (n)), p += (n))
  if (with_id)
    PUT (ns, sizeof ns - 1);
  PUT (envelope, envelope_len);
  PUT ("DateTime: ", 10);
  PUT (datetime, datetime_len);
  PUT ("\r\n", 2);
  if (with_id)
    {
      PUT ("imdn.Message-ID: ", 17);
      PUT (out->id, id_len);
      PUT ("\r\n", 2);
    }
  if (asks)
    PUT (disposition, sizeof disposition - 1);
  PUT ("\r\nContent-Type: ", 16);
  PUT (out->content_type, type_len);
  PUT ("\r\n", 2);
  if (out->kind == OUT_NOTIFICATION)
    PUT (notification, sizeof notification - 1);
  PUT ("\r\n", 2);
  if (size > 0)
    PUT (body, size);
#undef PUT
  g_assert ((gsize) (p - text) == len);
  *p = '\0';
  return g_bytes_new_take (text, len);
}

static GBytes *
wrap (MsrpChat *self,
      Outgoing *out)
{
  g_autoptr(MsrpCpimMessage) cpim = NULL;
  g_autoptr(GDateTime) now = NULL;

  /* The content type as the CPIM writer would keep it, else its checks. */
  if (out->recipients == NULL && out->timestamp == NULL && _msrp_is_header_value (out->content_type) &&
      !g_ascii_isspace (out->content_type[0]) && !g_ascii_isspace (out->content_type[strlen (out->content_type) - 1]))
    return wrap_own (self, out);

  cpim = msrp_cpim_message_new (out->content_type, out->content);

  msrp_cpim_message_set_from (cpim, self->local_identity);
  if (out->recipients != NULL)
    for (guint i = 0; out->recipients[i] != NULL; i++)
      msrp_cpim_message_add_to (cpim, out->recipients[i]);
  else
    msrp_cpim_message_add_to (cpim, self->remote_identity);
  /* UTC: the local time zone costs a look at /etc/localtime each time,
   * and the peer shows the time in its own zone anyway. */
  if (out->timestamp == NULL)
    now = g_date_time_new_now_utc ();
  msrp_cpim_message_set_datetime (cpim, out->timestamp ? out->timestamp : now);
  if (out->kind != OUT_COMPOSING)
    msrp_cpim_message_add_header (cpim, MSRP_IMDN_NAMESPACE, "imdn", "Message-ID", out->id);
  if (out->kind == OUT_MESSAGE && !self->no_delivery_requests)
    msrp_cpim_message_add_header (cpim, MSRP_IMDN_NAMESPACE, "imdn", "Disposition-Notification",
                                  "positive-delivery, display");
  if (out->kind == OUT_NOTIFICATION)
    msrp_cpim_message_set_content_header (cpim, "Content-Disposition", "notification");
  return msrp_cpim_message_to_bytes (cpim);
}

static gboolean
on_refusals (gpointer user_data)
{
  MsrpChat *self = user_data;
  Outgoing *out;

  self->refusals_source = 0;
  g_object_ref (self);
  while ((out = g_queue_pop_head (&self->refused)) != NULL)
    {
      _msrp_chat_emit_not_delivered (self, out->id, 0, out->refusal);
      _msrp_chat_outgoing_free (out);
    }
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* Tells of a message the chat cannot send from the main loop, so that
 * send_message has returned its id when the signal comes. */
static void
refuse_later (MsrpChat   *self,
              Outgoing   *out,
              const char *refusal)
{
  out->refusal = g_strdup (refusal);
  g_queue_push_tail (&self->refused, out);
  if (self->refusals_source == 0)
    {
      GSource *idle = g_idle_source_new ();

      g_source_set_static_name (idle, "[msrp] chat refusals");
      g_source_set_callback (idle, on_refusals, self, NULL);
      self->refusals_source = g_source_attach (idle, self->context);
      g_source_unref (idle);
    }
}

void
_msrp_chat_send_now (MsrpChat *self,
                     Outgoing *out)
{
  MsrpSession *session = msrp_stream_get_session (MSRP_STREAM (self));
  g_autofree char *refusal = NULL;
  g_autoptr(GBytes) data = NULL;
  gboolean wrapped;

  refusal = check_peer_takes (self, out, &wrapped);
  if (refusal != NULL)
    {
      if (out->kind == OUT_MESSAGE)
        {
          _msrp_chat_bounded_insert (&self->sent, out->id, GUINT_TO_POINTER (SENT_FAILED));
          refuse_later (self, out, refusal);
        }
      else
        {
          g_debug ("MSRP chat: not sent: %s", refusal);
          _msrp_chat_outgoing_free (out);
        }
      return;
    }

  data = wrapped ? wrap (self, out) : g_bytes_ref (out->content);
  if (out->kind == OUT_MESSAGE)
    _msrp_chat_bounded_insert (&self->sent, out->id, GUINT_TO_POINTER (0));
  out->chat = g_object_ref (self);
  if (out->kind == OUT_NOTIFICATION)
    self->notifications_in_flight++;
  _msrp_session_send_message_with_id (session, data, wrapped ? "message/cpim" : out->content_type, out->id,
                                      out->kind == OUT_MESSAGE, MSRP_FAILURE_REPORT_PARTIAL,
                                      NULL, on_sent, out);
}

/* Whether wrapped messages ask for IMDN notifications (they do unless
 * told): the reference asks for none unless the application adds the
 * header, so bench-chat measures a chat without them beside the default;
 * not public API until DESIGN has a place for it. */
void
_msrp_chat_set_request_notifications (MsrpChat *self,
                                      gboolean  request)
{
  self->no_delivery_requests = !request;
}

void
_msrp_chat_send_or_queue (MsrpChat *self,
                          Outgoing *out)
{
  MsrpStreamState state = msrp_stream_get_state (MSRP_STREAM (self));

  if (state == MSRP_STREAM_STATE_STARTED)
    _msrp_chat_send_now (self, out);
  else if (state >= MSRP_STREAM_STATE_ENDING)
    _msrp_chat_outgoing_free (out);   /* only notifications come here then */
  else
    g_queue_push_tail (&self->queued, out);
}

/* _msrp_xml_append_element() without its copy when nothing needs escaping,
 * as ids, URIs and dates seldom do. */
static void
append_element (GString    *out,
                const char *name,
                const char *text)
{
  if (strpbrk (text, "<>&\"'") != NULL)
    {
      _msrp_xml_append_element (out, name, text);
      return;
    }
  g_string_append (out, "  <");
  g_string_append (out, name);
  g_string_append_c (out, '>');
  g_string_append (out, text);
  g_string_append (out, "</");
  g_string_append (out, name);
  g_string_append (out, ">\n");
}

Outgoing *
_msrp_chat_notification_new (MsrpChat     *self,
                             MsrpImdnKind  kind,
                             const char   *status,
                             const char   *message_id,
                             const char   *recipient)
{
  static const char head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                             "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\n";
  char datetime[40];
  const char *element = kind == MSRP_IMDN_KIND_DISPLAY ? "display-notification" : "delivery-notification";
  g_autoptr(GBytes) body = NULL;
  Outgoing *out;

  /* What msrp_imdn_to_bytes() writes, without an MsrpImdn for each; the
   * callers checked that the id is an XML token. Put together by hand:
   * printf and escaping were a tenth of what a received message cost. */
  format_now (self, datetime);
  if (self->local_uri == NULL)
    self->local_uri = _msrp_cpim_identity_get_uri (self->local_identity);
  if (strpbrk (message_id, "<>&\"'") == NULL &&
      (self->local_uri == NULL || strpbrk (self->local_uri, "<>&\"'") == NULL))
    {
      /* Nothing to escape (the usual case): measured, then copied into
       * one block. */
      gsize id_len = strlen (message_id), datetime_len = strlen (datetime);
      gsize uri_len = self->local_uri != NULL ? strlen (self->local_uri) : 0;
      gsize element_len = strlen (element), status_len = strlen (status);
      gsize len = sizeof head - 1 + 14 + id_len + 14 + 12 + datetime_len + 12 +
                  (self->local_uri != NULL ? 17 + uri_len + 17 : 0) +
                  3 + element_len + 22 + status_len + 21 + element_len + 10;
      char *text = g_malloc (len + 1), *p = text;

#define PUT(s, n) (memcpy (p, (s), (n)), p += (n))
      PUT (head, sizeof head - 1);
      PUT ("  <message-id>", 14);
      PUT (message_id, id_len);
      PUT ("</message-id>\n", 14);
      PUT ("  <datetime>", 12);
      PUT (datetime, datetime_len);
      PUT ("</datetime>\n", 12);
      if (self->local_uri != NULL)
        {
          PUT ("  <recipient-uri>", 17);
          PUT (self->local_uri, uri_len);
          PUT ("</recipient-uri>\n", 17);
        }
      PUT ("  <", 3);
      PUT (element, element_len);
      PUT (">\n    <status>\n      <", 22);
      PUT (status, status_len);
      PUT ("/>\n    </status>\n  </", 21);
      PUT (element, element_len);
      PUT (">\n</imdn>\n", 10);
#undef PUT
      g_assert ((gsize) (p - text) == len);
      *p = '\0';
      body = g_bytes_new_take (text, len);
    }
  else
    {
      GString *xml = g_string_sized_new (384);

      g_string_append (xml, head);
      append_element (xml, "message-id", message_id);
      append_element (xml, "datetime", datetime);
      if (self->local_uri != NULL)
        append_element (xml, "recipient-uri", self->local_uri);
      g_string_append (xml, "  <");
      g_string_append (xml, element);
      g_string_append (xml, ">\n    <status>\n      <");
      g_string_append (xml, status);
      g_string_append (xml, "/>\n    </status>\n  </");
      g_string_append (xml, element);
      g_string_append (xml, ">\n</imdn>\n");
      body = g_string_free_to_bytes (xml);
    }
  out = _msrp_chat_outgoing_new (OUT_NOTIFICATION, body, MSRP_IMDN_CONTENT_TYPE);
  /* To the peer itself: no To of its own (the envelope has the peer). */
  if (g_strcmp0 (recipient, self->remote_identity) != 0)
    {
      out->recipients = g_new0 (char *, 2);
      out->recipients[0] = g_strdup (recipient);
    }
  return out;
}
