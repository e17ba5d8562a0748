/* bench-sessions.c: many sessions in one process: what each idle one costs
 * MsrpRelay and MsrpServer, the latency of 1,000 active ones, and what
 * dropping them gives back
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Three processes of this program: a relay (MsrpRelay), a server
 * (MsrpServer) and the client that runs the scenario and reads the other
 * two's memory from /proc:
 *
 *   relay:   N sessions authenticated at the relay, as N/2 pairs of
 *            client sessions (an MsrpAcceptorRelay and an
 *            MsrpConnectorRelay, each its own connection and AUTH) bound
 *            to each other through it; its VmRSS and Private_Dirty before
 *            and after, per session.
 *   active:  of those pairs, --active send a 100-byte message every
 *            100 ms through the relay for --seconds; the latency from the
 *            send call to message-received at the other end, both in the
 *            client so that one clock times them: p50, p99, max.
 *   drop:    every session closed; the relay's descriptors and memory
 *            (after malloc_trim) against the start.
 *   server:  N sessions bound to one MsrpServer, each on its own direct
 *            connection; memory per session, then dropped as above.
 *
 * The relay and the server run one main loop on one core each, as in
 * production; the client does the rest. Every process raises its soft
 * descriptor limit to the hard one. Options: --sessions N (default
 * 10000), --active N (1000), --seconds S (10), --quick (300 sessions,
 * 100 active, 2 s).
 */

#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <gio/gunixinputstream.h>

#include "msrp-glib.h"
#include "bench-process.h"

#define USER "bench"
#define PASSWORD "secret"
#define MESSAGE_SIZE 100
#define INTERVAL_US (100 * 1000)
/* Sessions being set up at once: the relay's and server's pending
 * connection limits are raised above it. */
#define BATCH 100
#define TIMEOUT_SECONDS 600

static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

static void
check (const GError *error,
       const char   *what)
{
  if (error != NULL)
    g_error ("bench-sessions: %s: %s", what, error->message);
}

static gboolean
on_timeout (gpointer user_data)
{
  g_error ("bench-sessions: no progress within %d s", TIMEOUT_SECONDS);
  return G_SOURCE_REMOVE;
}

/* The child processes: commands on stdin, one a line, answers on stdout */

typedef struct {
  GMainLoop *loop;
  GDataInputStream *in;
  MsrpRelay *relay;
  MsrpServer *server;
  GHashTable *sessions;        /* server: the bound MsrpSessions */
  guint16 port;
} Child;

static void child_read_command (Child *child);

static void
on_server_session_closed (MsrpSession  *session,
                          const GError *error,
                          gpointer      user_data)
{
  Child *child = user_data;

  g_hash_table_remove (child->sessions, session);
}

static void
on_server_completed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Child *child = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpTransport) transport = NULL;
  MsrpSession *session;

  transport = msrp_server_complete_for_uri_finish (MSRP_SERVER (source), result, &error);
  if (transport == NULL)
    {
      g_printerr ("bench-sessions server: %s\n", error->message);
      return;
    }
  session = msrp_session_new (transport, NULL);
  g_signal_connect (session, "closed", G_CALLBACK (on_server_session_closed), child);
  g_hash_table_add (child->sessions, session);
}

static void
server_prepare (Child *child,
                guint  n)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsrpUri) uri = msrp_uri_new ("127.0.0.1", child->port, NULL, FALSE);
      g_autoptr(GPtrArray) path = NULL;
      g_autofree char *text = NULL;
      g_autoptr(GError) error = NULL;

      path = msrp_server_prepare (child->server, uri, &error);
      check (error, "prepare");
      msrp_server_complete_for_uri_async (child->server, uri, NULL, NULL, NULL,
                                          on_server_completed, child);
      text = msrp_path_to_string (path);
      g_string_append_printf (out, "%s\n", text);
    }
  fputs (out->str, stdout);
}

static void
on_command (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Child *child = user_data;
  g_autofree char *line = NULL;
  guint n;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  if (line == NULL)
    {
      g_main_loop_quit (child->loop);
      return;
    }
  if (strcmp (line, "trim") == 0)
    malloc_trim (0);
  else if (sscanf (line, "prepare %u", &n) == 1 && child->server != NULL)
    server_prepare (child, n);
  else if (strcmp (line, "count") == 0)
    printf ("%u\n", child->relay ? msrp_relay_get_n_sessions (child->relay)
                                 : g_hash_table_size (child->sessions));
  printf ("ok\n");
  fflush (stdout);
  child_read_command (child);
}

