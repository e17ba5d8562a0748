/* msrp-connector-private.h: what the connectors share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-connector.h"
#include "msrp-logger.h"

G_BEGIN_DECLS

/* The properties of the MsrpConnector interface, in every implementation. */
enum {
  MSRP_CONNECTOR_PROP_LOGGER = 1,
  MSRP_CONNECTOR_PROP_TLS_CERTIFICATE,
  MSRP_CONNECTOR_PROP_PEER_FINGERPRINT,
  MSRP_CONNECTOR_PROP_USE_SESSMATCH,
  MSRP_CONNECTOR_PROP_TIMEOUT,
  MSRP_CONNECTOR_N_PROPS
};

typedef struct {
  MsrpLogger *logger;
  GTlsCertificate *tls_certificate;
  char *peer_fingerprint;
  gboolean use_sessmatch;
  guint timeout;
} MsrpConnectorSettings;

void     _msrp_connector_override_properties (GObjectClass          *klass);
void     _msrp_connector_settings_init       (MsrpConnectorSettings *settings);
void     _msrp_connector_settings_clear      (MsrpConnectorSettings *settings);
void     _msrp_connector_settings_get        (MsrpConnectorSettings *settings,
                                              guint                  prop_id,
                                              GValue                *value);
void     _msrp_connector_settings_set        (GObject               *object,
                                              MsrpConnectorSettings *settings,
                                              guint                  prop_id,
                                              const GValue          *value,
                                              GParamSpec            *pspec);
void     _msrp_connector_configure_transport (MsrpConnectorSettings *settings,
                                              MsrpTransport         *transport);

/* Checks the peer's certificate during the handshake: against
 * peer-fingerprint when set (a mismatch is stored in *mismatch, which must
 * stay valid while the connection lives), else through the connector's
 * accept-certificate signal, else only a certificate without errors. */
void     _msrp_connector_watch_tls           (MsrpConnector         *connector,
                                              MsrpConnectorSettings *settings,
                                              GTlsConnection        *tls,
                                              GError               **mismatch);

/* An operation bounded in time: its cancellable is cancelled by the
 * caller's cancellable and by a timer. */
typedef struct {
  GCancellable *cancellable;
  GCancellable *user;
  gulong handler;
  GSource *timer;
  gboolean timed_out;
} MsrpOperation;

void     _msrp_operation_start               (MsrpOperation         *op,
                                              GCancellable          *user,
                                              guint                  seconds,
                                              GMainContext          *context);
void     _msrp_operation_stop                (MsrpOperation         *op);
/* Turns a cancellation by the timer into the given timeout error. */
GError  *_msrp_operation_error               (MsrpOperation         *op,
                                              GError                *error,
                                              GQuark                 timeout_domain,
                                              gint                   timeout_code,
                                              const char            *timeout_message);

/* Turns Nagle's algorithm off on a new TCP connection, before TLS. */
void     _msrp_connector_set_no_delay        (GSocketConnection     *connection);

/* Binds a new connection to its session, on the active side: writes an
 * empty SEND (RFC 4975 section 8.1; no body: some peers fail on one) and
 * waits for its 2xx. A request from the peer first also means bound: it
 * is put back for the session. A refusal is an MSRP_TRANSACTION_ERROR. */
void     _msrp_connector_bind_async          (MsrpTransport         *transport,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);
gboolean _msrp_connector_bind_finish         (MsrpTransport         *transport,
                                              GAsyncResult          *result,
                                              GError               **error);

/* This machine's host name if it can go into a URI, else "localhost":
 * the host of a local URI that names no listening socket. */
const char *_msrp_connector_default_host    (void);

/* The peer's host and port from the first URI of a path. */
GSocketConnectable *_msrp_uri_to_connectable (MsrpUri               *uri);

G_END_DECLS
