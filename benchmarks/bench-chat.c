/* bench-chat.c: MsrpChat beside plain MsrpSession messages, C to C over
 * TCP on loopback
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each end of each run is a process of this very program, so that each has
 * a core of its own, as a chat's two ends do: `bench-chat send KIND N
 * WINDOW` sends N messages of 100 bytes with at most WINDOW in flight,
 * `bench-chat receive KIND` takes them; the SDP (chat) or the MSRP paths
 * (plain) go through their standard input and output, one line each. The
 * kinds, taking turns in each round so that all see the same load:
 *
 *   chat:           msrp_chat_send_text as MsrpChat sends it by default:
 *                   CPIM-wrapped, answered with a success REPORT and an
 *                   IMDN delivery notification (a message back). Done when
 *                   every message-delivered and every notification came.
 *   chat-no-imdn:   the same without asking for notifications, as the
 *                   reference's ChatStream sends by default (it asks only
 *                   when the application adds the header; MsrpChat has no
 *                   public switch for it, the benchmark uses a private one).
 *   plain:          msrp_session_send_message_async of the same text with
 *                   the session's defaults (a 200 for each).
 *   plain-reports:  the same with the chat's reports (Failure-Report:
 *                   partial, Success-Report: yes: a REPORT for each).
 *
 * Round trips run the same way with a window of one: chat send →
 * message-delivered (the success REPORT), with and without IMDN, and plain
 * send → its REPORT.
 *
 * The time runs in the sender from its first send to its last
 * acknowledgement. Each process's CPU time (user + sys, from wait4, less
 * what it used before the first message) is printed per message: on a
 * shared machine it is steadier than the wall clock. Best and median of the
 * rounds. Options: --json for one JSON object on stdout; --quick for a
 * short run; --rounds N; --perf DIR KIND (one pipelined run of KIND, each end
 * under `perf record`, DIR/send.data and DIR/receive.data).
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "msrp-glib.h"
#include "msrp-chat-private.h"

#include "bench-process.h"

#define WINDOW 256
#define TIMEOUT_SECONDS 600
#define MAX_ROUNDS 15

/* A typical chat line: 100 bytes of text. */
static const char text[] =
  "Hi Bob! Are we still on for lunch tomorrow at noon? The new place on the corner, I'll book a table.";

typedef enum {
  KIND_CHAT,
  KIND_CHAT_NO_IMDN,
  KIND_PLAIN,
  KIND_PLAIN_REPORTS,
  N_KINDS
} Kind;

static const char * const kind_names[N_KINDS] = { "chat", "chat-no-imdn", "plain", "plain-reports" };

static Kind
kind_from_name (const char *name)
{
  for (guint i = 0; i < N_KINDS; i++)
    if (g_strcmp0 (name, kind_names[i]) == 0)
      return i;
  g_printerr ("bench-chat: no kind “%s” (chat, chat-no-imdn, plain, plain-reports)\n", name);
  exit (2);
}

static gboolean
is_chat (Kind kind)
{
  return kind == KIND_CHAT || kind == KIND_CHAT_NO_IMDN;
}

static gboolean
on_timeout (gpointer user_data)
{
  g_printerr ("bench-chat %s: no progress within %d s\n", (const char *) user_data, TIMEOUT_SECONDS);
  exit (EXIT_FAILURE);
}

static void G_GNUC_NORETURN
die (const char   *what,
     const GError *error)
{
  g_printerr ("bench-chat %s: %s\n", what, error != NULL ? error->message : "failed");
  exit (EXIT_FAILURE);
}

/* The ends: one process each */

typedef struct {
  gboolean done;
  gpointer result;
  GError *error;
} Op;

typedef struct {
  const char *what;
  Kind kind;
  MsrpChat *chat;
  MsrpSession *session;
  GBytes *message;

  guint64 n;
  guint64 window;
  guint64 sent;
  guint64 done;               /* delivered (chat) or completed (plain) */
  guint64 imdns;              /* notifications back at the sender */
  guint64 received;           /* at the receiver */
  gboolean finished;
  gboolean closed;
  double setup_cpu;           /* CPU seconds before the first message */
} End;

