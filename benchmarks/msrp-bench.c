/* msrp-bench.c: loopback benchmarks of msrp send and msrp listen, each
 * beside a raw TCP (or TLS) socket pair moving the same traffic
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each side of each run is a process of this very program: `msrp-bench
 * listen` and `msrp-bench send` are the msrp tool's own commands, linked in,
 * and `msrp-bench tcp-sink` and `tcp-source` the baseline (bench-tcp.c).
 * The relay scenarios put `msrp-bench relay` (the tool's `msrp relay`) in
 * between, and then Kamailio when it is installed (tests/relay/kamailio-relay).
 * Options: --json for one JSON object on stdout, --quick for a short run;
 * see --help.
 */

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
/* Through a relay: the window of the figures, and chunks of the
 * size relays in the field take (PROTOCOL.md, interop notes). */
#define BENCH_RELAY_WINDOW 64
#define BENCH_RELAY_CHUNK "8K"
#define BENCH_KAMAILIO_PORT 3955
#define ONE_AT_A_TIME_ROUNDS 4
/* The longest one run of one side may take. */
#define BENCH_RUN_TIMEOUT 900
#define KAMAILIO_RUN_TIMEOUT 300

/* What one run measures: msrp (directly, or through MsrpRelay in a relay
 * scenario), the raw socket pair, or msrp through Kamailio. */
typedef enum {
  VARIANT_MSRP,
  VARIANT_RAW,
  VARIANT_KAMAILIO,
} Variant;

typedef struct {
  gboolean ok;
  double seconds;
  guint64 messages;
  guint64 bytes;
  guint64 client_vmhwm_kb;
  guint64 server_vmhwm_kb;
  double relay_cpu;      /* seconds of CPU the relay process(es) used */
  guint64 relay_vmhwm_kb;
  char *error;           /* Kamailio only: why the run failed */
} BenchResult;

typedef struct {
  const char *id;
  char *name;
  ScenarioKind kind;
  gboolean tls;
  gboolean websocket;    /* msrp over WebSocket (RFC 7977), not over TCP */
  gboolean relay;        /* both ends through a relay process (RFC 4976) */
  const char *tcp_id;    /* for websocket: the same traffic over MSRP/TCP */
  guint64 count;         /* messages of a round; for a file, its size */
  guint rounds;          /* msrp and raw TCP take turns, and add up */
  BenchResult msrp;
  BenchResult raw;
  BenchResult kamailio;
} Scenario;

typedef struct _Bench Bench;

/* One run: a server process (msrp listen, or the raw sink) and a client
 * process (msrp send, or the raw source). */
typedef struct {
  Bench *bench;
  Scenario *scenario;
  Variant variant;
  gboolean raw;
  GSubprocess *relay;    /* msrp relay (Kamailio runs for the whole bench) */
  GDataInputStream *relay_out;
  char *relay_uri;
  char *relay_fingerprint;
  char *relay_pid;
  double relay_cpu_start;
  double relay_cpu;
  gboolean relay_stopping;
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
  guint step;            /* in the scenario: round * variants + the Variant */
  guint64 file_size;
  char *tmp_dir;
  char *data_file;
  gboolean json;
  gboolean quick;
  /* Kamailio for the relay scenarios: the kit's script, its ports. */
  gboolean use_kamailio;
  gboolean kamailio_running;
  char *kamailio_script;
  guint kamailio_port;
  char *kamailio_note;   /* why it does not run, for the table */
};

static void
scenario_free (gpointer data)
{
  Scenario *scenario = data;

  g_free (scenario->name);
  g_free (scenario->msrp.error);
  g_free (scenario->raw.error);
  g_free (scenario->kamailio.error);
  g_free (scenario);
}

static void bench_next (Bench *self);
static void bench_run_check_done (BenchRun *run);
static void bench_start_kamailio (Bench *self);

static void
bench_run_free (BenchRun *run)
{
  if (run->timer != NULL)
    {
      g_source_destroy (run->timer);
      g_source_unref (run->timer);
    }
  g_clear_object (&run->relay);
  g_clear_object (&run->relay_out);
  g_free (run->relay_uri);
  g_free (run->relay_fingerprint);
  g_free (run->relay_pid);
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
  if (run->relay != NULL)
    g_subprocess_force_exit (run->relay);
}

