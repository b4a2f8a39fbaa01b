/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp tests — helpers shared by the suites: random port ranges, real
 * sockets and descriptor counts. No fixed ports: each test takes a random
 * range below the kernel's ephemeral ports, and copes with another process
 * holding part of it (that is what the element is for). */
#pragma once

#include <gio/gio.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <arpa/inet.h>
#include <dirent.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <cstdio>
#include <vector>

namespace testutil {

/* A flag one thread raises and another waits for (up to @seconds). */
struct Flag {
  std::mutex lock;
  std::condition_variable changed;
  bool set = false;
  void raise ()
  {
    std::lock_guard<std::mutex> guard (lock);
    set = true;
    changed.notify_all ();
  }
  bool wait (int seconds = 20)
  {
    std::unique_lock<std::mutex> guard (lock);
    return changed.wait_for (guard, std::chrono::seconds (seconds), [this] { return set; });
  }
};

/* A test whose precondition this machine lacks says why and ends; it never
 * passes by asserting nothing. */
#define skip_test(...) do { \
    g_printerr ("SKIP %s: ", __func__); \
    g_printerr (__VA_ARGS__); \
    g_printerr ("\n"); \
    return; \
  } while (0)

/* The kernel's ephemeral port range (net.ipv4.ip_local_port_range). */
/* Under memcheck (the valgrind suite): everything runs ~30x slower on one
 * thread at a time. Loops that repeat the same work for confidence repeat it
 * less there; memcheck needs each path once, the other runs repeat it all. */
inline bool under_valgrind ()
{
  return g_getenv ("HOSTNETRTP_UNDER_VALGRIND") != nullptr;
}

inline int repeat (int times)
{
  return under_valgrind () ? std::max (3, times / 10) : times;
}

inline void ephemeral_range (unsigned &low, unsigned &high)
{
  low = 32768;
  high = 60999;
  gchar *text = nullptr;
  if (g_file_get_contents ("/proc/sys/net/ipv4/ip_local_port_range", &text, nullptr, nullptr)) {
    sscanf (text, "%u %u", &low, &high);
    g_free (text);
  }
}

inline bool port_is_free (unsigned port);

/* A random even-based range of @pairs pairs that is free now, below the
 * kernel's ephemeral ports (else above them), never at a fixed place:
 * suites run in parallel and each takes its own. */
inline std::string random_range (unsigned pairs, unsigned *first = nullptr)
{
  unsigned eph_low, eph_high;
  ephemeral_range (eph_low, eph_high);
  unsigned low = 10000, high = eph_low;  /* [low, high) */
  if (high < low + 4 * pairs + 1000) {
    low = eph_high + 1;
    high = 65536;
  }
  for (int attempt = 0;; attempt++) {
    unsigned base = low + 2 * g_random_int_range (0, (high - low - 2 * pairs) / 2);
    bool free = true;
    for (unsigned p = base; p < base + 2 * pairs && free; p++)
      free = port_is_free (p);
    if (free || attempt == 50) {
      if (first)
        *first = base;
      return std::to_string (base) + "-" + std::to_string (base + 2 * pairs - 1);
    }
  }
}

inline unsigned open_descriptors ()
{
  unsigned n = 0;
  DIR *dir = opendir ("/proc/self/fd");
  while (dir && readdir (dir))
    n++;
  if (dir)
    closedir (dir);
  return n;
}

/* A plain UDP socket bound to @ip:@port, optionally with SO_REUSEADDR and
 * SO_REUSEPORT (the way udpsrc binds by default); -1 if the bind fails. */
inline int bind_udp (const char *ip, unsigned port, bool reuse)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int one = 1;
  if (reuse) {
    setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one));
    setsockopt (fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof (one));
  }
  struct sockaddr_in sa = {};
  sa.sin_family = AF_INET;
  sa.sin_port = htons (port);
  inet_pton (AF_INET, ip, &sa.sin_addr);
  if (bind (fd, reinterpret_cast<struct sockaddr *> (&sa), sizeof (sa)) != 0) {
    close (fd);
    return -1;
  }
  return fd;
}

