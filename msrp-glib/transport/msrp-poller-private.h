/* msrp-poller-private.h: one source per main context for many descriptors
 * and timers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MsrpPoller MsrpPoller;
typedef struct _MsrpPollerWatch MsrpPollerWatch;
typedef struct _MsrpPollerTimer MsrpPollerTimer;

/* @condition: what the descriptor shows of what is watched (G_IO_IN,
 * G_IO_OUT), with G_IO_HUP and G_IO_ERR. */
typedef void (*MsrpPollerWatchFunc) (MsrpPollerWatch *watch,
                                     GIOCondition     condition,
                                     gpointer         user_data);

typedef void (*MsrpPollerTimerFunc) (gpointer user_data);

/* TRUE where descriptors can be watched through the poller (Linux, epoll):
 * elsewhere callers keep a GSource each. */
gboolean          _msrp_poller_can_watch        (void);

/* Keeps @context's poller (at the default priority), and its epoll fd,
 * while connections come and go: a server holds it, so that it is made
 * before descriptors run out, and not again for every connection. */
MsrpPoller *      _msrp_poller_hold             (GMainContext        *context);
void              _msrp_poller_release          (MsrpPoller          *poller);

/* Watches @fd on @context (at @priority): nothing until set_events().
 * Callbacks may recurse (a nested main loop may call them again), and may
 * destroy any watch or timer. */
MsrpPollerWatch * _msrp_poller_watch_new        (GMainContext        *context,
                                                 int                  priority,
                                                 int                  fd,
                                                 MsrpPollerWatchFunc  func,
                                                 gpointer             user_data);
/* G_IO_IN and/or G_IO_OUT, level-triggered; 0 watches nothing (not even a
 * hang-up). A system call only when the set changes. */
void              _msrp_poller_watch_set_events (MsrpPollerWatch     *watch,
                                                 GIOCondition         events);
GIOCondition      _msrp_poller_watch_get_events (MsrpPollerWatch     *watch);
/* Calls back with @condition (what of it is still watched then) in the
 * next dispatch, whatever the descriptor shows: data held above it. */
void              _msrp_poller_watch_set_ready  (MsrpPollerWatch     *watch,
                                                 GIOCondition         condition);
void              _msrp_poller_watch_destroy    (MsrpPollerWatch     *watch);

/* A timer on @context's queue: one source for them all, whose ready time
 * is the earliest deadline. Stopped until started. */
MsrpPollerTimer * _msrp_poller_timer_new        (GMainContext        *context,
                                                 int                  priority,
                                                 MsrpPollerTimerFunc  func,
                                                 gpointer             user_data);
/* Fires once, at @deadline (monotonic µs), unless started again or
 * stopped before. */
void              _msrp_poller_timer_start_at   (MsrpPollerTimer     *timer,
                                                 gint64               deadline);
void              _msrp_poller_timer_start_seconds (MsrpPollerTimer  *timer,
                                                 guint                seconds);
void              _msrp_poller_timer_stop       (MsrpPollerTimer     *timer);
gboolean          _msrp_poller_timer_is_active  (MsrpPollerTimer     *timer);
void              _msrp_poller_timer_destroy    (MsrpPollerTimer     *timer);

/* Clears *@timer: destroys it if set. */
static inline void
_msrp_poller_timer_clear (MsrpPollerTimer **timer)
{
  if (*timer != NULL)
    {
      _msrp_poller_timer_destroy (*timer);
      *timer = NULL;
    }
}

G_END_DECLS
