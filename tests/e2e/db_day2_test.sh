#!/usr/bin/env bash
# Day 2 of the database tier (docs/day2.md), stack 1 on the lab: under a bounded
# read/write client through the LB, `db switchover --to db-02` loses no acknowledged
# write and fails no read; plan and apply refuse until the stack file names db-02;
# after the edit, apply converges. Then db-02's MariaDB is stopped and `db failover`
# promotes db-01, fences db-02, and writes work again.
set -euo pipefail
STACK=stacks/1-distributed.yaml
source "$(dirname "$0")/lib.sh"
LB=10.77.0.11
COPY=$TMP/stack.yaml
cp "$STACK" "$COPY"
db() { "$F" db "$@" --lab --no-color --auto-approve "$COPY"; }

# The bounded client: a write (POST /entries, a unique message) then a read (GET /)
# after the other, until $TMP/stop, at most 600 pairs or 120 s. Lines: "w N CODE" and
# "r N CODE" (000: no answer).
client_start() {
  rm -f "$TMP/stop"
  LOG=$TMP/client-$1.log
  : >"$LOG"
  # shellcheck disable=SC2016 # the client's own script
  "$F" lab client "$STACK" -- sh -c '
    end=$(( $(date +%s) + 120 )); n=0
    while [ ! -e "$1" ] && [ "$n" -lt 600 ] && [ "$(date +%s)" -lt "$end" ]; do
      n=$((n + 1))
      echo "w $n $(curl -s -o /dev/null -m 5 -w "%{http_code}" -d author=e2e -d message=day2-$3-$n http://$2/entries)" >>"$4"
      echo "r $n $(curl -s -o /dev/null -m 5 -w "%{http_code}" http://$2/)" >>"$4"
    done' sh "$TMP/stop" "$LB" "$1" "$LOG" &
  CLIENT=$!
  wait_for "[ \$(grep -c '^w .* 201$' '$LOG') -ge 3 ]" 20 || fail "the client's writes do not succeed before the change: $(tail -3 "$LOG")"
}
client_stop() {
  touch "$TMP/stop"
  wait "$CLIENT" || true
}
count() { grep -c "$1" "$LOG" || true; }

lab_up
"$F" apply --lab --no-color --auto-approve "$COPY" >"$TMP/apply1" 2>&1 || { cat "$TMP/apply1"; fail "first apply failed"; }
wait_for "[ \"\$(status_of http://$LB/healthz)\" = 200 ]" 30 || fail "the LB does not answer"
ok "stack 1 applied: db-01 primary, db-02 its replica"

# 1. Switchover under load.
client_start switch
sleep 2
db switchover --to db-02 >"$TMP/switch" 2>&1 || { cat "$TMP/switch"; fail "db switchover failed"; }
sleep 3
client_stop
cat "$TMP/switch"
grep -q "^Switchover complete: db-02 is the primary" "$TMP/switch" || fail "the switchover does not say it completed"
grep -q "change \`primary: db-01\` to \`primary: db-02\`" "$TMP/switch" || fail "no stack file line to change"
grep -q "^  $COPY:[0-9]*: change" "$TMP/switch" || fail "the line to change is not named file:line"
PAUSE=$(sed -n 's/^Writes paused at the database for \([0-9.]*\) s.*/\1/p' "$TMP/switch")
reads=$(count '^r '); reads_failed=$(grep '^r ' "$LOG" | grep -vc ' 200$' || true)
writes=$(count '^w '); acked=$(count '^w .* 201$')
[ "$reads_failed" -eq 0 ] || fail "$reads_failed of $reads reads failed: $(grep '^r ' "$LOG" | grep -v ' 200$' | head -5 | tr '\n' ' ')"
[ "$acked" -ge 10 ] || fail "only $acked writes were acknowledged: the client proves nothing"
on db-02 mysql -N foobar -e "SELECT message FROM entries WHERE message LIKE 'day2-switch-%'" | sort >"$TMP/stored"
grep '^w .* 201$' "$LOG" | awk '{print "day2-switch-" $2}' | sort >"$TMP/acked"
lost=$(comm -23 "$TMP/acked" "$TMP/stored" | wc -l)
[ "$lost" -eq 0 ] || fail "$lost acknowledged writes are missing on db-02: $(comm -23 "$TMP/acked" "$TMP/stored" | head -5 | tr '\n' ' ')"
on db-01 mysql -e 'SHOW SLAVE STATUS\G' | grep -q "Master_Host: 10.77.0.42" || fail "db-01 does not replicate from db-02"
on db-02 mysql -N -e 'SELECT @@read_only' | grep -qx 0 || fail "db-02 is read-only"
ok "switchover: $writes writes ($acked acknowledged, 0 lost, $((writes - acked)) refused during the pause), $reads reads (0 failed); write pause at the database ${PAUSE} s"
FIG="switchover: write pause ${PAUSE} s; $((writes + reads)) requests, $((writes - acked)) writes refused, 0 reads failed, 0 acknowledged writes lost"

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

