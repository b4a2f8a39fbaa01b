#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Pull mode against a real RTSP server (examples/rtsp-camera.py, gst-rtsp-server,
UDP only), on loopback, in this process: H264 decoded, video + audio on two
pairs and pads, Basic and Digest authentication (and refused credentials),
keep-alive past the session timeout, TEARDOWN on stop, a camera killed and
started again on its port (the same pads carry on), an unreachable camera, a
wrong path, and a camera that never answers (the state change returns at once,
the error comes within tcp-timeout). Ends "N passed, N failed"."""
import os
import shutil
import socket
import sys
import tempfile
import threading
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from testlib import Checks, run_tests  # noqa: E402
from rtsplib import Camera, Receiver, tls_camera, transport_message, udp_ports_held  # noqa: E402
check = Checks()


def client_ports(camera):
    """The client_port pairs the camera saw in SETUP, in order."""
    ports = []
    for line in camera.log:
        if line.startswith("setup transport="):
            part = line.split("client_port=")[1].split(";")[0].split()[0]
            ports.append(tuple(int(p) for p in part.split("-")))
    return ports


def test_h264():
    camera = Camera()
    r = Receiver(camera.url())
    t0 = time.monotonic()
    ret = r.play()
    took = time.monotonic() - t0
    check("the state change returns at once (live, no preroll)",
          ret != Gst.StateChangeReturn.FAILURE and took < 0.5, f"{ret} after {took:.2f} s")
    check("H264 from the camera is decoded", r.wait_frames(20), f"{r.frames['video']} frames")
    msg = r.message(Gst.MessageType.ELEMENT, "hostnetrtp-allocation", 5)
    s = msg.get_structure() if msg else None
    check("the allocation message names the camera, the session and the server's ports",
          s is not None and s.get_value("location") == camera.url() and s.get_value("session")
          and "/" in s.get_value("server-ports"), s.to_string() if s else "no message")
    pad = r.src.get_static_pad("src_0")
    check("the camera was told client_port = the bound pair",
          client_ports(camera)[:1] == [(pad.props.rtp_port, pad.props.rtcp_port)],
          f"camera saw {client_ports(camera)}, pad {pad.props.rtp_port}/{pad.props.rtcp_port}")
    check("the pair is even/odd, inside the range, not on loopback",
          pad.props.rtp_port % 2 == 0 and r.base <= pad.props.rtp_port < r.base + 16
          and not s.get_value("address").startswith("127."), s.get_value("address") if s else "")
    stats = r.src.props.stats
    st = stats.get_value("stream-0")
    check("stats: packets from the camera, none dropped",
          st.get_value("packets-received") > 20 and st.get_value("dropped-not-allowed") == 0,
          st.to_string())
    deadline = time.monotonic() + 15
    while camera.ask("reports").startswith("0 ") and time.monotonic() < deadline:
        time.sleep(0.5)
    reports = camera.ask("reports")
    check("receiver reports reach the camera's RTP session (its server_port RTCP), from our RTCP port",
          reports == f"1 from=127.0.0.1:{pad.props.rtcp_port}", reports)
    intruder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    intruder.bind(("127.0.0.2", 0))
    packet = bytes([0x80, 96, 0, 1, 0, 0, 0, 1, 0xba, 0xd0, 0xba, 0xd0]) + b"x" * 100
    for _ in range(20):
        intruder.sendto(packet, ("127.0.0.1", pad.props.rtp_port))
    intruder.close()
    def stream_stats():
        stats = r.src.props.stats  # kept: the field's structure lives inside it
        return stats.get_value("stream-0").copy()
    deadline = time.monotonic() + 5
    while stream_stats().get_value("dropped-not-allowed") < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    st = stream_stats()
    check("only the camera is accepted: another host's RTP is dropped as not allowed",
          st.get_value("dropped-not-allowed") == 20 and st.get_value("ssrc") != 0xbad0bad0, st.to_string())
    r.stop()
    check("TEARDOWN on stop: the camera holds no session", camera_tore_down(camera))
    camera.stop()


def test_stale_session_same_address():
    """A stale session (an earlier receiver's, on these very ports, killed
    without TEARDOWN) sends from the camera's address but another port, from
    before our PLAY: it must not take the stream the camera then sends."""
    camera = Camera("--ssrc", "0xca000001")
    r = Receiver(camera.url(), pairs=1)
    stale = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    stale.bind(("127.0.0.1", 0))
    stop = threading.Event()

    def send_stale():
        seq = 0
        while not stop.is_set():
            seq = (seq + 1) & 0xffff
            header = bytes([0x80, 96]) + seq.to_bytes(2, "big") + (seq * 3000).to_bytes(4, "big")
            stale.sendto(header + bytes.fromhex("5a1e0001") + b"s" * 100, ("127.0.0.1", r.base))
            time.sleep(0.002)
    sender = threading.Thread(target=send_stale, daemon=True)
    sender.start()
    r.play()
    decoded = r.wait_frames(20)
    stats = r.src.props.stats  # kept: the field's structure lives inside it
    st = stats.get_value("stream-0").copy()
    stop.set()
    sender.join()
    stale.close()
    check("a stale session from the camera's address but another port does not take the stream",
          decoded and st.get_value("ssrc") == 0xca000001 and st.get_value("dropped-not-allowed") > 0,
          f"{r.frames} frames; {st.to_string()}")
    r.stop()
    camera.stop()


class TinyRtsp:
    """A few lines of RTSP server of our own, for answers gst-rtsp-server does
    not give: every request gets @answer(method, cseq, headers) back."""

    def __init__(self, answer):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self.answer = answer
        self.requests = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn):
        data = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
            while b"\r\n\r\n" in data:
                head, data = data.split(b"\r\n\r\n", 1)
                lines = head.decode().split("\r\n")
                headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
                method = lines[0].split()[0]
                self.requests.append((method, headers))
                conn.sendall(self.answer(method, headers.get("CSeq", "0"), headers).encode())

    def close(self):
        self.server.close()


def test_redirect_and_a_wrong_client_port():
    camera = Camera()
    moved = TinyRtsp(lambda method, cseq, _h: f"RTSP/1.0 302 Moved Temporarily\r\nCSeq: {cseq}\r\n"
                     f"Location: {camera.url()}\r\n\r\n" if method == "DESCRIBE" else
                     f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n")
    r = Receiver(f"rtsp://127.0.0.1:{moved.port}/old-path")
    r.play()
    check("a 302 redirect is followed to the camera, which is told the pair",
          r.wait_frames(10) and len(client_ports(camera)) == 1, f"{r.frames}, {client_ports(camera)}")
    r.stop()
    moved.close()
    camera.stop()

    sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=cam\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:stream=0\r\n")

    def answer(method, cseq, headers):
        if method == "DESCRIBE":
            return (f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nContent-Type: application/sdp\r\n"
                    f"Content-Base: rtsp://127.0.0.1:{liar.port}/cam/\r\nContent-Length: {len(sdp)}\r\n\r\n{sdp}")
        if method == "SETUP":
            return (f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nSession: 12345678\r\n"
                    f"Transport: RTP/AVP;unicast;client_port=40000-40001;server_port=50000-50001\r\n\r\n")
        return f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n"
    liar = TinyRtsp(answer)
    r = Receiver(f"rtsp://127.0.0.1:{liar.port}/cam", extra="reconnect-attempts=0")
    r.play()
    error = r.error_text(10)
    check("a SETUP answer with another client_port is an error that says so",
          "answered client_port=40000-40001" in error and "was asked" in error, error)
    r.stop()
    liar.close()


def test_video_and_audio():
    camera = Camera("--media", "av")
    r = Receiver(camera.url(), audio=True)
    r.play()
    check("video + audio: video decoded", r.wait_frames(10), f"{r.frames}")
    check("video + audio: audio flows on src_1", r.wait_frames(10, name="audio"), f"{r.frames}")
    pads = [r.src.get_static_pad(f"src_{i}") for i in (0, 1)]
    ports = [(p.props.rtp_port, p.props.rtcp_port) for p in pads]
    check("two pairs, told to the camera in SETUP", client_ports(camera) == ports and ports[0] != ports[1],
          f"{client_ports(camera)} vs {ports}")
    check("src_1 is the audio", pads[1].props.media == "audio")
    r.stop()
    camera.stop()


def test_authentication():
    for method in ("basic", "digest"):
        camera = Camera("--auth", method, "--user", "viewer", "--password", "s3cret")
        r = Receiver(camera.url("viewer", "s3cret"))
        r.play()
        check(f"{method}: the right password in the location decodes", r.wait_frames(10), f"{r.frames}")
        r.stop()
        r = Receiver(camera.url(), extra="user-id=viewer user-pw=s3cret")
        r.play()
        check(f"{method}: user-id/user-pw decode", r.wait_frames(10), f"{r.frames}")
        r.stop()
        r = Receiver(camera.url(), extra="user-id=viewer user-pw=wrong")
        r.play()
        error = r.error_text()
        check(f"{method}: a wrong password is a clear error",
              "refused the credentials" in error and "check user-id and user-pw" in error
              and "wrong" not in error, error)
        r.stop()
        r = Receiver(camera.url())
        r.play()
        error = r.error_text()
        check(f"{method}: no credentials: the error says to set them", "set user-id and user-pw" in error, error)
        r.stop()
        check(f"{method}: refused receivers hold no socket", r.src.props.rtp_port == 0)
        camera.stop()


def test_keep_alive():
    camera = Camera("--session-timeout", "3")
    r = Receiver(camera.url())
    r.play()
    r.wait_frames(5)
    time.sleep(9)  # three session timeouts: only keep-alive holds it
    check("keep-alive: frames still come after 3 session timeouts", r.wait_frames(10, 5), f"{r.frames}")
    check("keep-alive: the camera still has the session", camera.sessions() == 1)
    r.stop()
    camera.stop()


def test_camera_restart():
    camera = Camera()
    port = camera.port
    r = Receiver(camera.url(), extra="reconnect-interval=200 reconnect-silence=1500")
    r.play()
    r.wait_frames(10)
    pad_before = r.src.get_static_pad("src_0")
    ports_before = (pad_before.props.rtp_port, pad_before.props.rtcp_port)
    camera.stop()
    lost = r.message(Gst.MessageType.ELEMENT, "hostnetrtp-rtsp-lost", 10)
    check("a killed camera is noticed (hostnetrtp-rtsp-lost)", lost is not None)
    camera = Camera(port=port)
    recovered = r.message(Gst.MessageType.ELEMENT, "hostnetrtp-rtsp-recovered", 30)
    check("the camera started again is reconnected (hostnetrtp-rtsp-recovered)", recovered is not None)
    check("frames flow again", r.wait_frames(20), f"{r.frames}")
    pad_after = r.src.get_static_pad("src_0")
    check("the same src_0 pad carries on", pad_after == pad_before)
    check("on the same bound pair", (pad_after.props.rtp_port, pad_after.props.rtcp_port) == ports_before
          and client_ports(camera)[-1:] == [ports_before], f"{client_ports(camera)} vs {ports_before}")
    r.stop()
    camera.stop()


def test_no_camera():
    # A port nobody listens on: refused at once.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = Receiver(f"rtsp://127.0.0.1:{port}/cam", extra="tcp-timeout=2000000")
    r.play()
    error = r.error_text(10)
    check("an unreachable camera is an error naming host and port, and why",
          f"127.0.0.1 port {port}" in error and "refused" in error.lower(), error)
    r.stop()
    # A name that cannot resolve (.invalid never does, RFC 6761).
    r = Receiver("rtsp://no-such-camera.invalid/cam", extra="tcp-timeout=2000000")
    r.play()
    error = r.error_text(20)
    check("a camera name that does not resolve is an error that says so",
          "no-such-camera.invalid" in error and "does not resolve" in error, error)
    r.stop()
    # A server that accepts and never answers: the state change is immediate,
    # the error comes within tcp-timeout.
    mute = socket.socket()
    mute.bind(("127.0.0.1", 0))
    mute.listen(4)
    port = mute.getsockname()[1]
    r = Receiver(f"rtsp://127.0.0.1:{port}/cam", extra="tcp-timeout=2000000")
    t0 = time.monotonic()
    r.play()
    took = time.monotonic() - t0
    error = r.error_text(10)
    waited = time.monotonic() - t0
    check("a camera that never answers: the state change returns at once", took < 0.5, f"{took:.2f} s")
    check("... and the error comes within tcp-timeout", "did not answer" in error and 1.5 < waited < 6,
          f"{error!r} after {waited:.1f} s")
    r.stop()
    mute.close()
    # The right server, a wrong path.
    camera = Camera()
    r = Receiver(f"rtsp://127.0.0.1:{camera.port}/nothing-here")
    r.play()
    error = r.error_text()
    check("a wrong path is an error that says so", "404" in error and "check the path" in error, error)
    r.stop()
    camera.stop()


def test_tcp():
    """protocols=tcp: RTP interleaved on the RTSP connection, no UDP port."""
    camera = Camera("--protocols", "udp,tcp", "--ssrc", "0xca000007")
    before = set(udp_ports_held())
    r = Receiver(camera.url(), extra="protocols=tcp")
    r.play()
    check("protocols=tcp: H264 decoded", r.wait_frames(20), f"{r.frames}")
    setups = [line for line in camera.log if line.startswith("setup transport=")]
    check("... set up as RTP/AVP/TCP, interleaved", setups and "RTP/AVP/TCP;unicast;interleaved=0-1" in setups[0],
          str(setups))
    held = set(udp_ports_held()) - before
    check("... with no UDP port bound", not held, f"UDP ports held: {sorted(held)}")
    msg = r.message(Gst.MessageType.ELEMENT, "hostnetrtp-allocation", 5)
    s = msg.get_structure() if msg else None
    check("the allocation message says transport=tcp and the channels",
          s is not None and s.get_value("transport") == "tcp" and s.get_value("interleaved") == "0-1"
          and s.get_value("rtp-port") == 0, s.to_string() if s else "no message")
    deadline = time.monotonic() + 15
    while camera.ask("reports").startswith("0 ") and time.monotonic() < deadline:
        time.sleep(0.5)
    check("receiver reports reach the camera's session, interleaved", not camera.ask("reports").startswith("0 "),
          camera.ask("reports"))
    deadline = time.monotonic() + 15  # the camera's first sender report comes within seconds
    while True:
        stats = r.src.props.stats  # kept: the field's structure lives inside it
        st = stats.get_value("stream-0")
        if st.get_value("rtcp-packets-received") > 0 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    dropped = {f: st.get_value(f) for f in ("dropped-not-allowed", "dropped-malformed", "dropped-foreign",
                                             "dropped-out-of-sequence", "dropped-kernel")}
    check("stats: the camera's packets, its SSRC, nothing dropped (its RTCP is whole: no trailing byte)",
          st.get_value("packets-received") > 20 and st.get_value("ssrc") == 0xca000007
          and st.get_value("rtcp-packets-received") > 0 and st.get_value("reports-sent") > 0
          and not any(dropped.values()), st.to_string())
    r.stop()
    check("TEARDOWN on stop", camera_tore_down(camera))
    camera.stop()


def test_camera_refusing_udp():
    """A camera that offers TCP only answers SETUP over UDP with 461: TCP at
    once, told in a message and a warning."""
    camera = Camera("--protocols", "tcp")
    before = set(udp_ports_held())
    r = Receiver(camera.url())
    t0 = time.monotonic()
    r.play()
    s = transport_message(r)
    check("461 to UDP: hostnetrtp-rtsp-transport says tcp and why",
          s is not None and s.get_value("transport") == "tcp" and "461" in s.get_value("reason"),
          s.to_string() if s else "no message")
    check("... and it decodes, at once", r.wait_frames(20) and time.monotonic() - t0 < 10, f"{r.frames}")
    check("... with a warning that names the camera and TCP",
          any(camera.url() in t and "TCP" in t for t in r.warnings), str(r.warnings))
    held = set(udp_ports_held()) - before
    check("the pair bound for UDP was released", not held, f"UDP ports held: {sorted(held)}")
    r.stop()
    camera.stop()


def test_tls():
    """rtsps:// with a certificate made here: refused, with the reason, until
    tls-database trusts it; a certificate for another name is refused even then."""
    if not shutil.which("openssl"):
        print("SKIP test_tls: needs openssl (scripts/install-deps installs it) to make a certificate")
        return
    from gi.repository import Gio  # noqa: E402
    work = tempfile.mkdtemp()
    try:
        cert, camera = tls_camera(work, "camera", "IP:127.0.0.1")
        url = f"rtsps://127.0.0.1:{camera.port}/cam"
        r = Receiver(url)
        r.play()
        error = r.error_text()
        check("rtsps: a certificate nobody trusts is an error naming why",
              "fails validation" in error and "not signed by an authority" in error and "tls-database" in error,
              error)
        r.stop()
        r = Receiver(url)
        r.src.props.tls_database = Gio.TlsFileDatabase.new(cert)
        r.play()
        check("rtsps: trusted through tls-database, it decodes", r.wait_frames(20), f"{r.frames}")
        r.stop()
        r = Receiver(url, extra=f"tls-ca-file={cert}")
        r.play()
        check("rtsps: trusted through tls-ca-file in a launch line, it decodes", r.wait_frames(20), f"{r.frames}")
        r.stop()
        p = Gst.parse_launch("hostnetrtpsrc name=src ! rtph264depay ! h264parse ! fakesink name=sink")
        p.get_by_name("src").set_property("uri", f"hostnetrtp://?location={url}&tls-ca-file={cert}")
        frames = []
        p.get_by_name("sink").get_static_pad("sink").add_probe(
            Gst.PadProbeType.BUFFER, lambda *_: frames.append(1) or Gst.PadProbeReturn.OK)
        p.set_state(Gst.State.PLAYING)
        deadline = time.monotonic() + 15
        while len(frames) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        check("rtsps: location and tls-ca-file carried by a hostnetrtp:// URI, it plays", len(frames) >= 10,
              f"{len(frames)} buffers")
        p.set_state(Gst.State.NULL)
        p = Gst.parse_launch(f"hostnetrtpsrc location={url} tls-ca-file={work}/missing.pem ! fakesink")
        ret = p.set_state(Gst.State.READY)
        m = p.get_bus().timed_pop_filtered(5 * Gst.SECOND, Gst.MessageType.ERROR)
        text = m.parse_error()[0].message if m else ""
        check("a tls-ca-file that cannot be read fails the start, naming the file",
              ret == Gst.StateChangeReturn.FAILURE and "missing.pem" in text and "tls-ca-file" in text, text)
        p.set_state(Gst.State.NULL)
        r = Receiver(url)
        r.src.props.tls_validation_flags = Gio.TlsCertificateFlags(0)
        r.play()
        check("rtsps: with no checks (tls-validation-flags=0), it decodes", r.wait_frames(10), f"{r.frames}")
        r.stop()
        camera.stop()
        other, camera = tls_camera(work, "other", "DNS:camera.example")
        r = Receiver(f"rtsps://127.0.0.1:{camera.port}/cam")
        r.src.props.tls_database = Gio.TlsFileDatabase.new(other)
        r.play()
        error = r.error_text()
        check("rtsps: a trusted certificate for another name is refused, saying so",
              "not for the host name" in error, error)
        r.stop()
        camera.stop()
    finally:
        shutil.rmtree(work)


def camera_tore_down(camera):
    """The camera was sent TEARDOWN and holds no session. gst-rtsp-server
    says "teardown" before it stops the media and drops the session (a
    moment later, longer under load): its "removed" line is waited for."""
    return (camera.wait_for("^teardown session=", 5) is not None
            and camera.wait_for("^removed session=", 10) is not None and camera.sessions() == 0)


def test_bad_location():
    p = Gst.parse_launch("hostnetrtpsrc name=src location=rtsp:/broken ! fakesink")
    ret = p.set_state(Gst.State.READY)
    m = p.get_bus().timed_pop_filtered(5 * Gst.SECOND, Gst.MessageType.ERROR)
    text = m.parse_error()[0].message if m else ""
    check("a malformed location fails the state change with a clear error",
          ret == Gst.StateChangeReturn.FAILURE and "is not an RTSP URL" in text, text)
    p.set_state(Gst.State.NULL)


TESTS = (test_bad_location, test_h264, test_stale_session_same_address, test_redirect_and_a_wrong_client_port,
         test_video_and_audio, test_authentication,
         test_keep_alive, test_camera_restart, test_no_camera, test_tcp, test_camera_refusing_udp, test_tls)
run_tests(TESTS, check, "pull mode")
