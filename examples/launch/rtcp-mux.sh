#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# rtcp-mux=true: RTP and RTCP share one port per stream (RFC 5761), so a
# stream takes one port of the range, not two; rtcp-port reads the same.
. "$(dirname "$0")/common.sh"
range=$(free_range 4)

receive rx hostnetrtpsrc name=src port-range="$range" encoding-name=H264 rtcp-mux=true \
  ! rtph264depay ! h264parse ! avdec_h264 ! identity eos-after=50 ! fakesink

port=$(allocation rx rtp-port)
rtcp=$(allocation rx rtcp-port)
[ "$port" = "$rtcp" ] || { echo "FAILED: rtcp-port $rtcp is not the RTP port $port"; exit 1; }
echo "RTP and RTCP both on $port"
h264_camera "$port"
finish rx "50 frames decoded with RTP and RTCP on one port ($port)"
