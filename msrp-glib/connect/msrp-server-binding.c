/* msrp-server-binding.c: MsrpServer's incoming connections, from the
 * listener to a session's transport
 *
 * A connection is read up to its binding SEND, which names the session it
 * is for; it then waits for that session's complete (parked), the peer's
 * certificate is checked, and the binding is answered before the
 * transport is handed out. Completes wait for their peer here too.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-server-private.h"
#include "msrp-chunk-private.h"
#include "msrp-error.h"
#include "msrp-tls.h"
#include "msrp-transport-private.h"
#include "msrp-uri-private.h"
#include "msrp-utils-private.h"

/* The largest body a binding SEND may have: it is read before the peer is
 * known, so it must be bounded. Peers bind with an empty SEND. */
#define BINDING_MAX_SIZE (64 * 1024)

static void session_try_bind (MsrpServerSession *session);

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* A pending complete (a session's, or a waiter's) ends at bind-timeout,
 * or when its cancellable is cancelled. */
static void
watch_complete (MsrpServer             *server,
                GTask                  *task,
                MsrpPollerTimerFunc     on_timeout,
                GCancellableSourceFunc  on_cancelled,
                gpointer                data,
                MsrpPollerTimer       **timer,
                GSource               **cancel_source)
{
  GCancellable *cancellable = g_task_get_cancellable (task);

  /* On the context's one timer queue: a GSource each would be walked on
   * every main loop iteration. */
  *timer = _msrp_poller_timer_new (server->context, G_PRIORITY_DEFAULT, on_timeout, data);
  _msrp_poller_timer_start_seconds (*timer, server->bind_timeout);
  if (cancellable != NULL)
    {
      *cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (*cancel_source, "[msrp] server complete cancelled");
      g_source_set_callback (*cancel_source, G_SOURCE_FUNC (on_cancelled), data, NULL);
      g_source_attach (*cancel_source, server->context);
    }
}

/* Connections */

static MsrpServerConn *
conn_ref (MsrpServerConn *conn)
{
  conn->ref_count++;
  return conn;
}

static void
conn_stop_timer (MsrpServerConn *conn)
{
  _msrp_poller_timer_clear (&conn->timer);
}

void
_msrp_server_conn_unref (MsrpServerConn *conn)
{
  if (--conn->ref_count > 0)
    return;

  g_assert (conn->session == NULL && conn->lconn == NULL);
  conn_stop_timer (conn);
  g_clear_object (&conn->stream);
  g_clear_object (&conn->transport);
  g_clear_object (&conn->cancellable);
  g_clear_object (&conn->binding);
  g_free (conn);
}

/* Not a pending connection of the listener (or the server's WebSocket
 * handler) any more. */
static void
conn_release (MsrpServerConn *conn)
{
  if (conn->lconn != NULL)
    _msrp_listener_conn_release (g_steal_pointer (&conn->lconn));
  if (conn->ws_address != NULL)
    {
      MsrpServer *server = conn->server;
      GQueue *same = g_hash_table_lookup (server->ws_by_address, conn->ws_address);

      g_queue_unlink (&server->ws_pending, &conn->ws_link);
      g_queue_unlink (same, &conn->ws_address_link);
      if (g_queue_is_empty (same))
        g_hash_table_remove (server->ws_by_address, conn->ws_address);
      g_clear_pointer (&conn->ws_address, g_free);
    }
}

/* Forgets a connection that will not become a transport, and closes it;
 * error answers already queued on it go out first. */
