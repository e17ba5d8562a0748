/* msrp-glib.h: the only header applications include
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>
#include <gio/gio.h>

#define __MSRP_GLIB_INSIDE__

#include "msrp-version.h"
#include "msrp-types.h"
#include "msrp-enums.h"
#include "msrp-error.h"
#include "msrp-uri.h"
#include "msrp-chunk.h"
#include "msrp-cpim-message.h"
#include "msrp-imdn.h"
#include "msrp-is-composing.h"
#include "msrp-file-selector.h"
#include "msrp-sdp-media.h"
#include "msrp-tls.h"
#include "msrp-logger.h"
#include "msrp-transport.h"
#include "msrp-connector.h"
#include "msrp-connector-direct.h"
#include "msrp-acceptor-direct.h"
#include "msrp-server.h"
#include "msrp-relay-settings.h"
#include "msrp-connector-relay.h"
#include "msrp-acceptor-relay.h"
#include "msrp-outgoing-file.h"
#include "msrp-session.h"
#include "msrp-relay.h"
#include "msrp-stream.h"
#include "msrp-chat-message.h"
#include "msrp-chat.h"
#include "msrp-file-transfer.h"
#include "msrp-stream-tunnel.h"

#undef __MSRP_GLIB_INSIDE__
