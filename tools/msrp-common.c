/* msrp-common.c: what the commands of the `msrp` tool share: errors and
 * exit statuses, option parsing, the relay options, sizes and stats lines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixoutputstream.h>

#include "msrp-tool-private.h"

GMainLoop *loop;
int exit_status = EXIT_SUCCESS;
const char *program_name = "msrp";

/* Every error is one line on stderr, so that scripts can show it as is. */
void
print_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_strdelimit (message, "\r\n", ' ');
  fprintf (stderr, "%s: %s\n", program_name, g_strstrip (message));
  fflush (stderr);
}

/* The exit status for a failure (see EXIT_STATUS_HELP). */
int
exit_code_for (const GError *error)
{
  if (error->domain == MSRP_ERROR)
    {
      switch (error->code)
        {
        case MSRP_ERROR_AUTH_FAILED:
          return EXIT_AUTH;
        case MSRP_ERROR_RELAY_NOT_FOUND:
          return EXIT_UNREACHABLE;
        case MSRP_ERROR_FINGERPRINT_MISMATCH:
          return EXIT_TLS;
        case MSRP_ERROR_INVALID_FINGERPRINT:
          return EXIT_USAGE;
        default:
          return EXIT_FAILURE;
        }
    }
  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) ||
      g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED))
    return EXIT_TLS;
  if (error->domain == G_RESOLVER_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    return EXIT_UNREACHABLE;
  return EXIT_FAILURE;
}

/* Records the first failure of a command and stops its main loop. */
void
fail (const GError *error)
{
  if (exit_status == EXIT_SUCCESS)
    {
      print_error ("%s", error->message);
      exit_status = exit_code_for (error);
    }
  if (loop != NULL)
    g_main_loop_quit (loop);
}

/* Parses a byte count such as 100, 64K, 1M or 2GiB (powers of 1024). */
gboolean
parse_size (const char *option,
            const char *text,
            guint64    *size)
{
  guint64 value, multiplier = 1;
  char *end = NULL;

  if (!g_ascii_isdigit (text[0]))
    goto invalid;
  errno = 0;
  value = g_ascii_strtoull (text, &end, 10);
  if (errno != 0)
    goto invalid;
  switch (g_ascii_toupper (*end))
    {
    case 'K':
      multiplier = G_GUINT64_CONSTANT (1) << 10;
      break;
    case 'M':
      multiplier = G_GUINT64_CONSTANT (1) << 20;
      break;
    case 'G':
      multiplier = G_GUINT64_CONSTANT (1) << 30;
      break;
    case '\0':
    case 'B':
      break;
    default:
      goto invalid;
    }
  if (multiplier > 1)
    {
      end++;
      if (*end == 'i')
        end++;
    }
  if (g_ascii_toupper (*end) == 'B')
    end++;
  if (*end != '\0' || value > G_MAXUINT64 / multiplier)
    goto invalid;
  *size = value * multiplier;
  return TRUE;

invalid:
  print_error (_("invalid size for %s: '%s' (a number of bytes, with an optional K, M or G suffix)"),
               option, text);
  return FALSE;
}

/* The peak resident set size of this process, in KiB (0 when unknown). */
static guint64
read_vmhwm_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  /* procfs is in memory: reading it does not block. */
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "\nVmHWM:");
  if (line == NULL)
    return 0;
  line += strlen ("\nVmHWM:");
  while (g_ascii_isspace (*line))
    line++;
  return g_ascii_strtoull (line, NULL, 10);
}

void
fill_random (GRand  *rand,
             guint8 *data,
             gsize   size)
{
  gsize i;

  for (i = 0; i + 4 <= size; i += 4)
    {
      guint32 value = g_rand_int (rand);

      memcpy (data + i, &value, 4);
    }
  for (; i < size; i++)
    data[i] = g_rand_int (rand) & 0xff;
}

double
seconds_between (gint64 start,
                 gint64 end)
{
  return MAX (end - start, 1) / (double) G_USEC_PER_SEC;
}

