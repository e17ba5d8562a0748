/* msrp-relay-settings.h: how to reach and authenticate to an RFC 4976 relay
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

G_BEGIN_DECLS

/**
 * MsrpDigestUriMode:
 * @MSRP_DIGEST_URI_AUTO: send `uri=`; when the relay answers with a second
 *   401 or not at all, try once more without it
 * @MSRP_DIGEST_URI_INCLUDE: always send `uri=` (the relay's URI)
 * @MSRP_DIGEST_URI_OMIT: never send `uri=`
 *
 * Whether the Digest `Authorization` of an AUTH carries the `uri=`
 * parameter. RFC 4976 leaves it open and deployed relays disagree: some
 * refuse credentials without it, others never answer when it is present.
 *
 * Since: 1.0
 */
typedef enum {
  MSRP_DIGEST_URI_AUTO,
  MSRP_DIGEST_URI_INCLUDE,
  MSRP_DIGEST_URI_OMIT,
} MsrpDigestUriMode;

#define MSRP_TYPE_RELAY_SETTINGS (msrp_relay_settings_get_type ())
MSRP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (MsrpRelaySettings, msrp_relay_settings, MSRP, RELAY_SETTINGS, GObject)

MSRP_AVAILABLE_IN_ALL
MsrpRelaySettings *msrp_relay_settings_new                 (const char        *domain,
                                                            const char        *username,
                                                            const char        *password);

MSRP_AVAILABLE_IN_ALL
const char        *msrp_relay_settings_get_domain          (MsrpRelaySettings *settings);
MSRP_AVAILABLE_IN_ALL
const char        *msrp_relay_settings_get_username        (MsrpRelaySettings *settings);
MSRP_AVAILABLE_IN_ALL
const char        *msrp_relay_settings_get_password        (MsrpRelaySettings *settings);
MSRP_AVAILABLE_IN_ALL
const char        *msrp_relay_settings_get_host            (MsrpRelaySettings *settings);
MSRP_AVAILABLE_IN_ALL
void               msrp_relay_settings_set_host            (MsrpRelaySettings *settings,
                                                            const char        *host);
MSRP_AVAILABLE_IN_ALL
guint16            msrp_relay_settings_get_port            (MsrpRelaySettings *settings);
MSRP_AVAILABLE_IN_ALL
void               msrp_relay_settings_set_port            (MsrpRelaySettings *settings,
                                                            guint16            port);
MSRP_AVAILABLE_IN_ALL
gboolean           msrp_relay_settings_get_use_tls         (MsrpRelaySettings *settings);
MSRP_AVAILABLE_IN_ALL
void               msrp_relay_settings_set_use_tls         (MsrpRelaySettings *settings,
                                                            gboolean           use_tls);
MSRP_AVAILABLE_IN_ALL
MsrpDigestUriMode  msrp_relay_settings_get_digest_uri_mode (MsrpRelaySettings *settings);
MSRP_AVAILABLE_IN_ALL
void               msrp_relay_settings_set_digest_uri_mode (MsrpRelaySettings *settings,
                                                            MsrpDigestUriMode  mode);
MSRP_AVAILABLE_IN_ALL
guint              msrp_relay_settings_get_expires         (MsrpRelaySettings *settings);
MSRP_AVAILABLE_IN_ALL
void               msrp_relay_settings_set_expires         (MsrpRelaySettings *settings,
                                                            guint              expires);
MSRP_AVAILABLE_IN_ALL
GTlsDatabase      *msrp_relay_settings_get_tls_database    (MsrpRelaySettings *settings);
MSRP_AVAILABLE_IN_ALL
void               msrp_relay_settings_set_tls_database    (MsrpRelaySettings *settings,
                                                            GTlsDatabase      *database);
MSRP_AVAILABLE_IN_ALL
const char        *msrp_relay_settings_get_transport       (MsrpRelaySettings *settings);
MSRP_AVAILABLE_IN_ALL
void               msrp_relay_settings_set_transport       (MsrpRelaySettings *settings,
                                                            const char        *transport);
MSRP_AVAILABLE_IN_ALL
const char        *msrp_relay_settings_get_websocket_path  (MsrpRelaySettings *settings);
MSRP_AVAILABLE_IN_ALL
void               msrp_relay_settings_set_websocket_path  (MsrpRelaySettings *settings,
                                                            const char        *path);
MSRP_AVAILABLE_IN_ALL
gboolean           msrp_relay_settings_get_share_connection (MsrpRelaySettings *settings);
MSRP_AVAILABLE_IN_ALL
void               msrp_relay_settings_set_share_connection (MsrpRelaySettings *settings,
                                                             gboolean           share_connection);

G_END_DECLS
