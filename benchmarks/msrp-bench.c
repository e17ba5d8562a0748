/* msrp-bench.c: loopback benchmarks of msrp send and msrp listen, each
 * beside a raw TCP (or TLS) socket pair moving the same traffic
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each side of each run is a process of this very program: `msrp-bench
 * listen` and `msrp-bench send` are the msrp tool's own commands, linked in,
 * and `msrp-bench tcp-sink` and `tcp-source` the baseline (bench-tcp.c).
 * Options: --json for one JSON object on stdout, --quick for a short run;
 * see --help.
 */

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "msrp-bench-private.h"

static int cmd_bench (int argc, char **argv);

typedef enum {
  SCENARIO_PIPELINED,
  SCENARIO_ONE_AT_A_TIME,
  SCENARIO_FILE,
} ScenarioKind;

#define BENCH_MESSAGE_SIZE 100
#define BENCH_WINDOW 256
#define ONE_AT_A_TIME_ROUNDS 4
/* The longest one run of one side may take. */
#define BENCH_RUN_TIMEOUT 900

typedef struct {
  gboolean ok;
  double seconds;
  guint64 messages;
  guint64 bytes;
  guint64 client_vmhwm_kb;
  guint64 server_vmhwm_kb;
} BenchResult;

typedef struct {
  const char *id;
  char *name;
  ScenarioKind kind;
  gboolean tls;
  gboolean websocket;    /* msrp over WebSocket (RFC 7977), not over TCP */
  const char *tcp_id;    /* for websocket: the same traffic over MSRP/TCP */
  guint64 count;         /* messages of a round; for a file, its size */
  guint rounds;          /* msrp and raw TCP take turns, and add up */
  BenchResult msrp;
  BenchResult raw;
} Scenario;

typedef struct _Bench Bench;

/* One run: a server process (msrp listen, or the raw sink) and a client
 * process (msrp send, or the raw source). */
typedef struct {
  Bench *bench;
  Scenario *scenario;
  gboolean raw;
  GSubprocess *server;
  GSubprocess *client;
  GDataInputStream *server_out;
  GOutputStream *server_rest;
  char *address;
  char *fingerprint;
  char *client_stdout;
  guint running;         /* operations whose callback has not run yet */
  GSource *timer;
  GError *error;
} BenchRun;

struct _Bench {
  char *self_exe;
  GPtrArray *scenarios;  /* (element-type Scenario) */
  guint scenario_index;
  guint step;            /* in the scenario: round * 2 + (0: msrp, 1: raw TCP) */
  guint64 file_size;
  char *tmp_dir;
  char *data_file;
  gboolean json;
  gboolean quick;
};

static void
scenario_free (gpointer data)
{
  Scenario *scenario = data;

  g_free (scenario->name);
  g_free (scenario);
}

static void bench_next (Bench *self);

static void
bench_run_free (BenchRun *run)
{
  if (run->timer != NULL)
    {
      g_source_destroy (run->timer);
      g_source_unref (run->timer);
    }
  g_clear_object (&run->server);
  g_clear_object (&run->client);
  g_clear_object (&run->server_out);
  g_clear_object (&run->server_rest);
  g_free (run->address);
  g_free (run->fingerprint);
  g_free (run->client_stdout);
  g_clear_error (&run->error);
  g_free (run);
}

/* Ends the run with an error: both processes are killed, and the bench fails
 * once every callback has come back. */
static void
bench_run_error (BenchRun *run,
                 GError   *error)
{
  if (run->error == NULL)
    run->error = error;
  else
    g_error_free (error);
  if (run->server != NULL)
    g_subprocess_force_exit (run->server);
  if (run->client != NULL)
    g_subprocess_force_exit (run->client);
}

static gboolean
bench_run_on_timeout (gpointer user_data)
{
  BenchRun *run = user_data;

  g_clear_pointer (&run->timer, g_source_unref);
  bench_run_error (run, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                     _("did not finish within %d s"), BENCH_RUN_TIMEOUT));
  return G_SOURCE_REMOVE;
}

