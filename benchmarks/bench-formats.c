/* bench-formats.c: throughput of the chat text formats
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Parses and writes, over and over, a typical document of each format a
 * chat message or notification travels in, and prints documents a second
 * (best of a few runs):
 *
 *   cpim:          a 300-byte message/cpim chat message (sender, recipient,
 *                  DateTime, IMDN request headers, a short text)
 *   imdn:          the delivery notification of RFC 5438
 *   is-composing:  an active indication of RFC 3994
 *
 * Issue 13 asks for 1 M CPIM parses a second, and 200 k for the two XML
 * formats. Times are the process's CPU time, so that other work on a
 * shared machine does not count. Options: --json for one JSON object on
 * stdout; --quick for a short run.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "msrp-glib.h"

/* 300 bytes */
static const char cpim_message[] =
  "From: \"Alice\" <sip:alice@example.com>\r\n"
  "To: \"Bob\" <sip:bob@example.com>\r\n"
  "DateTime: 2024-05-01T12:16:49.25+02:00\r\n"
  "NS: imdn <urn:ietf:params:imdn>\r\n"
  "imdn.Message-ID: 8eb1a9c6d2f04b7e\r\n"
  "imdn.Disposition-Notification: positive-delivery, display\r\n"
  "\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "\r\n"
  "See you at noon!";

static const char imdn_document[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\n"
  "  <message-id>34jk324j</message-id>\n"
  "  <datetime>2008-04-04T12:16:49-05:00</datetime>\n"
  "  <recipient-uri>im:bob@example.com</recipient-uri>\n"
  "  <original-recipient-uri>im:bob@example.com</original-recipient-uri>\n"
  "  <delivery-notification>\n"
  "    <status>\n"
  "      <delivered/>\n"
  "    </status>\n"
  "  </delivery-notification>\n"
  "</imdn>\n";

static const char is_composing_document[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">\n"
  "  <state>active</state>\n"
  "  <contenttype>text/plain</contenttype>\n"
  "  <refresh>90</refresh>\n"
  "</isComposing>\n";

typedef gpointer (*ParseFunc) (GBytes *data, GError **error);
typedef GBytes * (*WriteFunc) (gpointer object);

typedef struct {
  const char *name;
  const char *document;
  ParseFunc parse;
  WriteFunc write;
} Format;

static const Format formats[] = {
  { "cpim", cpim_message, (ParseFunc) msrp_cpim_message_parse, (WriteFunc) msrp_cpim_message_to_bytes },
  { "imdn", imdn_document, (ParseFunc) msrp_imdn_parse, (WriteFunc) msrp_imdn_to_bytes },
  { "is_composing", is_composing_document, (ParseFunc) msrp_is_composing_parse,
    (WriteFunc) msrp_is_composing_to_bytes },
};

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Documents a second over `count` iterations of either parse or write. */
static double
run (const Format *format,
     GBytes       *data,
     gpointer      object,
     guint         count)
{
  double start = cpu_seconds ();

  for (guint i = 0; i < count; i++)
    {
      if (object == NULL)
        {
          g_autoptr(GError) error = NULL;
          gpointer parsed = format->parse (data, &error);

          if (parsed == NULL)
            g_error ("%s does not parse: %s", format->name, error->message);
          g_object_unref (parsed);
        }
      else
        g_bytes_unref (format->write (object));
    }
  return count / (cpu_seconds () - start);
}

static double
best_of (int           n,
         const Format *format,
         GBytes       *data,
         gpointer      object,
         guint         count)
{
  double best = 0;

  for (int i = 0; i < n; i++)
    best = MAX (best, run (format, data, object, count));
  return best;
}

int
main (int    argc,
      char **argv)
{
  gboolean json = FALSE, quick = FALSE;
  guint count;
  int reps;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        json = TRUE;
      else if (strcmp (argv[i], "--quick") == 0)
        quick = TRUE;
      else
        {
          fprintf (stderr, "usage: %s [--json] [--quick]\n", argv[0]);
          return 2;
        }
    }
  reps = quick ? 1 : 5;
  count = quick ? 20000 : 200000;

  if (json)
    printf ("{");
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      const Format *format = &formats[f];
      g_autoptr(GBytes) data = g_bytes_new_static (format->document, strlen (format->document));
      g_autoptr(GError) error = NULL;
      g_autoptr(GObject) object = format->parse (data, &error);
      double parses, writes;

      if (object == NULL)
        g_error ("%s does not parse: %s", format->name, error->message);
      /* warm up */
      run (format, data, NULL, count / 10);
      parses = best_of (reps, format, data, NULL, count);
      writes = best_of (reps, format, data, object, count);

      if (json)
        printf ("%s\"%s_parse_s\": %.0f, \"%s_to_bytes_s\": %.0f, \"%s_bytes\": %" G_GSIZE_FORMAT,
                f > 0 ? ", " : "", format->name, parses, format->name, writes,
                format->name, g_bytes_get_size (data));
      else
        printf ("%-13s %4" G_GSIZE_FORMAT " bytes   parse %6.3f M/s   to_bytes %6.3f M/s\n",
                format->name, g_bytes_get_size (data), parses / 1e6, writes / 1e6);
    }
  if (json)
    printf ("}\n");

  return 0;
}
