/* msrp-tunnel-io-stream.c: the GIOStream of an MsrpStreamTunnel
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include "msrp-tunnel-io-stream-private.h"
#include "msrp-utils-private.h"

/* The state the GIOStream and its two streams share: any of them may
 * outlive the others. Used from the main context the tunnel was made in;
 * the streams are pollable, so GIO's async reads and writes run there
 * without threads. A synchronous read or write that would wait fails with
 * G_IO_ERROR_WOULD_BLOCK instead of blocking the main context. */
typedef struct _TunnelCore TunnelCore;

/* What is written is copied into blocks of one message each; a block goes
 * back to the spares when the session let go of it, so that a bulk copy
 * reuses warm memory instead of faulting fresh pages in for every write. */
typedef struct {
  TunnelCore *core;             /* a reference while the session has it */
  gsize capacity;
  gsize size;
  guint8 data[];
} Block;

/* Spare blocks kept for the next writes: a steady copy takes back about
 * one as it gives one, and an idle tunnel holds this many at most. */
#define MAX_SPARE_BLOCKS 4

struct _TunnelCore {
  gatomicrefcount ref;
  char *content_type;
  MsrpSession *session;         /* while attached */
  gulong chunk_id;
  gboolean detached;
  gsize chunk_size;

  /* Input */
  GQueue in;                    /* GBytes not read yet */
  gsize in_offset;              /* read of the first */
  gsize in_buffered;
  gsize in_max_buffered;
  gboolean in_eof;              /* the peer closed its side */
  GError *in_error;             /* after what is buffered */
  gboolean in_closed;
  gboolean paused;
  GQueue in_sources;            /* WakeSource waiting for readable */

  /* Output */
  Block *fill;                  /* written, not given to the session yet */
  GSList *spare;                /* Block */
  guint n_spare;
  guint in_flight;              /* messages the session has not taken yet */
  gsize out_queued;             /* written, not taken by the session */
  gsize out_max_queued;
  GError *out_error;
  gboolean eof_sent;
  gboolean eof_wanted;          /* closed before the session came */
  GQueue out_sources;           /* WakeSource waiting for writable */
  GQueue out_waiters;           /* GTask: flush and close, for out_queued 0 */
};

static TunnelCore *
core_ref (TunnelCore *core)
{
  g_atomic_ref_count_inc (&core->ref);
  return core;
}

static void
core_unref (TunnelCore *core)
{
  if (!g_atomic_ref_count_dec (&core->ref))
    return;
  g_assert (core->session == NULL);
  g_assert (g_queue_is_empty (&core->out_waiters));
  g_assert (g_queue_is_empty (&core->in_sources) && g_queue_is_empty (&core->out_sources));
  g_free (core->content_type);
  g_queue_clear_full (&core->in, (GDestroyNotify) g_bytes_unref);
  g_clear_error (&core->in_error);
  g_clear_error (&core->out_error);
  g_free (core->fill);
  g_slist_free_full (core->spare, g_free);
  g_free (core);
}

/* The child source of the streams' pollable sources: it is ready while its
 * stream is, and otherwise waits in the core's queue until wake() makes it
 * ready. A wake-up thus costs nothing while nobody waits. */
typedef struct {
  GSource source;
  TunnelCore *core;
  gboolean output;
  GList link;                   /* in in_sources or out_sources while waiting */
} WakeSource;

static gboolean core_readable (TunnelCore *core);
static gboolean core_writable (TunnelCore *core);

static GQueue *
wake_source_queue (WakeSource *ws)
{
  return ws->output ? &ws->core->out_sources : &ws->core->in_sources;
}

/* Ready now, or waits to be woken. */
static void
wake_source_arm (WakeSource *ws)
{
  gboolean ready = ws->output ? core_writable (ws->core) : core_readable (ws->core);

  if (ready)
    g_source_set_ready_time (&ws->source, 0);
  else
    {
      g_source_set_ready_time (&ws->source, -1);
      if (ws->link.data == NULL)
        {
          ws->link.data = ws;
          g_queue_push_tail_link (wake_source_queue (ws), &ws->link);
        }
    }
}

