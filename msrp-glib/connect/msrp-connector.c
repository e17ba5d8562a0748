/* msrp-connector.c: how a transport comes to exist
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gnetworking.h>

#include "msrp-connector.h"
#include "msrp-connector-private.h"
#include "msrp-marshal.h"
#include "msrp-transport-private.h"
#include "msrp-error.h"
#include "msrp-tls.h"
#include "msrp-utils-private.h"

/**
 * MsrpConnector:
 *
 * Makes the [class@Msrp.Transport] of a session, in two steps that fit SDP
 * offer/answer, as in the reference API:
 *
 * 1. [method@Msrp.Connector.prepare_async] gives the full local path, to
 *    put in the local SDP's `a=path` (an acceptor starts listening here);
 * 2. [method@Msrp.Connector.complete_async] takes the full remote path from
 *    the peer's SDP and gives the transport, once the connection is up and
 *    bound to the session.
 *
 * [class@Msrp.ConnectorDirect] is the active side of a direct connection
 * (it connects and sends the binding SEND), [class@Msrp.AcceptorDirect]
 * the passive side (it listens and waits for it). Either can be the SDP
 * offerer or answerer (RFC 6135 `a=setup`).
 *
 * With a [property@Msrp.Connector:tls-certificate] the local URI is
 * `msrps:` and connections use TLS; [property@Msrp.Connector:peer-fingerprint]
 * (the SDP `a=fingerprint` of the peer) is then checked on both sides.
 *
 * Since: 1.0
 */

typedef struct
{
  MsrpLogger *logger;
  GTlsCertificate *tls_certificate;
  char *peer_fingerprint;
  gboolean use_sessmatch;
  guint timeout;
  char *websocket_path;
  GMainContext *context;
  GCancellable *cancellable;  /* cancelled by cleanup and dispose */
} MsrpConnectorPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (MsrpConnector, msrp_connector, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOGGER,
  PROP_TLS_CERTIFICATE,
  PROP_PEER_FINGERPRINT,
  PROP_USE_SESSMATCH,
  PROP_TIMEOUT,
  PROP_WEBSOCKET_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_ACCEPT_CERTIFICATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
msrp_connector_dispose (GObject *object)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (MSRP_CONNECTOR (object));

  g_cancellable_cancel (priv->cancellable);

  G_OBJECT_CLASS (msrp_connector_parent_class)->dispose (object);
}

static void
msrp_connector_finalize (GObject *object)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (MSRP_CONNECTOR (object));

  g_clear_object (&priv->logger);
  g_clear_object (&priv->tls_certificate);
  g_clear_pointer (&priv->peer_fingerprint, g_free);
  g_clear_pointer (&priv->websocket_path, g_free);
  g_clear_pointer (&priv->context, g_main_context_unref);
  g_clear_object (&priv->cancellable);

  G_OBJECT_CLASS (msrp_connector_parent_class)->finalize (object);
}

