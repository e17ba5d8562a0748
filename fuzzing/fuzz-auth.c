/* fuzz-auth.c: libFuzzer target for the authentication headers: the
 * parameter parser and HTTP Digest (RFC 2617) as MSRP relays use it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The input is a header value (CR, LF and NUL become spaces; an input
 * with other control characters, which no parsed chunk carries, is
 * skipped). Criticals and warnings abort. Checks, for
 * any input: no crash or leak; read as a WWW-Authenticate challenge, an
 * Authorization made for it either fails with MSRP_ERROR_AUTH_FAILED or
 * parses back and verifies with the same password (and not with another);
 * read as an Authorization, verifying it does not crash.
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"
#include "msrp-digest-private.h"
#include "msrp-utils-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static GHashTable *
params_of (const char *name,
           const char *value,
           char      **scheme)
{
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("AUTH", "fuzz1234");

  msrp_chunk_set_header (chunk, name, value);
  return msrp_chunk_get_auth_params (chunk, name, scheme);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *value = NULL;
  g_autoptr(GHashTable) challenge = NULL;
  g_autoptr(GHashTable) authorization = NULL;
  g_autofree char *scheme = NULL;

  if (size > 4096)
    return 0;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  value = g_malloc (size + 1);
  for (size_t i = 0; i < size; i++)
    value[i] = (data[i] == '\r' || data[i] == '\n' || data[i] == '\0') ? ' ' : (char) data[i];
  value[size] = '\0';
  /* msrp_chunk_set_header() refuses what a header cannot hold: that is
   * the caller's mistake, not the parser's. */
  if (!_msrp_is_header_value (value))
    return 0;
  g_strstrip (value);

  challenge = params_of ("WWW-Authenticate", value, &scheme);
  if (challenge != NULL)
    {
      const char *uri = "msrps://relay.example.com;tcp";
      const gboolean include[] = { TRUE, FALSE };

      g_assert_nonnull (scheme);
      for (guint i = 0; i < G_N_ELEMENTS (include); i++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *answer = _msrp_digest_make_authorization (challenge, "alice", "pass \"word\"",
                                                                     uri, include[i], 1, &error);
          g_autoptr(GHashTable) back = NULL;

          if (answer == NULL)
            {
              g_assert_error (error, MSRP_ERROR, MSRP_ERROR_AUTH_FAILED);
              continue;
            }
          g_assert_no_error (error);
          back = params_of ("Authorization", answer, NULL);
          g_assert_nonnull (back);
          g_assert_cmpstr (g_hash_table_lookup (back, "realm"), ==, g_hash_table_lookup (challenge, "realm"));
          g_assert_cmpstr (g_hash_table_lookup (back, "nonce"), ==, g_hash_table_lookup (challenge, "nonce"));
          g_assert_cmpstr (g_hash_table_lookup (back, "uri"), ==, include[i] ? uri : NULL);
          g_assert_true (_msrp_digest_verify (back, "pass \"word\"", "AUTH", uri));
          g_assert_false (_msrp_digest_verify (back, "pass \"word\" ", "AUTH", uri));
        }
    }

  authorization = params_of ("Authorization", value, NULL);
  if (authorization != NULL)
    (void) _msrp_digest_verify (authorization, "alicepass", "AUTH", "msrps://relay.example.com;tcp");

  return 0;
}
