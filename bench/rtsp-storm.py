#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""RTSP storm: N receivers started at the same instant against one camera
(examples/rtsp-camera.py, gst-rtsp-server) with one port-range, once with
hostnetrtpsrc location=... and once with rtspsrc port-range=..., side by
side, over UDP and over TCP (RTP interleaved on the RTSP connection): how
many decode, how many fail (and why), and the time from the start to each
receiver's first decoded frame (median, 90th percentile, worst).

  bench/rtsp-storm.py [--receivers 30] [--pairs 100] [--rounds 1]

With --cpu SECONDS instead: the CPU one hostnetrtpsrc spends per packet
pulled over UDP and over TCP, from a camera sending ~3000 small packets a
second (rtsp-camera.py --media packets), median of three runs each.

Needs GST_PLUGIN_PATH to hold the plugin (build/gst/hostnetrtp)."""
import argparse
import os
import random
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAMERA = os.path.join(HERE, "..", "examples", "rtsp-camera.py")

RECEIVER = r'''
import sys, time, gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst, GLib
Gst.init(None)
text = sys.argv[1]
pipeline = Gst.parse_launch(text + " ! rtph264depay ! h264parse ! avdec_h264 ! fakesink name=out sync=false")
loop = GLib.MainLoop()
def first(pad, info):
    print("frame %.1f" % ((time.monotonic() - start) * 1000), flush=True)
    GLib.idle_add(loop.quit)
    return Gst.PadProbeReturn.REMOVE
pipeline.get_by_name("out").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, first)
def on_message(bus, message):
    if message.type == Gst.MessageType.ERROR:
        print("error " + message.parse_error()[0].message.replace("\n", " "), flush=True)
        loop.quit()
    return True
pipeline.get_bus().add_watch(GLib.PRIORITY_DEFAULT, on_message)
print("ready", flush=True)
sys.stdin.readline()  # "go": the storm starts
start = time.monotonic()
pipeline.set_state(Gst.State.PLAYING)
GLib.timeout_add_seconds(30, lambda: (print("error no frame in 30 s", flush=True), loop.quit()))
loop.run()
# Hold the ports until every receiver is done: the storm is all at once.
sys.stdin.readline()
pipeline.set_state(Gst.State.NULL)
'''


def storm(element, receivers):
    procs = [subprocess.Popen(["/usr/bin/python3", "-c", RECEIVER, element],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
             for _ in range(receivers)]
    for p in procs:  # every receiver is loaded and waits for "go"
        line = p.stdout.readline().strip()
        if line != "ready":
            sys.exit(f"a receiver did not start: {line!r}")
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [p.stdout.readline().strip() for p in procs]
    for p in procs:  # ports held until every receiver is done
        p.stdin.write("done\n")
        p.stdin.flush()
    for p in procs:
        p.wait(timeout=30)
    times = sorted(float(r.split()[1]) for r in results if r.startswith("frame "))
    errors = {}
    for r in results:
        if not r.startswith("frame "):
            errors[r] = errors.get(r, 0) + 1
    return times, errors


CPU_RECEIVER = r'''
import os, sys, time, gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst
Gst.init(None)
pipeline = Gst.parse_launch(sys.argv[1] + " name=src ! fakesink sync=false")
src = pipeline.get_by_name("src")
counted = src.find_property("stats") is not None  # rtspsrc counts nothing we can read
def packets():
    stats = src.props.stats
    return stats.get_value("stream-0").get_value("packets-received") if stats.has_field("stream-0") else 0
pipeline.set_state(Gst.State.PLAYING)
if counted:
    deadline = time.monotonic() + 20
    while packets() < 1000 and time.monotonic() < deadline:  # streaming, past the start
        time.sleep(0.1)
else:
    pipeline.get_state(20 * Gst.SECOND)
    time.sleep(2)
before, cpu = packets() if counted else 0, os.times()
time.sleep(float(sys.argv[2]))
after, cpu_after = packets() if counted else -1, os.times()
pipeline.set_state(Gst.State.NULL)
used = (cpu_after.user + cpu_after.system) - (cpu.user + cpu.system)
print(f"{after - before} {used}", flush=True)
'''


def cpu_per_packet(location, seconds):
    """Median of three runs each. rtspsrc's packets are not countable from
    outside: its rows divide by the rate hostnetrtpsrc counted from the same
    camera over the same transport (the camera sends at a fixed rate)."""
    print(f"# CPU of one receiver per packet pulled from {location} (rtsp-camera.py --media "
          f"packets), {seconds:.0f} s per run, median of 3 runs")
    print(f"{'receiver':<18} {'packets/s':>10} {'CPU s':>7} {'us/packet':>10}")
    rate = {}
    for element, transport in (("hostnetrtpsrc", "udp"), ("rtspsrc", "udp"),
                               ("hostnetrtpsrc", "tcp"), ("rtspsrc", "tcp")):
        runs = []
        for _ in range(3):
            out = subprocess.run(["/usr/bin/python3", "-c", CPU_RECEIVER,
                                  f"{element} location={location} protocols={transport} latency=50",
                                  str(seconds)], capture_output=True, text=True, timeout=seconds + 60)
            fields = out.stdout.split()
            runs.append((int(fields[0]), float(fields[1])) if len(fields) >= 2 else (0, 0.0))
        runs.sort(key=lambda r: r[1])
        packets, cpu = runs[1]
        if packets < 0:
            packets = rate.get(transport, 0) * seconds
        else:
            rate[transport] = packets / seconds
        print(f"{element + ' ' + transport:<18} {packets / seconds:>10.0f} {cpu:>7.2f} "
              f"{cpu / max(packets, 1) * 1e6:>10.1f}")


def row(name, receivers, times, errors):
    def pct(p):
        return times[min(len(times) - 1, int(p * len(times)))] if times else float("nan")
    print(f"{name:<18} {receivers:>9} {len(times):>7} {receivers - len(times):>6}"
          f" {statistics.median(times) if times else float('nan'):>10.0f} {pct(0.9):>8.0f} "
          f"{max(times) if times else float('nan'):>8.0f}")
    for error, count in errors.items():
        print(f"{'':<18} {count} x {error[:110]}")


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--receivers", type=int, default=30)
    args.add_argument("--pairs", type=int, default=100)
    args.add_argument("--rounds", type=int, default=1)
    args.add_argument("--cpu", type=float, default=0, metavar="SECONDS")
    a = args.parse_args()
    media = ["--media", "packets"] if a.cpu else []
    camera = subprocess.Popen(["/usr/bin/python3", CAMERA, "--protocols", "udp,tcp", *media], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port = int(camera.stdout.readline().split("=")[1])
    location = f"rtsp://127.0.0.1:{port}/cam"
    if a.cpu:
        cpu_per_packet(location, a.cpu)
        camera.kill()
        return 0
    print(f"# {a.receivers} receivers at once, one camera ({location}), "
          f"a range of {a.pairs} pairs, {a.rounds} round(s); times in ms from the start")
    print(f"{'element':<18} {'receivers':>9} {'decoded':>7} {'failed':>6} {'median':>10} {'p90':>8} {'worst':>8}")
    for round_ in range(a.rounds):
        base = 2 * random.randrange(10000, 15000)
        port_range = f"{base}-{base + 2 * a.pairs - 1}"
        for name, element in (("hostnetrtpsrc", f"hostnetrtpsrc location={location} port-range={port_range}"),
                              ("rtspsrc", f"rtspsrc location={location} port-range={port_range} protocols=udp"),
                              ("hostnetrtpsrc tcp", f"hostnetrtpsrc location={location} protocols=tcp"),
                              ("rtspsrc tcp", f"rtspsrc location={location} protocols=tcp")):
            times, errors = storm(element, a.receivers)
            row(name, a.receivers, times, errors)
    camera.kill()


if __name__ == "__main__":
    sys.exit(main())
