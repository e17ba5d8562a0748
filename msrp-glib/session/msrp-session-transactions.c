/* msrp-session-transactions.c: MsrpSession's outgoing transactions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-session-private.h"

/* The transaction table's value destroy function. */
void
_msrp_session_transaction_free (gpointer data)
{
  Transaction *t = data;

  if (t->timer_link != NULL)
    g_queue_delete_link (&t->session->timer_queue, t->timer_link);
  if (t->lingering)
    t->session->lingering--;
  g_clear_object (&t->chunk);
  g_clear_object (&t->task);
  g_free (t);   /* its tid with it */
}

void
_msrp_session_transaction_complete (MsrpSession *self,
                                    Transaction *t,
                                    MsrpChunk   *response,
                                    GError      *error)
{
  GTask *task = g_steal_pointer (&t->task);
  OutMsg *msg = g_steal_pointer (&t->msg);
  gboolean counted = t->counted;
  gsize size = t->size;
  gsize weight = t->weight;

  g_object_ref (self);
  /* Freed after the callbacks, which may write the next chunk. */
  g_hash_table_steal (self->transactions, t->tid);
  if (task != NULL)
    {
      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, g_object_ref (response), g_object_unref);
      g_object_unref (task);
    }
  else if (msg != NULL)
    {
      /* With Failure-Report partial the chunk counted when it was written;
       * only a failure still matters then. */
      if (!counted)
        _msrp_out_msg_chunk_done (msg, TRUE, size, weight, response, error);
      else if (error == NULL && response != NULL && msrp_chunk_get_code (response) / 100 != 2)
        _msrp_out_msg_chunk_done (msg, FALSE, 0, 0, response, NULL);
      else
        g_clear_error (&error);
      _msrp_out_msg_unref (msg);
    }
  else
    g_clear_error (&error);
  _msrp_session_transaction_free (t);
  _msrp_session_maybe_finish_shutdown (self);
  g_object_unref (self);
}

static void
transaction_timeout (Transaction *t)
{
  MsrpSession *self = t->session;
  g_autoptr(MsrpChunk) local = NULL;
  guint code;

  /* A lingering transaction counted as a success already: it stops
   * waiting, nobody needs a response made for it. */
  if (t->counted)
    {
      _msrp_session_transaction_complete (self, t, NULL, NULL);
      return;
    }
  /* Nothing came back: with Failure-Report yes that is a failure, with
   * partial it is the success that is not sent. */
  code = t->failure_report == MSRP_FAILURE_REPORT_YES ? MSRP_STATUS_REQUEST_TIMEOUT : MSRP_STATUS_OK;
  local = msrp_transport_make_response (self->transport, t->chunk, code, NULL);
  _msrp_session_transaction_complete (self, t, local, NULL);
}

/* Transactions with Failure-Report partial wait for a failure that rarely
 * comes; past this many, the oldest stop waiting, so that a stream of such
 * messages cannot pile them up. */
#define MAX_LINGERING 4096

/* Sets when the timer fires. Unless @exact, a wake-up that is due earlier
 * than needed is left alone (it finds nothing due and sets the right time
 * then), so that a transaction each costs no move in the timer queue. */
static void
rearm_timers (MsrpSession *self,
              gboolean     exact)
{
  Transaction *head = g_queue_peek_head (&self->timer_queue);
  gint64 want = head ? head->deadline : -1;
  gint64 current = self->timer_due;

  if (self->timer == NULL || !(exact ? want != current : current == -1 || (want != -1 && want < current)))
    return;
  self->timer_due = want;
  if (want == -1)
    _msrp_poller_timer_stop (self->timer);
  else
    _msrp_poller_timer_start_at (self->timer, want);
}

static void
on_timer (gpointer user_data)
{
  MsrpSession *self = user_data;
  gint64 now = g_get_monotonic_time ();
  Transaction *t;

  g_object_ref (self);
  self->timer_due = -1;
  while ((t = g_queue_peek_head (&self->timer_queue)) != NULL && t->deadline <= now)
    {
      g_queue_delete_link (&self->timer_queue, t->timer_link);
      t->timer_link = NULL;
      transaction_timeout (t);
    }
  rearm_timers (self, TRUE);
  g_object_unref (self);
}

