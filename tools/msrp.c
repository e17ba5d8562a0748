/* msrp.c: the `msrp` command-line tool: listen, send, relay, demo, bench
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <msrp-glib/msrp-glib.h>

/* Exit statuses besides EXIT_SUCCESS and EXIT_FAILURE (any other failure);
 * EXIT_STATUS_HELP describes them for --help. */
#define EXIT_USAGE 2        /* a command line that could not be used */
#define EXIT_UNREACHABLE 3  /* the peer or the relay could not be reached */
#define EXIT_AUTH 4         /* the relay refused the credentials */
#define EXIT_TLS 5          /* a TLS certificate or fingerprint was rejected */

#define EXIT_STATUS_HELP \
  N_("Exit status: 0 success, 1 failure, 2 bad command line, 3 peer or relay\n" \
     "unreachable, 4 relay authentication refused, 5 TLS certificate rejected.\n")

/* Machine-readable lines (the hidden --stats option, read by `msrp bench`)
 * start with this word. */
#define STATS_PREFIX "stats "

/* A command's --help: the summary, then the description (translatable, N_),
 * the relay options' help and the command's own words on relays, the exit
 * statuses, and the examples (command lines: not translated). */
typedef struct {
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *parameters;
  const char *summary;
  const char *description;
  const char *relay_description;  /* with RELAY_HELP before it; or NULL */
  gboolean    exit_help;
  const char *examples;
  gboolean    hidden;
} Command;

static int cmd_listen (int argc, char **argv);
static int cmd_relay (int argc, char **argv);
static int cmd_send (int argc, char **argv);
static int cmd_bench (int argc, char **argv);
static int cmd_bench_tcp_sink (int argc, char **argv);
static int cmd_bench_tcp_source (int argc, char **argv);
static int cmd_demo (int argc, char **argv);

static GMainLoop *loop;
static int exit_status = EXIT_SUCCESS;

/* Common */

/* Every error is one line on stderr, so that scripts can show it as is. */
static void print_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
print_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_strdelimit (message, "\r\n", ' ');
  fprintf (stderr, "msrp: %s\n", g_strstrip (message));
  fflush (stderr);
}

/* The exit status for a failure (see EXIT_STATUS_HELP). */
static int
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
static void
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
static gboolean
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

static void
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

/* Sizes and rates are in binary units everywhere (KiB, MiB, MiB/s), as the
 * K, M and G of size options are. */
#define MIB (1024.0 * 1024.0)

static double
seconds_between (gint64 start,
                 gint64 end)
{
  return MAX (end - start, 1) / (double) G_USEC_PER_SEC;
}

/* A number formatted for machines: "." as decimal point whatever the locale. */
static const char *
format_double (char   *buffer,
               double  value)
{
  return g_ascii_formatd (buffer, G_ASCII_DTOSTR_BUF_SIZE, "%.6f", value);
}

static MsrpLogger *
new_stderr_logger (void)
{
  g_autoptr(GOutputStream) stream = g_unix_output_stream_new (STDERR_FILENO, FALSE);

  return msrp_file_logger_new (stream);
}

/* Accepts "a=path:..." and "a=fingerprint:..." lines as printed by listen. */
static const char *
skip_prefix (const char *text,
             const char *prefix)
{
  return g_str_has_prefix (text, prefix) ? text + strlen (prefix) : text;
}

/* Checks the form of a fingerprint option at once, so that a typo is a
 * usage error rather than a failed handshake later. Any certificate tells a
 * malformed fingerprint from a mismatch: without one, a throwaway one. */
static gboolean
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

/* Going through an RFC 4976 relay: the options listen and send share. */
typedef struct {
  char *uri;
  char *user;
  char *digest_uri;
  char *fingerprint;
  MsrpRelaySettings *settings;   /* made by relay_options_check */
  char *presented;               /* the fingerprint the relay presented, when rejected */
} RelayOptions;

static void relay_options_clear (RelayOptions *o);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RelayOptions, relay_options_clear)

#define RELAY_OPTION_ENTRIES(o) \
  { "relay", 0, 0, G_OPTION_ARG_STRING, &(o).uri, N_("Go through the RFC 4976 relay at URI, such as msrps://relay.example.com;tcp"), "URI" }, \
  { "relay-user", 0, 0, G_OPTION_ARG_STRING, &(o).user, N_("The relay account (HTTP Digest)"), "NAME:PASSWORD" }, \
  { "relay-digest-uri", 0, 0, G_OPTION_ARG_STRING, &(o).digest_uri, N_("Whether the Digest answer has uri= (default: auto, which tries both)"), "include|omit|auto" }, \
  { "relay-fingerprint", 0, 0, G_OPTION_ARG_STRING, &(o).fingerprint, N_("Accept the msrps: relay's certificate by its fingerprint ('sha-256 AB:CD:…', or a PEM file) instead of the system's CAs"), "FP" }

#define RELAY_HELP \
  N_("With --relay, the session goes through an RFC 4976 relay: the relay URI is\n" \
     "msrp://HOST:PORT;tcp, or msrps: for TLS to the relay. Without a port, a host\n" \
     "name is looked up with DNS SRV (_msrps._tcp.HOST or _msrp._tcp.HOST) and an IP\n" \
     "address gets port 2855. The URI's host is also the Digest domain. The relay's\n" \
     "certificate is checked against the system's CAs, or with --relay-fingerprint\n" \
     "against the given fingerprint (a self-signed relay, such as 'msrp relay --tls').\n" \
     "TLS ends at the relay, so --tls and --fingerprint do not apply.\n")

static void
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
static gboolean
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
static MsrpConnector *
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
static int
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

/* Parses the options of @command; on failure prints the error and returns
 * FALSE. */
