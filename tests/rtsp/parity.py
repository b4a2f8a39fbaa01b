#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A line or an application written for rtspsrc works with the element's
name changed. rtspsrc's properties and signals, read from this GStreamer's
registry, are checked against hostnetrtpsrc's: present with the same type
and default, or their row in docs/migration.md says how they differ (the
table has a row for each, and no row unexplained). Then rtspsrc lines
(the Smart City sample's, two DL Streamer samples') decode from a
gst-rtsp-server camera, and rtspsrc's signals, actions and settings do what
they do there, against a scripted camera that records what it is sent.
Ends "N passed, N failed"."""
import os
import re
import shutil
import socket
import sys
import tempfile
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
from gi.repository import GObject, Gst, GstRtsp  # noqa: E402

Gst.init(None)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from testlib import Checks, run_tests  # noqa: E402
from rtsplib import Camera, Receiver, tls_camera, udp_ports_held, wait_until  # noqa: E402
from scripted_camera import ScriptedCamera  # noqa: E402
check = Checks()
MIGRATION = os.path.join(HERE, "..", "..", "docs", "migration.md")


def own_properties(factory):
    element = Gst.ElementFactory.make(factory, None)
    inherited = {p.name for p in GObject.list_properties(Gst.Bin)}
    return {p.name: p for p in GObject.list_properties(element) if p.name not in inherited}, element


def values_and_nicks(pspec):
    """An enum's or flags' (value, nick) pairs, with old PyGObject (a Python
    class with __enum_values__) and new (the C class: EnumClass, FlagsClass)."""
    if pspec.value_type.is_a(GObject.TYPE_ENUM):
        klass = pspec.enum_class
        if hasattr(klass, "__enum_values__"):
            return {(int(n), v.value_nick) for n, v in klass.__enum_values__.items()}
        values = (GObject.enum_get_value(klass, n) for n in range(klass.minimum, klass.maximum + 1))
        return {(v.value, v.value_nick) for v in values if v}
    klass = pspec.flags_class
    if hasattr(klass, "__flags_values__"):
        return {(int(n), v.value_nicks[-1]) for n, v in klass.__flags_values__.items()}
    values = (GObject.flags_get_first_value(klass, 1 << bit) for bit in range(32))
    return {(v.value, v.value_nick) for v in values if v}


def same_type(a, b):
    """Same value type; enums and flags: the same values and nicks (rtspsrc's
    enum types belong to its plugin, ours carry the same values)."""
    if a.value_type == b.value_type:
        return True
    for fundamental in (GObject.TYPE_ENUM, GObject.TYPE_FLAGS):
        if a.value_type.is_a(fundamental) and b.value_type.is_a(fundamental):
            return values_and_nicks(a) == values_and_nicks(b)
    return False


def same_default(a, b):
    if not hasattr(a, "default_value"):  # boxed (newer PyGObject says so): no default to compare
        return True
    da, db = a.default_value, b.default_value
    if a.value_type.is_a(GObject.TYPE_ENUM) or a.value_type.is_a(GObject.TYPE_FLAGS):
        return int(da) == int(db)
    return da == db


def migration_rows():
    """{(kind, name): (verdict, explanation)} from docs/migration.md's rtspsrc table."""
    rows = {}
    for line in open(MIGRATION):
        m = re.match(r"^\| (?:(signal|action|message) )?`([^`]+)` \| (\*\*differs\*\*|same|refused|no effect|absent)"
                     r" \| (.*) \|$", line.strip())
        if m:
            rows[(m.group(1) or "property", m.group(2))] = (m.group(3).strip("*"), m.group(4).strip())
    return rows


