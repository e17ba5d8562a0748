/* msrp-stream.c: the life cycle shared by chat, file transfer and tunnel
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-stream.h"
#include "msrp-stream-private.h"
#include "msrp-acceptor-direct.h"
#include "msrp-acceptor-relay.h"
#include "msrp-connector-direct.h"
#include "msrp-connector-private.h"
#include "msrp-connector-relay.h"
#include "msrp-enums.h"
#include "msrp-error.h"
#include "msrp-marshal.h"
#include "msrp-tls.h"
#include "msrp-uri-private.h"
#include "msrp-utils-private.h"
#include "msrp-connector-direct-private.h"

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

typedef struct
{
  MsrpStreamState state;
  MsrpRelaySettings *relay;
  GTlsCertificate *tls_certificate;   /* the application's */
  gboolean use_tls;
  MsrpServer *server;
  MsrpLogger *logger;
  MsrpUri *local_uri;
  GMainContext *context;

  /* The connection, once initialize has begun */
  gboolean offerer;
  gboolean active;            /* we connect */
  gboolean tls;
  GTlsCertificate *certificate;       /* the one in use */
  MsrpConnector *connector;   /* NULL when the server is used */
  MsrpUri *server_uri;        /* the URI prepared on the server */
  GPtrArray *local_path;
  MsrpSdpMedia *local_media;
  MsrpSdpMedia *remote_media;
  MsrpSession *session;
  gulong closed_id;
} MsrpStreamPrivate;

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

/* The certificate of streams without one of their own: one per process,
 * made once (an ECDSA key, a few milliseconds, in a thread). */
G_LOCK_DEFINE_STATIC (default_certificate);
static GTlsCertificate *default_certificate;

static void
set_state (MsrpStream      *self,
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
  set_state (self, MSRP_STREAM_STATE_FAILED);
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
      g_value_set_object (value, priv->relay);
      break;
    case PROP_TLS_CERTIFICATE:
      g_value_set_object (value, priv->tls_certificate);
      break;
    case PROP_USE_TLS:
      g_value_set_boolean (value, priv->use_tls);
      break;
    case PROP_SERVER:
      g_value_set_object (value, priv->server);
      break;
    case PROP_LOGGER:
      g_value_set_object (value, priv->logger);
      break;
    case PROP_LOCAL_URI:
      g_value_set_object (value, priv->local_uri);
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
      msrp_stream_set_relay (self, g_value_get_object (value));
      break;
    case PROP_TLS_CERTIFICATE:
      msrp_stream_set_tls_certificate (self, g_value_get_object (value));
      break;
    case PROP_USE_TLS:
      msrp_stream_set_use_tls (self, g_value_get_boolean (value));
      break;
    case PROP_SERVER:
      msrp_stream_set_server (self, g_value_get_object (value));
      break;
    case PROP_LOGGER:
      msrp_stream_set_logger (self, g_value_get_object (value));
      break;
    case PROP_LOCAL_URI:
      msrp_stream_set_local_uri (self, g_value_get_object (value));
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

/* Media */

static gboolean
protocol_uses_tls (const char *protocol)
{
  return protocol != NULL &&
         (g_ascii_strcasecmp (protocol, "TCP/TLS/MSRP") == 0 ||
          g_ascii_strcasecmp (protocol, "TCP/WSS/MSRP") == 0);
}

static gboolean
check_remote_media (MsrpStream    *self,
                    MsrpSdpMedia  *media,
                    GError       **error)
{
  MsrpStreamClass *klass = MSRP_STREAM_GET_CLASS (self);
  const char *protocol = msrp_sdp_media_get_protocol (media);
  GPtrArray *path = msrp_sdp_media_get_path (media);

  if (msrp_sdp_media_get_port (media) == 0)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                           _("The peer refused the MSRP media stream (port 0)"));
      return FALSE;
    }
  if (protocol == NULL || !g_str_has_suffix (protocol, "/MSRP"))
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                   _("The peer’s media is not MSRP (“%s”)"), protocol ? protocol : "");
      return FALSE;
    }
  if (path == NULL || path->len == 0)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                           _("The peer’s MSRP media has no a=path"));
      return FALSE;
    }
  if (g_strcmp0 (msrp_sdp_media_get_media (media), klass->media_type) != 0)
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                   _("The peer’s media is “%s”, not “%s”"),
                   msrp_sdp_media_get_media (media), klass->media_type);
      return FALSE;
    }
  if (klass->check_remote_media != NULL && !klass->check_remote_media (self, media, error))
    return FALSE;
  return TRUE;
}

