#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into FOOBAR_FUZZ_DIR
# (build-fuzz/) and runs each for FUZZ_SECONDS (60) from a seed corpus of the
# project's own cases: the reference stacks and tests/bad/ for the stack loader,
# templates/ and both template corpora for the template engine. Prints the build
# time and libFuzzer's figures; exits non-zero when a target crashes, leaks, runs
# an input for more than 10 s or over 2 GiB (the input is left in the directory
# as crash-*, timeout-* or oom-*). Exits 77 when clang is missing.
# ctest runs it as the test `fuzz` with 30 s per target.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
dir=${FOOBAR_FUZZ_DIR:-build-fuzz}
command -v clang++ >/dev/null || { echo "SKIP: fuzz.sh needs clang++ (Debian package clang)"; exit 77; }
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
start=$(date +%s)
# -O1 with line tables: sanitizer reports keep their lines, the build stays short.
# Only the fuzz targets and the modules they reach (stack, template, util) are built.
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" \
  -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" -DFOOBAR_FUZZ=ON >/dev/null
cmake --build "$dir" -j"$(nproc)" --target fuzz_template fuzz_stack >/dev/null
echo "fuzz build: $(( $(date +%s) - start )) s"

run() {
  local target=$1; shift
  local corpus="$dir/corpus-$target" seeds="$dir/seeds-$target"
  rm -rf "$seeds"
  mkdir -p "$corpus" "$seeds"
  local f n=0
  for f in "$@"; do [[ -f $f ]] && cp "$f" "$seeds/$n-$(basename "$f")" && n=$((n + 1)); done
  echo "== $target: $n seeds, $seconds s"
  # New inputs go to corpus-*; the seeds are read as well. Inputs are capped at
  # 8 KiB and each run at 10 s; 2 GiB of memory at most.
  local rc=0
  "$dir/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
      -print_final_stats=1 -artifact_prefix="$dir/" "$corpus" "$seeds" >"$dir/$target.log" 2>&1 || rc=$?
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)|==[0-9]+==|SUMMARY|artifact|INFO: seed corpus" \
    "$dir/$target.log" || true
  if [[ $rc -ne 0 ]]; then
    echo "FAIL: $target exited with $rc (log: $dir/$target.log)"
    tail -40 "$dir/$target.log"
  fi
  return $rc
}
shopt -s nullglob
status=0
run fuzz_template tests/template/cases/*.j2 tests/template/ansible/*.j2 templates/*.j2 templates/*/*.j2 || status=1
run fuzz_stack stacks/*.yaml tests/bad/*.yaml tests/bad/*/*.yaml || status=1
echo "fuzz total: $(( $(date +%s) - start )) s"
exit $status
