/* msrp-session-outgoing.c: MsrpSession sending messages and files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "msrp-session-private.h"

/* Messages wait in a queue; _msrp_session_pump() takes one chunk at a time
 * from each in turn (so a short message is never stuck behind a long one),
 * as long as few message chunks sit in the transport's queue (responses
 * and REPORTs go straight there and must not wait behind much) and fewer
 * than WINDOW wait for their response. A file is read one chunk ahead:
 * memory stays bounded whatever its size.
 *
 * A chunk longer than SLICE_SIZE is written interruptibly: the transport
 * writes it in slices and ends it early with `+` when anything else is
 * queued behind it (a response, a REPORT, a chunk of another message). Its
 * transaction then covers the bytes that went out, and the message goes on
 * from the next byte in a new chunk (new transaction) once the cut one
 * ended; the message makes no other chunk meanwhile, so its chunks stay in
 * Byte-Range order. Byte-Range says `*` for the end of such chunks, as
 * RFC 4975 7.1 asks of interruptible ones; receivers take a chunk's range
 * from its start and the bytes that came. */

/* Message chunks handed to the transport at once: enough for it to write
 * many small ones together, few enough bytes that responses and REPORTs
 * never wait behind much. */
#define MAX_QUEUED_WRITES 64
#define MAX_QUEUED_BYTES (256 * 1024)
/* Message chunks waiting for their response at once, and their bytes:
 * enough to fill the pipe, little enough that a cancel or a 413 stops a
 * long message soon. */
#define WINDOW 256
#define WINDOW_BYTES (4 * 1024 * 1024)
/* Messages started at once (a chunk may have gone out, not their last):
 * a receiver keeps only so many unfinished, and one made with this
 * library answers 413 past max-open-messages (64 by default). The others
 * wait their turn; a message that goes in one chunk never waits. */
#define MAX_STARTED_MESSAGES 16
/* The bytes they may make the receiver hold, at most, unless one message
 * alone is larger: one made with this library answers 413 past
 * max-reassembly-size (64 MiB by default), counted with its bookkeeping,
 * and holds a message only up to max-message-size (16 MiB by default).
 * Half of it leaves room for that and for other senders' messages. */
#define MAX_STARTED_BYTES (32 * 1024 * 1024)

static void msg_write_abort (OutMsg *msg);

/* The message no longer waits for its REPORT. The timer is left as it is:
 * it finds nothing due and is set for the next. */
static void
msg_stop_report_wait (OutMsg *msg)
{
  if (msg->report_link.data == NULL)
    return;
  g_queue_unlink (&msg->session->report_queue, &msg->report_link);
  msg->report_link.data = NULL;
}

/* The sending queue holds up to a window of messages: a message is looked
 * for in it only when it is there, and mostly found at its tail. */
static void
sending_add (MsrpSession *self,
             OutMsg      *msg)
{
  g_queue_push_tail (&self->sending, msg);
  msg->in_sending = TRUE;
}

static void
sending_remove (MsrpSession *self,
                OutMsg      *msg)
{
  if (!msg->in_sending)
    return;
  if (g_queue_peek_tail (&self->sending) == msg)
    g_queue_pop_tail (&self->sending);
  else
    g_queue_remove (&self->sending, msg);
  msg->in_sending = FALSE;
}

/* Whether the message goes in one chunk that is never cut: it is never
 * left unfinished at the peer. */
static gboolean
msg_fits_one_chunk (OutMsg *msg)
{
  return msg->total >= 0 &&
         (guint64) (msg->total - msg->offset) <= MIN (msg->session->max_chunk_size, SLICE_SIZE);
}

/* What a message may make the receiver hold until it has it all: its
 * size, up to what a receiver with the defaults puts together (a stream
 * of unknown size counts that much). */
static gsize
msg_held_at_peer (OutMsg *msg)
{
  if (msg->total < 0 || (guint64) msg->total > MSRP_DEFAULT_MAX_MESSAGE_SIZE)
    return MSRP_DEFAULT_MAX_MESSAGE_SIZE;
  return (gsize) msg->total;
}

/* Whether a message that takes several chunks may start now: the first
 * always does, whatever its size. */
static gboolean
msg_can_start (MsrpSession *self,
               OutMsg      *msg)
{
  return self->msgs_started == 0 ||
         (self->msgs_started < MAX_STARTED_MESSAGES &&
          self->started_bytes + msg_held_at_peer (msg) <= MAX_STARTED_BYTES);
}

/* Starts sending a message that takes several chunks, in a slot. */
static void
msg_start (MsrpSession *self,
           OutMsg      *msg)
{
  msg->holds_slot = TRUE;
  msg->slot_bytes = msg_held_at_peer (msg);
  self->msgs_started++;
  self->started_bytes += msg->slot_bytes;
  sending_add (self, msg);
}

