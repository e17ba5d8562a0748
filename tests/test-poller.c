/* test-poller.c: the per-context poller's watches and timers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>

#include "msrp-poller-private.h"
#include "test-utils.h"

typedef struct {
  MsrpPollerWatch *watch;
  int fds[2];                   /* a pipe: the watch is on fds[0] */
  guint calls;
  GIOCondition last;
  gpointer other;               /* a Pipe the callback destroys the watch of */
  gboolean destroy_self;
  gboolean set_ready_again;
  gboolean consume;             /* the callback reads what is there */
  GMainContext *iterate;        /* the callback runs this context once */
} Pipe;

static void
on_watch (MsrpPollerWatch *watch,
          GIOCondition     condition,
          gpointer         user_data)
{
  Pipe *p = user_data;
  Pipe *other = p->other;

  g_assert_true (watch == p->watch);
  p->calls++;
  p->last = condition;
  if (p->consume)
    {
      char c;

      g_assert_cmpint (read (p->fds[0], &c, 1), ==, 1);
    }
  if (other != NULL && other->watch != NULL)
    g_clear_pointer (&other->watch, _msrp_poller_watch_destroy);
  if (p->destroy_self)
    g_clear_pointer (&p->watch, _msrp_poller_watch_destroy);
  if (p->set_ready_again)
    _msrp_poller_watch_set_ready (watch, G_IO_IN);
  if (p->iterate != NULL)
    {
      GMainContext *context = g_steal_pointer (&p->iterate);

      g_main_context_iteration (context, FALSE);
    }
}

static void
pipe_open (Pipe         *p,
           GMainContext *context)
{
  GError *error = NULL;

  memset (p, 0, sizeof *p);
  g_unix_open_pipe (p->fds, FD_CLOEXEC, &error);
  g_assert_no_error (error);
  p->watch = _msrp_poller_watch_new (context, G_PRIORITY_DEFAULT, p->fds[0], on_watch, p);
  g_assert_nonnull (p->watch);
}

static void
pipe_close (Pipe *p)
{
  g_clear_pointer (&p->watch, _msrp_poller_watch_destroy);
  if (p->fds[0] >= 0)
    close (p->fds[0]);
  if (p->fds[1] >= 0)
    close (p->fds[1]);
}

static void
pipe_poke (Pipe *p)
{
  g_assert_cmpint (write (p->fds[1], "x", 1), ==, 1);
}

/* Runs @context until nothing is ready. */
static void
drain (GMainContext *context)
{
  for (guint i = 0; i < 100 && g_main_context_iteration (context, FALSE); i++)
    ;
}

