/* msrp-relay-forward.c: how MsrpRelay forwards requests along their
 * To-Path, and what it tells their senders
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-relay-private.h"
#include "msrp-chunk-private.h"
#include "msrp-transport-private.h"
#include "msrp-uri-private.h"
#include "msrp-utils-private.h"

/* Forwarded transactions waiting for their response, per sender's
 * connection: past it, the sender's requests are refused, and nobody
 * else's are forgotten for them. */
#define MAX_PENDING 4096

/* A connection remembers at most this many previous hops. */
#define MAX_PEER_URIS 16

/* A previous hop that reached a session's client through a connection:
 * the client's requests to that URI go back that way. */
typedef struct {
  char *session_id;             /* in the same allocation */
  MsrpUri *uri;
  /* One key for by_peer and the connection's peer_uris, not a copy each */
  guint ref_count;
} PeerKey;

/* One request being forwarded: its pieces all go the same way. */
struct _MsrpRelayRoute {
  guint ref_count;
  MsrpRelayConn *in;
  MsrpRelayConn *out;
  char *method;
  char *tid;                   /* as it arrived */
  char *message_id;
  MsrpFailureReport failure_report;
  GPtrArray *orig_from;        /* the From-Path as it arrived */
  GPtrArray *to;               /* the To-Path forwarded */
  GPtrArray *from;             /* the From-Path forwarded */
  char *to_value;              /* and encoded (GRefString) */
  char *from_value;
  MsrpUri *responder;          /* the URI the sender addressed */
  GPtrArray *reply_to;         /* a response's paths back to the sender */
  GPtrArray *reply_from;
  char *reply_to_value;        /* and encoded (GRefString) */
  char *reply_from_value;
  guint n_pieces;
  gboolean answered;           /* the sender got its response */
  gboolean failed;             /* the rest is dropped */
};

/* A forwarded transaction waiting for the next hop's response. */
typedef struct {
  GList link;
  char *tid;
  MsrpRelayRoute *route;
  gint64 start, end, total;
  gint64 deadline;
} Pending;

/* Where the last request of a connection went. The transport shares the
 * parse of a To-Path or From-Path equal to the last one read, so the next
 * request with the same paths (every chunk of a session) goes the same
 * way without looking again, while no session, route to a previous hop or
 * connection came or went (MsrpRelay.route_generation). */
typedef struct {
  GPtrArray *to_key;           /* the request's paths: the same arrays */
  GPtrArray *from_key;
  guint64 generation;
  MsrpRelayConn *out;
  GPtrArray *to;
  GPtrArray *from;
  char *to_value;              /* GRefString */
  char *from_value;
  MsrpUri *responder;
  GPtrArray *reply_to;         /* made once: every chunk is answered */
  GPtrArray *reply_from;
  char *reply_to_value;        /* GRefString */
  char *reply_from_value;
} RouteMemo;

/* A piece waiting for its outgoing connection. */
typedef struct {
  MsrpChunk *chunk;
  MsrpRelayRoute *route;
  gboolean last;
  gsize size;
} QueuedPiece;

/* Responses */

MsrpChunk *
_msrp_relay_make_response (MsrpChunk  *request,
                           guint       code,
                           const char *comment)
{
  MsrpChunk *response = msrp_chunk_new_response (msrp_chunk_get_transaction_id (request), code, comment);
  GPtrArray *to = msrp_chunk_get_to_path (request);
  GPtrArray *from = msrp_chunk_get_from_path (request);

  if (from != NULL && from->len > 0)
    {
      g_autoptr(GPtrArray) path = _msrp_path_new_single (g_ptr_array_index (from, 0));

      msrp_chunk_set_to_path (response, path);
    }
  if (to != NULL && to->len > 0)
    {
      g_autoptr(GPtrArray) path = _msrp_path_new_single (g_ptr_array_index (to, 0));

      msrp_chunk_set_from_path (response, path);
    }
  return response;
}

/* Whether a request with this method and Failure-Report gets a response
 * with @code (RFC 4975 section 7.1.2). */
static gboolean
wants_response (const char        *method,
                MsrpFailureReport  failure_report,
                guint              code)
{
  if (strcmp (method, "REPORT") == 0)
    return FALSE;
  if (strcmp (method, "SEND") != 0)
    return TRUE;
  switch (failure_report)
    {
    case MSRP_FAILURE_REPORT_NO:
      return FALSE;
    case MSRP_FAILURE_REPORT_PARTIAL:
      return code >= 300;
    case MSRP_FAILURE_REPORT_YES:
    default:
      return TRUE;
    }
}

