/* msrp-file-transfer.c: a file transfer stream (RFC 5547)
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

/**
 * MsrpFileTransfer:
 *
 * A file transfer after RFC 5547: the reference API's MSRPFileTransfer. It
 * follows the life cycle of [class@Msrp.Stream]; the SDP media says which
 * file it is about (`a=file-selector` with its name, type, size and SHA-1
 * hash, `a=file-transfer-id`) and which way it goes:
 *
 * - a push ([ctor@Msrp.FileTransfer.new_push]) offers a file:
 *   `a=sendonly`, with `a=file-disposition` and `a=file-date`;
 * - a pull ([ctor@Msrp.FileTransfer.new_pull]) asks the peer for the file
 *   a selector describes: `a=recvonly`;
 * - the answerer of either is made with
 *   [ctor@Msrp.FileTransfer.new_from_offer].
 *
 * Before the offer is made, the sender hashes the file in a worker thread
 * (bounded memory; [property@Msrp.FileTransfer:hash-progress] tells how far
 * it got). Once started, the file goes as one MSRP message, read a block
 * at a time, with a `Content-Disposition` that names it. The receiver
 * writes the chunks to a partial file next to the destination
 * (`.NAME.part`, with a small `.NAME.part.meta` that remembers which file
 * it is), reading from the connection only as fast as the disk takes it,
 * hashes them as they come, and moves the partial file into place once
 * every byte is in and the hash matches. A mismatch fails the transfer with
 * %MSRP_ERROR_HASH_MISMATCH, removes the partial file and tells the sender
 * with a failure REPORT. When the file is in place the receiver ends the
 * stream, and the sender's stream ends with it.
 *
 * An interrupted transfer (either side ended it, or the connection broke)
 * fails with %MSRP_ERROR_TRANSFER_INCOMPLETE on the side that did not end
 * it, and the receiver keeps its partial file. A new transfer of the same
 * file resumes it (RFC 5547 `a=file-range`): a receiver that finds a
 * partial file of the same selector asks only for the bytes it lacks, in
 * its offer (pull) or its answer (push), and the sender sends from there.
 * A sender that knows how much the receiver got can say so itself with
 * [method@Msrp.FileTransfer.set_range].
 *
 * [property@Msrp.FileTransfer:bytes-transferred] (acknowledged bytes for the
 * sender, bytes on disk for the receiver) is notified at most 20 times a
 * second: it can be bound to a progress bar.
 *
 * ```c
 * MsrpFileTransfer *transfer = msrp_file_transfer_new_push (file, NULL);
 * g_signal_connect (transfer, "notify::bytes-transferred", G_CALLBACK (on_progress), bar);
 * msrp_stream_initialize_async (MSRP_STREAM (transfer), NULL, NULL, on_offer, NULL);
 * // ... with the answer: msrp_stream_start_async (MSRP_STREAM (transfer), answer, ...)
 * ```
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (MsrpFileTransfer, msrp_file_transfer, MSRP_TYPE_STREAM)

GParamSpec *_msrp_file_transfer_properties[N_PROPS];


/* Notifications */

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}


void
_msrp_file_transfer_flush_notify (MsrpFileTransfer *self)
{
  guint pending = self->pending_notify;

  clear_source (&self->notify_source);
  self->pending_notify = 0;
  self->last_notify = g_get_monotonic_time ();
  for (guint i = 1; i < N_PROPS; i++)
    if (pending & (1u << i))
      g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
}

static gboolean
on_notify_timeout (gpointer user_data)
{
  MsrpFileTransfer *self = user_data;

  g_clear_pointer (&self->notify_source, g_source_unref);
  _msrp_file_transfer_flush_notify (self);
  return G_SOURCE_REMOVE;
}

/* Notifies @prop now, or within the interval when one went out lately:
 * progress comes at most 20 times a second, and the last value always. */
void
_msrp_file_transfer_notify_throttled (MsrpFileTransfer *self,
                                      guint             prop,
                                      gboolean          now)
{
  gint64 elapsed = g_get_monotonic_time () - self->last_notify;

  self->pending_notify |= 1u << prop;
  if (now || elapsed >= NOTIFY_INTERVAL_US)
    {
      _msrp_file_transfer_flush_notify (self);
      return;
    }
  if (self->notify_source == NULL)
    {
      self->notify_source = g_timeout_source_new ((NOTIFY_INTERVAL_US - elapsed) / 1000 + 1);
      g_source_set_static_name (self->notify_source, "[msrp] file transfer progress");
      g_source_set_callback (self->notify_source, on_notify_timeout, self, NULL);
      g_source_attach (self->notify_source, self->context);
    }
}

