/* test-relay-srv.c: MsrpRelay scaled out: two instances behind DNS SRV
 * (RFC 2782), found by clients that know only the domain
 *
 * A GResolver of the test's own answers `_msrps._tcp.example.test` and
 * `_msrp._tcp.example.test` with the two relays (as targets with names of
 * their own) and resolves those names to 127.0.0.1. The clients are
 * msrp_relay_settings_new (domain, user, password) without a host.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "msrp-glib.h"
#include "test-utils.h"

#define TIMEOUT_SECONDS 60
#define DOMAIN "example.test"
#define N_SPREAD 40

/* The SRV targets: each relay has a host name of its own. */
static const char * const target_names[2] = { "relay-a.example.test", "relay-b.example.test" };
/* Weights 3:1 at equal priority. */
static const guint16 weights[2] = { 30, 10 };

/* A resolver with the test's records */

typedef struct {
  guint16 port;
  guint16 priority;
  guint16 weight;
} Record;

typedef struct {
  GResolver parent_instance;
  Record records[2];
  GHashTable *asked;           /* rrname → number of SRV lookups */
} TestResolver;

typedef GResolverClass TestResolverClass;

GType test_resolver_get_type (void);
G_DEFINE_TYPE (TestResolver, test_resolver, G_TYPE_RESOLVER)

static GList *
resolver_targets (TestResolver  *self,
                  const char    *rrname,
                  GError       **error)
{
  GList *targets = NULL;

  g_hash_table_insert (self->asked, g_strdup (rrname),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (self->asked, rrname)) + 1));
  if (strcmp (rrname, "_msrps._tcp." DOMAIN) != 0 && strcmp (rrname, "_msrp._tcp." DOMAIN) != 0)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no SRV records for %s", rrname);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (self->records); i++)
    if (self->records[i].port != 0)
      targets = g_list_append (targets, g_srv_target_new (target_names[i], self->records[i].port,
                                                          self->records[i].priority,
                                                          self->records[i].weight));
  if (targets == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no SRV records for %s", rrname);
      return NULL;
    }
  /* As GLib's own resolver hands out DNS answers: in RFC 2782 order, by
   * priority, and at random by weight within one. */
  return g_srv_target_list_sort (targets);
}

static GList *
resolver_addresses (const char               *hostname,
                    GResolverNameLookupFlags  flags,
                    GError                  **error)
{
  if ((strcmp (hostname, target_names[0]) == 0 || strcmp (hostname, target_names[1]) == 0) &&
      (flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY) == 0)
    return g_list_append (NULL, g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4));
  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no address for %s", hostname);
  return NULL;
}

static GList *
test_resolver_lookup_by_name_with_flags (GResolver                 *resolver,
                                         const char                *hostname,
                                         GResolverNameLookupFlags   flags,
                                         GCancellable              *cancellable,
                                         GError                   **error)
{
  return resolver_addresses (hostname, flags, error);
}

static GList *
test_resolver_lookup_by_name (GResolver     *resolver,
                              const char    *hostname,
                              GCancellable  *cancellable,
                              GError       **error)
{
  return resolver_addresses (hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT, error);
}

