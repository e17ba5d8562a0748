/* bench-tcp.c: the raw TCP baseline of msrp-bench
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two small programs, run as `msrp-bench tcp-sink` and `msrp-bench
 * tcp-source`, that move the same traffic as msrp send and msrp listen over a
 * plain socket. They are baselines, so they do the least possible: blocking
 * I/O, no main loop (they have nothing else to wait for).
 */

#include "config.h"

#include "msrp-bench-private.h"

static int cmd_tcp_sink (int argc, char **argv);
static int cmd_tcp_source (int argc, char **argv);

#define RAW_IO_TIMEOUT 300
#define RAW_BUFFER_SIZE (64 * 1024)

static gboolean
raw_accept_certificate (GTlsConnection       *connection,
                        GTlsCertificate      *peer_cert,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  const char *fingerprint = user_data;

  return fingerprint != NULL && msrp_tls_certificate_matches_fingerprint (peer_cert, fingerprint, NULL);
}

const Command tcp_sink_command = {
  "tcp-sink", cmd_tcp_sink, "",
  N_("The receiving end of the raw TCP baseline of msrp-bench."),
  N_("Prints tcp:HOST:PORT (and with --tls fingerprint:FP), accepts one connection,\n"
     "and either reads --bytes bytes and answers one byte, or echoes --echo\n"
     "messages of --size bytes.\n"),
  NULL, FALSE, NULL,
};