void
_msrp_file_transfer_set_bytes_transferred (MsrpFileTransfer *self,
                                           gint64            bytes,
                                           gboolean          now)
{
  if (self->bytes_transferred == bytes)
    {
      /* The last value goes out now, not after the stream ended. */
      if (now && (self->pending_notify & (1u << PROP_BYTES_TRANSFERRED)))
        _msrp_file_transfer_flush_notify (self);
      return;
    }
  self->bytes_transferred = bytes;
  _msrp_file_transfer_notify_throttled (self, PROP_BYTES_TRANSFERRED, now);
}

static gint64
file_size (MsrpFileTransfer *self)
{
  return self->selector != NULL ? msrp_file_selector_get_size (self->selector) : -1;
}

void
_msrp_file_transfer_fail (MsrpFileTransfer *self,
                          GError           *error)
{
  _msrp_file_transfer_flush_notify (self);
  _msrp_stream_fail (MSRP_STREAM (self), error);
}

static gboolean
is_running (MsrpFileTransfer *self)
{
  return msrp_stream_get_state (MSRP_STREAM (self)) == MSRP_STREAM_STATE_STARTED;
}

char *
_msrp_file_transfer_format_size (gint64 size)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, size);
}

/* The transfer broke off (@error) or the peer ended it (NULL). */
static GError *
incomplete_error (MsrpFileTransfer *self,
                  const GError     *error)
{
  g_autofree char *got = _msrp_file_transfer_format_size (self->sending ? self->bytes_transferred : self->received);
  g_autofree char *size = _msrp_file_transfer_format_size (file_size (self));

  if (error != NULL)
    return g_error_new (MSRP_ERROR, MSRP_ERROR_TRANSFER_INCOMPLETE,
                        _("The file transfer broke off after %s of %s bytes: %s"), got, size, error->message);
  return g_error_new (MSRP_ERROR, MSRP_ERROR_TRANSFER_INCOMPLETE,
                      _("The peer ended the file transfer after %s of %s bytes"), got, size);
}

/* Names for RFC 5322 dates, which must not follow the locale. */
static const char * const day_names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char * const month_names[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* RFC 5547 file-date: modification:"Tue, 01 Jan 2008 10:00:00 +0000" */
static char *
format_file_date (GDateTime *mtime)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (mtime);

  return g_strdup_printf ("modification:\"%s, %02d %s %04d %02d:%02d:%02d +0000\"",
                          day_names[g_date_time_get_day_of_week (utc) - 1], g_date_time_get_day_of_month (utc),
                          month_names[g_date_time_get_month (utc) - 1], g_date_time_get_year (utc),
                          g_date_time_get_hour (utc), g_date_time_get_minute (utc),
                          g_date_time_get_second (utc));
}


/* MsrpStream: media */

static gboolean
ft_prepare_local_media (MsrpStream    *stream,
                        MsrpSdpMedia  *local_media,
                        MsrpSdpMedia  *remote_offer,
                        GError       **error)
{
  MsrpFileTransfer *self = MSRP_FILE_TRANSFER (stream);
  const char *type = msrp_file_selector_get_content_type (self->selector);
  const char * const any[] = { "*", NULL };
  const char * const types[] = { type, NULL };

  msrp_sdp_media_set_direction (local_media, self->sending ? MSRP_SDP_DIRECTION_SENDONLY
                                                           : MSRP_SDP_DIRECTION_RECVONLY);
  /* The answer mirrors the offer's selector (RFC 5547 section 8.3). */
  if (remote_offer != NULL && msrp_sdp_media_get_file_selector (remote_offer) != NULL)
    msrp_sdp_media_set_file_selector (local_media, msrp_sdp_media_get_file_selector (remote_offer));
  else
    msrp_sdp_media_set_file_selector (local_media, self->selector);
  if (remote_offer != NULL && msrp_sdp_media_get_accept_types (remote_offer) != NULL)
    msrp_sdp_media_set_accept_types (local_media, msrp_sdp_media_get_accept_types (remote_offer));
  else
    msrp_sdp_media_set_accept_types (local_media, type != NULL ? types : any);
  msrp_sdp_media_set_file_transfer_id (local_media, self->transfer_id);

  if (self->sending)
    {
      msrp_sdp_media_set_file_disposition (local_media, "attachment");
      if (self->mtime != NULL)
        {
          g_autofree char *date = format_file_date (self->mtime);

          msrp_sdp_media_set_file_date (local_media, date);
        }
      if (self->range_start > 0)
        msrp_sdp_media_set_file_range (local_media, self->range_start, self->range_stop);
    }
  else if (self->received > 0 || (remote_offer != NULL && msrp_sdp_media_get_file_range (remote_offer, NULL, NULL)))
    {
      /* What the partial file lacks: from its end to the file's. */
      gint64 stop = -1;

      if (remote_offer != NULL)
        msrp_sdp_media_get_file_range (remote_offer, NULL, &stop);
      if (stop < 0)
        stop = file_size (self);
      msrp_sdp_media_set_file_range (local_media, self->received + 1, stop);
    }
  else if (self->range_start > 0)
    msrp_sdp_media_set_file_range (local_media, self->range_start, self->range_stop);
  return TRUE;
}

