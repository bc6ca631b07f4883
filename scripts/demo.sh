#!/usr/bin/env bash
# The README's main job: install what is needed, build, bring up the lab for a
# reference stack, plan and apply it, and send a request through it.
#   bash scripts/demo.sh [STACK]     (default: stacks/3-scale-up.yaml)
# The lab stays up afterwards so that you can look around; the last lines say how
# to tear it down.
set -euo pipefail
cd "$(dirname "$0")/.."
STACK=${1:-stacks/3-scale-up.yaml}
bash scripts/setup.sh
bash scripts/build.sh >/dev/null
F=${FOOBAR_BUILD_DIR:-build}/foobarctl
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "validate and review $STACK"
"$F" validate "$STACK"
"$F" check "$STACK" | tail -n 1 || true
mkdir -p out
"$F" diagram "$STACK" > out/diagram.dot
dot -Tpng out/diagram.dot -o out/diagram.png && echo "diagram: out/diagram.png"

say "lab up"
"$F" lab down "$STACK" >/dev/null 2>&1 || true
"$F" lab up "$STACK"

say "plan"
"$F" plan --lab "$STACK" > out/plan.txt || true
echo "full plan with diffs: out/plan.txt"
tail -n 1 out/plan.txt

say "apply"
"$F" apply --lab --auto-approve "$STACK" > out/apply.txt
tail -n 1 out/apply.txt

say "a request through the stack"
vip=$("$F" render "$STACK" -o out/render >/dev/null && sed -n 's/^www[[:space:]].*IN[[:space:]]*A[[:space:]]*//p' out/render/*/etc/foobar/dns/*.zone | head -n 1)
scheme=http; grep -q "enabled: true" <(sed -n '/tls:/p' "$STACK") && scheme=https
for i in 1 2 3 4 5 6 7 8 9 10; do
  code=$(curl -s -k -m 5 -o /dev/null -w '%{http_code}' --resolve "www.foobar.com:80:$vip" \
    --resolve "www.foobar.com:443:$vip" "$scheme://www.foobar.com/healthz" || true)
  [ "$code" = 200 ] && break
  sleep 1
done
curl -s -k -m 5 -d author=demo -d "message=hello from the demo" --resolve "www.foobar.com:80:$vip" \
  --resolve "www.foobar.com:443:$vip" "$scheme://www.foobar.com/entries" || true
for i in 1 2; do
  curl -s -k -m 5 -o /dev/null -D - --resolve "www.foobar.com:80:$vip" --resolve "www.foobar.com:443:$vip" \
    "$scheme://www.foobar.com/" | tr -d '\r' | grep -iE '^(HTTP|x-served-by)' | tr '\n' ' '
  echo
done

say "replication"
replica=$("$F" lab status "$STACK" | awk '/db-02/ {print $1}')
if [ -n "$replica" ]; then
  "$F" lab ssh "$replica" -- "mysql -e 'SHOW SLAVE STATUS\\G'" | grep -E 'Master_Host|Slave_(IO|SQL)_Running:' || true
fi

say "second plan"
"$F" plan --lab "$STACK" | tail -n 1

say "done"
echo "look around: $F lab ssh <host>      tear down: $F destroy --lab $STACK && $F lab down $STACK"