static gboolean
parse_command_line (const Command *command,
                    GOptionEntry  *entries,
                    int           *argc,
                    char        ***argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (command->parameters);
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("msrp %s", command->name);
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
      print_error (_("%s (see 'msrp %s --help')"), error->message, command->name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
no_arguments (const Command *command,
              int            argc,
              char         **argv)
{
  if (argc <= 1)
    return TRUE;
  print_error (_("unexpected argument '%s' (see 'msrp %s --help')"), argv[1], command->name);
  return FALSE;
}

static void
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

/* msrp listen */

/* A message longer than max-message-size: it only comes as chunks, so it
 * is hashed as they arrive. */
typedef struct {
  GChecksum *checksum;   /* NULL with --quiet */
  char *content_type;
  gint64 next;           /* where the next in-order chunk starts (0-based) */
  gboolean in_order;
} LargeMessage;

typedef struct _Listener Listener;

typedef struct {
  Listener *listener;
  MsrpSession *session;
  MsrpConnector *acceptor; /* through a relay, the one that bound it */
  GHashTable *large;     /* Message-ID → LargeMessage */
} Peer;

struct _Listener {
  MsrpServer *server;
  MsrpUri *uri;          /* the registered URI, the same for every peer */
  RelayOptions *relay;   /* through a relay: one acceptor (and path) per peer */
  MsrpConnector *acceptor;
  GCancellable *cancellable;
  MsrpLogger *logger;
  gboolean prepared;     /* a relay path was printed already */
  GPtrArray *peers;      /* (element-type Peer) */
  guint64 count;         /* messages to receive, 0 for no end */
  guint64 received;
  guint64 bytes;
  gboolean quiet;
  gboolean summary;      /* --format=summary: no message as text */
  gboolean stopping;
  guint shutdowns;       /* sessions still shutting down, plus one */
};

static void
large_message_free (gpointer data)
{
  LargeMessage *large = data;

  g_clear_pointer (&large->checksum, g_checksum_free);
  g_free (large->content_type);
  g_free (large);
}

static void
peer_free (gpointer data)
{
  Peer *peer = data;

  g_signal_handlers_disconnect_by_data (peer->session, peer);
  g_object_unref (peer->session);
  g_clear_object (&peer->acceptor);
  g_hash_table_unref (peer->large);
  g_free (peer);
}

static void
listen_print_message (Listener   *self,
                      const char *message_id,
                      const char *content_type,
                      guint64     size,
                      const char *sha256)
{
  if (self->quiet)
    return;
  printf ("%s %s %" G_GUINT64_FORMAT " %s\n",
          message_id != NULL ? message_id : "-",
          content_type != NULL ? content_type : "-",
          size, sha256);
  fflush (stdout);
}

/* A text message as its text. The text comes from the network: control
 * characters (but for line ends and tabs) are shown escaped, so that it
 * cannot drive the terminal. */
static void
listen_print_text (const char *text,
                   gsize       size)
{
  g_autoptr(GString) out = g_string_sized_new (size + 1);
  const char *end = text + size;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\r' && p + 1 < end && p[1] == '\n')
        continue;
      if (c == '\n' || c == '\t' || !g_unichar_iscntrl (c))
        g_string_append_unichar (out, c);
      else
        g_string_append_printf (out, "\\x%02x", c);
    }
  if (out->len == 0 || out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  fwrite (out->str, 1, out->len, stdout);
  fflush (stdout);
}

/* Shown as its text rather than its summary line: a whole message of a
 * text type in UTF-8 (a NUL byte is not text either). */
static gboolean
listen_is_text (const char *content_type,
                GBytes     *data)
{
  gsize size;
  const char *text = g_bytes_get_data (data, &size);

  return content_type != NULL && g_ascii_strncasecmp (content_type, "text/", 5) == 0 &&
         g_utf8_validate_len (text, size, NULL);
}

static void
listen_on_shutdown (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Listener *self = user_data;

  msrp_session_shutdown_finish (MSRP_SESSION (source), result, NULL);
  if (--self->shutdowns == 0)
    g_main_loop_quit (loop);
}

/* Runs once the last message's handlers have returned, so that the session
 * has queued its 200 (and REPORT) before it is shut down. */
static gboolean
listen_stop (gpointer user_data)
{
  Listener *self = user_data;
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);

  if (self->server != NULL)
    msrp_server_cleanup (self->server, self->uri);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  /* Shutting down emits closed, which removes the peer: iterate a copy. */
  for (guint i = 0; i < self->peers->len; i++)
    g_ptr_array_add (sessions, g_object_ref (((Peer *) g_ptr_array_index (self->peers, i))->session));
  self->shutdowns = sessions->len + 1;
  for (guint i = 0; i < sessions->len; i++)
    msrp_session_shutdown_async (g_ptr_array_index (sessions, i), NULL, listen_on_shutdown, self);
  if (--self->shutdowns == 0)
    g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
listen_count_message (Listener *self,
                      guint64   size)
{
  self->received++;
  self->bytes += size;
  if (self->count > 0 && self->received >= self->count && !self->stopping)
    {
      g_autoptr(GSource) idle = g_idle_source_new ();

      self->stopping = TRUE;
      g_source_set_static_name (idle, "[msrp] listen stop");
      g_source_set_callback (idle, listen_stop, self, NULL);
      g_source_attach (idle, NULL);
    }
}

static void
listen_on_message_received (MsrpSession *session,
                            MsrpChunk   *first_chunk,
                            GBytes      *data,
                            gpointer     user_data)
{
  Peer *peer = user_data;
  Listener *self = peer->listener;
  gsize size = g_bytes_get_size (data);

  if (!self->quiet && !self->summary && listen_is_text (msrp_chunk_get_content_type (first_chunk), data))
    listen_print_text (g_bytes_get_data (data, NULL), size);
  else if (!self->quiet)
    {
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

      g_checksum_update (checksum, g_bytes_get_data (data, NULL), size);
      listen_print_message (self, msrp_chunk_get_message_id (first_chunk),
                            msrp_chunk_get_content_type (first_chunk), size,
                            g_checksum_get_string (checksum));
    }
  /* A message whose total was unknown was followed as a large one too. */
  if (msrp_chunk_get_message_id (first_chunk) != NULL)
    g_hash_table_remove (peer->large, msrp_chunk_get_message_id (first_chunk));
  listen_count_message (self, size);
}

/* Follows, from their chunks, the messages that are too large for
 * message-received: those whose Byte-Range total exceeds max-message-size,
 * and those whose total is not known yet. */
static void
listen_on_chunk_received (MsrpSession *session,
                          MsrpChunk   *chunk,
                          gpointer     user_data)
{
  Peer *peer = user_data;
  Listener *self = peer->listener;
  const char *message_id = msrp_chunk_get_message_id (chunk);
  guint64 max_size = msrp_session_get_max_message_size (session);
  gint64 start, end, total, chunk_end;
  gsize size = msrp_chunk_get_size (chunk);
  MsrpContinuation continuation = msrp_chunk_get_continuation (chunk);
  LargeMessage *large;
  gboolean last;

  if (message_id == NULL || !msrp_chunk_get_byte_range (chunk, &start, &end, &total))
    return;
  large = g_hash_table_lookup (peer->large, message_id);
  if (continuation == MSRP_CONTINUATION_ABORT)
    {
      g_hash_table_remove (peer->large, message_id);
      return;
    }
  if (large == NULL)
    {
      if (total >= 0 && (guint64) total <= max_size)
        return;  /* it comes whole as message-received */
      large = g_new0 (LargeMessage, 1);
      large->checksum = self->quiet ? NULL : g_checksum_new (G_CHECKSUM_SHA256);
      large->in_order = TRUE;
      g_hash_table_insert (peer->large, g_strdup (message_id), large);
    }
  if (large->content_type == NULL || start == 1)
    {
      g_free (large->content_type);
      large->content_type = g_strdup (msrp_chunk_get_content_type (chunk));
    }

  chunk_end = start - 1 + (gint64) size;
  if (start - 1 != large->next)
    large->in_order = FALSE;
  else if (large->checksum != NULL)
    g_checksum_update (large->checksum, g_bytes_get_data (msrp_chunk_get_data (chunk), NULL), size);
  large->next = MAX (large->next, chunk_end);

  last = total >= 0 ? chunk_end >= total : continuation == MSRP_CONTINUATION_END;
  if (!last)
    return;
  if (total < 0)
    total = chunk_end;
  if ((guint64) total <= max_size)
    {
      /* Small after all: message-received follows. */
      g_hash_table_remove (peer->large, message_id);
      return;
    }

  listen_print_message (self, message_id, large->content_type, total,
                        large->checksum != NULL && large->in_order
                          ? g_checksum_get_string (large->checksum) : "-");
  g_hash_table_remove (peer->large, message_id);
  listen_count_message (self, total);
}

static void
listen_on_closed (MsrpSession  *session,
                  const GError *error,
                  gpointer      user_data)
{
  Peer *peer = user_data;
  Listener *self = peer->listener;

  /* One peer failing does not end the listener. */
  if (error != NULL && !self->stopping)
    print_error (_("a session ended: %s"), error->message);
  g_ptr_array_remove (self->peers, peer);
}

static void listen_wait (Listener *self);

static void
listen_add_peer (Listener      *self,
                 MsrpTransport *transport,
                 MsrpConnector *acceptor)
{
  Peer *peer = g_new0 (Peer, 1);

  peer->listener = self;
  peer->session = msrp_session_new (transport, NULL);
  peer->acceptor = acceptor != NULL ? g_object_ref (acceptor) : NULL;
  peer->large = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, large_message_free);
  g_ptr_array_add (self->peers, peer);
  g_signal_connect (peer->session, "chunk-received", G_CALLBACK (listen_on_chunk_received), peer);
  g_signal_connect (peer->session, "message-received", G_CALLBACK (listen_on_message_received), peer);
  g_signal_connect (peer->session, "closed", G_CALLBACK (listen_on_closed), peer);
}

static void
listen_on_bound (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Listener *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpTransport) transport = msrp_server_complete_finish (self->server, result, &error);
  g_autoptr(GPtrArray) path = NULL;

  if (transport == NULL)
    {
      if (self->stopping || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Nobody came within the bind timeout: go on waiting. */
      if (g_error_matches (error, MSRP_ERROR, MSRP_ERROR_BIND_TIMEOUT))
        listen_wait (self);
      else
        fail (error);
      return;
    }

  /* Register the same URI again at once, so that the printed path stays
   * valid for the next peer; transports handed out are not affected. */
  msrp_server_cleanup (self->server, self->uri);
  path = msrp_server_prepare (self->server, self->uri, &error);
  if (path == NULL)
    {
      fail (error);
      return;
    }
  listen_wait (self);
  listen_add_peer (self, transport, NULL);
}

static void
listen_wait (Listener *self)
{
  msrp_server_complete_for_uri_async (self->server, self->uri, NULL, NULL, NULL,
                                      listen_on_bound, self);
}

/* Through a relay, a path is good for one peer: once one binds it, listen
 * authenticates again for a new path, printed as another a=path line. */

/* How long a relay path waits for its peer. The acceptor keeps its
 * authorization at the relay fresh meanwhile, so the printed path stays
 * good: a day, then a new one. */
#define RELAY_BIND_TIMEOUT (24 * 60 * 60)

static void listen_relay_prepare (Listener *self);

static void
listen_relay_fail (Listener     *self,
                   const GError *error)
{
  if (exit_status == EXIT_SUCCESS)
    exit_status = relay_print_error (self->relay, error);
  g_main_loop_quit (loop);
}

static void
listen_relay_on_bound (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Listener *self = user_data;
  g_autoptr(MsrpConnector) acceptor = MSRP_CONNECTOR (g_object_ref (source));
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpTransport) transport = msrp_connector_complete_finish (acceptor, result, &error);

  if (self->acceptor == acceptor)
    g_clear_object (&self->acceptor);
  if (transport == NULL)
    {
      msrp_connector_cleanup (acceptor);
      if (self->stopping || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Nobody came for a day, or the peer's first request was refused:
       * a new path. */
      if (g_error_matches (error, MSRP_ERROR, MSRP_ERROR_BIND_TIMEOUT) || error->domain == MSRP_TRANSACTION_ERROR)
        {
          if (error->domain == MSRP_TRANSACTION_ERROR)
            print_error (_("a peer could not bind: %s"), error->message);
          listen_relay_prepare (self);
        }
      else
        listen_relay_fail (self, error);
      return;
    }
  listen_add_peer (self, transport, acceptor);
  listen_relay_prepare (self);
}

static void
listen_relay_on_prepared (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  Listener *self = user_data;
  MsrpConnector *acceptor = MSRP_CONNECTOR (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) path = msrp_connector_prepare_finish (acceptor, result, &error);
  g_autofree char *path_string = NULL;

  if (path == NULL)
    {
      if (self->acceptor == acceptor)
        g_clear_object (&self->acceptor);
      if (!self->stopping && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        listen_relay_fail (self, error);
      return;
    }
  if (self->stopping)
    return;
  path_string = msrp_path_to_string (path);
  printf ("a=path:%s\n", path_string);
  fflush (stdout);
  self->prepared = TRUE;
  g_object_set (acceptor, "timeout", RELAY_BIND_TIMEOUT, NULL);
  msrp_connector_complete_async (acceptor, NULL, self->cancellable, listen_relay_on_bound, self);
}

static void
listen_relay_prepare (Listener *self)
{
  if (self->stopping)
    return;
  g_clear_object (&self->acceptor);
  self->acceptor = relay_options_new_connector (self->relay, TRUE, self->logger);
  msrp_connector_prepare_async (self->acceptor, NULL, self->cancellable, listen_relay_on_prepared, self);
}

static const Command listen_command = {
  "listen", cmd_listen, "",
  N_("Wait for MSRP sessions and print the messages that arrive."),
  N_("The first line on standard output is the session's path, as the SDP\n"
     "a=path attribute gives it; with --tls the second line is the certificate's\n"
     "a=fingerprint. Any peer that binds this path is accepted (one session after\n"
     "another, or several at once), its messages are answered, REPORTs are sent\n"
     "when asked for, and each complete message is printed: one of a text type\n"
     "(text/*) in UTF-8 as its text (control characters shown as \\xNN, a line\n"
     "end added when missing), any other as a summary line\n"
     "\n"
     "  <message-id> <content-type> <size> <sha256>\n"
     "\n"
     "With --format=summary every message gets a summary line (for scripts).\n"
     "Messages larger than the session's max-message-size (16 MiB) are hashed as\n"
     "their chunks arrive and get a summary line; one whose chunks arrive out of\n"
     "order shows '-' as hash.\n"),
  N_("Through a relay, each a=path line is good for one peer: once a peer has\n"
     "bound it, listen authenticates again and prints a new a=path line for the\n"
     "next one (also when no peer came within a day).\n"),
  TRUE,
  "  msrp listen\n"
  "  msrp listen --host 192.0.2.10 --port 2855 --count 1\n"
  "  msrp listen --tls --verbose\n"
  "  msrp listen --format=summary > messages.txt\n"
  "  msrp listen --quiet --count 100000\n"
  "  msrp listen --relay 'msrps://relay.example.com;tcp' --relay-user bob:secret\n"
  "  msrp listen --relay \"$(head -n1 relay.out)\" --relay-user bob:secret \\\n"
  "              --relay-fingerprint \"$(sed -n 2p relay.out)\" --count 1\n",
  FALSE,
};

static int
listen_through_relay (RelayOptions *relay,
                      gint64        count,
                      gboolean      quiet,
                      gboolean      summary,
                      gboolean      verbose,
                      gboolean      stats)
{
  g_autoptr(GPtrArray) peers = g_ptr_array_new_with_free_func (peer_free);
  Listener self = { 0 };

  loop = g_main_loop_new (NULL, FALSE);
  self.relay = relay;
  self.peers = peers;
  self.count = count;
  self.quiet = quiet;
  self.summary = summary;
  self.cancellable = g_cancellable_new ();
  if (verbose)
    self.logger = new_stderr_logger ();
  listen_relay_prepare (&self);

  g_main_loop_run (loop);

  if (exit_status == EXIT_SUCCESS && stats)
    print_stats (self.received, self.bytes, 0);
  self.stopping = TRUE;
  g_cancellable_cancel (self.cancellable);
  if (self.acceptor != NULL)
    msrp_connector_cleanup (self.acceptor);
  g_ptr_array_set_size (peers, 0);
  /* Let the cancelled operations finish while self is alive. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&self.acceptor);
  g_clear_object (&self.cancellable);
  g_clear_object (&self.logger);
  g_clear_pointer (&loop, g_main_loop_unref);
  return exit_status;
}

static int
cmd_listen (int    argc,
            char **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *format = NULL;
  int port = 0;
  gboolean tls = FALSE, quiet = FALSE, summary = FALSE, verbose = FALSE, stats = FALSE;
  gint64 count = 0;
  g_auto(RelayOptions) relay = { 0 };
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("The address to listen on and to put in the path (default: 127.0.0.1)"), "HOST" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("The TCP port (default: any free port)"), "PORT" },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &tls, N_("Use TLS (msrps:) with a new self-signed certificate"), NULL },
    { "count", 0, 0, G_OPTION_ARG_INT64, &count, N_("Exit after N complete messages (default: never)"), "N" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("How messages are printed: text (text/* messages as their text, others as a summary line; the default) or summary (a summary line for every message)"), "text|summary" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print no message lines and compute no hashes"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Log the traffic on stderr"), NULL },
    { "stats", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &stats, N_("Print a stats line at the end (for msrp bench)"), NULL },
    RELAY_OPTION_ENTRIES (relay),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpServer) server = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(MsrpUri) local_uri = NULL;
  g_autoptr(GPtrArray) path = NULL;
  g_autoptr(GPtrArray) peers = NULL;
  g_autofree char *path_string = NULL;
  Listener self = { 0 };

  if (!parse_command_line (&listen_command, entries, &argc, &argv) ||
      !no_arguments (&listen_command, argc, argv) ||
      !relay_options_check (&relay, "listen"))
    {
      relay_options_clear (&relay);
      return EXIT_USAGE;
    }
  if (port < 0 || port > 65535 || count < 0)
    {
      print_error (_("%s out of range (see 'msrp listen --help')"), count < 0 ? "--count" : "--port");
      relay_options_clear (&relay);
      return EXIT_USAGE;
    }
  if (format != NULL && strcmp (format, "summary") != 0 && strcmp (format, "text") != 0)
    {
      print_error (_("--format wants text or summary, not '%s'"), format);
      relay_options_clear (&relay);
      return EXIT_USAGE;
    }
  summary = g_strcmp0 (format, "summary") == 0;
  if (relay.settings != NULL)
    {
      if (host != NULL || port != 0 || tls)
        print_error (_("--host, --port and --tls are for direct sessions; through a relay the path is the relay's (see 'msrp listen --help')"));
      else
        exit_status = listen_through_relay (&relay, count, quiet, summary, verbose, stats);
      relay_options_clear (&relay);
      return host != NULL || port != 0 || tls ? EXIT_USAGE : exit_status;
    }

  loop = g_main_loop_new (NULL, FALSE);
  server = msrp_server_new ();
  if (tls)
    {
      certificate = msrp_tls_certificate_new_self_signed ("msrp listen", &error);
      if (certificate == NULL)
        {
          fail (error);
          return exit_status;
        }
      msrp_server_set_tls_certificate (server, certificate);
    }
  if (verbose)
    {
      g_autoptr(MsrpLogger) logger = new_stderr_logger ();

      msrp_server_set_logger (server, logger);
    }

  local_uri = msrp_uri_new (host != NULL ? host : "127.0.0.1", port, NULL, tls);
  path = msrp_server_prepare (server, local_uri, &error);
  if (path == NULL)
    {
      fail (error);
      return exit_status;
    }
  path_string = msrp_path_to_string (path);
  printf ("a=path:%s\n", path_string);
  if (certificate != NULL)
    {
      g_autofree char *fingerprint = msrp_tls_certificate_get_fingerprint (certificate, G_CHECKSUM_SHA256);

      printf ("a=fingerprint:%s\n", fingerprint);
    }
  fflush (stdout);

  peers = g_ptr_array_new_with_free_func (peer_free);
  self.server = server;
  self.uri = g_object_ref (g_ptr_array_index (path, 0));
  self.peers = peers;
  self.count = count;
  self.quiet = quiet;
  self.summary = summary;
  listen_wait (&self);

  g_main_loop_run (loop);

  if (exit_status == EXIT_SUCCESS && stats)
    print_stats (self.received, self.bytes, 0);
  msrp_server_cleanup (server, self.uri);
  g_ptr_array_set_size (peers, 0);
  g_clear_object (&self.uri);
  g_clear_pointer (&loop, g_main_loop_unref);
  return exit_status;
}

/* msrp send */

typedef struct {
  GPtrArray *to;
  MsrpConnector *connector;
  MsrpSession *session;
  GCancellable *cancellable;

  GBytes *payload;           /* the message, sent count times */
  const char *content_type;
  MsrpOutgoingFile *file;    /* or a file */
  guint64 chunk_size;
  gboolean success_report;
  const char *fingerprint;   /* --fingerprint: the peer's certificate */
  GError *mismatch;          /* the peer's certificate was not --fingerprint */
  gboolean peer_accepted;    /* we accepted the peer's certificate */
  RelayOptions *relay;       /* through a relay */
  gboolean prepared;         /* the relay accepted us */

  guint64 count;
  guint64 window;
  guint64 started;
  guint64 acknowledged;
  guint64 outstanding;
  guint64 bytes;
  gint64 start_time;
  gint64 end_time;
  gboolean done;
  gboolean stats;

  gboolean progress;         /* draw a progress bar on stderr */
  gint64 progress_time;
  gboolean progress_drawn;
} Sender;

static void
send_on_shutdown (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  msrp_session_shutdown_finish (MSRP_SESSION (source), result, NULL);
  g_main_loop_quit (loop);
}

static void
send_end (Sender *self)
{
  self->done = TRUE;
  if (self->progress_drawn)
    fputc ('\n', stderr);
  if (self->session != NULL)
    msrp_session_shutdown_async (self->session, NULL, send_on_shutdown, self);
  else
    g_main_loop_quit (loop);
}

/* Whether anything we sent was acknowledged. */
static gboolean
send_got_answer (Sender *self)
{
  return self->acknowledged > 0 ||
         (self->file != NULL &&
          msrp_outgoing_file_get_bytes_sent (self->file) > msrp_outgoing_file_get_position (self->file));
}

/* An acceptor that refuses our certificate often sends no TLS alert: a
 * GLib one just closes, and the TCP reset can discard an alert that was
 * sent. What is left to see: the handshake went as far as the peer's
 * certificate, which we accepted, and then the connection ended before any
 * answer. */
static gboolean
send_peer_refused_certificate (Sender       *self,
                               const GError *error)
{
  return self->relay == NULL && self->peer_accepted && !send_got_answer (self) &&
         error->domain != MSRP_TRANSACTION_ERROR &&
         !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
         !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

/* The peer's certificate, checked as the library would with
 * peer-fingerprint, but seen: see send_peer_refused_certificate(). */
static gboolean
send_on_accept_certificate (MsrpConnector        *connector,
                            GTlsCertificate      *certificate,
                            GTlsCertificateFlags  errors,
                            gpointer              user_data)
{
  Sender *self = user_data;

  g_clear_error (&self->mismatch);
  if (self->fingerprint != NULL
        ? !msrp_tls_certificate_matches_fingerprint (certificate, self->fingerprint, &self->mismatch)
        : errors != 0)
    return FALSE;
  self->peer_accepted = TRUE;
  return TRUE;
}

static void
send_fail (Sender       *self,
           const GError *error)
{
  if (self->done)
    return;
  if (self->progress_drawn)
    {
      fputc ('\n', stderr);
      self->progress_drawn = FALSE;
    }
  exit_status = exit_code_for (error);
  if (self->mismatch != NULL)
    {
      print_error ("%s", self->mismatch->message);
      exit_status = EXIT_TLS;
    }
  else if (send_peer_refused_certificate (self, error))
    {
      print_error (_("the peer most likely refused our TLS certificate: it ended the connection after the TLS handshake without answering (msrp send presents a new self-signed certificate, which a peer that checks certificates against an SDP fingerprint cannot know) (%s)"),
                   error->message);
      exit_status = EXIT_TLS;
    }
  else if (self->relay != NULL && !self->prepared)
    exit_status = relay_print_error (self->relay, error);
  else if (self->relay != NULL && error->domain == MSRP_TRANSACTION_ERROR &&
           (error->code == MSRP_STATUS_REQUEST_TIMEOUT || error->code == MSRP_STATUS_SESSION_DOES_NOT_EXIST))
    {
      /* The relay answers for the peer behind it. */
      print_error ("%s (%s)", error->message,
                   error->code == MSRP_STATUS_REQUEST_TIMEOUT ? _("the relay could not reach the peer")
                                                              : _("no such session: check --to"));
      if (error->code == MSRP_STATUS_REQUEST_TIMEOUT)
        exit_status = EXIT_UNREACHABLE;
    }
  /* Self-signed certificates, as msrp listen --tls makes, need the fingerprint. */
  else if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE) && self->fingerprint == NULL)
    print_error (_("%s (give the listener's a=fingerprint with --fingerprint)"), error->message);
  else if (exit_status == EXIT_UNREACHABLE && self->relay == NULL)
    print_error (_("cannot connect to %s: %s"),
                 msrp_uri_get_host (g_ptr_array_index (self->to, 0)), error->message);
  else
    print_error ("%s", error->message);
  g_cancellable_cancel (self->cancellable);
  send_end (self);
}

static void
send_succeed (Sender *self)
{
  double seconds;

  self->end_time = g_get_monotonic_time ();
  seconds = seconds_between (self->start_time, self->end_time);
  if (self->progress_drawn)
    {
      fputc ('\n', stderr);
      self->progress_drawn = FALSE;
    }
  if (self->stats)
    print_stats (self->acknowledged, self->bytes, seconds);
  else
    {
      /* 64-bit counts as text: a translatable format cannot hold G_GUINT64_FORMAT. */
      g_autofree char *bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, self->bytes);
      g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, self->acknowledged);
      g_autoptr(GString) line = g_string_new (NULL);

      if (self->file != NULL)
        g_string_printf (line, _("sent 1 file, %s bytes in %.3f s: %.2f MiB/s"),
                         bytes, seconds, self->bytes / seconds / MIB);
      else if (seconds < 1)
        g_string_printf (line, ngettext ("sent %s message, %s bytes in %.3f ms: %.1f messages/s, %.2f MiB/s",
                                         "sent %s messages, %s bytes in %.3f ms: %.1f messages/s, %.2f MiB/s",
                                         self->acknowledged),
                         count, bytes, seconds * 1000, self->acknowledged / seconds, self->bytes / seconds / MIB);
      else
        g_string_printf (line, ngettext ("sent %s message, %s bytes in %.3f s: %.1f messages/s, %.2f MiB/s",
                                         "sent %s messages, %s bytes in %.3f s: %.1f messages/s, %.2f MiB/s",
                                         self->acknowledged),
                         count, bytes, seconds, self->acknowledged / seconds, self->bytes / seconds / MIB);
      if (self->success_report)
        g_string_append (line, ngettext (", success REPORT received", ", success REPORTs received",
                                         self->acknowledged));
      fprintf (stderr, "%s\n", line->str);
    }
  send_end (self);
}

