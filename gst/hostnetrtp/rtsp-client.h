/* hostnetrtp — RTSP with a camera (pull mode): what is said, and the
 * connection it is said on.
 *
 * GStreamer's own RTSP library (GstRTSPConnection, GstRTSPWatch,
 * GstRTSPMessage, GstRTSPTransport, GstRTSPUrl) and GstSDP, no elements.
 * The pure parts read and write what goes on the wire: locations, control
 * URLs, the SDP of DESCRIBE, the Transport of SETUP. RtspConnection carries
 * it, without ever blocking the control task that drives the exchange
 * (element-pull.cpp). Errors are sentences that name the camera (without
 * credentials) and what it answered. */
#pragma once

#include "control-task.h"
#include "encodings.h"
#include "owned.h"

#include <gst/rtsp/rtsp.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
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

/* A header's value, "" if the message has none; with @all, every value
 * it has, joined by ", " (the library splits lists such as Public). */
std::string rtsp_header (const GstRTSPMessage *msg, GstRTSPHeaderField field, bool all = false);

/* One RTSP connection to a camera, for a control task: connects on a
 * thread of its own (name lookup, TCP, TLS, all cancellable), then reads
 * and writes through a GstRTSPWatch on the task's context, so the task
 * never blocks on the camera. What the camera sends, and the end of the
 * connection, reach the handlers on the task's thread, from the watch:
 * they must not destroy the connection there. */
class RtspConnection {
 public:
  struct Handlers {
    std::function<void (GstRTSPMessage *message)> message;  /* a response or the camera's request */
    std::function<void (const std::string &why)> closed;    /* the connection is gone */
  };

  RtspConnection (ControlTask &task, Handlers handlers);
  /* Cancels a connect under way and waits for its thread; closes. */
  ~RtspConnection ();
  RtspConnection (const RtspConnection &) = delete;
  RtspConnection &operator= (const RtspConnection &) = delete;

  /* Connects to @location (rtsp://) within @timeout_us; @user and
   * @password (if not empty) answer a 401's challenge. @done runs as a job
   * of the task with "" or a sentence that names the camera and why. A stop
   * of the task cancels it (and drops the job). */
  void connect (const std::string &location, const std::string &user, const std::string &password,
      gint64 timeout_us, std::function<void (const std::string &error)> done);

  /* Queues @request (the connection adds CSeq, Session and credentials);
   * false with a sentence if the connection cannot take it. */
  bool send (GstRTSPMessage *request, std::string &error);

  /* Sets up the credentials a 401 answer asks for (Digest over Basic);
   * false if it offers nothing usable or there are no credentials. */
  bool use_challenge (GstRTSPMessage *response);

  bool connected () const { return watch_ != nullptr; }
  bool has_credentials () const { return !user_.empty (); }
  std::string camera () const { return without_credentials (location_); }
  std::string host () const;          /* of the location */
  std::string peer_address () const;  /* the camera's IP, from the connection */
  std::string local_address () const; /* ours, as the camera sees it (the advertised one) */

 private:
  struct Attempt;
  static GstRTSPResult on_message (GstRTSPWatch *, GstRTSPMessage *message, gpointer self) noexcept;
  static GstRTSPResult on_closed (GstRTSPWatch *, gpointer self) noexcept;
  static GstRTSPResult on_error (GstRTSPWatch *, GstRTSPResult result, GstRTSPMessage *,
      guint, gpointer self) noexcept;
  void connected_with (GstRTSPResult result, const std::string &diagnosis,
      const std::function<void (const std::string &)> &done);
  void lost (const std::string &why);

  ControlTask &task_;
  Handlers handlers_;
  std::string location_, user_, password_;
  GstRTSPUrl *url_ = nullptr;
  GstRTSPConnection *connection_ = nullptr;
  GstRTSPWatch *watch_ = nullptr;
  GCancellable *cancellable_;  /* this connection's: cancelled with the task, or by its end */
  gulong task_cancelled_ = 0;
  std::thread connecting_;
  std::shared_ptr<Attempt> attempt_;  /* the connect under way, shared with its thread */
  std::shared_ptr<bool> alive_;       /* jobs posted for this connection check it */
};

}  // namespace hostnetrtp