static int
cmd_tcp_sink (int    argc,
              char **argv)
{
  gint64 bytes = 0, echo = 0, size = 100;
  gboolean tls = FALSE;
  GOptionEntry entries[] = {
    { "bytes", 0, 0, G_OPTION_ARG_INT64, &bytes, N_("Read B bytes, then answer one"), "B" },
    { "echo", 0, 0, G_OPTION_ARG_INT64, &echo, N_("Echo N messages"), "N" },
    { "size", 0, 0, G_OPTION_ARG_INT64, &size, N_("The size of an echoed message"), "B" },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &tls, N_("Use TLS"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autofree guint8 *buffer = NULL;
  GInputStream *in;
  GOutputStream *out;

  if (!parse_command_line (&tcp_sink_command, entries, &argc, &argv) ||
      !no_arguments (&tcp_sink_command, argc, argv))
    return EXIT_USAGE;
  if (size < 1 || size > RAW_BUFFER_SIZE)
    {
      print_error (_("--size must be between 1 and %d"), RAW_BUFFER_SIZE);
      return EXIT_USAGE;
    }

  if (!g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, &error))
    goto failed;
  if (tls && (certificate = msrp_tls_certificate_new_self_signed ("msrp-bench", &error)) == NULL)
    goto failed;
  printf ("tcp:127.0.0.1:%u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  if (certificate != NULL)
    {
      g_autofree char *fingerprint = msrp_tls_certificate_get_fingerprint (certificate, G_CHECKSUM_SHA256);

      printf ("fingerprint:%s\n", fingerprint);
    }
  fflush (stdout);

  connection = g_socket_listener_accept (listener, NULL, NULL, &error);
  if (connection == NULL)
    goto failed;
  g_socket_set_timeout (g_socket_connection_get_socket (connection), RAW_IO_TIMEOUT);
  stream = G_IO_STREAM (g_object_ref (connection));
  if (certificate != NULL)
    {
      g_autoptr(GIOStream) tls_stream = g_tls_server_connection_new (stream, certificate, &error);

      if (tls_stream == NULL || !g_tls_connection_handshake (G_TLS_CONNECTION (tls_stream), NULL, &error))
        goto failed;
      g_set_object (&stream, tls_stream);
    }
  in = g_io_stream_get_input_stream (stream);
  out = g_io_stream_get_output_stream (stream);
  buffer = g_malloc (RAW_BUFFER_SIZE);

  if (echo > 0)
    {
      for (gint64 i = 0; i < echo; i++)
        {
          gsize n = 0;

          if (!g_input_stream_read_all (in, buffer, size, &n, NULL, &error))
            goto failed;
          if (n < (gsize) size)
            goto closed;
          if (!g_output_stream_write_all (out, buffer, size, NULL, NULL, &error))
            goto failed;
        }
    }
  else
    {
      gint64 received = 0;

      while (received < bytes)
        {
          gssize n = g_input_stream_read (in, buffer, RAW_BUFFER_SIZE, NULL, &error);

          if (n < 0)
            goto failed;
          if (n == 0)
            goto closed;
          received += n;
        }
      if (!g_output_stream_write_all (out, "k", 1, NULL, NULL, &error))
        goto failed;
    }
  g_io_stream_close (stream, NULL, NULL);
  print_stats (echo, echo > 0 ? echo * size : bytes, 0);
  return EXIT_SUCCESS;

closed:
  print_error (_("the raw TCP source closed the connection early"));
  return EXIT_FAILURE;
failed:
  print_error ("%s", error->message);
  return EXIT_FAILURE;
}

const Command tcp_source_command = {
  "tcp-source", cmd_tcp_source, "",
  N_("The sending end of the raw TCP baseline of msrp-bench."),
  N_("Connects to --to HOST:PORT and writes --writes messages of --size bytes, or\n"
     "the contents of --file, then waits for the sink's one-byte answer; or sends\n"
     "--echo messages one at a time, each waiting for its echo.\n"),
  NULL, FALSE, NULL,
};

static int
cmd_tcp_source (int    argc,
                char **argv)
{
  g_autofree char *to = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *file_name = NULL;
  gint64 writes = 0, echo = 0, size = 100;
  gboolean tls = FALSE;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("The sink's address"), "HOST:PORT" },
    { "writes", 0, 0, G_OPTION_ARG_INT64, &writes, N_("Write N messages"), "N" },
    { "echo", 0, 0, G_OPTION_ARG_INT64, &echo, N_("Send N messages one at a time"), "N" },
    { "size", 0, 0, G_OPTION_ARG_INT64, &size, N_("The size of a message"), "B" },
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &file_name, N_("Send this file"), "FILE" },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &tls, N_("Use TLS"), NULL },
    { "fingerprint", 0, 0, G_OPTION_ARG_STRING, &fingerprint, N_("The sink certificate's fingerprint"), "FP" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GRand) rand = g_rand_new ();
  g_autofree guint8 *buffer = NULL;
  guint64 messages = 0, bytes = 0;
  gint64 start_time, end_time;
  GInputStream *in;
  GOutputStream *out;

  if (!parse_command_line (&tcp_source_command, entries, &argc, &argv) ||
      !no_arguments (&tcp_source_command, argc, argv))
    return EXIT_USAGE;
  if (to == NULL || size < 1 || size > RAW_BUFFER_SIZE)
    {
      print_error (_("--to and a --size between 1 and %d are required"), RAW_BUFFER_SIZE);
      return EXIT_USAGE;
    }

  g_socket_client_set_timeout (client, RAW_IO_TIMEOUT);
  connection = g_socket_client_connect_to_host (client, to, 0, NULL, &error);
  if (connection == NULL)
    goto failed;
  stream = G_IO_STREAM (g_object_ref (connection));
  if (tls)
    {
      g_autoptr(GIOStream) tls_stream = g_tls_client_connection_new (stream, NULL, &error);

      if (tls_stream == NULL)
        goto failed;
      g_signal_connect (tls_stream, "accept-certificate", G_CALLBACK (raw_accept_certificate), fingerprint);
      if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls_stream), NULL, &error))
        goto failed;
      g_set_object (&stream, tls_stream);
    }
  in = g_io_stream_get_input_stream (stream);
  out = g_io_stream_get_output_stream (stream);
  buffer = g_malloc (RAW_BUFFER_SIZE);
  fill_random (rand, buffer, RAW_BUFFER_SIZE);

  start_time = g_get_monotonic_time ();
  if (echo > 0)
    {
      for (gint64 i = 0; i < echo; i++)
        {
          gsize n = 0;

          if (!g_output_stream_write_all (out, buffer, size, NULL, NULL, &error) ||
              !g_input_stream_read_all (in, buffer, size, &n, NULL, &error))
            goto failed;
          if (n < (gsize) size)
            goto closed;
        }
      messages = echo;
      bytes = echo * size;
    }
  else
    {
      char answer;
      gsize n = 0;

      if (file_name != NULL)
        {
          g_autoptr(GFile) file = g_file_new_for_commandline_arg (file_name);
          g_autoptr(GFileInputStream) file_in = g_file_read (file, NULL, &error);
          gssize got;

          if (file_in == NULL)
            goto failed;
          while ((got = g_input_stream_read (G_INPUT_STREAM (file_in), buffer, RAW_BUFFER_SIZE, NULL, &error)) > 0)
            {
              if (!g_output_stream_write_all (out, buffer, got, NULL, NULL, &error))
                goto failed;
              bytes += got;
            }
          if (got < 0)
            goto failed;
          messages = 1;
        }
      else
        {
          for (gint64 i = 0; i < writes; i++)
            if (!g_output_stream_write_all (out, buffer, size, NULL, NULL, &error))
              goto failed;
          messages = writes;
          bytes = writes * size;
        }
      if (!g_input_stream_read_all (in, &answer, 1, &n, NULL, &error))
        goto failed;
      if (n < 1)
        goto closed;
    }
  end_time = g_get_monotonic_time ();
  g_io_stream_close (stream, NULL, NULL);
  print_stats (messages, bytes, seconds_between (start_time, end_time));
  return EXIT_SUCCESS;

closed:
  print_error (_("the raw TCP sink closed the connection early"));
  return EXIT_FAILURE;
failed:
  print_error ("%s", error->message);
  return EXIT_FAILURE;
}
