/* msrp-relay-client.c: a connection to an RFC 4976 relay: connect, AUTH
 * with Digest, Use-Path, refresh; shared by the sessions of a main context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A RelayConnection is one connection and one AUTH. With
 * MsrpRelaySettings:share-connection it sits in a pool of the main
 * context, and every session whose settings are the same gets a child
 * transport of the connection's mux (msrp-transport-mux.c) with a URI of
 * its own behind the one Use-Path (RFC 4975 section 8.1): 100 chats hold
 * one connection, not 100. Each session's use is an MsrpRelayLink; the
 * connection lives while they do, and closes when the last child goes.
 * Without sharing (or on a stream that cannot be shared) the link hands
 * the connection's own transport to its session, as one AUTH each.
 */

#include "config.h"

#include <string.h>

#include "msrp-relay-client-private.h"
#include "msrp-websocket-client-private.h"
#include "msrp-digest-private.h"
#include "msrp-error.h"
#include "msrp-poller-private.h"
#include "msrp-transport-private.h"
#include "msrp-transport-mux-private.h"
#include "msrp-uri-private.h"
#include "msrp-utils-private.h"

/* The Expires a relay gives when it gives none (RFC 4976's example). */
#define DEFAULT_EXPIRES 600
/* How long an AUTH carrying uri= may go unanswered in auto mode before we
 * try without it (some relays never answer one with it). */
#define AUTO_URI_WAIT_SECONDS 5
/* 423 answers followed before giving up. */
#define MAX_423 3
/* Found by DNS SRV, one target gets this share of the connector's timeout
 * to answer the first AUTH before the next is tried: a relay that takes
 * connections and then says nothing (a frozen process) must not use it
 * all. */
#define TARGET_TIMEOUT_SHARE 3

typedef enum {
  CONNECTION_CONNECTING,
  CONNECTION_READY,
  CONNECTION_CLOSED,
} ConnectionState;

typedef struct {
  guint ref_count;
  ConnectionState state;
  char *key;                     /* its place in the pool, or NULL */
  MsrpRelaySettings *settings;
  GMainContext *context;
  GCancellable *cancellable;     /* connecting, while somebody waits */
  GList *waiters;                /* prepare tasks, while connecting */
  MsrpUri *relay_uri;            /* To-Path of the first AUTH */
  MsrpUri *local_uri;            /* From-Path of the AUTHs */
  /* The AUTHs go on it: the mux's child of the connection's own, or
   * (unshared) the connection's transport, strong until handed out to
   * the session, then weak. */
  MsrpTransport *transport;
  gboolean handed_out;
  MsrpMux *mux;                  /* shared: the sessions' children */
  guint n_attached;              /* sessions that used it */
  GPtrArray *use_path;
  guint expires;

  /* Digest state */
  gboolean with_uri;
  gboolean tried_other_uri;
  GHashTable *challenge;
  guint nc;
  guint requested_expires;

  /* Refresh */
  MsrpPollerTimer *refresh_timer;
  char *refresh_tid;
  guint refresh_401s;
} RelayConnection;

/* One session's use of a relay connection. */
struct _MsrpRelayLink
{
  gatomicrefcount ref_count;
  RelayConnection *rc;
  MsrpUri *local_uri;
  MsrpTransport *transport;      /* strong until attached, then weak */
  gboolean attached;
};

static RelayConnection *connection_ref (RelayConnection *rc);
static void connection_unref (RelayConnection *rc);
static void connection_set_stream (RelayConnection *rc, MsrpTransport *transport);
static void connection_drop_stream (RelayConnection *rc);
static void on_connect_done (GObject *source, GAsyncResult *result, gpointer user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayConnection, connection_unref)

MsrpUri *
_msrp_relay_default_local_uri (MsrpRelaySettings *settings)
{
  /* RFC 7977 section 5: a WebSocket client has no address of its own. */
  if (g_strcmp0 (msrp_relay_settings_get_transport (settings), "ws") == 0)
    return _msrp_websocket_client_uri_new (msrp_relay_settings_get_use_tls (settings));
  return msrp_uri_new (_msrp_connector_default_host (), 0, NULL, msrp_relay_settings_get_use_tls (settings));
}

/* The AUTH request */

static MsrpChunk *
make_auth (RelayConnection  *rc,
           MsrpUri        *to,
           gboolean        answer,
           GError        **error)
{
  g_autoptr(MsrpChunk) auth = msrp_chunk_new_request ("AUTH", NULL);
  g_autoptr(GPtrArray) to_path = _msrp_path_new_single (to);
  g_autoptr(GPtrArray) from_path = _msrp_path_new_single (rc->local_uri);

  msrp_chunk_set_to_path (auth, to_path);
  msrp_chunk_set_from_path (auth, from_path);
  if (answer && rc->challenge != NULL)
    {
      /* The digest-uri is the To-Path URI even when uri= is left out:
       * that is what such relays hash (HA2 = MD5("AUTH:" uri)). */
      g_autofree char *uri_str = msrp_uri_to_string (to);
      g_autofree char *authorization = NULL;

      authorization = _msrp_digest_make_authorization (rc->challenge,
                                                       msrp_relay_settings_get_username (rc->settings),
                                                       msrp_relay_settings_get_password (rc->settings),
                                                       uri_str, rc->with_uri, ++rc->nc, error);
      if (authorization == NULL)
        return NULL;
      msrp_chunk_set_authorization (auth, authorization);
    }
  if (rc->requested_expires > 0)
    msrp_chunk_set_expires (auth, rc->requested_expires);
  return g_steal_pointer (&auth);
}

/* Whether a 401 says the answer was right but its nonce too old (RFC
 * 2617 stale=TRUE): the same credentials go again with the new nonce. */
static gboolean
challenge_is_stale (MsrpChunk *response)
{
  g_autoptr(GHashTable) params = msrp_chunk_get_auth_params (response, "WWW-Authenticate", NULL);
  const char *stale = params ? g_hash_table_lookup (params, "stale") : NULL;

  return stale != NULL && g_ascii_strcasecmp (stale, "true") == 0;
}

