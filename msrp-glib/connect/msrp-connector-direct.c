/* msrp-connector-direct.c: the active side of a direct connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-connector-direct.h"
#include "msrp-connector-private.h"
#include "msrp-transport-private.h"
#include "msrp-error.h"
#include "msrp-uri-private.h"
#include "msrp-connector-direct-private.h"
#include "msrp-utils-private.h"
#include "msrp-websocket-client-private.h"

/**
 * MsrpConnectorDirect:
 *
 * The active side of a direct connection (RFC 4975 section 8.1): it
 * connects to the host and port of the first URI of the peer's path and
 * binds the connection to the session with an empty SEND (no body: some
 * peers fail on one), which the peer answers with 200.
 *
 * Its local URI names no listening socket; without one given to
 * [method@Msrp.Connector.prepare_async] it gets this machine's host name,
 * no port, and a random session-id.
 *
 * The offerer's side when the answerer listens: the peer's path comes
 * from its SDP `a=path`.
 *
 * ```c
 * static void
 * on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
 * {
 *   g_autoptr(GError) error = NULL;
 *   g_autoptr(MsrpTransport) transport =
 *     msrp_connector_complete_finish (MSRP_CONNECTOR (source), result, &error);
 *
 *   if (transport != NULL)
 *     start_session (msrp_session_new (transport, NULL));
 * }
 *
 * static void
 * on_prepared (GObject *source, GAsyncResult *result, gpointer user_data)
 * {
 *   GPtrArray *remote_path = user_data;  // from the peer's a=path
 *   g_autoptr(GError) error = NULL;
 *   g_autoptr(GPtrArray) local_path =
 *     msrp_connector_prepare_finish (MSRP_CONNECTOR (source), result, &error);
 *
 *   // local_path goes into our own SDP's a=path
 *   msrp_connector_complete_async (MSRP_CONNECTOR (source), remote_path, NULL,
 *                                  on_connected, NULL);
 * }
 *
 * MsrpConnector *connector = msrp_connector_direct_new ();
 * msrp_connector_prepare_async (connector, NULL, NULL, on_prepared, remote_path);
 * ```
 *
 * Since: 1.0
 */

struct _MsrpConnectorDirect
{
  MsrpConnector parent_instance;

  MsrpUri *local_uri;
  char *address_host;         /* CEMA: where to connect instead */
  guint16 address_port;
};

G_DEFINE_FINAL_TYPE (MsrpConnectorDirect, msrp_connector_direct, MSRP_TYPE_CONNECTOR)

static void
msrp_connector_direct_finalize (GObject *object)
{
  MsrpConnectorDirect *self = MSRP_CONNECTOR_DIRECT (object);

  g_clear_object (&self->local_uri);
  g_free (self->address_host);

  G_OBJECT_CLASS (msrp_connector_direct_parent_class)->finalize (object);
}

static void
msrp_connector_direct_init (MsrpConnectorDirect *self)
{
}

/**
 * msrp_connector_direct_new:
 *
 * Makes a connector for the active side of a direct connection.
 *
 * Returns: (transfer full): a new #MsrpConnectorDirect
 *
 * Since: 1.0
 */
MsrpConnector *
msrp_connector_direct_new (void)
{
  return g_object_new (MSRP_TYPE_CONNECTOR_DIRECT, NULL);
}

static void
connector_direct_prepare_async (MsrpConnector       *connector,
                                MsrpUri             *local_uri,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  MsrpConnectorDirect *self = MSRP_CONNECTOR_DIRECT (connector);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, connector_direct_prepare_async);

  g_clear_object (&self->local_uri);
  if (local_uri != NULL)
    self->local_uri = g_object_ref (local_uri);
  else
    self->local_uri = msrp_uri_new (_msrp_connector_default_host (), 0, NULL,
                                    msrp_connector_get_tls_certificate (connector) != NULL);

  g_task_return_pointer (task, _msrp_path_new_single (self->local_uri), (GDestroyNotify) g_ptr_array_unref);
}

static GPtrArray *
connector_direct_prepare_finish (MsrpConnector *connector,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connector), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  MsrpConnecting connecting;
  GPtrArray *remote_path;
  GSocketClient *client;
} Complete;

static void
complete_free (gpointer data)
{
  Complete *c = data;

  _msrp_connecting_clear (&c->connecting);
  g_clear_pointer (&c->remote_path, g_ptr_array_unref);
  g_clear_object (&c->client);
  g_free (c);
}

/* Ends the task with an error, closing whatever was opened. */
static void
complete_fail (GTask  *task,
               GError *error)
{
  Complete *c = g_task_get_task_data (task);

  _msrp_connecting_fail (task, &c->connecting, error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                         _("The MSRP peer did not answer in time"));
}

static void
on_bound (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  Complete *c = g_task_get_task_data (task);
  GError *error = NULL;

  if (!_msrp_connector_bind_finish (c->connecting.transport, result, &error))
    {
      complete_fail (task, error);
      return;
    }
  _msrp_connecting_done (task, &c->connecting);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Complete *c = g_task_get_task_data (task);
  MsrpConnectorDirect *self = g_task_get_source_object (task);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GPtrArray) local_path = NULL;
  GError *error = NULL;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      complete_fail (task, error);
      return;
    }

  local_path = _msrp_path_new_single (self->local_uri);
  c->connecting.transport = msrp_transport_new (G_IO_STREAM (connection), local_path, c->remote_path);
  _msrp_connector_configure_transport (MSRP_CONNECTOR (self), c->connecting.transport);

  _msrp_connector_bind_async (c->connecting.transport, c->connecting.op.cancellable, on_bound, task);
}