static gboolean
bench_run_on_timeout (gpointer user_data)
{
  BenchRun *run = user_data;

  g_clear_pointer (&run->timer, g_source_unref);
  bench_run_error (run, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _("did not finish within %d s"),
                                     run->variant == VARIANT_KAMAILIO ? KAMAILIO_RUN_TIMEOUT : BENCH_RUN_TIMEOUT));
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
  switch (run->variant)
    {
    case VARIANT_RAW:
      return _("raw TCP");
    case VARIANT_KAMAILIO:
      return "Kamailio";
    case VARIANT_MSRP:
    default:
      return run->scenario->relay ? "MsrpRelay" : "msrp";
    }
}

static BenchResult *
bench_result (Scenario *scenario,
              Variant   variant)
{
  switch (variant)
    {
    case VARIANT_RAW:
      return &scenario->raw;
    case VARIANT_KAMAILIO:
      return &scenario->kamailio;
    case VARIANT_MSRP:
    default:
      return &scenario->msrp;
    }
}

/* CPU seconds (user and system) of process @pid and of its children:
 * Kamailio does its work in the processes it forks. */
static double
process_tree_cpu (const char *pid)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint64 ticks = 0;

  while (dir != NULL && pid != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_auto(GStrv) fields = NULL;
      const char *rest;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &contents, NULL, NULL) ||
          (rest = strrchr (contents, ')')) == NULL || rest[1] == '\0')
        continue;
      /* After the name: state, ppid, ... utime and stime (fields 14, 15). */
      fields = g_strsplit (rest + 2, " ", 0);
      if (g_strv_length (fields) < 13 || (strcmp (name, pid) != 0 && strcmp (fields[1], pid) != 0))
        continue;
      ticks += g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
    }
  return (double) ticks / sysconf (_SC_CLK_TCK);
}

/* The peak RSS of process @pid in KiB, 0 when unknown. */
static guint64
process_vmhwm_kb (const char *pid)
{
  g_autofree char *path = g_build_filename ("/proc", pid, "status", NULL);
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL) || (line = strstr (contents, "VmHWM:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10);
}

/* A file of the Kamailio kit's run directory (kamailio-relay keeps it in
 * ${TMPDIR:-/tmp}/msrp-kamailio-PORT). */
static char *
bench_kamailio_file (Bench      *self,
                     const char *name)
{
  g_autofree char *dir = g_strdup_printf ("msrp-kamailio-%u", self->kamailio_port);

  return g_build_filename (g_get_tmp_dir (), dir, name, NULL);
}

/* The pid of Kamailio's main process, NULL when unknown. */
static char *
bench_kamailio_pid (Bench *self)
{
  g_autofree char *path = bench_kamailio_file (self, "relay.pid");
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return g_strstrip (g_steal_pointer (&contents));
}

/* A run that failed: the bench fails, but for Kamailio, which is only a
 * comparison (it loses frames when its write queues overflow): its
 * figure is then the reason. */
static void
bench_run_fail (BenchRun   *run,
                const char *message)
{
  Bench *self = run->bench;

  print_error ("%s, %s: %s", run->scenario->name, bench_run_what (run), message);
  if (run->variant == VARIANT_KAMAILIO)
    {
      BenchResult *total = bench_result (run->scenario, run->variant);

      g_free (total->error);
      total->error = g_strdup (message);
      bench_run_free (run);
      bench_next (self);
      return;
    }
  exit_status = EXIT_FAILURE;
  bench_run_free (run);
  g_main_loop_quit (loop);
}

static void
bench_run_on_relay_done (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  BenchRun *run = user_data;
  GError *error = NULL;

  /* It was told to stop: only a crash counts. */
  if (!g_subprocess_wait_finish (run->relay, result, &error))
    bench_run_error (run, error);
  else if (g_subprocess_get_if_signaled (run->relay) && run->error == NULL &&
           g_subprocess_get_term_sig (run->relay) != SIGTERM)
    bench_run_error (run, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, _("%s was killed by signal %d"),
                                       "msrp relay", g_subprocess_get_term_sig (run->relay)));
  bench_run_check_done (run);
}

