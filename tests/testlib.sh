# SPDX-License-Identifier: LGPL-2.1-or-later
# hostnetrtp — what every shell test shares: checks counted into the one
# "N passed, N failed" line scripts/test reads, a bounded wait for a line
# in a log (never a fixed sleep), and the skip (77, with the reason) when
# the machine cannot build network namespaces. Sourced, not run.
passes=0 failures=0

# check DESCRIPTION COMMAND...: counts COMMAND's success as a pass.
check() {
  local what=$1; shift
  if "$@"; then echo "ok   - $what"; passes=$((passes + 1)); else echo "FAIL - $what"; failures=$((failures + 1)); fi
}

# wait_for FILE REGEX [TRIES]: until FILE has a line matching REGEX, polled
# every 50 ms at most TRIES times (300: 15 s).
wait_for() {
  local i
  for ((i = 0; i < ${3:-300}; i++)); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# need_netns WHAT: skips the test unless root can make network namespaces.
need_netns() {
  if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
    echo "SKIP: needs root and ip netns to build $1"
    exit 77
  fi
}

# summary NAME: the last line, and the exit status.
summary() {
  echo "$passes passed, $failures failed ($1)"
  [ "$failures" -eq 0 ]
}
