/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — address policy. See address-policy.h. */
#include "address-policy.h"

#include <cstring>
#include <fstream>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sstream>
#include <vector>

namespace hostnetrtp {

namespace {

std::string to_text (GInetAddress *address)
{
  GCharPtr s (g_inet_address_to_string (address));
  return s.get ();
}

GObjectPtr<GInetAddress> wildcard_of (GSocketFamily family)
{
  return GObjectPtr<GInetAddress> (g_inet_address_new_any (family));
}

/* A literal address, or the first address a host name resolves to (IPv4 first). */
GObjectPtr<GInetAddress> parse_or_resolve (const std::string &text, std::string &error)
{
  GObjectPtr<GInetAddress> literal (g_inet_address_new_from_string (text.c_str ()));
  if (literal)
    return literal;
  GObjectPtr<GResolver> resolver (g_resolver_get_default ());
  GError *err = nullptr;
  GList *list = g_resolver_lookup_by_name (resolver.get (), text.c_str (), nullptr, &err);
  if (!list) {
    GErrorPtr owned (err);
    error = "address '" + text + "' is neither an IP address nor a host name that resolves (" +
        (err ? err->message : "no address") + "): give an IPv4/IPv6 address, or leave it empty";
    return {};
  }
  GInetAddress *pick = nullptr;
  for (GList *l = list; l; l = l->next) {
    auto *a = G_INET_ADDRESS (l->data);
    if (!pick || (g_inet_address_get_family (a) == G_SOCKET_FAMILY_IPV4 &&
            g_inet_address_get_family (pick) != G_SOCKET_FAMILY_IPV4))
      pick = a;
  }
  GObjectPtr<GInetAddress> result = ref_object (pick);
  g_resolver_free_addresses (list);
  return result;
}

/* An IPv4 address (a.b.c.d) or a global IPv6 address of @iface_name (any if null). */
std::string interface_address (const char *iface_name, bool want_ipv6)
{
  struct ifaddrs *all = nullptr;
  if (getifaddrs (&all) != 0)
    return "";
  std::string found;
  for (struct ifaddrs *i = all; i && found.empty (); i = i->ifa_next) {
    if (!i->ifa_addr || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK))
      continue;
    if (iface_name && std::strcmp (i->ifa_name, iface_name) != 0)
      continue;
    int family = i->ifa_addr->sa_family;
    if (family != (want_ipv6 ? AF_INET6 : AF_INET))
      continue;
    GObjectPtr<GSocketAddress> sa (g_socket_address_new_from_native (i->ifa_addr,
        family == AF_INET ? sizeof (struct sockaddr_in) : sizeof (struct sockaddr_in6)));
    if (!sa)
      continue;
    GInetAddress *a = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (sa.get ()));
    if (is_loopback (a) || g_inet_address_get_is_link_local (a))
      continue;
    found = to_text (a);
  }
  freeifaddrs (all);
  return found;
}

/* The interface of the IPv4 default route, from /proc/net/route. */
std::string default_route_interface ()
{
  std::ifstream routes ("/proc/net/route");
  std::string line;
  std::getline (routes, line);  /* header */
  while (std::getline (routes, line)) {
    std::istringstream fields (line);
    std::string iface, destination, gateway;
    unsigned flags = 0;
    if (fields >> iface >> destination >> gateway >> std::hex >> flags &&
        destination == "00000000" && (flags & 0x1u /* RTF_UP */))
      return iface;
  }
  return "";
}

/* The error for a loopback @what under loopback-policy=error. */
std::string loopback_refused (const std::string &what, const std::string &text, GInetAddress *address)
{
  const std::string resolved = to_text (address);
  return what + " '" + text + "' is a loopback address" + (resolved == text ? "" : " (" + resolved + ")") +
      ": replicas on one node share the loopback and senders outside the node cannot "
      "reach it. Leave " + what + " empty, give a non-loopback address, or set "
      "loopback-policy=allow for a single-host test";
}

/* Which address families a socket bound to @bound can receive. */
struct Receivable {
  bool ipv4 = true, ipv6 = false;
  explicit Receivable (GInetAddress *bound)
  {
    if (bound && g_inet_address_get_family (bound) == G_SOCKET_FAMILY_IPV6) {
      ipv6 = true;
      ipv4 = is_wildcard (bound);  /* only :: is dual-stack */
    }
  }
  bool accepts (GInetAddress *a) const
  {
    return g_inet_address_get_family (a) == G_SOCKET_FAMILY_IPV4 ? ipv4 : ipv6;
  }
  std::string families () const { return ipv4 && ipv6 ? "IPv4 or IPv6" : ipv4 ? "IPv4" : "IPv6"; }
};

}  // namespace