/* A number formatted for machines: "." as decimal point whatever the locale. */
const char *
format_double (char   *buffer,
               double  value)
{
  return g_ascii_formatd (buffer, G_ASCII_DTOSTR_BUF_SIZE, "%.6f", value);
}

MsrpLogger *
new_stderr_logger (void)
{
  g_autoptr(GOutputStream) stream = g_unix_output_stream_new (STDERR_FILENO, FALSE);

  return msrp_file_logger_new (stream);
}

/* Accepts "a=path:..." and "a=fingerprint:..." lines as printed by listen. */
const char *
skip_prefix (const char *text,
             const char *prefix)
{
  return g_str_has_prefix (text, prefix) ? text + strlen (prefix) : text;
}

/* Checks the form of a fingerprint option at once, so that a typo is a
 * usage error rather than a failed handshake later. Any certificate tells a
 * malformed fingerprint from a mismatch: without one, a throwaway one. */
gboolean
check_fingerprint_option (const char      *option,
                          const char      *fingerprint,
                          GTlsCertificate *certificate)
{
  g_autoptr(GTlsCertificate) throwaway = NULL;
  g_autoptr(GError) error = NULL;

  if (certificate == NULL)
    {
      certificate = throwaway = msrp_tls_certificate_new_self_signed ("msrp", &error);
      if (certificate == NULL)
        return TRUE;  /* the real use reports it */
    }
  if (msrp_tls_certificate_matches_fingerprint (certificate, fingerprint, &error) ||
      !g_error_matches (error, MSRP_ERROR, MSRP_ERROR_INVALID_FINGERPRINT))
    return TRUE;
  print_error ("%s: %s", option, error->message);
  return FALSE;
}

void
relay_options_clear (RelayOptions *o)
{
  g_clear_pointer (&o->uri, g_free);
  g_clear_pointer (&o->user, g_free);
  g_clear_pointer (&o->digest_uri, g_free);
  g_clear_pointer (&o->fingerprint, g_free);
  g_clear_pointer (&o->presented, g_free);
  g_clear_object (&o->settings);
}

/* Makes o->settings from the options (when --relay is given); on a usage
 * error prints it and returns FALSE. */
