/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp fuzz target: the text a user or a pipeline server gives. The
 * first byte picks the parser: port-range, allowed-senders (and its
 * normalised form parsed back), the caps list, the sdp-file pattern, a
 * hostnetrtp:// URI.
 * Whatever the text: no crash, and a refusal always says why. */
#include "announcement.h"
#include "encodings.h"
#include "peer.h"
#include "port-allocator.h"
#include "uri.h"

#include <cstdlib>
#include <cstring>
#include <string>

using namespace hostnetrtp;

extern "C" int LLVMFuzzerInitialize (int *, char ***)
{
  gst_init (nullptr, nullptr);
  return 0;
}

/* Caps from "name,field=value,...;name,...": built here rather than by
 * gst_caps_from_string, whose own parser is GStreamer's to fuzz (1.22's
 * leaks on some malformed input). Values that read as integers are ints. */
static bool
valid_name (const char *name)
{
  if (!g_ascii_isalpha (*name))
    return false;
  for (const char *c = name; *c; c++)
    if (!g_ascii_isalnum (*c) && !strchr ("/-_.:+", *c))
      return false;
  return true;
}

static GstCaps *
caps_of (const std::string &text)
{
  GstCaps *caps = gst_caps_new_empty ();
  gchar **structures = g_strsplit (text.c_str (), ";", 8);
  for (gchar **st = structures; *st; st++) {
    gchar **fields = g_strsplit (*st, ",", 16);
    if (fields[0] && valid_name (fields[0])) {
      GstStructure *s = gst_structure_new_empty (fields[0]);
      for (gchar **f = fields + 1; *f; f++) {
        gchar *eq = strchr (*f, '=');
        if (!eq || !g_utf8_validate (*f, -1, nullptr))
          continue;
        *eq = '\0';
        if (!valid_name (*f))
          continue;
        gchar *end = nullptr;
        gint64 number = g_ascii_strtoll (eq + 1, &end, 10);
        if (end && *end == '\0' && end != eq + 1)
          gst_structure_set (s, *f, G_TYPE_INT, gint (number), nullptr);
        else
          gst_structure_set (s, *f, G_TYPE_STRING, eq + 1, nullptr);
      }
      gst_caps_append_structure (caps, s);
    }
    g_strfreev (fields);
  }
  g_strfreev (structures);
  return caps;
}

extern "C" int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  const std::string text (reinterpret_cast<const char *> (data + 1), size - 1);
  std::string error;
  switch (data[0] % 5) {
    case 0: {
      PortRange range;
      if (!parse_port_range (text.c_str (), range, error) && error.empty ())
        std::abort ();
      if (error.empty () && range.min > range.max)
        std::abort ();
      break;
    }
    case 1: {
      SenderFilter filter;
      if (!SenderFilter::parse (text, filter, error)) {
        if (error.empty () || !filter.allows_all ())
          std::abort ();
        break;
      }
      /* What reads back parses back to the same. */
      SenderFilter again;
      std::string normalised = filter.to_string ();
      if (!SenderFilter::parse (normalised, again, error) || again.to_string () != normalised)
        std::abort ();
      filter.allows (Peer::from_string ("192.0.2.7"));
      filter.allows (Peer::from_string ("2001:db8::7"));
      break;
    }
    case 2: {
      GstCapsPtr caps (caps_of (text));
      std::vector<StreamDescription> streams;
      if (!describe_streams (caps.get (), streams, error)) {
        if (error.empty ())
          std::abort ();
        break;
      }
      for (const StreamDescription &s : streams)
        for (guint pt : {0u, 8u, 26u, 96u, 127u})
          gst_caps_unref (caps_for_payload (s, pt));
      break;
    }
    case 3: {
      std::string path;
      if (!expand_sdp_path (text, 32546, path, error) && error.empty ())
        std::abort ();
      break;
    }
    case 4: {
      HostnetRtpUri uri;
      if (!parse_uri (text, uri, error)) {
        if (error.empty ())
          std::abort ();
        break;
      }
      /* What it took is what a property can hold: a valid port-range, no
       * brackets left on an address, names never empty. */
      PortRange range;
      if (!uri.port_range.empty () && !parse_port_range (uri.port_range.c_str (), range, error))
        std::abort ();
      if (uri.address.find_first_of ("[]@/?#") != std::string::npos)
        std::abort ();
      for (const auto &item : uri.properties)
        if (item.first.empty ())
          std::abort ();
      break;
    }
  }
  return 0;
}
