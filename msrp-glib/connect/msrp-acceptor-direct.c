/* msrp-acceptor-direct.c: the passive side of a direct connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-acceptor-direct.h"
#include "msrp-chunk-private.h"
#include "msrp-connector-private.h"
#include "msrp-transport-private.h"
#include "msrp-error.h"
#include "msrp-uri-private.h"
#include "msrp-utils-private.h"

/**
 * MsrpAcceptorDirect:
 *
 * The passive side of a direct connection (RFC 4975 section 8.1): it
 * listens on the local URI's host and port (port 0: any free port, which
 * then goes into the local path), accepts one connection, and checks its
 * first request, the binding SEND: its To-Path must be this endpoint's URI
 * and its From-Path must end with the peer's URI from the remote path.
 * It answers 200 and hands out the transport, or answers with the error
 * (481 for another session) and fails.
 *
 * With a [property@Msrp.Connector:tls-certificate] it runs the TLS server
 * side and asks the peer for its certificate, which must match
 * [property@Msrp.Connector:peer-fingerprint] when that is set.
 *
 * The side that listens: its path goes into the SDP first, and the
 * peer's path, once its SDP has come, says whom to accept.
 *
 * ```c
 * g_autoptr(MsrpUri) local_uri = msrp_uri_new ("192.0.2.10", 0, NULL, FALSE);
 * MsrpConnector *acceptor = msrp_acceptor_direct_new ();
 *
 * // prepare listens on a free port; its path goes into our SDP's a=path
 * msrp_connector_prepare_async (acceptor, local_uri, NULL, on_prepared, NULL);
 *
 * // later, with the peer's a=path from its SDP:
 * msrp_connector_complete_async (acceptor, remote_path, NULL, on_bound, NULL);
 * // on_bound() gets the transport with msrp_connector_complete_finish ()
 * ```
 *
 * Since: 1.0
 */

struct _MsrpAcceptorDirect
{
  MsrpConnector parent_instance;

  GSocketListener *listener;
  GPtrArray *local_path;
};

G_DEFINE_FINAL_TYPE (MsrpAcceptorDirect, msrp_acceptor_direct, MSRP_TYPE_CONNECTOR)

static void
stop_listening (MsrpAcceptorDirect *self)
{
  if (self->listener != NULL)
    {
      g_socket_listener_close (self->listener);
      g_clear_object (&self->listener);
    }
}

static void
msrp_acceptor_direct_dispose (GObject *object)
{
  MsrpAcceptorDirect *self = MSRP_ACCEPTOR_DIRECT (object);

  stop_listening (self);

  G_OBJECT_CLASS (msrp_acceptor_direct_parent_class)->dispose (object);
}

static void
msrp_acceptor_direct_finalize (GObject *object)
{
  MsrpAcceptorDirect *self = MSRP_ACCEPTOR_DIRECT (object);

  g_clear_pointer (&self->local_path, g_ptr_array_unref);

  G_OBJECT_CLASS (msrp_acceptor_direct_parent_class)->finalize (object);
}

static void
msrp_acceptor_direct_init (MsrpAcceptorDirect *self)
{
}

/**
 * msrp_acceptor_direct_new:
 *
 * Makes a connector for the passive side of a direct connection.
 *
 * Returns: (transfer full): a new #MsrpAcceptorDirect
 *
 * Since: 1.0
 */
MsrpConnector *
msrp_acceptor_direct_new (void)
{
  return g_object_new (MSRP_TYPE_ACCEPTOR_DIRECT, NULL);
}

