/* msrp-cmd-chat.c: `msrp chat`, a chat between two terminals on MsrpChat,
 * with the SDP exchanged through files instead of SIP
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>
#include <gio/gunixinputstream.h>

#include "msrp-tool-private.h"

static int cmd_chat (int argc, char **argv);

#define COMPOSING_REFRESH 60   /* seconds the peer keeps us "typing" */
#define COMPOSING_RESEND 50    /* a long line says so again before that */
#define COMPOSING_IDLE 5       /* seconds without a key that end typing */
#define PROMPT "> "

/* A message we sent, for its marks. */
typedef struct {
  char *text;
  guint64 row;      /* the terminal row where its line ends (drawing) */
  guint col;        /* where the next mark goes there; 0: not in place */
  int marks;        /* 0, 1 (✓ delivered) or 2 (✓✓ displayed) */
} Sent;

typedef struct _Chat Chat;

struct _Chat {
  MsrpChat *chat;
  GCancellable *cancellable;
  RelayOptions *relay;
  gboolean offerer;
  GFile *offer_file;         /* NULL: standard output */
  GFile *answer_file;
  gboolean json;
  gboolean editor;           /* stdin is a terminal: keys one by one */
  gboolean drawing;          /* stdout too: we draw the input line */
  struct termios saved_termios;
  gboolean termios_changed;

  /* The SDP through the files */
  MediaExchange exchange;

  /* Standard input */
  GInputStream *in;
  GDataInputStream *lines;   /* not a terminal: line by line */
  guint8 buffer[1024];
  GString *line;             /* the line being typed */
  int escape;                /* 1 after ESC, 2 inside a CSI sequence */
  gboolean input_done;

  /* is-composing, ours and the peer's */
  gboolean composing;
  gint64 composing_sent;
  guint idle_source;
  char *typing;              /* "<name> is typing…", or NULL */

  /* What is shown */
  GHashTable *sent;          /* our message id → Sent */
  char *local_name;
  char *remote_name;
  guint64 rows;              /* rows printed above the input line */
  guint bottom_rows;         /* rows of the input area now drawn */
  gboolean started;
  gboolean ending;           /* we ended it */
  gboolean failed;
};

const Command chat_command = {
  "chat", cmd_chat, "",
  N_("Chat with a peer in another terminal, the SDP exchanged through files."),
  N_("One side makes the offer (--offer): it writes its SDP media to the offer\n"
     "file and waits for the answer to appear in the answer file. The other side\n"
     "answers (--answer): it reads the offer file (waiting until it is there) and\n"
     "writes its answer; then they connect. The offerer removes an old answer file\n"
     "first. Files are written whole (a new file renamed into place), so either\n"
     "side may start first; '-' writes the offer (or the answer) to standard\n"
     "output instead, followed by an empty line, for copying by hand.\n"
     "\n"
     "Each line typed is sent. Incoming messages are printed with their time,\n"
     "the sender's name and the text; your own messages get ✓ when delivered and\n"
     "✓✓ when the peer has displayed them, and \"NAME is typing…\" shows while the\n"
     "peer types. When standard input is a terminal, typing tells the peer so\n"
     "(RFC 3994). Ctrl-D (end of input) or Ctrl-C ends the chat; the peer\n"
     "ending it ends it too. The chat uses TLS by default, the certificate\n"
     "checked against the fingerprint in the peer's SDP.\n"
     "\n"
     "With --json every event is one JSON object a line on standard output:\n"
     "offer and answer (when written to standard output, with \"sdp\"), started,\n"
     "sent (\"id\", \"text\"), message (\"id\", \"sender\", \"text\",\n"
     "\"content-type\", \"timestamp\"), delivered, displayed (\"id\"),\n"
     "not-delivered (\"id\", \"code\", \"reason\"), composing (\"sender\",\n"
     "\"state\"), ended (\"by\": \"local\" or \"peer\") and failed (\"message\").\n"),
  N_("Through a relay, the offerer waits at its relay and the answerer connects\n"
     "through its own; a peer's end does not cross relays (SIP's BYE would tell\n"
     "it), so each side ends its own chat.\n"),
  TRUE,
  "  msrp chat --offer --offer-file /tmp/offer.sdp --answer-file /tmp/answer.sdp\n"
  "  msrp chat --answer --offer-file /tmp/offer.sdp --answer-file /tmp/answer.sdp\n"
  "  msrp chat --offer --offer-file - --answer-file answer.sdp \\\n"
  "            --local-identity 'Alice <sip:alice@example.com>'\n"
  "  msrp chat --answer --json --offer-file offer.sdp --answer-file answer.sdp < lines.txt\n"
  "  msrp chat --offer --relay 'msrps://relay.example.com;tcp' --relay-user alice:secret \\\n"
  "            --offer-file offer.sdp --answer-file answer.sdp\n",
};