/* Takes a 401's challenge; FALSE when it cannot be used. */
static gboolean
take_challenge (RelayConnection  *rc,
                MsrpChunk      *response,
                GError        **error)
{
  g_autofree char *scheme = NULL;
  GHashTable *params = msrp_chunk_get_auth_params (response, "WWW-Authenticate", &scheme);

  if (params == NULL || g_ascii_strcasecmp (scheme, "Digest") != 0)
    {
      g_clear_pointer (&params, g_hash_table_unref);
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED,
                           _("The relay answered 401 without a Digest challenge"));
      return FALSE;
    }
  g_clear_pointer (&rc->challenge, g_hash_table_unref);
  rc->challenge = params;
  rc->nc = 0;
  return TRUE;
}

static GError *
auth_failed (RelayConnection *rc,
             MsrpChunk     *response)
{
  const char *comment = msrp_chunk_get_comment (response);

  return g_error_new (MSRP_ERROR, MSRP_ERROR_AUTH_FAILED,
                      _("The relay refused the credentials of “%s”: %u %s"),
                      msrp_relay_settings_get_username (rc->settings),
                      msrp_chunk_get_code (response), comment ? comment : "");
}

/* Handles a 423: TRUE when a new Expires was found to retry with. */
static gboolean
take_interval (RelayConnection *rc,
               MsrpChunk     *response)
{
  gint64 min = msrp_chunk_get_min_expires (response);
  gint64 max = msrp_chunk_get_max_expires (response);

  if (min > 0 && (rc->requested_expires == 0 || rc->requested_expires < min))
    rc->requested_expires = MIN (min, G_MAXUINT32);
  else if (max > 0 && (rc->requested_expires == 0 || rc->requested_expires > max))
    rc->requested_expires = MIN (max, G_MAXUINT32);
  else
    return FALSE;
  return TRUE;
}

/* Takes a 200: Use-Path and Expires. */
static gboolean
take_ok (RelayConnection  *rc,
         MsrpChunk      *response,
         GError        **error)
{
  GPtrArray *use_path = msrp_chunk_get_use_path (response);
  gint64 expires = msrp_chunk_get_expires (response);

  if (rc->use_path == NULL)
    {
      if (use_path == NULL || use_path->len == 0)
        {
          g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED,
                               _("The relay accepted the AUTH but gave no Use-Path"));
          return FALSE;
        }
      rc->use_path = _msrp_path_copy (use_path);
    }
  if (expires > 0)
    rc->expires = MIN (expires, G_MAXUINT32);
  else if (rc->requested_expires > 0)
    rc->expires = rc->requested_expires;
  else
    rc->expires = DEFAULT_EXPIRES;
  return TRUE;
}

static void schedule_refresh (RelayConnection *rc, guint expires);
static void schedule_refresh_in (RelayConnection *rc, guint seconds);

/* Connecting and the first AUTH */

typedef struct {
  RelayConnection *rc;
  MsrpOperation op;
  GCancellable *cancellable;  /* the operation's, or one per SRV target */
  GSocketClient *client;
  GError *mismatch;
  MsrpChunk *auth;          /* the AUTH whose answer we wait for */
  GSource *uri_timer;       /* auto mode: give up on uri= */
  guint n_401;
  guint n_423;
  gboolean stale_retried;

  /* DNS SRV (RFC 2782): the targets in their order, tried one after the
   * other until a relay answers the AUTH; the certificate of each must
   * name the domain, @identity. */
  GSocketConnectable *identity;
  GList *targets;           /* of GSrvTarget */
  GList *next_target;       /* in @targets: the first not tried yet */
  GSource *target_timer;
  gboolean target_timed_out;
  gboolean answered;        /* a relay answered: it is the one */
} Connect;

static void
stop_target_timer (Connect *c)
{
  if (c->target_timer != NULL)
    {
      g_source_destroy (c->target_timer);
      g_clear_pointer (&c->target_timer, g_source_unref);
    }
}

static void
connect_free (gpointer data)
{
  Connect *c = data;

  _msrp_operation_stop (&c->op);
  if (c->uri_timer != NULL)
    {
      g_source_destroy (c->uri_timer);
      g_source_unref (c->uri_timer);
    }
  stop_target_timer (c);
  g_clear_object (&c->cancellable);
  g_clear_object (&c->identity);
  g_clear_pointer (&c->targets, g_resolver_free_targets);
  g_clear_pointer (&c->rc, connection_unref);
  g_clear_object (&c->client);
  g_clear_error (&c->mismatch);
  g_clear_object (&c->auth);
  g_free (c);
}

static void
connect_fail (GTask  *task,
              GError *error)
{
  Connect *c = g_task_get_task_data (task);

  if (c->mismatch != NULL)
    {
      g_clear_error (&error);
      error = g_steal_pointer (&c->mismatch);
    }
  else
    error = _msrp_operation_error (&c->op, error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                   _("The MSRP relay did not answer in time"));
  _msrp_operation_stop (&c->op);
  stop_target_timer (c);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void try_next_target (GTask *task);

/* A target that failed before its relay answered makes way for the next
 * one, if there is one: TRUE when it did, and the task goes on there.
 * Otherwise @error is what to fail with. */
static gboolean
target_failed (GTask   *task,
               GError **error)
{
  Connect *c = g_task_get_task_data (task);

  if (c->identity == NULL || c->answered || g_cancellable_is_cancelled (c->op.cancellable))
    return FALSE;

  stop_target_timer (c);
  if (c->target_timed_out)
    {
      c->target_timed_out = FALSE;
      g_clear_error (error);
      *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                    _("The MSRP relay did not answer in time"));
    }
  connection_drop_stream (c->rc);
  if (c->next_target == NULL)
    return FALSE;

  g_debug ("the relay target failed (%s); trying the next one", (*error)->message);
  g_clear_error (error);
  try_next_target (task);
  return TRUE;
}

static void send_auth (GTask *task, gboolean answer);
static void on_auth_response (GObject *source, GAsyncResult *result, gpointer user_data);

