/* msrp-session-incoming.c: MsrpSession reading, answering, reassembling
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-session-private.h"

/* Incoming chunks are handed out in parts of at most this many bytes, so a
 * peer sending one huge chunk does not grow memory. */
#define READ_PART_SIZE (256 * 1024)

static void continue_reading (MsrpSession *self);

static void
on_answer_written (MsrpTransport    *transport,
                   const GError     *error,
                   gsize             sent,
                   MsrpContinuation  ended,
                   gpointer          user_data)
{
  if (error != NULL)
    g_debug ("Could not answer an MSRP request: %s", error->message);
}

static void
answer (MsrpSession *self,
        MsrpChunk   *request,
        guint        code,
        const char  *comment)
{
  g_autoptr(MsrpChunk) response = NULL;

  if (comment == NULL)
    {
      _msrp_transport_write_response (self->transport, request, code, on_answer_written, NULL);
      return;
    }
  response = msrp_transport_make_response (self->transport, request, code, comment);
  _msrp_transport_write_chunk_with_callback (self->transport, response, 0, on_answer_written, NULL);
}

/* Whether the Failure-Report of a request wants this status answered. */
static gboolean
wants_answer (MsrpChunk *request,
              guint      code)
{
  switch (msrp_chunk_get_failure_report (request))
    {
    case MSRP_FAILURE_REPORT_NO:
      return FALSE;
    case MSRP_FAILURE_REPORT_PARTIAL:
      return code / 100 != 2;
    case MSRP_FAILURE_REPORT_YES:
    default:
      return TRUE;
    }
}