static char *
read_stdin_line (End *self)
{
  char buf[64 * 1024];
  gsize len;

  if (fgets (buf, sizeof buf, stdin) == NULL)
    die (self->what, NULL);
  len = strlen (buf);
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
    buf[--len] = '\0';
  return g_strdup (buf);
}

static char *
read_line (End        *self,
           const char *what)
{
  g_autofree char *line = read_stdin_line (self);

  if (!g_str_has_prefix (line, what) || line[strlen (what)] != ' ')
    die (self->what, NULL);
  return g_strdup (line + strlen (what) + 1);
}

static MsrpSdpMedia *
read_media (End        *self,
            const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = read_stdin_line (self);
  MsrpSdpMedia *media = bench_parse_media (line, what, &error);

  if (media == NULL)
    die (self->what, error);
  return media;
}

static void
print_path (GPtrArray *path)
{
  printf ("path");
  for (guint i = 0; i < path->len; i++)
    {
      g_autofree char *uri = msrp_uri_to_string (g_ptr_array_index (path, i));

      printf (" %s", uri);
    }
  printf ("\n");
  fflush (stdout);
}

static GPtrArray *
read_path (End *self)
{
  g_autofree char *line = read_line (self, "path");
  g_auto(GStrv) uris = g_strsplit (line, " ", -1);
  GPtrArray *path = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; uris[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      MsrpUri *uri = msrp_uri_parse (uris[i], &error);

      if (uri == NULL)
        die (self->what, error);
      g_ptr_array_add (path, uri);
    }
  return path;
}

static void
on_initialized (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Op *op = user_data;

  op->result = msrp_stream_initialize_finish (MSRP_STREAM (source), result, &op->error);
  op->done = TRUE;
}

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Op *op = user_data;

  msrp_stream_start_finish (MSRP_STREAM (source), result, &op->error);
  op->done = TRUE;
}

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Op *op = user_data;

  op->result = msrp_connector_prepare_finish (MSRP_CONNECTOR (source), result, &op->error);
  op->done = TRUE;
}

static void
on_completed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Op *op = user_data;

  op->result = msrp_connector_complete_finish (MSRP_CONNECTOR (source), result, &op->error);
  op->done = TRUE;
}

static void on_chat_received (MsrpChat *chat, MsrpChatMessage *message, End *self);

/* Alice offers, Bob answers. */
static void
connect_chat (End      *self,
              gboolean  sender)
{
  g_autoptr(MsrpUri) uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(MsrpSdpMedia) remote = NULL;
  g_autoptr(MsrpSdpMedia) local = NULL;
  Op init = { 0 }, start = { 0 };

  if (sender)
    self->chat = msrp_chat_new ("Alice <sip:alice@example.com>", "Bob <sip:bob@example.com>");
  else
    {
      self->chat = msrp_chat_new ("Bob <sip:bob@example.com>", "Alice <sip:alice@example.com>");
      /* Alice may send as soon as her side runs: her first messages can
       * come while Bob's start is still finishing. */
      g_signal_connect (self->chat, "message-received", G_CALLBACK (on_chat_received), self);
    }
  msrp_stream_set_local_uri (MSRP_STREAM (self->chat), uri);
  msrp_stream_set_use_tls (MSRP_STREAM (self->chat), FALSE);
  if (self->kind == KIND_CHAT_NO_IMDN)
    _msrp_chat_set_request_notifications (self->chat, FALSE);

  if (!sender)
    remote = read_media (self, "offer");
  msrp_stream_initialize_async (MSRP_STREAM (self->chat), remote, NULL, on_initialized, &init);
  bench_wait_for (&init.done);
  if (init.error != NULL)
    die (self->what, init.error);
  local = init.result;
  bench_print_media (sender ? "offer" : "answer", local);
  if (sender)
    remote = read_media (self, "answer");
  msrp_stream_start_async (MSRP_STREAM (self->chat), sender ? remote : NULL, NULL, on_started, &start);
  bench_wait_for (&start.done);
  if (start.error != NULL)
    die (self->what, start.error);
  self->session = g_object_ref (msrp_stream_get_session (MSRP_STREAM (self->chat)));
}

