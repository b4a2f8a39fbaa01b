/* hostnetrtp — the RTSP exchange with a camera. See rtsp-client.h. */
#include "rtsp-client.h"

#include "peer.h"

#include <gst/sdp/sdp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace hostnetrtp {

namespace {

void free_url (GstRTSPUrl *url) noexcept { gst_rtsp_url_free (url); }
using RtspUrlPtr = std::unique_ptr<GstRTSPUrl, FreeWith<free_url>>;
void free_sdp (GstSDPMessage *msg) noexcept { gst_sdp_message_free (msg); }
using SdpPtr = std::unique_ptr<GstSDPMessage, FreeWith<free_sdp>>;
void free_transport (GstRTSPTransport *t) noexcept { gst_rtsp_transport_free (t); }
using TransportPtr = std::unique_ptr<GstRTSPTransport, FreeWith<free_transport>>;

}  // namespace

std::string rtsp_header (const GstRTSPMessage *msg, GstRTSPHeaderField field, bool all)
{
  std::string joined;
  gchar *value = nullptr;
  for (gint i = 0; gst_rtsp_message_get_header (msg, field, &value, i) == GST_RTSP_OK && value; i++) {
    if (!all)
      return value;
    joined += (joined.empty () ? "" : ", ") + std::string (value);
  }
  return joined;
}

