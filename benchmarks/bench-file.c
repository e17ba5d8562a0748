/* bench-file.c: a file pushed with MsrpFileTransfer beside `msrp send
 * --file` of the same file, C to C over TCP and TLS on loopback
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each end of each run is a process of this very program, so that each
 * has a core and a peak RSS of its own: `bench-file push FILE` offers the
 * file, `bench-file receive DIR` answers, the SDP going through their
 * standard input and output (base64, one line); `bench-file listen` and
 * `bench-file send` are the msrp tool's own commands, linked in, for the
 * baseline. `msrp listen --quiet` neither writes nor hashes what comes,
 * which a file transfer's receiver must: `bench-file sink DIR` is the
 * like-for-like baseline, a session that writes each chunk to disk with
 * write(2) and hashes it (SHA-1) on the main thread as it comes, the
 * least a receiver can do. The sender hashes the file before it offers
 * it: that time is reported apart, and the transfer's time runs from the
 * sender's stream started (connected, as `msrp send` counts from its
 * connection) to the later of the two ends' "ended". Runs alternate
 * (baselines, transfer) so that all see the same load; the best and the
 * median are printed. On a loaded machine the CPU time of each end (user
 * + system, all threads, per GiB) is the steadier figure.
 * Options: --quick (16 MiB, 1 run), --size B (default 1G), --runs N
 * (default 3), --no-tls, --json.
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/resource.h>

#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <gnutls/crypto.h>

#include "msrp-tool-private.h"
#include "bench-process.h"

#define RUN_TIMEOUT_SECONDS 900
#define MAX_RUNS 15

/* The children */

typedef struct {
  MsrpFileTransfer *transfer;
  GDataInputStream *in;
  gboolean sender;
  gint64 hash_start;
  gint64 hash_end;
  gint64 start;          /* start_async called */
  gint64 started;        /* "started": connected */
  gint64 ended;
  gint64 hash_cpu_us;    /* CPU time initializing (the push: hashing) */
} Child;

static guint64
vmhwm_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "\nVmHWM:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("\nVmHWM:"), NULL, 10);
}

/* This process's CPU time, all threads, in microseconds. */
static gint64
self_cpu_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

static void G_GNUC_NORETURN
child_die (const char   *what,
           const GError *error)
{
  g_printerr ("bench-file %s: %s\n", what, error != NULL ? error->message : "failed");
  exit (EXIT_FAILURE);
}

static MsrpSdpMedia *
child_parse_media (const char *line,
                   const char *what)
{
  g_autoptr(GError) error = NULL;
  MsrpSdpMedia *media = bench_parse_media (line, what, &error);

  if (media == NULL)
    child_die ("media", error);
  return media;
}

static void
child_on_started (MsrpStream *stream,
                  Child      *self)
{
  self->started = g_get_monotonic_time ();
}

static void
child_on_ended (MsrpStream *stream,
                Child      *self)
{
  self->ended = g_get_monotonic_time ();
  /* Absolute monotonic times: the parent puts the two ends together. */
  printf ("stats hash_start_us=%" G_GINT64_FORMAT " hash_end_us=%" G_GINT64_FORMAT
          " start_us=%" G_GINT64_FORMAT " started_us=%" G_GINT64_FORMAT
          " ended_us=%" G_GINT64_FORMAT " bytes=%" G_GINT64_FORMAT " vmhwm_kb=%" G_GUINT64_FORMAT
          " hash_cpu_us=%" G_GINT64_FORMAT " cpu_us=%" G_GINT64_FORMAT "\n",
          self->hash_start, self->hash_end, self->start, self->started, self->ended,
          msrp_file_transfer_get_bytes_transferred (self->transfer), vmhwm_kb (),
          self->hash_cpu_us, self_cpu_us ());
  fflush (stdout);
  g_main_loop_quit (loop);
}

static void
child_on_failed (MsrpStream   *stream,
                 const GError *error,
                 Child        *self)
{
  child_die (self->sender ? "push" : "receive", error);
}