void
_msrp_server_conn_drop (MsrpServerConn *conn,
                        const char     *reason)
{
  MsrpServer *server = conn->server;
  gboolean parked = conn->state == CONN_PARKED;

  if (conn->state == CONN_DONE)
    return;

  g_debug ("server: closing connection %p: %s", conn, reason);
  conn_ref (conn);
  conn->state = CONN_DONE;
  conn_release (conn);          /* while it knows its server */
  conn->server = NULL;
  conn_stop_timer (conn);
  g_cancellable_cancel (conn->cancellable);

  if (conn->session != NULL)
    {
      if (parked)
        {
          g_queue_remove (&conn->session->parked, conn);
          server->n_parked--;
        }
      else
        {
          g_assert (conn->session->conn == conn);
          conn->session->conn = NULL;
        }
      conn->session = NULL;
      _msrp_server_conn_unref (conn);
    }

  if (conn->transport != NULL)
    msrp_transport_close_async (conn->transport, NULL, NULL, NULL);
  else if (conn->stream != NULL)
    g_io_stream_close_async (conn->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  if (server != NULL)
    g_hash_table_remove (server->connections, conn);
  _msrp_server_conn_unref (conn);
}

static void
set_single_path (MsrpChunk *response,
                 void     (*setter) (MsrpChunk *, GPtrArray *),
                 GPtrArray *from)
{
  g_autoptr(GPtrArray) path = NULL;

  if (from == NULL || from->len == 0)
    return;
  path = _msrp_path_new_single (g_ptr_array_index (from, 0));
  setter (response, path);
}

/* Answers a first request with an error and closes the connection. */
static void
conn_refuse (MsrpServerConn *conn,
             MsrpChunk      *request,
             guint           code,
             const char     *reason)
{
  g_debug ("server: refusing the binding on %p with %u: %s", conn, code, reason);

  /* Made by hand, since the transport may have no paths yet: the answer
   * goes back one hop, from the URI the peer addressed. */
  if (msrp_chunk_get_failure_report (request) != MSRP_FAILURE_REPORT_NO)
    {
      g_autoptr(MsrpChunk) response = msrp_chunk_new_response (msrp_chunk_get_transaction_id (request),
                                                               code, NULL);

      set_single_path (response, msrp_chunk_set_to_path, msrp_chunk_get_from_path (request));
      set_single_path (response, msrp_chunk_set_from_path, msrp_chunk_get_to_path (request));
      msrp_transport_write_chunk_async (conn->transport, response, NULL, NULL, NULL);
    }
  _msrp_server_conn_drop (conn, reason);
}

static void
on_conn_timeout (gpointer user_data)
{
  MsrpServerConn *conn = user_data;

  _msrp_poller_timer_clear (&conn->timer);
  _msrp_server_conn_drop (conn, conn->state == CONN_PARKED
                                  ? "nobody completed the session it bound in time"
                                  : "no binding in time");
}

/* Sessions */

static GTask *
session_take_task (MsrpServerSession *session)
{
  _msrp_poller_timer_clear (&session->timer);
  clear_source (&session->cancel_source);
  g_clear_pointer (&session->expected, g_ptr_array_unref);
  g_clear_pointer (&session->fingerprint, g_free);
  return g_steal_pointer (&session->task);
}

/* Fails the pending complete; the connection being answered, if any, is
 * closed. */
static void
session_fail (MsrpServerSession *session,
              GError            *error)
{
  g_autoptr(GTask) task = NULL;

  if (session->conn != NULL && session->conn->state == CONN_ANSWERING)
    _msrp_server_conn_drop (session->conn, error->message);
  task = session_take_task (session);
  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

/* Refuses the connections still parked on @session: it is bound. */
static void
session_refuse_parked (MsrpServerSession *session)
{
  MsrpServerConn *conn;

  while ((conn = g_queue_peek_head (&session->parked)) != NULL)
    conn_refuse (conn, conn->binding, MSRP_STATUS_SESSION_ALREADY_BOUND,
                 "another connection bound its session");
}

static void
session_succeed (MsrpServerSession *session)
{
  MsrpServerConn *conn = g_steal_pointer (&session->conn);
  MsrpServer *server = conn->server;
  g_autoptr(GTask) task = NULL;
  MsrpTransport *transport;

  g_debug ("server: connection %p bound to %s", conn, msrp_uri_get_session_id (session->uri));
  /* Before the callback, which may clean the session up. */
  session_refuse_parked (session);
  conn->session = NULL;
  conn->state = CONN_DONE;
  conn_release (conn);          /* while it knows its server */
  conn->server = NULL;
  conn_stop_timer (conn);
  transport = g_steal_pointer (&conn->transport);
  session->bound = TRUE;
  g_hash_table_remove (server->connections, conn);
  _msrp_server_conn_unref (conn);

  task = session_take_task (session);
  g_task_return_pointer (task, transport, g_object_unref);
}

void
_msrp_server_session_free (gpointer data)
{
  MsrpServerSession *session = data;

  if (session->task != NULL)
    session_fail (session, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                _("The MSRP session was cleaned up before a peer bound it")));
  if (session->conn != NULL)
    _msrp_server_conn_drop (session->conn, "the session was cleaned up");
  while (!g_queue_is_empty (&session->parked))
    _msrp_server_conn_drop (g_queue_peek_head (&session->parked), "the session was cleaned up");
  g_clear_object (&session->uri);
  g_clear_pointer (&session->local_path, g_ptr_array_unref);
  g_free (session);
}

static void
on_session_timeout (gpointer user_data)
{
  MsrpServerSession *session = user_data;

  session_fail (session, g_error_new_literal (MSRP_ERROR, MSRP_ERROR_BIND_TIMEOUT,
                                              _("No MSRP peer bound the session in time")));
}

static gboolean
on_session_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  MsrpServerSession *session = user_data;
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  session_fail (session, error);
  return G_SOURCE_REMOVE;
}

