/* test-utils.c: what the C test suites share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "test-utils.h"

static gboolean
on_watchdog (gpointer user_data)
{
  g_error ("test timed out after %u s", GPOINTER_TO_UINT (user_data));
  return G_SOURCE_REMOVE;
}

guint
test_watchdog_start (guint seconds)
{
  return g_timeout_add_seconds (seconds, on_watchdog, GUINT_TO_POINTER (seconds));
}

void
test_watchdog_stop (guint id)
{
  g_source_remove (id);
}

void
test_wait_for (gboolean *flag)
{
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
}

void
test_wait_for_ptr (gpointer *ptr)
{
  while (*ptr == NULL)
    g_main_context_iteration (NULL, TRUE);
}

void
test_wait_for_len (GPtrArray *array,
                   guint      len)
{
  while (array->len < len)
    g_main_context_iteration (NULL, TRUE);
}

void
test_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
on_finalized_wake (gpointer  data,
                   GObject  *where_the_object_was)
{
  g_atomic_int_set ((gint *) data, TRUE);
  g_main_context_wakeup (NULL);
}

void
test_unref_and_wait (gpointer object)
{
  gint finalized = FALSE;

  /* The last reference may go in another thread (a GTask that ran in a
   * thread lets go of its source object there): the main context is
   * woken up then, or it would sleep until something else came. */
  g_object_weak_ref (object, on_finalized_wake, &finalized);
  g_object_unref (object);
  while (!g_atomic_int_get (&finalized))
    g_main_context_iteration (NULL, TRUE);
}

void
test_unref_finalizes (gpointer object)
{
  g_object_add_weak_pointer (object, &object);
  g_object_unref (object);
  g_assert_null (object);
}

guint
test_count_fds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, &error);
  guint n = 0;

  g_assert_no_error (error);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

GPtrArray *
test_path (const char *str)
{
  GError *error = NULL;
  GPtrArray *path = msrp_path_parse (str, &error);

  g_assert_no_error (error);
  return path;
}

GPtrArray *
test_path_of (MsrpUri *first,
              ...)
{
  GPtrArray *path = g_ptr_array_new_with_free_func (g_object_unref);
  va_list args;

  va_start (args, first);
  for (MsrpUri *uri = first; uri != NULL; uri = va_arg (args, MsrpUri *))
    g_ptr_array_add (path, g_object_ref (uri));
  va_end (args);
  return path;
}

void
test_add_case (const char    *prefix,
               const char    *name,
               gconstpointer  data,
               GTestDataFunc  func)
{
  g_autofree char *path = g_strdup_printf ("%s/%s", prefix, name);

  g_test_add_data_func (path, data, func);
}

void
test_add_table (const char    *prefix,
                gconstpointer  table,
                gsize          n_rows,
                gsize          row_size,
                gboolean       numbered,
                GTestDataFunc  func)
{
  for (gsize i = 0; i < n_rows; i++)
    {
      const char *row = (const char *) table + i * row_size;
      g_autofree char *number = g_strdup_printf ("%" G_GSIZE_FORMAT, i);

      test_add_case (prefix, numbered ? number : *(const char *const *) row, row, func);
    }
}

GTlsCertificate *
test_certificate_new (const char *common_name)
{
  GError *error = NULL;
  GTlsCertificate *cert = msrp_tls_certificate_new_self_signed (common_name, &error);

  g_assert_no_error (error);
  g_assert_true (G_IS_TLS_CERTIFICATE (cert));
  return cert;
}

GTlsCertificate *
test_certificate (const char *common_name)
{
  static GHashTable *made;
  GTlsCertificate *cert;

  if (made == NULL)
    made = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  cert = g_hash_table_lookup (made, common_name);
  if (cert == NULL)
    {
      cert = test_certificate_new (common_name);
      g_hash_table_insert (made, g_strdup (common_name), cert);
    }
  return cert;
}

guint16
test_free_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  GError *error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

static void
on_accepted (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GSocketConnection **out = user_data;
  GError *error = NULL;

  *out = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);
  g_assert_no_error (error);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GSocketConnection **out = user_data;
  GError *error = NULL;

  *out = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  g_assert_no_error (error);
}

