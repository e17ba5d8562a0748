/* msrp-sdp-media-parse.c: reading SDP, and the syntax of its attributes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-sdp-media-private.h"
#include "msrp-enums.h"
#include "msrp-error.h"
#include "msrp-uri.h"
#include "msrp-utils-private.h"

#define MAX_SDP_SIZE (64 * 1024)
#define MAX_SDP_LINES 1024

/* Syntax */

gboolean
_msrp_sdp_is_token (const char *s,
                    gsize       len)
{
  return len > 0 && _msrp_is_token (s, len);
}

/* A token that may hold '/', as the protocol of an m= line. */
gboolean
_msrp_sdp_is_protocol (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (*s != '/' && !_msrp_is_token_char (*s))
      return FALSE;
  return TRUE;
}

gboolean
_msrp_sdp_is_msrp_protocol (const char *protocol)
{
  gsize len = strlen (protocol);

  return len >= 5 && g_ascii_strcasecmp (protocol + len - 5, "/MSRP") == 0;
}

/* Text on one line: UTF-8 without control characters but tab. */
gboolean
_msrp_sdp_is_line_text (const char *s)
{
  return _msrp_is_header_value (s);
}

gboolean
_msrp_sdp_parse_decimal (const char *s,
                         gint64      max,
                         gint64     *out)
{
  guint64 value;

  if (!_msrp_parse_decimal (&s, NULL, max, &value) || *s != '\0')
    return FALSE;
  *out = value;
  return TRUE;
}

/* "start-stop" or "start-*", 1-based (RFC 5547 section 6). */
gboolean
_msrp_sdp_parse_file_range (const char *value,
                            gint64     *start,
                            gint64     *stop)
{
  const char *dash = strchr (value, '-');
  g_autofree char *first = NULL;

  if (dash == NULL)
    return FALSE;
  first = g_strndup (value, dash - value);
  if (!_msrp_sdp_parse_decimal (first, G_MAXINT64, start) || *start < 1)
    return FALSE;
  if (strcmp (dash + 1, "*") == 0)
    {
      *stop = -1;
      return TRUE;
    }
  return _msrp_sdp_parse_decimal (dash + 1, G_MAXINT64, stop) && *stop >= *start;
}

/* RFC 8122 section 5: hash-func SP 2HEX *(":" 2HEX). */
gboolean
_msrp_sdp_is_fingerprint (const char *value)
{
  const char *space = strchr (value, ' ');
  const char *p;

  if (space == NULL || !_msrp_sdp_is_token (value, space - value))
    return FALSE;
  for (p = space + 1;; p += 3)
    {
      if (!g_ascii_isxdigit (p[0]) || !g_ascii_isxdigit (p[1]))
        return FALSE;
      if (p[2] == '\0')
        return TRUE;
      if (p[2] != ':')
        return FALSE;
    }
}

gboolean
_msrp_sdp_is_setup (const char *value)
{
  return g_ascii_strcasecmp (value, "active") == 0 || g_ascii_strcasecmp (value, "passive") == 0 ||
         g_ascii_strcasecmp (value, "actpass") == 0 || g_ascii_strcasecmp (value, "holdconn") == 0;
}

char **
_msrp_sdp_split_types (const char *value)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  g_auto(GStrv) parts = g_strsplit_set (value, " \t", -1);
  char **types;

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_strv_builder_add (builder, parts[i]);
  types = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return types;
}

/* A media type of accept-types: `*`, type/(star) or type/subtype; a few
 * peers add parameters, which are kept. */
gboolean
_msrp_sdp_is_accept_type (const char *type)
{
  if (*type == '\0')
    return FALSE;
  for (const char *p = type; *p; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p == 0x7f)
      return FALSE;
  return TRUE;
}

/* Checks the value of an attribute this object interprets; on failure
 * the error says what is wrong, for the parser to name the line. */
