/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — what the element's own files share: its private state and
 * the functions each of them gives the others.
 *
 *   gsthostnetrtpsrc.cpp  the GObject: properties, state changes, push mode's start
 *   element-control.cpp   the control task: live settings, silence, idle streams,
 *                         replaced senders, sender changes, drop warnings
 *   element-tell.cpp      what the element tells: messages, notifications, stats
 *   element-streams.cpp   the inner pipeline around bound sockets, and its pads
 *   element-pull.cpp      pull mode: the camera's RTSP session, on the control task
 *   element-uri.cpp       hostnetrtp:// URIs (GstURIHandler)
 *   element-rtspsrc.cpp   rtspsrc's properties, signals and actions, under its names
 *
 * Threads. The application's threads set properties and change states;
 * streaming threads (one reader per socket, rtpbin's) carry packets, count
 * and enqueue; one control task per start (ControlTask, control-task.h)
 * does everything else: the RTSP session, silence, idle streams, replaced
 * senders, live settings applied to the children, and every message the
 * element posts once it runs. A state change never waits for the task
 * while it calls out, and never from the task's own thread.
 *
 * Locks. Every lock of the element is a leaf: none is taken while another
 * is held, and none is held while calling into GStreamer or GLib code that
 * may run someone else's (posting, notifying, a child's property, a pad or
 * state operation, a signal). They are:
 *   HostnetRtpSrcPrivate::lock  settings, running, the task's handle;
 *   Control::published_lock     what readers see of a start (Published);
 *   ControlTask's own           its queues and flags;
 *   StreamGate's own            one stream's gate and counters;
 *   the SDP path claims         (announcement.cpp), one per process;
 *   the src_N pad's object lock its stream's media, caps and ports.
 *
 * Nothing here is for the rooms below the element, which know no element. */
#pragma once

#include "gsthostnetrtpsrc.h"

#include "address-policy.h"
#include "control-task.h"
#include "element-rtspsrc.h"
#include "encodings.h"
#include "peer.h"
#include "port-allocator.h"
#include "stream-path.h"
#include "stream-watch.h"

#include <gst/rtsp/rtsp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

GST_DEBUG_CATEGORY_EXTERN (gst_hostnet_rtp_src_debug);

namespace hostnetrtp {

/* How a stream's sockets are read: the batched reader (recvmmsg, buffer
 * lists, straight into rtpbin) or, kept for comparison, udpsrc and a queue. */
enum class ReceivePath { Batched, Udpsrc };

/* Pull mode: how the session is kept alive. Auto: GET_PARAMETER when the
 * camera lists it, else OPTIONS. */
enum class KeepAlive { Auto, Options, GetParameter, SetParameter };

/* What the user set. A start reads one copy, so it sees one consistent set. */
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
  /* timeout: udpsrc's meaning in push mode (ns of silence before
   * hostnetrtp-timeout), rtspsrc's in pull mode (us of UDP silence before
   * TCP, 5 s when never set); silence-timeout: the former, in both modes. */
  guint64 timeout = 0;
  bool timeout_set = false;
  guint64 silence_timeout = 0;
  bool silence_timeout_set = false;
  ReceivePath receive_path = ReceivePath::Batched;
  /* Pull mode (location=rtsp://...). */
  std::string location;
  std::string user_id;
  std::string user_pw;
  guint protocols = GST_RTSP_LOWER_TRANS_UDP | GST_RTSP_LOWER_TRANS_UDP_MCAST |
      GST_RTSP_LOWER_TRANS_TCP;                   /* GstRTSPLowerTrans, as rtspsrc's */
  GTlsCertificateFlags tls_validation_flags = G_TLS_CERTIFICATE_VALIDATE_ALL;
  ObjectRef<GTlsDatabase> tls_database;
  std::string tls_ca_file;                    /* PEM authorities, when tls_database is not set */
  ObjectRef<GTlsInteraction> tls_interaction;
  guint64 tcp_timeout = 20 * G_USEC_PER_SEC;  /* us, as rtspsrc's */
  KeepAlive keep_alive = KeepAlive::Auto;
  guint64 teardown_timeout = 100 * GST_MSECOND;  /* ns, as rtspsrc's */
  int reconnect_attempts = -1;                /* -1: forever, 0: error out */
  guint reconnect_interval = 1000;            /* ms, doubling up to 30 s */
  guint reconnect_silence = 5000;             /* ms without data that count as a loss; 0: off */
  RtspsrcSettings rtspsrc;                    /* rtspsrc's own, for its lines */
  /* The last hostnetrtp:// URI applied, and why the last one given to the
   * uri or location property was refused (a start then fails with it). */
  std::string uri;
  std::string uri_error;
  bool pull () const { return !location.empty (); }
  /* Silence (ns) that posts hostnetrtp-timeout; 0: never. */
  guint64 silence () const
  {
    return silence_timeout_set || pull () ? silence_timeout : timeout;
  }
  /* Pull mode: UDP silence (us) after PLAY before TCP; 0: never. */
  guint64 udp_fallback () const { return timeout_set ? timeout : 5 * G_USEC_PER_SEC; }
};

