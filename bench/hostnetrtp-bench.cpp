/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp-bench — receivers compared in one run, on loopback.
 *
 * Each receiver runs in its own process (this program with --receiver), so
 * its CPU time is its own; the orchestrator sends real RTP with sendmmsg and
 * reads back how many packets came out of the receiver's RTP stack.
 *
 *   hostnetrtp-bench [--quick]      prints one table with ratios
 *   hostnetrtp-bench --cpu          only CPU per packet, ours and hand-built
 *
 * Receivers: hostnetrtpsrc (its batched receive path, the default), the
 * same with receive-path=udpsrc (the path it had before), rtpsrc, udpsrc
 * buffer-size=4MiB ! rtpbin (by hand), and a raw recvmmsg loop (the
 * kernel's limit, no RTP stack).
 *
 * CPU time and context switches are counted only while the sender sends
 * (the orchestrator marks start and end on the receiver's stdin), as
 * medians of three runs. Two arrival patterns: bursts (20 packets every
 * millisecond, like a camera's frames) and smooth pacing (one packet every
 * 50 us, like a CBR encoder or a gateway).
 */
#include <gio/gio.h>
#include <gst/gst.h>

#include <algorithm>
#include <array>
#include <memory>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <fcntl.h>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kPayload = 1200;

struct Usage {
  double cpu = 0;       /* user + system seconds */
  double switches = 0;  /* voluntary + involuntary context switches */
};

Usage usage ()
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return {ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
      double (ru.ru_nvcsw + ru.ru_nivcsw)};
}

/* ---------------- receiver side (a child process) ---------------- */

std::atomic<guint64> g_count {0};

GstPadProbeReturn count_probe (GstPad *, GstPadProbeInfo *info, gpointer) noexcept
{
  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    g_count += gst_buffer_list_length (GST_PAD_PROBE_INFO_BUFFER_LIST (info));
  else
    g_count++;
  return GST_PAD_PROBE_OK;
}

std::string pipeline_for (const std::string &kind)
{
  const std::string caps = "application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96";
  if (kind == "hostnetrtpsrc")
    return "hostnetrtpsrc name=src encoding-name=H264 ! fakesink name=sink sync=false async=false";
  if (kind == "hostnetrtpsrc-udpsrc")
    return "hostnetrtpsrc name=src receive-path=udpsrc encoding-name=H264 ! fakesink name=sink sync=false "
        "async=false";
  if (kind == "rtpsrc")  /* rtpsrc takes no port 0: the orchestrator picks a free one */
    return "rtpsrc name=src port=" + std::string (g_getenv ("BENCH_PORT")) +
        " encoding-name=H264 ! fakesink name=sink sync=false async=false";
  if (kind == "udpsrc-rtpbin")
    return "udpsrc name=src port=0 buffer-size=4194304 caps=\"" + caps + "\" ! rtpbin.recv_rtp_sink_0 "
        "rtpbin name=rtpbin ! fakesink name=sink sync=false async=false";
  return "";
}

/* The UDP port the receiver listens on, once it is bound. */
guint bound_port (GstElement *pipeline, GstElement *src)
{
  guint port = 0;
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (src), "rtp-port")) {
    g_object_get (src, "rtp-port", &port, nullptr);
    return port;
  }
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (pipeline));
  GValue item = G_VALUE_INIT;
  while (!port && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = GST_ELEMENT (g_value_get_object (&item));
    GstElementFactory *f = gst_element_get_factory (e);
    if (f && !strcmp (GST_OBJECT_NAME (f), "udpsrc")) {
      GSocket *socket = nullptr;
      g_object_get (e, "used-socket", &socket, nullptr);
      if (socket) {
        GSocketAddress *a = g_socket_get_local_address (socket, nullptr);
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (a));
        g_object_unref (a);
        g_object_unref (socket);
      }
    }
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  if (!port && GST_IS_BIN (src) == FALSE)
    g_object_get (src, "port", &port, nullptr);
  return port;
}

/* The end of a receiver's run: the orchestrator writes 'b' on our stdin when
 * its sender begins and 'e' when it ends, then closes it; we answer with the
 * packets counted and the CPU time and context switches between the marks
 * (since the call and until the close, without them). */
