/* test-session.c: MsrpSession between two endpoints on loopback
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <unistd.h>
#include <glib/gstdio.h>

#include <string.h>

#include "msrp-glib.h"
#include "msrp-chunk-private.h"
#include "msrp-reassembler-private.h"
#include "msrp-session-app-private.h"
#include "msrp-session-private.h"
#include "msrp-transport-private.h"
#include "test-utils.h"

#define TIMEOUT_SECONDS 20

typedef struct {
  MsrpTransport *ta;      /* the active side */
  MsrpTransport *tb;      /* the passive side */
  MsrpSession *a;
  MsrpSession *b;         /* NULL when a test drives tb by hand */
  GPtrArray *chunks_b;    /* chunk-received on b */
  GPtrArray *messages_b;  /* message-received on b: the data */
  GPtrArray *reports_a;   /* report-received on a */
  gboolean closed_a, closed_b;
  GError *closed_error_b;
  guint timeout_id;
  gboolean tls;
} Fixture;

static void
on_closed_a (MsrpSession *session, GError *error, gpointer user_data)
{
  Fixture *f = user_data;

  f->closed_a = TRUE;
}

static void
on_closed_b (MsrpSession *session, GError *error, gpointer user_data)
{
  Fixture *f = user_data;

  f->closed_b = TRUE;
  f->closed_error_b = error ? g_error_copy (error) : NULL;
}

/* A session on each end of a direct pair; with TEST_NO_SESSION_B as data,
 * only on a. */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char * const *accept_b = data;
  g_autoptr(MsrpConnector) acceptor = msrp_acceptor_direct_new ();
  g_autoptr(MsrpConnector) connector = msrp_connector_direct_new ();
  g_autoptr(MsrpUri) listen_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);

  f->timeout_id = test_watchdog_start (TIMEOUT_SECONDS);
  if (f->tls)
    test_set_tls_pair (acceptor, connector, test_certificate ("bob.example.com"),
                       test_certificate ("alice.example.com"));
  test_connect_pair (acceptor, connector, listen_uri, &f->tb, &f->ta);

  f->chunks_b = g_ptr_array_new_with_free_func (g_object_unref);
  f->messages_b = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  f->reports_a = g_ptr_array_new_with_free_func (g_object_unref);

  f->a = msrp_session_new (f->ta, NULL);
  g_signal_connect (f->a, "report-received", G_CALLBACK (test_keep_chunk), f->reports_a);
  g_signal_connect (f->a, "closed", G_CALLBACK (on_closed_a), f);
  if (data != TEST_NO_SESSION_B)
    {
      f->b = msrp_session_new (f->tb, accept_b);
      g_signal_connect (f->b, "chunk-received", G_CALLBACK (test_keep_chunk), f->chunks_b);
      g_signal_connect (f->b, "message-received", G_CALLBACK (test_keep_message), f->messages_b);
      g_signal_connect (f->b, "closed", G_CALLBACK (on_closed_b), f);
    }
}

static void
fixture_setup_tls (Fixture       *f,
                   gconstpointer  data)
{
  f->tls = TRUE;
  fixture_setup (f, data);
  g_assert_true (G_IS_TLS_CONNECTION (msrp_transport_get_stream (f->tb)));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* A session a test still holds must not call into what goes here. */
  if (f->a != NULL)
    {
      g_signal_handlers_disconnect_by_data (f->a, f);
      g_signal_handlers_disconnect_by_data (f->a, f->reports_a);
    }
  if (f->b != NULL)
    {
      g_signal_handlers_disconnect_by_data (f->b, f);
      g_signal_handlers_disconnect_by_data (f->b, f->chunks_b);
      g_signal_handlers_disconnect_by_data (f->b, f->messages_b);
    }
  g_clear_object (&f->a);
  g_clear_object (&f->b);
  g_clear_object (&f->ta);
  g_clear_object (&f->tb);
  g_clear_pointer (&f->chunks_b, g_ptr_array_unref);
  g_clear_pointer (&f->messages_b, g_ptr_array_unref);
  g_clear_pointer (&f->reports_a, g_ptr_array_unref);
  g_clear_error (&f->closed_error_b);
  test_watchdog_stop (f->timeout_id);
  test_drain ();
}

static MsrpChunk *
text_chunk (MsrpTransport *t,
            const char    *text,
            const char    *content_type)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  return msrp_transport_make_chunk (t, NULL, body, content_type);
}

static void
test_send_message (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = text_chunk (f->ta, "Hello, Bob", "text/plain");
  g_autoptr(MsrpChunk) response = test_send_chunk (f->a, chunk);

  g_assert_cmpuint (msrp_chunk_get_code (response), ==, 200);
  test_wait_for_len (f->messages_b, 1);
  g_assert_cmpuint (f->chunks_b->len, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (f->messages_b, 0), NULL), 10, "Hello, Bob", 10);
}

/* A session that only receives makes no tables of outgoing transactions
 * or messages waiting for a REPORT: of 10,000 bound idle sessions, each
 * would hold two empty ones. */
static void
test_receiver_makes_no_tables (Fixture       *f,
                               gconstpointer  data)
{
  test_send_message (f, data);
  g_assert_nonnull (f->a->transactions);
  g_assert_null (f->b->transactions);
  g_assert_null (f->b->awaiting_report);
}

static void
test_failure_report_no (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = text_chunk (f->ta, "fire and forget", "text/plain");
  g_autoptr(MsrpChunk) response = NULL;
  g_autoptr(MsrpChunk) second = text_chunk (f->ta, "answered", "text/plain");
  g_autoptr(MsrpChunk) second_response = NULL;

  msrp_chunk_set_failure_report (chunk, MSRP_FAILURE_REPORT_NO);
  response = test_send_chunk (f->a, chunk);
  /* Made locally: the peer sends nothing back for it. */
  g_assert_cmpuint (msrp_chunk_get_code (response), ==, 200);
  test_wait_for_len (f->messages_b, 1);
  /* The next chunk's response is the next thing a reads: had b answered
   * the first, that answer would have been taken for nothing. */
  second_response = test_send_chunk (f->a, second);
  g_assert_cmpuint (msrp_chunk_get_code (second_response), ==, 200);
  g_assert_cmpstr (msrp_chunk_get_transaction_id (second_response), ==,
                   msrp_chunk_get_transaction_id (second));
}

static void
test_failure_report_partial (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = text_chunk (f->ta, "only failures", "text/plain");
  g_autoptr(MsrpChunk) response = NULL;
  gint64 start = g_get_monotonic_time ();

  msrp_session_set_response_timeout (f->a, 1);
  msrp_chunk_set_failure_report (chunk, MSRP_FAILURE_REPORT_PARTIAL);
  response = test_send_chunk (f->a, chunk);
  /* No news is good news, once the timeout ran out. */
  g_assert_cmpuint (msrp_chunk_get_code (response), ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000);
  g_assert_cmpuint (f->messages_b->len, ==, 1);
}

static void
test_partial_gets_failure (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = text_chunk (f->ta, "<img/>", "image/svg+xml");
  g_autoptr(MsrpChunk) response = NULL;

  msrp_chunk_set_failure_report (chunk, MSRP_FAILURE_REPORT_PARTIAL);
  response = test_send_chunk (f->a, chunk);
  g_assert_cmpuint (msrp_chunk_get_code (response), ==, 415);
}

static void
test_no_response_408 (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = text_chunk (f->ta, "into the void", "text/plain");
  g_autoptr(MsrpChunk) response = NULL;
  TestOp raw = { 0, };

  /* b has no session: its transport reads and never answers. */
  msrp_transport_read_chunk_async (f->tb, 0, NULL, test_on_read, &raw);
  msrp_session_set_response_timeout (f->a, 1);
  response = test_send_chunk (f->a, chunk);
  g_assert_cmpuint (msrp_chunk_get_code (response), ==, 408);
  test_wait_for (&raw.done);
  g_assert_no_error (raw.error);
  g_clear_object (&raw.chunk);
}

/* A success REPORT that never comes fails the message with 408 after
 * response-timeout, each of several waiting at once. */
static void
test_no_report_408 (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) text = g_bytes_new_static ("unreported", 10);
  TestOp raw = { 0, }, first = { 0, }, second = { 0, };

  /* b has no session: its transport reads and never reports. */
  msrp_transport_read_chunk_async (f->tb, 0, NULL, test_on_read, &raw);
  msrp_session_set_response_timeout (f->a, 1);
  msrp_session_set_success_report (f->a, TRUE);
  msrp_session_set_failure_report (f->a, MSRP_FAILURE_REPORT_PARTIAL);
  msrp_session_send_message_async (f->a, text, "text/plain", NULL, test_on_message_sent, &first);
  msrp_session_send_message_async (f->a, text, "text/plain", NULL, test_on_message_sent, &second);
  test_wait_for (&first.done);
  test_wait_for (&second.done);
  g_assert_error (first.error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_REQUEST_TIMEOUT);
  g_assert_error (second.error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_REQUEST_TIMEOUT);
  test_wait_for (&raw.done);
  g_assert_no_error (raw.error);
  test_op_clear (&raw);
  test_op_clear (&first);
  test_op_clear (&second);
}

static void
test_unsupported_type (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = text_chunk (f->ta, "<img/>", "image/svg+xml");
  g_autoptr(MsrpChunk) ok = text_chunk (f->ta, "plain", "text/plain; charset=utf-8");
  g_autoptr(MsrpChunk) wild = text_chunk (f->ta, "cpim", "message/cpim");
  g_autoptr(MsrpChunk) r_ok = NULL;
  g_autoptr(MsrpChunk) r_wild = NULL;
  TestOp op = { 0, };

  msrp_session_deliver_chunk_async (f->a, chunk, NULL, test_on_chunk_delivered, &op);
  test_wait_for (&op.done);
  g_assert_error (op.error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_UNSUPPORTED_MEDIA_TYPE);
  g_clear_error (&op.error);
  r_ok = test_send_chunk (f->a, ok);
  g_assert_cmpuint (msrp_chunk_get_code (r_ok), ==, 200);
  r_wild = test_send_chunk (f->a, wild);
  g_assert_cmpuint (msrp_chunk_get_code (r_wild), ==, 200);
  test_wait_for_len (f->messages_b, 2);
  g_assert_cmpuint (f->chunks_b->len, ==, 2);
}

static void
test_unknown_method (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = msrp_transport_make_chunk (f->ta, "FROBNICATE", NULL, NULL);
  g_autoptr(MsrpChunk) response = test_send_chunk (f->a, chunk);

  g_assert_cmpuint (msrp_chunk_get_code (response), ==, 501);
}

static void
test_wrong_session (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = text_chunk (f->ta, "misdirected", "text/plain");
  g_autoptr(GPtrArray) elsewhere = test_path ("msrp://127.0.0.1:1/elsewhere;tcp");
  g_autoptr(MsrpChunk) response = NULL;

  msrp_chunk_set_to_path (chunk, elsewhere);
  response = test_send_chunk (f->a, chunk);
  g_assert_cmpuint (msrp_chunk_get_code (response), ==, 481);
  g_assert_cmpuint (f->chunks_b->len, ==, 0);
}

static void
test_success_report (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = text_chunk (f->ta, "please confirm", "text/plain");
  g_autoptr(MsrpChunk) response = NULL;
  MsrpChunk *report;
  guint code;
  gint64 start, end, total;

  msrp_chunk_set_success_report (chunk, TRUE);
  response = test_send_chunk (f->a, chunk);
  g_assert_cmpuint (msrp_chunk_get_code (response), ==, 200);
  test_wait_for_len (f->reports_a, 1);
  report = g_ptr_array_index (f->reports_a, 0);
  g_assert_cmpstr (msrp_chunk_get_method (report), ==, "REPORT");
  g_assert_cmpstr (msrp_chunk_get_message_id (report), ==, msrp_chunk_get_message_id (chunk));
  g_assert_true (msrp_chunk_get_status (report, &code, NULL));
  g_assert_cmpuint (code, ==, 200);
  g_assert_true (msrp_chunk_get_byte_range (report, &start, &end, &total));
  g_assert_cmpint (start, ==, 1);
  g_assert_cmpint (end, ==, 14);
  g_assert_cmpint (total, ==, 14);
}