static MsrpSdpMedia *
build_local_media (MsrpStream    *self,
                   GError       **error)
{
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);
  MsrpStreamClass *klass = MSRP_STREAM_GET_CLASS (self);
  g_autoptr(MsrpSdpMedia) media = msrp_sdp_media_new (klass->media_type);
  MsrpUri *first = g_ptr_array_index (priv->local_path, 0);
  MsrpUri *own = g_ptr_array_index (priv->local_path, priv->local_path->len - 1);
  guint16 port = msrp_uri_get_port (first);

  /* c= and m= name where the peer connects (RFC 6714): the first hop. An
   * active side that listens nowhere says port 9 (RFC 4145). */
  if (port == 0)
    port = priv->local_path->len > 1 ? 2855 : 9;
  msrp_sdp_media_set_port (media, port);
  /* What the first hop really is: a shared server's own certificate
   * decides its scheme. */
  priv->tls = msrp_uri_get_use_tls (first);
  /* A WebSocket client (our own URI says ;ws) offers TCP/WS/MSRP even
   * behind a relay's TCP Use-Path (RFC 7977 section 8). */
  if (g_strcmp0 (msrp_uri_get_transport (own), "ws") == 0)
    msrp_sdp_media_set_protocol (media, priv->tls ? "TCP/WSS/MSRP" : "TCP/WS/MSRP");
  else
    msrp_sdp_media_set_protocol (media, priv->tls ? "TCP/TLS/MSRP" : "TCP/MSRP");
  msrp_sdp_media_set_connection_address (media, msrp_uri_get_host (first));
  msrp_sdp_media_set_path (media, priv->local_path);
  msrp_sdp_media_set_setup (media, priv->offerer ? "actpass" : priv->active ? "active" : "passive");
  msrp_sdp_media_set_cema (media, TRUE);
  /* Through a relay the peer's TLS ends at the relay: no fingerprint. */
  if (priv->tls && priv->certificate != NULL && priv->local_path->len == 1)
    {
      g_autofree char *fingerprint =
        msrp_tls_certificate_get_fingerprint (priv->certificate, G_CHECKSUM_SHA256);

      msrp_sdp_media_set_fingerprint (media, fingerprint);
    }
  if (klass->prepare_local_media != NULL &&
      !klass->prepare_local_media (self, media, priv->offerer ? NULL : priv->remote_media, error))
    return NULL;
  return g_steal_pointer (&media);
}

/* Whether our side connects, for an answer to @offer. */
static gboolean
answer_is_active (MsrpSdpMedia *offer)
{
  const char *setup = msrp_sdp_media_get_setup (offer);

  /* Without a=setup the offerer is passive (RFC 4975 section 8.1). */
  return setup == NULL || g_ascii_strcasecmp (setup, "active") != 0;
}

/* initialize */

typedef struct {
  MsrpUri *prepare_uri;
} Initialize;

static void
initialize_free (gpointer data)
{
  Initialize *init = data;

  g_clear_object (&init->prepare_uri);
  g_free (init);
}

static void
initialize_fail (GTask  *task,
                 GError *error)
{
  MsrpStream *self = g_task_get_source_object (task);

  _msrp_stream_fail (self, g_error_copy (error));
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
initialize_done (GTask     *task,
                 GPtrArray *local_path)
{
  MsrpStream *self = g_task_get_source_object (task);
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);
  g_autoptr(MsrpSdpMedia) media = NULL;
  GError *error = NULL;

  priv->local_path = local_path;
  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      initialize_fail (task, error);
      return;
    }
  media = build_local_media (self, &error);
  if (media == NULL)
    {
      initialize_fail (task, error);
      return;
    }
  g_set_object (&priv->local_media, media);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCAL_MEDIA]);
  set_state (self, MSRP_STREAM_STATE_INITIALIZED);
  g_signal_emit (self, signals[SIGNAL_INITIALIZED], 0);
  g_task_return_pointer (task, msrp_sdp_media_copy (media), g_object_unref);
  g_object_unref (task);
}

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  GPtrArray *local_path;
  GError *error = NULL;

  local_path = msrp_connector_prepare_finish (MSRP_CONNECTOR (source), result, &error);
  if (local_path == NULL)
    {
      initialize_fail (task, error);
      return;
    }
  initialize_done (task, local_path);
}

