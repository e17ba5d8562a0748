/* msrp-poller.c: one source per main context for many descriptors and
 * timers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GLib walks every attached source in prepare and check, and polls every
 * descriptor, on every main loop iteration: with a source (or two) for
 * each of 10,000 connections and a timer for each session, each event
 * costs a pass over them all. Here one source per context and priority
 * holds them: on Linux one epoll descriptor (in the source, polled by
 * GLib) for the connections, level-triggered as GLib's poll(), and one
 * binary heap of deadlines for the timers, so an event costs what it
 * touches.
 *
 * The poller belongs to the thread that runs its context: watches and
 * timers are made, changed and destroyed there only.
 */

#include "config.h"

#include "msrp-poller-private.h"

#ifdef __linux__
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>
#endif

/* Events handed out in one dispatch: the rest wait for the next turn, as
 * other sources' do. */
#define MAX_EVENTS 128
#define MAX_TIMERS 256

typedef struct {
  GSource source;
  guint ref_count;              /* watches and timers */
  GMainContext *context;        /* a reference */
  int priority;
#ifdef __linux__
  int epfd;
  gpointer epfd_tag;
  GPtrArray *slots;             /* fd → its MsrpPollerWatch, or NULL */
  guint32 serial;
#endif
  GQueue pending;               /* of MsrpPollerWatch (their pending_link) */
  GPtrArray *heap;              /* of MsrpPollerTimer, by deadline */
} Poller;

struct _MsrpPollerWatch
{
  Poller *poller;
  int fd;
  guint32 serial;               /* tells it from a later watch on the same fd */
  GIOCondition events;          /* what is asked for */
  GIOCondition registered;      /* what epoll has: 0 when not added */
  GIOCondition pending;         /* set_ready() */
  GList pending_link;
  MsrpPollerWatchFunc func;
  gpointer user_data;
};

struct _MsrpPollerTimer
{
  Poller *poller;
  gint64 deadline;
  guint index;                  /* in the heap; G_MAXUINT when stopped */
  MsrpPollerTimerFunc func;
  gpointer user_data;
};

G_LOCK_DEFINE_STATIC (pollers);
static GSList *pollers;

/* The heap */

static inline MsrpPollerTimer *
heap_get (Poller   *p,
          guint     i)
{
  return g_ptr_array_index (p->heap, i);
}

static inline void
heap_set (Poller          *p,
          guint            i,
          MsrpPollerTimer *timer)
{
  p->heap->pdata[i] = timer;
  timer->index = i;
}

static void
heap_up (Poller *p,
         guint   i)
{
  MsrpPollerTimer *timer = heap_get (p, i);

  while (i > 0)
    {
      guint parent = (i - 1) / 2;

      if (heap_get (p, parent)->deadline <= timer->deadline)
        break;
      heap_set (p, i, heap_get (p, parent));
      i = parent;
    }
  heap_set (p, i, timer);
}

static void
heap_down (Poller *p,
           guint   i)
{
  MsrpPollerTimer *timer = heap_get (p, i);
  guint n = p->heap->len;

  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= n)
        break;
      if (child + 1 < n && heap_get (p, child + 1)->deadline < heap_get (p, child)->deadline)
        child++;
      if (timer->deadline <= heap_get (p, child)->deadline)
        break;
      heap_set (p, i, heap_get (p, child));
      i = child;
    }
  heap_set (p, i, timer);
}

static void
heap_remove (Poller          *p,
             MsrpPollerTimer *timer)
{
  guint i = timer->index;
  MsrpPollerTimer *last = g_ptr_array_steal_index_fast (p->heap, p->heap->len - 1);

  timer->index = G_MAXUINT;
  if (last == timer)
    return;
  heap_set (p, i, last);
  if (i > 0 && heap_get (p, (i - 1) / 2)->deadline > last->deadline)
    heap_up (p, i);
  else
    heap_down (p, i);
}

/* The source */

