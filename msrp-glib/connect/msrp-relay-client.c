/* msrp-relay-client.c: a connection to an RFC 4976 relay: connect, AUTH
 * with Digest, Use-Path, refresh
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-relay-client-private.h"
#include "msrp-websocket-client-private.h"
#include "msrp-digest-private.h"
#include "msrp-error.h"
#include "msrp-transport-private.h"
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

struct _MsrpRelayLink
{
  gatomicrefcount ref_count;

  MsrpRelaySettings *settings;
  GMainContext *context;
  MsrpUri *relay_uri;            /* To-Path of the first AUTH */
  MsrpUri *local_uri;
  MsrpTransport *transport;      /* strong until attached, then weak */
  gboolean attached;
  GPtrArray *use_path;
  guint expires;

  /* Digest state */
  gboolean with_uri;
  gboolean tried_other_uri;
  GHashTable *challenge;
  guint nc;
  guint requested_expires;

  /* Refresh, once attached */
  GSource *refresh_timer;
  char *refresh_tid;
  guint refresh_401s;
};

static void
link_free (MsrpRelayLink *link)
{
  if (link->refresh_timer != NULL)
    {
      g_source_destroy (link->refresh_timer);
      g_source_unref (link->refresh_timer);
    }
  if (link->attached)
    g_clear_weak_pointer (&link->transport);
  else if (link->transport != NULL)
    {
      msrp_transport_close_async (link->transport, NULL, NULL, NULL);
      g_clear_object (&link->transport);
    }
  g_clear_object (&link->settings);
  g_clear_pointer (&link->context, g_main_context_unref);
  g_clear_object (&link->relay_uri);
  g_clear_object (&link->local_uri);
  g_clear_pointer (&link->use_path, g_ptr_array_unref);
  g_clear_pointer (&link->challenge, g_hash_table_unref);
  g_free (link->refresh_tid);
  g_free (link);
}

MsrpRelayLink *
_msrp_relay_link_ref (MsrpRelayLink *link)
{
  g_atomic_ref_count_inc (&link->ref_count);
  return link;
}

void
_msrp_relay_link_unref (MsrpRelayLink *link)
{
  if (g_atomic_ref_count_dec (&link->ref_count))
    link_free (link);
}

void
_msrp_relay_link_close (MsrpRelayLink *link)
{
  if (!link->attached && link->refresh_timer != NULL)
    {
      g_source_destroy (link->refresh_timer);
      g_clear_pointer (&link->refresh_timer, g_source_unref);
    }
  if (!link->attached && link->transport != NULL)
    {
      msrp_transport_close_async (link->transport, NULL, NULL, NULL);
      g_clear_object (&link->transport);
    }
}