static void
test_level_triggered (void)
{
  guint watchdog = test_watchdog_start (TEST_TIMEOUT_SECONDS);
  guint fds_before = test_count_fds ();
  Pipe p;

  pipe_open (&p, NULL);
  pipe_poke (&p);
  /* Nothing watched yet. */
  drain (NULL);
  g_assert_cmpuint (p.calls, ==, 0);

  _msrp_poller_watch_set_events (p.watch, G_IO_IN);
  while (p.calls == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (p.last, ==, G_IO_IN);
  /* Not read: it shows again. */
  g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (p.calls, ==, 2);

  _msrp_poller_watch_set_events (p.watch, 0);
  drain (NULL);
  g_assert_cmpuint (p.calls, ==, 2);

  /* A hang-up shows while reading is watched. */
  {
    char c;

    g_assert_cmpint (read (p.fds[0], &c, 1), ==, 1);
  }
  close (p.fds[1]);
  p.fds[1] = -1;
  _msrp_poller_watch_set_events (p.watch, G_IO_IN);
  g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (p.calls, ==, 3);
  g_assert_true (p.last & G_IO_HUP);
  pipe_close (&p);
  /* The last watch took the poller, and its epoll fd, with it. */
  g_assert_cmpuint (test_count_fds (), ==, fds_before);
  test_watchdog_stop (watchdog);
}

/* Each callback destroys the other's watch: whichever runs first, the
 * other must not run, though epoll reported both in one batch. */
static void
test_destroy_during_dispatch (void)
{
  guint watchdog = test_watchdog_start (TEST_TIMEOUT_SECONDS);
  Pipe a, b;

  pipe_open (&a, NULL);
  pipe_open (&b, NULL);
  a.other = &b;
  b.other = &a;
  a.consume = b.consume = TRUE;
  _msrp_poller_watch_set_events (a.watch, G_IO_IN);
  _msrp_poller_watch_set_events (b.watch, G_IO_IN);
  pipe_poke (&a);
  pipe_poke (&b);
  while (a.calls + b.calls == 0)
    g_main_context_iteration (NULL, TRUE);
  drain (NULL);
  g_assert_cmpuint (a.calls + b.calls, ==, 1);
  g_assert_true ((a.watch == NULL) != (b.watch == NULL));

  /* A watch that destroys itself, and one made ready that goes before its
   * turn. */
  {
    Pipe *alive = a.watch != NULL ? &a : &b;
    Pipe *dead = a.watch != NULL ? &b : &a;

    alive->other = NULL;
    alive->calls = 0;
    alive->destroy_self = TRUE;
    pipe_poke (alive);
    while (alive->calls == 0)
      g_main_context_iteration (NULL, TRUE);
    g_assert_null (alive->watch);

    dead->watch = _msrp_poller_watch_new (NULL, G_PRIORITY_DEFAULT, dead->fds[0], on_watch, dead);
    dead->calls = 0;
    dead->other = NULL;
    _msrp_poller_watch_set_events (dead->watch, G_IO_IN);
    _msrp_poller_watch_set_ready (dead->watch, G_IO_IN);
    g_clear_pointer (&dead->watch, _msrp_poller_watch_destroy);
    drain (NULL);
    g_assert_cmpuint (dead->calls, ==, 0);
  }

  pipe_close (&a);
  pipe_close (&b);
  test_watchdog_stop (watchdog);
}

/* Held data shows without fd activity, a turn later, and only while
 * watched. */
static void
test_ready_now (void)
{
  guint watchdog = test_watchdog_start (TEST_TIMEOUT_SECONDS);
  Pipe p;

  pipe_open (&p, NULL);
  _msrp_poller_watch_set_ready (p.watch, G_IO_IN);
  drain (NULL);
  g_assert_cmpuint (p.calls, ==, 0);

  _msrp_poller_watch_set_events (p.watch, G_IO_IN);
  _msrp_poller_watch_set_ready (p.watch, G_IO_IN);
  g_assert_true (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpuint (p.calls, ==, 1);
  g_assert_cmpuint (p.last, ==, G_IO_IN);
  /* The pipe is empty: once only. */
  drain (NULL);
  g_assert_cmpuint (p.calls, ==, 1);

  /* Made ready in its own callback: the next dispatch, not this one. */
  p.set_ready_again = TRUE;
  _msrp_poller_watch_set_ready (p.watch, G_IO_IN);
  g_assert_true (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpuint (p.calls, ==, 2);
  p.set_ready_again = FALSE;
  g_assert_true (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpuint (p.calls, ==, 3);
  drain (NULL);
  g_assert_cmpuint (p.calls, ==, 3);

  pipe_close (&p);
  test_watchdog_stop (watchdog);
}

/* One poller per context: a watch fires on its own context only, and a
 * callback that runs a main loop lets the others' run inside it. */
static void
test_two_contexts (void)
{
  guint watchdog = test_watchdog_start (TEST_TIMEOUT_SECONDS);
  g_autoptr(GMainContext) other = g_main_context_new ();
  Pipe a, b, c;

  pipe_open (&a, NULL);
  pipe_open (&b, other);
  pipe_open (&c, NULL);
  _msrp_poller_watch_set_events (a.watch, G_IO_IN);
  _msrp_poller_watch_set_events (b.watch, G_IO_IN);
  pipe_poke (&b);
  drain (NULL);
  g_assert_cmpuint (b.calls, ==, 0);
  g_assert_true (g_main_context_iteration (other, FALSE));
  g_assert_cmpuint (b.calls, ==, 1);
  g_assert_cmpuint (a.calls, ==, 0);

  /* Recursion: a's callback iterates its own context, where c is ready. */
  _msrp_poller_watch_set_events (c.watch, G_IO_IN);
  _msrp_poller_watch_set_ready (a.watch, G_IO_IN);
  a.iterate = g_main_context_default ();
  pipe_poke (&c);
  c.destroy_self = TRUE;
  while (a.calls == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (c.calls, ==, 1);

  pipe_close (&a);
  pipe_close (&b);
  pipe_close (&c);
  test_watchdog_stop (watchdog);
}

/* An fd closed under its watch and reused by another: the new watch gets
 * the events, and the old one's going does not take them away. */
static void
test_fd_reused (void)
{
  guint watchdog = test_watchdog_start (TEST_TIMEOUT_SECONDS);
  Pipe old, new;
  int fd;

  pipe_open (&old, NULL);
  _msrp_poller_watch_set_events (old.watch, G_IO_IN);
  fd = old.fds[0];
  close (old.fds[0]);
  old.fds[0] = -1;

  pipe_open (&new, NULL);
  g_clear_pointer (&new.watch, _msrp_poller_watch_destroy);
  /* The lowest free number is likely the old one already. */
  if (new.fds[0] != fd)
    {
      g_assert_cmpint (dup2 (new.fds[0], fd), ==, fd);
      close (new.fds[0]);
      new.fds[0] = fd;
    }
  new.watch = _msrp_poller_watch_new (NULL, G_PRIORITY_DEFAULT, fd, on_watch, &new);
  _msrp_poller_watch_set_events (new.watch, G_IO_IN);

  g_clear_pointer (&old.watch, _msrp_poller_watch_destroy);
  pipe_poke (&new);
  while (new.calls == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (old.calls, ==, 0);

  /* Its interest changes still reach epoll. */
  _msrp_poller_watch_set_events (new.watch, 0);
  drain (NULL);
  g_assert_cmpuint (new.calls, ==, 1);
  _msrp_poller_watch_set_events (new.watch, G_IO_IN);
  g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (new.calls, ==, 2);

  pipe_close (&old);
  pipe_close (&new);
  test_watchdog_stop (watchdog);
}

/* Timers */

typedef struct {
  MsrpPollerTimer *timer;
  GPtrArray *order;
  MsrpPollerTimer **destroy;    /* another timer the callback destroys */
  guint restart_ms;             /* started again once, so long after */
} Timer;

static void
on_timer (gpointer user_data)
{
  Timer *t = user_data;

  g_ptr_array_add (t->order, t);
  if (t->destroy != NULL)
    _msrp_poller_timer_clear (t->destroy);
  if (t->restart_ms > 0)
    {
      _msrp_poller_timer_start_at (t->timer, g_get_monotonic_time () + t->restart_ms * 1000);
      t->restart_ms = 0;
    }
}

static void
test_timers (void)
{
  guint watchdog = test_watchdog_start (TEST_TIMEOUT_SECONDS);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  gint64 now = g_get_monotonic_time ();
  Timer t[6];
  guint fds_before = test_count_fds ();

  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    {
      t[i] = (Timer) { .order = order };
      t[i].timer = _msrp_poller_timer_new (NULL, G_PRIORITY_DEFAULT, on_timer, &t[i]);
    }
  /* Out of order, one moved later, one stopped, one destroyed by an
   * earlier one's callback, one that starts itself again. */
  _msrp_poller_timer_start_at (t[0].timer, now + 40000);
  _msrp_poller_timer_start_at (t[1].timer, now + 10000);
  _msrp_poller_timer_start_at (t[2].timer, now + 30000);
  _msrp_poller_timer_start_at (t[3].timer, now + 20000);
  _msrp_poller_timer_start_at (t[4].timer, now + 25000);
  _msrp_poller_timer_start_at (t[5].timer, now + 5000);
  _msrp_poller_timer_start_at (t[1].timer, now + 50000);
  _msrp_poller_timer_stop (t[2].timer);
  g_assert_false (_msrp_poller_timer_is_active (t[2].timer));
  t[3].destroy = &t[4].timer;
  t[5].restart_ms = 45;

  while (order->len < 4)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (order->pdata[0] == &t[5]);
  g_assert_true (order->pdata[1] == &t[3]);
  g_assert_true (order->pdata[2] == &t[0]);
  g_assert_true (order->pdata[3] == &t[5] || order->pdata[3] == &t[1]);
  while (order->len < 5)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (t[4].timer);
  g_assert_cmpint (g_get_monotonic_time () - now, >=, 50000);
  drain (NULL);
  g_assert_cmpuint (order->len, ==, 5);
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    _msrp_poller_timer_clear (&t[i].timer);
  g_assert_cmpuint (test_count_fds (), ==, fds_before);
  test_watchdog_stop (watchdog);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (!_msrp_poller_can_watch ())
    {
      g_test_add_func ("/poller/timers", test_timers);
      return g_test_run ();
    }
  g_test_add_func ("/poller/level-triggered", test_level_triggered);
  g_test_add_func ("/poller/destroy-during-dispatch", test_destroy_during_dispatch);
  g_test_add_func ("/poller/ready-now", test_ready_now);
  g_test_add_func ("/poller/two-contexts", test_two_contexts);
  g_test_add_func ("/poller/fd-reused", test_fd_reused);
  g_test_add_func ("/poller/timers", test_timers);
  return g_test_run ();
}
