/* msrp-types.h: forward declarations of every msrp-glib type
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <glib.h>
#include "msrp-version.h"

G_BEGIN_DECLS

/* So that a header can name a type of another layer without including it. */

/* wire/ */
typedef struct _MsrpUri MsrpUri;
typedef struct _MsrpChunk MsrpChunk;
typedef struct _MsrpCpimMessage MsrpCpimMessage;
typedef struct _MsrpImdn MsrpImdn;
typedef struct _MsrpIsComposing MsrpIsComposing;
typedef struct _MsrpFileSelector MsrpFileSelector;
typedef struct _MsrpSdpMedia MsrpSdpMedia;

/* transport/ */
typedef struct _MsrpLogger MsrpLogger;
typedef struct _MsrpTransport MsrpTransport;

/* connect/ */
typedef struct _MsrpConnector MsrpConnector;
typedef struct _MsrpConnectorDirect MsrpConnectorDirect;
typedef struct _MsrpAcceptorDirect MsrpAcceptorDirect;
typedef struct _MsrpConnectorRelay MsrpConnectorRelay;
typedef struct _MsrpAcceptorRelay MsrpAcceptorRelay;
typedef struct _MsrpRelaySettings MsrpRelaySettings;
typedef struct _MsrpServer MsrpServer;

/* session/ */
typedef struct _MsrpSession MsrpSession;
typedef struct _MsrpOutgoingFile MsrpOutgoingFile;

/* relay/ */
typedef struct _MsrpRelay MsrpRelay;

typedef struct _MsrpStream MsrpStream;
typedef struct _MsrpChat MsrpChat;
typedef struct _MsrpChatMessage MsrpChatMessage;
typedef struct _MsrpFileTransfer MsrpFileTransfer;
typedef struct _MsrpStreamTunnel MsrpStreamTunnel;

G_END_DECLS
