/* msrp-file-transfer-prepare.c: before the local media: the sender's file
 * described and hashed, the receiver's partial file opened (and what it
 * holds hashed), in a worker thread
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-file-transfer.h"
#include "msrp-file-transfer-private.h"
#include "msrp-error.h"
#include "msrp-utils-private.h"

static void
set_selector (MsrpFileTransfer *self,
              MsrpFileSelector *selector)
{
  if (!g_set_object (&self->selector, selector))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTOR]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
}

/* Hashing, in a worker thread */

typedef struct {
  MsrpFileTransfer *self;
  double progress;
} Progress;

static gboolean
progress_in_main (gpointer data)
{
  Progress *p = data;

  if (p->progress > p->self->hash_progress)
    {
      p->self->hash_progress = p->progress;
      _msrp_file_transfer_notify_throttled (p->self, PROP_HASH_PROGRESS, FALSE);
    }
  return G_SOURCE_REMOVE;
}

static void
progress_free (gpointer data)
{
  Progress *p = data;

  g_object_unref (p->self);
  g_free (p);
}

typedef struct {
  /* In */
  MsrpFileTransfer *self;   /* kept alive by the prepare task */
  GTask *prepare;
  GFile *file;
  GFile *part;
  GFile *meta;
  char *content_type;
  char *selector_text;      /* the receiver's, for its meta file */
  char *transfer_id;
  gint64 size;              /* the receiver's: the file's size, or -1 */
  gboolean resume_allowed;
  /* Out */
  MsrpSha1 *checksum;
  gint64 hashed;
  char *name;
  char *type;
  GDateTime *mtime;
  GFileOutputStream *out;
} HashJob;

static void
hash_job_free (gpointer data)
{
  HashJob *job = data;

  g_clear_object (&job->prepare);
  g_clear_object (&job->file);
  g_clear_object (&job->part);
  g_clear_object (&job->meta);
  g_free (job->content_type);
  g_free (job->selector_text);
  g_free (job->transfer_id);
  g_clear_pointer (&job->checksum, _msrp_sha1_free);
  g_free (job->name);
  g_free (job->type);
  g_clear_pointer (&job->mtime, g_date_time_unref);
  g_clear_object (&job->out);
  g_free (job);
}

/* Hashes @limit bytes of @stream (-1: to its end) into job->checksum,
 * telling the main context how far it got now and then. */
static gboolean
hash_stream (GTask         *task,
             HashJob       *job,
             GInputStream  *stream,
             gint64         limit,
             gint64         total,
             GCancellable  *cancellable,
             GError       **error)
{
  MsrpFileTransfer *self = job->self;
  g_autofree guint8 *buffer = g_malloc (HASH_BLOCK_SIZE);
  gint64 last_report = 0;

  job->checksum = _msrp_sha1_new ();
  job->hashed = 0;
  while (limit < 0 || job->hashed < limit)
    {
      gsize want = limit < 0 ? HASH_BLOCK_SIZE : (gsize) MIN (HASH_BLOCK_SIZE, limit - job->hashed);
      gssize n = g_input_stream_read (stream, buffer, want, cancellable, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      _msrp_sha1_update (job->checksum, buffer, n);
      job->hashed += n;
      if (total > 0 && g_get_monotonic_time () - last_report >= NOTIFY_INTERVAL_US)
        {
          Progress *p = g_new0 (Progress, 1);

          p->self = g_object_ref (self);
          p->progress = MIN (1.0, (double) job->hashed / (double) total);
          last_report = g_get_monotonic_time ();
          g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, progress_in_main, p, progress_free);
        }
    }
  return TRUE;
}

MsrpSha1 *
_msrp_sha1_new (void)
{
  MsrpSha1 *sha1 = g_new0 (MsrpSha1, 1);

  /* Fails only without memory or with SHA-1 switched off by policy. */
  if (gnutls_hash_init (&sha1->hd, GNUTLS_DIG_SHA1) < 0)
    {
      sha1->hd = NULL;
      sha1->fallback = g_checksum_new (G_CHECKSUM_SHA1);
    }
  return sha1;
}

void
_msrp_sha1_update (MsrpSha1   *sha1,
                   const void *data,
                   gsize       size)
{
  if (sha1->fallback != NULL)
    g_checksum_update (sha1->fallback, data, size);
  else
    gnutls_hash (sha1->hd, data, size);
}

void
_msrp_sha1_free (MsrpSha1 *sha1)
{
  if (sha1->fallback != NULL)
    g_checksum_free (sha1->fallback);
  else
    gnutls_hash_deinit (sha1->hd, NULL);
  g_free (sha1);
}

