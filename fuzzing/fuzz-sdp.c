/* fuzz-sdp.c: libFuzzer target for the SDP media (RFC 4566, 4975, 5547) parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Checks, for any input: no crash or leak; a media section that parses
 * writes text that parses again, and that writes the same text again;
 * the getters agree between the two and with a copy; the file selector
 * written on its own parses to an equal one; bad input gets an
 * MSRP_ERROR_MALFORMED_SDP with a UTF-8 message.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msrp-glib.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_same_media (MsrpSdpMedia *a,
                  MsrpSdpMedia *b)
{
  GPtrArray *path_a = msrp_sdp_media_get_path (a);
  GPtrArray *path_b = msrp_sdp_media_get_path (b);
  MsrpFileSelector *selector_a = msrp_sdp_media_get_file_selector (a);
  MsrpFileSelector *selector_b = msrp_sdp_media_get_file_selector (b);
  gint64 start_a, stop_a, start_b, stop_b;

  g_assert_cmpstr (msrp_sdp_media_get_media (a), ==, msrp_sdp_media_get_media (b));
  g_assert_cmpuint (msrp_sdp_media_get_port (a), ==, msrp_sdp_media_get_port (b));
  g_assert_cmpstr (msrp_sdp_media_get_protocol (a), ==, msrp_sdp_media_get_protocol (b));
  g_assert_cmpstr (msrp_sdp_media_get_connection_address (a), ==,
                   msrp_sdp_media_get_connection_address (b));
  g_assert_true ((path_a == NULL) == (path_b == NULL));
  if (path_a != NULL)
    g_assert_true (msrp_path_equal (path_a, path_b));
  g_assert_cmpstrv (msrp_sdp_media_get_accept_types (a), msrp_sdp_media_get_accept_types (b));
  g_assert_cmpstrv (msrp_sdp_media_get_accept_wrapped_types (a),
                    msrp_sdp_media_get_accept_wrapped_types (b));
  g_assert_cmpint (msrp_sdp_media_get_max_size (a), ==, msrp_sdp_media_get_max_size (b));
  g_assert_cmpstr (msrp_sdp_media_get_setup (a), ==, msrp_sdp_media_get_setup (b));
  g_assert_cmpint (msrp_sdp_media_get_direction (a), ==, msrp_sdp_media_get_direction (b));
  g_assert_cmpstr (msrp_sdp_media_get_fingerprint (a), ==, msrp_sdp_media_get_fingerprint (b));
  g_assert_true (msrp_sdp_media_get_cema (a) == msrp_sdp_media_get_cema (b));
  g_assert_true ((selector_a == NULL) == (selector_b == NULL));
  if (selector_a != NULL)
    g_assert_true (msrp_file_selector_equal (selector_a, selector_b));
  g_assert_cmpstr (msrp_sdp_media_get_file_transfer_id (a), ==, msrp_sdp_media_get_file_transfer_id (b));
  g_assert_cmpstr (msrp_sdp_media_get_file_disposition (a), ==, msrp_sdp_media_get_file_disposition (b));
  g_assert_cmpstr (msrp_sdp_media_get_file_date (a), ==, msrp_sdp_media_get_file_date (b));
  g_assert_true (msrp_sdp_media_get_file_range (a, &start_a, &stop_a) ==
                 msrp_sdp_media_get_file_range (b, &start_b, &stop_b));
  g_assert_cmpint (start_a, ==, start_b);
  g_assert_cmpint (stop_a, ==, stop_b);
}

static void
check_selector (MsrpFileSelector *selector)
{
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  g_autoptr(MsrpFileSelector) again = NULL;
  g_autoptr(GError) error = NULL;

  if (selector == NULL)
    return;
  text = msrp_file_selector_to_string (selector);
  again = msrp_file_selector_parse (text, &error);
  g_assert_no_error (error);
  g_assert_true (msrp_file_selector_equal (selector, again));
  text_again = msrp_file_selector_to_string (again);
  g_assert_cmpstr (text, ==, text_again);
}

/* libFuzzer saves the input of a SIGABRT, not of the SIGTRAP that a fatal
 * GLib log ends in: abort on criticals and warnings first. */
static void
abort_on_log (const char     *domain,
              GLogLevelFlags  level,
              const char     *message,
              gpointer        user_data)
{
  g_printerr ("%s: %s\n", domain ? domain : "", message);
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *sdp = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpSdpMedia) media = NULL;
  g_autoptr(MsrpSdpMedia) again = NULL;
  g_autoptr(MsrpSdpMedia) copy = NULL;
  g_autoptr(MsrpFileSelector) selector = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;
  g_autofree char *text_copy = NULL;

  if (size > 128 * 1024)
    return 0;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_default_handler (abort_on_log, NULL);

  /* the API takes a C string: the input up to its first NUL */
  sdp = g_strndup ((const char *) data, size);

  /* the same bytes as a file selector value */
  selector = msrp_file_selector_parse (sdp, &error);
  if (selector == NULL)
    {
      g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_clear_error (&error);
    }
  check_selector (selector);

  media = msrp_sdp_media_parse (sdp, &error);
  if (media == NULL)
    {
      g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_SDP);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  text = msrp_sdp_media_to_string (media);
  again = msrp_sdp_media_parse (text, &error);
  g_assert_no_error (error);
  text_again = msrp_sdp_media_to_string (again);
  g_assert_cmpstr (text, ==, text_again);
  check_same_media (media, again);

  copy = msrp_sdp_media_copy (media);
  text_copy = msrp_sdp_media_to_string (copy);
  g_assert_cmpstr (text, ==, text_copy);
  check_same_media (media, copy);

  check_selector (msrp_sdp_media_get_file_selector (media));

  return 0;
}
