/* msrp-session-private.h: what the parts of MsrpSession share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* MsrpSession is one class in four files around this header:
 *   msrp-session.c               the GObject: properties, signals, the
 *                                public API's entry points, lifecycle, close
 *   msrp-session-transactions.c  outgoing transactions: the table, writes,
 *                                response timeouts, send_chunk_async
 *   msrp-session-outgoing.c      messages and files: the queue, chunking,
 *                                interruption, scheduling, their REPORTs
 *   msrp-session-incoming.c      reading: checks, answers, success REPORTs,
 *                                reassembly (msrp-reassembler.c), pausing
 * Files are read in blocks from msrp-block-pool.c. */

#pragma once

#include "msrp-session.h"
#include "msrp-session-app-private.h"
#include "msrp-error.h"
#include "msrp-block-pool-private.h"
#include "msrp-chunk-private.h"
#include "msrp-outgoing-file-private.h"
#include "msrp-poller-private.h"
#include "msrp-reassembler-private.h"
#include "msrp-transport-private.h"
#include "msrp-uri-private.h"
#include "msrp-utils-private.h"

G_BEGIN_DECLS

typedef struct _OutMsg OutMsg;


typedef struct {
  MsrpSession *session;
  char *tid;            /* in the same block, after the struct */
  GTask *task;          /* send_chunk_async's, or NULL for a message's chunk */
  OutMsg *msg;          /* the message the chunk belongs to, or NULL */
  gboolean counted;     /* msg was told already (Failure-Report partial) */
  MsrpChunk *chunk;     /* its body is dropped once written, all of it
                         * once it lingers */
  gsize size;           /* body bytes: those that went out, once written */
  gsize weight;         /* what it counts against the window */
  MsrpFailureReport failure_report;
  GList *timer_link;    /* in the session's timer queue while armed */
  gint64 deadline;      /* monotonic time the response is due by */
  gboolean lingering;   /* counted already, waiting only for a failure */
} Transaction;

/* A message being sent, from memory or from a stream. */
struct _OutMsg {
  gint ref_count;
  MsrpSession *session;
  GTask *task;
  char *message_id;
  char *content_type;
  GBytes *data;             /* send_message */
  MsrpOutgoingFile *file;   /* send_file */
  GInputStream *stream;
  gint64 total;             /* -1 while unknown */
  gint64 offset;            /* bytes put into chunks so far */
  GBytes *ready;            /* read from the stream, not sent yet */
  GBytes *next_ready;       /* the block read after it */
  MsrpChunk *open_chunk;    /* its interruptible chunk being written */
  GBytes *rest;             /* what a cut chunk did not send (streams) */
  gboolean rest_last;       /* that chunk was the message's last */
  gboolean abort_after_cut; /* failed while its chunk was ending: `#` next */
  gboolean reading;
  MsrpBlock *read_block;    /* the block being read into, or NULL */
  gboolean eof;
  gboolean started;         /* a chunk went out */
  gboolean last_sent;       /* the chunk with `$` went out */
  guint outstanding;        /* chunks waiting for their response */
  gboolean in_sending;      /* in the session's sending queue */
  gboolean waiting;         /* in its waiting queue, not started */
  gboolean holds_slot;      /* counts among the messages started */
  gsize slot_bytes;         /* what it counts in started_bytes */
  gboolean success_report;
  MsrpFailureReport failure_report;
  GList report_link;        /* in the session's report_queue, waiting */
  gint64 report_deadline;   /* monotonic µs its report is due by */
  GCancellable *cancellable;
  gulong cancelled_id;      /* its own handler on cancellable, or */
  GList cancel_link;        /* in the session's cancel_watched, when that */
  gboolean shared_watch;    /* ... watches its cancellable */
  gboolean done;
};

struct _MsrpSession
{
  GObject parent_instance;

  MsrpTransport *transport;
  char **accept_types;
  guint response_timeout;
  gsize max_message_size;
  guint64 max_size;           /* largest message accepted at all, 0: any */
  GMainContext *context;
  GCancellable *cancellable;  /* NULL until _msrp_session_get_cancellable() */

  GHashTable *transactions;   /* tid → Transaction */
  MsrpReassembler *reassembler; /* incoming messages being put together */
  MsrpMessageCheck message_check;
  gpointer message_check_data;
  gsize max_reassembly_size;
  guint max_open_messages;
  GHashTable *refused;        /* tids whose remaining parts are dropped; or NULL */
  GTask *shutdown_task;
  gboolean closed;

  /* Sending messages */
  gsize max_chunk_size;
  gboolean max_chunk_size_set;  /* by the application */
  gboolean success_report;
  MsrpFailureReport failure_report;
  GQueue sending;             /* OutMsg with chunks still to send */
  GQueue waiting;             /* OutMsg not started yet */
  guint msgs_started;         /* OutMsg holding a slot */
  gsize started_bytes;        /* what they may hold at the peer */
  GHashTable *awaiting_report; /* Message-ID → OutMsg */
  /* Messages mostly share one cancellable: one handler on it watches
   * them all, rather than a handler connected and disconnected each. */
  GCancellable *watched_cancellable;
  gulong watched_id;
  GQueue cancel_watched;      /* OutMsg (cancel_link) using it, not done */
  guint msg_writes;           /* message chunks handed to the transport */
  gsize msg_write_bytes;
  guint msg_outstanding;      /* message chunks waiting for a response */
  gsize msg_outstanding_bytes;
  MsrpBlockPool *blocks;
  guint streams_sending;      /* messages from a stream not finished */
  gboolean pumping, pump_again;