static void
test_reassembly (Fixture       *f,
                 gconstpointer  data)
{
  /* "abcdefghij" in three chunks, sent out of order and overlapping. */
  static const struct { const char *text; gint64 start; MsrpContinuation cont; } parts[] = {
    { "ghij", 7, MSRP_CONTINUATION_END },
    { "abcd", 1, MSRP_CONTINUATION_MORE },
    { "defgh", 4, MSRP_CONTINUATION_MORE },
  };
  g_autofree char *message_id = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autoptr(MsrpChunk) chunk = text_chunk (f->ta, parts[i].text, "text/plain");
      g_autoptr(MsrpChunk) response = NULL;

      if (message_id == NULL)
        message_id = g_strdup (msrp_chunk_get_message_id (chunk));
      msrp_chunk_set_message_id (chunk, message_id);
      msrp_chunk_set_byte_range (chunk, parts[i].start, parts[i].start + strlen (parts[i].text) - 1, 10);
      msrp_chunk_set_continuation (chunk, parts[i].cont);
      response = test_send_chunk (f->a, chunk);
      g_assert_cmpuint (msrp_chunk_get_code (response), ==, 200);
      /* Not whole before the last piece. */
      g_assert_cmpuint (f->messages_b->len, ==, i == 2 ? 1 : 0);
    }
  g_assert_cmpuint (f->chunks_b->len, ==, 3);
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (f->messages_b, 0), NULL),
                   g_bytes_get_size (g_ptr_array_index (f->messages_b, 0)), "abcdefghij", 10);
}

static void
test_large_chunk_parts (Fixture       *f,
                        gconstpointer  data)
{
  const gsize size = 600 * 1000;
  g_autofree guint8 *raw = g_malloc (size);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(MsrpChunk) chunk = NULL;
  g_autoptr(MsrpChunk) response = NULL;

  for (gsize i = 0; i < size; i++)
    raw[i] = i % 251;
  body = g_bytes_new (raw, size);
  chunk = msrp_transport_make_chunk (f->ta, NULL, body, "application/octet-stream");
  response = test_send_chunk (f->a, chunk);
  /* One response for the chunk, though it arrived in parts. */
  g_assert_cmpuint (msrp_chunk_get_code (response), ==, 200);
  test_wait_for_len (f->messages_b, 1);
  g_assert_cmpuint (f->chunks_b->len, >, 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (f->messages_b, 0), body));
}

static void
test_too_large_for_message (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = text_chunk (f->ta, "twenty bytes of text", "text/plain");
  g_autoptr(MsrpChunk) response = NULL;
  g_autoptr(MsrpChunk) small = text_chunk (f->ta, "tiny", "text/plain");
  g_autoptr(MsrpChunk) small_response = NULL;

  msrp_session_set_max_message_size (f->b, 10);
  response = test_send_chunk (f->a, chunk);
  g_assert_cmpuint (msrp_chunk_get_code (response), ==, 200);
  small_response = test_send_chunk (f->a, small);
  test_wait_for_len (f->messages_b, 1);
  /* The large one came as a chunk only. */
  g_assert_cmpuint (f->chunks_b->len, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (f->messages_b, 0)), ==, 4);
}

static void
test_shutdown (Fixture       *f,
               gconstpointer  data)
{
  TestOp op = { 0, }, late = { 0, };
  g_autoptr(MsrpChunk) chunk = text_chunk (f->ta, "too late", "text/plain");

  msrp_session_shutdown_async (f->a, NULL, test_on_shutdown, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_true (op.ok);
  g_assert_true (f->closed_a);
  /* The peer sees a clean end. */
  test_wait_for (&f->closed_b);
  g_assert_no_error (f->closed_error_b);

  msrp_session_send_chunk_async (f->a, chunk, NULL, test_on_chunk_sent, &late);
  test_wait_for (&late.done);
  g_assert_error (late.error, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED);
  g_clear_error (&late.error);
}

static void
test_pending_fails_on_close (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(MsrpChunk) chunk = text_chunk (f->ta, "never answered", "text/plain");
  TestOp op = { 0, }, raw = { 0, };
  GError *error = NULL;

  /* b reads the chunk and closes without answering. */
  msrp_transport_read_chunk_async (f->tb, 0, NULL, test_on_read, &raw);
  msrp_session_send_chunk_async (f->a, chunk, NULL, test_on_chunk_sent, &op);
  test_wait_for (&raw.done);
  g_clear_object (&raw.chunk);
  g_io_stream_close (msrp_transport_get_stream (f->tb), NULL, &error);
  g_assert_no_error (error);
  test_wait_for (&op.done);
  g_assert_error (op.error, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED);
  g_clear_error (&op.error);
  g_assert_true (f->closed_a);
}

/* The peer's success REPORT and its close come in one read, right after
 * the message went out and before its write was told done: the message
 * was delivered, and says so (a chat window marked it failed). */
static void
test_report_then_close (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(MsrpChunk) report = _msrp_transport_new_request (f->tb, "REPORT");
  g_autoptr(GBytes) wire = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("Hello", 5);
  GIOStream *stream = msrp_transport_get_stream (f->tb);
  GError *error = NULL;
  TestOp op = { 0, };

  msrp_chunk_set_message_id (report, "delivered-then-closed");
  msrp_chunk_set_byte_range (report, 1, 5, 5);
  msrp_chunk_set_status (report, MSRP_STATUS_OK, NULL);
  wire = msrp_chunk_encode (report);
  /* Written and closed before a's main loop runs again: a reads both in
   * the turn its message's write would be told done. */
  g_output_stream_write_all (g_io_stream_get_output_stream (stream), g_bytes_get_data (wire, NULL),
                             g_bytes_get_size (wire), NULL, NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (stream, NULL, &error);
  g_assert_no_error (error);

  _msrp_session_send_message_with_id (f->a, body, "text/plain", "delivered-then-closed", TRUE,
                                      MSRP_FAILURE_REPORT_PARTIAL, NULL, test_on_message_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_cmpstr (op.message_id, ==, "delivered-then-closed");
  g_free (op.message_id);
  test_wait_for (&f->closed_a);
}


/* Sending messages and files */

/* Accept-types for b that also tell test_send_file to hide the size. */
static const char *const any_type_unknown_size[] = { "*", NULL };

static GBytes *
pattern_bytes (gsize size, guint seed)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) ((i * 31 + seed + (i >> 11)) & 0xff);
  return g_bytes_new_take (data, size);
}

static void
on_message_shutdown (MsrpSession *session, MsrpChunk *first, GBytes *data, gpointer user_data)
{
  msrp_session_shutdown_async (session, NULL, NULL, NULL);
}

/* A receiver that shuts down from message-received still answers that
 * message (and sends its REPORT): the sender's send completes. */
static void
test_shutdown_in_handler (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GBytes) message = g_bytes_new_static ("last words", 10);
  TestOp op = { 0, };

  g_signal_connect (f->b, "message-received", G_CALLBACK (on_message_shutdown), NULL);
  msrp_session_set_success_report (f->a, TRUE);
  msrp_session_send_message_async (f->a, message, "text/plain", NULL, test_on_message_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_nonnull (op.message_id);
  g_assert_cmpuint (f->reports_a->len, ==, 1);
  test_wait_for (&f->closed_b);
  g_free (op.message_id);
}

static void
test_send_message_chunked (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) message = pattern_bytes (1024 * 1024 + 3, 1);
  TestOp op = { 0, };

  msrp_session_set_max_chunk_size (f->a, 64 * 1024);
  msrp_session_send_message_async (f->a, message, "application/octet-stream", NULL, test_on_message_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_nonnull (op.message_id);
  test_wait_for_len (f->messages_b, 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (f->messages_b, 0), message));
  /* 17 chunks of at most 64 KiB, each with the Message-ID. */
  g_assert_cmpuint (f->chunks_b->len, ==, 17);
  for (guint i = 0; i < f->chunks_b->len; i++)
    {
      MsrpChunk *c = g_ptr_array_index (f->chunks_b, i);

      g_assert_cmpstr (msrp_chunk_get_message_id (c), ==, op.message_id);
      g_assert_cmpuint (msrp_chunk_get_size (c), <=, 64 * 1024);
      g_assert_cmpint (msrp_chunk_get_continuation (c), ==,
                       i == f->chunks_b->len - 1 ? MSRP_CONTINUATION_END : MSRP_CONTINUATION_MORE);
    }
  g_free (op.message_id);
}

static void
test_send_message_empty_and_binary (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) binary = g_bytes_new_static ("\0\r\n-------\r\n\xff", 12);
  TestOp op1 = { 0, }, op2 = { 0, };

  msrp_session_send_message_async (f->a, empty, "text/plain", NULL, test_on_message_sent, &op1);
  msrp_session_send_message_async (f->a, binary, "application/octet-stream", NULL, test_on_message_sent, &op2);
  test_wait_both (&op1, &op2);
  test_wait_for_len (f->messages_b, 2);
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (f->messages_b, 0)), ==, 0);
  g_assert_true (g_bytes_equal (g_ptr_array_index (f->messages_b, 1), binary));
  g_free (op1.message_id);
  g_free (op2.message_id);
}

static void
test_send_message_waits_for_report (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GBytes) message = g_bytes_new_static ("confirm me", 10);
  TestOp op = { 0, };

  msrp_session_set_success_report (f->a, TRUE);
  msrp_session_send_message_async (f->a, message, "text/plain", NULL, test_on_message_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  /* It completed because the REPORT came. */
  g_assert_cmpuint (f->reports_a->len, ==, 1);
  g_assert_cmpstr (msrp_chunk_get_message_id (g_ptr_array_index (f->reports_a, 0)), ==, op.message_id);
  g_free (op.message_id);
}

static void
test_send_message_refused (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) message = pattern_bytes (300 * 1000, 2);
  TestOp op = { 0, };

  msrp_session_set_max_chunk_size (f->a, 10000);
  msrp_session_send_message_async (f->a, message, "image/png", NULL, test_on_message_sent, &op);
  test_wait_for (&op.done);
  g_assert_error (op.error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_UNSUPPORTED_MEDIA_TYPE);
  g_clear_error (&op.error);
  g_assert_cmpuint (f->messages_b->len, ==, 0);
}

static void
test_send_file (Fixture       *f,
                gconstpointer  data)
{
  gboolean size_known = data != any_type_unknown_size;
  g_autoptr(GBytes) content = pattern_bytes (500 * 1000, 3);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (content);
  g_autoptr(MsrpOutgoingFile) file = msrp_outgoing_file_new (stream, size_known ? (goffset) g_bytes_get_size (content) : -1,
                                                             "application/pdf", 0, NULL);
  TestOp op = { 0, };
  MsrpChunk *last;
  gint64 total;

  msrp_outgoing_file_set_header (file, "Content-Disposition", "attachment; filename=\"a.pdf\"");
  msrp_session_send_file_async (f->a, file, NULL, test_on_file_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_true (op.ok);
  g_assert_cmpint (msrp_outgoing_file_get_bytes_sent (file), ==, g_bytes_get_size (content));
  test_wait_for_len (f->messages_b, 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (f->messages_b, 0), content));
  last = g_ptr_array_index (f->chunks_b, f->chunks_b->len - 1);
  g_assert_cmpstr (msrp_chunk_get_message_id (last), ==, msrp_outgoing_file_get_message_id (file));
  g_assert_cmpstr (msrp_chunk_get_content_disposition (g_ptr_array_index (f->chunks_b, 0)), ==,
                   "attachment; filename=\"a.pdf\"");
  msrp_chunk_get_byte_range (g_ptr_array_index (f->chunks_b, 0), NULL, NULL, &total);
  g_assert_cmpint (total, ==, size_known ? (gint64) g_bytes_get_size (content) : -1);
}

typedef struct {
  GChecksum *sum;
  gint64 next;       /* the next byte expected, 1-based */
  gboolean ended;
  const char *message_id;
  guint64 chunks;
} Streamer;

static void
on_stream_chunk (MsrpSession *session, MsrpChunk *chunk, gpointer user_data)
{
  Streamer *st = user_data;
  gint64 start;
  gsize len;
  const guint8 *bytes;

  if (g_strcmp0 (msrp_chunk_get_message_id (chunk), st->message_id) != 0)
    return;
  msrp_chunk_get_byte_range (chunk, &start, NULL, NULL);
  g_assert_cmpint (start, ==, st->next);
  bytes = g_bytes_get_data (msrp_chunk_get_data (chunk), &len);
  g_checksum_update (st->sum, bytes, len);
  st->next += len;
  st->chunks++;
  if (msrp_chunk_get_continuation (chunk) == MSRP_CONTINUATION_END)
    st->ended = TRUE;
}

