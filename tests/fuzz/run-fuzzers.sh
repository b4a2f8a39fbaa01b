#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs every libFuzzer target for FUZZ_SECONDS each (default 20: the short
# run CI does; FUZZ_SECONDS=600 for a longer one), starting from the seed
# corpus in tests/fuzz/corpus (never written to: new inputs go to a temporary
# folder). Builds them first, with clang, in build-fuzz/ (ASan + UBSan +
# libFuzzer). A crash, a leak or a failed check fails. Ends "N passed, N failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${FUZZ_SECONDS:-20}
dir=$root/build-fuzz
if ! command -v clang++ >/dev/null; then
  echo "FAIL - clang++ is missing (scripts/install-deps installs clang and libclang-rt-14-dev)"
  echo "0 passed, 1 failed (fuzzing)"; exit 1
fi
if [ ! -f "$dir/build.ninja" ]; then
  setup_log=$(mktemp)  # not beside the sources: nothing generated goes into the tree
  CC=clang CXX=clang++ meson setup "$dir" "$root" -Dfuzz=enabled -Db_sanitize=address,undefined \
    -Db_lundef=false -Dtests=disabled -Dbench=disabled >"$setup_log" 2>&1 ||
    { cat "$setup_log"; rm -f "$setup_log"; echo "0 passed, 1 failed (fuzzing: setup)"; exit 1; }
  rm -f "$setup_log"
fi
ninja -C "$dir" tests/fuzz/fuzz_packets tests/fuzz/fuzz_settings tests/fuzz/fuzz_rtsp >/dev/null ||
  { echo "0 passed, 1 failed (fuzzing: build)"; exit 1; }
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$root/tests/fuzz/lsan.supp ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0
passes=0 failures=0
for target in packets settings rtsp; do
  work=$(mktemp -d)
  cp "$root/tests/fuzz/corpus/$target"/* "$work/"
  log=$work.log
  mkdir -p "$dir/artifacts"
  "$dir/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/$target-" "$work" >"$log" 2>&1
  status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  corpus=$(ls "$work" | wc -l)
  if [ $status -eq 0 ]; then
    echo "ok   - fuzz_$target: ${execs:-?} executions in ${seconds} s, corpus $corpus inputs, no crash"
    passes=$((passes + 1))
  else
    echo "FAIL - fuzz_$target (exit $status); the input is kept in $dir/artifacts:"
    grep -E "ERROR|SUMMARY|==[0-9]+==|Test unit written|#[0-9] " "$log" | head -20
    failures=$((failures + 1))
  fi
  rm -rf "$work" "$log"
done
echo "$passes passed, $failures failed (fuzzing)"
[ "$failures" -eq 0 ]
