/* msrp-stream-setup.c: initialize and start: the SDP media, who connects,
 * and the connector or server that makes the connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-stream.h"
#include "msrp-stream-private.h"
#include "msrp-acceptor-direct.h"
#include "msrp-acceptor-relay.h"
#include "msrp-connector-direct.h"
#include "msrp-connector-private.h"
#include "msrp-connector-relay.h"
#include "msrp-error.h"
#include "msrp-tls.h"
#include "msrp-utils-private.h"
#include "msrp-connector-direct-private.h"

/* The certificate of streams without one of their own: one per process,
 * made once (an ECDSA key, a few milliseconds, in a thread). */
G_LOCK_DEFINE_STATIC (default_certificate);
static GTlsCertificate *default_certificate;

/* Media */

static gboolean
protocol_uses_tls (const char *protocol)
{
  return protocol != NULL &&
         (g_ascii_strcasecmp (protocol, "TCP/TLS/MSRP") == 0 ||
          g_ascii_strcasecmp (protocol, "TCP/WSS/MSRP") == 0);
}

static gboolean
check_remote_media (MsrpStream    *self,
                    MsrpSdpMedia  *media,
                    GError       **error)
{
  MsrpStreamClass *klass = MSRP_STREAM_GET_CLASS (self);
  const char *protocol = msrp_sdp_media_get_protocol (media);
  GPtrArray *path = msrp_sdp_media_get_path (media);

  if (msrp_sdp_media_get_port (media) == 0)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                           _("The peer refused the MSRP media stream (port 0)"));
      return FALSE;
    }
  if (protocol == NULL || !g_str_has_suffix (protocol, "/MSRP"))
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                   _("The peer’s media is not MSRP (“%s”)"), protocol ? protocol : "");
      return FALSE;
    }
  if (path == NULL || path->len == 0)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                           _("The peer’s MSRP media has no a=path"));
      return FALSE;
    }
  if (g_strcmp0 (msrp_sdp_media_get_media (media), klass->media_type) != 0)
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                   _("The peer’s media is “%s”, not “%s”"),
                   msrp_sdp_media_get_media (media), klass->media_type);
      return FALSE;
    }
  if (klass->check_remote_media != NULL && !klass->check_remote_media (self, media, error))
    return FALSE;
  return TRUE;
}

static MsrpSdpMedia *
build_local_media (MsrpStream    *self,
                   GError       **error)
{
  MsrpStreamPrivate *priv = _msrp_stream_get_private (self);
  MsrpStreamClass *klass = MSRP_STREAM_GET_CLASS (self);
  g_autoptr(MsrpSdpMedia) media = msrp_sdp_media_new (klass->media_type);
  MsrpUri *first = g_ptr_array_index (priv->local_path, 0);
  MsrpUri *own = g_ptr_array_index (priv->local_path, priv->local_path->len - 1);
  guint16 port = msrp_uri_get_port (first);

  /* c= and m= name where the peer connects (RFC 6714): the first hop. An
   * active side that listens nowhere says port 9 (RFC 4145). */
  if (port == 0)
    port = priv->local_path->len > 1 ? 2855 : 9;
  msrp_sdp_media_set_port (media, port);
  /* What the first hop really is: a shared server's own certificate
   * decides its scheme. */
  priv->tls = msrp_uri_get_use_tls (first);
  /* A WebSocket client (our own URI says ;ws) offers TCP/WS/MSRP even
   * behind a relay's TCP Use-Path (RFC 7977 section 8). */
  if (g_strcmp0 (msrp_uri_get_transport (own), "ws") == 0)
    msrp_sdp_media_set_protocol (media, priv->tls ? "TCP/WSS/MSRP" : "TCP/WS/MSRP");
  else
    msrp_sdp_media_set_protocol (media, priv->tls ? "TCP/TLS/MSRP" : "TCP/MSRP");
  msrp_sdp_media_set_connection_address (media, msrp_uri_get_host (first));
  msrp_sdp_media_set_path (media, priv->local_path);
  msrp_sdp_media_set_setup (media, priv->offerer ? "actpass" : priv->active ? "active" : "passive");
  msrp_sdp_media_set_cema (media, TRUE);
  /* Through a relay the peer's TLS ends at the relay: no fingerprint. */
  if (priv->tls && priv->certificate != NULL && priv->local_path->len == 1)
    {
      g_autofree char *fingerprint =
        msrp_tls_certificate_get_fingerprint (priv->certificate, G_CHECKSUM_SHA256);

      msrp_sdp_media_set_fingerprint (media, fingerprint);
    }
  if (klass->prepare_local_media != NULL &&
      !klass->prepare_local_media (self, media, priv->offerer ? NULL : priv->remote_media, error))
    return NULL;
  return g_steal_pointer (&media);
}