/* Reads "stats key=value ..." from a process's output. */
static gboolean
parse_stats (const char *output,
             guint64    *messages,
             guint64    *bytes,
             double     *seconds,
             guint64    *vmhwm_kb)
{
  g_auto(GStrv) lines = g_strsplit (output != NULL ? output : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;

      if (!g_str_has_prefix (lines[i], STATS_PREFIX))
        continue;
      fields = g_strsplit (lines[i] + strlen (STATS_PREFIX), " ", -1);
      for (guint j = 0; fields[j] != NULL; j++)
        {
          const char *value = strchr (fields[j], '=');

          if (value == NULL)
            continue;
          value++;
          if (g_str_has_prefix (fields[j], "messages="))
            *messages = g_ascii_strtoull (value, NULL, 10);
          else if (g_str_has_prefix (fields[j], "bytes="))
            *bytes = g_ascii_strtoull (value, NULL, 10);
          else if (g_str_has_prefix (fields[j], "seconds="))
            *seconds = g_ascii_strtod (value, NULL);
          else if (g_str_has_prefix (fields[j], "vmhwm_kb="))
            *vmhwm_kb = g_ascii_strtoull (value, NULL, 10);
        }
      return TRUE;
    }
  return FALSE;
}

static const char *
bench_run_what (BenchRun *run)
{
  return run->raw ? _("raw TCP") : "msrp";
}

static void
bench_run_check_done (BenchRun *run)
{
  Bench *self = run->bench;
  BenchResult *total = run->raw ? &run->scenario->raw : &run->scenario->msrp;
  BenchResult one = { 0 }, *result = &one;
  g_autofree char *server_output = NULL;
  guint64 server_messages = 0, server_bytes = 0;
  double server_seconds = 0;

  if (--run->running > 0)
    return;

  if (run->error != NULL)
    {
      print_error ("%s, %s: %s", run->scenario->name, bench_run_what (run), run->error->message);
      exit_status = EXIT_FAILURE;
      bench_run_free (run);
      g_main_loop_quit (loop);
      return;
    }

  server_output = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (run->server_rest)),
                             g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (run->server_rest)));
  if (!parse_stats (run->client_stdout, &result->messages, &result->bytes, &result->seconds,
                    &result->client_vmhwm_kb) ||
      !parse_stats (server_output, &server_messages, &server_bytes, &server_seconds,
                    &result->server_vmhwm_kb))
    {
      print_error (_("%s, %s: a process printed no stats"), run->scenario->name, bench_run_what (run));
      exit_status = EXIT_FAILURE;
      bench_run_free (run);
      g_main_loop_quit (loop);
      return;
    }
  /* The receiving side must have seen everything the sender counted. */
  if (!run->raw && (server_messages != result->messages || server_bytes != result->bytes))
    {
      g_autofree char *got = g_strdup_printf ("%" G_GUINT64_FORMAT, server_messages);
      g_autofree char *got_bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, server_bytes);
      g_autofree char *sent = g_strdup_printf ("%" G_GUINT64_FORMAT, result->messages);
      g_autofree char *sent_bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, result->bytes);

      print_error (_("%s: msrp listen received %s messages (%s bytes), msrp send sent %s (%s bytes)"),
                   run->scenario->name, got, got_bytes, sent, sent_bytes);
      exit_status = EXIT_FAILURE;
      bench_run_free (run);
      g_main_loop_quit (loop);
      return;
    }
  /* Rounds add up: their messages and time, the highest RSS. */
  total->ok = TRUE;
  total->seconds += one.seconds;
  total->messages += one.messages;
  total->bytes += one.bytes;
  total->client_vmhwm_kb = MAX (total->client_vmhwm_kb, one.client_vmhwm_kb);
  total->server_vmhwm_kb = MAX (total->server_vmhwm_kb, one.server_vmhwm_kb);
  bench_run_free (run);
  bench_next (self);
}

static gboolean
check_exit (GSubprocess *process,
            const char  *what,
            GError     **error)
{
  if (g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0)
    return TRUE;
  if (g_subprocess_get_if_signaled (process))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s was killed by signal %d"),
                 what, g_subprocess_get_term_sig (process));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s exited with status %d"),
                 what, g_subprocess_get_exit_status (process));
  return FALSE;
}

static void
bench_run_on_client_done (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  BenchRun *run = user_data;
  GError *error = NULL;

  if (!g_subprocess_communicate_utf8_finish (run->client, result, &run->client_stdout, NULL, &error) ||
      !check_exit (run->client, run->raw ? _("the raw TCP source") : "msrp send", &error))
    bench_run_error (run, error);
  bench_run_check_done (run);
}