static gboolean
on_uri_timeout (gpointer user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);

  g_clear_pointer (&c->uri_timer, g_source_unref);
  g_debug ("the relay does not answer an AUTH with uri=; trying without");
  c->rc->with_uri = FALSE;
  c->rc->tried_other_uri = TRUE;
  send_auth (task, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_auth_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!msrp_transport_write_chunk_finish (MSRP_TRANSPORT (source), result, &error))
    {
      Connect *c = g_task_get_task_data (task);

      /* Before an SRV target answered, the pending read (or the target's
       * timer) sees the failure and moves on; an earlier target's
       * transport is gone. */
      if (!g_task_get_completed (task) && MSRP_TRANSPORT (source) == c->rc->transport &&
          (c->identity == NULL || c->answered))
        connect_fail (task, error);
      else
        g_error_free (error);
    }
  g_object_unref (task);
}

static void
send_auth (GTask    *task,
           gboolean  answer)
{
  Connect *c = g_task_get_task_data (task);
  RelayConnection *rc = c->rc;
  GError *error = NULL;

  g_clear_object (&c->auth);
  c->auth = make_auth (rc, rc->relay_uri, answer, &error);
  if (c->auth == NULL)
    {
      connect_fail (task, error);
      return;
    }

  if (c->uri_timer != NULL)
    {
      g_source_destroy (c->uri_timer);
      g_clear_pointer (&c->uri_timer, g_source_unref);
    }
  if (answer && rc->with_uri && !rc->tried_other_uri &&
      msrp_relay_settings_get_digest_uri_mode (rc->settings) == MSRP_DIGEST_URI_AUTO)
    {
      c->uri_timer = g_timeout_source_new_seconds (AUTO_URI_WAIT_SECONDS);
      g_source_set_static_name (c->uri_timer, "[msrp] relay uri= fallback");
      g_source_set_callback (c->uri_timer, on_uri_timeout, task, NULL);
      g_source_attach (c->uri_timer, rc->context);
    }

  msrp_transport_write_chunk_async (rc->transport, c->auth, c->cancellable, on_auth_written,
                                    g_object_ref (task));
}

static void
on_auth_response (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  RelayConnection *rc = c->rc;
  g_autoptr(MsrpChunk) response = NULL;
  GError *error = NULL;
  guint code;

  response = msrp_transport_read_chunk_finish (MSRP_TRANSPORT (source), result, &error);
  if (response == NULL)
    {
      if (!target_failed (task, &error))
        connect_fail (task, error);
      return;
    }

  if (msrp_chunk_is_request (response) || c->auth == NULL ||
      strcmp (msrp_chunk_get_transaction_id (response), msrp_chunk_get_transaction_id (c->auth)) != 0)
    {
      /* Nothing else belongs here yet (a late answer to an AUTH we gave
       * up on, say): read on. */
      msrp_transport_read_chunk_async (rc->transport, 0, c->cancellable, on_auth_response, task);
      return;
    }

  /* The relay is alive: whatever it says now is the answer. */
  c->answered = TRUE;
  stop_target_timer (c);

  code = msrp_chunk_get_code (response);
  if (code == MSRP_STATUS_OK)
    {
      if (!take_ok (rc, response, &error))
        {
          connect_fail (task, error);
          return;
        }
      _msrp_operation_stop (&c->op);
      /* The authorization is kept fresh from now on, also while an
       * acceptor waits for its peer. */
      schedule_refresh (rc, rc->expires);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  if (code == MSRP_STATUS_UNAUTHORIZED)
    {
      gboolean answered = msrp_chunk_get_authorization (c->auth) != NULL;

      if (answered && !c->stale_retried && challenge_is_stale (response))
        /* Right, but with an old nonce: once more with the new one. */
        c->stale_retried = TRUE;
      else if (answered)
        {
          /* Our answer was refused. In auto mode, the other uri= form
           * gets one try. */
          if (msrp_relay_settings_get_digest_uri_mode (rc->settings) != MSRP_DIGEST_URI_AUTO ||
              rc->tried_other_uri)
            {
              connect_fail (task, auth_failed (rc, response));
              return;
            }
          rc->with_uri = !rc->with_uri;
          rc->tried_other_uri = TRUE;
        }
      if (++c->n_401 > 3 || !take_challenge (rc, response, &error))
        {
          connect_fail (task, error ? error : auth_failed (rc, response));
          return;
        }
      send_auth (task, TRUE);
      msrp_transport_read_chunk_async (rc->transport, 0, c->cancellable, on_auth_response, task);
      return;
    }

  if (code == MSRP_STATUS_INTERVAL_OUT_OF_BOUNDS && ++c->n_423 <= MAX_423 && take_interval (rc, response))
    {
      send_auth (task, rc->challenge != NULL);
      msrp_transport_read_chunk_async (rc->transport, 0, c->cancellable, on_auth_response, task);
      return;
    }

  if (code == MSRP_STATUS_FORBIDDEN)
    {
      connect_fail (task, auth_failed (rc, response));
      return;
    }

  {
    const char *comment = msrp_chunk_get_comment (response);

    connect_fail (task, g_error_new (MSRP_TRANSACTION_ERROR, code, _("The relay refused the AUTH: %u %s"),
                                     code, comment ? comment : ""));
  }
}

/* The relay could not be reached (or the connect was cancelled). */
static void
connect_unreachable (GTask  *task,
                     GError *error)
{
  Connect *c = g_task_get_task_data (task);

  if (c->mismatch == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      GError *wrapped = g_error_new (MSRP_ERROR, MSRP_ERROR_RELAY_NOT_FOUND,
                                     _("Cannot reach the MSRP relay for “%s”: %s"),
                                     msrp_relay_settings_get_domain (c->rc->settings), error->message);
      g_error_free (error);
      error = wrapped;
    }
  connect_fail (task, error);
}

/* Connected (over TCP, TLS or a WebSocket): the first AUTH goes out on
 * @transport (taken). */
static void
connected (GTask         *task,
           MsrpTransport *transport)
{
  Connect *c = g_task_get_task_data (task);
  RelayConnection *rc = c->rc;

  connection_set_stream (rc, transport);
  _msrp_connector_configure_transport (g_task_get_source_object (task), rc->transport);
  send_auth (task, FALSE);
  msrp_transport_read_chunk_async (rc->transport, 0, c->cancellable, on_auth_response, task);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  RelayConnection *rc = c->rc;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GPtrArray) local_path = NULL;
  g_autoptr(GPtrArray) remote_path = NULL;
  GError *error = NULL;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL && c->mismatch == NULL && target_failed (task, &error))
    return;
  if (connection == NULL)
    {
      connect_unreachable (task, error);
      return;
    }

  local_path = _msrp_path_new_single (rc->local_uri);
  remote_path = _msrp_path_new_single (rc->relay_uri);
  connected (task, msrp_transport_new (G_IO_STREAM (connection), local_path, remote_path));
}

