/* msrp-file-logger.c: a MsrpLogger that writes a readable log
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-file-logger-private.h"
#include "msrp-transport.h"
#include "msrp-uri.h"

/* MsrpFileLogger writes one entry per chunk:
 *
 *     2026-11-21T05:40:01.123456Z >>> sent to msrp://bob.example.com:8888/9di4eae923wzd;tcp
 *     MSRP a786hjs2 SEND
 *     To-Path: ...
 *     (the other headers, a blank line when a body follows)
 *     Hey Bob, are you there?
 *     -------a786hjs2$
 *
 * The pieces of a chunk come in several calls, and the chunks of several
 * transports and of both directions interleave; so an entry is put together
 * in memory and written whole when the chunk's end-line comes. Only the
 * first MSRP_FILE_LOGGER_TEXT_MAX bytes of a body are kept (longer bodies
 * are summed up), so an entry stays small. */

/* Chunks whose end-line has not come yet. A transport reads one chunk at a
 * time and writes one at a time, so there are few; past this many, the
 * oldest are written as incomplete (their transport went away). */
#define MAX_PENDING 16

typedef struct {
  MsrpChunk *chunk;
  MsrpTransport *transport;  /* unowned: only compared */
  gboolean sent;
  GString *text;             /* timestamp line, then the header block */
  GByteArray *body;          /* start of the body; NULL once it is too long */
  guint64 body_size;
  gboolean has_body;
} Entry;

struct _MsrpFileLogger
{
  GObject parent_instance;

  GOutputStream *stream;
  GQueue pending;            /* (element-type Entry) oldest first */
  gboolean failed;
};

static void msrp_file_logger_logger_iface_init (MsrpLoggerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MsrpFileLogger, msrp_file_logger, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MSRP_TYPE_LOGGER,
                                                      msrp_file_logger_logger_iface_init))

static void
entry_free (Entry *entry)
{
  g_object_unref (entry->chunk);
  g_string_free (entry->text, TRUE);
  if (entry->body != NULL)
    g_byte_array_unref (entry->body);
  g_free (entry);
}

/* Appends wire bytes as log text: CRLF becomes LF, and control characters
 * (but TAB and LF) and bytes that are not UTF-8 become \xNN, so that
 * nothing a peer sends can play tricks on the terminal showing the log. */
static void
append_text (GString    *out,
             const char *data,
             gsize       len)
{
  const char *p = data;
  const char *end = data + len;

  while (p < end)
    {
      guchar c = *p;

      if (c == '\r' && p + 1 < end && p[1] == '\n')
        {
          p++;
          continue;
        }
      if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f))
        {
          g_string_append_c (out, c);
          p++;
          continue;
        }
      if (c >= 0x80)
        {
          gunichar u = g_utf8_get_char_validated (p, end - p);

          if (u != (gunichar) -1 && u != (gunichar) -2 && !g_unichar_iscntrl (u))
            {
              gsize n = g_utf8_skip[c];

              g_string_append_len (out, p, n);
              p += n;
              continue;
            }
        }
      g_string_append_printf (out, "\\x%02x", c);
      p++;
    }
}

static void
ensure_newline (GString *out)
{
  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
}

/* UTF-8 with no control characters but CR, LF and TAB. */
static gboolean
is_text (const guint8 *data,
         gsize         len)
{
  const char *p = (const char *) data;
  const char *end = p + len;

  if (!g_utf8_validate_len (p, len, NULL))
    return FALSE;
  for (; p < end; p = g_utf8_next_char (p))
    {
      gunichar u = g_utf8_get_char (p);

      if (g_unichar_iscntrl (u) && u != '\r' && u != '\n' && u != '\t')
        return FALSE;
    }
  return TRUE;
}

static Entry *
entry_new (MsrpTransport *transport,
           MsrpChunk     *chunk,
           gboolean       sent)
{
  Entry *entry = g_new0 (Entry, 1);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *timestamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
  g_autofree char *peer = NULL;

  entry->chunk = g_object_ref (chunk);
  entry->transport = transport;
  entry->sent = sent;
  entry->text = g_string_new (timestamp);

  /* The other end of the connection: the first hop of the path. */
  if (transport != NULL)
    {
      GPtrArray *path = msrp_transport_get_full_remote_path (transport);

      if (path != NULL && path->len > 0)
        peer = msrp_uri_to_string (g_ptr_array_index (path, 0));
    }

  g_string_append (entry->text, sent ? " >>> sent" : " <<< received");
  if (peer != NULL)
    g_string_append_printf (entry->text, sent ? " to %s" : " from %s", peer);
  g_string_append_c (entry->text, '\n');

  return entry;
}

