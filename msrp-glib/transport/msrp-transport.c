/* msrp-transport.c: one MSRP connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-transport.h"
#include "msrp-transport-private.h"
#include "msrp-chunk-private.h"
#include "msrp-chunk-parser-private.h"
#include "msrp-error.h"
#include "msrp-uri.h"
#include "msrp-uri-private.h"
#include "msrp-utils-private.h"

/**
 * MsrpTransport:
 *
 * One MSRP connection: a [class@Gio.IOStream] (a TCP connection, a TLS
 * connection, or any stream) that carries chunks between the full local
 * path and the full remote path of a session.
 *
 * [ctor@Msrp.Transport.new] makes a transport on any connected stream.
 * [method@Msrp.Transport.read_chunk_async] reads the next chunk,
 * [method@Msrp.Transport.write_chunk_async] writes one (header, body and
 * end-line in one vectored write; the body is not copied), and
 * [method@Msrp.Transport.make_chunk] and
 * [method@Msrp.Transport.make_response] fill in the paths.
 *
 * A request that is malformed but can still be framed is answered with 400
 * by the transport itself, and reading goes on; so is one whose body goes
 * past the largest position a Byte-Range can hold (2^63 - 1). Data that
 * cannot be framed fails the read, and every later one, with
 * %MSRP_ERROR_MALFORMED_CHUNK: close the transport then. A header block
 * over 64 KiB (or a header line over 16 KiB) fails it the same way, with
 * %MSRP_ERROR_HEADERS_TOO_LARGE (%MSRP_ERROR_LINE_TOO_LONG), after a 400.
 *
 * Traffic goes to the [property@Msrp.Transport:logger] when one is set,
 * and to `g_debug()` (`G_MESSAGES_DEBUG=Msrp`) otherwise.
 *
 * A transport is used from the thread whose thread-default main context
 * was current when it was made; its operations complete there.
 *
 * Since: 1.0
 */

#define READ_BUFFER_SIZE (128 * 1024)
/* The most a body buffer is made for ahead, trusting the Byte-Range. */
#define MAX_BODY_PREALLOC (1024 * 1024)

struct _MsrpTransport
{
  GObject parent_instance;

  GIOStream *stream;
  GInputStream *input;
  GOutputStream *output;
  GPtrArray *local_path;
  GPtrArray *remote_path;
  GPtrArray *route;             /* relay hops before remote_path, or NULL */
  GHashTable *intercepts;       /* tid → Intercept: responses taken aside */
  MsrpLogger *logger;
  gboolean use_sessmatch;
  gboolean debug;               /* g_debug() traffic, checked once a wakeup */
  GMainContext *context;

  /* Paths encoded once: every request carries the same To-Path and
   * From-Path, every response the same From-Path, and mostly the same
   * To-Path (answer_uri's). Cleared when the paths change. */
  MsrpPathMemo to_encoded;
  MsrpPathMemo from_encoded;
  MsrpUri *answer_uri;
  MsrpPathMemo answer_encoded;
  /* The To-Path and From-Path of the last request read, parsed. */
  MsrpPathMemo read_memos[2];
  GCancellable *cancellable;   /* ours: cancelled by close and dispose */

  /* Reading */
  MsrpChunkParser *parser;
  guint8 *rbuf;
  gsize rpos, rlen;
  GTask *read_task;
  gulong read_cancel_id;        /* on the read task's cancellable */
  /* Or the library's own read, without a GTask: one a chunk adds up. */
  MsrpTransportReadFunc read_func;
  gpointer read_func_data;
  /* Attached for as long as reads follow one another: GLib 2.74 wakes the
   * main context up (a system call each) whenever a source with an fd is
   * attached, destroyed, blocked or unblocked. */
  GSource *read_source;
  gboolean can_poll;            /* the input is a pollable stream */
  int read_fd;                  /* the socket's fd, for a plain socket or
                                 * TLS over one; or -1 */
  gboolean tls_maybe_pending;   /* the TLS stream may hold decrypted data
                                 * the socket does not show */
  gsize max_size;
  MsrpChunk *cur;               /* the chunk whose body is being read */
  GByteArray *cur_body;
  gint64 cur_start;
  gint64 cur_end;               /* its Byte-Range end, -1 for `*` */
  gint64 seg_offset;
  guint segment;
  gboolean cur_refused;         /* its body is dropped: it was answered 400 */
  GQueue ready;                 /* chunks read but not handed out yet */
  gboolean async_read_pending;  /* a g_input_stream_read_async() is running */
  GError *read_error;           /* sticky: the stream cannot be read on */

  /* Writing */
  GQueue write_queue;           /* of WriteData */
  GPtrArray *writing;           /* the WriteData being written in one writev, or NULL */
  GArray *vectors;              /* their GOutputVectors */
  GByteArray *coalesced;        /* the batch in one buffer, for TLS */
  struct _WriteData *open_write; /* an interruptible chunk between two slices */
  gboolean coalesce;
  /* While reads or write completions are handled, the chunks they make
   * are held back (corked) and then go out together in one write. */
  guint cork;
  gboolean flush_pending;
  /* The batch in writing went out while corked (or failed, with
   * written_error): it is finished when the cork comes off. */
  gboolean written_batch;
  GError *written_error;
  gboolean finish_source_pending;
  /* Waiting on read_fd for room to write the rest of the batch */
  GSource *write_source;
  gpointer write_tag;
  gboolean write_watched;       /* write_tag has G_IO_OUT */
  gboolean write_waiting;
  gboolean poll_first;          /* a new read waits for the stream first */
  GTask *close_task;
  gboolean close_waits_for_read;
  gboolean closed;
};

enum {
  PROP_0,
  PROP_STREAM,
  PROP_LOCAL_PATH,
  PROP_REMOTE_PATH,
  PROP_LOGGER,
  PROP_USE_SESSMATCH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (MsrpTransport, msrp_transport, G_TYPE_OBJECT)

static void read_more (MsrpTransport *self);

/* A read is waiting, the public one or the library's own. */
static inline gboolean
reading (MsrpTransport *self)
{
  return self->read_task != NULL || self->read_func != NULL;
}

static void
stop_read_source (MsrpTransport *self)
{
  if (self->read_source != NULL)
    {
      g_source_destroy (self->read_source);
      g_clear_pointer (&self->read_source, g_source_unref);
    }
}

static void
clear_encoded_paths (MsrpTransport *self)
{
  _msrp_path_memo_clear (&self->to_encoded);
  _msrp_path_memo_clear (&self->from_encoded);
  g_clear_object (&self->answer_uri);
  _msrp_path_memo_clear (&self->answer_encoded);
}

/* G_MESSAGES_DEBUG is looked at once (it is read at every check
 * otherwise, a getenv() per wakeup); g_log_set_debug_enabled() each time. */
static gboolean
debug_enabled (void)
{
  static gsize env_checked = 0;
  static gboolean env_debug = FALSE;

  if (g_once_init_enter (&env_checked))
    {
      env_debug = !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN) &&
                  !g_log_get_debug_enabled ();
      g_once_init_leave (&env_checked, 1);
    }
  return env_debug || g_log_get_debug_enabled ();
}

static MsrpUri *
local_uri (MsrpTransport *self)
{
  return self->local_path->len ? g_ptr_array_index (self->local_path, self->local_path->len - 1) : NULL;
}

static MsrpUri *
remote_uri (MsrpTransport *self)
{
  return self->remote_path->len ? g_ptr_array_index (self->remote_path, self->remote_path->len - 1) : NULL;
}

/* Where requests go first: our relay, or the peer. */
static MsrpUri *
first_hop (MsrpTransport *self)
{
  if (self->route != NULL && self->route->len > 0)
    return g_ptr_array_index (self->route, 0);
  return self->remote_path->len ? g_ptr_array_index (self->remote_path, 0) : NULL;
}

/* Traffic to g_debug() when there is no logger. */
static void
debug_traffic (MsrpTransport *self,
               const char    *direction,
               GBytes        *data)
{
  gsize len;
  const char *text = g_bytes_get_data (data, &len);

  if (len <= 4096 && g_utf8_validate_len (text, len, NULL))
    g_debug ("%s %p\n%.*s", direction, self, (int) len, text);
  else
    g_debug ("%s %p [%" G_GSIZE_FORMAT " bytes of data]", direction, self, len);
}

static void
msrp_transport_dispose (GObject *object)
{
  MsrpTransport *self = MSRP_TRANSPORT (object);

  g_cancellable_cancel (self->cancellable);
  stop_read_source (self);
  g_clear_object (&self->logger);
  g_clear_pointer (&self->intercepts, g_hash_table_unref);

  G_OBJECT_CLASS (msrp_transport_parent_class)->dispose (object);
}

