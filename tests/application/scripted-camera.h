/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostnetrtp tests — a scripted RTSP camera: a few lines of RTSP server of
 * the test's own, on loopback, that answers the way a script says and can
 * stall at any step of the exchange (accept the connection and never
 * answer; never accept it at all; answer half a reply and hang up), for the
 * answers gst-rtsp-server does not give. It records every request it sees.
 *
 * It sends no media: the tests that use it are about the control plane. */
#pragma once

#include <glib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace testutil {

class ScriptedCamera {
 public:
  /* Where it stops answering (Accept: the connection is never accepted). */
  enum class Stall { None, Accept, Options, Describe, Setup, Play, KeepAlive };

  struct Request {
    std::string method;
    std::string uri;
    std::map<std::string, std::string> headers;
    int connection = 0;  /* 1 for the first connection, ... */
  };

  struct Script {
    Stall stall = Stall::None;
    /* Streams DESCRIBE names, per connection (the last one for the rest). */
    std::vector<int> streams = {1};
    int session_timeout = 60;          /* s, in SETUP's Session header */
    int describe_code = 200;           /* e.g. 404 */
    int fail_setup_of = -1;            /* that stream's SETUP is answered 500 */
    bool close_after_play = false;     /* the first connection closes right after PLAY */
    bool half_describe = false;        /* half the DESCRIBE reply, then the connection closes */
    std::string redirect_to;           /* DESCRIBE answers 302 Location: this */
    std::string basic_auth;            /* "user:password": requests need it (401 otherwise) */
    int keep_alive_delay_ms = 0;       /* a slow camera: GET_PARAMETER answered this late */
  };

  explicit ScriptedCamera (Script script, const char *address = "127.0.0.1") : script_ (std::move (script))
  {
    listener_ = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {};
    sa.sin_family = AF_INET;
    inet_pton (AF_INET, address, &sa.sin_addr);
    bind (listener_, reinterpret_cast<struct sockaddr *> (&sa), sizeof (sa));
    socklen_t len = sizeof (sa);
    getsockname (listener_, reinterpret_cast<struct sockaddr *> (&sa), &len);
    port_ = ntohs (sa.sin_port);
    address_ = address;
    if (script_.stall == Stall::Accept) {
      /* A backlog of one, filled: the kernel drops the next SYN, and a
       * connect waits (retrying) for as long as it is let. */
      listen (listener_, 0);
      for (int i = 0; i < 2; i++) {
        int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        ::connect (fd, reinterpret_cast<struct sockaddr *> (&sa), sizeof (sa));
        fillers_.push_back (fd);
      }
      struct pollfd p = {fillers_.back (), POLLOUT, 0};
      poll (&p, 1, 1000);  /* both through the handshake before the element comes */
      return;
    }
    listen (listener_, 8);
    acceptor_ = std::thread ([this] { accept_loop (); });
  }

  ~ScriptedCamera ()
  {
    stopping_ = true;
    shutdown (listener_, SHUT_RDWR);
    close (listener_);
    if (acceptor_.joinable ())
      acceptor_.join ();
    std::vector<std::thread> talkers;
    {
      std::lock_guard<std::mutex> guard (lock_);
      for (int fd : open_)
        shutdown (fd, SHUT_RDWR);
      talkers.swap (talkers_);
    }
    for (auto &t : talkers)
      t.join ();
    for (int fd : fillers_)
      close (fd);
  }

  guint16 port () const { return port_; }
  std::string url (const std::string &credentials = "") const
  {
    return "rtsp://" + (credentials.empty () ? "" : credentials + "@") + address_ + ":" +
        std::to_string (port_) + "/cam";
  }

  /* Waits up to 10 s for a request of @method (the @nth, from 1). */
  bool wait_for (const std::string &method, int nth = 1)
  {
    std::unique_lock<std::mutex> guard (lock_);
    return seen_.wait_for (guard, std::chrono::seconds (10), [&] { return count_locked (method) >= nth; });
  }

  /* Waits up to 10 s for connection number @n to be accepted. */
  bool wait_for_connection (int n)
  {
    std::unique_lock<std::mutex> guard (lock_);
    return seen_.wait_for (guard, std::chrono::seconds (10), [&] { return connections_ >= n; });
  }

  int count (const std::string &method)
  {
    std::lock_guard<std::mutex> guard (lock_);
    return count_locked (method);
  }

  std::vector<Request> requests ()
  {
    std::lock_guard<std::mutex> guard (lock_);
    return requests_;
  }

 private:
  int count_locked (const std::string &method)
  {
    int n = 0;
    for (const Request &r : requests_)
      n += r.method == method;
    return n;
  }

  void accept_loop ()
  {
    for (;;) {
      int fd = accept4 (listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0)
        return;
      std::lock_guard<std::mutex> guard (lock_);
      if (stopping_) {
        close (fd);
        return;
      }
      const int n = ++connections_;
      open_.push_back (fd);
      talkers_.emplace_back ([this, fd, n] { talk (fd, n); });
      seen_.notify_all ();
    }
  }

  static void send_all (int fd, const std::string &text)
  {
    size_t done = 0;
    while (done < text.size ()) {
      ssize_t n = ::send (fd, text.data () + done, text.size () - done, MSG_NOSIGNAL);
      if (n <= 0)
        return;
      done += size_t (n);
    }
  }

  std::string sdp (int streams) const
  {
    std::string s = "v=0\r\no=- 1 1 IN IP4 " + address_ + "\r\ns=scripted\r\nc=IN IP4 " + address_ +
        "\r\nt=0 0\r\na=control:*\r\n";
    for (int i = 0; i < streams; i++)
      s += "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:stream=" + std::to_string (i) + "\r\n";
    return s;
  }