void report_when_stdin_closes (std::atomic<bool> *stop = nullptr)
{
  Usage begin = usage (), end {};
  bool ended = false;
  char c;
  while (read (0, &c, 1) > 0) {
    if (c == 'b')
      begin = usage ();
    else if (c == 'e')
      end = usage (), ended = true;
  }
  if (!ended)
    end = usage ();
  if (stop)
    *stop = true;
  std::printf ("count %" G_GUINT64_FORMAT " cpu %.4f switches %.0f\n", g_count.load (),
      end.cpu - begin.cpu, end.switches - begin.switches);
  std::fflush (stdout);
}

int run_raw_receiver ()
{
  int fd = socket (AF_INET, SOCK_DGRAM, 0);
  int size = 4 * 1024 * 1024;
  setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof (size));
  struct sockaddr_in sa = {};
  sa.sin_family = AF_INET;
  bind (fd, reinterpret_cast<sockaddr *> (&sa), sizeof (sa));
  socklen_t len = sizeof (sa);
  getsockname (fd, reinterpret_cast<sockaddr *> (&sa), &len);
  struct timeval tv = {0, 100000};
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof (tv));
  std::printf ("port %u\n", ntohs (sa.sin_port));
  std::fflush (stdout);
  std::atomic<bool> stop {false};
  std::thread waiter ([&] { report_when_stdin_closes (&stop); });
  constexpr int kBatch = 64;
  std::vector<char> storage (kBatch * 2048);
  struct mmsghdr msgs[kBatch];
  struct iovec iov[kBatch];
  while (!stop) {
    for (int i = 0; i < kBatch; i++) {
      iov[i] = {&storage[i * 2048], 2048};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg (fd, msgs, kBatch, 0, nullptr);
    if (n > 0)
      g_count += n;
  }
  waiter.join ();
  return 0;
}

int run_receiver (const std::string &kind)
{
  if (kind == "raw")
    return run_raw_receiver ();
  GError *err = nullptr;
  GstElement *pipeline = gst_parse_launch (pipeline_for (kind).c_str (), &err);
  if (!pipeline) {
    std::fprintf (stderr, "%s\n", err->message);
    return 1;
  }
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, static_cast<GstPadProbeType> (GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST), count_probe, nullptr, nullptr);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    return 1;
  gst_element_get_state (src, nullptr, nullptr, 5 * GST_SECOND);
  /* rtpsrc holds two udpsrc (RTP, RTCP): its RTP port is the one it was given. */
  guint port = kind == "rtpsrc" ? std::atoi (g_getenv ("BENCH_PORT")) : 0;
  for (int i = 0; i < 100 && !port; i++) {
    port = bound_port (pipeline, src);
    if (!port)
      g_usleep (10000);
  }
  std::printf ("port %u\n", port);
  std::fflush (stdout);
  report_when_stdin_closes ();
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return 0;
}

/* ---------------- orchestrator side ---------------- */

struct Child {
  pid_t pid = -1;
  int to = -1;     /* its stdin: closing it ends the run */
  FILE *from = nullptr;
  unsigned port = 0;
};

Child spawn (const std::vector<std::string> &args, const char *const *env_extra = nullptr)
{
  int in[2], out[2];
  /* CLOEXEC: a sibling must not inherit our end of another child's stdin,
   * or closing it would never reach that child. */
  if (pipe2 (in, O_CLOEXEC) != 0 || pipe2 (out, O_CLOEXEC) != 0)
    return {};
  Child c;
  c.pid = fork ();
  if (c.pid == 0) {
    dup2 (in[0], 0);
    dup2 (out[1], 1);
    close (in[1]);
    close (out[0]);
    for (const char *const *e = env_extra; e && *e; e++)
      putenv (const_cast<char *> (*e));
    std::vector<char *> argv;
    for (auto &a : args)
      argv.push_back (const_cast<char *> (a.c_str ()));
    argv.push_back (nullptr);
    execv ("/proc/self/exe", argv.data ());
    _exit (127);
  }
  close (in[0]);
  close (out[1]);
  c.to = in[1];
  c.from = fdopen (out[0], "r");
  return c;
}