static void
msrp_connector_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (MSRP_CONNECTOR (object));

  switch (prop_id)
    {
    case PROP_LOGGER:
      g_value_set_object (value, priv->logger);
      break;
    case PROP_TLS_CERTIFICATE:
      g_value_set_object (value, priv->tls_certificate);
      break;
    case PROP_PEER_FINGERPRINT:
      g_value_set_string (value, priv->peer_fingerprint);
      break;
    case PROP_USE_SESSMATCH:
      g_value_set_boolean (value, priv->use_sessmatch);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, priv->timeout);
      break;
    case PROP_WEBSOCKET_PATH:
      g_value_set_string (value, priv->websocket_path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_connector_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  MsrpConnector *self = MSRP_CONNECTOR (object);

  switch (prop_id)
    {
    case PROP_LOGGER:
      msrp_connector_set_logger (self, g_value_get_object (value));
      break;
    case PROP_TLS_CERTIFICATE:
      msrp_connector_set_tls_certificate (self, g_value_get_object (value));
      break;
    case PROP_PEER_FINGERPRINT:
      msrp_connector_set_peer_fingerprint (self, g_value_get_string (value));
      break;
    case PROP_USE_SESSMATCH:
      msrp_connector_set_use_sessmatch (self, g_value_get_boolean (value));
      break;
    case PROP_TIMEOUT:
      msrp_connector_set_timeout (self, g_value_get_uint (value));
      break;
    case PROP_WEBSOCKET_PATH:
      msrp_connector_set_websocket_path (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_connector_class_init (MsrpConnectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = msrp_connector_dispose;
  object_class->finalize = msrp_connector_finalize;
  object_class->get_property = msrp_connector_get_property;
  object_class->set_property = msrp_connector_set_property;

  /**
   * MsrpConnector:logger:
   *
   * The logger given to the transports this connector makes.
   *
   * Since: 1.0
   */
  properties[PROP_LOGGER] =
    g_param_spec_object ("logger", NULL, NULL, MSRP_TYPE_LOGGER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpConnector:tls-certificate:
   *
   * This endpoint's certificate, with its private key. When set, the local
   * URI is `msrps:` and the connection uses TLS.
   * [func@Msrp.tls_certificate_new_self_signed] makes one.
   *
   * Since: 1.0
   */
  properties[PROP_TLS_CERTIFICATE] =
    g_param_spec_object ("tls-certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpConnector:peer-fingerprint:
   *
   * The fingerprint of the peer's certificate from its SDP `a=fingerprint`,
   * such as "sha-256 AB:CD:...". When set, a TLS connection whose peer
   * presents another certificate fails with
   * %MSRP_ERROR_FINGERPRINT_MISMATCH; self-signed certificates are
   * accepted when they match.
   *
   * Since: 1.0
   */
  properties[PROP_PEER_FINGERPRINT] =
    g_param_spec_string ("peer-fingerprint", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpConnector:use-sessmatch:
   *
   * Whether the session is matched by session-id only (RFC 6714 style),
   * for peers behind middleboxes that rewrite hosts and ports in `a=path`.
   *
   * Since: 1.0
   */
  properties[PROP_USE_SESSMATCH] =
    g_param_spec_boolean ("use-sessmatch", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpConnector:timeout:
   *
   * Seconds allowed for connecting, the TLS handshake and the binding (for
   * an acceptor: for the peer to connect and bind).
   *
   * Since: 1.0
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, G_MAXUINT / 1000, MSRP_DEFAULT_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpConnector:websocket-path:
   *
   * The HTTP path of the WebSocket (RFC 7977) on which a peer whose URI
   * carries `;ws` takes MSRP, as given to
   * [method@Msrp.Server.add_websocket_handler] on its side.
   *
   * Since: 1.0
   */
  properties[PROP_WEBSOCKET_PATH] =
    g_param_spec_string ("websocket-path", NULL, NULL, "/",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MsrpConnector::accept-certificate:
   * @connector: the connector
   * @peer_cert: the peer's certificate
   * @errors: the problems GIO found with it
   *
   * Emitted during a TLS handshake when no
   * [property@Msrp.Connector:peer-fingerprint] is set, for another policy
   * than the default, which accepts only a certificate without @errors.
   * It is the [signal@Gio.TlsConnection::accept-certificate] of the
   * connection, re-emitted.
   *
   * Returns: %TRUE to accept the certificate
   *
   * Since: 1.0
   */
  signals[SIGNAL_ACCEPT_CERTIFICATE] =
    g_signal_new ("accept-certificate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, _msrp_marshal_BOOLEAN__OBJECT_FLAGS,
                  G_TYPE_BOOLEAN, 2, G_TYPE_TLS_CERTIFICATE, G_TYPE_TLS_CERTIFICATE_FLAGS);
  g_signal_set_va_marshaller (signals[SIGNAL_ACCEPT_CERTIFICATE], G_TYPE_FROM_CLASS (klass),
                              _msrp_marshal_BOOLEAN__OBJECT_FLAGSv);
}

static void
msrp_connector_init (MsrpConnector *self)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (self);

  priv->timeout = MSRP_DEFAULT_TIMEOUT;
  priv->websocket_path = g_strdup ("/");
  priv->context = g_main_context_ref_thread_default ();
  priv->cancellable = g_cancellable_new ();
}

/**
 * msrp_connector_get_logger:
 * @connector: a #MsrpConnector
 *
 * Gets [property@Msrp.Connector:logger].
 *
 * Returns: (transfer none) (nullable): the logger
 *
 * Since: 1.0
 */
MsrpLogger *
msrp_connector_get_logger (MsrpConnector *connector)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  g_return_val_if_fail (MSRP_IS_CONNECTOR (connector), NULL);
  return priv->logger;
}

/**
 * msrp_connector_set_logger:
 * @connector: a #MsrpConnector
 * @logger: (nullable): a logger for the transports this connector makes
 *
 * Sets [property@Msrp.Connector:logger].
 *
 * Since: 1.0
 */
void
msrp_connector_set_logger (MsrpConnector *connector,
                           MsrpLogger    *logger)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  g_return_if_fail (MSRP_IS_CONNECTOR (connector));
  g_return_if_fail (logger == NULL || MSRP_IS_LOGGER (logger));

  if (g_set_object (&priv->logger, logger))
    g_object_notify_by_pspec (G_OBJECT (connector), properties[PROP_LOGGER]);
}

/**
 * msrp_connector_get_tls_certificate:
 * @connector: a #MsrpConnector
 *
 * Gets [property@Msrp.Connector:tls-certificate].
 *
 * Returns: (transfer none) (nullable): this endpoint's certificate
 *
 * Since: 1.0
 */
GTlsCertificate *
msrp_connector_get_tls_certificate (MsrpConnector *connector)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  g_return_val_if_fail (MSRP_IS_CONNECTOR (connector), NULL);
  return priv->tls_certificate;
}

/**
 * msrp_connector_set_tls_certificate:
 * @connector: a #MsrpConnector
 * @certificate: (nullable): this endpoint's certificate, with its private
 *   key, or %NULL for no TLS
 *
 * Sets [property@Msrp.Connector:tls-certificate]. It applies to the next
 * [method@Msrp.Connector.prepare_async].
 *
 * Since: 1.0
 */
void
msrp_connector_set_tls_certificate (MsrpConnector   *connector,
                                    GTlsCertificate *certificate)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  g_return_if_fail (MSRP_IS_CONNECTOR (connector));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  if (g_set_object (&priv->tls_certificate, certificate))
    g_object_notify_by_pspec (G_OBJECT (connector), properties[PROP_TLS_CERTIFICATE]);
}

/**
 * msrp_connector_get_peer_fingerprint:
 * @connector: a #MsrpConnector
 *
 * Gets [property@Msrp.Connector:peer-fingerprint].
 *
 * Returns: (nullable): the fingerprint the peer's certificate must have
 *
 * Since: 1.0
 */
const char *
msrp_connector_get_peer_fingerprint (MsrpConnector *connector)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  g_return_val_if_fail (MSRP_IS_CONNECTOR (connector), NULL);
  return priv->peer_fingerprint;
}

/**
 * msrp_connector_set_peer_fingerprint:
 * @connector: a #MsrpConnector
 * @fingerprint: (nullable): the peer's SDP `a=fingerprint` value, such as
 *   "sha-256 AB:CD:...", or %NULL
 *
 * Sets [property@Msrp.Connector:peer-fingerprint].
 *
 * Since: 1.0
 */
void
msrp_connector_set_peer_fingerprint (MsrpConnector *connector,
                                     const char    *fingerprint)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  g_return_if_fail (MSRP_IS_CONNECTOR (connector));

  _msrp_set_string (G_OBJECT (connector), &priv->peer_fingerprint, fingerprint, properties[PROP_PEER_FINGERPRINT]);
}

/**
 * msrp_connector_get_use_sessmatch:
 * @connector: a #MsrpConnector
 *
 * Gets [property@Msrp.Connector:use-sessmatch].
 *
 * Returns: whether sessions are matched by session-id only
 *
 * Since: 1.0
 */
gboolean
msrp_connector_get_use_sessmatch (MsrpConnector *connector)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  g_return_val_if_fail (MSRP_IS_CONNECTOR (connector), FALSE);
  return priv->use_sessmatch;
}

