/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — the hostile application suite: everything an application
 * may do to the element from the wrong place at the wrong time. Bus sync
 * handlers that stop the pipeline on each message the element posts, from
 * the thread that posts it; sync handlers reading every property while
 * another thread sets every live one, in every state; state changes racing
 * property changes; and stops at every step of the RTSP exchange with a
 * camera that stalls there (or never accepts, or hangs up half way).
 *
 * Check runs each test in a process of its own: an abort is that test's
 * failure, not the suite's end. A watchdog aborts a test that hangs, with
 * what it was waiting for; GstCheck fails a test on any CRITICAL. */
#include "element-util.h"
#include "scripted-camera.h"

#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <net/if.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

using namespace testutil;

namespace {

/* Aborts the test's process if it is still running after @seconds: a
 * deadlock is a failure that says what hung, not a lost CI run. */
class Watchdog {
 public:
  Watchdog (int seconds, std::string what) : what_ (std::move (what))
  {
    thread_ = std::thread ([this, seconds] {
      std::unique_lock<std::mutex> guard (lock_);
      if (!done_cond_.wait_for (guard, std::chrono::seconds (seconds), [this] { return done_; })) {
        g_printerr ("watchdog: still %s after %d s: deadlock\n", what_.c_str (), seconds);
        abort ();
      }
    });
  }
  void set (std::string what)
  {
    std::lock_guard<std::mutex> guard (lock_);
    what_ = std::move (what);
  }
  ~Watchdog ()
  {
    {
      std::lock_guard<std::mutex> guard (lock_);
      done_ = true;
    }
    done_cond_.notify_all ();
    thread_.join ();
  }

 private:
  std::mutex lock_;
  std::condition_variable done_cond_;
  bool done_ = false;
  std::string what_;
  std::thread thread_;
};

std::string thread_name ()
{
  char name[32] = "";
  pthread_getname_np (pthread_self (), name, sizeof (name));
  return name;
}

/* The bus sync handler of a careless application: on the first message
 * @match accepts, it sets the whole pipeline to NULL right there, in the
 * thread that posted it. */
class StopOnMessage {
 public:
  StopOnMessage (GstElement *pipeline, std::function<bool (GstMessage *)> match)
      : pipeline_ (pipeline), match_ (std::move (match))
  {
    GstObjectPtr<GstBus> bus (gst_element_get_bus (pipeline));
    gst_bus_set_sync_handler (bus.get (), on_message, this, nullptr);
  }
  ~StopOnMessage ()
  {
    GstObjectPtr<GstBus> bus (gst_element_get_bus (pipeline_));
    gst_bus_set_sync_handler (bus.get (), nullptr, nullptr, nullptr);
  }

  /* Waits for the stop (up to 20 s, or @ms); false if it never came. */
  bool wait ()
  {
    return wait_for (20000);
  }
  bool wait_for (int ms)
  {
    std::unique_lock<std::mutex> guard (lock_);
    return stopped_cond_.wait_for (guard, std::chrono::milliseconds (ms), [this] { return stopped_; });
  }

  GstStateChangeReturn result = GST_STATE_CHANGE_FAILURE;
  std::string thread;   /* the name of the thread that posted the message */
  std::string message;  /* what it was */

 private:
  static GstBusSyncReply on_message (GstBus *, GstMessage *msg, gpointer data) noexcept
  {
    auto *self = static_cast<StopOnMessage *> (data);
    {
      std::lock_guard<std::mutex> guard (self->lock_);
      if (self->stopping_ || !self->match_ (msg))
        return GST_BUS_PASS;
      self->stopping_ = true;
    }
    self->thread = thread_name ();
    const GstStructure *s = gst_message_get_structure (msg);
    self->message = std::string (GST_MESSAGE_TYPE_NAME (msg)) + " " + (s ? gst_structure_get_name (s) : "");
    self->result = gst_element_set_state (self->pipeline_, GST_STATE_NULL);
    std::lock_guard<std::mutex> guard (self->lock_);
    self->stopped_ = true;
    self->stopped_cond_.notify_all ();
    return GST_BUS_DROP;
  }

  GstElement *pipeline_;
  std::function<bool (GstMessage *)> match_;
  std::mutex lock_;
  std::condition_variable stopped_cond_;
  bool stopping_ = false;
  bool stopped_ = false;
};

std::function<bool (GstMessage *)> element_message_named (const char *name)
{
  return [name] (GstMessage *msg) {
    return GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT && gst_message_has_name (msg, name);
  };
}

std::function<bool (GstMessage *)> from_src (GstMessageType type)
{
  return [type] (GstMessage *msg) {
    return GST_MESSAGE_TYPE (msg) == type && g_str_equal (GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), "src");
  };
}

