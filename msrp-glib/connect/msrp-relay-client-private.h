/* msrp-relay-client-private.h: a connection to an RFC 4976 relay, shared by
 * MsrpConnectorRelay and MsrpAcceptorRelay
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-connector-private.h"
#include "msrp-relay-settings.h"
#include "msrp-transport.h"

G_BEGIN_DECLS

/* The chunk size through relays: some limit a frame to about 11 KB. */
#define MSRP_RELAY_CHUNK_SIZE 8192

typedef struct _MsrpRelayLink MsrpRelayLink;

/* Connects to the relay (host, or DNS SRV), authenticates with AUTH and
 * Digest, and gets the Use-Path; bounded by the connector's timeout. */
void           _msrp_relay_link_new_async      (MsrpRelaySettings     *settings,
                                                MsrpConnector         *connector,
                                                MsrpConnectorSettings *connector_settings,
                                                MsrpUri               *local_uri,
                                                GCancellable          *cancellable,
                                                GCancellable          *cleanup,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);
MsrpRelayLink *_msrp_relay_link_new_finish     (GAsyncResult          *result,
                                                GError               **error);

/* A local URI for a client behind a relay, which listens nowhere. */
MsrpUri       *_msrp_relay_default_local_uri   (MsrpRelaySettings     *settings);

MsrpRelayLink *_msrp_relay_link_ref            (MsrpRelayLink         *link);
void           _msrp_relay_link_unref          (MsrpRelayLink         *link);
/* Closes the connection unless it was handed out. */
void           _msrp_relay_link_close          (MsrpRelayLink         *link);

/* Use-Path followed by the local URI: the path for SDP. */
GPtrArray     *_msrp_relay_link_get_local_path (MsrpRelayLink         *link);
MsrpTransport *_msrp_relay_link_get_transport  (MsrpRelayLink         *link);
guint          _msrp_relay_link_get_expires    (MsrpRelayLink         *link);

/* Gives the transport its paths and its route through the relay, and keeps
 * the authorization fresh for as long as the transport lives. */
void           _msrp_relay_link_attach         (MsrpRelayLink         *link,
                                                GPtrArray             *full_remote_path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsrpRelayLink, _msrp_relay_link_unref)

/* What MsrpConnectorRelay and MsrpAcceptorRelay share: their settings, the
 * relay, and the link that prepare makes and complete uses. */
typedef struct {
  MsrpConnectorSettings settings;
  MsrpRelaySettings *relay;
  GMainContext *context;
  MsrpRelayLink *link;
  GCancellable *cancellable;  /* cancelled by cleanup */
} MsrpRelayEndpoint;

/* The "relay" property, after the MsrpConnector ones. */
#define MSRP_RELAY_ENDPOINT_PROP_RELAY MSRP_CONNECTOR_N_PROPS

void       _msrp_relay_endpoint_init                (MsrpRelayEndpoint    *endpoint);
void       _msrp_relay_endpoint_clear               (MsrpRelayEndpoint    *endpoint);
/* Overrides the MsrpConnector properties and installs "relay". */
void       _msrp_relay_endpoint_install_properties  (GObjectClass         *klass);
void       _msrp_relay_endpoint_get_property        (MsrpRelayEndpoint    *endpoint,
                                                     guint                 prop_id,
                                                     GValue               *value);
void       _msrp_relay_endpoint_set_property        (GObject              *object,
                                                     MsrpRelayEndpoint    *endpoint,
                                                     guint                 prop_id,
                                                     const GValue         *value,
                                                     GParamSpec           *pspec);
/* prepare: connects and authenticates; the link replaces any earlier one. */
void       _msrp_relay_endpoint_prepare_async       (MsrpConnector        *connector,
                                                     MsrpRelayEndpoint    *endpoint,
                                                     MsrpUri              *local_uri,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GPtrArray *_msrp_relay_endpoint_prepare_finish      (MsrpConnector        *connector,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void       _msrp_relay_endpoint_cleanup             (MsrpRelayEndpoint    *endpoint);

G_END_DECLS