static void
send_draw_progress (Sender *self,
                    gint64  sent,
                    gint64  size)
{
  static const char bar[] = "##############################";
  const int width = sizeof bar - 1;
  double fraction = size > 0 ? (double) sent / size : 1.0;
  int filled = CLAMP ((int) (fraction * width), 0, width);
  double seconds = seconds_between (self->start_time, g_get_monotonic_time ());
  g_autofree char *sent_text = g_format_size_full (sent, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *size_text = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);

  /* A stream of unknown size (a pipe) has no bar, only what went out. */
  if (size < 0)
    fprintf (stderr, "\r%s  %.1f MiB/s\033[K", sent_text, sent / seconds / MIB);
  else
    fprintf (stderr, "\r%3.0f%% [%.*s%*s] %s / %s  %.1f MiB/s\033[K",
             fraction * 100, filled, bar, width - filled, "",
             sent_text, size_text, sent / seconds / MIB);
  fflush (stderr);
  self->progress_drawn = TRUE;
}

static void
send_on_bytes_sent (GObject    *object,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  Sender *self = user_data;
  gint64 sent = msrp_outgoing_file_get_bytes_sent (self->file);
  gint64 size = msrp_outgoing_file_get_size (self->file);
  gint64 now = g_get_monotonic_time ();

  /* A few redraws a second are enough, and the last one. */
  if (self->done || ((size < 0 || sent < size) && now - self->progress_time < G_USEC_PER_SEC / 10))
    return;
  self->progress_time = now;
  send_draw_progress (self, sent, size);
}

static void
send_on_file_sent (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Sender *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!msrp_session_send_file_finish (MSRP_SESSION (source), result, &error))
    {
      send_fail (self, error);
      return;
    }
  self->acknowledged = 1;
  /* The size may have been unknown (-1) until the end. */
  self->bytes = msrp_outgoing_file_get_bytes_sent (self->file) - msrp_outgoing_file_get_position (self->file);
  send_succeed (self);
}

static void send_pump (Sender *self);

static void
send_on_message_sent (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Sender *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = msrp_session_send_message_finish (MSRP_SESSION (source), result, &error);

  self->outstanding--;
  if (message_id == NULL)
    {
      send_fail (self, error);
      return;
    }
  if (self->done)
    return;
  self->acknowledged++;
  self->bytes += g_bytes_get_size (self->payload);
  if (self->acknowledged == self->count)
    send_succeed (self);
  else
    send_pump (self);
}

/* Keeps up to --window messages outstanding. */
static void
send_pump (Sender *self)
{
  while (!self->done && self->started < self->count && self->outstanding < self->window)
    {
      self->started++;
      self->outstanding++;
      msrp_session_send_message_async (self->session, self->payload, self->content_type,
                                       self->cancellable, send_on_message_sent, self);
    }
}

static void
send_on_connected (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Sender *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpTransport) transport = msrp_connector_complete_finish (self->connector, result, &error);

  if (transport == NULL)
    {
      send_fail (self, error);
      return;
    }
  self->session = msrp_session_new (transport, NULL);
  if (self->chunk_size > 0)
    msrp_session_set_max_chunk_size (self->session, self->chunk_size);
  msrp_session_set_success_report (self->session, self->success_report);

  self->start_time = g_get_monotonic_time ();
  if (self->file != NULL)
    {
      if (self->progress)
        g_signal_connect (self->file, "notify::bytes-sent", G_CALLBACK (send_on_bytes_sent), self);
      msrp_session_send_file_async (self->session, self->file, self->cancellable,
                                    send_on_file_sent, self);
    }
  else
    send_pump (self);
}

static void
send_on_prepared (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Sender *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) local_path = msrp_connector_prepare_finish (self->connector, result, &error);

  if (local_path == NULL)
    {
      send_fail (self, error);
      return;
    }
  self->prepared = TRUE;
  msrp_connector_complete_async (self->connector, self->to, self->cancellable,
                                 send_on_connected, self);
}

static const Command send_command = {
  "send", cmd_send, "[TEXT…]",
  N_("Connect to an MSRP peer and send messages or a file."),
  N_("Connects to the peer at --to (the passive side, such as 'msrp listen'), sends\n"
     "TEXT (default \"Hello\"), or --count messages of --size random bytes, or a\n"
     "file, and exits with status 0 once every message has been acknowledged (its\n"
     "200 responses, and with --success-report its success REPORT). A summary goes\n"
     "to stderr; a file shows a progress bar when stderr is a terminal. --file -\n"
     "sends standard input; it, a pipe, or a file that reports no size (such as\n"
     "/proc/cpuinfo) is read to its end, its Byte-Range total '*' until then.\n"
     "\n"
     "An msrps: path uses TLS; --fingerprint is then the listener's certificate\n"
     "fingerprint (its a=fingerprint line). Sizes take a K, M or G suffix (powers\n"
     "of 1024), and sizes and rates are shown in the same binary units (KiB, MiB,\n"
     "MiB/s).\n"),
  N_("Through a relay, --to is the path the listener printed (its relay's\n"
     "Use-Path, then its own URI).\n"),
  TRUE,
  "  msrp send --to 'msrp://127.0.0.1:2855/s3ss10n;tcp' Hello Bob\n"
  "  msrp send --to \"$(head -n1 listen.out)\" --count 1000 --size 1K --window 16\n"
  "  msrp send --to 'msrps://127.0.0.1:2855/s3ss10n;tcp' --tls \\\n"
  "            --fingerprint 'sha-256 AB:CD:…' --file image.iso\n"
  "  dmesg | msrp send --to \"$(head -n1 listen.out)\" --file - --content-type text/plain\n"
  "  msrp send --relay 'msrps://relay.example.com;tcp' --relay-user alice:secret \\\n"
  "            --to \"$(head -n1 listen.out)\" --success-report 'Hello through the relay'\n",
  FALSE,
};

static int
cmd_send (int    argc,
          char **argv)
{
  g_autofree char *to = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *chunk_size_text = NULL;
  gint64 count = 1, window = 1;
  gboolean tls = FALSE, success_report = FALSE, verbose = FALSE, stats = FALSE;
  g_auto(RelayOptions) relay = { 0 };
  GOptionEntry entries[] = {
    { "to", 't', 0, G_OPTION_ARG_STRING, &to, N_("The peer's full path (its a=path)"), "PATH" },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &tls, N_("Use TLS, with a new self-signed certificate (implied by an msrps: path)"), NULL },
    { "fingerprint", 0, 0, G_OPTION_ARG_STRING, &fingerprint, N_("The peer certificate's fingerprint, such as 'sha-256 AB:CD:…'"), "FP" },
    { "content-type", 0, 0, G_OPTION_ARG_STRING, &content_type, N_("The messages' Content-Type (default: text/plain, application/octet-stream with --size)"), "TYPE" },
    { "count", 'n', 0, G_OPTION_ARG_INT64, &count, N_("Send N messages (default: 1)"), "N" },
    { "size", 's', 0, G_OPTION_ARG_STRING, &size_text, N_("Send messages of B random bytes instead of TEXT"), "B" },
    { "window", 'w', 0, G_OPTION_ARG_INT64, &window, N_("Keep up to W messages outstanding (default: 1)"), "W" },
    { "file", 'f', 0, G_OPTION_ARG_FILENAME, &file_name, N_("Send the contents of FILE as one message"), "FILE" },
    { "chunk-size", 0, 0, G_OPTION_ARG_STRING, &chunk_size_text, N_("The largest chunk body (default: 64K)"), "B" },
    { "success-report", 0, 0, G_OPTION_ARG_NONE, &success_report, N_("Ask for success REPORTs and wait for them"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Log the traffic on stderr"), NULL },
    { "stats", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &stats, N_("Print a stats line instead of the summary (for msrp bench)"), NULL },
    RELAY_OPTION_ENTRIES (relay),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *text = NULL;
  guint64 size = 0;
  Sender self = { 0 };

  if (!parse_command_line (&send_command, entries, &argc, &argv) ||
      !relay_options_check (&relay, "send"))
    {
      relay_options_clear (&relay);
      return EXIT_USAGE;
    }
  if (relay.settings != NULL && (tls || fingerprint != NULL))
    {
      print_error (_("--tls and --fingerprint are for direct sessions: TLS ends at the relay (see --relay-fingerprint)"));
      relay_options_clear (&relay);
      return EXIT_USAGE;
    }
  /* Freed on every return below. */
  self.relay = relay.settings != NULL ? &relay : NULL;
  if (to == NULL)
    {
      print_error (_("--to PATH is required (see 'msrp send --help')"));
      return EXIT_USAGE;
    }
  if (count < 1 || window < 1)
    {
      print_error (_("%s must be at least 1"), count < 1 ? "--count" : "--window");
      return EXIT_USAGE;
    }
  if ((size_text != NULL && !parse_size ("--size", size_text, &size)) ||
      (chunk_size_text != NULL && !parse_size ("--chunk-size", chunk_size_text, &self.chunk_size)))
    return EXIT_USAGE;
  if (chunk_size_text != NULL && (self.chunk_size == 0 || self.chunk_size > G_MAXSIZE))
    {
      print_error (_("--chunk-size must be at least 1 byte"));
      return EXIT_USAGE;
    }
  if (argc > 1)
    text = g_strjoinv (" ", argv + 1);
  if ((file_name != NULL && (size_text != NULL || text != NULL || count != 1)) ||
      (size_text != NULL && text != NULL))
    {
      print_error (_("give only one of TEXT, --size and --file (see 'msrp send --help')"));
      return EXIT_USAGE;
    }
  if (size > G_MAXSIZE / 2)
    {
      print_error (_("--size is too large for memory; use --file"));
      return EXIT_USAGE;
    }

  self.to = msrp_path_parse (skip_prefix (to, "a=path:"), &error);
  if (self.to == NULL)
    {
      print_error ("%s", error->message);
      return EXIT_USAGE;
    }
  if (tls && !msrp_uri_get_use_tls (g_ptr_array_index (self.to, 0)))
    {
      print_error (_("--tls needs an msrps: path (see 'msrp listen --tls')"));
      g_ptr_array_unref (self.to);
      return EXIT_USAGE;
    }
  /* Through a relay, TLS to the relay comes from its URI. */
  tls = self.relay == NULL && msrp_uri_get_use_tls (g_ptr_array_index (self.to, 0));
  if (fingerprint != NULL && !tls)
    {
      print_error (_("--fingerprint is for msrps: paths (TLS) (see 'msrp send --help')"));
      g_ptr_array_unref (self.to);
      return EXIT_USAGE;
    }
  if (tls)
    {
      certificate = msrp_tls_certificate_new_self_signed ("msrp send", &error);
      if (certificate == NULL)
        {
          print_error ("%s", error->message);
          g_ptr_array_unref (self.to);
          return EXIT_FAILURE;
        }
    }
  if (fingerprint != NULL)
    {
      self.fingerprint = skip_prefix (fingerprint, "a=fingerprint:");
      if (!check_fingerprint_option ("--fingerprint", self.fingerprint, certificate))
        {
          g_ptr_array_unref (self.to);
          return EXIT_USAGE;
        }
    }

  if (file_name != NULL && strcmp (file_name, "-") == 0)
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);

      /* Standard input: a stream of unknown size, read to its end. */
      self.file = msrp_outgoing_file_new (in, -1, content_type, 0, NULL);
      self.progress = !stats && isatty (STDERR_FILENO);
    }
  else if (file_name != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (file_name);

      self.file = msrp_outgoing_file_new_for_file (file, content_type, &error);
      if (self.file == NULL)
        {
          print_error ("%s", error->message);
          g_ptr_array_unref (self.to);
          return EXIT_FAILURE;
        }
      self.progress = !stats && isatty (STDERR_FILENO);
    }
  else if (size_text != NULL)
    {
      g_autoptr(GRand) rand = g_rand_new ();
      guint8 *data = g_malloc (size);

      fill_random (rand, data, size);
      self.payload = g_bytes_new_take (data, size);
      self.content_type = content_type != NULL ? content_type : "application/octet-stream";
    }
  else
    {
      if (text == NULL)
        text = g_strdup ("Hello");
      self.payload = g_bytes_new (text, strlen (text));
      self.content_type = content_type != NULL ? content_type : "text/plain";
    }

  loop = g_main_loop_new (NULL, FALSE);
  self.count = count;
  self.window = window;
  self.success_report = success_report;
  self.stats = stats;
  self.cancellable = g_cancellable_new ();
  if (self.relay != NULL)
    self.connector = relay_options_new_connector (self.relay, FALSE, NULL);
  else
    self.connector = msrp_connector_direct_new ();
  if (tls)
    {
      g_object_set (self.connector, "tls-certificate", certificate, NULL);
      /* Instead of peer-fingerprint: the same check, but seen. */
      g_signal_connect (self.connector, "accept-certificate", G_CALLBACK (send_on_accept_certificate), &self);
    }
  if (verbose)
    {
      g_autoptr(MsrpLogger) logger = new_stderr_logger ();

      g_object_set (self.connector, "logger", logger, NULL);
    }

  if (exit_status == EXIT_SUCCESS)
    {
      msrp_connector_prepare_async (self.connector, NULL, self.cancellable, send_on_prepared, &self);
      g_main_loop_run (loop);
    }

  g_cancellable_cancel (self.cancellable);
  msrp_connector_cleanup (self.connector);
  g_clear_object (&self.session);
  g_clear_object (&self.connector);
  g_clear_object (&self.cancellable);
  g_clear_object (&self.file);
  g_clear_pointer (&self.payload, g_bytes_unref);
  g_clear_pointer (&self.to, g_ptr_array_unref);
  g_clear_error (&self.mismatch);
  g_clear_pointer (&loop, g_main_loop_unref);
  return exit_status;
}

