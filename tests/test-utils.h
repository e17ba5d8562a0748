/* test-utils.h: what the C test suites share
 *
 * Waiting on the main context with a watchdog, loopback socket pairs and
 * raw clients, connector, transport and session operations that look
 * synchronous, certificates, and the sentinels the suites use.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-glib.h"

G_BEGIN_DECLS

/* RFC 4975 section 7.1: Alice's first SEND and Bob's response, for the
 * wire-level suites. */
#define TEST_RFC4975_TO   "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp"
#define TEST_RFC4975_FROM "msrp://atlanta.example.com:7654/jshA7weztas;tcp"
#define TEST_RFC4975_SEND                                               \
  "MSRP a786hjs2 SEND\r\n"                                              \
  "To-Path: " TEST_RFC4975_TO "\r\n"                                    \
  "From-Path: " TEST_RFC4975_FROM "\r\n"                                \
  "Message-ID: 87652491\r\n"                                            \
  "Byte-Range: 1-25/25\r\n"                                             \
  "Content-Type: text/plain\r\n"                                        \
  "\r\n"                                                                \
  "Hey Bob, are you there?\r\n"                                         \
  "-------a786hjs2$\r\n"
#define TEST_RFC4975_RESPONSE                                           \
  "MSRP a786hjs2 200 OK\r\n"                                            \
  "To-Path: " TEST_RFC4975_FROM "\r\n"                                  \
  "From-Path: " TEST_RFC4975_TO "\r\n"                                  \
  "-------a786hjs2$\r\n"

/* A row of the chunk suites' tables: @input, refused with @code. */
typedef struct {
  const char *name;
  const char *input;
  MsrpError code;
} TestRefusal;

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

/* Drops a reference to @object that must be the last to last, and runs
 * the main context until the object is finalized, whatever it was doing. */
void           test_unref_and_wait       (gpointer           object);
/* The same, asserting that the object is finalized at once. */
void           test_unref_finalizes      (gpointer           object);

/* How many file descriptors the process has open. */
guint          test_count_fds            (void);

/* Runs @statement, which must log a critical of the library (a failed
 * precondition) whose message matches @pattern. */
#define TEST_EXPECT_CRITICAL(pattern, statement)                        \
  G_STMT_START {                                                        \
    g_test_expect_message ("Msrp", G_LOG_LEVEL_CRITICAL, pattern);      \
    statement;                                                          \
    g_test_assert_expected_messages ();                                 \
  } G_STMT_END

/* Parses @str, asserting that it is a path. */
GPtrArray     *test_path                 (const char        *str);
/* A path of the URIs given, up to NULL. */
GPtrArray     *test_path_of              (MsrpUri           *first,
                                          ...) G_GNUC_NULL_TERMINATED;

/* Adds @func with @data as @prefix/@name: the suites register their tables
 * of cases with it. */
void           test_add_case             (const char        *prefix,
                                          const char        *name,
                                          gconstpointer      data,
                                          GTestDataFunc      func);

/* Adds @func once a row of @table (@n_rows of @row_size bytes) as
 * @prefix/name: the name is the row's first field (a string) or, when
 * @numbered, the row's index. */
void           test_add_table            (const char        *prefix,
                                          gconstpointer      table,
                                          gsize              n_rows,
                                          gsize              row_size,
                                          gboolean           numbered,
                                          GTestDataFunc      func);
#define TEST_ADD_TABLE(prefix, table, func) \
  test_add_table ((prefix), (table), G_N_ELEMENTS (table), sizeof (table)[0], FALSE, (func))
#define TEST_ADD_NUMBERED(prefix, table, func) \
  test_add_table ((prefix), (table), G_N_ELEMENTS (table), sizeof (table)[0], TRUE, (func))

/* A new self-signed certificate for @common_name. */
GTlsCertificate *test_certificate_new    (const char        *common_name);
/* The same, made once for the process and kept (transfer none): a
 * certificate costs a key generation. */
GTlsCertificate *test_certificate        (const char        *common_name);

/* A port on 127.0.0.1 that was free a moment ago: nothing listens there. */
guint16        test_free_port            (void);

/* A connected TCP pair on 127.0.0.1. */
void           test_socket_pair          (GSocketConnection **client,
                                          GSocketConnection **server);
/* Connects to @host:@port, from @local_ip unless NULL, over TLS taking
 * any certificate when @tls; waits for it on the main context, so that a
 * server in this process can answer. */
