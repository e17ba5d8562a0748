/* gtk-chat.c: a small GTK 4 chat window on MsrpChat.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two windows talk without SIP: one writes its SDP offer to a file, the
 * other reads it and writes its answer to another file, which the first
 * reads (README.md shows the two commands). The window has the list of
 * messages with their delivery (✓) and display (✓✓) marks, an entry with
 * a Send button, an "is typing…" line, and the peer in its title.
 *
 * Every change of what the window shows is also printed as one line on
 * stdout ("message: in Bob: Hello", "mark: ✓✓ Hello", ...), so that a
 * script can follow it; with --send and --quit-after the window runs by
 * itself, as the test does (examples/gtk-chat/run-gtk-chat.py).
 */

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib-unix.h>
#include <gtk/gtk.h>
#include <msrp-glib/msrp-glib.h>

#define COMPOSING_REFRESH 60    /* seconds, told to the peer */
#define COMPOSING_IDLE 5        /* seconds without typing that end it */

/* GcMessage: one message of the list, the item of its model */

typedef enum {
  GC_MARK_NONE,         /* sending */
  GC_MARK_DELIVERED,    /* ✓ */
  GC_MARK_DISPLAYED,    /* ✓✓ */
  GC_MARK_FAILED,       /* ✗ */
} GcMark;

#define GC_TYPE_MESSAGE (gc_message_get_type ())
G_DECLARE_FINAL_TYPE (GcMessage, gc_message, GC, MESSAGE, GObject)

struct _GcMessage
{
  GObject parent_instance;

  gboolean outgoing;
  char *sender;
  char *text;
  char *time;
  GcMark mark;
  char *reason;         /* why it failed */
};

G_DEFINE_FINAL_TYPE (GcMessage, gc_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MARK,
  N_PROPS
};

static GParamSpec *message_properties[N_PROPS];

static void
gc_message_finalize (GObject *object)
{
  GcMessage *self = GC_MESSAGE (object);

  g_free (self->sender);
  g_free (self->text);
  g_free (self->time);
  g_free (self->reason);
  G_OBJECT_CLASS (gc_message_parent_class)->finalize (object);
}

static void
gc_message_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  GcMessage *self = GC_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_MARK:
      g_value_set_uint (value, self->mark);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gc_message_init (GcMessage *self)
{
}

static void
gc_message_class_init (GcMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gc_message_finalize;
  object_class->get_property = gc_message_get_property;

  message_properties[PROP_MARK] =
    g_param_spec_uint ("mark", NULL, NULL, GC_MARK_NONE, GC_MARK_FAILED, GC_MARK_NONE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, message_properties);
}

static GcMessage *
gc_message_new (gboolean    outgoing,
                const char *sender,
                const char *text,
                GDateTime  *time)
{
  GcMessage *self = g_object_new (GC_TYPE_MESSAGE, NULL);
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  self->outgoing = outgoing;
  self->sender = g_strdup (sender);
  self->text = g_strdup (text);
  self->time = g_date_time_format (local, "%H:%M");
  return self;
}

/* Marks only go forward: a late delivery report does not undo ✓✓. */
static void
gc_message_set_mark (GcMessage  *self,
                     GcMark      mark,
                     const char *reason)
{
  if (self->mark >= mark)
    return;
  self->mark = mark;
  g_free (self->reason);
  self->reason = g_strdup (reason);
  g_object_notify_by_pspec (G_OBJECT (self), message_properties[PROP_MARK]);
}

/* The application */

typedef struct _App App;

struct _App
{
  GtkApplication *app;
  int exit_status;

  /* Options */
  char *offer_path;
  char *answer_path;
  gboolean answerer;
  char *local_identity;
  char *remote_identity;
  char *host;
  gboolean no_tls;
  char **script;                /* --send: texts to type and send */
  int quit_after;               /* --quit-after: messages to wait for */

  /* Widgets */
  GtkWindow *window;
  GtkLabel *status_label;
  GtkListBox *list;
  GtkScrolledWindow *scroller;
  GtkLabel *typing_label;
  GtkEntry *entry;
  GtkButton *send_button;
  char *title_peer;             /* the peer in the title */
  gboolean title_from_message;  /* no --remote-identity: learn it */

  /* The chat */
  MsrpChat *chat;
  GCancellable *cancellable;
  GListStore *messages;         /* GcMessage, the list's model */
  GHashTable *sent;             /* message id → GcMessage */
  GQueue unseen;                /* ids of incoming messages to mark displayed */
  gboolean started;
  gboolean ending;              /* we called end_async */
  gboolean ended;               /* ended or failed, by either side */

