/* test-connector.c: direct connectors and acceptors over real loopback
 * sockets, plain and TLS
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"
#include "test-utils.h"

#define TIMEOUT_SECONDS 20

/* Certificates by common name (see test_certificate()). */
#define ALICE "alice.example.com"
#define BOB "bob.example.com"
#define MALLORY "mallory.example.com"

typedef struct {
  const char *host;             /* where the acceptor listens */
  const char *acceptor_cert;
  const char *connector_cert;
  const char *acceptor_expects;   /* fingerprint the acceptor checks */
  const char *connector_expects;  /* fingerprint the connector checks */
  gboolean connector_first;     /* complete the connector before the acceptor */
} Setup;

static char *
fingerprint_of (const char *cert)
{
  if (cert == NULL)
    return NULL;
  return msrp_tls_certificate_get_fingerprint (test_certificate (cert), G_CHECKSUM_SHA256);
}

static guint16
acceptor_port (GPtrArray *acceptor_path)
{
  return msrp_uri_get_port (g_ptr_array_index (acceptor_path, 0));
}

/* Runs prepare and complete on both sides; returns the two results. */
static void
run_pair (const Setup    *setup,
          MsrpConnector  *acceptor,
          MsrpConnector  *connector,
          TestOp         *acc_op,
          TestOp         *con_op,
          GPtrArray     **acceptor_path,
          GPtrArray     **connector_path)
{
  g_autoptr(MsrpUri) listen_uri = msrp_uri_new (setup->host, 0, NULL, FALSE);
  g_autofree char *acc_fp = fingerprint_of (setup->acceptor_expects);
  g_autofree char *con_fp = fingerprint_of (setup->connector_expects);

  if (setup->acceptor_cert != NULL)
    g_object_set (acceptor, "tls-certificate", test_certificate (setup->acceptor_cert), NULL);
  if (setup->connector_cert != NULL)
    g_object_set (connector, "tls-certificate", test_certificate (setup->connector_cert), NULL);
  g_object_set (acceptor, "peer-fingerprint", acc_fp, NULL);
  g_object_set (connector, "peer-fingerprint", con_fp, NULL);

  *acceptor_path = test_prepare (acceptor, listen_uri);
  *connector_path = test_prepare (connector, NULL);

  if (setup->connector_first)
    {
      msrp_connector_complete_async (connector, *acceptor_path, NULL, test_on_completed, con_op);
      g_main_context_iteration (NULL, FALSE);
      msrp_connector_complete_async (acceptor, *connector_path, NULL, test_on_completed, acc_op);
    }
  else
    {
      msrp_connector_complete_async (acceptor, *connector_path, NULL, test_on_completed, acc_op);
      msrp_connector_complete_async (connector, *acceptor_path, NULL, test_on_completed, con_op);
    }
  test_wait_for (&acc_op->done);
  test_wait_for (&con_op->done);
}

static void
test_pair_ok (gconstpointer data)
{
  const Setup *setup = data;
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_direct_new ();
  g_autoptr(MsrpConnector) connector = msrp_connector_direct_new ();
  g_autoptr(GPtrArray) acceptor_path = NULL;
  g_autoptr(GPtrArray) connector_path = NULL;
  TestOp acc = { 0, }, con = { 0, };
  guint timeout = test_watchdog_start (TIMEOUT_SECONDS);
  MsrpUri *acceptor_uri;

  run_pair (setup, acceptor, connector, &acc, &con, &acceptor_path, &connector_path);
  g_assert_no_error (acc.error);
  g_assert_no_error (con.error);

  /* The acceptor's path has the real port, and the scheme follows TLS. */
  acceptor_uri = g_ptr_array_index (acceptor_path, 0);
  g_assert_cmpuint (msrp_uri_get_port (acceptor_uri), >, 0);
  g_assert_cmpstr (msrp_uri_get_host (acceptor_uri), ==, setup->host);
  g_assert_cmpint (msrp_uri_get_use_tls (acceptor_uri), ==, setup->acceptor_cert != NULL);
  g_assert_nonnull (msrp_uri_get_session_id (acceptor_uri));
  if (setup->acceptor_cert != NULL)
    g_assert_true (G_IS_TLS_CONNECTION (msrp_transport_get_stream (acc.transport)));

  test_exchange_text (con.transport, acc.transport, "from the active side");
  test_exchange_text (acc.transport, con.transport, "from the passive side");

  test_op_clear (&acc);
  test_op_clear (&con);
  test_watchdog_stop (timeout);
}