/* A port nobody holds right now (for receivers that cannot bind port 0). */
unsigned free_port ()
{
  int fd = socket (AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in sa = {};
  sa.sin_family = AF_INET;
  bind (fd, reinterpret_cast<sockaddr *> (&sa), sizeof (sa));
  socklen_t len = sizeof (sa);
  getsockname (fd, reinterpret_cast<sockaddr *> (&sa), &len);
  close (fd);
  return ntohs (sa.sin_port);
}

Child start_receiver (const std::string &kind)
{
  static std::string port_env;
  port_env = "BENCH_PORT=" + std::to_string (free_port ());
  const char *env[] = {port_env.c_str (), nullptr};
  Child c = spawn ({"hostnetrtp-bench", "--receiver", kind}, env);
  if (std::fscanf (c.from, " port %u", &c.port) != 1 || c.port == 0) {
    /* A receiver that did not start must not read as "0% lost". */
    std::fprintf (stderr, "hostnetrtp-bench: the %s receiver did not start\n", kind.c_str ());
    std::exit (1);
  }
  return c;
}

struct Result {
  guint64 received = 0;
  double cpu = 0;
  double switches = 0;
};

void mark (Child &c, char what)
{
  if (write (c.to, &what, 1) != 1)
    std::fprintf (stderr, "hostnetrtp-bench: a receiver went away\n");
}

Result finish (Child &c)
{
  close (c.to);
  Result r;
  if (std::fscanf (c.from, " count %" G_GUINT64_FORMAT " cpu %lf switches %lf", &r.received, &r.cpu,
          &r.switches) != 3)
    r.received = 0;
  fclose (c.from);
  waitpid (c.pid, nullptr, 0);
  return r;
}

/* Sends valid RTP (one SSRC, running sequence numbers) to 127.0.0.1:port. */
class RtpSender {
 public:
  explicit RtpSender (unsigned port, guint32 ssrc = 0x5EED) : ssrc_ (ssrc)
  {
    fd_ = socket (AF_INET, SOCK_DGRAM, 0);
    dest_.sin_family = AF_INET;
    dest_.sin_port = htons (port);
    dest_.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    int size = 8 * 1024 * 1024;
    setsockopt (fd_, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof (size));
  }
  ~RtpSender () { close (fd_); }

  /* Sends @n packets of one frame back to back (a burst). */
  guint64 send_frame (unsigned n)
  {
    constexpr unsigned kBatch = 64;
    std::vector<std::array<unsigned char, 12 + kPayload>> pkts (kBatch);
    struct mmsghdr msgs[kBatch];
    struct iovec iov[kBatch];
    guint64 sent = 0;
    for (unsigned done = 0; done < n;) {
      unsigned batch = std::min (kBatch, n - done);
      for (unsigned i = 0; i < batch; i++) {
        auto &p = pkts[i];
        p.fill (0x42);
        p[0] = 0x80;
        p[1] = 96 | ((done + i + 1 == n) ? 0x80 : 0);
        guint16 seq = seq_++;
        p[2] = seq >> 8; p[3] = seq & 0xff;
        guint32 ts = ts_;
        p[4] = ts >> 24; p[5] = ts >> 16; p[6] = ts >> 8; p[7] = ts;
        p[8] = ssrc_ >> 24; p[9] = ssrc_ >> 16; p[10] = ssrc_ >> 8; p[11] = ssrc_;
        iov[i] = {p.data (), p.size ()};
        msgs[i] = {};
        msgs[i].msg_hdr.msg_name = &dest_;
        msgs[i].msg_hdr.msg_namelen = sizeof (dest_);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      int r = sendmmsg (fd_, msgs, batch, 0);
      if (r <= 0)
        break;
      done += r;
      sent += r;
    }
    ts_ += 3000;
    return sent;
  }

 private:
  int fd_;
  struct sockaddr_in dest_ = {};
  guint32 ssrc_;
  guint16 seq_ = 0;
  guint32 ts_ = 0;
};

/* Runs @fn(frame index) every @period for @frames frames, on an absolute clock. */
template <typename Fn>
void paced (std::chrono::nanoseconds period, unsigned frames, Fn fn)
{
  auto next = Clock::now ();
  for (unsigned f = 0; f < frames; f++) {
    fn (f);
    next += period;
    std::this_thread::sleep_until (next);
  }
}

/* Waits until the receiver's jitterbuffer has let everything out. */
void drain () { std::this_thread::sleep_for (std::chrono::milliseconds (600)); }

const char *kReceivers[] = {"hostnetrtpsrc", "hostnetrtpsrc-udpsrc", "rtpsrc", "udpsrc-rtpbin", "raw"};

double loss_percent (guint64 sent, guint64 received)
{
  return sent ? 100.0 * (double) (sent > received ? sent - received : 0) / (double) sent : 0;
}

/* (a) camera bursts: I-frame of @iframe packets every @gop frames, else @pframe. */
std::vector<double> burst_case (unsigned iframe, unsigned pframe, unsigned seconds)
{
  std::vector<double> loss;
  for (const char *kind : kReceivers) {
    Child c = start_receiver (kind);
    RtpSender sender (c.port);
    guint64 sent = 0;
    paced (std::chrono::nanoseconds (1000000000 / 30), 30 * seconds,
        [&] (unsigned f) { sent += sender.send_frame (f % 30 == 0 ? iframe : pframe); });
    drain ();
    Result r = finish (c);
    loss.push_back (loss_percent (sent, r.received));
  }
  return loss;
}

struct Steady {
  double lost_percent = 0;
  double cpu_per_million = 0;   /* CPU seconds per million packets received */
  double switches_per_packet = 0;
};

/* Steady @rate packets/s for @seconds, in sends of @per_send packets
 * (0: a millisecond's worth, i.e. bursts). */
Steady steady (const char *kind, unsigned rate, double seconds, unsigned per_send = 0)
{
  Child c = start_receiver (kind);
  RtpSender sender (c.port);
  guint64 sent = 0;
  if (!per_send)
    per_send = std::max (1u, rate / 1000);
  unsigned ticks = static_cast<unsigned> (seconds * rate / per_send);
  auto period = std::chrono::nanoseconds (static_cast<long> (1e9 * per_send / rate));
  mark (c, 'b');
  paced (period, ticks, [&] (unsigned) { sent += sender.send_frame (per_send); });
  mark (c, 'e');
  drain ();
  Result r = finish (c);
  Steady out;
  out.lost_percent = loss_percent (sent, r.received);
  if (r.received) {
    out.cpu_per_million = r.cpu / (r.received / 1e6);
    out.switches_per_packet = r.switches / r.received;
  }
  return out;
}

/* The median of three runs of steady(), field by field. */
Steady steady_median (const char *kind, unsigned rate, double seconds, unsigned per_send)
{
  std::vector<Steady> runs;
  for (int i = 0; i < 3; i++)
    runs.push_back (steady (kind, rate, seconds, per_send));
  auto median = [&] (double Steady::*field) {
    std::vector<double> v;
    for (auto &r : runs)
      v.push_back (r.*field);
    std::sort (v.begin (), v.end ());
    return v[1];
  };
  return {median (&Steady::lost_percent), median (&Steady::cpu_per_million),
      median (&Steady::switches_per_packet)};
}

void print_row (const char *name, const std::vector<double> &v, const char *unit)
{
  std::printf ("%-46s", name);
  for (double x : v)
    std::printf (" %13.2f", x);
  std::printf ("  %s\n%46s", unit, "");
  auto ratio = [&] (double ours, double peer) {
    if (peer == 0 && ours == 0) return std::string ("=");
    if (peer == 0) return std::string ("inf");
    char b[32];
    std::snprintf (b, sizeof (b), "%.2fx", ours / peer);
    return std::string (b);
  };
  std::printf (" ours/old path %s, ours/rtpsrc %s, ours/hand-built %s, ours/raw %s\n",
      ratio (v[0], v[1]).c_str (), ratio (v[0], v[2]).c_str (), ratio (v[0], v[3]).c_str (),
      ratio (v[0], v[4]).c_str ());
}

/* (d) @n processes start at once on a range of @ports ports. */
void allocation_storm (unsigned n, unsigned ports)
{
  unsigned base = 20000 + 2 * (g_random_int () % 5000);
  std::string range = std::to_string (base) + "-" + std::to_string (base + ports - 1);
  double medians[2] = {0, 0};
  for (int fixed = 0; fixed < 2; fixed++) {
    std::vector<Child> kids;
    std::vector<double> ready_ms;
    auto t0 = Clock::now ();
    for (unsigned i = 0; i < n; i++) {
      std::string port = std::to_string (base + 2 * i);
      kids.push_back (spawn ({"hostnetrtp-bench", "--ready", fixed ? "fixed" : "hostnet",
          fixed ? port : range}));
    }
    unsigned failures = 0;
    std::vector<unsigned> got;
    for (auto &k : kids) {
      unsigned port = 0;
      if (std::fscanf (k.from, " ready %u", &port) == 1 && port) {
        ready_ms.push_back (std::chrono::duration<double, std::milli> (Clock::now () - t0).count ());
        got.push_back (port);
      } else {
        failures++;
      }
    }
    for (auto &k : kids)
      finish (k);
    std::sort (got.begin (), got.end ());
    bool twice = std::adjacent_find (got.begin (), got.end ()) != got.end ();
    std::sort (ready_ms.begin (), ready_ms.end ());
    double median = ready_ms.empty () ? 0 : ready_ms[ready_ms.size () / 2];
    std::printf ("(d) storm %u procs, %s: failures %u, pair held twice: %s, median time to READY %.1f ms\n",
        n, fixed ? "fixed-port udpsrc (distinct ports)" : ("hostnetrtpsrc on " + range).c_str (),
        failures, twice ? "YES" : "no", median);
    medians[fixed] = median;
  }
  std::printf ("(d) median time to READY, ours/fixed-port: %.2fx\n", medians[1] > 0 ? medians[0] / medians[1] : 0);
}

int run_ready (const std::string &kind, const std::string &arg)
{
  std::string text = kind == "fixed"
      ? "udpsrc name=src port=" + arg + " ! fakesink async=false"
      : "hostnetrtpsrc name=src port-range=" + arg + " encoding-name=H264 ! fakesink async=false";
  GstElement *p = gst_parse_launch (text.c_str (), nullptr);
  guint port = 0;
  if (p && gst_element_set_state (p, GST_STATE_READY) == GST_STATE_CHANGE_SUCCESS) {
    GstElement *src = gst_bin_get_by_name (GST_BIN (p), "src");
    g_object_get (src, kind == "fixed" ? "port" : "rtp-port", &port, nullptr);
  }
  std::printf ("ready %u\n", port);
  std::fflush (stdout);
  char c;
  while (read (0, &c, 1) > 0) {
  }
  if (p)
    gst_element_set_state (p, GST_STATE_NULL);
  std::printf ("count 0 cpu 0\n");
  return 0;
}

/* (e) @streams cameras over @procs hostnetrtpsrc processes at @mbit each. */
void many_streams (unsigned streams, unsigned procs, double mbit, unsigned seconds)
{
  std::vector<Child> kids;
  for (unsigned i = 0; i < procs; i++)
    kids.push_back (spawn ({"hostnetrtp-bench", "--receiver-multi", std::to_string (streams / procs)}));
  std::vector<unsigned> ports;
  for (auto &k : kids)
    for (unsigned s = 0; s < streams / procs; s++) {
      unsigned p = 0;
      if (std::fscanf (k.from, " port %u", &p) == 1)
        ports.push_back (p);
    }
  std::vector<std::unique_ptr<RtpSender>> senders;
  for (unsigned i = 0; i < ports.size (); i++)
    senders.push_back (std::make_unique<RtpSender> (ports[i], 0x1000 + i));
  /* ~4 Mbit/s of 1212-byte packets at 30 fps: one I-frame burst per second. */
  unsigned per_second = static_cast<unsigned> (mbit * 1e6 / 8 / (12 + kPayload));
  unsigned iframe = per_second / 4, pframe = (per_second - iframe) / 29;
  guint64 sent = 0;
  paced (std::chrono::nanoseconds (1000000000 / 30), 30 * seconds, [&] (unsigned f) {
    for (auto &s : senders)
      sent += s->send_frame (f % 30 == 0 ? iframe : pframe);
  });
  drain ();
  guint64 received = 0;
  double cpu = 0;
  for (auto &k : kids) {
    Result r = finish (k);
    received += r.received;
    cpu += r.cpu;
  }
  std::printf ("(e) %zu streams x %.1f Mbit/s over %u hostnetrtpsrc processes, %us: sent %" G_GUINT64_FORMAT
      ", lost %.3f%%, CPU %.2f s (%.1f%% of one core)\n", ports.size (), mbit, procs, seconds, sent,
      loss_percent (sent, received), cpu, 100.0 * cpu / seconds);
}

int run_multi_receiver (unsigned n)
{
  std::string text;
  for (unsigned i = 0; i < n; i++)
    text += "hostnetrtpsrc name=src" + std::to_string (i) + " encoding-name=H264 ! fakesink name=sink" +
        std::to_string (i) + " sync=false async=false ";
  GstElement *p = gst_parse_launch (text.c_str (), nullptr);
  for (unsigned i = 0; i < n; i++) {
    GstElement *sink = gst_bin_get_by_name (GST_BIN (p), ("sink" + std::to_string (i)).c_str ());
    GstPad *pad = gst_element_get_static_pad (sink, "sink");
    gst_pad_add_probe (pad, static_cast<GstPadProbeType> (GST_PAD_PROBE_TYPE_BUFFER |
        GST_PAD_PROBE_TYPE_BUFFER_LIST), count_probe, nullptr, nullptr);
  }
  gst_element_set_state (p, GST_STATE_PLAYING);
  for (unsigned i = 0; i < n; i++) {
    GstElement *src = gst_bin_get_by_name (GST_BIN (p), ("src" + std::to_string (i)).c_str ());
    guint port = 0;
    g_object_get (src, "rtp-port", &port, nullptr);
    std::printf ("port %u\n", port);
  }
  std::fflush (stdout);
  report_when_stdin_closes ();
  gst_element_set_state (p, GST_STATE_NULL);
  return 0;
}

}  // namespace

int main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  signal (SIGPIPE, SIG_IGN);
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "--receiver" && argc > 2)
    return run_receiver (argv[2]);
  if (mode == "--ready" && argc > 3)
    return run_ready (argv[2], argv[3]);
  if (mode == "--receiver-multi" && argc > 2)
    return run_multi_receiver (std::atoi (argv[2]));
  setvbuf (stdout, nullptr, _IOLBF, 0);
  /* The paced sender sleeps 50 us between packets: the default timer slack
   * (50 us) would turn that into pairs. */
  prctl (PR_SET_TIMERSLACK, 1UL);
  if (GstElementFactory *f = gst_element_factory_find ("hostnetrtpsrc")) {
    gst_object_unref (f);
  } else {
    std::fprintf (stderr, "hostnetrtp-bench: no hostnetrtpsrc element: run it with "
        "GST_PLUGIN_PATH=build/gst/hostnetrtp (or install the plugin)\n");
    return 1;
  }
  if (mode == "--cpu") {  /* only (c), ours and hand-built: for quick profiling rounds */
    for (const char *kind : {"hostnetrtpsrc", "udpsrc-rtpbin"}) {
      Steady burst = steady_median (kind, 20000, 3, 0), smooth = steady_median (kind, 20000, 3, 1);
      std::printf ("%-14s bursts %6.2f CPU-s/M %5.2f switches/pkt   paced %6.2f CPU-s/M %5.2f switches/pkt\n",
          kind, burst.cpu_per_million, burst.switches_per_packet, smooth.cpu_per_million,
          smooth.switches_per_packet);
    }
    return 0;
  }
  bool quick = mode == "--quick";
  unsigned secs = quick ? 2 : 5;

  std::printf ("%-46s %13s %13s %13s %13s %13s\n", "case", "hostnetrtpsrc", "old path", "rtpsrc",
      "hand-built", "raw recvmmsg");
  print_row ("(a) bursts 1000-pkt I / 100-pkt P, lost", burst_case (1000, 100, secs), "%");
  print_row ("(a) bursts 250-pkt I / 42-pkt P, lost", burst_case (250, 42, secs), "%");
  std::vector<double> loss30, best, cpu_burst, cpu_paced, ctx_burst, ctx_paced;
  for (const char *kind : kReceivers) {
    loss30.push_back (steady (kind, 30000, secs).lost_percent);
    Steady burst = steady_median (kind, 20000, secs, 0), smooth = steady_median (kind, 20000, secs, 1);
    cpu_burst.push_back (burst.cpu_per_million);
    ctx_burst.push_back (burst.switches_per_packet);
    cpu_paced.push_back (smooth.cpu_per_million);
    ctx_paced.push_back (smooth.switches_per_packet);
  }
  print_row ("(b) steady 30k pkt/s, lost", loss30, "%");
  for (const char *kind : kReceivers) {
    unsigned loss_free = 0;
    for (unsigned rate = 20000; rate <= 200000; rate += 20000) {
      if (steady (kind, rate, secs).lost_percent > 0.01)  /* as long as (b), or noise wins */
        break;
      loss_free = rate;
    }
    best.push_back (loss_free);
  }
  print_row ("(b) highest loss-free rate (20k steps)", best, "pkt/s");
  print_row ("(c) CPU/M pkts, 20k pkt/s in 1 ms bursts", cpu_burst, "CPU-s");
  print_row ("(c) CPU/M pkts, 20k pkt/s paced (1 per 50us)", cpu_paced, "CPU-s");
  print_row ("(c) context switches/pkt, bursts", ctx_burst, "");
  print_row ("(c) context switches/pkt, paced", ctx_paced, "");
  allocation_storm (quick ? 32 : 128, quick ? 64 : 256);
  many_streams (64, 4, 4.0, secs);
  return 0;
}
