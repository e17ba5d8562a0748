/* msrp-connector-relay.c: the active side through an RFC 4976 relay
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-connector-relay.h"
#include "msrp-connector-private.h"
#include "msrp-relay-client-private.h"
#include "msrp-transport-private.h"
#include "msrp-error.h"
#include "msrp-uri-private.h"
#include "msrp-utils-private.h"

/**
 * MsrpConnectorRelay:
 *
 * The active side of a session through an RFC 4976 relay.
 *
 * [method@Msrp.Connector.prepare_async] connects to the relay (the host of
 * the [class@Msrp.RelaySettings], or DNS SRV), authenticates with AUTH and
 * HTTP Digest, and returns the relay's Use-Path followed by the local URI:
 * the path to put in SDP. [method@Msrp.Connector.complete_async] then binds
 * the session with an empty SEND through the relay to the peer's path
 * (To-Path: our relay, then the peer's full path). The peer may be direct
 * or behind its own relay. While the transport lives, the authorization is
 * refreshed before its Expires runs out.
 *
 * Sessions through the same relay share one connection and one AUTH: a
 * connector whose settings match a live connection of its main context
 * uses it, with a URI of its own behind the same Use-Path (see
 * [property@Msrp.RelaySettings:share-connection]).
 *
 * Sessions on such a transport send chunks of at most 8 KiB by default:
 * some relays limit a whole frame to about 11 KB.
 *
 * The connector's [property@Msrp.Connector:peer-fingerprint] does not apply
 * (TLS ends at the relay); the relay's certificate is checked against its
 * name, with [property@Msrp.RelaySettings:tls-database] or the system's
 * database, or by a handler of [signal@Msrp.Connector::accept-certificate].
 *
 * ```c
 * g_autoptr(MsrpRelaySettings) relay =
 *   msrp_relay_settings_new ("example.com", "alice", "secret");
 * MsrpConnector *connector = msrp_connector_relay_new (relay);
 *
 * // the path from prepare (the relay's Use-Path, then our URI) goes into
 * // our SDP; complete then binds through the relay to the peer's a=path
 * msrp_connector_prepare_async (connector, NULL, NULL, on_prepared, NULL);
 * ```
 *
 * [func@Msrp.get_connector] makes one when given relay settings, and a
 * [class@Msrp.ConnectorDirect] without.
 *
 * Since: 1.0
 */

struct _MsrpConnectorRelay
{
  MsrpRelayConnector base;
};

G_DEFINE_FINAL_TYPE (MsrpConnectorRelay, msrp_connector_relay, MSRP_TYPE_CONNECTOR)

enum {
  PROP_0,
  PROP_RELAY,
  N_PROPS
};

/* Shared with MsrpAcceptorRelay, whose instance is alike. */

static void
relay_connector_finalize (GObject *object)
{
  MsrpRelayConnector *self = (MsrpRelayConnector *) object;

  _msrp_relay_link_clear (&self->link);
  g_clear_object (&self->relay);

  /* Both classes derive from MsrpConnector directly. */
  G_OBJECT_CLASS (g_type_class_peek (MSRP_TYPE_CONNECTOR))->finalize (object);
}

static void
relay_connector_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  MsrpRelayConnector *self = (MsrpRelayConnector *) object;

  if (prop_id == PROP_RELAY)
    g_value_set_object (value, self->relay);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
relay_connector_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  MsrpRelayConnector *self = (MsrpRelayConnector *) object;

  if (prop_id == PROP_RELAY)
    self->relay = g_value_dup_object (value);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
relay_connector_prepare_async (MsrpConnector       *connector,
                               MsrpUri             *local_uri,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  MsrpRelayConnector *self = (MsrpRelayConnector *) connector;

  _msrp_relay_link_prepare_async (connector, self->relay, &self->link, local_uri,
                                  cancellable, callback, user_data);
}

static MsrpTransport *
relay_connector_complete_finish (MsrpConnector *connector,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connector), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
relay_connector_cleanup (MsrpConnector *connector)
{
  _msrp_relay_link_clear (&((MsrpRelayConnector *) connector)->link);
}