static gboolean
relay_is_websocket (MsrpRelaySettings *relay)
{
  return relay != NULL && g_strcmp0 (msrp_relay_settings_get_transport (relay), "ws") == 0;
}

static void
initialize_prepare (GTask *task)
{
  MsrpStream *self = g_task_get_source_object (task);
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);
  Initialize *init = g_task_get_task_data (task);
  GError *error = NULL;

  /* A WebSocket client of a relay has no address of its own: the relay
   * connector makes its .invalid ;ws URI (RFC 7977 section 5). */
  if (priv->local_uri != NULL && g_strcmp0 (msrp_uri_get_transport (priv->local_uri), "ws") == 0)
    init->prepare_uri = g_object_ref (priv->local_uri); /* on a server's SoupServer, as it is */
  else if (priv->local_uri != NULL && !relay_is_websocket (priv->relay))
    init->prepare_uri = msrp_uri_new (msrp_uri_get_host (priv->local_uri),
                                      msrp_uri_get_port (priv->local_uri),
                                      msrp_uri_get_session_id (priv->local_uri),
                                      priv->tls);

  /* The passive side on a shared server: a URI of its own there. */
  if (!priv->active && priv->server != NULL)
    {
      GPtrArray *local_path = msrp_server_prepare (priv->server, init->prepare_uri, &error);

      if (local_path == NULL)
        {
          initialize_fail (task, error);
          return;
        }
      priv->server_uri = g_object_ref (g_ptr_array_index (local_path, local_path->len - 1));
      initialize_done (task, local_path);
      return;
    }

  if (priv->active)
    priv->connector = priv->relay ? msrp_connector_relay_new (priv->relay) : msrp_connector_direct_new ();
  else
    priv->connector = priv->relay ? msrp_acceptor_relay_new (priv->relay) : msrp_acceptor_direct_new ();
  msrp_connector_set_logger (priv->connector, priv->logger);
  if (priv->tls && priv->relay == NULL)
    msrp_connector_set_tls_certificate (priv->connector, priv->certificate);
  msrp_connector_prepare_async (priv->connector, init->prepare_uri, g_task_get_cancellable (task),
                                on_prepared, task);
}

static void
make_certificate_in_thread (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  GTlsCertificate *certificate;
  GError *error = NULL;

  G_LOCK (default_certificate);
  if (default_certificate == NULL)
    default_certificate = msrp_tls_certificate_new_self_signed ("msrp-glib", &error);
  certificate = default_certificate ? g_object_ref (default_certificate) : NULL;
  G_UNLOCK (default_certificate);

  if (certificate == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, certificate, g_object_unref);
}

static void
on_certificate_made (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  MsrpStream *self = g_task_get_source_object (task);
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);
  GError *error = NULL;

  priv->certificate = g_task_propagate_pointer (G_TASK (result), &error);
  if (priv->certificate == NULL)
    {
      initialize_fail (task, error);
      return;
    }
  initialize_prepare (task);
}

/* The connection part of initialize: the certificate, then prepare. */
static void
initialize_connect (GTask *task)
{
  MsrpStream *stream = g_task_get_source_object (task);
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (stream);
  gboolean direct;

  /* Through a relay, TLS is that of the connection to the relay. */
  if (priv->relay != NULL)
    priv->tls = msrp_relay_settings_get_use_tls (priv->relay);

  /* A certificate only where a peer checks it against our media: on a
   * direct connection; the server's own on the server. */
  direct = priv->relay == NULL;
  if (!priv->active && priv->server != NULL)
    {
      /* The server's scheme is its own: with a certificate it is TLS. */
      g_set_object (&priv->certificate, msrp_server_get_tls_certificate (priv->server));
      if (priv->tls && priv->certificate == NULL)
        {
          initialize_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                      _("The MSRP server has no TLS certificate for a TLS stream; "
                                                        "give it one, or turn use-tls off")));
          return;
        }
    }
  else if (priv->tls && direct && priv->tls_certificate != NULL)
    g_set_object (&priv->certificate, priv->tls_certificate);
  else if (priv->tls && direct)
    {
      GTask *make = g_task_new (stream, g_task_get_cancellable (task), on_certificate_made, task);

      g_task_set_source_tag (make, make_certificate_in_thread);
      g_task_run_in_thread (make, make_certificate_in_thread);
      g_object_unref (make);
      return;
    }
  initialize_prepare (task);
}