GSocketConnection *test_socket_connect   (const char        *host,
                                          guint16            port,
                                          const char        *local_ip,
                                          gboolean           tls);

/* A raw client: bytes written by hand, and what comes back kept until the
 * other side closes. It connects without running the main context, so
 * that a server in this process sees many connections arrive at once. */
typedef struct {
  GSocketConnection *connection;
  GByteArray *received;
  guint8 buf[4096];
  gboolean reading;
  gboolean eof;
} TestRaw;

TestRaw       *test_raw_connect          (guint16            port,
                                          const char        *local_ip);
void           test_raw_free             (TestRaw           *raw);
/* @len -1: @data is a string. */
void           test_raw_send             (TestRaw           *raw,
                                          const void        *data,
                                          gssize             len);
void           test_raw_send_chunk       (TestRaw           *raw,
                                          MsrpChunk         *chunk);
/* Keeps reading into raw->received until the end (raw->eof). */
void           test_raw_read_start       (TestRaw           *raw);
void           test_raw_read_to_eof      (TestRaw           *raw);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestRaw, test_raw_free)

/* The result of an asynchronous operation, filled by the callbacks below
 * (each takes a TestOp as user data). */
typedef struct {
  gboolean done;
  gboolean ok;
  GPtrArray *path;
  MsrpTransport *transport;
  MsrpChunk *chunk;
  char *message_id;
  GError *error;
} TestOp;

void           test_op_clear             (TestOp            *op);

/* Defines @name, a GAsyncReadyCallback taking a TestOp: it keeps what
 * @finish gave in op->@field (ok, or an object or string), sets ok when
 * that is TRUE or non-NULL, and done. The callbacks below are made so. */
#define TEST_DEFINE_ON(name, CAST, finish, field)                       \
  void                                                                  \
  name (GObject      *source,                                           \
        GAsyncResult *result,                                           \
        gpointer      user_data)                                        \
  {                                                                     \
    TestOp *op = user_data;                                             \
                                                                        \
    op->field = finish (CAST (source), result, &op->error);             \
    op->ok = !!op->field;                                               \
    op->done = TRUE;                                                    \
  }

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
void           test_on_closed            (GObject           *source,
                                          GAsyncResult      *result,
                                          gpointer           user_data);
/* MsrpSession: the response (or REPORT) in op->chunk, the Message-ID of a
 * message in op->message_id. */
void           test_on_chunk_sent        (GObject           *source,
                                          GAsyncResult      *result,
                                          gpointer           user_data);
void           test_on_chunk_delivered   (GObject           *source,
                                          GAsyncResult      *result,
                                          gpointer           user_data);
void           test_on_message_sent      (GObject           *source,
                                          GAsyncResult      *result,
                                          gpointer           user_data);
void           test_on_file_sent         (GObject           *source,
                                          GAsyncResult      *result,
                                          gpointer           user_data);
void           test_on_shutdown          (GObject           *source,
                                          GAsyncResult      *result,
                                          gpointer           user_data);

/* Waits for @op, asserts that it failed with @domain and @code, and
 * clears it. */
void           test_op_assert_error      (TestOp            *op,
                                          GQuark             domain,
                                          gint               code);

/* Waits for two operations started together, asserting that both
 * succeeded. */
void           test_wait_both            (TestOp            *a,
                                          TestOp            *b);

/* Lets an operation started with @cancellable get under way, cancels it,
 * waits, and asserts that it failed as cancelled; clears @op. */
void           test_cancel_op            (TestOp            *op,
                                          GCancellable      *cancellable);

/* prepare_async and its finish, asserting success. */
GPtrArray     *test_prepare              (MsrpConnector     *connector,
                                          MsrpUri           *local_uri);
/* prepare_async and its finish, asserting failure: gives the error. */
GError        *test_prepare_error        (MsrpConnector     *connector);
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

/* Sends a chunk on a session and gives the response, asserting success. */
MsrpChunk     *test_send_chunk           (MsrpSession       *session,
                                          MsrpChunk         *chunk);

/* Writes a chunk and waits until it went out, asserting success. */
void           test_write_chunk          (MsrpTransport     *transport,
                                          MsrpChunk         *chunk);
/* Reads the next chunk, asserting success. */
MsrpChunk     *test_read_chunk           (MsrpTransport     *transport);
/* One text chunk from @from to @to, checked on arrival: a SEND with that
 * body, for the receiver's session. */
void           test_exchange_text        (MsrpTransport     *from,
                                          MsrpTransport     *to,
                                          const char        *text);

