#!/usr/bin/env bash
# Stack 3 (two HAProxy hosts sharing the floating IP 10.77.0.10 over keepalived,
# dedicated web, app and db tiers, TLS re-encrypted to the web tier, firewall and
# monitoring) in the lab: everything stack 2 checks, through the VIP, plus the
# tiers' firewall flows, a failover of the VIP when the MASTER's HAProxy dies, and a
# db switchover under a read/write client. The stack is stacks/3 with a test alert
# receiver (a webhook on web-01) and a 5 s scrape interval (alert_stack, checks.sh).
set -euo pipefail
STACK=stacks/3-scale-up.yaml
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/checks.sh"
VIP=10.77.0.10 DB=10.77.0.41 MON=10.77.0.51 HOOK_HOST=web-01 HOOK=10.77.0.21:9099
alert_stack stacks/3-scale-up.yaml "$TMP/stack3.yaml"
STACK=$TMP/stack3.yaml
HOSTS="lb-01 lb-02 web-01 web-02 app-01 app-02 db-01 db-02 mon-01"
has_vip() { on "$1" ip -4 -o addr show dev eth0 | grep -q " $VIP/"; }


first_apply

# The VIP sits on the MASTER (lb-01) only.
wait_for "has_vip lb-01" 20 || fail "the VIP $VIP is not on lb-01"
has_vip lb-02 && fail "the VIP is on both load balancers"
ok "VIP $VIP on lb-01 (MASTER)"

# www.foobar.com is the VIP, served by NSD on mon-01; both LBs hold the same certificate.
check_dns mon-01 $MON $VIP
check_tls 10.77.0.11 10.77.0.12
check_redirect $VIP
check_write_read "https://www.foobar.com"
# (nginx leaves an app host out for fail_timeout after a refused connection, as one
# that was still starting when the first requests came: ask for up to 10 s.)
seen=""
for i in $(seq 20); do
  seen="$seen $(served_by https://www.foobar.com/healthz)"
  [[ "$seen" == *app-01* && "$seen" == *app-02* ]] && break
  sleep 0.5
done
[[ "$seen" == *app-01* && "$seen" == *app-02* ]] || fail "requests did not reach both app servers:$seen"
ok "requests reach both app servers:$seen"

# Re-encryption: the LBs reach nginx over TLS on 443; nothing else reaches the web tier.
[ "$(on lb-02 curl -sk -m 5 -o /dev/null -w '%{http_code}' https://10.77.0.21/healthz)" = 200 ] ||
  fail "nginx on web-01 does not answer HTTPS to the LB"
can_reach lb-01 10.77.0.21 80 && fail "plain HTTP to web-01 is open to the LB (re-encryption expected)"
can_reach app-01 10.77.0.21 443 && fail "app-01 reaches the web tier"
ok "TLS re-encrypted from the LBs to nginx"

# Firewall: db port from the app tier only; app port from the web tier only.
check_nft_loaded $HOSTS
can_reach app-01 $DB 3306 || fail "app-01 cannot reach the database"
can_reach app-02 $DB 3306 || fail "app-02 cannot reach the database"
can_reach web-01 $DB 3306 && fail "web-01 reaches the database port"
can_reach lb-01 $DB 3306 && fail "lb-01 reaches the database port"
can_reach web-01 10.77.0.31 8000 || fail "web-01 cannot reach the app port"
can_reach lb-01 10.77.0.31 8000 && fail "lb-01 reaches the app port directly"
can_reach web-01 10.77.0.31 22 && fail "web-01 reaches app-01's SSH (not an admin address)"
check_admin_ssh $HOSTS
ok "firewall: web cannot reach the db, app can; SSH from the admin address only"

