/* test-connect-loop.c: many connector/acceptor pairs one after another, to
 * catch what each connection leaves behind: file descriptors, main-context
 * sources, objects
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * MSRP_TEST_LOOP_COUNT sets the number of pairs (1000 by default; a tenth
 * of it over TLS), for slow runs such as valgrind.
 */

#include "config.h"

#include <string.h>

#include <gio/gnetworking.h>

#include "msrp-glib.h"
#include "test-utils.h"

#define DEFAULT_COUNT 1000
#define PAIR_TIMEOUT_SECONDS 20
/* Pairs run before the descriptors are counted: GLib and GIO open some on
 * first use and keep them for the life of the process. */
#define WARM_UP_PAIRS 2

typedef struct {
  gboolean tls;
  guint share;  /* runs count / share pairs */
} Setup;

typedef struct {
  guint count;
} Fixture;

/* The objects of one pair, watched until they are finalized. */
enum {
  WATCH_ACCEPTOR,
  WATCH_CONNECTOR,
  WATCH_ACCEPTOR_TRANSPORT,
  WATCH_CONNECTOR_TRANSPORT,
  WATCH_ACCEPTOR_STREAM,
  WATCH_CONNECTOR_STREAM,
  N_WATCHED
};

static const char *const watched_names[N_WATCHED] = {
  "acceptor", "connector", "acceptor's transport", "connector's transport",
  "acceptor's stream", "connector's stream",
};

/* The objects of the running pair, for the timeout's message. */
static GObject **running_pair;

static gboolean
on_timeout (gpointer user_data)
{
  g_autoptr(GString) alive = g_string_new (NULL);

  for (guint i = 0; running_pair != NULL && i < N_WATCHED; i++)
    if (running_pair[i] != NULL)
      g_string_append_printf (alive, "%s%s", alive->len ? ", " : "", watched_names[i]);
  g_error ("a connector/acceptor pair did not finish in %d s; still alive: %s",
           PAIR_TIMEOUT_SECONDS, alive->len ? alive->str : "nothing");
  return G_SOURCE_REMOVE;
}

/* The last reference to a TLS connection may be dropped by a GIO worker
 * thread: the slot is cleared there, and the main context woken up. */
static void
on_watched_finalized (gpointer  slot,
                      GObject  *where_the_object_was)
{
  g_atomic_pointer_set ((GObject **) slot, NULL);
  g_main_context_wakeup (NULL);
}

static void
watch (GObject **slot,
       gpointer  object)
{
  *slot = object;
  g_object_weak_ref (object, on_watched_finalized, slot);
}