static gboolean
wake_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  WakeSource *ws = (WakeSource *) source;

  /* Level-triggered, as a socket's: it fires again only while the stream
   * is still ready. */
  wake_source_arm (ws);
  return callback != NULL ? callback (user_data) : G_SOURCE_CONTINUE;
}

static void
wake_source_finalize (GSource *source)
{
  WakeSource *ws = (WakeSource *) source;

  if (ws->link.data != NULL)
    g_queue_unlink (wake_source_queue (ws), &ws->link);
  core_unref (ws->core);
}

static GSourceFuncs wake_source_funcs = {
  .dispatch = wake_source_dispatch,
  .finalize = wake_source_finalize,
};

/* Makes the waiting sources of one direction ready. */
static void
wake (GQueue *sources)
{
  GList *link;

  while ((link = g_queue_pop_head_link (sources)) != NULL)
    {
      WakeSource *ws = link->data;

      link->data = NULL;
      if (!g_source_is_destroyed (&ws->source))
        g_source_set_ready_time (&ws->source, 0);
    }
}

/* As g_pollable_source_new_full() with a WakeSource child, which has no
 * callback (it takes no dummy one). */
static GSource *
make_source (GObject      *pollable,
             TunnelCore   *core,
             gboolean      output,
             GCancellable *cancellable)
{
  GSource *source = g_pollable_source_new (pollable);
  GSource *child = g_source_new (&wake_source_funcs, sizeof (WakeSource));
  WakeSource *ws = (WakeSource *) child;

  ws->core = core_ref (core);
  ws->output = output;
  g_source_set_static_name (child, "[msrp] tunnel stream wake-up");
  wake_source_arm (ws);
  g_source_add_child_source (source, child);
  g_source_unref (child);
  if (cancellable != NULL)
    {
      GSource *cancellable_source = g_cancellable_source_new (cancellable);

      g_source_set_dummy_callback (cancellable_source);
      g_source_add_child_source (source, cancellable_source);
      g_source_unref (cancellable_source);
    }
  return source;
}

/* Input */

static void
core_pause_check (TunnelCore *core)
{
  if (core->paused && (core->in_buffered <= MSRP_TUNNEL_INPUT_LOW || core->session == NULL))
    {
      core->paused = FALSE;
      if (core->session != NULL)
        msrp_session_resume_reading (core->session);
    }
}

static gboolean
core_readable (TunnelCore *core)
{
  return core->in_closed || core->in_buffered > 0 || core->in_eof || core->in_error != NULL ||
         core->detached;
}

static gssize
core_read (TunnelCore  *core,
           void        *buffer,
           gsize        count,
           GError     **error)
{
  gsize done = 0;

  if (core->in_buffered == 0)
    {
      if (core->in_error != NULL)
        {
          g_propagate_error (error, g_error_copy (core->in_error));
          return -1;
        }
      if (core->in_eof || core->detached)
        return 0;
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                           g_strerror (EAGAIN));
      return -1;
    }

  while (done < count && !g_queue_is_empty (&core->in))
    {
      GBytes *head = g_queue_peek_head (&core->in);
      gsize size;
      const guint8 *data = g_bytes_get_data (head, &size);
      gsize n = MIN (count - done, size - core->in_offset);

      memcpy ((guint8 *) buffer + done, data + core->in_offset, n);
      done += n;
      core->in_offset += n;
      if (core->in_offset == size)
        {
          g_bytes_unref (g_queue_pop_head (&core->in));
          core->in_offset = 0;
        }
    }
  core->in_buffered -= done;
  core_pause_check (core);
  return done;
}

static void
core_drop_input (TunnelCore *core)
{
  g_queue_clear_full (&core->in, (GDestroyNotify) g_bytes_unref);
  g_queue_init (&core->in);
  core->in_offset = 0;
  core->in_buffered = 0;
  core_pause_check (core);
}

