/* msrp-transport-mux.c: several MsrpTransports over one connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The sessions of one client through its relay share one connection (RFC
 * 4975 section 8.1, RFC 4976). The mux holds that connection (a transport
 * whose backend it drives) and gives each session a child transport with a
 * backend of its own: a child's batch ends where a chunk ends (an
 * interruptible chunk goes alone, in pieces), and writev() says where.
 *
 * Incoming, the mux parses the connection's chunks and hands each one's
 * bytes to the child whose local URI has the session-id of the last URI of
 * the To-Path (requests and responses alike); the child parses them again,
 * as it would a stream of its own. A request for nobody gets 481, a
 * response for nobody is dropped. A child that does not read holds at most
 * CHILD_HIGH_WATER bytes: past that the connection is not read until it
 * does.
 *
 * Outgoing, one child's chunk goes out whole (the pieces of an
 * interruptible chunk may come in several writes: the others wait until
 * its end) before the next child's; children that wait take their turns in
 * order.
 */

#include "config.h"

#include <string.h>

#include "msrp-transport-mux-private.h"
#include "msrp-transport-backend-private.h"
#include "msrp-chunk-private.h"
#include "msrp-error.h"
#include "msrp-uri-private.h"
#include "msrp-utils-private.h"

/* Bytes held for a child that does not read before the connection stops
 * being read; reading goes on once it has read half of them. */
#define CHILD_HIGH_WATER (256 * 1024)
/* Reads of the connection in one wakeup, so that a fast sender does not
 * keep the main loop from the children. */
#define READS_PER_WAKEUP 16
/* Children given their turn to write in one wakeup. */
#define WRITES_PER_WAKEUP 64
/* 481 answers waiting to be written, at most: a peer that sends requests
 * for sessions not here and reads no answers gets no more. */
#define MAX_QUEUED_ANSWERS 256

typedef struct _MuxChild MuxChild;

struct _MsrpMux
{
  guint ref_count;
  MsrpTransport *base;
  MsrpTransportBackend *backend;
  GMainContext *context;
  GHashTable *children;        /* session-id → MuxChild, registered */
  guint n_children;
  MsrpTransport *control;      /* answers chunks for nobody; not counted */
  MsrpMuxChildrenFunc children_func;
  gpointer children_data;
  gboolean released;           /* the connection is closed or closing */

  /* Reading */
  MsrpChunkParser *parser;
  guint8 *rbuf;
  gsize rpos, rlen;
  MuxChild *cur;               /* where the chunk being parsed goes, or NULL */
  gboolean cur_has_body;
  char cur_tid[MSRP_IDENT_MAX_LEN + 1];
  MuxChild *paused_on;         /* reading waits until it reads */
  gboolean in_read;
  GSource *resume_source;
  gboolean ended;
  GError *error;               /* how the connection was lost */

  /* Writing */
  MuxChild *writer;            /* its chunk is half written */
  MuxChild *serving;           /* given its turn, in _msrp_mux_writable() */
  gboolean base_blocked;
  GQueue waiting;              /* of MuxChild: they wait for their turn */
  gboolean want_write;
  GSource *kick_source;        /* tells waiting writers the connection is gone */
};

struct _MuxChild
{
  MsrpTransportBackend parent;
  MsrpMux *mux;                /* a reference */
  char *id;                    /* the session-id of its local URI */
  gboolean registered;
  gboolean control;            /* the mux's own, for 481s: not counted */
  GByteArray *in;              /* bytes for it, not read yet, from in_pos */
  gsize in_pos;
  gboolean want_read;
  GSource *read_source;
  gboolean ended;
  GError *error;
  GList wait_link;
  gboolean waiting;
};

static const MsrpTransportBackendFuncs child_funcs;

static void mux_read (MsrpMux *mux);
static void mux_fail (MsrpMux *mux, GError *error);
static void mux_set_want_write (MsrpMux *mux, gboolean want);
static void mux_update_want_write (MsrpMux *mux);

MsrpMux *
_msrp_mux_ref (MsrpMux *mux)
{
  mux->ref_count++;
  return mux;
}

