/* msrp-transport-write.c: MsrpTransport, writing
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Writes are queued and go out in batches: small chunks together in one
 * write, long ones (interruptible) slice by slice so that others are not
 * held up. While reads or write completions are handled the writes they
 * ask for are held back (corked), to go out together at the end.
 */

#include "config.h"

#include <string.h>

#include "msrp-transport-backend-private.h"
#include "msrp-chunk-private.h"
#include "msrp-error.h"

typedef struct _WriteData {
  /* Who is told: a GTask (whose task data this is) for the public API, or
   * a plain function for the library's own writes. */
  GTask *task;
  MsrpTransportWrittenFunc func;
  gpointer user_data;
  MsrpChunk *chunk;         /* NULL for a response written straight from
                             * its request (_msrp_transport_write_response),
                             * until a logger wants it */
  char *wire;               /* head, end-line, and a short body between:
                             * in the same block as this struct */
  gsize wire_len;
  gsize head_len;
  gboolean body_inline;     /* the body is in wire */
  GBytes *body;
  GOutputVector vectors[3];
  guint n_vectors;
  /* Interruptible chunks (a slice size given to _msrp_transport_write_chunk_with_callback) */
  gsize slice;              /* 0: written whole */
  gsize next_slice;         /* adapts to how fast slices go out */
  gint64 slice_started;     /* monotonic time the last slice was started */
  gsize body_pos;           /* body bytes written (or being written) */
  GBytes *cut_end;          /* the end-line it was cut with */
  MsrpContinuation ended;   /* the flag it ended with */
  gboolean abort;           /* end with `#` at the next slice boundary */
  gboolean ending;          /* its end-line is being written */
  gboolean logged;          /* told to the logger when it went out */
} WriteData;

static void
write_data_free (gpointer data)
{
  WriteData *wd = data;

  g_clear_object (&wd->chunk);
  g_clear_pointer (&wd->body, g_bytes_unref);
  g_clear_pointer (&wd->cut_end, g_bytes_unref);
  g_free (wd);
}

static gsize
write_data_body_written (WriteData *wd)
{
  return wd->slice > 0 ? wd->body_pos : wd->body ? g_bytes_get_size (wd->body) : 0;
}

static MsrpContinuation
write_data_ended (WriteData *wd)
{
  if (wd->slice > 0)
    return wd->ended;
  return wd->chunk != NULL ? msrp_chunk_get_continuation (wd->chunk) : MSRP_CONTINUATION_END;
}

/* Tells the writer, and lets go of the write. Takes @error. */
static void
complete_write (MsrpTransport *self,
                WriteData     *wd,
                GError        *error)
{
  if (wd->task != NULL)
    {
      /* The task owns wd, for _finish(). */
      GTask *task = g_steal_pointer (&wd->task);

      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  if (wd->func != NULL)
    wd->func (self, error, write_data_body_written (wd), write_data_ended (wd), wd->user_data);
  g_clear_error (&error);
  write_data_free (wd);
}

static void start_next_write (MsrpTransport *self);
static void flush_writes (MsrpTransport *self, gboolean complete_now);

/* Every change of the write state goes through here (see the diagram in
 * msrp-transport-backend-private.h). */
static inline void
set_write_state (MsrpTransport  *self,
                 MsrpWriteState  state)
{
  g_assert (state == MSRP_WRITE_IDLE ||
            (state == MSRP_WRITE_BATCHING && self->write_state == MSRP_WRITE_IDLE) ||
            (state != MSRP_WRITE_BATCHING && self->write_state == MSRP_WRITE_BATCHING));
  self->write_state = state;
}
static void write_chunk (MsrpTransport *transport, MsrpChunk *chunk, gsize slice,
                         gpointer source_tag, GCancellable *cancellable,
                         GAsyncReadyCallback callback, MsrpTransportWrittenFunc func,
                         gpointer user_data);

static void
log_sent (MsrpTransport *self,
          WriteData     *wd)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) head = NULL;
  g_autoptr(GBytes) end = NULL;
  gsize body_len = wd->body_inline ? g_bytes_get_size (wd->body) : 0;

  if (self->logger == NULL && !self->debug)
    return;
  head = g_bytes_new (wd->wire, wd->head_len);
  end = wd->cut_end ? g_bytes_ref (wd->cut_end)
                    : g_bytes_new (wd->wire + wd->head_len + body_len,
                                   wd->wire_len - wd->head_len - body_len);
  /* An interruptible chunk may have been cut: only what went out. */
  if (wd->body != NULL && g_bytes_get_size (wd->body) > 0)
    body = wd->slice > 0 ? g_bytes_new_from_bytes (wd->body, 0, wd->body_pos) : g_bytes_ref (wd->body);
  if (self->logger != NULL)
    {
      /* A logger set after the response was queued: the chunk is what
       * was written. */
      if (wd->chunk == NULL)
        {
          g_autoptr(GBytes) wire = g_bytes_new (wd->wire, wd->wire_len);

          wd->chunk = msrp_chunk_parse (wire, NULL, NULL);
        }
      msrp_logger_sent_new_chunk (self->logger, self, wd->chunk, head);
      if (body != NULL && g_bytes_get_size (body) > 0)
        msrp_logger_sent_chunk_data (self->logger, self, wd->chunk, body);
      msrp_logger_sent_chunk_end (self->logger, self, wd->chunk, end);
    }
  else
    {
      _msrp_transport_debug_traffic (self, ">>>", head);
      if (body != NULL && g_bytes_get_size (body) > 0)
        _msrp_transport_debug_traffic (self, ">>>", body);
      _msrp_transport_debug_traffic (self, ">>>", end);
    }
}

