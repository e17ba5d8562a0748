/* msrp-file-transfer-receive.c: a file received to disk, checked, moved into place
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-file-transfer.h"
#include "msrp-file-transfer-private.h"
#include "msrp-stream-private.h"
#include "msrp-enums.h"
#include "msrp-error.h"
#include "msrp-session.h"
#include "msrp-utils-private.h"

/* Receiving */

static void
resume_if_paused (MsrpFileTransfer *self)
{
  MsrpSession *session = msrp_stream_get_session (MSRP_STREAM (self));

  if (!self->paused)
    return;
  self->paused = FALSE;
  if (session != NULL)
    msrp_session_resume_reading (session);
}

static void
stop_taking (MsrpFileTransfer *self)
{
  MsrpSession *session = msrp_stream_get_session (MSRP_STREAM (self));

  if (self->taking && session != NULL)
    g_clear_signal_handler (&self->chunk_id, session);
  self->taking = FALSE;
  resume_if_paused (self);
}

/* Whether bytes taken are not on disk yet: being written, queued, or
 * copied into the block being filled. */
static gboolean
writes_pending (MsrpFileTransfer *self)
{
  return self->writing || !g_queue_is_empty (&self->writes) ||
         (self->block != NULL && self->block_fill > self->block_queued);
}

/* Nothing more is written: the blocks go (those still queued give
 * themselves back when written). */
static void
release_blocks (MsrpFileTransfer *self)
{
  g_clear_pointer (&self->block, g_bytes_unref);
  g_clear_pointer (&self->blocks, _msrp_block_pool_unref);
}

static void
on_part_closed_after_drain (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(MsrpFileTransfer) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    g_debug ("MSRP file transfer: closing the partial file: %s", error->message);
  if (self->drain_error != NULL)
    _msrp_file_transfer_fail (self, g_steal_pointer (&self->drain_error));
}

/* Stops taking chunks; once what was taken is on disk, the partial file
 * is closed and the stream fails with @error (when not NULL). */
void
_msrp_file_transfer_receive_stop (MsrpFileTransfer *self,
                                  GError           *error)
{
  stop_taking (self);
  if (error != NULL && self->drain_error == NULL)
    self->drain_error = error;
  else if (error != NULL)
    g_error_free (error);
  if (writes_pending (self) || self->finishing)
    return;
  if (self->out != NULL && !self->out_closed)
    {
      release_blocks (self);
      self->out_closed = TRUE;
      g_output_stream_close_async (G_OUTPUT_STREAM (self->out), G_PRIORITY_DEFAULT, NULL,
                                   on_part_closed_after_drain, g_object_ref (self));
      return;
    }
  if (self->drain_error != NULL)
    _msrp_file_transfer_fail (self, g_steal_pointer (&self->drain_error));
}

/* A batch of queued pieces, hashed and written in a worker: SHA-1 and the
 * disk overlap with reading the connection rather than take turns with
 * it on the main context. */
typedef struct {
  GOutputStream *out;
  MsrpSha1 *checksum;           /* the transfer's: untouched meanwhile */
  GOutputVector *vectors;
  guint n_vectors;
} WriteJob;

static void
write_job_free (gpointer data)
{
  WriteJob *job = data;

  g_object_unref (job->out);
  g_free (job->vectors);
  g_free (job);
}

static void
write_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  WriteJob *job = task_data;
  GError *error = NULL;

  for (guint i = 0; i < job->n_vectors; i++)
    _msrp_sha1_update (job->checksum, job->vectors[i].buffer, job->vectors[i].size);
  if (!g_output_stream_writev_all (job->out, job->vectors, job->n_vectors, NULL, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(MsrpFileTransfer) self = user_data;
  gsize size = 0;
  GError *error = NULL;

  /* The pieces written stayed at the head of the queue meanwhile. */
  for (guint i = 0; i < self->writing_pieces; i++)
    {
      GBytes *bytes = g_queue_pop_head (&self->writes);

      size += g_bytes_get_size (bytes);
      g_bytes_unref (bytes);
    }
  self->writing_pieces = 0;
  self->writing = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *name = g_file_get_parse_name (self->part_file);

      g_queue_clear_full (&self->writes, (GDestroyNotify) g_bytes_unref);
      release_blocks (self);
      self->queued = 0;
      stop_taking (self);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_error_free (error);
      else
        {
          _msrp_file_transfer_fail (self, g_error_new (error->domain, error->code, _("Could not write “%s”: %s"), name,
                                   error->message));
          g_error_free (error);
        }
      return;
    }
  self->written += size;
  self->queued -= size;
  _msrp_file_transfer_set_bytes_transferred (self, self->written, FALSE);
  if (self->paused && self->queued <= QUEUE_LOW)
    resume_if_paused (self);
  _msrp_file_transfer_write_next (self);
}