/* Closes the connection: nothing more is read or written on it. */
static void
mux_release (MsrpMux *mux)
{
  MsrpTransport *control;

  if (mux->released)
    return;
  mux->released = TRUE;
  g_debug ("mux %p: closing the shared connection", mux);
  mux->backend->funcs->want_read (mux->backend, FALSE);
  if (mux->want_write)
    mux->backend->funcs->want_write (mux->backend, FALSE);
  mux->want_write = FALSE;
  mux->base->mux = NULL;
  msrp_transport_close_async (mux->base, NULL, NULL, NULL);
  if (!mux->ended)
    mux_fail (mux, _msrp_transport_closed_error ());
  /* Its backend holds a reference on the mux. */
  control = g_steal_pointer (&mux->control);
  if (control != NULL)
    {
      msrp_transport_close_async (control, NULL, NULL, NULL);
      g_object_unref (control);
    }
}

void
_msrp_mux_unref (MsrpMux *mux)
{
  if (--mux->ref_count > 0)
    return;
  g_assert (mux->n_children == 0 && mux->control == NULL);
  mux_release (mux);
  if (mux->resume_source != NULL)
    {
      g_source_destroy (mux->resume_source);
      g_source_unref (mux->resume_source);
    }
  if (mux->kick_source != NULL)
    {
      g_source_destroy (mux->kick_source);
      g_source_unref (mux->kick_source);
    }
  g_hash_table_unref (mux->children);
  _msrp_chunk_parser_free (mux->parser);
  g_free (mux->rbuf);
  g_clear_error (&mux->error);
  g_object_unref (mux->base);
  g_main_context_unref (mux->context);
  g_free (mux);
}

/* Children */

static inline MsrpTransport *
child_transport (MuxChild *c)
{
  return c->parent.transport;
}

static void
child_schedule_read (MuxChild *c)
{
  if (c->want_read && c->read_source != NULL &&
      (c->in->len > c->in_pos || c->ended))
    g_source_set_ready_time (c->read_source, 0);
}

static void
child_end (MuxChild *c,
           GError   *error)
{
  if (c->ended)
    {
      g_clear_error (&error);
      return;
    }
  c->ended = TRUE;
  c->error = error;
  child_schedule_read (c);
}

static void
schedule_resume (MsrpMux *mux)
{
  if (mux->resume_source != NULL && !mux->released)
    g_source_set_ready_time (mux->resume_source, 0);
}

/* The child leaves: what comes for it from now on is answered 481. */
static void
child_unregister (MuxChild *c)
{
  MsrpMux *mux = c->mux;
  gboolean counted = !c->control;

  if (!c->registered)
    return;
  c->registered = FALSE;
  _msrp_mux_ref (mux);
  if (counted)
    g_hash_table_remove (mux->children, c->id);
  if (c->waiting)
    {
      g_queue_unlink (&mux->waiting, &c->wait_link);
      c->waiting = FALSE;
    }
  if (mux->serving == c)
    mux->serving = NULL;
  if (mux->cur == c)
    mux->cur = NULL;
  if (mux->paused_on == c)
    {
      mux->paused_on = NULL;
      schedule_resume (mux);
    }
  if (mux->writer == c)
    {
      /* Its chunk was cut short: nothing can follow it on the stream. */
      mux->writer = NULL;
      mux_fail (mux, g_error_new_literal (MSRP_ERROR, MSRP_ERROR_CONNECTION_CLOSED,
                                          _("A session left the shared MSRP connection in the middle of a chunk")));
    }
  if (counted)
    {
      mux->n_children--;
      g_debug ("mux %p: child %s left, %u left", mux, c->id, mux->n_children);
      if (mux->n_children == 0)
        mux_release (mux);
      if (mux->children_func != NULL)
        mux->children_func (mux, mux->n_children, mux->children_data);
    }
  _msrp_mux_unref (mux);
}

static gboolean
dispatch_ready_source (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs ready_source_funcs = {
  .dispatch = dispatch_ready_source,
};

static GSource *
ready_source_new (const char  *name,
                  GSourceFunc  func,
                  gpointer     data,
                  GMainContext *context)
{
  GSource *source = g_source_new (&ready_source_funcs, sizeof (GSource));

  g_source_set_static_name (source, name);
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, context);
  return source;
}