  /* Response timeouts: transactions in the order they are due, and one
   * timer that wakes up for the first. */
  GQueue timer_queue;
  MsrpPollerTimer *timer;     /* on the context's one timer queue */
  gint64 timer_due;           /* when it fires; -1 when stopped */
  guint lingering;
  /* Messages waiting for their success REPORT, in the order they are due,
   * and the timer for the first: a GSource each would be walked by every
   * main loop iteration, hundreds of them with a window of messages. */
  GQueue report_queue;
  MsrpPollerTimer *report_timer;
  gint64 report_timer_due;    /* when it fires; -1 when stopped */
  /* The To-Path of the last success REPORT sent: the parsed From-Path it
   * went back along (incoming chunks share one while it stays the same),
   * and its encoding. */
  GPtrArray *report_path;
  char *report_path_value;

  /* Reading */
  guint paused;               /* pause_reading() calls not yet resumed */
  gboolean read_pending;      /* a read_chunk_async() is running */

  /* Keepalive */
  guint keepalive_interval;
  GSource *keepalive_timer;
  gint64 last_activity;
  gboolean keepalive_pending;
};

/* Made for the first file read: most sessions never read one. Cancelled
 * from the start once the session is closed. */
static inline GCancellable *
_msrp_session_get_cancellable (MsrpSession *self)
{
  if (self->cancellable == NULL)
    {
      self->cancellable = g_cancellable_new ();
      if (self->closed)
        g_cancellable_cancel (self->cancellable);
    }
  return self->cancellable;
}

/* A message chunk with a longer body is written in slices of this size and
 * cut short (`+`, RFC 4975 7.1) when anything else waits to go out: it
 * holds up other traffic by one slice at most, so it weighs one slice in
 * the window and the transport's queue. */
#define SLICE_SIZE (64 * 1024)
/* A file (any stream) is read in blocks of this size (or of a chunk, when
 * larger), two ahead at most. */
#define STREAM_BLOCK_SIZE (1024 * 1024)
/* Blocks kept for the next reads once their chunks are done. */
#define MAX_SPARE_BLOCKS 4

enum {
  SIGNAL_CHUNK_RECEIVED,
  SIGNAL_MESSAGE_RECEIVED,
  SIGNAL_REPORT_RECEIVED,
  SIGNAL_CLOSED,
  N_SIGNALS
};

extern guint _msrp_session_signals[N_SIGNALS];

/* msrp-session.c */
void        _msrp_session_close                    (MsrpSession *self,
                                                    GError      *error);
void        _msrp_session_maybe_finish_shutdown    (MsrpSession *self);
GError     *_msrp_session_closed_error             (void);
void        _msrp_session_add_idle                 (MsrpSession    *self,
                                                    const char     *name,
                                                    GSourceFunc     func,
                                                    gpointer        data,
                                                    GDestroyNotify  destroy);

void        _msrp_session_transaction_free         (gpointer     data);

/* The transactions and awaiting_report tables are made on first use: a
 * bound session that sends nothing holds neither. */
static inline GHashTable *
_msrp_session_transactions (MsrpSession *self)
{
  if (self->transactions == NULL)
    self->transactions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                _msrp_session_transaction_free);
  return self->transactions;
}

static inline GHashTable *
_msrp_session_awaiting_report (MsrpSession *self)
{
  if (self->awaiting_report == NULL)
    self->awaiting_report = g_hash_table_new (g_str_hash, g_str_equal);
  return self->awaiting_report;
}

/* Looks up @key in a table that may not be made yet. */
static inline gpointer
_msrp_session_table_lookup (GHashTable *table,
                            const char *key)
{
  return table != NULL ? g_hash_table_lookup (table, key) : NULL;
}

static inline guint
_msrp_session_table_size (GHashTable *table)
{
  return table != NULL ? g_hash_table_size (table) : 0;
}

/* msrp-session-transactions.c */
void        _msrp_session_transaction_free         (gpointer     data);
gboolean    _msrp_session_start_transaction        (MsrpSession  *self,
                                                    MsrpChunk    *chunk,
                                                    GTask        *task,
                                                    OutMsg       *msg,
                                                    GCancellable *cancellable,
                                                    GError      **error);
void        _msrp_session_transaction_complete     (MsrpSession *self,
                                                    Transaction *t,
                                                    MsrpChunk   *response,
                                                    GError      *error);
GError     *_msrp_session_response_error           (MsrpChunk   *response);

/* msrp-session-outgoing.c */
OutMsg     *_msrp_out_msg_ref                      (OutMsg      *msg);
void        _msrp_out_msg_unref                    (OutMsg      *msg);
void        _msrp_out_msg_finish                   (OutMsg      *msg,
                                                    GError      *error);
void        _msrp_out_msg_chunk_done               (OutMsg      *msg,
                                                    gboolean     account,
                                                    gsize        size,
                                                    gsize        weight,
                                                    MsrpChunk   *response,
                                                    GError      *error);
void        _msrp_out_msg_open_chunk_ended         (OutMsg          *msg,
                                                    MsrpChunk       *chunk,
                                                    GBytes          *body,
                                                    Transaction     *t,
                                                    gsize            sent,
                                                    MsrpContinuation ended);
void        _msrp_session_pump                     (MsrpSession *self);
void        _msrp_session_handle_report            (MsrpSession *self,
                                                    MsrpChunk   *report);

/* msrp-session-incoming.c */
void        _msrp_session_read_next                (MsrpSession *self);

G_END_DECLS
