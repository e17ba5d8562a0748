/* msrp-outgoing-file.c: a file, or any stream, to send in a session
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-outgoing-file.h"
#include "msrp-outgoing-file-private.h"
#include "msrp-chunk-private.h"
#include "msrp-utils-private.h"

/**
 * MsrpOutgoingFile:
 *
 * A file, or any [class@Gio.InputStream], to send as one MSRP message.
 *
 * [ctor@Msrp.OutgoingFile.new_for_file] describes a file: its size,
 * its MIME type and its name. [ctor@Msrp.OutgoingFile.new] takes any stream,
 * of known or unknown size (the Byte-Range total is then `*`), and can
 * resume a message of which [property@Msrp.OutgoingFile:position] bytes
 * went out before.
 *
 * A session sends the file in chunks that all carry its
 * [property@Msrp.OutgoingFile:message-id] and
 * [property@Msrp.OutgoingFile:content-type], and the extra headers set with
 * [method@Msrp.OutgoingFile.set_header]; it reads the stream as it goes, so
 * memory stays bounded whatever the size. Do not read from the stream
 * yourself while it is being sent. [property@Msrp.OutgoingFile:bytes-sent]
 * tells the progress.
 *
 * Since: 1.0
 */

#define DEFAULT_CONTENT_TYPE "application/octet-stream"

typedef struct {
  char *name;
  char *value;
} Header;

struct _MsrpOutgoingFile
{
  GObject parent_instance;

  GInputStream *stream;
  gint64 size;          /* -1: unknown */
  gint64 position;
  gint64 bytes_sent;
  char *message_id;
  char *content_type;
  char *file_name;
  GPtrArray *headers;   /* (element-type Header), in the order first set */
};

