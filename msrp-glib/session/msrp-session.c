/* msrp-session.c: sending and receiving messages over a transport
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-session.h"
#include "msrp-enums.h"
#include "msrp-error.h"
#include "msrp-marshal.h"
#include "msrp-block-pool-private.h"
#include "msrp-chunk-private.h"
#include "msrp-outgoing-file-private.h"
#include "msrp-reassembler-private.h"
#include "msrp-transport-private.h"
#include "msrp-uri-private.h"
#include "msrp-utils-private.h"

/**
 * MsrpSession:
 *
 * What applications send and receive with: an MSRP session on a
 * [class@Msrp.Transport].
 *
 * The session reads everything that arrives. Requests are checked (their
 * paths must name this session: 481 otherwise; their Content-Type must be
 * one of [property@Msrp.Session:accept-types]: 415 otherwise; methods
 * other than SEND and REPORT get 501) and answered as their Failure-Report
 * asks: `yes` (or no header) a response to every chunk, `partial` only
 * failures, `no` nothing. REPORTs are never answered.
 *
 * Every accepted SEND chunk is emitted as
 * [signal@Msrp.Session::chunk-received]; chunks are put together by
 * Message-ID and Byte-Range (in any order, overlapping or not) into whole
 * messages of up to [property@Msrp.Session:max-message-size], which are
 * emitted as [signal@Msrp.Session::message-received]. When the message
 * asked for it (Success-Report: yes), the session then sends the success
 * REPORT back. REPORTs that arrive are emitted as
 * [signal@Msrp.Session::report-received].
 *
 * What the session holds for messages not complete yet is bounded by
 * [property@Msrp.Session:max-reassembly-size] and
 * [property@Msrp.Session:max-open-messages]: past them a chunk is answered
 * 413 and its message dropped. A message larger than
 * [property@Msrp.Session:max-message-size] is answered 413 too unless a
 * [signal@Msrp.Session::chunk-received] handler takes it.
 *
 * [method@Msrp.Session.send_chunk_async] sends a chunk and gives its
 * response; [signal@Msrp.Session::closed] tells when the session ends.
 *
 * A session on a transport that a connector gave; it prints what arrives
 * and sends a line of text:
 *
 * ```c
 * static void
 * on_message_received (MsrpSession *session, MsrpChunk *first_chunk,
 *                      GBytes *data, gpointer user_data)
 * {
 *   g_print ("%s: %.*s\n", msrp_chunk_get_content_type (first_chunk),
 *            (int) g_bytes_get_size (data), (const char *) g_bytes_get_data (data, NULL));
 * }
 *
 * static void
 * on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
 * {
 *   g_autoptr(GError) error = NULL;
 *   g_autofree char *message_id =
 *     msrp_session_send_message_finish (MSRP_SESSION (source), result, &error);
 *
 *   if (message_id == NULL)
 *     g_printerr ("not delivered: %s\n", error->message);
 * }
 *
 * MsrpSession *session = msrp_session_new (transport, NULL);
 * g_autoptr(GBytes) text = g_bytes_new_static ("Hello", 5);
 *
 * g_signal_connect (session, "message-received", G_CALLBACK (on_message_received), NULL);
 * msrp_session_send_message_async (session, text, "text/plain", NULL, on_sent, NULL);
 * ```
 *
 * Since: 1.0
 */

/* Incoming chunks are handed out in parts of at most this many bytes, so a
 * peer sending one huge chunk does not grow memory. */
#define READ_PART_SIZE (256 * 1024)

typedef struct _OutMsg OutMsg;

typedef struct {
  MsrpSession *session;
  char *tid;            /* in the same block, after the struct */
  GTask *task;          /* send_chunk_async's, or NULL for a message's chunk */
  OutMsg *msg;          /* the message the chunk belongs to, or NULL */
  gboolean counted;     /* msg was told already (Failure-Report partial) */
  MsrpChunk *chunk;     /* its body is dropped once written */
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
  gboolean success_report;
  MsrpFailureReport failure_report;
  GSource *report_timer;
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
  GCancellable *cancellable;

  GHashTable *transactions;   /* tid → Transaction */
  MsrpReassembler *reassembler; /* incoming messages being put together */
  gsize max_reassembly_size;
  guint max_open_messages;
  GHashTable *refused;        /* tids whose remaining parts are dropped */
  GTask *shutdown_task;
  gboolean closed;

  /* Sending messages */
  gsize max_chunk_size;
  gboolean max_chunk_size_set;  /* by the application */
  gboolean success_report;
  MsrpFailureReport failure_report;
  GQueue sending;             /* OutMsg with chunks still to send */
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
   * source that wakes up for the first. */
  GQueue timer_queue;
  GSource *timer_source;
  guint lingering;

  /* Reading */
  guint paused;               /* pause_reading() calls not yet resumed */
  gboolean read_pending;      /* a read_chunk_async() is running */

  /* Keepalive */
  guint keepalive_interval;
  GSource *keepalive_timer;
  gint64 last_activity;
  gboolean keepalive_pending;
};

/* Message chunks handed to the transport at once: enough for it to write
 * many small ones together, few enough bytes that responses and REPORTs
 * never wait behind much. */
#define MAX_QUEUED_WRITES 64
#define MAX_QUEUED_BYTES (256 * 1024)
/* Message chunks waiting for their response at once, and their bytes:
 * enough to fill the pipe, little enough that a cancel or a 413 stops a
 * long message soon. */
#define WINDOW 256
#define WINDOW_BYTES (4 * 1024 * 1024)
/* A message chunk with a longer body is written in slices of this size and
 * cut short (`+`, RFC 4975 7.1) when anything else waits to go out: it
 * holds up other traffic by one slice at most, so it weighs one slice in
 * the limits above. */
#define SLICE_SIZE (64 * 1024)
/* Some relays limit a whole frame to about 11 KB. */
#define RELAY_MAX_CHUNK_SIZE (8 * 1024)
/* A file (any stream) is read in blocks of this size (or of a chunk, when
 * larger), two ahead at most. */
#define STREAM_BLOCK_SIZE (1024 * 1024)
/* Blocks kept for the next reads once their chunks are done. */
#define MAX_SPARE_BLOCKS 4

enum {
  PROP_0,
  PROP_TRANSPORT,
  PROP_ACCEPT_TYPES,
  PROP_RESPONSE_TIMEOUT,
  PROP_MAX_MESSAGE_SIZE,
  PROP_MAX_CHUNK_SIZE,
  PROP_SUCCESS_REPORT,
  PROP_FAILURE_REPORT,
  PROP_KEEPALIVE_INTERVAL,
  PROP_MAX_SIZE,
  PROP_MAX_REASSEMBLY_SIZE,
  PROP_MAX_OPEN_MESSAGES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_CHUNK_RECEIVED,
  SIGNAL_MESSAGE_RECEIVED,
  SIGNAL_REPORT_RECEIVED,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (MsrpSession, msrp_session, G_TYPE_OBJECT)

static void read_next (MsrpSession *self);
static void update_reassembly_limits (MsrpSession *self);
static void continue_reading (MsrpSession *self);
static void session_close (MsrpSession *self, GError *error);
static void maybe_finish_shutdown (MsrpSession *self);

static void
transaction_free (gpointer data)
{
  Transaction *t = data;

  if (t->timer_link != NULL)
    g_queue_delete_link (&t->session->timer_queue, t->timer_link);
  if (t->lingering)
    t->session->lingering--;
  g_clear_object (&t->chunk);
  g_clear_object (&t->task);
  g_free (t);   /* its tid with it */
}

static gboolean
nothing_in_idle (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

static void
msrp_session_dispose (GObject *object)
{
  MsrpSession *self = MSRP_SESSION (object);

  g_cancellable_cancel (self->cancellable);
  if (self->watched_cancellable != NULL)
    {
      /* Waits for the handler if it runs in another thread. */
      g_cancellable_disconnect (self->watched_cancellable, self->watched_id);
      self->watched_id = 0;
      g_clear_object (&self->watched_cancellable);
    }
  /* A read in progress holds a reference, let go a turn later as a
   * cancelled read's callback would. */
  if (self->read_pending && self->transport != NULL && _msrp_transport_cancel_read (self->transport))
    {
      GSource *idle = g_idle_source_new ();

      self->read_pending = FALSE;
      g_source_set_static_name (idle, "[msrp] read cancelled");
      g_source_set_callback (idle, nothing_in_idle, self, g_object_unref);
      g_source_attach (idle, self->context);
      g_source_unref (idle);
    }
  if (self->keepalive_timer != NULL)
    {
      g_source_destroy (self->keepalive_timer);
      g_clear_pointer (&self->keepalive_timer, g_source_unref);
    }
  g_hash_table_remove_all (self->transactions);
  _msrp_reassembler_clear (self->reassembler);
  if (self->timer_source != NULL)
    {
      g_source_destroy (self->timer_source);
      g_clear_pointer (&self->timer_source, g_source_unref);
    }

  G_OBJECT_CLASS (msrp_session_parent_class)->dispose (object);
}

static void
msrp_session_finalize (GObject *object)
{
  MsrpSession *self = MSRP_SESSION (object);

  g_clear_object (&self->transport);
  g_strfreev (self->accept_types);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->transactions);
  _msrp_reassembler_free (self->reassembler);
  g_hash_table_unref (self->refused);
  g_hash_table_unref (self->awaiting_report);
  _msrp_block_pool_set_keep (self->blocks, FALSE);
  _msrp_block_pool_unref (self->blocks);
  g_assert (g_queue_is_empty (&self->sending));

  G_OBJECT_CLASS (msrp_session_parent_class)->finalize (object);
}

static void
msrp_session_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  MsrpSession *self = MSRP_SESSION (object);

