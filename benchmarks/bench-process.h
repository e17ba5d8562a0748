/* bench-process.h: the benchmarks' child processes and their figures
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The benchmarks that give each end of a run a process of its own (chat,
 * file, tunnel, sessions) spawn their own executable, swap a line (SDP or
 * paths) over the children's standard input and output, reap them with
 * wait4() for their CPU time and print best and median of interleaved
 * rounds; --perf runs a child under `perf record` with DWARF unwinding.
 */

#pragma once

#include <gio/gio.h>

#include "msrp-glib.h"

G_BEGIN_DECLS

/* A child process of the benchmark, its standard input and output piped. */
typedef struct {
  GPid pid;
  const char *what;
  GOutputStream *stdin_pipe;
  GDataInputStream *stdout_pipe;
} BenchChild;

void bench_process_init (const char *program,
                         const char *argv0);
void bench_process_set_perf_dir (const char *dir);

void bench_child_start (BenchChild *child,
                        const char *what,
                        const char *perf_output,
                        ...) G_GNUC_NULL_TERMINATED;
char *bench_child_read_line (BenchChild *child);
void bench_child_write_line (BenchChild *child,
                             const char *line);
void bench_child_swap_lines (BenchChild *offerer,
                             BenchChild *answerer);
char *bench_child_finish (BenchChild *child,
                          double     *cpu);

double bench_cpu_seconds (void);
void bench_wait_for (gboolean *flag);

void bench_print_media (const char   *what,
                        MsrpSdpMedia *media);
MsrpSdpMedia *bench_parse_media (const char  *line,
                                 const char  *what,
                                 GError     **error);

gint64 bench_stat_int (const char *output,
                       const char *key);
double bench_stat_double (const char *output,
                          const char *key);

void bench_best_median (gconstpointer records,
                        gsize         record_size,
                        guint         n,
                        gsize         offset,
                        double       *best,
                        double       *median);

G_END_DECLS