static void
bench_run_on_server_done (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  BenchRun *run = user_data;
  GError *error = NULL;

  if (!g_subprocess_wait_finish (run->server, result, &error) ||
      !check_exit (run->server, run->raw ? _("the raw TCP sink") : "msrp listen", &error))
    bench_run_error (run, error);
  bench_run_check_done (run);
}

static void
bench_run_on_spliced (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  BenchRun *run = user_data;
  GError *error = NULL;

  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error) < 0)
    bench_run_error (run, error);
  bench_run_check_done (run);
}

static void
bench_run_start_client (BenchRun *run)
{
  Scenario *scenario = run->scenario;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, scenario->count);
  g_autofree char *size = g_strdup_printf ("%d", BENCH_MESSAGE_SIZE);
  g_autofree char *window = g_strdup_printf ("%d", scenario->kind == SCENARIO_PIPELINED ? BENCH_WINDOW : 1);
  g_autoptr(GError) error = NULL;

  g_strv_builder_add (builder, run->bench->self_exe);
  if (run->raw)
    {
      g_strv_builder_add_many (builder, "tcp-source", "--to", run->address, NULL);
      if (scenario->kind == SCENARIO_FILE)
        g_strv_builder_add_many (builder, "--file", run->bench->data_file, NULL);
      else
        g_strv_builder_add_many (builder, scenario->kind == SCENARIO_PIPELINED ? "--writes" : "--echo", count,
                                 "--size", size, NULL);
    }
  else
    {
      g_strv_builder_add_many (builder, "send", "--stats", "--to", run->address, NULL);
      if (scenario->kind == SCENARIO_FILE)
        /* The file asks for a success REPORT, and send ends only once it
         * has come: the time is that of the whole transfer. */
        g_strv_builder_add_many (builder, "--file", run->bench->data_file,
                                 "--content-type", "application/octet-stream",
                                 "--success-report", NULL);
      else
        g_strv_builder_add_many (builder, "--count", count, "--size", size, "--window", window, NULL);
    }
  if (scenario->tls)
    g_strv_builder_add_many (builder, "--tls", "--fingerprint", run->fingerprint, NULL);
  args = g_strv_builder_end (builder);

  run->client = g_subprocess_newv ((const char * const *) args, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (run->client == NULL)
    {
      bench_run_error (run, g_steal_pointer (&error));
      return;
    }
  run->running++;
  g_subprocess_communicate_utf8_async (run->client, NULL, NULL, bench_run_on_client_done, run);

  /* The rest of the server's output holds its stats line. */
  run->server_rest = g_memory_output_stream_new_resizable ();
  run->running++;
  g_output_stream_splice_async (run->server_rest, G_INPUT_STREAM (run->server_out),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, bench_run_on_spliced, run);
}

static void
bench_run_on_line (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  BenchRun *run = user_data;
  GError *error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (run->server_out, result, NULL, &error);

  if (line == NULL)
    {
      if (error == NULL)
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, _("%s printed no address"),
                             run->raw ? _("the raw TCP sink") : "msrp listen");
      bench_run_error (run, error);
      bench_run_check_done (run);
      return;
    }

  if (g_str_has_prefix (line, "a=path:") || g_str_has_prefix (line, "tcp:"))
    run->address = g_strdup (strchr (line, ':') + 1);
  else if (g_str_has_prefix (line, "a=fingerprint:") || g_str_has_prefix (line, "fingerprint:"))
    run->fingerprint = g_strdup (strchr (line, ':') + 1);

  if (run->address == NULL || (run->scenario->tls && run->fingerprint == NULL))
    g_data_input_stream_read_line_async (run->server_out, G_PRIORITY_DEFAULT, NULL, bench_run_on_line, run);
  else
    {
      bench_run_start_client (run);
      bench_run_check_done (run);
    }
}

