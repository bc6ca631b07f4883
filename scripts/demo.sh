#!/usr/bin/env bash
# The README's main job: install what is needed, build, bring up the lab for a
# reference stack, plan and apply it, and send requests through it as a visitor would:
# www.foobar.com resolved by the stack's own nameserver (NSD on a lab host), HTTPS
# verified against the lab's CA.
#   bash scripts/demo.sh [STACK]     (default: stacks/3-scale-up.yaml)
# The lab stays up afterwards so that you can look around; the last lines say how
# to tear it down.
set -euo pipefail
cd "$(dirname "$0")/.."
STACK=${1:-stacks/3-scale-up.yaml}
bash scripts/setup.sh >/dev/null
bash scripts/build.sh >/dev/null
F=${FOOBAR_BUILD_DIR:-build}/foobarctl
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
visit() { "$F" lab client "$STACK" -- curl "$@"; }

say "validate and review $STACK"
"$F" validate "$STACK"
"$F" check "$STACK" | tail -n 1 || true
mkdir -p out
"$F" diagram "$STACK" > out/diagram.dot
dot -Tpng out/diagram.dot -o out/diagram.png && echo "diagram: out/diagram.png (source out/diagram.dot)"

say "lab up"
"$F" lab down "$STACK" >/dev/null 2>&1 || true
"$F" lab up "$STACK" | sed -n '1p;$p'

say "plan"
"$F" plan --lab --no-color "$STACK" > out/plan.txt || true
echo "full plan with diffs: out/plan.txt"
# The summary, and what the roll interrupts (printed after it) if anything.
grep -E '^(Plan: |Interrupts )' out/plan.txt || tail -n 1 out/plan.txt

say "apply"
"$F" apply --lab --no-color --auto-approve "$STACK" > out/apply.txt || { cat out/apply.txt; exit 1; }
echo "full log: out/apply.txt"
tail -n 1 out/apply.txt

scheme=http
grep -qE 'tls: \{ *enabled: true' "$STACK" && scheme=https
site="$scheme://www.foobar.com" note=""
[ $scheme = https ] && note=", certificate checked against the lab's CA"
say "requests to $site (name resolved by the stack's nameserver$note)"
"$F" lab client "$STACK" -- getent hosts www.foobar.com | awk '{print "www.foobar.com is " $1}'
for _ in $(seq 30); do
  [ "$(visit -s -m 5 -o /dev/null -w '%{http_code}' "$site/healthz" || true)" = 200 ] && break
  sleep 1
done
visit -s -m 5 -o /dev/null -w '%{http_code} ' -d author=demo -d "message=hello from the demo" "$site/entries" || true
echo "POST $site/entries"
for _ in 1 2 3 4; do
  visit -s -m 5 -o /dev/null -D - "$site/" | tr -d '\r' |
    awk -v u="$site/" 'NR==1 {s=$2} tolower($1)=="x-served-by:" {h=$2} END {print s, "GET", u, "served by", h}'
done

say "replication"
for replica in $("$F" lab status "$STACK" | awk '$1 ~ /^db-/ && $1 != "db-01" {print $1}'); do
  "$F" lab ssh "$replica" -- "mysql -e 'SHOW SLAVE STATUS\\G'" |
    awk -v r="$replica" '/Master_Host:/ {m=$2} /Slave_IO_Running:/ {io=$2} /Slave_SQL_Running:/ {sq=$2}
      /Seconds_Behind_Master:/ {lag=$2} END {printf "%s replicates from %s: IO %s, SQL %s, %s s behind\n", r, m, io, sq, lag}'
done

say "second plan"
"$F" plan --lab --no-color "$STACK" | tail -n 1

say "done"
echo "browse:     $F lab client $STACK -- curl $site/"
echo "look around: $F lab ssh <host>"
echo "tear down:  $F destroy --lab --auto-approve $STACK && $F lab down $STACK"
