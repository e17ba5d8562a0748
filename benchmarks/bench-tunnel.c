/* bench-tunnel.c: MsrpStreamTunnel's bulk throughput beside `msrp send
 * --file` and raw TCP, and its round trip beside a direct MSRP message round
 * trip, C to C over TCP on loopback
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * bulk:        each end of each run is a process of this very program, so
 *              that each has a core of its own, as a tunnel's two ends do:
 *              `bench-tunnel tunnel-send BYTES WRITE` offers a tunnel and
 *              writes BYTES to its output stream in writes of WRITE bytes,
 *              then closes it; `bench-tunnel tunnel-receive` answers and
 *              reads until end-of-file, the SDP going through their standard
 *              input and output (base64, one line), as bench-file does. The
 *              time runs from the sender's tunnel started to the receiver's
 *              last byte read. Beside it, the same bytes go through `msrp
 *              send --file` (to `msrp listen`, linked in) and through a raw
 *              TCP socket pair (msrp-bench's tcp-source and tcp-sink). Runs
 *              alternate (raw, send, tunnel) so that all see the same load.
 *              Each process's CPU time (user + sys, from wait4) is printed
 *              per GB moved: on a shared machine it is steadier than the
 *              wall clock.
 * round trip:  in this process, both ends on one main loop: 100 bytes
 *              written, the peer reads them and writes them back, read
 *              again; beside a plain MsrpSession pair where a 100-byte
 *              message is answered by a 100-byte message.
 *
 * The best and the median of the runs are printed. Options: --json,
 * --quick, --runs N, --size B (default 1G), --write-size B (default 64K),
 * --no-rtt, --perf DIR (one tunnel run, each end under `perf record`,
 * DIR/send.data and DIR/receive.data).
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>

#include "msrp-bench-private.h"
#include "bench-process.h"

#define TIMEOUT_SECONDS 600
#define MESSAGE_SIZE 100
#define READ_SIZE (256 * 1024)
#define RAW_WRITE_SIZE (64 * 1024)
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
  gboolean waiting;

  guint8 echo_buffer[MESSAGE_SIZE];
  gsize echo_got;
  guint8 back_buffer[MESSAGE_SIZE];
  gsize back_got;
  guint64 rounds_left;
  GBytes *message;
} Bench;

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
  bench_wait_for (&op.done);
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
  bench_wait_for (&a.done);
  bench_wait_for (&b.done);
  check (a.error);
  check (b.error);
  self->a_in = g_io_stream_get_input_stream (msrp_stream_tunnel_get_stream (self->a));
  self->a_out = g_io_stream_get_output_stream (msrp_stream_tunnel_get_stream (self->a));
  self->b_in = g_io_stream_get_input_stream (msrp_stream_tunnel_get_stream (self->b));
  self->b_out = g_io_stream_get_output_stream (msrp_stream_tunnel_get_stream (self->b));
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
  bench_wait_for (&pa.done);
  bench_wait_for (&pb.done);
  check (pa.error);
  check (pb.error);
  path_a = pa.result;
  path_b = pb.result;
  msrp_connector_complete_async (acceptor, path_a, NULL, on_completed, &cb);
  msrp_connector_complete_async (connector, path_b, NULL, on_completed, &ca);
  bench_wait_for (&ca.done);
  bench_wait_for (&cb.done);
  check (ca.error);
  check (cb.error);
  ta = ca.result;
  tb = cb.result;
  self->plain_a = msrp_session_new (ta, NULL);
  self->plain_b = msrp_session_new (tb, NULL);
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
  double cpu = bench_cpu_seconds ();

  self->rounds_left = rounds;
  self->waiting = TRUE;
  round_start (self);
  while (self->waiting)
    g_main_context_iteration (NULL, TRUE);
  last_cpu = bench_cpu_seconds () - cpu;
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
  double cpu = bench_cpu_seconds ();

  self->rounds_left = rounds;
  self->waiting = TRUE;
  msrp_session_send_message_async (self->plain_a, self->message, "application/octet-stream", NULL,
                                   on_plain_sent, self);
  while (self->waiting)
    g_main_context_iteration (NULL, TRUE);
  last_cpu = bench_cpu_seconds () - cpu;
  return (g_get_monotonic_time () - start) / 1e6 / rounds;
}

/* The tunnel's ends in processes of their own */

