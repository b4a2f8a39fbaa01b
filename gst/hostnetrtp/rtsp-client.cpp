/* hostnetrtp — the RTSP exchange with a camera. See rtsp-client.h. */
#include "rtsp-client.h"

#include "peer.h"

#include <gst/sdp/sdp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace hostnetrtp {

namespace {

constexpr int kMaxRedirects = 5;
constexpr const char *kUserAgent = "hostnetrtpsrc";
constexpr gint64 kTeardownTimeout = 2 * G_USEC_PER_SEC;

void free_url (GstRTSPUrl *url) noexcept { gst_rtsp_url_free (url); }
using RtspUrlPtr = std::unique_ptr<GstRTSPUrl, FreeWith<free_url>>;
void free_sdp (GstSDPMessage *msg) noexcept { gst_sdp_message_free (msg); }
using SdpPtr = std::unique_ptr<GstSDPMessage, FreeWith<free_sdp>>;
void free_transport (GstRTSPTransport *t) noexcept { gst_rtsp_transport_free (t); }
using TransportPtr = std::unique_ptr<GstRTSPTransport, FreeWith<free_transport>>;

/* A message on the stack, cleared however the function ends. */
struct Message {
  GstRTSPMessage msg = {};
  Message () { gst_rtsp_message_init (&msg); }
  ~Message () { gst_rtsp_message_unset (&msg); }
  GstRTSPMessage *get () { return &msg; }
};

std::string header (GstRTSPMessage *msg, GstRTSPHeaderField field)
{
  gchar *value = nullptr;
  return gst_rtsp_message_get_header (msg, field, &value, 0) == GST_RTSP_OK && value ? value : "";
}

const char *method_name (GstRTSPMethod method)
{
  return gst_rtsp_method_as_text (method);
}

}  // namespace

std::string without_credentials (const std::string &location)
{
  auto scheme = location.find ("://");
  if (scheme == std::string::npos)
    return location;
  auto host_start = scheme + 3;
  auto path = location.find ('/', host_start);
  auto at = location.rfind ('@', path == std::string::npos ? std::string::npos : path);
  if (at == std::string::npos || at < host_start)
    return location;
  return location.substr (0, host_start) + location.substr (at + 1);
}

bool valid_rtsp_location (const std::string &location, std::string &error)
{
  GstRTSPUrl *raw = nullptr;
  const bool rtsp = g_str_has_prefix (location.c_str (), "rtsp://");
  if (!rtsp || gst_rtsp_url_parse (location.c_str (), &raw) != GST_RTSP_OK || !raw ||
      !raw->host || !*raw->host) {
    if (raw)
      gst_rtsp_url_free (raw);
    error = "location '" + without_credentials (location) + "' is not an RTSP URL: write "
        "rtsp://[user:password@]host[:port]/path (e.g. rtsp://camera-7/live.sdp), or leave it "
        "empty to receive pushed RTP";
    return false;
  }
  gst_rtsp_url_free (raw);
  /* gst_rtsp_url_parse takes any number for a port and keeps it modulo
   * 65536: rtsp://cam:99999/ would reach port 34463. */
  std::string authority = location.substr (7, location.find_first_of ("/?#", 7) - 7);
  authority = authority.substr (authority.rfind ('@') == std::string::npos ? 0 : authority.rfind ('@') + 1);
  const size_t bracket = authority.rfind (']');
  const size_t colon = authority.rfind (':');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    const std::string port = authority.substr (colon + 1);
    const bool digits = !port.empty () && port.size () <= 5 &&
        port.find_first_not_of ("0123456789") == std::string::npos;
    if (!digits || std::atoi (port.c_str ()) < 1 || std::atoi (port.c_str ()) > 65535) {
      error = "location '" + without_credentials (location) + "' has port '" + port +
          "': an RTSP port is a number from 1 to 65535 (554 when left out)";
      return false;
    }
  }
  return true;
}