static void
sent_free (gpointer data)
{
  Sent *sent = data;

  g_free (sent->text);
  g_free (sent);
}

/* Text from the network, for the terminal: control characters are shown
 * escaped so that they cannot drive it. */
static char *
sanitize (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\t')
        g_string_append_c (out, ' ');
      else if (g_unichar_iscntrl (c))
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* The display name of a CPIM identity (`"Name" <uri>`, `Name <uri>` or
 * `<uri>`), or its URI when it has none. */
static char *
display_name (const char *identity)
{
  const char *lt = strchr (identity, '<');
  g_autofree char *name = NULL;

  if (identity[0] == '"')
    {
      GString *quoted = g_string_new (NULL);
      const char *p;

      for (p = identity + 1; *p != '\0' && *p != '"'; p++)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          g_string_append_c (quoted, *p);
        }
      name = g_string_free (quoted, FALSE);
    }
  else if (lt != NULL)
    name = g_strndup (identity, lt - identity);
  if (name != NULL && g_strstrip (name)[0] != '\0')
    return sanitize (name);
  if (lt != NULL)
    {
      const char *gt = strchr (lt, '>');
      g_autofree char *uri = g_strndup (lt + 1, gt != NULL ? (gsize) (gt - lt - 1) : strlen (lt + 1));

      return sanitize (uri);
    }
  return sanitize (identity);
}

/* Whether @identity is one that MsrpChat takes: it is written into a CPIM
 * header, so the CPIM parser is the judge. */
static gboolean
identity_is_valid (const char *identity)
{
  g_autofree char *document = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(MsrpCpimMessage) cpim = NULL;

  if (strpbrk (identity, "\r\n") != NULL)
    return FALSE;
  document = g_strdup_printf ("From: %s\r\n\r\nContent-Type: text/plain\r\n\r\n", identity);
  bytes = g_bytes_new_take (document, strlen (document));
  document = NULL;
  cpim = msrp_cpim_message_parse (bytes, NULL);
  return cpim != NULL && msrp_cpim_message_get_from (cpim) != NULL;
}

/* The terminal: messages above, the typing notice and the input line at
 * the bottom, redrawn around every message. */

static void
terminal_size (guint *rows,
               guint *cols)
{
  struct winsize size = { 0 };

  *rows = 24;
  *cols = 80;
  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row > 0 && size.ws_col > 0)
    {
      *rows = size.ws_row;
      *cols = size.ws_col;
    }
}

static guint
text_width (const char *text)
{
  guint width = 0;
  const char *p = text;

  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          p++;  /* a character still being typed */
          continue;
        }
      width += g_unichar_iswide (c) ? 2 : g_unichar_iszerowidth (c) ? 0 : 1;
      p = g_utf8_next_char (p);
    }
  return width;
}

static guint
rows_for (guint width,
          guint cols)
{
  return width == 0 ? 1 : (width + cols - 1) / cols;
}

static void
bottom_clear (Chat *self)
{
  if (!self->drawing || self->bottom_rows == 0)
    return;
  fputs ("\r", stdout);
  if (self->bottom_rows > 1)
    printf ("\033[%uA", self->bottom_rows - 1);
  fputs ("\033[J", stdout);
  self->bottom_rows = 0;
}

static void
bottom_draw (Chat *self)
{
  guint rows, cols;

  if (!self->drawing || self->input_done)
    return;
  terminal_size (&rows, &cols);
  if (self->typing != NULL)
    {
      printf ("%s\n", self->typing);
      self->bottom_rows += rows_for (text_width (self->typing), cols);
    }
  printf ("%s%s", PROMPT, self->line->str);
  self->bottom_rows += rows_for (text_width (PROMPT) + text_width (self->line->str), cols);
  fflush (stdout);
}

static void
redraw (Chat *self)
{
  bottom_clear (self);
  bottom_draw (self);
}

/* Prints one line of the transcript; *row and *col (optional) tell where
 * it ends, for marks added in place later. */