gboolean
relay_options_check (RelayOptions *o,
                     const char   *command)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpUri) uri = NULL;
  g_autofree char *name = NULL;
  const char *colon, *host;
  MsrpDigestUriMode mode = MSRP_DIGEST_URI_AUTO;

  if (o->uri == NULL)
    {
      if (o->user != NULL || o->digest_uri != NULL || o->fingerprint != NULL)
        {
          print_error (_("--relay-user, --relay-digest-uri and --relay-fingerprint need --relay URI (see 'msrp %s --help')"),
                       command);
          return FALSE;
        }
      return TRUE;
    }

  uri = msrp_uri_parse (o->uri, &error);
  if (uri == NULL)
    {
      print_error ("--relay: %s", error->message);
      return FALSE;
    }
  if (msrp_uri_get_session_id (uri) != NULL)
    {
      print_error (_("--relay wants the relay's own URI, without a session id (msrp[s]://HOST[:PORT];tcp), not '%s'"),
                   o->uri);
      return FALSE;
    }
  colon = o->user != NULL ? strchr (o->user, ':') : NULL;
  if (colon == NULL || colon == o->user)
    {
      print_error (_("--relay needs --relay-user NAME:PASSWORD (see 'msrp %s --help')"), command);
      return FALSE;
    }
  if (o->digest_uri == NULL || strcmp (o->digest_uri, "auto") == 0)
    mode = MSRP_DIGEST_URI_AUTO;
  else if (strcmp (o->digest_uri, "include") == 0)
    mode = MSRP_DIGEST_URI_INCLUDE;
  else if (strcmp (o->digest_uri, "omit") == 0)
    mode = MSRP_DIGEST_URI_OMIT;
  else
    {
      print_error (_("--relay-digest-uri wants include, omit or auto, not '%s'"), o->digest_uri);
      return FALSE;
    }
  if (o->fingerprint != NULL && !msrp_uri_get_use_tls (uri))
    {
      print_error (_("--relay-fingerprint needs an msrps: relay URI"));
      return FALSE;
    }
  if (o->fingerprint != NULL && g_str_has_prefix (o->fingerprint, "a=fingerprint:"))
    {
      char *stripped = g_strdup (skip_prefix (o->fingerprint, "a=fingerprint:"));

      g_free (o->fingerprint);
      o->fingerprint = stripped;
    }
  if (o->fingerprint != NULL && g_file_test (o->fingerprint, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_file (o->fingerprint, &error);

      if (certificate == NULL)
        {
          print_error ("--relay-fingerprint: %s", error->message);
          return FALSE;
        }
      g_free (o->fingerprint);
      o->fingerprint = msrp_tls_certificate_get_fingerprint (certificate, G_CHECKSUM_SHA256);
    }
  else if (o->fingerprint != NULL && !check_fingerprint_option ("--relay-fingerprint", o->fingerprint, NULL))
    return FALSE;

  host = msrp_uri_get_host (uri);
  name = g_strndup (o->user, colon - o->user);
  o->settings = msrp_relay_settings_new (host, name, colon + 1);
  /* A host name without a port is for DNS SRV (RFC 4976 section 6). */
  if (msrp_uri_get_port (uri) != 0 || g_hostname_is_ip_address (host))
    {
      msrp_relay_settings_set_host (o->settings, host);
      msrp_relay_settings_set_port (o->settings, msrp_uri_get_port (uri) != 0 ? msrp_uri_get_port (uri) : 2855);
    }
  msrp_relay_settings_set_use_tls (o->settings, msrp_uri_get_use_tls (uri));
  /* RFC 7977: a ;ws relay URI is reached over a WebSocket. */
  if (g_ascii_strcasecmp (msrp_uri_get_transport (uri), "ws") == 0)
    msrp_relay_settings_set_transport (o->settings, "ws");
  msrp_relay_settings_set_digest_uri_mode (o->settings, mode);
  return TRUE;
}

static gboolean
relay_on_accept_certificate (MsrpConnector        *connector,
                             GTlsCertificate      *certificate,
                             GTlsCertificateFlags  errors,
                             gpointer              user_data)
{
  RelayOptions *o = user_data;

  if (o->fingerprint != NULL ? msrp_tls_certificate_matches_fingerprint (certificate, o->fingerprint, NULL)
                             : errors == 0)
    return TRUE;
  g_free (o->presented);
  o->presented = msrp_tls_certificate_get_fingerprint (certificate, G_CHECKSUM_SHA256);
  return FALSE;
}

/* A connector or acceptor through the relay. */
MsrpConnector *
relay_options_new_connector (RelayOptions *o,
                             gboolean      acceptor,
                             MsrpLogger   *logger)
{
  MsrpConnector *connector = acceptor ? msrp_acceptor_relay_new (o->settings)
                                      : msrp_connector_relay_new (o->settings);

  /* Without a fingerprint, the same check as the library's (the system's
   * CAs), but the certificate rejected is remembered for the message. */
  if (msrp_relay_settings_get_use_tls (o->settings))
    g_signal_connect (connector, "accept-certificate", G_CALLBACK (relay_on_accept_certificate), o);
  if (logger != NULL)
    g_object_set (connector, "logger", logger, NULL);
  return connector;
}

/* Prints a failure to reach or use the relay, with what helps to fix it;
 * returns the exit status. */
