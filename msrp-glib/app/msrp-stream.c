/* msrp-stream.c: the life cycle shared by chat, file transfer and tunnel
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-stream.h"
#include "msrp-stream-private.h"
#include "msrp-connector.h"
#include "msrp-enums.h"
#include "msrp-error.h"
#include "msrp-marshal.h"
#include "msrp-utils-private.h"

/**
 * MsrpStream:
 *
 * The life cycle that [class@Msrp.Chat] and the other application streams
 * share, after the reference API's MSRP streams: SDP in, SDP out, a
 * session in between.
 *
 * 1. [method@Msrp.Stream.initialize_async] takes the peer's SDP offer (or
 *    %NULL to make one) and gives the local [class@Msrp.SdpMedia] to put in
 *    the SDP: an offer, or the answer to the peer's offer. It prepares the
 *    connection: a listening socket, the relay's session, or a URI on the
 *    shared [property@Msrp.Stream:server].
 * 2. [method@Msrp.Stream.start_async] takes the peer's answer (the offerer
 *    only; the answerer has the offer already) and connects: the stream is
 *    then [enum@Msrp.StreamState.STARTED], with a [class@Msrp.Session].
 * 3. [method@Msrp.Stream.end_async] sends what is queued and closes.
 *
 * Who connects follows the two media (RFC 4145, RFC 6135): the offerer
 * says `a=setup:actpass` and waits; the answerer connects (`active`)
 * unless the offer is `a=setup:active`. With RFC 6714 CEMA
 * (`a=msrp-cema`, which every local media carries) the connection goes to
 * the address of the peer's `c=` and `m=` lines, else to the first URI of
 * its `a=path`. Through a [property@Msrp.Stream:relay] the offerer
 * authenticates at the relay and the answerer connects through it.
 *
 * MSRP over WebSocket (RFC 7977): a relay whose settings say transport
 * "ws" is reached as a browser reaches one, and the media says
 * `TCP/WS/MSRP` (`TCP/WSS/MSRP` over TLS) with the stream's `.invalid`
 * `;ws` URI behind the relay's `Use-Path`; so does a `;ws`
 * [property@Msrp.Stream:local-uri] on a [property@Msrp.Stream:server] that
 * takes WebSocket peers. A peer whose first hop says `;ws` is reached over
 * a WebSocket, on the connector's default path.
 *
 * TLS needs no setup: with [property@Msrp.Stream:use-tls] (the default)
 * and no [property@Msrp.Stream:tls-certificate], a self-signed certificate
 * (made once per process) is used, its fingerprint goes into the local
 * media's `a=fingerprint` (RFC 8122), and the peer's certificate is checked
 * against the fingerprint of the peer's media. The answerer follows the
 * offer: a `TCP/MSRP` offer gets a `TCP/MSRP` answer.
 *
 * Since: 1.0
 */

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (MsrpStream, msrp_stream, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_RELAY,
  PROP_TLS_CERTIFICATE,
  PROP_USE_TLS,
  PROP_SERVER,
  PROP_LOGGER,
  PROP_LOCAL_URI,
  PROP_SESSION,
  PROP_LOCAL_MEDIA,
  PROP_REMOTE_MEDIA,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_INITIALIZED,
  SIGNAL_STARTED,
  SIGNAL_WILL_END,
  SIGNAL_ENDED,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

MsrpStreamPrivate *
_msrp_stream_get_private (MsrpStream *stream)
{
  return msrp_stream_get_instance_private (stream);
}

void
_msrp_stream_set_state (MsrpStream      *self,
                        MsrpStreamState  state)
{
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);

  if (priv->state == state)
    return;
  priv->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
release_connection (MsrpStream *self)
{
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);

  if (priv->connector != NULL)
    {
      msrp_connector_cleanup (priv->connector);
      g_clear_object (&priv->connector);
    }
  if (priv->server_uri != NULL)
    {
      msrp_server_cleanup (priv->server, priv->server_uri);
      g_clear_object (&priv->server_uri);
    }
  if (priv->session != NULL)
    {
      g_clear_signal_handler (&priv->closed_id, priv->session);
      g_clear_object (&priv->session);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
    }
}

