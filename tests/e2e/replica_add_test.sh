#!/usr/bin/env bash
# Adding a second replica to stack 1: the new replica is seeded from the primary at its
# current GTID position (its old binlogs are purged first, so replaying them cannot be
# what brings the data over), both replicas then follow the primary, and the first
# replica's server and replication connection are left untouched. Then: a replica whose
# threads were stopped is restarted, not seeded again; and a server that holds data but
# is no replica is never seeded over.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
A=$TMP/one-replica.yaml   # stack 1 as it is: db-02 replicates db-01
B=$TMP/two-replicas.yaml  # the same stack (same name, same lab) plus db-03 as a replica
cp stacks/1-distributed.yaml "$A"
sed -e 's/^  db-02:  { address: 10.77.0.42 }$/&\n  db-03:  { address: 10.77.0.43 }/' \
    -e 's/replicas: \[db-02\]/replicas: [db-02, db-03]/' stacks/1-distributed.yaml >"$B"
grep -q "db-03:  { address: 10.77.0.43 }" "$B" && grep -q "replicas: \[db-02, db-03\]" "$B" ||
  fail "could not derive the two-replica stack from stacks/1-distributed.yaml"
STACK=$B
sql() { local h=$1; shift; on "$h" mysql -N -B -e "$*"; }
running() { on "$1" mysql -e 'SHOW SLAVE STATUS\G' | grep -c -E 'Slave_(IO|SQL)_Running: Yes'; }
dump_thread() { sql db-01 "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%' AND HOST LIKE '$1:%'"; }

# 1. The lab has every host of B; stack A (one replica) is applied, db-03 is left bare.
lab_up "$B"
STACK=$A apply >"$TMP/apply-a" 2>&1 || { cat "$TMP/apply-a"; fail "apply of the one-replica stack failed"; }
grep -q "^Apply complete" "$TMP/apply-a" || fail "apply of the one-replica stack did not complete"
[ "$(running db-02)" = 2 ] || fail "db-02 does not replicate after the first apply"
! on db-03 pidof mariadbd >/dev/null || [ -z "$(sql db-03 'SHOW SLAVE STATUS')" ] ||
  fail "db-03 is a replica before it is in the stack"
ok "stack with one replica applied"

# 2. Rows written now, then the primary's binlogs purged: only a copy can bring them over.
sql db-01 "CREATE TABLE foobar.seedtest (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO foobar.seedtest VALUES (1,'before-a'),(2,'before-b'),(3,'before-c')"
# And some volume (200000 rows, about 25 MB of dump) to time the seed with.
sql db-01 "CREATE TABLE foobar.bulk (id INT PRIMARY KEY, pad VARCHAR(100)) ENGINE=InnoDB; INSERT INTO foobar.bulk SELECT seq, REPEAT(CHAR(65 + seq % 26), 100) FROM foobar.seq_1_to_200000"
wait_for "[ \"\$(sql db-02 'SELECT COUNT(*) FROM foobar.seedtest')\" = 3 ] && [ \"\$(sql db-02 'SELECT COUNT(*) FROM foobar.bulk')\" = 200000 ]" 60 ||
  fail "rows did not reach db-02"
sql db-01 "FLUSH BINARY LOGS"
current=$(sql db-01 "SHOW MASTER STATUS" | cut -f1)
# PURGE skips a log a replica still reads; db-02 moves on to the new one at once.
wait_for "sql db-01 \"PURGE BINARY LOGS TO '$current'\" && [ \"\$(sql db-01 'SHOW BINARY LOGS' | wc -l)\" = 1 ]" 20 ||
  fail "the primary still has older binlogs: $(sql db-01 'SHOW BINARY LOGS')"
sql db-01 "SHOW BINLOG EVENTS" | grep -q seedtest && fail "the primary's binlog still holds the seedtest rows"
ok "rows written, primary's binlogs purged ($(sql db-01 'SELECT @@gtid_binlog_pos'); foobar dumps to $(on db-01 sh -c 'mysqldump --single-transaction --databases foobar | wc -c') bytes)"

# 3. db-02 as it is before the second replica is added.
pid02=$(on db-02 pidof mariadbd)
thread02=$(dump_thread 10.77.0.42)
[ -n "$pid02" ] && [ -n "$thread02" ] || fail "no mariadbd on db-02 or no binlog dump thread for it on db-01"
relay02=$(on db-02 mysql -e 'SHOW SLAVE STATUS\G' | awk '$1=="Relay_Log_File:"{print $2}')

# 4. The plan for B seeds db-03 and leaves db-02 alone.
set +e; plan --detailed-exitcode >"$TMP/plan-b"; rc=$?; set -e
[ $rc -eq 2 ] || { cat "$TMP/plan-b"; fail "plan of the two-replica stack exit $rc, want 2"; }
grep -q "+ create replication db-01 (.*will be seeded from db-01 at its current GTID position" "$TMP/plan-b" ||
  { cat "$TMP/plan-b"; fail "the plan does not say db-03 will be seeded"; }