static void
on_websocket_connected (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  Complete *c = g_task_get_task_data (task);
  MsrpConnectorDirect *self = g_task_get_source_object (task);
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  g_autoptr(GPtrArray) local_path = NULL;
  GError *error = NULL;

  ws = _msrp_websocket_connect_finish (result, &error);
  if (ws == NULL)
    {
      complete_fail (task, error);
      return;
    }

  local_path = _msrp_path_new_single (self->local_uri);
  c->connecting.transport = _msrp_transport_new_for_websocket (ws, local_path, c->remote_path);
  _msrp_connector_configure_transport (MSRP_CONNECTOR (self), c->connecting.transport);

  _msrp_connector_bind_async (c->connecting.transport, c->connecting.op.cancellable, on_bound, task);
}

static void
on_client_event (GSocketClient      *client,
                 GSocketClientEvent  event,
                 GSocketConnectable *connectable,
                 GIOStream          *connection,
                 gpointer            user_data)
{
  GTask *task = user_data;
  Complete *c = g_task_get_task_data (task);
  MsrpConnectorDirect *self = g_task_get_source_object (task);
  GTlsCertificate *certificate;

  if (event == G_SOCKET_CLIENT_CONNECTED)
    {
      _msrp_connector_set_no_delay (G_SOCKET_CONNECTION (connection));
      return;
    }
  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKING)
    return;

  certificate = msrp_connector_get_tls_certificate (MSRP_CONNECTOR (self));
  if (certificate != NULL)
    g_tls_connection_set_certificate (G_TLS_CONNECTION (connection), certificate);
  _msrp_connector_watch_tls (MSRP_CONNECTOR (self), G_TLS_CONNECTION (connection), TRUE,
                             &c->connecting.mismatch);
}

static void
connector_direct_complete_async (MsrpConnector       *connector,
                                 GPtrArray           *full_remote_path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  MsrpConnectorDirect *self = MSRP_CONNECTOR_DIRECT (connector);
  GTask *task;
  Complete *c;
  MsrpUri *first_hop;
  g_autoptr(GSocketConnectable) connectable = NULL;

  /* Programmer error: complete needs a finished prepare. */
  g_return_if_fail (self->local_uri != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  c = g_new0 (Complete, 1);

  g_task_set_name (task, "[msrp] connector complete");
  g_task_set_source_tag (task, connector_direct_complete_async);
  g_task_set_task_data (task, c, complete_free);

  if (full_remote_path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("The active side of a session needs the peer’s path"));
      g_object_unref (task);
      return;
    }

  c->remote_path = _msrp_path_copy (full_remote_path);
  first_hop = g_ptr_array_index (full_remote_path, 0);

  _msrp_connector_start_operation (connector, &c->connecting.op, cancellable);

  /* RFC 7977: a peer whose URI says `;ws` takes MSRP over a WebSocket. */
  if (self->address_host == NULL && _msrp_uri_is_websocket (first_hop))
    {
      _msrp_websocket_connect_async (connector, first_hop, msrp_connector_get_websocket_path (connector),
                                     TRUE, NULL, &c->connecting.mismatch, c->connecting.op.cancellable,
                                     on_websocket_connected, task);
      return;
    }

  c->client = g_socket_client_new ();
  g_socket_client_set_tls (c->client, msrp_uri_get_use_tls (first_hop));
  g_signal_connect (c->client, "event", G_CALLBACK (on_client_event), task);
  if (self->address_host != NULL)
    connectable = g_network_address_new (self->address_host, self->address_port);
  else
    connectable = _msrp_uri_to_connectable (first_hop);
  g_socket_client_connect_async (c->client, connectable, c->connecting.op.cancellable, on_connected, task);
}

static MsrpTransport *
connector_direct_complete_finish (MsrpConnector *connector,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connector), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
msrp_connector_direct_class_init (MsrpConnectorDirectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  MsrpConnectorClass *connector_class = MSRP_CONNECTOR_CLASS (klass);

  object_class->finalize = msrp_connector_direct_finalize;

  connector_class->prepare_async = connector_direct_prepare_async;
  connector_class->prepare_finish = connector_direct_prepare_finish;
  connector_class->complete_async = connector_direct_complete_async;
  connector_class->complete_finish = connector_direct_complete_finish;
}

void
_msrp_connector_direct_set_address (MsrpConnectorDirect *connector,
                                    const char          *host,
                                    guint16              port)
{
  g_return_if_fail (MSRP_IS_CONNECTOR_DIRECT (connector));

  g_free (connector->address_host);
  connector->address_host = g_strdup (host);
  connector->address_port = port;
}

void
_msrp_connector_direct_set_local_path (MsrpConnectorDirect *connector,
                                       GPtrArray           *local_path)
{
  g_return_if_fail (MSRP_IS_CONNECTOR_DIRECT (connector));
  g_return_if_fail (local_path != NULL && local_path->len > 0);

  g_set_object (&connector->local_uri, g_ptr_array_index (local_path, 0));
}