/**
 * msrp_connector_set_use_sessmatch:
 * @connector: a #MsrpConnector
 * @use_sessmatch: whether to match sessions by session-id only
 *
 * Sets [property@Msrp.Connector:use-sessmatch].
 *
 * Since: 1.0
 */
void
msrp_connector_set_use_sessmatch (MsrpConnector *connector,
                                  gboolean       use_sessmatch)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  g_return_if_fail (MSRP_IS_CONNECTOR (connector));

  _msrp_set_boolean (G_OBJECT (connector), &priv->use_sessmatch, use_sessmatch, properties[PROP_USE_SESSMATCH]);
}

/**
 * msrp_connector_get_timeout:
 * @connector: a #MsrpConnector
 *
 * Gets [property@Msrp.Connector:timeout].
 *
 * Returns: the timeout, in seconds
 *
 * Since: 1.0
 */
guint
msrp_connector_get_timeout (MsrpConnector *connector)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  g_return_val_if_fail (MSRP_IS_CONNECTOR (connector), 0);
  return priv->timeout;
}

/**
 * msrp_connector_set_timeout:
 * @connector: a #MsrpConnector
 * @seconds: the time allowed for connecting, the handshake and binding
 *
 * Sets [property@Msrp.Connector:timeout].
 *
 * Since: 1.0
 */
