/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — one stream's datagrams. See stream-path.h. */
#include "stream-path.h"

#include <gst/net/gstnetaddressmeta.h>

#include <cerrno>
#include <cstring>
#include <sstream>

GST_DEBUG_CATEGORY_EXTERN (gst_hostnet_rtp_src_debug);
#define GST_CAT_DEFAULT gst_hostnet_rtp_src_debug

namespace hostnetrtp {

namespace {

/* Warnings about what the network sends are rate-limited to one per stream
 * and kind in this interval: a flood must not become a flood of messages. */
constexpr gint64 kWarningInterval = 10 * G_USEC_PER_SEC;

std::string drop_summary (guint index, guint port, const DropReport &r)
{
  std::ostringstream os;
  os << "stream " << index << (port ? " (port " + std::to_string (port) + ")" : " (over TCP)")
     << ": dropped " << r.total ()
     << " datagram(s) from the network since the last report:";
  if (r.not_allowed)
    os << " " << r.not_allowed << " from senders not allowed (allowed-senders; in pull mode, not the camera's server_port);";
  if (r.malformed)
    os << " " << r.malformed << " not valid RTP/RTCP;";
  if (r.kernel)
    os << " " << r.kernel << " lost in the kernel's receive buffer before they could be read (raise "
          "buffer-size, and net.core.rmem_max if the kernel grants less);";
  if (r.foreign)
    os << " " << r.foreign << " not from the stream's current sender (another one takes over "
          "after sender-timeout of silence, or at once after BYE);";
  if (r.out_of_sequence)
    os << " " << r.out_of_sequence << " with the current sender's host and SSRC but an "
          "implausible sequence number or timestamp, or from another of its ports (a camera "
          "that restarts is followed after 250 ms of quiet; anything else is spoofed);";
  if (r.example.valid)  /* not when only the kernel dropped: no sender was seen */
    os << " the last from " << r.example.to_string () << " (" << drop_reason (r.example_reason) << ").";
  os << " The stream goes on";
  if (r.not_allowed + r.malformed + r.foreign > 0 && r.example_reason != Drop::OutOfSequence)
    os << "; if these senders are not yours, set allowed-senders to the camera's address";
  return os.str ();
}

}  // namespace

StreamPath::StreamPath (guint index, BoundStream sockets, GateConfig gate, Hooks hooks)
    : index_ (index), sockets_ (std::move (sockets)), gate_ (std::move (gate)),
      hooks_ (std::move (hooks))
{
}

StreamPath::~StreamPath ()
{
  detach ();
}

bool StreamPath::attach (GstPad *rtp_reader_pad, GstPad *rtcp_reader_pad,
    GstPad *session_rtcp_sink, GstPad *session_report_src) noexcept
{
  rtcp_reader_pad_ = rtcp_reader_pad;
  if (rtp_reader_pad) {
    gst_pad_add_probe (rtp_reader_pad, GST_PAD_PROBE_TYPE_BUFFER, on_rtp, this, nullptr);
    /* udpsrc pushes single buffers; should it push a list, every buffer
     * in it still passes the gate. */
    gst_pad_add_probe (rtp_reader_pad, GST_PAD_PROBE_TYPE_BUFFER_LIST, on_list, this, nullptr);
  }
  if (rtcp_reader_pad) {
    gst_pad_add_probe (rtcp_reader_pad, GST_PAD_PROBE_TYPE_BUFFER, on_rtcp, this, nullptr);
    gst_pad_add_probe (rtcp_reader_pad, GST_PAD_PROBE_TYPE_BUFFER_LIST, on_list, this, nullptr);
  }
  if (session_rtcp_sink) {
    mux_pad_.reset (GST_PAD (gst_object_ref_sink (gst_pad_new ("rtcp_mux_src", GST_PAD_SRC))));
    if (gst_pad_link (mux_pad_.get (), session_rtcp_sink) != GST_PAD_LINK_OK)
      return false;
    gst_pad_set_active (mux_pad_.get (), TRUE);
  }
  report_pad_.reset (GST_PAD (gst_object_ref_sink (gst_pad_new ("report_sink", GST_PAD_SINK))));
  /* A pad of ours with no parent element: its private data is ours to use. */
  gst_pad_set_element_private (report_pad_.get (), this);
  gst_pad_set_chain_function (report_pad_.get (), on_report);
  gst_pad_set_event_function (report_pad_.get (),
      [] (GstPad *, GstObject *, GstEvent *event) noexcept -> gboolean {
        gst_event_unref (event);
        return TRUE;
      });
  if (gst_pad_link (session_report_src, report_pad_.get ()) != GST_PAD_LINK_OK)
    return false;
  gst_pad_set_active (report_pad_.get (), TRUE);
  return true;
}

void StreamPath::detach () noexcept
{
  for (GstObjectPtr<GstPad> *own : {&mux_pad_, &report_pad_}) {
    if (!*own)
      continue;
    gst_pad_set_active (own->get (), FALSE);
    if (GstPad *peer = gst_pad_get_peer (own->get ())) {
      if (GST_PAD_IS_SRC (own->get ()))
        gst_pad_unlink (own->get (), peer);
      else
        gst_pad_unlink (peer, own->get ());
      gst_object_unref (peer);
    }
    own->reset ();
  }
}

guint64 StreamPath::reports_sent () const
{
  return reports_sent_;
}

void StreamPath::report_drops (gint64 now_us)
{
  DropReport report;
  if (hooks_.warn && gate_.take_drop_report (now_us, kWarningInterval, report))
    hooks_.warn (drop_summary (index_, sockets_.rtp_port, report));
}

GateVerdict StreamPath::judge (const guint8 *data, gsize size, const Peer &from, gint64 now,
    bool rtcp_socket) noexcept
{
  GateVerdict verdict = gate_.admit (data, size, from, now, rtcp_socket);
  if (!verdict.accepted ())
    GST_LOG ("stream %u: dropped a datagram from %s: %s", index_, from.to_string ().c_str (),
        drop_reason (verdict.drop));
  else if (verdict.sender_changed && hooks_.sender_changed)
    hooks_.sender_changed (verdict);
  if (verdict.followed_port)
    GST_INFO ("stream %u: the camera sends from %s, not the server_port it announced: followed there",
        index_, from.to_string ().c_str ());
  return verdict;
}

GateVerdict StreamPath::judge (GstBuffer *&buffer, gint64 now, bool rtcp_socket) noexcept
{
  GstNetAddressMeta *meta = gst_buffer_get_net_address_meta (buffer);
  const Peer from = meta ? Peer::from_socket_address (meta->addr) : Peer ();
  GstMapInfo map;
  GateVerdict unreadable;
  unreadable.drop = Drop::Malformed;
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return unreadable;
  const GateVerdict verdict = judge (map.data, map.size, from, now, rtcp_socket);
  gst_buffer_unmap (buffer, &map);
  if (verdict.accepted ()) {
    /* The gate decided who the sender is: rtpsession must not second-guess it. */
    buffer = gst_buffer_make_writable (buffer);
    if (GstNetAddressMeta *m = gst_buffer_get_net_address_meta (buffer))
      gst_buffer_remove_meta (buffer, &m->meta);
  }
  return verdict;
}

Admission StreamPath::admit_datagram (const guint8 *data, gsize size, const Peer &from,
    gint64 now_us, bool rtcp_socket) noexcept
{
  const GateVerdict verdict = judge (data, size, from, now_us, rtcp_socket);
  if (!verdict.accepted ())
    return Admission::Drop;
  return verdict.rtcp && !rtcp_socket ? Admission::Divert : Admission::Pass;
}

void StreamPath::drop_in_kernel (guint64 count) noexcept
{
  gate_.count_kernel_drops (count);
}

void StreamPath::drop_oversized (const Peer &from) noexcept
{
  gate_.count_malformed (from);
}

GstPadProbeReturn StreamPath::pass (GstPadProbeInfo *info, bool rtcp_socket) noexcept
{
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  const GateVerdict verdict = judge (buffer, g_get_monotonic_time (), rtcp_socket);
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  if (!verdict.accepted ())
    return GST_PAD_PROBE_DROP;
  if (verdict.rtcp && !rtcp_socket) {
    GST_PAD_PROBE_INFO_DATA (info) = nullptr;
    push_split_rtcp (buffer);
    return GST_PAD_PROBE_HANDLED;
  }
  return GST_PAD_PROBE_OK;
}

GstPadProbeReturn StreamPath::on_list (GstPad *pad, GstPadProbeInfo *info, gpointer data) noexcept
{
  auto *self = static_cast<StreamPath *> (data);
  const bool rtcp_socket = pad == self->rtcp_reader_pad_;
  GstBufferList *list = gst_buffer_list_make_writable (GST_PAD_PROBE_INFO_BUFFER_LIST (info));
  GST_PAD_PROBE_INFO_DATA (info) = list;
  const gint64 now = g_get_monotonic_time ();
  /* Lists are the RTP path only (a muxed RTCP packet in one is dropped
   * rather than split); what passes loses its address, as in pass (). */
  for (guint i = 0; i < gst_buffer_list_length (list);) {
    GstBuffer *buffer = gst_buffer_list_get_writable (list, i);  /* judged in place */
    const GateVerdict verdict = self->judge (buffer, now, rtcp_socket);
    if (!verdict.accepted () || (verdict.rtcp && !rtcp_socket)) {
      gst_buffer_list_remove (list, i, 1);
      continue;
    }
    i++;
  }
  return gst_buffer_list_length (list) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

void StreamPath::push_split_rtcp (GstBuffer *buffer) noexcept
{
  if (!mux_pad_) {
    gst_buffer_unref (buffer);
    return;
  }
  /* Once: they stay on this pad, and GStreamer sends them again whenever
   * rtpbin's RTCP sink comes back from READY (a sink pad's activation
   * reschedules its peer's sticky events). */
  if (!mux_pad_started_) {
    std::string id = "hostnetrtp-rtcp-mux-" + std::to_string (index_);
    gst_pad_push_event (mux_pad_.get (), gst_event_new_stream_start (id.c_str ()));
    GstCapsPtr caps (gst_caps_new_empty_simple ("application/x-rtcp"));
    gst_pad_push_event (mux_pad_.get (), gst_event_new_caps (caps.get ()));
    GstSegment segment;
    gst_segment_init (&segment, GST_FORMAT_TIME);
    gst_pad_push_event (mux_pad_.get (), gst_event_new_segment (&segment));
    mux_pad_started_ = true;
  }
  gst_pad_push (mux_pad_.get (), buffer);
}

GstPadProbeReturn StreamPath::on_rtp (GstPad *, GstPadProbeInfo *info, gpointer self) noexcept
{
  return static_cast<StreamPath *> (self)->pass (info, false);
}

GstPadProbeReturn StreamPath::on_rtcp (GstPad *, GstPadProbeInfo *info, gpointer self) noexcept
{
  return static_cast<StreamPath *> (self)->pass (info, true);
}

void StreamPath::warn_limited (const std::string &text)
{
  const gint64 now = g_get_monotonic_time ();
  gint64 last = last_send_warning_us_;
  if ((last && now - last < kWarningInterval) || !last_send_warning_us_.compare_exchange_strong (last, now))
    return;
  if (hooks_.warn)
    hooks_.warn (text);
}

void StreamPath::send_report (GstBuffer *buffer) noexcept
{
  if (reports_held_) {
    GST_LOG ("stream %u: no receiver report sent: held (no PLAY answer yet, or do-rtcp=false)", index_);
    return;
  }
  if (hooks_.report_out) {  /* RTSP over TCP: interleaved, to the camera's session */
    GstMapInfo map;
    if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
      return;
    hooks_.report_out (map.data, map.size);
    gst_buffer_unmap (buffer, &map);
    reports_sent_++;
    return;
  }
  std::string why;
  GObjectPtr<GSocketAddress> to = gate_.report_destination (&why);
  if (!to) {
    GST_LOG ("stream %u: no receiver report sent: %s", index_, why.c_str ());
    if (why.find ("probation") == std::string::npos)
      warn_limited ("stream " + std::to_string (index_) + ": receiver reports are not sent: " +
          why + ". The stream goes on");
    return;
  }
  GSocket *socket = sockets_.rtcp ? sockets_.rtcp.get () : sockets_.rtp.get ();
  struct sockaddr_storage native;
  GstMapInfo map;
  if (!g_socket_address_to_native (to.get (), &native, sizeof (native), nullptr) ||
      !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return;
  ssize_t sent = sendto (g_socket_get_fd (socket), map.data, map.size, MSG_DONTWAIT | MSG_NOSIGNAL,
      reinterpret_cast<struct sockaddr *> (&native), g_socket_address_get_native_size (to.get ()));
  const int err = errno;
  gst_buffer_unmap (buffer, &map);
  if (sent < 0) {
    warn_limited ("stream " + std::to_string (index_) + ": cannot send a receiver report to " +
        Peer::from_socket_address (to.get ()).to_string () + ": " + std::strerror (err) +
        ". The stream goes on");
    return;
  }
  reports_sent_++;
}

GstFlowReturn StreamPath::on_report (GstPad *pad, GstObject *, GstBuffer *buffer) noexcept
{
  auto *self = static_cast<StreamPath *> (gst_pad_get_element_private (pad));
  self->send_report (buffer);
  gst_buffer_unref (buffer);
  return GST_FLOW_OK;
}

}  // namespace hostnetrtp
