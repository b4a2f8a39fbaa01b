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
 *            +------------------------ hostnetrtpsrc -------------------------+
 *  RTP  ---> | udpsrc (socket N, bound here) --> rtpbin recv_rtp_sink_i       |
 *  RTCP <--> | udpsrc (socket N+1) --> recv_rtcp_sink_i                       |--> src_i
 *            |        send_rtcp_src_i --> dynudpsink (socket N+1)             |
 *            +----------------------------------------------------------------+
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
 * Once bound it posts an element message `hostnetrtp-allocation` (address,
 * advertise-address, rtp-port, rtcp-port, streams) and, with
 * #GstHostnetRtpSrc:sdp-file, writes an SDP telling a sender where to send.
 * Receiver reports leave from the stream's RTCP socket towards its sender.
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
#include "port-allocator.h"
#include "rtcp-path.h"

#include <cstdio>
#include <glib/gstdio.h>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

GST_DEBUG_CATEGORY_STATIC (gst_hostnet_rtp_src_debug);
#define GST_CAT_DEFAULT gst_hostnet_rtp_src_debug

using namespace hostnetrtp;

namespace {

constexpr const char *kDefaultAddress = "0.0.0.0";
constexpr guint kDefaultLatency = 200;
/* A 4K camera's I-frame is ~1000 packets arriving in a few ms: 4 MiB holds it. */
constexpr gint kDefaultBufferSize = 4 * 1024 * 1024;
/* Between socket reader and RTP stack: seconds of a 4K camera. */
constexpr guint kQueueBytes = 32 * 1024 * 1024;

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
  PROP_RTP_PORT,
  PROP_RTCP_PORT,
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
    return s;
  }
};

/* One stream's sockets and the inner elements that are not owned by the bin. */
struct StreamPath {
  BoundStream sockets;
  std::unique_ptr<RtcpPath> rtcp;
  GstElement *funnel = nullptr;  /* owned by the bin */
  GstPad *ghost = nullptr;       /* owned by the element */
};

}  // namespace

struct HostnetRtpSrcPrivate {
  std::mutex lock;  /* guards settings and the published allocation */
  Settings settings;
  guint rtp_port = 0;
  guint rtcp_port = 0;
  std::string effective_advertise_address;