void
_msrp_relay_conn_respond (MsrpRelayConn *conn,
                          MsrpChunk     *request,
                          guint          code,
                          const char    *comment)
{
  g_autoptr(MsrpChunk) response = NULL;

  if (!wants_response (msrp_chunk_get_method (request), msrp_chunk_get_failure_report (request), code))
    return;
  response = _msrp_relay_make_response (request, code, comment);
  _msrp_relay_conn_write (conn, response);
}

/* Routes */

static MsrpRelayRoute *
route_ref (MsrpRelayRoute *route)
{
  route->ref_count++;
  return route;
}

static void
route_unref (MsrpRelayRoute *route)
{
  if (--route->ref_count > 0)
    return;
  _msrp_relay_conn_unref (route->in);
  if (route->out != NULL)
    _msrp_relay_conn_unref (route->out);
  g_free (route->method);
  g_free (route->tid);
  g_free (route->message_id);
  g_clear_pointer (&route->orig_from, g_ptr_array_unref);
  g_clear_pointer (&route->to, g_ptr_array_unref);
  g_clear_pointer (&route->from, g_ptr_array_unref);
  g_clear_pointer (&route->to_value, g_ref_string_release);
  g_clear_pointer (&route->from_value, g_ref_string_release);
  g_clear_object (&route->responder);
  g_clear_pointer (&route->reply_to, g_ptr_array_unref);
  g_clear_pointer (&route->reply_from, g_ptr_array_unref);
  g_clear_pointer (&route->reply_to_value, g_ref_string_release);
  g_clear_pointer (&route->reply_from_value, g_ref_string_release);
  g_free (route);
}

/* Sends a response back to the sender of a route, one hop: To-Path the
 * previous hop, From-Path the URI the sender addressed. */
static void
route_reply (MsrpRelayRoute *route,
             MsrpChunk      *response)
{
  route->answered = TRUE;
  _msrp_chunk_set_path_encoded (response, FALSE, route->reply_to_value, route->reply_to);
  _msrp_chunk_set_path_encoded (response, TRUE, route->reply_from_value, route->reply_from);
  _msrp_relay_conn_write (route->in, response);
}

/* The response the sender of a route gets from the relay itself. */
static void
route_answer (MsrpRelayRoute *route,
              guint           code,
              const char     *comment)
{
  g_autoptr(MsrpChunk) response = NULL;

  if (route->answered)
    return;
  route->answered = TRUE;
  if (!wants_response (route->method, route->failure_report, code))
    return;

  response = msrp_chunk_new_response (route->tid, code, comment);
  route_reply (route, response);
}

static void
route_fail (MsrpRelayRoute *route,
            guint           code,
            const char     *comment)
{
  if (route->failed)
    return;
  g_debug ("relay: cannot forward %s %s: %u", route->method, route->tid, code);
  route->failed = TRUE;
  route_answer (route, code, comment);
}

/* A failure REPORT back to the sender of a SEND (RFC 4975 section 7.1.2). */
static void
route_report (MsrpRelayRoute *route,
              gint64          start,
              gint64          end,
              gint64          total,
              guint           code,
              const char     *comment)
{
  g_autoptr(MsrpChunk) report = NULL;
  g_autoptr(GPtrArray) from = NULL;

  if (route->failure_report == MSRP_FAILURE_REPORT_NO || route->in->relay == NULL ||
      strcmp (route->method, "SEND") != 0)
    return;

  g_debug ("relay: failure REPORT %u for %s", code, route->tid);
  report = msrp_chunk_new_request ("REPORT", NULL);
  msrp_chunk_set_to_path (report, route->orig_from);
  from = _msrp_path_new_single (route->responder);
  msrp_chunk_set_from_path (report, from);
  if (route->message_id != NULL)
    msrp_chunk_set_message_id (report, route->message_id);
  msrp_chunk_set_byte_range (report, start, end, total);
  if (comment != NULL && !_msrp_is_header_value (comment))
    comment = NULL;
  msrp_chunk_set_status (report, code, comment);
  _msrp_relay_conn_write (route->in, report);
}

/* Routes to previous hops */

static PeerKey *
peer_key_new (const char *session_id,
              MsrpUri    *uri)
{
  gsize len = strlen (session_id) + 1;
  PeerKey *key = g_malloc (sizeof (PeerKey) + len);

  key->session_id = memcpy (key + 1, session_id, len);
  key->uri = g_object_ref (uri);
  key->ref_count = 1;
  return key;
}