static gboolean
timer_due (Poller *p,
           gint64  now,
           gint   *timeout)
{
  gint64 deadline;

  if (p->heap->len == 0)
    {
      *timeout = -1;
      return FALSE;
    }
  deadline = heap_get (p, 0)->deadline;
  if (deadline <= now)
    {
      *timeout = 0;
      return TRUE;
    }
  *timeout = (gint) MIN ((deadline - now + 999) / 1000, G_MAXINT);
  return FALSE;
}

static gboolean
poller_prepare (GSource *source,
                gint    *timeout)
{
  Poller *p = (Poller *) source;

  if (p->pending.length > 0)
    {
      *timeout = 0;
      return TRUE;
    }
  return timer_due (p, g_source_get_time (source), timeout);
}

static gboolean
poller_check (GSource *source)
{
  Poller *p = (Poller *) source;
  gint timeout;

  if (p->pending.length > 0 || timer_due (p, g_source_get_time (source), &timeout))
    return TRUE;
#ifdef __linux__
  if (p->epfd_tag != NULL && g_source_query_unix_fd (source, p->epfd_tag) != 0)
    return TRUE;
#endif
  return FALSE;
}

#ifdef __linux__
static MsrpPollerWatch *
slot_get (Poller *p,
          int     fd)
{
  return (guint) fd < p->slots->len ? g_ptr_array_index (p->slots, fd) : NULL;
}

static void
dispatch_events (Poller *p)
{
  struct epoll_event events[MAX_EVENTS];
  int n;

  if (p->epfd < 0)
    return;
  n = epoll_wait (p->epfd, events, MAX_EVENTS, 0);
  for (int i = 0; i < n; i++)
    {
      int fd = (int) (events[i].data.u64 & G_MAXUINT32);
      guint32 serial = events[i].data.u64 >> 32;
      MsrpPollerWatch *watch = slot_get (p, fd);
      GIOCondition condition = 0;

      /* Gone meanwhile (an earlier callback destroyed it), or a later
       * watch on a reused fd: the event is not this watch's. */
      if (watch == NULL || watch->serial != serial || watch->events == 0)
        continue;
      if (events[i].events & EPOLLIN)
        condition |= G_IO_IN;
      if (events[i].events & EPOLLOUT)
        condition |= G_IO_OUT;
      if (events[i].events & EPOLLPRI)
        condition |= G_IO_PRI;
      if (events[i].events & EPOLLERR)
        condition |= G_IO_ERR;
      if (events[i].events & EPOLLHUP)
        condition |= G_IO_HUP;
      /* An earlier callback may have changed what is watched. */
      condition &= watch->events | G_IO_HUP | G_IO_ERR;
      if (condition != 0)
        watch->func (watch, condition, watch->user_data);
    }
}
#endif

static gboolean
poller_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  Poller *p = (Poller *) source;
  guint n_pending = p->pending.length;
  gint64 now;

  /* Those made ready before this dispatch: those made ready by its
   * callbacks wait for the next turn. A watch destroyed meanwhile has left
   * the queue. */
  for (guint i = 0; i < n_pending && p->pending.length > 0; i++)
    {
      MsrpPollerWatch *watch = g_queue_peek_head (&p->pending);
      GIOCondition condition = watch->pending & watch->events;

      g_queue_unlink (&p->pending, &watch->pending_link);
      watch->pending = 0;
      if (condition != 0)
        watch->func (watch, condition, watch->user_data);
    }

#ifdef __linux__
  dispatch_events (p);
#endif

  now = g_source_get_time (source);
  for (guint i = 0; i < MAX_TIMERS && p->heap->len > 0; i++)
    {
      MsrpPollerTimer *timer = heap_get (p, 0);

      if (timer->deadline > now)
        break;
      heap_remove (p, timer);
      timer->func (timer->user_data);
    }
  return G_SOURCE_CONTINUE;
}

static void
poller_finalize (GSource *source)
{
  Poller *p = (Poller *) source;

#ifdef __linux__
  if (p->epfd >= 0)
    close (p->epfd);
  g_ptr_array_unref (p->slots);
#endif
  g_ptr_array_unref (p->heap);
  g_main_context_unref (p->context);
}