/* Whether our side connects, for an answer to @offer. */
static gboolean
answer_is_active (MsrpSdpMedia *offer)
{
  const char *setup = msrp_sdp_media_get_setup (offer);

  /* Without a=setup the offerer is passive (RFC 4975 section 8.1). */
  return setup == NULL || g_ascii_strcasecmp (setup, "active") != 0;
}

/* initialize */

static void
initialize_fail (GTask  *task,
                 GError *error)
{
  MsrpStream *self = g_task_get_source_object (task);

  _msrp_stream_fail (self, g_error_copy (error));
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
initialize_done (GTask     *task,
                 GPtrArray *local_path)
{
  MsrpStream *self = g_task_get_source_object (task);
  MsrpStreamPrivate *priv = _msrp_stream_get_private (self);
  g_autoptr(MsrpSdpMedia) media = NULL;
  GError *error = NULL;

  priv->local_path = local_path;
  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      initialize_fail (task, error);
      return;
    }
  media = build_local_media (self, &error);
  if (media == NULL)
    {
      initialize_fail (task, error);
      return;
    }
  _msrp_stream_initialized (self, media);
  g_task_return_pointer (task, msrp_sdp_media_copy (media), g_object_unref);
  g_object_unref (task);
}

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  GPtrArray *local_path;
  GError *error = NULL;

  local_path = msrp_connector_prepare_finish (MSRP_CONNECTOR (source), result, &error);
  if (local_path == NULL)
    {
      initialize_fail (task, error);
      return;
    }
  initialize_done (task, local_path);
}

static gboolean
relay_is_websocket (MsrpRelaySettings *relay)
{
  return relay != NULL && g_strcmp0 (msrp_relay_settings_get_transport (relay), "ws") == 0;
}

static void
initialize_prepare (GTask *task)
{
  MsrpStream *self = g_task_get_source_object (task);
  MsrpStreamPrivate *priv = _msrp_stream_get_private (self);
  g_autoptr(MsrpUri) prepare_uri = NULL;
  GError *error = NULL;

  /* A WebSocket client of a relay has no address of its own: the relay
   * connector makes its .invalid ;ws URI (RFC 7977 section 5). */
  if (priv->local_uri != NULL && g_strcmp0 (msrp_uri_get_transport (priv->local_uri), "ws") == 0)
    prepare_uri = g_object_ref (priv->local_uri); /* on a server's SoupServer, as it is */
  else if (priv->local_uri != NULL && !relay_is_websocket (priv->relay))
    prepare_uri = msrp_uri_new (msrp_uri_get_host (priv->local_uri),
                                msrp_uri_get_port (priv->local_uri),
                                msrp_uri_get_session_id (priv->local_uri),
                                priv->tls);

  /* The passive side on a shared server: a URI of its own there. */
  if (!priv->active && priv->server != NULL)
    {
      GPtrArray *local_path = msrp_server_prepare (priv->server, prepare_uri, &error);

      if (local_path == NULL)
        {
          initialize_fail (task, error);
          return;
        }
      priv->server_uri = g_object_ref (g_ptr_array_index (local_path, local_path->len - 1));
      initialize_done (task, local_path);
      return;
    }

  if (priv->active)
    priv->connector = priv->relay ? msrp_connector_relay_new (priv->relay) : msrp_connector_direct_new ();
  else
    priv->connector = priv->relay ? msrp_acceptor_relay_new (priv->relay) : msrp_acceptor_direct_new ();
  msrp_connector_set_logger (priv->connector, priv->logger);
  if (priv->tls && priv->relay == NULL)
    msrp_connector_set_tls_certificate (priv->connector, priv->certificate);
  msrp_connector_prepare_async (priv->connector, prepare_uri, g_task_get_cancellable (task),
                                on_prepared, task);
}