  switch (prop_id)
    {
    case PROP_TRANSPORT:
      g_value_set_object (value, self->transport);
      break;
    case PROP_ACCEPT_TYPES:
      g_value_set_boxed (value, self->accept_types);
      break;
    case PROP_RESPONSE_TIMEOUT:
      g_value_set_uint (value, self->response_timeout);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint64 (value, self->max_message_size);
      break;
    case PROP_MAX_CHUNK_SIZE:
      g_value_set_uint64 (value, self->max_chunk_size);
      break;
    case PROP_SUCCESS_REPORT:
      g_value_set_boolean (value, self->success_report);
      break;
    case PROP_FAILURE_REPORT:
      g_value_set_enum (value, self->failure_report);
      break;
    case PROP_KEEPALIVE_INTERVAL:
      g_value_set_uint (value, self->keepalive_interval);
      break;
    case PROP_MAX_SIZE:
      g_value_set_uint64 (value, self->max_size);
      break;
    case PROP_MAX_REASSEMBLY_SIZE:
      g_value_set_uint64 (value, self->max_reassembly_size);
      break;
    case PROP_MAX_OPEN_MESSAGES:
      g_value_set_uint (value, self->max_open_messages);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_session_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  MsrpSession *self = MSRP_SESSION (object);

  switch (prop_id)
    {
    case PROP_TRANSPORT:
      self->transport = g_value_dup_object (value);
      break;
    case PROP_ACCEPT_TYPES:
      g_strfreev (self->accept_types);
      self->accept_types = g_value_dup_boxed (value);
      if (self->accept_types == NULL || self->accept_types[0] == NULL)
        {
          g_strfreev (self->accept_types);
          self->accept_types = g_strdupv ((char *[]) { (char *) "*", NULL });
        }
      break;
    case PROP_RESPONSE_TIMEOUT:
      msrp_session_set_response_timeout (self, g_value_get_uint (value));
      break;
    case PROP_MAX_MESSAGE_SIZE:
      msrp_session_set_max_message_size (self, g_value_get_uint64 (value));
      break;
    case PROP_MAX_CHUNK_SIZE:
      msrp_session_set_max_chunk_size (self, g_value_get_uint64 (value));
      break;
    case PROP_SUCCESS_REPORT:
      msrp_session_set_success_report (self, g_value_get_boolean (value));
      break;
    case PROP_FAILURE_REPORT:
      msrp_session_set_failure_report (self, g_value_get_enum (value));
      break;
    case PROP_KEEPALIVE_INTERVAL:
      msrp_session_set_keepalive_interval (self, g_value_get_uint (value));
      break;
    case PROP_MAX_SIZE:
      msrp_session_set_max_size (self, g_value_get_uint64 (value));
      break;
    case PROP_MAX_REASSEMBLY_SIZE:
      msrp_session_set_max_reassembly_size (self, g_value_get_uint64 (value));
      break;
    case PROP_MAX_OPEN_MESSAGES:
      msrp_session_set_max_open_messages (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_session_constructed (GObject *object)
{
  MsrpSession *self = MSRP_SESSION (object);

  G_OBJECT_CLASS (msrp_session_parent_class)->constructed (object);

  g_assert (self->transport != NULL);
  if (self->accept_types == NULL)
    self->accept_types = g_strdupv ((char *[]) { (char *) "*", NULL });
  if (!self->max_chunk_size_set && _msrp_transport_get_through_relay (self->transport))
    self->max_chunk_size = RELAY_MAX_CHUNK_SIZE;
  read_next (self);
}

static void
msrp_session_class_init (MsrpSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = msrp_session_dispose;
  object_class->finalize = msrp_session_finalize;
  object_class->get_property = msrp_session_get_property;
  object_class->set_property = msrp_session_set_property;
  object_class->constructed = msrp_session_constructed;

  /**
   * MsrpSession:transport:
   *
   * The transport the session runs on.
   *
   * Since: 1.0
   */
  properties[PROP_TRANSPORT] =
    g_param_spec_object ("transport", NULL, NULL, MSRP_TYPE_TRANSPORT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpSession:accept-types:
   *
   * The MIME types the session accepts (SDP `a=accept-types`): `*` for
   * any type, and a type with `*` as its subtype for any of its subtypes.
   * A SEND of another type gets 415.
   *
   * Since: 1.0
   */
  properties[PROP_ACCEPT_TYPES] =
    g_param_spec_boxed ("accept-types", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpSession:response-timeout:
   *
   * Seconds to wait for the response to a chunk. A transaction that gets
   * none completes with a locally made 408 (Failure-Report yes) or 200
   * (partial).
   *
   * Since: 1.0
   */
  properties[PROP_RESPONSE_TIMEOUT] =
    g_param_spec_uint ("response-timeout", NULL, NULL, 1, G_MAXUINT / 1000, 30,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpSession:max-message-size:
   *
   * The largest message put together for
   * [signal@Msrp.Session::message-received]; larger ones only come as
   * [signal@Msrp.Session::chunk-received], so that an application can
   * stream them to disk.
   *
   * That takes a handler of [signal@Msrp.Session::chunk-received]: while
   * none is connected, a chunk of a larger message is answered 413 (the
   * sender stops the message) rather than acknowledged, and such a message
   * never gets a success REPORT, since nobody got it.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_uint64 ("max-message-size", NULL, NULL, 0, G_MAXSIZE, MSRP_DEFAULT_MAX_MESSAGE_SIZE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpSession:max-chunk-size:
   *
   * The largest body of one chunk that
   * [method@Msrp.Session.send_message_async] and
   * [method@Msrp.Session.send_file_async] send; longer messages go in
   * several chunks. The default is 64 KiB, and 8 KiB on a transport that
   * goes through a relay (some limit a whole frame to about 11 KB).
   *
   * It may be large (megabytes) without holding up other traffic: a chunk
   * longer than 64 KiB is written in slices, and when a response, a REPORT
   * or a chunk of another message waits, it is cut short after the bytes
   * already written (ended with `+`) and the message goes on later in a new
   * chunk. Such chunks carry `*` as their Byte-Range end, as RFC 4975
   * section 7.1 requires of interruptible chunks.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_CHUNK_SIZE] =
    g_param_spec_uint64 ("max-chunk-size", NULL, NULL, 1, G_MAXSIZE, MSRP_DEFAULT_MAX_CHUNK_SIZE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpSession:success-report:
   *
   * Whether messages sent with [method@Msrp.Session.send_message_async]
   * ask for a success REPORT (Success-Report: yes); they complete only
   * when it came. A file's own Success-Report header, set with
   * [method@Msrp.OutgoingFile.set_header], wins over this.
   *
   * Since: 1.0
   */
  properties[PROP_SUCCESS_REPORT] =
    g_param_spec_boolean ("success-report", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpSession:failure-report:
   *
   * The Failure-Report of the chunks of messages and files sent.
   *
   * Since: 1.0
   */
  properties[PROP_FAILURE_REPORT] =
    g_param_spec_enum ("failure-report", NULL, NULL, MSRP_TYPE_FAILURE_REPORT, MSRP_FAILURE_REPORT_YES,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpSession:keepalive-interval:
   *
   * Seconds of silence after which the session sends an empty SEND, to
   * keep middleboxes from dropping the connection and to notice a peer
   * that is gone: when that SEND gets no answer within
   * [property@Msrp.Session:response-timeout], the session closes with
   * %G_IO_ERROR_TIMED_OUT. 0 (the default) turns it off.
   *
   * Since: 1.0
   */
  properties[PROP_KEEPALIVE_INTERVAL] =
    g_param_spec_uint ("keepalive-interval", NULL, NULL, 0, G_MAXUINT / 1000, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpSession:max-size:
   *
   * The largest message the session accepts (SDP `a=max-size`), or 0 for
   * no limit. A chunk of a larger message, by its Byte-Range total or its
   * end, is answered 413, which tells the sender to stop sending it.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_SIZE] =
    g_param_spec_uint64 ("max-size", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpSession:max-reassembly-size:
   *
   * The memory that incoming messages still being put together may take
   * in all, in bytes, or 0 for no limit. What counts is the memory they
   * really hold: their bytes, in blocks of 64 KiB allocated as chunks
   * arrive (so a chunk far into a message costs a whole block), and their
   * headers and bookkeeping. A message that came in one chunk takes none.
   *
   * A chunk that would take more is answered 413 (the sender stops the
   * message) and what was kept of its message is dropped; the messages
   * already being put together go on. Later chunks of that message get
   * 413 too. A message larger than this is never put together, whatever
   * [property@Msrp.Session:max-message-size] says.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_REASSEMBLY_SIZE] =
    g_param_spec_uint64 ("max-reassembly-size", NULL, NULL, 0, G_MAXSIZE, MSRP_DEFAULT_MAX_REASSEMBLY_SIZE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpSession:max-open-messages:
   *
   * How many incoming messages may be unfinished at once (a chunk of them
   * came, not yet all), or 0 for no limit. Messages larger than
   * [property@Msrp.Session:max-message-size] that come only as
   * [signal@Msrp.Session::chunk-received] count too: the session follows
   * them to send their success REPORT. A chunk of one more message is
   * answered 413, and so are its later chunks; the messages already open
   * go on.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_OPEN_MESSAGES] =
    g_param_spec_uint ("max-open-messages", NULL, NULL, 0, G_MAXUINT, MSRP_DEFAULT_MAX_OPEN_MESSAGES,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MsrpSession::chunk-received:
   * @session: the session
   * @chunk: the chunk, or a part of a long one (see
   *   [method@Msrp.Chunk.get_segment])
   *
   * Emitted for every accepted incoming SEND chunk.
   *
   * A handler connected here takes messages larger than
   * [property@Msrp.Session:max-message-size], chunk by chunk: their chunks
   * are answered 200 and the success REPORT, when the sender asked for
   * one, goes once every byte was emitted. Without a handler, they are
   * refused with 413. Chunks refused for the session's limits (413) are
   * not emitted.
   *
   * Since: 1.0
   */
  signals[SIGNAL_CHUNK_RECEIVED] =
    g_signal_new ("chunk-received", MSRP_TYPE_SESSION, G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, _msrp_marshal_VOID__OBJECT, G_TYPE_NONE, 1, MSRP_TYPE_CHUNK);
  g_signal_set_va_marshaller (signals[SIGNAL_CHUNK_RECEIVED], MSRP_TYPE_SESSION,
                              _msrp_marshal_VOID__OBJECTv);

  /**
   * MsrpSession::message-received:
   * @session: the session
   * @first_chunk: the message's first chunk, for its headers (of a message
   *   that came in several chunks, its body is not kept)
   * @data: the whole message
   *
   * Emitted when every byte of a message up to
   * [property@Msrp.Session:max-message-size] has arrived. When the message
   * asked for a success REPORT, the REPORT was sent just before.
   *
   * Since: 1.0
   */
  signals[SIGNAL_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", MSRP_TYPE_SESSION, G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, _msrp_marshal_VOID__OBJECT_BOXED,
                  G_TYPE_NONE, 2, MSRP_TYPE_CHUNK, G_TYPE_BYTES);
  g_signal_set_va_marshaller (signals[SIGNAL_MESSAGE_RECEIVED], MSRP_TYPE_SESSION,
                              _msrp_marshal_VOID__OBJECT_BOXEDv);

  /**
   * MsrpSession::report-received:
   * @session: the session
   * @report: the REPORT
   *
   * Emitted for every incoming REPORT: success REPORTs for messages sent
   * with Success-Report yes, and failure REPORTs from relays.
   *
   * Since: 1.0
   */
  signals[SIGNAL_REPORT_RECEIVED] =
    g_signal_new ("report-received", MSRP_TYPE_SESSION, G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, _msrp_marshal_VOID__OBJECT, G_TYPE_NONE, 1, MSRP_TYPE_CHUNK);
  g_signal_set_va_marshaller (signals[SIGNAL_REPORT_RECEIVED], MSRP_TYPE_SESSION,
                              _msrp_marshal_VOID__OBJECTv);

  /**
   * MsrpSession::closed:
   * @session: the session
   * @error: (nullable): why the session ended, or %NULL for a clean end
   *
   * Emitted once, when the session ends: the peer closed the connection
   * between chunks or [method@Msrp.Session.shutdown_async] finished (no
   * error), or the connection failed.
   *
   * Since: 1.0
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", MSRP_TYPE_SESSION, G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, _msrp_marshal_VOID__BOXED, G_TYPE_NONE, 1, G_TYPE_ERROR);
  g_signal_set_va_marshaller (signals[SIGNAL_CLOSED], MSRP_TYPE_SESSION,
                              _msrp_marshal_VOID__BOXEDv);
}

static void
msrp_session_init (MsrpSession *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->response_timeout = 30;
  self->max_message_size = MSRP_DEFAULT_MAX_MESSAGE_SIZE;
  self->transactions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, transaction_free);
  self->blocks = _msrp_block_pool_new (STREAM_BLOCK_SIZE, MAX_SPARE_BLOCKS);
  self->max_reassembly_size = MSRP_DEFAULT_MAX_REASSEMBLY_SIZE;
  self->max_open_messages = MSRP_DEFAULT_MAX_OPEN_MESSAGES;
  self->reassembler = _msrp_reassembler_new ();
  update_reassembly_limits (self);
  self->refused = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->max_chunk_size = MSRP_DEFAULT_MAX_CHUNK_SIZE;
  self->failure_report = MSRP_FAILURE_REPORT_YES;
  g_queue_init (&self->sending);
  g_queue_init (&self->timer_queue);
  self->awaiting_report = g_hash_table_new (g_str_hash, g_str_equal);
}

/**
 * msrp_session_new:
 * @transport: a transport, from a connector
 * @accept_types: (nullable) (array zero-terminated=1): the accepted MIME
 *   types, or %NULL for any (`*`)
 *
 * Starts a session on a transport: from now on it reads what arrives.
 *
 * Returns: (transfer full): a new session
 *
 * Since: 1.0
 */
MsrpSession *
msrp_session_new (MsrpTransport      *transport,
                  const char * const *accept_types)
{
  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), NULL);

  return g_object_new (MSRP_TYPE_SESSION,
                       "transport", transport,
                       "accept-types", accept_types,
                       NULL);
}

/* Outgoing transactions */

static void msg_chunk_done (OutMsg *msg, gboolean account, gsize size, gsize weight, MsrpChunk *response, GError *error);
static void msg_unref (OutMsg *msg);
static OutMsg *msg_ref (OutMsg *msg);
static void pump (MsrpSession *self);

static void
transaction_complete (MsrpSession *self,
                      Transaction *t,
                      MsrpChunk   *response,
                      GError      *error)
{
  GTask *task = g_steal_pointer (&t->task);
  OutMsg *msg = g_steal_pointer (&t->msg);
  gboolean counted = t->counted;
  gsize size = t->size;
  gsize weight = t->weight;

  g_object_ref (self);
  /* Freed after the callbacks, which may write the next chunk. */
  g_hash_table_steal (self->transactions, t->tid);
  if (task != NULL)
    {
      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, g_object_ref (response), g_object_unref);
      g_object_unref (task);
    }
  else if (msg != NULL)
    {
      /* With Failure-Report partial the chunk counted when it was written;
       * only a failure still matters then. */
      if (!counted)
        msg_chunk_done (msg, TRUE, size, weight, response, error);
      else if (error == NULL && msrp_chunk_get_code (response) / 100 != 2)
        msg_chunk_done (msg, FALSE, 0, 0, response, NULL);
      else
        g_clear_error (&error);
      msg_unref (msg);
    }
  else
    g_clear_error (&error);
  transaction_free (t);
  maybe_finish_shutdown (self);
  g_object_unref (self);
}

static void
transaction_timeout (Transaction *t)
{
  MsrpSession *self = t->session;
  g_autoptr(MsrpChunk) local = NULL;
  guint code;

  /* Nothing came back: with Failure-Report yes that is a failure, with
   * partial it is the success that is not sent. */
  code = t->failure_report == MSRP_FAILURE_REPORT_YES ? MSRP_STATUS_REQUEST_TIMEOUT : MSRP_STATUS_OK;
  local = msrp_transport_make_response (self->transport, t->chunk, code, NULL);
  transaction_complete (self, t, local, NULL);
}

/* Transactions with Failure-Report partial wait for a failure that rarely
 * comes; past this many, the oldest stop waiting, so that a stream of such
 * messages cannot pile them up. */
#define MAX_LINGERING 4096

typedef struct {
  GSource source;
  MsrpSession *session;   /* the session destroys the source first */
} TimerSource;

/* Sets when the timer source wakes up. Unless @exact, a wake-up that is
 * due earlier than needed is left alone (it finds nothing due and sets the
 * right time then): setting the time wakes the main context up (a system
 * call), which a transaction each would pay otherwise. */
static void
rearm_timers (MsrpSession *self,
              gboolean     exact)
{
  Transaction *head = g_queue_peek_head (&self->timer_queue);
  gint64 want = head ? head->deadline : -1;
  gint64 current;

  if (self->timer_source == NULL)
    return;
  current = g_source_get_ready_time (self->timer_source);
  if (exact ? want != current : current == -1 || (want != -1 && want < current))
    g_source_set_ready_time (self->timer_source, want);
}

static gboolean
timer_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  MsrpSession *self = ((TimerSource *) source)->session;
  gint64 now = g_get_monotonic_time ();
  Transaction *t;

  g_object_ref (self);
  while ((t = g_queue_peek_head (&self->timer_queue)) != NULL && t->deadline <= now)
    {
      g_queue_delete_link (&self->timer_queue, t->timer_link);
      t->timer_link = NULL;
      transaction_timeout (t);
    }
  rearm_timers (self, TRUE);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_source_funcs = {
  .dispatch = timer_source_dispatch,
};

/* Starts waiting for a transaction's response, up to response-timeout. */
static void
arm_transaction (MsrpSession *self,
                 Transaction *t)
{
  GList *l;

  t->deadline = g_get_monotonic_time () + (gint64) self->response_timeout * G_USEC_PER_SEC;
  /* Due times come in order unless response-timeout changed. */
  for (l = self->timer_queue.tail; l != NULL && ((Transaction *) l->data)->deadline > t->deadline; l = l->prev)
    ;
  if (l == NULL)
    {
      g_queue_push_head (&self->timer_queue, t);
      t->timer_link = self->timer_queue.head;
    }
  else
    {
      g_queue_insert_after (&self->timer_queue, l, t);
      t->timer_link = l->next;
    }

  if (self->timer_source == NULL)
    {
      self->timer_source = g_source_new (&timer_source_funcs, sizeof (TimerSource));
      ((TimerSource *) self->timer_source)->session = self;
      g_source_set_static_name (self->timer_source, "[msrp] response timeouts");
      g_source_attach (self->timer_source, self->context);
    }
  if (t->timer_link == self->timer_queue.head)
    rearm_timers (self, FALSE);
}

/* A Failure-Report partial transaction that counted already and now only
 * waits for a failure; the oldest are let go past MAX_LINGERING. */
static void
linger (MsrpSession *self,
        Transaction *t)
{
  t->lingering = TRUE;
  self->lingering++;
  while (self->lingering > MAX_LINGERING)
    {
      for (GList *l = self->timer_queue.head; l != NULL; l = l->next)
        {
          Transaction *old = l->data;

          if (old->lingering)
            {
              g_queue_delete_link (&self->timer_queue, l);
              old->timer_link = NULL;
              transaction_timeout (old);
              break;
            }
        }
    }
}

typedef struct {
  MsrpSession *session;
  char *tid;            /* in the same block, after the struct */
  gboolean message_chunk;
  gsize size;           /* its weight, for message chunks */
  OutMsg *msg;          /* interruptible chunks: the message */
  MsrpChunk *chunk;     /* ... the chunk */
  GBytes *body;         /* ... and its body */
} Written;

static void msg_write_abort (OutMsg *msg);
static void msg_open_chunk_ended (OutMsg *msg, MsrpChunk *chunk, GBytes *body, Transaction *t,
                                  gsize sent, MsrpContinuation ended);

static void chunk_written (Written *w, gboolean ok, GError *error, gsize sent, MsrpContinuation ended);

/* A chunk written with send_chunk_async(). */
static void
on_chunk_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GError *error = NULL;
  gboolean ok = msrp_transport_write_chunk_finish (MSRP_TRANSPORT (source), result, &error);

  chunk_written (user_data, ok, error, 0, MSRP_CONTINUATION_END);
}

/* A chunk of a message written. */
static void
on_message_chunk_written (MsrpTransport    *transport,
                          const GError     *error,
                          gsize             sent,
                          MsrpContinuation  ended,
                          gpointer          user_data)
{
  chunk_written (user_data, error == NULL, error ? g_error_copy (error) : NULL, sent, ended);
}

static void
chunk_written (Written          *w,
               gboolean          ok,
               GError           *error,
               gsize             sent,
               MsrpContinuation  ended)
{
  MsrpSession *self = w->session;
  gboolean message_chunk = w->message_chunk;
  gsize written_size = w->size;
  Transaction *t;

  if (w->msg != NULL)
    {
      t = g_hash_table_lookup (self->transactions, w->tid);
      msg_open_chunk_ended (w->msg, w->chunk, w->body, t, ok ? sent : 0, ok ? ended : MSRP_CONTINUATION_ABORT);
      msg_unref (w->msg);
      g_object_unref (w->chunk);
      g_bytes_unref (w->body);
    }
  else
    {
      t = g_hash_table_lookup (self->transactions, w->tid);
      ended = MSRP_CONTINUATION_END;
    }
  g_free (w);   /* its tid with it */
  if (message_chunk)
    {
      self->msg_writes--;
      self->msg_write_bytes -= written_size;
    }

  /* The body is never sent again: only the headers are kept, for a
   * locally made response. */
  if (t != NULL && ok)
    msrp_chunk_set_data (t->chunk, NULL);

  if (t == NULL)
    g_clear_error (&error);  /* completed meanwhile: the session closed */
  else if (!ok)
    transaction_complete (self, t, NULL, error);
  else if (t->failure_report == MSRP_FAILURE_REPORT_NO || ended == MSRP_CONTINUATION_ABORT)
    {
      /* An aborted chunk ends a message that failed already: its answer
       * is not worth waiting for. */
      g_autoptr(MsrpChunk) local = msrp_transport_make_response (self->transport, t->chunk, MSRP_STATUS_OK, NULL);

      transaction_complete (self, t, local, NULL);
    }
  else
    {
      arm_transaction (self, t);
      if (t->msg != NULL && t->failure_report == MSRP_FAILURE_REPORT_PARTIAL)
        {
          /* No news is good news: the message goes on now, and a negative
           * response may still come before the timeout. */
          g_autoptr(MsrpChunk) local = msrp_transport_make_response (self->transport, t->chunk, MSRP_STATUS_OK, NULL);
          OutMsg *msg = msg_ref (t->msg);
          gsize size = t->size;

          t->counted = TRUE;
          linger (self, t);
          /* This may end the message, even the session: t may be gone. */
          msg_chunk_done (msg, TRUE, size, t->weight, local, NULL);
          msg_unref (msg);
        }
    }

  if (message_chunk)
    pump (self);
  g_object_unref (self);
}

/* Registers a transaction and writes its chunk. */
static gboolean
start_transaction (MsrpSession  *self,
                   MsrpChunk    *chunk,
                   GTask        *task,
                   OutMsg       *msg,
                   GCancellable *cancellable,
                   GError      **error)
{
  const char *tid = msrp_chunk_get_transaction_id (chunk);
  gsize tid_size = strlen (tid) + 1;
  Transaction *t;
  Written *w;

  if (g_hash_table_contains (self->transactions, tid))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                           _("A chunk with this transaction ID is already being sent"));
      return FALSE;
    }

  /* One block each for the transaction and its write, with the tid. */
  t = g_malloc0 (sizeof (Transaction) + tid_size);
  t->session = self;
  t->tid = memcpy (t + 1, tid, tid_size);
  t->chunk = g_object_ref (chunk);
  t->size = msrp_chunk_get_size (chunk);
  t->weight = MIN (t->size, SLICE_SIZE);
  t->task = task;
  t->msg = msg;
  /* REPORTs are never answered. */
  t->failure_report = strcmp (msrp_chunk_get_method (chunk), "REPORT") == 0
                      ? MSRP_FAILURE_REPORT_NO
                      : msrp_chunk_get_failure_report (chunk);
  g_hash_table_insert (self->transactions, t->tid, t);

  self->last_activity = g_get_monotonic_time ();
  w = g_malloc0 (sizeof (Written) + tid_size);
  w->session = g_object_ref (self);
  w->tid = memcpy (w + 1, tid, tid_size);
  w->message_chunk = msg != NULL;
  w->size = t->weight;
  if (msg != NULL)
    {
      self->msg_writes++;
      self->msg_write_bytes += t->weight;
    }
  if (msg != NULL && t->size > SLICE_SIZE)
    {
      /* A long chunk of a message: cut short when other traffic waits. */
      w->msg = msg_ref (msg);
      w->chunk = g_object_ref (chunk);
      w->body = g_bytes_ref (msrp_chunk_get_data (chunk));
      g_set_object (&msg->open_chunk, chunk);
      _msrp_transport_write_chunk_with_callback (self->transport, chunk, SLICE_SIZE,
                                                 on_message_chunk_written, w);
    }
  else if (msg != NULL)
    _msrp_transport_write_chunk_with_callback (self->transport, chunk, 0, on_message_chunk_written, w);
  else
    msrp_transport_write_chunk_async (self->transport, chunk, cancellable, on_chunk_written, w);
  return TRUE;
}

/**
 * msrp_session_send_chunk_async:
 * @session: a #MsrpSession
 * @chunk: a request, typically from [method@Msrp.Transport.make_chunk]
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the response
 * @user_data: data for @callback
 *
 * Sends a chunk and waits for its response, as its Failure-Report says:
 * with `yes` (or none) the response, or a locally made 408 when none came
 * within [property@Msrp.Session:response-timeout]; with `partial` a
 * negative response, or a locally made 200 after the timeout; with `no` a
 * locally made 200 as soon as the chunk is written.
 *
 * Since: 1.0
 */
void
msrp_session_send_chunk_async (MsrpSession         *session,
                               MsrpChunk           *chunk,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  GError *error = NULL;

  g_return_if_fail (MSRP_IS_SESSION (session));
  g_return_if_fail (MSRP_IS_CHUNK (chunk) && msrp_chunk_is_request (chunk));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_name (task, "[msrp] send chunk");
  g_task_set_source_tag (task, msrp_session_send_chunk_async);

  if (session->closed || session->shutdown_task != NULL)
    {
      g_task_return_new_error (task, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                               "%s", _("The MSRP session is closed"));
      g_object_unref (task);
      return;
    }
  if (!start_transaction (session, chunk, task, NULL, cancellable, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
    }
}

/**
 * msrp_session_send_chunk_finish:
 * @session: a #MsrpSession
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Session.send_chunk_async].
 *
 * Returns: (transfer full): the response (any status code), or %NULL
 *   with @error set when the chunk could not be sent
 *
 * Since: 1.0
 */
MsrpChunk *
msrp_session_send_chunk_finish (MsrpSession  *session,
                                GAsyncResult *result,
                                GError      **error)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), NULL);
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_delivered (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  MsrpChunk *response;

  response = msrp_session_send_chunk_finish (MSRP_SESSION (source), result, &error);
  if (response == NULL)
    g_task_return_error (task, error);
  else if (msrp_chunk_get_code (response) / 100 != 2)
    {
      const char *comment = msrp_chunk_get_comment (response);

      g_task_return_new_error (task, MSRP_TRANSACTION_ERROR, msrp_chunk_get_code (response),
                               _("The MSRP peer answered %u %s"),
                               msrp_chunk_get_code (response), comment ? comment : "");
      g_object_unref (response);
    }
  else
    g_task_return_pointer (task, response, g_object_unref);
}

/**
 * msrp_session_deliver_chunk_async:
 * @session: a #MsrpSession
 * @chunk: a request
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the response
 * @user_data: data for @callback
 *
 * Like [method@Msrp.Session.send_chunk_async], but a response that is not
 * 2xx is an error.
 *
 * Since: 1.0
 */
void
msrp_session_deliver_chunk_async (MsrpSession         *session,
                                  MsrpChunk           *chunk,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MSRP_IS_SESSION (session));

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, msrp_session_deliver_chunk_async);
  msrp_session_send_chunk_async (session, chunk, cancellable, on_delivered, task);
}

/**
 * msrp_session_deliver_chunk_finish:
 * @session: a #MsrpSession
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Session.deliver_chunk_async].
 *
 * Returns: (transfer full): the 2xx response, or %NULL with @error set;
 *   a negative response is an error in the %MSRP_TRANSACTION_ERROR domain
 *   whose code is the status code
 *
 * Since: 1.0
 */
MsrpChunk *
msrp_session_deliver_chunk_finish (MsrpSession  *session,
                                   GAsyncResult *result,
                                   GError      **error)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), NULL);
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Sending messages
 *
 * Messages wait in a queue; pump() takes one chunk at a time from each in
 * turn (so a short message is never stuck behind a long one), as long as
 * few message chunks sit in the transport's queue (responses and REPORTs
 * go straight there and must not wait behind much) and fewer than WINDOW
 * wait for their response. A file is read one chunk ahead: memory stays
 * bounded whatever its size.
 *
 * A chunk longer than SLICE_SIZE is written interruptibly: the transport
 * writes it in slices and ends it early with `+` when anything else is
 * queued behind it (a response, a REPORT, a chunk of another message). Its
 * transaction then covers the bytes that went out, and the message goes on
 * from the next byte in a new chunk (new transaction) once the cut one
 * ended; the message makes no other chunk meanwhile, so its chunks stay in
 * Byte-Range order. Byte-Range says `*` for the end of such chunks, as
 * RFC 4975 7.1 asks of interruptible ones; receivers take a chunk's range
 * from its start and the bytes that came. */

