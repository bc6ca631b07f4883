#!/usr/bin/env bash
# Lab benchmark: bring up N sshd-only hosts (default 20) of one init kind (default
# sysv), then run one command on every host at once over SSH (one connection per
# host), measure the memory of each host, then take the lab down. Prints wall time and
# peak RSS of each step, and per host the RSS and PSS of everything running in it.
# Needs root; run under the lab lock (flock /tmp/foobar-lab.lock).
# Usage: bench/lab_bench.sh [N] [systemd|sysv]   (FOOBARCTL=path overrides build/foobarctl)
set -euo pipefail
N=${1:-20}
INIT=${2:-sysv}
F=${FOOBARCTL:-build/foobarctl}
LAB=bench
[ "$(id -u)" -eq 0 ] || { echo "lab_bench: needs root" >&2; exit 1; }
[ "$N" -ge 1 ] && [ "$N" -le 250 ] || { echo "lab_bench: N must be 1..250" >&2; exit 1; }
case $INIT in systemd|sysv) ;; *) echo "lab_bench: init is systemd or sysv" >&2; exit 1 ;; esac
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
  grep -E '^lab .* is up|^ran ' "$log.out" | sed 's/^/    /' || true
  rm -f "$log" "$log.out"
}

# Memory of one host: RSS and PSS summed over every process in its network namespace
# (a systemd host's guest; its nspawn and supervisor run outside it and are added).
host_memory() {
  local h=$1 pids p rss=0 pss=0 r s
  pids=$(ip netns pids "fbl-$LAB.$h")
  if [ "$INIT" = systemd ]; then
    pids="$pids $(cat /sys/fs/cgroup/systemd/fbl-$LAB.$h/cgroup.procs /sys/fs/cgroup/systemd/fbl-$LAB.$h/supervisor/cgroup.procs 2>/dev/null)"
  fi
  for p in $pids; do
    r=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null) || r=0
    s=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null) || s=0
    rss=$((rss + ${r:-0})); pss=$((pss + ${s:-0}))
  done
  echo "$(echo $pids | wc -w) $rss $pss"
}

echo "lab benchmark: $N $INIT hosts, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
measure "lab up ($N hosts)" "$F" lab up "$LAB" --init "$INIT" "${hosts[@]}"
measure "exec-all true ($N hosts)" "$F" lab exec-all "$LAB" -- true
measure "exec-all uname ($N hosts)" "$F" lab exec-all "$LAB" -- uname -n
sleep 2  # sessions of the exec-all end
read -r procs rss pss < <(host_memory b1)
total_pss=0
for i in $(seq 1 "$N"); do read -r _ _ s < <(host_memory "b$i"); total_pss=$((total_pss + s)); done
printf '%-28s %d processes, RSS %.1f MB, PSS %.1f MB; all %d hosts: PSS %.1f MB (%.1f MB each)\n' \
  "memory of host b1" "$procs" "$(awk "BEGIN{print $rss/1024}")" "$(awk "BEGIN{print $pss/1024}")" "$N" \
  "$(awk "BEGIN{print $total_pss/1024}")" "$(awk "BEGIN{print $total_pss/1024/$N}")"
measure "lab down ($N hosts)" "$F" lab down "$LAB"