/* True if nobody holds @port, IPv4 or IPv6 (a bind without reuse works). */
inline bool port_is_free (unsigned port)
{
  int fd = bind_udp ("0.0.0.0", port, false);
  if (fd < 0)
    return false;
  close (fd);
  int fd6 = socket (AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int v6only = 1;
  setsockopt (fd6, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof (v6only));
  struct sockaddr_in6 sa = {};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons (port);
  bool ok = bind (fd6, reinterpret_cast<struct sockaddr *> (&sa), sizeof (sa)) == 0;
  close (fd6);
  return ok;
}

/* True if this machine has an address other than loopback (and link-local). */
inline bool has_non_loopback_address ()
{
  struct ifaddrs *all = nullptr;
  if (getifaddrs (&all) != 0)
    return false;
  bool found = false;
  for (struct ifaddrs *i = all; i && !found; i = i->ifa_next) {
    if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP))
      continue;
    if (i->ifa_addr->sa_family == AF_INET)
      found = true;
    else if (i->ifa_addr->sa_family == AF_INET6)
      found = !IN6_IS_ADDR_LINKLOCAL (&reinterpret_cast<struct sockaddr_in6 *> (i->ifa_addr)->sin6_addr);
  }
  freeifaddrs (all);
  return found;
}

/* True if ::1 can be bound here (IPv6 enabled). */
inline bool has_ipv6_loopback ()
{
  int fd = socket (AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  struct sockaddr_in6 sa = {};
  sa.sin6_family = AF_INET6;
  sa.sin6_addr = in6addr_loopback;
  bool ok = bind (fd, reinterpret_cast<struct sockaddr *> (&sa), sizeof (sa)) == 0;
  close (fd);
  return ok;
}

/* Holds every port of [first, last] that it can, the way a squatting
 * process would (SO_REUSEADDR + SO_REUSEPORT). Closes them on destruction. */
struct Squatter {
  std::vector<int> fds;
  Squatter (unsigned first, unsigned last)
  {
    for (unsigned p = first; p <= last; p++) {
      int fd = bind_udp ("0.0.0.0", p, true);
      if (fd >= 0)
        fds.push_back (fd);
    }
  }
  ~Squatter ()
  {
    for (int fd : fds)
      close (fd);
  }
};

/* The local IPv4 address and port of every UDP socket this process holds. */
inline std::vector<std::pair<std::string, unsigned>> bound_udp_sockets ()
{
  std::vector<std::pair<std::string, unsigned>> found;
  DIR *dir = opendir ("/proc/self/fd");
  while (struct dirent *e = dir ? readdir (dir) : nullptr) {
    int fd = atoi (e->d_name);
    int type = 0;
    socklen_t len = sizeof (type);
    if (fd <= 2 || getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_DGRAM)
      continue;
    struct sockaddr_storage ss = {};
    len = sizeof (ss);
    if (getsockname (fd, reinterpret_cast<struct sockaddr *> (&ss), &len) != 0)
      continue;
    char text[INET6_ADDRSTRLEN] = "";
    unsigned port = 0;
    if (ss.ss_family == AF_INET) {
      auto *sin = reinterpret_cast<struct sockaddr_in *> (&ss);
      inet_ntop (AF_INET, &sin->sin_addr, text, sizeof (text));
      port = ntohs (sin->sin_port);
    } else if (ss.ss_family == AF_INET6) {
      auto *sin6 = reinterpret_cast<struct sockaddr_in6 *> (&ss);
      inet_ntop (AF_INET6, &sin6->sin6_addr, text, sizeof (text));
      port = ntohs (sin6->sin6_port);
    }
    found.emplace_back (text, port);
  }
  if (dir)
    closedir (dir);
  return found;
}

}  // namespace testutil