/* The raw TCP baseline of msrp bench: two small programs that move the same
 * traffic over a plain socket. They are baselines, so they do the least
 * possible: blocking I/O, no main loop (they have nothing else to wait for). */

#define RAW_IO_TIMEOUT 300
#define RAW_BUFFER_SIZE (64 * 1024)

static gboolean
raw_accept_certificate (GTlsConnection       *connection,
                        GTlsCertificate      *peer_cert,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  const char *fingerprint = user_data;

  return fingerprint != NULL && msrp_tls_certificate_matches_fingerprint (peer_cert, fingerprint, NULL);
}

static const Command bench_tcp_sink_command = {
  "bench-tcp-sink", cmd_bench_tcp_sink, "",
  N_("The receiving end of the raw TCP baseline of 'msrp bench'."),
  N_("Prints tcp:HOST:PORT (and with --tls fingerprint:FP), accepts one connection,\n"
     "and either reads --bytes bytes and answers one byte, or echoes --echo\n"
     "messages of --size bytes.\n"),
  NULL, FALSE, NULL, TRUE,
};

static int
cmd_bench_tcp_sink (int    argc,
                    char **argv)
{
  gint64 bytes = 0, echo = 0, size = 100;
  gboolean tls = FALSE;
  GOptionEntry entries[] = {
    { "bytes", 0, 0, G_OPTION_ARG_INT64, &bytes, N_("Read B bytes, then answer one"), "B" },
    { "echo", 0, 0, G_OPTION_ARG_INT64, &echo, N_("Echo N messages"), "N" },
    { "size", 0, 0, G_OPTION_ARG_INT64, &size, N_("The size of an echoed message"), "B" },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &tls, N_("Use TLS"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autofree guint8 *buffer = NULL;
  GInputStream *in;
  GOutputStream *out;

  if (!parse_command_line (&bench_tcp_sink_command, entries, &argc, &argv) ||
      !no_arguments (&bench_tcp_sink_command, argc, argv))
    return EXIT_USAGE;
  if (size < 1 || size > RAW_BUFFER_SIZE)
    {
      print_error (_("--size must be between 1 and %d"), RAW_BUFFER_SIZE);
      return EXIT_USAGE;
    }

  if (!g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, &error))
    goto failed;
  if (tls && (certificate = msrp_tls_certificate_new_self_signed ("msrp bench", &error)) == NULL)
    goto failed;
  printf ("tcp:127.0.0.1:%u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  if (certificate != NULL)
    {
      g_autofree char *fingerprint = msrp_tls_certificate_get_fingerprint (certificate, G_CHECKSUM_SHA256);

      printf ("fingerprint:%s\n", fingerprint);
    }
  fflush (stdout);

  connection = g_socket_listener_accept (listener, NULL, NULL, &error);
  if (connection == NULL)
    goto failed;
  g_socket_set_timeout (g_socket_connection_get_socket (connection), RAW_IO_TIMEOUT);
  stream = G_IO_STREAM (g_object_ref (connection));
  if (certificate != NULL)
    {
      g_autoptr(GIOStream) tls_stream = g_tls_server_connection_new (stream, certificate, &error);

      if (tls_stream == NULL || !g_tls_connection_handshake (G_TLS_CONNECTION (tls_stream), NULL, &error))
        goto failed;
      g_set_object (&stream, tls_stream);
    }
  in = g_io_stream_get_input_stream (stream);
  out = g_io_stream_get_output_stream (stream);
  buffer = g_malloc (RAW_BUFFER_SIZE);

  if (echo > 0)
    {
      for (gint64 i = 0; i < echo; i++)
        {
          gsize n = 0;

          if (!g_input_stream_read_all (in, buffer, size, &n, NULL, &error))
            goto failed;
          if (n < (gsize) size)
            goto closed;
          if (!g_output_stream_write_all (out, buffer, size, NULL, NULL, &error))
            goto failed;
        }
    }
  else
    {
      gint64 received = 0;

      while (received < bytes)
        {
          gssize n = g_input_stream_read (in, buffer, RAW_BUFFER_SIZE, NULL, &error);

          if (n < 0)
            goto failed;
          if (n == 0)
            goto closed;
          received += n;
        }
      if (!g_output_stream_write_all (out, "k", 1, NULL, NULL, &error))
        goto failed;
    }
  g_io_stream_close (stream, NULL, NULL);
  print_stats (echo, echo > 0 ? echo * size : bytes, 0);
  return EXIT_SUCCESS;

closed:
  print_error (_("the raw TCP source closed the connection early"));
  return EXIT_FAILURE;
failed:
  print_error ("%s", error->message);
  return EXIT_FAILURE;
}

static const Command bench_tcp_source_command = {
  "bench-tcp-source", cmd_bench_tcp_source, "",
  N_("The sending end of the raw TCP baseline of 'msrp bench'."),
  N_("Connects to --to HOST:PORT and writes --writes messages of --size bytes, or\n"
     "the contents of --file, then waits for the sink's one-byte answer; or sends\n"
     "--echo messages one at a time, each waiting for its echo.\n"),
  NULL, FALSE, NULL, TRUE,
};

static int
cmd_bench_tcp_source (int    argc,
                      char **argv)
{
  g_autofree char *to = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *file_name = NULL;
  gint64 writes = 0, echo = 0, size = 100;
  gboolean tls = FALSE;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("The sink's address"), "HOST:PORT" },
    { "writes", 0, 0, G_OPTION_ARG_INT64, &writes, N_("Write N messages"), "N" },
    { "echo", 0, 0, G_OPTION_ARG_INT64, &echo, N_("Send N messages one at a time"), "N" },
    { "size", 0, 0, G_OPTION_ARG_INT64, &size, N_("The size of a message"), "B" },
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &file_name, N_("Send this file"), "FILE" },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &tls, N_("Use TLS"), NULL },
    { "fingerprint", 0, 0, G_OPTION_ARG_STRING, &fingerprint, N_("The sink certificate's fingerprint"), "FP" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GRand) rand = g_rand_new ();
  g_autofree guint8 *buffer = NULL;
  guint64 messages = 0, bytes = 0;
  gint64 start_time, end_time;
  GInputStream *in;
  GOutputStream *out;

  if (!parse_command_line (&bench_tcp_source_command, entries, &argc, &argv) ||
      !no_arguments (&bench_tcp_source_command, argc, argv))
    return EXIT_USAGE;
  if (to == NULL || size < 1 || size > RAW_BUFFER_SIZE)
    {
      print_error (_("--to and a --size between 1 and %d are required"), RAW_BUFFER_SIZE);
      return EXIT_USAGE;
    }

  g_socket_client_set_timeout (client, RAW_IO_TIMEOUT);
  connection = g_socket_client_connect_to_host (client, to, 0, NULL, &error);
  if (connection == NULL)
    goto failed;
  stream = G_IO_STREAM (g_object_ref (connection));
  if (tls)
    {
      g_autoptr(GIOStream) tls_stream = g_tls_client_connection_new (stream, NULL, &error);

      if (tls_stream == NULL)
        goto failed;
      g_signal_connect (tls_stream, "accept-certificate", G_CALLBACK (raw_accept_certificate), fingerprint);
      if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls_stream), NULL, &error))
        goto failed;
      g_set_object (&stream, tls_stream);
    }
  in = g_io_stream_get_input_stream (stream);
  out = g_io_stream_get_output_stream (stream);
  buffer = g_malloc (RAW_BUFFER_SIZE);
  fill_random (rand, buffer, RAW_BUFFER_SIZE);

  start_time = g_get_monotonic_time ();
  if (echo > 0)
    {
      for (gint64 i = 0; i < echo; i++)
        {
          gsize n = 0;

          if (!g_output_stream_write_all (out, buffer, size, NULL, NULL, &error) ||
              !g_input_stream_read_all (in, buffer, size, &n, NULL, &error))
            goto failed;
          if (n < (gsize) size)
            goto closed;
        }
      messages = echo;
      bytes = echo * size;
    }
  else
    {
      char answer;
      gsize n = 0;

      if (file_name != NULL)
        {
          g_autoptr(GFile) file = g_file_new_for_commandline_arg (file_name);
          g_autoptr(GFileInputStream) file_in = g_file_read (file, NULL, &error);
          gssize got;

          if (file_in == NULL)
            goto failed;
          while ((got = g_input_stream_read (G_INPUT_STREAM (file_in), buffer, RAW_BUFFER_SIZE, NULL, &error)) > 0)
            {
              if (!g_output_stream_write_all (out, buffer, got, NULL, NULL, &error))
                goto failed;
              bytes += got;
            }
          if (got < 0)
            goto failed;
          messages = 1;
        }
      else
        {
          for (gint64 i = 0; i < writes; i++)
            if (!g_output_stream_write_all (out, buffer, size, NULL, NULL, &error))
              goto failed;
          messages = writes;
          bytes = writes * size;
        }
      if (!g_input_stream_read_all (in, &answer, 1, &n, NULL, &error))
        goto failed;
      if (n < 1)
        goto closed;
    }
  end_time = g_get_monotonic_time ();
  g_io_stream_close (stream, NULL, NULL);
  print_stats (messages, bytes, seconds_between (start_time, end_time));
  return EXIT_SUCCESS;

closed:
  print_error (_("the raw TCP sink closed the connection early"));
  return EXIT_FAILURE;
failed:
  print_error ("%s", error->message);
  return EXIT_FAILURE;
}

/* msrp bench */

typedef enum {
  SCENARIO_PIPELINED,
  SCENARIO_ONE_AT_A_TIME,
  SCENARIO_FILE,
} ScenarioKind;

#define BENCH_MESSAGE_SIZE 100
#define BENCH_WINDOW 256
#define ONE_AT_A_TIME_ROUNDS 4
/* The longest one run of one side may take. */
#define BENCH_RUN_TIMEOUT 900

typedef struct {
  gboolean ok;
  double seconds;
  guint64 messages;
  guint64 bytes;
  guint64 client_vmhwm_kb;
  guint64 server_vmhwm_kb;
} BenchResult;

typedef struct {
  const char *id;
  char *name;
  ScenarioKind kind;
  gboolean tls;
  guint64 count;         /* messages of a round; for a file, its size */
  guint rounds;          /* msrp and raw TCP take turns, and add up */
  BenchResult msrp;
  BenchResult raw;
} Scenario;

typedef struct _Bench Bench;

/* One run: a server process (msrp listen, or the raw sink) and a client
 * process (msrp send, or the raw source). */
typedef struct {
  Bench *bench;
  Scenario *scenario;
  gboolean raw;
  GSubprocess *server;
  GSubprocess *client;
  GDataInputStream *server_out;
  GOutputStream *server_rest;
  char *address;
  char *fingerprint;
  char *client_stdout;
  guint running;         /* operations whose callback has not run yet */
  GSource *timer;
  GError *error;
} BenchRun;

struct _Bench {
  char *self_exe;
  GPtrArray *scenarios;  /* (element-type Scenario) */
  guint scenario_index;
  guint step;            /* in the scenario: round * 2 + (0: msrp, 1: raw TCP) */
  guint64 file_size;
  char *tmp_dir;
  char *data_file;
  gboolean json;
  gboolean quick;
};

static void
scenario_free (gpointer data)
{
  Scenario *scenario = data;

  g_free (scenario->name);
  g_free (scenario);
}

static void bench_next (Bench *self);

static void
bench_run_free (BenchRun *run)
{
  if (run->timer != NULL)
    {
      g_source_destroy (run->timer);
      g_source_unref (run->timer);
    }
  g_clear_object (&run->server);
  g_clear_object (&run->client);
  g_clear_object (&run->server_out);
  g_clear_object (&run->server_rest);
  g_free (run->address);
  g_free (run->fingerprint);
  g_free (run->client_stdout);
  g_clear_error (&run->error);
  g_free (run);
}

/* Ends the run with an error: both processes are killed, and the bench fails
 * once every callback has come back. */
static void
bench_run_error (BenchRun *run,
                 GError   *error)
{
  if (run->error == NULL)
    run->error = error;
  else
    g_error_free (error);
  if (run->server != NULL)
    g_subprocess_force_exit (run->server);
  if (run->client != NULL)
    g_subprocess_force_exit (run->client);
}

static gboolean
bench_run_on_timeout (gpointer user_data)
{
  BenchRun *run = user_data;

  g_clear_pointer (&run->timer, g_source_unref);
  bench_run_error (run, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                     _("did not finish within %d s"), BENCH_RUN_TIMEOUT));
  return G_SOURCE_REMOVE;
}

