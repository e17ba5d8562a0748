/* msrp-uri-private.h: MsrpUri internals
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-uri.h"

G_BEGIN_DECLS

/* The URI as a string, cached in the object: no copy. */
const char *_msrp_uri_peek_string (MsrpUri *uri);

/* A path of one URI, and a copy of a path (NULL: an empty one); both own
 * their URIs. */
GPtrArray  *_msrp_path_new_single (MsrpUri   *uri);
GPtrArray  *_msrp_path_copy       (GPtrArray *path);

G_END_DECLS