static void
on_chunk_received (MsrpSession *session,
                   MsrpChunk   *chunk,
                   gpointer     user_data)
{
  TunnelCore *core = user_data;
  GBytes *data = msrp_chunk_get_data (chunk);
  gsize size = data != NULL ? g_bytes_get_size (data) : 0;
  gint64 total;

  /* An empty message is the peer's end of its direction (what closing
   * its output stream sends). */
  msrp_chunk_get_byte_range (chunk, NULL, NULL, &total);
  if (size == 0)
    {
      if (total == 0 && msrp_chunk_get_continuation (chunk) == MSRP_CONTINUATION_END)
        {
          g_debug ("MSRP tunnel: the peer closed its side");
          core->in_eof = TRUE;
          wake (&core->in_sources);
        }
      return;
    }
  /* Nobody reads any more: what comes is dropped, and the peer is not
   * held up. */
  if (core->in_closed || core->in_eof)
    return;

  g_queue_push_tail (&core->in, g_bytes_ref (data));
  core->in_buffered += size;
  core->in_max_buffered = MAX (core->in_max_buffered, core->in_buffered);
  /* The application is behind: TCP slows the peer down. */
  if (core->in_buffered > MSRP_TUNNEL_INPUT_HIGH && !core->paused)
    {
      core->paused = TRUE;
      msrp_session_pause_reading (session);
    }
  wake (&core->in_sources);
}

/* Output */

static gboolean
core_writable (TunnelCore *core)
{
  return core->out_error != NULL || core->detached ||
         (core->session != NULL && core->out_queued < MSRP_TUNNEL_OUTPUT_HIGH);
}

/* What a task in out_waiters waits for. */
enum {
  WAIT_FLUSH = 1,
  WAIT_CLOSE,
};

static void flush_done (GTask *task);
static void close_done (GTask *task);

static void
core_finish_waiters (TunnelCore *core)
{
  while (!g_queue_is_empty (&core->out_waiters) &&
         (core->out_queued == 0 || core->out_error != NULL || core->detached))
    {
      GTask *task = g_queue_pop_head (&core->out_waiters);

      if (GPOINTER_TO_INT (g_task_get_task_data (task)) == WAIT_CLOSE)
        close_done (task);
      else
        flush_done (task);
    }
}

static void core_flush_fill (TunnelCore *core);

/* Blocks */

static Block *
block_take (TunnelCore *core)
{
  Block *block;

  if (core->spare != NULL)
    {
      block = core->spare->data;
      core->spare = g_slist_delete_link (core->spare, core->spare);
      core->n_spare--;
    }
  else
    {
      block = g_malloc (sizeof (Block) + core->chunk_size);
      block->capacity = core->chunk_size;
    }
  block->core = NULL;
  block->size = 0;
  return block;
}

/* The session is done with a block's bytes. */
static void
block_release (gpointer data)
{
  Block *block = data;
  TunnelCore *core = block->core;

  if (block->capacity == core->chunk_size && core->n_spare < MAX_SPARE_BLOCKS)
    {
      core->spare = g_slist_prepend (core->spare, block);
      core->n_spare++;
    }
  else
    g_free (block);
  core_unref (core);
}

/* Output */

typedef struct {
  TunnelCore *core;
  gsize size;
} SendData;

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SendData *data = user_data;
  TunnelCore *core = data->core;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = msrp_session_send_message_finish (MSRP_SESSION (source), result, &error);

  core->in_flight--;
  core->out_queued -= data->size;
  g_free (data);
  if (id == NULL && core->out_error == NULL)
    {
      g_debug ("MSRP tunnel: a write failed: %s", error->message);
      core->out_error = g_steal_pointer (&error);
    }
  /* What was written meanwhile goes out now, in one message. */
  if (core->in_flight == 0)
    core_flush_fill (core);
  wake (&core->out_sources);
  core_finish_waiters (core);
  core_unref (core);
}

/* A message for the session (@bytes: transfer full); its bytes count as
 * queued until it took them. */