static void
make_certificate_in_thread (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  GTlsCertificate *certificate;
  GError *error = NULL;

  G_LOCK (default_certificate);
  if (default_certificate == NULL)
    default_certificate = msrp_tls_certificate_new_self_signed ("msrp-glib", &error);
  certificate = default_certificate ? g_object_ref (default_certificate) : NULL;
  G_UNLOCK (default_certificate);

  if (certificate == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, certificate, g_object_unref);
}

static void
on_certificate_made (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  MsrpStream *self = g_task_get_source_object (task);
  MsrpStreamPrivate *priv = _msrp_stream_get_private (self);
  GError *error = NULL;

  priv->certificate = g_task_propagate_pointer (G_TASK (result), &error);
  if (priv->certificate == NULL)
    {
      initialize_fail (task, error);
      return;
    }
  initialize_prepare (task);
}

/* The connection part of initialize: the certificate, then prepare. */
static void
initialize_connect (GTask *task)
{
  MsrpStream *stream = g_task_get_source_object (task);
  MsrpStreamPrivate *priv = _msrp_stream_get_private (stream);
  gboolean direct;

  /* Through a relay, TLS is that of the connection to the relay. */
  if (priv->relay != NULL)
    priv->tls = msrp_relay_settings_get_use_tls (priv->relay);

  /* A certificate only where a peer checks it against our media: on a
   * direct connection; the server's own on the server. */
  direct = priv->relay == NULL;
  if (!priv->active && priv->server != NULL)
    {
      /* The server's scheme is its own: with a certificate it is TLS. */
      g_set_object (&priv->certificate, msrp_server_get_tls_certificate (priv->server));
      if (priv->tls && priv->certificate == NULL)
        {
          initialize_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                      _("The MSRP server has no TLS certificate for a TLS stream; "
                                                        "give it one, or turn use-tls off")));
          return;
        }
    }
  else if (priv->tls && direct && priv->tls_certificate != NULL)
    g_set_object (&priv->certificate, priv->tls_certificate);
  else if (priv->tls && direct)
    {
      GTask *make = g_task_new (stream, g_task_get_cancellable (task), on_certificate_made, task);

      g_task_set_source_tag (make, make_certificate_in_thread);
      g_task_run_in_thread (make, make_certificate_in_thread);
      g_object_unref (make);
      return;
    }
  initialize_prepare (task);
}

static void
on_stream_prepared (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!MSRP_STREAM_GET_CLASS (source)->prepare_finish (MSRP_STREAM (source), result, &error))
    {
      initialize_fail (task, error);
      return;
    }
  initialize_connect (task);
}

/**
 * msrp_stream_initialize_async:
 * @stream: a #MsrpStream
 * @remote_offer: (nullable): the peer's SDP offer, or %NULL to make an
 *   offer
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the local media is ready
 * @user_data: data for @callback
 *
 * Prepares the connection (a listening socket, the relay's session, or a
 * URI on [property@Msrp.Stream:server]) and makes the local media: an
 * offer, or the answer to @remote_offer. Through a relay this connects to
 * the relay first.
 *
 * Since: 1.0
 */