std::string control_url (const std::string &base, const std::string &control)
{
  if (control.empty () || control == "*")
    return base;
  if (g_str_has_prefix (control.c_str (), "rtsp://") || g_str_has_prefix (control.c_str (), "rtsps://"))
    return control;
  std::string joined = base;
  if (!joined.empty () && joined.back () != '/')
    joined += '/';
  return joined + (control.front () == '/' ? control.substr (1) : control);
}

bool describe_from_sdp (const std::string &sdp, const std::string &base, RtspDescription &out,
    std::string &error)
{
  out = RtspDescription ();
  GstSDPMessage *raw = nullptr;
  gst_sdp_message_new (&raw);
  SdpPtr msg (raw);
  if (gst_sdp_message_parse_buffer (reinterpret_cast<const guint8 *> (sdp.data ()),
          guint (sdp.size ()), raw) != GST_SDP_OK) {
    error = "its SDP does not parse";
    return false;
  }
  const char *session_control = gst_sdp_message_get_attribute_val (raw, "control");
  out.aggregate = control_url (base, session_control ? session_control : "");
  for (guint i = 0; i < gst_sdp_message_medias_len (raw); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (raw, i);
    const char *kind = gst_sdp_media_get_media (media);
    const char *proto = gst_sdp_media_get_proto (media);
    std::string name = std::string (kind ? kind : "?") + " (m= line " + std::to_string (i + 1) + ")";
    auto skip = [&] (const std::string &why) {
      out.skipped += (out.skipped.empty () ? "" : "; ") + name + ": " + why;
    };
    if (!proto || (std::strcmp (proto, "RTP/AVP") != 0 && std::strcmp (proto, "RTP/AVPF") != 0)) {
      skip (std::string ("its transport ") + (proto ? proto : "(none)") + " is not RTP/AVP");
      continue;
    }
    if (gst_sdp_media_formats_len (media) == 0) {
      skip ("no payload type");
      continue;
    }
    const int pt = std::atoi (gst_sdp_media_get_format (media, 0));
    GstCapsPtr caps (gst_sdp_media_get_caps_from_media (media, pt));
    if (!caps) {
      skip ("payload type " + std::to_string (pt) + " has no rtpmap");
      continue;
    }
    gst_sdp_message_attributes_to_caps (raw, caps.get ());
    gst_sdp_media_attributes_to_caps (media, caps.get ());
    gst_structure_set_name (gst_caps_get_structure (caps.get (), 0), "application/x-rtp");
    std::vector<StreamDescription> described;
    std::string why;
    if (!describe_streams (caps.get (), described, why)) {
      skip (why);
      continue;
    }
    const char *control = gst_sdp_media_get_attribute_val (media, "control");
    out.streams.push_back ({std::move (described[0]), control_url (base, control ? control : "")});
  }
  if (out.streams.empty ()) {
    error = "it describes no RTP stream over UDP" + (out.skipped.empty () ? "" : " (" + out.skipped + ")");
    return false;
  }
  return true;
}

std::string transport_request (guint16 rtp_port, guint16 rtcp_port)
{
  return "RTP/AVP;unicast;client_port=" + std::to_string (rtp_port) + "-" + std::to_string (rtcp_port);
}

bool parse_transport_reply (const std::string &text, guint16 rtp_port, guint16 rtcp_port,
    SetupReply &reply, std::string &error)
{
  reply = SetupReply ();
  GstRTSPTransport *raw = nullptr;
  gst_rtsp_transport_new (&raw);
  TransportPtr transport (raw);
  /* A list of transports: the first one is the camera's choice. */
  std::string first = text.substr (0, text.find (','));
  if (text.empty () || gst_rtsp_transport_parse (first.c_str (), raw) != GST_RTSP_OK) {
    error = "its Transport header '" + text + "' does not parse";
    return false;
  }
  if (raw->lower_transport != GST_RTSP_LOWER_TRANS_UDP) {
    error = "it chose a transport other than unicast UDP ('" + text + "')";
    return false;
  }
  if (raw->client_port.min != -1 && (raw->client_port.min != rtp_port ||
          (raw->client_port.max != -1 && raw->client_port.max != rtcp_port))) {
    error = "it answered client_port=" + std::to_string (raw->client_port.min) + "-" +
        std::to_string (raw->client_port.max) + " where " + std::to_string (rtp_port) + "-" +
        std::to_string (rtcp_port) + " was asked: the camera would send where nothing listens";
    return false;
  }
  if (raw->server_port.min > 0) {
    reply.server_rtp_port = guint16 (raw->server_port.min);
    reply.server_rtcp_port = guint16 (raw->server_port.max > 0 ? raw->server_port.max
        : raw->server_port.min + 1);
  }
  if (raw->source)
    reply.source = raw->source;
  reply.has_ssrc = raw->ssrc != 0;
  reply.ssrc = raw->ssrc;
  return true;
}

