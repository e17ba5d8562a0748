/* msrp.c: the `msrp` command-line tool: listen, send, relay, demo and chat, each
 * in its msrp-cmd-*.c; here the dispatch and the usage
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "msrp-tool-private.h"

static const Command *commands[] = {
  &listen_command,
  &send_command,
  &relay_command,
  &demo_command,
  &chat_command,
  &file_command,
  &tunnel_command,
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n  msrp %s\n\n%s\n\n%s\n",
           _("Usage:"), _("COMMAND [OPTION…]"),
           _("A command-line MSRP (RFC 4975) client and server, for debugging and benchmarks."),
           _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-8s %s\n", commands[i]->name, _(commands[i]->summary));
  fprintf (out, "\n%s\n\n%s\n",
           _("Run 'msrp COMMAND --help' for the options of a command."),
           _("Examples:"));
  fprintf (out,
           "  msrp demo\n"
           "  msrp listen > listen.out &\n"
           "  msrp send --to \"$(head -n1 listen.out)\" 'Hello, Bob'\n"
           "  msrp listen --relay 'msrps://relay.example.com;tcp' --relay-user bob:secret\n");
}

/* A relay or a listen holds a descriptor per connection, and the soft
 * limit (often 1024) is far below what the hard one allows. */
static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == limit.rlim_max)
    return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    g_debug ("cannot raise the descriptor limit: %s", g_strerror (errno));
}

int
main (int    argc,
      char **argv)
{
  const char *name;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  raise_fd_limit ();

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }
  name = argv[1];
  if (strcmp (name, "--help") == 0 || strcmp (name, "-h") == 0 || strcmp (name, "help") == 0)
    {
      if (strcmp (name, "help") == 0 && argc > 2)
        {
          char *help_argv[] = { argv[2], (char *) "--help", NULL };

          for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
            if (strcmp (argv[2], commands[i]->name) == 0)
              return commands[i]->run (2, help_argv);
          print_error (_("unknown command '%s' (see 'msrp --help')"), argv[2]);
          return EXIT_USAGE;
        }
      print_usage (stdout);
      return EXIT_SUCCESS;
    }
  if (strcmp (name, "--version") == 0)
    {
      printf ("msrp %s\n", MSRP_VERSION_S);
      return EXIT_SUCCESS;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (name, commands[i]->name) == 0)
      return commands[i]->run (argc - 1, argv + 1);

  print_error (_("unknown command '%s' (see 'msrp --help')"), name);
  return EXIT_USAGE;
}

