/* msrp-relay-private.h: what the parts of MsrpRelay share
 *
 * MsrpRelay is split along its seams: msrp-relay.c is the GObject (its
 * properties, signal and public API), msrp-relay-auth.c makes and ends
 * sessions (AUTH and Digest), msrp-relay-forward.c routes requests and
 * their responses, and msrp-relay-connections.c holds the connections and
 * the listening sockets.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-relay.h"
#include "msrp-chunk.h"
#include "msrp-error.h"
#include "msrp-listener-private.h"
#include "msrp-poller-private.h"
#include "msrp-transport.h"
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Bytes counted for the start line, headers and end-line of a chunk. */
#define MSRP_RELAY_WRITE_OVERHEAD 512

/* The types named only in comments here (Pending, QueuedPiece, PeerKey,
 * RouteMemo, Nonce, Failures) are private to the part that uses them, and so is the
 * inside of a route (a request being forwarded). */
typedef struct _MsrpRelayConn MsrpRelayConn;
typedef struct _MsrpRelayRoute MsrpRelayRoute;

/* A listening socket of the relay. */
typedef struct {
  guint ref_count;
  MsrpRelay *relay;            /* NULL once stopped */
  MsrpListener *helper;
  MsrpUri *uri;
  /* A WebSocket listener (RFC 7977): the connections its helper accepts
   * are upgraded by this server, and wait in @upgrading until then. */
  SoupServer *soup;
  GHashTable *upgrading;       /* peer address → MsrpRelayConn */
} MsrpRelayListener;

/* A session a client holds on the relay. */
typedef struct {
  MsrpRelay *relay;
  const char *id;              /* uri's session-id */
  MsrpUri *uri;
  char *username;
  MsrpRelayConn *conn;         /* the connection that authenticated it */
  MsrpPollerTimer *timer;      /* expiry, on the context's timer queue */
  MsrpUri *endpoint;           /* the one client URI it serves, when the
                                * relay gives a session to one endpoint */
} MsrpRelaySession;

typedef enum {
  MSRP_RELAY_CONN_CONNECTING,  /* outgoing, no transport yet */
  MSRP_RELAY_CONN_OPEN,
  MSRP_RELAY_CONN_CLOSED,
} MsrpRelayConnState;

struct _MsrpRelayConn {
  guint ref_count;
  MsrpRelay *relay;            /* NULL once closed */
  MsrpRelayConnState state;
  MsrpRelayListener *listener; /* incoming connections */
  MsrpListenerConn *lconn;     /* incoming, until admitted */
  char *key;                   /* outgoing connections */
  MsrpUri *next_hop;           /* outgoing connections */
  GIOStream *stream;
  MsrpTransport *transport;
  GCancellable *cancellable;   /* outgoing connections */
  MsrpPollerTimer *timer;      /* connect timeout */
  gboolean busy;               /* connecting: the callback closes */
  gboolean reading;
  gboolean paths_set;
  gsize queued;                /* bytes handed to the transport, not written yet */
  gsize forwarded;             /* of them, other connections' requests */
  MsrpRelayConn *held_next;    /* in the relay's list of held writes */
  gboolean held;               /* its writes are held back (see MsrpRelay.held) */
  MsrpRelayConn *blocked_on;   /* reading waits for its queue to drain */
  GPtrArray *waiters;          /* connections blocked on this one */
  MsrpRelayConn *last_out;     /* where the last request went */
  GQueue connect_queue;        /* of QueuedPiece */
  GPtrArray *sessions;         /* of MsrpRelaySession, owned by the relay */
  GHashTable *pending;         /* tid → Pending */
  GQueue pending_order;
  guint n_sent_pending;        /* of its requests, those pending on other connections */
  MsrpPollerTimer *pending_timer;
  MsrpRelayRoute *cur;         /* the chunk whose pieces are being read */
  gpointer route_memo;         /* RouteMemo: where its last request went */
  GPtrArray *peer_uris;        /* of PeerKey: the routes it taught (keys of by_peer) */
  MsrpPollerTimer *idle_timer; /* closes it when idle and owning no session */
  gint64 last_activity;        /* monotonic time of its last read or write */

