#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A camera behind a firewall that drops UDP (network namespaces made here,
# as the demo's; the rule is in the node namespace, nothing else touched):
# with default properties the receiver sets the session up over UDP, sees
# nothing come, tells it (a warning and hostnetrtp-rtsp-transport), and goes
# on over TCP on the same pads, holding no UDP port; the video decodes within
# the fallback timeout and a few seconds. protocols=udp alone decodes nothing
# there (the firewall is real), protocols=tcp decodes at once. Needs root
# and iptables (skipped, 77, with the reason otherwise). Ends "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
. "$here/../../examples/node-topology.sh"
need_netns "the node and the camera LAN"
if ! command -v iptables >/dev/null; then
  echo "SKIP: needs iptables (scripts/install-deps installs it) for the node's firewall"
  exit 77
fi
replica=${HOSTNETRTP_BUILD:?}/examples/hostnetrtp-replica
work=$(mktemp -d)
prefix=hnf$$
pids=()
cleanup() { [ ${#pids[@]} -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null; wait 2>/dev/null; topology_down; [ -n "${KEEP:-}" ] && cp -r "$work" /tmp/firewall-work; rm -rf "$work"; }
trap cleanup EXIT
topology_up "$prefix" 1 || { echo "FAIL - cannot build the namespaces"; exit 1; }
camera_ip=$(camera_address 1)
mkfifo "$work/camera.in"  # the camera runs until its input ends
in_cams /usr/bin/python3 "$here/../../examples/rtsp-camera.py" --address "$camera_ip" --protocols udp,tcp \
  <"$work/camera.in" >"$work/camera.log" 2>&1 &
pids+=($!)
exec 7>"$work/camera.in"
wait_for "$work/camera.log" '^ready port=' || { echo "FAIL - the camera did not start"; exit 1; }
port=$(sed -n 's/^ready port=//p' "$work/camera.log")
base=$((20000 + 2 * (RANDOM % 5000))) last=$((base + 9))
# The node's firewall: UDP to the whole range is dropped (RTSP itself, TCP, passes).
in_node iptables -A INPUT -p udp --dport "$base:$last" -j DROP || { echo "FAIL - cannot set the firewall"; exit 1; }

run() {  # tag extra-properties: a replica on the node, its pid in $run_pid
  ip netns exec "$prefix-node" "$replica" --interval 300 "hostnetrtpsrc name=src location=rtsp://$camera_ip:$port/cam \
    port-range=$base-$last $2 ! rtph264depay ! h264parse ! avdec_h264 ! fakesink name=sink0" >"$work/$1.log" 2>&1 &
  run_pid=$!; pids+=("$run_pid")
}
stop() { kill -TERM "$1"; wait "$1" 2>/dev/null; }

# Default properties: UDP first, TCP after 5 s of nothing.
run default ""
start=$SECONDS
wait_for "$work/default.log" '^stats .* frames=[1-9]' 400  # up to 20 s
took=$((SECONDS - start))
check "the video decodes with default properties (after ${took} s)" grep -qE '^stats .* frames=[1-9]' "$work/default.log"
check "... within the fallback timeout (5 s) and a few seconds" test "$took" -le 15
check "the first SETUP was UDP, the next TCP" \
  sh -c "grep -o 'transport=RTP/AVP[^ ]*' '$work/camera.log' | head -n2 | tr '\n' ' ' | grep -q 'client_port=.*RTP/AVP/TCP;unicast;interleaved='"
check "a warning says why, naming the ports and TCP" \
  grep -qE '^warning .*no UDP packet on [0-9]+/[0-9]+ in 5.0 s .*Using TCP' "$work/default.log"
udp=$(in_node ss -uanpH | grep -c "pid=$run_pid,")
check "no UDP port is held on TCP ($udp)" test "$udp" -eq 0
stop "$run_pid"
check "TEARDOWN of both sessions" test "$(grep -c '^teardown session=' "$work/camera.log")" -ge 2

# protocols=udp: the firewall is real, nothing comes.
run udp "protocols=udp reconnect-silence=0"
sleep 7  # longer than the fallback timeout: nothing to wait on, nothing must come
check "protocols=udp decodes nothing behind the firewall (negative control)" \
  sh -c "! grep -qE '^stats .* frames=[1-9]' '$work/udp.log'"
stop "$run_pid"

# protocols=tcp: no UDP at all, from the start.
run tcp "protocols=tcp"
wait_for "$work/tcp.log" '^stats .* frames=[1-9]' 200
check "protocols=tcp decodes" grep -qE '^stats .* frames=[1-9]' "$work/tcp.log"
udp=$(in_node ss -uanpH | grep -c "pid=$run_pid,")
check "protocols=tcp binds no UDP port ($udp)" test "$udp" -eq 0
stop "$run_pid"

summary "a camera behind a UDP-dropping firewall"
