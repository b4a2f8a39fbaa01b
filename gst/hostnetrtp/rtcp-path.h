/* hostnetrtp — the RTCP path of one stream.
 *
 * Symmetric RTCP: receiver reports leave from the socket the stream's RTCP
 * arrives on, towards the sender that RTCP (or RTP) came from. No other
 * socket is opened, so nothing but the allocated pair is ever bound.
 * With rtcp-mux, RTCP arrives on the RTP socket and is split off here. */
#pragma once

#include "owned.h"

#include <mutex>

namespace hostnetrtp {

/* True for an RTCP packet (RFC 5761 section 4: payload types 192-223). */
bool looks_like_rtcp (const guint8 *data, gsize size);

class RtcpPath {
 public:
  RtcpPath (GSocketFamily local_family, bool rtcp_mux) noexcept;
  ~RtcpPath ();
  RtcpPath (const RtcpPath &) = delete;
  RtcpPath &operator= (const RtcpPath &) = delete;

  /* Installs the probes: learning senders on the receiving udpsrc pads,
   * addressing outgoing reports on the RTCP sink's pad. With rtcp-mux,
   * @rtcp_sink_of_session is rtpbin's recv_rtcp_sink pad that split-off
   * RTCP is pushed into; otherwise @rtcp_src_pad is the RTCP udpsrc's pad. */
  void attach (GstPad *rtp_src_pad, GstPad *rtcp_src_pad, GstPad *report_sink_pad,
      GstPad *rtcp_sink_of_session) noexcept;

  /* Deactivates the rtcp-mux pad; call once the streaming threads stopped. */
  void detach () noexcept;

  /* Where reports go now: the RTCP sender if any RTCP arrived, else the RTP
   * sender's port + 1 (its own port with rtcp-mux); null before any packet. */
  GObjectPtr<GSocketAddress> report_destination () noexcept;

 private:
  static GstPadProbeReturn on_rtp (GstPad *, GstPadProbeInfo *, gpointer) noexcept;
  static GstPadProbeReturn on_rtcp (GstPad *, GstPadProbeInfo *, gpointer) noexcept;
  static GstPadProbeReturn on_report (GstPad *, GstPadProbeInfo *, gpointer) noexcept;
  void learn (GstBuffer *buffer, GObjectPtr<GInetSocketAddress> &peer) noexcept;
  GstPadProbeReturn push_split_rtcp (GstBuffer *buffer) noexcept;

  const GSocketFamily local_family_;
  const bool rtcp_mux_;
  std::mutex lock_;
  GObjectPtr<GInetSocketAddress> rtp_peer_;
  GObjectPtr<GInetSocketAddress> rtcp_peer_;
  GstObjectPtr<GstPad> mux_pad_;  /* rtcp-mux: feeds rtpbin's recv_rtcp_sink */
  bool mux_pad_started_ = false;
};

}  // namespace hostnetrtp