bool is_loopback (GInetAddress *address)
{
  if (g_inet_address_get_is_loopback (address))
    return true;
  if (g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    return false;
  const guint8 *b = g_inet_address_to_bytes (address);
  static const guint8 mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp (b, mapped_prefix, sizeof (mapped_prefix)) == 0 && b[12] == 127;
}

bool is_wildcard (GInetAddress *address)
{
  return g_inet_address_get_is_any (address);
}

const char *loopback_policy_name (LoopbackPolicy policy)
{
  switch (policy) {
    case LoopbackPolicy::Rewrite: return "rewrite";
    case LoopbackPolicy::Error: return "error";
    case LoopbackPolicy::Allow: return "allow";
  }
  return "?";
}

bool resolve_bind_address (const std::string &text, LoopbackPolicy policy, BindAddress &out,
    std::string &error)
{
  out = BindAddress ();
  if (text.empty ()) {
    out.address = wildcard_of (G_SOCKET_FAMILY_IPV4);
    return true;
  }
  out.address = parse_or_resolve (text, error);
  if (!out.address)
    return false;
  if (!is_loopback (out.address.get ()))
    return true;
  if (policy == LoopbackPolicy::Error) {
    error = loopback_refused ("address", text, out.address.get ());
    out.address.reset ();
    return false;
  }
  if (policy == LoopbackPolicy::Rewrite) {
    out.address = wildcard_of (g_inet_address_get_family (out.address.get ()));
    out.rewritten = true;
    out.warning = "address '" + text + "' is a loopback address; binding the wildcard " +
        to_text (out.address.get ()) + " instead (set loopback-policy=allow to keep it, or "
        "=error to refuse it)";
  }
  return true;
}

std::string detect_host_address (bool ipv4, bool ipv6)
{
  std::string iface = default_route_interface ();
  std::string found;
  if (ipv4 && !iface.empty ())
    found = interface_address (iface.c_str (), false);
  if (found.empty () && ipv4)
    found = interface_address (nullptr, false);
  if (found.empty () && ipv6)
    found = interface_address (nullptr, true);
  return found;
}

bool choose_advertise_address (const std::string &configured, GInetAddress *bound,
    LoopbackPolicy policy, AdvertiseAddress &out, std::string &error)
{
  out = AdvertiseAddress ();
  const Receivable receivable (bound);
  const std::string bound_text = bound ? to_text (bound) : "0.0.0.0";
  std::vector<std::string> skipped;  /* every value passed over, for the warning */
  std::string rewritten;
  if (!configured.empty ()) {
    GObjectPtr<GInetAddress> a (g_inet_address_new_from_string (configured.c_str ()));
    if (!a) {
      error = "advertise-address '" + configured + "' is not an IP address: give the address "
          "senders should send to, or leave it empty to detect it";
      return false;
    }
    if (!receivable.accepts (a.get ())) {
      error = "advertise-address '" + configured + "' cannot be received: the sockets are bound "
          "to " + bound_text + ", which receives " + receivable.families () + " only. Advertise "
          "an address of that family, or bind address=:: for both";
      return false;
    }
    if (!is_loopback (a.get ()) || policy == LoopbackPolicy::Allow) {
      out.address = to_text (a.get ());
      out.source = "advertise-address";
      return true;
    }
    if (policy == LoopbackPolicy::Error) {
      error = loopback_refused ("advertise-address", configured, a.get ());
      return false;
    }
    rewritten = "advertise-address '" + configured + "' is a loopback address";
  } else if (bound && !is_wildcard (bound) &&
      (!is_loopback (bound) || policy == LoopbackPolicy::Allow)) {
    out.address = to_text (bound);
    out.source = g_inet_address_get_is_multicast (bound) ? "multicast group" : "bound address";
    return true;
  }
  for (const char *var : {"HOSTNETRTP_ADVERTISE_ADDRESS", "HOST_IP", "POD_IP"}) {
    const char *value = g_getenv (var);
    if (!value || !*value)
      continue;
    const std::string named = std::string ("$") + var + "='" + value + "'";
    GObjectPtr<GInetAddress> a (g_inet_address_new_from_string (value));
    if (!a) {
      skipped.push_back (named + " is not an IP address");
    } else if (is_loopback (a.get ())) {
      skipped.push_back (named + " is a loopback address");
    } else if (!receivable.accepts (a.get ())) {
      skipped.push_back (named + " cannot be received on " + bound_text + " (" +
          receivable.families () + " only)");
    } else {
      out.address = to_text (a.get ());
      out.source = std::string ("$") + var;
      break;
    }
  }
  if (out.address.empty ()) {
    out.address = detect_host_address (receivable.ipv4, receivable.ipv6);
    out.source = "detected";
  }
  std::string text;
  for (const std::string &s : skipped)
    text += (text.empty () ? "" : "; ") + s;
  if (!rewritten.empty ())
    text += (text.empty () ? "" : "; ") + rewritten;
  if (!text.empty () || out.address.empty ()) {
    text += out.address.empty () ? (text.empty () ? "" : ". ") +
        std::string ("No non-loopback ") + receivable.families () + " address was found to "
        "advertise: set advertise-address"
        : ". Advertising " + out.address + " (" + out.source + ") instead";
    if (!rewritten.empty ())
      text += " (set loopback-policy=allow to keep the loopback address, or =error to refuse it)";
    out.warning = text;
  }
  return true;
}

}  // namespace hostnetrtp