static void
test_send_file_100mib (Fixture       *f,
                       gconstpointer  data)
{
  const gsize size = 100 * 1024 * 1024;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "msrp-test-100mib-XXXXXX", NULL);
  g_autoptr(GChecksum) expect = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GFile) gfile = NULL;
  g_autoptr(MsrpOutgoingFile) file = NULL;
  g_autoptr(GError) error = NULL;
  Streamer st = { g_checksum_new (G_CHECKSUM_SHA256), 1, FALSE, NULL, 0 };
  TestOp op = { 0, };
  int fd;

  fd = g_mkstemp (path);
  g_assert_cmpint (fd, >=, 0);
  {
    g_autofree guint8 *block = g_malloc (1024 * 1024);

    for (gsize done = 0; done < size; done += 1024 * 1024)
      {
        for (gsize i = 0; i < 1024 * 1024; i++)
          block[i] = (guint8) ((done + i) * 2654435761u >> 24);
        g_assert_cmpint (write (fd, block, 1024 * 1024), ==, 1024 * 1024);
        g_checksum_update (expect, block, 1024 * 1024);
      }
    close (fd);
  }

  gfile = g_file_new_for_path (path);
  file = msrp_outgoing_file_new_for_file (gfile, "application/octet-stream", &error);
  g_assert_no_error (error);
  st.message_id = msrp_outgoing_file_get_message_id (file);
  g_signal_connect (f->b, "chunk-received", G_CALLBACK (on_stream_chunk), &st);

  msrp_session_send_file_async (f->a, file, NULL, test_on_file_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_cmpint (st.next - 1, ==, size);
  g_assert_true (st.ended);
  /* Too large to be put together in memory: it came as chunks only. */
  g_assert_cmpuint (f->messages_b->len, ==, 0);
  g_assert_cmpstr (g_checksum_get_string (st.sum), ==, g_checksum_get_string (expect));
  g_signal_handlers_disconnect_by_data (f->b, &st);
  g_checksum_free (st.sum);
  g_unlink (path);
}

typedef struct {
  const char *file_id;
  gboolean file_started;
  gboolean file_ended;
  gboolean small_seen;
  gboolean small_before_file_end;
} Interleave;

static void
on_interleave_chunk (MsrpSession *session, MsrpChunk *chunk, gpointer user_data)
{
  Interleave *il = user_data;

  if (g_strcmp0 (msrp_chunk_get_message_id (chunk), il->file_id) == 0)
    {
      il->file_started = TRUE;
      if (msrp_chunk_get_continuation (chunk) == MSRP_CONTINUATION_END)
        il->file_ended = TRUE;
    }
  else
    {
      il->small_seen = TRUE;
      il->small_before_file_end = !il->file_ended;
    }
}

static void
test_interruption (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) content = pattern_bytes (8 * 1024 * 1024, 4);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (content);
  g_autoptr(MsrpOutgoingFile) file = msrp_outgoing_file_new (stream, g_bytes_get_size (content), NULL, 0, NULL);
  g_autoptr(GBytes) small = g_bytes_new_static ("hi", 2);
  Interleave il = { msrp_outgoing_file_get_message_id (file), };
  TestOp fop = { 0, }, mop = { 0, };

  g_signal_connect (f->b, "chunk-received", G_CALLBACK (on_interleave_chunk), &il);
  msrp_session_send_file_async (f->a, file, NULL, test_on_file_sent, &fop);
  test_wait_for (&il.file_started);
  /* The file is on its way; a short message goes out between its chunks. */
  msrp_session_send_message_async (f->a, small, "text/plain", NULL, test_on_message_sent, &mop);
  test_wait_both (&mop, &fop);
  g_assert_true (il.small_seen);
  g_assert_true (il.small_before_file_end);
  g_signal_handlers_disconnect_by_data (f->b, &il);
  g_free (mop.message_id);
}

static void
on_abort_chunk (MsrpSession *session, MsrpChunk *chunk, gpointer user_data)
{
  gboolean *aborted = user_data;

  if (msrp_chunk_get_continuation (chunk) == MSRP_CONTINUATION_ABORT)
    *aborted = TRUE;
}

static void
test_cancel_file (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) content = pattern_bytes (16 * 1024 * 1024, 5);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (content);
  g_autoptr(MsrpOutgoingFile) file = msrp_outgoing_file_new (stream, g_bytes_get_size (content), NULL, 0, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean aborted = FALSE;
  TestOp op = { 0, };

  g_signal_connect (f->b, "chunk-received", G_CALLBACK (on_abort_chunk), &aborted);
  msrp_session_send_file_async (f->a, file, cancellable, test_on_file_sent, &op);
  test_wait_for_len (f->chunks_b, 1);
  g_cancellable_cancel (cancellable);
  test_wait_for (&op.done);
  g_assert_error (op.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&op.error);
  /* The peer is told with `#`, and gets no message. */
  test_wait_for (&aborted);
  g_assert_cmpuint (f->messages_b->len, ==, 0);
  g_assert_cmpint (msrp_outgoing_file_get_bytes_sent (file), <, g_bytes_get_size (content));
  g_signal_handlers_disconnect_by_data (f->b, &aborted);
}


static void
on_closed_with_error (MsrpSession *session, GError *error, gpointer user_data)
{
  GError **out = user_data;

  g_assert_nonnull (error);
  *out = g_error_copy (error);
}

static void
test_keepalive (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GOutputStream) log = g_memory_output_stream_new_resizable ();
  g_autoptr(MsrpLogger) logger = msrp_file_logger_new (log);

  msrp_transport_set_logger (f->ta, logger);
  msrp_session_set_keepalive_interval (f->a, 1);
  g_assert_cmpuint (msrp_session_get_keepalive_interval (f->a), ==, 1);
  /* Wait until a keepalive went out and its 200 came back. */
  for (;;)
    {
      gsize len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (log));
      const char *text = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (log));

      if (text != NULL && g_strstr_len (text, len, " SEND") && g_strstr_len (text, len, " 200 OK"))
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  /* An empty SEND is no message. */
  g_assert_cmpuint (f->chunks_b->len, ==, 0);
  g_assert_cmpuint (f->messages_b->len, ==, 0);
  g_assert_false (f->closed_a);
  msrp_session_set_keepalive_interval (f->a, 0);
  msrp_transport_set_logger (f->ta, NULL);
}

static void
test_keepalive_unanswered (Fixture       *f,
                           gconstpointer  data)
{
  GError *error = NULL;
  TestOp raw = { 0, };

  /* b reads and never answers. */
  msrp_transport_read_chunk_async (f->tb, 0, NULL, test_on_read, &raw);
  g_signal_connect (f->a, "closed", G_CALLBACK (on_closed_with_error), &error);
  msrp_session_set_response_timeout (f->a, 1);
  msrp_session_set_keepalive_interval (f->a, 1);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);
  test_wait_for (&raw.done);
  g_clear_object (&raw.chunk);
  g_clear_error (&raw.error);
}


/* Start lines ("MSRP <tid> ...") in a traffic log that end with `what`. */
static guint
count_start_lines (const char *log,
                   const char *what)
{
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "MSRP ") && g_str_has_suffix (lines[i], what))
      n++;
  return n;
}

/* Every Failure-Report and Success-Report: what the receiver answers. */
static void
test_report_matrix (Fixture       *f,
                    gconstpointer  data)
{
  static const MsrpFailureReport frs[] = { MSRP_FAILURE_REPORT_YES, MSRP_FAILURE_REPORT_NO, MSRP_FAILURE_REPORT_PARTIAL };

  msrp_session_set_response_timeout (f->a, 1);
  for (guint i = 0; i < G_N_ELEMENTS (frs); i++)
    for (int sr = 0; sr <= 1; sr++)
      {
        g_autoptr(GOutputStream) log = g_memory_output_stream_new_resizable ();
        g_autoptr(MsrpLogger) logger = msrp_file_logger_new (log);
        g_autoptr(GBytes) message = g_bytes_new_static ("matrix", 6);
        guint reports_before = f->reports_a->len;
        guint messages_before = f->messages_b->len;
        TestOp op = { 0, };
        g_autofree char *text = NULL;

        msrp_transport_set_logger (f->tb, logger);
        msrp_session_set_failure_report (f->a, frs[i]);
        msrp_session_set_success_report (f->a, sr);
        msrp_session_send_message_async (f->a, message, "text/plain", NULL, test_on_message_sent, &op);
        test_wait_for (&op.done);
        g_assert_no_error (op.error);
        test_wait_for_len (f->messages_b, messages_before + 1);
        if (sr)
          g_assert_cmpuint (f->reports_a->len, ==, reports_before + 1);
        msrp_transport_set_logger (f->tb, NULL);

        text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (log)),
                          g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (log)));
        /* The receiver answered 200 only with Failure-Report yes, and sent
         * a REPORT only when asked. */
        g_assert_cmpint (count_start_lines (text, " 200 OK"), ==, frs[i] == MSRP_FAILURE_REPORT_YES);
        g_assert_cmpint (count_start_lines (text, " REPORT"), ==, sr);
        g_free (op.message_id);
      }
}

/* The REPORT received in @log after @from, its transaction id and
 * message id replaced by placeholders; the end of it in *@end. */
static char *
received_report (const char  *log,
                 const char  *from,
                 const char **end)
{
  const char *start = strstr (from, " REPORT\n");
  const char *line, *tail;
  g_autofree char *tid = NULL;
  g_autofree char *close = NULL;
  g_autoptr(GString) text = NULL;
  g_auto(GStrv) parts = NULL;

  g_assert_nonnull (start);
  for (line = start; line > log && line[-1] != '\n'; line--)
    ;
  g_assert_true (g_str_has_prefix (line, "MSRP "));
  tid = g_strndup (line + 5, start - line - 5);
  close = g_strdup_printf ("-------%s$\n", tid);
  tail = strstr (start, close);
  g_assert_nonnull (tail);
  *end = tail + strlen (close);
  text = g_string_new_len (line, *end - line);
  g_string_replace (text, tid, "TID", 0);
  /* Message-ID: <id>\n */
  parts = g_strsplit (text->str, "Message-ID: ", 2);
  g_assert_nonnull (parts[1]);
  return g_strdup_printf ("%sMessage-ID: ID%s", parts[0], strstr (parts[1], "\n"));
}

/* The success REPORT a session writes without making a chunk is what the
 * chunk it made would have written (a logger on the writing side makes
 * the chunk). */
static void
test_report_bytes (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GOutputStream) log = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) log_b = g_memory_output_stream_new_resizable ();
  g_autoptr(MsrpLogger) logger = msrp_file_logger_new (log);
  g_autoptr(MsrpLogger) logger_b = msrp_file_logger_new (log_b);
  g_autoptr(GBytes) message = g_bytes_new_static ("reported bytes", 14);
  g_autofree char *text = NULL;
  g_autofree char *fast = NULL;
  g_autofree char *made = NULL;
  const char *end;

  msrp_transport_set_logger (f->ta, logger);
  msrp_session_set_success_report (f->a, TRUE);
  for (guint i = 0; i < 2; i++)
    {
      TestOp op = { 0, };

      /* The second time b's transport has a logger: it makes the chunk. */
      if (i == 1)
        msrp_transport_set_logger (f->tb, logger_b);
      msrp_session_send_message_async (f->a, message, "text/plain", NULL, test_on_message_sent, &op);
      test_wait_for (&op.done);
      g_assert_no_error (op.error);
      test_wait_for_len (f->reports_a, i + 1);
      test_op_clear (&op);
    }
  msrp_transport_set_logger (f->ta, NULL);
  msrp_transport_set_logger (f->tb, NULL);

  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (log)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (log)));
  fast = received_report (text, text, &end);
  made = received_report (text, end, &end);
  g_assert_nonnull (strstr (fast, "\nByte-Range: 1-14/14\nStatus: 000 200 OK\n"));
  g_assert_cmpstr (fast, ==, made);
}

static gboolean
on_tick (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

/* The receiver reads nothing: the sender's file is read no further than
 * its window allows, instead of piling up in memory. */
static void
test_receiver_stops_reading (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GBytes) content = pattern_bytes (64 * 1024 * 1024, 6);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (content);
  g_autoptr(MsrpOutgoingFile) file = msrp_outgoing_file_new (stream, g_bytes_get_size (content), NULL, 0, NULL);
  TestOp op = { 0, };
  TestOp shut = { 0, };
  goffset last = -1;
  guint still = 0;
  GError *error = NULL;

  msrp_session_send_file_async (f->a, file, NULL, test_on_file_sent, &op);
  /* Watch how far the file was read, until that stops moving. */
  while (still < 5)
    {
      gboolean tick = FALSE;
      goffset now;

      g_timeout_add (100, on_tick, &tick);
      test_wait_for (&tick);
      now = g_seekable_tell (G_SEEKABLE (stream));
      still = now == last ? still + 1 : 0;
      last = now;
    }
  g_assert_false (op.done);
  g_assert_cmpint (last, >, 0);
  /* The unacknowledged window (4 MiB) and one chunk read ahead. */
  g_assert_cmpint (last, <=, 4 * 1024 * 1024 + 2 * 64 * 1024);

  /* A shutdown would wait for the file; cancelling it closes at once and
   * fails the file. The stuck writes end when the peer's socket goes away. */
  {
    g_autoptr(GCancellable) now = g_cancellable_new ();

    msrp_session_shutdown_async (f->a, now, test_on_shutdown, &shut);
    g_cancellable_cancel (now);
  }
  test_wait_for (&op.done);
  g_assert_error (op.error, MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED);
  g_clear_error (&op.error);
  g_io_stream_close (msrp_transport_get_stream (f->tb), NULL, &error);
  g_assert_no_error (error);
  test_wait_for (&shut.done);
  g_assert_true (shut.ok);
}