static void
on_conn_answered (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  MsrpServerConn *conn = user_data;
  g_autoptr(GError) error = NULL;

  if (!msrp_transport_write_chunk_finish (MSRP_TRANSPORT (source), result, &error))
    {
      MsrpServerSession *session = conn->state == CONN_ANSWERING ? conn->session : NULL;

      /* The session waits on; a connection parked behind may be its peer. */
      _msrp_server_conn_drop (conn, error->message);
      if (session != NULL && session->task != NULL && !g_queue_is_empty (&session->parked))
        session_try_bind (session);
    }
  else if (conn->state == CONN_ANSWERING)
    session_succeed (conn->session);
  _msrp_server_conn_unref (conn);
}

/* The TLS peer of a connection that bound @session: checked against the
 * fingerprint from complete, or by the application. */
static gboolean
check_peer_certificate (MsrpServerSession  *session,
                        MsrpServerConn     *conn,
                        GError            **error)
{
  GTlsConnection *tls;
  GTlsCertificate *peer;

  if (!G_IS_TLS_CONNECTION (conn->stream))
    return TRUE;
  tls = G_TLS_CONNECTION (conn->stream);
  peer = g_tls_connection_get_peer_certificate (tls);

  if (session->fingerprint != NULL)
    {
      if (peer == NULL)
        {
          g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_FINGERPRINT_MISMATCH,
                               _("The MSRP peer presented no TLS certificate, but the SDP announced a fingerprint"));
          return FALSE;
        }
      return msrp_tls_certificate_matches_fingerprint (peer, session->fingerprint, error);
    }

  if (_msrp_server_accept_certificate (session->server, peer,
                                       g_tls_connection_get_peer_certificate_errors (tls), session->uri))
    return TRUE;
  g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                       _("The MSRP peer’s TLS certificate was not accepted"));
  return FALSE;
}

/* Gives @session its pending complete, bounded by bind-timeout and the
 * task's cancellable; a connection that bound it already is checked now. */
void
_msrp_server_session_wait (MsrpServerSession *session,
                           GTask             *task,
                           GPtrArray         *expected,
                           const char        *fingerprint)
{
  session->task = task;
  session->expected = expected ? _msrp_path_copy (expected) : NULL;
  session->fingerprint = g_strdup (fingerprint);
  watch_complete (session->server, task, on_session_timeout, on_session_cancelled, session,
                  &session->timer, &session->cancel_source);

  if (!g_queue_is_empty (&session->parked))
    session_try_bind (session);
}

/* Waiters */

static void
waiter_free (MsrpServerWaiter *waiter)
{
  _msrp_poller_timer_clear (&waiter->timer);
  clear_source (&waiter->cancel_source);
  g_clear_pointer (&waiter->expected, g_ptr_array_unref);
  g_clear_object (&waiter->task);
  g_free (waiter);
}

void
_msrp_server_waiter_fail (MsrpServerWaiter *waiter,
                          GError           *error)
{
  GTask *task = g_steal_pointer (&waiter->task);

  g_queue_remove (&waiter->server->waiters, waiter);
  waiter_free (waiter);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
on_waiter_timeout (gpointer user_data)
{
  _msrp_server_waiter_fail (user_data, g_error_new_literal (MSRP_ERROR, MSRP_ERROR_BIND_TIMEOUT,
                                                            _("No MSRP peer with the given path bound a session in time")));
}

static gboolean
on_waiter_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  GError *error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  _msrp_server_waiter_fail (user_data, error);
  return G_SOURCE_REMOVE;
}