RtspClient::RtspClient (std::string location, std::string user, std::string password,
    gint64 timeout_us)
    : location_ (std::move (location)), user_ (std::move (user)), password_ (std::move (password)),
      timeout_us_ (timeout_us)
{
}

RtspClient::~RtspClient ()
{
  close ();
}

std::string RtspClient::camera () const
{
  return without_credentials (location_);
}

std::string RtspClient::peer_address () const
{
  const char *ip = connection_ ? gst_rtsp_connection_get_ip (connection_) : nullptr;
  return ip ? ip : "";
}

std::string RtspClient::local_address () const
{
  GSocket *socket = connection_ ? gst_rtsp_connection_get_read_socket (connection_) : nullptr;
  GObjectPtr<GSocketAddress> local (socket ? g_socket_get_local_address (socket, nullptr) : nullptr);
  if (!local || !G_IS_INET_SOCKET_ADDRESS (local.get ()))
    return "";
  return Peer::from_socket_address (local.get ()).host_string ();
}

std::string RtspClient::failure (const char *what, GstRTSPResult result) const
{
  GCharPtr text (gst_rtsp_strresult (result));
  std::string host = url_ && url_->host ? url_->host : "?";
  guint16 port = 554;
  if (url_)
    gst_rtsp_url_get_port (url_, &port);
  if (interrupted_)
    return "stopped while waiting for the camera at " + camera ();
  return std::string ("the camera at ") + camera () + " (" + host + " port " + std::to_string (port) +
      ") did not answer " + what + ": " + text.get () +
      (result == GST_RTSP_ETIMEOUT ? " (after tcp-timeout)" : "");
}

bool RtspClient::connect (std::string &error)
{
  close ();
  GstRTSPUrl *url = nullptr;
  if (gst_rtsp_url_parse (location_.c_str (), &url) != GST_RTSP_OK || !url) {
    valid_rtsp_location (location_, error);
    return false;
  }
  url_ = url;
  if (!user_.empty ()) {
    g_free (url_->user);
    g_free (url_->passwd);
    url_->user = g_strdup (user_.c_str ());
    url_->passwd = g_strdup (password_.c_str ());
  }
  GstRTSPConnection *connection = nullptr;
  if (gst_rtsp_connection_create (url_, &connection) != GST_RTSP_OK) {
    error = "cannot make a connection to " + camera ();
    return false;
  }
  {
    std::lock_guard<std::mutex> guard (connection_lock_);
    connection_ = connection;
  }
  if (url_->user && *url_->user)
    gst_rtsp_connection_set_auth (connection_, GST_RTSP_AUTH_BASIC, url_->user,
        url_->passwd ? url_->passwd : "");
  GstRTSPResult result = gst_rtsp_connection_connect_usec (connection_, timeout_us_);
  if (result != GST_RTSP_OK) {
    error = failure ("a connection", result);
    std::string diagnosis = result == GST_RTSP_ERROR && !interrupted_ ? connect_failure () : "";
    if (!diagnosis.empty ())
      error = diagnosis;
    return false;
  }
  return true;
}

/* The RTSP library says only "Generic error" when the connection fails:
 * the failure again, with GIO's own words (the name does not resolve, the
 * connection was refused, no route) and what to check; empty if it now
 * succeeds. Only on this path. */
