/* msrp-cmd-relay.c: `msrp relay`, an RFC 4976 relay until interrupted
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "msrp-tool-private.h"

static int cmd_relay (int argc, char **argv);

const Command relay_command = {
  "relay", cmd_relay, "",
  N_("Run an MSRP relay (RFC 4976) until interrupted."),
  N_("The first line on standard output is the relay's URI, the To-Path of a\n"
     "client's first AUTH (give it to --relay of listen and send); with --tls the\n"
     "second line is the certificate's fingerprint (for --relay-fingerprint).\n"
     "Clients authenticate with HTTP Digest as one of the --user options (any\n"
     "number of them); then the relay forwards their chunks. With --tls the relay\n"
     "listens with TLS (msrps:) with a new self-signed certificate. It serves\n"
     "until SIGINT or SIGTERM, then closes every connection and exits 0.\n"
     "With --ws-port it also takes clients over WebSocket (RFC 7977, as browsers\n"
     "speak it; wss: with --tls) on that port, and prints that URI last.\n"),
  NULL, FALSE,
  "  msrp relay --user alice:secret --user bob:secret\n"
  "  msrp relay --host 192.0.2.10 --port 2855 --tls --realm example.com --user alice:secret\n"
  "  msrp relay --host 192.0.2.10 --port 2855 --tls-certificate relay.pem --realm example.com \\\n"
  "             --user alice:secret\n"
  "  msrp relay --ws-port 8080 --user alice:secret --user bob:secret\n"
  "  msrp relay --tls --user alice:secret --user bob:secret > relay.out &\n"
  "  msrp listen --relay \"$(head -n1 relay.out)\" --relay-user bob:secret \\\n"
  "              --relay-fingerprint \"$(sed -n 2p relay.out)\"\n",
};

static gboolean
relay_on_signal (gpointer user_data)
{
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

/* GLib before 2.76 keeps what its slice allocator once took in per-thread
 * magazines for good: after many sessions are gone, the relay would keep
 * their memory. Plain malloc gives it back, but G_SLICE is read before
 * main() runs, so the relay starts itself again with it set. Failing that
 * it runs on as it is. */
static void
relay_reexec_without_gslice (void)
{
#ifdef __linux__
  g_autofree char *cmdline = NULL;
  g_autoptr(GPtrArray) args = NULL;
  gsize len;

  if (glib_check_version (2, 76, 0) == NULL || g_getenv ("G_SLICE") != NULL)
    return;
  if (!g_file_get_contents ("/proc/self/cmdline", &cmdline, &len, NULL) || len == 0)
    return;
  args = g_ptr_array_new ();
  for (gsize i = 0; i < len; i += strlen (cmdline + i) + 1)
    g_ptr_array_add (args, cmdline + i);
  g_ptr_array_add (args, NULL);
  g_setenv ("G_SLICE", "always-malloc", TRUE);
  fflush (NULL);
  execv ("/proc/self/exe", (char **) args->pdata);
  g_unsetenv ("G_SLICE");
#endif
}

