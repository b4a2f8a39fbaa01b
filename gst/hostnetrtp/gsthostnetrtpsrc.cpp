/* hostnetrtp — the hostnetrtpsrc element.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-hostnetrtpsrc
 * @title: hostnetrtpsrc
 * @see_also: rtpsrc, udpsrc, rtpbin
 *
 * Receives RTP (from IP cameras, say) on a port pair that it finds by itself
 * inside an operator's range, so that many replicas of one pod on a node's
 * host network can run the very same pipeline text without taking each
 * other's ports.
 *
 * ```
 *            +------------------------ hostnetrtpsrc ------------------------+
 *  RTP  ---> | udpsrc (socket N, bound here) -[gate]-> queue -> rtpbin        |
 *  RTCP <--> | udpsrc (socket N+1) -[gate]-> rtpbin   rtpbin -> funnel -> src_i|--> src_i
 *            |     receiver reports: rtpbin -> sent from socket N+1           |
 *            +---------------------------------------------------------------+
 * ```
 *
 * The element binds its sockets itself when it goes to READY, without
 * SO_REUSEADDR/SO_REUSEPORT, RTP on an even port and RTCP on the next, and
 * hands them to udpsrc: the bind is the reservation, so replicas starting at
 * the same instant never share a pair. Each replica starts its walk at its
 * own point of the range ($POD_NAME hashed, else random) and walks it all.
 * A loopback bind address is rewritten to the wildcard (see
 * #GstHostnetRtpSrc:loopback-policy) and never advertised.
 *
 * Once bound it posts an element message `hostnetrtp-allocation` and, with
 * #GstHostnetRtpSrc:sdp-file, writes an SDP telling a sender where to send.
 * Every src_N pad carries its stream's `rtp-port`, `rtcp-port` and `stats`.
 *
 * Every datagram passes a gate before rtpbin: #GstHostnetRtpSrc:allowed-senders,
 * valid RTP/RTCP, and one sender per stream (another takes over after BYE or
 * #GstHostnetRtpSrc:sender-timeout of silence). Receiver reports leave from
 * the stream's RTCP socket towards that sender only.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 hostnetrtpsrc port-range=32546-32599 encoding-name=H264 ! rtph264depay ! h264parse ! avdec_h264 ! fakesink
 * ]| The same line in every replica: each gets its own even/odd pair.
 * |[
 * gst-launch-1.0 hostnetrtpsrc name=cam port-range=32546-32599 sdp-file=/run/cam.sdp \
 *     caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=H264;application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMU" \
 *   cam.src_0 ! rtph264depay ! h264parse ! avdec_h264 ! fakesink \
 *   cam.src_1 ! rtppcmudepay ! mulawdec ! fakesink
 * ]| A camera with video and audio: two port pairs, one pad each.
 *
 * Since: 0.1
 */

#include "gsthostnetrtpsrc.h"

#include "address-policy.h"
#include "announcement.h"
#include "encodings.h"
#include "gsthostnetrtpsrcpad.h"
#include "port-allocator.h"
#include "stream-path.h"
#include "stream-watch.h"

#include <algorithm>
#include <condition_variable>
#include <iterator>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

GST_DEBUG_CATEGORY (gst_hostnet_rtp_src_debug);
#define GST_CAT_DEFAULT gst_hostnet_rtp_src_debug

using namespace hostnetrtp;

namespace {

constexpr const char *kDefaultAddress = "0.0.0.0";
constexpr guint kDefaultLatency = 200;
/* A 4K camera's I-frame is ~1000 packets arriving in a few ms: 4 MiB holds it. */
constexpr gint kDefaultBufferSize = 4 * 1024 * 1024;
/* Between socket reader and RTP stack: seconds of a 4K camera. */
constexpr guint kQueueBytes = 32 * 1024 * 1024;
/* Silence after which another sender may take a stream over: longer than
 * any gap of a live camera, far shorter than a camera's reboot. */
constexpr guint kDefaultSenderTimeout = 2000;
constexpr gint64 kWatchTick = 50 * G_TIME_SPAN_MILLISECOND;
/* How long a replaced sender's elements stay: its last packets drain. */
constexpr gint64 kClearDelay = 500 * G_TIME_SPAN_MILLISECOND;

enum {
  PROP_0,
  PROP_PORT_RANGE,
  PROP_ADDRESS,
  PROP_LOOPBACK_POLICY,
  PROP_CAPS,
  PROP_ENCODING_NAME,
  PROP_RTCP_MUX,
  PROP_LATENCY,
  PROP_BUFFER_SIZE,
  PROP_MULTICAST_IFACE,
  PROP_ADVERTISE_ADDRESS,
  PROP_SDP_FILE,
  PROP_ALLOWED_SENDERS,
  PROP_SENDER_TIMEOUT,
  PROP_TIMEOUT,
  PROP_RTP_PORT,
  PROP_RTCP_PORT,
  PROP_STATS,
  N_PROPS
};
GParamSpec *properties[N_PROPS];

GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src_%u",
    GST_PAD_SRC, GST_PAD_SOMETIMES, GST_STATIC_CAPS ("application/x-rtp"));

/* What the user set; read once per start so a start sees one consistent set. */
struct Settings {
  std::string port_range;
  std::string address = kDefaultAddress;
  LoopbackPolicy loopback_policy = LoopbackPolicy::Rewrite;
  GstCapsPtr caps;
  std::string encoding_name;
  bool rtcp_mux = false;
  guint latency = kDefaultLatency;
  gint buffer_size = kDefaultBufferSize;
  std::string multicast_iface;
  std::string advertise_address;
  std::string sdp_file;
  std::string allowed_senders;
  std::shared_ptr<const SenderFilter> filter;  /* parsed allowed_senders, if valid */
  guint sender_timeout = kDefaultSenderTimeout;
  guint64 timeout = 0;

  Settings copy () const
  {
    Settings s;
    s.port_range = port_range;
    s.address = address;
    s.loopback_policy = loopback_policy;
    s.caps.reset (caps ? gst_caps_ref (caps.get ()) : nullptr);
    s.encoding_name = encoding_name;
    s.rtcp_mux = rtcp_mux;
    s.latency = latency;
    s.buffer_size = buffer_size;
    s.multicast_iface = multicast_iface;
    s.advertise_address = advertise_address;
    s.sdp_file = sdp_file;
    s.allowed_senders = allowed_senders;
    s.filter = filter;
    s.sender_timeout = sender_timeout;
    s.timeout = timeout;
    return s;
  }
};

/* The properties that apply live; every other one applies when the element
 * starts and is refused, with a warning, while it runs. */
bool applies_live (guint prop_id)
{
  switch (prop_id) {
    case PROP_LATENCY:
    case PROP_ALLOWED_SENDERS:
    case PROP_SENDER_TIMEOUT:
    case PROP_TIMEOUT:
      return true;
    default:
      return false;
  }
}

/* One stream's run-time parts, from start to stop. */
struct Stream {
  StreamDescription description;
  std::unique_ptr<StreamPath> path;
  GstElement *funnel = nullptr;        /* owned by the bin */
  GstObjectPtr<GstPad> gap_pad;        /* ours, feeds a funnel sink pad: GAPs for an idle stream */
  GstObjectPtr<GstPad> gap_funnel_pad; /* the funnel's pad it feeds */
};

}  // namespace

struct HostnetRtpSrcPrivate {
  std::mutex lock;  /* guards settings, running, the published allocation, rtpbin */
  Settings settings;
  bool running = false;  /* from start () to stop (): start-time properties are refused */
  guint rtp_port = 0;
  guint rtcp_port = 0;
  std::string effective_advertise_address;
  GstElement *rtpbin = nullptr;  /* owned by the bin */