/* The peer goes away in the middle of a file. */
static void
test_peer_vanishes (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) content = pattern_bytes (32 * 1024 * 1024, 7);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (content);
  g_autoptr(MsrpOutgoingFile) file = msrp_outgoing_file_new (stream, g_bytes_get_size (content), NULL, 0, NULL);
  GError *closed_error = NULL;
  TestOp op = { 0, };
  TestOp raw = { 0, };
  GError *error = NULL;

  g_signal_connect (f->a, "closed", G_CALLBACK (on_closed_with_error), &closed_error);
  msrp_session_send_file_async (f->a, file, NULL, test_on_file_sent, &op);
  msrp_transport_read_chunk_async (f->tb, 0, NULL, test_on_read, &raw);
  test_wait_for (&raw.done);
  g_assert_no_error (raw.error);
  g_clear_object (&raw.chunk);
  g_io_stream_close (msrp_transport_get_stream (f->tb), NULL, &error);
  g_assert_no_error (error);

  test_wait_for (&op.done);
  g_assert_nonnull (op.error);
  g_clear_error (&op.error);
  while (closed_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_clear_error (&closed_error);
  g_assert_true (f->closed_a);
}

/* The receiver answers 413: the sender stops and ends the message with #. */
static void
test_stop_sending_413 (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) content = pattern_bytes (8 * 1024 * 1024, 8);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (content);
  g_autoptr(MsrpOutgoingFile) file = msrp_outgoing_file_new (stream, g_bytes_get_size (content), NULL, 0, NULL);
  g_autoptr(MsrpChunk) stop = NULL;
  TestOp op = { 0, };
  gboolean aborted = FALSE;
  gboolean answered = FALSE;

  msrp_session_send_file_async (f->a, file, NULL, test_on_file_sent, &op);
  while (!aborted)
    {
      TestOp raw = { 0, };

      msrp_transport_read_chunk_async (f->tb, 0, NULL, test_on_read, &raw);
      test_wait_for (&raw.done);
      g_assert_no_error (raw.error);
      if (!answered)
        {
          stop = msrp_transport_make_response (f->tb, raw.chunk, MSRP_STATUS_STOP_SENDING, NULL);
          msrp_transport_write_chunk_async (f->tb, stop, NULL, NULL, NULL);
          answered = TRUE;
        }
      aborted = msrp_chunk_get_continuation (raw.chunk) == MSRP_CONTINUATION_ABORT;
      g_clear_object (&raw.chunk);
    }
  test_wait_for (&op.done);
  g_assert_error (op.error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_STOP_SENDING);
  g_clear_error (&op.error);
  g_assert_cmpint (g_seekable_tell (G_SEEKABLE (stream)), <, g_bytes_get_size (content));
}


/* A shutdown lets what is queued go out first. */
static void
test_shutdown_sends_queued (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GBytes) message = pattern_bytes (2 * 1024 * 1024, 9);
  TestOp op = { 0, };
  TestOp shut = { 0, };

  msrp_session_send_message_async (f->a, message, "application/octet-stream", NULL, test_on_message_sent, &op);
  msrp_session_shutdown_async (f->a, NULL, test_on_shutdown, &shut);
  test_wait_for (&shut.done);
  g_assert_true (shut.ok);
  g_assert_true (op.done);
  g_assert_no_error (op.error);
  test_wait_for (&f->closed_b);
  g_assert_no_error (f->closed_error_b);
  g_assert_cmpuint (f->messages_b->len, ==, 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (f->messages_b, 0), message));
  g_free (op.message_id);
}


typedef struct {
  MsrpSession *session;
  guint chunks;
  guint paused_at;        /* chunks seen when the pause began */
  gboolean pausing;
  gboolean moved_while_paused;
  guint pauses;
} Slow;

static gboolean
slow_resume (gpointer user_data)
{
  Slow *slow = user_data;

  slow->pausing = FALSE;
  msrp_session_resume_reading (slow->session);
  return G_SOURCE_REMOVE;
}

static void
on_slow_chunk (MsrpSession *session, MsrpChunk *chunk, gpointer user_data)
{
  Slow *slow = user_data;

  if (slow->pausing)
    slow->moved_while_paused = TRUE;
  slow->chunks++;
  /* Every fourth chunk, take a break as an application writing to a slow
   * disk would. */
  if (slow->chunks % 4 == 0)
    {
      slow->pausing = TRUE;
      slow->pauses++;
      msrp_session_pause_reading (session);
      g_timeout_add (50, slow_resume, slow);
    }
}

/* A receiver that pauses reading gets nothing while paused, and the
 * message still arrives whole. */
static void
test_pause_reading (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) message = pattern_bytes (1024 * 1024, 10);
  Slow slow = { f->b, };
  TestOp op = { 0, };

  g_signal_connect (f->b, "chunk-received", G_CALLBACK (on_slow_chunk), &slow);
  msrp_session_set_max_chunk_size (f->a, 64 * 1024);
  msrp_session_send_message_async (f->a, message, "application/octet-stream", NULL, test_on_message_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  test_wait_for_len (f->messages_b, 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (f->messages_b, 0), message));
  /* The last pause ends after the message did. */
  while (slow.pausing)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (slow.pauses, ==, 4);
  g_assert_false (slow.moved_while_paused);
  g_signal_handlers_disconnect_by_data (f->b, &slow);
  g_free (op.message_id);
}


/* A message over the receiver's max-size gets 413, and the sender stops. */
static void
test_max_size_413 (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) big = pattern_bytes (300 * 1000, 11);
  g_autoptr(GBytes) small = g_bytes_new_static ("fits", 4);
  TestOp op = { 0, }, ok = { 0, };

  msrp_session_set_max_size (f->b, 1000);
  g_assert_cmpuint (msrp_session_get_max_size (f->b), ==, 1000);
  msrp_session_set_max_chunk_size (f->a, 10000);
  msrp_session_send_message_async (f->a, big, "application/octet-stream", NULL, test_on_message_sent, &op);
  test_wait_for (&op.done);
  g_assert_error (op.error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_STOP_SENDING);
  g_clear_error (&op.error);
  g_assert_cmpuint (f->chunks_b->len, ==, 0);

  msrp_session_send_message_async (f->a, small, "text/plain", NULL, test_on_message_sent, &ok);
  test_wait_for (&ok.done);
  g_assert_no_error (ok.error);
  test_wait_for_len (f->messages_b, 1);
  g_free (ok.message_id);
}

/* One chunk of unknown length (`*` for its end and total) far over
 * max-size, to a receiver
 * that streams it (a chunk-received handler): its parts come one by
 * one, and the bound holds on each, by the running end of its range, not only
 * on the first (it came whole as a message of 2 MiB). */
static void
test_max_size_every_part (Fixture       *f,
                          gconstpointer  data)
{
  const gsize max_size = 300 * 1024;
  g_autoptr(GBytes) huge = pattern_bytes (2 * 1024 * 1024, 12);
  g_autoptr(GBytes) small = g_bytes_new_static ("fits", 4);
  g_autoptr(MsrpChunk) chunk = msrp_transport_make_chunk (f->ta, NULL, huge, "application/octet-stream");
  g_autoptr(MsrpChunk) response = NULL;
  MsrpReassembler *r = _msrp_session_get_reassembler (f->b);
  TestOp ok = { 0, };
  guint64 handed_out = 0;

  msrp_session_set_max_size (f->b, max_size);
  msrp_chunk_set_byte_range (chunk, 1, -1, -1);
  response = test_send_chunk (f->a, chunk);
  g_assert_cmpuint (msrp_chunk_get_code (response), ==, MSRP_STATUS_STOP_SENDING);

  /* Its first part fit; nothing past the bound was handed out. */
  g_assert_cmpuint (f->chunks_b->len, >=, 1);
  for (guint i = 0; i < f->chunks_b->len; i++)
    {
      MsrpChunk *part = g_ptr_array_index (f->chunks_b, i);
      gint64 start;

      msrp_chunk_get_byte_range (part, &start, NULL, NULL);
      g_assert_cmpuint (start - 1 + msrp_chunk_get_size (part), <=, max_size);
      handed_out += msrp_chunk_get_size (part);
    }
  g_assert_cmpuint (handed_out, <=, max_size);

  /* The session goes on, and keeps nothing of the refused message. */
  msrp_session_send_message_async (f->a, small, "text/plain", NULL, test_on_message_sent, &ok);
  test_wait_for (&ok.done);
  g_assert_no_error (ok.error);
  test_wait_for_len (f->messages_b, 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (f->messages_b, 0), small));
  g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, 0);
  g_assert_cmpuint (_msrp_reassembler_get_held (r), ==, 0);
  g_free (ok.message_id);
}

/* Mid-chunk interruption (RFC 4975 7.1): with chunks of megabytes, a chunk
 * being written is cut short with `+` when other traffic waits, and the
 * message goes on in a new chunk from the next byte. */

#define BIG_CHUNK (8 * 1024 * 1024)
#define BIG_MESSAGE (32 * 1024 * 1024)
#define SLICE (64 * 1024)

static void
raw_answer (Fixture   *f,
            MsrpChunk *request,
            guint      code)
{
  g_autoptr(MsrpChunk) response = NULL;

  if (msrp_chunk_get_failure_report (request) == MSRP_FAILURE_REPORT_NO)
    return;
  response = msrp_transport_make_response (f->tb, request, code, NULL);
  msrp_transport_write_chunk_async (f->tb, response, NULL, NULL, NULL);
}

static void
checksum_bytes (GChecksum *sum,
                GBytes    *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_checksum_update (sum, data, len);
}

/* The bytes on the wire, deterministically: the small message is queued
 * while the first slice of the first chunk is being written, so that chunk
 * is cut right after it. */
static void
test_interrupt_wire (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) big = pattern_bytes (BIG_MESSAGE, 21);
  g_autoptr(GBytes) small = g_bytes_new_static ("urgent", 6);
  g_autoptr(GChecksum) expect = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GChecksum) got = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *first_tid = NULL;
  const char *big_id = NULL;
  TestOp op = { 0, }, sop = { 0, };
  gint64 next = 1;
  guint n = 0, big_chunks = 0;
  gboolean ended = FALSE;

  checksum_bytes (expect, big);
  msrp_session_set_max_chunk_size (f->a, BIG_CHUNK);
  msrp_session_send_message_async (f->a, big, "application/octet-stream", NULL, test_on_message_sent, &op);
  msrp_session_send_message_async (f->a, small, "text/plain", NULL, test_on_message_sent, &sop);

  while (!ended)
    {
      g_autoptr(MsrpChunk) c = test_read_chunk (f->tb);
      gint64 start, end, total;

      g_assert_true (msrp_chunk_is_request (c));
      raw_answer (f, c, 200);
      msrp_chunk_get_byte_range (c, &start, &end, &total);
      n++;
      if (n == 2)
        {
          /* Second on the wire: the small message, whole. */
          g_assert_cmpmem (g_bytes_get_data (msrp_chunk_get_data (c), NULL), msrp_chunk_get_size (c), "urgent", 6);
          g_assert_cmpint (msrp_chunk_get_continuation (c), ==, MSRP_CONTINUATION_END);
          g_assert_cmpint (end, ==, 6);
          continue;
        }
      if (n == 1)
        {
          /* First: the big message's first chunk, cut after one slice.
           * Interruptible chunks say `*` for their end (RFC 4975 7.1). */
          big_id = g_intern_string (msrp_chunk_get_message_id (c));
          first_tid = g_strdup (msrp_chunk_get_transaction_id (c));
          g_assert_cmpuint (msrp_chunk_get_size (c), ==, SLICE);
          g_assert_cmpint (msrp_chunk_get_continuation (c), ==, MSRP_CONTINUATION_MORE);
        }
      if (n == 3)
        {
          /* Then it goes on in a new transaction from the next byte. */
          g_assert_cmpint (start, ==, SLICE + 1);
          g_assert_cmpstr (msrp_chunk_get_transaction_id (c), !=, first_tid);
        }
      g_assert_cmpstr (msrp_chunk_get_message_id (c), ==, big_id);
      g_assert_cmpint (start, ==, next);
      g_assert_cmpint (end, ==, -1);
      g_assert_cmpint (total, ==, BIG_MESSAGE);
      g_assert_cmpuint (msrp_chunk_get_size (c), <=, BIG_CHUNK);
      checksum_bytes (got, msrp_chunk_get_data (c));
      next += msrp_chunk_get_size (c);
      big_chunks++;
      ended = msrp_chunk_get_continuation (c) == MSRP_CONTINUATION_END;
    }
  g_assert_cmpint (next - 1, ==, BIG_MESSAGE);
  /* 64 KiB, then 8 MiB chunks from there: five in all. */
  g_assert_cmpuint (big_chunks, ==, 5);
  g_assert_cmpstr (g_checksum_get_string (got), ==, g_checksum_get_string (expect));
  test_wait_both (&sop, &op);
  g_free (op.message_id);
  g_free (sop.message_id);
}