static gboolean
any_alive (GObject **watched)
{
  for (guint i = 0; i < N_WATCHED; i++)
    if (g_atomic_pointer_get (&watched[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* Runs the main context until every object of the pair is gone; the
 * pair's timeout fails the test if one stays alive. */
static void
wait_until_finalized (GObject **watched)
{
  while (any_alive (watched))
    g_main_context_iteration (NULL, TRUE);
}

/* The TCP socket under a transport's stream. */
static GSocket *
socket_of (MsrpTransport *transport)
{
  GIOStream *stream = msrp_transport_get_stream (transport);

  if (G_IS_TLS_CONNECTION (stream))
    {
      g_autoptr(GIOStream) base = NULL;

      g_object_get (stream, "base-io-stream", &base, NULL);
      stream = base;  /* the TLS connection keeps it */
    }
  return g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
}

/* Nagle's algorithm would hold the parts of a chunk that a TLS connection
 * writes as separate records until the peer's delayed ACK (40 ms). */
static void
assert_no_delay (MsrpTransport *transport)
{
  GError *error = NULL;
  int value = 0;

  g_assert_true (g_socket_get_option (socket_of (transport), IPPROTO_TCP, TCP_NODELAY, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (value, !=, 0);
}

static void
run_pair (const Setup *setup,
          guint        n)
{
  g_autofree char *text = g_strdup_printf ("pair %u", n);
  g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
  g_autoptr(MsrpChunk) chunk = NULL;
  MsrpConnector *acceptor = msrp_acceptor_direct_new ();
  MsrpConnector *connector = msrp_connector_direct_new ();
  MsrpTransport *acc_transport, *con_transport;
  GObject *watched[N_WATCHED] = { NULL, };
  TestOp write = { 0, }, read = { 0, }, acc_close = { 0, }, con_close = { 0, };
  guint timeout = g_timeout_add_seconds (PAIR_TIMEOUT_SECONDS, on_timeout, NULL);

  running_pair = watched;
  watch (&watched[WATCH_ACCEPTOR], acceptor);
  watch (&watched[WATCH_CONNECTOR], connector);

  if (setup->tls)
    test_set_tls_pair (acceptor, connector, test_certificate ("alice.example.com"),
                       test_certificate ("bob.example.com"));
  test_connect_pair (acceptor, connector, listen_uri, &acc_transport, &con_transport);
  watch (&watched[WATCH_ACCEPTOR_TRANSPORT], acc_transport);
  watch (&watched[WATCH_CONNECTOR_TRANSPORT], con_transport);
  watch (&watched[WATCH_ACCEPTOR_STREAM], msrp_transport_get_stream (acc_transport));
  watch (&watched[WATCH_CONNECTOR_STREAM], msrp_transport_get_stream (con_transport));
  assert_no_delay (acc_transport);
  assert_no_delay (con_transport);

  chunk = msrp_transport_make_chunk (con_transport, NULL, body, "text/plain");
  msrp_transport_write_chunk_async (con_transport, chunk, NULL, test_on_written, &write);
  msrp_transport_read_chunk_async (acc_transport, 0, NULL, test_on_read, &read);
  test_wait_both (&write, &read);
  g_assert_true (g_bytes_equal (msrp_chunk_get_data (read.chunk), body));
  g_assert_cmpstr (msrp_chunk_get_message_id (read.chunk), ==, msrp_chunk_get_message_id (chunk));

  msrp_transport_close_async (acc_transport, NULL, test_on_closed, &acc_close);
  msrp_transport_close_async (con_transport, NULL, test_on_closed, &con_close);
  test_wait_both (&acc_close, &con_close);
  g_assert_true (g_io_stream_is_closed (msrp_transport_get_stream (acc_transport)));
  g_assert_true (g_io_stream_is_closed (msrp_transport_get_stream (con_transport)));

  /* Drop everything. */
  g_clear_object (&chunk);
  g_object_unref (acc_transport);
  g_object_unref (con_transport);
  test_op_clear (&write);
  test_op_clear (&read);
  test_op_clear (&acc_close);
  test_op_clear (&con_close);
  g_object_unref (acceptor);
  g_object_unref (connector);

  wait_until_finalized (watched);
  running_pair = NULL;
  g_source_remove (timeout);
}

/* GIO's GSocketClient writes seven debug messages for each connection,
 * which GTest prints: they are dropped during the loop. */
static void
drop_message (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
}

/* Descriptors */

/* What each descriptor is, for the message of a failed test. */
static void
list_fds (void)
{
  GDir *dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      g_test_message ("fd %s -> %s", name, target ? target : "?");
    }
  g_dir_close (dir);
}

/* Sources */

static gboolean
never (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* Source ids of a context are handed out in increasing order: a source
 * attached and removed at once marks a point in time. */
static guint
source_id_mark (void)
{
  guint id = g_idle_add (never, NULL);

  g_source_remove (id);
  return id;
}

/* Returns how many sources attached between the two marks are still
 * attached, and names them in the test's messages. */
static guint
count_sources_between (guint first,
                       guint last)
{
  guint left = 0;

  for (guint id = first + 1; id < last; id++)
    {
      GSource *source = g_main_context_find_source_by_id (NULL, id);

      if (source != NULL)
        {
          const char *name = g_source_get_name (source);

          g_test_message ("source %u left: %s", id, name ? name : "(unnamed)");
          left++;
        }
    }
  return left;
}

/* Dispatches whatever is ready, until nothing is: fails if something
 * stays ready forever. */
static void
drain_main_context (void)
{
  guint iterations = 0;

  while (g_main_context_iteration (NULL, FALSE))
    g_assert_cmpuint (++iterations, <, 10000);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  const char *env = g_getenv ("MSRP_TEST_LOOP_COUNT");

  fx->count = DEFAULT_COUNT;
  if (env != NULL)
    {
      guint64 count = 0;
      g_autoptr(GError) error = NULL;

      g_ascii_string_to_unsigned (env, 10, 1, G_MAXUINT, &count, &error);
      g_assert_no_error (error);
      fx->count = count;
    }
}

static void
test_loop (Fixture       *fx,
           gconstpointer  data)
{
  const Setup *setup = data;
  guint count = MAX (fx->count / setup->share, 1);
  guint fds_before, fds_after;
  guint first_source, last_source, sources_left;
  guint gio_debug;
  gint64 start;

  if (!g_file_test ("/proc/self/fd", G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no /proc/self/fd to count file descriptors");
      return;
    }

  for (guint i = 0; i < WARM_UP_PAIRS; i++)
    run_pair (setup, i);
  drain_main_context ();
  gio_debug = g_log_set_handler ("GLib-GIO", G_LOG_LEVEL_DEBUG, drop_message, NULL);

  fds_before = test_count_fds ();
  first_source = source_id_mark ();
  start = g_get_monotonic_time ();

  for (guint i = 0; i < count; i++)
    run_pair (setup, i);

  g_test_message ("%u %s pairs in %.2f s", count, setup->tls ? "TLS" : "TCP",
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  drain_main_context ();
  last_source = source_id_mark ();
  sources_left = count_sources_between (first_source, last_source);
  fds_after = test_count_fds ();
  g_log_remove_handler ("GLib-GIO", gio_debug);
  if (fds_after != fds_before)
    list_fds ();

  g_assert_cmpuint (sources_left, ==, 0);
  /* Fewer is fine: some descriptor of the warm-up closed late. */
  g_assert_cmpuint (fds_after, <=, fds_before);
}

static const Setup plain = { FALSE, 1 };
/* A tenth as many over TLS: each TLS connection costs some 25 ms of CPU
 * (glib-networking 2.74 parses the system CA store for every one), and
 * what leaks would leak in any of them. */
static const Setup tls = { TRUE, 10 };

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/connect-loop/tcp", Fixture, &plain, fixture_set_up, test_loop, NULL);
  g_test_add ("/connect-loop/tls", Fixture, &tls, fixture_set_up, test_loop, NULL);

  return g_test_run ();
}
