/* msrp-uri.c: msrp: and msrps: URIs, and paths
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-uri.h"
#include "msrp-uri-private.h"
#include "msrp-error.h"
#include "msrp-utils-private.h"

/**
 * MsrpUri:
 *
 * An `msrp:` or `msrps:` URI (RFC 4975 section 6):
 *
 *     msrp[s]://[user@]host[:port][/session-id];transport[;name[=value]...]
 *
 * An `MsrpUri` is immutable, like [class@Gio.InetAddress]. Make one with
 * [ctor@Msrp.Uri.new] for a local endpoint, or [func@Msrp.Uri.parse] for a
 * URI from SDP or from a chunk. [method@Msrp.Uri.equal] and
 * [method@Msrp.Uri.hash] follow the comparison rules of RFC 4975 section 6.1,
 * so URIs can key a [struct@GLib.HashTable].
 *
 * A path (the value of To-Path, From-Path, Use-Path and SDP `a=path`) is a
 * [struct@GLib.PtrArray] of `MsrpUri`, first hop first; see
 * [func@Msrp.path_parse] and [func@Msrp.path_to_string].
 *
 * Since: 1.0
 */

struct _MsrpUri
{
  GObject parent_instance;

  char *user;
  char *host;
  guint port;
  char *session_id;
  char *transport;
  gboolean use_tls;
  GPtrArray *param_names;   /* (element-type utf8) */
  GPtrArray *param_values;  /* (element-type utf8), NULL for a bare name */
  char *string;             /* cached to_string() */
};