/* Session signal handlers that keep what was emitted in the GPtrArray
 * given as user data: chunk-received and report-received chunks, and
 * message-received data (GBytes). */
void           test_keep_chunk           (MsrpSession       *session,
                                          MsrpChunk         *chunk,
                                          gpointer           array);
void           test_keep_message         (MsrpSession       *session,
                                          MsrpChunk         *first,
                                          GBytes            *data,
                                          gpointer           array);

/* The XML formats (IMDN, is-composing): @a and @b are both NULL, or the
 * same instant with the same UTC offset (the offset is written back). */
void           test_assert_same_datetime (GDateTime         *a,
                                          GDateTime         *b);
/* @error is MSRP_ERROR_MALFORMED_XML with a UTF-8 message that contains
 * @needle (unless NULL). */
void           test_assert_malformed_xml (const GError      *error,
                                          const char        *needle);

/* @bytes hold the string @expected, without its NUL. */
void           test_assert_bytes         (GBytes            *bytes,
                                          const char        *expected);

/* A text format's to_bytes and parse (msrp_imdn_to_bytes, msrp_imdn_parse,
 * ...), and a check that two objects say the same. */
typedef GBytes  *(*TestToBytesFunc)     (gpointer           object);
typedef gpointer (*TestParseFunc)       (GBytes            *bytes,
                                          GError           **error);
typedef void     (*TestAssertSameFunc)  (gpointer           a,
                                          gpointer           b);
/* to_bytes -> parse gives the same object, which writes the same bytes
 * again. */
void           test_assert_round_trip    (gpointer           object,
                                          TestToBytesFunc    to_bytes,
                                          TestParseFunc      parse,
                                          TestAssertSameFunc assert_same);
/* Parses the string @str (without its NUL). */
gpointer       test_parse_string         (TestParseFunc      parse,
                                          const char        *str,
                                          GError           **error);
/* A refusal of an XML format: @input does not parse, and the message
 * holds @needle. */
typedef struct {
  const char *name;
  const char *input;
  const char *needle;
} TestMalformedXml;

void           test_assert_malformed_row (TestParseFunc          parse,
                                          const TestMalformedXml *row);
/* Every prefix of each of @docs (@n_docs) fails but the whole document
 * (whose last newline is optional), and no prefix crashes. */
void           test_assert_prefixes_malformed (TestParseFunc      parse,
                                               const char *const *docs,
                                               gsize              n_docs);
/* @input (@len bytes) does not parse: test_assert_malformed_xml(). */
void           test_assert_parse_malformed_xml (TestParseFunc parse,
                                                const char   *input,
                                                gsize         len,
                                                const char   *needle);

/* The Kamailio relay that tests/relay/with-kamailio started around the
 * test: its TCP and TLS ports and its certificate (found by
 * test_kamailio_find(), which fails the test without them). */
typedef struct {
  guint16 port;
  guint16 tls_port;
  char *cert;
} TestKamailio;

extern TestKamailio test_kamailio;

void                test_kamailio_find     (void);
void                test_kamailio_free     (void);
/* A database that trusts Kamailio's test certificate. */
GTlsDatabase       *test_kamailio_database (void);
/* Settings for @user at Kamailio, over TLS (trusting it) or TCP. */
MsrpRelaySettings  *test_kamailio_settings (const char *user,
                                            const char *password,
                                            gboolean    tls);

/* Our own relay (MsrpRelay) beside Kamailio, in the test process: users
 * alice and bob (passwords alicepass, bobpass) at example.com, a TCP and a
 * TLS listener on 127.0.0.1, the TLS one with test_certificate
 * (TEST_OURS_CN), which the client does not trust by itself. */
#define TEST_OURS_CN "relay.example.com"

typedef struct {
  MsrpRelay *relay;
  guint16 port;
  guint16 tls_port;
} TestOurs;

extern TestOurs test_ours;

void                test_ours_start        (void);
void                test_ours_stop         (void);
/* Settings for @user at our relay, over TLS or TCP. */
MsrpRelaySettings  *test_ours_settings     (const char *user,
                                            const char *password,
                                            gboolean    tls);
/* An MsrpConnector::accept-certificate handler that takes our relay's
 * certificate and nothing else. */
gboolean            test_ours_accept_cert  (MsrpConnector        *connector,
                                            GTlsCertificate      *peer_cert,
                                            GTlsCertificateFlags  errors,
                                            gpointer              user_data);

G_END_DECLS