/* A cancel or a 413 after the cut still ends the message with `#`, from
 * where it was cut. */
static void
interrupt_abort (Fixture  *f,
                 gboolean  stop_sending)
{
  g_autoptr(GBytes) big = pattern_bytes (BIG_MESSAGE, 22);
  g_autoptr(GBytes) small = g_bytes_new_static ("urgent", 6);
  g_autoptr(GBytes) after = g_bytes_new_static ("still fine", 10);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char *big_id = NULL;
  TestOp op = { 0, }, sop = { 0, }, aop = { 0, };
  gint64 next = 1;
  gboolean aborted = FALSE, small_seen = FALSE, cut_seen = FALSE;

  msrp_session_set_max_chunk_size (f->a, BIG_CHUNK);
  msrp_session_send_message_async (f->a, big, "application/octet-stream", cancellable, test_on_message_sent, &op);
  msrp_session_send_message_async (f->a, small, "text/plain", NULL, test_on_message_sent, &sop);

  while (!aborted || !small_seen)
    {
      g_autoptr(MsrpChunk) c = test_read_chunk (f->tb);
      gint64 start;

      msrp_chunk_get_byte_range (c, &start, NULL, NULL);
      if (big_id == NULL)
        big_id = g_intern_string (msrp_chunk_get_message_id (c));
      if (g_strcmp0 (msrp_chunk_get_message_id (c), big_id) != 0)
        {
          small_seen = TRUE;
          raw_answer (f, c, 200);
          continue;
        }
      g_assert_cmpint (start, ==, next);
      next += msrp_chunk_get_size (c);
      if (!cut_seen)
        {
          /* The first chunk, cut: now the message fails. */
          g_assert_cmpint (msrp_chunk_get_continuation (c), ==, MSRP_CONTINUATION_MORE);
          g_assert_cmpuint (msrp_chunk_get_size (c), ==, SLICE);
          cut_seen = TRUE;
          raw_answer (f, c, stop_sending ? 413 : 200);
          if (!stop_sending)
            g_cancellable_cancel (cancellable);
          continue;
        }
      raw_answer (f, c, 200);
      g_assert_cmpint (msrp_chunk_get_continuation (c), !=, MSRP_CONTINUATION_END);
      aborted = msrp_chunk_get_continuation (c) == MSRP_CONTINUATION_ABORT;
    }
  g_assert_cmpint (next - 1, <, BIG_MESSAGE);
  test_wait_for (&op.done);
  if (stop_sending)
    g_assert_error (op.error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_STOP_SENDING);
  else
    g_assert_error (op.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&op.error);
  test_wait_for (&sop.done);
  g_assert_no_error (sop.error);

  /* The connection is still in step. */
  msrp_session_send_message_async (f->a, after, "text/plain", NULL, test_on_message_sent, &aop);
  {
    g_autoptr(MsrpChunk) c = test_read_chunk (f->tb);

    g_assert_cmpmem (g_bytes_get_data (msrp_chunk_get_data (c), NULL), msrp_chunk_get_size (c), "still fine", 10);
    raw_answer (f, c, 200);
  }
  test_wait_for (&aop.done);
  g_assert_no_error (aop.error);
  g_free (sop.message_id);
  g_free (aop.message_id);
}

/* An output stream that holds each write until the test lets it go, and
 * keeps what went out: the test sees which bytes a write carries while it
 * is still under way. */
#define TEST_TYPE_GATE (test_gate_get_type ())
G_DECLARE_FINAL_TYPE (TestGate, test_gate, TEST, GATE, GOutputStream)

struct _TestGate {
  GOutputStream parent_instance;
  GByteArray *wire;       /* what went out */
  GTask *held;            /* the write under way */
  GBytes *held_data;
};

G_DEFINE_FINAL_TYPE (TestGate, test_gate, G_TYPE_OUTPUT_STREAM)

static gssize
test_gate_write (GOutputStream  *stream,
                 const void     *buffer,
                 gsize           count,
                 GCancellable   *cancellable,
                 GError        **error)
{
  g_byte_array_append (TEST_GATE (stream)->wire, buffer, count);
  return count;
}

static void
test_gate_writev_async (GOutputStream        *stream,
                        const GOutputVector  *vectors,
                        gsize                 n_vectors,
                        int                   io_priority,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  TestGate *self = TEST_GATE (stream);
  GByteArray *data = g_byte_array_new ();

  g_assert_null (self->held);
  for (gsize i = 0; i < n_vectors; i++)
    g_byte_array_append (data, vectors[i].buffer, vectors[i].size);
  self->held = g_task_new (stream, cancellable, callback, user_data);
  self->held_data = g_byte_array_free_to_bytes (data);
}

static gboolean
test_gate_writev_finish (GOutputStream  *stream,
                         GAsyncResult   *result,
                         gsize          *bytes_written,
                         GError        **error)
{
  gssize n = g_task_propagate_int (G_TASK (result), error);

  if (bytes_written != NULL)
    *bytes_written = MAX (n, 0);
  return n >= 0;
}

/* The held write goes out whole. */
static void
test_gate_release (TestGate *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->held);
  g_autoptr(GBytes) data = g_steal_pointer (&self->held_data);
  gsize size;
  const guint8 *bytes = g_bytes_get_data (data, &size);

  g_byte_array_append (self->wire, bytes, size);
  g_task_return_int (task, size);
}

static void
test_gate_finalize (GObject *object)
{
  TestGate *self = TEST_GATE (object);

  g_assert_null (self->held);
  g_byte_array_unref (self->wire);
  G_OBJECT_CLASS (test_gate_parent_class)->finalize (object);
}

static void
test_gate_class_init (TestGateClass *klass)
{
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_gate_finalize;
  stream_class->write_fn = test_gate_write;
  stream_class->writev_async = test_gate_writev_async;
  stream_class->writev_finish = test_gate_writev_finish;
}

static void
test_gate_init (TestGate *self)
{
  self->wire = g_byte_array_new ();
}

static gboolean
bytes_end_with (GBytes     *bytes,
                const char *suffix)
{
  gsize size, len = strlen (suffix);
  const char *data = g_bytes_get_data (bytes, &size);

  return size >= len && memcmp (data + size - len, suffix, len) == 0;
}

/* A message fails (here: cancelled) while its long chunk, not its last,
 * is writing its `+` end-line: too late to end that chunk with `#`, so an
 * empty `#` chunk must follow it, or the peer keeps the message open
 * forever (none came). */
static void
test_abort_after_ending_chunk (void)
{
  g_autoptr(GSocketConnection) client = NULL;
  g_autoptr(GSocketConnection) server = NULL;
  g_autoptr(TestGate) gate = g_object_new (TEST_TYPE_GATE, NULL);
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GPtrArray) local = test_path ("msrp://127.0.0.1:2855/gated;tcp");
  g_autoptr(GPtrArray) remote = test_path ("msrp://127.0.0.1:2856/peer;tcp");
  g_autoptr(MsrpTransport) transport = NULL;
  g_autoptr(MsrpSession) session = NULL;
  g_autoptr(GBytes) big = pattern_bytes (6 * SLICE, 23);
  g_autoptr(GBytes) after = g_bytes_new_static ("after", 5);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) cancellable_after = g_cancellable_new ();
  g_autoptr(GBytes) wire = NULL;
  g_autofree char *end_line = NULL;
  char *big_id = NULL;
  TestOp op = { 0, }, aop = { 0, };
  gboolean aborted = FALSE, after_seen = FALSE;
  gsize offset = 0, size;
  guint timeout = test_watchdog_start (TIMEOUT_SECONDS);

  /* Nothing ever comes in: the peer's side is never written to. */
  test_socket_pair (&client, &server);
  stream = g_simple_io_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (server)), G_OUTPUT_STREAM (gate));
  transport = msrp_transport_new (stream, local, remote);
  session = msrp_session_new (transport, NULL);
  msrp_session_set_max_chunk_size (session, 2 * SLICE);
  msrp_session_send_message_async (session, big, "application/octet-stream", cancellable,
                                   test_on_message_sent, &op);

  /* Writes go out until the one that carries the first chunk's end-line. */
  for (;;)
    {
      test_wait_for_ptr ((gpointer *) &gate->held);
      if (end_line == NULL)
        {
          const char *head = g_bytes_get_data (gate->held_data, NULL);
          g_auto(GStrv) words = g_strsplit (head, " ", 3);

          g_assert_cmpstr (words[0], ==, "MSRP");
          end_line = g_strdup_printf ("\r\n-------%s+\r\n", words[1]);
        }
      if (bytes_end_with (gate->held_data, end_line))
        break;
      test_gate_release (gate);
    }

  /* Now the message fails, then the end-line goes out. */
  g_cancellable_cancel (cancellable);
  test_wait_for (&op.done);
  g_assert_error (op.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&op.error);
  test_gate_release (gate);

  /* Whatever is written next comes after the `#` chunk, if any. */
  msrp_session_send_message_async (session, after, "text/plain", cancellable_after, test_on_message_sent, &aop);
  while (!after_seen)
    {
      g_autoptr(GBytes) sent = NULL;

      test_wait_for_ptr ((gpointer *) &gate->held);
      sent = g_bytes_ref (gate->held_data);
      test_gate_release (gate);
      after_seen = g_bytes_get_size (sent) >= 5 &&
                   memmem (g_bytes_get_data (sent, NULL), g_bytes_get_size (sent), "after", 5) != NULL;
    }

  wire = g_bytes_new (gate->wire->data, gate->wire->len);
  size = g_bytes_get_size (wire);
  while (offset < size)
    {
      g_autoptr(GBytes) rest = g_bytes_new_from_bytes (wire, offset, size - offset);
      g_autoptr(GError) error = NULL;
      g_autoptr(MsrpChunk) chunk = NULL;
      gsize consumed = 0;

      chunk = msrp_chunk_parse (rest, &consumed, &error);
      g_assert_no_error (error);
      offset += consumed;
      if (big_id == NULL)
        {
          /* The first chunk, whole, with `+`. */
          big_id = g_strdup (msrp_chunk_get_message_id (chunk));
          g_assert_cmpint (msrp_chunk_get_continuation (chunk), ==, MSRP_CONTINUATION_MORE);
          g_assert_cmpuint (msrp_chunk_get_size (chunk), ==, 2 * SLICE);
        }
      else if (g_strcmp0 (msrp_chunk_get_message_id (chunk), big_id) == 0)
        {
          gint64 start;

          /* Nothing more of it but the `#` chunk, from where it stopped. */
          g_assert_cmpint (msrp_chunk_get_continuation (chunk), ==, MSRP_CONTINUATION_ABORT);
          msrp_chunk_get_byte_range (chunk, &start, NULL, NULL);
          g_assert_cmpint (start, ==, 2 * SLICE + 1);
          aborted = TRUE;
        }
    }
  g_assert_cmpuint (offset, ==, size);
  g_assert_true (aborted);

  /* No response comes to the last message. */
  g_cancellable_cancel (cancellable_after);
  test_wait_for (&aop.done);
  g_assert_error (aop.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&aop.error);
  g_free (big_id);
  g_clear_object (&session);
  g_clear_object (&transport);
  test_drain ();
  test_watchdog_stop (timeout);
}

static void
test_interrupt_cancel (Fixture       *f,
                       gconstpointer  data)
{
  interrupt_abort (f, FALSE);
}

/* Messages sharing a cancellable (one handler watches them all) end
 * together when it is cancelled; the others go on. */