/* The message holds a slot, and the peer has the whole message or is told
 * to drop it: the next ones waiting start, as many as may. Returns whether
 * one did (it wants a pump then). */
static gboolean
msg_release_slot (OutMsg *msg)
{
  MsrpSession *self = msg->session;
  OutMsg *next;
  gboolean started = FALSE;

  msg->holds_slot = FALSE;
  self->msgs_started--;
  self->started_bytes -= msg->slot_bytes;
  while (!self->closed && (next = g_queue_peek_head (&self->waiting)) != NULL &&
         msg_can_start (self, next))
    {
      g_queue_pop_head (&self->waiting);
      next->waiting = FALSE;
      msg_start (self, next);
      started = TRUE;
    }
  return started;
}

OutMsg *
_msrp_out_msg_ref (OutMsg *msg)
{
  msg->ref_count++;
  return msg;
}

void
_msrp_out_msg_unref (OutMsg *msg)
{
  if (--msg->ref_count > 0)
    return;
  g_assert (msg->task == NULL);
  msg_stop_report_wait (msg);
  g_free (msg->message_id);
  g_free (msg->content_type);
  g_clear_pointer (&msg->data, g_bytes_unref);
  g_clear_pointer (&msg->ready, g_bytes_unref);
  g_clear_pointer (&msg->next_ready, g_bytes_unref);
  g_clear_pointer (&msg->rest, g_bytes_unref);
  g_clear_object (&msg->open_chunk);
  g_clear_object (&msg->file);
  g_clear_object (&msg->stream);
  g_clear_object (&msg->session);
  g_clear_object (&msg->cancellable);
  g_free (msg);
}

static void
msg_apply_headers (OutMsg    *msg,
                   MsrpChunk *chunk)
{
  msrp_chunk_set_message_id (chunk, msg->message_id);
  msrp_chunk_set_failure_report (chunk, msg->failure_report);
  if (msg->success_report)
    msrp_chunk_set_success_report (chunk, TRUE);
  if (msg->file != NULL)
    _msrp_outgoing_file_apply_headers (msg->file, chunk);
}