/* The hash so far, as a file selector writes it; @checksum goes on. */
char *
_msrp_file_transfer_checksum_to_hash (MsrpSha1 *checksum)
{
  guint8 digest[20];
  gsize len = sizeof digest;
  GString *out = g_string_new ("sha-1:");

  if (checksum->fallback != NULL)
    {
      g_autoptr(GChecksum) copy = g_checksum_copy (checksum->fallback);

      g_checksum_get_digest (copy, digest, &len);
    }
  else
    {
      gnutls_hash_hd_t copy = gnutls_hash_copy (checksum->hd);

      if (copy == NULL)
        g_error ("Out of memory copying a SHA-1 state");
      gnutls_hash_deinit (copy, digest);
    }
  for (gsize i = 0; i < sizeof digest; i++)
    g_string_append_printf (out, "%s%02X", i ? ":" : "", digest[i]);
  return g_string_free (out, FALSE);
}

static char *
guess_type (GFileInfo *info)
{
  const char *content_type = g_file_info_get_content_type (info);
  g_autofree char *mime = content_type ? g_content_type_get_mime_type (content_type) : NULL;

  if (mime == NULL || g_str_has_prefix (mime, "inode/") || strcmp (mime, "application/x-zerosize") == 0 ||
      strchr (mime, '/') == NULL)
    return g_strdup ("application/octet-stream");
  return g_steal_pointer (&mime);
}

/* The sender's file: what it is and its hash. */
static void
describe_in_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  HashJob *job = task_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  GError *error = NULL;

  info = g_file_query_info (job->file,
                            G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                            G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE "," G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                            G_FILE_ATTRIBUTE_TIME_MODIFIED,
                            G_FILE_QUERY_INFO_NONE, cancellable, &error);
  if (info != NULL && g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, _("“%s” is not a regular file"),
                         g_file_info_get_display_name (info));
  if (error == NULL)
    stream = g_file_read (job->file, cancellable, &error);
  if (error == NULL &&
      hash_stream (task, job, G_INPUT_STREAM (stream), -1, g_file_info_get_size (info), cancellable, &error))
    {
      job->name = g_strdup (g_file_info_get_display_name (info));
      job->type = job->content_type ? g_strdup (job->content_type) : guess_type (info);
      job->mtime = g_file_info_get_modification_date_time (info);
    }
  if (error != NULL)
    {
      g_autofree char *name = g_file_get_parse_name (job->file);

      g_task_return_new_error (task, error->domain, error->code, _("Could not read “%s”: %s"), name,
                               error->message);
      g_error_free (error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* The receiver's partial file: the bytes of an earlier transfer of the
 * same file are kept (and hashed), else it starts empty. */
static void
open_part_in_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  HashJob *job = task_data;
  g_autoptr(GKeyFile) meta = g_key_file_new ();
  g_autofree char *contents = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *name = g_file_get_parse_name (job->file);
  gsize length;
  gint64 part_size = 0;
  GError *error = NULL;

  if (job->resume_allowed &&
      g_file_load_contents (job->meta, cancellable, &contents, &length, NULL, NULL) &&
      g_key_file_load_from_data (meta, contents, length, G_KEY_FILE_NONE, NULL) &&
      (kept = g_key_file_get_string (meta, META_GROUP, "selector", NULL)) != NULL &&
      g_strcmp0 (kept, job->selector_text) == 0)
    {
      g_autoptr(GFileInfo) info = g_file_query_info (job->part, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                     G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, NULL);

      if (info != NULL)
        part_size = g_file_info_get_size (info);
    }

  /* Only a part shorter than the file continues: a whole one failed its
   * check before, or is another file's. */
  if (part_size > 0 && (job->size < 0 || part_size < job->size))
    {
      g_autoptr(GFileInputStream) in = g_file_read (job->part, cancellable, &error);

      if (in == NULL || !hash_stream (task, job, G_INPUT_STREAM (in), part_size, part_size, cancellable, &error))
        goto failed;
      if (job->hashed != part_size)
        part_size = 0;
    }
  else
    part_size = 0;

  if (part_size == 0)
    {
      g_autofree char *data = NULL;

      g_clear_pointer (&job->checksum, _msrp_sha1_free);
      job->checksum = _msrp_sha1_new ();
      job->hashed = 0;
      if (!g_file_delete (job->part, cancellable, &error))
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            goto failed;
          g_clear_error (&error);
        }
      g_key_file_set_string (meta, META_GROUP, "selector", job->selector_text);
      g_key_file_set_string (meta, META_GROUP, "transfer-id", job->transfer_id);
      data = g_key_file_to_data (meta, &length, NULL);
      if (!g_file_replace_contents (job->meta, data, length, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL,
                                    cancellable, &error))
        goto failed;
    }
  job->out = g_file_append_to (job->part, G_FILE_CREATE_PRIVATE, cancellable, &error);
  if (job->out == NULL)
    goto failed;
  g_task_return_boolean (task, TRUE);
  return;

failed:
  g_task_return_new_error (task, error->domain, error->code, _("Could not write “%s”: %s"), name,
                           error->message);
  g_error_free (error);
}