def test_properties_match_rtspsrc():
    """Every rtspsrc property: the same name, type and default, or its row
    says how it differs; every row explained."""
    theirs, _ = own_properties("rtspsrc")
    ours, _ = own_properties("hostnetrtpsrc")
    rows = migration_rows()
    check("docs/migration.md has the rtspsrc table", len(rows) > 40, f"{len(rows)} rows")
    unlisted, wrong = [], []
    for name, spec in sorted(theirs.items()):
        row = rows.get(("property", name))
        if not row or len(row[1]) < 10:
            unlisted.append(name)
            continue
        verdict = row[0]
        if name not in ours:
            if verdict != "absent":
                wrong.append(f"{name}: missing here but its row says {verdict}")
            continue
        matches = same_type(spec, ours[name]) and same_default(spec, ours[name])
        if not matches and verdict != "differs":
            wrong.append(f"{name}: type/default {'match' if matches else 'differ'} "
                         f"({spec.value_type.name} {getattr(spec, 'default_value', None)!r} vs "
                         f"{ours[name].value_type.name} {getattr(ours[name], 'default_value', None)!r}) "
                         f"but the row says {verdict}")
        if verdict == "absent":
            wrong.append(f"{name}: present here but its row says absent")
    check(f"each of rtspsrc's {len(theirs)} properties has an explained row in docs/migration.md",
          not unlisted, ", ".join(unlisted))
    check("each property matches rtspsrc's type and default unless its row says how it differs",
          not wrong, "; ".join(wrong))
    present = sum(1 for n in theirs if n in ours)
    print(f"# {present} of rtspsrc's {len(theirs)} properties exist here "
          f"({sum(1 for n in theirs if n in ours and same_type(theirs[n], ours[n]) and same_default(theirs[n], ours[n]))}"
          " with its type and default)")


def test_signals_match_rtspsrc():
    """Every rtspsrc signal and action with its signature, or an explained row."""
    _, theirs = own_properties("rtspsrc")
    _, ours = own_properties("hostnetrtpsrc")
    inherited = set(GObject.signal_list_names(Gst.Bin)) | set(GObject.signal_list_names(Gst.Element))
    rows = migration_rows()
    unlisted, wrong = [], []
    for name in GObject.signal_list_names(theirs.__gtype__):
        if name in inherited:
            continue
        kind = "action" if GObject.signal_query(name, theirs.__gtype__).signal_flags & GObject.SignalFlags.ACTION \
            else "signal"
        row = rows.get((kind, name))
        if not row or len(row[1]) < 10:
            unlisted.append(f"{kind} {name}")
            continue
        a = GObject.signal_query(name, theirs.__gtype__)
        sid = GObject.signal_lookup(name, ours.__gtype__)
        if not sid:
            if row[0] != "absent":
                wrong.append(f"{name}: missing here but its row says {row[0]}")
            continue
        b = GObject.signal_query(name, ours.__gtype__)
        sig_a = (a.return_type.name, [t.name for t in a.param_types])
        sig_b = (b.return_type.name, [t.name for t in b.param_types])
        if sig_a != sig_b:
            wrong.append(f"{name}: {sig_a} here {sig_b}")
    check("each of rtspsrc's signals and actions has an explained row in docs/migration.md",
          not unlisted, ", ".join(unlisted))
    check("each signal and action has rtspsrc's signature", not wrong, "; ".join(wrong))
    check("rtspsrc's GstRTSPSrcTimeout message has its row", ("message", "GstRTSPSrcTimeout") in rows,
          str([k for k in rows if k[0] == "message"]))


def settled(promise, timeout=5):
    """The promise's result once it is no longer pending, or None after
    @timeout (waited for on a thread of its own: wait () has no timeout)."""
    out = []
    waiter = threading.Thread(target=lambda: out.append(promise.wait()), daemon=True)
    waiter.start()
    waiter.join(timeout)
    return out[0] if out else None


