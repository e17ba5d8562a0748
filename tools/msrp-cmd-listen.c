/* msrp-cmd-listen.c: `msrp listen`, wait for sessions and print their messages
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "msrp-tool-private.h"

static int cmd_listen (int argc, char **argv);

/* A message longer than max-message-size: it only comes as chunks, so it
 * is hashed as they arrive. */
typedef struct {
  GChecksum *checksum;   /* NULL with --quiet */
  char *content_type;
  gint64 next;           /* where the next in-order chunk starts (0-based) */
  gboolean in_order;
} LargeMessage;

typedef struct _Listener Listener;

typedef struct {
  Listener *listener;
  MsrpSession *session;
  MsrpConnector *acceptor; /* through a relay, the one that bound it */
  GHashTable *large;     /* Message-ID → LargeMessage */
} Peer;

struct _Listener {
  MsrpServer *server;
  MsrpUri *uri;          /* the registered URI, the same for every peer */
  RelayOptions *relay;   /* through a relay: one acceptor (and path) per peer */
  MsrpConnector *acceptor;
  GCancellable *cancellable;
  MsrpLogger *logger;
  gboolean prepared;     /* a relay path was printed already */
  GPtrArray *peers;      /* (element-type Peer) */
  guint64 count;         /* messages to receive, 0 for no end */
  guint64 received;
  guint64 bytes;
  gboolean quiet;
  gboolean summary;      /* --format=summary: no message as text */
  gboolean stopping;
  guint shutdowns;       /* sessions still shutting down, plus one */
};

static void
large_message_free (gpointer data)
{
  LargeMessage *large = data;

  g_clear_pointer (&large->checksum, g_checksum_free);
  g_free (large->content_type);
  g_free (large);
}

static void
peer_free (gpointer data)
{
  Peer *peer = data;

  g_signal_handlers_disconnect_by_data (peer->session, peer);
  g_object_unref (peer->session);
  g_clear_object (&peer->acceptor);
  g_hash_table_unref (peer->large);
  g_free (peer);
}

static void
listen_print_message (Listener   *self,
                      const char *message_id,
                      const char *content_type,
                      guint64     size,
                      const char *sha256)
{
  if (self->quiet)
    return;
  printf ("%s %s %" G_GUINT64_FORMAT " %s\n",
          message_id != NULL ? message_id : "-",
          content_type != NULL ? content_type : "-",
          size, sha256);
  fflush (stdout);
}

/* A text message as its text. The text comes from the network: control
 * characters (but for line ends and tabs) are shown escaped, so that it
 * cannot drive the terminal. */
static void
listen_print_text (const char *text,
                   gsize       size)
{
  g_autoptr(GString) out = g_string_sized_new (size + 1);
  const char *end = text + size;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\r' && p + 1 < end && p[1] == '\n')
        continue;
      if (c == '\n' || c == '\t' || !g_unichar_iscntrl (c))
        g_string_append_unichar (out, c);
      else
        g_string_append_printf (out, "\\x%02x", c);
    }
  if (out->len == 0 || out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  fwrite (out->str, 1, out->len, stdout);
  fflush (stdout);
}

/* Shown as its text rather than its summary line: a whole message of a
 * text type in UTF-8 (a NUL byte is not text either). */
static gboolean
listen_is_text (const char *content_type,
                GBytes     *data)
{
  gsize size;
  const char *text = g_bytes_get_data (data, &size);

  return content_type != NULL && g_ascii_strncasecmp (content_type, "text/", 5) == 0 &&
         g_utf8_validate_len (text, size, NULL);
}

static void
listen_on_shutdown (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Listener *self = user_data;

  msrp_session_shutdown_finish (MSRP_SESSION (source), result, NULL);
  if (--self->shutdowns == 0)
    g_main_loop_quit (loop);
}

/* Runs once the last message's handlers have returned, so that the session
 * has queued its 200 (and REPORT) before it is shut down. */
static gboolean
listen_stop (gpointer user_data)
{
  Listener *self = user_data;
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);

  if (self->server != NULL)
    msrp_server_cleanup (self->server, self->uri);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  /* Shutting down emits closed, which removes the peer: iterate a copy. */
  for (guint i = 0; i < self->peers->len; i++)
    g_ptr_array_add (sessions, g_object_ref (((Peer *) g_ptr_array_index (self->peers, i))->session));
  self->shutdowns = sessions->len + 1;
  for (guint i = 0; i < sessions->len; i++)
    msrp_session_shutdown_async (g_ptr_array_index (sessions, i), NULL, listen_on_shutdown, self);
  if (--self->shutdowns == 0)
    g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
