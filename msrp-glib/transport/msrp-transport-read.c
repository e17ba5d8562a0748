/* msrp-transport-read.c: MsrpTransport, reading
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The parser's callbacks make chunks (or the parts of a long body, as
 * "virtual" chunks) into the ready queue; reads take them from there,
 * and read on from the backend when it is empty.
 */

#include "config.h"

#include <string.h>

#include "msrp-transport-backend-private.h"
#include "msrp-poller-private.h"
#include "msrp-chunk-private.h"
#include "msrp-error.h"
#include "msrp-uri-private.h"

/* The most a body buffer is made for ahead, trusting the Byte-Range. */
#define MAX_BODY_PREALLOC (1024 * 1024)
/* The most read in one turn of the main loop while reads follow one
 * another (a file coming in): then other sources run. */
#define READ_TURN_MAX (1024 * 1024)

static void read_more (MsrpTransport *self);

/* The read buffer's life cycle
 *
 * A transport holds a read buffer and a parser only while bytes or a
 * chunk are in them, as nginx does, so that a connection whose peer says
 * nothing costs little. A polling backend reads into a buffer that the
 * transports of a thread share; what is left in it when the transport
 * returns to the main loop moves to a buffer of its own, which is freed
 * once it is empty. A backend whose reads complete later keeps its own. */

/* Buffers of their own that busy transports gave back, kept for the next
 * one: a transport that is left with part of a chunk at the end of every
 * wake-up (small chunks, pipelined) takes one each time, and a malloc and
 * free of 128 KiB a wake-up cost a fifth of TLS pipelined throughput. */
#define SPARE_READ_BUFFERS 4

typedef struct {
  guint8 *data;
  MsrpTransport *owner;         /* the transport reading from it, or NULL */
  guint8 *spare[SPARE_READ_BUFFERS];
  guint n_spare;
} SharedReadBuffer;

static void
shared_read_buffer_free (gpointer data)
{
  SharedReadBuffer *shared = data;

  g_free (shared->data);
  for (guint i = 0; i < shared->n_spare; i++)
    g_free (shared->spare[i]);
  g_free (shared);
}

static SharedReadBuffer *
get_shared_read_buffer (void)
{
  static GPrivate key = G_PRIVATE_INIT (shared_read_buffer_free);
  SharedReadBuffer *shared = g_private_get (&key);

  if (G_UNLIKELY (shared == NULL))
    {
      shared = g_new0 (SharedReadBuffer, 1);
      shared->data = g_malloc (_MSRP_TRANSPORT_READ_BUFFER_SIZE);
      g_private_set (&key, shared);
    }
  return shared;
}

static guint8 *
own_read_buffer_new (void)
{
  SharedReadBuffer *shared = get_shared_read_buffer ();

  if (shared->n_spare > 0)
    return shared->spare[--shared->n_spare];
  return g_malloc (_MSRP_TRANSPORT_READ_BUFFER_SIZE);
}

static void
own_read_buffer_free (guint8 *data)
{
  SharedReadBuffer *shared = get_shared_read_buffer ();

  if (shared->n_spare < SPARE_READ_BUFFERS)
    shared->spare[shared->n_spare++] = data;
  else
    g_free (data);
}

static inline void
ensure_parser (MsrpTransport *self)
{
  if (G_UNLIKELY (self->parser == NULL))
    self->parser = _msrp_chunk_parser_new (&_msrp_transport_parser_callbacks, self);
}

/* Room to read into: the shared buffer unless another transport is
 * reading from it (a read started from inside that one's callback). */
static inline void
ensure_read_buffer (MsrpTransport *self)
{
  SharedReadBuffer *shared;

  if (G_LIKELY (self->rbuf != NULL))
    return;
  self->rpos = self->rlen = 0;
  if (self->backend->flags & MSRP_TRANSPORT_BACKEND_POLLS)
    {
      shared = get_shared_read_buffer ();
      if (shared->owner == NULL)
        {
          shared->owner = self;
          self->rbuf = shared->data;
          self->rbuf_shared = TRUE;
          return;
        }
    }
  self->rbuf = own_read_buffer_new ();
  self->rbuf_shared = FALSE;
}

/* How long a quiet connection that was busy keeps the parsed paths of its
 * last request (and its owner what hangs on them). */
#define MEMO_LINGER_USEC G_USEC_PER_SEC

static gint64 memo_linger_usec = MEMO_LINGER_USEC;

/* Up to this many requests read, a connection is new (see below). */
#define YOUNG_REQUESTS 8

