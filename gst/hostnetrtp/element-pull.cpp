/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — pull mode: the element as the camera's RTSP client.
 *
 * With location=rtsp://..., the element's control task talks to the camera
 * (never a state change): OPTIONS and DESCRIBE give the streams, the
 * allocator binds a pair for each (all or nothing), SETUP tells the camera
 * client_port = that pair, the streams are built around it (src_N appear),
 * a datagram from each socket to the camera's ports opens any stateful
 * firewall on the way, and PLAY starts the media once the element plays.
 * Then keep-alive before the session times out. The camera's address is
 * the streams' sender filter and its server_port their RTCP destination.
 *
 * Every step is a request whose answer comes back to the task (the
 * connection's watch runs on the task's context), bounded by tcp-timeout:
 * the task never waits on the camera, and a stop interrupts any step at
 * once. A session that ends (a failure part-way, a stop) is torn down with
 * TEARDOWN whenever the camera gave one, waiting at most teardown-timeout.
 *
 * A first connection that fails is an error that names the camera and what
 * it answered. A camera lost later (connection gone, keep-alive refused, no
 * data for reconnect-silence) is reconnected with backoff on the same bound
 * ports and pads, with a warning and a message for the loss and one for the
 * recovery; reconnect-attempts=0 errors out instead, as rtspsrc does. A
 * camera that comes back with another number of streams is an error: the
 * pipeline's pads cannot follow it. */
#include "element-private.h"

#include "interleaved-reader.h"
#include "rtsp-connection.h"

#include <gio/gio.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>

#define GST_CAT_DEFAULT gst_hostnet_rtp_src_debug

namespace hostnetrtp {

namespace {

constexpr gint64 kMaxBackoff = 30 * G_USEC_PER_SEC;
constexpr guint kSilenceCheckMs = 100;
constexpr int kMaxRedirects = 5;
/* After PLAY's answer, a camera whose announced server_port stays silent
 * this long is followed to the port of its host it really sends from. */
constexpr gint64 kFollowUndeclaredAfter = G_USEC_PER_SEC;

/* A receiver report with no report block: what opens a stateful firewall
 * on the way for the camera's RTCP, and tells it we are here. */
const guint8 kHello[8] = {0x80, 201, 0, 1, 0x68, 0x6e, 0x72, 0x70};

void send_hello (GSocket *socket, const std::string &host, guint16 port)
{
  if (!socket || port == 0)
    return;
  Peer to = Peer::from_string (host, port);
  GObjectPtr<GSocketAddress> address = to.to_socket_address (g_socket_get_family (socket));
  if (address)
    g_socket_send_to (socket, address.get (), reinterpret_cast<const gchar *> (kHello),
        sizeof (kHello), nullptr, nullptr);
}

/* Who may send a pulled stream: the camera's address (the SETUP reply's
 * source, else the RTSP peer) and the server_port it announced; its RTCP
 * port is where reports go. */
struct CameraSender {
  std::string host;
  std::shared_ptr<const SenderFilter> filter;
  ServerPorts ports;
  Peer report_to;
};

bool camera_sender (const std::string &peer, const SetupReply &reply, CameraSender &camera,
    std::string &reason)
{
  camera.host = peer;
  std::string senders = peer;
  if (!reply.tcp && !reply.source.empty () && Peer::from_string (reply.source).valid && reply.source != peer) {
    /* source= says where it sends from; some say an address of theirs that
     * NAT rewrites: both are the camera's (a host name there is not resolved). */
    camera.host = reply.source;
    senders += "," + reply.source;
  }
  SenderFilter only_camera;
  if (!SenderFilter::parse (senders, only_camera, reason) || only_camera.allows_all ()) {
    reason = "cannot tell the camera's address ('" + senders + "') to accept its streams only";
    return false;
  }
  camera.filter = std::make_shared<const SenderFilter> (std::move (only_camera));
  /* Over TCP the connection is the camera; over UDP its ports, if it told
   * them (else its packets tell, and its RTCP where reports go). */
  if (!reply.tcp) {
    camera.ports = {reply.server_rtp_port, reply.server_rtcp_port, reply.has_ssrc, reply.ssrc};
    if (reply.server_rtcp_port)
      camera.report_to = Peer::from_string (camera.host, reply.server_rtcp_port);
  }
  return true;
}

void post_pull_message (GstHostnetRtpSrc *self, const char *name, const std::string &camera,
    const std::string &reason, int attempt)
{
  post_element_message (self, gst_structure_new (name, "location", G_TYPE_STRING, camera.c_str (),
      "reason", G_TYPE_STRING, reason.c_str (), "attempt", G_TYPE_INT, attempt, nullptr));
}

/* The host part of an rtsp:// location, "" if it has none. */
std::string host_of (const std::string &location)
{
  GstRTSPUrl *url = nullptr;
  if (gst_rtsp_url_parse (location.c_str (), &url) != GST_RTSP_OK || !url)
    return "";
  std::string host = url->host ? url->host : "";
  gst_rtsp_url_free (url);
  return host;
}

using Headers = std::vector<std::pair<GstRTSPHeaderField, std::string>>;

/* rtspsrc's accept-certificate, asked from the thread that makes the TLS
 * connection: emitted as a call-out of the task (a handler may stop the
 * element there), the connecting thread waiting for the answer, or for a
 * stop (then refused). */
bool ask_accept_certificate (GstHostnetRtpSrc *self, ControlTask &task, GTlsConnection *conn,
    GTlsCertificate *certificate, GTlsCertificateFlags errors)
{
  struct Answer {
    std::mutex lock;
    std::condition_variable given;
    bool done = false;
    bool accepted = false;
  };
  auto answer = std::make_shared<Answer> ();
  ObjectRef<GTlsConnection> c (static_cast<GTlsConnection *> (g_object_ref (conn)));
  ObjectRef<GTlsCertificate> t (static_cast<GTlsCertificate *> (g_object_ref (certificate)));
  task.call_out ([self, answer, c, t, errors] {
    gboolean accepted = FALSE;
    g_signal_emit (self, rtspsrc_signals[SIGNAL_ACCEPT_CERTIFICATE], 0, c.get (), t.get (), errors, &accepted);
    std::lock_guard<std::mutex> guard (answer->lock);
    answer->accepted = accepted != FALSE;
    answer->done = true;
    answer->given.notify_all ();
  });
  std::unique_lock<std::mutex> guard (answer->lock);
  while (!answer->done && !task.stopping ())  /* a stop drops the call-out: looked at every 50 ms */
    answer->given.wait_for (guard, std::chrono::milliseconds (50));
  return answer->done && answer->accepted;
}

/* rtpbin's on-timeout (an SSRC timed out in its session, RTCP's rule):
 * rtspsrc's GstRTSPSrcTimeout, posted from the task. */
struct TimeoutTarget {
  GstHostnetRtpSrc *self;
  ControlTask *task;
  std::vector<guint> media;  /* each session's m= index: rtspsrc's stream number */
};

void on_ssrc_timeout (GstElement *, guint session, guint ssrc, gpointer data) noexcept
{
  auto *to = static_cast<TimeoutTarget *> (data);
  GstHostnetRtpSrc *self = to->self;
  const guint stream = session < to->media.size () ? to->media[session] : session;
  to->task->call_out ([self, stream, ssrc] {
    post_element_message (self, rtspsrc_timeout_structure (stream, ssrc));
  });
}

/* rtspsrc's proxy: [http://][user:passwd@]host[:port] (port 8080 when not
 * given, as there). Empty: none. */
bool parse_proxy (const std::string &proxy, std::string &host, guint16 &port, std::string &error)
{
  host.clear ();
  port = 0;
  if (proxy.empty ())
    return true;
  std::string rest = proxy.rfind ("http://", 0) == 0 ? proxy.substr (7) : proxy;
  const auto at = rest.rfind ('@');
  if (at != std::string::npos)
    rest = rest.substr (at + 1);  /* credentials: gstreamer-rtsp sends none to a proxy */
  const auto colon = rest.rfind (':');
  host = rest.substr (0, colon);
  gint64 number = 8080;  /* rtspsrc's */
  if (colon != std::string::npos) {
    char *end = nullptr;
    number = g_ascii_strtoll (rest.c_str () + colon + 1, &end, 10);
    if (!end || *end || number < 1 || number > 65535)
      number = -1;
  }
  if (host.empty () || number < 0) {
    error = "proxy='" + proxy + "' is not [http://][user:passwd@]host[:port]: write the proxy's "
        "host and port, e.g. proxy=http://proxy.example:3128";
    return false;
  }
  port = guint16 (number);
  return true;
}

}  // namespace

class ParameterReply;

class PullSession {
 public:
  PullSession (GstHostnetRtpSrc *self, Run &run, Settings settings)
      : self_ (self), run_ (run), s_ (std::move (settings))
  {
    std::string refused;  /* never: pull_check () refused a bad proxy at NULL->READY */
    parse_proxy (s_.rtspsrc.proxy, proxy_host_, proxy_port_, refused);
  }

