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

# Metrics over TLS: each kind of endpoint refuses a scrape without a client certificate
# (the TLS handshake fails: curl 35, 55 or 56, or nginx answers 400) and serves one with the
# collector's certificate, verified against the monitoring CA by the address scraped.
CA=/etc/foobar/monitoring/ca.crt PEM=/etc/foobar/monitoring/host.pem
for t in web-01=10.77.0.21:9100 web-01=10.77.0.21:9113 db-02=10.77.0.42:9104 lb-01=10.77.0.11:8404; do
  url=https://${t#*=}/metrics
  set +e; code=$(on mon-01 curl -s -o /dev/null -w '%{http_code}' -m 5 --cacert $CA "$url"); rc=$?; set -e
  case "$rc:$code" in 35:* | 55:* | 56:* | 0:4??) ;; *) fail "a scrape of $url without a client certificate: curl exit $rc, HTTP $code" ;; esac
  metrics=$(on mon-01 curl -sf -m 5 --cacert $CA --cert $PEM "$url") || fail "a scrape of $url with the collector's certificate failed"
  grep -q '^# TYPE' <<<"$metrics" || fail "a scrape of $url with the collector's certificate got no metrics"
done
ok "exporters on TLS: without a client certificate refused, with the collector's served (node, nginx, mysqld, haproxy)"

# Central logs: a request through the LB leaves a line in nginx's access log and one in
# the app's log on a web host; both reach mon-01 over TLS and foobarctl logs finds them
# within 10 s. Then lines logged while rsyslog on mon-01 is stopped arrive once it is back.
logs() { "$F" logs --lab "$@" "$STACK"; }
token=e2e-$$-$RANDOM
t0=$(date +%s)
curl -sk -m 5 -o /dev/null -H 'Host: www.foobar.com' "https://10.77.0.11/$token"
wait_for "logs --service nginx | grep -q '$token' && logs --service foobar-app | grep -q '$token'" 10 ||
  fail "the request's nginx and app lines are not in foobarctl logs after 10 s: $(logs --since 1m | tail -5)"
ok "an nginx access line and the app's line found through foobarctl logs $(($(date +%s) - t0)) s after the request"
# The requests' lines come from the log files of the web and app hosts: in the SysV lab
# every host shares the machine's /dev, so /dev/log (logger) is not per host there.
on mon-01 service rsyslog stop >/dev/null
sleep 1
for i in 1 2; do curl -sk -m 5 -o /dev/null -H 'Host: www.foobar.com' "https://10.77.0.11/$token-stopped-$i"; done
sleep 2
on mon-01 service rsyslog start >/dev/null
t0=$(date +%s)
wait_for "logs --service nginx --since 5m | grep -q '$token-stopped-2' && logs --service foobar-app --since 5m | grep -q '$token-stopped-2'" 30 ||
  fail "lines logged while rsyslog on mon-01 was stopped did not arrive: $(logs --since 1m | tail -5)"
[ "$(logs --service nginx | grep -c "$token-stopped-")" = 2 ] || fail "not both requests made while the collector was stopped are in nginx's log"
ok "lines logged while the collector was stopped arrived $(($(date +%s) - t0)) s after it started again"
# -f goes on printing: a request made while it runs shows up.
timeout 6 "$F" logs --lab -f --service nginx "$STACK" >"$TMP/follow" 2>&1 &
follow=$!
sleep 2
curl -sk -m 5 -o /dev/null -H 'Host: www.foobar.com' "https://10.77.0.11/$token-followed"
wait $follow || true
grep -q "$token-followed" "$TMP/follow" || fail "foobarctl logs -f did not print the request made while it ran: $(tail -3 "$TMP/follow")"
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