static gboolean
holds_memos (MsrpTransport *self)
{
  return self->read_memos[0].path != NULL || self->read_memos[1].path != NULL ||
         self->answer_uri != NULL || self->answer_encoded.path != NULL;
}

static void
drop_memos (MsrpTransport *self)
{
  _msrp_poller_timer_clear (&self->memo_timer);
  _msrp_path_memo_clear (&self->read_memos[0]);
  _msrp_path_memo_clear (&self->read_memos[1]);
  g_clear_object (&self->answer_uri);
  _msrp_path_memo_clear (&self->answer_encoded);
  if (self->idle_func != NULL)
    self->idle_func (self, self->idle_data);
}

static void
on_memo_timer (gpointer user_data)
{
  MsrpTransport *self = user_data;
  gint64 due = self->quiet_since + memo_linger_usec;
  gint64 now = g_get_monotonic_time ();

  /* Read from since: looked at again when that read would be due. */
  if (self->parser != NULL || self->rbuf != NULL || now < due)
    _msrp_poller_timer_start_at (self->memo_timer, MAX (due, now + memo_linger_usec / 4));
  else
    drop_memos (self);
}

void
_msrp_transport_release_read_buffer (MsrpTransport *self)
{
  /* An asynchronous read may be filling it. */
  if (self->rbuf != NULL && (self->backend->flags & MSRP_TRANSPORT_BACKEND_POLLS))
    {
      if (self->rpos == self->rlen)
        {
          if (self->rbuf_shared)
            get_shared_read_buffer ()->owner = NULL;
          else
            own_read_buffer_free (self->rbuf);
          self->rbuf = NULL;
          self->rpos = self->rlen = 0;
        }
      else if (self->rbuf_shared)
        {
          guint8 *own = own_read_buffer_new ();

          memcpy (own, self->rbuf + self->rpos, self->rlen - self->rpos);
          self->rlen -= self->rpos;
          self->rpos = 0;
          get_shared_read_buffer ()->owner = NULL;
          self->rbuf = own;
          self->rbuf_shared = FALSE;
        }
    }
  if (self->parser != NULL && self->cur == NULL && _msrp_chunk_parser_is_idle (self->parser))
    g_clear_pointer (&self->parser, _msrp_chunk_parser_free);
  if (self->parser != NULL || self->rbuf != NULL || !holds_memos (self))
    return;
  /* Idle: the paths of the last request go too (some 400 bytes with their
   * URIs, and what the owner keeps of them). A connection that brought few
   * requests yet (a session that authenticated and bound, and may now be
   * quiet for hours) lets them go at once; one in use (a chat, a file, a
   * pipelining peer: each wake-up may bring a single request) keeps them
   * until it has been quiet for a while, not to parse its paths and work
   * out its route again for every wake-up. */
  if (memo_linger_usec == 0 || self->requests_read <= YOUNG_REQUESTS)
    {
      drop_memos (self);
      return;
    }
  self->quiet_since = g_get_monotonic_time ();
  if (self->memo_timer == NULL)
    self->memo_timer = _msrp_poller_timer_new (self->context, G_PRIORITY_DEFAULT, on_memo_timer, self);
  /* A busy connection moves no timer: it is looked at when it fires. */
  if (!_msrp_poller_timer_is_active (self->memo_timer))
    _msrp_poller_timer_start_at (self->memo_timer, self->quiet_since + memo_linger_usec);
}

void
_msrp_transport_set_memo_linger (gint64 usec)
{
  memo_linger_usec = usec;
}

void
_msrp_transport_set_idle_func (MsrpTransport         *transport,
                               MsrpTransportIdleFunc  func,
                               gpointer               user_data)
{
  g_return_if_fail (MSRP_IS_TRANSPORT (transport));

  transport->idle_func = func;
  transport->idle_data = user_data;
}

gboolean
_msrp_transport_holds_read_state (MsrpTransport *transport)
{
  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), FALSE);

  return transport->rbuf != NULL || transport->parser != NULL ||
         transport->read_memos[0].path != NULL || transport->read_memos[1].path != NULL ||
         transport->answer_uri != NULL;
}

void
_msrp_transport_free_read_buffer (MsrpTransport *self)
{
  if (self->rbuf_shared)
    get_shared_read_buffer ()->owner = NULL;
  else
    g_free (self->rbuf);
  self->rbuf = NULL;
  self->rpos = self->rlen = 0;
  g_clear_pointer (&self->parser, _msrp_chunk_parser_free);
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
    _msrp_transport_debug_traffic (self, "<<<", bytes);
}

