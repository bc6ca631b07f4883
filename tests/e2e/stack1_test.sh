#!/usr/bin/env bash
# Stack 1 (HAProxy in front of two web+app servers, MariaDB primary + replica) in the
# lab: plan, apply, traffic through the LB, replication, idempotency, drift, a template
# change, a rejected config, an unknown host key, and destroy.
set -euo pipefail
STACK=stacks/1-distributed.yaml
source "$(dirname "$0")/lib.sh"
LB=10.77.0.11

lab_up

# 1. The first plan creates everything and exits 2 (changes) with --detailed-exitcode.
set +e; plan --detailed-exitcode >"$TMP/plan1"; rc=$?; set -e
[ $rc -eq 2 ] || fail "first plan exit $rc, want 2"
grep -qE "[+~] (create|update) file /etc/haproxy/haproxy.cfg" "$TMP/plan1" || fail "plan lacks the HAProxy config"
grep -q "+ create file /etc/nginx/sites-available/foobar" "$TMP/plan1" || fail "plan lacks the nginx site"
grep -q "+ create replication db-01" "$TMP/plan1" || fail "plan lacks the replication link"
grep -q "^Plan: [1-9][0-9]* to create" "$TMP/plan1" || fail "plan summary: $(tail -1 "$TMP/plan1")"
if grep -q -F -f <(cut -d= -f2 /var/lib/foobarctl/lab/foobar-distributed/secrets | grep -v '^#') "$TMP/plan1"; then
  fail "a secret value appears in the plan"
fi
ok "first plan: creates with diffs, no secret shown"

# 2. Apply converges.
apply >"$TMP/apply1" 2>&1 || { cat "$TMP/apply1"; fail "apply failed"; }
grep -q "^Apply complete" "$TMP/apply1" || fail "apply did not complete"
ok "apply"

# 3. www.foobar.com resolves to the LB through NSD on lb-01; requests alternate
# between both web servers.
check_dns lb-01 $LB $LB
wait_for "[ \"\$(status_of http://www.foobar.com/healthz)\" = 200 ]" 30 || fail "LB does not answer /healthz"
seen=""
for i in 1 2 3 4; do seen="$seen $(served_by http://www.foobar.com/healthz)"; done
echo "served by:$seen"
[[ "$seen" == *web-01* && "$seen" == *web-02* ]] || fail "round robin did not reach both servers:$seen"
ok "HAProxy balances across web-01 and web-02"

# 4. Replication runs, and a write on the primary shows up on the replica.
on db-02 mysql -e 'SHOW SLAVE STATUS\G' >"$TMP/repl"
grep -q "Slave_IO_Running: Yes" "$TMP/repl" && grep -q "Slave_SQL_Running: Yes" "$TMP/repl" || {
  cat "$TMP/repl"; fail "replication threads not running"; }
on db-01 mysql foobar -e "CREATE TABLE IF NOT EXISTS e2e (v INT); INSERT INTO e2e VALUES (42);"
wait_for "on db-02 mysql -N foobar -e 'SELECT v FROM e2e' | grep -qx 42" 20 || fail "write did not reach the replica"
ok "GTID replication carries writes to the replica"

# The app writes through the LB to the primary and reads back from the replica.
[ "$(status_of -d author=e2e -d message=hello-from-e2e http://www.foobar.com/entries)" = 201 ] ||
  fail "POST /entries through the LB did not create an entry"
wait_for "visit -s -m 5 http://www.foobar.com/ | grep -q hello-from-e2e" 20 || fail "the entry is not listed (read from the replica)"
ok "the app writes to the primary and reads from the replica"

# `foobarctl status` without monitoring: what SSH sees, rates from the counters.
source "$(dirname "$0")/checks.sh"
check_status "http://$LB/"

# 5. A second plan reports no changes, and a second apply restarts nothing.
set +e; plan --detailed-exitcode >"$TMP/plan2"; rc=$?; set -e
[ $rc -eq 0 ] || { cat "$TMP/plan2"; fail "second plan exit $rc, want 0"; }
grep -q "No changes" "$TMP/plan2" || fail "second plan does not say No changes"
grep -q "fact: replication from db-01 (10.77.0.41): IO Yes, SQL Yes, 0 s behind" "$TMP/plan2" ||
  { cat "$TMP/plan2"; fail "the plan does not report the replica's status as a fact"; }
second_apply lb-01 /run/haproxy.pid
ok "second plan and apply: no changes"

# 6. Drift: a hand edit of a managed file shows as an update, and apply restores it.
on web-01 sh -c 'echo "# hand edit" >> /etc/nginx/sites-available/foobar'
set +e; plan --detailed-exitcode >"$TMP/plan3"; rc=$?; set -e
[ $rc -eq 2 ] || fail "drift not detected (exit $rc)"
grep -q "~ update file /etc/nginx/sites-available/foobar" "$TMP/plan3" || fail "drift not shown as an update"
grep -q -- "-# hand edit" "$TMP/plan3" || fail "drift diff does not show the edit"
apply >/dev/null 2>&1 || fail "apply after drift failed"
on web-01 grep -q "hand edit" /etc/nginx/sites-available/foobar && fail "apply did not restore the file"
ok "drift detected and repaired"