static void
bench_run_start (Bench    *self,
                 Scenario *scenario,
                 gboolean  raw)
{
  BenchRun *run = g_new0 (BenchRun, 1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_autofree char *count = NULL;
  g_autofree char *size = g_strdup_printf ("%d", BENCH_MESSAGE_SIZE);
  GError *error = NULL;

  run->bench = self;
  run->scenario = scenario;
  run->raw = raw;

  g_strv_builder_add (builder, self->self_exe);
  if (raw)
    {
      g_strv_builder_add (builder, "tcp-sink");
      if (scenario->kind == SCENARIO_ONE_AT_A_TIME)
        {
          count = g_strdup_printf ("%" G_GUINT64_FORMAT, scenario->count);
          g_strv_builder_add_many (builder, "--echo", count, "--size", size, NULL);
        }
      else
        {
          count = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                   scenario->kind == SCENARIO_FILE ? scenario->count
                                                                   : scenario->count * BENCH_MESSAGE_SIZE);
          g_strv_builder_add_many (builder, "--bytes", count, NULL);
        }
    }
  else
    {
      count = g_strdup_printf ("%" G_GUINT64_FORMAT, scenario->kind == SCENARIO_FILE ? 1 : scenario->count);
      g_strv_builder_add_many (builder, "listen", "--quiet", "--stats", "--count", count, NULL);
      if (scenario->websocket)
        g_strv_builder_add (builder, "--websocket");
    }
  if (scenario->tls)
    g_strv_builder_add (builder, "--tls");
  args = g_strv_builder_end (builder);

  if (!self->json)
    {
      fprintf (stderr, _("running: %s, %s\n"), scenario->name, bench_run_what (run));
      fflush (stderr);
    }

  run->server = g_subprocess_newv ((const char * const *) args, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (run->server == NULL)
    {
      run->running = 1;
      bench_run_error (run, error);
      bench_run_check_done (run);
      return;
    }
  run->timer = g_timeout_source_new_seconds (BENCH_RUN_TIMEOUT);
  g_source_set_static_name (run->timer, "[msrp] bench run timeout");
  g_source_set_callback (run->timer, bench_run_on_timeout, run, NULL);
  g_source_attach (run->timer, NULL);

  run->running = 2;
  g_subprocess_wait_async (run->server, NULL, bench_run_on_server_done, run);
  run->server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run->server));
  g_data_input_stream_read_line_async (run->server_out, G_PRIORITY_DEFAULT, NULL, bench_run_on_line, run);
}

/* messages/s, or MiB/s for a file */
static double
bench_figure (const Scenario    *scenario,
              const BenchResult *result)
{
  if (scenario->kind == SCENARIO_FILE)
    return result->bytes / result->seconds / MIB;
  return result->messages / result->seconds;
}

static const char *
bench_unit (const Scenario *scenario)
{
  return scenario->kind == SCENARIO_FILE ? "MiB/s" : "messages/s";
}

static Scenario *
bench_find (Bench      *self,
            const char *id)
{
  for (guint i = 0; id != NULL && i < self->scenarios->len; i++)
    {
      Scenario *s = g_ptr_array_index (self->scenarios, i);

      if (strcmp (s->id, id) == 0)
        return s;
    }
  return NULL;
}

/* A WebSocket scenario's figure beside that of the same traffic over
 * MSRP/TCP in this run, or 0 when there is none. */
static double
bench_ratio_to_tcp (Bench          *self,
                    const Scenario *scenario)
{
  Scenario *tcp = bench_find (self, scenario->tcp_id);

  if (!scenario->websocket || tcp == NULL)
    return 0;
  return bench_figure (scenario, &scenario->msrp) / bench_figure (tcp, &tcp->msrp);
}