void
_msrp_server_add_waiter (MsrpServer *self,
                         GTask      *task,
                         GPtrArray  *expected)
{
  MsrpServerWaiter *waiter = g_new0 (MsrpServerWaiter, 1);

  waiter->server = self;
  waiter->task = task;
  waiter->expected = _msrp_path_copy (expected);
  watch_complete (self, task, on_waiter_timeout, on_waiter_cancelled, waiter,
                  &waiter->timer, &waiter->cancel_source);
  g_queue_push_tail (&self->waiters, waiter);
}

/* Whether a binding SEND comes from the peer whose full path is @expected:
 * its From-Path ends with the same URI, as the transport will check. */
gboolean
_msrp_server_binding_matches (MsrpServer *self,
                              MsrpChunk  *binding,
                              GPtrArray  *expected)
{
  GPtrArray *from = msrp_chunk_get_from_path (binding);
  MsrpUri *a = g_ptr_array_index (from, from->len - 1);
  MsrpUri *b = g_ptr_array_index (expected, expected->len - 1);

  if (self->use_sessmatch)
    return g_strcmp0 (msrp_uri_get_session_id (a), msrp_uri_get_session_id (b)) == 0;
  return msrp_uri_equal (a, b);
}

gboolean
_msrp_server_session_has_parked (MsrpServerSession *session,
                                 GPtrArray         *expected)
{
  for (GList *l = session->parked.head; l != NULL; l = l->next)
    {
      MsrpServerConn *conn = l->data;

      if (_msrp_server_binding_matches (session->server, conn->binding, expected))
        return TRUE;
    }
  return FALSE;
}

/* A connection just parked on @session, which has no complete of its own,
 * goes to the oldest waiter that expects its peer. */
static void
session_offer_to_waiters (MsrpServerSession *session,
                          MsrpServerConn    *conn)
{
  MsrpServer *self = session->server;

  for (GList *l = self->waiters.head; l != NULL; l = l->next)
    {
      MsrpServerWaiter *waiter = l->data;
      GTask *task;
      g_autoptr(GPtrArray) expected = NULL;

      if (!_msrp_server_binding_matches (self, conn->binding, waiter->expected))
        continue;
      g_queue_delete_link (&self->waiters, l);
      task = g_steal_pointer (&waiter->task);
      expected = g_steal_pointer (&waiter->expected);
      waiter_free (waiter);
      _msrp_server_session_wait (session, task, expected, NULL);
      return;
    }
}

/* The parked connections meet the pending complete of their session, in
 * the order they came: those from another peer than the SDP's are
 * refused, and the first from the peer whose certificate passes wins;
 * the ones behind it wait until it is bound (then get 506), or take its
 * place when its answer cannot be written. */
static void
session_try_bind (MsrpServerSession *session)
{
  MsrpServerConn *conn = NULL;
  MsrpChunk *chunk;
  GError *cert_error = NULL;
  GList *l;

  g_assert (session->task != NULL && session->conn == NULL);

  for (l = session->parked.head; l != NULL && conn == NULL; )
    {
      MsrpServerConn *candidate = l->data;
      GError *error = NULL;

      /* Refusing it takes its link out of the queue. */
      l = l->next;
      _msrp_transport_set_paths (candidate->transport, session->local_path,
                                 session->expected ? session->expected
                                                   : msrp_chunk_get_from_path (candidate->binding));
      if (!msrp_transport_check_incoming_send_chunk (candidate->transport, candidate->binding, &error))
        {
          conn_refuse (candidate, candidate->binding, error->code, error->message);
          g_error_free (error);
        }
      else if (!check_peer_certificate (session, candidate, &error))
        {
          _msrp_server_conn_drop (candidate, error->message);
          g_clear_error (&cert_error);
          cert_error = error;
        }
      else
        conn = candidate;
    }
  if (conn == NULL)
    {
      /* Only a certificate refused fails the complete, as it always did;
       * other peers' connections leave it waiting for the right one. */
      if (cert_error != NULL)
        session_fail (session, cert_error);
      return;
    }
  g_clear_error (&cert_error);

  /* The queue's reference becomes the session's. */
  g_queue_remove (&session->parked, conn);
  session->server->n_parked--;
  session->conn = conn;
  chunk = conn->binding;
  conn->state = CONN_ANSWERING;
  conn_stop_timer (conn);
  if (_msrp_chunk_carries_content (chunk))
    {
      /* A first SEND with content is a message: the session answers it. */
      _msrp_transport_unread (conn->transport, chunk);
      session_succeed (session);
    }
  else if (msrp_chunk_get_failure_report (chunk) == MSRP_FAILURE_REPORT_YES)
    {
      g_autoptr(MsrpChunk) answer = msrp_transport_make_response (conn->transport, chunk, MSRP_STATUS_OK, NULL);

      msrp_transport_write_chunk_async (conn->transport, answer, NULL, on_conn_answered, conn_ref (conn));
    }
  else
    session_succeed (session);
}