  /* Built at NULL->READY and torn down at READY->NULL; streaming threads
   * only read them in between. */
  std::vector<StreamDescription> streams;
  std::vector<StreamPath> paths;
  GstElement *rtpbin = nullptr;
  std::string sdp_written;
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

/* Logs @text and posts it as a resource error or warning the user reads. */
void post_message (GstHostnetRtpSrc *self, GstMessageType type, GstResourceError code,
    const std::string &text)
{
  GST_CAT_LEVEL_LOG (GST_CAT_DEFAULT, type == GST_MESSAGE_ERROR ? GST_LEVEL_ERROR :
      GST_LEVEL_WARNING, self, "%s", text.c_str ());
  gst_element_message_full (GST_ELEMENT (self), type, GST_RESOURCE_ERROR, code,
      g_strdup (text.c_str ()), nullptr, __FILE__, GST_FUNCTION, __LINE__);
}

void post_error (GstHostnetRtpSrc *self, GstResourceError code, const std::string &text)
{
  post_message (self, GST_MESSAGE_ERROR, code, text);
}

void post_warning (GstHostnetRtpSrc *self, const std::string &text)
{
  post_message (self, GST_MESSAGE_WARNING, GST_RESOURCE_ERROR_SETTINGS, text);
}

GstElement *make_element (const char *factory, std::string &error)
{
  GstElement *element = gst_element_factory_make (factory, nullptr);
  if (!element)
    error = std::string ("the GStreamer element '") + factory + "' is missing: install "
        "gstreamer1.0-plugins-good (udpsrc, dynudpsink, rtpbin) and gstreamer1.0-plugins-base";
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

GstCaps *on_request_pt_map (GstElement *, guint session, guint pt, gpointer user_data) noexcept
{
  auto *priv = static_cast<HostnetRtpSrcPrivate *> (user_data);
  if (session >= priv->streams.size ())
    return nullptr;
  GST_DEBUG ("session %u asks for payload type %u", session, pt);
  return caps_for_payload (priv->streams[session], pt);
}

/* rtpbin adds one pad per SSRC: they all feed the stream's funnel, so src_N
 * stays the same pad when a sender restarts with a new SSRC. */
void on_pad_added (GstElement *, GstPad *pad, gpointer user_data) noexcept
{
  auto *priv = static_cast<HostnetRtpSrcPrivate *> (user_data);
  GCharPtr name (gst_pad_get_name (pad));
  guint session = 0, ssrc = 0, pt = 0;
  if (std::sscanf (name.get (), "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt) != 3 ||
      session >= priv->paths.size ())
    return;
  GstPad *funnel_pad = gst_element_request_pad_simple (priv->paths[session].funnel, "sink_%u");
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

}  // namespace

/* Builds the inner pipeline of one stream around its bound sockets. */
static bool
build_stream (GstHostnetRtpSrc *self, guint index, std::string &error)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  StreamPath &path = priv->paths[index];
  GstBin *bin = GST_BIN (self);
  const bool mux = !path.sockets.rtcp;
  GSocket *report_socket = mux ? path.sockets.rtp.get () : path.sockets.rtcp.get ();
  std::string rtp_sink = "recv_rtp_sink_" + std::to_string (index);
  std::string rtcp_sink = "recv_rtcp_sink_" + std::to_string (index);
  std::string rtcp_src = "send_rtcp_src_" + std::to_string (index);

  GstElement *rtp_src = make_element ("udpsrc", error);
  GstElement *rtp_queue = make_element ("queue", error);
  GstElement *rtcp_udpsrc = mux ? nullptr : make_element ("udpsrc", error);
  GstElement *report_sink = make_element ("dynudpsink", error);
  path.funnel = make_element ("funnel", error);
  if (!rtp_src || !rtp_queue || (!mux && !rtcp_udpsrc) || !report_sink || !path.funnel) {
    for (GstElement *e : {rtp_src, rtp_queue, rtcp_udpsrc, report_sink, path.funnel})
      if (e)
        gst_object_unref (gst_object_ref_sink (e));
    path.funnel = nullptr;
    return false;
  }
  g_object_set (rtp_src, "socket", path.sockets.rtp.get (), "close-socket", FALSE,
      "auto-multicast", FALSE, "caps", priv->streams[index].caps.get (), nullptr);
  /* The socket reader only reads: the RTP stack runs in the queue's thread,
   * so the kernel buffer is drained while the jitterbuffer works. */
  g_object_set (rtp_queue, "max-size-buffers", 0u, "max-size-time", G_GUINT64_CONSTANT (0),
      "max-size-bytes", kQueueBytes, nullptr);
  gst_bin_add_many (bin, rtp_src, rtp_queue, report_sink, path.funnel, nullptr);
  if (rtcp_udpsrc) {
    GstCapsPtr rtcp_caps (gst_caps_new_empty_simple ("application/x-rtcp"));
    g_object_set (rtcp_udpsrc, "socket", path.sockets.rtcp.get (), "close-socket", FALSE,
        "auto-multicast", FALSE, "caps", rtcp_caps.get (), nullptr);
    gst_bin_add (bin, rtcp_udpsrc);
  }
  /* Both socket properties: dynudpsink opens sockets of its own otherwise. */
  g_object_set (report_sink, "socket", report_socket, "socket-v6", report_socket,
      "close-socket", FALSE, "sync", FALSE, "async", FALSE, nullptr);

  if (!link_pads (rtp_src, "src", rtp_queue, "sink", error) ||
      !link_pads (rtp_queue, "src", priv->rtpbin, rtp_sink.c_str (), error) ||
      (rtcp_udpsrc && !link_pads (rtcp_udpsrc, "src", priv->rtpbin, rtcp_sink.c_str (), error)) ||
      !link_pads (priv->rtpbin, rtcp_src.c_str (), report_sink, "sink", error))
    return false;

  GstObjectPtr<GstPad> rtp_pad (gst_element_get_static_pad (rtp_src, "src"));
  GstObjectPtr<GstPad> rtcp_pad (rtcp_udpsrc ? gst_element_get_static_pad (rtcp_udpsrc, "src") : nullptr);
  GstObjectPtr<GstPad> report_pad (gst_element_get_static_pad (report_sink, "sink"));
  GstObjectPtr<GstPad> session_rtcp_sink (mux ?
      gst_element_request_pad_simple (priv->rtpbin, rtcp_sink.c_str ()) : nullptr);
  GSocketFamily family = g_socket_get_family (path.sockets.rtp.get ());
  path.rtcp = std::make_unique<RtcpPath> (family, mux);
  path.rtcp->attach (rtp_pad.get (), rtcp_pad.get (), report_pad.get (), session_rtcp_sink.get ());

  GstObjectPtr<GstPad> funnel_src (gst_element_get_static_pad (path.funnel, "src"));
  std::string pad_name = "src_" + std::to_string (index);
  path.ghost = gst_ghost_pad_new_from_template (pad_name.c_str (), funnel_src.get (),
      gst_static_pad_template_get (&src_template));
  gst_pad_add_probe (funnel_src.get (), GST_PAD_PROBE_TYPE_BUFFER, drop_when_unlinked,
      path.ghost, nullptr);
  gst_pad_set_active (path.ghost, TRUE);
  gst_element_add_pad (GST_ELEMENT (self), path.ghost);
  return true;
}

/* Everything that READY->NULL undoes; safe on a half-built element. */
static void
stop (GstHostnetRtpSrc *self)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  for (StreamPath &path : priv->paths) {
    if (path.ghost)
      gst_element_remove_pad (GST_ELEMENT (self), path.ghost);
    if (path.rtcp)
      path.rtcp->detach ();
  }
  GList *children = g_list_copy_deep (GST_BIN_CHILDREN (self),
      [] (gconstpointer e, gpointer) noexcept -> gpointer { return gst_object_ref (GST_OBJECT (e)); },
      nullptr);
  for (GList *l = children; l; l = l->next) {
    gst_element_set_state (GST_ELEMENT (l->data), GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), GST_ELEMENT (l->data));
  }
  g_list_free_full (children, gst_object_unref);
  priv->rtpbin = nullptr;
  priv->paths.clear ();  /* the elements are gone: this closes the sockets */
  priv->streams.clear ();
  if (!priv->sdp_written.empty ()) {
    g_unlink (priv->sdp_written.c_str ());
    priv->sdp_written.clear ();
  }
  bool had_ports;
  {
    std::lock_guard<std::mutex> guard (priv->lock);
    had_ports = priv->rtp_port != 0;
    priv->rtp_port = priv->rtcp_port = 0;
    priv->effective_advertise_address.clear ();
  }
  if (had_ports) {
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RTP_PORT]);
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RTCP_PORT]);
  }
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
  }
  std::string error;
  auto fail = [&] (GstResourceError code) {
    post_error (self, code, error);
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

  GstCapsPtr caps = std::move (s.caps);
  if (!caps && !s.encoding_name.empty ()) {
    caps.reset (caps_for_encoding_name (s.encoding_name, error));
    if (!caps)
      return fail (GST_RESOURCE_ERROR_SETTINGS);
  }
  if (!describe_streams (caps.get (), priv->streams, error))
    return fail (GST_RESOURCE_ERROR_SETTINGS);

  bool multicast = g_inet_address_get_is_multicast (bind.address.get ());
  if (!multicast) {
    std::string overlap = unreserved_ephemeral_overlap (range);
    if (!overlap.empty ())
      post_warning (self, "port-range " + range.to_string () + " overlaps the kernel's "
          "ephemeral ports (" + overlap + "), which any outgoing connection may take: set "
          "sysctl net.ipv4.ip_local_reserved_ports=" + range.to_string () +
          " or pick a range below net.ipv4.ip_local_port_range");
  }

  AllocationRequest request;
  request.address = bind.address.get ();
  request.range = range;
  request.n_streams = priv->streams.size ();
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

  AdvertiseAddress advertise;
  if (!choose_advertise_address (s.advertise_address, bind.address.get (), s.loopback_policy,
          advertise, error))
    return fail (GST_RESOURCE_ERROR_SETTINGS);
  if (!advertise.warning.empty ())
    post_warning (self, advertise.warning);

  priv->rtpbin = make_element ("rtpbin", error);
  if (!priv->rtpbin)
    return fail (GST_RESOURCE_ERROR_FAILED);
  g_object_set (priv->rtpbin, "latency", s.latency, nullptr);
  g_signal_connect (priv->rtpbin, "request-pt-map", G_CALLBACK (on_request_pt_map), priv);
  g_signal_connect (priv->rtpbin, "pad-added", G_CALLBACK (on_pad_added), priv);
  g_signal_connect (priv->rtpbin, "pad-removed", G_CALLBACK (on_pad_removed), nullptr);
  gst_bin_add (GST_BIN (self), priv->rtpbin);

  for (BoundStream &sockets : allocation.streams) {
    priv->paths.emplace_back ();
    priv->paths.back ().sockets = std::move (sockets);
  }
  for (guint i = 0; i < priv->paths.size (); i++)
    if (!build_stream (self, i, error))
      return fail (GST_RESOURCE_ERROR_FAILED);
  gst_element_no_more_pads (GST_ELEMENT (self));

  Announcement announcement;
  GCharPtr bound_text (g_inet_address_to_string (bind.address.get ()));
  announcement.bound_address = bound_text.get ();
  announcement.advertise_address = advertise.address;
  announcement.rtcp_mux = s.rtcp_mux;
  announcement.multicast = multicast;
  for (guint i = 0; i < priv->paths.size (); i++) {
    const StreamDescription &d = priv->streams[i];
    const BoundStream &b = priv->paths[i].sockets;
    announcement.streams.push_back ({d.caps.get (), d.media, d.encoding_name, d.payload,
        d.clock_rate, b.rtp_port, b.rtcp_port});
  }
  if (!s.sdp_file.empty ()) {
    std::string sdp, path = expand_sdp_path (s.sdp_file, announcement.streams[0].rtp_port);
    if (!announcement_sdp (announcement, sdp, error) || !write_file_atomically (path, sdp, error))
      return fail (GST_RESOURCE_ERROR_OPEN_WRITE);
    priv->sdp_written = path;
  }
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

static GstStateChangeReturn
gst_hostnet_rtp_src_change_state (GstElement *element, GstStateChange transition) noexcept
{
  auto *self = GST_HOSTNET_RTP_SRC (element);
  if (transition == GST_STATE_CHANGE_NULL_TO_READY && !start (self)) {
    stop (self);
    return GST_STATE_CHANGE_FAILURE;
  }
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
    case GST_STATE_CHANGE_READY_TO_NULL:
      stop (self);
      break;
    default:
      break;
  }
  return ret;
}

