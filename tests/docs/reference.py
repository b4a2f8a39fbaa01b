#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The reference (docs/hostnetrtpsrc.md) against the element itself: fails
when a property, a pad property, a message or field, or an error text is
missing from it, or a documented default is not the element's; and the
README's layout table and the docs' relative links against the files.

 - properties and pad properties: from GObject introspection;
 - messages, their fields and the stats fields: every structure the plugin
   builds (gst_structure_new/_set with literal field names in its sources);
 - errors: every error below is produced for real (bad settings, a camera
   that refuses, a port held by another socket, ...), and its text must
   match a row of the Errors table (a `fragment`, … standing for anything).
Ends with "N passed, N failed"."""
import glob
import os
import re
import signal
import socket
import subprocess
import sys
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GObject, Gst  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from testlib import Checks  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
REFERENCE = os.path.join(ROOT, "docs", "hostnetrtpsrc.md")
SOURCES = os.path.join(ROOT, "gst", "hostnetrtp")
CAMERA = os.path.join(ROOT, "examples", "rtsp-camera.py")
# Keys the plugin uses internally, not messages: qdata and stream-id prefixes.
INTERNAL_NAMES = {"hostnetrtp-funnel-pad", "hostnetrtp-rtcp-mux-"}

check = Checks()


def section(text, title):
    """The text of '## title' up to the next '## '."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1) if match else ""


def table_rows(text):
    """Rows of the markdown tables in @text, as lists of cells."""
    return [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in text.splitlines()
            if line.startswith("|") and not re.match(r"^\|[\s|:-]+\|$", line.strip())]


def code_spans(cell):
    return re.findall(r"`([^`]+)`", cell)


def default_text(element, pspec):
    """How the element's default reads in the reference's default column:
    a text to find in it, "" for an empty string (any words, no value), or
    None to accept any (caps, structures)."""
    value = element.get_property(pspec.name)
    if isinstance(value, GObject.GFlags):
        return value  # compared as a set of nicks (flags_match)
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "value_nick"):
        return value.value_nick
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    if value is None and pspec.value_type == GObject.TYPE_STRING:
        return ""
    return None


def flags_match(value, text):
    """The column names @value's flags as nick+nick (e.g. udp+tcp, validate-all)."""
    nicks = {}  # each registered value's own nick (the last it lists) and its bits
    for bits, flag in value.__flags_values__.items():
        nicks[flag.value_nicks[-1]] = bits
    words = text.split()[0].split("+") if text.split() else []
    total = 0
    for word in words:
        if word not in nicks:
            return False
        total |= nicks[word]
    return bool(words) and total == int(value)


def test_properties(reference):
    element = Gst.ElementFactory.make("hostnetrtpsrc")
    own = [p for p in element.list_properties() if p.owner_type == element.__gtype__]
    rows = table_rows(section(reference, "Properties"))
    by_name = {}
    for row in rows:
        for name in code_spans(row[0]):
            by_name[name] = row
    for pspec in own:
        row = by_name.get(pspec.name)
        if row is None or len(row) < 5:
            check(f"property {pspec.name} is in the Properties table", False, "missing")
            continue
        expected = default_text(element, pspec)
        default = row[2].replace("`", "")
        if expected is None:
            ok = True
        elif isinstance(expected, GObject.GFlags):
            ok = flags_match(expected, default)
        elif expected == "":
            ok = not re.search(r"\d", default)
        else:
            ok = re.search(rf"(^|[^\w.-]){re.escape(expected)}($|[^\w.-])", default.replace(",", "")) is not None
        check(f"property {pspec.name}: in the Properties table with its default ({expected!r})",
              ok and row[4] != "", f"the row says {default!r}")
    pad_type = GObject.type_from_name("GstHostnetRtpSrcPad")
    pads = section(reference, "Pads")
    pad = GObject.new(pad_type, direction=Gst.PadDirection.SRC)
    for pspec in pad.list_properties():
        if pspec.owner_type == pad_type:
            check(f"pad property {pspec.name} is in the Pads section", f"`{pspec.name}`" in pads)