static void
on_websocket_connected (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  RelayConnection *rc = c->rc;
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  g_autoptr(GPtrArray) local_path = NULL;
  g_autoptr(GPtrArray) remote_path = NULL;
  GError *error = NULL;

  ws = _msrp_websocket_connect_finish (result, &error);
  if (ws == NULL)
    {
      connect_unreachable (task, error);
      return;
    }

  local_path = _msrp_path_new_single (rc->local_uri);
  remote_path = _msrp_path_new_single (rc->relay_uri);
  connected (task, _msrp_transport_new_for_websocket (ws, local_path, remote_path));
}

static void
on_client_event (GSocketClient      *client,
                 GSocketClientEvent  event,
                 GSocketConnectable *connectable,
                 GIOStream          *connection,
                 gpointer            user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  MsrpConnector *connector = g_task_get_source_object (task);
  GTlsDatabase *database = msrp_relay_settings_get_tls_database (c->rc->settings);
  GTlsCertificate *certificate = msrp_connector_get_tls_certificate (connector);

  if (event == G_SOCKET_CLIENT_CONNECTED)
    {
      _msrp_connector_set_no_delay (G_SOCKET_CONNECTION (connection));
      return;
    }
  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKING)
    return;

  /* Through SRV the certificate must name the domain, not the target:
   * the DNS answer that named the target vouches for nothing. */
  if (c->identity != NULL)
    g_tls_client_connection_set_server_identity (G_TLS_CLIENT_CONNECTION (connection), c->identity);
  if (certificate != NULL)
    g_tls_connection_set_certificate (G_TLS_CONNECTION (connection), certificate);
  if (database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (connection), database);
  /* The relay's certificate is checked against its name (the peer's
   * fingerprint, if any, is for the far end, which TLS to the relay does
   * not reach). */
  _msrp_connector_watch_tls (connector, G_TLS_CONNECTION (connection), FALSE, &c->mismatch);
}

/* A relay's own URI has no session-id (RFC 4976 section 5). */
static MsrpUri *
relay_uri_new (const char *host,
               guint       port,
               gboolean    use_tls,
               gboolean    websocket)
{
  return g_object_new (MSRP_TYPE_URI, "host", host, "port", port, "use-tls", use_tls,
                       "transport", websocket ? "ws" : "tcp", NULL);
}

static gboolean
on_target_timeout (gpointer user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);

  /* The pending connect or read ends cancelled, and moves on. */
  g_clear_pointer (&c->target_timer, g_source_unref);
  c->target_timed_out = TRUE;
  g_cancellable_cancel (c->cancellable);
  return G_SOURCE_REMOVE;
}

static void
try_next_target (GTask *task)
{
  Connect *c = g_task_get_task_data (task);
  GSrvTarget *target = c->next_target->data;
  g_autoptr(GSocketConnectable) address = NULL;
  guint timeout = msrp_connector_get_timeout (g_task_get_source_object (task));

  /* Walked forward only: g_srv_target_list_sort() leaves the prev links
   * of the resolver's list behind. */
  c->next_target = c->next_target->next;
  address = g_network_address_new (g_srv_target_get_hostname (target), g_srv_target_get_port (target));
  g_debug ("trying the relay target %s:%u", g_srv_target_get_hostname (target), g_srv_target_get_port (target));

  /* Each target gets a cancellable of its own, which the operation's
   * cancels too. */
  g_clear_object (&c->cancellable);
  c->cancellable = g_cancellable_new ();
  g_signal_connect_object (c->op.cancellable, "cancelled", G_CALLBACK (g_cancellable_cancel),
                           c->cancellable, G_CONNECT_SWAPPED);

  c->target_timer = g_timeout_source_new (MAX (timeout * 1000 / TARGET_TIMEOUT_SHARE, 1000));
  g_source_set_static_name (c->target_timer, "[msrp] relay target timeout");
  g_source_set_callback (c->target_timer, on_target_timeout, task, NULL);
  g_source_attach (c->target_timer, c->rc->context);

  g_socket_client_connect_async (c->client, address, c->cancellable, on_connected, task);
}

static void
on_targets (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  GError *error = NULL;

  c->targets = g_resolver_lookup_service_finish (G_RESOLVER (source), result, &error);
  if (c->targets == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GError *wrapped = g_error_new (MSRP_ERROR, MSRP_ERROR_RELAY_NOT_FOUND,
                                         _("Cannot reach the MSRP relay for “%s”: %s"),
                                         msrp_relay_settings_get_domain (c->rc->settings), error->message);
          g_error_free (error);
          error = wrapped;
        }
      connect_fail (task, error);
      return;
    }
  c->next_target = c->targets;
  try_next_target (task);
}

/* Connects to the relay (host, or DNS SRV), authenticates with AUTH and
 * Digest, and gets the Use-Path; bounded by the connector's timeout, and
 * cancelled by rc->cancellable (nobody waits for it any more). */