/* Reads "stats key=value ..." from a process's output. */
static gboolean
parse_stats (const char *output,
             guint64    *messages,
             guint64    *bytes,
             double     *seconds,
             guint64    *vmhwm_kb)
{
  g_auto(GStrv) lines = g_strsplit (output != NULL ? output : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;

      if (!g_str_has_prefix (lines[i], STATS_PREFIX))
        continue;
      fields = g_strsplit (lines[i] + strlen (STATS_PREFIX), " ", -1);
      for (guint j = 0; fields[j] != NULL; j++)
        {
          const char *value = strchr (fields[j], '=');

          if (value == NULL)
            continue;
          value++;
          if (g_str_has_prefix (fields[j], "messages="))
            *messages = g_ascii_strtoull (value, NULL, 10);
          else if (g_str_has_prefix (fields[j], "bytes="))
            *bytes = g_ascii_strtoull (value, NULL, 10);
          else if (g_str_has_prefix (fields[j], "seconds="))
            *seconds = g_ascii_strtod (value, NULL);
          else if (g_str_has_prefix (fields[j], "vmhwm_kb="))
            *vmhwm_kb = g_ascii_strtoull (value, NULL, 10);
        }
      return TRUE;
    }
  return FALSE;
}

static const char *
bench_run_what (BenchRun *run)
{
  return run->raw ? _("raw TCP") : "msrp";
}

static void
bench_run_check_done (BenchRun *run)
{
  Bench *self = run->bench;
  BenchResult *total = run->raw ? &run->scenario->raw : &run->scenario->msrp;
  BenchResult one = { 0 }, *result = &one;
  g_autofree char *server_output = NULL;
  guint64 server_messages = 0, server_bytes = 0;
  double server_seconds = 0;

  if (--run->running > 0)
    return;

  if (run->error != NULL)
    {
      print_error (_("bench: %s, %s: %s"), run->scenario->name, bench_run_what (run), run->error->message);
      exit_status = EXIT_FAILURE;
      bench_run_free (run);
      g_main_loop_quit (loop);
      return;
    }

  server_output = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (run->server_rest)),
                             g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (run->server_rest)));
  if (!parse_stats (run->client_stdout, &result->messages, &result->bytes, &result->seconds,
                    &result->client_vmhwm_kb) ||
      !parse_stats (server_output, &server_messages, &server_bytes, &server_seconds,
                    &result->server_vmhwm_kb))
    {
      print_error (_("bench: %s, %s: a process printed no stats"), run->scenario->name, bench_run_what (run));
      exit_status = EXIT_FAILURE;
      bench_run_free (run);
      g_main_loop_quit (loop);
      return;
    }
  /* The receiving side must have seen everything the sender counted. */
  if (!run->raw && (server_messages != result->messages || server_bytes != result->bytes))
    {
      g_autofree char *got = g_strdup_printf ("%" G_GUINT64_FORMAT, server_messages);
      g_autofree char *got_bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, server_bytes);
      g_autofree char *sent = g_strdup_printf ("%" G_GUINT64_FORMAT, result->messages);
      g_autofree char *sent_bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, result->bytes);

      print_error (_("bench: %s: msrp listen received %s messages (%s bytes), msrp send sent %s (%s bytes)"),
                   run->scenario->name, got, got_bytes, sent, sent_bytes);
      exit_status = EXIT_FAILURE;
      bench_run_free (run);
      g_main_loop_quit (loop);
      return;
    }
  /* Rounds add up: their messages and time, the highest RSS. */
  total->ok = TRUE;
  total->seconds += one.seconds;
  total->messages += one.messages;
  total->bytes += one.bytes;
  total->client_vmhwm_kb = MAX (total->client_vmhwm_kb, one.client_vmhwm_kb);
  total->server_vmhwm_kb = MAX (total->server_vmhwm_kb, one.server_vmhwm_kb);
  bench_run_free (run);
  bench_next (self);
}

static gboolean
check_exit (GSubprocess *process,
            const char  *what,
            GError     **error)
{
  if (g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0)
    return TRUE;
  if (g_subprocess_get_if_signaled (process))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s was killed by signal %d"),
                 what, g_subprocess_get_term_sig (process));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s exited with status %d"),
                 what, g_subprocess_get_exit_status (process));
  return FALSE;
}

static void
bench_run_on_client_done (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  BenchRun *run = user_data;
  GError *error = NULL;

  if (!g_subprocess_communicate_utf8_finish (run->client, result, &run->client_stdout, NULL, &error) ||
      !check_exit (run->client, run->raw ? _("the raw TCP source") : "msrp send", &error))
    bench_run_error (run, error);
  bench_run_check_done (run);
}

static void
bench_run_on_server_done (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  BenchRun *run = user_data;
  GError *error = NULL;

  if (!g_subprocess_wait_finish (run->server, result, &error) ||
      !check_exit (run->server, run->raw ? _("the raw TCP sink") : "msrp listen", &error))
    bench_run_error (run, error);
  bench_run_check_done (run);
}

static void
bench_run_on_spliced (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  BenchRun *run = user_data;
  GError *error = NULL;

  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error) < 0)
    bench_run_error (run, error);
  bench_run_check_done (run);
}

static void
bench_run_start_client (BenchRun *run)
{
  Scenario *scenario = run->scenario;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, scenario->count);
  g_autofree char *size = g_strdup_printf ("%d", BENCH_MESSAGE_SIZE);
  g_autofree char *window = g_strdup_printf ("%d", scenario->kind == SCENARIO_PIPELINED ? BENCH_WINDOW : 1);
  g_autoptr(GError) error = NULL;

  g_strv_builder_add (builder, run->bench->self_exe);
  if (run->raw)
    {
      g_strv_builder_add_many (builder, "bench-tcp-source", "--to", run->address, NULL);
      if (scenario->kind == SCENARIO_FILE)
        g_strv_builder_add_many (builder, "--file", run->bench->data_file, NULL);
      else
        g_strv_builder_add_many (builder, scenario->kind == SCENARIO_PIPELINED ? "--writes" : "--echo", count,
                                 "--size", size, NULL);
    }
  else
    {
      g_strv_builder_add_many (builder, "send", "--stats", "--to", run->address, NULL);
      if (scenario->kind == SCENARIO_FILE)
        /* As the goal says: the file asks for a success REPORT, and send
         * ends only once it has come. */
        g_strv_builder_add_many (builder, "--file", run->bench->data_file,
                                 "--content-type", "application/octet-stream",
                                 "--success-report", NULL);
      else
        g_strv_builder_add_many (builder, "--count", count, "--size", size, "--window", window, NULL);
    }
  if (scenario->tls)
    g_strv_builder_add_many (builder, "--tls", "--fingerprint", run->fingerprint, NULL);
  args = g_strv_builder_end (builder);

  run->client = g_subprocess_newv ((const char * const *) args, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (run->client == NULL)
    {
      bench_run_error (run, g_steal_pointer (&error));
      return;
    }
  run->running++;
  g_subprocess_communicate_utf8_async (run->client, NULL, NULL, bench_run_on_client_done, run);

  /* The rest of the server's output holds its stats line. */
  run->server_rest = g_memory_output_stream_new_resizable ();
  run->running++;
  g_output_stream_splice_async (run->server_rest, G_INPUT_STREAM (run->server_out),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, bench_run_on_spliced, run);
}

static void
bench_run_on_line (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  BenchRun *run = user_data;
  GError *error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (run->server_out, result, NULL, &error);

  if (line == NULL)
    {
      if (error == NULL)
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, _("%s printed no address"),
                             run->raw ? _("the raw TCP sink") : "msrp listen");
      bench_run_error (run, error);
      bench_run_check_done (run);
      return;
    }

  if (g_str_has_prefix (line, "a=path:") || g_str_has_prefix (line, "tcp:"))
    run->address = g_strdup (strchr (line, ':') + 1);
  else if (g_str_has_prefix (line, "a=fingerprint:") || g_str_has_prefix (line, "fingerprint:"))
    run->fingerprint = g_strdup (strchr (line, ':') + 1);

  if (run->address == NULL || (run->scenario->tls && run->fingerprint == NULL))
    g_data_input_stream_read_line_async (run->server_out, G_PRIORITY_DEFAULT, NULL, bench_run_on_line, run);
  else
    {
      bench_run_start_client (run);
      bench_run_check_done (run);
    }
}

static void
bench_run_start (Bench    *self,
                 Scenario *scenario,
                 gboolean  raw)
{
  BenchRun *run = g_new0 (BenchRun, 1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_autofree char *count = NULL;
  g_autofree char *size = g_strdup_printf ("%d", BENCH_MESSAGE_SIZE);
  GError *error = NULL;

  run->bench = self;
  run->scenario = scenario;
  run->raw = raw;

  g_strv_builder_add (builder, self->self_exe);
  if (raw)
    {
      g_strv_builder_add (builder, "bench-tcp-sink");
      if (scenario->kind == SCENARIO_ONE_AT_A_TIME)
        {
          count = g_strdup_printf ("%" G_GUINT64_FORMAT, scenario->count);
          g_strv_builder_add_many (builder, "--echo", count, "--size", size, NULL);
        }
      else
        {
          count = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                   scenario->kind == SCENARIO_FILE ? scenario->count
                                                                   : scenario->count * BENCH_MESSAGE_SIZE);
          g_strv_builder_add_many (builder, "--bytes", count, NULL);
        }
    }
  else
    {
      count = g_strdup_printf ("%" G_GUINT64_FORMAT, scenario->kind == SCENARIO_FILE ? 1 : scenario->count);
      g_strv_builder_add_many (builder, "listen", "--quiet", "--stats", "--count", count, NULL);
    }
  if (scenario->tls)
    g_strv_builder_add (builder, "--tls");
  args = g_strv_builder_end (builder);

  if (!self->json)
    {
      fprintf (stderr, _("running: %s, %s\n"), scenario->name, bench_run_what (run));
      fflush (stderr);
    }

  run->server = g_subprocess_newv ((const char * const *) args, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (run->server == NULL)
    {
      run->running = 1;
      bench_run_error (run, error);
      bench_run_check_done (run);
      return;
    }
  run->timer = g_timeout_source_new_seconds (BENCH_RUN_TIMEOUT);
  g_source_set_static_name (run->timer, "[msrp] bench run timeout");
  g_source_set_callback (run->timer, bench_run_on_timeout, run, NULL);
  g_source_attach (run->timer, NULL);

  run->running = 2;
  g_subprocess_wait_async (run->server, NULL, bench_run_on_server_done, run);
  run->server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run->server));
  g_data_input_stream_read_line_async (run->server_out, G_PRIORITY_DEFAULT, NULL, bench_run_on_line, run);
}

/* messages/s, or MiB/s for a file */
static double
bench_figure (const Scenario    *scenario,
              const BenchResult *result)
{
  if (scenario->kind == SCENARIO_FILE)
    return result->bytes / result->seconds / MIB;
  return result->messages / result->seconds;
}

static const char *
bench_unit (const Scenario *scenario)
{
  return scenario->kind == SCENARIO_FILE ? "MiB/s" : "messages/s";
}

static void
bench_print_json (Bench *self)
{
  GString *json = g_string_new ("{\n");
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (json, "  \"quick\": %s,\n", self->quick ? "true" : "false");
  g_string_append_printf (json, "  \"cpus\": %u,\n", g_get_num_processors ());
  g_string_append (json, "  \"scenarios\": [\n");
  for (guint i = 0; i < self->scenarios->len; i++)
    {
      Scenario *s = g_ptr_array_index (self->scenarios, i);
      double msrp = bench_figure (s, &s->msrp), raw = bench_figure (s, &s->raw);

      g_string_append_printf (json, "    {\"id\": \"%s\", \"name\": \"%s\", \"tls\": %s, \"unit\": \"%s\", ",
                              s->id, s->name, s->tls ? "true" : "false", bench_unit (s));
      if (s->kind == SCENARIO_FILE)
        g_string_append_printf (json, "\"bytes\": %" G_GUINT64_FORMAT ", ", s->count);
      else
        g_string_append_printf (json, "\"messages\": %" G_GUINT64_FORMAT ", \"message_size\": %d, \"window\": %d, ",
                                s->count * s->rounds, BENCH_MESSAGE_SIZE,
                                s->kind == SCENARIO_PIPELINED ? BENCH_WINDOW : 1);
      g_string_append_printf (json, "\"msrp\": %s, ", g_ascii_formatd (number, sizeof number, "%.3f", msrp));
      g_string_append_printf (json, "\"raw_tcp\": %s, ", g_ascii_formatd (number, sizeof number, "%.3f", raw));
      g_string_append_printf (json, "\"ratio\": %s, ", g_ascii_formatd (number, sizeof number, "%.4f", msrp / raw));
      g_string_append_printf (json, "\"msrp_seconds\": %s, ", format_double (number, s->msrp.seconds));
      g_string_append_printf (json, "\"raw_tcp_seconds\": %s, ", format_double (number, s->raw.seconds));
      g_string_append_printf (json, "\"msrp_send_vmhwm_kb\": %" G_GUINT64_FORMAT ", "
                              "\"msrp_listen_vmhwm_kb\": %" G_GUINT64_FORMAT ", "
                              "\"raw_source_vmhwm_kb\": %" G_GUINT64_FORMAT ", "
                              "\"raw_sink_vmhwm_kb\": %" G_GUINT64_FORMAT "}%s\n",
                              s->msrp.client_vmhwm_kb, s->msrp.server_vmhwm_kb,
                              s->raw.client_vmhwm_kb, s->raw.server_vmhwm_kb,
                              i + 1 < self->scenarios->len ? "," : "");
    }
  g_string_append (json, "  ]\n}\n");
  fputs (json->str, stdout);
  g_string_free (json, TRUE);
}

static void
bench_print_table (Bench *self)
{
  printf ("%-40s %16s %16s %7s %11s %11s\n",
          _("scenario"), "msrp", _("raw TCP"), _("ratio"), _("send RSS"), _("listen RSS"));
  for (guint i = 0; i < self->scenarios->len; i++)
    {
      Scenario *s = g_ptr_array_index (self->scenarios, i);
      double msrp = bench_figure (s, &s->msrp), raw = bench_figure (s, &s->raw);
      const char *unit = s->kind == SCENARIO_FILE ? "MiB/s" : "msg/s";
      g_autofree char *msrp_text = g_strdup_printf ("%.1f %s", msrp, unit);
      g_autofree char *raw_text = g_strdup_printf ("%.1f %s", raw, unit);

      printf ("%-40s %16s %16s %7.3f %7.1f MiB %7.1f MiB\n",
              s->name, msrp_text, raw_text, msrp / raw,
              s->msrp.client_vmhwm_kb / 1024.0, s->msrp.server_vmhwm_kb / 1024.0);
    }
  printf (_("(msrp: msrp send → msrp listen; raw TCP: the same traffic over a plain socket,\n"
            " one process per side; RSS: peak (VmHWM) of each msrp process; %u CPUs)\n"),
          g_get_num_processors ());
  fflush (stdout);
}

