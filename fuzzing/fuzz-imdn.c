/* fuzz-imdn.c: libFuzzer target for the IMDN (RFC 5438) parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Checks, for any input: no crash or leak; a notification that parses
 * writes bytes that parse to the same notification, which writes the
 * same bytes again; bad input gets MSRP_ERROR_MALFORMED_XML with a UTF-8
 * message.
 */

#include "config.h"

#include "msrp-glib.h"
#include "fuzz-xml.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static gpointer
parse_imdn (GBytes  *bytes,
            GError **error)
{
  return msrp_imdn_parse (bytes, error);
}

static GBytes *
write_imdn (gpointer imdn)
{
  return msrp_imdn_to_bytes (imdn);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(MsrpImdn) imdn = NULL;
  g_autoptr(MsrpImdn) again = NULL;

  if (!fuzz_xml_round_trip (data, size, parse_imdn, write_imdn, (gpointer *) &imdn, (gpointer *) &again))
    return 0;

  g_assert_true (msrp_imdn_kind_has_status (msrp_imdn_get_kind (imdn), msrp_imdn_get_status (imdn)));
  g_assert_nonnull (msrp_imdn_get_message_id (imdn));

  g_assert_cmpint (msrp_imdn_get_kind (imdn), ==, msrp_imdn_get_kind (again));
  g_assert_cmpstr (msrp_imdn_get_status (imdn), ==, msrp_imdn_get_status (again));
  g_assert_cmpstr (msrp_imdn_get_message_id (imdn), ==, msrp_imdn_get_message_id (again));
  g_assert_cmpstr (msrp_imdn_get_recipient_uri (imdn), ==, msrp_imdn_get_recipient_uri (again));
  g_assert_cmpstr (msrp_imdn_get_original_recipient_uri (imdn), ==,
                   msrp_imdn_get_original_recipient_uri (again));
  g_assert_cmpstr (msrp_imdn_get_subject (imdn), ==, msrp_imdn_get_subject (again));
  fuzz_assert_same_datetime (msrp_imdn_get_datetime (imdn), msrp_imdn_get_datetime (again));

  return 0;
}