static void
connection_connect (RelayConnection *rc,
                    MsrpConnector   *connector)
{
  MsrpRelaySettings *settings = rc->settings;
  GTask *task = g_task_new (connector, NULL, on_connect_done, connection_ref (rc));
  Connect *c = g_new0 (Connect, 1);
  const char *host = msrp_relay_settings_get_host (settings);
  gboolean use_tls = msrp_relay_settings_get_use_tls (settings);
  gboolean websocket = g_strcmp0 (msrp_relay_settings_get_transport (settings), "ws") == 0;
  g_autoptr(GSocketConnectable) connectable = NULL;

  g_task_set_name (task, "[msrp] relay connect");
  g_task_set_source_tag (task, connection_connect);
  g_task_set_task_data (task, c, connect_free);
  c->rc = connection_ref (rc);

  if (host != NULL)
    {
      rc->relay_uri = relay_uri_new (host, msrp_relay_settings_get_port (settings), use_tls, websocket);
      connectable = g_network_address_new (host, msrp_relay_settings_get_port (settings));
    }
  else
    {
      rc->relay_uri = relay_uri_new (msrp_relay_settings_get_domain (settings),
                                     websocket ? msrp_relay_settings_get_port (settings) : 0,
                                     use_tls, websocket);
    }

  /* Its own operation: the connectors that wait for it come and go. */
  _msrp_operation_start (&c->op, rc->cancellable, msrp_connector_get_timeout (connector), rc->context);
  c->cancellable = g_object_ref (c->op.cancellable);

  /* RFC 7977: the relay over a WebSocket, at its host (a WebSocket relay
   * has no SRV records) and port; its certificate checked by name. */
  if (websocket)
    {
      _msrp_websocket_connect_async (connector, rc->relay_uri,
                                     msrp_relay_settings_get_websocket_path (settings), FALSE,
                                     msrp_relay_settings_get_tls_database (settings), &c->mismatch,
                                     c->op.cancellable, on_websocket_connected, task);
      return;
    }

  c->client = g_socket_client_new ();
  g_socket_client_set_tls (c->client, use_tls);
  g_signal_connect (c->client, "event", G_CALLBACK (on_client_event), task);
  if (connectable != NULL)
    {
      g_socket_client_connect_async (c->client, connectable, c->cancellable, on_connected, task);
      return;
    }

  /* Without a host: the relay's SRV records (RFC 4976), whose targets
   * are tried here one by one, so that a target that connects but never
   * answers is left for the next. */
  {
    g_autoptr(GResolver) resolver = g_resolver_get_default ();

    c->identity = g_network_address_new (msrp_relay_settings_get_domain (settings), MSRP_DEFAULT_PORT);
    g_resolver_lookup_service_async (resolver, use_tls ? "msrps" : "msrp", "tcp",
                                     msrp_relay_settings_get_domain (settings), c->cancellable,
                                     on_targets, task);
  }
}



/* A refresh that gets no answer is tried again this much later. */
#define REFRESH_RETRY_SECONDS 30
static void send_refresh (RelayConnection *rc, gboolean answer);

static void
on_refresh_response (MsrpTransport *transport,
                     MsrpChunk     *response,
                     gpointer       user_data)
{
  RelayConnection *rc = user_data;
  guint code = msrp_chunk_get_code (response);

  g_clear_pointer (&rc->refresh_tid, g_free);

  if (code == MSRP_STATUS_OK && take_ok (rc, response, NULL))
    {
      g_debug ("relay authorization refreshed for %u s", rc->expires);
      rc->refresh_401s = 0;
      schedule_refresh (rc, rc->expires);
      return;
    }
  if (code == MSRP_STATUS_UNAUTHORIZED && rc->refresh_401s++ == 0 &&
      take_challenge (rc, response, NULL))
    {
      send_refresh (rc, TRUE);
      return;
    }
  if (code == MSRP_STATUS_INTERVAL_OUT_OF_BOUNDS && take_interval (rc, response))
    {
      send_refresh (rc, rc->challenge != NULL);
      return;
    }

  /* Try again a little later: the relay keeps the session until it
   * expires. */
  g_debug ("the relay refused to refresh the authorization: %u", code);
  rc->refresh_401s = 0;
  schedule_refresh_in (rc, REFRESH_RETRY_SECONDS);
}

static void
send_refresh (RelayConnection *rc,
              gboolean       answer)
{
  g_autoptr(MsrpChunk) auth = NULL;
  MsrpUri *nearest;

  if (rc->transport == NULL)
    return;

  nearest = g_ptr_array_index (rc->use_path, rc->use_path->len - 1);
  auth = make_auth (rc, nearest, answer, NULL);
  if (auth == NULL)
    return;
  if (rc->refresh_tid != NULL)
    /* The last one went unanswered: its answer is no longer awaited. */
    _msrp_transport_intercept_response (rc->transport, rc->refresh_tid, NULL, NULL);
  g_free (rc->refresh_tid);
  rc->refresh_tid = g_strdup (msrp_chunk_get_transaction_id (auth));
  _msrp_transport_intercept_response (rc->transport, rc->refresh_tid, on_refresh_response, rc);
  msrp_transport_write_chunk_async (rc->transport, auth, NULL, NULL, NULL);
  /* If no answer comes, try again; an answer reschedules. */
  schedule_refresh_in (rc, REFRESH_RETRY_SECONDS);
}

static void
on_refresh_timer (gpointer user_data)
{
  RelayConnection *rc = user_data;

  send_refresh (rc, rc->challenge != NULL);
}

/* Refreshes ahead of expiry: at 80 % of the lifetime, and at least ten
 * seconds before. */
static void
schedule_refresh (RelayConnection *rc,
                  guint          expires)
{
  schedule_refresh_in (rc, expires - MIN (expires / 5 + 10, expires / 2));
}

static void
schedule_refresh_in (RelayConnection *rc,
                     guint          seconds)
{
  /* On the context's one timer queue: a client with thousands of relay
   * connections would otherwise have GLib walk a GSource each for every
   * main loop iteration. */
  if (rc->refresh_timer == NULL)
    rc->refresh_timer = _msrp_poller_timer_new (rc->context, G_PRIORITY_DEFAULT,
                                                on_refresh_timer, rc);
  _msrp_poller_timer_start_seconds (rc->refresh_timer, MAX (seconds, 1));
}

/* The pool: live connections by what makes them the same, per main
 * context. The entries hold no reference: a connection leaves when it is
 * freed, closes, or turns out not to be shareable. */

G_LOCK_DEFINE_STATIC (pool);
static GHashTable *pool;

