/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — parsing the element's own URI scheme (see uri.h). */
#include "uri.h"

#include "owned.h"
#include "port-allocator.h"

#include <gio/gio.h>

#include <algorithm>

namespace hostnetrtp {

namespace {

/* Percent-decodes @text; false if an escape is invalid or decodes to NUL. */
bool unescape (const std::string &text, std::string &out)
{
  GCharPtr decoded (g_uri_unescape_string (text.c_str (), nullptr));
  if (!decoded)
    return false;
  out = decoded.get ();
  return true;
}

bool is_host_name (const std::string &text)
{
  return !text.empty () && std::all_of (text.begin (), text.end (), [] (char c) {
    return g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_';
  });
}

bool parse_authority (const std::string &authority, HostnetRtpUri &out, std::string &error)
{
  if (authority.find ('@') != std::string::npos) {
    error = "it has user information before '@': hostnetrtp:// takes none (a camera's "
        "credentials go in ?location=rtsp://user:password@... or ?user-id=...&user-pw=...)";
    return false;
  }
  std::string host = authority, ports;
  bool has_ports = false;
  if (!authority.empty () && authority[0] == '[') {
    const size_t close = authority.find (']');
    if (close == std::string::npos) {
      error = "its IPv6 address has no closing ']'";
      return false;
    }
    host = authority.substr (1, close - 1);
    const std::string after = authority.substr (close + 1);
    if (!after.empty () && after[0] != ':') {
      error = "'" + after + "' follows the IPv6 address: write [address]:port-range";
      return false;
    }
    has_ports = !after.empty ();
    ports = has_ports ? after.substr (1) : "";
    if (!unescape (host, host) || !g_hostname_is_ip_address (host.c_str ()) ||
        host.find (':') == std::string::npos) {
      error = "'[" + authority.substr (1, close - 1) + "]' is not an IPv6 address";
      return false;
    }
  } else {
    const size_t colons = std::count (authority.begin (), authority.end (), ':');
    if (colons > 1) {
      error = "'" + authority + "' has several ':': put an IPv6 address in brackets, e.g. "
          "hostnetrtp://[::]:32546-32599";
      return false;
    }
    if (colons == 1) {
      const size_t colon = authority.find (':');
      host = authority.substr (0, colon);
      ports = authority.substr (colon + 1);
      has_ports = true;
    }
    if (!host.empty () && !is_host_name (host)) {
      error = "'" + host + "' is not an address or a host name";
      return false;
    }
  }
  if (has_ports) {
    if (ports.empty ()) {
      error = "it has ':' but no port-range after it: write e.g. :32546-32599, or leave ':' out";
      return false;
    }
    PortRange range;
    if (!parse_port_range (ports.c_str (), range, error))
      return false;
  }
  out.address = host;
  out.port_range = ports;
  return true;
}

bool parse_query (const std::string &query, HostnetRtpUri &out, std::string &error)
{
  size_t start = 0;
  while (start <= query.size ()) {
    size_t end = query.find ('&', start);
    if (end == std::string::npos)
      end = query.size ();
    const std::string item = query.substr (start, end - start);
    start = end + 1;
    if (item.empty ())
      continue;
    const size_t equals = item.find ('=');
    std::string name, value;
    if (!unescape (item.substr (0, equals), name) || name.empty ()) {
      error = "query item '" + item.substr (0, equals) + "' is not a property name";
      return false;
    }
    if (equals == std::string::npos) {
      error = "query item '" + name + "' has no value: write " + name + "=value";
      return false;
    }
    if (!unescape (item.substr (equals + 1), value)) {
      error = "the value of '" + name + "' has an invalid percent escape (write '%' as %25)";
      return false;
    }
    const bool twice = std::any_of (out.properties.begin (), out.properties.end (),
        [&name] (const auto &p) { return p.first == name; }) ||
        (name == "address" && !out.address.empty ()) ||
        (name == "port-range" && !out.port_range.empty ());
    if (twice) {
      error = "it sets '" + name + "' twice";
      return false;
    }
    out.properties.emplace_back (std::move (name), std::move (value));
  }
  return true;
}

}  // namespace

bool is_hostnetrtp_uri (const std::string &text)
{
  const size_t n = std::char_traits<char>::length (kUriScheme);
  return text.size () > n && text[n] == ':' && g_ascii_strncasecmp (text.c_str (), kUriScheme, n) == 0;
}

bool parse_uri (const std::string &text, HostnetRtpUri &out, std::string &error)
{
  out = HostnetRtpUri ();
  const std::string prefix = std::string (kUriScheme) + "://";
  if (!is_hostnetrtp_uri (text) || text.compare (std::char_traits<char>::length (kUriScheme), 3, "://") != 0) {
    error = "it does not begin with " + prefix + ": write " + prefix +
        "[address][:port-range][?property=value&...]";
    return false;
  }
  std::string rest = text.substr (prefix.size ());
  const size_t hash = rest.find ('#');
  if (hash != std::string::npos) {
    error = "it has a fragment ('#'): percent-encode '#' in a value as %23";
    return false;
  }
  const size_t question = rest.find ('?');
  const std::string query = question == std::string::npos ? "" : rest.substr (question + 1);
  rest = rest.substr (0, question);
  const size_t slash = rest.find ('/');
  const std::string authority = rest.substr (0, slash);
  if (slash != std::string::npos && slash + 1 != rest.size ()) {
    error = "it has a path '" + rest.substr (slash) + "': settings go in the query, e.g. " +
        prefix + authority + "?encoding-name=H264";
    return false;
  }
  return parse_authority (authority, out, error) && parse_query (query, out, error);
}

}  // namespace hostnetrtp
