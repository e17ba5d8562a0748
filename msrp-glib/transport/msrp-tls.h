/* msrp-tls.h: certificates and fingerprints for msrps: connections
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include "msrp-version.h"

G_BEGIN_DECLS

MSRP_AVAILABLE_IN_ALL
GTlsCertificate *msrp_tls_certificate_new_self_signed (const char      *common_name,
                                                       GError         **error);
MSRP_AVAILABLE_IN_ALL
char            *msrp_tls_certificate_get_fingerprint (GTlsCertificate *certificate,
                                                       GChecksumType    checksum_type);
MSRP_AVAILABLE_IN_ALL
gboolean         msrp_tls_certificate_matches_fingerprint (GTlsCertificate *certificate,
                                                           const char      *fingerprint,
                                                           GError         **error);

G_END_DECLS