static void
core_send (TunnelCore *core,
           GBytes     *bytes)
{
  SendData *data = g_new (SendData, 1);

  data->core = core_ref (core);
  data->size = g_bytes_get_size (bytes);
  core->in_flight++;
  msrp_session_send_message_async (core->session, bytes, core->content_type, NULL, on_sent, data);
  g_bytes_unref (bytes);
}

/* Gives the block being filled to the session. */
static void
core_flush_fill (TunnelCore *core)
{
  Block *block = g_steal_pointer (&core->fill);

  if (block == NULL)
    return;
  if (core->session == NULL || core->out_error != NULL)
    {
      /* Nothing will take it: it is not queued any more. */
      core->out_queued -= block->size;
      g_free (block);
      return;
    }
  block->core = core_ref (core);
  core_send (core, g_bytes_new_with_free_func (block->data, block->size, block_release, block));
}

static GError *
core_closed_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE,
                              _("The MSRP tunnel has ended"));
}

static gssize
core_write (TunnelCore  *core,
            const void  *buffer,
            gsize        count,
            GError     **error)
{
  gsize done = 0;

  if (core->out_error != NULL)
    {
      g_propagate_error (error, g_error_copy (core->out_error));
      return -1;
    }
  if (core->detached)
    {
      g_propagate_error (error, core_closed_error ());
      return -1;
    }
  if (!core_writable (core))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, g_strerror (EAGAIN));
      return -1;
    }

  /* Each message is one chunk, as the reference carries VNC. Writes made
   * while one is going out are gathered into the next, up to a chunk:
   * fewer, larger SENDs when the application writes in small pieces. */
  while (done < count && core_writable (core) && core->out_error == NULL)
    {
      gsize n;

      if (core->fill == NULL)
        core->fill = block_take (core);
      n = MIN (count - done, core->fill->capacity - core->fill->size);
      memcpy (core->fill->data + core->fill->size, (const guint8 *) buffer + done, n);
      core->fill->size += n;
      core->out_queued += n;
      done += n;
      if (core->fill->size == core->fill->capacity || core->in_flight == 0)
        core_flush_fill (core);
    }
  core->out_max_queued = MAX (core->out_max_queued, core->out_queued);
  return done;
}

/* Sends the end of our direction, once, after what was written. */
static void
core_send_eof (TunnelCore *core)
{
  if (core->session == NULL)
    core->eof_wanted = !core->detached;
  if (core->eof_sent || core->session == NULL || core->out_error != NULL)
    return;
  core->eof_sent = TRUE;
  core_flush_fill (core);
  core_send (core, g_bytes_new_static ("", 0));
}

/* MsrpTunnelInput: GInputStream, GPollableInputStream */

#define MSRP_TYPE_TUNNEL_INPUT (msrp_tunnel_input_get_type ())
G_DECLARE_FINAL_TYPE (MsrpTunnelInput, msrp_tunnel_input, MSRP, TUNNEL_INPUT, GInputStream)

struct _MsrpTunnelInput
{
  GInputStream parent_instance;
  TunnelCore *core;
};

static void msrp_tunnel_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MsrpTunnelInput, msrp_tunnel_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      msrp_tunnel_input_pollable_init))

static gssize
input_read (GInputStream  *stream,
            void          *buffer,
            gsize          count,
            GCancellable  *cancellable,
            GError       **error)
{
  return core_read (MSRP_TUNNEL_INPUT (stream)->core, buffer, count, error);
}

static gboolean
input_close (GInputStream  *stream,
             GCancellable  *cancellable,
             GError       **error)
{
  TunnelCore *core = MSRP_TUNNEL_INPUT (stream)->core;

  core->in_closed = TRUE;
  core_drop_input (core);
  return TRUE;
}

/* Closing takes no waiting: not in a thread, as GIO would. */
static void
input_close_async (GInputStream        *stream,
                   int                  io_priority,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, input_close_async);
  input_close (stream, cancellable, NULL);
  g_task_return_boolean (task, TRUE);
}

