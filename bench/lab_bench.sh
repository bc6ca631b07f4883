#!/usr/bin/env bash
# Lab benchmark: bring up N sshd-only hosts (default 20), then run one command on
# every host at once over SSH (one connection per host), then take the lab down.
# Prints wall time and peak RSS of each step. Needs root.
# Usage: bench/lab_bench.sh [N]   (FOOBARCTL=path overrides build/foobarctl)
set -euo pipefail
N=${1:-20}
F=${FOOBARCTL:-build/foobarctl}
LAB=bench
[ "$(id -u)" -eq 0 ] || { echo "lab_bench: needs root" >&2; exit 1; }
[ "$N" -ge 1 ] && [ "$N" -le 250 ] || { echo "lab_bench: N must be 1..250" >&2; exit 1; }
trap '"$F" lab down "$LAB" >/dev/null 2>&1 || true' EXIT
hosts=()
for i in $(seq 1 "$N"); do hosts+=(--host "b$i=10.77.0.$((i + 1))"); done

measure() {  # label, command...: prints "label: wall X s, peak RSS Y MB"
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -v "$@" >"$log.out" 2>"$log" || { cat "$log.out" "$log" >&2; exit 1; }
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
  printf '%-28s wall %8s  peak RSS %6.1f MB\n' "$label" "$wall" "$(awk "BEGIN{print $rss/1024}")"
  tail -n 1 "$log.out" | sed 's/^/    /'
  rm -f "$log" "$log.out"
}

echo "lab benchmark: $N hosts, $(nproc) cores"
measure "lab up ($N hosts)" "$F" lab up "$LAB" "${hosts[@]}"
measure "exec-all true ($N hosts)" "$F" lab exec-all "$LAB" -- true
measure "exec-all uname ($N hosts)" "$F" lab exec-all "$LAB" -- uname -n
measure "lab down ($N hosts)" "$F" lab down "$LAB"