static void
child_read_command (Child *child)
{
  g_data_input_stream_read_line_async (child->in, G_PRIORITY_DEFAULT, NULL, on_command, child);
}

static int
run_child (const char *role)
{
  Child child = { 0 };
  g_autoptr(GInputStream) stdin_stream = g_unix_input_stream_new (0, FALSE);
  g_autoptr(GError) error = NULL;

  child.loop = g_main_loop_new (NULL, FALSE);
  child.in = g_data_input_stream_new (stdin_stream);
  if (strcmp (role, "relay") == 0)
    {
      g_autoptr(MsrpUri) uri = NULL;

      child.relay = msrp_relay_new ("bench");
      msrp_relay_add_user (child.relay, USER, PASSWORD);
      msrp_relay_set_max_sessions_per_user (child.relay, G_MAXINT32);
      msrp_relay_set_max_pending_connections (child.relay, 4 * BATCH);
      msrp_relay_set_max_pending_per_address (child.relay, 4 * BATCH);
      uri = msrp_relay_listen (child.relay, "127.0.0.1", 0, FALSE, &error);
      check (error, "relay");
      child.port = msrp_uri_get_port (uri);
    }
  else
    {
      g_autoptr(GPtrArray) path = NULL;
      MsrpUri *uri;

      child.server = msrp_server_new ();
      child.sessions = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
      msrp_server_set_bind_timeout (child.server, TIMEOUT_SECONDS);
      msrp_server_set_max_pending_connections (child.server, 4 * BATCH);
      msrp_server_set_max_pending_per_address (child.server, 4 * BATCH);
      /* The first prepare picks the port; the bench's URIs use it. */
      path = msrp_server_prepare (child.server, NULL, &error);
      check (error, "server");
      uri = g_ptr_array_index (path, 0);
      child.port = msrp_uri_get_port (uri);
      msrp_server_cleanup (child.server, uri);
    }
  printf ("%u\n", child.port);
  fflush (stdout);
  child_read_command (&child);
  g_main_loop_run (child.loop);

  if (child.relay != NULL)
    msrp_relay_stop (child.relay);
  g_clear_pointer (&child.sessions, g_hash_table_unref);
  g_clear_object (&child.relay);
  g_clear_object (&child.server);
  g_clear_object (&child.in);
  g_main_loop_unref (child.loop);
  return 0;
}

/* The client's view of a child */

typedef struct {
  BenchChild child;
  char pid[32];
  guint16 port;
} Peer;

/* Sends @command and returns the lines of its answer before "ok". */
static GPtrArray *
peer_command (Peer       *peer,
              const char *command)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  bench_child_write_line (&peer->child, command);
  for (;;)
    {
      char *line = bench_child_read_line (&peer->child);

      if (strcmp (line, "ok") == 0)
        {
          g_free (line);
          return lines;
        }
      g_ptr_array_add (lines, line);
    }
}

static void
peer_start (Peer       *peer,
            const char *role)
{
  g_autofree char *role_arg = g_strdup_printf ("--role=%s", role);
  g_autofree char *line = NULL;

  bench_child_start (&peer->child, role, NULL, role_arg, NULL);
  g_snprintf (peer->pid, sizeof peer->pid, "%d", (int) peer->child.pid);
  line = bench_child_read_line (&peer->child);
  peer->port = atoi (line);
}

static void
peer_stop (Peer *peer)
{
  g_free (bench_child_finish (&peer->child, NULL));
}

/* A "Name:   123 kB" field of a /proc file, in KiB; -1 without it. */
static gint64
proc_field_kb (Peer       *peer,
               const char *file,
               const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/%s", peer->pid, file);
  g_autofree char *contents = NULL;
  const char *p;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return -1;
  for (p = contents; p != NULL && *p != '\0'; p = strchr (p, '\n'), p = p ? p + 1 : NULL)
    if (g_str_has_prefix (p, field) && p[strlen (field)] == ':')
      return g_ascii_strtoll (p + strlen (field) + 1, NULL, 10);
  return -1;
}