static void
test_shared_cancellable (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) text = g_bytes_new_static ("hello", 5);
  g_autoptr(GCancellable) shared = g_cancellable_new ();
  g_autoptr(GCancellable) other = g_cancellable_new ();
  TestOp ops[5] = { { 0, }, };
  TestOp late = { 0, };
  g_autoptr(MsrpChunk) c_other = NULL;
  g_autoptr(MsrpChunk) c_none = NULL;

  msrp_session_send_message_async (f->a, text, "text/plain", shared, test_on_message_sent, &ops[0]);
  msrp_session_send_message_async (f->a, text, "text/plain", other, test_on_message_sent, &ops[1]);
  msrp_session_send_message_async (f->a, text, "text/plain", shared, test_on_message_sent, &ops[2]);
  msrp_session_send_message_async (f->a, text, "text/plain", NULL, test_on_message_sent, &ops[3]);
  msrp_session_send_message_async (f->a, text, "text/plain", shared, test_on_message_sent, &ops[4]);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(MsrpChunk) c = test_read_chunk (f->tb);

      if (i == 1)
        c_other = g_steal_pointer (&c);
      else if (i == 3)
        c_none = g_steal_pointer (&c);
    }

  g_cancellable_cancel (shared);
  for (guint i = 0; i < 5; i += 2)
    {
      test_wait_for (&ops[i].done);
      g_assert_error (ops[i].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&ops[i].error);
    }
  g_assert_false (ops[1].done);
  g_assert_false (ops[3].done);
  raw_answer (f, c_other, 200);
  raw_answer (f, c_none, 200);
  test_wait_for (&ops[1].done);
  g_assert_no_error (ops[1].error);
  test_wait_for (&ops[3].done);
  g_assert_no_error (ops[3].error);

  /* Cancelled already: it ends at once. */
  msrp_session_send_message_async (f->a, text, "text/plain", shared, test_on_message_sent, &late);
  test_wait_for (&late.done);
  g_assert_error (late.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&late.error);

  /* Reset, it is watched again. */
  g_cancellable_reset (shared);
  memset (&late, 0, sizeof late);
  msrp_session_send_message_async (f->a, text, "text/plain", shared, test_on_message_sent, &late);
  {
    g_autoptr(MsrpChunk) c = test_read_chunk (f->tb);

    g_cancellable_cancel (shared);
    test_wait_for (&late.done);
    g_assert_error (late.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&late.error);
  }
  for (guint i = 0; i < 5; i++)
    g_free (ops[i].message_id);
}

static void
test_interrupt_413 (Fixture       *f,
                    gconstpointer  data)
{
  interrupt_abort (f, TRUE);
}

typedef struct {
  const char *big_id;
  GChecksum *sum;
  gint64 next;             /* the next byte expected, 1-based */
  gsize chunk_bytes;       /* of the chunk whose parts are arriving */
  guint cut_chunks;        /* chunks of the big message ended with `+` early */
  gboolean big_started;
  gboolean big_ended;
  gboolean small_seen;
  gboolean small_before_big_end;
} Cut;

static void
on_cut_chunk (MsrpSession *session, MsrpChunk *chunk, gpointer user_data)
{
  Cut *cut = user_data;
  gboolean last_part;
  gint64 start;

  /* Sent first and alone: the first chunk tells its Message-ID. */
  if (cut->big_id == NULL)
    cut->big_id = g_intern_string (msrp_chunk_get_message_id (chunk));
  if (g_strcmp0 (msrp_chunk_get_message_id (chunk), cut->big_id) != 0)
    {
      cut->small_seen = TRUE;
      cut->small_before_big_end = !cut->big_ended;
      return;
    }
  /* Pieces arrive in order; each one's range is its start and its body. */
  msrp_chunk_get_byte_range (chunk, &start, NULL, NULL);
  g_assert_cmpint (start, ==, cut->next);
  checksum_bytes (cut->sum, msrp_chunk_get_data (chunk));
  cut->next += msrp_chunk_get_size (chunk);
  cut->chunk_bytes += msrp_chunk_get_size (chunk);
  cut->big_started = TRUE;
  /* A chunk longer than a read part comes in parts; its own flag is on
   * the last. */
  last_part = msrp_chunk_get_segment (chunk) == 0 || _msrp_chunk_is_last_segment (chunk);
  if (!last_part)
    return;
  if (msrp_chunk_get_continuation (chunk) == MSRP_CONTINUATION_MORE && cut->chunk_bytes < BIG_MESSAGE)
    cut->cut_chunks++;
  if (msrp_chunk_get_continuation (chunk) == MSRP_CONTINUATION_END)
    cut->big_ended = TRUE;
  cut->chunk_bytes = 0;
}

/* A small message sent while a 32 MiB message goes out as one chunk
 * arrives first: the chunk is cut short with `+` for it (one chunk, so
 * that the small message cannot fall between two chunks and need no cut,
 * whatever the timing); the large one arrives whole. */
static void
test_interrupt_message (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) big = pattern_bytes (BIG_MESSAGE, 23);
  g_autoptr(GBytes) small = g_bytes_new_static ("hi, while you wait", 18);
  g_autoptr(GChecksum) expect = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GChecksum) whole = g_checksum_new (G_CHECKSUM_SHA256);
  Cut cut = { NULL, g_checksum_new (G_CHECKSUM_SHA256), 1, };
  TestOp op = { 0, }, sop = { 0, };

  checksum_bytes (expect, big);
  /* Only the signals below: the fixture's would keep every part. */
  g_signal_handlers_disconnect_by_func (f->b, test_keep_chunk, f->chunks_b);
  g_signal_connect (f->b, "chunk-received", G_CALLBACK (on_cut_chunk), &cut);
  msrp_session_set_max_message_size (f->b, 2 * BIG_MESSAGE);
  msrp_session_set_max_chunk_size (f->a, BIG_MESSAGE);
  msrp_session_set_success_report (f->a, TRUE);

  msrp_session_send_message_async (f->a, big, "application/octet-stream", NULL, test_on_message_sent, &op);
  test_wait_for (&cut.big_started);
  msrp_session_send_message_async (f->a, small, "text/plain", NULL, test_on_message_sent, &sop);
  test_wait_for_len (f->messages_b, 1);
  /* The small one arrived first, whole, while the big one was going. */
  g_assert_true (g_bytes_equal (g_ptr_array_index (f->messages_b, 0), small));
  g_assert_false (cut.big_ended);
  g_assert_false (op.done);

  test_wait_both (&op, &sop);
  test_wait_for_len (f->messages_b, 2);
  checksum_bytes (whole, g_ptr_array_index (f->messages_b, 1));
  g_assert_cmpstr (g_checksum_get_string (whole), ==, g_checksum_get_string (expect));
  g_assert_cmpstr (g_checksum_get_string (cut.sum), ==, g_checksum_get_string (expect));
  g_assert_cmpint (cut.next - 1, ==, BIG_MESSAGE);
  g_assert_true (cut.small_before_big_end);
  /* A chunk of it was cut short with `+`; the success REPORT covers all. */
  g_assert_cmpuint (cut.cut_chunks, >=, 1);
  g_assert_cmpuint (f->reports_a->len, ==, 2);
  for (guint i = 0; i < f->reports_a->len; i++)
    {
      MsrpChunk *report = g_ptr_array_index (f->reports_a, i);
      gint64 start, end, total;

      if (g_strcmp0 (msrp_chunk_get_message_id (report), op.message_id) != 0)
        continue;
      msrp_chunk_get_byte_range (report, &start, &end, &total);
      g_assert_cmpint (start, ==, 1);
      g_assert_cmpint (end, ==, BIG_MESSAGE);
      g_assert_cmpint (total, ==, BIG_MESSAGE);
    }
  g_signal_handlers_disconnect_by_data (f->b, &cut);
  g_checksum_free (cut.sum);
  g_free (op.message_id);
  g_free (sop.message_id);
}

static void
on_bytes_sent (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  goffset *last = user_data;
  goffset now = msrp_outgoing_file_get_bytes_sent (MSRP_OUTGOING_FILE (object));

  /* Progress only goes forward, and only up to the size. */
  g_assert_cmpint (now, >, *last);
  g_assert_cmpint (now, <=, BIG_MESSAGE);
  *last = now;
}

/* The same with a file: bytes-sent ends at the size though chunks were
 * cut. */
static void
test_interrupt_file (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) content = pattern_bytes (BIG_MESSAGE, 24);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (content);
  g_autoptr(MsrpOutgoingFile) file = msrp_outgoing_file_new (stream, BIG_MESSAGE, "application/octet-stream", 0, NULL);
  g_autoptr(GBytes) small = g_bytes_new_static ("hi", 2);
  g_autoptr(GChecksum) expect = g_checksum_new (G_CHECKSUM_SHA256);
  Cut cut = { msrp_outgoing_file_get_message_id (file), g_checksum_new (G_CHECKSUM_SHA256), 1, };
  TestOp op = { 0, }, sop = { 0, };
  goffset progress = 0;

  checksum_bytes (expect, content);
  g_signal_handlers_disconnect_by_func (f->b, test_keep_chunk, f->chunks_b);
  g_signal_connect (f->b, "chunk-received", G_CALLBACK (on_cut_chunk), &cut);
  g_signal_connect (file, "notify::bytes-sent", G_CALLBACK (on_bytes_sent), &progress);
  msrp_session_set_max_message_size (f->b, 1024);
  msrp_session_set_max_chunk_size (f->a, BIG_MESSAGE);

  msrp_session_send_file_async (f->a, file, NULL, test_on_file_sent, &op);
  test_wait_for (&cut.big_started);
  msrp_session_send_message_async (f->a, small, "text/plain", NULL, test_on_message_sent, &sop);
  test_wait_for_len (f->messages_b, 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (f->messages_b, 0), small));
  g_assert_false (cut.big_ended);

  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_true (op.ok);
  test_wait_for (&sop.done);
  g_assert_no_error (sop.error);
  g_assert_true (cut.big_ended);
  g_assert_cmpint (cut.next - 1, ==, BIG_MESSAGE);
  g_assert_cmpstr (g_checksum_get_string (cut.sum), ==, g_checksum_get_string (expect));
  g_assert_true (cut.small_before_big_end);
  g_assert_cmpuint (cut.cut_chunks, >=, 1);
  g_assert_cmpint (msrp_outgoing_file_get_bytes_sent (file), ==, BIG_MESSAGE);
  g_assert_cmpint (progress, ==, BIG_MESSAGE);
  g_signal_handlers_disconnect_by_data (f->b, &cut);
  g_signal_handlers_disconnect_by_data (file, &progress);
  g_checksum_free (cut.sum);
  g_free (sop.message_id);
}

/* Receiving: a message that comes as a piece cut short with `+` and its
 * continuation is put together from the bytes that came, whatever the
 * piece's Byte-Range end says: relays may leave the original end there,
 * and interruptible chunks say `*`. */
static void
test_interrupted_reassembly (Fixture       *f,
                             gconstpointer  data)
{
  static const gint64 declared_ends[] = { 150, -1 };
  g_autoptr(GBytes) message = pattern_bytes (200, 25);
  const guint8 *bytes = g_bytes_get_data (message, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (declared_ends); i++)
    {
      g_autoptr(GBytes) head = g_bytes_new (bytes, 60);
      g_autoptr(GBytes) tail = g_bytes_new (bytes + 60, 140);
      g_autoptr(MsrpChunk) piece = msrp_transport_make_chunk (f->ta, NULL, head, "application/octet-stream");
      g_autoptr(MsrpChunk) rest = msrp_transport_make_chunk (f->ta, NULL, tail, "application/octet-stream");
      g_autoptr(MsrpChunk) r1 = NULL;
      g_autoptr(MsrpChunk) r2 = NULL;
      MsrpChunk *c;
      gint64 start;

      /* 60 bytes of a chunk declared to run to 150 (or `*`), cut with `+`. */
      msrp_chunk_set_byte_range (piece, 1, declared_ends[i], 200);
      msrp_chunk_set_continuation (piece, MSRP_CONTINUATION_MORE);
      msrp_chunk_set_message_id (rest, msrp_chunk_get_message_id (piece));
      msrp_chunk_set_byte_range (rest, 61, 200, 200);
      r1 = test_send_chunk (f->a, piece);
      g_assert_cmpuint (msrp_chunk_get_code (r1), ==, 200);
      g_assert_cmpuint (f->messages_b->len, ==, i);
      r2 = test_send_chunk (f->a, rest);
      g_assert_cmpuint (msrp_chunk_get_code (r2), ==, 200);
      test_wait_for_len (f->messages_b, i + 1);
      g_assert_true (g_bytes_equal (g_ptr_array_index (f->messages_b, i), message));
      /* chunk-received: one per piece. */
      g_assert_cmpuint (f->chunks_b->len, ==, 2 * (i + 1));
      c = g_ptr_array_index (f->chunks_b, 2 * i);
      g_assert_cmpint (msrp_chunk_get_continuation (c), ==, MSRP_CONTINUATION_MORE);
      g_assert_cmpuint (msrp_chunk_get_size (c), ==, 60);
      c = g_ptr_array_index (f->chunks_b, 2 * i + 1);
      msrp_chunk_get_byte_range (c, &start, NULL, NULL);
      g_assert_cmpint (start, ==, 61);
    }
}

/* Reassembly limits (max-reassembly-size, max-open-messages) and messages
 * nobody takes. */