GPtrArray *
_msrp_relay_link_get_local_path (MsrpRelayLink *link)
{
  GPtrArray *path = _msrp_path_copy (link->use_path);

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
  return link->expires;
}

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
make_auth (MsrpRelayLink  *link,
           MsrpUri        *to,
           gboolean        answer,
           GError        **error)
{
  g_autoptr(MsrpChunk) auth = msrp_chunk_new_request ("AUTH", NULL);
  g_autoptr(GPtrArray) to_path = _msrp_path_new_single (to);
  g_autoptr(GPtrArray) from_path = _msrp_path_new_single (link->local_uri);

  msrp_chunk_set_to_path (auth, to_path);
  msrp_chunk_set_from_path (auth, from_path);
  if (answer && link->challenge != NULL)
    {
      /* The digest-uri is the To-Path URI even when uri= is left out:
       * that is what such relays hash (HA2 = MD5("AUTH:" uri)). */
      g_autofree char *uri_str = msrp_uri_to_string (to);
      g_autofree char *authorization = NULL;

      authorization = _msrp_digest_make_authorization (link->challenge,
                                                       msrp_relay_settings_get_username (link->settings),
                                                       msrp_relay_settings_get_password (link->settings),
                                                       uri_str, link->with_uri, ++link->nc, error);
      if (authorization == NULL)
        return NULL;
      msrp_chunk_set_authorization (auth, authorization);
    }
  if (link->requested_expires > 0)
    msrp_chunk_set_expires (auth, link->requested_expires);
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
take_challenge (MsrpRelayLink  *link,
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
  g_clear_pointer (&link->challenge, g_hash_table_unref);
  link->challenge = params;
  link->nc = 0;
  return TRUE;
}

static GError *
auth_failed (MsrpRelayLink *link,
             MsrpChunk     *response)
{
  const char *comment = msrp_chunk_get_comment (response);

  return g_error_new (MSRP_ERROR, MSRP_ERROR_AUTH_FAILED,
                      _("The relay refused the credentials of “%s”: %u %s"),
                      msrp_relay_settings_get_username (link->settings),
                      msrp_chunk_get_code (response), comment ? comment : "");
}

/* Handles a 423: TRUE when a new Expires was found to retry with. */
static gboolean
take_interval (MsrpRelayLink *link,
               MsrpChunk     *response)
{
  gint64 min = msrp_chunk_get_min_expires (response);
  gint64 max = msrp_chunk_get_max_expires (response);

  if (min > 0 && (link->requested_expires == 0 || link->requested_expires < min))
    link->requested_expires = MIN (min, G_MAXUINT32);
  else if (max > 0 && (link->requested_expires == 0 || link->requested_expires > max))
    link->requested_expires = MIN (max, G_MAXUINT32);
  else
    return FALSE;
  return TRUE;
}

/* Takes a 200: Use-Path and Expires. */
static gboolean
take_ok (MsrpRelayLink  *link,
         MsrpChunk      *response,
         GError        **error)
{
  GPtrArray *use_path = msrp_chunk_get_use_path (response);
  gint64 expires = msrp_chunk_get_expires (response);

  if (link->use_path == NULL)
    {
      if (use_path == NULL || use_path->len == 0)
        {
          g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED,
                               _("The relay accepted the AUTH but gave no Use-Path"));
          return FALSE;
        }
      link->use_path = _msrp_path_copy (use_path);
    }
  if (expires > 0)
    link->expires = MIN (expires, G_MAXUINT32);
  else if (link->requested_expires > 0)
    link->expires = link->requested_expires;
  else
    link->expires = DEFAULT_EXPIRES;
  return TRUE;
}

static void schedule_refresh (MsrpRelayLink *link, guint expires);
static void schedule_refresh_in (MsrpRelayLink *link, guint seconds);

/* Connecting and the first AUTH */