static void
child_on_start (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Child *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!msrp_stream_start_finish (MSRP_STREAM (source), result, &error))
    child_die (self->sender ? "push" : "receive", error);
}

static void
child_on_answer_line (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Child *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish (self->in, result, NULL, &error);
  g_autoptr(MsrpSdpMedia) answer = NULL;

  if (line == NULL)
    child_die ("push", error);
  answer = child_parse_media (line, "answer");
  self->start = g_get_monotonic_time ();
  msrp_stream_start_async (MSRP_STREAM (self->transfer), answer, NULL, child_on_start, self);
}

static void
child_on_initialized (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Child *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpSdpMedia) media = msrp_stream_initialize_finish (MSRP_STREAM (source), result, &error);

  if (media == NULL)
    child_die (self->sender ? "push" : "receive", error);
  self->hash_end = g_get_monotonic_time ();
  self->hash_cpu_us = self_cpu_us () - self->hash_cpu_us;
  bench_print_media (self->sender ? "offer" : "answer", media);
  if (self->sender)
    g_data_input_stream_read_line_async (self->in, G_PRIORITY_DEFAULT, NULL, child_on_answer_line, self);
  else
    {
      self->start = g_get_monotonic_time ();
      msrp_stream_start_async (MSRP_STREAM (self->transfer), NULL, NULL, child_on_start, self);
    }
}

static void
child_setup (Child    *self,
             gboolean  tls)
{
  g_autoptr(MsrpUri) uri = msrp_uri_new ("127.0.0.1", 0, NULL, tls);

  msrp_stream_set_use_tls (MSRP_STREAM (self->transfer), tls);
  msrp_stream_set_local_uri (MSRP_STREAM (self->transfer), uri);
  g_signal_connect (self->transfer, "started", G_CALLBACK (child_on_started), self);
  g_signal_connect (self->transfer, "ended", G_CALLBACK (child_on_ended), self);
  g_signal_connect (self->transfer, "failed", G_CALLBACK (child_on_failed), self);
}

/* bench-file push FILE [--tls] | receive DIR [--tls] */
static int
child_main (int    argc,
            char **argv)
{
  Child self = { 0 };
  g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);
  gboolean tls = argc > 3 && strcmp (argv[3], "--tls") == 0;

  if (argc < 3)
    return 2;
  self.sender = strcmp (argv[1], "push") == 0;
  self.in = g_data_input_stream_new (in);
  loop = g_main_loop_new (NULL, FALSE);
  if (self.sender)
    {
      g_autoptr(GFile) file = g_file_new_for_path (argv[2]);

      self.transfer = msrp_file_transfer_new_push (file, "application/octet-stream");
      child_setup (&self, tls);
      self.hash_start = g_get_monotonic_time ();
      self.hash_cpu_us = self_cpu_us ();
      msrp_stream_initialize_async (MSRP_STREAM (self.transfer), NULL, NULL, child_on_initialized, &self);
    }
  else
    {
      /* Blocking is fine here: nothing else runs before the offer. */
      g_autofree char *line = g_data_input_stream_read_line (self.in, NULL, NULL, NULL);
      g_autoptr(MsrpSdpMedia) offer = child_parse_media (line, "offer");
      g_autoptr(GFile) dir = g_file_new_for_path (argv[2]);
      g_autoptr(GFile) file = g_file_get_child (dir, "received");
      g_autoptr(GError) error = NULL;

      self.transfer = msrp_file_transfer_new_from_offer (offer, file, &error);
      if (self.transfer == NULL)
        child_die ("receive", error);
      child_setup (&self, tls);
      self.hash_cpu_us = self_cpu_us ();
      msrp_stream_initialize_async (MSRP_STREAM (self.transfer), offer, NULL, child_on_initialized, &self);
    }
  g_main_loop_run (loop);
  g_object_unref (self.transfer);
  g_object_unref (self.in);
  g_main_loop_unref (loop);
  return EXIT_SUCCESS;
}

