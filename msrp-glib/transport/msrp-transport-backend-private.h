/* msrp-transport-backend-private.h: the parts of MsrpTransport and the
 * backends under it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * MsrpTransport is split in parts around this header: the object and its
 * public API (msrp-transport.c), reading (msrp-transport-read.c), writing
 * (msrp-transport-write.c). What the connection is lies in a backend
 * (msrp-transport-socket.c: a socket, TLS over one, or any GIOStream): the
 * parts move bytes through its vtable, one call a system call at most, as
 * libsoup's SoupClientMessageIO does for HTTP/1 and HTTP/2.
 */

#pragma once

#include "msrp-transport.h"
#include "msrp-transport-private.h"
#include "msrp-chunk-private.h"
#include "msrp-chunk-parser-private.h"
#include "msrp-uri.h"
#include "msrp-utils-private.h"

G_BEGIN_DECLS

#define _MSRP_TRANSPORT_READ_BUFFER_SIZE (128 * 1024)

typedef struct _MsrpTransportBackend MsrpTransportBackend;

typedef enum {
  /* read() never blocks and want_read() watches for data. Without it,
   * read() starts an asynchronous read (a stream that cannot poll). */
  MSRP_TRANSPORT_BACKEND_POLLS = 1 << 0,
  /* writev() is tried at once and want_write() waits for room; without
   * it, every batch goes to writev_async(). */
  MSRP_TRANSPORT_BACKEND_WRITES_NOW = 1 << 1,
  /* Each write is costly (a TLS record): small pieces of a batch are
   * copied into one buffer first. */
  MSRP_TRANSPORT_BACKEND_COALESCE = 1 << 2,
  /* Message-oriented (a WebSocket, RFC 7977: one chunk a message): a
   * batch never holds two chunks, and writev() is told where a chunk
   * ends, so that the backend sends a message then (the pieces of an
   * interruptible chunk come in several writes; the last has
   * @chunk_end). read() may hand out whole messages: the parser does
   * not need them cut anywhere. */
  MSRP_TRANSPORT_BACKEND_FRAMED = 1 << 3,
  /* A read() that returns less than asked for took all there was (a plain
   * socket; not TLS, whose reads return a record at most). */
  MSRP_TRANSPORT_BACKEND_SHORT_READ_DRAINS = 1 << 4,
} MsrpTransportBackendFlags;

typedef struct {
  /* Reads what is there into @buffer: the count, 0 at the end of the
   * stream, or -1 with @error set (G_IO_ERROR_WOULD_BLOCK: nothing now;
   * then want_read). Without POLLS it starts reading into @buffer and
   * returns -1 with no error, then reports with _msrp_transport_read_done(). */
  gssize          (*read)         (MsrpTransportBackend  *backend,
                                   guint8                *buffer,
                                   gsize                  size,
                                   GError               **error);
  /* Watches for data: calls _msrp_transport_readable() while a read may
   * return some, until called with FALSE. (Data the backend holds already
   * counts: it is made to show at once.) */
  void            (*want_read)    (MsrpTransportBackend  *backend,
                                   gboolean               want);
  /* WRITES_NOW: writes what it can of @vectors without blocking, and sets
   * @written. @chunk_end: the last vector ends a chunk (FRAMED). */
  GPollableReturn (*writev)       (MsrpTransportBackend  *backend,
                                   const GOutputVector   *vectors,
                                   gsize                  n_vectors,
                                   gboolean               chunk_end,
                                   gsize                 *written,
                                   GError               **error);
  /* WRITES_NOW: calls _msrp_transport_writable() when writev() can take
   * more, until called with FALSE. */
  void            (*want_write)   (MsrpTransportBackend  *backend,
                                   gboolean               want);
  /* Without WRITES_NOW: writes all of @vectors (they stay valid until
   * then), then calls _msrp_transport_written(). */
  void            (*writev_async) (MsrpTransportBackend  *backend,
                                   GOutputVector         *vectors,
                                   gsize                  n_vectors);
  /* Closes the connection and returns on @task (takes it): TRUE. FALSE
   * when it cannot yet (an operation runs on it): it calls
   * _msrp_transport_finish_close() again once it can. */
  gboolean        (*close)        (MsrpTransportBackend  *backend,
                                   GTask                 *task);
  void            (*free)         (MsrpTransportBackend  *backend);
} MsrpTransportBackendFuncs;