static void
show_line (Chat       *self,
           const char *text,
           guint64    *row,
           guint      *col)
{
  guint rows, cols, width = text_width (text);

  bottom_clear (self);
  printf ("%s\n", text);
  terminal_size (&rows, &cols);
  self->rows += rows_for (width, cols);
  if (row != NULL)
    *row = self->rows - 1;
  if (col != NULL)
    *col = width > 0 && width % cols != 0 ? width % cols : 0;
  bottom_draw (self);
  fflush (stdout);
}

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    time = now = g_date_time_new_now_local ();
  local = g_date_time_to_local (time);
  return g_date_time_format (local, "%H:%M");
}

/* A message: its first line after time and name, the others indented. */
static void
show_message (Chat       *self,
              GDateTime  *time,
              const char *name,
              const char *text,
              Sent       *sent)
{
  g_autofree char *when = format_time (time);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *clean = NULL;
      g_autofree char *line = NULL;
      gsize len = strlen (lines[i]);

      if (len > 0 && lines[i][len - 1] == '\r')
        lines[i][len - 1] = '\0';
      if (lines[i + 1] == NULL && lines[i][0] == '\0' && i > 0)
        break;
      clean = sanitize (lines[i]);
      if (i == 0)
        line = g_strdup_printf ("%s %s: %s", when, name, clean);
      else
        line = g_strdup_printf ("      %s", clean);
      show_line (self, line, sent ? &sent->row : NULL, sent ? &sent->col : NULL);
    }
}

static char *
abbreviate (const char *text)
{
  g_autofree char *first = g_strndup (text, strcspn (text, "\r\n"));
  g_autofree char *clean = sanitize (first);

  if (g_utf8_strlen (clean, -1) <= 40)
    return g_steal_pointer (&clean);
  return g_strdup_printf ("%.*s…", (int) (g_utf8_offset_to_pointer (clean, 39) - clean), clean);
}

/* A delivery mark: in place at the end of the message's line while it is
 * on the screen, else on a line of its own. */
static void
show_mark (Chat       *self,
           Sent       *sent,
           int         marks)
{
  guint rows, cols;
  guint64 up;
  const char *add;
  g_autofree char *line = NULL;
  g_autofree char *text = NULL;

  if (marks <= sent->marks)
    return;
  add = sent->marks > 0 ? "✓" : marks == 1 ? " ✓" : " ✓✓";
  terminal_size (&rows, &cols);
  up = self->rows - sent->row;
  if (self->drawing && sent->col > 0 && up >= 1 && up < rows &&
      sent->col + text_width (add) <= cols)
    {
      bottom_clear (self);
      printf ("\033[%" G_GUINT64_FORMAT "A\r\033[%uC%s\033[%" G_GUINT64_FORMAT "B\r",
              up, sent->col, add, up);
      sent->col += text_width (add);
      bottom_draw (self);
    }
  else
    {
      text = abbreviate (sent->text);
      /* TRANSLATORS: a delivery mark and the start of the message */
      line = marks == 1 ? g_strdup_printf (_("✓ delivered: %s"), text)
                        : g_strdup_printf (_("✓✓ displayed: %s"), text);
      show_line (self, line, NULL, NULL);
    }
  sent->marks = marks;
}

static void
show_status (Chat       *self,
             const char *text)
{
  show_line (self, text, NULL, NULL);
}

/* The end */

static void
terminal_restore (Chat *self)
{
  if (!self->termios_changed)
    return;
  tcsetattr (STDIN_FILENO, TCSANOW, &self->saved_termios);
  self->termios_changed = FALSE;
}

static void
chat_quit (Chat *self)
{
  bottom_clear (self);
  self->input_done = TRUE;
  fflush (stdout);
  g_main_loop_quit (loop);
}

static void
chat_fail (Chat         *self,
           const GError *error)
{
  if (self->failed)
    return;
  /* Ending while it was still being set up. */
  if (self->ending && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      chat_quit (self);
      return;
    }
  self->failed = TRUE;
  bottom_clear (self);
  if (self->json)
    {
      GString *out = json_begin ("failed");

      json_add_string (out, "message", error->message);
      json_end (out);
    }
  /* Before the chat runs, a relay's failure gets the relay's words. */
  if (self->relay != NULL && !self->started && exit_status == EXIT_SUCCESS)
    exit_status = relay_print_error (self->relay, error);
  else
    fail (error);
  chat_quit (self);
}