static void
test_resolver_lookup_by_name_with_flags_async (GResolver                 *resolver,
                                               const char                *hostname,
                                               GResolverNameLookupFlags   flags,
                                               GCancellable              *cancellable,
                                               GAsyncReadyCallback        callback,
                                               gpointer                   user_data)
{
  GTask *task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *addresses = resolver_addresses (hostname, flags, &error);

  if (addresses == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
  g_object_unref (task);
}

static void
test_resolver_lookup_by_name_async (GResolver           *resolver,
                                    const char          *hostname,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  test_resolver_lookup_by_name_with_flags_async (resolver, hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                                 cancellable, callback, user_data);
}

static GList *
test_resolver_lookup_by_name_finish (GResolver     *resolver,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
test_resolver_lookup_service (GResolver     *resolver,
                              const char    *rrname,
                              GCancellable  *cancellable,
                              GError       **error)
{
  return resolver_targets ((TestResolver *) resolver, rrname, error);
}

static void
test_resolver_lookup_service_async (GResolver           *resolver,
                                    const char          *rrname,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *targets = resolver_targets ((TestResolver *) resolver, rrname, &error);

  if (targets == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, targets, (GDestroyNotify) g_resolver_free_targets);
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
test_resolver_finalize (GObject *object)
{
  TestResolver *self = (TestResolver *) object;

  g_hash_table_unref (self->asked);
  G_OBJECT_CLASS (test_resolver_parent_class)->finalize (object);
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_resolver_finalize;
  klass->lookup_by_name = test_resolver_lookup_by_name;
  klass->lookup_by_name_async = test_resolver_lookup_by_name_async;
  klass->lookup_by_name_finish = test_resolver_lookup_by_name_finish;
  klass->lookup_by_name_with_flags = test_resolver_lookup_by_name_with_flags;
  klass->lookup_by_name_with_flags_async = test_resolver_lookup_by_name_with_flags_async;
  klass->lookup_by_name_with_flags_finish = test_resolver_lookup_by_name_finish;
  klass->lookup_service = test_resolver_lookup_service;
  klass->lookup_service_async = test_resolver_lookup_service_async;
  klass->lookup_service_finish = test_resolver_lookup_service_finish;
}

static void
test_resolver_init (TestResolver *self)
{
  self->asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static guint
resolver_asked (TestResolver *resolver,
                const char   *rrname)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (resolver->asked, rrname));
}

/* A certificate authority of the test's own, and relay certificates it
 * signs for the names given. */

typedef struct {
  gnutls_x509_crt_t crt;
  gnutls_x509_privkey_t key;
  char *pem;                   /* the CA's certificate */
  char *file;                  /* the same, in a file for GTlsFileDatabase */
} TestCa;

static TestCa *test_ca;

static void
check_gnutls (int ret)
{
  if (ret < 0)
    g_error ("GnuTLS: %s", gnutls_strerror (ret));
}

static void
fill_common (gnutls_x509_crt_t      crt,
             gnutls_x509_privkey_t  key,
             const char            *common_name)
{
  guint8 serial[16];
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  time_t now = time (NULL);

  check_gnutls (gnutls_x509_crt_set_version (crt, 3));
  check_gnutls (gnutls_rnd (GNUTLS_RND_NONCE, serial, sizeof serial));
  serial[0] = (serial[0] & 0x7f) | 0x40;
  check_gnutls (gnutls_x509_crt_set_serial (crt, serial, sizeof serial));
  check_gnutls (gnutls_x509_crt_set_activation_time (crt, now - 3600));
  check_gnutls (gnutls_x509_crt_set_expiration_time (crt, now + 24 * 3600));
  check_gnutls (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                               common_name, strlen (common_name)));
  check_gnutls (gnutls_x509_crt_set_key (crt, key));
  check_gnutls (gnutls_x509_crt_get_key_id (crt, GNUTLS_KEYID_USE_SHA1, key_id, &key_id_size));
  check_gnutls (gnutls_x509_crt_set_subject_key_id (crt, key_id, key_id_size));
}

static gnutls_x509_privkey_t
new_key (void)
{
  gnutls_x509_privkey_t key;

  check_gnutls (gnutls_x509_privkey_init (&key));
  check_gnutls (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                              GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0));
  return key;
}

static char *
export_crt (gnutls_x509_crt_t crt)
{
  gnutls_datum_t pem = { NULL, 0 };
  char *str;

  check_gnutls (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &pem));
  str = g_strndup ((const char *) pem.data, pem.size);
  gnutls_free (pem.data);
  return str;
}