void
_msrp_relay_connector_class_init (GObjectClass *object_class)
{
  MsrpConnectorClass *connector_class = MSRP_CONNECTOR_CLASS (object_class);

  object_class->finalize = relay_connector_finalize;
  object_class->get_property = relay_connector_get_property;
  object_class->set_property = relay_connector_set_property;

  connector_class->prepare_async = relay_connector_prepare_async;
  connector_class->prepare_finish = _msrp_relay_link_prepare_finish;
  connector_class->complete_finish = relay_connector_complete_finish;
  connector_class->cleanup = relay_connector_cleanup;

  g_object_class_install_property (object_class, PROP_RELAY,
    g_param_spec_object ("relay", NULL, NULL, MSRP_TYPE_RELAY_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
}

GTask *
_msrp_relay_connector_complete_task (MsrpConnector       *connector,
                                     const char          *name,
                                     gpointer             source_tag,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  MsrpRelayConnector *self = (MsrpRelayConnector *) connector;
  GTask *task;

  /* Programmer error: complete needs a finished prepare. */
  g_return_val_if_fail (self->link != NULL && _msrp_relay_link_get_transport (self->link) != NULL, NULL);

  task = g_task_new (connector, cancellable, callback, user_data);
  g_task_set_name (task, name);
  g_task_set_source_tag (task, source_tag);
  return task;
}

static void
msrp_connector_relay_init (MsrpConnectorRelay *self)
{
}

/**
 * msrp_connector_relay_new:
 * @relay: the relay to go through
 *
 * Makes a connector for the active side of a session through @relay.
 *
 * Returns: (transfer full): a new #MsrpConnectorRelay
 *
 * Since: 1.0
 */
MsrpConnector *
msrp_connector_relay_new (MsrpRelaySettings *relay)
{
  g_return_val_if_fail (MSRP_IS_RELAY_SETTINGS (relay), NULL);

  return g_object_new (MSRP_TYPE_CONNECTOR_RELAY, "relay", relay, NULL);
}

/**
 * msrp_connector_relay_get_relay:
 * @connector: a #MsrpConnectorRelay
 *
 * Gets [property@Msrp.ConnectorRelay:relay].
 *
 * Returns: (transfer none): the relay settings
 *
 * Since: 1.0
 */
MsrpRelaySettings *
msrp_connector_relay_get_relay (MsrpConnectorRelay *connector)
{
  g_return_val_if_fail (MSRP_IS_CONNECTOR_RELAY (connector), NULL);
  return connector->base.relay;
}

typedef struct {
  MsrpConnecting connecting;
} Complete;

static void
complete_free (gpointer data)
{
  Complete *c = data;

  _msrp_connecting_clear (&c->connecting);
  g_free (c);
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
      _msrp_relay_link_bind_failed (c->connecting.transport, error);
      _msrp_connecting_fail (task, &c->connecting, error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                             _("The MSRP relay did not answer in time"));
      return;
    }
  _msrp_connecting_done (task, &c->connecting);
}

static void
connector_relay_complete_async (MsrpConnector       *connector,
                                GPtrArray           *full_remote_path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  MsrpRelayConnector *self = (MsrpRelayConnector *) connector;
  GTask *task;
  Complete *c;

  task = _msrp_relay_connector_complete_task (connector, "[msrp] relay connector complete",
                                              connector_relay_complete_async,
                                              cancellable, callback, user_data);
  if (task == NULL)
    return;
  c = g_new0 (Complete, 1);
  g_task_set_task_data (task, c, complete_free);

  if (full_remote_path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _("The active side of a session needs the peer’s path"));
      g_object_unref (task);
      return;
    }

  _msrp_connector_start_operation (connector, &c->connecting.op, cancellable);

  c->connecting.transport = g_object_ref (_msrp_relay_link_get_transport (self->link));
  _msrp_relay_link_attach (self->link, full_remote_path);
  g_clear_pointer (&self->link, _msrp_relay_link_unref);

  _msrp_connector_bind_async (c->connecting.transport, c->connecting.op.cancellable, on_bound, task);
}

static void
msrp_connector_relay_class_init (MsrpConnectorRelayClass *klass)
{
  /**
   * MsrpConnectorRelay:relay:
   *
   * The relay to go through.
   *
   * Since: 1.0
   */
  _msrp_relay_connector_class_init (G_OBJECT_CLASS (klass));
  MSRP_CONNECTOR_CLASS (klass)->complete_async = connector_relay_complete_async;
}