typedef struct {
  MsrpStreamTunnel *tunnel;
  GDataInputStream *control;   /* standard input: the peer's SDP */
  GInputStream *in;
  GOutputStream *out;
  gboolean sender;
  guint8 *buffer;
  gsize write_size;
  guint64 left;                /* to write */
  guint64 received;
  gint64 started;
  gboolean finished;
} End;

static void G_GNUC_NORETURN
end_die (End          *self,
         const GError *error)
{
  g_printerr ("bench-tunnel %s: %s\n", self->sender ? "tunnel-send" : "tunnel-receive",
              error != NULL ? error->message : "failed");
  exit (EXIT_FAILURE);
}

static MsrpSdpMedia *
end_parse_media (End        *self,
                 const char *line,
                 const char *what)
{
  g_autoptr(GError) error = NULL;
  MsrpSdpMedia *media = bench_parse_media (line, what, &error);

  if (media == NULL)
    end_die (self, error);
  return media;
}

static void end_write (End *self);
static void end_read (End *self);

static void
end_on_written (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  End *self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_output_stream_write_finish (G_OUTPUT_STREAM (source), result, &error);

  if (n < 0)
    end_die (self, error);
  self->left -= n;
  end_write (self);
}

static void
end_on_output_closed (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  End *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    end_die (self, error);
  /* The sender waits for the receiver's end-of-file, which comes after
   * the last byte; the receiver is done once its end went out. */
  if (self->sender)
    end_read (self);
  else
    g_main_loop_quit (loop);
}

static void
end_write (End *self)
{
  if (self->left > 0)
    g_output_stream_write_async (self->out, self->buffer, MIN (self->left, self->write_size),
                                 G_PRIORITY_DEFAULT, NULL, end_on_written, self);
  else
    g_output_stream_close_async (self->out, G_PRIORITY_DEFAULT, NULL, end_on_output_closed, self);
}

static void
end_on_read (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  End *self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n < 0)
    end_die (self, error);
  if (n > 0)
    {
      self->received += n;
      end_read (self);
      return;
    }
  /* Absolute monotonic times: the parent puts the two ends together. */
  self->finished = TRUE;
  if (self->sender)
    {
      printf ("stats started_us=%" G_GINT64_FORMAT "\n", self->started);
      fflush (stdout);
      g_main_loop_quit (loop);
    }
  else
    {
      printf ("stats ended_us=%" G_GINT64_FORMAT " bytes=%" G_GUINT64_FORMAT "\n",
              g_get_monotonic_time (), self->received);
      fflush (stdout);
      g_output_stream_close_async (self->out, G_PRIORITY_DEFAULT, NULL, end_on_output_closed, self);
    }
}

static void
end_read (End *self)
{
  g_input_stream_read_async (self->in, self->buffer, READ_SIZE, G_PRIORITY_DEFAULT, NULL, end_on_read, self);
}

static void
end_on_started (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  End *self = user_data;
  g_autoptr(GError) error = NULL;
  GIOStream *stream = msrp_stream_tunnel_get_stream (self->tunnel);

  if (!msrp_stream_start_finish (MSRP_STREAM (source), result, &error))
    end_die (self, error);
  self->started = g_get_monotonic_time ();
  self->in = g_io_stream_get_input_stream (stream);
  self->out = g_io_stream_get_output_stream (stream);
  if (self->sender)
    end_write (self);
  else
    end_read (self);
}

static void
end_on_failed (MsrpStream   *stream,
               const GError *error,
               End          *self)
{
  if (!self->finished)
    end_die (self, error);
}

static void
end_on_answer_line (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  End *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish (self->control, result, NULL, &error);
  g_autoptr(MsrpSdpMedia) answer = end_parse_media (self, line, "answer");

  msrp_stream_start_async (MSRP_STREAM (self->tunnel), answer, NULL, end_on_started, self);
}

static void
end_on_initialized (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  End *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpSdpMedia) media = msrp_stream_initialize_finish (MSRP_STREAM (source), result, &error);

  if (media == NULL)
    end_die (self, error);
  bench_print_media (self->sender ? "offer" : "answer", media);
  if (self->sender)
    g_data_input_stream_read_line_async (self->control, G_PRIORITY_DEFAULT, NULL, end_on_answer_line, self);
  else
    msrp_stream_start_async (MSRP_STREAM (self->tunnel), NULL, NULL, end_on_started, self);
}