  /* The file we wait for, and whether a read of it is running */
  GFile *watched;
  GFileMonitor *monitor;
  gboolean loading;
  gboolean load_again;
  void (*on_sdp) (App *app, MsrpSdpMedia *media);

  /* Our is-composing state */
  gboolean composing;
  gint64 composing_since;       /* when we last said active */
  guint composing_timer;

  /* Scripted runs */
  guint script_next;
  guint shown_incoming;
  guint sent_count;
  guint sent_settled;           /* displayed or failed */
};

static void app_finish (App *app);
static void composing_stop (App *app, gboolean tell);
static void run_script (gpointer user_data);

static void
say (const char *format,
     ...) G_GNUC_PRINTF (1, 2);

/* One line on stdout for each change of what the window shows. */
static void
say (const char *format,
     ...)
{
  va_list args;

  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
}

/* "Bob" from `"Bob" <sip:bob@example.com>`, `Bob <...>`; else the URI
 * without its scheme. */
static char *
display_name (const char *identity)
{
  g_autofree char *uri = NULL;
  const char *open, *close, *colon;

  while (g_ascii_isspace (*identity))
    identity++;
  if (identity[0] == '"')
    {
      GString *name = g_string_new (NULL);
      const char *p;

      for (p = identity + 1; *p != '\0' && *p != '"'; p++)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          g_string_append_c (name, *p);
        }
      if (name->len > 0)
        return g_string_free (name, FALSE);
      g_string_free (name, TRUE);
    }
  else if ((open = strchr (identity, '<')) != NULL && open > identity)
    {
      g_autofree char *name = g_strstrip (g_strndup (identity, open - identity));

      if (name[0] != '\0')
        return g_steal_pointer (&name);
    }

  open = strchr (identity, '<');
  close = open != NULL ? strchr (open, '>') : NULL;
  uri = open != NULL && close != NULL ? g_strndup (open + 1, close - open - 1) : g_strdup (identity);
  colon = strchr (uri, ':');
  return g_strdup (colon != NULL && colon[1] != '\0' ? colon + 1 : uri);
}

static void
set_status (App        *app,
            const char *status)
{
  gtk_label_set_text (app->status_label, status);
  say ("status: %s", status);
}

static void
set_title_peer (App        *app,
                const char *peer)
{
  g_autofree char *title = NULL;

  if (app->title_peer != NULL && g_strcmp0 (app->title_peer, peer) == 0)
    return;
  g_free (app->title_peer);
  app->title_peer = g_strdup (peer);
  title = peer != NULL ? g_strdup_printf ("Chat with %s", peer) : g_strdup ("Chat");
  gtk_window_set_title (app->window, title);
  say ("title: %s", title);
}

/* A failure ends a scripted run; a person reads it in the window. */
static void
fail (App        *app,
      const char *what,
      const char *message)
{
  g_autofree char *status = g_strdup_printf ("%s: %s", what, message);

  fprintf (stderr, "gtk-chat: %s\n", status);
  set_status (app, status);
  app->exit_status = EXIT_FAILURE;
  if (app->quit_after > 0 || app->script != NULL)
    app_finish (app);
}

static void
update_send_sensitive (App *app)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (app->entry));

  gtk_widget_set_sensitive (GTK_WIDGET (app->send_button),
                            app->started && !app->ended && text[0] != '\0');
}

/* The end of a run: end the chat if it runs, then quit. */

static void
close_window (App *app)
{
  GtkWindow *window = g_steal_pointer (&app->window);

  /* Nothing the chat still says can reach the widgets. */
  g_signal_handlers_disconnect_by_data (app->chat, app);
  g_signal_handlers_disconnect_by_data (window, app);
  composing_stop (app, FALSE);
  gtk_window_destroy (window);
}

