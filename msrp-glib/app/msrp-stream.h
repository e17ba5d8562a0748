/* msrp-stream.h: the life cycle shared by chat, file transfer and tunnel
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include "msrp-version.h"
#include "msrp-types.h"
#include "msrp-uri.h"
#include "msrp-sdp-media.h"
#include "msrp-session.h"
#include "msrp-server.h"
#include "msrp-relay-settings.h"
#include "msrp-logger.h"

G_BEGIN_DECLS

/**
 * MsrpStreamState:
 * @MSRP_STREAM_STATE_NEW: made, not initialized yet
 * @MSRP_STREAM_STATE_INITIALIZING: [method@Msrp.Stream.initialize_async] runs
 * @MSRP_STREAM_STATE_INITIALIZED: the local media is ready for the SDP
 * @MSRP_STREAM_STATE_STARTING: [method@Msrp.Stream.start_async] runs
 * @MSRP_STREAM_STATE_STARTED: connected and bound: messages flow
 * @MSRP_STREAM_STATE_ENDING: [method@Msrp.Stream.end_async] runs
 * @MSRP_STREAM_STATE_ENDED: ended normally, by either side
 * @MSRP_STREAM_STATE_FAILED: ended by an error (see [signal@Msrp.Stream::failed])
 *
 * Where a [class@Msrp.Stream] is in its life cycle.
 *
 * Since: 1.0
 */
typedef enum {
  MSRP_STREAM_STATE_NEW,
  MSRP_STREAM_STATE_INITIALIZING,
  MSRP_STREAM_STATE_INITIALIZED,
  MSRP_STREAM_STATE_STARTING,
  MSRP_STREAM_STATE_STARTED,
  MSRP_STREAM_STATE_ENDING,
  MSRP_STREAM_STATE_ENDED,
  MSRP_STREAM_STATE_FAILED,
} MsrpStreamState;

#define MSRP_TYPE_STREAM (msrp_stream_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (MsrpStream, msrp_stream, MSRP, STREAM, GObject)

/**
 * MsrpStreamClass:
 * @parent_class: the parent class
 * @media_type: the SDP media of the stream ("message" for chat and file
 *   transfer, "application" for a tunnel)
 * @prepare_local_media: adds the stream's own attributes (accept-types,
 *   direction, file-selector, ...) to the local media; @remote_offer is the
 *   peer's offer when the stream answers, else %NULL. Returns %FALSE with
 *   @error set to refuse the offer.
 * @check_remote_media: checks the peer's media (the offer, or the answer
 *   to ours) before connecting; %FALSE with @error set to fail.
 * @accept_types: gives the content types the session accepts (a
 *   %NULL-terminated array owned by the stream)
 * @session_started: the session is up; the stream starts its work on it
 * @session_ending: the stream ends; called before the session is shut down
 *   (pending work may still go out)
 * @prepare_async: runs before the local media is made, for work the media
 *   needs (hashing a file); @remote_offer as for @prepare_local_media
 * @prepare_finish: finishes @prepare_async; %FALSE with @error set fails
 *   the initialization
 * @session_closed: the session closed, by the peer when @error is %NULL;
 *   returns %TRUE when the stream ends itself instead (it fails, or ends
 *   once its own work is done), %FALSE to end or fail as usual
 *
 * The virtual functions of [class@Msrp.Stream].
 *
 * Since: 1.0
 */
struct _MsrpStreamClass
{
  GObjectClass parent_class;

  const char *media_type;