gboolean
_msrp_sdp_check_attribute (const char *name,
                           const char *value,
                           GError    **error)
{
  const KnownAttribute *known = _msrp_sdp_find_known (name);
  const char *reason = NULL;
  gint64 start, stop;

  if (known == NULL)
    return TRUE;
  if (value == NULL)
    {
      if (!known->needs_value)
        return TRUE;
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP,
                   _("a=%s has no value"), known->name);
      return FALSE;
    }

  switch (known->prop)
    {
    case PROP_PATH:
      {
        g_autoptr(GPtrArray) path = NULL;
        GError *local_error = NULL;

        path = msrp_path_parse (value, &local_error);
        if (path == NULL)
          {
            g_propagate_prefixed_error (error, local_error, _("a=path is not a list of MSRP URIs: "));
            if (error != NULL)
              (*error)->code = MSRP_ERROR_MALFORMED_SDP;
            return FALSE;
          }
      }
      break;
    case PROP_ACCEPT_TYPES:
    case PROP_ACCEPT_WRAPPED_TYPES:
      {
        g_auto(GStrv) types = _msrp_sdp_split_types (value);

        if (types[0] == NULL)
          reason = _("the value lists no media type");
      }
      break;
    case PROP_MAX_SIZE:
      if (!_msrp_sdp_parse_decimal (value, G_MAXINT64, &start))
        reason = _("the value is not a number of bytes");
      break;
    case PROP_SETUP:
      if (!_msrp_sdp_is_setup (value))
        reason = _("the value is not active, passive, actpass or holdconn");
      break;
    case PROP_FINGERPRINT:
      if (!_msrp_sdp_is_fingerprint (value))
        reason = _("the value is not a hash function and hex bytes (sha-256 AB:CD:…)");
      break;
    case PROP_FILE_SELECTOR:
      {
        g_autoptr(MsrpFileSelector) selector = NULL;
        GError *local_error = NULL;

        selector = msrp_file_selector_parse (value, &local_error);
        if (selector == NULL)
          {
            g_propagate_prefixed_error (error, local_error, "a=file-selector: ");
            return FALSE;
          }
      }
      break;
    case PROP_FILE_RANGE_START:
      if (!_msrp_sdp_parse_file_range (value, &start, &stop))
        reason = _("the value is not a range of bytes from 1 (start-stop or start-*)");
      break;
    default:
      break;
    }

  if (reason != NULL)
    {
      /* TRANSLATORS: the first %s is an attribute name, the second says
       * what is wrong with its value */
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP, _("a=%s is invalid: %s"),
                   known->name, reason);
      return FALSE;
    }
  return TRUE;
}

/* c=IN IP4 address, or IP6; returns the address. */
char *
_msrp_sdp_parse_connection (const char *value)
{
  g_auto(GStrv) fields = g_strsplit (value, " ", -1);

  if (g_strv_length (fields) != 3 || !_msrp_sdp_is_token (fields[0], strlen (fields[0])) ||
      !_msrp_sdp_is_token (fields[1], strlen (fields[1])) || *fields[2] == '\0')
    return NULL;
  return g_strdup (fields[2]);
}

/* Parsing */

typedef struct
{
  guint number;
  const char *text;    /* the line without its end, NUL-terminated */
} Line;

static gboolean
line_error (GError    **error,
            guint       number,
            const char *reason)
{
  /* TRANSLATORS: the second %s says what is wrong with the line */
  g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP,
               _("Line %u of the SDP is invalid: %s"), number, reason);
  return FALSE;
}

static gboolean
line_error_from (GError **error,
                 guint    number,
                 GError  *cause)
{
  line_error (error, number, cause->message);
  g_error_free (cause);
  return FALSE;
}

/* m=<media> <port>[/<count>] <proto> <fmt> ... */
static MsrpSdpMedia *
parse_media_line (const char *value,
                  guint       number,
                  GError    **error)
{
  g_autoptr(MsrpSdpMedia) self = NULL;
  g_auto(GStrv) fields = g_strsplit (value, " ", 4);
  const char *slash;
  g_autofree char *port_text = NULL;
  gint64 port, count;

  if (g_strv_length (fields) != 4 || !_msrp_sdp_is_token (fields[0], strlen (fields[0])) ||
      !_msrp_sdp_is_protocol (fields[2]) || *fields[3] == '\0' || *fields[3] == ' ')
    return line_error (error, number, _("the m= line is not “m=media port protocol formats”")), NULL;

  slash = strchr (fields[1], '/');
  port_text = slash ? g_strndup (fields[1], slash - fields[1]) : g_strdup (fields[1]);
  if (!_msrp_sdp_parse_decimal (port_text, G_MAXUINT16, &port) ||
      (slash != NULL && !_msrp_sdp_parse_decimal (slash + 1, G_MAXUINT16, &count)))
    return line_error (error, number, _("the port of the m= line is not a number from 0 to 65535")), NULL;

  self = g_object_new (MSRP_TYPE_SDP_MEDIA, "media", fields[0], NULL);
  self->port = port;
  self->port_count = g_strdup (slash);
  g_free (self->protocol);
  self->protocol = g_strdup (fields[2]);
  g_free (self->formats);
  self->formats = g_strdup (fields[3]);
  return g_steal_pointer (&self);
}