static void
acceptor_direct_prepare_async (MsrpConnector       *connector,
                               MsrpUri             *local_uri,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  MsrpAcceptorDirect *self = MSRP_ACCEPTOR_DIRECT (connector);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(MsrpUri) uri = NULL;
  const char *host = local_uri ? msrp_uri_get_host (local_uri) : NULL;
  guint port = local_uri ? msrp_uri_get_port (local_uri) : 0;
  GError *error = NULL;

  g_task_set_source_tag (task, acceptor_direct_prepare_async);

  stop_listening (self);
  self->listener = g_socket_listener_new ();

  if (host != NULL && g_hostname_is_ip_address (host))
    {
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string (host, port);

      g_socket_listener_add_address (self->listener, address, G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
      if (effective != NULL)
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
    }
  else if (port != 0)
    g_socket_listener_add_inet_port (self->listener, port, NULL, &error);
  else
    port = g_socket_listener_add_any_inet_port (self->listener, NULL, &error);

  if (error != NULL)
    {
      stop_listening (self);
      g_task_return_error (task, error);
      return;
    }

  if (host == NULL)
    host = "localhost";
  uri = g_object_new (MSRP_TYPE_URI,
                      "host", host,
                      "port", port,
                      "user", local_uri ? msrp_uri_get_user (local_uri) : NULL,
                      "session-id", local_uri ? msrp_uri_get_session_id (local_uri) : NULL,
                      "transport", local_uri ? msrp_uri_get_transport (local_uri) : "tcp",
                      "use-tls", msrp_connector_get_tls_certificate (connector) != NULL,
                      NULL);
  if (msrp_uri_get_session_id (uri) == NULL)
    {
      g_autofree char *id = _msrp_random_ident (MSRP_RANDOM_SECRET, 20);

      g_clear_object (&uri);
      uri = msrp_uri_new (host, port, id, msrp_connector_get_tls_certificate (connector) != NULL);
    }

  g_clear_pointer (&self->local_path, g_ptr_array_unref);
  self->local_path = _msrp_path_new_single (uri);
  g_task_return_pointer (task, _msrp_path_copy (self->local_path), (GDestroyNotify) g_ptr_array_unref);
}

static GPtrArray *
acceptor_direct_prepare_finish (MsrpConnector *connector,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connector), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  MsrpConnecting connecting;
  GPtrArray *remote_path;
} Complete;

static void
complete_free (gpointer data)
{
  Complete *c = data;

  _msrp_connecting_clear (&c->connecting);
  g_clear_pointer (&c->remote_path, g_ptr_array_unref);
  g_free (c);
}

static void
complete_fail (GTask  *task,
               GError *error)
{
  Complete *c = g_task_get_task_data (task);

  stop_listening (g_task_get_source_object (task));
  _msrp_connecting_fail (task, &c->connecting, error, MSRP_ERROR, MSRP_ERROR_BIND_TIMEOUT,
                         _("No MSRP peer bound the session in time"));
}

static void
on_answer_written (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  Complete *c = g_task_get_task_data (task);
  GError *error = NULL;

  if (!msrp_transport_write_chunk_finish (c->connecting.transport, result, &error))
    {
      complete_fail (task, error);
      return;
    }
  _msrp_connecting_done (task, &c->connecting);
}

static void
on_binding_read (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Complete *c = g_task_get_task_data (task);
  MsrpAcceptorDirect *self = g_task_get_source_object (task);
  g_autoptr(MsrpChunk) chunk = NULL;
  g_autoptr(MsrpChunk) answer = NULL;
  GError *error = NULL;

  chunk = msrp_transport_read_chunk_finish (c->connecting.transport, result, &error);
  if (chunk == NULL)
    {
      complete_fail (task, error);
      return;
    }

  if (!msrp_chunk_is_request (chunk))
    {
      complete_fail (task, g_error_new_literal (MSRP_ERROR, MSRP_ERROR_MALFORMED_CHUNK,
                                                _("The MSRP peer began with a response instead of a SEND")));
      return;
    }

  if (c->remote_path->len == 0 && msrp_chunk_get_from_path (chunk) != NULL)
    _msrp_transport_set_paths (c->connecting.transport, self->local_path, msrp_chunk_get_from_path (chunk));

  if (strcmp (msrp_chunk_get_method (chunk), "SEND") != 0)
    error = g_error_new (MSRP_TRANSACTION_ERROR, MSRP_STATUS_UNKNOWN_METHOD,
                         _("The MSRP peer began with %s instead of a SEND"), msrp_chunk_get_method (chunk));
  else
    msrp_transport_check_incoming_send_chunk (c->connecting.transport, chunk, &error);

  stop_listening (self);

  if (error != NULL)
    {
      /* Tell the peer why; closing the transport lets the answer out
       * first. */
      answer = msrp_transport_make_response (c->connecting.transport, chunk, error->code, NULL);
      msrp_transport_write_chunk_async (c->connecting.transport, answer, NULL, NULL, NULL);
      complete_fail (task, error);
      return;
    }

  if (_msrp_chunk_carries_content (chunk))
    {
      /* A first SEND with content is a message: the session answers it. */
      _msrp_transport_unread (c->connecting.transport, chunk);
      _msrp_connecting_done (task, &c->connecting);
      return;
    }

  if (msrp_chunk_get_failure_report (chunk) != MSRP_FAILURE_REPORT_YES)
    {
      _msrp_connecting_done (task, &c->connecting);
      return;
    }

  answer = msrp_transport_make_response (c->connecting.transport, chunk, MSRP_STATUS_OK, NULL);
  msrp_transport_write_chunk_async (c->connecting.transport, answer, c->connecting.op.cancellable, on_answer_written, task);
}

