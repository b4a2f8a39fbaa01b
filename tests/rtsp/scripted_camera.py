# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small RTSP camera written here, for the quirks real cameras show that
gst-rtsp-server never does: its answers (Transport, SDP, Session, Public,
the status of any request) are shaped by the test, and it sends real H264
(x264enc through rtph264pay, SPS/PPS in-band) and sender reports from the
sockets it chooses, over UDP or interleaved on the connection. It records
every request and every receiver report it gets, for the test to assert on.
One RTSP connection at a time (a receiver that reconnects gets the next)."""
import re
import socket
import struct
import threading
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)


def free_udp_pair(address="127.0.0.1"):
    """Two UDP sockets on an even/odd pair of ports, bound now."""
    for _ in range(200):
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind((address, 0))
        port = probe.getsockname()[1]
        probe.close()
        if port % 2 or port > 65533:
            continue
        try:
            rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            rtp.bind((address, port))
        except OSError:
            rtp.close()
            continue
        try:
            rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            rtcp.bind((address, port + 1))
            return rtp, rtcp
        except OSError:
            rtp.close()
            rtcp.close()
    raise RuntimeError("no free UDP pair")


def udp_socket(address="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((address, 0))
    return s


class ScriptedCamera:
    """The quirks, all keyword arguments:

    sprop          SDP carries sprop-parameter-sets (False: in-band SPS/PPS only)
    control        "relative" (trackID=0), "absolute" (rtsp://.../trackID=0), "path" (/cam/trackID=0)
    content_base   DESCRIBE answers with Content-Base (False: none, nor Content-Location)
    public         the Public header of OPTIONS
    session_timeout  Session: id;timeout=N; with expire, a session without a request for N s ends
    expire         sessions really expire (the camera stops sending, 454 after)
    server_port    what Transport announces: None (the real pair), "omit", or a string ("0-1", "7000-7001")
    source         a source= for Transport
    ssrc_in_reply  Transport names the SSRC
    rtp_socket, rtcp_socket   where media and reports leave from (default: a pair bound here)
    status         {method: status code} answered instead of 200 (e.g. {"PAUSE": 501})
    tcp, udp       transports it accepts (SETUP of the other: 461)
    channels       interleaved channels it answers over TCP (None: those asked)
    drop_udp       its UDP never arrives (as behind a firewall): nothing is sent over UDP;
                   a number: not in its first that many UDP sessions (a slow start)
    """

    def __init__(self, sprop=True, control="relative", content_base=True,
                 public="OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER",
                 session_timeout=60, expire=False, server_port=None, source=None, ssrc_in_reply=False,
                 rtp_socket=None, rtcp_socket=None, status=None, tcp=True, udp=True, channels=None,
                 drop_udp=False, ssrc=0x5C000001):
        self.sprop, self.control, self.content_base, self.public = sprop, control, content_base, public
        self.session_timeout, self.expire = session_timeout, expire
        self.server_port, self.source, self.ssrc_in_reply = server_port, source, ssrc_in_reply
        self.status = dict(status or {})
        self.tcp, self.udp, self.channels, self.ssrc = tcp, udp, channels, ssrc
        self.drop_udp = drop_udp
        self.connections = 0        # RTSP connections accepted
        self.udp_sessions = 0       # SETUPs answered over UDP
        if rtp_socket is None:
            rtp_socket, pair_rtcp = free_udp_pair()
            rtcp_socket = rtcp_socket or pair_rtcp
        self.rtp_socket, self.rtcp_socket = rtp_socket, rtcp_socket
        self.lock = threading.Lock()
        self.requests = []          # (monotonic time, method, url, headers)
        self.reports = []           # (local port, sender address) of each RTCP that came in
        self.sent = 0               # RTP packets sent
        self.expired = False
        self.teardowns = 0
        self.answers = []           # (status, headers) the receiver gave to ask_receiver ()
        self._target = None         # ("udp", (host, rtp), (host, rtcp)) or ("tcp", conn, rtp ch, rtcp ch)
        self._conn = None
        self._write = threading.Lock()
        self._session = None
        self._last_request = 0.0
        self._octets = 0
        self._last_rtp_ts = 0
        self._closing = False
        self._media()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(4)
        self.port = self._listener.getsockname()[1]
        for target in (self._serve, self._send_reports, self._read_reports):
            threading.Thread(target=target, daemon=True).start()

    # -- media ---------------------------------------------------------
    def _media(self):
        self.pipeline = Gst.parse_launch(
            "videotestsrc is-live=true pattern=ball ! video/x-raw,width=160,height=120,framerate=25/1 "
            "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 bitrate=200 "
            "! video/x-h264,profile=constrained-baseline "
            f"! rtph264pay pt=96 config-interval=-1 ssrc={self.ssrc} ! appsink name=sink emit-signals=true "
            "sync=false max-buffers=50 drop=true")
        sink = self.pipeline.get_by_name("sink")
        self._caps_ready = threading.Event()
        self.sprop_sets = ""
        sink.connect("new-sample", self._on_sample)
        self.pipeline.set_state(Gst.State.PLAYING)
        if not self._caps_ready.wait(20):
            raise RuntimeError("the scripted camera's encoder produced nothing")

    def _on_sample(self, sink):
        sample = sink.emit("pull-sample")
        if not self._caps_ready.is_set():
            s = sample.get_caps().get_structure(0)
            self.sprop_sets = s.get_value("sprop-parameter-sets") or ""
            self._caps_ready.set()
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if ok:
            data = bytes(info.data)
            buf.unmap(info)
            self._send_media(data, rtcp=False)
        return Gst.FlowReturn.OK

    def _send_media(self, data, rtcp):
        target = self._target
        if target is None or self.expired:
            return
        try:
            if target[0] == "udp":
                if self.drop_udp is True or (self.drop_udp and self.udp_sessions <= self.drop_udp):
                    return
                (self.rtcp_socket if rtcp else self.rtp_socket).sendto(data, target[2] if rtcp else target[1])
            else:
                channel = target[3] if rtcp else target[2]
                with self._write:
                    target[1].sendall(struct.pack("!cBH", b"$", channel, len(data)) + data)
        except OSError:
            return
        if not rtcp:
            with self.lock:
                self.sent += 1
                self._octets += len(data) - 12
                self._last_rtp_ts = struct.unpack("!I", data[4:8])[0]

    def _sender_report(self):
        now = time.time() + 2208988800
        ntp_msw, ntp_lsw = int(now), int((now % 1) * (1 << 32))
        with self.lock:
            packets, octets, rtp_ts = self.sent, self._octets, self._last_rtp_ts
        return struct.pack("!BBHIIIIII", 0x80, 200, 6, self.ssrc, ntp_msw, ntp_lsw, rtp_ts, packets, octets)

    def _send_reports(self):
        while not self._closing:
            time.sleep(0.5)
            if self._target is not None and self.sent:
                self._send_media(self._sender_report(), rtcp=True)

    def _read_reports(self):
        import select
        sockets = {self.rtp_socket, self.rtcp_socket}
        while not self._closing:
            ready, _, _ = select.select(list(sockets), [], [], 0.2)
            for s in ready:
                try:
                    data, sender = s.recvfrom(2048)
                except OSError:
                    continue
                if len(data) >= 8 and data[1] in (200, 201):
                    with self.lock:
                        self.reports.append((s.getsockname()[1], sender))

    # -- RTSP ----------------------------------------------------------
    def url(self, path="cam"):
        return f"rtsp://127.0.0.1:{self.port}/{path}"

    def _serve(self):
        while not self._closing:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._conn = conn
            self.connections += 1
            try:
                self._talk(conn)
            except OSError:
                pass
            finally:
                if self._target and self._target[0] == "tcp":
                    self._target = None
                conn.close()

    def _read_message(self, conn, buffered):
        """(method, url, headers, body, rest) of the next request; interleaved
        frames the receiver sends (its reports over TCP) are recorded on the way."""
        while True:
            while buffered[:1] == b"$":
                if len(buffered) < 4:
                    break
                size = struct.unpack("!H", buffered[2:4])[0]
                if len(buffered) < 4 + size:
                    break
                if size >= 8 and buffered[5] in (200, 201):
                    with self.lock:
                        self.reports.append(("tcp", buffered[1]))
                buffered = buffered[4 + size:]
            end = buffered.find(b"\r\n\r\n")
            if buffered[:1] != b"$" and end >= 0:
                head = buffered[:end].decode("latin-1")
                lines = head.split("\r\n")
                method, url, _ = (lines[0].split(" ") + ["", ""])[:3]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                if len(buffered) >= end + 4 + length:
                    body = buffered[end + 4:end + 4 + length]
                    return method, url, headers, body, buffered[end + 4 + length:]
            chunk = conn.recv(65536)
            if not chunk:
                raise OSError("closed")
            buffered += chunk

    def _answer(self, conn, cseq, code=200, headers=(), body=b""):
        reason = {200: "OK", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
                  454: "Session Not Found", 455: "Method Not Valid in This State", 461: "Unsupported Transport",
                  501: "Not Implemented"}.get(code, "Error")
        text = f"RTSP/1.0 {code} {reason}\r\nCSeq: {cseq}\r\n"
        for name, value in headers:
            text += f"{name}: {value}\r\n"
        if body:
            text += f"Content-Length: {len(body)}\r\n"
        with self._write:
            conn.sendall(text.encode() + b"\r\n" + body)

    def _sdp(self):
        base = self.url() + "/"
        stream = {"relative": "trackID=0", "absolute": base + "trackID=0", "path": "/cam/trackID=0"}[self.control]
        fmtp = "packetization-mode=1" + (f";sprop-parameter-sets={self.sprop_sets}" if self.sprop else "")
        return ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=scripted camera\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
                "a=control:*\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                f"a=fmtp:96 {fmtp}\r\na=control:{stream}\r\n").encode()

    def setup_url(self):
        """Where SETUP must go for the stream, as the SDP and its base say."""
        return self.url() + "/trackID=0"

    def _transport_reply(self, asked, peer_host):
        if "interleaved=" in asked:
            channels = self.channels or tuple(int(c) for c in re.search(r"interleaved=(\d+)-(\d+)", asked).groups())
            return f"RTP/AVP/TCP;unicast;interleaved={channels[0]}-{channels[1]}", ("tcp", channels)
        client = tuple(int(p) for p in re.search(r"client_port=(\d+)-(\d+)", asked).groups())
        reply = f"RTP/AVP;unicast;client_port={client[0]}-{client[1]}"
        if self.server_port is None:
            reply += f";server_port={self.rtp_socket.getsockname()[1]}-{self.rtcp_socket.getsockname()[1]}"
        elif self.server_port != "omit":
            reply += f";server_port={self.server_port}"
        if self.source:
            reply += f";source={self.source}"
        if self.ssrc_in_reply:
            reply += f";ssrc={self.ssrc:08X}"
        return reply, ("udp", ((peer_host, client[0]), (peer_host, client[1])))

    def _expiry_check(self):
        if (self.expire and self._session and not self.expired and
                time.monotonic() - self._last_request > self.session_timeout):
            self.expired = True
            self._target = None

    def _talk(self, conn):
        buffered = b""
        planned = None
        session_id = None
        conn.settimeout(0.25)
        while not self._closing:
            self._expiry_check()
            try:
                method, url, headers, _, buffered = self._read_message(conn, buffered)
            except socket.timeout:
                continue
            now = time.monotonic()
            if method.startswith("RTSP/"):  # the receiver's answer to ask_receiver ()
                with self.lock:
                    self.answers.append((url, headers))  # url: its status code
                continue
            with self.lock:
                self.requests.append((now, method, url, headers))
            cseq = headers.get("cseq", "0")
            self._expiry_check()
            if headers.get("session") and self.expired:
                self._answer(conn, cseq, 454)
                continue
            self._last_request = now
            if method in self.status:
                self._answer(conn, cseq, self.status[method],
                             [("Session", session_id)] if session_id else [])
                continue
            session = [("Session", f"{session_id};timeout={self.session_timeout}")] if session_id else []
            if method == "OPTIONS":
                self._answer(conn, cseq, 200, [("Public", self.public)] + session)
            elif method == "DESCRIBE":
                if not url.rstrip("/").endswith("/cam"):
                    self._answer(conn, cseq, 404)
                    continue
                extra = [("Content-Base", self.url() + "/")] if self.content_base else []
                self._answer(conn, cseq, 200, [("Content-Type", "application/sdp")] + extra, self._sdp())
            elif method == "SETUP":
                if url != self.setup_url():
                    self._answer(conn, cseq, 404)
                    continue
                asked = headers.get("transport", "")
                tcp_asked = "interleaved=" in asked
                if (tcp_asked and not self.tcp) or (not tcp_asked and not self.udp):
                    self._answer(conn, cseq, 461)
                    continue
                reply, planned = self._transport_reply(asked, conn.getpeername()[0])
                session_id = session_id or f"{int(time.monotonic() * 1000) & 0xFFFFFF:06x}quirk"
                self._session = session_id
                self._answer(conn, cseq, 200, [("Transport", reply),
                                               ("Session", f"{session_id};timeout={self.session_timeout}")])
            elif method == "PLAY":
                if planned is None:
                    self._answer(conn, cseq, 455)
                    continue
                self._answer(conn, cseq, 200, session)
                if planned[0] == "udp":
                    self.udp_sessions += 1
                    self._target = ("udp", planned[1][0], planned[1][1])
                else:
                    self._target = ("tcp", conn, planned[1][0], planned[1][1])
            elif method == "PAUSE":
                self._answer(conn, cseq, 200, session)
                self._target = None
            elif method == "TEARDOWN":
                self._target = None
                self.teardowns += 1  # before the answer: the receiver's stop ends on it
                self._answer(conn, cseq, 200)
                planned = session_id = self._session = None
            elif method in ("GET_PARAMETER", "SET_PARAMETER"):
                self._answer(conn, cseq, 200, session)
            else:
                self._answer(conn, cseq, 501)

    def ask_receiver(self, method, cseq=900):
        """Sends a request of the camera's own (e.g. GET_PARAMETER) to the
        receiver on its RTSP connection; its answer lands in answers."""
        conn = self._conn
        if conn is None:
            return False
        with self._write:
            conn.sendall(f"{method} {self.url()} RTSP/1.0\r\nCSeq: {cseq}\r\n\r\n".encode())
        return True

    def drop_connection(self):
        """Closes the RTSP connection as a camera that restarts its server
        would; the session's media goes on."""
        conn = self._conn
        if conn is not None:
            conn.shutdown(socket.SHUT_RDWR)

    def methods(self):
        with self.lock:
            return [r[1] for r in self.requests]

    def requests_of(self, method):
        with self.lock:
            return [r for r in self.requests if r[1] == method]

    def reports_on(self, port):
        with self.lock:
            return sum(1 for r in self.reports if r[0] == port)

    def close(self):
        self._closing = True
        self._target = None
        self.pipeline.set_state(Gst.State.NULL)
        for s in (self._listener, self.rtp_socket, self.rtcp_socket, self._conn):
            try:
                if s:
                    s.close()
            except OSError:
                pass
