/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp fuzz target: what the network sends. The input is a series of
 * datagrams ([flags][length][bytes]...): each goes to the RTP or the RTCP
 * side of one stream gate, from one of a few senders, at a moving time; the
 * parsers, the one-sender rule, the plausibility window, the sequence
 * tracker and the report destination all run on it. Checks that hold for
 * any input: a drop is counted, a destination is never port 0. */
#include "packet.h"
#include "stream-gate.h"

#include <cstdlib>

using namespace hostnetrtp;

extern "C" int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const Peer senders[] = {
    Peer::from_string ("192.0.2.7", 40000), Peer::from_string ("192.0.2.7", 40001),
    Peer::from_string ("198.51.100.9", 65535), Peer::from_string ("2001:db8::7", 0),
  };
  GateConfig config;
  config.local_family = (size && (data[0] & 1)) ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4;
  config.rtcp_mux = size && (data[0] & 2);
  StreamGate gate (config);
  gint64 now = G_USEC_PER_SEC;
  size_t at = size ? 1 : 0;
  while (at + 3 <= size) {
    const uint8_t flags = data[at];
    size_t length = (size_t (data[at + 1]) << 8) | data[at + 2];
    at += 3;
    length = std::min (length, size - at);
    const uint8_t *datagram = data + at;
    at += length;
    const Peer &from = senders[(flags >> 1) & 3];
    now += (flags >> 3) * 50000;  /* up to 1.5 s between datagrams */

    RtpHeader header;
    if (parse_rtp (datagram, length, header) &&
        header.payload_offset + header.payload_size > length)
      std::abort ();  /* the payload must lie inside the datagram */
    RtcpSummary summary;
    parse_rtcp (datagram, length, summary);
    looks_like_rtcp (datagram, length);

    const GateCounters before = gate.counters ();
    GateVerdict v = (flags & 1) ? gate.rtcp (datagram, length, from, now)
        : gate.rtp (datagram, length, from, now);
    const GateCounters after = gate.counters ();
    const guint64 dropped_before = before.dropped_not_allowed + before.dropped_malformed +
        before.dropped_foreign + before.dropped_out_of_sequence;
    const guint64 dropped_after = after.dropped_not_allowed + after.dropped_malformed +
        after.dropped_foreign + after.dropped_out_of_sequence;
    if (!v.accepted () && dropped_after != dropped_before + 1)
      std::abort ();  /* every drop is counted */
    if (GObjectPtr<GSocketAddress> to = gate.report_destination ()) {
      if (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (to.get ())) == 0)
        std::abort ();  /* never a report to port 0 */
    }
    DropReport report;
    gate.take_drop_report (now, 10 * G_USEC_PER_SEC, report);
  }
  return 0;
}
