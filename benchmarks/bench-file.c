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
 * baseline. The sender hashes the file before it offers it: that time is
 * reported apart, and the transfer's time runs from the sender's stream
 * started (connected, as `msrp send` counts from its connection) to the
 * later of the two ends' "ended". Runs alternate (baseline, transfer) so
 * that both see the same load; the best and the median are printed.
 * Options: --quick (16 MiB, 1 run), --size B (default 1G), --runs N
 * (default 3), --no-tls, --json.
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>

#include "msrp-tool-private.h"

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

static void G_GNUC_NORETURN
child_die (const char   *what,
           const GError *error)
{
  g_printerr ("bench-file %s: %s\n", what, error != NULL ? error->message : "failed");
  exit (EXIT_FAILURE);
}

static void
child_print_media (const char   *what,
                   MsrpSdpMedia *media)
{
  g_autofree char *sdp = msrp_sdp_media_to_string (media);
  g_autofree char *line = g_base64_encode ((const guchar *) sdp, strlen (sdp));

  printf ("%s %s\n", what, line);
  fflush (stdout);
}

static MsrpSdpMedia *
child_parse_media (const char *line,
                   const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree guchar *sdp = NULL;
  gsize len;
  MsrpSdpMedia *media;

  if (line == NULL || !g_str_has_prefix (line, what) || line[strlen (what)] != ' ')
    child_die ("media", NULL);
  sdp = g_base64_decode (line + strlen (what) + 1, &len);
  sdp = g_realloc (sdp, len + 1);
  sdp[len] = '\0';
  media = msrp_sdp_media_parse ((const char *) sdp, &error);
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
          " ended_us=%" G_GINT64_FORMAT " bytes=%" G_GINT64_FORMAT " vmhwm_kb=%" G_GUINT64_FORMAT "\n",
          self->hash_start, self->hash_end, self->start, self->started, self->ended,
          msrp_file_transfer_get_bytes_transferred (self->transfer), vmhwm_kb ());
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
  child_print_media (self->sender ? "offer" : "answer", media);
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
      msrp_stream_initialize_async (MSRP_STREAM (self.transfer), offer, NULL, child_on_initialized, &self);
    }
  g_main_loop_run (loop);
  g_object_unref (self.transfer);
  g_object_unref (self.in);
  g_main_loop_unref (loop);
  return EXIT_SUCCESS;
}

/* The parent: runs the children one pair at a time, blocking (it does
 * nothing else meanwhile). */

typedef struct {
  double seconds;        /* the transfer */
  double hash_seconds;   /* the sender's hashing (push only) */
  guint64 sender_kb;
  guint64 receiver_kb;
  double cpu_seconds;    /* of both ends, hashing included */
} Figure;

static const char *self_exe;

/* Both ends' CPU time: steadier than the wall clock on a loaded machine.
 * GSubprocess reaps the children, so they count in RUSAGE_CHILDREN. */
static double
children_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_CHILDREN, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static gint64
stat_field (const char *output,
            const char *key)
{
  g_autofree char *needle = g_strdup_printf (" %s=", key);
  const char *stats = output != NULL ? strstr (output, "stats ") : NULL;
  const char *p = stats != NULL ? strstr (stats, needle) : NULL;

  if (p == NULL)
    g_error ("bench-file: no %s in the output: %s", key, output != NULL ? output : "(none)");
  return g_ascii_strtoll (p + strlen (needle), NULL, 10);
}

static char *
read_line (GDataInputStream *in,
           const char       *what)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line (in, NULL, NULL, &error);

  if (line == NULL)
    g_error ("bench-file: %s printed nothing: %s", what, error != NULL ? error->message : "end of output");
  return line;
}

static char *
finish (GSubprocess *process,
        GInputStream *rest,
        const char  *what)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  if (g_output_stream_splice (out, rest, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error) < 0 ||
      !g_subprocess_wait_check (process, NULL, &error))
    g_error ("bench-file: %s: %s", what, error->message);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

static void
write_line (GSubprocess *process,
            const char  *line)
{
  GOutputStream *in = g_subprocess_get_stdin_pipe (process);
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all (in, line, strlen (line), NULL, NULL, &error) ||
      !g_output_stream_write_all (in, "\n", 1, NULL, NULL, &error) ||
      !g_output_stream_flush (in, NULL, &error))
    g_error ("bench-file: %s", error->message);
}

