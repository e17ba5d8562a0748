/* msrp-stream-tunnel.h: a byte stream carried over MSRP
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
#include "msrp-stream.h"

G_BEGIN_DECLS

/**
 * MsrpTunnelRole:
 * @MSRP_TUNNEL_ROLE_NONE: the media says nothing (no `a=rfbsetup`)
 * @MSRP_TUNNEL_ROLE_ACTIVE: this side runs the client of the tunnelled
 *   protocol (`a=rfbsetup:active`: the VNC viewer)
 * @MSRP_TUNNEL_ROLE_PASSIVE: this side runs the server of the tunnelled
 *   protocol (`a=rfbsetup:passive`: the VNC server, whose screen is shared)
 *
 * Which end of the tunnelled protocol a [class@Msrp.StreamTunnel] is, as
 * the reference's desktop sharing says it in SDP.
 *
 * Since: 1.0
 */
typedef enum {
  MSRP_TUNNEL_ROLE_NONE,
  MSRP_TUNNEL_ROLE_ACTIVE,
  MSRP_TUNNEL_ROLE_PASSIVE,
} MsrpTunnelRole;

#define MSRP_TYPE_STREAM_TUNNEL (msrp_stream_tunnel_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpStreamTunnel, msrp_stream_tunnel, MSRP, STREAM_TUNNEL, MsrpStream)

MSRP_AVAILABLE_IN_ALL
MsrpStreamTunnel *msrp_stream_tunnel_new              (const char       *content_type);

MSRP_AVAILABLE_IN_ALL
GIOStream        *msrp_stream_tunnel_get_stream       (MsrpStreamTunnel *tunnel);
MSRP_AVAILABLE_IN_ALL
const char       *msrp_stream_tunnel_get_content_type (MsrpStreamTunnel *tunnel);
MSRP_AVAILABLE_IN_ALL
MsrpTunnelRole    msrp_stream_tunnel_get_role         (MsrpStreamTunnel *tunnel);
MSRP_AVAILABLE_IN_ALL
void              msrp_stream_tunnel_set_role         (MsrpStreamTunnel *tunnel,
                                                       MsrpTunnelRole    role);

G_END_DECLS