static void
on_ended_by_us (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  msrp_stream_end_finish (MSRP_STREAM (source), result, NULL);
}

static void
chat_end (Chat *self)
{
  MsrpStreamState state = msrp_stream_get_state (MSRP_STREAM (self->chat));

  if (self->ending)
    return;
  self->ending = TRUE;
  self->input_done = TRUE;
  bottom_clear (self);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  /* The ended signal quits; a stream that never began has none. */
  if (state == MSRP_STREAM_STATE_NEW || state >= MSRP_STREAM_STATE_ENDING)
    {
      if (self->json)
        {
          GString *out = json_begin ("ended");

          json_add_string (out, "by", "local");
          json_end (out);
        }
      chat_quit (self);
      return;
    }
  msrp_stream_end_async (MSRP_STREAM (self->chat), NULL, on_ended_by_us, self);
}

static gboolean
on_signal (gpointer user_data)
{
  chat_end (user_data);
  return G_SOURCE_CONTINUE;
}

/* The chat's signals */

static void
on_started (MsrpStream *stream,
            Chat       *self)
{
  self->started = TRUE;
  if (self->json)
    {
      GString *out = json_begin ("started");

      json_add_string (out, "local-identity", msrp_chat_get_local_identity (self->chat));
      json_add_string (out, "remote-identity", msrp_chat_get_remote_identity (self->chat));
      json_end (out);
    }
  else
    {
      g_autofree char *line = NULL;

      line = g_strdup_printf (_("Chat with %s started. Type a line and Enter to send it; Ctrl-D ends the chat."),
                              self->remote_name);
      show_status (self, line);
    }
}

static void
on_ended (MsrpStream *stream,
          Chat       *self)
{
  if (self->json)
    {
      GString *out = json_begin ("ended");

      json_add_string (out, "by", self->ending ? "local" : "peer");
      json_end (out);
    }
  else if (self->ending)
    show_status (self, _("The chat ended."));
  else
    {
      g_autofree char *line = g_strdup_printf (_("%s ended the chat."), self->remote_name);

      show_status (self, line);
    }
  chat_quit (self);
}

static void
on_failed (MsrpStream   *stream,
           const GError *error,
           Chat         *self)
{
  chat_fail (self, error);
}

static void
on_message_received (MsrpChat        *chat,
                     MsrpChatMessage *message,
                     Chat            *self)
{
  const char *text = msrp_chat_message_get_text (message);
  const char *sender = msrp_chat_message_get_sender (message);
  const char *id = msrp_chat_message_get_message_id (message);
  GDateTime *timestamp = msrp_chat_message_get_timestamp (message);
  GBytes *content = msrp_chat_message_get_content (message);

  if (self->json)
    {
      GString *out = json_begin ("message");
      g_autoptr(GDateTime) now = timestamp == NULL ? g_date_time_new_now_local () : NULL;
      g_autofree char *iso = g_date_time_format_iso8601 (timestamp != NULL ? timestamp : now);

      json_add_string (out, "id", id);
      json_add_string (out, "sender", sender);
      json_add_string (out, "text", text);
      json_add_string (out, "content-type", msrp_chat_message_get_content_type (message));
      json_add_string (out, "timestamp", iso);
      json_add_uint (out, "size", content != NULL ? g_bytes_get_size (content) : 0);
      json_end (out);
    }
  else
    {
      g_autofree char *name = display_name (sender);
      g_autofree char *summary = NULL;

      /* Its message ends the peer's typing. */
      g_clear_pointer (&self->typing, g_free);
      if (text == NULL)
        {
          g_autofree char *type = sanitize (msrp_chat_message_get_content_type (message));
          g_autofree char *size = g_format_size (content != NULL ? g_bytes_get_size (content) : 0);

          /* TRANSLATORS: a message that is not text: its type and size */
          summary = g_strdup_printf (_("[%s, %s]"), type, size);
        }
      show_message (self, timestamp, name, text != NULL ? text : summary, NULL);
    }
  /* Printed: displayed, when the sender asked to know. */
  if (id != NULL)
    msrp_chat_send_display_notification (self->chat, id, NULL);
}

static void
on_delivered (MsrpChat   *chat,
              const char *id,
              Chat       *self)
{
  Sent *sent = g_hash_table_lookup (self->sent, id);

  if (self->json)
    {
      GString *out = json_begin ("delivered");

      json_add_string (out, "id", id);
      json_end (out);
    }
  else if (sent != NULL)
    show_mark (self, sent, 1);
}