static void
append_body (Entry *entry)
{
  GString *out = entry->text;

  if (!entry->has_body || entry->body_size == 0)
    return;

  if (entry->body == NULL)
    g_string_append_printf (out, "[%" G_GUINT64_FORMAT " bytes]\n", entry->body_size);
  else if (is_text (entry->body->data, entry->body->len))
    {
      append_text (out, (const char *) entry->body->data, entry->body->len);
      ensure_newline (out);
    }
  else
    g_string_append_printf (out, "[%" G_GUINT64_FORMAT " %s of binary data]\n",
                            entry->body_size, entry->body_size == 1 ? "byte" : "bytes");
}

static void
write_text (MsrpFileLogger *self,
            GString        *text)
{
  g_autoptr(GError) error = NULL;

  if (self->failed)
    return;

  /* A logger must never break the traffic: after a failed write, it stops
   * logging and says so once. */
  if (!g_output_stream_write_all (self->stream, text->str, text->len, NULL, NULL, &error))
    {
      g_debug ("Stopped logging MSRP traffic: could not write to the log: %s", error->message);
      self->failed = TRUE;
      g_queue_clear_full (&self->pending, (GDestroyNotify) entry_free);
    }
}

/* Writes an entry whose end-line did not come (and never will). */
static void
write_incomplete (MsrpFileLogger *self,
                  Entry          *entry)
{
  append_body (entry);
  g_string_append (entry->text, "[chunk incomplete]\n");
  write_text (self, entry->text);
}

static GList *
find_pending (MsrpFileLogger *self,
              MsrpChunk      *chunk,
              gboolean        sent)
{
  for (GList *l = self->pending.tail; l != NULL; l = l->prev)
    {
      Entry *entry = l->data;

      if (entry->chunk == chunk && entry->sent == sent)
        return l;
    }
  return NULL;
}

static void
flush_stale (MsrpFileLogger *self,
             MsrpTransport  *transport,
             MsrpChunk      *chunk,
             gboolean        sent)
{
  GList *l = self->pending.head;

  /* A new chunk in one direction of a transport means that the one before
   * it there was cut short. */
  while (l != NULL && !self->failed)
    {
      GList *next = l->next;
      Entry *entry = l->data;

      if (entry->sent == sent && (entry->transport == transport || entry->chunk == chunk))
        {
          g_queue_delete_link (&self->pending, l);
          write_incomplete (self, entry);
          entry_free (entry);
        }
      l = next;
    }

  while (self->pending.length >= MAX_PENDING && !self->failed)
    {
      Entry *entry = g_queue_pop_head (&self->pending);

      write_incomplete (self, entry);
      entry_free (entry);
    }
}

static Entry *
get_entry (MsrpFileLogger *self,
           MsrpTransport  *transport,
           MsrpChunk      *chunk,
           gboolean        sent)
{
  GList *l = find_pending (self, chunk, sent);
  Entry *entry;

  if (l != NULL)
    return l->data;

  /* Data with no header block before it: the logger came in the middle of
   * a chunk. The entry starts with its timestamp line alone. */
  flush_stale (self, transport, chunk, sent);
  entry = entry_new (transport, chunk, sent);
  g_queue_push_tail (&self->pending, entry);
  return entry;
}

static void
log_new_chunk (MsrpFileLogger *self,
               MsrpTransport  *transport,
               MsrpChunk      *chunk,
               GBytes         *data,
               gboolean        sent)
{
  Entry *entry;
  gsize len;
  const char *head;

  if (self->failed)
    return;

  flush_stale (self, transport, chunk, sent);
  if (self->failed)
    return;

  entry = entry_new (transport, chunk, sent);
  head = g_bytes_get_data (data, &len);
  append_text (entry->text, head, len);
  ensure_newline (entry->text);
  g_queue_push_tail (&self->pending, entry);
}

static void
log_chunk_data (MsrpFileLogger *self,
                MsrpTransport  *transport,
                MsrpChunk      *chunk,
                GBytes         *data,
                gboolean        sent)
{
  Entry *entry;
  gsize len;
  const guint8 *body;

  if (self->failed)
    return;

  entry = get_entry (self, transport, chunk, sent);
  body = g_bytes_get_data (data, &len);
  entry->has_body = TRUE;
  entry->body_size += len;

  /* Once too long, the body stays NULL: body_size never goes down. */
  if (entry->body_size >= MSRP_FILE_LOGGER_TEXT_MAX)
    g_clear_pointer (&entry->body, g_byte_array_unref);
  else
    {
      if (entry->body == NULL)
        entry->body = g_byte_array_new ();
      g_byte_array_append (entry->body, body, len);
    }
}

static void
log_chunk_end (MsrpFileLogger *self,
               MsrpTransport  *transport,
               MsrpChunk      *chunk,
               GBytes         *data,
               gboolean        sent)
{
  Entry *entry;
  gsize len;
  const char *end_line;

  if (self->failed)
    return;

  entry = get_entry (self, transport, chunk, sent);
  g_queue_remove (&self->pending, entry);

  append_body (entry);
  /* The CRLF that ends a body belongs to the end-line on the wire. */
  end_line = g_bytes_get_data (data, &len);
  while (len > 0 && (*end_line == '\r' || *end_line == '\n'))
    {
      end_line++;
      len--;
    }
  append_text (entry->text, end_line, len);
  ensure_newline (entry->text);

  write_text (self, entry->text);
  entry_free (entry);
}

