/* msrp-transport-private.h: MsrpTransport internals for connectors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-transport.h"

G_BEGIN_DECLS

/* Puts a chunk back: the next read returns it first. */
void _msrp_transport_unread (MsrpTransport *transport,
                             MsrpChunk     *chunk);

G_END_DECLS