static gboolean
ft_check_remote_media (MsrpStream    *stream,
                       MsrpSdpMedia  *remote,
                       GError       **error)
{
  MsrpFileTransfer *self = MSRP_FILE_TRANSFER (stream);
  MsrpSdpDirection direction = msrp_sdp_media_get_direction (remote);
  MsrpFileSelector *selector = msrp_sdp_media_get_file_selector (remote);
  const char *id = msrp_sdp_media_get_file_transfer_id (remote);
  gint64 start, stop;

  if (direction == MSRP_SDP_DIRECTION_INACTIVE ||
      direction == (self->sending ? MSRP_SDP_DIRECTION_SENDONLY : MSRP_SDP_DIRECTION_RECVONLY))
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                           self->sending ? _("The peer’s media does not receive the file")
                                         : _("The peer’s media does not send the file"));
      return FALSE;
    }
  if (!msrp_stream_get_is_offerer (stream))
    return TRUE;

  /* The answer to our offer: about the same file and transfer. */
  if ((selector != NULL && self->selector != NULL && !msrp_file_selector_equal (selector, self->selector)) ||
      (id != NULL && g_strcmp0 (id, self->transfer_id) != 0))
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                           _("The peer answered about another file or file transfer"));
      return FALSE;
    }
  /* The receiver asks for what its partial file lacks. */
  if (self->sending && msrp_sdp_media_get_file_range (remote, &start, &stop))
    {
      self->range_start = start;
      self->range_stop = stop;
    }
  return TRUE;
}

static const char * const *
ft_accept_types (MsrpStream *stream)
{
  MsrpSdpMedia *local = msrp_stream_get_local_media (stream);

  /* What our media says we take: the file's type, or the offer's. */
  return local != NULL ? msrp_sdp_media_get_accept_types (local) : NULL;
}

/* Sending */

