#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs every launch example (examples/launch/*.sh) briefly: each starts its
# own receivers and cameras on loopback, ends by itself once the receiver
# decoded what it should (EOS), and says "ok: ..." for each thing it shows.
# An example passes when it exits 0 with no "FAILED" line.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
examples=$here/../../examples/launch
passes=0 failures=0
free_even_port() {
  /usr/bin/python3 -c '
import random, socket
while True:
    p = 2 * random.randrange(6000, 15000)
    try:
        a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(("0.0.0.0", p))
        b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(("0.0.0.0", p + 1))
        print(p); break
    except OSError:
        pass'
}
for script in "$examples"/*.sh; do
  name=$(basename "$script" .sh)
  [ "$name" = common ] && continue
  args=()
  [ "$name" = fixed-pair ] && args=("$(free_even_port)")  # not 5004: suites run beside others
  out=$(timeout 120 "$script" "${args[@]}" 2>&1)
  status=$?
  if [ $status -eq 0 ] && ! grep -q "^FAILED" <<<"$out" && grep -q "^ok: " <<<"$out"; then
    passes=$((passes + 1))
    grep "^ok: " <<<"$out" | sed "s/^ok: /ok   - $name: /"
  else
    failures=$((failures + 1))
    echo "FAIL - $name (exit $status)"
    sed 's/^/       /' <<<"$out" | tail -25
  fi
done
echo "$passes passed, $failures failed (launch examples)"
[ $failures -eq 0 ]