/* The sending queue holds up to a window of messages: a message is looked
 * for in it only when it is there, and mostly found at its tail. */
static void
sending_add (MsrpSession *self,
             OutMsg      *msg)
{
  g_queue_push_tail (&self->sending, msg);
  msg->in_sending = TRUE;
}

static void
sending_remove (MsrpSession *self,
                OutMsg      *msg)
{
  if (!msg->in_sending)
    return;
  if (g_queue_peek_tail (&self->sending) == msg)
    g_queue_pop_tail (&self->sending);
  else
    g_queue_remove (&self->sending, msg);
  msg->in_sending = FALSE;
}

static OutMsg *
msg_ref (OutMsg *msg)
{
  msg->ref_count++;
  return msg;
}

static void
msg_unref (OutMsg *msg)
{
  if (--msg->ref_count > 0)
    return;
  g_assert (msg->task == NULL);
  if (msg->report_timer != NULL)
    {
      g_source_destroy (msg->report_timer);
      g_source_unref (msg->report_timer);
    }
  g_free (msg->message_id);
  g_free (msg->content_type);
  g_clear_pointer (&msg->data, g_bytes_unref);
  g_clear_pointer (&msg->ready, g_bytes_unref);
  g_clear_pointer (&msg->next_ready, g_bytes_unref);
  g_clear_pointer (&msg->rest, g_bytes_unref);
  g_clear_object (&msg->open_chunk);
  g_clear_object (&msg->file);
  g_clear_object (&msg->stream);
  g_clear_object (&msg->session);
  g_clear_object (&msg->cancellable);
  g_free (msg);
}

