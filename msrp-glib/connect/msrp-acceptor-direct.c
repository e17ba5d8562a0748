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
#include "msrp-listener-private.h"
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
 * It answers 200 and hands out the transport.
 *
 * Other connections to the port do not keep the peer out, as with
 * [class@Msrp.Server]: a connection whose first request is not the
 * peer's binding SEND gets the answer due (481 for another session or
 * another peer, 501 for another method) and is closed, and so is one
 * that sends what is not MSRP, begins with a response, or fails the TLS
 * handshake; the acceptor waits on for its peer. Connections that send
 * nothing are closed after ten seconds, or for newer ones when too many
 * wait. When the peer has not bound within
 * [property@Msrp.Connector:timeout], the complete fails with the error of
 * the last connection refused (such as %MSRP_ERROR_FINGERPRINT_MISMATCH,
 * or %MSRP_TRANSACTION_ERROR with the status it was answered), or with
 * %MSRP_ERROR_BIND_TIMEOUT when none was.
 *
 * With a [property@Msrp.Connector:tls-certificate] it runs the TLS server
 * side and asks the peer for its certificate, which must match
 * [property@Msrp.Connector:peer-fingerprint] when that is set. A TLS peer
 * that negotiates less than TLS 1.2 is refused.
 *
 * Since: 1.0
 */

/* A stranger's first request is read in parts of at most this size, so
 * that connections that have not bound hold bounded memory; a longer first
 * SEND is a message whose first part goes to the session, which reads the
 * rest in parts of its own (the same size). */
#define FIRST_READ_PART_SIZE (256 * 1024)

struct _MsrpAcceptorDirect
{
  MsrpConnector parent_instance;

  MsrpListener *listener;
  GPtrArray *local_path;
  GTask *task;                /* the complete under way */
};

static const MsrpListenerFuncs listener_funcs;

G_DEFINE_FINAL_TYPE (MsrpAcceptorDirect, msrp_acceptor_direct, MSRP_TYPE_CONNECTOR)

