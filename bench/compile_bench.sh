#!/usr/bin/env bash
# Compile-and-render benchmark: synthetic stacks of 100 and 1000 hosts (gen_stack.py),
# `foobarctl render` (compile, render every template of every host, write the tree)
# and `foobarctl graph --format json` (compile only, print the graph). Prints wall
# time and peak RSS of each from /usr/bin/time -v.
# Usage: bench/compile_bench.sh [FOOBARCTL]   (default: build/foobarctl)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-${FOOBARCTL:-build/foobarctl}}
[ -x /usr/bin/time ] || { echo "compile_bench: /usr/bin/time missing (Debian package time)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/foobar-compile-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

measure() { # LABEL CMD...
  local label=$1; shift
  /usr/bin/time -v "$@" >"$WORK/out" 2>"$WORK/time" || { cat "$WORK/time"; exit 1; }
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time")
  printf '%-28s wall %-9s peak RSS %6d MiB\n' "$label" "$wall" $((rss / 1024))
}

for n in 100 1000; do
  python3 bench/gen_stack.py "$n" >"$WORK/stack-$n.yaml"
  measure "render $n hosts" "$BIN" render "$WORK/stack-$n.yaml" -o "$WORK/tree-$n"
  files=$(find "$WORK/tree-$n" -type f ! -name '.foobar-render*' | wc -l)
  bytes=$(du -sb "$WORK/tree-$n" | cut -f1)
  printf '%-28s %d files, %d MiB\n' "  tree" "$files" $((bytes / 1048576))
  measure "graph --format json $n" "$BIN" graph "$WORK/stack-$n.yaml" --format json
  rm -rf "$WORK/tree-$n"
done
