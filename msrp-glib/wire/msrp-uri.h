/* msrp-uri.h: msrp: and msrps: URIs, and paths
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <glib-object.h>
#include "msrp-version.h"

G_BEGIN_DECLS

/**
 * MSRP_DEFAULT_PORT:
 *
 * The port MSRP uses when a URI names none (2855).
 */
#define MSRP_DEFAULT_PORT 2855

#define MSRP_TYPE_URI (msrp_uri_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpUri, msrp_uri, MSRP, URI, GObject)

MSRP_AVAILABLE_IN_ALL
MsrpUri      *msrp_uri_new            (const char *host,
                                       guint       port,
                                       const char *session_id,
                                       gboolean    use_tls);
MSRP_AVAILABLE_IN_ALL
MsrpUri      *msrp_uri_parse          (const char *str,
                                       GError    **error);
MSRP_AVAILABLE_IN_ALL
char         *msrp_uri_to_string      (MsrpUri    *uri);
MSRP_AVAILABLE_IN_ALL
gboolean      msrp_uri_equal          (MsrpUri    *a,
                                       MsrpUri    *b);
MSRP_AVAILABLE_IN_ALL
guint         msrp_uri_hash           (MsrpUri    *uri);

MSRP_AVAILABLE_IN_ALL
const char   *msrp_uri_get_host       (MsrpUri    *uri);
MSRP_AVAILABLE_IN_ALL
guint         msrp_uri_get_port       (MsrpUri    *uri);
MSRP_AVAILABLE_IN_ALL
const char   *msrp_uri_get_user       (MsrpUri    *uri);
MSRP_AVAILABLE_IN_ALL
const char   *msrp_uri_get_session_id (MsrpUri    *uri);
MSRP_AVAILABLE_IN_ALL
const char   *msrp_uri_get_transport  (MsrpUri    *uri);
MSRP_AVAILABLE_IN_ALL
gboolean      msrp_uri_get_use_tls    (MsrpUri    *uri);
MSRP_AVAILABLE_IN_ALL
const char   *msrp_uri_get_parameter  (MsrpUri    *uri,
                                       const char *name);
MSRP_AVAILABLE_IN_ALL
char        **msrp_uri_get_parameter_names (MsrpUri *uri);

MSRP_AVAILABLE_IN_ALL
GPtrArray    *msrp_path_parse         (const char *str,
                                       GError    **error);
MSRP_AVAILABLE_IN_ALL
char         *msrp_path_to_string     (GPtrArray  *path);
MSRP_AVAILABLE_IN_ALL
gboolean      msrp_path_equal         (GPtrArray  *a,
                                       GPtrArray  *b);

G_END_DECLS