std::string RtspClient::connect_failure () const
{
  std::string host = url_->host ? url_->host : "";
  guint16 port = 554;
  gst_rtsp_url_get_port (url_, &port);
  const std::string where = "the camera at " + camera () + " (" + host + " port " + std::to_string (port) + ")";
  GError *error = nullptr;
  GObjectPtr<GResolver> resolver (g_resolver_get_default ());
  GList *addresses = g_hostname_is_ip_address (host.c_str ()) ? nullptr :
      g_resolver_lookup_by_name (resolver.get (), host.c_str (), nullptr, &error);
  if (error) {
    GErrorPtr owned (error);
    return where + " cannot be reached: the host name does not resolve (" + owned->message +
        "): check the name in location, or the node's DNS (under hostNetwork, dnsPolicy "
        "ClusterFirstWithHostNet)";
  }
  g_resolver_free_addresses (addresses);
  GObjectPtr<GSocketClient> client (g_socket_client_new ());
  g_socket_client_set_timeout (client.get (), guint (std::max<gint64> (1, timeout_us_ / G_USEC_PER_SEC)));
  GObjectPtr<GSocketConnection> connection (
      g_socket_client_connect_to_host (client.get (), host.c_str (), port, nullptr, &error));
  if (!error)
    return "";
  GErrorPtr owned (error);
  return where + " cannot be reached: " + owned->message + ": check that an RTSP server "
      "listens there and that the node can reach it";
}

void RtspClient::close ()
{
  std::lock_guard<std::mutex> guard (connection_lock_);
  if (connection_) {
    gst_rtsp_connection_close (connection_);
    gst_rtsp_connection_free (connection_);
    connection_ = nullptr;
  }
  if (url_) {
    gst_rtsp_url_free (url_);
    url_ = nullptr;
  }
}

void RtspClient::interrupt ()
{
  interrupted_ = true;
  std::lock_guard<std::mutex> guard (connection_lock_);
  if (connection_)
    gst_rtsp_connection_flush (connection_, TRUE);
}

bool RtspClient::use_challenge (GstRTSPMessage *response)
{
  if (!url_ || !url_->user || !*url_->user)
    return false;
  GstRTSPAuthCredential **credentials =
      gst_rtsp_message_parse_auth_credentials (response, GST_RTSP_HDR_WWW_AUTHENTICATE);
  if (!credentials)
    return false;
  GstRTSPAuthMethod method = GST_RTSP_AUTH_NONE;
  for (GstRTSPAuthCredential **c = credentials; *c; c++) {
    if ((*c)->scheme == GST_RTSP_AUTH_DIGEST) {
      for (GstRTSPAuthParam **p = (*c)->params; p && *p; p++)
        gst_rtsp_connection_set_auth_param (connection_, (*p)->name, (*p)->value);
      method = GST_RTSP_AUTH_DIGEST;
      break;  /* the stronger one when both are offered */
    }
    if ((*c)->scheme == GST_RTSP_AUTH_BASIC)
      method = GST_RTSP_AUTH_BASIC;
  }
  gst_rtsp_auth_credentials_free (credentials);
  if (method == GST_RTSP_AUTH_NONE)
    return false;
  gst_rtsp_connection_set_auth (connection_, method, url_->user, url_->passwd ? url_->passwd : "");
  return true;
}

bool RtspClient::exchange (GstRTSPMessage *req, GstRTSPMessage *response, const char *what,
    std::string &error)
{
  if (!connection_) {
    error = "no connection to " + camera ();
    return false;
  }
  GstRTSPResult result = gst_rtsp_connection_send_usec (connection_, req, timeout_us_);
  if (result != GST_RTSP_OK) {
    error = failure (what, result);
    return false;
  }
  last_request_us_ = g_get_monotonic_time ();
  /* Skip what is not the answer: the camera's own requests, data. */
  for (int i = 0; i < 16; i++) {
    gst_rtsp_message_unset (response);
    result = gst_rtsp_connection_receive_usec (connection_, response, timeout_us_);
    if (result != GST_RTSP_OK) {
      error = failure (what, result);
      return false;
    }
    if (gst_rtsp_message_get_type (response) == GST_RTSP_MESSAGE_RESPONSE)
      return true;
  }
  error = failure (what, GST_RTSP_ERROR);
  return false;
}