enum {
  PROP_0,
  PROP_HOST,
  PROP_PORT,
  PROP_USER,
  PROP_SESSION_ID,
  PROP_TRANSPORT,
  PROP_USE_TLS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (MsrpUri, msrp_uri, G_TYPE_OBJECT)

#define SESSION_ID_LENGTH 20

static void
msrp_uri_finalize (GObject *object)
{
  MsrpUri *self = MSRP_URI (object);

  g_free (self->user);
  g_free (self->host);
  g_free (self->session_id);
  g_free (self->transport);
  g_clear_pointer (&self->param_names, g_ptr_array_unref);
  g_clear_pointer (&self->param_values, g_ptr_array_unref);
  g_free (self->string);

  G_OBJECT_CLASS (msrp_uri_parent_class)->finalize (object);
}

static void
msrp_uri_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  MsrpUri *self = MSRP_URI (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case PROP_SESSION_ID:
      g_value_set_string (value, self->session_id);
      break;
    case PROP_TRANSPORT:
      g_value_set_string (value, self->transport);
      break;
    case PROP_USE_TLS:
      g_value_set_boolean (value, self->use_tls);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
msrp_uri_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  MsrpUri *self = MSRP_URI (object);

  switch (prop_id)
    {
    case PROP_HOST:
      self->host = g_value_dup_string (value);
      break;
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_USER:
      self->user = g_value_dup_string (value);
      break;
    case PROP_SESSION_ID:
      self->session_id = g_value_dup_string (value);
      break;
    case PROP_TRANSPORT:
      self->transport = g_ascii_strdown (g_value_get_string (value) ? g_value_get_string (value) : "tcp", -1);
      break;
    case PROP_USE_TLS:
      self->use_tls = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
is_unreserved (guchar c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static gboolean
is_sub_delim (guchar c)
{
  /* RFC 3986 sub-delims but ';', which ends the authority in MSRP. */
  return c != '\0' && strchr ("!$&'()*+,=", c) != NULL;
}

static gboolean
is_pct_at (const char *s,
           gsize       i,
           gsize       len)
{
  return s[i] == '%' && i + 2 < len &&
         g_ascii_isxdigit (s[i + 1]) && g_ascii_isxdigit (s[i + 2]);
}

static gboolean
is_valid_reg_name (const char *s,
                   gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (is_unreserved (s[i]) || is_sub_delim (s[i]))
        continue;
      if (is_pct_at (s, i, len))
        {
          i += 2;
          continue;
        }
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_valid_session_id (const char *s,
                     gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (is_unreserved (s[i]) || s[i] == '+' || s[i] == '=' || s[i] == '/')
        continue;
      if (is_pct_at (s, i, len))
        {
          i += 2;
          continue;
        }
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_valid_host (const char *host)
{
  if (strchr (host, ':') != NULL)
    return g_hostname_is_ip_address (host) && strchr (host, '%') == NULL;
  return is_valid_reg_name (host, strlen (host));
}

static void
msrp_uri_constructed (GObject *object)
{
  MsrpUri *self = MSRP_URI (object);

  G_OBJECT_CLASS (msrp_uri_parent_class)->constructed (object);

  if (self->transport == NULL)
    self->transport = g_strdup ("tcp");
  if (self->host == NULL)
    {
      g_critical ("An MsrpUri needs a host");
      self->host = g_strdup ("localhost");
    }
  else if (!is_valid_host (self->host))
    g_critical ("“%s” is not a valid host for an MsrpUri", self->host);
  if (self->port > 65535)
    {
      g_critical ("%u is not a valid port for an MsrpUri", self->port);
      self->port = 0;
    }
  if (self->session_id != NULL && !is_valid_session_id (self->session_id, strlen (self->session_id)))
    g_critical ("“%s” is not a valid MSRP session-id", self->session_id);
  if (!_msrp_is_token (self->transport, -1))
    g_critical ("“%s” is not a valid MSRP transport", self->transport);
}

static void
msrp_uri_class_init (MsrpUriClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = msrp_uri_finalize;
  object_class->get_property = msrp_uri_get_property;
  object_class->set_property = msrp_uri_set_property;
  object_class->constructed = msrp_uri_constructed;

  /**
   * MsrpUri:host:
   *
   * The host: a name, an IPv4 address, or an IPv6 address (without
   * brackets).
   *
   * Since: 1.0
   */
  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpUri:port:
   *
   * The port, or 0 when the URI names none (then 2855 is used, but such a
   * URI never equals one with an explicit port).
   *
   * Since: 1.0
   */
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpUri:user:
   *
   * The user part, percent-decoded, or %NULL. It plays no part in
   * comparisons.
   *
   * Since: 1.0
   */
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpUri:session-id:
   *
   * The session-id, or %NULL (a relay's own URI has none).
   *
   * Since: 1.0
   */
  properties[PROP_SESSION_ID] =
    g_param_spec_string ("session-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpUri:transport:
   *
   * The transport, in lower case: "tcp" (RFC 4975) or "ws" (RFC 7977).
   *
   * Since: 1.0
   */
  properties[PROP_TRANSPORT] =
    g_param_spec_string ("transport", NULL, NULL, "tcp",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * MsrpUri:use-tls:
   *
   * Whether the scheme is `msrps` (TLS).
   *
   * Since: 1.0
   */
  properties[PROP_USE_TLS] =
    g_param_spec_boolean ("use-tls", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
msrp_uri_init (MsrpUri *self)
{
}

/**
 * msrp_uri_new:
 * @host: a host name, or an IPv4 or IPv6 address (without brackets)
 * @port: the port, or 0 for none
 * @session_id: (nullable): the session-id, or %NULL for a new random one
 * @use_tls: %TRUE for an `msrps:` URI
 *
 * Makes a URI with the `tcp` transport, such as a local endpoint's URI.
 *
 * Returns: (transfer full): a new #MsrpUri
 *
 * Since: 1.0
 */
MsrpUri *
msrp_uri_new (const char *host,
              guint       port,
              const char *session_id,
              gboolean    use_tls)
{
  g_autofree char *random_id = NULL;

  g_return_val_if_fail (host != NULL && is_valid_host (host), NULL);
  g_return_val_if_fail (port <= 65535, NULL);
  g_return_val_if_fail (session_id == NULL || is_valid_session_id (session_id, strlen (session_id)), NULL);

  if (session_id == NULL)
    session_id = random_id = _msrp_random_ident (MSRP_RANDOM_SECRET, SESSION_ID_LENGTH);

  return g_object_new (MSRP_TYPE_URI,
                       "host", host,
                       "port", port,
                       "session-id", session_id,
                       "use-tls", use_tls,
                       NULL);
}

static gboolean
uri_error (GError    **error,
           const char *str,
           const char *what)
{
  g_autofree char *shown = NULL;

  /* Show a bounded, printable copy: the string may come from the network. */
  shown = g_utf8_make_valid (str, MIN (strlen (str), 200));
  for (char *p = shown; *p; p++)
    if ((guchar) *p < 0x20)
      *p = '?';
  g_set_error (error, MSRP_ERROR, MSRP_ERROR_INVALID_URI,
               _("Invalid MSRP URI “%s”: %s"), shown, what);
  return FALSE;
}

/* Decodes %XX escapes (only those of unreserved characters when asked);
 * returns the decoded length through len_out. */
static char *
pct_decode (const char *s,
            gsize       len,
            gboolean    unreserved_only,
            gsize      *len_out)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      if (is_pct_at (s, i, len))
        {
          guchar c = (g_ascii_xdigit_value (s[i + 1]) << 4) | g_ascii_xdigit_value (s[i + 2]);

          if (!unreserved_only || is_unreserved (c))
            {
              g_string_append_c (out, c);
              i += 2;
              continue;
            }
        }
      g_string_append_c (out, s[i]);
    }

  if (len_out != NULL)
    *len_out = out->len;
  return g_string_free (out, FALSE);
}

/**
 * msrp_uri_parse:
 * @str: a URI such as `msrp://alice.example.com:7394/2s93i93idj;tcp`
 * @error: return location for a #GError
 *
 * Parses an `msrp:` or `msrps:` URI. The scheme and the transport are
 * case-insensitive; the transport is required, as RFC 4975 says. A user
 * part is percent-decoded; unreserved characters escaped in the host are
 * decoded.
 *
 * Returns: (transfer full): the URI, or %NULL with @error set to
 *   %MSRP_ERROR_INVALID_URI and a message that says which part is wrong
 *
 * Since: 1.0
 */
MsrpUri *
msrp_uri_parse (const char *str,
                GError    **error)
{
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *transport = NULL;
  g_autoptr(GPtrArray) param_names = NULL;
  g_autoptr(GPtrArray) param_values = NULL;
  guint port = 0;
  MsrpUri *uri;
  const char *p, *auth_end, *at, *host_start, *host_end;
  gboolean use_tls;

  g_return_val_if_fail (str != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_ascii_strncasecmp (str, "msrps://", 8) == 0)
    {
      use_tls = TRUE;
      p = str + 8;
    }
  else if (g_ascii_strncasecmp (str, "msrp://", 7) == 0)
    {
      use_tls = FALSE;
      p = str + 7;
    }
  else
    {
      uri_error (error, str, _("the scheme must be “msrp://” or “msrps://”"));
      return NULL;
    }

  /* The authority ends at the session-id's '/' or the transport's ';'. A
   * user part may hold ';' but never '/'; '@' is found in neither a
   * session-id nor a parameter, so the last '@' before the first '/' ends
   * the user part. */
  auth_end = p + strcspn (p, "/");
  at = NULL;
  for (const char *q = p; q < auth_end; q++)
    if (*q == '@')
      at = q;

  if (at != NULL)
    {
      for (const char *q = p; q < at; q++)
        {
          if (is_unreserved (*q) || is_sub_delim (*q) || *q == ':' || *q == ';')
            continue;
          if (is_pct_at (p, q - p, at - p))
            {
              q += 2;
              continue;
            }
          uri_error (error, str, _("the user part has an invalid character"));
          return NULL;
        }
      if (at == p)
        {
          uri_error (error, str, _("the user part is empty"));
          return NULL;
        }
      {
        gsize user_len;

        user = pct_decode (p, at - p, FALSE, &user_len);
        if (strlen (user) != user_len || !g_utf8_validate (user, -1, NULL))
          {
            uri_error (error, str, _("the user part is not valid UTF-8"));
            return NULL;
          }
      }
      p = at + 1;
    }

  /* host [":" port] */
  host_start = p;
  if (*p == '[')
    {
      const char *close = strchr (p, ']');
      g_autofree char *v6 = NULL;

      if (close == NULL)
        {
          uri_error (error, str, _("the IPv6 address has no closing “]”"));
          return NULL;
        }
      v6 = g_strndup (p + 1, close - (p + 1));
      if (!g_hostname_is_ip_address (v6) || strchr (v6, ':') == NULL || strchr (v6, '%') != NULL)
        {
          uri_error (error, str, _("the IPv6 address is not valid"));
          return NULL;
        }
      host = g_steal_pointer (&v6);
      p = close + 1;
    }
  else
    {
      host_end = p + strcspn (p, ":/;");
      if (host_end == p)
        {
          uri_error (error, str, _("the host is missing"));
          return NULL;
        }
      if (!is_valid_reg_name (p, host_end - p))
        {
          uri_error (error, str, _("the host has an invalid character"));
          return NULL;
        }
      host = pct_decode (host_start, host_end - host_start, TRUE, NULL);
      p = host_end;
    }

  if (*p == ':')
    {
      guint64 port64 = 0;
      const char *digits = ++p;

      while (g_ascii_isdigit (*p) && p - digits < 6)
        port64 = port64 * 10 + (*p++ - '0');
      if (p == digits || (*p != '\0' && *p != '/' && *p != ';') || port64 == 0 || port64 > 65535)
        {
          uri_error (error, str, _("the port must be a number from 1 to 65535"));
          return NULL;
        }
      port = port64;
    }

  if (*p == '/')
    {
      const char *sid = ++p;

      p += strcspn (p, ";");
      if (!is_valid_session_id (sid, p - sid))
        {
          uri_error (error, str, p == sid ? _("the session-id is empty")
                                          : _("the session-id has an invalid character"));
          return NULL;
        }
      session_id = g_strndup (sid, p - sid);
    }

  if (*p != ';')
    {
      uri_error (error, str, *p == '\0' ? _("the transport (such as “;tcp”) is missing")
                                        : _("unexpected characters after the host"));
      return NULL;
    }
  p++;

  {
    const char *t = p;

    p += strcspn (p, ";");
    for (const char *q = t; q < p; q++)
      if (!g_ascii_isalnum (*q))
        {
          uri_error (error, str, _("the transport must be letters and digits"));
          return NULL;
        }
    if (p == t)
      {
        uri_error (error, str, _("the transport is empty"));
        return NULL;
      }
    transport = g_ascii_strdown (t, p - t);
  }

  while (*p == ';')
    {
      const char *name = ++p;
      const char *eq, *end;

      end = p + strcspn (p, ";");
      eq = memchr (name, '=', end - name);
      if (!_msrp_is_token (name, (eq ? eq : end) - name) ||
          (eq != NULL && !_msrp_is_token (eq + 1, end - (eq + 1))))
        {
          uri_error (error, str, _("a URI parameter is not “name” or “name=value”"));
          return NULL;
        }
      if (param_names == NULL)
        {
          param_names = g_ptr_array_new_with_free_func (g_free);
          param_values = g_ptr_array_new_with_free_func (g_free);
        }
      g_ptr_array_add (param_names, g_strndup (name, (eq ? eq : end) - name));
      g_ptr_array_add (param_values, eq ? g_strndup (eq + 1, end - (eq + 1)) : NULL);
      p = end;
    }

  g_assert (*p == '\0');
  uri = g_object_new (MSRP_TYPE_URI,
                      "host", host,
                      "port", port,
                      "user", user,
                      "session-id", session_id,
                      "transport", transport,
                      "use-tls", use_tls,
                      NULL);
  uri->param_names = g_steal_pointer (&param_names);
  uri->param_values = g_steal_pointer (&param_values);
  return uri;
}

/**
 * msrp_uri_to_string:
 * @uri: a #MsrpUri
 *
 * Writes the URI in its canonical form: lower-case scheme and transport,
 * IPv6 addresses in brackets, the user part percent-encoded where needed.
 * [func@Msrp.Uri.parse] reads it back to an equal URI.
 *
 * Returns: (transfer full): the URI as a string
 *
 * Since: 1.0
 */
char *
msrp_uri_to_string (MsrpUri *uri)
{
  g_return_val_if_fail (MSRP_IS_URI (uri), NULL);

  if (g_atomic_pointer_get (&uri->string) == NULL)
    {
      GString *s = g_string_sized_new (64);

      g_string_append (s, uri->use_tls ? "msrps://" : "msrp://");
      if (uri->user != NULL)
        {
          g_string_append_uri_escaped (s, uri->user, "!$&'()*+,=:", FALSE);
          g_string_append_c (s, '@');
        }
      if (strchr (uri->host, ':') != NULL)
        g_string_append_printf (s, "[%s]", uri->host);
      else
        g_string_append (s, uri->host);
      if (uri->port != 0)
        g_string_append_printf (s, ":%u", uri->port);
      if (uri->session_id != NULL)
        g_string_append_printf (s, "/%s", uri->session_id);
      g_string_append_printf (s, ";%s", uri->transport);
      for (guint i = 0; uri->param_names != NULL && i < uri->param_names->len; i++)
        {
          const char *value = g_ptr_array_index (uri->param_values, i);

          g_string_append_printf (s, ";%s", (const char *) g_ptr_array_index (uri->param_names, i));
          if (value != NULL)
            g_string_append_printf (s, "=%s", value);
        }
      /* Immutable objects may be shared between threads: publish once. */
      if (!g_atomic_pointer_compare_and_exchange (&uri->string, NULL, s->str))
        g_string_free (s, TRUE);
      else
        g_string_free (s, FALSE);
    }

  return g_strdup (uri->string);
}

/* The cached string, for code inside the library that only reads it. */
const char *
_msrp_uri_peek_string (MsrpUri *uri)
{
  g_free (msrp_uri_to_string (uri));
  return uri->string;
}

/**
 * msrp_uri_equal:
 * @a: (type Msrp.Uri): a #MsrpUri
 * @b: (type Msrp.Uri): another #MsrpUri
 *
 * Compares two URIs by the rules of RFC 4975 section 6.1: the scheme and
 * the host are case-insensitive (after decoding escaped unreserved
 * characters), the user part and URI parameters other than the transport
 * are ignored, a URI with an explicit port never equals one without, the
 * session-id is case-sensitive (and a URI with one never equals one
 * without), and the transport is case-insensitive.
 *
 * The arguments are typed as #MsrpUri, but the function can serve as a
 * #GEqualFunc.
 *
 * Returns: %TRUE when the URIs are equal
 *
 * Since: 1.0
 */
gboolean
msrp_uri_equal (MsrpUri *a,
                MsrpUri *b)
{
  g_return_val_if_fail (MSRP_IS_URI (a), FALSE);
  g_return_val_if_fail (MSRP_IS_URI (b), FALSE);

  return a->use_tls == b->use_tls &&
         a->port == b->port &&
         g_strcmp0 (a->session_id, b->session_id) == 0 &&
         g_ascii_strcasecmp (a->host, b->host) == 0 &&
         g_ascii_strcasecmp (a->transport, b->transport) == 0;
}

/**
 * msrp_uri_hash:
 * @uri: (type Msrp.Uri): a #MsrpUri
 *
 * A hash that agrees with [method@Msrp.Uri.equal]: equal URIs hash alike. It
 * can serve as a #GHashFunc.
 *
 * Returns: the hash
 *
 * Since: 1.0
 */
guint
msrp_uri_hash (MsrpUri *uri)
{
  guint h = 5381;

  g_return_val_if_fail (MSRP_IS_URI (uri), 0);

  for (const char *p = uri->host; *p; p++)
    h = h * 33 + g_ascii_tolower (*p);
  h = h * 33 + uri->port;
  h = h * 33 + (uri->use_tls ? 1 : 0);
  if (uri->session_id != NULL)
    h ^= g_str_hash (uri->session_id);
  for (const char *p = uri->transport; *p; p++)
    h = h * 33 + g_ascii_tolower (*p);

  return h;
}

/**
 * msrp_uri_get_host:
 * @uri: a #MsrpUri
 *
 * Gets the host of the URI.
 *
 * Returns: the host: a name, or an IP address (IPv6 without brackets)
 *
 * Since: 1.0
 */
const char *
msrp_uri_get_host (MsrpUri *uri)
{
  g_return_val_if_fail (MSRP_IS_URI (uri), NULL);
  return uri->host;
}

/**
 * msrp_uri_get_port:
 * @uri: a #MsrpUri
 *
 * Gets the port of the URI.
 *
 * Returns: the port, or 0 when the URI names none (the default port,
 *   %MSRP_DEFAULT_PORT, applies then)
 *
 * Since: 1.0
 */
guint
msrp_uri_get_port (MsrpUri *uri)
{
  g_return_val_if_fail (MSRP_IS_URI (uri), 0);
  return uri->port;
}

/**
 * msrp_uri_get_user:
 * @uri: a #MsrpUri
 *
 * Gets the user part of the URI.
 *
 * Returns: (nullable): the percent-decoded user part, or %NULL
 *
 * Since: 1.0
 */
const char *
msrp_uri_get_user (MsrpUri *uri)
{
  g_return_val_if_fail (MSRP_IS_URI (uri), NULL);
  return uri->user;
}

/**
 * msrp_uri_get_session_id:
 * @uri: a #MsrpUri
 *
 * Gets the session-id of the URI.
 *
 * Returns: (nullable): the session-id, or %NULL when the URI has none
 *
 * Since: 1.0
 */
const char *
msrp_uri_get_session_id (MsrpUri *uri)
{
  g_return_val_if_fail (MSRP_IS_URI (uri), NULL);
  return uri->session_id;
}

/**
 * msrp_uri_get_transport:
 * @uri: a #MsrpUri
 *
 * Gets the transport of the URI.
 *
 * Returns: the transport in lower case, such as "tcp" or "ws"
 *
 * Since: 1.0
 */
const char *
msrp_uri_get_transport (MsrpUri *uri)
{
  g_return_val_if_fail (MSRP_IS_URI (uri), NULL);
  return uri->transport;
}

/**
 * msrp_uri_get_use_tls:
 * @uri: a #MsrpUri
 *
 * Tells whether the URI is an `msrps:` (TLS) URI.
 *
 * Returns: %TRUE for an `msrps:` URI
 *
 * Since: 1.0
 */
gboolean
msrp_uri_get_use_tls (MsrpUri *uri)
{
  g_return_val_if_fail (MSRP_IS_URI (uri), FALSE);
  return uri->use_tls;
}

/**
 * msrp_uri_get_parameter:
 * @uri: a #MsrpUri
 * @name: a parameter name (case-insensitive)
 *
 * Looks up a URI parameter after the transport, such as `foo` in
 * `msrp://h/s;tcp;foo=bar`.
 *
 * Returns: (nullable): the value, "" for a parameter without value, or
 *   %NULL when the URI has no such parameter
 *
 * Since: 1.0
 */
const char *
msrp_uri_get_parameter (MsrpUri    *uri,
                        const char *name)
{
  g_return_val_if_fail (MSRP_IS_URI (uri), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; uri->param_names != NULL && i < uri->param_names->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (uri->param_names, i), name) == 0)
      {
        const char *value = g_ptr_array_index (uri->param_values, i);
        return value ? value : "";
      }
  return NULL;
}

/**
 * msrp_uri_get_parameter_names:
 * @uri: a #MsrpUri
 *
 * Lists the URI parameters that follow the transport.
 *
 * Returns: (transfer full): the names of the URI parameters after the
 *   transport, in order
 *
 * Since: 1.0
 */
char **
msrp_uri_get_parameter_names (MsrpUri *uri)
{
  GStrvBuilder *builder;

  g_return_val_if_fail (MSRP_IS_URI (uri), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; uri->param_names != NULL && i < uri->param_names->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (uri->param_names, i));
  {
    char **names = g_strv_builder_end (builder);

    g_strv_builder_unref (builder);
    return names;
  }
}

/**
 * msrp_path_parse:
 * @str: a path: URIs separated by spaces
 * @error: return location for a #GError
 *
 * Parses the value of a To-Path, From-Path or Use-Path header, or of an SDP
 * `a=path` attribute.
 *
 * Returns: (transfer container) (element-type Msrp.Uri): the URIs, first
 *   hop first, or %NULL with @error set to %MSRP_ERROR_INVALID_URI; the
 *   array owns them (it unrefs them when freed)
 *
 * Since: 1.0
 */
GPtrArray *
msrp_path_parse (const char *str,
                 GError    **error)
{
  g_autoptr(GPtrArray) path = NULL;
  const char *p = str;

  g_return_val_if_fail (str != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = g_ptr_array_new_with_free_func (g_object_unref);
  for (;;)
    {
      const char *start;
      g_autofree char *one = NULL;
      GError *local_error = NULL;
      MsrpUri *uri;

      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '\0')
        break;
      start = p;
      while (*p != '\0' && *p != ' ' && *p != '\t')
        p++;
      one = g_strndup (start, p - start);
      uri = msrp_uri_parse (one, &local_error);
      if (uri == NULL)
        {
          g_propagate_prefixed_error (error, local_error, _("URI %u of the path: "), path->len + 1);
          return NULL;
        }
      g_ptr_array_add (path, uri);
    }

  if (path->len == 0)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_INVALID_URI,
                           _("The MSRP path is empty"));
      return NULL;
    }

  return g_steal_pointer (&path);
}

/**
 * msrp_path_to_string:
 * @path: (element-type Msrp.Uri): a path
 *
 * Writes a path as it goes into a header or an SDP `a=path` attribute.
 *
 * Returns: (transfer full): the URIs of @path separated by single spaces
 *
 * Since: 1.0
 */
char *
msrp_path_to_string (GPtrArray *path)
{
  GString *s;

  g_return_val_if_fail (path != NULL, NULL);

  s = g_string_sized_new (64 * path->len);
  for (guint i = 0; i < path->len; i++)
    {
      if (i > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, _msrp_uri_peek_string (g_ptr_array_index (path, i)));
    }
  return g_string_free (s, FALSE);
}

/**
 * msrp_path_equal:
 * @a: (element-type Msrp.Uri): a path
 * @b: (element-type Msrp.Uri): another path
 *
 * Compares two paths.
 *
 * Returns: %TRUE when both paths have the same length and their URIs are
 *   equal one by one ([method@Msrp.Uri.equal])
 *
 * Since: 1.0
 */
gboolean
msrp_path_equal (GPtrArray *a,
                 GPtrArray *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (!msrp_uri_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
      return FALSE;
  return TRUE;
}

GPtrArray *
_msrp_path_new_single (MsrpUri *uri)
{
  GPtrArray *path = g_ptr_array_new_full (1, g_object_unref);

  g_ptr_array_add (path, g_object_ref (uri));
  return path;
}

GPtrArray *
_msrp_path_copy (GPtrArray *path)
{
  GPtrArray *copy = g_ptr_array_new_full (path ? path->len : 0, g_object_unref);

  for (guint i = 0; path != NULL && i < path->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (path, i)));
  return copy;
}
