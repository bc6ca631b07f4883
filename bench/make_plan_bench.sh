#!/usr/bin/env bash
# Plan computation benchmark: make_plan over 10,000 file resources with 2,000 diffs
# (bench/make_plan_bench.cc), no hosts involved. Builds its target in build/ first.
# Usage: bench/make_plan_bench.sh [HOSTS FILES LINES EVERY RUNS]   (default 100 100 200 5 7)
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target foobar_make_plan_bench >/dev/null
build/foobar_make_plan_bench "$@"
