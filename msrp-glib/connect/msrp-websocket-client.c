/* msrp-websocket-client.c: reaching a peer or a relay over a WebSocket
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libsoup does the HTTP upgrade and the framing; what is ours is the
 * URL made from an MSRP URI and the TLS checks the connectors share.
 */

#include "config.h"

#include "msrp-websocket-client-private.h"
#include "msrp-connector-private.h"
#include "msrp-error.h"
#include "msrp-utils-private.h"

typedef struct {
  MsrpConnector *connector;
  gboolean check_fingerprint;
  GTlsDatabase *database;
  GError **mismatch;
} Connect;

static void
connect_free (gpointer data)
{
  Connect *c = data;

  g_clear_object (&c->connector);
  g_clear_object (&c->database);
  g_free (c);
}

static gboolean
on_hop_accept_certificate (GTlsConnection       *tls,
                           GTlsCertificate      *peer_cert,
                           GTlsCertificateFlags  errors,
                           gpointer              user_data)
{
  return errors == 0;
}

static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  Connect *c = user_data;
  GTlsCertificate *certificate;

  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKING || !G_IS_TLS_CONNECTION (connection))
    return;
  if (c->connector == NULL)
    {
      g_signal_connect (connection, "accept-certificate", G_CALLBACK (on_hop_accept_certificate), NULL);
      return;
    }
  if (c->database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (connection), c->database);
  certificate = msrp_connector_get_tls_certificate (c->connector);
  if (certificate != NULL)
    g_tls_connection_set_certificate (G_TLS_CONNECTION (connection), certificate);
  _msrp_connector_watch_tls (c->connector, G_TLS_CONNECTION (connection), c->check_fingerprint,
                             c->mismatch);
}

static void
on_websocket_connected (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  GError *error = NULL;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (ws == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* RFC 7977 section 4: a server that does not speak MSRP answers
   * without the sub-protocol. */
  if (g_strcmp0 (soup_websocket_connection_get_protocol (ws), "msrp") != 0)
    {
      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR, NULL);
      g_task_return_new_error (task, MSRP_ERROR, MSRP_ERROR_PEER_UNSUPPORTED, "%s",
                               _("The WebSocket server does not speak MSRP (no “msrp” sub-protocol)"));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&ws), g_object_unref);
}

void
_msrp_websocket_connect_async (MsrpConnector        *connector,
                               MsrpUri              *uri,
                               const char           *path,
                               gboolean              check_fingerprint,
                               GTlsDatabase         *database,
                               GError              **mismatch,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data)
{
  static const char *protocols[] = { "msrp", NULL };
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GUri) url = NULL;
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Connect *c = g_new0 (Connect, 1);
  guint port = msrp_uri_get_port (uri);

  g_task_set_source_tag (task, _msrp_websocket_connect_async);
  g_task_set_name (task, "[msrp] websocket connect");
  c->connector = connector ? g_object_ref (connector) : NULL;
  c->check_fingerprint = check_fingerprint;
  c->database = database ? g_object_ref (database) : NULL;
  c->mismatch = mismatch;
  g_task_set_task_data (task, c, connect_free);

  url = g_uri_build (G_URI_FLAGS_NONE, msrp_uri_get_use_tls (uri) ? "https" : "http", NULL,
                     msrp_uri_get_host (uri), port ? (gint) port : -1,
                     path != NULL && *path ? path : "/", NULL, NULL);
  msg = soup_message_new_from_uri (SOUP_METHOD_GET, url);
  g_signal_connect_data (msg, "network-event", G_CALLBACK (on_network_event), c, NULL, 0);
  session = soup_session_new ();
  /* Like a socket connection: no proxy taken from the environment. */
  soup_session_set_proxy_resolver (session, NULL);
  soup_session_websocket_connect_async (session, msg, NULL, (char **) protocols, G_PRIORITY_DEFAULT,
                                        cancellable, on_websocket_connected, task);
}

SoupWebsocketConnection *
_msrp_websocket_connect_finish (GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
_msrp_uri_is_websocket (MsrpUri *uri)
{
  const char *transport = msrp_uri_get_transport (uri);

  return transport != NULL && g_ascii_strcasecmp (transport, "ws") == 0;
}

MsrpUri *
_msrp_websocket_client_uri_new (gboolean use_tls)
{
  guint8 label[6];
  g_autofree char *host = NULL;
  g_autofree char *id = _msrp_random_ident (MSRP_RANDOM_SECRET, 20);

  _msrp_random_bytes (MSRP_RANDOM_NONCE, label, sizeof label);
  host = g_strdup_printf ("%02x%02x%02x%02x%02x%02x.invalid",
                          label[0], label[1], label[2], label[3], label[4], label[5]);

  return g_object_new (MSRP_TYPE_URI,
                       "host", host,
                       "port", (guint) g_random_int_range (1024, 65536),
                       "session-id", id,
                       "transport", "ws",
                       "use-tls", use_tls,
                       NULL);
}
