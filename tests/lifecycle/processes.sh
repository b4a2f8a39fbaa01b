#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# 20 gst-launch-1.0 processes started at the same instant with one pipeline
# text on a range of 8 pairs: 8 bind a pair each, 12 fail with an error that
# names the range and the count, and exit by themselves. Ports, read from
# the kernel (ss), are all distinct even/odd pairs, and all free again once
# the processes are gone. Ends "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/../testlib.sh"
work=$(mktemp -d)
pids=()
cleanup() { [ ${#pids[@]} -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
base=$((20000 + 2 * (RANDOM % 5000)))
range="$base-$((base + 15))"
text="hostnetrtpsrc port-range=$range encoding-name=H264 ! fakesink"
exec 9>"$work/gate"; flock -x 9
for ((i = 1; i <= 20; i++)); do
  # shellcheck disable=SC2086 # the pipeline is split into gst-launch arguments on purpose
  sh -c 'flock -s "$0" true && exec gst-launch-1.0 -m $1' "$work/gate" "$text" >"$work/p$i.log" 2>&1 &
  pids+=($!)
done
start=$(date +%s%N)
flock -u 9
bound=0 refused=0
for ((i = 1; i <= 20; i++)); do
  for ((t = 0; t < 200; t++)); do
    grep -qE 'hostnetrtp-allocation|ERROR' "$work/p$i.log" && break
    sleep 0.05
  done
  if grep -q hostnetrtp-allocation "$work/p$i.log"; then bound=$((bound + 1)); else refused=$((refused + 1)); fi
done
echo "# all 20 answered within $(( ($(date +%s%N) - start) / 1000000 )) ms: $bound bound, $refused refused"
check "8 processes bound a pair" test "$bound" -eq 8
check "12 were refused" test "$refused" -eq 12
clear=1
for f in "$work"/p*.log; do
  grep -q hostnetrtp-allocation "$f" && continue
  grep -q "no free even/odd port pair left in port-range $range.*tried all 8 pairs" "$f" || clear=0
done
check "every refusal names the range and that all 8 pairs were tried" test $clear -eq 1
ports=$(ss -uanpH | grep gst-launch | awk '{print $4}' | sed 's/.*://' | sort -n)
pairs_ok=1
for p in $ports; do
  [ "$p" -ge "$base" ] && [ "$p" -le $((base + 15)) ] || pairs_ok=0
done
check "16 ports bound, all inside the range (kernel: $(echo $ports | wc -w))" \
  sh -c "[ $(echo "$ports" | grep -c .) -eq 16 ] && [ $pairs_ok -eq 1 ]"
check "no port bound twice" test "$(echo "$ports" | sort -u | grep -c .)" -eq 16
exited=0
for pid in "${pids[@]}"; do
  for ((t = 0; t < 100; t++)); do
    ps -o stat= -p "$pid" 2>/dev/null | grep -qv Z || break
    sleep 0.05
  done
  ps -o stat= -p "$pid" 2>/dev/null | grep -qv Z || exited=$((exited + 1))
done
check "the 12 refused processes exited by themselves" test "$exited" -eq 12
kill -INT "${pids[@]}" 2>/dev/null
wait 2>/dev/null
pids=()
check "all ports free once they are gone (kernel)" test -z "$(ss -uanH "sport >= :$base and sport <= :$((base + 15))")"
summary "20 processes on 8 pairs"
