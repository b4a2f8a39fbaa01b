/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — one stream's datagrams between its sockets and rtpbin.
 *
 *   RTP socket reader  --[gate]--> rtpbin recv_rtp_sink   (rtcp-mux: RTCP split
 *   RTCP socket reader --[gate]--> rtpbin recv_rtcp_sink   off to recv_rtcp_sink)
 *   rtpbin send_rtcp_src --> report pad: sent from the RTCP socket itself
 *
 * The gate (stream-gate.h) decides once on every datagram before rtpbin
 * sees it; the sender's address is then taken off the buffer, so
 * rtpsession's own address-based collision logic cannot be used to lock the
 * real camera out. Receiver reports leave from the socket RTCP arrives on
 * (no other socket is ever opened, IPv6 included) to the gate's
 * destination; a report that cannot be sent is dropped with a rate-limited
 * warning, never an error. The streaming threads that run all this only
 * count and hand on: a new sender and the warnings go to the hooks, which
 * enqueue them for the element's control task. */
#pragma once

#include "batch-reader.h"
#include "port-allocator.h"
#include "stream-gate.h"

#include <atomic>
#include <functional>
#include <string>

namespace hostnetrtp {

class StreamPath {
 public:
  struct Hooks {
    /* From a streaming thread, when the gate let a new sender in: enqueues. */
    std::function<void (const GateVerdict &)> sender_changed;
    /* A rate-limited warning for the user (drops, unsendable reports),
     * from any thread: enqueues. */
    std::function<void (const std::string &)> warn;
    /* RTSP over TCP: where receiver reports go (interleaved on the RTSP
     * connection) instead of the RTCP socket; from rtpbin's thread: enqueues. */
    std::function<void (const guint8 *data, gsize size)> report_out;
  };

  StreamPath (guint index, BoundStream sockets, GateConfig gate, Hooks hooks);
  ~StreamPath ();
  StreamPath (const StreamPath &) = delete;
  StreamPath &operator= (const StreamPath &) = delete;

  /* Installs the gate on the socket readers' pads (udpsrc; null for
   * batched readers, which call admit_datagram, and @rtcp_reader_pad null
   * with rtcp-mux), links @session_rtcp_sink (rtpbin's recv_rtcp_sink, with
   * rtcp-mux only) and @session_report_src (rtpbin's send_rtcp_src). False
   * if a link failed. */
  bool attach (GstPad *rtp_reader_pad, GstPad *rtcp_reader_pad, GstPad *session_rtcp_sink,
      GstPad *session_report_src) noexcept;

  /* Unlinks and deactivates the pads of its own; call with streaming stopped. */
  void detach () noexcept;

  /* The gate's verdict on one datagram read by a batched reader, from
   * @rtcp_socket or the RTP socket (rtcp-mux: RTCP there is diverted). */
  Admission admit_datagram (const guint8 *data, gsize size, const Peer &from, gint64 now_us,
      bool rtcp_socket) noexcept;

  /* A datagram too large for the reader: dropped as malformed. */
  void drop_oversized (const Peer &from) noexcept;
  /* @count datagrams the kernel dropped on a full receive buffer. */
  void drop_in_kernel (guint64 count) noexcept;

  /* rtcp-mux: an RTCP buffer from the RTP socket, into rtpbin's RTCP sink. */
  void push_split_rtcp (GstBuffer *buffer) noexcept;

  /* Warns about what the gate dropped since the last warning, at most once
   * per 10 s; called regularly by the control task, so a last burst is told. */
  void report_drops (gint64 now_us);

  StreamGate &gate () { return gate_; }
  const BoundStream &sockets () const { return sockets_; }
  guint index () const { return index_; }
  guint64 reports_sent () const;
  /* Pull mode: no report leaves until the camera answered PLAY, nor ever
   * with do-rtcp=false. */
  void hold_reports (bool hold) { reports_held_ = hold; }

 private:
  static GstPadProbeReturn on_rtp (GstPad *, GstPadProbeInfo *, gpointer) noexcept;
  static GstPadProbeReturn on_rtcp (GstPad *, GstPadProbeInfo *, gpointer) noexcept;
  static GstPadProbeReturn on_list (GstPad *, GstPadProbeInfo *, gpointer) noexcept;
  static GstFlowReturn on_report (GstPad *, GstObject *, GstBuffer *) noexcept;
  GstPadProbeReturn pass (GstPadProbeInfo *info, bool rtcp_socket) noexcept;
  /* The gate's verdict on one datagram; a new sender is told. */
  GateVerdict judge (const guint8 *data, gsize size, const Peer &from, gint64 now,
      bool rtcp_socket) noexcept;
  /* The same on a buffer (udpsrc); the sender taken off it if it passes. */
  GateVerdict judge (GstBuffer *&buffer, gint64 now, bool rtcp_socket) noexcept;
  void send_report (GstBuffer *buffer) noexcept;
  void warn_limited (const std::string &text);

  const guint index_;
  BoundStream sockets_;
  StreamGate gate_;
  Hooks hooks_;
  GstPad *rtcp_reader_pad_ = nullptr;  /* borrowed: tells the RTCP socket's lists apart */
  GstObjectPtr<GstPad> mux_pad_;     /* rtcp-mux: feeds rtpbin's recv_rtcp_sink */
  bool mux_pad_started_ = false;     /* the RTP reader's thread's own */
  GstObjectPtr<GstPad> report_pad_;  /* receives rtpbin's reports */
  std::atomic<guint64> reports_sent_ {0};
  std::atomic<bool> reports_held_ {false};
  std::atomic<gint64> last_send_warning_us_ {0};
};

}  // namespace hostnetrtp