static void
msg_apply_headers (OutMsg    *msg,
                   MsrpChunk *chunk)
{
  msrp_chunk_set_message_id (chunk, msg->message_id);
  msrp_chunk_set_failure_report (chunk, msg->failure_report);
  if (msg->success_report)
    msrp_chunk_set_success_report (chunk, TRUE);
  if (msg->file != NULL)
    _msrp_outgoing_file_apply_headers (msg->file, chunk);
}

/* Completes the message's task once, with error or success. */
static void
msg_finish (OutMsg *msg,
            GError *error)
{
  MsrpSession *self = msg->session;
  GTask *task;

  if (msg->done)
    {
      g_clear_error (&error);
      return;
    }
  msg->done = TRUE;
  if (msg->cancelled_id != 0)
    {
      g_cancellable_disconnect (msg->cancellable, msg->cancelled_id);
      msg->cancelled_id = 0;
    }
  if (msg->shared_watch)
    {
      g_queue_unlink (&self->cancel_watched, &msg->cancel_link);
      msg->shared_watch = FALSE;
    }
  sending_remove (self, msg);
  /* The last stream done: its blocks go when their chunks are done. */
  if (msg->stream != NULL && --self->streams_sending == 0)
    _msrp_block_pool_set_keep (self->blocks, FALSE);
  if (g_hash_table_lookup (self->awaiting_report, msg->message_id) == msg)
    g_hash_table_remove (self->awaiting_report, msg->message_id);

  /* A message cut short is ended with `#`, so the peer drops what it has:
   * the chunk being written ends so, or when its end-line is on its way
   * already (it may be a `+`), an empty `#` chunk follows it. */
  if (error != NULL && msg->started && !self->closed)
    {
      if (msg->open_chunk != NULL)
        {
          if (_msrp_transport_abort_chunk (self->transport, msg->open_chunk))
            msg->last_sent = TRUE;
          else
            msg->abort_after_cut = TRUE;
        }
      else if (!msg->last_sent)
        msg_write_abort (msg);
    }

  task = g_steal_pointer (&msg->task);
  if (error != NULL)
    g_task_return_error (task, error);
  else if (msg->file != NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_pointer (task, g_strdup (msg->message_id), g_free);
  g_object_unref (task);
  msg_unref (msg);   /* its own reference, taken when it was queued */
  maybe_finish_shutdown (self);
}

/* Ends the message with an empty `#` chunk after what went out. */
static void
msg_write_abort (OutMsg *msg)
{
  MsrpSession *self = msg->session;
  g_autoptr(MsrpChunk) abort_chunk = _msrp_transport_new_request (self->transport, "SEND");

  msg_apply_headers (msg, abort_chunk);
  msrp_chunk_set_failure_report (abort_chunk, MSRP_FAILURE_REPORT_NO);
  msrp_chunk_set_byte_range (abort_chunk, msg->offset + 1, msg->offset, msg->total);
  msrp_chunk_set_continuation (abort_chunk, MSRP_CONTINUATION_ABORT);
  _msrp_transport_write_chunk_with_callback (self->transport, abort_chunk, 0, NULL, NULL);
  msg->last_sent = TRUE;
}

static gboolean
on_report_timeout (gpointer user_data)
{
  OutMsg *msg = user_data;

  g_clear_pointer (&msg->report_timer, g_source_unref);
  msg_finish (msg, g_error_new_literal (MSRP_TRANSACTION_ERROR, MSRP_STATUS_REQUEST_TIMEOUT,
                                        _("The MSRP peer sent no report for the message in time")));
  return G_SOURCE_REMOVE;
}

static void
msg_check_done (OutMsg *msg)
{
  MsrpSession *self = msg->session;

  if (msg->done || !msg->last_sent || msg->outstanding > 0)
    return;
  if (!msg->success_report)
    {
      msg_finish (msg, NULL);
      return;
    }
  if (msg->report_timer == NULL)
    {
      msg->report_timer = g_timeout_source_new (self->response_timeout * 1000);
      g_source_set_static_name (msg->report_timer, "[msrp] report timeout");
      g_source_set_callback (msg->report_timer, on_report_timeout, msg, NULL);
      g_source_attach (msg->report_timer, self->context);
    }
}

/* A chunk of the message got its answer. account: it is the first news of
 * that chunk (a late negative response with Failure-Report partial is not). */
static void
msg_chunk_done (OutMsg    *msg,
                gboolean   account,
                gsize      size,
                gsize      weight,
                MsrpChunk *response,
                GError    *error)
{
  MsrpSession *self = msg->session;

  if (account)
    {
      msg->outstanding--;
      self->msg_outstanding--;
      self->msg_outstanding_bytes -= weight;
    }

  if (error != NULL)
    msg_finish (msg, error);
  else if (msrp_chunk_get_code (response) / 100 != 2)
    {
      const char *comment = msrp_chunk_get_comment (response);

      msg_finish (msg, g_error_new (MSRP_TRANSACTION_ERROR, msrp_chunk_get_code (response),
                                    _("The MSRP peer answered %u %s"),
                                    msrp_chunk_get_code (response), comment ? comment : ""));
    }
  else
    {
      if (msg->file != NULL && !msg->done && account)
        _msrp_outgoing_file_set_bytes_sent (msg->file,
                                            msrp_outgoing_file_get_bytes_sent (msg->file) + size);
      msg_check_done (msg);
    }
  pump (self);
}

static void on_file_read (GObject *source, GAsyncResult *result, gpointer user_data);

/* Where a stream is: past what went into chunks, the rest of a cut one
 * and the blocks read ahead. */
static gint64
msg_stream_position (OutMsg *msg)
{
  return msg->offset + (msg->rest ? (gint64) g_bytes_get_size (msg->rest) : 0) +
         (msg->ready ? (gint64) g_bytes_get_size (msg->ready) : 0) +
         (msg->next_ready ? (gint64) g_bytes_get_size (msg->next_ready) : 0);
}

/* Starts reading the next block of a stream, unless two are read (the one
 * chunks are cut from, and the next) or one is being read. Blocks are
 * larger than chunks: few reads (each a thread hop for a file), and chunks
 * share their block's memory. */
static void
msg_read_ahead (OutMsg *msg)
{
  MsrpSession *self = msg->session;
  gint64 offset = msg_stream_position (msg);
  gsize want = MAX (self->max_chunk_size, STREAM_BLOCK_SIZE);

  gsize buffered = (msg->ready ? g_bytes_get_size (msg->ready) : 0) +
                   (msg->next_ready ? g_bytes_get_size (msg->next_ready) : 0);
  gsize in_flight = self->msg_outstanding_bytes + buffered;
  gsize limit = WINDOW_BYTES + self->max_chunk_size;

  if (msg->next_ready != NULL || msg->eof || msg->reading)
    return;
  /* What was read and not acknowledged stays within the window and a
   * chunk, whatever the block size: a peer that stops reading does not
   * make the file pile up in memory. */
  if (in_flight + self->max_chunk_size > limit)
    {
      if (buffered > 0)
        return;
      want = self->max_chunk_size;
    }
  else
    want = MIN (want, limit - in_flight);
  if (msg->total >= 0)
    want = MIN ((guint64) (msg->total - offset), want);
  if (want == 0)
    msg->eof = TRUE;
  else
    {
      msg->reading = TRUE;
      if (want <= STREAM_BLOCK_SIZE)
        {
          msg->read_block = _msrp_block_pool_take (self->blocks);
          g_input_stream_read_async (msg->stream, _msrp_block_get_data (msg->read_block), want, G_PRIORITY_DEFAULT,
                                     self->cancellable, on_file_read, msg_ref (msg));
        }
      else
        g_input_stream_read_bytes_async (msg->stream, want, G_PRIORITY_DEFAULT,
                                         self->cancellable, on_file_read, msg_ref (msg));
    }
}

/* The next chunk of a message, or NULL when none is ready yet. */
static MsrpChunk *
msg_next_chunk (OutMsg *msg)
{
  MsrpSession *self = msg->session;
  g_autoptr(GBytes) piece = NULL;
  MsrpChunk *chunk;
  gsize len;
  gboolean last;

  if (msg->done || msg->last_sent ||
      (msg->cancellable != NULL && g_cancellable_is_cancelled (msg->cancellable)))
    return NULL;

  /* The next chunk starts where the one being written ends, which is known
   * once it ended (it may be cut); a stream reads ahead meanwhile. */
  if (msg->open_chunk != NULL)
    {
      if (msg->data == NULL)
        msg_read_ahead (msg);
      return NULL;
    }

  if (msg->data != NULL)
    {
      len = MIN ((guint64) (msg->total - msg->offset), self->max_chunk_size);
      piece = g_bytes_new_from_bytes (msg->data, msg->offset, len);
      last = msg->offset + (gint64) len == msg->total;
    }
  else if (msg->rest != NULL)
    {
      /* The rest of a cut chunk goes before what was read after it. */
      piece = g_steal_pointer (&msg->rest);
      len = g_bytes_get_size (piece);
      last = msg->rest_last;
    }
  else
    {
      if (msg->ready == NULL)
        msg->ready = g_steal_pointer (&msg->next_ready);
      msg_read_ahead (msg);
      if (msg->ready == NULL && !msg->eof)
        return NULL;
      if (msg->ready == NULL && msg->eof && msg->total >= 0 && msg->offset < msg->total)
        {
          g_autofree char *got = g_strdup_printf ("%" G_GINT64_FORMAT, msg->offset);
          g_autofree char *want = g_strdup_printf ("%" G_GINT64_FORMAT, msg->total);

          msg_finish (msg, g_error_new (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                        _("The file ended after %s of its %s bytes"), got, want));
          return NULL;
        }
      if (msg->ready == NULL)
        piece = g_bytes_new_static ("", 0);
      else if (g_bytes_get_size (msg->ready) > self->max_chunk_size)
        {
          /* A chunk's worth of the block, sharing its memory. */
          GBytes *block = g_steal_pointer (&msg->ready);
          gsize size = g_bytes_get_size (block);

          piece = g_bytes_new_from_bytes (block, 0, self->max_chunk_size);
          msg->ready = g_bytes_new_from_bytes (block, self->max_chunk_size, size - self->max_chunk_size);
          g_bytes_unref (block);
        }
      else
        {
          piece = g_steal_pointer (&msg->ready);
          msg->ready = g_steal_pointer (&msg->next_ready);
        }
      len = g_bytes_get_size (piece);
      last = (msg->eof && msg->ready == NULL) ||
             (msg->total >= 0 && msg->offset + (gint64) len == msg->total);
      if (last && msg->total < 0)
        msg->total = msg->offset + len;
      msg_read_ahead (msg);
    }

  chunk = _msrp_transport_new_request (self->transport, "SEND");
  msrp_chunk_set_content_type (chunk, msg->content_type);
  msrp_chunk_set_data (chunk, piece);
  msg_apply_headers (msg, chunk);
  /* A chunk that may be cut short says `*` for its end (RFC 4975 7.1). */
  msrp_chunk_set_byte_range (chunk, msg->offset + 1, len > SLICE_SIZE ? -1 : msg->offset + (gint64) len,
                             last ? msg->offset + (gint64) len : msg->total);
  msrp_chunk_set_continuation (chunk, last ? MSRP_CONTINUATION_END : MSRP_CONTINUATION_MORE);
  msg->offset += len;
  msg->started = TRUE;
  msg->last_sent = last;
  if (last && msg->success_report)
    g_hash_table_insert (self->awaiting_report, msg->message_id, msg);
  return chunk;
}

static void
on_file_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  OutMsg *msg = user_data;
  MsrpBlock *block = g_steal_pointer (&msg->read_block);
  GError *error = NULL;
  GBytes *bytes;

  if (block != NULL)
    {
      gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

      if (n > 0)
        bytes = _msrp_block_free_to_bytes (block, n);
      else
        {
          _msrp_block_give_back (block);
          bytes = n == 0 ? g_bytes_new_static ("", 0) : NULL;
        }
    }
  else
    bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  msg->reading = FALSE;
  if (bytes == NULL)
    msg_finish (msg, error);
  else if (g_bytes_get_size (bytes) == 0)
    {
      msg->eof = TRUE;
      g_bytes_unref (bytes);
    }
  else
    {
      /* Peek whether this was the end: the last chunk must say `$`. */
      if (msg->total >= 0 && msg_stream_position (msg) + (gint64) g_bytes_get_size (bytes) >= msg->total)
        msg->eof = TRUE;
      if (msg->ready == NULL)
        msg->ready = bytes;
      else
        msg->next_ready = bytes;
    }

  if (!msg->done)
    pump (msg->session);
  msg_unref (msg);
}