static void
on_stream_prepared (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!MSRP_STREAM_GET_CLASS (source)->prepare_finish (MSRP_STREAM (source), result, &error))
    {
      initialize_fail (task, error);
      return;
    }
  initialize_connect (task);
}

/**
 * msrp_stream_initialize_async:
 * @stream: a #MsrpStream
 * @remote_offer: (nullable): the peer's SDP offer, or %NULL to make an
 *   offer
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the local media is ready
 * @user_data: data for @callback
 *
 * Prepares the connection (a listening socket, the relay's session, or a
 * URI on [property@Msrp.Stream:server]) and makes the local media: an
 * offer, or the answer to @remote_offer. Through a relay this connects to
 * the relay first.
 *
 * Since: 1.0
 */
void
msrp_stream_initialize_async (MsrpStream          *stream,
                              MsrpSdpMedia        *remote_offer,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  MsrpStreamPrivate *priv;
  MsrpStreamClass *klass;
  GTask *task;
  GError *error = NULL;

  g_return_if_fail (MSRP_IS_STREAM (stream));
  g_return_if_fail (remote_offer == NULL || MSRP_IS_SDP_MEDIA (remote_offer));

  priv = msrp_stream_get_instance_private (stream);
  klass = MSRP_STREAM_GET_CLASS (stream);
  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, msrp_stream_initialize_async);
  g_task_set_name (task, "[msrp] stream initialize");
  g_task_set_task_data (task, g_new0 (Initialize, 1), initialize_free);

  if (priv->state != MSRP_STREAM_STATE_NEW)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _("The MSRP stream was initialized already"));
      g_object_unref (task);
      return;
    }
  set_state (stream, MSRP_STREAM_STATE_INITIALIZING);

  priv->offerer = remote_offer == NULL;
  if (remote_offer != NULL)
    {
      priv->remote_media = msrp_sdp_media_copy (remote_offer);
      g_object_notify_by_pspec (G_OBJECT (stream), properties[PROP_REMOTE_MEDIA]);
      if (!check_remote_media (stream, priv->remote_media, &error))
        {
          initialize_fail (task, error);
          return;
        }
      priv->active = answer_is_active (priv->remote_media);
      priv->tls = protocol_uses_tls (msrp_sdp_media_get_protocol (priv->remote_media)) ||
                  msrp_uri_get_use_tls (g_ptr_array_index (msrp_sdp_media_get_path (priv->remote_media), 0));
    }
  else
    {
      priv->active = FALSE;
      priv->tls = priv->use_tls;
    }
  if (klass->prepare_async != NULL)
    {
      klass->prepare_async (stream, priv->offerer ? NULL : priv->remote_media, cancellable,
                            on_stream_prepared, task);
      return;
    }
  initialize_connect (task);
}

/**
 * msrp_stream_initialize_finish:
 * @stream: a #MsrpStream
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Stream.initialize_async].
 *
 * Returns: (transfer full): the local media, for the local SDP, or %NULL
 *   with @error set
 *
 * Since: 1.0
 */
MsrpSdpMedia *
msrp_stream_initialize_finish (MsrpStream    *stream,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* start */

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

/* The peer ended the session. */
void
_msrp_stream_peer_ended (MsrpStream *self)
{
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);

  if (priv->state != MSRP_STREAM_STATE_STARTED)
    return;
  g_object_ref (self);
  set_state (self, MSRP_STREAM_STATE_ENDING);
  g_signal_emit (self, signals[SIGNAL_WILL_END], 0);
  release_connection (self);
  set_state (self, MSRP_STREAM_STATE_ENDED);
  g_signal_emit (self, signals[SIGNAL_ENDED], 0);
  g_object_unref (self);
}

