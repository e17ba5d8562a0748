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

#include <string.h>

#include "msrp-glib.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpImdn) imdn = NULL;
  g_autoptr(MsrpImdn) again = NULL;
  g_autoptr(GBytes) xml = NULL;
  g_autoptr(GBytes) xml_again = NULL;
  GDateTime *datetime, *datetime_again;

  if (size > 128 * 1024)
    return 0;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  bytes = g_bytes_new (data, size);
  imdn = msrp_imdn_parse (bytes, &error);
  if (imdn == NULL)
    {
      g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  g_assert_true (msrp_imdn_kind_has_status (msrp_imdn_get_kind (imdn), msrp_imdn_get_status (imdn)));
  g_assert_nonnull (msrp_imdn_get_message_id (imdn));

  xml = msrp_imdn_to_bytes (imdn);
  again = msrp_imdn_parse (xml, &error);
  g_assert_no_error (error);
  xml_again = msrp_imdn_to_bytes (again);
  g_assert_true (g_bytes_equal (xml, xml_again));

  g_assert_cmpint (msrp_imdn_get_kind (imdn), ==, msrp_imdn_get_kind (again));
  g_assert_cmpstr (msrp_imdn_get_status (imdn), ==, msrp_imdn_get_status (again));
  g_assert_cmpstr (msrp_imdn_get_message_id (imdn), ==, msrp_imdn_get_message_id (again));
  g_assert_cmpstr (msrp_imdn_get_recipient_uri (imdn), ==, msrp_imdn_get_recipient_uri (again));
  g_assert_cmpstr (msrp_imdn_get_original_recipient_uri (imdn), ==,
                   msrp_imdn_get_original_recipient_uri (again));
  g_assert_cmpstr (msrp_imdn_get_subject (imdn), ==, msrp_imdn_get_subject (again));

  datetime = msrp_imdn_get_datetime (imdn);
  datetime_again = msrp_imdn_get_datetime (again);
  g_assert_true ((datetime == NULL) == (datetime_again == NULL));
  if (datetime != NULL)
    {
      g_assert_true (g_date_time_equal (datetime, datetime_again));
      g_assert_cmpint (g_date_time_get_utc_offset (datetime), ==,
                       g_date_time_get_utc_offset (datetime_again));
    }

  return 0;
}
