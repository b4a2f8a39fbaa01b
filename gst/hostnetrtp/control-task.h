/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — a control task: one thread that owns everything of an
 * element but the per-packet path.
 *
 * A thread running a GMainContext of its own, from a start to its stop.
 * Other threads hand it work as jobs (post: never run where they are
 * posted, always in order); it runs timers and the sources of its context
 * (an RTSP connection); and it calls out (posts messages, notifies, sets
 * children's properties: anything that may run application code, such as a
 * bus sync handler) only between jobs, where nothing is half done.
 *
 * Stopping is one interruption point: stop () cancels what the task waits
 * on (cancellable ()) and joins the thread, except
 *   - from the task's own thread: a sync handler that stops the pipeline on
 *     one of the element's messages runs there;
 *   - while the task is calling out: the application code it runs may be
 *     waiting for the very state change that is stopping it.
 * Then the thread is left to end by itself: it returns from the call-out,
 * runs no further job or call-out, runs its exit work (bounded) and ends.
 * Everything it touches is its own (held by the thread), and it keeps a
 * reference to its owner until then.
 *
 * GLib only, no elements: unit-tested on its own (tests/check/control_task). */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace hostnetrtp {

class ControlTask {
 public:
  using Job = std::function<void ()>;

  ControlTask ();
  ~ControlTask ();  /* stops */
  ControlTask (const ControlTask &) = delete;
  ControlTask &operator= (const ControlTask &) = delete;

  /* Starts the thread, named @name (15 characters show), with what was
   * posted before as its first jobs. @owner (may be null) and @keepalive
   * (what holds this task) are kept until the thread ends. Once only. */
  void start (GstObject *owner, const char *name, std::shared_ptr<void> keepalive);

  /* From any thread, started or not: @job runs on the task after what was
   * posted before; dropped once the task stops. */
  void post (Job job);

  /* From any thread: @callout runs on the task after the jobs at hand,
   * marked as a call-out (see above); skipped once the task stops. */
  void call_out (Job callout);

  /* On the task, in the middle of a job: runs @callout here and now,
   * marked as a call-out (a stop from another thread does not wait for it),
   * unless the task is stopping (then false). For work that must run
   * application code there, and takes itself back if a stop came meanwhile. */
  bool call_out_now (const Job &callout);

  /* On the task: @tick every @interval_ms until it returns false; @fire
   * once after @delay_us. Neither runs once the task stops. Their ids are
   * for cancel_timer. */
  guint every (guint interval_ms, std::function<bool ()> tick);
  guint after (gint64 delay_us, Job fire);
  void cancel_timer (guint id);

  /* The task's context, for sources of its own (a connection's watch). */
  GMainContext *context () const { return context_; }
  /* Cancelled when the task stops: every blocking call made for it takes it. */
  GCancellable *cancellable () const { return cancellable_; }

  /* Work for the task's thread once it has left its loop, whatever stopped
   * it (a TEARDOWN, bounded); it may run the context with iterate_until. */
  void set_exit (Job exit);
  /* Runs the context until @done or the monotonic @deadline_us. */
  void iterate_until (const std::function<bool ()> &done, gint64 deadline_us);

  /* Stops as described above: true if the thread was joined, false if it
   * was left to end by itself (or never ran). Once only. */
  bool stop ();

  bool running () const;   /* started and not stopped */
  bool stopping () const;  /* stop () was called: no job or call-out runs any more */
  bool on_task () const;   /* called from the task's thread */

 private:
  void run () noexcept;
  bool take (std::deque<Job> &from, Job &job, bool callout);
  void enqueue (std::deque<Job> &queue, Job job);
  guint attach_timer (guint interval_ms, std::function<bool ()> tick);

  GMainContext *const context_;
  GCancellable *const cancellable_;
  /* Guards what follows. A leaf: nothing else is taken, and nothing is
   * called, while it is held. */
  mutable std::mutex lock_;
  std::deque<Job> jobs_;
  std::deque<Job> callouts_;
  Job exit_;
  bool started_ = false;
  bool stopping_ = false;
  bool in_callout_ = false;
  std::thread::id thread_id_;
  std::thread thread_;
};

}  // namespace hostnetrtp