static void
start_transport (GTask *task)
{
  Complete *c = g_task_get_task_data (task);
  MsrpAcceptorDirect *self = g_task_get_source_object (task);

  if (c->remote_path->len > 0)
    c->connecting.transport = msrp_transport_new (c->connecting.stream, self->local_path, c->remote_path);
  else
    /* Whoever binds: the paths are set from the binding SEND. */
    c->connecting.transport = g_object_new (MSRP_TYPE_TRANSPORT, "stream", c->connecting.stream,
                                 "full-local-path", self->local_path, NULL);
  _msrp_connector_configure_transport (MSRP_CONNECTOR (self), c->connecting.transport);
  msrp_transport_read_chunk_async (c->connecting.transport, 0, c->connecting.op.cancellable, on_binding_read, task);
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      complete_fail (task, error);
      return;
    }
  start_transport (task);
}

static void
on_accepted (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Complete *c = g_task_get_task_data (task);
  MsrpAcceptorDirect *self = g_task_get_source_object (task);
  g_autoptr(GSocketConnection) connection = NULL;
  GTlsCertificate *certificate;
  GError *error = NULL;

  connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);
  if (connection == NULL)
    {
      complete_fail (task, error);
      return;
    }

  _msrp_connector_set_no_delay (connection);
  certificate = msrp_connector_get_tls_certificate (MSRP_CONNECTOR (self));
  if (certificate == NULL)
    {
      c->connecting.stream = G_IO_STREAM (g_steal_pointer (&connection));
      start_transport (task);
      return;
    }

  c->connecting.stream = g_tls_server_connection_new (G_IO_STREAM (connection), certificate, &error);
  if (c->connecting.stream == NULL)
    {
      complete_fail (task, error);
      return;
    }
  g_object_set (c->connecting.stream, "authentication-mode",
                msrp_connector_get_peer_fingerprint (MSRP_CONNECTOR (self)) ?
                  G_TLS_AUTHENTICATION_REQUIRED : G_TLS_AUTHENTICATION_REQUESTED,
                NULL);
  _msrp_connector_watch_tls (MSRP_CONNECTOR (self), G_TLS_CONNECTION (c->connecting.stream), TRUE,
                             &c->connecting.mismatch);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (c->connecting.stream), G_PRIORITY_DEFAULT, c->connecting.op.cancellable,
                                    on_handshake, task);
}

static void
acceptor_direct_complete_async (MsrpConnector       *connector,
                                GPtrArray           *full_remote_path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  MsrpAcceptorDirect *self = MSRP_ACCEPTOR_DIRECT (connector);
  GTask *task;
  Complete *c;

  /* Programmer error: complete needs a finished prepare. */
  g_return_if_fail (self->listener != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  c = g_new0 (Complete, 1);

  g_task_set_name (task, "[msrp] acceptor complete");
  g_task_set_source_tag (task, acceptor_direct_complete_async);
  g_task_set_task_data (task, c, complete_free);


  c->remote_path = _msrp_path_copy (full_remote_path);

  _msrp_connector_start_operation (connector, &c->connecting.op, cancellable);
  g_socket_listener_accept_async (self->listener, c->connecting.op.cancellable, on_accepted, task);
}

static MsrpTransport *
acceptor_direct_complete_finish (MsrpConnector *connector,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connector), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
acceptor_direct_cleanup (MsrpConnector *connector)
{
  stop_listening (MSRP_ACCEPTOR_DIRECT (connector));
}

static void
msrp_acceptor_direct_class_init (MsrpAcceptorDirectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  MsrpConnectorClass *connector_class = MSRP_CONNECTOR_CLASS (klass);

  object_class->dispose = msrp_acceptor_direct_dispose;
  object_class->finalize = msrp_acceptor_direct_finalize;

  connector_class->prepare_async = acceptor_direct_prepare_async;
  connector_class->prepare_finish = acceptor_direct_prepare_finish;
  connector_class->complete_async = acceptor_direct_complete_async;
  connector_class->complete_finish = acceptor_direct_complete_finish;
  connector_class->cleanup = acceptor_direct_cleanup;
}