static void
bench_run_check_done (BenchRun *run)
{
  Bench *self = run->bench;
  BenchResult *total = bench_result (run->scenario, run->variant);
  BenchResult one = { 0 }, *result = &one;
  g_autofree char *server_output = NULL;
  guint64 server_messages = 0, server_bytes = 0;
  double server_seconds = 0;

  if (--run->running > 0)
    return;

  /* Both ends are done: what the relay used, then our relay stops. */
  if (run->relay_pid != NULL && !run->relay_stopping)
    {
      run->relay_stopping = TRUE;
      run->relay_cpu = process_tree_cpu (run->relay_pid) - run->relay_cpu_start;
      if (run->relay != NULL)
        {
          total->relay_vmhwm_kb = MAX (total->relay_vmhwm_kb, process_vmhwm_kb (run->relay_pid));
          run->running++;
          g_subprocess_send_signal (run->relay, SIGTERM);
          g_subprocess_wait_async (run->relay, NULL, bench_run_on_relay_done, run);
          return;
        }
    }
  one.relay_cpu = run->relay_cpu;

  if (run->error != NULL)
    {
      bench_run_fail (run, run->error->message);
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
      g_autofree char *message = g_strdup_printf (_("msrp listen received %s messages (%s bytes), msrp send sent %s (%s bytes)"),
                                                  got, got_bytes, sent, sent_bytes);

      bench_run_fail (run, message);
      return;
    }
  /* Rounds add up: their messages and time, the highest RSS. */
  total->ok = TRUE;
  total->seconds += one.seconds;
  total->messages += one.messages;
  total->bytes += one.bytes;
  total->relay_cpu += one.relay_cpu;
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

/* Through a relay, both ends authenticate there as a user would (the
 * accounts of the Kamailio kit, given to msrp relay too). */
static void
add_relay_options (GStrvBuilder *builder,
                   BenchRun     *run,
                   const char   *user)
{
  g_strv_builder_add_many (builder, "--relay", run->relay_uri, "--relay-user", user, NULL);
  if (run->relay_fingerprint != NULL)
    g_strv_builder_add_many (builder, "--relay-fingerprint", run->relay_fingerprint, NULL);
}

static void
bench_run_start_client (BenchRun *run)
{
  Scenario *scenario = run->scenario;
  gboolean relayed = scenario->relay && !run->raw;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, scenario->count);
  g_autofree char *size = g_strdup_printf ("%d", BENCH_MESSAGE_SIZE);
  g_autofree char *window = g_strdup_printf ("%d", scenario->kind != SCENARIO_PIPELINED ? 1
                                                   : scenario->relay ? BENCH_RELAY_WINDOW : BENCH_WINDOW);
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
      if (relayed && scenario->kind == SCENARIO_FILE)
        g_strv_builder_add_many (builder, "--chunk-size", BENCH_RELAY_CHUNK, NULL);
      if (relayed)
        add_relay_options (builder, run, "alice:alicepass");
    }
  if (scenario->tls && !relayed)
    g_strv_builder_add_many (builder, "--tls", "--fingerprint", run->fingerprint, NULL);
  args = g_strv_builder_end (builder);

  /* The relay's work from here on is the traffic's. */
  if (run->relay_pid != NULL)
    run->relay_cpu_start = process_tree_cpu (run->relay_pid);
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

  if (run->address == NULL && (g_str_has_prefix (line, "a=path:") || g_str_has_prefix (line, "tcp:")))
    run->address = g_strdup (strchr (line, ':') + 1);
  else if (g_str_has_prefix (line, "a=fingerprint:") || g_str_has_prefix (line, "fingerprint:"))
    run->fingerprint = g_strdup (strchr (line, ':') + 1);

  /* Through a relay, TLS ends there: the path is all listen prints. */
  if (run->address == NULL || (run->scenario->tls && run->relay_uri == NULL && run->fingerprint == NULL))
    g_data_input_stream_read_line_async (run->server_out, G_PRIORITY_DEFAULT, NULL, bench_run_on_line, run);
  else
    {
      bench_run_start_client (run);
      bench_run_check_done (run);
    }
}