static void
test_pair_fingerprint_mismatch (gconstpointer data)
{
  gboolean acceptor_side = GPOINTER_TO_INT (data);
  Setup setup = {
    "127.0.0.1", ALICE, BOB,
    acceptor_side ? MALLORY : BOB,
    acceptor_side ? ALICE : MALLORY,
    FALSE,
  };
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_direct_new ();
  g_autoptr(MsrpConnector) connector = msrp_connector_direct_new ();
  g_autoptr(GPtrArray) acceptor_path = NULL;
  g_autoptr(GPtrArray) connector_path = NULL;
  TestOp acc = { 0, }, con = { 0, };
  guint timeout = test_watchdog_start (TIMEOUT_SECONDS);

  /* The acceptor waits on for the right peer until its timeout. */
  g_object_set (acceptor, "timeout", 1, NULL);
  run_pair (&setup, acceptor, connector, &acc, &con, &acceptor_path, &connector_path);
  g_assert_null (acc.transport);
  g_assert_null (con.transport);
  /* The side that checked says why (the acceptor at its timeout); the
   * other sees the handshake fail. */
  if (acceptor_side)
    {
      g_assert_error (acc.error, MSRP_ERROR, MSRP_ERROR_FINGERPRINT_MISMATCH);
      g_assert_nonnull (con.error);
    }
  else
    {
      g_assert_error (con.error, MSRP_ERROR, MSRP_ERROR_FINGERPRINT_MISMATCH);
      g_assert_nonnull (acc.error);
    }
  test_op_clear (&acc);
  test_op_clear (&con);
  test_watchdog_stop (timeout);
}

static void
test_wrong_paths (gconstpointer data)
{
  gboolean wrong_to = GPOINTER_TO_INT (data);
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_direct_new ();
  g_autoptr(MsrpConnector) connector = msrp_connector_direct_new ();
  g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(GPtrArray) acceptor_path = NULL;
  g_autoptr(GPtrArray) connector_path = NULL;
  g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func (g_object_unref);
  TestOp acc = { 0, }, con = { 0, };
  guint timeout = test_watchdog_start (TIMEOUT_SECONDS);

  /* The acceptor refuses the connection and waits on for the right peer
   * until its timeout, then tells why it refused. */
  g_object_set (acceptor, "timeout", 1, NULL);
  acceptor_path = test_prepare (acceptor, listen_uri);
  connector_path = test_prepare (connector, NULL);

  if (wrong_to)
    {
      /* The connector reaches the right socket but names another session. */
      MsrpUri *real = g_ptr_array_index (acceptor_path, 0);

      g_ptr_array_add (bad, msrp_uri_new (msrp_uri_get_host (real), msrp_uri_get_port (real), "someothersession", FALSE));
      msrp_connector_complete_async (acceptor, connector_path, NULL, test_on_completed, &acc);
      msrp_connector_complete_async (connector, bad, NULL, test_on_completed, &con);
    }
  else
    {
      /* The acceptor expects another peer. */
      g_ptr_array_add (bad, msrp_uri_new ("127.0.0.1", 0, "notthatpeer", FALSE));
      msrp_connector_complete_async (acceptor, bad, NULL, test_on_completed, &acc);
      msrp_connector_complete_async (connector, acceptor_path, NULL, test_on_completed, &con);
    }
  test_wait_for (&acc.done);
  test_wait_for (&con.done);

  g_assert_error (acc.error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_SESSION_DOES_NOT_EXIST);
  g_assert_error (con.error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_SESSION_DOES_NOT_EXIST);
  test_op_clear (&acc);
  test_op_clear (&con);
  test_watchdog_stop (timeout);
}

static void
test_bind_timeout (void)
{
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_direct_new ();
  g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(GPtrArray) acceptor_path = NULL;
  g_autoptr(GPtrArray) remote = test_path ("msrp://127.0.0.1:9/nobody;tcp");
  TestOp acc = { 0, };
  guint timeout = test_watchdog_start (TIMEOUT_SECONDS);

  g_object_set (acceptor, "timeout", 1, NULL);
  acceptor_path = test_prepare (acceptor, listen_uri);
  msrp_connector_complete_async (acceptor, remote, NULL, test_on_completed, &acc);
  test_op_assert_error (&acc, MSRP_ERROR, MSRP_ERROR_BIND_TIMEOUT);
  test_watchdog_stop (timeout);
}