void
_msrp_relay_peer_key_free (gpointer data)
{
  PeerKey *key = data;

  if (--key->ref_count > 0)
    return;
  g_object_unref (key->uri);
  g_free (key);
}

static guint
peer_key_hash (gconstpointer data)
{
  const PeerKey *key = data;

  return g_str_hash (key->session_id) * 31 + msrp_uri_hash (key->uri);
}

static gboolean
peer_key_equal (gconstpointer a,
                gconstpointer b)
{
  const PeerKey *ka = a, *kb = b;

  return strcmp (ka->session_id, kb->session_id) == 0 && msrp_uri_equal (ka->uri, kb->uri);
}

/* Drops a route to a previous hop that @conn taught, unless it is another
 * connection's now. */
static void
peer_forget (MsrpRelay     *self,
             MsrpRelayConn *conn,
             PeerKey       *key)
{
  if (g_hash_table_lookup (self->by_peer, key) == conn)
    {
      g_hash_table_remove (self->by_peer, key);
      _msrp_relay_routes_changed (self);
    }
}

/* Whether @uri may be reached back through @conn, the connection a
 * request from it came on: when the relay cannot dial it (a `.invalid`
 * host as WebSocket clients use, no port: an endpoint that listens
 * nowhere, or a transport the relay does not dial), or when it names
 * the very address @conn comes from. Any other URI is dialled, so that
 * whoever claims it first does not get its traffic. */
static gboolean
peer_reached_through (MsrpRelayConn *conn,
                      MsrpUri       *uri)
{
  const char *host = msrp_uri_get_host (uri);
  gsize len = strlen (host);
  g_autofree char *bare = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  GSocketConnection *socket;
  GInetSocketAddress *inet;

  if ((len > 8 && g_ascii_strcasecmp (host + len - 8, ".invalid") == 0) ||
      msrp_uri_get_port (uri) == 0 || g_ascii_strcasecmp (msrp_uri_get_transport (uri), "tcp") != 0)
    return TRUE;

  if (len > 2 && host[0] == '[' && host[len - 1] == ']')
    host = bare = g_strndup (host + 1, len - 2);
  address = g_inet_address_new_from_string (host);
  socket = _msrp_relay_conn_get_socket (conn);
  if (address == NULL || socket == NULL ||
      (remote = g_socket_connection_get_remote_address (socket, NULL)) == NULL ||
      !G_IS_INET_SOCKET_ADDRESS (remote))
    return FALSE;
  inet = G_INET_SOCKET_ADDRESS (remote);
  return g_inet_socket_address_get_port (inet) == msrp_uri_get_port (uri) &&
         g_inet_address_equal (g_inet_socket_address_get_address (inet), address);
}

/* The previous hop of a request that reached a session's client from
 * another connection is reachable through that connection (RFC 4975
 * section 6: connections are reused), when the relay could not dial it
 * anyway or the connection comes from its very address (see
 * peer_reached_through()): such a peer gets the client's requests and
 * REPORTs back that way. The route serves that session's client only,
 * so that nobody can divert another client's traffic, and never
 * replaces a route whose connection is open. */
static void
remember_peer (MsrpRelayConn    *conn,
               MsrpRelaySession *session,
               MsrpUri          *uri)
{
  MsrpRelay *self = conn->relay;
  PeerKey lookup = { (char *) session->id, uri, 0 };
  PeerKey *key;
  MsrpRelayConn *known;

  if (msrp_uri_get_session_id (uri) == NULL || !peer_reached_through (conn, uri))
    return;
  known = g_hash_table_lookup (self->by_peer, &lookup);
  if (known != NULL)
    return;  /* ours already, or another open connection's */
  if (conn->peer_uris->len >= MAX_PEER_URIS)
    {
      peer_forget (self, conn, g_ptr_array_index (conn->peer_uris, 0));
      g_ptr_array_remove_index (conn->peer_uris, 0);
    }
  key = peer_key_new (session->id, uri);
  g_ptr_array_add (conn->peer_uris, key);
  key->ref_count++;
  /* No equal key is in by_peer (looked up above): this one goes in. */
  g_hash_table_insert (self->by_peer, key, conn);
  _msrp_relay_routes_changed (self);
}

/* Pending transactions */

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  pending->route->in->n_sent_pending--;
  g_free (pending->tid);
  route_unref (pending->route);
  g_free (pending);
}

static void
pending_remove (MsrpRelayConn *conn,
                Pending       *pending)
{
  g_hash_table_remove (conn->pending, pending->tid);
  g_queue_unlink (&conn->pending_order, &pending->link);
}

