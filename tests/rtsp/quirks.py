#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Pull mode against the quirks real cameras show (a scripted camera,
scripted_camera.py, sending real H264 on loopback): a Transport with
server_port=0-1 or none, RTP and RTCP from ports other than the announced
ones, a source= other than the address connected to, no sprop-parameter-sets,
a short Session timeout, keep-alive by each method and a camera refusing one,
a camera refusing PAUSE, absolute, path and relative control URLs with and
without Content-Base, other interleaved channels than asked. Each decodes,
and where the quirk decides where reports go, they reach the camera. Ends
"N passed, N failed"."""
import os
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from testlib import Checks, run_tests  # noqa: E402
from rtsplib import Receiver, wait_until  # noqa: E402
from scripted_camera import ScriptedCamera, free_udp_pair, udp_socket  # noqa: E402
check = Checks()


def stream_stats(r):
    stats = r.src.props.stats  # kept: the field's structure lives inside it
    st = stats.get_value("stream-0") if stats.has_field("stream-0") else None
    return {f: st.get_value(f) if st else 0 for f in ("packets-received", "rtcp-packets-received",
                                                     "reports-sent", "dropped-not-allowed", "dropped-foreign")}


def decodes_and_reports(name, camera, report_port):
    """@camera decodes through a receiver over UDP (protocols=udp: no TCP
    fallback to hide a quirk not handled), and its reports reach the camera
    on @report_port."""
    r = Receiver(camera.url(), extra="protocols=udp")
    r.play()
    check(f"{name}: H264 decoded", r.wait_frames(20), f"{r.frames}; camera saw {camera.methods()}")
    check(f"{name}: the camera's RTCP is taken and reports reach it on port {report_port}",
          wait_until(lambda: camera.reports_on(report_port) > 0 and stream_stats(r)["rtcp-packets-received"] > 0),
          f"{stream_stats(r)}, reports at the camera: {camera.reports}")
    r.stop()
    check(f"{name}: TEARDOWN on stop", camera.teardowns == 1, f"{camera.methods()}")
    camera.close()


def test_server_port_zero_one():
    camera = ScriptedCamera(server_port="0-1")
    decodes_and_reports("server_port=0-1", camera, camera.rtcp_socket.getsockname()[1])


def test_server_port_omitted():
    camera = ScriptedCamera(server_port="omit")
    decodes_and_reports("no server_port", camera, camera.rtcp_socket.getsockname()[1])


def test_ports_other_than_announced():
    """Announces a pair it does not use; sends RTP and RTCP from its real pair
    (RTCP from RTP+1 of its real RTP port): followed there after PLAY."""
    announced_rtp, announced_rtcp = free_udp_pair()  # held (silent) so nothing else uses them
    camera = ScriptedCamera(server_port=f"{announced_rtp.getsockname()[1]}-{announced_rtcp.getsockname()[1]}")
    decodes_and_reports("RTP and RTCP from a pair other than server_port", camera,
                        camera.rtcp_socket.getsockname()[1])
    announced_rtp.close()
    announced_rtcp.close()


def test_rtcp_from_another_port():
    """The right RTP port announced, but RTCP from a third socket."""
    rtp, announced_rtcp = free_udp_pair()
    other = udp_socket()
    camera = ScriptedCamera(rtp_socket=rtp, rtcp_socket=other,
                            server_port=f"{rtp.getsockname()[1]}-{announced_rtcp.getsockname()[1]}")
    decodes_and_reports("RTCP from a port other than server_port", camera, other.getsockname()[1])
    announced_rtcp.close()


def test_source_other_than_the_connection():
    """Connected at 127.0.0.1, sends from 127.0.0.2 and says so in source=."""
    rtp, rtcp = free_udp_pair("127.0.0.2")
    camera = ScriptedCamera(rtp_socket=rtp, rtcp_socket=rtcp, source="127.0.0.2")
    decodes_and_reports("source= another address of the camera", camera, rtcp.getsockname()[1])
    # The negative control: the same camera without source= is another host's traffic.
    rtp, rtcp = free_udp_pair("127.0.0.2")
    camera = ScriptedCamera(rtp_socket=rtp, rtcp_socket=rtcp)
    r = Receiver(camera.url(), extra="protocols=udp")
    r.play()
    check("without source=, RTP from another address is not the camera's: dropped",
          wait_until(lambda: stream_stats(r)["dropped-not-allowed"] > 20) and r.frames["video"] == 0,
          f"{stream_stats(r)}, {r.frames}")
    r.stop()
    camera.close()


def test_no_sprop_parameter_sets():
    camera = ScriptedCamera(sprop=False)
    r = Receiver(camera.url())
    r.play()
    check("no sprop-parameter-sets in the SDP: decoded from in-band SPS/PPS", r.wait_frames(20), f"{r.frames}")
    r.stop()
    camera.close()


def keep_alives(camera, method, count, timeout=20):
    return wait_until(lambda: len(camera.requests_of(method)) >= count, timeout)


def test_session_timeout():
    """Session: id;timeout=3 with a camera that really ends silent sessions:
    kept alive, the video goes on past several timeouts."""
    camera = ScriptedCamera(session_timeout=3, expire=True)
    r = Receiver(camera.url())
    r.play()
    check("timeout=3: decodes", r.wait_frames(10), f"{r.frames}")
    ok = keep_alives(camera, "GET_PARAMETER", 4)
    times = [t for t, *_ in camera.requests_of("GET_PARAMETER")]
    gaps = [b - a for a, b in zip(times, times[1:])]
    check("keep-alive (GET_PARAMETER, listed in Public) comes within the session's timeout, every time",
          ok and all(g < 3 for g in gaps) and not camera.expired, f"gaps {gaps}, expired {camera.expired}")
    check("... and the video goes on", r.wait_frames(10), f"{r.frames}")
    r.stop()
    camera.close()


def test_keep_alive_methods():
    camera = ScriptedCamera(session_timeout=2, public="OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN")
    r = Receiver(camera.url())
    r.play()
    r.wait_frames(5)
    before = len(camera.requests_of("OPTIONS"))
    check("auto, GET_PARAMETER not in Public: OPTIONS keeps it alive",
          keep_alives(camera, "OPTIONS", before + 2) and not camera.requests_of("GET_PARAMETER"),
          f"{camera.methods()}")
    r.stop()
    camera.close()

    camera = ScriptedCamera(session_timeout=2)
    r = Receiver(camera.url(), extra="keep-alive-method=set-parameter")
    r.play()
    r.wait_frames(5)
    ok = keep_alives(camera, "SET_PARAMETER", 2)
    bodies = [h.get("content-length", "0") for _, _, _, h in camera.requests_of("SET_PARAMETER")]
    check("keep-alive-method=set-parameter: an empty SET_PARAMETER",
          ok and all(b == "0" for b in bodies) and not camera.requests_of("GET_PARAMETER"), f"{camera.methods()}")
    r.stop()
    camera.close()

    camera = ScriptedCamera(session_timeout=2, expire=True, status={"GET_PARAMETER": 501})
    r = Receiver(camera.url())
    r.play()
    r.wait_frames(5)
    options = len(camera.requests_of("OPTIONS"))
    ok = keep_alives(camera, "GET_PARAMETER", 1) and keep_alives(camera, "OPTIONS", options + 2)
    check("a camera answering GET_PARAMETER with 501: OPTIONS from then on, no error, not expired",
          ok and len(camera.requests_of("GET_PARAMETER")) == 1 and not camera.expired
          and r.message(Gst.MessageType.ERROR, timeout=0.1) is None, f"{camera.methods()}")
    check("... and the video goes on", r.wait_frames(10), f"{r.frames}")
    r.stop()
    camera.close()


def test_pause():
    camera = ScriptedCamera()
    r = Receiver(camera.url())
    r.play()
    r.wait_frames(10)
    r.pipeline.set_state(Gst.State.PAUSED)
    check("PLAYING->PAUSED: PAUSE sent, the camera stops", wait_until(lambda: camera.requests_of("PAUSE")),
          f"{camera.methods()}")
    r.pipeline.set_state(Gst.State.PLAYING)
    check("PAUSED->PLAYING: PLAY again, and the video goes on",
          wait_until(lambda: len(camera.requests_of("PLAY")) == 2) and r.wait_frames(10),
          f"{camera.methods()}, {r.frames}")
    r.stop()
    camera.close()

    camera = ScriptedCamera(status={"PAUSE": 501})
    r = Receiver(camera.url())
    r.play()
    r.wait_frames(10)
    r.pipeline.set_state(Gst.State.PAUSED)
    wait_until(lambda: camera.requests_of("PAUSE"))
    r.pipeline.set_state(Gst.State.PLAYING)
    check("a camera refusing PAUSE (501): no error, the video goes on",
          r.wait_frames(10) and r.message(Gst.MessageType.ERROR, timeout=0.1) is None, f"{r.frames}")
    r.stop()
    camera.close()


def test_control_urls():
    for control, base in (("absolute", True), ("path", True), ("relative", False), ("absolute", False),
                          ("path", False)):
        camera = ScriptedCamera(control=control, content_base=base)
        r = Receiver(camera.url())
        r.play()
        what = f"a=control {control}, {'with' if base else 'without'} Content-Base"
        check(f"{what}: SETUP at {camera.setup_url()}, decoded", r.wait_frames(10),
              f"SETUP at {[u for _, _, u, _ in camera.requests_of('SETUP')]}")
        r.stop()
        camera.close()


def test_fallback_with_one_connection_at_a_time():
    """A camera whose UDP never arrives and that serves one connection at a
    time: the UDP session's connection closes once its TEARDOWN is answered,
    and the session goes on over TCP."""
    camera = ScriptedCamera(drop_udp=True)
    r = Receiver(camera.url(), extra="timeout=2000000")
    r.play()
    check("no UDP for timeout (2 s), one connection at a time: decoded over TCP", r.wait_frames(20, timeout=20),
          f"{r.frames}, camera saw {camera.methods()}")
    setups = [h.get("transport", "") for _, _, _, h in camera.requests_of("SETUP")]
    check("... set up over UDP, torn down, then over TCP on the next connection",
          len(setups) == 2 and "client_port=" in setups[0] and "interleaved=" in setups[1]
          and camera.connections == 2 and camera.teardowns >= 1, f"{setups}, {camera.connections} connections")
    r.stop()
    camera.close()


def test_udp_only_camera_slow_to_start():
    """A camera offering UDP only whose first session sends nothing for
    timeout: TCP is refused (461), and the session goes back to UDP for good."""
    camera = ScriptedCamera(tcp=False, drop_udp=1)
    r = Receiver(camera.url(), extra="timeout=1000000")
    r.play()
    check("UDP slow, TCP refused: decoded over UDP again", r.wait_frames(20, timeout=20),
          f"{r.frames}, camera saw {camera.methods()}")
    setups = [h.get("transport", "") for _, _, _, h in camera.requests_of("SETUP")]
    check("... set up over UDP, then TCP (refused), then UDP, and never TCP again",
          len(setups) == 3 and "client_port=" in setups[0] and "interleaved=" in setups[1] and
          "client_port=" in setups[2], f"{setups}")
    check("... told in a warning",
          any("refused TCP" in w for w in r.warnings), f"{r.warnings}")
    r.stop()
    camera.close()


def test_slow_first_packet_gets_longer():
    """A camera that sends nothing in its first two sessions: each
    reconnection that saw no packet waits twice as long before the next
    (a new session only restarts a slow camera), and the third decodes."""
    camera = ScriptedCamera(drop_udp=2)
    r = Receiver(camera.url(), extra="protocols=udp reconnect-silence=1000 reconnect-interval=100")
    r.play()
    check("silent twice, then it sends: decoded", r.wait_frames(20, timeout=30), f"{r.frames}, {camera.methods()}")
    plays = [t for t, method, _, _ in camera.requests if method == "PLAY"]
    teardowns = [t for t, method, _, _ in camera.requests if method == "TEARDOWN"]
    waited = [round(end - start, 2) for start, end in zip(plays, teardowns)]
    check("... the first silent session given 1 s, the second (after a reconnection) at least 2 s",
          len(waited) >= 2 and waited[0] >= 1.0 and waited[1] >= 2.0, f"{waited}")
    r.stop()
    camera.close()


def test_tcp_other_channels():
    camera = ScriptedCamera(channels=(6, 7))
    r = Receiver(camera.url(), extra="protocols=tcp")
    r.play()
    check("over TCP, channels 6-7 answered where 0-1 were asked: decoded", r.wait_frames(20), f"{r.frames}")
    check("... and its reports go back on the connection",
          wait_until(lambda: any(p == "tcp" for p, _ in camera.reports)), f"{camera.reports}")
    r.stop()
    camera.close()


TESTS = (test_server_port_zero_one, test_server_port_omitted, test_ports_other_than_announced,
         test_rtcp_from_another_port, test_udp_only_camera_slow_to_start, test_slow_first_packet_gets_longer, test_source_other_than_the_connection, test_no_sprop_parameter_sets,
         test_session_timeout, test_keep_alive_methods, test_pause, test_control_urls,
         test_fallback_with_one_connection_at_a_time, test_tcp_other_channels)
run_tests(TESTS, check, "camera quirks")