listen_count_message (Listener *self,
                      guint64   size)
{
  self->received++;
  self->bytes += size;
  if (self->count > 0 && self->received >= self->count && !self->stopping)
    {
      g_autoptr(GSource) idle = g_idle_source_new ();

      self->stopping = TRUE;
      g_source_set_static_name (idle, "[msrp] listen stop");
      g_source_set_callback (idle, listen_stop, self, NULL);
      g_source_attach (idle, NULL);
    }
}

static void
listen_on_message_received (MsrpSession *session,
                            MsrpChunk   *first_chunk,
                            GBytes      *data,
                            gpointer     user_data)
{
  Peer *peer = user_data;
  Listener *self = peer->listener;
  gsize size = g_bytes_get_size (data);

  if (!self->quiet && !self->summary && listen_is_text (msrp_chunk_get_content_type (first_chunk), data))
    listen_print_text (g_bytes_get_data (data, NULL), size);
  else if (!self->quiet)
    {
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

      g_checksum_update (checksum, g_bytes_get_data (data, NULL), size);
      listen_print_message (self, msrp_chunk_get_message_id (first_chunk),
                            msrp_chunk_get_content_type (first_chunk), size,
                            g_checksum_get_string (checksum));
    }
  /* A message whose total was unknown was followed as a large one too. */
  if (msrp_chunk_get_message_id (first_chunk) != NULL)
    g_hash_table_remove (peer->large, msrp_chunk_get_message_id (first_chunk));
  listen_count_message (self, size);
}

/* Follows, from their chunks, the messages that are too large for
 * message-received: those whose Byte-Range total exceeds max-message-size,
 * and those whose total is not known yet. */
static void
listen_on_chunk_received (MsrpSession *session,
                          MsrpChunk   *chunk,
                          gpointer     user_data)
{
  Peer *peer = user_data;
  Listener *self = peer->listener;
  const char *message_id = msrp_chunk_get_message_id (chunk);
  guint64 max_size = msrp_session_get_max_message_size (session);
  gint64 start, end, total, chunk_end;
  gsize size = msrp_chunk_get_size (chunk);
  MsrpContinuation continuation = msrp_chunk_get_continuation (chunk);
  LargeMessage *large;
  gboolean last;

  if (message_id == NULL || !msrp_chunk_get_byte_range (chunk, &start, &end, &total))
    return;
  large = g_hash_table_lookup (peer->large, message_id);
  if (continuation == MSRP_CONTINUATION_ABORT)
    {
      g_hash_table_remove (peer->large, message_id);
      return;
    }
  if (large == NULL)
    {
      if (total >= 0 && (guint64) total <= max_size)
        return;  /* it comes whole as message-received */
      large = g_new0 (LargeMessage, 1);
      large->checksum = self->quiet ? NULL : g_checksum_new (G_CHECKSUM_SHA256);
      large->in_order = TRUE;
      g_hash_table_insert (peer->large, g_strdup (message_id), large);
    }
  if (large->content_type == NULL || start == 1)
    {
      g_free (large->content_type);
      large->content_type = g_strdup (msrp_chunk_get_content_type (chunk));
    }

  chunk_end = start - 1 + (gint64) size;
  if (start - 1 != large->next)
    large->in_order = FALSE;
  else if (large->checksum != NULL)
    g_checksum_update (large->checksum, g_bytes_get_data (msrp_chunk_get_data (chunk), NULL), size);
  large->next = MAX (large->next, chunk_end);

  last = total >= 0 ? chunk_end >= total : continuation == MSRP_CONTINUATION_END;
  if (!last)
    return;
  if (total < 0)
    total = chunk_end;
  if ((guint64) total <= max_size)
    {
      /* Small after all: message-received follows. */
      g_hash_table_remove (peer->large, message_id);
      return;
    }

  listen_print_message (self, message_id, large->content_type, total,
                        large->checksum != NULL && large->in_order
                          ? g_checksum_get_string (large->checksum) : "-");
  g_hash_table_remove (peer->large, message_id);
  listen_count_message (self, total);
}

static void
listen_on_closed (MsrpSession  *session,
                  const GError *error,
                  gpointer      user_data)
{
  Peer *peer = user_data;
  Listener *self = peer->listener;

  /* One peer failing does not end the listener. */
  if (error != NULL && !self->stopping)
    print_error (_("a session ended: %s"), error->message);
  g_ptr_array_remove (self->peers, peer);
}

