/* test-utils.h: what the C test suites share
 *
 * Waiting on the main context with a watchdog, loopback socket pairs,
 * connector and transport operations that look synchronous, and the
 * sentinels the suites use.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-glib.h"

G_BEGIN_DECLS

/* The default time a whole test may take before the watchdog fails it. */
#define TEST_TIMEOUT_SECONDS 10

/* Given to a fixture for "no session on side B": the test drives B's
 * transport by hand. */
#define TEST_NO_SESSION_B ((gconstpointer) 1)

/* Fails the test (g_error) when it has not ended within @seconds; returns
 * the source id for test_watchdog_stop(). */
guint          test_watchdog_start       (guint              seconds);
void           test_watchdog_stop        (guint              id);

/* Run the thread-default main context until the condition holds; the
 * watchdog bounds the wait. */
void           test_wait_for             (gboolean          *flag);
void           test_wait_for_ptr         (gpointer          *ptr);
void           test_wait_for_len         (GPtrArray         *array,
                                          guint              len);
/* Runs what is pending (closes, cancellations) without blocking. */
void           test_drain                (void);

GPtrArray     *test_path                 (const char        *str);

/* A connected TCP pair on 127.0.0.1. */
void           test_socket_pair          (GSocketConnection **client,
                                          GSocketConnection **server);

/* The result of an asynchronous operation, filled by the callbacks below
 * (each takes a TestOp as user data). */
typedef struct {
  gboolean done;
  gboolean ok;
  GPtrArray *path;
  MsrpTransport *transport;
  MsrpChunk *chunk;
  GError *error;
} TestOp;

void           test_op_clear             (TestOp            *op);
void           test_on_prepared          (GObject           *source,
                                          GAsyncResult      *result,
                                          gpointer           user_data);
void           test_on_completed         (GObject           *source,
                                          GAsyncResult      *result,
                                          gpointer           user_data);
void           test_on_written           (GObject           *source,
                                          GAsyncResult      *result,
                                          gpointer           user_data);
void           test_on_read              (GObject           *source,
                                          GAsyncResult      *result,
                                          gpointer           user_data);

/* prepare_async and its finish, asserting success. */
GPtrArray     *test_prepare              (MsrpConnector     *connector,
                                          MsrpUri           *local_uri);
/* Prepares both sides, completes both with the other's path, and gives
 * the two transports, asserting success. */
void           test_connect_pair         (MsrpConnector     *acceptor,
                                          MsrpConnector     *connector,
                                          MsrpUri           *listen_uri,
                                          MsrpTransport    **acceptor_transport,
                                          MsrpTransport    **connector_transport);
/* Gives each side its certificate and the other's fingerprint. */
void           test_set_tls_pair         (MsrpConnector     *acceptor,
                                          MsrpConnector     *connector,
                                          GTlsCertificate   *acceptor_cert,
                                          GTlsCertificate   *connector_cert);

/* Writes a chunk and waits until it went out, asserting success. */
void           test_write_chunk          (MsrpTransport     *transport,
                                          MsrpChunk         *chunk);
/* Reads the next chunk, asserting success. */
MsrpChunk     *test_read_chunk           (MsrpTransport     *transport);

G_END_DECLS