/* The next hop failed (@silent: it did not answer, or its connection
 * was lost): what the sender is told. */
static void
pending_fail (Pending    *pending,
              guint       code,
              const char *comment,
              gboolean    silent)
{
  MsrpRelayRoute *route = pending->route;

  if (strcmp (route->method, "SEND") == 0)
    {
      /* partial: the next hop answers only failures, so silence is fine */
      if (!silent || route->failure_report == MSRP_FAILURE_REPORT_YES)
        route_report (route, pending->start, pending->end, pending->total, code, comment);
    }
  else
    route_answer (route, code, comment);
}

static void pending_schedule (MsrpRelayConn *conn);

static void
on_pending_timeout (gpointer user_data)
{
  MsrpRelayConn *conn = user_data;
  gint64 now = g_get_monotonic_time ();
  Pending *pending;

  GMainContext *context = _msrp_relay_push_context (conn->relay);

  _msrp_relay_conn_ref (conn);
  while (conn->relay != NULL &&
         (pending = g_queue_peek_head (&conn->pending_order)) != NULL && pending->deadline <= now)
    {
      pending_remove (conn, pending);
      pending_fail (pending, MSRP_STATUS_REQUEST_TIMEOUT, NULL, TRUE);
      pending_free (pending);
    }
  if (conn->relay != NULL)
    pending_schedule (conn);
  _msrp_relay_conn_unref (conn);
  _msrp_relay_pop_context (context);
}

static void
pending_schedule (MsrpRelayConn *conn)
{
  Pending *first = g_queue_peek_head (&conn->pending_order);

  if (first == NULL)
    return;
  /* On the context's one timer queue, as the connections' other timers:
   * a GSource each would be walked on every main loop iteration. */
  if (conn->pending_timer == NULL)
    conn->pending_timer = _msrp_poller_timer_new (conn->relay->context, G_PRIORITY_DEFAULT,
                                                  on_pending_timeout, conn);
  if (!_msrp_poller_timer_is_active (conn->pending_timer))
    _msrp_poller_timer_start_at (conn->pending_timer, first->deadline);
}

/* Whether the next hop's response to a request of @route matters. */
static gboolean
route_awaits_response (MsrpRelayRoute *route)
{
  return strcmp (route->method, "REPORT") != 0 &&
         (strcmp (route->method, "SEND") != 0 || route->failure_report != MSRP_FAILURE_REPORT_NO);
}

/* Waits for the response to @chunk, which goes out on @conn. */
static void
pending_add (MsrpRelayConn  *conn,
             MsrpRelayRoute *route,
             MsrpChunk      *chunk)
{
  Pending *pending;

  if (!route_awaits_response (route))
    return;

  /* Another sender's transaction id may be pending on this connection
   * already (by chance, or on purpose to make the relay forget it): this
   * one goes out under a fresh id, so that both responses find their
   * way. */
  if (conn->pending == NULL)
    conn->pending = g_hash_table_new (g_str_hash, g_str_equal);
  else if (g_hash_table_contains (conn->pending, msrp_chunk_get_transaction_id (chunk)))
    {
      g_autofree char *tid = _msrp_random_ident (MSRP_RANDOM_NONCE, MSRP_RANDOM_ID_LENGTH);

      _msrp_chunk_set_transaction_id (chunk, tid);
    }

  pending = g_new0 (Pending, 1);
  pending->link.data = pending;
  pending->tid = g_strdup (msrp_chunk_get_transaction_id (chunk));
  pending->route = route_ref (route);
  route->in->n_sent_pending++;
  msrp_chunk_get_byte_range (chunk, &pending->start, &pending->end, &pending->total);
  if (pending->end < 0)
    pending->end = pending->start + msrp_chunk_get_size (chunk) - 1;
  pending->deadline = g_get_monotonic_time () + (gint64) conn->relay->response_timeout * G_USEC_PER_SEC;
  g_hash_table_insert (conn->pending, pending->tid, pending);
  g_queue_push_tail_link (&conn->pending_order, &pending->link);
  pending_schedule (conn);
}