# 3. The stack edited as the switchover said: plan converges, apply too.
sed -i 's/^    primary: db-01$/    primary: db-02/; s/^    replicas: \[db-02\]$/    replicas: [db-01]/' "$COPY"
set +e; "$F" plan --lab --no-color --detailed-exitcode "$COPY" >"$TMP/plan-edited" 2>&1; EDITED_RC=$?; set -e
grep -E "^[ ]*[-+~] |^Plan:|No changes" "$TMP/plan-edited" || true
[ $EDITED_RC -ne 1 ] || { cat "$TMP/plan-edited"; fail "plan of the edited stack failed"; }
"$F" apply --lab --no-color --auto-approve "$COPY" >"$TMP/apply-edited" 2>&1 || { cat "$TMP/apply-edited"; fail "apply of the edited stack failed"; }
set +e; "$F" plan --lab --no-color --detailed-exitcode "$COPY" >"$TMP/plan-after" 2>&1; rc=$?; set -e
[ $rc -eq 0 ] || { cat "$TMP/plan-after"; fail "the edited stack does not converge (plan exit $rc)"; }
[ "$(status_of -d author=e2e -d message=after-edit http://$LB/entries)" = 201 ] || fail "a write after the edit failed"
ok "edited stack: plan exit $EDITED_RC before its apply (0: No changes), No changes after"

# 4. Failover: db-02's MariaDB stops; db-01 is promoted, db-02 fenced; writes work again.
on db-02 service mariadb stop >/dev/null 2>&1 || true
[ "$(status_of -d author=e2e -d message=primary-down http://$LB/entries)" != 201 ] || fail "a write succeeded with the primary down"
T1=$(date +%s.%N)
db failover >"$TMP/failover" 2>&1 || { cat "$TMP/failover"; fail "db failover failed"; }
cat "$TMP/failover"
grep -q "^Failover complete: db-01 is the primary" "$TMP/failover" || fail "the failover does not say it completed"
wait_for "[ \"\$(status_of -d author=e2e -d message=after-failover http://$LB/entries)\" = 201 ]" 20 ||
  fail "writes do not work after the failover"
FAILOVER_SECS=$(awk -v a="$T1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
on db-01 mysql -N foobar -e "SELECT COUNT(*) FROM entries WHERE message = 'after-failover'" | grep -qx '[1-9][0-9]*' ||
  fail "the write after the failover is not on db-01"
on db-02 nft list table inet foobar_fence | grep -q "tcp dport 3306 drop" || fail "db-02 is not fenced"
ok "failover: db-01 takes writes ${FAILOVER_SECS} s after the go; db-02 fenced (nftables foobar_fence)"
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
  $FIG
  failover: writes back after ${FAILOVER_SECS} s"
