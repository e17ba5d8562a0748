/* test-relay-client.c: MsrpConnectorRelay and MsrpAcceptorRelay through
 * real RFC 4976 relays: Kamailio's msrp module (started by this test) and
 * our own MsrpRelay, and across the two
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "msrp-glib.h"
#include "msrp-relay-client-private.h"
#include "msrp-digest-private.h"
#include "msrp-transport-private.h"
#include "test-utils.h"

#define TIMEOUT_SECONDS 60


/* Kamailio runs around this test (tests/relay/with-kamailio): its own
 * certificate is the one it must present. */
static gboolean
accept_kamailio_cert (MsrpConnector        *connector,
                      GTlsCertificate      *peer_cert,
                      GTlsCertificateFlags  errors,
                      gpointer              user_data)
{
  g_autoptr(GTlsCertificate) expected = g_tls_certificate_new_from_file (test_kamailio.cert, NULL);

  g_assert_nonnull (expected);
  return g_tls_certificate_is_same (expected, peer_cert);
}

/* What goes where */

typedef enum {
  SIDE_KAMAILIO,
  SIDE_KAMAILIO_TLS,
  SIDE_DIRECT,
  SIDE_OURS,
  SIDE_OURS_TLS,
} Side;

typedef struct {
  const char *name;
  Side active;
  Side passive;
  gboolean any_peer;   /* the passive side completes without a path */
} Setup;

typedef struct {
  MsrpSession *a, *b;
  GPtrArray *messages_b;
  GPtrArray *messages_a;
  GPtrArray *reports_a;
  guint timeout_id;
} Pair;

static MsrpConnector *
make_connector (Side     side,
                gboolean active,
                const char *user,
                const char *password)
{
  g_autoptr(MsrpRelaySettings) settings = NULL;

  MsrpConnector *connector;

  if (side == SIDE_DIRECT)
    return active ? msrp_get_connector (NULL) : msrp_get_acceptor (NULL);
  if (side == SIDE_OURS || side == SIDE_OURS_TLS)
    settings = test_ours_settings (user, password, side == SIDE_OURS_TLS);
  else
    settings = test_kamailio_settings (user, password, side == SIDE_KAMAILIO_TLS);
  connector = active ? msrp_get_connector (settings) : msrp_get_acceptor (settings);
  if (side == SIDE_OURS_TLS)
    g_signal_connect (connector, "accept-certificate", G_CALLBACK (test_ours_accept_cert), NULL);
  return connector;
}

static void
pair_setup (Pair        *p,
            const Setup *setup)
{
  g_autoptr(MsrpConnector) conn_a = make_connector (setup->active, TRUE, "alice", "alicepass");
  g_autoptr(MsrpConnector) conn_b = make_connector (setup->passive, FALSE, "bob", "bobpass");
  g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(GPtrArray) path_a = NULL;
  g_autoptr(GPtrArray) path_b = NULL;
  TestOp ca = { 0, }, cb = { 0, };

  p->timeout_id = test_watchdog_start (TIMEOUT_SECONDS);

  if (setup->active != SIDE_DIRECT)
    g_assert_true (MSRP_IS_CONNECTOR_RELAY (conn_a));
  else if (setup->passive == SIDE_OURS_TLS)
    g_signal_connect (conn_a, "accept-certificate", G_CALLBACK (test_ours_accept_cert), NULL);
  else
    /* A direct peer connects to the far relay itself and checks its
     * certificate (self-signed here). */
    g_signal_connect (conn_a, "accept-certificate", G_CALLBACK (accept_kamailio_cert), NULL);
  if (setup->passive != SIDE_DIRECT)
    g_assert_true (MSRP_IS_ACCEPTOR_RELAY (conn_b));

  path_b = test_prepare (conn_b, setup->passive == SIDE_DIRECT ? listen_uri : NULL);
  path_a = test_prepare (conn_a, NULL);

  /* Through a relay the path is Use-Path, then the local URI. */
  g_assert_cmpuint (path_a->len, ==, setup->active == SIDE_DIRECT ? 1 : 2);
  g_assert_cmpuint (path_b->len, ==, setup->passive == SIDE_DIRECT ? 1 : 2);
  if (setup->passive != SIDE_DIRECT)
    {
      MsrpUri *relay = g_ptr_array_index (path_b, 0);

      guint16 port[] = { test_kamailio.port, test_kamailio.tls_port, 0, test_ours.port, test_ours.tls_port };
      gboolean tls = setup->passive == SIDE_KAMAILIO_TLS || setup->passive == SIDE_OURS_TLS;

      g_assert_cmpuint (msrp_uri_get_port (relay), ==, port[setup->passive]);
      g_assert_true (msrp_uri_get_use_tls (relay) == tls);
      g_assert_nonnull (msrp_uri_get_session_id (relay));
    }

  msrp_connector_complete_async (conn_b, setup->any_peer ? NULL : path_a, NULL, test_on_completed, &cb);
  msrp_connector_complete_async (conn_a, path_b, NULL, test_on_completed, &ca);
  test_wait_both (&ca, &cb);

  g_assert_true (_msrp_transport_get_through_relay (ca.transport) == (setup->active != SIDE_DIRECT));
  g_assert_true (_msrp_transport_get_through_relay (cb.transport) == (setup->passive != SIDE_DIRECT));

  p->a = msrp_session_new (ca.transport, NULL);
  p->b = msrp_session_new (cb.transport, NULL);
  p->messages_a = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  p->messages_b = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  p->reports_a = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (p->a, "message-received", G_CALLBACK (test_keep_message), p->messages_a);
  g_signal_connect (p->b, "message-received", G_CALLBACK (test_keep_message), p->messages_b);
  g_signal_connect (p->a, "report-received", G_CALLBACK (test_keep_chunk), p->reports_a);
  test_op_clear (&ca);
  test_op_clear (&cb);
}

