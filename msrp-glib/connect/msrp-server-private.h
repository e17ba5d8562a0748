/* msrp-server-private.h: what the parts of MsrpServer share
 *
 * MsrpServer is split along its seams: msrp-server.c is the GObject (its
 * properties, signal and public API: prepare, complete, cleanup), and
 * msrp-server-binding.c takes the incoming connections from the listener
 * to a session's transport: the binding SEND, its answer, the peer's
 * certificate and the timeouts of completes and connections.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-server.h"
#include "msrp-chunk.h"
#include "msrp-listener-private.h"
#include "msrp-transport.h"
#include "msrp-poller-private.h"
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _MsrpServerSession MsrpServerSession;
typedef struct _MsrpServerConn MsrpServerConn;
typedef struct _MsrpServerWaiter MsrpServerWaiter;

/* Connections that bound a URI before its complete may wait for it, but
 * only so many a URI and in all. */
#define MSRP_SERVER_MAX_PARKED_PER_SESSION 8
#define MSRP_SERVER_MAX_PARKED 1000

typedef enum {
  CONN_READING,
  CONN_PARKED,       /* bound a registered URI, waits for its complete */
  CONN_ANSWERING,    /* accepted, the 200 is being written */
  CONN_DONE,         /* closed, or handed out as a transport */
} MsrpServerConnState;

/* A connection that has not become a session's transport yet. */
struct _MsrpServerConn {
  guint ref_count;
  MsrpServer *server;        /* NULL once done */
  MsrpListenerConn *lconn;   /* until its binding SEND is read */
  MsrpServerConnState state;
  GIOStream *stream;
  MsrpTransport *transport;
  GCancellable *cancellable; /* the binding read */
  MsrpPollerTimer *timer;    /* bind-timeout from the accept */
  MsrpChunk *binding;
  MsrpServerSession *session; /* when parked or answering */
  char *ws_address;          /* a pending WebSocket connection's peer */
  GList ws_link;             /* in the server's ws_pending */
  GList ws_address_link;     /* in its address's queue */
};

/* A registered local URI. */
struct _MsrpServerSession {
  MsrpServer *server;
  MsrpUri *uri;
  GPtrArray *local_path;
  gboolean bound;            /* its transport was handed out */
  GQueue parked;             /* of MsrpServerConn, oldest first, each
                              * holding a reference */
  MsrpServerConn *conn;      /* answering; holds a reference */

  /* The pending complete */
  GTask *task;
  GPtrArray *expected;       /* the peer's full path, or NULL for anyone */
  char *fingerprint;
  MsrpPollerTimer *timer;
  GSource *cancel_source;
};

/* A complete_async with a remote path while several sessions wait: it
 * goes to whichever session a connection with that path binds. */
struct _MsrpServerWaiter {
  MsrpServer *server;
  GTask *task;
  GPtrArray *expected;       /* the peer's full path */
  MsrpPollerTimer *timer;
  GSource *cancel_source;
};

struct _MsrpServer
{
  GObject parent_instance;

  GMainContext *context;
  GCancellable *cancellable;   /* cancelled by dispose */
  MsrpListener *listener;
  char *listen_host;           /* the address listened on, NULL for all */
  guint16 listen_port;
  GHashTable *sessions;        /* session-id → MsrpServerSession */
  GQueue waiters;              /* of MsrpServerWaiter, oldest first */
  GHashTable *connections;     /* set of MsrpServerConn, each holding a
                                * reference */
  guint n_parked;              /* of them, in sessions' parked queues */
  /* WebSocket connections that have not sent their binding yet (those
   * over TCP are the listener's): oldest first, and by peer address. */
  GQueue ws_pending;
  GHashTable *ws_by_address;   /* address → GQueue of MsrpServerConn */

  guint bind_timeout;
  MsrpListenerLimits limits;  /* in the order of their properties */
  GTlsCertificate *tls_certificate;
  MsrpLogger *logger;
  gboolean use_sessmatch;
};

/* msrp-server.c */
MsrpServerSession *_msrp_server_lookup_session   (MsrpServer          *self,
                                                  MsrpUri             *uri);
/* Emits MsrpServer::accept-certificate: whether the peer may have the
 * session @local_uri names. */
gboolean           _msrp_server_accept_certificate (MsrpServer        *self,
                                                  GTlsCertificate     *peer,
                                                  GTlsCertificateFlags errors,
                                                  MsrpUri             *local_uri);

/* msrp-server-binding.c */
extern const MsrpListenerFuncs _msrp_server_listener_funcs;

void               _msrp_server_conn_unref       (MsrpServerConn      *conn);
void               _msrp_server_conn_drop        (MsrpServerConn      *conn,
                                                  const char          *reason);
void               _msrp_server_session_free     (gpointer             data);
void               _msrp_server_session_wait     (MsrpServerSession   *session,
                                                  GTask               *task,
                                                  GPtrArray           *expected,
                                                  const char          *fingerprint);
gboolean           _msrp_server_binding_matches  (MsrpServer          *self,
                                                  MsrpChunk           *binding,
                                                  GPtrArray           *expected);
/* A peer that came over a WebSocket: read for its binding SEND as a
 * connection of the listener is. */
void               _msrp_server_accept_websocket (MsrpServer          *self,
                                                  SoupWebsocketConnection *ws,
                                                  const char          *address);
/* Whether a connection parked on @session binds with @expected. */
gboolean           _msrp_server_session_has_parked (MsrpServerSession *session,
                                                  GPtrArray           *expected);
/* Queues a complete_async that waits for the peer with the full path
 * @expected to bind any waiting session. */
void               _msrp_server_add_waiter       (MsrpServer          *self,
                                                  GTask               *task,
                                                  GPtrArray           *expected);
void               _msrp_server_waiter_fail      (MsrpServerWaiter    *waiter,
                                                  GError              *error);

G_END_DECLS
