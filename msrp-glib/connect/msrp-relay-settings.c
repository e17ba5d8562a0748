/* msrp-relay-settings.c: how to reach and authenticate to an RFC 4976 relay
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "msrp-relay-settings.h"
#include "msrp-enums.h"
#include "msrp-utils-private.h"

/**
 * MsrpRelaySettings:
 *
 * Where an RFC 4976 relay is and how to authenticate to it: the domain
 * (the Digest realm is whatever the relay says; the domain names the relay
 * for DNS SRV and for its certificate), the user name and password, and
 * optionally the host and port.
 *
 * Give it to [ctor@Msrp.ConnectorRelay.new] or
 * [ctor@Msrp.AcceptorRelay.new], or to [func@Msrp.get_connector] and
 * [func@Msrp.get_acceptor].
 *
 * Since: 1.0
 */

struct _MsrpRelaySettings
{
  GObject parent_instance;

  char *domain;
  char *username;
  char *password;
  char *host;
  guint16 port;
  gboolean use_tls;
  MsrpDigestUriMode digest_uri_mode;
  guint expires;
  GTlsDatabase *tls_database;
  char *transport;
  char *websocket_path;
  gboolean share_connection;
};

enum {
  PROP_0,
  PROP_DOMAIN,
  PROP_USERNAME,
  PROP_PASSWORD,
  PROP_HOST,
  PROP_PORT,
  PROP_USE_TLS,
  PROP_DIGEST_URI_MODE,
  PROP_EXPIRES,
  PROP_TLS_DATABASE,
  PROP_TRANSPORT,
  PROP_WEBSOCKET_PATH,
  PROP_SHARE_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (MsrpRelaySettings, msrp_relay_settings, G_TYPE_OBJECT)

static void
msrp_relay_settings_finalize (GObject *object)
{
  MsrpRelaySettings *self = MSRP_RELAY_SETTINGS (object);

  g_free (self->domain);
  g_free (self->username);
  g_free (self->password);
  g_free (self->host);
  g_clear_object (&self->tls_database);
  g_free (self->transport);
  g_free (self->websocket_path);

  G_OBJECT_CLASS (msrp_relay_settings_parent_class)->finalize (object);
}

static void
msrp_relay_settings_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  MsrpRelaySettings *self = MSRP_RELAY_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_DOMAIN:
      g_value_set_string (value, self->domain);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_PASSWORD:
      g_value_set_string (value, self->password);
      break;
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_USE_TLS:
      g_value_set_boolean (value, self->use_tls);
      break;
    case PROP_DIGEST_URI_MODE:
      g_value_set_enum (value, self->digest_uri_mode);
      break;
    case PROP_EXPIRES:
      g_value_set_uint (value, self->expires);
      break;
    case PROP_TLS_DATABASE:
      g_value_set_object (value, self->tls_database);
      break;
    case PROP_TRANSPORT:
      g_value_set_string (value, self->transport);
      break;
    case PROP_WEBSOCKET_PATH:
      g_value_set_string (value, self->websocket_path);
      break;
    case PROP_SHARE_CONNECTION:
      g_value_set_boolean (value, self->share_connection);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_relay_settings_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  MsrpRelaySettings *self = MSRP_RELAY_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_DOMAIN:
      self->domain = g_value_dup_string (value);
      break;
    case PROP_USERNAME:
      self->username = g_value_dup_string (value);
      break;
    case PROP_PASSWORD:
      self->password = g_value_dup_string (value);
      break;
    case PROP_HOST:
      msrp_relay_settings_set_host (self, g_value_get_string (value));
      break;
    case PROP_PORT:
      msrp_relay_settings_set_port (self, g_value_get_uint (value));
      break;
    case PROP_USE_TLS:
      msrp_relay_settings_set_use_tls (self, g_value_get_boolean (value));
      break;
    case PROP_DIGEST_URI_MODE:
      msrp_relay_settings_set_digest_uri_mode (self, g_value_get_enum (value));
      break;
    case PROP_EXPIRES:
      msrp_relay_settings_set_expires (self, g_value_get_uint (value));
      break;
    case PROP_TLS_DATABASE:
      msrp_relay_settings_set_tls_database (self, g_value_get_object (value));
      break;
    case PROP_TRANSPORT:
      msrp_relay_settings_set_transport (self, g_value_get_string (value));
      break;
    case PROP_WEBSOCKET_PATH:
      msrp_relay_settings_set_websocket_path (self, g_value_get_string (value));
      break;
    case PROP_SHARE_CONNECTION:
      msrp_relay_settings_set_share_connection (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_relay_settings_class_init (MsrpRelaySettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = msrp_relay_settings_finalize;
  object_class->get_property = msrp_relay_settings_get_property;
  object_class->set_property = msrp_relay_settings_set_property;

  /**
   * MsrpRelaySettings:domain:
   *
   * The relay's domain: the name DNS SRV looks up when
   * [property@Msrp.RelaySettings:host] is unset, and then the name every
   * SRV target's certificate must carry (the unsigned DNS answer that
   * named a target cannot vouch for its name). With a host, the
   * certificate must carry the host's name.
   *
   * Since: 1.0
   */
  properties[PROP_DOMAIN] =
    g_param_spec_string ("domain", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelaySettings:username:
   *
   * The user name for Digest authentication.
   *
   * Since: 1.0
   */
  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelaySettings:password:
   *
   * The password for Digest authentication.
   *
   * Since: 1.0
   */
  properties[PROP_PASSWORD] =
    g_param_spec_string ("password", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelaySettings:host:
   *
   * The relay's host name or address. When unset (the default), the relay is found with a DNS SRV lookup of `_msrps._tcp.<domain>` (or `_msrp._tcp` without TLS), trying the targets in priority and weight order (RFC 2782) and going on to the next when one cannot be reached, fails the TLS handshake, or has not answered the first AUTH within a third of the connector's [property@Msrp.Connector:timeout] (a frozen relay).
   *
   * Since: 1.0
   */
  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelaySettings:port:
   *
   * The relay's port, used with [property@Msrp.RelaySettings:host].
   *
   * Since: 1.0
   */
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 1, G_MAXUINT16, MSRP_DEFAULT_PORT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelaySettings:use-tls:
   *
   * Whether the connection to the relay uses TLS (`msrps`), as RFC 4976 requires. Turn it off only for tests and private networks.
   *
   * Since: 1.0
   */
  properties[PROP_USE_TLS] =
    g_param_spec_boolean ("use-tls", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelaySettings:digest-uri-mode:
   *
   * Whether the Digest answer carries `uri=`; see [enum@Msrp.DigestUriMode].
   *
   * Since: 1.0
   */
  properties[PROP_DIGEST_URI_MODE] =
    g_param_spec_enum ("digest-uri-mode", NULL, NULL, MSRP_TYPE_DIGEST_URI_MODE, MSRP_DIGEST_URI_AUTO,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelaySettings:expires:
   *
   * The lifetime to ask the relay for, in seconds; 0 (the default) sends no Expires and takes the relay's. The connectors refresh the authorization before it runs out.
   *
   * Since: 1.0
   */
  properties[PROP_EXPIRES] =
    g_param_spec_uint ("expires", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelaySettings:tls-database:
   *
   * The database that checks the relay's certificate against its name; %NULL for the system's. A handler of the connector's [signal@Msrp.Connector::accept-certificate] decides instead when connected.
   *
   * Since: 1.0
   */
  properties[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL, G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelaySettings:transport:
   *
   * How the relay is reached: "tcp" (RFC 4976, the default) or "ws", over a
   * WebSocket as a browser does (RFC 7977: `ws://` or, with
   * [property@Msrp.RelaySettings:use-tls], `wss://` to
   * [property@Msrp.RelaySettings:host] and
   * [property@Msrp.RelaySettings:port] on
   * [property@Msrp.RelaySettings:websocket-path]). Over a WebSocket the
   * client's own URI is `msrp(s)://<random>.invalid:<port>/<id>;ws`.
   *
   * Since: 1.0
   */
  properties[PROP_TRANSPORT] =
    g_param_spec_string ("transport", NULL, NULL, "tcp",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelaySettings:websocket-path:
   *
   * The HTTP path of the relay's WebSocket when
   * [property@Msrp.RelaySettings:transport] is "ws".
   *
   * Since: 1.0
   */
  properties[PROP_WEBSOCKET_PATH] =
    g_param_spec_string ("websocket-path", NULL, NULL, "/",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpRelaySettings:share-connection:
   *
   * Whether sessions through this relay share one connection and one AUTH
   * (RFC 4975 section 8.1, RFC 4976): the connectors of a main context
   * whose settings name the same relay (host and port, or SRV domain),
   * TLS, transport, user name and password, and that present the same
   * client certificate, use one live connection, and the Use-Path its AUTH
   * got serves each of their sessions (each with its own URI). A relay
   * that refuses a second session on a connection (403 to its first
   * request) makes the connectors that come after open a connection of
   * their own. When %FALSE, each session has its own connection and AUTH.
   *
   * Since: 1.0
   */
  properties[PROP_SHARE_CONNECTION] =
    g_param_spec_boolean ("share-connection", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
msrp_relay_settings_init (MsrpRelaySettings *self)
{
  self->port = MSRP_DEFAULT_PORT;
  self->use_tls = TRUE;
  self->digest_uri_mode = MSRP_DIGEST_URI_AUTO;
  self->transport = g_strdup ("tcp");
  self->websocket_path = g_strdup ("/");
  self->share_connection = TRUE;
}

/**
 * msrp_relay_settings_new:
 * @domain: the relay's domain
 * @username: the user name for Digest authentication
 * @password: the password
 *
 * Makes settings for a relay found by DNS SRV in @domain, over TLS. Set
 * [property@Msrp.RelaySettings:host] to name the relay directly.
 *
 * Returns: (transfer full): new settings
 *
 * Since: 1.0
 */
MsrpRelaySettings *
msrp_relay_settings_new (const char *domain,
                         const char *username,
                         const char *password)
{
  g_return_val_if_fail (domain != NULL && *domain != '\0', NULL);
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  return g_object_new (MSRP_TYPE_RELAY_SETTINGS,
                       "domain", domain,
                       "username", username,
                       "password", password,
                       NULL);
}

/**
 * msrp_relay_settings_get_domain:
 * @settings: a #MsrpRelaySettings
 *
 * Gets [property@Msrp.RelaySettings:domain].
 *
 * Returns: the domain
 *
 * Since: 1.0
 */
const char *
msrp_relay_settings_get_domain (MsrpRelaySettings *settings)
{
  g_return_val_if_fail (MSRP_IS_RELAY_SETTINGS (settings), NULL);
  return settings->domain;
}

/**
 * msrp_relay_settings_get_username:
 * @settings: a #MsrpRelaySettings
 *
 * Gets [property@Msrp.RelaySettings:username].
 *
 * Returns: the user name
 *
 * Since: 1.0
 */
const char *
msrp_relay_settings_get_username (MsrpRelaySettings *settings)
{
  g_return_val_if_fail (MSRP_IS_RELAY_SETTINGS (settings), NULL);
  return settings->username;
}

/**
 * msrp_relay_settings_get_password:
 * @settings: a #MsrpRelaySettings
 *
 * Gets [property@Msrp.RelaySettings:password].
 *
 * Returns: the password
 *
 * Since: 1.0
 */
const char *
msrp_relay_settings_get_password (MsrpRelaySettings *settings)
{
  g_return_val_if_fail (MSRP_IS_RELAY_SETTINGS (settings), NULL);
  return settings->password;
}

/**
 * msrp_relay_settings_get_host:
 * @settings: a #MsrpRelaySettings
 *
 * Gets [property@Msrp.RelaySettings:host].
 *
 * Returns: (nullable): the value
 *
 * Since: 1.0
 */
const char *
msrp_relay_settings_get_host (MsrpRelaySettings *settings)
{
  g_return_val_if_fail (MSRP_IS_RELAY_SETTINGS (settings), NULL);
  return settings->host;
}

/**
 * msrp_relay_settings_set_host:
 * @settings: a #MsrpRelaySettings
 * @host: (nullable): the new value
 *
 * Sets [property@Msrp.RelaySettings:host].
 *
 * Since: 1.0
 */
void
msrp_relay_settings_set_host (MsrpRelaySettings *settings,
                              const char *host)
{
  g_return_if_fail (MSRP_IS_RELAY_SETTINGS (settings));
  _msrp_set_string (G_OBJECT (settings), &settings->host, host, properties[PROP_HOST]);
}

/**
 * msrp_relay_settings_get_port:
 * @settings: a #MsrpRelaySettings
 *
 * Gets [property@Msrp.RelaySettings:port].
 *
 * Returns:: the value
 *
 * Since: 1.0
 */
guint16 
msrp_relay_settings_get_port (MsrpRelaySettings *settings)
{
  g_return_val_if_fail (MSRP_IS_RELAY_SETTINGS (settings), 0);
  return settings->port;
}

/**
 * msrp_relay_settings_set_port:
 * @settings: a #MsrpRelaySettings
 * @port: the new value
 *
 * Sets [property@Msrp.RelaySettings:port].
 *
 * Since: 1.0
 */
void
msrp_relay_settings_set_port (MsrpRelaySettings *settings,
                              guint16 port)
{
  g_return_if_fail (MSRP_IS_RELAY_SETTINGS (settings));
  g_return_if_fail (port > 0);

  if (settings->port == port)
    return;
  settings->port = port;
  g_object_notify_by_pspec (G_OBJECT (settings), properties[PROP_PORT]);
}

/**
 * msrp_relay_settings_get_use_tls:
 * @settings: a #MsrpRelaySettings
 *
 * Gets [property@Msrp.RelaySettings:use-tls].
 *
 * Returns:: the value
 *
 * Since: 1.0
 */
gboolean 
msrp_relay_settings_get_use_tls (MsrpRelaySettings *settings)
{
  g_return_val_if_fail (MSRP_IS_RELAY_SETTINGS (settings), FALSE);
  return settings->use_tls;
}

/**
 * msrp_relay_settings_set_use_tls:
 * @settings: a #MsrpRelaySettings
 * @use_tls: the new value
 *
 * Sets [property@Msrp.RelaySettings:use-tls].
 *
 * Since: 1.0
 */
void
msrp_relay_settings_set_use_tls (MsrpRelaySettings *settings,
                                 gboolean use_tls)
{
  g_return_if_fail (MSRP_IS_RELAY_SETTINGS (settings));
  _msrp_set_boolean (G_OBJECT (settings), &settings->use_tls, use_tls, properties[PROP_USE_TLS]);
}

/**
 * msrp_relay_settings_get_digest_uri_mode:
 * @settings: a #MsrpRelaySettings
 *
 * Gets [property@Msrp.RelaySettings:digest-uri-mode].
 *
 * Returns:: the value
 *
 * Since: 1.0
 */
MsrpDigestUriMode 
msrp_relay_settings_get_digest_uri_mode (MsrpRelaySettings *settings)
{
  g_return_val_if_fail (MSRP_IS_RELAY_SETTINGS (settings), MSRP_DIGEST_URI_AUTO);
  return settings->digest_uri_mode;
}

/**
 * msrp_relay_settings_set_digest_uri_mode:
 * @settings: a #MsrpRelaySettings
 * @mode: the new value
 *
 * Sets [property@Msrp.RelaySettings:digest-uri-mode].
 *
 * Since: 1.0
 */
void
msrp_relay_settings_set_digest_uri_mode (MsrpRelaySettings *settings,
                                         MsrpDigestUriMode mode)
{
  g_return_if_fail (MSRP_IS_RELAY_SETTINGS (settings));
  if (settings->digest_uri_mode == mode)
    return;
  settings->digest_uri_mode = mode;
  g_object_notify_by_pspec (G_OBJECT (settings), properties[PROP_DIGEST_URI_MODE]);
}

/**
 * msrp_relay_settings_get_expires:
 * @settings: a #MsrpRelaySettings
 *
 * Gets [property@Msrp.RelaySettings:expires].
 *
 * Returns:: the value
 *
 * Since: 1.0
 */
guint 
msrp_relay_settings_get_expires (MsrpRelaySettings *settings)
{
  g_return_val_if_fail (MSRP_IS_RELAY_SETTINGS (settings), 0);
  return settings->expires;
}

/**
 * msrp_relay_settings_set_expires:
 * @settings: a #MsrpRelaySettings
 * @expires: the new value
 *
 * Sets [property@Msrp.RelaySettings:expires].
 *
 * Since: 1.0
 */
void
msrp_relay_settings_set_expires (MsrpRelaySettings *settings,
                                 guint expires)
{
  g_return_if_fail (MSRP_IS_RELAY_SETTINGS (settings));
  _msrp_set_uint (G_OBJECT (settings), &settings->expires, expires, properties[PROP_EXPIRES]);
}

/**
 * msrp_relay_settings_get_tls_database:
 * @settings: a #MsrpRelaySettings
 *
 * Gets [property@Msrp.RelaySettings:tls-database].
 *
 * Returns: (transfer none) (nullable): the value
 *
 * Since: 1.0
 */
GTlsDatabase *
msrp_relay_settings_get_tls_database (MsrpRelaySettings *settings)
{
  g_return_val_if_fail (MSRP_IS_RELAY_SETTINGS (settings), NULL);
  return settings->tls_database;
}

/**
 * msrp_relay_settings_set_tls_database:
 * @settings: a #MsrpRelaySettings
 * @database: (nullable): the new value
 *
 * Sets [property@Msrp.RelaySettings:tls-database].
 *
 * Since: 1.0
 */
void
msrp_relay_settings_set_tls_database (MsrpRelaySettings *settings,
                                      GTlsDatabase *database)
{
  g_return_if_fail (MSRP_IS_RELAY_SETTINGS (settings));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  if (!g_set_object (&settings->tls_database, database))
    return;
  g_object_notify_by_pspec (G_OBJECT (settings), properties[PROP_TLS_DATABASE]);
}

/**
 * msrp_relay_settings_get_transport:
 * @settings: a #MsrpRelaySettings
 *
 * Gets [property@Msrp.RelaySettings:transport].
 *
 * Returns: "tcp" or "ws"
 *
 * Since: 1.0
 */
const char *
msrp_relay_settings_get_transport (MsrpRelaySettings *settings)
{
  g_return_val_if_fail (MSRP_IS_RELAY_SETTINGS (settings), NULL);
  return settings->transport;
}

/**
 * msrp_relay_settings_set_transport:
 * @settings: a #MsrpRelaySettings
 * @transport: (nullable): "tcp" or "ws"; %NULL for "tcp"
 *
 * Sets [property@Msrp.RelaySettings:transport].
 *
 * Since: 1.0
 */
void
msrp_relay_settings_set_transport (MsrpRelaySettings *settings,
                                   const char        *transport)
{
  g_return_if_fail (MSRP_IS_RELAY_SETTINGS (settings));
  g_return_if_fail (transport == NULL || g_ascii_strcasecmp (transport, "tcp") == 0 ||
                    g_ascii_strcasecmp (transport, "ws") == 0);

  if (transport == NULL)
    transport = "tcp";
  if (g_ascii_strcasecmp (settings->transport, transport) == 0)
    return;
  g_free (settings->transport);
  settings->transport = g_ascii_strdown (transport, -1);
  g_object_notify_by_pspec (G_OBJECT (settings), properties[PROP_TRANSPORT]);
}

/**
 * msrp_relay_settings_get_websocket_path:
 * @settings: a #MsrpRelaySettings
 *
 * Gets [property@Msrp.RelaySettings:websocket-path].
 *
 * Returns: the HTTP path of the relay's WebSocket
 *
 * Since: 1.0
 */
const char *
msrp_relay_settings_get_websocket_path (MsrpRelaySettings *settings)
{
  g_return_val_if_fail (MSRP_IS_RELAY_SETTINGS (settings), NULL);
  return settings->websocket_path;
}

/**
 * msrp_relay_settings_set_websocket_path:
 * @settings: a #MsrpRelaySettings
 * @path: (nullable): an absolute HTTP path; %NULL for "/"
 *
 * Sets [property@Msrp.RelaySettings:websocket-path].
 *
 * Since: 1.0
 */
void
msrp_relay_settings_set_websocket_path (MsrpRelaySettings *settings,
                                        const char        *path)
{
  g_return_if_fail (MSRP_IS_RELAY_SETTINGS (settings));
  g_return_if_fail (path == NULL || path[0] == '/');

  if (path == NULL)
    path = "/";
  _msrp_set_string (G_OBJECT (settings), &settings->websocket_path, path, properties[PROP_WEBSOCKET_PATH]);
}

/**
 * msrp_relay_settings_get_share_connection:
 * @settings: a #MsrpRelaySettings
 *
 * Gets [property@Msrp.RelaySettings:share-connection].
 *
 * Returns: whether sessions share a connection to the relay
 *
 * Since: 1.0
 */
gboolean
msrp_relay_settings_get_share_connection (MsrpRelaySettings *settings)
{
  g_return_val_if_fail (MSRP_IS_RELAY_SETTINGS (settings), FALSE);
  return settings->share_connection;
}

/**
 * msrp_relay_settings_set_share_connection:
 * @settings: a #MsrpRelaySettings
 * @share_connection: whether sessions share a connection to the relay
 *
 * Sets [property@Msrp.RelaySettings:share-connection].
 *
 * Since: 1.0
 */
void
msrp_relay_settings_set_share_connection (MsrpRelaySettings *settings,
                                          gboolean           share_connection)
{
  g_return_if_fail (MSRP_IS_RELAY_SETTINGS (settings));

  _msrp_set_boolean (G_OBJECT (settings), &settings->share_connection, share_connection, properties[PROP_SHARE_CONNECTION]);
}