static TestCa *
ca_get (void)
{
  GError *error = NULL;
  int fd;

  if (test_ca != NULL)
    return test_ca;

  test_ca = g_new0 (TestCa, 1);
  test_ca->key = new_key ();
  check_gnutls (gnutls_x509_crt_init (&test_ca->crt));
  fill_common (test_ca->crt, test_ca->key, "msrp-glib test CA");
  check_gnutls (gnutls_x509_crt_set_basic_constraints (test_ca->crt, 1, -1));
  check_gnutls (gnutls_x509_crt_set_key_usage (test_ca->crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN));
  check_gnutls (gnutls_x509_crt_sign2 (test_ca->crt, test_ca->crt, test_ca->key, GNUTLS_DIG_SHA256, 0));
  test_ca->pem = export_crt (test_ca->crt);

  fd = g_file_open_tmp ("msrp-test-ca-XXXXXX.pem", &test_ca->file, &error);
  g_assert_no_error (error);
  g_assert_true (write (fd, test_ca->pem, strlen (test_ca->pem)) == (gssize) strlen (test_ca->pem));
  close (fd);
  return test_ca;
}

static void
ca_free (void)
{
  if (test_ca == NULL)
    return;
  g_unlink (test_ca->file);
  g_free (test_ca->file);
  g_free (test_ca->pem);
  gnutls_x509_crt_deinit (test_ca->crt);
  gnutls_x509_privkey_deinit (test_ca->key);
  g_clear_pointer (&test_ca, g_free);
}

/* A database that trusts the test CA alone. */
static GTlsDatabase *
ca_database (void)
{
  GError *error = NULL;
  GTlsDatabase *database = g_tls_file_database_new (ca_get ()->file, &error);

  g_assert_no_error (error);
  return database;
}

/* A relay certificate signed by the test CA, for the DNS names up to
 * NULL (the first is also the common name). */
static GTlsCertificate *
ca_issue (const char *first_name,
          ...)
{
  TestCa *ca = ca_get ();
  gnutls_x509_privkey_t key = new_key ();
  gnutls_x509_crt_t crt;
  gnutls_datum_t key_pem = { NULL, 0 };
  guint8 ca_key_id[64];
  size_t ca_key_id_size = sizeof ca_key_id;
  g_autofree char *crt_pem = NULL;
  g_autofree char *pem = NULL;
  GTlsCertificate *certificate;
  GError *error = NULL;
  va_list args;

  check_gnutls (gnutls_x509_crt_init (&crt));
  fill_common (crt, key, first_name);
  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    check_gnutls (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME, name, strlen (name),
                                                        GNUTLS_FSAN_APPEND));
  va_end (args);
  check_gnutls (gnutls_x509_crt_set_basic_constraints (crt, 0, -1));
  check_gnutls (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE));
  check_gnutls (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0));
  check_gnutls (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_CLIENT, 0));
  check_gnutls (gnutls_x509_crt_get_subject_key_id (ca->crt, ca_key_id, &ca_key_id_size, NULL));
  check_gnutls (gnutls_x509_crt_set_authority_key_id (crt, ca_key_id, ca_key_id_size));
  check_gnutls (gnutls_x509_crt_sign2 (crt, ca->crt, ca->key, GNUTLS_DIG_SHA256, 0));

  crt_pem = export_crt (crt);
  check_gnutls (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &key_pem));
  pem = g_strdup_printf ("%s%.*s", crt_pem, (int) key_pem.size, (const char *) key_pem.data);
  gnutls_free (key_pem.data);
  gnutls_x509_crt_deinit (crt);
  gnutls_x509_privkey_deinit (key);

  certificate = g_tls_certificate_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);
  return certificate;
}

/* The fixture: two relays that know the same users (as instances behind
 * one name do, from a shared user database), and the records naming them. */

typedef struct {
  guint timeout_id;
  gboolean tls;
  GResolver *original;
  TestResolver *resolver;
  MsrpRelay *relays[2];
  MsrpUri *uris[2];
} Fixture;

static char *
lookup_password (MsrpRelay  *relay,
                 const char *username,
                 gpointer    user_data)
{
  /* Any "user<N>", with the password "pw-user<N>". */
  if (!g_str_has_prefix (username, "user"))
    return NULL;
  return g_strconcat ("pw-", username, NULL);
}