  /* Built at NULL->READY and torn down at READY->NULL; streaming threads
   * only read them in between. */
  std::vector<std::unique_ptr<Stream>> streams;
  std::string sdp_path;
  std::string sdp_written;

  /* src_N: kept across restarts while the number of streams stays. */
  std::vector<GstPad *> pads;

  /* Replaced senders whose elements go once due (clear_lock). */
  struct PendingClear {
    guint session;
    guint32 ssrc;
    gint64 due_us;
  };
  std::mutex clear_lock;
  std::vector<PendingClear> pending_clears;

  /* Silence, idle streams and replaced senders, watched while PLAYING. */
  std::thread watch_thread;
  std::mutex watch_lock;
  std::condition_variable watch_wakeup;
  bool watch_stop = false;
};

struct _GstHostnetRtpSrc {
  GstBin parent;
  HostnetRtpSrcPrivate *priv;
};

#define GST_TYPE_HOSTNET_RTP_LOOPBACK_POLICY (gst_hostnet_rtp_loopback_policy_get_type ())
static GType
gst_hostnet_rtp_loopback_policy_get_type (void) noexcept
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {static_cast<gint> (LoopbackPolicy::Rewrite),
        "Bind the wildcard of the same family instead, and post a warning", "rewrite"},
    {static_cast<gint> (LoopbackPolicy::Error),
        "Refuse to start with an error that says what to do", "error"},
    {static_cast<gint> (LoopbackPolicy::Allow),
        "Bind the loopback address as given (single-host tests only)", "allow"},
    {0, nullptr, nullptr},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstHostnetRtpLoopbackPolicy", values));
  return type;
}

#define gst_hostnet_rtp_src_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstHostnetRtpSrc, gst_hostnet_rtp_src, GST_TYPE_BIN,
    GST_DEBUG_CATEGORY_INIT (gst_hostnet_rtp_src_debug, "hostnetrtpsrc", 0,
        "host-network-safe RTP source"));
GST_ELEMENT_REGISTER_DEFINE (hostnetrtpsrc, "hostnetrtpsrc", GST_RANK_NONE,
    GST_TYPE_HOSTNET_RTP_SRC);