void
msrp_connector_set_timeout (MsrpConnector *connector,
                            guint          seconds)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  g_return_if_fail (MSRP_IS_CONNECTOR (connector));
  g_return_if_fail (seconds >= 1 && seconds <= G_MAXUINT / 1000);

  _msrp_set_uint (G_OBJECT (connector), &priv->timeout, seconds, properties[PROP_TIMEOUT]);
}

/**
 * msrp_connector_get_websocket_path:
 * @connector: a #MsrpConnector
 *
 * Gets [property@Msrp.Connector:websocket-path].
 *
 * Returns: the HTTP path of a peer's WebSocket
 *
 * Since: 1.0
 */
const char *
msrp_connector_get_websocket_path (MsrpConnector *connector)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  g_return_val_if_fail (MSRP_IS_CONNECTOR (connector), NULL);
  return priv->websocket_path;
}

/**
 * msrp_connector_set_websocket_path:
 * @connector: a #MsrpConnector
 * @path: (nullable): an absolute HTTP path, or %NULL for "/"
 *
 * Sets [property@Msrp.Connector:websocket-path].
 *
 * Since: 1.0
 */
void
msrp_connector_set_websocket_path (MsrpConnector *connector,
                                   const char    *path)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  g_return_if_fail (MSRP_IS_CONNECTOR (connector));
  g_return_if_fail (path == NULL || path[0] == '/');

  if (path == NULL)
    path = "/";
  _msrp_set_string (G_OBJECT (connector), &priv->websocket_path, path, properties[PROP_WEBSOCKET_PATH]);
}

/**
 * msrp_connector_prepare_async:
 * @connector: a #MsrpConnector
 * @local_uri: (nullable): this endpoint's URI, or %NULL for one made up
 *   (see the implementations)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the local path is known
 * @user_data: data for @callback
 *
 * Gets the full local path for the SDP `a=path`. An acceptor starts
 * listening here, so its URI has the real port.
 *
 * Since: 1.0
 */
void
msrp_connector_prepare_async (MsrpConnector       *connector,
                              MsrpUri             *local_uri,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (MSRP_IS_CONNECTOR (connector));
  g_return_if_fail (local_uri == NULL || MSRP_IS_URI (local_uri));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  MSRP_CONNECTOR_GET_CLASS (connector)->prepare_async (connector, local_uri, cancellable, callback, user_data);
}

/**
 * msrp_connector_prepare_finish:
 * @connector: a #MsrpConnector
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Connector.prepare_async].
 *
 * Returns: (transfer container) (element-type Msrp.Uri): the full local
 *   path, this endpoint's URI last
 *
 * Since: 1.0
 */
