/* msrp-stream-tunnel.c: a byte stream carried over MSRP
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-stream-tunnel.h"
#include "msrp-stream-private.h"
#include "msrp-tunnel-io-stream-private.h"
#include "msrp-enums.h"
#include "msrp-error.h"
#include "msrp-session.h"
#include "msrp-utils-private.h"

/**
 * MsrpStreamTunnel:
 *
 * A byte stream carried over MSRP: the reference API's desktop sharing
 * (VNC as `application/x-rfb`), for any protocol. It follows the life
 * cycle of [class@Msrp.Stream]; its SDP media is `m=application ...
 * TCP/MSRP *` (or `TCP/TLS/MSRP`) with `a=accept-types:` the content type
 * it was made with, and `a=rfbsetup:active` or `passive` when
 * [property@Msrp.StreamTunnel:role] says which end of the tunnelled
 * protocol this side is. An answerer takes the role the offer leaves it.
 *
 * [method@Msrp.StreamTunnel.get_stream] gives a [class@Gio.IOStream]:
 *
 * - what is written to its output stream comes out of the peer's input
 *   stream, in order. It goes out in MSRP messages of one chunk each, of
 *   at most the session's chunk size (64 KiB on a direct connection),
 *   with `Success-Report: no` and `Failure-Report: partial`, as the
 *   reference sends VNC: a write goes out at once when nothing else is
 *   going out, and what is written meanwhile is gathered into the next
 *   message. A write completes once it is copied; while more than 1 MiB
 *   waits (the connection or the peer is behind), writes wait.
 * - the input stream returns what the peer wrote. When the application
 *   reads less than arrives, reading from the connection pauses once
 *   1 MiB waits, so the peer is slowed down by TCP instead of memory
 *   growing here.
 * - closing the output stream sends an empty message after what was
 *   written: the peer's input stream gives end-of-file (a half close, as
 *   TCP's; the peer may go on writing). When the stream ends, by either
 *   side, the input stream gives what had arrived, then end-of-file (or
 *   the error when it failed), and writes fail with
 *   %G_IO_ERROR_BROKEN_PIPE. Closing the GIOStream does not end the
 *   MSRP stream: [method@Msrp.Stream.end_async] does.
 *
 * Both streams are pollable and are used from the thread-default main
 * context the tunnel was made in: the asynchronous reads and writes of GIO
 * (and [method@Gio.IOStream.splice_async]) run there without threads. A
 * synchronous read or write that would have to wait fails with
 * %G_IO_ERROR_WOULD_BLOCK instead of blocking that main context.
 *
 * ```c
 * MsrpStreamTunnel *tunnel = msrp_stream_tunnel_new ("application/x-rfb");
 * msrp_stream_tunnel_set_role (tunnel, MSRP_TUNNEL_ROLE_PASSIVE);  // our screen
 * msrp_stream_initialize_async (MSRP_STREAM (tunnel), NULL, NULL, on_offer, NULL);
 * // ... once started:
 * g_io_stream_splice_async (msrp_stream_tunnel_get_stream (tunnel), vnc_connection, ...);
 * ```
 *
 * Since: 1.0
 */

struct _MsrpStreamTunnel
{
  MsrpStream parent_instance;

  char *content_type;
  char *accept_types[2];
  MsrpTunnelRole role;
  MsrpTunnelIOStream *io;
};

G_DEFINE_FINAL_TYPE (MsrpStreamTunnel, msrp_stream_tunnel, MSRP_TYPE_STREAM)

