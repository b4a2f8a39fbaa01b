#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A stand-in for the pipeline server: runs one pipeline definition the way
Video Analytics Serving v0.4 (the Smart City sample's) or DL Streamer
Pipeline Server would, so a definition can be tried without either.

  run-pipeline.py PIPELINE.json REQUEST.json [--status-file F] [--interval S]

What it does, in the servers' order (their contract, nothing more):
 1. The request's "parameters" are checked against the definition's
    "parameters" schema (type, minimum, maximum, enum) and completed with
    its defaults; a default may hold {env[VAR]} (DL Streamer), and a
    parameter whose variable is unset is left out.
 2. The template is formatted like the servers do: {models[name][version]
    [network|proc]} become model paths (under --model-dir), and
    {auto_source} (DL Streamer) becomes "<element> name=source", the
    element being the request's "gst" source element, else urisourcebin.
 3. The Intel analytics elements, when they are not installed, are swapped
    for stock elements by the table SWAPS below (their own properties
    dropped, their name kept) and each swap is printed.
 4. Gst.parse_launch, then the properties: every parameter with an
    "element" (a name, or {"name", "property", "format"}; format
    "element-properties" sets each key of an object, "json" a JSON string);
    then the source: a "uri" source sets the URI on "uri" and "location" of
    the element named "source", whichever exist (VA Serving v0.4-v0.6 and
    DL Streamer alike); a "gst" source's "properties" are set on it.
 5. PLAYING. appsink "appsink" (or "sink") frames are counted like the
    servers' avg_fps; splitmuxsink "splitmuxsink" records under the
    "recording_prefix" parameter like VA Serving does.

Prints one line per event:
  swap gvadetect -> identity name=detection (stand-in: ...)
  parameter latency=100 -> source.latency
  allocation element=source address=0.0.0.0 advertise=192.0.2.2 ports=32546/32547
  status state=RUNNING frames=250 avg_fps=24.9 fps=25.0 ssrc=0xca000001 packets=1200 lost=0 sender=127.0.0.1:5004
  error text="..."
  stopped state=COMPLETED|ABORTED|ERROR
SIGTERM or SIGINT stops the pipeline: EOS first (a recording's last
fragment is finished), then NULL (ports released, SDP removed).
--status-file gets the last status as JSON (for a readiness probe)."""
import argparse
import json
import os
import re
import signal
import string
import sys
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, GObject, Gst  # noqa: E402

# The Intel analytics elements and what stands in for them when they are
# not installed: same place in the pipeline, same name, none of their
# properties. identity passes every frame on, so downstream counts stay true.
SWAPS = {
    "gvadetect": "identity",
    "gvaclassify": "identity",
    "gvainference": "identity",
    "gvatrack": "identity",
    "gvametaconvert": "identity",
    "gvametapublish": "identity",
    "gvawatermark": "identity",
    "gvafpscounter": "identity",
}


def say(line):
    try:
        print(line, flush=True)
    except (BrokenPipeError, OSError):
        pass  # whoever read our output went away: the pipeline carries on


class Models:
    """{models[name][version][network|proc]} as the servers resolve them."""

    def __init__(self, root, path=()):
        self.root, self.path = root, path

    def __getitem__(self, key):
        return Models(self.root, self.path + (str(key),))

    def __format__(self, spec):
        *where, kind = self.path if self.path else ("", "network")
        name = where[0] if where else "model"
        suffix = {"network": ".xml", "proc": ".json"}.get(kind, "")
        return os.path.join(self.root, *where, "FP32", name + suffix)


def expand_env(value):
    """{env[VAR]} in a default (DL Streamer); None if a variable is unset.
    Other braces are left as they are."""
    if not isinstance(value, str) or "{env[" not in value:
        return value
    missing = []

    def variable(match):
        if match.group(1) not in os.environ:
            missing.append(match.group(1))
            return ""
        return os.environ[match.group(1)]
    expanded = re.sub(r"\{env\[([A-Za-z_][A-Za-z0-9_]*)\]\}", variable, value)
    return None if missing else expanded


def check_value(name, schema, value):
    kinds = {"integer": int, "number": (int, float), "string": str, "boolean": bool,
             "object": dict, "array": list}
    kind = schema.get("type")
    if kind in kinds and (not isinstance(value, kinds[kind]) or
                          (kind in ("integer", "number") and isinstance(value, bool))):
        return f"parameter {name}={value!r} is not of type {kind}"
    if "minimum" in schema and value < schema["minimum"]:
        return f"parameter {name}={value!r} is below its minimum {schema['minimum']}"
    if "maximum" in schema and value > schema["maximum"]:
        return f"parameter {name}={value!r} is above its maximum {schema['maximum']}"
    if "enum" in schema and value not in schema["enum"]:
        return f"parameter {name}={value!r} is not one of {schema['enum']}"
    return None


def parameters_of(definition, request):
    """The request's parameters, checked and completed with the defaults."""
    schema = definition.get("parameters", {}).get("properties", {})
    given = dict(request.get("parameters", {}))
    for name in given:
        if name not in schema:
            sys.exit(f"error: parameter {name} is not in the definition's schema")
    for name, spec in schema.items():
        if name not in given and "default" in spec:
            value = expand_env(spec["default"])
            if value is None:
                say(f"parameter {name}: its default {spec['default']} names an unset variable: left out")
                continue
            given[name] = value
    for name, value in given.items():
        problem = check_value(name, schema[name], value)
        if problem:
            sys.exit("error: " + problem)
    return given, schema


def swap_missing_elements(launch):
    """Each '!'-separated piece whose element is a missing Intel one becomes
    its stand-in, keeping only its name."""
    pieces = launch.split("!")
    for i, piece in enumerate(pieces):
        words = piece.split()
        if not words or words[0] not in SWAPS or Gst.ElementFactory.find(words[0]):
            continue
        name = re.search(r'\bname=("?)([^"\s]+)\1', piece)
        stand_in = SWAPS[words[0]] + (f" name={name.group(2)}" if name else "")
        # A branch point ("t.") may end the piece: keep it.
        branch = words[-1] if words[-1].endswith(".") and "=" not in words[-1] else ""
        pieces[i] = f" {stand_in} {branch} "
        say(f"swap {words[0]} -> {stand_in} (stand-in: the Intel analytics elements are not "
            f"installed; its properties are dropped)")
    return "!".join(pieces)


# Bins that create their source themselves: a property they lack is kept
# and set on the source they create ("source-setup"), as DL Streamer does.
SOURCE_SETUP_BINS = ("urisourcebin", "uridecodebin", "uridecodebin3", "playbin", "playbin3")
deferred = []


def set_property(element, name, value, fmt, where):
    if element.find_property(name) is None:
        if element.get_factory().get_name() in SOURCE_SETUP_BINS:
            deferred.append((name, value, fmt, where))
            say(f"parameter {where}: kept for the source that {element.get_name()} "
                f"({element.get_factory().get_name()}) creates")
            return
        say(f"parameter {where}: {element.get_name()} ({element.get_factory().get_name()}) "
            f"has no property {name}: not set")
        return
    if fmt == "json":
        value = json.dumps(value)
    pspec = element.find_property(name)
    if isinstance(value, str) and pspec.value_type != GObject.TYPE_STRING:
        # "true", enum nicks, caps: as gst-launch reads them; a value that
        # does not read is the request's error, as the server answers it.
        parsed = GObject.Value()
        parsed.init(pspec.value_type)
        if not Gst.value_deserialize_with_pspec(parsed, value, pspec):
            sys.exit(f"error: parameter {where}: {value!r} is not a valid value of "
                     f"{element.get_factory().get_name()}.{name} ({GObject.type_name(pspec.value_type)})")
        element.set_property(name, parsed.get_value())
    else:
        element.set_property(name, value)
    shown = "..." if name in ("user-pw", "password") else value
    say(f"parameter {where}={shown} -> {element.get_name()}.{name}")


def apply_parameters(pipeline, parameters, schema):
    for key, value in parameters.items():
        targets = schema[key].get("element")
        if targets is None:
            continue
        for target in targets if isinstance(targets, list) else [targets]:
            name, prop, fmt = ((target, key, None) if isinstance(target, str) else
                               (target["name"], target.get("property", key), target.get("format")))
            element = pipeline.get_by_name(name)
            if element is None:
                say(f"parameter {key}: no element named {name}: not set")
                continue
            if fmt == "element-properties":
                for sub, sub_value in value.items():
                    set_property(element, sub, sub_value, None, f"{key}.{sub}")
            else:
                set_property(element, prop, value, fmt, key)


def apply_source(pipeline, source):
    element = pipeline.get_by_name("source")
    if element is None:
        sys.exit("error: the template has no element named source")
    if element.get_factory().get_name() in SOURCE_SETUP_BINS:
        def on_source_setup(_bin, created):
            for name, value, fmt, where in deferred:
                set_property(created, name, value, fmt, where)
        element.connect("source-setup", on_source_setup)
    if source.get("type") == "uri":
        took = [p for p in ("uri", "location") if element.find_property(p) is not None]
        if not took:
            sys.exit(f"error: source {element.get_factory().get_name()} has neither uri nor location")
        if not isinstance(source.get("uri"), str) or not source["uri"]:
            sys.exit('error: a source of type "uri" needs "uri": the camera\'s URL')
        for prop in took:
            element.set_property(prop, source["uri"])
        say(f"source uri -> source.{' and source.'.join(took)}")
    for prop, value in source.get("properties", {}).items():
        set_property(element, prop, value, None, f"source.{prop}")


def hostnetrtp_sources(pipeline):
    found = []
    it = pipeline.iterate_recurse()
    while True:
        ok, element = it.next()
        if ok != Gst.IteratorResult.OK:
            break
        factory = element.get_factory()
        if factory and factory.get_name() == "hostnetrtpsrc":
            found.append(element)
    return found


class Runner:
    def __init__(self, args, definition, request):
        self.args = args
        parameters, schema = parameters_of(definition, request)
        self.parameters = parameters
        source = request.get("source", {})
        template = definition["template"]
        if isinstance(template, list):  # DL Streamer: the pieces of one string
            template = "".join(template)
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        values = {"models": Models(args.model_dir)}
        if "auto_source" in fields:
            element = source.get("element", "urisourcebin") if source.get("type") == "gst" else "urisourcebin"
            values["auto_source"] = f"{element} name=source"
        launch = swap_missing_elements(string.Formatter().vformat(template, [], values))
        say(f"launch {launch.strip()}")
        self.pipeline = Gst.parse_launch(launch)
        apply_parameters(self.pipeline, parameters, schema)
        apply_source(self.pipeline, source)
        self.frames = 0
        self.start = None
        self.last_status = (0, time.monotonic())  # frames and time at the last status: fps
        self.state = "QUEUED"
        self.aborting = None  # the state to end in, once the EOS sent on a signal is through
        self.loop = GLib.MainLoop()
        sink = self.pipeline.get_by_name("appsink") or self.pipeline.get_by_name("sink")
        if sink is not None:
            if sink.find_property("emit-signals") is not None:
                sink.set_property("emit-signals", True)
                sink.set_property("sync", False)
                sink.connect("new-sample", self.on_sample)
            else:
                sink.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, self.on_buffer)
        # The SSRCs the source delivers, whatever the source: who was received.
        self.ssrcs = set()
        source = self.pipeline.get_by_name("source")
        if source.get_factory().get_name() in SOURCE_SETUP_BINS:
            source.connect("source-setup", lambda _bin, created: self.watch_ssrcs(created))
        self.watch_ssrcs(source)
        recorder = self.pipeline.get_by_name("splitmuxsink")
        if recorder is not None:
            recorder.connect("format-location-full", self.recording_location)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self.on_message)

    def watch_ssrcs(self, element):
        def on_pad(_element, pad):
            if pad.get_direction() == Gst.PadDirection.SRC:
                pad.add_probe(Gst.PadProbeType.BUFFER, self.on_rtp)
        element.connect("pad-added", on_pad)
        for pad in element.srcpads:
            on_pad(element, pad)

    def on_rtp(self, pad, info):
        caps = pad.get_current_caps()
        if caps and caps.get_structure(0).get_name() == "application/x-rtp":
            header = info.get_buffer().extract_dup(8, 4)
            if len(header) == 4:
                self.ssrcs.add(int.from_bytes(header, "big"))
        return Gst.PadProbeReturn.OK

    def on_sample(self, sink):
        sink.emit("pull-sample")
        self.frames += 1
        return Gst.FlowReturn.OK

    def on_buffer(self, _pad, _info):
        self.frames += 1
        return Gst.PadProbeReturn.OK

    def recording_location(self, _muxer, fragment, _sample):
        folder = os.path.join(self.parameters.get("recording_prefix", "recording"),
                              time.strftime("%Y/%m/%d"))
        os.makedirs(folder, exist_ok=True)
        return os.path.join(folder, f"{int(time.time() * 1000)}_{fragment}.mp4")

    def on_message(self, _bus, message):
        if message.type == Gst.MessageType.ERROR:
            error, _debug = message.parse_error()
            say(f'error element={message.src.get_name()} text="{error.message}"')
            self.stop("ERROR")
        elif message.type == Gst.MessageType.WARNING:
            warning, _debug = message.parse_warning()
            say(f'warning element={message.src.get_name()} text="{warning.message}"')
        elif message.type == Gst.MessageType.EOS:
            self.stop(self.aborting or "COMPLETED")
        elif message.type == Gst.MessageType.ELEMENT:
            s = message.get_structure()
            if s and s.get_name() == "hostnetrtp-allocation":
                ports = ",".join(f"{s.get_value(f'stream-{i}').get_value('rtp-port')}/"
                                 f"{s.get_value(f'stream-{i}').get_value('rtcp-port')}"
                                 for i in range(s.get_value("n-streams")))
                say(f"allocation element={message.src.get_name()} address={s.get_value('address')} "
                    f"advertise={s.get_value('advertise-address')} ports={ports}")
            elif s and s.get_name().startswith("hostnetrtp-"):
                say(f"message {s.to_string()}")

    def status(self):
        now = time.monotonic()
        elapsed = now - self.start if self.start else 0
        last_frames, last_time = self.last_status
        self.last_status = (self.frames, now)
        line = {"state": self.state, "frames": self.frames,
                "avg_fps": round(self.frames / elapsed, 1) if elapsed else 0.0,
                "fps": round((self.frames - last_frames) / (now - last_time), 1) if now > last_time else 0.0}
        line["ssrcs"] = ",".join(f"0x{x:08x}" for x in sorted(self.ssrcs))
        for src in hostnetrtp_sources(self.pipeline):
            stats = src.props.stats  # kept: the stream structures live inside it
            if stats is None or stats.get_value("n-streams") == 0:
                continue
            stream = stats.get_value("stream-0")
            line.update(rtp_port=stream.get_value("rtp-port"), rtcp_port=stream.get_value("rtcp-port"),
                        ssrc=f"0x{stream.get_value('ssrc'):08x}",
                        packets=stream.get_value("packets-received"),
                        lost=stream.get_value("packets-lost"), sender=stream.get_value("sender"))
        say("status " + " ".join(f"{k}={v}" for k, v in line.items()))
        if self.args.status_file:
            line["updated"] = time.time()
            tmp = self.args.status_file + ".tmp"
            with open(tmp, "w") as f:
                json.dump(line, f)
            os.replace(tmp, self.args.status_file)
        return True

    def abort(self, state):
        """SIGTERM/SIGINT: EOS first, so a recording's last fragment is
        finished (splitmuxsink), then NULL; NULL anyway after 3 s."""
        if self.state == "RUNNING" and self.aborting is None:
            self.aborting = state
            self.pipeline.send_event(Gst.Event.new_eos())
            GLib.timeout_add(3000, self.stop, state)
            return True
        return self.stop(state)

    def stop(self, state):
        if self.state in ("RUNNING", "QUEUED"):
            self.state = state
            self.pipeline.set_state(Gst.State.NULL)
            self.status()
            say(f"stopped state={state}")
            self.loop.quit()
        return False

    def run(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, self.abort, "ABORTED")
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            GLib.idle_add(self.stop, "ERROR")  # after the error on the bus is printed
        else:
            self.state = "RUNNING"
            self.start = time.monotonic()
        GLib.timeout_add(int(self.args.interval * 1000), self.status)
        self.loop.run()
        return 0 if self.state in ("ABORTED", "COMPLETED") else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("definition", help="pipeline.json")
    parser.add_argument("request", help="the request body (JSON): source, parameters, ...")
    parser.add_argument("--status-file", help="where the last status goes, as JSON")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between status lines")
    parser.add_argument("--model-dir", default="/home/models")
    args = parser.parse_args()
    Gst.init(None)
    with open(args.definition) as f:
        definition = json.load(f)
    with open(args.request) as f:
        request = json.load(f)
    if definition.get("type", "GStreamer") != "GStreamer":
        sys.exit(f"error: {args.definition} is of type {definition.get('type')}, not GStreamer")
    # Without a name and version of its own, a definition is named by its
    # place: pipelines/<name>/<version>/pipeline.json.
    version_dir = os.path.dirname(os.path.abspath(args.definition))
    name = definition.get("name", os.path.basename(os.path.dirname(version_dir)))
    version = definition.get("version", os.path.basename(version_dir))
    say(f"pipeline name={name} version={version} definition={args.definition}")
    return Runner(args, definition, request).run()


if __name__ == "__main__":
    sys.exit(main())