namespace {

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

namespace {

std::string result_text (GstRTSPResult result)
{
  GCharPtr text (gst_rtsp_strresult (result));
  return text.get ();
}

/* The RTSP library says only "Generic error" when a connection fails: the
 * failure again, with GIO's own words (the name does not resolve, the
 * connection was refused, no route) and what to check; empty if it now
 * succeeds. Cancellable, on the connecting thread. */
std::string connect_failure (const std::string &where, const std::string &host, guint16 port,
    gint64 timeout_us, GCancellable *cancellable)
{
  GError *error = nullptr;
  GObjectPtr<GResolver> resolver (g_resolver_get_default ());
  GList *addresses = g_hostname_is_ip_address (host.c_str ()) ? nullptr :
      g_resolver_lookup_by_name (resolver.get (), host.c_str (), cancellable, &error);
  if (error) {
    GErrorPtr owned (error);
    return where + " cannot be reached: the host name does not resolve (" + owned->message +
        "): check the name in location, or the node's DNS (under hostNetwork, dnsPolicy "
        "ClusterFirstWithHostNet)";
  }
  g_resolver_free_addresses (addresses);
  GObjectPtr<GSocketClient> client (g_socket_client_new ());
  g_socket_client_set_timeout (client.get (), guint (std::max<gint64> (1, timeout_us / G_USEC_PER_SEC)));
  GObjectPtr<GSocketConnection> connection (
      g_socket_client_connect_to_host (client.get (), host.c_str (), port, cancellable, &error));
  if (!error)
    return "";
  GErrorPtr owned (error);
  return where + " cannot be reached: " + owned->message + ": check that an RTSP server "
      "listens there and that the node can reach it";
}

void flush_on_cancel (GCancellable *, gpointer connection) noexcept
{
  gst_rtsp_connection_flush (static_cast<GstRTSPConnection *> (connection), TRUE);
}

}  // namespace

/* What the connecting thread found, for the task. */
struct RtspConnection::Attempt {
  GstRTSPResult result = GST_RTSP_OK;
  std::string diagnosis;
};

RtspConnection::RtspConnection (ControlTask &task, Handlers handlers)
    : task_ (task), handlers_ (std::move (handlers)), cancellable_ (g_cancellable_new ()),
      alive_ (std::make_shared<bool> (true))
{
  /* Cancelled with the task, or alone when this connection goes. */
  task_cancelled_ = g_cancellable_connect (task_.cancellable (), G_CALLBACK (+[] (GCancellable *,
      gpointer mine) noexcept { g_cancellable_cancel (G_CANCELLABLE (mine)); }), cancellable_, nullptr);
}

RtspConnection::~RtspConnection ()
{
  alive_.reset ();  /* its jobs still queued do nothing */
  g_cancellable_cancel (cancellable_);  /* a connect under way, and its diagnosis, end now */
  if (connecting_.joinable ())
    connecting_.join ();
  g_cancellable_disconnect (task_.cancellable (), task_cancelled_);
  g_object_unref (cancellable_);
  if (watch_) {
    g_source_destroy (reinterpret_cast<GSource *> (watch_));
    gst_rtsp_watch_unref (watch_);
  }
  if (connection_) {
    gst_rtsp_connection_close (connection_);
    gst_rtsp_connection_free (connection_);
  }
  if (url_)
    gst_rtsp_url_free (url_);
}

std::string RtspConnection::host () const
{
  return url_ && url_->host ? url_->host : "";
}

std::string RtspConnection::peer_address () const
{
  const char *ip = connection_ && watch_ ? gst_rtsp_connection_get_ip (connection_) : nullptr;
  return ip ? ip : "";
}

std::string RtspConnection::local_address () const
{
  GSocket *socket = connection_ && watch_ ? gst_rtsp_connection_get_read_socket (connection_) : nullptr;
  GObjectPtr<GSocketAddress> local (socket ? g_socket_get_local_address (socket, nullptr) : nullptr);
  if (!local || !G_IS_INET_SOCKET_ADDRESS (local.get ()))
    return "";
  return Peer::from_socket_address (local.get ()).host_string ();
}

void RtspConnection::connect (const std::string &location, const std::string &user,
    const std::string &password, gint64 timeout_us, std::function<void (const std::string &)> done)
{
  location_ = location;
  user_ = user;
  password_ = password;
  std::weak_ptr<bool> alive = alive_;
  std::string error;
  if (gst_rtsp_url_parse (location_.c_str (), &url_) != GST_RTSP_OK || !url_ ||
      gst_rtsp_connection_create (url_, &connection_) != GST_RTSP_OK) {
    if (!valid_rtsp_location (location_, error))
      error = "cannot make a connection to " + camera ();
    task_.post ([alive, done, error] {
      if (!alive.expired ())
        done (error);
    });
    return;
  }
  guint16 port = 554;
  gst_rtsp_url_get_port (url_, &port);
  const std::string where = "the camera at " + camera () + " (" + host () + " port " +
      std::to_string (port) + ")";
  auto attempt = std::make_shared<Attempt> ();
  GstRTSPConnection *connection = connection_;
  GCancellable *cancellable = cancellable_;
  ControlTask *task = &task_;
  const std::string host_name = host ();
  connecting_ = std::thread ([=] {
    /* A stop of the task, or the end of this connection, cancels it. The
     * connection's own cancellable is what its connect waits on. */
    const gulong handler = g_cancellable_connect (cancellable, G_CALLBACK (flush_on_cancel),
        connection, nullptr);
    attempt->result = gst_rtsp_connection_connect_usec (connection, timeout_us);
    if (attempt->result == GST_RTSP_ERROR && !g_cancellable_is_cancelled (cancellable))
      attempt->diagnosis = connect_failure (where, host_name, port, timeout_us, cancellable);
    g_cancellable_disconnect (cancellable, handler);
    task->post ([alive, attempt, where, done, this] {
      if (alive.expired ())
        return;
      connecting_.join ();
      if (attempt->result != GST_RTSP_OK) {
        done (!attempt->diagnosis.empty () ? attempt->diagnosis : where + " did not answer a "
            "connection: " + result_text (attempt->result) +
            (attempt->result == GST_RTSP_ETIMEOUT ? " (after tcp-timeout)" : ""));
        return;
      }
      /* The connect's timeout stays on the sockets (GSocketClient sets it),
       * and a watch's source would end a quiet connection after it: each
       * request is bounded on its own instead. */
      for (GSocket *socket : {gst_rtsp_connection_get_read_socket (connection_),
               gst_rtsp_connection_get_write_socket (connection_)})
        if (socket)
          g_socket_set_timeout (socket, 0);
      GstRTSPWatchFuncs funcs = {};
      funcs.message_received = on_message;
      funcs.closed = on_closed;
      funcs.error_full = on_error;
      watch_ = gst_rtsp_watch_new (connection_, &funcs, this, nullptr);
      gst_rtsp_watch_attach (watch_, task_.context ());
      done ("");
    });
  });
}

bool RtspConnection::send (GstRTSPMessage *request, std::string &error)
{
  if (!watch_) {
    error = "no connection to the camera at " + camera ();
    return false;
  }
  const GstRTSPResult result = gst_rtsp_watch_send_message (watch_, request, nullptr);
  if (result != GST_RTSP_OK) {
    error = "cannot send to the camera at " + camera () + ": " + result_text (result);
    return false;
  }
  return true;
}

/* The watch runs on the task's context: its news go straight to the
 * handlers, which never destroy this connection from there. */
GstRTSPResult RtspConnection::on_message (GstRTSPWatch *, GstRTSPMessage *message, gpointer data) noexcept
{
  auto *self = static_cast<RtspConnection *> (data);
  if (self->handlers_.message)
    self->handlers_.message (message);
  return GST_RTSP_OK;
}

void RtspConnection::lost (const std::string &why)
{
  if (handlers_.closed)
    handlers_.closed (why);
}

GstRTSPResult RtspConnection::on_closed (GstRTSPWatch *, gpointer data) noexcept
{
  auto *self = static_cast<RtspConnection *> (data);
  self->lost ("the camera at " + self->camera () + " closed the connection");
  return GST_RTSP_OK;
}

GstRTSPResult RtspConnection::on_error (GstRTSPWatch *, GstRTSPResult result, GstRTSPMessage *,
    guint, gpointer data) noexcept
{
  auto *self = static_cast<RtspConnection *> (data);
  self->lost (result == GST_RTSP_EPARSE || result == GST_RTSP_EINVAL
      ? "the camera at " + self->camera () + " sent something that is not RTSP"
      : "the connection to the camera at " + self->camera () + " failed: " + result_text (result));
  return GST_RTSP_OK;
}

bool RtspConnection::use_challenge (GstRTSPMessage *response)
{
  if (user_.empty () || !connection_)
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
  gst_rtsp_connection_set_auth (connection_, method, user_.c_str (), password_.c_str ());
  return true;
}

}  // namespace hostnetrtp
