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

typedef struct _MsrpRelayLink MsrpRelayLink;

/* A local URI for a client behind a relay, which listens nowhere. */
MsrpUri       *_msrp_relay_default_local_uri   (MsrpRelaySettings     *settings);

MsrpRelayLink *_msrp_relay_link_ref            (MsrpRelayLink         *link);
void           _msrp_relay_link_unref          (MsrpRelayLink         *link);
/* Closes the session's transport unless it was handed out (a shared
 * connection stays for the others). */
void           _msrp_relay_link_close          (MsrpRelayLink         *link);

/* Use-Path followed by the local URI: the path for SDP. */
GPtrArray     *_msrp_relay_link_get_local_path (MsrpRelayLink         *link);
MsrpTransport *_msrp_relay_link_get_transport  (MsrpRelayLink         *link);
guint          _msrp_relay_link_get_expires    (MsrpRelayLink         *link);

/* Gives the transport its paths and its route through the relay, and keeps
 * the authorization fresh for as long as the transport lives. */
void           _msrp_relay_link_attach         (MsrpRelayLink         *link,
                                                GPtrArray             *full_remote_path);

/* Whether the link's session shares its connection to the relay. */
gboolean       _msrp_relay_link_is_shared      (MsrpRelayLink         *link);
/* The session bound through the relay failed with @error: a 403 to a
 * second session on a shared connection says that the relay will not
 * share it, and the connectors after get connections of their own. */
void           _msrp_relay_link_bind_failed    (MsrpTransport         *transport,
                                                const GError          *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsrpRelayLink, _msrp_relay_link_unref)

/* What MsrpConnectorRelay and MsrpAcceptorRelay share: prepare connects
 * and authenticates; the new link goes into *slot (in the connector),
 * replacing and closing any earlier one. */
void       _msrp_relay_link_prepare_async  (MsrpConnector        *connector,
                                            MsrpRelaySettings    *relay,
                                            MsrpRelayLink       **slot,
                                            MsrpUri              *local_uri,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
GPtrArray *_msrp_relay_link_prepare_finish (MsrpConnector        *connector,
                                            GAsyncResult         *result,
                                            GError              **error);
/* Closes the link in *slot unless it was handed out, and drops it. */
void       _msrp_relay_link_clear          (MsrpRelayLink       **slot);

/* The instance of MsrpConnectorRelay and of MsrpAcceptorRelay, which
 * differ only in how complete binds. */
typedef struct {
  MsrpConnector      parent_instance;

  MsrpRelaySettings *relay;
  MsrpRelayLink     *link;        /* from prepare until complete */
} MsrpRelayConnector;

/* Fills in what both classes do alike: finalize, their "relay" property
 * (its docs stay with each class), prepare, complete_finish and cleanup. */
void           _msrp_relay_connector_class_init (GObjectClass        *object_class);
/* The task of complete, or NULL (a programmer error) before a finished
 * prepare. */
GTask         *_msrp_relay_connector_complete_task (MsrpConnector       *connector,
                                                    const char          *name,
                                                    gpointer             source_tag,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);

G_END_DECLS