static void
relay_listen (Fixture *f,
              guint    i)
{
  GError *error = NULL;

  g_clear_object (&f->uris[i]);
  f->uris[i] = msrp_relay_listen (f->relays[i], "127.0.0.1", 0, f->tls, &error);
  g_assert_no_error (error);
  f->resolver->records[i].port = msrp_uri_get_port (f->uris[i]);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->timeout_id = test_watchdog_start (TIMEOUT_SECONDS);
  f->tls = GPOINTER_TO_INT (data);
  /* g_srv_target_list_sort() draws from g_random, which nothing else in
   * these tests uses: a fixed seed makes the spread the same every run. */
  g_random_set_seed (4976);

  f->resolver = g_object_new (test_resolver_get_type (), NULL);
  for (guint i = 0; i < 2; i++)
    {
      f->relays[i] = msrp_relay_new (DOMAIN);
      g_signal_connect (f->relays[i], "lookup-password", G_CALLBACK (lookup_password), NULL);
      if (f->tls)
        {
          /* Each instance has a certificate of its own, for its own name
           * and for the domain the clients know. */
          g_autoptr(GTlsCertificate) certificate = ca_issue (target_names[i], DOMAIN, NULL);

          msrp_relay_set_tls_certificate (f->relays[i], certificate);
        }
      relay_listen (f, i);
      f->resolver->records[i].priority = 10;
      f->resolver->records[i].weight = weights[i];
    }
  f->original = g_resolver_get_default ();
  g_resolver_set_default (G_RESOLVER (f->resolver));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_resolver_set_default (f->original);
  g_clear_object (&f->original);
  for (guint i = 0; i < 2; i++)
    {
      msrp_relay_stop (f->relays[i]);
      test_unref_finalizes (g_steal_pointer (&f->relays[i]));
      g_clear_object (&f->uris[i]);
    }
  test_drain ();
  test_unref_finalizes (g_steal_pointer (&f->resolver));
  test_watchdog_stop (f->timeout_id);
}

static MsrpRelaySettings *
settings_new (Fixture    *f,
              const char *user)
{
  g_autofree char *password = g_strconcat ("pw-", user, NULL);
  MsrpRelaySettings *settings = msrp_relay_settings_new (DOMAIN, user, password);

  msrp_relay_settings_set_use_tls (settings, f->tls);
  if (f->tls)
    {
      g_autoptr(GTlsDatabase) database = ca_database ();

      msrp_relay_settings_set_tls_database (settings, database);
    }
  return settings;
}

/* Which relay a prepared path goes through (by its Use-Path). */
static guint
path_relay (Fixture   *f,
            GPtrArray *path)
{
  MsrpUri *first;

  g_assert_cmpuint (path->len, ==, 2);
  first = g_ptr_array_index (path, 0);
  g_assert_nonnull (msrp_uri_get_session_id (first));
  g_assert_cmpint (msrp_uri_get_use_tls (first), ==, f->tls);
  for (guint i = 0; i < 2; i++)
    if (msrp_uri_get_port (first) == msrp_uri_get_port (f->uris[i]))
      return i;
  g_error ("the path goes through no relay of the test: %s", msrp_path_to_string (path));
  return 0;
}

static void
wait_no_sessions (Fixture *f)
{
  while (msrp_relay_get_n_sessions (f->relays[0]) + msrp_relay_get_n_sessions (f->relays[1]) > 0)
    g_main_context_iteration (NULL, TRUE);
}

/* Sessions spread over both instances, by weight */