namespace {

/* Logs @text and posts it as an error or warning the user reads, with the
 * caller's place in the code as its debug location. */
void post_message (GstHostnetRtpSrc *self, GstMessageType type, GQuark domain, gint code,
    const std::string &text, const char *file, const char *function, int line)
{
  gst_debug_log (GST_CAT_DEFAULT, type == GST_MESSAGE_ERROR ? GST_LEVEL_ERROR : GST_LEVEL_WARNING,
      file, function, line, G_OBJECT (self), "%s", text.c_str ());
  gst_element_message_full (GST_ELEMENT (self), type, domain, code, g_strdup (text.c_str ()),
      nullptr, file, function, line);
}

void post_error (GstHostnetRtpSrc *self, GstResourceError code, const std::string &text,
    const char *file = __builtin_FILE (), const char *function = __builtin_FUNCTION (),
    int line = __builtin_LINE ())
{
  post_message (self, GST_MESSAGE_ERROR, GST_RESOURCE_ERROR, code, text, file, function, line);
}

void post_warning (GstHostnetRtpSrc *self, const std::string &text,
    GstResourceError code = GST_RESOURCE_ERROR_SETTINGS, const char *file = __builtin_FILE (),
    const char *function = __builtin_FUNCTION (), int line = __builtin_LINE ())
{
  post_message (self, GST_MESSAGE_WARNING, GST_RESOURCE_ERROR, code, text, file, function, line);
}

GstElement *make_element (const char *factory, std::string &error)
{
  GstElement *element = gst_element_factory_make (factory, nullptr);
  if (!element)
    error = std::string ("the GStreamer element '") + factory + "' is missing: install "
        "gstreamer1.0-plugins-good (udpsrc, rtpbin) and gstreamer1.0-plugins-base (funnel, queue)";
  return element;
}

std::vector<std::string> split_list (const std::string &text)
{
  std::vector<std::string> items;
  std::string item;
  for (char c : text + ",") {
    if (c == ',' || c == ' ') {
      if (!item.empty ())
        items.push_back (item);
      item.clear ();
    } else {
      item += c;
    }
  }
  return items;
}

const char *state_name (GstHostnetRtpSrc *self)
{
  return gst_element_state_get_name (GST_STATE (self));
}

GstCaps *on_request_pt_map (GstElement *, guint session, guint pt, gpointer user_data) noexcept
{
  auto *priv = static_cast<HostnetRtpSrcPrivate *> (user_data);
  if (session >= priv->streams.size ())
    return nullptr;
  GST_DEBUG ("session %u asks for payload type %u", session, pt);
  return caps_for_payload (priv->streams[session]->description, pt);
}

/* rtpbin adds one pad per SSRC: they all feed the stream's funnel, so src_N
 * stays the same pad when a sender restarts with a new SSRC. */
void on_pad_added (GstElement *, GstPad *pad, gpointer user_data) noexcept
{
  auto *priv = static_cast<HostnetRtpSrcPrivate *> (user_data);
  GCharPtr name (gst_pad_get_name (pad));
  guint session = 0, ssrc = 0, pt = 0;
  if (std::sscanf (name.get (), "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt) != 3 ||
      session >= priv->streams.size ())
    return;
  GstPad *funnel_pad = gst_element_request_pad_simple (priv->streams[session]->funnel, "sink_%u");
  if (gst_pad_link (pad, funnel_pad) != GST_PAD_LINK_OK)
    GST_WARNING_OBJECT (pad, "could not link to the stream's funnel");
  /* The funnel keeps the pad; remember it to release it with the SSRC. */
  g_object_set_data_full (G_OBJECT (pad), "hostnetrtp-funnel-pad", funnel_pad,
      [] (gpointer p) noexcept { gst_object_unref (p); });
  GST_INFO ("stream %u: SSRC %08x (payload %u) on %s", session, ssrc, pt, name.get ());
}

void on_pad_removed (GstElement *, GstPad *pad, gpointer) noexcept
{
  auto *funnel_pad = static_cast<GstPad *> (g_object_get_data (G_OBJECT (pad), "hostnetrtp-funnel-pad"));
  if (!funnel_pad)
    return;
  if (GstObjectPtr<GstElement> funnel {gst_pad_get_parent_element (funnel_pad)})
    gst_element_release_request_pad (funnel.get (), funnel_pad);
  g_object_set_data (G_OBJECT (pad), "hostnetrtp-funnel-pad", nullptr);
}

/* An unlinked src_N (say, the audio of a camera nobody listens to) must not
 * stop the other streams with not-linked: its buffers are dropped. */
GstPadProbeReturn drop_when_unlinked (GstPad *, GstPadProbeInfo *, gpointer ghost) noexcept
{
  return gst_pad_is_linked (GST_PAD (ghost)) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

bool link_pads (GstElement *src, const char *src_pad, GstElement *sink, const char *sink_pad,
    std::string &error)
{
  if (gst_element_link_pads (src, src_pad, sink, sink_pad))
    return true;
  error = std::string ("internal error: cannot link ") + src_pad + " to " + sink_pad;
  return false;
}

/* A stream got a new sender: tell the application, and have the old one's
 * jitterbuffer and demuxer removed (a camera that reboots every night must
 * not grow the pipeline). Not at once: packets of the old sender that passed
 * the gate just before may still be inside rtpbin, and rtpssrcdemux would
 * make a new pad for them while clear-ssrc removes the old one. */
void on_sender_changed (GstHostnetRtpSrc *self, guint index, const GateVerdict &verdict,
    const SenderState &sender)
{
  GST_INFO_OBJECT (self, "stream %u: sender %08x from %s%s", index, verdict.ssrc,
      sender.rtp_from.to_string ().c_str (), verdict.had_previous ? " took over" : "");
  GstStructure *s = gst_structure_new ("hostnetrtp-sender-changed",
      "stream", G_TYPE_UINT, index, "ssrc", G_TYPE_UINT, verdict.ssrc,
      "sender", G_TYPE_STRING, sender.rtp_from.to_string ().c_str (),
      "had-previous", G_TYPE_BOOLEAN, verdict.had_previous,
      "previous-ssrc", G_TYPE_UINT, verdict.previous_ssrc, nullptr);
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
  if (verdict.had_previous && verdict.previous_ssrc != verdict.ssrc) {
    HostnetRtpSrcPrivate *priv = self->priv;
    std::lock_guard<std::mutex> guard (priv->clear_lock);
    priv->pending_clears.push_back ({index, verdict.previous_ssrc,
        g_get_monotonic_time () + kClearDelay});
  }
}

GateConfig gate_config (const Settings &s, const BoundStream &sockets, GInetAddress *bound,
    bool multicast)
{
  GSocket *report_socket = sockets.rtcp ? sockets.rtcp.get () : sockets.rtp.get ();
  GateConfig config;
  config.local_family = g_socket_get_family (report_socket);
  config.rtcp_mux = !sockets.rtcp;
  config.takeover_after_us = gint64 (s.sender_timeout) * G_TIME_SPAN_MILLISECOND;
  config.filter = s.filter;
  if (multicast) {
    GCharPtr group (g_inet_address_to_string (bound));
    config.multicast_report_to = Peer::from_string (group.get (), sockets.rtcp_port);
  }
  return config;
}

}  // namespace

/* Builds the inner pipeline of one stream around its bound sockets. */
static bool
build_stream (GstHostnetRtpSrc *self, guint index, std::string &error)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  Stream &stream = *priv->streams[index];
  const BoundStream &sockets = stream.path->sockets ();
  GstBin *bin = GST_BIN (self);
  const bool mux = !sockets.rtcp;
  std::string rtp_sink = "recv_rtp_sink_" + std::to_string (index);
  std::string rtcp_sink = "recv_rtcp_sink_" + std::to_string (index);
  std::string rtcp_src = "send_rtcp_src_" + std::to_string (index);

  GstElement *rtp_reader = make_element ("udpsrc", error);
  GstElement *rtp_queue = make_element ("queue", error);
  GstElement *rtcp_reader = mux ? nullptr : make_element ("udpsrc", error);
  stream.funnel = make_element ("funnel", error);
  if (!rtp_reader || !rtp_queue || (!mux && !rtcp_reader) || !stream.funnel) {
    for (GstElement *e : {rtp_reader, rtp_queue, rtcp_reader, stream.funnel})
      if (e)
        gst_object_unref (gst_object_ref_sink (e));
    stream.funnel = nullptr;
    return false;
  }
  g_object_set (rtp_reader, "socket", sockets.rtp.get (), "close-socket", FALSE,
      "auto-multicast", FALSE, "caps", stream.description.caps.get (), nullptr);
  /* The socket reader only reads: the RTP stack runs in the queue's thread,
   * so the kernel buffer is drained while the jitterbuffer works. */
  g_object_set (rtp_queue, "max-size-buffers", 0u, "max-size-time", G_GUINT64_CONSTANT (0),
      "max-size-bytes", kQueueBytes, nullptr);
  gst_bin_add_many (bin, rtp_reader, rtp_queue, stream.funnel, nullptr);
  if (rtcp_reader) {
    GstCapsPtr rtcp_caps (gst_caps_new_empty_simple ("application/x-rtcp"));
    g_object_set (rtcp_reader, "socket", sockets.rtcp.get (), "close-socket", FALSE,
        "auto-multicast", FALSE, "caps", rtcp_caps.get (), nullptr);
    gst_bin_add (bin, rtcp_reader);
  }
  if (!link_pads (rtp_reader, "src", rtp_queue, "sink", error) ||
      !link_pads (rtp_queue, "src", priv->rtpbin, rtp_sink.c_str (), error) ||
      (rtcp_reader && !link_pads (rtcp_reader, "src", priv->rtpbin, rtcp_sink.c_str (), error)))
    return false;

  GstObjectPtr<GstPad> rtp_pad (gst_element_get_static_pad (rtp_reader, "src"));
  GstObjectPtr<GstPad> rtcp_pad (rtcp_reader ? gst_element_get_static_pad (rtcp_reader, "src") : nullptr);
  GstObjectPtr<GstPad> session_rtcp_sink (mux ?
      gst_element_request_pad_simple (priv->rtpbin, rtcp_sink.c_str ()) : nullptr);
  GstObjectPtr<GstPad> report_src (gst_element_request_pad_simple (priv->rtpbin, rtcp_src.c_str ()));
  if (!report_src || (mux && !session_rtcp_sink)) {
    error = "internal error: rtpbin gave no RTCP pads for stream " + std::to_string (index);
    return false;
  }
  stream.path->attach (rtp_pad.get (), rtcp_pad.get (), session_rtcp_sink.get (), report_src.get ());

  /* A pad of ours into the funnel, for the GAP that starts an idle stream. */
  stream.gap_funnel_pad.reset (gst_element_request_pad_simple (stream.funnel, "sink_%u"));
  stream.gap_pad.reset (GST_PAD (gst_object_ref_sink (gst_pad_new ("idle_gap", GST_PAD_SRC))));
  gst_pad_link (stream.gap_pad.get (), stream.gap_funnel_pad.get ());

  GstObjectPtr<GstPad> funnel_src (gst_element_get_static_pad (stream.funnel, "src"));
  GstPad *ghost = priv->pads[index];
  gst_ghost_pad_set_target (GST_GHOST_PAD (ghost), funnel_src.get ());
  gst_pad_add_probe (funnel_src.get (), GST_PAD_PROBE_TYPE_BUFFER, drop_when_unlinked, ghost, nullptr);
  gst_hostnet_rtp_src_pad_set_stream (GST_HOSTNET_RTP_SRC_PAD (ghost),
      stream.description.media.c_str (), sockets.rtp_port, sockets.rtcp_port);
  return true;
}

/* src_N for N streams: the pads of the last start when their number is the
 * same (what gst-launch and applications linked stays linked), else new ones. */
static void
ensure_pads (GstHostnetRtpSrc *self, size_t n_streams)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  if (priv->pads.size () == n_streams)
    return;
  for (GstPad *pad : priv->pads) {
    gst_element_remove_pad (GST_ELEMENT (self), pad);
    gst_object_unref (pad);
  }
  priv->pads.clear ();
  GstPadTemplate *templ = gst_element_class_get_pad_template (GST_ELEMENT_GET_CLASS (self), "src_%u");
  for (guint i = 0; i < n_streams; i++) {
    GstPad *pad = gst_hostnet_rtp_src_pad_new (i, templ);
    priv->pads.push_back (GST_PAD (gst_object_ref (pad)));
    gst_pad_set_active (pad, TRUE);
    gst_element_add_pad (GST_ELEMENT (self), pad);
  }
  gst_element_no_more_pads (GST_ELEMENT (self));
}

static void stop_watch (GstHostnetRtpSrc *self);

/* Everything that READY->NULL undoes; safe on a half-built element. The
 * pads stay, unlinked from the inside, for the next start. */