/* bench-file sink DIR [--tls]: the like-for-like baseline's receiver. */

typedef struct {
  MsrpServer *server;
  MsrpUri *uri;
  MsrpSession *session;
  int fd;
  gnutls_hash_hd_t sha1;
  guint64 bytes;
  gint64 total;
} Sink;

static void
sink_on_shutdown (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  msrp_session_shutdown_finish (MSRP_SESSION (source), result, NULL);
  g_main_loop_quit (loop);
}

/* Runs once the last chunk's handlers returned, so that the session has
 * queued its 200 and REPORT before it is shut down. */
static gboolean
sink_stop (gpointer user_data)
{
  Sink *self = user_data;

  msrp_session_shutdown_async (self->session, NULL, sink_on_shutdown, self);
  return G_SOURCE_REMOVE;
}

static void
sink_on_chunk_received (MsrpSession *session,
                        MsrpChunk   *chunk,
                        Sink        *self)
{
  GBytes *data = msrp_chunk_get_data (chunk);
  gsize size = 0;
  const guint8 *p = data != NULL ? g_bytes_get_data (data, &size) : NULL;
  gint64 start, total;

  msrp_chunk_get_byte_range (chunk, &start, NULL, &total);
  gnutls_hash (self->sha1, p, size);
  /* In order (one sender, one connection): appended as it comes. */
  while (size > 0)
    {
      gssize n = write (self->fd, p, size);

      if (n < 0)
        {
          g_printerr ("bench-file sink: %s\n", g_strerror (errno));
          exit (EXIT_FAILURE);
        }
      p += n;
      size -= n;
      self->bytes += n;
    }
  if (total >= 0 && self->bytes >= (guint64) total && self->total < 0)
    {
      guint8 digest[20];

      self->total = total;
      gnutls_hash_output (self->sha1, digest);
      if (close (self->fd) != 0)
        g_error ("bench-file sink: %s", g_strerror (errno));
      self->fd = -1;
      g_idle_add (sink_stop, self);
    }
}

static void
sink_on_bound (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Sink *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpTransport) transport = msrp_server_complete_finish (self->server, result, &error);

  if (transport == NULL)
    child_die ("sink", error);
  self->session = msrp_session_new (transport, NULL);
  /* Nothing is put together in memory, as a file transfer's receiver. */
  msrp_session_set_max_message_size (self->session, 0);
  g_signal_connect (self->session, "chunk-received", G_CALLBACK (sink_on_chunk_received), self);
}

static int
sink_main (int    argc,
           char **argv)
{
  Sink self = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) path = NULL;
  g_autofree char *path_string = NULL;
  g_autofree char *file = NULL;
  gboolean tls = argc > 2 && strcmp (argv[2], "--tls") == 0;

  if (argc < 2)
    return 2;
  file = g_build_filename (argv[1], "received", NULL);
  self.fd = open (file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (self.fd < 0 || gnutls_hash_init (&self.sha1, GNUTLS_DIG_SHA1) < 0)
    g_error ("bench-file sink: cannot write %s", file);
  self.total = -1;
  loop = g_main_loop_new (NULL, FALSE);
  self.server = msrp_server_new ();
  if (tls)
    {
      g_autoptr(GTlsCertificate) certificate = msrp_tls_certificate_new_self_signed ("bench-file", &error);

      if (certificate == NULL)
        child_die ("sink", error);
      msrp_server_set_tls_certificate (self.server, certificate);
    }
  self.uri = msrp_uri_new ("127.0.0.1", 0, NULL, tls);
  path = msrp_server_prepare (self.server, self.uri, &error);
  if (path == NULL)
    child_die ("sink", error);
  path_string = msrp_path_to_string (path);
  printf ("a=path:%s\n", path_string);
  if (tls)
    {
      g_autofree char *fingerprint =
        msrp_tls_certificate_get_fingerprint (msrp_server_get_tls_certificate (self.server), G_CHECKSUM_SHA256);

      printf ("a=fingerprint:%s\n", fingerprint);
    }
  fflush (stdout);
  msrp_server_complete_for_uri_async (self.server, g_ptr_array_index (path, 0), NULL, NULL, NULL,
                                      sink_on_bound, &self);
  g_main_loop_run (loop);

  printf ("stats messages=1 bytes=%" G_GUINT64_FORMAT " seconds=0 vmhwm_kb=%" G_GUINT64_FORMAT
          " cpu_us=%" G_GINT64_FORMAT "\n", self.bytes, vmhwm_kb (), self_cpu_us ());
  fflush (stdout);
  msrp_server_cleanup (self.server, self.uri);
  gnutls_hash_deinit (self.sha1, NULL);
  g_clear_object (&self.session);
  g_clear_object (&self.uri);
  g_clear_object (&self.server);
  g_main_loop_unref (loop);
  return EXIT_SUCCESS;
}