def structures_in_sources():
    """(name-or-variable, [field names]) for every structure the plugin builds."""
    found = []
    for path in sorted(glob.glob(os.path.join(SOURCES, "*.cpp"))):
        if os.path.basename(path) == "encodings.cpp":
            continue  # caps, not messages
        text = open(path).read()
        for call in re.finditer(r"gst_structure_(?:new|set)\s*\((.*?)nullptr\)", text, re.S):
            fields = re.findall(r'"([a-z][a-z0-9-]*)",\s*(?:G_TYPE_|GST_TYPE_)', call.group(1))
            found.append((os.path.basename(path), fields))
    names = set()
    for path in glob.glob(os.path.join(SOURCES, "*.cpp")) + glob.glob(os.path.join(SOURCES, "*.h")):
        names |= set(re.findall(r'"(hostnetrtp-[a-z-]*)"', open(path).read()))
    return names - INTERNAL_NAMES, found


def test_messages(reference):
    names, structures = structures_in_sources()
    check("the sources name messages to look for", len(names) >= 6, f"{sorted(names)}")
    for name in sorted(names):
        check(f"message/structure {name} is in the reference", f"`{name}`" in reference)
    documented = set(re.findall(r"`([a-z][a-z0-9-]*)`", reference))
    for where, fields in structures:
        for field in fields:
            check(f"field {field} ({where}) is in the reference", field in documented)


def error_fragments(reference):
    rows = table_rows(section(reference, "Errors"))
    fragments = []
    for row in rows[1:]:
        for span in code_spans(row[0]):
            parts = [re.escape(p) for p in span.split("…")]
            fragments.append((span, re.compile(".*?".join(parts), re.S)))
    return fragments


