/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — what is said to and by an RTSP camera. See rtsp-messages.h. */
#include "rtsp-messages.h"

#include <gst/rtp/gstrtppayloads.h>
#include <gst/sdp/sdp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace hostnetrtp {

namespace {

void free_sdp (GstSDPMessage *msg) noexcept { gst_sdp_message_free (msg); }
using SdpPtr = std::unique_ptr<GstSDPMessage, FreeWith<free_sdp>>;
void free_transport (GstRTSPTransport *t) noexcept { gst_rtsp_transport_free (t); }
using TransportPtr = std::unique_ptr<GstRTSPTransport, FreeWith<free_transport>>;

}  // namespace

std::string rtsp_header (const GstRTSPMessage *msg, GstRTSPHeaderField field, bool all)
{
  std::string joined;
  gchar *value = nullptr;
  for (gint i = 0; gst_rtsp_message_get_header (msg, field, &value, i) == GST_RTSP_OK && value; i++) {
    if (!all)
      return value;
    joined += (joined.empty () ? "" : ", ") + std::string (value);
  }
  return joined;
}

std::string without_credentials (const std::string &location)
{
  auto scheme = location.find ("://");
  if (scheme == std::string::npos)
    return location;
  auto host_start = scheme + 3;
  auto path = location.find ('/', host_start);
  auto at = location.rfind ('@', path == std::string::npos ? std::string::npos : path);
  if (at == std::string::npos || at < host_start)
    return location;
  return location.substr (0, host_start) + location.substr (at + 1);
}

namespace {

/* The schemes pull mode takes, and the transports each allows. */
constexpr struct {
  const char *scheme;
  guint transports;
} kSchemes[] = {
  {"rtsp://", GST_RTSP_LOWER_TRANS_UDP | GST_RTSP_LOWER_TRANS_UDP_MCAST | GST_RTSP_LOWER_TRANS_TCP},
  {"rtspu://", GST_RTSP_LOWER_TRANS_UDP | GST_RTSP_LOWER_TRANS_UDP_MCAST},
  {"rtspt://", GST_RTSP_LOWER_TRANS_TCP},
  {"rtsps://", GST_RTSP_LOWER_TRANS_TCP | GST_RTSP_LOWER_TRANS_TLS},
};

}  // namespace

guint location_transports (const std::string &location)
{
  for (const auto &s : kSchemes)
    if (g_ascii_strncasecmp (location.c_str (), s.scheme, strlen (s.scheme)) == 0)
      return s.transports;
  return 0;
}

bool valid_rtsp_location (const std::string &location, std::string &error)
{
  GstRTSPUrl *raw = nullptr;
  if (!location_transports (location) || gst_rtsp_url_parse (location.c_str (), &raw) != GST_RTSP_OK ||
      !raw || !raw->host || !*raw->host) {
    if (raw)
      gst_rtsp_url_free (raw);
    error = "location '" + without_credentials (location) + "' is not an RTSP URL: write "
        "rtsp://[user:password@]host[:port]/path (e.g. rtsp://camera-7/live.sdp; rtsps:// for "
        "RTSP over TLS), or leave it empty to receive pushed RTP";
    return false;
  }
  gst_rtsp_url_free (raw);
  /* gst_rtsp_url_parse takes any number for a port and keeps it modulo
   * 65536: rtsp://cam:99999/ would reach port 34463. */
  const size_t start = location.find ("://") + 3;
  std::string authority = location.substr (start, location.find_first_of ("/?#", start) - start);
  authority = authority.substr (authority.rfind ('@') == std::string::npos ? 0 : authority.rfind ('@') + 1);
  const size_t bracket = authority.rfind (']');
  const size_t colon = authority.rfind (':');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    const std::string port = authority.substr (colon + 1);
    const bool digits = !port.empty () && port.size () <= 5 &&
        port.find_first_not_of ("0123456789") == std::string::npos;
    if (!digits || std::atoi (port.c_str ()) < 1 || std::atoi (port.c_str ()) > 65535) {
      error = "location '" + without_credentials (location) + "' has port '" + port +
          "': an RTSP port is a number from 1 to 65535 (554 when left out, 322 for rtsps)";
      return false;
    }
  }
  return true;
}

std::string control_url (const std::string &base, const std::string &control)
{
  if (control.empty () || control == "*")
    return base;
  if (location_transports (control))
    return control;  /* an absolute URL */
  if (control.front () == '/') {
    /* An absolute path: on the base's host. */
    const size_t authority = base.find ("://");
    const size_t path = authority == std::string::npos ? std::string::npos : base.find ('/', authority + 3);
    return (path == std::string::npos ? base : base.substr (0, path)) + control;
  }
  std::string joined = base;
  if (!joined.empty () && joined.back () != '/')
    joined += '/';
  return joined + control;
}