static char *
pool_key (MsrpRelaySettings *settings,
          MsrpConnector     *connector,
          GMainContext      *context)
{
  const char *host = msrp_relay_settings_get_host (settings);
  const char *password = msrp_relay_settings_get_password (settings);
  g_autofree char *password_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                                   password ? password : "", -1);
  const char *domain = msrp_relay_settings_get_domain (settings);
  const char *username = msrp_relay_settings_get_username (settings);

  return g_strdup_printf ("%p\n%s\n%s\n%u\n%d\n%s\n%s\n%s\n%s\n%d\n%u\n%p\n%p", context,
                          host ? host : "", domain ? domain : "",
                          host != NULL ? msrp_relay_settings_get_port (settings) : 0,
                          msrp_relay_settings_get_use_tls (settings),
                          msrp_relay_settings_get_transport (settings),
                          msrp_relay_settings_get_websocket_path (settings),
                          username ? username : "", password_hash,
                          msrp_relay_settings_get_digest_uri_mode (settings),
                          msrp_relay_settings_get_expires (settings),
                          msrp_connector_get_tls_certificate (connector),
                          msrp_relay_settings_get_tls_database (settings));
}

/* A connection of the pool that can take another session: ready, or
 * being made. */
static RelayConnection *
pool_lookup (const char *key)
{
  RelayConnection *rc = NULL;

  G_LOCK (pool);
  if (pool != NULL)
    rc = g_hash_table_lookup (pool, key);
  if (rc != NULL && (rc->state == CONNECTION_CLOSED ||
                     (rc->state == CONNECTION_READY && (rc->mux == NULL || !_msrp_mux_is_open (rc->mux)))))
    rc = NULL;
  if (rc != NULL)
    connection_ref (rc);
  G_UNLOCK (pool);
  return rc;
}

static void
pool_insert (RelayConnection *rc,
             char            *key)
{
  G_LOCK (pool);
  if (pool == NULL)
    pool = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_replace (pool, key, rc);
  rc->key = key;
  G_UNLOCK (pool);
}

static void
pool_remove (RelayConnection *rc)
{
  G_LOCK (pool);
  if (rc->key != NULL && g_hash_table_lookup (pool, rc->key) == rc)
    g_hash_table_remove (pool, rc->key);
  g_clear_pointer (&rc->key, g_free);
  G_UNLOCK (pool);
}

/* Connections */

static RelayConnection *
connection_new (MsrpRelaySettings *settings,
                MsrpUri           *local_uri)
{
  RelayConnection *rc = g_new0 (RelayConnection, 1);

  rc->ref_count = 1;
  rc->settings = g_object_ref (settings);
  rc->context = g_main_context_ref_thread_default ();
  rc->cancellable = g_cancellable_new ();
  rc->local_uri = local_uri ? g_object_ref (local_uri) : _msrp_relay_default_local_uri (settings);
  rc->requested_expires = msrp_relay_settings_get_expires (settings);
  rc->with_uri = msrp_relay_settings_get_digest_uri_mode (settings) != MSRP_DIGEST_URI_OMIT;
  return rc;
}

static RelayConnection *
connection_ref (RelayConnection *rc)
{
  rc->ref_count++;
  return rc;
}

static void
stop_refresh (RelayConnection *rc)
{
  _msrp_poller_timer_clear (&rc->refresh_timer);
}

static void on_ctl_read (MsrpTransport *transport, MsrpChunk *chunk, GError *error, gpointer user_data);

/* The connection's own read (shared): it takes the refreshes' answers
 * (intercepted) and holds a reference while it is pending. */
static void
ctl_read (RelayConnection *rc)
{
  _msrp_transport_read_with_callback (rc->transport, 0, on_ctl_read, connection_ref (rc));
}

static void
on_ctl_read (MsrpTransport *transport,
             MsrpChunk     *chunk,
             GError        *error,
             gpointer       user_data)
{
  RelayConnection *rc = user_data;

  if (chunk == NULL)
    {
      g_debug ("relay connection %p: %s", rc, error->message);
      g_error_free (error);
      /* Lost: the next sessions get a new one. */
      rc->state = CONNECTION_CLOSED;
      pool_remove (rc);
      stop_refresh (rc);
      connection_unref (rc);
      return;
    }
  /* Nobody sends to the URI of our AUTHs. */
  if (msrp_chunk_is_request (chunk) && strcmp (msrp_chunk_get_method (chunk), "REPORT") != 0)
    _msrp_transport_write_response (transport, chunk, MSRP_STATUS_SESSION_DOES_NOT_EXIST, NULL, NULL);
  g_object_unref (chunk);
  if (rc->state != CONNECTION_CLOSED)
    ctl_read (rc);
  connection_unref (rc);
}

/* The last session left a shared connection: it closes. */
static void
connection_shutdown (RelayConnection *rc)
{
  if (rc->state == CONNECTION_CLOSED)
    return;
  g_debug ("relay connection %p: no session left, closing", rc);
  rc->state = CONNECTION_CLOSED;
  pool_remove (rc);
  stop_refresh (rc);
  if (rc->mux != NULL && rc->transport != NULL)
    {
      if (_msrp_transport_cancel_read (rc->transport))
        connection_unref (rc);
      msrp_transport_close_async (rc->transport, NULL, NULL, NULL);
    }
}

static void
on_children_changed (MsrpMux  *mux,
                     guint     n_children,
                     gpointer  user_data)
{
  RelayConnection *rc = user_data;

  /* Only our own child is left. */
  if (n_children <= 1 && rc->state == CONNECTION_READY)
    connection_shutdown (rc);
}

static void
connection_unref (RelayConnection *rc)
{
  if (--rc->ref_count > 0)
    return;
  g_assert (rc->waiters == NULL);
  pool_remove (rc);
  stop_refresh (rc);
  if (rc->mux != NULL)
    {
      _msrp_mux_set_children_func (rc->mux, NULL, NULL);
      if (rc->transport != NULL)
        {
          msrp_transport_close_async (rc->transport, NULL, NULL, NULL);
          g_clear_object (&rc->transport);
        }
      g_clear_pointer (&rc->mux, _msrp_mux_unref);
    }
  else if (rc->handed_out)
    g_clear_weak_pointer (&rc->transport);
  else if (rc->transport != NULL)
    {
      msrp_transport_close_async (rc->transport, NULL, NULL, NULL);
      g_clear_object (&rc->transport);
    }
  g_clear_object (&rc->settings);
  g_clear_pointer (&rc->context, g_main_context_unref);
  g_clear_object (&rc->cancellable);
  g_clear_object (&rc->relay_uri);
  g_clear_object (&rc->local_uri);
  g_clear_pointer (&rc->use_path, g_ptr_array_unref);
  g_clear_pointer (&rc->challenge, g_hash_table_unref);
  g_free (rc->refresh_tid);
  g_free (rc);
}

