/* msrp-cmd-demo.c: `msrp demo`, a session through a relay, with TLS, a chat
 * and a file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "msrp-tool-private.h"

static int cmd_demo (int argc, char **argv);

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

const Command demo_command = {
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