/* bench-tunnel tunnel-send BYTES WRITE | tunnel-receive */
static int
end_main (int    argc,
          char **argv)
{
  End self = { 0 };
  g_autoptr(GInputStream) control = g_unix_input_stream_new (0, FALSE);
  g_autoptr(MsrpUri) uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(MsrpSdpMedia) offer = NULL;
  guint64 write_size = 0;

  self.sender = strcmp (argv[1], "tunnel-send") == 0;
  if (self.sender && (argc != 4 || !parse_size ("BYTES", argv[2], &self.left) ||
                      !parse_size ("WRITE", argv[3], &write_size) || write_size == 0))
    return EXIT_USAGE;
  self.write_size = write_size;
  self.control = g_data_input_stream_new (control);
  self.buffer = g_malloc (MAX (self.write_size, READ_SIZE));
  memset (self.buffer, 'x', MAX (self.write_size, READ_SIZE));
  loop = g_main_loop_new (NULL, FALSE);
  g_timeout_add_seconds (TIMEOUT_SECONDS, on_timeout, NULL);

  self.tunnel = msrp_stream_tunnel_new ("application/octet-stream");
  msrp_stream_set_local_uri (MSRP_STREAM (self.tunnel), uri);
  msrp_stream_set_use_tls (MSRP_STREAM (self.tunnel), FALSE);
  g_signal_connect (self.tunnel, "failed", G_CALLBACK (end_on_failed), &self);
  if (!self.sender)
    {
      /* Blocking is fine here: nothing else runs before the offer. */
      g_autofree char *line = g_data_input_stream_read_line (self.control, NULL, NULL, NULL);

      offer = end_parse_media (&self, line, "offer");
    }
  msrp_stream_initialize_async (MSRP_STREAM (self.tunnel), offer, NULL, end_on_initialized, &self);
  g_main_loop_run (loop);

  g_object_unref (self.tunnel);
  g_object_unref (self.control);
  g_main_loop_unref (loop);
  g_free (self.buffer);
  return EXIT_SUCCESS;
}

/* The parent: runs the children one pair at a time (bench-process.c). */

static double
stat_seconds (const char *output)
{
  const char *p = output != NULL ? strstr (output, " seconds=") : NULL;

  if (p == NULL)
    g_error ("bench-tunnel: no seconds in the output: %s", output != NULL ? output : "(none)");
  return g_ascii_strtod (p + strlen (" seconds="), NULL);
}

/* One run of one way of moving the bytes. */
typedef struct {
  double seconds;
  double send_cpu;       /* the sending process */
  double receive_cpu;    /* the receiving one */
} Figure;

static Figure
run_tunnel (guint64  bytes,
            gsize    write_size,
            gboolean perf)
{
  g_autofree char *bytes_text = g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
  g_autofree char *write_text = g_strdup_printf ("%" G_GSIZE_FORMAT, write_size);
  g_autofree char *s_stats = NULL, *r_stats = NULL;
  BenchChild sender = { 0 }, receiver = { 0 };
  Figure f = { 0 };

  bench_child_start (&sender, "tunnel-send", perf ? "send.data" : NULL, "tunnel-send", bytes_text, write_text, NULL);
  bench_child_start (&receiver, "tunnel-receive", perf ? "receive.data" : NULL, "tunnel-receive", NULL);
  bench_child_swap_lines (&sender, &receiver);
  s_stats = bench_child_finish (&sender, &f.send_cpu);
  r_stats = bench_child_finish (&receiver, &f.receive_cpu);
  if ((guint64) bench_stat_int (r_stats, "bytes") != bytes)
    g_error ("bench-tunnel: %" G_GINT64_FORMAT " bytes came through the tunnel, not %" G_GUINT64_FORMAT,
             bench_stat_int (r_stats, "bytes"), bytes);
  f.seconds = (bench_stat_int (r_stats, "ended_us") - bench_stat_int (s_stats, "started_us")) / 1e6;
  return f;
}

/* msrp listen and msrp send --file, as msrp-bench runs them. */
static Figure
run_send (const char *data_file)
{
  g_autofree char *address = NULL, *s_stats = NULL, *c_stats = NULL;
  BenchChild server = { 0 }, client = { 0 };
  Figure f = { 0 };

  bench_child_start (&server, "msrp listen", NULL, "listen", "--quiet", "--stats", "--count", "1", NULL);
  while (address == NULL)
    {
      g_autofree char *line = bench_child_read_line (&server);

      if (g_str_has_prefix (line, "a=path:"))
        address = g_strdup (line + strlen ("a=path:"));
    }
  bench_child_start (&client, "msrp send", NULL, "send", "--stats", "--to", address, "--file", data_file,
               "--content-type", "application/octet-stream", NULL);
  c_stats = bench_child_finish (&client, &f.send_cpu);
  s_stats = bench_child_finish (&server, &f.receive_cpu);
  f.seconds = stat_seconds (c_stats);
  return f;
}