/* Ends the stream with @error (taken) unless it ended already. */
void
_msrp_stream_fail (MsrpStream *self,
                   GError     *error)
{
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);

  if (priv->state == MSRP_STREAM_STATE_FAILED || priv->state == MSRP_STREAM_STATE_ENDED)
    {
      g_error_free (error);
      return;
    }
  g_object_ref (self);
  /* Closed now: messages in flight keep the session alive until their
   * responses come, and the peer must not wait that long. */
  if (priv->session != NULL)
    msrp_transport_close_async (msrp_session_get_transport (priv->session), NULL, NULL, NULL);
  release_connection (self);
  _msrp_stream_set_state (self, MSRP_STREAM_STATE_FAILED);
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
  g_error_free (error);
  g_object_unref (self);
}

static void
msrp_stream_dispose (GObject *object)
{
  MsrpStream *self = MSRP_STREAM (object);

  release_connection (self);
  G_OBJECT_CLASS (msrp_stream_parent_class)->dispose (object);
}

static void
msrp_stream_finalize (GObject *object)
{
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (MSRP_STREAM (object));

  g_clear_object (&priv->relay);
  g_clear_object (&priv->tls_certificate);
  g_clear_object (&priv->certificate);
  g_clear_object (&priv->server);
  g_clear_object (&priv->logger);
  g_clear_object (&priv->local_uri);
  g_clear_pointer (&priv->local_path, g_ptr_array_unref);
  g_clear_object (&priv->local_media);
  g_clear_object (&priv->remote_media);
  g_main_context_unref (priv->context);
  G_OBJECT_CLASS (msrp_stream_parent_class)->finalize (object);
}

#define PRIV(stream) ((MsrpStreamPrivate *) msrp_stream_get_instance_private (stream))

/* Where the object properties that only count before initialize are
 * kept: one place for their setters and GObject accessors. */
static GObject **
object_field (MsrpStream *stream,
              guint       prop_id)
{
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (stream);

  switch (prop_id)
    {
    case PROP_RELAY:
      return (GObject **) &priv->relay;
    case PROP_TLS_CERTIFICATE:
      return (GObject **) &priv->tls_certificate;
    case PROP_SERVER:
      return (GObject **) &priv->server;
    case PROP_LOGGER:
      return (GObject **) &priv->logger;
    case PROP_LOCAL_URI:
      return (GObject **) &priv->local_uri;
    default:
      g_assert_not_reached ();
    }
}

static void
set_object_property (MsrpStream *stream,
                     guint       prop_id,
                     gpointer    value)
{
  g_return_if_fail (MSRP_IS_STREAM (stream));
  g_return_if_fail (value == NULL ||
                    G_TYPE_CHECK_INSTANCE_TYPE (value, G_PARAM_SPEC_VALUE_TYPE (properties[prop_id])));
  g_return_if_fail (PRIV (stream)->state == MSRP_STREAM_STATE_NEW);
  if (g_set_object (object_field (stream, prop_id), value))
    g_object_notify_by_pspec (G_OBJECT (stream), properties[prop_id]);
}