/* The first request of a new connection. */
static void
conn_handle_binding (MsrpServerConn *conn,
                     MsrpChunk      *chunk)
{
  g_autoptr(GError) error = NULL;
  const char *method = msrp_chunk_get_method (chunk);
  GPtrArray *to;
  MsrpServerSession *session = NULL;

  if (!msrp_chunk_is_request (chunk))
    {
      _msrp_server_conn_drop (conn, "it began with a response");
      return;
    }
  if (strcmp (method, "REPORT") == 0)
    {
      /* REPORTs are never answered. */
      _msrp_server_conn_drop (conn, "it began with a REPORT");
      return;
    }
  if (strcmp (method, "SEND") != 0)
    {
      conn_refuse (conn, chunk, MSRP_STATUS_UNKNOWN_METHOD, "it began with another method than SEND");
      return;
    }
  if (!msrp_chunk_verify_headers (chunk, &error))
    {
      conn_refuse (conn, chunk, MSRP_STATUS_BAD_REQUEST, error->message);
      return;
    }
  if (msrp_chunk_get_segment (chunk) > 0)
    {
      conn_refuse (conn, chunk, MSRP_STATUS_STOP_SENDING, "the binding SEND is too large");
      return;
    }

  to = msrp_chunk_get_to_path (chunk);
  if (to->len == 1)
    session = _msrp_server_lookup_session (conn->server, g_ptr_array_index (to, 0));
  if (session == NULL)
    {
      conn_refuse (conn, chunk, MSRP_STATUS_SESSION_DOES_NOT_EXIST, "its To-Path names no session");
      return;
    }
  if (session->bound || session->conn != NULL)
    {
      conn_refuse (conn, chunk, MSRP_STATUS_SESSION_ALREADY_BOUND, "its session is bound already");
      return;
    }
  /* Parked connections are bounded, a session's and all of them. */
  if (g_queue_get_length (&session->parked) >= MSRP_SERVER_MAX_PARKED_PER_SESSION ||
      conn->server->n_parked >= MSRP_SERVER_MAX_PARKED)
    {
      conn_refuse (conn, chunk, MSRP_STATUS_SESSION_ALREADY_BOUND,
                   "too many connections wait for its session to be completed");
      return;
    }

  /* It waits for the complete until bind-timeout from its accept. */
  conn->state = CONN_PARKED;
  conn->binding = g_object_ref (chunk);
  conn->session = session;
  g_queue_push_tail (&session->parked, conn_ref (conn));
  conn->server->n_parked++;
  if (session->task != NULL)
    session_try_bind (session);
  else
    {
      g_debug ("server: connection %p holds its binding of %s until it is completed",
               conn, msrp_uri_get_session_id (session->uri));
      session_offer_to_waiters (session, conn);
    }
}

static void
on_conn_binding_read (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  MsrpServerConn *conn = user_data;
  g_autoptr(MsrpChunk) chunk = NULL;
  g_autoptr(GError) error = NULL;

  chunk = msrp_transport_read_chunk_finish (MSRP_TRANSPORT (source), result, &error);
  if (conn->state != CONN_DONE)
    {
      if (chunk == NULL)
        _msrp_server_conn_drop (conn, error->message);
      else
        {
          /* From here on bind-timeout bounds it, and the session it names. */
          conn_release (conn);
          conn_handle_binding (conn, chunk);
        }
    }
  _msrp_server_conn_unref (conn);
}

static void
conn_read_binding (MsrpServerConn *conn)
{
  MsrpServer *server = conn->server;

  /* The paths come with the binding SEND. */
  if (conn->transport == NULL)
    conn->transport = g_object_new (MSRP_TYPE_TRANSPORT, "stream", conn->stream, NULL);
  msrp_transport_set_logger (conn->transport, server->logger);
  msrp_transport_set_use_sessmatch (conn->transport, server->use_sessmatch);
  conn->state = CONN_READING;
  msrp_transport_read_chunk_async (conn->transport, BINDING_MAX_SIZE, conn->cancellable,
                                   on_conn_binding_read, conn_ref (conn));
}