void
_msrp_relay_handle_response (MsrpRelayConn *conn,
                             MsrpChunk     *response)
{
  Pending *pending = conn->pending != NULL ?
    g_hash_table_lookup (conn->pending, msrp_chunk_get_transaction_id (response)) : NULL;
  MsrpRelayRoute *route;
  guint code = msrp_chunk_get_code (response);

  if (pending == NULL)
    {
      g_debug ("relay: dropping a response to an unknown transaction %s",
               msrp_chunk_get_transaction_id (response));
      return;
    }
  pending_remove (conn, pending);
  route = pending->route;

  if (strcmp (route->method, "SEND") == 0)
    {
      if (code >= 300)
        pending_fail (pending, code, msrp_chunk_get_comment (response), FALSE);
    }
  else if (!route->answered && route->in->relay != NULL)
    {
      g_autoptr(MsrpChunk) copy = msrp_chunk_copy (response);

      /* Passed back, one hop further. */
      route_reply (route, copy);
    }
  pending_free (pending);
}

/* Forwarding */

static void
queued_piece_free (QueuedPiece *piece)
{
  g_object_unref (piece->chunk);
  route_unref (piece->route);
  g_free (piece);
}

/* Hands a piece to an open connection. */
static void
piece_send (MsrpRelayRoute *route,
            MsrpChunk      *chunk,
            gboolean        last)
{
  MsrpRelayConn *out = route->out;

  if (route->failed)
    return;
  if (out->relay == NULL || out->transport == NULL)
    {
      route_fail (route, MSRP_STATUS_REQUEST_TIMEOUT, "Downstream-failure");
      return;
    }
  pending_add (out, route, chunk);
  _msrp_relay_conn_forward (out, chunk);
  if (last && strcmp (route->method, "SEND") == 0)
    route_answer (route, MSRP_STATUS_OK, NULL);
}

void
_msrp_relay_send_queued (MsrpRelayConn *conn)
{
  QueuedPiece *piece;

  while ((piece = g_queue_pop_head (&conn->connect_queue)) != NULL)
    {
      conn->queued -= piece->size;
      conn->forwarded -= piece->size;
      piece_send (piece->route, piece->chunk, piece->last);
      queued_piece_free (piece);
    }
}

static void
route_forward (MsrpRelayRoute *route,
               MsrpChunk      *piece,
               gboolean        last)
{
  MsrpRelayConn *out = route->out;
  g_autoptr(MsrpChunk) chunk = NULL;

  if (route->failed)
    return;
  if (route->in->n_sent_pending >= MAX_PENDING && route_awaits_response (route))
    {
      /* The sender does not wait for its responses: its own requests
       * are refused. 413 tells a SEND's sender to stop sending that
       * message (RFC 4975 section 7.2) without ending the session; the
       * other requests (NICKNAME, AUTH for a relay further on) have no
       * message to stop, and are refused (403). */
      if (strcmp (route->method, "SEND") == 0)
        route_fail (route, MSRP_STATUS_STOP_SENDING, "Too many transactions waiting");
      else
        route_fail (route, MSRP_STATUS_FORBIDDEN, "Too many transactions waiting");
      return;
    }

  chunk = msrp_chunk_copy (piece);
  if (route->n_pieces++ > 0)
    {
      /* Each further piece is a transaction of its own; its headers
       * (shared with the first) stay as they came. */
      g_autofree char *tid = _msrp_random_ident (MSRP_RANDOM_NONCE, MSRP_RANDOM_ID_LENGTH);

      _msrp_chunk_set_transaction_id (chunk, tid);
    }
  /* Encoded once for the route, not for each piece. */
  _msrp_chunk_set_path_encoded (chunk, FALSE, route->to_value, route->to);
  _msrp_chunk_set_path_encoded (chunk, TRUE, route->from_value, route->from);

  g_clear_pointer (&route->in->last_out, _msrp_relay_conn_unref);
  route->in->last_out = _msrp_relay_conn_ref (out);

  if (out->state == MSRP_RELAY_CONN_CONNECTING)
    {
      QueuedPiece *queued = g_new0 (QueuedPiece, 1);

      queued->chunk = g_steal_pointer (&chunk);
      queued->route = route_ref (route);
      queued->last = last;
      queued->size = msrp_chunk_get_size (queued->chunk) + MSRP_RELAY_WRITE_OVERHEAD;
      out->queued += queued->size;
      out->forwarded += queued->size;
      g_queue_push_tail (&out->connect_queue, queued);
    }
  else
    piece_send (route, chunk, last);
}

static GPtrArray *
path_prepend (GPtrArray *path,
              guint      skip,
              MsrpUri   *first)
{
  GPtrArray *result = g_ptr_array_new_full (path->len + 1, g_object_unref);

  if (first != NULL)
    g_ptr_array_add (result, g_object_ref (first));
  for (guint i = skip; i < path->len; i++)
    g_ptr_array_add (result, g_object_ref (g_ptr_array_index (path, i)));
  return result;
}