static void
stop (GstHostnetRtpSrc *self)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  stop_watch (self);
  for (GstPad *pad : priv->pads) {
    gst_ghost_pad_set_target (GST_GHOST_PAD (pad), nullptr);
    gst_hostnet_rtp_src_pad_set_stream (GST_HOSTNET_RTP_SRC_PAD (pad), nullptr, 0, 0);
  }
  GList *children = g_list_copy_deep (GST_BIN_CHILDREN (self),
      [] (gconstpointer e, gpointer) noexcept -> gpointer { return gst_object_ref (GST_OBJECT (e)); },
      nullptr);
  for (GList *l = children; l; l = l->next)
    gst_element_set_state (GST_ELEMENT (l->data), GST_STATE_NULL);
  for (auto &stream : priv->streams) {
    if (stream->path)
      stream->path->detach ();
    if (stream->gap_pad) {
      gst_pad_unlink (stream->gap_pad.get (), stream->gap_funnel_pad.get ());
      gst_element_release_request_pad (stream->funnel, stream->gap_funnel_pad.get ());
    }
  }
  for (GList *l = children; l; l = l->next)
    gst_bin_remove (GST_BIN (self), GST_ELEMENT (l->data));
  g_list_free_full (children, gst_object_unref);
  if (!priv->sdp_path.empty () && !remove_sdp_file_if_ours (priv->sdp_path, priv->sdp_written))
    GST_INFO_OBJECT (self, "left %s: another receiver wrote it since", priv->sdp_path.c_str ());
  priv->sdp_path.clear ();
  priv->sdp_written.clear ();
  bool had_ports;
  {
    std::lock_guard<std::mutex> guard (priv->lock);
    priv->rtpbin = nullptr;
    priv->streams.clear ();  /* the elements are gone: this closes the sockets */
    had_ports = priv->rtp_port != 0;
    priv->rtp_port = priv->rtcp_port = 0;
    priv->effective_advertise_address.clear ();
    priv->running = false;
  }
  {
    std::lock_guard<std::mutex> guard (priv->clear_lock);
    priv->pending_clears.clear ();
  }
  if (had_ports) {
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RTP_PORT]);
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RTCP_PORT]);
  }
}

/* The streams to receive, from caps or encoding-name. */
static bool
describe (const Settings &s, std::vector<StreamDescription> &streams, std::string &error)
{
  GstCapsPtr caps (s.caps ? gst_caps_ref (s.caps.get ()) : nullptr);
  if (!caps && !s.encoding_name.empty ()) {
    caps.reset (caps_for_encoding_name (s.encoding_name, error));
    if (!caps)
      return false;
  }
  return describe_streams (caps.get (), streams, error);
}

/* Writes the SDP and remembers exactly what, to remove only our own file. */
static bool
write_sdp (GstHostnetRtpSrc *self, const std::string &pattern, const Announcement &announcement,
    std::string &error)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  std::string sdp, path;
  if (!expand_sdp_path (pattern, announcement.streams[0].rtp_port, path, error) ||
      !announcement_sdp (announcement, sdp, error) || !write_sdp_file (path, sdp, error))
    return false;
  priv->sdp_path = path;
  priv->sdp_written = sdp;
  return true;
}

/* NULL->READY: check the settings, bind the sockets, build the inner
 * pipeline, announce. On failure posts one error and returns false. */
static bool
start (GstHostnetRtpSrc *self)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  Settings s;
  {
    std::lock_guard<std::mutex> guard (priv->lock);
    s = priv->settings.copy ();
    priv->running = true;
  }
  std::string error;
  auto fail = [&] (GstResourceError code, const char *function = __builtin_FUNCTION (),
                   int line = __builtin_LINE ()) {
    post_error (self, code, error, __FILE__, function, line);
    return false;
  };

  PortRange range;
  if (!parse_port_range (s.port_range.c_str (), range, error))
    return fail (GST_RESOURCE_ERROR_SETTINGS);
  BindAddress bind;
  if (!resolve_bind_address (s.address, s.loopback_policy, bind, error))
    return fail (GST_RESOURCE_ERROR_SETTINGS);
  if (!bind.warning.empty ())
    post_warning (self, bind.warning);
  std::vector<StreamDescription> descriptions;
  if (!describe (s, descriptions, error))
    return fail (GST_RESOURCE_ERROR_SETTINGS);
  if (!s.filter) {
    SenderFilter filter;
    if (!SenderFilter::parse (s.allowed_senders, filter, error))
      return fail (GST_RESOURCE_ERROR_SETTINGS);
  }
  if (!s.sdp_file.empty ()) {
    std::string path;
    if (!expand_sdp_path (s.sdp_file, 0, path, error))
      return fail (GST_RESOURCE_ERROR_SETTINGS);
  }
  AdvertiseAddress advertise;
  if (!choose_advertise_address (s.advertise_address, bind.address.get (), s.loopback_policy,
          advertise, error))
    return fail (GST_RESOURCE_ERROR_SETTINGS);

  const bool multicast = g_inet_address_get_is_multicast (bind.address.get ());
  if (!multicast) {
    std::string kernel_range;
    std::string overlap = unreserved_ephemeral_overlap (range, &kernel_range);
    if (!overlap.empty ())
      post_warning (self, "port-range " + range.to_string () + " overlaps the kernel's "
          "ephemeral ports " + kernel_range + " (net.ipv4.ip_local_port_range) in " + overlap +
          ", which any outgoing connection may take: set sysctl net.ipv4.ip_local_reserved_ports=" +
          range.to_string () + " or pick a range outside " + kernel_range);
  }

  AllocationRequest request;
  request.address = bind.address.get ();
  request.range = range;
  request.n_streams = descriptions.size ();
  request.rtcp_mux = s.rtcp_mux;
  request.start_seed = replica_start_seed ();
  request.receive_buffer_size = s.buffer_size;
  request.multicast_interfaces = split_list (s.multicast_iface);
  Allocation allocation;
  if (!allocate_ports (request, allocation, error))
    return fail (GST_RESOURCE_ERROR_BUSY);
  GST_INFO_OBJECT (self, "bound %zu stream(s) after %u candidate(s), receive buffer %d bytes",
      allocation.streams.size (), allocation.candidates_tried, allocation.receive_buffer_granted);
  if (s.buffer_size > 0 && allocation.receive_buffer_granted < s.buffer_size)
    post_warning (self, "the kernel granted a receive buffer of " +
        std::to_string (allocation.receive_buffer_granted) + " bytes instead of buffer-size=" +
        std::to_string (s.buffer_size) + ": camera I-frame bursts may be lost. Raise it with "
        "sysctl net.core.rmem_max=" + std::to_string (s.buffer_size) +
        " (or run with CAP_NET_ADMIN)");
  if (!advertise.warning.empty ())
    post_warning (self, advertise.warning);

  GstElement *rtpbin = make_element ("rtpbin", error);
  if (!rtpbin)
    return fail (GST_RESOURCE_ERROR_FAILED);
  /* autoremove: an SSRC that timed out or said BYE goes with its elements. */
  g_object_set (rtpbin, "latency", s.latency, "autoremove", TRUE, nullptr);
  g_signal_connect (rtpbin, "request-pt-map", G_CALLBACK (on_request_pt_map), priv);
  g_signal_connect (rtpbin, "pad-added", G_CALLBACK (on_pad_added), priv);
  g_signal_connect (rtpbin, "pad-removed", G_CALLBACK (on_pad_removed), nullptr);
  gst_bin_add (GST_BIN (self), rtpbin);
  {
    std::lock_guard<std::mutex> guard (priv->lock);
    priv->rtpbin = rtpbin;
    /* Live settings may have changed since the copy: take the latest. */
    s.latency = priv->settings.latency;
    s.filter = priv->settings.filter;
    s.sender_timeout = priv->settings.sender_timeout;
    for (guint i = 0; i < descriptions.size (); i++) {
      auto stream = std::make_unique<Stream> ();
      stream->description = std::move (descriptions[i]);
      StreamPath::Hooks hooks;
      hooks.warn = [self] (const std::string &text) {
        post_warning (self, text, GST_RESOURCE_ERROR_READ);
      };
      Stream *raw = stream.get ();
      hooks.sender_changed = [self, i, raw] (const GateVerdict &verdict) {
        on_sender_changed (self, i, verdict, raw->path->gate ().sender ());
      };
      GateConfig config = gate_config (s, allocation.streams[i], bind.address.get (), multicast);
      stream->path = std::make_unique<StreamPath> (i, std::move (allocation.streams[i]),
          std::move (config), std::move (hooks));
      priv->streams.push_back (std::move (stream));
    }
  }
  g_object_set (rtpbin, "latency", s.latency, nullptr);

  Announcement announcement;
  GCharPtr bound_text (g_inet_address_to_string (bind.address.get ()));
  announcement.bound_address = bound_text.get ();
  announcement.advertise_address = advertise.address;
  announcement.rtcp_mux = s.rtcp_mux;
  announcement.multicast = multicast;
  for (auto &stream : priv->streams) {
    const StreamDescription &d = stream->description;
    const BoundStream &b = stream->path->sockets ();
    announcement.streams.push_back ({d.caps.get (), d.media, d.encoding_name, d.payload,
        d.clock_rate, b.rtp_port, b.rtcp_port});
  }
  if (!s.sdp_file.empty () && !write_sdp (self, s.sdp_file, announcement, error))
    return fail (GST_RESOURCE_ERROR_OPEN_WRITE);

  ensure_pads (self, priv->streams.size ());
  for (guint i = 0; i < priv->streams.size (); i++)
    if (!build_stream (self, i, error))
      return fail (GST_RESOURCE_ERROR_FAILED);
  {
    std::lock_guard<std::mutex> guard (priv->lock);
    priv->rtp_port = announcement.streams[0].rtp_port;
    priv->rtcp_port = announcement.streams[0].rtcp_port;
    priv->effective_advertise_address = advertise.address;
  }
  GST_INFO_OBJECT (self, "listening on %s port %u/%u, advertising %s (%s)",
      announcement.bound_address.c_str (), announcement.streams[0].rtp_port,
      announcement.streams[0].rtcp_port, advertise.address.c_str (), advertise.source.c_str ());
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RTP_PORT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RTCP_PORT]);
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self),
      announcement_structure (announcement)));
  return true;
}

