#!/usr/bin/env bash
# Stack 2 (stack 1 + nftables on every host, TLS at the LB with HTTP redirected,
# exporters everywhere and Prometheus on mon-01) in the lab: apply, HTTPS checked
# through the lab's DNS against the lab CA, the redirect, the firewall's flows, every
# scrape target up, web QPS observable, idempotency, and destroy.
set -euo pipefail
STACK=stacks/2-secured-monitored.yaml
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/checks.sh"
LB=10.77.0.11 DB=10.77.0.41 MON=10.77.0.51
HOSTS="lb-01 web-01 web-02 db-01 db-02 mon-01"


first_apply

# www.foobar.com resolves through NSD on lb-01; HTTPS with the stack's certificate
# (issued by the lab's CA, which the client trusts); HTTP redirected to HTTPS.
check_dns lb-01 $LB $LB
check_tls $LB
check_redirect $LB

# Writes through the LB reach the primary and are read back from the replica.
check_write_read "https://www.foobar.com"

# Firewall: a ruleset on every host; the database port only from the app hosts,
# which in this stack are the web hosts; SSH only from the admin address.
check_nft_loaded $HOSTS
can_reach web-01 $DB 3306 || fail "web-01 (an app host) cannot reach the database"
can_reach web-02 $DB 3306 || fail "web-02 (an app host) cannot reach the database"
can_reach lb-01 $DB 3306 && fail "lb-01 reaches the database port"
can_reach mon-01 $DB 3306 && fail "mon-01 reaches the database port"
can_reach lb-01 10.77.0.21 8000 && fail "lb-01 reaches the app port directly"
can_reach lb-01 10.77.0.21 22 && fail "lb-01 reaches web-01's SSH (not an admin address)"
check_admin_ssh $HOSTS
ok "firewall: db port from app hosts only, SSH from the admin address only"

# Monitoring: every target up, and web QPS observable after some traffic.
check_targets_up $MON 12  # node on 6 hosts, haproxy, nginx 2, mysqld 2, prometheus
check_qps $MON "https://$LB/healthz" -k
check_idempotent lb-01 /run/haproxy.pid

"$F" destroy --lab --no-color --auto-approve "$STACK" >"$TMP/destroy" 2>&1 || { cat "$TMP/destroy"; fail "destroy failed"; }
on lb-01 sh -c '! pidof haproxy' >/dev/null || fail "HAProxy still running after destroy"
on web-01 sh -c '! nft list table inet foobar' >/dev/null 2>&1 || fail "firewall table left after destroy"
on mon-01 sh -c '! pidof prometheus' >/dev/null || fail "Prometheus still running after destroy"
on db-01 test -d /var/lib/mysql/foobar || fail "destroy removed database data without --purge"
ok "destroy"
echo "stack 2 end to end: all checks passed"