/* Starts the server end: msrp listen (through the relay, when the run has
 * one), or the raw sink. */
static void
bench_run_start_server (BenchRun *run)
{
  Scenario *scenario = run->scenario;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_autofree char *count = NULL;
  g_autofree char *size = g_strdup_printf ("%d", BENCH_MESSAGE_SIZE);
  GError *error = NULL;

  g_strv_builder_add (builder, run->bench->self_exe);
  if (run->raw)
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
      if (run->relay_uri != NULL)
        add_relay_options (builder, run, "bob:bobpass");
    }
  if (scenario->tls && run->relay_uri == NULL)
    g_strv_builder_add (builder, "--tls");
  args = g_strv_builder_end (builder);

  run->server = g_subprocess_newv ((const char * const *) args, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (run->server == NULL)
    {
      run->running++;
      bench_run_error (run, error);
      bench_run_check_done (run);
      return;
    }
  run->running += 2;
  g_subprocess_wait_async (run->server, NULL, bench_run_on_server_done, run);
  run->server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run->server));
  g_data_input_stream_read_line_async (run->server_out, G_PRIORITY_DEFAULT, NULL, bench_run_on_line, run);
}

/* msrp relay prints its URI, then with TLS its certificate's fingerprint. */
static void
bench_run_on_relay_line (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  BenchRun *run = user_data;
  GError *error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (run->relay_out, result, NULL, &error);

  if (line == NULL)
    {
      if (error == NULL)
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, _("%s printed no address"), "msrp relay");
      bench_run_error (run, error);
    }
  else
    {
      if (run->relay_uri == NULL)
        run->relay_uri = g_steal_pointer (&line);
      else if (g_str_has_prefix (line, "a=fingerprint:"))
        run->relay_fingerprint = g_strdup (line + strlen ("a=fingerprint:"));
      if (run->scenario->tls && run->relay_fingerprint == NULL)
        {
          g_data_input_stream_read_line_async (run->relay_out, G_PRIORITY_DEFAULT, NULL,
                                               bench_run_on_relay_line, run);
          return;
        }
      bench_run_start_server (run);
    }
  bench_run_check_done (run);
}

static void
bench_run_start (Bench    *self,
                 Scenario *scenario,
                 Variant   variant)
{
  BenchRun *run = g_new0 (BenchRun, 1);
  GError *error = NULL;

  run->bench = self;
  run->scenario = scenario;
  run->variant = variant;
  run->raw = variant == VARIANT_RAW;

  if (!self->json)
    {
      fprintf (stderr, _("running: %s, %s\n"), scenario->name, bench_run_what (run));
      fflush (stderr);
    }

  /* Kamailio is given more time than it should ever need: when its write
   * queues overflow it drops frames, and the ends then wait for them. */
  run->timer = g_timeout_source_new_seconds (variant == VARIANT_KAMAILIO ? KAMAILIO_RUN_TIMEOUT : BENCH_RUN_TIMEOUT);
  g_source_set_static_name (run->timer, "[msrp] bench run timeout");
  g_source_set_callback (run->timer, bench_run_on_timeout, run, NULL);
  g_source_attach (run->timer, NULL);

  if (scenario->relay && variant == VARIANT_KAMAILIO)
    {
      guint port = self->kamailio_port + (scenario->tls ? 1 : 0);

      run->relay_uri = g_strdup_printf ("%s://127.0.0.1:%u;tcp", scenario->tls ? "msrps" : "msrp", port);
      if (scenario->tls)
        run->relay_fingerprint = bench_kamailio_file (self, "tls/cert.pem");
      run->relay_pid = bench_kamailio_pid (self);
    }
  else if (scenario->relay && variant == VARIANT_MSRP)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) args = NULL;

      g_strv_builder_add_many (builder, self->self_exe, "relay",
                               "--user", "alice:alicepass", "--user", "bob:bobpass", NULL);
      if (scenario->tls)
        g_strv_builder_add (builder, "--tls");
      args = g_strv_builder_end (builder);
      run->running = 1;
      run->relay = g_subprocess_newv ((const char * const *) args, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
      if (run->relay == NULL)
        {
          bench_run_error (run, error);
          bench_run_check_done (run);
          return;
        }
      run->relay_pid = g_strdup (g_subprocess_get_identifier (run->relay));
      run->relay_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (run->relay));
      g_data_input_stream_read_line_async (run->relay_out, G_PRIORITY_DEFAULT, NULL, bench_run_on_relay_line, run);
      return;
    }
  bench_run_start_server (run);
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