static void
bench_print_json (Bench *self)
{
  GString *json = g_string_new ("{\n");
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (json, "  \"quick\": %s,\n", self->quick ? "true" : "false");
  g_string_append_printf (json, "  \"cpus\": %u,\n", g_get_num_processors ());
  g_string_append (json, "  \"scenarios\": [\n");
  for (guint i = 0; i < self->scenarios->len; i++)
    {
      Scenario *s = g_ptr_array_index (self->scenarios, i);
      double msrp = bench_figure (s, &s->msrp), raw = bench_figure (s, &s->raw);

      g_string_append_printf (json, "    {\"id\": \"%s\", \"name\": \"%s\", \"tls\": %s, \"unit\": \"%s\", ",
                              s->id, s->name, s->tls ? "true" : "false", bench_unit (s));
      if (s->kind == SCENARIO_FILE)
        g_string_append_printf (json, "\"bytes\": %" G_GUINT64_FORMAT ", ", s->count);
      else
        g_string_append_printf (json, "\"messages\": %" G_GUINT64_FORMAT ", \"message_size\": %d, \"window\": %d, ",
                                s->count * s->rounds, BENCH_MESSAGE_SIZE,
                                s->kind == SCENARIO_PIPELINED ? BENCH_WINDOW : 1);
      g_string_append_printf (json, "\"msrp\": %s, ", g_ascii_formatd (number, sizeof number, "%.3f", msrp));
      g_string_append_printf (json, "\"raw_tcp\": %s, ", g_ascii_formatd (number, sizeof number, "%.3f", raw));
      g_string_append_printf (json, "\"ratio\": %s, ", g_ascii_formatd (number, sizeof number, "%.4f", msrp / raw));
      if (s->websocket)
        g_string_append_printf (json, "\"websocket\": true, \"ratio_to_msrp_tcp\": %s, ",
                                g_ascii_formatd (number, sizeof number, "%.4f", bench_ratio_to_tcp (self, s)));
      g_string_append_printf (json, "\"msrp_seconds\": %s, ", format_double (number, s->msrp.seconds));
      g_string_append_printf (json, "\"raw_tcp_seconds\": %s, ", format_double (number, s->raw.seconds));
      g_string_append_printf (json, "\"msrp_send_vmhwm_kb\": %" G_GUINT64_FORMAT ", "
                              "\"msrp_listen_vmhwm_kb\": %" G_GUINT64_FORMAT ", "
                              "\"raw_source_vmhwm_kb\": %" G_GUINT64_FORMAT ", "
                              "\"raw_sink_vmhwm_kb\": %" G_GUINT64_FORMAT "}%s\n",
                              s->msrp.client_vmhwm_kb, s->msrp.server_vmhwm_kb,
                              s->raw.client_vmhwm_kb, s->raw.server_vmhwm_kb,
                              i + 1 < self->scenarios->len ? "," : "");
    }
  g_string_append (json, "  ]\n}\n");
  fputs (json->str, stdout);
  g_string_free (json, TRUE);
}

static void
bench_print_table (Bench *self)
{
  printf ("%-40s %16s %16s %7s %11s %11s\n",
          _("scenario"), "msrp", _("raw TCP"), _("ratio"), _("send RSS"), _("listen RSS"));
  for (guint i = 0; i < self->scenarios->len; i++)
    {
      Scenario *s = g_ptr_array_index (self->scenarios, i);
      double msrp = bench_figure (s, &s->msrp), raw = bench_figure (s, &s->raw);
      const char *unit = s->kind == SCENARIO_FILE ? "MiB/s" : "msg/s";
      g_autofree char *msrp_text = g_strdup_printf ("%.1f %s", msrp, unit);
      g_autofree char *raw_text = g_strdup_printf ("%.1f %s", raw, unit);

      printf ("%-40s %16s %16s %7.3f %7.1f MiB %7.1f MiB\n",
              s->name, msrp_text, raw_text, msrp / raw,
              s->msrp.client_vmhwm_kb / 1024.0, s->msrp.server_vmhwm_kb / 1024.0);
    }
  for (guint i = 0; i < self->scenarios->len; i++)
    {
      Scenario *s = g_ptr_array_index (self->scenarios, i);

      if (s->websocket && bench_find (self, s->tcp_id) != NULL)
        printf (_("%s: %.1f %% of msrp over TCP\n"), s->name, 100 * bench_ratio_to_tcp (self, s));
    }
  printf (_("(msrp: msrp send → msrp listen; raw TCP: the same traffic over a plain socket,\n"
            " one process per side; RSS: peak (VmHWM) of each msrp process; %u CPUs)\n"),
          g_get_num_processors ());
  fflush (stdout);
}

static void
bench_next (Bench *self)
{
  Scenario *scenario;

  if (self->scenario_index < self->scenarios->len)
    {
      scenario = g_ptr_array_index (self->scenarios, self->scenario_index);
      if (self->step == scenario->rounds * 2)
        {
          self->scenario_index++;
          self->step = 0;
        }
    }
  if (self->scenario_index == self->scenarios->len)
    {
      if (self->json)
        bench_print_json (self);
      else
        bench_print_table (self);
      g_main_loop_quit (loop);
      return;
    }
  scenario = g_ptr_array_index (self->scenarios, self->scenario_index);
  bench_run_start (self, scenario, self->step % 2 == 1);
  self->step++;
}