enum {
  PROP_0,
  PROP_CONTENT_TYPE,
  PROP_ROLE,
  PROP_IO_STREAM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
role_to_string (MsrpTunnelRole role)
{
  switch (role)
    {
    case MSRP_TUNNEL_ROLE_ACTIVE:
      return "active";
    case MSRP_TUNNEL_ROLE_PASSIVE:
      return "passive";
    case MSRP_TUNNEL_ROLE_NONE:
    default:
      return NULL;
    }
}

/* MsrpStream: media */

static gboolean
tunnel_prepare_local_media (MsrpStream    *stream,
                            MsrpSdpMedia  *local_media,
                            MsrpSdpMedia  *remote_offer,
                            GError       **error)
{
  MsrpStreamTunnel *self = MSRP_STREAM_TUNNEL (stream);
  const char *role = role_to_string (self->role);

  msrp_sdp_media_set_accept_types (local_media, (const char * const *) self->accept_types);
  if (role != NULL)
    msrp_sdp_media_add_attribute (local_media, "rfbsetup", role);
  return TRUE;
}

static gboolean
accepts (MsrpSdpMedia *media,
         const char   *content_type)
{
  const char * const *types = msrp_sdp_media_get_accept_types (media);

  if (types == NULL)
    return FALSE;
  for (guint i = 0; types[i] != NULL; i++)
    {
      if (strcmp (types[i], "*") == 0 || g_ascii_strcasecmp (types[i], content_type) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
tunnel_check_remote_media (MsrpStream    *stream,
                           MsrpSdpMedia  *remote,
                           GError       **error)
{
  MsrpStreamTunnel *self = MSRP_STREAM_TUNNEL (stream);
  const char *rfbsetup = msrp_sdp_media_get_attribute (remote, "rfbsetup");
  MsrpTunnelRole remote_role = MSRP_TUNNEL_ROLE_NONE;
  MsrpTunnelRole role;

  if (!accepts (remote, self->content_type))
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                   _("The peer’s media does not take “%s”"), self->content_type);
      return FALSE;
    }

  if (rfbsetup != NULL && g_ascii_strcasecmp (rfbsetup, "active") == 0)
    remote_role = MSRP_TUNNEL_ROLE_ACTIVE;
  else if (rfbsetup != NULL && g_ascii_strcasecmp (rfbsetup, "passive") == 0)
    remote_role = MSRP_TUNNEL_ROLE_PASSIVE;
  else if (rfbsetup != NULL)
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                   _("The peer’s media has an unknown a=rfbsetup “%s”"), rfbsetup);
      return FALSE;
    }
  else if (g_ascii_strcasecmp (self->content_type, "application/x-rfb") == 0)
    {
      /* What the reference takes a desktop sharing offer without it for. */
      remote_role = MSRP_TUNNEL_ROLE_ACTIVE;
    }
  if (remote_role == MSRP_TUNNEL_ROLE_NONE)
    return TRUE;

  role = remote_role == MSRP_TUNNEL_ROLE_ACTIVE ? MSRP_TUNNEL_ROLE_PASSIVE : MSRP_TUNNEL_ROLE_ACTIVE;
  if (self->role == MSRP_TUNNEL_ROLE_NONE)
    {
      self->role = role;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE]);
    }
  else if (self->role != role)
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                   _("Both sides of the tunnel want to be the %s side"), role_to_string (self->role));
      return FALSE;
    }
  return TRUE;
}

static const char * const *
tunnel_accept_types (MsrpStream *stream)
{
  return (const char * const *) MSRP_STREAM_TUNNEL (stream)->accept_types;
}

/* MsrpStream: the session */

static void
tunnel_session_started (MsrpStream  *stream,
                        MsrpSession *session)
{
  MsrpStreamTunnel *self = MSRP_STREAM_TUNNEL (stream);

  /* The reference's headers: no REPORTs, no 200s, only failures. */
  msrp_session_set_success_report (session, FALSE);
  msrp_session_set_failure_report (session, MSRP_FAILURE_REPORT_PARTIAL);
  _msrp_tunnel_io_stream_attach (self->io, session);
}

static void
tunnel_session_ending (MsrpStream  *stream,
                       MsrpSession *session)
{
  /* What was written goes out in the shutdown; new writes fail now. */
  _msrp_tunnel_io_stream_detach (MSRP_STREAM_TUNNEL (stream)->io, NULL);
}

