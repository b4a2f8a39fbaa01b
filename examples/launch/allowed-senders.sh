#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# allowed-senders: only these addresses or prefixes are accepted; anything
# else is dropped before rtpbin, counted in the stats (dropped-not-allowed)
# and named in a rate-limited warning -- never an error. Here the camera
# sends from 127.0.0.1 and an intruder from 127.0.0.2.
. "$(dirname "$0")/common.sh"
range=$(free_range 4)

receive rx hostnetrtpsrc name=src port-range="$range" encoding-name=H264 allowed-senders=127.0.0.1/32 \
  ! rtph264depay ! h264parse ! avdec_h264 ! identity eos-after=75 ! fakesink
port=$(allocation rx rtp-port)
h264_camera "$port"
# The intruder: another camera, from 127.0.0.2 (loopback's /8), another SSRC.
h264_camera "$port" 0xbad0bad0 127.0.0.1 "bind-address=127.0.0.2"
finish rx "the allowed camera decoded while 127.0.0.2 sent to the same port"
if grep -q "^WARNING: .*from senders not allowed" "$work/rx.log"; then
  grep -m1 "^WARNING: .*from senders not allowed" "$work/rx.log" | sed 's/^WARNING: from element [^ ]*: /  /'
  echo "ok: the intruder's datagrams were dropped and named in a warning"
else
  echo "FAILED: no drop warning for the intruder"; exit 1
fi