/* Queues what was copied into the current block since its last slice. */
static void
queue_block_slice (MsrpFileTransfer *self)
{
  if (self->block == NULL || self->block_fill == self->block_queued)
    return;
  g_queue_push_tail (&self->writes, g_bytes_new_from_bytes (self->block, self->block_queued,
                                                            self->block_fill - self->block_queued));
  self->block_queued = self->block_fill;
  if (self->block_fill == g_bytes_get_size (self->block))
    g_clear_pointer (&self->block, g_bytes_unref);
}

/* Copies what came into pooled blocks for the disk. The session's body
 * buffers are then freed at once, as a plain listener frees them, and
 * malloc uses them again: held for the disk, megabytes of them are freed
 * together and handed back to the system, and taking them again costs a
 * page fault every 4 KiB, far more than the copy. */
static void
copy_in (MsrpFileTransfer *self,
         const guint8     *data,
         gsize             size)
{
  while (size > 0)
    {
      gsize n;

      if (self->block == NULL)
        {
          if (self->blocks == NULL)
            {
              self->blocks = _msrp_block_pool_new (WRITE_BLOCK_SIZE, MAX_SPARE_WRITE_BLOCKS);
              _msrp_block_pool_set_keep (self->blocks, TRUE);
            }
          self->block = _msrp_block_free_to_bytes (_msrp_block_pool_take (self->blocks), WRITE_BLOCK_SIZE);
          self->block_data = (guint8 *) g_bytes_get_data (self->block, NULL);
          self->block_fill = self->block_queued = 0;
        }
      n = MIN (size, WRITE_BLOCK_SIZE - self->block_fill);
      memcpy (self->block_data + self->block_fill, data, n);
      self->block_fill += n;
      data += n;
      size -= n;
      if (self->block_fill == WRITE_BLOCK_SIZE)
        queue_block_slice (self);
    }
}

void
_msrp_file_transfer_write_next (MsrpFileTransfer *self)
{
  GBytes *bytes = g_queue_peek_head (&self->writes);
  WriteJob *job;
  GTask *task;
  guint i = 0;

  if (self->writing)
    return;
  if (bytes == NULL)
    {
      queue_block_slice (self);
      bytes = g_queue_peek_head (&self->writes);
    }
  if (bytes == NULL)
    {
      if (!self->taking || self->drain_error != NULL)
        _msrp_file_transfer_receive_stop (self, NULL);
      else
        _msrp_file_transfer_receive_maybe_finish (self);
      return;
    }
  /* What is queued goes in one job: one trip to a worker for many chunks
   * rather than one each. */
  self->writing = TRUE;
  self->writing_pieces = MIN (self->writes.length, MAX_WRITE_PIECES);
  job = g_new0 (WriteJob, 1);
  job->out = g_object_ref (G_OUTPUT_STREAM (self->out));
  job->checksum = self->checksum;
  job->n_vectors = self->writing_pieces;
  job->vectors = g_new (GOutputVector, job->n_vectors);
  for (GList *l = self->writes.head; l != NULL && i < job->n_vectors; l = l->next, i++)
    job->vectors[i].buffer = g_bytes_get_data (l->data, &job->vectors[i].size);
  /* No source object: the transfer is let go (and finalized) only in
   * on_written, on the main context, which keeps it alive meanwhile and
   * with it the checksum the worker updates. */
  task = g_task_new (NULL, self->cancellable, on_written, g_object_ref (self));
  g_task_set_source_tag (task, _msrp_file_transfer_write_next);
  g_task_set_name (task, "[msrp] file transfer write");
  g_task_set_task_data (task, job, write_job_free);
  g_task_run_in_thread (task, write_in_thread);
  g_object_unref (task);
}