/* The interruptible chunk of a message was written to its end, or cut
 * short after @sent bytes of @body: then the message goes on from there in
 * a new chunk, or, when it failed meanwhile, ends with `#`. */
static void
msg_open_chunk_ended (OutMsg           *msg,
                      MsrpChunk        *chunk,
                      GBytes           *body,
                      Transaction      *t,
                      gsize             sent,
                      MsrpContinuation  ended)
{
  MsrpSession *self = msg->session;
  gsize size = g_bytes_get_size (body);
  gint64 start;

  if (msg->open_chunk == chunk)
    g_clear_object (&msg->open_chunk);
  if (ended != MSRP_CONTINUATION_MORE || sent >= size)
    return;

  /* Its transaction covers what went out: its response counts that much. */
  if (t != NULL)
    t->size = sent;
  msrp_chunk_get_byte_range (chunk, &start, NULL, NULL);
  msg->offset = start - 1 + (gint64) sent;
  if (msg->data == NULL)
    {
      g_clear_pointer (&msg->rest, g_bytes_unref);
      msg->rest = g_bytes_new_from_bytes (body, sent, size - sent);
      msg->rest_last = msg->last_sent;
    }
  msg->last_sent = FALSE;

  if (msg->done)
    {
      if (msg->abort_after_cut && !self->closed)
        msg_write_abort (msg);
    }
  else if (!msg->in_sending)
    sending_add (self, msg);
}

static void
pump (MsrpSession *self)
{
  if (self->pumping)
    {
      self->pump_again = TRUE;
      return;
    }
  self->pumping = TRUE;
  g_object_ref (self);

  do
    {
      self->pump_again = FALSE;
      while (!self->closed &&
             self->msg_writes < MAX_QUEUED_WRITES &&
             (self->msg_write_bytes < MAX_QUEUED_BYTES || self->msg_writes == 0) &&
             self->msg_outstanding < WINDOW &&
             (self->msg_outstanding_bytes < WINDOW_BYTES || self->msg_outstanding == 0) &&
             !g_queue_is_empty (&self->sending))
        {
          guint n = g_queue_get_length (&self->sending);
          MsrpChunk *chunk = NULL;
          OutMsg *msg = NULL;

          /* Round robin: the first message with a chunk ready. */
          for (guint i = 0; i < n && chunk == NULL; i++)
            {
              msg = g_queue_pop_head (&self->sending);
              g_queue_push_tail (&self->sending, msg);
              msg_ref (msg);
              chunk = msg_next_chunk (msg);
              if (chunk == NULL)
                msg_unref (msg);
            }
          if (chunk == NULL)
            break;

          if (msg->last_sent)
            sending_remove (self, msg);
          msg->outstanding++;
          self->msg_outstanding++;
          self->msg_outstanding_bytes += MIN (msrp_chunk_get_size (chunk), SLICE_SIZE);
          /* The transaction holds the reference taken above. */
          if (!start_transaction (self, chunk, NULL, msg, NULL, NULL))
            g_assert_not_reached ();
          g_object_unref (chunk);
        }
    }
  while (self->pump_again);

  self->pumping = FALSE;
  g_object_unref (self);
}

static gboolean
msg_cancel_in_idle (gpointer user_data)
{
  OutMsg *msg = user_data;

  msg_finish (msg, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                        _("The MSRP message was cancelled")));
  return G_SOURCE_REMOVE;
}

/* Called where the cancellable was cancelled, maybe another thread: the
 * message ends from the session's context. */
static void
on_msg_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  OutMsg *msg = user_data;
  GSource *idle = g_idle_source_new ();

  g_source_set_static_name (idle, "[msrp] message cancelled");
  /* Not below the I/O that keeps the transfer going. */
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, msg_cancel_in_idle, msg_ref (msg), (GDestroyNotify) msg_unref);
  g_source_attach (idle, msg->session->context);
  g_source_unref (idle);
}

/* The watched cancellable was cancelled: every message using it ends. */
static gboolean
watched_cancel_in_idle (gpointer user_data)
{
  MsrpSession *self = user_data;
  g_autoptr(GPtrArray) msgs = g_ptr_array_new_with_free_func ((GDestroyNotify) msg_unref);

  /* Their callbacks may queue messages: those that were waiting end. */
  for (GList *l = self->cancel_watched.head; l != NULL; l = l->next)
    g_ptr_array_add (msgs, msg_ref (l->data));
  for (guint i = 0; i < msgs->len; i++)
    msg_finish (g_ptr_array_index (msgs, i),
                g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                     _("The MSRP message was cancelled")));
  return G_SOURCE_REMOVE;
}

