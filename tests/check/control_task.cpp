/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — the control task on its own: jobs in order, call-outs after
 * the jobs at hand, timers, and the stop's rules (joined from another
 * thread; never joined from its own thread or while it calls out, and then
 * it ends by itself with what it holds). No element, no pipeline. */
#include <gst/check/gstcheck.h>

#include "control-task.h"
#include "owned.h"
#include "test-util.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

using namespace hostnetrtp;

using testutil::Flag;

GST_START_TEST (test_jobs_in_order_then_call_outs)
{
  auto task = std::make_shared<ControlTask> ();
  std::vector<std::string> seen;
  std::mutex lock;
  auto note = [&] (const std::string &what) {
    std::lock_guard<std::mutex> guard (lock);
    seen.push_back (what + (task->on_task () ? "" : " (not on the task)"));
  };
  task->post ([&] { note ("job 1 (before the start)"); });
  task->start (nullptr, "test-task", task);
  Flag done;
  task->post ([&] {
    task->call_out ([&] {
      note ("call-out");
      task->post ([&] { done.raise (); });  /* a job: the stop below joins, it does not wait for a call-out */
    });
    note ("job 2");
  });
  task->post ([&] { note ("job 3"); });
  fail_unless (done.wait ());
  fail_unless (task->stop (), "a stop from another thread did not join");
  const std::vector<std::string> expected = {"job 1 (before the start)", "job 2", "job 3", "call-out"};
  fail_unless (seen == expected, "ran: %s, %s, %s, %s", seen.size () > 0 ? seen[0].c_str () : "",
      seen.size () > 1 ? seen[1].c_str () : "", seen.size () > 2 ? seen[2].c_str () : "",
      seen.size () > 3 ? seen[3].c_str () : "");
  /* Once stopped, nothing runs. */
  bool ran = false;
  task->post ([&] { ran = true; });
  task->call_out ([&] { ran = true; });
  fail_if (ran);
}
GST_END_TEST;

GST_START_TEST (test_timers)
{
  auto task = std::make_shared<ControlTask> ();
  task->start (nullptr, "test-task", task);
  std::atomic<int> ticks {0};
  Flag fired, ticked;
  task->post ([&] {
    task->after (20000, [&] { fired.raise (); });
    const guint cancelled = task->after (10000, [&] { fail ("a cancelled timer fired"); });
    task->cancel_timer (cancelled);
    task->every (5, [&] {
      if (++ticks == 3)
        ticked.raise ();
      return ticks < 3;
    });
  });
  fail_unless (fired.wait () && ticked.wait ());
  task->stop ();
  fail_unless_equals_int (ticks, 3);
}
GST_END_TEST;

/* What a sync handler does: the task stops itself from inside a call-out.
 * stop () returns at once (no join of itself), the thread goes on to the
 * end of the call-out, runs no further job, runs its exit work, and ends,
 * holding what it uses (the last reference, here). */
GST_START_TEST (test_stop_from_its_own_thread)
{
  auto task = std::make_shared<ControlTask> ();
  ControlTask *raw = task.get ();
  Flag exited, after_stop;
  std::atomic<bool> later_job_ran {false};
  bool joined = true;
  task->start (nullptr, "test-task", task);
  task->post ([&, raw] {
    raw->set_exit ([&] { exited.raise (); });
    raw->call_out ([&, raw] {
      raw->post ([&] { later_job_ran = true; });  /* queued, never run: the task stops */
      joined = raw->stop ();
      after_stop.raise ();
    });
  });
  task.reset ();  /* the thread holds the task from now on */
  fail_unless (after_stop.wait (), "the call-out that stopped its own task never returned");
  fail_unless (exited.wait (), "the exit work never ran");
  fail_if (joined, "stop () claims it joined its own thread");
  fail_if (later_job_ran);
}
GST_END_TEST;

/* A stop from another thread while the task calls out does not wait for
 * the call-out (its application code may wait for that very stop). */
GST_START_TEST (test_stop_during_a_call_out_does_not_wait_for_it)
{
  auto task = std::make_shared<ControlTask> ();
  Flag in_callout, release, exited;
  task->start (nullptr, "test-task", task);
  task->post ([&] {
    task->set_exit ([&] { exited.raise (); });
    task->call_out ([&] {
      in_callout.raise ();
      release.wait ();  /* the application code, waiting for the stop to return */
    });
  });
  fail_unless (in_callout.wait ());
  fail_if (task->stop (), "the stop waited for (joined) a task that was calling out");
  fail_if (exited.set, "the exit work ran before the call-out returned");
  release.raise ();
  fail_unless (exited.wait (), "the task did not end by itself after the call-out");
}
GST_END_TEST;

/* Blocking work made for the task takes its cancellable: a stop cancels it. */
GST_START_TEST (test_stop_cancels_what_the_task_waits_on)
{
  auto task = std::make_shared<ControlTask> ();
  Flag waiting;
  task->start (nullptr, "test-task", task);
  task->post ([&] {
    waiting.raise ();
    GError *error = nullptr;
    GObjectPtr<GSocket> socket (g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
        G_SOCKET_PROTOCOL_UDP, nullptr));
    g_socket_condition_timed_wait (socket.get (), G_IO_IN, 60 * G_USEC_PER_SEC, task->cancellable (), &error);
    g_clear_error (&error);
  });
  fail_unless (waiting.wait ());
  const gint64 start = g_get_monotonic_time ();
  fail_unless (task->stop ());
  fail_unless (g_get_monotonic_time () - start < 10 * G_USEC_PER_SEC, "the stop waited for the minute");
}
GST_END_TEST;

/* The owner is held until the thread ends. */
GST_START_TEST (test_owner_kept_until_the_end)
{
  GstObject *owner = GST_OBJECT (gst_object_ref_sink (gst_bin_new ("owner")));
  auto task = std::make_shared<ControlTask> ();
  task->start (owner, "test-task", task);
  fail_unless (GST_OBJECT_REFCOUNT_VALUE (owner) == 2);
  task->stop ();
  fail_unless_equals_int (GST_OBJECT_REFCOUNT_VALUE (owner), 1);
  gst_object_unref (owner);
}
GST_END_TEST;

static Suite *
control_task_suite (void)
{
  Suite *s = suite_create ("control_task");
  TCase *tc = tcase_create ("general");
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_jobs_in_order_then_call_outs);
  tcase_add_test (tc, test_timers);
  tcase_add_test (tc, test_stop_from_its_own_thread);
  tcase_add_test (tc, test_stop_during_a_call_out_does_not_wait_for_it);
  tcase_add_test (tc, test_stop_cancels_what_the_task_waits_on);
  tcase_add_test (tc, test_owner_kept_until_the_end);
  return s;
}

GST_CHECK_MAIN (control_task);