/* Random data, made in a thread so that the main loop does not block. */
static void
bench_write_data_file (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  Bench *self = task_data;
  g_autoptr(GFile) file = g_file_new_for_path (self->data_file);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GRand) rand = g_rand_new ();
  g_autofree guint8 *buffer = g_malloc (1024 * 1024);
  guint64 left = self->file_size;
  GError *error = NULL;

  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, &error);
  if (out == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  while (left > 0)
    {
      gsize n = MIN (left, 1024 * 1024);

      fill_random (rand, buffer, n);
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), buffer, n, NULL, NULL, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      left -= n;
    }
  if (!g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
bench_on_data_file (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Bench *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      print_error (_("cannot write %s: %s"), self->data_file, error->message);
      exit_status = EXIT_FAILURE;
      g_main_loop_quit (loop);
      return;
    }
  bench_next (self);
}

static Scenario *
bench_add (Bench        *self,
           const char   *id,
           ScenarioKind  kind,
           gboolean      tls,
           guint64       count,
           guint         rounds)
{
  Scenario *scenario = g_new0 (Scenario, 1);
  g_autofree char *size = NULL;

  scenario->id = id;
  scenario->kind = kind;
  scenario->tls = tls;
  scenario->count = count;
  scenario->rounds = rounds;
  switch (kind)
    {
    case SCENARIO_PIPELINED:
      scenario->name = g_strdup_printf ("%s%" G_GUINT64_FORMAT " x %d B, window %d",
                                        tls ? "TLS " : "", count, BENCH_MESSAGE_SIZE, BENCH_WINDOW);
      break;
    case SCENARIO_ONE_AT_A_TIME:
      scenario->name = g_strdup_printf ("%s%" G_GUINT64_FORMAT " x %d B, one at a time",
                                        tls ? "TLS " : "", count * rounds, BENCH_MESSAGE_SIZE);
      break;
    case SCENARIO_FILE:
      size = g_format_size_full (count, G_FORMAT_SIZE_IEC_UNITS);
      scenario->name = g_strdup_printf ("%sfile of %s", tls ? "TLS " : "", size);
      break;
    }
  g_ptr_array_add (self->scenarios, scenario);
  return scenario;
}

/* The same traffic as the scenario tcp_id, over a WebSocket. */
static void
bench_add_websocket (Bench        *self,
                     const char   *id,
                     const char   *tcp_id,
                     ScenarioKind  kind,
                     guint64       count)
{
  Scenario *scenario = bench_add (self, id, kind, FALSE, count, 1);
  char *name = g_strconcat ("WebSocket ", scenario->name, NULL);

  g_free (scenario->name);
  scenario->name = name;
  scenario->websocket = TRUE;
  scenario->tcp_id = tcp_id;
}

static const Command bench_command = {
  NULL, cmd_bench, "",
  N_("Run loopback benchmarks of msrp send and msrp listen."),
  N_("Runs each scenario twice, with the two ends in separate processes: msrp send\n"
     "to msrp listen, then the same traffic over a plain TCP socket (the raw\n"
     "baseline). Scenarios: 100-byte messages pipelined (window 256), 100-byte\n"
     "messages one at a time (each waits for its 200; the baseline waits for a\n"
     "100-byte echo; msrp and the baseline take turns in 4 rounds, added up),\n"
     "and a file of random data (made in $TMPDIR) with Success-Report: yes (send\n"
     "ends when the REPORT is in); then the pipelined and file scenarios again\n"
     "over WebSocket (msrp listen --websocket; also given as a share of the same\n"
     "traffic over MSRP/TCP) and over TLS. Prints a table of throughputs (messages/s, and MiB/s for files),\n"
     "the ratio msrp / raw TCP, and the peak RSS of each msrp process (MiB).\n"),
  NULL, FALSE,
  "  msrp-bench\n"
  "  msrp-bench --quick --json\n"
  "  msrp-bench --file-size 1G --no-tls\n",
};