/* The connection is open: a pooled one is shared through a mux, when its
 * stream can be (read and written without blocking). Takes @transport. */
static void
connection_set_stream (RelayConnection *rc,
                       MsrpTransport   *transport)
{
  if (rc->key != NULL)
    rc->mux = _msrp_mux_new (transport);
  if (rc->mux == NULL)
    {
      /* One session then, as without sharing. */
      pool_remove (rc);
      rc->transport = transport;
      return;
    }
  {
    g_autoptr(GPtrArray) local_path = _msrp_path_new_single (rc->local_uri);
    g_autoptr(GPtrArray) remote_path = _msrp_path_new_single (rc->relay_uri);

    rc->transport = _msrp_mux_open (rc->mux, local_path, remote_path);
    _msrp_mux_set_children_func (rc->mux, on_children_changed, rc);
    g_object_unref (transport);
  }
}

/* An SRV target that did not answer: its connection goes, and the next
 * target's sets a new stream. */
static void
connection_drop_stream (RelayConnection *rc)
{
  if (rc->mux != NULL)
    _msrp_mux_set_children_func (rc->mux, NULL, NULL);
  if (rc->transport != NULL)
    {
      msrp_transport_close_async (rc->transport, NULL, NULL, NULL);
      g_clear_object (&rc->transport);
    }
  g_clear_pointer (&rc->mux, _msrp_mux_unref);
}

/* Links */

MsrpRelayLink *
_msrp_relay_link_ref (MsrpRelayLink *link)
{
  g_atomic_ref_count_inc (&link->ref_count);
  return link;
}

void
_msrp_relay_link_unref (MsrpRelayLink *link)
{
  if (!g_atomic_ref_count_dec (&link->ref_count))
    return;
  if (link->attached)
    g_clear_weak_pointer (&link->transport);
  else if (link->transport != NULL)
    {
      msrp_transport_close_async (link->transport, NULL, NULL, NULL);
      g_clear_object (&link->transport);
    }
  connection_unref (link->rc);
  g_clear_object (&link->local_uri);
  g_free (link);
}

/* A session's use of @rc: a child of its mux for @local_uri, or (unshared)
 * the connection itself. NULL when it cannot take one more. */
static MsrpRelayLink *
link_new (RelayConnection *rc,
          MsrpUri         *local_uri,
          MsrpConnector   *connector)
{
  MsrpRelayLink *link;
  MsrpTransport *transport;

  if (rc->mux != NULL)
    {
      g_autoptr(GPtrArray) local_path = _msrp_path_copy (rc->use_path);
      g_autoptr(GPtrArray) remote_path = _msrp_path_new_single (rc->relay_uri);

      g_ptr_array_add (local_path, g_object_ref (local_uri));
      transport = _msrp_mux_open (rc->mux, local_path, remote_path);
      if (transport == NULL)
        return NULL;
      _msrp_connector_configure_transport (connector, transport);
    }
  else
    {
      if (rc->handed_out || rc->transport == NULL)
        return NULL;
      /* Its reference goes to the link; ours stays, weak, for refreshes. */
      transport = g_steal_pointer (&rc->transport);
      rc->handed_out = TRUE;
      g_set_weak_pointer (&rc->transport, transport);
      local_uri = rc->local_uri;
    }
  link = g_new0 (MsrpRelayLink, 1);
  g_atomic_ref_count_init (&link->ref_count);
  link->rc = connection_ref (rc);
  link->local_uri = g_object_ref (local_uri);
  link->transport = transport;
  return link;
}

void
_msrp_relay_link_close (MsrpRelayLink *link)
{
  if (link->attached)
    return;
  /* Unshared, the connection was this session's alone. */
  if (link->rc->mux == NULL)
    stop_refresh (link->rc);
  if (link->transport != NULL)
    {
      msrp_transport_close_async (link->transport, NULL, NULL, NULL);
      g_clear_object (&link->transport);
    }
}

GPtrArray *
_msrp_relay_link_get_local_path (MsrpRelayLink *link)
{
  GPtrArray *path = _msrp_path_copy (link->rc->use_path);

  g_ptr_array_add (path, g_object_ref (link->local_uri));
  return path;
}

MsrpTransport *
_msrp_relay_link_get_transport (MsrpRelayLink *link)
{
  return link->transport;
}

guint
_msrp_relay_link_get_expires (MsrpRelayLink *link)
{
  return link->rc->expires;
}

gboolean
_msrp_relay_link_is_shared (MsrpRelayLink *link)
{
  return link->rc->mux != NULL;
}

void
_msrp_relay_link_attach (MsrpRelayLink *link,
                         GPtrArray     *full_remote_path)
{
  g_autoptr(GPtrArray) local_path = _msrp_relay_link_get_local_path (link);
  g_autoptr(GPtrArray) route = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *use_path = link->rc->use_path;
  MsrpTransport *transport;

  g_return_if_fail (!link->attached && link->transport != NULL);

  /* Outwards through our relays: nearest (the last of Use-Path) first. */
  for (guint i = use_path->len; i > 0; i--)
    g_ptr_array_add (route, g_object_ref (g_ptr_array_index (use_path, i - 1)));

  _msrp_transport_set_paths (link->transport, local_path, full_remote_path);
  _msrp_transport_set_route (link->transport, route);
  link->rc->n_attached++;

  /* From now on the transport's owner keeps it; the link lives as long as
   * the transport, and with it the connection and its refreshes. */
  transport = g_steal_pointer (&link->transport);
  link->attached = TRUE;
  g_set_weak_pointer (&link->transport, transport);
  g_object_set_data_full (G_OBJECT (transport), "msrp-relay-link", _msrp_relay_link_ref (link),
                          (GDestroyNotify) _msrp_relay_link_unref);
  g_object_unref (transport);
}

void
_msrp_relay_link_bind_failed (MsrpTransport *transport,
                              const GError  *error)
{
  MsrpRelayLink *link = g_object_get_data (G_OBJECT (transport), "msrp-relay-link");

  /* A relay that will not carry a second session on a connection (RFC
   * 4976 lets a relay bind its session to one client) refuses it: the
   * sessions that come after get connections of their own. */
  if (link == NULL || link->rc->mux == NULL || link->rc->n_attached < 2 ||
      !g_error_matches (error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_FORBIDDEN))
    return;
  g_debug ("relay connection %p: the relay refuses to share it", link->rc);
  pool_remove (link->rc);
}

