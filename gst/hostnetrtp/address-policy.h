/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — address policy: where to bind, what to advertise.
 *
 * Replicas on one node share one loopback, and a camera outside the node can
 * never reach it, so a loopback bind is rewritten (or refused), and the
 * address told to senders is never loopback. Pure GIO, no elements. */
#pragma once

#include "owned.h"

#include <string>

namespace hostnetrtp {

enum class LoopbackPolicy { Rewrite, Error, Allow };

/* 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z). */
bool is_loopback (GInetAddress *address);
bool is_wildcard (GInetAddress *address);

struct BindAddress {
  GObjectPtr<GInetAddress> address;
  bool rewritten = false;    /* a loopback address was replaced by the wildcard */
  std::string warning;       /* set when rewritten: what happened and what to do */
};

/* Parses or resolves @text (empty: the IPv4 wildcard) and applies @policy to
 * a loopback result. False with a sentence in @error when the address does
 * not parse or resolve, or when the policy refuses it. */
bool resolve_bind_address (const std::string &text, LoopbackPolicy policy, BindAddress &out,
    std::string &error);

struct AdvertiseAddress {
  std::string address;       /* empty: none could be found */
  std::string source;        /* where it came from, for the log and the message */
  std::string warning;
};

/* The address senders should send to. Order: the configured one, a specific
 * bound address, $HOSTNETRTP_ADVERTISE_ADDRESS, $HOST_IP, $POD_IP, the
 * interface holding the default route, the first non-loopback interface.
 * Only addresses of a family the socket bound to @bound receives count
 * (IPv4 for an IPv4 bind, IPv6 for a specific IPv6 bind, either for ::).
 * A configured loopback address is handled by @policy like a bind address;
 * a loopback, malformed or unreceivable value from the environment is
 * passed over. Everything passed over or rewritten is named in
 * out.warning. False with a sentence in @error for a configured value that
 * is not an address, cannot be received, or is refused by the policy. */
bool choose_advertise_address (const std::string &configured, GInetAddress *bound,
    LoopbackPolicy policy, AdvertiseAddress &out, std::string &error);

/* The address of the interface holding the default route, else the first
 * non-loopback interface address of the families asked for, IPv4 first.
 * Empty if none. */
std::string detect_host_address (bool ipv4 = true, bool ipv6 = true);

const char *loopback_policy_name (LoopbackPolicy policy);

}  // namespace hostnetrtp