static gboolean
on_linger_timeout (gpointer user_data)
{
  MsrpFileTransfer *self = user_data;

  g_clear_pointer (&self->linger_source, g_source_unref);
  g_debug ("MSRP file transfer: the receiver did not end the stream; ending it");
  msrp_stream_end_async (MSRP_STREAM (self), NULL, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_file_sent (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MsrpFileTransfer) self = user_data;
  MsrpSession *session = MSRP_SESSION (source);
  g_autoptr(GError) error = NULL;

  if (!msrp_session_send_file_finish (session, result, &error))
    {
      if (!is_running (self))
        return;
      if (error->domain == MSRP_TRANSACTION_ERROR)
        _msrp_file_transfer_fail (self, g_error_new (MSRP_TRANSACTION_ERROR, error->code, _("The peer refused the file: %s"),
                                 error->message));
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _msrp_file_transfer_fail (self, incomplete_error (self, error));
      return;
    }
  self->send_done = TRUE;
  _msrp_file_transfer_set_bytes_transferred (self, msrp_outgoing_file_get_bytes_sent (self->outgoing), TRUE);
  /* The receiver ends the stream once the file is in place; a receiver
   * that does not is given the response timeout. */
  if (is_running (self) && self->linger_source == NULL)
    {
      self->linger_source = g_timeout_source_new_seconds (msrp_session_get_response_timeout (session));
      g_source_set_static_name (self->linger_source, "[msrp] file transfer linger");
      g_source_set_callback (self->linger_source, on_linger_timeout, self, NULL);
      g_source_attach (self->linger_source, self->context);
    }
}

static void
on_bytes_sent (MsrpOutgoingFile *outgoing,
               GParamSpec       *pspec,
               MsrpFileTransfer *self)
{
  _msrp_file_transfer_set_bytes_transferred (self, msrp_outgoing_file_get_bytes_sent (outgoing), FALSE);
}

static void
on_report (MsrpSession      *session,
           MsrpChunk        *report,
           MsrpFileTransfer *self)
{
  guint code;
  const char *comment;

  if (self->outgoing == NULL ||
      g_strcmp0 (msrp_chunk_get_message_id (report), msrp_outgoing_file_get_message_id (self->outgoing)) != 0 ||
      !msrp_chunk_get_status (report, &code, &comment) || code / 100 == 2)
    return;
  _msrp_file_transfer_fail (self, g_error_new (MSRP_TRANSACTION_ERROR, code, _("The receiver reported that the file failed: %u %s"),
                           code, comment ? comment : ""));
}

/* Content-Disposition (RFC 2183) with the file name: quoted when it is
 * plain ASCII, else in RFC 2231 form. */
static char *
content_disposition (const char *name)
{
  GString *out = g_string_new ("attachment");
  gboolean ascii = TRUE;

  if (name == NULL)
    return g_string_free (out, FALSE);
  for (const char *p = name; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || (guchar) *p >= 0x7f)
      ascii = FALSE;
  if (ascii)
    {
      g_string_append (out, "; filename=\"");
      for (const char *p = name; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    {
      g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);

      g_string_append_printf (out, "; filename*=UTF-8''%s", escaped);
    }
  return g_string_free (out, FALSE);
}

static void
on_send_file_opened (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(MsrpFileTransfer) self = user_data;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree char *disposition = NULL;
  MsrpSession *session = msrp_stream_get_session (MSRP_STREAM (self));
  gint64 start = MAX (self->range_start, 1);
  gint64 stop = file_size (self);
  GError *error = NULL;

  stream = g_file_read_finish (G_FILE (source), result, &error);
  if (!is_running (self) || session == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (self->range_stop > 0 && self->range_stop < stop)
    stop = self->range_stop;
  /* A local file seeks without waiting. */
  if (stream != NULL && start > 1)
    g_seekable_seek (G_SEEKABLE (stream), start - 1, G_SEEK_SET, NULL, &error);
  if (error != NULL)
    {
      g_autofree char *name = g_file_get_parse_name (self->file);

      _msrp_file_transfer_fail (self, g_error_new (error->domain, error->code, _("Could not read “%s”: %s"), name, error->message));
      g_error_free (error);
      return;
    }
  if (start - 1 > stop)
    start = stop + 1;

  /* The message is the file: Byte-Range counts from its first byte. */
  self->outgoing = msrp_outgoing_file_new (G_INPUT_STREAM (stream), stop,
                                           msrp_file_selector_get_content_type (self->selector),
                                           start - 1, NULL);
  disposition = content_disposition (msrp_file_selector_get_name (self->selector));
  msrp_outgoing_file_set_header (self->outgoing, "Content-Disposition", disposition);
  g_signal_connect_object (self->outgoing, "notify::bytes-sent", G_CALLBACK (on_bytes_sent), self, 0);
  _msrp_file_transfer_set_bytes_transferred (self, start - 1, TRUE);
  self->send_cancellable = g_cancellable_new ();
  msrp_session_send_file_async (session, self->outgoing, self->send_cancellable, on_file_sent,
                                g_object_ref (self));
}

/* MsrpStream: the session */

static void
ft_session_started (MsrpStream  *stream,
                    MsrpSession *session)
{
  MsrpFileTransfer *self = MSRP_FILE_TRANSFER (stream);

  if (self->sending)
    {
      g_signal_connect_object (session, "report-received", G_CALLBACK (on_report), self, 0);
      g_file_read_async (self->file, G_PRIORITY_DEFAULT, self->cancellable, on_send_file_opened,
                         g_object_ref (self));
      return;
    }

  /* Nothing is put together in memory: every chunk goes to disk. */
  msrp_session_set_max_message_size (session, 0);
  if (self->want_stop > 0)
    msrp_session_set_max_size (session, self->want_stop);
  self->taking = TRUE;
  self->chunk_id = g_signal_connect (session, "chunk-received", G_CALLBACK (_msrp_file_transfer_on_chunk_received), self);
  /* An empty file, or nothing left to send, may come as an empty message
   * or none. */
  _msrp_file_transfer_receive_maybe_finish (self);
}

static void
ft_session_ending (MsrpStream  *stream,
                   MsrpSession *session)
{
  MsrpFileTransfer *self = MSRP_FILE_TRANSFER (stream);

  clear_source (&self->linger_source);
  if (self->sending)
    {
      /* Ended by hand: the rest of the file does not go out. */
      if (!self->send_done && self->send_cancellable != NULL)
        g_cancellable_cancel (self->send_cancellable);
      return;
    }
  if (!self->finishing)
    _msrp_file_transfer_receive_stop (self, NULL);
}

static gboolean
ft_session_closed (MsrpStream   *stream,
                   MsrpSession  *session,
                   const GError *error)
{
  MsrpFileTransfer *self = MSRP_FILE_TRANSFER (stream);
  GError *incomplete;

  clear_source (&self->linger_source);
  if (self->sending ? self->send_done : self->finishing)
    return FALSE;
  if (!self->sending && self->want_stop >= 0 && self->received >= self->want_stop && self->taking)
    {
      /* All in: the receiver ends once the file is checked and in place. */
      return TRUE;
    }
  incomplete = incomplete_error (self, error);
  if (self->sending)
    {
      if (self->send_cancellable != NULL)
        g_cancellable_cancel (self->send_cancellable);
      _msrp_file_transfer_fail (self, incomplete);
    }
  else
    _msrp_file_transfer_receive_stop (self, incomplete);
  return TRUE;
}

/* GObject */

static void
msrp_file_transfer_dispose (GObject *object)
{
  MsrpFileTransfer *self = MSRP_FILE_TRANSFER (object);
  MsrpSession *session = msrp_stream_get_session (MSRP_STREAM (self));

  g_cancellable_cancel (self->cancellable);
  if (self->send_cancellable != NULL)
    g_cancellable_cancel (self->send_cancellable);
  if (self->taking && session != NULL)
    g_clear_signal_handler (&self->chunk_id, session);
  self->taking = FALSE;
  if (self->paused && session != NULL)
    msrp_session_resume_reading (session);
  self->paused = FALSE;
  clear_source (&self->linger_source);
  clear_source (&self->notify_source);
  g_queue_clear_full (&self->writes, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&self->block, g_bytes_unref);
  g_clear_pointer (&self->blocks, _msrp_block_pool_unref);
  G_OBJECT_CLASS (msrp_file_transfer_parent_class)->dispose (object);
}

static void
msrp_file_transfer_finalize (GObject *object)
{
  MsrpFileTransfer *self = MSRP_FILE_TRANSFER (object);

  g_main_context_unref (self->context);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->file);
  g_free (self->content_type);
  g_clear_object (&self->selector);
  g_clear_object (&self->offer);
  g_free (self->transfer_id);
  g_clear_pointer (&self->mtime, g_date_time_unref);
  g_clear_object (&self->outgoing);
  g_clear_object (&self->send_cancellable);
  g_clear_object (&self->part_file);
  g_clear_object (&self->meta_file);
  g_clear_object (&self->out);
  g_clear_pointer (&self->checksum, _msrp_sha1_free);
  g_free (self->message_id);
  g_clear_error (&self->drain_error);
  G_OBJECT_CLASS (msrp_file_transfer_parent_class)->finalize (object);
}

static void
msrp_file_transfer_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MsrpFileTransfer *self = MSRP_FILE_TRANSFER (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    case PROP_IS_SENDER:
      g_value_set_boolean (value, self->sending);
      break;
    case PROP_SELECTOR:
      g_value_set_object (value, self->selector);
      break;
    case PROP_TRANSFER_ID:
      g_value_set_string (value, self->transfer_id);
      break;
    case PROP_SIZE:
      g_value_set_int64 (value, file_size (self));
      break;
    case PROP_BYTES_TRANSFERRED:
      g_value_set_int64 (value, self->bytes_transferred);
      break;
    case PROP_HASH_PROGRESS:
      g_value_set_double (value, self->hash_progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_file_transfer_init (MsrpFileTransfer *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->range_stop = -1;
  self->want_stop = -1;
  g_queue_init (&self->writes);
}

static void
msrp_file_transfer_class_init (MsrpFileTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  MsrpStreamClass *stream_class = MSRP_STREAM_CLASS (klass);

  object_class->dispose = msrp_file_transfer_dispose;
  object_class->finalize = msrp_file_transfer_finalize;
  object_class->get_property = msrp_file_transfer_get_property;

  stream_class->media_type = "message";
  stream_class->prepare_async = _msrp_file_transfer_prepare_async;
  stream_class->prepare_finish = _msrp_file_transfer_prepare_finish;
  stream_class->prepare_local_media = ft_prepare_local_media;
  stream_class->check_remote_media = ft_check_remote_media;
  stream_class->accept_types = ft_accept_types;
  stream_class->session_started = ft_session_started;
  stream_class->session_ending = ft_session_ending;
  stream_class->session_closed = ft_session_closed;

  /**
   * MsrpFileTransfer:file:
   *
   * The file sent, or where the file received goes.
   *
   * Since: 1.0
   */
  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpFileTransfer:is-sender:
   *
   * Whether this side sends the file (a push, or the answer to a pull).
   *
   * Since: 1.0
   */
  properties[PROP_IS_SENDER] =
    g_param_spec_boolean ("is-sender", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpFileTransfer:selector:
   *
   * The file's RFC 5547 selector: its name, type, size and SHA-1 hash. A
   * push knows it once the file is hashed, during initialization.
   *
   * Since: 1.0
   */
  properties[PROP_SELECTOR] =
    g_param_spec_object ("selector", NULL, NULL, MSRP_TYPE_FILE_SELECTOR,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpFileTransfer:transfer-id:
   *
   * The `a=file-transfer-id` of this transfer: new for each offer (a
   * resumed transfer has an id of its own), the offer's for an answer.
   *
   * Since: 1.0
   */
  properties[PROP_TRANSFER_ID] =
    g_param_spec_string ("transfer-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpFileTransfer:size:
   *
   * The size of the file in bytes, or -1 while it is not known.
   *
   * Since: 1.0
   */
  properties[PROP_SIZE] =
    g_param_spec_int64 ("size", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpFileTransfer:bytes-transferred:
   *
   * How much of the file is across, counted from its first byte (a
   * resumed transfer starts with what came before): for the sender the
   * bytes the receiver acknowledged, for the receiver the bytes on disk.
   * Notified at most 20 times a second, and at the end.
   *
   * Since: 1.0
   */
  properties[PROP_BYTES_TRANSFERRED] =
    g_param_spec_int64 ("bytes-transferred", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpFileTransfer:hash-progress:
   *
   * How far initialization got hashing the file (the sender's file, or a
   * partial file the receiver resumes), from 0 to 1. Notified at most 20
   * times a second.
   *
   * Since: 1.0
   */
  properties[PROP_HASH_PROGRESS] =
    g_param_spec_double ("hash-progress", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/* API */

static MsrpFileTransfer *
transfer_new (gboolean  sending,
              GFile    *file)
{
  MsrpFileTransfer *self = g_object_new (MSRP_TYPE_FILE_TRANSFER, NULL);

  self->sending = sending;
  self->file = g_object_ref (file);
  return self;
}

/**
 * msrp_file_transfer_new_push:
 * @file: the file to send
 * @content_type: (nullable): its MIME type, or %NULL to guess it from the
 *   file ("application/octet-stream" when that fails)
 *
 * Makes the offerer of a push: [method@Msrp.Stream.initialize_async] hashes
 * the file and gives an offer with `a=sendonly` and the file's selector.
 *
 * Returns: (transfer full): a new #MsrpFileTransfer
 *
 * Since: 1.0
 */
MsrpFileTransfer *
msrp_file_transfer_new_push (GFile      *file,
                             const char *content_type)
{
  MsrpFileTransfer *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (content_type == NULL || strchr (content_type, '/') != NULL, NULL);

  self = transfer_new (TRUE, file);
  self->content_type = g_strdup (content_type);
  self->transfer_id = _msrp_random_ident (MSRP_RANDOM_NONCE, 16);
  return self;
}

/**
 * msrp_file_transfer_new_pull:
 * @selector: the file wanted, as the peer described it (at least its name
 *   or hash; with its size and hash, the file received is checked)
 * @destination: where the file goes
 *
 * Makes the offerer of a pull: the offer has `a=recvonly` and @selector.
 * When a partial file of an earlier transfer of the same file lies next to
 * @destination, the offer asks only for the bytes it lacks.
 *
 * Returns: (transfer full): a new #MsrpFileTransfer
 *
 * Since: 1.0
 */
MsrpFileTransfer *
msrp_file_transfer_new_pull (MsrpFileSelector *selector,
                             GFile            *destination)
{
  MsrpFileTransfer *self;

  g_return_val_if_fail (MSRP_IS_FILE_SELECTOR (selector), NULL);
  g_return_val_if_fail (G_IS_FILE (destination), NULL);

  self = transfer_new (FALSE, destination);
  self->selector = g_object_ref (selector);
  self->want_stop = msrp_file_selector_get_size (selector);
  self->transfer_id = _msrp_random_ident (MSRP_RANDOM_NONCE, 16);
  return self;
}

/**
 * msrp_file_transfer_new_from_offer:
 * @offer: the peer's offer: a push (`a=sendonly`) or a pull (`a=recvonly`)
 *   with an `a=file-selector`
 * @file: for a push, where the file goes; for a pull, the file asked for
 * @error: return location for a #GError
 *
 * Makes the answerer of a file transfer; initialize it with @offer. A pull
 * is answered only when @file is the file the selector describes (its size
 * and hash are checked during initialization).
 *
 * Returns: (transfer full): a new #MsrpFileTransfer, or %NULL with @error
 *   set (%MSRP_ERROR_MEDIA_REFUSED) when @offer is not a file transfer
 *
 * Since: 1.0
 */
MsrpFileTransfer *
msrp_file_transfer_new_from_offer (MsrpSdpMedia  *offer,
                                   GFile         *file,
                                   GError       **error)
{
  MsrpFileTransfer *self;
  MsrpFileSelector *selector;
  MsrpSdpDirection direction;
  const char *id;

  g_return_val_if_fail (MSRP_IS_SDP_MEDIA (offer), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  selector = msrp_sdp_media_get_file_selector (offer);
  direction = msrp_sdp_media_get_direction (offer);
  if (selector == NULL)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                           _("The offer has no a=file-selector: it is not a file transfer"));
      return NULL;
    }
  if (direction != MSRP_SDP_DIRECTION_SENDONLY && direction != MSRP_SDP_DIRECTION_RECVONLY)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                           _("A file transfer offer must be a=sendonly (push) or a=recvonly (pull)"));
      return NULL;
    }

  self = transfer_new (direction == MSRP_SDP_DIRECTION_RECVONLY, file);
  self->selector = g_object_ref (selector);
  self->offer = msrp_sdp_media_copy (offer);
  id = msrp_sdp_media_get_file_transfer_id (offer);
  self->transfer_id = id != NULL ? g_strdup (id) : _msrp_random_ident (MSRP_RANDOM_NONCE, 16);
  if (self->sending)
    msrp_sdp_media_get_file_range (offer, &self->range_start, &self->range_stop);
  else
    self->want_stop = msrp_file_selector_get_size (selector);
  return self;
}

/**
 * msrp_file_transfer_set_range:
 * @transfer: a #MsrpFileTransfer
 * @start: the first byte to send, from 1 (RFC 5547 `a=file-range`)
 * @stop: the last byte, or -1 for the end of the file
 *
 * Sends only part of the file: the sender of a push that resumes a
 * transfer offers the bytes the receiver lacks (after an interruption, one
 * more than what [property@Msrp.FileTransfer:bytes-transferred] said). Set
 * it before initializing. A receiver finds out by itself what it lacks,
 * and the sender sends what the receiver's answer asks for.
 *
 * Since: 1.0
 */
void
msrp_file_transfer_set_range (MsrpFileTransfer *transfer,
                              gint64            start,
                              gint64            stop)
{
  g_return_if_fail (MSRP_IS_FILE_TRANSFER (transfer));
  g_return_if_fail (start >= 1);
  g_return_if_fail (stop == -1 || stop >= start);
  g_return_if_fail (msrp_stream_get_state (MSRP_STREAM (transfer)) == MSRP_STREAM_STATE_NEW);

  transfer->range_start = start;
  transfer->range_stop = stop;
}

/**
 * msrp_file_transfer_get_range:
 * @transfer: a #MsrpFileTransfer
 * @start: (out) (optional): the first byte sent, from 1
 * @stop: (out) (optional): the last byte, or -1 for the end of the file
 *
 * Gets the range of the file that is sent: the one set, or the one the
 * receiver's answer asked for.
 *
 * Returns: whether only a part is sent
 *
 * Since: 1.0
 */
gboolean
msrp_file_transfer_get_range (MsrpFileTransfer *transfer,
                              gint64           *start,
                              gint64           *stop)
{
  g_return_val_if_fail (MSRP_IS_FILE_TRANSFER (transfer), FALSE);

  if (start != NULL)
    *start = transfer->range_start > 0 ? transfer->range_start : 1;
  if (stop != NULL)
    *stop = transfer->range_start > 0 ? transfer->range_stop : -1;
  return transfer->range_start > 0;
}

/**
 * msrp_file_transfer_get_file:
 * @transfer: a #MsrpFileTransfer
 *
 * Returns: (transfer none): the file sent, or where the file received goes
 *
 * Since: 1.0
 */
GFile *
msrp_file_transfer_get_file (MsrpFileTransfer *transfer)
{
  g_return_val_if_fail (MSRP_IS_FILE_TRANSFER (transfer), NULL);
  return transfer->file;
}

/**
 * msrp_file_transfer_get_is_sender:
 * @transfer: a #MsrpFileTransfer
 *
 * Returns: whether this side sends the file
 *
 * Since: 1.0
 */
gboolean
msrp_file_transfer_get_is_sender (MsrpFileTransfer *transfer)
{
  g_return_val_if_fail (MSRP_IS_FILE_TRANSFER (transfer), FALSE);
  return transfer->sending;
}

/**
 * msrp_file_transfer_get_selector:
 * @transfer: a #MsrpFileTransfer
 *
 * Returns: (transfer none) (nullable): the file's selector, or %NULL while
 *   a push has not hashed its file
 *
 * Since: 1.0
 */
MsrpFileSelector *
msrp_file_transfer_get_selector (MsrpFileTransfer *transfer)
{
  g_return_val_if_fail (MSRP_IS_FILE_TRANSFER (transfer), NULL);
  return transfer->selector;
}

/**
 * msrp_file_transfer_get_transfer_id:
 * @transfer: a #MsrpFileTransfer
 *
 * Returns: the `a=file-transfer-id` of the transfer
 *
 * Since: 1.0
 */
const char *
msrp_file_transfer_get_transfer_id (MsrpFileTransfer *transfer)
{
  g_return_val_if_fail (MSRP_IS_FILE_TRANSFER (transfer), NULL);
  return transfer->transfer_id;
}

/**
 * msrp_file_transfer_get_size:
 * @transfer: a #MsrpFileTransfer
 *
 * Returns: the size of the file, or -1 while it is not known
 *
 * Since: 1.0
 */
gint64
msrp_file_transfer_get_size (MsrpFileTransfer *transfer)
{
  g_return_val_if_fail (MSRP_IS_FILE_TRANSFER (transfer), -1);
  return file_size (transfer);
}

/**
 * msrp_file_transfer_get_bytes_transferred:
 * @transfer: a #MsrpFileTransfer
 *
 * Returns: how much of the file is across (see
 *   [property@Msrp.FileTransfer:bytes-transferred])
 *
 * Since: 1.0
 */
gint64
msrp_file_transfer_get_bytes_transferred (MsrpFileTransfer *transfer)
{
  g_return_val_if_fail (MSRP_IS_FILE_TRANSFER (transfer), 0);
  return transfer->bytes_transferred;
}

/**
 * msrp_file_transfer_get_hash_progress:
 * @transfer: a #MsrpFileTransfer
 *
 * Returns: how far hashing got, from 0 to 1
 *
 * Since: 1.0
 */
double
msrp_file_transfer_get_hash_progress (MsrpFileTransfer *transfer)
{
  g_return_val_if_fail (MSRP_IS_FILE_TRANSFER (transfer), 0.0);
  return transfer->hash_progress;
}

gsize
_msrp_file_transfer_get_max_queued (MsrpFileTransfer *transfer)
{
  g_return_val_if_fail (MSRP_IS_FILE_TRANSFER (transfer), 0);
  return transfer->max_queued;
}

GFile *
_msrp_file_transfer_get_part_file (MsrpFileTransfer *transfer)
{
  g_return_val_if_fail (MSRP_IS_FILE_TRANSFER (transfer), NULL);
  return transfer->part_file;
}