/* A WebSocket (or TLS relay) scenario's figure beside that of the same
 * traffic over MSRP/TCP (through the relay) in this run, or 0 when there is
 * none. */
static double
bench_ratio_to_tcp (Bench          *self,
                    const Scenario *scenario)
{
  Scenario *tcp = bench_find (self, scenario->tcp_id);

  if (tcp == NULL || !tcp->msrp.ok)
    return 0;
  return bench_figure (scenario, &scenario->msrp) / bench_figure (tcp, &tcp->msrp);
}

/* The relay's CPU time per message, in µs, or per MiB, in ms. */
static double
bench_relay_cpu (const Scenario    *scenario,
                 const BenchResult *result)
{
  if (scenario->kind == SCENARIO_FILE)
    return result->bytes > 0 ? 1000 * result->relay_cpu / (result->bytes / MIB) : 0;
  return result->messages > 0 ? 1e6 * result->relay_cpu / result->messages : 0;
}

static void
bench_json_relay (Bench    *self,
                  Scenario *s,
                  GString  *json)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  const char *cpu_key = s->kind == SCENARIO_FILE ? "cpu_ms_per_mib" : "cpu_us_per_message";
  double msrp = bench_figure (s, &s->msrp);

  g_string_append (json, "\"relay\": true, ");
  if (s->kind == SCENARIO_FILE)
    g_string_append (json, "\"chunk_size\": 8192, ");
  g_string_append_printf (json, "\"msrp_relay_%s\": %s, \"msrp_relay_vmhwm_kb\": %" G_GUINT64_FORMAT ", ",
                          cpu_key, format_double (number, bench_relay_cpu (s, &s->msrp)), s->msrp.relay_vmhwm_kb);
  if (s->tcp_id != NULL)
    g_string_append_printf (json, "\"ratio_to_relay_tcp\": %s, ",
                            g_ascii_formatd (number, sizeof number, "%.4f", bench_ratio_to_tcp (self, s)));
  if (s->kamailio.ok)
    {
      double kamailio = bench_figure (s, &s->kamailio);

      g_string_append_printf (json, "\"kamailio\": %s, ", g_ascii_formatd (number, sizeof number, "%.3f", kamailio));
      g_string_append_printf (json, "\"ratio_to_kamailio\": %s, ",
                              g_ascii_formatd (number, sizeof number, "%.4f", msrp / kamailio));
      g_string_append_printf (json, "\"kamailio_%s\": %s, ", cpu_key,
                              format_double (number, bench_relay_cpu (s, &s->kamailio)));
    }
  else
    {
      g_autofree char *why = g_strescape (s->kamailio.error != NULL ? s->kamailio.error
                                          : self->kamailio_note != NULL ? self->kamailio_note : "", NULL);

      g_string_append_printf (json, "\"kamailio\": null, \"kamailio_error\": \"%s\", ", why);
    }
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
                                s->kind != SCENARIO_PIPELINED ? 1 : s->relay ? BENCH_RELAY_WINDOW : BENCH_WINDOW);
      if (s->relay)
        bench_json_relay (self, s, json);
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

static char *
bench_figure_text (const Scenario    *scenario,
                   const BenchResult *result)
{
  if (!result->ok)
    return g_strdup (result->error != NULL ? _("failed") : "-");
  return g_strdup_printf ("%.1f %s", bench_figure (scenario, result),
                          scenario->kind == SCENARIO_FILE ? "MiB/s" : "msg/s");
}