static void
gst_hostnet_rtp_src_set_property (GObject *object, guint prop_id, const GValue *value,
    GParamSpec *pspec) noexcept
{
  auto *self = GST_HOSTNET_RTP_SRC (object);
  std::lock_guard<std::mutex> guard (self->priv->lock);
  Settings &s = self->priv->settings;
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
    case PROP_LATENCY: s.latency = g_value_get_uint (value); break;
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
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_hostnet_rtp_src_init (GstHostnetRtpSrc *self)
{
  self->priv = new HostnetRtpSrcPrivate ();
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
  /* The inner dynudpsink must not make the bin look like a sink. */
  gst_bin_set_suppressed_flags (GST_BIN (self),
      static_cast<GstElementFlags> (GST_ELEMENT_FLAG_SOURCE | GST_ELEMENT_FLAG_SINK));
}

static void
gst_hostnet_rtp_src_class_init (GstHostnetRtpSrcClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const auto rw = static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY);
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
      nullptr, rw);
  /**
   * GstHostnetRtpSrc:address:
   *
   * The address to bind: the IPv4 wildcard by default, `::` for dual-stack,
   * a unicast address of this host, or a multicast group (joined on a fixed
   * port shared by every replica). Loopback is handled by
   * #GstHostnetRtpSrc:loopback-policy.
   */
  properties[PROP_ADDRESS] = g_param_spec_string ("address", "Address",
      "Address to bind: 0.0.0.0 (any IPv4), :: (dual-stack), a host address or a multicast "
      "group. A loopback address is handled by loopback-policy",
      kDefaultAddress, rw);
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
      GST_TYPE_HOSTNET_RTP_LOOPBACK_POLICY, static_cast<gint> (LoopbackPolicy::Rewrite), rw);
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
      GST_TYPE_CAPS, rw);
  /**
   * GstHostnetRtpSrc:encoding-name:
   *
   * Shorthand for one stream's caps: H264, H265, JPEG, VP8, VP9, MP4V-ES,
   * MP2T, MP4A-LATM, MPEG4-GENERIC, OPUS, PCMU, PCMA, G722, L16, MPA, AMR.
   */
  std::string encoding_blurb = "Shorthand for one stream's caps, one of: " + known_encoding_names ();
  properties[PROP_ENCODING_NAME] = g_param_spec_string ("encoding-name", "Encoding name",
      g_intern_string (encoding_blurb.c_str ()), nullptr,
      static_cast<GParamFlags> (G_PARAM_READWRITE | GST_PARAM_MUTABLE_READY));
  /**
   * GstHostnetRtpSrc:rtcp-mux:
   *
   * RTP and RTCP share one port per stream (RFC 5761).
   */
  properties[PROP_RTCP_MUX] = g_param_spec_boolean ("rtcp-mux", "RTCP mux",
      "RTP and RTCP share one port per stream (RFC 5761)", FALSE, rw);
  /**
   * GstHostnetRtpSrc:latency:
   *
   * The jitterbuffer latency in milliseconds.
   */
  properties[PROP_LATENCY] = g_param_spec_uint ("latency", "Latency",
      "Jitterbuffer latency in milliseconds", 0, G_MAXUINT, kDefaultLatency, rw);
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
      0, G_MAXINT, kDefaultBufferSize, rw);
  /**
   * GstHostnetRtpSrc:multicast-iface:
   *
   * Comma-separated interfaces on which a multicast address joins its group
   * (e.g. `eth0,eth1`); empty for the default one.
   */
  properties[PROP_MULTICAST_IFACE] = g_param_spec_string ("multicast-iface", "Multicast interfaces",
      "Comma-separated interfaces on which a multicast address joins its group (empty: the "
      "default one)", nullptr, rw);
  /**
   * GstHostnetRtpSrc:advertise-address:
   *
   * The address senders should send to, as announced in the bus message and
   * the SDP. Empty: detected ($HOSTNETRTP_ADVERTISE_ADDRESS, $HOST_IP,
   * $POD_IP, the default route's interface), never loopback. From READY on,
   * reading it gives the address in use.
   */
  properties[PROP_ADVERTISE_ADDRESS] = g_param_spec_string ("advertise-address",
      "Advertise address",
      "Address senders should send to (empty: $HOSTNETRTP_ADVERTISE_ADDRESS, $HOST_IP, $POD_IP, "
      "else the default route's interface; never loopback). Reads back the one in use",
      nullptr, rw);
  /**
   * GstHostnetRtpSrc:sdp-file:
   *
   * Where to write an SDP telling a sender where to send; written atomically
   * at READY, removed at NULL. `{rtp-port}`, `{pid}` and `{pod}` ($POD_NAME)
   * are replaced, so replicas running one pipeline text write distinct files:
   * `sdp-file=/run/hostnetrtp/{rtp-port}.sdp`.
   */
  properties[PROP_SDP_FILE] = g_param_spec_string ("sdp-file", "SDP file",
      "Where to write an SDP that tells a sender where to send (written atomically at READY, "
      "removed at NULL). {rtp-port}, {pid} and {pod} are replaced, e.g. /run/hostnetrtp/{rtp-port}.sdp",
      nullptr, rw);
  /**
   * GstHostnetRtpSrc:rtp-port:
   *
   * Stream 0's bound RTP port, from READY on (0 before); notified.
   */
  properties[PROP_RTP_PORT] = g_param_spec_uint ("rtp-port", "RTP port",
      "Stream 0's bound RTP port, valid from READY on (0 before)", 0, 65535, 0, ro);
  /**
   * GstHostnetRtpSrc:rtcp-port:
   *
   * Stream 0's bound RTCP port, from READY on (0 before); notified.
   */
  properties[PROP_RTCP_PORT] = g_param_spec_uint ("rtcp-port", "RTCP port",
      "Stream 0's bound RTCP port, valid from READY on (0 before)", 0, 65535, 0, ro);
  g_object_class_install_properties (gobject_class, N_PROPS, properties);

  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "Host-network RTP source",
      "Source/Network/RTP",
      "Receives RTP on a port pair it finds by itself in a range, race-free between replicas "
      "sharing a host network, never bound to loopback",
      "hostnetrtp developers");
  gst_type_mark_as_plugin_api (GST_TYPE_HOSTNET_RTP_LOOPBACK_POLICY, static_cast<GstPluginAPIFlags> (0));
}