static void listen_wait (Listener *self);

static void
listen_add_peer (Listener      *self,
                 MsrpTransport *transport,
                 MsrpConnector *acceptor)
{
  Peer *peer = g_new0 (Peer, 1);

  peer->listener = self;
  peer->session = msrp_session_new (transport, NULL);
  peer->acceptor = acceptor != NULL ? g_object_ref (acceptor) : NULL;
  peer->large = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, large_message_free);
  g_ptr_array_add (self->peers, peer);
  g_signal_connect (peer->session, "chunk-received", G_CALLBACK (listen_on_chunk_received), peer);
  g_signal_connect (peer->session, "message-received", G_CALLBACK (listen_on_message_received), peer);
  g_signal_connect (peer->session, "closed", G_CALLBACK (listen_on_closed), peer);
}

static void
listen_on_bound (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Listener *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpTransport) transport = msrp_server_complete_finish (self->server, result, &error);
  g_autoptr(GPtrArray) path = NULL;

  if (transport == NULL)
    {
      if (self->stopping || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Nobody came within the bind timeout: go on waiting. */
      if (g_error_matches (error, MSRP_ERROR, MSRP_ERROR_BIND_TIMEOUT))
        listen_wait (self);
      else
        fail (error);
      return;
    }

  /* Register the same URI again at once, so that the printed path stays
   * valid for the next peer; transports handed out are not affected. */
  msrp_server_cleanup (self->server, self->uri);
  path = msrp_server_prepare (self->server, self->uri, &error);
  if (path == NULL)
    {
      fail (error);
      return;
    }
  listen_wait (self);
  listen_add_peer (self, transport, NULL);
}

static void
listen_wait (Listener *self)
{
  msrp_server_complete_for_uri_async (self->server, self->uri, NULL, NULL, NULL,
                                      listen_on_bound, self);
}

/* Through a relay, a path is good for one peer: once one binds it, listen
 * authenticates again for a new path, printed as another a=path line. */

/* How long a relay path waits for its peer. The acceptor keeps its
 * authorization at the relay fresh meanwhile, so the printed path stays
 * good: a day, then a new one. */
#define RELAY_BIND_TIMEOUT (24 * 60 * 60)

static void listen_relay_prepare (Listener *self);

static void
listen_relay_fail (Listener     *self,
                   const GError *error)
{
  if (exit_status == EXIT_SUCCESS)
    exit_status = relay_print_error (self->relay, error);
  g_main_loop_quit (loop);
}

static void
listen_relay_on_bound (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Listener *self = user_data;
  g_autoptr(MsrpConnector) acceptor = MSRP_CONNECTOR (g_object_ref (source));
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpTransport) transport = msrp_connector_complete_finish (acceptor, result, &error);

  if (self->acceptor == acceptor)
    g_clear_object (&self->acceptor);
  if (transport == NULL)
    {
      msrp_connector_cleanup (acceptor);
      if (self->stopping || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Nobody came for a day, or the peer's first request was refused:
       * a new path. */
      if (g_error_matches (error, MSRP_ERROR, MSRP_ERROR_BIND_TIMEOUT) || error->domain == MSRP_TRANSACTION_ERROR)
        {
          if (error->domain == MSRP_TRANSACTION_ERROR)
            print_error (_("a peer could not bind: %s"), error->message);
          listen_relay_prepare (self);
        }
      else
        listen_relay_fail (self, error);
      return;
    }
  listen_add_peer (self, transport, acceptor);
  listen_relay_prepare (self);
}