static void
on_ended (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;

  if (!msrp_stream_end_finish (MSRP_STREAM (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      fprintf (stderr, "gtk-chat: ending the chat: %s\n", error->message);
      app->exit_status = EXIT_FAILURE;
    }
  close_window (app);
}

static void
app_finish (App *app)
{
  MsrpStreamState state = msrp_stream_get_state (MSRP_STREAM (app->chat));

  if (app->ending)
    return;
  app->ending = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (app->window), FALSE);
  /* Stop waiting for SDP files; a chat that runs says goodbye. */
  g_cancellable_cancel (app->cancellable);
  if (state == MSRP_STREAM_STATE_NEW || state == MSRP_STREAM_STATE_ENDED ||
      state == MSRP_STREAM_STATE_FAILED)
    close_window (app);
  else
    msrp_stream_end_async (MSRP_STREAM (app->chat), NULL, on_ended, app);
}

/* A scripted run is done when it has shown as many incoming messages as
 * asked, and every message it sent was displayed by the peer (or failed). */
static void
check_done (App *app)
{
  if (app->quit_after <= 0 || app->ending)
    return;
  if (app->shown_incoming < (guint) app->quit_after ||
      (app->script != NULL && app->sent_count < g_strv_length (app->script)) ||
      app->sent_settled < app->sent_count)
    return;
  app_finish (app);
}

/* The message list */

static void
scroll_to_end (gpointer user_data)
{
  App *app = user_data;
  GtkAdjustment *adjustment;

  if (app->window == NULL)
    return;
  adjustment = gtk_scrolled_window_get_vadjustment (app->scroller);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
}

static const char *
mark_text (GcMark mark)
{
  switch (mark)
    {
    case GC_MARK_DELIVERED:
      return "✓";
    case GC_MARK_DISPLAYED:
      return "✓✓";
    case GC_MARK_FAILED:
      return "✗";
    case GC_MARK_NONE:
    default:
      return "";
    }
}

static void
on_mark_changed (GcMessage  *message,
                 GParamSpec *pspec,
                 GtkLabel   *label)
{
  gtk_label_set_text (label, mark_text (message->mark));
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), message->reason);
  if (message->reason != NULL)
    say ("mark: %s %s (%s)", mark_text (message->mark), message->text, message->reason);
  else
    say ("mark: %s %s", mark_text (message->mark), message->text);
}

/* The row of a message: who and when, the text, and for ours the mark.
 * What it shows is printed here, where it reaches the screen. */
static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  App *app = user_data;
  GcMessage *message = item;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  g_autofree char *header = g_strdup_printf ("%s  %s", message->time, message->sender);
  GtkWidget *header_label = gtk_label_new (header);
  GtkWidget *text_label = gtk_label_new (message->text);
  GtkAlign side = message->outgoing ? GTK_ALIGN_END : GTK_ALIGN_START;

  gtk_widget_add_css_class (header_label, "dim-label");
  gtk_widget_add_css_class (header_label, "caption");
  gtk_widget_set_halign (header_label, side);
  gtk_label_set_wrap (GTK_LABEL (text_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (text_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (text_label), message->outgoing ? 1.0 : 0.0);
  gtk_widget_set_halign (line, side);
  gtk_box_append (GTK_BOX (line), text_label);

  if (message->outgoing)
    {
      GtkWidget *mark_label = gtk_label_new (mark_text (message->mark));

      gtk_widget_add_css_class (mark_label, "dim-label");
      gtk_box_append (GTK_BOX (line), mark_label);
      g_signal_connect_object (message, "notify::mark", G_CALLBACK (on_mark_changed), mark_label, 0);
    }

  gtk_box_append (GTK_BOX (box), header_label);
  gtk_box_append (GTK_BOX (box), line);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);

  say ("message: %s %s: %s", message->outgoing ? "out" : "in", message->sender, message->text);
  if (!message->outgoing)
    app->shown_incoming++;
  g_idle_add_once (scroll_to_end, app);
  return box;
}

/* Display notifications go out for the messages a person can see: when the
 * window is active, at once, else when it becomes active. */