bool RtspClient::request (GstRTSPMethod method, const std::string &uri,
    const std::vector<std::pair<GstRTSPHeaderField, std::string>> &headers,
    GstRTSPMessage *response, std::string &error)
{
  bool challenged = false;
  for (;;) {
    Message req;
    gst_rtsp_message_init_request (req.get (), method, uri.c_str ());
    gst_rtsp_message_add_header (req.get (), GST_RTSP_HDR_USER_AGENT, kUserAgent);
    for (const auto &[field, value] : headers)
      gst_rtsp_message_add_header (req.get (), field, value.c_str ());
    if (!exchange (req.get (), response, method_name (method), error))
      return false;
    GstRTSPStatusCode code = GST_RTSP_STS_OK;
    gst_rtsp_message_parse_response (response, &code, nullptr, nullptr);
    if (code == GST_RTSP_STS_UNAUTHORIZED && !challenged && use_challenge (response)) {
      challenged = true;  /* once: the same answer again means wrong credentials */
      continue;
    }
    if (code == GST_RTSP_STS_OK)
      return true;
    const char *reason = nullptr;
    gst_rtsp_message_parse_response (response, nullptr, &reason, nullptr);
    error = std::string ("the camera at ") + camera () + " answered " + method_name (method) +
        " with " + std::to_string (int (code)) + " " + (reason ? reason : "");
    if (code == GST_RTSP_STS_UNAUTHORIZED)
      error += url_ && url_->user && *url_->user
          ? ": it refused the credentials; check user-id and user-pw (or the user:password in location)"
          : ": it wants credentials; set user-id and user-pw (or rtsp://user:password@host/path)";
    else if (code == GST_RTSP_STS_NOT_FOUND)
      error += ": check the path in location";
    return false;
  }
}

bool RtspClient::open (std::string &error)
{
  interrupted_ = false;
  if (!connect (error))
    return false;
  Message response;
  if (!request (GST_RTSP_OPTIONS, location_, {}, response.get (), error))
    return false;
  std::string methods = header (response.get (), GST_RTSP_HDR_PUBLIC);
  get_parameter_ = methods.find ("GET_PARAMETER") != std::string::npos;
  return true;
}

bool RtspClient::describe (RtspDescription &description, std::string &error)
{
  for (int redirects = 0;; redirects++) {
    Message response;
    std::string why;
    if (request (GST_RTSP_DESCRIBE, location_, {{GST_RTSP_HDR_ACCEPT, "application/sdp"}},
            response.get (), why)) {
      guint8 *body = nullptr;
      guint size = 0;
      gst_rtsp_message_get_body (response.get (), &body, &size);
      std::string base = header (response.get (), GST_RTSP_HDR_CONTENT_BASE);
      if (base.empty ())
        base = header (response.get (), GST_RTSP_HDR_CONTENT_LOCATION);
      if (base.empty ())
        base = location_;
      std::string sdp (reinterpret_cast<const char *> (body), body ? size : 0);
      if (!describe_from_sdp (sdp, base, description, why)) {
        error = "the camera at " + camera () + " answered DESCRIBE, but " + why;
        return false;
      }
      return true;
    }
    GstRTSPStatusCode code = GST_RTSP_STS_OK;
    gst_rtsp_message_parse_response (response.get (), &code, nullptr, nullptr);
    std::string to = header (response.get (), GST_RTSP_HDR_LOCATION);
    const bool redirect = code == GST_RTSP_STS_MOVED_PERMANENTLY ||
        code == GST_RTSP_STS_MOVE_TEMPORARILY;
    if (!redirect || to.empty () || redirects == kMaxRedirects) {
      error = redirect ? why + ": too many redirects, or one without Location" : why;
      return false;
    }
    /* Keep the credentials the location had: the camera moved, the user did not. */
    if (url_ && url_->user && *url_->user && to.find ('@') == std::string::npos &&
        g_str_has_prefix (to.c_str (), "rtsp://"))
      to = "rtsp://" + std::string (url_->user) + ":" + (url_->passwd ? url_->passwd : "") + "@" +
          to.substr (7);
    location_ = to;
    if (!open (error))
      return false;
  }
}