  /* READY->PAUSED: connect, describe, set up; PLAY once playing. */
  void open ();
  void set_playing (bool playing);
  /* PAUSED->READY: TEARDOWN, no reconnection. */
  void close ();
  /* The task's exit: TEARDOWN where a session exists, at most
   * teardown-timeout; every connection closed. */
  void exit ();

 private:
  /* What to do with the camera's final answer to a request. */
  using Then = std::function<void (GstRTSPMessage *response, GstRTSPStatusCode code)>;
  struct Request {
    GstRTSPMethod method = GST_RTSP_INVALID;
    std::string uri;
    Headers headers;
    std::string body;  /* GET_PARAMETER's names, SET_PARAMETER's values */
    Then then;
    bool challenged = false;
    guint index = 0;  /* the requests sent on its connection before it */
  };
  /* A connection on its way out: its TEARDOWN's answer, at most teardown-timeout. */
  struct Retiring {
    std::unique_ptr<RtspConnection> connection;
    guint serial = 0;
    gint64 cseq = -1;  /* the TEARDOWN's: only its answer ends the wait */
    bool done = false;
  };

  void from_the_top ();
  void connect ();
  void switch_to_tcp (const std::string &why, const std::string &seen);
  void back_to_udp ();
  void on_data (GstRTSPMessage *message);
  void send_data (guint8 channel, const std::vector<guint8> &bytes);
  bool check_udp_delivers ();
  guint64 packets_received () const;
  TransportAsked asked (size_t index) const;
  void options ();
  void describe ();
  void on_describe (GstRTSPMessage *response, GstRTSPStatusCode code);
  bool edited_by_application (std::string &sdp);
  bool selected_by_application (RtspDescription &description);
  std::vector<guint> media_indices () const
  {
    std::vector<guint> media;
    for (const RtspStream &stream : description_.streams)
      media.push_back (stream.media);
    return media;
  }
  void setup (size_t index);
  void on_setup (size_t index, GstRTSPMessage *response);
  void ready ();
  void play ();
  void keep_alive ();
  void schedule_keep_alive ();
  bool check_silence ();

  bool allocate (size_t n_streams, Allocation &allocation, std::string &reason);
  bool bind_and_build (Allocation &allocation, std::string &reason);

  void request (GstRTSPMethod method, const std::string &uri, Headers headers, Then then,
      std::string body = "");
  void send (Request request);
  /* What every request carries (rtspsrc's user-agent, rtp-blocksize), then
   * the application's before-send: false if it kept @message back. */
  bool prepare (GstRTSPMessage *message, GstRTSPMethod method);
  void log_message (const char *direction, GstRTSPMessage *message) const;

 public:
  /* rtspsrc's get-parameter(s) and set-parameter actions: the answer
   * replies @promise as rtspsrc's does. */
  void parameter (GstRTSPMethod method, Headers headers, std::string body,
      std::shared_ptr<ParameterReply> reply);

 private:
  void on_message (guint serial, GstRTSPMessage *message);
  void on_closed (guint serial, const std::string &why);
  void answer_camera (GstRTSPMessage *request);
  std::string refusal (GstRTSPMethod method, GstRTSPMessage *response, GstRTSPStatusCode code) const;
  std::string where () const;

  void fail (const std::string &reason, bool fatal = false);
  void lost (const std::string &reason);
  void end_session ();
  void retire (bool teardown);
  void retired (Retiring &r);
  void sweep ();
  bool stopping () const { return run_.task.stopping (); }
  /* The location as a request names it: never with the credentials. */
  std::string request_uri () const { return without_credentials (location_); }
  void cancel (guint &timer);

  GstHostnetRtpSrc *const self_;
  Run &run_;
  const Settings s_;

  /* Where the camera is: the location, after redirects; the credentials
   * go with it only while it stays on the same host. */
  std::string location_;
  std::string user_, password_;
  int redirects_ = 0;

  std::unique_ptr<RtspConnection> connection_;
  std::string proxy_host_;  /* rtspsrc's proxy (a start-time setting) */
  guint16 proxy_port_ = 0;
  ObjectRef<GTlsDatabase> ca_file_database_;  /* tls-ca-file's, read at open () */
  guint serial_ = 0;  /* of connection_; each connection has its own */
  std::vector<Retiring> retiring_;
  /* One request at a time waits for its answer; the others wait their turn. */
  std::unique_ptr<Request> pending_;
  std::deque<Request> queued_;
  /* The connection numbers requests (CSeq) itself: the first answer tells
   * where it started, and an answer of another number is none of ours. */
  guint sent_ = 0;
  gint64 cseq_base_ = -1;

  /* The transports this session may use, and the one it uses: UDP first,
   * TCP when UDP cannot arrive; after a loss, the one that last worked. */
  bool udp_allowed_ = true, tcp_allowed_ = true;
  bool tcp_ = false;
  bool udp_tried_ = false;      /* this open () set up UDP once: TCP came after it */
  Peer camera_peer_;            /* over TCP: where the camera's packets come "from" */
  std::vector<SetupReply> replies_;
  guint64 packets_at_play_ = 0;
  guint fallback_timer_ = 0;

  /* What the camera said. */
  bool get_parameter_ = false;
  bool set_parameter_ = false;
  KeepAlive keep_alive_ = KeepAlive::Auto;  /* what works with this camera */
  bool pause_refused_ = false;              /* it answered PAUSE with an error: not again */
  std::string session_;
  guint session_timeout_s_ = 60;
  RtspDescription description_;
  std::vector<CameraSender> cameras_;
  Allocation allocation_;
  std::string bound_address_;