static void
send_display_notifications (App *app)
{
  if (app->window == NULL || !gtk_window_is_active (app->window) || !app->started || app->ended)
    return;
  while (!g_queue_is_empty (&app->unseen))
    {
      g_autofree char *id = g_queue_pop_head (&app->unseen);
      g_autoptr(GError) error = NULL;

      /* NOT_FOUND: the sender did not ask for one. */
      if (!msrp_chat_send_display_notification (app->chat, id, &error) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_printerr ("gtk-chat: %s\n", error->message);
    }
}

static void
on_window_active (GtkWindow  *window,
                  GParamSpec *pspec,
                  App        *app)
{
  send_display_notifications (app);
}

/* Typing: is-composing (RFC 3994) */

static void
composing_stop (App      *app,
                gboolean  tell)
{
  g_clear_handle_id (&app->composing_timer, g_source_remove);
  if (app->composing && tell && app->started && !app->ended)
    msrp_chat_send_composing_indication (app->chat, "idle", 0, NULL);
  app->composing = FALSE;
}

static gboolean
on_composing_idle (gpointer user_data)
{
  App *app = user_data;

  app->composing_timer = 0;
  composing_stop (app, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_entry_changed (GtkEditable *editable,
                  App         *app)
{
  const char *text = gtk_editable_get_text (editable);
  gint64 now = g_get_monotonic_time ();

  update_send_sensitive (app);
  if (!app->started || app->ended)
    return;
  if (text[0] == '\0')
    {
      composing_stop (app, TRUE);
      return;
    }
  /* Active again before the peer's refresh runs out. */
  if (!app->composing ||
      now - app->composing_since > (COMPOSING_REFRESH - 10) * G_USEC_PER_SEC)
    {
      if (msrp_chat_send_composing_indication (app->chat, "active", COMPOSING_REFRESH, NULL))
        {
          app->composing = TRUE;
          app->composing_since = now;
        }
    }
  g_clear_handle_id (&app->composing_timer, g_source_remove);
  app->composing_timer = g_timeout_add_seconds (COMPOSING_IDLE, on_composing_idle, app);
}

/* Sending */

static void
on_send_clicked (GtkButton *button,
                 App       *app)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (app->entry));
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *me = NULL;
  g_autoptr(GcMessage) message = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (text[0] == '\0' || !app->started || app->ended)
    return;
  id = msrp_chat_send_text (app->chat, text, &error);
  if (id == NULL)
    {
      fail (app, "Cannot send", error->message);
      return;
    }
  /* A message tells the peer that composing is over (RFC 3994 section 3). */
  composing_stop (app, FALSE);

  me = display_name (app->local_identity);
  now = g_date_time_new_now_utc ();
  message = gc_message_new (TRUE, me, text, now);
  g_hash_table_insert (app->sent, g_steal_pointer (&id), g_object_ref (message));
  app->sent_count++;
  g_list_store_append (app->messages, message);
  gtk_editable_set_text (GTK_EDITABLE (app->entry), "");
  if (app->script != NULL)
    g_idle_add_once (run_script, app);
}

static void
on_entry_activate (GtkEntry *entry,
                   App      *app)
{
  gtk_widget_activate (GTK_WIDGET (app->send_button));
}

/* --send: type the next text into the entry and press Send, as a person
 * would; the button's clicked handler sends it and comes back here. */
static void
run_script (gpointer user_data)
{
  App *app = user_data;

  if (app->window == NULL || app->ended || app->script == NULL || app->script[app->script_next] == NULL)
    return;
  gtk_editable_set_text (GTK_EDITABLE (app->entry), app->script[app->script_next++]);
  /* The button shows itself pressed for a moment, then emits clicked. */
  gtk_widget_activate (GTK_WIDGET (app->send_button));
}

/* What the chat tells */

static void
on_message_received (MsrpChat        *chat,
                     MsrpChatMessage *chat_message,
                     App             *app)
{
  g_autofree char *sender = display_name (msrp_chat_message_get_sender (chat_message));
  const char *text = msrp_chat_message_get_text (chat_message);
  g_autofree char *other = NULL;
  g_autoptr(GcMessage) message = NULL;
  GDateTime *timestamp = msrp_chat_message_get_timestamp (chat_message);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (text == NULL)
    text = other = g_strdup_printf ("[%s, %zu bytes]",
                                    msrp_chat_message_get_content_type (chat_message),
                                    g_bytes_get_size (msrp_chat_message_get_content (chat_message)));
  if (app->title_from_message)
    set_title_peer (app, sender);
  /* A message ends its sender's typing. */
  gtk_widget_set_visible (GTK_WIDGET (app->typing_label), FALSE);

  message = gc_message_new (FALSE, sender, text, timestamp != NULL ? timestamp : now);
  g_list_store_append (app->messages, message);
  if (msrp_chat_message_get_message_id (chat_message) != NULL)
    g_queue_push_tail (&app->unseen, g_strdup (msrp_chat_message_get_message_id (chat_message)));
  send_display_notifications (app);
  check_done (app);
}

static void
set_sent_mark (App        *app,
               const char *id,
               GcMark      mark,
               const char *reason)
{
  GcMessage *message = g_hash_table_lookup (app->sent, id);
  gboolean was_settled;

  if (message == NULL)
    return;
  was_settled = message->mark >= GC_MARK_DISPLAYED;
  gc_message_set_mark (message, mark, reason);
  if (!was_settled && message->mark >= GC_MARK_DISPLAYED)
    app->sent_settled++;
  if (mark == GC_MARK_FAILED)
    app->exit_status = EXIT_FAILURE;
  check_done (app);
}

static void
on_message_delivered (MsrpChat   *chat,
                      const char *id,
                      App        *app)
{
  set_sent_mark (app, id, GC_MARK_DELIVERED, NULL);
}

static void
on_message_displayed (MsrpChat   *chat,
                      const char *id,
                      App        *app)
{
  set_sent_mark (app, id, GC_MARK_DISPLAYED, NULL);
}

static void
on_message_not_delivered (MsrpChat   *chat,
                          const char *id,
                          guint       code,
                          const char *reason,
                          App        *app)
{
  g_autofree char *why = code != 0 ? g_strdup_printf ("%u %s", code, reason) : g_strdup (reason);

  set_sent_mark (app, id, GC_MARK_FAILED, why);
}

static void
on_composing (MsrpChat        *chat,
              MsrpIsComposing *indication,
              const char      *sender,
              App             *app)
{
  gboolean active = g_strcmp0 (msrp_is_composing_get_state (indication), "active") == 0;

  if (active)
    {
      g_autofree char *name = display_name (sender);
      g_autofree char *text = g_strdup_printf ("%s is typing…", name);

      gtk_label_set_text (app->typing_label, text);
      say ("typing: %s", text);
    }
  else
    say ("typing: stopped");
  gtk_widget_set_visible (GTK_WIDGET (app->typing_label), active);
}

static void
on_chat_ended (MsrpStream *stream,
               App        *app)
{
  app->ended = TRUE;
  update_send_sensitive (app);
  gtk_widget_set_visible (GTK_WIDGET (app->typing_label), FALSE);
  set_status (app, app->ending ? "You ended the chat" : "The peer ended the chat");
  if (app->quit_after > 0 && !app->ending)
    {
      if (app->shown_incoming < (guint) app->quit_after || app->sent_settled < app->sent_count)
        {
          fprintf (stderr, "gtk-chat: the chat ended before all messages were shown and displayed\n");
          app->exit_status = EXIT_FAILURE;
        }
      app_finish (app);
    }
}

static void
on_chat_failed (MsrpStream   *stream,
                const GError *error,
                App          *app)
{
  app->ended = TRUE;
  update_send_sensitive (app);
  fail (app, "The chat failed", error->message);
}

/* Starting: the SDP goes through files */

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  MsrpSession *session;
  GIOStream *stream;

  if (!msrp_stream_start_finish (MSRP_STREAM (source), result, &error))
    {
      /* The failed signal has told already, or we are going. */
      if (!app->ended && !app->ending)
        fail (app, "Cannot connect", error->message);
      return;
    }
  app->started = TRUE;
  session = msrp_stream_get_session (MSRP_STREAM (app->chat));
  stream = msrp_transport_get_stream (msrp_session_get_transport (session));
  /* A connecting side may get its TLS connection wrapped. */
  if (G_IS_TCP_WRAPPER_CONNECTION (stream))
    stream = g_tcp_wrapper_connection_get_base_io_stream (G_TCP_WRAPPER_CONNECTION (stream));
  set_status (app, G_IS_TLS_CONNECTION (stream) ? "Connected, encrypted (TLS)"
                                                : "Connected, not encrypted");
  gtk_widget_set_sensitive (GTK_WIDGET (app->entry), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (app->entry));
  update_send_sensitive (app);
  send_display_notifications (app);
  if (app->script != NULL)
    g_idle_add_once (run_script, app);
  check_done (app);
}