static void
on_displayed (MsrpChat   *chat,
              const char *id,
              Chat       *self)
{
  Sent *sent = g_hash_table_lookup (self->sent, id);

  if (self->json)
    {
      GString *out = json_begin ("displayed");

      json_add_string (out, "id", id);
      json_end (out);
    }
  else if (sent != NULL)
    show_mark (self, sent, 2);
  /* Nothing more comes for it. */
  g_hash_table_remove (self->sent, id);
}

static void
on_not_delivered (MsrpChat   *chat,
                  const char *id,
                  guint       code,
                  const char *reason,
                  Chat       *self)
{
  Sent *sent = g_hash_table_lookup (self->sent, id);

  if (self->json)
    {
      GString *out = json_begin ("not-delivered");

      json_add_string (out, "id", id);
      json_add_uint (out, "code", code);
      json_add_string (out, "reason", reason);
      json_end (out);
    }
  else
    {
      g_autofree char *text = abbreviate (sent != NULL ? sent->text : id);
      g_autofree char *why = sanitize (reason != NULL ? reason : "");
      g_autofree char *line = NULL;

      if (code != 0)
        line = g_strdup_printf (_("✗ not delivered (%u %s): %s"), code, why, text);
      else
        line = g_strdup_printf (_("✗ not delivered (%s): %s"), why, text);
      show_status (self, line);
    }
  g_hash_table_remove (self->sent, id);
}

static void
on_composing (MsrpChat        *chat,
              MsrpIsComposing *indication,
              const char      *sender,
              Chat            *self)
{
  const char *state = msrp_is_composing_get_state (indication);
  gboolean active = g_strcmp0 (state, "active") == 0;
  g_autofree char *name = NULL;

  if (self->json)
    {
      GString *out = json_begin ("composing");

      json_add_string (out, "sender", sender);
      json_add_string (out, "state", state);
      json_end (out);
      return;
    }
  if (!active)
    {
      g_clear_pointer (&self->typing, g_free);
      redraw (self);
      return;
    }
  if (self->typing != NULL)
    return;
  name = display_name (sender);
  self->typing = g_strdup_printf (_("%s is typing…"), name);
  /* Without an input line to draw it under, it is a line of its own. */
  if (self->drawing)
    redraw (self);
  else
    show_status (self, self->typing);
}

/* Typing and sending */

static gboolean
on_composing_idle (gpointer user_data)
{
  Chat *self = user_data;

  self->idle_source = 0;
  if (self->composing && !self->ending)
    msrp_chat_send_composing_indication (self->chat, "idle", 0, NULL);
  self->composing = FALSE;
  return G_SOURCE_REMOVE;
}

static void
composing_typed (Chat *self)
{
  gint64 now = g_get_monotonic_time ();

  if (!self->started || self->ending)
    return;
  if (!self->composing || now - self->composing_sent > COMPOSING_RESEND * G_USEC_PER_SEC)
    {
      msrp_chat_send_composing_indication (self->chat, "active", COMPOSING_REFRESH, NULL);
      self->composing = TRUE;
      self->composing_sent = now;
    }
  g_clear_handle_id (&self->idle_source, g_source_remove);
  self->idle_source = g_timeout_add_seconds (COMPOSING_IDLE, on_composing_idle, self);
  g_source_set_name_by_id (self->idle_source, "[msrp chat] composing idle");
}

static void
send_line (Chat       *self,
           const char *typed)
{
  g_autofree char *text = g_utf8_make_valid (typed, -1);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  Sent *sent;

  /* The message itself ends our typing at the peer. */
  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (text[0] == '\0')
    {
      if (self->composing)
        on_composing_idle (self);
      return;
    }
  self->composing = FALSE;
  id = msrp_chat_send_text (self->chat, text, &error);
  if (id == NULL)
    {
      g_autofree char *line = g_strdup_printf (_("✗ not sent: %s"), error->message);

      show_status (self, line);
      return;
    }
  sent = g_new0 (Sent, 1);
  sent->text = g_strdup (text);
  g_hash_table_insert (self->sent, g_strdup (id), sent);
  if (self->json)
    {
      GString *out = json_begin ("sent");

      json_add_string (out, "id", id);
      json_add_string (out, "text", text);
      json_end (out);
    }
  else
    show_message (self, NULL, self->local_name, text, sent);
}

