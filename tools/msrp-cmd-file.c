/* msrp-cmd-file.c: `msrp file`, a file transfer (RFC 5547) on
 * MsrpFileTransfer between two terminals, the SDP exchanged through files
 * as `msrp chat` does
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib-unix.h>

#include "msrp-tool-private.h"

static int cmd_file (int argc, char **argv);

/* --json progress lines, and redraws of the progress bar, at most this
 * often (microseconds). */
#define JSON_PROGRESS_INTERVAL (G_USEC_PER_SEC / 4)
#define BAR_INTERVAL (G_USEC_PER_SEC / 10)

typedef enum {
  MODE_SEND,      /* push FILE (offer), or with --answer serve a pull */
  MODE_RECEIVE,   /* answer a push */
  MODE_PULL,      /* ask for a file (offer) */
} Mode;

typedef struct {
  MsrpFileTransfer *transfer;
  GCancellable *cancellable;
  RelayOptions *relay;
  Mode mode;
  gboolean offerer;
  GFile *offer_file;         /* NULL: standard output */
  GFile *answer_file;
  GFile *file;               /* sent, or the destination */
  GFile *dir;                /* receive: where files go */
  gboolean resume;
  gboolean json;
  gboolean bar;              /* a progress bar on stderr (a terminal) */
  gint64 stop_after;         /* tests: exit as if killed; 0: never */
  MediaExchange exchange;

  gint64 start_time;
  gint64 offset;             /* bytes there before this transfer */
  gint64 last_json;
  gint64 last_bar;
  gboolean bar_shown;
  gboolean started;
  gboolean ending;           /* we end it (a signal) */
  gboolean done;
} FileCmd;

const Command file_command = {
  "file", cmd_file, N_("send FILE | receive | pull NAME"),
  N_("Send or receive a file (RFC 5547), the SDP exchanged through files."),
  N_("'msrp file send FILE' offers FILE (a push) and 'msrp file receive' answers\n"
     "such an offer, writing the file under its name into --dir (default: the\n"
     "current directory). 'msrp file pull NAME' asks for a file instead (a pull):\n"
     "the side that has it answers with 'msrp file send FILE --answer'. The offer\n"
     "and the answer go through --offer-file and --answer-file exactly as with\n"
     "'msrp chat' ('-' writes your own one to standard output); either side may\n"
     "start first.\n"
     "\n"
     "The receiver writes to a partial file next to the destination (.NAME.part)\n"
     "and moves it into place when every byte is in and the file's SHA-1 hash\n"
     "matches the offer's. With --resume, a partial file left by an interrupted\n"
     "transfer of the same file is continued: the receiver asks only for the\n"
     "bytes it lacks (RFC 5547 a=file-range) and the sender sends just those;\n"
     "without it the transfer starts over.\n"
     "\n"
     "On a terminal a progress bar shows on standard error. With --json every\n"
     "event is one JSON object a line on standard output: offer and answer (when\n"
     "written to standard output, with \"sdp\"), started (\"name\", \"file\",\n"
     "\"size\", \"offset\": the bytes already there), progress (\"bytes\",\n"
     "\"size\"; at most 4 a second), ended (\"bytes\", \"size\", \"seconds\") and\n"
     "failed (\"message\", \"bytes\"). Ctrl-C interrupts the transfer.\n"),
  N_("Through a relay, the offerer waits at its relay and the answerer connects\n"
     "through its own.\n"),
  TRUE,
  "  msrp file send photo.jpg --offer-file /tmp/offer.sdp --answer-file /tmp/answer.sdp\n"
  "  msrp file receive --dir ~/Downloads --offer-file /tmp/offer.sdp --answer-file /tmp/answer.sdp\n"
  "  msrp file receive --resume --json --offer-file offer.sdp --answer-file answer.sdp\n"
  "  msrp file pull photo.jpg --size 204800 --offer-file offer.sdp --answer-file answer.sdp\n"
  "  msrp file send photo.jpg --answer --offer-file offer.sdp --answer-file answer.sdp\n",
};