static gboolean
input_is_readable (GPollableInputStream *stream)
{
  return core_readable (MSRP_TUNNEL_INPUT (stream)->core);
}

static GSource *
input_create_source (GPollableInputStream *stream,
                     GCancellable         *cancellable)
{
  TunnelCore *core = MSRP_TUNNEL_INPUT (stream)->core;

  return make_source (G_OBJECT (stream), core, FALSE, cancellable);
}

static gssize
input_read_nonblocking (GPollableInputStream  *stream,
                        void                  *buffer,
                        gsize                  count,
                        GError               **error)
{
  return core_read (MSRP_TUNNEL_INPUT (stream)->core, buffer, count, error);
}

static void
msrp_tunnel_input_finalize (GObject *object)
{
  core_unref (MSRP_TUNNEL_INPUT (object)->core);
  G_OBJECT_CLASS (msrp_tunnel_input_parent_class)->finalize (object);
}

static void
msrp_tunnel_input_init (MsrpTunnelInput *self)
{
}

static void
msrp_tunnel_input_class_init (MsrpTunnelInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = msrp_tunnel_input_finalize;
  input_class->read_fn = input_read;
  input_class->close_fn = input_close;
  input_class->close_async = input_close_async;
  /* GIO's own close_finish takes the task close_async makes. */
}

static void
msrp_tunnel_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->is_readable = input_is_readable;
  iface->create_source = input_create_source;
  iface->read_nonblocking = input_read_nonblocking;
}

/* MsrpTunnelOutput: GOutputStream, GPollableOutputStream */

#define MSRP_TYPE_TUNNEL_OUTPUT (msrp_tunnel_output_get_type ())
G_DECLARE_FINAL_TYPE (MsrpTunnelOutput, msrp_tunnel_output, MSRP, TUNNEL_OUTPUT, GOutputStream)

struct _MsrpTunnelOutput
{
  GOutputStream parent_instance;
  TunnelCore *core;
};

static void msrp_tunnel_output_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MsrpTunnelOutput, msrp_tunnel_output, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      msrp_tunnel_output_pollable_init))

static gssize
output_write (GOutputStream  *stream,
              const void     *buffer,
              gsize           count,
              GCancellable   *cancellable,
              GError        **error)
{
  return core_write (MSRP_TUNNEL_OUTPUT (stream)->core, buffer, count, error);
}

/* Synchronous close cannot wait: the end goes out after what is queued
 * (the session keeps the order), its result unseen. */
static gboolean
output_close (GOutputStream  *stream,
              GCancellable   *cancellable,
              GError        **error)
{
  core_send_eof (MSRP_TUNNEL_OUTPUT (stream)->core);
  return TRUE;
}