/* The keys of a terminal, with the little line editing people expect. */
static void
handle_keys (Chat         *self,
             const guint8 *data,
             gsize         size)
{
  for (gsize i = 0; i < size && !self->input_done; i++)
    {
      guint8 c = data[i];

      if (self->escape == 1)
        {
          self->escape = c == '[' || c == 'O' ? 2 : 0;
          continue;
        }
      if (self->escape == 2)
        {
          if (c >= 0x40 && c <= 0x7e)
            self->escape = 0;
          continue;
        }
      switch (c)
        {
        case 0x1b:
          self->escape = 1;
          break;
        case '\r':
        case '\n':
          {
            /* Trailing blanks, as word erasing leaves them, are not meant. */
            g_autofree char *text = g_strchomp (g_strdup (self->line->str));

            g_string_truncate (self->line, 0);
            send_line (self, text);
          }
          break;
        case 0x04:  /* Ctrl-D: the end on an empty line */
          if (self->line->len == 0)
            {
              chat_end (self);
              return;
            }
          break;
        case 0x7f:
        case 0x08:
          if (self->line->len > 0)
            {
              const char *last = g_utf8_find_prev_char (self->line->str, self->line->str + self->line->len);

              g_string_truncate (self->line, last != NULL ? (gsize) (last - self->line->str) : 0);
            }
          break;
        case 0x15:  /* Ctrl-U */
          g_string_truncate (self->line, 0);
          break;
        case 0x17:  /* Ctrl-W: the last word */
          while (self->line->len > 0 && self->line->str[self->line->len - 1] == ' ')
            g_string_truncate (self->line, self->line->len - 1);
          while (self->line->len > 0 && self->line->str[self->line->len - 1] != ' ')
            g_string_truncate (self->line, self->line->len - 1);
          break;
        case '\t':
          c = ' ';
          G_GNUC_FALLTHROUGH;
        default:
          if (c < 0x20)
            break;
          g_string_append_c (self->line, c);
          composing_typed (self);
        }
    }
  redraw (self);
}

static void read_keys (Chat *self);
static void read_line (Chat *self);

static void
on_keys (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Chat *self = user_data;
  g_autoptr(GError) error = NULL;
  gssize size = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (size < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (size <= 0)
    {
      chat_end (self);
      return;
    }
  handle_keys (self, self->buffer, size);
  if (!self->input_done)
    read_keys (self);
}

static void
read_keys (Chat *self)
{
  g_input_stream_read_async (self->in, self->buffer, sizeof self->buffer, G_PRIORITY_DEFAULT,
                             self->cancellable, on_keys, self);
}

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Chat *self = user_data;
  g_autoptr(GError) error = NULL;
  gsize length;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), result,
                                                                &length, &error);

  if (line == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (line == NULL)
    {
      chat_end (self);
      return;
    }
  if (length > 0 && line[length - 1] == '\r')
    line[length - 1] = '\0';
  send_line (self, line);
  if (!self->input_done)
    read_line (self);
}

static void
read_line (Chat *self)
{
  g_data_input_stream_read_line_async (self->lines, G_PRIORITY_DEFAULT, self->cancellable, on_line, self);
}

static void
start_input (Chat *self)
{
  self->in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  if (self->editor)
    {
      struct termios raw;

      /* Keys as they are typed, for is-composing; Ctrl-C still signals. */
      if (tcgetattr (STDIN_FILENO, &self->saved_termios) == 0)
        {
          raw = self->saved_termios;
          raw.c_lflag &= ~ICANON;
          if (self->drawing)
            raw.c_lflag &= ~ECHO;
          raw.c_cc[VMIN] = 1;
          raw.c_cc[VTIME] = 0;
          self->termios_changed = tcsetattr (STDIN_FILENO, TCSANOW, &raw) == 0;
        }
      redraw (self);
      read_keys (self);
    }
  else
    {
      self->lines = g_data_input_stream_new (self->in);
      g_data_input_stream_set_newline_type (self->lines, G_DATA_STREAM_NEWLINE_TYPE_LF);
      read_line (self);
    }
}

/* The SDP through files */

/* "Waiting for the offer (or the answer) in FILE…" */
static void
show_waiting (Chat  *self,
              GFile *file)
{
  g_autofree char *name = g_file_get_parse_name (file);
  g_autofree char *line = NULL;

  if (self->json)
    return;
  line = self->offerer ? g_strdup_printf (_("Waiting for the answer in %s…"), name)
                       : g_strdup_printf (_("Waiting for the offer in %s…"), name);
  show_status (self, line);
}