/* msrp-bench's raw baseline: the same bytes through a plain socket. */
static Figure
run_raw (guint64 bytes)
{
  g_autofree char *bytes_text = g_strdup_printf ("%" G_GUINT64_FORMAT, bytes);
  g_autofree char *writes_text = g_strdup_printf ("%" G_GUINT64_FORMAT, bytes / RAW_WRITE_SIZE);
  g_autofree char *size_text = g_strdup_printf ("%d", RAW_WRITE_SIZE);
  g_autofree char *line = NULL, *s_stats = NULL, *c_stats = NULL;
  BenchChild sink = { 0 }, source = { 0 };
  Figure f = { 0 };

  bench_child_start (&sink, "tcp-sink", NULL, "tcp-sink", "--bytes", bytes_text, NULL);
  line = bench_child_read_line (&sink);
  if (!g_str_has_prefix (line, "tcp:"))
    g_error ("bench-tunnel: tcp-sink printed %s", line);
  bench_child_start (&source, "tcp-source", NULL, "tcp-source", "--to", line + strlen ("tcp:"),
               "--writes", writes_text, "--size", size_text, NULL);
  c_stats = bench_child_finish (&source, &f.send_cpu);
  s_stats = bench_child_finish (&sink, &f.receive_cpu);
  f.seconds = stat_seconds (c_stats);
  return f;
}

typedef struct {
  double mb_s_best, mb_s_median;
  double send_cpu_best, send_cpu_median;        /* CPU seconds per GB */
  double receive_cpu_best, receive_cpu_median;
} Summary;

static Summary
summarize (const Figure *figures,
           guint         runs,
           guint64       bytes)
{
  double gb = bytes / 1e9;
  double best, med;
  Summary s;

  bench_best_median (figures, sizeof (Figure), runs, G_STRUCT_OFFSET (Figure, seconds), &best, &med);
  s.mb_s_best = bytes / best / 1e6;
  s.mb_s_median = bytes / med / 1e6;
  bench_best_median (figures, sizeof (Figure), runs, G_STRUCT_OFFSET (Figure, send_cpu), &best, &med);
  s.send_cpu_best = best / gb;
  s.send_cpu_median = med / gb;
  bench_best_median (figures, sizeof (Figure), runs, G_STRUCT_OFFSET (Figure, receive_cpu), &best, &med);
  s.receive_cpu_best = best / gb;
  s.receive_cpu_median = med / gb;
  return s;
}

static void
print_summary (const char    *name,
               const Summary *s)
{
  printf ("  %-24s %7.1f / %7.1f MB/s   CPU s/GB: send %5.2f / %5.2f, receive %5.2f / %5.2f\n",
          name, s->mb_s_best, s->mb_s_median, s->send_cpu_best, s->send_cpu_median,
          s->receive_cpu_best, s->receive_cpu_median);
}

static void
json_summary (const char    *name,
              const Summary *s)
{
  printf ("\"%s\": {\"mb_s_best\": %.1f, \"mb_s_median\": %.1f, "
          "\"send_cpu_s_per_gb_best\": %.3f, \"send_cpu_s_per_gb_median\": %.3f, "
          "\"receive_cpu_s_per_gb_best\": %.3f, \"receive_cpu_s_per_gb_median\": %.3f}, ",
          name, s->mb_s_best, s->mb_s_median, s->send_cpu_best, s->send_cpu_median,
          s->receive_cpu_best, s->receive_cpu_median);
}

static void
write_data_file (const char *path,
                 guint64     size)
{
  g_autofree guint8 *buffer = g_malloc (1024 * 1024);
  FILE *out = fopen (path, "wb");

  if (out == NULL)
    g_error ("bench-tunnel: cannot write %s", path);
  /* What the tunnel's sender writes. */
  memset (buffer, 'x', 1024 * 1024);
  for (guint64 left = size; left > 0;)
    {
      gsize n = MIN (left, 1024 * 1024);

      if (fwrite (buffer, 1, n, out) != n)
        g_error ("bench-tunnel: cannot write %s", path);
      left -= n;
    }
  if (fclose (out) != 0)
    g_error ("bench-tunnel: cannot write %s", path);
}