static void
watch_stop (App *app)
{
  if (app->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (app->monitor, app);
      g_file_monitor_cancel (app->monitor);
    }
  g_clear_object (&app->monitor);
  g_clear_object (&app->watched);
}

static void load_watched (App *app);

static void
on_watched_loaded (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(MsrpSdpMedia) media = NULL;
  gsize length;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      app->loading = FALSE;
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          fail (app, "Cannot read the SDP", error->message);
          return;
        }
    }
  else
    {
      app->loading = FALSE;
      media = msrp_sdp_media_parse (contents, &error);
      /* Someone may write it again, right this time. */
      if (media == NULL)
        {
          g_autofree char *path = g_file_get_path (G_FILE (source));
          g_autofree char *status = g_strdup_printf ("%s holds no SDP media (%s); waiting for another",
                                                     path, error->message);

          set_status (app, status);
        }
    }

  if (media != NULL)
    {
      watch_stop (app);
      app->on_sdp (app, media);
    }
  else if (app->load_again)
    load_watched (app);
}

static void
load_watched (App *app)
{
  if (app->loading)
    {
      app->load_again = TRUE;
      return;
    }
  app->loading = TRUE;
  app->load_again = FALSE;
  g_file_load_contents_async (app->watched, app->cancellable, on_watched_loaded, app);
}