static void
test_connection_refused (void)
{
  g_autoptr(MsrpConnector) connector = msrp_connector_direct_new ();
  g_autoptr(GPtrArray) path = NULL;
  g_autoptr(GPtrArray) remote = NULL;
  TestOp con = { 0, };
  guint timeout = test_watchdog_start (TIMEOUT_SECONDS);
  g_autofree char *str = g_strdup_printf ("msrp://127.0.0.1:%u/nobody;tcp", test_free_port ());

  remote = test_path (str);

  path = test_prepare (connector, NULL);
  msrp_connector_complete_async (connector, remote, NULL, test_on_completed, &con);
  test_op_assert_error (&con, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  test_watchdog_stop (timeout);
}

static void
test_cancel_and_cleanup (void)
{
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_direct_new ();
  g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(GPtrArray) acceptor_path = NULL;
  g_autoptr(GPtrArray) remote = test_path ("msrp://127.0.0.1:9/nobody;tcp");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TestOp acc = { 0, };
  guint timeout = test_watchdog_start (TIMEOUT_SECONDS);

  acceptor_path = test_prepare (acceptor, listen_uri);
  msrp_connector_complete_async (acceptor, remote, cancellable, test_on_completed, &acc);
  test_cancel_op (&acc, cancellable);

  /* cleanup stops a pending complete and the listening socket. */
  g_clear_pointer (&acceptor_path, g_ptr_array_unref);
  acceptor_path = test_prepare (acceptor, listen_uri);
  msrp_connector_complete_async (acceptor, remote, NULL, test_on_completed, &acc);
  g_main_context_iteration (NULL, FALSE);
  msrp_connector_cleanup (acceptor);
  test_op_assert_error (&acc, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  test_watchdog_stop (timeout);
}


/* A peer that accepts the connection and then says nothing. */
typedef struct {
  GSocketListener *listener;
  GSocketConnection *conn;
  GPtrArray *path;
  guint8 buf[4096];
  gsize got;
  gboolean eof;
  gboolean reading;
} SilentPeer;

static void
on_silent_accepted (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  SilentPeer *peer = user_data;
  GError *error = NULL;

  peer->conn = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);
  g_assert_no_error (error);
}

static void
on_silent_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SilentPeer *peer = user_data;
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  peer->reading = FALSE;
  if (n <= 0)
    {
      /* EOF, or the reset of a socket closed with unread data. */
      g_clear_error (&error);
      peer->eof = TRUE;
      return;
    }
  peer->got += n;
}

static void
silent_peer_read (SilentPeer *peer)
{
  peer->reading = TRUE;
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (peer->conn)),
                             peer->buf, sizeof peer->buf, G_PRIORITY_DEFAULT, NULL,
                             on_silent_read, peer);
}

static void
silent_peer_start (SilentPeer *peer,
                   gboolean    tls)
{
  GError *error = NULL;
  guint16 port;
  g_autofree char *str = NULL;

  peer->listener = g_socket_listener_new ();
  port = g_socket_listener_add_any_inet_port (peer->listener, NULL, &error);
  g_assert_no_error (error);
  str = g_strdup_printf ("%s://localhost:%u/silentpeer;tcp", tls ? "msrps" : "msrp", port);
  peer->path = test_path (str);
  g_socket_listener_accept_async (peer->listener, NULL, on_silent_accepted, peer);
}

static void
silent_peer_stop (SilentPeer *peer)
{
  while (peer->reading)
    g_main_context_iteration (NULL, TRUE);
  g_socket_listener_close (peer->listener);
  g_clear_object (&peer->listener);
  g_clear_object (&peer->conn);
  g_clear_pointer (&peer->path, g_ptr_array_unref);
}

typedef enum {
  STOP_BY_CANCEL,
  STOP_BY_TIMEOUT,
  STOP_BY_CLEANUP,
} StopHow;

typedef struct {
  gboolean tls;       /* the peer never answers the TLS handshake */
  StopHow how;
} StuckCase;

/* The connector is stopped while it waits: in the TLS handshake, or for
 * the answer to its binding SEND. It fails as asked and closes its socket:
 * the peer sees the end of the stream, and no descriptor is left behind. */