/* The sender connects, the receiver accepts. */
static void
connect_plain (End      *self,
               gboolean  sender)
{
  g_autoptr(MsrpConnector) connector = sender ? msrp_connector_direct_new () : msrp_acceptor_direct_new ();
  g_autoptr(MsrpUri) uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(GPtrArray) local = NULL;
  g_autoptr(GPtrArray) remote = NULL;
  g_autoptr(MsrpTransport) transport = NULL;
  Op prepare = { 0 }, complete = { 0 };

  if (!sender)
    remote = read_path (self);
  msrp_connector_prepare_async (connector, uri, NULL, on_prepared, &prepare);
  bench_wait_for (&prepare.done);
  if (prepare.error != NULL)
    die (self->what, prepare.error);
  local = prepare.result;
  print_path (local);
  if (sender)
    remote = read_path (self);
  msrp_connector_complete_async (connector, remote, NULL, on_completed, &complete);
  bench_wait_for (&complete.done);
  if (complete.error != NULL)
    die (self->what, complete.error);
  transport = complete.result;
  self->session = msrp_session_new (transport, NULL);
  if (self->kind == KIND_PLAIN_REPORTS)
    {
      msrp_session_set_success_report (self->session, TRUE);
      msrp_session_set_failure_report (self->session, MSRP_FAILURE_REPORT_PARTIAL);
    }
}

static void
check_done (End *self)
{
  if (self->done == self->n && (self->kind != KIND_CHAT || self->imdns == self->n))
    self->finished = TRUE;
}

static void fill (End *self);

/* The IMDN delivery notifications come back as messages of the sender's
 * session. */
static void
on_notification (MsrpSession *session,
                 MsrpChunk   *first,
                 GBytes      *data,
                 End         *self)
{
  self->imdns++;
  check_done (self);
}

static void
on_delivered (MsrpChat   *chat,
              const char *id,
              End        *self)
{
  self->done++;
  check_done (self);
  fill (self);
}

static void
on_not_delivered (MsrpChat   *chat,
                  const char *id,
                  guint       code,
                  const char *reason,
                  End        *self)
{
  g_printerr ("bench-chat send: a chat message was not delivered: %u %s\n", code, reason);
  exit (EXIT_FAILURE);
}

static void
on_plain_sent (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  End *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = msrp_session_send_message_finish (MSRP_SESSION (source), result, &error);

  if (id == NULL)
    die (self->what, error);
  self->done++;
  check_done (self);
  fill (self);
}

static void
fill (End *self)
{
  while (self->sent < self->n && self->sent - self->done < self->window)
    {
      self->sent++;
      if (is_chat (self->kind))
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *id = msrp_chat_send_text (self->chat, text, &error);

          if (id == NULL)
            die (self->what, error);
        }
      else
        msrp_session_send_message_async (self->session, self->message, "text/plain", NULL, on_plain_sent, self);
    }
}

static void
on_shut_down (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  End *self = user_data;

  msrp_session_shutdown_finish (MSRP_SESSION (source), result, NULL);
  self->closed = TRUE;
}

