/* hostnetrtp — announcement. See announcement.h. */
#include "announcement.h"

#include <gst/sdp/sdp.h>

#include <cstring>
#include <unistd.h>

namespace hostnetrtp {

namespace {

void free_sdp_message (GstSDPMessage *msg) noexcept { gst_sdp_message_free (msg); }
void free_sdp_media (GstSDPMedia *media) noexcept { gst_sdp_media_free (media); }
using SdpMessagePtr = std::unique_ptr<GstSDPMessage, FreeWith<free_sdp_message>>;
using SdpMediaPtr = std::unique_ptr<GstSDPMedia, FreeWith<free_sdp_media>>;

const char *address_type (const std::string &address)
{
  return address.find (':') == std::string::npos ? "IP4" : "IP6";
}

}  // namespace

GstStructure *announcement_structure (const Announcement &a)
{
  GValue streams = G_VALUE_INIT;
  gst_value_array_init (&streams, a.streams.size ());
  for (size_t i = 0; i < a.streams.size (); i++) {
    const AnnouncedStream &s = a.streams[i];
    GValue v = G_VALUE_INIT;
    g_value_init (&v, GST_TYPE_STRUCTURE);
    GstStructurePtr st (gst_structure_new ("stream", "index", G_TYPE_UINT, static_cast<guint> (i),
        "media", G_TYPE_STRING, s.media.c_str (), "encoding-name", G_TYPE_STRING,
        s.encoding_name.c_str (), "payload", G_TYPE_INT, s.payload, "clock-rate", G_TYPE_INT,
        s.clock_rate, "rtp-port", G_TYPE_UINT, s.rtp_port, "rtcp-port", G_TYPE_UINT, s.rtcp_port,
        nullptr));
    gst_value_set_structure (&v, st.get ());
    gst_value_array_append_and_take_value (&streams, &v);
  }
  GstStructure *msg = gst_structure_new (kAllocationMessageName,
      "address", G_TYPE_STRING, a.bound_address.c_str (),
      "advertise-address", G_TYPE_STRING, a.advertise_address.c_str (),
      "rtcp-mux", G_TYPE_BOOLEAN, a.rtcp_mux,
      "multicast", G_TYPE_BOOLEAN, a.multicast,
      "rtp-port", G_TYPE_UINT, a.streams.empty () ? 0u : a.streams[0].rtp_port,
      "rtcp-port", G_TYPE_UINT, a.streams.empty () ? 0u : a.streams[0].rtcp_port,
      nullptr);
  gst_structure_take_value (msg, "streams", &streams);
  return msg;
}

bool announcement_sdp (const Announcement &a, std::string &sdp, std::string &error)
{
  if (a.advertise_address.empty ()) {
    error = "no address to write into the SDP: set advertise-address";
    return false;
  }
  GstSDPMessage *raw = nullptr;
  gst_sdp_message_new (&raw);
  SdpMessagePtr msg (raw);
  const char *type = address_type (a.advertise_address);
  gst_sdp_message_set_version (raw, "0");
  std::string session_id = std::to_string (g_get_real_time () / G_USEC_PER_SEC);
  gst_sdp_message_set_origin (raw, "-", session_id.c_str (), "1", "IN", type,
      a.advertise_address.c_str ());
  gst_sdp_message_set_session_name (raw, "hostnetrtpsrc");
  gst_sdp_message_set_connection (raw, "IN", type, a.advertise_address.c_str (),
      a.multicast ? 64 : 0, 0);
  gst_sdp_message_add_time (raw, "0", "0", nullptr);
  for (const AnnouncedStream &s : a.streams) {
    GstSDPMedia *media_raw = nullptr;
    gst_sdp_media_new (&media_raw);
    SdpMediaPtr media (media_raw);
    if (gst_sdp_media_set_media_from_caps (s.caps, media_raw) != GST_SDP_OK) {
      GCharPtr text (gst_caps_to_string (s.caps));
      error = std::string ("cannot describe caps '") + text.get () + "' in SDP";
      return false;
    }
    gst_sdp_media_set_proto (media_raw, "RTP/AVP");
    gst_sdp_media_set_port_info (media_raw, s.rtp_port, 1);
    if (a.rtcp_mux)
      gst_sdp_media_add_attribute (media_raw, "rtcp-mux", "");
    else
      gst_sdp_media_add_attribute (media_raw, "rtcp", std::to_string (s.rtcp_port).c_str ());
    gst_sdp_media_add_attribute (media_raw, "recvonly", "");
    gst_sdp_message_add_media (raw, media_raw);  /* copies */
  }
  GCharPtr text (gst_sdp_message_as_text (raw));
  sdp = text.get ();
  return true;
}

std::string expand_sdp_path (const std::string &pattern, guint rtp_port)
{
  const char *pod = g_getenv ("POD_NAME");
  const std::pair<const char *, std::string> placeholders[] = {
    {"{rtp-port}", std::to_string (rtp_port)},
    {"{pid}", std::to_string (getpid ())},
    {"{pod}", pod && *pod ? pod : g_get_host_name ()},
  };
  std::string path = pattern;
  for (const auto &[key, value] : placeholders)
    for (auto at = path.find (key); at != std::string::npos; at = path.find (key, at + value.size ()))
      path.replace (at, std::strlen (key), value);
  return path;
}

bool write_file_atomically (const std::string &path, const std::string &contents,
    std::string &error)
{
  GError *err = nullptr;
  if (!g_file_set_contents_full (path.c_str (), contents.data (),
          static_cast<gssize> (contents.size ()), G_FILE_SET_CONTENTS_CONSISTENT, 0644, &err)) {
    GErrorPtr owned (err);
    error = "cannot write sdp-file '" + path + "': " + err->message +
        " (does the folder exist and is it writable?)";
    return false;
  }
  return true;
}

}  // namespace hostnetrtp
