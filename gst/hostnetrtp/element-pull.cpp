/* hostnetrtp — pull mode: the element as the camera's RTSP client.
 *
 * With location=rtsp://..., a task of the element's own (never a state
 * change) talks to the camera: OPTIONS and DESCRIBE give the streams, the
 * allocator binds a pair for each (all or nothing), SETUP tells the camera
 * client_port = that pair, the streams are built around it (src_N appear),
 * a few datagrams from each socket to the camera's ports open any stateful
 * firewall on the way, and PLAY starts the media once the element plays.
 * Then keep-alive before the session times out. The camera's address is
 * the streams' sender filter and its server_port their RTCP destination.
 *
 * A first connection that fails is an error that names the camera and what
 * it answered. A camera lost later (connection gone, keep-alive refused, no
 * data for reconnect-silence) is reconnected with backoff on the same bound
 * ports and pads, with a warning and a message for the loss and one for the
 * recovery; reconnect-attempts=0 errors out instead, as rtspsrc does. */
#include "element-private.h"

#include "announcement.h"
#include "rtsp-client.h"

#include <gio/gio.h>

#define GST_CAT_DEFAULT gst_hostnet_rtp_src_debug

namespace hostnetrtp {

namespace {

constexpr gint64 kMaxBackoff = 30 * G_USEC_PER_SEC;
constexpr gint64 kPollInterval = 100 * G_TIME_SPAN_MILLISECOND;

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

bool camera_sender (const RtspClient &client, const SetupReply &reply, CameraSender &camera,
    std::string &reason)
{
  camera.host = client.peer_address ();
  if (!reply.source.empty () && Peer::from_string (reply.source).valid)
    camera.host = reply.source;  /* a host name there is not resolved: the peer it is */
  SenderFilter only_camera;
  if (!SenderFilter::parse (camera.host, only_camera, reason) || only_camera.allows_all ()) {
    reason = "cannot tell the camera's address ('" + camera.host + "') to accept its streams only";
    return false;
  }
  camera.filter = std::make_shared<const SenderFilter> (std::move (only_camera));
  camera.ports = {reply.server_rtp_port, reply.server_rtcp_port};
  camera.report_to = Peer::from_string (camera.host, reply.server_rtcp_port);
  return true;
}

void post_pull_message (GstHostnetRtpSrc *self, const char *name, const std::string &camera,
    const std::string &reason, int attempt)
{
  GstStructure *s = gst_structure_new (name, "location", G_TYPE_STRING, camera.c_str (),
      "reason", G_TYPE_STRING, reason.c_str (), "attempt", G_TYPE_INT, attempt, nullptr);
  gst_element_post_message (GST_ELEMENT (self), gst_message_new_element (GST_OBJECT (self), s));
}

}  // namespace

class PullTask {
 public:
  PullTask (GstHostnetRtpSrc *self, Settings settings) : self_ (self), s_ (std::move (settings)) {}
  ~PullTask () { stop (); }

  void start ()
  {
    thread_ = std::thread ([this] { run (); });
  }

  void set_playing (bool playing)
  {
    {
      std::lock_guard<std::mutex> guard (lock_);
      playing_ = playing;
    }
    wakeup_.notify_all ();
  }

  /* TEARDOWN (bounded) and join: the task notices at once. */
  void stop ()
  {
    {
      std::lock_guard<std::mutex> guard (lock_);
      stopping_ = true;
    }
    wakeup_.notify_all ();
    {
      std::lock_guard<std::mutex> guard (client_lock_);
      if (client_)
        client_->interrupt ();
    }
    if (thread_.joinable ())
      thread_.join ();
  }

 private:
  enum class Outcome { Stopped, Lost };

  bool stopping ()
  {
    std::lock_guard<std::mutex> guard (lock_);
    return stopping_;
  }

  /* Sleeps up to @us; false if asked to stop meanwhile. */
  bool pause_for (gint64 us)
  {
    std::unique_lock<std::mutex> guard (lock_);
    return !wakeup_.wait_for (guard, std::chrono::microseconds (us), [this] { return stopping_; });
  }

  /* Waits until the element plays (PLAY then); false if asked to stop. */
  bool wait_playing ()
  {
    std::unique_lock<std::mutex> guard (lock_);
    wakeup_.wait (guard, [this] { return stopping_ || playing_; });
    return !stopping_;
  }

  void run () noexcept;
  Outcome session (std::string &reason);
  bool bind_and_build (RtspClient &client, const RtspDescription &description,
      const std::vector<CameraSender> &cameras, Allocation &allocation, std::string &reason);
  bool allocate (RtspClient &client, size_t n_streams, Allocation &allocation, std::string &reason);
  bool watch_session (RtspClient &client, const RtspDescription &description, std::string &reason);