static void
stop_listening (MsrpAcceptorDirect *self)
{
  if (self->listener != NULL)
    {
      _msrp_listener_stop (self->listener);
      g_clear_pointer (&self->listener, _msrp_listener_unref);
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
  g_autoptr(MsrpUri) uri = NULL;
  const char *host = local_uri ? msrp_uri_get_host (local_uri) : NULL;
  guint16 port = local_uri ? msrp_uri_get_port (local_uri) : 0;
  GError *error = NULL;

  g_task_set_source_tag (task, acceptor_direct_prepare_async);

  stop_listening (self);
  self->listener = _msrp_listener_new (_msrp_connector_get_context (connector), &listener_funcs, self);
  if (!_msrp_listener_listen (self->listener, host != NULL && g_hostname_is_ip_address (host) ? host : NULL,
                              port, &port, &error))
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
  GPtrArray *remote_path;
  MsrpOperation op;
  GSource *stop_source;       /* fires when op is cancelled or times out */
  GPtrArray *peers;           /* of Peer: accepted, reading their first request */
  MsrpTransport *transport;   /* the one that bound */
  GError *refused;            /* why the last connection was refused */
  gboolean done;
} Complete;

/* An accepted connection, until its first request. */
typedef struct {
  GTask *task;
  MsrpListenerConn *lconn;
  MsrpTransport *transport;
  GCancellable *cancellable;
  gboolean closed;            /* its read callback frees it */
} Peer;

static void
peer_free (Peer *peer)
{
  g_assert (peer->lconn == NULL);
  g_clear_object (&peer->transport);
  g_clear_object (&peer->cancellable);
  g_clear_object (&peer->task);
  g_free (peer);
}

/* Forgets a connection; its transport is closed unless it was taken. */
static void
peer_close (Peer *peer)
{
  Complete *c = g_task_get_task_data (peer->task);

  if (peer->closed)
    return;
  peer->closed = TRUE;
  g_ptr_array_remove_fast (c->peers, peer);
  if (peer->lconn != NULL)
    _msrp_listener_conn_release (g_steal_pointer (&peer->lconn));
  g_cancellable_cancel (peer->cancellable);
  if (peer->transport != NULL)
    msrp_transport_close_async (peer->transport, NULL, NULL, NULL);
}

static void
complete_free (gpointer data)
{
  Complete *c = data;

  g_assert (c->peers->len == 0);
  _msrp_operation_stop (&c->op);
  if (c->stop_source != NULL)
    {
      g_source_destroy (c->stop_source);
      g_clear_pointer (&c->stop_source, g_source_unref);
    }
  g_clear_pointer (&c->remote_path, g_ptr_array_unref);
  g_clear_pointer (&c->peers, g_ptr_array_unref);
  g_clear_object (&c->transport);
  g_clear_error (&c->refused);
  g_free (c);
}

/* Ends the complete: every other connection is closed, and the listening
 * socket too. */
static void
complete_end (GTask *task)
{
  Complete *c = g_task_get_task_data (task);
  MsrpAcceptorDirect *self = g_task_get_source_object (task);

  c->done = TRUE;
  while (c->peers->len > 0)
    peer_close (g_ptr_array_index (c->peers, 0));
  stop_listening (self);
  _msrp_operation_stop (&c->op);
  if (c->stop_source != NULL)
    {
      g_source_destroy (c->stop_source);
      g_clear_pointer (&c->stop_source, g_source_unref);
    }
  if (self->task == task)
    g_clear_object (&self->task);
}

static void
complete_fail (GTask  *task,
               GError *error)
{
  Complete *c = g_task_get_task_data (task);

  if (c->done)
    {
      g_error_free (error);
      return;
    }
  /* At the timeout, a refused connection tells more than the timeout. */
  if (c->op.timed_out && c->refused != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      error = g_steal_pointer (&c->refused);
    }
  else
    error = _msrp_operation_error (&c->op, error, MSRP_ERROR, MSRP_ERROR_BIND_TIMEOUT,
                                   _("No MSRP peer bound the session in time"));
  if (c->transport != NULL)
    msrp_transport_close_async (c->transport, NULL, NULL, NULL);
  g_object_ref (task);
  complete_end (task);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
complete_succeed (GTask *task)
{
  Complete *c = g_task_get_task_data (task);

  g_object_ref (task);
  complete_end (task);
  g_task_return_pointer (task, g_steal_pointer (&c->transport), g_object_unref);
  g_object_unref (task);
}

static gboolean
on_complete_stopped (GCancellable *cancellable,
                     gpointer      user_data)
{
  GTask *task = user_data;
  Complete *c = g_task_get_task_data (task);
  GError *error = NULL;

  g_clear_pointer (&c->stop_source, g_source_unref);
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  complete_fail (task, error);
  return G_SOURCE_REMOVE;
}

static void
on_answer_written (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!msrp_transport_write_chunk_finish (MSRP_TRANSPORT (source), result, &error))
    complete_fail (task, error);
  else if (!g_task_get_completed (task) && !((Complete *) g_task_get_task_data (task))->done)
    complete_succeed (task);
  g_object_unref (task);
}

/* A connection that is not the peer's: it is closed (after an answer
 * already queued on it), and the complete waits on for the peer. */
static void
refuse_connection (Complete *c,
                   GError   *error)
{
  g_debug ("acceptor: refusing a connection: %s", error->message);
  g_clear_error (&c->refused);
  c->refused = error;
}

/* The first request of a connection: the peer's binding SEND, or a
 * stranger's. */
static void
handle_binding (GTask         *task,
                MsrpTransport *transport,
                MsrpChunk     *chunk)
{
  Complete *c = g_task_get_task_data (task);
  MsrpAcceptorDirect *self = g_task_get_source_object (task);
  g_autoptr(MsrpChunk) answer = NULL;
  GError *error = NULL;

  if (!msrp_chunk_is_request (chunk))
    {
      msrp_transport_close_async (transport, NULL, NULL, NULL);
      refuse_connection (c, g_error_new_literal (MSRP_ERROR, MSRP_ERROR_MALFORMED_CHUNK,
                                                 _("The MSRP peer began with a response instead of a SEND")));
      return;
    }

  if (c->remote_path->len == 0 && msrp_chunk_get_from_path (chunk) != NULL)
    _msrp_transport_set_paths (transport, self->local_path, msrp_chunk_get_from_path (chunk));

  if (strcmp (msrp_chunk_get_method (chunk), "SEND") != 0)
    error = g_error_new (MSRP_TRANSACTION_ERROR, MSRP_STATUS_UNKNOWN_METHOD,
                         _("The MSRP peer began with %s instead of a SEND"), msrp_chunk_get_method (chunk));
  else
    msrp_transport_check_incoming_send_chunk (transport, chunk, &error);

  if (error != NULL)
    {
      /* Tell the stranger why; closing the transport lets the answer out
       * first. REPORTs are never answered. */
      if (strcmp (msrp_chunk_get_method (chunk), "REPORT") != 0 &&
          msrp_chunk_get_failure_report (chunk) != MSRP_FAILURE_REPORT_NO)
        {
          answer = msrp_transport_make_response (transport, chunk, error->code, NULL);
          msrp_transport_write_chunk_async (transport, answer, NULL, NULL, NULL);
        }
      msrp_transport_close_async (transport, NULL, NULL, NULL);
      refuse_connection (c, error);
      return;
    }

  c->transport = g_object_ref (transport);

  if (_msrp_chunk_carries_content (chunk))
    {
      /* A first SEND with content is a message: the session answers it. */
      _msrp_transport_unread (c->transport, chunk);
      complete_succeed (task);
      return;
    }

  if (msrp_chunk_get_failure_report (chunk) != MSRP_FAILURE_REPORT_YES)
    {
      complete_succeed (task);
      return;
    }

  /* The other connections go now; the op still bounds the answer. */
  while (c->peers->len > 0)
    peer_close (g_ptr_array_index (c->peers, 0));
  stop_listening (self);
  answer = msrp_transport_make_response (c->transport, chunk, MSRP_STATUS_OK, NULL);
  msrp_transport_write_chunk_async (c->transport, answer, c->op.cancellable, on_answer_written,
                                    g_object_ref (task));
}

static void
on_binding_read (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Peer *peer = user_data;
  GTask *task = peer->task;
  Complete *c = g_task_get_task_data (task);
  g_autoptr(MsrpChunk) chunk = NULL;
  g_autoptr(GError) error = NULL;

  chunk = msrp_transport_read_chunk_finish (MSRP_TRANSPORT (source), result, &error);
  if (peer->closed || c->done)
    ;
  else if (g_error_matches (error, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED))
    {
      /* One that closes without a request (a port check, say) is not the
       * peer. */
      g_debug ("acceptor: closing a connection: %s", error->message);
      peer_close (peer);
    }
  else if (chunk == NULL)
    {
      /* What cannot be framed as MSRP: not the peer either. */
      peer_close (peer);
      refuse_connection (c, g_steal_pointer (&error));
    }
  else
    {
      g_autoptr(MsrpTransport) transport = g_steal_pointer (&peer->transport);

      g_ptr_array_remove_fast (c->peers, peer);
      peer->closed = TRUE;
      _msrp_listener_conn_release (g_steal_pointer (&peer->lconn));
      handle_binding (task, transport, chunk);
    }
  peer_free (peer);
}

static void
on_listener_accepted (MsrpListenerConn *lconn,
                      GIOStream        *stream,
                      gpointer          user_data)
{
  MsrpAcceptorDirect *self = user_data;
  Complete *c;
  Peer *peer;

  if (self->task == NULL)
    {
      g_io_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      _msrp_listener_conn_release (lconn);
      return;
    }

  c = g_task_get_task_data (self->task);
  peer = g_new0 (Peer, 1);
  peer->task = g_object_ref (self->task);
  peer->lconn = lconn;
  peer->cancellable = g_cancellable_new ();
  _msrp_listener_conn_set_data (lconn, peer);
  g_ptr_array_add (c->peers, peer);

  if (c->remote_path->len > 0)
    peer->transport = msrp_transport_new (stream, self->local_path, c->remote_path);
  else
    /* Whoever binds: the paths are set from the binding SEND. */
    peer->transport = g_object_new (MSRP_TYPE_TRANSPORT, "stream", stream,
                                    "full-local-path", self->local_path, NULL);
  _msrp_connector_configure_transport (MSRP_CONNECTOR (self), peer->transport);
  msrp_transport_read_chunk_async (peer->transport, FIRST_READ_PART_SIZE, peer->cancellable,
                                   on_binding_read, peer);
}

static void
on_listener_drop (MsrpListenerConn *lconn,
                  gpointer          conn_data,
                  const char       *reason,
                  gpointer          user_data)
{
  peer_close (conn_data);
}

static void
free_mismatch (gpointer data)
{
  GError **mismatch = data;

  g_clear_error (mismatch);
  g_free (mismatch);
}

static void
on_listener_tls_setup (GTlsConnection *tls,
                       gpointer        user_data)
{
  MsrpAcceptorDirect *self = user_data;
  GError **mismatch = g_new0 (GError *, 1);

  g_object_set (tls, "authentication-mode",
                msrp_connector_get_peer_fingerprint (MSRP_CONNECTOR (self)) ?
                  G_TLS_AUTHENTICATION_REQUIRED : G_TLS_AUTHENTICATION_REQUESTED,
                NULL);
  /* Kept with the connection, which the handshake's checks outlive not. */
  g_object_set_data_full (G_OBJECT (tls), "msrp-mismatch", mismatch, free_mismatch);
  _msrp_connector_watch_tls (MSRP_CONNECTOR (self), tls, TRUE, mismatch);
}

static void
on_listener_handshake_failed (GTlsConnection *tls,
                              const GError   *error,
                              gpointer        user_data)
{
  MsrpAcceptorDirect *self = user_data;
  GError **mismatch = g_object_get_data (G_OBJECT (tls), "msrp-mismatch");

  /* The listener closes the connection; the peer may still come. A
   * certificate refused is worth telling at the timeout; any other
   * failure may be a port scan. */
  if (self->task == NULL)
    return;
  if (mismatch != NULL && *mismatch != NULL)
    refuse_connection (g_task_get_task_data (self->task), g_error_copy (*mismatch));
  else
    g_debug ("acceptor: a TLS handshake failed: %s", error->message);
}

static const MsrpListenerFuncs listener_funcs = {
  .accepted = on_listener_accepted,
  .drop = on_listener_drop,
  .tls_setup = on_listener_tls_setup,
  .handshake_failed = on_listener_handshake_failed,
};

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

  /* Programmer error: complete needs a finished prepare, once. */
  g_return_if_fail (self->listener != NULL && self->task == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  c = g_new0 (Complete, 1);
  g_task_set_name (task, "[msrp] acceptor complete");
  g_task_set_source_tag (task, acceptor_direct_complete_async);
  g_task_set_task_data (task, c, complete_free);
  c->peers = g_ptr_array_new ();

  c->remote_path = _msrp_path_copy (full_remote_path);
  self->task = task;

  _msrp_connector_start_operation (connector, &c->op, cancellable);
  c->stop_source = g_cancellable_source_new (c->op.cancellable);
  g_source_set_static_name (c->stop_source, "[msrp] acceptor complete stopped");
  g_source_set_callback (c->stop_source, G_SOURCE_FUNC (on_complete_stopped), task, NULL);
  g_source_attach (c->stop_source, _msrp_connector_get_context (connector));

  _msrp_listener_set_tls_certificate (self->listener, msrp_connector_get_tls_certificate (connector));
  _msrp_listener_start (self->listener);
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