static void
route_memo_free (gpointer data)
{
  RouteMemo *memo = data;

  g_ptr_array_unref (memo->to_key);
  g_ptr_array_unref (memo->from_key);
  _msrp_relay_conn_unref (memo->out);
  g_ptr_array_unref (memo->to);
  g_ptr_array_unref (memo->from);
  g_ref_string_release (memo->to_value);
  g_ref_string_release (memo->from_value);
  g_object_unref (memo->responder);
  g_ptr_array_unref (memo->reply_to);
  g_ptr_array_unref (memo->reply_from);
  g_ref_string_release (memo->reply_to_value);
  g_ref_string_release (memo->reply_from_value);
  g_free (memo);
}

static void
memo_set_value (char      **value,
                GPtrArray  *path)
{
  g_autofree char *encoded = msrp_path_to_string (path);

  *value = g_ref_string_new (encoded);
}

static MsrpRelayRoute *
route_new_from_memo (MsrpRelayConn *conn,
                     MsrpChunk     *request,
                     RouteMemo     *memo)
{
  MsrpRelayRoute *route = g_new0 (MsrpRelayRoute, 1);

  route->ref_count = 1;
  route->in = _msrp_relay_conn_ref (conn);
  route->out = _msrp_relay_conn_ref (memo->out);
  route->method = g_strdup (msrp_chunk_get_method (request));
  route->tid = g_strdup (msrp_chunk_get_transaction_id (request));
  route->message_id = g_strdup (msrp_chunk_get_message_id (request));
  route->failure_report = msrp_chunk_get_failure_report (request);
  /* The paths are never changed in place: shared, not copied. */
  route->orig_from = g_ptr_array_ref (memo->from_key);
  route->to = g_ptr_array_ref (memo->to);
  route->from = g_ptr_array_ref (memo->from);
  route->to_value = g_ref_string_acquire (memo->to_value);
  route->from_value = g_ref_string_acquire (memo->from_value);
  route->responder = g_object_ref (memo->responder);
  route->reply_to = g_ptr_array_ref (memo->reply_to);
  route->reply_from = g_ptr_array_ref (memo->reply_from);
  route->reply_to_value = g_ref_string_acquire (memo->reply_to_value);
  route->reply_from_value = g_ref_string_acquire (memo->reply_from_value);
  return route;
}

static void route_decide (MsrpRelayConn *conn, MsrpChunk *request, MsrpRelayConn **out,
                          GPtrArray **new_to, GPtrArray **new_from, guint *code, const char **comment);

/* Whether @session may carry traffic of its client's URI @uri: always,
 * unless the relay gives a session to one endpoint (the first that uses
 * it). */
static gboolean
session_serves (MsrpRelay        *self,
                MsrpRelaySession *session,
                MsrpUri          *uri)
{
  if (!self->one_endpoint_per_session)
    return TRUE;
  if (session->endpoint == NULL)
    session->endpoint = g_object_ref (uri);
  return msrp_uri_equal (session->endpoint, uri);
}

/* Decides where a request goes (see the class documentation). Returns
 * NULL with the status to answer in @code when it cannot be forwarded. */
static MsrpRelayRoute *
route_new (MsrpRelayConn  *conn,
           MsrpChunk      *request,
           guint          *code,
           const char    **comment)
{
  MsrpRelay *self = conn->relay;
  GPtrArray *to = msrp_chunk_get_to_path (request);
  GPtrArray *from = msrp_chunk_get_from_path (request);
  RouteMemo *memo = conn->route_memo;
  MsrpRelayConn *out = NULL;
  g_autoptr(GPtrArray) new_to = NULL;
  g_autoptr(GPtrArray) new_from = NULL;
  g_autofree char *to_value = NULL;
  g_autofree char *from_value = NULL;

  if (memo != NULL && memo->to_key == to && memo->from_key == from &&
      memo->generation == self->route_generation && memo->out->relay != NULL)
    return route_new_from_memo (conn, request, memo);

  route_decide (conn, request, &out, &new_to, &new_from, code, comment);
  if (out == NULL)
    return NULL;

  g_clear_pointer (&conn->route_memo, route_memo_free);
  memo = g_new0 (RouteMemo, 1);
  memo->to_key = g_ptr_array_ref (to);
  memo->from_key = g_ptr_array_ref (from);
  memo->generation = self->route_generation;
  memo->out = _msrp_relay_conn_ref (out);
  to_value = msrp_path_to_string (new_to);
  from_value = msrp_path_to_string (new_from);
  memo->to_value = g_ref_string_new (to_value);
  memo->from_value = g_ref_string_new (from_value);
  memo->to = g_steal_pointer (&new_to);
  memo->from = g_steal_pointer (&new_from);
  memo->responder = g_object_ref (g_ptr_array_index (to, 0));
  memo->reply_to = _msrp_path_new_single (g_ptr_array_index (from, 0));
  memo->reply_from = _msrp_path_new_single (memo->responder);
  memo_set_value (&memo->reply_to_value, memo->reply_to);
  memo_set_value (&memo->reply_from_value, memo->reply_from);
  conn->route_memo = memo;
  return route_new_from_memo (conn, request, memo);
}

