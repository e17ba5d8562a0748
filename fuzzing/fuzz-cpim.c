/* fuzz-cpim.c: libFuzzer target for the CPIM (RFC 3862) parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Checks, for any input: no crash or leak; a message that parses writes
 * bytes that parse to an equal message, which writes the same bytes
 * again; the getters agree between the two; bad input gets an MSRP_ERROR
 * with a UTF-8 message.
 */

#include "config.h"

#include <string.h>

#include "msrp-glib.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_same_strv (char **a,
                 char **b)
{
  g_assert_cmpstrv (a, b);
  g_strfreev (a);
  g_strfreev (b);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpCpimMessage) msg = NULL;
  g_autoptr(MsrpCpimMessage) again = NULL;
  g_autoptr(GBytes) wire = NULL;
  g_autoptr(GBytes) wire_again = NULL;
  g_autoptr(GDateTime) datetime = NULL;
  g_autoptr(GDateTime) datetime_again = NULL;

  if (size > 128 * 1024)
    return 0;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  bytes = g_bytes_new (data, size);
  msg = msrp_cpim_message_parse (bytes, &error);
  if (msg == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == MSRP_ERROR);
      g_assert_true (error->code == MSRP_ERROR_MALFORMED_CPIM ||
                     error->code == MSRP_ERROR_HEADERS_TOO_LARGE ||
                     error->code == MSRP_ERROR_TOO_MANY_HEADERS);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  wire = msrp_cpim_message_to_bytes (msg);
  again = msrp_cpim_message_parse (wire, &error);
  g_assert_no_error (error);
  g_assert_true (msrp_cpim_message_equal (msg, again));
  g_assert_true (msrp_cpim_message_equal (again, msg));
  wire_again = msrp_cpim_message_to_bytes (again);
  g_assert_true (g_bytes_equal (wire, wire_again));
  g_assert_true (g_bytes_equal (msrp_cpim_message_get_body (msg),
                                msrp_cpim_message_get_body (again)));

  g_assert_cmpstr (msrp_cpim_message_get_from (msg), ==, msrp_cpim_message_get_from (again));
  check_same_strv (msrp_cpim_message_get_to (msg), msrp_cpim_message_get_to (again));
  check_same_strv (msrp_cpim_message_get_cc (msg), msrp_cpim_message_get_cc (again));
  check_same_strv (msrp_cpim_message_get_require (msg), msrp_cpim_message_get_require (again));
  check_same_strv (msrp_cpim_message_get_subject_langs (msg),
                   msrp_cpim_message_get_subject_langs (again));
  g_assert_cmpstr (msrp_cpim_message_get_subject (msg), ==, msrp_cpim_message_get_subject (again));
  g_assert_cmpstr (msrp_cpim_message_get_content_type (msg), ==,
                   msrp_cpim_message_get_content_type (again));
  g_assert_cmpstr (msrp_cpim_message_get_header (msg, "urn:ietf:params:imdn", "Message-ID"), ==,
                   msrp_cpim_message_get_header (again, "urn:ietf:params:imdn", "Message-ID"));

  /* a DateTime that parsed stays a valid time */
  datetime = msrp_cpim_message_get_datetime (msg);
  datetime_again = msrp_cpim_message_get_datetime (again);
  g_assert_true ((msrp_cpim_message_get_header (msg, NULL, "DateTime") != NULL) == (datetime != NULL));
  if (datetime != NULL)
    g_assert_true (g_date_time_equal (datetime, datetime_again));

  return 0;
}
