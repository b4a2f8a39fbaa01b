/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — stream descriptions. See encodings.h. */
#include "encodings.h"

#include <gst/rtp/gstrtppayloads.h>

#include <algorithm>
#include <cctype>

namespace hostnetrtp {

namespace {

struct Encoding {
  const char *name;
  const char *media;
  int clock_rate;
  int payload;       /* static payload type, or 96 for dynamic ones */
  const char *extra; /* further caps fields, serialized; may be null */
};

/* Static payload types from RFC 3551; clock rates from the payload formats. */
const Encoding kEncodings[] = {
  {"H264", "video", 90000, 96, "packetization-mode=(string)1"},
  {"H265", "video", 90000, 96, nullptr},
  {"JPEG", "video", 90000, 26, nullptr},
  {"VP8", "video", 90000, 96, nullptr},
  {"VP9", "video", 90000, 96, nullptr},
  {"MP4V-ES", "video", 90000, 96, nullptr},
  {"MP2T", "video", 90000, 33, nullptr},
  {"MP4A-LATM", "audio", 48000, 96, nullptr},
  {"MPEG4-GENERIC", "audio", 48000, 96,
      "mode=(string)AAC-hbr, sizelength=(string)13, indexlength=(string)3, "
      "indexdeltalength=(string)3"},
  {"OPUS", "audio", 48000, 96, "encoding-params=(string)2"},
  {"PCMU", "audio", 8000, 0, nullptr},
  {"PCMA", "audio", 8000, 8, nullptr},
  {"G722", "audio", 8000, 9, nullptr},
  {"L16", "audio", 44100, 11, "encoding-params=(string)1, channels=(int)1"},
  {"MPA", "audio", 90000, 14, nullptr},
  {"AMR", "audio", 8000, 96, "encoding-params=(string)1, octet-align=(string)1"},
};

std::string upper (std::string s)
{
  std::transform (s.begin (), s.end (), s.begin (), [] (unsigned char c) { return std::toupper (c); });
  return s;
}

const Encoding *find_encoding (const std::string &name)
{
  std::string key = upper (name);
  for (const auto &e : kEncodings)
    if (key == e.name)
      return &e;
  return nullptr;
}

std::string example_caps ()
{
  return "e.g. \"application/x-rtp,media=video,clock-rate=90000,encoding-name=H264\"";
}

}  // namespace

std::string known_encoding_names ()
{
  std::string names;
  for (const auto &e : kEncodings)
    names += (names.empty () ? "" : ", ") + std::string (e.name);
  return names;
}

GstCaps *caps_for_encoding_name (const std::string &name, std::string &error)
{
  const Encoding *e = find_encoding (name);
  if (!e) {
    error = "encoding-name '" + name + "' is not one this element knows (" +
        known_encoding_names () + "): use one of those, or describe the stream with caps, " +
        example_caps ();
    return nullptr;
  }
  GstCaps *caps = gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, e->media,
      "clock-rate", G_TYPE_INT, e->clock_rate, "encoding-name", G_TYPE_STRING, e->name,
      "payload", G_TYPE_INT, e->payload, nullptr);
  if (e->extra) {
    GstStructurePtr extra (gst_structure_from_string (
        (std::string ("x, ") + e->extra).c_str (), nullptr));
    gst_structure_foreach (extra.get (), [] (GQuark field, const GValue *value, gpointer s) noexcept -> gboolean {
      gst_structure_id_set_value (static_cast<GstStructure *> (s), field, value);
      return TRUE;
    }, gst_caps_get_structure (caps, 0));
  }
  return caps;
}

bool describe_streams (const GstCaps *caps, std::vector<StreamDescription> &streams,
    std::string &error)
{
  streams.clear ();
  if (!caps || gst_caps_is_empty (caps) || gst_caps_is_any (caps)) {
    error = "no stream is described: set encoding-name (e.g. H264) or caps, " + example_caps ();
    return false;
  }
  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    GstStructure *in = gst_caps_get_structure (caps, i);
    GCharPtr serialized (gst_structure_to_string (in));
    std::string text = serialized.get ();
    if (!text.empty () && text.back () == ';')
      text.pop_back ();
    auto fail = [&] (const std::string &why) {
      error = "caps structure " + std::to_string (i) + " '" + text + "' " + why +
          ": each stream is one application/x-rtp structure with media and clock-rate, " +
          example_caps ();
      streams.clear ();
      return false;
    };
    if (!gst_structure_has_name (in, "application/x-rtp"))
      return fail ("is not RTP");
    StreamDescription d;
    GstStructure *s = gst_structure_copy (in);
    d.caps = CapsRef (gst_caps_new_full (s, nullptr));
    const Encoding *known = nullptr;
    if (const char *enc = gst_structure_get_string (s, "encoding-name")) {
      d.encoding_name = upper (enc);
      gst_structure_set (s, "encoding-name", G_TYPE_STRING, d.encoding_name.c_str (), nullptr);
      known = find_encoding (d.encoding_name);
    }
    if (!gst_structure_has_field (s, "media") && known)
      gst_structure_set (s, "media", G_TYPE_STRING, known->media, nullptr);
    if (!gst_structure_has_field (s, "clock-rate") && known)
      gst_structure_set (s, "clock-rate", G_TYPE_INT, known->clock_rate, nullptr);
    if (!gst_structure_has_field (s, "payload"))
      gst_structure_set (s, "payload", G_TYPE_INT, known ? known->payload : 96, nullptr);
    const char *media = gst_structure_get_string (s, "media");
    if (!media)
      return fail ("has no media (video, audio, ...)");
    d.media = media;
    if (!gst_structure_get_int (s, "clock-rate", &d.clock_rate) || d.clock_rate <= 0)
      return fail ("has no positive integer clock-rate");
    if (!gst_structure_get_int (s, "payload", &d.payload) || d.payload < 0 || d.payload > 127)
      return fail ("has a payload outside 0-127");
    if (!gst_caps_is_fixed (d.caps.get ()))
      return fail ("is not fixed (a field holds a list or range)");
    streams.push_back (std::move (d));
  }
  return true;
}

GstCaps *caps_for_payload (const StreamDescription &stream, guint pt)
{
  /* A static payload type (RFC 3551) names its own encoding: PCMA is PT 8
   * even on a stream configured as PCMU. */
  const GstRTPPayloadInfo *info = pt != guint (stream.payload) && pt < 96
      ? gst_rtp_payload_info_for_pt (guint8 (pt)) : nullptr;
  if (info && info->media && info->encoding_name && info->clock_rate) {
    GstCaps *caps = gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, info->media,
        "clock-rate", G_TYPE_INT, int (info->clock_rate), "encoding-name", G_TYPE_STRING,
        info->encoding_name, "payload", G_TYPE_INT, int (pt), nullptr);
    if (info->encoding_parameters)
      gst_caps_set_simple (caps, "encoding-params", G_TYPE_STRING, info->encoding_parameters, nullptr);
    return caps;
  }
  GstCaps *caps = gst_caps_copy (stream.caps.get ());
  gst_caps_set_simple (caps, "payload", G_TYPE_INT, static_cast<int> (pt), nullptr);
  return caps;
}

}  // namespace hostnetrtp