typedef struct {
  MsrpRelayLink *link;
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
  g_clear_pointer (&c->link, _msrp_relay_link_unref);
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
  _msrp_relay_link_close (c->link);
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
  _msrp_relay_link_close (c->link);
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
  c->link->with_uri = FALSE;
  c->link->tried_other_uri = TRUE;
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
      if (!g_task_get_completed (task) && MSRP_TRANSPORT (source) == c->link->transport &&
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
  MsrpRelayLink *link = c->link;
  GError *error = NULL;

  g_clear_object (&c->auth);
  c->auth = make_auth (link, link->relay_uri, answer, &error);
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
  if (answer && link->with_uri && !link->tried_other_uri &&
      msrp_relay_settings_get_digest_uri_mode (link->settings) == MSRP_DIGEST_URI_AUTO)
    {
      c->uri_timer = g_timeout_source_new_seconds (AUTO_URI_WAIT_SECONDS);
      g_source_set_static_name (c->uri_timer, "[msrp] relay uri= fallback");
      g_source_set_callback (c->uri_timer, on_uri_timeout, task, NULL);
      g_source_attach (c->uri_timer, link->context);
    }

  msrp_transport_write_chunk_async (link->transport, c->auth, c->cancellable, on_auth_written,
                                    g_object_ref (task));
}

static void
on_auth_response (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  MsrpRelayLink *link = c->link;
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
      msrp_transport_read_chunk_async (link->transport, 0, c->cancellable, on_auth_response, task);
      return;
    }

  /* The relay is alive: whatever it says now is the answer. */
  c->answered = TRUE;
  stop_target_timer (c);

  code = msrp_chunk_get_code (response);
  if (code == MSRP_STATUS_OK)
    {
      if (!take_ok (link, response, &error))
        {
          connect_fail (task, error);
          return;
        }
      _msrp_operation_stop (&c->op);
      /* The authorization is kept fresh from now on, also while an
       * acceptor waits for its peer. */
      schedule_refresh (link, link->expires);
      g_task_return_pointer (task, _msrp_relay_link_ref (link), (GDestroyNotify) _msrp_relay_link_unref);
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
          if (msrp_relay_settings_get_digest_uri_mode (link->settings) != MSRP_DIGEST_URI_AUTO ||
              link->tried_other_uri)
            {
              connect_fail (task, auth_failed (link, response));
              return;
            }
          link->with_uri = !link->with_uri;
          link->tried_other_uri = TRUE;
        }
      if (++c->n_401 > 3 || !take_challenge (link, response, &error))
        {
          connect_fail (task, error ? error : auth_failed (link, response));
          return;
        }
      send_auth (task, TRUE);
      msrp_transport_read_chunk_async (link->transport, 0, c->cancellable, on_auth_response, task);
      return;
    }

  if (code == MSRP_STATUS_INTERVAL_OUT_OF_BOUNDS && ++c->n_423 <= MAX_423 && take_interval (link, response))
    {
      send_auth (task, link->challenge != NULL);
      msrp_transport_read_chunk_async (link->transport, 0, c->cancellable, on_auth_response, task);
      return;
    }

  if (code == MSRP_STATUS_FORBIDDEN)
    {
      connect_fail (task, auth_failed (link, response));
      return;
    }

  {
    const char *comment = msrp_chunk_get_comment (response);

    connect_fail (task, g_error_new (MSRP_TRANSACTION_ERROR, code, _("The relay refused the AUTH: %u %s"),
                                     code, comment ? comment : ""));
  }
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  MsrpRelayLink *link = c->link;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GPtrArray) local_path = NULL;
  g_autoptr(GPtrArray) remote_path = NULL;
  GError *error = NULL;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL && c->mismatch == NULL && target_failed (task, &error))
    return;
  if (connection == NULL)
    {
      if (c->mismatch == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GError *wrapped = g_error_new (MSRP_ERROR, MSRP_ERROR_RELAY_NOT_FOUND,
                                         _("Cannot reach the MSRP relay for “%s”: %s"),
                                         msrp_relay_settings_get_domain (link->settings), error->message);
          g_error_free (error);
          error = wrapped;
        }
      connect_fail (task, error);
      return;
    }

  local_path = _msrp_path_new_single (link->local_uri);
  remote_path = _msrp_path_new_single (link->relay_uri);
  link->transport = msrp_transport_new (G_IO_STREAM (connection), local_path, remote_path);
  _msrp_connector_configure_transport (g_task_get_source_object (task), link->transport);

  send_auth (task, FALSE);
  msrp_transport_read_chunk_async (link->transport, 0, c->cancellable, on_auth_response, task);
}

static void
on_websocket_connected (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  MsrpRelayLink *link = c->link;
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  g_autoptr(GPtrArray) local_path = NULL;
  g_autoptr(GPtrArray) remote_path = NULL;
  GError *error = NULL;

  ws = _msrp_websocket_connect_finish (result, &error);
  if (ws == NULL)
    {
      if (c->mismatch == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GError *wrapped = g_error_new (MSRP_ERROR, MSRP_ERROR_RELAY_NOT_FOUND,
                                         _("Cannot reach the MSRP relay for “%s”: %s"),
                                         msrp_relay_settings_get_domain (link->settings), error->message);
          g_error_free (error);
          error = wrapped;
        }
      connect_fail (task, error);
      return;
    }

  local_path = _msrp_path_new_single (link->local_uri);
  remote_path = _msrp_path_new_single (link->relay_uri);
  link->transport = _msrp_transport_new_for_websocket (ws, local_path, remote_path);
  _msrp_connector_configure_transport (g_task_get_source_object (task), link->transport);

  send_auth (task, FALSE);
  msrp_transport_read_chunk_async (link->transport, 0, c->cancellable, on_auth_response, task);
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
  GTlsDatabase *database = msrp_relay_settings_get_tls_database (c->link->settings);
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
  g_source_attach (c->target_timer, c->link->context);

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
                                         msrp_relay_settings_get_domain (c->link->settings), error->message);
          g_error_free (error);
          error = wrapped;
        }
      connect_fail (task, error);
      return;
    }
  c->next_target = c->targets;
  try_next_target (task);
}

