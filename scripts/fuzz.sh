#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and runs
# each for FUZZ_SECONDS (60) from a seed corpus of the project's own cases: the
# template corpus and the reference and bad stacks. Prints libFuzzer's figures;
# exits non-zero when a target finds a crash (the input is left in build-fuzz/).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
dir=${FOOBAR_FUZZ_DIR:-build-fuzz}
command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ is needed (Debian package clang)" >&2; exit 1; }
start=$(date +%s)
# -O1 with line tables: sanitizer reports keep their lines, the build stays short.
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" \
  -DCMAKE_CXX_COMPILER=clang++ -DFOOBAR_FUZZ=ON >/dev/null
cmake --build "$dir" -j"$(nproc)" --target fuzz_template fuzz_stack >/dev/null
echo "fuzz build: $(( $(date +%s) - start )) s"

run() {
  local target=$1; shift
  local corpus="$dir/corpus-$target"
  mkdir -p "$corpus"
  for f in "$@"; do [[ -f $f ]] && cp -f "$f" "$corpus/"; done
  echo "== $target: $(ls "$corpus" | wc -l) seeds, $seconds s"
  # Inputs are capped at 8 KiB and each run at 10 s; 2 GiB of memory at most.
  (cd "$dir" && "./$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
      -print_final_stats=1 "corpus-$target" 2>&1 | grep -E "^(stat::|#[0-9]+ *DONE|==[0-9]+==|SUMMARY|artifact)" )
}
shopt -s nullglob
run fuzz_template tests/template/cases/*.j2 templates/*.j2 templates/*/*.j2
run fuzz_stack stacks/*.yaml tests/bad/*.yaml tests/bad/*/*.yaml