static void
test_spread (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) connectors = g_ptr_array_new_with_free_func (g_object_unref);
  guint counts[2] = { 0, 0 };

  /* Each session is another client's (user<N>), as a relay's load is. */
  for (guint n = 0; n < N_SPREAD; n++)
    {
      g_autofree char *user = g_strdup_printf ("user%u", n);
      g_autoptr(MsrpRelaySettings) settings = settings_new (f, user);
      MsrpConnector *acceptor = msrp_get_acceptor (settings);
      g_autoptr(GPtrArray) path = test_prepare (acceptor, NULL);

      counts[path_relay (f, path)]++;
      g_ptr_array_add (connectors, acceptor);
    }
  g_test_message ("%u sessions: %u on A (weight %u), %u on B (weight %u)",
                  N_SPREAD, counts[0], weights[0], counts[1], weights[1]);

  /* The client looked the relay up by SRV, the service by TLS or not. */
  g_assert_cmpuint (resolver_asked (f->resolver, f->tls ? "_msrps._tcp." DOMAIN : "_msrp._tcp." DOMAIN),
                    ==, N_SPREAD);
  g_assert_cmpuint (resolver_asked (f->resolver, f->tls ? "_msrp._tcp." DOMAIN : "_msrps._tcp." DOMAIN),
                    ==, 0);
  /* Both instances hold some, the heavier one more (3:1: about 30 and 10). */
  g_assert_cmpuint (counts[0] + counts[1], ==, N_SPREAD);
  g_assert_cmpuint (counts[1], >=, N_SPREAD / 10);
  g_assert_cmpuint (counts[0], >, counts[1]);
  /* What each relay reports for monitoring is what the clients hold. */
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relays[0]), ==, counts[0]);
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relays[1]), ==, counts[1]);

  for (guint i = 0; i < connectors->len; i++)
    msrp_connector_cleanup (g_ptr_array_index (connectors, i));
  wait_no_sessions (f);
}

/* A chat between a client on instance A and one on instance B */

typedef struct {
  MsrpSession *session;
  GPtrArray *messages;         /* of GBytes */
  GPtrArray *chunks;           /* of MsrpChunk: the SENDs received */
  GPtrArray *reports;          /* of MsrpChunk */
} Peer;

static void
peer_init (Peer          *peer,
           MsrpTransport *transport)
{
  peer->session = msrp_session_new (transport, NULL);
  msrp_session_set_success_report (peer->session, TRUE);
  peer->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  peer->chunks = g_ptr_array_new_with_free_func (g_object_unref);
  peer->reports = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (peer->session, "message-received", G_CALLBACK (test_keep_message), peer->messages);
  g_signal_connect (peer->session, "chunk-received", G_CALLBACK (test_keep_chunk), peer->chunks);
  g_signal_connect (peer->session, "report-received", G_CALLBACK (test_keep_chunk), peer->reports);
}

static void
peer_clear (Peer *peer)
{
  TestOp op = { 0, };

  msrp_session_shutdown_async (peer->session, NULL, test_on_shutdown, &op);
  test_wait_for (&op.done);
  test_op_clear (&op);
  g_clear_object (&peer->session);
  g_clear_pointer (&peer->messages, g_ptr_array_unref);
  g_clear_pointer (&peer->chunks, g_ptr_array_unref);
  g_clear_pointer (&peer->reports, g_ptr_array_unref);
}

/* Sends @text from @from to @to and checks that it arrived, and that the
 * success REPORT came back to the sender. */
static void
chat_one_way (Peer       *from,
              Peer       *to,
              const char *text)
{
  g_autoptr(GBytes) data = g_bytes_new (text, strlen (text));
  guint n_messages = to->messages->len, n_reports = from->reports->len;
  TestOp op = { 0, };
  MsrpChunk *report;
  guint code;

  msrp_session_send_message_async (from->session, data, "text/plain", NULL, test_on_message_sent, &op);
  test_wait_for (&op.done);
  g_assert_no_error (op.error);

  test_wait_for_len (to->messages, n_messages + 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (to->messages, n_messages), data));

  test_wait_for_len (from->reports, n_reports + 1);
  report = g_ptr_array_index (from->reports, n_reports);
  g_assert_cmpstr (msrp_chunk_get_message_id (report), ==, op.message_id);
  g_assert_true (msrp_chunk_get_status (report, &code, NULL));
  g_assert_cmpuint (code, ==, 200);
  test_op_clear (&op);
}

/* Makes the records send the next client to relay @i: it alone has the
 * first priority. */