static int
send_main (Kind     kind,
           guint64  n,
           guint64  window)
{
  End end = { .what = "send", .kind = kind, .n = n, .window = window }, *self = &end;
  gint64 started;
  double seconds;

  g_timeout_add_seconds (TIMEOUT_SECONDS, on_timeout, (gpointer) "send");
  self->message = g_bytes_new_static (text, strlen (text));
  if (is_chat (kind))
    {
      connect_chat (self, TRUE);
      g_signal_connect (self->chat, "message-delivered", G_CALLBACK (on_delivered), self);
      g_signal_connect (self->chat, "message-not-delivered", G_CALLBACK (on_not_delivered), self);
      g_signal_connect (self->session, "message-received", G_CALLBACK (on_notification), self);
    }
  else
    connect_plain (self, TRUE);

  self->setup_cpu = bench_cpu_seconds ();
  started = g_get_monotonic_time ();
  fill (self);
  bench_wait_for (&self->finished);
  seconds = (g_get_monotonic_time () - started) / 1e6;

  msrp_session_shutdown_async (self->session, NULL, on_shut_down, self);
  bench_wait_for (&self->closed);
  printf ("stats seconds=%.6f setup_cpu=%.6f done=%" G_GUINT64_FORMAT " imdns=%" G_GUINT64_FORMAT "\n",
          seconds, self->setup_cpu, self->done, self->imdns);
  fflush (stdout);
  g_clear_object (&self->session);
  g_clear_object (&self->chat);
  g_bytes_unref (self->message);
  return 0;
}

static void
on_received (End *self)
{
  if (self->received++ == 0)
    self->setup_cpu = bench_cpu_seconds ();
}

static void
on_chat_received (MsrpChat        *chat,
                  MsrpChatMessage *message,
                  End             *self)
{
  on_received (self);
}

static void
on_plain_received (MsrpSession *session,
                   MsrpChunk   *first,
                   GBytes      *data,
                   End         *self)
{
  on_received (self);
}

static void
on_closed (MsrpSession  *session,
           const GError *error,
           End          *self)
{
  self->closed = TRUE;
}

static int
receive_main (Kind kind)
{
  End end = { .what = "receive", .kind = kind }, *self = &end;

  g_timeout_add_seconds (TIMEOUT_SECONDS, on_timeout, (gpointer) "receive");
  if (is_chat (kind))
    {
      connect_chat (self, FALSE);
    }
  else
    {
      connect_plain (self, FALSE);
      g_signal_connect (self->session, "message-received", G_CALLBACK (on_plain_received), self);
    }
  /* Until the sender has all it waits for and closes. */
  g_signal_connect (self->session, "closed", G_CALLBACK (on_closed), self);
  bench_wait_for (&self->closed);
  printf ("stats received=%" G_GUINT64_FORMAT " setup_cpu=%.6f\n", self->received, self->setup_cpu);
  fflush (stdout);
  g_clear_object (&self->session);
  g_clear_object (&self->chat);
  return 0;
}

/* The parent: runs the ends one pair at a time (bench-process.c). */

/* One run of one kind. */
typedef struct {
  double seconds;
  double send_cpu;       /* the sending process, from its first message */
  double receive_cpu;    /* the receiving one */
} Figure;

static Figure
run_pair (Kind     kind,
          guint64  n,
          guint64  window,
          gboolean perf)
{
  g_autofree char *n_text = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  g_autofree char *window_text = g_strdup_printf ("%" G_GUINT64_FORMAT, window);
  g_autofree char *s_stats = NULL, *r_stats = NULL;
  BenchChild sender = { 0 }, receiver = { 0 };
  Figure f = { 0 };

  bench_child_start (&sender, "send", perf ? "send.data" : NULL, "send", kind_names[kind], n_text, window_text, NULL);
  bench_child_start (&receiver, "receive", perf ? "receive.data" : NULL, "receive", kind_names[kind], NULL);
  bench_child_swap_lines (&sender, &receiver);
  s_stats = bench_child_finish (&sender, &f.send_cpu);
  r_stats = bench_child_finish (&receiver, &f.receive_cpu);
  if ((guint64) bench_stat_double (r_stats, "received") != n)
    g_error ("bench-chat: %s: %.0f messages came, not %" G_GUINT64_FORMAT,
             kind_names[kind], bench_stat_double (r_stats, "received"), n);
  f.seconds = bench_stat_double (s_stats, "seconds");
  f.send_cpu -= bench_stat_double (s_stats, "setup_cpu");
  f.receive_cpu -= bench_stat_double (r_stats, "setup_cpu");
  return f;
}