static void
msrp_transport_finalize (GObject *object)
{
  MsrpTransport *self = MSRP_TRANSPORT (object);

  g_clear_object (&self->stream);
  g_clear_pointer (&self->local_path, g_ptr_array_unref);
  g_clear_pointer (&self->remote_path, g_ptr_array_unref);
  g_clear_pointer (&self->route, g_ptr_array_unref);
  clear_encoded_paths (self);
  _msrp_path_memo_clear (&self->read_memos[0]);
  _msrp_path_memo_clear (&self->read_memos[1]);
  g_clear_pointer (&self->intercepts, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->parser, msrp_chunk_parser_free);
  g_free (self->rbuf);
  g_clear_object (&self->cur);
  g_clear_pointer (&self->cur_body, g_byte_array_unref);
  g_queue_clear_full (&self->ready, g_object_unref);
  g_clear_error (&self->read_error);
  g_assert (!reading (self) && self->writing == NULL && !self->written_batch && !self->write_waiting);
  if (self->write_source != NULL)
    {
      g_source_destroy (self->write_source);
      g_source_unref (self->write_source);
    }
  g_array_unref (self->vectors);
  g_byte_array_unref (self->coalesced);

  G_OBJECT_CLASS (msrp_transport_parent_class)->finalize (object);
}

static void
msrp_transport_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MsrpTransport *self = MSRP_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      g_value_set_object (value, self->stream);
      break;
    case PROP_LOCAL_PATH:
      g_value_set_boxed (value, self->local_path);
      break;
    case PROP_REMOTE_PATH:
      g_value_set_boxed (value, self->remote_path);
      break;
    case PROP_LOGGER:
      g_value_set_object (value, self->logger);
      break;
    case PROP_USE_SESSMATCH:
      g_value_set_boolean (value, self->use_sessmatch);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_transport_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  MsrpTransport *self = MSRP_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      self->stream = g_value_dup_object (value);
      break;
    case PROP_LOCAL_PATH:
      self->local_path = _msrp_path_copy (g_value_get_boxed (value));
      break;
    case PROP_REMOTE_PATH:
      self->remote_path = _msrp_path_copy (g_value_get_boxed (value));
      break;
    case PROP_LOGGER:
      msrp_transport_set_logger (self, g_value_get_object (value));
      break;
    case PROP_USE_SESSMATCH:
      msrp_transport_set_use_sessmatch (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Parser callbacks */

static void
log_received (MsrpTransport *self,
              void         (*log) (MsrpLogger *, MsrpTransport *, MsrpChunk *, GBytes *),
              MsrpChunk     *chunk,
              const void    *data,
              gsize          len)
{
  g_autoptr(GBytes) bytes = NULL;

  if (self->logger == NULL && !self->debug)
    return;
  bytes = g_bytes_new (data, len);
  if (self->logger != NULL)
    log (self->logger, self, chunk, bytes);
  else
    debug_traffic (self, "<<<", bytes);
}

/* A buffer for (the next part of) the body being read, as large as its
 * Byte-Range tells, so that it is not grown by copying. */
static GByteArray *
new_body (MsrpTransport *self,
          gint64         offset)
{
  gint64 expected = 0;

  if (self->cur_end >= self->cur_start)
    expected = self->cur_end - self->cur_start + 1 - offset;
  if (self->max_size > 0)
    expected = MIN (expected, (gint64) self->max_size);
  return g_byte_array_sized_new (CLAMP (expected, 0, MAX_BODY_PREALLOC));
}

static gboolean
on_head (const MsrpChunkHead *head,
         gpointer             user_data)
{
  MsrpTransport *self = user_data;

  g_clear_object (&self->cur);
  self->cur = _msrp_chunk_new_from_head (head);
  /* A request's paths are looked at (checked, answered) anyway. */
  if (head->method != NULL)
    _msrp_chunk_parse_paths (self->cur, self->read_memos);
  msrp_chunk_get_byte_range (self->cur, &self->cur_start, NULL, NULL);
  self->seg_offset = 0;
  self->segment = 0;
  self->cur_refused = FALSE;
  g_clear_pointer (&self->cur_body, g_byte_array_unref);
  if (head->has_body)
    {
      msrp_chunk_get_byte_range (self->cur, NULL, &self->cur_end, NULL);
      self->cur_body = new_body (self, 0);
    }

  log_received (self, msrp_logger_received_new_chunk, self->cur, head->base, head->len);
  return TRUE;
}

/* A part of a long body, handed out before the rest is read. */
static MsrpChunk *
make_segment (MsrpTransport    *self,
              GBytes           *data,
              MsrpContinuation  continuation)
{
  MsrpChunk *part = msrp_chunk_copy (self->cur);
  gsize len = g_bytes_get_size (data);
  gint64 total;

  msrp_chunk_get_byte_range (self->cur, NULL, NULL, &total);
  msrp_chunk_set_byte_range (part, self->cur_start + self->seg_offset,
                             self->cur_start + self->seg_offset + len - 1, total);
  msrp_chunk_set_data (part, data);
  msrp_chunk_set_continuation (part, continuation);
  _msrp_chunk_set_segment (part, ++self->segment);
  self->seg_offset += len;
  return part;
}

static void
append_body (MsrpTransport *self,
             const guint8  *data,
             gsize          len)
{
  while (len > 0)
    {
      gsize take = len;

      /* A full part is handed out only when more follows, so that the last
       * part carries the chunk's own continuation flag. */
      if (self->max_size > 0 && self->cur_body->len >= self->max_size)
        {
          g_autoptr(GBytes) part = g_byte_array_free_to_bytes (self->cur_body);

          self->cur_body = new_body (self, self->seg_offset + g_bytes_get_size (part));
          g_queue_push_tail (&self->ready, make_segment (self, part, MSRP_CONTINUATION_MORE));
        }
      if (self->max_size > 0)
        take = MIN (len, self->max_size - self->cur_body->len);
      g_byte_array_append (self->cur_body, data, take);
      data += take;
      len -= take;
    }
}

static void answer_bad_request (MsrpTransport *self,
                                const char    *tid,
                                const char    *method,
                                MsrpChunk     *request);

/* The chunk's body goes past byte 2^63 - 1 of its message: no Byte-Range
 * can say where it ends, and every sum over its range would overflow. */
static gboolean
refuse_range (MsrpTransport *self)
{
  g_debug ("%p: chunk %s goes past the largest message size", self,
           msrp_chunk_get_transaction_id (self->cur));
  if (self->segment > 0)
    {
      /* Parts of it were handed out: it cannot be refused as a whole. */
      self->read_error = g_error_new_literal (MSRP_ERROR, MSRP_ERROR_MALFORMED_CHUNK,
                                              _("The peer sent an MSRP chunk whose Byte-Range "
                                                "goes past the largest possible message"));
      return FALSE;
    }
  if (msrp_chunk_is_request (self->cur))
    answer_bad_request (self, msrp_chunk_get_transaction_id (self->cur),
                        msrp_chunk_get_method (self->cur), self->cur);
  self->cur_refused = TRUE;
  g_byte_array_set_size (self->cur_body, 0);
  return TRUE;
}

static gboolean
on_body (const guint8 *data,
         gsize         len,
         gpointer      user_data)
{
  MsrpTransport *self = user_data;
  guint64 room;

  log_received (self, msrp_logger_received_chunk_data, self->cur, data, len);

  if (self->cur_refused)
    return TRUE;
  /* At most G_MAXINT64 - start + 1 bytes fit in the range. What fits is
   * taken first, so that the parts handed out do not depend on how the
   * body was cut into reads. */
  room = (guint64) (G_MAXINT64 - self->cur_start) + 1 - ((guint64) self->seg_offset + self->cur_body->len);
  if ((guint64) len > room)
    {
      append_body (self, data, room);
      return refuse_range (self);
    }
  append_body (self, data, len);
  return TRUE;
}

typedef struct {
  MsrpTransportInterceptFunc func;
  gpointer user_data;
} Intercept;

/* Hands a response to whoever expects it; FALSE when nobody does. */
static gboolean
take_intercepted (MsrpTransport *self,
                  MsrpChunk     *response)
{
  Intercept *icpt;
  Intercept copy;

  icpt = g_hash_table_lookup (self->intercepts, msrp_chunk_get_transaction_id (response));
  if (icpt == NULL)
    return FALSE;
  copy = *icpt;
  g_hash_table_remove (self->intercepts, msrp_chunk_get_transaction_id (response));
  copy.func (self, response, copy.user_data);
  return TRUE;
}

void
_msrp_transport_intercept_response (MsrpTransport              *transport,
                                    const char                 *tid,
                                    MsrpTransportInterceptFunc  func,
                                    gpointer                    user_data)
{
  Intercept *icpt;

  g_return_if_fail (MSRP_IS_TRANSPORT (transport));

  if (transport->intercepts == NULL)
    transport->intercepts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (func == NULL)
    {
      g_hash_table_remove (transport->intercepts, tid);
      return;
    }
  icpt = g_new (Intercept, 1);
  icpt->func = func;
  icpt->user_data = user_data;
  g_hash_table_replace (transport->intercepts, g_strdup (tid), icpt);
}

static gboolean
on_end (MsrpContinuation continuation,
        gpointer         user_data)
{
  MsrpTransport *self = user_data;
  MsrpChunk *chunk = self->cur;

  if (self->logger != NULL || self->debug)
    {
      g_autofree char *end_line = g_strdup_printf ("%s-------%s%c\r\n",
                                                   self->cur_body ? "\r\n" : "",
                                                   msrp_chunk_get_transaction_id (chunk),
                                                   "$+#"[continuation]);

      log_received (self, msrp_logger_received_chunk_end, chunk, end_line, strlen (end_line));
    }

  if (self->cur_refused)
    {
      g_clear_pointer (&self->cur_body, g_byte_array_unref);
      g_clear_object (&self->cur);
      return TRUE;
    }

  if (self->segment > 0)
    {
      g_autoptr(GBytes) part = g_byte_array_free_to_bytes (g_steal_pointer (&self->cur_body));

      MsrpChunk *last = make_segment (self, part, continuation);

      _msrp_chunk_set_last_segment (last, TRUE);
      g_queue_push_tail (&self->ready, last);
      g_clear_object (&self->cur);
    }
  else
    {
      if (self->cur_body != NULL)
        {
          g_autoptr(GBytes) body = g_byte_array_free_to_bytes (g_steal_pointer (&self->cur_body));

          msrp_chunk_set_data (chunk, body);
        }
      msrp_chunk_set_continuation (chunk, continuation);

      if (self->intercepts != NULL && !msrp_chunk_is_request (chunk) &&
          take_intercepted (self, chunk))
        {
          g_clear_object (&self->cur);
          return TRUE;
        }
      g_queue_push_tail (&self->ready, g_steal_pointer (&self->cur));
    }

  /* Hand it out before parsing on: the rest waits in the buffer. */
  return FALSE;
}

static void
on_error_response_written (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!msrp_transport_write_chunk_finish (MSRP_TRANSPORT (source), result, &error))
    g_debug ("Could not answer a malformed request: %s", error->message);
}