static gboolean
on_child_read_source (gpointer user_data)
{
  MuxChild *c = user_data;
  MsrpTransport *transport = child_transport (c);

  if (!c->want_read)
    return G_SOURCE_CONTINUE;
  /* Data with no read waiting for it: the next read asks again. */
  if (!_msrp_transport_reading (transport))
    {
      c->want_read = FALSE;
      return G_SOURCE_CONTINUE;
    }
  g_object_ref (transport);
  _msrp_transport_readable (transport);
  /* Level-triggered, as a socket is. */
  child_schedule_read (c);
  g_object_unref (transport);
  return G_SOURCE_CONTINUE;
}

static void
child_want_read (MsrpTransportBackend *backend,
                 gboolean              want)
{
  MuxChild *c = (MuxChild *) backend;

  c->want_read = want;
  if (want && c->read_source == NULL)
    c->read_source = ready_source_new ("[msrp] mux child read", on_child_read_source, c,
                                       c->mux->context);
  if (want)
    child_schedule_read (c);
  else if (c->read_source != NULL)
    g_source_set_ready_time (c->read_source, -1);
}

static gssize
child_read (MsrpTransportBackend  *backend,
            guint8                *buffer,
            gsize                  size,
            GError               **error)
{
  MuxChild *c = (MuxChild *) backend;
  MsrpMux *mux = c->mux;
  gsize avail = c->in->len - c->in_pos;
  gsize n;

  if (avail == 0)
    {
      if (!c->ended)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "");
          return -1;
        }
      if (c->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&c->error));
          return -1;
        }
      return 0;
    }
  n = MIN (size, avail);
  memcpy (buffer, c->in->data + c->in_pos, n);
  c->in_pos += n;
  avail -= n;
  if (avail == 0)
    {
      /* Idle children keep no buffer. */
      if (c->in->len > 64 * 1024)
        {
          g_byte_array_unref (c->in);
          c->in = g_byte_array_new ();
        }
      else
        g_byte_array_set_size (c->in, 0);
      c->in_pos = 0;
    }
  else if (c->in_pos >= 64 * 1024 && c->in_pos >= avail)
    {
      g_byte_array_remove_range (c->in, 0, c->in_pos);
      c->in_pos = 0;
    }
  if (mux->paused_on == c && avail < CHILD_HIGH_WATER / 2)
    {
      mux->paused_on = NULL;
      schedule_resume (mux);
    }
  return n;
}

/* Whether @c may write now: another child's chunk is not half written, and
 * those that waited first had their turn. */
static gboolean
child_may_write (MsrpMux  *mux,
                 MuxChild *c)
{
  if (mux->writer != NULL)
    return mux->writer == c;
  if (mux->serving != NULL)
    return mux->serving == c;
  return g_queue_is_empty (&mux->waiting) || g_queue_peek_head (&mux->waiting) == c;
}

static GPollableReturn
child_writev (MsrpTransportBackend  *backend,
              const GOutputVector   *vectors,
              gsize                  n_vectors,
              gboolean               chunk_end,
              gsize                 *written,
              GError               **error)
{
  MuxChild *c = (MuxChild *) backend;
  MsrpMux *mux = c->mux;
  GPollableReturn ret;
  GError *local_error = NULL;
  gsize total = 0;

  *written = 0;
  if (mux->ended || mux->released)
    {
      g_propagate_error (error, mux->error ? g_error_copy (mux->error) : _msrp_transport_closed_error ());
      return G_POLLABLE_RETURN_FAILED;
    }
  if (!child_may_write (mux, c))
    return G_POLLABLE_RETURN_WOULD_BLOCK;

  ret = mux->backend->funcs->writev (mux->backend, vectors, n_vectors, chunk_end, written, &local_error);
  switch (ret)
    {
    case G_POLLABLE_RETURN_FAILED:
      mux_fail (mux, g_error_copy (local_error));
      g_propagate_error (error, local_error);
      return ret;
    case G_POLLABLE_RETURN_WOULD_BLOCK:
      /* A TLS stream may have taken the data into a record it could not
       * send: the same data must come again, before anybody else's. */
      mux->writer = c;
      mux->base_blocked = TRUE;
      return ret;
    case G_POLLABLE_RETURN_OK:
    default:
      break;
    }
  for (gsize i = 0; i < n_vectors; i++)
    total += vectors[i].size;
  if (*written < total || !chunk_end)
    {
      mux->writer = c;
      if (*written < total)
        mux->base_blocked = TRUE;
    }
  else
    {
      mux->writer = NULL;
      /* The others' turn. */
      mux_update_want_write (mux);
    }
  return G_POLLABLE_RETURN_OK;
}

