/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — one stream's gate. See stream-gate.h. */
#include "stream-gate.h"

#include <algorithm>
#include <cstdlib>

namespace hostnetrtp {

namespace {

/* rtpsession's own default: a new source is valid after two in sequence. */
constexpr unsigned kProbation = 2;
constexpr guint64 kWindow = 64;
constexpr guint8 kRtcpReceiverReport = 201;
/* rtpsession's limits: how far behind a packet may arrive (misorder) and
 * how far ahead it may jump (dropout) and still belong to the sequence;
 * further is a restarted sequence, not loss. */
constexpr gint32 kMaxMisorder = 100;
constexpr gint32 kMaxDropout = 3000;
/* No RTP clock runs faster: a timestamp further ahead than this rate allows
 * since the last packet (plus a second) is not the sender's. */
constexpr gint64 kMaxClockRate = 192000;
/* A sequence that restarted elsewhere is believed only once the one it
 * replaces has gone quiet this long: a live camera is never that quiet, a
 * rebooted one always is. */
constexpr gint64 kResyncQuiet = 250 * G_TIME_SPAN_MILLISECOND;
/* The same host with a new SSRC (an encoder restarted without BYE) takes
 * over after at least this much quiet of the old SSRC (and twice the
 * longest gap it showed lately), or sender-timeout if shorter... */
constexpr gint64 kSameHostQuiet = 200 * G_TIME_SPAN_MILLISECOND;
/* ... on the last of at least this many packets in a row of its own
 * sequence, spread over at least kSameHostQuiet. */
constexpr unsigned kTakeoverRun = 3;
/* The sender must have streamed this long (or sender-timeout, if longer)
 * before its pace counts: until then a newcomer of its host waits as long
 * as anyone. */
constexpr gint64 kPaceShown = 2 * G_TIME_SPAN_SECOND;
/* The sender's gaps count over two windows of this length. */
constexpr gint64 kGapWindow = 10 * G_TIME_SPAN_SECOND;
/* A sender displaced that way that continues its own sequence within this
 * long takes the stream back: it was alive. */
constexpr gint64 kReclaimWindow = 10 * G_TIME_SPAN_SECOND;
/* The sender's RTCP moves to another port of its host only after this much
 * quiet on the port it came from: several report intervals (RFC 3550: 5 s,
 * randomized up to 7.5 s), so a spoofer beside a live camera stays out. */
constexpr gint64 kRtcpPortQuiet = 30 * G_TIME_SPAN_SECOND;

}  // namespace

void SequenceTracker::add (guint16 seq)
{
  if (!started_) {
    started_ = true;
    highest_ = first_ = seq;
    unique_ = 1;
    window_ = 1;
    return;
  }
  const gint64 delta = gint16 (guint16 (seq - guint16 (highest_)));
  if (delta > 0 && delta <= kMaxDropout) {
    window_ = guint64 (delta) >= kWindow ? 0 : window_ << delta;
    window_ |= 1;
    highest_ += guint64 (delta);
    unique_++;
  } else if (delta <= 0 && -delta < gint64 (kWindow)) {
    const guint64 bit = guint64 (1) << guint64 (-delta);
    if (window_ & bit) {
      duplicates_++;
    } else {
      window_ |= bit;
      unique_++;
    }
  } else if (delta > 0 || -delta > kMaxDropout) {
    /* The sequence restarted elsewhere: close this run, start another. */
    lost_before_ = lost ();
    highest_ = first_ = seq;
    unique_ = 1;
    window_ = 1;
  }
  /* else: older than the window, within dropout: late, already counted lost */
}

guint64 SequenceTracker::lost () const
{
  const guint64 expected = started_ ? highest_ - first_ + 1 : 0;
  return lost_before_ + (expected > unique_ ? expected - unique_ : 0);
}

const char *drop_reason (Drop drop)
{
  switch (drop) {
    case Drop::None: return "accepted";
    case Drop::NotAllowed: return "not an allowed sender (allowed-senders, or in pull mode the camera's server_port)";
    case Drop::Malformed: return "not valid RTP/RTCP";
    case Drop::ForeignSender: return "not the stream's current sender";
    case Drop::NotForUs: return "RTCP before any sender, or another receiver's report";
    case Drop::OutOfSequence: return "the current sender's SSRC with an implausible sequence number or timestamp, or from another port of its host while it streams";
  }
  return "?";
}

StreamGate::StreamGate (GateConfig config)
    : config_ (std::move (config)), filter_ (config_.filter),
      takeover_after_us_ (config_.takeover_after_us), fixed_report_to_ (config_.fixed_report_to),
      server_ports_ (config_.server_ports)
{
}

void StreamGate::set_server_ports (ServerPorts ports)
{
  std::lock_guard<std::mutex> guard (lock_);
  server_ports_ = ports;
  announced_rtp_seen_ = announced_rtcp_seen_ = rtcp_latched_ = false;
  latch_after_us_ = 0;
  play_sent_ = false;
  n_stale_ = 0;
  if (sender_.present && !server_ports_.allow_rtp (sender_.rtp_from))
    sender_ = SenderState ();
  else if (sender_.rtcp_from.valid && !server_ports_.allow_rtcp (sender_.rtcp_from))
    sender_.rtcp_from = Peer ();
}

void StreamGate::follow_undeclared_ports_after (gint64 at_us)
{
  std::lock_guard<std::mutex> guard (lock_);
  latch_after_us_ = at_us;
}

void StreamGate::play_sent ()
{
  std::lock_guard<std::mutex> guard (lock_);
  play_sent_ = true;
}

void StreamGate::set_fixed_report_to (const Peer &to)
{
  std::lock_guard<std::mutex> guard (lock_);
  fixed_report_to_ = to;
}

void StreamGate::set_filter (std::shared_ptr<const SenderFilter> filter)
{
  std::lock_guard<std::mutex> guard (lock_);
  filter_ = std::move (filter);
  /* A sender the new list leaves out is no longer the stream's: no report
   * goes to it, and the next allowed sender locks the stream at once. */
  if (sender_.present && filter_ && !filter_->allows (sender_.rtp_from))
    sender_ = SenderState ();
}

void StreamGate::count_malformed (const Peer &from)
{
  std::lock_guard<std::mutex> guard (lock_);
  count_drop (Drop::Malformed, from);
}

void StreamGate::count_kernel_drops (guint64 count)
{
  std::lock_guard<std::mutex> guard (lock_);
  counters_.dropped_kernel += count;
  pending_.kernel += count;
}

void StreamGate::set_takeover_after (gint64 us)
{
  std::lock_guard<std::mutex> guard (lock_);
  takeover_after_us_ = us;
}

void StreamGate::count_drop (Drop drop, const Peer &from)
{
  switch (drop) {
    case Drop::NotAllowed:
      counters_.dropped_not_allowed++;
      pending_.not_allowed++;
      break;
    case Drop::Malformed:
      counters_.dropped_malformed++;
      pending_.malformed++;
      break;
    case Drop::ForeignSender:
      counters_.dropped_foreign++;
      pending_.foreign++;
      break;
    case Drop::OutOfSequence:
      counters_.dropped_out_of_sequence++;
      pending_.out_of_sequence++;
      break;
    case Drop::NotForUs:
      /* Counted, not warned about: a camera's first SR may well overtake
       * its first RTP packet on the other socket, and on a multicast group
       * the other receivers' reports arrive as well. */
      counters_.dropped_foreign++;
      return;
    case Drop::None:
      return;
  }
  pending_.example = from;
  pending_.example_reason = drop;
}

GateVerdict StreamGate::reject (GateVerdict v, Drop drop, const Peer &from)
{
  v.drop = drop;
  count_drop (drop, from);
  return v;
}

namespace {

/* Whether @h belongs to a sequence whose highest packet was @seq and @ts,
 * read at @at_us: within the misorder/dropout limits (ahead only, with
 * @ahead_only), and no further ahead in time than any clock could have run. */
bool follows (const RtpHeader &h, gint64 now_us, guint16 seq, guint32 ts, gint64 at_us,
    bool ahead_only)
{
  const gint32 seq_delta = gint16 (guint16 (h.seq - seq));
  if (seq_delta < (ahead_only ? 1 : -kMaxMisorder) || seq_delta > kMaxDropout)
    return false;
  const gint64 ts_delta = gint32 (h.timestamp - ts);
  const gint64 elapsed_us = std::max<gint64> (now_us - at_us, 0);
  return ts_delta >= -kMaxClockRate &&
      ts_delta <= kMaxClockRate + elapsed_us * kMaxClockRate / G_USEC_PER_SEC;
}

}  // namespace

bool StreamGate::plausible (const RtpHeader &h, gint64 now_us) const
{
  return follows (h, now_us, highest_seq_, highest_ts_, highest_at_us_, false);
}

/* RFC 3550 A.8: the interarrival jitter in the stream's clock, and the
 * bitrate over whole seconds. */
void StreamGate::measure (const RtpHeader &h, size_t size, gint64 now_us)
{
  if (config_.clock_rate > 0) {
    const gint64 arrival = now_us * config_.clock_rate / G_USEC_PER_SEC;
    const gint64 transit = arrival - gint64 (h.timestamp);
    if (have_transit_) {
      gint64 d = transit - last_transit_;
      /* The timestamp wrapped (or jumped): not a transit difference. */
      if (std::abs (d) < gint64 (config_.clock_rate) * 60)
        jitter_ += (double (std::abs (d)) - jitter_) / 16.0;
    }
    last_transit_ = transit;
    have_transit_ = true;
  }
  if (!window_start_us_)
    window_start_us_ = now_us;
  window_bytes_ += size;
  if (now_us - window_start_us_ >= G_USEC_PER_SEC) {
    bitrate_ = window_bytes_ * 8 * G_USEC_PER_SEC / guint64 (now_us - window_start_us_);
    bitrate_at_us_ = now_us;
    window_start_us_ = now_us;
    window_bytes_ = 0;
  }
}

void StreamGate::follow (const RtpHeader &h, gint64 now_us)
{
  highest_seq_ = h.seq;
  highest_ts_ = h.timestamp;
  highest_at_us_ = now_us;
}

/* How quiet the sender must be before a newcomer of its host may show its
 * sequence: never less than kSameHostQuiet, twice its longest recent gap,
 * and never more than sender-timeout. */
gint64 StreamGate::same_host_quiet () const
{
  const bool pace_shown = pace_.last_rtp_us - pace_.since_us >= std::max (kPaceShown, takeover_after_us_);
  if (!pace_shown || sender_.last_seen_us < no_quick_way_until_us_)
    return takeover_after_us_ > 0 ? takeover_after_us_ : G_MAXINT64;
  const gint64 quiet = std::max (kSameHostQuiet, 2 * std::max (pace_.gap_max, pace_.gap_max_before));
  return takeover_after_us_ > 0 ? std::min (quiet, takeover_after_us_) : quiet;
}

void StreamGate::note_pace (gint64 now_us)
{
  Pace &p = pace_;
  if (p.last_rtp_us) {
    if (now_us - p.window_start_us >= kGapWindow) {
      p.gap_max_before = p.gap_max;
      p.gap_max = 0;
      p.window_start_us = now_us;
    }
    p.gap_max = std::max (p.gap_max, now_us - p.last_rtp_us);
  }
  p.last_rtp_us = now_us;
}

StreamGate::Takeover StreamGate::may_take_over (const Peer &from, gint64 now_us) const
{
  if (!sender_.present || sender_.said_bye)
    return Takeover::AtOnce;
  const gint64 quiet = now_us - sender_.last_seen_us;
  if (takeover_after_us_ > 0 && quiet >= takeover_after_us_)
    return Takeover::AtOnce;  /* 0: only after BYE */
  if (sender_.rtp_from.same_host (from) && quiet >= same_host_quiet ())
    return Takeover::AfterRun;
  return Takeover::Refused;
}

/* The sender a newcomer of its host displaced, continuing its own sequence. */
bool StreamGate::reclaims (const RtpHeader &h, const Peer &from, gint64 now_us) const
{
  const Displaced &d = displaced_;
  return d.valid && h.ssrc == d.ssrc && d.from.same_host (from) &&
      now_us - d.highest_at_us <= kReclaimWindow &&
      follows (h, now_us, d.highest_seq, d.highest_ts, d.highest_at_us, true);
}

/* @header's sender becomes the stream's. */
void StreamGate::switch_to (GateVerdict &v, const RtpHeader &header, const Peer &from, gint64 now_us)
{
  v.sender_changed = true;
  v.had_previous = sender_.present;
  v.previous_ssrc = sender_.ssrc;
  v.sender = from;
  v.packets_before = counters_.packets;
  sender_ = SenderState ();
  sender_.present = true;
  sender_.ssrc = header.ssrc;
  in_sequence_ = 0;
  lost_before_ += sequence_.lost ();
  duplicates_before_ += sequence_.duplicates ();
  sequence_ = SequenceTracker ();
  counters_.sender_changes++;
  resync_pending_ = false;
  jitter_ = 0;
  have_transit_ = false;
  pace_ = Pace ();
  pace_.since_us = pace_.window_start_us = now_us;
  candidate_ = Candidate ();
  follow (header, now_us);
}

/* From the current sender's host: its RTCP port, its RTP port (one socket
 * for both, which never locks another port out), any port before its first
 * RTCP, or once the learned port has been quiet long enough. */
bool StreamGate::sender_rtcp_port (const Peer &from, gint64 now_us) const
{
  const Peer &known = sender_.rtcp_from;
  const guint16 rtp_port = sender_.rtp_from.port;
  return !known.valid || known.port == rtp_port || from.port == known.port ||
      from.port == rtp_port || now_us - sender_.rtcp_seen_us >= kRtcpPortQuiet;
}

/* A camera's RTP from a port it did not announce may be followed: its
 * announced port has sent nothing, and either the SSRC it named in SETUP
 * comes, or PLAY has been answered for a while and the sender did not
 * send before PLAY was asked for (a stale session of an earlier receiver
 * on these ports streams from its own ports with its own SSRC, before and
 * after). */
bool StreamGate::may_latch_rtp (gint64 now_us) const
{
  return server_ports_.rtp && !announced_rtp_seen_ &&
      (server_ports_.has_ssrc || (latch_after_us_ && now_us >= latch_after_us_));
}

bool StreamGate::latches_rtp (const RtpHeader &header, const Peer &from, gint64 now_us) const
{
  if (server_ports_.has_ssrc)
    return header.ssrc == server_ports_.ssrc;
  if (!latch_after_us_ || now_us < latch_after_us_)
    return false;
  for (size_t i = 0; i < n_stale_; i++)
    if (stale_[i].ssrc == header.ssrc && stale_[i].from == from)
      return false;
  return true;
}

/* RTP from an undeclared port before PLAY was sent: not the camera's
 * answer to it. Remembered, the oldest forgotten past a few. */
void StreamGate::note_stale (const guint8 *data, size_t size, const Peer &from)
{
  RtpHeader header;
  if (play_sent_ || !server_ports_.rtp || server_ports_.has_ssrc || !parse_rtp (data, size, header))
    return;
  for (size_t i = 0; i < n_stale_; i++)
    if (stale_[i].ssrc == header.ssrc && stale_[i].from == from)
      return;
  if (n_stale_ == stale_.size ()) {
    std::move (stale_.begin () + 1, stale_.end (), stale_.begin ());
    n_stale_--;
  }
  stale_[n_stale_++] = {header.ssrc, from};
}

/* RTCP from a port the camera did not announce: the current sender's own
 * (its SSRC, from its host), while the announced RTCP port is silent. */
bool StreamGate::latches_rtcp (const RtcpSummary &summary, const Peer &from) const
{
  return sender_.present && summary.first_ssrc == sender_.ssrc && sender_.rtp_from.same_host (from);
}

GateVerdict StreamGate::rtp (const guint8 *data, size_t size, const Peer &from, gint64 now_us)
{
  GateVerdict v;
  RtpHeader header;
  std::lock_guard<std::mutex> guard (lock_);
  const bool announced = server_ports_.allow_rtp (from);
  if (!from.port || (filter_ && !filter_->allows (from)))
    return reject (v, Drop::NotAllowed, from);
  if (!announced && !may_latch_rtp (now_us)) {
    note_stale (data, size, from);
    return reject (v, Drop::NotAllowed, from);
  }
  if (!parse_rtp (data, size, header))
    return reject (v, Drop::Malformed, from);
  if (!announced) {
    if (!latches_rtp (header, from, now_us))
      return reject (v, Drop::NotAllowed, from);
    server_ports_.rtp = from.port;  /* from now on, only there */
    server_ports_.rtcp = 0;         /* its RTCP from wherever it comes */
    announced_rtp_seen_ = rtcp_latched_ = true;
    v.followed_port = true;
  } else if (server_ports_.rtp) {
    announced_rtp_seen_ = true;
  }
  v.ssrc = header.ssrc;
  const bool current = sender_.present && sender_.ssrc == header.ssrc &&
      sender_.rtp_from.same_host (from);
  /* The sender's SSRC from another port of its host: a restart on a new
   * socket once its RTP has gone quiet, never a replay beside it. */
  if (current && from.port != sender_.rtp_from.port &&
      now_us - counters_.last_packet_us < kResyncQuiet)
    return reject (v, Drop::OutOfSequence, from);
  if (!current && reclaims (header, from, now_us)) {
    displaced_ = Displaced ();  /* the newcomer it displaces gets no way back */
    switch_to (v, header, from, now_us);
    no_quick_way_until_us_ = now_us + kReclaimWindow;
  } else if (!current) {
    const Takeover takeover = may_take_over (from, now_us);
    if (takeover == Takeover::Refused)
      return reject (v, Drop::ForeignSender, from);
    if (takeover == Takeover::AfterRun) {
      /* The newcomer shows a sequence of its own, the sender staying quiet. */
      Candidate &c = candidate_;
      if (c.valid && c.ssrc == header.ssrc && c.from == from && header.seq == guint16 (c.last_seq + 1))
        c.run++;
      else
        c = {true, header.ssrc, from, header.seq, 1, now_us};
      c.last_seq = header.seq;
      if (c.run < kTakeoverRun || now_us - c.first_us < kSameHostQuiet)
        return reject (v, Drop::ForeignSender, from);
      /* The sender to hand the stream back to: the one displaced first, while
       * it may still come back (a relay of newcomers does not erase it). */
      if (!displaced_.valid || now_us - displaced_.highest_at_us > kReclaimWindow)
        displaced_ = {true, sender_.ssrc, sender_.rtp_from, highest_seq_, highest_ts_, highest_at_us_};
    } else {
      displaced_ = Displaced ();
    }
    switch_to (v, header, from, now_us);
  } else if (!plausible (header, now_us)) {
    /* Blind spoofing, or the sender restarted its sequence: believed only
     * when the sequence it replaces has gone quiet, and then on the second
     * packet in a row at the new place. */
    const bool second = resync_pending_ && header.seq == guint16 (resync_seq_ + 1) &&
        std::abs (gint64 (gint32 (header.timestamp - resync_ts_))) <= kMaxClockRate &&
        now_us - highest_at_us_ >= kResyncQuiet;
    if (!second) {
      resync_pending_ = true;
      resync_seq_ = header.seq;
      resync_ts_ = header.timestamp;
      return reject (v, Drop::OutOfSequence, from);
    }
    resync_pending_ = false;
    in_sequence_ = 0;
    follow (header, now_us);
  } else {
    resync_pending_ = false;  /* the sequence it would replace is alive */
    if (candidate_.valid)
      candidate_ = Candidate ();  /* and so is the sender: a newcomer starts again */
    if (guint16 (last_seq_ + 1) != header.seq)
      in_sequence_ = 0;
    if (gint16 (guint16 (header.seq - highest_seq_)) > 0)
      follow (header, now_us);
    /* Media after a BYE: the sender is alive (or the BYE was spoofed). */
    sender_.said_bye = false;
  }
  /* The sender's RTP moved (it restarted with its SSRC): so did its RTCP. */
  if (sender_.rtp_from.valid && sender_.rtp_from.port != from.port)
    sender_.rtcp_from = Peer ();
  sender_.rtp_from = from;
  sender_.last_seen_us = now_us;
  note_pace (now_us);
  last_seq_ = header.seq;
  if (!sender_.confirmed && ++in_sequence_ >= kProbation)
    sender_.confirmed = true;
  sequence_.add (header.seq);
  measure (header, size, now_us);
  counters_.packets++;
  counters_.bytes += header.payload_size;
  counters_.last_packet_us = now_us;
  return v;
}

GateVerdict StreamGate::admit (const guint8 *data, size_t size, const Peer &from, gint64 now_us,
    bool rtcp_socket)
{
  /* RFC 5761: on a muxed port, the packet type tells RTCP from RTP. */
  const bool is_rtcp = rtcp_socket || (config_.rtcp_mux && looks_like_rtcp (data, size));
  GateVerdict v = is_rtcp ? rtcp (data, size, from, now_us) : rtp (data, size, from, now_us);
  v.rtcp = is_rtcp;
  return v;
}

GateVerdict StreamGate::rtcp (const guint8 *data, size_t size, const Peer &from, gint64 now_us)
{
  GateVerdict v;
  RtcpSummary summary;
  std::lock_guard<std::mutex> guard (lock_);
  const bool announced = server_ports_.allow_rtcp (from);
  if (!from.port || (filter_ && !filter_->allows (from)) || (!announced && announced_rtcp_seen_))
    return reject (v, Drop::NotAllowed, from);
  if (!parse_rtcp (data, size, summary))
    return reject (v, Drop::Malformed, from);
  if (!announced && !latches_rtcp (summary, from))
    return reject (v, Drop::NotAllowed, from);
  v.ssrc = summary.first_ssrc;
  if (!sender_.present)
    return reject (v, Drop::NotForUs, from);
  /* On a group, the other receivers' reports reach us too: expected, not hostile. */
  if (config_.multicast && summary.first_type == kRtcpReceiverReport &&
      summary.first_ssrc != sender_.ssrc)
    return reject (v, Drop::NotForUs, from);
  /* Only the current sender speaks, and only of itself: a compound naming
   * other sources would make rtpsession create them. */
  if (summary.first_ssrc != sender_.ssrc || !summary.only_first_ssrc ||
      !sender_.rtp_from.same_host (from) || !sender_rtcp_port (from, now_us))
    return reject (v, Drop::ForeignSender, from);
  /* RTCP from the RTP socket keeps a separate RTCP port learned before,
   * and does not keep that port alive. */
  if (!sender_.rtcp_from.valid || from.port != sender_.rtp_from.port)
    sender_.rtcp_from = from;
  if (from.port == sender_.rtcp_from.port)
    sender_.rtcp_seen_us = now_us;
  sender_.last_seen_us = now_us;
  if (summary.bye)
    sender_.said_bye = true;
  if (!announced)
    rtcp_latched_ = true;  /* reports go where it comes from */
  else if (server_ports_.rtcp && from.port == server_ports_.rtcp)
    announced_rtcp_seen_ = true;
  counters_.rtcp_packets++;
  return v;
}

GObjectPtr<GSocketAddress> StreamGate::report_destination (std::string *why)
{
  std::lock_guard<std::mutex> guard (lock_);
  Peer to;
  if (fixed_report_to_.valid && !rtcp_latched_) {
    to = fixed_report_to_;
  } else if (!sender_.present || !sender_.confirmed) {
    if (why)
      *why = "no sender has passed probation yet";
    return {};
  } else if (sender_.rtcp_from.valid) {
    to = sender_.rtcp_from;
  } else {
    to = sender_.rtp_from;
    if (!config_.rtcp_mux) {
      if (to.port == 0 || to.port == 65535) {
        if (why)
          *why = "the sender's RTP port " + std::to_string (to.port) + " has no RTCP port after it";
        return {};
      }
      to.port++;
    }
  }
  GObjectPtr<GSocketAddress> address = to.to_socket_address (config_.local_family);
  if (!address && why)
    *why = to.port == 0 ? "port 0 of " + to.host_string () + " cannot be sent to"
        : "an IPv4 socket cannot reach " + to.host_string ();
  return address;
}

SenderState StreamGate::sender ()
{
  std::lock_guard<std::mutex> guard (lock_);
  return sender_;
}

GateCounters StreamGate::counters ()
{
  std::lock_guard<std::mutex> guard (lock_);
  GateCounters c = counters_;
  c.lost = lost_before_ + sequence_.lost ();
  c.duplicates = duplicates_before_ + sequence_.duplicates ();
  c.jitter = guint (jitter_);
  c.bitrate = bitrate_;
  return c;
}

bool StreamGate::take_drop_report (gint64 now_us, gint64 interval_us, DropReport &report)
{
  std::lock_guard<std::mutex> guard (lock_);
  if (pending_.total () == 0 || (reported_once_ && now_us - last_report_us_ < interval_us))
    return false;
  report = pending_;
  pending_ = DropReport ();
  last_report_us_ = now_us;
  reported_once_ = true;
  return true;
}

}  // namespace hostnetrtp
