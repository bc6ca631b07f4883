#!/usr/bin/env bash
# Wall time and CPU of foobarctl against lab hosts, each next to the ssh floor:
#  1. a reference stack (default stacks/3-scale-up.yaml): the floor (the system ssh
#     running `true` on every host in parallel), the first apply on fresh hosts, then
#     the no-op plan and the no-op apply of the applied stack;
#  2. N sshd-only lab hosts (default 100): the floor and a plan (one probe each).
# Each figure is the median of RUNS runs (default 3; the first apply gets a fresh lab per
# run). CPU is the whole machine's busy time from /proc/stat around the run (controller,
# sshd and everything the hosts ran), divided by the number of hosts.
# Usage: bench/plan_bench.sh [STACK] [N]     (root; brings labs up and down itself)
#        RUNS=5 bench/plan_bench.sh           more runs per figure
set -euo pipefail
cd "$(dirname "$0")/.."
STACK=${1:-stacks/3-scale-up.yaml}
N=${2:-100}
RUNS=${RUNS:-3}
F=${FOOBARCTL:-build/foobarctl}
TMP=$(mktemp -d)
HZ=$(getconf CLK_TCK)
cleanup() { "$F" lab down "$STACK" >/dev/null 2>&1 || true; "$F" lab down "$TMP/many.yaml" >/dev/null 2>&1 || true; rm -rf "$TMP"; }
trap cleanup EXIT
trap "exit 1" INT TERM

busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }  # user nice system irq softirq
now() { date +%s.%N; }

# Runs a command once; appends "wall cpu" (seconds) to $TMP/$1.runs.
run_once() {
  local key=$1; shift
  local c0 t0 t1 c1
  c0=$(busy); t0=$(now)
  "$@" >"$TMP/out" 2>&1 || { echo "failed: $*" >&2; tail -n 5 "$TMP/out" >&2; }
  t1=$(now); c1=$(busy)
  awk -v a="$t0" -v b="$t1" -v c="$c0" -v d="$c1" -v hz="$HZ" 'BEGIN { printf "%.3f %.3f\n", b - a, (d - c) / hz }' \
    >>"$TMP/$key.runs"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Prints "label  wall s  CPU s/host  ×floor" from the medians of $TMP/$key.runs.
report() {
  local key=$1 label=$2 hosts=$3 floor=${4:-}
  local wall cpu
  wall=$(cut -d' ' -f1 "$TMP/$key.runs" | median)
  cpu=$(cut -d' ' -f2 "$TMP/$key.runs" | median)
  echo "$wall $cpu" >"$TMP/$key.median"
  if [ -n "$floor" ]; then
    read -r fw fc <"$TMP/$floor.median"
    printf '%-34s %7.2f s  %6.3f CPU-s/host   %5.2fx floor wall  %5.2fx floor CPU\n' "$label" "$wall" \
      "$(awk -v c="$cpu" -v n="$hosts" 'BEGIN { print c / n }')" \
      "$(awk -v a="$wall" -v b="$fw" 'BEGIN { print a / b }')" "$(awk -v a="$cpu" -v b="$fc" 'BEGIN { print a / b }')"
  else
    printf '%-34s %7.2f s  %6.3f CPU-s/host\n' "$label" "$wall" "$(awk -v c="$cpu" -v n="$hosts" 'BEGIN { print c / n }')"
  fi
}

ratio() { awk -v a="$(cut -d' ' -f1 "$TMP/$1.median")" -v b="$(cut -d' ' -f1 "$TMP/$2.median")" 'BEGIN { printf "%.2f", a / b }'; }

# The system ssh running `true` on every host of the lab in parallel, with the lab's key.
floor() {
  local dir
  dir=$(ls -d /var/lib/foobarctl/lab/*/ | head -n 1)
  local addrs
  addrs=$(awk '{ print $1 }' "$dir/known_hosts")
  for a in $addrs; do
    ssh -q -i "$dir/id_ed25519" -o UserKnownHostsFile="$dir/known_hosts" -o StrictHostKeyChecking=yes \
      -o BatchMode=yes "root@$a" true &
  done
  wait
}

echo "== $STACK ($RUNS runs each, medians)"
for ((i = 1; i <= RUNS; i++)); do
  "$F" lab up "$STACK" >/dev/null
  run_once floor floor
  run_once first "$F" apply --lab --auto-approve --no-color "$STACK"
  tail -n 1 "$TMP/out" >"$TMP/first.summary"
  if [ "$i" -lt "$RUNS" ]; then "$F" lab down "$STACK" >/dev/null; fi
done
H=$(awk '{ n++ } END { print n }' "$(ls -d /var/lib/foobarctl/lab/*/ | head -n 1)/known_hosts")
for ((i = 1; i <= RUNS; i++)); do
  run_once noop_plan "$F" plan --lab --no-color "$STACK"
  tail -n 1 "$TMP/out" >"$TMP/plan.summary"
  run_once noop_apply "$F" apply --lab --auto-approve --no-color "$STACK"
  run_once floor floor
done
"$F" lab down "$STACK" >/dev/null
report floor "ssh floor ($H hosts, true)" "$H"
report first "first apply" "$H" floor
echo "   ($(cat "$TMP/first.summary"))"
report noop_plan "no-op plan" "$H" floor
echo "   ($(cat "$TMP/plan.summary"))"
report noop_apply "no-op apply" "$H" floor
echo "no-op apply / no-op plan: $(ratio noop_apply noop_plan)x"

echo "== $N sshd-only hosts ($RUNS runs each, medians)"
{
  echo "stack: bench-many"
  echo "domain: bench.example"
  echo "hosts:"
  for ((i = 1; i <= N; i++)); do printf '  h-%03d: { address: 10.77.0.%d }\n' "$i" $((i + 1)); done
  echo "tiers:"
  echo "  web: { hosts: [h-001] }"
} >"$TMP/many.yaml"
"$F" lab up "$TMP/many.yaml" >/dev/null
for ((i = 1; i <= RUNS; i++)); do
  run_once many_floor floor
  run_once many_plan "$F" plan --lab --no-color "$TMP/many.yaml"
done
report many_floor "ssh floor ($N hosts, true)" "$N"
report many_plan "plan ($N hosts, one probe each)" "$N" many_floor