static void
test_stuck_peer (gconstpointer data)
{
  const StuckCase *sc = data;
  g_autoptr(MsrpConnector) connector = msrp_connector_direct_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) path = NULL;
  SilentPeer peer = { 0, };
  TestOp con = { 0, };
  guint timeout = test_watchdog_start (TIMEOUT_SECONDS);
  guint fds_before;

  if (sc->tls)
    g_object_set (connector, "tls-certificate", test_certificate (BOB), NULL);
  if (sc->how == STOP_BY_TIMEOUT)
    g_object_set (connector, "timeout", 1, NULL);
  silent_peer_start (&peer, sc->tls);
  path = test_prepare (connector, NULL);
  fds_before = test_count_fds ();

  msrp_connector_complete_async (connector, peer.path, cancellable, test_on_completed, &con);
  while (peer.conn == NULL)
    g_main_context_iteration (NULL, TRUE);
  silent_peer_read (&peer);
  /* Wait until the connector is stuck: it sent its binding SEND or its
   * TLS ClientHello. */
  while (peer.got == 0)
    {
      g_main_context_iteration (NULL, TRUE);
      if (!peer.reading && !peer.eof)
        silent_peer_read (&peer);
    }
  if (!sc->tls)
    g_assert_nonnull (g_strstr_len ((char *) peer.buf, peer.got, "SEND"));

  if (sc->how == STOP_BY_CANCEL)
    g_cancellable_cancel (cancellable);
  else if (sc->how == STOP_BY_CLEANUP)
    msrp_connector_cleanup (connector);
  test_wait_for (&con.done);
  if (sc->how == STOP_BY_TIMEOUT)
    g_assert_error (con.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  else
    g_assert_error (con.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (con.transport);

  while (!peer.eof)
    {
      if (!peer.reading)
        silent_peer_read (&peer);
      g_main_context_iteration (NULL, TRUE);
    }
  /* Our side of the connection is gone; the peer's own socket is all that
   * is left of it. */
  g_assert_cmpuint (test_count_fds (), <=, fds_before + 1);
  silent_peer_stop (&peer);
  g_assert_cmpuint (test_count_fds (), <=, fds_before - 0);
  test_op_clear (&con);
  test_watchdog_stop (timeout);
}

static const StuckCase stuck_binding_cancel = { FALSE, STOP_BY_CANCEL };
static const StuckCase stuck_binding_timeout = { FALSE, STOP_BY_TIMEOUT };
static const StuckCase stuck_binding_cleanup = { FALSE, STOP_BY_CLEANUP };
static const StuckCase stuck_handshake_cancel = { TRUE, STOP_BY_CANCEL };
static const StuckCase stuck_handshake_timeout = { TRUE, STOP_BY_TIMEOUT };


/* A peer connects to the acceptor and never binds: the acceptor gives up
 * after its timeout (or when cancelled) and closes that connection. */
static void
test_acceptor_idle_peer (gconstpointer data)
{
  gboolean by_timeout = GPOINTER_TO_INT (data);
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_direct_new ();
  g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(GPtrArray) acceptor_path = NULL;
  g_autoptr(GPtrArray) remote = test_path ("msrp://127.0.0.1:9/idlepeer;tcp");
  g_autoptr(TestRaw) raw = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  TestOp acc = { 0, };
  guint timeout = test_watchdog_start (TIMEOUT_SECONDS);

  if (by_timeout)
    g_object_set (acceptor, "timeout", 1, NULL);
  acceptor_path = test_prepare (acceptor, listen_uri);
  msrp_connector_complete_async (acceptor, remote, cancellable, test_on_completed, &acc);

  raw = test_raw_connect (acceptor_port (acceptor_path), NULL);
  test_raw_read_start (raw);
  if (!by_timeout)
    {
      /* Let the acceptor take the connection, then cancel. */
      for (int i = 0; i < 10; i++)
        g_main_context_iteration (NULL, FALSE);
      g_cancellable_cancel (cancellable);
    }
  test_wait_for (&acc.done);
  if (by_timeout)
    g_assert_error (acc.error, MSRP_ERROR, MSRP_ERROR_BIND_TIMEOUT);
  else
    g_assert_error (acc.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Closed without a word. */
  test_raw_read_to_eof (raw);
  g_assert_cmpuint (raw->received->len, ==, 0);
  test_op_clear (&acc);
  test_watchdog_stop (timeout);
}

/* Idle connections that reach the acceptor first do not keep the peer
 * out: it binds while they are still open. */
static void
test_acceptor_idle_first (void)
{
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_direct_new ();
  g_autoptr(MsrpConnector) connector = msrp_connector_direct_new ();
  g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(GPtrArray) acceptor_path = NULL;
  g_autoptr(GPtrArray) connector_path = NULL;
  g_autoptr(GPtrArray) idle = g_ptr_array_new_with_free_func ((GDestroyNotify) test_raw_free);
  TestOp acc = { 0, }, con = { 0, };
  guint timeout = test_watchdog_start (TIMEOUT_SECONDS);

  acceptor_path = test_prepare (acceptor, listen_uri);
  connector_path = test_prepare (connector, NULL);
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (idle, test_raw_connect (acceptor_port (acceptor_path), NULL));

  msrp_connector_complete_async (acceptor, connector_path, NULL, test_on_completed, &acc);
  /* Let the acceptor take the idle ones first. */
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  msrp_connector_complete_async (connector, acceptor_path, NULL, test_on_completed, &con);
  test_wait_both (&acc, &con);
  test_op_clear (&acc);
  test_op_clear (&con);
  test_watchdog_stop (timeout);
}

/* A stranger's connection, with what it sends first; it must be closed
 * (after an answer, for a SEND). */
static void
stranger_refused (MsrpConnector *acceptor,
                  guint16        port,
                  const char    *first,
                  const char    *answer,
                  TestOp        *acc)
{
  g_autoptr(TestRaw) raw = test_raw_connect (port, NULL);

  test_raw_read_start (raw);
  test_raw_send (raw, first, -1);
  test_raw_read_to_eof (raw);
  if (answer != NULL)
    {
      g_autofree char *received = g_strndup ((const char *) raw->received->data, raw->received->len);

      g_assert_true (g_str_has_prefix (received, answer));
    }
  else
    g_assert_cmpuint (raw->received->len, ==, 0);
  /* The acceptor waits on for its peer. */
  g_assert_false (acc->done);
}

/* Strangers reach the acceptor's port before its peer: a SEND for another
 * session or from another peer, garbage, a response; over TLS, garbage
 * and a client with another certificate. Each is refused on its own (an
 * MSRP answer where one is due, then closed) and the acceptor waits on:
 * the peer binds (the first stranger used to fail the complete). */
static void
test_acceptor_strangers_first (gconstpointer data)
{
  gboolean tls = GPOINTER_TO_INT (data);
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_direct_new ();
  g_autoptr(MsrpConnector) connector = msrp_connector_direct_new ();
  g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(GPtrArray) acceptor_path = NULL;
  g_autoptr(GPtrArray) connector_path = NULL;
  g_autofree char *alice_fp = fingerprint_of (ALICE);
  g_autofree char *bob_fp = fingerprint_of (BOB);
  TestOp acc = { 0, }, con = { 0, };
  guint timeout = test_watchdog_start (TIMEOUT_SECONDS);
  guint16 port;

  if (tls)
    {
      g_object_set (acceptor, "tls-certificate", test_certificate (BOB), "peer-fingerprint", alice_fp, NULL);
      g_object_set (connector, "tls-certificate", test_certificate (ALICE), "peer-fingerprint", bob_fp, NULL);
    }
  acceptor_path = test_prepare (acceptor, listen_uri);
  connector_path = test_prepare (connector, NULL);
  port = acceptor_port (acceptor_path);
  msrp_connector_complete_async (acceptor, connector_path, NULL, test_on_completed, &acc);

  if (!tls)
    {
      g_autofree char *acceptor_str = msrp_path_to_string (acceptor_path);
      g_autofree char *connector_str = msrp_path_to_string (connector_path);
      g_autofree char *other_session = g_strdup_printf ("MSRP st1 SEND\r\nTo-Path: msrp://127.0.0.1:%u/another;tcp\r\n"
                                                        "From-Path: %s\r\nMessage-ID: st1\r\nByte-Range: 1-0/0\r\n-------st1$\r\n", port, connector_str);
      g_autofree char *other_peer = g_strdup_printf ("MSRP st2 SEND\r\nTo-Path: %s\r\n"
                                                     "From-Path: msrp://127.0.0.1:9/stranger;tcp\r\n"
                                                     "Message-ID: st2\r\nByte-Range: 1-0/0\r\n-------st2$\r\n",
                                                     acceptor_str);
      g_autofree char *response = g_strdup_printf ("MSRP st3 200 OK\r\nTo-Path: %s\r\n"
                                                   "From-Path: %s\r\n-------st3$\r\n", acceptor_str, connector_str);
      g_autofree char *other_method = g_strdup_printf ("MSRP st4 FETCH\r\nTo-Path: %s\r\n"
                                                       "From-Path: %s\r\n-------st4$\r\n", acceptor_str, connector_str);

      stranger_refused (acceptor, port, other_session, "MSRP st1 481", &acc);
      stranger_refused (acceptor, port, other_peer, "MSRP st2 481", &acc);
      stranger_refused (acceptor, port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", NULL, &acc);
      stranger_refused (acceptor, port, response, NULL, &acc);
      stranger_refused (acceptor, port, other_method, "MSRP st4 501", &acc);
    }
  else
    {
      g_autoptr(MsrpConnector) mallory = msrp_connector_direct_new ();
      g_autoptr(GPtrArray) mallory_path = NULL;
      TestOp mal = { 0, };

      stranger_refused (acceptor, port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", NULL, &acc);
      g_object_set (mallory, "tls-certificate", test_certificate (MALLORY), NULL);
      mallory_path = test_prepare (mallory, NULL);
      msrp_connector_complete_async (mallory, acceptor_path, NULL, test_on_completed, &mal);
      test_wait_for (&mal.done);
      g_assert_nonnull (mal.error);
      g_assert_false (acc.done);
      test_op_clear (&mal);
    }

  msrp_connector_complete_async (connector, acceptor_path, NULL, test_on_completed, &con);
  test_wait_both (&acc, &con);
  test_exchange_text (con.transport, acc.transport, "the peer got through");
  test_op_clear (&acc);
  test_op_clear (&con);
  test_watchdog_stop (timeout);
}

static void
on_first_message (MsrpSession *session,
                  MsrpChunk   *first,
                  GBytes      *data,
                  gpointer     user_data)
{
  GBytes **out = user_data;

  *out = g_bytes_ref (data);
}

/* A peer whose first SEND is already a message: the acceptor must not
 * swallow it as a bare binding; the session gets it and answers it. */
static void
test_acceptor_first_send_with_content (gconstpointer data)
{
  gsize size = GPOINTER_TO_SIZE (data);
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_direct_new ();
  g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(GPtrArray) acceptor_path = NULL;
  g_autoptr(GPtrArray) peer_path = test_path ("msrp://127.0.0.1:9/firstpeer;tcp");
  g_autoptr(GSocketConnection) raw = NULL;
  g_autoptr(MsrpTransport) peer = NULL;
  g_autoptr(MsrpSession) session = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(MsrpChunk) chunk = NULL;
  g_autoptr(GBytes) got = NULL;
  TestOp acc = { 0, }, written = { 0, }, response = { 0, };
  guint8 *bytes = g_malloc (size);
  guint timeout = test_watchdog_start (TIMEOUT_SECONDS);

  /* Small, or longer than the part the acceptor reads first. */
  for (gsize i = 0; i < size; i++)
    bytes[i] = size < 64 ? (guint8) "first words"[i] : (guint8) ('a' + i % 26);
  body = g_bytes_new_take (bytes, size);
  acceptor_path = test_prepare (acceptor, listen_uri);
  msrp_connector_complete_async (acceptor, peer_path, NULL, test_on_completed, &acc);

  raw = test_socket_connect ("127.0.0.1", acceptor_port (acceptor_path), NULL, FALSE);
  peer = msrp_transport_new (G_IO_STREAM (raw), peer_path, acceptor_path);
  chunk = msrp_transport_make_chunk (peer, NULL, body, "text/plain");
  msrp_transport_write_chunk_async (peer, chunk, NULL, test_on_written, &written);
  test_wait_for (&acc.done);
  g_assert_no_error (acc.error);

  session = msrp_session_new (acc.transport, NULL);
  g_signal_connect (session, "message-received", G_CALLBACK (on_first_message), &got);
  msrp_transport_read_chunk_async (peer, 0, NULL, test_on_read, &response);
  while (got == NULL || !response.done)
    g_main_context_iteration (NULL, TRUE);
  test_wait_for (&written.done);
  g_assert_no_error (written.error);
  g_assert_no_error (response.error);
  g_assert_true (g_bytes_equal (got, body));
  g_assert_false (msrp_chunk_is_request (response.chunk));
  g_assert_cmpstr (msrp_chunk_get_transaction_id (response.chunk), ==, msrp_chunk_get_transaction_id (chunk));
  g_assert_cmpuint (msrp_chunk_get_code (response.chunk), ==, 200);

  test_op_clear (&response);
  test_op_clear (&acc);
  test_watchdog_stop (timeout);
}

/* The binding SEND and a message in one write: the message is already
 * buffered when the session is made, and must still reach the handlers
 * connected after msrp_session_new(). */
static void
test_message_buffered_behind_binding (void)
{
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_direct_new ();
  g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(GPtrArray) acceptor_path = NULL;
  g_autoptr(GPtrArray) peer_path = test_path ("msrp://127.0.0.1:9/bufferedpeer;tcp");
  g_autoptr(GSocketConnection) raw = NULL;
  g_autoptr(MsrpTransport) peer = NULL;
  g_autoptr(MsrpSession) session = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("right behind", 12);
  g_autoptr(MsrpChunk) binding = NULL;
  g_autoptr(MsrpChunk) message = NULL;
  g_autoptr(GBytes) got = NULL;
  TestOp acc = { 0, }, w1 = { 0, }, w2 = { 0, };
  guint timeout = test_watchdog_start (TIMEOUT_SECONDS);

  acceptor_path = test_prepare (acceptor, listen_uri);
  msrp_connector_complete_async (acceptor, peer_path, NULL, test_on_completed, &acc);
  raw = test_socket_connect ("127.0.0.1", acceptor_port (acceptor_path), NULL, FALSE);

  /* Both queued before the loop runs: they go out in one write. */
  peer = msrp_transport_new (G_IO_STREAM (raw), peer_path, acceptor_path);
  binding = msrp_transport_make_chunk (peer, "SEND", NULL, NULL);
  message = msrp_transport_make_chunk (peer, NULL, body, "text/plain");
  msrp_transport_write_chunk_async (peer, binding, NULL, test_on_written, &w1);
  msrp_transport_write_chunk_async (peer, message, NULL, test_on_written, &w2);
  test_wait_for (&acc.done);
  g_assert_no_error (acc.error);

  session = msrp_session_new (acc.transport, NULL);
  g_signal_connect (session, "message-received", G_CALLBACK (on_first_message), &got);
  while (got == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_bytes_equal (got, body));
  test_wait_both (&w1, &w2);

  test_op_clear (&acc);
  test_watchdog_stop (timeout);
}

/* The passive side may take whichever peer binds; the active side needs a
 * path. */
static void
test_any_peer (void)
{
  g_autoptr(MsrpConnector) acceptor = msrp_get_acceptor (NULL);
  g_autoptr(MsrpConnector) connector = msrp_get_connector (NULL);
  g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  g_autoptr(GPtrArray) acceptor_path = NULL;
  g_autoptr(GPtrArray) connector_path = NULL;
  TestOp acc = { 0, }, con = { 0, };
  guint timeout = test_watchdog_start (TIMEOUT_SECONDS);

  acceptor_path = test_prepare (acceptor, listen_uri);
  connector_path = test_prepare (connector, NULL);

  msrp_connector_complete_async (connector, NULL, NULL, test_on_completed, &con);
  test_op_assert_error (&con, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  msrp_connector_complete_async (acceptor, NULL, NULL, test_on_completed, &acc);
  msrp_connector_complete_async (connector, acceptor_path, NULL, test_on_completed, &con);
  test_wait_both (&acc, &con);
  g_assert_true (msrp_uri_equal (g_ptr_array_index (msrp_transport_get_full_remote_path (acc.transport), 0),
                                 g_ptr_array_index (connector_path, 0)));
  test_exchange_text (con.transport, acc.transport, "to whoever listens");
  test_exchange_text (acc.transport, con.transport, "and back");
  test_op_clear (&acc);
  test_op_clear (&con);
  test_watchdog_stop (timeout);
}

static const Setup plain = { "127.0.0.1", NULL, NULL, NULL, NULL, FALSE };
static const Setup plain_reversed = { "127.0.0.1", NULL, NULL, NULL, NULL, TRUE };
static const Setup plain_ipv6 = { "::1", NULL, NULL, NULL, NULL, FALSE };
static const Setup tls_checked = { "127.0.0.1", ALICE, BOB, BOB, ALICE, FALSE };
static const Setup tls_checked_reversed = { "127.0.0.1", ALICE, BOB, BOB, ALICE, TRUE };

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* The shared properties live in the abstract MsrpConnector: every
 * implementation has them, the C setters and the properties agree, and a
 * setter notifies only on a change. */
static void
test_base_class_properties (void)
{
  g_autoptr(MsrpRelaySettings) relay = msrp_relay_settings_new ("example.com", "alice", "secret");
  MsrpConnector *connectors[] = {
    msrp_connector_direct_new (),
    msrp_acceptor_direct_new (),
    msrp_connector_relay_new (relay),
    msrp_acceptor_relay_new (relay),
  };
  GTlsCertificate *cert = test_certificate ("test");
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(MsrpLogger) logger = msrp_file_logger_new (sink);

  for (guint i = 0; i < G_N_ELEMENTS (connectors); i++)
    {
      MsrpConnector *connector = connectors[i];
      guint notified = 0;
      g_autofree char *fingerprint = NULL;
      guint timeout = 0;

      g_assert_true (MSRP_IS_CONNECTOR (connector));
      g_assert_true (G_TYPE_IS_ABSTRACT (MSRP_TYPE_CONNECTOR));
      g_assert_cmpuint (msrp_connector_get_timeout (connector), ==, MSRP_DEFAULT_TIMEOUT);
      g_assert_null (msrp_connector_get_tls_certificate (connector));
      g_signal_connect (connector, "notify", G_CALLBACK (count_notify), &notified);

      msrp_connector_set_timeout (connector, 7);
      msrp_connector_set_timeout (connector, 7);
      msrp_connector_set_peer_fingerprint (connector, "sha-256 AB:CD");
      msrp_connector_set_peer_fingerprint (connector, "sha-256 AB:CD");
      msrp_connector_set_use_sessmatch (connector, TRUE);
      msrp_connector_set_use_sessmatch (connector, TRUE);
      msrp_connector_set_tls_certificate (connector, cert);
      msrp_connector_set_tls_certificate (connector, cert);
      msrp_connector_set_logger (connector, logger);
      msrp_connector_set_logger (connector, logger);
      g_assert_cmpuint (notified, ==, 5);

      g_object_get (connector, "timeout", &timeout, "peer-fingerprint", &fingerprint, NULL);
      g_assert_cmpuint (timeout, ==, 7);
      g_assert_cmpstr (fingerprint, ==, "sha-256 AB:CD");
      g_assert_true (msrp_connector_get_use_sessmatch (connector));
      g_assert_true (msrp_connector_get_tls_certificate (connector) == cert);
      g_assert_true (msrp_connector_get_logger (connector) == logger);

      g_object_set (connector, "timeout", 9, "peer-fingerprint", NULL, NULL);
      g_assert_cmpuint (msrp_connector_get_timeout (connector), ==, 9);
      g_assert_null (msrp_connector_get_peer_fingerprint (connector));
      g_assert_cmpuint (notified, ==, 7);
      g_object_unref (connector);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/connector/base-class-properties", test_base_class_properties);
  g_test_add_data_func ("/connector/direct/tcp", &plain, test_pair_ok);
  g_test_add_data_func ("/connector/direct/tcp-connector-first", &plain_reversed, test_pair_ok);
  g_test_add_data_func ("/connector/direct/tcp-ipv6", &plain_ipv6, test_pair_ok);
  g_test_add_data_func ("/connector/direct/tls-fingerprints", &tls_checked, test_pair_ok);
  g_test_add_data_func ("/connector/direct/tls-fingerprints-connector-first", &tls_checked_reversed, test_pair_ok);
  g_test_add_data_func ("/connector/direct/tls-wrong-fingerprint-at-connector", GINT_TO_POINTER (FALSE),
                        test_pair_fingerprint_mismatch);
  g_test_add_data_func ("/connector/direct/tls-wrong-fingerprint-at-acceptor", GINT_TO_POINTER (TRUE),
                        test_pair_fingerprint_mismatch);
  g_test_add_data_func ("/connector/direct/wrong-to-path", GINT_TO_POINTER (TRUE), test_wrong_paths);
  g_test_add_data_func ("/connector/direct/wrong-from-path", GINT_TO_POINTER (FALSE), test_wrong_paths);
  g_test_add_func ("/connector/direct/bind-timeout", test_bind_timeout);
  g_test_add_func ("/connector/direct/connection-refused", test_connection_refused);
  g_test_add_func ("/connector/direct/cancel-and-cleanup", test_cancel_and_cleanup);
  g_test_add_data_func ("/connector/direct/acceptor-idle-peer-timeout", GINT_TO_POINTER (TRUE), test_acceptor_idle_peer);
  g_test_add_data_func ("/connector/direct/acceptor-idle-peer-cancel", GINT_TO_POINTER (FALSE), test_acceptor_idle_peer);
  g_test_add_data_func ("/connector/direct/acceptor-first-send-with-content", GSIZE_TO_POINTER (11),
                        test_acceptor_first_send_with_content);
  g_test_add_data_func ("/connector/direct/acceptor-first-send-with-content-large",
                        GSIZE_TO_POINTER (1024 * 1024 + 7), test_acceptor_first_send_with_content);
  g_test_add_func ("/connector/direct/acceptor-idle-first", test_acceptor_idle_first);
  g_test_add_data_func ("/connector/direct/acceptor-strangers-first", GINT_TO_POINTER (FALSE),
                        test_acceptor_strangers_first);
  g_test_add_data_func ("/connector/direct/acceptor-strangers-first-tls", GINT_TO_POINTER (TRUE),
                        test_acceptor_strangers_first);
  g_test_add_func ("/connector/direct/any-peer", test_any_peer);
  g_test_add_func ("/connector/direct/message-buffered-behind-binding", test_message_buffered_behind_binding);
  g_test_add_data_func ("/connector/direct/stuck-binding-cancel", &stuck_binding_cancel, test_stuck_peer);
  g_test_add_data_func ("/connector/direct/stuck-binding-timeout", &stuck_binding_timeout, test_stuck_peer);
  g_test_add_data_func ("/connector/direct/stuck-binding-cleanup", &stuck_binding_cleanup, test_stuck_peer);
  g_test_add_data_func ("/connector/direct/stuck-handshake-cancel", &stuck_handshake_cancel, test_stuck_peer);
  g_test_add_data_func ("/connector/direct/stuck-handshake-timeout", &stuck_handshake_timeout, test_stuck_peer);

  return g_test_run ();
}