GPtrArray *
msrp_connector_prepare_finish (MsrpConnector *connector,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (MSRP_IS_CONNECTOR (connector), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return MSRP_CONNECTOR_GET_CLASS (connector)->prepare_finish (connector, result, error);
}

/**
 * msrp_connector_complete_async:
 * @connector: a #MsrpConnector
 * @full_remote_path: (element-type Msrp.Uri) (nullable): the peer's full
 *   path, from its SDP `a=path`; or %NULL (or an empty array) on the
 *   passive side to accept whichever peer binds first
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the transport is ready
 * @user_data: data for @callback
 *
 * Sets up the connection to the peer and binds it to the session. Call it
 * after [method@Msrp.Connector.prepare_async] has finished.
 *
 * The passive side ([class@Msrp.AcceptorDirect], [class@Msrp.AcceptorRelay])
 * may be given %NULL: then the first peer to bind the local path is taken,
 * and the transport's remote path is what that peer's first request says
 * (its From-Path, without this side's relays). The active side needs the
 * path to know where to connect, and fails with %G_IO_ERROR_INVALID_ARGUMENT
 * without it.
 *
 * Since: 1.0
 */
void
msrp_connector_complete_async (MsrpConnector       *connector,
                               GPtrArray           *full_remote_path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (MSRP_IS_CONNECTOR (connector));
  /* An empty path means none: gjs 1.74 passes null as an empty array. */
  if (full_remote_path != NULL && full_remote_path->len == 0)
    full_remote_path = NULL;
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  MSRP_CONNECTOR_GET_CLASS (connector)->complete_async (connector, full_remote_path, cancellable,
                                                        callback, user_data);
}

/**
 * msrp_connector_complete_finish:
 * @connector: a #MsrpConnector
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Connector.complete_async].
 *
 * Returns: (transfer full): the transport, bound to the session
 *
 * Since: 1.0
 */
MsrpTransport *
msrp_connector_complete_finish (MsrpConnector *connector,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (MSRP_IS_CONNECTOR (connector), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return MSRP_CONNECTOR_GET_CLASS (connector)->complete_finish (connector, result, error);
}

/**
 * msrp_connector_cleanup:
 * @connector: a #MsrpConnector
 *
 * Releases what [method@Msrp.Connector.prepare_async] set up (an acceptor's
 * listening socket) when the session will not be completed, for instance
 * because the SDP negotiation failed. Pending operations fail with
 * %G_IO_ERROR_CANCELLED.
 *
 * Since: 1.0
 */
void
msrp_connector_cleanup (MsrpConnector *connector)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  g_return_if_fail (MSRP_IS_CONNECTOR (connector));

  /* Operations started before stop; later ones get a new cancellable. */
  g_cancellable_cancel (priv->cancellable);
  g_clear_object (&priv->cancellable);
  priv->cancellable = g_cancellable_new ();

  if (MSRP_CONNECTOR_GET_CLASS (connector)->cleanup != NULL)
    MSRP_CONNECTOR_GET_CLASS (connector)->cleanup (connector);
}

/* Shared by the implementations */

GMainContext *
_msrp_connector_get_context (MsrpConnector *connector)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  return priv->context;
}

void
_msrp_connector_start_operation (MsrpConnector *connector,
                                 MsrpOperation *op,
                                 GCancellable  *user)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  _msrp_operation_start (op, user, priv->timeout, priv->context);
  g_signal_connect_object (priv->cancellable, "cancelled", G_CALLBACK (g_cancellable_cancel),
                           op->cancellable, G_CONNECT_SWAPPED);
}

void
_msrp_connector_configure_transport (MsrpConnector *connector,
                                     MsrpTransport *transport)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);

  msrp_transport_set_logger (transport, priv->logger);
  msrp_transport_set_use_sessmatch (transport, priv->use_sessmatch);
}

void
_msrp_connecting_clear (MsrpConnecting *connecting)
{
  _msrp_operation_stop (&connecting->op);
  g_clear_object (&connecting->stream);
  g_clear_object (&connecting->transport);
  g_clear_error (&connecting->mismatch);
}

GError *
_msrp_connecting_error (MsrpConnecting *connecting,
                        GError         *error,
                        GQuark          timeout_domain,
                        gint            timeout_code,
                        const char     *timeout_message)
{
  if (connecting->mismatch != NULL)
    {
      /* The handshake failed because we refused the certificate. */
      g_clear_error (&error);
      return g_steal_pointer (&connecting->mismatch);
    }
  return _msrp_operation_error (&connecting->op, error, timeout_domain, timeout_code, timeout_message);
}