static gboolean
tunnel_session_closed (MsrpStream   *stream,
                       MsrpSession  *session,
                       const GError *error)
{
  _msrp_tunnel_io_stream_detach (MSRP_STREAM_TUNNEL (stream)->io, error);
  return FALSE;
}

static void
on_failed (MsrpStreamTunnel *self,
           const GError     *error)
{
  _msrp_tunnel_io_stream_detach (self->io, error);
}

static void
on_ended (MsrpStreamTunnel *self)
{
  _msrp_tunnel_io_stream_detach (self->io, NULL);
}

/* GObject */

static void
msrp_stream_tunnel_dispose (GObject *object)
{
  MsrpStreamTunnel *self = MSRP_STREAM_TUNNEL (object);

  /* Pending flushes and closes finish; the stream may outlive us. */
  if (self->io != NULL)
    _msrp_tunnel_io_stream_detach (self->io, NULL);
  G_OBJECT_CLASS (msrp_stream_tunnel_parent_class)->dispose (object);
}

static void
msrp_stream_tunnel_finalize (GObject *object)
{
  MsrpStreamTunnel *self = MSRP_STREAM_TUNNEL (object);

  g_free (self->content_type);
  g_clear_object (&self->io);
  G_OBJECT_CLASS (msrp_stream_tunnel_parent_class)->finalize (object);
}

