/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — RTP/RTCP inspection. See packet.h. */
#include "packet.h"

namespace hostnetrtp {

namespace {

constexpr size_t kRtpFixedHeader = 12;
constexpr guint8 kRtcpSdes = 202;
constexpr guint8 kRtcpBye = 203;

guint32 read32 (const guint8 *p)
{
  return (guint32 (p[0]) << 24) | (guint32 (p[1]) << 16) | (guint32 (p[2]) << 8) | p[3];
}

guint16 read16 (const guint8 *p)
{
  return guint16 ((p[0] << 8) | p[1]);
}

/* The SSRCs of an SDES packet's chunks (RFC 3550 6.5): each chunk is an
 * SSRC, items of type/length/text, a null item and padding to 32 bits. */
bool sdes_chunks_name_only (const guint8 *body, size_t size, unsigned chunks, guint32 ssrc,
    bool &only)
{
  size_t at = 0;
  for (unsigned c = 0; c < chunks; c++) {
    if (at + 4 > size)
      return false;
    if (read32 (body + at) != ssrc)
      only = false;
    at += 4;
    for (;;) {
      if (at >= size)
        return false;
      if (body[at] == 0) {  /* end of items: skip to the next 32-bit boundary */
        at = (at + 4) & ~size_t (3);
        break;
      }
      if (at + 2 > size || at + 2 + body[at + 1] > size)
        return false;
      at += 2 + body[at + 1];
    }
  }
  return at <= size;
}

}  // namespace

bool looks_like_rtcp (const guint8 *data, size_t size)
{
  return size >= 8 && (data[0] >> 6) == 2 && data[1] >= 192 && data[1] <= 223;
}

bool parse_rtp (const guint8 *data, size_t size, RtpHeader &h)
{
  if (!data || size < kRtpFixedHeader || (data[0] >> 6) != 2)
    return false;
  const guint8 pt = data[1] & 0x7f;
  if (pt >= 72 && pt <= 76)  /* RFC 5761: these would read as RTCP SR..APP */
    return false;
  size_t header = kRtpFixedHeader + 4u * (data[0] & 0x0f);
  if (header > size)
    return false;
  if (data[0] & 0x10) {  /* extension: 16-bit profile, 16-bit length in words */
    if (header + 4 > size)
      return false;
    header += 4 + 4u * read16 (data + header + 2);
    if (header > size)
      return false;
  }
  size_t padding = 0;
  if (data[0] & 0x20) {
    padding = data[size - 1];
    if (padding == 0 || header + padding > size)
      return false;
  }
  h.payload_type = pt;
  h.seq = read16 (data + 2);
  h.timestamp = read32 (data + 4);
  h.ssrc = read32 (data + 8);
  h.payload_offset = header;
  h.payload_size = size - header - padding;
  return true;
}

bool parse_rtcp (const guint8 *data, size_t size, RtcpSummary &s)
{
  s = RtcpSummary ();
  if (!data || size < 8)
    return false;
  size_t at = 0;
  while (at < size) {
    if (at + 4 > size)
      return false;
    const guint8 *p = data + at;
    const size_t bytes = 4u * (size_t (read16 (p + 2)) + 1);
    const guint8 type = p[1];
    const unsigned count = p[0] & 0x1f;
    if ((p[0] >> 6) != 2 || type < 192 || type > 223 || at + bytes > size)
      return false;
    size_t body = bytes - 4;  /* after the 4-byte header */
    if (p[0] & 0x20) {  /* padding: only the last packet may have it */
      const guint8 pad = p[bytes - 1];
      if (at + bytes != size || pad == 0 || pad > body)
        return false;
      body -= pad;
    }
    if (s.packets == 0) {
      if (body < 4)
        return false;  /* the first packet must name its sender */
      s.first_type = type;
      s.first_ssrc = read32 (p + 4);
    }
    if (type == kRtcpSdes) {
      if (!sdes_chunks_name_only (p + 4, body, count, s.first_ssrc, s.only_first_ssrc))
        return false;
    } else if (type == kRtcpBye) {
      if (4u * count > body)
        return false;
      for (unsigned i = 0; i < count; i++) {
        if (read32 (p + 4 + 4 * i) == s.first_ssrc)
          s.bye = true;
        else
          s.only_first_ssrc = false;
      }
    } else if (body >= 4 && read32 (p + 4) != s.first_ssrc) {
      s.only_first_ssrc = false;  /* SR, RR, APP, feedback, XR: the sender's SSRC */
    }
    s.packets++;
    at += bytes;
  }
  return true;
}

}  // namespace hostnetrtp
