/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — senders and allowed-senders. See peer.h. */
#include "peer.h"

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>

namespace hostnetrtp {

namespace {

constexpr guint8 kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::array<guint8, 16> mapped (const guint8 v4[4])
{
  std::array<guint8, 16> ip {};
  std::memcpy (ip.data (), kMappedPrefix, sizeof (kMappedPrefix));
  std::memcpy (ip.data () + 12, v4, 4);
  return ip;
}

std::string trim (const std::string &s)
{
  const char *ws = " \t\r\n";
  auto b = s.find_first_not_of (ws);
  return b == std::string::npos ? "" : s.substr (b, s.find_last_not_of (ws) - b + 1);
}

bool parse_bits (const std::string &text, unsigned max, unsigned &bits)
{
  if (text.empty () || text.size () > 3)
    return false;
  bits = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    bits = bits * 10 + unsigned (c - '0');
  }
  return bits <= max;
}

}  // namespace

Peer Peer::from_native (const struct sockaddr *sa, socklen_t length)
{
  Peer p;
  if (!sa)
    return p;
  if (sa->sa_family == AF_INET && length >= socklen_t (sizeof (struct sockaddr_in))) {
    auto *in = reinterpret_cast<const struct sockaddr_in *> (sa);
    p.ip = mapped (reinterpret_cast<const guint8 *> (&in->sin_addr));
    p.port = ntohs (in->sin_port);
    p.valid = true;
  } else if (sa->sa_family == AF_INET6 && length >= socklen_t (sizeof (struct sockaddr_in6))) {
    auto *in6 = reinterpret_cast<const struct sockaddr_in6 *> (sa);
    std::memcpy (p.ip.data (), &in6->sin6_addr, 16);
    p.port = ntohs (in6->sin6_port);
    p.valid = true;
  }
  return p;
}

Peer Peer::from_socket_address (GSocketAddress *address)
{
  struct sockaddr_storage native;
  if (!address || !G_IS_INET_SOCKET_ADDRESS (address) ||
      !g_socket_address_to_native (address, &native, sizeof (native), nullptr))
    return Peer ();
  return from_native (reinterpret_cast<struct sockaddr *> (&native),
      g_socket_address_get_native_size (address));
}

Peer Peer::from_string (const std::string &text, guint16 port)
{
  Peer p;
  guint8 v4[4];
  struct in6_addr v6;
  if (inet_pton (AF_INET, text.c_str (), v4) == 1) {
    p.ip = mapped (v4);
    p.valid = true;
  } else if (inet_pton (AF_INET6, text.c_str (), &v6) == 1) {
    std::memcpy (p.ip.data (), &v6, 16);
    p.valid = true;
  }
  p.port = port;
  return p;
}

bool Peer::is_ipv4 () const
{
  return std::memcmp (ip.data (), kMappedPrefix, sizeof (kMappedPrefix)) == 0;
}

std::string Peer::host_string () const
{
  if (!valid)
    return "(unknown)";
  char text[INET6_ADDRSTRLEN] = "";
  if (is_ipv4 ())
    inet_ntop (AF_INET, ip.data () + 12, text, sizeof (text));
  else
    inet_ntop (AF_INET6, ip.data (), text, sizeof (text));
  return text;
}

std::string Peer::to_string () const
{
  std::string host = host_string ();
  return (is_ipv4 () || !valid ? host : "[" + host + "]") + ":" + std::to_string (port);
}

GObjectPtr<GSocketAddress> Peer::to_socket_address (GSocketFamily family) const
{
  if (!valid || port == 0)
    return {};
  GObjectPtr<GInetAddress> address;
  if (family == G_SOCKET_FAMILY_IPV4) {
    if (!is_ipv4 ())
      return {};
    address.reset (g_inet_address_new_from_bytes (ip.data () + 12, G_SOCKET_FAMILY_IPV4));
  } else {
    address.reset (g_inet_address_new_from_bytes (ip.data (), G_SOCKET_FAMILY_IPV6));
  }
  return GObjectPtr<GSocketAddress> (g_inet_socket_address_new (address.get (), port));
}

bool SenderFilter::parse (const std::string &text, SenderFilter &filter, std::string &error)
{
  filter = SenderFilter ();
  std::string item;
  for (size_t i = 0; i <= text.size (); i++) {
    const char c = i < text.size () ? text[i] : ',';
    if (c != ',' && c != ' ' && c != ';' && c != '\t' && c != '\n') {
      item += c;
      continue;
    }
    item = trim (item);
    if (item.empty ())
      continue;
    auto slash = item.find ('/');
    Peer host = Peer::from_string (item.substr (0, slash));
    Prefix prefix;
    unsigned bits = 0;
    bool ok = host.valid;
    if (ok) {
      /* ::ffff:192.0.2.0/120 is written in IPv6 terms, 192.0.2.0/24 in IPv4 ones. */
      prefix.ipv4 = host.is_ipv4 () && item.substr (0, slash).find (':') == std::string::npos;
      prefix.ip = host.ip;
      const unsigned max = prefix.ipv4 ? 32 : 128;
      bits = max;
      if (slash != std::string::npos)
        ok = parse_bits (item.substr (slash + 1), max, bits);
      prefix.bits = prefix.ipv4 ? bits + 96 : bits;
    }
    if (!ok) {
      error = "allowed-senders item '" + item + "' is not an IP address or CIDR prefix: write "
          "addresses and prefixes separated by commas, e.g. 192.0.2.10, 198.51.100.0/24, "
          "2001:db8::/32 (empty accepts every sender)";
      filter = SenderFilter ();
      return false;
    }
    /* Keep only the network part, so the list reads back normalised. */
    for (unsigned b = prefix.bits; b < 128; b++)
      prefix.ip[b / 8] &= guint8 (~(0x80u >> (b % 8)));
    filter.prefixes_.push_back (prefix);
    item.clear ();
  }
  return true;
}

bool SenderFilter::allows (const Peer &peer) const
{
  if (prefixes_.empty ())
    return true;
  if (!peer.valid)
    return false;
  for (const Prefix &p : prefixes_) {
    const unsigned whole = p.bits / 8, rest = p.bits % 8;
    if (std::memcmp (p.ip.data (), peer.ip.data (), whole) != 0)
      continue;
    if (rest && ((p.ip[whole] ^ peer.ip[whole]) & guint8 (0xff00u >> rest)))
      continue;
    return true;
  }
  return false;
}

std::string SenderFilter::to_string () const
{
  std::string text;
  for (const Prefix &p : prefixes_) {
    Peer host;
    host.ip = p.ip;
    host.valid = true;
    const unsigned bits = p.ipv4 ? p.bits - 96 : p.bits;
    std::string address = host.host_string ();
    if (!p.ipv4 && host.is_ipv4 ())
      address = "::ffff:" + address;
    text += (text.empty () ? "" : ",") + address;
    if (bits != (p.ipv4 ? 32u : 128u))
      text += "/" + std::to_string (bits);
  }
  return text;
}

}  // namespace hostnetrtp
