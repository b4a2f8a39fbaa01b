#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A hostnetrtp:// URI: playbin, uridecodebin and urisourcebin pick
# hostnetrtpsrc for it (its own scheme; rtp:// stays rtpsrc's). The URI's
# authority is the address and port-range, its query sets any property:
#   hostnetrtp://[address][:port-range]?encoding-name=H264&latency=100
. "$(dirname "$0")/common.sh"
range=$(free_range 8)
uri="hostnetrtp://:$range?encoding-name=H264&latency=100"

receive rx playbin uri="$uri" video-sink="identity eos-after=50 ! fakesink" audio-sink=fakesink
port=$(allocation rx rtp-port)
echo "playbin's source bound $port/$(allocation rx rtcp-port) inside $range"
h264_camera "$port"
finish rx "playbin decoded 50 frames from $uri"