/* Called where the cancellable was cancelled, maybe another thread. The
 * session is alive: dispose disconnects this first (waiting for it). */
static void
on_watched_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  MsrpSession *self = user_data;
  GSource *idle = g_idle_source_new ();

  g_source_set_static_name (idle, "[msrp] message cancelled");
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, watched_cancel_in_idle, g_object_ref (self), g_object_unref);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

/* Watches the message's cancellable: with the session's one handler when
 * it is the session's watched cancellable (the first a message brought),
 * or with one of its own. */
static void
msg_watch_cancellable (MsrpSession *self,
                       OutMsg      *msg)
{
  GCancellable *cancellable = msg->cancellable;

  if (self->watched_cancellable == NULL && !g_cancellable_is_cancelled (cancellable))
    {
      self->watched_id = g_cancellable_connect (cancellable, G_CALLBACK (on_watched_cancelled), self, NULL);
      /* 0: it was cancelled meanwhile, and the handler ran (for nothing). */
      if (self->watched_id != 0)
        self->watched_cancellable = g_object_ref (cancellable);
    }
  /* Cancelled already, the message ends as with a handler of its own.
   * Cancelled from now on, the handler finds it in cancel_watched. */
  if (cancellable == self->watched_cancellable && !g_cancellable_is_cancelled (cancellable))
    {
      msg->cancel_link.data = msg;
      g_queue_push_tail_link (&self->cancel_watched, &msg->cancel_link);
      msg->shared_watch = TRUE;
      return;
    }
  msg->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_msg_cancelled),
                                             msg_ref (msg), (GDestroyNotify) msg_unref);
}

static void
queue_message (MsrpSession *self,
               OutMsg      *msg)
{
  if (self->closed || self->shutdown_task != NULL)
    {
      msg->done = TRUE;
      g_task_return_new_error (g_steal_pointer (&msg->task), MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                               "%s", _("The MSRP session is closed"));
      msg_unref (msg);
      return;
    }
  /* The message keeps its first reference until it is finished. */
  sending_add (self, msg);
  msg->cancellable = g_task_get_cancellable (msg->task);
  if (msg->cancellable != NULL)
    {
      g_object_ref (msg->cancellable);
      msg_watch_cancellable (self, msg);
    }
  pump (self);
}

/**
 * msrp_session_send_message_async:
 * @session: a #MsrpSession
 * @data: the message
 * @content_type: its MIME type, such as "text/plain"
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the message is delivered
 * @user_data: data for @callback
 *
 * Sends a message, in chunks of at most
 * [property@Msrp.Session:max-chunk-size] with a new random Message-ID and
 * the session's [property@Msrp.Session:failure-report] and
 * [property@Msrp.Session:success-report]. Several messages can be in
 * flight at once; they take turns chunk by chunk, and a long chunk is cut
 * short (ended with `+`, the rest following in a new chunk) when a
 * response, a REPORT or a chunk of another message is waiting.
 *
 * It completes when every chunk got its response, and, when a success
 * REPORT was asked for, when that REPORT came. A negative response (such
 * as 413) stops the message: the peer gets a last chunk ending with `#`.
 *
 * Since: 1.0
 */
void
msrp_session_send_message_async (MsrpSession         *session,
                                 GBytes              *data,
                                 const char          *content_type,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  OutMsg *msg;

  g_return_if_fail (MSRP_IS_SESSION (session));
  g_return_if_fail (data != NULL);
  g_return_if_fail (content_type != NULL);

  msg = g_new0 (OutMsg, 1);
  msg->ref_count = 1;
  msg->session = g_object_ref (session);
  msg->task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_name (msg->task, "[msrp] send message");
  g_task_set_source_tag (msg->task, msrp_session_send_message_async);
  msg->message_id = msrp_random_ident (MSRP_RANDOM_ID_LENGTH);
  msg->content_type = g_strdup (content_type);
  msg->data = g_bytes_ref (data);
  msg->total = g_bytes_get_size (data);
  msg->success_report = session->success_report;
  msg->failure_report = session->failure_report;
  queue_message (session, msg);
}

/**
 * msrp_session_send_message_finish:
 * @session: a #MsrpSession
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Session.send_message_async].
 *
 * Returns: (transfer full): the Message-ID, or %NULL with @error set
 *   (%MSRP_TRANSACTION_ERROR with the peer's status code when it refused
 *   the message)
 *
 * Since: 1.0
 */
char *
msrp_session_send_message_finish (MsrpSession  *session,
                                  GAsyncResult *result,
                                  GError      **error)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), NULL);
  g_return_val_if_fail (g_task_is_valid (result, session), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * msrp_session_send_file_async:
 * @session: a #MsrpSession
 * @file: what to send
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the file is delivered
 * @user_data: data for @callback
 *
 * Streams a file: it is read one chunk at a time, so memory stays bounded
 * whatever its size. The chunks carry the file's Message-ID and headers
 * and a Byte-Range whose total is the file's size (`*` while unknown);
 * [property@Msrp.OutgoingFile:bytes-sent] follows the acknowledged bytes.
 * Success-Report is the file's own header when set, else the session's.
 * Completion is as for [method@Msrp.Session.send_message_async].
 *
 * Since: 1.0
 */
void
msrp_session_send_file_async (MsrpSession         *session,
                              MsrpOutgoingFile    *file,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  OutMsg *msg;
  const char *success;

  g_return_if_fail (MSRP_IS_SESSION (session));
  g_return_if_fail (MSRP_IS_OUTGOING_FILE (file));

  msg = g_new0 (OutMsg, 1);
  msg->ref_count = 1;
  msg->session = g_object_ref (session);
  msg->task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_name (msg->task, "[msrp] send file");
  g_task_set_source_tag (msg->task, msrp_session_send_file_async);
  msg->file = g_object_ref (file);
  msg->stream = g_object_ref (msrp_outgoing_file_get_stream (file));
  msg->message_id = g_strdup (msrp_outgoing_file_get_message_id (file));
  msg->content_type = g_strdup (msrp_outgoing_file_get_content_type (file));
  msg->total = msrp_outgoing_file_get_size (file);
  msg->offset = msrp_outgoing_file_get_position (file);
  success = msrp_outgoing_file_get_header (file, "Success-Report");
  msg->success_report = success ? g_ascii_strcasecmp (success, "yes") == 0 : session->success_report;
  msg->failure_report = session->failure_report;
  if (session->streams_sending++ == 0)
    _msrp_block_pool_set_keep (session->blocks, TRUE);
  queue_message (session, msg);
}

/**
 * msrp_session_send_file_finish:
 * @session: a #MsrpSession
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Session.send_file_async].
 *
 * Returns: %TRUE when the whole file was delivered
 *
 * Since: 1.0
 */
gboolean
msrp_session_send_file_finish (MsrpSession  *session,
                               GAsyncResult *result,
                               GError      **error)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, session), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A REPORT about a message we sent. */
static void
handle_report (MsrpSession *self,
               MsrpChunk   *report)
{
  const char *message_id = msrp_chunk_get_message_id (report);
  OutMsg *msg = message_id ? g_hash_table_lookup (self->awaiting_report, message_id) : NULL;
  guint code;
  const char *comment;

  g_signal_emit (self, signals[SIGNAL_REPORT_RECEIVED], 0, report);
  if (msg == NULL || msg->done || !msrp_chunk_get_status (report, &code, &comment))
    return;
  if (code / 100 == 2)
    {
      /* Delivered: all that is left is the responses, if any. */
      msg->success_report = FALSE;
      g_hash_table_remove (self->awaiting_report, message_id);
      msg_check_done (msg);
    }
  else
    msg_finish (msg, g_error_new (MSRP_TRANSACTION_ERROR, code, _("The MSRP peer reported %u %s"),
                                  code, comment ? comment : ""));
}

/* Incoming */

static void
on_answer_written (MsrpTransport    *transport,
                   const GError     *error,
                   gsize             sent,
                   MsrpContinuation  ended,
                   gpointer          user_data)
{
  if (error != NULL)
    g_debug ("Could not answer an MSRP request: %s", error->message);
}

static void
answer (MsrpSession *self,
        MsrpChunk   *request,
        guint        code,
        const char  *comment)
{
  g_autoptr(MsrpChunk) response = NULL;

  if (comment == NULL)
    {
      _msrp_transport_write_response (self->transport, request, code, on_answer_written, NULL);
      return;
    }
  response = msrp_transport_make_response (self->transport, request, code, comment);
  _msrp_transport_write_chunk_with_callback (self->transport, response, 0, on_answer_written, NULL);
}

/* Whether the Failure-Report of a request wants this status answered. */
static gboolean
wants_answer (MsrpChunk *request,
              guint      code)
{
  switch (msrp_chunk_get_failure_report (request))
    {
    case MSRP_FAILURE_REPORT_NO:
      return FALSE;
    case MSRP_FAILURE_REPORT_PARTIAL:
      return code / 100 != 2;
    case MSRP_FAILURE_REPORT_YES:
    default:
      return TRUE;
    }
}