int
relay_print_error (RelayOptions *o,
                   const GError *error)
{
  int code = exit_code_for (error);

  if (o->presented != NULL && o->fingerprint != NULL)
    {
      print_error (_("the relay's TLS certificate (%s) does not match --relay-fingerprint"), o->presented);
      return EXIT_TLS;
    }
  if (o->presented != NULL)
    {
      print_error (_("the relay's TLS certificate (%s) is not trusted by the system's CAs"
                     " (for a self-signed relay, give its fingerprint with --relay-fingerprint)"), o->presented);
      return EXIT_TLS;
    }
  if (code == EXIT_AUTH)
    print_error (_("relay %s: %s (check --relay-user)"), o->uri, error->message);
  else if (error->domain == MSRP_ERROR && error->code == MSRP_ERROR_RELAY_NOT_FOUND)
    print_error ("%s", error->message);
  else if (code == EXIT_UNREACHABLE)
    print_error (_("cannot reach the relay %s: %s"), o->uri, error->message);
  else
    print_error (_("relay %s: %s"), o->uri, error->message);
  return code;
}

/* What the user typed to run @command: "msrp send", or "msrp-bench". */
static char *
command_line_name (const Command *command)
{
  if (command->name == NULL)
    return g_strdup (program_name);
  return g_strdup_printf ("%s %s", program_name, command->name);
}

/* Parses the options of @command; on failure prints the error and returns
 * FALSE. */
gboolean
parse_command_line (const Command *command,
                    GOptionEntry  *entries,
                    int           *argc,
                    char        ***argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (command->parameters);
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = command_line_name (command);
  g_autoptr(GString) description = g_string_new (_(command->description));

  if (command->relay_description != NULL)
    g_string_append_printf (description, "\n%s%s", _(RELAY_HELP), _(command->relay_description));
  if (command->exit_help)
    g_string_append_printf (description, "\n%s", _(EXIT_STATUS_HELP));
  if (command->examples != NULL)
    g_string_append_printf (description, "\n%s\n%s", _("Examples:"), command->examples);

  g_set_prgname (prgname);
  g_option_context_set_summary (context, _(command->summary));
  g_option_context_set_description (context, description->str);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      print_error (_("%s (see '%s --help')"), error->message, prgname);
      return FALSE;
    }
  return TRUE;
}

gboolean
no_arguments (const Command *command,
              int            argc,
              char         **argv)
{
  g_autofree char *name = NULL;

  if (argc <= 1)
    return TRUE;
  name = command_line_name (command);
  print_error (_("unexpected argument '%s' (see '%s --help')"), argv[1], name);
  return FALSE;
}

void
print_stats (guint64 messages,
             guint64 bytes,
             double  seconds)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  printf (STATS_PREFIX "messages=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT
          " seconds=%s vmhwm_kb=%" G_GUINT64_FORMAT "\n",
          messages, bytes, format_double (number, seconds), read_vmhwm_kb ());
  fflush (stdout);
}

/* JSON lines (--json): a small writer, for the few kinds of values the
 * commands print */

GString *
json_begin (const char *event)
{
  GString *out = g_string_new ("{\"event\":\"");

  g_string_append (out, event);
  g_string_append_c (out, '"');
  return out;
}

void
json_add_string (GString    *out,
                 const char *key,
                 const char *value)
{
  g_autofree char *valid = NULL;

  g_string_append_printf (out, ",\"%s\":", key);
  if (value == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  valid = g_utf8_make_valid (value, -1);
  g_string_append_c (out, '"');
  for (const char *p = valid; *p != '\0'; p++)
    {
      guchar c = *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, c);
        }
    }
  g_string_append_c (out, '"');
}

void
json_add_uint (GString    *out,
               const char *key,
               guint64     value)
{
  g_string_append_printf (out, ",\"%s\":%" G_GUINT64_FORMAT, key, value);
}

void
json_add_double (GString    *out,
                 const char *key,
                 double      value)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (out, ",\"%s\":%s", key, format_double (number, value));
}

void
json_end (GString *out)
{
  g_string_append (out, "}\n");
  fwrite (out->str, 1, out->len, stdout);
  fflush (stdout);
  g_string_free (out, TRUE);
}

/* The SDP media through files, instead of SIP (`msrp chat`, `msrp file`) */

