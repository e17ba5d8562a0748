/* msrp-acceptor-relay.c: the passive side through an RFC 4976 relay
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-acceptor-relay.h"
#include "msrp-connector-private.h"
#include "msrp-chunk-private.h"
#include "msrp-relay-client-private.h"
#include "msrp-transport-private.h"
#include "msrp-error.h"
#include "msrp-uri-private.h"
#include "msrp-utils-private.h"

/**
 * MsrpAcceptorRelay:
 *
 * The passive side of a session through an RFC 4976 relay.
 *
 * [method@Msrp.Connector.prepare_async] connects to the relay (the host of
 * the [class@Msrp.RelaySettings], or DNS SRV), authenticates with AUTH and
 * HTTP Digest, and returns the relay's Use-Path followed by the local URI:
 * the path to put in SDP. [method@Msrp.Connector.complete_async] waits for
 * the peer's first SEND to arrive through the relay and checks that its
 * From-Path ends with the peer's URI; an empty binding SEND is answered,
 * one with content is left for the session. The peer may be direct or
 * behind its own relay. While the transport lives, the authorization is
 * refreshed before its Expires runs out. As with [class@Msrp.ConnectorRelay],
 * sessions through the same relay share one connection and one AUTH.
 *
 * Sessions on such a transport send chunks of at most 8 KiB by default.
 * The relay's certificate is checked as for [class@Msrp.ConnectorRelay].
 *
 * ```c
 * g_autoptr(MsrpRelaySettings) relay =
 *   msrp_relay_settings_new ("example.com", "bob", "secret");
 * MsrpConnector *acceptor = msrp_acceptor_relay_new (relay);
 *
 * // prepare authenticates at the relay (found with DNS SRV for
 * // example.com); its path goes into our SDP's a=path
 * msrp_connector_prepare_async (acceptor, NULL, NULL, on_prepared, NULL);
 *
 * // later, with the peer's a=path (or NULL for whoever comes):
 * msrp_connector_complete_async (acceptor, remote_path, NULL, on_bound, NULL);
 * ```
 *
 * Since: 1.0
 */

struct _MsrpAcceptorRelay
{
  MsrpRelayConnector base;    /* alike MsrpConnectorRelay's */
};

G_DEFINE_FINAL_TYPE (MsrpAcceptorRelay, msrp_acceptor_relay, MSRP_TYPE_CONNECTOR)

static void
msrp_acceptor_relay_init (MsrpAcceptorRelay *self)
{
}

/**
 * msrp_acceptor_relay_new:
 * @relay: the relay to go through
 *
 * Makes a connector for the passive side of a session through @relay.
 *
 * Returns: (transfer full): a new #MsrpAcceptorRelay
 *
 * Since: 1.0
 */
MsrpConnector *
msrp_acceptor_relay_new (MsrpRelaySettings *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY_SETTINGS (relay), NULL);

  return g_object_new (MSRP_TYPE_ACCEPTOR_RELAY, "relay", relay, NULL);
}

/**
 * msrp_acceptor_relay_get_relay:
 * @acceptor: a #MsrpAcceptorRelay
 *
 * Gets [property@Msrp.AcceptorRelay:relay].
 *
 * Returns: (transfer none): the relay settings
 *
 * Since: 1.0
 */
MsrpRelaySettings *
msrp_acceptor_relay_get_relay (MsrpAcceptorRelay *acceptor)
{
  g_return_val_if_fail (MSRP_IS_ACCEPTOR_RELAY (acceptor), NULL);
  return acceptor->base.relay;
}

typedef struct {
  MsrpConnecting connecting;
  MsrpRelayLink *link;       /* until the peer is known (any peer) */
} Complete;

static void
complete_free (gpointer data)
{
  Complete *c = data;

  _msrp_connecting_clear (&c->connecting);
  _msrp_relay_link_clear (&c->link);
  g_free (c);
}

/* The peer's path as seen from here: its request's From-Path without the
 * relays of ours that put themselves in front (our route adds them back). */
static GPtrArray *
remote_path_from (MsrpRelayLink *link,
                  MsrpChunk     *request)
{
  GPtrArray *from = msrp_chunk_get_from_path (request);
  g_autoptr(GPtrArray) ours = _msrp_relay_link_get_local_path (link);
  GPtrArray *remote = g_ptr_array_new_with_free_func (g_object_unref);
  guint skip = 0;

  while (skip + 1 < from->len)
    {
      gboolean is_ours = FALSE;

      for (guint i = 0; i + 1 < ours->len && !is_ours; i++)
        is_ours = msrp_uri_equal (g_ptr_array_index (from, skip), g_ptr_array_index (ours, i));
      if (!is_ours)
        break;
      skip++;
    }
  for (guint i = skip; i < from->len; i++)
    g_ptr_array_add (remote, g_object_ref (g_ptr_array_index (from, i)));
  return remote;
}

