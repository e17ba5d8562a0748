/* msrp-cmd-send.c: `msrp send`, send messages or a file to a peer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>

#include "msrp-tool-private.h"

static int cmd_send (int argc, char **argv);

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

const Command send_command = {
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
    { "stats", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &stats, N_("Print a stats line instead of the summary (for msrp-bench)"), NULL },
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
