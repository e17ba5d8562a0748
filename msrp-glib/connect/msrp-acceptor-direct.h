/* msrp-acceptor-direct.h: the passive side of a direct connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include "msrp-connector.h"

G_BEGIN_DECLS

#define MSRP_TYPE_ACCEPTOR_DIRECT (msrp_acceptor_direct_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpAcceptorDirect, msrp_acceptor_direct, MSRP, ACCEPTOR_DIRECT, MsrpConnector)

MSRP_AVAILABLE_IN_ALL
MsrpConnector *msrp_acceptor_direct_new       (void);

G_END_DECLS