/* Starts an idle stream: stream-start, its caps, a segment and a GAP at the
 * current running time, so that its sink prerolls without data. */
static void
push_idle_gap (GstHostnetRtpSrc *self, Stream &stream, guint index)
{
  GstClockTime now = 0;
  if (GstObjectPtr<GstClock> clock {gst_element_get_clock (GST_ELEMENT (self))}) {
    GstClockTime base = gst_element_get_base_time (GST_ELEMENT (self));
    GstClockTime t = gst_clock_get_time (clock.get ());
    now = t > base ? t - base : 0;
  }
  GST_INFO_OBJECT (self, "stream %u has sent nothing while others do: starting it with a GAP", index);
  GstPad *pad = stream.gap_pad.get ();
  gst_pad_set_active (pad, TRUE);
  std::string id = "hostnetrtp-idle-" + std::to_string (index);
  gst_pad_push_event (pad, gst_event_new_stream_start (id.c_str ()));
  gst_pad_push_event (pad, gst_event_new_caps (stream.description.caps.get ()));
  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (pad, gst_event_new_segment (&segment));
  gst_pad_push_event (pad, gst_event_new_gap (now, GST_CLOCK_TIME_NONE));
}

static void
post_silence (GstHostnetRtpSrc *self, const WatchEvent &event, const BoundStream &sockets,
    const std::string &media)
{
  const char *name = event.kind == WatchEvent::Silent ? "hostnetrtp-timeout" : "hostnetrtp-resumed";
  GstStructure *s = gst_structure_new (name, "stream", G_TYPE_UINT, event.index,
      "media", G_TYPE_STRING, media.c_str (), "rtp-port", G_TYPE_UINT, guint (sockets.rtp_port),
      "rtcp-port", G_TYPE_UINT, guint (sockets.rtcp_port),
      "silent-for", G_TYPE_UINT64, guint64 (event.silent_for_us) * GST_USECOND, nullptr);
  GST_INFO_OBJECT (self, "%" GST_PTR_FORMAT, s);
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

/* Removes the elements of senders replaced long enough ago, unless one came
 * back and is current again. From the watch thread: clear-ssrc is not for a
 * streaming thread. */
static void
clear_replaced_senders (GstHostnetRtpSrc *self)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  std::vector<HostnetRtpSrcPrivate::PendingClear> due;
  {
    std::lock_guard<std::mutex> guard (priv->clear_lock);
    const gint64 now = g_get_monotonic_time ();
    auto is_due = [now] (const HostnetRtpSrcPrivate::PendingClear &c) { return c.due_us <= now; };
    std::copy_if (priv->pending_clears.begin (), priv->pending_clears.end (), std::back_inserter (due), is_due);
    priv->pending_clears.erase (std::remove_if (priv->pending_clears.begin (),
        priv->pending_clears.end (), is_due), priv->pending_clears.end ());
  }
  for (const auto &c : due) {
    SenderState now = priv->streams[c.session]->path->gate ().sender ();
    if (now.present && now.ssrc == c.ssrc)
      continue;
    GST_INFO_OBJECT (self, "stream %u: removing the replaced sender %08x", c.session, c.ssrc);
    g_signal_emit_by_name (priv->rtpbin, "clear-ssrc", c.session, c.ssrc);
  }
}

/* While PLAYING: silence messages (timeout), GAPs for idle streams, and the
 * removal of replaced senders. */
static void
watch_loop (GstHostnetRtpSrc *self)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  StreamWatch watch;
  watch.start (priv->streams.size (), g_get_monotonic_time ());
  std::unique_lock<std::mutex> wait_lock (priv->watch_lock);
  while (!priv->watch_wakeup.wait_for (wait_lock, std::chrono::microseconds (kWatchTick),
      [priv] { return priv->watch_stop; })) {
    gint64 timeout_us;
    {
      std::lock_guard<std::mutex> guard (priv->lock);
      timeout_us = gint64 (priv->settings.timeout / GST_USECOND);
    }
    std::vector<gint64> last_packet;
    for (auto &stream : priv->streams)
      last_packet.push_back (stream->path->gate ().counters ().last_packet_us);
    clear_replaced_senders (self);
    for (const WatchEvent &event : watch.tick (g_get_monotonic_time (), last_packet, timeout_us)) {
      Stream &stream = *priv->streams[event.index];
      if (event.kind == WatchEvent::IdleGap)
        push_idle_gap (self, stream, event.index);
      else
        post_silence (self, event, stream.path->sockets (), stream.description.media);
    }
  }
}

static void
start_watch (GstHostnetRtpSrc *self)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  stop_watch (self);
  priv->watch_stop = false;
  priv->watch_thread = std::thread (watch_loop, self);
}

static void
stop_watch (GstHostnetRtpSrc *self)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  if (!priv->watch_thread.joinable ())
    return;
  {
    std::lock_guard<std::mutex> guard (priv->watch_lock);
    priv->watch_stop = true;
  }
  priv->watch_wakeup.notify_all ();
  priv->watch_thread.join ();
}