/* The parent: runs the children one pair at a time (bench-process.c). */

typedef struct {
  double seconds;        /* the transfer */
  double hash_seconds;   /* the sender's hashing (push only) */
  guint64 sender_kb;
  guint64 receiver_kb;
  double sender_cpu;     /* CPU seconds of each end, all threads; */
  double receiver_cpu;   /* the push's without its hashing */
  double hash_cpu;       /* the push's hashing */
} Figure;

/* The three things measured, in the order they run. */
enum {
  RAW,                   /* msrp send --file → msrp listen --quiet */
  DISK,                  /* msrp send --file → bench-file sink */
  TRANSFER,              /* MsrpFileTransfer push → answer */
  N_KINDS
};

/* The cpu_us that bench-file printed after the tool's own stats line. */
static double
cpu_field (const char *output)
{
  const char *p = output != NULL ? strstr (output, "cpu_us=") : NULL;

  if (p == NULL)
    g_error ("bench-file: no cpu_us in the output: %s", output != NULL ? output : "(none)");
  return g_ascii_strtoll (p + strlen ("cpu_us="), NULL, 10) / 1e6;
}

static Figure
run_transfer (const char *data_file,
              const char *tmp_dir,
              gboolean    tls)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "in", NULL);
  g_autofree char *received = g_build_filename (dir, "received", NULL);
  const char *flag = tls ? "--tls" : NULL;
  BenchChild sender = { 0 }, receiver = { 0 };
  g_autofree char *s_stats = NULL, *r_stats = NULL;
  GStatBuf st;
  Figure f = { 0 };
  gint64 end;

  g_mkdir_with_parents (dir, 0700);
  bench_child_start (&sender, "push", NULL, "push", data_file, flag, NULL);
  bench_child_start (&receiver, "receive", NULL, "receive", dir, flag, NULL);
  bench_child_swap_lines (&sender, &receiver);
  s_stats = bench_child_finish (&sender, NULL);
  r_stats = bench_child_finish (&receiver, NULL);

  if (g_stat (received, &st) != 0)
    g_error ("bench-file: nothing received");
  end = MAX (bench_stat_int (s_stats, "ended_us"), bench_stat_int (r_stats, "ended_us"));
  f.seconds = (end - bench_stat_int (s_stats, "started_us")) / 1e6;
  f.hash_seconds = (bench_stat_int (s_stats, "hash_end_us") - bench_stat_int (s_stats, "hash_start_us")) / 1e6;
  f.sender_kb = bench_stat_int (s_stats, "vmhwm_kb");
  f.receiver_kb = bench_stat_int (r_stats, "vmhwm_kb");
  f.hash_cpu = bench_stat_int (s_stats, "hash_cpu_us") / 1e6;
  f.sender_cpu = bench_stat_int (s_stats, "cpu_us") / 1e6 - f.hash_cpu;
  f.receiver_cpu = bench_stat_int (r_stats, "cpu_us") / 1e6;
  if ((guint64) bench_stat_int (r_stats, "bytes") != (guint64) st.st_size)
    g_error ("bench-file: the receiver counted %" G_GINT64_FORMAT " bytes of %" G_GUINT64_FORMAT,
             bench_stat_int (r_stats, "bytes"), (guint64) st.st_size);
  g_unlink (received);
  g_rmdir (dir);
  return f;
}