static int
cmd_bench (int    argc,
           char **argv)
{
  gboolean json = FALSE, quick = FALSE, no_tls = FALSE, no_websocket = FALSE;
  g_autofree char *file_size_text = NULL;
  gint64 count = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object instead of a table"), NULL },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, N_("Smaller counts and file, for a quick check"), NULL },
    { "file-size", 0, 0, G_OPTION_ARG_STRING, &file_size_text, N_("The size of the file scenario (default: 256M, 16M with --quick)"), "B" },
    { "count", 0, 0, G_OPTION_ARG_INT64, &count, N_("Messages in the pipelined scenarios (default: 100000, 10000 with --quick)"), "N" },
    { "no-tls", 0, 0, G_OPTION_ARG_NONE, &no_tls, N_("Skip the TLS scenarios"), NULL },
    { "no-websocket", 0, 0, G_OPTION_ARG_NONE, &no_websocket, N_("Skip the WebSocket scenarios"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  Bench self = { 0 };
  guint64 one_at_a_time;

  if (!parse_command_line (&bench_command, entries, &argc, &argv) ||
      !no_arguments (&bench_command, argc, argv))
    return EXIT_USAGE;
  self.file_size = quick ? 16 << 20 : 256 << 20;
  if (file_size_text != NULL && !parse_size ("--file-size", file_size_text, &self.file_size))
    return EXIT_USAGE;
  if (count < 0 || self.file_size == 0)
    {
      print_error (_("%s must be at least 1"), count < 0 ? "--count" : "--file-size");
      return EXIT_USAGE;
    }
  if (count == 0)
    count = quick ? 10000 : 100000;
  one_at_a_time = quick ? 500 : 5000;

  /* The benchmark runs this very program on both ends. */
  self.self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self.self_exe == NULL)
    self.self_exe = g_strdup (argv[0]);
  self.tmp_dir = g_dir_make_tmp ("msrp-bench-XXXXXX", &error);
  if (self.tmp_dir == NULL)
    {
      print_error ("%s", error->message);
      g_free (self.self_exe);
      return EXIT_FAILURE;
    }
  self.data_file = g_build_filename (self.tmp_dir, "data", NULL);
  self.json = json;
  self.quick = quick;
  self.scenarios = g_ptr_array_new_with_free_func (scenario_free);
  bench_add (&self, "pipelined", SCENARIO_PIPELINED, FALSE, count, 1);
  /* A round trip's time swings with the machine's other work: the two
   * take turns in short rounds, so that both see the same swings. */
  bench_add (&self, "one-at-a-time", SCENARIO_ONE_AT_A_TIME, FALSE, one_at_a_time, ONE_AT_A_TIME_ROUNDS);
  bench_add (&self, "file", SCENARIO_FILE, FALSE, self.file_size, 1);
  if (!no_websocket)
    {
      bench_add_websocket (&self, "ws-pipelined", "pipelined", SCENARIO_PIPELINED, count);
      bench_add_websocket (&self, "ws-file", "file", SCENARIO_FILE, self.file_size);
    }
  if (!no_tls)
    {
      bench_add (&self, "tls-pipelined", SCENARIO_PIPELINED, TRUE, count, 1);
      bench_add (&self, "tls-file", SCENARIO_FILE, TRUE, self.file_size, 1);
    }

  loop = g_main_loop_new (NULL, FALSE);
  task = g_task_new (NULL, NULL, bench_on_data_file, &self);
  g_task_set_task_data (task, &self, NULL);
  g_task_set_name (task, "[msrp] bench data file");
  g_task_run_in_thread (task, bench_write_data_file);
  g_clear_object (&task);
  g_main_loop_run (loop);

  g_unlink (self.data_file);
  g_rmdir (self.tmp_dir);
  g_free (self.data_file);
  g_free (self.tmp_dir);
  g_free (self.self_exe);
  g_ptr_array_unref (self.scenarios);
  g_clear_pointer (&loop, g_main_loop_unref);
  return exit_status;
}

/* What the runs start: the ends of each scenario. */
static const Command *parts[] = {
  &listen_command,
  &send_command,
  &tcp_sink_command,
  &tcp_source_command,
};

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  program_name = "msrp-bench";
  if (argc > 1)
    for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
      if (strcmp (argv[1], parts[i]->name) == 0)
        return parts[i]->run (argc - 1, argv + 1);
  return cmd_bench (argc, argv);
}
