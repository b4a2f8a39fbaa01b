#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every stream's ports in `gst-launch-1.0 -v` output: the src_N pads' rtp-port
# and rtcp-port, as deep-notify lines, matching the allocation message that
# `-m` prints. Kernel-chosen ports (no port-range). Ends "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../testlib.sh"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=H264;application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMU"
timeout -s INT 3 gst-launch-1.0 -v -m hostnetrtpsrc name=src caps="$caps" \
  src.src_0 ! fakesink src.src_1 ! fakesink >"$out" 2>&1
for i in 0 1; do
  pad_rtp=$(sed -n "s|.*GstHostnetRtpSrc:src.GstHostnetRtpSrcPad:src_$i: rtp-port = \([0-9]*\)$|\1|p" "$out" | head -n1)
  pad_rtcp=$(sed -n "s|.*GstHostnetRtpSrc:src.GstHostnetRtpSrcPad:src_$i: rtcp-port = \([0-9]*\)$|\1|p" "$out" | head -n1)
  msg_rtp=$(grep -o "stream-$i=(structure)\"stream\\\\,[^\"]*" "$out" | grep -o 'rtp-port\\=\\(uint\\)[0-9]*' | grep -o '[0-9]*$' | head -n1)
  check "src_$i: rtp-port printed by -v ($pad_rtp)" test -n "$pad_rtp"
  check "src_$i: rtcp-port = rtp-port + 1" test "${pad_rtcp:-0}" -eq $((${pad_rtp:-0} + 1))
  check "src_$i: the same port in the message's stream-$i ($msg_rtp)" test "${msg_rtp:-x}" = "${pad_rtp:-y}"
done
summary "gst-launch -v"