void
test_socket_pair (GSocketConnection **client,
                  GSocketConnection **server)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  GError *error = NULL;

  *client = NULL;
  *server = NULL;
  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  g_socket_listener_accept_async (listener, NULL, on_accepted, server);
  g_socket_client_connect_async (socket_client, G_SOCKET_CONNECTABLE (bound), NULL, on_connected, client);
  test_wait_for_ptr ((gpointer *) client);
  test_wait_for_ptr ((gpointer *) server);
  g_socket_listener_close (listener);
}

static gboolean
on_accept_any_certificate (GTlsConnection       *tls,
                           GTlsCertificate      *peer_cert,
                           GTlsCertificateFlags  errors,
                           gpointer              user_data)
{
  return TRUE;
}

static void
on_client_event (GSocketClient      *client,
                 GSocketClientEvent  event,
                 GSocketConnectable *connectable,
                 GIOStream          *connection,
                 gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_signal_connect (connection, "accept-certificate", G_CALLBACK (on_accept_any_certificate), NULL);
}

/* A client that connects from @local_ip, or from any address when NULL. */
static GSocketClient *
socket_client_new (const char *local_ip)
{
  GSocketClient *client = g_socket_client_new ();

  if (local_ip != NULL)
    {
      g_autoptr(GSocketAddress) local = g_inet_socket_address_new_from_string (local_ip, 0);

      g_socket_client_set_local_address (client, local);
    }
  return client;
}

GSocketConnection *
test_socket_connect (const char *host,
                     guint16     port,
                     const char *local_ip,
                     gboolean    tls)
{
  g_autoptr(GSocketClient) client = socket_client_new (local_ip);
  g_autoptr(GSocketConnectable) address = g_network_address_new (host, port);
  GSocketConnection *connection = NULL;

  if (tls)
    {
      g_socket_client_set_tls (client, TRUE);
      g_signal_connect (client, "event", G_CALLBACK (on_client_event), NULL);
    }
  g_socket_client_connect_async (client, address, NULL, on_connected, &connection);
  test_wait_for_ptr ((gpointer *) &connection);
  return connection;
}

TestRaw *
test_raw_connect (guint16     port,
                  const char *local_ip)
{
  g_autoptr(GSocketClient) client = socket_client_new (local_ip);
  TestRaw *raw = g_new0 (TestRaw, 1);
  GError *error = NULL;

  raw->connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  raw->received = g_byte_array_new ();
  return raw;
}

void
test_raw_free (TestRaw *raw)
{
  /* A read still pending ends first: it writes into raw. */
  if (raw->reading && !raw->eof)
    {
      g_socket_shutdown (g_socket_connection_get_socket (raw->connection), TRUE, TRUE, NULL);
      test_wait_for (&raw->eof);
    }
  g_io_stream_close (G_IO_STREAM (raw->connection), NULL, NULL);
  g_object_unref (raw->connection);
  g_byte_array_unref (raw->received);
  g_free (raw);
}

void
test_raw_send (TestRaw    *raw,
               const void *data,
               gssize      len)
{
  GError *error = NULL;

  if (len < 0)
    len = strlen (data);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (raw->connection)),
                             data, len, NULL, NULL, &error);
  g_assert_no_error (error);
}

void
test_raw_send_chunk (TestRaw   *raw,
                     MsrpChunk *chunk)
{
  g_autoptr(GBytes) bytes = msrp_chunk_encode (chunk);

  test_raw_send (raw, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
on_raw_read (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  TestRaw *raw = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n > 0)
    {
      g_byte_array_append (raw->received, raw->buf, n);
      g_input_stream_read_async (G_INPUT_STREAM (source), raw->buf, sizeof raw->buf,
                                 G_PRIORITY_DEFAULT, NULL, on_raw_read, raw);
      return;
    }
  /* A reset is a close as well. */
  if (error != NULL)
    g_test_message ("raw read: %s", error->message);
  raw->eof = TRUE;
}

void
test_raw_read_start (TestRaw *raw)
{
  raw->reading = TRUE;
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (raw->connection)),
                             raw->buf, sizeof raw->buf, G_PRIORITY_DEFAULT, NULL, on_raw_read, raw);
}

void
test_raw_read_to_eof (TestRaw *raw)
{
  if (!raw->reading)
    test_raw_read_start (raw);
  test_wait_for (&raw->eof);
}