/* Starts waiting for a transaction's response, up to response-timeout. */
static void
arm_transaction (MsrpSession *self,
                 Transaction *t)
{
  GList *l;

  t->deadline = g_get_monotonic_time () + (gint64) self->response_timeout * G_USEC_PER_SEC;
  /* Due times come in order unless response-timeout changed. */
  for (l = self->timer_queue.tail; l != NULL && ((Transaction *) l->data)->deadline > t->deadline; l = l->prev)
    ;
  if (l == NULL)
    {
      g_queue_push_head (&self->timer_queue, t);
      t->timer_link = self->timer_queue.head;
    }
  else
    {
      g_queue_insert_after (&self->timer_queue, l, t);
      t->timer_link = l->next;
    }

  /* Not a GSource of its own: GLib walks every attached source on every
   * main loop iteration, thousands of them with thousands of sessions. */
  if (self->timer == NULL)
    {
      self->timer = _msrp_poller_timer_new (self->context, G_PRIORITY_DEFAULT, on_timer, self);
      self->timer_due = -1;
    }
  if (t->timer_link == self->timer_queue.head)
    rearm_timers (self, FALSE);
}

/* A Failure-Report partial transaction that counted already and now only
 * waits for a failure; the oldest are let go past MAX_LINGERING. */
static void
linger (MsrpSession *self,
        Transaction *t)
{
  t->lingering = TRUE;
  self->lingering++;
  /* Only a failure response can end it now, which needs no chunk: the
   * chunk goes while it is fresh in the cache, not thousands later. */
  g_clear_object (&t->chunk);
  while (self->lingering > MAX_LINGERING)
    {
      for (GList *l = self->timer_queue.head; l != NULL; l = l->next)
        {
          Transaction *old = l->data;

          if (old->lingering)
            {
              g_queue_delete_link (&self->timer_queue, l);
              old->timer_link = NULL;
              transaction_timeout (old);
              break;
            }
        }
    }
}

typedef struct {
  MsrpSession *session;
  char *tid;            /* in the same block, after the struct */
  gboolean message_chunk;
  gsize size;           /* its weight, for message chunks */
  OutMsg *msg;          /* interruptible chunks: the message */
  MsrpChunk *chunk;     /* ... the chunk */
  GBytes *body;         /* ... and its body */
} Written;

static void chunk_written (Written *w, gboolean ok, GError *error, gsize sent, MsrpContinuation ended);

/* A chunk written with send_chunk_async(). */
static void
on_chunk_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GError *error = NULL;
  gboolean ok = msrp_transport_write_chunk_finish (MSRP_TRANSPORT (source), result, &error);

  chunk_written (user_data, ok, error, 0, MSRP_CONTINUATION_END);
}

/* A chunk of a message written. */
static void
on_message_chunk_written (MsrpTransport    *transport,
                          const GError     *error,
                          gsize             sent,
                          MsrpContinuation  ended,
                          gpointer          user_data)
{
  chunk_written (user_data, error == NULL, error ? g_error_copy (error) : NULL, sent, ended);
}