static gboolean
on_kick (gpointer user_data)
{
  _msrp_mux_writable (user_data);
  return G_SOURCE_CONTINUE;
}

static void
mux_set_want_write (MsrpMux  *mux,
                    gboolean  want)
{
  if (mux->released || mux->ended)
    {
      /* Writers learn that the connection is gone from writev(). */
      if (want)
        {
          if (mux->kick_source == NULL)
            mux->kick_source = ready_source_new ("[msrp] mux closed", on_kick, mux, mux->context);
          g_source_set_ready_time (mux->kick_source, 0);
        }
      return;
    }
  if (mux->want_write == want)
    return;
  mux->want_write = want;
  mux->backend->funcs->want_write (mux->backend, want);
}

/* The connection is watched for room while a child waits for it: not
 * while they all wait for a half-written chunk that goes on by itself. */
static void
mux_update_want_write (MsrpMux *mux)
{
  mux_set_want_write (mux, !g_queue_is_empty (&mux->waiting) &&
                           (mux->writer == NULL || mux->writer->waiting));
}

static void
child_want_write (MsrpTransportBackend *backend,
                  gboolean              want)
{
  MuxChild *c = (MuxChild *) backend;
  MsrpMux *mux = c->mux;

  if (want && !c->waiting && c->registered)
    {
      g_queue_push_tail_link (&mux->waiting, &c->wait_link);
      c->waiting = TRUE;
    }
  else if (!want && c->waiting)
    {
      g_queue_unlink (&mux->waiting, &c->wait_link);
      c->waiting = FALSE;
    }
  if (want && !c->registered)
    mux_set_want_write (mux, TRUE);
  else
    mux_update_want_write (mux);
}

/* The connection has room: the children that wait get their turns, the
 * one whose chunk is half written first. A child waits until it says it
 * no longer wants to (as a socket's watch lasts), and goes to the back of
 * the line when it waits on. */
void
_msrp_mux_writable (MsrpMux *mux)
{
  _msrp_mux_ref (mux);
  mux->base_blocked = FALSE;
  for (guint round = 0; round < WRITES_PER_WAKEUP && !g_queue_is_empty (&mux->waiting) && !mux->ended; round++)
    {
      MuxChild *c = mux->writer != NULL ? mux->writer : g_queue_peek_head (&mux->waiting);
      MsrpTransport *transport;

      if (!c->waiting)
        break;          /* the writer goes on by itself */
      transport = g_object_ref (child_transport (c));
      mux->serving = c;
      _msrp_transport_writable (transport);
      mux->serving = NULL;
      if (c->waiting && mux->writer != c)
        {
          g_queue_unlink (&mux->waiting, &c->wait_link);
          g_queue_push_tail_link (&mux->waiting, &c->wait_link);
        }
      g_object_unref (transport);
      if (mux->base_blocked)
        break;
    }
  if (mux->ended || mux->released)
    {
      /* Each learns from writev() that the connection is gone. */
      while (!g_queue_is_empty (&mux->waiting))
        {
          MuxChild *c = g_queue_peek_head (&mux->waiting);
          MsrpTransport *transport = g_object_ref (child_transport (c));

          g_queue_unlink (&mux->waiting, &c->wait_link);
          c->waiting = FALSE;
          _msrp_transport_writable (transport);
          g_object_unref (transport);
        }
    }
  else
    mux_update_want_write (mux);
  _msrp_mux_unref (mux);
}