static GstStateChangeReturn
gst_hostnet_rtp_src_change_state (GstElement *element, GstStateChange transition) noexcept
{
  auto *self = GST_HOSTNET_RTP_SRC (element);
  if (transition == GST_STATE_CHANGE_NULL_TO_READY && !start (self)) {
    stop (self);
    return GST_STATE_CHANGE_FAILURE;
  }
  if (transition == GST_STATE_CHANGE_PLAYING_TO_PAUSED)
    stop_watch (self);
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE) {
    if (transition == GST_STATE_CHANGE_NULL_TO_READY)
      stop (self);
    return ret;
  }
  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      ret = GST_STATE_CHANGE_NO_PREROLL;  /* live source */
      break;
    case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
      start_watch (self);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      stop (self);
      break;
    default:
      break;
  }
  return ret;
}

/* One stream's statistics: what the gate counted (packets, loss and
 * duplicates by sequence number, drops), what rtpsession knows of the
 * current sender (jitter, bitrate). */
static GstStructure *
stream_stats (HostnetRtpSrcPrivate *priv, guint index)
{
  Stream &stream = *priv->streams[index];
  const GateCounters c = stream.path->gate ().counters ();
  const SenderState sender = stream.path->gate ().sender ();
  const BoundStream &sockets = stream.path->sockets ();
  GstStructure *s = gst_structure_new ("hostnetrtp-stream-stats",
      "index", G_TYPE_UINT, index,
      "media", G_TYPE_STRING, stream.description.media.c_str (),
      "rtp-port", G_TYPE_UINT, guint (sockets.rtp_port),
      "rtcp-port", G_TYPE_UINT, guint (sockets.rtcp_port),
      "ssrc", G_TYPE_UINT, sender.present ? sender.ssrc : 0u,
      "sender", G_TYPE_STRING, sender.present ? sender.rtp_from.to_string ().c_str () : "",
      "packets-received", G_TYPE_UINT64, c.packets,
      "bytes-received", G_TYPE_UINT64, c.bytes,
      "packets-lost", G_TYPE_UINT64, c.lost,
      "duplicates", G_TYPE_UINT64, c.duplicates,
      "rtcp-packets-received", G_TYPE_UINT64, c.rtcp_packets,
      "reports-sent", G_TYPE_UINT64, stream.path->reports_sent (),
      "sender-changes", G_TYPE_UINT64, c.sender_changes,
      "dropped-not-allowed", G_TYPE_UINT64, c.dropped_not_allowed,
      "dropped-malformed", G_TYPE_UINT64, c.dropped_malformed,
      "dropped-foreign", G_TYPE_UINT64, c.dropped_foreign,
      "dropped-out-of-sequence", G_TYPE_UINT64, c.dropped_out_of_sequence,
      nullptr);
  guint jitter = 0;
  guint64 bitrate = 0;
  GObject *session = nullptr;
  if (priv->rtpbin && sender.present)
    g_signal_emit_by_name (priv->rtpbin, "get-internal-session", index, &session);
  if (session) {
    GObject *source = nullptr;
    g_signal_emit_by_name (session, "get-source-by-ssrc", sender.ssrc, &source);
    if (source) {
      GstStructure *source_stats = nullptr;
      g_object_get (source, "stats", &source_stats, nullptr);
      if (source_stats) {
        gst_structure_get_uint (source_stats, "jitter", &jitter);
        gst_structure_get_uint64 (source_stats, "bitrate", &bitrate);
        gst_structure_free (source_stats);
      }
      g_object_unref (source);
    }
    g_object_unref (session);
  }
  gst_structure_set (s, "jitter", G_TYPE_UINT, jitter, "bitrate", G_TYPE_UINT64, bitrate, nullptr);
  return s;
}

GstStructure *
gst_hostnet_rtp_src_stream_stats (GstHostnetRtpSrc *self, guint index)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  std::lock_guard<std::mutex> guard (priv->lock);
  if (index >= priv->streams.size () || !priv->streams[index]->path)
    return gst_structure_new ("hostnetrtp-stream-stats", "index", G_TYPE_UINT, index, nullptr);
  return stream_stats (priv, index);
}

static GstStructure *
element_stats (GstHostnetRtpSrc *self)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  std::lock_guard<std::mutex> guard (priv->lock);
  GstStructure *s = gst_structure_new ("hostnetrtp-stats",
      "n-streams", G_TYPE_UINT, guint (priv->streams.size ()), nullptr);
  for (guint i = 0; i < priv->streams.size (); i++) {
    if (!priv->streams[i]->path)
      continue;
    GstStructurePtr st (stream_stats (priv, i));
    std::string field = "stream-" + std::to_string (i);
    gst_structure_set (s, field.c_str (), GST_TYPE_STRUCTURE, st.get (), nullptr);
  }
  return s;
}

/* A live property applied to what runs; false with a reason if refused. */
static bool
apply_live (GstHostnetRtpSrc *self, guint prop_id, const GValue *value, std::string &refused)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  GstObjectPtr<GstElement> rtpbin;
  {
    std::lock_guard<std::mutex> guard (priv->lock);
    Settings &s = priv->settings;
    switch (prop_id) {
      case PROP_LATENCY:
        s.latency = g_value_get_uint (value);
        if (priv->rtpbin)
          rtpbin.reset (GST_ELEMENT (gst_object_ref (priv->rtpbin)));
        break;
      case PROP_ALLOWED_SENDERS: {
        const char *text = g_value_get_string (value);
        SenderFilter filter;
        std::string error;
        if (!SenderFilter::parse (text ? text : "", filter, error)) {
          if (priv->running) {
            refused = error + ". Keeping allowed-senders='" + s.allowed_senders + "'";
            return false;
          }
          s.allowed_senders = text ? text : "";
          s.filter.reset ();  /* start () reports it */
          return true;
        }
        s.allowed_senders = filter.to_string ();
        s.filter = std::make_shared<const SenderFilter> (std::move (filter));
        for (auto &stream : priv->streams)
          stream->path->gate ().set_filter (s.filter);
        break;
      }
      case PROP_SENDER_TIMEOUT:
        s.sender_timeout = g_value_get_uint (value);
        for (auto &stream : priv->streams)
          stream->path->gate ().set_takeover_after (gint64 (s.sender_timeout) * G_TIME_SPAN_MILLISECOND);
        break;
      case PROP_TIMEOUT:
        s.timeout = g_value_get_uint64 (value);
        break;
    }
  }
  if (rtpbin)  /* rtpbin hands it to every jitterbuffer */
    g_object_set (rtpbin.get (), "latency", g_value_get_uint (value), nullptr);
  return true;
}

