/* test-random.c: transaction ids, Message-IDs, session-ids and Digest
 * nonces are unpredictable
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <msrp-glib/msrp-glib.h>
#include "msrp-digest-private.h"
#include "msrp-utils-private.h"

#ifdef G_OS_UNIX
#include <sys/wait.h>
#include <unistd.h>
#endif

/* RFC 4975 ident: an alphanumeric first character, then 3 to 31
 * characters of [A-Za-z0-9.-+%=]. */
static void
assert_ident (const char *id)
{
  gsize len = strlen (id);

  g_assert_cmpuint (len, >=, 4);
  g_assert_cmpuint (len, <=, 32);
  g_assert_true (g_ascii_isalnum (id[0]));
  for (gsize i = 1; i < len; i++)
    g_assert_true (g_ascii_isalnum (id[i]) || strchr (".-+%=", id[i]) != NULL);
}

/* A set of strings that fails the test when one comes twice. */
static void
add_distinct (GHashTable *seen,
              char       *id)
{
  g_assert_false (g_hash_table_contains (seen, id));
  g_hash_table_add (seen, id);
}

static char *
new_transaction_id (void)
{
  g_autoptr(MsrpChunk) chunk = msrp_chunk_new_request ("SEND", NULL);

  return g_strdup (msrp_chunk_get_transaction_id (chunk));
}

static char *
new_message_id (void)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new ();
  g_autoptr(MsrpOutgoingFile) file = msrp_outgoing_file_new (stream, 0, NULL, 0, NULL);

  return g_strdup (msrp_outgoing_file_get_message_id (file));
}

static char *
new_uri_session_id (void)
{
  g_autoptr(MsrpUri) uri = msrp_uri_new ("127.0.0.1", 2855, NULL, FALSE);

  return g_strdup (msrp_uri_get_session_id (uri));
}

static char *
new_server_session_id (MsrpServer *server)
{
  g_autoptr(GError) error = NULL;
  /* No session-id: the server makes one up. */
  g_autoptr(MsrpUri) local = g_object_new (MSRP_TYPE_URI, "host", "127.0.0.1", "port", 0, NULL);
  g_autoptr(GPtrArray) path = msrp_server_prepare (server, local, &error);
  MsrpUri *uri;
  char *id;

  g_assert_no_error (error);
  uri = g_ptr_array_index (path, path->len - 1);
  id = g_strdup (msrp_uri_get_session_id (uri));
  msrp_server_cleanup (server, uri);
  return id;
}

/* Every kind of id is a well-formed ident, and none comes twice. */
static void
test_ids_distinct (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(MsrpServer) server = msrp_server_new ();

  for (guint i = 0; i < 5000; i++)
    {
      char *tid = new_transaction_id ();
      char *mid = new_message_id ();
      char *sid = new_uri_session_id ();

      assert_ident (tid);
      assert_ident (mid);
      assert_ident (sid);
      add_distinct (seen, tid);
      add_distinct (seen, mid);
      add_distinct (seen, sid);
    }
  for (guint i = 0; i < 100; i++)
    {
      char *sid = new_server_session_id (server);

      assert_ident (sid);
      add_distinct (seen, sid);
    }
  for (guint i = 0; i < 1000; i++)
    {
      char *nonce = _msrp_digest_new_nonce ();

      g_assert_cmpuint (strlen (nonce), ==, 32);
      add_distinct (seen, nonce);
    }
}

/* Reseeding GLib's Mersenne Twister must not make any id come again: they
 * do not come from it. */