static void
prefer (Fixture *f,
        guint    i)
{
  f->resolver->records[i].priority = 10;
  f->resolver->records[1 - i].priority = 20;
}

static void
test_chat (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(MsrpRelaySettings) alice_settings = settings_new (f, "user1");
  g_autoptr(MsrpRelaySettings) bob_settings = settings_new (f, "user2");
  g_autoptr(MsrpConnector) alice = msrp_get_acceptor (alice_settings);
  g_autoptr(MsrpConnector) bob = msrp_get_connector (bob_settings);
  g_autoptr(GPtrArray) alice_path = NULL;
  g_autoptr(GPtrArray) bob_path = NULL;
  TestOp a = { 0, }, b = { 0, };
  Peer alice_peer = { 0, }, bob_peer = { 0, };
  GPtrArray *from_path;

  prefer (f, 0);
  alice_path = test_prepare (alice, NULL);
  g_assert_cmpuint (path_relay (f, alice_path), ==, 0);
  prefer (f, 1);
  bob_path = test_prepare (bob, NULL);
  g_assert_cmpuint (path_relay (f, bob_path), ==, 1);

  /* Bob's binding SEND goes Bob → B → A → Alice: B connects to A as
   * another relay would, without AUTH, and A takes it because it names
   * one of A's sessions. */
  msrp_connector_complete_async (alice, bob_path, NULL, test_on_completed, &a);
  msrp_connector_complete_async (bob, alice_path, NULL, test_on_completed, &b);
  test_wait_both (&a, &b);
  peer_init (&alice_peer, a.transport);
  peer_init (&bob_peer, b.transport);

  chat_one_way (&bob_peer, &alice_peer, "Hello from B's side");
  chat_one_way (&alice_peer, &bob_peer, "Hello from A's side");
  chat_one_way (&bob_peer, &alice_peer, "and back again");

  /* Each relay put its session first in the From-Path on the way (RFC
   * 4976): Alice sees A's session, B's, then Bob. */
  from_path = msrp_chunk_get_from_path (g_ptr_array_index (alice_peer.chunks, 0));
  g_assert_cmpuint (from_path->len, ==, 3);
  g_assert_true (msrp_uri_equal (g_ptr_array_index (from_path, 0), g_ptr_array_index (alice_path, 0)));
  g_assert_true (msrp_uri_equal (g_ptr_array_index (from_path, 1), g_ptr_array_index (bob_path, 0)));
  g_assert_true (msrp_uri_equal (g_ptr_array_index (from_path, 2), g_ptr_array_index (bob_path, 1)));

  /* The relay-to-relay connection holds no session: each relay still
   * counts only its own client. */
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relays[0]), ==, 1);
  g_assert_cmpuint (msrp_relay_get_n_sessions (f->relays[1]), ==, 1);

  peer_clear (&alice_peer);
  peer_clear (&bob_peer);
  test_op_clear (&a);
  test_op_clear (&b);
  msrp_connector_cleanup (alice);
  msrp_connector_cleanup (bob);
  wait_no_sessions (f);
}

/* One instance stops: new sessions go to the other */

static void
test_failover (Fixture       *f,
               gconstpointer  data)
{
  /* A first (priority 10), B the backup (20): every client tries A
   * first, so each session below is a failover. */
  prefer (f, 0);
  {
    g_autoptr(MsrpRelaySettings) settings = settings_new (f, "user1");
    g_autoptr(MsrpConnector) acceptor = msrp_get_acceptor (settings);
    g_autoptr(GPtrArray) path = test_prepare (acceptor, NULL);

    g_assert_cmpuint (path_relay (f, path), ==, 0);
    msrp_connector_cleanup (acceptor);
  }

  msrp_relay_stop (f->relays[0]);
  for (guint n = 0; n < 5; n++)
    {
      g_autofree char *user = g_strdup_printf ("user%u", n);
      g_autoptr(MsrpRelaySettings) settings = settings_new (f, user);
      g_autoptr(MsrpConnector) acceptor = msrp_get_acceptor (settings);
      g_autoptr(GPtrArray) path = test_prepare (acceptor, NULL);

      g_assert_cmpuint (path_relay (f, path), ==, 1);
      g_assert_cmpuint (msrp_relay_get_n_sessions (f->relays[1]), ==, 1);
      msrp_connector_cleanup (acceptor);
      wait_no_sessions (f);
    }

  /* Back again: A takes the next client. */
  relay_listen (f, 0);
  {
    g_autoptr(MsrpRelaySettings) settings = settings_new (f, "user1");
    g_autoptr(MsrpConnector) acceptor = msrp_get_acceptor (settings);
    g_autoptr(GPtrArray) path = test_prepare (acceptor, NULL);

    g_assert_cmpuint (path_relay (f, path), ==, 0);
    msrp_connector_cleanup (acceptor);
  }
  wait_no_sessions (f);
}

