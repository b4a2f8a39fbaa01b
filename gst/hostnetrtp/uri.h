/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — the element's own URI scheme.
 *
 *   hostnetrtp://[address][:port-range][/][?property=value&...]
 *
 * e.g. hostnetrtp://:32546-32599?encoding-name=H264&latency=100,
 * hostnetrtp://[ff15::7]:5004?multicast-iface=eth0 (IPv6 in brackets), or
 * hostnetrtp://?location=rtsp://cam-17/stream1 for pull mode. Values are
 * percent-decoded; a value holding '&' or '#' must be percent-encoded. */
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hostnetrtp {

inline constexpr const char *kUriScheme = "hostnetrtp";

struct HostnetRtpUri {
  std::string address;     /* empty: not given */
  std::string port_range;  /* empty: not given */
  /* Every query item, decoded, in order; names are not checked here. */
  std::vector<std::pair<std::string, std::string>> properties;
};

/* Parses @text; false with a reason that names the part at fault. */
bool parse_uri (const std::string &text, HostnetRtpUri &out, std::string &error);

/* True if @text starts with "hostnetrtp:" (any case). */
bool is_hostnetrtp_uri (const std::string &text);

}  // namespace hostnetrtp
