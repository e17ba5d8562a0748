/* msrp-session.c: sending and receiving messages over a transport
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "msrp-session-private.h"
#include "msrp-enums.h"
#include "msrp-marshal.h"
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

/* Some relays limit a whole frame to about 11 KB. */
#define RELAY_MAX_CHUNK_SIZE (8 * 1024)

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

/* Sizes held in memory are gsize in the API and gulong properties (as in
 * GMemoryOutputStream): one type wherever this code runs. */
G_STATIC_ASSERT (sizeof (gsize) == sizeof (gulong));

guint _msrp_session_signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (MsrpSession, msrp_session, G_TYPE_OBJECT)

static void update_reassembly_limits (MsrpSession *self);

static gboolean
nothing_in_idle (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

static void
msrp_session_dispose (GObject *object)
{
  MsrpSession *self = MSRP_SESSION (object);

  if (self->cancellable != NULL)
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
  if (self->transactions != NULL)
    g_hash_table_remove_all (self->transactions);
  _msrp_reassembler_clear (self->reassembler);
  _msrp_poller_timer_clear (&self->timer);
  _msrp_poller_timer_clear (&self->report_timer);

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
  g_clear_pointer (&self->transactions, g_hash_table_unref);
  _msrp_reassembler_free (self->reassembler);
  g_clear_pointer (&self->refused, g_hash_table_unref);
  g_clear_pointer (&self->awaiting_report, g_hash_table_unref);
  g_clear_pointer (&self->report_path, g_ptr_array_unref);
  g_free (self->report_path_value);
  _msrp_block_pool_set_keep (self->blocks, FALSE);
  _msrp_block_pool_unref (self->blocks);
  g_assert (g_queue_is_empty (&self->sending));
  g_assert (g_queue_is_empty (&self->waiting));

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
      g_value_set_ulong (value, self->max_message_size);
      break;
    case PROP_MAX_CHUNK_SIZE:
      g_value_set_ulong (value, self->max_chunk_size);
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
      g_value_set_ulong (value, self->max_reassembly_size);
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
      msrp_session_set_max_message_size (self, g_value_get_ulong (value));
      break;
    case PROP_MAX_CHUNK_SIZE:
      msrp_session_set_max_chunk_size (self, g_value_get_ulong (value));
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
      msrp_session_set_max_reassembly_size (self, g_value_get_ulong (value));
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
  /* Relays limit frames: ours (a route), and the peer's, which its
   * a=path lists before the peer and which we may reach directly. */
  if (!self->max_chunk_size_set &&
      (_msrp_transport_get_through_relay (self->transport) ||
       msrp_transport_get_full_remote_path (self->transport)->len > 1))
    self->max_chunk_size = RELAY_MAX_CHUNK_SIZE;
  _msrp_session_read_next (self);
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
    g_param_spec_ulong ("max-message-size", NULL, NULL, 0, G_MAXSIZE, MSRP_DEFAULT_MAX_MESSAGE_SIZE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpSession:max-chunk-size:
   *
   * The largest body of one chunk that
   * [method@Msrp.Session.send_message_async] and
   * [method@Msrp.Session.send_file_async] send; longer messages go in
   * several chunks. The default is 64 KiB, and 8 KiB on a transport that
   * goes through a relay, ours or the peer's (some limit a whole frame to
   * about 11 KB).
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
    g_param_spec_ulong ("max-chunk-size", NULL, NULL, 1, G_MAXSIZE, MSRP_DEFAULT_MAX_CHUNK_SIZE,
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
   * no limit. A chunk of a larger message, by its Byte-Range total or by
   * where its bytes end, is answered 413, which tells the sender to stop
   * sending it. A long chunk is checked on each part as it arrives (one of
   * unknown length is refused once it passes the limit), and later chunks
   * of a refused message get 413 too.
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
    g_param_spec_ulong ("max-reassembly-size", NULL, NULL, 0, G_MAXSIZE, MSRP_DEFAULT_MAX_REASSEMBLY_SIZE,
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
  _msrp_session_signals[SIGNAL_CHUNK_RECEIVED] =
    g_signal_new ("chunk-received", MSRP_TYPE_SESSION, G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, _msrp_marshal_VOID__OBJECT, G_TYPE_NONE, 1, MSRP_TYPE_CHUNK);
  g_signal_set_va_marshaller (_msrp_session_signals[SIGNAL_CHUNK_RECEIVED], MSRP_TYPE_SESSION,
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
  _msrp_session_signals[SIGNAL_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", MSRP_TYPE_SESSION, G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, _msrp_marshal_VOID__OBJECT_BOXED,
                  G_TYPE_NONE, 2, MSRP_TYPE_CHUNK, G_TYPE_BYTES);
  g_signal_set_va_marshaller (_msrp_session_signals[SIGNAL_MESSAGE_RECEIVED], MSRP_TYPE_SESSION,
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
  _msrp_session_signals[SIGNAL_REPORT_RECEIVED] =
    g_signal_new ("report-received", MSRP_TYPE_SESSION, G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, _msrp_marshal_VOID__OBJECT, G_TYPE_NONE, 1, MSRP_TYPE_CHUNK);
  g_signal_set_va_marshaller (_msrp_session_signals[SIGNAL_REPORT_RECEIVED], MSRP_TYPE_SESSION,
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
  _msrp_session_signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", MSRP_TYPE_SESSION, G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, _msrp_marshal_VOID__BOXED, G_TYPE_NONE, 1, G_TYPE_ERROR);
  g_signal_set_va_marshaller (_msrp_session_signals[SIGNAL_CLOSED], MSRP_TYPE_SESSION,
                              _msrp_marshal_VOID__BOXEDv);
}

static void
msrp_session_init (MsrpSession *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->response_timeout = 30;
  self->max_message_size = MSRP_DEFAULT_MAX_MESSAGE_SIZE;
  self->blocks = _msrp_block_pool_new (STREAM_BLOCK_SIZE, MAX_SPARE_BLOCKS);
  self->max_reassembly_size = MSRP_DEFAULT_MAX_REASSEMBLY_SIZE;
  self->max_open_messages = MSRP_DEFAULT_MAX_OPEN_MESSAGES;
  self->reassembler = _msrp_reassembler_new ();
  update_reassembly_limits (self);
  self->max_chunk_size = MSRP_DEFAULT_MAX_CHUNK_SIZE;
  self->failure_report = MSRP_FAILURE_REPORT_YES;
  g_queue_init (&self->sending);
  g_queue_init (&self->waiting);
  g_queue_init (&self->timer_queue);
  g_queue_init (&self->report_queue);
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

GError *
_msrp_session_closed_error (void)
{
  return g_error_new_literal (MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED, _("The MSRP session is closed"));
}

/* Runs func once from the session's context, not below the I/O that keeps
 * transfers going. name: a static string. */
void
_msrp_session_add_idle (MsrpSession    *self,
                        const char     *name,
                        GSourceFunc     func,
                        gpointer        data,
                        GDestroyNotify  destroy)
{
  GSource *idle = g_idle_source_new ();

  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_static_name (idle, name);
  g_source_set_callback (idle, func, data, destroy);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

/* Ends the session (once): what waits fails with error (a copy each), or
 * with "closed" without one, and ::closed is emitted. Takes error. */
void
_msrp_session_close (MsrpSession *self,
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
  if (self->transactions != NULL)
    {
      g_hash_table_iter_init (&iter, self->transactions);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_ptr_array_add (pending, value);
    }
  for (guint i = 0; i < pending->len; i++)
    _msrp_session_transaction_complete (self, g_ptr_array_index (pending, i), NULL,
                                        error ? g_error_copy (error) : _msrp_session_closed_error ());
  _msrp_reassembler_clear (self->reassembler);

  /* Messages not sent yet, or waiting for their REPORT, fail too. */
  while (!g_queue_is_empty (&self->sending) || !g_queue_is_empty (&self->waiting) ||
         _msrp_session_table_size (self->awaiting_report) > 0)
    {
      OutMsg *msg = g_queue_peek_head (&self->sending);

      if (msg == NULL)
        msg = g_queue_peek_head (&self->waiting);
      if (msg == NULL)
        {
          GHashTableIter report_iter;

          g_hash_table_iter_init (&report_iter, self->awaiting_report);
          g_hash_table_iter_next (&report_iter, NULL, (gpointer *) &msg);
        }
      _msrp_out_msg_ref (msg);
      _msrp_out_msg_finish (msg, error ? g_error_copy (error) : _msrp_session_closed_error ());
      _msrp_out_msg_unref (msg);
    }

  if (self->keepalive_timer != NULL)
    {
      g_source_destroy (self->keepalive_timer);
      g_clear_pointer (&self->keepalive_timer, g_source_unref);
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  msrp_transport_close_async (self->transport, NULL, on_transport_closed, g_object_ref (self));
  g_signal_emit (self, _msrp_session_signals[SIGNAL_CLOSED], 0, error);
  g_clear_error (&error);
  g_object_unref (self);
}

static gboolean
shutdown_now (gpointer user_data)
{
  MsrpSession *self = user_data;

  _msrp_session_close (self, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_shutdown_cancelled (GCancellable *cancellable,
                       MsrpSession  *self)
{
  _msrp_session_add_idle (self, "[msrp] shutdown now", shutdown_now, g_object_ref (self), g_object_unref);
}

/* Once a shutdown was asked for and nothing is left to send or to wait
 * for, the session closes. */
void
_msrp_session_maybe_finish_shutdown (MsrpSession *self)
{
  if (self->shutdown_task == NULL || self->closed)
    return;
  if (!g_queue_is_empty (&self->sending) ||
      !g_queue_is_empty (&self->waiting) ||
      _msrp_session_table_size (self->awaiting_report) > 0 ||
      _msrp_session_table_size (self->transactions) > self->lingering)
    return;
  /* Transactions that only wait for a failure (Failure-Report partial)
   * counted as done already: the end does not wait out their timeout. */
  _msrp_session_close (self, NULL);
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
  _msrp_session_maybe_finish_shutdown (session);
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

  _msrp_set_uint (G_OBJECT (session), &session->response_timeout, seconds, properties[PROP_RESPONSE_TIMEOUT]);
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

  _msrp_set_boolean (G_OBJECT (session), &session->success_report, success_report, properties[PROP_SUCCESS_REPORT]);
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
    _msrp_session_close (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
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

