/* msrp-connector-direct.h: the active side of a direct connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include "msrp-connector.h"

G_BEGIN_DECLS

#define MSRP_TYPE_CONNECTOR_DIRECT (msrp_connector_direct_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpConnectorDirect, msrp_connector_direct, MSRP, CONNECTOR_DIRECT, MsrpConnector)

MSRP_AVAILABLE_IN_ALL
MsrpConnector *msrp_connector_direct_new      (void);

G_END_DECLS
