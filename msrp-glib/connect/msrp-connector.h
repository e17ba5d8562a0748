/* msrp-connector.h: how a transport comes to exist
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include "msrp-version.h"
#include "msrp-uri.h"
#include "msrp-transport.h"
#include "msrp-logger.h"
#include "msrp-relay-settings.h"

G_BEGIN_DECLS

/**
 * MSRP_DEFAULT_TIMEOUT:
 *
 * The default of the connect, handshake and bind timeouts, in seconds (30).
 */
#define MSRP_DEFAULT_TIMEOUT 30

#define MSRP_TYPE_CONNECTOR (msrp_connector_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (MsrpConnector, msrp_connector, MSRP, CONNECTOR, GObject)

/**
 * MsrpConnectorClass:
 * @parent_class: the parent class
 * @prepare_async: starts [method@Msrp.Connector.prepare_async]
 * @prepare_finish: finishes it
 * @complete_async: starts [method@Msrp.Connector.complete_async]
 * @complete_finish: finishes it
 * @cleanup: releases what prepare set up, for
 *   [method@Msrp.Connector.cleanup] (the connector's own operations are
 *   already cancelled when it runs)
 *
 * The virtual functions of [class@Msrp.Connector].
 *
 * Since: 1.0
 */
struct _MsrpConnectorClass
{
  GObjectClass parent_class;

  void            (*prepare_async)   (MsrpConnector        *connector,
                                      MsrpUri              *local_uri,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
  GPtrArray      *(*prepare_finish)  (MsrpConnector        *connector,
                                      GAsyncResult         *result,
                                      GError              **error);
  void            (*complete_async)  (MsrpConnector        *connector,
                                      GPtrArray            *full_remote_path,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
  MsrpTransport  *(*complete_finish) (MsrpConnector        *connector,
                                      GAsyncResult         *result,
                                      GError              **error);
  void            (*cleanup)         (MsrpConnector        *connector);

  /*< private >*/
  gpointer padding[8];
};

MSRP_AVAILABLE_IN_ALL
void           msrp_connector_prepare_async   (MsrpConnector        *connector,
                                               MsrpUri              *local_uri,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
MSRP_AVAILABLE_IN_ALL
GPtrArray     *msrp_connector_prepare_finish  (MsrpConnector        *connector,
                                               GAsyncResult         *result,
                                               GError              **error);
MSRP_AVAILABLE_IN_ALL
void           msrp_connector_complete_async  (MsrpConnector        *connector,
                                               GPtrArray            *full_remote_path,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
MSRP_AVAILABLE_IN_ALL
MsrpTransport *msrp_connector_complete_finish (MsrpConnector        *connector,
                                               GAsyncResult         *result,
                                               GError              **error);
MSRP_AVAILABLE_IN_ALL
void           msrp_connector_cleanup         (MsrpConnector        *connector);


MSRP_AVAILABLE_IN_ALL
MsrpLogger      *msrp_connector_get_logger           (MsrpConnector   *connector);
MSRP_AVAILABLE_IN_ALL
void             msrp_connector_set_logger           (MsrpConnector   *connector,
                                                      MsrpLogger      *logger);
MSRP_AVAILABLE_IN_ALL
GTlsCertificate *msrp_connector_get_tls_certificate  (MsrpConnector   *connector);
MSRP_AVAILABLE_IN_ALL
void             msrp_connector_set_tls_certificate  (MsrpConnector   *connector,
                                                      GTlsCertificate *certificate);
MSRP_AVAILABLE_IN_ALL
const char      *msrp_connector_get_peer_fingerprint (MsrpConnector   *connector);
MSRP_AVAILABLE_IN_ALL
void             msrp_connector_set_peer_fingerprint (MsrpConnector   *connector,
                                                      const char      *fingerprint);
MSRP_AVAILABLE_IN_ALL
gboolean         msrp_connector_get_use_sessmatch    (MsrpConnector   *connector);
MSRP_AVAILABLE_IN_ALL
void             msrp_connector_set_use_sessmatch    (MsrpConnector   *connector,
                                                      gboolean         use_sessmatch);
MSRP_AVAILABLE_IN_ALL
guint            msrp_connector_get_timeout          (MsrpConnector   *connector);
MSRP_AVAILABLE_IN_ALL
void             msrp_connector_set_timeout          (MsrpConnector   *connector,
                                                      guint            seconds);

MSRP_AVAILABLE_IN_ALL
const char      *msrp_connector_get_websocket_path   (MsrpConnector   *connector);
MSRP_AVAILABLE_IN_ALL
void             msrp_connector_set_websocket_path   (MsrpConnector   *connector,
                                                      const char      *path);

MSRP_AVAILABLE_IN_ALL
MsrpConnector *msrp_get_connector             (MsrpRelaySettings    *relay);
MSRP_AVAILABLE_IN_ALL
MsrpConnector *msrp_get_acceptor              (MsrpRelaySettings    *relay);

G_END_DECLS
