#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A camera on its own LAN (network namespaces made here, as the demo's): the
# receiver on the node pulls it over RTSP; the camera is told client_port =
# the pair the receiver bound (the kernel's view), the video decodes, and
# datagrams from another host of the camera LAN to that pair are dropped by
# the automatic sender filter while the camera's keep flowing. Needs root
# (skipped, 77, with the reason otherwise). Ends "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
. "$here/../../examples/node-topology.sh"
need_netns "the node and the camera LAN"
replica=${HOSTNETRTP_BUILD:?}/examples/hostnetrtp-replica
work=$(mktemp -d)
prefix=hnr$$
pids=()
cleanup() { [ ${#pids[@]} -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null; wait 2>/dev/null; topology_down; [ -n "${KEEP:-}" ] && cp -r "$work" /tmp/netns-work; rm -rf "$work"; }
trap cleanup EXIT
topology_up "$prefix" 2 || { echo "FAIL - cannot build the namespaces"; exit 1; }
camera_ip=$(camera_address 1) other_ip=$(camera_address 2)
mkfifo "$work/camera.in"  # the camera runs until its input ends
in_cams /usr/bin/python3 "$here/../../examples/rtsp-camera.py" --address "$camera_ip" <"$work/camera.in" >"$work/camera.log" 2>&1 &
pids+=($!)
exec 7>"$work/camera.in"
wait_for "$work/camera.log" '^ready port=' || { echo "FAIL - the camera did not start"; exit 1; }
port=$(sed -n 's/^ready port=//p' "$work/camera.log")
base=$((20000 + 2 * (RANDOM % 5000)))
# Not through in_node (a function: & would fork a subshell): $! is the replica.
ip netns exec "$prefix-node" "$replica" --interval 300 "hostnetrtpsrc name=src location=rtsp://$camera_ip:$port/cam \
  port-range=$base-$((base + 9)) ! rtph264depay ! h264parse ! avdec_h264 ! fakesink name=sink0" \
  >"$work/replica.log" 2>&1 &
replica_pid=$!; pids+=("$replica_pid")
wait_for "$work/replica.log" '^allocation|^error'
wait_for "$work/replica.log" '^stats .* frames=[1-9]'
ports=$(sed -n 's/^allocation .* ports=\([0-9]*\/[0-9]*\).*/\1/p' "$work/replica.log" | head -n1)
told=$(grep -o 'client_port=[0-9]*-[0-9]*' "$work/camera.log" | head -n1 | sed 's/client_port=//; s/-/\//')
in_node ss -uanpH > "$work/ss.txt"
kernel=$(in_node ss -uanpH | grep "pid=$replica_pid," | awk '{print $4}' | sed 's/.*://' | sort -n | tr '\n' '/' | sed 's/\/$//')
check "the camera was told client_port = the bound pair ($told; allocation $ports; kernel $kernel)" \
  test -n "$told" -a "$told" = "$ports" -a "$ports" = "$kernel"
check "the camera's video decodes on the node" grep -qE '^stats .* frames=[1-9]' "$work/replica.log"
check "the sender is the camera ($camera_ip)" grep -q "sender=$camera_ip:" "$work/replica.log"
rtp=${ports%/*}
in_cams /usr/bin/python3 - "$other_ip" "$NODE_ADDRESS" "$rtp" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
for seq in range(300):  # valid RTP of another SSRC, and junk
    s.sendto(struct.pack("!BBHII", 0x80, 96, seq, seq * 3000, 0xBAD) + bytes(100), (sys.argv[2], int(sys.argv[3])))
    s.sendto(b"\xde\xad\xbe\xef", (sys.argv[2], int(sys.argv[3])))
PY
sleep 1  # the runner prints stats every 300 ms
last=$(grep '^stats ' "$work/replica.log" | tail -n1)
dropped=$(sed -n 's/.* dropped=\([0-9]*\).*/\1/p' <<<"$last")
check "600 datagrams from $other_ip were dropped (dropped=$dropped)" test "${dropped:-0}" -ge 600
check "and the camera is still the sender, still decoding" \
  sh -c "echo '$last' | grep -q 'sender=$camera_ip:' && echo '$last' | grep -qE 'frames=[1-9]'"
kill -TERM "$replica_pid"; wait "$replica_pid" 2>/dev/null
check "the camera saw the TEARDOWN" wait_for "$work/camera.log" '^teardown session='
summary "a camera on its own LAN"