/* Prepare: a link for the connector, from the pool or a new connection */

typedef struct {
  MsrpRelayLink **slot;         /* in the connector, which the task holds */
  MsrpOperation op;
  MsrpUri *local_uri;
  RelayConnection *rc;          /* the connection it waits for */
  GSource *cancel_source;
} Prepare;

static void
prepare_detach (Prepare *p)
{
  if (p->cancel_source != NULL)
    {
      g_source_destroy (p->cancel_source);
      g_clear_pointer (&p->cancel_source, g_source_unref);
    }
  _msrp_operation_stop (&p->op);
  g_clear_pointer (&p->rc, connection_unref);
}

static void
prepare_free (gpointer data)
{
  Prepare *p = data;

  prepare_detach (p);
  g_clear_object (&p->local_uri);
  g_free (p);
}

static void
prepare_fail (GTask  *task,
              GError *error)
{
  prepare_detach (g_task_get_task_data (task));
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void prepare_wait (GTask *task, RelayConnection *rc, gboolean start);

static void
prepare_done_with (GTask           *task,
                   RelayConnection *rc)
{
  Prepare *p = g_task_get_task_data (task);
  MsrpConnector *connector = g_task_get_source_object (task);
  MsrpRelayLink *link = link_new (rc, p->local_uri, connector);

  if (link == NULL)
    {
      /* Its URI is taken on the shared connection (or that one cannot be
       * shared): a connection of its own. */
      g_autoptr(RelayConnection) own = connection_new (rc->settings, p->local_uri);

      g_debug ("relay connection %p cannot take another session; connecting anew", rc);
      prepare_wait (task, own, TRUE);
      return;
    }
  _msrp_relay_link_clear (p->slot);
  *p->slot = link;
  prepare_detach (p);
  g_task_return_pointer (task, _msrp_relay_link_get_local_path (link), (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

static gboolean
on_prepare_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  GTask *task = user_data;
  Prepare *p = g_task_get_task_data (task);
  RelayConnection *rc = connection_ref (p->rc);
  GError *error = NULL;

  rc->waiters = g_list_remove (rc->waiters, task);
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  error = _msrp_operation_error (&p->op, error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                 _("The MSRP relay did not answer in time"));
  prepare_fail (task, error);
  /* Nobody waits for it any more. */
  if (rc->waiters == NULL && rc->state == CONNECTION_CONNECTING)
    g_cancellable_cancel (rc->cancellable);
  connection_unref (rc);
  return G_SOURCE_REMOVE;
}

static void
prepare_wait (GTask           *task,
              RelayConnection *rc,
              gboolean         start)
{
  Prepare *p = g_task_get_task_data (task);

  g_clear_pointer (&p->rc, connection_unref);
  p->rc = connection_ref (rc);
  rc->waiters = g_list_prepend (rc->waiters, task);
  if (p->cancel_source == NULL)
    {
      p->cancel_source = g_cancellable_source_new (p->op.cancellable);
      g_source_set_static_name (p->cancel_source, "[msrp] relay prepare cancelled");
      g_source_set_callback (p->cancel_source, G_SOURCE_FUNC (on_prepare_cancelled), task, NULL);
      g_source_attach (p->cancel_source, rc->context);
    }
  if (start)
    connection_connect (rc, g_task_get_source_object (task));
}

static void
on_connect_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RelayConnection *rc = user_data;
  GError *error = NULL;
  GList *waiters;

  waiters = g_list_reverse (g_steal_pointer (&rc->waiters));
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      rc->state = CONNECTION_CLOSED;
      pool_remove (rc);
      stop_refresh (rc);
      for (GList *l = waiters; l != NULL; l = l->next)
        prepare_fail (l->data, g_error_copy (error));
      g_error_free (error);
    }
  else
    {
      rc->state = CONNECTION_READY;
      if (rc->mux != NULL)
        ctl_read (rc);
      for (GList *l = waiters; l != NULL; l = l->next)
        prepare_done_with (l->data, rc);
      if (rc->mux != NULL && _msrp_mux_get_n_children (rc->mux) <= 1)
        connection_shutdown (rc);
    }
  g_list_free (waiters);
  connection_unref (rc);
}

void
_msrp_relay_link_prepare_async (MsrpConnector        *connector,
                                MsrpRelaySettings    *relay,
                                MsrpRelayLink       **slot,
                                MsrpUri              *local_uri,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  GTask *task = g_task_new (connector, cancellable, callback, user_data);
  Prepare *p = g_new0 (Prepare, 1);
  g_autoptr(RelayConnection) rc = NULL;
  gboolean start = FALSE;

  g_task_set_name (task, "[msrp] relay prepare");
  g_task_set_source_tag (task, _msrp_relay_link_prepare_async);
  g_task_set_task_data (task, p, prepare_free);
  p->slot = slot;
  p->local_uri = local_uri ? g_object_ref (local_uri) : _msrp_relay_default_local_uri (relay);
  _msrp_connector_start_operation (connector, &p->op, cancellable);

  if (msrp_relay_settings_get_share_connection (relay))
    {
      char *key = pool_key (relay, connector, _msrp_connector_get_context (connector));

      rc = pool_lookup (key);
      if (rc != NULL && rc->state == CONNECTION_READY)
        {
          g_free (key);
          prepare_done_with (task, rc);
          return;
        }
      if (rc == NULL)
        {
          rc = connection_new (relay, NULL);
          pool_insert (rc, key);
          start = TRUE;
        }
      else
        g_free (key);
    }
  else
    {
      rc = connection_new (relay, p->local_uri);
      start = TRUE;
    }
  prepare_wait (task, rc, start);
}

GPtrArray *
_msrp_relay_link_prepare_finish (MsrpConnector *connector,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connector), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_msrp_relay_link_clear (MsrpRelayLink **slot)
{
  if (*slot != NULL)
    _msrp_relay_link_close (*slot);
  g_clear_pointer (slot, _msrp_relay_link_unref);
}