static void
pair_teardown (Pair *p)
{
  TestOp da = { 0, }, db = { 0, };

  msrp_session_shutdown_async (p->a, NULL, test_on_shutdown, &da);
  msrp_session_shutdown_async (p->b, NULL, test_on_shutdown, &db);
  test_wait_for (&da.done);
  test_wait_for (&db.done);
  test_op_clear (&da);
  test_op_clear (&db);
  g_clear_object (&p->a);
  g_clear_object (&p->b);
  g_clear_pointer (&p->messages_a, g_ptr_array_unref);
  g_clear_pointer (&p->messages_b, g_ptr_array_unref);
  g_clear_pointer (&p->reports_a, g_ptr_array_unref);
  test_watchdog_stop (p->timeout_id);
}

static void
send_text (MsrpSession *session,
           const char  *text,
           gboolean     success_report)
{
  g_autoptr(GBytes) data = g_bytes_new (text, strlen (text));
  TestOp op = { 0, };

  g_object_set (session, "success-report", success_report, NULL);
  msrp_session_send_message_async (session, data, "text/plain", NULL, test_on_message_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_nonnull (op.message_id);
  test_op_clear (&op);
}

static void
assert_bytes_str (GBytes     *bytes,
                  const char *text)
{
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), text, strlen (text));
}

/* Messages both ways, a success REPORT back through the relay. */
static void
test_exchange (gconstpointer data)
{
  const Setup *setup = data;
  Pair p = { 0, };

  pair_setup (&p, setup);

  send_text (p.a, "hello through the relay", TRUE);
  test_wait_for_len (p.messages_b, 1);
  assert_bytes_str (g_ptr_array_index (p.messages_b, 0), "hello through the relay");
  /* send_message_async completes only with the REPORT when asked. */
  g_assert_cmpuint (p.reports_a->len, ==, 1);
  {
    guint code = 0;

    g_assert_true (msrp_chunk_get_status (g_ptr_array_index (p.reports_a, 0), &code, NULL));
    g_assert_cmpuint (code, ==, 200);
  }

  send_text (p.b, "and back", FALSE);
  test_wait_for_len (p.messages_a, 1);
  assert_bytes_str (g_ptr_array_index (p.messages_a, 0), "and back");

  /* Through a relay, chunks stay small: 8 KiB by default, as the
   * session's max-chunk-size documentation says. */
  if (setup->active != SIDE_DIRECT)
    g_assert_cmpuint (msrp_session_get_max_chunk_size (p.a), ==, 8 * 1024);

  pair_teardown (&p);
}

/* A 50 MiB file in 8 KiB chunks through the relay, checked by SHA-256. */
static void
test_file (gconstpointer data)
{
  const Setup *setup = data;
  const gsize size = 50 * 1024 * 1024;
  Pair p = { 0, };
  g_autofree guint8 *buf = g_malloc (size);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(MsrpOutgoingFile) file = NULL;
  g_autofree char *sent_sum = NULL, *got_sum = NULL;
  gint64 t0;
  TestOp op = { 0, };

  pair_setup (&p, setup);
  msrp_session_set_max_chunk_size (p.a, 8192);

  for (gsize i = 0; i < size; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (buf + i, &r, 4);
    }
  bytes = g_bytes_new_static (buf, size);
  sent_sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  stream = g_memory_input_stream_new_from_bytes (bytes);
  file = msrp_outgoing_file_new (stream, size, "application/octet-stream", 0, NULL);
  g_object_set (p.a, "success-report", TRUE, NULL);
  msrp_session_set_max_message_size (p.b, size);

  t0 = g_get_monotonic_time ();
  msrp_session_send_file_async (p.a, file, NULL, test_on_file_sent, &op);
  test_wait_for (&op.done);
  g_test_message ("50 MiB in 8 KiB chunks through the relay, both ends in this thread: %.2f s",
                  (g_get_monotonic_time () - t0) / 1e6);
  g_assert_no_error (op.error);
  g_assert_cmpint (msrp_outgoing_file_get_bytes_sent (file), ==, size);
  test_wait_for_len (p.messages_b, 1);
  got_sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, g_ptr_array_index (p.messages_b, 0));
  g_assert_cmpstr (got_sum, ==, sent_sum);
  g_assert_cmpuint (p.reports_a->len, ==, 1);

  pair_teardown (&p);
}