/* Answers 400 to a request the transport drops itself. With @request (its
 * headers parsed), the answer goes to the hop it came from, and from the
 * URI it was sent to while this transport has no paths yet. */
static void
answer_bad_request (MsrpTransport *self,
                    const char    *tid,
                    const char    *method,
                    MsrpChunk     *request)
{
  g_autoptr(MsrpChunk) response = NULL;

  /* Responses and REPORTs are never answered. */
  if (method == NULL || strcmp (method, "REPORT") == 0 || self->closed)
    return;

  if (request != NULL)
    {
      GPtrArray *request_to = msrp_chunk_get_to_path (request);

      response = msrp_transport_make_response (self, request, MSRP_STATUS_BAD_REQUEST, NULL);
      if (msrp_chunk_get_from_path (response) == NULL && request_to != NULL && request_to->len > 0)
        {
          g_autoptr(GPtrArray) from = _msrp_path_new_single (g_ptr_array_index (request_to, 0));

          msrp_chunk_set_from_path (response, from);
        }
      if (msrp_chunk_get_to_path (response) == NULL || msrp_chunk_get_from_path (response) == NULL)
        return;
    }
  else
    {
      g_autoptr(GPtrArray) to = NULL;
      g_autoptr(GPtrArray) from = NULL;

      if (remote_uri (self) == NULL || local_uri (self) == NULL)
        return;
      response = msrp_chunk_new_response (tid, MSRP_STATUS_BAD_REQUEST, NULL);
      to = _msrp_path_new_single (first_hop (self));
      from = _msrp_path_new_single (local_uri (self));
      msrp_chunk_set_to_path (response, to);
      msrp_chunk_set_from_path (response, from);
    }
  msrp_transport_write_chunk_async (self, response, NULL, on_error_response_written, NULL);
}

static gboolean
on_malformed (const char   *tid,
              const char   *method,
              const GError *error,
              gpointer      user_data)
{
  MsrpTransport *self = user_data;

  g_debug ("%p: malformed chunk %s: %s", self, tid, error->message);
  g_clear_object (&self->cur);
  g_clear_pointer (&self->cur_body, g_byte_array_unref);
  answer_bad_request (self, tid, method, NULL);

  /* Past a header limit, the rest of the chunk would be dropped up to an
   * end-line that need never come, for ever: the connection ends. (The
   * parser fails the stream itself when the block of a chunk it reported
   * for another reason goes past the limit.) */
  if (g_error_matches (error, MSRP_ERROR, MSRP_ERROR_HEADERS_TOO_LARGE) ||
      g_error_matches (error, MSRP_ERROR, MSRP_ERROR_LINE_TOO_LONG))
    {
      self->read_error = g_error_copy (error);
      return FALSE;
    }
  return TRUE;
}

static const MsrpChunkParserCallbacks parser_callbacks = {
  .head = on_head,
  .body = on_body,
  .end = on_end,
  .malformed = on_malformed,
};

/* The socket under a TLS connection whose handshake is done: the
 * connection itself (a server's), or wrapped in a GTcpWrapperConnection
 * with the socket (a GSocketClient's). -1 for anything else. */
static int
tls_socket_fd (GIOStream *stream)
{
  g_autoptr(GIOStream) base = NULL;
  GIOStream *tls = NULL;
  GSocketConnection *socket_connection = NULL;

  if (G_IS_TCP_WRAPPER_CONNECTION (stream))
    {
      tls = g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (stream));
      socket_connection = G_SOCKET_CONNECTION (stream);
    }
  else if (G_IS_TLS_CONNECTION (stream))
    {
      tls = stream;
      g_object_get (stream, "base-io-stream", &base, NULL);
      if (G_IS_SOCKET_CONNECTION (base) && !G_IS_TCP_WRAPPER_CONNECTION (base))
        socket_connection = G_SOCKET_CONNECTION (base);
    }
  if (!G_IS_TLS_CONNECTION (tls) || socket_connection == NULL ||
      g_tls_connection_get_protocol_version (G_TLS_CONNECTION (tls)) == G_TLS_PROTOCOL_VERSION_UNKNOWN)
    return -1;
  return g_socket_get_fd (g_socket_connection_get_socket (socket_connection));
}

static void
msrp_transport_constructed (GObject *object)
{
  MsrpTransport *self = MSRP_TRANSPORT (object);

  G_OBJECT_CLASS (msrp_transport_parent_class)->constructed (object);

  g_assert (self->stream != NULL);
  self->input = g_io_stream_get_input_stream (self->stream);
  self->output = g_io_stream_get_output_stream (self->stream);
  /* A plain socket takes a vectored write in one system call; other
   * streams (TLS above all) are given one buffer a batch. */
  self->coalesce = !(G_IS_SOCKET_CONNECTION (self->stream) && !G_IS_TCP_WRAPPER_CONNECTION (self->stream));
  self->coalesced = g_byte_array_new ();
  self->can_poll = G_IS_POLLABLE_INPUT_STREAM (self->input) &&
                   g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->input));
  self->read_fd = -1;
  if (self->can_poll && G_IS_SOCKET_CONNECTION (self->stream) && !G_IS_TCP_WRAPPER_CONNECTION (self->stream))
    self->read_fd = g_socket_get_fd (g_socket_connection_get_socket (G_SOCKET_CONNECTION (self->stream)));
  /* A TLS stream whose handshake is done, over a plain socket: it is read
   * and written without blocking, and waited for on the socket, by one
   * source for the connection's life. A source of the TLS stream is made
   * for each wait (the stream's state is looked at when it is made), which
   * wakes the main context up four times. */
  else if (self->can_poll && G_IS_POLLABLE_OUTPUT_STREAM (self->output))
    self->read_fd = tls_socket_fd (self->stream);
  /* The handshake may have read application data already. */
  self->tls_maybe_pending = self->read_fd >= 0 && self->coalesce;
  if (self->local_path == NULL)
    self->local_path = _msrp_path_copy (NULL);
  if (self->remote_path == NULL)
    self->remote_path = _msrp_path_copy (NULL);
}

