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

#include "element-private.h"

#include "address-policy.h"
#include "announcement.h"
#include "gsthostnetrtpsrcpad.h"
#include "uri.h"

#include <cstdio>

#include <gst/rtsp/rtsp.h>

GST_DEBUG_CATEGORY (gst_hostnet_rtp_src_debug);
#define GST_CAT_DEFAULT gst_hostnet_rtp_src_debug

using namespace hostnetrtp;

namespace {

constexpr const char *kDefaultAddress = "0.0.0.0";
constexpr guint kDefaultLatency = 200;
constexpr gint kDefaultBufferSize = 4 * 1024 * 1024;
constexpr guint kDefaultSenderTimeout = 2000;
constexpr guint kMinSenderTimeout = 100;
constexpr guint kMaxLatency = 3600 * 1000;  /* an hour: anything more is a typo */

enum {
  PROP_0,
  PROP_PORT_RANGE,
  PROP_ADDRESS,
  PROP_LOOPBACK_POLICY,
  PROP_CAPS,
  PROP_ENCODING_NAME,
  PROP_RTCP_MUX,
  PROP_LATENCY,
  PROP_DROP_ON_LATENCY,
  PROP_DO_LOST,
  PROP_BUFFER_SIZE,
  PROP_MULTICAST_IFACE,
  PROP_ADVERTISE_ADDRESS,
  PROP_SDP_FILE,
  PROP_ALLOWED_SENDERS,
  PROP_SENDER_TIMEOUT,
  PROP_TIMEOUT,
  PROP_SILENCE_TIMEOUT,
  PROP_RECEIVE_PATH,
  PROP_PROTOCOLS,
  PROP_TLS_VALIDATION_FLAGS,
  PROP_TLS_DATABASE,
  PROP_TLS_INTERACTION,
  PROP_TLS_CA_FILE,
  PROP_LOCATION,
  PROP_URI,
  PROP_USER_ID,
  PROP_USER_PW,
  PROP_TCP_TIMEOUT,
  PROP_TEARDOWN_TIMEOUT,
  PROP_KEEP_ALIVE_METHOD,
  PROP_RECONNECT_ATTEMPTS,
  PROP_RECONNECT_INTERVAL,
  PROP_RECONNECT_SILENCE,
  PROP_RTP_PORT,
  PROP_RTCP_PORT,
  PROP_STATS,
  PROP_UDP_BUFFER_SIZE,  /* rtspsrc's name for buffer-size */
  N_PROPS
};
GParamSpec *properties[N_PROPS];

GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src_%u",
    GST_PAD_SRC, GST_PAD_SOMETIMES, GST_STATIC_CAPS ("application/x-rtp"));

}  // namespace

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

#define GST_TYPE_HOSTNET_RTP_RECEIVE_PATH (gst_hostnet_rtp_receive_path_get_type ())
static GType
gst_hostnet_rtp_receive_path_get_type (void) noexcept
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {static_cast<gint> (ReceivePath::Batched),
        "Read each socket with recvmmsg in batches, straight into rtpbin", "batched"},
    {static_cast<gint> (ReceivePath::Udpsrc),
        "udpsrc and a queue per socket (the earlier path, for comparison)", "udpsrc"},
    {0, nullptr, nullptr},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstHostnetRtpReceivePath", values));
  return type;
}

#define GST_TYPE_HOSTNET_RTP_KEEP_ALIVE (gst_hostnet_rtp_keep_alive_get_type ())
static GType
gst_hostnet_rtp_keep_alive_get_type (void) noexcept
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {static_cast<gint> (KeepAlive::Auto),
        "GET_PARAMETER if the camera lists it, else OPTIONS", "auto"},
    {static_cast<gint> (KeepAlive::Options), "OPTIONS", "options"},
    {static_cast<gint> (KeepAlive::GetParameter), "GET_PARAMETER", "get-parameter"},
    {static_cast<gint> (KeepAlive::SetParameter), "An empty SET_PARAMETER", "set-parameter"},
    {0, nullptr, nullptr},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstHostnetRtpKeepAlive", values));
  return type;
}

#define gst_hostnet_rtp_src_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstHostnetRtpSrc, gst_hostnet_rtp_src, GST_TYPE_BIN,
    G_IMPLEMENT_INTERFACE (GST_TYPE_URI_HANDLER, gst_hostnet_rtp_src_uri_handler_init);
    GST_DEBUG_CATEGORY_INIT (gst_hostnet_rtp_src_debug, "hostnetrtpsrc", 0,
        "host-network-safe RTP source"));

