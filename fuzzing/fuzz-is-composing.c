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

#include "msrp-glib.h"
#include "fuzz-xml.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static gpointer
parse_ic (GBytes  *bytes,
          GError **error)
{
  return msrp_is_composing_parse (bytes, error);
}

static GBytes *
write_ic (gpointer ic)
{
  return msrp_is_composing_to_bytes (ic);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(MsrpIsComposing) ic = NULL;
  g_autoptr(MsrpIsComposing) again = NULL;
  const char *state;

  if (!fuzz_xml_round_trip (data, size, parse_ic, write_ic, (gpointer *) &ic, (gpointer *) &again))
    return 0;

  state = msrp_is_composing_get_state (ic);
  g_assert_true (g_str_equal (state, "active") || g_str_equal (state, "idle"));

  g_assert_cmpstr (state, ==, msrp_is_composing_get_state (again));
  g_assert_cmpstr (msrp_is_composing_get_content_type (ic), ==,
                   msrp_is_composing_get_content_type (again));
  g_assert_cmpuint (msrp_is_composing_get_refresh (ic), ==, msrp_is_composing_get_refresh (again));
  fuzz_assert_same_datetime (msrp_is_composing_get_last_active (ic),
                             msrp_is_composing_get_last_active (again));

  return 0;
}