static void
test_wrong_password (void)
{
  g_autoptr(MsrpRelaySettings) settings = test_kamailio_settings ("alice", "wrong", FALSE);
  g_autoptr(MsrpConnector) connector = msrp_get_connector (settings);
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  GError *error = test_prepare_error (connector);

  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "alice"));
  g_error_free (error);
  test_watchdog_stop (id);
}

static void
test_unknown_user (void)
{
  g_autoptr(MsrpRelaySettings) settings = test_kamailio_settings ("mallory", "x", TRUE);
  g_autoptr(MsrpConnector) acceptor = msrp_get_acceptor (settings);
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  GError *error = test_prepare_error (acceptor);

  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED);
  g_error_free (error);
  test_watchdog_stop (id);
}

/* Kamailio wants uri=: without it the answer is refused, and auto mode
 * finds the form that works. */
static void
test_digest_uri_modes (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  MsrpDigestUriMode modes[] = { MSRP_DIGEST_URI_OMIT, MSRP_DIGEST_URI_INCLUDE, MSRP_DIGEST_URI_AUTO };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr(MsrpRelaySettings) settings = test_kamailio_settings ("bob", "bobpass", FALSE);
      g_autoptr(MsrpConnector) connector = NULL;

      msrp_relay_settings_set_digest_uri_mode (settings, modes[i]);
      connector = msrp_get_connector (settings);
      if (modes[i] == MSRP_DIGEST_URI_OMIT)
        {
          GError *error = test_prepare_error (connector);

          g_assert_error (error, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED);
          g_error_free (error);
        }
      else
        {
          g_autoptr(GPtrArray) path = test_prepare (connector, NULL);

          g_assert_cmpuint (path->len, ==, 2);
          msrp_connector_cleanup (connector);
        }
    }
  test_watchdog_stop (id);
}

/* Expires below the relay's minimum: 423 with Min-Expires, then retried. */
static void
test_expires_bounds (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  guint asked[] = { 10, 100000, 120 };
  guint expected[] = { 60, 3600, 120 };

  for (guint i = 0; i < G_N_ELEMENTS (asked); i++)
    {
      g_autoptr(MsrpRelaySettings) settings = test_kamailio_settings ("alice", "alicepass", FALSE);
      g_autoptr(MsrpConnector) connector = NULL;
      g_autoptr(MsrpConnector) peer = msrp_get_acceptor (NULL);
      g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
      g_autoptr(MsrpTransport) ta = NULL;
      g_autoptr(MsrpTransport) tb = NULL;
      MsrpRelayLink *link;

      msrp_relay_settings_set_expires (settings, asked[i]);
      connector = msrp_get_connector (settings);
      test_connect_pair (peer, connector, listen_uri, &tb, &ta);
      link = g_object_get_data (G_OBJECT (ta), "msrp-relay-link");
      g_assert_nonnull (link);
      g_assert_cmpuint (_msrp_relay_link_get_expires (link), ==, expected[i]);
    }
  test_watchdog_stop (id);
}

/* Without the relay's certificate in the database the handshake fails;
 * an accept-certificate handler may decide instead. */
static void
test_tls_certificate_check (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  g_autoptr(MsrpRelaySettings) settings = test_kamailio_settings ("alice", "alicepass", TRUE);
  g_autoptr(MsrpConnector) connector = NULL;
  g_autoptr(GTlsDatabase) empty = NULL;
  g_autoptr(GPtrArray) path = NULL;
  g_autofree char *empty_file = NULL;
  GError *error = NULL;
  int fd;

  /* A database that trusts nothing (an empty anchor file is refused, so
   * use one with an unrelated certificate). */
  {
    GTlsCertificate *other = test_certificate ("other");
    g_autofree char *pem = NULL;

    g_object_get (other, "certificate-pem", &pem, NULL);
    fd = g_file_open_tmp ("msrp-ca-XXXXXX.pem", &empty_file, &error);
    g_assert_no_error (error);
    g_assert_true (write (fd, pem, strlen (pem)) == (gssize) strlen (pem));
    close (fd);
  }
  empty = g_tls_file_database_new (empty_file, &error);
  g_assert_no_error (error);
  msrp_relay_settings_set_tls_database (settings, empty);

  connector = msrp_get_connector (settings);
  error = test_prepare_error (connector);
  g_assert_true (error->domain == G_TLS_ERROR || error->domain == G_IO_ERROR || error->domain == MSRP_ERROR);
  g_clear_error (&error);
  g_clear_object (&connector);

  connector = msrp_get_connector (settings);
  g_signal_connect (connector, "accept-certificate", G_CALLBACK (accept_kamailio_cert), NULL);
  path = test_prepare (connector, NULL);
  g_assert_cmpuint (path->len, ==, 2);
  msrp_connector_cleanup (connector);

  g_unlink (empty_file);
  test_watchdog_stop (id);
}

