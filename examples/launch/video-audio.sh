#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Video and audio from one camera: caps with two structures make two
# streams, two pairs and two pads, src_0 (video) and src_1 (audio), linked
# by name. The allocation message has stream-0 and stream-1 with each
# stream's ports.
. "$(dirname "$0")/common.sh"
range=$(free_range 8)

receive rx hostnetrtpsrc name=src port-range="$range" \
    caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=H264;application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMU" \
  src.src_0 ! rtph264depay ! h264parse ! avdec_h264 ! identity eos-after=50 ! fakesink \
  src.src_1 ! rtppcmudepay ! mulawdec ! identity eos-after=50 ! fakesink

log=$work/rx.log
for _ in $(seq 100); do grep -q hostnetrtp-allocation "$log" && break; sleep 0.1; done
video=$(grep -m1 -o 'stream-0=[^;]*' "$log" | grep -o 'rtp-port\\=\\(uint\\)[0-9]*' | grep -o '[0-9]*$')
audio=$(grep -m1 -o 'stream-1=[^;]*' "$log" | grep -o 'rtp-port\\=\\(uint\\)[0-9]*' | grep -o '[0-9]*$')
echo "video on $video, audio on $audio"
h264_camera "$video"
gst-launch-1.0 -q audiotestsrc is-live=true ! audio/x-raw,rate=8000,channels=1 ! mulawenc \
  ! rtppcmupay ! udpsink host=127.0.0.1 port="$audio" >/dev/null 2>&1 &
children+=($!)
finish rx "video decoded on src_0 and audio on src_1 (ports $video and $audio)"
