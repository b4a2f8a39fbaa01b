#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# 24 gst-launch-1.0 processes started at the same instant with one identical
# line, location=rtsp://<one camera> and one port-range of 24 pairs: 24
# sessions at the camera, 24 distinct even/odd pairs (the kernel's view),
# none on loopback, each decoding. Then the same with rtspsrc port-range as
# the negative control: its failures are counted. Ends "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
N=${RECEIVERS:-24}
work=$(mktemp -d)
pids=()
cleanup() { [ ${#pids[@]} -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] && cp "$work/camera.log" /tmp/race-camera.log; rm -rf "$work"; }
trap cleanup EXIT

mkfifo "$work/camera.in"
/usr/bin/python3 "$here/../../examples/rtsp-camera.py" <"$work/camera.in" >"$work/camera.log" 2>&1 &
camera=$!; pids+=("$camera")
exec 7>"$work/camera.in"
wait_for "$work/camera.log" '^ready port=' || { echo "FAIL - the camera did not start"; cat "$work/camera.log"; exit 1; }
port=$(sed -n 's/^ready port=//p' "$work/camera.log")
location="rtsp://127.0.0.1:$port/cam"

base=$((20000 + 2 * (RANDOM % 5000)))
range="$base-$((base + 2 * N - 1))"
# Each process decodes; fpsdisplaysink tells how many frames it rendered.
sink="rtph264depay ! h264parse ! avdec_h264 ! fpsdisplaysink video-sink=fakesink text-overlay=false sync=false"

run_all() {  # element-text tag
  exec 9>"$work/gate"; flock -x 9
  for ((i = 1; i <= N; i++)); do
    # shellcheck disable=SC2086 # the pipeline is split into gst-launch arguments on purpose
    sh -c 'flock -s "$0" true && exec gst-launch-1.0 -v $1' "$work/gate" "$1 ! $sink" >"$work/$2$i.log" 2>&1 &
    pids+=($!); eval "pid_$2$i=$!"
  done
  flock -u 9
}

echo "# $N hostnetrtpsrc receivers at once: location=$location port-range=$range"
run_all "hostnetrtpsrc location=$location port-range=$range" h
# One deadline for all of them (60 s), not one each: a camera that died
# (gst-rtsp-server has asserted under load here) fails the test at once.
decoding=0 deadline=$((SECONDS + 60))
for ((i = 1; i <= N; i++)); do
  until grep -qE 'rendered: [1-9]|ERROR' "$work/h$i.log" 2>/dev/null || [ $SECONDS -ge $deadline ] ||
      ! kill -0 "$camera" 2>/dev/null; do sleep 0.05; done
  grep -qE 'rendered: [1-9]' "$work/h$i.log" && decoding=$((decoding + 1))
done
kill -0 "$camera" 2>/dev/null || echo "# the camera died: $(grep -m1 -E 'ERROR|assert' "$work/camera.log")"
check "all $N receivers decode ($decoding)" test "$decoding" -eq "$N"
echo sessions >&7
wait_for "$work/camera.log" '^sessions ' 100
check "the camera holds $N sessions ($(sed -n 's/^sessions //p' "$work/camera.log" | tail -n1))" \
  test "$(sed -n 's/^sessions //p' "$work/camera.log" | tail -n1)" = "$N"
pairs_ok=1 loopback=0 all=()
for ((i = 1; i <= N; i++)); do
  pid_var="pid_h$i"
  # the gst-launch process (sh exec'd into it): its UDP sockets, from the kernel
  sockets=$(ss -uanpH | grep "pid=${!pid_var}," | awk '{print $4}')
  ports=$(sed 's/.*://' <<<"$sockets" | sort -n | tr '\n' ' ')
  read -r rtp rtcp extra <<<"$ports"
  if [ -n "${extra:-}" ] || [ $((rtp % 2)) -ne 0 ] || [ "$rtcp" -ne $((rtp + 1)) ] ||
     [ "$rtp" -lt "$base" ] || [ "$rtcp" -gt $((base + 2 * N - 1)) ]; then pairs_ok=0; echo "#   receiver $i holds $ports"; fi
  grep -qE '^(127\.|\[::1\]|\[::ffff:127)' <<<"$sockets" && loopback=1
  all+=("$rtp")
done
check "each holds one even/odd pair inside the range (kernel view)" test $pairs_ok -eq 1
check "the $N pairs are distinct" test "$(printf '%s\n' "${all[@]}" | sort -u | wc -l)" -eq "$N"
check "no socket on loopback" test $loopback -eq 0
setups=$(grep -c '^setup transport=.*client_port=' "$work/camera.log")
check "the camera was told $N distinct client_port pairs ($setups SETUPs)" \
  test "$(grep -o 'client_port=[0-9]*-[0-9]*' "$work/camera.log" | sort -u | wc -l)" -eq "$N"
kill -INT "${pids[@]:1}" 2>/dev/null
wait "${pids[@]:1}" 2>/dev/null
pids=("$camera")

echo "# negative control: $N rtspsrc receivers at once with the same port-range"
run_all "rtspsrc location=$location port-range=$range protocols=udp" r
failed=0 decoded=0 deadline=$((SECONDS + 60))
for ((i = 1; i <= N; i++)); do
  until grep -qE 'rendered: [1-9]|ERROR' "$work/r$i.log" 2>/dev/null || [ $SECONDS -ge $deadline ] ||
      ! kill -0 "$camera" 2>/dev/null; do sleep 0.05; done
  if grep -q 'rendered: [1-9]' "$work/r$i.log"; then decoded=$((decoded + 1)); else failed=$((failed + 1)); fi
done
reasons=$(grep -h -m1 '^ERROR: from element' "$work"/r*.log | sed 's/^ERROR: from element [^ ]*: //' | sort | uniq -c | sed 's/^ *//')
echo "#   rtspsrc: $decoded decoded, $failed failed${reasons:+ ($reasons)}"
check "rtspsrc with the same port-range fails some receivers (the problem is real here)" \
  sh -c "test $failed -gt 0 && kill -0 $camera"  # not because the camera died
kill -INT "${pids[@]:1}" 2>/dev/null
wait "${pids[@]:1}" 2>/dev/null
echo quit >&7
summary "24 receivers, one camera"
