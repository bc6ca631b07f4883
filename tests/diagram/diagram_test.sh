#!/usr/bin/env bash
# foobarctl diagram over the four reference stacks: Graphviz accepts the dot output,
# which holds the nodes and edges each design must show; the mermaid output is a
# left-to-right flowchart with the same nodes.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${FOOBARCTL:?set FOOBARCTL to the foobarctl binary}"
command -v dot >/dev/null || { echo "graphviz (dot) is not installed"; exit 1; }

TMP=$(mktemp -d /tmp/foobar-diagram-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail=0
has() {  # has FILE LABEL FIXED-STRING
  if grep -qF -- "$3" "$1"; then echo "ok: $2: $3"; else echo "FAIL: $2: missing $3"; fail=1; fi
}
lacks() {
  if grep -qF -- "$3" "$1"; then echo "FAIL: $2: unexpected $3"; fail=1; else echo "ok: $2: no $3"; fi
}

for f in stacks/[0-3]-*.yaml; do
  n=$(basename "$f" | cut -c1)
  "$FOOBARCTL" diagram "$f" >"$TMP/$n.dot"
  "$FOOBARCTL" diagram --format mermaid "$f" >"$TMP/$n.mmd"
  if dot -Tsvg "$TMP/$n.dot" -o "$TMP/$n.svg"; then echo "ok: stack$n: dot -Tsvg"; else echo "FAIL: stack$n: dot rejected"; fail=1; fi
  head -1 "$TMP/$n.mmd" | grep -qx 'flowchart LR' || { echo "FAIL: stack$n: mermaid header"; fail=1; }
  has "$TMP/$n.dot" "stack$n" 'rankdir=LR'
  has "$TMP/$n.dot" "stack$n" 'user [label='
  has "$TMP/$n.dot" "stack$n" 'dns [label="www.foobar.com'
  has "$TMP/$n.dot" "stack$n" 'user -> dns'
  # Every host of the stack is a node in both formats, with its address.
  for h in $(sed -n 's/^  \([a-z0-9-]*\): *{ *address: \([0-9.]*\).*/\1=\2/p' "$f"); do
    id=h_$(cut -d= -f1 <<<"$h" | tr - _); addr=$(cut -d= -f2 <<<"$h")
    has "$TMP/$n.dot" "stack$n" "  $id [label=\"${h%%=*}\\n$addr"
    has "$TMP/$n.mmd" "stack$n mermaid" "$id[\"${h%%=*}<br/>$addr"
  done
  grep -c -- '-> ' "$TMP/$n.dot" >/dev/null
done

# Stack 0: one node carrying web, app and db; nothing else.
has "$TMP/0.dot" stack0 'subgraph cluster_web_app_db'
has "$TMP/0.dot" stack0 'dns -> h_web_01'
lacks "$TMP/0.dot" stack0 'vip [label='
lacks "$TMP/0.dot" stack0 '"replication"'
lacks "$TMP/0.dot" stack0 'h_mon_01'
has "$TMP/0.dot" stack0 '(no firewall)'
# Stack 1: LB in front of two web+app servers, replication, no firewall, no monitoring.
has "$TMP/1.dot" stack1 'h_lb_01 -> h_web_01 [label="HTTP :80"]'
has "$TMP/1.dot" stack1 'h_lb_01 -> h_web_02;'
has "$TMP/1.dot" stack1 'h_db_01 -> h_db_02 [label="replication"'
has "$TMP/1.mmd" "stack1 mermaid" 'h_db_01 ==>|"replication"| h_db_02'
has "$TMP/1.dot" stack1 'h_web_01 -> h_db_01 [label="writes :3306"]'
lacks "$TMP/1.dot" stack1 'vip [label='
lacks "$TMP/1.mmd" stack1 'scrape'
lacks "$TMP/1.dot" stack1 'style="dashed,rounded"'
# Stack 2: firewalled boxes with their ports, HTTPS, scrapes from mon-01 to every host.
has "$TMP/2.dot" stack2 'style="dashed,rounded"'
has "$TMP/2.dot" stack2 'any: 80, 443'
has "$TMP/2.dot" stack2 'admin: ssh 22'
has "$TMP/2.dot" stack2 'user -> dns [label="HTTPS"]'
for h in h_lb_01 h_web_01 h_web_02 h_db_01 h_db_02; do has "$TMP/2.dot" stack2 "h_mon_01 -> $h [style=dashed"; done
has "$TMP/2.mmd" "stack2 mermaid" 'h_mon_01 -.->|"scrape"| h_db_02'
lacks "$TMP/2.dot" stack2 'vip [label='
# Stack 3: the floating IP in front of the LB pair, separate web and app tiers.
has "$TMP/3.dot" stack3 'vip [label="floating IP\n10.77.0.10\nVRRP id 51"'
has "$TMP/3.mmd" "stack3 mermaid" 'vip{{"floating IP<br/>10.77.0.10'
has "$TMP/3.dot" stack3 'dns -> vip'
has "$TMP/3.dot" stack3 'vip -> h_lb_01 [label="MASTER"]'
has "$TMP/3.dot" stack3 'vip -> h_lb_02 [label="BACKUP (failover)", style=dashed]'
has "$TMP/3.dot" stack3 'h_web_01 -> h_app_01 [label="proxy :8000"]'
has "$TMP/3.mmd" "stack3 mermaid" 'h_web_02 -->|"proxy :8000"| h_app_01'
has "$TMP/3.dot" stack3 'h_app_01 -> h_db_02 [label="reads", style=dashed]'
has "$TMP/3.dot" stack3 'lb peers: vrrp'
has "$TMP/3.dot" stack3 '10.77.0.51/32: 9113'
for c in lb web app db monitoring; do has "$TMP/3.dot" stack3 "subgraph cluster_$c {"; done

# Invalid input and bad options fail with 1.
printf 'stack: broken\nhosts: {}\n' >"$TMP/broken.yaml"
rc=0; "$FOOBARCTL" diagram "$TMP/broken.yaml" >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || { echo "FAIL: invalid stack exit $rc, want 1"; fail=1; }
rc=0; "$FOOBARCTL" diagram --format svg stacks/0-simple-web-stack.yaml >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || { echo "FAIL: bad format exit $rc, want 1"; fail=1; }
exit $fail