# 7. A template change is exactly one file update plus one reload per web host.
cp -r templates "$TMP/templates"
sed -i '0,/^server {/s//# e2e template change\nserver {/' "$TMP/templates/nginx-site.conf.j2"
plan --templates "$TMP/templates" >"$TMP/plan4" || true
[ "$(grep -c "~ update file /etc/nginx/sites-available/foobar" "$TMP/plan4")" = 2 ] || fail "want 2 site updates"
[ "$(grep -c "^  [+~*-] " "$TMP/plan4")" = 4 ] || { cat "$TMP/plan4"; fail "want 2 updates + 2 reloads only"; }
grep -q "\* reload service nginx" "$TMP/plan4" || fail "no nginx reload planned"
apply --templates "$TMP/templates" >"$TMP/apply4" 2>&1 || fail "apply of the template change failed"
grep -q "2 reloaded" "$TMP/apply4" || { cat "$TMP/apply4"; fail "nginx not reloaded"; }
on web-02 grep -q "e2e template change" /etc/nginx/sites-available/foobar || fail "template change not applied"
ok "template change: one update and one reload per host"

if [ "$INIT" = systemd ]; then
  # journald has the reloads: systemd's own lines for the unit, read as an operator would.
  "$F" lab ssh web-01 -- journalctl -u nginx --no-pager >"$TMP/journal"
  grep -q "Reloading" "$TMP/journal" && grep -q "Reloaded" "$TMP/journal" ||
    { cat "$TMP/journal"; fail "journalctl -u nginx does not show the reload"; }
  ok "journalctl -u nginx shows the reload ($(grep -c Reloaded "$TMP/journal") so far)"

  # A service disabled by hand is drift; apply enables it again, and after a reboot
  # (systemctl reboot inside) the host comes back with its disk and address, and its
  # services enabled and serving.
  on web-02 systemctl disable --quiet nginx
  set +e; plan --detailed-exitcode --templates "$TMP/templates" >"$TMP/plan-enable"; rc=$?; set -e
  [ $rc -eq 2 ] && grep -q "~ update service nginx" "$TMP/plan-enable" ||
    { cat "$TMP/plan-enable"; fail "a disabled nginx is not planned to be enabled"; }
  apply --templates "$TMP/templates" >/dev/null 2>&1 || fail "apply after disabling nginx failed"
  on web-02 systemctl is-enabled --quiet nginx foobar-app || fail "apply did not enable nginx and the app"
  boot_before=$(on web-02 cat /proc/sys/kernel/random/boot_id)
  on web-02 systemctl reboot || true
  wait_for "\"\$F\" lab status \"\$STACK\" | grep -q 'web-02 .*up .*sshd answering, rebooted 1x'" 120 ||
    fail "web-02 did not come back after reboot: $("$F" lab status "$STACK")"
  [ "$(on web-02 cat /proc/sys/kernel/random/boot_id)" != "$boot_before" ] || fail "web-02 did not reboot"
  on web-02 grep -q "e2e template change" /etc/nginx/sites-available/foobar || fail "web-02 lost its disk on reboot"
  on web-02 ip -4 -o addr show dev eth0 | grep -q "10.77.0.22/24" || fail "web-02 lost its address on reboot"
  on web-02 systemctl is-enabled --quiet nginx foobar-app || fail "services not enabled after reboot"
  wait_for "on web-02 systemctl is-active --quiet nginx foobar-app" 30 || fail "services not running after reboot"
  wait_for '[[ "$(for i in 1 2 3 4; do served_by http://www.foobar.com/healthz; done)" == *web-02* ]]' 30 ||
    fail "the LB does not reach web-02 after its reboot"
  set +e; plan --detailed-exitcode --templates "$TMP/templates" >"$TMP/plan-reboot"; rc=$?; set -e
  [ $rc -eq 0 ] || { cat "$TMP/plan-reboot"; fail "plan after the reboot exit $rc, want 0 (no changes)"; }
  ok "web-02 rebooted: same disk and address, nginx and the app enabled, serving through the LB"
fi

# 8. A config the service rejects is not installed and the LB keeps answering.
cp -r templates "$TMP/broken"
sed -i '0,/^global/s//global\n    this_is_not_a_directive on/' "$TMP/broken/haproxy.cfg.j2"
if apply --templates "$TMP/broken" >"$TMP/apply5" 2>&1; then fail "a broken HAProxy config was applied"; fi
grep -q "checker rejected" "$TMP/apply5" || { cat "$TMP/apply5"; fail "no checker message"; }
on lb-01 grep -q this_is_not_a_directive /etc/haproxy/haproxy.cfg && fail "the broken config was installed"
[ "$(status_of http://$LB/healthz)" = 200 ] || fail "LB stopped answering after a rejected config"
on lb-01 test ! -e /var/lib/foobarctl/foobar-distributed.lock || fail "lock left behind"
ok "rejected config: old config kept, service answering"

# 9. A host whose key is not known is refused.
: >"$TMP/empty_known_hosts"
set +e; plan --known-hosts "$TMP/empty_known_hosts" >"$TMP/plan6" 2>&1; rc=$?; set -e
[ $rc -eq 1 ] || fail "plan with unknown host keys exit $rc, want 1"
grep -q "unreachable: .*host key" "$TMP/plan6" || { cat "$TMP/plan6"; fail "no host key error"; }
ok "unknown host keys refused"

# 10. Destroy removes our files and services; data stays.
"$F" destroy --lab --no-color --auto-approve "$STACK" >"$TMP/destroy" 2>&1 || { cat "$TMP/destroy"; fail "destroy failed"; }
on web-01 test ! -e /etc/nginx/sites-available/foobar || fail "nginx site left behind"
on lb-01 test ! -e /var/lib/foobarctl/foobar-distributed.json || fail "manifest left behind"
on lb-01 sh -c '! pidof haproxy' || fail "HAProxy still running after destroy"
on db-01 test -d /var/lib/mysql/foobar || fail "destroy removed database data without --purge"
set +e; plan --detailed-exitcode >/dev/null; rc=$?; set -e
[ $rc -eq 2 ] || fail "after destroy the plan should create everything again"
ok "destroy"
echo "stack 1 end to end: all checks passed"