static GSourceFuncs poller_funcs = {
  .prepare = poller_prepare,
  .check = poller_check,
  .dispatch = poller_dispatch,
  .finalize = poller_finalize,
};

/* The context's poller at @priority, made if needed, with a reference
 * for the caller. */
static Poller *
poller_ref (GMainContext *context,
            int           priority)
{
  Poller *p = NULL;

  if (context == NULL)
    context = g_main_context_default ();
  G_LOCK (pollers);
  for (GSList *l = pollers; l != NULL; l = l->next)
    {
      Poller *candidate = l->data;

      if (candidate->context == context && candidate->priority == priority)
        {
          p = candidate;
          break;
        }
    }
  if (p == NULL)
    {
      GSource *source = g_source_new (&poller_funcs, sizeof (Poller));

      p = (Poller *) source;
      p->context = g_main_context_ref (context);
      p->priority = priority;
      p->heap = g_ptr_array_new ();
      g_queue_init (&p->pending);
#ifdef __linux__
      p->slots = g_ptr_array_new ();
      p->epfd = epoll_create1 (EPOLL_CLOEXEC);
      if (p->epfd >= 0)
        p->epfd_tag = g_source_add_unix_fd (source, p->epfd, G_IO_IN);
#endif
      g_source_set_static_name (source, "[msrp] poller");
      g_source_set_priority (source, priority);
      /* As the sources it stands for were: a callback that runs a main
       * loop (a synchronous call) must not stop the others. */
      g_source_set_can_recurse (source, TRUE);
      g_source_attach (source, context);
      pollers = g_slist_prepend (pollers, p);
    }
  p->ref_count++;
  G_UNLOCK (pollers);
  return p;
}

static void
poller_unref (Poller *p)
{
  gboolean last;

  G_LOCK (pollers);
  last = --p->ref_count == 0;
  if (last)
    pollers = g_slist_remove (pollers, p);
  G_UNLOCK (pollers);
  if (last)
    {
      /* A dispatch running holds its own reference. */
      g_source_destroy (&p->source);
      g_source_unref (&p->source);
    }
}

MsrpPoller *
_msrp_poller_hold (GMainContext *context)
{
  return (MsrpPoller *) poller_ref (context, G_PRIORITY_DEFAULT);
}

void
_msrp_poller_release (MsrpPoller *poller)
{
  poller_unref ((Poller *) poller);
}

/* Watches */

gboolean
_msrp_poller_can_watch (void)
{
#ifdef __linux__
  return TRUE;
#else
  return FALSE;
#endif
}

MsrpPollerWatch *
_msrp_poller_watch_new (GMainContext        *context,
                        int                  priority,
                        int                  fd,
                        MsrpPollerWatchFunc  func,
                        gpointer             user_data)
{
#ifdef __linux__
  MsrpPollerWatch *watch;
  MsrpPollerWatch *old;
  Poller *p;

  g_return_val_if_fail (fd >= 0, NULL);

  p = poller_ref (context, priority);
  if (p->epfd < 0)
    {
      poller_unref (p);
      return NULL;
    }
  watch = g_new0 (MsrpPollerWatch, 1);
  watch->poller = p;
  watch->fd = fd;
  watch->serial = ++p->serial;
  watch->func = func;
  watch->user_data = user_data;
  watch->pending_link.data = watch;
  if ((guint) fd >= p->slots->len)
    g_ptr_array_set_size (p->slots, MAX ((guint) fd + 1, p->slots->len * 2));
  /* The fd was closed under an older watch and is another file now: that
   * one's epoll entry went with its file, and it must not touch the new. */
  old = slot_get (p, fd);
  if (old != NULL)
    old->fd = -1;
  p->slots->pdata[fd] = watch;
  return watch;
#else
  return NULL;
#endif
}