/* A chunk of message_id with a one-byte (or empty) body at start. */
static MsrpChunk *
byte_chunk (Fixture          *f,
            const char       *message_id,
            gint64            start,
            const char       *byte,
            gint64            total,
            MsrpContinuation  continuation)
{
  g_autoptr(GBytes) body = g_bytes_new (byte, byte[0] != '\0');
  MsrpChunk *chunk = msrp_transport_make_chunk (f->ta, NULL, body, "application/octet-stream");

  msrp_chunk_set_message_id (chunk, message_id);
  msrp_chunk_set_byte_range (chunk, start, byte[0] != '\0' ? start : start - 1, total);
  msrp_chunk_set_continuation (chunk, continuation);
  return chunk;
}

/* Chunks spread one byte a block over four messages (that took 20.8 MB of
 * input to 338 MB): what the receiver holds is counted in the blocks it
 * takes and stays under max-reassembly-size; the chunk past it gets 413,
 * its message is dropped, and the session goes on. */
static void
test_reassembly_bound_413 (Fixture       *f,
                           gconstpointer  data)
{
  static const char *const ids[] = { "sparse0", "sparse1", "sparse2", "sparse3" };
  MsrpReassembler *r = _msrp_session_get_reassembler (f->b);
  const gsize bound = 1024 * 1024;
  g_autoptr(GBytes) message = pattern_bytes (300 * 1000, 31);
  TestOp op = { 0, };
  const char *dropped = NULL;
  guint accepted = 0;

  g_assert_cmpuint (msrp_session_get_max_reassembly_size (f->b), ==, MSRP_DEFAULT_MAX_REASSEMBLY_SIZE);
  msrp_session_set_max_reassembly_size (f->b, bound);
  g_assert_cmpuint (msrp_session_get_max_reassembly_size (f->b), ==, bound);
  for (guint i = 0; i < 64 && dropped == NULL; i++)
    {
      const char *id = ids[i % G_N_ELEMENTS (ids)];
      g_autoptr(MsrpChunk) chunk = byte_chunk (f, id, (gint64) (i / G_N_ELEMENTS (ids)) * 64 * 1024 + 1, "x",
                                               -1, MSRP_CONTINUATION_MORE);
      g_autoptr(MsrpChunk) response = test_send_chunk (f->a, chunk);

      g_assert_cmpuint (_msrp_reassembler_get_held (r), <=, bound);
      if (msrp_chunk_get_code (response) == MSRP_STATUS_STOP_SENDING)
        {
          dropped = id;
          break;
        }
      g_assert_cmpuint (msrp_chunk_get_code (response), ==, 200);
      accepted++;
      /* A byte costs the block it takes. */
      g_assert_cmpuint (_msrp_reassembler_get_held (r), >=, accepted * 64 * 1024);
    }
  g_assert_nonnull (dropped);
  g_assert_cmpuint (accepted, >=, bound / (64 * 1024) - 4);
  g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, G_N_ELEMENTS (ids) - 1);
  /* The refused chunk was not handed out. */
  g_assert_cmpuint (f->chunks_b->len, ==, accepted);

  /* A later chunk of the dropped message (already on its way) gets 413
   * too, rather than starting it again. */
  {
    g_autoptr(MsrpChunk) chunk = byte_chunk (f, dropped, 1, "y", -1, MSRP_CONTINUATION_MORE);
    g_autoptr(MsrpChunk) response = test_send_chunk (f->a, chunk);

    g_assert_cmpuint (msrp_chunk_get_code (response), ==, MSRP_STATUS_STOP_SENDING);
    g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, G_N_ELEMENTS (ids) - 1);
  }
  /* The others, ended with `#`, give back what they held. */
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(MsrpChunk) chunk = byte_chunk (f, ids[i], 2, "", -1, MSRP_CONTINUATION_ABORT);
      g_autoptr(MsrpChunk) response = test_send_chunk (f->a, chunk);

      g_assert_cmpuint (msrp_chunk_get_code (response), ==, 200);
    }
  g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, 0);
  g_assert_cmpuint (_msrp_reassembler_get_held (r), ==, 0);

  /* The session goes on: a message in several chunks arrives whole. */
  msrp_session_set_max_chunk_size (f->a, 64 * 1024);
  msrp_session_set_success_report (f->a, TRUE);
  msrp_session_send_message_async (f->a, message, "application/octet-stream", NULL, test_on_message_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  test_wait_for_len (f->messages_b, 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (f->messages_b, 0), message));
  g_assert_cmpuint (f->reports_a->len, ==, 1);
  g_free (op.message_id);
}

/* Only so many messages may be unfinished at once (4,000 of them, each
 * pinning a 60 KB first chunk, took 264 MB): the first chunk of one more
 * gets 413, and those already open go on. */
static void
test_open_messages_413 (Fixture       *f,
                        gconstpointer  data)
{
  static const char *const ids[] = { "open0", "open1", "one-more" };
  MsrpReassembler *r = _msrp_session_get_reassembler (f->b);

  g_assert_cmpuint (msrp_session_get_max_open_messages (f->b), ==, MSRP_DEFAULT_MAX_OPEN_MESSAGES);
  msrp_session_set_max_open_messages (f->b, 2);
  g_assert_cmpuint (msrp_session_get_max_open_messages (f->b), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(MsrpChunk) chunk = byte_chunk (f, ids[i], 1, "a", 2, MSRP_CONTINUATION_MORE);
      g_autoptr(MsrpChunk) response = test_send_chunk (f->a, chunk);

      g_assert_cmpuint (msrp_chunk_get_code (response), ==, i < 2 ? 200 : MSRP_STATUS_STOP_SENDING);
    }
  g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(MsrpChunk) chunk = byte_chunk (f, ids[i], 2, "b", 2, MSRP_CONTINUATION_END);
      g_autoptr(MsrpChunk) response = test_send_chunk (f->a, chunk);

      g_assert_cmpuint (msrp_chunk_get_code (response), ==, i < 2 ? 200 : MSRP_STATUS_STOP_SENDING);
    }
  test_wait_for_len (f->messages_b, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (f->messages_b, i), NULL),
                     g_bytes_get_size (g_ptr_array_index (f->messages_b, i)), "ab", 2);
  g_assert_cmpuint (_msrp_reassembler_get_n_open (r), ==, 0);
  g_assert_cmpuint (_msrp_reassembler_get_held (r), ==, 0);
}

static void
on_chunk_count_open (MsrpSession *session, MsrpChunk *chunk, gpointer user_data)
{
  guint *max_open = user_data;

  *max_open = MAX (*max_open, _msrp_reassembler_get_n_open (_msrp_session_get_reassembler (session)));
}

/* Many more multi-chunk messages queued at once than a receiver keeps open
 * (max-open-messages, 64 by default): the sender starts only a few at a
 * time, so they all arrive instead of getting 413 past the 64th. A small
 * message queued after them does not wait for them. */
static void
test_many_queued_messages (Fixture       *f,
                           gconstpointer  data)
{
  enum { N = 100, CHUNK = 1024 };
  g_autoptr(GBytes) small = g_bytes_new_static ("not behind", 10);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  TestOp ops[N] = { { 0, }, };
  TestOp sop = { 0, };
  guint max_open = 0;
  guint small_at = G_MAXUINT;

  g_signal_connect (f->b, "chunk-received", G_CALLBACK (on_chunk_count_open), &max_open);
  msrp_session_set_max_chunk_size (f->a, CHUNK);
  for (guint i = 0; i < N; i++)
    {
      /* Four chunks each, and a size each to tell them apart. */
      GBytes *message = pattern_bytes (3 * CHUNK + 1 + i, i);

      g_ptr_array_add (messages, message);
      msrp_session_send_message_async (f->a, message, "application/octet-stream", NULL,
                                       test_on_message_sent, &ops[i]);
    }
  msrp_session_send_message_async (f->a, small, "text/plain", NULL, test_on_message_sent, &sop);

  for (guint i = 0; i < N; i++)
    {
      test_wait_for (&ops[i].done);
      g_assert_no_error (ops[i].error);
      g_free (ops[i].message_id);
    }
  test_wait_for (&sop.done);
  g_assert_no_error (sop.error);
  g_free (sop.message_id);

  test_wait_for_len (f->messages_b, N + 1);
  for (guint i = 0; i < f->messages_b->len; i++)
    {
      GBytes *got = g_ptr_array_index (f->messages_b, i);
      gsize size = g_bytes_get_size (got);

      if (g_bytes_equal (got, small))
        small_at = i;
      else
        g_assert_true (g_bytes_equal (got, g_ptr_array_index (messages, size - 3 * CHUNK - 1)));
    }
  g_assert_cmpuint (small_at, <, N / 2);
  g_assert_cmpuint (max_open, >, 1);
  g_assert_cmpuint (max_open, <, MSRP_DEFAULT_MAX_OPEN_MESSAGES);
  g_assert_cmpuint (_msrp_reassembler_get_n_open (_msrp_session_get_reassembler (f->b)), ==, 0);
}

/* Sixteen messages of 5 MiB queued at once between two sessions with
 * their defaults: 80 MiB in all, more than the receiver's
 * max-reassembly-size (64 MiB). The sender starts no more at once than a
 * receiver with the defaults keeps, so none gets 413 (they did when all
 * sixteen went at once, each a sixteenth of the way along). */
static void
test_many_large_messages (Fixture       *f,
                          gconstpointer  data)
{
  enum { N = 16 };
  const gsize size = 5 * 1024 * 1024;
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  TestOp ops[N] = { { 0, }, };
  guint matched = 0;

  g_signal_handlers_disconnect_by_func (f->b, test_keep_chunk, f->chunks_b);
  g_assert_cmpuint (N * size, >, msrp_session_get_max_reassembly_size (f->b));
  for (guint i = 0; i < N; i++)
    {
      GBytes *message = pattern_bytes (size, 40 + i);

      g_ptr_array_add (messages, message);
      msrp_session_send_message_async (f->a, message, "application/octet-stream", NULL,
                                       test_on_message_sent, &ops[i]);
    }
  for (guint i = 0; i < N; i++)
    {
      test_wait_for (&ops[i].done);
      g_assert_no_error (ops[i].error);
      g_free (ops[i].message_id);
    }
  test_wait_for_len (f->messages_b, N);
  for (guint i = 0; i < N; i++)
    for (guint j = 0; j < N; j++)
      if (g_bytes_equal (g_ptr_array_index (f->messages_b, i), g_ptr_array_index (messages, j)))
        {
          matched++;
          break;
        }
  g_assert_cmpuint (matched, ==, N);
  g_assert_cmpuint (_msrp_reassembler_get_held (_msrp_session_get_reassembler (f->b)), ==, 0);
}

/* A message over max-message-size, to a receiver with no chunk-received
 * handler: nobody gets it, so it is refused with 413, and no success
 * REPORT says otherwise (it did, for 20 MiB sent with `msrp send --file
 * --success-report`). The session goes on. */
static void
test_too_large_unhandled_413 (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GBytes) content = pattern_bytes (300 * 1000, 32);
  g_autoptr(GBytes) small = g_bytes_new_static ("fits", 4);
  TestOp op = { 0, }, mop = { 0, }, sop = { 0, };

  g_signal_handlers_disconnect_by_func (f->b, test_keep_chunk, f->chunks_b);
  msrp_session_set_max_message_size (f->b, 100 * 1000);
  msrp_session_set_max_chunk_size (f->a, 64 * 1024);
  msrp_session_set_success_report (f->a, TRUE);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (content);
      /* The size known (413 at once) or not (413 past max-message-size). */
      g_autoptr(MsrpOutgoingFile) file = msrp_outgoing_file_new (stream, i == 0 ? (goffset) g_bytes_get_size (content) : -1,
                                                                 "application/octet-stream", 0, NULL);
      TestOp fop = { 0, };

      msrp_outgoing_file_set_header (file, "Success-Report", "yes");
      msrp_session_send_file_async (f->a, file, NULL, test_on_file_sent, &fop);
      test_wait_for (&fop.done);
      g_assert_error (fop.error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_STOP_SENDING);
      g_clear_error (&fop.error);
    }
  msrp_session_send_message_async (f->a, content, "application/octet-stream", NULL, test_on_message_sent, &mop);
  test_wait_for (&mop.done);
  g_assert_error (mop.error, MSRP_TRANSACTION_ERROR, MSRP_STATUS_STOP_SENDING);
  g_clear_error (&mop.error);

  /* A message that fits still arrives, with its REPORT, and the REPORT is
   * the only one. */
  msrp_session_send_message_async (f->a, small, "text/plain", NULL, test_on_message_sent, &sop);
  test_wait_for (&sop.done);
  g_assert_no_error (sop.error);
  test_wait_for_len (f->messages_b, 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (f->messages_b, 0), small));
  g_assert_cmpuint (f->reports_a->len, ==, 1);
  g_assert_cmpstr (msrp_chunk_get_message_id (g_ptr_array_index (f->reports_a, 0)), ==, sop.message_id);
  g_assert_cmpuint (_msrp_reassembler_get_held (_msrp_session_get_reassembler (f->b)), ==, 0);

  /* With a handler, the same message is taken chunk by chunk and gets its
   * REPORT. */
  g_signal_connect (f->b, "chunk-received", G_CALLBACK (test_keep_chunk), f->chunks_b);
  msrp_session_send_message_async (f->a, content, "application/octet-stream", NULL, test_on_message_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_cmpuint (f->reports_a->len, ==, 2);
  g_assert_cmpuint (f->messages_b->len, ==, 1);
  g_free (op.message_id);
  g_free (sop.message_id);
}