  /* The answer to @r on connection @n, "" to stay silent; @close: hang up after. */
  std::string answer (const Request &r, int n, bool &close_after)
  {
    const std::string cseq = r.headers.count ("CSeq") ? r.headers.at ("CSeq") : "0";
    auto reply = [&] (int code, const char *reason, const std::string &extra = "", const std::string &body = "") {
      std::string text = "RTSP/1.0 " + std::to_string (code) + " " + reason + "\r\nCSeq: " + cseq + "\r\n" + extra;
      if (!body.empty ())
        text += "Content-Length: " + std::to_string (body.size ()) + "\r\n";
      return text + "\r\n" + body;
    };
    if (!script_.basic_auth.empty ()) {
      gchar *expected = g_base64_encode (reinterpret_cast<const guchar *> (script_.basic_auth.data ()),
          script_.basic_auth.size ());
      const bool authorized = r.headers.count ("Authorization") &&
          r.headers.at ("Authorization") == std::string ("Basic ") + expected;
      g_free (expected);
      if (!authorized)
        return reply (401, "Unauthorized", "WWW-Authenticate: Basic realm=\"scripted\"\r\n");
    }
    const Stall stall = script_.stall;
    if (r.method == "OPTIONS") {
      if (stall == Stall::Options)
        return "";
      return reply (200, "OK", "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER\r\n");
    }
    if (r.method == "DESCRIBE") {
      if (stall == Stall::Describe)
        return "";
      if (!script_.redirect_to.empty ())
        return reply (302, "Moved Temporarily", "Location: " + script_.redirect_to + "\r\n");
      if (script_.describe_code != 200)
        return reply (script_.describe_code, "Not Found");
      const int streams = script_.streams[std::min<size_t> (size_t (n - 1), script_.streams.size () - 1)];
      std::string full = reply (200, "OK", "Content-Type: application/sdp\r\nContent-Base: " +
          url () + "/\r\n", sdp (streams));
      if (script_.half_describe) {
        close_after = true;
        return full.substr (0, full.size () / 2);
      }
      return full;
    }
    if (r.method == "SETUP") {
      if (stall == Stall::Setup)
        return "";
      const int index = r.uri.find ("stream=1") != std::string::npos ? 1 : 0;
      if (index == script_.fail_setup_of)
        return reply (500, "Internal Server Error", "Session: 5c21a7ed\r\n");
      std::string transport = r.headers.count ("Transport") ? r.headers.at ("Transport") : "";
      return reply (200, "OK", "Session: 5c21a7ed;timeout=" + std::to_string (script_.session_timeout) +
          "\r\nTransport: " + transport + ";server_port=" + std::to_string (40000 + 2 * index) + "-" +
          std::to_string (40001 + 2 * index) + "\r\n");
    }
    if (r.method == "PLAY") {
      if (stall == Stall::Play)
        return "";
      close_after = script_.close_after_play && n == 1;
      return reply (200, "OK", "Session: 5c21a7ed\r\nRange: npt=0-\r\n");
    }
    if (r.method == "GET_PARAMETER" || (r.method == "OPTIONS" && stall == Stall::KeepAlive)) {
      if (stall == Stall::KeepAlive)
        return "";
      if (script_.keep_alive_delay_ms)
        g_usleep (gulong (script_.keep_alive_delay_ms) * 1000);  /* the camera is slow, that is all */
      return reply (200, "OK", "Session: 5c21a7ed\r\n");
    }
    if (r.method == "TEARDOWN")
      return reply (200, "OK", "Session: 5c21a7ed\r\n");
    return reply (501, "Not Implemented");
  }

  void talk (int fd, int n)
  {
    std::string data;
    char buffer[4096];
    for (;;) {
      ssize_t got = recv (fd, buffer, sizeof (buffer), 0);
      if (got <= 0)
        break;
      data.append (buffer, size_t (got));
      size_t end;
      while ((end = data.find ("\r\n\r\n")) != std::string::npos) {
        Request r;
        r.connection = n;
        std::string head = data.substr (0, end);
        data.erase (0, end + 4);
        gchar **lines = g_strsplit (head.c_str (), "\r\n", -1);
        gchar **first = g_strsplit (lines[0], " ", 3);
        r.method = first[0] ? first[0] : "";
        r.uri = first[0] && first[1] ? first[1] : "";
        g_strfreev (first);
        for (gchar **l = lines + 1; *l; l++)
          if (const char *colon = strstr (*l, ": "))
            r.headers[std::string (*l, size_t (colon - *l))] = colon + 2;
        g_strfreev (lines);
        {
          std::lock_guard<std::mutex> guard (lock_);
          requests_.push_back (r);
          seen_.notify_all ();
        }
        bool close_after = false;
        std::string reply = answer (r, n, close_after);
        if (!reply.empty ())
          send_all (fd, reply);
        if (close_after) {
          shutdown (fd, SHUT_RDWR);
          break;
        }
      }
    }
    std::lock_guard<std::mutex> guard (lock_);
    close (fd);
    open_.erase (std::remove (open_.begin (), open_.end (), fd), open_.end ());
  }

  Script script_;
  std::string address_;
  int listener_ = -1;
  guint16 port_ = 0;
  std::vector<int> fillers_;
  std::atomic<bool> stopping_ {false};
  std::thread acceptor_;
  std::mutex lock_;
  std::condition_variable seen_;
  std::vector<std::thread> talkers_;
  std::vector<int> open_;
  std::vector<Request> requests_;
  int connections_ = 0;
};

}  // namespace testutil
