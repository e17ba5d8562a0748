/* fuzz-uri.c: libFuzzer target for the URI and path parsers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Checks, for any input: no crash or leak; a URI that parses prints to a
 * string that parses to an equal URI with the same hash and prints the
 * same again; the same for paths.
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_uri (const char *str)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpUri) uri = msrp_uri_parse (str, &error);
  g_autoptr(MsrpUri) again = NULL;
  g_autofree char *printed = NULL;
  g_autofree char *printed_again = NULL;

  if (uri == NULL)
    {
      g_assert_error (error, MSRP_ERROR, MSRP_ERROR_INVALID_URI);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return;
    }

  printed = msrp_uri_to_string (uri);
  again = msrp_uri_parse (printed, &error);
  g_assert_no_error (error);
  g_assert_true (msrp_uri_equal (uri, again));
  g_assert_true (msrp_uri_equal (again, uri));
  g_assert_cmpuint (msrp_uri_hash (uri), ==, msrp_uri_hash (again));
  printed_again = msrp_uri_to_string (again);
  g_assert_cmpstr (printed, ==, printed_again);
  g_assert_cmpstr (msrp_uri_get_user (uri), ==, msrp_uri_get_user (again));
  g_assert_cmpstr (msrp_uri_get_host (uri), ==, msrp_uri_get_host (again));
  g_assert_cmpuint (msrp_uri_get_port (uri), ==, msrp_uri_get_port (again));
  g_assert_cmpstr (msrp_uri_get_session_id (uri), ==, msrp_uri_get_session_id (again));
  g_assert_cmpstr (msrp_uri_get_transport (uri), ==, msrp_uri_get_transport (again));
  {
    g_auto(GStrv) names = msrp_uri_get_parameter_names (uri);

    for (guint i = 0; names[i] != NULL; i++)
      g_assert_cmpstr (msrp_uri_get_parameter (uri, names[i]), ==,
                       msrp_uri_get_parameter (again, names[i]));
  }
}

static void
check_path (const char *str)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) path = msrp_path_parse (str, &error);
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *printed = NULL;

  if (path == NULL)
    {
      g_assert_error (error, MSRP_ERROR, MSRP_ERROR_INVALID_URI);
      return;
    }
  g_assert_cmpuint (path->len, >, 0);
  printed = msrp_path_to_string (path);
  again = msrp_path_parse (printed, &error);
  g_assert_no_error (error);
  g_assert_true (msrp_path_equal (path, again));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *str = NULL;

  if (size > 4096)
    return 0;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  /* The parsers take C strings: stop at the first NUL. */
  str = g_strndup ((const char *) data, size);
  check_uri (str);
  check_path (str);

  return 0;
}