/* Slices of an interruptible chunk are sized so that each takes about
 * SLICE_TIME to go out: on a fast link few main-loop turns for a long
 * chunk, on a slow one other traffic never waits much. */
#define SLICE_TIME (G_USEC_PER_SEC / 1000)
#define MAX_SLICE (4 * 1024 * 1024)

static void
adapt_slice (WriteData *wd)
{
  gint64 took = g_get_monotonic_time () - wd->slice_started;

  if (took < SLICE_TIME)
    wd->next_slice = MIN (wd->next_slice * 2, MAX (wd->slice, MAX_SLICE));
  else if (took > 4 * SLICE_TIME)
    wd->next_slice = MAX (wd->next_slice / 2, wd->slice);
}

/* The batch being written went out (or failed: takes @error). Writes its
 * callbacks ask for are queued, for the caller to start. */
static void
finish_batch (MsrpTransport *self,
              GError        *error)
{
  g_autoptr(GPtrArray) batch = g_steal_pointer (&self->writing);

  set_write_state (self, MSRP_WRITE_IDLE);
  /* With nothing more to write, the batch's vectors and coalesced copy go:
   * of many idle connections each would keep its largest batch's. */
  if (g_queue_is_empty (&self->write_queue))
    {
      g_clear_pointer (&self->vectors, g_array_unref);
      g_clear_pointer (&self->coalesced, g_byte_array_unref);
    }
  self->debug = _msrp_transport_debug_enabled ();
  self->cork++;
  self->finishing++;
  if (error != NULL)
    {
      /* A chunk cut short leaves the stream unframed: nothing may follow. */
      if (!self->closed)
        g_debug ("%p: write failed, closing: %s", self, error->message);
      self->closed = TRUE;
    }

  for (guint i = 0; i < batch->len; i++)
    {
      WriteData *wd = g_ptr_array_index (batch, i);

      if (wd == self->open_write)
        {
          /* Between two slices it stays open. */
          if (error == NULL && !wd->ending)
            {
              adapt_slice (wd);
              continue;
            }
          self->open_write = NULL;
        }
      if (error != NULL)
        complete_write (self, wd, g_error_copy (error));
      else
        {
          if (!wd->logged)
            log_sent (self, wd);
          complete_write (self, wd, NULL);
        }
    }
  g_clear_error (&error);

  self->flush_pending = FALSE;
  self->finishing--;
  self->cork--;
}

void
_msrp_transport_written (MsrpTransport *self,
                         GError        *error)
{
  finish_batch (self, error);
  flush_writes (self, TRUE);
}

/* Before the reader learns that the connection ended: writes that went
 * out are done, and the callbacks of writes made before the peer's last
 * words (its answers to them may be among those words) say so, rather
 * than failing with the close that comes next. Writes their callbacks
 * queue go when the cork is off. TRUE when a batch was finished. */
gboolean
_msrp_transport_finish_written (MsrpTransport *self)
{
  if (self->write_state != MSRP_WRITE_FINISH_PENDING || self->finishing > 0)
    return FALSE;
  finish_batch (self, g_steal_pointer (&self->written_error));
  if (self->cork > 0)
    self->flush_pending = TRUE;
  else
    flush_writes (self, TRUE);
  return TRUE;
}

static void
fail_queued_writes (MsrpTransport *self)
{
  WriteData *wd;

  if (self->open_write != NULL)
    complete_write (self, g_steal_pointer (&self->open_write), _msrp_transport_closed_error ());
  while ((wd = g_queue_pop_head (&self->write_queue)) != NULL)
    complete_write (self, wd, _msrp_transport_closed_error ());
}

static void
head_scratch_free (gpointer data)
{
  g_string_free (data, TRUE);
}

/* Where write_chunk() puts a head together, one a thread. */
static GPrivate head_scratch = G_PRIVATE_INIT (head_scratch_free);

/* Bodies up to this size are copied into the chunk's head buffer. */
#define INLINE_BODY_MAX (8 * 1024)

/* Chunks queued together go out in one writev: fewer system calls (and
 * TLS records) when many small chunks are waiting. */
#define BATCH_MAX_CHUNKS 64
#define BATCH_MAX_BYTES (256 * 1024)
/* The most a TLS record holds (RFC 8446 5.1): a TLS stream makes a record
 * of each write, of at most this much. */
