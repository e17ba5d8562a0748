/* msrp-connector.c: how a transport comes to exist
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gnetworking.h>

#include "msrp-connector.h"
#include "msrp-connector-private.h"
#include "msrp-transport-private.h"
#include "msrp-error.h"
#include "msrp-connector-direct.h"
#include "msrp-acceptor-direct.h"
#include "msrp-connector-relay.h"
#include "msrp-acceptor-relay.h"
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

enum {
  SIGNAL_ACCEPT_CERTIFICATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_INTERFACE (MsrpConnector, msrp_connector, G_TYPE_OBJECT)

static void
msrp_connector_default_init (MsrpConnectorInterface *iface)
{
  /**
   * MsrpConnector:logger:
   *
   * The logger given to the transports this connector makes.
   *
   * Since: 1.0
   */
  g_object_interface_install_property (iface,
    g_param_spec_object ("logger", NULL, NULL, MSRP_TYPE_LOGGER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MsrpConnector:tls-certificate:
   *
   * This endpoint's certificate, with its private key. When set, the local
   * URI is `msrps:` and the connection uses TLS.
   * [func@Msrp.tls_certificate_new_self_signed] makes one.
   *
   * Since: 1.0
   */
  g_object_interface_install_property (iface,
    g_param_spec_object ("tls-certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

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
  g_object_interface_install_property (iface,
    g_param_spec_string ("peer-fingerprint", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MsrpConnector:use-sessmatch:
   *
   * Whether the session is matched by session-id only (RFC 6714 style),
   * for peers behind middleboxes that rewrite hosts and ports in `a=path`.
   *
   * Since: 1.0
   */
  g_object_interface_install_property (iface,
    g_param_spec_boolean ("use-sessmatch", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * MsrpConnector:timeout:
   *
   * Seconds allowed for connecting, the TLS handshake and the binding.
   *
   * Since: 1.0
   */
  g_object_interface_install_property (iface,
    g_param_spec_uint ("timeout", NULL, NULL, 1, G_MAXUINT / 1000, MSRP_DEFAULT_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

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
    g_signal_new ("accept-certificate", MSRP_TYPE_CONNECTOR, G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 2, G_TYPE_TLS_CERTIFICATE, G_TYPE_TLS_CERTIFICATE_FLAGS);
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

  MSRP_CONNECTOR_GET_IFACE (connector)->prepare_async (connector, local_uri, cancellable, callback, user_data);
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

  return MSRP_CONNECTOR_GET_IFACE (connector)->prepare_finish (connector, result, error);
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

  MSRP_CONNECTOR_GET_IFACE (connector)->complete_async (connector, full_remote_path, cancellable,
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

  return MSRP_CONNECTOR_GET_IFACE (connector)->complete_finish (connector, result, error);
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
  g_return_if_fail (MSRP_IS_CONNECTOR (connector));

  if (MSRP_CONNECTOR_GET_IFACE (connector)->cleanup != NULL)
    MSRP_CONNECTOR_GET_IFACE (connector)->cleanup (connector);
}

/* Shared by the implementations */

void
_msrp_connector_override_properties (GObjectClass *klass)
{
  g_object_class_override_property (klass, MSRP_CONNECTOR_PROP_LOGGER, "logger");
  g_object_class_override_property (klass, MSRP_CONNECTOR_PROP_TLS_CERTIFICATE, "tls-certificate");
  g_object_class_override_property (klass, MSRP_CONNECTOR_PROP_PEER_FINGERPRINT, "peer-fingerprint");
  g_object_class_override_property (klass, MSRP_CONNECTOR_PROP_USE_SESSMATCH, "use-sessmatch");
  g_object_class_override_property (klass, MSRP_CONNECTOR_PROP_TIMEOUT, "timeout");
}

void
_msrp_connector_settings_init (MsrpConnectorSettings *settings)
{
  settings->timeout = MSRP_DEFAULT_TIMEOUT;
}

void
_msrp_connector_settings_clear (MsrpConnectorSettings *settings)
{
  g_clear_object (&settings->logger);
  g_clear_object (&settings->tls_certificate);
  g_clear_pointer (&settings->peer_fingerprint, g_free);
}

void
_msrp_connector_settings_get (MsrpConnectorSettings *settings,
                              guint                  prop_id,
                              GValue                *value)
{
  switch (prop_id)
    {
    case MSRP_CONNECTOR_PROP_LOGGER:
      g_value_set_object (value, settings->logger);
      break;
    case MSRP_CONNECTOR_PROP_TLS_CERTIFICATE:
      g_value_set_object (value, settings->tls_certificate);
      break;
    case MSRP_CONNECTOR_PROP_PEER_FINGERPRINT:
      g_value_set_string (value, settings->peer_fingerprint);
      break;
    case MSRP_CONNECTOR_PROP_USE_SESSMATCH:
      g_value_set_boolean (value, settings->use_sessmatch);
      break;
    case MSRP_CONNECTOR_PROP_TIMEOUT:
      g_value_set_uint (value, settings->timeout);
      break;
    default:
      g_assert_not_reached ();
    }
}

void
_msrp_connector_settings_set (GObject               *object,
                              MsrpConnectorSettings *settings,
                              guint                  prop_id,
                              const GValue          *value,
                              GParamSpec            *pspec)
{
  gboolean changed = FALSE;

  switch (prop_id)
    {
    case MSRP_CONNECTOR_PROP_LOGGER:
      changed = g_set_object (&settings->logger, g_value_get_object (value));
      break;
    case MSRP_CONNECTOR_PROP_TLS_CERTIFICATE:
      changed = g_set_object (&settings->tls_certificate, g_value_get_object (value));
      break;
    case MSRP_CONNECTOR_PROP_PEER_FINGERPRINT:
      if (g_strcmp0 (settings->peer_fingerprint, g_value_get_string (value)) != 0)
        {
          g_free (settings->peer_fingerprint);
          settings->peer_fingerprint = g_value_dup_string (value);
          changed = TRUE;
        }
      break;
    case MSRP_CONNECTOR_PROP_USE_SESSMATCH:
      changed = settings->use_sessmatch != g_value_get_boolean (value);
      settings->use_sessmatch = g_value_get_boolean (value);
      break;
    case MSRP_CONNECTOR_PROP_TIMEOUT:
      changed = settings->timeout != g_value_get_uint (value);
      settings->timeout = g_value_get_uint (value);
      break;
    default:
      g_assert_not_reached ();
    }

  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

void
_msrp_connector_configure_transport (MsrpConnectorSettings *settings,
                                     MsrpTransport         *transport)
{
  msrp_transport_set_logger (transport, settings->logger);
  msrp_transport_set_use_sessmatch (transport, settings->use_sessmatch);
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
_msrp_connector_watch_tls (MsrpConnector         *connector,
                           MsrpConnectorSettings *settings,
                           GTlsConnection        *tls,
                           GError               **mismatch)
{
  Watch *w = g_new0 (Watch, 1);

  /* Peers often close without a TLS close_notify. MSRP's own framing
   * shows a chunk cut short, so a bare end of stream between chunks is
   * an ordinary close. */
  g_tls_connection_set_require_close_notify (tls, FALSE);

  g_set_weak_pointer (&w->connector, connector);
  w->fingerprint = g_strdup (settings->peer_fingerprint);
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

/**
 * msrp_get_connector:
 * @relay: (nullable): the relay to go through, or %NULL for a direct
 *   connection
 *
 * Makes the connector of the active side of a session (the side that
 * connects, RFC 6135 `a=setup:active`): a [class@Msrp.ConnectorDirect], or a
 * [class@Msrp.ConnectorRelay] through @relay.
 *
 * Returns: (transfer full): a new connector
 *
 * Since: 1.0
 */
MsrpConnector *
msrp_get_connector (MsrpRelaySettings *relay)
{
  g_return_val_if_fail (relay == NULL || MSRP_IS_RELAY_SETTINGS (relay), NULL);

  if (relay != NULL)
    return msrp_connector_relay_new (relay);
  return msrp_connector_direct_new ();
}

/**
 * msrp_get_acceptor:
 * @relay: (nullable): the relay to go through, or %NULL for a direct
 *   connection
 *
 * Makes the connector of the passive side of a session (the side that
 * waits, `a=setup:passive`): a [class@Msrp.AcceptorDirect], or a
 * [class@Msrp.AcceptorRelay] through @relay. Through a relay both sides
 * connect out to their relays; the passive side waits for the peer's first
 * SEND.
 *
 * Returns: (transfer full): a new connector
 *
 * Since: 1.0
 */
MsrpConnector *
msrp_get_acceptor (MsrpRelaySettings *relay)
{
  g_return_val_if_fail (relay == NULL || MSRP_IS_RELAY_SETTINGS (relay), NULL);

  if (relay != NULL)
    return msrp_acceptor_relay_new (relay);
  return msrp_acceptor_direct_new ();
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