namespace {

/* Push mode's settings, checked and resolved: what a start builds from. */
struct PushPlan {
  PortRange range;
  BindAddress bind;
  std::vector<StreamDescription> descriptions;
  AdvertiseAddress advertise;
  bool multicast = false;
};

/* Posts @error as a settings error from the caller's place; false. */
bool refuse (GstHostnetRtpSrc *self, const std::string &error, const char *file = __builtin_FILE (),
    const char *function = __builtin_FUNCTION (), int line = __builtin_LINE ())
{
  post_error (self, GST_RESOURCE_ERROR_SETTINGS, error, file, function, line);
  return false;
}

/* Every setting checked before anything is bound: one error naming the
 * value and what to do, posted from here. */
bool check_settings (GstHostnetRtpSrc *self, const Settings &s, PushPlan &plan)
{
  std::string error;
  if (!parse_port_range (s.port_range.c_str (), plan.range, error))
    return refuse (self, error);
  if (!resolve_bind_address (s.address, s.loopback_policy, plan.bind, error))
    return refuse (self, error);
  GstCapsPtr caps (s.caps ? gst_caps_ref (s.caps.get ()) : nullptr);
  if (caps && !s.encoding_name.empty ())
    post_warning (self, "encoding-name=" + s.encoding_name + " is ignored: caps describes the "
        "streams (set one or the other)");
  if (!caps && !s.encoding_name.empty ()) {
    caps.reset (caps_for_encoding_name (s.encoding_name, error));
    if (!caps)
      return refuse (self, error);
  }
  if (!describe_streams (caps.get (), plan.descriptions, error))
    return refuse (self, error);
  SenderFilter filter;
  if (!s.filter && !SenderFilter::parse (s.allowed_senders, filter, error))
    return refuse (self, error);
  std::string path;
  if (!s.sdp_file.empty () && !expand_sdp_path (s.sdp_file, 0, path, error))
    return refuse (self, error);
  if (!choose_advertise_address (s.advertise_address, plan.bind.address.get (), s.loopback_policy,
          plan.advertise, error))
    return refuse (self, error);
  plan.multicast = g_inet_address_get_is_multicast (plan.bind.address.get ());
  if (!plan.bind.warning.empty ())
    post_warning (self, plan.bind.warning);
  return true;
}

/* Writes the SDP and remembers exactly what, to remove only our own file. */
bool write_sdp (GstHostnetRtpSrc *self, const Settings &s, const PushPlan &plan,
    const Allocation &allocation)
{
  Announcement announcement;
  announcement.advertise_address = plan.advertise.address;
  announcement.rtcp_mux = s.rtcp_mux;
  announcement.multicast = plan.multicast;
  for (size_t i = 0; i < plan.descriptions.size (); i++) {
    const StreamDescription &d = plan.descriptions[i];
    const BoundStream &b = allocation.streams[i];
    announcement.streams.push_back ({d.caps.get (), d.media, d.encoding_name, d.payload,
        d.clock_rate, b.rtp_port, b.rtcp_port});
  }
  std::string sdp, path, error;
  if (!expand_sdp_path (s.sdp_file, announcement.streams[0].rtp_port, path, error) ||
      !claim_sdp_path (path, self, error)) {
    post_error (self, GST_RESOURCE_ERROR_OPEN_WRITE, error);
    return false;
  }
  self->priv->control.sdp_path = path;
  if (!announcement_sdp (announcement, sdp, error) || !write_sdp_file (path, sdp, error)) {
    post_error (self, GST_RESOURCE_ERROR_OPEN_WRITE, error);
    return false;
  }
  self->priv->control.sdp_written = sdp;
  return true;
}

/* Push mode's NULL->READY: check, bind, write the SDP, build, announce. On
 * failure one error is posted; stop () undoes the rest. */
bool start_push (GstHostnetRtpSrc *self, const Settings &s, Run &run)
{
  PushPlan plan;
  if (!check_settings (self, s, plan))
    return false;
  if (!plan.multicast)
    warn_about_range (self, plan.range);
  Allocation allocation;
  if (!allocate_pairs (self, s, plan.bind.address.get (), plan.range, plan.descriptions.size (), allocation))
    return false;
  if (!plan.advertise.warning.empty ())
    post_warning (self, plan.advertise.warning);
  if (!s.sdp_file.empty () && !write_sdp (self, s, plan, allocation))
    return false;
  const guint16 allocation_first_port = allocation.streams[0].rtp_port;
  std::vector<StreamPlan> streams;
  for (size_t i = 0; i < plan.descriptions.size (); i++) {
    GateConfig gate = gate_config (s, plan.descriptions[i], allocation.streams[i],
        plan.multicast ? plan.bind.address.get () : nullptr);
    streams.push_back ({std::move (plan.descriptions[i]), std::move (allocation.streams[i]),
        std::move (gate), nullptr});
  }
  std::string error;
  Built built;
  if (!build_streams (self, run, std::move (streams), jitter_settings (s), s.receive_path, built, error)) {
    post_error (self, GST_RESOURCE_ERROR_FAILED, error);
    return false;
  }
  /* rtspsrc's new-manager: rtpbin, before anything flows through it. */
  g_signal_emit (self, rtspsrc_signals[SIGNAL_NEW_MANAGER], 0, built.rtpbin.get ());
  if (!attach_streams (self, built, [] { return false; }, error)) {
    post_error (self, GST_RESOURCE_ERROR_FAILED, error);
    return false;
  }
  GCharPtr bound (g_inet_address_to_string (plan.bind.address.get ()));
  announce (self, bound.get (), plan.advertise.address, plan.multicast, s.rtcp_mux);
  self->priv->control.previous_rtp_port = allocation_first_port;
  return true;
}

/* Everything READY->NULL undoes; safe after a failed start. The task
 * stops first (joined, or left to end by itself when it is the caller or
 * is calling out): nothing it does after touches what goes here. */
void stop (GstHostnetRtpSrc *self)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  Control &control = priv->control;
  control_stop (self);
  teardown_streams (self);
  if (!control.sdp_path.empty ()) {
    if (!control.sdp_written.empty () && !remove_sdp_file_if_ours (control.sdp_path, control.sdp_written))
      GST_INFO_OBJECT (self, "left %s: another writer replaced it since", control.sdp_path.c_str ());
    release_sdp_path (control.sdp_path, self);
  }
  control.sdp_path.clear ();
  control.sdp_written.clear ();
  std::shared_ptr<Run> run;  /* dropped outside the lock: the task may end with it */
  std::lock_guard<std::mutex> guard (priv->lock);
  priv->running = false;
  run.swap (priv->run);
}