static guint
peer_count_fds (Peer *peer)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd", peer->pid);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Its user and system CPU time, in seconds. */
static double
peer_cpu_seconds (Peer *peer)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", peer->pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *p;

  if (!g_file_get_contents (path, &contents, NULL, NULL) ||
      (p = strrchr (contents, ')')) == NULL)
    return 0;
  /* After the command: state is field 3, utime 14 and stime 15. */
  fields = g_strsplit (p + 2, " ", 14);
  if (g_strv_length (fields) < 14)
    return 0;
  return (g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10)) /
         (double) sysconf (_SC_CLK_TCK);
}

typedef struct {
  gint64 rss_kb;
  gint64 dirty_kb;
  guint fds;
} Usage;

static Usage
peer_usage (Peer     *peer,
            gboolean  trim)
{
  Usage usage;

  if (trim)
    g_ptr_array_unref (peer_command (peer, "trim"));
  usage.rss_kb = proc_field_kb (peer, "status", "VmRSS");
  usage.dirty_kb = proc_field_kb (peer, "smaps_rollup", "Private_Dirty");
  usage.fds = peer_count_fds (peer);
  return usage;
}

static guint
peer_count (Peer *peer)
{
  g_autoptr(GPtrArray) lines = peer_command (peer, "count");

  return lines->len > 0 ? atoi (g_ptr_array_index (lines, 0)) : 0;
}

/* The client */

typedef struct {
  MsrpConnector *connectors[2];
  GPtrArray *paths[2];
  MsrpSession *sessions[2];  /* [0] receives, [1] sends */
  guint pending;
  struct _Bench *bench;
} Pair;

typedef struct _Bench {
  MsrpRelaySettings *settings;
  Pair *pairs;
  guint n_pairs;
  guint next;                /* the next pair to set up */
  guint opened;
  GPtrArray *server_paths;
  guint closing;

  /* The active phase */
  guint active;
  gint64 start;
  guint64 sent;
  guint64 received;
  guint64 failed;
  GArray *latencies;         /* of double, ms */
  gboolean sending;
} Bench;

static void pair_open_next (Bench *b);
static void direct_open_next (Bench *b);

static void
on_pair_completed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Pair *pair = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpTransport) transport = NULL;
  guint side = MSRP_CONNECTOR (source) == pair->connectors[0] ? 0 : 1;

  transport = msrp_connector_complete_finish (MSRP_CONNECTOR (source), result, &error);
  check (error, "complete");
  pair->sessions[side] = msrp_session_new (transport, NULL);
  if (--pair->pending == 0)
    {
      pair->bench->opened++;
      pair_open_next (pair->bench);
    }
}

static void
on_pair_prepared (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Pair *pair = user_data;
  g_autoptr(GError) error = NULL;
  guint side = MSRP_CONNECTOR (source) == pair->connectors[0] ? 0 : 1;

  pair->paths[side] = msrp_connector_prepare_finish (MSRP_CONNECTOR (source), result, &error);
  check (error, "prepare");
  if (--pair->pending > 0)
    return;
  pair->pending = 2;
  for (guint i = 0; i < 2; i++)
    msrp_connector_complete_async (pair->connectors[i], pair->paths[1 - i], NULL,
                                   on_pair_completed, pair);
}

static void
pair_open_next (Bench *b)
{
  Pair *pair;

  if (b->next >= b->n_pairs)
    return;
  pair = &b->pairs[b->next++];
  pair->bench = b;
  pair->connectors[0] = msrp_acceptor_relay_new (b->settings);
  pair->connectors[1] = msrp_connector_relay_new (b->settings);
  pair->pending = 2;
  for (guint i = 0; i < 2; i++)
    msrp_connector_prepare_async (pair->connectors[i], NULL, NULL, on_pair_prepared, pair);
}

static void
on_direct_completed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Pair *pair = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpTransport) transport = NULL;

  transport = msrp_connector_complete_finish (MSRP_CONNECTOR (source), result, &error);
  check (error, "complete direct");
  pair->sessions[1] = msrp_session_new (transport, NULL);
  pair->bench->opened++;
  direct_open_next (pair->bench);
}