static void
complete_fail (GTask  *task,
               GError *error)
{
  Complete *c = g_task_get_task_data (task);

  _msrp_connecting_fail (task, &c->connecting, error, MSRP_ERROR, MSRP_ERROR_BIND_TIMEOUT,
                         _("No MSRP peer bound the session in time"));
}

static void
complete_done (GTask *task)
{
  Complete *c = g_task_get_task_data (task);

  _msrp_connecting_done (task, &c->connecting);
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
  complete_done (task);
}

static void
on_first_request (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  Complete *c = g_task_get_task_data (task);
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
      /* A late answer to an AUTH, say: not the peer yet. */
      msrp_transport_read_chunk_async (c->connecting.transport, 0, c->connecting.op.cancellable, on_first_request, task);
      return;
    }

  if (c->link != NULL)
    {
      g_autoptr(GPtrArray) remote = NULL;

      if (msrp_chunk_get_from_path (chunk) == NULL)
        {
          /* Unframed junk: the transport answers 400 to what it can. */
          msrp_transport_read_chunk_async (c->connecting.transport, 0, c->connecting.op.cancellable, on_first_request, task);
          return;
        }
      remote = remote_path_from (c->link, chunk);
      _msrp_relay_link_attach (c->link, remote);
      g_clear_pointer (&c->link, _msrp_relay_link_unref);
    }

  if (strcmp (msrp_chunk_get_method (chunk), "SEND") != 0)
    {
      /* Whatever the peer sends first binds the session; the session
       * handles it. */
      _msrp_transport_unread (c->connecting.transport, chunk);
      complete_done (task);
      return;
    }

  if (!msrp_transport_check_incoming_send_chunk (c->connecting.transport, chunk, &error))
    {
      answer = msrp_transport_make_response (c->connecting.transport, chunk, error->code, NULL);
      msrp_transport_write_chunk_async (c->connecting.transport, answer, NULL, NULL, NULL);
      complete_fail (task, error);
      return;
    }

  if (_msrp_chunk_carries_content (chunk))
    {
      /* A first SEND with content is a message: the session answers it. */
      _msrp_transport_unread (c->connecting.transport, chunk);
      complete_done (task);
      return;
    }

  if (msrp_chunk_get_failure_report (chunk) != MSRP_FAILURE_REPORT_YES)
    {
      complete_done (task);
      return;
    }
  answer = msrp_transport_make_response (c->connecting.transport, chunk, MSRP_STATUS_OK, NULL);
  msrp_transport_write_chunk_async (c->connecting.transport, answer, c->connecting.op.cancellable, on_answer_written, task);
}

static void
acceptor_relay_complete_async (MsrpConnector       *connector,
                               GPtrArray           *full_remote_path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  MsrpRelayConnector *self = (MsrpRelayConnector *) connector;
  GTask *task;
  Complete *c;

  task = _msrp_relay_connector_complete_task (connector, "[msrp] relay acceptor complete",
                                              acceptor_relay_complete_async,
                                              cancellable, callback, user_data);
  if (task == NULL)
    return;
  c = g_new0 (Complete, 1);
  g_task_set_task_data (task, c, complete_free);

  _msrp_connector_start_operation (connector, &c->connecting.op, cancellable);

  c->connecting.transport = g_object_ref (_msrp_relay_link_get_transport (self->link));
  if (full_remote_path != NULL)
    {
      _msrp_relay_link_attach (self->link, full_remote_path);
      g_clear_pointer (&self->link, _msrp_relay_link_unref);
    }
  else
    /* Any peer: the first request tells who it is. */
    c->link = g_steal_pointer (&self->link);

  msrp_transport_read_chunk_async (c->connecting.transport, 0, c->connecting.op.cancellable, on_first_request, task);
}

static void
msrp_acceptor_relay_class_init (MsrpAcceptorRelayClass *klass)
{
  /**
   * MsrpAcceptorRelay:relay:
   *
   * The relay to go through.
   *
   * Since: 1.0
   */
  _msrp_relay_connector_class_init (G_OBJECT_CLASS (klass));
  MSRP_CONNECTOR_CLASS (klass)->complete_async = acceptor_relay_complete_async;
}
