/* parse-chunk.c: parse one MSRP chunk and print what is in it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: parse-chunk [FILE]
 *
 * Without FILE it parses the first SEND of RFC 4975 section 7.2 (with the
 * Byte-Range the RFC should have given it: the body is 23 bytes). A FILE must
 * hold one chunk as it goes on the wire, with CRLF line ends.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msrp-glib/msrp-glib.h>

static const char rfc4975_send[] =
  "MSRP a786hjs2 SEND\r\n"
  "To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n"
  "From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n"
  "Message-ID: 87652491\r\n"
  "Byte-Range: 1-23/23\r\n"
  "Content-Type: text/plain\r\n"
  "\r\n"
  "Hey Bob, are you there?\r\n"
  "-------a786hjs2$\r\n";

static void
print_path (const char *name,
            GPtrArray  *path)
{
  printf ("%s:\n", name);
  if (path == NULL)
    {
      printf ("  (missing or invalid)\n");
      return;
    }
  for (guint i = 0; i < path->len; i++)
    {
      MsrpUri *uri = g_ptr_array_index (path, i);
      g_autofree char *str = msrp_uri_to_string (uri);
      const char *session_id = msrp_uri_get_session_id (uri);

      printf ("  %s\n", str);
      printf ("    host %s, port %u, session-id %s\n",
              msrp_uri_get_host (uri),
              msrp_uri_get_port (uri),
              session_id != NULL ? session_id : "(none)");
    }
}

static void
print_range_part (gint64 value)
{
  if (value < 0)
    printf ("*");
  else
    printf ("%" G_GINT64_FORMAT, value);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GBytes) input = NULL;
  g_autoptr(MsrpChunk) chunk = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  GBytes *body;
  gsize consumed = 0;
  gint64 start, end, total;

  if (argc > 2)
    {
      fprintf (stderr, "Usage: %s [FILE]\n", argv[0]);
      return 2;
    }

  if (argc == 2)
    {
      char *contents;
      gsize length;

      if (!g_file_get_contents (argv[1], &contents, &length, &error))
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
      input = g_bytes_new_take (contents, length);
    }
  else
    input = g_bytes_new_static (rfc4975_send, strlen (rfc4975_send));

  chunk = msrp_chunk_parse (input, &consumed, &error);
  if (chunk == NULL)
    {
      fprintf (stderr, "Cannot parse the chunk: %s\n", error->message);
      return 1;
    }

  if (msrp_chunk_is_request (chunk))
    printf ("Method: %s\n", msrp_chunk_get_method (chunk));
  else
    printf ("Response: %u %s\n", msrp_chunk_get_code (chunk),
            msrp_chunk_get_comment (chunk) ? msrp_chunk_get_comment (chunk) : "");
  printf ("Transaction ID: %s\n", msrp_chunk_get_transaction_id (chunk));
  printf ("Continuation: %c\n", "$+#"[msrp_chunk_get_continuation (chunk)]);

  printf ("Headers:\n");
  names = msrp_chunk_get_header_names (chunk);
  for (guint i = 0; names[i] != NULL; i++)
    printf ("  %s: %s\n", names[i], msrp_chunk_get_header (chunk, names[i]));

  print_path ("To-Path", msrp_chunk_get_to_path (chunk));
  print_path ("From-Path", msrp_chunk_get_from_path (chunk));

  printf ("Byte-Range: ");
  msrp_chunk_get_byte_range (chunk, &start, &end, &total);
  printf ("%" G_GINT64_FORMAT "-", start);
  print_range_part (end);
  printf ("/");
  print_range_part (total);
  printf ("\n");

  body = msrp_chunk_get_data (chunk);
  if (body == NULL)
    printf ("No body\n");
  else
    {
      gsize size;
      const char *data = g_bytes_get_data (body, &size);

      printf ("Body (%" G_GSIZE_FORMAT " bytes):\n", size);
      fwrite (data, 1, size, stdout);
      printf ("\n");
    }

  if (consumed < g_bytes_get_size (input))
    printf ("(%" G_GSIZE_FORMAT " more bytes follow the chunk)\n",
            g_bytes_get_size (input) - consumed);

  /* What a receiver checks before it acts on a request. */
  if (msrp_chunk_is_request (chunk) && !msrp_chunk_verify_headers (chunk, &error))
    {
      fprintf (stderr, "A receiver would answer %d: %s\n", error->code, error->message);
      return 1;
    }

  return 0;
}