static void
msrp_transport_class_init (MsrpTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = msrp_transport_dispose;
  object_class->finalize = msrp_transport_finalize;
  object_class->get_property = msrp_transport_get_property;
  object_class->set_property = msrp_transport_set_property;
  object_class->constructed = msrp_transport_constructed;

  /**
   * MsrpTransport:stream:
   *
   * The connection the chunks travel on.
   *
   * Since: 1.0
   */
  properties[PROP_STREAM] =
    g_param_spec_object ("stream", NULL, NULL, G_TYPE_IO_STREAM,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpTransport:full-local-path: (type GLib.PtrArray(Msrp.Uri))
   *
   * The full local path: the hops a peer sends through to reach this
   * endpoint (relays from Use-Path, if any), this endpoint's URI last.
   *
   * Since: 1.0
   */
  properties[PROP_LOCAL_PATH] =
    g_param_spec_boxed ("full-local-path", NULL, NULL, G_TYPE_PTR_ARRAY,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpTransport:full-remote-path: (type GLib.PtrArray(Msrp.Uri))
   *
   * The full remote path: every hop to the peer, the peer's URI last. It is
   * the To-Path of the requests this transport makes.
   *
   * Since: 1.0
   */
  properties[PROP_REMOTE_PATH] =
    g_param_spec_boxed ("full-remote-path", NULL, NULL, G_TYPE_PTR_ARRAY,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpTransport:logger:
   *
   * Where the traffic goes, or %NULL for `g_debug()`.
   *
   * Since: 1.0
   */
  properties[PROP_LOGGER] =
    g_param_spec_object ("logger", NULL, NULL, MSRP_TYPE_LOGGER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpTransport:use-sessmatch:
   *
   * Whether [method@Msrp.Transport.check_incoming_send_chunk] matches URIs
   * by session-id only (RFC 6714 style), for peers behind middleboxes that
   * rewrite hosts and ports.
   *
   * Since: 1.0
   */
  properties[PROP_USE_SESSMATCH] =
    g_param_spec_boolean ("use-sessmatch", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
msrp_transport_init (MsrpTransport *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->parser = msrp_chunk_parser_new (&parser_callbacks, self);
  self->rbuf = g_malloc (READ_BUFFER_SIZE);
  g_queue_init (&self->ready);
  g_queue_init (&self->write_queue);
  self->vectors = g_array_new (FALSE, FALSE, sizeof (GOutputVector));
}

/**
 * msrp_transport_new:
 * @stream: a connected stream
 * @local_path: (element-type Msrp.Uri): the full local path, this
 *   endpoint's URI last
 * @remote_path: (element-type Msrp.Uri): the full remote path, the peer's
 *   URI last
 *
 * Makes a transport on a connected stream. The paths are copied.
 *
 * Returns: (transfer full): a new transport
 *
 * Since: 1.0
 */
MsrpTransport *
msrp_transport_new (GIOStream *stream,
                    GPtrArray *local_path,
                    GPtrArray *remote_path)
{
  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (local_path != NULL && local_path->len > 0, NULL);
  g_return_val_if_fail (remote_path != NULL && remote_path->len > 0, NULL);

  return g_object_new (MSRP_TYPE_TRANSPORT,
                       "stream", stream,
                       "full-local-path", local_path,
                       "full-remote-path", remote_path,
                       NULL);
}

/**
 * msrp_transport_get_stream:
 * @transport: a #MsrpTransport
 *
 * Gets the stream the transport reads and writes.
 *
 * Returns: (transfer none): the stream
 *
 * Since: 1.0
 */
GIOStream *
msrp_transport_get_stream (MsrpTransport *transport)
{
  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), NULL);
  return transport->stream;
}

/**
 * msrp_transport_get_full_local_path:
 * @transport: a #MsrpTransport
 *
 * Gets the full local path, this endpoint's URI last.
 *
 * Returns: (transfer none) (element-type Msrp.Uri): the path
 *
 * Since: 1.0
 */
GPtrArray *
msrp_transport_get_full_local_path (MsrpTransport *transport)
{
  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), NULL);
  return transport->local_path;
}

/**
 * msrp_transport_get_full_remote_path:
 * @transport: a #MsrpTransport
 *
 * Gets the full remote path, the peer's URI last.
 *
 * Returns: (transfer none) (element-type Msrp.Uri): the path
 *
 * Since: 1.0
 */
GPtrArray *
msrp_transport_get_full_remote_path (MsrpTransport *transport)
{
  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), NULL);
  return transport->remote_path;
}

/**
 * msrp_transport_get_logger:
 * @transport: a #MsrpTransport
 *
 * Gets the logger that sees the traffic.
 *
 * Returns: (transfer none) (nullable): the logger, or %NULL
 *
 * Since: 1.0
 */
MsrpLogger *
msrp_transport_get_logger (MsrpTransport *transport)
{
  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), NULL);
  return transport->logger;
}

/**
 * msrp_transport_set_logger:
 * @transport: a #MsrpTransport
 * @logger: (nullable): a logger, or %NULL for `g_debug()`
 *
 * Sets where the traffic goes.
 *
 * Since: 1.0
 */
void
msrp_transport_set_logger (MsrpTransport *transport,
                           MsrpLogger    *logger)
{
  g_return_if_fail (MSRP_IS_TRANSPORT (transport));
  g_return_if_fail (logger == NULL || MSRP_IS_LOGGER (logger));

  if (g_set_object (&transport->logger, logger))
    g_object_notify_by_pspec (G_OBJECT (transport), properties[PROP_LOGGER]);
}

/**
 * msrp_transport_get_use_sessmatch:
 * @transport: a #MsrpTransport
 *
 * Tells whether incoming paths are matched by session-id only.
 *
 * Returns: the value of [property@Msrp.Transport:use-sessmatch]
 *
 * Since: 1.0
 */
gboolean
msrp_transport_get_use_sessmatch (MsrpTransport *transport)
{
  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), FALSE);
  return transport->use_sessmatch;
}

/**
 * msrp_transport_set_use_sessmatch:
 * @transport: a #MsrpTransport
 * @use_sessmatch: whether to match by session-id only
 *
 * Sets [property@Msrp.Transport:use-sessmatch].
 *
 * Since: 1.0
 */
void
msrp_transport_set_use_sessmatch (MsrpTransport *transport,
                                  gboolean       use_sessmatch)
{
  g_return_if_fail (MSRP_IS_TRANSPORT (transport));

  use_sessmatch = !!use_sessmatch;
  if (transport->use_sessmatch == use_sessmatch)
    return;
  transport->use_sessmatch = use_sessmatch;
  g_object_notify_by_pspec (G_OBJECT (transport), properties[PROP_USE_SESSMATCH]);
}

/**
 * msrp_transport_make_chunk:
 * @transport: a #MsrpTransport
 * @method: (nullable): the method, or %NULL for "SEND"
 * @data: (nullable): the body, or %NULL for none
 * @content_type: (nullable): the body's MIME type
 *
 * Makes a request for the peer: a random transaction id, To-Path the full
 * remote path, From-Path this endpoint's URI, and a random Message-ID. A
 * SEND also gets a Byte-Range for the whole of @data (`1-0/0` without
 * data, as for the empty SEND that binds a connection).
 *
 * Returns: (transfer full): the request
 *
 * Since: 1.0
 */
MsrpChunk *
msrp_transport_make_chunk (MsrpTransport *transport,
                           const char    *method,
                           GBytes        *data,
                           const char    *content_type)
{
  g_autofree char *message_id = NULL;
  MsrpChunk *chunk;

  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), NULL);
  g_return_val_if_fail (local_uri (transport) != NULL, NULL);

  if (method == NULL)
    method = "SEND";
  chunk = _msrp_transport_new_request (transport, method);
  message_id = msrp_random_ident (MSRP_RANDOM_ID_LENGTH);
  msrp_chunk_set_message_id (chunk, message_id);
  if (strcmp (method, "SEND") == 0)
    {
      gsize size = data ? g_bytes_get_size (data) : 0;

      msrp_chunk_set_byte_range (chunk, 1, size, size);
    }
  if (content_type != NULL)
    msrp_chunk_set_content_type (chunk, content_type);
  if (data != NULL)
    msrp_chunk_set_data (chunk, data);

  return chunk;
}

/* From-Path: this endpoint's URI alone, encoded once. FALSE when there is
 * none. */
static gboolean
local_from_path (MsrpTransport *self)
{
  if (self->from_encoded.value == NULL)
    {
      if (local_uri (self) == NULL)
        return FALSE;
      self->from_encoded.path = _msrp_path_new_single (local_uri (self));
      self->from_encoded.value = msrp_path_to_string (self->from_encoded.path);
    }
  return TRUE;
}

static void
set_local_from_path (MsrpTransport *self,
                     MsrpChunk     *chunk)
{
  if (local_from_path (self))
    _msrp_chunk_set_path_encoded (chunk, TRUE, self->from_encoded.value, self->from_encoded.path);
}

MsrpChunk *
_msrp_transport_new_request (MsrpTransport *transport,
                             const char    *method)
{
  MsrpChunk *chunk = msrp_chunk_new_request (method, NULL);

  if (transport->to_encoded.value == NULL)
    {
      GPtrArray *to = _msrp_path_copy (transport->route);

      for (guint i = 0; i < transport->remote_path->len; i++)
        g_ptr_array_add (to, g_object_ref (g_ptr_array_index (transport->remote_path, i)));
      transport->to_encoded.path = to;
      transport->to_encoded.value = to->len > 0 ? msrp_path_to_string (to) : g_strdup ("");
    }
  if (transport->to_encoded.path->len > 0)
    _msrp_chunk_set_path_encoded (chunk, FALSE, transport->to_encoded.value, transport->to_encoded.path);
  set_local_from_path (transport, chunk);
  return chunk;
}

