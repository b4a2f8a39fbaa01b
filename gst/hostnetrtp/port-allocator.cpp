/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — port allocation. See port-allocator.h. */
#include "port-allocator.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <net/if.h>
#include <sstream>
#include <sys/socket.h>

namespace hostnetrtp {

namespace {

constexpr unsigned kKernelChosenAttempts = 64;

std::string trim (const std::string &s)
{
  const char *ws = " \t\r\n";
  auto b = s.find_first_not_of (ws);
  if (b == std::string::npos)
    return "";
  return s.substr (b, s.find_last_not_of (ws) - b + 1);
}

/* Parses a decimal port 1..65535; false for anything else. */
bool parse_port (const std::string &text, guint16 &port)
{
  if (text.empty () || text.size () > 5 ||
      !std::all_of (text.begin (), text.end (), [] (char c) { return c >= '0' && c <= '9'; }))
    return false;
  unsigned long v = std::strtoul (text.c_str (), nullptr, 10);
  if (v < 1 || v > 65535)
    return false;
  port = static_cast<guint16> (v);
  return true;
}

std::string address_text (GInetAddress *address)
{
  GCharPtr s (g_inet_address_to_string (address));
  return s.get ();
}

guint16 local_port (GSocket *socket)
{
  GObjectPtr<GSocketAddress> local (g_socket_get_local_address (socket, nullptr));
  return local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local.get ())) : 0;
}

/* bind(2)'s EADDRNOTAVAIL (an address not on this host): GLib maps it to
 * G_IO_ERROR_FAILED before 2.81 and to G_IO_ERROR_CONNECTION_REFUSED since
 * (GLib commit f09a8e2b); bind never fails with ECONNREFUSED itself. At run
 * time, not by GLIB_CHECK_VERSION: the GLib a build runs on may be newer. */
bool address_not_available (const GError *err)
{
  return g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
      g_error_matches (err, G_IO_ERROR, G_IO_ERROR_FAILED);
}

/* Creates a UDP socket and binds it; the bind is the reservation. */
GObjectPtr<GSocket> bind_udp (GInetAddress *address, guint16 port, bool reuse, GErrorPtr &error)
{
  GError *err = nullptr;
  GObjectPtr<GSocket> socket (g_socket_new (g_inet_address_get_family (address),
      G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &err));
  if (!socket) {
    error.reset (err);
    return {};
  }
  GObjectPtr<GSocketAddress> where (g_inet_socket_address_new (address, port));
  /* allow_reuse=FALSE makes GLib clear SO_REUSEADDR and SO_REUSEPORT. */
  if (!g_socket_bind (socket.get (), where.get (), reuse, &err)) {
    error.reset (err);
    return {};
  }
  return socket;
}

/* Sets the receive buffer, forcing past net.core.rmem_max where privileged.
 * Returns what the kernel granted, in the units of the request. */
int set_receive_buffer (GSocket *socket, int wanted)
{
  int fd = g_socket_get_fd (socket);
  int granted = 0;
  socklen_t len = sizeof (granted);
  if (wanted > 0) {
    setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &wanted, sizeof (wanted));
    getsockopt (fd, SOL_SOCKET, SO_RCVBUF, &granted, &len);
    /* Linux reports twice the size it was asked for (bookkeeping overhead). */
    if (granted / 2 < wanted) {
      setsockopt (fd, SOL_SOCKET, SO_RCVBUFFORCE, &wanted, sizeof (wanted));
      len = sizeof (granted);
      getsockopt (fd, SOL_SOCKET, SO_RCVBUF, &granted, &len);
    }
  } else {
    getsockopt (fd, SOL_SOCKET, SO_RCVBUF, &granted, &len);
  }
  return granted / 2;
}

struct Candidates {
  guint16 first = 0;
  unsigned step = 2;
  unsigned count = 0;
};

Candidates candidates_in (const PortRange &range, bool rtcp_mux)
{
  Candidates c;
  c.step = rtcp_mux ? 1 : 2;
  unsigned max = range.max;
  if (range.fixed_pair && !rtcp_mux)
    max = range.min + 1u;  /* one port names a fixed pair */
  unsigned first = range.min;
  if (!rtcp_mux && (first & 1u))
    first++;  /* RTP takes even ports */
  c.first = static_cast<guint16> (std::min (first, 65535u));
  unsigned last_needed = first + (rtcp_mux ? 0u : 1u);
  if (last_needed <= max && max <= 65535u)
    c.count = (max - last_needed) / c.step + 1;
  return c;
}

enum class PairResult { Bound, InUse, Failed };