/* Completes the message's task once, with error or success. */
void
_msrp_out_msg_finish (OutMsg *msg,
                      GError *error)
{
  MsrpSession *self = msg->session;
  GTask *task;

  if (msg->done)
    {
      g_clear_error (&error);
      return;
    }
  msg->done = TRUE;
  if (msg->cancelled_id != 0)
    {
      g_cancellable_disconnect (msg->cancellable, msg->cancelled_id);
      msg->cancelled_id = 0;
    }
  if (msg->shared_watch)
    {
      g_queue_unlink (&self->cancel_watched, &msg->cancel_link);
      msg->shared_watch = FALSE;
    }
  sending_remove (self, msg);
  if (msg->waiting)
    {
      /* Mostly the first: they end in order when the session closes or
       * their shared cancellable is cancelled. */
      g_queue_remove (&self->waiting, msg);
      msg->waiting = FALSE;
    }
  /* The last stream done: its blocks go when their chunks are done. */
  if (msg->stream != NULL && --self->streams_sending == 0)
    _msrp_block_pool_set_keep (self->blocks, FALSE);
  if (_msrp_session_table_lookup (self->awaiting_report, msg->message_id) == msg)
    g_hash_table_remove (self->awaiting_report, msg->message_id);
  /* Lingering transactions may keep the message for a while: its timer
   * goes now, or every turn of the main loop would walk past it, and its
   * body, which no chunk takes from any more. */
  msg_stop_report_wait (msg);
  g_clear_pointer (&msg->data, g_bytes_unref);

  /* A message cut short is ended with `#`, so the peer drops what it has:
   * the chunk being written ends so, or when its end-line is on its way
   * already (it may be a `+`), an empty `#` chunk follows it. */
  if (error != NULL && msg->started && !self->closed)
    {
      if (msg->open_chunk != NULL)
        {
          if (_msrp_transport_abort_chunk (self->transport, msg->open_chunk))
            msg->last_sent = TRUE;
          else
            msg->abort_after_cut = TRUE;
        }
      else if (!msg->last_sent)
        msg_write_abort (msg);
    }

  /* A chunk being written lets the slot go when it ends. */
  if (msg->holds_slot && msg->open_chunk == NULL && msg_release_slot (msg))
    _msrp_session_pump (self);

  task = g_steal_pointer (&msg->task);
  if (error != NULL)
    g_task_return_error (task, error);
  else if (msg->file != NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_pointer (task, g_strdup (msg->message_id), g_free);
  g_object_unref (task);
  _msrp_out_msg_unref (msg);   /* its own reference, taken when it was queued */
  _msrp_session_maybe_finish_shutdown (self);
}

/* Ends the message with an empty `#` chunk after what went out. */
static void
msg_write_abort (OutMsg *msg)
{
  MsrpSession *self = msg->session;
  g_autoptr(MsrpChunk) abort_chunk = _msrp_transport_new_request (self->transport, "SEND");

  msg_apply_headers (msg, abort_chunk);
  msrp_chunk_set_failure_report (abort_chunk, MSRP_FAILURE_REPORT_NO);
  msrp_chunk_set_byte_range (abort_chunk, msg->offset + 1, msg->offset, msg->total);
  msrp_chunk_set_continuation (abort_chunk, MSRP_CONTINUATION_ABORT);
  _msrp_transport_write_chunk_with_callback (self->transport, abort_chunk, 0, NULL, NULL);
  msg->last_sent = TRUE;
}

/* Sets when the report timer fires: as rearm_timers() in
 * msrp-session-transactions.c, an early wake-up is left alone unless
 * @exact, so that a message each costs no timer change. */
static void
rearm_report_timer (MsrpSession *self,
                    gboolean     exact)
{
  OutMsg *head = g_queue_peek_head (&self->report_queue);
  gint64 want = head ? head->report_deadline : -1;
  gint64 current = self->report_timer_due;

  if (self->report_timer == NULL || !(exact ? want != current : current == -1 || (want != -1 && want < current)))
    return;
  self->report_timer_due = want;
  if (want == -1)
    _msrp_poller_timer_stop (self->report_timer);
  else
    _msrp_poller_timer_start_at (self->report_timer, want);
}

static void
on_report_timer (gpointer user_data)
{
  MsrpSession *self = user_data;
  gint64 now = g_get_monotonic_time ();
  OutMsg *msg;

  g_object_ref (self);
  self->report_timer_due = -1;
  while ((msg = g_queue_peek_head (&self->report_queue)) != NULL && msg->report_deadline <= now)
    {
      msg_stop_report_wait (msg);
      _msrp_out_msg_ref (msg);
      _msrp_out_msg_finish (msg, g_error_new_literal (MSRP_TRANSACTION_ERROR, MSRP_STATUS_REQUEST_TIMEOUT,
                                                      _("The MSRP peer sent no report for the message in time")));
      _msrp_out_msg_unref (msg);
    }
  rearm_report_timer (self, TRUE);
  g_object_unref (self);
}

/* Waits up to response-timeout for the message's success REPORT. */
static void
msg_start_report_wait (OutMsg *msg)
{
  MsrpSession *self = msg->session;
  GList *l;

  msg->report_deadline = g_get_monotonic_time () + (gint64) self->response_timeout * G_USEC_PER_SEC;
  msg->report_link.data = msg;
  /* Due times come in order unless response-timeout changed. */
  for (l = self->report_queue.tail; l != NULL && ((OutMsg *) l->data)->report_deadline > msg->report_deadline;
       l = l->prev)
    ;
  if (l == NULL)
    g_queue_push_head_link (&self->report_queue, &msg->report_link);
  else
    {
      /* g_queue_insert_after_link() is GLib 2.62; spelled out for the
       * embedded link. */
      msg->report_link.prev = l;
      msg->report_link.next = l->next;
      if (l->next != NULL)
        l->next->prev = &msg->report_link;
      else
        self->report_queue.tail = &msg->report_link;
      l->next = &msg->report_link;
      self->report_queue.length++;
    }
  if (self->report_timer == NULL)
    {
      self->report_timer = _msrp_poller_timer_new (self->context, G_PRIORITY_DEFAULT, on_report_timer, self);
      self->report_timer_due = -1;
    }
  if (self->report_queue.head == &msg->report_link)
    rearm_report_timer (self, FALSE);
}

static void
msg_check_done (OutMsg *msg)
{
  if (msg->done || !msg->last_sent || msg->outstanding > 0)
    return;
  if (!msg->success_report)
    {
      _msrp_out_msg_finish (msg, NULL);
      return;
    }
  if (msg->report_link.data == NULL)
    msg_start_report_wait (msg);
}

/* A chunk of the message got its answer (@response NULL: a success no
 * response says, Failure-Report partial). account: it is the first news of
 * that chunk (a late negative response with Failure-Report partial is not). */
void
_msrp_out_msg_chunk_done (OutMsg    *msg,
                          gboolean   account,
                          gsize      size,
                          gsize      weight,
                          MsrpChunk *response,
                          GError    *error)
{
  MsrpSession *self = msg->session;

  if (account)
    {
      msg->outstanding--;
      self->msg_outstanding--;
      self->msg_outstanding_bytes -= weight;
    }

  if (error != NULL)
    _msrp_out_msg_finish (msg, error);
  else if (response != NULL && msrp_chunk_get_code (response) / 100 != 2)
    _msrp_out_msg_finish (msg, _msrp_session_response_error (response));
  else
    {
      if (msg->file != NULL && !msg->done && account)
        _msrp_outgoing_file_set_bytes_sent (msg->file,
                                            msrp_outgoing_file_get_bytes_sent (msg->file) + size);
      msg_check_done (msg);
    }
  _msrp_session_pump (self);
}

static void on_file_read (GObject *source, GAsyncResult *result, gpointer user_data);

/* Where a stream is: past what went into chunks, the rest of a cut one
 * and the blocks read ahead. */
static gint64
msg_stream_position (OutMsg *msg)
{
  return msg->offset + (msg->rest ? (gint64) g_bytes_get_size (msg->rest) : 0) +
         (msg->ready ? (gint64) g_bytes_get_size (msg->ready) : 0) +
         (msg->next_ready ? (gint64) g_bytes_get_size (msg->next_ready) : 0);
}

/* Starts reading the next block of a stream, unless two are read (the one
 * chunks are cut from, and the next) or one is being read. Blocks are
 * larger than chunks: few reads (each a thread hop for a file), and chunks
 * share their block's memory. */
static void
msg_read_ahead (OutMsg *msg)
{
  MsrpSession *self = msg->session;
  gint64 offset = msg_stream_position (msg);
  gsize want = MAX (self->max_chunk_size, STREAM_BLOCK_SIZE);

  gsize buffered = (msg->ready ? g_bytes_get_size (msg->ready) : 0) +
                   (msg->next_ready ? g_bytes_get_size (msg->next_ready) : 0);
  gsize in_flight = self->msg_outstanding_bytes + buffered;
  gsize limit = WINDOW_BYTES + self->max_chunk_size;

  if (msg->next_ready != NULL || msg->eof || msg->reading)
    return;
  /* What was read and not acknowledged stays within the window and a
   * chunk, whatever the block size: a peer that stops reading does not
   * make the file pile up in memory. */
  if (in_flight + self->max_chunk_size > limit)
    {
      if (buffered > 0)
        return;
      want = self->max_chunk_size;
    }
  else
    want = MIN (want, limit - in_flight);
  if (msg->total >= 0)
    want = MIN ((guint64) (msg->total - offset), want);
  if (want == 0)
    msg->eof = TRUE;
  else
    {
      msg->reading = TRUE;
      if (want <= STREAM_BLOCK_SIZE)
        {
          msg->read_block = _msrp_block_pool_take (self->blocks);
          g_input_stream_read_async (msg->stream, _msrp_block_get_data (msg->read_block), want, G_PRIORITY_DEFAULT,
                                     _msrp_session_get_cancellable (self), on_file_read,
                                     _msrp_out_msg_ref (msg));
        }
      else
        g_input_stream_read_bytes_async (msg->stream, want, G_PRIORITY_DEFAULT,
                                         _msrp_session_get_cancellable (self), on_file_read,
                                         _msrp_out_msg_ref (msg));
    }
}

/* The next chunk of a message, or NULL when none is ready yet. */
static MsrpChunk *
msg_next_chunk (OutMsg *msg)
{
  MsrpSession *self = msg->session;
  g_autoptr(GBytes) piece = NULL;
  MsrpChunk *chunk;
  gsize len;
  gboolean last;

  if (msg->done || msg->last_sent ||
      (msg->cancellable != NULL && g_cancellable_is_cancelled (msg->cancellable)))
    return NULL;

  /* The next chunk starts where the one being written ends, which is known
   * once it ended (it may be cut); a stream reads ahead meanwhile. */
  if (msg->open_chunk != NULL)
    {
      if (msg->data == NULL)
        msg_read_ahead (msg);
      return NULL;
    }

  if (msg->data != NULL)
    {
      len = MIN ((guint64) (msg->total - msg->offset), self->max_chunk_size);
      piece = g_bytes_new_from_bytes (msg->data, msg->offset, len);
      last = msg->offset + (gint64) len == msg->total;
    }
  else if (msg->rest != NULL)
    {
      /* The rest of a cut chunk goes before what was read after it. */
      piece = g_steal_pointer (&msg->rest);
      len = g_bytes_get_size (piece);
      last = msg->rest_last;
    }
  else
    {
      if (msg->ready == NULL)
        msg->ready = g_steal_pointer (&msg->next_ready);
      msg_read_ahead (msg);
      if (msg->ready == NULL && !msg->eof)
        return NULL;
      if (msg->ready == NULL && msg->eof && msg->total >= 0 && msg->offset < msg->total)
        {
          g_autofree char *got = g_strdup_printf ("%" G_GINT64_FORMAT, msg->offset);
          g_autofree char *want = g_strdup_printf ("%" G_GINT64_FORMAT, msg->total);

          _msrp_out_msg_finish (msg, g_error_new (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                                  _("The file ended after %s of its %s bytes"), got, want));
          return NULL;
        }
      if (msg->ready == NULL)
        piece = g_bytes_new_static ("", 0);
      else if (g_bytes_get_size (msg->ready) > self->max_chunk_size)
        {
          /* A chunk's worth of the block, sharing its memory. */
          GBytes *block = g_steal_pointer (&msg->ready);
          gsize size = g_bytes_get_size (block);

          piece = g_bytes_new_from_bytes (block, 0, self->max_chunk_size);
          msg->ready = g_bytes_new_from_bytes (block, self->max_chunk_size, size - self->max_chunk_size);
          g_bytes_unref (block);
        }
      else
        {
          piece = g_steal_pointer (&msg->ready);
          msg->ready = g_steal_pointer (&msg->next_ready);
        }
      len = g_bytes_get_size (piece);
      last = (msg->eof && msg->ready == NULL) ||
             (msg->total >= 0 && msg->offset + (gint64) len == msg->total);
      if (last && msg->total < 0)
        msg->total = msg->offset + len;
      msg_read_ahead (msg);
    }

  chunk = _msrp_transport_new_request (self->transport, "SEND");
  msrp_chunk_set_content_type (chunk, msg->content_type);
  msrp_chunk_set_data (chunk, piece);
  msg_apply_headers (msg, chunk);
  /* A chunk that may be cut short says `*` for its end (RFC 4975 7.1). */
  msrp_chunk_set_byte_range (chunk, msg->offset + 1, len > SLICE_SIZE ? -1 : msg->offset + (gint64) len,
                             last ? msg->offset + (gint64) len : msg->total);
  msrp_chunk_set_continuation (chunk, last ? MSRP_CONTINUATION_END : MSRP_CONTINUATION_MORE);
  msg->offset += len;
  msg->started = TRUE;
  msg->last_sent = last;
  if (last && msg->success_report)
    g_hash_table_insert (_msrp_session_awaiting_report (self), msg->message_id, msg);
  return chunk;
}

static void
on_file_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  OutMsg *msg = user_data;
  MsrpBlock *block = g_steal_pointer (&msg->read_block);
  GError *error = NULL;
  GBytes *bytes;

  if (block != NULL)
    {
      gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

      if (n > 0)
        bytes = _msrp_block_free_to_bytes (block, n);
      else
        {
          _msrp_block_give_back (block);
          bytes = n == 0 ? g_bytes_new_static ("", 0) : NULL;
        }
    }
  else
    bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  msg->reading = FALSE;
  if (bytes == NULL)
    _msrp_out_msg_finish (msg, error);
  else if (g_bytes_get_size (bytes) == 0)
    {
      msg->eof = TRUE;
      g_bytes_unref (bytes);
    }
  else
    {
      /* Peek whether this was the end: the last chunk must say `$`. */
      if (msg->total >= 0 && msg_stream_position (msg) + (gint64) g_bytes_get_size (bytes) >= msg->total)
        msg->eof = TRUE;
      if (msg->ready == NULL)
        msg->ready = bytes;
      else
        msg->next_ready = bytes;
    }

  if (!msg->done)
    _msrp_session_pump (msg->session);
  _msrp_out_msg_unref (msg);
}

