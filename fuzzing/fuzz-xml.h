/* fuzz-xml.h: what the XML format targets (IMDN, is-composing) share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "msrp-glib.h"

typedef gpointer (*FuzzXmlParse) (GBytes   *bytes,
                                  GError  **error);
typedef GBytes  *(*FuzzXmlWrite) (gpointer  document);

/* Parses @data: bad input must get MSRP_ERROR_MALFORMED_XML with a UTF-8
 * message (FALSE); a document that parses must write bytes that parse to
 * a document (@again) that writes the same bytes. Gives both documents,
 * owned by the caller. */
static inline gboolean
fuzz_xml_round_trip (const guint8  *data,
                     size_t         size,
                     FuzzXmlParse   parse_func,
                     FuzzXmlWrite   write_func,
                     gpointer      *document,
                     gpointer      *again)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) xml = NULL;
  g_autoptr(GBytes) xml_again = NULL;

  if (size > 128 * 1024)
    return FALSE;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  bytes = g_bytes_new (data, size);
  *document = parse_func (bytes, &error);
  if (*document == NULL)
    {
      g_assert_error (error, MSRP_ERROR, MSRP_ERROR_MALFORMED_XML);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return FALSE;
    }

  xml = write_func (*document);
  *again = parse_func (xml, &error);
  g_assert_no_error (error);
  xml_again = write_func (*again);
  g_assert_true (g_bytes_equal (xml, xml_again));
  return TRUE;
}

/* Both NULL, or the same instant with the same UTC offset. */
static inline void
fuzz_assert_same_datetime (GDateTime *a,
                           GDateTime *b)
{
  g_assert_true ((a == NULL) == (b == NULL));
  if (a != NULL)
    {
      g_assert_true (g_date_time_equal (a, b));
      g_assert_cmpint (g_date_time_get_utc_offset (a), ==, g_date_time_get_utc_offset (b));
    }
}
