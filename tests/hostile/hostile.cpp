/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — hostile input while a real camera streams.
 *
 * A camera (real H264 from x264enc, sent from its own sockets on 127.0.0.1
 * at 30 frames/s, with sender reports) streams into hostnetrtpsrc, which
 * decodes it with avdec_h264. While it does, one attack after another hits
 * the RTP or RTCP port for a few seconds: malformed packets of every kind,
 * spoofed RTCP and RTP carrying the camera's own SSRC from the camera's own
 * address, floods of new SSRCs and of 65507-byte datagrams. For each, from
 * the outside: the share of the camera's packets that came out of src_0
 * and of its frames that were decoded, foreign packets that came out of
 * src_0, how many of the attack's datagrams the gate dropped, and the
 * process's threads and memory before, at the peak and after.
 * Then the same attacks from another address with allowed-senders set to
 * the camera's. Ends "N passed, N failed".
 *
 *   hostile [--seconds S] [--rate N] [--only TEXT]
 *   (defaults 2 s per attack, 5000/s; --only: the attacks whose name has TEXT)
 */
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/rtp/gstrtpbuffer.h>

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <netinet/in.h>
#include <random>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Bytes = std::vector<guint8>;
using Clock = std::chrono::steady_clock;
constexpr guint32 kCameraSsrc = 0xCA3E7A00;
constexpr guint8 kSpoofMark[4] = {'E', 'V', 'I', 'L'};  /* payload of spoofed RTP */

int passes = 0, failures = 0;
void check (bool ok, const std::string &what)
{
  std::printf ("%s - %s\n", ok ? "ok  " : "FAIL", what.c_str ());
  (ok ? passes : failures)++;
}

int udp_socket (const char *ip)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {};
  sa.sin_family = AF_INET;
  inet_pton (AF_INET, ip, &sa.sin_addr);
  if (bind (fd, reinterpret_cast<sockaddr *> (&sa), sizeof (sa)) != 0) {
    std::perror ("bind");
    std::exit (2);
  }
  int big = 8 * 1024 * 1024;
  setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof (big));
  return fd;
}

void send_to (int fd, guint port, const guint8 *data, size_t size)
{
  struct sockaddr_in to = {};
  to.sin_family = AF_INET;
  to.sin_port = htons (port);
  inet_pton (AF_INET, "127.0.0.1", &to.sin_addr);
  sendto (fd, data, size, 0, reinterpret_cast<sockaddr *> (&to), sizeof (to));
}