/* DNS SRV: a resolver that knows one domain. */

typedef struct {
  GResolver parent_instance;
  GList *targets;
} TestResolver;

typedef GResolverClass TestResolverClass;

GType test_resolver_get_type (void);
G_DEFINE_TYPE (TestResolver, test_resolver, G_TYPE_RESOLVER)

static guint srv_lookups;

static gpointer
copy_target (gconstpointer target,
             gpointer      user_data)
{
  return g_srv_target_copy ((GSrvTarget *) target);
}

static void
test_resolver_lookup_service_async (GResolver           *resolver,
                                    const char          *rrname,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  TestResolver *self = (TestResolver *) resolver;
  GTask *task = g_task_new (resolver, cancellable, callback, user_data);

  srv_lookups++;
  if (strcmp (rrname, "_msrp._tcp.relay.test") == 0 && self->targets != NULL)
    g_task_return_pointer (task, g_list_copy_deep (self->targets, copy_target, NULL),
                           NULL);
  else
    g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no SRV for %s", rrname);
  g_object_unref (task);
}

static GList *
test_resolver_lookup_service_finish (GResolver     *resolver,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  klass->lookup_service_async = test_resolver_lookup_service_async;
  klass->lookup_service_finish = test_resolver_lookup_service_finish;
}

static void
test_resolver_init (TestResolver *self)
{
}

static void
test_srv (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  g_autoptr(GResolver) original = g_resolver_get_default ();
  TestResolver *resolver = g_object_new (test_resolver_get_type (), NULL);
  g_autoptr(GSocket) closed = NULL;
  g_autoptr(GSocketAddress) closed_addr = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  guint16 dead_port;
  GError *error = NULL;

  /* A port that refuses connections: bound, never listening. */
  closed = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (closed, any, FALSE, &error));
  closed_addr = g_socket_get_local_address (closed, &error);
  dead_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (closed_addr));

  /* The first target (priority 10) is dead, the second one is the relay. */
  resolver->targets = g_list_append (resolver->targets, g_srv_target_new ("127.0.0.1", test_kamailio.port, 20, 0));
  resolver->targets = g_list_prepend (resolver->targets, g_srv_target_new ("127.0.0.1", dead_port, 10, 0));
  g_resolver_set_default (G_RESOLVER (resolver));

  {
    g_autoptr(MsrpRelaySettings) settings = msrp_relay_settings_new ("relay.test", "alice", "alicepass");
    g_autoptr(MsrpConnector) connector = NULL;
    g_autoptr(GPtrArray) path = NULL;

    msrp_relay_settings_set_use_tls (settings, FALSE);
    connector = msrp_get_connector (settings);
    srv_lookups = 0;
    path = test_prepare (connector, NULL);
    g_assert_cmpuint (srv_lookups, >=, 1);
    g_assert_cmpuint (msrp_uri_get_port (g_ptr_array_index (path, 0)), ==, test_kamailio.port);
    msrp_connector_cleanup (connector);
  }

  {
    g_autoptr(MsrpRelaySettings) settings = msrp_relay_settings_new ("nowhere.test", "alice", "alicepass");
    g_autoptr(MsrpConnector) connector = NULL;

    msrp_relay_settings_set_use_tls (settings, FALSE);
    connector = msrp_get_connector (settings);
    error = test_prepare_error (connector);
    g_assert_error (error, MSRP_ERROR, MSRP_ERROR_RELAY_NOT_FOUND);
    g_clear_error (&error);
  }

  g_resolver_set_default (original);
  g_list_free_full (resolver->targets, (GDestroyNotify) g_srv_target_free);
  resolver->targets = NULL;
  g_object_unref (resolver);
  test_watchdog_stop (id);
}

