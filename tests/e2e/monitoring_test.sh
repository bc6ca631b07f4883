#!/usr/bin/env bash
# Monitoring of stack 2 in the lab: metrics over TLS, central logs and alerts.
# Alerts that reach someone: Alertmanager runs on the collector
# with the stack's receiver (a webhook on web-01, tests/e2e/webhook.py), Prometheus
# sends to it, and stopping MariaDB on the replica brings the ReplicationStopped alert
# to the webhook within 2 minutes. The stack is stacks/2 with that receiver, a firewall
# rule letting the collector reach it, and a 5 s scrape interval.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/lib.sh
source tests/e2e/checks.sh
MON=10.77.0.51 HOOK_HOST=web-01 HOOK=10.77.0.21:9099
STACK=$TMP/monitoring.yaml
alert_stack stacks/2-secured-monitored.yaml "$STACK"

first_apply
check_alertmanager
check_targets_up $MON 12

check_scrape_tls mon-01 web-01=10.77.0.21:9100 web-01=10.77.0.21:9113 db-02=10.77.0.42:9104 lb-01=10.77.0.11:8404
check_central_logs https://10.77.0.11 -k
check_logs_kept_while_collector_stopped mon-01 https://10.77.0.11 -k
# -f goes on printing: a request made while it runs shows up.
timeout 6 "$F" logs --lab -f --service nginx "$STACK" >"$TMP/follow" 2>&1 &
follow=$!
sleep 2
curl -sk -m 5 -o /dev/null -H 'Host: www.foobar.com' "https://10.77.0.11/$LOG_TOKEN-followed"
wait $follow || true
grep -q "$LOG_TOKEN-followed" "$TMP/follow" || fail "foobarctl logs -f did not print the request made while it ran: $(tail -3 "$TMP/follow")"
ok "foobarctl logs -f printed a request made while it ran"
set +e; logs --host web-9 >/dev/null 2>"$TMP/logs.err"; rc=$?; set -e
if [ $rc != 1 ] || ! grep -q "not a host of stack" "$TMP/logs.err"; then fail "foobarctl logs --host web-9 did not refuse: $(cat "$TMP/logs.err")"; fi

check_replication_alert db-02
echo "monitoring end to end: all checks passed"