/* The command */

static char *
default_identity (gboolean with_name)
{
  const char *user = g_getenv ("USER");
  g_autofree char *clean = NULL;

  if (user == NULL || user[0] == '\0')
    user = g_get_user_name ();
  /* Only what a SIP user part takes as is. */
  clean = g_strcanon (g_strdup (user), G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "-_.!~*'()&=+$,", '_');
  return with_name ? g_strdup_printf ("\"%s\" <sip:%s@localhost>", clean, clean)
                   : g_strdup_printf ("<sip:%s@localhost>", clean);
}

static int
cmd_chat (int    argc,
          char **argv)
{
  gboolean offer = FALSE, answer = FALSE, no_tls = FALSE, json = FALSE, verbose = FALSE;
  g_autofree char *offer_name = NULL;
  g_autofree char *answer_name = NULL;
  g_autofree char *local_identity = NULL;
  g_autofree char *remote_identity = NULL;
  g_autofree char *host = NULL;
  int port = 0;
  g_auto(RelayOptions) relay = { 0 };
  GOptionEntry entries[] = {
    { "offer", 0, 0, G_OPTION_ARG_NONE, &offer, N_("Make the offer: write it to the offer file, then wait for the answer file"), NULL },
    { "answer", 0, 0, G_OPTION_ARG_NONE, &answer, N_("Answer: wait for the offer file, then write the answer file"), NULL },
    { "offer-file", 0, 0, G_OPTION_ARG_FILENAME, &offer_name, N_("The offer's SDP media ('-' with --offer: standard output)"), "FILE" },
    { "answer-file", 0, 0, G_OPTION_ARG_FILENAME, &answer_name, N_("The answer's SDP media ('-' with --answer: standard output)"), "FILE" },
    { "local-identity", 0, 0, G_OPTION_ARG_STRING, &local_identity, N_("Who you are, as 'Name <sip:user@host>' (default: from $USER)"), "IDENTITY" },
    { "remote-identity", 0, 0, G_OPTION_ARG_STRING, &remote_identity, N_("Who the peer is, in the same form (default: from $USER)"), "IDENTITY" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("The address to listen on and to put in the SDP (default: 127.0.0.1)"), "HOST" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("The TCP port the offerer listens on (default: any free port)"), "PORT" },
    { "no-tls", 0, 0, G_OPTION_ARG_NONE, &no_tls, N_("Offer plain TCP instead of TLS (the answerer follows the offer)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print every event as one JSON object a line, for scripts"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Log the traffic on stderr"), NULL },
    RELAY_OPTION_ENTRIES (relay),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) sent = NULL;
  g_autoptr(GString) line = NULL;
  Chat self = { 0 };
  guint signal_sources[3];

  if (!parse_command_line (&chat_command, entries, &argc, &argv) ||
      !no_arguments (&chat_command, argc, argv) ||
      !relay_options_check (&relay, "chat"))
    return EXIT_USAGE;
  if (offer == answer)
    {
      print_error (_("give either --offer or --answer (see 'msrp chat --help')"));
      return EXIT_USAGE;
    }
  if (offer_name == NULL || answer_name == NULL)
    {
      print_error (_("--offer-file FILE and --answer-file FILE are required (see 'msrp chat --help')"));
      return EXIT_USAGE;
    }
  if (strcmp (offer ? answer_name : offer_name, "-") == 0)
    {
      print_error (_("%s cannot be '-': that file is read, and standard input is for the chat"),
                   offer ? "--answer-file" : "--offer-file");
      return EXIT_USAGE;
    }
  if (port < 0 || port > 65535)
    {
      print_error (_("--port must be between 0 and 65535"));
      return EXIT_USAGE;
    }
  if (relay.settings != NULL && (host != NULL || port != 0 || no_tls))
    {
      print_error (_("--host, --port and --no-tls are for direct chats; through a relay TLS follows the relay URI"));
      return EXIT_USAGE;
    }
  if (relay.fingerprint != NULL)
    {
      print_error (_("--relay-fingerprint is not supported by 'msrp chat': the relay's certificate is checked against the system's CAs"));
      return EXIT_USAGE;
    }
  if (local_identity == NULL)
    local_identity = default_identity (TRUE);
  if (remote_identity == NULL)
    remote_identity = default_identity (FALSE);
  if (!identity_is_valid (local_identity) || !identity_is_valid (remote_identity))
    {
      print_error (_("%s '%s' is not an identity; write it as 'Name <sip:user@host>' or as a URI"),
                   identity_is_valid (local_identity) ? "--remote-identity" : "--local-identity",
                   identity_is_valid (local_identity) ? remote_identity : local_identity);
      return EXIT_USAGE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, sent_free);
  line = g_string_new (NULL);
  self.sent = sent;
  self.line = line;
  self.offerer = offer;
  self.json = json;
  self.relay = relay.settings != NULL ? &relay : NULL;
  self.editor = isatty (STDIN_FILENO);
  self.drawing = self.editor && isatty (STDOUT_FILENO) && !json;
  self.cancellable = g_cancellable_new ();
  self.offer_file = strcmp (offer_name, "-") == 0 ? NULL : g_file_new_for_commandline_arg (offer_name);
  self.answer_file = strcmp (answer_name, "-") == 0 ? NULL : g_file_new_for_commandline_arg (answer_name);

  self.chat = msrp_chat_new (local_identity, remote_identity);
  self.local_name = display_name (msrp_chat_get_local_identity (self.chat));
  self.remote_name = display_name (msrp_chat_get_remote_identity (self.chat));
  msrp_stream_set_use_tls (MSRP_STREAM (self.chat), !no_tls);
  if (self.relay != NULL)
    msrp_stream_set_relay (MSRP_STREAM (self.chat), relay.settings);
  else
    {
      g_autoptr(MsrpUri) local_uri = msrp_uri_new (host != NULL ? host : "127.0.0.1", port, NULL, !no_tls);

      msrp_stream_set_local_uri (MSRP_STREAM (self.chat), local_uri);
    }
  if (verbose)
    {
      g_autoptr(MsrpLogger) logger = new_stderr_logger ();

      msrp_stream_set_logger (MSRP_STREAM (self.chat), logger);
    }
  g_signal_connect (self.chat, "started", G_CALLBACK (on_started), &self);
  g_signal_connect (self.chat, "ended", G_CALLBACK (on_ended), &self);
  g_signal_connect (self.chat, "failed", G_CALLBACK (on_failed), &self);
  g_signal_connect (self.chat, "message-received", G_CALLBACK (on_message_received), &self);
  g_signal_connect (self.chat, "message-delivered", G_CALLBACK (on_delivered), &self);
  g_signal_connect (self.chat, "message-displayed", G_CALLBACK (on_displayed), &self);
  g_signal_connect (self.chat, "message-not-delivered", G_CALLBACK (on_not_delivered), &self);
  g_signal_connect (self.chat, "composing-indication", G_CALLBACK (on_composing), &self);
  signal_sources[0] = g_unix_signal_add (SIGINT, on_signal, &self);
  signal_sources[1] = g_unix_signal_add (SIGTERM, on_signal, &self);
  signal_sources[2] = g_unix_signal_add (SIGHUP, on_signal, &self);

  self.exchange.stream = MSRP_STREAM (self.chat);
  self.exchange.offerer = offer;
  self.exchange.offer_file = self.offer_file;
  self.exchange.answer_file = self.answer_file;
  self.exchange.json = self.json;
  self.exchange.cancellable = self.cancellable;
  self.exchange.fail = (void (*) (gpointer, const GError *)) chat_fail;
  self.exchange.waiting = (void (*) (gpointer, GFile *)) show_waiting;
  self.exchange.user_data = &self;
  media_exchange_start (&self.exchange);
  if (exit_status == EXIT_SUCCESS)
    {
      start_input (&self);
      g_main_loop_run (loop);
    }

  terminal_restore (&self);
  for (guint i = 0; i < G_N_ELEMENTS (signal_sources); i++)
    g_source_remove (signal_sources[i]);
  g_cancellable_cancel (self.cancellable);
  media_exchange_stop (&self.exchange);
  g_signal_handlers_disconnect_by_data (self.chat, &self);
  g_clear_handle_id (&self.idle_source, g_source_remove);
  /* Let the cancelled operations finish while self is alive. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&self.chat);
  g_clear_object (&self.lines);
  g_clear_object (&self.in);
  g_clear_object (&self.offer_file);
  g_clear_object (&self.answer_file);
  g_clear_object (&self.cancellable);
  g_free (self.local_name);
  g_free (self.remote_name);
  g_free (self.typing);
  g_clear_pointer (&loop, g_main_loop_unref);
  return exit_status;
}