/* The To-Path of a response to @request, encoded in answer_encoded: the
 * first URI of its From-Path, or the first hop. FALSE when there is none. */
static gboolean
answer_to_path (MsrpTransport *transport,
                MsrpChunk     *request)
{
  GPtrArray *request_from = msrp_chunk_get_from_path (request);
  MsrpUri *to;

  if (request_from != NULL && request_from->len > 0)
    to = g_ptr_array_index (request_from, 0);
  else
    to = first_hop (transport);
  if (to == NULL)
    return FALSE;
  /* Requests that share a parsed From-Path share its URIs. */
  if (to != transport->answer_uri)
    {
      g_clear_object (&transport->answer_uri);
      _msrp_path_memo_clear (&transport->answer_encoded);
      transport->answer_uri = g_object_ref (to);
      transport->answer_encoded.path = _msrp_path_new_single (to);
      transport->answer_encoded.value = msrp_path_to_string (transport->answer_encoded.path);
    }
  return TRUE;
}

/**
 * msrp_transport_make_response:
 * @transport: a #MsrpTransport
 * @request: the request to answer
 * @code: the status code (see [enum@Msrp.Status])
 * @comment: (nullable): the comment, or %NULL for the usual one
 *
 * Makes the response to @request. Responses travel one hop: the To-Path is
 * the first URI of the request's From-Path (the previous hop), the
 * From-Path this endpoint's URI.
 *
 * Returns: (transfer full): the response
 *
 * Since: 1.0
 */
MsrpChunk *
msrp_transport_make_response (MsrpTransport *transport,
                              MsrpChunk     *request,
                              guint          code,
                              const char    *comment)
{
  MsrpChunk *response;

  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), NULL);
  g_return_val_if_fail (MSRP_IS_CHUNK (request) && msrp_chunk_is_request (request), NULL);
  g_return_val_if_fail (code >= 100 && code <= 999, NULL);

  response = msrp_chunk_new_response (msrp_chunk_get_transaction_id (request), code, comment);
  if (answer_to_path (transport, request))
    _msrp_chunk_set_path_encoded (response, FALSE, transport->answer_encoded.value,
                                  transport->answer_encoded.path);
  set_local_from_path (transport, response);
  return response;
}

static gboolean
uri_matches (MsrpTransport *self,
             MsrpUri       *a,
             MsrpUri       *b)
{
  if (self->use_sessmatch)
    return g_strcmp0 (msrp_uri_get_session_id (a), msrp_uri_get_session_id (b)) == 0;
  return msrp_uri_equal (a, b);
}

/**
 * msrp_transport_check_incoming_send_chunk:
 * @transport: a #MsrpTransport
 * @chunk: a SEND that arrived on @transport
 * @error: return location for a #GError
 *
 * Checks that a SEND belongs to this transport's session (RFC 4975 section
 * 7.3.1): its headers are valid, its To-Path is this endpoint's URI alone,
 * and its From-Path ends with the peer's URI. With
 * [property@Msrp.Transport:use-sessmatch], URIs match by session-id only.
 *
 * Returns: %TRUE when the chunk is for this session; otherwise %FALSE with
 *   @error in the %MSRP_TRANSACTION_ERROR domain, whose code is the status
 *   to answer with: 400 for bad headers, 481 for another session
 *
 * Since: 1.0
 */
gboolean
msrp_transport_check_incoming_send_chunk (MsrpTransport *transport,
                                          MsrpChunk     *chunk,
                                          GError       **error)
{
  GPtrArray *to, *from;

  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (MSRP_IS_CHUNK (chunk), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!msrp_chunk_verify_headers (chunk, error))
    return FALSE;

  to = msrp_chunk_get_to_path (chunk);
  if (to->len != 1 || local_uri (transport) == NULL ||
      !uri_matches (transport, g_ptr_array_index (to, 0), local_uri (transport)))
    {
      g_set_error_literal (error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_SESSION_DOES_NOT_EXIST,
                           _("The To-Path names another session"));
      return FALSE;
    }

  from = msrp_chunk_get_from_path (chunk);
  if (remote_uri (transport) == NULL ||
      !uri_matches (transport, g_ptr_array_index (from, from->len - 1), remote_uri (transport)))
    {
      g_set_error_literal (error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_SESSION_DOES_NOT_EXIST,
                           _("The From-Path does not end with the peer’s URI"));
      return FALSE;
    }

  return TRUE;
}

/* Writing */

typedef struct _WriteData {
  /* Who is told: a GTask (whose task data this is) for the public API, or
   * a plain function for the library's own writes. */
  GTask *task;
  MsrpTransportWrittenFunc func;
  gpointer user_data;
  MsrpChunk *chunk;         /* NULL for a response written straight from
                             * its request (_msrp_transport_write_response),
                             * until a logger wants it */
  GBytes *wire;             /* head, end-line, and a short body between */
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
  g_clear_pointer (&wd->wire, g_bytes_unref);
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
static void write_chunk (MsrpTransport *transport, MsrpChunk *chunk, gsize slice,
                         gpointer source_tag, GCancellable *cancellable,
                         GAsyncReadyCallback callback, MsrpTransportWrittenFunc func,
                         gpointer user_data);
static void finish_close (MsrpTransport *self);

static void
log_sent (MsrpTransport *self,
          WriteData     *wd)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) head = NULL;
  g_autoptr(GBytes) end = NULL;
  gsize wire_len = g_bytes_get_size (wd->wire);
  gsize body_len = wd->body_inline ? g_bytes_get_size (wd->body) : 0;

  if (self->logger == NULL && !self->debug)
    return;
  head = g_bytes_new_from_bytes (wd->wire, 0, wd->head_len);
  end = wd->cut_end ? g_bytes_ref (wd->cut_end)
                    : g_bytes_new_from_bytes (wd->wire, wd->head_len + body_len,
                                              wire_len - wd->head_len - body_len);
  /* An interruptible chunk may have been cut: only what went out. */
  if (wd->body != NULL && g_bytes_get_size (wd->body) > 0)
    body = wd->slice > 0 ? g_bytes_new_from_bytes (wd->body, 0, wd->body_pos) : g_bytes_ref (wd->body);
  if (self->logger != NULL)
    {
      /* A logger set after the response was queued: the chunk is what
       * was written. */
      if (wd->chunk == NULL)
        wd->chunk = msrp_chunk_parse (wd->wire, NULL, NULL);
      msrp_logger_sent_new_chunk (self->logger, self, wd->chunk, head);
      if (body != NULL && g_bytes_get_size (body) > 0)
        msrp_logger_sent_chunk_data (self->logger, self, wd->chunk, body);
      msrp_logger_sent_chunk_end (self->logger, self, wd->chunk, end);
    }
  else
    {
      debug_traffic (self, ">>>", head);
      if (body != NULL && g_bytes_get_size (body) > 0)
        debug_traffic (self, ">>>", body);
      debug_traffic (self, ">>>", end);
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

  self->debug = debug_enabled ();
  self->cork++;
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
  self->cork--;
}

static void flush_writes (MsrpTransport *self, gboolean complete_now);

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  MsrpTransport *self = user_data;
  GError *error = NULL;

  g_output_stream_writev_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  finish_batch (self, error);
  flush_writes (self, TRUE);
  g_object_unref (self);
}

static GError *
new_closed_error (void)
{
  return g_error_new_literal (MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                              _("The MSRP connection is closed"));
}

static void
fail_queued_writes (MsrpTransport *self)
{
  WriteData *wd;

  if (self->open_write != NULL)
    complete_write (self, g_steal_pointer (&self->open_write), new_closed_error ());
  while ((wd = g_queue_pop_head (&self->write_queue)) != NULL)
    complete_write (self, wd, new_closed_error ());
}

/* Bodies up to this size are copied into the chunk's head buffer. */
#define INLINE_BODY_MAX (8 * 1024)

/* Chunks queued together go out in one writev: fewer system calls (and
 * TLS records) when many small chunks are waiting. */