static void
on_direct_prepared (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Pair *pair = user_data;
  Bench *b = pair->bench;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) path = NULL;
  g_autoptr(GPtrArray) remote = NULL;

  path = msrp_connector_prepare_finish (MSRP_CONNECTOR (source), result, &error);
  check (error, "prepare direct");
  remote = msrp_path_parse (g_ptr_array_index (b->server_paths, pair - b->pairs), &error);
  check (error, "server path");
  msrp_connector_complete_async (MSRP_CONNECTOR (source), remote, NULL, on_direct_completed, pair);
}

static void
direct_open_next (Bench *b)
{
  Pair *pair;

  if (b->next >= b->n_pairs)
    return;
  pair = &b->pairs[b->next++];
  pair->bench = b;
  pair->connectors[1] = msrp_connector_direct_new ();
  msrp_connector_prepare_async (pair->connectors[1], NULL, NULL, on_direct_prepared, pair);
}

/* Opens @n pairs (relay) or @n direct sessions, BATCH at a time. */
static double
open_sessions (Bench    *b,
               guint     n,
               gboolean  direct)
{
  gint64 start = g_get_monotonic_time ();

  b->pairs = g_new0 (Pair, n);
  b->n_pairs = n;
  b->next = 0;
  b->opened = 0;
  for (guint i = 0; i < MIN (n, BATCH); i++)
    {
      if (direct)
        direct_open_next (b);
      else
        pair_open_next (b);
    }
  /* Each one set up starts the next. */
  while (b->opened < n)
    g_main_context_iteration (NULL, TRUE);
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
on_closed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Bench *b = user_data;

  msrp_transport_close_finish (MSRP_TRANSPORT (source), result, NULL);
  b->closing--;
}

static void
close_sessions (Bench *b)
{
  for (guint i = 0; i < b->n_pairs; i++)
    for (guint j = 0; j < 2; j++)
      {
        Pair *pair = &b->pairs[i];

        if (pair->sessions[j] != NULL)
          {
            b->closing++;
            msrp_transport_close_async (msrp_session_get_transport (pair->sessions[j]), NULL,
                                        on_closed, b);
          }
      }
  while (b->closing > 0)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < b->n_pairs; i++)
    for (guint j = 0; j < 2; j++)
      {
        Pair *pair = &b->pairs[i];

        g_clear_object (&pair->sessions[j]);
        g_clear_object (&pair->connectors[j]);
        g_clear_pointer (&pair->paths[j], g_ptr_array_unref);
      }
  g_clear_pointer (&b->pairs, g_free);
  b->n_pairs = 0;
}

/* Waits, the client's loop running, until @peer holds @fds descriptors
 * or fewer; FALSE when it does not within 10 s. */
static gboolean
wait_for_fds (Peer  *peer,
              guint  fds)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (peer_count_fds (peer) > fds)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      /* Whatever the client still has to do, then a short pause. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10 * 1000);
    }
  return TRUE;
}

/* The active phase */

static void
on_message_sent (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Bench *b = user_data;
  g_autofree char *message_id = NULL;

  message_id = msrp_session_send_message_finish (MSRP_SESSION (source), result, NULL);
  if (message_id == NULL)
    b->failed++;
}

static void
on_message_received (MsrpSession *session,
                     MsrpChunk   *first_chunk,
                     GBytes      *data,
                     gpointer     user_data)
{
  Bench *b = user_data;
  gint64 sent_at;
  double ms;

  g_assert (g_bytes_get_size (data) == MESSAGE_SIZE);
  memcpy (&sent_at, g_bytes_get_data (data, NULL), sizeof sent_at);
  ms = (g_get_monotonic_time () - sent_at) / 1000.0;
  g_array_append_val (b->latencies, ms);
  b->received++;
}

/* Sends what is due: each active sender once every INTERVAL_US, the
 * senders spread evenly over the interval. */
static gboolean
on_tick (gpointer user_data)
{
  Bench *b = user_data;
  guint64 due = (guint64) (g_get_monotonic_time () - b->start) * b->active / INTERVAL_US;

  while (b->sent < due)
    {
      Pair *pair = &b->pairs[b->sent % b->active];
      guint8 body[MESSAGE_SIZE] = { 0 };
      g_autoptr(GBytes) bytes = NULL;
      gint64 now = g_get_monotonic_time ();

      memcpy (body, &now, sizeof now);
      bytes = g_bytes_new (body, sizeof body);
      msrp_session_send_message_async (pair->sessions[1], bytes, "application/octet-stream",
                                       NULL, on_message_sent, b);
      b->sent++;
    }
  return b->sending ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *sorted,
            double  p)
{
  guint i;

  if (sorted->len == 0)
    return 0;
  i = MIN (sorted->len - 1, (guint) (p * sorted->len));
  return g_array_index (sorted, double, i);
}