static char *
bench_cpu_text (const Scenario    *scenario,
                const BenchResult *result)
{
  if (!result->ok)
    return g_strdup ("-");
  return g_strdup_printf (scenario->kind == SCENARIO_FILE ? "%.2f ms/MiB" : "%.1f µs/msg",
                          bench_relay_cpu (scenario, result));
}

/* The relay scenarios: MsrpRelay beside the raw pair and Kamailio. */
static void
bench_print_relay_table (Bench *self)
{
  printf ("\n%-42s %15s %15s %6s %15s %6s %13s %13s\n", _("relay scenario"), "MsrpRelay", _("raw TCP"),
          _("ratio"), "Kamailio", "x Kam.", _("relay CPU"), _("Kam. CPU"));
  for (guint i = 0; i < self->scenarios->len; i++)
    {
      Scenario *s = g_ptr_array_index (self->scenarios, i);
      g_autofree char *msrp_text = NULL;
      g_autofree char *raw_text = NULL;
      g_autofree char *kamailio_text = NULL;
      g_autofree char *times_text = NULL;
      g_autofree char *cpu_text = NULL;
      g_autofree char *kamailio_cpu_text = NULL;

      if (!s->relay)
        continue;
      msrp_text = bench_figure_text (s, &s->msrp);
      raw_text = bench_figure_text (s, &s->raw);
      kamailio_text = bench_figure_text (s, &s->kamailio);
      times_text = s->kamailio.ok ? g_strdup_printf ("%.2f", bench_figure (s, &s->msrp) / bench_figure (s, &s->kamailio))
                                  : g_strdup ("-");
      cpu_text = bench_cpu_text (s, &s->msrp);
      kamailio_cpu_text = bench_cpu_text (s, &s->kamailio);
      /* (µ is two bytes: one more for its column) */
      printf ("%-42s %15s %15s %6.3f %15s %6s %*s %*s\n", s->name, msrp_text, raw_text,
              bench_figure (s, &s->msrp) / bench_figure (s, &s->raw), kamailio_text, times_text,
              strstr (cpu_text, "µ") ? 14 : 13, cpu_text,
              strstr (kamailio_cpu_text, "µ") ? 14 : 13, kamailio_cpu_text);
    }
  for (guint i = 0; i < self->scenarios->len; i++)
    {
      Scenario *s = g_ptr_array_index (self->scenarios, i);

      if (s->relay && s->kamailio.error != NULL)
        printf (_("%s, Kamailio: %s\n"), s->name, s->kamailio.error);
      if (s->relay && s->tcp_id != NULL && bench_find (self, s->tcp_id) != NULL)
        printf (_("%s: %.1f %% of the relay over TCP\n"), s->name, 100 * bench_ratio_to_tcp (self, s));
    }
  if (self->kamailio_note != NULL)
    printf (_("(Kamailio: %s)\n"), self->kamailio_note);
  printf (_("(relay: msrp send → relay → msrp listen, both ends authenticated at the relay,\n"
            " each party a process; raw TCP: the same traffic over a plain socket pair,\n"
            " without a relay; relay CPU: what the relay process(es) used per message or MiB)\n"));
}