/* msrp send --file into msrp listen (as msrp-bench runs them), or into
 * bench-file sink, which writes it to disk and hashes it. */
static Figure
run_baseline (const char *data_file,
              const char *tmp_dir,
              gboolean    disk,
              gboolean    tls)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "in", NULL);
  g_autofree char *received = g_build_filename (dir, "received", NULL);
  const char *what = disk ? "sink" : "listen";
  BenchChild server = { 0 }, client = { 0 };
  g_autofree char *address = NULL, *fingerprint = NULL, *s_stats = NULL, *c_stats = NULL;
  Figure f = { 0 };

  g_mkdir_with_parents (dir, 0700);
  if (disk)
    bench_child_start (&server, what, NULL, "sink", dir, tls ? "--tls" : NULL, NULL);
  else
    bench_child_start (&server, what, NULL, "listen", "--quiet", "--stats", "--count", "1",
                       tls ? "--tls" : NULL, NULL);
  while (address == NULL || (tls && fingerprint == NULL))
    {
      g_autofree char *line = bench_child_read_line (&server);

      if (g_str_has_prefix (line, "a=path:"))
        address = g_strdup (line + strlen ("a=path:"));
      else if (g_str_has_prefix (line, "a=fingerprint:"))
        fingerprint = g_strdup (line + strlen ("a=fingerprint:"));
    }
  if (tls)
    bench_child_start (&client, "msrp send", NULL, "send", "--stats", "--to", address, "--file", data_file,
                       "--content-type", "application/octet-stream", "--success-report",
                       "--tls", "--fingerprint", fingerprint, NULL);
  else
    bench_child_start (&client, "msrp send", NULL, "send", "--stats", "--to", address, "--file", data_file,
                       "--content-type", "application/octet-stream", "--success-report", NULL);
  c_stats = bench_child_finish (&client, NULL);
  s_stats = bench_child_finish (&server, NULL);
  f.seconds = g_ascii_strtod (strstr (c_stats, "seconds=") + strlen ("seconds="), NULL);
  f.sender_kb = bench_stat_int (c_stats, "vmhwm_kb");
  f.receiver_kb = bench_stat_int (s_stats, "vmhwm_kb");
  f.sender_cpu = cpu_field (c_stats);
  f.receiver_cpu = cpu_field (s_stats);
  g_unlink (received);
  g_rmdir (dir);
  return f;
}

typedef struct {
  double best, median;          /* seconds */
  double sender_cpu, receiver_cpu, hash_cpu;   /* medians, per GiB */
  double hash_best, hash_median;
  guint64 sender_kb, receiver_kb;
} Summary;

static Summary
summarize (const Figure *figures,
           guint         runs,
           guint64       size)
{
  double gib = size / (1024.0 * 1024.0 * 1024.0), unused;
  Summary s = { 0 };

  bench_best_median (figures, sizeof (Figure), runs, G_STRUCT_OFFSET (Figure, seconds), &s.best, &s.median);
  bench_best_median (figures, sizeof (Figure), runs, G_STRUCT_OFFSET (Figure, hash_seconds), &s.hash_best, &s.hash_median);
  bench_best_median (figures, sizeof (Figure), runs, G_STRUCT_OFFSET (Figure, sender_cpu), &unused, &s.sender_cpu);
  bench_best_median (figures, sizeof (Figure), runs, G_STRUCT_OFFSET (Figure, receiver_cpu), &unused, &s.receiver_cpu);
  bench_best_median (figures, sizeof (Figure), runs, G_STRUCT_OFFSET (Figure, hash_cpu), &unused, &s.hash_cpu);
  s.sender_cpu /= gib;
  s.receiver_cpu /= gib;
  s.hash_cpu /= gib;
  for (guint i = 0; i < runs; i++)
    {
      s.sender_kb = MAX (s.sender_kb, figures[i].sender_kb);
      s.receiver_kb = MAX (s.receiver_kb, figures[i].receiver_kb);
    }
  return s;
}

