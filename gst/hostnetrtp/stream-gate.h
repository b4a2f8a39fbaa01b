/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — one stream's gate: which datagrams reach rtpbin, and where
 * receiver reports go.
 *
 * On a host network anyone who can reach the node can send to a replica's
 * ports. The gate lets through only
 *   - datagrams from allowed-senders (all, when the list is empty),
 *   - that parse as RTP (RTP socket) or RTCP (RTCP socket, or split off a
 *     muxed port),
 *   - from the stream's one current sender: the (address, SSRC) that locked
 *     the stream first. Another sender takes over only once the current one
 *     said BYE or has been silent for the takeover time (0: only after BYE),
 *     so a camera that restarts comes back while an SSRC injected into a
 *     live stream never reaches rtpbin, and a flood of new SSRCs costs
 *     nothing but a drop. A new SSRC from the sender's own host (an encoder
 *     restarted without BYE) takes over sooner, but only by showing a
 *     sustained sequence of its own (at least three packets in a row, over
 *     200 ms) while the current sender is quiet: quiet for 200 ms and for
 *     twice the longest gap the sender itself has shown lately (a 1 fps
 *     camera is not dead between frames), and only once the sender has
 *     streamed long enough to show that pace (sender-timeout, 2 s at least;
 *     before, the newcomer waits sender-timeout as anyone). The sender it
 *     displaced takes the stream back at once if it continues its own
 *     sequence within 10 s: it was alive, the newcomer was not its restart;
 *     for the 10 s after, its host has no quicker way in,
 *   - with a sequence number and timestamp that follow the sender's (within
 *     rtpsession's misorder/dropout limits, and no further ahead in time than
 *     any clock rate could have gone), or that restart elsewhere twice in a
 *     row once the old sequence has been quiet for 250 ms: spoofing with the
 *     sender's address and SSRC stays out while the sender is alive.
 * RTCP is the current sender's when it comes from the sender's host, names
 * only the sender's SSRC, and comes from the port the sender's RTCP came
 * from before (or its RTP port): another port of that host is believed only
 * once that one has been quiet for 30 s, or the RTP moved to another port
 * (which it does only after 250 ms of quiet on its own: a restart).
 * Receiver reports go only where the current sender's own traffic says: the
 * address its accepted RTCP came from, else its RTP port + 1 once it passed
 * probation (two packets in sequence); a multicast stream reports to its
 * group. Never to port 0, never to a family the socket cannot reach.
 *
 * Pure logic over bytes, addresses and a monotonic time: no elements. */
#pragma once

#include "packet.h"
#include "peer.h"

#include <array>
#include <memory>
#include <mutex>
#include <string>

namespace hostnetrtp {

enum class Drop { None, NotAllowed, Malformed, ForeignSender, NotForUs, OutOfSequence };

/* "not in allowed-senders", "malformed", ... for warnings. */
const char *drop_reason (Drop drop);

/* The gate's one decision on a datagram: what it is, whether it passes,
 * and what the control task must hear of it. */
struct GateVerdict {
  Drop drop = Drop::None;
  bool rtcp = false;            /* classified as RTCP (from the RTCP socket, or muxed) */
  bool sender_changed = false;  /* this packet made a new sender current */
  bool had_previous = false;    /* ... and replaced previous_ssrc */
  guint32 previous_ssrc = 0;
  guint32 ssrc = 0;             /* the packet's (first) SSRC, when it parsed */
  Peer sender;                  /* sender_changed: the new sender's RTP address */
  guint64 packets_before = 0;   /* sender_changed: RTP packets accepted before this one */
  bool followed_port = false;   /* pull mode: the camera is followed to this undeclared port */
  bool accepted () const { return drop == Drop::None; }
};

struct SenderState {
  bool present = false;
  guint32 ssrc = 0;
  Peer rtp_from;
  Peer rtcp_from;     /* the port its RTCP comes from (learned); invalid before */
  gint64 rtcp_seen_us = 0;  /* the last RTCP from that port */
  bool confirmed = false;
  bool said_bye = false;
  gint64 last_seen_us = 0;
};

/* Which sequence numbers a sender delivered: loss and duplicates, exact
 * within a window of 64 behind the highest, cheap per packet. */
class SequenceTracker {
 public:
  void add (guint16 seq);
  guint64 lost () const;        /* expected but never seen, over every run */
  guint64 duplicates () const { return duplicates_; }

