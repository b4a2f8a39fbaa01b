/* hostnetrtp — what the element's own files share: its private state and
 * the functions each of them gives the others.
 *
 *   gsthostnetrtpsrc.cpp  the GObject: properties, state changes, push mode's start
 *   element-streams.cpp   the inner pipeline around bound sockets, pads, stats, messages
 *   element-watch.cpp     while PLAYING: silence, idle streams, replaced senders, drop reports
 *   element-pull.cpp      pull mode: the camera's RTSP client
 *   element-uri.cpp       hostnetrtp:// URIs (GstURIHandler)
 *
 * Nothing here is for the rooms below the element, which know no element. */
#pragma once

#include "gsthostnetrtpsrc.h"

#include "address-policy.h"
#include "encodings.h"
#include "peer.h"
#include "port-allocator.h"
#include "stream-path.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

GST_DEBUG_CATEGORY_EXTERN (gst_hostnet_rtp_src_debug);

namespace hostnetrtp {

/* What the user set. A start reads one copy, so it sees one consistent set. */
/* How a stream's sockets are read: the batched reader (recvmmsg, buffer
 * lists, straight into rtpbin) or, kept for comparison, udpsrc and a queue. */
enum class ReceivePath { Batched, Udpsrc };

struct Settings {
  std::string port_range;
  std::string address = "0.0.0.0";
  LoopbackPolicy loopback_policy = LoopbackPolicy::Rewrite;
  CapsRef caps;
  std::string encoding_name;
  bool rtcp_mux = false;
  guint latency = 200;
  bool drop_on_latency = false;
  bool do_lost = false;
  gint buffer_size = 4 * 1024 * 1024;  /* a 4K camera's I-frame burst */
  std::string multicast_iface;
  std::string advertise_address;
  std::string sdp_file;
  std::string allowed_senders;
  std::shared_ptr<const SenderFilter> filter;  /* allowed_senders parsed, if valid */
  guint sender_timeout = 2000;
  guint64 timeout = 0;
  ReceivePath receive_path = ReceivePath::Batched;
  /* Pull mode (location=rtsp://...). */
  std::string location;
  std::string user_id;
  std::string user_pw;
  guint64 tcp_timeout = 20 * G_USEC_PER_SEC;  /* us, as rtspsrc's */
  int reconnect_attempts = -1;                /* -1: forever, 0: error out */
  guint reconnect_interval = 1000;            /* ms, doubling up to 30 s */
  guint reconnect_silence = 5000;             /* ms without data that count as a loss; 0: off */
  /* The last hostnetrtp:// URI applied, and why the last one given to the
   * uri or location property was refused (a start then fails with it). */
  std::string uri;
  std::string uri_error;
  bool pull () const { return !location.empty (); }
};

class PullTask;
struct PullTaskDeleter {
  void operator() (PullTask *task) const noexcept;
};

/* One stream's run-time parts, from build to teardown. Shared: a stats
 * reader or a pending GAP may still hold it while a teardown drops it. */
struct Stream {
  guint index = 0;
  StreamDescription description;
  std::unique_ptr<StreamPath> path;
  GstObjectPtr<GstElement> funnel;   /* also owned by the bin */
  std::atomic<guint64> dequeued {0}; /* RTP packets out of the queue, into rtpbin */
  std::string stream_id;             /* of src_N's stream-start, for this start */
};

/* A replaced sender whose elements go once its last packets drained. */
struct PendingClear {
  guint session = 0;
  guint32 ssrc = 0;
  guint64 mark = 0;          /* RTP packets accepted before the new sender's first */
  gint64 drained_at_us = 0;  /* when the queue had passed them all; 0: not yet */
};

/* The watch thread: runs from the first PLAYING to PAUSED->READY, idle while
 * paused. Its body never runs under its lock. */
struct Watch {
  std::thread thread;
  std::mutex lock;
  std::condition_variable wakeup;
  bool stop = false;
  bool playing = false;
  guint generation = 0;  /* counts PAUSED->PLAYING: silence restarts from there */
};

}  // namespace hostnetrtp

void gst_hostnet_rtp_src_uri_handler_init (gpointer g_iface, gpointer data) noexcept;

struct HostnetRtpSrcPrivate {
  /* Guards settings, running and the published run-time state below. The
   * watch thread, the streaming threads and readers of stats take a copy of
   * what they need under it (streams are shared) and work on the copy. */
  std::mutex lock;
  hostnetrtp::Settings settings;
  bool running = false;  /* from start to teardown: start-time properties are refused */
  guint rtp_port = 0;
  guint rtcp_port = 0;
  std::string effective_advertise_address;
  hostnetrtp::GstObjectPtr<GstElement> rtpbin;
  std::vector<std::shared_ptr<hostnetrtp::Stream>> streams;
  guint group_id = 0;  /* of every src_N's stream-start, for this start */

  /* Touched only by state changes. */
  std::string sdp_path;
  std::string sdp_written;
  guint16 previous_rtp_port = 0;  /* a restart tries its previous pair first */
  std::vector<GstPad *> pads;  /* src_N, kept across restarts while their number stays */