struct _MediaWait {
  gatomicrefcount ref;
  GFile *file;
  GFileMonitor *monitor;
  GCancellable *cancellable;
  MediaWaitFunc callback;
  gpointer user_data;
  gboolean stopped;
  gboolean loading;
  gboolean load_again;
  gboolean load_final;       /* the file is complete: a parse error is final */
  GError *error;             /* the directory cannot be watched */
};

static MediaWait *
media_wait_ref (MediaWait *wait)
{
  g_atomic_ref_count_inc (&wait->ref);
  return wait;
}

static void
media_wait_unref (MediaWait *wait)
{
  if (!g_atomic_ref_count_dec (&wait->ref))
    return;
  g_object_unref (wait->file);
  g_object_unref (wait->cancellable);
  g_clear_error (&wait->error);
  g_free (wait);
}

static void
media_wait_stop (MediaWait *wait)
{
  wait->stopped = TRUE;
  if (wait->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (wait->monitor, wait);
      g_file_monitor_cancel (wait->monitor);
      g_clear_object (&wait->monitor);
    }
}

/* Reports @message about the file, once. */
static void
media_wait_error (MediaWait  *wait,
                  const char *message)
{
  g_autofree char *name = g_file_get_parse_name (wait->file);
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", name, message);

  media_wait_stop (wait);
  wait->callback (NULL, error, wait->user_data);
}

static void media_wait_load (MediaWait *wait, gboolean final);

static void
on_media_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  MediaWait *wait = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(MsrpSdpMedia) media = NULL;
  gboolean final = wait->load_final;

  wait->loading = FALSE;
  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, NULL, NULL, &error))
    {
      if (wait->stopped || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        goto out;
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          media_wait_error (wait, error->message);
          goto out;
        }
    }
  else if (wait->stopped)
    goto out;
  else if ((media = msrp_sdp_media_parse (contents, &error)) != NULL)
    {
      media_wait_stop (wait);
      wait->callback (media, NULL, wait->user_data);
      goto out;
    }
  else if (final && !wait->load_again)
    {
      media_wait_error (wait, error->message);
      goto out;
    }
  /* Not there, or still being written: more events come. */
  if (wait->load_again)
    media_wait_load (wait, wait->load_final);
out:
  media_wait_unref (wait);
}

static void
media_wait_load (MediaWait *wait,
                 gboolean   final)
{
  if (wait->stopped)
    return;
  if (wait->loading)
    {
      wait->load_again = TRUE;
      wait->load_final |= final;
      return;
    }
  wait->loading = TRUE;
  wait->load_again = FALSE;
  wait->load_final = final;
  g_file_load_contents_async (wait->file, wait->cancellable, on_media_loaded, media_wait_ref (wait));
}

static void
on_media_directory_changed (GFileMonitor      *monitor,
                            GFile             *file,
                            GFile             *other,
                            GFileMonitorEvent  event,
                            gpointer           user_data)
{
  MediaWait *wait = user_data;

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CREATED:
      if (g_file_equal (file, wait->file))
        media_wait_load (wait, FALSE);
      break;
    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
      if (g_file_equal (file, wait->file))
        media_wait_load (wait, TRUE);
      break;
    case G_FILE_MONITOR_EVENT_RENAMED:
      if (other != NULL && g_file_equal (other, wait->file))
        media_wait_load (wait, TRUE);
      break;
    default:
      break;
    }
}

static gboolean
on_media_wait_error (gpointer user_data)
{
  MediaWait *wait = user_data;

  if (!wait->stopped && !g_cancellable_is_cancelled (wait->cancellable))
    media_wait_error (wait, wait->error->message);
  return G_SOURCE_REMOVE;
}

/* Waits, without polling, until @file holds SDP media, then calls
 * @callback once: with the media, or with an error about the file. A
 * cancelled or freed wait calls nothing. */
