/* fuzz-is-composing.c: libFuzzer target for the is-composing (RFC 3994)
 * parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Checks, for any input: no crash or leak; an indication that parses
 * writes bytes that parse to the same indication, which writes the same
 * bytes again; bad input gets MSRP_ERROR_MALFORMED_XML with a UTF-8
 * message.
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpIsComposing) ic = NULL;
  g_autoptr(MsrpIsComposing) again = NULL;
  g_autoptr(GBytes) xml = NULL;
  g_autoptr(GBytes) xml_again = NULL;
  GDateTime *last, *last_again;
  const char *state;

  if (size > 128 * 1024)
    return 0;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  bytes = g_bytes_new (data, size);
  ic = msrp_is_composing_parse (bytes, &error);
  if (ic == NULL)
    {
      g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  state = msrp_is_composing_get_state (ic);
  g_assert_true (g_str_equal (state, "active") || g_str_equal (state, "idle"));

  xml = msrp_is_composing_to_bytes (ic);
  again = msrp_is_composing_parse (xml, &error);
  g_assert_no_error (error);
  xml_again = msrp_is_composing_to_bytes (again);
  g_assert_true (g_bytes_equal (xml, xml_again));

  g_assert_cmpstr (state, ==, msrp_is_composing_get_state (again));
  g_assert_cmpstr (msrp_is_composing_get_content_type (ic), ==,
                   msrp_is_composing_get_content_type (again));
  g_assert_cmpuint (msrp_is_composing_get_refresh (ic), ==, msrp_is_composing_get_refresh (again));

  last = msrp_is_composing_get_last_active (ic);
  last_again = msrp_is_composing_get_last_active (again);
  g_assert_true ((last == NULL) == (last_again == NULL));
  if (last != NULL)
    {
      g_assert_true (g_date_time_equal (last, last_again));
      g_assert_cmpint (g_date_time_get_utc_offset (last), ==, g_date_time_get_utc_offset (last_again));
    }

  return 0;
}
