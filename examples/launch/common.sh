# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the launch examples: the plugin from this checkout's build if
# there is one, a free port range, a receiver started in the background
# whose allocation is read from its bus messages (gst-launch-1.0 -m), and
# cameras (senders) on loopback that stop with the script.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ -d "$root/build/gst/hostnetrtp" ]; then
  export GST_PLUGIN_PATH=$root/build/gst/hostnetrtp${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}
fi
gst-inspect-1.0 hostnetrtpsrc >/dev/null 2>&1 ||
  { echo "hostnetrtpsrc is not found: run scripts/build, or meson install -C build" >&2; exit 1; }
work=$(mktemp -d)
children=()
cleanup() {
  [ ${#children[@]} -eq 0 ] || kill "${children[@]}" 2>/dev/null || true
  wait 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# A random range of $1 free even/odd pairs below the ephemeral ports.
free_range() {
  /usr/bin/python3 - "$1" <<'PY'
import random, socket, sys
pairs = int(sys.argv[1])
while True:
    base = 2 * random.randrange(6000, 15000)
    try:
        held = []
        for port in range(base, base + 2 * pairs):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            held.append(s)
            s.bind(("0.0.0.0", port))
        print(f"{base}-{base + 2 * pairs - 1}")
        break
    except OSError:
        pass
    finally:
        for s in held:
            s.close()
PY
}

# show COMMAND...: prints "+ COMMAND" as it could be pasted into a shell.
show() {
  local line="+" arg
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=,+@%!-]*$ ]]; then line+=" $arg"; else line+=" '${arg//\'/\'\\\'\'}'"; fi
  done
  echo "$line"
}

# receive NAME PIPELINE...: runs gst-launch-1.0 -m PIPELINE in the
# background, its output in $work/NAME.log, its pid in $receiver_pid.
receive() {
  local name=$1
  shift
  show gst-launch-1.0 "$@"
  timeout 30 gst-launch-1.0 -m "$@" >"$work/$name.log" 2>&1 &
  receiver_pid=$!
  children+=("$receiver_pid")
}

# allocation NAME FIELD: waits (10 s) for the receiver's hostnetrtp-allocation
# message and prints FIELD of it (rtp-port, rtcp-port, advertise-address, ...).
allocation() {
  local log=$work/$1.log field=$2
  for _ in $(seq 100); do
    if grep -q "hostnetrtp-allocation" "$log" 2>/dev/null; then
      grep -m1 "hostnetrtp-allocation" "$log" | grep -o "$field=([a-z]*)[^,;]*" | head -1 | sed 's/.*)//'
      return 0
    fi
    sleep 0.1
  done
  echo "no allocation from $1:" >&2
  cat "$log" >&2
  return 1
}

# h264_camera PORT [SSRC] [HOST] [extra udpsink properties]: an H264 camera
# sending RTP there.
h264_camera() {
  gst-launch-1.0 -q videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=25/1 \
    ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 \
    ! rtph264pay config-interval=1 pt=96 ssrc="${2:-0xca000001}" \
    ! udpsink host="${3:-127.0.0.1}" port="$1" ${4:-} >/dev/null 2>&1 &
  children+=($!)
}

# finish NAME WHAT: waits for the receiver (it ends itself by EOS after
# enough frames) and says whether it did.
finish() {
  local status=0
  wait "$receiver_pid" || status=$?
  if [ $status -eq 0 ] && grep -q "Got EOS" "$work/$1.log"; then
    echo "ok: $2"
  else
    echo "FAILED: $2 (gst-launch-1.0 exit $status)"
    tail -20 "$work/$1.log"
    return 1
  fi
}