static void
bench_next (Bench *self)
{
  Scenario *scenario;

  if (self->scenario_index < self->scenarios->len)
    {
      scenario = g_ptr_array_index (self->scenarios, self->scenario_index);
      if (self->step == scenario->rounds * 2)
        {
          self->scenario_index++;
          self->step = 0;
        }
    }
  if (self->scenario_index == self->scenarios->len)
    {
      if (self->json)
        bench_print_json (self);
      else
        bench_print_table (self);
      g_main_loop_quit (loop);
      return;
    }
  scenario = g_ptr_array_index (self->scenarios, self->scenario_index);
  bench_run_start (self, scenario, self->step % 2 == 1);
  self->step++;
}

/* Random data, made in a thread so that the main loop does not block. */
static void
bench_write_data_file (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  Bench *self = task_data;
  g_autoptr(GFile) file = g_file_new_for_path (self->data_file);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GRand) rand = g_rand_new ();
  g_autofree guint8 *buffer = g_malloc (1024 * 1024);
  guint64 left = self->file_size;
  GError *error = NULL;

  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, &error);
  if (out == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  while (left > 0)
    {
      gsize n = MIN (left, 1024 * 1024);

      fill_random (rand, buffer, n);
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), buffer, n, NULL, NULL, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      left -= n;
    }
  if (!g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
bench_on_data_file (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Bench *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      print_error (_("bench: cannot write %s: %s"), self->data_file, error->message);
      exit_status = EXIT_FAILURE;
      g_main_loop_quit (loop);
      return;
    }
  bench_next (self);
}

static void
bench_add (Bench        *self,
           const char   *id,
           ScenarioKind  kind,
           gboolean      tls,
           guint64       count,
           guint         rounds)
{
  Scenario *scenario = g_new0 (Scenario, 1);
  g_autofree char *size = NULL;

  scenario->id = id;
  scenario->kind = kind;
  scenario->tls = tls;
  scenario->count = count;
  scenario->rounds = rounds;
  switch (kind)
    {
    case SCENARIO_PIPELINED:
      scenario->name = g_strdup_printf ("%s%" G_GUINT64_FORMAT " x %d B, window %d",
                                        tls ? "TLS " : "", count, BENCH_MESSAGE_SIZE, BENCH_WINDOW);
      break;
    case SCENARIO_ONE_AT_A_TIME:
      scenario->name = g_strdup_printf ("%s%" G_GUINT64_FORMAT " x %d B, one at a time",
                                        tls ? "TLS " : "", count * rounds, BENCH_MESSAGE_SIZE);
      break;
    case SCENARIO_FILE:
      size = g_format_size_full (count, G_FORMAT_SIZE_IEC_UNITS);
      scenario->name = g_strdup_printf ("%sfile of %s", tls ? "TLS " : "", size);
      break;
    }
  g_ptr_array_add (self->scenarios, scenario);
}

static const Command bench_command = {
  "bench", cmd_bench, "",
  N_("Run loopback benchmarks of msrp send and msrp listen."),
  N_("Runs each scenario twice, with the two ends in separate processes: msrp send\n"
     "to msrp listen, then the same traffic over a plain TCP socket (the raw\n"
     "baseline). Scenarios: 100-byte messages pipelined (window 256), 100-byte\n"
     "messages one at a time (each waits for its 200; the baseline waits for a\n"
     "100-byte echo; msrp and the baseline take turns in 4 rounds, added up),\n"
     "and a file of random data (made in $TMPDIR) with Success-Report: yes (send\n"
     "ends when the REPORT is in); then the pipelined and file scenarios again\n"
     "over TLS. Prints a table of throughputs (messages/s, and MiB/s for files),\n"
     "the ratio msrp / raw TCP, and the peak RSS of each msrp process (MiB).\n"),
  NULL, FALSE,
  "  msrp bench\n"
  "  msrp bench --quick --json\n"
  "  msrp bench --file-size 1G --no-tls\n",
  FALSE,
};

static int
cmd_bench (int    argc,
           char **argv)
{
  gboolean json = FALSE, quick = FALSE, no_tls = FALSE;
  g_autofree char *file_size_text = NULL;
  gint64 count = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object instead of a table"), NULL },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, N_("Smaller counts and file, for a quick check"), NULL },
    { "file-size", 0, 0, G_OPTION_ARG_STRING, &file_size_text, N_("The size of the file scenario (default: 256M, 16M with --quick)"), "B" },
    { "count", 0, 0, G_OPTION_ARG_INT64, &count, N_("Messages in the pipelined scenarios (default: 100000, 10000 with --quick)"), "N" },
    { "no-tls", 0, 0, G_OPTION_ARG_NONE, &no_tls, N_("Skip the TLS scenarios"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  Bench self = { 0 };
  guint64 one_at_a_time;

  if (!parse_command_line (&bench_command, entries, &argc, &argv) ||
      !no_arguments (&bench_command, argc, argv))
    return EXIT_USAGE;
  self.file_size = quick ? 16 << 20 : 256 << 20;
  if (file_size_text != NULL && !parse_size ("--file-size", file_size_text, &self.file_size))
    return EXIT_USAGE;
  if (count < 0 || self.file_size == 0)
    {
      print_error (_("%s must be at least 1"), count < 0 ? "--count" : "--file-size");
      return EXIT_USAGE;
    }
  if (count == 0)
    count = quick ? 10000 : 100000;
  one_at_a_time = quick ? 500 : 5000;

  /* The benchmark runs this very program on both ends. */
  self.self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self.self_exe == NULL)
    self.self_exe = g_strdup (argv[0]);
  self.tmp_dir = g_dir_make_tmp ("msrp-bench-XXXXXX", &error);
  if (self.tmp_dir == NULL)
    {
      print_error ("%s", error->message);
      g_free (self.self_exe);
      return EXIT_FAILURE;
    }
  self.data_file = g_build_filename (self.tmp_dir, "data", NULL);
  self.json = json;
  self.quick = quick;
  self.scenarios = g_ptr_array_new_with_free_func (scenario_free);
  bench_add (&self, "pipelined", SCENARIO_PIPELINED, FALSE, count, 1);
  /* A round trip's time swings with the machine's other work: the two
   * take turns in short rounds, so that both see the same swings. */
  bench_add (&self, "one-at-a-time", SCENARIO_ONE_AT_A_TIME, FALSE, one_at_a_time, ONE_AT_A_TIME_ROUNDS);
  bench_add (&self, "file", SCENARIO_FILE, FALSE, self.file_size, 1);
  if (!no_tls)
    {
      bench_add (&self, "tls-pipelined", SCENARIO_PIPELINED, TRUE, count, 1);
      bench_add (&self, "tls-file", SCENARIO_FILE, TRUE, self.file_size, 1);
    }

  loop = g_main_loop_new (NULL, FALSE);
  task = g_task_new (NULL, NULL, bench_on_data_file, &self);
  g_task_set_task_data (task, &self, NULL);
  g_task_set_name (task, "[msrp] bench data file");
  g_task_run_in_thread (task, bench_write_data_file);
  g_clear_object (&task);
  g_main_loop_run (loop);

  g_unlink (self.data_file);
  g_rmdir (self.tmp_dir);
  g_free (self.data_file);
  g_free (self.tmp_dir);
  g_free (self.self_exe);
  g_ptr_array_unref (self.scenarios);
  g_clear_pointer (&loop, g_main_loop_unref);
  return exit_status;
}

/* msrp relay */

static const Command relay_command = {
  "relay", cmd_relay, "",
  N_("Run an MSRP relay (RFC 4976) until interrupted."),
  N_("The first line on standard output is the relay's URI, the To-Path of a\n"
     "client's first AUTH (give it to --relay of listen and send); with --tls the\n"
     "second line is the certificate's fingerprint (for --relay-fingerprint).\n"
     "Clients authenticate with HTTP Digest as one of the --user options (any\n"
     "number of them); then the relay forwards their chunks. With --tls the relay\n"
     "listens with TLS (msrps:) with a new self-signed certificate. It serves\n"
     "until SIGINT or SIGTERM, then closes every connection and exits 0.\n"),
  NULL, FALSE,
  "  msrp relay --user alice:secret --user bob:secret\n"
  "  msrp relay --host 192.0.2.10 --port 2855 --tls --realm example.com --user alice:secret\n"
  "  msrp relay --tls --user alice:secret --user bob:secret > relay.out &\n"
  "  msrp listen --relay \"$(head -n1 relay.out)\" --relay-user bob:secret \\\n"
  "              --relay-fingerprint \"$(sed -n 2p relay.out)\"\n",
  FALSE,
};

static gboolean
relay_on_signal (gpointer user_data)
{
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static int
cmd_relay (int    argc,
           char **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *realm = NULL;
  g_auto(GStrv) users = NULL;
  int port = 0;
  gboolean tls = FALSE, verbose = FALSE;
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("The address to listen on and to put in the URIs (default: 127.0.0.1)"), "HOST" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("The TCP port (default: any free port)"), "PORT" },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &tls, N_("Use TLS (msrps:) with a new self-signed certificate"), NULL },
    { "realm", 0, 0, G_OPTION_ARG_STRING, &realm, N_("The Digest realm (default: the host)"), "REALM" },
    { "user", 0, 0, G_OPTION_ARG_STRING_ARRAY, &users, N_("A user who may authenticate (repeatable)"), "NAME:PASSWORD" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Log the traffic on stderr"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpRelay) relay = NULL;
  g_autoptr(MsrpUri) uri = NULL;
  g_autofree char *uri_string = NULL;
  guint sigint_id, sigterm_id;

  if (!parse_command_line (&relay_command, entries, &argc, &argv) ||
      !no_arguments (&relay_command, argc, argv))
    return EXIT_USAGE;
  if (port < 0 || port > 65535)
    {
      print_error (_("--port out of range (see 'msrp relay --help')"));
      return EXIT_USAGE;
    }
  if (host == NULL)
    host = g_strdup ("127.0.0.1");

  relay = msrp_relay_new (realm != NULL ? realm : host);
  for (guint i = 0; users != NULL && users[i] != NULL; i++)
    {
      const char *colon = strchr (users[i], ':');
      g_autofree char *name = NULL;

      if (colon == NULL || colon == users[i])
        {
          print_error (_("--user wants NAME:PASSWORD, not '%s'"), users[i]);
          return EXIT_USAGE;
        }
      name = g_strndup (users[i], colon - users[i]);
      msrp_relay_add_user (relay, name, colon + 1);
    }
  if (tls)
    {
      g_autoptr(GTlsCertificate) certificate = msrp_tls_certificate_new_self_signed (host, &error);

      if (certificate == NULL)
        {
          fail (error);
          return exit_status;
        }
      msrp_relay_set_tls_certificate (relay, certificate);
    }
  if (verbose)
    {
      g_autoptr(MsrpLogger) logger = new_stderr_logger ();

      msrp_relay_set_logger (relay, logger);
    }

  loop = g_main_loop_new (NULL, FALSE);
  uri = msrp_relay_listen (relay, host, port, tls, &error);
  if (uri == NULL)
    {
      fail (error);
      g_clear_pointer (&loop, g_main_loop_unref);
      return exit_status;
    }
  uri_string = msrp_uri_to_string (uri);
  printf ("%s\n", uri_string);
  if (tls)
    {
      g_autofree char *fingerprint = msrp_tls_certificate_get_fingerprint (msrp_relay_get_tls_certificate (relay),
                                                                           G_CHECKSUM_SHA256);

      printf ("a=fingerprint:%s\n", fingerprint);
    }
  fflush (stdout);

  sigint_id = g_unix_signal_add (SIGINT, relay_on_signal, NULL);
  sigterm_id = g_unix_signal_add (SIGTERM, relay_on_signal, NULL);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  msrp_relay_stop (relay);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&loop, g_main_loop_unref);
  return exit_status;
}

/* msrp demo */

/* The whole demo, from the relay's start to its stop, must fit in this. */
#define DEMO_TIMEOUT 60
#define DEMO_FILE_SIZE (4 << 20)
#define DEMO_FILE_NAME "demo.bin"
#define DEMO_REALM "msrp-demo"

typedef struct _Demo Demo;

static void demo_say (Demo *d, const char *who, const char *format, ...) G_GNUC_PRINTF (3, 4);

/* A logger that shows bob's AUTH exchange with the relay in the transcript,
 * and passes all traffic on to the traffic log of --verbose. */
#define DEMO_TYPE_TRACER (demo_tracer_get_type ())
G_DECLARE_FINAL_TYPE (DemoTracer, demo_tracer, DEMO, TRACER, GObject)

struct _DemoTracer {
  GObject parent_instance;
  Demo *demo;
  MsrpLogger *next;        /* nullable */
  GHashTable *auths;       /* transaction ids of the AUTHs sent */
};

static void demo_tracer_logger_init (MsrpLoggerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DemoTracer, demo_tracer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MSRP_TYPE_LOGGER, demo_tracer_logger_init))

static void
demo_tracer_finalize (GObject *object)
{
  DemoTracer *self = DEMO_TRACER (object);

  g_clear_object (&self->next);
  g_hash_table_unref (self->auths);
  G_OBJECT_CLASS (demo_tracer_parent_class)->finalize (object);
}

static void
demo_tracer_class_init (DemoTracerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = demo_tracer_finalize;
}