typedef struct {
  guint pending;
  guint ok;
} Pipelined;

static void
on_pipelined_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pipelined *p = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpChunk) response = msrp_session_send_chunk_finish (MSRP_SESSION (source), result, &error);

  g_assert_no_error (error);
  if (msrp_chunk_get_code (response) == 200)
    p->ok++;
  p->pending--;
}

/* One-byte chunks in descending order with gaps, then the gaps: each is
 * put in place in O(log n) (400,000 took 19 s when it was quadratic; see
 * test-reassembler for that many), and the message arrives right. */
static void
test_descending_bytes (Fixture       *f,
                       gconstpointer  data)
{
  const gint64 size = 20000;
  g_autoptr(GBytes) message = pattern_bytes (size, 33);
  const char *bytes = g_bytes_get_data (message, NULL);
  Pipelined p = { 0, };

  for (int pass = 0; pass < 2; pass++)
    for (gint64 start = size - pass; start >= 1; start -= 2)
      {
        g_autoptr(GBytes) body = g_bytes_new (bytes + start - 1, 1);
        g_autoptr(MsrpChunk) chunk = msrp_transport_make_chunk (f->ta, NULL, body, "application/octet-stream");

        msrp_chunk_set_message_id (chunk, "descending");
        msrp_chunk_set_byte_range (chunk, start, start, size);
        msrp_chunk_set_continuation (chunk, start == size ? MSRP_CONTINUATION_END : MSRP_CONTINUATION_MORE);
        p.pending++;
        msrp_session_send_chunk_async (f->a, chunk, NULL, on_pipelined_sent, &p);
      }
  test_wait_for_len (f->messages_b, 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (f->messages_b, 0), message));
  while (p.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (p.ok, ==, size);
  g_assert_cmpuint (_msrp_reassembler_get_held (_msrp_session_get_reassembler (f->b)), ==, 0);
}

/* Through a relay the default max-chunk-size is 8 KiB, unless the
 * application set one. */
static void
test_relay_chunk_size (void)
{
  g_autoptr(GPtrArray) route = test_path ("msrps://relay.example.com:2855;tcp");
  g_autoptr(GPtrArray) local = test_path ("msrps://127.0.0.1:2855/alice;tcp");
  g_autoptr(GPtrArray) remote = test_path ("msrps://127.0.0.1:2856/bob;tcp");

  g_assert_nonnull (route);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GInputStream) in = g_memory_input_stream_new ();
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
      g_autoptr(GIOStream) stream = g_simple_io_stream_new (in, out);
      g_autoptr(MsrpTransport) transport = msrp_transport_new (stream, local, remote);
      g_autoptr(MsrpSession) session = NULL;

      if (i > 0)
        _msrp_transport_set_route (transport, route);
      if (i == 2)
        session = g_object_new (MSRP_TYPE_SESSION, "transport", transport,
                                "max-chunk-size", (guint64) MSRP_DEFAULT_MAX_CHUNK_SIZE, NULL);
      else
        session = msrp_session_new (transport, NULL);
      g_assert_cmpuint (msrp_session_get_max_chunk_size (session), ==,
                        i == 1 ? 8 * 1024 : MSRP_DEFAULT_MAX_CHUNK_SIZE);
      msrp_session_shutdown_async (session, NULL, NULL, NULL);
    }
  test_drain ();
}

/* The peer's relay limits frames as much as our own: a remote path of
 * several URIs (the peer's a=path through its relay, reached directly)
 * also gets relay-sized chunks. */
static void
test_peer_relay_chunk_size (void)
{
  g_autoptr(GPtrArray) local = test_path ("msrp://127.0.0.1:2855/alice;tcp");
  g_autoptr(GPtrArray) remote = test_path ("msrp://relay.example.com:2855/s1;tcp msrp://127.0.0.1:2856/bob;tcp");
  g_autoptr(GInputStream) in = g_memory_input_stream_new ();
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) stream = g_simple_io_stream_new (in, out);
  g_autoptr(MsrpTransport) transport = msrp_transport_new (stream, local, remote);
  g_autoptr(MsrpSession) session = msrp_session_new (transport, NULL);

  g_assert_cmpuint (msrp_session_get_max_chunk_size (session), ==, 8 * 1024);
  msrp_session_shutdown_async (session, NULL, NULL, NULL);
  test_drain ();
}

static gboolean
never (gpointer user_data)
{
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

/* The id the next source attached to the default context gets. */
static guint
next_source_id (void)
{
  guint id = g_idle_add (never, NULL);

  g_source_remove (id);
  return id + 1;
}

/* A message whose success REPORT came keeps no report timer: with
 * Failure-Report partial its transaction lingers a while, and a timer for
 * each lingering message made every turn of the main loop slower. */
static void
test_report_timer_released (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GBytes) text = g_bytes_new_static ("reported", 8);
  TestOp op = { 0 };
  guint first, last, timers = 0;

  msrp_session_set_success_report (f->a, TRUE);
  msrp_session_set_failure_report (f->a, MSRP_FAILURE_REPORT_PARTIAL);
  first = next_source_id ();
  msrp_session_send_message_async (f->a, text, "text/plain", NULL, test_on_message_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);
  g_assert_cmpuint (f->reports_a->len, ==, 1);
  last = next_source_id ();
  for (guint id = first; id < last; id++)
    {
      GSource *source = g_main_context_find_source_by_id (NULL, id);

      if (source != NULL && g_strcmp0 (g_source_get_name (source), "[msrp] report timeout") == 0)
        timers++;
    }
  g_assert_cmpuint (timers, ==, 0);
  test_op_clear (&op);
}

static void
on_body_freed (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* A message sent with Failure-Report partial is let go once it completed:
 * its transaction lingers for a late failure (up to response-timeout, or
 * thousands of later transactions), and kept every body with it, so that
 * a stream of messages (a tunnel) held hundreds of MiB. */
static void
test_partial_releases_body (Fixture       *f,
                            gconstpointer  data)
{
  msrp_session_set_failure_report (f->a, MSRP_FAILURE_REPORT_PARTIAL);
  for (int sr = 0; sr <= 1; sr++)
    {
      static const char text[] = "let go";
      gboolean freed = FALSE;
      GBytes *body = g_bytes_new_with_free_func (text, strlen (text), on_body_freed, &freed);
      TestOp op = { 0 };

      msrp_session_set_success_report (f->a, sr);
      msrp_session_send_message_async (f->a, body, "text/plain", NULL, test_on_message_sent, &op);
      g_bytes_unref (body);
      test_wait_for (&op.done);
      g_assert_no_error (op.error);
      test_drain ();
      g_assert_true (freed);
      test_op_clear (&op);
    }
}

static const char *const text_only[] = { "text/plain", "message/*", NULL };

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, data, fn) g_test_add ("/session/" name, Fixture, data, fixture_setup, fn, fixture_teardown)
  ADD ("send-message", NULL, test_send_message);
  ADD ("receiver-makes-no-tables", NULL, test_receiver_makes_no_tables);
  ADD ("report-timer-released", NULL, test_report_timer_released);
  ADD ("failure-report-no", NULL, test_failure_report_no);
  ADD ("failure-report-partial", NULL, test_failure_report_partial);
  ADD ("failure-report-partial/releases-body", NULL, test_partial_releases_body);
  ADD ("partial-gets-failure", text_only, test_partial_gets_failure);
  ADD ("no-response-408", TEST_NO_SESSION_B, test_no_response_408);
  ADD ("no-report-408", TEST_NO_SESSION_B, test_no_report_408);
  ADD ("report-bytes", NULL, test_report_bytes);
  ADD ("unsupported-type-415", text_only, test_unsupported_type);
  ADD ("unknown-method-501", NULL, test_unknown_method);
  ADD ("wrong-session-481", NULL, test_wrong_session);
  ADD ("success-report", NULL, test_success_report);
  ADD ("reassembly", NULL, test_reassembly);
  ADD ("large-chunk-parts", NULL, test_large_chunk_parts);
  ADD ("too-large-for-message", NULL, test_too_large_for_message);
  ADD ("shutdown", NULL, test_shutdown);
  ADD ("shutdown-in-handler", NULL, test_shutdown_in_handler);
  ADD ("pending-fails-on-close", TEST_NO_SESSION_B, test_pending_fails_on_close);
  ADD ("report-then-close", TEST_NO_SESSION_B, test_report_then_close);
  ADD ("send-message-chunked", NULL, test_send_message_chunked);
  ADD ("send-message-empty-and-binary", NULL, test_send_message_empty_and_binary);
  ADD ("send-message-waits-for-report", NULL, test_send_message_waits_for_report);
  ADD ("send-message-refused", text_only, test_send_message_refused);
  ADD ("send-file-known-size", NULL, test_send_file);
  ADD ("send-file-unknown-size", any_type_unknown_size, test_send_file);
  ADD ("send-file-100mib-sha256", NULL, test_send_file_100mib);
  ADD ("interruption", NULL, test_interruption);
  ADD ("cancel-file", NULL, test_cancel_file);
  ADD ("keepalive", NULL, test_keepalive);
  ADD ("keepalive-unanswered", TEST_NO_SESSION_B, test_keepalive_unanswered);
  ADD ("report-matrix", NULL, test_report_matrix);
  ADD ("shutdown-sends-queued", NULL, test_shutdown_sends_queued);
  ADD ("pause-reading", NULL, test_pause_reading);
  ADD ("max-size-413", NULL, test_max_size_413);
  ADD ("max-size-every-part", NULL, test_max_size_every_part);
  ADD ("many-large-messages", NULL, test_many_large_messages);
  ADD ("receiver-stops-reading", TEST_NO_SESSION_B, test_receiver_stops_reading);
  ADD ("peer-vanishes", TEST_NO_SESSION_B, test_peer_vanishes);
  ADD ("stop-sending-413", TEST_NO_SESSION_B, test_stop_sending_413);
  ADD ("interrupt/wire", TEST_NO_SESSION_B, test_interrupt_wire);
  ADD ("interrupt/cancel-after-cut", TEST_NO_SESSION_B, test_interrupt_cancel);
  ADD ("interrupt/413-after-cut", TEST_NO_SESSION_B, test_interrupt_413);
  ADD ("shared-cancellable", TEST_NO_SESSION_B, test_shared_cancellable);
  ADD ("interrupt/message", NULL, test_interrupt_message);
  ADD ("interrupt/file", NULL, test_interrupt_file);
  ADD ("interrupt/reassembly", NULL, test_interrupted_reassembly);
  ADD ("reassembly-bound-413", NULL, test_reassembly_bound_413);
  ADD ("open-messages-413", NULL, test_open_messages_413);
  ADD ("many-queued-messages", NULL, test_many_queued_messages);
  ADD ("too-large-unhandled-413", NULL, test_too_large_unhandled_413);
  ADD ("descending-bytes", NULL, test_descending_bytes);
  g_test_add_func ("/session/interrupt/relay-chunk-size", test_relay_chunk_size);
  g_test_add_func ("/session/interrupt/peer-relay-chunk-size", test_peer_relay_chunk_size);
  g_test_add_func ("/session/interrupt/abort-after-ending-chunk", test_abort_after_ending_chunk);
#define ADD_TLS(name, data, fn) g_test_add ("/session/tls/" name, Fixture, data, fixture_setup_tls, fn, fixture_teardown)
  ADD_TLS ("send-message", NULL, test_send_message);
  ADD_TLS ("send-message-chunked", NULL, test_send_message_chunked);
  ADD_TLS ("success-report", NULL, test_success_report);
  ADD_TLS ("report-matrix", NULL, test_report_matrix);
  ADD_TLS ("send-file-100mib-sha256", NULL, test_send_file_100mib);
  ADD_TLS ("interruption", NULL, test_interruption);
  ADD_TLS ("shutdown", NULL, test_shutdown);
  ADD_TLS ("report-then-close", TEST_NO_SESSION_B, test_report_then_close);
  ADD_TLS ("interrupt/wire", TEST_NO_SESSION_B, test_interrupt_wire);
  ADD_TLS ("interrupt/message", NULL, test_interrupt_message);
  ADD_TLS ("interrupt/file", NULL, test_interrupt_file);
#undef ADD_TLS
#undef ADD

  return g_test_run ();
}