static void
received_new_chunk (MsrpLogger    *logger,
                    MsrpTransport *transport,
                    MsrpChunk     *chunk,
                    GBytes        *data)
{
  log_new_chunk (MSRP_FILE_LOGGER (logger), transport, chunk, data, FALSE);
}

static void
received_chunk_data (MsrpLogger    *logger,
                     MsrpTransport *transport,
                     MsrpChunk     *chunk,
                     GBytes        *data)
{
  log_chunk_data (MSRP_FILE_LOGGER (logger), transport, chunk, data, FALSE);
}

static void
received_chunk_end (MsrpLogger    *logger,
                    MsrpTransport *transport,
                    MsrpChunk     *chunk,
                    GBytes        *data)
{
  log_chunk_end (MSRP_FILE_LOGGER (logger), transport, chunk, data, FALSE);
}

static void
sent_new_chunk (MsrpLogger    *logger,
                MsrpTransport *transport,
                MsrpChunk     *chunk,
                GBytes        *data)
{
  log_new_chunk (MSRP_FILE_LOGGER (logger), transport, chunk, data, TRUE);
}

static void
sent_chunk_data (MsrpLogger    *logger,
                 MsrpTransport *transport,
                 MsrpChunk     *chunk,
                 GBytes        *data)
{
  log_chunk_data (MSRP_FILE_LOGGER (logger), transport, chunk, data, TRUE);
}

static void
sent_chunk_end (MsrpLogger    *logger,
                MsrpTransport *transport,
                MsrpChunk     *chunk,
                GBytes        *data)
{
  log_chunk_end (MSRP_FILE_LOGGER (logger), transport, chunk, data, TRUE);
}

static void
msrp_file_logger_logger_iface_init (MsrpLoggerInterface *iface)
{
  iface->received_new_chunk = received_new_chunk;
  iface->received_chunk_data = received_chunk_data;
  iface->received_chunk_end = received_chunk_end;
  iface->sent_new_chunk = sent_new_chunk;
  iface->sent_chunk_data = sent_chunk_data;
  iface->sent_chunk_end = sent_chunk_end;
}

static void
msrp_file_logger_dispose (GObject *object)
{
  MsrpFileLogger *self = MSRP_FILE_LOGGER (object);
  Entry *entry;

  /* What was seen of unfinished chunks still goes into the log. */
  while ((entry = g_queue_pop_head (&self->pending)) != NULL)
    {
      write_incomplete (self, entry);
      entry_free (entry);
    }
  g_clear_object (&self->stream);

  G_OBJECT_CLASS (msrp_file_logger_parent_class)->dispose (object);
}

static void
msrp_file_logger_class_init (MsrpFileLoggerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = msrp_file_logger_dispose;
}

static void
msrp_file_logger_init (MsrpFileLogger *self)
{
  g_queue_init (&self->pending);
}

/**
 * msrp_file_logger_new:
 * @stream: where to write the log, usually a [class@Gio.FileOutputStream]
 *   or a [class@Gio.MemoryOutputStream]
 *
 * Makes a logger that writes the traffic it sees to @stream as readable
 * text. Each chunk gets a line with the time (UTC), the direction and the
 * peer (the first URI of the transport's full remote path), such as
 *
 *     2026-11-21T05:40:01.123456Z >>> sent to msrp://bob.example.com:8888/9di4eae923wzd;tcp
 *
 * then its start line and headers, its body, and its end-line, with `\n`
 * line ends. A body is written when it is text (UTF-8 without control
 * characters but CR, LF and TAB) shorter than 4 KiB; other bodies appear
 * as `[N bytes of binary data]` or `[N bytes]`. A chunk's entry is written
 * whole when the chunk's end-line is read or written, so the entries of
 * chunks that cross never mix.
 *
 * The logger writes synchronously, in the thread that does the traffic:
 * @stream should be a file or a memory stream, not a socket or a pipe that
 * may block. The logger keeps a reference on @stream and never closes it.
 * If a write fails, the logger stops logging (the traffic goes on).
 *
 * Set the logger with [method@Msrp.Transport.set_logger] or the `logger`
 * property of connectors; one logger may serve many transports.
 *
 * Returns: (transfer full): a new logger
 *
 * Since: 1.0
 */
MsrpLogger *
msrp_file_logger_new (GOutputStream *stream)
{
  MsrpFileLogger *self;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);

  self = g_object_new (MSRP_TYPE_FILE_LOGGER, NULL);
  self->stream = g_object_ref (stream);

  return MSRP_LOGGER (self);
}
