#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Replicas: the same pipeline text, with the same port-range, started three
# times at the same instant (as a Deployment's replicas on one host network).
# Each receiver binds its own even/odd pair inside the range, race-free and
# without SO_REUSEPORT, and decodes only the camera sent to its pair.
. "$(dirname "$0")/common.sh"
range=$(free_range 8)
pipeline=(hostnetrtpsrc name=src port-range="$range" encoding-name=H264
  ! rtph264depay ! h264parse ! avdec_h264 ! identity eos-after=50 ! fakesink)

pids=()
for replica in 1 2 3; do
  receive "replica$replica" "${pipeline[@]}"
  pids+=("$receiver_pid")
done
ports=()
for replica in 1 2 3; do
  ports+=("$(allocation "replica$replica" rtp-port)")
  echo "replica $replica bound ${ports[-1]}/$(allocation "replica$replica" rtcp-port)"
done
if [ "$(printf '%s\n' "${ports[@]}" | sort -u | wc -l)" -ne 3 ]; then
  echo "FAILED: replicas share a pair: ${ports[*]}"; exit 1
fi
echo "ok: three replicas of one pipeline, three pairs inside $range: ${ports[*]}"
for replica in 1 2 3; do
  h264_camera "${ports[replica - 1]}" "0xca00000$replica"
done
for replica in 1 2 3; do
  receiver_pid=${pids[replica - 1]}
  finish "replica$replica" "replica $replica decoded 50 frames from its own camera"
done
