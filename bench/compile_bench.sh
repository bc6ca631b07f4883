#!/usr/bin/env bash
# Compile-and-render benchmark: synthetic stacks of 100 and 1000 hosts (gen_stack.py),
# `foobarctl graph` (compile and render in memory, print the graph; dot is small, json
# lists every resource with its dependencies) and `foobarctl render` (the same, then
# write the tree). Prints wall time and peak RSS of each from /usr/bin/time -v.
# Usage: bench/compile_bench.sh [FOOBARCTL]   (default: build/foobarctl)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-${FOOBARCTL:-build/foobarctl}}
[ -x /usr/bin/time ] || { echo "compile_bench: /usr/bin/time missing (Debian package time)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/foobar-compile-bench.XXXXXX)
# Trees go to tmpfs when there is one, so the figures are foobarctl's, not the disk's.
TREES=$WORK
[ -d /dev/shm ] && TREES=$(mktemp -d /dev/shm/foobar-compile-bench.XXXXXX)
trap 'rm -rf "$WORK" "$TREES"' EXIT

measure() { # LABEL CMD...
  local label=$1; shift
  /usr/bin/time -v "$@" >"$WORK/out" 2>"$WORK/time" || { cat "$WORK/time"; exit 1; }
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time")
  printf '%-32s wall %-9s peak RSS %6d MiB\n' "$label" "$wall" $((rss / 1024))
}

for n in 100 1000; do
  python3 bench/gen_stack.py "$n" >"$WORK/stack-$n.yaml"
  measure "graph --format dot $n" "$BIN" graph "$WORK/stack-$n.yaml" --format dot
  measure "graph --format json $n" "$BIN" graph "$WORK/stack-$n.yaml" --format json
  measure "render $n hosts ($(stat -f -c %T "$TREES"))" "$BIN" render "$WORK/stack-$n.yaml" -o "$TREES/tree-$n"
  files=$(find "$TREES/tree-$n" -type f ! -name '.foobar-render*' | wc -l)
  bytes=$(find "$TREES/tree-$n" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
  printf '%-32s %d files, %d KiB\n' "  tree" "$files" $((bytes / 1024))
  rm -rf "$TREES/tree-$n"
done
measure "render 1000 hosts (disk $WORK)" "$BIN" render "$WORK/stack-1000.yaml" -o "$WORK/tree-1000"