static gboolean
child_close (MsrpTransportBackend *backend,
             GTask                *task)
{
  MuxChild *c = (MuxChild *) backend;

  /* Only the child goes; the connection stays for the others. */
  child_unregister (c);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
  return TRUE;
}

static void
child_free (MsrpTransportBackend *backend)
{
  MuxChild *c = (MuxChild *) backend;
  MsrpMux *mux = c->mux;

  child_unregister (c);
  if (c->read_source != NULL)
    {
      g_source_destroy (c->read_source);
      g_source_unref (c->read_source);
    }
  g_byte_array_unref (c->in);
  g_clear_error (&c->error);
  g_free (c->id);
  g_free (c);
  _msrp_mux_unref (mux);
}

static const MsrpTransportBackendFuncs child_funcs = {
  .read = child_read,
  .want_read = child_want_read,
  .writev = child_writev,
  .want_write = child_want_write,
  .writev_async = NULL,
  .close = child_close,
  .free = child_free,
};

static MsrpTransport *
child_new (MsrpMux    *mux,
           const char *id,
           GPtrArray  *local_path,
           GPtrArray  *remote_path)
{
  MsrpTransport *transport;
  MuxChild *c = g_new0 (MuxChild, 1);

  transport = g_object_new (MSRP_TYPE_TRANSPORT,
                            "stream", mux->base->stream,
                            "full-local-path", local_path,
                            "full-remote-path", remote_path,
                            NULL);
  /* Made with a backend for the stream, which has done nothing yet: the
   * child's takes its place. */
  transport->backend->funcs->free (transport->backend);
  c->parent.funcs = &child_funcs;
  c->parent.transport = transport;
  /* A batch of whole chunks ends where a chunk does, as much as a single
   * chunk: writev()'s chunk_end tells where another child may come in.
   * Only a message-oriented connection needs a chunk a batch. */
  c->parent.flags = MSRP_TRANSPORT_BACKEND_POLLS | MSRP_TRANSPORT_BACKEND_WRITES_NOW |
                    (mux->backend->flags & (MSRP_TRANSPORT_BACKEND_COALESCE | MSRP_TRANSPORT_BACKEND_FRAMED));
  c->mux = _msrp_mux_ref (mux);
  c->id = g_strdup (id);
  c->in = g_byte_array_new ();
  c->wait_link.data = c;
  c->registered = TRUE;
  transport->backend = &c->parent;
  return transport;
}

MsrpTransport *
_msrp_mux_open (MsrpMux   *mux,
                GPtrArray *local_path,
                GPtrArray *remote_path)
{
  MsrpUri *uri;
  const char *id;
  MsrpTransport *transport;

  g_return_val_if_fail (local_path != NULL && local_path->len > 0, NULL);

  uri = g_ptr_array_index (local_path, local_path->len - 1);
  id = msrp_uri_get_session_id (uri);
  if (mux->released || mux->ended || id == NULL || g_hash_table_contains (mux->children, id))
    return NULL;
  transport = child_new (mux, id, local_path, remote_path);
  g_hash_table_insert (mux->children, ((MuxChild *) transport->backend)->id, transport->backend);
  mux->n_children++;
  return transport;
}

guint
_msrp_mux_get_n_children (MsrpMux *mux)
{
  return mux->n_children;
}

gboolean
_msrp_mux_is_open (MsrpMux *mux)
{
  return !mux->released && !mux->ended;
}

void
_msrp_mux_set_children_func (MsrpMux             *mux,
                             MsrpMuxChildrenFunc  func,
                             gpointer             user_data)
{
  mux->children_func = func;
  mux->children_data = user_data;
}

MsrpTransport *
_msrp_mux_get_base (MsrpMux *mux)
{
  return mux->base;
}

MsrpMux *
_msrp_transport_get_mux (MsrpTransport *transport)
{
  g_return_val_if_fail (MSRP_IS_TRANSPORT (transport), NULL);

  if (transport->backend->funcs != &child_funcs)
    return NULL;
  return ((MuxChild *) transport->backend)->mux;
}