def decodes(line, frames=20, timeout=20):
    """@line (a launch line with a sink named sink) reaches @frames buffers at the sink."""
    pipeline = Gst.parse_launch(line)
    seen = []
    pipeline.get_by_name("sink").get_static_pad("sink").add_probe(
        Gst.PadProbeType.BUFFER, lambda *_: seen.append(1) or Gst.PadProbeReturn.OK)
    pipeline.set_state(Gst.State.PLAYING)
    ok = wait_until(lambda: len(seen) >= frames, timeout)
    bus = pipeline.get_bus()
    error = bus.pop_filtered(Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    return ok, f"{len(seen)} buffers; {error.parse_error()[0].message if error else 'no error'}"


def test_rtspsrc_lines_decode():
    """Real lines written for rtspsrc, with only the element's name changed
    (their analytics tails replaced by a decoder into a fakesink)."""
    camera = Camera("--protocols", "udp,tcp")
    url = camera.url()
    lines = {
        # Smart City sample, analytics (object detection): its head as written there
        "Smart City": f"hostnetrtpsrc udp-buffer-size=212992 name=source location={url} ! queue ! "
                      "rtph264depay ! h264parse ! video/x-h264 ! avdec_h264 ! videoconvert ! fakesink name=sink",
        # DL Streamer samples: decodebin after the source, and a TCP camera with a latency
        "DL Streamer decodebin": f"hostnetrtpsrc location={url} ! decodebin ! videoconvert ! fakesink name=sink",
        "DL Streamer tcp": f"hostnetrtpsrc location={url} protocols=tcp latency=100 timeout=5000000 ! "
                           "rtph264depay ! h264parse ! avdec_h264 ! videoconvert ! fakesink name=sink sync=false",
    }
    for name, line in lines.items():
        ok, detail = decodes(line)
        check(f"the {name} rtspsrc line decodes with hostnetrtpsrc in its place", ok, detail)
    camera.stop()


def test_signals_in_action():
    """new-manager gives rtpbin before anything flows; before-send sees each
    request (and may add to it); on-sdp may edit the SDP; user-agent and
    rtp-blocksize reach the camera; handle-request answers the camera's own
    requests."""
    camera = ScriptedCamera()
    r = Receiver(camera.url(), extra="protocols=udp user-agent=analytics/{VERSION} rtp-blocksize=1200")
    seen = {"managers": [], "sent": [], "sdp_media": -1}

    def on_before_send(_src, message):
        seen["sent"].append(GstRtsp.rtsp_method_as_text(message.parse_request()[1]))
        message.add_header(GstRtsp.RTSPHeaderField.ACCEPT_LANGUAGE, "x-test")
        return True

    def on_sdp(_src, sdp):
        seen["sdp_media"] = sdp.medias_len()
        sdp.get_media(0).add_attribute("x-parity", "42")

    def on_handle_request(_src, request, response):
        response.add_header_by_name("X-Parity", "answered by the application")

    r.src.connect("new-manager", lambda _src, manager: seen["managers"].append(manager.get_factory().get_name()))
    r.src.connect("before-send", on_before_send)
    r.src.connect("on-sdp", on_sdp)
    # Before GStreamer 1.20 (as rtspsrc's) the messages come as plain pointers.
    typed = GObject.signal_query("handle-request", r.src.__gtype__).param_types[0].name != "gpointer"
    if typed:
        r.src.connect("handle-request", on_handle_request)
    r.play()
    check("signals: it decodes with every handler connected", r.wait_frames(20), f"{r.frames}")
    check("new-manager: once, with rtpbin", seen["managers"] == ["rtpbin"], str(seen["managers"]))
    check("before-send: called for each request the camera saw",
          len(seen["sent"]) >= 4 and len(seen["sent"]) == len(camera.requests), f"{len(seen['sent'])} vs {camera.methods()}")
    check("before-send: what the application added reaches the camera",
          all(h.get("accept-language") == "x-test" for _, _, _, h in camera.requests), str(camera.requests[:1]))
    check("on-sdp: the application saw the SDP's one media", seen["sdp_media"] == 1, str(seen["sdp_media"]))
    caps = r.src.get_static_pad("src_0").get_current_caps()
    check("on-sdp: an attribute the application added is in the stream's caps",
          caps is not None and caps.get_structure(0).get_value("x-parity") == "42",
          caps.to_string() if caps else "no caps")
    version = ".".join(str(v) for v in Gst.version()[:3])
    agents = {h.get("user-agent") for _, _, _, h in camera.requests}
    check("user-agent: sent in every request, {VERSION} filled in", agents == {f"analytics/{version}"}, str(agents))
    setups = camera.requests_of("SETUP")
    check("rtp-blocksize: asked in SETUP", setups and setups[0][3].get("blocksize") == "1200", str(setups))
    camera.ask_receiver("GET_PARAMETER")
    if typed:
        check("handle-request: the application's answer goes to the camera",
              wait_until(lambda: camera.answers, 5) and
              camera.answers[0][1].get("x-parity") == "answered by the application", str(camera.answers))
    else:
        print("SKIP handle-request's answer: before GStreamer 1.20 its messages are plain pointers, "
              "which Python cannot read (as with rtspsrc)")
    r.pipeline.set_state(Gst.State.READY)  # PAUSED->READY: TEARDOWN (a stop's goes without asking)
    check("before-send: the TEARDOWN of PAUSED->READY too",
          wait_until(lambda: camera.teardowns == 1, 5) and seen["sent"][-1] == "TEARDOWN",
          f"{camera.methods()}, {seen['sent']}")
    r.stop()
    camera.close()

    camera = ScriptedCamera()
    r = Receiver(camera.url(), extra="protocols=udp")
    r.play()
    check("user-agent: rtspsrc's default", wait_until(lambda: camera.requests, 10) and
          camera.requests[0][3].get("user-agent") == f"GStreamer/{version}", str(camera.requests[:1]))
    r.src.connect("before-send", lambda _src, message: False)
    camera.ask_receiver("OPTIONS")  # an answer is not a request: before-send is not asked
    check("handle-request: without a handler the camera's OPTIONS is answered 200",
          wait_until(lambda: camera.answers, 5) and camera.answers[0][0] == "200", str(camera.answers))
    r.stop()
    camera.close()


def test_select_stream():
    """select-stream false for the audio: no SETUP, no pair, no pad for it."""
    camera = Camera("--media", "av")
    r = Receiver(camera.url())
    asked = []

    def select(_src, num, caps):
        asked.append((num, caps.get_structure(0).get_value("media")))
        return caps.get_structure(0).get_value("media") == "video"

    r.src.connect("select-stream", select)
    r.play()
    check("select-stream: the video it kept decodes", r.wait_frames(20), f"{r.frames}")
    check("select-stream: asked once per stream, with its caps",
          sorted(m for _, m in asked) == ["audio", "video"] and sorted(n for n, _ in asked) == [0, 1], str(asked))
    pads = [p.get_name() for p in r.src.pads]
    check("select-stream: one src pad", pads == ["src_0"], str(pads))
    held = [p for p in udp_ports_held() if r.base <= p < r.base + 16]
    check("select-stream: one pair bound, none for the stream left out", len(held) == 2, str(held))
    r.stop()
    camera.stop()


def test_parameter_actions():
    """get-parameter, get-parameters and set-parameter reply their promise
    as rtspsrc's do; before a session, false."""
    src = Gst.ElementFactory.make("hostnetrtpsrc", None)
    unused = Gst.Promise.new()
    check("get-parameter: false with no session", src.emit("get-parameter", "x", None, unused) is False)
    unused.interrupt()
    camera = ScriptedCamera()
    r = Receiver(camera.url(), extra="protocols=udp")
    r.play()
    r.wait_frames(5)
    for action, args, name in (("get-parameter", ("position", None), "get-parameter-reply"),
                               ("get-parameters", (["position", "scale"], "text/x-names"), "get-parameter-reply"),
                               ("set-parameter", ("volume", "3", None), "set-parameter-reply")):
        promise = Gst.Promise.new()
        issued = r.src.emit(action, *args, promise)
        result = promise.wait()
        reply = promise.get_reply()
        ok = issued and result == Gst.PromiseResult.REPLIED and reply and reply.get_name() == name and \
            reply.get_value("rtsp-result") == 0 and reply.get_value("rtsp-code") == 200
        check(f"{action}: issued, answered 200 in the promise as rtspsrc's", ok, str(reply))
    gets = camera.requests_of("GET_PARAMETER")
    check("get-parameters: the content type as given",
          any(h.get("content-type") == "text/x-names" for _, _, _, h in gets), str(gets))
    check("get-parameters: the names in the body (its length)",
          any(h.get("content-length") == str(len("position:\r\nscale:\r\n")) for _, _, _, h in gets), str(gets))
    check("set-parameter: a SET_PARAMETER reached the camera", camera.requests_of("SET_PARAMETER"),
          camera.methods())
    unused = Gst.Promise.new()
    check("get-parameter: a name with a line break is refused",
          r.src.emit("get-parameter", "a\r\nb", None, unused) is False)
    unused.interrupt()
    overtaken = Gst.Promise.new()
    r.src.emit("get-parameter", "position", None, overtaken)
    r.stop()  # at once: answered before, or expired, never left waiting
    result = settled(overtaken)
    check("get-parameter: a promise a stop overtakes is never left waiting", result is not None, str(result))
    camera.close()
    # A camera that takes the connection and never answers: no session.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    r = Receiver(f"rtsp://127.0.0.1:{silent.getsockname()[1]}/cam")
    r.pipeline.set_state(Gst.State.PAUSED)
    no_session = Gst.Promise.new()
    r.src.emit("get-parameter", "position", None, no_session)
    result = settled(no_session)
    check("get-parameter: without a session the promise expires", result == Gst.PromiseResult.EXPIRED, str(result))
    r.stop()
    silent.close()


def test_rtpbin_settings():
    """rtspsrc's rtpbin properties reach rtpbin and its sessions, at start and live."""
    camera = ScriptedCamera()
    r = Receiver(camera.url(), extra="protocols=udp buffer-mode=none ntp-sync=true probation=5 "
                                     "max-rtcp-rtp-time-diff=300 ntp-time-source=unix")
    managers = []
    r.src.connect("new-manager", lambda _src, m: managers.append(m))
    r.play()
    check("rtpbin settings: it decodes", r.wait_frames(10), f"{r.frames}")
    rtpbin = managers[0] if managers else None
    session = rtpbin.emit("get-internal-session", 0) if rtpbin else None
    got = (int(rtpbin.props.buffer_mode), rtpbin.props.ntp_sync, rtpbin.props.max_rtcp_rtp_time_diff,
           int(rtpbin.props.ntp_time_source), session.props.probation if session else None) if rtpbin else None
    check("rtpbin settings: buffer-mode, ntp-sync, max-rtcp-rtp-time-diff, ntp-time-source, probation",
          got == (0, True, 300, 1, 5), str(got))
    check("ntp-sync=true: no timestamp offset limit (0), in rtpbin and read back, as rtspsrc",
          rtpbin is not None and rtpbin.props.max_ts_offset == 0 and r.src.props.max_ts_offset == 0,
          f"{rtpbin.props.max_ts_offset if rtpbin else None}, {r.src.props.max_ts_offset}")
    r.src.set_property("buffer-mode", 2)  # live: buffer
    check("rtpbin settings: buffer-mode changed while playing reaches rtpbin",
          wait_until(lambda: int(rtpbin.props.buffer_mode) == 2, 5), str(rtpbin.props.buffer_mode))
    r.stop()
    camera.close()
    r = Receiver("rtsp://127.0.0.1:9/none", extra="udp-buffer-size=212992")
    check("udp-buffer-size is buffer-size", r.src.props.buffer_size == 212992, str(r.src.props.buffer_size))


def test_do_rtcp_and_nat_method():
    """nat-method=dummy (the default) sends a first packet to the camera's RTP
    port, none does not; do-rtcp=false sends its RTCP port nothing at all."""
    for extra, hello, reports in (("", True, True), ("nat-method=none", False, True),
                                  ("do-rtcp=false", True, False)):
        camera = ScriptedCamera()
        r = Receiver(camera.url(), extra="protocols=udp " + extra)
        r.play()
        decoded = r.wait_frames(150, timeout=30)  # 6 s of video: past the first report's interval
        on_rtp = camera.reports_on(camera.rtp_socket.getsockname()[1])
        on_rtcp = camera.reports_on(camera.rtcp_socket.getsockname()[1])
        name = extra or "defaults"
        check(f"[{name}] decodes", decoded, f"{r.frames}")
        check(f"[{name}] a first packet to the camera's RTP port: {hello}", (on_rtp > 0) == hello, f"{on_rtp}")
        check(f"[{name}] reports reach the camera's RTCP port: {reports}", (on_rtcp > 0) == reports, f"{on_rtcp}")
        r.stop()
        camera.close()


def test_udp_reconnect():
    """The camera closes the RTSP connection while UDP streams: reconnected
    (the default), or, with udp-reconnect=false, the end of the streams (EOS)
    as with rtspsrc."""
    camera = ScriptedCamera()
    r = Receiver(camera.url(), extra="protocols=udp udp-reconnect=false")
    r.play()
    r.wait_frames(10)
    camera.drop_connection()
    check("udp-reconnect=false: the camera's close is the end of stream",
          r.message(Gst.MessageType.EOS, timeout=10) is not None, f"{r.warnings}")
    check("udp-reconnect=false: no reconnection", camera.connections == 1, f"{camera.connections}")
    r.stop()
    camera.close()
    camera = ScriptedCamera()
    r = Receiver(camera.url(), extra="protocols=udp")
    r.play()
    r.wait_frames(10)
    camera.drop_connection()
    check("udp-reconnect (default): reconnected, and it decodes on",
          wait_until(lambda: camera.connections == 2, 15) and r.wait_frames(20), f"{camera.connections}, {r.frames}")
    r.stop()
    camera.close()


def test_refused_and_warned():
    """Values rtspsrc takes that cannot work here fail the start and say what
    to use; default-rtsp-version=2.0 is taken with a warning."""
    for setting, words in (("backchannel=onvif", "backchannel"), ("onvif-mode=true", "onvif-mode"),
                           ("is-live=false", "is-live"), ("proxy=host:notaport", "proxy")):
        p = Gst.parse_launch(f"hostnetrtpsrc location=rtsp://127.0.0.1:9/none {setting} ! fakesink")
        ret = p.set_state(Gst.State.PAUSED)
        m = p.get_bus().pop_filtered(Gst.MessageType.ERROR)
        text = m.parse_error()[0].message if m else ""
        check(f"{setting}: the start fails with an error naming it and what to do",
              ret == Gst.StateChangeReturn.FAILURE and words in text and ("rtspsrc" in text or "host" in text), text)
        p.set_state(Gst.State.NULL)
    p = Gst.parse_launch("hostnetrtpsrc location=rtsp://127.0.0.1:9/none default-rtsp-version=2-0 ! fakesink")
    p.set_state(Gst.State.READY)
    m = p.get_bus().pop_filtered(Gst.MessageType.WARNING)
    text = m.parse_warning()[0].message if m else ""
    check("default-rtsp-version=2.0: a warning that 1.0 is spoken", "1.0" in text, text)
    p.set_state(Gst.State.NULL)


def test_proxy():
    """proxy: every request goes to the proxy, which gstreamer-rtsp sends
    absolute URLs (gst-rtsp-server answers those as a proxy passing them on
    would): a location nobody listens on decodes through it."""
    camera = Camera()
    r = Receiver("rtsp://127.0.0.1:9/cam", extra=f"proxy=http://127.0.0.1:{camera.port}")
    r.play()
    check("proxy: the camera reached through the proxy, it decodes", r.wait_frames(10), f"{r.frames}")
    r.stop()
    camera.stop()


def test_accept_certificate():
    """accept-certificate: a certificate that fails validation is taken when
    the application says so, as with rtspsrc."""
    if not shutil.which("openssl"):
        print("SKIP test_accept_certificate: needs openssl (scripts/install-deps installs it)")
        return
    work = tempfile.mkdtemp()
    try:
        _cert, camera = tls_camera(work, "camera", "IP:127.0.0.1")
        r = Receiver(f"rtsps://127.0.0.1:{camera.port}/cam")
        asked = []
        r.src.connect("accept-certificate", lambda _s, _c, _cert, errors: asked.append(errors) or True)
        r.play()
        check("accept-certificate: taken by the application, it decodes", r.wait_frames(20), f"{r.frames}")
        check("accept-certificate: asked with what failed", asked and asked[0] != 0, str(asked))
        r.stop()
        camera.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(run_tests([test_properties_match_rtspsrc, test_signals_match_rtspsrc, test_refused_and_warned,
                        test_rtspsrc_lines_decode, test_signals_in_action, test_select_stream,
                        test_parameter_actions, test_rtpbin_settings, test_do_rtcp_and_nat_method,
                        test_udp_reconnect, test_proxy,
                        test_accept_certificate], check, "rtspsrc parity"))
