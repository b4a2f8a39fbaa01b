#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A fixed pair: port-range=5004 (one even port) binds exactly 5004/5005 or
# fails with an error that says who holds it -- never shares it silently as
# udpsrc port=5004 does. For a camera that cannot be told another port.
#   fixed-pair.sh [PORT]   (5004 by default)
. "$(dirname "$0")/common.sh"
port=${1:-5004}

receive rx hostnetrtpsrc name=src port-range="$port" encoding-name=H264 \
  ! rtph264depay ! h264parse ! avdec_h264 ! identity eos-after=50 ! fakesink
[ "$(allocation rx rtp-port)" = "$port" ] || { echo "FAILED: not on $port"; exit 1; }

# A second receiver with the same fixed pair is refused, clearly:
show gst-launch-1.0 hostnetrtpsrc port-range="$port" encoding-name=H264 ! fakesink
if gst-launch-1.0 hostnetrtpsrc port-range="$port" encoding-name=H264 ! fakesink >"$work/second.log" 2>&1; then
  echo "FAILED: a second receiver took $port too"; exit 1
fi
refusal=$(grep -m1 -o "no free even/odd port pair.*" "$work/second.log") ||
  { echo "FAILED: the second receiver failed without saying why"; cat "$work/second.log"; exit 1; }
echo "a second receiver on $port is refused: $refusal"
h264_camera "$port"
finish rx "50 frames decoded on the fixed pair $port/$((port + 1))"
