/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — what is said to and by an RTSP camera (pull mode):
 * locations, control URLs, the SDP of DESCRIBE, the Transport of SETUP.
 *
 * Pure functions over text with GStreamer's RTSP and SDP parsers: what the
 * camera sends is network input, so this is a room of its own, unit-tested
 * (tests/check/rtsp_messages) and fuzzed (tests/fuzz). Errors are sentences
 * that name what the camera answered. */
#pragma once

#include "encodings.h"
#include "owned.h"

#include <gst/rtsp/rtsp.h>

#include <string>
#include <vector>

namespace hostnetrtp {

/* rtsp://user:password@host:port/path -> rtsp://host:port/path */
std::string without_credentials (const std::string &location);

/* Checks a location for pull mode (rtsp://, rtsps:// over TLS, rtspt://
 * TCP only, rtspu:// UDP only); false with a sentence naming it. */
bool valid_rtsp_location (const std::string &location, std::string &error);

/* The transports a location allows (GstRTSPLowerTrans): rtspt:// TCP,
 * rtspu:// UDP, rtsps:// TCP over TLS (GST_RTSP_LOWER_TRANS_TLS), rtsp://
 * both. */
guint location_transports (const std::string &location);

/* The control URL of a stream: an absolute URL as given, "*" or empty for
 * the base, an absolute path on the base's host, else relative to the base
 * (Content-Base, else the request URL). */
std::string control_url (const std::string &base, const std::string &control);

/* One stream the camera describes. */
struct RtspStream {
  StreamDescription description;
  std::string control;  /* its control URL, for SETUP */
  guint media = 0;      /* its m= line's index in the SDP (rtspsrc's stream number) */
};

struct RtspDescription {
  std::vector<RtspStream> streams;
  std::string aggregate;  /* the URL for PLAY, TEARDOWN and keep-alive */
  std::string skipped;    /* media left out, and why ("" if none) */
};

/* Turns a DESCRIBE answer (SDP) into streams: one per RTP/AVP media, caps
 * from the SDP's rtpmap/fmtp and attributes. False with a sentence if the
 * SDP does not parse or holds no RTP stream. */
bool describe_from_sdp (const std::string &sdp, const std::string &base, RtspDescription &out,
    std::string &error);

/* What a SETUP asks for: UDP to a bound pair, or TCP interleaved on two
 * channels of the RTSP connection. */
struct TransportAsked {
  bool tcp = false;
  guint16 rtp_port = 0, rtcp_port = 0;  /* UDP */
  guint8 rtp_channel = 0, rtcp_channel = 1;  /* TCP */
};

/* The Transport header that asks for @asked. */
std::string transport_request (const TransportAsked &asked);

struct SetupReply {
  bool tcp = false;
  guint16 server_rtp_port = 0;   /* 0: the camera did not say (or said 0) */
  guint16 server_rtcp_port = 0;
  guint8 rtp_channel = 0, rtcp_channel = 1;  /* TCP: the channels the camera chose */
  std::string source;  /* the address the camera sends from, if it says */
  guint32 ssrc = 0;
  bool has_ssrc = false;
};

/* Reads a SETUP answer's Transport header against what was @asked; false
 * with a sentence if it does not parse, takes another lower transport, or
 * names another client_port than the pair that was asked. */
bool parse_transport_reply (const std::string &transport, const TransportAsked &asked,
    SetupReply &reply, std::string &error);

/* A header's value, "" if the message has none; with @all, every value
 * it has, joined by ", " (the library splits lists such as Public). */
std::string rtsp_header (const GstRTSPMessage *msg, GstRTSPHeaderField field, bool all = false);

}  // namespace hostnetrtp