#define BATCH_MAX_CHUNKS 64
#define BATCH_MAX_BYTES (256 * 1024)
/* Pieces shorter than a TLS record are merged for a TLS stream. */
#define COALESCE_MAX (16 * 1024)

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
static void
uncork (MsrpTransport *self)
{
  if (--self->cork == 0 && (self->flush_pending || self->written_batch))
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

  switch (g_pollable_output_stream_writev_nonblocking (G_POLLABLE_OUTPUT_STREAM (self->output),
                                                      v, n, &written, NULL, error))
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

static void log_written_batch (MsrpTransport *self);

typedef struct {
  GSource source;
  MsrpTransport *transport;   /* it destroys the source first */
} WriteSource;

/* The fd is in the source only while watched: polled with no events, a
 * socket that hung up would still make the source ready, on and on. */
static void
watch_for_room (MsrpTransport *self,
                gboolean       watch)
{
  if (self->write_watched == watch)
    return;
  self->write_watched = watch;
  if (watch)
    self->write_tag = g_source_add_unix_fd (self->write_source, self->read_fd, G_IO_OUT);
  else
    {
      g_source_remove_unix_fd (self->write_source, self->write_tag);
      self->write_tag = NULL;
    }
}

/* The socket has room: more of the batch goes out; once it is all out, it
 * is finished, as an asynchronous write's callback would. */
static gboolean
write_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  MsrpTransport *self = ((WriteSource *) source)->transport;
  GError *error = NULL;

  if (!self->write_waiting)
    {
      watch_for_room (self, FALSE);
      return G_SOURCE_CONTINUE;
    }
  if (!write_batch_now (self, &error))
    return G_SOURCE_CONTINUE;

  self->write_waiting = FALSE;
  if (error == NULL)
    log_written_batch (self);
  finish_batch (self, error);
  flush_writes (self, TRUE);
  /* No more waiting: the socket is not watched while nothing is to go. */
  if (!self->write_waiting)
    watch_for_room (self, FALSE);
  /* The wait's reference, taken in wait_to_write(). */
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs write_source_funcs = {
  .dispatch = write_source_dispatch,
};

/* Waits on the socket, by one source for the connection's life, rather
 * than a GTask and a new source for each wait. */
static void
wait_to_write (MsrpTransport *self)
{
  g_assert (!self->write_waiting);
  self->write_waiting = TRUE;
  g_object_ref (self);
  if (self->write_source == NULL)
    {
      self->write_source = g_source_new (&write_source_funcs, sizeof (WriteSource));
      ((WriteSource *) self->write_source)->transport = self;
      g_source_set_static_name (self->write_source, "[msrp] transport write");
      g_source_set_can_recurse (self->write_source, TRUE);
      self->write_tag = g_source_add_unix_fd (self->write_source, self->read_fd, G_IO_OUT);
      self->write_watched = TRUE;
      g_source_attach (self->write_source, self->context);
    }
  else
    watch_for_room (self, TRUE);
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
 * under TLS), whose writes can be tried without blocking. */
static gboolean
can_write_early (MsrpTransport *self)
{
  return self->read_fd >= 0 && !self->closed && self->close_task == NULL &&
         self->rpos >= self->rlen && g_queue_is_empty (&self->ready);
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
      if (self->written_batch)
        {
          /* Written while corked or inside a caller's call: finished
           * once the cork is off, from our own callback. */
          if (self->cork > 0 || !complete_now)
            break;
          self->written_batch = FALSE;
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

  if (self->writing != NULL)
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

  self->writing = g_ptr_array_new ();
  g_array_set_size (self->vectors, 0);

  if (self->open_write != NULL)
    continue_open_write (self);

  /* Writes cancelled while they waited are dropped: nothing of them went
   * out. Once a write starts it runs to its end, to keep the framing. */
  while (self->open_write == NULL &&
         self->writing->len < BATCH_MAX_CHUNKS && bytes < BATCH_MAX_BYTES &&
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
      if (self->close_task != NULL && !early)
        finish_close (self);
      return FALSE;
    }

  if (self->coalesce && self->vectors->len > 1)
    {
      /* A TLS stream makes a record of each piece it is given: small
       * pieces next to each other go into one buffer, for few records
       * instead of three a chunk. Long bodies stay where they are (their
       * records are full anyway): no copy of a file's data. */
      GOutputVector *v = (GOutputVector *) (gpointer) self->vectors->data;
      guint n = self->vectors->len, w = 0;
      gsize small = 0;
      guint8 *p;
      gboolean merging = FALSE;

      for (guint i = 0; i < n; i++)
        if (v[i].size < COALESCE_MAX)
          small += v[i].size;
      g_byte_array_set_size (self->coalesced, small);
      p = self->coalesced->data;
      for (guint i = 0; i < n; i++)
        {
          GOutputVector cur = v[i];

          if (cur.size >= COALESCE_MAX)
            {
              v[w++] = cur;
              merging = FALSE;
              continue;
            }
          if (cur.size > 0)
            memcpy (p, cur.buffer, cur.size);
          if (merging)
            v[w - 1].size += cur.size;
          else
            {
              v[w].buffer = p;
              v[w++].size = cur.size;
              merging = TRUE;
            }
          p += cur.size;
        }
      g_array_set_size (self->vectors, w);
    }

  /* Only a batch that may be written now gets here (corked, it is an
   * early one). */
  if (self->read_fd >= 0)
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
      self->written_batch = TRUE;
      self->written_error = local_error;
      if (!early)
        finish_written_in_idle (self);
      return FALSE;
    }
  g_output_stream_writev_all_async (self->output,
                                    (GOutputVector *) (gpointer) self->vectors->data, self->vectors->len,
                                    G_PRIORITY_DEFAULT, self->cancellable,
                                    on_written, g_object_ref (self));
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
  g_autoptr(GError) error = new_closed_error ();

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
  char *wire, *p;

  g_return_if_fail (MSRP_IS_TRANSPORT (transport));
  g_return_if_fail (MSRP_IS_CHUNK (request) && msrp_chunk_is_request (request));
  g_return_if_fail (code >= 100 && code <= 999);

  /* A logger gets the chunk: it is made then, as when both paths are not
   * there (a response without To-Path or From-Path). */
  if (transport->logger != NULL || transport->closed || transport->close_task != NULL ||
      !answer_to_path (transport, request) || !local_from_path (transport))
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
  wire = p = g_malloc (len + 1);
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

  wd = g_new0 (WriteData, 1);
  wd->func = func;
  wd->user_data = user_data;
  wd->head_len = p - wire;

  p = put_str (p, "-------", 7);
  p = put_str (p, tid, tid_len);
  p = put_str (p, "$\r\n", 3);
  *p = '\0';
  g_assert ((gsize) (p - wire) == len);
  wd->wire = g_bytes_new_take (wire, len);
  wd->vectors[0].buffer = wire;
  wd->vectors[0].size = len;
  wd->n_vectors = 1;
  g_queue_push_tail (&transport->write_queue, wd);
  start_next_write (transport);
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
  const guint8 *wire;
  gsize len, body_len;

  if (source_tag != NULL)
    {
      task = g_task_new (transport, cancellable, callback, user_data);
      g_task_set_name (task, "[msrp] write chunk");
      g_task_set_source_tag (task, source_tag);

      if (transport->closed || transport->close_task != NULL)
        {
          g_task_return_error (task, new_closed_error ());
          g_object_unref (task);
          return;
        }
    }

  wd = g_new0 (WriteData, 1);
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
  if (msrp_chunk_get_data (chunk) != NULL)
    wd->body = g_bytes_ref (msrp_chunk_get_data (chunk));
  body_len = wd->body != NULL ? g_bytes_get_size (wd->body) : 0;
  if (body_len > slice)
    wd->slice = slice;
  /* A short body is copied between head and end-line: one piece to write
   * instead of three. */
  wd->body_inline = body_len > 0 && body_len <= INLINE_BODY_MAX && wd->slice == 0;
  s = g_string_sized_new (256 + (wd->body_inline ? body_len : 0));
  _msrp_chunk_encode_head (chunk, s);
  wd->head_len = s->len;
  if (wd->body_inline)
    g_string_append_len (s, g_bytes_get_data (wd->body, NULL), body_len);
  _msrp_chunk_encode_end (chunk, s);
  len = s->len;
  wd->wire = g_string_free_to_bytes (s);
  wire = g_bytes_get_data (wd->wire, NULL);

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

/* Reading */

/* The pending read, no longer watched for cancellation. */
static GTask *
take_read_task (MsrpTransport *self)
{
  GTask *task = g_steal_pointer (&self->read_task);

  if (self->read_cancel_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), self->read_cancel_id);
      self->read_cancel_id = 0;
    }
  return task;
}

/* Hands @chunk (or @error) to the pending read; both transfer full. */
static void
deliver_read (MsrpTransport *self,
              MsrpChunk     *chunk,
              GError        *error)
{
  if (self->read_func != NULL)
    {
      MsrpTransportReadFunc func = g_steal_pointer (&self->read_func);
      gpointer data = g_steal_pointer (&self->read_func_data);

      func (self, chunk, error, data);
    }
  else
    {
      g_autoptr(GTask) task = take_read_task (self);

      if (chunk != NULL)
        g_task_return_pointer (task, chunk, g_object_unref);
      else
        g_task_return_error (task, error);
    }
}

