/* msrp-cmd-tunnel.c: `msrp tunnel`, a TCP connection forwarded through an
 * MsrpStreamTunnel, with the SDP exchanged through files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <glib-unix.h>

#include "msrp-tool-private.h"

static int cmd_tunnel (int argc, char **argv);

const Command tunnel_command = {
  "tunnel", cmd_tunnel, "",
  N_("Forward a TCP connection through MSRP, as desktop sharing does with VNC."),
  N_("One side runs the service (--serve HOST:PORT: it connects there once the\n"
     "tunnel is up), the other takes the client's connection (--listen-port N on\n"
     "127.0.0.1; 0 picks a port, printed as 'listening on PORT'). One side offers\n"
     "(--offer: writes --offer-file, reads --answer-file), the other answers. One\n"
     "TCP connection goes through; when both directions have ended, so does the\n"
     "tunnel. TLS with the SDP fingerprint unless --no-tls.\n"),
  NULL,
  TRUE,
  "  msrp tunnel --offer --serve localhost:5900 --offer-file o.sdp --answer-file a.sdp\n"
  "  msrp tunnel --answer --listen-port 5901 --offer-file o.sdp --answer-file a.sdp\n",
};

typedef struct {
  MsrpStreamTunnel *tunnel;
  GCancellable *cancellable;
  GFile *offer_file;
  GFile *answer_file;
  char *serve;
  GSocketListener *listener;
  GSocketConnection *connection;
  MediaExchange exchange;     /* the SDP, as `msrp chat` exchanges it */
  guint directions;           /* still running */
  gboolean ending;
} Tunnel;

static void
tunnel_fail (Tunnel       *self,
             const GError *error)
{
  g_cancellable_cancel (self->cancellable);
  fail (error);
}

/* Ending */

static void
on_ended_by_us (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  msrp_stream_end_finish (MSRP_STREAM (source), result, NULL);
  g_main_loop_quit (loop);
}

static void
direction_done (Tunnel *self)
{
  if (--self->directions > 0 || self->ending)
    return;
  self->ending = TRUE;
  if (self->connection != NULL)
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  msrp_stream_end_async (MSRP_STREAM (self->tunnel), NULL, on_ended_by_us, self);
}

/* Copying one direction */

typedef struct {
  Tunnel *self;
  GInputStream *in;
  GOutputStream *out;
  gboolean to_tcp;
} Pump;

static void pump_read (Pump *pump);

static void
pump_finish (Pump         *pump,
             const GError *error)
{
  Tunnel *self = pump->self;

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->ending)
    tunnel_fail (self, error);
  g_free (pump);
  direction_done (self);
}

static void
on_pump_closed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Pump *pump = user_data;
  g_autoptr(GError) error = NULL;

  g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error);
  pump_finish (pump, error);
}

static void
on_pump_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pump *pump = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    pump_finish (pump, error);
  else
    pump_read (pump);
}

static void
on_pump_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pump *pump = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (bytes == NULL)
    {
      pump_finish (pump, error);
      return;
    }
  if (g_bytes_get_size (bytes) == 0)
    {
      /* End of one direction: passed on as such (a half close). */
      if (pump->to_tcp)
        {
          g_socket_shutdown (g_socket_connection_get_socket (pump->self->connection), FALSE, TRUE, NULL);
          pump_finish (pump, NULL);
        }
      else
        g_output_stream_close_async (pump->out, G_PRIORITY_DEFAULT, NULL, on_pump_closed, pump);
      return;
    }
  /* The bytes live until the write is done: the pump owns them meanwhile. */
  g_output_stream_write_all_async (pump->out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_PRIORITY_DEFAULT, pump->self->cancellable, on_pump_written, pump);
  g_object_set_data_full (G_OBJECT (pump->out), "msrp-tunnel-bytes", g_steal_pointer (&bytes),
                          (GDestroyNotify) g_bytes_unref);
}

static void
pump_read (Pump *pump)
{
  g_input_stream_read_bytes_async (pump->in, 64 * 1024, G_PRIORITY_DEFAULT, pump->self->cancellable,
                                   on_pump_read, pump);
}

static void
pump_start (Tunnel        *self,
            GInputStream  *in,
            GOutputStream *out,
            gboolean       to_tcp)
{
  Pump *pump = g_new0 (Pump, 1);

  pump->self = self;
  pump->in = in;
  pump->out = out;
  pump->to_tcp = to_tcp;
  self->directions++;
  pump_read (pump);
}

static void
forward (Tunnel            *self,
         GSocketConnection *connection)
{
  GIOStream *io = msrp_stream_tunnel_get_stream (self->tunnel);

  self->connection = connection;
  pump_start (self, g_io_stream_get_input_stream (G_IO_STREAM (connection)),
              g_io_stream_get_output_stream (io), FALSE);
  pump_start (self, g_io_stream_get_input_stream (io),
              g_io_stream_get_output_stream (G_IO_STREAM (connection)), TRUE);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Tunnel *self = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);

  if (connection == NULL)
    tunnel_fail (self, error);
  else
    forward (self, connection);
}

static void
on_accepted (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Tunnel *self = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);

  if (connection == NULL)
    {
      tunnel_fail (self, error);
      return;
    }
  /* One connection goes through. */
  g_socket_listener_close (self->listener);
  forward (self, connection);
}

static void
on_started (MsrpStream *stream,
            Tunnel     *self)
{
  if (self->serve != NULL)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();

      g_socket_client_connect_to_host_async (client, self->serve, 0, self->cancellable, on_connected, self);
    }
}

