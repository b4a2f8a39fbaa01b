/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — the element's life cycle under stress.
 *
 *  1. NULL <-> PLAYING cycles (1000 by default) while a sender blasts every
 *     port of the range with RTP of changing SSRCs, RTCP and junk;
 *  2. 4 threads setting random states on one pipeline (30 s by default),
 *     with the same blast going on.
 * Before and after each: descriptors, threads, RSS, and the UDP ports this
 * process holds as the kernel lists them (ss). Fails on growth, on a port
 * left bound in NULL, on a state change that never returns (deadlock), and
 * on a crash. Prints the figures; ends "N passed, N failed".
 *
 *   lifecycle [--cycles N] [--seconds S]
 */
#include <gst/gst.h>

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <netinet/in.h>
#include <random>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
int passes = 0, failures = 0;

void check (bool ok, const std::string &what)
{
  std::printf ("%s - %s\n", ok ? "ok  " : "FAIL", what.c_str ());
  std::fflush (stdout);
  (ok ? passes : failures)++;
}

struct Snapshot {
  long fds = 0, threads = 0, rss_kib = 0, udp_ports = 0;
  std::string thread_names;

  /* @first-@last: the range whose bound ports count (the blaster's own
   * socket is not the element's). */
  static Snapshot take (guint first, guint last)
  {
    Snapshot s;
    if (DIR *dir = opendir ("/proc/self/fd")) {
      while (readdir (dir))
        s.fds++;
      closedir (dir);
    }
    gchar *status = nullptr;
    g_file_get_contents ("/proc/self/status", &status, nullptr, nullptr);
    if (const char *t = status ? strstr (status, "Threads:") : nullptr)
      s.threads = std::strtol (t + 8, nullptr, 10);
    if (DIR *dir = opendir ("/proc/self/task")) {
      while (struct dirent *task = readdir (dir)) {
        gchar *comm = nullptr;
        std::string path = std::string ("/proc/self/task/") + task->d_name + "/comm";
        if (task->d_name[0] != '.' && g_file_get_contents (path.c_str (), &comm, nullptr, nullptr))
          s.thread_names += (s.thread_names.empty () ? "" : ",") + std::string (g_strchomp (comm));
        g_free (comm);
      }
      closedir (dir);
    }
    if (const char *r = status ? strstr (status, "VmRSS:") : nullptr)
      s.rss_kib = std::strtol (r + 6, nullptr, 10);
    g_free (status);
    /* The kernel's view of this process's UDP sockets in the range. */
    std::string command = "ss -uanpH 'sport >= :" + std::to_string (first) + " and sport <= :" +
        std::to_string (last) + "' | grep -c 'pid=" + std::to_string (getpid ()) + ",'";
    if (FILE *ss = popen (command.c_str (), "r")) {
      if (fscanf (ss, "%ld", &s.udp_ports) != 1)
        s.udp_ports = -1;
      pclose (ss);
    }
    return s;
  }

  /* An idle streaming thread waits half a second in its pool for another
   * task, then in GLib's unused list: stop those until no more than
   * @limit threads are left or 5 s passed. What stays is still working. */
  static Snapshot settled (guint first, guint last, long limit)
  {
    Snapshot s = take (first, last);
    for (int i = 0; i < 50 && s.threads > limit; i++) {
      g_usleep (100 * 1000);
      g_thread_pool_stop_unused_threads ();
      s = take (first, last);
    }
    return s;
  }

  std::string text () const
  {
    return std::to_string (fds) + " fds, " + std::to_string (threads) + " threads (" + thread_names + "), " +
        std::to_string (rss_kib / 1024) + " MiB RSS, " + std::to_string (udp_ports) + " UDP sockets in the range";
  }
};

/* Sends to every port of [first, last] as fast as it is allowed: RTP from
 * changing SSRCs, sender reports, junk; from its own socket on 127.0.0.1. */
class Blaster {
 public:
  std::atomic<guint64> sent {0};

