#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Replicas on one node, for real: separate gst-launch-1.0 processes started at
# the same instant with byte-identical pipeline text. The truth is read from
# the kernel (ss), not from the element's own report. Senders send to loopback.
set -uo pipefail
. "$(dirname "$0")/../testlib.sh"
N=${REPLICAS:-12}
work=$(mktemp -d)
pids=()
cleanup() { [ ${#pids[@]} -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

base=$((20000 + 2 * (RANDOM % 5000)))
range="$base-$((base + 2 * N - 1))"
text="hostnetrtpsrc port-range=$range encoding-name=H264 latency=0 ! fakesink"

# Launches one replica of $1 (pipeline text) with its log in $work/$2.log.
launch() {
  # shellcheck disable=SC2086 # gst-launch takes the pipeline as separate words
  sh -c 'flock -s "$0" true && exec gst-launch-1.0 -m -v $1' "$work/gate" "$1" >"$work/$2.log" 2>&1 &
  pids+=($!)
  eval "pid_$2=$!"
}
wait_log() { wait_for "$work/$1.log" "$2" 200; }  # replica-name regex
# "port port" bound by process $1, from the kernel.
ports_of() { ss -uanpH | grep "pid=$1," | awk '{print $4}' | sed 's/.*://' | sort -n | tr '\n' ' '; }
addresses_of() { ss -uanpH | grep "pid=$1," | awk '{print $4}' | sed 's/:[0-9]*$//' | sort -u | tr '\n' ' '; }

echo "# $((N + 1)) replicas at once on $range ($N pairs)"
exec 9>"$work/gate"; flock -x 9
for ((i = 1; i <= N + 1; i++)); do launch "$text" "r$i"; done
started=$(date +%s%N)
flock -u 9
for ((i = 1; i <= N + 1; i++)); do wait_log "r$i" 'hostnetrtp-allocation|ERROR' || echo "r$i said nothing"; done

held=() refused=()
for ((i = 1; i <= N + 1; i++)); do
  if grep -q 'hostnetrtp-allocation' "$work/r$i.log"; then held+=("$i"); else refused+=("$i"); fi
done
check "$N replicas hold a pair, 1 is refused" test ${#held[@]} -eq "$N" -a ${#refused[@]} -eq 1
r=${refused[0]:-0}
check "the refused replica names the range and the count" \
  grep -q "no free even/odd port pair left in port-range $range.*tried all $N pairs" "$work/r$r.log"
pid_var="pid_r$r"
alive() { ps -o stat= -p "$1" | grep -qv Z; }  # a zombie has exited
for ((i = 0; i < 100; i++)); do alive "${!pid_var}" || break; sleep 0.05; done
exited() { ! alive "$1"; }
check "the refused replica exits by itself" exited "${!pid_var}"
echo "#   refused replica done $(( ($(date +%s%N) - started) / 1000000 )) ms after the start"

all_ports=()
pairs_ok=1 loopback_ok=1
for i in "${held[@]}"; do
  pid_var="pid_r$i"
  read -r rtp rtcp extra <<<"$(ports_of "${!pid_var}")"
  if [ -n "${extra:-}" ] || [ $((rtp % 2)) -ne 0 ] || [ "$rtcp" -ne $((rtp + 1)) ] ||
     [ "$rtp" -lt "$base" ] || [ "$rtcp" -gt $((base + 2 * N - 1)) ]; then
    echo "#   replica $i holds: $rtp $rtcp ${extra:-}"; pairs_ok=0
  fi
  case "$(addresses_of "${!pid_var}")" in *127.*|*::1*) loopback_ok=0 ;; esac
  all_ports+=("$rtp")
  eval "port_r$i=$rtp"
done
check "every replica holds one even/odd pair inside the range (kernel view)" [ $pairs_ok -eq 1 ]
check "no replica socket is on loopback (kernel view)" [ $loopback_ok -eq 1 ]
check "all pairs are distinct" [ "$(printf '%s\n' "${all_ports[@]}" | sort -u | wc -l)" -eq "$N" ]

echo "# each replica receives only its own sender"
for i in "${held[@]}"; do
  port_var="port_r$i"
  gst-launch-1.0 -q videotestsrc num-buffers=10 ! x264enc tune=zerolatency speed-preset=ultrafast \
    ! rtph264pay ssrc=$((0x5E000000 + i)) ! udpsink host=127.0.0.1 port="${!port_var}" >/dev/null 2>&1 &
done
own_ok=1
for i in "${held[@]}"; do
  if ! wait_log "r$i" "ssrc=\(uint\)$((0x5E000000 + i))\b"; then own_ok=0; echo "#   replica $i never saw its sender"; fi
  others=$(grep -o '[ ,]ssrc=(uint)[0-9]*' "$work/r$i.log" | sed 's/^.//' | sort -u | grep -vc "^ssrc=(uint)$((0x5E000000 + i))$")
  [ "$others" -eq 0 ] || { own_ok=0; echo "#   replica $i saw $others foreign SSRC(s)"; }
done
check "every replica got its own sender's SSRC and no other" [ $own_ok -eq 1 ]

echo "# SIGKILL frees a pair at once"
victim=${held[0]}
pid_var="pid_r$victim"; port_var="port_r$victim"
kill -9 "${!pid_var}"; wait "${!pid_var}" 2>/dev/null
flock -u 9
launch "$text" late
pid_late=${pid_late:?}
wait_log late 'hostnetrtp-allocation|ERROR'
check "a new replica takes the killed replica's pair" [ "$(ports_of "$pid_late")" = "${!port_var} $((${!port_var} + 1)) " ]

echo "# a SO_REUSEADDR/SO_REUSEPORT squatter is stepped over"
sbase=$((base + 2 * N + 2))
srange="$sbase-$((sbase + 5))"
gst-launch-1.0 udpsrc port=$sbase ! fakesink >/dev/null 2>&1 &   # udpsrc binds with reuse
squatter=$!; pids+=("$squatter")
for ((i = 0; i < 100; i++)); do [ -n "$(ports_of $squatter)" ] && break; sleep 0.05; done
stext="hostnetrtpsrc port-range=$srange encoding-name=H264 ! fakesink"
launch "$stext" s1; launch "$stext" s2
wait_log s1 'hostnetrtp-allocation|ERROR'; wait_log s2 'hostnetrtp-allocation|ERROR'
squat_ok=1
for s in s1 s2; do
  pid_var="pid_$s"
  case " $(ports_of "${!pid_var}")" in *" $sbase "*|*" $((sbase + 1)) "*|" ") squat_ok=0 ;; esac
done
[ "$(ss -uanpH "sport = :$sbase" | wc -l)" -eq 1 ] || squat_ok=0
check "two replicas start beside the squatter and never share its port" [ $squat_ok -eq 1 ]

echo "# negative control: the same with stock rtpsrc double-binds one port"
nport=$((sbase + 8))
ntext="rtpsrc port=$nport encoding-name=H264 ! fakesink"
launch "$ntext" n1; launch "$ntext" n2
for ((i = 0; i < 100; i++)); do [ "$(ss -uanpH "sport = :$nport" | wc -l)" -ge 2 ] && break; sleep 0.05; done
check "two rtpsrc replicas both bound port $nport (the problem is real here)" \
  [ "$(ss -uanpH "sport = :$nport" | grep -c gst-launch)" -ge 2 ]

echo "# SIGTERM stops a replica cleanly; SIGKILL leaves a stale SDP that the controller skips"
sdpdir=$work/sdp; mkdir -p "$sdpdir"
tbase=$((sbase + 12))
replica_text="hostnetrtpsrc port-range=$tbase-$((tbase + 7)) encoding-name=H264 sdp-file=$sdpdir/{rtp-port}.sdp advertise-address=127.0.0.1 loopback-policy=allow ! fakesink"
run_replica() {  # name
  "$HOSTNETRTP_BUILD/examples/hostnetrtp-replica" "$replica_text" >"$work/$1.log" 2>&1 &
  pids+=($!); eval "pid_$1=$!"
  wait_log "$1" '^allocation|^error'
}
sdp_of() { sed -n 's/^allocation .* ports=\([0-9]*\)\/.*/\1/p' "$work/$1.log" | sed "s|.*|$sdpdir/&.sdp|"; }
run_replica t1
t1_sdp=$(sdp_of t1)
check "a replica wrote its SDP" test -f "$t1_sdp"
kill -TERM "$pid_t1"; wait "$pid_t1"; t1_exit=$?
check "SIGTERM: the replica exits 0 after stopping its pipeline" \
  sh -c "[ $t1_exit -eq 0 ] && grep -q '^stopped exit=0' '$work/t1.log'"
t1_port=$(basename "$t1_sdp" .sdp)
check "SIGTERM: its SDP is removed and its ports are free" \
  sh -c "[ ! -e '$t1_sdp' ] && [ -z \"\$(ss -uanH 'sport = :$t1_port')\" ]"
run_replica t2
t2_sdp=$(sdp_of t2)
kill -9 "$pid_t2"; wait "$pid_t2" 2>/dev/null
# t2's pair is free again: hold it, or t3 may take it and write its SDP over
# the stale one (which is right, but not what this part shows).
/usr/bin/python3 -c "import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', int(sys.argv[1])))
print('held', flush=True); time.sleep(600)" "$(basename "$t2_sdp" .sdp)" >"$work/holder.log" 2>&1 &
holder=$!; pids+=("$holder")
wait_log holder '^held'
run_replica t3
t3_sdp=$(sdp_of t3)
"$(dirname "$0")/../../examples/camera-controller" --sdp-dir "$sdpdir" --cameras 2 --send-to 127.0.0.1 >"$work/controller.log" 2>&1 &
controller=$!; pids+=("$controller")
wait_log controller "claimed camera=.*sdp=$t3_sdp"
wait_log controller "skipped sdp=$t2_sdp reason=writer-gone"
check "the controller claims a camera for the live replica's SDP only" \
  sh -c "grep -q 'claimed camera=.*sdp=$t3_sdp' '$work/controller.log' && ! grep -q 'claimed camera=.*sdp=$t2_sdp' '$work/controller.log'"
check "the killed replica's stale SDP is named as such" grep -q "skipped sdp=$t2_sdp reason=writer-gone" "$work/controller.log"
kill -TERM "$controller" "$pid_t3" "$holder"; wait "$controller" "$pid_t3" "$holder" 2>/dev/null

summary "replica race"