awk '/^db-02$/{h=1; next} /^$/{h=0} h && /^  [-+~*] /' "$TMP/plan-b" | grep -q . &&
  { cat "$TMP/plan-b"; fail "the plan changes db-02"; }
grep "create replication" "$TMP/plan-b"
ok "plan: db-03 will be seeded, db-02 unchanged"

# 5. Apply B: db-03 gets the rows written before the purge, and replicates.
t0=$(date +%s%N)
apply >"$TMP/apply-b" 2>&1 || { cat "$TMP/apply-b"; fail "apply of the two-replica stack failed"; }
echo "apply adding db-03: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
grep "db-03: create replication:db-01: done" "$TMP/apply-b" || { cat "$TMP/apply-b"; fail "db-03 was not seeded"; }
[ "$(sql db-03 'SELECT GROUP_CONCAT(v ORDER BY id) FROM foobar.seedtest')" = "before-a,before-b,before-c" ] ||
  fail "db-03 lacks the rows written before the purge"
[ "$(sql db-03 'CHECKSUM TABLE foobar.bulk')" = "$(sql db-01 'CHECKSUM TABLE foobar.bulk')" ] ||
  fail "db-03's copy of foobar.bulk differs from db-01's"
[ "$(running db-03)" = 2 ] || { on db-03 mysql -e 'SHOW SLAVE STATUS\G'; fail "db-03's replication threads are not both running"; }
sid03=$(sql db-03 'SELECT @@server_id')
[[ "$(sql db-03 'SELECT @@gtid_binlog_state')" != *"-$sid03-"* ]] || fail "the import wrote GTIDs of db-03 to its own binlog"
ok "db-03 seeded and replicating ($(sql db-03 'SELECT @@gtid_slave_pos'))"

# 6. A new write reaches both replicas.
sql db-01 "INSERT INTO foobar.seedtest VALUES (4,'after')"
for h in db-02 db-03; do
  wait_for "[ \"\$(sql $h 'SELECT v FROM foobar.seedtest WHERE id = 4')\" = after ]" 20 || fail "a new write did not reach $h"
done
ok "a new write reaches db-02 and db-03"

# 7. db-02 untouched: same server process, same replication connection, same relay log.
[ "$(on db-02 pidof mariadbd)" = "$pid02" ] || fail "db-02's mariadbd was restarted"
[ "$(dump_thread 10.77.0.42)" = "$thread02" ] || fail "db-02's replication connection to db-01 was re-established"
[ "$(on db-02 mysql -e 'SHOW SLAVE STATUS\G' | awk '$1=="Relay_Log_File:"{print $2}')" = "$relay02" ] ||
  fail "db-02's relay log changed (replication was restarted)"
ok "db-02 untouched (mariadbd pid $pid02, dump thread $thread02, relay log $relay02)"

# 8. Nothing left to do.
set +e; plan --detailed-exitcode >"$TMP/plan-b2"; rc=$?; set -e
[ $rc -eq 0 ] || { cat "$TMP/plan-b2"; fail "plan after adding db-03 exit $rc, want 0"; }
ok "second plan: no changes"

# 9. Stopped threads are restarted, never seeded over: a row only db-03 has survives.
sql db-03 "SET SESSION sql_log_bin=0; INSERT INTO foobar.seedtest VALUES (99,'local-only'); STOP SLAVE"
plan >"$TMP/plan-stopped" || true
grep -q "~ update replication db-01 (replication not running" "$TMP/plan-stopped" ||
  { cat "$TMP/plan-stopped"; fail "stopped replication is not planned as an update"; }
apply >"$TMP/apply-stopped" 2>&1 || { cat "$TMP/apply-stopped"; fail "apply restarting replication failed"; }
[ "$(running db-03)" = 2 ] || fail "replication on db-03 was not restarted"
[ "$(sql db-03 'SELECT v FROM foobar.seedtest WHERE id = 99')" = local-only ] || fail "db-03 was seeded again"
ok "stopped replication restarted without a new seed"

# 10. A server with data but no replication is refused, not overwritten.
sql db-03 "STOP SLAVE; RESET SLAVE ALL"
plan >"$TMP/plan-reset" 2>&1 || true
grep -q "not a replica yet but has databases foobar" "$TMP/plan-reset" || { cat "$TMP/plan-reset"; fail "no warning in the plan"; }
if apply >"$TMP/apply-reset" 2>&1; then cat "$TMP/apply-reset"; fail "a replica holding data was seeded over"; fi
grep -q "db-03.*refusing to seed this replica from db-01: .*holds tables in: foobar" "$TMP/apply-reset" ||
  { cat "$TMP/apply-reset"; fail "no clear refusal naming db-03"; }
grep "refusing to seed" "$TMP/apply-reset" | head -1
[ "$(sql db-03 'SELECT v FROM foobar.seedtest WHERE id = 99')" = local-only ] || fail "db-03's data changed"
ok "a server holding data is refused, its data kept"
echo "adding a replica end to end: all checks passed"