static gboolean
type_accepted (MsrpSession *self,
               const char  *content_type)
{
  g_autofree char *type = NULL;
  const char *semicolon = strchr (content_type, ';');

  type = g_ascii_strdown (content_type, semicolon ? semicolon - content_type : -1);
  g_strstrip (type);
  for (guint i = 0; self->accept_types[i] != NULL; i++)
    {
      const char *accept = self->accept_types[i];
      gsize len = strlen (accept);

      if (strcmp (accept, "*") == 0 || g_ascii_strcasecmp (accept, type) == 0)
        return TRUE;
      /* type/ * */
      if (len >= 2 && accept[len - 1] == '*' && accept[len - 2] == '/' &&
          g_ascii_strncasecmp (accept, type, len - 1) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
send_success_report (MsrpSession *self,
                     MsrpChunk   *first,
                     guint64      total)
{
  g_autoptr(MsrpChunk) report = NULL;
  GPtrArray *from = msrp_chunk_get_from_path (first);
  const char *message_id = msrp_chunk_get_message_id (first);

  /* One for each message a chat receives: written straight from the
   * encoded path, without a chunk, as the transport writes responses. */
  if (from != NULL && from->len > 0 && message_id != NULL)
    {
      if (from != self->report_path)
        {
          g_clear_pointer (&self->report_path, g_ptr_array_unref);
          g_free (self->report_path_value);
          self->report_path = g_ptr_array_ref (from);
          self->report_path_value = msrp_path_to_string (from);
        }
      if (_msrp_transport_write_report (self->transport, self->report_path_value, message_id, total,
                                        MSRP_STATUS_OK, on_answer_written, NULL))
        return;
    }

  report = _msrp_transport_new_request (self->transport, "REPORT");
  /* Back along the path the message came, hop by hop. */
  msrp_chunk_set_to_path (report, from);
  msrp_chunk_set_message_id (report, msrp_chunk_get_message_id (first));
  msrp_chunk_set_byte_range (report, 1, total, total);
  msrp_chunk_set_status (report, MSRP_STATUS_OK, NULL);
  _msrp_transport_write_chunk_with_callback (self->transport, report, 0, on_answer_written, NULL);
}

/* Whether the chunk (or the part of one) goes past max-size: by its
 * message's total, or by where the bytes that came end. A `#` chunk keeps
 * nothing: it goes on, to drop what was kept. */
static gboolean
over_max_size (MsrpSession *self,
               MsrpChunk   *chunk)
{
  gint64 start, total;

  if (self->max_size == 0 || msrp_chunk_get_continuation (chunk) == MSRP_CONTINUATION_ABORT)
    return FALSE;
  msrp_chunk_get_byte_range (chunk, &start, NULL, &total);
  return (total >= 0 && (guint64) total > self->max_size) ||
         (guint64) (MAX (start, 1) - 1) + msrp_chunk_get_size (chunk) > self->max_size;
}

/* The table is made for the first refused chunk: most sessions never
 * refuse one. */
static void
refuse_rest (MsrpSession *self,
             const char  *tid)
{
  if (self->refused == NULL)
    self->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (self->refused, g_strdup (tid));
}

static void
handle_send (MsrpSession *self,
             MsrpChunk   *chunk)
{
  const char *tid = msrp_chunk_get_transaction_id (chunk);
  guint segment = msrp_chunk_get_segment (chunk);
  gboolean last_part = segment == 0 || _msrp_chunk_is_last_segment (chunk);
  g_autoptr(GError) error = NULL;
  const char *content_type;
  g_autoptr(MsrpChunk) first = NULL;
  g_autoptr(GBytes) message = NULL;
  guint64 message_total = 0;
  gboolean streamed;
  MsrpReassembly result;

  /* The rest of a chunk whose first part was refused is dropped. */
  if (segment > 1 && self->refused != NULL && g_hash_table_contains (self->refused, tid))
    {
      if (last_part)
        g_hash_table_remove (self->refused, tid);
      return;
    }

  if (segment <= 1)
    {
      content_type = msrp_chunk_get_content_type (chunk);
      if (!msrp_transport_check_incoming_send_chunk (self->transport, chunk, &error))
        ;
      else if (content_type != NULL && !type_accepted (self, content_type))
        g_set_error (&error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                     _("The MSRP session does not accept “%s”"), content_type);
    }
  /* On every part: a chunk of unknown length may go past the bound only
   * in a later part of it. */
  if (error == NULL && over_max_size (self, chunk))
    {
      g_set_error (&error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_STOP_SENDING,
                   _("The message is larger than the MSRP session accepts"));
      /* What was kept of it goes, and its later chunks get 413 too. */
      if (msrp_chunk_get_message_id (chunk) != NULL)
        _msrp_reassembler_refuse (self->reassembler, msrp_chunk_get_message_id (chunk));
    }

  if (error != NULL)
    {
      g_debug ("refusing chunk %s: %s", tid, error->message);
      if (error->domain == MSRP_TRANSACTION_ERROR && wants_answer (chunk, error->code))
        answer (self, chunk, error->code, NULL);
      if (!last_part)
        refuse_rest (self, tid);
      return;
    }

  /* A SEND without a body (not even an empty one) carries no message: it
   * binds a connection or keeps it alive. */
  if (msrp_chunk_get_data (chunk) == NULL && msrp_chunk_get_content_type (chunk) == NULL &&
      msrp_chunk_get_continuation (chunk) == MSRP_CONTINUATION_END)
    {
      if (wants_answer (chunk, MSRP_STATUS_OK))
        answer (self, chunk, MSRP_STATUS_OK, NULL);
      return;
    }

  /* Put together before anything acknowledges the chunk: one the session
   * cannot keep gets 413, not a 200 and later a success REPORT for a
   * message nobody got. A handler of chunk-received takes the chunks of
   * a message too large to keep. */
  streamed = g_signal_has_handler_pending (self, _msrp_session_signals[SIGNAL_CHUNK_RECEIVED], 0, FALSE);
  result = _msrp_reassembler_add (self->reassembler, chunk, streamed, &first, &message, &message_total);
  if (result == MSRP_REASSEMBLY_TOO_LARGE || result == MSRP_REASSEMBLY_OVER_LIMIT ||
      result == MSRP_REASSEMBLY_REFUSED)
    {
      g_debug ("refusing chunk %s of message %s: %s", tid, msrp_chunk_get_message_id (chunk),
               result == MSRP_REASSEMBLY_TOO_LARGE ? "too large, and no chunk-received handler"
               : result == MSRP_REASSEMBLY_OVER_LIMIT ? "over the reassembly limits"
               : "its message was refused");
      if (wants_answer (chunk, MSRP_STATUS_STOP_SENDING))
        answer (self, chunk, MSRP_STATUS_STOP_SENDING, NULL);
      if (!last_part)
        refuse_rest (self, tid);
      return;
    }

  /* The application layer looks at a whole message before it is
   * acknowledged. */
  if (result == MSRP_REASSEMBLY_COMPLETE && message != NULL && self->message_check != NULL)
    {
      guint code = self->message_check (self, first, message, self->message_check_data);

      if (code != 0)
        {
          g_debug ("refusing message %s with %u", msrp_chunk_get_message_id (first), code);
          if (wants_answer (chunk, code))
            answer (self, chunk, code, NULL);
          return;
        }
    }

  /* One response for the whole chunk, once its last part came; queued
   * before the signals, so that a handler that shuts the session down
   * does not leave the chunk unanswered. */
  if (last_part && wants_answer (chunk, MSRP_STATUS_OK))
    answer (self, chunk, MSRP_STATUS_OK, NULL);

  g_signal_emit (self, _msrp_session_signals[SIGNAL_CHUNK_RECEIVED], 0, chunk);
  if (self->closed || result != MSRP_REASSEMBLY_COMPLETE)
    return;

  if (msrp_chunk_get_success_report (first))
    send_success_report (self, first, message_total);
  /* NULL: too large, it came only as chunk-received. */
  if (message != NULL)
    g_signal_emit (self, _msrp_session_signals[SIGNAL_MESSAGE_RECEIVED], 0, first, message);
}

static void
handle_response (MsrpSession *self,
                 MsrpChunk   *response)
{
  Transaction *t = _msrp_session_table_lookup (self->transactions, msrp_chunk_get_transaction_id (response));

  if (t == NULL)
    {
      g_debug ("ignoring a response to no transaction of ours: %s", msrp_chunk_get_transaction_id (response));
      return;
    }
  /* With Failure-Report partial, a success is not expected but fine. */
  _msrp_session_transaction_complete (self, t, response, NULL);
}

static void
handle_chunk (MsrpSession *self,
              MsrpChunk   *chunk)
{
  const char *method = msrp_chunk_get_method (chunk);

  if (method == NULL)
    handle_response (self, chunk);
  else if (strcmp (method, "SEND") == 0)
    handle_send (self, chunk);
  else if (strcmp (method, "REPORT") == 0)
    {
      if (msrp_chunk_get_segment (chunk) <= 1)
        _msrp_session_handle_report (self, chunk);
    }
  else if (msrp_chunk_get_segment (chunk) <= 1)
    answer (self, chunk, MSRP_STATUS_UNKNOWN_METHOD, NULL);
}

static void
on_chunk_read (MsrpTransport *transport,
               MsrpChunk     *read,
               GError        *error,
               gpointer       user_data)
{
  MsrpSession *self = user_data;
  g_autoptr(MsrpChunk) chunk = read;

  self->read_pending = FALSE;
  self->last_activity = g_get_monotonic_time ();
  if (chunk == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->closed)
        {
          /* The peer closing between chunks is the normal end. */
          if (g_error_matches (error, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED))
            g_clear_error (&error);
          _msrp_session_close (self, error);
        }
      else
        g_clear_error (&error);
      g_object_unref (self);
      return;
    }

  handle_chunk (self, chunk);
  continue_reading (self);
  g_object_unref (self);
}

/* Hands out the chunks already read, then reads on; stops while paused. */
static void
continue_reading (MsrpSession *self)
{
  while (!self->closed && self->paused == 0 && !self->read_pending)
    {
      /* Chunks already read are handled now, not a main-loop turn each. */
      g_autoptr(MsrpChunk) next = _msrp_transport_read_buffered (self->transport, READ_PART_SIZE);

      if (next == NULL)
        {
          _msrp_session_read_next (self);
          break;
        }
      handle_chunk (self, next);
    }
}

void
_msrp_session_read_next (MsrpSession *self)
{
  self->read_pending = TRUE;
  _msrp_transport_read_with_callback (self->transport, READ_PART_SIZE, on_chunk_read, g_object_ref (self));
}

static gboolean
resume_in_idle (gpointer user_data)
{
  continue_reading (MSRP_SESSION (user_data));
  return G_SOURCE_REMOVE;
}

/**
 * msrp_session_pause_reading:
 * @session: a #MsrpSession
 *
 * Stops handing out incoming chunks (and reading them from the
 * connection) after the signal being emitted now, until
 * [method@Msrp.Session.resume_reading]: an application that consumes
 * chunks asynchronously, say writing them to disk, calls it in
 * [signal@Msrp.Session::chunk-received] and resumes once it caught up. The
 * peer is then slowed down by TCP instead of memory growing here.
 * Calls nest: reading resumes after as many resumes as pauses.
 *
 * Since: 1.0
 */
void
msrp_session_pause_reading (MsrpSession *session)
{
  g_return_if_fail (MSRP_IS_SESSION (session));
  session->paused++;
}

/**
 * msrp_session_resume_reading:
 * @session: a #MsrpSession
 *
 * Undoes one [method@Msrp.Session.pause_reading]. Reading goes on from the
 * main context, not from within this call.
 *
 * Since: 1.0
 */
void
msrp_session_resume_reading (MsrpSession *session)
{
  g_return_if_fail (MSRP_IS_SESSION (session));
  g_return_if_fail (session->paused > 0);

  if (--session->paused == 0 && !session->closed)
    _msrp_session_add_idle (session, "[msrp] resume reading", resume_in_idle,
                            g_object_ref (session), g_object_unref);
}


void
_msrp_session_set_message_check (MsrpSession      *session,
                                 MsrpMessageCheck  check,
                                 gpointer          user_data)
{
  g_return_if_fail (MSRP_IS_SESSION (session));

  session->message_check = check;
  session->message_check_data = user_data;
}
