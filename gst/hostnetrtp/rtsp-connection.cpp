/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — one RTSP connection to a camera. See rtsp-connection.h. */
#include "rtsp-connection.h"

#include "peer.h"

#include <algorithm>
#include <atomic>

namespace hostnetrtp {

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
  /* What GIO found wrong with an rtsps:// camera's certificate, if it was refused. */
  std::atomic<guint> certificate_errors {0};
  std::function<bool (GTlsConnection *, GTlsCertificate *, GTlsCertificateFlags)> accept;
};

namespace {

/* The reasons a certificate was refused, in words. */
std::string certificate_problems (GTlsCertificateFlags errors)
{
  static const struct {
    GTlsCertificateFlags flag;
    const char *words;
  } kWords[] = {
    {G_TLS_CERTIFICATE_UNKNOWN_CA, "it is not signed by an authority tls-database (or the system) trusts"},
    {G_TLS_CERTIFICATE_BAD_IDENTITY, "it is not for the host name in location"},
    {G_TLS_CERTIFICATE_NOT_ACTIVATED, "it is not valid yet"},
    {G_TLS_CERTIFICATE_EXPIRED, "it has expired"},
    {G_TLS_CERTIFICATE_REVOKED, "it was revoked"},
    {G_TLS_CERTIFICATE_INSECURE, "its algorithm is insecure"},
    {G_TLS_CERTIFICATE_GENERIC_ERROR, "it could not be checked"},
  };
  std::string text;
  for (const auto &w : kWords)
    if (errors & w.flag)
      text += (text.empty () ? "" : "; ") + std::string (w.words);
  return text.empty () ? "it was refused" : text;
}

}  // namespace

ObjectRef<GTlsDatabase> read_tls_ca_file (const std::string &path, std::string &error)
{
  GError *err = nullptr;
  GTlsDatabase *database = g_tls_file_database_new (path.c_str (), &err);
  if (!database) {
    error = "tls-ca-file '" + path + "' cannot be read as PEM certificates (" +
        (err ? err->message : "no certificate") + "): give the file of the authorities that sign "
        "the camera's certificate";
    g_clear_error (&err);
  }
  return ObjectRef<GTlsDatabase> (database);
}

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
    const std::string &password, gint64 timeout_us, const Tls &tls,
    std::function<void (const std::string &)> done)
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
  if (url_->transports & GST_RTSP_LOWER_TRANS_TLS) {
    gst_rtsp_connection_set_tls_validation_flags (connection_, tls.validation_flags);
    if (tls.database)
      gst_rtsp_connection_set_tls_database (connection_, tls.database);
    if (tls.interaction)
      gst_rtsp_connection_set_tls_interaction (connection_, tls.interaction);
    /* Called only once a certificate failed the checks: the application
     * may take it; else what was wrong goes into the error. It holds the
     * attempt as long as the connection. */
    attempt->accept = tls.accept;
    gst_rtsp_connection_set_accept_certificate_func (connection_,
        [] (GTlsConnection *conn, GTlsCertificate *certificate, GTlsCertificateFlags errors,
            gpointer data) noexcept -> gboolean {
          Attempt &a = **static_cast<std::shared_ptr<Attempt> *> (data);
          if (a.accept && a.accept (conn, certificate, errors))
            return TRUE;
          a.certificate_errors = errors;
          return FALSE;
        }, new std::shared_ptr<Attempt> (attempt),
        [] (gpointer data) noexcept { delete static_cast<std::shared_ptr<Attempt> *> (data); });
  }
  if (!proxy_host_.empty ())
    gst_rtsp_connection_set_proxy (connection_, proxy_host_.c_str (), proxy_port_);
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
    if (attempt->result == GST_RTSP_ERROR && !g_cancellable_is_cancelled (cancellable) &&
        !attempt->certificate_errors)
      attempt->diagnosis = connect_failure (where, host_name, port, timeout_us, cancellable);
    g_cancellable_disconnect (cancellable, handler);
    task->post ([alive, attempt, where, done, this] {
      if (alive.expired ())
        return;
      connecting_.join ();
      if (attempt->result != GST_RTSP_OK) {
        const GTlsCertificateFlags refused = GTlsCertificateFlags (guint (attempt->certificate_errors));
        if (refused)
          done (where + " presented a TLS certificate that fails validation: " +
              certificate_problems (refused) + ". Give tls-database the authority that signed it, "
              "or leave those checks out of tls-validation-flags (a camera's self-signed certificate)");
        else
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

bool RtspConnection::send (GstRTSPMessage *message, std::string &error)
{
  if (!watch_) {
    error = "no connection to the camera at " + camera ();
    return false;
  }
  const GstRTSPResult result = gst_rtsp_watch_send_message (watch_, message, nullptr);
  if (result != GST_RTSP_OK) {
    error = "cannot send to the camera at " + camera () + ": " + result_text (result);
    return false;
  }
  return true;
}

bool RtspConnection::send_data (guint8 channel, const guint8 *data, gsize size, std::string &error)
{
  GstRTSPMessage message = {};
  gst_rtsp_message_init_data (&message, channel);
  gst_rtsp_message_set_body (&message, data, guint (size));
  const bool sent = send (&message, error);
  gst_rtsp_message_unset (&message);
  return sent;
}

guint16 RtspConnection::peer_port () const
{
  GSocket *socket = connection_ && watch_ ? gst_rtsp_connection_get_read_socket (connection_) : nullptr;
  GObjectPtr<GSocketAddress> remote (socket ? g_socket_get_remote_address (socket, nullptr) : nullptr);
  return remote && G_IS_INET_SOCKET_ADDRESS (remote.get ())
      ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote.get ())) : 0;
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