  Blaster (guint first, guint last, unsigned per_second)
  {
    fd_ = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    thread_ = std::thread ([=] {
      std::mt19937 rng (first);
      guint8 packet[300];
      struct sockaddr_in to = {};
      to.sin_family = AF_INET;
      inet_pton (AF_INET, "127.0.0.1", &to.sin_addr);
      const auto every = std::chrono::nanoseconds (1000000000ull * 100 / per_second);
      auto next = Clock::now ();
      guint16 seq = 0;
      while (!stop_) {
        for (int i = 0; i < 100; i++) {
          const guint port = first + rng () % (last - first + 1);
          for (auto &b : packet)
            b = guint8 (rng ());
          size_t size = sizeof (packet);
          switch (rng () % 3) {
            case 0:  /* RTP of one of a few SSRCs, in sequence */
              packet[0] = 0x80;
              packet[1] = 96;
              packet[2] = seq >> 8;
              packet[3] = guint8 (seq);
              seq++;
              packet[8] = packet[9] = packet[10] = 0x5E;
              packet[11] = guint8 (rng () % 4);
              break;
            case 1:  /* a sender report header */
              packet[0] = 0x80;
              packet[1] = 200;
              packet[2] = 0;
              packet[3] = 6;
              size = 28;
              break;
            default:  /* junk of any length */
              size = rng () % sizeof (packet);
          }
          to.sin_port = htons (port);
          sendto (fd_, packet, size, 0, reinterpret_cast<sockaddr *> (&to), sizeof (to));
          sent++;
        }
        next += every;
        std::this_thread::sleep_until (next);
      }
    });
  }
  ~Blaster ()
  {
    stop_ = true;
    thread_.join ();
    close (fd_);
  }

 private:
  int fd_ = -1;
  std::atomic<bool> stop_ {false};
  std::thread thread_;
};

GstElement *receiver (guint first, guint last)
{
  std::string text = "hostnetrtpsrc name=src encoding-name=H264 latency=20 sender-timeout=100 "
      "port-range=" + std::to_string (first) + "-" + std::to_string (last) +
      " ! rtph264depay ! fakesink sync=false";
  GError *err = nullptr;
  GstElement *p = gst_parse_launch (text.c_str (), &err);
  if (!p) {
    std::printf ("cannot build the receiver: %s\n", err->message);
    std::exit (2);
  }
  return p;
}

/* Runs @change, and ends the run if it does not come back (a deadlock). */
template <typename F>
void returns_within (F change, int seconds)
{
  std::mutex lock;
  std::condition_variable finished;
  bool done = false;
  std::thread watchdog ([&] {
    std::unique_lock<std::mutex> guard (lock);
    if (!finished.wait_for (guard, std::chrono::seconds (seconds), [&] { return done; })) {
      std::printf ("FAIL - a state change did not return within %d s: deadlock\n", seconds);
      std::fflush (stdout);
      std::_Exit (3);
    }
  });
  change ();
  {
    std::lock_guard<std::mutex> guard (lock);
    done = true;
  }
  finished.notify_all ();
  watchdog.join ();
}

void cycles (guint first, guint last, int count)
{
  std::printf ("# %d NULL <-> PLAYING cycles on %u-%u while a sender blasts it\n", count, first, last);
  GstElement *pipeline = receiver (first, last);
  Blaster blast (first, last, 20000);
  /* Warm-up: GStreamer's one-time threads, pools and descriptors. */
  for (int i = 0; i < 10; i++) {
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    gst_element_get_state (pipeline, nullptr, nullptr, GST_SECOND);
    gst_element_set_state (pipeline, GST_STATE_NULL);
  }
  const Snapshot before = Snapshot::take (first, last);
  int failed_starts = 0, playing = 0;
  double up_ms = 0, down_ms = 0;
  auto started = Clock::now ();
  for (int i = 0; i < count; i++) {
    returns_within ([&] {
      auto t0 = Clock::now ();
      if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
        failed_starts++;
      up_ms += std::chrono::duration<double, std::milli> (Clock::now () - t0).count ();
      /* Let data flow a little in some cycles: the races are in between. */
      if (i % 7 == 0)
        std::this_thread::sleep_for (std::chrono::milliseconds (5));
      GstElement *src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
      GstState src_state;
      gst_element_get_state (src, &src_state, nullptr, GST_SECOND);
      playing += src_state == GST_STATE_PLAYING;
      gst_object_unref (src);
      auto t1 = Clock::now ();
      gst_element_set_state (pipeline, GST_STATE_NULL);
      down_ms += std::chrono::duration<double, std::milli> (Clock::now () - t1).count ();
    }, 20);
  }
  const double seconds = std::chrono::duration<double> (Clock::now () - started).count ();
  const Snapshot after = Snapshot::settled (first, last, before.threads + 1);
  std::printf ("  %d cycles in %.1f s (%.1f ms each: %.1f to PLAYING, %.1f to NULL), %" G_GUINT64_FORMAT
      " datagrams blasted\n", count, seconds, 1000 * seconds / count, up_ms / count, down_ms / count,
      guint64 (blast.sent));
  std::printf ("  before: %s\n  after:  %s\n", before.text ().c_str (), after.text ().c_str ());
  check (failed_starts == 0, "every start succeeded (" + std::to_string (failed_starts) + " failed)");
  check (playing == count, "the element reached PLAYING in every cycle (" + std::to_string (playing) + ")");
  check (after.fds <= before.fds, "no descriptor growth (" + std::to_string (before.fds) + " -> " +
      std::to_string (after.fds) + ")");
  check (after.udp_ports == 0, "no UDP socket left bound in NULL (kernel: " + std::to_string (after.udp_ports) + ")");
  check (after.threads <= before.threads + 1, "no thread growth (" + std::to_string (before.threads) +
      " -> " + std::to_string (after.threads) + ")");
  check (after.rss_kib <= before.rss_kib + 16 * 1024, "RSS bounded (" + std::to_string (before.rss_kib / 1024) +
      " -> " + std::to_string (after.rss_kib / 1024) + " MiB)");
  gst_object_unref (pipeline);
}

