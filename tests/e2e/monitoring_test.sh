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
sed -e 's/^  scrape_interval: 15s$/  scrape_interval: 5s/' \
  -e "s|^  alerts:\$|  alerts_to:\n    - { webhook: \"http://$HOOK/alerts\" }\n  alerts:|" \
  -e "s|^  admin_cidrs: \[10.77.0.1/32\]\$|&\n  rules:\n    - { hosts: [$HOOK_HOST], port: ${HOOK#*:}, proto: tcp, from: [$MON/32] }|" \
  stacks/2-secured-monitored.yaml >"$STACK"
if ! { grep -q "webhook: \"http://$HOOK/alerts\"" "$STACK" && grep -q 'scrape_interval: 5s' "$STACK" &&
  grep -q "port: ${HOOK#*:}" "$STACK"; }; then fail "could not derive the test stack from stack 2"; fi

first_apply

# The webhook listens before any alert can fire.
on "$HOOK_HOST" sh -c "setsid python3 $PWD/tests/e2e/webhook.py ${HOOK%:*} ${HOOK#*:} /tmp/hook.log </dev/null >/tmp/hook.err 2>&1 &"
wait_for "on $HOOK_HOST sh -c 'ss -ltn | grep -q :${HOOK#*:}'" 10 || fail "the test webhook does not listen on $HOOK_HOST"

# Alertmanager serves its config (the receiver in it), and Prometheus sends to it.
am_status=$(curl -s -m 5 "http://$MON:9093/api/v2/status")
case $am_status in *"http://$HOOK/alerts"*) ;; *) fail "Alertmanager on mon-01 does not have the webhook: $am_status" ;; esac
q="import json,sys; print(len(json.load(sys.stdin)['data']['activeAlertmanagers']))"
wait_for "[ \"\$(curl -s -m 5 http://$MON:9090/api/v1/alertmanagers | python3 -c \"$q\")\" = 1 ]" 30 ||
  fail "Prometheus has no active Alertmanager: $(curl -s -m 5 "http://$MON:9090/api/v1/alertmanagers")"
ok "Alertmanager on mon-01 with the webhook receiver; Prometheus sends to it"
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

# Replication broken: MariaDB stopped on the replica. The alert must reach the webhook
# within 2 minutes (scrape and evaluation 5 s, for: 1m, group_wait 10 s).
firing='import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if any(a["status"] == "firing" and a["labels"].get("alertname") == "ReplicationStopped" and
           a["labels"].get("host") == "db-02" for a in m["alerts"]):
        sys.exit(0)
sys.exit(1)'
on db-02 service mariadb stop >/dev/null
t0=$(date +%s)
arrived=0
for _ in $(seq 75); do
  log=$(on "$HOOK_HOST" cat /tmp/hook.log 2>/dev/null || true)
  if [ -n "$log" ] && python3 -c "$firing" <<<"$log"; then arrived=1; break; fi
  sleep 2
done
delay=$(($(date +%s) - t0))
[ "$arrived" = 1 ] || fail "no firing ReplicationStopped for db-02 at the webhook after $delay s: $(on "$HOOK_HOST" cat /tmp/hook.log 2>&1 | tail -3)"
[ "$delay" -le 120 ] || fail "ReplicationStopped reached the webhook after $delay s, more than 2 minutes"
ok "ReplicationStopped for db-02 reached the webhook $delay s after MariaDB stopped on the replica"
on db-02 service mariadb start >/dev/null
echo "monitoring end to end: all checks passed"