/* Reading */

/* The connection is lost: every child ends with the same error. Takes
 * @error. */
static void
mux_fail (MsrpMux *mux,
          GError  *error)
{
  GHashTableIter iter;
  gpointer value;

  if (mux->ended)
    {
      g_error_free (error);
      return;
    }
  g_debug ("mux %p: the shared connection is lost: %s", mux, error->message);
  mux->ended = TRUE;
  mux->error = error;
  mux->cur = NULL;
  g_hash_table_iter_init (&iter, mux->children);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    child_end (value, g_error_copy (error));
  if (mux->control != NULL)
    child_end ((MuxChild *) mux->control->backend, g_error_copy (error));
  /* Nothing more can go over it: the descriptor goes at once. */
  mux_release (mux);
  /* Writers that wait learn it from writev(). */
  if (!g_queue_is_empty (&mux->waiting))
    mux_set_want_write (mux, TRUE);
}

static void
child_push (MsrpMux      *mux,
            MuxChild     *c,
            const guint8 *data,
            gsize         len)
{
  if (c->ended)
    return;
  g_byte_array_append (c->in, data, len);
  child_schedule_read (c);
  if (c->in->len - c->in_pos >= CHILD_HIGH_WATER)
    mux->paused_on = c;
}

/* The child for the session-id of the last URI of a To-Path, read as
 * written (the session-ids we make need no decoding) or else parsed. */
static MuxChild *
find_child (MsrpMux             *mux,
            const MsrpChunkHead *head)
{
  const char *value = NULL, *end, *token, *id, *id_end;
  gsize len = 0;

  for (guint i = 0; i < head->n_headers; i++)
    {
      const MsrpParserHeader *h = &head->headers[i];

      if (h->name_len == 7 && g_ascii_strncasecmp (head->base + h->name_off, "To-Path", 7) == 0)
        {
          value = head->base + h->value_off;
          len = h->value_len;
          break;
        }
    }
  if (value == NULL || len == 0)
    return NULL;
  end = value + len;
  token = end;
  while (token > value && token[-1] != ' ' && token[-1] != '\t')
    token--;
  id = g_strstr_len (token, end - token, "://");
  if (id != NULL)
    id = memchr (id + 3, '/', end - (id + 3));
  if (id != NULL)
    {
      char key[MSRP_IDENT_MAX_LEN + 1];
      MuxChild *c;

      id++;
      id_end = memchr (id, ';', end - id);
      if (id_end == NULL)
        id_end = end;
      if (id_end > id && (gsize) (id_end - id) <= MSRP_IDENT_MAX_LEN)
        {
          memcpy (key, id, id_end - id);
          key[id_end - id] = '\0';
          c = g_hash_table_lookup (mux->children, key);
          if (c != NULL)
            return c;
        }
    }
  {
    g_autofree char *text = g_strndup (token, end - token);
    g_autoptr(MsrpUri) uri = msrp_uri_parse (text, NULL);

    if (uri == NULL || msrp_uri_get_session_id (uri) == NULL)
      return NULL;
    return g_hash_table_lookup (mux->children, msrp_uri_get_session_id (uri));
  }
}

/* A request for no session on this connection: 481 (RFC 4975 section
 * 7.3.1), if it wants a response. */
