/* bench-tunnel.c: MsrpStreamTunnel's bulk throughput, and its round trip
 * beside a direct MSRP message round trip, C to C over TCP on loopback
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Both ends run in this process, on one main loop (as bench-chat), so the
 * figures are for a pair of endpoints sharing one core:
 *
 *   bulk:        N bytes written to one tunnel's output stream in writes
 *                of the session's chunk size, read from the peer's input
 *                stream; done when the last byte was read.
 *   round trip:  100 bytes written, the peer reads them and writes them
 *                back, read again; beside a plain MsrpSession pair where
 *                a 100-byte message is answered by a 100-byte message.
 *
 * Each figure is run a few times; the best and the median are printed.
 * Options: --json, --quick, --runs N, --profile (the bulk copy only).
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "msrp-glib.h"

#define TIMEOUT_SECONDS 600
#define MESSAGE_SIZE 100
#define READ_SIZE (256 * 1024)
#define MAX_RUNS 15

typedef struct {
  gboolean done;
  gpointer result;
  GError *error;
} Op;

typedef struct {
  MsrpStreamTunnel *a;
  MsrpStreamTunnel *b;
  MsrpSession *plain_a;
  MsrpSession *plain_b;
  GInputStream *a_in, *b_in;
  GOutputStream *a_out, *b_out;

  guint8 *write_buffer;
  gsize write_size;
  guint8 *read_buffer;
  guint64 to_write;
  guint64 to_read;
  gboolean waiting;

  guint8 echo_buffer[MESSAGE_SIZE];
  gsize echo_got;
  guint8 back_buffer[MESSAGE_SIZE];
  gsize back_got;
  guint64 rounds_left;
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

/* CPU seconds of the last run: steadier than the wall clock on a loaded
 * machine. */
static double last_cpu;

static gboolean
on_timeout (gpointer user_data)
{
  g_error ("bench-tunnel: no progress within %d s", TIMEOUT_SECONDS);
  return G_SOURCE_REMOVE;
}

static void
wait_for (gboolean *flag)
{
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
}

static void
check (const GError *error)
{
  if (error != NULL)
    g_error ("bench-tunnel: %s", error->message);
}

/* Setting up */

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

static MsrpSdpMedia *
initialize (MsrpStreamTunnel *tunnel,
            MsrpSdpMedia     *offer)
{
  Op op = { 0 };
  g_autoptr(MsrpSdpMedia) media = NULL;
  g_autofree char *sdp = NULL;

  msrp_stream_initialize_async (MSRP_STREAM (tunnel), offer, NULL, on_initialized, &op);
  wait_for (&op.done);
  check (op.error);
  media = op.result;
  sdp = msrp_sdp_media_to_string (media);
  return msrp_sdp_media_parse (sdp, NULL);
}

static MsrpStreamTunnel *
tunnel_new (void)
{
  MsrpStreamTunnel *tunnel = msrp_stream_tunnel_new ("application/octet-stream");
  g_autoptr(MsrpUri) uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);

  msrp_stream_set_local_uri (MSRP_STREAM (tunnel), uri);
  msrp_stream_set_use_tls (MSRP_STREAM (tunnel), FALSE);
  return tunnel;
}