/* Splits the input into checked lines: text, bounded, every line of the
 * form x=... . Lines point into a copy owned by *storage. */
static GArray *
split_lines (const char *sdp,
             char      **storage,
             GError    **error)
{
  g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (Line));
  gsize len = strnlen (sdp, MAX_SDP_SIZE + 1);
  const char *invalid;
  char *p, *end;
  guint number = 0;

  if (len > MAX_SDP_SIZE)
    {
      g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP,
                   _("The SDP is larger than %u bytes"), (guint) MAX_SDP_SIZE);
      return NULL;
    }
  if (!g_utf8_validate (sdp, len, &invalid))
    {
      guint at = 1;

      for (const char *q = sdp; q < invalid; q++)
        at += *q == '\n';
      line_error (error, at, _("the line is not UTF-8"));
      return NULL;
    }

  *storage = p = g_strndup (sdp, len);
  end = p + len;
  while (p < end)
    {
      char *lf = memchr (p, '\n', end - p);
      char *line_end = lf ? lf : end;
      Line line;

      if (line_end > p && line_end[-1] == '\r')
        line_end--;
      *line_end = '\0';
      line.number = ++number;
      line.text = p;
      p = lf ? lf + 1 : end;

      if (number > MAX_SDP_LINES)
        {
          g_set_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP,
                       _("The SDP has more than %u lines"), (guint) MAX_SDP_LINES);
          return NULL;
        }
      if (*line.text == '\0')
        {
          /* blank lines may end the body, as some stacks add one */
          const char *rest = p;

          while (rest < end && (*rest == '\r' || *rest == '\n'))
            rest++;
          if (rest == end)
            break;
          line_error (error, number, _("the line is empty"));
          return NULL;
        }
      if (!g_ascii_isalpha (line.text[0]) || line.text[1] != '=')
        {
          line_error (error, number, _("the line is not of the form x=value"));
          return NULL;
        }
      if (!_msrp_sdp_is_line_text (line.text))
        {
          line_error (error, number, _("the line has control characters"));
          return NULL;
        }
      g_array_append_val (lines, line);
    }

  if (lines->len == 0)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP, _("The SDP is empty"));
      return NULL;
    }
  return g_steal_pointer (&lines);
}

/* Reads an a= line into name and value (NULL for a flag). */
static gboolean
split_attribute (const Line *line,
                 char      **name,
                 char      **value,
                 GError    **error)
{
  const char *text = line->text + 2;
  const char *colon = strchr (text, ':');
  gsize name_len = colon ? (gsize) (colon - text) : strlen (text);

  if (!_msrp_sdp_is_token (text, name_len))
    return line_error (error, line->number, _("the attribute has no valid name (a=name:value)"));
  *name = g_strndup (text, name_len);
  *value = colon ? g_strdup (colon + 1) : NULL;
  return TRUE;
}

static gboolean
parse_media_attribute (MsrpSdpMedia *self,
                       const Line   *line,
                       GError      **error)
{
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;
  GError *local_error = NULL;

  if (!split_attribute (line, &name, &value, error))
    return FALSE;
  if (!_msrp_sdp_check_attribute (name, value, &local_error))
    return line_error_from (error, line->number, local_error);
  g_ptr_array_add (self->lines, _msrp_sdp_sdp_line_new ('a', name, value));
  return TRUE;
}

/* What the session level gives every media section. */
typedef struct
{
  char *connection;    /* the c= value */
  char *setup;
  char *fingerprint;
} SessionLevel;

static void
session_level_clear (SessionLevel *session)
{
  g_free (session->connection);
  g_free (session->setup);
  g_free (session->fingerprint);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SessionLevel, session_level_clear)

static gboolean
parse_session_line (SessionLevel *session,
                    const Line   *line,
                    GError      **error)
{
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;
  GError *local_error = NULL;

  if (line->text[0] == 'c')
    {
      g_autofree char *address = _msrp_sdp_parse_connection (line->text + 2);

      if (address == NULL)
        return line_error (error, line->number, _("the c= line is not “c=IN IP4 address” or “c=IN IP6 address”"));
      if (session->connection == NULL)
        session->connection = g_strdup (line->text + 2);
      return TRUE;
    }
  if (line->text[0] != 'a')
    return TRUE;

  if (!split_attribute (line, &name, &value, error))
    return FALSE;
  if (g_ascii_strcasecmp (name, "setup") != 0 && g_ascii_strcasecmp (name, "fingerprint") != 0)
    return TRUE;
  if (!_msrp_sdp_check_attribute (name, value, &local_error))
    return line_error_from (error, line->number, local_error);
  if (g_ascii_strcasecmp (name, "setup") == 0 && session->setup == NULL)
    session->setup = g_steal_pointer (&value);
  else if (g_ascii_strcasecmp (name, "fingerprint") == 0 && session->fingerprint == NULL)
    session->fingerprint = g_steal_pointer (&value);
  return TRUE;
}

