/* test-digest.c: HTTP Digest for MSRP AUTH
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <msrp-glib/msrp-glib.h>
#include "msrp-digest-private.h"

static GHashTable *
params_of (const char *header,
           const char *value)
{
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("AUTH", "t1");

  msrp_chunk_set_header (chunk, header, value);
  return msrp_chunk_get_auth_params (chunk, header, NULL);
}

/* RFC 2617 section 3.5. */
static void
test_rfc2617_vector (void)
{
  g_autofree char *response = NULL;

  response = _msrp_digest_compute ("Mufasa", "testrealm@host.com", "Circle Of Life", "GET",
                                   "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                                   "00000001", "0a4f113b", "auth");
  g_assert_cmpstr (response, ==, "6629fae49393a05397450978507c4ef1");
}

/* RFC 2069 form (no qop): MD5(HA1:nonce:HA2), checked against an
 * independently computed value. */
static void
test_rfc2069 (void)
{
  g_autofree char *ha1 = g_compute_checksum_for_string (G_CHECKSUM_MD5, "alice:example.com:alicepass", -1);
  g_autofree char *ha2 = g_compute_checksum_for_string (G_CHECKSUM_MD5, "AUTH:msrp://127.0.0.1:2955;tcp", -1);
  g_autofree char *all = g_strdup_printf ("%s:abc:%s", ha1, ha2);
  g_autofree char *expected = g_compute_checksum_for_string (G_CHECKSUM_MD5, all, -1);
  g_autofree char *response = NULL;

  response = _msrp_digest_compute ("alice", "example.com", "alicepass", "AUTH",
                                   "msrp://127.0.0.1:2955;tcp", "abc", NULL, NULL, NULL);
  g_assert_cmpstr (response, ==, expected);
}

/* What the client makes, the server accepts; with and without uri=. */
static void
test_round_trip (void)
{
  const char *uri = "msrp://127.0.0.1:2955;tcp";
  const gboolean include[] = { TRUE, FALSE };

  for (guint i = 0; i < G_N_ELEMENTS (include); i++)
    {
      g_autofree char *nonce = _msrp_digest_new_nonce ();
      g_autofree char *challenge = _msrp_digest_make_challenge ("example.com", nonce, FALSE);
      g_autoptr(GHashTable) cparams = params_of ("WWW-Authenticate", challenge);
      g_autofree char *authorization = NULL;
      g_autoptr(GHashTable) aparams = NULL;
      GError *error = NULL;

      g_assert_nonnull (cparams);
      g_assert_cmpstr (g_hash_table_lookup (cparams, "nonce"), ==, nonce);
      authorization = _msrp_digest_make_authorization (cparams, "alice", "alicepass", uri, include[i], 1, &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (authorization, "Digest "));
      aparams = params_of ("Authorization", authorization);
      g_assert_nonnull (aparams);
      g_assert_cmpstr (g_hash_table_lookup (aparams, "username"), ==, "alice");
      g_assert_cmpstr (g_hash_table_lookup (aparams, "qop"), ==, "auth");
      g_assert_cmpstr (g_hash_table_lookup (aparams, "nc"), ==, "00000001");
      g_assert_cmpstr (g_hash_table_lookup (aparams, "uri"), ==, include[i] ? uri : NULL);
      g_assert_nonnull (g_hash_table_lookup (aparams, "cnonce"));
      g_assert_null (g_hash_table_lookup (aparams, "opaque"));

      g_assert_true (_msrp_digest_verify (aparams, "alicepass", "AUTH", uri));
      g_assert_false (_msrp_digest_verify (aparams, "alicepas", "AUTH", uri));
      g_assert_false (_msrp_digest_verify (aparams, "alicepass", "SEND", uri));

      /* Any change to a covered parameter breaks it. */
      g_hash_table_replace (aparams, g_strdup ("nc"), g_strdup ("00000002"));
      g_assert_false (_msrp_digest_verify (aparams, "alicepass", "AUTH", uri));
    }
}

static void
test_opaque_and_no_qop (void)
{
  g_autoptr(GHashTable) cparams =
    params_of ("WWW-Authenticate", "Digest realm=\"r\", nonce=\"n1\", opaque=\"op \\\"x\\\"\"");
  g_autofree char *authorization = NULL;
  g_autoptr(GHashTable) aparams = NULL;
  g_autofree char *expected = NULL;
  GError *error = NULL;

  authorization = _msrp_digest_make_authorization (cparams, "bob", "pw", "msrps://relay;tcp", TRUE, 1, &error);
  g_assert_no_error (error);
  aparams = params_of ("Authorization", authorization);
  g_assert_cmpstr (g_hash_table_lookup (aparams, "opaque"), ==, "op \"x\"");
  g_assert_null (g_hash_table_lookup (aparams, "qop"));
  g_assert_null (g_hash_table_lookup (aparams, "nc"));
  expected = _msrp_digest_compute ("bob", "r", "pw", "AUTH", "msrps://relay;tcp", "n1", NULL, NULL, NULL);
  g_assert_cmpstr (g_hash_table_lookup (aparams, "response"), ==, expected);
  g_assert_true (_msrp_digest_verify (aparams, "pw", "AUTH", NULL));
}

static void
test_unanswerable (void)
{
  const char *challenges[] = {
    "Digest nonce=\"n\"",
    "Digest realm=\"r\"",
    "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256",
    "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (challenges); i++)
    {
      g_autoptr(GHashTable) cparams = params_of ("WWW-Authenticate", challenges[i]);
      g_autofree char *authorization = NULL;
      GError *error = NULL;

      g_assert_nonnull (cparams);
      authorization = _msrp_digest_make_authorization (cparams, "a", "b", "msrp://r;tcp", TRUE, 1, &error);
      g_assert_null (authorization);
      g_assert_error (error, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED);
      g_clear_error (&error);
    }

  /* qop with auth among others is fine. */
  {
    g_autoptr(GHashTable) cparams = params_of ("WWW-Authenticate",
                                               "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int, auth\"");
    g_autofree char *authorization = _msrp_digest_make_authorization (cparams, "a", "b", "msrp://r;tcp", FALSE,
                                                                      7, NULL);

    g_assert_nonnull (authorization);
    g_assert_nonnull (strstr (authorization, "nc=00000007"));
  }
}

/* Without uri=, the digest-uri is still the AUTH's To-Path URI (HA2 =
 * MD5("AUTH:" uri)), as the relays that want uri= left out compute it
 * (RFC 2617 3.2.2.5 with the AUTH method of RFC 4976): never an empty string. */
static void
test_omitted_uri (void)
{
  const char *uri = "msrps://relay.example.com:2855;tcp";
  g_autoptr(GHashTable) cparams = params_of ("WWW-Authenticate", "Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"");
  g_autofree char *authorization = NULL;
  g_autoptr(GHashTable) aparams = NULL;
  g_autofree char *ha1 = g_compute_checksum_for_string (G_CHECKSUM_MD5, "bob:r:pw", -1);
  g_autofree char *ha2 = g_compute_checksum_for_string (G_CHECKSUM_MD5, "AUTH:msrps://relay.example.com:2855;tcp", -1);
  g_autofree char *all = NULL;
  g_autofree char *expected = NULL;
  GError *error = NULL;

  authorization = _msrp_digest_make_authorization (cparams, "bob", "pw", uri, FALSE, 1, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (authorization, "uri="));
  aparams = params_of ("Authorization", authorization);
  all = g_strdup_printf ("%s:n1:00000001:%s:auth:%s", ha1,
                         (const char *) g_hash_table_lookup (aparams, "cnonce"), ha2);
  expected = g_compute_checksum_for_string (G_CHECKSUM_MD5, all, -1);
  g_assert_cmpstr (g_hash_table_lookup (aparams, "response"), ==, expected);

  /* The server takes the To-Path URI when uri= is absent. */
  g_assert_true (_msrp_digest_verify (aparams, "pw", "AUTH", uri));
  g_assert_false (_msrp_digest_verify (aparams, "pw", "AUTH", NULL));
  g_assert_false (_msrp_digest_verify (aparams, "pw", "AUTH", "msrps://other.example.com:2855;tcp"));
}

static void
test_verify_rejects_incomplete (void)
{
  g_autoptr(GHashTable) p = params_of ("Authorization",
                                       "Digest username=\"a\", realm=\"r\", nonce=\"n\", response=\"x\", qop=auth");

  /* qop without nc/cnonce */
  g_assert_false (_msrp_digest_verify (p, "b", "AUTH", NULL));
  g_hash_table_remove (p, "response");
  g_hash_table_remove (p, "qop");
  g_assert_false (_msrp_digest_verify (p, "b", "AUTH", NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/digest/rfc2617-vector", test_rfc2617_vector);
  g_test_add_func ("/digest/rfc2069", test_rfc2069);
  g_test_add_func ("/digest/round-trip", test_round_trip);
  g_test_add_func ("/digest/opaque-no-qop", test_opaque_and_no_qop);
  g_test_add_func ("/digest/unanswerable", test_unanswerable);
  g_test_add_func ("/digest/omitted-uri", test_omitted_uri);
  g_test_add_func ("/digest/verify-incomplete", test_verify_rejects_incomplete);

  return g_test_run ();
}