  gboolean             (*prepare_local_media) (MsrpStream    *stream,
                                               MsrpSdpMedia  *local_media,
                                               MsrpSdpMedia  *remote_offer,
                                               GError       **error);
  gboolean             (*check_remote_media)  (MsrpStream    *stream,
                                               MsrpSdpMedia  *remote_media,
                                               GError       **error);
  const char * const * (*accept_types)        (MsrpStream    *stream);
  void                 (*session_started)     (MsrpStream    *stream,
                                               MsrpSession   *session);
  void                 (*session_ending)      (MsrpStream    *stream,
                                               MsrpSession   *session);
  void                 (*prepare_async)       (MsrpStream          *stream,
                                               MsrpSdpMedia        *remote_offer,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
  gboolean             (*prepare_finish)      (MsrpStream    *stream,
                                               GAsyncResult  *result,
                                               GError       **error);
  gboolean             (*session_closed)      (MsrpStream    *stream,
                                               MsrpSession   *session,
                                               const GError  *error);

  /*< private >*/
  gpointer padding[5];
};

MSRP_AVAILABLE_IN_ALL
void               msrp_stream_initialize_async   (MsrpStream          *stream,
                                                   MsrpSdpMedia        *remote_offer,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
MsrpSdpMedia      *msrp_stream_initialize_finish  (MsrpStream          *stream,
                                                   GAsyncResult        *result,
                                                   GError             **error);
MSRP_AVAILABLE_IN_ALL
void               msrp_stream_start_async        (MsrpStream          *stream,
                                                   MsrpSdpMedia        *remote_answer,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
gboolean           msrp_stream_start_finish       (MsrpStream          *stream,
                                                   GAsyncResult        *result,
                                                   GError             **error);
MSRP_AVAILABLE_IN_ALL
void               msrp_stream_end_async          (MsrpStream          *stream,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
MSRP_AVAILABLE_IN_ALL
gboolean           msrp_stream_end_finish         (MsrpStream          *stream,
                                                   GAsyncResult        *result,
                                                   GError             **error);

MSRP_AVAILABLE_IN_ALL
MsrpStreamState    msrp_stream_get_state          (MsrpStream          *stream);
MSRP_AVAILABLE_IN_ALL
MsrpSession       *msrp_stream_get_session        (MsrpStream          *stream);
MSRP_AVAILABLE_IN_ALL
MsrpSdpMedia      *msrp_stream_get_local_media    (MsrpStream          *stream);
MSRP_AVAILABLE_IN_ALL
MsrpSdpMedia      *msrp_stream_get_remote_media   (MsrpStream          *stream);
MSRP_AVAILABLE_IN_ALL
gboolean           msrp_stream_get_is_offerer     (MsrpStream          *stream);

MSRP_AVAILABLE_IN_ALL
MsrpRelaySettings *msrp_stream_get_relay          (MsrpStream          *stream);
MSRP_AVAILABLE_IN_ALL
void               msrp_stream_set_relay          (MsrpStream          *stream,
                                                   MsrpRelaySettings   *relay);
MSRP_AVAILABLE_IN_ALL
GTlsCertificate   *msrp_stream_get_tls_certificate (MsrpStream         *stream);
MSRP_AVAILABLE_IN_ALL
void               msrp_stream_set_tls_certificate (MsrpStream         *stream,
                                                    GTlsCertificate    *certificate);
MSRP_AVAILABLE_IN_ALL
gboolean           msrp_stream_get_use_tls        (MsrpStream          *stream);
MSRP_AVAILABLE_IN_ALL
void               msrp_stream_set_use_tls        (MsrpStream          *stream,
                                                   gboolean             use_tls);
MSRP_AVAILABLE_IN_ALL
MsrpServer        *msrp_stream_get_server         (MsrpStream          *stream);
MSRP_AVAILABLE_IN_ALL
void               msrp_stream_set_server         (MsrpStream          *stream,
                                                   MsrpServer          *server);
MSRP_AVAILABLE_IN_ALL
MsrpLogger        *msrp_stream_get_logger         (MsrpStream          *stream);
MSRP_AVAILABLE_IN_ALL
void               msrp_stream_set_logger         (MsrpStream          *stream,
                                                   MsrpLogger          *logger);
MSRP_AVAILABLE_IN_ALL
MsrpUri           *msrp_stream_get_local_uri      (MsrpStream          *stream);
MSRP_AVAILABLE_IN_ALL
void               msrp_stream_set_local_uri      (MsrpStream          *stream,
                                                   MsrpUri             *uri);

G_END_DECLS
