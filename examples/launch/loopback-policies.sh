#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# loopback-policy: replicas on a host network share one loopback, so the
# element never binds it by accident.
#   rewrite (default)  address=127.0.0.1 binds the wildcard instead, with a warning
#   error              address=127.0.0.1 is refused with an error that says what to do
#   allow              address=127.0.0.1 is bound as given (single-host tests only)
. "$(dirname "$0")/common.sh"
range=$(free_range 4)
bound() { ss -Hnul "sport = :$1" | awk '{print $4}'; }

echo "== rewrite"
show gst-launch-1.0 hostnetrtpsrc port-range="$range" encoding-name=H264 address=127.0.0.1 ! fakesink
gst-launch-1.0 -m hostnetrtpsrc port-range="$range" encoding-name=H264 address=127.0.0.1 \
  ! fakesink >"$work/rewrite.log" 2>&1 &
children+=($!)
receiver_pid=$!
port=$(allocation rewrite rtp-port)
echo "  bound: $(bound "$port")"
grep -o "WARNING: .*loopback[^.]*" "$work/rewrite.log" | head -1 | sed 's/^/  /'
bound "$port" | grep -q "^0.0.0.0:$port$" || { echo "FAILED: rewrite did not bind the wildcard"; exit 1; }
kill "$receiver_pid"; wait "$receiver_pid" 2>/dev/null || true

echo "== error"
show gst-launch-1.0 hostnetrtpsrc port-range="$range" encoding-name=H264 address=127.0.0.1 \
  loopback-policy=error ! fakesink
if gst-launch-1.0 hostnetrtpsrc port-range="$range" encoding-name=H264 address=127.0.0.1 \
    loopback-policy=error ! fakesink >"$work/error.log" 2>&1; then
  echo "FAILED: loopback-policy=error started"; exit 1
fi
grep -m1 "is a loopback address" "$work/error.log" | sed 's/^/  /'

echo "== allow"
show gst-launch-1.0 hostnetrtpsrc port-range="$range" encoding-name=H264 address=127.0.0.1 \
  loopback-policy=allow ! fakesink
gst-launch-1.0 -m hostnetrtpsrc port-range="$range" encoding-name=H264 address=127.0.0.1 \
  loopback-policy=allow ! fakesink >"$work/allow.log" 2>&1 &
children+=($!)
port=$(allocation allow rtp-port)
echo "  bound: $(bound "$port")"
bound "$port" | grep -q "^127.0.0.1:$port$" || { echo "FAILED: allow did not bind loopback"; exit 1; }
echo "ok: rewrite binds the wildcard, error refuses, allow binds loopback"
