/* hostnetrtp tests — helpers shared by the suites: random port ranges, real
 * sockets and descriptor counts. No fixed ports: each test takes a random
 * range below the kernel's ephemeral ports, and copes with another process
 * holding part of it (that is what the element is for). */
#pragma once

#include <gio/gio.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace testutil {

/* A random even-based range of @pairs pairs in 20000-31999. */
inline std::string random_range (unsigned pairs, unsigned *first = nullptr)
{
  unsigned base = 20000 + 2 * g_random_int_range (0, (32000 - 20000 - 2 * pairs) / 2);
  if (first)
    *first = base;
  return std::to_string (base) + "-" + std::to_string (base + 2 * pairs - 1);
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

/* True if nobody holds @port on the IPv4 wildcard (a bind without reuse works). */
inline bool port_is_free (unsigned port)
{
  int fd = bind_udp ("0.0.0.0", port, false);
  if (fd < 0)
    return false;
  close (fd);
  return true;
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