static gboolean
type_accepted (MsrpSession *self,
               const char  *content_type)
{
  g_autofree char *type = NULL;
  const char *semicolon = strchr (content_type, ';');

  type = g_ascii_strdown (content_type, semicolon ? semicolon - content_type : -1);
  g_strstrip (type);
  for (guint i = 0; self->accept_types[i] != NULL; i++)
    {
      const char *accept = self->accept_types[i];
      gsize len = strlen (accept);

      if (strcmp (accept, "*") == 0 || g_ascii_strcasecmp (accept, type) == 0)
        return TRUE;
      /* type/ * */
      if (len >= 2 && accept[len - 1] == '*' && accept[len - 2] == '/' &&
          g_ascii_strncasecmp (accept, type, len - 1) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
send_success_report (MsrpSession *self,
                     MsrpChunk   *first,
                     guint64      total)
{
  g_autoptr(MsrpChunk) report = _msrp_transport_new_request (self->transport, "REPORT");

  /* Back along the path the message came, hop by hop. */
  msrp_chunk_set_to_path (report, msrp_chunk_get_from_path (first));
  msrp_chunk_set_message_id (report, msrp_chunk_get_message_id (first));
  msrp_chunk_set_byte_range (report, 1, total, total);
  msrp_chunk_set_status (report, MSRP_STATUS_OK, NULL);
  _msrp_transport_write_chunk_with_callback (self->transport, report, 0, on_answer_written, NULL);
}

static void
handle_send (MsrpSession *self,
             MsrpChunk   *chunk)
{
  const char *tid = msrp_chunk_get_transaction_id (chunk);
  guint segment = msrp_chunk_get_segment (chunk);
  gboolean last_part = segment == 0 || _msrp_chunk_is_last_segment (chunk);
  g_autoptr(GError) error = NULL;
  const char *content_type;
  g_autoptr(MsrpChunk) first = NULL;
  g_autoptr(GBytes) message = NULL;
  guint64 message_total = 0;
  gboolean streamed;
  MsrpReassembly result;

  /* The rest of a chunk whose first part was refused is dropped. */
  if (segment > 1 && g_hash_table_contains (self->refused, tid))
    {
      if (last_part)
        g_hash_table_remove (self->refused, tid);
      return;
    }

  if (segment <= 1)
    {
      content_type = msrp_chunk_get_content_type (chunk);
      if (!msrp_transport_check_incoming_send_chunk (self->transport, chunk, &error))
        ;
      else if (content_type != NULL && !type_accepted (self, content_type))
        g_set_error (&error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                     _("The MSRP session does not accept “%s”"), content_type);
      else if (self->max_size > 0)
        {
          gint64 start, end, total;

          msrp_chunk_get_byte_range (chunk, &start, &end, &total);
          if ((total >= 0 && (guint64) total > self->max_size) ||
              (guint64) (start - 1) + msrp_chunk_get_size (chunk) > self->max_size)
            g_set_error (&error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_STOP_SENDING,
                         _("The message is larger than the MSRP session accepts"));
        }

      if (error != NULL)
        {
          g_debug ("refusing chunk %s: %s", tid, error->message);
          if (error->domain == MSRP_TRANSACTION_ERROR && wants_answer (chunk, error->code))
            answer (self, chunk, error->code, NULL);
          if (!last_part)
            g_hash_table_add (self->refused, g_strdup (tid));
          return;
        }
    }

  /* A SEND without a body (not even an empty one) carries no message: it
   * binds a connection or keeps it alive. */
  if (msrp_chunk_get_data (chunk) == NULL && msrp_chunk_get_content_type (chunk) == NULL &&
      msrp_chunk_get_continuation (chunk) == MSRP_CONTINUATION_END)
    {
      if (wants_answer (chunk, MSRP_STATUS_OK))
        answer (self, chunk, MSRP_STATUS_OK, NULL);
      return;
    }

  /* Put together before anything acknowledges the chunk: one the session
   * cannot keep gets 413, not a 200 and later a success REPORT for a
   * message nobody got. A handler of chunk-received takes the chunks of
   * a message too large to keep. */
  streamed = g_signal_has_handler_pending (self, signals[SIGNAL_CHUNK_RECEIVED], 0, FALSE);
  result = _msrp_reassembler_add (self->reassembler, chunk, streamed, &first, &message, &message_total);
  if (result == MSRP_REASSEMBLY_TOO_LARGE || result == MSRP_REASSEMBLY_OVER_LIMIT ||
      result == MSRP_REASSEMBLY_REFUSED)
    {
      g_debug ("refusing chunk %s of message %s: %s", tid, msrp_chunk_get_message_id (chunk),
               result == MSRP_REASSEMBLY_TOO_LARGE ? "too large, and no chunk-received handler"
               : result == MSRP_REASSEMBLY_OVER_LIMIT ? "over the reassembly limits"
               : "its message was refused");
      if (wants_answer (chunk, MSRP_STATUS_STOP_SENDING))
        answer (self, chunk, MSRP_STATUS_STOP_SENDING, NULL);
      if (!last_part)
        g_hash_table_add (self->refused, g_strdup (tid));
      return;
    }

  /* One response for the whole chunk, once its last part came; queued
   * before the signals, so that a handler that shuts the session down
   * does not leave the chunk unanswered. */
  if (last_part && wants_answer (chunk, MSRP_STATUS_OK))
    answer (self, chunk, MSRP_STATUS_OK, NULL);

  g_signal_emit (self, signals[SIGNAL_CHUNK_RECEIVED], 0, chunk);
  if (self->closed || result != MSRP_REASSEMBLY_COMPLETE)
    return;

  if (msrp_chunk_get_success_report (first))
    send_success_report (self, first, message_total);
  /* NULL: too large, it came only as chunk-received. */
  if (message != NULL)
    g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, first, message);
}

static void
handle_response (MsrpSession *self,
                 MsrpChunk   *response)
{
  Transaction *t = g_hash_table_lookup (self->transactions, msrp_chunk_get_transaction_id (response));

  if (t == NULL)
    {
      g_debug ("ignoring a response to no transaction of ours: %s", msrp_chunk_get_transaction_id (response));
      return;
    }
  /* With Failure-Report partial, a success is not expected but fine. */
  transaction_complete (self, t, response, NULL);
}

static void
handle_chunk (MsrpSession *self,
              MsrpChunk   *chunk)
{
  const char *method = msrp_chunk_get_method (chunk);

  if (method == NULL)
    handle_response (self, chunk);
  else if (strcmp (method, "SEND") == 0)
    handle_send (self, chunk);
  else if (strcmp (method, "REPORT") == 0)
    {
      if (msrp_chunk_get_segment (chunk) <= 1)
        handle_report (self, chunk);
    }
  else if (msrp_chunk_get_segment (chunk) <= 1)
    answer (self, chunk, MSRP_STATUS_UNKNOWN_METHOD, NULL);
}

static void
on_chunk_read (MsrpTransport *transport,
               MsrpChunk     *read,
               GError        *error,
               gpointer       user_data)
{
  MsrpSession *self = user_data;
  g_autoptr(MsrpChunk) chunk = read;

  self->read_pending = FALSE;
  self->last_activity = g_get_monotonic_time ();
  if (chunk == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->closed)
        {
          /* The peer closing between chunks is the normal end. */
          if (g_error_matches (error, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED))
            g_clear_error (&error);
          session_close (self, error);
        }
      else
        g_clear_error (&error);
      g_object_unref (self);
      return;
    }

  handle_chunk (self, chunk);
  continue_reading (self);
  g_object_unref (self);
}

/* Hands out the chunks already read, then reads on; stops while paused. */
static void
continue_reading (MsrpSession *self)
{
  while (!self->closed && self->paused == 0 && !self->read_pending)
    {
      /* Chunks already read are handled now, not a main-loop turn each. */
      g_autoptr(MsrpChunk) next = _msrp_transport_read_buffered (self->transport, READ_PART_SIZE);

      if (next == NULL)
        {
          read_next (self);
          break;
        }
      handle_chunk (self, next);
    }
}

static void
read_next (MsrpSession *self)
{
  self->read_pending = TRUE;
  _msrp_transport_read_with_callback (self->transport, READ_PART_SIZE, on_chunk_read, g_object_ref (self));
}

/* Ending */

static void
on_transport_closed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(MsrpSession) self = user_data;
  g_autoptr(GError) error = NULL;

  msrp_transport_close_finish (MSRP_TRANSPORT (source), result, &error);
  if (self->shutdown_task != NULL)
    {
      GTask *task = g_steal_pointer (&self->shutdown_task);

      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

static void
session_close (MsrpSession *self,
               GError      *error)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();

  if (self->closed)
    {
      g_clear_error (&error);
      return;
    }
  self->closed = TRUE;
  g_object_ref (self);

  /* Transactions still waiting fail with the reason. */
  g_hash_table_iter_init (&iter, self->transactions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (pending, value);
  for (guint i = 0; i < pending->len; i++)
    transaction_complete (self, g_ptr_array_index (pending, i), NULL,
                          error ? g_error_copy (error)
                                : g_error_new_literal (MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                                                       _("The MSRP session is closed")));
  _msrp_reassembler_clear (self->reassembler);

  /* Messages not sent yet, or waiting for their REPORT, fail too. */
  while (!g_queue_is_empty (&self->sending) || g_hash_table_size (self->awaiting_report) > 0)
    {
      OutMsg *msg = g_queue_peek_head (&self->sending);

      if (msg == NULL)
        {
          GHashTableIter report_iter;

          g_hash_table_iter_init (&report_iter, self->awaiting_report);
          g_hash_table_iter_next (&report_iter, NULL, (gpointer *) &msg);
        }
      msg_ref (msg);
      msg_finish (msg, error ? g_error_copy (error)
                             : g_error_new_literal (MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                                                    _("The MSRP session is closed")));
      msg_unref (msg);
    }

  if (self->keepalive_timer != NULL)
    {
      g_source_destroy (self->keepalive_timer);
      g_clear_pointer (&self->keepalive_timer, g_source_unref);
    }
  g_cancellable_cancel (self->cancellable);
  msrp_transport_close_async (self->transport, NULL, on_transport_closed, g_object_ref (self));
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
  g_clear_error (&error);
  g_object_unref (self);
}

static gboolean
shutdown_now (gpointer user_data)
{
  MsrpSession *self = user_data;

  session_close (self, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_shutdown_cancelled (GCancellable *cancellable,
                       MsrpSession  *self)
{
  GSource *idle = g_idle_source_new ();

  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_static_name (idle, "[msrp] shutdown now");
  g_source_set_callback (idle, shutdown_now, g_object_ref (self), g_object_unref);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

/* Once a shutdown was asked for and nothing is left to send or to wait
 * for, the session closes. */
static void
maybe_finish_shutdown (MsrpSession *self)
{
  if (self->shutdown_task == NULL || self->closed)
    return;
  if (!g_queue_is_empty (&self->sending) ||
      g_hash_table_size (self->awaiting_report) > 0 ||
      g_hash_table_size (self->transactions) > 0)
    return;
  session_close (self, NULL);
}

/**
 * msrp_session_shutdown_async:
 * @session: a #MsrpSession
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the session is closed
 * @user_data: data for @callback
 *
 * Ends the session cleanly: no new message or chunk is taken, those
 * already queued are sent and answered (or time out), then the connection
 * closes and [signal@Msrp.Session::closed] is emitted without error.
 * Cancelling @cancellable closes at once: what is still pending fails with
 * %MSRP_ERROR_CONNECTION_CLOSED.
 *
 * Since: 1.0
 */
void
msrp_session_shutdown_async (MsrpSession         *session,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (MSRP_IS_SESSION (session));

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, msrp_session_shutdown_async);
  g_task_set_check_cancellable (task, FALSE);
  if (session->closed || session->shutdown_task != NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  session->shutdown_task = task;
  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (on_shutdown_cancelled),
                             session, 0);
  maybe_finish_shutdown (session);
}

/**
 * msrp_session_shutdown_finish:
 * @session: a #MsrpSession
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Session.shutdown_async].
 *
 * Returns: %TRUE
 *
 * Since: 1.0
 */
gboolean
msrp_session_shutdown_finish (MsrpSession  *session,
                              GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, session), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Properties */

/**
 * msrp_session_get_transport:
 * @session: a #MsrpSession
 *
 * Gets the transport the session runs on.
 *
 * Returns: (transfer none): the transport
 *
 * Since: 1.0
 */
MsrpTransport *
msrp_session_get_transport (MsrpSession *session)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), NULL);
  return session->transport;
}

/**
 * msrp_session_get_accept_types:
 * @session: a #MsrpSession
 *
 * Gets the MIME types the session accepts.
 *
 * Returns: (transfer none) (array zero-terminated=1): the types
 *
 * Since: 1.0
 */
const char * const *
msrp_session_get_accept_types (MsrpSession *session)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), NULL);
  return (const char * const *) session->accept_types;
}

/**
 * msrp_session_get_response_timeout:
 * @session: a #MsrpSession
 *
 * Gets [property@Msrp.Session:response-timeout].
 *
 * Returns: seconds
 *
 * Since: 1.0
 */
guint
msrp_session_get_response_timeout (MsrpSession *session)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), 0);
  return session->response_timeout;
}

/**
 * msrp_session_set_response_timeout:
 * @session: a #MsrpSession
 * @seconds: seconds to wait for a response, at least 1
 *
 * Sets [property@Msrp.Session:response-timeout], for transactions started
 * from now on.
 *
 * Since: 1.0
 */
void
msrp_session_set_response_timeout (MsrpSession *session,
                                   guint        seconds)
{
  g_return_if_fail (MSRP_IS_SESSION (session));
  g_return_if_fail (seconds >= 1);

  if (session->response_timeout == seconds)
    return;
  session->response_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (session), properties[PROP_RESPONSE_TIMEOUT]);
}

/**
 * msrp_session_get_max_message_size:
 * @session: a #MsrpSession
 *
 * Gets [property@Msrp.Session:max-message-size].
 *
 * Returns: bytes
 *
 * Since: 1.0
 */
gsize
msrp_session_get_max_message_size (MsrpSession *session)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), 0);
  return session->max_message_size;
}

