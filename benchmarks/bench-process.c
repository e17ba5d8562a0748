/* bench-process.c: the benchmarks' child processes and their figures
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The parent runs its children one pair at a time, blocking (it does
 * nothing else meanwhile); each is reaped with wait4() for its CPU time.
 */

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#include "bench-process.h"

static const char *program = "bench";
static char *self_exe;
static const char *perf_dir;

/* @program prefixes the messages; the children run this very executable. */
void
bench_process_init (const char *name,
                    const char *argv0)
{
  program = name;
  g_free (self_exe);
  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self_exe == NULL)
    self_exe = g_strdup (argv0);
}

/* Where bench_child_start() puts its perf_output files. */
void
bench_process_set_perf_dir (const char *dir)
{
  perf_dir = dir;
}

/* Starts this executable with the arguments after @perf_output (up to a
 * NULL); under `perf record` into perf_output in the perf directory unless
 * @perf_output is NULL. */
void
bench_child_start (BenchChild *child,
                   const char *what,
                   const char *perf_output,
                   ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  g_autoptr(GInputStream) base = NULL;
  const char *arg;
  int in_fd, out_fd;
  va_list ap;

  if (perf_output != NULL)
    {
      output = g_build_filename (perf_dir != NULL ? perf_dir : ".", perf_output, NULL);
      g_ptr_array_add (args, "perf");
      g_ptr_array_add (args, "record");
      g_ptr_array_add (args, "-q");
      /* Stacks unwound from a copy: GLib has no frame pointers. */
      g_ptr_array_add (args, "--call-graph=dwarf,16384");
      g_ptr_array_add (args, "-F");
      g_ptr_array_add (args, "999");
      g_ptr_array_add (args, "-o");
      g_ptr_array_add (args, output);
      g_ptr_array_add (args, "--");
    }
  g_ptr_array_add (args, self_exe);
  va_start (ap, perf_output);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  child->what = what;
  if (!g_spawn_async_with_pipes (NULL, (char **) args->pdata, NULL,
                                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 &child->pid, &in_fd, &out_fd, NULL, &error))
    g_error ("%s: %s: %s", program, what, error->message);
  base = g_unix_input_stream_new (out_fd, TRUE);
  child->stdin_pipe = g_unix_output_stream_new (in_fd, TRUE);
  child->stdout_pipe = g_data_input_stream_new (base);
}

char *
bench_child_read_line (BenchChild *child)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line (child->stdout_pipe, NULL, NULL, &error);

  if (line == NULL)
    g_error ("%s: %s printed nothing: %s", program, child->what,
             error != NULL ? error->message : "end of output");
  return line;
}

void
bench_child_write_line (BenchChild *child,
                        const char *line)
{
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all (child->stdin_pipe, line, strlen (line), NULL, NULL, &error) ||
      !g_output_stream_write_all (child->stdin_pipe, "\n", 1, NULL, NULL, &error))
    g_error ("%s: %s: %s", program, child->what, error->message);
}

/* The offer and answer of a pair of ends: @offerer's first line to
 * @answerer, and @answerer's first line back. */
void
bench_child_swap_lines (BenchChild *offerer,
                        BenchChild *answerer)
{
  g_autofree char *offer = bench_child_read_line (offerer);
  g_autofree char *answer = NULL;

  bench_child_write_line (answerer, offer);
  answer = bench_child_read_line (answerer);
  bench_child_write_line (offerer, answer);
}

/* Closes the child's standard input, reads the rest of its output and
 * reaps it: returns the output, and the child's CPU seconds (user + system,
 * all threads) in @cpu unless it is NULL. A child that fails is fatal. */
char *
bench_child_finish (BenchChild *child,
                    double     *cpu)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  struct rusage usage;
  int status;

  g_output_stream_close (child->stdin_pipe, NULL, NULL);
  if (g_output_stream_splice (out, G_INPUT_STREAM (child->stdout_pipe),
                              G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE, NULL, &error) < 0 ||
      /* A NUL at the end: the output is read as a string. */
      !g_output_stream_write_all (out, "", 1, NULL, NULL, &error) ||
      !g_output_stream_close (out, NULL, &error))
    g_error ("%s: %s: %s", program, child->what, error->message);
  while (wait4 (child->pid, &status, 0, &usage) < 0)
    if (errno != EINTR)
      g_error ("%s: %s: %s", program, child->what, g_strerror (errno));
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("%s: %s failed", program, child->what);
  g_spawn_close_pid (child->pid);
  g_clear_object (&child->stdin_pipe);
  g_clear_object (&child->stdout_pipe);
  if (cpu != NULL)
    *cpu = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

/* This process's CPU seconds, user + system, all threads. */
double
bench_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* Iterates the default main context until *@flag; the callers arm a
 * timeout that ends the process. */
void
bench_wait_for (gboolean *flag)
{
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
}

/* Prints "WHAT BASE64-SDP", one line, to standard output. */
void
bench_print_media (const char   *what,
                   MsrpSdpMedia *media)
{
  g_autofree char *sdp = msrp_sdp_media_to_string (media);
  g_autofree char *line = g_base64_encode ((const guchar *) sdp, strlen (sdp));

  printf ("%s %s\n", what, line);
  fflush (stdout);
}

/* Parses a line that bench_print_media() printed with @what. */
MsrpSdpMedia *
bench_parse_media (const char  *line,
                   const char  *what,
                   GError     **error)
{
  g_autofree guchar *sdp = NULL;
  gsize len;

  if (line == NULL || !g_str_has_prefix (line, what) || line[strlen (what)] != ' ')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no %s line", what);
      return NULL;
    }
  sdp = g_base64_decode (line + strlen (what) + 1, &len);
  sdp = g_realloc (sdp, len + 1);
  sdp[len] = '\0';
  return msrp_sdp_media_parse ((const char *) sdp, error);
}

/* The value of " KEY=" in the child's "stats " line. */
static const char *
stat_value (const char *output,
            const char *key)
{
  g_autofree char *needle = g_strdup_printf (" %s=", key);
  const char *stats = output != NULL ? strstr (output, "stats ") : NULL;
  const char *p = stats != NULL ? strstr (stats, needle) : NULL;

  if (p == NULL)
    g_error ("%s: no %s in the output: %s", program, key, output != NULL ? output : "(none)");
  return p + strlen (needle);
}

gint64
bench_stat_int (const char *output,
                const char *key)
{
  return g_ascii_strtoll (stat_value (output, key), NULL, 10);
}

double
bench_stat_double (const char *output,
                   const char *key)
{
  return g_ascii_strtod (stat_value (output, key), NULL);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Best (lowest) and median of the double at @offset in @n records of
 * @record_size bytes each; sorts a copy. */
void
bench_best_median (gconstpointer records,
                   gsize         record_size,
                   guint         n,
                   gsize         offset,
                   double       *best,
                   double       *median)
{
  g_autofree double *values = g_new (double, MAX (n, 1));

  g_return_if_fail (n > 0);
  for (guint i = 0; i < n; i++)
    memcpy (&values[i], (const char *) records + i * record_size + offset, sizeof (double));
  qsort (values, n, sizeof (double), compare_doubles);
  *best = values[0];
  *median = values[n / 2];
}