/* The interruptible chunk of a message was written to its end, or cut
 * short after @sent bytes of @body: then the message goes on from there in
 * a new chunk, or, when it failed meanwhile, ends with `#`. */
void
_msrp_out_msg_open_chunk_ended (OutMsg           *msg,
                                MsrpChunk        *chunk,
                                GBytes           *body,
                                Transaction      *t,
                                gsize             sent,
                                MsrpContinuation  ended)
{
  MsrpSession *self = msg->session;
  gsize size = g_bytes_get_size (body);
  gint64 start;

  if (msg->open_chunk == chunk)
    g_clear_object (&msg->open_chunk);
  if (ended != MSRP_CONTINUATION_MORE || sent >= size)
    {
      /* Whole: the message's last chunk, or cut with `#`, went out; or a
       * chunk with `+` whose end-line was on its way when the message
       * failed, which the `#` chunk follows. */
      if (ended == MSRP_CONTINUATION_MORE && msg->done && msg->abort_after_cut && !self->closed)
        msg_write_abort (msg);
      if (msg->holds_slot && (msg->last_sent || msg->done))
        msg_release_slot (msg);
      return;
    }

  /* Its transaction covers what went out: its response counts that much. */
  if (t != NULL)
    t->size = sent;
  msrp_chunk_get_byte_range (chunk, &start, NULL, NULL);
  msg->offset = start - 1 + (gint64) sent;
  if (msg->data == NULL)
    {
      g_clear_pointer (&msg->rest, g_bytes_unref);
      msg->rest = g_bytes_new_from_bytes (body, sent, size - sent);
      msg->rest_last = msg->last_sent;
    }
  msg->last_sent = FALSE;

  if (msg->done)
    {
      if (msg->abort_after_cut && !self->closed)
        msg_write_abort (msg);
      if (msg->holds_slot)
        msg_release_slot (msg);
    }
  else if (!msg->in_sending)
    sending_add (self, msg);
}

