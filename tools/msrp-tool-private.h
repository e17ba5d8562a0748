/* msrp-tool-private.h: what the commands of the `msrp` tool share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each command (msrp-cmd-*.c) is a Command; msrp.c dispatches to them, and
 * benchmarks/msrp-bench runs listen and send from the same code.
 */

#pragma once

#include <stdio.h>
#include <stdlib.h>

#include <glib/gi18n.h>
#include <msrp-glib/msrp-glib.h>

G_BEGIN_DECLS

/* Exit statuses besides EXIT_SUCCESS and EXIT_FAILURE (any other failure);
 * EXIT_STATUS_HELP describes them for --help. */
#define EXIT_USAGE 2        /* a command line that could not be used */
#define EXIT_UNREACHABLE 3  /* the peer or the relay could not be reached */
#define EXIT_AUTH 4         /* the relay refused the credentials */
#define EXIT_TLS 5          /* a TLS certificate or fingerprint was rejected */

#define EXIT_STATUS_HELP \
  N_("Exit status: 0 success, 1 failure, 2 bad command line, 3 peer or relay\n" \
     "unreachable, 4 relay authentication refused, 5 TLS certificate rejected.\n")

/* Machine-readable lines (the hidden --stats option, read by msrp-bench)
 * start with this word. */
#define STATS_PREFIX "stats "

/* Sizes and rates are in binary units everywhere (KiB, MiB, MiB/s), as the
 * K, M and G of size options are. */
#define MIB (1024.0 * 1024.0)

/* A command's --help: the summary, then the description (translatable, N_),
 * the relay options' help and the command's own words on relays, the exit
 * statuses, and the examples (command lines: not translated). A command
 * without a name is the whole program (msrp-bench). */
typedef struct {
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *parameters;
  const char *summary;
  const char *description;
  const char *relay_description;  /* with RELAY_HELP before it; or NULL */
  gboolean    exit_help;
  const char *examples;
} Command;

extern const Command listen_command;
extern const Command send_command;
extern const Command relay_command;
extern const Command demo_command;
extern const Command chat_command;
extern const Command file_command;
extern const Command tunnel_command;

/* The running command's main loop, and its exit status. */
extern GMainLoop *loop;
extern int exit_status;
/* "msrp", or the program that runs commands as its parts (msrp-bench):
 * the start of every error line. */
extern const char *program_name;

void print_error (const char *format, ...) G_GNUC_PRINTF (1, 2);
int exit_code_for (const GError *error);
void fail (const GError *error);
gboolean parse_size (const char *option,
                     const char *text,
                     guint64    *size);
void fill_random (GRand  *rand,
                  guint8 *data,
                  gsize   size);
double seconds_between (gint64 start,
                        gint64 end);
const char *format_double (char   *buffer,
                           double  value);
MsrpLogger *new_stderr_logger (void);
const char *skip_prefix (const char *text,
                         const char *prefix);
gboolean check_fingerprint_option (const char      *option,
                                   const char      *fingerprint,
                                   GTlsCertificate *certificate);
gboolean parse_command_line (const Command *command,
                             GOptionEntry  *entries,
                             int           *argc,
                             char        ***argv);
gboolean no_arguments (const Command *command,
                       int            argc,
                       char         **argv);
void print_stats (guint64 messages,
                  guint64 bytes,
                  double  seconds);

/* Going through an RFC 4976 relay: the options listen and send share. */
typedef struct {
  char *uri;
  char *user;
  char *digest_uri;
  char *fingerprint;
  MsrpRelaySettings *settings;   /* made by relay_options_check */
  char *presented;               /* the fingerprint the relay presented, when rejected */
} RelayOptions;

void relay_options_clear (RelayOptions *o);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RelayOptions, relay_options_clear)

