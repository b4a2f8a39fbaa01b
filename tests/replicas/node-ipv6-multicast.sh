#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# IPv6 and multicast on a real node/camera LAN (network namespaces made here):
# a replica bound to the node's own IPv6 address, a dual-stack (::) replica
# taking an IPv4 camera, and two replicas on one multicast group (IPv6 ff15::,
# then IPv4 239.x) both receiving every packet. In each case the camera gets
# the receivers' reports back from the bound RTCP socket. Needs root (skipped,
# 77, with the reason otherwise). Ends "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
. "$here/../../examples/node-topology.sh"
need_netns "the node and camera LAN"
replica=${HOSTNETRTP_BUILD:?}/examples/hostnetrtp-replica
peer=$here/rtp-peer.py
work=$(mktemp -d)
prefix=hn6$$
pids=()
cleanup() { [ ${#pids[@]} -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null; topology_down; rm -rf "$work"; }
trap cleanup EXIT
topology_up "$prefix" 2 || { echo "FAIL - cannot build the namespaces"; exit 1; }
node_if=$prefix-n cam_if=$prefix-c
wait_log() { wait_for "$work/$1.log" "$2" 200; }  # replica-name regex
start_replica() {  # name pipeline-properties (a fresh name each time: logs are waited on)
  # Not through in_node (a function: & would fork a subshell): $! is the replica.
  ip netns exec "$TOPOLOGY_PREFIX-node" "$replica" --interval 200 \
    "hostnetrtpsrc name=src encoding-name=H264 $2 ! fakesink" >"$work/$1.log" 2>&1 &
  pids+=($!); eval "pid_$1=$!"
  wait_log "$1" '^allocation|^error'
}
port_of() { sed -n 's/^allocation .* ports=\([0-9]*\)\/.*/\1/p' "$work/$1.log" | head -n1; }
stop_replica() { local v="pid_$1"; kill -TERM "${!v}"; wait "${!v}" 2>/dev/null; }
packets_of() { grep '^stats ' "$work/$1.log" | tail -n1 | sed -n 's/.* packets=\([0-9]*\).*/\1/p'; }
sender_of() { grep '^stats ' "$work/$1.log" | tail -n1 | sed -n 's/.* sender=\([^ ]*\).*/\1/p'; }
base=$((20000 + 2 * (RANDOM % 5000)))

echo "# IPv6: a replica bound to the node's own IPv6 address"
start_replica v6 "address=$NODE_ADDRESS6 port-range=$base-$((base + 9))"
p=$(port_of v6)
check "bound on [$NODE_ADDRESS6]:${p:-none}" test -n "$p"
in_cams "$peer" --to "$NODE_ADDRESS6" --bind "$(camera_address6 1)" --port "$p" >"$work/peer6.log" 2>&1
stop_replica v6
check "all 50 packets received ($(packets_of v6))" test "$(packets_of v6)" = 50
check "the sender is the camera ($(sender_of v6))" grep -q "sender=\[$(camera_address6 1)\]:" "$work/v6.log"
check "the camera got reports from [$NODE_ADDRESS6]:$((p + 1))" grep -q "rr from \[$NODE_ADDRESS6\]:$((p + 1))" "$work/peer6.log"
check "no error" bash -c "! grep -q '^error' '$work/v6.log'"

echo "# dual-stack: address=:: takes an IPv4 camera"
start_replica dual "address=:: port-range=$base-$((base + 9))"
p=$(port_of dual)
in_cams "$peer" --to "$NODE_ADDRESS" --bind "$(camera_address 1)" --port "$p" >"$work/peer-dual.log" 2>&1
stop_replica dual
check "all 50 packets received ($(packets_of dual))" test "$(packets_of dual)" = 50
check "the camera got reports from $NODE_ADDRESS:$((p + 1))" grep -q "rr from $NODE_ADDRESS:$((p + 1))" "$work/peer-dual.log"

n=0
for group in ff15::7:18 239.18.0.7; do
  echo "# multicast $group: two replicas, every packet each, reports to the group"
  gport=$((base + 20)) n=$((n + 1)) a=m${n}a b=m${n}b
  start_replica $a "address=$group port-range=$gport multicast-iface=$node_if"
  start_replica $b "address=$group port-range=$gport multicast-iface=$node_if"
  check "both replicas joined on the shared group port $gport" \
    test "$(port_of $a)" = "$gport" -a "$(port_of $b)" = "$gport"
  in_cams "$peer" --to "$group" --iface "$cam_if" --port "$gport" --reports 2 --wait 10 \
    >"$work/peer-$n.log" 2>&1
  stop_replica $a; stop_replica $b
  check "replica 1 got all 50 ($(packets_of $a))" test "$(packets_of $a)" = 50
  check "replica 2 got all 50 ($(packets_of $b))" test "$(packets_of $b)" = 50
  check "reports reached the group's RTCP port ($(grep -c '^rr from' "$work/peer-$n.log"))" \
    grep -q "^rr from .*:$((gport + 1))$" "$work/peer-$n.log"
  check "no error" bash -c "! grep -q '^error' '$work/$a.log' '$work/$b.log'"
done

summary "IPv6 and multicast on a node"