struct _MsrpTransportBackend
{
  const MsrpTransportBackendFuncs *funcs;
  MsrpTransport *transport;     /* it owns the backend */
  MsrpTransportBackendFlags flags;
};

/* A GIOStream: a socket connection, TLS over one (read, written and
 * waited for on the socket's fd), or any other stream. */
MsrpTransportBackend *_msrp_transport_socket_backend_new (MsrpTransport *transport,
                                                          GIOStream     *stream);

/* Where the batch being written is. A batch is the chunks (and slices)
 * that go out in one write; the write state machine in
 * msrp-transport-write.c moves it along:
 *
 *   IDLE → BATCHING                   start_write() puts a batch together
 *   BATCHING → IDLE                   nothing to write, or it went out at
 *                                     once and finish_batch() ran
 *   BATCHING → IN_FLIGHT → IDLE       the backend writes it asynchronously
 *   BATCHING → WAITING → IDLE         part went out; the rest when there is room
 *   BATCHING → FINISH_PENDING → IDLE  it went out, but is finished later:
 *                                     when the cork is off, or in an idle
 *
 * The cork is not a state of the batch: it counts the nested callbacks
 * (reads, write completions) whose writes are held back to go out
 * together; flush_pending says a write was held back. */
typedef enum {
  MSRP_WRITE_IDLE,
  MSRP_WRITE_BATCHING,
  MSRP_WRITE_IN_FLIGHT,
  MSRP_WRITE_WAITING,
  MSRP_WRITE_FINISH_PENDING,
} MsrpWriteState;

struct _MsrpTransport
{
  GObject parent_instance;

  GIOStream *stream;
  MsrpTransportBackend *backend;
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
  MsrpTransportIdleFunc idle_func; /* told when they are dropped */
  gpointer idle_data;
  /* They are dropped once the connection was quiet for a while: a
   * connection that is read from now and then keeps them. */
  struct _MsrpPollerTimer *memo_timer;  /* only while they wait to go */
  gint64 quiet_since;
  /* Ours, cancelled by close and dispose: made for the first operation
   * that takes it (a stream that cannot poll), see
   * _msrp_transport_get_cancellable(). */
  GCancellable *cancellable;

  /* Reading */
  /* Both only while bytes or a chunk are in them: an idle transport holds
   * neither (see _msrp_transport_release_read_buffer()). */
  MsrpChunkParser *parser;
  guint8 *rbuf;                 /* NULL, its own, or the thread's shared one */
  gsize rpos, rlen;
  gboolean rbuf_shared;
  GTask *read_task;
  gulong read_cancel_id;        /* on the read task's cancellable */
  /* Or the library's own read, without a GTask: one a chunk adds up. */
  MsrpTransportReadFunc read_func;
  gpointer read_func_data;
  gsize max_size;
  MsrpChunk *cur;               /* the chunk whose body is being read */
  GByteArray *cur_body;
  gsize cur_body_room;          /* bytes cur_body was made for */
  gint64 cur_start;
  gint64 cur_end;               /* its Byte-Range end, -1 for `*` */
  gint64 cur_total;             /* its Byte-Range total, -1 for `*` */
  gint64 seg_offset;
  guint segment;
  gboolean cur_refused;         /* its body is dropped: it was answered 400 */
  GQueue ready;                 /* chunks read but not handed out yet */
  GError *read_error;           /* sticky: the stream cannot be read on */
  gboolean poll_first;          /* a new read waits for the stream first */
  guint delivering;             /* a read's callback runs */
  gsize turn_bytes;             /* read in this turn of the main loop */
  guint requests_read;          /* up to YOUNG_REQUESTS + 1 */
  gboolean read_dry;            /* the last read took all there was */