/* Cleanup while the AUTH is under way leaves nothing behind. */
static void
test_cleanup_during_prepare (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  g_autoptr(MsrpRelaySettings) settings = test_kamailio_settings ("alice", "alicepass", TRUE);
  g_autoptr(MsrpConnector) connector = msrp_get_connector (settings);
  TestOp op = { 0, };

  msrp_connector_prepare_async (connector, NULL, NULL, test_on_prepared, &op);
  msrp_connector_cleanup (connector);
  test_op_assert_error (&op, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  test_watchdog_stop (id);
}

/* Our relay: AUTH failures and bounds. */
static void
test_ours_auth (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  struct {
    const char *user, *password;
    MsrpDigestUriMode mode;
    guint expires;
    gboolean ok;
  } cases[] = {
    { "alice", "alicepass", MSRP_DIGEST_URI_INCLUDE, 0, TRUE },
    { "alice", "alicepass", MSRP_DIGEST_URI_OMIT, 0, TRUE },
    { "alice", "alicepass", MSRP_DIGEST_URI_AUTO, 5, TRUE },
    { "alice", "alicepass", MSRP_DIGEST_URI_AUTO, 99999, TRUE },
    { "alice", "wrong", MSRP_DIGEST_URI_AUTO, 0, FALSE },
    { "mallory", "alicepass", MSRP_DIGEST_URI_INCLUDE, 0, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MsrpRelaySettings) settings = test_ours_settings (cases[i].user, cases[i].password, i % 2);
      g_autoptr(MsrpConnector) connector = NULL;

      msrp_relay_settings_set_digest_uri_mode (settings, cases[i].mode);
      msrp_relay_settings_set_expires (settings, cases[i].expires);
      connector = msrp_get_acceptor (settings);
      g_signal_connect (connector, "accept-certificate", G_CALLBACK (test_ours_accept_cert), NULL);
      if (cases[i].ok)
        {
          g_autoptr(GPtrArray) path = test_prepare (connector, NULL);
          g_autoptr(GPtrArray) peer = test_path ("msrp://127.0.0.1:9/peer;tcp");
          TestOp c = { 0, };

          /* Out-of-bounds Expires were retried after the 423. */
          g_assert_cmpuint (path->len, ==, 2);
          /* The peer never binds: cleanup ends the wait. */
          msrp_connector_complete_async (connector, peer, NULL, test_on_completed, &c);
          msrp_connector_cleanup (connector);
          test_op_assert_error (&c, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        }
      else
        {
          GError *error = test_prepare_error (connector);

          g_assert_error (error, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED);
          g_error_free (error);
        }
    }
  test_watchdog_stop (id);
}

/* A logger that tells when a 200 with Expires (an AUTH's) comes in. */
typedef struct {
  GObject parent_instance;
  guint auth_ok;
} AuthWatch;

typedef GObjectClass AuthWatchClass;

static void auth_watch_iface_init (MsrpLoggerInterface *iface);
GType auth_watch_get_type (void);
G_DEFINE_TYPE_WITH_CODE (AuthWatch, auth_watch, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (MSRP_TYPE_LOGGER, auth_watch_iface_init))

static void
auth_watch_received_new_chunk (MsrpLogger    *logger,
                               MsrpTransport *transport,
                               MsrpChunk     *chunk,
                               GBytes        *data)
{
  if (!msrp_chunk_is_request (chunk) && msrp_chunk_get_code (chunk) == 200 &&
      msrp_chunk_get_expires (chunk) > 0)
    ((AuthWatch *) logger)->auth_ok++;
}

static void
auth_watch_iface_init (MsrpLoggerInterface *iface)
{
  iface->received_new_chunk = auth_watch_received_new_chunk;
}

static void
auth_watch_class_init (AuthWatchClass *klass)
{
}

static void
auth_watch_init (AuthWatch *self)
{
}

/* With a 2 s lifetime, the authorization is refreshed while the session
 * lives, and the session goes on working past the first expiry. */
static void
test_ours_refresh (void)
{
  Setup setup = { NULL, SIDE_OURS, SIDE_OURS };
  g_autoptr(MsrpRelaySettings) settings = test_ours_settings ("alice", "alicepass", FALSE);
  g_autoptr(MsrpConnector) connector = NULL;
  g_autoptr(MsrpConnector) acceptor = NULL;
  g_autoptr(GPtrArray) path_a = NULL, path_b = NULL;
  AuthWatch *watch = g_object_new (auth_watch_get_type (), NULL);
  guint min = msrp_relay_get_min_expires (test_ours.relay);
  Pair p = { 0, };
  TestOp ca = { 0, }, cb = { 0, };

  (void) setup;
  p.timeout_id = test_watchdog_start (TIMEOUT_SECONDS);
  msrp_relay_set_min_expires (test_ours.relay, 1);
  msrp_relay_settings_set_expires (settings, 2);
  connector = msrp_get_connector (settings);
  g_object_set (connector, "logger", watch, NULL);
  acceptor = msrp_get_acceptor (NULL);
  {
    g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);

    path_b = test_prepare (acceptor, listen_uri);
  }
  path_a = test_prepare (connector, NULL);
  g_assert_cmpuint (watch->auth_ok, ==, 1);
  msrp_connector_complete_async (acceptor, path_a, NULL, test_on_completed, &cb);
  msrp_connector_complete_async (connector, path_b, NULL, test_on_completed, &ca);
  test_wait_both (&ca, &cb);
  p.a = msrp_session_new (ca.transport, NULL);
  p.b = msrp_session_new (cb.transport, NULL);
  p.messages_a = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  p.messages_b = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  p.reports_a = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (p.b, "message-received", G_CALLBACK (test_keep_message), p.messages_b);

  /* Two refreshes: 3 s and more after the first AUTH, past its expiry. */
  while (watch->auth_ok < 3)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (msrp_relay_get_n_sessions (test_ours.relay), >=, 1);
  send_text (p.a, "still here", FALSE);
  test_wait_for_len (p.messages_b, 1);

  test_op_clear (&ca);
  test_op_clear (&cb);
  pair_teardown (&p);
  msrp_relay_set_min_expires (test_ours.relay, min);
  g_object_unref (watch);
}

/* The acceptor keeps its authorization fresh while it waits for the peer:
 * the peer binds after the first lifetime has run out. */
static void
test_ours_refresh_before_bind (void)
{
  g_autoptr(MsrpRelaySettings) settings = test_ours_settings ("bob", "bobpass", FALSE);
  g_autoptr(MsrpConnector) acceptor = NULL;
  g_autoptr(MsrpConnector) connector = msrp_get_connector (NULL);
  g_autoptr(GPtrArray) path_a = NULL, path_b = NULL;
  AuthWatch *watch = g_object_new (auth_watch_get_type (), NULL);
  guint min = msrp_relay_get_min_expires (test_ours.relay);
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  TestOp ca = { 0, }, cb = { 0, };

  msrp_relay_set_min_expires (test_ours.relay, 1);
  msrp_relay_settings_set_expires (settings, 2);
  acceptor = msrp_get_acceptor (settings);
  g_object_set (acceptor, "logger", watch, NULL);
  path_b = test_prepare (acceptor, NULL);
  path_a = test_prepare (connector, NULL);
  msrp_connector_complete_async (acceptor, path_a, NULL, test_on_completed, &cb);
  /* The relay forgets a session 5 s after its Expires (2 s): eight
   * refreshes, one a second, take the wait well past that. */
  while (watch->auth_ok < 9)
    g_main_context_iteration (NULL, TRUE);
  msrp_connector_complete_async (connector, path_b, NULL, test_on_completed, &ca);
  test_wait_both (&ca, &cb);

  test_op_clear (&ca);
  test_op_clear (&cb);
  msrp_relay_set_min_expires (test_ours.relay, min);
  g_object_unref (watch);
  test_watchdog_stop (id);
}

/* A relay of the test's own, for behaviours real relays here do not have. */

typedef enum {
  FAKE_SILENT_ON_URI,   /* never answers an AUTH whose Authorization has uri= */
  FAKE_FORBIDDEN,       /* 403 to any answer */
  FAKE_NO_USE_PATH,     /* 200 without Use-Path */
  FAKE_STALE_ONCE,      /* a new challenge, stale=TRUE, to the first right answer */
} FakeMode;

typedef struct {
  FakeMode mode;
  GSocketListener *listener;
  MsrpTransport *transport;
  guint16 port;
  guint auths;
  guint auths_with_uri;
  gboolean sent_stale;
} FakeRelay;

static void fake_read (FakeRelay *fake);

static void
on_fake_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FakeRelay *fake = user_data;
  g_autoptr(MsrpChunk) chunk = msrp_transport_read_chunk_finish (MSRP_TRANSPORT (source), result, NULL);
  g_autoptr(MsrpChunk) response = NULL;
  g_autoptr(GHashTable) params = NULL;

  if (chunk == NULL)
    return;
  g_assert_true (msrp_chunk_is_request (chunk));
  g_assert_cmpstr (msrp_chunk_get_method (chunk), ==, "AUTH");
  fake->auths++;
  params = msrp_chunk_get_auth_params (chunk, "Authorization", NULL);
  if (params == NULL)
    {
      g_autofree char *nonce = _msrp_digest_new_nonce ();
      g_autofree char *challenge = _msrp_digest_make_challenge ("example.com", nonce, FALSE);

      response = msrp_transport_make_response (fake->transport, chunk, 401, NULL);
      msrp_chunk_set_www_authenticate (response, challenge);
    }
  else if (g_hash_table_contains (params, "uri") && fake->mode == FAKE_SILENT_ON_URI)
    fake->auths_with_uri++;
  else if (!_msrp_digest_verify (params, "alicepass", "AUTH", msrp_chunk_get_header (chunk, "To-Path")))
    response = msrp_transport_make_response (fake->transport, chunk, 401, NULL);
  else if (fake->mode == FAKE_FORBIDDEN)
    response = msrp_transport_make_response (fake->transport, chunk, 403, NULL);
  else if (fake->mode == FAKE_STALE_ONCE && !fake->sent_stale)
    {
      g_autofree char *nonce = _msrp_digest_new_nonce ();
      g_autofree char *challenge = _msrp_digest_make_challenge ("example.com", nonce, TRUE);

      fake->sent_stale = TRUE;
      response = msrp_transport_make_response (fake->transport, chunk, 401, NULL);
      msrp_chunk_set_www_authenticate (response, challenge);
    }
  else
    {
      response = msrp_transport_make_response (fake->transport, chunk, 200, NULL);
      msrp_chunk_set_expires (response, 600);
      if (fake->mode != FAKE_NO_USE_PATH)
        {
          g_autofree char *uri = g_strdup_printf ("msrp://127.0.0.1:%u/fakesession;tcp", fake->port);
          g_autoptr(GPtrArray) use_path = test_path (uri);

          msrp_chunk_set_use_path (response, use_path);
        }
    }
  if (response != NULL)
    msrp_transport_write_chunk_async (fake->transport, response, NULL, NULL, NULL);
  fake_read (fake);
}

