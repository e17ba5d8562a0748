/* test-utils.c: what the C test suites share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

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

GPtrArray *
test_path (const char *str)
{
  GError *error = NULL;
  GPtrArray *path = msrp_path_parse (str, &error);

  g_assert_no_error (error);
  return path;
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

void
test_op_clear (TestOp *op)
{
  g_clear_pointer (&op->path, g_ptr_array_unref);
  g_clear_object (&op->transport);
  g_clear_object (&op->chunk);
  g_clear_error (&op->error);
  op->done = FALSE;
  op->ok = FALSE;
}

void
test_on_prepared (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TestOp *op = user_data;

  op->path = msrp_connector_prepare_finish (MSRP_CONNECTOR (source), result, &op->error);
  op->ok = op->path != NULL;
  op->done = TRUE;
}

void
test_on_completed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TestOp *op = user_data;

  op->transport = msrp_connector_complete_finish (MSRP_CONNECTOR (source), result, &op->error);
  op->ok = op->transport != NULL;
  op->done = TRUE;
}

void
test_on_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TestOp *op = user_data;

  op->ok = msrp_transport_write_chunk_finish (MSRP_TRANSPORT (source), result, &op->error);
  op->done = TRUE;
}

void
test_on_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TestOp *op = user_data;

  op->chunk = msrp_transport_read_chunk_finish (MSRP_TRANSPORT (source), result, &op->error);
  op->ok = op->chunk != NULL;
  op->done = TRUE;
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
  test_wait_for (&a.done);
  test_wait_for (&c.done);
  g_assert_no_error (a.error);
  g_assert_no_error (c.error);
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