  /* Password guessing */
  guint64 serial;              /* binds the nonces issued on it */
  GQueue nonces;               /* of the relay's answered Nonces issued on it */
  guint auth_failures;
  char *peer_address;          /* "" when unknown */
  GSource *auth_delay;         /* reading waits until the answer is sent */
  MsrpChunk *parked;           /* an AUTH waiting until its user or address may be judged */
  gpointer parked_on;          /* the failure record it waits on */
  GList park_link;
  gboolean auth_turn;          /* its parked AUTH is first in line */
  MsrpChunk *delayed_answer;
  gboolean close_after_answer;
};

struct _MsrpRelay
{
  GObject parent_instance;

  GMainContext *context;
  char *realm;
  GTlsCertificate *tls_certificate;
  guint min_expires;
  guint max_expires;
  guint default_expires;
  guint response_timeout;
  guint idle_timeout;
  MsrpListenerLimits limits;   /* in the order of their properties */
  MsrpLogger *logger;

  GPtrArray *listeners;        /* of MsrpRelayListener */
  /* While a read's chunks are forwarded, the writes they make are held
   * back, to go out in one write a connection at the end (the list holds
   * a reference on each). */
  gboolean holding;
  MsrpRelayConn *held;
  GHashTable *connections;     /* set of MsrpRelayConn, each holding a reference */
  GHashTable *outgoing;        /* key → MsrpRelayConn */
  GHashTable *by_peer;         /* PeerKey → the MsrpRelayConn it came on */
  GHashTable *sessions;        /* session-id → MsrpRelaySession */
  guint64 route_generation;    /* changes with what routes depend on */
  GHashTable *user_sessions;   /* username → number of sessions */
  GHashTable *failures;        /* key → Failures */
  GQueue failure_order;        /* of Failures, the oldest failure first */
  guint max_auth_failures;
  guint auth_delay_base_ms;    /* the delays of failed AUTHs */
  guint auth_delay_max_ms;
  guint max_sessions_per_connection;
  guint max_sessions_per_user;
  gboolean one_endpoint_per_session;
  GHashTable *users;           /* username → password */
  guint8 nonce_key[32];        /* nonces are MACs with it, so the relay keeps none */
  gint64 nonce_floor;          /* answered nonces issued before are forgotten */
  guint64 next_serial;
  GHashTable *nonces;          /* value → Nonce, for the answered ones */
  GQueue nonce_order;
};

/* A session or a route to a previous hop came or went, or a connection
 * closed: the routes remembered for requests are decided anew. */
static inline void
_msrp_relay_routes_changed (MsrpRelay *self)
{
  self->route_generation++;
}

/* msrp-relay.c */

/* Asks the users added, then the lookup-password handlers. */
char             *_msrp_relay_lookup_password     (MsrpRelay          *self,
                                                   const char         *username);
void              _msrp_relay_notify_n_sessions   (MsrpRelay          *self);
/* For tests: the delay after the second failed AUTH of a user or an
 * address, which doubles with each failure up to @max_ms. */
void              _msrp_relay_set_auth_delays     (MsrpRelay          *self,
                                                   guint               base_ms,
                                                   guint               max_ms);

/* For tests: each session serves the first client URI that uses it, and
 * requests from or to another client URI through it get 403, as a relay
 * that binds its session to one endpoint does: clients that share a
 * session among their own sessions must open another. */
void              _msrp_relay_set_one_endpoint_per_session (MsrpRelay *self,
                                                            gboolean   one);

/* msrp-relay-connections.c */

void              _msrp_relay_connections_init    (MsrpRelay          *self);
/* Callbacks run with the relay's context as the thread-default one, so
 * that the transports, connections and tasks they make complete there.
 * Both take NULL (a relay that stopped). */
GMainContext     *_msrp_relay_push_context        (MsrpRelay          *self);
void              _msrp_relay_pop_context         (GMainContext       *context);
/* Names @timer and attaches it to the relay's context; the caller keeps
 * its reference. Clearing destroys a timer, if there is one, and drops it. */
void              _msrp_relay_timer_attach        (MsrpRelay          *self,
                                                   GSource            *timer,
                                                   const char         *name,
                                                   GSourceFunc         func,
                                                   gpointer            data);
void              _msrp_relay_timer_clear         (GSource           **timer);

/* The body of msrp_relay_listen() once its arguments are checked. */
MsrpUri          *_msrp_relay_listen              (MsrpRelay          *self,
                                                   const char         *host,
                                                   guint16             port,
                                                   gboolean            use_tls,
                                                   GError            **error);
/* The body of msrp_relay_listen_websocket() once its arguments are
 * checked. */
