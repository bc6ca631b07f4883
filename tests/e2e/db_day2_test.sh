#!/usr/bin/env bash
# Day 2 of the database tier (docs/day2.md), stack 1 on the lab: under a bounded
# read/write client through the LB, `db switchover --to db-02` refuses no write (a
# write issued during the switch waits), loses none and fails no read
# (check_switchover, checks.sh); plan and apply refuse until the stack file names
# db-02; after the edit, plan and apply find no changes. Then db-02's MariaDB is
# stopped and `db failover` promotes db-01, fences db-02, and writes work again.
set -euo pipefail
STACK=stacks/1-distributed.yaml
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/checks.sh"
LB=10.77.0.11
COPY=$TMP/stack.yaml
cp "$STACK" "$COPY"
lab_up
"$F" apply --lab --no-color --auto-approve "$COPY" >"$TMP/apply1" 2>&1 || { cat "$TMP/apply1"; fail "first apply failed"; }
wait_for "[ \"\$(status_of http://$LB/healthz)\" = 200 ]" 30 || fail "the LB does not answer"
ok "stack 1 applied: db-01 primary, db-02 its replica"

# 1. Switchover under load: no write refused, no read failed, none lost.
check_switchover "http://$LB"

# 2. The stack still names db-01: plan and apply refuse, naming the line and both hosts.
set +e; "$F" plan --lab --no-color "$COPY" >"$TMP/plan-refused" 2>&1; rc=$?; set -e
[ $rc -ne 0 ] || { cat "$TMP/plan-refused"; fail "plan does not refuse while the stack names db-01"; }
grep -q "$COPY:[0-9]*:[0-9]*: error: the stack's primary is db-01 but the running primary is db-02" "$TMP/plan-refused" ||
  { cat "$TMP/plan-refused"; fail "the refusal does not name the stack file line and both hosts"; }
# The app tier alone too: its hosts carry the record, so its write host is not turned back.
set +e; "$F" plan --lab --no-color --target app "$COPY" >"$TMP/plan-app-refused" 2>&1; rc=$?; set -e
[ $rc -ne 0 ] && grep -q "the running primary is db-02 (recorded by .*web-01" "$TMP/plan-app-refused" ||
  { cat "$TMP/plan-app-refused"; fail "a plan of the app tier alone is not refused"; }
set +e; "$F" apply --lab --no-color --auto-approve "$COPY" >"$TMP/apply-refused" 2>&1; rc=$?; set -e
[ $rc -ne 0 ] || fail "apply does not refuse while the stack names db-01"
on db-01 mysql -e 'SHOW SLAVE STATUS\G' | grep -q "Master_Host: 10.77.0.42" || fail "the refused apply re-pointed db-01"
ok "plan and apply refuse until the stack file names db-02"

# 3. The stack edited as the switchover said: plan says No changes, apply too.
check_switchover_edit
"$F" apply --lab --no-color --auto-approve "$COPY" >"$TMP/apply-edited" 2>&1 || { cat "$TMP/apply-edited"; fail "apply of the edited stack failed"; }
grep -q "No changes" "$TMP/apply-edited" || { cat "$TMP/apply-edited"; fail "apply of the edited stack changed something"; }
[ "$(status_of -d author=e2e -d message=after-edit http://$LB/entries)" = 201 ] || fail "a write after the edit failed"
ok "edited stack: apply finds No changes; writes go to db-02"

# 4. Failover: db-02's MariaDB stops; db-01 is promoted, db-02 fenced; writes work again.
check_failover "http://$LB" db-01 db-02
# 5. A fence recorded while the former primary was out of reach (as a failover leaves
# it): plan warns, `db fence` applies it and clears the record.
on db-02 nft delete table inet foobar_fence
on db-01 sh -c 'printf "primary db-01\nfence db-02\n" >/var/lib/foobarctl/foobar-distributed.db-primary'
sed -i 's/^    primary: db-02$/    primary: db-01/; s/^    replicas: \[db-01\]$/    replicas: []/' "$COPY"
"$F" plan --lab --no-color --target db-01 "$COPY" >"$TMP/plan-fence" 2>&1 || true
grep -q "db-02: warning: a former primary still to fence .*foobarctl db fence" "$TMP/plan-fence" ||
  { cat "$TMP/plan-fence"; fail "plan does not warn of the fence still to apply"; }
"$F" db fence --lab --no-color --auto-approve "$COPY" >"$TMP/fence" 2>&1 || { cat "$TMP/fence"; fail "db fence failed"; }
on db-02 nft list table inet foobar_fence | grep -q "tcp dport 3306 drop" || fail "db fence did not fence db-02"
on db-01 grep -q fence /var/lib/foobarctl/foobar-distributed.db-primary && fail "db fence left the fence in the record"
ok "db fence: the recorded fence applied to db-02, the record cleared"
echo "figures:
  $SWITCH_FIG
  failover: writes back after ${FAILOVER_SECS} s"