void put32 (guint8 *p, guint32 v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
void put16 (guint8 *p, guint16 v) { p[0] = v >> 8; p[1] = v; }

/* A sender report + SDES(CNAME) compound of @ssrc, written byte by byte. */
Bytes sender_report (guint32 ssrc, guint32 rtp_ts, guint32 packets, bool bye = false)
{
  Bytes b (28 + 16 + (bye ? 8 : 0));
  const guint8 head[] = {0x80, 200, 0, 6};
  std::memcpy (b.data (), head, 4);
  put32 (&b[4], ssrc);
  put32 (&b[8], guint32 (g_get_real_time () / G_USEC_PER_SEC) + 2208988800u);
  put32 (&b[16], rtp_ts);
  put32 (&b[20], packets);
  const guint8 sdes[] = {0x81, 202, 0, 3};
  std::memcpy (&b[28], sdes, 4);
  put32 (&b[32], ssrc);
  const guint8 cname[] = {1, 3, 'c', 'a', 'm', 0, 0, 0};
  std::memcpy (&b[36], cname, 8);
  if (bye) {
    const guint8 bye_head[] = {0x81, 203, 0, 1};
    std::memcpy (&b[44], bye_head, 4);
    put32 (&b[48], ssrc);
  }
  return b;
}

/* The camera's video, encoded once: 3 s of H264 in RTP, frame by frame. */
std::vector<std::vector<Bytes>> encode_camera ()
{
  GError *err = nullptr;
  GstElement *p = gst_parse_launch ("videotestsrc num-buffers=90 pattern=ball "
      "! video/x-raw,width=640,height=360,framerate=30/1 ! x264enc tune=zerolatency "
      "speed-preset=ultrafast key-int-max=30 bitrate=3000 ! rtph264pay mtu=1200 "
      "config-interval=1 pt=96 ! appsink name=out sync=false", &err);
  if (!p) {
    std::fprintf (stderr, "cannot encode the camera's video: %s\n", err->message);
    std::exit (2);
  }
  GstElement *out = gst_bin_get_by_name (GST_BIN (p), "out");
  gst_element_set_state (p, GST_STATE_PLAYING);
  std::vector<std::vector<Bytes>> frames (1);
  while (GstSample *s = gst_app_sink_pull_sample (GST_APP_SINK (out))) {
    GstBuffer *buf = gst_sample_get_buffer (s);
    Bytes packet (gst_buffer_get_size (buf));
    gst_buffer_extract (buf, 0, packet.data (), packet.size ());
    frames.back ().push_back (packet);
    if (packet[1] & 0x80)  /* marker: the frame's last packet */
      frames.emplace_back ();
    gst_sample_unref (s);
  }
  frames.pop_back ();
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (out);
  gst_object_unref (p);
  return frames;
}

/* Sends the encoded video in a loop at 30 frames/s with continuous sequence
 * numbers and timestamps, and a sender report every second. */
class Camera {
 public:
  std::atomic<guint64> packets {0}, frames {0}, reports {0};
  std::atomic<guint32> next_seq {1};  /* the sequence number of the next packet, unwrapped */

  Camera (std::vector<std::vector<Bytes>> video, guint port)
      : video_ (std::move (video)), port_ (port), rtp_ (udp_socket ("127.0.0.1")),
        rtcp_ (udp_socket ("127.0.0.1"))
  {
    thread_ = std::thread ([this] { run (); });
  }
  ~Camera ()
  {
    stop_ = true;
    thread_.join ();
    close (rtp_);
    close (rtcp_);
  }

 private:
  void run ()
  {
    guint32 seq = 1;
    guint32 ts = 0;
    auto next = Clock::now ();
    auto next_report = next;
    for (size_t f = 0; !stop_; f = (f + 1) % video_.size ()) {
      for (Bytes packet : video_[f]) {
        put16 (&packet[2], guint16 (seq++));
        put32 (&packet[4], ts);
        put32 (&packet[8], kCameraSsrc);
        send_to (rtp_, port_, packet.data (), packet.size ());
        packets++;
        next_seq = seq;
      }
      frames++;
      ts += 3000;
      if (Clock::now () >= next_report) {
        Bytes sr = sender_report (kCameraSsrc, ts, guint32 (packets));
        send_to (rtcp_, port_ + 1, sr.data (), sr.size ());
        reports++;
        next_report += std::chrono::seconds (1);
      }
      next += std::chrono::microseconds (33333);
      std::this_thread::sleep_until (next);
    }
  }

  std::vector<std::vector<Bytes>> video_;
  const guint port_;
  int rtp_, rtcp_;
  std::atomic<bool> stop_ {false};
  std::thread thread_;
};

struct Attack {
  const char *name;
  bool rtcp_port;      /* else the RTP port */
  bool camera_address; /* spoofed: sent from the camera's address */
  unsigned rate;       /* datagrams per second; 0: the --rate default */
  std::function<Bytes (std::mt19937 &)> make;
};

Bytes random_bytes (std::mt19937 &rng, size_t size)
{
  Bytes b (size);
  for (auto &x : b)
    x = guint8 (rng ());
  return b;
}

Bytes rtp_of (std::mt19937 &rng, guint32 ssrc, size_t payload, guint8 first = 0x80)
{
  Bytes b (12 + payload);
  b[0] = first;
  b[1] = 96;
  put16 (&b[2], guint16 (rng ()));
  put32 (&b[4], rng ());
  put32 (&b[8], ssrc);
  for (size_t i = 12; i < b.size (); i++)
    b[i] = guint8 (rng ());
  if (payload >= 4)
    std::memcpy (&b[12], kSpoofMark, 4);
  return b;
}

std::vector<Attack> attacks ()
{
  auto any = [] (std::mt19937 &rng) { return guint32 (rng ()); };
  return {
    {"random datagrams", false, false, 0, [] (std::mt19937 &r) { return random_bytes (r, 1 + r () % 1400); }},
    {"random datagrams", true, false, 0, [] (std::mt19937 &r) { return random_bytes (r, 1 + r () % 1400); }},
    {"truncated RTP headers", false, false, 0, [] (std::mt19937 &r) {
      Bytes b = random_bytes (r, 1 + r () % 11); b[0] = 0x80; return b; }},
    {"RTP versions 0, 1, 3", false, false, 0, [any] (std::mt19937 &r) {
      static const guint8 v[] = {0x00, 0x40, 0xC0}; return rtp_of (r, any (r), 200, v[r () % 3]); }},
    {"CSRC count 15 on short packets", false, false, 0, [any] (std::mt19937 &r) {
      return rtp_of (r, any (r), r () % 40, 0x8F); }},
    {"absurd extension lengths", false, false, 0, [any] (std::mt19937 &r) {
      Bytes b = rtp_of (r, any (r), 60, 0x90); put16 (&b[14], guint16 (0x100 + r () % 0xff00)); return b; }},
    {"padding bit, bogus pad length", false, false, 0, [any] (std::mt19937 &r) {
      Bytes b = rtp_of (r, any (r), 40, 0xA0); b.back () = guint8 (60 + r () % 190); return b; }},
    {"zero-length datagrams", false, false, 0, [] (std::mt19937 &) { return Bytes (); }},
    {"zero-length datagrams", true, false, 0, [] (std::mt19937 &) { return Bytes (); }},
    {"65507-byte garbage", false, false, 1000, [] (std::mt19937 &r) { return random_bytes (r, 65507); }},
    {"RTCP garbage", true, false, 0, [] (std::mt19937 &r) {
      Bytes b = random_bytes (r, 4 + r () % 200); b[0] = 0x80 | (b[0] & 0x1f); b[1] = 200 + r () % 8; return b; }},
    {"truncated SR/RR", true, false, 0, [any] (std::mt19937 &r) {
      Bytes b = sender_report (any (r), 0, 0); b[1] = r () % 2 ? 200 : 201; b.resize (4 + r () % 24); return b; }},
    {"compound with bad lengths", true, false, 0, [any] (std::mt19937 &r) {
      Bytes b = sender_report (any (r), 0, 0); b[3] = guint8 (r ()); b[31] = guint8 (r ()); return b; }},
    {"spoofed BYE of the camera's SSRC", true, true, 0, [] (std::mt19937 &) {
      return sender_report (kCameraSsrc, 0, 0, true); }},
    {"spoofed wild SR of the camera's SSRC", true, true, 0, [] (std::mt19937 &r) {
      return sender_report (kCameraSsrc, r (), r ()); }},
    {"camera's SSRC, wild seq and timestamps", false, true, 0, [] (std::mt19937 &r) {
      return rtp_of (r, kCameraSsrc, 200); }},
    {"flood of new SSRCs (RTP)", false, false, 0, [any] (std::mt19937 &r) { return rtp_of (r, any (r), 200); }},
    {"flood of new SSRCs (SR)", true, false, 0, [any] (std::mt19937 &r) { return sender_report (any (r), r (), r ()); }},
    {"flood of 65507-byte RTP, new SSRCs", false, false, 1000, [any] (std::mt19937 &r) {
      return rtp_of (r, any (r), 65507 - 12); }},
  };
}

/* Sends @attack's datagrams at @rate per second until stopped. */
class Attacker {
 public:
  std::atomic<guint64> sent {0};

  Attacker (const Attack &attack, guint port, unsigned rate)
      : fd_ (udp_socket (attack.camera_address ? "127.0.0.1" : "127.0.0.2"))
  {
    thread_ = std::thread ([this, attack, port, rate] {
      std::mt19937 rng (port);
      const auto every = std::chrono::nanoseconds (1000000000ull / rate);
      auto next = Clock::now ();
      while (!stop_) {
        for (int i = 0; i < 50 && !stop_; i++) {  /* 50 at a time, paced */
          Bytes b = attack.make (rng);
          send_to (fd_, port + (attack.rtcp_port ? 1 : 0), b.data (), b.size ());
          sent++;
          next += every;
        }
        std::this_thread::sleep_until (next);
      }
    });
  }
  ~Attacker ()
  {
    stop_ = true;
    thread_.join ();
    close (fd_);
  }

 private:
  int fd_;
  std::atomic<bool> stop_ {false};
  std::thread thread_;
};

struct Receiver {
  GstElement *pipeline = nullptr;
  GstElement *src = nullptr;
  std::atomic<guint64> camera {0}, foreign {0}, frames {0};
  std::vector<std::atomic<bool>> seen = std::vector<std::atomic<bool>> (65536);  /* camera seq out of src_0 */
  guint port = 0;

  /* Of the camera's packets [first, end) (unwrapped), how many came out. */
  guint64 seen_between (guint32 first, guint32 end)
  {
    guint64 n = 0;
    for (guint32 seq = first; seq != end; seq++)
      n += seen[seq & 0xffff].load ();
    return n;
  }

  explicit Receiver (const std::string &extra)
  {
    guint base = 20000 + 2 * g_random_int_range (0, 5000);
    std::string text = "hostnetrtpsrc name=src encoding-name=H264 latency=100 port-range=" +
        std::to_string (base) + "-" + std::to_string (base + 99) + " " + extra +
        " ! rtph264depay ! h264parse ! avdec_h264 ! fakesink name=frames sync=false";
    GError *err = nullptr;
    pipeline = gst_parse_launch (text.c_str (), &err);
    src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
    GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "frames");
    GstPad *sink_pad = gst_element_get_static_pad (sink, "sink");
    gst_pad_add_probe (sink_pad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, this, nullptr);
    gst_object_unref (sink_pad);
    gst_object_unref (sink);
    if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      std::fprintf (stderr, "the receiver did not start: %s\n", text.c_str ());
      std::exit (2);
    }
    g_object_get (src, "rtp-port", &port, nullptr);
    GstPad *out = gst_element_get_static_pad (src, "src_0");
    gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_BUFFER, count_rtp, this, nullptr);
    gst_object_unref (out);
  }
  ~Receiver ()
  {
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (src);
    gst_object_unref (pipeline);
  }

  static GstPadProbeReturn count_frame (GstPad *, GstPadProbeInfo *, gpointer self) noexcept
  {
    static_cast<Receiver *> (self)->frames++;
    return GST_PAD_PROBE_OK;
  }
  /* What comes out of src_0: the camera's packets, or anything else. */
  static GstPadProbeReturn count_rtp (GstPad *, GstPadProbeInfo *info, gpointer self) noexcept
  {
    auto *r = static_cast<Receiver *> (self);
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    if (!gst_rtp_buffer_map (GST_PAD_PROBE_INFO_BUFFER (info), GST_MAP_READ, &rtp)) {
      r->foreign++;
      return GST_PAD_PROBE_OK;
    }
    const bool spoofed = gst_rtp_buffer_get_payload_len (&rtp) >= 4 &&
        std::memcmp (gst_rtp_buffer_get_payload (&rtp), kSpoofMark, 4) == 0;
    if (gst_rtp_buffer_get_ssrc (&rtp) == kCameraSsrc && !spoofed) {
      r->camera++;
      r->seen[gst_rtp_buffer_get_seq (&rtp)] = true;
    } else
      r->foreign++;
    gst_rtp_buffer_unmap (&rtp);
    return GST_PAD_PROBE_OK;
  }

  /* Every datagram the gate dropped, of any kind, the kernel's included. */
  guint64 dropped ()
  {
    return stat ("dropped-not-allowed") + stat ("dropped-malformed") + stat ("dropped-foreign") +
        stat ("dropped-out-of-sequence") + stat ("dropped-kernel");
  }

  guint64 stat (const char *field)
  {
    GstStructure *all = nullptr;
    g_object_get (src, "stats", &all, nullptr);
    guint64 v = 0;
    gst_structure_get_uint64 (gst_value_get_structure (gst_structure_get_value (all, "stream-0")), field, &v);
    gst_structure_free (all);
    return v;
  }
};

