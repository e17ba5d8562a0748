/* msrp-connector-private.h: what the connectors share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-connector.h"
#include "msrp-logger.h"

G_BEGIN_DECLS

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

/* What an implementation of MsrpConnector gets from the base class. */

/* The thread-default context when the connector was made. */
GMainContext *_msrp_connector_get_context    (MsrpConnector         *connector);

/* Starts one of the connector's operations: bounded by its timeout, and
 * cancelled by @user and by msrp_connector_cleanup(). */
void     _msrp_connector_start_operation     (MsrpConnector         *connector,
                                              MsrpOperation         *op,
                                              GCancellable          *user);

/* Gives a new transport the connector's logger and session matching. */
void     _msrp_connector_configure_transport (MsrpConnector         *connector,
                                              MsrpTransport         *transport);

/* Checks the peer's certificate during the handshake: against
 * peer-fingerprint when @check_fingerprint and it is set (a mismatch is
 * stored in *mismatch, which must stay valid while the connection lives),
 * else through the connector's accept-certificate signal, else only a
 * certificate without errors. */
void     _msrp_connector_watch_tls           (MsrpConnector         *connector,
                                              GTlsConnection        *tls,
                                              gboolean               check_fingerprint,
                                              GError               **mismatch);

/* The state of a complete operation, shared by the implementations: the
 * operation, the stream before it has a transport, the transport, and a
 * refused certificate. */
typedef struct {
  MsrpOperation op;
  GIOStream *stream;
  MsrpTransport *transport;
  GError *mismatch;
} MsrpConnecting;

void     _msrp_connecting_clear              (MsrpConnecting        *connecting);
/* The error to fail with: a refused certificate, the timeout error when the
 * timer stopped the operation, or @error. Takes @error. */
GError  *_msrp_connecting_error              (MsrpConnecting        *connecting,
                                              GError                *error,
                                              GQuark                 timeout_domain,
                                              gint                   timeout_code,
                                              const char            *timeout_message);
/* Ends @task (and drops the caller's reference) with the error as above,
 * closing what was opened. */
void     _msrp_connecting_fail               (GTask                 *task,
                                              MsrpConnecting        *connecting,
                                              GError                *error,
                                              GQuark                 timeout_domain,
                                              gint                   timeout_code,
                                              const char            *timeout_message);
/* Ends @task (and drops the caller's reference) with the transport. */
void     _msrp_connecting_done               (GTask                 *task,
                                              MsrpConnecting        *connecting);

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