void
_msrp_file_transfer_on_chunk_received (MsrpSession      *session,
                                       MsrpChunk        *chunk,
                                       MsrpFileTransfer *self)
{
  GBytes *data = msrp_chunk_get_data (chunk);
  const char *message_id = msrp_chunk_get_message_id (chunk);
  gint64 start, total;
  guint64 offset, size, end;

  if (self->finishing || !self->taking)
    return;
  if (self->message_id == NULL)
    self->message_id = g_strdup (message_id);
  else if (g_strcmp0 (self->message_id, message_id) != 0)
    {
      g_debug ("MSRP file transfer: ignoring a message that is not the file: %s", message_id);
      return;
    }
  if (msrp_chunk_get_continuation (chunk) == MSRP_CONTINUATION_ABORT)
    return;

  msrp_chunk_get_byte_range (chunk, &start, NULL, &total);
  if (self->want_stop < 0 && total >= 0)
    {
      /* An offer without a size: the first total bounds the file, and the
       * session refuses (413) what goes past it. */
      self->want_stop = total;
      if (total > 0)
        msrp_session_set_max_size (session, total);
    }
  offset = (guint64) MAX (start, 1) - 1;
  size = data != NULL ? g_bytes_get_size (data) : 0;
  end = offset + size;
  if (msrp_chunk_get_continuation (chunk) == MSRP_CONTINUATION_END)
    {
      self->seen_last = TRUE;
      /* Sent with unknown totals ('*') throughout: the file ends with its last chunk. */
      if (self->want_stop < 0)
        self->want_stop = end;
    }
  if (self->want_stop >= 0 && end > (guint64) self->want_stop)
    end = self->want_stop;

  if (offset > (guint64) self->received)
    {
      g_autofree char *at = _msrp_file_transfer_format_size (self->received);

      /* A gap: the partial file is only ever continued at its end. */
      _msrp_file_transfer_receive_stop (self, g_error_new (MSRP_ERROR, MSRP_ERROR_TRANSFER_INCOMPLETE,
                                       _("The peer sent the file with bytes missing after byte %s"), at));
      return;
    }
  if (end > (guint64) self->received)
    {
      gsize skip = self->received - offset;
      gsize n = end - offset - skip;

      /* Hashed as it is written, in order, in write_in_thread(). */
      copy_in (self, (const guint8 *) g_bytes_get_data (data, NULL) + skip, n);
      self->received = end;
      self->queued += n;
      self->max_queued = MAX (self->max_queued, self->queued);
      /* The disk is behind: the peer waits (TCP) until it caught up. */
      if (self->queued > QUEUE_HIGH && !self->paused)
        {
          self->paused = TRUE;
          msrp_session_pause_reading (session);
        }
    }
  _msrp_file_transfer_write_next (self);
}

static void
on_report_sent (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(MsrpFileTransfer) self = user_data;
  g_autoptr(MsrpChunk) response = msrp_session_send_chunk_finish (MSRP_SESSION (source), result, NULL);
  const char *expected = msrp_file_selector_get_hash (self->selector);

  _msrp_file_transfer_fail (self, g_error_new (MSRP_ERROR, MSRP_ERROR_HASH_MISMATCH,
                           _("The file that arrived is not the one offered: its hash is not %s"),
                           expected ? expected : ""));
}

/* Tells the sender (a failure REPORT, as its Failure-Report asks), then
 * fails. */
