/* hostnetrtp — the RTCP path of one stream. See rtcp-path.h. */
#include "rtcp-path.h"

#include <gst/net/gstnetaddressmeta.h>
#include <string>

namespace hostnetrtp {

namespace {

bool same_peer (GInetSocketAddress *a, GInetSocketAddress *b)
{
  return a && b && g_inet_socket_address_get_port (a) == g_inet_socket_address_get_port (b) &&
      g_inet_address_equal (g_inet_socket_address_get_address (a),
          g_inet_socket_address_get_address (b));
}

/* A dual-stack IPv6 socket reaches IPv4 senders through mapped addresses. */
GObjectPtr<GSocketAddress> for_family (GInetSocketAddress *peer, GSocketFamily local_family)
{
  GInetAddress *ip = g_inet_socket_address_get_address (peer);
  if (local_family != G_SOCKET_FAMILY_IPV6 || g_inet_address_get_family (ip) != G_SOCKET_FAMILY_IPV4)
    return GObjectPtr<GSocketAddress> (G_SOCKET_ADDRESS (g_object_ref (peer)));
  GCharPtr v4 (g_inet_address_to_string (ip));
  std::string mapped = std::string ("::ffff:") + v4.get ();
  GObjectPtr<GInetAddress> v6 (g_inet_address_new_from_string (mapped.c_str ()));
  return GObjectPtr<GSocketAddress> (
      g_inet_socket_address_new (v6.get (), g_inet_socket_address_get_port (peer)));
}

}  // namespace

bool looks_like_rtcp (const guint8 *data, gsize size)
{
  return size >= 8 && (data[0] >> 6) == 2 && data[1] >= 192 && data[1] <= 223;
}

RtcpPath::RtcpPath (GSocketFamily local_family, bool rtcp_mux) noexcept
    : local_family_ (local_family), rtcp_mux_ (rtcp_mux)
{
}

RtcpPath::~RtcpPath ()
{
  detach ();
}

void RtcpPath::attach (GstPad *rtp_src_pad, GstPad *rtcp_src_pad, GstPad *report_sink_pad,
    GstPad *rtcp_sink_of_session) noexcept
{
  gst_pad_add_probe (rtp_src_pad, GST_PAD_PROBE_TYPE_BUFFER, on_rtp, this, nullptr);
  if (rtcp_src_pad)
    gst_pad_add_probe (rtcp_src_pad, GST_PAD_PROBE_TYPE_BUFFER, on_rtcp, this, nullptr);
  gst_pad_add_probe (report_sink_pad, GST_PAD_PROBE_TYPE_BUFFER, on_report, this, nullptr);
  if (rtcp_mux_ && rtcp_sink_of_session) {
    mux_pad_.reset (GST_PAD (gst_object_ref_sink (gst_pad_new ("rtcp_mux_src", GST_PAD_SRC))));
    gst_pad_link (mux_pad_.get (), rtcp_sink_of_session);
    gst_pad_set_active (mux_pad_.get (), TRUE);
  }
}

void RtcpPath::detach () noexcept
{
  if (!mux_pad_)
    return;
  gst_pad_set_active (mux_pad_.get (), FALSE);
  if (GstPad *peer = gst_pad_get_peer (mux_pad_.get ())) {
    gst_pad_unlink (mux_pad_.get (), peer);
    gst_object_unref (peer);
  }
  mux_pad_.reset ();
}

void RtcpPath::learn (GstBuffer *buffer, GObjectPtr<GInetSocketAddress> &peer) noexcept
{
  GstNetAddressMeta *meta = gst_buffer_get_net_address_meta (buffer);
  if (!meta || !G_IS_INET_SOCKET_ADDRESS (meta->addr))
    return;
  auto *from = G_INET_SOCKET_ADDRESS (meta->addr);
  std::lock_guard<std::mutex> guard (lock_);
  if (!same_peer (peer.get (), from))
    peer = ref_object (from);
}

GObjectPtr<GSocketAddress> RtcpPath::report_destination () noexcept
{
  std::lock_guard<std::mutex> guard (lock_);
  if (rtcp_peer_)
    return for_family (rtcp_peer_.get (), local_family_);
  if (!rtp_peer_)
    return {};
  guint16 port = g_inet_socket_address_get_port (rtp_peer_.get ());
  if (rtcp_mux_)
    return for_family (rtp_peer_.get (), local_family_);
  GObjectPtr<GInetSocketAddress> guess (G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (
      g_inet_socket_address_get_address (rtp_peer_.get ()), port + 1)));
  return for_family (guess.get (), local_family_);
}

GstPadProbeReturn RtcpPath::push_split_rtcp (GstBuffer *buffer) noexcept
{
  if (!mux_pad_started_) {
    gst_pad_push_event (mux_pad_.get (), gst_event_new_stream_start ("hostnetrtp-rtcp-mux"));
    gst_pad_push_event (mux_pad_.get (), gst_event_new_caps (
        gst_caps_new_empty_simple ("application/x-rtcp")));
    GstSegment segment;
    gst_segment_init (&segment, GST_FORMAT_TIME);
    gst_pad_push_event (mux_pad_.get (), gst_event_new_segment (&segment));
    mux_pad_started_ = true;
  }
  gst_pad_push (mux_pad_.get (), buffer);  /* takes the buffer */
  return GST_PAD_PROBE_HANDLED;
}

GstPadProbeReturn RtcpPath::on_rtp (GstPad *, GstPadProbeInfo *info, gpointer user_data) noexcept
{
  auto *self = static_cast<RtcpPath *> (user_data);
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  if (self->rtcp_mux_ && self->mux_pad_) {
    guint8 head[8];
    gsize n = gst_buffer_extract (buffer, 0, head, sizeof (head));
    if (looks_like_rtcp (head, n)) {
      self->learn (buffer, self->rtcp_peer_);
      GST_PAD_PROBE_INFO_DATA (info) = nullptr;
      return self->push_split_rtcp (buffer);
    }
  }
  self->learn (buffer, self->rtp_peer_);
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn RtcpPath::on_rtcp (GstPad *, GstPadProbeInfo *info, gpointer user_data) noexcept
{
  auto *self = static_cast<RtcpPath *> (user_data);
  self->learn (GST_PAD_PROBE_INFO_BUFFER (info), self->rtcp_peer_);
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn RtcpPath::on_report (GstPad *, GstPadProbeInfo *info, gpointer user_data) noexcept
{
  auto *self = static_cast<RtcpPath *> (user_data);
  GObjectPtr<GSocketAddress> destination = self->report_destination ();
  if (!destination)
    return GST_PAD_PROBE_DROP;  /* nobody has sent yet: nobody to report to */
  GstBuffer *buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  if (GstNetAddressMeta *old = gst_buffer_get_net_address_meta (buffer))
    gst_buffer_remove_meta (buffer, &old->meta);
  gst_buffer_add_net_address_meta (buffer, destination.get ());
  return GST_PAD_PROBE_OK;
}

}  // namespace hostnetrtp