/* One stream's run-time parts, from build to teardown. Shared: a stats
 * reader may still hold it while a teardown drops it. Everything is set
 * before the stream is published, and never changes after. */
struct Stream {
  guint index = 0;
  StreamDescription description;
  std::unique_ptr<StreamPath> path;
  GstObjectPtr<GstElement> funnel;   /* also owned by the bin */
  std::atomic<guint64> dequeued {0}; /* RTP packets out of the reader, into rtpbin */
  std::string stream_id;             /* of src_N's stream-start, for this start */
  /* RTSP over TCP: the readers the task hands the stream's RTP and RTCP
   * to (owned by the streams' bin); null otherwise. */
  GstElement *interleaved_rtp = nullptr;
  GstElement *interleaved_rtcp = nullptr;
  /* Pushes the GAP that starts an idle stream: it may wait in a prerolling
   * sink. Started by the task, joined by the teardown (children flushed). */
  std::thread gap_pusher;
  std::atomic<bool> gap_pushing {false};
};

/* The inner pipeline of a start, in a bin of its own ("streams"): built
 * outside the element, then attached to it. */
struct Built {
  std::shared_ptr<GstElement> bin;
  std::shared_ptr<GstElement> rtpbin;
  std::vector<std::shared_ptr<Stream>> streams;
};

/* What readers on any thread see of the current start. */
struct Published {
  std::shared_ptr<GstElement> bin;  /* the Built one attached */
  std::vector<std::shared_ptr<Stream>> streams;
  std::shared_ptr<GstElement> rtpbin;
  guint rtp_port = 0;
  guint rtcp_port = 0;
  std::string advertise_address;
};

/* A replaced sender whose elements go once its last packets drained. */
struct PendingClear {
  guint session = 0;
  guint32 ssrc = 0;
  guint64 mark = 0;          /* RTP packets accepted before the new sender's first */
  gint64 drained_at_us = 0;  /* when the reader had passed them all; 0: not yet */
};

class PullSession;
struct PullSessionDeleter {
  void operator() (PullSession *session) const noexcept;
};

/* One start, from NULL->READY to READY->NULL: the control task and what
 * only the task touches. Shared by the element and the task's thread: a
 * thread left to end by itself keeps it. */
struct Run {
  ControlTask task;
  bool playing = false;
  guint generation = 0;         /* counts PAUSED->PLAYING: silence restarts from there */
  StreamWatch silence;
  guint watched_generation = G_MAXUINT;
  size_t watched_streams = 0;
  std::vector<PendingClear> pending_clears;
  guint tick = 0;
  std::unique_ptr<PullSession, PullSessionDeleter> pull;
};

/* The element's control: the task of the current start, what it
 * publishes, and what the builder keeps across starts. */
struct Control {
  std::mutex published_lock;
  Published published;
  /* The builder's: written by whoever builds (a state change before the
   * task starts in push mode, the task in pull mode) and by the teardown
   * once the task stopped, never two at once. */
  std::vector<GstPad *> pads;  /* src_N, kept across restarts while their number stays */
  std::string sdp_path;
  std::string sdp_written;
  guint16 previous_rtp_port = 0;  /* a restart tries its previous pair first */
};

}  // namespace hostnetrtp

void gst_hostnet_rtp_src_uri_handler_init (gpointer g_iface, gpointer data) noexcept;

struct HostnetRtpSrcPrivate {
  /* Guards the settings, running and run (see the lock order above). */
  std::mutex lock;
  hostnetrtp::Settings settings;
  bool running = false;  /* from start to teardown: start-time properties are refused */
  std::shared_ptr<hostnetrtp::Run> run;  /* the current start's task */
  hostnetrtp::Control control;
};

struct _GstHostnetRtpSrc {
  GstBin parent;
  HostnetRtpSrcPrivate *priv;
};

namespace hostnetrtp {

/* element-tell.cpp */

/* Logs @text and posts it as an error or a warning the user reads, with the
 * caller's place in the code as its debug location: at once from a state
 * change or a property setter, between jobs from the control task. */
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

/* Posts an element message whose structure is @s (taken), as post_message does. */
void post_element_message (GstHostnetRtpSrc *self, GstStructure *s);

/* Runs @callout between the task's jobs when called on the task, else at
 * once (a state change: what it tells is there when it returns). */
void tell (GstHostnetRtpSrc *self, ControlTask::Job callout);

/* Publishes stream 0's ports (notified) and posts hostnetrtp-allocation
 * for the built streams; @extra fields are added to the message. */
void announce (GstHostnetRtpSrc *self, const std::string &bound_address,
    const std::string &advertise_address, bool multicast, bool rtcp_mux,
    const GstStructure *extra = nullptr);

GstStructure *element_stats (GstHostnetRtpSrc *self);

/* The published streams, shared, and rtpbin (null when not built). */
std::vector<std::shared_ptr<Stream>> streams_of (GstHostnetRtpSrc *self,
    std::shared_ptr<GstElement> *rtpbin = nullptr);

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
  BoundStream sockets;   /* none with RTSP over TCP */
  GateConfig gate;
  /* RTSP over TCP: the stream's packets come interleaved on the RTSP
   * connection (pushed in by the task), its reports go out there. */
  std::function<void (const guint8 *data, gsize size)> report_out;
};