static Figure
run_transfer (const char *data_file,
              const char *tmp_dir,
              gboolean    tls)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "in", NULL);
  g_autofree char *received = g_build_filename (dir, "received", NULL);
  const char *flag = tls ? "--tls" : NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) sender = NULL;
  g_autoptr(GSubprocess) receiver = NULL;
  g_autoptr(GDataInputStream) sender_out = NULL;
  g_autoptr(GDataInputStream) receiver_out = NULL;
  g_autofree char *offer = NULL, *answer = NULL, *s_stats = NULL, *r_stats = NULL;
  GStatBuf st;
  Figure f = { 0 };
  gint64 end;

  double cpu = children_cpu_seconds ();

  g_mkdir_with_parents (dir, 0700);
  sender = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             self_exe, "push", data_file, flag, NULL);
  receiver = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                               self_exe, "receive", dir, flag, NULL);
  if (sender == NULL || receiver == NULL)
    g_error ("bench-file: %s", error->message);
  sender_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sender));
  receiver_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (receiver));
  offer = read_line (sender_out, "push");
  write_line (receiver, offer);
  answer = read_line (receiver_out, "receive");
  write_line (sender, answer);
  s_stats = finish (sender, G_INPUT_STREAM (sender_out), "push");
  r_stats = finish (receiver, G_INPUT_STREAM (receiver_out), "receive");

  if (g_stat (received, &st) != 0)
    g_error ("bench-file: nothing received");
  f.cpu_seconds = children_cpu_seconds () - cpu;
  end = MAX (stat_field (s_stats, "ended_us"), stat_field (r_stats, "ended_us"));
  f.seconds = (end - stat_field (s_stats, "started_us")) / 1e6;
  f.hash_seconds = (stat_field (s_stats, "hash_end_us") - stat_field (s_stats, "hash_start_us")) / 1e6;
  f.sender_kb = stat_field (s_stats, "vmhwm_kb");
  f.receiver_kb = stat_field (r_stats, "vmhwm_kb");
  if ((guint64) stat_field (r_stats, "bytes") != (guint64) st.st_size)
    g_error ("bench-file: the receiver counted %" G_GINT64_FORMAT " bytes of %" G_GUINT64_FORMAT,
             stat_field (r_stats, "bytes"), (guint64) st.st_size);
  g_unlink (received);
  g_rmdir (dir);
  return f;
}

