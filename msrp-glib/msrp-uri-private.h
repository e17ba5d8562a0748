/* msrp-uri-private.h: MsrpUri internals
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-uri.h"

G_BEGIN_DECLS

/* The URI as a string, cached in the object: no copy. */
const char *_msrp_uri_peek_string (MsrpUri *uri);

G_END_DECLS