static int
cmd_relay (int    argc,
           char **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *realm = NULL;
  g_autofree char *certificate_file = NULL;
  g_auto(GStrv) users = NULL;
  int port = 0;
  int ws_port = -1;
  /* -1: not given, the relay's default stays. */
  int max_auth_failures = -1, max_sessions_per_connection = -1, max_sessions_per_user = -1;
  gboolean tls = FALSE, verbose = FALSE;
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("The address to listen on and to put in the URIs (default: 127.0.0.1)"), "HOST" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("The TCP port (default: any free port)"), "PORT" },
    { "ws-port", 0, 0, G_OPTION_ARG_INT, &ws_port, N_("Also take WebSocket clients (RFC 7977) on this TCP port (0: any free port)"), "PORT" },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &tls, N_("Use TLS (msrps:) with a new self-signed certificate"), NULL },
    { "tls-certificate", 0, 0, G_OPTION_ARG_FILENAME, &certificate_file,
      N_("Use TLS with the certificate and private key in this PEM file"), "FILE" },
    { "realm", 0, 0, G_OPTION_ARG_STRING, &realm, N_("The Digest realm (default: the host)"), "REALM" },
    { "user", 0, 0, G_OPTION_ARG_STRING_ARRAY, &users, N_("A user who may authenticate (repeatable)"), "NAME:PASSWORD" },
    { "max-auth-failures", 0, 0, G_OPTION_ARG_INT, &max_auth_failures,
      N_("Failed Digest answers after which a connection is closed (default: 3)"), "N" },
    { "max-sessions-per-connection", 0, 0, G_OPTION_ARG_INT, &max_sessions_per_connection,
      N_("Sessions one connection may authenticate (default: 16)"), "N" },
    { "max-sessions-per-user", 0, 0, G_OPTION_ARG_INT, &max_sessions_per_user,
      N_("Sessions one user may hold (default: 128)"), "N" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Log the traffic on stderr"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpRelay) relay = NULL;
  g_autoptr(MsrpUri) uri = NULL;
  g_autofree char *uri_string = NULL;
  guint sigint_id, sigterm_id;

  relay_reexec_without_gslice ();
  if (!parse_command_line (&relay_command, entries, &argc, &argv) ||
      !no_arguments (&relay_command, argc, argv))
    return EXIT_USAGE;
  if (port < 0 || port > 65535 || ws_port < -1 || ws_port > 65535)
    {
      print_error (_("--port out of range (see 'msrp relay --help')"));
      return EXIT_USAGE;
    }
  if ((max_auth_failures != -1 && max_auth_failures < 1) ||
      (max_sessions_per_connection != -1 && max_sessions_per_connection < 1) ||
      (max_sessions_per_user != -1 && max_sessions_per_user < 1))
    {
      print_error (_("The --max options want a number of at least 1 (see 'msrp relay --help')"));
      return EXIT_USAGE;
    }
  if (host == NULL)
    host = g_strdup ("127.0.0.1");

  relay = msrp_relay_new (realm != NULL ? realm : host);
  if (max_auth_failures > 0)
    msrp_relay_set_max_auth_failures (relay, max_auth_failures);
  if (max_sessions_per_connection > 0)
    msrp_relay_set_max_sessions_per_connection (relay, max_sessions_per_connection);
  if (max_sessions_per_user > 0)
    msrp_relay_set_max_sessions_per_user (relay, max_sessions_per_user);
  for (guint i = 0; users != NULL && users[i] != NULL; i++)
    {
      const char *colon = strchr (users[i], ':');
      g_autofree char *name = NULL;

      if (colon == NULL || colon == users[i])
        {
          print_error (_("--user wants NAME:PASSWORD, not '%s'"), users[i]);
          return EXIT_USAGE;
        }
      name = g_strndup (users[i], colon - users[i]);
      msrp_relay_add_user (relay, name, colon + 1);
    }
  if (certificate_file != NULL)
    {
      /* A certificate clients can check, for relays found by SRV:
       * it names the domain (see the "Relays at scale" page). */
      g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_file (certificate_file, &error);

      if (certificate == NULL)
        {
          fail (error);
          return exit_status;
        }
      msrp_relay_set_tls_certificate (relay, certificate);
      tls = TRUE;
    }
  else if (tls)
    {
      g_autoptr(GTlsCertificate) certificate = msrp_tls_certificate_new_self_signed (host, &error);

      if (certificate == NULL)
        {
          fail (error);
          return exit_status;
        }
      msrp_relay_set_tls_certificate (relay, certificate);
    }
  if (verbose)
    {
      g_autoptr(MsrpLogger) logger = new_stderr_logger ();

      msrp_relay_set_logger (relay, logger);
    }

  loop = g_main_loop_new (NULL, FALSE);
  uri = msrp_relay_listen (relay, host, port, tls, &error);
  if (uri == NULL)
    {
      fail (error);
      g_clear_pointer (&loop, g_main_loop_unref);
      return exit_status;
    }
  uri_string = msrp_uri_to_string (uri);
  printf ("%s\n", uri_string);
  if (tls)
    {
      g_autofree char *fingerprint = msrp_tls_certificate_get_fingerprint (msrp_relay_get_tls_certificate (relay),
                                                                           G_CHECKSUM_SHA256);

      printf ("a=fingerprint:%s\n", fingerprint);
    }
  if (ws_port >= 0)
    {
      g_autoptr(MsrpUri) ws_uri = msrp_relay_listen_websocket (relay, host, ws_port, tls, &error);
      g_autofree char *ws_string = NULL;

      if (ws_uri == NULL)
        {
          fail (error);
          g_clear_pointer (&loop, g_main_loop_unref);
          return exit_status;
        }
      ws_string = msrp_uri_to_string (ws_uri);
      printf ("%s\n", ws_string);
    }
  fflush (stdout);

  sigint_id = g_unix_signal_add (SIGINT, relay_on_signal, NULL);
  sigterm_id = g_unix_signal_add (SIGTERM, relay_on_signal, NULL);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  msrp_relay_stop (relay);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&loop, g_main_loop_unref);
  return exit_status;
}
