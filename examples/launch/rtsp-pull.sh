#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# RTSP pull: location=rtsp://... makes the element the camera's RTSP client.
# It binds a pair per stream the camera describes (race-free, inside the
# range) and tells the camera that pair in SETUP; only the camera's address
# is accepted. The camera here is examples/rtsp-camera.py (gst-rtsp-server).
. "$(dirname "$0")/common.sh"
range=$(free_range 8)

exec {camera_in}> >(/usr/bin/python3 "$root/examples/rtsp-camera.py" >"$work/camera.log" 2>&1)
for _ in $(seq 100); do grep -q "^ready port=" "$work/camera.log" && break; sleep 0.1; done
camera="rtsp://127.0.0.1:$(sed -n 's/^ready port=//p' "$work/camera.log")/cam"

receive rx hostnetrtpsrc name=src location="$camera" port-range="$range" \
  ! rtph264depay ! h264parse ! avdec_h264 ! identity eos-after=50 ! fakesink
port=$(allocation rx rtp-port)
finish rx "50 frames pulled from $camera into $port/$(allocation rx rtcp-port)"
if grep -q "client_port=$port-" "$work/camera.log"; then
  echo "ok: the camera was told client_port=$port-$((port + 1))"
else
  echo "FAILED: the camera was not told client_port=$port-$((port + 1))"; exit 1
fi
exec {camera_in}>&-