/* Where a request goes: @out (NULL, with the status to answer in @code,
 * when it cannot be forwarded) and the paths it carries there. */
static void
route_decide (MsrpRelayConn  *conn,
              MsrpChunk      *request,
              MsrpRelayConn **out_conn,
              GPtrArray     **out_to,
              GPtrArray     **out_from,
              guint          *code,
              const char    **comment)
{
  MsrpRelay *self = conn->relay;
  GPtrArray *to = msrp_chunk_get_to_path (request);
  GPtrArray *from = msrp_chunk_get_from_path (request);
  MsrpUri *first = g_ptr_array_index (to, 0);
  MsrpRelaySession *s0, *s1 = NULL;
  g_autoptr(GPtrArray) new_to = NULL;
  g_autoptr(GPtrArray) new_from = NULL;
  gboolean learn = FALSE;
  MsrpRelayConn *out;

  if (msrp_uri_get_session_id (first) == NULL)
    {
      *code = MSRP_STATUS_FORBIDDEN;
      *comment = "Nowhere to forward";
      return;
    }
  s0 = _msrp_relay_lookup_session (self, first, FALSE);
  if (s0 == NULL)
    {
      *code = MSRP_STATUS_SESSION_DOES_NOT_EXIST;
      *comment = NULL;
      return;
    }
  if (to->len < 2)
    {
      *code = MSRP_STATUS_FORBIDDEN;
      *comment = "Nowhere to forward";
      return;
    }

  new_to = path_prepend (to, 1, NULL);
  new_from = path_prepend (from, 0, s0->uri);
  /* The client's URI: the last of the From-Path from it, the next hop
   * toward it. */
  if (!session_serves (self, s0, conn == s0->conn ? g_ptr_array_index (from, from->len - 1)
                                                 : g_ptr_array_index (new_to, 0)))
    {
      *code = MSRP_STATUS_FORBIDDEN;
      *comment = "Session serves another endpoint";
      return;
    }
  s1 = _msrp_relay_lookup_session (self, g_ptr_array_index (new_to, 0), TRUE);
  if (s1 != NULL)
    {
      /* Both peers use this relay. */
      GPtrArray *tmp;

      if (new_to->len < 2)
        {
          *code = MSRP_STATUS_FORBIDDEN;
          *comment = "Nowhere to forward";
          return;
        }
      /* s0 serves as the sender's relay: only its client may send
       * through it (RFC 4976 sections 6 and 7), or anybody could send
       * in its name. */
      if (conn != s0->conn)
        {
          *code = MSRP_STATUS_FORBIDDEN;
          *comment = "Not your session";
          return;
        }
      tmp = path_prepend (new_to, 1, NULL);
      g_ptr_array_unref (new_to);
      new_to = tmp;
      if (!session_serves (self, s1, g_ptr_array_index (new_to, 0)))
        {
          *code = MSRP_STATUS_FORBIDDEN;
          *comment = "Session serves another endpoint";
          return;
        }
      tmp = path_prepend (new_from, 0, s1->uri);
      g_ptr_array_unref (new_from);
      new_from = tmp;
      out = s1->conn;
    }
  else if (conn != s0->conn)
    {
      /* Toward the session's own client: from anybody. */
      out = s0->conn;
      learn = TRUE;
    }
  else
    {
      PeerKey lookup = { (char *) s0->id, g_ptr_array_index (new_to, 0), 0 };
      MsrpUri *next = lookup.uri;
      MsrpRelayConn *known = g_hash_table_lookup (self->by_peer, &lookup);

      if (known != NULL && known->relay != NULL)
        out = known;
      else if (g_ascii_strcasecmp (msrp_uri_get_transport (next), "tcp") != 0)
        {
          *code = MSRP_STATUS_REQUEST_TIMEOUT;
          *comment = "Downstream-failure";
          return;
        }
      else
        out = _msrp_relay_get_outgoing (self, next);
    }

  if (learn)
    remember_peer (conn, s0, g_ptr_array_index (from, 0));
  *out_conn = out;
  *out_to = g_steal_pointer (&new_to);
  *out_from = g_steal_pointer (&new_from);
}