static void
complete_read (MsrpTransport *self)
{
  /* The source stays for the next read, unless nothing more can come. */
  if (self->read_error != NULL)
    stop_read_source (self);

  if (!g_queue_is_empty (&self->ready))
    deliver_read (self, g_queue_pop_head (&self->ready), NULL);
  else
    deliver_read (self, NULL, g_error_copy (self->read_error));
}

/* Parses buffered bytes until a chunk is ready or they run out. */
static void
parse_buffered (MsrpTransport *self)
{
  while (g_queue_is_empty (&self->ready) && self->read_error == NULL && self->rpos < self->rlen)
    {
      gsize used = 0;
      GError *error = NULL;

      if (!msrp_chunk_parser_feed (self->parser, self->rbuf + self->rpos,
                                   self->rlen - self->rpos, &used, &error))
        self->read_error = error;
      self->rpos += used;
      if (self->rpos == self->rlen)
        self->rpos = self->rlen = 0;
    }
}

MsrpChunk *
_msrp_transport_read_buffered (MsrpTransport *transport,
                               gsize          max_size)
{
  if (reading (transport) || transport->closed || transport->close_task != NULL)
    return NULL;
  transport->max_size = max_size;
  parse_buffered (transport);
  return g_queue_pop_head (&transport->ready);
}

/* Parses what is buffered until a chunk is ready; reads more if needed. */
static void
process (MsrpTransport *self)
{
  while (reading (self))
    {
      if (!g_queue_is_empty (&self->ready) || self->read_error != NULL)
        {
          complete_read (self);
          return;
        }

      if (self->rpos < self->rlen)
        {
          gsize used = 0;
          GError *error = NULL;

          if (!msrp_chunk_parser_feed (self->parser, self->rbuf + self->rpos,
                                       self->rlen - self->rpos, &used, &error))
            self->read_error = error;
          self->rpos += used;
          if (self->rpos == self->rlen)
            self->rpos = self->rlen = 0;
          continue;
        }

      read_more (self);
      return;
    }
}

static void
on_read_eof (MsrpTransport *self)
{
  if (msrp_chunk_parser_is_idle (self->parser))
    self->read_error = g_error_new_literal (MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                                            _("The peer closed the MSRP connection"));
  else
    self->read_error = g_error_new_literal (MSRP_ERROR, MSRP_ERROR_CHUNK_TRUNCATED,
                                            _("The peer closed the MSRP connection in the middle of a chunk"));
}

static gboolean
on_readable (GObject  *stream,
             gpointer  user_data)
{
  MsrpTransport *self = user_data;
  gboolean keep;

  if (g_main_current_source () != self->read_source)
    return G_SOURCE_REMOVE;
  /* Data with no read waiting for it: the source goes (it would fire on
   * and on), and the next read makes a new one. */
  if (!reading (self))
    {
      stop_read_source (self);
      return G_SOURCE_REMOVE;
    }
  /* A main loop run inside a read's callback may dispatch the source
   * again (it may recurse): that reads for the next read, as the state is
   * settled before a callback runs. */
  g_object_ref (self);
  /* A TLS stream's source follows the connection's state only while it
   * is new: it is made again for every wait, as GIO's own reads do. */
  if (self->read_fd < 0)
    g_clear_pointer (&self->read_source, g_source_unref);
  self->cork++;
  read_more (self);
  uncork (self);
  keep = g_main_current_source () == self->read_source;
  g_object_unref (self);
  return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
dispatch_fd_source (GSource     *source,
                    GSourceFunc  callback,
                    gpointer     user_data)
{
  if (g_source_get_ready_time (source) != -1)
    g_source_set_ready_time (source, -1);
  /* Called as a pollable stream's source calls it. */
  return ((GPollableSourceFunc) (void (*) (void)) callback) (NULL, user_data);
}

static GSourceFuncs fd_source_funcs = {
  .dispatch = dispatch_fd_source,
};

/* Attaches the read source if it is not there yet. A plain socket is
 * watched through its fd alone, by one source for the connection's life: a
 * pollable stream's source has a child source, which GLib blocks (waking
 * the context up twice) on every dispatch. */
static void
start_read_source (MsrpTransport *self)
{
  if (self->read_source != NULL)
    return;
  if (self->read_fd >= 0)
    {
      self->read_source = g_source_new (&fd_source_funcs, sizeof (GSource));
      g_source_add_unix_fd (self->read_source, self->read_fd, G_IO_IN);
    }
  else
    self->read_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->input), NULL);
  g_source_set_static_name (self->read_source, "[msrp] transport read");
  /* Not blocked while dispatched: GLib 2.74 wakes the main context up
   * (a system call) to take a blocked source's fd out of the poll and
   * again to put it back, twice for every read. */
  g_source_set_can_recurse (self->read_source, TRUE);
  g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_readable), self, NULL);
  g_source_attach (self->read_source, self->context);
}

static gboolean
read_cancelled_in_idle (gpointer user_data)
{
  MsrpTransport *self = user_data;

  if (self->read_task != NULL &&
      g_cancellable_is_cancelled (g_task_get_cancellable (self->read_task)))
    {
      g_autoptr(GTask) task = take_read_task (self);

      g_task_return_error_if_cancelled (task);
    }
  return G_SOURCE_REMOVE;
}

/* Maybe in another thread: the read is failed from the transport's own. */
static void
on_read_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  MsrpTransport *self = user_data;
  GSource *idle = g_idle_source_new ();

  g_source_set_static_name (idle, "[msrp] read cancelled");
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, read_cancelled_in_idle, g_object_ref (self), g_object_unref);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

static void
on_read_async (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  MsrpTransport *self = user_data;
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  self->async_read_pending = FALSE;
  if (self->close_waits_for_read)
    {
      self->close_waits_for_read = FALSE;
      finish_close (self);
    }
  if (!reading (self))
    {
      /* Closed meanwhile. */
      g_clear_error (&error);
      g_object_unref (self);
      return;
    }
  if (n > 0)
    self->rlen += n;
  else if (n == 0)
    on_read_eof (self);
  else
    self->read_error = error;

  /* A cancelled read loses nothing: what came stays buffered. */
  self->cork++;
  if (self->read_error == NULL && self->read_task != NULL &&
      g_cancellable_is_cancelled (g_task_get_cancellable (self->read_task)))
    {
      g_autoptr(GTask) task = take_read_task (self);

      g_task_return_error_if_cancelled (task);
    }
  else
    process (self);
  uncork (self);
  g_object_unref (self);
}

static void
read_more (MsrpTransport *self)
{
  GCancellable *cancellable = self->read_task ? g_task_get_cancellable (self->read_task) : NULL;
  GError *error = NULL;
  gboolean wait;
  gssize n;

  self->debug = debug_enabled ();
  if (cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_autoptr(GTask) task = take_read_task (self);

      g_task_return_error (task, error);
      return;
    }

  if (!self->can_poll)
    {
      /* Streams that cannot poll: closing stops the read through our
       * cancellable; the caller's is only looked at when data comes. */
      self->async_read_pending = TRUE;
      g_input_stream_read_async (self->input, self->rbuf + self->rlen, READ_BUFFER_SIZE - self->rlen,
                                 G_PRIORITY_DEFAULT, self->cancellable,
                                 on_read_async, g_object_ref (self));
      return;
    }

  /* A read just asked for waits for the stream: what comes is then handed
   * out from its source, not a main-loop turn later through an idle (as a
   * GTask returned at once would be). */
  wait = self->poll_first;
  self->poll_first = FALSE;
  if (wait && self->tls_maybe_pending)
    {
      /* Data a TLS stream holds decrypted (a read asked for less than a
       * record, or the handshake read it) does not show on the socket: the
       * source is made ready, to read a turn later. */
      start_read_source (self);
      g_source_set_ready_time (self->read_source, 0);
      return;
    }
  n = wait ? -1 : g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->input),
                                                            self->rbuf + self->rlen,
                                                            READ_BUFFER_SIZE - self->rlen,
                                                            NULL, &error);
  if (n > 0)
    {
      self->rlen += n;
      /* Under TLS (coalesce), on read_fd */
      self->tls_maybe_pending = self->read_fd >= 0 && self->coalesce;
      process (self);
    }
  else if (n == 0)
    {
      on_read_eof (self);
      process (self);
    }
  else if (wait || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_clear_error (&error);
      self->tls_maybe_pending = FALSE;
      start_read_source (self);
    }
  else
    {
      self->read_error = error;
      process (self);
    }
}