/* A buffer for (the next part of) the body being read, as large as its
 * Byte-Range tells, so that it is not grown by copying (and reads can go
 * straight into it). */
static GByteArray *
new_body (MsrpTransport *self,
          gint64         offset)
{
  gint64 expected = 0;

  if (self->cur_end >= self->cur_start)
    expected = self->cur_end - self->cur_start + 1 - offset;
  if (self->max_size > 0)
    expected = MIN (expected, (gint64) self->max_size);
  self->cur_body_room = CLAMP (expected, 0, MAX_BODY_PREALLOC);
  return g_byte_array_sized_new (self->cur_body_room);
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
    {
      _msrp_chunk_parse_paths (self->cur, self->read_memos);
      if (self->requests_read <= YOUNG_REQUESTS)
        self->requests_read++;
    }
  /* Parsed once a chunk: its parts (make_segment) are numbered from it. */
  msrp_chunk_get_byte_range (self->cur, &self->cur_start, &self->cur_end, &self->cur_total);
  self->seg_offset = 0;
  self->segment = 0;
  self->cur_refused = FALSE;
  g_clear_pointer (&self->cur_body, g_byte_array_unref);
  if (head->has_body)
    self->cur_body = new_body (self, 0);

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

  msrp_chunk_set_byte_range (part, self->cur_start + self->seg_offset,
                             self->cur_start + self->seg_offset + len - 1, self->cur_total);
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
      /* Read straight there (read_into_body()): only counted. */
      if (data == self->cur_body->data + self->cur_body->len)
        g_byte_array_set_size (self->cur_body, self->cur_body->len + take);
      else
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

      if (_msrp_transport_remote_uri (self) == NULL || _msrp_transport_local_uri (self) == NULL)
        return;
      response = msrp_chunk_new_response (tid, MSRP_STATUS_BAD_REQUEST, NULL);
      to = _msrp_path_new_single (_msrp_transport_first_hop (self));
      from = _msrp_path_new_single (_msrp_transport_local_uri (self));
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

const MsrpChunkParserCallbacks _msrp_transport_parser_callbacks = {
  .head = on_head,
  .body = on_body,
  .end = on_end,
  .malformed = on_malformed,
};

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
    self->backend->funcs->want_read (self->backend, FALSE);

  self->delivering++;
  if (!g_queue_is_empty (&self->ready))
    deliver_read (self, g_queue_pop_head (&self->ready), NULL);
  else
    deliver_read (self, NULL, g_error_copy (self->read_error));
  self->delivering--;
}

/* Feeds the parser what is buffered, up to the end of a chunk. */
static inline void
feed_buffered (MsrpTransport *self)
{
  gsize used = 0;
  GError *error = NULL;

  ensure_parser (self);
  if (!_msrp_chunk_parser_feed (self->parser, self->rbuf + self->rpos,
                               self->rlen - self->rpos, &used, &error))
    self->read_error = error;
  self->rpos += used;
  if (self->rpos == self->rlen)
    self->rpos = self->rlen = 0;
}

/* Parses buffered bytes until a chunk is ready or they run out. */
static void
parse_buffered (MsrpTransport *self)
{
  while (g_queue_is_empty (&self->ready) && self->read_error == NULL && self->rpos < self->rlen)
    feed_buffered (self);
}

MsrpChunk *
_msrp_transport_read_buffered (MsrpTransport *transport,
                               gsize          max_size)
{
  MsrpChunk *chunk;

  if (_msrp_transport_reading (transport) || transport->closed || transport->close_task != NULL)
    return NULL;
  transport->max_size = max_size;
  parse_buffered (transport);
  chunk = g_queue_pop_head (&transport->ready);
  _msrp_transport_release_read_buffer (transport);
  return chunk;
}

static gboolean read_backend (MsrpTransport *self);

/* A long body is read straight into its buffer, rather than into the read
 * buffer and copied from there, when at least this much of it is still to
 * come: less goes through the read buffer, with what follows it. */
#define MIN_BODY_READ (16 * 1024)

/* Where the next read may go into the body being read, and how much: past
 * its bytes so far and those the parser holds back (they come out first),
 * up to where its Byte-Range says it ends, within the room made for it.
 * NULL when the read goes to the read buffer. */