static void
listen_relay_on_prepared (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  Listener *self = user_data;
  MsrpConnector *acceptor = MSRP_CONNECTOR (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) path = msrp_connector_prepare_finish (acceptor, result, &error);
  g_autofree char *path_string = NULL;

  if (path == NULL)
    {
      if (self->acceptor == acceptor)
        g_clear_object (&self->acceptor);
      if (!self->stopping && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        listen_relay_fail (self, error);
      return;
    }
  if (self->stopping)
    return;
  path_string = msrp_path_to_string (path);
  printf ("a=path:%s\n", path_string);
  fflush (stdout);
  self->prepared = TRUE;
  g_object_set (acceptor, "timeout", RELAY_BIND_TIMEOUT, NULL);
  msrp_connector_complete_async (acceptor, NULL, self->cancellable, listen_relay_on_bound, self);
}

static void
listen_relay_prepare (Listener *self)
{
  if (self->stopping)
    return;
  g_clear_object (&self->acceptor);
  self->acceptor = relay_options_new_connector (self->relay, TRUE, self->logger);
  msrp_connector_prepare_async (self->acceptor, NULL, self->cancellable, listen_relay_on_prepared, self);
}

const Command listen_command = {
  "listen", cmd_listen, "",
  N_("Wait for MSRP sessions and print the messages that arrive."),
  N_("The first line on standard output is the session's path, as the SDP\n"
     "a=path attribute gives it; with --tls the second line is the certificate's\n"
     "a=fingerprint. Any peer that binds this path is accepted (one session after\n"
     "another, or several at once), its messages are answered, REPORTs are sent\n"
     "when asked for, and each complete message is printed: one of a text type\n"
     "(text/*) in UTF-8 as its text (control characters shown as \\xNN, a line\n"
     "end added when missing), any other as a summary line\n"
     "\n"
     "  <message-id> <content-type> <size> <sha256>\n"
     "\n"
     "With --format=summary every message gets a summary line (for scripts).\n"
     "Messages larger than the session's max-message-size (16 MiB) are hashed as\n"
     "their chunks arrive and get a summary line; one whose chunks arrive out of\n"
     "order shows '-' as hash.\n"),
  N_("Through a relay, each a=path line is good for one peer: once a peer has\n"
     "bound it, listen authenticates again and prints a new a=path line for the\n"
     "next one (also when no peer came within a day).\n"),
  TRUE,
  "  msrp listen\n"
  "  msrp listen --host 192.0.2.10 --port 2855 --count 1\n"
  "  msrp listen --tls --verbose\n"
  "  msrp listen --websocket --port 8080\n"
  "  msrp listen --format=summary > messages.txt\n"
  "  msrp listen --quiet --count 100000\n"
  "  msrp listen --relay 'msrps://relay.example.com;tcp' --relay-user bob:secret\n"
  "  msrp listen --relay \"$(head -n1 relay.out)\" --relay-user bob:secret \\\n"
  "              --relay-fingerprint \"$(sed -n 2p relay.out)\" --count 1\n",
};

static int
listen_through_relay (RelayOptions *relay,
                      gint64        count,
                      gboolean      quiet,
                      gboolean      summary,
                      gboolean      verbose,
                      gboolean      stats)
{
  g_autoptr(GPtrArray) peers = g_ptr_array_new_with_free_func (peer_free);
  Listener self = { 0 };

  loop = g_main_loop_new (NULL, FALSE);
  self.relay = relay;
  self.peers = peers;
  self.count = count;
  self.quiet = quiet;
  self.summary = summary;
  self.cancellable = g_cancellable_new ();
  if (verbose)
    self.logger = new_stderr_logger ();
  listen_relay_prepare (&self);

  g_main_loop_run (loop);

  if (exit_status == EXIT_SUCCESS && stats)
    print_stats (self.received, self.bytes, 0);
  self.stopping = TRUE;
  g_cancellable_cancel (self.cancellable);
  if (self.acceptor != NULL)
    msrp_connector_cleanup (self.acceptor);
  g_ptr_array_set_size (peers, 0);
  /* Let the cancelled operations finish while self is alive. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&self.acceptor);
  g_clear_object (&self.cancellable);
  g_clear_object (&self.logger);
  g_clear_pointer (&loop, g_main_loop_unref);
  return exit_status;
}

static int
cmd_listen (int    argc,
            char **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *format = NULL;
  int port = 0;
  gboolean tls = FALSE, quiet = FALSE, summary = FALSE, verbose = FALSE, stats = FALSE, websocket = FALSE;
  gint64 count = 0;
  g_auto(RelayOptions) relay = { 0 };
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("The address to listen on and to put in the path (default: 127.0.0.1)"), "HOST" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("The TCP port (default: any free port)"), "PORT" },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &tls, N_("Use TLS (msrps:) with a new self-signed certificate"), NULL },
    { "websocket", 0, 0, G_OPTION_ARG_NONE, &websocket, N_("Take peers over WebSocket (RFC 7977, a ;ws path) instead of TCP"), NULL },
    { "count", 0, 0, G_OPTION_ARG_INT64, &count, N_("Exit after N complete messages (default: never)"), "N" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("How messages are printed: text (text/* messages as their text, others as a summary line; the default) or summary (a summary line for every message)"), "text|summary" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print no message lines and compute no hashes"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Log the traffic on stderr"), NULL },
    { "stats", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &stats, N_("Print a stats line at the end (for msrp-bench)"), NULL },
    RELAY_OPTION_ENTRIES (relay),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpServer) server = NULL;
  g_autoptr(SoupServer) soup = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(MsrpUri) local_uri = NULL;
  g_autoptr(GPtrArray) path = NULL;
  g_autoptr(GPtrArray) peers = NULL;
  g_autofree char *path_string = NULL;
  Listener self = { 0 };

  if (!parse_command_line (&listen_command, entries, &argc, &argv) ||
      !no_arguments (&listen_command, argc, argv) ||
      !relay_options_check (&relay, "listen"))
    {
      relay_options_clear (&relay);
      return EXIT_USAGE;
    }
  if (port < 0 || port > 65535 || count < 0)
    {
      print_error (_("%s out of range (see 'msrp listen --help')"), count < 0 ? "--count" : "--port");
      relay_options_clear (&relay);
      return EXIT_USAGE;
    }
  if (format != NULL && strcmp (format, "summary") != 0 && strcmp (format, "text") != 0)
    {
      print_error (_("--format wants text or summary, not '%s'"), format);
      relay_options_clear (&relay);
      return EXIT_USAGE;
    }
  summary = g_strcmp0 (format, "summary") == 0;
  if (relay.settings != NULL)
    {
      gboolean direct = host != NULL || port != 0 || tls || websocket;

      if (direct)
        print_error (_("--host, --port, --tls and --websocket are for direct sessions; through a relay the path is the relay's (see 'msrp listen --help')"));
      else
        exit_status = listen_through_relay (&relay, count, quiet, summary, verbose, stats);
      relay_options_clear (&relay);
      return direct ? EXIT_USAGE : exit_status;
    }

  loop = g_main_loop_new (NULL, FALSE);
  server = msrp_server_new ();
  if (tls)
    {
      certificate = msrp_tls_certificate_new_self_signed ("msrp listen", &error);
      if (certificate == NULL)
        {
          fail (error);
          return exit_status;
        }
      msrp_server_set_tls_certificate (server, certificate);
    }
  if (verbose)
    {
      g_autoptr(MsrpLogger) logger = new_stderr_logger ();

      msrp_server_set_logger (server, logger);
    }

  local_uri = msrp_uri_new (host != NULL ? host : "127.0.0.1", port, NULL, tls);
  if (websocket)
    {
      /* The peers come to a SoupServer of ours, on the path "/". */
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string (msrp_uri_get_host (local_uri), port);
      g_autoptr(MsrpUri) ws_uri = NULL;
      GSList *uris;

      soup = soup_server_new ("tls-certificate", certificate, NULL);
      if (address == NULL)
        {
          print_error (_("--websocket wants an IP address as --host, not '%s'"), msrp_uri_get_host (local_uri));
          return EXIT_USAGE;
        }
      if (!soup_server_listen (soup, address, tls ? SOUP_SERVER_LISTEN_HTTPS : 0, &error))
        {
          fail (error);
          return exit_status;
        }
      uris = soup_server_get_uris (soup);
      ws_uri = g_object_new (MSRP_TYPE_URI, "host", msrp_uri_get_host (local_uri),
                             "port", g_uri_get_port (uris->data), "transport", "ws", "use-tls", tls, NULL);
      g_set_object (&local_uri, ws_uri);
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
      msrp_server_add_websocket_handler (server, soup, "/");
    }
  path = msrp_server_prepare (server, local_uri, &error);
  if (path == NULL)
    {
      fail (error);
      return exit_status;
    }
  path_string = msrp_path_to_string (path);
  printf ("a=path:%s\n", path_string);
  if (certificate != NULL)
    {
      g_autofree char *fingerprint = msrp_tls_certificate_get_fingerprint (certificate, G_CHECKSUM_SHA256);

      printf ("a=fingerprint:%s\n", fingerprint);
    }
  fflush (stdout);

  peers = g_ptr_array_new_with_free_func (peer_free);
  self.server = server;
  self.uri = g_object_ref (g_ptr_array_index (path, 0));
  self.peers = peers;
  self.count = count;
  self.quiet = quiet;
  self.summary = summary;
  listen_wait (&self);

  g_main_loop_run (loop);

  if (exit_status == EXIT_SUCCESS && stats)
    print_stats (self.received, self.bytes, 0);
  msrp_server_cleanup (server, self.uri);
  g_ptr_array_set_size (peers, 0);
  g_clear_object (&self.uri);
  if (soup != NULL)
    soup_server_disconnect (soup);
  g_clear_pointer (&loop, g_main_loop_unref);
  return exit_status;
}