enum {
  PROP_0,
  PROP_STREAM,
  PROP_SIZE,
  PROP_POSITION,
  PROP_BYTES_SENT,
  PROP_MESSAGE_ID,
  PROP_CONTENT_TYPE,
  PROP_FILE_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (MsrpOutgoingFile, msrp_outgoing_file, G_TYPE_OBJECT)

static void
header_free (gpointer data)
{
  Header *header = data;

  g_free (header->name);
  g_free (header->value);
  g_free (header);
}

static void
msrp_outgoing_file_dispose (GObject *object)
{
  MsrpOutgoingFile *self = MSRP_OUTGOING_FILE (object);

  g_clear_object (&self->stream);

  G_OBJECT_CLASS (msrp_outgoing_file_parent_class)->dispose (object);
}

static void
msrp_outgoing_file_finalize (GObject *object)
{
  MsrpOutgoingFile *self = MSRP_OUTGOING_FILE (object);

  g_free (self->message_id);
  g_free (self->content_type);
  g_free (self->file_name);
  g_ptr_array_unref (self->headers);

  G_OBJECT_CLASS (msrp_outgoing_file_parent_class)->finalize (object);
}

static void
msrp_outgoing_file_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MsrpOutgoingFile *self = MSRP_OUTGOING_FILE (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      g_value_set_object (value, self->stream);
      break;
    case PROP_SIZE:
      g_value_set_int64 (value, self->size);
      break;
    case PROP_POSITION:
      g_value_set_int64 (value, self->position);
      break;
    case PROP_BYTES_SENT:
      g_value_set_int64 (value, self->bytes_sent);
      break;
    case PROP_MESSAGE_ID:
      g_value_set_string (value, self->message_id);
      break;
    case PROP_CONTENT_TYPE:
      g_value_set_string (value, self->content_type);
      break;
    case PROP_FILE_NAME:
      g_value_set_string (value, self->file_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_outgoing_file_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MsrpOutgoingFile *self = MSRP_OUTGOING_FILE (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      self->stream = g_value_dup_object (value);
      break;
    case PROP_SIZE:
      self->size = g_value_get_int64 (value);
      break;
    case PROP_POSITION:
      self->position = g_value_get_int64 (value);
      break;
    case PROP_MESSAGE_ID:
      self->message_id = g_value_dup_string (value);
      break;
    case PROP_CONTENT_TYPE:
      self->content_type = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
is_valid_content_type (const char *content_type)
{
  return *content_type != '\0' && _msrp_is_header_value (content_type);
}

static void
msrp_outgoing_file_constructed (GObject *object)
{
  MsrpOutgoingFile *self = MSRP_OUTGOING_FILE (object);

  G_OBJECT_CLASS (msrp_outgoing_file_parent_class)->constructed (object);

  if (self->stream == NULL)
    g_critical ("An MsrpOutgoingFile needs a stream");
  if (self->size >= 0 && self->position > self->size)
    {
      g_critical ("The position %" G_GINT64_FORMAT " of an MsrpOutgoingFile is past its size %"
                  G_GINT64_FORMAT, self->position, self->size);
      self->position = self->size;
    }
  self->bytes_sent = self->position;

  if (self->message_id == NULL)
    self->message_id = _msrp_random_ident (MSRP_RANDOM_NONCE, MSRP_RANDOM_ID_LENGTH);
  else if (!_msrp_is_ident (self->message_id, -1))
    g_critical ("“%s” is not a valid MSRP Message-ID", self->message_id);

  if (self->content_type == NULL)
    self->content_type = g_strdup (DEFAULT_CONTENT_TYPE);
  else if (!is_valid_content_type (self->content_type))
    g_critical ("“%s” is not a valid Content-Type", self->content_type);
}

static void
msrp_outgoing_file_class_init (MsrpOutgoingFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = msrp_outgoing_file_dispose;
  object_class->finalize = msrp_outgoing_file_finalize;
  object_class->get_property = msrp_outgoing_file_get_property;
  object_class->set_property = msrp_outgoing_file_set_property;
  object_class->constructed = msrp_outgoing_file_constructed;

  /**
   * MsrpOutgoingFile:stream:
   *
   * The stream the message's body is read from, positioned at the first
   * byte still to send (see [property@Msrp.OutgoingFile:position]).
   *
   * Since: 1.0
   */
  properties[PROP_STREAM] =
    g_param_spec_object ("stream", NULL, NULL, G_TYPE_INPUT_STREAM,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpOutgoingFile:size:
   *
   * The size of the whole message in bytes, or -1 when it is not known in
   * advance (the Byte-Range total is then `*`, and the message ends where
   * the stream does).
   *
   * Since: 1.0
   */
  properties[PROP_SIZE] =
    g_param_spec_int64 ("size", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpOutgoingFile:position:
   *
   * How many bytes of the message were sent before, when a message is
   * resumed: the first chunk's Byte-Range starts at position + 1. The
   * stream must already be at that byte; it is not seeked.
   *
   * Since: 1.0
   */
  properties[PROP_POSITION] =
    g_param_spec_int64 ("position", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpOutgoingFile:bytes-sent:
   *
   * How many bytes of the message have been sent, counting from its start:
   * it begins at [property@Msrp.OutgoingFile:position] and reaches
   * [property@Msrp.OutgoingFile:size] when the whole message is out.
   * Connect to its `notify` signal to show the progress.
   *
   * Since: 1.0
   */
  properties[PROP_BYTES_SENT] =
    g_param_spec_int64 ("bytes-sent", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpOutgoingFile:message-id:
   *
   * The Message-ID every chunk of the message carries; a new random one
   * when none is given.
   *
   * Since: 1.0
   */
  properties[PROP_MESSAGE_ID] =
    g_param_spec_string ("message-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpOutgoingFile:content-type:
   *
   * The MIME type of the message's body, "application/octet-stream" when
   * none is given.
   *
   * Since: 1.0
   */
  properties[PROP_CONTENT_TYPE] =
    g_param_spec_string ("content-type", NULL, NULL, DEFAULT_CONTENT_TYPE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpOutgoingFile:file-name:
   *
   * The name of the file (its base name, in UTF-8) when the object was
   * made with [ctor@Msrp.OutgoingFile.new_for_file], or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_FILE_NAME] =
    g_param_spec_string ("file-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
msrp_outgoing_file_init (MsrpOutgoingFile *self)
{
  self->size = -1;
  self->headers = g_ptr_array_new_with_free_func (header_free);
}

/**
 * msrp_outgoing_file_new:
 * @stream: the stream to read the message's body from
 * @size: the size of the whole message in bytes, or -1 if unknown
 * @content_type: (nullable): the MIME type, or %NULL for
 *   "application/octet-stream"
 * @position: how many bytes of the message were sent before (0 for a new
 *   message)
 * @message_id: (nullable): the Message-ID, or %NULL for a new random one
 *
 * Describes a message whose body is read from a stream.
 *
 * To resume a message, give its Message-ID and the number of bytes already
 * sent as @position, and a stream already positioned at that byte (seek it
 * first, or skip that many bytes): the next byte read is sent as byte
 * @position + 1 of the Byte-Range.
 *
 * Returns: (transfer full): a new #MsrpOutgoingFile
 *
 * Since: 1.0
 */
MsrpOutgoingFile *
msrp_outgoing_file_new (GInputStream *stream,
                        goffset       size,
                        const char   *content_type,
                        goffset       position,
                        const char   *message_id)
{
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (size >= -1, NULL);
  g_return_val_if_fail (position >= 0, NULL);
  g_return_val_if_fail (size < 0 || position <= size, NULL);
  g_return_val_if_fail (content_type == NULL || is_valid_content_type (content_type), NULL);
  g_return_val_if_fail (message_id == NULL || _msrp_is_ident (message_id, -1), NULL);

  return g_object_new (MSRP_TYPE_OUTGOING_FILE,
                       "stream", stream,
                       "size", (gint64) size,
                       "content-type", content_type,
                       "position", (gint64) position,
                       "message-id", message_id,
                       NULL);
}

static char *
guess_mime_type (GFileInfo *info)
{
  const char *content_type = NULL;
  g_autofree char *mime_type = NULL;

  if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE))
    content_type = g_file_info_get_content_type (info);
  if (content_type != NULL)
    mime_type = g_content_type_get_mime_type (content_type);
  /* "inode/fifo" names the kind of file, and "application/x-zerosize" its
   * size as stat() reports it, not what the stream holds. */
  if (mime_type == NULL || g_str_has_prefix (mime_type, "inode/") ||
      strcmp (mime_type, "application/x-zerosize") == 0 || !is_valid_content_type (mime_type))
    return g_strdup (DEFAULT_CONTENT_TYPE);
  return g_steal_pointer (&mime_type);
}

#define FILE_ATTRIBUTES G_FILE_ATTRIBUTE_STANDARD_TYPE "," \
                        G_FILE_ATTRIBUTE_STANDARD_SIZE "," \
                        G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE

/* What the sync and async constructors share, once the file is open and
 * queried. */
static MsrpOutgoingFile *
new_for_opened_file (GFile        *file,
                     GInputStream *stream,
                     GFileInfo    *info,
                     const char   *content_type)
{
  g_autofree char *guessed = NULL;
  g_autofree char *basename = NULL;
  MsrpOutgoingFile *self;
  gint64 size = -1;

  /* A pipe or a device says 0, and so do the regular files of /proc and
   * /sys, which have contents: send those as a stream of unknown size, read
   * to its end. An empty file goes out the same way (one empty chunk). */
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
      g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_SIZE) &&
      g_file_info_get_size (info) > 0)
    size = g_file_info_get_size (info);

  if (content_type == NULL)
    content_type = guessed = guess_mime_type (info);

  self = msrp_outgoing_file_new (stream, size, content_type, 0, NULL);

  /* Not a construct property: only a GFile knows its name. The base name
   * is in the file system's encoding. */
  basename = g_file_get_basename (file);
  if (basename != NULL)
    self->file_name = g_utf8_validate (basename, -1, NULL) ? g_steal_pointer (&basename)
                                                          : g_filename_display_name (basename);
  return self;
}

/**
 * msrp_outgoing_file_new_for_file:
 * @file: the file to send
 * @content_type: (nullable): the MIME type, or %NULL to guess it from the
 *   file (and "application/octet-stream" when that fails)
 * @error: return location for a #GError
 *
 * Opens a file to send it. The size and the file name come from the file,
 * and the message gets a new random Message-ID. A file that reports no size
 * (a pipe, a device, or a file of `/proc` that says 0 but has contents) has
 * the size -1: it is read to its end, and the Byte-Range total is `*` until
 * then. Its MIME type, unless given, is "application/octet-stream" rather
 * than what its kind suggests ("inode/fifo" is not the type of what a pipe
 * carries).
 *
 * This opens and queries the file synchronously, which can block (a
 * remote GVfs mount, a FIFO whose writer is not there yet): on the main
 * context, use [func@Msrp.OutgoingFile.new_for_file_async].
 *
 * Returns: (transfer full): a new #MsrpOutgoingFile, or %NULL with @error
 *   set (a [error@Gio.IOErrorEnum] such as %G_IO_ERROR_NOT_FOUND) when the
 *   file cannot be opened
 *
 * Since: 1.0
 */
MsrpOutgoingFile *
msrp_outgoing_file_new_for_file (GFile       *file,
                                 const char  *content_type,
                                 GError     **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (content_type == NULL || is_valid_content_type (content_type), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return NULL;
  info = g_file_query_info (file, FILE_ATTRIBUTES, G_FILE_QUERY_INFO_NONE, NULL, error);
  if (info == NULL)
    return NULL;
  return new_for_opened_file (file, G_INPUT_STREAM (stream), info, content_type);
}

typedef struct {
  GFile *file;
  char *content_type;
  GFileInputStream *stream;
} NewForFile;

static void
new_for_file_free (gpointer data)
{
  NewForFile *n = data;

  g_clear_object (&n->file);
  g_free (n->content_type);
  g_clear_object (&n->stream);
  g_free (n);
}

static void
on_new_for_file_queried (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NewForFile *n = g_task_get_task_data (task);
  g_autoptr(GFileInfo) info = NULL;
  GError *error = NULL;

  info = g_file_query_info_finish (G_FILE (source), result, &error);
  if (info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task,
                         new_for_opened_file (n->file, G_INPUT_STREAM (n->stream), info, n->content_type),
                         g_object_unref);
}

static void
on_new_for_file_opened (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NewForFile *n = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  n->stream = g_file_read_finish (G_FILE (source), result, &error);
  if (n->stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* The file, not the stream: a stream's query_info says less on some
   * file systems (no content type for a GLocalFileInputStream). */
  g_file_query_info_async (n->file, FILE_ATTRIBUTES, G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT,
                           cancellable, on_new_for_file_queried,
                           g_steal_pointer (&task));
}

/**
 * msrp_outgoing_file_new_for_file_async:
 * @file: the file to send
 * @content_type: (nullable): the MIME type, or %NULL to guess it from the
 *   file (and "application/octet-stream" when that fails)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the file is open
 * @user_data: data for @callback
 *
 * Opens a file to send it, without blocking: the asynchronous form of
 * [ctor@Msrp.OutgoingFile.new_for_file], with the same results.
 *
 * Since: 1.0
 */
void
msrp_outgoing_file_new_for_file_async (GFile               *file,
                                       const char          *content_type,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task;
  NewForFile *n;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (content_type == NULL || is_valid_content_type (content_type));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, msrp_outgoing_file_new_for_file_async);
  g_task_set_name (task, "[msrp] open outgoing file");
  n = g_new0 (NewForFile, 1);
  n->file = g_object_ref (file);
  n->content_type = g_strdup (content_type);
  g_task_set_task_data (task, n, new_for_file_free);
  g_file_read_async (file, G_PRIORITY_DEFAULT, cancellable, on_new_for_file_opened, task);
}

/**
 * msrp_outgoing_file_new_for_file_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [func@Msrp.OutgoingFile.new_for_file_async].
 *
 * Returns: (transfer full): a new #MsrpOutgoingFile, or %NULL with @error
 *   set when the file cannot be opened
 *
 * Since: 1.0
 */
MsrpOutgoingFile *
msrp_outgoing_file_new_for_file_finish (GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, msrp_outgoing_file_new_for_file_async), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * msrp_outgoing_file_get_stream:
 * @file: a #MsrpOutgoingFile
 *
 * Gets the stream the message's body is read from.
 *
 * Returns: (transfer none): the stream
 *
 * Since: 1.0
 */
GInputStream *
msrp_outgoing_file_get_stream (MsrpOutgoingFile *file)
{
  g_return_val_if_fail (MSRP_IS_OUTGOING_FILE (file), NULL);
  return file->stream;
}

/**
 * msrp_outgoing_file_get_size:
 * @file: a #MsrpOutgoingFile
 *
 * Gets the size of the whole message.
 *
 * Returns: the size in bytes, or -1 when it is not known
 *
 * Since: 1.0
 */
goffset
msrp_outgoing_file_get_size (MsrpOutgoingFile *file)
{
  g_return_val_if_fail (MSRP_IS_OUTGOING_FILE (file), -1);
  return file->size;
}

/**
 * msrp_outgoing_file_get_position:
 * @file: a #MsrpOutgoingFile
 *
 * Gets how many bytes of the message were sent before this object was
 * made (see [property@Msrp.OutgoingFile:position]).
 *
 * Returns: the position in bytes
 *
 * Since: 1.0
 */
goffset
msrp_outgoing_file_get_position (MsrpOutgoingFile *file)
{
  g_return_val_if_fail (MSRP_IS_OUTGOING_FILE (file), 0);
  return file->position;
}

/**
 * msrp_outgoing_file_get_bytes_sent:
 * @file: a #MsrpOutgoingFile
 *
 * Gets the progress: how many bytes of the message have been sent,
 * counting from its start (see [property@Msrp.OutgoingFile:bytes-sent]).
 *
 * Returns: the number of bytes sent
 *
 * Since: 1.0
 */
goffset
msrp_outgoing_file_get_bytes_sent (MsrpOutgoingFile *file)
{
  g_return_val_if_fail (MSRP_IS_OUTGOING_FILE (file), 0);
  return file->bytes_sent;
}

/**
 * msrp_outgoing_file_get_message_id:
 * @file: a #MsrpOutgoingFile
 *
 * Gets the Message-ID of the message.
 *
 * Returns: the Message-ID
 *
 * Since: 1.0
 */
const char *
msrp_outgoing_file_get_message_id (MsrpOutgoingFile *file)
{
  g_return_val_if_fail (MSRP_IS_OUTGOING_FILE (file), NULL);
  return file->message_id;
}

/**
 * msrp_outgoing_file_get_content_type:
 * @file: a #MsrpOutgoingFile
 *
 * Gets the MIME type of the message's body.
 *
 * Returns: the Content-Type
 *
 * Since: 1.0
 */
const char *
msrp_outgoing_file_get_content_type (MsrpOutgoingFile *file)
{
  g_return_val_if_fail (MSRP_IS_OUTGOING_FILE (file), NULL);
  return file->content_type;
}

/**
 * msrp_outgoing_file_get_file_name:
 * @file: a #MsrpOutgoingFile
 *
 * Gets the name of the file, for a Content-Disposition header or an SDP
 * file-selector.
 *
 * Returns: (nullable): the file's base name in UTF-8, or %NULL when the
 *   object was not made with [ctor@Msrp.OutgoingFile.new_for_file]
 *
 * Since: 1.0
 */
const char *
msrp_outgoing_file_get_file_name (MsrpOutgoingFile *file)
{
  g_return_val_if_fail (MSRP_IS_OUTGOING_FILE (file), NULL);
  return file->file_name;
}

static Header *
find_header (MsrpOutgoingFile *self,
             const char       *name,
             guint            *index_out)
{
  for (guint i = 0; i < self->headers->len; i++)
    {
      Header *header = g_ptr_array_index (self->headers, i);

      if (g_ascii_strcasecmp (header->name, name) == 0)
        {
          if (index_out != NULL)
            *index_out = i;
          return header;
        }
    }
  return NULL;
}

/* Headers the session sets on every chunk itself, or that a property of
 * the file stands for. */
static gboolean
is_reserved_header (const char *name)
{
  static const char * const reserved[] = {
    "To-Path", "From-Path", "Message-ID", "Byte-Range", "Content-Type",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (reserved); i++)
    if (g_ascii_strcasecmp (name, reserved[i]) == 0)
      return TRUE;
  return FALSE;
}

/**
 * msrp_outgoing_file_get_header:
 * @file: a #MsrpOutgoingFile
 * @name: a header name (case-insensitive)
 *
 * Looks up an extra header set with [method@Msrp.OutgoingFile.set_header].
 *
 * Returns: (nullable): the value, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_outgoing_file_get_header (MsrpOutgoingFile *file,
                               const char       *name)
{
  Header *header;

  g_return_val_if_fail (MSRP_IS_OUTGOING_FILE (file), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  header = find_header (file, name, NULL);
  return header != NULL ? header->value : NULL;
}

/**
 * msrp_outgoing_file_set_header:
 * @file: a #MsrpOutgoingFile
 * @name: a header name: letters, digits and `-` (RFC 4975 token)
 * @value: (nullable): the value, or %NULL to remove the header
 *
 * Sets an extra header that every chunk of the message carries, such as
 * Content-Disposition, Content-Description, Success-Report or
 * Failure-Report. A header set again keeps its place; the headers go on
 * the chunks in the order they were first set. The value must be UTF-8
 * without control characters other than tab.
 *
 * To-Path, From-Path, Message-ID and Byte-Range belong to the session, and
 * Content-Type is [property@Msrp.OutgoingFile:content-type]: they cannot be
 * set here.
 *
 * Set the headers before the file is given to a session.
 *
 * Since: 1.0
 */
void
msrp_outgoing_file_set_header (MsrpOutgoingFile *file,
                               const char       *name,
                               const char       *value)
{
  Header *header;
  guint index;

  g_return_if_fail (MSRP_IS_OUTGOING_FILE (file));
  g_return_if_fail (name != NULL && _msrp_is_token (name, -1));
  g_return_if_fail (!is_reserved_header (name));
  g_return_if_fail (value == NULL || _msrp_is_header_value (value));

  header = find_header (file, name, &index);
  if (value == NULL)
    {
      if (header != NULL)
        g_ptr_array_remove_index (file->headers, index);
    }
  else if (header != NULL)
    {
      g_free (header->value);
      header->value = g_strdup (value);
    }
  else
    {
      header = g_new (Header, 1);
      header->name = g_strdup (name);
      header->value = g_strdup (value);
      g_ptr_array_add (file->headers, header);
    }
}

void
_msrp_outgoing_file_apply_headers (MsrpOutgoingFile *file,
                                   MsrpChunk        *chunk)
{
  g_return_if_fail (MSRP_IS_OUTGOING_FILE (file));
  g_return_if_fail (MSRP_IS_CHUNK (chunk));

  for (guint i = 0; i < file->headers->len; i++)
    {
      Header *header = g_ptr_array_index (file->headers, i);

      msrp_chunk_set_header (chunk, header->name, header->value);
    }
}

void
_msrp_outgoing_file_set_bytes_sent (MsrpOutgoingFile *file,
                                    goffset           bytes_sent)
{
  g_return_if_fail (MSRP_IS_OUTGOING_FILE (file));
  g_return_if_fail (bytes_sent >= 0);

  if (file->bytes_sent == bytes_sent)
    return;
  file->bytes_sent = bytes_sent;
  g_object_notify_by_pspec (G_OBJECT (file), properties[PROP_BYTES_SENT]);
}