static void
on_failed (MsrpStream   *stream,
           const GError *error,
           Tunnel       *self)
{
  tunnel_fail (self, error);
}

static void
on_ended (MsrpStream *stream,
          Tunnel     *self)
{
  /* Before any connection: nothing to finish. */
  if (self->connection == NULL)
    g_main_loop_quit (loop);
}

static gboolean
on_signal (gpointer user_data)
{
  Tunnel *self = user_data;

  if (!self->ending)
    {
      self->ending = TRUE;
      msrp_stream_end_async (MSRP_STREAM (self->tunnel), NULL, on_ended_by_us, self);
    }
  return G_SOURCE_CONTINUE;
}

static int
cmd_tunnel (int    argc,
            char **argv)
{
  gboolean offer = FALSE, answer = FALSE, no_tls = FALSE;
  g_autofree char *offer_path = NULL, *answer_path = NULL, *serve = NULL, *content_type = NULL;
  int listen_port = -1;
  Tunnel self = { 0 };
  GOptionEntry entries[] = {
    { "offer", 0, 0, G_OPTION_ARG_NONE, &offer, N_("Make the offer"), NULL },
    { "answer", 0, 0, G_OPTION_ARG_NONE, &answer, N_("Answer the offer"), NULL },
    { "offer-file", 0, 0, G_OPTION_ARG_FILENAME, &offer_path, N_("Where the offer is"), "FILE" },
    { "answer-file", 0, 0, G_OPTION_ARG_FILENAME, &answer_path, N_("Where the answer is"), "FILE" },
    { "serve", 0, 0, G_OPTION_ARG_STRING, &serve, N_("Connect to the service at HOST:PORT"), "HOST:PORT" },
    { "listen-port", 0, 0, G_OPTION_ARG_INT, &listen_port, N_("Take the client's connection on this port"), "N" },
    { "content-type", 0, 0, G_OPTION_ARG_STRING, &content_type, N_("The content type (default application/x-rfb)"), "TYPE" },
    { "no-tls", 0, 0, G_OPTION_ARG_NONE, &no_tls, N_("Use TCP without TLS"), NULL },
    { NULL }
  };
  g_autoptr(MsrpUri) local_uri = NULL;
  guint sigint, sigterm;

  if (!parse_command_line (&tunnel_command, entries, &argc, &argv) || !no_arguments (&tunnel_command, argc, argv))
    return EXIT_USAGE;
  if (offer == answer || offer_path == NULL || answer_path == NULL || (serve == NULL) == (listen_port < 0) ||
      listen_port > 65535)
    {
      print_error (_("give --offer or --answer, --offer-file, --answer-file, and --serve or --listen-port (see 'msrp tunnel --help')"));
      return EXIT_USAGE;
    }

  self.cancellable = g_cancellable_new ();
  self.serve = serve;
  self.offer_file = g_file_new_for_commandline_arg (offer_path);
  self.answer_file = g_file_new_for_commandline_arg (answer_path);
  self.tunnel = msrp_stream_tunnel_new (content_type ? content_type : "application/x-rfb");
  msrp_stream_tunnel_set_role (self.tunnel, serve != NULL ? MSRP_TUNNEL_ROLE_PASSIVE : MSRP_TUNNEL_ROLE_ACTIVE);
  local_uri = msrp_uri_new ("127.0.0.1", 0, NULL, FALSE);
  msrp_stream_set_local_uri (MSRP_STREAM (self.tunnel), local_uri);
  msrp_stream_set_use_tls (MSRP_STREAM (self.tunnel), !no_tls);
  g_signal_connect (self.tunnel, "started", G_CALLBACK (on_started), &self);
  g_signal_connect (self.tunnel, "failed", G_CALLBACK (on_failed), &self);
  g_signal_connect (self.tunnel, "ended", G_CALLBACK (on_ended), &self);
  loop = g_main_loop_new (NULL, FALSE);

  if (listen_port >= 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, listen_port);
      g_autoptr(GSocketAddress) effective = NULL;

      self.listener = g_socket_listener_new ();
      if (!g_socket_listener_add_address (self.listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                          NULL, &effective, &error))
        {
          fail (error);
          return exit_status;
        }
      printf ("listening on %u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
      fflush (stdout);
      g_socket_listener_accept_async (self.listener, self.cancellable, on_accepted, &self);
    }

  self.exchange.stream = MSRP_STREAM (self.tunnel);
  self.exchange.offerer = offer;
  self.exchange.offer_file = self.offer_file;
  self.exchange.answer_file = self.answer_file;
  self.exchange.cancellable = self.cancellable;
  self.exchange.fail = (void (*) (gpointer, const GError *)) tunnel_fail;
  self.exchange.user_data = &self;
  media_exchange_start (&self.exchange);

  sigint = g_unix_signal_add (SIGINT, on_signal, &self);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &self);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  g_cancellable_cancel (self.cancellable);
  media_exchange_stop (&self.exchange);
  g_clear_object (&self.connection);
  g_clear_object (&self.listener);
  g_signal_handlers_disconnect_by_data (self.tunnel, &self);
  g_clear_object (&self.tunnel);
  g_clear_object (&self.offer_file);
  g_clear_object (&self.answer_file);
  g_clear_object (&self.cancellable);
  g_clear_pointer (&loop, g_main_loop_unref);
  return exit_status;
}