static void
msrp_stream_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  MsrpStream *self = MSRP_STREAM (object);
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, priv->state);
      break;
    case PROP_RELAY:
    case PROP_TLS_CERTIFICATE:
    case PROP_SERVER:
    case PROP_LOGGER:
    case PROP_LOCAL_URI:
      g_value_set_object (value, *object_field (self, prop_id));
      break;
    case PROP_USE_TLS:
      g_value_set_boolean (value, priv->use_tls);
      break;
    case PROP_SESSION:
      g_value_set_object (value, priv->session);
      break;
    case PROP_LOCAL_MEDIA:
      g_value_set_object (value, priv->local_media);
      break;
    case PROP_REMOTE_MEDIA:
      g_value_set_object (value, priv->remote_media);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_stream_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  MsrpStream *self = MSRP_STREAM (object);

  switch (prop_id)
    {
    case PROP_RELAY:
    case PROP_TLS_CERTIFICATE:
    case PROP_SERVER:
    case PROP_LOGGER:
    case PROP_LOCAL_URI:
      set_object_property (self, prop_id, g_value_get_object (value));
      break;
    case PROP_USE_TLS:
      msrp_stream_set_use_tls (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_stream_init (MsrpStream *self)
{
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);

  priv->use_tls = TRUE;
  priv->context = g_main_context_ref_thread_default ();
}

/**
 * MsrpStreamClass::prepare_local_media:
 * @stream: the stream
 * @local_media: the local media to add attributes to
 * @remote_offer: (nullable): the peer's offer when the stream answers, or
 *   %NULL when it makes the offer
 * @error: return location for a #GError
 *
 * Adds the stream's own attributes to the local media.
 *
 * Returns: %TRUE, or %FALSE with @error set to refuse the offer
 *
 * Since: 1.0
 */

/**
 * MsrpStreamClass::check_remote_media:
 * @stream: the stream
 * @remote_media: the peer's offer, or its answer to ours
 * @error: return location for a #GError
 *
 * Checks the peer's media before connecting.
 *
 * Returns: %TRUE, or %FALSE with @error set to fail the stream
 *
 * Since: 1.0
 */

/**
 * MsrpStreamClass::accept_types:
 * @stream: the stream
 *
 * Gives the content types the stream's session accepts.
 *
 * Returns: (transfer none) (array zero-terminated=1) (nullable): the
 *   types, owned by the stream, or %NULL for any
 *
 * Since: 1.0
 */

static void
msrp_stream_class_init (MsrpStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = msrp_stream_dispose;
  object_class->finalize = msrp_stream_finalize;
  object_class->get_property = msrp_stream_get_property;
  object_class->set_property = msrp_stream_set_property;

  klass->media_type = "message";

  /**
   * MsrpStream:state:
   *
   * Where the stream is in its life cycle.
   *
   * Since: 1.0
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       MSRP_TYPE_STREAM_STATE, MSRP_STREAM_STATE_NEW,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpStream:relay:
   *
   * The RFC 4976 relay to go through, or %NULL for a direct connection.
   * Set it before [method@Msrp.Stream.initialize_async].
   *
   * Since: 1.0
   */
  properties[PROP_RELAY] =
    g_param_spec_object ("relay", NULL, NULL, MSRP_TYPE_RELAY_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpStream:tls-certificate:
   *
   * The certificate (with its private key) to present on TLS connections,
   * or %NULL for a self-signed one made for the process. Its fingerprint
   * goes into the local media.
   *
   * Since: 1.0
   */
  properties[PROP_TLS_CERTIFICATE] =
    g_param_spec_object ("tls-certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpStream:use-tls:
   *
   * Whether an offer uses TLS (`TCP/TLS/MSRP`, `msrps:` URIs). An answer
   * follows the offer whatever this says.
   *
   * Since: 1.0
   */
  properties[PROP_USE_TLS] =
    g_param_spec_boolean ("use-tls", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpStream:server:
   *
   * A shared [class@Msrp.Server] that takes the connection when the peer
   * connects to us, so that many streams share one port; %NULL to listen
   * on a port of the stream's own. A TLS stream uses the server's
   * certificate.
   *
   * Since: 1.0
   */
  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL, MSRP_TYPE_SERVER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpStream:logger:
   *
   * The traffic logger given to the connection, or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_LOGGER] =
    g_param_spec_object ("logger", NULL, NULL, MSRP_TYPE_LOGGER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpStream:local-uri:
   *
   * The local URI to prepare (its host, port and session-id), or %NULL to
   * let the connector choose: this machine's name and any free port.
   *
   * Since: 1.0
   */
  properties[PROP_LOCAL_URI] =
    g_param_spec_object ("local-uri", NULL, NULL, MSRP_TYPE_URI,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpStream:session:
   *
   * The session once the stream started, else %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, MSRP_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpStream:local-media:
   *
   * The local media once initialized, else %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_LOCAL_MEDIA] =
    g_param_spec_object ("local-media", NULL, NULL, MSRP_TYPE_SDP_MEDIA,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpStream:remote-media:
   *
   * The peer's media (its offer or its answer) once known, else %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_REMOTE_MEDIA] =
    g_param_spec_object ("remote-media", NULL, NULL, MSRP_TYPE_SDP_MEDIA,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MsrpStream::initialized:
   * @stream: the stream
   *
   * The local media is ready.
   *
   * Since: 1.0
   */
  signals[SIGNAL_INITIALIZED] =
    g_signal_new ("initialized", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * MsrpStream::started:
   * @stream: the stream
   *
   * The connection is up and bound: the stream runs.
   *
   * Since: 1.0
   */
  signals[SIGNAL_STARTED] =
    g_signal_new ("started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * MsrpStream::will-end:
   * @stream: the stream
   *
   * The stream is about to end, by [method@Msrp.Stream.end_async] or
   * because the peer closed the session.
   *
   * Since: 1.0
   */
  signals[SIGNAL_WILL_END] =
    g_signal_new ("will-end", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * MsrpStream::ended:
   * @stream: the stream
   *
   * The stream ended normally; the connection is closed.
   *
   * Since: 1.0
   */
  signals[SIGNAL_ENDED] =
    g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * MsrpStream::failed:
   * @stream: the stream
   * @error: what went wrong
   *
   * The stream ended with an error: it could not be set up, or its
   * connection broke. The state is then [enum@Msrp.StreamState.FAILED].
   *
   * Since: 1.0
   */
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

/* What msrp-stream-setup.c tells as initialize and start go on */

void
_msrp_stream_set_remote_media (MsrpStream   *self,
                               MsrpSdpMedia *media)
{
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);

  g_clear_object (&priv->remote_media);
  priv->remote_media = msrp_sdp_media_copy (media);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_MEDIA]);
}

void
_msrp_stream_initialized (MsrpStream   *self,
                          MsrpSdpMedia *local_media)
{
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);

  g_set_object (&priv->local_media, local_media);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCAL_MEDIA]);
  _msrp_stream_set_state (self, MSRP_STREAM_STATE_INITIALIZED);
  g_signal_emit (self, signals[SIGNAL_INITIALIZED], 0);
}

static void
on_session_closed (MsrpSession  *session,
                   const GError *error,
                   gpointer      user_data)
{
  MsrpStream *self = user_data;
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);
  MsrpStreamClass *klass = MSRP_STREAM_GET_CLASS (self);

  if (priv->state != MSRP_STREAM_STATE_STARTED)
    return;
  if (klass->session_closed != NULL && klass->session_closed (self, session, error))
    return;
  if (error != NULL)
    {
      _msrp_stream_fail (self, g_error_copy (error));
      return;
    }
  _msrp_stream_peer_ended (self);
}

void
_msrp_stream_started (MsrpStream    *self,
                      MsrpTransport *transport)
{
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);
  MsrpStreamClass *klass = MSRP_STREAM_GET_CLASS (self);
  const char * const *accept_types;

  accept_types = klass->accept_types ? klass->accept_types (self) : NULL;
  priv->session = msrp_session_new (transport, accept_types);
  g_object_unref (transport);
  priv->closed_id = g_signal_connect (priv->session, "closed", G_CALLBACK (on_session_closed), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);

  _msrp_stream_set_state (self, MSRP_STREAM_STATE_STARTED);
  if (klass->session_started != NULL)
    klass->session_started (self, priv->session);
  g_signal_emit (self, signals[SIGNAL_STARTED], 0);
}

/* The peer ended the session. */
void
_msrp_stream_peer_ended (MsrpStream *self)
{
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);

  if (priv->state != MSRP_STREAM_STATE_STARTED)
    return;
  g_object_ref (self);
  _msrp_stream_set_state (self, MSRP_STREAM_STATE_ENDING);
  g_signal_emit (self, signals[SIGNAL_WILL_END], 0);
  release_connection (self);
  _msrp_stream_set_state (self, MSRP_STREAM_STATE_ENDED);
  g_signal_emit (self, signals[SIGNAL_ENDED], 0);
  g_object_unref (self);
}

/* end */

static void
end_done (GTask *task)
{
  MsrpStream *self = g_task_get_source_object (task);
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);

  release_connection (self);
  if (priv->state == MSRP_STREAM_STATE_ENDING)
    {
      _msrp_stream_set_state (self, MSRP_STREAM_STATE_ENDED);
      g_signal_emit (self, signals[SIGNAL_ENDED], 0);
    }
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
on_shutdown (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Ending anyway: a failed shutdown only means the peer went first. */
  if (!msrp_session_shutdown_finish (MSRP_SESSION (source), result, &error))
    g_debug ("MSRP stream shutdown: %s", error->message);
  end_done (user_data);
}

/**
 * msrp_stream_end_async:
 * @stream: a #MsrpStream
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the stream ended
 * @user_data: data for @callback
 *
 * Ends the stream: what is queued still goes out (bounded by the
 * session's response timeout), then the connection closes and
 * [signal@Msrp.Stream::ended] is emitted. A stream that is still being
 * initialized or started stops there. Ending a stream that ended already
 * does nothing.
 *
 * Since: 1.0
 */
void
msrp_stream_end_async (MsrpStream          *stream,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  MsrpStreamPrivate *priv;
  MsrpStreamClass *klass;
  GTask *task;

  g_return_if_fail (MSRP_IS_STREAM (stream));

  priv = msrp_stream_get_instance_private (stream);
  klass = MSRP_STREAM_GET_CLASS (stream);
  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, msrp_stream_end_async);
  g_task_set_name (task, "[msrp] stream end");

  if (priv->state == MSRP_STREAM_STATE_ENDED || priv->state == MSRP_STREAM_STATE_FAILED ||
      priv->state == MSRP_STREAM_STATE_ENDING)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  _msrp_stream_set_state (stream, MSRP_STREAM_STATE_ENDING);
  g_signal_emit (stream, signals[SIGNAL_WILL_END], 0);
  if (priv->session == NULL)
    {
      end_done (task);
      return;
    }
  if (klass->session_ending != NULL)
    klass->session_ending (stream, priv->session);
  msrp_session_shutdown_async (priv->session, cancellable, on_shutdown, task);
}