Settings settings_of (GstHostnetRtpSrc *self)
{
  std::lock_guard<std::mutex> guard (self->priv->lock);
  return self->priv->settings;
}

/* NULL->READY. Push mode binds and announces here; pull mode only checks:
 * its task talks to the camera from READY->PAUSED on. The task starts once
 * the start succeeded (what was told meanwhile waits for it). */
bool start (GstHostnetRtpSrc *self)
{
  std::shared_ptr<Run> run = control_prepare (self);
  Settings s;
  {
    std::lock_guard<std::mutex> guard (self->priv->lock);
    self->priv->running = true;
    s = self->priv->settings;
  }
  if (!s.uri_error.empty ())
    return refuse (self, s.uri_error);
  if (!(s.pull () ? pull_check (self, s) : start_push (self, s, *run)))
    return false;
  control_start (self, run);
  return true;
}

}  // namespace

#if !GST_CHECK_VERSION(1, 20, 0)
/* GStreamer 1.18's rtpssrcdemux drops its pads in PAUSED->READY without
 * telling rtpbin, which keeps each SSRC's jitterbuffer, ptdemux and
 * recv_rtp_src pad: the same SSRC after READY could not get its pad
 * again. Once READY (nothing streams), rtpbin is told what 1.20's
 * rtpssrcdemux tells it: each SSRC's pad was removed. */
static void
forget_ssrcs (GstHostnetRtpSrc *self)
{
  GstObjectPtr<GstElement> rtpbin (gst_bin_get_by_name (GST_BIN (self), "rtpbin"));
  if (!rtpbin)
    return;
  std::vector<std::pair<guint, guint>> found;
  GST_OBJECT_LOCK (rtpbin.get ());
  for (GList *l = rtpbin->srcpads; l; l = l->next) {
    guint session, ssrc, pt;
    if (std::sscanf (GST_PAD_NAME (l->data), "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt) == 3)
      found.emplace_back (session, ssrc);
  }
  GST_OBJECT_UNLOCK (rtpbin.get ());
  for (const auto &[session, ssrc] : found) {
    GstObjectPtr<GstElement> demux (ssrc_demux_118 (rtpbin.get (), session));
    if (demux)  /* rtpbin's handler frees that SSRC's elements; a second pt: no-op */
      g_signal_emit_by_name (demux.get (), "removed-ssrc-pad", ssrc, (GstPad *) nullptr);
  }
}
#endif

static GstStateChangeReturn
gst_hostnet_rtp_src_change_state (GstElement *element, GstStateChange transition) noexcept
{
  auto *self = GST_HOSTNET_RTP_SRC (element);
  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (!start (self)) {
        stop (self);
        return GST_STATE_CHANGE_FAILURE;
      }
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      control_playing (self, false);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      if (std::shared_ptr<Run> run = current_run (self))
        pull_close (*run);  /* the task sends TEARDOWN; READY->NULL waits for it, bounded */
      break;
    default:
      break;
  }
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE) {
    if (transition == GST_STATE_CHANGE_NULL_TO_READY)
      stop (self);
    return ret;
  }
  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED: {
      const Settings s = settings_of (self);
      std::shared_ptr<Run> run = current_run (self);
      if (s.pull () && run)
        pull_open (self, *run, s);  /* the task talks to the camera: never blocks here */
      ret = GST_STATE_CHANGE_NO_PREROLL;  /* live source */
      break;
    }
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      ret = GST_STATE_CHANGE_NO_PREROLL;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
      control_playing (self, true);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      stop (self);
      break;
#if !GST_CHECK_VERSION(1, 20, 0)
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      forget_ssrcs (self);
      break;
#endif
    default:
      break;
  }
  return ret;
}

/* A live property stored; the task applies it to what runs. False with
 * the reason if refused. */