#define RECORD_SIZE (16 * 1024)

/* Adds the next slice of an interruptible chunk to the write, and its
 * end-line after the last slice. */
static void
append_slice (MsrpTransport *self,
              WriteData     *wd)
{
  gsize len;
  const guint8 *body = g_bytes_get_data (wd->body, &len);
  GOutputVector v;

  if (wd->next_slice == 0)
    wd->next_slice = wd->slice;
  v.buffer = body + wd->body_pos;
  v.size = MIN (wd->next_slice, len - wd->body_pos);
  g_array_append_val (self->vectors, v);
  wd->body_pos += v.size;
  wd->slice_started = g_get_monotonic_time ();
  if (wd->body_pos == len)
    {
      g_array_append_val (self->vectors, wd->vectors[wd->n_vectors - 1]);
      wd->ended = msrp_chunk_get_continuation (wd->chunk);
      wd->ending = TRUE;
    }
}

/* The next step of the open interruptible chunk: another slice, or its end
 * right here when something else waits to be written (`+`: the rest comes
 * in a later chunk) or it was aborted (`#`). */
static void
continue_open_write (MsrpTransport *self)
{
  WriteData *wd = self->open_write;

  g_ptr_array_add (self->writing, wd);
  if (wd->abort || !g_queue_is_empty (&self->write_queue) || self->close_task != NULL)
    {
      GOutputVector v;
      char *end_line;

      wd->ended = wd->abort ? MSRP_CONTINUATION_ABORT : MSRP_CONTINUATION_MORE;
      end_line = g_strdup_printf ("\r\n-------%s%c\r\n", msrp_chunk_get_transaction_id (wd->chunk),
                                  "$+#"[wd->ended]);
      wd->cut_end = g_bytes_new_take (end_line, strlen (end_line));
      v.buffer = g_bytes_get_data (wd->cut_end, &v.size);
      g_array_append_val (self->vectors, v);
      wd->ending = TRUE;
    }
  else
    append_slice (self, wd);
}

/* Only from our own main-loop callbacks, never from inside a caller's
 * call: writes may be completed from here. */
void
_msrp_transport_uncork (MsrpTransport *self)
{
  if (--self->cork == 0 && (self->flush_pending || self->write_state == MSRP_WRITE_FINISH_PENDING))
    {
      self->flush_pending = FALSE;
      flush_writes (self, TRUE);
    }
}

/* Writes the batch at once if the socket takes it whole: TRUE then (or
 * when it failed, with @error set). Otherwise what is left of it is in
 * self->vectors for an asynchronous write. */
static gboolean
write_batch_now (MsrpTransport  *self,
                 GError        **error)
{
  GOutputVector *v = (GOutputVector *) (gpointer) self->vectors->data;
  guint n = self->vectors->len;
  gsize written = 0;
  guint i = 0;

  gboolean chunk_end = self->open_write == NULL || self->open_write->ending;

  switch (self->backend->funcs->writev (self->backend, v, n, chunk_end, &written, error))
    {
    case G_POLLABLE_RETURN_FAILED:
      return TRUE;
    case G_POLLABLE_RETURN_WOULD_BLOCK:
      return FALSE;
    case G_POLLABLE_RETURN_OK:
    default:
      break;
    }
  while (i < n && written >= v[i].size)
    written -= v[i++].size;
  if (i == n)
    return TRUE;
  v[i].buffer = (const guint8 *) v[i].buffer + written;
  v[i].size -= written;
  g_array_remove_range (self->vectors, 0, i);
  return FALSE;
}

static gboolean start_write (MsrpTransport *self, gboolean complete_now, GError **error);

/* Cuts the batch into full TLS records, for a stream that makes a record
 * of each piece it is given: a long piece goes out as it is, in spans of
 * a record; the short ones (heads, end-lines, the ends of bodies) are
 * copied together with what follows them until a record is full. A file
 * sent in 64 KiB chunks then takes four full records a chunk (and a bit),
 * not six of all sizes, and only the record where pieces meet is copied. */
