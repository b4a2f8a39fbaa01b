/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — stream descriptions: encoding names to complete RTP caps.
 *
 * Depayloaders want media, clock-rate and encoding-name; cameras are
 * configured by name ("H264"), so the common names map to full caps. */
#pragma once

#include "owned.h"

#include <string>
#include <vector>

namespace hostnetrtp {

struct StreamDescription {
  CapsRef caps;               /* application/x-rtp, one fixed structure; shared when copied */
  std::string media;          /* "video", "audio", ... */
  std::string encoding_name;  /* upper case, may be empty */
  int clock_rate = 0;
  int payload = 96;
};

/* Complete caps for a known encoding name (case-insensitive); null and a
 * sentence listing the known names in @error otherwise. */
GstCaps *caps_for_encoding_name (const std::string &name, std::string &error);

/* One description per caps structure; fills clock-rate/payload from the
 * encoding table where missing. False with a sentence on anything not RTP. */
bool describe_streams (const GstCaps *caps, std::vector<StreamDescription> &streams,
    std::string &error);

/* The stream's caps for payload type @pt: the configured caps for its own
 * payload type and for any dynamic one (a sender using 107 where 96 was
 * configured is still mapped, not dropped); a static payload type other
 * than the configured one (RFC 3551, 0-95) maps to its own encoding. */
GstCaps *caps_for_payload (const StreamDescription &stream, guint pt);

/* Comma-separated list of the known encoding names, for messages and docs. */
std::string known_encoding_names ();

}  // namespace hostnetrtp
