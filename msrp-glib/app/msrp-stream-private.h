/* msrp-stream-private.h: what the application streams share, and the
 * parts of MsrpStream
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * MsrpStream is split in two around this header: the object, its life
 * cycle and accessors (msrp-stream.c), and initialize and start: the media,
 * the roles and the connection (msrp-stream-setup.c). Subclasses use only
 * _msrp_stream_fail() and _msrp_stream_peer_ended().
 */

#pragma once

#include "msrp-stream.h"

G_BEGIN_DECLS

/* Ends the stream with @error (taken): the connection is closed, the state
 * becomes FAILED and MsrpStream::failed is emitted, once. */
void _msrp_stream_fail (MsrpStream *stream,
                        GError     *error);

/* Ends the stream as when the peer ended the session (will-end, then
 * ended), for a stream whose session_closed took over. */
void _msrp_stream_peer_ended (MsrpStream *stream);

/* The parts of MsrpStream */

typedef struct
{
  MsrpStreamState state;
  MsrpRelaySettings *relay;
  GTlsCertificate *tls_certificate;   /* the application's */
  gboolean use_tls;
  MsrpServer *server;
  MsrpLogger *logger;
  MsrpUri *local_uri;
  GMainContext *context;

  /* The connection, once initialize has begun */
  gboolean offerer;
  gboolean active;            /* we connect */
  gboolean tls;
  GTlsCertificate *certificate;       /* the one in use */
  MsrpConnector *connector;   /* NULL when the server is used */
  MsrpUri *server_uri;        /* the URI prepared on the server */
  GPtrArray *local_path;
  MsrpSdpMedia *local_media;
  MsrpSdpMedia *remote_media;
  MsrpSession *session;
  gulong closed_id;
} MsrpStreamPrivate;

MsrpStreamPrivate *_msrp_stream_get_private         (MsrpStream      *stream);
void               _msrp_stream_set_state           (MsrpStream      *stream,
                                                     MsrpStreamState  state);
/* Keeps a copy of @media as the peer's, and notifies it. */
void               _msrp_stream_set_remote_media    (MsrpStream      *stream,
                                                     MsrpSdpMedia    *media);
/* The local media is ready: INITIALIZED, MsrpStream::initialized. */
void               _msrp_stream_initialized         (MsrpStream      *stream,
                                                     MsrpSdpMedia    *local_media);
/* The connection is up: the session on @transport (taken) starts, the
 * subclass is told, MsrpStream::started. */
void               _msrp_stream_started             (MsrpStream      *stream,
                                                     MsrpTransport   *transport);

G_END_DECLS