/**
 * msrp_stream_end_finish:
 * @stream: a #MsrpStream
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Stream.end_async].
 *
 * Returns: %TRUE (the stream ended), or %FALSE with @error set when it
 *   was cancelled
 *
 * Since: 1.0
 */
gboolean
msrp_stream_end_finish (MsrpStream    *stream,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Accessors */

/**
 * msrp_stream_get_state:
 * @stream: a #MsrpStream
 *
 * Returns: where the stream is in its life cycle
 *
 * Since: 1.0
 */
MsrpStreamState
msrp_stream_get_state (MsrpStream *stream)
{
  g_return_val_if_fail (MSRP_IS_STREAM (stream), MSRP_STREAM_STATE_NEW);
  return PRIV (stream)->state;
}

/**
 * msrp_stream_get_session:
 * @stream: a #MsrpStream
 *
 * Returns: (transfer none) (nullable): the session, once started
 *
 * Since: 1.0
 */
MsrpSession *
msrp_stream_get_session (MsrpStream *stream)
{
  g_return_val_if_fail (MSRP_IS_STREAM (stream), NULL);
  return PRIV (stream)->session;
}

/**
 * msrp_stream_get_local_media:
 * @stream: a #MsrpStream
 *
 * Returns: (transfer none) (nullable): the local media, once initialized
 *
 * Since: 1.0
 */
MsrpSdpMedia *
msrp_stream_get_local_media (MsrpStream *stream)
{
  g_return_val_if_fail (MSRP_IS_STREAM (stream), NULL);
  return PRIV (stream)->local_media;
}

/**
 * msrp_stream_get_remote_media:
 * @stream: a #MsrpStream
 *
 * Returns: (transfer none) (nullable): the peer's media, once known
 *
 * Since: 1.0
 */
MsrpSdpMedia *
msrp_stream_get_remote_media (MsrpStream *stream)
{
  g_return_val_if_fail (MSRP_IS_STREAM (stream), NULL);
  return PRIV (stream)->remote_media;
}

/**
 * msrp_stream_get_is_offerer:
 * @stream: a #MsrpStream
 *
 * Returns: whether the stream made the offer (it was initialized without
 *   a remote offer)
 *
 * Since: 1.0
 */
gboolean
msrp_stream_get_is_offerer (MsrpStream *stream)
{
  g_return_val_if_fail (MSRP_IS_STREAM (stream), FALSE);
  return PRIV (stream)->offerer;
}


/**
 * msrp_stream_get_relay:
 * @stream: a #MsrpStream
 *
 * Returns: (transfer none) (nullable): the relay to go through
 *
 * Since: 1.0
 */
MsrpRelaySettings *
msrp_stream_get_relay (MsrpStream *stream)
{
  g_return_val_if_fail (MSRP_IS_STREAM (stream), NULL);
  return PRIV (stream)->relay;
}

/**
 * msrp_stream_set_relay:
 * @stream: a #MsrpStream
 * @relay: (nullable): the relay to go through, or %NULL
 *
 * Sets [property@Msrp.Stream:relay], before initializing.
 *
 * Since: 1.0
 */
void
msrp_stream_set_relay (MsrpStream        *stream,
                       MsrpRelaySettings *relay)
{
  set_object_property (stream, PROP_RELAY, relay);
}

/**
 * msrp_stream_get_tls_certificate:
 * @stream: a #MsrpStream
 *
 * Returns: (transfer none) (nullable): the certificate set, or %NULL
 *
 * Since: 1.0
 */
GTlsCertificate *
msrp_stream_get_tls_certificate (MsrpStream *stream)
{
  g_return_val_if_fail (MSRP_IS_STREAM (stream), NULL);
  return PRIV (stream)->tls_certificate;
}

/**
 * msrp_stream_set_tls_certificate:
 * @stream: a #MsrpStream
 * @certificate: (nullable): a certificate with its private key, or %NULL
 *   for a self-signed one
 *
 * Sets [property@Msrp.Stream:tls-certificate], before initializing.
 *
 * Since: 1.0
 */
void
msrp_stream_set_tls_certificate (MsrpStream      *stream,
                                 GTlsCertificate *certificate)
{
  set_object_property (stream, PROP_TLS_CERTIFICATE, certificate);
}

/**
 * msrp_stream_get_use_tls:
 * @stream: a #MsrpStream
 *
 * Returns: whether an offer uses TLS
 *
 * Since: 1.0
 */
gboolean
msrp_stream_get_use_tls (MsrpStream *stream)
{
  g_return_val_if_fail (MSRP_IS_STREAM (stream), FALSE);
  return PRIV (stream)->use_tls;
}

/**
 * msrp_stream_set_use_tls:
 * @stream: a #MsrpStream
 * @use_tls: whether an offer uses TLS
 *
 * Sets [property@Msrp.Stream:use-tls], before initializing.
 *
 * Since: 1.0
 */
void
msrp_stream_set_use_tls (MsrpStream *stream,
                         gboolean    use_tls)
{
  MsrpStreamPrivate *priv;

  g_return_if_fail (MSRP_IS_STREAM (stream));
  priv = msrp_stream_get_instance_private (stream);
  g_return_if_fail (priv->state == MSRP_STREAM_STATE_NEW);
  use_tls = !!use_tls;
  if (priv->use_tls == use_tls)
    return;
  priv->use_tls = use_tls;
  g_object_notify_by_pspec (G_OBJECT (stream), properties[PROP_USE_TLS]);
}

/**
 * msrp_stream_get_server:
 * @stream: a #MsrpStream
 *
 * Returns: (transfer none) (nullable): the shared server, or %NULL
 *
 * Since: 1.0
 */
MsrpServer *
msrp_stream_get_server (MsrpStream *stream)
{
  g_return_val_if_fail (MSRP_IS_STREAM (stream), NULL);
  return PRIV (stream)->server;
}

/**
 * msrp_stream_set_server:
 * @stream: a #MsrpStream
 * @server: (nullable): a shared server, or %NULL
 *
 * Sets [property@Msrp.Stream:server], before initializing.
 *
 * Since: 1.0
 */
void
msrp_stream_set_server (MsrpStream *stream,
                        MsrpServer *server)
{
  set_object_property (stream, PROP_SERVER, server);
}

/**
 * msrp_stream_get_logger:
 * @stream: a #MsrpStream
 *
 * Returns: (transfer none) (nullable): the traffic logger
 *
 * Since: 1.0
 */
MsrpLogger *
msrp_stream_get_logger (MsrpStream *stream)
{
  g_return_val_if_fail (MSRP_IS_STREAM (stream), NULL);
  return PRIV (stream)->logger;
}

/**
 * msrp_stream_set_logger:
 * @stream: a #MsrpStream
 * @logger: (nullable): a traffic logger, or %NULL
 *
 * Sets [property@Msrp.Stream:logger], before initializing.
 *
 * Since: 1.0
 */
void
msrp_stream_set_logger (MsrpStream *stream,
                        MsrpLogger *logger)
{
  set_object_property (stream, PROP_LOGGER, logger);
}

/**
 * msrp_stream_get_local_uri:
 * @stream: a #MsrpStream
 *
 * Returns: (transfer none) (nullable): the local URI to prepare
 *
 * Since: 1.0
 */
MsrpUri *
msrp_stream_get_local_uri (MsrpStream *stream)
{
  g_return_val_if_fail (MSRP_IS_STREAM (stream), NULL);
  return PRIV (stream)->local_uri;
}

/**
 * msrp_stream_set_local_uri:
 * @stream: a #MsrpStream
 * @uri: (nullable): the local URI (host, port, session-id), or %NULL
 *
 * Sets [property@Msrp.Stream:local-uri], before initializing. Its scheme
 * does not count: TLS follows [property@Msrp.Stream:use-tls] and the offer.
 *
 * Since: 1.0
 */
void
msrp_stream_set_local_uri (MsrpStream *stream,
                           MsrpUri    *uri)
{
  set_object_property (stream, PROP_LOCAL_URI, uri);
}