void
_msrp_connecting_fail (GTask          *task,
                       MsrpConnecting *connecting,
                       GError         *error,
                       GQuark          timeout_domain,
                       gint            timeout_code,
                       const char     *timeout_message)
{
  error = _msrp_connecting_error (connecting, error, timeout_domain, timeout_code, timeout_message);
  if (connecting->transport != NULL)
    msrp_transport_close_async (connecting->transport, NULL, NULL, NULL);
  else if (connecting->stream != NULL)
    g_io_stream_close_async (connecting->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  _msrp_operation_stop (&connecting->op);
  g_task_return_error (task, error);
  g_object_unref (task);
}

void
_msrp_connecting_done (GTask          *task,
                       MsrpConnecting *connecting)
{
  _msrp_operation_stop (&connecting->op);
  g_task_return_pointer (task, g_steal_pointer (&connecting->transport), g_object_unref);
  g_object_unref (task);
}

typedef struct {
  MsrpConnector *connector;   /* weak: the connection may outlive it */
  char *fingerprint;
  GError **mismatch;
} Watch;

static void
watch_free (gpointer data,
            GClosure *closure)
{
  Watch *w = data;

  g_clear_weak_pointer (&w->connector);
  g_free (w->fingerprint);
  g_free (w);
}

static gboolean
on_accept_certificate (GTlsConnection       *tls,
                       GTlsCertificate      *peer_cert,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Watch *w = user_data;
  gboolean accept = FALSE;

  if (w->fingerprint != NULL)
    {
      GError *error = NULL;

      if (msrp_tls_certificate_matches_fingerprint (peer_cert, w->fingerprint, &error))
        return TRUE;
      g_debug ("rejecting the peer's certificate: %s", error->message);
      if (w->mismatch != NULL && *w->mismatch == NULL)
        g_propagate_error (w->mismatch, error);
      else
        g_error_free (error);
      return FALSE;
    }

  if (w->connector != NULL &&
      g_signal_has_handler_pending (w->connector, signals[SIGNAL_ACCEPT_CERTIFICATE], 0, TRUE))
    g_signal_emit (w->connector, signals[SIGNAL_ACCEPT_CERTIFICATE], 0, peer_cert, errors, &accept);
  else
    accept = errors == 0;
  return accept;
}

void
_msrp_connector_watch_tls (MsrpConnector   *connector,
                           GTlsConnection  *tls,
                           gboolean         check_fingerprint,
                           GError         **mismatch)
{
  MsrpConnectorPrivate *priv = msrp_connector_get_instance_private (connector);
  Watch *w = g_new0 (Watch, 1);

  /* Peers often close without a TLS close_notify. MSRP's own framing
   * shows a chunk cut short, so a bare end of stream between chunks is
   * an ordinary close. */
  g_tls_connection_set_require_close_notify (tls, FALSE);

  g_set_weak_pointer (&w->connector, connector);
  w->fingerprint = check_fingerprint ? g_strdup (priv->peer_fingerprint) : NULL;
  w->mismatch = mismatch;
  g_signal_connect_data (tls, "accept-certificate", G_CALLBACK (on_accept_certificate),
                         w, watch_free, 0);
}

/* Operations bounded in time */

static void
on_user_cancelled (GCancellable *user,
                   gpointer      data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static gboolean
on_operation_timeout (gpointer data)
{
  MsrpOperation *op = data;

  op->timed_out = TRUE;
  g_clear_pointer (&op->timer, g_source_unref);
  g_cancellable_cancel (op->cancellable);
  return G_SOURCE_REMOVE;
}

void
_msrp_operation_start (MsrpOperation *op,
                       GCancellable  *user,
                       guint          seconds,
                       GMainContext  *context)
{
  op->cancellable = g_cancellable_new ();
  op->timed_out = FALSE;
  if (user != NULL)
    {
      op->user = g_object_ref (user);
      op->handler = g_cancellable_connect (user, G_CALLBACK (on_user_cancelled),
                                           g_object_ref (op->cancellable), g_object_unref);
    }
  op->timer = g_timeout_source_new_seconds (seconds);
  g_source_set_static_name (op->timer, "[msrp] connection timeout");
  g_source_set_callback (op->timer, on_operation_timeout, op, NULL);
  g_source_attach (op->timer, context);
}

void
_msrp_operation_stop (MsrpOperation *op)
{
  if (op->timer != NULL)
    {
      g_source_destroy (op->timer);
      g_clear_pointer (&op->timer, g_source_unref);
    }
  if (op->user != NULL)
    {
      g_cancellable_disconnect (op->user, op->handler);
      op->handler = 0;
      g_clear_object (&op->user);
    }
  g_clear_object (&op->cancellable);
}

GError *
_msrp_operation_error (MsrpOperation *op,
                       GError        *error,
                       GQuark         timeout_domain,
                       gint           timeout_code,
                       const char    *timeout_message)
{
  if (op->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return g_error_new_literal (timeout_domain, timeout_code, timeout_message);
    }
  return error;
}

/* A TLS connection writes the header, body and end-line of a chunk as
 * separate records; with Nagle's algorithm the later ones wait for the
 * peer's delayed ACK (40 ms on Linux) before they go out. */
void
_msrp_connector_set_no_delay (GSocketConnection *connection)
{
  GError *error = NULL;

  if (!g_socket_set_option (g_socket_connection_get_socket (connection),
                            IPPROTO_TCP, TCP_NODELAY, TRUE, &error))
    {
      g_debug ("Could not turn off Nagle's algorithm: %s", error->message);
      g_error_free (error);
    }
}

GSocketConnectable *
_msrp_uri_to_connectable (MsrpUri *uri)
{
  guint port = msrp_uri_get_port (uri);

  return g_network_address_new (msrp_uri_get_host (uri), port ? port : MSRP_DEFAULT_PORT);
}

const char *
_msrp_connector_default_host (void)
{
  const char *name = g_get_host_name ();

  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return "localhost";
  return *name ? name : "localhost";
}

/* Binding the active side */

static void on_bind_response (GObject *source, GAsyncResult *result, gpointer user_data);

static void
on_bind_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  MsrpTransport *transport = MSRP_TRANSPORT (source);
  GError *error = NULL;

  if (!msrp_transport_write_chunk_finish (transport, result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  msrp_transport_read_chunk_async (transport, 0, g_task_get_cancellable (task), on_bind_response, task);
}

static void
on_bind_response (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  MsrpTransport *transport = MSRP_TRANSPORT (source);
  MsrpChunk *binding = g_task_get_task_data (task);
  g_autoptr(MsrpChunk) chunk = NULL;
  GError *error = NULL;

  chunk = msrp_transport_read_chunk_finish (transport, result, &error);
  if (chunk == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (msrp_chunk_is_request (chunk))
    {
      /* The peer talks already: the connection is bound. Its answer to the
       * binding SEND, if any, reaches the session, which ignores it. */
      _msrp_transport_unread (transport, chunk);
    }
  else if (strcmp (msrp_chunk_get_transaction_id (chunk), msrp_chunk_get_transaction_id (binding)) != 0)
    {
      /* Not ours: read on. */
      msrp_transport_read_chunk_async (transport, 0, g_task_get_cancellable (task), on_bind_response, task);
      return;
    }
  else if (msrp_chunk_get_code (chunk) / 100 != 2)
    {
      const char *comment = msrp_chunk_get_comment (chunk);

      g_task_return_new_error (task, MSRP_TRANSACTION_ERROR, msrp_chunk_get_code (chunk),
                               _("The MSRP peer refused the session: %u %s"),
                               msrp_chunk_get_code (chunk), comment ? comment : "");
      g_object_unref (task);
      return;
    }

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
_msrp_connector_bind_async (MsrpTransport       *transport,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (transport, cancellable, callback, user_data);
  MsrpChunk *binding = msrp_transport_make_chunk (transport, "SEND", NULL, NULL);

  g_task_set_source_tag (task, _msrp_connector_bind_async);
  g_task_set_task_data (task, binding, g_object_unref);
  msrp_transport_write_chunk_async (transport, binding, cancellable, on_bind_written, task);
}

gboolean
_msrp_connector_bind_finish (MsrpTransport  *transport,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, transport), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