/* The round trips, in this process */
static void
run_round_trips (guint64   rounds,
                 guint     runs,
                 double   *t_best,
                 double   *t_median,
                 double   *p_best,
                 double   *p_median,
                 double   *t_cpu,
                 double   *p_cpu)
{
  Bench bench = { 0 }, *self = &bench;
  double tunnel_rt[MAX_RUNS], plain_rt[MAX_RUNS];
  double tunnel_cpu[MAX_RUNS], plain_cpu[MAX_RUNS];
  double unused;

  connect_tunnels (self);
  connect_sessions (self);
  self->write_buffer = g_malloc (MESSAGE_SIZE);
  memset (self->write_buffer, 'x', MESSAGE_SIZE);
  self->message = g_bytes_new (self->write_buffer, MESSAGE_SIZE);
  g_signal_connect (self->plain_a, "message-received", G_CALLBACK (on_plain_a_received), self);
  g_signal_connect (self->plain_b, "message-received", G_CALLBACK (on_plain_b_received), self);

  /* B echoes what it reads from now on; a warm-up first. */
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
  bench_best_median (tunnel_rt, sizeof (double), runs, 0, t_best, t_median);
  bench_best_median (plain_rt, sizeof (double), runs, 0, p_best, p_median);
  bench_best_median (tunnel_cpu, sizeof (double), runs, 0, &unused, t_cpu);
  bench_best_median (plain_cpu, sizeof (double), runs, 0, &unused, p_cpu);

  g_object_unref (self->a);
  g_object_unref (self->b);
  g_object_unref (self->plain_a);
  g_object_unref (self->plain_b);
  g_bytes_unref (self->message);
  g_free (self->write_buffer);
}