/**
 * msrp_transport_read_chunk_async:
 * @transport: a #MsrpTransport
 * @max_size: the most body bytes to hand out in one chunk, or 0 for no
 *   limit
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when a chunk was read
 * @user_data: data for @callback
 *
 * Reads the next chunk, request or response. Only one read may be pending.
 *
 * With @max_size, a longer body is handed out in parts as it arrives:
 * "virtual" chunks with the same headers, a Byte-Range for the part, the
 * continuation flag %MSRP_CONTINUATION_MORE but on the last part (which
 * has the chunk's own flag), and [method@Msrp.Chunk.get_segment] 1, 2, ...
 * Memory then stays bounded whatever the peer sends.
 *
 * Cancelling a read loses nothing: the next read goes on where it stopped.
 *
 * Since: 1.0
 */
void
msrp_transport_read_chunk_async (MsrpTransport       *transport,
                                 gsize                max_size,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MSRP_IS_TRANSPORT (transport));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (transport, cancellable, callback, user_data);
  g_task_set_name (task, "[msrp] read chunk");
  g_task_set_source_tag (task, msrp_transport_read_chunk_async);

  if (reading (transport))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "%s", _("Another read is already pending on this MSRP connection"));
      g_object_unref (task);
      return;
    }
  if (transport->closed || transport->close_task != NULL)
    {
      g_task_return_new_error (task, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                               "%s", _("The MSRP connection is closed"));
      g_object_unref (task);
      return;
    }

  transport->read_task = task;
  transport->max_size = max_size;
  /* Cancelling fails the read at once; a stream that cannot poll only
   * looks when data comes (its read cannot be stopped without loss). */
  if (cancellable != NULL && transport->can_poll)
    transport->read_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_read_cancelled),
                                                       transport, NULL);
  transport->poll_first = TRUE;
  process (transport);
  transport->poll_first = FALSE;
}

/**
 * msrp_transport_read_chunk_finish:
 * @transport: a #MsrpTransport
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Transport.read_chunk_async].
 *
 * Returns: (transfer full): the chunk, or %NULL with @error set:
 *   %MSRP_ERROR_CONNECTION_CLOSED when the peer closed the connection
 *   between chunks, %MSRP_ERROR_CHUNK_TRUNCATED when it did in the middle
 *   of one,
 *   %MSRP_ERROR_MALFORMED_CHUNK (or another parser error) when it sent
 *   data that cannot be framed, or the stream's own error
 *
 * Since: 1.0
 */
MsrpChunk *
msrp_transport_read_chunk_finish (MsrpTransport *transport,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), NULL);
  g_return_val_if_fail (g_task_is_valid (result, transport), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == msrp_transport_read_chunk_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Closing */

typedef struct {
  MsrpTransport *transport;
  MsrpTransportReadFunc func;
  gpointer data;
  MsrpChunk *chunk;
  GError *error;
} DeferredRead;

static gboolean
deferred_read_in_idle (gpointer user_data)
{
  DeferredRead *dr = user_data;

  dr->func (dr->transport, g_steal_pointer (&dr->chunk), g_steal_pointer (&dr->error), dr->data);
  return G_SOURCE_REMOVE;
}

static void
deferred_read_free (gpointer user_data)
{
  DeferredRead *dr = user_data;

  g_clear_object (&dr->chunk);
  g_clear_error (&dr->error);
  g_object_unref (dr->transport);
  g_free (dr);
}

/* Completes the library's own read a main-loop turn later, as a GTask
 * would: its callback does not run inside a close or a read call. */
static void
deliver_read_in_idle (MsrpTransport *self,
                      MsrpChunk     *chunk,
                      GError        *error)
{
  DeferredRead *dr = g_new0 (DeferredRead, 1);
  GSource *idle = g_idle_source_new ();

  dr->transport = g_object_ref (self);
  dr->func = g_steal_pointer (&self->read_func);
  dr->data = g_steal_pointer (&self->read_func_data);
  dr->chunk = chunk;
  dr->error = error;
  g_source_set_static_name (idle, "[msrp] read done");
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, deferred_read_in_idle, dr, deferred_read_free);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

void
_msrp_transport_read_with_callback (MsrpTransport         *transport,
                                    gsize                  max_size,
                                    MsrpTransportReadFunc  func,
                                    gpointer               user_data)
{
  g_return_if_fail (MSRP_IS_TRANSPORT (transport));
  g_return_if_fail (func != NULL);
  g_return_if_fail (!reading (transport));

  transport->read_func = func;
  transport->read_func_data = user_data;
  transport->max_size = max_size;
  if (transport->closed || transport->close_task != NULL)
    {
      deliver_read_in_idle (transport, NULL,
                            g_error_new_literal (MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                                                 _("The MSRP connection is closed")));
      return;
    }
  /* What is known already goes out a turn later, never from inside: also
   * a chunk whose bytes are buffered (the caller may still be setting up,
   * as a new session connecting its signals is). */
  parse_buffered (transport);
  if (!g_queue_is_empty (&transport->ready))
    {
      deliver_read_in_idle (transport, g_queue_pop_head (&transport->ready), NULL);
      return;
    }
  if (transport->read_error != NULL)
    {
      stop_read_source (transport);
      deliver_read_in_idle (transport, NULL, g_error_copy (transport->read_error));
      return;
    }
  transport->poll_first = TRUE;
  process (transport);
  transport->poll_first = FALSE;
}

gboolean
_msrp_transport_cancel_read (MsrpTransport *transport)
{
  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), FALSE);

  if (transport->read_func == NULL)
    return FALSE;
  transport->read_func = NULL;
  transport->read_func_data = NULL;
  return TRUE;
}

static void
on_stream_closed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_io_stream_close_finish (G_IO_STREAM (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
finish_close (MsrpTransport *self)
{
  GTask *task;

  /* A stream does not close while an operation runs on it. */
  if (self->async_read_pending)
    {
      self->close_waits_for_read = TRUE;
      g_cancellable_cancel (self->cancellable);
      return;
    }

  task = g_steal_pointer (&self->close_task);

  g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                           on_stream_closed, task);
}

/**
 * msrp_transport_close_async:
 * @transport: a #MsrpTransport
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the connection is closed
 * @user_data: data for @callback
 *
 * Closes the transport: chunks already queued for writing go out first,
 * then the stream is closed. A pending read fails with
 * %MSRP_ERROR_CONNECTION_CLOSED, and so does every later operation.
 *
 * Since: 1.0
 */
void
msrp_transport_close_async (MsrpTransport       *transport,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MSRP_IS_TRANSPORT (transport));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (transport, cancellable, callback, user_data);
  g_task_set_name (task, "[msrp] close");
  g_task_set_source_tag (task, msrp_transport_close_async);

  if (transport->close_task != NULL || (transport->closed && transport->writing == NULL &&
                                        g_io_stream_is_closed (transport->stream)))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  transport->closed = TRUE;
  transport->close_task = task;

  stop_read_source (transport);
  if (transport->read_task != NULL)
    {
      g_autoptr(GTask) read_task = take_read_task (transport);

      g_task_return_new_error (read_task, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                               "%s", _("The MSRP connection is closed"));
    }
  else if (transport->read_func != NULL)
    deliver_read_in_idle (transport, NULL,
                          g_error_new_literal (MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                                               _("The MSRP connection is closed")));

  if (transport->writing == NULL)
    start_next_write (transport);
}

/**
 * msrp_transport_close_finish:
 * @transport: a #MsrpTransport
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Transport.close_async].
 *
 * Returns: %TRUE when the stream closed cleanly
 *
 * Since: 1.0
 */
gboolean
msrp_transport_close_finish (MsrpTransport *transport,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, transport), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == msrp_transport_close_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_msrp_transport_unread (MsrpTransport *transport,
                        MsrpChunk     *chunk)
{
  g_queue_push_head (&transport->ready, g_object_ref (chunk));
}

void
_msrp_transport_set_paths (MsrpTransport *transport,
                           GPtrArray     *local_path,
                           GPtrArray     *remote_path)
{
  g_return_if_fail (MSRP_IS_TRANSPORT (transport));

  g_clear_pointer (&transport->local_path, g_ptr_array_unref);
  transport->local_path = _msrp_path_copy (local_path);
  g_clear_pointer (&transport->remote_path, g_ptr_array_unref);
  transport->remote_path = _msrp_path_copy (remote_path);
  clear_encoded_paths (transport);
  g_object_notify_by_pspec (G_OBJECT (transport), properties[PROP_LOCAL_PATH]);
  g_object_notify_by_pspec (G_OBJECT (transport), properties[PROP_REMOTE_PATH]);
}

void
_msrp_transport_set_route (MsrpTransport *transport,
                           GPtrArray     *route)
{
  g_return_if_fail (MSRP_IS_TRANSPORT (transport));

  g_clear_pointer (&transport->route, g_ptr_array_unref);
  if (route != NULL && route->len > 0)
    transport->route = _msrp_path_copy (route);
  clear_encoded_paths (transport);
}

gboolean
_msrp_transport_get_through_relay (MsrpTransport *transport)
{
  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), FALSE);

  return transport->route != NULL;
}