static void
report (gboolean      json,
        gboolean      tls,
        guint64       size,
        Figure        figures[N_KINDS][MAX_RUNS],
        guint         runs)
{
  static const char * const names[N_KINDS] = { "send_raw", "send_disk", "file_transfer" };
  static const char * const labels[N_KINDS] = {
    "msrp send → listen:", "msrp send → disk+sha-1:", "MsrpFileTransfer push:"
  };
  static const char * const ends[N_KINDS][2] = { { "send", "listen" }, { "send", "sink" }, { "push", "receive" } };
  double mib = size / (1024.0 * 1024.0);
  Summary s[N_KINDS];
  const Summary *ft = &s[TRANSFER];

  for (guint k = 0; k < N_KINDS; k++)
    s[k] = summarize (figures[k], runs, size);
  if (json)
    {
      printf ("{\"tls\": %s, \"bytes\": %" G_GUINT64_FORMAT ", \"runs\": %u", tls ? "true" : "false", size, runs);
      for (guint k = 0; k < N_KINDS; k++)
        printf (", \"%s_mib_s_best\": %.1f, \"%s_mib_s_median\": %.1f, "
                "\"%s_sender_cpu_s_per_gib\": %.3f, \"%s_receiver_cpu_s_per_gib\": %.3f, "
                "\"%s_sender_vmhwm_kb\": %" G_GUINT64_FORMAT ", \"%s_receiver_vmhwm_kb\": %" G_GUINT64_FORMAT,
                names[k], mib / s[k].best, names[k], mib / s[k].median,
                names[k], s[k].sender_cpu, names[k], s[k].receiver_cpu,
                names[k], s[k].sender_kb, names[k], s[k].receiver_kb);
      printf (", \"ratio_raw_best\": %.3f, \"ratio_raw_median\": %.3f"
              ", \"ratio_disk_best\": %.3f, \"ratio_disk_median\": %.3f"
              ", \"hash_seconds_best\": %.3f, \"hash_seconds_median\": %.3f, \"hash_cpu_s_per_gib\": %.3f}\n",
              s[RAW].best / ft->best, s[RAW].median / ft->median,
              s[DISK].best / ft->best, s[DISK].median / ft->median,
              ft->hash_best, ft->hash_median, ft->hash_cpu);
    }
  else
    {
      printf ("%s, %.0f MiB, %u runs (best / median; CPU: median, user + system, all threads):\n",
              tls ? "TLS" : "TCP", mib, runs);
      for (guint k = 0; k < N_KINDS; k++)
        printf ("  %-24s %7.1f / %7.1f MiB/s  CPU/GiB %s %.2f s, %s %.2f s  RSS %.1f / %.1f MiB\n",
                labels[k], mib / s[k].best, mib / s[k].median, ends[k][0], s[k].sender_cpu,
                ends[k][1], s[k].receiver_cpu, s[k].sender_kb / 1024.0, s[k].receiver_kb / 1024.0);
      printf ("  transfer / send → listen: %5.0f / %5.0f %%   (listen neither writes nor hashes)\n",
              100 * s[RAW].best / ft->best, 100 * s[RAW].median / ft->median);
      printf ("  transfer / send → disk:   %5.0f / %5.0f %%\n",
              100 * s[DISK].best / ft->best, 100 * s[DISK].median / ft->median);
      printf ("  hash before the offer:    %7.3f / %7.3f s (%.0f MiB/s, CPU/GiB %.2f s; not in the transfer's)\n",
              ft->hash_best, ft->hash_median, mib / ft->hash_best, ft->hash_cpu);
    }
  fflush (stdout);
}