/* A target that takes connections and then says nothing (a frozen
 * relay: the kernel still completes TCP handshakes) is left for the next
 * one within a part of the connector's timeout, not all of it. */
static void
test_hung_target (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) hung = NULL;
  g_autoptr(MsrpRelaySettings) settings = settings_new (f, "user1");
  g_autoptr(MsrpConnector) acceptor = msrp_get_acceptor (settings);
  g_autoptr(GPtrArray) path = NULL;
  GError *error = NULL;
  gint64 start;

  hung = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (hung, any, TRUE, &error));
  g_assert_true (g_socket_listen (hung, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (hung, &error);
  g_assert_no_error (error);

  /* The hung one first, the relay B second. */
  f->resolver->records[0].port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  prefer (f, 0);
  msrp_connector_set_timeout (acceptor, 6);

  start = g_get_monotonic_time ();
  path = test_prepare (acceptor, NULL);
  g_assert_cmpuint (path_relay (f, path), ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 6 * G_USEC_PER_SEC);
  msrp_connector_cleanup (acceptor);
  wait_no_sessions (f);
}

/* TLS: which name the relay's certificate must have */

typedef struct {
  guint calls;
  GTlsCertificateFlags errors;
  gboolean accept_target;      /* accept a certificate for the SRV target */
} CertCheck;

static gboolean
on_accept_certificate (MsrpConnector        *connector,
                       GTlsCertificate      *peer_cert,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  CertCheck *check = user_data;
  g_autoptr(GPtrArray) names = g_tls_certificate_get_dns_names (peer_cert);
  gboolean names_target = FALSE;

  check->calls++;
  check->errors = errors;
  for (guint i = 0; names != NULL && i < names->len; i++)
    {
      GBytes *name = g_ptr_array_index (names, i);

      names_target |= g_bytes_get_size (name) == strlen (target_names[0]) &&
                      memcmp (g_bytes_get_data (name, NULL), target_names[0], strlen (target_names[0])) == 0;
    }
  /* An application that trusts what its DNS says may take the target's
   * name instead; nothing but a wrong name is forgiven. */
  return check->accept_target && errors == G_TLS_CERTIFICATE_BAD_IDENTITY && names_target;
}

static void
test_tls_names (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GTlsCertificate) target_only = ca_issue (target_names[0], NULL);
  g_autoptr(GTlsCertificate) untrusted = NULL;
  GError *error = NULL;

  /* One target, so that a refused certificate leaves nowhere else to go. */
  f->resolver->records[1].port = 0;

  /* A certificate for the domain the client knows is accepted silently
   * (the fixture's: the target's name and the domain). */
  {
    g_autoptr(MsrpRelaySettings) settings = settings_new (f, "user1");
    g_autoptr(MsrpConnector) connector = msrp_get_connector (settings);
    CertCheck check = { 0, };
    g_autoptr(GPtrArray) path = NULL;

    g_signal_connect (connector, "accept-certificate", G_CALLBACK (on_accept_certificate), &check);
    path = test_prepare (connector, NULL);
    g_assert_cmpuint (path_relay (f, path), ==, 0);
    g_assert_cmpuint (check.calls, ==, 0);
    msrp_connector_cleanup (connector);
  }

  /* The relay's certificate is checked against the domain, not the SRV
   * target: the DNS answer that named the target is not secured, so it
   * cannot vouch for that name (RFC 6125 section 6; PROTOCOL.md 5). A
   * certificate for the target alone is refused... */
  msrp_relay_set_tls_certificate (f->relays[0], target_only);
  {
    g_autoptr(MsrpRelaySettings) settings = settings_new (f, "user1");
    g_autoptr(MsrpConnector) connector = msrp_get_connector (settings);

    error = test_prepare_error (connector);
    g_assert_error (error, MSRP_ERROR, MSRP_ERROR_RELAY_NOT_FOUND);
    g_clear_error (&error);
  }
  {
    g_autoptr(MsrpRelaySettings) settings = settings_new (f, "user1");
    g_autoptr(MsrpConnector) connector = msrp_get_connector (settings);
    CertCheck check = { 0, };

    g_signal_connect (connector, "accept-certificate", G_CALLBACK (on_accept_certificate), &check);
    error = test_prepare_error (connector);
    g_clear_error (&error);
    g_assert_cmpuint (check.calls, ==, 1);
    g_assert_cmpuint (check.errors, ==, G_TLS_CERTIFICATE_BAD_IDENTITY);
  }
  /* ...unless the application takes it through accept-certificate. */
  {
    g_autoptr(MsrpRelaySettings) settings = settings_new (f, "user1");
    g_autoptr(MsrpConnector) connector = msrp_get_connector (settings);
    CertCheck check = { .accept_target = TRUE };
    g_autoptr(GPtrArray) path = NULL;

    g_signal_connect (connector, "accept-certificate", G_CALLBACK (on_accept_certificate), &check);
    path = test_prepare (connector, NULL);
    g_assert_cmpuint (path_relay (f, path), ==, 0);
    g_assert_cmpuint (check.calls, ==, 1);
    msrp_connector_cleanup (connector);
  }

  /* The right name from an authority the client does not trust is no
   * better. */
  untrusted = test_certificate_new (DOMAIN);
  msrp_relay_set_tls_certificate (f->relays[0], untrusted);
  {
    g_autoptr(MsrpRelaySettings) settings = settings_new (f, "user1");
    g_autoptr(MsrpConnector) connector = msrp_get_connector (settings);
    CertCheck check = { 0, };

    g_signal_connect (connector, "accept-certificate", G_CALLBACK (on_accept_certificate), &check);
    error = test_prepare_error (connector);
    g_clear_error (&error);
    g_assert_cmpuint (check.calls, ==, 1);
    g_assert_cmpuint (check.errors, ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
  }
  wait_no_sessions (f);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  for (guint tls = 0; tls < 2; tls++)
    {
      g_autofree char *spread = g_strdup_printf ("/relay-srv/spread/%s", tls ? "tls" : "tcp");
      g_autofree char *chat = g_strdup_printf ("/relay-srv/chat/%s", tls ? "tls" : "tcp");
      g_autofree char *failover = g_strdup_printf ("/relay-srv/failover/%s", tls ? "tls" : "tcp");
      g_autofree char *hung = g_strdup_printf ("/relay-srv/hung-target/%s", tls ? "tls" : "tcp");

      g_test_add (spread, Fixture, GINT_TO_POINTER (tls), fixture_setup, test_spread, fixture_teardown);
      g_test_add (chat, Fixture, GINT_TO_POINTER (tls), fixture_setup, test_chat, fixture_teardown);
      g_test_add (failover, Fixture, GINT_TO_POINTER (tls), fixture_setup, test_failover, fixture_teardown);
      g_test_add (hung, Fixture, GINT_TO_POINTER (tls), fixture_setup, test_hung_target, fixture_teardown);
    }
  g_test_add ("/relay-srv/tls-names", Fixture, GINT_TO_POINTER (TRUE), fixture_setup, test_tls_names,
              fixture_teardown);

  ret = g_test_run ();
  ca_free ();
  return ret;
}