void
_msrp_relay_handle_request (MsrpRelayConn *conn,
                            MsrpChunk     *chunk)
{
  guint segment = msrp_chunk_get_segment (chunk);
  gboolean last = segment == 0 || _msrp_chunk_is_last_segment (chunk);
  const char *method = msrp_chunk_get_method (chunk);
  g_autoptr(GError) error = NULL;
  MsrpRelayRoute *route;
  guint code = 0;
  const char *comment = NULL;

  if (segment > 1)
    {
      /* The rest of a long body. */
      if (conn->cur != NULL)
        route_forward (conn->cur, chunk, last);
      if (last)
        g_clear_pointer (&conn->cur, route_unref);
      return;
    }
  g_clear_pointer (&conn->cur, route_unref);

  if (!msrp_chunk_verify_headers (chunk, &error))
    {
      g_debug ("relay: bad request: %s", error->message);
      if (msrp_chunk_get_to_path (chunk) != NULL && msrp_chunk_get_from_path (chunk) != NULL)
        _msrp_relay_conn_respond (conn, chunk, MSRP_STATUS_BAD_REQUEST, NULL);
      return;
    }

  if (!conn->paths_set)
    {
      /* For the transport's own answers to malformed requests. */
      g_autoptr(GPtrArray) local = NULL;
      g_autoptr(GPtrArray) remote = _msrp_path_new_single (g_ptr_array_index (msrp_chunk_get_from_path (chunk), 0));

      local = _msrp_path_new_single (conn->listener ? conn->listener->uri
                                                    : g_ptr_array_index (msrp_chunk_get_to_path (chunk), 0));
      _msrp_transport_set_paths (conn->transport, local, remote);
      conn->paths_set = TRUE;
    }

  if (!last && strcmp (method, "SEND") != 0)
    {
      _msrp_relay_conn_respond (conn, chunk, MSRP_STATUS_STOP_SENDING, "Too large for this relay");
      return;
    }

  if (strcmp (method, "AUTH") == 0 && msrp_chunk_get_to_path (chunk)->len == 1)
    {
      _msrp_relay_handle_auth (conn, chunk);
      return;
    }

  route = route_new (conn, chunk, &code, &comment);
  if (route == NULL)
    {
      _msrp_relay_conn_respond (conn, chunk, code, comment);
      return;
    }
  /* It named a session: a peer of that session's client (or a relay
   * serving one), to be carried as long as the session needs. */
  _msrp_relay_conn_admit (conn);
  route_forward (route, chunk, last);
  if (!last)
    conn->cur = route;
  else
    route_unref (route);
}

/* Closing */

void
_msrp_relay_forward_conn_closed (MsrpRelay     *self,
                                 MsrpRelayConn *conn)
{
  QueuedPiece *piece;
  Pending *pending;

  _msrp_poller_timer_clear (&conn->pending_timer);
  for (guint i = 0; i < conn->peer_uris->len; i++)
    peer_forget (self, conn, g_ptr_array_index (conn->peer_uris, i));
  g_ptr_array_set_size (conn->peer_uris, 0);

  while ((piece = g_queue_pop_head (&conn->connect_queue)) != NULL)
    {
      route_fail (piece->route, MSRP_STATUS_REQUEST_TIMEOUT, "Downstream-failure");
      queued_piece_free (piece);
    }
  while ((pending = g_queue_peek_head (&conn->pending_order)) != NULL)
    {
      pending_remove (conn, pending);
      pending_fail (pending, MSRP_STATUS_REQUEST_TIMEOUT, "Downstream-failure", TRUE);
      pending_free (pending);
    }
  g_clear_pointer (&conn->cur, route_unref);
  g_clear_pointer (&conn->route_memo, route_memo_free);
}

/* The route memo keys on the transport's parse of the paths, which it
 * drops when idle: the memo could not be hit again, and holds the paths
 * and their encodings (some 600 bytes). */
void
_msrp_relay_forward_conn_idle (MsrpRelayConn *conn)
{
  g_clear_pointer (&conn->route_memo, route_memo_free);
}

void
_msrp_relay_forward_init (MsrpRelay *self)
{
  self->by_peer = g_hash_table_new_full (peer_key_hash, peer_key_equal, _msrp_relay_peer_key_free, NULL);
}