/* After a stop from a sync handler: the pipeline is in NULL, the stop
 * came from the thread @posted_from, and the element starts and stops
 * again as if nothing had happened. */
void stopped_cleanly (GstElement *pipeline, StopOnMessage &stop, const char *posted_from)
{
  fail_unless (stop.wait (), "the sync handler's stop never came");
  fail_unless (stop.result != GST_STATE_CHANGE_FAILURE, "the stop from %s failed", stop.thread.c_str ());
  GstState state = GST_STATE_VOID_PENDING;
  fail_unless_equals_int (gst_element_get_state (pipeline, &state, nullptr, 5 * GST_SECOND),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (state, GST_STATE_NULL);
  if (posted_from)
    fail_unless (stop.thread == posted_from, "%s was posted from the thread '%s', not the control task",
        stop.message.c_str (), stop.thread.c_str ());
}

void restarts (GstElement *pipeline)
{
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
}

constexpr const char *kControlTask = "hostnetrtp-ctl";

std::string push_receiver (const std::string &extra = "")
{
  return "hostnetrtpsrc name=src port-range=" + random_range (4) + " encoding-name=H264 " + extra +
      " ! fakesink name=sink sync=false";
}

std::string pull_receiver (const std::string &location, const std::string &extra = "")
{
  return "hostnetrtpsrc name=src location=" + location + " port-range=" + random_range (4) +
      " tcp-timeout=30000000 " + extra + " ! fakesink name=sink sync=false";
}

}  // namespace

/* ---- sync handlers that stop the pipeline on each of the element's messages ---- */

namespace {

/* Plays @description; once PLAYING is asked, @provoke (if any) makes the
 * element post what @match waits for; a sync handler stops the pipeline on
 * it, from the control task. Then, with @again, the pipeline plays and
 * stops once more. */
void stops_on (const char *what, const std::string &description, std::function<bool (GstMessage *)> match,
    std::function<void (GstElement *)> provoke = nullptr, bool again = true)
{
  Watchdog dog (60, std::string ("stopping on ") + what);
  GstElement *pipeline = launch (description);
  {
    StopOnMessage stop (pipeline, std::move (match));
    fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    if (provoke)
      provoke (pipeline);
    stopped_cleanly (pipeline, stop, kControlTask);
  }
  if (again)
    restarts (pipeline);
  gst_object_unref (pipeline);
}

/* A camera's RTP to the element's port. */
void camera_sends (GstElement *pipeline)
{
  Sender camera;
  camera.send_rtp (uint_property (child (pipeline, "src"), "rtp-port"), 0xCA, 5);
}

}  // namespace

/* Push mode posts it from NULL->READY, in the application's thread: the
 * stop from there is a state change within a state change, which GStreamer
 * carries out once the first one is over. */
