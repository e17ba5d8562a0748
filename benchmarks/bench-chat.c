/* bench-chat.c: MsrpChat beside plain MsrpSession messages, C to C over
 * TCP on loopback
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Both ends run in this process, on one main loop, so every message costs
 * the sender's and the receiver's work together: the figures are for a
 * pair of endpoints on one core. Chat and plain take turns, in the same
 * run, on connections of their own:
 *
 *   pipelined:   N text messages, at most WINDOW in flight. Chat:
 *                msrp_chat_send_text, done when every message-received
 *                (at Bob) and message-delivered (at Alice) came; each
 *                message is CPIM-wrapped and answered with a success
 *                REPORT and an IMDN delivery notification. Plain:
 *                msrp_session_send_message_async of the same text, done
 *                when every callback and message-received came; once with
 *                the session's defaults (a 200 for each message) and once
 *                with the chat's reports (Failure-Report: partial,
 *                Success-Report: yes: a REPORT for each).
 *   round trip:  one message at a time: chat send → message-delivered,
 *                plain send → its REPORT (the chat's reports).
 *
 * Each figure is the best of a few alternating runs, in wall-clock time
 * and in CPU time of the process (steadier on a shared machine). Options:
 * --json for one JSON object on stdout; --quick for a short run;
 * --profile CHAT|PLAIN to run only that pipelined part, under a profiler.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "msrp-glib.h"

#define WINDOW 256
#define BENCH_TIMEOUT_SECONDS 600

/* A typical chat line: 100 bytes of text. */
static const char text[] =
  "Hi Bob! Are we still on for lunch tomorrow at noon? The new place on the corner, I'll book a table.";

typedef struct {
  double wall;   /* seconds */
  double cpu;    /* seconds of user + system time of the process */
} Timing;

typedef struct {
  /* chat */
  MsrpChat *alice;
  MsrpChat *bob;
  /* plain */
  MsrpSession *a;
  MsrpSession *b;

  guint64 n;
  guint64 sent;
  guint64 received;
  guint64 done;
  guint64 imdns;              /* notifications back at Alice */
  gboolean chat;
  gboolean waiting;
  GBytes *message;
} Bench;

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static void
clock_start (Timing *t)
{
  t->wall = g_get_monotonic_time () / 1e6;
  t->cpu = cpu_seconds ();
}

static void
clock_stop (Timing *t)
{
  t->wall = g_get_monotonic_time () / 1e6 - t->wall;
  t->cpu = cpu_seconds () - t->cpu;
}

static void
best_of (Timing       *best,
         const Timing *t)
{
  if (best->wall == 0 || t->wall < best->wall)
    best->wall = t->wall;
  if (best->cpu == 0 || t->cpu < best->cpu)
    best->cpu = t->cpu;
}

static gboolean
on_timeout (gpointer user_data)
{
  g_error ("bench-chat: no progress within %d s", BENCH_TIMEOUT_SECONDS);
  return G_SOURCE_REMOVE;
}

static void
wait_for (gboolean *flag)
{
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
}

/* Setting up: a chat pair through SDP, a plain pair through connectors */

typedef struct {
  gboolean done;
  gpointer result;
  GError *error;
} Op;

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

static MsrpChat *
chat_new (const char *local,
          const char *remote)
{
  MsrpChat *chat = msrp_chat_new (local, remote);
  g_autoptr(MsrpUri) uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);

  msrp_stream_set_local_uri (MSRP_STREAM (chat), uri);
  msrp_stream_set_use_tls (MSRP_STREAM (chat), FALSE);
  return chat;
}

static MsrpSdpMedia *
initialize (MsrpChat     *chat,
            MsrpSdpMedia *offer)
{
  Op op = { 0 };
  g_autoptr(MsrpSdpMedia) media = NULL;
  g_autofree char *sdp = NULL;
  MsrpSdpMedia *parsed;

  msrp_stream_initialize_async (MSRP_STREAM (chat), offer, NULL, on_initialized, &op);
  wait_for (&op.done);
  if (op.error != NULL)
    g_error ("bench-chat: %s", op.error->message);
  media = op.result;
  sdp = msrp_sdp_media_to_string (media);
  parsed = msrp_sdp_media_parse (sdp, NULL);
  g_assert (parsed != NULL);
  return parsed;
}