void random_states (guint first, guint last, int seconds)
{
  std::printf ("# 4 threads setting random states on one pipeline for %d s, blasted\n", seconds);
  GstElement *pipeline = receiver (first, last);
  Blaster blast (first, last, 20000);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  const Snapshot before = Snapshot::take (first, last);
  std::atomic<guint64> changes {0};
  std::atomic<long> peak_ports {0};
  const auto end = Clock::now () + std::chrono::seconds (seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back ([&, t] {
      std::mt19937 rng (t);
      const GstState states[] = {GST_STATE_NULL, GST_STATE_READY, GST_STATE_PAUSED, GST_STATE_PLAYING};
      while (Clock::now () < end) {
        returns_within ([&] { gst_element_set_state (pipeline, states[rng () % 4]); }, 20);
        changes++;
        if (rng () % 8 == 0)
          std::this_thread::sleep_for (std::chrono::milliseconds (rng () % 10));
      }
    });
  }
  /* While it churns: no more ports than one pair is ever held. */
  while (Clock::now () < end) {
    std::this_thread::sleep_for (std::chrono::milliseconds (500));
    peak_ports = std::max<long> (peak_ports, Snapshot::take (first, last).udp_ports);
  }
  for (auto &t : threads)
    t.join ();
  returns_within ([&] { gst_element_set_state (pipeline, GST_STATE_NULL); }, 20);
  const Snapshot after = Snapshot::settled (first, last, before.threads + 1);
  std::printf ("  %" G_GUINT64_FORMAT " state changes; at most %ld UDP sockets held at once\n",
      guint64 (changes), long (peak_ports));
  std::printf ("  before: %s\n  after:  %s\n", before.text ().c_str (), after.text ().c_str ());
  check (changes > 100, "the threads kept changing states (" + std::to_string (changes) + ")");
  check (peak_ports <= 2, "never more than the element's pair bound (" + std::to_string (peak_ports) + ")");
  check (after.udp_ports == 0, "no UDP socket left bound in NULL");
  check (after.fds <= before.fds, "no descriptor growth (" + std::to_string (before.fds) + " -> " +
      std::to_string (after.fds) + ")");
  check (after.threads <= before.threads + 1, "no thread growth (" + std::to_string (before.threads) +
      " -> " + std::to_string (after.threads) + ")");
  check (after.rss_kib <= before.rss_kib + 16 * 1024, "RSS bounded (" + std::to_string (before.rss_kib / 1024) +
      " -> " + std::to_string (after.rss_kib / 1024) + " MiB)");
  gst_object_unref (pipeline);
}

}  // namespace

int main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  int count = 1000, seconds = 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp (argv[i], "--cycles") == 0)
      count = std::atoi (argv[i + 1]);
    else if (std::strcmp (argv[i], "--seconds") == 0)
      seconds = std::atoi (argv[i + 1]);
  }
  if (!gst_element_factory_find ("hostnetrtpsrc")) {
    std::printf ("hostnetrtpsrc is not found: set GST_PLUGIN_PATH\n");
    return 1;
  }
  guint base = 20000 + 2 * g_random_int_range (0, 5000);
  cycles (base, base + 15, count);
  random_states (base + 16, base + 31, seconds);
  std::printf ("%d passed, %d failed (life cycle)\n", passes, failures);
  return failures ? 1 : 0;
}