static void
bench_print_table (Bench *self)
{
  gboolean any_relay = FALSE;

  printf ("%-40s %16s %16s %7s %11s %11s\n",
          _("scenario"), "msrp", _("raw TCP"), _("ratio"), _("send RSS"), _("listen RSS"));
  for (guint i = 0; i < self->scenarios->len; i++)
    {
      Scenario *s = g_ptr_array_index (self->scenarios, i);
      double msrp = bench_figure (s, &s->msrp), raw = bench_figure (s, &s->raw);
      const char *unit = s->kind == SCENARIO_FILE ? "MiB/s" : "msg/s";
      g_autofree char *msrp_text = NULL;
      g_autofree char *raw_text = NULL;

      if (s->relay)
        {
          any_relay = TRUE;
          continue;
        }
      msrp_text = g_strdup_printf ("%.1f %s", msrp, unit);
      raw_text = g_strdup_printf ("%.1f %s", raw, unit);
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
  if (any_relay)
    bench_print_relay_table (self);
  fflush (stdout);
}

/* msrp and raw TCP take turns; then Kamailio, when it runs. */
static guint
bench_variants (Bench    *self,
                Scenario *scenario)
{
  return scenario->relay && self->kamailio_running ? 3 : 2;
}

static void
bench_next (Bench *self)
{
  Scenario *scenario;

  if (self->scenario_index < self->scenarios->len)
    {
      scenario = g_ptr_array_index (self->scenarios, self->scenario_index);
      if (self->step == scenario->rounds * bench_variants (self, scenario))
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
  bench_run_start (self, scenario, self->step % bench_variants (self, scenario));
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
  if (self->use_kamailio)
    bench_start_kamailio (self);
  else
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

/* The same traffic as a scenario of @kind, through a relay: over TCP, or
 * over TLS to the relay (then also beside the relay over TCP, tcp_id). */
static void
bench_add_relay (Bench        *self,
                 const char   *id,
                 const char   *tcp_id,
                 ScenarioKind  kind,
                 gboolean      tls,
                 guint64       count)
{
  Scenario *scenario = bench_add (self, id, kind, tls, count, 1);
  g_autofree char *size = NULL;

  g_free (scenario->name);
  if (kind == SCENARIO_FILE)
    {
      size = g_format_size_full (count, G_FORMAT_SIZE_IEC_UNITS);
      scenario->name = g_strdup_printf ("relay %sfile of %s, 8 KiB chunks", tls ? "TLS " : "", size);
    }
  else
    scenario->name = g_strdup_printf ("relay %s%" G_GUINT64_FORMAT " x %d B, window %d",
                                      tls ? "TLS " : "", count, BENCH_MESSAGE_SIZE, BENCH_RELAY_WINDOW);
  scenario->relay = TRUE;
  scenario->tcp_id = tcp_id;
}

static void
bench_on_kamailio_started (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  Bench *self = user_data;
  GSubprocess *process = G_SUBPROCESS (source);
  g_autofree char *output = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_communicate_utf8_finish (process, result, &output, NULL, &error))
    self->kamailio_note = g_strdup (error->message);
  else if (g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0)
    self->kamailio_running = TRUE;
  else if (g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 3)
    /* kamailio-relay: a program it needs is missing */
    self->kamailio_note = g_strdup (_("not installed"));
  else
    {
      /* Its ports are taken, most likely: the bench goes on without it. */
      if (output != NULL)
        fputs (output, stderr);
      self->kamailio_note = g_strdup_printf (_("%s did not start"), self->kamailio_script);
    }
  g_object_unref (process);
  bench_next (self);
}

/* Kamailio runs for the whole bench, with the kit's configuration (its
 * write-queue limits raised: tcp_conn_wq_max 64 MiB, tcp_wq_max 128 MiB). */
static void
bench_start_kamailio (Bench *self)
{
  g_autofree char *port = g_strdup_printf ("%u", self->kamailio_port);
  g_autofree char *tls_port = g_strdup_printf ("%u", self->kamailio_port + 1);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  if (!g_file_test (self->kamailio_script, G_FILE_TEST_IS_EXECUTABLE))
    {
      self->kamailio_note = g_strdup_printf (_("%s not found"), self->kamailio_script);
      bench_next (self);
      return;
    }
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error,
                              self->kamailio_script, "start", port, tls_port, NULL);
  if (process == NULL)
    {
      self->kamailio_note = g_strdup (error->message);
      bench_next (self);
      return;
    }
  g_subprocess_communicate_utf8_async (process, NULL, NULL, bench_on_kamailio_started, self);
}

static void
bench_stop_kamailio (Bench *self)
{
  g_autofree char *port = g_strdup_printf ("%u", self->kamailio_port);
  g_autoptr(GSubprocess) process = NULL;

  if (!self->kamailio_running)
    return;
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, NULL, self->kamailio_script, "stop", port, NULL);
  if (process != NULL)
    g_subprocess_wait (process, NULL, NULL);
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
     "the ratio msrp / raw TCP, and the peak RSS of each msrp process (MiB).\n"
     "\n"
     "The relay scenarios put a relay process between msrp send and msrp listen,\n"
     "both authenticated there (alice and bob): msrp relay, then Kamailio when\n"
     "it is installed (the kamailio-relay script of tests/relay, on --kamailio-port\n"
     "and the port after it for TLS): 100-byte messages pipelined (window 64) and\n"
     "the file in 8 KiB chunks, over TCP and TLS to the relay, each beside the raw\n"
     "pair. They also give the relay's CPU time per message, or per MiB.\n"),
  NULL, FALSE,
  "  msrp-bench\n"
  "  msrp-bench --quick --json\n"
  "  msrp-bench --file-size 1G --no-tls\n"
  "  msrp-bench --no-relay\n",
};