static void
answer_nobody (MsrpMux             *mux,
               const MsrpChunkHead *head)
{
  g_autoptr(MsrpChunk) request = _msrp_chunk_new_from_head (head);
  g_autoptr(MsrpChunk) response = NULL;
  g_autoptr(GPtrArray) to = NULL;
  g_autoptr(GPtrArray) from = NULL;
  GPtrArray *request_to, *request_from;
  const char *method = msrp_chunk_get_method (request);

  g_debug ("mux %p: %s %s for no session here", mux, method, msrp_chunk_get_transaction_id (request));
  if (strcmp (method, "REPORT") == 0 || mux->released || mux->ended ||
      (strcmp (method, "SEND") == 0 && msrp_chunk_get_failure_report (request) == MSRP_FAILURE_REPORT_NO))
    return;
  request_to = msrp_chunk_get_to_path (request);
  request_from = msrp_chunk_get_from_path (request);
  if (request_to == NULL || request_to->len == 0 || request_from == NULL || request_from->len == 0)
    return;

  response = msrp_chunk_new_response (msrp_chunk_get_transaction_id (request),
                                      MSRP_STATUS_SESSION_DOES_NOT_EXIST, NULL);
  to = _msrp_path_new_single (g_ptr_array_index (request_from, 0));
  from = _msrp_path_new_single (g_ptr_array_index (request_to, request_to->len - 1));
  msrp_chunk_set_to_path (response, to);
  msrp_chunk_set_from_path (response, from);
  if (mux->control == NULL)
    {
      /* Its backend holds a reference on the mux, dropped when the
       * connection closes (mux_release()). */
      mux->control = child_new (mux, "", NULL, NULL);
      ((MuxChild *) mux->control->backend)->control = TRUE;
    }
  if (g_queue_get_length (&mux->control->write_queue) >= MAX_QUEUED_ANSWERS)
    {
      g_debug ("mux %p: the peer reads no answers; not answering one more", mux);
      return;
    }
  _msrp_transport_write_chunk_with_callback (mux->control, response, 0, NULL, NULL);
}

guint
_msrp_mux_get_n_queued_answers (MsrpMux *mux)
{
  return mux->control != NULL ? g_queue_get_length (&mux->control->write_queue) : 0;
}

static gboolean
on_head (const MsrpChunkHead *head,
         gpointer             user_data)
{
  MsrpMux *mux = user_data;
  MuxChild *c = find_child (mux, head);
  gsize tid_len = MIN (head->tid_len, MSRP_IDENT_MAX_LEN);

  memcpy (mux->cur_tid, head->tid, tid_len);
  mux->cur_tid[tid_len] = '\0';
  mux->cur_has_body = head->has_body;
  mux->cur = c;
  if (c == NULL)
    {
      if (head->method != NULL)
        answer_nobody (mux, head);
      return TRUE;
    }
  child_push (mux, c, (const guint8 *) head->base, head->len);
  return mux->paused_on == NULL;
}

static gboolean
on_body (const guint8 *data,
         gsize         len,
         gpointer      user_data)
{
  MsrpMux *mux = user_data;

  if (mux->cur == NULL)
    return TRUE;
  child_push (mux, mux->cur, data, len);
  return mux->paused_on == NULL;
}

static void
push_end_line (MsrpMux          *mux,
               MsrpContinuation  continuation)
{
  char line[2 + 7 + MSRP_IDENT_MAX_LEN + 3];
  gsize n = 0, tid_len = strlen (mux->cur_tid);

  if (mux->cur_has_body)
    {
      memcpy (line, "\r\n", 2);
      n = 2;
    }
  memcpy (line + n, "-------", 7);
  n += 7;
  memcpy (line + n, mux->cur_tid, tid_len);
  n += tid_len;
  line[n++] = "$+#"[continuation];
  line[n++] = '\r';
  line[n++] = '\n';
  child_push (mux, mux->cur, (const guint8 *) line, n);
}

static gboolean
on_end (MsrpContinuation continuation,
        gpointer         user_data)
{
  MsrpMux *mux = user_data;

  if (mux->cur == NULL)
    return TRUE;
  push_end_line (mux, continuation);
  mux->cur = NULL;
  return mux->paused_on == NULL;
}

static gboolean
on_malformed (const char   *tid,
              const char   *method,
              const GError *error,
              gpointer      user_data)
{
  MsrpMux *mux = user_data;

  /* Nobody can be told which session it was for: it is dropped (a
   * relay that sends it would get no better answer from a session). */
  g_debug ("mux %p: malformed chunk %s: %s", mux, tid, error->message);
  if (mux->cur != NULL)
    {
      /* Framed for the child as an aborted chunk. */
      push_end_line (mux, MSRP_CONTINUATION_ABORT);
      mux->cur = NULL;
    }
  /* Past a header limit the stream cannot be framed any more. */
  if (g_error_matches (error, MSRP_ERROR, MSRP_ERROR_HEADERS_TOO_LARGE) ||
      g_error_matches (error, MSRP_ERROR, MSRP_ERROR_LINE_TOO_LONG))
    {
      mux_fail (mux, g_error_copy (error));
      return FALSE;
    }
  return TRUE;
}

