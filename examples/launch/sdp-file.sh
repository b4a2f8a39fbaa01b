#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sdp-file: the receiver writes an SDP once it has bound its pair (and
# removes it when it stops); a sender -- here a camera started from the
# SDP's c= and m= lines -- sends where it says. {rtp-port}, {pid} and {pod}
# make one file per replica in a shared folder.
# On one host the SDP must name loopback: advertise-address=127.0.0.1 with
# loopback-policy=allow. On a node, leave both out: the node's address is
# advertised.
. "$(dirname "$0")/common.sh"
range=$(free_range 8)

receive rx hostnetrtpsrc name=src port-range="$range" encoding-name=H264 \
    sdp-file="$work/{rtp-port}.sdp" advertise-address=127.0.0.1 loopback-policy=allow \
  ! rtph264depay ! h264parse ! avdec_h264 ! identity eos-after=50 ! fakesink
allocation rx rtp-port >/dev/null

sdp=$(ls "$work"/*.sdp)
echo "--- $sdp"
cat "$sdp"
address=$(sed -n 's/^c=IN IP[46] \([^/ ]*\).*/\1/p' "$sdp" | head -1)
port=$(sed -n 's/^m=video \([0-9]*\) .*/\1/p' "$sdp")
h264_camera "$port" 0xca000001 "$address"
finish rx "50 frames decoded from a camera that read $address:$port from the SDP"
[ ! -e "$sdp" ] || { echo "FAILED: the SDP outlived its receiver"; exit 1; }
echo "ok: the SDP was removed when the receiver stopped"