static void
on_watched_changed (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other_file,
                    GFileMonitorEvent  event,
                    App               *app)
{
  /* Read it once it is whole: when its writer closed it (a file renamed
   * into place comes with this hint too). */
  if (event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    load_watched (app);
}

/* Waits (without blocking) until @path holds an SDP media section, then
 * gives it to @on_sdp. */
static void
watch_for_sdp (App         *app,
               const char  *path,
               void       (*on_sdp) (App *app, MsrpSdpMedia *media))
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status = g_strdup_printf ("Waiting for the %s in %s",
                                             app->answerer ? "offer" : "answer", path);

  set_status (app, status);
  app->watched = g_file_new_for_commandline_arg (path);
  app->on_sdp = on_sdp;
  app->monitor = g_file_monitor_file (app->watched, G_FILE_MONITOR_NONE, app->cancellable, &error);
  if (app->monitor == NULL)
    {
      fail (app, "Cannot watch the file", error->message);
      return;
    }
  g_signal_connect (app->monitor, "changed", G_CALLBACK (on_watched_changed), app);
  /* It may be there already. */
  load_watched (app);
}

static void
on_answer_read (App          *app,
                MsrpSdpMedia *answer)
{
  set_status (app, "Connecting…");
  msrp_stream_start_async (MSRP_STREAM (app->chat), answer, app->cancellable, on_started, app);
}

static void
on_sdp_moved (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_move_finish (G_FILE (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (app, "Cannot write the SDP", error->message);
      return;
    }
  if (app->answerer)
    {
      /* The answerer connects (a=setup:active). */
      set_status (app, "Connecting…");
      msrp_stream_start_async (MSRP_STREAM (app->chat), NULL, app->cancellable, on_started, app);
    }
  else
    watch_for_sdp (app, app->answer_path, on_answer_read);
}

static void
on_sdp_written (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (app, "Cannot write the SDP", error->message);
      return;
    }
  file = g_file_new_for_commandline_arg (app->answerer ? app->answer_path : app->offer_path);
  g_file_move_async (G_FILE (source), file, G_FILE_COPY_OVERWRITE, G_PRIORITY_DEFAULT,
                     app->cancellable, NULL, NULL, on_sdp_moved, app);
}

/* Our SDP media goes into a file of its own first, then is renamed into
 * place: the other side never reads half of it. */
static void
on_initialized (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpSdpMedia) media = NULL;
  g_autoptr(GFile) part = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autofree char *part_path = NULL;
  char *sdp;

  media = msrp_stream_initialize_finish (MSRP_STREAM (source), result, &error);
  if (media == NULL)
    {
      if (!app->ended && !app->ending)
        fail (app, "Cannot set up the chat", error->message);
      return;
    }
  sdp = msrp_sdp_media_to_string (media);
  text = g_bytes_new_take (sdp, strlen (sdp));
  part_path = g_strconcat (app->answerer ? app->answer_path : app->offer_path, ".part", NULL);
  part = g_file_new_for_commandline_arg (part_path);
  g_file_replace_contents_bytes_async (part, text, NULL, FALSE, G_FILE_CREATE_NONE,
                                       app->cancellable, on_sdp_written, app);
}

static void
on_offer_read (App          *app,
               MsrpSdpMedia *offer)
{
  msrp_stream_initialize_async (MSRP_STREAM (app->chat), offer, app->cancellable, on_initialized, app);
}

/* The offerer first removes an answer left from an earlier chat, so that it
 * waits for the answer to this offer. */
static void
on_old_answer_deleted (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_delete_finish (G_FILE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (app, "Cannot remove the old answer", error->message);
      return;
    }
  set_status (app, "Preparing the offer…");
  msrp_stream_initialize_async (MSRP_STREAM (app->chat), NULL, app->cancellable, on_initialized, app);
}