static const MsrpChunkParserCallbacks mux_parser_callbacks = {
  .head = on_head,
  .body = on_body,
  .end = on_end,
  .malformed = on_malformed,
};

static void
mux_read (MsrpMux *mux)
{
  guint reads = 0;

  if (mux->in_read || mux->released)
    return;
  _msrp_mux_ref (mux);
  mux->in_read = TRUE;
  while (!mux->ended && mux->paused_on == NULL)
    {
      GError *error = NULL;
      gssize n;

      if (mux->rpos < mux->rlen)
        {
          gsize used = 0;

          if (!_msrp_chunk_parser_feed (mux->parser, mux->rbuf + mux->rpos, mux->rlen - mux->rpos,
                                        &used, &error))
            {
              mux_fail (mux, error);
              break;
            }
          mux->rpos += used;
          if (mux->rpos == mux->rlen)
            mux->rpos = mux->rlen = 0;
          continue;
        }
      if (reads++ == READS_PER_WAKEUP)
        {
          mux->backend->funcs->want_read (mux->backend, TRUE);
          break;
        }
      n = mux->backend->funcs->read (mux->backend, mux->rbuf, _MSRP_TRANSPORT_READ_BUFFER_SIZE, &error);
      if (n > 0)
        {
          mux->rpos = 0;
          mux->rlen = n;
        }
      else if (n == 0)
        /* Not a session's peer ending it (a clean close for a session of
         * its own): every session on the connection is lost. */
        mux_fail (mux, g_error_new_literal (MSRP_ERROR, MSRP_ERROR_FAILED,
                                            _("The shared MSRP connection was closed by the other end")));
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_error_free (error);
          mux->backend->funcs->want_read (mux->backend, TRUE);
          break;
        }
      else
        mux_fail (mux, error);
    }
  if ((mux->paused_on != NULL || mux->ended) && !mux->released)
    mux->backend->funcs->want_read (mux->backend, FALSE);
  mux->in_read = FALSE;
  _msrp_mux_unref (mux);
}

void
_msrp_mux_readable (MsrpMux *mux)
{
  mux_read (mux);
}

static gboolean
on_resume (gpointer user_data)
{
  MsrpMux *mux = user_data;

  if (mux->paused_on == NULL)
    mux_read (mux);
  return G_SOURCE_CONTINUE;
}

MsrpMux *
_msrp_mux_new (MsrpTransport *base)
{
  MsrpMux *mux;
  MsrpTransportBackendFlags needed = MSRP_TRANSPORT_BACKEND_POLLS | MSRP_TRANSPORT_BACKEND_WRITES_NOW;

  g_return_val_if_fail (MSRP_IS_TRANSPORT (base), NULL);
  g_return_val_if_fail (base->mux == NULL && !_msrp_transport_reading (base), NULL);

  /* The children's reads and writes are tried at once, and wait for the
   * connection's: a stream read and written asynchronously cannot serve
   * them. */
  if ((base->backend->flags & needed) != needed || base->closed)
    return NULL;

  mux = g_new0 (MsrpMux, 1);
  mux->ref_count = 1;
  mux->base = g_object_ref (base);
  mux->backend = base->backend;
  mux->context = g_main_context_ref (base->context);
  mux->children = g_hash_table_new (g_str_hash, g_str_equal);
  mux->parser = _msrp_chunk_parser_new (&mux_parser_callbacks, mux);
  mux->rbuf = g_malloc (_MSRP_TRANSPORT_READ_BUFFER_SIZE);
  g_queue_init (&mux->waiting);
  mux->resume_source = ready_source_new ("[msrp] mux resume", on_resume, mux, mux->context);
  base->mux = mux;
  mux->backend->funcs->want_read (mux->backend, TRUE);
  return mux;
}