static void
hash_mismatch (MsrpFileTransfer *self)
{
  MsrpSession *session = msrp_stream_get_session (MSRP_STREAM (self));
  g_autoptr(MsrpChunk) report = NULL;
  MsrpTransport *transport;

  if (session == NULL || self->message_id == NULL)
    {
      on_report_sent (NULL, NULL, g_object_ref (self));
      return;
    }
  transport = msrp_session_get_transport (session);
  report = msrp_chunk_new_request ("REPORT", NULL);
  msrp_chunk_set_to_path (report, msrp_transport_get_full_remote_path (transport));
  msrp_chunk_set_from_path (report, msrp_transport_get_full_local_path (transport));
  msrp_chunk_set_message_id (report, self->message_id);
  msrp_chunk_set_byte_range (report, 1, self->received, self->received);
  msrp_chunk_set_status (report, MSRP_STATUS_BAD_REQUEST, "File hash mismatch");
  msrp_session_send_chunk_async (session, report, NULL, on_report_sent, g_object_ref (self));
}

/* Removing a file is best effort: a failure is only logged. */
static void
delete_finish (GObject      *source,
               GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_delete_finish (G_FILE (source), result, &error))
    g_debug ("MSRP file transfer: could not remove a file: %s", error->message);
}

static void
on_bad_part_deleted (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(MsrpFileTransfer) self = user_data;

  delete_finish (source, result);
  if (G_FILE (source) == self->part_file)
    g_file_delete_async (self->meta_file, G_PRIORITY_DEFAULT, NULL, on_bad_part_deleted, g_object_ref (self));
  else
    hash_mismatch (self);
}

static void
on_meta_deleted (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(MsrpFileTransfer) self = user_data;

  delete_finish (source, result);
  _msrp_file_transfer_flush_notify (self);
  msrp_stream_end_async (MSRP_STREAM (self), NULL, NULL, NULL);
}

static void
on_moved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(MsrpFileTransfer) self = user_data;
  GError *error = NULL;

  if (!g_file_move_finish (G_FILE (source), result, &error))
    {
      g_autofree char *name = g_file_get_parse_name (self->file);

      _msrp_file_transfer_fail (self, g_error_new (error->domain, error->code, _("Could not write “%s”: %s"), name, error->message));
      g_error_free (error);
      return;
    }
  g_file_delete_async (self->meta_file, G_PRIORITY_DEFAULT, NULL, on_meta_deleted, g_object_ref (self));
}

static void
on_part_closed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(MsrpFileTransfer) self = user_data;
  const char *expected = msrp_file_selector_get_hash (self->selector);
  g_autofree char *hash = _msrp_file_transfer_checksum_to_hash (self->checksum);
  GError *error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    {
      g_autofree char *name = g_file_get_parse_name (self->part_file);

      _msrp_file_transfer_fail (self, g_error_new (error->domain, error->code, _("Could not write “%s”: %s"), name, error->message));
      g_error_free (error);
      return;
    }
  /* RFC 5547 knows only SHA-1; another algorithm cannot be checked. */
  if (expected != NULL && g_ascii_strncasecmp (expected, "sha-1:", 6) == 0 &&
      g_ascii_strcasecmp (expected, hash) != 0)
    {
      g_debug ("MSRP file transfer: hash %s, expected %s", hash, expected);
      g_file_delete_async (self->part_file, G_PRIORITY_DEFAULT, NULL, on_bad_part_deleted, g_object_ref (self));
      return;
    }
  g_file_move_async (self->part_file, self->file, G_FILE_COPY_OVERWRITE | G_FILE_COPY_NOFOLLOW_SYMLINKS,
                     G_PRIORITY_DEFAULT, NULL, NULL, NULL, on_moved, g_object_ref (self));
}

/* Every byte is on disk: close, check, move into place. */
void
_msrp_file_transfer_receive_maybe_finish (MsrpFileTransfer *self)
{
  if (self->finishing || writes_pending (self) || self->want_stop < 0 ||
      self->received < self->want_stop || (self->want_stop == 0 && !self->seen_last))
    return;
  self->finishing = TRUE;
  stop_taking (self);
  _msrp_file_transfer_set_bytes_transferred (self, self->written, TRUE);
  release_blocks (self);
  self->out_closed = TRUE;
  g_output_stream_close_async (G_OUTPUT_STREAM (self->out), G_PRIORITY_DEFAULT, NULL, on_part_closed,
                               g_object_ref (self));
}