static void
start_chat (App *app)
{
  g_signal_connect (app->chat, "message-received", G_CALLBACK (on_message_received), app);
  g_signal_connect (app->chat, "message-delivered", G_CALLBACK (on_message_delivered), app);
  g_signal_connect (app->chat, "message-not-delivered", G_CALLBACK (on_message_not_delivered), app);
  g_signal_connect (app->chat, "message-displayed", G_CALLBACK (on_message_displayed), app);
  g_signal_connect (app->chat, "composing-indication", G_CALLBACK (on_composing), app);
  g_signal_connect (app->chat, "ended", G_CALLBACK (on_chat_ended), app);
  g_signal_connect (app->chat, "failed", G_CALLBACK (on_chat_failed), app);

  msrp_stream_set_use_tls (MSRP_STREAM (app->chat), !app->no_tls);
  if (app->host != NULL)
    {
      g_autoptr(MsrpUri) uri = msrp_uri_new (app->host, 0, NULL, !app->no_tls);

      msrp_stream_set_local_uri (MSRP_STREAM (app->chat), uri);
    }

  if (app->answerer)
    watch_for_sdp (app, app->offer_path, on_offer_read);
  else
    {
      g_autoptr(GFile) answer = g_file_new_for_commandline_arg (app->answer_path);

      g_file_delete_async (answer, G_PRIORITY_DEFAULT, app->cancellable, on_old_answer_deleted, app);
    }
}

/* The window */

static gboolean
on_close_request (GtkWindow *window,
                  App       *app)
{
  /* Say goodbye to the peer before going. */
  app_finish (app);
  return TRUE;
}

/* Ctrl-C in the terminal that started it closes the window as well; a
 * second one does not wait for the goodbye. */
static gboolean
on_signal (gpointer user_data)
{
  App *app = user_data;

  if (app->ending || app->window == NULL)
    g_application_quit (G_APPLICATION (app->app));
  else
    app_finish (app);
  return G_SOURCE_CONTINUE;
}

static void
on_activate (GtkApplication *application,
             App            *app)
{
  GtkWidget *box, *bottom, *scroller;
  g_autofree char *peer = NULL;

  if (app->window != NULL)
    {
      gtk_window_present (app->window);
      return;
    }

  app->window = GTK_WINDOW (gtk_application_window_new (application));
  gtk_window_set_default_size (app->window, 420, 560);
  g_signal_connect (app->window, "close-request", G_CALLBACK (on_close_request), app);
  g_signal_connect (app->window, "notify::is-active", G_CALLBACK (on_window_active), app);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  app->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (app->status_label), "dim-label");
  gtk_widget_set_margin_top (GTK_WIDGET (app->status_label), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (app->status_label), 6);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (app->status_label));

  app->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (app->list, GTK_SELECTION_NONE);
  gtk_list_box_bind_model (app->list, G_LIST_MODEL (app->messages), create_row, app, NULL);
  scroller = gtk_scrolled_window_new ();
  app->scroller = GTK_SCROLLED_WINDOW (scroller);
  gtk_scrolled_window_set_policy (app->scroller, GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (app->scroller, GTK_WIDGET (app->list));
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (box), scroller);

  app->typing_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (app->typing_label, 0.0);
  gtk_widget_add_css_class (GTK_WIDGET (app->typing_label), "dim-label");
  gtk_widget_set_margin_start (GTK_WIDGET (app->typing_label), 12);
  gtk_widget_set_visible (GTK_WIDGET (app->typing_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (app->typing_label));

  bottom = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start (bottom, 6);
  gtk_widget_set_margin_end (bottom, 6);
  gtk_widget_set_margin_top (bottom, 6);
  gtk_widget_set_margin_bottom (bottom, 6);
  app->entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (app->entry, "Message");
  gtk_widget_set_hexpand (GTK_WIDGET (app->entry), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (app->entry), FALSE);
  g_signal_connect (app->entry, "changed", G_CALLBACK (on_entry_changed), app);
  g_signal_connect (app->entry, "activate", G_CALLBACK (on_entry_activate), app);
  app->send_button = GTK_BUTTON (gtk_button_new_with_mnemonic ("_Send"));
  gtk_widget_add_css_class (GTK_WIDGET (app->send_button), "suggested-action");
  g_signal_connect (app->send_button, "clicked", G_CALLBACK (on_send_clicked), app);
  gtk_box_append (GTK_BOX (bottom), GTK_WIDGET (app->entry));
  gtk_box_append (GTK_BOX (bottom), GTK_WIDGET (app->send_button));
  gtk_box_append (GTK_BOX (box), bottom);

  gtk_window_set_child (app->window, box);
  update_send_sensitive (app);

  /* Without --remote-identity, the title waits for the peer's first
   * message to name it. */
  if (!app->title_from_message)
    peer = display_name (app->remote_identity);
  set_title_peer (app, peer);
  gtk_window_present (app->window);

  start_chat (app);
}

/* Options */