static void
flush_done (GTask *task)
{
  TunnelCore *core = MSRP_TUNNEL_OUTPUT (g_task_get_source_object (task))->core;

  if (core->out_error != NULL)
    g_task_return_error (task, g_error_copy (core->out_error));
  else if (core->detached && core->out_queued > 0)
    g_task_return_error (task, core_closed_error ());
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
close_done (GTask *task)
{
  TunnelCore *core = MSRP_TUNNEL_OUTPUT (g_task_get_source_object (task))->core;

  if (core->out_error != NULL || (core->detached && core->out_queued > 0))
    {
      flush_done (task);
      return;
    }
  if (core->eof_sent || core->session == NULL)
    {
      core_send_eof (core);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  /* Then the end itself, once the session took it. */
  core_send_eof (core);
  g_task_set_task_data (task, GINT_TO_POINTER (WAIT_FLUSH), NULL);
  g_queue_push_tail (&core->out_waiters, task);
}

static void
wait_queue (GOutputStream       *stream,
            gpointer             tag,
            int                  wait,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  TunnelCore *core = MSRP_TUNNEL_OUTPUT (stream)->core;
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, GINT_TO_POINTER (wait), NULL);
  g_queue_push_tail (&core->out_waiters, task);
  core_finish_waiters (core);
}

static void
output_flush_async (GOutputStream       *stream,
                    int                  io_priority,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  wait_queue (stream, output_flush_async, WAIT_FLUSH, cancellable, callback, user_data);
}

static void
output_close_async (GOutputStream       *stream,
                    int                  io_priority,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  wait_queue (stream, output_close_async, WAIT_CLOSE, cancellable, callback, user_data);
}

static gboolean
output_is_writable (GPollableOutputStream *stream)
{
  return core_writable (MSRP_TUNNEL_OUTPUT (stream)->core);
}

static GSource *
output_create_source (GPollableOutputStream *stream,
                      GCancellable          *cancellable)
{
  TunnelCore *core = MSRP_TUNNEL_OUTPUT (stream)->core;

  return make_source (G_OBJECT (stream), core, TRUE, cancellable);
}

static gssize
output_write_nonblocking (GPollableOutputStream  *stream,
                          const void             *buffer,
                          gsize                   count,
                          GError                **error)
{
  return core_write (MSRP_TUNNEL_OUTPUT (stream)->core, buffer, count, error);
}

static void
msrp_tunnel_output_finalize (GObject *object)
{
  core_unref (MSRP_TUNNEL_OUTPUT (object)->core);
  G_OBJECT_CLASS (msrp_tunnel_output_parent_class)->finalize (object);
}

static void
msrp_tunnel_output_init (MsrpTunnelOutput *self)
{
}

static void
msrp_tunnel_output_class_init (MsrpTunnelOutputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *output_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = msrp_tunnel_output_finalize;
  output_class->write_fn = output_write;
  output_class->close_fn = output_close;
  output_class->flush_async = output_flush_async;
  output_class->close_async = output_close_async;
  /* GIO's own finish functions take the tasks these make. */
}

static void
msrp_tunnel_output_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->is_writable = output_is_writable;
  iface->create_source = output_create_source;
  iface->write_nonblocking = output_write_nonblocking;
}

/* MsrpTunnelIOStream */

struct _MsrpTunnelIOStream
{
  GIOStream parent_instance;
  TunnelCore *core;
  MsrpTunnelInput *input;
  MsrpTunnelOutput *output;
};

G_DEFINE_FINAL_TYPE (MsrpTunnelIOStream, _msrp_tunnel_io_stream, G_TYPE_IO_STREAM)

static GInputStream *
io_get_input_stream (GIOStream *stream)
{
  return G_INPUT_STREAM (MSRP_TUNNEL_IO_STREAM (stream)->input);
}

static GOutputStream *
io_get_output_stream (GIOStream *stream)
{
  return G_OUTPUT_STREAM (MSRP_TUNNEL_IO_STREAM (stream)->output);
}

static gboolean
io_close (GIOStream     *stream,
          GCancellable  *cancellable,
          GError       **error)
{
  MsrpTunnelIOStream *self = MSRP_TUNNEL_IO_STREAM (stream);

  g_output_stream_close (G_OUTPUT_STREAM (self->output), cancellable, NULL);
  g_input_stream_close (G_INPUT_STREAM (self->input), cancellable, NULL);
  return TRUE;
}

static void
on_output_closed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  MsrpTunnelIOStream *self = g_task_get_source_object (task);
  GError *error = NULL;

  g_input_stream_close (G_INPUT_STREAM (self->input), NULL, NULL);
  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Output first: what was written goes out, then the end. */
static void
io_close_async (GIOStream           *stream,
                int                  io_priority,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  MsrpTunnelIOStream *self = MSRP_TUNNEL_IO_STREAM (stream);
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, io_close_async);
  g_output_stream_close_async (G_OUTPUT_STREAM (self->output), io_priority, cancellable,
                               on_output_closed, task);
}

static gboolean
io_close_finish (GIOStream     *stream,
                 GAsyncResult  *result,
                 GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
_msrp_tunnel_io_stream_finalize (GObject *object)
{
  MsrpTunnelIOStream *self = MSRP_TUNNEL_IO_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->output);
  core_unref (self->core);
  G_OBJECT_CLASS (_msrp_tunnel_io_stream_parent_class)->finalize (object);
}