static guint8 *
body_read_target (MsrpTransport *self,
                  gsize         *size)
{
  guint64 promised, got;
  gsize used, want;

  if (self->cur_body == NULL || self->cur_refused || self->rpos < self->rlen ||
      self->cur_end < self->cur_start || !_msrp_chunk_parser_in_body (self->parser))
    return NULL;
  used = self->cur_body->len + _msrp_chunk_parser_get_held (self->parser);
  promised = (guint64) (self->cur_end - self->cur_start) + 1;
  got = (guint64) self->seg_offset + used;
  if (got >= promised || used >= self->cur_body_room)
    return NULL;
  want = MIN (promised - got, self->cur_body_room - used);
  if (self->max_size > 0)
    want = used < self->max_size ? MIN (want, self->max_size - used) : 0;
  want = MIN (want, _MSRP_TRANSPORT_READ_BUFFER_SIZE);
  if (want < MIN_BODY_READ)
    return NULL;
  *size = want;
  return self->cur_body->data + used;
}

/* Parses @len bytes read straight into the body buffer at @data. The
 * parser's body callback finds them in place (append_body()); whatever
 * follows the body there (when the peer ended it early) is parsed from
 * there too, while the buffer is kept alive. */
static void
parse_body_read (MsrpTransport *self,
                 const guint8  *data,
                 gsize          len)
{
  g_autoptr(GByteArray) body = g_byte_array_ref (self->cur_body);
  GError *error = NULL;
  gsize used = 0;

  if (!_msrp_chunk_parser_feed (self->parser, data, len, &used, &error))
    self->read_error = error;
  else if (used < len && self->read_error == NULL)
    {
      /* A callback paused the parser: the rest waits in the read buffer,
       * which is empty (the body is read into only then). */
      memcpy (self->rbuf, data + used, len - used);
      self->rpos = 0;
      self->rlen = len - used;
    }
}

/* Parses what is buffered until a chunk is ready; reads more if needed.
 * The library's own reads follow one another here, asked for from the
 * callback of the one before: one turn of the main loop reads on until
 * the backend has nothing more, or READ_TURN_MAX bytes came. */
static void
process (MsrpTransport *self)
{
  while (_msrp_transport_reading (self))
    {
      if (!g_queue_is_empty (&self->ready) || self->read_error != NULL)
        {
          /* The writes that went out are told done before the end of
           * the connection is; their callbacks may stop the read. */
          if (g_queue_is_empty (&self->ready) && _msrp_transport_finish_written (self))
            continue;
          complete_read (self);
          if (self->read_func == NULL || self->read_task != NULL)
            return;
          continue;
        }

      if (self->rpos < self->rlen)
        {
          feed_buffered (self);
          continue;
        }

      if (!read_backend (self))
        return;
    }
}

static void
on_read_eof (MsrpTransport *self)
{
  if (self->parser == NULL || _msrp_chunk_parser_is_idle (self->parser))
    self->read_error = g_error_new_literal (MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                                            _("The peer closed the MSRP connection"));
  else
    self->read_error = g_error_new_literal (MSRP_ERROR, MSRP_ERROR_CHUNK_TRUNCATED,
                                            _("The peer closed the MSRP connection in the middle of a chunk"));
}

/* The backend may have data: what it gives is parsed, and the writes
 * that the reads' callbacks ask for go out together at the end. */
