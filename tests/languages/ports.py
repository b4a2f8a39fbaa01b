#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every stream's ports and statistics read from Python (PyGObject), the way
an application or a pipeline server reads them: the allocation message's
stream-N fields, each src_N pad's properties, the element's stats. Ports
are kernel-chosen (no port-range): no fixed port. Ends "N passed, N failed"."""
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)
passed = failed = 0


def check(what, ok):
    global passed, failed
    print(("ok   - " if ok else "FAIL - ") + what)
    passed += bool(ok)
    failed += not ok


caps = ("application/x-rtp,media=video,clock-rate=90000,encoding-name=H264;"
        "application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMU")
pipeline = Gst.parse_launch(
    f'hostnetrtpsrc name=src caps="{caps}" src.src_0 ! fakesink src.src_1 ! fakesink')
src = pipeline.get_by_name("src")
check("READY binds", pipeline.set_state(Gst.State.READY) == Gst.StateChangeReturn.SUCCESS)

bus = pipeline.get_bus()
message = None
while True:
    m = bus.timed_pop_filtered(10 * Gst.SECOND, Gst.MessageType.ELEMENT)
    if m is None or m.get_structure().get_name() == "hostnetrtp-allocation":
        message = m
        break
check("the allocation message arrives", message is not None)
s = message.get_structure()
n = s.get_value("n-streams")
check("n-streams is 2", n == 2)
ports = []
for i in range(n):
    stream = s.get_value(f"stream-{i}")
    check(f"stream-{i} is a structure Python can read", isinstance(stream, Gst.Structure))
    rtp, rtcp = stream.get_value("rtp-port"), stream.get_value("rtcp-port")
    pad = src.get_static_pad(f"src_{i}")
    check(f"src_{i}.props.rtp_port == {rtp}", pad.props.rtp_port == rtp)
    check(f"src_{i}.props.rtcp_port == {rtcp}", pad.props.rtcp_port == rtcp)
    check(f"src_{i} RTP is even, RTCP the next", rtp % 2 == 0 and rtcp == rtp + 1)
    all_stats = src.props.stats  # keep it: the stream structure lives inside it
    stats = all_stats.get_value(f"stream-{i}")
    check(f"stats stream-{i} names the same port", stats.get_value("rtp-port") == rtp)
    pad_stats = pad.props.stats
    check(f"src_{i}.props.stats names the same port", pad_stats.get_value("rtp-port") == rtp)
    ports.append(rtp)
check("the streams have distinct pairs", len(set(ports)) == 2)
check("rtp-port (stream 0) on the element", src.props.rtp_port == ports[0])
check("media on the pad", src.get_static_pad("src_1").props.media == "audio")
pipeline.set_state(Gst.State.NULL)
check("ports read 0 after NULL", src.get_static_pad("src_0").props.rtp_port == 0)

print(f"{passed} passed, {failed} failed (ports from Python)")
sys.exit(1 if failed else 0)
