/* hostnetrtp — the RTSP exchange with a camera (pull mode).
 *
 * GStreamer's own RTSP library (GstRTSPConnection, GstRTSPMessage,
 * GstRTSPTransport, GstRTSPUrl) and GstSDP, no elements: OPTIONS, DESCRIBE
 * (with Basic and Digest authentication and 301/302 redirects), SETUP of
 * each stream with the client_port pair the allocator bound, PLAY on the
 * aggregate control URL, keep-alive (GET_PARAMETER when the camera lists
 * it, else OPTIONS) before the session times out, TEARDOWN. Every call
 * blocks for at most the timeout given at construction and can be
 * interrupted from another thread. Errors are sentences that name the camera
 * (without credentials), the request and what the camera answered. */
#pragma once

#include "encodings.h"
#include "owned.h"

#include <gst/rtsp/rtsp.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace hostnetrtp {

/* rtsp://user:password@host:port/path -> rtsp://host:port/path */
std::string without_credentials (const std::string &location);

/* Checks a location for pull mode; false with a sentence naming it. */
bool valid_rtsp_location (const std::string &location, std::string &error);

/* The control URL of a stream: absolute as given, "*" or empty for the
 * base, else relative to the base (Content-Base, else the request URL). */
std::string control_url (const std::string &base, const std::string &control);

/* One stream the camera describes. */
struct RtspStream {
  StreamDescription description;
  std::string control;  /* its control URL, for SETUP */
};

struct RtspDescription {
  std::vector<RtspStream> streams;
  std::string aggregate;  /* the URL for PLAY, TEARDOWN and keep-alive */
  std::string skipped;    /* media left out, and why ("" if none) */
};

/* Turns a DESCRIBE answer (SDP) into streams: one per RTP/AVP media, caps
 * from the SDP's rtpmap/fmtp and attributes. False with a sentence if the
 * SDP does not parse or holds no RTP stream over UDP. */
bool describe_from_sdp (const std::string &sdp, const std::string &base, RtspDescription &out,
    std::string &error);

/* The Transport header asking the camera to send to @rtp_port/@rtcp_port. */
std::string transport_request (guint16 rtp_port, guint16 rtcp_port);

struct SetupReply {
  guint16 server_rtp_port = 0;
  guint16 server_rtcp_port = 0;
  std::string source;  /* the address the camera sends from, if it says */
  guint32 ssrc = 0;
  bool has_ssrc = false;
};

/* Reads a SETUP answer's Transport header; false with a sentence if it
 * does not parse, or if its client_port is not the pair that was asked. */
bool parse_transport_reply (const std::string &transport, guint16 rtp_port, guint16 rtcp_port,
    SetupReply &reply, std::string &error);

class RtspClient {
 public:
  RtspClient (std::string location, std::string user, std::string password, gint64 timeout_us);
  ~RtspClient ();
  RtspClient (const RtspClient &) = delete;
  RtspClient &operator= (const RtspClient &) = delete;

  /* Connects and asks OPTIONS. */
  bool open (std::string &error);
  bool describe (RtspDescription &description, std::string &error);
  bool setup (const RtspStream &stream, guint16 rtp_port, guint16 rtcp_port, SetupReply &reply,
      std::string &error);
  bool play (const RtspDescription &description, std::string &error);
  bool keep_alive (const RtspDescription &description, std::string &error);
  /* Best effort, bounded by 2 s at most; false if the camera did not agree. */
  bool teardown (const RtspDescription &description, std::string &error);

  /* Microseconds until the next keep-alive is due (0: now). */
  gint64 keep_alive_due_us ();
  /* Reads what the camera sent unasked, if anything, for up to @wait_us;
   * false with a sentence when the connection is gone. */
  bool idle (gint64 wait_us, std::string &error);

  /* From another thread: makes any blocking call return at once. */
  void interrupt ();

  const std::string &location () const { return location_; }
  std::string camera () const;  /* the location without credentials */
  std::string peer_address () const;  /* the camera's IP, from the connection */
  std::string local_address () const; /* ours, as the camera sees it (the advertised one) */
  const std::string &session () const { return session_; }
  guint session_timeout_s () const { return session_timeout_s_; }

 private:
  bool connect (std::string &error);
  void close ();
  bool request (GstRTSPMethod method, const std::string &uri,
      const std::vector<std::pair<GstRTSPHeaderField, std::string>> &headers,
      GstRTSPMessage *response, std::string &error);
  bool exchange (GstRTSPMessage *request, GstRTSPMessage *response, const char *what,
      std::string &error);
  bool use_challenge (GstRTSPMessage *response);
  std::string failure (const char *what, GstRTSPResult result) const;
  std::string connect_failure () const;

  std::string location_;
  const std::string user_, password_;
  gint64 timeout_us_;
  GstRTSPUrl *url_ = nullptr;
  GstRTSPConnection *connection_ = nullptr;
  std::mutex connection_lock_;  /* interrupt () against connect/close */
  std::atomic<bool> interrupted_ {false};
  bool get_parameter_ = false;  /* the camera lists GET_PARAMETER */
  std::string session_;
  guint session_timeout_s_ = 60;
  gint64 last_request_us_ = 0;
};

}  // namespace hostnetrtp