static void
pack_records (MsrpTransport *self)
{
  guint n = self->vectors->len;
  g_autofree GOutputVector *in = NULL;
  GOutputVector *out;
  gsize staged = 0;
  gsize copied = 0;
  gsize off = 0;
  guint i = 0;

  if (n == 1 && g_array_index (self->vectors, GOutputVector, 0).size <= RECORD_SIZE)
    return;
  in = g_memdup2 (self->vectors->data, n * sizeof (GOutputVector));
  g_array_set_size (self->vectors, 0);
  if (self->coalesced == NULL)
    self->coalesced = g_byte_array_new ();
  g_byte_array_set_size (self->coalesced, 0);
  while (i < n)
    {
      const guint8 *p = (const guint8 *) in[i].buffer + off;
      gsize left = in[i].size - off;
      GOutputVector span = { p, 0 };
      gsize take;

      if (left == 0)
        {
          i++;
          off = 0;
          continue;
        }
      /* Nothing to join it with: as it is. */
      if (staged == 0 && (left >= RECORD_SIZE || i == n - 1))
        {
          span.size = MIN (left, RECORD_SIZE);
          g_array_append_val (self->vectors, span);
          off += span.size;
          continue;
        }
      take = MIN (left, RECORD_SIZE - staged);
      g_byte_array_append (self->coalesced, p, take);
      staged += take;
      off += take;
      if (staged == RECORD_SIZE)
        {
          /* Pointed into the buffer once it stops growing. */
          span.buffer = NULL;
          span.size = staged;
          g_array_append_val (self->vectors, span);
          staged = 0;
        }
    }
  if (staged > 0)
    {
      GOutputVector span = { NULL, staged };

      g_array_append_val (self->vectors, span);
    }

  out = (GOutputVector *) (gpointer) self->vectors->data;
  for (guint k = 0; k < self->vectors->len; k++)
    if (out[k].buffer == NULL)
      {
        out[k].buffer = self->coalesced->data + copied;
        copied += out[k].size;
      }
  g_assert (copied == self->coalesced->len);
}

static void log_written_batch (MsrpTransport *self);

/* The backend has room: more of the batch goes out; once it is all out,
 * it is finished, as an asynchronous write's callback would. */
void
_msrp_transport_writable (MsrpTransport *self)
{
  GError *error = NULL;

  if (self->mux != NULL)
    {
      _msrp_mux_writable (self->mux);
      return;
    }
  if (self->write_state != MSRP_WRITE_WAITING)
    {
      self->backend->funcs->want_write (self->backend, FALSE);
      return;
    }
  if (!write_batch_now (self, &error))
    return;

  if (error == NULL)
    log_written_batch (self);
  finish_batch (self, error);
  flush_writes (self, TRUE);
  /* No more waiting: the backend does not watch while nothing is to go. */
  if (self->write_state != MSRP_WRITE_WAITING)
    self->backend->funcs->want_write (self->backend, FALSE);
  /* The wait's reference, taken in wait_to_write(). */
  g_object_unref (self);
}

static void
wait_to_write (MsrpTransport *self)
{
  set_write_state (self, MSRP_WRITE_WAITING);
  g_object_ref (self);
  self->backend->funcs->want_write (self->backend, TRUE);
}

/* The batch just written whole: each chunk that ended in it is logged. */
static void
log_written_batch (MsrpTransport *self)
{
  if (self->logger == NULL && !self->debug)
    return;
  for (guint i = 0; i < self->writing->len; i++)
    {
      WriteData *wd = g_ptr_array_index (self->writing, i);

      if (wd == self->open_write && !wd->ending)
        continue;
      log_sent (self, wd);
      wd->logged = TRUE;
    }
}