void
_msrp_transport_readable (MsrpTransport *self)
{
  if (self->mux != NULL)
    {
      _msrp_mux_readable (self->mux);
      return;
    }
  self->cork++;
  self->turn_bytes = 0;
  self->read_dry = FALSE;
  read_more (self);
  _msrp_transport_release_read_buffer (self);
  _msrp_transport_uncork (self);
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

void
_msrp_transport_read_done (MsrpTransport *self,
                           gssize         n,
                           GError        *error)
{
  if (!_msrp_transport_reading (self))
    {
      /* Closed meanwhile. */
      g_clear_error (&error);
      return;
    }
  if (n > 0)
    self->rlen += n;
  else if (n == 0)
    on_read_eof (self);
  else
    self->read_error = error;
  self->turn_bytes = 0;

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
  _msrp_transport_release_read_buffer (self);
  _msrp_transport_uncork (self);
}

/* Reads what the backend has into the buffer: TRUE when something came
 * to process (bytes, the end of the stream, an error), FALSE when the
 * read waits (for the stream, or an asynchronous read) or ended
 * (cancelled). */
static gboolean
read_backend (MsrpTransport *self)
{
  GCancellable *cancellable = self->read_task ? g_task_get_cancellable (self->read_task) : NULL;
  GError *error = NULL;
  gboolean wait;
  guint8 *target;
  gsize room;
  gssize n;

  if (cancellable != NULL && g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_autoptr(GTask) task = take_read_task (self);

      g_task_return_error (task, error);
      return FALSE;
    }

  /* A read just asked for waits for the stream: what comes is then handed
   * out from its source, not a main-loop turn later through an idle (as a
   * GTask returned at once would be). So does one after a read that took
   * all there was (it would find nothing). Past READ_TURN_MAX, the rest is
   * read from the next turn, so that other sources are not kept waiting. */
  wait = (self->poll_first || self->read_dry || self->turn_bytes >= READ_TURN_MAX) &&
         (self->backend->flags & MSRP_TRANSPORT_BACKEND_POLLS);
  self->poll_first = FALSE;
  if (wait)
    {
      self->read_dry = FALSE;
      self->backend->funcs->want_read (self->backend, TRUE);
      return FALSE;
    }
  /* The read buffer is needed whichever way the bytes go: what follows a
   * body read in place is left there. */
  ensure_read_buffer (self);
  /* Asynchronous reads (streams that cannot poll) fill the read buffer. */
  if (!(self->backend->flags & MSRP_TRANSPORT_BACKEND_POLLS) ||
      (target = body_read_target (self, &room)) == NULL)
    {
      target = self->rbuf + self->rlen;
      room = _MSRP_TRANSPORT_READ_BUFFER_SIZE - self->rlen;
    }
  n = self->backend->funcs->read (self->backend, target, room, &error);
  if (n > 0)
    {
      self->turn_bytes += n;
      self->read_dry = (gsize) n < room && (self->backend->flags & MSRP_TRANSPORT_BACKEND_SHORT_READ_DRAINS);
      if (target == self->rbuf + self->rlen)
        self->rlen += n;
      else
        parse_body_read (self, target, n);
      return TRUE;
    }
  if (n == 0)
    {
      on_read_eof (self);
      return TRUE;
    }
  if (error == NULL)
    return FALSE; /* An asynchronous read runs: _msrp_transport_read_done() follows. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_clear_error (&error);
      self->backend->funcs->want_read (self->backend, TRUE);
      return FALSE;
    }
  self->read_error = error;
  return TRUE;
}

static void
read_more (MsrpTransport *self)
{
  self->debug = _msrp_transport_debug_enabled ();
  if (read_backend (self))
    process (self);
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

  if (_msrp_transport_reading (transport))
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
  if (cancellable != NULL && (transport->backend->flags & MSRP_TRANSPORT_BACKEND_POLLS))
    transport->read_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_read_cancelled),
                                                       transport, NULL);
  transport->poll_first = TRUE;
  process (transport);
  transport->poll_first = FALSE;
  _msrp_transport_release_read_buffer (transport);
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

/* The library's own reads */

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
  g_return_if_fail (!_msrp_transport_reading (transport));

  transport->read_func = func;
  transport->read_func_data = user_data;
  transport->max_size = max_size;
  if (transport->closed || transport->close_task != NULL)
    {
      deliver_read_in_idle (transport, NULL,
                            _msrp_transport_closed_error ());
      return;
    }
  /* Asked for from the callback of the read before: the read loop goes on
   * with it once the callback returned, in the same turn. */
  if (transport->delivering > 0)
    return;
  /* What is known already goes out a turn later, never from inside: also
   * a chunk whose bytes are buffered (the caller may still be setting up,
   * as a new session connecting its signals is). */
  parse_buffered (transport);
  if (!g_queue_is_empty (&transport->ready))
    deliver_read_in_idle (transport, g_queue_pop_head (&transport->ready), NULL);
  else if (transport->read_error != NULL)
    {
      transport->backend->funcs->want_read (transport->backend, FALSE);
      deliver_read_in_idle (transport, NULL, g_error_copy (transport->read_error));
    }
  else
    {
      transport->poll_first = TRUE;
      process (transport);
      transport->poll_first = FALSE;
    }
  _msrp_transport_release_read_buffer (transport);
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


void
_msrp_transport_fail_read (MsrpTransport *self)
{
  if (self->read_task != NULL)
    {
      g_autoptr(GTask) read_task = take_read_task (self);

      g_task_return_error (read_task, _msrp_transport_closed_error ());
    }
  else if (self->read_func != NULL)
    deliver_read_in_idle (self, NULL, _msrp_transport_closed_error ());
}