static void
chunk_written (Written          *w,
               gboolean          ok,
               GError           *error,
               gsize             sent,
               MsrpContinuation  ended)
{
  MsrpSession *self = w->session;
  gboolean message_chunk = w->message_chunk;
  gsize written_size = w->size;
  Transaction *t;

  if (w->msg != NULL)
    {
      t = _msrp_session_table_lookup (self->transactions, w->tid);
      _msrp_out_msg_open_chunk_ended (w->msg, w->chunk, w->body, t, ok ? sent : 0,
                                      ok ? ended : MSRP_CONTINUATION_ABORT);
      _msrp_out_msg_unref (w->msg);
      g_object_unref (w->chunk);
      g_bytes_unref (w->body);
    }
  else
    {
      t = _msrp_session_table_lookup (self->transactions, w->tid);
      ended = MSRP_CONTINUATION_END;
    }
  g_free (w);   /* its tid with it */
  if (message_chunk)
    {
      self->msg_writes--;
      self->msg_write_bytes -= written_size;
    }

  /* The body is never sent again: only the headers are kept, for a
   * locally made response. */
  if (t != NULL && ok)
    msrp_chunk_set_data (t->chunk, NULL);

  if (t == NULL)
    g_clear_error (&error);  /* completed meanwhile: the session closed */
  else if (!ok)
    _msrp_session_transaction_complete (self, t, NULL, error);
  else if (t->failure_report == MSRP_FAILURE_REPORT_NO || ended == MSRP_CONTINUATION_ABORT)
    {
      /* An aborted chunk ends a message that failed already: its answer
       * is not worth waiting for. */
      g_autoptr(MsrpChunk) local = msrp_transport_make_response (self->transport, t->chunk, MSRP_STATUS_OK, NULL);

      _msrp_session_transaction_complete (self, t, local, NULL);
    }
  else
    {
      arm_transaction (self, t);
      if (t->msg != NULL && t->failure_report == MSRP_FAILURE_REPORT_PARTIAL)
        {
          /* No news is good news: the message goes on now (no response
           * made for it: a stream of them paid two chunk objects each),
           * and a negative response may still come before the timeout. */
          OutMsg *msg = _msrp_out_msg_ref (t->msg);
          gsize size = t->size;

          t->counted = TRUE;
          linger (self, t);
          /* This may end the message, even the session: t may be gone. */
          _msrp_out_msg_chunk_done (msg, TRUE, size, t->weight, NULL, NULL);
          _msrp_out_msg_unref (msg);
        }
    }

  if (message_chunk)
    _msrp_session_pump (self);
  g_object_unref (self);
}

/* Registers a transaction and writes its chunk. */
gboolean
_msrp_session_start_transaction (MsrpSession  *self,
                                 MsrpChunk    *chunk,
                                 GTask        *task,
                                 OutMsg       *msg,
                                 GCancellable *cancellable,
                                 GError      **error)
{
  const char *tid = msrp_chunk_get_transaction_id (chunk);
  gsize tid_size = strlen (tid) + 1;
  Transaction *t;
  Written *w;

  if (_msrp_session_table_lookup (self->transactions, tid) != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                           _("A chunk with this transaction ID is already being sent"));
      return FALSE;
    }

  /* One block each for the transaction and its write, with the tid. */
  t = g_malloc0 (sizeof (Transaction) + tid_size);
  t->session = self;
  t->tid = memcpy (t + 1, tid, tid_size);
  t->chunk = g_object_ref (chunk);
  t->size = msrp_chunk_get_size (chunk);
  t->weight = MIN (t->size, SLICE_SIZE);
  t->task = task;
  t->msg = msg;
  /* REPORTs are never answered. */
  t->failure_report = strcmp (msrp_chunk_get_method (chunk), "REPORT") == 0
                      ? MSRP_FAILURE_REPORT_NO
                      : msrp_chunk_get_failure_report (chunk);
  g_hash_table_insert (_msrp_session_transactions (self), t->tid, t);

  self->last_activity = g_get_monotonic_time ();
  w = g_malloc0 (sizeof (Written) + tid_size);
  w->session = g_object_ref (self);
  w->tid = memcpy (w + 1, tid, tid_size);
  w->message_chunk = msg != NULL;
  w->size = t->weight;
  if (msg != NULL)
    {
      self->msg_writes++;
      self->msg_write_bytes += t->weight;
    }
  if (msg != NULL && t->size > SLICE_SIZE)
    {
      /* A long chunk of a message: cut short when other traffic waits. */
      w->msg = _msrp_out_msg_ref (msg);
      w->chunk = g_object_ref (chunk);
      w->body = g_bytes_ref (msrp_chunk_get_data (chunk));
      g_set_object (&msg->open_chunk, chunk);
      _msrp_transport_write_chunk_with_callback (self->transport, chunk, SLICE_SIZE,
                                                 on_message_chunk_written, w);
    }
  else if (msg != NULL)
    _msrp_transport_write_chunk_with_callback (self->transport, chunk, 0, on_message_chunk_written, w);
  else
    msrp_transport_write_chunk_async (self->transport, chunk, cancellable, on_chunk_written, w);
  return TRUE;
}

