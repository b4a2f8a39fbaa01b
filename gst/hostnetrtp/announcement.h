/* hostnetrtp — announcement: where the element listens, told to the world.
 *
 * A controller that points cameras at replicas reads this either from the
 * bus (an element message) or from an SDP file. */
#pragma once

#include "owned.h"

#include <string>
#include <vector>

namespace hostnetrtp {

/* Name of the element message's structure. */
constexpr const char *kAllocationMessageName = "hostnetrtp-allocation";

struct AnnouncedStream {
  const GstCaps *caps = nullptr;  /* borrowed: the stream's RTP caps */
  std::string media;
  std::string encoding_name;
  int payload = 0;
  int clock_rate = 0;
  guint rtp_port = 0;
  guint rtcp_port = 0;
};

struct Announcement {
  std::string bound_address;
  std::string advertise_address;
  bool rtcp_mux = false;
  bool multicast = false;
  std::vector<AnnouncedStream> streams;
};

/* "hostnetrtp-allocation": address, advertise-address, rtcp-mux, rtp-port and
 * rtcp-port (stream 0), and streams: an array of "stream" structures (index,
 * media, encoding-name, payload, clock-rate, rtp-port, rtcp-port). */
GstStructure *announcement_structure (const Announcement &announcement);

/* An SDP that tells a sender where to send: c= the advertise address, one m=
 * line per stream with a=rtpmap (and fmtp from the caps) and a=rtcp. */
bool announcement_sdp (const Announcement &announcement, std::string &sdp, std::string &error);

/* Expands the placeholders of an sdp-file template, so replicas running the
 * same pipeline text write distinct files: {rtp-port} (stream 0's port,
 * unique on the node), {pid}, and {pod} ($POD_NAME, else the host name). */
std::string expand_sdp_path (const std::string &pattern, guint rtp_port);

/* Writes @contents so that a reader sees the old file or the new one, never
 * a part (temporary file + rename). */
bool write_file_atomically (const std::string &path, const std::string &contents,
    std::string &error);

}  // namespace hostnetrtp