  GstHostnetRtpSrc *self_;
  const Settings s_;
  std::thread thread_;
  std::mutex lock_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  bool playing_ = false;
  std::mutex client_lock_;
  RtspClient *client_ = nullptr;  /* the session's, for stop () to interrupt */
  bool established_ = false;      /* PLAY has succeeded once in this run */
  bool lost_ = false;             /* since the last loss, not yet recovered */
  int attempts_ = 0;              /* reconnections tried since the loss */
  gint64 lost_at_us_ = 0;
  std::string bound_address_;
};

bool PullTask::allocate (RtspClient &client, size_t n_streams, Allocation &allocation,
    std::string &reason)
{
  /* The default bind is IPv4: an IPv6 camera needs the dual-stack one. */
  std::string address = s_.address;
  if (address == "0.0.0.0" && client.peer_address ().find (':') != std::string::npos)
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

bool PullTask::bind_and_build (RtspClient &client, const RtspDescription &description,
    const std::vector<CameraSender> &cameras, Allocation &allocation, std::string &reason)
{
  std::vector<StreamPlan> plans;
  std::string servers;
  for (size_t i = 0; i < description.streams.size (); i++) {
    const CameraSender &camera = cameras[i];
    GateConfig gate = gate_config (s_, description.streams[i].description, allocation.streams[i], nullptr);
    gate.filter = camera.filter;
    gate.server_ports = camera.ports;
    gate.fixed_report_to = camera.report_to;
    servers += (servers.empty () ? "" : ",") + std::to_string (camera.ports.rtp) + "/" +
        std::to_string (camera.ports.rtcp);
    plans.push_back ({description.streams[i].description, std::move (allocation.streams[i]),
        std::move (gate)});
  }
  if (!build_streams (self_, std::move (plans), {s_.latency, s_.drop_on_latency, s_.do_lost},
          s_.receive_path, reason))
    return false;
  GstStructurePtr extra (gst_structure_new ("pull", "location", G_TYPE_STRING, client.camera ().c_str (),
      "session", G_TYPE_STRING, client.session ().c_str (),
      "server-ports", G_TYPE_STRING, servers.c_str (), nullptr));
  announce (self_, bound_address_, client.local_address (), false, false, extra.get ());
  return true;
}

PullTask::Outcome PullTask::session (std::string &reason)
{
  RtspClient client (s_.location, s_.user_id, s_.user_pw, gint64 (s_.tcp_timeout));
  {
    std::lock_guard<std::mutex> guard (client_lock_);
    client_ = &client;
  }
  struct Unpublish {
    PullTask *task;
    ~Unpublish ()
    {
      std::lock_guard<std::mutex> guard (task->client_lock_);
      task->client_ = nullptr;
    }
  } unpublish {this};
  if (stopping ())
    return Outcome::Stopped;

  RtspDescription description;
  if (!client.open (reason) || !client.describe (description, reason))
    return stopping () ? Outcome::Stopped : Outcome::Lost;
  if (!description.skipped.empty ())
    GST_INFO_OBJECT (self_, "left out of %s: %s", client.camera ().c_str (), description.skipped.c_str ());

  auto built = streams_of (self_);
  Allocation allocation;
  if (built.empty ()) {
    if (!allocate (client, description.streams.size (), allocation, reason))
      return Outcome::Lost;
  } else if (built.size () != description.streams.size ()) {
    reason = "the camera at " + client.camera () + " now describes " +
        std::to_string (description.streams.size ()) + " stream(s) instead of " +
        std::to_string (built.size ()) + ": restart the pipeline to follow it";
    return Outcome::Lost;
  }
  std::vector<CameraSender> cameras (description.streams.size ());
  for (size_t i = 0; i < description.streams.size (); i++) {
    const BoundStream &sockets = built.empty () ? allocation.streams[i] : built[i]->path->sockets ();
    SetupReply reply;
    if (!client.setup (description.streams[i], sockets.rtp_port, sockets.rtcp_port, reply, reason))
      return stopping () ? Outcome::Stopped : Outcome::Lost;
    if (!camera_sender (client, reply, cameras[i], reason))
      return Outcome::Lost;
  }
  if (built.empty ()) {
    if (!bind_and_build (client, description, cameras, allocation, reason))
      return Outcome::Lost;
    built = streams_of (self_);
  } else {
    /* Reconnected: the same sockets and pads; the camera's ports may be new. */
    for (size_t i = 0; i < built.size (); i++) {
      StreamGate &gate = built[i]->path->gate ();
      gate.set_filter (cameras[i].filter);
      gate.set_server_ports (cameras[i].ports);
      gate.set_fixed_report_to (cameras[i].report_to);
    }
  }
  for (size_t i = 0; i < built.size (); i++) {
    const BoundStream &sockets = built[i]->path->sockets ();
    send_hello (sockets.rtp.get (), cameras[i].host, cameras[i].ports.rtp);
    send_hello (sockets.rtcp ? sockets.rtcp.get () : sockets.rtp.get (), cameras[i].host, cameras[i].ports.rtcp);
  }
  if (!wait_playing ())
    return client.teardown (description, reason), Outcome::Stopped;
  if (!client.play (description, reason))
    return stopping () ? Outcome::Stopped : Outcome::Lost;
  GST_INFO_OBJECT (self_, "playing %s, session %s", client.camera ().c_str (), client.session ().c_str ());
  established_ = true;
  if (lost_) {
    const gint64 down = (g_get_monotonic_time () - lost_at_us_) / G_USEC_PER_SEC;
    const std::string text = "the camera at " + client.camera () + " is back after " +
        std::to_string (down) + " s (" + std::to_string (attempts_) + " attempt(s)); the stream goes on";
    post_warning (self_, text, GST_RESOURCE_ERROR_READ);
    post_pull_message (self_, "hostnetrtp-rtsp-recovered", client.camera (), text, attempts_);
    lost_ = false;
    attempts_ = 0;
  }
  if (!watch_session (client, description, reason)) {
    if (stopping ())
      return Outcome::Stopped;
    std::string ignored;
    client.teardown (description, ignored);  /* the camera may still be there */
    return Outcome::Lost;
  }
  std::string why;
  if (!client.teardown (description, why))
    GST_INFO_OBJECT (self_, "TEARDOWN of %s: %s", client.camera ().c_str (), why.c_str ());
  return Outcome::Stopped;
}

/* While the session runs: keep-alive before it expires, the connection
 * watched, the data watched. Returns true when asked to stop. */
bool PullTask::watch_session (RtspClient &client, const RtspDescription &description,
    std::string &reason)
{
  const gint64 started = g_get_monotonic_time ();
  const gint64 silence_us = gint64 (s_.reconnect_silence) * G_TIME_SPAN_MILLISECOND;
  while (!stopping ()) {
    const gint64 due = client.keep_alive_due_us ();
    if (due == 0 && !client.keep_alive (description, reason))
      return false;
    if (!client.idle (std::min (std::max<gint64> (due, 1), kPollInterval), reason))
      return stopping ();
    if (silence_us > 0) {
      gint64 last = started;
      for (auto &stream : streams_of (self_))
        last = std::max (last, stream->path->gate ().counters ().last_packet_us);
      if (g_get_monotonic_time () - last >= silence_us) {
        reason = "no data from the camera at " + client.camera () + " for " +
            std::to_string (s_.reconnect_silence) + " ms (reconnect-silence)";
        return false;
      }
    }
  }
  return true;
}

void PullTask::run () noexcept
{
  const std::string camera = without_credentials (s_.location);
  for (;;) {
    std::string reason;
    if (session (reason) == Outcome::Stopped)
      return;
    if (!established_) {
      /* The first connection: a clear error, no retries (rtspsrc's way). */
      if (!reason.empty ())
        post_error (self_, GST_RESOURCE_ERROR_OPEN_READ, reason);
      return;
    }
    if (!lost_) {
      lost_ = true;
      lost_at_us_ = g_get_monotonic_time ();
      attempts_ = 0;
    }
    if (s_.reconnect_attempts >= 0 && attempts_ >= s_.reconnect_attempts) {
      post_error (self_, GST_RESOURCE_ERROR_READ, "lost the camera at " + camera + ": " + reason +
          (s_.reconnect_attempts == 0 ? " (reconnect-attempts=0: no reconnection)"
              : ". Gave up after " + std::to_string (attempts_) + " reconnection attempt(s)"));
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
    if (!pause_for (delay))
      return;
  }
}

void PullTaskDeleter::operator() (PullTask *task) const noexcept
{
  delete task;
}

bool pull_check (GstHostnetRtpSrc *self, const Settings &s)
{
  std::string error;
  PortRange range;
  if (!valid_rtsp_location (s.location, error) ||
      !parse_port_range (s.port_range.c_str (), range, error)) {
    post_error (self, GST_RESOURCE_ERROR_SETTINGS, error);
    return false;
  }
  for (const auto &[set, name] : {std::make_pair (bool (s.caps), "caps"),
           std::make_pair (!s.encoding_name.empty (), "encoding-name"),
           std::make_pair (!s.sdp_file.empty (), "sdp-file"),
           std::make_pair (!s.advertise_address.empty (), "advertise-address"),
           std::make_pair (!s.allowed_senders.empty (), "allowed-senders"),
           std::make_pair (s.rtcp_mux, "rtcp-mux")})
    if (set)
      post_warning (self, std::string (name) + " is ignored with location=rtsp://...: the camera "
          "describes its streams and is told where to send in SETUP (its address is the one "
          "sender accepted)");
  return true;
}

void pull_start (GstHostnetRtpSrc *self, const Settings &s)
{
  auto &pull = self->priv->pull;
  pull.reset (new PullTask (self, s));
  pull->start ();
}

void pull_playing (GstHostnetRtpSrc *self, bool playing)
{
  if (self->priv->pull)
    self->priv->pull->set_playing (playing);
}

void pull_stop (GstHostnetRtpSrc *self)
{
  self->priv->pull.reset ();
}

}  // namespace hostnetrtp