static void
gst_hostnet_rtp_src_set_property (GObject *object, guint prop_id, const GValue *value,
    GParamSpec *pspec) noexcept
{
  auto *self = GST_HOSTNET_RTP_SRC (object);
  HostnetRtpSrcPrivate *priv = self->priv;
  std::string refused;
  if (applies_live (prop_id)) {
    if (!apply_live (self, prop_id, value, refused))
      post_warning (self, refused);
    return;
  }
  std::unique_lock<std::mutex> guard (priv->lock);
  if (priv->running) {
    guard.unlock ();
    GCharPtr wanted (g_strdup_value_contents (value));
    post_warning (self, std::string ("property ") + pspec->name + " cannot change while "
        "hostnetrtpsrc is in " + state_name (self) + ": it applies when the element starts. "
        "Ignoring " + pspec->name + "=" + wanted.get () + "; set it in the NULL state");
    return;
  }
  Settings &s = priv->settings;
  auto text = [value] { const char *v = g_value_get_string (value); return std::string (v ? v : ""); };
  switch (prop_id) {
    case PROP_PORT_RANGE: s.port_range = text (); break;
    case PROP_ADDRESS: s.address = text (); break;
    case PROP_LOOPBACK_POLICY:
      s.loopback_policy = static_cast<LoopbackPolicy> (g_value_get_enum (value));
      break;
    case PROP_CAPS: {
      const GstCaps *caps = gst_value_get_caps (value);
      s.caps.reset (caps ? gst_caps_copy (caps) : nullptr);
      break;
    }
    case PROP_ENCODING_NAME: s.encoding_name = text (); break;
    case PROP_RTCP_MUX: s.rtcp_mux = g_value_get_boolean (value); break;
    case PROP_BUFFER_SIZE: s.buffer_size = g_value_get_int (value); break;
    case PROP_MULTICAST_IFACE: s.multicast_iface = text (); break;
    case PROP_ADVERTISE_ADDRESS: s.advertise_address = text (); break;
    case PROP_SDP_FILE: s.sdp_file = text (); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_hostnet_rtp_src_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec) noexcept
{
  auto *self = GST_HOSTNET_RTP_SRC (object);
  HostnetRtpSrcPrivate *priv = self->priv;
  if (prop_id == PROP_STATS) {
    g_value_take_boxed (value, element_stats (self));
    return;
  }
  std::lock_guard<std::mutex> guard (priv->lock);
  const Settings &s = priv->settings;
  auto set_text = [value] (const std::string &v) { g_value_set_string (value, v.empty () ? nullptr : v.c_str ()); };
  switch (prop_id) {
    case PROP_PORT_RANGE: set_text (s.port_range); break;
    case PROP_ADDRESS: set_text (s.address); break;
    case PROP_LOOPBACK_POLICY: g_value_set_enum (value, static_cast<gint> (s.loopback_policy)); break;
    case PROP_CAPS: gst_value_set_caps (value, s.caps.get ()); break;
    case PROP_ENCODING_NAME: set_text (s.encoding_name); break;
    case PROP_RTCP_MUX: g_value_set_boolean (value, s.rtcp_mux); break;
    case PROP_LATENCY: g_value_set_uint (value, s.latency); break;
    case PROP_BUFFER_SIZE: g_value_set_int (value, s.buffer_size); break;
    case PROP_MULTICAST_IFACE: set_text (s.multicast_iface); break;
    case PROP_ADVERTISE_ADDRESS:
      set_text (priv->effective_advertise_address.empty () ? s.advertise_address
          : priv->effective_advertise_address);
      break;
    case PROP_SDP_FILE: set_text (s.sdp_file); break;
    case PROP_ALLOWED_SENDERS: set_text (s.allowed_senders); break;
    case PROP_SENDER_TIMEOUT: g_value_set_uint (value, s.sender_timeout); break;
    case PROP_TIMEOUT: g_value_set_uint64 (value, s.timeout); break;
    case PROP_RTP_PORT: g_value_set_uint (value, priv->rtp_port); break;
    case PROP_RTCP_PORT: g_value_set_uint (value, priv->rtcp_port); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_hostnet_rtp_src_finalize (GObject *object) noexcept
{
  auto *self = GST_HOSTNET_RTP_SRC (object);
  for (GstPad *pad : self->priv->pads)
    gst_object_unref (pad);
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_hostnet_rtp_src_init (GstHostnetRtpSrc *self)
{
  self->priv = new HostnetRtpSrcPrivate ();
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
  gst_bin_set_suppressed_flags (GST_BIN (self),
      static_cast<GstElementFlags> (GST_ELEMENT_FLAG_SOURCE | GST_ELEMENT_FLAG_SINK));
}

static void
gst_hostnet_rtp_src_class_init (GstHostnetRtpSrcClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  /* Applied when the element starts (NULL->READY): settable in NULL only. */
  const auto at_start = static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /* Applied at once, also while PLAYING. */
  const auto live = static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING);
  const auto ro = static_cast<GParamFlags> (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  gobject_class->set_property = gst_hostnet_rtp_src_set_property;
  gobject_class->get_property = gst_hostnet_rtp_src_get_property;
  gobject_class->finalize = gst_hostnet_rtp_src_finalize;
  element_class->change_state = gst_hostnet_rtp_src_change_state;

  /**
   * GstHostnetRtpSrc:port-range:
   *
   * "MIN-MAX" (inclusive) where RTP/RTCP pairs are looked for, e.g.
   * `port-range=32546-32599`; one port (`port-range=5004`) for a fixed pair;
   * empty for the kernel's ephemeral ports. With a multicast address, the
   * start of the range is the group's port.
   */
  properties[PROP_PORT_RANGE] = g_param_spec_string ("port-range", "Port range",
      "Ports to find RTP/RTCP pairs in: \"MIN-MAX\" (e.g. 32546-32599), one port for a fixed "
      "pair, or empty for kernel-chosen ports. RTP gets an even port, RTCP the next one",
      nullptr, at_start);
  /**
   * GstHostnetRtpSrc:address:
   *
   * The address to bind: the IPv4 wildcard by default, `::` for dual-stack
   * (IPv4 and IPv6 senders), a unicast address of this host, or a multicast
   * group (IPv4 or IPv6, joined on a fixed port shared by every replica).
   * Loopback is handled by #GstHostnetRtpSrc:loopback-policy.
   */
  properties[PROP_ADDRESS] = g_param_spec_string ("address", "Address",
      "Address to bind: 0.0.0.0 (any IPv4), :: (dual-stack: IPv4 and IPv6), a host address or "
      "a multicast group. A loopback address is handled by loopback-policy",
      kDefaultAddress, at_start);
  /**
   * GstHostnetRtpSrc:loopback-policy:
   *
   * What to do with a loopback #GstHostnetRtpSrc:address or
   * #GstHostnetRtpSrc:advertise-address: replicas on one node share one
   * loopback, and a camera cannot reach it.
   */
  properties[PROP_LOOPBACK_POLICY] = g_param_spec_enum ("loopback-policy", "Loopback policy",
      "What to do with a loopback address: rewrite (bind the wildcard, warn), error (refuse to "
      "start), allow (keep it; single-host tests only)",
      GST_TYPE_HOSTNET_RTP_LOOPBACK_POLICY, static_cast<gint> (LoopbackPolicy::Rewrite), at_start);
  /**
   * GstHostnetRtpSrc:caps:
   *
   * One application/x-rtp structure per stream; each stream gets its own RTP
   * session, port pair and src_N pad. Takes precedence over
   * #GstHostnetRtpSrc:encoding-name.
   */
  properties[PROP_CAPS] = g_param_spec_boxed ("caps", "Caps",
      "One application/x-rtp structure per stream (e.g. video;audio): each gets its own "
      "session, port pair and src_N pad. Takes precedence over encoding-name",
      GST_TYPE_CAPS, at_start);
  /**
   * GstHostnetRtpSrc:encoding-name:
   *
   * Shorthand for one stream's caps: H264, H265, JPEG, VP8, VP9, MP4V-ES,
   * MP2T, MP4A-LATM, MPEG4-GENERIC, OPUS, PCMU, PCMA, G722, L16, MPA, AMR.
   */
  std::string encoding_blurb = "Shorthand for one stream's caps, one of: " + known_encoding_names ();
  properties[PROP_ENCODING_NAME] = g_param_spec_string ("encoding-name", "Encoding name",
      g_intern_string (encoding_blurb.c_str ()), nullptr,
      static_cast<GParamFlags> (G_PARAM_READWRITE));
  /**
   * GstHostnetRtpSrc:rtcp-mux:
   *
   * RTP and RTCP share one port per stream (RFC 5761).
   */
  properties[PROP_RTCP_MUX] = g_param_spec_boolean ("rtcp-mux", "RTCP mux",
      "RTP and RTCP share one port per stream (RFC 5761)", FALSE, at_start);
  /**
   * GstHostnetRtpSrc:latency:
   *
   * The jitterbuffer latency in milliseconds; applies at once, also while
   * playing (as rtpsrc's does).
   */
  properties[PROP_LATENCY] = g_param_spec_uint ("latency", "Latency",
      "Jitterbuffer latency in milliseconds (applies at once, also while playing)",
      0, G_MAXUINT, kDefaultLatency, live);
  /**
   * GstHostnetRtpSrc:buffer-size:
   *
   * Kernel receive buffer per socket, in bytes. The default holds a 4K
   * camera's I-frame burst; when the kernel grants less (net.core.rmem_max)
   * a warning says what to set. 0 keeps the kernel's default.
   */
  properties[PROP_BUFFER_SIZE] = g_param_spec_int ("buffer-size", "Buffer size",
      "Kernel receive buffer per socket in bytes (0 = kernel default). The default holds "
      "camera I-frame bursts; a warning names net.core.rmem_max when the kernel grants less",
      0, G_MAXINT, kDefaultBufferSize, at_start);
  /**
   * GstHostnetRtpSrc:multicast-iface:
   *
   * Comma-separated interfaces on which a multicast address joins its group
   * (e.g. `eth0,eth1`); empty for the default one.
   */
  properties[PROP_MULTICAST_IFACE] = g_param_spec_string ("multicast-iface", "Multicast interfaces",
      "Comma-separated interfaces on which a multicast address joins its group (empty: the "
      "default one)", nullptr, at_start);
  /**
   * GstHostnetRtpSrc:advertise-address:
   *
   * The address senders should send to, as announced in the bus message and
   * the SDP. Empty: detected ($HOSTNETRTP_ADVERTISE_ADDRESS, $HOST_IP,
   * $POD_IP, the default route's interface), never loopback, always of a
   * family the bound socket receives; every value passed over is named in a
   * warning. From READY on, reading it gives the address in use.
   */
  properties[PROP_ADVERTISE_ADDRESS] = g_param_spec_string ("advertise-address",
      "Advertise address",
      "Address senders should send to (empty: $HOSTNETRTP_ADVERTISE_ADDRESS, $HOST_IP, $POD_IP, "
      "else the default route's interface; never loopback). Reads back the one in use",
      nullptr, at_start);
  /**
   * GstHostnetRtpSrc:sdp-file:
   *
   * Where to write an SDP telling a sender where to send; written atomically
   * at READY, removed at NULL if it still holds what this element wrote.
   * `{rtp-port}`, `{pid}` and `{pod}` ($POD_NAME, else host name and pid) are
   * replaced, so replicas running one pipeline text write distinct files:
   * `sdp-file=/run/hostnetrtp/{rtp-port}.sdp`. The SDP names its writer
   * (a=x-hostnetrtp-writer: pid, start time, pod) so a reader can tell a
   * file left by a killed process.
   */
  properties[PROP_SDP_FILE] = g_param_spec_string ("sdp-file", "SDP file",
      "Where to write an SDP that tells a sender where to send (written atomically at READY, "
      "removed at NULL). {rtp-port}, {pid} and {pod} are replaced, e.g. /run/hostnetrtp/{rtp-port}.sdp",
      nullptr, at_start);
  /**
   * GstHostnetRtpSrc:allowed-senders:
   *
   * Addresses and CIDR prefixes whose datagrams are accepted, e.g.
   * `allowed-senders="192.0.2.10, 198.51.100.0/24, 2001:db8::/32"`; others are
   * dropped before rtpbin on both sockets, counted in #GstHostnetRtpSrc:stats
   * and named in a rate-limited warning. Empty (default): every sender. Applies
   * at once.
   */
  properties[PROP_ALLOWED_SENDERS] = g_param_spec_string ("allowed-senders", "Allowed senders",
      "Comma-separated addresses and CIDR prefixes whose datagrams are accepted (e.g. "
      "192.0.2.10,198.51.100.0/24,2001:db8::/32); empty: all. Applies at once",
      nullptr, live);
  /**
   * GstHostnetRtpSrc:sender-timeout:
   *
   * A stream follows one sender (address and SSRC) at a time. Another sender
   * takes the stream over only after the current one said BYE or has been
   * silent this long (ms): a rebooted camera comes back, an SSRC injected
   * into a live stream never reaches src_N.
   */
  properties[PROP_SENDER_TIMEOUT] = g_param_spec_uint ("sender-timeout", "Sender timeout",
      "Silence (ms) after which another sender may take a stream over (at once after BYE)",
      0, G_MAXUINT, kDefaultSenderTimeout, live);
  /**
   * GstHostnetRtpSrc:timeout:
   *
   * When a stream receives nothing for this long (ns), post an element
   * message `hostnetrtp-timeout` naming the stream and its ports, and
   * `hostnetrtp-resumed` when data is back. 0 (default): off, as udpsrc's.
   */
  properties[PROP_TIMEOUT] = g_param_spec_uint64 ("timeout", "Timeout",
      "Post hostnetrtp-timeout when a stream receives nothing for this long, and "
      "hostnetrtp-resumed when it is back (ns, 0 = off)", 0, G_MAXUINT64, 0, live);
  /**
   * GstHostnetRtpSrc:rtp-port:
   *
   * Stream 0's bound RTP port, from READY on (0 before); notified. Every
   * stream's ports are on its src_N pad.
   */
  properties[PROP_RTP_PORT] = g_param_spec_uint ("rtp-port", "RTP port",
      "Stream 0's bound RTP port, valid from READY on (0 before); each src_N pad has its own",
      0, 65535, 0, ro);
  /**
   * GstHostnetRtpSrc:rtcp-port:
   *
   * Stream 0's bound RTCP port, from READY on (0 before); notified.
   */
  properties[PROP_RTCP_PORT] = g_param_spec_uint ("rtcp-port", "RTCP port",
      "Stream 0's bound RTCP port, valid from READY on (0 before); each src_N pad has its own",
      0, 65535, 0, ro);
  /**
   * GstHostnetRtpSrc:stats:
   *
   * `hostnetrtp-stats` with n-streams and one `stream-N` structure per
   * stream: ports, current ssrc and sender, packets-received, bytes-received,
   * packets-lost, duplicates, jitter (clock-rate units), bitrate, and what the
   * gate dropped (dropped-not-allowed, dropped-malformed, dropped-foreign).
   */
  properties[PROP_STATS] = g_param_spec_boxed ("stats", "Statistics",
      "Per stream (stream-N): ports, ssrc, sender, packets-received, bytes-received, "
      "packets-lost, duplicates, jitter, bitrate, sender-changes, dropped-* counts",
      GST_TYPE_STRUCTURE, ro);
  g_object_class_install_properties (gobject_class, N_PROPS, properties);

  gst_element_class_add_static_pad_template_with_gtype (element_class, &src_template,
      GST_TYPE_HOSTNET_RTP_SRC_PAD);
  gst_element_class_set_static_metadata (element_class, "Host-network RTP source",
      "Source/Network/RTP",
      "Receives RTP on a port pair it finds by itself in a range, race-free between replicas "
      "sharing a host network, never bound to loopback",
      "hostnetrtp developers");
  gst_type_mark_as_plugin_api (GST_TYPE_HOSTNET_RTP_LOOPBACK_POLICY, static_cast<GstPluginAPIFlags> (0));
  gst_type_mark_as_plugin_api (GST_TYPE_HOSTNET_RTP_SRC_PAD, static_cast<GstPluginAPIFlags> (0));
}