#define RELAY_OPTION_ENTRIES(o) \
  { "relay", 0, 0, G_OPTION_ARG_STRING, &(o).uri, N_("Go through the RFC 4976 relay at URI, such as msrps://relay.example.com;tcp"), "URI" }, \
  { "relay-user", 0, 0, G_OPTION_ARG_STRING, &(o).user, N_("The relay account (HTTP Digest)"), "NAME:PASSWORD" }, \
  { "relay-digest-uri", 0, 0, G_OPTION_ARG_STRING, &(o).digest_uri, N_("Whether the Digest answer has uri= (default: auto, which tries both)"), "include|omit|auto" }, \
  { "relay-fingerprint", 0, 0, G_OPTION_ARG_STRING, &(o).fingerprint, N_("Accept the msrps: relay's certificate by its fingerprint ('sha-256 AB:CD:…', or a PEM file) instead of the system's CAs"), "FP" }

#define RELAY_HELP \
  N_("With --relay, the session goes through an RFC 4976 relay: the relay URI is\n" \
     "msrp://HOST:PORT;tcp, or msrps: for TLS to the relay. Without a port, a host\n" \
     "name is looked up with DNS SRV (_msrps._tcp.HOST or _msrp._tcp.HOST) and an IP\n" \
     "address gets port 2855. The URI's host is also the Digest domain. The relay's\n" \
     "certificate is checked against the system's CAs, or with --relay-fingerprint\n" \
     "against the given fingerprint (a self-signed relay, such as 'msrp relay --tls').\n" \
     "TLS ends at the relay, so --tls and --fingerprint do not apply. A relay URI\n" \
     "with ;ws (msrp://HOST:PORT;ws) is reached over a WebSocket (RFC 7977, ws://\n" \
     "HOST:PORT/, or wss:// for msrps:), as 'msrp relay --ws-port' and Kamailio take.\n")

gboolean relay_options_check (RelayOptions *o,
                              const char   *command);
MsrpConnector *relay_options_new_connector (RelayOptions *o,
                                            gboolean      acceptor,
                                            MsrpLogger   *logger);
int relay_print_error (RelayOptions *o,
                       const GError *error);

/* JSON lines (--json): {"event":EVENT,...}, one a line on stdout. */
GString *json_begin (const char *event);
void json_add_string (GString    *out,
                      const char *key,
                      const char *value);
void json_add_uint (GString    *out,
                    const char *key,
                    guint64     value);
void json_add_double (GString    *out,
                      const char *key,
                      double      value);
void json_end (GString *out);

/* The SDP media exchanged through files (`msrp chat`, `msrp file`): the
 * offerer writes its offer and waits for the answer file, the answerer
 * waits for the offer and writes its answer. */
typedef struct _MediaWait MediaWait;
typedef void (*MediaWaitFunc) (MsrpSdpMedia *media,
                               const GError *error,
                               gpointer      user_data);
typedef void (*MediaWrittenFunc) (const GError *error,
                                  gpointer      user_data);

MediaWait *media_wait_new (GFile         *file,
                           GCancellable  *cancellable,
                           MediaWaitFunc  callback,
                           gpointer       user_data);
void media_wait_free (MediaWait *wait);
void media_write (GFile            *file,
                  MsrpSdpMedia     *media,
                  gboolean          json,
                  const char       *event,
                  GCancellable     *cancellable,
                  MediaWrittenFunc  then,
                  gpointer          user_data);

/* The whole exchange for one stream: the offerer initializes, writes its
 * offer, waits for the answer and starts; the answerer waits for the offer,
 * hands it to @got_offer (which may make the stream), initializes with it,
 * writes its answer and starts. Cancellation ends it quietly; every other
 * error goes to @fail. */
typedef struct {
  MsrpStream *stream;        /* (unowned); @got_offer may set it */
  gboolean offerer;
  GFile *offer_file;         /* (unowned) NULL: standard output */
  GFile *answer_file;        /* (unowned) NULL: standard output */
  gboolean json;
  GCancellable *cancellable;
  void (*fail) (gpointer user_data, const GError *error);
  /* Before each wait for a file; may be NULL. */
  void (*waiting) (gpointer user_data, GFile *file);
  /* The answerer's offer: FALSE (after @fail) refuses it; may be NULL. */
  gboolean (*got_offer) (gpointer user_data, MsrpSdpMedia *offer);
  gpointer user_data;
  MediaWait *wait;
} MediaExchange;

void media_exchange_start (MediaExchange *exchange);
void media_exchange_stop (MediaExchange *exchange);

G_END_DECLS
