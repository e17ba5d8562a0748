/* msrp-transport.c: one MSRP connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-transport-backend-private.h"
#include "msrp-poller-private.h"
#include "msrp-chunk-private.h"
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
gboolean
_msrp_transport_debug_enabled (void)
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

/* Where requests go first: our relay, or the peer. */
MsrpUri *
_msrp_transport_first_hop (MsrpTransport *self)
{
  if (self->route != NULL && self->route->len > 0)
    return g_ptr_array_index (self->route, 0);
  return self->remote_path->len ? g_ptr_array_index (self->remote_path, 0) : NULL;
}

/* Traffic to g_debug() when there is no logger. */
void
_msrp_transport_debug_traffic (MsrpTransport *self,
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

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->backend != NULL)
    self->backend->funcs->want_read (self->backend, FALSE);
  g_clear_object (&self->logger);
  g_clear_pointer (&self->intercepts, g_hash_table_unref);
  _msrp_poller_timer_clear (&self->memo_timer);

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
  _msrp_transport_free_read_buffer (self);
  g_clear_object (&self->cur);
  g_clear_pointer (&self->cur_body, g_byte_array_unref);
  g_queue_clear_full (&self->ready, g_object_unref);
  g_clear_error (&self->read_error);
  g_assert (!_msrp_transport_reading (self) && self->write_state == MSRP_WRITE_IDLE);
  if (self->backend != NULL)
    self->backend->funcs->free (self->backend);
  g_clear_pointer (&self->vectors, g_array_unref);
  g_clear_pointer (&self->coalesced, g_byte_array_unref);

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

static void
msrp_transport_constructed (GObject *object)
{
  MsrpTransport *self = MSRP_TRANSPORT (object);

  G_OBJECT_CLASS (msrp_transport_parent_class)->constructed (object);

  g_assert (self->stream != NULL);
  self->backend = _msrp_transport_socket_backend_new (self, self->stream);
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
  g_queue_init (&self->ready);
  g_queue_init (&self->write_queue);
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

  _msrp_set_boolean (G_OBJECT (transport), &transport->use_sessmatch, use_sessmatch, properties[PROP_USE_SESSMATCH]);
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
  g_return_val_if_fail (_msrp_transport_local_uri (transport) != NULL, NULL);

  if (method == NULL)
    method = "SEND";
  chunk = _msrp_transport_new_request (transport, method);
  message_id = _msrp_random_ident (MSRP_RANDOM_NONCE, MSRP_RANDOM_ID_LENGTH);
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
gboolean
_msrp_transport_local_from_path (MsrpTransport *self)
{
  if (self->from_encoded.value == NULL)
    {
      if (_msrp_transport_local_uri (self) == NULL)
        return FALSE;
      self->from_encoded.path = _msrp_path_new_single (_msrp_transport_local_uri (self));
      self->from_encoded.value = msrp_path_to_string (self->from_encoded.path);
    }
  return TRUE;
}

static void
set_local_from_path (MsrpTransport *self,
                     MsrpChunk     *chunk)
{
  if (_msrp_transport_local_from_path (self))
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
gboolean
_msrp_transport_answer_to_path (MsrpTransport *transport,
                                MsrpChunk     *request)
{
  GPtrArray *request_from = msrp_chunk_get_from_path (request);
  MsrpUri *to;

  if (request_from != NULL && request_from->len > 0)
    to = g_ptr_array_index (request_from, 0);
  else
    to = _msrp_transport_first_hop (transport);
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
  if (_msrp_transport_answer_to_path (transport, request))
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
  if (to->len != 1 || _msrp_transport_local_uri (transport) == NULL ||
      !uri_matches (transport, g_ptr_array_index (to, 0), _msrp_transport_local_uri (transport)))
    {
      g_set_error_literal (error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_SESSION_DOES_NOT_EXIST,
                           _("The To-Path names another session"));
      return FALSE;
    }

  from = msrp_chunk_get_from_path (chunk);
  if (_msrp_transport_remote_uri (transport) == NULL ||
      !uri_matches (transport, g_ptr_array_index (from, from->len - 1), _msrp_transport_remote_uri (transport)))
    {
      g_set_error_literal (error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_SESSION_DOES_NOT_EXIST,
                           _("The From-Path does not end with the peer’s URI"));
      return FALSE;
    }

  return TRUE;
}

void
_msrp_transport_stream_closed (GObject      *source,
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

GError *
_msrp_transport_closed_error (void)
{
  return g_error_new_literal (MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                              _("The MSRP connection is closed"));
}

void
_msrp_transport_finish_close (MsrpTransport *self)
{
  /* A backend that cannot close yet calls again when it can. */
  if (self->backend->funcs->close (self->backend, self->close_task))
    self->close_task = NULL;
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

  if (transport->close_task != NULL || (transport->closed && transport->write_state == MSRP_WRITE_IDLE &&
                                        g_io_stream_is_closed (transport->stream)))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  transport->closed = TRUE;
  transport->close_task = task;

  transport->backend->funcs->want_read (transport->backend, FALSE);
  _msrp_transport_fail_read (transport);

  if (transport->write_state == MSRP_WRITE_IDLE)
    _msrp_transport_start_writes (transport);
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