static void
msrp_stream_tunnel_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MsrpStreamTunnel *self = MSRP_STREAM_TUNNEL (object);

  switch (prop_id)
    {
    case PROP_CONTENT_TYPE:
      g_value_set_string (value, self->content_type);
      break;
    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;
    case PROP_IO_STREAM:
      g_value_set_object (value, self->io);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_stream_tunnel_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MsrpStreamTunnel *self = MSRP_STREAM_TUNNEL (object);

  switch (prop_id)
    {
    case PROP_CONTENT_TYPE:
      g_free (self->content_type);
      self->content_type = g_value_dup_string (value);
      break;
    case PROP_ROLE:
      msrp_stream_tunnel_set_role (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_stream_tunnel_constructed (GObject *object)
{
  MsrpStreamTunnel *self = MSRP_STREAM_TUNNEL (object);

  G_OBJECT_CLASS (msrp_stream_tunnel_parent_class)->constructed (object);
  if (self->content_type == NULL)
    self->content_type = g_strdup ("application/octet-stream");
  self->accept_types[0] = self->content_type;
  self->io = _msrp_tunnel_io_stream_new (self->content_type);
  g_signal_connect (self, "failed", G_CALLBACK (on_failed), NULL);
  g_signal_connect (self, "ended", G_CALLBACK (on_ended), NULL);
}

static void
msrp_stream_tunnel_init (MsrpStreamTunnel *self)
{
}

static void
msrp_stream_tunnel_class_init (MsrpStreamTunnelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  MsrpStreamClass *stream_class = MSRP_STREAM_CLASS (klass);

  object_class->constructed = msrp_stream_tunnel_constructed;
  object_class->dispose = msrp_stream_tunnel_dispose;
  object_class->finalize = msrp_stream_tunnel_finalize;
  object_class->get_property = msrp_stream_tunnel_get_property;
  object_class->set_property = msrp_stream_tunnel_set_property;

  stream_class->media_type = "application";
  stream_class->prepare_local_media = tunnel_prepare_local_media;
  stream_class->check_remote_media = tunnel_check_remote_media;
  stream_class->accept_types = tunnel_accept_types;
  stream_class->session_started = tunnel_session_started;
  stream_class->session_ending = tunnel_session_ending;
  stream_class->session_closed = tunnel_session_closed;

  /**
   * MsrpStreamTunnel:content-type:
   *
   * The content type of the tunnelled bytes: the media's only
   * `a=accept-types` and the Content-Type of every message
   * ("application/x-rfb" for VNC).
   *
   * Since: 1.0
   */
  properties[PROP_CONTENT_TYPE] =
    g_param_spec_string ("content-type", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpStreamTunnel:role:
   *
   * Which end of the tunnelled protocol this side is, as `a=rfbsetup`
   * says it: set it before the offer is made; an answerer takes the
   * opposite of the offer's.
   *
   * Since: 1.0
   */
  properties[PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL, MSRP_TYPE_TUNNEL_ROLE, MSRP_TUNNEL_ROLE_NONE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpStreamTunnel:io-stream:
   *
   * The byte stream: see [method@Msrp.StreamTunnel.get_stream].
   *
   * Since: 1.0
   */
  properties[PROP_IO_STREAM] =
    g_param_spec_object ("io-stream", NULL, NULL, G_TYPE_IO_STREAM,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/**
 * msrp_stream_tunnel_new:
 * @content_type: (nullable): the content type of the tunnelled bytes, such
 *   as "application/x-rfb" (VNC); %NULL for "application/octet-stream"
 *
 * Makes a tunnel; initialize and start it as any [class@Msrp.Stream].
 *
 * Returns: (transfer full): a new #MsrpStreamTunnel
 *
 * Since: 1.0
 */
MsrpStreamTunnel *
msrp_stream_tunnel_new (const char *content_type)
{
  return g_object_new (MSRP_TYPE_STREAM_TUNNEL, "content-type", content_type, NULL);
}

/**
 * msrp_stream_tunnel_get_stream:
 * @tunnel: a #MsrpStreamTunnel
 *
 * Gives the byte stream the tunnel carries: the same one for the tunnel's
 * life. Writes before the tunnel started wait for it; after it ended, the
 * input gives end-of-file and writes fail.
 *
 * Returns: (transfer none): the tunnel's #GIOStream
 *
 * Since: 1.0
 */
GIOStream *
msrp_stream_tunnel_get_stream (MsrpStreamTunnel *tunnel)
{
  g_return_val_if_fail (MSRP_IS_STREAM_TUNNEL (tunnel), NULL);

  return G_IO_STREAM (tunnel->io);
}

/**
 * msrp_stream_tunnel_get_content_type:
 * @tunnel: a #MsrpStreamTunnel
 *
 * Gets [property@Msrp.StreamTunnel:content-type].
 *
 * Returns: the content type of the tunnelled bytes
 *
 * Since: 1.0
 */
const char *
msrp_stream_tunnel_get_content_type (MsrpStreamTunnel *tunnel)
{
  g_return_val_if_fail (MSRP_IS_STREAM_TUNNEL (tunnel), NULL);

  return tunnel->content_type;
}

/**
 * msrp_stream_tunnel_get_role:
 * @tunnel: a #MsrpStreamTunnel
 *
 * Gets [property@Msrp.StreamTunnel:role].
 *
 * Returns: which end of the tunnelled protocol this side is
 *
 * Since: 1.0
 */
MsrpTunnelRole
msrp_stream_tunnel_get_role (MsrpStreamTunnel *tunnel)
{
  g_return_val_if_fail (MSRP_IS_STREAM_TUNNEL (tunnel), MSRP_TUNNEL_ROLE_NONE);

  return tunnel->role;
}

/**
 * msrp_stream_tunnel_set_role:
 * @tunnel: a #MsrpStreamTunnel
 * @role: which end of the tunnelled protocol this side is
 *
 * Sets [property@Msrp.StreamTunnel:role], before the tunnel is
 * initialized.
 *
 * Since: 1.0
 */
void
msrp_stream_tunnel_set_role (MsrpStreamTunnel *tunnel,
                             MsrpTunnelRole    role)
{
  g_return_if_fail (MSRP_IS_STREAM_TUNNEL (tunnel));
  g_return_if_fail (role <= MSRP_TUNNEL_ROLE_PASSIVE);

  if (tunnel->role == role)
    return;
  tunnel->role = role;
  g_object_notify_by_pspec (G_OBJECT (tunnel), properties[PROP_ROLE]);
}