  bool closing_ = false;    /* closed while a SETUP waits: its answer ends the session */
  bool playing_ = false;    /* the element plays: PLAY when set up */
  bool set_up_ = false;     /* every stream set up, waiting for PLAY */
  bool play_asked_ = false; /* PLAY sent or waiting its turn */
  bool streaming_ = false;  /* PLAY answered */
  bool closed_ = true;      /* no session wanted (before open, after close) */
  bool established_ = false;  /* PLAY has succeeded once since open () */
  bool lost_ = false;         /* since the last loss, not yet recovered */
  int attempts_ = 0;          /* reconnections tried since the loss */
  int silent_sessions_ = 0;   /* sessions in a row that got no packet after PLAY */
  gint64 lost_at_us_ = 0;
  gint64 last_request_us_ = 0;
  gint64 streaming_since_us_ = 0;
  guint request_timer_ = 0, keep_alive_timer_ = 0, silence_timer_ = 0, reconnect_timer_ = 0;
};

void PullSessionDeleter::operator() (PullSession *session) const noexcept
{
  delete session;
}

void PullSession::cancel (guint &timer)
{
  run_.task.cancel_timer (timer);
  timer = 0;
}

std::string PullSession::where () const
{
  const std::string host = connection_ ? connection_->host () : host_of (location_);
  guint16 port = 554;
  GstRTSPUrl *url = nullptr;
  if (gst_rtsp_url_parse (location_.c_str (), &url) == GST_RTSP_OK && url) {
    gst_rtsp_url_get_port (url, &port);
    gst_rtsp_url_free (url);
  }
  return "the camera at " + without_credentials (location_) + " (" + host + " port " +
      std::to_string (port) + ")";
}

/* The camera as the settings name it, with its credentials. */
void PullSession::from_the_top ()
{
  location_ = s_.location;
  user_ = s_.user_id;
  password_ = s_.user_pw;
  GstRTSPUrl *url = nullptr;
  if (user_.empty () && gst_rtsp_url_parse (location_.c_str (), &url) == GST_RTSP_OK && url) {
    /* rtsp://user:password@host/path: the same as user-id and user-pw. */
    user_ = url->user ? url->user : "";
    password_ = url->passwd ? url->passwd : "";
  }
  if (url)
    gst_rtsp_url_free (url);
  redirects_ = 0;
}

void PullSession::open ()
{
  if (closing_) {  /* the last close still waits for a SETUP's answer: no more */
    closing_ = false;
    end_session ();
  }
  sweep ();
  from_the_top ();
  closed_ = false;
  established_ = lost_ = false;
  attempts_ = 0;
  /* protocols, within what the location allows (rtspt:// TCP, rtsps:// TCP in TLS). */
  const guint allowed = s_.protocols & location_transports (s_.location);
  udp_allowed_ = allowed & (GST_RTSP_LOWER_TRANS_UDP | GST_RTSP_LOWER_TRANS_UDP_MCAST);
  tcp_allowed_ = allowed & GST_RTSP_LOWER_TRANS_TCP;
  if (!udp_allowed_ && !tcp_allowed_) {
    closed_ = true;
    post_error (self_, GST_RESOURCE_ERROR_SETTINGS, "protocols allows no transport "
        + without_credentials (s_.location) + " can use: set protocols=udp+tcp (rtsps:// and rtspt:// "
        "need tcp, rtspu:// udp)");
    return;
  }
  tcp_ = !udp_allowed_;
  udp_tried_ = false;
  silent_sessions_ = 0;
  keep_alive_ = s_.keep_alive;
  if (!s_.tls_database.get () && !s_.tls_ca_file.empty () && !ca_file_database_.get ()) {
    std::string error;  /* read once at NULL->READY already: only a file changed since fails */
    ca_file_database_ = read_tls_ca_file (s_.tls_ca_file, error);
    if (!ca_file_database_.get ()) {
      closed_ = true;
      post_error (self_, GST_RESOURCE_ERROR_SETTINGS, error);
      return;
    }
  }
  connect ();
}

/* Never from a connection's own watch after sweep (): a redirect calls it
 * from there, so the caller sweeps. */
void PullSession::connect ()
{
  reconnect_timer_ = 0;
  const guint serial = ++serial_;
  RtspConnection::Handlers handlers;
  handlers.message = [this, serial] (GstRTSPMessage *message) { on_message (serial, message); };
  handlers.closed = [this, serial] (const std::string &why) { on_closed (serial, why); };
  connection_ = std::make_unique<RtspConnection> (run_.task, std::move (handlers));
  session_.clear ();
  sent_ = 0;
  cseq_base_ = -1;
  RtspConnection::Tls tls;
  tls.validation_flags = s_.tls_validation_flags;
  tls.database = s_.tls_database.get () ? s_.tls_database.get () : ca_file_database_.get ();
  tls.interaction = s_.tls_interaction.get ();
  GstHostnetRtpSrc *self = self_;
  ControlTask *task = &run_.task;
  tls.accept = [self, task] (GTlsConnection *conn, GTlsCertificate *certificate, GTlsCertificateFlags errors) {
    return ask_accept_certificate (self, *task, conn, certificate, errors);
  };
  if (!proxy_host_.empty ())
    connection_->set_proxy (proxy_host_, proxy_port_);
  connection_->connect (location_, user_, password_, gint64 (s_.tcp_timeout), tls,
      [this, serial] (const std::string &error) {
        if (serial != serial_)
          return;
        if (!error.empty ())
          return fail (error);
        camera_peer_ = Peer::from_string (connection_->peer_address (), connection_->peer_port ());
        options ();
      });
}

void PullSession::options ()
{
  request (GST_RTSP_OPTIONS, request_uri (), {}, [this] (GstRTSPMessage *response, GstRTSPStatusCode code) {
    if (code != GST_RTSP_STS_OK)
      return fail (refusal (GST_RTSP_OPTIONS, response, code));
    const std::string listed = rtsp_header (response, GST_RTSP_HDR_PUBLIC, true);
    get_parameter_ = listed.find ("GET_PARAMETER") != std::string::npos;
    set_parameter_ = listed.find ("SET_PARAMETER") != std::string::npos;
    describe ();
  });
}

void PullSession::describe ()
{
  request (GST_RTSP_DESCRIBE, request_uri (), {{GST_RTSP_HDR_ACCEPT, "application/sdp"}},
      [this] (GstRTSPMessage *response, GstRTSPStatusCode code) { on_describe (response, code); });
}

/* The promise of a get/set-parameter action: replied once, as rtspsrc
 * replies it; one whose answer never comes (no session, the session or
 * the element ended first: the job or the request dropped) is expired, as
 * rtspsrc expires its queued ones, so no application waits forever. */
class ParameterReply {
 public:
  ParameterReply (GstPromise *promise, bool get) : promise_ (gst_promise_ref (promise)), get_ (get) {}
  ~ParameterReply ()
  {
    if (!promise_)
      return;
    gst_promise_expire (promise_);
    gst_promise_unref (promise_);
  }
  ParameterReply (const ParameterReply &) = delete;
  ParameterReply &operator= (const ParameterReply &) = delete;
  /* Only an answer replies: rtsp-result is GST_RTSP_OK, @code is the camera's. */
  void reply (GstRTSPStatusCode code, const std::string &body)
  {
    GstStructure *s = gst_structure_new (get_ ? "get-parameter-reply" : "set-parameter-reply",
        "rtsp-result", G_TYPE_INT, int (GST_RTSP_OK), "rtsp-code", G_TYPE_INT, int (code),
        "rtsp-reason", G_TYPE_STRING, gst_rtsp_status_as_text (code), nullptr);
    if (get_)
      gst_structure_set (s, "body", G_TYPE_STRING, body.c_str (), nullptr);
    gst_promise_reply (promise_, s);
    gst_promise_unref (promise_);
    promise_ = nullptr;
  }

