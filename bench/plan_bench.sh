#!/usr/bin/env bash
# Wall time and peak memory of foobarctl against lab hosts:
#  1. no-op plan and no-op apply of a reference stack (default stacks/3-scale-up.yaml)
#     after it was applied once;
#  2. plan over N sshd-only lab hosts (default 100): one connection and one probe each.
# Usage: bench/plan_bench.sh [STACK] [N]     (root; brings labs up and down itself)
set -euo pipefail
cd "$(dirname "$0")/.."
STACK=${1:-stacks/3-scale-up.yaml}
N=${2:-100}
F=${FOOBARCTL:-build/foobarctl}
TMP=$(mktemp -d)
cleanup() { "$F" lab down "$STACK" >/dev/null 2>&1 || true; "$F" lab down "$TMP/many.yaml" >/dev/null 2>&1 || true; rm -rf "$TMP"; }
trap cleanup EXIT

# Runs a command under /usr/bin/time; prints "label: wall s, peak RSS MiB".
measure() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$TMP/time" "$@" >"$TMP/out" 2>&1 || true
  read -r wall rss <"$TMP/time"
  printf '%-40s %6.2f s   peak RSS %6.1f MiB   (%s)\n' "$label" "$wall" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" \
    "$(tail -n 1 "$TMP/out")"
}

echo "== $STACK"
"$F" lab up "$STACK" >/dev/null
measure "first apply" "$F" apply --lab --auto-approve --no-color "$STACK"
measure "no-op plan" "$F" plan --lab --no-color "$STACK"
measure "no-op apply" "$F" apply --lab --auto-approve --no-color "$STACK"
"$F" lab down "$STACK" >/dev/null

echo "== $N sshd-only hosts"
{
  echo "stack: bench-many"
  echo "domain: bench.example"
  echo "hosts:"
  for ((i = 1; i <= N; i++)); do printf '  h-%03d: { address: 10.77.0.%d }\n' "$i" $((i + 1)); done
  echo "tiers:"
  echo "  web: { hosts: [h-001] }"
} >"$TMP/many.yaml"
measure "lab up" "$F" lab up "$TMP/many.yaml"
measure "plan ($N hosts, one probe each)" "$F" plan --lab --no-color "$TMP/many.yaml"
measure "plan again" "$F" plan --lab --no-color "$TMP/many.yaml"