/* rtpbin's settings (the jitterbuffers', and rtspsrc's that reach
 * rtpbin), also live. */
struct JitterSettings {
  guint latency = 200;
  bool drop_on_latency = false;
  bool do_lost = false;
  RtspsrcSettings rtspsrc;
};

inline JitterSettings jitter_settings (const Settings &s)
{
  return {s.latency, s.drop_on_latency, s.do_lost, s.rtspsrc};
}

/* @jitter onto @rtpbin and its @n_sessions sessions; what this GStreamer's
 * rtpbin cannot take is said in @missing. */
void apply_jitter (GstElement *rtpbin, const JitterSettings &jitter, guint n_sessions,
    std::string &missing);

/* Builds rtpbin and every stream around its sockets into @built, outside
 * the element: nothing of it is seen yet, no application code runs.
 * Packets' news go to @run's task. False with a sentence in @error (what
 * was built goes with @built). */
bool build_streams (GstHostnetRtpSrc *self, Run &run, std::vector<StreamPlan> plans,
    const JitterSettings &jitter, ReceivePath receive_path, Built &built, std::string &error);

/* Puts @built into the element: in the bin, src_N (the pads of the last
 * start when their number is the same) pointed at its streams, published,
 * and following the element's state. Its steps may run application code
 * that stops the element: when @stopping () says so after one, what went
 * in is taken out again and it returns false (no error). False with a
 * sentence in @error if it could not. */
bool attach_streams (GstHostnetRtpSrc *self, Built &built, const std::function<bool ()> &stopping,
    std::string &error);

/* Undoes what attach_streams published: stops and removes the inner
 * elements, joins what pushes into them, closes the sockets; the pads
 * stay, unlinked from the inside. */
void teardown_streams (GstHostnetRtpSrc *self);

/* Pushes stream-start, the stream's caps, a segment and then @last (a GAP,
 * an EOS) into the stream's funnel through a pad of its own, which goes
 * again at once: a pad left on the funnel would hold back its EOS. */
void push_into_funnel (Stream &stream, GstEvent *last);

/* element-control.cpp */

/* NULL->READY: a new start's task, not running yet (jobs wait for it). */
std::shared_ptr<Run> control_prepare (GstHostnetRtpSrc *self);
/* Starts the prepared task (after push mode's build, or at once). */
void control_start (GstHostnetRtpSrc *self, const std::shared_ptr<Run> &run);
/* PAUSED<->PLAYING. */
void control_playing (GstHostnetRtpSrc *self, bool playing);
/* READY->NULL: stops the task (see control-task.h). */
void control_stop (GstHostnetRtpSrc *self);
#if !GST_CHECK_VERSION(1, 20, 0)
/* GStreamer 1.18: session @session's rtpssrcdemux in @rtpbin (a reference), or null. */
GstElement *ssrc_demux_118 (GstElement *rtpbin, guint session);
#endif
/* A live property changed: the task applies the settings to what runs. */
void control_apply_live (GstHostnetRtpSrc *self);
/* On the task: a stream's gate let a new sender in. */
void control_sender_changed (GstHostnetRtpSrc *self, Stream &stream, const GateVerdict &verdict);
/* The current start's task, if any. */
std::shared_ptr<Run> current_run (GstHostnetRtpSrc *self);

/* element-pull.cpp: pull mode's life, on the control task */

bool pull_check (GstHostnetRtpSrc *self, const Settings &s);   /* NULL->READY */
void pull_open (GstHostnetRtpSrc *self, Run &run, const Settings &s);  /* READY->PAUSED */
void pull_playing (Run &run, bool playing);                      /* PLAY once playing */
void pull_close (Run &run);                                      /* PAUSED->READY: TEARDOWN */

/* element-uri.cpp: sets the properties a hostnetrtp:// URI names, all or
 * none; false with a GError (GST_URI_ERROR) that says what is wrong. */
bool apply_uri (GstHostnetRtpSrc *self, const std::string &uri, GError **error);
/* @uri as anyone may read it back: no user-pw, no password in a location. */
std::string uri_without_secrets (const std::string &uri);

}  // namespace hostnetrtp