void
_msrp_session_pump (MsrpSession *self)
{
  if (self->pumping)
    {
      self->pump_again = TRUE;
      return;
    }
  self->pumping = TRUE;
  g_object_ref (self);

  do
    {
      self->pump_again = FALSE;
      while (!self->closed &&
             self->msg_writes < MAX_QUEUED_WRITES &&
             (self->msg_write_bytes < MAX_QUEUED_BYTES || self->msg_writes == 0) &&
             self->msg_outstanding < WINDOW &&
             (self->msg_outstanding_bytes < WINDOW_BYTES || self->msg_outstanding == 0) &&
             !g_queue_is_empty (&self->sending))
        {
          guint n = g_queue_get_length (&self->sending);
          MsrpChunk *chunk = NULL;
          OutMsg *msg = NULL;

          /* Round robin: the first message with a chunk ready. */
          for (guint i = 0; i < n && chunk == NULL; i++)
            {
              msg = g_queue_pop_head (&self->sending);
              g_queue_push_tail (&self->sending, msg);
              _msrp_out_msg_ref (msg);
              chunk = msg_next_chunk (msg);
              if (chunk == NULL)
                _msrp_out_msg_unref (msg);
            }
          if (chunk == NULL)
            break;

          if (msg->last_sent)
            sending_remove (self, msg);
          msg->outstanding++;
          self->msg_outstanding++;
          self->msg_outstanding_bytes += MIN (msrp_chunk_get_size (chunk), SLICE_SIZE);
          /* The transaction holds the reference taken above. */
          if (!_msrp_session_start_transaction (self, chunk, NULL, msg, NULL, NULL))
            g_assert_not_reached ();
          /* A last chunk that is never cut: the peer will have it all. */
          if (msg->holds_slot && msg->last_sent && msrp_chunk_get_size (chunk) <= SLICE_SIZE)
            msg_release_slot (msg);
          g_object_unref (chunk);
        }
    }
  while (self->pump_again);

  self->pumping = FALSE;
  g_object_unref (self);
}

