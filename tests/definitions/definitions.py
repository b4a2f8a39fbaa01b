#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every shipped pipeline definition, run by the pipeline-server stand-in
(examples/smart-city/run-pipeline.py) with the shipped request bodies, as
two replicas at once:

 - against simulated RTSP cameras (examples/rtsp-camera.py, one each), the
   camera's URI in the request as the servers hand it over;
 - against simulated push cameras: each replica announces its pair (the
   allocation line, its SDP file) and a camera of its own sends there.

Asserts for every run: each replica decoded frames of its own camera (its
SSRC), the replicas hold distinct even/odd pairs inside the range and not on
loopback, an RTSP camera was told that pair in SETUP, a push replica's SDP
names it, and SIGTERM stops each replica cleanly (exit 0, SDP removed).
Ends with "N passed, N failed"."""
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from testlib import Checks, Process, free_range  # noqa: E402

ROOT = os.path.join(HERE, "..", "..")
SMART_CITY = os.path.join(ROOT, "examples", "smart-city")
RUNNER = os.path.join(SMART_CITY, "run-pipeline.py")
CAMERA = os.path.join(ROOT, "examples", "rtsp-camera.py")
VA_SERVING = os.path.join(SMART_CITY, "analytics", "object", "Xeon", "gst", "pipeline", "1", "pipeline.json")
DL_STREAMER = os.path.join(SMART_CITY, "dlstreamer-pipeline-server", "pipelines", "object_detection",
                           "hostnetrtp", "pipeline.json")
REQUESTS = os.path.join(SMART_CITY, "requests")

check = Checks()


def fields(line):
    return dict(item.split("=", 1) for item in line.split()[1:] if "=" in item)


def rtsp_camera(ssrc):
    camera = Process(["/usr/bin/python3", CAMERA, "--ssrc", hex(ssrc)])
    line = camera.wait_for(r"^ready port=")
    return camera, int(line.split("=")[1])


def push_camera(port, ssrc):
    """An H264 camera sending to this host's loopback: never to the address
    the replica advertises (the machine's own interface)."""
    return Process(["gst-launch-1.0", "-q", "videotestsrc", "is-live=true", "!",
                    "video/x-raw,width=320,height=240,framerate=25/1", "!", "x264enc",
                    "tune=zerolatency", "speed-preset=ultrafast", "key-int-max=25", "!",
                    "rtph264pay", "config-interval=1", "pt=96", f"ssrc={ssrc}", "!",
                    "udpsink", "host=127.0.0.1", f"port={port}"])


def request_for(template, work, index, camera_uri=None, port_range=None, sdp_dir=None):
    """The shipped request, as a server would get it for replica @index."""
    with open(os.path.join(REQUESTS, template)) as f:
        request = json.load(f)
    source = request["source"]
    if camera_uri and source["type"] == "uri":
        source["uri"] = camera_uri
    if camera_uri and source["type"] == "gst":
        source["properties"]["location"] = camera_uri
    if sdp_dir and "uri" in source:
        source["uri"] = source["uri"].replace("/run/hostnetrtp", sdp_dir)
    parameters = request.setdefault("parameters", {})
    if port_range and template.startswith("va-serving"):
        parameters["port-range"] = port_range  # DL Streamer's comes from its {env[...]} default
    if "recording_prefix" in parameters:
        parameters["recording_prefix"] = os.path.join(work, f"recording-{index}")
    path = os.path.join(work, f"request-{index}.json")
    with open(path, "w") as f:
        json.dump(request, f)
    return path


def replica(definition, request, port_range, work, index):
    env = dict(os.environ)
    env["HOSTNETRTP_PORT_RANGE"] = port_range  # the DL Streamer definition's default
    env["POD_NAME"] = f"analytics-{index}"
    return Process(["/usr/bin/python3", RUNNER, definition, request, "--interval", "0.5",
                    "--model-dir", os.path.join(work, "models")], env=env)


def run(title, definition, request_template, mode):
    """Two replicas of one definition; @mode is "rtsp" or "push"."""
    print(f"# {title}", flush=True)
    work = tempfile.mkdtemp(prefix="definitions-")
    base, port_range = free_range(4)
    sdp_dir = os.path.join(work, "sdp")
    os.makedirs(sdp_dir)
    cameras, replicas, ssrcs, camera_ports = [], [], [], []
    try:
        for i in range(2):
            ssrc = 0xca000001 + i if mode == "rtsp" else 0xcb000001 + i
            ssrcs.append(ssrc)
            uri = None
            if mode == "rtsp":
                camera, port = rtsp_camera(ssrc)
                cameras.append(camera)
                uri = f"rtsp://127.0.0.1:{port}/cam"
            request = request_for(request_template, work, i, uri, port_range, sdp_dir)
            replicas.append(replica(definition, request, port_range, work, i))
        pairs = []
        for i, r in enumerate(replicas):
            line = r.wait_for(r"^(allocation|error) ")
            check(f"replica {i}: bound a pair", line is not None and line.startswith("allocation"),
                  line or "\n".join(r.log[-5:]))
            if not line or not line.startswith("allocation"):
                return
            f = fields(line)
            rtp, rtcp = (int(p) for p in f["ports"].split(",")[0].split("/"))
            pairs.append((rtp, rtcp))
            check(f"replica {i}: even/odd pair {rtp}/{rtcp} inside {port_range}, not on loopback",
                  rtp % 2 == 0 and rtcp == rtp + 1 and base <= rtp and rtcp < base + 8
                  and not f["address"].startswith("127."), line)
            if mode == "push":
                cameras.append(push_camera(rtp, ssrcs[i]))
        check("the replicas hold distinct pairs", len(set(pairs)) == len(pairs), f"{pairs}")
        if mode == "rtsp":
            for i, camera in enumerate(cameras):
                setup = camera.wait_for(r"^setup transport=", 5) or next(
                    (l for l in camera.log if l.startswith("setup transport=")), None)
                told = re.search(r"client_port=(\d+)-(\d+)", setup or "")
                check(f"camera {i} was told replica {i}'s pair in SETUP",
                      told is not None and (int(told.group(1)), int(told.group(2))) == pairs[i], setup)
        else:
            sdps = sorted(os.listdir(sdp_dir))
            texts = [open(os.path.join(sdp_dir, name)).read() for name in sdps]
            check("each push replica wrote an SDP naming its pair",
                  len(sdps) == 2 and all(any(f"m=video {rtp} " in t for t in texts) for rtp, _ in pairs),
                  f"{sdps}")
        for i, r in enumerate(replicas):
            line = None
            end = time.monotonic() + 20
            while time.monotonic() < end:
                line = r.wait_for(r"^status ", 5)
                if line and int(fields(line).get("frames", 0)) >= 25:
                    break
            f = fields(line) if line else {}
            check(f"replica {i}: decoded its own camera's frames (SSRC {ssrcs[i]:#010x})",
                  int(f.get("frames", 0)) >= 25 and f.get("ssrc") == f"{ssrcs[i]:#010x}"
                  and f.get("lost") == "0", line or "\n".join(r.log[-8:]))
        for i, r in enumerate(replicas):
            code = r.stop()
            check(f"replica {i}: SIGTERM stops it cleanly",
                  code == 0 and any(l.startswith("stopped state=ABORTED") for l in r.log),
                  f"exit {code}: " + "\n".join(r.log[-3:]))
        if mode == "push":
            check("the SDP files are gone with their replicas", os.listdir(sdp_dir) == [],
                  f"{os.listdir(sdp_dir)}")
    finally:
        for p in replicas + cameras:
            p.stop(signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)


def test_swaps_are_said():
    """The stand-ins are announced, never silent."""
    work = tempfile.mkdtemp(prefix="definitions-")
    try:
        request = request_for("va-serving-push.json", work, 0, sdp_dir=work)
        r = replica(VA_SERVING, request, free_range(2)[1], work, 0)
        swap = r.wait_for(r"^swap gvadetect -> identity name=detection")
        check("the runner says which Intel element it swapped and for what", swap is not None,
              "\n".join(r.log[:6]))
        r.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_bad_parameter():
    work = tempfile.mkdtemp(prefix="definitions-")
    try:
        with open(os.path.join(REQUESTS, "va-serving-rtsp.json")) as f:
            request = json.load(f)
        request["parameters"]["latency"] = "soon"
        path = os.path.join(work, "bad.json")
        with open(path, "w") as f:
            json.dump(request, f)
        r = replica(VA_SERVING, path, "20000-20009", work, 0)
        code = r.proc.wait(timeout=20)
        r.wait_for(r"never", 1)
        text = "\n".join(r.log)
        check("a parameter of the wrong type is refused by the schema, naming it",
              code != 0 and "parameter latency='soon' is not of type integer" in text, text)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if not shutil.which("gst-launch-1.0"):
        print("SKIP: gst-launch-1.0 is missing")
        sys.exit(77)
    only = sys.argv[1:]
    runs = [
        ("VA Serving v0.4 definition, RTSP cameras (source uri on uri and location)",
         VA_SERVING, "va-serving-rtsp.json", "rtsp"),
        ("VA Serving v0.4 definition, push cameras (source uri hostnetrtp://)",
         VA_SERVING, "va-serving-push.json", "push"),
        ("DL Streamer definition, RTSP cameras (gst source hostnetrtpsrc)",
         DL_STREAMER, "dlstreamer-gst.json", "rtsp"),
        ("DL Streamer definition, push cameras (uri source hostnetrtp:// through urisourcebin)",
         DL_STREAMER, "dlstreamer-uri.json", "push"),
    ]
    for i, (title, definition, request, mode) in enumerate(runs):
        if not only or str(i) in only:
            run(title, definition, request, mode)
    if not only:
        test_swaps_are_said()
        test_bad_parameter()
    sys.exit(check.summary("pipeline definitions"))