/**
 * msrp_session_send_chunk_async:
 * @session: a #MsrpSession
 * @chunk: a request, typically from [method@Msrp.Transport.make_chunk]
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the response
 * @user_data: data for @callback
 *
 * Sends a chunk and waits for its response, as its Failure-Report says:
 * with `yes` (or none) the response, or a locally made 408 when none came
 * within [property@Msrp.Session:response-timeout]; with `partial` a
 * negative response, or a locally made 200 after the timeout; with `no` a
 * locally made 200 as soon as the chunk is written.
 *
 * Since: 1.0
 */
void
msrp_session_send_chunk_async (MsrpSession         *session,
                               MsrpChunk           *chunk,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  GError *error = NULL;

  g_return_if_fail (MSRP_IS_SESSION (session));
  g_return_if_fail (MSRP_IS_CHUNK (chunk) && msrp_chunk_is_request (chunk));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_name (task, "[msrp] send chunk");
  g_task_set_source_tag (task, msrp_session_send_chunk_async);

  if (session->closed || session->shutdown_task != NULL)
    {
      g_task_return_error (task, _msrp_session_closed_error ());
      g_object_unref (task);
      return;
    }
  if (!_msrp_session_start_transaction (session, chunk, task, NULL, cancellable, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
    }
}

/**
 * msrp_session_send_chunk_finish:
 * @session: a #MsrpSession
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Session.send_chunk_async].
 *
 * Returns: (transfer full): the response (any status code), or %NULL
 *   with @error set when the chunk could not be sent
 *
 * Since: 1.0
 */
MsrpChunk *
msrp_session_send_chunk_finish (MsrpSession  *session,
                                GAsyncResult *result,
                                GError      **error)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), NULL);
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* What a negative response means to the caller. */
GError *
_msrp_session_response_error (MsrpChunk *response)
{
  const char *comment = msrp_chunk_get_comment (response);

  return g_error_new (MSRP_TRANSACTION_ERROR, msrp_chunk_get_code (response),
                      _("The MSRP peer answered %u %s"),
                      msrp_chunk_get_code (response), comment ? comment : "");
}

static void
on_delivered (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  MsrpChunk *response;

  response = msrp_session_send_chunk_finish (MSRP_SESSION (source), result, &error);
  if (response == NULL)
    g_task_return_error (task, error);
  else if (msrp_chunk_get_code (response) / 100 != 2)
    {
      g_task_return_error (task, _msrp_session_response_error (response));
      g_object_unref (response);
    }
  else
    g_task_return_pointer (task, response, g_object_unref);
}

/**
 * msrp_session_deliver_chunk_async:
 * @session: a #MsrpSession
 * @chunk: a request
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the response
 * @user_data: data for @callback
 *
 * Like [method@Msrp.Session.send_chunk_async], but a response that is not
 * 2xx is an error.
 *
 * Since: 1.0
 */
void
msrp_session_deliver_chunk_async (MsrpSession         *session,
                                  MsrpChunk           *chunk,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MSRP_IS_SESSION (session));

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, msrp_session_deliver_chunk_async);
  msrp_session_send_chunk_async (session, chunk, cancellable, on_delivered, task);
}

/**
 * msrp_session_deliver_chunk_finish:
 * @session: a #MsrpSession
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Session.deliver_chunk_async].
 *
 * Returns: (transfer full): the 2xx response, or %NULL with @error set;
 *   a negative response is an error in the %MSRP_TRANSACTION_ERROR domain
 *   whose code is the status code
 *
 * Since: 1.0
 */
MsrpChunk *
msrp_session_deliver_chunk_finish (MsrpSession  *session,
                                   GAsyncResult *result,
                                   GError      **error)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), NULL);
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

