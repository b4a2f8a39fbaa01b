/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — who sent a datagram, and who may.
 *
 * A sender's address in one comparable form (IPv4 kept as IPv4-mapped
 * IPv6, so a dual-stack socket's ::ffff:192.0.2.7 and an IPv4 socket's
 * 192.0.2.7 are one sender), and the allowed-senders list of addresses and
 * CIDR prefixes. Pure: no elements; the list parser is fuzzed. */
#pragma once

#include "owned.h"

#include <array>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace hostnetrtp {

struct Peer {
  std::array<guint8, 16> ip {};  /* IPv6, or IPv4-mapped IPv6 */
  guint16 port = 0;
  bool valid = false;

  static Peer from_native (const struct sockaddr *address, socklen_t length);
  static Peer from_socket_address (GSocketAddress *address);
  /* @text: an IPv4 or IPv6 literal; an invalid Peer otherwise. */
  static Peer from_string (const std::string &text, guint16 port = 0);

  bool is_ipv4 () const;
  bool same_host (const Peer &other) const { return valid && other.valid && ip == other.ip; }
  bool operator== (const Peer &o) const { return same_host (o) && port == o.port; }
  bool operator!= (const Peer &o) const { return !(*this == o); }

  std::string host_string () const;  /* 192.0.2.7, 2001:db8::7 */
  std::string to_string () const;    /* 192.0.2.7:5004, [2001:db8::7]:5004 */

  /* The address to send to from a socket of @family: an IPv4 peer is mapped
   * for an IPv6 (dual-stack) socket; null when the socket cannot reach it
   * (an IPv6 peer from an IPv4 socket) or the port is 0. */
  GObjectPtr<GSocketAddress> to_socket_address (GSocketFamily family) const;
};

/* allowed-senders: "192.0.2.10, 198.51.100.0/24, 2001:db8::/32". */
class SenderFilter {
 public:
  /* False with a sentence naming the bad item in @error. Empty text: all. */
  static bool parse (const std::string &text, SenderFilter &filter, std::string &error);

  bool allows (const Peer &peer) const;
  bool allows_all () const { return prefixes_.empty (); }
  std::string to_string () const;  /* normalised, as read back from the property */

 private:
  struct Prefix {
    std::array<guint8, 16> ip {};
    unsigned bits = 128;  /* in the IPv6 (mapped) space */
    bool ipv4 = false;
  };
  std::vector<Prefix> prefixes_;
};

}  // namespace hostnetrtp