static void
write_data_file (const char *path,
                 guint64     size)
{
  g_autoptr(GRand) rand = g_rand_new ();
  g_autofree guint8 *buffer = g_malloc (1024 * 1024);
  FILE *out = fopen (path, "wb");

  if (out == NULL)
    g_error ("bench-file: cannot write %s", path);
  for (guint64 left = size; left > 0;)
    {
      gsize n = MIN (left, 1024 * 1024);

      fill_random (rand, buffer, n);
      if (fwrite (buffer, 1, n, out) != n)
        g_error ("bench-file: cannot write %s", path);
      left -= n;
    }
  if (fclose (out) != 0)
    g_error ("bench-file: cannot write %s", path);
}

/* The tool's listen and send, followed by their CPU time. */
static int
run_tool (const Command *command,
          int            argc,
          char         **argv)
{
  int status = command->run (argc, argv);

  printf ("cpu_us=%" G_GINT64_FORMAT "\n", self_cpu_us ());
  fflush (stdout);
  return status;
}

int
main (int    argc,
      char **argv)
{
  gboolean json = FALSE, quick = FALSE, no_tls = FALSE;
  guint64 size = 0;
  guint runs = 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *data_file = NULL;

  setlocale (LC_ALL, "");
  program_name = "bench-file";
  if (argc > 1 && strcmp (argv[1], "listen") == 0)
    return run_tool (&listen_command, argc - 1, argv + 1);
  if (argc > 1 && strcmp (argv[1], "send") == 0)
    return run_tool (&send_command, argc - 1, argv + 1);
  if (argc > 1 && strcmp (argv[1], "sink") == 0)
    return sink_main (argc - 1, argv + 1);
  if (argc > 1 && (strcmp (argv[1], "push") == 0 || strcmp (argv[1], "receive") == 0))
    return child_main (argc, argv);

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        json = TRUE;
      else if (strcmp (argv[i], "--quick") == 0)
        quick = TRUE;
      else if (strcmp (argv[i], "--no-tls") == 0)
        no_tls = TRUE;
      else if (strcmp (argv[i], "--size") == 0 && i + 1 < argc && parse_size ("--size", argv[i + 1], &size))
        i++;
      else if (strcmp (argv[i], "--runs") == 0 && i + 1 < argc)
        {
          /* Not inside CLAMP: it evaluates its argument more than once. */
          int n = atoi (argv[++i]);

          runs = CLAMP (n, 1, MAX_RUNS);
        }
      else
        {
          fprintf (stderr, "usage: %s [--json] [--quick] [--no-tls] [--size B] [--runs N]\n", argv[0]);
          return 2;
        }
    }
  if (size == 0)
    size = quick ? 16 << 20 : G_GUINT64_CONSTANT (1) << 30;
  if (runs == 0)
    runs = quick ? 1 : 3;

  bench_process_init ("bench-file", argv[0]);
  tmp_dir = g_dir_make_tmp ("bench-file-XXXXXX", &error);
  if (tmp_dir == NULL)
    g_error ("bench-file: %s", error->message);
  data_file = g_build_filename (tmp_dir, "data", NULL);
  write_data_file (data_file, size);
  /* The parent blocks on its children: a stuck run ends with SIGALRM. */
  alarm (RUN_TIMEOUT_SECONDS * runs * 6);

  for (guint t = 0; t < (no_tls ? 1 : 2); t++)
    {
      Figure figures[N_KINDS][MAX_RUNS];

      for (guint i = 0; i < runs; i++)
        {
          figures[RAW][i] = run_baseline (data_file, tmp_dir, FALSE, t == 1);
          figures[DISK][i] = run_baseline (data_file, tmp_dir, TRUE, t == 1);
          figures[TRANSFER][i] = run_transfer (data_file, tmp_dir, t == 1);
        }
      report (json, t == 1, size, figures, runs);
    }
  g_unlink (data_file);
  g_rmdir (tmp_dir);
  return EXIT_SUCCESS;
}