static void
fake_read (FakeRelay *fake)
{
  msrp_transport_read_chunk_async (fake->transport, 0, NULL, on_fake_read, fake);
}

static void
on_fake_accepted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FakeRelay *fake = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *self_uri = g_strdup_printf ("msrp://127.0.0.1:%u;tcp", fake->port);
  g_autoptr(GPtrArray) local = test_path (self_uri);

  connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, NULL);
  if (connection == NULL)
    return;
  fake->transport = g_object_new (MSRP_TYPE_TRANSPORT, "stream", connection, "full-local-path", local, NULL);
  fake_read (fake);
}

static void
fake_start (FakeRelay *fake,
            FakeMode   mode)
{
  GError *error = NULL;

  fake->mode = mode;
  fake->listener = g_socket_listener_new ();
  fake->port = g_socket_listener_add_any_inet_port (fake->listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_accept_async (fake->listener, NULL, on_fake_accepted, fake);
}

static void
fake_stop (FakeRelay *fake)
{
  g_socket_listener_close (fake->listener);
  g_clear_object (&fake->listener);
  if (fake->transport != NULL)
    msrp_transport_close_async (fake->transport, NULL, NULL, NULL);
  g_clear_object (&fake->transport);
}

static MsrpRelaySettings *
fake_settings (FakeRelay *fake)
{
  MsrpRelaySettings *settings = msrp_relay_settings_new ("example.com", "alice", "alicepass");

  msrp_relay_settings_set_host (settings, "127.0.0.1");
  msrp_relay_settings_set_port (settings, fake->port);
  msrp_relay_settings_set_use_tls (settings, FALSE);
  return settings;
}

/* Auto mode: a relay that never answers an AUTH with uri= gets one without
 * it after a few seconds. */
static void
test_auto_uri_on_silence (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  FakeRelay fake = { 0, };
  g_autoptr(MsrpRelaySettings) settings = NULL;
  g_autoptr(MsrpConnector) connector = NULL;
  g_autoptr(GPtrArray) path = NULL;

  fake_start (&fake, FAKE_SILENT_ON_URI);
  settings = fake_settings (&fake);
  connector = msrp_get_connector (settings);
  path = test_prepare (connector, NULL);
  g_assert_cmpuint (path->len, ==, 2);
  g_assert_cmpstr (msrp_uri_get_session_id (g_ptr_array_index (path, 0)), ==, "fakesession");
  g_assert_cmpuint (fake.auths_with_uri, ==, 1);
  g_assert_cmpuint (fake.auths, ==, 3);
  msrp_connector_cleanup (connector);
  fake_stop (&fake);
  test_watchdog_stop (id);
}

/* Omit mode: no uri=, and the response hashes the To-Path URI as the
 * digest-uri, which is what a relay that wants uri= left out checks. */
static void
test_omit_uri (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  FakeRelay fake = { 0, };
  g_autoptr(MsrpRelaySettings) settings = NULL;
  g_autoptr(MsrpConnector) connector = NULL;
  g_autoptr(GPtrArray) path = NULL;

  fake_start (&fake, FAKE_SILENT_ON_URI);
  settings = fake_settings (&fake);
  msrp_relay_settings_set_digest_uri_mode (settings, MSRP_DIGEST_URI_OMIT);
  connector = msrp_get_connector (settings);
  path = test_prepare (connector, NULL);
  g_assert_cmpuint (path->len, ==, 2);
  g_assert_cmpuint (fake.auths_with_uri, ==, 0);
  g_assert_cmpuint (fake.auths, ==, 2);
  msrp_connector_cleanup (connector);
  fake_stop (&fake);
  test_watchdog_stop (id);
}

static void
test_fake_failures (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  FakeMode modes[] = { FAKE_FORBIDDEN, FAKE_NO_USE_PATH };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      FakeRelay fake = { 0, };
      g_autoptr(MsrpRelaySettings) settings = NULL;
      g_autoptr(MsrpConnector) connector = NULL;
      GError *error;

      fake_start (&fake, modes[i]);
      settings = fake_settings (&fake);
      connector = msrp_get_acceptor (settings);
      error = test_prepare_error (connector);
      g_assert_error (error, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED);
      g_error_free (error);
      fake_stop (&fake);
    }
  test_watchdog_stop (id);
}