def first_error(description, state=Gst.State.READY, timeout=10, before_state=None):
    pipeline = Gst.parse_launch(description)
    if before_state:
        before_state(pipeline)
    pipeline.set_state(state)
    message = pipeline.get_bus().timed_pop_filtered(timeout * Gst.SECOND, Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    return message.parse_error()[0].message if message else ""


def free_pair():
    while True:
        s1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s1.bind(("0.0.0.0", 0))
        port = s1.getsockname()[1]
        s1.close()
        port -= port % 2
        try:
            a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            a.bind(("0.0.0.0", port))
            b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            b.bind(("0.0.0.0", port + 1))
            a.close()
            b.close()
            return port
        except OSError:
            continue


def error_cases():
    """(what, the error text) for every error the element can be made to give here."""
    base = free_pair()
    odd, even = base + 1, base
    cases = [(props, first_error(f"hostnetrtpsrc {props} ! fakesink")) for props in [
        "port-range=abc encoding-name=H264",
        "port-range=6000-5000 encoding-name=H264",
        f"port-range={odd} encoding-name=H264",
        f"port-range={odd}-{odd} encoding-name=H264",
        f"port-range={even}-{even} encoding-name=H264",
        "address=not/an/address encoding-name=H264",
        "address=127.0.0.1 loopback-policy=error encoding-name=H264",
        "address=192.0.2.1 encoding-name=H264",
        "encoding-name=WHATEVER",
        "caps=video/x-raw",
        "",
        "advertise-address=nowhere encoding-name=H264",
        "advertise-address=2001:db8::5 encoding-name=H264",
        "advertise-address=127.0.0.1 loopback-policy=error encoding-name=H264",
        "address=239.1.1.1 encoding-name=H264",
        f"address=239.1.1.1 port-range={even} multicast-iface=nosuch0 encoding-name=H264",
        "allowed-senders=10.0.0.0/33 encoding-name=H264",
        "sdp-file=/nonexistent-dir/x.sdp encoding-name=H264",
        "sdp-file=/tmp/{port}.sdp encoding-name=H264",
        "sdp-file=/tmp advertise-address=198.51.100.7 encoding-name=H264",
        "uri=hostnetrtp://?frobnicate=1",
        f"port-range={even}-{even + 1} caps=\"application/x-rtp,media=video,encoding-name=H264,"
        f"clock-rate=90000;application/x-rtp,media=audio,encoding-name=PCMU,clock-rate=8000\"",
        "location=http://camera/x",
    ]]
    # The range held by another socket.
    holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    holder.bind(("0.0.0.0", even))
    cases.append(("a range whose pair another socket holds",
                  first_error(f"hostnetrtpsrc port-range={even}-{even + 1} encoding-name=H264 ! fakesink")))
    holder.close()
    # Ports below 1024 without the capability: only when not root.
    if os.geteuid() != 0:
        cases.append(("port 554", first_error("hostnetrtpsrc port-range=554 encoding-name=H264 ! fakesink")))
    # Two receivers, one SDP path.
    sdp = f"/tmp/reference-{os.getpid()}.sdp"
    first = Gst.parse_launch(f"hostnetrtpsrc encoding-name=H264 sdp-file={sdp} ! fakesink")
    first.set_state(Gst.State.READY)
    cases.append(("a second receiver on one SDP path",
                  first_error(f"hostnetrtpsrc encoding-name=H264 sdp-file={sdp} ! fakesink")))
    first.set_state(Gst.State.NULL)
    # Pull mode: nothing listening, a wrong path, refused credentials, a lost camera.
    closed = free_pair()
    cases.append(("no RTSP server", first_error(
        f"hostnetrtpsrc location=rtsp://127.0.0.1:{closed}/cam tcp-timeout=2000000 ! fakesink",
        Gst.State.PLAYING)))
    for args, path, extra, what in [((), "/nothing-here", "", "a wrong path"),
                                    (("--auth", "basic"), "/cam", "", "no credentials"),
                                    (("--auth", "digest"), "/cam", "user-id=viewer user-pw=wrong",
                                     "wrong credentials")]:
        camera = subprocess.Popen(["/usr/bin/python3", CAMERA, *args], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        port = int(camera.stdout.readline().split("=")[1])
        cases.append((what, first_error(
            f"hostnetrtpsrc location=rtsp://127.0.0.1:{port}{path} {extra} ! fakesink", Gst.State.PLAYING)))
        camera.kill()
        camera.wait()
    camera = subprocess.Popen(["/usr/bin/python3", CAMERA], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    port = int(camera.stdout.readline().split("=")[1])
    pipeline = Gst.parse_launch(f"hostnetrtpsrc name=src location=rtsp://127.0.0.1:{port}/cam "
                                f"reconnect-attempts=0 ! fakesink")
    pipeline.set_state(Gst.State.PLAYING)
    bus = pipeline.get_bus()
    allocation = None
    end = time.monotonic() + 10
    while allocation is None and time.monotonic() < end:
        m = bus.timed_pop_filtered(Gst.SECOND, Gst.MessageType.ELEMENT)
        if m and m.get_structure().get_name() == "hostnetrtp-allocation":
            allocation = m
    # Lost after it played: its media came (the allocation is told before PLAY).
    source = pipeline.get_by_name("src")

    def received():
        stats = source.props.stats  # kept: the field's structure lives inside it
        stream = stats.get_value("stream-0") if stats.has_field("stream-0") else None
        return stream.get_value("packets-received") if stream else 0
    while time.monotonic() < end and received() == 0:
        time.sleep(0.05)
    camera.send_signal(signal.SIGKILL)
    camera.wait()
    m = bus.timed_pop_filtered(20 * Gst.SECOND, Gst.MessageType.ERROR)
    cases.append(("a camera lost with reconnect-attempts=0", m.parse_error()[0].message if m else ""))
    pipeline.set_state(Gst.State.NULL)
    return cases


def test_errors(reference):
    fragments = error_fragments(reference)
    check("the Errors table has rows", len(fragments) > 20, f"{len(fragments)} fragments")
    for what, text in error_cases():
        matched = [span for span, pattern in fragments if pattern.search(text)]
        check(f"error for [{what}] is in the Errors table", bool(text) and bool(matched),
              f"text: {text!r}" if text else "no error was posted")


def test_layout_and_links():
    readme = open(os.path.join(ROOT, "README.md")).read()
    for row in table_rows(section(readme, "Layout"))[1:]:
        for path in code_spans(row[0]):
            for one in re.split(r",\s*", path):
                check(f"README layout: {one} exists", os.path.exists(os.path.join(ROOT, one)))
    documents = ["README.md"] + [os.path.relpath(p, ROOT) for p in
                                 glob.glob(os.path.join(ROOT, "docs", "*.md")) +
                                 glob.glob(os.path.join(ROOT, "examples", "**", "*.md"), recursive=True)]
    for doc in sorted(documents):
        text = open(os.path.join(ROOT, doc)).read()
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"^[a-z]+://", target):
                continue
            path = os.path.normpath(os.path.join(ROOT, os.path.dirname(doc), target))
            check(f"{doc}: link {target} exists", os.path.exists(path))


def main():
    Gst.init(None)
    if not Gst.ElementFactory.find("hostnetrtpsrc"):
        print("hostnetrtpsrc is not found: set GST_PLUGIN_PATH")
        return 1
    reference = open(REFERENCE).read()
    test_properties(reference)
    test_messages(reference)
    test_errors(reference)
    test_layout_and_links()
    return check.summary("reference docs")


if __name__ == "__main__":
    sys.exit(main())