static void
connect_tunnels (Bench *self)
{
  g_autoptr(MsrpSdpMedia) offer = NULL;
  g_autoptr(MsrpSdpMedia) answer = NULL;
  Op a = { 0 }, b = { 0 };

  self->a = tunnel_new ();
  self->b = tunnel_new ();
  offer = initialize (self->a, NULL);
  answer = initialize (self->b, offer);
  msrp_stream_start_async (MSRP_STREAM (self->a), answer, NULL, on_started, &a);
  msrp_stream_start_async (MSRP_STREAM (self->b), NULL, NULL, on_started, &b);
  wait_for (&a.done);
  wait_for (&b.done);
  check (a.error);
  check (b.error);
  self->a_in = g_io_stream_get_input_stream (msrp_stream_tunnel_get_stream (self->a));
  self->a_out = g_io_stream_get_output_stream (msrp_stream_tunnel_get_stream (self->a));
  self->b_in = g_io_stream_get_input_stream (msrp_stream_tunnel_get_stream (self->b));
  self->b_out = g_io_stream_get_output_stream (msrp_stream_tunnel_get_stream (self->b));
  /* A write is one chunk at most: write that much at a time. */
  self->write_size = msrp_session_get_max_chunk_size (msrp_stream_get_session (MSRP_STREAM (self->a)));
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
  check (pa.error);
  check (pb.error);
  path_a = pa.result;
  path_b = pb.result;
  msrp_connector_complete_async (acceptor, path_a, NULL, on_completed, &cb);
  msrp_connector_complete_async (connector, path_b, NULL, on_completed, &ca);
  wait_for (&ca.done);
  wait_for (&cb.done);
  check (ca.error);
  check (cb.error);
  ta = ca.result;
  tb = cb.result;
  self->plain_a = msrp_session_new (ta, NULL);
  self->plain_b = msrp_session_new (tb, NULL);
}

/* Bulk */

static void bulk_write (Bench *self);

static void
on_bulk_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Bench *self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_output_stream_write_finish (G_OUTPUT_STREAM (source), result, &error);

  check (error);
  self->to_write -= n;
  bulk_write (self);
}

static void
bulk_write (Bench *self)
{
  if (self->to_write > 0)
    g_output_stream_write_async (self->a_out, self->write_buffer, MIN (self->to_write, self->write_size),
                                 G_PRIORITY_DEFAULT, NULL, on_bulk_written, self);
}

static void
on_bulk_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Bench *self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  check (error);
  if (n == 0)
    g_error ("bench-tunnel: end of the stream before the last byte");
  self->to_read -= MIN ((guint64) n, self->to_read);
  if (self->to_read == 0)
    self->waiting = FALSE;
  else
    g_input_stream_read_async (self->b_in, self->read_buffer, READ_SIZE, G_PRIORITY_DEFAULT, NULL,
                               on_bulk_read, self);
}

static double
run_bulk (Bench   *self,
          guint64  bytes)
{
  gint64 start = g_get_monotonic_time ();
  double cpu = cpu_seconds ();

  self->to_write = self->to_read = bytes;
  self->waiting = TRUE;
  bulk_write (self);
  g_input_stream_read_async (self->b_in, self->read_buffer, READ_SIZE, G_PRIORITY_DEFAULT, NULL,
                             on_bulk_read, self);
  while (self->waiting)
    g_main_context_iteration (NULL, TRUE);
  last_cpu = cpu_seconds () - cpu;
  return (g_get_monotonic_time () - start) / 1e6;
}

/* Round trips through the tunnel: B echoes what A wrote. */

static void echo_read (Bench *self);
static void back_read (Bench *self);

static void
on_round_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  check (error);
}

static void
round_start (Bench *self)
{
  self->back_got = 0;
  g_output_stream_write_all_async (self->a_out, self->write_buffer, MESSAGE_SIZE, G_PRIORITY_DEFAULT, NULL,
                                   on_round_written, self);
  back_read (self);
}

static void
on_echo_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Bench *self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  check (error);
  if (n <= 0)
    g_error ("bench-tunnel: the echo's input ended");
  self->echo_got += n;
  if (self->echo_got == MESSAGE_SIZE)
    {
      self->echo_got = 0;
      g_output_stream_write_all_async (self->b_out, self->echo_buffer, MESSAGE_SIZE, G_PRIORITY_DEFAULT,
                                       NULL, on_round_written, self);
    }
  echo_read (self);
}

static void
echo_read (Bench *self)
{
  g_input_stream_read_async (self->b_in, self->echo_buffer + self->echo_got, MESSAGE_SIZE - self->echo_got,
                             G_PRIORITY_DEFAULT, NULL, on_echo_read, self);
}

static void
on_back_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Bench *self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  check (error);
  if (n <= 0)
    g_error ("bench-tunnel: the input ended");
  self->back_got += n;
  if (self->back_got < MESSAGE_SIZE)
    back_read (self);
  else if (--self->rounds_left > 0)
    round_start (self);
  else
    self->waiting = FALSE;
}

