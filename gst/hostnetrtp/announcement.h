/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

/* "hostnetrtp-allocation": address, advertise-address, rtcp-mux, multicast,
 * rtp-port and rtcp-port (stream 0), n-streams, and each stream twice: as
 * stream-0, stream-1, ... (structures: readable from any language, Python
 * included) and in the array `streams` (C and gst-launch). A stream
 * structure holds index, media, encoding-name, payload, clock-rate, rtp-port
 * and rtcp-port. @extra fields (pull mode: the camera) are added as they are. */
GstStructure *announcement_structure (const Announcement &announcement,
    const GstStructure *extra = nullptr);

/* Who writes an SDP: a reader tells a live writer's file from one left
 * behind by a process that is gone (pid and its start time, since pids are
 * reused), and a person reads which pod it was. */
struct SdpWriter {
  int pid = 0;
  guint64 start_ticks = 0;  /* /proc/PID/stat field 22: clock ticks after boot */
  std::string pod;          /* $POD_NAME, may be empty */
  std::string host;

  static SdpWriter self ();
  /* From an SDP's a=x-hostnetrtp-writer line; false if it has none. */
  static bool from_sdp (const std::string &sdp, SdpWriter &writer);
  /* True while the process that wrote it runs. */
  bool alive () const;
  bool operator== (const SdpWriter &o) const { return pid == o.pid && start_ticks == o.start_ticks; }
};

/* An SDP that tells a sender where to send: c= the advertise address, one m=
 * line per stream with a=rtpmap (and fmtp from the caps) and a=rtcp, and who
 * wrote it: o= carries the pod (else the host) and a unique session id,
 * a=x-hostnetrtp-writer the pid, its start time, the pod and the host. */
bool announcement_sdp (const Announcement &announcement, std::string &sdp, std::string &error);

/* Expands the placeholders of an sdp-file template, so replicas running the
 * same pipeline text write distinct files: {rtp-port} (stream 0's port,
 * unique on the node), {pid}, and {pod} ($POD_NAME; without it the host
 * name and pid: under hostNetwork the host name is the node's, shared by
 * every replica). False with a sentence on an unknown {placeholder}. */
bool expand_sdp_path (const std::string &pattern, guint rtp_port, std::string &path,
    std::string &error);

/* Writes @contents so that a reader sees the old file or the new one, never
 * a part (temporary file + rename). Refuses, with a sentence, to replace an
 * SDP another running process wrote. */
bool write_sdp_file (const std::string &path, const std::string &contents, std::string &error);

/* One writer per path in this process, too (two elements of one pipeline
 * given the same sdp-file): false, with a sentence, if another holds it. */
bool claim_sdp_path (const std::string &path, const void *writer, std::string &error);
void release_sdp_path (const std::string &path, const void *writer);

/* Removes @path if it still holds @contents (what this process wrote), so a
 * replica never deletes the file of another one that shares the path.
 * True if it removed it. */
bool remove_sdp_file_if_ours (const std::string &path, const std::string &contents);

}  // namespace hostnetrtp