/* RFC 2617 stale=TRUE: the answer was right but its nonce too old; the
 * client answers the new challenge with the same credentials at once,
 * whatever its digest-uri mode (MsrpRelay says so for expired nonces). */
static void
test_fake_stale (void)
{
  guint id = test_watchdog_start (TIMEOUT_SECONDS);
  FakeRelay fake = { 0, };
  g_autoptr(MsrpRelaySettings) settings = NULL;
  g_autoptr(MsrpConnector) connector = NULL;
  g_autoptr(GPtrArray) path = NULL;

  fake_start (&fake, FAKE_STALE_ONCE);
  settings = fake_settings (&fake);
  msrp_relay_settings_set_digest_uri_mode (settings, MSRP_DIGEST_URI_INCLUDE);
  connector = msrp_get_connector (settings);
  path = test_prepare (connector, NULL);
  g_assert_cmpuint (path->len, ==, 2);
  g_assert_true (fake.sent_stale);
  g_assert_cmpuint (fake.auths, ==, 3);
  msrp_connector_cleanup (connector);
  fake_stop (&fake);
  test_watchdog_stop (id);
}

/* Exchanges and files between two sides, in the order they run. */
static const Setup kamailio_exchanges[] = {
  { "kamailio/tcp", SIDE_KAMAILIO, SIDE_KAMAILIO },
  { "kamailio/tls", SIDE_KAMAILIO_TLS, SIDE_KAMAILIO_TLS },
  { "kamailio/tcp-to-tls", SIDE_KAMAILIO, SIDE_KAMAILIO_TLS },
  { "kamailio/relay-to-direct", SIDE_KAMAILIO, SIDE_DIRECT },
  { "kamailio/direct-to-relay", SIDE_DIRECT, SIDE_KAMAILIO_TLS },
};
static const Setup kamailio_files[] = {
  { "kamailio/file-50M-tcp", SIDE_KAMAILIO, SIDE_KAMAILIO },
  { "kamailio/file-50M-tls", SIDE_KAMAILIO_TLS, SIDE_KAMAILIO_TLS },
};
static const Setup ours_exchanges[] = {
  { "ours/tcp", SIDE_OURS, SIDE_OURS },
  { "ours/tls", SIDE_OURS_TLS, SIDE_OURS_TLS },
  { "ours/relay-to-direct", SIDE_OURS_TLS, SIDE_DIRECT },
  { "ours/direct-to-relay", SIDE_DIRECT, SIDE_OURS_TLS },
  { "ours/any-peer", SIDE_OURS, SIDE_OURS_TLS, TRUE },
  { "ours/any-peer-direct", SIDE_OURS, SIDE_DIRECT, TRUE },
  { "kamailio/any-peer", SIDE_KAMAILIO_TLS, SIDE_KAMAILIO, TRUE },
};
static const Setup ours_files[] = {
  { "ours/file-50M-tcp", SIDE_OURS, SIDE_OURS },
  { "ours/file-50M-tls", SIDE_OURS_TLS, SIDE_OURS_TLS },
};
static const Setup cross_exchanges[] = {
  { "cross/ours-to-kamailio", SIDE_OURS, SIDE_KAMAILIO },
  { "cross/kamailio-to-ours", SIDE_KAMAILIO_TLS, SIDE_OURS },
};

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  TEST_ADD_TABLE ("/relay-client", kamailio_exchanges, test_exchange);
  TEST_ADD_TABLE ("/relay-client", kamailio_files, test_file);
  g_test_add_func ("/relay-client/kamailio/wrong-password", test_wrong_password);
  g_test_add_func ("/relay-client/kamailio/unknown-user", test_unknown_user);
  g_test_add_func ("/relay-client/kamailio/digest-uri-modes", test_digest_uri_modes);
  g_test_add_func ("/relay-client/kamailio/expires-bounds", test_expires_bounds);
  g_test_add_func ("/relay-client/kamailio/tls-certificate-check", test_tls_certificate_check);
  g_test_add_func ("/relay-client/kamailio/srv", test_srv);
  g_test_add_func ("/relay-client/kamailio/cleanup-during-prepare", test_cleanup_during_prepare);

  TEST_ADD_TABLE ("/relay-client", ours_exchanges, test_exchange);
  TEST_ADD_TABLE ("/relay-client", ours_files, test_file);
  g_test_add_func ("/relay-client/ours/auth", test_ours_auth);
  g_test_add_func ("/relay-client/fake/auto-uri-on-silence", test_auto_uri_on_silence);
  g_test_add_func ("/relay-client/fake/failures", test_fake_failures);
  g_test_add_func ("/relay-client/fake/omit-uri", test_omit_uri);
  g_test_add_func ("/relay-client/fake/stale", test_fake_stale);
  g_test_add_func ("/relay-client/ours/refresh", test_ours_refresh);
  g_test_add_func ("/relay-client/ours/refresh-before-bind", test_ours_refresh_before_bind);
  TEST_ADD_TABLE ("/relay-client", cross_exchanges, test_exchange);

  test_kamailio_find ();
  test_ours_start ();
  status = g_test_run ();
  test_ours_stop ();
  test_kamailio_free ();
  return status;
}