static void
demo_tracer_init (DemoTracer *self)
{
  self->auths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* The value of NAME="..." in an authentication header. */
static char *
auth_param (const char *header,
            const char *name)
{
  g_autofree char *key = g_strdup_printf ("%s=\"", name);
  const char *start = header != NULL ? strstr (header, key) : NULL;
  const char *end;

  if (start == NULL)
    return g_strdup ("?");
  start += strlen (key);
  end = strchr (start, '"');
  return end != NULL ? g_strndup (start, end - start) : g_strdup (start);
}

static void
demo_tracer_sent_new_chunk (MsrpLogger    *logger,
                            MsrpTransport *transport,
                            MsrpChunk     *chunk,
                            GBytes        *data)
{
  DemoTracer *self = DEMO_TRACER (logger);

  if (msrp_chunk_is_request (chunk) && strcmp (msrp_chunk_get_method (chunk), "AUTH") == 0)
    {
      const char *authorization = msrp_chunk_get_header (chunk, "Authorization");

      g_hash_table_add (self->auths, g_strdup (msrp_chunk_get_transaction_id (chunk)));
      if (authorization == NULL)
        demo_say (self->demo, "bob", _("→ relay  AUTH, without credentials"));
      else
        {
          g_autofree char *username = auth_param (authorization, "username");

          demo_say (self->demo, "bob", _("→ relay  AUTH, with a Digest answer for user \"%s\" (MD5, qop=auth)"),
                    username);
        }
    }
  if (self->next != NULL)
    msrp_logger_sent_new_chunk (self->next, transport, chunk, data);
}

static void
demo_tracer_received_new_chunk (MsrpLogger    *logger,
                                MsrpTransport *transport,
                                MsrpChunk     *chunk,
                                GBytes        *data)
{
  DemoTracer *self = DEMO_TRACER (logger);

  if (!msrp_chunk_is_request (chunk) &&
      g_hash_table_remove (self->auths, msrp_chunk_get_transaction_id (chunk)))
    {
      guint code = msrp_chunk_get_code (chunk);
      const char *comment = msrp_chunk_get_comment (chunk);

      if (code == MSRP_STATUS_UNAUTHORIZED)
        {
          g_autofree char *realm = auth_param (msrp_chunk_get_header (chunk, "WWW-Authenticate"), "realm");

          demo_say (self->demo, "relay", _("→ bob    %u %s: a Digest challenge, realm \"%s\""),
                    code, comment != NULL ? comment : "", realm);
        }
      else if (code == MSRP_STATUS_OK)
        demo_say (self->demo, "relay", _("→ bob    %u %s: Use-Path %s, Expires %s s"),
                  code, comment != NULL ? comment : "",
                  msrp_chunk_get_header (chunk, "Use-Path"), msrp_chunk_get_header (chunk, "Expires"));
      else
        demo_say (self->demo, "relay", "→ bob    %u %s", code, comment != NULL ? comment : "");
    }
  if (self->next != NULL)
    msrp_logger_received_new_chunk (self->next, transport, chunk, data);
}

#define DEMO_TRACER_FORWARD(name) \
  static void \
  demo_tracer_##name (MsrpLogger    *logger, \
                      MsrpTransport *transport, \
                      MsrpChunk     *chunk, \
                      GBytes        *data) \
  { \
    DemoTracer *self = DEMO_TRACER (logger); \
    if (self->next != NULL) \
      msrp_logger_##name (self->next, transport, chunk, data); \
  }

DEMO_TRACER_FORWARD (received_chunk_data)
DEMO_TRACER_FORWARD (received_chunk_end)
DEMO_TRACER_FORWARD (sent_chunk_data)
DEMO_TRACER_FORWARD (sent_chunk_end)

static void
demo_tracer_logger_init (MsrpLoggerInterface *iface)
{
  iface->received_new_chunk = demo_tracer_received_new_chunk;
  iface->received_chunk_data = demo_tracer_received_chunk_data;
  iface->received_chunk_end = demo_tracer_received_chunk_end;
  iface->sent_new_chunk = demo_tracer_sent_new_chunk;
  iface->sent_chunk_data = demo_tracer_sent_chunk_data;
  iface->sent_chunk_end = demo_tracer_sent_chunk_end;
}

static MsrpLogger *
demo_tracer_new (Demo       *demo,
                 MsrpLogger *next)
{
  DemoTracer *self = g_object_new (DEMO_TYPE_TRACER, NULL);

  self->demo = demo;
  self->next = next != NULL ? g_object_ref (next) : NULL;
  return MSRP_LOGGER (self);
}

typedef struct {
  const char *from;        /* "alice" or "bob" */
  const char *text;
} DemoLine;

static const DemoLine demo_lines[] = {
  { "alice", "Hello Bob, this is Alice." },
  { "bob", "Hi Alice! I am behind a relay, but it hardly shows." },
  { "alice", "Good. Here comes the file I promised." },
};

struct _Demo {
  gboolean color;          /* stdout is a terminal (and NO_COLOR is unset) */
  gboolean tty;
  MsrpLogger *traffic;     /* --verbose */
  GCancellable *cancellable;
  const char *step;        /* for the timeout message */
  gint64 start;

  MsrpRelay *relay;
  char *relay_fingerprint;
  MsrpConnector *bob_acceptor;
  MsrpConnector *alice_connector;
  GPtrArray *bob_path;
  MsrpTransport *alice_transport;
  MsrpTransport *bob_transport;
  MsrpSession *alice;
  MsrpSession *bob;
  guint line;              /* the next of demo_lines */

  GBytes *file_data;
  char *file_sha256;
  MsrpOutgoingFile *file;
  gint64 file_start;
  gint64 progress_time;
  int progress_step;       /* quarters shown, without a terminal */
  gboolean progress_drawn; /* a progress bar is on the terminal's last line */
  gboolean file_sent;
  gboolean file_checked;
  guint shutdowns;
  gboolean finished;
};

static const char *
demo_color (const char *who)
{
  if (strcmp (who, "alice") == 0)
    return "\033[36m";
  if (strcmp (who, "bob") == 0)
    return "\033[35m";
  if (strcmp (who, "relay") == 0)
    return "\033[33m";
  return "\033[1m";
}

static void
demo_clear_progress (Demo *d)
{
  if (d->progress_drawn)
    {
      fputs ("\r\033[K", stdout);
      d->progress_drawn = FALSE;
    }
}

/* One line of the transcript: who, then what happens. */
static void
demo_say (Demo       *d,
          const char *who,
          const char *format,
          ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  demo_clear_progress (d);
  if (d->color && *who != '\0')
    printf ("%s%-6s\033[0m %s\n", demo_color (who), who, text);
  else
    printf ("%-6s %s\n", who, text);
  fflush (stdout);
}

static void
demo_blank (Demo *d)
{
  demo_clear_progress (d);
  putchar ('\n');
}

/* "sha-256 AB:CD:EF:01:…:67:89", enough to compare by eye. */
static char *
demo_short_fingerprint (const char *fingerprint)
{
  const char *colon = strchr (fingerprint, ' ');
  gsize length = strlen (fingerprint);

  if (colon == NULL || length < strlen ("sha-256 ") + 24)
    return g_strdup (fingerprint);
  return g_strdup_printf ("%.*s…%s", (int) (colon + 1 - fingerprint) + 12, fingerprint,
                          fingerprint + length - 12);
}

static void
demo_finish (Demo *d)
{
  d->finished = TRUE;
  demo_clear_progress (d);
  g_cancellable_cancel (d->cancellable);
  g_main_loop_quit (loop);
}