static void
run_active (Bench  *b,
            Peer   *relay,
            double  seconds)
{
  guint tick;
  double cpu_before, cpu_after;
  gint64 end;
  Usage during;

  b->active = MIN (b->active, b->n_pairs);
  b->latencies = g_array_sized_new (FALSE, FALSE, sizeof (double),
                                    (guint) (seconds * b->active * 10 + 16));
  for (guint i = 0; i < b->active; i++)
    g_signal_connect (b->pairs[i].sessions[0], "message-received",
                      G_CALLBACK (on_message_received), b);

  cpu_before = peer_cpu_seconds (relay);
  b->start = g_get_monotonic_time ();
  end = b->start + (gint64) (seconds * G_USEC_PER_SEC);
  b->sending = TRUE;
  tick = g_timeout_add (2, on_tick, b);
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  b->sending = FALSE;
  g_source_remove (tick);
  while (b->received + b->failed < b->sent)
    g_main_context_iteration (NULL, TRUE);
  cpu_after = peer_cpu_seconds (relay);
  during = peer_usage (relay, FALSE);

  g_array_sort (b->latencies, compare_double);
  g_print ("active:  %u senders x %.0f msg/s for %.1f s: %" G_GUINT64_FORMAT " sent, %"
           G_GUINT64_FORMAT " received, %" G_GUINT64_FORMAT " failed\n",
           b->active, 1e6 / INTERVAL_US, seconds, b->sent, b->received, b->failed);
  g_print ("         latency send -> message-received: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
           percentile (b->latencies, 0.5), percentile (b->latencies, 0.99),
           percentile (b->latencies, 1.0));
  g_print ("         relay CPU %.0f %% of a core, VmRSS %" G_GINT64_FORMAT " KiB\n",
           100 * (cpu_after - cpu_before) / seconds, during.rss_kb);
  for (guint i = 0; i < b->active; i++)
    g_signal_handlers_disconnect_by_func (b->pairs[i].sessions[0], on_message_received, b);
  g_clear_pointer (&b->latencies, g_array_unref);
}

static void
print_per_session (const char *who,
                   guint       n,
                   Usage      *before,
                   Usage      *after)
{
  g_print ("%-7s  %u sessions: VmRSS %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT
           " KiB (%.2f KiB a session), Private_Dirty %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT
           " KiB (%.2f KiB a session), %u -> %u fds\n",
           who, n, before->rss_kb, after->rss_kb, (after->rss_kb - before->rss_kb) / (double) n,
           before->dirty_kb, after->dirty_kb, (after->dirty_kb - before->dirty_kb) / (double) n,
           before->fds, after->fds);
}