MsrpUri          *_msrp_relay_listen_websocket    (MsrpRelay          *self,
                                                   const char         *host,
                                                   guint16             port,
                                                   gboolean            use_tls,
                                                   GError            **error);
/* The URI a session made on @listener gets, without its session-id: for
 * a WebSocket listener, that of a TCP listener (TCP peers reach its
 * clients there), the same scheme first. */
MsrpUri          *_msrp_relay_session_base_uri    (MsrpRelay          *self,
                                                   MsrpRelayListener  *listener);
/* Gives the listener limits to every listening socket. */
void              _msrp_relay_apply_limits        (MsrpRelay          *self);

MsrpRelayConn    *_msrp_relay_conn_ref            (MsrpRelayConn      *conn);
void              _msrp_relay_conn_unref          (MsrpRelayConn      *conn);
void              _msrp_relay_conn_close          (MsrpRelayConn      *conn,
                                                   const char         *reason);
/* An incoming connection proved itself: it authenticated a session, or
 * reached one (its unguessable session-id). Until then the listener's
 * limits of pending connections bound it. */
void              _msrp_relay_conn_admit          (MsrpRelayConn      *conn);
/* Reads the next chunk, unless a write queue is too long. */
void              _msrp_relay_conn_continue       (MsrpRelayConn      *conn);
/* The TCP connection under the connection's stream (TLS or not), or
 * NULL when there is none. */
GSocketConnection *_msrp_relay_conn_get_socket    (MsrpRelayConn      *conn);
/* Hands a chunk to the connection's write queue; FALSE once it closed. */
gboolean          _msrp_relay_conn_write          (MsrpRelayConn      *conn,
                                                   MsrpChunk          *chunk);
/* The same for a request forwarded from another connection. */
gboolean          _msrp_relay_conn_forward        (MsrpRelayConn      *conn,
                                                   MsrpChunk          *chunk);
/* The connection to the host, port and scheme of @uri: open, or being
 * opened. */
MsrpRelayConn    *_msrp_relay_get_outgoing        (MsrpRelay          *self,
                                                   MsrpUri            *uri);

/* msrp-relay-auth.c */

void              _msrp_relay_auth_init           (MsrpRelay          *self);
/* An AUTH to the relay itself: a new session, or a refresh. */
void              _msrp_relay_handle_auth         (MsrpRelayConn      *conn,
                                                   MsrpChunk          *request);
/* A session of this relay that @uri names, by session-id; with
 * @check_port, only if the port is that of the session's listener. */
MsrpRelaySession *_msrp_relay_lookup_session      (MsrpRelay          *self,
                                                   MsrpUri            *uri,
                                                   gboolean            check_port);
/* Ends the sessions of a closing connection and drops its delayed answer;
 * TRUE when it had sessions. */
gboolean          _msrp_relay_auth_conn_closed    (MsrpRelay          *self,
                                                   MsrpRelayConn      *conn);

/* msrp-relay-forward.c */

void              _msrp_relay_forward_init        (MsrpRelay          *self);
void              _msrp_relay_peer_key_free       (gpointer            data);
/* The response to @request, one hop back: To-Path the previous hop,
 * From-Path the URI the request addressed. */
MsrpChunk        *_msrp_relay_make_response       (MsrpChunk          *request,
                                                   guint               code,
                                                   const char         *comment);
/* Answers @request with @code, if its method and Failure-Report want it. */
void              _msrp_relay_conn_respond        (MsrpRelayConn      *conn,
                                                   MsrpChunk          *request,
                                                   guint               code,
                                                   const char         *comment);
void              _msrp_relay_handle_request      (MsrpRelayConn      *conn,
                                                   MsrpChunk          *chunk);
/* A response from a next hop. */
void              _msrp_relay_handle_response     (MsrpRelayConn      *conn,
                                                   MsrpChunk          *response);
/* An outgoing connection opened: the pieces that waited for it go. */
void              _msrp_relay_send_queued         (MsrpRelayConn      *conn);
/* Forgets the routes a closing connection taught, and fails what waited
 * for it or for a response on it. */
void              _msrp_relay_forward_conn_closed (MsrpRelay          *self,
                                                   MsrpRelayConn      *conn);
/* Its transport has given back what it held for reading. */
void              _msrp_relay_forward_conn_idle   (MsrpRelayConn      *conn);

G_END_DECLS