struct Process {
  long threads = 0, rss_kib = 0;
  static Process now ()
  {
    Process p;
    gchar *status = nullptr;
    g_file_get_contents ("/proc/self/status", &status, nullptr, nullptr);
    if (const char *t = status ? strstr (status, "Threads:") : nullptr)
      p.threads = std::strtol (t + 8, nullptr, 10);
    if (const char *r = status ? strstr (status, "VmRSS:") : nullptr)
      p.rss_kib = std::strtol (r + 6, nullptr, 10);
    g_free (status);
    return p;
  }
};

/* One attack during a window of the camera's stream; prints a row, checks. */
void run_attack (const Attack &attack, Receiver &r, Camera &camera, double seconds,
    unsigned default_rate, bool filtered)
{
  const unsigned rate = attack.rate ? attack.rate : default_rate;
  const Process before = Process::now ();
  const guint32 seq0 = camera.next_seq;
  const guint64 frames0 = camera.frames;
  const guint64 foreign0 = r.foreign, decoded0 = r.frames, dropped0 = r.dropped ();
  const guint64 rtcp0 = r.stat ("rtcp-packets-received"), reports0 = camera.reports;
  Process peak = before;
  guint64 attack_sent = 0;
  {
    Attacker attacker (attack, r.port, rate);
    const auto end = Clock::now () + std::chrono::duration<double> (seconds);
    while (Clock::now () < end) {
      std::this_thread::sleep_for (std::chrono::milliseconds (100));
      Process p = Process::now ();
      peak.threads = std::max (peak.threads, p.threads);
      peak.rss_kib = std::max (peak.rss_kib, p.rss_kib);
    }
    attack_sent = attacker.sent;
  }
  const guint32 seq_end = camera.next_seq;
  const guint64 frames = camera.frames - frames0, decoded = r.frames - decoded0;
  /* The camera goes on undisturbed for a moment: what was sent during the
   * attack has come out (latency), and both ends of the frame window lag
   * alike. Packets are counted by sequence number: exact. */
  std::this_thread::sleep_for (std::chrono::milliseconds (500));
  const guint64 sent = seq_end - seq0, got = r.seen_between (seq0, seq_end);
  const guint64 foreign = r.foreign - foreign0;
  const guint64 dropped = r.dropped () - dropped0;
  const guint64 rtcp_accepted = r.stat ("rtcp-packets-received") - rtcp0;
  const guint64 camera_reports = camera.reports - reports0;
  /* Memory and threads come back: a new source is gone within its timeout. */
  std::this_thread::sleep_for (std::chrono::milliseconds (1500));
  const Process after = Process::now ();
  const double kept = sent ? 100.0 * double (got) / double (sent) : 0;
  const double fps = frames ? 100.0 * double (decoded) / double (frames) : 0;
  std::printf ("  %-40s %-4s %-6s %6u/s %8" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT "  %7.2f%%  %6.1f%%  %7"
      G_GUINT64_FORMAT "  %3ld/%3ld/%3ld  %4ld/%4ld/%4ld\n",
      attack.name, attack.rtcp_port ? "RTCP" : "RTP", attack.camera_address ? "camera" : "other",
      rate, attack_sent, dropped, kept, fps, foreign, before.threads, peak.threads, after.threads,
      before.rss_kib / 1024, peak.rss_kib / 1024, after.rss_kib / 1024);
  std::fflush (stdout);
  const std::string what = std::string (attack.name) + " (" + (attack.rtcp_port ? "RTCP" : "RTP") +
      (filtered ? ", allowed-senders" : "") + ")";
  const double min_kept = filtered ? 99.9 : 99.0;
  check (kept >= min_kept, what + ": camera packets kept " + std::to_string (kept) + "% >= " +
      std::to_string (min_kept) + "%");
  check (fps >= 97.0, what + ": frames decoded " + std::to_string (fps) + "% of the camera's");
  /* Nothing of it reached rtpbin: the gate dropped (and counted) it all. */
  check (dropped * 1000 >= attack_sent * 999, what + ": the gate dropped " + std::to_string (dropped) +
      " of the attack's " + std::to_string (attack_sent) + " datagrams");
  /* Not one forged report: the RTCP that passed is the camera's (one may
   * have been sent just before the window and counted just after). */
  check (rtcp_accepted <= camera_reports + 1, what + ": " + std::to_string (rtcp_accepted) +
      " RTCP compounds passed the gate, the camera sent " + std::to_string (camera_reports));
  check (foreign == 0, what + ": " + std::to_string (foreign) + " foreign packets out of src_0");
  check (peak.threads <= before.threads + 4 && after.threads <= before.threads + 1,
      what + ": threads bounded and back (" + std::to_string (before.threads) + "/" +
      std::to_string (peak.threads) + "/" + std::to_string (after.threads) + ")");
  check (peak.rss_kib <= before.rss_kib + 64 * 1024 && after.rss_kib <= before.rss_kib + 16 * 1024,
      what + ": memory bounded and back (" + std::to_string (before.rss_kib / 1024) + "/" +
      std::to_string (peak.rss_kib / 1024) + "/" + std::to_string (after.rss_kib / 1024) + " MiB)");
}

