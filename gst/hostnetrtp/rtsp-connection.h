/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp — one RTSP connection to a camera (pull mode), for the
 * element's control task: GStreamer's GstRTSPConnection and GstRTSPWatch,
 * no elements. It never blocks the task: the connection (name lookup, TCP,
 * TLS) is made on a thread of its own, cancellable; then the watch reads
 * and writes on the task's context. What is said is rtsp-messages.h's. */
#pragma once

#include "control-task.h"
#include "owned.h"
#include "rtsp-messages.h"

#include <gio/gio.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace hostnetrtp {

/* tls-ca-file: a database of the PEM file's authorities, or none and
 * @error naming the file and what is wrong with it. */
ObjectRef<GTlsDatabase> read_tls_ca_file (const std::string &path, std::string &error);

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

  /* How an rtsps:// camera's certificate is checked (rtspsrc's settings). */
  struct Tls {
    GTlsCertificateFlags validation_flags = G_TLS_CERTIFICATE_VALIDATE_ALL;
    GTlsDatabase *database = nullptr;        /* borrowed; null: the system's */
    GTlsInteraction *interaction = nullptr;  /* borrowed */
    /* Asked about a certificate that failed the checks (rtspsrc's
     * accept-certificate), on the connecting thread: true takes it. */
    std::function<bool (GTlsConnection *, GTlsCertificate *, GTlsCertificateFlags)> accept;
  };
  /* Before connect (): through the HTTP proxy at @host:@port (rtspsrc's proxy). */
  void set_proxy (const std::string &host, guint16 port) { proxy_host_ = host; proxy_port_ = port; }

  /* Connects to @location (rtsp://, rtsps://: over TLS) within
   * @timeout_us; @user and @password (if not empty) answer a 401's
   * challenge. @done runs as a job of the task with "" or a sentence that
   * names the camera and why (a certificate refused: what is wrong with
   * it). A stop of the task cancels it (and drops the job). */
  void connect (const std::string &location, const std::string &user, const std::string &password,
      gint64 timeout_us, const Tls &tls, std::function<void (const std::string &error)> done);

  /* Queues @message (a request: the connection adds CSeq, Session and
   * credentials); false with a sentence if the connection cannot take it. */
  bool send (GstRTSPMessage *message, std::string &error);
  /* Queues @size bytes interleaved on @channel (RTSP over TCP). */
  bool send_data (guint8 channel, const guint8 *data, gsize size, std::string &error);

  /* Sets up the credentials a 401 answer asks for (Digest over Basic);
   * false if it offers nothing usable or there are no credentials. */
  bool use_challenge (GstRTSPMessage *response);

  bool connected () const { return watch_ != nullptr; }
  bool has_credentials () const { return !user_.empty (); }
  std::string camera () const { return without_credentials (location_); }
  std::string host () const;          /* of the location */
  std::string peer_address () const;  /* the camera's IP, from the connection */
  guint16 peer_port () const;         /* the camera's RTSP port, from the connection */
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
  std::string proxy_host_;
  guint16 proxy_port_ = 0;
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