  std::mutex clear_lock;
  std::vector<hostnetrtp::PendingClear> pending_clears;
  hostnetrtp::Watch watch;
  std::unique_ptr<hostnetrtp::PullTask, hostnetrtp::PullTaskDeleter> pull;  /* from PAUSED to READY */
};

struct _GstHostnetRtpSrc {
  GstBin parent;
  HostnetRtpSrcPrivate *priv;
};

namespace hostnetrtp {

/* Logs @text and posts it as an error or a warning the user reads, with the
 * caller's place in the code as its debug location. */
void post_message (GstHostnetRtpSrc *self, GstMessageType type, GstResourceError code,
    const std::string &text, const char *file, const char *function, int line);

inline void post_error (GstHostnetRtpSrc *self, GstResourceError code, const std::string &text,
    const char *file = __builtin_FILE (), const char *function = __builtin_FUNCTION (),
    int line = __builtin_LINE ())
{
  post_message (self, GST_MESSAGE_ERROR, code, text, file, function, line);
}

inline void post_warning (GstHostnetRtpSrc *self, const std::string &text,
    GstResourceError code = GST_RESOURCE_ERROR_SETTINGS, const char *file = __builtin_FILE (),
    const char *function = __builtin_FUNCTION (), int line = __builtin_LINE ())
{
  post_message (self, GST_MESSAGE_WARNING, code, text, file, function, line);
}

/* element-streams.cpp */

/* Warns when @range overlaps the kernel's ephemeral ports unprotected. */
void warn_about_range (GstHostnetRtpSrc *self, const PortRange &range);

/* Binds @n_streams pairs on @address in @range (the previous pair first),
 * all or nothing; posts the error (or the capped-buffer warning) itself. */
bool allocate_pairs (GstHostnetRtpSrc *self, const Settings &s, GInetAddress *address,
    const PortRange &range, size_t n_streams, Allocation &allocation);

/* Who may send to a stream and where its reports go: @group for a
 * multicast stream (reports to the group), else learned from the sender. */
GateConfig gate_config (const Settings &s, const StreamDescription &description,
    const BoundStream &sockets, GInetAddress *group);

/* What one stream is built from: what it carries, its bound sockets, and
 * who may send to it and where its reports go. */
struct StreamPlan {
  StreamDescription description;
  BoundStream sockets;
  GateConfig gate;
};

/* rtpbin's jitterbuffer settings, also live. */
struct JitterSettings {
  guint latency = 200;
  bool drop_on_latency = false;
  bool do_lost = false;
};

/* Builds rtpbin and every stream around its sockets, links src_N (the
 * pads of the last start when their number is the same), and publishes
 * them. Children follow the element's state. False with a sentence in
 * @error; teardown_streams () then undoes what was built. */
bool build_streams (GstHostnetRtpSrc *self, std::vector<StreamPlan> plans,
    const JitterSettings &jitter, ReceivePath receive_path, std::string &error);

/* Undoes build_streams: stops and removes the inner elements, closes the
 * sockets; the pads stay, unlinked from the inside. Safe on a half build. */
void teardown_streams (GstHostnetRtpSrc *self);

/* The published streams, shared, and rtpbin (null when not built). */
std::vector<std::shared_ptr<Stream>> streams_of (GstHostnetRtpSrc *self,
    GstObjectPtr<GstElement> *rtpbin = nullptr);

/* Posts hostnetrtp-allocation for the built streams, publishes stream 0's
 * ports (notified); @extra fields are added to the message. */
void announce (GstHostnetRtpSrc *self, const std::string &bound_address,
    const std::string &advertise_address, bool multicast, bool rtcp_mux,
    const GstStructure *extra = nullptr);

GstStructure *element_stats (GstHostnetRtpSrc *self);

/* Pushes stream-start, the stream's caps, a segment and then @last (a GAP,
 * an EOS) into the stream's funnel through a pad of its own, which goes
 * again at once: a pad left on the funnel would hold back its EOS. */
void push_into_funnel (Stream &stream, GstEvent *last);

/* element-pull.cpp: pull mode's life, from the state changes */

bool pull_check (GstHostnetRtpSrc *self, const Settings &s);   /* NULL->READY */
void pull_start (GstHostnetRtpSrc *self, const Settings &s);   /* READY->PAUSED */
void pull_playing (GstHostnetRtpSrc *self, bool playing);      /* PLAY once playing */
void pull_stop (GstHostnetRtpSrc *self);                       /* PAUSED->READY: TEARDOWN */

/* element-uri.cpp: sets the properties a hostnetrtp:// URI names, all or
 * none; false with a GError (GST_URI_ERROR) that says what is wrong. */
bool apply_uri (GstHostnetRtpSrc *self, const std::string &uri, GError **error);

/* element-watch.cpp */

void watch_play (GstHostnetRtpSrc *self);   /* PAUSED->PLAYING: starts or resumes */
void watch_pause (GstHostnetRtpSrc *self);  /* PLAYING->PAUSED: idles, never joins */
void watch_stop (GstHostnetRtpSrc *self);   /* after PAUSED->READY: joins */

/* From a streaming thread: a stream got a new sender (message; the old
 * one's elements removed once its last packets drained). */
void sender_changed (GstHostnetRtpSrc *self, Stream &stream, const GateVerdict &verdict);

}  // namespace hostnetrtp
