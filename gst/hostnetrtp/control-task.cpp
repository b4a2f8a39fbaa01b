/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — a control task. See control-task.h. */
#include "control-task.h"

#include <pthread.h>

#include <algorithm>
#include <string>

namespace hostnetrtp {

ControlTask::ControlTask ()
    : context_ (g_main_context_new ()), cancellable_ (g_cancellable_new ())
{
}

ControlTask::~ControlTask ()
{
  stop ();
  g_main_context_unref (context_);
  g_object_unref (cancellable_);
}

bool ControlTask::take (std::deque<Job> &from, Job &job, bool callout)
{
  std::deque<Job> dropped;  /* what they hold goes outside the lock */
  std::lock_guard<std::mutex> guard (lock_);
  if (stopping_ || from.empty ()) {
    if (stopping_)
      dropped.swap (from);
    return false;
  }
  job = std::move (from.front ());
  from.pop_front ();
  in_callout_ = callout;
  return true;
}

void ControlTask::run () noexcept
{
  g_main_context_push_thread_default (context_);
  while (!stopping ()) {
    g_main_context_iteration (context_, TRUE);
    Job job;
    /* Jobs first, then what they have to tell: call-outs see finished work. */
    while (take (jobs_, job, false))
      job ();
    while (take (callouts_, job, true)) {
      job ();
      job = nullptr;  /* what the call-out held goes before the mark is cleared */
      std::lock_guard<std::mutex> guard (lock_);
      in_callout_ = false;
    }
  }
  Job last;
  std::deque<Job> dropped_jobs, dropped_callouts;
  {
    std::lock_guard<std::mutex> guard (lock_);
    last = std::move (exit_);
    exit_ = nullptr;
    dropped_jobs.swap (jobs_);
    dropped_callouts.swap (callouts_);
  }
  dropped_jobs.clear ();
  dropped_callouts.clear ();
  if (last)
    last ();
  g_main_context_pop_thread_default (context_);
}

void ControlTask::start (GstObject *owner, const char *name, std::shared_ptr<void> keepalive)
{
  {
    std::lock_guard<std::mutex> guard (lock_);
    if (started_ || stopping_)
      return;
    started_ = true;
  }
  if (owner)
    gst_object_ref (owner);
  std::string thread_name = name ? name : "control";
  /* Under the lock: the thread's first job may stop the task, which reads thread_. */
  std::lock_guard<std::mutex> guard (lock_);
  thread_ = std::thread ([this, owner, thread_name, keepalive = std::move (keepalive)] () mutable {
    pthread_setname_np (pthread_self (), thread_name.substr (0, 15).c_str ());
    {
      /* Before any job: one may stop the task from here. */
      std::lock_guard<std::mutex> guard (lock_);
      thread_id_ = std::this_thread::get_id ();
    }
    run ();
    /* Left to end by itself, the thread may hold the last references to
     * the task (keepalive) and to its owner: both go last, in this order. */
    keepalive.reset ();
    if (owner)
      gst_object_unref (owner);
  });
}

void ControlTask::enqueue (std::deque<Job> &queue, Job job)
{
  {
    std::lock_guard<std::mutex> guard (lock_);
    if (stopping_)
      return;  /* what @job holds goes after the lock */
    queue.push_back (std::move (job));
  }
  g_main_context_wakeup (context_);
}

void ControlTask::post (Job job)
{
  enqueue (jobs_, std::move (job));
}

void ControlTask::call_out (Job callout)
{
  enqueue (callouts_, std::move (callout));
}

bool ControlTask::call_out_now (const Job &callout)
{
  {
    std::lock_guard<std::mutex> guard (lock_);
    if (stopping_)
      return false;
    in_callout_ = true;
  }
  callout ();
  std::lock_guard<std::mutex> guard (lock_);
  in_callout_ = false;
  return true;
}

namespace {

gboolean fire_timer (gpointer data) noexcept
{
  return (*static_cast<std::function<bool ()> *> (data)) () ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

}  // namespace

guint ControlTask::attach_timer (guint interval_ms, std::function<bool ()> tick)
{
  GSource *source = g_timeout_source_new (interval_ms);
  /* Once stopping, timers do nothing (the exit work may iterate the context). */
  auto *fn = new std::function<bool ()> ([this, tick = std::move (tick)] {
    return !stopping () && tick ();
  });
  g_source_set_callback (source, fire_timer, fn, [] (gpointer data) noexcept {
    delete static_cast<std::function<bool ()> *> (data);
  });
  const guint id = g_source_attach (source, context_);
  g_source_unref (source);
  return id;
}

guint ControlTask::every (guint interval_ms, std::function<bool ()> tick)
{
  return attach_timer (interval_ms, std::move (tick));
}

guint ControlTask::after (gint64 delay_us, Job fire)
{
  const guint ms = guint (std::max<gint64> (0, (delay_us + 999) / 1000));
  return attach_timer (ms, [fire = std::move (fire)] {
    fire ();
    return false;
  });
}

void ControlTask::cancel_timer (guint id)
{
  if (id == 0)
    return;
  if (GSource *source = g_main_context_find_source_by_id (context_, id))
    g_source_destroy (source);
}

void ControlTask::set_exit (Job exit)
{
  std::lock_guard<std::mutex> guard (lock_);
  exit_ = std::move (exit);
}

void ControlTask::iterate_until (const std::function<bool ()> &done, gint64 deadline_us)
{
  /* A timer wakes the loop at the deadline; what it waits for may come before. */
  GSource *deadline = g_timeout_source_new (
      guint (std::max<gint64> (0, deadline_us - g_get_monotonic_time ()) / 1000 + 1));
  g_source_set_callback (deadline, [] (gpointer) noexcept { return G_SOURCE_REMOVE; }, nullptr, nullptr);
  g_source_attach (deadline, context_);
  while (!done () && g_get_monotonic_time () < deadline_us)
    g_main_context_iteration (context_, TRUE);
  g_source_destroy (deadline);
  g_source_unref (deadline);
}

bool ControlTask::stop ()
{
  bool join;
  {
    std::lock_guard<std::mutex> guard (lock_);
    const bool was_stopping = stopping_;
    stopping_ = true;
    if (was_stopping || !thread_.joinable ())
      return false;
    join = !in_callout_ && thread_id_ != std::this_thread::get_id ();
  }
  g_cancellable_cancel (cancellable_);
  g_main_context_wakeup (context_);
  if (!join) {
    thread_.detach ();  /* it ends by itself, holding what it needs */
    return false;
  }
  thread_.join ();
  return true;
}

bool ControlTask::running () const
{
  std::lock_guard<std::mutex> guard (lock_);
  return started_ && !stopping_;
}

bool ControlTask::stopping () const
{
  std::lock_guard<std::mutex> guard (lock_);
  return stopping_;
}

bool ControlTask::on_task () const
{
  std::lock_guard<std::mutex> guard (lock_);
  return started_ && thread_id_ == std::this_thread::get_id ();
}

}  // namespace hostnetrtp