/* The session-level lines that apply to the media when it has none. */
static void
apply_session_level (MsrpSdpMedia *self,
                     SessionLevel *session)
{
  if (session->connection != NULL && _msrp_sdp_find_line (self, 'c') == NULL)
    {
      guint i = 0;

      /* c= follows i= (RFC 4566 section 5) */
      while (i < self->lines->len && ((SdpLine *) g_ptr_array_index (self->lines, i))->type == 'i')
        i++;
      g_ptr_array_insert (self->lines, i, _msrp_sdp_sdp_line_new ('c', NULL, session->connection));
    }
  if (session->setup != NULL && _msrp_sdp_find_attribute (self, "setup") == NULL)
    _msrp_sdp_insert_attribute (self, _msrp_sdp_sdp_line_new ('a', "setup", session->setup));
  if (session->fingerprint != NULL && _msrp_sdp_find_attribute (self, "fingerprint") == NULL)
    _msrp_sdp_insert_attribute (self, _msrp_sdp_sdp_line_new ('a', "fingerprint", session->fingerprint));
}

/**
 * msrp_sdp_media_parse:
 * @sdp: an SDP media section, from its `m=` line, or a whole SDP body
 *   (from `v=`); lines may end in CRLF or LF
 * @error: return location for a #GError
 *
 * Parses the first MSRP media section of @sdp: the first whose protocol
 * ends in `/MSRP`. In a whole body, the session-level `c=`, `a=setup` and
 * `a=fingerprint` apply to the media section when it has none of its own
 * (RFC 4566, RFC 4145, RFC 8122), and become part of it.
 *
 * Returns: (transfer full): the media section, or %NULL with @error set
 *   to %MSRP_ERROR_MALFORMED_SDP, with a message that names the line
 *
 * Since: 1.0
 */
MsrpSdpMedia *
msrp_sdp_media_parse (const char *sdp,
                      GError    **error)
{
  g_autofree char *storage = NULL;
  g_autoptr(GArray) lines = NULL;
  g_autoptr(MsrpSdpMedia) self = NULL;
  g_auto(SessionLevel) session = { NULL, NULL, NULL };
  gboolean in_session, skipping = FALSE;

  g_return_val_if_fail (sdp != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lines = split_lines (sdp, &storage, error);
  if (lines == NULL)
    return NULL;

  in_session = g_array_index (lines, Line, 0).text[0] != 'm';
  if (in_session && g_array_index (lines, Line, 0).text[0] != 'v')
    {
      line_error (error, 1, _("an SDP body starts with v= and a media section with m="));
      return NULL;
    }

  for (guint i = 0; i < lines->len; i++)
    {
      const Line *line = &g_array_index (lines, Line, i);

      if (line->text[0] == 'm')
        {
          g_autoptr(MsrpSdpMedia) media = parse_media_line (line->text + 2, line->number, error);

          if (media == NULL)
            return NULL;
          in_session = FALSE;
          if (self != NULL)
            break;
          skipping = !_msrp_sdp_is_msrp_protocol (media->protocol);
          if (!skipping)
            self = g_steal_pointer (&media);
          continue;
        }

      if (in_session)
        {
          if (!parse_session_line (&session, line, error))
            return NULL;
        }
      else if (skipping)
        continue;
      else if (line->text[0] == 'a')
        {
          if (!parse_media_attribute (self, line, error))
            return NULL;
        }
      else
        {
          g_autofree char *address = NULL;

          if (line->text[0] == 'c' && (address = _msrp_sdp_parse_connection (line->text + 2)) == NULL)
            {
              line_error (error, line->number, _("the c= line is not “c=IN IP4 address” or “c=IN IP6 address”"));
              return NULL;
            }
          g_ptr_array_add (self->lines, _msrp_sdp_sdp_line_new (line->text[0], NULL, line->text + 2));
        }
    }

  if (self == NULL)
    {
      g_set_error_literal (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP,
                           _("The SDP has no MSRP media section (m=message … TCP/MSRP *)"));
      return NULL;
    }
  apply_session_level (self, &session);
  _msrp_sdp_sync_all_caches (self);
  return g_steal_pointer (&self);
}