check_targets_up $MON 17  # node on 9 hosts, haproxy 2, the floating IP, nginx 2, mysqld 2, prometheus
check_scrape_tls mon-01 app-01=10.77.0.31:9100 web-02=10.77.0.22:9113 db-01=10.77.0.41:9104 lb-02=10.77.0.12:8404
check_central_logs "https://$VIP" -k
check_logs_kept_while_collector_stopped mon-01 "https://$VIP" -k
check_qps $MON "https://$VIP/healthz" -k
STATUS_PROMETHEUS=1 check_status "https://$VIP/" -k
check_idempotent lb-01 /run/haproxy.pid
check_alertmanager
check_replication_alert db-02

# Failover: HAProxy stops on the MASTER, its keepalived check lowers its priority and
# lb-02 takes the VIP; requests keep being answered, with the same trusted certificate.
# (systemd would restart a killed HAProxy at once, Restart=always: stop it instead.)
if [ "$INIT" = systemd ]; then on lb-01 systemctl stop haproxy; else on lb-01 sh -c 'kill $(cat /run/haproxy.pid)'; fi
t0=$(date +%s)
wait_for "has_vip lb-02" 30 || fail "the VIP did not move to lb-02"
has_vip lb-01 && fail "the VIP is still on lb-01"
wait_for "[ \"\$(status_of https://www.foobar.com/healthz)\" = 200 ]" 20 ||
  fail "the VIP does not answer after failover"
for i in 1 2 3 4 5; do
  [ "$(status_of https://www.foobar.com/)" = 200 ] ||
    fail "request $i after failover not answered"
done
ok "failover: VIP on lb-02 after $(( $(date +%s) - t0 )) s, requests answered"

# Apply starts HAProxy again on lb-01, which takes the VIP back (higher priority).
set +e; plan --detailed-exitcode >"$TMP/plan4"; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "~ update service haproxy (service stopped)" "$TMP/plan4" ||
  { cat "$TMP/plan4"; fail "the plan does not start the stopped HAProxy"; }
apply >"$TMP/apply4" 2>&1 || { cat "$TMP/apply4"; fail "apply after failover failed"; }
wait_for "has_vip lb-01" 30 || fail "the VIP did not return to lb-01"
wait_for "! has_vip lb-02" 10 || fail "the VIP stayed on lb-02"
ok "apply restarts HAProxy on lb-01 and the VIP returns"

# Day 2: db switchover to db-02 through the VIP and TLS, the firewall on; no write
# refused, no read failed; the edited stack file plans No changes; then a failover back
# to db-01 (checks.sh).
COPY=$TMP/stack.yaml
cp "$STACK" "$COPY"
check_switchover "https://www.foobar.com"
check_switchover_edit
# Then the new primary's MariaDB dies: `db failover` promotes db-01 and fences db-02.
check_failover "https://www.foobar.com" db-01 db-02
# The fenced db-02 comes back read-only (the fence's config file), and the app hosts
# cannot reach it (the fence's nftables table).
on db-02 service mariadb start >/dev/null 2>&1 || fail "MariaDB on the fenced db-02 does not start"
[ "$(on db-02 mysql -N -e 'SELECT @@read_only')" = 1 ] || fail "the fenced db-02 came back writable"
can_reach app-01 10.77.0.42 3306 && fail "app-01 reaches the fenced db-02's MariaDB"
ok "the fenced db-02 came back read-only and out of the app hosts' reach"

"$F" destroy --lab --no-color --auto-approve "$COPY" >"$TMP/destroy" 2>&1 || { cat "$TMP/destroy"; fail "destroy failed"; }
on lb-01 sh -c '! pidof keepalived && ! pidof haproxy' >/dev/null || fail "keepalived or HAProxy still running after destroy"
wait_for "! has_vip lb-01 && ! has_vip lb-02" 10 || fail "the VIP is still held after destroy"
on app-01 sh -c '! nft list table inet foobar' >/dev/null 2>&1 || fail "firewall table left after destroy"
on db-01 test -d /var/lib/mysql/foobar || fail "destroy removed database data without --purge"
ok "destroy"
echo "stack 3 end to end: all checks passed"