MediaWait *
media_wait_new (GFile         *file,
                GCancellable  *cancellable,
                MediaWaitFunc  callback,
                gpointer       user_data)
{
  MediaWait *wait = g_new0 (MediaWait, 1);
  g_autoptr(GFile) directory = g_file_get_parent (file);
  g_autoptr(GError) error = NULL;

  g_atomic_ref_count_init (&wait->ref);
  wait->file = g_object_ref (file);
  wait->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  wait->callback = callback;
  wait->user_data = user_data;
  wait->monitor = g_file_monitor_directory (directory, G_FILE_MONITOR_WATCH_MOVES, wait->cancellable, &error);
  if (wait->monitor == NULL)
    {
      /* Reported from the main loop, as every other outcome. */
      wait->error = g_steal_pointer (&error);
      g_idle_add_full (G_PRIORITY_DEFAULT, on_media_wait_error, media_wait_ref (wait),
                       (GDestroyNotify) media_wait_unref);
      return wait;
    }
  g_signal_connect (wait->monitor, "changed", G_CALLBACK (on_media_directory_changed), wait);
  /* It may be there already. */
  media_wait_load (wait, TRUE);
  return wait;
}

void
media_wait_free (MediaWait *wait)
{
  if (wait == NULL)
    return;
  media_wait_stop (wait);
  media_wait_unref (wait);
}

typedef struct {
  GFile *file;
  GFile *temporary;
  MediaWrittenFunc then;
  gpointer user_data;
  GCancellable *cancellable;
} Writing;

static void
writing_free (Writing *writing)
{
  g_object_unref (writing->file);
  g_object_unref (writing->temporary);
  g_clear_object (&writing->cancellable);
  g_free (writing);
}

static void
writing_failed (Writing      *writing,
                const GError *error)
{
  g_autofree char *name = NULL;
  g_autoptr(GError) about = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      writing->then (error, writing->user_data);
      return;
    }
  name = g_file_get_parse_name (writing->file);
  about = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", name, error->message);
  writing->then (about, writing->user_data);
}

static void
on_media_moved (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Writing *writing = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_move_finish (G_FILE (source), result, &error))
    {
      writing_failed (writing, error);
      g_file_delete_async (writing->temporary, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
    }
  else
    writing->then (NULL, writing->user_data);
  writing_free (writing);
}

static void
on_media_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Writing *writing = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      writing_failed (writing, error);
      writing_free (writing);
      return;
    }
  /* A rename, so that the peer never reads half a file. */
  g_file_move_async (writing->temporary, writing->file, G_FILE_COPY_OVERWRITE, G_PRIORITY_DEFAULT,
                     writing->cancellable, NULL, NULL, on_media_moved, writing);
}

/* Writes @media to @file (NULL: standard output, as an @event with
 * --json), then calls @then with NULL, or with an error about the file
 * (G_IO_ERROR_CANCELLED as is). */
void
media_write (GFile            *file,
             MsrpSdpMedia     *media,
             gboolean          json,
             const char       *event,
             GCancellable     *cancellable,
             MediaWrittenFunc  then,
             gpointer          user_data)
{
  g_autofree char *sdp = msrp_sdp_media_to_string (media);
  g_autoptr(GFile) directory = NULL;
  g_autofree char *base = NULL;
  g_autofree char *temporary_name = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  Writing *writing;

  if (file == NULL)
    {
      if (json)
        {
          GString *out = json_begin (event);

          json_add_string (out, "sdp", sdp);
          json_end (out);
        }
      else
        {
          g_autofree char *lf = NULL;
          g_auto(GStrv) lines = g_strsplit (sdp, "\r\n", -1);

          /* Lines for a terminal; the parser takes LF as well as CRLF. */
          lf = g_strjoinv ("\n", lines);
          printf ("%s\n", lf);
          fflush (stdout);
        }
      then (NULL, user_data);
      return;
    }

  directory = g_file_get_parent (file);
  base = g_file_get_basename (file);
  temporary_name = g_strdup_printf (".%s.%d.tmp", base, (int) getpid ());
  /* The length first: the order arguments are evaluated in is unspecified. */
  length = strlen (sdp);
  bytes = g_bytes_new_take (g_steal_pointer (&sdp), length);
  writing = g_new0 (Writing, 1);
  writing->file = g_object_ref (file);
  writing->temporary = g_file_get_child (directory, temporary_name);
  writing->then = then;
  writing->user_data = user_data;
  writing->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  g_file_replace_contents_bytes_async (writing->temporary, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                       cancellable, on_media_written, writing);
}

