/* hostnetrtp tests — helpers for the element suites: pipelines, bus waits
 * and a real RTP/RTCP sender on loopback. */
#pragma once

#include <gst/app/gstappsink.h>
#include <gst/check/gstcheck.h>
#include <gst/rtp/gstrtcpbuffer.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/sdp/sdp.h>

#include "owned.h"
#include "test-util.h"

#include <string>

namespace testutil {

using hostnetrtp::GObjectPtr;
using hostnetrtp::GstObjectPtr;
using hostnetrtp::GstMessagePtr;
using hostnetrtp::GCharPtr;

inline GstElement *launch (const std::string &description)
{
  GError *err = nullptr;
  GstElement *pipeline = gst_parse_launch (description.c_str (), &err);
  fail_unless (pipeline != nullptr, "%s: %s", description.c_str (), err ? err->message : "");
  return pipeline;
}

inline GstElement *child (GstElement *pipeline, const char *name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), name);
  fail_unless (e != nullptr, "no element %s", name);
  gst_object_unref (e);  /* the pipeline keeps it alive */
  return e;
}

/* The next message of @types on the pipeline's bus, waiting up to 10 s. */
inline GstMessagePtr next_message (GstElement *pipeline, GstMessageType types)
{
  GstObjectPtr<GstBus> bus (gst_element_get_bus (pipeline));
  return GstMessagePtr (gst_bus_timed_pop_filtered (bus.get (), 10 * GST_SECOND, types));
}

/* The text of the first error on the bus ("" if none). */
inline std::string error_text (GstElement *pipeline)
{
  GstMessagePtr msg = next_message (pipeline, GST_MESSAGE_ERROR);
  if (!msg)
    return "";
  GError *err = nullptr;
  gst_message_parse_error (msg.get (), &err, nullptr);
  std::string text = err->message;
  g_error_free (err);
  return text;
}

/* The allocation announcement posted at READY. */
inline GstMessagePtr allocation_message (GstElement *pipeline)
{
  GstObjectPtr<GstBus> bus (gst_element_get_bus (pipeline));
  while (GstMessage *msg = gst_bus_timed_pop_filtered (bus.get (), 10 * GST_SECOND, GST_MESSAGE_ELEMENT)) {
    if (gst_message_has_name (msg, "hostnetrtp-allocation"))
      return GstMessagePtr (msg);
    gst_message_unref (msg);
  }
  return {};
}

inline guint uint_property (GstElement *e, const char *name)
{
  guint v = 0;
  g_object_get (e, name, &v, nullptr);
  return v;
}

/* A camera stand-in: one socket for RTP, one for RTCP, on 127.0.0.1. */
struct Sender {
  GObjectPtr<GSocket> rtp, rtcp;
  guint16 seq = 1000;

  Sender ()
  {
    rtp = open ();
    rtcp = open ();
  }

  static GObjectPtr<GSocket> open ()
  {
    GObjectPtr<GSocket> s (g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
        G_SOCKET_PROTOCOL_UDP, nullptr));
    GObjectPtr<GInetAddress> lo (g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4));
    GObjectPtr<GSocketAddress> where (g_inet_socket_address_new (lo.get (), 0));
    fail_unless (g_socket_bind (s.get (), where.get (), FALSE, nullptr));
    return s;
  }

  static void send (GSocket *socket, guint port, GstBuffer *buffer)
  {
    GObjectPtr<GInetAddress> lo (g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4));
    GObjectPtr<GSocketAddress> to (g_inet_socket_address_new (lo.get (), port));
    GstMapInfo map;
    gst_buffer_map (buffer, &map, GST_MAP_READ);
    GError *err = nullptr;
    gssize sent = g_socket_send_to (socket, to.get (), (const gchar *) map.data, map.size, nullptr, &err);
    fail_unless (sent == (gssize) map.size, "send: %s", err ? err->message : "short");
    gst_buffer_unmap (buffer, &map);
    gst_buffer_unref (buffer);
  }

  void send_rtp (guint port, guint32 ssrc, guint count = 5, guint8 pt = 96, GSocket *via = nullptr)
  {
    for (guint i = 0; i < count; i++) {
      GstBuffer *buf = gst_rtp_buffer_new_allocate (200, 0, 0);
      GstRTPBuffer rtpbuf = GST_RTP_BUFFER_INIT;
      gst_rtp_buffer_map (buf, GST_MAP_WRITE, &rtpbuf);
      gst_rtp_buffer_set_ssrc (&rtpbuf, ssrc);
      gst_rtp_buffer_set_seq (&rtpbuf, seq++);
      gst_rtp_buffer_set_timestamp (&rtpbuf, seq * 3000u);
      gst_rtp_buffer_set_payload_type (&rtpbuf, pt);
      gst_rtp_buffer_set_marker (&rtpbuf, TRUE);
      memset (gst_rtp_buffer_get_payload (&rtpbuf), 0x42, 200);
      gst_rtp_buffer_unmap (&rtpbuf);
      send (via ? via : rtp.get (), port, buf);
    }
  }

  void send_sender_report (guint port, guint32 ssrc, GSocket *via = nullptr)
  {
    GstBuffer *buf = gst_rtcp_buffer_new (1400);
    GstRTCPBuffer rtcp_buf = GST_RTCP_BUFFER_INIT;
    gst_rtcp_buffer_map (buf, GST_MAP_READWRITE, &rtcp_buf);
    GstRTCPPacket packet;
    gst_rtcp_buffer_add_packet (&rtcp_buf, GST_RTCP_TYPE_SR, &packet);
    gst_rtcp_packet_sr_set_sender_info (&packet, ssrc, 0, 0, 5, 1000);
    gst_rtcp_buffer_add_packet (&rtcp_buf, GST_RTCP_TYPE_SDES, &packet);
    gst_rtcp_packet_sdes_add_item (&packet, ssrc);
    gst_rtcp_packet_sdes_add_entry (&packet, GST_RTCP_SDES_CNAME, 8, (const guint8 *) "camera@1");
    gst_rtcp_buffer_unmap (&rtcp_buf);
    send (via ? via : rtcp.get (), port, buf);
  }
};

/* The SSRC of an RTP buffer. */
inline guint32 ssrc_of (GstBuffer *buffer)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  fail_unless (gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp));
  guint32 ssrc = gst_rtp_buffer_get_ssrc (&rtp);
  gst_rtp_buffer_unmap (&rtp);
  return ssrc;
}

/* Pulls samples from @sink (up to 10 s) until one carries @ssrc. */
inline bool received_ssrc (GstElement *sink, guint32 ssrc)
{
  while (GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND)) {
    bool match = ssrc_of (gst_sample_get_buffer (sample)) == ssrc;
    gst_sample_unref (sample);
    if (match)
      return true;
  }
  return false;
}

}  // namespace testutil