/* Tries to bind one stream at @rtp_port (and @rtp_port + 1 for RTCP). */
PairResult bind_pair (const AllocationRequest &req, guint16 rtp_port, BoundStream &out,
    std::string &error)
{
  bool reuse = g_inet_address_get_is_multicast (req.address);
  GErrorPtr err;
  auto explain = [&] (guint16 port) {
    std::ostringstream os;
    os << "cannot bind " << address_text (req.address) << " port " << port << ": "
       << err->message;
    if (g_error_matches (err.get (), G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
      os << " (ports below 1024 need CAP_NET_BIND_SERVICE: choose a higher port-range)";
    else if (address_not_available (err.get ()))
      os << " (is " << address_text (req.address) << " an address of this host?)";
    error = os.str ();
  };
  auto in_use = [&] { return g_error_matches (err.get (), G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE); };

  out.rtp = bind_udp (req.address, rtp_port, reuse, err);
  if (!out.rtp) {
    if (in_use ())
      return PairResult::InUse;
    explain (rtp_port);
    return PairResult::Failed;
  }
  out.rtp_port = local_port (out.rtp.get ());
  if (req.rtcp_mux) {
    out.rtcp_port = out.rtp_port;
    return PairResult::Bound;
  }
  if (out.rtp_port == 65535) {
    out.rtp.reset ();
    return PairResult::InUse;
  }
  out.rtcp = bind_udp (req.address, out.rtp_port + 1, reuse, err);
  if (!out.rtcp) {
    out.rtp.reset ();  /* never keep half a pair */
    if (in_use ())
      return PairResult::InUse;
    explain (rtp_port + 1);
    return PairResult::Failed;
  }
  out.rtcp_port = out.rtp_port + 1;
  return PairResult::Bound;
}

bool join_group (const AllocationRequest &req, GSocket *socket, std::string &error)
{
  std::vector<const char *> ifaces;
  for (const auto &name : req.multicast_interfaces)
    ifaces.push_back (name.c_str ());
  if (ifaces.empty ())
    ifaces.push_back (nullptr);
  for (const char *iface : ifaces) {
    /* The kernel joins on the default interface when a name is unknown:
     * a typo would receive nothing, silently. */
    if (iface && if_nametoindex (iface) == 0) {
      error = "multicast-iface '" + std::string (iface) + "' is not an interface of this host "
          "(ip link lists them): cannot join multicast group " + address_text (req.address) + " on it";
      return false;
    }
    GError *err = nullptr;
    if (!g_socket_join_multicast_group (socket, req.address, FALSE, iface, &err)) {
      GErrorPtr owned (err);
      error = "cannot join multicast group " + address_text (req.address) + " on " +
          (iface ? std::string ("interface ") + iface : std::string ("the default interface")) +
          ": " + err->message + " (check multicast-iface)";
      return false;
    }
  }
  return true;
}

/* Multicast: every replica must receive every packet, so the group port is
 * fixed (the start of the range) and shared on purpose, with reuse on. */
bool allocate_multicast (const AllocationRequest &req, Allocation &alloc, std::string &error)
{
  if (req.range.kernel_chosen ()) {
    error = "a multicast address (" + address_text (req.address) +
        ") needs port-range: the group's port, e.g. port-range=5004";
    return false;
  }
  unsigned per_stream = req.rtcp_mux ? 1 : 2;
  for (unsigned i = 0; i < req.n_streams; i++) {
    unsigned port = req.range.min + i * per_stream;
    if (port + per_stream - 1 > 65535) {
      error = "port-range " + req.range.to_string () + " leaves no room for stream " +
          std::to_string (i) + " on the multicast group";
      return false;
    }
    BoundStream stream;
    alloc.candidates_tried++;
    if (bind_pair (req, static_cast<guint16> (port), stream, error) != PairResult::Bound) {
      if (error.empty ())
        error = "cannot bind multicast group " + address_text (req.address) + " port " +
            std::to_string (port);
      return false;
    }
    if (!join_group (req, stream.rtp.get (), error) ||
        (stream.rtcp && !join_group (req, stream.rtcp.get (), error)))
      return false;
    alloc.streams.push_back (std::move (stream));
  }
  return true;
}

/* Empty port-range: ephemeral ports from the kernel, still an even/odd pair.
 * Refused candidates are held until the end so the kernel does not hand
 * them back on the next try. */
bool allocate_kernel_chosen (const AllocationRequest &req, Allocation &alloc, std::string &error)
{
  std::vector<GObjectPtr<GSocket>> refused;
  while (alloc.streams.size () < req.n_streams) {
    if (alloc.candidates_tried == kKernelChosenAttempts) {
      error = "the kernel gave no even port with a free odd neighbour in " +
          std::to_string (kKernelChosenAttempts) + " tries on " + address_text (req.address) +
          ": set port-range to a range opened for RTP";
      return false;
    }
    alloc.candidates_tried++;
    GErrorPtr err;
    GObjectPtr<GSocket> probe = bind_udp (req.address, 0, false, err);
    if (!probe) {
      error = "cannot bind " + address_text (req.address) + " (a kernel-chosen port): " +
          err->message;
      if (address_not_available (err.get ()))
        error += " (is " + address_text (req.address) + " an address of this host?)";
      return false;
    }
    guint16 port = local_port (probe.get ());
    if (!req.rtcp_mux && (port & 1u)) {
      refused.push_back (std::move (probe));
      continue;
    }
    BoundStream stream;
    stream.rtp = std::move (probe);
    stream.rtp_port = port;
    stream.rtcp_port = port;
    if (!req.rtcp_mux) {
      stream.rtcp = bind_udp (req.address, port + 1, false, err);
      if (!stream.rtcp) {
        refused.push_back (std::move (stream.rtp));
        continue;
      }
      stream.rtcp_port = port + 1;
    }
    alloc.streams.push_back (std::move (stream));
  }
  return true;
}

bool allocate_in_range (const AllocationRequest &req, Allocation &alloc, std::string &error)
{
  Candidates c = candidates_in (req.range, req.rtcp_mux);
  alloc.candidates_in_range = c.count;
  const char *unit = req.rtcp_mux ? "port" : "pair";
  if (c.count == 0) {
    if (req.range.fixed_pair && !req.rtcp_mux)
      error = "port-range '" + req.range.to_string () +
          "' is an odd port: a fixed pair needs an even RTP port (RTCP takes the next one)";
    else
      error = "port-range '" + req.range.to_string () +
          "' holds no complete even/odd port pair (RTP even, RTCP the next odd port, both inside "
          "the range): widen it" + (req.range.min == req.range.max && !req.rtcp_mux
              ? ", or write " + std::to_string (req.range.min) + " for the fixed pair " +
                  std::to_string (req.range.min) + "/" + std::to_string (req.range.min + 1) : "");
    return false;
  }
  if (c.count < req.n_streams) {
    error = "port-range " + req.range.to_string () + " holds " + std::to_string (c.count) +
        " " + unit + "(s) but " + std::to_string (req.n_streams) + " streams need " +
        std::to_string (req.n_streams) + ": widen it";
    return false;
  }
  unsigned in_use = 0;
  unsigned start = walk_start (req.start_seed, c.count);
  /* A restart tries its previous pair first: a camera pointed at it stays right. */
  if (req.preferred_rtp_port >= c.first && (req.preferred_rtp_port - c.first) % c.step == 0 &&
      (req.preferred_rtp_port - c.first) / c.step < c.count)
    start = (req.preferred_rtp_port - c.first) / c.step;
  for (unsigned i = 0; i < c.count && alloc.streams.size () < req.n_streams; i++) {
    unsigned index = (start + i) % c.count;
    auto port = static_cast<guint16> (c.first + index * c.step);
    BoundStream stream;
    alloc.candidates_tried++;
    switch (bind_pair (req, port, stream, error)) {
      case PairResult::Bound:
        alloc.streams.push_back (std::move (stream));
        break;
      case PairResult::InUse:
        in_use++;
        break;
      case PairResult::Failed:
        return false;
    }
  }
  if (alloc.streams.size () < req.n_streams) {
    std::ostringstream os;
    os << "no free " << (req.rtcp_mux ? "port" : "even/odd port pair") << " left in port-range "
       << req.range.to_string () << " on " << address_text (req.address) << ": tried "
       << (c.count == 1 ? "the only " + std::string (unit) : "all " + std::to_string (c.count) +
              " " + unit + "s") << ", " << in_use << " in use by other sockets";
    if (req.n_streams > 1)
      os << " (" << req.n_streams << " streams need " << req.n_streams << ")";
    os << ". Widen port-range or stop what holds it";
    error = os.str ();
    return false;
  }
  return true;
}

}  // namespace

std::string PortRange::to_string () const
{
  if (kernel_chosen ())
    return "(kernel-chosen)";
  if (fixed_pair)
    return std::to_string (min);
  return std::to_string (min) + "-" + std::to_string (max);
}

bool parse_port_range (const char *text, PortRange &range, std::string &error)
{
  std::string s = trim (text ? text : "");
  range = PortRange ();
  if (s.empty ())
    return true;
  auto dash = s.find ('-');
  guint16 lo = 0, hi = 0;
  bool ok = dash == std::string::npos ? parse_port (s, lo) && (hi = lo)
      : parse_port (trim (s.substr (0, dash)), lo) && parse_port (trim (s.substr (dash + 1)), hi);
  if (!ok) {
    error = "port-range '" + s + "' is malformed: write MIN-MAX (e.g. 32546-32599), one port "
        "for a fixed pair (e.g. 5004), or leave it empty for kernel-chosen ports; ports are 1-65535";
    return false;
  }
  if (lo > hi) {
    error = "port-range '" + s + "' is inverted: write MIN-MAX with MIN <= MAX (e.g. " +
        std::to_string (hi) + "-" + std::to_string (lo) + ")";
    return false;
  }
  range.min = lo;
  range.max = hi;
  range.fixed_pair = dash == std::string::npos;
  return true;
}

bool allocate_ports (const AllocationRequest &req, Allocation &alloc, std::string &error)
{
  alloc = Allocation ();
  error.clear ();
  bool ok;
  if (req.n_streams == 0) {
    error = "no stream to allocate ports for";
    ok = false;
  } else if (g_inet_address_get_is_multicast (req.address)) {
    ok = allocate_multicast (req, alloc, error);
  } else if (req.range.kernel_chosen ()) {
    ok = allocate_kernel_chosen (req, alloc, error);
  } else {
    ok = allocate_in_range (req, alloc, error);
  }
  if (!ok) {
    alloc.streams.clear ();  /* all or nothing: closes what was bound */
    return false;
  }
  alloc.receive_buffer_granted = G_MAXINT;
  for (auto &s : alloc.streams) {
    for (GSocket *socket : {s.rtp.get (), s.rtcp.get ()}) {
      if (socket)
        alloc.receive_buffer_granted = std::min (alloc.receive_buffer_granted,
            set_receive_buffer (socket, req.receive_buffer_size));
    }
  }
  return true;
}

guint64 replica_start_seed ()
{
  const char *pod = g_getenv ("POD_NAME");
  if (pod && *pod) {
    guint64 hash = 1469598103934665603ull;  /* FNV-1a */
    for (const char *p = pod; *p; p++)
      hash = (hash ^ static_cast<unsigned char> (*p)) * 1099511628211ull;
    return hash;
  }
  return (static_cast<guint64> (g_random_int ()) << 32) | g_random_int ();
}

unsigned walk_start (guint64 seed, unsigned n)
{
  return n ? static_cast<unsigned> (seed % n) : 0;
}

std::string unreserved_ephemeral_overlap (const PortRange &range,
    const std::string &port_range_text, const std::string &reserved_text,
    std::string *kernel_range)
{
  if (range.kernel_chosen ())
    return "";
  unsigned eph_lo = 0, eph_hi = 0;
  std::istringstream in (port_range_text);
  if (!(in >> eph_lo >> eph_hi))
    return "";
  if (kernel_range)
    *kernel_range = std::to_string (eph_lo) + "-" + std::to_string (eph_hi);
  unsigned lo = std::max<unsigned> (range.min, eph_lo);
  unsigned hi = std::min<unsigned> (range.max == range.min ? range.min + 1u : range.max, eph_hi);
  if (lo > hi)
    return "";
  std::vector<std::pair<unsigned, unsigned>> reserved;
  std::istringstream list (reserved_text);
  std::string item;
  while (std::getline (list, item, ',')) {
    item = trim (item);
    if (item.empty ())
      continue;
    auto dash = item.find ('-');
    unsigned a = std::strtoul (item.c_str (), nullptr, 10);
    unsigned b = dash == std::string::npos ? a : std::strtoul (item.c_str () + dash + 1, nullptr, 10);
    reserved.emplace_back (a, b);
  }
  for (unsigned port = lo; port <= hi; port++) {
    bool is_reserved = std::any_of (reserved.begin (), reserved.end (),
        [port] (const auto &r) { return port >= r.first && port <= r.second; });
    if (!is_reserved)
      return std::to_string (lo) + "-" + std::to_string (hi);
  }
  return "";
}

std::string unreserved_ephemeral_overlap (const PortRange &range, std::string *kernel_range)
{
  auto read = [] (const char *path) {
    gchar *contents = nullptr;
    if (!g_file_get_contents (path, &contents, nullptr, nullptr))
      return std::string ();
    GCharPtr owned (contents);
    return std::string (contents);
  };
  return unreserved_ephemeral_overlap (range, read ("/proc/sys/net/ipv4/ip_local_port_range"),
      read ("/proc/sys/net/ipv4/ip_local_reserved_ports"), kernel_range);
}

}  // namespace hostnetrtp
