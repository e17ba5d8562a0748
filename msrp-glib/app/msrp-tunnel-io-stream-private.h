/* msrp-tunnel-io-stream-private.h: the GIOStream of an MsrpStreamTunnel
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include "msrp-session.h"

G_BEGIN_DECLS

/* Bytes that came and were not read yet: reading from the connection
 * pauses above HIGH and resumes below LOW. */
#define MSRP_TUNNEL_INPUT_HIGH (1024 * 1024)
#define MSRP_TUNNEL_INPUT_LOW (256 * 1024)
/* Bytes written and not taken by the session yet: writes wait above. */
#define MSRP_TUNNEL_OUTPUT_HIGH (1024 * 1024)

#define MSRP_TYPE_TUNNEL_IO_STREAM (_msrp_tunnel_io_stream_get_type ())
G_DECLARE_FINAL_TYPE (MsrpTunnelIOStream, _msrp_tunnel_io_stream, MSRP, TUNNEL_IO_STREAM, GIOStream)

MsrpTunnelIOStream *_msrp_tunnel_io_stream_new    (const char         *content_type);

/* The session is up: writes go out on it, and what it receives comes out
 * of the input stream. */
void                _msrp_tunnel_io_stream_attach (MsrpTunnelIOStream *stream,
                                                   MsrpSession        *session);
/* The session is gone (or going): reads give what is left, then EOF, or
 * @error when it is set; writes fail. */
void                _msrp_tunnel_io_stream_detach (MsrpTunnelIOStream *stream,
                                                   const GError       *error);

/* For tests: the most ever buffered on each side. */
gsize               _msrp_tunnel_io_stream_get_max_buffered (MsrpTunnelIOStream *stream);
gsize               _msrp_tunnel_io_stream_get_max_queued   (MsrpTunnelIOStream *stream);

G_END_DECLS