/**
 * msrp_session_set_max_message_size:
 * @session: a #MsrpSession
 * @size: bytes
 *
 * Sets [property@Msrp.Session:max-message-size], for messages that start
 * arriving from now on.
 *
 * Since: 1.0
 */
void
msrp_session_set_max_message_size (MsrpSession *session,
                                   gsize        size)
{
  g_return_if_fail (MSRP_IS_SESSION (session));

  if (session->max_message_size == size)
    return;
  session->max_message_size = size;
  update_reassembly_limits (session);
  g_object_notify_by_pspec (G_OBJECT (session), properties[PROP_MAX_MESSAGE_SIZE]);
}

static void
update_reassembly_limits (MsrpSession *self)
{
  _msrp_reassembler_set_limits (self->reassembler, self->max_message_size,
                                self->max_reassembly_size, self->max_open_messages);
}

/**
 * msrp_session_get_max_reassembly_size:
 * @session: a #MsrpSession
 *
 * Gets [property@Msrp.Session:max-reassembly-size].
 *
 * Returns: bytes, or 0 for no limit
 *
 * Since: 1.0
 */
gsize
msrp_session_get_max_reassembly_size (MsrpSession *session)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), 0);
  return session->max_reassembly_size;
}

/**
 * msrp_session_set_max_reassembly_size:
 * @session: a #MsrpSession
 * @size: bytes, or 0 for no limit
 *
 * Sets [property@Msrp.Session:max-reassembly-size], for chunks that
 * arrive from now on.
 *
 * Since: 1.0
 */
void
msrp_session_set_max_reassembly_size (MsrpSession *session,
                                      gsize        size)
{
  g_return_if_fail (MSRP_IS_SESSION (session));

  if (session->max_reassembly_size == size)
    return;
  session->max_reassembly_size = size;
  update_reassembly_limits (session);
  g_object_notify_by_pspec (G_OBJECT (session), properties[PROP_MAX_REASSEMBLY_SIZE]);
}

/**
 * msrp_session_get_max_open_messages:
 * @session: a #MsrpSession
 *
 * Gets [property@Msrp.Session:max-open-messages].
 *
 * Returns: a number of messages, or 0 for no limit
 *
 * Since: 1.0
 */
guint
msrp_session_get_max_open_messages (MsrpSession *session)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), 0);
  return session->max_open_messages;
}

/**
 * msrp_session_set_max_open_messages:
 * @session: a #MsrpSession
 * @count: a number of messages, or 0 for no limit
 *
 * Sets [property@Msrp.Session:max-open-messages], for messages that start
 * arriving from now on.
 *
 * Since: 1.0
 */
void
msrp_session_set_max_open_messages (MsrpSession *session,
                                    guint        count)
{
  g_return_if_fail (MSRP_IS_SESSION (session));

  if (session->max_open_messages == count)
    return;
  session->max_open_messages = count;
  update_reassembly_limits (session);
  g_object_notify_by_pspec (G_OBJECT (session), properties[PROP_MAX_OPEN_MESSAGES]);
}

MsrpReassembler *
_msrp_session_get_reassembler (MsrpSession *session)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), NULL);
  return session->reassembler;
}

/**
 * msrp_session_get_max_chunk_size:
 * @session: a #MsrpSession
 *
 * Gets [property@Msrp.Session:max-chunk-size].
 *
 * Returns: bytes
 *
 * Since: 1.0
 */
gsize
msrp_session_get_max_chunk_size (MsrpSession *session)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), 0);
  return session->max_chunk_size;
}

/**
 * msrp_session_set_max_chunk_size:
 * @session: a #MsrpSession
 * @size: bytes, at least 1
 *
 * Sets [property@Msrp.Session:max-chunk-size], for chunks made from now
 * on.
 *
 * Since: 1.0
 */
void
msrp_session_set_max_chunk_size (MsrpSession *session,
                                 gsize        size)
{
  g_return_if_fail (MSRP_IS_SESSION (session));
  g_return_if_fail (size >= 1);

  session->max_chunk_size_set = TRUE;
  if (session->max_chunk_size == size)
    return;
  session->max_chunk_size = size;
  g_object_notify_by_pspec (G_OBJECT (session), properties[PROP_MAX_CHUNK_SIZE]);
}

/**
 * msrp_session_get_success_report:
 * @session: a #MsrpSession
 *
 * Gets [property@Msrp.Session:success-report].
 *
 * Returns: whether sent messages ask for a success REPORT
 *
 * Since: 1.0
 */
gboolean
msrp_session_get_success_report (MsrpSession *session)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), FALSE);
  return session->success_report;
}

/**
 * msrp_session_set_success_report:
 * @session: a #MsrpSession
 * @success_report: whether sent messages ask for a success REPORT
 *
 * Sets [property@Msrp.Session:success-report].
 *
 * Since: 1.0
 */
void
msrp_session_set_success_report (MsrpSession *session,
                                 gboolean     success_report)
{
  g_return_if_fail (MSRP_IS_SESSION (session));

  success_report = !!success_report;
  if (session->success_report == success_report)
    return;
  session->success_report = success_report;
  g_object_notify_by_pspec (G_OBJECT (session), properties[PROP_SUCCESS_REPORT]);
}

/**
 * msrp_session_get_failure_report:
 * @session: a #MsrpSession
 *
 * Gets [property@Msrp.Session:failure-report].
 *
 * Returns: the Failure-Report of sent messages
 *
 * Since: 1.0
 */
MsrpFailureReport
msrp_session_get_failure_report (MsrpSession *session)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), MSRP_FAILURE_REPORT_YES);
  return session->failure_report;
}

/**
 * msrp_session_set_failure_report:
 * @session: a #MsrpSession
 * @failure_report: the Failure-Report of sent messages
 *
 * Sets [property@Msrp.Session:failure-report].
 *
 * Since: 1.0
 */
void
msrp_session_set_failure_report (MsrpSession       *session,
                                 MsrpFailureReport  failure_report)
{
  g_return_if_fail (MSRP_IS_SESSION (session));
  g_return_if_fail (failure_report <= MSRP_FAILURE_REPORT_PARTIAL);

  if (session->failure_report == failure_report)
    return;
  session->failure_report = failure_report;
  g_object_notify_by_pspec (G_OBJECT (session), properties[PROP_FAILURE_REPORT]);
}

static void
on_keepalive_answered (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  MsrpSession *self = MSRP_SESSION (source);
  g_autoptr(MsrpChunk) response = NULL;
  g_autoptr(GError) error = NULL;

  self->keepalive_pending = FALSE;
  response = msrp_session_send_chunk_finish (self, result, &error);
  if (response != NULL && msrp_chunk_get_code (response) == MSRP_STATUS_REQUEST_TIMEOUT)
    session_close (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                              _("The MSRP peer did not answer a keepalive in time")));
}

static gboolean
on_keepalive_tick (gpointer user_data)
{
  MsrpSession *self = user_data;
  gint64 idle = g_get_monotonic_time () - self->last_activity;

  if (!self->closed && !self->keepalive_pending &&
      idle >= (gint64) self->keepalive_interval * G_USEC_PER_SEC - G_USEC_PER_SEC / 2)
    {
      g_autoptr(MsrpChunk) ping = msrp_transport_make_chunk (self->transport, "SEND", NULL, NULL);

      self->keepalive_pending = TRUE;
      msrp_session_send_chunk_async (self, ping, NULL, on_keepalive_answered, NULL);
    }
  return G_SOURCE_CONTINUE;
}

/**
 * msrp_session_get_keepalive_interval:
 * @session: a #MsrpSession
 *
 * Gets [property@Msrp.Session:keepalive-interval].
 *
 * Returns: seconds, or 0 when off
 *
 * Since: 1.0
 */
guint
msrp_session_get_keepalive_interval (MsrpSession *session)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), 0);
  return session->keepalive_interval;
}

/**
 * msrp_session_set_keepalive_interval:
 * @session: a #MsrpSession
 * @seconds: seconds of silence before a keepalive, or 0 for none
 *
 * Sets [property@Msrp.Session:keepalive-interval].
 *
 * Since: 1.0
 */
void
msrp_session_set_keepalive_interval (MsrpSession *session,
                                     guint        seconds)
{
  g_return_if_fail (MSRP_IS_SESSION (session));

  if (session->keepalive_interval == seconds)
    return;
  session->keepalive_interval = seconds;
  if (session->keepalive_timer != NULL)
    {
      g_source_destroy (session->keepalive_timer);
      g_clear_pointer (&session->keepalive_timer, g_source_unref);
    }
  if (seconds > 0 && !session->closed)
    {
      /* Ticks at the interval; a tick sends only after that much silence. */
      session->last_activity = g_get_monotonic_time ();
      session->keepalive_timer = g_timeout_source_new_seconds (seconds);
      g_source_set_static_name (session->keepalive_timer, "[msrp] keepalive");
      g_source_set_callback (session->keepalive_timer, on_keepalive_tick, session, NULL);
      g_source_attach (session->keepalive_timer, session->context);
    }
  g_object_notify_by_pspec (G_OBJECT (session), properties[PROP_KEEPALIVE_INTERVAL]);
}

static gboolean
resume_in_idle (gpointer user_data)
{
  continue_reading (MSRP_SESSION (user_data));
  return G_SOURCE_REMOVE;
}

/**
 * msrp_session_pause_reading:
 * @session: a #MsrpSession
 *
 * Stops handing out incoming chunks (and reading them from the
 * connection) after the signal being emitted now, until
 * [method@Msrp.Session.resume_reading]: an application that consumes
 * chunks asynchronously, say writing them to disk, calls it in
 * [signal@Msrp.Session::chunk-received] and resumes once it caught up. The
 * peer is then slowed down by TCP instead of memory growing here.
 * Calls nest: reading resumes after as many resumes as pauses.
 *
 * Since: 1.0
 */
void
msrp_session_pause_reading (MsrpSession *session)
{
  g_return_if_fail (MSRP_IS_SESSION (session));
  session->paused++;
}

/**
 * msrp_session_resume_reading:
 * @session: a #MsrpSession
 *
 * Undoes one [method@Msrp.Session.pause_reading]. Reading goes on from the
 * main context, not from within this call.
 *
 * Since: 1.0
 */
void
msrp_session_resume_reading (MsrpSession *session)
{
  g_return_if_fail (MSRP_IS_SESSION (session));
  g_return_if_fail (session->paused > 0);

  if (--session->paused == 0 && !session->closed)
    {
      GSource *idle = g_idle_source_new ();

      g_source_set_priority (idle, G_PRIORITY_DEFAULT);
      g_source_set_static_name (idle, "[msrp] resume reading");
      g_source_set_callback (idle, resume_in_idle, g_object_ref (session), g_object_unref);
      g_source_attach (idle, session->context);
      g_source_unref (idle);
    }
}

/**
 * msrp_session_get_max_size:
 * @session: a #MsrpSession
 *
 * Gets [property@Msrp.Session:max-size].
 *
 * Returns: bytes, or 0 for no limit
 *
 * Since: 1.0
 */
guint64
msrp_session_get_max_size (MsrpSession *session)
{
  g_return_val_if_fail (MSRP_IS_SESSION (session), 0);
  return session->max_size;
}

/**
 * msrp_session_set_max_size:
 * @session: a #MsrpSession
 * @size: the largest message accepted, in bytes, or 0 for no limit
 *
 * Sets [property@Msrp.Session:max-size].
 *
 * Since: 1.0
 */
void
msrp_session_set_max_size (MsrpSession *session,
                           guint64      size)
{
  g_return_if_fail (MSRP_IS_SESSION (session));

  if (session->max_size == size)
    return;
  session->max_size = size;
  g_object_notify_by_pspec (G_OBJECT (session), properties[PROP_MAX_SIZE]);
}
