/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — port allocation: binds RTP/RTCP sockets inside a port range.
 *
 * Pure GIO, no GStreamer elements. The bind *is* the reservation: a pair is
 * ours as soon as both sockets are bound, and nobody else can share it
 * because unicast sockets are bound without SO_REUSEADDR/SO_REUSEPORT. */
#pragma once

#include "owned.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hostnetrtp {

struct PortRange {
  guint16 min = 0;  /* 0: the kernel picks (ephemeral ports) */
  guint16 max = 0;
  bool fixed_pair = false;  /* written as one port: that port and the next */
  bool kernel_chosen () const { return min == 0; }
  std::string to_string () const;
};

/* Parses "MIN-MAX" (inclusive), "PORT" (the fixed pair PORT/PORT+1) or ""
 * (kernel-chosen). On failure returns false and a sentence naming the value
 * in @error. */
bool parse_port_range (const char *text, PortRange &range, std::string &error);

/* One stream's sockets. With rtcp-mux, rtcp is null and rtcp_port == rtp_port. */
struct BoundStream {
  GObjectPtr<GSocket> rtp;
  GObjectPtr<GSocket> rtcp;
  guint16 rtp_port = 0;
  guint16 rtcp_port = 0;
};

struct AllocationRequest {
  GInetAddress *address = nullptr;  /* borrowed; wildcard, unicast or multicast group */
  PortRange range;
  unsigned n_streams = 1;
  bool rtcp_mux = false;
  guint64 start_seed = 0;           /* where this replica starts its walk */
  guint16 preferred_rtp_port = 0;   /* tried first if in the range: a restart's previous pair */
  int receive_buffer_size = 0;      /* bytes, 0 = kernel default */
  std::vector<std::string> multicast_interfaces;  /* empty: the default one */
};

struct Allocation {
  std::vector<BoundStream> streams;
  unsigned candidates_tried = 0;    /* pairs (or ports with rtcp-mux) tried */
  unsigned candidates_in_range = 0;
  int receive_buffer_granted = 0;   /* the smallest size the kernel granted, bytes */
};

/* Binds every stream's sockets, all or nothing. On failure returns false,
 * holds no socket and explains in @error (which range, how many tried). */
bool allocate_ports (const AllocationRequest &request, Allocation &allocation,
    std::string &error);

/* The walk's starting point for this replica: a hash of $POD_NAME when the
 * Downward API sets it (a restarted pod tends to get its pair back), random
 * otherwise (under hostNetwork the host name is the node's). */
guint64 replica_start_seed ();

/* Where the walk over @n candidates starts for @seed. */
unsigned walk_start (guint64 seed, unsigned n);

/* The part of @range that the kernel may hand out as ephemeral ports and that
 * ip_local_reserved_ports does not protect, as "A-B" text; "" if none. The
 * kernel's whole ephemeral range goes to @kernel_range ("A-B") if given.
 * The two /proc texts are parameters so the logic is testable. */
std::string unreserved_ephemeral_overlap (const PortRange &range,
    const std::string &ip_local_port_range, const std::string &ip_local_reserved_ports,
    std::string *kernel_range = nullptr);

/* The same, reading this machine's /proc/sys/net/ipv4 files. */
std::string unreserved_ephemeral_overlap (const PortRange &range,
    std::string *kernel_range = nullptr);

}  // namespace hostnetrtp