/* The part and meta files next to the destination. */
static void
make_part_files (MsrpFileTransfer *self)
{
  g_autoptr(GFile) parent = g_file_get_parent (self->file);
  g_autofree char *base = g_file_get_basename (self->file);
  g_autofree char *part = g_strdup_printf (".%s.part", base);
  g_autofree char *meta = g_strdup_printf (".%s.part.meta", base);

  if (parent == NULL)
    parent = g_file_new_for_path ("/");
  g_set_object (&self->part_file, g_file_get_child (parent, part));
  g_object_unref (self->part_file);
  g_set_object (&self->meta_file, g_file_get_child (parent, meta));
  g_object_unref (self->meta_file);
}

/* MsrpStream: prepare (before the local media) */

static void
described (MsrpFileTransfer *self,
           HashJob          *job,
           GTask            *task)
{
  g_autoptr(MsrpFileSelector) selector = NULL;
  g_autofree char *hash = NULL;

  hash = _msrp_file_transfer_checksum_to_hash (job->checksum);
  self->hash_progress = 1.0;
  _msrp_file_transfer_notify_throttled (self, PROP_HASH_PROGRESS, TRUE);
  g_clear_pointer (&self->mtime, g_date_time_unref);
  self->mtime = job->mtime ? g_date_time_ref (job->mtime) : NULL;
  selector = msrp_file_selector_new (job->name, job->type, job->hashed, hash);

  /* A pull's answerer sends the file asked for only when it is that file. */
  if (self->selector != NULL)
    {
      MsrpFileSelector *wanted = self->selector;
      gint64 size = msrp_file_selector_get_size (wanted);
      const char *wanted_hash = msrp_file_selector_get_hash (wanted);

      if ((size >= 0 && size != job->hashed) ||
          (wanted_hash != NULL && g_ascii_strncasecmp (wanted_hash, "sha-1:", 6) == 0 &&
           g_ascii_strcasecmp (wanted_hash, hash) != 0))
        {
          g_task_return_new_error (task, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED, "%s",
                                   _("The file the peer asks for is not this one: its size or hash differs"));
          return;
        }
      g_task_return_boolean (task, TRUE);
      return;
    }
  set_selector (self, selector);
  g_task_return_boolean (task, TRUE);
}

static void
part_opened (MsrpFileTransfer *self,
             HashJob          *job,
             GTask            *task)
{
  self->out = g_steal_pointer (&job->out);
  self->checksum = g_steal_pointer (&job->checksum);
  self->received = self->written = job->hashed;
  self->hash_progress = 1.0;
  _msrp_file_transfer_notify_throttled (self, PROP_HASH_PROGRESS, FALSE);
  _msrp_file_transfer_set_bytes_transferred (self, self->written, TRUE);
  g_task_return_boolean (task, TRUE);
}

/* The worker is done: the prepare task goes on, or fails with its error. */
static void
on_job_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  HashJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GTask) task = g_steal_pointer (&job->prepare);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (task, error);
  else if (job->self->sending)
    described (job->self, job, task);
  else
    part_opened (job->self, job, task);
}

/* Runs @func on @job in a worker thread. */
static void
run_job (MsrpFileTransfer *self,
         HashJob          *job,
         GTaskThreadFunc   func)
{
  g_autoptr(GTask) work = g_task_new (NULL, self->cancellable, on_job_done, NULL);

  g_task_set_source_tag (work, func);
  g_task_set_task_data (work, job, hash_job_free);
  g_task_run_in_thread (work, func);
}

void
_msrp_file_transfer_prepare_async (MsrpStream          *stream,
                                   MsrpSdpMedia        *remote_offer,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  MsrpFileTransfer *self = MSRP_FILE_TRANSFER (stream);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  HashJob *job = g_new0 (HashJob, 1);

  g_task_set_source_tag (task, _msrp_file_transfer_prepare_async);
  g_task_set_name (task, "[msrp] file transfer prepare");
  /* The worker's task has no source object, so that the transfer is
   * never let go (and finalized) in the worker thread. */
  job->self = self;
  job->prepare = task;
  job->file = g_object_ref (self->file);
  job->content_type = g_strdup (self->content_type);

  if (self->sending)
    {
      run_job (self, job, describe_in_thread);
      return;
    }

  make_part_files (self);
  job->part = g_object_ref (self->part_file);
  job->meta = g_object_ref (self->meta_file);
  job->selector_text = msrp_file_selector_to_string (self->selector);
  job->transfer_id = g_strdup (self->transfer_id);
  job->size = msrp_file_transfer_get_size (self);
  /* Only a whole file is resumed here: a range set by hand is the
   * application's business. */
  job->resume_allowed = TRUE;
  run_job (self, job, open_part_in_thread);
}

gboolean
_msrp_file_transfer_prepare_finish (MsrpStream    *stream,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