void
test_op_clear (TestOp *op)
{
  g_clear_pointer (&op->path, g_ptr_array_unref);
  g_clear_object (&op->transport);
  g_clear_object (&op->chunk);
  g_clear_pointer (&op->message_id, g_free);
  g_clear_error (&op->error);
  op->done = FALSE;
  op->ok = FALSE;
}

TEST_DEFINE_ON (test_on_prepared, MSRP_CONNECTOR, msrp_connector_prepare_finish, path)
TEST_DEFINE_ON (test_on_completed, MSRP_CONNECTOR, msrp_connector_complete_finish, transport)
TEST_DEFINE_ON (test_on_written, MSRP_TRANSPORT, msrp_transport_write_chunk_finish, ok)
TEST_DEFINE_ON (test_on_read, MSRP_TRANSPORT, msrp_transport_read_chunk_finish, chunk)
TEST_DEFINE_ON (test_on_closed, MSRP_TRANSPORT, msrp_transport_close_finish, ok)
TEST_DEFINE_ON (test_on_chunk_sent, MSRP_SESSION, msrp_session_send_chunk_finish, chunk)
TEST_DEFINE_ON (test_on_chunk_delivered, MSRP_SESSION, msrp_session_deliver_chunk_finish, chunk)
TEST_DEFINE_ON (test_on_message_sent, MSRP_SESSION, msrp_session_send_message_finish, message_id)
TEST_DEFINE_ON (test_on_file_sent, MSRP_SESSION, msrp_session_send_file_finish, ok)
TEST_DEFINE_ON (test_on_shutdown, MSRP_SESSION, msrp_session_shutdown_finish, ok)

void
test_op_assert_error (TestOp *op,
                      GQuark  domain,
                      gint    code)
{
  test_wait_for (&op->done);
  g_assert_error (op->error, domain, code);
  test_op_clear (op);
}

void
test_wait_both (TestOp *a,
                TestOp *b)
{
  test_wait_for (&a->done);
  test_wait_for (&b->done);
  g_assert_no_error (a->error);
  g_assert_no_error (b->error);
}