void
msrp_stream_initialize_async (MsrpStream          *stream,
                              MsrpSdpMedia        *remote_offer,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  MsrpStreamPrivate *priv;
  MsrpStreamClass *klass;
  GTask *task;
  GError *error = NULL;

  g_return_if_fail (MSRP_IS_STREAM (stream));
  g_return_if_fail (remote_offer == NULL || MSRP_IS_SDP_MEDIA (remote_offer));

  priv = _msrp_stream_get_private (stream);
  klass = MSRP_STREAM_GET_CLASS (stream);
  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, msrp_stream_initialize_async);
  g_task_set_name (task, "[msrp] stream initialize");

  if (priv->state != MSRP_STREAM_STATE_NEW)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _("The MSRP stream was initialized already"));
      g_object_unref (task);
      return;
    }
  _msrp_stream_set_state (stream, MSRP_STREAM_STATE_INITIALIZING);

  priv->offerer = remote_offer == NULL;
  if (remote_offer != NULL)
    {
      _msrp_stream_set_remote_media (stream, remote_offer);
      if (!check_remote_media (stream, priv->remote_media, &error))
        {
          initialize_fail (task, error);
          return;
        }
      priv->active = answer_is_active (priv->remote_media);
      priv->tls = protocol_uses_tls (msrp_sdp_media_get_protocol (priv->remote_media)) ||
                  msrp_uri_get_use_tls (g_ptr_array_index (msrp_sdp_media_get_path (priv->remote_media), 0));
    }
  else
    {
      priv->active = FALSE;
      priv->tls = priv->use_tls;
    }
  if (klass->prepare_async != NULL)
    {
      klass->prepare_async (stream, priv->offerer ? NULL : priv->remote_media, cancellable,
                            on_stream_prepared, task);
      return;
    }
  initialize_connect (task);
}

/**
 * msrp_stream_initialize_finish:
 * @stream: a #MsrpStream
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Stream.initialize_async].
 *
 * Returns: (transfer full): the local media, for the local SDP, or %NULL
 *   with @error set
 *
 * Since: 1.0
 */
MsrpSdpMedia *
msrp_stream_initialize_finish (MsrpStream    *stream,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* start */

static void
start_with_transport (GTask         *task,
                      MsrpTransport *transport,
                      GError        *error)
{
  MsrpStream *self = g_task_get_source_object (task);
  MsrpStreamPrivate *priv = _msrp_stream_get_private (self);

  if (transport == NULL)
    {
      if (priv->state == MSRP_STREAM_STATE_STARTING)
        _msrp_stream_fail (self, g_error_copy (error));
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (priv->state != MSRP_STREAM_STATE_STARTING)
    {
      /* Ended meanwhile. */
      msrp_transport_close_async (transport, NULL, NULL, NULL);
      g_object_unref (transport);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               _("The MSRP stream ended before it started"));
      g_object_unref (task);
      return;
    }

  _msrp_stream_started (self, transport);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* The connector's or the shared server's connection. */
static void
on_completed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError *error = NULL;
  MsrpTransport *transport;

  if (MSRP_IS_SERVER (source))
    transport = msrp_server_complete_for_uri_finish (MSRP_SERVER (source), result, &error);
  else
    transport = msrp_connector_complete_finish (MSRP_CONNECTOR (source), result, &error);
  start_with_transport (user_data, transport, error);
}

/* The passive offerer whose answerer wants to be passive too: it
 * connects instead, with the URI it offered. */
static gboolean
become_active (MsrpStream  *self,
               GError     **error)
{
  MsrpStreamPrivate *priv = _msrp_stream_get_private (self);

  if (priv->server_uri != NULL || priv->relay != NULL)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                           _("The peer answered a=setup:passive, but this stream waits on a relay "
                             "or a shared server and cannot connect"));
      return FALSE;
    }
  msrp_connector_cleanup (priv->connector);
  g_clear_object (&priv->connector);
  priv->connector = msrp_connector_direct_new ();
  msrp_connector_set_logger (priv->connector, priv->logger);
  if (priv->tls)
    msrp_connector_set_tls_certificate (priv->connector, priv->certificate);
  _msrp_connector_direct_set_local_path (MSRP_CONNECTOR_DIRECT (priv->connector), priv->local_path);
  priv->active = TRUE;
  return TRUE;
}