GST_START_TEST (test_stop_on_push_allocation)
{
  Watchdog dog (60, "stopping on push mode's hostnetrtp-allocation");
  GstElement *pipeline = launch (push_receiver ());
  {
    StopOnMessage stop (pipeline, element_message_named ("hostnetrtp-allocation"));
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    stopped_cleanly (pipeline, stop, thread_name ().c_str ());
  }
  restarts (pipeline);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* Pull mode posts it from the control task, once the streams are built. */
GST_START_TEST (test_stop_on_pull_allocation)
{
  ScriptedCamera camera ({});
  stops_on ("pull mode's hostnetrtp-allocation", pull_receiver (camera.url ()),
      element_message_named ("hostnetrtp-allocation"));
}
GST_END_TEST;

GST_START_TEST (test_stop_on_timeout)
{
  stops_on ("hostnetrtp-timeout", push_receiver ("timeout=100000000"),
      element_message_named ("hostnetrtp-timeout"));
}
GST_END_TEST;

GST_START_TEST (test_stop_on_resumed)
{
  stops_on ("hostnetrtp-resumed", push_receiver ("timeout=100000000"),
      element_message_named ("hostnetrtp-resumed"), [] (GstElement *pipeline) {
        fail_unless (element_message (pipeline, "hostnetrtp-timeout") != nullptr);
        camera_sends (pipeline);
      });
}
GST_END_TEST;

GST_START_TEST (test_stop_on_sender_changed)
{
  stops_on ("hostnetrtp-sender-changed", push_receiver (),
      element_message_named ("hostnetrtp-sender-changed"), camera_sends);
}
GST_END_TEST;

GST_START_TEST (test_stop_on_drop_warning)
{
  stops_on ("the drop warning", push_receiver (), from_src (GST_MESSAGE_WARNING), [] (GstElement *pipeline) {
    Sender junk;
    const guint8 garbage[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    junk.send_bytes (junk.rtp.get (), uint_property (child (pipeline, "src"), "rtp-port"), garbage,
        sizeof (garbage));
  });
}
GST_END_TEST;

/* An error found by a state change is posted from that state change (the
 * application's own thread): a stop from there fails nothing twice. */
GST_START_TEST (test_stop_on_an_error_at_start)
{
  Watchdog dog (60, "stopping on an error of NULL->READY");
  GstElement *pipeline = launch ("hostnetrtpsrc name=src port-range=9-1 encoding-name=H264 ! fakesink");
  {
    StopOnMessage stop (pipeline, from_src (GST_MESSAGE_ERROR));
    fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
    fail_unless (stop.wait ());
    fail_unless (stop.thread == thread_name (), "the start's error came from '%s'", stop.thread.c_str ());
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_stop_on_a_pull_error)
{
  ScriptedCamera::Script script;
  script.describe_code = 404;
  ScriptedCamera camera (script);
  stops_on ("a pull-mode error", pull_receiver (camera.url ()), from_src (GST_MESSAGE_ERROR), nullptr, false);
}
GST_END_TEST;

GST_START_TEST (test_stop_on_rtsp_lost)
{
  ScriptedCamera::Script script;
  script.close_after_play = true;
  ScriptedCamera camera (script);
  stops_on ("hostnetrtp-rtsp-lost", pull_receiver (camera.url (), "reconnect-silence=0 reconnect-interval=100"),
      element_message_named ("hostnetrtp-rtsp-lost"), nullptr, false);
}
GST_END_TEST;

GST_START_TEST (test_stop_on_rtsp_recovered)
{
  ScriptedCamera::Script script;
  script.close_after_play = true;  /* the first connection only */
  ScriptedCamera camera (script);
  stops_on ("hostnetrtp-rtsp-recovered", pull_receiver (camera.url (), "reconnect-silence=0 reconnect-interval=100"),
      element_message_named ("hostnetrtp-rtsp-recovered"), nullptr, false);
  fail_unless (camera.count ("PLAY") >= 2);
}
GST_END_TEST;

/* ---- properties read from sync handlers while live ones change ---- */

namespace {

/* Reads every readable property of the element and of its src pads. */
void read_everything (GstElement *src)
{
  guint n = 0;
  GParamSpec **specs = g_object_class_list_properties (G_OBJECT_GET_CLASS (src), &n);
  for (guint i = 0; i < n; i++) {
    if (!(specs[i]->flags & G_PARAM_READABLE))
      continue;
    GValue v = G_VALUE_INIT;
    g_value_init (&v, specs[i]->value_type);
    g_object_get_property (G_OBJECT (src), specs[i]->name, &v);
    g_value_unset (&v);
  }
  g_free (specs);
  GstIterator *it = gst_element_iterate_src_pads (src);
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstStructure *stats = nullptr;
    g_object_get (g_value_get_object (&item), "stats", &stats, nullptr);
    if (stats)
      gst_structure_free (stats);
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
}

/* Sets every live property to values that change each time. */
void set_every_live_property (GstElement *src, unsigned i)
{
  g_object_set (src, "latency", 50u + i % 7 * 10, "drop-on-latency", gboolean (i % 2),
      "do-lost", gboolean (i % 3 == 0), "allowed-senders", i % 2 ? "127.0.0.0/8" : "",
      "sender-timeout", 1000u + i % 5, "timeout", guint64 (i % 2) * GST_SECOND, nullptr);
}

GstBusSyncReply read_on_every_message (GstBus *, GstMessage *, gpointer src) noexcept
{
  read_everything (GST_ELEMENT (src));
  return GST_BUS_DROP;
}

}  // namespace

GST_START_TEST (test_sync_handler_reads_while_live_properties_change)
{
  Watchdog dog (90, "setting live properties beside a sync handler that reads them");
  GstElement *pipeline = launch (push_receiver ("latency=100"));
  GstElement *src = child (pipeline, "src");
  GstObjectPtr<GstBus> bus (gst_element_get_bus (pipeline));
  gst_bus_set_sync_handler (bus.get (), read_on_every_message, src, nullptr);
  std::atomic<bool> done {false};
  std::thread setter ([&] {
    for (unsigned i = 0; !done; i++)
      set_every_live_property (src, i);
  });
  /* A camera streaming: every jitterbuffer posts LATENCY when latency changes. */
  std::atomic<bool> streaming {true};
  std::thread camera_thread ([&] {
    Sender camera;
    while (streaming) {
      const guint port = uint_property (src, "rtp-port");
      if (port)
        camera.send_rtp (port, 0xCA, 3);
      g_usleep (2000);
    }
  });
  const GstState states[] = {GST_STATE_READY, GST_STATE_PAUSED, GST_STATE_PLAYING, GST_STATE_PAUSED,
      GST_STATE_PLAYING, GST_STATE_READY, GST_STATE_NULL};
  for (int round = 0; round < repeat (20); round++)
    for (GstState state : states) {
      dog.set (std::string ("changing to ") + gst_element_state_get_name (state) + " while properties change");
      gst_element_set_state (pipeline, state);
      gst_element_get_state (pipeline, nullptr, nullptr, 5 * GST_SECOND);
      for (int i = 0; i < 20; i++)
        read_everything (src);
    }
  done = true;
  setter.join ();
  streaming = false;
  camera_thread.join ();
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_bus_set_sync_handler (bus.get (), nullptr, nullptr, nullptr);
  gst_object_unref (pipeline);
}
GST_END_TEST;

GST_START_TEST (test_state_changes_race_property_changes)
{
  Watchdog dog (90, "changing states, properties and reading them from three threads");
  GstElement *pipeline = launch (push_receiver ());
  GstElement *src = child (pipeline, "src");
  std::atomic<bool> done {false};
  std::thread states ([&] {
    std::mt19937 random (7);
    const GstState all[] = {GST_STATE_NULL, GST_STATE_READY, GST_STATE_PAUSED, GST_STATE_PLAYING};
    for (int i = 0; i < repeat (300); i++)
      gst_element_set_state (pipeline, all[random () % 4]);
    done = true;
  });
  std::thread setter ([&] {
    std::mt19937 random (11);
    for (unsigned i = 0; !done; i++) {
      set_every_live_property (src, i);
      /* Start-time ones: taken in NULL, refused with a warning otherwise. */
      g_object_set (src, "port-range", random_range (4).c_str (), "rtcp-mux", gboolean (random () % 2),
          "buffer-size", gint (65536 + random () % 65536), "encoding-name", random () % 2 ? "H264" : "H265",
          nullptr);
    }
  });
  std::thread reader ([&] {
    while (!done)
      read_everything (src);
  });
  states.join ();
  setter.join ();
  reader.join ();
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* ---- stops at every step of the RTSP exchange ---- */

namespace {

/* Plays a receiver of @camera, waits for the camera to see @step, then
 * stops; the stop must not wait for the camera (tcp-timeout is 30 s). */
void stop_while_stalled (ScriptedCamera &camera, const char *step, const std::string &extra = "")
{
  Watchdog dog (60, std::string ("stopping while the camera stalls at ") + step);
  GstElement *pipeline = launch (pull_receiver (camera.url (), extra));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  if (step[0])
    fail_unless (camera.wait_for (step), "the camera never saw %s", step);
  const gint64 start = g_get_monotonic_time ();
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  const gint64 took = g_get_monotonic_time () - start;
  /* TEARDOWN waits teardown-timeout (100 ms) at most; a wait for the
   * camera would take tcp-timeout (30 s). */
  fail_unless (took < 5 * G_USEC_PER_SEC, "stopping while the camera stalls at %s took %.2f s", step,
      took / 1e6);
  g_print ("stop while the camera stalls at %s: %.3f s\n", step[0] ? step : "(the start)", took / 1e6);
  gst_object_unref (pipeline);
}

}  // namespace

GST_START_TEST (test_stop_right_after_playing)
{
  ScriptedCamera::Script script;
  script.stall = ScriptedCamera::Stall::Options;
  ScriptedCamera camera (script);
  stop_while_stalled (camera, "");
}
GST_END_TEST;

GST_START_TEST (test_stop_while_connecting)
{
  ScriptedCamera::Script script;
  script.stall = ScriptedCamera::Stall::Accept;
  ScriptedCamera camera (script);
  stop_while_stalled (camera, "");
  fail_unless_equals_int (camera.requests ().size (), 0);
}
GST_END_TEST;

GST_START_TEST (test_stop_while_stalled_at_options)
{
  ScriptedCamera::Script script;
  script.stall = ScriptedCamera::Stall::Options;
  ScriptedCamera camera (script);
  stop_while_stalled (camera, "OPTIONS");
}
GST_END_TEST;

GST_START_TEST (test_stop_while_stalled_at_describe)
{
  ScriptedCamera::Script script;
  script.stall = ScriptedCamera::Stall::Describe;
  ScriptedCamera camera (script);
  stop_while_stalled (camera, "DESCRIBE");
}
GST_END_TEST;

GST_START_TEST (test_stop_while_stalled_at_setup)
{
  ScriptedCamera::Script script;
  script.stall = ScriptedCamera::Stall::Setup;
  ScriptedCamera camera (script);
  stop_while_stalled (camera, "SETUP");
}
GST_END_TEST;

GST_START_TEST (test_stop_while_stalled_at_play)
{
  ScriptedCamera::Script script;
  script.stall = ScriptedCamera::Stall::Play;
  ScriptedCamera camera (script);
  stop_while_stalled (camera, "PLAY");
  /* A session existed: it was torn down (unanswered: teardown-timeout). */
  fail_unless (camera.wait_for ("TEARDOWN"), "no TEARDOWN for the session SETUP opened");
}
GST_END_TEST;

GST_START_TEST (test_stop_while_stalled_at_keep_alive)
{
  ScriptedCamera::Script script;
  script.stall = ScriptedCamera::Stall::KeepAlive;
  script.session_timeout = 2;  /* a keep-alive after 1 s */
  ScriptedCamera camera (script);
  stop_while_stalled (camera, "GET_PARAMETER", "reconnect-silence=0");
  fail_unless (camera.wait_for ("TEARDOWN"));
}
GST_END_TEST;

GST_START_TEST (test_camera_hangs_up_half_way_through_a_reply)
{
  Watchdog dog (60, "a camera that hangs up half way through DESCRIBE");
  ScriptedCamera::Script script;
  script.half_describe = true;
  ScriptedCamera camera (script);
  GstElement *pipeline = launch (pull_receiver (camera.url ()));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  const std::string error = error_text (pipeline);
  fail_unless (error.find ("closed the connection") != std::string::npos ||
      error.find ("not RTSP") != std::string::npos, "%s", error.c_str ());
  const gint64 start = g_get_monotonic_time ();
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  fail_unless (g_get_monotonic_time () - start < 5 * G_USEC_PER_SEC);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* The camera's name does not resolve in time (a DNS server that never
 * answers, in a network and mount namespace of this test's own): the stop
 * does not wait for the lookup. */
GST_START_TEST (test_stop_while_the_name_does_not_resolve)
{
  if (geteuid () != 0)
    skip_test ("needs root for a network and mount namespace of its own");
  if (unshare (CLONE_NEWNS | CLONE_NEWNET) != 0)
    skip_test ("unshare (CLONE_NEWNS | CLONE_NEWNET): %s", g_strerror (errno));
  fail_unless (mount (nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0);
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq lo = {};
  g_strlcpy (lo.ifr_name, "lo", sizeof (lo.ifr_name));
  lo.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
  fail_unless (ioctl (fd, SIOCSIFFLAGS, &lo) == 0, "lo up: %s", g_strerror (errno));
  /* The name server: listens, never answers. */
  struct sockaddr_in dns = {};
  dns.sin_family = AF_INET;
  dns.sin_port = htons (53);
  inet_pton (AF_INET, "127.0.0.1", &dns.sin_addr);
  fail_unless (bind (fd, reinterpret_cast<struct sockaddr *> (&dns), sizeof (dns)) == 0);
  gchar *conf = nullptr;
  int conf_fd = g_file_open_tmp ("resolv-XXXXXX.conf", &conf, nullptr);
  const char text[] = "nameserver 127.0.0.1\noptions timeout:30 attempts:1\n";
  fail_unless (write (conf_fd, text, sizeof (text) - 1) == gssize (sizeof (text) - 1));
  close (conf_fd);
  fail_unless (mount (conf, "/etc/resolv.conf", nullptr, MS_BIND, nullptr) == 0, "%s", g_strerror (errno));
  Watchdog dog (60, "stopping during a name lookup that never ends");
  GstElement *pipeline = launch (pull_receiver ("rtsp://stalled-camera.example/cam"));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  /* The query reaches the name server: the lookup is under way. */
  struct pollfd query = {fd, POLLIN, 0};
  fail_unless (poll (&query, 1, 10000) == 1, "no name lookup reached the name server");
  const gint64 start = g_get_monotonic_time ();
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  const gint64 took = g_get_monotonic_time () - start;
  fail_unless (took < 5 * G_USEC_PER_SEC, "stopping during the lookup took %.2f s", took / 1e6);
  g_print ("stop during a name lookup: %.3f s\n", took / 1e6);
  gst_object_unref (pipeline);
  umount (conf);
  unlink (conf);
  g_free (conf);
  close (fd);
}
GST_END_TEST;

/* ---- application code the control task runs while it builds (pull mode) ---- */

namespace {

/* Waits up to 10 s for @bin to have no child left. */
bool empties (GstBin *bin)
{
  return wait_until_signalled (G_OBJECT (bin), "element-removed", [bin] { return GST_BIN_NUMCHILDREN (bin) == 0; });
}

/* After a stop from inside the build: nothing of it is left (no child, no
 * stream, no socket), and the element plays again. */
void left_nothing_and_plays_again (GstElement *pipeline, ScriptedCamera &camera)
{
  GstElement *src = child (pipeline, "src");
  fail_unless (empties (GST_BIN (src)), "%d inner element(s) left after the stop",
      GST_BIN_NUMCHILDREN (GST_BIN (src)));
  GstStructure *stats = nullptr;
  g_object_get (src, "stats", &stats, nullptr);
  guint n = 99;
  gst_structure_get_uint (stats, "n-streams", &n);
  gst_structure_free (stats);
  fail_unless_equals_int (n, 0);
  const int plays = camera.count ("PLAY");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  fail_unless (camera.wait_for ("PLAY", plays + 1), "no PLAY after the restart");
  fail_if (GstMessagePtr (gst_bus_pop_filtered (GstObjectPtr<GstBus> (gst_element_get_bus (pipeline)).get (),
      GST_MESSAGE_ERROR)) != nullptr, "an error after the restart");
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
}

struct StopFromSignal {
  explicit StopFromSignal (GstElement *p) : pipeline (p) {}
  GstElement *pipeline;
  std::atomic<bool> done {false};
  Flag stopped;
};

void stop_in_pad_added (GstElement *, GstPad *, gpointer data) noexcept
{
  auto *s = static_cast<StopFromSignal *> (data);
  if (s->done.exchange (true))
    return;
  gst_element_set_state (s->pipeline, GST_STATE_NULL);
  s->stopped.raise ();
}

GstBusSyncReply stop_on_the_first_from_the_task (GstBus *, GstMessage *, gpointer data) noexcept
{
  auto *s = static_cast<StopFromSignal *> (data);
  if (thread_name () != kControlTask || s->done.exchange (true))
    return GST_BUS_PASS;
  gst_element_set_state (s->pipeline, GST_STATE_NULL);
  s->stopped.raise ();
  return GST_BUS_PASS;
}

}  // namespace

/* The pads appear on the control task (pull mode): gst-launch links them
 * there, and an application may stop the pipeline from pad-added. */
GST_START_TEST (test_stop_from_pad_added)
{
  Watchdog dog (60, "stopping from pad-added");
  ScriptedCamera camera ({});
  GstElement *pipeline = launch (pull_receiver (camera.url ()));
  StopFromSignal stop (pipeline);
  gulong id = g_signal_connect (child (pipeline, "src"), "pad-added", G_CALLBACK (stop_in_pad_added), &stop);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  fail_unless (stop.stopped.wait (), "pad-added never came, or the stop from it never returned");
  g_signal_handler_disconnect (child (pipeline, "src"), id);
  left_nothing_and_plays_again (pipeline, camera);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* Building, the task brings the inner elements to the element's state:
 * their messages (state-changed, stream-status, ...) come from it, and a
 * sync handler may stop the pipeline on the very first. */
GST_START_TEST (test_stop_on_an_inner_message_from_the_task)
{
  Watchdog dog (60, "stopping on an inner element's message from the task");
  ScriptedCamera camera ({});
  GstElement *pipeline = launch (pull_receiver (camera.url ()));
  StopFromSignal stop (pipeline);
  GstObjectPtr<GstBus> bus (gst_element_get_bus (pipeline));
  gst_bus_set_sync_handler (bus.get (), stop_on_the_first_from_the_task, &stop, nullptr);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  fail_unless (stop.stopped.wait (), "no message from the task, or the stop from it never returned");
  gst_bus_set_sync_handler (bus.get (), nullptr, nullptr, nullptr);
  left_nothing_and_plays_again (pipeline, camera);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* The stop from a sync handler on the LATENCY a jitterbuffer posts when
 * the task applies a live latency. */
GST_START_TEST (test_stop_on_latency_from_the_task)
{
  Watchdog dog (60, "stopping on LATENCY posted from the task");
  GstElement *pipeline = launch (push_receiver ());
  GstElement *src = child (pipeline, "src");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  Sender camera;
  camera.send_rtp (uint_property (src, "rtp-port"), 0xCA, 5);
  fail_unless (element_message (pipeline, "hostnetrtp-sender-changed") != nullptr);
  {
    StopOnMessage stop (pipeline, [] (GstMessage *msg) {
      return GST_MESSAGE_TYPE (msg) == GST_MESSAGE_LATENCY && thread_name () == kControlTask;
    });
    for (guint latency = 300; !stop.wait_for (100); latency += 10) {  /* until a jitterbuffer exists */
      camera.send_rtp (uint_property (src, "rtp-port"), 0xCA, 2);
      g_object_set (src, "latency", latency, nullptr);
    }
    stopped_cleanly (pipeline, stop, kControlTask);
  }
  restarts (pipeline);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* PLAYING while another request (a keep-alive the camera is slow to
 * answer) waits for its answer: PLAY goes once it is answered. */
GST_START_TEST (test_play_while_a_keep_alive_is_in_flight)
{
  Watchdog dog (60, "PLAY behind a keep-alive");
  ScriptedCamera::Script script;
  script.session_timeout = 2;         /* a keep-alive every second */
  script.keep_alive_delay_ms = 600;
  ScriptedCamera camera (script);
  GstElement *pipeline = launch (pull_receiver (camera.url ()));
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  fail_unless (camera.wait_for ("GET_PARAMETER"), "no keep-alive in PAUSED");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  fail_unless (camera.wait_for ("PLAY"), "PLAY was never sent");
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* READY->PAUSED->READY->PAUSED->PLAYING: a session torn down, another set
 * up on the same streams, and played. */
GST_START_TEST (test_pull_ready_paused_cycles)
{
  Watchdog dog (60, "READY<->PAUSED cycles in pull mode");
  ScriptedCamera camera ({});
  GstElement *pipeline = launch (pull_receiver (camera.url ()));
  for (int cycle = 1; cycle <= 3; cycle++) {
    gst_element_set_state (pipeline, GST_STATE_PAUSED);
    fail_unless (camera.wait_for ("SETUP", cycle));
    gst_element_set_state (pipeline, GST_STATE_READY);
    fail_unless (camera.wait_for ("TEARDOWN", cycle), "cycle %d: no TEARDOWN at PAUSED->READY", cycle);
  }
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  fail_unless (camera.wait_for ("PLAY"));
  fail_if (GstMessagePtr (gst_bus_pop_filtered (GstObjectPtr<GstBus> (gst_element_get_bus (pipeline)).get (),
      GST_MESSAGE_ERROR)) != nullptr);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* Push mode's allocation message is posted by NULL->READY itself: it is on
 * the bus when the state change returns, however soon the element stops. */
GST_START_TEST (test_allocation_message_is_there_at_ready)
{
  for (int i = 0; i < repeat (20); i++) {
    GstElement *pipeline = launch (push_receiver ());
    fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
    GstObjectPtr<GstBus> bus (gst_element_get_bus (pipeline));
    bool seen = false;
    while (GstMessage *m = gst_bus_pop_filtered (bus.get (), GST_MESSAGE_ELEMENT)) {
      seen = seen || gst_message_has_name (m, "hostnetrtp-allocation");
      gst_message_unref (m);
    }
    gst_element_set_state (pipeline, GST_STATE_NULL);
    fail_unless (seen, "start %d: no hostnetrtp-allocation when NULL->READY returned", i);
    gst_object_unref (pipeline);
  }
}
GST_END_TEST;

/* ---- the RTSP session's loose ends ---- */

/* SETUP of the second stream fails after the first opened a session: the
 * session is torn down, not left on the camera. */
GST_START_TEST (test_setup_failing_part_way_tears_down)
{
  Watchdog dog (60, "a SETUP that fails part-way");
  ScriptedCamera::Script script;
  script.streams = {2};
  script.fail_setup_of = 1;
  ScriptedCamera camera (script);
  GstElement *pipeline = launch (pull_receiver (camera.url ()));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  const std::string error = error_text (pipeline);
  fail_unless (error.find ("answered SETUP with 500") != std::string::npos, "%s", error.c_str ());
  fail_unless (camera.wait_for ("TEARDOWN"), "the session the first SETUP opened was never torn down");
  for (const auto &r : camera.requests ())
    if (r.method == "TEARDOWN")
      fail_unless (r.headers.count ("Session") && r.headers.at ("Session") == "5c21a7ed");
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* A camera that comes back describing another number of streams: the pads
 * cannot follow, so it is an error, not a reconnection forever. */
GST_START_TEST (test_camera_with_another_number_of_streams_is_an_error)
{
  Watchdog dog (60, "a camera that changes its number of streams");
  ScriptedCamera::Script script;
  script.streams = {1, 2};
  script.close_after_play = true;
  ScriptedCamera camera (script);
  GstElement *pipeline = launch (pull_receiver (camera.url (), "reconnect-silence=0 reconnect-interval=50"));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  const std::string error = error_text (pipeline);
  fail_unless (error.find ("now describes 2 stream(s) instead of 1") != std::string::npos, "%s", error.c_str ());
  fail_unless_equals_int (camera.count ("DESCRIBE"), 2);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}
GST_END_TEST;

/* Credentials go to the camera's host only: a redirect to another host
 * takes none with it (and nothing is sent before a camera asks). */
GST_START_TEST (test_credentials_stay_on_their_host)
{
  Watchdog dog (60, "a redirect to another host");
  ScriptedCamera::Script wants;
  wants.basic_auth = "viewer:s3cret";
  ScriptedCamera elsewhere (wants, "127.0.0.2"), same_host (wants, "127.0.0.1");
  for (ScriptedCamera *target : {&elsewhere, &same_host}) {
    ScriptedCamera::Script moved = wants;
    moved.redirect_to = target->url ();
    ScriptedCamera first (moved);
    GstElement *pipeline = launch (pull_receiver (first.url ("viewer:s3cret")));
    fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    fail_unless (target->wait_for ("OPTIONS"), "the redirect was not followed");
    if (target == &elsewhere) {
      const std::string error = error_text (pipeline);
      fail_unless (error.find ("set user-id and user-pw") != std::string::npos, "%s", error.c_str ());
      for (const auto &r : elsewhere.requests ())
        fail_if (r.headers.count ("Authorization"), "%s to another host carried %s", r.method.c_str (),
            r.headers.at ("Authorization").c_str ());
    } else {
      fail_unless (same_host.wait_for ("PLAY"), "the same host's camera did not get the credentials");
    }
    /* Before the challenge, no request carried them (the first one asks). */
    fail_if (first.requests ().front ().headers.count ("Authorization"));
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (pipeline);
  }
}
GST_END_TEST;

static Suite *
application_suite (void)
{
  Suite *s = suite_create ("application");
  TCase *tc = tcase_create ("general");
  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_stop_on_push_allocation);
  tcase_add_test (tc, test_stop_on_pull_allocation);
  tcase_add_test (tc, test_stop_on_timeout);
  tcase_add_test (tc, test_stop_on_resumed);
  tcase_add_test (tc, test_stop_on_sender_changed);
  tcase_add_test (tc, test_stop_on_drop_warning);
  tcase_add_test (tc, test_stop_on_an_error_at_start);
  tcase_add_test (tc, test_stop_on_a_pull_error);
  tcase_add_test (tc, test_stop_on_rtsp_lost);
  tcase_add_test (tc, test_stop_on_rtsp_recovered);
  tcase_add_test (tc, test_sync_handler_reads_while_live_properties_change);
  tcase_add_test (tc, test_state_changes_race_property_changes);
  tcase_add_test (tc, test_stop_right_after_playing);
  tcase_add_test (tc, test_stop_while_connecting);
  tcase_add_test (tc, test_stop_while_stalled_at_options);
  tcase_add_test (tc, test_stop_while_stalled_at_describe);
  tcase_add_test (tc, test_stop_while_stalled_at_setup);
  tcase_add_test (tc, test_stop_while_stalled_at_play);
  tcase_add_test (tc, test_stop_while_stalled_at_keep_alive);
  tcase_add_test (tc, test_camera_hangs_up_half_way_through_a_reply);
  tcase_add_test (tc, test_stop_while_the_name_does_not_resolve);
  tcase_add_test (tc, test_stop_from_pad_added);
  tcase_add_test (tc, test_stop_on_an_inner_message_from_the_task);
  tcase_add_test (tc, test_stop_on_latency_from_the_task);
  tcase_add_test (tc, test_play_while_a_keep_alive_is_in_flight);
  tcase_add_test (tc, test_pull_ready_paused_cycles);
  tcase_add_test (tc, test_allocation_message_is_there_at_ready);
  tcase_add_test (tc, test_setup_failing_part_way_tears_down);
  tcase_add_test (tc, test_camera_with_another_number_of_streams_is_an_error);
  tcase_add_test (tc, test_credentials_stay_on_their_host);
  return s;
}

GST_CHECK_MAIN (application);