bool RtspClient::setup (const RtspStream &stream, guint16 rtp_port, guint16 rtcp_port,
    SetupReply &reply, std::string &error)
{
  Message response;
  if (!request (GST_RTSP_SETUP, stream.control,
          {{GST_RTSP_HDR_TRANSPORT, transport_request (rtp_port, rtcp_port)}}, response.get (), error))
    return false;
  std::string why;
  if (!parse_transport_reply (header (response.get (), GST_RTSP_HDR_TRANSPORT), rtp_port,
          rtcp_port, reply, why)) {
    error = "the camera at " + camera () + " answered SETUP of " + stream.control + ", but " + why;
    return false;
  }
  std::string session = header (response.get (), GST_RTSP_HDR_SESSION);
  auto semicolon = session.find (';');
  session_ = session.substr (0, semicolon);
  auto timeout = session.find ("timeout=", semicolon == std::string::npos ? 0 : semicolon);
  if (timeout != std::string::npos)
    session_timeout_s_ = guint (std::max (1, std::atoi (session.c_str () + timeout + 8)));
  return true;
}

bool RtspClient::play (const RtspDescription &description, std::string &error)
{
  Message response;
  return request (GST_RTSP_PLAY, description.aggregate, {{GST_RTSP_HDR_RANGE, "npt=0-"}},
      response.get (), error);
}

bool RtspClient::keep_alive (const RtspDescription &description, std::string &error)
{
  Message response;
  if (get_parameter_)
    return request (GST_RTSP_GET_PARAMETER, description.aggregate, {}, response.get (), error);
  return request (GST_RTSP_OPTIONS, location_, {}, response.get (), error);
}

bool RtspClient::teardown (const RtspDescription &description, std::string &error)
{
  if (!connection_ || session_.empty ())
    return true;
  /* After an interrupt the connection is flushing: TEARDOWN still goes out. */
  interrupted_ = false;
  gst_rtsp_connection_flush (connection_, FALSE);
  /* A camera that does not answer must not hold the pipeline's stop. */
  const gint64 usual = timeout_us_;
  timeout_us_ = std::min<gint64> (timeout_us_, kTeardownTimeout);
  Message response;
  bool ok = request (GST_RTSP_TEARDOWN, description.aggregate, {}, response.get (), error);
  timeout_us_ = usual;
  session_.clear ();
  return ok;
}

gint64 RtspClient::keep_alive_due_us ()
{
  /* Half the session's timeout after the last request: well before it. */
  const gint64 interval = gint64 (session_timeout_s_) * G_USEC_PER_SEC / 2;
  return std::max<gint64> (0, last_request_us_ + interval - g_get_monotonic_time ());
}

bool RtspClient::idle (gint64 wait_us, std::string &error)
{
  if (!connection_) {
    error = "no connection to " + camera ();
    return false;
  }
  GstRTSPEvent events = GST_RTSP_EV_READ;
  GstRTSPEvent revents = GstRTSPEvent (0);
  GstRTSPResult result = gst_rtsp_connection_poll_usec (connection_, events, &revents, wait_us);
  if (result == GST_RTSP_ETIMEOUT || result == GST_RTSP_EINTR)
    return true;
  if (result != GST_RTSP_OK) {
    error = failure ("while streaming", result);
    return false;
  }
  if (revents & GST_RTSP_EV_READ) {
    Message unasked;
    result = gst_rtsp_connection_receive_usec (connection_, unasked.get (), timeout_us_);
    if (result != GST_RTSP_OK) {
      error = result == GST_RTSP_EEOF ? "the camera at " + camera () + " closed the connection"
          : failure ("while streaming", result);
      return false;
    }
  }
  return true;
}

}  // namespace hostnetrtp