 private:
  GstPromise *promise_;
  const bool get_;
};

void PullSession::parameter (GstRTSPMethod method, Headers headers, std::string body,
    std::shared_ptr<ParameterReply> reply)
{
  if (!set_up_ || !connection_ || stopping ())
    return;  /* no session: expired */
  request (method, description_.aggregate, std::move (headers),
      [reply] (GstRTSPMessage *response, GstRTSPStatusCode code) {
        guint8 *data = nullptr;
        guint size = 0;
        gst_rtsp_message_get_body (response, &data, &size);
        std::string text (reinterpret_cast<const char *> (data), data ? size : 0);
        if (!text.empty () && text.back () == '\0')
          text.pop_back ();  /* gstreamer-rtsp's terminator */
        reply->reply (code, text);
      }, std::move (body));
}

/* rtspsrc's on-sdp: the application may edit the SDP. False if it
 * stopped the element meanwhile. */
bool PullSession::edited_by_application (std::string &sdp)
{
  if (!g_signal_has_handler_pending (self_, rtspsrc_signals[SIGNAL_ON_SDP], 0, FALSE))
    return true;
  GstSDPMessage *message = nullptr;
  if (gst_sdp_message_new_from_text (sdp.c_str (), &message) != GST_SDP_OK || !message)
    return true;  /* describe_from_sdp () says what is wrong with it */
  const bool asked = run_.task.call_out_now ([&] {
    g_signal_emit (self_, rtspsrc_signals[SIGNAL_ON_SDP], 0, message);
  });
  GCharPtr text (gst_sdp_message_as_text (message));
  gst_sdp_message_free (message);
  if (text)
    sdp = text.get ();
  return asked && !stopping ();
}

/* rtspsrc's select-stream: the streams the application leaves out get no
 * SETUP, no pair and no pad. False (with the error posted) if none is left,
 * or if it stopped the element. */
bool PullSession::selected_by_application (RtspDescription &description)
{
  if (!g_signal_has_handler_pending (self_, rtspsrc_signals[SIGNAL_SELECT_STREAM], 0, FALSE))
    return true;
  std::vector<RtspStream> kept;
  const bool asked = run_.task.call_out_now ([&] {
    for (guint i = 0; i < description.streams.size (); i++) {
      gboolean take = TRUE;
      g_signal_emit (self_, rtspsrc_signals[SIGNAL_SELECT_STREAM], 0, description.streams[i].media,
          description.streams[i].description.caps.get (), &take);
      if (take)
        kept.push_back (std::move (description.streams[i]));
      else
        GST_INFO_OBJECT (self_, "stream %u left out by select-stream", description.streams[i].media);
    }
  });
  if (!asked || stopping ())
    return false;
  if (kept.empty ()) {
    fail ("select-stream left none of the " + std::to_string (description.streams.size ()) +
        " stream(s) of " + without_credentials (location_) + ": nothing to play", true);
    return false;
  }
  description.streams = std::move (kept);
  return true;
}

void PullSession::on_describe (GstRTSPMessage *response, GstRTSPStatusCode code)
{
  if (code == GST_RTSP_STS_MOVED_PERMANENTLY || code == GST_RTSP_STS_MOVE_TEMPORARILY) {
    const std::string to = rtsp_header (response, GST_RTSP_HDR_LOCATION);
    std::string error;
    if (to.empty () || redirects_ == kMaxRedirects || !valid_rtsp_location (to, error))
      return fail (refusal (GST_RTSP_DESCRIBE, response, code) + ": too many redirects, or one "
          "without a valid Location" + (error.empty () ? "" : " (" + error + ")"));
    /* The camera moved, the user did not: the credentials follow it on the
     * same host, and never to another one. */
    if (g_ascii_strcasecmp (host_of (to).c_str (), host_of (location_).c_str ()) != 0) {
      if (!user_.empty ())
        GST_INFO_OBJECT (self_, "redirected to another host (%s): its credentials stay behind",
            without_credentials (to).c_str ());
      user_.clear ();
      password_.clear ();
    }
    GST_INFO_OBJECT (self_, "%s redirects to %s", without_credentials (location_).c_str (),
        without_credentials (to).c_str ());
    retire (false);
    run_.task.post ([this] { sweep (); });  /* the old connection goes, from outside its watch */
    location_ = to;
    redirects_++;
    return connect ();
  }
  if (code != GST_RTSP_STS_OK)
    return fail (refusal (GST_RTSP_DESCRIBE, response, code));
  guint8 *body = nullptr;
  guint size = 0;
  gst_rtsp_message_get_body (response, &body, &size);
  std::string base = rtsp_header (response, GST_RTSP_HDR_CONTENT_BASE);
  if (base.empty ())
    base = rtsp_header (response, GST_RTSP_HDR_CONTENT_LOCATION);
  if (base.empty ())
    base = request_uri ();
  std::string why;
  std::string sdp (reinterpret_cast<const char *> (body), body ? size : 0);
  if (!edited_by_application (sdp))
    return;  /* its on-sdp handler stopped the element */
  RtspDescription description;
  if (!describe_from_sdp (sdp, base, description, why))
    return fail ("the camera at " + without_credentials (location_) + " answered DESCRIBE, but " + why);
  if (!selected_by_application (description))
    return;
  if (!description.skipped.empty ())
    GST_INFO_OBJECT (self_, "left out of %s: %s", without_credentials (location_).c_str (),
        description.skipped.c_str ());
  const size_t built = streams_of (self_).size ();
  if (built != 0 && built != description.streams.size ())
    return fail ("the camera at " + without_credentials (location_) + " now describes " +
        std::to_string (description.streams.size ()) + " stream(s) instead of " +
        std::to_string (built) + ": restart the pipeline to follow it", true);
  description_ = std::move (description);
  if (built == 0 && !tcp_ && allocation_.streams.size () != description_.streams.size () &&
      !allocate (description_.streams.size (), allocation_, why))
    return fail (why, true);
  cameras_.assign (description_.streams.size (), CameraSender ());
  replies_.assign (description_.streams.size (), SetupReply ());
  setup (0);
}

/* What SETUP of stream @index asks for: the pair bound for it, or two
 * channels of the connection. */
TransportAsked PullSession::asked (size_t index) const
{
  TransportAsked a;
  a.tcp = tcp_;
  if (tcp_) {
    a.rtp_channel = guint8 (2 * index);
    a.rtcp_channel = guint8 (2 * index + 1);
    return a;
  }
  auto built = streams_of (self_);
  const BoundStream &sockets = built.empty () ? allocation_.streams[index] : built[index]->path->sockets ();
  a.rtp_port = sockets.rtp_port;
  a.rtcp_port = sockets.rtcp_port;
  return a;
}

void PullSession::setup (size_t index)
{
  request (GST_RTSP_SETUP, description_.streams[index].control,
      {{GST_RTSP_HDR_TRANSPORT, transport_request (asked (index))}},
      [this, index] (GstRTSPMessage *response, GstRTSPStatusCode code) {
        if (code == GST_RTSP_STS_UNSUPPORTED_TRANSPORT && !tcp_ && tcp_allowed_)
          return switch_to_tcp ("the camera refused UDP (461 Unsupported transport)", "");
        if (code == GST_RTSP_STS_UNSUPPORTED_TRANSPORT && tcp_ && udp_allowed_ && udp_tried_)
          return back_to_udp ();
        if (code != GST_RTSP_STS_OK)
          return fail (refusal (GST_RTSP_SETUP, response, code));
        on_setup (index, response);
      });
}

void PullSession::on_setup (size_t index, GstRTSPMessage *response)
{
  const std::string session = rtsp_header (response, GST_RTSP_HDR_SESSION);
  const auto semicolon = session.find (';');
  if (!session.empty ())
    session_ = session.substr (0, semicolon);
  const auto timeout = session.find ("timeout=", semicolon == std::string::npos ? 0 : semicolon);
  if (timeout != std::string::npos)
    session_timeout_s_ = guint (std::max (1, std::atoi (session.c_str () + timeout + 8)));
  SetupReply &reply = replies_[index];
  std::string why;
  if (!parse_transport_reply (rtsp_header (response, GST_RTSP_HDR_TRANSPORT), asked (index), reply, why))
    return fail ("the camera at " + without_credentials (location_) + " answered SETUP of " +
        description_.streams[index].control + ", but " + why);
  if (!camera_sender (connection_->peer_address (), reply, cameras_[index], why))
    return fail (why);
  if (index + 1 < description_.streams.size ())
    return setup (index + 1);
  ready ();
}

bool PullSession::allocate (size_t n_streams, Allocation &allocation, std::string &reason)
{
  /* The default bind is IPv4: an IPv6 camera needs the dual-stack one. */
  std::string address = s_.address;
  if (address == "0.0.0.0" && connection_->peer_address ().find (':') != std::string::npos)
    address = "::";
  BindAddress bind;
  PortRange range;
  if (!parse_port_range (s_.port_range.c_str (), range, reason) ||
      !resolve_bind_address (address, s_.loopback_policy, bind, reason))
    return false;
  if (!bind.warning.empty ())
    post_warning (self_, bind.warning);
  warn_about_range (self_, range);
  if (!allocate_pairs (self_, s_, bind.address.get (), range, n_streams, allocation)) {
    reason.clear ();  /* posted already */
    return false;
  }
  GCharPtr text (g_inet_address_to_string (bind.address.get ()));
  bound_address_ = text.get ();
  return true;
}

bool PullSession::bind_and_build (Allocation &allocation, std::string &reason)
{
  std::vector<StreamPlan> plans;
  std::string servers, channels;
  for (size_t i = 0; i < description_.streams.size (); i++) {
    const CameraSender &camera = cameras_[i];
    BoundStream sockets = tcp_ ? BoundStream () : std::move (allocation.streams[i]);
    GateConfig gate = gate_config (s_, description_.streams[i].description, sockets, nullptr);
    gate.filter = camera.filter;
    gate.server_ports = camera.ports;
    gate.fixed_report_to = camera.report_to;
    servers += (servers.empty () ? "" : ",") + std::to_string (camera.ports.rtp) + "/" +
        std::to_string (camera.ports.rtcp);
    channels += (channels.empty () ? "" : ",") + std::to_string (replies_[i].rtp_channel) + "-" +
        std::to_string (replies_[i].rtcp_channel);
    StreamPlan plan {description_.streams[i].description, std::move (sockets), std::move (gate), nullptr};
    if (tcp_) {
      /* Reports go interleaved on the connection, from the task. */
      ControlTask *task = &run_.task;
      plan.report_out = [this, task, i] (const guint8 *data, gsize size) {
        std::vector<guint8> bytes (data, data + size);
        task->post ([this, i, bytes] {
          if (tcp_ && i < replies_.size ())  /* the channel of this connection's SETUP */
            send_data (replies_[i].rtcp_channel, bytes);
        });
      };
    }
    plans.push_back (std::move (plan));
  }
  allocation = Allocation ();
  Built built;
  if (!build_streams (self_, run_, std::move (plans), jitter_settings (s_), s_.receive_path, built, reason))
    return false;
  /* rtspsrc's GstRTSPSrcTimeout, when an SSRC times out in its session. */
  g_signal_connect_data (built.rtpbin.get (), "on-timeout", G_CALLBACK (on_ssrc_timeout),
      new TimeoutTarget {self_, &run_.task, media_indices ()},
      [] (gpointer data, GClosure *) noexcept { delete static_cast<TimeoutTarget *> (data); },
      GConnectFlags (0));
  /* Attaching runs application code (pad-added, the children's messages;
   * rtspsrc's new-manager first), which may stop the element: as a
   * call-out, taking itself back then. */
  bool attached = false;
  run_.task.call_out_now ([&] {
    g_signal_emit (self_, rtspsrc_signals[SIGNAL_NEW_MANAGER], 0, built.rtpbin.get ());
    attached = !stopping () && attach_streams (self_, built, [this] { return stopping (); }, reason);
  });
  if (!attached)
    return false;
  GstStructurePtr extra (gst_structure_new ("pull",
      "location", G_TYPE_STRING, without_credentials (location_).c_str (),
      "session", G_TYPE_STRING, session_.c_str (),
      "transport", G_TYPE_STRING, tcp_ ? "tcp" : "udp",
      "server-ports", G_TYPE_STRING, tcp_ ? "" : servers.c_str (),
      "interleaved", G_TYPE_STRING, tcp_ ? channels.c_str () : "", nullptr));
  announce (self_, tcp_ ? "" : bound_address_, connection_->local_address (), false, false, extra.get ());
  return true;
}

/* Every stream set up: built the first time, pointed at the camera's new
 * ports after a reconnection; then PLAY once the element plays. */
void PullSession::ready ()
{
  auto built = streams_of (self_);
  if (built.empty ()) {
    std::string reason;
    if (!bind_and_build (allocation_, reason))
      return stopping () ? void () : fail (reason, true);
    if (stopping ())
      return;  /* its application code stopped the element */
    built = streams_of (self_);
  } else {
    for (size_t i = 0; i < built.size (); i++) {
      StreamGate &gate = built[i]->path->gate ();
      gate.set_filter (cameras_[i].filter);
      gate.set_server_ports (cameras_[i].ports);
      gate.set_fixed_report_to (cameras_[i].report_to);
    }
  }
  /* RTCP waits for the PLAY reply (see play ()): only the RTP hello now
   * (nat-method=dummy, rtspsrc's default). */
  for (size_t i = 0; i < built.size (); i++) {
    built[i]->path->hold_reports (true);
    if (!tcp_ && s_.rtspsrc.nat_method != 0)
      send_hello (built[i]->path->sockets ().rtp.get (), cameras_[i].host, cameras_[i].ports.rtp);
  }
  set_up_ = true;
  schedule_keep_alive ();
  if (playing_)
    play ();
}

void PullSession::set_playing (bool playing)
{
  playing_ = playing;
  if (playing && set_up_)
    return play ();
  /* PLAYING->PAUSED: the camera pauses too, as with rtspsrc (unless it
   * said it cannot: then it streams on, and the pipeline drops it). */
  if (!playing && streaming_ && !pause_refused_) {
    request (GST_RTSP_PAUSE, description_.aggregate, {},
        [this] (GstRTSPMessage *response, GstRTSPStatusCode code) {
          if (code != GST_RTSP_STS_OK) {
            GST_INFO_OBJECT (self_, "%s: streaming on", refusal (GST_RTSP_PAUSE, response, code).c_str ());
            pause_refused_ = true;
            return;
          }
          streaming_ = play_asked_ = false;
          cancel (silence_timer_);
          cancel (fallback_timer_);
          if (playing_)  /* PLAYING again meanwhile */
            play ();
        });
  }
}

void PullSession::play ()
{
  if (play_asked_ || streaming_)
    return;
  play_asked_ = true;
  for (auto &stream : streams_of (self_))
    stream->path->gate ().play_sent ();
  request (GST_RTSP_PLAY, description_.aggregate, {{GST_RTSP_HDR_RANGE, "npt=0-"}},
      [this] (GstRTSPMessage *response, GstRTSPStatusCode code) {
        if (code != GST_RTSP_STS_OK)
          return fail (refusal (GST_RTSP_PLAY, response, code));
        const std::string camera = without_credentials (location_);
        GST_INFO_OBJECT (self_, "playing %s, session %s", camera.c_str (), session_.c_str ());
        /* Only now anything to the camera's RTCP port: gst-rtsp-server starts
         * reading it in PLAY, into a funnel not yet active, and a datagram
         * already waiting there stops that reader for the whole session (the
         * camera then never sees a receiver report). */
        auto built = streams_of (self_);
        for (size_t i = 0; i < built.size () && i < cameras_.size (); i++) {
          const BoundStream &sockets = built[i]->path->sockets ();
          if (!tcp_ && s_.rtspsrc.do_rtcp && s_.rtspsrc.nat_method != 0)
            send_hello (sockets.rtcp ? sockets.rtcp.get () : sockets.rtp.get (), cameras_[i].host,
                cameras_[i].ports.rtcp);
          built[i]->path->hold_reports (!s_.rtspsrc.do_rtcp);  /* do-rtcp=false: never */
        }
        streaming_ = true;
        established_ = true;
        streaming_since_us_ = g_get_monotonic_time ();
        for (auto &stream : streams_of (self_))
          stream->path->gate ().follow_undeclared_ports_after (streaming_since_us_ + kFollowUndeclaredAfter);
        if (s_.reconnect_silence > 0)
          silence_timer_ = run_.task.every (kSilenceCheckMs, [this] { return check_silence (); });
        /* Over UDP, nothing at all for timeout: a firewall or NAT drops it. */
        packets_at_play_ = packets_received ();
        if (!tcp_ && tcp_allowed_ && s_.udp_fallback () > 0)
          fallback_timer_ = run_.task.after (gint64 (s_.udp_fallback ()), [this] {
            fallback_timer_ = 0;
            check_udp_delivers ();
          });
        if (lost_) {
          const gint64 down = (g_get_monotonic_time () - lost_at_us_) / G_USEC_PER_SEC;
          const std::string text = "the camera at " + camera + " is back after " +
              std::to_string (down) + " s (" + std::to_string (attempts_) + " attempt(s)); the stream goes on";
          post_warning (self_, text, GST_RESOURCE_ERROR_READ);
          post_pull_message (self_, "hostnetrtp-rtsp-recovered", camera, text, attempts_);
          lost_ = false;
          attempts_ = 0;
        }
      });
}

guint64 PullSession::packets_received () const
{
  guint64 packets = 0;
  for (auto &stream : streams_of (self_))
    packets += stream->path->gate ().counters ().packets;
  return packets;
}

/* A UDP session that has delivered nothing since PLAY: TCP takes over. */
bool PullSession::check_udp_delivers ()
{
  if (tcp_ || !streaming_ || packets_received () != packets_at_play_)
    return true;
  std::string ports;
  for (auto &stream : streams_of (self_)) {
    const BoundStream &sockets = stream->path->sockets ();
    ports += (ports.empty () ? "" : ", ") + std::to_string (sockets.rtp_port) + "/" +
        std::to_string (sockets.rtcp_port);
  }
  char seconds[32];
  g_snprintf (seconds, sizeof (seconds), "%.1f", s_.udp_fallback () / 1e6);
  udp_tried_ = true;
  switch_to_tcp ("no UDP packet came", "no UDP packet on " + ports + " in " + seconds + " s (timeout): a "
      "firewall or NAT drops the range");
  return false;
}

/* UDP cannot arrive: the session is set up again over TCP, on the same
 * pads; no UDP port stays bound. Told once, with what was seen. */
void PullSession::switch_to_tcp (const std::string &why, const std::string &seen)
{
  const std::string camera = without_credentials (location_);
  const std::string text = "the camera at " + camera + ": " + (seen.empty () ? why : seen) +
      ". Using TCP (RTP interleaved on the RTSP connection)";
  post_warning (self_, text, GST_RESOURCE_ERROR_READ);
  post_element_message (self_, gst_structure_new ("hostnetrtp-rtsp-transport",
      "location", G_TYPE_STRING, camera.c_str (), "transport", G_TYPE_STRING, "tcp",
      "reason", G_TYPE_STRING, (seen.empty () ? why : seen).c_str (), nullptr));
  end_session ();
  /* The UDP streams go (their sockets with them): TCP's are built anew. */
  run_.task.call_out_now ([this] { teardown_streams (self_); });
  allocation_ = Allocation ();
  tcp_ = true;
  run_.task.post ([this] { sweep (); });
  if (!stopping ())
    connect ();
}

/* TCP after UDP delivered nothing, and the camera refuses TCP: it offers
 * UDP only, which was just slow to come (a loaded camera or host). UDP
 * again, for good: no more TCP for this camera until the next start. */
void PullSession::back_to_udp ()
{
  const std::string text = "the camera at " + without_credentials (location_) + " refused TCP (461 "
      "Unsupported transport) after UDP was slow: back to UDP, and no TCP for it until the next start";
  post_warning (self_, text, GST_RESOURCE_ERROR_READ);
  post_element_message (self_, gst_structure_new ("hostnetrtp-rtsp-transport",
      "location", G_TYPE_STRING, without_credentials (location_).c_str (), "transport", G_TYPE_STRING, "udp",
      "reason", G_TYPE_STRING, "the camera refused TCP (461 Unsupported transport)", nullptr));
  end_session ();
  run_.task.call_out_now ([this] { teardown_streams (self_); });
  tcp_ = false;
  tcp_allowed_ = false;
  run_.task.post ([this] { sweep (); });
  if (!stopping ())
    connect ();
}

/* RTP or RTCP interleaved on the connection: through the stream's gate,
 * into its reader (the task never pushes downstream). */
void PullSession::on_data (GstRTSPMessage *message)
{
  guint8 channel = 0;
  guint8 *data = nullptr;
  guint size = 0;
  if (!tcp_ || gst_rtsp_message_parse_data (message, &channel) != GST_RTSP_OK ||
      gst_rtsp_message_get_body (message, &data, &size) != GST_RTSP_OK || !data || size == 0)
    return;
  size--;  /* gstreamer-rtsp counts the '\0' it ends every body with */
  auto built = streams_of (self_);
  for (size_t i = 0; i < replies_.size () && i < built.size (); i++) {
    const bool rtcp = channel == replies_[i].rtcp_channel;
    if (channel != replies_[i].rtp_channel && !rtcp)
      continue;
    Stream &stream = *built[i];
    GstElement *reader = rtcp ? stream.interleaved_rtcp : stream.interleaved_rtp;
    if (reader && stream.path->admit_datagram (data, size, camera_peer_, g_get_monotonic_time (), rtcp) !=
        Admission::Drop)
      interleaved_reader_push (reader, data, size);
    return;
  }
}

void PullSession::send_data (guint8 channel, const std::vector<guint8> &bytes)
{
  std::string ignored;  /* a report that cannot go is one less, as over UDP */
  if (connection_ && connection_->connected ())
    connection_->send_data (channel, bytes.data (), bytes.size (), ignored);
}

/* No data on any stream for reconnect-silence counts as a lost camera. */
bool PullSession::check_silence ()
{
  /* Over UDP, before the first packet, the fallback to TCP decides. */
  if (fallback_timer_ && packets_received () == packets_at_play_)
    return true;
  gint64 last = streaming_since_us_;
  for (auto &stream : streams_of (self_))
    last = std::max (last, stream->path->gate ().counters ().last_packet_us);
  /* A camera slow to send its first packet (loaded, many sessions at once)
   * gets longer after each reconnection that saw none: a new session only
   * starts it over. */
  gint64 limit = gint64 (s_.reconnect_silence) * G_TIME_SPAN_MILLISECOND;
  const bool nothing_yet = last == streaming_since_us_;
  if (!nothing_yet)
    silent_sessions_ = 0;
  else
    limit <<= std::min (silent_sessions_, 3);
  if (g_get_monotonic_time () - last < limit)
    return true;
  silence_timer_ = 0;
  if (nothing_yet)
    silent_sessions_++;
  fail ("no data from the camera at " + without_credentials (location_) + " for " +
      std::to_string (limit / G_TIME_SPAN_MILLISECOND) + " ms (reconnect-silence" +
      (limit > gint64 (s_.reconnect_silence) * G_TIME_SPAN_MILLISECOND ? ", longer after a reconnection)" : ")"));
  return false;
}

/* Half the session's timeout after the last request: well before it ends. */
void PullSession::schedule_keep_alive ()
{
  cancel (keep_alive_timer_);
  if (!s_.rtspsrc.do_rtsp_keep_alive)
    return;  /* rtspsrc's do-rtsp-keep-alive=false: RTCP alone keeps it */
  const gint64 due = last_request_us_ + gint64 (session_timeout_s_) * G_USEC_PER_SEC / 2 -
      g_get_monotonic_time ();
  keep_alive_timer_ = run_.task.after (std::max<gint64> (due, 0), [this] {
    keep_alive_timer_ = 0;
    keep_alive ();
  });
}

void PullSession::keep_alive ()
{
  if (pending_ || !queued_.empty ())
    return schedule_keep_alive ();  /* those requests keep it alive */
  GstRTSPMethod method = GST_RTSP_OPTIONS;
  switch (keep_alive_) {
    case KeepAlive::Auto: method = get_parameter_ ? GST_RTSP_GET_PARAMETER : GST_RTSP_OPTIONS; break;
    case KeepAlive::GetParameter: method = GST_RTSP_GET_PARAMETER; break;
    case KeepAlive::SetParameter: method = GST_RTSP_SET_PARAMETER; break;
    case KeepAlive::Options: break;
  }
  request (method, method == GST_RTSP_OPTIONS ? request_uri () : description_.aggregate, {},
      [this, method] (GstRTSPMessage *response, GstRTSPStatusCode code) {
        /* A camera that takes the session but not the method (405, 501, ...):
         * OPTIONS from now on. A session it no longer knows is a loss. */
        if (code != GST_RTSP_STS_OK && code != GST_RTSP_STS_SESSION_NOT_FOUND &&
            method != GST_RTSP_OPTIONS) {
          GST_INFO_OBJECT (self_, "%s: keeping the session alive with OPTIONS",
              refusal (method, response, code).c_str ());
          keep_alive_ = KeepAlive::Options;
          return keep_alive ();
        }
        if (code != GST_RTSP_STS_OK)
          return fail (refusal (method, response, code));
        schedule_keep_alive ();
      });
}

void PullSession::request (GstRTSPMethod method, const std::string &uri, Headers headers, Then then,
    std::string body)
{
  Request r;
  r.method = method;
  r.uri = uri;
  r.headers = std::move (headers);
  r.body = std::move (body);
  r.then = std::move (then);
  if (pending_) {
    queued_.push_back (std::move (r));  /* after the answer pending_ waits for */
    return;
  }
  send (std::move (r));
}

void PullSession::send (Request r)
{
  GstRTSPMessage message = {};
  gst_rtsp_message_init_request (&message, r.method, r.uri.c_str ());
  for (const auto &[field, value] : r.headers)
    gst_rtsp_message_add_header (&message, field, value.c_str ());
  if (!r.body.empty ())
    gst_rtsp_message_set_body (&message, reinterpret_cast<const guint8 *> (r.body.data ()), r.body.size ());
  if (!prepare (&message, r.method)) {
    gst_rtsp_message_unset (&message);
    if (stopping ())
      return;
    return fail (where () + ": the application's before-send kept " +
        gst_rtsp_method_as_text (r.method) + " from being sent (do-rtsp-keep-alive=false ends "
        "keep-alive requests)");
  }
  std::string error;
  const bool sent = connection_ && connection_->send (&message, error);
  gst_rtsp_message_unset (&message);
  if (!sent)
    return fail (error);
  r.index = sent_++;
  last_request_us_ = g_get_monotonic_time ();
  const GstRTSPMethod method = r.method;
  pending_ = std::make_unique<Request> (std::move (r));
  cancel (request_timer_);
  if (s_.tcp_timeout == 0)
    return;  /* no limit, as rtspsrc's tcp-timeout=0 */
  request_timer_ = run_.task.after (gint64 (s_.tcp_timeout), [this, method] {
    request_timer_ = 0;
    fail (where () + " did not answer " + gst_rtsp_method_as_text (method) + ": " +
        GCharPtr (gst_rtsp_strresult (GST_RTSP_ETIMEOUT)).get () + " (after tcp-timeout)");
  });
}

bool PullSession::prepare (GstRTSPMessage *message, GstRTSPMethod method)
{
  const RtspsrcSettings &r = s_.rtspsrc;
  const std::string agent = r.user_agent_sent ();
  if (!agent.empty ())
    gst_rtsp_message_add_header (message, GST_RTSP_HDR_USER_AGENT, agent.c_str ());
  if (method == GST_RTSP_SETUP && r.rtp_blocksize > 0)
    gst_rtsp_message_add_header (message, GST_RTSP_HDR_BLOCKSIZE, std::to_string (r.rtp_blocksize).c_str ());
  gboolean allowed = TRUE;  /* stopping (its TEARDOWN): sent without asking */
  run_.task.call_out_now ([&] { g_signal_emit (self_, rtspsrc_signals[SIGNAL_BEFORE_SEND], 0, message, &allowed); });
  if (allowed)
    log_message ("sending", message);
  return allowed;
}

/* debug=true (rtspsrc's): every message in the debug log, at INFO. */
void PullSession::log_message (const char *direction, GstRTSPMessage *message) const
{
  if (!s_.rtspsrc.debug)
    return;
  GstRTSPMethod method = GST_RTSP_INVALID;
  const char *uri = nullptr;
  GstRTSPStatusCode code = GST_RTSP_STS_INVALID;
  const char *reason = nullptr;
  switch (gst_rtsp_message_get_type (message)) {
    case GST_RTSP_MESSAGE_REQUEST:
      gst_rtsp_message_parse_request (message, &method, &uri, nullptr);
      GST_INFO_OBJECT (self_, "%s %s %s", direction, gst_rtsp_method_as_text (method), uri ? uri : "");
      break;
    case GST_RTSP_MESSAGE_RESPONSE:
      gst_rtsp_message_parse_response (message, &code, &reason, nullptr);
      GST_INFO_OBJECT (self_, "%s %d %s", direction, int (code), reason ? reason : "");
      break;
    default:
      break;
  }
}

std::string PullSession::refusal (GstRTSPMethod method, GstRTSPMessage *response,
    GstRTSPStatusCode code) const
{
  const char *reason = nullptr;
  gst_rtsp_message_parse_response (response, nullptr, &reason, nullptr);
  std::string error = "the camera at " + without_credentials (location_) + " answered " +
      gst_rtsp_method_as_text (method) + " with " + std::to_string (int (code)) + " " +
      (reason ? reason : "");
  if (code == GST_RTSP_STS_UNAUTHORIZED)
    error += !user_.empty ()
        ? ": it refused the credentials; check user-id and user-pw (or the user:password in location)"
        : ": it wants credentials; set user-id and user-pw (or rtsp://user:password@host/path)";
  else if (code == GST_RTSP_STS_NOT_FOUND)
    error += ": check the path in location";
  return error;
}

/* The camera's own requests (some ask OPTIONS or GET_PARAMETER to see
 * that we are alive): answered, never left hanging. */
void PullSession::answer_camera (GstRTSPMessage *request)
{
  GstRTSPMethod method = GST_RTSP_INVALID;
  gst_rtsp_message_parse_request (request, &method, nullptr, nullptr);
  const bool known = method == GST_RTSP_OPTIONS || method == GST_RTSP_GET_PARAMETER ||
      method == GST_RTSP_SET_PARAMETER;
  GstRTSPMessage response = {};
  gst_rtsp_message_init_response (&response,
      known ? GST_RTSP_STS_OK : GST_RTSP_STS_NOT_IMPLEMENTED, nullptr, request);
  /* rtspsrc's handle-request: the application may answer otherwise. */
  run_.task.call_out_now ([&] {
    g_signal_emit (self_, rtspsrc_signals[SIGNAL_HANDLE_REQUEST], 0, request, &response);
  });
  log_message ("answering", &response);
  std::string ignored;
  if (connection_ && !stopping ())
    connection_->send (&response, ignored);
  gst_rtsp_message_unset (&response);
}

void PullSession::on_message (guint serial, GstRTSPMessage *message)
{
  const GstRTSPMsgType type = gst_rtsp_message_get_type (message);
  for (Retiring &r : retiring_)
    if (r.serial == serial) {
      /* TEARDOWN's answer; a PAUSE's or keep-alive's that was on its way does not count */
      if (type == GST_RTSP_MESSAGE_RESPONSE && (r.cseq < 0 || r.cseq ==
              g_ascii_strtoll (rtsp_header (message, GST_RTSP_HDR_CSEQ).c_str (), nullptr, 10)))
        retired (r);
      return;
    }
  if (serial != serial_ || (stopping () && !closing_))
    return;
  log_message ("received", message);
  if (type == GST_RTSP_MESSAGE_REQUEST)
    return answer_camera (message);
  if (type == GST_RTSP_MESSAGE_DATA)
    return on_data (message);
  if (type != GST_RTSP_MESSAGE_RESPONSE || !pending_)
    return;  /* interleaved data, or an answer nobody waits for */
  const gint64 cseq = g_ascii_strtoll (rtsp_header (message, GST_RTSP_HDR_CSEQ).c_str (), nullptr, 10);
  if (cseq_base_ < 0)
    cseq_base_ = cseq - pending_->index;
  if (cseq != cseq_base_ + pending_->index) {
    GST_INFO_OBJECT (self_, "an answer with CSeq %" G_GINT64_FORMAT " where %" G_GINT64_FORMAT
        " is awaited: ignored", cseq, cseq_base_ + pending_->index);
    return;
  }
  GstRTSPStatusCode code = GST_RTSP_STS_INVALID;
  gst_rtsp_message_parse_response (message, &code, nullptr, nullptr);
  cancel (request_timer_);
  std::unique_ptr<Request> answered = std::move (pending_);
  if (code == GST_RTSP_STS_UNAUTHORIZED && !answered->challenged && connection_->use_challenge (message)) {
    answered->challenged = true;  /* once: the same answer again means wrong credentials */
    return send (std::move (*answered));
  }
  answered->then (message, code);
  /* The next request in line, unless the answer sent one (or ended the session). */
  if (!pending_ && !queued_.empty () && connection_ && !stopping ()) {
    Request next = std::move (queued_.front ());
    queued_.pop_front ();
    send (std::move (next));
  }
}

void PullSession::on_closed (guint serial, const std::string &why)
{
  for (Retiring &r : retiring_)
    if (r.serial == serial) {
      retired (r);
      return;
    }
  if (serial != serial_ || stopping ())
    return;
  if (streaming_ && !tcp_ && !s_.rtspsrc.udp_reconnect) {
    /* udp-reconnect=false (rtspsrc's): the camera's close ends the streams. */
    post_warning (self_, where () + " closed the connection (" + why + "); udp-reconnect=false: "
        "end of stream", GST_RESOURCE_ERROR_READ);
    end_session ();
    closed_ = true;
    run_.task.call_out_now ([this] { gst_element_send_event (GST_ELEMENT (self_), gst_event_new_eos ()); });
    return;
  }
  fail (why);
}

/* The connection goes; with @teardown and a session, after TEARDOWN (its
 * answer awaited at most teardown-timeout). Never destroyed here: this may
 * run from its own watch. */
void PullSession::retire (bool teardown)
{
  if (!connection_)
    return;
  Retiring r;
  r.serial = serial_;
  r.done = true;
  if (teardown && !session_.empty () && connection_->connected ()) {
    GstRTSPMessage message = {};
    gst_rtsp_message_init_request (&message, GST_RTSP_TEARDOWN,
        (description_.aggregate.empty () ? request_uri () : description_.aggregate).c_str ());
    std::string error;
    r.done = !prepare (&message, GST_RTSP_TEARDOWN) || !connection_ || !connection_->send (&message, error);
    gst_rtsp_message_unset (&message);
    if (cseq_base_ >= 0)
      r.cseq = cseq_base_ + sent_;
    sent_++;
    if (!r.done) {
      const guint serial = r.serial;
      run_.task.after (gint64 (s_.teardown_timeout / GST_USECOND), [this, serial] {
        for (Retiring &old : retiring_)
          if (old.serial == serial && !old.done) {
            GST_INFO_OBJECT (self_, "no answer to TEARDOWN within teardown-timeout");
            retired (old);
          }
      });
    }
  }
  r.connection = std::move (connection_);
  retiring_.push_back (std::move (r));
  serial_++;  /* nothing more from it reaches the session */
  session_.clear ();
}

/* A connection's TEARDOWN is over: it closes soon (a camera may take one
 * connection at a time: the next waits for it). */
void PullSession::retired (Retiring &r)
{
  r.done = true;
  run_.task.post ([this] { sweep (); });
}

/* Connections whose TEARDOWN is over go, from outside their watches. */
void PullSession::sweep ()
{
  retiring_.erase (std::remove_if (retiring_.begin (), retiring_.end (),
      [] (const Retiring &r) { return r.done; }), retiring_.end ());
}

void PullSession::end_session ()
{
  cancel (request_timer_);
  cancel (keep_alive_timer_);
  cancel (silence_timer_);
  cancel (fallback_timer_);
  pending_.reset ();
  queued_.clear ();
  set_up_ = streaming_ = play_asked_ = false;
  retire (true);
}

void PullSession::fail (const std::string &reason, bool fatal)
{
  if (stopping ())
    return;
  end_session ();
  run_.task.post ([this] { sweep (); });
  if (closed_)
    return;
  if (!established_ || fatal) {
    /* The first connection, or a camera the pads cannot follow: a clear
     * error, no retries (rtspsrc's way). */
    if (!reason.empty ())
      post_error (self_, established_ ? GST_RESOURCE_ERROR_READ : GST_RESOURCE_ERROR_OPEN_READ, reason);
    closed_ = true;
    return;
  }
  lost (reason);
}

void PullSession::lost (const std::string &reason)
{
  const std::string camera = without_credentials (s_.location);
  if (!lost_) {
    lost_ = true;
    lost_at_us_ = g_get_monotonic_time ();
    attempts_ = 0;
  }
  if (s_.reconnect_attempts >= 0 && attempts_ >= s_.reconnect_attempts) {
    post_error (self_, GST_RESOURCE_ERROR_READ, "lost the camera at " + camera + ": " + reason +
        (s_.reconnect_attempts == 0 ? " (reconnect-attempts=0: no reconnection)"
            : ". Gave up after " + std::to_string (attempts_) + " reconnection attempt(s)"));
    closed_ = true;
    return;
  }
  const gint64 delay = std::min<gint64> (kMaxBackoff,
      gint64 (s_.reconnect_interval) * G_TIME_SPAN_MILLISECOND << std::min (attempts_, 10));
  attempts_++;
  const std::string text = (attempts_ == 1 ? "lost the camera at " : "still no camera at ") +
      camera + ": " + reason + ". Reconnecting in " + std::to_string (delay / 1000) + " ms (attempt " +
      std::to_string (attempts_) + (s_.reconnect_attempts < 0 ? "" : " of " +
          std::to_string (s_.reconnect_attempts)) + ")";
  if (attempts_ == 1)
    post_warning (self_, text, GST_RESOURCE_ERROR_READ);
  else
    GST_INFO_OBJECT (self_, "%s", text.c_str ());
  post_pull_message (self_, "hostnetrtp-rtsp-lost", camera, reason, attempts_);
  from_the_top ();  /* a redirect may have been temporary */
  cancel (reconnect_timer_);
  reconnect_timer_ = run_.task.after (delay, [this] {
    sweep ();
    connect ();
  });
}

void PullSession::close ()
{
  closed_ = true;
  cancel (reconnect_timer_);
  if (pending_ && pending_->method == GST_RTSP_SETUP && connection_) {
    /* A SETUP on its way opens a session on the camera: its answer (at most
     * teardown-timeout from now) names it, for the TEARDOWN. */
    closing_ = true;
    queued_.clear ();
    cancel (request_timer_);
    pending_->then = [this] (GstRTSPMessage *response, GstRTSPStatusCode) {
      const std::string session = rtsp_header (response, GST_RTSP_HDR_SESSION);
      if (!session.empty ())
        session_ = session.substr (0, session.find (';'));
      closing_ = false;
      end_session ();
    };
    request_timer_ = run_.task.after (gint64 (s_.teardown_timeout / GST_USECOND), [this] {
      request_timer_ = 0;
      closing_ = false;
      end_session ();
    });
    return;
  }
  end_session ();
}

void PullSession::exit ()
{
  close ();
  /* Only the watches run now: their answers (to TEARDOWN, or to the SETUP
   * whose session it closes) come straight in. */
  const gint64 deadline = g_get_monotonic_time () + gint64 (s_.teardown_timeout / GST_USECOND);
  run_.task.iterate_until ([this] {
    return !closing_ &&
        std::all_of (retiring_.begin (), retiring_.end (), [] (const Retiring &r) { return r.done; });
  }, deadline);
  closing_ = false;
  end_session ();  /* a SETUP that never answered: nothing to tear down */
  retiring_.clear ();
}

bool pull_check (GstHostnetRtpSrc *self, const Settings &s)
{
  std::string refused = rtspsrc_refusal (s.rtspsrc);
  std::string proxy_host;
  guint16 proxy_port = 0;
  if (refused.empty ())
    parse_proxy (s.rtspsrc.proxy, proxy_host, proxy_port, refused);
  if (!refused.empty ()) {
    post_error (self, GST_RESOURCE_ERROR_SETTINGS, refused);
    return false;
  }
  const std::string changed = rtspsrc_warning (s.rtspsrc);
  if (!changed.empty ())
    post_warning (self, changed);
  std::string error;
  PortRange range;
  if (!valid_rtsp_location (s.location, error) ||
      !parse_port_range (s.port_range.c_str (), range, error) ||
      (!s.tls_ca_file.empty () && !read_tls_ca_file (s.tls_ca_file, error).get ())) {
    post_error (self, GST_RESOURCE_ERROR_SETTINGS, error);
    return false;
  }
  /* A named array, not a braced list in the loop: GCC 14 takes the list's
   * pairs for dangling temporaries (-Wdangling-reference). */
  const std::pair<bool, const char *> ignored[] = {{bool (s.caps), "caps"},
      {!s.encoding_name.empty (), "encoding-name"}, {!s.sdp_file.empty (), "sdp-file"},
      {!s.advertise_address.empty (), "advertise-address"},
      {!s.allowed_senders.empty (), "allowed-senders"}, {s.rtcp_mux, "rtcp-mux"}};
  for (const auto &[set, name] : ignored)
    if (set)
      post_warning (self, std::string (name) + " is ignored with location=rtsp://...: the camera "
          "describes its streams and is told where to send in SETUP (its address is the one "
          "sender accepted)");
  return true;
}

void pull_open (GstHostnetRtpSrc *self, Run &run, const Settings &s)
{
  Run *r = &run;
  run.task.post ([self, r, s] {
    if (!r->pull) {
      r->pull.reset (new PullSession (self, *r, s));
      PullSession *session = r->pull.get ();
      r->task.set_exit ([session] { session->exit (); });
    }
    r->pull->open ();
  });
}

void pull_playing (Run &run, bool playing)
{
  if (run.pull)
    run.pull->set_playing (playing);
}

void pull_close (Run &run)
{
  Run *r = &run;
  run.task.post ([r] {
    if (r->pull)
      r->pull->close ();
  });
}

namespace {

/* An action for the session of @element's current start (on its task),
 * or false (rtspsrc's answer) when it is not pulling. */
gboolean parameter_action (GstElement *element, GstRTSPMethod method, Headers headers,
    std::string body, GstPromise *promise)
{
  auto *self = GST_HOSTNET_RTP_SRC (element);
  std::shared_ptr<Run> run = current_run (self);
  if (!run || !promise)
    return FALSE;
  {
    std::lock_guard<std::mutex> guard (self->priv->lock);
    if (!self->priv->settings.pull ())
      return FALSE;
  }
  /* Held by the job: a job dropped by a stop expires the promise. */
  auto reply = std::make_shared<ParameterReply> (promise, method == GST_RTSP_GET_PARAMETER);
  Run *r = run.get ();
  run->task.post ([r, method, headers, body, reply] {
    if (r->pull)
      r->pull->parameter (method, headers, body, reply);
  });
  return TRUE;
}

Headers content_type (const gchar *type)
{
  return {{GST_RTSP_HDR_CONTENT_TYPE, type ? type : "text/parameters"}};
}

/* RFC 2326's parameter names: no line breaks, no colon. */
bool valid_parameter_name (const gchar *name)
{
  return name && *name && !std::strpbrk (name, "\r\n:");
}

}  // namespace

gboolean pull_get_parameters (GstElement *self, gchar **names, const gchar *type,
    GstPromise *promise) noexcept
{
  if (!names)
    return FALSE;
  std::string body;
  for (gchar **name = names; *name; name++) {
    if (!valid_parameter_name (*name))
      return FALSE;
    body += std::string (*name) + ":\r\n";
  }
  return parameter_action (self, GST_RTSP_GET_PARAMETER, content_type (type), body, promise);
}

gboolean pull_get_parameter (GstElement *self, const gchar *name, const gchar *type,
    GstPromise *promise) noexcept
{
  gchar *names[] = {const_cast<gchar *> (name), nullptr};
  return valid_parameter_name (name) && pull_get_parameters (self, names, type, promise);
}

gboolean pull_set_parameter (GstElement *self, const gchar *name, const gchar *value,
    const gchar *type, GstPromise *promise) noexcept
{
  if (!valid_parameter_name (name) || !value)
    return FALSE;
  return parameter_action (self, GST_RTSP_SET_PARAMETER, content_type (type),
      std::string (name) + ": " + value + "\r\n", promise);
}

}  // namespace hostnetrtp