static void
demo_fail (Demo       *d,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
demo_fail (Demo       *d,
           const char *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (d->finished)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  demo_clear_progress (d);
  print_error ("demo: %s", message);
  if (exit_status == EXIT_SUCCESS)
    exit_status = EXIT_FAILURE;
  demo_finish (d);
}

static void
demo_fail_error (Demo         *d,
                 const GError *error)
{
  demo_fail (d, "%s: %s", d->step, error->message);
  exit_status = exit_code_for (error);
}

static gboolean
demo_on_timeout (gpointer user_data)
{
  Demo *d = user_data;

  demo_fail (d, _("did not finish within %d s (%s)"), DEMO_TIMEOUT, d->step);
  return G_SOURCE_REMOVE;
}

/* Teardown */

static void
demo_on_shutdown (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Demo *d = user_data;
  g_autoptr(GError) error = NULL;

  if (!msrp_session_shutdown_finish (MSRP_SESSION (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      demo_fail_error (d, error);
      return;
    }
  if (--d->shutdowns > 0 || d->finished)
    return;
  demo_say (d, "relay", _("stops"));
  msrp_relay_stop (d->relay);
  demo_blank (d);
  demo_say (d, "", _("done in %.2f s"), seconds_between (d->start, g_get_monotonic_time ()));
  demo_finish (d);
}

static void
demo_teardown (Demo *d)
{
  d->step = _("teardown");
  demo_blank (d);
  demo_say (d, "", _("teardown:"));
  demo_say (d, "alice", _("ends the session: closes her connection to the relay"));
  demo_say (d, "bob", _("ends the session: closes his connection to the relay (his Use-Path expires)"));
  d->shutdowns = 2;
  msrp_session_shutdown_async (d->alice, NULL, demo_on_shutdown, d);
  msrp_session_shutdown_async (d->bob, NULL, demo_on_shutdown, d);
}

/* The file */

static void
demo_draw_progress (Demo   *d,
                    gint64  sent,
                    gint64  size)
{
  static const char bar[] = "##############################";
  const int width = sizeof bar - 1;
  int percent = size > 0 ? (int) (sent * 100 / size) : 100;
  int filled = size > 0 ? (int) (sent * width / size) : width;
  g_autofree char *sent_text = g_format_size_full (sent, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *size_text = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *line = g_strdup_printf ("[%.*s%*s] %3d%%  %s / %s", filled, bar, width - filled, "",
                                           percent, sent_text, size_text);

  if (d->tty)
    {
      demo_clear_progress (d);
      if (d->color)
        printf ("%s%-6s\033[0m %s", demo_color ("alice"), "alice", line);
      else
        printf ("%-6s %s", "alice", line);
      /* The finished bar stays. */
      if (sent >= size)
        putchar ('\n');
      fflush (stdout);
      d->progress_drawn = sent < size;
    }
  else
    demo_say (d, "alice", "%s", line);
}

static void
demo_on_bytes_sent (GObject    *object,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  Demo *d = user_data;
  gint64 sent = msrp_outgoing_file_get_bytes_sent (d->file);
  gint64 size = msrp_outgoing_file_get_size (d->file);
  gint64 now = g_get_monotonic_time ();

  if (d->finished)
    return;
  if (d->tty)
    {
      /* Ten redraws a second at most, and the last one. */
      if (sent < size && now - d->progress_time < G_USEC_PER_SEC / 10)
        return;
      d->progress_time = now;
      demo_draw_progress (d, sent, size);
    }
  else
    {
      /* Without a terminal, one line per quarter. */
      int step = size > 0 ? (int) (sent * 4 / size) : 4;

      if (step <= d->progress_step)
        return;
      d->progress_step = step;
      demo_draw_progress (d, size * step / 4, size);
    }
}

static void
demo_maybe_teardown (Demo *d)
{
  if (d->file_sent && d->file_checked)
    demo_teardown (d);
}

static void
demo_on_file_sent (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Demo *d = user_data;
  g_autoptr(GError) error = NULL;
  double seconds;
  g_autofree char *size_text = NULL;

  if (!msrp_session_send_file_finish (MSRP_SESSION (source), result, &error))
    {
      if (!d->finished)
        demo_fail_error (d, error);
      return;
    }
  seconds = seconds_between (d->file_start, g_get_monotonic_time ());
  size_text = g_format_size_full (g_bytes_get_size (d->file_data), G_FORMAT_SIZE_IEC_UNITS);
  demo_say (d, "alice", _("sent %s: %s in %.2f s (%.1f MiB/s), acknowledged by the REPORT"),
            DEMO_FILE_NAME, size_text, seconds, g_bytes_get_size (d->file_data) / seconds / MIB);
  d->file_sent = TRUE;
  demo_maybe_teardown (d);
}

static void
demo_send_file (Demo *d)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (4975);
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *disposition = NULL;
  guint8 *data = g_malloc (DEMO_FILE_SIZE);

  d->step = _("the file");
  fill_random (rand, data, DEMO_FILE_SIZE);
  d->file_data = g_bytes_new_take (data, DEMO_FILE_SIZE);
  d->file_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, d->file_data);
  size_text = g_format_size_full (DEMO_FILE_SIZE, G_FORMAT_SIZE_IEC_UNITS);

  demo_blank (d);
  demo_say (d, "", _("a file:"));
  demo_say (d, "alice", _("→ bob    %s, %s of generated data, SHA-256 %.16s…"),
            DEMO_FILE_NAME, size_text, d->file_sha256);

  stream = g_memory_input_stream_new_from_bytes (d->file_data);
  d->file = msrp_outgoing_file_new (stream, DEMO_FILE_SIZE, "application/octet-stream", 0, NULL);
  disposition = g_strdup_printf ("attachment; filename=%s", DEMO_FILE_NAME);
  msrp_outgoing_file_set_header (d->file, "Content-Disposition", disposition);
  g_signal_connect (d->file, "notify::bytes-sent", G_CALLBACK (demo_on_bytes_sent), d);
  d->file_start = g_get_monotonic_time ();
  msrp_session_send_file_async (d->alice, d->file, d->cancellable, demo_on_file_sent, d);
}

/* The chat */

static void demo_next_line (Demo *d);

static void
demo_on_message_sent (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Demo *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = msrp_session_send_message_finish (MSRP_SESSION (source), result, &error);

  if (message_id == NULL)
    {
      if (!d->finished)
        demo_fail_error (d, error);
      return;
    }
  demo_next_line (d);
}

static void
demo_next_line (Demo *d)
{
  const DemoLine *line;
  g_autoptr(GBytes) data = NULL;

  if (d->line == G_N_ELEMENTS (demo_lines))
    {
      demo_send_file (d);
      return;
    }
  line = &demo_lines[d->line++];
  d->step = _("the chat");
  demo_say (d, line->from, "→ %-6s \"%s\"", strcmp (line->from, "alice") == 0 ? "bob" : "alice", line->text);
  data = g_bytes_new_static (line->text, strlen (line->text));
  msrp_session_send_message_async (strcmp (line->from, "alice") == 0 ? d->alice : d->bob,
                                   data, "text/plain", d->cancellable, demo_on_message_sent, d);
}

static void
demo_on_message_received (MsrpSession *session,
                          MsrpChunk   *first_chunk,
                          GBytes      *data,
                          gpointer     user_data)
{
  Demo *d = user_data;
  const char *who = session == d->alice ? "alice" : "bob";
  const char *content_type = msrp_chunk_get_content_type (first_chunk);
  gsize size;
  const char *text = g_bytes_get_data (data, &size);

  if (content_type != NULL && strcmp (content_type, "text/plain") == 0)
    {
      demo_say (d, who, _("received \"%.*s\" (text/plain, %u bytes, Message-ID %s)"),
                (int) size, text, (guint) size, msrp_chunk_get_message_id (first_chunk));
      return;
    }
  if (session == d->bob && d->file_sha256 != NULL)
    {
      g_autofree char *sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
      g_autofree char *size_text = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);

      if (strcmp (sha256, d->file_sha256) != 0)
        {
          demo_fail (d, _("bob received a file whose SHA-256 (%s) is not alice's (%s)"), sha256, d->file_sha256);
          return;
        }
      demo_say (d, "bob", _("received %s (%s, %s): its SHA-256 matches"),
                DEMO_FILE_NAME, content_type != NULL ? content_type : "no type", size_text);
      d->file_checked = TRUE;
      demo_maybe_teardown (d);
      return;
    }
  demo_fail (d, _("%s received an unexpected message (%s)"), who, content_type != NULL ? content_type : "no type");
}

static void
demo_on_report_received (MsrpSession *session,
                         MsrpChunk   *report,
                         gpointer     user_data)
{
  Demo *d = user_data;
  const char *who = session == d->alice ? "alice" : "bob";
  const char *comment = NULL;
  guint code = 0;
  gint64 start = 0, end = 0, total = 0;
  g_autofree char *range = NULL;

  msrp_chunk_get_status (report, &code, &comment);

  msrp_chunk_get_byte_range (report, &start, &end, &total);
  range = g_strdup_printf ("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, start, end, total);
  /* TRANSLATORS: the last %s is a Byte-Range such as 1-25/25 */
  demo_say (d, who, _("got a REPORT: %u %s for Message-ID %s, bytes %s"),
            code, comment != NULL ? comment : "", msrp_chunk_get_message_id (report), range);
}

static void
demo_on_closed (MsrpSession  *session,
                const GError *error,
                gpointer      user_data)
{
  Demo *d = user_data;

  if (error != NULL && !d->finished && d->shutdowns == 0)
    demo_fail (d, _("%s's session ended: %s"), session == d->alice ? "alice" : "bob", error->message);
}

static MsrpSession *
demo_new_session (Demo          *d,
                  MsrpTransport *transport)
{
  MsrpSession *session = msrp_session_new (transport, NULL);

  msrp_session_set_success_report (session, TRUE);
  g_signal_connect (session, "message-received", G_CALLBACK (demo_on_message_received), d);
  g_signal_connect (session, "report-received", G_CALLBACK (demo_on_report_received), d);
  g_signal_connect (session, "closed", G_CALLBACK (demo_on_closed), d);
  return session;
}

/* Once both ends are connected: they finish in either order, and are told
 * in this one. */
static void
demo_maybe_chat (Demo *d)
{
  g_autofree char *remote = NULL;

  if (d->alice_transport == NULL || d->bob_transport == NULL)
    return;
  demo_say (d, "alice", _("TLS to the first hop of bob's path, the relay: its certificate matches"));
  demo_say (d, "", _("the fingerprint alice was given for it (TLS is hop by hop)"));
  remote = msrp_path_to_string (msrp_transport_get_full_remote_path (d->bob_transport));
  demo_say (d, "bob", _("bound by the first peer that came: %s"), remote);
  d->alice = demo_new_session (d, d->alice_transport);
  d->bob = demo_new_session (d, d->bob_transport);
  demo_blank (d);
  demo_say (d, "", _("a chat (text/plain, Success-Report: yes):"));
  demo_next_line (d);
}

/* Setting up */

static void
demo_on_alice_connected (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  Demo *d = user_data;
  g_autoptr(GError) error = NULL;

  d->alice_transport = msrp_connector_complete_finish (MSRP_CONNECTOR (source), result, &error);
  if (d->alice_transport == NULL)
    {
      if (!d->finished)
        demo_fail_error (d, error);
      return;
    }
  demo_maybe_chat (d);
}

static void
demo_on_alice_prepared (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  Demo *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) path = msrp_connector_prepare_finish (MSRP_CONNECTOR (source), result, &error);
  g_autofree char *path_text = NULL;

  if (path == NULL)
    {
      if (!d->finished)
        demo_fail_error (d, error);
      return;
    }
  path_text = msrp_path_to_string (path);
  demo_say (d, "alice", "a=path:%s", path_text);
  d->step = _("alice connecting to bob");
  msrp_connector_complete_async (d->alice_connector, d->bob_path, d->cancellable, demo_on_alice_connected, d);
}

static void
demo_start_alice (Demo *d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *short_fingerprint = NULL;

  d->step = _("alice's certificate");
  certificate = msrp_tls_certificate_new_self_signed ("alice", &error);
  if (certificate == NULL)
    {
      demo_fail_error (d, error);
      return;
    }
  fingerprint = msrp_tls_certificate_get_fingerprint (certificate, G_CHECKSUM_SHA256);
  short_fingerprint = demo_short_fingerprint (fingerprint);
  demo_blank (d);
  demo_say (d, "alice", _("connects directly (no relay) with TLS and a self-signed certificate,"));
  demo_say (d, "", "%s (MsrpConnectorDirect)", short_fingerprint);

  d->alice_connector = msrp_connector_direct_new ();
  /* TLS stops at the relay: the fingerprint that bob's SDP gives for his
   * first hop is the relay's. */
  g_object_set (d->alice_connector, "tls-certificate", certificate,
                "peer-fingerprint", d->relay_fingerprint, "logger", d->traffic, NULL);
  d->step = _("alice's path");
  msrp_connector_prepare_async (d->alice_connector, NULL, d->cancellable, demo_on_alice_prepared, d);
}

static void
demo_on_bob_bound (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Demo *d = user_data;
  g_autoptr(GError) error = NULL;

  d->bob_transport = msrp_connector_complete_finish (MSRP_CONNECTOR (source), result, &error);
  if (d->bob_transport == NULL)
    {
      if (!d->finished)
        demo_fail_error (d, error);
      return;
    }
  demo_maybe_chat (d);
}

static void
demo_on_bob_prepared (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Demo *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path_text = NULL;

  d->bob_path = msrp_connector_prepare_finish (MSRP_CONNECTOR (source), result, &error);
  if (d->bob_path == NULL)
    {
      if (!d->finished)
        demo_fail_error (d, error);
      return;
    }
  path_text = msrp_path_to_string (d->bob_path);
  demo_say (d, "bob", "a=path:%s", path_text);
  demo_say (d, "", _("(the relay's Use-Path, then bob's own URI: his SDP answer has it)"));
  /* No path: whoever binds first is bob's peer. */
  d->step = _("bob waiting for a peer");
  msrp_connector_complete_async (d->bob_acceptor, NULL, d->cancellable, demo_on_bob_bound, d);
  demo_start_alice (d);
}

static gboolean
demo_on_relay_certificate (MsrpConnector        *connector,
                           GTlsCertificate      *certificate,
                           GTlsCertificateFlags  errors,
                           gpointer              user_data)
{
  Demo *d = user_data;
  g_autofree char *fingerprint = msrp_tls_certificate_get_fingerprint (certificate, G_CHECKSUM_SHA256);
  g_autofree char *short_fingerprint = demo_short_fingerprint (fingerprint);
  gboolean ok = msrp_tls_certificate_matches_fingerprint (certificate, d->relay_fingerprint, NULL);

  demo_say (d, "bob", _("TLS to the relay: its certificate %s %s"), short_fingerprint,
            ok ? _("is the one bob was configured with") : _("is NOT the expected one"));
  return ok;
}

static gboolean
demo_start (gpointer user_data)
{
  Demo *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(MsrpUri) uri = NULL;
  g_autoptr(MsrpRelaySettings) settings = NULL;
  g_autoptr(MsrpLogger) tracer = NULL;
  g_autofree char *uri_text = NULL;
  g_autofree char *short_fingerprint = NULL;
  g_autofree char *password = g_uuid_string_random ();

  d->step = _("the relay's certificate");
  certificate = msrp_tls_certificate_new_self_signed ("127.0.0.1", &error);
  if (certificate == NULL)
    {
      demo_fail_error (d, error);
      return G_SOURCE_REMOVE;
    }
  d->relay = msrp_relay_new (DEMO_REALM);
  msrp_relay_add_user (d->relay, "bob", password);
  msrp_relay_set_tls_certificate (d->relay, certificate);
  if (d->traffic != NULL)
    msrp_relay_set_logger (d->relay, d->traffic);
  d->step = _("starting the relay");
  uri = msrp_relay_listen (d->relay, "127.0.0.1", 0, TRUE, &error);
  if (uri == NULL)
    {
      demo_fail_error (d, error);
      return G_SOURCE_REMOVE;
    }
  uri_text = msrp_uri_to_string (uri);
  d->relay_fingerprint = msrp_tls_certificate_get_fingerprint (certificate, G_CHECKSUM_SHA256);
  short_fingerprint = demo_short_fingerprint (d->relay_fingerprint);

  if (d->color)
    printf ("\033[1mmsrp demo\033[0m: ");
  else
    printf ("msrp demo: ");
  printf ("%s\n\n", _("alice (direct) and bob (behind a relay) on loopback, in one process"));
  demo_say (d, "relay", _("listening on %s (RFC 4976), realm \"%s\", user bob"), uri_text, DEMO_REALM);
  demo_say (d, "", _("TLS with a self-signed certificate, %s"), short_fingerprint);
  demo_blank (d);

  settings = msrp_relay_settings_new ("127.0.0.1", "bob", password);
  msrp_relay_settings_set_host (settings, msrp_uri_get_host (uri));
  msrp_relay_settings_set_port (settings, msrp_uri_get_port (uri));
  msrp_relay_settings_set_use_tls (settings, TRUE);
  demo_say (d, "bob", _("connects to the relay to get a path (MsrpAcceptorRelay)"));
  d->bob_acceptor = msrp_acceptor_relay_new (settings);
  tracer = demo_tracer_new (d, d->traffic);
  g_object_set (d->bob_acceptor, "logger", tracer, NULL);
  /* The relay's certificate is self-signed: bob knows its fingerprint. */
  g_signal_connect (d->bob_acceptor, "accept-certificate", G_CALLBACK (demo_on_relay_certificate), d);
  d->step = _("bob's AUTH with the relay");
  msrp_connector_prepare_async (d->bob_acceptor, NULL, d->cancellable, demo_on_bob_prepared, d);
  return G_SOURCE_REMOVE;
}

/* The demo's --help says so. */
G_STATIC_ASSERT (DEMO_TIMEOUT == 60 && DEMO_FILE_SIZE == 4 << 20);

static const Command demo_command = {
  "demo", cmd_demo, "",
  N_("Show an MSRP session through a relay, with TLS, a chat and a file."),
  N_("Runs, in one process on loopback: an RFC 4976 relay with TLS and a\n"
     "self-signed certificate; bob, who gets a path from the relay (AUTH with\n"
     "HTTP Digest) and waits for whoever binds it; and alice, who connects\n"
     "directly with TLS, checking the certificate of bob's first hop by the\n"
     "fingerprint bob announces. They exchange a few text/plain lines with\n"
     "Success-Report, then alice sends bob a file of 4 MiB of generated data,\n"
     "showing its progress, and bob checks its SHA-256; the two sessions end and the\n"
     "relay stops. Standard output gets a transcript of each step; a problem\n"
     "ends the demo with a one-line error and a non-zero status, and it gives\n"
     "up after 60 seconds. It needs nothing else: every port is chosen\n"
     "by the system.\n"),
  NULL, TRUE,
  "  msrp demo\n"
  "  msrp demo --verbose 2> traffic.log\n",
  FALSE,
};

static int
cmd_demo (int    argc,
          char **argv)
{
  gboolean verbose = FALSE;
  GOptionEntry entries[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Log the MSRP traffic (alice's, bob's and the relay's) on stderr"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GSource) timeout = NULL;
  g_autoptr(GSource) start = NULL;
  Demo d = { 0 };

  if (!parse_command_line (&demo_command, entries, &argc, &argv) ||
      !no_arguments (&demo_command, argc, argv))
    return EXIT_USAGE;

  d.tty = isatty (STDOUT_FILENO);
  d.color = d.tty && g_getenv ("NO_COLOR") == NULL;
  d.cancellable = g_cancellable_new ();
  d.start = g_get_monotonic_time ();
  d.step = _("starting");
  if (verbose)
    d.traffic = new_stderr_logger ();

  loop = g_main_loop_new (NULL, FALSE);
  timeout = g_timeout_source_new_seconds (DEMO_TIMEOUT);
  g_source_set_static_name (timeout, "[msrp] demo timeout");
  g_source_set_callback (timeout, demo_on_timeout, &d, NULL);
  g_source_attach (timeout, NULL);
  start = g_idle_source_new ();
  g_source_set_static_name (start, "[msrp] demo start");
  g_source_set_callback (start, demo_start, &d, NULL);
  g_source_attach (start, NULL);
  g_main_loop_run (loop);
  g_source_destroy (timeout);

  d.finished = TRUE;
  g_cancellable_cancel (d.cancellable);
  if (d.bob_acceptor != NULL)
    msrp_connector_cleanup (d.bob_acceptor);
  if (d.alice_connector != NULL)
    msrp_connector_cleanup (d.alice_connector);
  if (d.relay != NULL)
    msrp_relay_stop (d.relay);
  g_clear_object (&d.alice);
  g_clear_object (&d.bob);
  /* Let what was cancelled finish while d is alive. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&d.alice_transport);
  g_clear_object (&d.bob_transport);
  g_clear_object (&d.bob_acceptor);
  g_clear_object (&d.alice_connector);
  g_clear_pointer (&d.bob_path, g_ptr_array_unref);
  g_clear_object (&d.file);
  g_clear_pointer (&d.file_data, g_bytes_unref);
  g_free (d.file_sha256);
  g_free (d.relay_fingerprint);
  g_clear_object (&d.relay);
  g_clear_object (&d.traffic);
  g_clear_object (&d.cancellable);
  g_clear_pointer (&loop, g_main_loop_unref);
  return exit_status;
}

/* main */

static const Command *commands[] = {
  &listen_command,
  &send_command,
  &relay_command,
  &demo_command,
  &bench_command,
  &bench_tcp_sink_command,
  &bench_tcp_source_command,
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n  msrp %s\n\n%s\n\n%s\n",
           _("Usage:"), _("COMMAND [OPTION…]"),
           _("A command-line MSRP (RFC 4975) client and server, for debugging and benchmarks."),
           _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (!commands[i]->hidden)
      fprintf (out, "  %-8s %s\n", commands[i]->name, _(commands[i]->summary));
  fprintf (out, "\n%s\n\n%s\n",
           _("Run 'msrp COMMAND --help' for the options of a command."),
           _("Examples:"));
  fprintf (out,
           "  msrp demo\n"
           "  msrp listen > listen.out &\n"
           "  msrp send --to \"$(head -n1 listen.out)\" 'Hello, Bob'\n"
           "  msrp listen --relay 'msrps://relay.example.com;tcp' --relay-user bob:secret\n"
           "  msrp bench --quick\n");
}

int
main (int    argc,
      char **argv)
{
  const char *name;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }
  name = argv[1];
  if (strcmp (name, "--help") == 0 || strcmp (name, "-h") == 0 || strcmp (name, "help") == 0)
    {
      if (strcmp (name, "help") == 0 && argc > 2)
        {
          char *help_argv[] = { argv[2], (char *) "--help", NULL };

          for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
            if (strcmp (argv[2], commands[i]->name) == 0)
              return commands[i]->run (2, help_argv);
          print_error (_("unknown command '%s' (see 'msrp --help')"), argv[2]);
          return EXIT_USAGE;
        }
      print_usage (stdout);
      return EXIT_SUCCESS;
    }
  if (strcmp (name, "--version") == 0)
    {
      printf ("msrp %s\n", MSRP_VERSION_S);
      return EXIT_SUCCESS;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (name, commands[i]->name) == 0)
      return commands[i]->run (argc - 1, argv + 1);

  print_error (_("unknown command '%s' (see 'msrp --help')"), name);
  return EXIT_USAGE;
}
