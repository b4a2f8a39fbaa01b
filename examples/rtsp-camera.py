#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A simulated RTSP camera (gst-rtsp-server; UDP, TCP, rtsps://), like the Smart City
sample's simulated cameras: for the pull-mode tests, the examples and the
Kubernetes manifests.

  rtsp-camera.py [--address A] [--port P] [--path /cam] [--media video|av|packets]
            [--auth basic|digest --user U --password PW] [--session-timeout S]
            [--ssrc 0xca000001] [--protocols udp|tcp|udp,tcp]
            [--tls-certificate PEM (certificate and key): rtsps://]

--port 0 (the default) takes a port from the kernel. Prints "ready port=N"
once it listens, then one line per event:
  setup transport=<the client's Transport header> from=<client address>
  play session=<id>
  teardown session=<id>
  removed session=<id>   (gone from the session pool: after its TEARDOWN's
                          answer, or expired; teardown comes before it)
Reads commands on stdin: "sessions" prints "sessions N" (sessions alive);
"reports" prints "reports N from=A:P,..." (receivers whose report blocks
reached the camera's RTP sessions, i.e. its server_port RTCP, and where
their RTCP came from);
"quit" (or end of input) stops it."""
import argparse
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

args = argparse.ArgumentParser()
args.add_argument("--address", default="0.0.0.0")
args.add_argument("--port", type=int, default=0)
args.add_argument("--path", default="/cam")
args.add_argument("--media", choices=["video", "av", "packets"], default="video",
                  help="packets: a cheap high packet rate (L16, 2400 packets/s) for CPU measurements")
args.add_argument("--auth", choices=["none", "basic", "digest"], default="none")
args.add_argument("--user", default="viewer")
args.add_argument("--password", default="secret")
args.add_argument("--session-timeout", type=int, default=60)
args.add_argument("--ssrc", type=lambda v: int(v, 0), default=None,
                  help="the video's SSRC (audio: +1), so a receiver can tell cameras apart")
args.add_argument("--protocols", default="udp",
                  help="the transports it offers: udp, tcp (RTP interleaved on RTSP), udp,tcp")
args.add_argument("--tls-certificate", default=None,
                  help="a PEM file with the certificate and its key: the camera speaks rtsps://")
a = args.parse_args()

Gst.init(None)
VIDEO = ("videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1 "
         "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 bitrate=500 "
         "! rtph264pay name=pay0 pt=96 config-interval=1"
         + (f" ssrc={a.ssrc}" if a.ssrc is not None else ""))
AUDIO = ("audiotestsrc is-live=true ! audio/x-raw,rate=8000,channels=1 ! mulawenc "
         "! rtppcmupay name=pay1 pt=0"
         + (f" ssrc={a.ssrc + 1}" if a.ssrc is not None else ""))
# Many packets for little camera CPU: 8 channels of silence, 1 ms per packet, cut in three.
PACKETS = ("audiotestsrc is-live=true wave=silence samplesperbuffer=48 "
           "! audio/x-raw,format=S16BE,rate=48000,channels=8 ! rtpL16pay name=pay0 pt=96 mtu=300 "
           "min-ptime=1000000 max-ptime=1000000")
if a.media == "packets":
    launch = f"( {PACKETS} )"
else:
    launch = f"( {VIDEO} {AUDIO if a.media == 'av' else ''} )"

server = GstRtspServer.RTSPServer()
server.set_address(a.address)
server.set_service(str(a.port))
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(launch)
factory.set_shared(True)
protocols = GstRtsp.RTSPLowerTrans(0)
for name in a.protocols.split(","):
    protocols |= {"udp": GstRtsp.RTSPLowerTrans.UDP, "tcp": GstRtsp.RTSPLowerTrans.TCP}[name]
factory.set_protocols(protocols)
auth = GstRtspServer.RTSPAuth() if a.auth != "none" or a.tls_certificate else None
if a.tls_certificate:
    from gi.repository import Gio  # noqa: E402
    auth.set_tls_certificate(Gio.TlsCertificate.new_from_file(a.tls_certificate))
    if a.auth == "none":  # TLS alone: every client may play
        anyone = GstRtspServer.RTSPToken()
        anyone.set_string("media.factory.role", "viewer")
        auth.set_default_token(anyone)
    server.set_auth(auth)
if a.auth != "none" or a.tls_certificate:
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_role("viewer")
    permissions.add_permission_for_role("viewer", "media.factory.access", True)
    permissions.add_permission_for_role("viewer", "media.factory.construct", True)
    factory.set_permissions(permissions)
if a.auth != "none":
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "viewer")
    if a.auth == "basic":
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(a.user, a.password), token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
    else:
        auth.add_digest(a.user, a.password, token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    server.set_auth(auth)
server.get_mount_points().add_factory(a.path, factory)
medias = []
factory.connect("media-configure", lambda _f, media: medias.append(media))


def reports():
    """Receivers whose report blocks reached the camera's RTP sessions, and the
    addresses their RTCP came from. The stats' source-stats array does not
    convert to Python: read its text."""
    senders = []
    for media in medias:
        for i in range(media.n_streams()):
            session = media.get_stream(i).get_rtpsession()
            text = session.props.stats.to_string() if session else ""
            for source in text.replace("\\", "").split("application/x-rtp-source-stats")[1:]:
                if "internal=(boolean)false" in source and "have-rb=(boolean)true" in source:
                    senders.append(source.split("rtcp-from=(string)")[1].split(",")[0]
                                   if "rtcp-from=" in source else "?")
    return f"{len(senders)} from={','.join(senders)}"


def say(line):
    print(line, flush=True)


def on_client(_server, client):
    def transport_of(ctx):
        value = ctx.request.get_header(GstRtsp.RTSPHeaderField.TRANSPORT, 0)
        return value[1] if isinstance(value, tuple) else value

    def on_setup(_client, ctx):
        peer = client.get_connection().get_ip()
        say(f"setup transport={transport_of(ctx)} from={peer}")

    def on_session(_client, session):
        session.set_timeout(a.session_timeout)

    client.connect("setup-request", on_setup)
    client.connect("new-session", on_session)
    client.connect("play-request", lambda _c, ctx: say(f"play session={ctx.session.get_sessionid()}"))
    client.connect("teardown-request",
                   lambda _c, ctx: say(f"teardown session={ctx.session.get_sessionid()}"))


server.connect("client-connected", on_client)
loop = GLib.MainLoop()
if server.attach(None) == 0:
    say("error cannot listen")
    sys.exit(1)
say(f"ready port={server.get_bound_port()}")
pool = server.get_session_pool()
pool.connect("session-removed", lambda _p, session: say(f"removed session={session.get_sessionid()}"))
GLib.timeout_add_seconds(1, lambda: pool.cleanup() >= 0)  # expired sessions go


def commands():
    for line in sys.stdin:
        if line.strip() == "sessions":
            GLib.idle_add(lambda: say(f"sessions {pool.get_n_sessions()}") and False)
        elif line.strip() == "reports":
            GLib.idle_add(lambda: say(f"reports {reports()}") and False)
        elif line.strip() == "quit":
            break
    GLib.idle_add(loop.quit)


threading.Thread(target=commands, daemon=True).start()
loop.run()