void header ()
{
  std::printf ("  %-40s %-4s %-6s %8s %8s %8s  %8s  %7s  %7s  %-13s  %s\n", "attack", "port", "from",
      "rate", "sent", "dropped", "kept", "frames", "foreign", "threads b/p/a", "RSS MiB b/p/a");
}

}  // namespace

int main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  double seconds = 2;
  unsigned rate = 5000;
  const char *only = nullptr;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp (argv[i], "--seconds") == 0)
      seconds = std::atof (argv[i + 1]);
    else if (std::strcmp (argv[i], "--rate") == 0)
      rate = std::atoi (argv[i + 1]);
    else if (std::strcmp (argv[i], "--only") == 0)
      only = argv[i + 1];
  }
  if (!gst_element_factory_find ("hostnetrtpsrc") || !gst_element_factory_find ("x264enc") ||
      !gst_element_factory_find ("avdec_h264")) {
    std::printf ("hostnetrtpsrc, x264enc and avdec_h264 are needed (GST_PLUGIN_PATH, plugins-ugly, libav)\n");
    return 1;
  }
  auto video = encode_camera ();
  for (bool filtered : {false, true}) {
    std::printf ("# %s\n", filtered ? "allowed-senders=127.0.0.1 (the camera); attacks from 127.0.0.2"
        : "no allowed-senders; attacks from 127.0.0.2, spoofed ones from the camera's address");
    Receiver receiver (filtered ? "allowed-senders=127.0.0.1" : "");
    Camera camera (video, receiver.port);
    /* Warm up: the camera locks the stream, the decoder starts. */
    while (receiver.frames < 30)
      std::this_thread::sleep_for (std::chrono::milliseconds (50));
    header ();
    for (const Attack &attack : attacks ()) {
      if (filtered && attack.camera_address)
        continue;  /* the camera's own address passes any address filter */
      if (only && !std::strstr (attack.name, only))
        continue;
      run_attack (attack, receiver, camera, seconds, rate, filtered);
    }
    std::printf ("  the gate dropped: %" G_GUINT64_FORMAT " not allowed, %" G_GUINT64_FORMAT
        " malformed, %" G_GUINT64_FORMAT " foreign; sender changes %" G_GUINT64_FORMAT "\n",
        receiver.stat ("dropped-not-allowed"), receiver.stat ("dropped-malformed"),
        receiver.stat ("dropped-foreign"), receiver.stat ("sender-changes"));
    check (receiver.stat ("sender-changes") == 1, "the camera stayed the stream's one sender");
  }
  std::printf ("%d passed, %d failed (hostile input)\n", passes, failures);
  return failures ? 1 : 0;
}