static void
exchange_fail (MediaExchange *exchange,
               const GError  *error)
{
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    exchange->fail (exchange->user_data, error);
}

static void
exchange_on_started (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!msrp_stream_start_finish (MSRP_STREAM (source), result, &error))
    exchange_fail (user_data, error);
}

static void
exchange_wait (MediaExchange *exchange,
               GFile         *file,
               MediaWaitFunc  callback)
{
  if (exchange->waiting != NULL)
    exchange->waiting (exchange->user_data, file);
  exchange->wait = media_wait_new (file, exchange->cancellable, callback, exchange);
}

static void
exchange_on_answer (MsrpSdpMedia *answer,
                    const GError *error,
                    gpointer      user_data)
{
  MediaExchange *exchange = user_data;

  g_clear_pointer (&exchange->wait, media_wait_free);
  if (answer == NULL)
    exchange_fail (exchange, error);
  else
    msrp_stream_start_async (exchange->stream, answer, exchange->cancellable, exchange_on_started, exchange);
}

static void
exchange_on_written (const GError *error,
                     gpointer      user_data)
{
  MediaExchange *exchange = user_data;

  if (error != NULL)
    exchange_fail (exchange, error);
  else if (exchange->offerer)
    exchange_wait (exchange, exchange->answer_file, exchange_on_answer);
  else
    msrp_stream_start_async (exchange->stream, NULL, exchange->cancellable, exchange_on_started, exchange);
}

static void
exchange_on_initialized (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  MediaExchange *exchange = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpSdpMedia) media = msrp_stream_initialize_finish (MSRP_STREAM (source), result, &error);

  if (media == NULL)
    exchange_fail (exchange, error);
  else if (exchange->offerer)
    media_write (exchange->offer_file, media, exchange->json, "offer", exchange->cancellable,
                 exchange_on_written, exchange);
  else
    media_write (exchange->answer_file, media, exchange->json, "answer", exchange->cancellable,
                 exchange_on_written, exchange);
}

static void
exchange_on_offer (MsrpSdpMedia *offer,
                   const GError *error,
                   gpointer      user_data)
{
  MediaExchange *exchange = user_data;

  g_clear_pointer (&exchange->wait, media_wait_free);
  if (offer == NULL)
    exchange_fail (exchange, error);
  else if (exchange->got_offer == NULL || exchange->got_offer (exchange->user_data, offer))
    msrp_stream_initialize_async (exchange->stream, offer, exchange->cancellable,
                                  exchange_on_initialized, exchange);
}

static void
exchange_on_old_answer_removed (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  MediaExchange *exchange = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_delete_finish (G_FILE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *name = g_file_get_parse_name (G_FILE (source));
          g_autoptr(GError) about = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s",
                                                 name, error->message);

          exchange_fail (exchange, about);
        }
      return;
    }
  msrp_stream_initialize_async (exchange->stream, NULL, exchange->cancellable,
                                exchange_on_initialized, exchange);
}

/* Starts @exchange, filled in by the caller, which keeps it until
 * media_exchange_stop(). The offerer first removes an old answer file, so
 * that it is not taken for the new answer. */
void
media_exchange_start (MediaExchange *exchange)
{
  if (exchange->offerer)
    g_file_delete_async (exchange->answer_file, G_PRIORITY_DEFAULT, exchange->cancellable,
                         exchange_on_old_answer_removed, exchange);
  else
    exchange_wait (exchange, exchange->offer_file, exchange_on_offer);
}

/* Stops waiting for a file; what is under way ends with the cancellable. */
void
media_exchange_stop (MediaExchange *exchange)
{
  g_clear_pointer (&exchange->wait, media_wait_free);
}