typedef struct {
  double rate_best, rate_median;          /* messages per second */
  double send_cpu_best, send_cpu_median;  /* µs per message */
  double receive_cpu_best, receive_cpu_median;
} Summary;

static Summary
summarize (const Figure *figures,
           guint         runs,
           guint64       n)
{
  double best, med;
  Summary s;

  bench_best_median (figures, sizeof (Figure), runs, G_STRUCT_OFFSET (Figure, seconds), &best, &med);
  s.rate_best = n / best;
  s.rate_median = n / med;
  bench_best_median (figures, sizeof (Figure), runs, G_STRUCT_OFFSET (Figure, send_cpu), &best, &med);
  s.send_cpu_best = best / n * 1e6;
  s.send_cpu_median = med / n * 1e6;
  bench_best_median (figures, sizeof (Figure), runs, G_STRUCT_OFFSET (Figure, receive_cpu), &best, &med);
  s.receive_cpu_best = best / n * 1e6;
  s.receive_cpu_median = med / n * 1e6;
  return s;
}

static void
print_summary (const char    *name,
               const Summary *s,
               gboolean       round_trip)
{
  if (round_trip)
    printf ("  %-30s %7.1f / %7.1f µs   CPU µs/msg: send %6.2f / %6.2f, receive %6.2f / %6.2f\n",
            name, 1e6 / s->rate_best, 1e6 / s->rate_median, s->send_cpu_best, s->send_cpu_median,
            s->receive_cpu_best, s->receive_cpu_median);
  else
    printf ("  %-30s %7.0f / %7.0f msg/s   CPU µs/msg: send %6.2f / %6.2f, receive %6.2f / %6.2f\n",
            name, s->rate_best, s->rate_median, s->send_cpu_best, s->send_cpu_median,
            s->receive_cpu_best, s->receive_cpu_median);
}

static void
json_summary (const char    *name,
              const Summary *s)
{
  printf ("\"%s\": {\"msg_s_best\": %.0f, \"msg_s_median\": %.0f, "
          "\"send_cpu_us_best\": %.2f, \"send_cpu_us_median\": %.2f, "
          "\"receive_cpu_us_best\": %.2f, \"receive_cpu_us_median\": %.2f}, ",
          name, s->rate_best, s->rate_median, s->send_cpu_best, s->send_cpu_median,
          s->receive_cpu_best, s->receive_cpu_median);
}