void
test_cancel_op (TestOp       *op,
                GCancellable *cancellable)
{
  g_main_context_iteration (NULL, FALSE);
  g_cancellable_cancel (cancellable);
  test_wait_for (&op->done);
  g_assert_error (op->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  test_op_clear (op);
}

GPtrArray *
test_prepare (MsrpConnector *connector,
              MsrpUri       *local_uri)
{
  TestOp op = { 0, };

  msrp_connector_prepare_async (connector, local_uri, NULL, test_on_prepared, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_nonnull (op.path);
  return op.path;
}

GError *
test_prepare_error (MsrpConnector *connector)
{
  TestOp op = { 0, };

  msrp_connector_prepare_async (connector, NULL, NULL, test_on_prepared, &op);
  test_wait_for (&op.done);
  g_assert_null (op.path);
  g_assert_nonnull (op.error);
  return op.error;
}

void
test_connect_pair (MsrpConnector  *acceptor,
                   MsrpConnector  *connector,
                   MsrpUri        *listen_uri,
                   MsrpTransport **acceptor_transport,
                   MsrpTransport **connector_transport)
{
  g_autoptr(GPtrArray) acceptor_path = test_prepare (acceptor, listen_uri);
  g_autoptr(GPtrArray) connector_path = test_prepare (connector, NULL);
  TestOp a = { 0, }, c = { 0, };

  msrp_connector_complete_async (acceptor, connector_path, NULL, test_on_completed, &a);
  msrp_connector_complete_async (connector, acceptor_path, NULL, test_on_completed, &c);
  test_wait_both (&a, &c);
  *acceptor_transport = g_steal_pointer (&a.transport);
  *connector_transport = g_steal_pointer (&c.transport);
}

void
test_set_tls_pair (MsrpConnector   *acceptor,
                   MsrpConnector   *connector,
                   GTlsCertificate *acceptor_cert,
                   GTlsCertificate *connector_cert)
{
  g_autofree char *acceptor_fp = msrp_tls_certificate_get_fingerprint (acceptor_cert, G_CHECKSUM_SHA256);
  g_autofree char *connector_fp = msrp_tls_certificate_get_fingerprint (connector_cert, G_CHECKSUM_SHA256);

  msrp_connector_set_tls_certificate (acceptor, acceptor_cert);
  msrp_connector_set_peer_fingerprint (acceptor, connector_fp);
  msrp_connector_set_tls_certificate (connector, connector_cert);
  msrp_connector_set_peer_fingerprint (connector, acceptor_fp);
}

MsrpChunk *
test_send_chunk (MsrpSession *session,
                 MsrpChunk   *chunk)
{
  TestOp op = { 0, };

  msrp_session_send_chunk_async (session, chunk, NULL, test_on_chunk_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  return op.chunk;
}

void
test_write_chunk (MsrpTransport *transport,
                  MsrpChunk     *chunk)
{
  TestOp op = { 0, };

  msrp_transport_write_chunk_async (transport, chunk, NULL, test_on_written, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_true (op.ok);
}

MsrpChunk *
test_read_chunk (MsrpTransport *transport)
{
  TestOp op = { 0, };

  msrp_transport_read_chunk_async (transport, 0, NULL, test_on_read, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_nonnull (op.chunk);
  return op.chunk;
}

void
test_exchange_text (MsrpTransport *from,
               MsrpTransport *to,
               const char    *text)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
  g_autoptr(MsrpChunk) chunk = msrp_transport_make_chunk (from, NULL, body, "text/plain");
  TestOp written = { 0, }, read = { 0, };
  GError *error = NULL;

  msrp_transport_write_chunk_async (from, chunk, NULL, test_on_written, &written);
  msrp_transport_read_chunk_async (to, 0, NULL, test_on_read, &read);
  test_wait_for (&written.done);
  test_wait_for (&read.done);
  g_assert_no_error (written.error);
  g_assert_true (written.ok);
  g_assert_no_error (read.error);
  g_assert_cmpstr (msrp_chunk_get_method (read.chunk), ==, "SEND");
  g_assert_true (g_bytes_equal (msrp_chunk_get_data (read.chunk), body));
  g_assert_true (msrp_transport_check_incoming_send_chunk (to, read.chunk, &error));
  g_assert_no_error (error);
  test_op_clear (&read);
}

void
test_keep_chunk (MsrpSession *session,
                 MsrpChunk   *chunk,
                 gpointer     array)
{
  g_ptr_array_add (array, g_object_ref (chunk));
}

void
test_keep_message (MsrpSession *session,
                   MsrpChunk   *first,
                   GBytes      *data,
                   gpointer     array)
{
  g_assert_true (MSRP_IS_CHUNK (first));
  g_ptr_array_add (array, g_bytes_ref (data));
}

void
test_assert_same_datetime (GDateTime *a,
                           GDateTime *b)
{
  g_assert_true ((a == NULL) == (b == NULL));
  if (a != NULL)
    {
      g_assert_true (g_date_time_equal (a, b));
      g_assert_cmpint (g_date_time_get_utc_offset (a), ==, g_date_time_get_utc_offset (b));
    }
}

void
test_assert_malformed_xml (const GError *error,
                           const char   *needle)
{
  g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  if (needle != NULL && strstr (error->message, needle) == NULL)
    g_error ("“%s” is not in the error “%s”", needle, error->message);
}

void
test_assert_bytes (GBytes     *bytes,
                   const char *expected)
{
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   expected, strlen (expected));
}

void
test_assert_round_trip (gpointer           object,
                        TestToBytesFunc    to_bytes,
                        TestParseFunc      parse,
                        TestAssertSameFunc assert_same)
{
  g_autoptr(GBytes) bytes = to_bytes (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) again = parse (bytes, &error);
  g_autoptr(GBytes) bytes_again = NULL;

  g_assert_no_error (error);
  assert_same (object, again);
  bytes_again = to_bytes (again);
  g_assert_true (g_bytes_equal (bytes, bytes_again));
}

void
test_assert_parse_malformed_xml (TestParseFunc parse,
                                 const char   *input,
                                 gsize         len,
                                 const char   *needle)
{
  g_autoptr(GBytes) bytes = g_bytes_new (input, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) object = parse (bytes, &error);

  g_assert_null (object);
  test_assert_malformed_xml (error, needle);
}

gpointer
test_parse_string (TestParseFunc   parse,
                   const char     *str,
                   GError        **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (str, strlen (str));

  return parse (bytes, error);
}

void
test_assert_malformed_row (TestParseFunc           parse,
                           const TestMalformedXml *row)
{
  test_assert_parse_malformed_xml (parse, row->input, strlen (row->input), row->needle);
}

void
test_assert_prefixes_malformed (TestParseFunc      parse,
                                const char *const *docs,
                                gsize              n_docs)
{
  for (gsize d = 0; d < n_docs; d++)
    {
      gsize len = strlen (docs[d]);

      for (gsize cut = 0; cut < len - 1; cut++)
        test_assert_parse_malformed_xml (parse, docs[d], cut, NULL);
    }
}

TestKamailio test_kamailio;

void
test_kamailio_find (void)
{
  const char *port = g_getenv ("MSRP_TEST_KAMAILIO_PORT");
  const char *tls_port = g_getenv ("MSRP_TEST_KAMAILIO_TLS_PORT");
  const char *cert = g_getenv ("MSRP_TEST_KAMAILIO_CERT");

  if (port == NULL || tls_port == NULL || cert == NULL)
    g_error ("no Kamailio relay: run this test through tests/relay/with-kamailio (meson test does)");
  test_kamailio.port = atoi (port);
  test_kamailio.tls_port = atoi (tls_port);
  test_kamailio.cert = g_strdup (cert);
}

void
test_kamailio_free (void)
{
  g_clear_pointer (&test_kamailio.cert, g_free);
}

GTlsDatabase *
test_kamailio_database (void)
{
  GError *error = NULL;
  GTlsDatabase *db = g_tls_file_database_new (test_kamailio.cert, &error);

  g_assert_no_error (error);
  return db;
}

/* @user at example.com, a relay on 127.0.0.1:@port. */
static MsrpRelaySettings *
local_relay_settings (const char *user,
                      const char *password,
                      guint16     port,
                      gboolean    tls)
{
  MsrpRelaySettings *settings = msrp_relay_settings_new ("example.com", user, password);

  msrp_relay_settings_set_host (settings, "127.0.0.1");
  msrp_relay_settings_set_port (settings, port);
  msrp_relay_settings_set_use_tls (settings, tls);
  return settings;
}

MsrpRelaySettings *
test_kamailio_settings (const char *user,
                        const char *password,
                        gboolean    tls)
{
  MsrpRelaySettings *settings =
    local_relay_settings (user, password, tls ? test_kamailio.tls_port : test_kamailio.port, tls);

  if (tls)
    {
      g_autoptr(GTlsDatabase) db = test_kamailio_database ();

      msrp_relay_settings_set_tls_database (settings, db);
    }
  return settings;
}

TestOurs test_ours;

void
test_ours_start (void)
{
  GError *error = NULL;
  g_autoptr(MsrpUri) tcp = NULL;
  g_autoptr(MsrpUri) tls = NULL;

  test_ours.relay = msrp_relay_new ("example.com");
  msrp_relay_add_user (test_ours.relay, "alice", "alicepass");
  msrp_relay_add_user (test_ours.relay, "bob", "bobpass");
  msrp_relay_set_tls_certificate (test_ours.relay, test_certificate (TEST_OURS_CN));
  tcp = msrp_relay_listen (test_ours.relay, "127.0.0.1", 0, FALSE, &error);
  g_assert_no_error (error);
  tls = msrp_relay_listen (test_ours.relay, "127.0.0.1", 0, TRUE, &error);
  g_assert_no_error (error);
  test_ours.port = msrp_uri_get_port (tcp);
  test_ours.tls_port = msrp_uri_get_port (tls);
}

void
test_ours_stop (void)
{
  if (test_ours.relay != NULL)
    msrp_relay_stop (test_ours.relay);
  g_clear_object (&test_ours.relay);
}

MsrpRelaySettings *
test_ours_settings (const char *user,
                    const char *password,
                    gboolean    tls)
{
  return local_relay_settings (user, password, tls ? test_ours.tls_port : test_ours.port, tls);
}

gboolean
test_ours_accept_cert (MsrpConnector        *connector,
                       GTlsCertificate      *peer_cert,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  return g_tls_certificate_is_same (test_certificate (TEST_OURS_CN), peer_cert);
}