static int
cmd_bench (int    argc,
           char **argv)
{
  gboolean json = FALSE, quick = FALSE, no_tls = FALSE, no_websocket = FALSE, no_relay = FALSE, no_kamailio = FALSE;
  int kamailio_port = BENCH_KAMAILIO_PORT;
  g_autofree char *file_size_text = NULL;
  gint64 count = 0;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object instead of a table"), NULL },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, N_("Smaller counts and file, for a quick check"), NULL },
    { "file-size", 0, 0, G_OPTION_ARG_STRING, &file_size_text, N_("The size of the file scenario (default: 256M, 16M with --quick)"), "B" },
    { "count", 0, 0, G_OPTION_ARG_INT64, &count, N_("Messages in the pipelined scenarios (default: 100000, 10000 with --quick)"), "N" },
    { "no-tls", 0, 0, G_OPTION_ARG_NONE, &no_tls, N_("Skip the TLS scenarios"), NULL },
    { "no-websocket", 0, 0, G_OPTION_ARG_NONE, &no_websocket, N_("Skip the WebSocket scenarios"), NULL },
    { "no-relay", 0, 0, G_OPTION_ARG_NONE, &no_relay, N_("Skip the relay scenarios"), NULL },
    { "no-kamailio", 0, 0, G_OPTION_ARG_NONE, &no_kamailio, N_("Run the relay scenarios without Kamailio"), NULL },
    { "kamailio-port", 0, 0, G_OPTION_ARG_INT, &kamailio_port,
      N_("Kamailio's TCP port; TLS on the next one (default: 3955)"), "PORT" },
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
  if (kamailio_port < 1 || kamailio_port > 65534)
    {
      print_error (_("--kamailio-port out of range"));
      return EXIT_USAGE;
    }
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
  if (!no_relay)
    {
      bench_add_relay (&self, "relay-pipelined", NULL, SCENARIO_PIPELINED, FALSE, count);
      bench_add_relay (&self, "relay-file", NULL, SCENARIO_FILE, FALSE, self.file_size);
      if (!no_tls)
        {
          bench_add_relay (&self, "relay-tls-pipelined", "relay-pipelined", SCENARIO_PIPELINED, TRUE, count);
          bench_add_relay (&self, "relay-tls-file", "relay-file", SCENARIO_FILE, TRUE, self.file_size);
        }
      self.use_kamailio = !no_kamailio;
      self.kamailio_port = kamailio_port;
      self.kamailio_script = g_strdup (KAMAILIO_RELAY_SCRIPT);
    }

  loop = g_main_loop_new (NULL, FALSE);
  task = g_task_new (NULL, NULL, bench_on_data_file, &self);
  g_task_set_task_data (task, &self, NULL);
  g_task_set_name (task, "[msrp] bench data file");
  g_task_run_in_thread (task, bench_write_data_file);
  g_clear_object (&task);
  g_main_loop_run (loop);
  bench_stop_kamailio (&self);

  g_unlink (self.data_file);
  g_rmdir (self.tmp_dir);
  g_free (self.data_file);
  g_free (self.tmp_dir);
  g_free (self.self_exe);
  g_free (self.kamailio_script);
  g_free (self.kamailio_note);
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
  &relay_command,
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