int
main (int    argc,
      char **argv)
{
  gboolean json = FALSE, quick = FALSE;
  const char *perf_dir = NULL, *perf_kind = NULL;
  guint runs = 0;
  guint64 n, rounds;
  Figure pipelined[N_KINDS][MAX_ROUNDS], rtt[3][MAX_ROUNDS];
  Summary p[N_KINDS], rt[3];
  static const Kind rt_kinds[3] = { KIND_CHAT, KIND_CHAT_NO_IMDN, KIND_PLAIN_REPORTS };
  static const char * const rt_names[3] = { "chat_rtt", "chat_no_imdn_rtt", "plain_rtt" };

  if (argc >= 5 && strcmp (argv[1], "send") == 0)
    return send_main (kind_from_name (argv[2]), g_ascii_strtoull (argv[3], NULL, 10),
                      MAX (1, g_ascii_strtoull (argv[4], NULL, 10)));
  if (argc >= 3 && strcmp (argv[1], "receive") == 0)
    return receive_main (kind_from_name (argv[2]));

  bench_process_init ("bench-chat", argv[0]);
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        json = TRUE;
      else if (strcmp (argv[i], "--quick") == 0)
        quick = TRUE;
      else if (strcmp (argv[i], "--rounds") == 0 && i + 1 < argc)
        {
          int value = atoi (argv[++i]);

          runs = CLAMP (value, 1, MAX_ROUNDS);
        }
      else if (strcmp (argv[i], "--perf") == 0 && i + 2 < argc)
        {
          perf_dir = argv[++i];
          perf_kind = argv[++i];
          bench_process_set_perf_dir (perf_dir);
        }
      else
        {
          fprintf (stderr, "usage: %s [--json] [--quick] [--rounds N] [--perf DIR KIND]\n", argv[0]);
          return 2;
        }
    }
  n = quick ? 5000 : 100000;
  rounds = quick ? 500 : 5000;
  if (runs == 0)
    runs = quick ? 1 : 5;

  if (perf_dir != NULL)
    {
      Kind kind = kind_from_name (perf_kind);
      Figure f = run_pair (kind, n, WINDOW, TRUE);

      printf ("%s: %.0f msg/s, CPU µs/msg: send %.2f, receive %.2f (under perf record)\n",
              kind_names[kind], n / f.seconds, f.send_cpu / n * 1e6, f.receive_cpu / n * 1e6);
      return 0;
    }

  for (guint r = 0; r < runs; r++)
    {
      for (guint k = 0; k < N_KINDS; k++)
        pipelined[k][r] = run_pair (k, n, WINDOW, FALSE);
      for (guint k = 0; k < 3; k++)
        rtt[k][r] = run_pair (rt_kinds[k], rounds, 1, FALSE);
    }
  for (guint k = 0; k < N_KINDS; k++)
    p[k] = summarize (pipelined[k], runs, n);
  for (guint k = 0; k < 3; k++)
    rt[k] = summarize (rtt[k], runs, rounds);

  if (json)
    {
      printf ("{\"messages\": %" G_GUINT64_FORMAT ", \"message_bytes\": %zu, \"window\": %d, \"runs\": %u, ",
              n, strlen (text), WINDOW, runs);
      for (guint k = 0; k < N_KINDS; k++)
        json_summary (kind_names[k], &p[k]);
      printf ("\"rounds\": %" G_GUINT64_FORMAT ", ", rounds);
      for (guint k = 0; k < 3; k++)
        json_summary (rt_names[k], &rt[k]);
      printf ("\"chat_vs_plain\": %.3f, \"chat_no_imdn_vs_plain\": %.3f, \"rt_chat_vs_plain\": %.3f, \"rt_chat_no_imdn_vs_plain\": %.3f}\n",
              p[KIND_CHAT].rate_median / p[KIND_PLAIN].rate_median,
              p[KIND_CHAT_NO_IMDN].rate_median / p[KIND_PLAIN].rate_median,
              rt[0].rate_median / rt[2].rate_median, rt[1].rate_median / rt[2].rate_median);
    }
  else
    {
      printf ("Each end a process, TCP on 127.0.0.1, %zu-byte text; best / median of %u rounds\n",
              strlen (text), runs);
      printf ("pipelined (%" G_GUINT64_FORMAT " messages, window %d):\n", n, WINDOW);
      print_summary ("chat (CPIM, REPORT + IMDN)", &p[KIND_CHAT], FALSE);
      print_summary ("chat without IMDN (REPORT)", &p[KIND_CHAT_NO_IMDN], FALSE);
      print_summary ("plain, 200 each", &p[KIND_PLAIN], FALSE);
      print_summary ("plain, REPORT each", &p[KIND_PLAIN_REPORTS], FALSE);
      printf ("  chat / plain (medians):        %5.0f %%, without IMDN %5.0f %%\n",
              100 * p[KIND_CHAT].rate_median / p[KIND_PLAIN].rate_median,
              100 * p[KIND_CHAT_NO_IMDN].rate_median / p[KIND_PLAIN].rate_median);
      printf ("round trip (%" G_GUINT64_FORMAT " one at a time):\n", rounds);
      print_summary ("chat send → message-delivered", &rt[0], TRUE);
      print_summary ("chat without IMDN", &rt[1], TRUE);
      print_summary ("plain send → REPORT", &rt[2], TRUE);
      printf ("  chat rate / plain rate (medians): %5.0f %%, without IMDN %5.0f %%\n",
              100 * rt[0].rate_median / rt[2].rate_median, 100 * rt[1].rate_median / rt[2].rate_median);
    }
  return 0;
}