static void
_msrp_tunnel_io_stream_init (MsrpTunnelIOStream *self)
{
}

static void
_msrp_tunnel_io_stream_class_init (MsrpTunnelIOStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *io_class = G_IO_STREAM_CLASS (klass);

  object_class->finalize = _msrp_tunnel_io_stream_finalize;
  io_class->get_input_stream = io_get_input_stream;
  io_class->get_output_stream = io_get_output_stream;
  io_class->close_fn = io_close;
  io_class->close_async = io_close_async;
  io_class->close_finish = io_close_finish;
}

MsrpTunnelIOStream *
_msrp_tunnel_io_stream_new (const char *content_type)
{
  MsrpTunnelIOStream *self = g_object_new (MSRP_TYPE_TUNNEL_IO_STREAM, NULL);
  TunnelCore *core = g_new0 (TunnelCore, 1);

  g_atomic_ref_count_init (&core->ref);
  core->content_type = g_strdup (content_type);
  core->chunk_size = MSRP_DEFAULT_MAX_CHUNK_SIZE;
  g_queue_init (&core->in);
  g_queue_init (&core->out_waiters);
  g_queue_init (&core->in_sources);
  g_queue_init (&core->out_sources);
  self->core = core;
  self->input = g_object_new (MSRP_TYPE_TUNNEL_INPUT, NULL);
  self->input->core = core_ref (core);
  self->output = g_object_new (MSRP_TYPE_TUNNEL_OUTPUT, NULL);
  self->output->core = core_ref (core);
  return self;
}

void
_msrp_tunnel_io_stream_attach (MsrpTunnelIOStream *stream,
                               MsrpSession        *session)
{
  TunnelCore *core;

  g_return_if_fail (MSRP_IS_TUNNEL_IO_STREAM (stream));
  g_return_if_fail (MSRP_IS_SESSION (session));

  core = stream->core;
  g_return_if_fail (core->session == NULL && !core->detached);
  core->session = g_object_ref (session);
  /* A message longer than a slice of the session's writes may be cut and
   * go out between the chunks of the next: one chunk each keeps the bytes
   * in order. */
  core->chunk_size = CLAMP (msrp_session_get_max_chunk_size (session), 1, MSRP_DEFAULT_MAX_CHUNK_SIZE);
  /* Nothing is put together: every chunk is read as it comes. */
  msrp_session_set_max_message_size (session, 0);
  core->chunk_id = g_signal_connect_data (session, "chunk-received", G_CALLBACK (on_chunk_received),
                                          core_ref (core), (GClosureNotify) (void (*) (void)) core_unref, 0);
  if (core->eof_wanted)
    core_send_eof (core);
  wake (&core->out_sources);
}

void
_msrp_tunnel_io_stream_detach (MsrpTunnelIOStream *stream,
                               const GError       *error)
{
  TunnelCore *core;

  g_return_if_fail (MSRP_IS_TUNNEL_IO_STREAM (stream));

  core = stream->core;
  if (core->detached)
    return;
  core->detached = TRUE;
  if (error != NULL && core->in_error == NULL && !core->in_eof)
    core->in_error = g_error_copy (error);
  /* What was written goes out before the session shuts down. */
  core_flush_fill (core);
  if (core->session != NULL)
    {
      if (core->paused)
        msrp_session_resume_reading (core->session);
      core->paused = FALSE;
      g_clear_signal_handler (&core->chunk_id, core->session);
      g_clear_object (&core->session);
    }
  wake (&core->in_sources);
  wake (&core->out_sources);
  core_finish_waiters (core);
}

gsize
_msrp_tunnel_io_stream_get_max_buffered (MsrpTunnelIOStream *stream)
{
  return stream->core->in_max_buffered;
}

gsize
_msrp_tunnel_io_stream_get_max_queued (MsrpTunnelIOStream *stream)
{
  return stream->core->out_max_queued;
}