static gboolean
on_handshake_accept_certificate (GTlsConnection       *tls,
                                 GTlsCertificate      *peer_cert,
                                 GTlsCertificateFlags  errors,
                                 gpointer              user_data)
{
  /* The session is not known yet: the certificate is checked once the
   * binding SEND has named it. */
  return TRUE;
}

static void
on_listener_tls_setup (GTlsConnection *tls,
                       gpointer        user_data)
{
  g_object_set (tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUESTED, NULL);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_handshake_accept_certificate), NULL);
}

static void
on_listener_accepted (MsrpListenerConn *lconn,
                      GIOStream        *stream,
                      gpointer          user_data)
{
  MsrpServer *self = user_data;
  MsrpServerConn *conn = g_new0 (MsrpServerConn, 1);

  conn->ref_count = 1;  /* the server's */
  conn->server = self;
  conn->lconn = lconn;
  _msrp_listener_conn_set_data (lconn, conn);
  conn->cancellable = g_cancellable_new ();
  conn->stream = g_object_ref (stream);
  g_hash_table_add (self->connections, conn);
  g_debug ("server: new connection %p", conn);

  conn->timer = _msrp_poller_timer_new (self->context, G_PRIORITY_DEFAULT, on_conn_timeout, conn);
  _msrp_poller_timer_start_seconds (conn->timer, self->bind_timeout);

  conn_read_binding (conn);
}

void
_msrp_server_accept_websocket (MsrpServer              *self,
                               SoupWebsocketConnection *ws,
                               const char              *address)
{
  MsrpServerConn *conn;
  guint max_pending = MAX (self->limits.values[MSRP_LISTENER_LIMIT_MAX_PENDING], 1);
  guint max_per_address = MAX (self->limits.values[MSRP_LISTENER_LIMIT_MAX_PENDING_PER_ADDRESS], 1);
  GQueue *same = g_hash_table_lookup (self->ws_by_address, address);

  /* The caps of connections over TCP (MsrpListener), alike: when full, the
   * oldest goes, so that idle connections cannot keep a new peer out for
   * long. */
  if (same != NULL && same->length >= max_per_address)
    _msrp_server_conn_drop (same->head->data, "too many pending connections from its address");
  else if (self->ws_pending.length >= max_pending)
    _msrp_server_conn_drop (self->ws_pending.head->data, "too many pending connections");

  conn = g_new0 (MsrpServerConn, 1);

  conn->ref_count = 1;  /* the server's */
  conn->server = self;
  conn->cancellable = g_cancellable_new ();
  conn->stream = g_object_ref (soup_websocket_connection_get_io_stream (ws));
  conn->transport = _msrp_transport_new_for_websocket (ws, NULL, NULL);
  g_hash_table_add (self->connections, conn);
  conn->ws_address = g_strdup (address);
  conn->ws_link.data = conn->ws_address_link.data = conn;
  g_queue_push_tail_link (&self->ws_pending, &conn->ws_link);
  same = g_hash_table_lookup (self->ws_by_address, address);
  if (same == NULL)
    {
      same = g_queue_new ();
      g_hash_table_insert (self->ws_by_address, g_strdup (address), same);
    }
  g_queue_push_tail_link (same, &conn->ws_address_link);
  g_debug ("server: new WebSocket connection %p", conn);

  /* The SoupServer bounds the upgrade; bind-timeout the binding. */
  conn->timer = _msrp_poller_timer_new (self->context, G_PRIORITY_DEFAULT, on_conn_timeout, conn);
  _msrp_poller_timer_start_seconds (conn->timer, self->bind_timeout);

  conn_read_binding (conn);
}

static void
on_listener_drop (MsrpListenerConn *lconn,
                  gpointer          conn_data,
                  const char       *reason,
                  gpointer          user_data)
{
  _msrp_server_conn_drop (conn_data, reason);
}

const MsrpListenerFuncs _msrp_server_listener_funcs = {
  .accepted = on_listener_accepted,
  .drop = on_listener_drop,
  .tls_setup = on_listener_tls_setup,
};