static void
connect_chats (Bench *self)
{
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;
  Op a = { 0 }, b = { 0 };

  self->alice = chat_new ("Alice <sip:alice@example.com>", "Bob <sip:bob@example.com>");
  self->bob = chat_new ("Bob <sip:bob@example.com>", "Alice <sip:alice@example.com>");
  offer = initialize (self->alice, NULL);
  answer = initialize (self->bob, offer);
  msrp_stream_start_async (MSRP_STREAM (self->alice), answer, NULL, on_started, &a);
  msrp_stream_start_async (MSRP_STREAM (self->bob), NULL, NULL, on_started, &b);
  wait_for (&a.done);
  wait_for (&b.done);
  if (a.error != NULL || b.error != NULL)
    g_error ("bench-chat: %s", (a.error ? a.error : b.error)->message);
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

static void
connect_sessions (Bench *self)
{
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_direct_new ();
  g_autoptr(MsrpConnector) connector = msrp_connector_direct_new ();
  g_autoptr(MsrpUri) uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(GPtrArray) path_a = NULL;
  g_autoptr(GPtrArray) path_b = NULL;
  g_autoptr(MsrpTransport) ta = NULL;
  g_autoptr(MsrpTransport) tb = NULL;
  Op pa = { 0 }, pb = { 0 }, ca = { 0 }, cb = { 0 };

  msrp_connector_prepare_async (acceptor, uri, NULL, on_prepared, &pb);
  msrp_connector_prepare_async (connector, uri, NULL, on_prepared, &pa);
  wait_for (&pa.done);
  wait_for (&pb.done);
  if (pa.error != NULL || pb.error != NULL)
    g_error ("bench-chat: %s", (pa.error ? pa.error : pb.error)->message);
  path_a = pa.result;
  path_b = pb.result;
  msrp_connector_complete_async (acceptor, path_a, NULL, on_completed, &cb);
  msrp_connector_complete_async (connector, path_b, NULL, on_completed, &ca);
  wait_for (&ca.done);
  wait_for (&cb.done);
  if (ca.error != NULL || cb.error != NULL)
    g_error ("bench-chat: %s", (ca.error ? ca.error : cb.error)->message);
  ta = ca.result;
  tb = cb.result;
  self->a = msrp_session_new (ta, NULL);
  self->b = msrp_session_new (tb, NULL);
}

static void
check_done (Bench *self)
{
  if (self->received == self->n && self->done == self->n && (!self->chat || self->imdns == self->n))
    self->waiting = FALSE;
}

/* Chat */

static void chat_fill (Bench *self);

/* The IMDN delivery notifications come back as messages of Alice's
 * session: a run of the chat is over when all are in. */
static void
on_chat_notification (MsrpSession *session,
                      MsrpChunk   *first,
                      GBytes      *data,
                      Bench       *self)
{
  self->imdns++;
  check_done (self);
}

static void
on_chat_received (MsrpChat        *chat,
                  MsrpChatMessage *message,
                  Bench           *self)
{
  self->received++;
  check_done (self);
}

static void
on_chat_delivered (MsrpChat   *chat,
                   const char *id,
                   Bench      *self)
{
  self->done++;
  check_done (self);
  chat_fill (self);
}

static void
on_chat_not_delivered (MsrpChat   *chat,
                       const char *id,
                       guint       code,
                       const char *reason,
                       Bench      *self)
{
  g_error ("bench-chat: a chat message was not delivered: %u %s", code, reason);
}

static void
chat_fill (Bench *self)
{
  while (self->sent < self->n && self->sent - self->done < WINDOW)
    {
      GError *error = NULL;
      char *id = msrp_chat_send_text (self->alice, text, &error);

      if (id == NULL)
        g_error ("bench-chat: %s", error->message);
      g_free (id);
      self->sent++;
    }
}

static void
run (Bench   *self,
     guint64  n,
     void   (*fill) (Bench *),
     Timing  *t)
{
  self->n = n;
  self->chat = fill == chat_fill;
  self->sent = self->received = self->done = self->imdns = 0;
  self->waiting = TRUE;
  clock_start (t);
  fill (self);
  while (self->waiting)
    g_main_context_iteration (NULL, TRUE);
  clock_stop (t);
}

/* Plain */

static void plain_fill (Bench *self);

static void
on_plain_received (MsrpSession *session,
                   MsrpChunk   *first,
                   GBytes      *data,
                   Bench       *self)
{
  self->received++;
  check_done (self);
}

static void
on_plain_sent (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Bench *self = user_data;
  GError *error = NULL;
  char *id = msrp_session_send_message_finish (MSRP_SESSION (source), result, &error);

  if (id == NULL)
    g_error ("bench-chat: a plain message was not delivered: %s", error->message);
  g_free (id);
  self->done++;
  check_done (self);
  plain_fill (self);
}

static void
plain_fill (Bench *self)
{
  while (self->sent < self->n && self->sent - self->done < WINDOW)
    {
      msrp_session_send_message_async (self->a, self->message, "text/plain", NULL, on_plain_sent, self);
      self->sent++;
    }
}

/* The reports the chat asks for: a REPORT for each message, no 200. */
static void
plain_set_chat_reports (Bench    *self,
                        gboolean  chat_reports)
{
  msrp_session_set_success_report (self->a, chat_reports);
  msrp_session_set_failure_report (self->a, chat_reports ? MSRP_FAILURE_REPORT_PARTIAL : MSRP_FAILURE_REPORT_YES);
}

int
main (int    argc,
      char **argv)
{
  gboolean json = FALSE, quick = FALSE;
  const char *profile = NULL;
  Bench bench = { 0 }, *self = &bench;
  Timing chat_p = { 0 }, plain_p = { 0 }, plain_rp = { 0 }, chat_rt = { 0 }, plain_rt = { 0 };
  guint64 n, rounds;
  guint reps;
  double chat_rate, plain_rate, plain_r_rate, base_rate;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        json = TRUE;
      else if (strcmp (argv[i], "--quick") == 0)
        quick = TRUE;
      else if (strcmp (argv[i], "--profile") == 0 && i + 1 < argc)
        profile = argv[++i];
      else
        {
          fprintf (stderr, "usage: %s [--json] [--quick] [--profile chat|plain]\n", argv[0]);
          return 2;
        }
    }
  n = quick ? 5000 : 100000;
  rounds = quick ? 500 : 5000;
  reps = quick ? 1 : 3;

  g_timeout_add_seconds (BENCH_TIMEOUT_SECONDS, on_timeout, NULL);
  self->message = g_bytes_new_static (text, strlen (text));
  connect_chats (self);
  connect_sessions (self);
  g_signal_connect (self->bob, "message-received", G_CALLBACK (on_chat_received), self);
  g_signal_connect (self->alice, "message-delivered", G_CALLBACK (on_chat_delivered), self);
  g_signal_connect (self->alice, "message-not-delivered", G_CALLBACK (on_chat_not_delivered), self);
  g_signal_connect (self->b, "message-received", G_CALLBACK (on_plain_received), self);
  g_signal_connect (msrp_stream_get_session (MSRP_STREAM (self->alice)), "message-received",
                    G_CALLBACK (on_chat_notification), self);

  if (profile != NULL)
    {
      Timing t;
      gboolean chat = g_ascii_strcasecmp (profile, "chat") == 0;

      plain_set_chat_reports (self, TRUE);
      run (self, n, chat ? chat_fill : plain_fill, &t);
      printf ("%s: %.0f msg/s, %.2f µs CPU/msg\n", chat ? "chat" : "plain", n / t.wall, t.cpu / n * 1e6);
      return 0;
    }

  /* Warm up both paths (allocators, caches, TCP windows). */
  {
    Timing t;

    run (self, n / 10, chat_fill, &t);
    plain_set_chat_reports (self, FALSE);
    run (self, n / 10, plain_fill, &t);
  }

  for (guint i = 0; i < reps; i++)
    {
      Timing t;

      run (self, n, chat_fill, &t);
      best_of (&chat_p, &t);
      plain_set_chat_reports (self, FALSE);
      run (self, n, plain_fill, &t);
      best_of (&plain_p, &t);
      plain_set_chat_reports (self, TRUE);
      run (self, n, plain_fill, &t);
      best_of (&plain_rp, &t);
    }

  /* Round trips: the window of one message. */
  for (guint i = 0; i < reps; i++)
    {
      Timing t;

      self->chat = TRUE;
      self->sent = self->received = self->done = self->imdns = 0;
      clock_start (&t);
      while (self->done < rounds)
        {
          guint64 done = self->done;
          char *id = msrp_chat_send_text (self->alice, text, NULL);

          g_free (id);
          /* No more from the delivery callbacks: one at a time. */
          self->n = ++self->sent;
          while (self->done == done)
            g_main_context_iteration (NULL, TRUE);
        }
      clock_stop (&t);
      best_of (&chat_rt, &t);
      /* The last notification is still on its way. */
      while (self->imdns < rounds)
        g_main_context_iteration (NULL, TRUE);

      plain_set_chat_reports (self, TRUE);
      self->chat = FALSE;
      self->sent = self->received = self->done = 0;
      clock_start (&t);
      for (guint64 r = 0; r < rounds; r++)
        {
          guint64 done = self->done;

          msrp_session_send_message_async (self->a, self->message, "text/plain", NULL, on_plain_sent, self);
          self->n = ++self->sent;
          while (self->done == done)
            g_main_context_iteration (NULL, TRUE);
        }
      clock_stop (&t);
      best_of (&plain_rt, &t);
    }

  chat_rate = n / chat_p.wall;
  plain_rate = n / plain_p.wall;
  plain_r_rate = n / plain_rp.wall;
  base_rate = MAX (plain_rate, plain_r_rate);

  if (json)
    printf ("{\"messages\": %" G_GUINT64_FORMAT ", \"message_bytes\": %zu, \"window\": %d, "
            "\"chat_msg_s\": %.0f, \"plain_msg_s\": %.0f, \"plain_reports_msg_s\": %.0f, "
            "\"chat_cpu_us\": %.2f, \"plain_cpu_us\": %.2f, \"plain_reports_cpu_us\": %.2f, "
            "\"chat_vs_plain\": %.3f, "
            "\"rounds\": %" G_GUINT64_FORMAT ", \"chat_rtt_us\": %.1f, \"plain_rtt_us\": %.1f, "
            "\"chat_cpu_per_rt_us\": %.1f, \"plain_cpu_per_rt_us\": %.1f, \"rt_chat_vs_plain\": %.3f}\n",
            n, strlen (text), WINDOW,
            chat_rate, plain_rate, plain_r_rate,
            chat_p.cpu / n * 1e6, plain_p.cpu / n * 1e6, plain_rp.cpu / n * 1e6,
            chat_rate / base_rate,
            rounds, chat_rt.wall / rounds * 1e6, plain_rt.wall / rounds * 1e6,
            chat_rt.cpu / rounds * 1e6, plain_rt.cpu / rounds * 1e6,
            plain_rt.wall / chat_rt.wall);
  else
    {
      printf ("Both ends in one process, TCP on 127.0.0.1, %zu-byte text, best of %u\n", strlen (text), reps);
      printf ("pipelined (%" G_GUINT64_FORMAT " messages, window %d):\n", n, WINDOW);
      printf ("  chat (CPIM, REPORT + IMDN):      %9.0f msg/s  %6.2f µs CPU/msg\n",
              chat_rate, chat_p.cpu / n * 1e6);
      printf ("  plain, 200 each:                 %9.0f msg/s  %6.2f µs CPU/msg\n",
              plain_rate, plain_p.cpu / n * 1e6);
      printf ("  plain, REPORT each:              %9.0f msg/s  %6.2f µs CPU/msg\n",
              plain_r_rate, plain_rp.cpu / n * 1e6);
      printf ("  chat / faster plain:             %9.0f %%\n", 100 * chat_rate / base_rate);
      printf ("round trip (%" G_GUINT64_FORMAT " one at a time):\n", rounds);
      printf ("  chat send → message-delivered:   %9.1f µs     %6.2f µs CPU\n",
              chat_rt.wall / rounds * 1e6, chat_rt.cpu / rounds * 1e6);
      printf ("  plain send → REPORT:             %9.1f µs     %6.2f µs CPU\n",
              plain_rt.wall / rounds * 1e6, plain_rt.cpu / rounds * 1e6);
      printf ("  chat rate / plain rate:          %9.0f %%\n", 100 * plain_rt.wall / chat_rt.wall);
    }

  g_object_unref (self->alice);
  g_object_unref (self->bob);
  g_object_unref (self->a);
  g_object_unref (self->b);
  g_bytes_unref (self->message);
  return 0;
}