 private:
  bool started_ = false;
  guint64 highest_ = 0;  /* extended: cycles << 16 | seq */
  guint64 first_ = 0;
  guint64 unique_ = 0;
  guint64 window_ = 0;   /* bit i: highest - i was seen */
  guint64 duplicates_ = 0;
  guint64 lost_before_ = 0;  /* from runs before a resync */
};

struct GateCounters {
  guint64 packets = 0;        /* RTP accepted */
  guint64 bytes = 0;          /* RTP payload accepted */
  guint64 lost = 0;           /* sequence numbers never seen, every sender */
  guint64 duplicates = 0;
  guint64 rtcp_packets = 0;   /* RTCP accepted */
  guint64 dropped_not_allowed = 0;
  guint64 dropped_malformed = 0;
  guint64 dropped_foreign = 0;  /* another sender's, or RTCP before any sender */
  guint64 dropped_out_of_sequence = 0;  /* the sender's SSRC, implausible seq/timestamp or another port */
  guint64 dropped_kernel = 0;   /* overflowed the socket's receive buffer before being read */
  guint64 sender_changes = 0;
  gint64 last_packet_us = 0;    /* monotonic time of the last accepted RTP; 0: never */
  guint jitter = 0;             /* interarrival jitter (RFC 3550 A.8), clock-rate units */
  guint64 bitrate = 0;          /* bits per second over the last full second of packets */
};

/* Drops since the previous report, for one rate-limited warning. */
struct DropReport {
  guint64 not_allowed = 0, malformed = 0, foreign = 0, out_of_sequence = 0, kernel = 0;
  Peer example;           /* the last dropped datagram's source */
  Drop example_reason = Drop::None;
  guint64 total () const { return not_allowed + malformed + foreign + out_of_sequence + kernel; }
};

struct ServerPorts {
  guint16 rtp = 0, rtcp = 0;
  /* The SSRC SETUP named (ssrc=), if it did: RTP of it from another port
   * of the camera is the camera's. */
  bool has_ssrc = false;
  guint32 ssrc = 0;
  /* RTP from the RTP port; RTCP from either (some servers send it from one socket). */
  bool allow_rtp (const Peer &from) const { return !rtp || from.port == rtp; }
  bool allow_rtcp (const Peer &from) const { return !rtcp || from.port == rtcp || from.port == rtp; }
};

struct GateConfig {
  GSocketFamily local_family = G_SOCKET_FAMILY_IPV4;  /* of the socket reports leave from */
  bool rtcp_mux = false;
  /* Where reports go, whatever the sender: a multicast stream's group and
   * RTCP port, a pulled camera's server_port. Invalid: learned from the sender. */
  Peer fixed_report_to;
  bool multicast = false;  /* other receivers' reports arrive too */
  gint64 takeover_after_us = 2 * G_USEC_PER_SEC;
  std::shared_ptr<const SenderFilter> filter;  /* null: everyone */
  /* Pull mode: the ports the camera said in SETUP it sends from. Datagrams
   * from its address but another port (a stale session of an earlier
   * receiver on these ports) are not allowed. 0: any port. */
  ServerPorts server_ports;
  int clock_rate = 0;  /* the stream's, for jitter; 0: unknown */
};

class StreamGate {
 public:
  explicit StreamGate (GateConfig config);
  StreamGate (const StreamGate &) = delete;
  StreamGate &operator= (const StreamGate &) = delete;

  /* Live settings: both apply to the next datagram. A sender the new
   * filter leaves out stops being the stream's sender. */
  void set_filter (std::shared_ptr<const SenderFilter> filter);
  void set_takeover_after (gint64 us);
  /* Reports go to @to whatever the sender (pull mode: the camera's RTCP
   * port, learned in SETUP); an invalid Peer: learned from the sender. */
  void set_fixed_report_to (const Peer &to);
  void set_server_ports (ServerPorts ports);
  /* Pull mode, from @at_us on (PLAY answered, and a grace): a camera whose
   * server_port has sent no RTP but another port of its host does (it said
   * the wrong ports, or NAT changed them) is followed there, its RTCP from
   * wherever it comes and reports sent back to it. Until then, and once
   * the announced port has sent, only the announced ports count. */
  void follow_undeclared_ports_after (gint64 at_us);
  /* PLAY is on its way. What came from ports the camera did not announce
   * since set_server_ports (), before this, is a stale session of an
   * earlier receiver on these ports: never followed. */
  void play_sent ();

  /* One datagram from @from at @now_us (monotonic), read from the stream's
   * RTCP socket (@rtcp_socket) or its RTP socket (with rtcp-mux, RTCP is
   * told apart there by its packet type): classified and parsed once. */
  GateVerdict admit (const guint8 *data, size_t size, const Peer &from, gint64 now_us,
      bool rtcp_socket);
  /* The same for a datagram known to be RTP, or RTCP. */
  GateVerdict rtp (const guint8 *data, size_t size, const Peer &from, gint64 now_us);
  GateVerdict rtcp (const guint8 *data, size_t size, const Peer &from, gint64 now_us);

