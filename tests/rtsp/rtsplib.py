# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the RTSP tests share: the receiver under test (hostnetrtpsrc
location=... decoding H264 in this process, its messages kept), the UDP
ports this process holds (read from the kernel), the gst-rtsp-server
camera as a process, and a self-signed certificate."""
import os
import queue
import re
import signal
import subprocess
import sys
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import Process, free_range  # noqa: E402
HERE = os.path.dirname(os.path.abspath(__file__))


class Receiver:
    """hostnetrtpsrc location=... decoding video (and counting audio)."""

    def __init__(self, location, extra="", audio=False, pairs=8):
        self.base, self.range = free_range(pairs)
        tail = " src.src_1 ! fakesink name=audio" if audio else ""
        self.pipeline = Gst.parse_launch(
            f"hostnetrtpsrc name=src location={location} port-range={self.range} latency=100 {extra} "
            f"src.src_0 ! rtph264depay ! h264parse ! avdec_h264 ! fakesink name=video{tail}")
        self.src = self.pipeline.get_by_name("src")
        self.frames = {"video": 0, "audio": 0}
        self.messages = queue.Queue()
        self.warnings = []  # every warning's text, whoever reads the queue
        for name in ("video", "audio") if audio else ("video",):
            pad = self.pipeline.get_by_name(name).get_static_pad("sink")
            pad.add_probe(Gst.PadProbeType.BUFFER, self._count, name)
        bus = self.pipeline.get_bus()
        bus.set_sync_handler(self._on_message)

    def _count(self, _pad, _info, name):
        self.frames[name] += 1
        return Gst.PadProbeReturn.OK

    def _on_message(self, _bus, message):
        if message.type == Gst.MessageType.WARNING:
            self.warnings.append(message.parse_warning()[0].message)
        self.messages.put(message)
        return Gst.BusSyncReply.DROP

    def message(self, kinds, name=None, timeout=10):
        """The next message of @kinds (and structure @name); others are kept out."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                m = self.messages.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if m.type & kinds and (name is None or (m.get_structure() and m.get_structure().get_name() == name)):
                return m
        return None

    def error_text(self, timeout=10):
        m = self.message(Gst.MessageType.ERROR, timeout=timeout)
        return m.parse_error()[0].message if m else ""

    def wait_frames(self, count, timeout=15, name="video"):
        end = time.monotonic() + timeout
        start = self.frames[name]
        while time.monotonic() < end and self.frames[name] - start < count:
            time.sleep(0.05)
        return self.frames[name] - start >= count

    def play(self):
        return self.pipeline.set_state(Gst.State.PLAYING)

    def stop(self):
        self.pipeline.set_state(Gst.State.NULL)


def wait_until(condition, timeout=15):
    """Polls @condition every 50 ms until it holds (True) or @timeout passes (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def udp_ports_held():
    """The local ports of the UDP sockets this process holds (the kernel's view)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = []
    for table in ("/proc/self/net/udp", "/proc/self/net/udp6"):
        for line in open(table).read().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.append(int(fields[1].split(":")[1], 16))
    return ports


def transport_message(r, timeout=15):
    m = r.message(Gst.MessageType.ELEMENT, "hostnetrtp-rtsp-transport", timeout)
    return m.get_structure() if m else None


class Camera(Process):
    """rtsp-camera.py as a process (testlib.Process: its output lines in a
    queue and a log), answering the commands it reads on stdin."""

    def __init__(self, *args, port=0):
        super().__init__(["/usr/bin/python3", os.path.join(HERE, "..", "..", "examples", "rtsp-camera.py"),
                          "--port", str(port), *args])
        line = self.wait_for("^ready port=", 20)
        if not line:
            raise RuntimeError("the camera did not start: " + "\n".join(self.log))
        self.port = int(line.split("=")[1])

    def ask(self, command):
        """What the camera answers to a command (rtsp-camera.py), without the command's name."""
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self.wait_for("^" + re.escape(command) + " ", 5)
        return line.split(" ", 1)[1] if line else ""

    def sessions(self):
        answer = self.ask("sessions")
        return int(answer) if answer else -1

    def url(self, user=None, password=None):
        auth = f"{user}:{password}@" if user else ""
        return f"rtsp://{auth}127.0.0.1:{self.port}/cam"

    def stop(self):
        """Killed: no TEARDOWN, no goodbye (the tests that restart it rely on that)."""
        super().stop(signal.SIGKILL)


def certificate(work, name, subject_alt):
    """A self-signed certificate (and its key) for @subject_alt, made here."""
    key, cert = os.path.join(work, name + ".key"), os.path.join(work, name + ".crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=hostnetrtp test camera", "-addext",
                    f"subjectAltName={subject_alt}"], check=True, capture_output=True)
    both = os.path.join(work, name + ".pem")
    with open(both, "w") as f:
        f.write(open(cert).read() + open(key).read())
    return cert, both


def tls_camera(work, name, subject_alt):
    """A camera speaking rtsps:// only (RTSP over TLS, streams interleaved)
    with a self-signed certificate for @subject_alt made in @work; returns
    the certificate (to trust) and the camera."""
    cert, pem = certificate(work, name, subject_alt)
    return cert, Camera("--tls-certificate", pem, "--protocols", "tcp")