void
_msrp_relay_link_new_async (MsrpRelaySettings   *settings,
                            MsrpConnector       *connector,
                            MsrpUri             *local_uri,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (connector, cancellable, callback, user_data);
  Connect *c = g_new0 (Connect, 1);
  MsrpRelayLink *link = g_new0 (MsrpRelayLink, 1);
  const char *host = msrp_relay_settings_get_host (settings);
  gboolean use_tls = msrp_relay_settings_get_use_tls (settings);
  gboolean websocket = g_strcmp0 (msrp_relay_settings_get_transport (settings), "ws") == 0;
  g_autoptr(GSocketConnectable) connectable = NULL;

  g_task_set_name (task, "[msrp] relay connect");
  g_task_set_source_tag (task, _msrp_relay_link_new_async);
  g_task_set_task_data (task, c, connect_free);

  g_atomic_ref_count_init (&link->ref_count);
  link->settings = g_object_ref (settings);
  link->context = g_main_context_ref_thread_default ();
  link->local_uri = g_object_ref (local_uri);
  link->requested_expires = msrp_relay_settings_get_expires (settings);
  link->with_uri = msrp_relay_settings_get_digest_uri_mode (settings) != MSRP_DIGEST_URI_OMIT;
  c->link = link;

  if (host != NULL)
    {
      link->relay_uri = relay_uri_new (host, msrp_relay_settings_get_port (settings), use_tls, websocket);
      connectable = g_network_address_new (host, msrp_relay_settings_get_port (settings));
    }
  else
    {
      link->relay_uri = relay_uri_new (msrp_relay_settings_get_domain (settings),
                                       websocket ? msrp_relay_settings_get_port (settings) : 0,
                                       use_tls, websocket);
    }

  _msrp_connector_start_operation (connector, &c->op, cancellable);
  c->cancellable = g_object_ref (c->op.cancellable);

  /* RFC 7977: the relay over a WebSocket, at its host (a WebSocket relay
   * has no SRV records) and port; its certificate checked by name. */
  if (websocket)
    {
      _msrp_websocket_connect_async (connector, link->relay_uri,
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

MsrpRelayLink *
_msrp_relay_link_new_finish (GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Refreshing, while the session lives */


/* A refresh that gets no answer is tried again this much later. */
#define REFRESH_RETRY_SECONDS 30
static void send_refresh (MsrpRelayLink *link, gboolean answer);

static void
on_refresh_response (MsrpTransport *transport,
                     MsrpChunk     *response,
                     gpointer       user_data)
{
  MsrpRelayLink *link = user_data;
  guint code = msrp_chunk_get_code (response);

  g_clear_pointer (&link->refresh_tid, g_free);

  if (code == MSRP_STATUS_OK && take_ok (link, response, NULL))
    {
      g_debug ("relay authorization refreshed for %u s", link->expires);
      link->refresh_401s = 0;
      schedule_refresh (link, link->expires);
      return;
    }
  if (code == MSRP_STATUS_UNAUTHORIZED && link->refresh_401s++ == 0 &&
      take_challenge (link, response, NULL))
    {
      send_refresh (link, TRUE);
      return;
    }
  if (code == MSRP_STATUS_INTERVAL_OUT_OF_BOUNDS && take_interval (link, response))
    {
      send_refresh (link, link->challenge != NULL);
      return;
    }

  /* Try again a little later: the relay keeps the session until it
   * expires. */
  g_debug ("the relay refused to refresh the authorization: %u", code);
  link->refresh_401s = 0;
  schedule_refresh_in (link, REFRESH_RETRY_SECONDS);
}

static void
send_refresh (MsrpRelayLink *link,
              gboolean       answer)
{
  g_autoptr(MsrpChunk) auth = NULL;
  MsrpUri *nearest;

  if (link->transport == NULL)
    return;

  nearest = g_ptr_array_index (link->use_path, link->use_path->len - 1);
  auth = make_auth (link, nearest, answer, NULL);
  if (auth == NULL)
    return;
  if (link->refresh_tid != NULL)
    /* The last one went unanswered: its answer is no longer awaited. */
    _msrp_transport_intercept_response (link->transport, link->refresh_tid, NULL, NULL);
  g_free (link->refresh_tid);
  link->refresh_tid = g_strdup (msrp_chunk_get_transaction_id (auth));
  _msrp_transport_intercept_response (link->transport, link->refresh_tid, on_refresh_response, link);
  msrp_transport_write_chunk_async (link->transport, auth, NULL, NULL, NULL);
  /* If no answer comes, try again; an answer reschedules. */
  schedule_refresh_in (link, REFRESH_RETRY_SECONDS);
}

static gboolean
on_refresh_timer (gpointer user_data)
{
  MsrpRelayLink *link = user_data;

  g_clear_pointer (&link->refresh_timer, g_source_unref);
  send_refresh (link, link->challenge != NULL);
  return G_SOURCE_REMOVE;
}

/* Refreshes ahead of expiry: at 80 % of the lifetime, and at least ten
 * seconds before. */
static void
schedule_refresh (MsrpRelayLink *link,
                  guint          expires)
{
  schedule_refresh_in (link, expires - MIN (expires / 5 + 10, expires / 2));
}

static void
schedule_refresh_in (MsrpRelayLink *link,
                     guint          seconds)
{
  if (link->refresh_timer != NULL)
    {
      g_source_destroy (link->refresh_timer);
      g_source_unref (link->refresh_timer);
    }
  link->refresh_timer = g_timeout_source_new_seconds (MAX (seconds, 1));
  g_source_set_static_name (link->refresh_timer, "[msrp] relay refresh");
  g_source_set_callback (link->refresh_timer, on_refresh_timer, link, NULL);
  g_source_attach (link->refresh_timer, link->context);
}

void
_msrp_relay_link_attach (MsrpRelayLink *link,
                         GPtrArray     *full_remote_path)
{
  g_autoptr(GPtrArray) local_path = _msrp_relay_link_get_local_path (link);
  g_autoptr(GPtrArray) route = g_ptr_array_new_with_free_func (g_object_unref);
  MsrpTransport *transport;

  g_return_if_fail (!link->attached && link->transport != NULL);

  /* Outwards through our relays: nearest (the last of Use-Path) first. */
  for (guint i = link->use_path->len; i > 0; i--)
    g_ptr_array_add (route, g_object_ref (g_ptr_array_index (link->use_path, i - 1)));

  _msrp_transport_set_paths (link->transport, local_path, full_remote_path);
  _msrp_transport_set_route (link->transport, route);

  /* From now on the transport's owner keeps it; the link lives as long as
   * the transport and refreshes the authorization. */
  transport = g_steal_pointer (&link->transport);
  link->attached = TRUE;
  g_set_weak_pointer (&link->transport, transport);
  g_object_set_data_full (G_OBJECT (transport), "msrp-relay-link", _msrp_relay_link_ref (link),
                          (GDestroyNotify) _msrp_relay_link_unref);
  g_object_unref (transport);
}

/* What the two relay connectors share: prepare connects and
 * authenticates, and the link replaces any earlier one. */

static void
on_prepare_link_ready (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  MsrpRelayLink **slot = g_task_get_task_data (task);
  GError *error = NULL;
  MsrpRelayLink *link;

  link = _msrp_relay_link_new_finish (result, &error);
  if (link == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  _msrp_relay_link_clear (slot);
  *slot = link;
  g_task_return_pointer (task, _msrp_relay_link_get_local_path (link), (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
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
  g_autoptr(MsrpUri) uri = NULL;

  g_task_set_name (task, "[msrp] relay prepare");
  g_task_set_source_tag (task, _msrp_relay_link_prepare_async);
  /* The slot is in the connector, which lives as long as the task. */
  g_task_set_task_data (task, slot, NULL);

  uri = local_uri ? g_object_ref (local_uri) : _msrp_relay_default_local_uri (relay);
  _msrp_relay_link_new_async (relay, connector, uri, cancellable, on_prepare_link_ready, task);
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
