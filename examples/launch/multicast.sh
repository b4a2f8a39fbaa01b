#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Multicast: address=<group> joins the group on a fixed port (port-range's
# first port), shared by every receiver: two receivers here, and each gets
# every packet of the camera's 100 frames. multicast-iface names the
# interfaces to join on; here loopback, with TTL 0 so nothing leaves the host.
. "$(dirname "$0")/common.sh"
range=$(free_range 1)
port=${range%-*}
group=239.255.$((RANDOM % 250)).$((RANDOM % 250 + 1))

for rx in rx1 rx2; do
  receive "$rx" hostnetrtpsrc name=src address="$group" port-range="$port" multicast-iface=lo \
      encoding-name=H264 \
    ! rtph264depay ! h264parse ! avdec_h264 ! identity eos-after=100 ! fakesink
  eval "${rx}_pid=\$receiver_pid"
  [ "$(allocation "$rx" rtp-port)" = "$port" ] || { echo "FAILED: $rx is not on $port"; exit 1; }
done
echo "both receivers joined $group on $port"
gst-launch-1.0 -q videotestsrc is-live=true num-buffers=100 ! video/x-raw,width=320,height=240,framerate=25/1 \
  ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! rtph264pay config-interval=1 \
  ! udpsink host="$group" port="$port" multicast-iface=lo ttl-mc=0 >/dev/null 2>&1
receiver_pid=$rx1_pid finish rx1 "receiver 1 decoded all 100 frames sent to $group:$port"
receiver_pid=$rx2_pid finish rx2 "receiver 2 decoded all 100 frames sent to $group:$port"