  /* Writing */
  MsrpWriteState write_state;
  GQueue write_queue;           /* of WriteData */
  GPtrArray *writing;           /* the batch: WriteData, NULL when IDLE */
  GArray *vectors;              /* their GOutputVectors; NULL when idle */
  GByteArray *coalesced;        /* the batch in one buffer (COALESCE); NULL when idle */
  struct _WriteData *open_write; /* an interruptible chunk between two slices */
  GError *written_error;        /* FINISH_PENDING: how the batch failed */
  guint cork;
  guint held;                   /* of the cork: _msrp_transport_hold_writes() */
  guint finishing;              /* a written batch's callbacks run */
  gboolean flush_pending;
  gboolean finish_source_pending; /* an idle finishes the written batch */
  GTask *close_task;
  gboolean closed;

  /* A connection shared by several transports (msrp-transport-mux.c):
   * its backend reads and writes for the mux, not for this transport. */
  struct _MsrpMux *mux;
};

/* A read is waiting, the public one or the library's own (or the mux's,
 * which reads for as long as it holds the connection). */
static inline gboolean
_msrp_transport_reading (MsrpTransport *self)
{
  return self->read_task != NULL || self->read_func != NULL || self->mux != NULL;
}

static inline GCancellable *
_msrp_transport_get_cancellable (MsrpTransport *self)
{
  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  return self->cancellable;
}

static inline MsrpUri *
_msrp_transport_local_uri (MsrpTransport *self)
{
  return self->local_path->len ? g_ptr_array_index (self->local_path, self->local_path->len - 1) : NULL;
}

static inline MsrpUri *
_msrp_transport_remote_uri (MsrpTransport *self)
{
  return self->remote_path->len ? g_ptr_array_index (self->remote_path, self->remote_path->len - 1) : NULL;
}

/* msrp-transport.c */
gboolean  _msrp_transport_debug_enabled   (void);
void      _msrp_transport_debug_traffic   (MsrpTransport *self,
                                           const char    *direction,
                                           GBytes        *data);
MsrpUri  *_msrp_transport_first_hop       (MsrpTransport *self);
gboolean  _msrp_transport_local_from_path (MsrpTransport *self);
gboolean  _msrp_transport_answer_to_path  (MsrpTransport *self,
                                           MsrpChunk     *request);
GError   *_msrp_transport_closed_error    (void);
/* A g_io_stream_close_async() callback that returns its result in the
 * GTask given as data. */
void      _msrp_transport_stream_closed   (GObject       *source,
                                           GAsyncResult  *result,
                                           gpointer       task);
/* Closes the stream once the writes before the close are out. */
void      _msrp_transport_finish_close    (MsrpTransport *self);

/* msrp-transport-read.c */
extern const MsrpChunkParserCallbacks _msrp_transport_parser_callbacks;
/* The backend may have data: reads on, corked. */
void      _msrp_transport_readable        (MsrpTransport *self);
/* A backend's asynchronous read put @n bytes at the end of the read
 * buffer (0: the end of the stream; -1: @error, taken). */
void      _msrp_transport_read_done       (MsrpTransport *self,
                                           gssize         n,
                                           GError        *error);
/* Fails the pending read, if any, as closed. */
void      _msrp_transport_fail_read       (MsrpTransport *self);
/* Gives back the read buffer and the parser when nothing is in them, and
 * moves what is left in the shared buffer to one of the transport's own:
 * called whenever reading returns to the main loop. */
void      _msrp_transport_release_read_buffer (MsrpTransport *self);
/* Frees them whatever is in them (finalize). */
void      _msrp_transport_free_read_buffer (MsrpTransport *self);

/* msrp-transport-mux.c: a connection shared by several transports got
 * readable or writable. */
void      _msrp_mux_readable              (struct _MsrpMux *mux);
void      _msrp_mux_writable              (struct _MsrpMux *mux);

/* msrp-transport-write.c */
void      _msrp_transport_start_writes    (MsrpTransport *self);
void      _msrp_transport_uncork          (MsrpTransport *self);
/* The backend has room for more of the batch (WRITES_NOW). */
void      _msrp_transport_writable        (MsrpTransport *self);
/* The backend's writev_async() is done (failed: takes @error). */
void      _msrp_transport_written         (MsrpTransport *self,
                                           GError        *error);
/* A batch that went out is told done now, not when the cork is off. */
gboolean  _msrp_transport_finish_written  (MsrpTransport *self);

G_END_DECLS
