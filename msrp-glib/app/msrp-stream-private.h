/* msrp-stream-private.h: what the application streams share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
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

G_END_DECLS
