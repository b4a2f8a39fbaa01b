/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — rtspsrc's properties and signals. See element-rtspsrc.h. */
#include "element-rtspsrc.h"

#include <gio/gio.h>
#include <gst/sdp/sdp.h>

namespace hostnetrtp {

namespace {

/* In the order they are installed; an offset is an index here. */
enum Prop {
  BUFFER_MODE,
  NTP_SYNC,
  NTP_TIME_SOURCE,
  RFC7273_SYNC,
  MAX_TS_OFFSET,
  MAX_TS_OFFSET_ADJUSTMENT,
  MAX_RTCP_RTP_TIME_DIFF,
  ADD_REFERENCE_TIMESTAMP_META,
  USE_PIPELINE_CLOCK,
  DO_RETRANSMISSION,
  PROBATION,
  SDES,
  DO_RTCP,
  USER_AGENT,
  PROXY,
  PROXY_ID,
  PROXY_PW,
  DO_RTSP_KEEP_ALIVE,
  RETRY,
  CONNECTION_SPEED,
  SHORT_HEADER,
  NAT_METHOD,
  UDP_RECONNECT,
  IS_LIVE,
  DEBUG,
  DEFAULT_RTSP_VERSION,
  IGNORE_X_SERVER_REPLY,
  RTP_BLOCKSIZE,
  BACKCHANNEL,
  ONVIF_MODE,
  ONVIF_RATE_CONTROL,
  N_PROPS
};

/* rtspsrc's enums are types of its plugin, which may not be loaded (and
 * must stay free to register them): the same values and nicks, ours. */
GType enum_type (const char *name, const GEnumValue *values)
{
  GType type = g_type_from_name (name);
  return type ? type : g_enum_register_static (name, values);
}

GType buffer_mode_type ()
{
  static const GEnumValue values[] = {
      {0, "Only use RTP timestamps", "none"},
      {1, "Slave receiver to sender clock", "slave"},
      {2, "Do low/high watermark buffering", "buffer"},
      {3, "Choose mode depending on stream live", "auto"},
      {4, "Synchronized sender and receiver clocks", "synced"},
      {0, nullptr, nullptr}};
  static const GType type = enum_type ("GstHostnetRtpSrcBufferMode", values);
  return type;
}

GType ntp_time_source_type ()
{
  static const GEnumValue values[] = {
      {0, "NTP time based on realtime clock", "ntp"},
      {1, "UNIX time based on realtime clock", "unix"},
      {2, "Running time based on pipeline clock", "running-time"},
      {3, "Pipeline clock time", "clock-time"},
      {0, nullptr, nullptr}};
  static const GType type = enum_type ("GstHostnetRtpSrcNtpTimeSource", values);
  return type;
}

GType nat_method_type ()
{
  static const GEnumValue values[] = {
      {0, "None", "none"},
      {1, "Send Dummy packets", "dummy"},
      {0, nullptr, nullptr}};
  static const GType type = enum_type ("GstHostnetRtpSrcNatMethod", values);
  return type;
}

GType backchannel_type ()
{
  static const GEnumValue values[] = {
      {0, "No backchannel", "none"},
      {1, "ONVIF audio backchannel", "onvif"},
      {0, nullptr, nullptr}};
  static const GType type = enum_type ("GstHostnetRtpSrcBackchannel", values);
  return type;
}

GType timeout_cause_type ()
{
  static const GEnumValue values[] = {
      {0, "timeout triggered by RTCP", "RTCP"},
      {0, nullptr, nullptr}};
  /* rtspsrc's own when its plugin is loaded: an application compares with it. */
  static const GType type = enum_type ("GstHostnetRtpSrcTimeoutCause", values);
  GType rtspsrc_type = g_type_from_name ("GstRTSPSrcTimeoutCause");
  return rtspsrc_type ? rtspsrc_type : type;
}

}  // namespace

namespace {

std::string gstreamer_version ()
{
  guint major, minor, micro, nano;
  gst_version (&major, &minor, &micro, &nano);
  return std::to_string (major) + "." + std::to_string (minor) + "." + std::to_string (micro);
}

bool running_at_least (guint wanted_minor)
{
  guint major, minor, micro, nano;
  gst_version (&major, &minor, &micro, &nano);
  return major > 1 || minor >= wanted_minor;
}

}  // namespace

std::string default_user_agent ()
{
  return running_at_least (24) ? "GStreamer/{VERSION}" : "GStreamer/" + gstreamer_version ();
}

gint default_max_rtcp_rtp_time_diff ()
{
  return running_at_least (26) ? -1 : 1000;
}

std::string RtspsrcSettings::user_agent_sent () const
{
  std::string sent = user_agent;
  for (size_t at; (at = sent.find ("{VERSION}")) != std::string::npos;)
    sent.replace (at, 9, gstreamer_version ());
  return sent;
}

guint rtspsrc_install_properties (GObjectClass *klass, guint first_id)
{
  const auto rw = static_cast<GParamFlags> (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  const auto live = static_cast<GParamFlags> (rw | GST_PARAM_MUTABLE_PLAYING);
  GParamSpec *specs[N_PROPS] = {};
  specs[BUFFER_MODE] = g_param_spec_enum ("buffer-mode", "Buffer Mode",
      "rtspsrc's: the jitterbuffers' clock mode (rtpbin's buffer-mode; auto: slave for a live camera)",
      buffer_mode_type (), 3, live);
  specs[NTP_SYNC] = g_param_spec_boolean ("ntp-sync", "Sync on NTP clock",
      "rtspsrc's: synchronise the streams to the NTP clock (rtpbin's)", FALSE, live);
  specs[NTP_TIME_SOURCE] = g_param_spec_enum ("ntp-time-source", "NTP Time Source",
      "rtspsrc's: the NTP time source for RTCP packets (rtpbin's)", ntp_time_source_type (), 0, live);
  specs[RFC7273_SYNC] = g_param_spec_boolean ("rfc7273-sync", "Sync on RFC7273 clock",
      "rtspsrc's: synchronise to the RFC7273 clock the SDP names (rtpbin's)", FALSE, live);
  specs[MAX_TS_OFFSET] = g_param_spec_int64 ("max-ts-offset", "Max Timestamp Offset",
      "rtspsrc's: the largest timestamp offset in ns (rtpbin's)", 0, G_MAXINT64, 3000000000, live);
  specs[MAX_TS_OFFSET_ADJUSTMENT] = g_param_spec_uint64 ("max-ts-offset-adjustment",
      "Max Timestamp Offset Adjustment",
      "rtspsrc's: ns per frame the offset may move (0: no limit; rtpbin's)", 0, G_MAXUINT64, 0, live);
  specs[MAX_RTCP_RTP_TIME_DIFF] = g_param_spec_int ("max-rtcp-rtp-time-diff", "Max RTCP RTP Time Diff",
      "rtspsrc's: ms the RTP time of an SR may be ahead (-1: off; rtpbin's)", -1, G_MAXINT,
      default_max_rtcp_rtp_time_diff (), live);
  specs[ADD_REFERENCE_TIMESTAMP_META] = g_param_spec_boolean ("add-reference-timestamp-meta",
      "Add Reference Timestamp Meta",
      "rtspsrc's: add the original clock timestamp with rfc7273-sync (rtpbin's, GStreamer 1.22)", FALSE, live);
  specs[USE_PIPELINE_CLOCK] = g_param_spec_boolean ("use-pipeline-clock", "Use pipeline clock",
      "rtspsrc's: running time for the NTP time of RTCP (deprecated there: ntp-time-source)", FALSE,
      static_cast<GParamFlags> (live | G_PARAM_DEPRECATED));
  specs[DO_RETRANSMISSION] = g_param_spec_boolean ("do-retransmission", "Retransmission",
      "rtspsrc's: RTX (RFC 4588) with an RTP/AVPF camera; SETUP asks RTP/AVP here, as most cameras "
      "offer, so no effect (as rtspsrc with such a camera)", TRUE, live);
  specs[PROBATION] = g_param_spec_uint ("probation", "Number of probations",
      "rtspsrc's: packets in sequence before a source is taken (its RTP session's)", 0, G_MAXUINT, 2, live);
  specs[SDES] = g_param_spec_boxed ("sdes", "SDES",
      "rtspsrc's: the SDES items of the RTP sessions (rtpbin's)", GST_TYPE_STRUCTURE, live);
  specs[DO_RTCP] = g_param_spec_boolean ("do-rtcp", "Do RTCP",
      "rtspsrc's: send receiver reports to the camera (pull mode)", TRUE, rw);
  specs[USER_AGENT] = g_param_spec_string ("user-agent", "User Agent",
      "rtspsrc's: the User-Agent of every request ({VERSION}: GStreamer's)",
      default_user_agent ().c_str (), rw);
  specs[PROXY] = g_param_spec_string ("proxy", "Proxy",
      "rtspsrc's: [http://][user:passwd@]host[:port] of an HTTP proxy for the RTSP connection", nullptr, rw);
  specs[PROXY_ID] = g_param_spec_string ("proxy-id", "proxy-id",
      "rtspsrc's: the proxy's user id", "", rw);
  specs[PROXY_PW] = g_param_spec_string ("proxy-pw", "proxy-pw",
      "rtspsrc's: the proxy's password", "", rw);
  specs[DO_RTSP_KEEP_ALIVE] = g_param_spec_boolean ("do-rtsp-keep-alive", "Do RTSP Keep Alive",
      "rtspsrc's: keep the session alive with requests (off: only RTCP does)", TRUE, rw);
  specs[RETRY] = g_param_spec_uint ("retry", "Retry",
      "rtspsrc's: retries when allocating RTP ports; no effect here: every pair of port-range is tried",
      0, G_MAXUINT16, 20, rw);
  specs[CONNECTION_SPEED] = g_param_spec_uint64 ("connection-speed", "Connection Speed",
      "rtspsrc's: kbit/s for its RealMedia and WMS extensions; no effect here", 0, G_MAXUINT64 / 1000, 0, rw);
  specs[SHORT_HEADER] = g_param_spec_boolean ("short-header", "Short Header",
      "rtspsrc's: no headers of its extensions for broken cameras; there are none here (no effect)",
      FALSE, rw);
  specs[NAT_METHOD] = g_param_spec_enum ("nat-method", "NAT Method",
      "rtspsrc's: dummy: a first packet to the camera's ports opens a NAT or firewall on the way",
      nat_method_type (), 1, rw);
  specs[UDP_RECONNECT] = g_param_spec_boolean ("udp-reconnect", "Reconnect to the server",
      "rtspsrc's: reconnect when the camera closes the RTSP connection while UDP streams (off: stream on)",
      TRUE, rw);
  specs[IS_LIVE] = g_param_spec_boolean ("is-live", "Live",
      "rtspsrc's: act as a live source; hostnetrtpsrc always does (FALSE is refused)", TRUE, rw);
  specs[DEBUG] = g_param_spec_boolean ("debug", "Debug",
      "rtspsrc's: every RTSP request and answer in the debug log at INFO", FALSE,
      static_cast<GParamFlags> (rw | G_PARAM_DEPRECATED));
  specs[DEFAULT_RTSP_VERSION] = g_param_spec_enum ("default-rtsp-version", "The RTSP version to try first",
      "rtspsrc's: the RTSP version tried first; 1.0 is what is spoken here", GST_TYPE_RTSP_VERSION,
      GST_RTSP_VERSION_1_0, rw);
  specs[IGNORE_X_SERVER_REPLY] = g_param_spec_boolean ("ignore-x-server-reply", "Ignore x-server-ip-address",
      "rtspsrc's: ignore a camera's x-server-ip-address; never followed here anyway", FALSE, rw);
  specs[RTP_BLOCKSIZE] = g_param_spec_uint ("rtp-blocksize", "RTP Blocksize",
      "rtspsrc's: the RTP packet size asked for in SETUP (0: none asked)", 0, 65536, 0, rw);
  specs[BACKCHANNEL] = g_param_spec_enum ("backchannel", "Backchannel type",
      "rtspsrc's: the backchannel to set up; none here (onvif is refused: use rtspsrc for it)",
      backchannel_type (), 0, rw);
  specs[ONVIF_MODE] = g_param_spec_boolean ("onvif-mode", "Onvif Mode",
      "rtspsrc's: act as an ONVIF replay client; refused here (use rtspsrc for replay)", FALSE, rw);
  specs[ONVIF_RATE_CONTROL] = g_param_spec_boolean ("onvif-rate-control", "Onvif Rate Control",
      "rtspsrc's: Rate-Control in onvif-mode; no effect here", TRUE, rw);
  for (guint i = 0; i < N_PROPS; i++)
    g_object_class_install_property (klass, first_id + i, specs[i]);
  return N_PROPS;
}

std::string string_property_value (const GValue *value)
{
  const char *v = g_value_get_string (value);
  return v ? v : "";
}

void rtspsrc_set_property (RtspsrcSettings &s, guint offset, const GValue *value)
{
  s.set |= G_GUINT64_CONSTANT (1) << offset;
  switch (offset) {
    case BUFFER_MODE: s.buffer_mode = g_value_get_enum (value); break;
    case NTP_SYNC:
      s.ntp_sync = g_value_get_boolean (value);
      /* rtspsrc's (and rtpbin's) rule: no offset limit with NTP sync, unless set. */
      if (!(s.set & (G_GUINT64_CONSTANT (1) << MAX_TS_OFFSET)))
        s.max_ts_offset = s.ntp_sync ? 0 : 3000000000;
      break;
    case NTP_TIME_SOURCE: s.ntp_time_source = g_value_get_enum (value); break;
    case RFC7273_SYNC: s.rfc7273_sync = g_value_get_boolean (value); break;
    case MAX_TS_OFFSET: s.max_ts_offset = g_value_get_int64 (value); break;
    case MAX_TS_OFFSET_ADJUSTMENT: s.max_ts_offset_adjustment = g_value_get_uint64 (value); break;
    case MAX_RTCP_RTP_TIME_DIFF: s.max_rtcp_rtp_time_diff = g_value_get_int (value); break;
    case ADD_REFERENCE_TIMESTAMP_META: s.add_reference_timestamp_meta = g_value_get_boolean (value); break;
    case USE_PIPELINE_CLOCK: s.use_pipeline_clock = g_value_get_boolean (value); break;
    case DO_RETRANSMISSION: s.do_retransmission = g_value_get_boolean (value); break;
    case PROBATION: s.probation = g_value_get_uint (value); break;
    case SDES: {
      const GstStructure *given = gst_value_get_structure (value);
      s.sdes = given ? std::shared_ptr<const GstStructure> (gst_structure_copy (given),
          [] (const GstStructure *st) { gst_structure_free (const_cast<GstStructure *> (st)); })
          : nullptr;
      break;
    }
    case DO_RTCP: s.do_rtcp = g_value_get_boolean (value); break;
    case USER_AGENT: s.user_agent = string_property_value (value); break;
    case PROXY: s.proxy = string_property_value (value); break;
    case PROXY_ID: s.proxy_id = string_property_value (value); break;
    case PROXY_PW: s.proxy_pw = string_property_value (value); break;
    case DO_RTSP_KEEP_ALIVE: s.do_rtsp_keep_alive = g_value_get_boolean (value); break;
    case RETRY: s.retry = g_value_get_uint (value); break;
    case CONNECTION_SPEED: s.connection_speed = g_value_get_uint64 (value); break;
    case SHORT_HEADER: s.short_header = g_value_get_boolean (value); break;
    case NAT_METHOD: s.nat_method = g_value_get_enum (value); break;
    case UDP_RECONNECT: s.udp_reconnect = g_value_get_boolean (value); break;
    case IS_LIVE: s.is_live = g_value_get_boolean (value); break;
    case DEBUG: s.debug = g_value_get_boolean (value); break;
    case DEFAULT_RTSP_VERSION: s.default_rtsp_version = g_value_get_enum (value); break;
    case IGNORE_X_SERVER_REPLY: s.ignore_x_server_reply = g_value_get_boolean (value); break;
    case RTP_BLOCKSIZE: s.rtp_blocksize = g_value_get_uint (value); break;
    case BACKCHANNEL: s.backchannel = g_value_get_enum (value); break;
    case ONVIF_MODE: s.onvif_mode = g_value_get_boolean (value); break;
    case ONVIF_RATE_CONTROL: s.onvif_rate_control = g_value_get_boolean (value); break;
  }
}

void rtspsrc_get_property (const RtspsrcSettings &s, guint offset, GValue *value)
{
  auto text = [value] (const std::string &t, bool null_when_empty = false) {
    g_value_set_string (value, t.empty () && null_when_empty ? nullptr : t.c_str ());
  };
  switch (offset) {
    case BUFFER_MODE: g_value_set_enum (value, s.buffer_mode); break;
    case NTP_SYNC: g_value_set_boolean (value, s.ntp_sync); break;
    case NTP_TIME_SOURCE: g_value_set_enum (value, s.ntp_time_source); break;
    case RFC7273_SYNC: g_value_set_boolean (value, s.rfc7273_sync); break;
    case MAX_TS_OFFSET: g_value_set_int64 (value, s.max_ts_offset); break;
    case MAX_TS_OFFSET_ADJUSTMENT: g_value_set_uint64 (value, s.max_ts_offset_adjustment); break;
    case MAX_RTCP_RTP_TIME_DIFF: g_value_set_int (value, s.max_rtcp_rtp_time_diff); break;
    case ADD_REFERENCE_TIMESTAMP_META: g_value_set_boolean (value, s.add_reference_timestamp_meta); break;
    case USE_PIPELINE_CLOCK: g_value_set_boolean (value, s.use_pipeline_clock); break;
    case DO_RETRANSMISSION: g_value_set_boolean (value, s.do_retransmission); break;
    case PROBATION: g_value_set_uint (value, s.probation); break;
    case SDES: gst_value_set_structure (value, s.sdes.get ()); break;
    case DO_RTCP: g_value_set_boolean (value, s.do_rtcp); break;
    case USER_AGENT: text (s.user_agent); break;
    case PROXY: text (s.proxy, true); break;
    case PROXY_ID: text (s.proxy_id); break;
    case PROXY_PW: text (s.proxy_pw); break;
    case DO_RTSP_KEEP_ALIVE: g_value_set_boolean (value, s.do_rtsp_keep_alive); break;
    case RETRY: g_value_set_uint (value, s.retry); break;
    case CONNECTION_SPEED: g_value_set_uint64 (value, s.connection_speed); break;
    case SHORT_HEADER: g_value_set_boolean (value, s.short_header); break;
    case NAT_METHOD: g_value_set_enum (value, s.nat_method); break;
    case UDP_RECONNECT: g_value_set_boolean (value, s.udp_reconnect); break;
    case IS_LIVE: g_value_set_boolean (value, s.is_live); break;
    case DEBUG: g_value_set_boolean (value, s.debug); break;
    case DEFAULT_RTSP_VERSION: g_value_set_enum (value, s.default_rtsp_version); break;
    case IGNORE_X_SERVER_REPLY: g_value_set_boolean (value, s.ignore_x_server_reply); break;
    case RTP_BLOCKSIZE: g_value_set_uint (value, s.rtp_blocksize); break;
    case BACKCHANNEL: g_value_set_enum (value, s.backchannel); break;
    case ONVIF_MODE: g_value_set_boolean (value, s.onvif_mode); break;
    case ONVIF_RATE_CONTROL: g_value_set_boolean (value, s.onvif_rate_control); break;
  }
}

void rtspsrc_apply_to_rtpbin (GstElement *rtpbin, const RtspsrcSettings &s, guint n_sessions,
    std::string &missing)
{
  auto was_set = [&s] (Prop p) { return (s.set & (G_GUINT64_CONSTANT (1) << p)) != 0; };
  GObjectClass *klass = G_OBJECT_GET_CLASS (rtpbin);
  /* rtspsrc's auto is its own: a live camera's streams are slaved. */
  if (was_set (BUFFER_MODE))
    g_object_set (rtpbin, "buffer-mode", s.buffer_mode == 3 ? 1 : s.buffer_mode, nullptr);
  if (was_set (NTP_SYNC))
    g_object_set (rtpbin, "ntp-sync", s.ntp_sync, nullptr);
  if (was_set (NTP_TIME_SOURCE))
    g_object_set (rtpbin, "ntp-time-source", s.ntp_time_source, nullptr);
  if (was_set (RFC7273_SYNC))
    g_object_set (rtpbin, "rfc7273-sync", s.rfc7273_sync, nullptr);
  if (was_set (MAX_TS_OFFSET))
    g_object_set (rtpbin, "max-ts-offset", s.max_ts_offset, nullptr);
  if (was_set (MAX_RTCP_RTP_TIME_DIFF))
    g_object_set (rtpbin, "max-rtcp-rtp-time-diff", s.max_rtcp_rtp_time_diff, nullptr);
  if (was_set (USE_PIPELINE_CLOCK))
    g_object_set (rtpbin, "use-pipeline-clock", s.use_pipeline_clock, nullptr);
  if (was_set (MAX_TS_OFFSET_ADJUSTMENT) && g_object_class_find_property (klass, "max-ts-offset-adjustment"))
    g_object_set (rtpbin, "max-ts-offset-adjustment", s.max_ts_offset_adjustment, nullptr);
  if (was_set (ADD_REFERENCE_TIMESTAMP_META)) {
    if (g_object_class_find_property (klass, "add-reference-timestamp-meta"))
      g_object_set (rtpbin, "add-reference-timestamp-meta", s.add_reference_timestamp_meta, nullptr);
    else if (s.add_reference_timestamp_meta)
      missing = "add-reference-timestamp-meta needs GStreamer 1.22's rtpbin: this one has none, "
          "the buffers go without that meta";
  }
  if (s.sdes && was_set (SDES))
    g_object_set (rtpbin, "sdes", s.sdes.get (), nullptr);
  if (!was_set (PROBATION))
    return;
  for (guint i = 0; i < n_sessions; i++) {
    GObject *session = nullptr;
    g_signal_emit_by_name (rtpbin, "get-internal-session", i, &session);
    if (!session)
      continue;
    if (g_object_class_find_property (G_OBJECT_GET_CLASS (session), "probation"))
      g_object_set (session, "probation", s.probation, nullptr);
    g_object_unref (session);
  }
}

std::string rtspsrc_refusal (const RtspsrcSettings &s)
{
  if (s.backchannel != 0)
    return "backchannel=onvif: hostnetrtpsrc only receives, it sets up no backchannel. Use rtspsrc "
        "backchannel=onvif for a camera's audio back channel, or remove backchannel";
  if (s.onvif_mode)
    return "onvif-mode=true: hostnetrtpsrc plays live cameras, not ONVIF replay (Range, Rate-Control, "
        "trick modes). Use rtspsrc onvif-mode=true for replay, or remove onvif-mode";
  if (!s.is_live)
    return "is-live=false: hostnetrtpsrc is a live source only (a camera streams in real time). "
        "Remove is-live, or use rtspsrc is-live=false for a recorded stream";
  return "";
}

std::string rtspsrc_warning (const RtspsrcSettings &s)
{
  if (s.default_rtsp_version != GST_RTSP_VERSION_1_0 && s.default_rtsp_version != GST_RTSP_VERSION_INVALID)
    return std::string ("default-rtsp-version=") + gst_rtsp_version_as_text (
        static_cast<GstRTSPVersion> (s.default_rtsp_version)) + ": hostnetrtpsrc speaks RTSP 1.0, "
        "which every camera answers (rtspsrc too falls back to it): using 1.0";
  return "";
}

guint rtspsrc_signals[N_RTSPSRC_SIGNALS];

namespace {

gboolean true_unless_false (GSignalInvocationHint *, GValue *accumulated, const GValue *returned,
    gpointer) noexcept
{
  const gboolean value = g_value_get_boolean (returned);
  g_value_set_boolean (accumulated, value);
  return value;  /* the first FALSE ends it, as rtspsrc's */
}

gboolean allow (GstElement *, gpointer) noexcept
{
  return TRUE;
}

gboolean allow_stream (GstElement *, guint, GstCaps *) noexcept
{
  return TRUE;
}

GstFlowReturn no_backchannel (GstElement *element, guint id, GstSample *sample) noexcept
{
  GST_ELEMENT_WARNING (element, RESOURCE, SETTINGS,
      ("stream %u: hostnetrtpsrc has no backchannel (backchannel=onvif is refused): nothing sent. "
       "Use rtspsrc for a camera's back channel", id), (nullptr));
  (void) sample;
  return GST_FLOW_NOT_LINKED;
}

GstFlowReturn no_backchannel_taking (GstElement *element, guint id, GstSample *sample) noexcept
{
  /* rtspsrc's deprecated action takes the sample's reference. */
  gst_sample_unref (sample);
  return no_backchannel (element, id, nullptr);
}

}  // namespace

/* Defined in element-pull.cpp: the actions, queued on the RTSP session. */
gboolean pull_get_parameter (GstElement *self, const gchar *name, const gchar *content_type,
    GstPromise *promise) noexcept;
gboolean pull_get_parameters (GstElement *self, gchar **names, const gchar *content_type,
    GstPromise *promise) noexcept;
gboolean pull_set_parameter (GstElement *self, const gchar *name, const gchar *value,
    const gchar *content_type, GstPromise *promise) noexcept;

void rtspsrc_install_signals (GObjectClass *klass)
{
  const GType type = G_TYPE_FROM_CLASS (klass);
  const GType message = GST_TYPE_RTSP_MESSAGE | G_SIGNAL_TYPE_STATIC_SCOPE;
  /* Before 1.20 rtspsrc's handle-request gave plain pointers: the same here. */
  const GType request = running_at_least (20) ? message : G_TYPE_POINTER;
  rtspsrc_signals[SIGNAL_HANDLE_REQUEST] = g_signal_new ("handle-request", type, GSignalFlags (0), 0,
      nullptr, nullptr, nullptr, G_TYPE_NONE, 2, request, request);
  rtspsrc_signals[SIGNAL_ON_SDP] = g_signal_new ("on-sdp", type, GSignalFlags (0), 0, nullptr, nullptr,
      nullptr, G_TYPE_NONE, 1, GST_TYPE_SDP_MESSAGE | G_SIGNAL_TYPE_STATIC_SCOPE);
  rtspsrc_signals[SIGNAL_SELECT_STREAM] = g_signal_new_class_handler ("select-stream", type,
      G_SIGNAL_RUN_LAST, G_CALLBACK (allow_stream), true_unless_false, nullptr, nullptr,
      G_TYPE_BOOLEAN, 2, G_TYPE_UINT, GST_TYPE_CAPS);
  rtspsrc_signals[SIGNAL_NEW_MANAGER] = g_signal_new ("new-manager", type, GSignalFlags (0), 0,
      nullptr, nullptr, nullptr, G_TYPE_NONE, 1, GST_TYPE_ELEMENT);
  rtspsrc_signals[SIGNAL_REQUEST_RTCP_KEY] = g_signal_new ("request-rtcp-key", type, GSignalFlags (0),
      0, nullptr, nullptr, nullptr, GST_TYPE_CAPS, 1, G_TYPE_UINT);
  rtspsrc_signals[SIGNAL_ACCEPT_CERTIFICATE] = g_signal_new ("accept-certificate", type,
      G_SIGNAL_RUN_LAST, 0, g_signal_accumulator_true_handled, nullptr, nullptr, G_TYPE_BOOLEAN, 3,
      G_TYPE_TLS_CONNECTION, G_TYPE_TLS_CERTIFICATE, G_TYPE_TLS_CERTIFICATE_FLAGS);
  rtspsrc_signals[SIGNAL_BEFORE_SEND] = g_signal_new_class_handler ("before-send", type,
      G_SIGNAL_RUN_LAST, G_CALLBACK (allow), true_unless_false, nullptr, nullptr, G_TYPE_BOOLEAN, 1,
      message);
  const auto action = static_cast<GSignalFlags> (G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION);
  rtspsrc_signals[SIGNAL_PUSH_BACKCHANNEL_BUFFER] = g_signal_new_class_handler ("push-backchannel-buffer",
      type, static_cast<GSignalFlags> (action | G_SIGNAL_DEPRECATED), G_CALLBACK (no_backchannel_taking),
      nullptr, nullptr, nullptr, GST_TYPE_FLOW_RETURN, 2, G_TYPE_UINT, GST_TYPE_SAMPLE);
  rtspsrc_signals[SIGNAL_PUSH_BACKCHANNEL_SAMPLE] = g_signal_new_class_handler ("push-backchannel-sample",
      type, action, G_CALLBACK (no_backchannel), nullptr, nullptr, nullptr, GST_TYPE_FLOW_RETURN, 2,
      G_TYPE_UINT, GST_TYPE_SAMPLE);
  rtspsrc_signals[SIGNAL_GET_PARAMETER] = g_signal_new_class_handler ("get-parameter", type, action,
      G_CALLBACK (pull_get_parameter), nullptr, nullptr, nullptr, G_TYPE_BOOLEAN, 3, G_TYPE_STRING,
      G_TYPE_STRING, GST_TYPE_PROMISE);
  rtspsrc_signals[SIGNAL_GET_PARAMETERS] = g_signal_new_class_handler ("get-parameters", type, action,
      G_CALLBACK (pull_get_parameters), nullptr, nullptr, nullptr, G_TYPE_BOOLEAN, 3, G_TYPE_STRV,
      G_TYPE_STRING, GST_TYPE_PROMISE);
  rtspsrc_signals[SIGNAL_SET_PARAMETER] = g_signal_new_class_handler ("set-parameter", type, action,
      G_CALLBACK (pull_set_parameter), nullptr, nullptr, nullptr, G_TYPE_BOOLEAN, 4, G_TYPE_STRING,
      G_TYPE_STRING, G_TYPE_STRING, GST_TYPE_PROMISE);
}

GstStructure *rtspsrc_timeout_structure (guint stream, guint ssrc)
{
  return gst_structure_new ("GstRTSPSrcTimeout", "cause", timeout_cause_type (), 0,
      "stream-number", G_TYPE_INT, gint (stream), "ssrc", G_TYPE_UINT, ssrc, nullptr);
}

}  // namespace hostnetrtp
