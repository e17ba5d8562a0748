/* msrp-relay.h: an RFC 4976 relay server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__MSRP_GLIB_INSIDE__) && !defined(MSRP_COMPILATION)
#error "Only <msrp-glib/msrp-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include "msrp-version.h"
#include "msrp-uri.h"
#include "msrp-logger.h"

G_BEGIN_DECLS

#define MSRP_TYPE_RELAY (msrp_relay_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpRelay, msrp_relay, MSRP, RELAY, GObject)

MSRP_AVAILABLE_IN_ALL
MsrpRelay       *msrp_relay_new                  (const char      *realm);
MSRP_AVAILABLE_IN_ALL
MsrpUri         *msrp_relay_listen               (MsrpRelay       *relay,
                                                  const char      *host,
                                                  guint16          port,
                                                  gboolean         use_tls,
                                                  GError         **error);
MSRP_AVAILABLE_IN_ALL
MsrpUri         *msrp_relay_listen_websocket     (MsrpRelay       *relay,
                                                  const char      *host,
                                                  guint16          port,
                                                  gboolean         use_tls,
                                                  GError         **error);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_add_user             (MsrpRelay       *relay,
                                                  const char      *username,
                                                  const char      *password);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_stop                 (MsrpRelay       *relay);

MSRP_AVAILABLE_IN_ALL
const char      *msrp_relay_get_realm            (MsrpRelay       *relay);
MSRP_AVAILABLE_IN_ALL
GTlsCertificate *msrp_relay_get_tls_certificate  (MsrpRelay       *relay);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_set_tls_certificate  (MsrpRelay       *relay,
                                                  GTlsCertificate *certificate);
MSRP_AVAILABLE_IN_ALL
guint            msrp_relay_get_min_expires      (MsrpRelay       *relay);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_set_min_expires      (MsrpRelay       *relay,
                                                  guint            seconds);
MSRP_AVAILABLE_IN_ALL
guint            msrp_relay_get_max_expires      (MsrpRelay       *relay);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_set_max_expires      (MsrpRelay       *relay,
                                                  guint            seconds);
MSRP_AVAILABLE_IN_ALL
guint            msrp_relay_get_default_expires  (MsrpRelay       *relay);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_set_default_expires  (MsrpRelay       *relay,
                                                  guint            seconds);
MSRP_AVAILABLE_IN_ALL
guint            msrp_relay_get_response_timeout (MsrpRelay       *relay);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_set_response_timeout (MsrpRelay       *relay,
                                                  guint            seconds);
MSRP_AVAILABLE_IN_ALL
guint            msrp_relay_get_idle_timeout     (MsrpRelay       *relay);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_set_idle_timeout     (MsrpRelay       *relay,
                                                  guint            seconds);
MSRP_AVAILABLE_IN_ALL
guint            msrp_relay_get_first_request_timeout (MsrpRelay *relay);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_set_first_request_timeout (MsrpRelay *relay,
                                                       guint     seconds);
MSRP_AVAILABLE_IN_ALL
guint            msrp_relay_get_max_pending_connections (MsrpRelay *relay);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_set_max_pending_connections (MsrpRelay *relay,
                                                         guint     max_pending);
MSRP_AVAILABLE_IN_ALL
guint            msrp_relay_get_max_pending_per_address (MsrpRelay *relay);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_set_max_pending_per_address (MsrpRelay *relay,
                                                         guint     max_pending);
MSRP_AVAILABLE_IN_ALL
MsrpLogger      *msrp_relay_get_logger           (MsrpRelay       *relay);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_set_logger           (MsrpRelay       *relay,
                                                  MsrpLogger      *logger);
MSRP_AVAILABLE_IN_ALL
guint            msrp_relay_get_n_sessions       (MsrpRelay       *relay);
MSRP_AVAILABLE_IN_ALL
guint            msrp_relay_get_max_auth_failures           (MsrpRelay *relay);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_set_max_auth_failures           (MsrpRelay *relay,
                                                             guint      failures);
MSRP_AVAILABLE_IN_ALL
guint            msrp_relay_get_max_sessions_per_connection (MsrpRelay *relay);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_set_max_sessions_per_connection (MsrpRelay *relay,
                                                             guint      sessions);
MSRP_AVAILABLE_IN_ALL
guint            msrp_relay_get_max_sessions_per_user       (MsrpRelay *relay);
MSRP_AVAILABLE_IN_ALL
void             msrp_relay_set_max_sessions_per_user       (MsrpRelay *relay,
                                                             guint      sessions);

G_END_DECLS