static void
start_with_transport (GTask         *task,
                      MsrpTransport *transport,
                      GError        *error)
{
  MsrpStream *self = g_task_get_source_object (task);
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);
  MsrpStreamClass *klass = MSRP_STREAM_GET_CLASS (self);
  const char * const *accept_types;

  if (transport == NULL)
    {
      if (priv->state == MSRP_STREAM_STATE_STARTING)
        _msrp_stream_fail (self, g_error_copy (error));
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (priv->state != MSRP_STREAM_STATE_STARTING)
    {
      /* Ended meanwhile. */
      msrp_transport_close_async (transport, NULL, NULL, NULL);
      g_object_unref (transport);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               _("The MSRP stream ended before it started"));
      g_object_unref (task);
      return;
    }

  accept_types = klass->accept_types ? klass->accept_types (self) : NULL;
  priv->session = msrp_session_new (transport, accept_types);
  g_object_unref (transport);
  priv->closed_id = g_signal_connect (priv->session, "closed", G_CALLBACK (on_session_closed), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);

  set_state (self, MSRP_STREAM_STATE_STARTED);
  if (klass->session_started != NULL)
    klass->session_started (self, priv->session);
  g_signal_emit (self, signals[SIGNAL_STARTED], 0);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
on_completed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError *error = NULL;
  MsrpTransport *transport = msrp_connector_complete_finish (MSRP_CONNECTOR (source), result, &error);

  start_with_transport (user_data, transport, error);
}

static void
on_server_completed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GError *error = NULL;
  MsrpTransport *transport = msrp_server_complete_for_uri_finish (MSRP_SERVER (source), result, &error);

  start_with_transport (user_data, transport, error);
}

/* The passive offerer whose answerer wants to be passive too: it
 * connects instead, with the URI it offered. */
static gboolean
become_active (MsrpStream  *self,
               GError     **error)
{
  MsrpStreamPrivate *priv = msrp_stream_get_instance_private (self);

  if (priv->server_uri != NULL || priv->relay != NULL)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                           _("The peer answered a=setup:passive, but this stream waits on a relay "
                             "or a shared server and cannot connect"));
      return FALSE;
    }
  msrp_connector_cleanup (priv->connector);
  g_clear_object (&priv->connector);
  priv->connector = msrp_connector_direct_new ();
  msrp_connector_set_logger (priv->connector, priv->logger);
  if (priv->tls)
    msrp_connector_set_tls_certificate (priv->connector, priv->certificate);
  _msrp_connector_direct_set_local_path (MSRP_CONNECTOR_DIRECT (priv->connector), priv->local_path);
  priv->active = TRUE;
  return TRUE;
}

/**
 * msrp_stream_start_async:
 * @stream: a #MsrpStream
 * @remote_answer: (nullable): the peer's answer to our offer; %NULL when
 *   the stream answered an offer
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the stream runs
 * @user_data: data for @callback
 *
 * Connects (or waits for the peer to connect, bounded by the connector's
 * timeout) and binds the session. The stream is then
 * [enum@Msrp.StreamState.STARTED] and [signal@Msrp.Stream::started] is
 * emitted.
 *
 * Since: 1.0
 */
