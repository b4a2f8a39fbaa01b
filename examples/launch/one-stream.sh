#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One H264 stream: the element picks a free even/odd pair inside the range,
# says which (the hostnetrtp-allocation message, rtp-port/rtcp-port), and a
# camera sent there is decoded. Run it twice at once: two pairs, no clash.
. "$(dirname "$0")/common.sh"
range=$(free_range 8)

receive rx hostnetrtpsrc name=src port-range="$range" encoding-name=H264 \
  ! rtph264depay ! h264parse ! avdec_h264 ! identity eos-after=50 ! fakesink

port=$(allocation rx rtp-port)
echo "the receiver bound $port/$(allocation rx rtcp-port) inside $range"
h264_camera "$port"
finish rx "50 frames decoded from the camera sent to port $port"