static gboolean
print_returned (const char *who,
                Usage      *start,
                Usage      *peak,
                Usage      *end,
                gboolean    fds_back)
{
  g_print ("%-7s  dropped: fds %u -> %u (%s), VmRSS %" G_GINT64_FORMAT " KiB after trim "
           "(start %" G_GINT64_FORMAT ", kept %" G_GINT64_FORMAT " KiB = %.0f %% of the peak's growth), "
           "Private_Dirty %" G_GINT64_FORMAT " KiB (start %" G_GINT64_FORMAT ")\n",
           who, peak->fds, end->fds, fds_back ? "all returned" : "NOT all returned",
           end->rss_kb, start->rss_kb, end->rss_kb - start->rss_kb,
           peak->rss_kb > start->rss_kb ?
             100.0 * (end->rss_kb - start->rss_kb) / (peak->rss_kb - start->rss_kb) : 0.0,
           end->dirty_kb, start->dirty_kb);
  return fds_back;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *role = NULL;
  int sessions = 10000, active = 1000;
  double seconds = 10;
  gboolean quick = FALSE;
  GOptionEntry entries[] = {
    { "role", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &role, NULL, NULL },
    { "sessions", 'n', 0, G_OPTION_ARG_INT, &sessions, "Sessions at the relay and at the server (default 10000)", "N" },
    { "active", 'a', 0, G_OPTION_ARG_INT, &active, "Senders in the active phase (default 1000)", "N" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Length of the active phase (default 10)", "S" },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "300 sessions, 100 active for 2 s", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  Bench b = { 0 };
  Peer relay = { 0 }, server = { 0 };
  Usage relay_start, relay_idle, relay_end, server_start, server_idle, server_end;
  gboolean ok = TRUE;
  struct rlimit limit;
  double took;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-sessions: %s\n", error->message);
      return 2;
    }
  raise_fd_limit ();
  bench_process_init ("bench-sessions", argv[0]);
  if (role != NULL)
    return run_child (role);
  if (quick)
    {
      sessions = 300;
      active = 100;
      seconds = 2;
    }
  /* Pairs: an even number of relay sessions. */
  sessions = MAX (2, sessions & ~1);
  getrlimit (RLIMIT_NOFILE, &limit);
  if ((rlim_t) sessions + 64 > limit.rlim_cur)
    {
      g_printerr ("bench-sessions: %d sessions need more descriptors than the limit (%lu)\n",
                  sessions, (unsigned long) limit.rlim_cur);
      return 77;
    }

  /* As `msrp relay` does: GLib before 2.76 never gives back what its slice
   * allocator took, so the relay and server children run with plain
   * malloc (G_SLICE is read before main(): set for them here). */
  if (glib_check_version (2, 76, 0) != NULL && g_getenv ("G_SLICE") == NULL)
    g_setenv ("G_SLICE", "always-malloc", TRUE);
  g_timeout_add_seconds (TIMEOUT_SECONDS, on_timeout, NULL);
  peer_start (&relay, "relay");
  peer_start (&server, "server");
  b.settings = msrp_relay_settings_new ("bench", USER, PASSWORD);
  msrp_relay_settings_set_host (b.settings, "127.0.0.1");
  msrp_relay_settings_set_port (b.settings, relay.port);
  msrp_relay_settings_set_use_tls (b.settings, FALSE);
  /* Each session its own connection and AUTH: what the relay holds for
   * clients that do not share. */
  msrp_relay_settings_set_share_connection (b.settings, FALSE);

  /* Relay: N authenticated sessions, N/2 pairs bound through it. */
  relay_start = peer_usage (&relay, TRUE);
  took = open_sessions (&b, sessions / 2, FALSE);
  relay_idle = peer_usage (&relay, FALSE);
  g_print ("relay:   %d sessions authenticated and bound in %.1f s (%u at the relay)\n",
           sessions, took, peer_count (&relay));
  print_per_session ("relay", sessions, &relay_start, &relay_idle);

  b.active = active;
  run_active (&b, &relay, seconds);

  close_sessions (&b);
  wait_for_fds (&relay, relay_start.fds);
  relay_end = peer_usage (&relay, TRUE);
  ok &= print_returned ("relay", &relay_start, &relay_idle, &relay_end,
                        relay_end.fds <= relay_start.fds && peer_count (&relay) == 0);

  /* Server: N sessions bound, each on its own connection. */
  server_start = peer_usage (&server, TRUE);
  {
    g_autofree char *command = g_strdup_printf ("prepare %d", sessions);

    b.server_paths = peer_command (&server, command);
  }
  took = open_sessions (&b, sessions, TRUE);
  /* The server's sessions are made as their bindings are answered. */
  while (peer_count (&server) < (guint) sessions)
    g_main_context_iteration (NULL, FALSE);
  server_idle = peer_usage (&server, FALSE);
  g_print ("server:  %d sessions bound in %.1f s\n", sessions, took);
  print_per_session ("server", sessions, &server_start, &server_idle);
  close_sessions (&b);
  g_clear_pointer (&b.server_paths, g_ptr_array_unref);
  wait_for_fds (&server, server_start.fds);
  server_end = peer_usage (&server, TRUE);
  ok &= print_returned ("server", &server_start, &server_idle, &server_end,
                        server_end.fds <= server_start.fds && peer_count (&server) == 0);

  peer_stop (&relay);
  peer_stop (&server);
  g_clear_object (&b.settings);
  return ok ? 0 : 1;
}