static void
msg_finish_cancelled (OutMsg *msg)
{
  _msrp_out_msg_finish (msg, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  _("The MSRP message was cancelled")));
}

static gboolean
msg_cancel_in_idle (gpointer user_data)
{
  msg_finish_cancelled (user_data);
  return G_SOURCE_REMOVE;
}

/* Called where the cancellable was cancelled, maybe another thread: the
 * message ends from the session's context. */
static void
on_msg_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  OutMsg *msg = user_data;

  _msrp_session_add_idle (msg->session, "[msrp] message cancelled", msg_cancel_in_idle,
                          _msrp_out_msg_ref (msg), (GDestroyNotify) _msrp_out_msg_unref);
}

/* The watched cancellable was cancelled: every message using it ends. */
static gboolean
watched_cancel_in_idle (gpointer user_data)
{
  MsrpSession *self = user_data;
  g_autoptr(GPtrArray) msgs = g_ptr_array_new_with_free_func ((GDestroyNotify) _msrp_out_msg_unref);

  /* Their callbacks may queue messages: those that were waiting end. */
  for (GList *l = self->cancel_watched.head; l != NULL; l = l->next)
    g_ptr_array_add (msgs, _msrp_out_msg_ref (l->data));
  for (guint i = 0; i < msgs->len; i++)
    msg_finish_cancelled (g_ptr_array_index (msgs, i));
  return G_SOURCE_REMOVE;
}

/* Called where the cancellable was cancelled, maybe another thread. The
 * session is alive: dispose disconnects this first (waiting for it). */