static gint64
file_size (FileCmd *self)
{
  return msrp_file_transfer_get_size (self->transfer);
}

static const char *
file_name (FileCmd *self)
{
  MsrpFileSelector *selector = msrp_file_transfer_get_selector (self->transfer);

  return selector != NULL ? msrp_file_selector_get_name (selector) : NULL;
}

/* The progress bar: "NAME [=====>    ]  45%  12.0 MiB of 27.0 MiB  5.2 MiB/s" */

static void
bar_draw (FileCmd  *self,
          gboolean  final)
{
  gint64 now = g_get_monotonic_time ();
  gint64 bytes = msrp_file_transfer_get_bytes_transferred (self->transfer);
  gint64 size = file_size (self);
  struct winsize winsize = { 0 };
  guint cols = 80, width;
  double fraction = size > 0 ? (double) bytes / size : 0.0;
  double seconds = seconds_between (self->start_time, now);
  g_autofree char *done = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *total = g_format_size_full (MAX (size, 0), G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *rate = NULL;
  g_autofree char *text = NULL;
  GString *line;

  if (!self->bar || (!final && now - self->last_bar < BAR_INTERVAL))
    return;
  self->last_bar = now;
  if (ioctl (STDERR_FILENO, TIOCGWINSZ, &winsize) == 0 && winsize.ws_col > 0)
    cols = winsize.ws_col;
  rate = seconds > 0 && bytes > self->offset
    ? g_format_size_full ((guint64) ((bytes - self->offset) / seconds), G_FORMAT_SIZE_IEC_UNITS)
    : g_strdup ("–");
  /* TRANSLATORS: progress: bytes done, of the size, and the rate (per second) */
  text = g_strdup_printf (_("%3d%%  %s of %s  %s/s"), (int) (fraction * 100), done, total, rate);
  width = cols > 40 + strlen (text) ? cols - 20 - strlen (text) : 10;
  line = g_string_new ("\r[");
  for (guint i = 0; i < width; i++)
    g_string_append_c (line, i < (guint) (fraction * width) ? '=' : ' ');
  g_string_append_printf (line, "] %s\033[K", text);
  if (final)
    g_string_append_c (line, '\n');
  fputs (line->str, stderr);
  fflush (stderr);
  g_string_free (line, TRUE);
  self->bar_shown = !final;
}

static void
bar_clear (FileCmd *self)
{
  if (!self->bar_shown)
    return;
  fputs ("\r\033[K", stderr);
  fflush (stderr);
  self->bar_shown = FALSE;
}

/* The end */

static void
file_quit (FileCmd *self)
{
  self->done = TRUE;
  g_main_loop_quit (loop);
}

static void
file_fail (FileCmd      *self,
           const GError *error)
{
  if (self->done)
    return;
  if (self->ending && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      exit_status = EXIT_FAILURE;
      file_quit (self);
      return;
    }
  bar_clear (self);
  if (self->json)
    {
      GString *out = json_begin ("failed");

      json_add_string (out, "message", error->message);
      json_add_uint (out, "bytes", self->transfer != NULL ? msrp_file_transfer_get_bytes_transferred (self->transfer) : 0);
      json_end (out);
    }
  /* Before it runs, a relay's failure gets the relay's words. */
  if (self->relay != NULL && !self->started && exit_status == EXIT_SUCCESS)
    exit_status = relay_print_error (self->relay, error);
  else
    fail (error);
  /* What is kept for --resume. */
  if (self->transfer != NULL && !msrp_file_transfer_get_is_sender (self->transfer) &&
      g_error_matches (error, MSRP_ERROR, MSRP_ERROR_TRANSFER_INCOMPLETE) &&
      msrp_file_transfer_get_bytes_transferred (self->transfer) > 0)
    print_error (_("the partial file is kept: run the same command with --resume to continue"));
  file_quit (self);
}

static void
on_ended_by_us (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  msrp_stream_end_finish (MSRP_STREAM (source), result, NULL);
}

static gboolean
on_signal (gpointer user_data)
{
  FileCmd *self = user_data;
  MsrpStreamState state = self->transfer != NULL
    ? msrp_stream_get_state (MSRP_STREAM (self->transfer)) : MSRP_STREAM_STATE_NEW;

  if (self->ending)
    return G_SOURCE_CONTINUE;
  self->ending = TRUE;
  g_cancellable_cancel (self->cancellable);
  bar_clear (self);
  print_error (_("interrupted"));
  exit_status = EXIT_FAILURE;
  if (state == MSRP_STREAM_STATE_NEW || state >= MSRP_STREAM_STATE_ENDING)
    file_quit (self);
  else
    msrp_stream_end_async (MSRP_STREAM (self->transfer), NULL, on_ended_by_us, self);
  return G_SOURCE_CONTINUE;
}

/* The transfer's signals */

static void
on_started (MsrpStream *stream,
            FileCmd    *self)
{
  gint64 start, stop;

  self->started = TRUE;
  self->start_time = g_get_monotonic_time ();
  if (msrp_file_transfer_get_is_sender (self->transfer))
    self->offset = msrp_file_transfer_get_range (self->transfer, &start, &stop) ? start - 1 : 0;
  else
    self->offset = msrp_file_transfer_get_bytes_transferred (self->transfer);
  if (self->json)
    {
      GString *out = json_begin ("started");
      g_autofree char *path = g_file_get_path (self->file);

      json_add_string (out, "name", file_name (self));
      json_add_string (out, "file", path);
      json_add_uint (out, "size", MAX (file_size (self), 0));
      json_add_uint (out, "offset", self->offset);
      json_end (out);
    }
  else
    {
      g_autofree char *size = g_format_size_full (MAX (file_size (self), 0), G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *there = g_format_size_full (self->offset, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *name = g_strescape (file_name (self) != NULL ? file_name (self) : "", NULL);

      if (msrp_file_transfer_get_is_sender (self->transfer))
        printf (_("Sending %s (%s)"), name, size);
      else
        printf (_("Receiving %s (%s)"), name, size);
      if (self->offset > 0)
        /* TRANSLATORS: after "Sending NAME (SIZE)" */
        printf (_(", resuming after %s"), there);
      printf ("\n");
      fflush (stdout);
      bar_draw (self, FALSE);
    }
}

static void
on_ended (MsrpStream *stream,
          FileCmd    *self)
{
  gint64 bytes = msrp_file_transfer_get_bytes_transferred (self->transfer);
  gint64 size = file_size (self);
  double seconds = seconds_between (self->start_time, g_get_monotonic_time ());

  if (self->ending && bytes < size)
    {
      /* We interrupted it: on_signal said so. */
      if (self->json)
        {
          GString *out = json_begin ("failed");

          json_add_string (out, "message", _("interrupted"));
          json_add_uint (out, "bytes", bytes);
          json_end (out);
        }
      file_quit (self);
      return;
    }
  if (self->json)
    {
      GString *out = json_begin ("ended");

      json_add_uint (out, "bytes", bytes);
      json_add_uint (out, "size", MAX (size, 0));
      json_add_double (out, "seconds", seconds);
      json_end (out);
    }
  else
    {
      g_autofree char *path = g_file_get_parse_name (self->file);
      g_autofree char *amount = g_format_size_full (bytes - self->offset, G_FORMAT_SIZE_IEC_UNITS);
      MsrpFileSelector *selector = msrp_file_transfer_get_selector (self->transfer);
      const char *hash = selector ? msrp_file_selector_get_hash (selector) : NULL;
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      bar_draw (self, TRUE);
      g_ascii_formatd (number, sizeof number, "%.1f", seconds);
      if (msrp_file_transfer_get_is_sender (self->transfer))
        printf (_("Sent %s: %s in %s s.\n"), path, amount, number);
      else if (hash != NULL && g_str_has_prefix (hash, "sha-1:"))
        printf (_("Received %s: %s in %s s, the SHA-1 hash checked.\n"), path, amount, number);
      else
        printf (_("Received %s: %s in %s s; the offer had no hash to check.\n"), path, amount, number);
      fflush (stdout);
    }
  file_quit (self);
}

static void
on_failed (MsrpStream   *stream,
           const GError *error,
           FileCmd      *self)
{
  file_fail (self, error);
}

static void
on_progress (GObject    *object,
             GParamSpec *pspec,
             FileCmd    *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 bytes = msrp_file_transfer_get_bytes_transferred (self->transfer);

  if (!self->started)
    return;
  if (self->json && now - self->last_json >= JSON_PROGRESS_INTERVAL)
    {
      GString *out = json_begin ("progress");

      self->last_json = now;
      json_add_uint (out, "bytes", bytes);
      json_add_uint (out, "size", MAX (file_size (self), 0));
      json_end (out);
    }
  bar_draw (self, FALSE);
  /* As if killed: nothing more is written or said, for --resume tests. */
  if (self->stop_after > 0 && bytes >= self->stop_after)
    {
      fflush (stdout);
      _exit (EXIT_FAILURE);
    }
}

/* Setting up */

static void
show_waiting (FileCmd *self,
              GFile   *file)
{
  g_autofree char *name = g_file_get_parse_name (file);

  if (self->json)
    return;
  if (self->offerer)
    printf (_("Waiting for the answer in %s…"), name);
  else
    printf (_("Waiting for the offer in %s…"), name);
  printf ("\n");
  fflush (stdout);
}

static void setup_transfer (FileCmd *self);

/* A name from the network (or none), as a file name in --dir: its last
 * component, without control characters (C1 included) and not hidden, never
 * "." or "..". */
static char *
safe_file_name (const char *name)
{
  g_autofree char *valid = NULL;
  g_autofree char *base = NULL;
  GString *out;

  if (name == NULL)
    return g_strdup ("received-file");
  valid = g_utf8_make_valid (name, -1);
  g_strdelimit (valid, "\\", '/');
  base = g_path_get_basename (valid);
  if (base[0] == '\0' || strcmp (base, ".") == 0 || strcmp (base, "..") == 0 || strcmp (base, "/") == 0)
    return g_strdup ("received-file");
  out = g_string_new (NULL);
  for (const char *p = base; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* A leading dot would hide it, or name a dotfile such as .profile. */
      if (g_unichar_iscntrl (c) || (p == base && c == '.'))
        g_string_append_c (out, '_');
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* Without --resume, an earlier partial file is not continued: its note of
 * which file it belongs to goes, so the transfer starts over. */
static void
forget_partial (FileCmd *self)
{
  g_autoptr(GFile) parent = g_file_get_parent (self->file);
  g_autofree char *base = g_file_get_basename (self->file);
  g_autofree char *meta_name = g_strdup_printf (".%s.part.meta", base);
  g_autoptr(GFile) meta = g_file_get_child (parent, meta_name);

  if (!self->resume)
    g_file_delete (meta, NULL, NULL);
}

/* The answerer's transfer, for the offer if it is one we take. */
static gboolean
on_offer (FileCmd      *self,
          MsrpSdpMedia *offer)
{
  g_autoptr(GError) local_error = NULL;
  MsrpSdpDirection direction;
  MsrpFileSelector *selector;

  direction = msrp_sdp_media_get_direction (offer);
  selector = msrp_sdp_media_get_file_selector (offer);
  if (selector == NULL)
    {
      local_error = g_error_new_literal (MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                                         _("The offer has no a=file-selector: it is not a file transfer"));
      file_fail (self, local_error);
      return FALSE;
    }
  if (self->mode == MODE_RECEIVE)
    {
      g_autofree char *name = safe_file_name (msrp_file_selector_get_name (selector));

      if (direction != MSRP_SDP_DIRECTION_SENDONLY)
        {
          local_error = g_error_new_literal (MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                                             _("The offer asks for a file (a pull): answer it with 'msrp file send FILE --answer'"));
          file_fail (self, local_error);
          return FALSE;
        }
      /* Without a size nothing would bound what goes to disk. */
      if (msrp_file_selector_get_size (selector) < 0)
        {
          local_error = g_error_new_literal (MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                                             _("The offer does not say the file’s size; refusing it"));
          file_fail (self, local_error);
          return FALSE;
        }
      self->file = g_file_get_child (self->dir, name);
      if (g_file_query_exists (self->file, NULL))
        {
          g_autofree char *path = g_file_get_parse_name (self->file);

          local_error = g_error_new (G_IO_ERROR, G_IO_ERROR_EXISTS,
                                     _("%s exists already; move it away first"), path);
          file_fail (self, local_error);
          return FALSE;
        }
      forget_partial (self);
    }
  else if (direction != MSRP_SDP_DIRECTION_RECVONLY)
    {
      local_error = g_error_new_literal (MSRP_ERROR, MSRP_ERROR_MEDIA_REFUSED,
                                         _("The offer sends a file (a push): answer it with 'msrp file receive'"));
      file_fail (self, local_error);
      return FALSE;
    }

  self->transfer = msrp_file_transfer_new_from_offer (offer, self->file, &local_error);
  if (self->transfer == NULL)
    {
      file_fail (self, local_error);
      return FALSE;
    }
  setup_transfer (self);
  self->exchange.stream = MSRP_STREAM (self->transfer);
  return TRUE;
}

static RelayOptions *relay_options;
static gboolean no_tls;
static char *host;
static int port;
static gboolean verbose;

static void
setup_transfer (FileCmd *self)
{
  msrp_stream_set_use_tls (MSRP_STREAM (self->transfer), !no_tls);
  if (self->relay != NULL)
    msrp_stream_set_relay (MSRP_STREAM (self->transfer), self->relay->settings);
  else
    {
      g_autoptr(MsrpUri) local_uri = msrp_uri_new (host != NULL ? host : "127.0.0.1", port, NULL, !no_tls);

      msrp_stream_set_local_uri (MSRP_STREAM (self->transfer), local_uri);
    }
  if (verbose)
    {
      g_autoptr(MsrpLogger) logger = new_stderr_logger ();

      msrp_stream_set_logger (MSRP_STREAM (self->transfer), logger);
    }
  g_signal_connect (self->transfer, "started", G_CALLBACK (on_started), self);
  g_signal_connect (self->transfer, "ended", G_CALLBACK (on_ended), self);
  g_signal_connect (self->transfer, "failed", G_CALLBACK (on_failed), self);
  g_signal_connect (self->transfer, "notify::bytes-transferred", G_CALLBACK (on_progress), self);
}

/* The command */

static int
cmd_file (int    argc,
          char **argv)
{
  gboolean answer = FALSE, resume = FALSE, json = FALSE;
  g_autofree char *offer_name = NULL;
  g_autofree char *answer_name = NULL;
  g_autofree char *dir_name = NULL;
  g_autofree char *type = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *stop_text = NULL;
  guint64 size = 0, stop_after = 0;
  g_auto(RelayOptions) relay = { 0 };
  GOptionEntry entries[] = {
    { "offer-file", 0, 0, G_OPTION_ARG_FILENAME, &offer_name, N_("The offer's SDP media ('-' for the offerer: standard output)"), "FILE" },
    { "answer-file", 0, 0, G_OPTION_ARG_FILENAME, &answer_name, N_("The answer's SDP media ('-' for the answerer: standard output)"), "FILE" },
    { "answer", 0, 0, G_OPTION_ARG_NONE, &answer, N_("send: answer a pull for FILE instead of offering it"), NULL },
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir_name, N_("receive, pull: the directory the file goes to (default: the current one)"), "DIR" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &resume, N_("receive, pull: continue the partial file of an interrupted transfer"), NULL },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, N_("send: the file's MIME type (default: guessed); pull: the type asked for"), "TYPE" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size_text, N_("pull: the size of the file asked for"), "SIZE" },
    { "hash", 0, 0, G_OPTION_ARG_STRING, &hash, N_("pull: the SHA-1 hash of the file asked for, as 'sha-1:AB:CD:…'"), "HASH" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("The address to listen on and to put in the SDP (default: 127.0.0.1)"), "HOST" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("The TCP port the offerer listens on (default: any free port)"), "PORT" },
    { "no-tls", 0, 0, G_OPTION_ARG_NONE, &no_tls, N_("Offer plain TCP instead of TLS (the answerer follows the offer)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print every event as one JSON object a line, for scripts"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Log the traffic on stderr"), NULL },
    { "stop-after-bytes", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &stop_text, "For tests: exit at once, as if killed, when SIZE bytes are transferred", "SIZE" },
    RELAY_OPTION_ENTRIES (relay),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(MsrpFileSelector) selector = NULL;
  FileCmd self = { 0 };
  const char *what;
  guint signal_sources[3];

  no_tls = FALSE;
  verbose = FALSE;
  port = 0;
  g_clear_pointer (&host, g_free);
  if (!parse_command_line (&file_command, entries, &argc, &argv) ||
      !relay_options_check (&relay, "file"))
    return EXIT_USAGE;
  what = argc > 1 ? argv[1] : NULL;
  if (g_strcmp0 (what, "send") == 0 && argc == 3)
    self.mode = MODE_SEND;
  else if (g_strcmp0 (what, "receive") == 0 && argc == 2)
    self.mode = MODE_RECEIVE;
  else if (g_strcmp0 (what, "pull") == 0 && argc == 3)
    self.mode = MODE_PULL;
  else
    {
      print_error (_("give 'send FILE', 'receive' or 'pull NAME' (see 'msrp file --help')"));
      return EXIT_USAGE;
    }
  if (offer_name == NULL || answer_name == NULL)
    {
      print_error (_("--offer-file FILE and --answer-file FILE are required (see 'msrp file --help')"));
      return EXIT_USAGE;
    }
  self.offerer = self.mode == MODE_PULL || (self.mode == MODE_SEND && !answer);
  if (strcmp (self.offerer ? answer_name : offer_name, "-") == 0)
    {
      print_error (_("%s cannot be '-': that file is read"), self.offerer ? "--answer-file" : "--offer-file");
      return EXIT_USAGE;
    }
  if (answer && self.mode != MODE_SEND)
    {
      print_error (_("--answer is for 'msrp file send'"));
      return EXIT_USAGE;
    }
  if ((dir_name != NULL || resume) && self.mode == MODE_SEND)
    {
      print_error (_("--dir and --resume are for the receiver; the sender sends what the receiver asks for"));
      return EXIT_USAGE;
    }
  if ((size_text != NULL || hash != NULL) && self.mode != MODE_PULL)
    {
      print_error (_("--size and --hash are for 'msrp file pull'"));
      return EXIT_USAGE;
    }
  if (type != NULL && self.mode == MODE_RECEIVE)
    {
      print_error (_("--type is for 'msrp file send' and 'msrp file pull'"));
      return EXIT_USAGE;
    }
  if ((size_text != NULL && !parse_size ("--size", size_text, &size)) ||
      (stop_text != NULL && !parse_size ("--stop-after-bytes", stop_text, &stop_after)))
    return EXIT_USAGE;
  if (size > G_MAXINT64)
    {
      print_error (_("--size is too large"));
      return EXIT_USAGE;
    }
  if (port < 0 || port > 65535)
    {
      print_error (_("--port must be between 0 and 65535"));
      return EXIT_USAGE;
    }
  if (relay.settings != NULL && (host != NULL || port != 0 || no_tls))
    {
      print_error (_("--host, --port and --no-tls are for direct transfers; through a relay TLS follows the relay URI"));
      return EXIT_USAGE;
    }
  if (relay.fingerprint != NULL)
    {
      print_error (_("--relay-fingerprint is not supported by 'msrp file': the relay's certificate is checked against the system's CAs"));
      return EXIT_USAGE;
    }
  if (self.mode == MODE_PULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      selector = msrp_file_selector_new (argv[2], type, size_text != NULL ? (gint64) size : -1, hash);
      /* What goes into the SDP must parse back. */
      text = msrp_file_selector_to_string (selector);
      g_clear_object (&selector);
      selector = msrp_file_selector_parse (text, &error);
      if (selector == NULL)
        {
          print_error (_("cannot ask for '%s': %s"), argv[2], error->message);
          return EXIT_USAGE;
        }
    }

  loop = g_main_loop_new (NULL, FALSE);
  relay_options = relay.settings != NULL ? &relay : NULL;
  self.relay = relay_options;
  self.json = json;
  self.resume = resume;
  self.stop_after = stop_after;
  self.bar = !json && isatty (STDERR_FILENO);
  self.cancellable = g_cancellable_new ();
  self.offer_file = strcmp (offer_name, "-") == 0 ? NULL : g_file_new_for_commandline_arg (offer_name);
  self.answer_file = strcmp (answer_name, "-") == 0 ? NULL : g_file_new_for_commandline_arg (answer_name);
  self.dir = g_file_new_for_commandline_arg (dir_name != NULL ? dir_name : ".");
  signal_sources[0] = g_unix_signal_add (SIGINT, on_signal, &self);
  signal_sources[1] = g_unix_signal_add (SIGTERM, on_signal, &self);
  signal_sources[2] = g_unix_signal_add (SIGHUP, on_signal, &self);

  if (self.mode == MODE_SEND)
    self.file = g_file_new_for_commandline_arg (argv[2]);
  if (self.offerer)
    {
      if (self.mode == MODE_SEND)
        self.transfer = msrp_file_transfer_new_push (self.file, type);
      else
        {
          g_autofree char *name = safe_file_name (argv[2]);

          self.file = g_file_get_child (self.dir, name);
          forget_partial (&self);
          self.transfer = msrp_file_transfer_new_pull (selector, self.file);
        }
      setup_transfer (&self);
    }
  self.exchange.stream = self.transfer ? MSRP_STREAM (self.transfer) : NULL;
  self.exchange.offerer = self.offerer;
  self.exchange.offer_file = self.offer_file;
  self.exchange.answer_file = self.answer_file;
  self.exchange.json = self.json;
  self.exchange.cancellable = self.cancellable;
  self.exchange.fail = (void (*) (gpointer, const GError *)) file_fail;
  self.exchange.waiting = (void (*) (gpointer, GFile *)) show_waiting;
  self.exchange.got_offer = (gboolean (*) (gpointer, MsrpSdpMedia *)) on_offer;
  self.exchange.user_data = &self;
  media_exchange_start (&self.exchange);
  if (!self.done)
    g_main_loop_run (loop);

  bar_clear (&self);
  for (guint i = 0; i < G_N_ELEMENTS (signal_sources); i++)
    g_source_remove (signal_sources[i]);
  g_cancellable_cancel (self.cancellable);
  media_exchange_stop (&self.exchange);
  if (self.transfer != NULL)
    g_signal_handlers_disconnect_by_data (self.transfer, &self);
  /* Let the cancelled operations finish while self is alive. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&self.transfer);
  g_clear_object (&self.offer_file);
  g_clear_object (&self.answer_file);
  g_clear_object (&self.file);
  g_clear_object (&self.dir);
  g_clear_object (&self.cancellable);
  g_clear_pointer (&host, g_free);
  relay_options = NULL;
  g_clear_pointer (&loop, g_main_loop_unref);
  return exit_status;
}