  /* Where receiver reports go now, or null with the reason in @why. */
  GObjectPtr<GSocketAddress> report_destination (std::string *why = nullptr);

  SenderState sender ();
  GateCounters counters ();

  /* True, with what was dropped since the last report, when something was
   * dropped and @interval_us has passed since the last report. */
  bool take_drop_report (gint64 now_us, gint64 interval_us, DropReport &report);

  /* A datagram the reader could not take whole: counted as malformed. */
  void count_malformed (const Peer &from);
  /* @count more datagrams the kernel dropped, its receive buffer full. */
  void count_kernel_drops (guint64 count);

 private:
  GateVerdict reject (GateVerdict v, Drop drop, const Peer &from);
  bool plausible (const RtpHeader &header, gint64 now_us) const;
  void measure (const RtpHeader &header, size_t size, gint64 now_us);
  enum class Takeover { Refused, AtOnce, AfterRun };
  Takeover may_take_over (const Peer &from, gint64 now_us) const;
  gint64 same_host_quiet () const;
  void note_pace (gint64 now_us);
  bool reclaims (const RtpHeader &header, const Peer &from, gint64 now_us) const;
  void switch_to (GateVerdict &v, const RtpHeader &header, const Peer &from, gint64 now_us);
  bool sender_rtcp_port (const Peer &from, gint64 now_us) const;
  bool may_latch_rtp (gint64 now_us) const;
  bool latches_rtp (const RtpHeader &header, const Peer &from, gint64 now_us) const;
  void note_stale (const guint8 *data, size_t size, const Peer &from);
  bool latches_rtcp (const RtcpSummary &summary, const Peer &from) const;
  void follow (const RtpHeader &header, gint64 now_us);
  void count_drop (Drop drop, const Peer &from);

  const GateConfig config_;
  std::mutex lock_;
  std::shared_ptr<const SenderFilter> filter_;
  gint64 takeover_after_us_;
  Peer fixed_report_to_;
  ServerPorts server_ports_;
  /* The announced ports have sent (then nothing else is followed); from
   * when another port may be; and whether one was. */
  bool announced_rtp_seen_ = false, announced_rtcp_seen_ = false;
  gint64 latch_after_us_ = 0;
  bool play_sent_ = false;
  /* Senders from undeclared ports before PLAY was sent (a few; a stale
   * session has one SSRC per stream). */
  struct Stale {
    guint32 ssrc;
    Peer from;
  };
  std::array<Stale, 4> stale_ = {};
  size_t n_stale_ = 0;
  bool rtcp_latched_ = false;
  SenderState sender_;
  /* The sender's pace: since when it has been the sender, its last RTP,
   * and the longest gap between its RTP packets in this window of 10 s and
   * the one before: how quiet it may be and still be alive. */
  struct Pace {
    gint64 since_us = 0, last_rtp_us = 0;
    gint64 gap_max = 0, gap_max_before = 0, window_start_us = 0;
  } pace_;
  /* A newcomer of the sender's host showing its sequence before it may
   * take over; and the sender it displaced so, which may come back. */
  struct Candidate {
    bool valid = false;
    guint32 ssrc = 0;
    Peer from;
    guint16 last_seq = 0;
    unsigned run = 0;
    gint64 first_us = 0;
  } candidate_;
  struct Displaced {
    bool valid = false;
    guint32 ssrc = 0;
    Peer from;
    guint16 highest_seq = 0;
    guint32 highest_ts = 0;
    gint64 highest_at_us = 0;
  } displaced_;
  gint64 no_quick_way_until_us_ = 0;  /* after a take-back: newcomers wait sender-timeout */
  guint16 last_seq_ = 0;
  unsigned in_sequence_ = 0;
  /* The current sender's highest sequence number, its timestamp and arrival. */
  guint16 highest_seq_ = 0;
  guint32 highest_ts_ = 0;
  gint64 highest_at_us_ = 0;
  /* An implausible packet, kept in mind: the next one in sequence after it
   * is a restart of the sender's sequence, not a spoof. */
  bool resync_pending_ = false;
  guint16 resync_seq_ = 0;
  guint32 resync_ts_ = 0;
  SequenceTracker sequence_;      /* the current sender's */
  /* Jitter and bitrate of the current sender. */
  double jitter_ = 0;
  gint64 last_transit_ = 0;
  bool have_transit_ = false;
  gint64 window_start_us_ = 0;
  guint64 window_bytes_ = 0;
  guint64 bitrate_ = 0;
  gint64 bitrate_at_us_ = 0;
  guint64 lost_before_ = 0, duplicates_before_ = 0;  /* previous senders' */
  GateCounters counters_;
  DropReport pending_;
  gint64 last_report_us_ = 0;
  bool reported_once_ = false;
};

}  // namespace hostnetrtp
