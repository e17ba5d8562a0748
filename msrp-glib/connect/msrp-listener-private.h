/* msrp-listener-private.h: the accepting side that MsrpServer, MsrpRelay
 * and MsrpAcceptorDirect share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Defaults of the limits (see msrp-listener.c). */
#define MSRP_LISTENER_FIRST_REQUEST_TIMEOUT 10
#define MSRP_LISTENER_MAX_PENDING 1000
#define MSRP_LISTENER_MAX_PENDING_PER_ADDRESS 32
#define MSRP_LISTENER_MAX_HANDSHAKES 16

/* A listening socket and its accept loop. A connection is "pending" from
 * its accept until its owner releases it (MsrpServer once it has read its
 * first request, MsrpRelay once it has authenticated): pending
 * connections are bounded in time, in number and per peer address, and
 * TLS handshakes are bounded in number. */
typedef struct _MsrpListener MsrpListener;
typedef struct _MsrpListenerConn MsrpListenerConn;
struct _MsrpServer;

/* The limits of pending connections, which MsrpServer and MsrpRelay keep
 * as properties of the same names and order for their listeners. */
typedef enum {
  MSRP_LISTENER_LIMIT_FIRST_REQUEST_TIMEOUT,   /* "first-request-timeout" */
  MSRP_LISTENER_LIMIT_MAX_PENDING,             /* "max-pending-connections" */
  MSRP_LISTENER_LIMIT_MAX_PENDING_PER_ADDRESS, /* "max-pending-per-address" */
  MSRP_LISTENER_N_LIMITS
} MsrpListenerLimit;

typedef struct {
  guint values[MSRP_LISTENER_N_LIMITS];
} MsrpListenerLimits;

typedef struct {
  /* A new connection, past its TLS handshake when the listener has a
   * certificate. The owner reads its first request (or more), then calls
   * _msrp_listener_conn_release(); it must release every connection it was
   * given exactly once, also when it closes it before. */
  void (*accepted)         (MsrpListenerConn *lconn,
                            GIOStream        *stream,
                            gpointer          user_data);
  /* The listener gives up on a connection handed out whose first request
   * has not come (timed out, or evicted for a newer one): the owner closes
   * it, and releases it. */
  void (*drop)             (MsrpListenerConn *lconn,
                            gpointer          conn_data,
                            const char       *reason,
                            gpointer          user_data);
  /* Optional: sets a TLS connection up before its handshake. */
  void (*tls_setup)        (GTlsConnection   *tls,
                            gpointer          user_data);
  /* Optional: a TLS handshake failed; the listener closes the connection. */
  void (*handshake_failed) (GTlsConnection   *tls,
                            const GError     *error,
                            gpointer          user_data);
} MsrpListenerFuncs;

/* Its sources and callbacks run in @context. */
MsrpListener *_msrp_listener_new                    (GMainContext            *context,
                                                     const MsrpListenerFuncs *funcs,
                                                     gpointer                 user_data);
MsrpListener *_msrp_listener_ref                    (MsrpListener            *listener);
void          _msrp_listener_unref                  (MsrpListener            *listener);
/* Binds the socket: on @address (an IP address, or NULL for every
 * address) and @port (0: any free port, stored in *real_port). */
gboolean      _msrp_listener_listen                 (MsrpListener            *listener,
                                                     const char              *address,
                                                     guint16                  port,
                                                     guint16                 *real_port,
                                                     GError                 **error);
/* Starts accepting. Until then, peers wait in the kernel's backlog. */
void          _msrp_listener_start                  (MsrpListener            *listener);
/* Closes the socket and every connection not handed out yet, and makes no
 * more calls to the owner. Connections handed out stay the owner's. */
void          _msrp_listener_stop                   (MsrpListener            *listener);

void          _msrp_listener_set_tls_certificate    (MsrpListener            *listener,
                                                     GTlsCertificate         *certificate);
void          _msrp_listener_set_limits             (MsrpListener            *listener,
                                                     const MsrpListenerLimits *limits);
void          _msrp_listener_set_max_handshakes     (MsrpListener            *listener,
                                                     guint                    max_handshakes);

/* For tests: pending connections, and TLS handshakes running; the
 * listener of a server (NULL before its first prepare). */
guint         _msrp_listener_get_n_pending          (MsrpListener            *listener);
guint         _msrp_listener_get_n_handshakes       (MsrpListener            *listener);
MsrpListener *_msrp_server_peek_listener            (struct _MsrpServer      *server);
/* For tests: the back-off of accepting when out of descriptors (100 ms
 * doubling to 2 s), and how many accepts failed for want of one. */
void          _msrp_listener_set_accept_backoff     (MsrpListener            *listener,
                                                     guint                    min_ms,
                                                     guint                    max_ms);
guint         _msrp_listener_get_n_out_of_fds       (MsrpListener            *listener);

/* What the owners of listeners share for their limit properties: the
 * defaults, their GParamSpecs in limit order (the docs stay with each
 * owner), and storing a value (FALSE when it had that value already, or
 * is out of the property's range: nothing to give the listeners nor to
 * notify). */
void          _msrp_listener_limits_init            (MsrpListenerLimits      *limits);
void          _msrp_listener_limits_make_param_specs (GParamSpec            **pspecs);
gboolean      _msrp_listener_limits_set             (MsrpListenerLimits      *limits,
                                                     MsrpListenerLimit        limit,
                                                     guint                    value);

void          _msrp_listener_conn_set_data          (MsrpListenerConn        *lconn,
                                                     gpointer                 conn_data);
/* The first request came, or the owner closed the connection: it is not
 * pending any more. */
void          _msrp_listener_conn_release           (MsrpListenerConn        *lconn);

/* Refuses a TLS connection below TLS 1.2 once its handshake is done. */
gboolean      _msrp_tls_check_protocol_version      (GTlsConnection          *tls,
                                                     GError                 **error);

/* The peer's address as a key for per-address limits: IPv4 addresses
 * whole (also when mapped into IPv6), IPv6 ones by /64, since a single host
 * may have a whole /64; "" when the connection has no IP peer. */
char *_msrp_listener_address_key (GSocketConnection *connection);
/* The same of a struct sockaddr of @len bytes. */
char *_msrp_listener_address_key_from_native (gconstpointer native,
                                              gsize         len);

G_END_DECLS
