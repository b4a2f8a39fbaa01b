/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — what a datagram from the network is: RTP, RTCP or junk.
 *
 * Every byte here comes from anyone who can reach the node, so the parsers
 * check each length before they read and never trust a count field. Pure
 * functions over bytes: no GStreamer objects, fuzzed in tests/fuzz. */
#pragma once

#include <glib.h>

#include <cstddef>

namespace hostnetrtp {

/* RFC 5761 section 4: on a muxed port, a second byte of 192-223 is RTCP. */
bool looks_like_rtcp (const guint8 *data, size_t size);

struct RtpHeader {
  guint32 ssrc = 0;
  guint32 timestamp = 0;
  guint16 seq = 0;
  guint8 payload_type = 0;
  size_t payload_offset = 0;
  size_t payload_size = 0;
};

/* A valid RTP packet (RFC 3550 5.1): version 2, the CSRC list, header
 * extension and padding all inside the datagram, not an RTCP type. */
bool parse_rtp (const guint8 *data, size_t size, RtpHeader &header);

struct RtcpSummary {
  guint8 first_type = 0;       /* 200 SR, 201 RR, ... */
  guint32 first_ssrc = 0;      /* the sender's SSRC: every packet type has it at byte 4 */
  bool only_first_ssrc = true; /* no SR/RR/SDES/BYE packet names another source */
  bool bye = false;            /* a BYE for first_ssrc is in the compound */
  unsigned packets = 0;
};

/* A valid RTCP compound (RFC 3550 6.1, reduced-size RFC 5506 allowed):
 * version 2 in every packet, lengths that add up to the datagram, padding
 * only on the last packet, and an SSRC in the first one. */
bool parse_rtcp (const guint8 *data, size_t size, RtcpSummary &summary);

}  // namespace hostnetrtp