static void
back_read (Bench *self)
{
  g_input_stream_read_async (self->a_in, self->back_buffer + self->back_got, MESSAGE_SIZE - self->back_got,
                             G_PRIORITY_DEFAULT, NULL, on_back_read, self);
}

static double
run_tunnel_rounds (Bench   *self,
                   guint64  rounds)
{
  gint64 start = g_get_monotonic_time ();
  double cpu = cpu_seconds ();

  self->rounds_left = rounds;
  self->waiting = TRUE;
  round_start (self);
  while (self->waiting)
    g_main_context_iteration (NULL, TRUE);
  last_cpu = cpu_seconds () - cpu;
  return (g_get_monotonic_time () - start) / 1e6 / rounds;
}

/* Round trips of plain messages: B answers each message with one. */

static void
on_plain_sent (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = msrp_session_send_message_finish (MSRP_SESSION (source), result, &error);

  check (error);
}

static void
on_plain_b_received (MsrpSession *session,
                     MsrpChunk   *first,
                     GBytes      *data,
                     Bench       *self)
{
  msrp_session_send_message_async (session, data, "application/octet-stream", NULL, on_plain_sent, self);
}

static void
on_plain_a_received (MsrpSession *session,
                     MsrpChunk   *first,
                     GBytes      *data,
                     Bench       *self)
{
  if (--self->rounds_left > 0)
    msrp_session_send_message_async (session, self->message, "application/octet-stream", NULL,
                                     on_plain_sent, self);
  else
    self->waiting = FALSE;
}

static double
run_plain_rounds (Bench   *self,
                  guint64  rounds)
{
  gint64 start = g_get_monotonic_time ();
  double cpu = cpu_seconds ();

  self->rounds_left = rounds;
  self->waiting = TRUE;
  msrp_session_send_message_async (self->plain_a, self->message, "application/octet-stream", NULL,
                                   on_plain_sent, self);
  while (self->waiting)
    g_main_context_iteration (NULL, TRUE);
  last_cpu = cpu_seconds () - cpu;
  return (g_get_monotonic_time () - start) / 1e6 / rounds;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return values[n / 2];
}