static gboolean
finish_written (gpointer user_data)
{
  MsrpTransport *self = user_data;

  self->finish_source_pending = FALSE;
  if (self->cork == 0)
    flush_writes (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
finish_written_in_idle (MsrpTransport *self)
{
  GSource *idle;

  if (self->finish_source_pending)
    return;
  self->finish_source_pending = TRUE;
  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_static_name (idle, "[msrp] writes done");
  g_source_set_callback (idle, finish_written, g_object_ref (self), g_object_unref);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

/* While corked, a read's callbacks make the chunks that go out together at
 * the end. When nothing more is buffered to be read, no more can join
 * them in this turn: they go out at once then (the peer waits for them),
 * and are finished when the cork is off. Only for a socket (plain, or
 * under TLS), whose writes can be tried without blocking. From a read's
 * callback, only when the read took all there was: otherwise the read
 * loop reads on after it, and what the chunks ask for goes out with the
 * rest of the turn's (a file coming in is answered in few records). Never
 * from the callbacks of a batch that went out: the next batch is written
 * right after them, and takes every chunk they queued (a file's chunks
 * then share records, rather than one going out alone). */
static gboolean
can_write_early (MsrpTransport *self)
{
  return (self->backend->flags & MSRP_TRANSPORT_BACKEND_WRITES_NOW) && !self->closed && self->close_task == NULL &&
         self->held == 0 && self->finishing == 0 && (self->delivering == 0 || self->read_dry) &&
         self->rpos >= self->rlen && g_queue_is_empty (&self->ready);
}

void
_msrp_transport_hold_writes (MsrpTransport *transport)
{
  g_return_if_fail (MSRP_IS_TRANSPORT (transport));

  transport->held++;
  transport->cork++;
}

void
_msrp_transport_release_writes (MsrpTransport *transport)
{
  g_return_if_fail (MSRP_IS_TRANSPORT (transport));
  g_return_if_fail (transport->held > 0);

  transport->held--;
  _msrp_transport_uncork (transport);
}

/* Starts writing what is queued. With @complete_now, batches that a
 * socket takes at once are completed right here: no GTask and no
 * main-loop turn for a write. */
static void
flush_writes (MsrpTransport *self,
              gboolean       complete_now)
{
  GError *error = NULL;
  guint rounds = 0;

  for (;;)
    {
      if (self->write_state == MSRP_WRITE_FINISH_PENDING)
        {
          /* Written while corked or inside a caller's call: finished
           * once the cork is off, from our own callback. */
          if (self->cork > 0 || !complete_now)
            break;
          finish_batch (self, g_steal_pointer (&self->written_error));
          continue;
        }
      /* Bounded, so that a socket that keeps taking data does not keep
       * the main loop from other sources. */
      if (!start_write (self, complete_now && rounds++ < 16, &error))
        break;
      finish_batch (self, g_steal_pointer (&error));
    }
}

static void
start_next_write (MsrpTransport *self)
{
  flush_writes (self, FALSE);
}

void
_msrp_transport_start_writes (MsrpTransport *self)
{
  start_next_write (self);
}

/* TRUE when the batch was written (or failed) at once: then the caller
 * finishes it. */
static gboolean
start_write (MsrpTransport  *self,
             gboolean        complete_now,
             GError        **error)
{
  WriteData *wd;
  gsize bytes = 0;
  gboolean early = FALSE;
  /* A message-oriented backend sends each chunk as a message of its own. */
  guint batch_max = (self->backend->flags & MSRP_TRANSPORT_BACKEND_FRAMED) ? 1 : BATCH_MAX_CHUNKS;

  if (self->write_state != MSRP_WRITE_IDLE)
    return FALSE;
  if (self->cork > 0)
    {
      self->flush_pending = TRUE;
      if (!can_write_early (self))
        return FALSE;
      early = TRUE;
    }

  if (self->closed && self->close_task == NULL)
    {
      fail_queued_writes (self);
      return FALSE;
    }

  set_write_state (self, MSRP_WRITE_BATCHING);
  self->writing = g_ptr_array_new ();
  if (self->vectors == NULL)
    self->vectors = g_array_new (FALSE, FALSE, sizeof (GOutputVector));
  g_array_set_size (self->vectors, 0);

  if (self->open_write != NULL)
    continue_open_write (self);

  /* Writes cancelled while they waited are dropped: nothing of them went
   * out. Once a write starts it runs to its end, to keep the framing. */
  while (self->open_write == NULL &&
         self->writing->len < batch_max && bytes < BATCH_MAX_BYTES &&
         (wd = g_queue_pop_head (&self->write_queue)) != NULL)
    {
      if (wd->task != NULL)
        {
          GTask *task = wd->task;

          if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
            {
              if (early)
                {
                  /* Told when the cork is off, not inside a caller's call. */
                  g_queue_push_head (&self->write_queue, wd);
                  break;
                }
              wd->task = NULL;
              g_task_return_error_if_cancelled (task);
              g_object_unref (task);
              continue;
            }
          g_task_set_check_cancellable (task, FALSE);
        }
      if (wd->slice > 0)
        {
          /* An interruptible chunk goes alone: its head and first slice
           * now, then slice by slice. */
          if (self->writing->len > 0)
            {
              g_queue_push_head (&self->write_queue, wd);
              break;
            }
          self->open_write = wd;
          g_array_append_vals (self->vectors, wd->vectors, 1);
          append_slice (self, wd);
          g_ptr_array_add (self->writing, wd);
          break;
        }
      g_array_append_vals (self->vectors, wd->vectors, wd->n_vectors);
      for (guint i = 0; i < wd->n_vectors; i++)
        bytes += wd->vectors[i].size;
      g_ptr_array_add (self->writing, wd);
    }

  if (self->writing->len == 0)
    {
      g_clear_pointer (&self->writing, g_ptr_array_unref);
      set_write_state (self, MSRP_WRITE_IDLE);
      if (self->close_task != NULL && !early)
        _msrp_transport_finish_close (self);
      return FALSE;
    }

  if (self->backend->flags & MSRP_TRANSPORT_BACKEND_COALESCE)
    pack_records (self);

  /* Only a batch that may be written now gets here (corked, it is an
   * early one). */
  if (self->backend->flags & MSRP_TRANSPORT_BACKEND_WRITES_NOW)
    {
      GError *local_error = NULL;

      if (!write_batch_now (self, &local_error))
        {
          /* The rest goes when the socket has room (the same data again,
           * as a TLS stream that would block mid-record wants it). */
          wait_to_write (self);
          return FALSE;
        }
      /* Told now, before any answer to it can be read. */
      if (local_error == NULL)
        log_written_batch (self);
      if (complete_now)
        {
          if (local_error != NULL)
            g_propagate_error (error, local_error);
          return TRUE;
        }
      /* Finished when the cork is off, or (asked for by a caller, outside
       * our callbacks) a main-loop turn later. */
      set_write_state (self, MSRP_WRITE_FINISH_PENDING);
      self->written_error = local_error;
      if (!early)
        finish_written_in_idle (self);
      return FALSE;
    }
  set_write_state (self, MSRP_WRITE_IN_FLIGHT);
  self->backend->funcs->writev_async (self->backend, (GOutputVector *) (gpointer) self->vectors->data,
                                      self->vectors->len);
  return FALSE;
}

/**
 * msrp_transport_write_chunk_async:
 * @transport: a #MsrpTransport
 * @chunk: the chunk to write
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the chunk is written
 * @user_data: data for @callback
 *
 * Writes a chunk: start line, headers, body and end-line in one vectored
 * write, without copying the body. Writes go out one after another in the
 * order they were asked for. Cancelling a write that has not started yet
 * drops it; one that has started runs to its end, since a chunk cut short
 * would leave the connection unusable.
 *
 * Since: 1.0
 */
void
msrp_transport_write_chunk_async (MsrpTransport       *transport,
                                  MsrpChunk           *chunk,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (MSRP_IS_TRANSPORT (transport));
  g_return_if_fail (MSRP_IS_CHUNK (chunk));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  write_chunk (transport, chunk, 0, msrp_transport_write_chunk_async, cancellable, callback, NULL, user_data);
}

typedef struct {
  MsrpTransport *transport;
  MsrpTransportWrittenFunc func;
  gpointer user_data;
} ClosedWrite;

static gboolean
closed_write_in_idle (gpointer data)
{
  ClosedWrite *cw = data;
  g_autoptr(GError) error = _msrp_transport_closed_error ();

  cw->func (cw->transport, error, 0, MSRP_CONTINUATION_MORE, cw->user_data);
  return G_SOURCE_REMOVE;
}

static void
closed_write_free (gpointer data)
{
  ClosedWrite *cw = data;

  g_object_unref (cw->transport);
  g_free (cw);
}

void
_msrp_transport_write_chunk_with_callback (MsrpTransport            *transport,
                                           MsrpChunk                *chunk,
                                           gsize                     slice_size,
                                           MsrpTransportWrittenFunc  func,
                                           gpointer                  user_data)
{
  g_return_if_fail (MSRP_IS_TRANSPORT (transport));
  g_return_if_fail (MSRP_IS_CHUNK (chunk));

  if ((transport->closed || transport->close_task != NULL))
    {
      /* Never from inside this call, as a GTask would. */
      if (func != NULL)
        {
          ClosedWrite *cw = g_new (ClosedWrite, 1);
          GSource *idle = g_idle_source_new ();

          cw->transport = g_object_ref (transport);
          cw->func = func;
          cw->user_data = user_data;
          g_source_set_static_name (idle, "[msrp] write on a closed transport");
          g_source_set_priority (idle, G_PRIORITY_DEFAULT);
          g_source_set_callback (idle, closed_write_in_idle, cw, closed_write_free);
          g_source_attach (idle, transport->context);
          g_source_unref (idle);
        }
      return;
    }
  write_chunk (transport, chunk, slice_size, NULL, NULL, NULL, func, user_data);
}

static inline char *
put_str (char       *p,
         const char *s,
         gsize       len)
{
  memcpy (p, s, len);
  return p + len;
}

/* Writes the response to @request with the usual comment of @code, as
 * msrp_transport_make_response() makes it, without making the chunk: its
 * bytes are put together straight from the request's transaction id and
 * the encoded paths. */
void
_msrp_transport_write_response (MsrpTransport            *transport,
                                MsrpChunk                *request,
                                guint                     code,
                                MsrpTransportWrittenFunc  func,
                                gpointer                  user_data)
{
  const char *tid, *reason;
  gsize tid_len, reason_len, to_len, from_len, len;
  WriteData *wd;
  char *p;

  g_return_if_fail (MSRP_IS_TRANSPORT (transport));
  g_return_if_fail (MSRP_IS_CHUNK (request) && msrp_chunk_is_request (request));
  g_return_if_fail (code >= 100 && code <= 999);

  /* A logger gets the chunk: it is made then, as when both paths are not
   * there (a response without To-Path or From-Path). */
  if (transport->logger != NULL || transport->closed || transport->close_task != NULL ||
      !_msrp_transport_answer_to_path (transport, request) || !_msrp_transport_local_from_path (transport))
    {
      g_autoptr(MsrpChunk) response = msrp_transport_make_response (transport, request, code, NULL);

      _msrp_transport_write_chunk_with_callback (transport, response, 0, func, user_data);
      return;
    }

  tid = msrp_chunk_get_transaction_id (request);
  tid_len = strlen (tid);
  reason = msrp_status_get_reason (code);
  reason_len = reason != NULL ? strlen (reason) : 0;
  to_len = strlen (transport->answer_encoded.value);
  from_len = strlen (transport->from_encoded.value);

  /* "MSRP <tid> <code>[ <reason>]\r\nTo-Path: <to>\r\nFrom-Path: <from>\r\n"
   * then "-------<tid>$\r\n". */
  len = 5 + tid_len + 1 + 3 + (reason_len > 0 ? 1 + reason_len : 0) + 2 +
        9 + to_len + 2 + 11 + from_len + 2 +
        7 + tid_len + 1 + 2;
  /* The bytes go in the same block as the write. */
  wd = g_malloc (sizeof (WriteData) + len + 1);
  memset (wd, 0, sizeof (WriteData));
  wd->wire = p = (char *) (wd + 1);
  wd->wire_len = len;
  p = put_str (p, "MSRP ", 5);
  p = put_str (p, tid, tid_len);
  *p++ = ' ';
  *p++ = '0' + code / 100;
  *p++ = '0' + code / 10 % 10;
  *p++ = '0' + code % 10;
  if (reason_len > 0)
    {
      *p++ = ' ';
      p = put_str (p, reason, reason_len);
    }
  p = put_str (p, "\r\nTo-Path: ", 11);
  p = put_str (p, transport->answer_encoded.value, to_len);
  p = put_str (p, "\r\nFrom-Path: ", 13);
  p = put_str (p, transport->from_encoded.value, from_len);
  p = put_str (p, "\r\n", 2);

  wd->func = func;
  wd->user_data = user_data;
  wd->head_len = p - wd->wire;

  p = put_str (p, "-------", 7);
  p = put_str (p, tid, tid_len);
  p = put_str (p, "$\r\n", 3);
  *p = '\0';
  g_assert ((gsize) (p - wd->wire) == len);
  wd->vectors[0].buffer = wd->wire;
  wd->vectors[0].size = len;
  wd->n_vectors = 1;
  g_queue_push_tail (&transport->write_queue, wd);
  start_next_write (transport);
}

/* Decimal digits of @n at @p; returns the end. */
static char *
put_count (char    *p,
           guint64  n)
{
  char digits[20];
  guint len = 0;

  do
    digits[len++] = '0' + n % 10;
  while ((n /= 10) > 0);
  while (len > 0)
    *p++ = digits[--len];
  return p;
}

gboolean
_msrp_transport_write_report (MsrpTransport            *transport,
                              const char               *to_path,
                              const char               *message_id,
                              guint64                   total,
                              guint                     code,
                              MsrpTransportWrittenFunc  func,
                              gpointer                  user_data)
{
  g_autofree char *tid = NULL;
  const char *reason;
  gsize tid_len, reason_len, to_len, from_len, id_len, len;
  WriteData *wd;
  char *p;

  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (to_path != NULL && message_id != NULL, FALSE);
  g_return_val_if_fail (code >= 100 && code <= 999, FALSE);

  if (transport->logger != NULL || transport->closed || transport->close_task != NULL ||
      !_msrp_transport_local_from_path (transport))
    return FALSE;

  tid = _msrp_random_ident (MSRP_RANDOM_NONCE, MSRP_RANDOM_ID_LENGTH);
  tid_len = strlen (tid);
  reason = msrp_status_get_reason (code);
  reason_len = reason != NULL ? strlen (reason) : 0;
  to_len = strlen (to_path);
  from_len = strlen (transport->from_encoded.value);
  id_len = strlen (message_id);

  /* "MSRP <tid> REPORT\r\nTo-Path: <to>\r\nFrom-Path: <from>\r\n"
   * "Message-ID: <id>\r\nByte-Range: 1-<total>/<total>\r\n"
   * "Status: 000 <code>[ <reason>]\r\n" then "-------<tid>$\r\n",
   * the order msrp_chunk_encode() gives; 20 digits a count at most. */
  len = 5 + tid_len + 18 + to_len + 13 + from_len + 14 + id_len + 16 + 20 + 1 + 20 +
        14 + 3 + (reason_len > 0 ? 1 + reason_len : 0) + 2 + 7 + tid_len + 3;
  wd = g_malloc (sizeof (WriteData) + len + 1);
  memset (wd, 0, sizeof (WriteData));
  wd->wire = p = (char *) (wd + 1);
  p = put_str (p, "MSRP ", 5);
  p = put_str (p, tid, tid_len);
  p = put_str (p, " REPORT\r\nTo-Path: ", 18);
  p = put_str (p, to_path, to_len);
  p = put_str (p, "\r\nFrom-Path: ", 13);
  p = put_str (p, transport->from_encoded.value, from_len);
  p = put_str (p, "\r\nMessage-ID: ", 14);
  p = put_str (p, message_id, id_len);
  p = put_str (p, "\r\nByte-Range: 1-", 16);
  p = put_count (p, total);
  *p++ = '/';
  p = put_count (p, total);
  p = put_str (p, "\r\nStatus: 000 ", 14);
  *p++ = '0' + code / 100;
  *p++ = '0' + code / 10 % 10;
  *p++ = '0' + code % 10;
  if (reason_len > 0)
    {
      *p++ = ' ';
      p = put_str (p, reason, reason_len);
    }
  p = put_str (p, "\r\n", 2);
  wd->head_len = p - wd->wire;
  p = put_str (p, "-------", 7);
  p = put_str (p, tid, tid_len);
  p = put_str (p, "$\r\n", 3);
  *p = '\0';
  g_assert ((gsize) (p - wd->wire) <= len);
  wd->wire_len = p - wd->wire;
  wd->func = func;
  wd->user_data = user_data;
  wd->vectors[0].buffer = wd->wire;
  wd->vectors[0].size = wd->wire_len;
  wd->n_vectors = 1;
  g_queue_push_tail (&transport->write_queue, wd);
  start_next_write (transport);
  return TRUE;
}

/* With a source_tag, a GTask tells @callback; otherwise @func is called. */
static void
write_chunk (MsrpTransport            *transport,
             MsrpChunk                *chunk,
             gsize                     slice,
             gpointer                  source_tag,
             GCancellable             *cancellable,
             GAsyncReadyCallback       callback,
             MsrpTransportWrittenFunc  func,
             gpointer                  user_data)
{
  GTask *task = NULL;
  WriteData *wd;
  GString *s;
  GBytes *body;
  const guint8 *wire;
  gsize len, head_len, body_len, inline_len;

  if (source_tag != NULL)
    {
      task = g_task_new (transport, cancellable, callback, user_data);
      g_task_set_name (task, "[msrp] write chunk");
      g_task_set_source_tag (task, source_tag);

      if (transport->closed || transport->close_task != NULL)
        {
          g_task_return_error (task, _msrp_transport_closed_error ());
          g_object_unref (task);
          return;
        }
    }

  /* Head and end-line are put together in the thread's scratch string,
   * then copied with a short body into the block of the write: one
   * allocation a chunk, and none kept by a transport that says nothing. */
  s = g_private_get (&head_scratch);
  if (s == NULL)
    {
      s = g_string_sized_new (256);
      g_private_set (&head_scratch, s);
    }
  g_string_truncate (s, 0);
  _msrp_chunk_encode_head (chunk, s);
  head_len = s->len;
  _msrp_chunk_encode_end (chunk, s);
  body = msrp_chunk_get_data (chunk);
  body_len = body != NULL ? g_bytes_get_size (body) : 0;
  /* A short body is copied between head and end-line: one piece to write
   * instead of three. */
  inline_len = body_len > 0 && body_len <= INLINE_BODY_MAX && (slice == 0 || body_len <= slice) ? body_len : 0;
  len = s->len + inline_len;

  wd = g_malloc (sizeof (WriteData) + len + 1);
  memset (wd, 0, sizeof (WriteData));
  wd->wire = (char *) (wd + 1);
  wd->wire[len] = '\0';
  wd->wire_len = len;
  wd->head_len = head_len;
  memcpy (wd->wire, s->str, head_len);
  if (inline_len > 0)
    memcpy (wd->wire + head_len, g_bytes_get_data (body, NULL), inline_len);
  memcpy (wd->wire + head_len + inline_len, s->str + head_len, s->len - head_len);
  /* A head too big to keep goes. */
  if (s->allocated_len > 4096)
    g_private_replace (&head_scratch, g_string_sized_new (256));
  wire = (const guint8 *) wd->wire;

  if (task != NULL)
    {
      wd->task = task;
      g_task_set_task_data (task, wd, write_data_free);
    }
  else
    {
      wd->func = func;
      wd->user_data = user_data;
    }
  wd->chunk = g_object_ref (chunk);
  if (body != NULL)
    wd->body = g_bytes_ref (body);
  if (body_len > slice)
    wd->slice = slice;
  wd->body_inline = inline_len > 0;

  if (wd->body_inline || body_len == 0)
    {
      wd->vectors[wd->n_vectors].buffer = wire;
      wd->vectors[wd->n_vectors++].size = len;
    }
  else
    {
      wd->vectors[wd->n_vectors].buffer = wire;
      wd->vectors[wd->n_vectors++].size = wd->head_len;
      wd->vectors[wd->n_vectors].buffer = g_bytes_get_data (wd->body, NULL);
      wd->vectors[wd->n_vectors++].size = body_len;
      wd->vectors[wd->n_vectors].buffer = wire + wd->head_len;
      wd->vectors[wd->n_vectors++].size = len - wd->head_len;
    }
  g_queue_push_tail (&transport->write_queue, wd);
  start_next_write (transport);
}

/**
 * msrp_transport_write_chunk_finish:
 * @transport: a #MsrpTransport
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Transport.write_chunk_async].
 *
 * Returns: %TRUE when the whole chunk was written
 *
 * Since: 1.0
 */
gboolean
msrp_transport_write_chunk_finish (MsrpTransport *transport,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, transport), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == msrp_transport_write_chunk_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
_msrp_transport_abort_chunk (MsrpTransport *transport,
                             MsrpChunk     *chunk)
{
  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), FALSE);

  if (transport->open_write != NULL)
    {
      WriteData *wd = transport->open_write;

      if (wd->chunk == chunk)
        {
          if (wd->ending)
            return FALSE;
          wd->abort = TRUE;
          return TRUE;
        }
    }
  for (GList *l = transport->write_queue.head; l != NULL; l = l->next)
    {
      WriteData *wd = l->data;

      if (wd->chunk == chunk && wd->slice > 0)
        {
          wd->abort = TRUE;
          return TRUE;
        }
    }
  return FALSE;
}