bool describe_from_sdp (const std::string &sdp, const std::string &base, RtspDescription &out,
    std::string &error)
{
  out = RtspDescription ();
  if (sdp.empty () || sdp.find_first_not_of (std::string ("\0\r\n \t", 5)) == std::string::npos) {
    error = "its answer holds no SDP";
    return false;
  }
  GstSDPMessage *raw = nullptr;
  gst_sdp_message_new (&raw);
  SdpPtr msg (raw);
  if (gst_sdp_message_parse_buffer (reinterpret_cast<const guint8 *> (sdp.data ()),
          guint (sdp.size ()), raw) != GST_SDP_OK) {
    error = "its SDP does not parse";
    return false;
  }
  const char *session_control = gst_sdp_message_get_attribute_val (raw, "control");
  out.aggregate = control_url (base, session_control ? session_control : "");
  for (guint i = 0; i < gst_sdp_message_medias_len (raw); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (raw, i);
    const char *kind = gst_sdp_media_get_media (media);
    const char *proto = gst_sdp_media_get_proto (media);
    std::string name = std::string (kind ? kind : "?") + " (m= line " + std::to_string (i + 1) + ")";
    auto skip = [&] (const std::string &why) {
      out.skipped += (out.skipped.empty () ? "" : "; ") + name + ": " + why;
    };
    if (!proto || (std::strcmp (proto, "RTP/AVP") != 0 && std::strcmp (proto, "RTP/AVPF") != 0)) {
      skip (std::string ("its transport ") + (proto ? proto : "(none)") + " is not RTP/AVP");
      continue;
    }
    if (gst_sdp_media_formats_len (media) == 0) {
      skip ("no payload type");
      continue;
    }
    const int pt = std::atoi (gst_sdp_media_get_format (media, 0));
    GstCapsPtr caps (gst_sdp_media_get_caps_from_media (media, pt));
    /* A static payload type needs no rtpmap (RFC 3551): old cameras' MJPEG, G.711. */
    const GstRTPPayloadInfo *known = pt < 96 ? gst_rtp_payload_info_for_pt (guint8 (pt)) : nullptr;
    if (caps && known && known->encoding_name &&
        !gst_structure_has_field (gst_caps_get_structure (caps.get (), 0), "encoding-name"))
      gst_caps_set_simple (caps.get (), "encoding-name", G_TYPE_STRING, known->encoding_name, nullptr);
    if (!caps) {
      skip ("payload type " + std::to_string (pt) + " has no rtpmap");
      continue;
    }
    gst_sdp_message_attributes_to_caps (raw, caps.get ());
    gst_sdp_media_attributes_to_caps (media, caps.get ());
    gst_structure_set_name (gst_caps_get_structure (caps.get (), 0), "application/x-rtp");
    std::vector<StreamDescription> described;
    std::string why;
    if (!describe_streams (caps.get (), described, why)) {
      skip (why);
      continue;
    }
    const char *control = gst_sdp_media_get_attribute_val (media, "control");
    out.streams.push_back ({std::move (described[0]), control_url (base, control ? control : ""), i});
  }
  if (out.streams.empty ()) {
    error = "it describes no RTP stream (RTP/AVP or RTP/AVPF)" + (out.skipped.empty () ? "" : " (" + out.skipped + ")");
    return false;
  }
  return true;
}

std::string transport_request (const TransportAsked &asked)
{
  if (asked.tcp)
    return "RTP/AVP/TCP;unicast;interleaved=" + std::to_string (asked.rtp_channel) + "-" +
        std::to_string (asked.rtcp_channel);
  return "RTP/AVP;unicast;client_port=" + std::to_string (asked.rtp_port) + "-" +
      std::to_string (asked.rtcp_port);
}

bool parse_transport_reply (const std::string &text, const TransportAsked &asked,
    SetupReply &reply, std::string &error)
{
  reply = SetupReply ();
  GstRTSPTransport *raw = nullptr;
  gst_rtsp_transport_new (&raw);
  TransportPtr transport (raw);
  /* A list of transports: the first one is the camera's choice. */
  std::string first = text.substr (0, text.find (','));
  if (text.empty () || gst_rtsp_transport_parse (first.c_str (), raw) != GST_RTSP_OK) {
    error = "its Transport header '" + text + "' does not parse";
    return false;
  }
  const GstRTSPLowerTrans wanted = asked.tcp ? GST_RTSP_LOWER_TRANS_TCP : GST_RTSP_LOWER_TRANS_UDP;
  if (raw->lower_transport != wanted) {
    error = std::string ("it chose a transport other than ") + (asked.tcp ? "TCP" : "unicast UDP") +
        ", which was asked ('" + text + "')";
    return false;
  }
  reply.tcp = asked.tcp;
  if (asked.tcp) {
    /* The camera may pick other channels: those are its packets'. */
    const int rtp = raw->interleaved.min >= 0 ? raw->interleaved.min : asked.rtp_channel;
    const int rtcp = raw->interleaved.max >= 0 ? raw->interleaved.max : rtp + 1;
    if (rtp > 255 || rtcp > 255 || rtp == rtcp) {
      error = "it answered interleaved=" + std::to_string (rtp) + "-" + std::to_string (rtcp) +
          ", which are not two channels";
      return false;
    }
    reply.rtp_channel = guint8 (rtp);
    reply.rtcp_channel = guint8 (rtcp);
  } else if (raw->client_port.min != -1 && (raw->client_port.min != asked.rtp_port ||
          (raw->client_port.max != -1 && raw->client_port.max != asked.rtcp_port))) {
    error = "it answered client_port=" + std::to_string (raw->client_port.min) + "-" +
        std::to_string (raw->client_port.max) + " where " + std::to_string (asked.rtp_port) + "-" +
        std::to_string (asked.rtcp_port) + " was asked: the camera would send where nothing listens";
    return false;
  }
  /* server_port=0-1 and the like: as good as none (the camera's own
   * packets then tell where it sends from). */
  if (raw->server_port.min > 1) {
    reply.server_rtp_port = guint16 (raw->server_port.min);
    reply.server_rtcp_port = guint16 (raw->server_port.max > 0 ? raw->server_port.max
        : raw->server_port.min + 1);
  }
  if (raw->source)
    reply.source = raw->source;
  reply.has_ssrc = raw->ssrc != 0;
  reply.ssrc = raw->ssrc;
  return true;
}

}  // namespace hostnetrtp