static void
on_watched_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  MsrpSession *self = user_data;

  _msrp_session_add_idle (self, "[msrp] message cancelled", watched_cancel_in_idle,
                          g_object_ref (self), g_object_unref);
}

/* Watches the message's cancellable: with the session's one handler when
 * it is the session's watched cancellable (the first a message brought),
 * or with one of its own. */
static void
msg_watch_cancellable (MsrpSession *self,
                       OutMsg      *msg)
{
  GCancellable *cancellable = msg->cancellable;

  if (self->watched_cancellable == NULL && !g_cancellable_is_cancelled (cancellable))
    {
      self->watched_id = g_cancellable_connect (cancellable, G_CALLBACK (on_watched_cancelled), self, NULL);
      /* 0: it was cancelled meanwhile, and the handler ran (for nothing). */
      if (self->watched_id != 0)
        self->watched_cancellable = g_object_ref (cancellable);
    }
  /* Cancelled already, the message ends as with a handler of its own.
   * Cancelled from now on, the handler finds it in cancel_watched. */
  if (cancellable == self->watched_cancellable && !g_cancellable_is_cancelled (cancellable))
    {
      msg->cancel_link.data = msg;
      g_queue_push_tail_link (&self->cancel_watched, &msg->cancel_link);
      msg->shared_watch = TRUE;
      return;
    }
  msg->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_msg_cancelled),
                                             _msrp_out_msg_ref (msg), (GDestroyNotify) _msrp_out_msg_unref);
}

/* A message for a send_*_async() call, with the session's reports.
 * Inlined: a call more is measurable with many small messages. */
G_ALWAYS_INLINE static inline OutMsg *
msg_new (MsrpSession         *session,
         const char          *task_name,
         gpointer             source_tag,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  OutMsg *msg = g_new0 (OutMsg, 1);

  msg->ref_count = 1;
  msg->session = g_object_ref (session);
  msg->task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_name (msg->task, task_name);
  g_task_set_source_tag (msg->task, source_tag);
  msg->success_report = session->success_report;
  msg->failure_report = session->failure_report;
  return msg;
}

static void
queue_message (MsrpSession *self,
               OutMsg      *msg)
{
  if (self->closed || self->shutdown_task != NULL)
    {
      msg->done = TRUE;
      g_task_return_error (g_steal_pointer (&msg->task), _msrp_session_closed_error ());
      _msrp_out_msg_unref (msg);
      return;
    }
  /* The message keeps its first reference until it is finished. */
  if (msg_fits_one_chunk (msg))
    sending_add (self, msg);
  else if (g_queue_is_empty (&self->waiting) && msg_can_start (self, msg))
    msg_start (self, msg);
  else
    {
      g_queue_push_tail (&self->waiting, msg);
      msg->waiting = TRUE;
    }
  msg->cancellable = g_task_get_cancellable (msg->task);
  if (msg->cancellable != NULL)
    {
      g_object_ref (msg->cancellable);
      msg_watch_cancellable (self, msg);
    }
  _msrp_session_pump (self);
}

/**
 * msrp_session_send_message_async:
 * @session: a #MsrpSession
 * @data: the message
 * @content_type: its MIME type, such as "text/plain"
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the message is delivered
 * @user_data: data for @callback
 *
 * Sends a message, in chunks of at most
 * [property@Msrp.Session:max-chunk-size] with a new random Message-ID and
 * the session's [property@Msrp.Session:failure-report] and
 * [property@Msrp.Session:success-report]. Several messages can be in
 * flight at once; they take turns chunk by chunk, and a long chunk is cut
 * short (ended with `+`, the rest following in a new chunk) when a
 * response, a REPORT or a chunk of another message is waiting. Of the
 * messages and files that take several chunks, only a few are started at
 * once, of 32 MiB in all unless one alone is larger (receivers keep only
 * so many unfinished messages, and so many bytes of them); the others
 * wait their turn, in the order they were queued.
 *
 * It completes when every chunk got its response, and, when a success
 * REPORT was asked for, when that REPORT came. A negative response (such
 * as 413) stops the message: the peer gets a last chunk ending with `#`.
 *
 * Since: 1.0
 */
void
msrp_session_send_message_async (MsrpSession         *session,
                                 GBytes              *data,
                                 const char          *content_type,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  OutMsg *msg;

  g_return_if_fail (MSRP_IS_SESSION (session));
  g_return_if_fail (data != NULL);
  g_return_if_fail (content_type != NULL);

  msg = msg_new (session, "[msrp] send message", msrp_session_send_message_async,
                 cancellable, callback, user_data);
  msg->message_id = _msrp_random_ident (MSRP_RANDOM_NONCE, MSRP_RANDOM_ID_LENGTH);
  msg->content_type = g_strdup (content_type);
  msg->data = g_bytes_ref (data);
  msg->total = g_bytes_get_size (data);
  queue_message (session, msg);
}