/**
 * msrp_stream_start_async:
 * @stream: a #MsrpStream
 * @remote_answer: (nullable): the peer's answer to our offer; %NULL when
 *   the stream answered an offer
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the stream runs
 * @user_data: data for @callback
 *
 * Connects (or waits for the peer to connect, bounded by the connector's
 * timeout) and binds the session. The stream is then
 * [enum@Msrp.StreamState.STARTED] and [signal@Msrp.Stream::started] is
 * emitted.
 *
 * Since: 1.0
 */
void
msrp_stream_start_async (MsrpStream          *stream,
                         MsrpSdpMedia        *remote_answer,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  MsrpStreamPrivate *priv;
  GTask *task;
  GError *error = NULL;
  GPtrArray *remote_path;
  const char *fingerprint = NULL;

  g_return_if_fail (MSRP_IS_STREAM (stream));
  g_return_if_fail (remote_answer == NULL || MSRP_IS_SDP_MEDIA (remote_answer));

  priv = _msrp_stream_get_private (stream);
  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, msrp_stream_start_async);
  g_task_set_name (task, "[msrp] stream start");

  if (priv->state != MSRP_STREAM_STATE_INITIALIZED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _("The MSRP stream can only start once initialized"));
      g_object_unref (task);
      return;
    }
  if (priv->offerer && remote_answer == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("The offerer needs the peer’s answer to start"));
      g_object_unref (task);
      return;
    }
  _msrp_stream_set_state (stream, MSRP_STREAM_STATE_STARTING);

  if (priv->offerer)
    {
      const char *setup;

      _msrp_stream_set_remote_media (stream, remote_answer);
      if (!check_remote_media (stream, priv->remote_media, &error))
        {
          start_with_transport (task, NULL, error);
          return;
        }
      setup = msrp_sdp_media_get_setup (priv->remote_media);
      if (setup != NULL && g_ascii_strcasecmp (setup, "passive") == 0 && !become_active (stream, &error))
        {
          start_with_transport (task, NULL, error);
          return;
        }
    }

  remote_path = msrp_sdp_media_get_path (priv->remote_media);
  /* End to end only when both sides are direct. */
  if (priv->tls && priv->local_path->len == 1 && remote_path->len == 1)
    fingerprint = msrp_sdp_media_get_fingerprint (priv->remote_media);

  if (priv->server_uri != NULL)
    {
      msrp_server_complete_for_uri_async (priv->server, priv->server_uri, remote_path, fingerprint,
                                          cancellable, on_completed, task);
      return;
    }

  msrp_connector_set_peer_fingerprint (priv->connector, fingerprint);
  /* RFC 6714: with CEMA on both sides, connect where c= and m= say; but a
   * `;ws` first hop is a WebSocket URL, reached as its URI says. */
  if (priv->active && priv->relay == NULL && msrp_sdp_media_get_cema (priv->remote_media) &&
      msrp_sdp_media_get_connection_address (priv->remote_media) != NULL &&
      g_strcmp0 (msrp_uri_get_transport (g_ptr_array_index (remote_path, 0)), "ws") != 0)
    _msrp_connector_direct_set_address (MSRP_CONNECTOR_DIRECT (priv->connector),
                                        msrp_sdp_media_get_connection_address (priv->remote_media),
                                        msrp_sdp_media_get_port (priv->remote_media));
  msrp_connector_complete_async (priv->connector, remote_path, cancellable, on_completed, task);
}

/**
 * msrp_stream_start_finish:
 * @stream: a #MsrpStream
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes [method@Msrp.Stream.start_async].
 *
 * Returns: %TRUE when the stream runs, else %FALSE with @error set
 *
 * Since: 1.0
 */
gboolean
msrp_stream_start_finish (MsrpStream    *stream,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