static void
test_not_g_random (void)
{
  g_autoptr(MsrpServer) server = msrp_server_new ();
  char *tid[2], *mid[2], *sid[2], *server_sid[2], *nonce[2], *cnonce[2];

  for (guint i = 0; i < 2; i++)
    {
      g_random_set_seed (4975);
      tid[i] = new_transaction_id ();
      mid[i] = new_message_id ();
      sid[i] = new_uri_session_id ();
      server_sid[i] = new_server_session_id (server);
      nonce[i] = _msrp_digest_new_nonce ();
      cnonce[i] = _msrp_random_ident (MSRP_RANDOM_NONCE, 16);
    }
  g_assert_cmpstr (tid[0], !=, tid[1]);
  g_assert_cmpstr (mid[0], !=, mid[1]);
  g_assert_cmpstr (sid[0], !=, sid[1]);
  g_assert_cmpstr (server_sid[0], !=, server_sid[1]);
  g_assert_cmpstr (nonce[0], !=, nonce[1]);
  g_assert_cmpstr (cnonce[0], !=, cnonce[1]);
  for (guint i = 0; i < 2; i++)
    {
      g_free (tid[i]);
      g_free (mid[i]);
      g_free (sid[i]);
      g_free (server_sid[i]);
      g_free (nonce[i]);
      g_free (cnonce[i]);
    }
}

/* The 36 characters are equally likely: 360,000 characters give each one
 * 10,000 times, give or take 1% (a standard deviation); 10% off is a bias. */
static void
test_ident_uniform (void)
{
  guint counts[256] = { 0, };
  guint total = 0;

  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *id = _msrp_random_ident (i % 2 ? MSRP_RANDOM_NONCE : MSRP_RANDOM_SECRET, 36);

      for (const char *p = id; *p; p++)
        counts[(guchar) *p]++;
    }
  for (guint c = 0; c < 256; c++)
    {
      if (counts[c] == 0)
        continue;
      g_assert_true (g_ascii_islower (c) || g_ascii_isdigit (c));
      g_assert_cmpuint (counts[c], >, 9000);
      g_assert_cmpuint (counts[c], <, 11000);
      total += counts[c];
    }
  g_assert_cmpuint (total, ==, 360000);
}

/* Lengths around the batches' sizes come out whole, and bytes differ from
 * one call to the next. */
static void
test_random_bytes (void)
{
  gsize lengths[] = { 1, 15, 16, 127, 128, 129, 511, 512, 513, 4096 };

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    for (MsrpRandomLevel level = MSRP_RANDOM_NONCE; level <= MSRP_RANDOM_SECRET; level++)
      {
        g_autofree guint8 *a = g_malloc0 (lengths[i] + 1);
        g_autofree guint8 *b = g_malloc0 (lengths[i] + 1);
        g_autofree char *id = _msrp_random_ident (level, lengths[i]);

        _msrp_random_bytes (level, a, lengths[i]);
        _msrp_random_bytes (level, b, lengths[i]);
        g_assert_cmpuint (a[lengths[i]], ==, 0);
        if (lengths[i] >= 8)
          g_assert_true (memcmp (a, b, lengths[i]) != 0);
        g_assert_cmpuint (strlen (id), ==, lengths[i]);
      }
}

#ifdef G_OS_UNIX
/* A forked child does not hand out the ids its parent is about to. */
static void
test_fork (void)
{
  g_autofree char *before = _msrp_random_ident (MSRP_RANDOM_NONCE, 16);
  g_autofree char *parent_id = NULL;
  char child_id[17] = { 0, };
  int fds[2];
  pid_t pid;
  int status;

  assert_ident (before);
  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autofree char *id = _msrp_random_ident (MSRP_RANDOM_NONCE, 16);

      _exit (write (fds[1], id, 16) == 16 ? 0 : 1);
    }
  close (fds[1]);
  parent_id = _msrp_random_ident (MSRP_RANDOM_NONCE, 16);
  g_assert_cmpint (read (fds[0], child_id, 16), ==, 16);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  assert_ident (child_id);
  g_assert_cmpstr (child_id, !=, parent_id);
}
#endif

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/random/ids-distinct", test_ids_distinct);
  g_test_add_func ("/random/not-g-random", test_not_g_random);
  g_test_add_func ("/random/ident-uniform", test_ident_uniform);
  g_test_add_func ("/random/bytes", test_random_bytes);
#ifdef G_OS_UNIX
  g_test_add_func ("/random/fork", test_fork);
#endif

  return g_test_run ();
}