void
_msrp_session_send_message_with_id (MsrpSession         *session,
                                    GBytes              *data,
                                    const char          *content_type,
                                    const char          *message_id,
                                    gboolean             success_report,
                                    MsrpFailureReport    failure_report,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  OutMsg *msg;

  g_return_if_fail (MSRP_IS_SESSION (session));
  g_return_if_fail (data != NULL && content_type != NULL && message_id != NULL);

  msg = msg_new (session, "[msrp] send message", msrp_session_send_message_async,
                 cancellable, callback, user_data);
  msg->message_id = g_strdup (message_id);
  msg->content_type = g_strdup (content_type);
  msg->data = g_bytes_ref (data);
  msg->total = g_bytes_get_size (data);
  msg->success_report = success_report;
  msg->failure_report = failure_report;
  queue_message (session, msg);
}

/**
 * msrp_session_send_message_finish:
 * @session: a #MsrpSession
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Session.send_message_async].
 *
 * Returns: (transfer full): the Message-ID, or %NULL with @error set
 *   (%MSRP_TRANSACTION_ERROR with the peer's status code when it refused
 *   the message)
 *
 * Since: 1.0
 */
char *
msrp_session_send_message_finish (MsrpSession  *session,
                                  GAsyncResult *result,
                                  GError      **error)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), NULL);
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * msrp_session_send_file_async:
 * @session: a #MsrpSession
 * @file: what to send
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the file is delivered
 * @user_data: data for @callback
 *
 * Streams a file: it is read one chunk at a time, so memory stays bounded
 * whatever its size. The chunks carry the file's Message-ID and headers
 * and a Byte-Range whose total is the file's size (`*` while unknown);
 * [property@Msrp.OutgoingFile:bytes-sent] follows the acknowledged bytes.
 * Success-Report is the file's own header when set, else the session's.
 * Completion is as for [method@Msrp.Session.send_message_async].
 *
 * Since: 1.0
 */
void
msrp_session_send_file_async (MsrpSession         *session,
                              MsrpOutgoingFile    *file,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  OutMsg *msg;
  const char *success;

  g_return_if_fail (MSRP_IS_SESSION (session));
  g_return_if_fail (MSRP_IS_OUTGOING_FILE (file));

  msg = msg_new (session, "[msrp] send file", msrp_session_send_file_async,
                 cancellable, callback, user_data);
  msg->file = g_object_ref (file);
  msg->stream = g_object_ref (msrp_outgoing_file_get_stream (file));
  msg->message_id = g_strdup (msrp_outgoing_file_get_message_id (file));
  msg->content_type = g_strdup (msrp_outgoing_file_get_content_type (file));
  msg->total = msrp_outgoing_file_get_size (file);
  msg->offset = msrp_outgoing_file_get_position (file);
  success = msrp_outgoing_file_get_header (file, "Success-Report");
  if (success != NULL)
    msg->success_report = g_ascii_strcasecmp (success, "yes") == 0;
  if (session->streams_sending++ == 0)
    _msrp_block_pool_set_keep (session->blocks, TRUE);
  queue_message (session, msg);
}

/**
 * msrp_session_send_file_finish:
 * @session: a #MsrpSession
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Session.send_file_async].
 *
 * Returns: %TRUE when the whole file was delivered
 *
 * Since: 1.0
 */
gboolean
msrp_session_send_file_finish (MsrpSession  *session,
                               GAsyncResult *result,
                               GError      **error)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, session), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A REPORT about a message we sent. */
void
_msrp_session_handle_report (MsrpSession *self,
                             MsrpChunk   *report)
{
  const char *message_id = msrp_chunk_get_message_id (report);
  OutMsg *msg = message_id ? _msrp_session_table_lookup (self->awaiting_report, message_id) : NULL;
  guint code;
  const char *comment;

  g_signal_emit (self, _msrp_session_signals[SIGNAL_REPORT_RECEIVED], 0, report);
  if (msg == NULL || msg->done || !msrp_chunk_get_status (report, &code, &comment))
    return;
  if (code / 100 == 2)
    {
      /* Delivered: all that is left is the responses, if any. */
      msg->success_report = FALSE;
      g_hash_table_remove (self->awaiting_report, message_id);
      msg_check_done (msg);
    }
  else
    _msrp_out_msg_finish (msg, g_error_new (MSRP_TRANSACTION_ERROR, code, _("The MSRP peer reported %u %s"),
                                            code, comment ? comment : ""));
}