int
main (int    argc,
      char **argv)
{
  gboolean json = FALSE, quick = FALSE, rtt = TRUE;
  guint runs = 0;
  guint64 bytes = 0, write_size = 64 * 1024, rounds;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *data_file = NULL;
  const char *perf_dir = NULL;
  Figure raw[MAX_RUNS], send[MAX_RUNS], tunnel[MAX_RUNS];
  Summary raw_s, send_s, tunnel_s;
  double t_best = 0, t_median = 0, p_best = 0, p_median = 0, t_cpu = 0, p_cpu = 0;

  setlocale (LC_ALL, "");
  program_name = "bench-tunnel";
  if (argc > 1 && strcmp (argv[1], "listen") == 0)
    return listen_command.run (argc - 1, argv + 1);
  if (argc > 1 && strcmp (argv[1], "send") == 0)
    return send_command.run (argc - 1, argv + 1);
  if (argc > 1 && strcmp (argv[1], "tcp-sink") == 0)
    return tcp_sink_command.run (argc - 1, argv + 1);
  if (argc > 1 && strcmp (argv[1], "tcp-source") == 0)
    return tcp_source_command.run (argc - 1, argv + 1);
  if (argc > 1 && (strcmp (argv[1], "tunnel-send") == 0 || strcmp (argv[1], "tunnel-receive") == 0))
    return end_main (argc, argv);

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        json = TRUE;
      else if (strcmp (argv[i], "--quick") == 0)
        quick = TRUE;
      else if (strcmp (argv[i], "--no-rtt") == 0)
        rtt = FALSE;
      else if (strcmp (argv[i], "--perf") == 0 && i + 1 < argc)
        bench_process_set_perf_dir (perf_dir = argv[++i]);
      else if (strcmp (argv[i], "--size") == 0 && i + 1 < argc && parse_size ("--size", argv[i + 1], &bytes))
        i++;
      else if (strcmp (argv[i], "--write-size") == 0 && i + 1 < argc &&
               parse_size ("--write-size", argv[i + 1], &write_size) && write_size > 0)
        i++;
      else if (strcmp (argv[i], "--runs") == 0 && i + 1 < argc)
        {
          /* Not inside CLAMP: it evaluates its argument more than once. */
          int n = atoi (argv[++i]);

          runs = CLAMP (n, 1, MAX_RUNS);
        }
      else
        {
          fprintf (stderr, "usage: %s [--json] [--quick] [--runs N] [--size B] [--write-size B] "
                   "[--no-rtt] [--perf DIR]\n", argv[0]);
          return 2;
        }
    }
  if (bytes == 0)
    bytes = quick ? 64 << 20 : G_GUINT64_CONSTANT (1) << 30;
  /* Whole writes of the raw baseline. */
  bytes -= bytes % RAW_WRITE_SIZE;
  if (bytes == 0)
    bytes = RAW_WRITE_SIZE;
  rounds = quick ? 500 : 5000;
  if (runs == 0)
    runs = quick ? 1 : 3;

  bench_process_init ("bench-tunnel", argv[0]);
  /* The parent blocks on its children: a stuck run ends with SIGALRM. */
  alarm (TIMEOUT_SECONDS * runs * 3);

  if (perf_dir != NULL)
    {
      Figure f = run_tunnel (bytes, write_size, TRUE);

      printf ("tunnel: %.1f MB/s, CPU s/GB: send %.2f, receive %.2f (under perf record)\n",
              bytes / f.seconds / 1e6, f.send_cpu / (bytes / 1e9), f.receive_cpu / (bytes / 1e9));
      return EXIT_SUCCESS;
    }

  tmp_dir = g_dir_make_tmp ("bench-tunnel-XXXXXX", &error);
  if (tmp_dir == NULL)
    g_error ("bench-tunnel: %s", error->message);
  data_file = g_build_filename (tmp_dir, "data", NULL);
  write_data_file (data_file, bytes);
  for (guint i = 0; i < runs; i++)
    {
      raw[i] = run_raw (bytes);
      send[i] = run_send (data_file);
      tunnel[i] = run_tunnel (bytes, write_size, FALSE);
    }
  g_unlink (data_file);
  g_rmdir (tmp_dir);
  raw_s = summarize (raw, runs, bytes);
  send_s = summarize (send, runs, bytes);
  tunnel_s = summarize (tunnel, runs, bytes);

  if (rtt)
    {
      g_timeout_add_seconds (TIMEOUT_SECONDS, on_timeout, NULL);
      run_round_trips (rounds, runs, &t_best, &t_median, &p_best, &p_median, &t_cpu, &p_cpu);
    }

  if (json)
    {
      printf ("{\"bytes\": %" G_GUINT64_FORMAT ", \"write_size\": %" G_GUINT64_FORMAT ", \"runs\": %u, ",
              bytes, write_size, runs);
      json_summary ("tunnel", &tunnel_s);
      json_summary ("msrp_send_file", &send_s);
      json_summary ("raw_tcp", &raw_s);
      printf ("\"tunnel_to_send\": %.3f, \"tunnel_to_raw\": %.3f", tunnel_s.mb_s_median / send_s.mb_s_median,
              tunnel_s.mb_s_median / raw_s.mb_s_median);
      if (rtt)
        printf (", \"rounds\": %" G_GUINT64_FORMAT ", "
                "\"tunnel_rtt_us_best\": %.1f, \"tunnel_rtt_us_median\": %.1f, "
                "\"message_rtt_us_best\": %.1f, \"message_rtt_us_median\": %.1f, "
                "\"rtt_ratio_best\": %.3f, \"rtt_ratio_median\": %.3f, "
                "\"tunnel_rtt_cpu_us\": %.1f, \"message_rtt_cpu_us\": %.1f",
                rounds, t_best, t_median, p_best, p_median, t_best / p_best, t_median / p_median,
                t_cpu, p_cpu);
      printf ("}\n");
    }
  else
    {
      printf ("Bulk copy of %" G_GUINT64_FORMAT " MiB, TCP on 127.0.0.1, each end a process, "
              "%u interleaved runs (best / median):\n", bytes >> 20, runs);
      print_summary ("tunnel", &tunnel_s);
      printf ("    (writes of %" G_GUINT64_FORMAT " B)\n", write_size);
      print_summary ("msrp send --file", &send_s);
      print_summary ("raw TCP", &raw_s);
      printf ("  tunnel / send, / raw (medians): %.2f, %.2f\n",
              tunnel_s.mb_s_median / send_s.mb_s_median, tunnel_s.mb_s_median / raw_s.mb_s_median);
      if (rtt)
        {
          printf ("Round trips, both ends in this process, %" G_GUINT64_FORMAT " each (best / median):\n", rounds);
          printf ("  tunnel (100 B echoed):   %7.1f / %7.1f µs (CPU %.1f µs)\n", t_best, t_median, t_cpu);
          printf ("  message answered:        %7.1f / %7.1f µs (CPU %.1f µs)\n", p_best, p_median, p_cpu);
          printf ("  tunnel / message:        %7.2f / %7.2f\n", t_best / p_best, t_median / p_median);
        }
    }
  return EXIT_SUCCESS;
}