static char *
default_identity (void)
{
  const char *real_name = g_get_real_name ();
  const char *user = g_get_user_name ();
  const char *host = g_get_host_name ();

  if (real_name[0] != '\0' && g_strcmp0 (real_name, "Unknown") != 0)
    {
      g_autoptr(GString) quoted = g_string_new (real_name);

      g_string_replace (quoted, "\\", "\\\\", 0);
      g_string_replace (quoted, "\"", "\\\"", 0);
      return g_strdup_printf ("\"%s\" <sip:%s@%s>", quoted->str, user, host);
    }
  return g_strdup_printf ("<sip:%s@%s>", user, host);
}

static gboolean
parse_options (App    *app,
               int    *argc,
               char ***argv)
{
  const GOptionEntry entries[] = {
    { "offer-file", 'o', 0, G_OPTION_ARG_FILENAME, &app->offer_path,
      "The file of the SDP offer (written by the offerer, read by the answerer)", "FILE" },
    { "answer-file", 'a', 0, G_OPTION_ARG_FILENAME, &app->answer_path,
      "The file of the SDP answer (written by the answerer, read by the offerer)", "FILE" },
    { "answer", 0, 0, G_OPTION_ARG_NONE, &app->answerer,
      "Answer: read the offer, write the answer (without it: make the offer)", NULL },
    { "local-identity", 0, 0, G_OPTION_ARG_STRING, &app->local_identity,
      "Who you are, as “Name <sip:user@host>” (default: your user name)", "IDENTITY" },
    { "remote-identity", 0, 0, G_OPTION_ARG_STRING, &app->remote_identity,
      "Who the peer is (default: learnt from its messages)", "IDENTITY" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &app->host,
      "The local address to put in the SDP", "ADDRESS" },
    { "no-tls", 0, 0, G_OPTION_ARG_NONE, &app->no_tls,
      "Chat over plain TCP (the default is TLS, checked by SDP fingerprints)", NULL },
    { "send", 0, 0, G_OPTION_ARG_STRING_ARRAY, &app->script,
      "Once connected, type TEXT into the entry and press Send (repeatable)", "TEXT" },
    { "quit-after", 0, 0, G_OPTION_ARG_INT, &app->quit_after,
      "Quit once N messages from the peer are shown and the peer displayed ours", "N" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context,
    "A chat window on MSRP. Two windows exchange their SDP through two files:\n"
    "  gtk-chat --offer-file offer.sdp --answer-file answer.sdp\n"
    "  gtk-chat --answer --offer-file offer.sdp --answer-file answer.sdp");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      fprintf (stderr, "gtk-chat: %s\n", error->message);
      return FALSE;
    }
  if (app->offer_path == NULL || app->answer_path == NULL)
    {
      fprintf (stderr, "gtk-chat: give both --offer-file and --answer-file (see --help)\n");
      return FALSE;
    }
  if (app->quit_after < 0)
    {
      fprintf (stderr, "gtk-chat: --quit-after takes a number of messages, 0 or more\n");
      return FALSE;
    }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  App app = { 0 };
  int status;

  /* Options in the locale's charset become UTF-8. */
  setlocale (LC_ALL, "");
  if (!parse_options (&app, &argc, &argv))
    return 2;
  app.title_from_message = app.remote_identity == NULL;
  if (app.local_identity == NULL)
    app.local_identity = default_identity ();
  if (app.remote_identity == NULL)
    app.remote_identity = g_strdup ("<sip:anonymous@anonymous.invalid>");

  app.chat = msrp_chat_new (app.local_identity, app.remote_identity);
  app.cancellable = g_cancellable_new ();
  app.messages = g_list_store_new (GC_TYPE_MESSAGE);
  app.sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_queue_init (&app.unseen);

  /* Non-unique: two windows of it run side by side. */
  app.app = gtk_application_new ("org.example.MsrpGtkChat", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app.app, "activate", G_CALLBACK (on_activate), &app);
  g_unix_signal_add (SIGINT, on_signal, &app);
  g_unix_signal_add (SIGTERM, on_signal, &app);
  status = g_application_run (G_APPLICATION (app.app), 1, argv);

  composing_stop (&app, FALSE);
  watch_stop (&app);
  g_object_unref (app.app);
  g_object_unref (app.chat);
  g_object_unref (app.cancellable);
  g_object_unref (app.messages);
  g_hash_table_unref (app.sent);
  g_queue_clear_full (&app.unseen, g_free);
  g_free (app.title_peer);
  g_free (app.offer_path);
  g_free (app.answer_path);
  g_free (app.local_identity);
  g_free (app.remote_identity);
  g_free (app.host);
  g_strfreev (app.script);
  return status != 0 ? status : app.exit_status;
}