static bool
store_live (GstHostnetRtpSrc *self, guint prop_id, const GValue *value, std::string &refused)
{
  HostnetRtpSrcPrivate *priv = self->priv;
  std::lock_guard<std::mutex> guard (priv->lock);
  Settings &s = priv->settings;
  switch (prop_id) {
    case PROP_LATENCY:
      s.latency = g_value_get_uint (value);
      break;
    case PROP_DROP_ON_LATENCY:
      s.drop_on_latency = g_value_get_boolean (value);
      break;
    case PROP_DO_LOST:
      s.do_lost = g_value_get_boolean (value);
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
        s.filter.reset ();  /* the start reports it */
        return true;
      }
      s.allowed_senders = filter.to_string ();
      s.filter = std::make_shared<const SenderFilter> (std::move (filter));
      break;
    }
    case PROP_SENDER_TIMEOUT:
      s.sender_timeout = g_value_get_uint (value);
      if (s.sender_timeout > 0 && s.sender_timeout < kMinSenderTimeout) {
        refused = "sender-timeout=" + std::to_string (s.sender_timeout) + " is below " +
            std::to_string (kMinSenderTimeout) + " ms: a stream would flap between two live "
            "senders. Using " + std::to_string (kMinSenderTimeout) + " (0 means: only after BYE)";
        s.sender_timeout = kMinSenderTimeout;
      }
      return refused.empty ();
    case PROP_TIMEOUT:
      s.timeout = g_value_get_uint64 (value);
      s.timeout_set = true;
      break;
    case PROP_SILENCE_TIMEOUT:
      s.silence_timeout = g_value_get_uint64 (value);
      s.silence_timeout_set = true;
      break;
    default:  /* rtspsrc's rtpbin ones */
      rtspsrc_set_property (s.rtspsrc, prop_id - N_PROPS, value);
      break;
  }
  return true;
}