/* msrp listen and msrp send --file, as msrp-bench runs them. */
static Figure
run_baseline (const char *data_file,
              gboolean    tls)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) client = NULL;
  g_autoptr(GDataInputStream) server_out = NULL;
  g_autofree char *address = NULL, *fingerprint = NULL, *s_stats = NULL, *c_stats = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  Figure f = { 0 };
  double cpu = children_cpu_seconds ();

  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self_exe, "listen", "--quiet",
                             "--stats", "--count", "1", tls ? "--tls" : NULL, NULL);
  if (server == NULL)
    g_error ("bench-file: %s", error->message);
  server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  while (address == NULL || (tls && fingerprint == NULL))
    {
      g_autofree char *line = read_line (server_out, "listen");

      if (g_str_has_prefix (line, "a=path:"))
        address = g_strdup (line + strlen ("a=path:"));
      else if (g_str_has_prefix (line, "a=fingerprint:"))
        fingerprint = g_strdup (line + strlen ("a=fingerprint:"));
    }
  g_strv_builder_add_many (builder, self_exe, "send", "--stats", "--to", address, "--file", data_file,
                           "--content-type", "application/octet-stream", "--success-report", NULL);
  if (tls)
    g_strv_builder_add_many (builder, "--tls", "--fingerprint", fingerprint, NULL);
  args = g_strv_builder_end (builder);
  client = g_subprocess_newv ((const char * const *) args, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (client == NULL || !g_subprocess_communicate_utf8 (client, NULL, NULL, &c_stats, NULL, &error) ||
      !g_subprocess_get_successful (client))
    g_error ("bench-file: msrp send: %s", error != NULL ? error->message : "failed");
  s_stats = finish (server, G_INPUT_STREAM (server_out), "listen");
  f.cpu_seconds = children_cpu_seconds () - cpu;
  f.seconds = g_ascii_strtod (strstr (c_stats, "seconds=") + strlen ("seconds="), NULL);
  f.sender_kb = stat_field (c_stats, "vmhwm_kb");
  f.receiver_kb = stat_field (s_stats, "vmhwm_kb");
  return f;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Best and median of a figure of the runs. */
static void
best_median (const Figure *figures,
             guint         n,
             gsize         offset,
             gboolean      low_is_best,
             double       *best,
             double       *median)
{
  double values[MAX_RUNS];

  for (guint i = 0; i < n; i++)
    values[i] = *(const double *) ((const char *) &figures[i] + offset);
  qsort (values, n, sizeof (double), compare_doubles);
  *best = low_is_best ? values[0] : values[n - 1];
  *median = values[n / 2];
}

static void
report (gboolean      json,
        gboolean      tls,
        guint64       size,
        const Figure *ft,
        const Figure *base,
        guint         runs)
{
  double ft_best, ft_median, base_best, base_median, hash_best, hash_median;
  double ft_cpu, ft_cpu_median, base_cpu, base_cpu_median;
  guint64 ft_s_kb = 0, ft_r_kb = 0, base_s_kb = 0, base_r_kb = 0;
  double mib = size / (1024.0 * 1024.0);

  best_median (ft, runs, G_STRUCT_OFFSET (Figure, seconds), TRUE, &ft_best, &ft_median);
  best_median (base, runs, G_STRUCT_OFFSET (Figure, seconds), TRUE, &base_best, &base_median);
  best_median (ft, runs, G_STRUCT_OFFSET (Figure, hash_seconds), TRUE, &hash_best, &hash_median);
  best_median (ft, runs, G_STRUCT_OFFSET (Figure, cpu_seconds), TRUE, &ft_cpu, &ft_cpu_median);
  best_median (base, runs, G_STRUCT_OFFSET (Figure, cpu_seconds), TRUE, &base_cpu, &base_cpu_median);
  for (guint i = 0; i < runs; i++)
    {
      ft_s_kb = MAX (ft_s_kb, ft[i].sender_kb);
      ft_r_kb = MAX (ft_r_kb, ft[i].receiver_kb);
      base_s_kb = MAX (base_s_kb, base[i].sender_kb);
      base_r_kb = MAX (base_r_kb, base[i].receiver_kb);
    }
  if (json)
    printf ("{\"tls\": %s, \"bytes\": %" G_GUINT64_FORMAT ", \"runs\": %u, "
            "\"file_transfer_mib_s_best\": %.1f, \"file_transfer_mib_s_median\": %.1f, "
            "\"msrp_send_mib_s_best\": %.1f, \"msrp_send_mib_s_median\": %.1f, "
            "\"ratio_best\": %.3f, \"ratio_median\": %.3f, "
            "\"hash_seconds_best\": %.3f, \"hash_seconds_median\": %.3f, "
            "\"file_transfer_cpu_seconds_best\": %.3f, \"msrp_send_cpu_seconds_best\": %.3f, "
            "\"push_vmhwm_kb\": %" G_GUINT64_FORMAT ", \"receive_vmhwm_kb\": %" G_GUINT64_FORMAT ", "
            "\"send_vmhwm_kb\": %" G_GUINT64_FORMAT ", \"listen_vmhwm_kb\": %" G_GUINT64_FORMAT "}\n",
            tls ? "true" : "false", size, runs,
            mib / ft_best, mib / ft_median, mib / base_best, mib / base_median,
            base_best / ft_best, base_median / ft_median, hash_best, hash_median,
            ft_cpu, base_cpu,
            ft_s_kb, ft_r_kb, base_s_kb, base_r_kb);
  else
    {
      printf ("%s, %.0f MiB, %u runs (best / median):\n", tls ? "TLS" : "TCP", mib, runs);
      printf ("  MsrpFileTransfer push:   %7.1f / %7.1f MiB/s   RSS push %6.1f MiB, receive %6.1f MiB\n",
              mib / ft_best, mib / ft_median, ft_s_kb / 1024.0, ft_r_kb / 1024.0);
      printf ("  msrp send --file:        %7.1f / %7.1f MiB/s   RSS send %6.1f MiB, listen %6.1f MiB\n",
              mib / base_best, mib / base_median, base_s_kb / 1024.0, base_r_kb / 1024.0);
      printf ("  transfer / send:         %7.0f / %7.0f %%\n",
              100 * base_best / ft_best, 100 * base_median / ft_median);
      printf ("  CPU of both ends:        %7.2f / %7.2f s transfer (hash included), %.2f / %.2f s send\n",
              ft_cpu, ft_cpu_median, base_cpu, base_cpu_median);
      printf ("  hash before the offer:   %7.3f / %7.3f s (%.0f MiB/s; not in the transfer's time)\n",
              hash_best, hash_median, mib / hash_best);
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
    return listen_command.run (argc - 1, argv + 1);
  if (argc > 1 && strcmp (argv[1], "send") == 0)
    return send_command.run (argc - 1, argv + 1);
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

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self_exe == NULL)
    self_exe = argv[0];
  tmp_dir = g_dir_make_tmp ("bench-file-XXXXXX", &error);
  if (tmp_dir == NULL)
    g_error ("bench-file: %s", error->message);
  data_file = g_build_filename (tmp_dir, "data", NULL);
  write_data_file (data_file, size);
  /* The parent blocks on its children: a stuck run ends with SIGALRM. */
  alarm (RUN_TIMEOUT_SECONDS * runs * 4);

  for (guint t = 0; t < (no_tls ? 1 : 2); t++)
    {
      Figure ft[MAX_RUNS], base[MAX_RUNS];

      for (guint i = 0; i < runs; i++)
        {
          base[i] = run_baseline (data_file, t == 1);
          ft[i] = run_transfer (data_file, tmp_dir, t == 1);
        }
      report (json, t == 1, size, ft, base, runs);
    }
  g_unlink (data_file);
  g_rmdir (tmp_dir);
  return EXIT_SUCCESS;
}