void
_msrp_poller_watch_set_events (MsrpPollerWatch *watch,
                               GIOCondition     events)
{
#ifdef __linux__
  Poller *p = watch->poller;
  struct epoll_event ev = { 0 };
  int op;

  events &= G_IO_IN | G_IO_OUT;
  if (watch->events == events)
    return;
  watch->events = events;
  if (watch->fd < 0)
    return;
  /* Not watched at all, the fd leaves epoll: there it would still show a
   * hang-up, on and on. */
  if (events == 0)
    op = EPOLL_CTL_DEL;
  else if (watch->registered == 0)
    op = EPOLL_CTL_ADD;
  else
    op = EPOLL_CTL_MOD;
  ev.events = ((events & G_IO_IN) ? EPOLLIN : 0) | ((events & G_IO_OUT) ? EPOLLOUT : 0);
  ev.data.u64 = ((guint64) watch->serial << 32) | (guint32) watch->fd;
  if (epoll_ctl (p->epfd, op, watch->fd, &ev) < 0)
    {
      int errsv = errno;

      /* Closed under the watch (EBADF, or ENOENT once its file went):
       * nothing more will show on it. */
      if (op == EPOLL_CTL_ADD && errsv == EEXIST)
        epoll_ctl (p->epfd, EPOLL_CTL_MOD, watch->fd, &ev);
      else if (errsv != EBADF && errsv != ENOENT)
        g_warning ("Cannot watch descriptor %d: %s", watch->fd, g_strerror (errsv));
    }
  watch->registered = events;
#endif
}

GIOCondition
_msrp_poller_watch_get_events (MsrpPollerWatch *watch)
{
  return watch->events;
}

void
_msrp_poller_watch_set_ready (MsrpPollerWatch *watch,
                              GIOCondition     condition)
{
  if (watch->pending == 0)
    g_queue_push_tail_link (&watch->poller->pending, &watch->pending_link);
  watch->pending |= condition;
}

void
_msrp_poller_watch_destroy (MsrpPollerWatch *watch)
{
  Poller *p = watch->poller;

  if (watch->pending != 0)
    g_queue_unlink (&p->pending, &watch->pending_link);
#ifdef __linux__
  if (watch->fd >= 0)
    {
      if (watch->registered != 0)
        epoll_ctl (p->epfd, EPOLL_CTL_DEL, watch->fd, NULL);
      p->slots->pdata[watch->fd] = NULL;
    }
#endif
  g_free (watch);
  poller_unref (p);
}

/* Timers */

MsrpPollerTimer *
_msrp_poller_timer_new (GMainContext        *context,
                        int                  priority,
                        MsrpPollerTimerFunc  func,
                        gpointer             user_data)
{
  MsrpPollerTimer *timer = g_new0 (MsrpPollerTimer, 1);

  timer->poller = poller_ref (context, priority);
  timer->index = G_MAXUINT;
  timer->func = func;
  timer->user_data = user_data;
  return timer;
}

void
_msrp_poller_timer_start_at (MsrpPollerTimer *timer,
                             gint64           deadline)
{
  Poller *p = timer->poller;

  if (timer->index != G_MAXUINT)
    {
      gint64 old = timer->deadline;

      timer->deadline = deadline;
      if (deadline < old)
        heap_up (p, timer->index);
      else
        heap_down (p, timer->index);
      return;
    }
  timer->deadline = deadline;
  g_ptr_array_add (p->heap, timer);
  heap_up (p, p->heap->len - 1);
}

void
_msrp_poller_timer_start_seconds (MsrpPollerTimer *timer,
                                  guint            seconds)
{
  _msrp_poller_timer_start_at (timer, g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC);
}

void
_msrp_poller_timer_stop (MsrpPollerTimer *timer)
{
  if (timer->index != G_MAXUINT)
    heap_remove (timer->poller, timer);
}

gboolean
_msrp_poller_timer_is_active (MsrpPollerTimer *timer)
{
  return timer->index != G_MAXUINT;
}

void
_msrp_poller_timer_destroy (MsrpPollerTimer *timer)
{
  Poller *p = timer->poller;

  _msrp_poller_timer_stop (timer);
  g_free (timer);
  poller_unref (p);
}