int
main (int    argc,
      char **argv)
{
  gboolean json = FALSE, quick = FALSE, profile = FALSE;
  guint runs = 0;
  Bench bench = { 0 }, *self = &bench;
  double bulk[MAX_RUNS], tunnel_rt[MAX_RUNS], plain_rt[MAX_RUNS];
  double bulk_cpu[MAX_RUNS], tunnel_cpu[MAX_RUNS], plain_cpu[MAX_RUNS];
  double bulk_best, bulk_median, t_best, t_median, p_best, p_median;
  guint64 bytes, rounds;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        json = TRUE;
      else if (strcmp (argv[i], "--quick") == 0)
        quick = TRUE;
      else if (strcmp (argv[i], "--profile") == 0)
        profile = TRUE;
      else if (strcmp (argv[i], "--runs") == 0 && i + 1 < argc)
        {
          /* Not inside CLAMP: it evaluates its argument more than once. */
          int n = atoi (argv[++i]);

          runs = CLAMP (n, 1, MAX_RUNS);
        }
      else
        {
          fprintf (stderr, "usage: %s [--json] [--quick] [--runs N] [--profile]\n", argv[0]);
          return 2;
        }
    }
  bytes = quick ? 64 << 20 : G_GUINT64_CONSTANT (1) << 30;
  rounds = quick ? 500 : 5000;
  if (runs == 0)
    runs = quick ? 1 : 3;

  g_timeout_add_seconds (TIMEOUT_SECONDS, on_timeout, NULL);
  connect_tunnels (self);
  connect_sessions (self);
  self->write_buffer = g_malloc (MAX (self->write_size, MESSAGE_SIZE));
  memset (self->write_buffer, 'x', MAX (self->write_size, MESSAGE_SIZE));
  self->read_buffer = g_malloc (READ_SIZE);
  self->message = g_bytes_new (self->write_buffer, MESSAGE_SIZE);
  g_signal_connect (self->plain_a, "message-received", G_CALLBACK (on_plain_a_received), self);
  g_signal_connect (self->plain_b, "message-received", G_CALLBACK (on_plain_b_received), self);

  if (profile)
    {
      double seconds = run_bulk (self, bytes);

      printf ("bulk: %.1f MB/s\n", bytes / seconds / 1e6);
      return 0;
    }

  /* Warm up (TCP windows, allocators); the bulk runs first, as B's echo
   * reads its input from then on. */
  run_bulk (self, bytes / 16);
  for (guint i = 0; i < runs; i++)
    {
      bulk[i] = bytes / run_bulk (self, bytes) / 1e6;
      bulk_cpu[i] = bytes / last_cpu / 1e6;
    }
  echo_read (self);
  run_tunnel_rounds (self, rounds / 10);
  run_plain_rounds (self, rounds / 10);
  for (guint i = 0; i < runs; i++)
    {
      tunnel_rt[i] = run_tunnel_rounds (self, rounds) * 1e6;
      tunnel_cpu[i] = last_cpu / rounds * 1e6;
      plain_rt[i] = run_plain_rounds (self, rounds) * 1e6;
      plain_cpu[i] = last_cpu / rounds * 1e6;
    }
  bulk_median = median (bulk, runs);
  bulk_best = bulk[runs - 1];
  t_median = median (tunnel_rt, runs);
  t_best = tunnel_rt[0];
  p_median = median (plain_rt, runs);
  p_best = plain_rt[0];
  median (bulk_cpu, runs);
  median (tunnel_cpu, runs);
  median (plain_cpu, runs);

  if (json)
    printf ("{\"bytes\": %" G_GUINT64_FORMAT ", \"write_size\": %" G_GSIZE_FORMAT ", \"runs\": %u, "
            "\"bulk_mb_s_best\": %.1f, \"bulk_mb_s_median\": %.1f, \"rounds\": %" G_GUINT64_FORMAT ", "
            "\"tunnel_rtt_us_best\": %.1f, \"tunnel_rtt_us_median\": %.1f, "
            "\"message_rtt_us_best\": %.1f, \"message_rtt_us_median\": %.1f, "
            "\"rtt_ratio_best\": %.3f, \"rtt_ratio_median\": %.3f, "
            "\"bulk_mb_per_cpu_s_best\": %.1f, \"tunnel_cpu_us_best\": %.1f, \"message_cpu_us_best\": %.1f}\n",
            bytes, self->write_size, runs, bulk_best, bulk_median, rounds,
            t_best, t_median, p_best, p_median, t_best / p_best, t_median / p_median,
            bulk_cpu[runs - 1], tunnel_cpu[0], plain_cpu[0]);
  else
    {
      printf ("Both ends in one process, TCP on 127.0.0.1, %u runs (best / median)\n", runs);
      printf ("  bulk copy, %" G_GUINT64_FORMAT " MiB in writes of %" G_GSIZE_FORMAT " B: %7.1f / %7.1f MB/s\n",
              bytes >> 20, self->write_size, bulk_best, bulk_median);
      printf ("  round trip, tunnel (100 B echoed):   %7.1f / %7.1f µs\n", t_best, t_median);
      printf ("  round trip, message answered:        %7.1f / %7.1f µs\n", p_best, p_median);
      printf ("  CPU (both ends), best: bulk %.1f MB per CPU second, round trip %.1f µs tunnel, %.1f µs message\n",
              bulk_cpu[runs - 1], tunnel_cpu[0], plain_cpu[0]);
      printf ("  tunnel / message:                    %7.2f / %7.2f\n", t_best / p_best, t_median / p_median);
    }

  g_object_unref (self->a);
  g_object_unref (self->b);
  g_object_unref (self->plain_a);
  g_object_unref (self->plain_b);
  g_bytes_unref (self->message);
  g_free (self->write_buffer);
  g_free (self->read_buffer);
  return 0;
}