void
msrp_stream_start_async (MsrpStream          *stream,
                         MsrpSdpMedia        *remote_answer,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  MsrpStreamPrivate *priv;
  GTask *task;
  GError *error = NULL;
  GPtrArray *remote_path;
  const char *fingerprint = NULL;

  g_return_if_fail (MSRP_IS_STREAM (stream));
  g_return_if_fail (remote_answer == NULL || MSRP_IS_SDP_MEDIA (remote_answer));

  priv = msrp_stream_get_instance_private (stream);
  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, msrp_stream_start_async);
  g_task_set_name (task, "[msrp] stream start");

  if (priv->state != MSRP_STREAM_STATE_INITIALIZED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _("The MSRP stream can only start once initialized"));
      g_object_unref (task);
      return;
    }
  if (priv->offerer && remote_answer == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("The offerer needs the peer’s answer to start"));
      g_object_unref (task);
      return;
    }
  set_state (stream, MSRP_STREAM_STATE_STARTING);

  if (priv->offerer)
    {
      const char *setup;

      g_set_object (&priv->remote_media, msrp_sdp_media_copy (remote_answer));
      g_object_unref (priv->remote_media);
      g_object_notify_by_pspec (G_OBJECT (stream), properties[PROP_REMOTE_MEDIA]);
      if (!check_remote_media (stream, priv->remote_media, &error))
        {
          start_with_transport (task, NULL, error);
          return;
        }
      setup = msrp_sdp_media_get_setup (priv->remote_media);
      if (setup != NULL && g_ascii_strcasecmp (setup, "passive") == 0 && !become_active (stream, &error))
        {
          start_with_transport (task, NULL, error);
          return;
        }
    }

  remote_path = msrp_sdp_media_get_path (priv->remote_media);
  /* End to end only when both sides are direct. */
  if (priv->tls && priv->local_path->len == 1 && remote_path->len == 1)
    fingerprint = msrp_sdp_media_get_fingerprint (priv->remote_media);

  if (priv->server_uri != NULL)
    {
      msrp_server_complete_for_uri_async (priv->server, priv->server_uri, remote_path, fingerprint,
                                          cancellable, on_server_completed, task);
      return;
    }

  msrp_connector_set_peer_fingerprint (priv->connector, fingerprint);
  /* RFC 6714: with CEMA on both sides, connect where c= and m= say; but a
   * `;ws` first hop is a WebSocket URL, reached as its URI says. */
  if (priv->active && priv->relay == NULL && msrp_sdp_media_get_cema (priv->remote_media) &&
      msrp_sdp_media_get_connection_address (priv->remote_media) != NULL &&
      g_strcmp0 (msrp_uri_get_transport (g_ptr_array_index (remote_path, 0)), "ws") != 0)
    _msrp_connector_direct_set_address (MSRP_CONNECTOR_DIRECT (priv->connector),
                                        msrp_sdp_media_get_connection_address (priv->remote_media),
                                        msrp_sdp_media_get_port (priv->remote_media));
  msrp_connector_complete_async (priv->connector, remote_path, cancellable, on_completed, task);
}

/**
 * msrp_stream_start_finish:
 * @stream: a #MsrpStream
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Stream.start_async].
 *
 * Returns: %TRUE when the stream runs, else %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
msrp_stream_start_finish (MsrpStream    *stream,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
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
      set_state (self, MSRP_STREAM_STATE_ENDED);
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

  set_state (stream, MSRP_STREAM_STATE_ENDING);
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

/* Properties that only count before initialize. */
#define PRIV(stream) ((MsrpStreamPrivate *) msrp_stream_get_instance_private (stream))

static void
set_object_property (MsrpStream *stream,
                     GObject   **field,
                     gpointer    value,
                     guint       prop_id)
{
  g_return_if_fail (MSRP_IS_STREAM (stream));
  g_return_if_fail (PRIV (stream)->state == MSRP_STREAM_STATE_NEW);
  if (g_set_object (field, value))
    g_object_notify_by_pspec (G_OBJECT (stream), properties[prop_id]);
}

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
  g_return_if_fail (relay == NULL || MSRP_IS_RELAY_SETTINGS (relay));
  set_object_property (stream, (GObject **) &PRIV (stream)->relay, relay, PROP_RELAY);
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
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));
  set_object_property (stream, (GObject **) &PRIV (stream)->tls_certificate, certificate, PROP_TLS_CERTIFICATE);
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
  g_return_if_fail (server == NULL || MSRP_IS_SERVER (server));
  set_object_property (stream, (GObject **) &PRIV (stream)->server, server, PROP_SERVER);
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
  g_return_if_fail (logger == NULL || MSRP_IS_LOGGER (logger));
  set_object_property (stream, (GObject **) &PRIV (stream)->logger, logger, PROP_LOGGER);
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
  g_return_if_fail (uri == NULL || MSRP_IS_URI (uri));
  set_object_property (stream, (GObject **) &PRIV (stream)->local_uri, uri, PROP_LOCAL_URI);
}