static void
gst_hostnet_rtp_src_set_property (GObject *object, guint prop_id, const GValue *value,
    GParamSpec *pspec) noexcept
{
  auto *self = GST_HOSTNET_RTP_SRC (object);
  HostnetRtpSrcPrivate *priv = self->priv;
  std::string refused;
  const char *given = G_VALUE_HOLDS_STRING (value) ? g_value_get_string (value) : nullptr;
  if ((prop_id == PROP_URI || prop_id == PROP_LOCATION) && given && is_hostnetrtp_uri (given)) {
    /* The URI's properties, or the reason it was refused for the start. */
    GError *error = nullptr;
    if (!apply_uri (self, given, &error)) {
      GErrorPtr owned (error);
      std::lock_guard<std::mutex> guard (priv->lock);
      if (priv->running)
        refused = error->message;
      else
        priv->settings.uri_error = std::string (pspec->name) + ": " + error->message;
    }
    if (!refused.empty ())
      post_warning (self, refused);
    return;
  }
  if (pspec->flags & GST_PARAM_MUTABLE_PLAYING) {
    const bool stored = store_live (self, prop_id, value, refused);
    control_apply_live (self);  /* also a clamped value */
    if (!stored)
      post_warning (self, refused);
    return;
  }
  std::unique_lock<std::mutex> guard (priv->lock);
  if (priv->running) {
    guard.unlock ();
    GCharPtr wanted (g_strdup_value_contents (value));
    post_warning (self, std::string ("property ") + pspec->name + " cannot change while "
        "hostnetrtpsrc is in " + gst_element_state_get_name (GST_STATE (self)) + ": it applies "
        "when the element starts. Ignoring " + pspec->name + "=" + wanted.get () +
        "; set it in the NULL state");
    return;
  }
  Settings &s = priv->settings;
  switch (prop_id) {
    case PROP_PORT_RANGE: s.port_range = string_property_value (value); break;
    case PROP_ADDRESS: s.address = string_property_value (value); break;
    case PROP_LOOPBACK_POLICY:
      s.loopback_policy = static_cast<LoopbackPolicy> (g_value_get_enum (value));
      break;
    case PROP_RECEIVE_PATH:
      s.receive_path = static_cast<ReceivePath> (g_value_get_enum (value));
      break;
    case PROP_CAPS: {
      const GstCaps *caps = gst_value_get_caps (value);
      s.caps = CapsRef (caps ? gst_caps_copy (caps) : nullptr);
      break;
    }
    case PROP_ENCODING_NAME: s.encoding_name = string_property_value (value); break;
    case PROP_RTCP_MUX: s.rtcp_mux = g_value_get_boolean (value); break;
    case PROP_BUFFER_SIZE: s.buffer_size = g_value_get_int (value); break;
    case PROP_MULTICAST_IFACE: s.multicast_iface = string_property_value (value); break;
    case PROP_ADVERTISE_ADDRESS: s.advertise_address = string_property_value (value); break;
    case PROP_SDP_FILE: s.sdp_file = string_property_value (value); break;
    case PROP_LOCATION:
    case PROP_URI:
      s.location = string_property_value (value);
      s.uri.clear ();
      s.uri_error.clear ();
      break;
    case PROP_USER_ID: s.user_id = string_property_value (value); break;
    case PROP_USER_PW: s.user_pw = string_property_value (value); break;
    case PROP_TCP_TIMEOUT: s.tcp_timeout = g_value_get_uint64 (value); break;
    case PROP_PROTOCOLS: s.protocols = g_value_get_flags (value); break;
    case PROP_KEEP_ALIVE_METHOD: s.keep_alive = static_cast<KeepAlive> (g_value_get_enum (value)); break;
    case PROP_TLS_VALIDATION_FLAGS:
      s.tls_validation_flags = static_cast<GTlsCertificateFlags> (g_value_get_flags (value));
      break;
    case PROP_TLS_DATABASE:
      s.tls_database = ObjectRef<GTlsDatabase> (static_cast<GTlsDatabase *> (g_value_dup_object (value)));
      break;
    case PROP_TLS_CA_FILE: s.tls_ca_file = string_property_value (value); break;
    case PROP_TLS_INTERACTION:
      s.tls_interaction = ObjectRef<GTlsInteraction> (static_cast<GTlsInteraction *> (g_value_dup_object (value)));
      break;
    case PROP_TEARDOWN_TIMEOUT: s.teardown_timeout = g_value_get_uint64 (value); break;
    case PROP_RECONNECT_ATTEMPTS: s.reconnect_attempts = g_value_get_int (value); break;
    case PROP_RECONNECT_INTERVAL: s.reconnect_interval = g_value_get_uint (value); break;
    case PROP_RECONNECT_SILENCE: s.reconnect_silence = g_value_get_uint (value); break;
    case PROP_UDP_BUFFER_SIZE: s.buffer_size = g_value_get_int (value); break;
    default:
      if (prop_id >= N_PROPS)
        rtspsrc_set_property (s.rtspsrc, prop_id - N_PROPS, value);
      else
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
  switch (prop_id) {
    case PROP_STATS:
      g_value_take_boxed (value, element_stats (self));
      return;
    case PROP_RTP_PORT:
    case PROP_RTCP_PORT:
    case PROP_ADVERTISE_ADDRESS: {
      Control &control = priv->control;
      std::unique_lock<std::mutex> published (control.published_lock);
      const Published &p = control.published;
      if (prop_id != PROP_ADVERTISE_ADDRESS) {
        g_value_set_uint (value, prop_id == PROP_RTP_PORT ? p.rtp_port : p.rtcp_port);
        return;
      }
      if (!p.advertise_address.empty ()) {
        g_value_set_string (value, p.advertise_address.c_str ());
        return;
      }
      break;  /* none in use: the one set */
    }
    default:
      break;
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
    case PROP_DROP_ON_LATENCY: g_value_set_boolean (value, s.drop_on_latency); break;
    case PROP_DO_LOST: g_value_set_boolean (value, s.do_lost); break;
    case PROP_BUFFER_SIZE: g_value_set_int (value, s.buffer_size); break;
    case PROP_MULTICAST_IFACE: set_text (s.multicast_iface); break;
    case PROP_ADVERTISE_ADDRESS: set_text (s.advertise_address); break;
    case PROP_SDP_FILE: set_text (s.sdp_file); break;
    case PROP_ALLOWED_SENDERS: set_text (s.allowed_senders); break;
    case PROP_SENDER_TIMEOUT: g_value_set_uint (value, s.sender_timeout); break;
    case PROP_TIMEOUT: g_value_set_uint64 (value, s.timeout); break;
    case PROP_SILENCE_TIMEOUT: g_value_set_uint64 (value, s.silence_timeout); break;
    case PROP_PROTOCOLS: g_value_set_flags (value, s.protocols); break;
    case PROP_KEEP_ALIVE_METHOD: g_value_set_enum (value, static_cast<gint> (s.keep_alive)); break;
    case PROP_TLS_VALIDATION_FLAGS: g_value_set_flags (value, s.tls_validation_flags); break;
    case PROP_TLS_DATABASE: g_value_set_object (value, s.tls_database.get ()); break;
    case PROP_TLS_INTERACTION: g_value_set_object (value, s.tls_interaction.get ()); break;
    case PROP_TLS_CA_FILE: g_value_set_string (value, s.tls_ca_file.c_str ()); break;
    case PROP_RECEIVE_PATH: g_value_set_enum (value, static_cast<gint> (s.receive_path)); break;
    case PROP_LOCATION: set_text (s.location); break;
    case PROP_URI: set_text (uri_without_secrets (s.uri.empty () ? s.location : s.uri)); break;
    case PROP_USER_ID: set_text (s.user_id); break;
    case PROP_USER_PW: set_text (s.user_pw); break;
    case PROP_TCP_TIMEOUT: g_value_set_uint64 (value, s.tcp_timeout); break;
    case PROP_TEARDOWN_TIMEOUT: g_value_set_uint64 (value, s.teardown_timeout); break;
    case PROP_RECONNECT_ATTEMPTS: g_value_set_int (value, s.reconnect_attempts); break;
    case PROP_RECONNECT_INTERVAL: g_value_set_uint (value, s.reconnect_interval); break;
    case PROP_RECONNECT_SILENCE: g_value_set_uint (value, s.reconnect_silence); break;
    case PROP_UDP_BUFFER_SIZE: g_value_set_int (value, s.buffer_size); break;
    default:
      if (prop_id >= N_PROPS)
        rtspsrc_get_property (s.rtspsrc, prop_id - N_PROPS, value);
      else
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_hostnet_rtp_src_finalize (GObject *object) noexcept
{
  auto *self = GST_HOSTNET_RTP_SRC (object);
  /* No task runs here: a running one holds a reference to the element (one
   * dropped in READY or above, a bug GStreamer warns of, is kept rather
   * than freed under its task). */
  for (GstPad *pad : self->priv->control.pads)
    gst_object_unref (pad);
  delete self->priv;
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_hostnet_rtp_src_init (GstHostnetRtpSrc *self)
{
  self->priv = new HostnetRtpSrcPrivate ();
  self->priv->settings.latency = kDefaultLatency;
  self->priv->settings.buffer_size = kDefaultBufferSize;
  self->priv->settings.sender_timeout = kDefaultSenderTimeout;
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
      g_intern_string (encoding_blurb.c_str ()), nullptr, at_start);
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
      0, kMaxLatency, kDefaultLatency, live);
  /**
   * GstHostnetRtpSrc:drop-on-latency:
   *
   * The jitterbuffers never hold more than the latency: older packets are
   * dropped (rtpbin's drop-on-latency); applies at once.
   */
  properties[PROP_DROP_ON_LATENCY] = g_param_spec_boolean ("drop-on-latency", "Drop on latency",
      "Never hold more than the latency in the jitterbuffers: drop older packets (applies at once)",
      FALSE, live);
  /**
   * GstHostnetRtpSrc:do-lost:
   *
   * Post GstRTPPacketLost events downstream for packets that never came
   * (rtpbin's do-lost); applies at once.
   */
  properties[PROP_DO_LOST] = g_param_spec_boolean ("do-lost", "Do lost",
      "Send packet-lost events downstream for packets that never came (applies at once)",
      FALSE, live);
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
      "Address senders should send to. Empty (default): detected from $HOSTNETRTP_ADVERTISE_ADDRESS, "
      "$HOST_IP, $POD_IP, the default route's interface, the first non-loopback address; never "
      "loopback. Reads back the one in use",
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
      "removed at NULL if it still holds what was written). {rtp-port}, {pid} and {pod} are "
      "replaced, e.g. /run/hostnetrtp/{rtp-port}.sdp",
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
   * into a live stream never reaches src_N. 0: only after BYE. The sender's
   * own host with a new SSRC takes over after 200 ms of quiet.
   */
  properties[PROP_SENDER_TIMEOUT] = g_param_spec_uint ("sender-timeout", "Sender timeout",
      "Silence (ms) after which another sender may take a stream over (at once after BYE; "
      "0: only after BYE)", 0, G_MAXUINT, kDefaultSenderTimeout, live);
  /**
   * GstHostnetRtpSrc:timeout:
   *
   * The same name means what it means in the element a line was written
   * for. Push mode: udpsrc's meaning, the silence (ns) after which a stream
   * posts `hostnetrtp-timeout` (see #GstHostnetRtpSrc:silence-timeout).
   * Pull mode (location=rtsp://...): rtspsrc's meaning, how long (µs) a UDP
   * session may deliver nothing after PLAY before the element sets it up
   * again over TCP; 5 s when not set, 0: never.
   */
  properties[PROP_TIMEOUT] = g_param_spec_uint64 ("timeout", "Timeout",
      "Push mode (as udpsrc's): ns of silence before hostnetrtp-timeout (0 = off). Pull mode (as "
      "rtspsrc's): us of UDP silence after PLAY before falling back to TCP (not set: 5 s; 0 = never)",
      0, G_MAXUINT64, 0, live);
  /**
   * GstHostnetRtpSrc:silence-timeout:
   *
   * When a stream receives nothing for this long (ns), post an element
   * message `hostnetrtp-timeout` naming the stream and its ports, and
   * `hostnetrtp-resumed` when data is back; in either mode. 0 (default):
   * off. In push mode #GstHostnetRtpSrc:timeout sets it too.
   */
  properties[PROP_SILENCE_TIMEOUT] = g_param_spec_uint64 ("silence-timeout", "Silence timeout",
      "Post hostnetrtp-timeout when a stream receives nothing for this long, and "
      "hostnetrtp-resumed when it is back (ns; 0 = off; watched every 50 ms)",
      0, G_MAXUINT64, 0, live);
  /**
   * GstHostnetRtpSrc:receive-path:
   *
   * How the sockets are read: `batched` (default) reads each with recvmmsg,
   * as many datagrams as are waiting, judged by the gate before they become
   * buffers, straight into rtpbin (the kernel buffer absorbs bursts);
   * `udpsrc` is the earlier udpsrc-and-queue path, kept for comparison.
   */
  properties[PROP_RECEIVE_PATH] = g_param_spec_enum ("receive-path", "Receive path",
      "How the sockets are read: batched (recvmmsg, straight into rtpbin) or udpsrc (udpsrc and a "
      "queue, for comparison)", GST_TYPE_HOSTNET_RTP_RECEIVE_PATH,
      static_cast<gint> (ReceivePath::Batched), at_start);
  /**
   * GstHostnetRtpSrc:location:
   *
   * `rtsp://[user:password@]host[:port]/path` selects pull mode: the element
   * is the camera's RTSP client, binds a pair per stream the camera
   * describes and tells the camera in SETUP to send there. Empty (default):
   * push mode. A `hostnetrtp://` URI sets the properties it names instead
   * (as #GstURIHandler does). #GstHostnetRtpSrc:uri is the same setting,
   * for pipeline servers that set whichever exists.
   */
  properties[PROP_LOCATION] = g_param_spec_string ("location", "Location",
      "rtsp://[user:password@]host[:port]/path: pull the camera's streams over RTSP into "
      "pairs bound here (empty: receive pushed RTP); a hostnetrtp:// URI sets the properties "
      "it names", nullptr, at_start);
  /**
   * GstHostnetRtpSrc:uri:
   *
   * The same as #GstHostnetRtpSrc:location; reads back the last
   * `hostnetrtp://` URI applied, else the location.
   */
  properties[PROP_URI] = g_param_spec_string ("uri", "URI",
      "hostnetrtp://[address][:port-range][?property=value&...] sets the properties it names; "
      "rtsp://... is the same as location", nullptr, at_start);
  properties[PROP_USER_ID] = g_param_spec_string ("user-id", "User ID",
      "The camera's RTSP user (Basic or Digest authentication), as rtspsrc's", nullptr, at_start);
  properties[PROP_USER_PW] = g_param_spec_string ("user-pw", "User password",
      "The camera's RTSP password, as rtspsrc's", nullptr, at_start);
  /**
   * GstHostnetRtpSrc:protocols:
   *
   * Pull mode: the transports the camera may send on, as rtspsrc's: `udp`
   * (into the pairs bound here; `udp-mcast` counts as `udp`), `tcp`
   * (interleaved on the RTSP connection: no UDP port bound). With both
   * (the default), UDP first; a camera that refuses it, or a UDP session
   * that delivers nothing for #GstHostnetRtpSrc:timeout, goes on over TCP.
   */
  properties[PROP_PROTOCOLS] = g_param_spec_flags ("protocols", "Protocols",
      "Pull mode: transports the camera may send on (udp, tcp; UDP first, then TCP)",
      GST_TYPE_RTSP_LOWER_TRANS, GST_RTSP_LOWER_TRANS_UDP | GST_RTSP_LOWER_TRANS_UDP_MCAST |
          GST_RTSP_LOWER_TRANS_TCP, at_start);
  /**
   * GstHostnetRtpSrc:tls-validation-flags:
   *
   * rtsps://: the checks the camera's certificate must pass, as rtspsrc's.
   */
  properties[PROP_TLS_VALIDATION_FLAGS] = g_param_spec_flags ("tls-validation-flags",
      "TLS validation flags", "rtsps://: the checks the camera's certificate must pass",
      G_TYPE_TLS_CERTIFICATE_FLAGS, G_TLS_CERTIFICATE_VALIDATE_ALL, at_start);
  /**
   * GstHostnetRtpSrc:tls-database:
   *
   * rtsps://: the certificate database to validate the camera's
   * certificate with (default: the system's), as rtspsrc's.
   */
  properties[PROP_TLS_DATABASE] = g_param_spec_object ("tls-database", "TLS database",
      "rtsps://: the certificate database to validate the camera's certificate with", G_TYPE_TLS_DATABASE,
      at_start);
  /**
   * GstHostnetRtpSrc:tls-ca-file:
   *
   * rtsps://: a PEM file of the authorities the camera's certificate is
   * checked against, when tls-database is not set: the same as a
   * #GTlsFileDatabase of it, written where only text can be (gst-launch
   * lines, pipeline-server definitions, hostnetrtp:// URIs).
   */
  properties[PROP_TLS_CA_FILE] = g_param_spec_string ("tls-ca-file", "TLS CA file",
      "rtsps://: a PEM file of the authorities the camera's certificate is checked against (when "
      "tls-database is not set)", "", at_start);
  /**
   * GstHostnetRtpSrc:tls-interaction:
   *
   * rtsps://: a #GTlsInteraction for a client certificate the camera may
   * ask for, as rtspsrc's.
   */
  properties[PROP_TLS_INTERACTION] = g_param_spec_object ("tls-interaction", "TLS interaction",
      "rtsps://: a GTlsInteraction for a client certificate the camera may ask for",
      G_TYPE_TLS_INTERACTION, at_start);
  /**
   * GstHostnetRtpSrc:tcp-timeout:
   *
   * Pull mode: the longest a connection or an RTSP request may take (µs, as
   * rtspsrc's; 0: no limit, as there). A camera that does not answer within
   * it is an error that names it; the state change itself never waits.
   */
  properties[PROP_TCP_TIMEOUT] = g_param_spec_uint64 ("tcp-timeout", "TCP timeout",
      "Pull mode: the longest a connection or an RTSP request may take (us; 0: no limit)", 0, G_MAXINT64,
      20 * G_USEC_PER_SEC, at_start);
  /**
   * GstHostnetRtpSrc:teardown-timeout:
   *
   * Pull mode: the longest a stop waits for the camera's answer to
   * TEARDOWN (ns, as rtspsrc's). The stop never waits for anything else
   * of the camera's.
   */
  properties[PROP_TEARDOWN_TIMEOUT] = g_param_spec_uint64 ("teardown-timeout", "Teardown timeout",
      "Pull mode: the longest a stop waits for the answer to TEARDOWN (ns)", 0, G_MAXUINT64,
      100 * GST_MSECOND, at_start);
  /**
   * GstHostnetRtpSrc:keep-alive-method:
   *
   * Pull mode: the request that keeps the camera's session alive, before
   * its timeout (Session: id;timeout=N). `auto` (default): GET_PARAMETER if
   * the camera lists it, else OPTIONS. A camera that answers the chosen one
   * with an error (but knows the session) is kept alive with OPTIONS.
   */
  properties[PROP_KEEP_ALIVE_METHOD] = g_param_spec_enum ("keep-alive-method", "Keep-alive method",
      "Pull mode: the request that keeps the session alive (auto: GET_PARAMETER if listed, else "
      "OPTIONS)", GST_TYPE_HOSTNET_RTP_KEEP_ALIVE, static_cast<gint> (KeepAlive::Auto), at_start);
  /**
   * GstHostnetRtpSrc:reconnect-attempts:
   *
   * Pull mode: when the camera is lost after it played (connection gone,
   * keep-alive refused, no data for #GstHostnetRtpSrc:reconnect-silence),
   * reconnect this many times in a row before an error; -1 (default):
   * forever; 0: error out at once, as rtspsrc does.
   */
  properties[PROP_RECONNECT_ATTEMPTS] = g_param_spec_int ("reconnect-attempts",
      "Reconnect attempts", "Pull mode: reconnections to a lost camera before an error "
      "(-1: forever, 0: none)", -1, G_MAXINT, -1, at_start);
  properties[PROP_RECONNECT_INTERVAL] = g_param_spec_uint ("reconnect-interval",
      "Reconnect interval", "Pull mode: the wait before the first reconnection (ms), doubling "
      "up to 30 s", 1, 600000, 1000, at_start);
  properties[PROP_RECONNECT_SILENCE] = g_param_spec_uint ("reconnect-silence",
      "Reconnect silence", "Pull mode: no data on any stream for this long (ms) counts as a "
      "lost camera (0: only the RTSP connection counts)", 0, G_MAXUINT, 5000, at_start);
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
   * packets-lost, duplicates, jitter (clock-rate units), bitrate,
   * rtcp-packets-received, reports-sent, sender-changes, and what the gate
   * dropped (dropped-not-allowed, dropped-malformed, dropped-foreign,
   * dropped-out-of-sequence), and dropped-kernel: datagrams the kernel
   * dropped on a full receive buffer (receive-path=batched).
   */
  properties[PROP_STATS] = g_param_spec_boxed ("stats", "Statistics",
      "Per stream (stream-N): ports, ssrc, sender, packets-received, bytes-received, "
      "packets-lost, duplicates, jitter, bitrate, rtcp-packets-received, reports-sent, "
      "sender-changes, dropped-not-allowed, dropped-malformed, dropped-foreign, "
      "dropped-out-of-sequence, dropped-kernel", GST_TYPE_STRUCTURE, ro);
  /**
   * GstHostnetRtpSrc:udp-buffer-size:
   *
   * rtspsrc's name for buffer-size (the same setting; its default here).
   */
  properties[PROP_UDP_BUFFER_SIZE] = g_param_spec_int ("udp-buffer-size", "UDP buffer size",
      "rtspsrc's name for buffer-size: the same setting, with its default", 0, G_MAXINT,
      kDefaultBufferSize, at_start);
  g_object_class_install_properties (gobject_class, N_PROPS, properties);
  /* rtspsrc's own, after ours (docs/migration.md). */
  rtspsrc_install_properties (gobject_class, N_PROPS);
  rtspsrc_install_signals (gobject_class);

  gst_element_class_add_static_pad_template_with_gtype (element_class, &src_template,
      GST_TYPE_HOSTNET_RTP_SRC_PAD);
  gst_element_class_set_static_metadata (element_class, "Host-network RTP source",
      "Source/Network/RTP",
      "Receives RTP on a port pair it finds by itself in a range, race-free between replicas "
      "sharing a host network, never bound to loopback",
      "hostnetrtp developers");
  gst_type_mark_as_plugin_api (GST_TYPE_HOSTNET_RTP_LOOPBACK_POLICY, static_cast<GstPluginAPIFlags> (0));
  gst_type_mark_as_plugin_api (GST_TYPE_HOSTNET_RTP_RECEIVE_PATH, static_cast<GstPluginAPIFlags> (0));
  gst_type_mark_as_plugin_api (GST_TYPE_HOSTNET_RTP_KEEP_ALIVE, static_cast<GstPluginAPIFlags> (0));
  gst_type_mark_as_plugin_api (GST_TYPE_HOSTNET_RTP_SRC_PAD, static_cast<GstPluginAPIFlags> (0));
}
