# Checks shared by the end-to-end tests of stacks 2 and 3 and of day 2 (source after lib.sh).

# Whether host $1 can open a TCP connection to $2:$3 (refused or dropped: no).
can_reach() { on "$1" timeout 3 bash -c "exec 3<>/dev/tcp/$2/$3" >/dev/null 2>&1; }

# HTTPS at www.foobar.com answers as a visitor sees it: the name resolved by the lab's
# nameserver, the certificate verified against the lab's CA (no -k, no --resolve). The
# certificate is the one the stack's TLS_CERTIFICATE secret holds, on every LB ($@).
check_tls() {
  local lb
  wait_for "[ \"\$(status_of https://www.foobar.com/healthz)\" = 200 ]" 30 ||
    fail "https://www.foobar.com/healthz is not 200 with the lab's CA trusted: $(visit -sS -m 5 -o /dev/null https://www.foobar.com/healthz 2>&1)"
  [ "$(status_of https://www.foobar.com/)" = 200 ] || fail "GET / over HTTPS is not 200"
  sed -n '/BEGIN CERT/,/END CERT/p' "$(lab_dir)/TLS_CERTIFICATE.pem" | openssl x509 -noout -fingerprint -sha256 >"$TMP/cert.want"
  for lb in "$@"; do
    openssl s_client -connect "$lb:443" -servername www.foobar.com </dev/null 2>/dev/null |
      openssl x509 -noout -fingerprint -sha256 >"$TMP/cert.$lb" || fail "no certificate from $lb:443"
    cmp -s "$TMP/cert.want" "$TMP/cert.$lb" || fail "$lb serves another certificate than TLS_CERTIFICATE"
  done
  ok "HTTPS at www.foobar.com verified against the lab's CA; $* serve the stack's certificate"
}

check_redirect() {
  local out
  out=$(curl -s -m 5 -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: www.foobar.com' "http://$1/x?y=1")
  [[ "$out" =~ ^30[1278]\ https://www.foobar.com/x\?y=1$ ]] || fail "HTTP at $1 is not redirected to HTTPS: $out"
  ok "HTTP at $1 redirects to HTTPS ($out)"
}

# POST through the entry URL $1 as a visitor, then the entry is listed.
check_write_read() {
  local url=$1 msg="e2e-$RANDOM$RANDOM"
  [ "$(visit -s -m 5 -o /dev/null -w '%{http_code}' -d author=e2e -d "message=$msg" "$url/entries")" = 201 ] ||
    fail "POST /entries through $url did not create an entry"
  wait_for "visit -s -m 5 $url/ | grep -q $msg" 20 || fail "the entry is not listed (read from the replica)"
  ok "the app writes to the primary and reads back from the replica"
}

check_nft_loaded() {
  local h
  for h in "$@"; do
    on "$h" nft list table inet foobar >/dev/null 2>&1 || fail "no foobar nftables table loaded on $h"
  done
  ok "nftables ruleset loaded on $*"
}

# SSH from the machine (10.77.0.1, the admin address) to every host.
check_admin_ssh() {
  local h
  for h in "$@"; do [ "$(on "$h" hostname)" = "$h" ] || fail "SSH to $h from the admin address failed"; done
}

# Every Prometheus target on $1 is up ($2 of them).
check_targets_up() {
  local mon=$1 want=$2 q="import json,sys; t=json.load(sys.stdin)['data']['activeTargets']; print(len(t), sum(x['health']=='up' for x in t))"
  wait_for "[ \"\$(curl -s -m 5 http://$mon:9090/api/v1/targets | python3 -c \"$q\")\" = '$want $want' ]" 90 || {
    curl -s -m 5 "http://$mon:9090/api/v1/targets" | python3 -c "import json,sys
for x in json.load(sys.stdin)['data']['activeTargets']: print(x['labels']['job'], x['scrapeUrl'], x['health'], x['lastError'])"
    fail "not every Prometheus target is up"; }
  ok "Prometheus on $mon: all $want targets up"
}

# After traffic to $2 (curl options after it), the QPS query on $1 gives a positive value.
check_qps() {
  local mon=$1 url=$2 i q='import json,sys; r=json.load(sys.stdin)["data"]["result"]; sys.exit(0 if r and float(r[0]["value"][1]) > 0 else 1)'
  shift 2
  for i in $(seq 60); do curl -s -m 5 -o /dev/null "$@" "$url"; done
  wait_for "for i in 1 2 3 4 5; do curl -s -m 5 -o /dev/null $* $url; done; curl -s -m 5 -G http://$mon:9090/api/v1/query --data-urlencode 'query=sum(rate(haproxy_frontend_http_requests_total[1m]))' | python3 -c '$q'" 90 ||
    fail "the QPS query gives no positive value"
  ok "web QPS observable: $(curl -s -m 5 -G "http://$mon:9090/api/v1/query" --data-urlencode 'query=sum(rate(haproxy_frontend_http_requests_total[1m]))' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])') req/s"
}

# A second plan has no changes, a second apply restarts nothing ($1 $2: host and pid file).
check_idempotent() {
  local rc
  set +e; plan --detailed-exitcode >"$TMP/plan2"; rc=$?; set -e
  [ $rc -eq 0 ] || { cat "$TMP/plan2"; fail "second plan exit $rc, want 0"; }
  second_apply "$1" "$2"
  set +e; plan --detailed-exitcode >"$TMP/plan3"; rc=$?; set -e
  [ $rc -eq 0 ] || { cat "$TMP/plan3"; fail "plan after the second apply exit $rc, want 0"; }
  ok "second plan and apply: no changes"
}

# `foobarctl status` under a paced client ($1: URL, $2...: curl options): every host
# up, the floating IP's holder named, and each web host's QPS within 20% of the
# requests it served (its access log's new lines over the client's time). With
# STATUS_PROMETHEUS=1 the rates also come from Prometheus (over the last minute: the
# client runs long enough to fill it), else from the counters over SSH only.
status_json() { "$F" status --lab --format json "$@" "$STACK"; }
check_status() {
  local url=$1 secs=24 t0 t1 webs w; shift
  [ "${STATUS_PROMETHEUS:-0}" = 1 ] && secs=80
  webs=$(awk '/^  web:/ {w=1} w && /hosts:/ {gsub(/[][,]/, " "); for (i = 2; i <= NF; i++) print $i; exit}' "$STACK")
  declare -A before
  for w in $webs; do before[$w]=$(on "$w" wc -l </dev/null /var/log/nginx/foobar.access.log | awk '{print $1}'); done
  t0=$(date +%s.%N)
  # shellcheck disable=SC2016 # the client's own script
  bash -c 'end=$(( $(date +%s) + $1 )); shift; n=0
    while [ "$(date +%s)" -lt "$end" ] && [ "$n" -lt 2000 ]; do curl -s -o /dev/null -m 5 "$@"; n=$((n + 1)); sleep 0.1; done' \
    client "$secs" "$@" "$url" &
  local client=$!
  sleep 8
  status_json --source ssh --sample 10 >"$TMP/status-ssh.json" || { cat "$TMP/status-ssh.json"; fail "status (ssh) exit $?"; }
  if [ "${STATUS_PROMETHEUS:-0}" = 1 ]; then
    sleep $((secs - 8 - 10 - 6))
    status_json >"$TMP/status-prom.json" || { cat "$TMP/status-prom.json"; fail "status (prometheus) exit $?"; }
  fi
  wait "$client"
  t1=$(date +%s.%N)
  local truth=""
  for w in $webs; do
    truth="$truth $w=$(on "$w" wc -l </dev/null /var/log/nginx/foobar.access.log |
      awk -v b="${before[$w]}" -v a="$t0" -v z="$t1" '{printf "%.2f", ($1 - b) / (z - a)}')"
  done
  local f
  for f in "$TMP"/status-*.json; do
    python3 - "$f" "$truth" <<'PY' || { cat "$f"; fail "status: $(basename "$f") is wrong"; }
import json, sys
s = json.load(open(sys.argv[1]))
truth = dict(kv.split("=") for kv in sys.argv[2].split())
bad = [h for h, v in s["hosts"].items() if v["up"] is not True]
assert not bad, f"hosts not up: {bad}"
for w, t in truth.items():
    t = float(t)
    q = s["hosts"][w]["qps"]
    assert t > 0.5, f"{w} served only {t} req/s: the client proves nothing"
    assert q is not None and abs(q - t) <= 0.2 * t, f"{w}: status says {q} req/s, it served {t} req/s"
    print(f"{s['source']}: {w} qps {q:.2f}, served {t:.2f} req/s")
lbs = [h for h, v in s["hosts"].items() if "lb" in v["tiers"]]
if any("floating_ip" in s["hosts"][h] for h in lbs):
    assert s["floating_ip_holder"] in lbs, f"no load balancer holds the floating IP: {s['floating_ip_holder']}"
total = sum(float(t) for t in truth.values())
front = sum(s["hosts"][h]["qps"] or 0 for h in lbs)
assert abs(front - total) <= 0.2 * total, f"the LBs' frontends say {front} req/s, the web hosts served {total}"
PY
  done
  ok "status: every host up; web QPS within 20% of what each web host served ($(ls "$TMP"/status-*.json | wc -l) sources)"
}

# Metrics over TLS: each endpoint HOST=ADDR:PORT refuses a scrape from the collector $1
# without a client certificate (the TLS handshake fails: curl 35, 55 or 56, or nginx
# answers 4xx) and serves one with the collector's certificate, verified against the
# monitoring CA by the address scraped.
check_scrape_tls() {
  local collector=$1 t url code rc metrics
  local ca=/etc/foobar/monitoring/ca.crt pem=/etc/foobar/monitoring/host.pem
  shift
  for t in "$@"; do
    url=https://${t#*=}/metrics
    set +e; code=$(on "$collector" curl -s -o /dev/null -w '%{http_code}' -m 5 --cacert $ca "$url"); rc=$?; set -e
    case "$rc:$code" in 35:* | 55:* | 56:* | 0:4??) ;; *) fail "a scrape of $url without a client certificate: curl exit $rc, HTTP $code" ;; esac
    metrics=$(on "$collector" curl -sf -m 5 --cacert $ca --cert $pem "$url") || fail "a scrape of $url with the collector's certificate failed"
    grep -q '^# TYPE' <<<"$metrics" || fail "a scrape of $url with the collector's certificate got no metrics"
  done
  ok "exporters on TLS: without a client certificate refused, with the collector's served ($*)"
}

# Central logs: a request to $1 (curl arguments after it) leaves a line in nginx's access
# log on a web host and one in the app's log on an app host; both reach the collector
# over TLS and foobarctl logs finds them within 10 s. Sets LOG_TOKEN.
logs() { "$F" logs --lab "$@" "$STACK"; }
check_central_logs() {
  local base=$1 t0
  shift
  LOG_TOKEN=e2e-$$-$RANDOM
  t0=$(date +%s)
  curl -s -m 5 -o /dev/null -H 'Host: www.foobar.com' "$@" "$base/$LOG_TOKEN"
  wait_for "logs --service nginx | grep -q '$LOG_TOKEN' && logs --service foobar-app | grep -q '$LOG_TOKEN'" 10 ||
    fail "the request's nginx and app lines are not in foobarctl logs after 10 s: $(logs --since 1m | tail -5)"
  ok "an nginx access line and the app's line found through foobarctl logs $(($(date +%s) - t0)) s after the request"
}

# Lines logged while rsyslog on the collector $1 is stopped (two requests to $2, curl
# arguments after it) are queued on the senders' disks and arrive once it is back.
# The lines come from the web and app hosts' log files: in the SysV lab every host
# shares the machine's /dev, so /dev/log (logger) is not per host there.
check_logs_kept_while_collector_stopped() {
  local collector=$1 base=$2 i t0
  shift 2
  on "$collector" service rsyslog stop >/dev/null 2>&1
  sleep 1
  for i in 1 2; do curl -s -m 5 -o /dev/null -H 'Host: www.foobar.com' "$@" "$base/$LOG_TOKEN-stopped-$i"; done
  sleep 2
  on "$collector" service rsyslog start >/dev/null
  t0=$(date +%s)
  wait_for "logs --service nginx --since 5m | grep -q '$LOG_TOKEN-stopped-2' && logs --service foobar-app --since 5m | grep -q '$LOG_TOKEN-stopped-2'" 30 ||
    fail "lines logged while rsyslog on $collector was stopped did not arrive: $(logs --since 1m | tail -5)"
  [ "$(logs --service nginx | grep -c "$LOG_TOKEN-stopped-")" = 2 ] ||
    fail "not both requests made while the collector was stopped are in nginx's log"
  ok "lines logged while the collector was stopped arrived $(($(date +%s) - t0)) s after it started again"
}

# Day 2 of the database tier (docs/day2.md), on a stack whose db-01 is the primary and
# db-02 its replica; `db` runs foobarctl db on the stack file copy $COPY.
db() { "$F" db "$@" --lab --no-color --auto-approve "$COPY"; }

# The bounded client through the entry URL $2: a write (POST /entries, the unique
# message day2-$1-N) then a read (GET /), one after the other, until $TMP/stop, at
# most 3000 pairs or 120 s. Lines: "w N CODE SECONDS" and "r N CODE SECONDS" (000: no
# answer).
db_client_start() {
  rm -f "$TMP/stop"
  LOG=$TMP/client-$1.log
  : >"$LOG"
  # shellcheck disable=SC2016 # the client's own script
  "$F" lab client "$STACK" -- sh -c '
    end=$(( $(date +%s) + 120 )); n=0
    while [ ! -e "$1" ] && [ "$n" -lt 3000 ] && [ "$(date +%s)" -lt "$end" ]; do
      n=$((n + 1))
      echo "w $n $(curl -s -o /dev/null -m 10 -w "%{http_code} %{time_total}" -d author=e2e -d message=day2-$3-$n "$2/entries")" >>"$4"
      echo "r $n $(curl -s -o /dev/null -m 5 -w "%{http_code} %{time_total}" "$2/")" >>"$4"
    done' sh "$TMP/stop" "$2" "$1" "$LOG" &
  CLIENT=$!
  wait_for "[ \$(grep -c '^w [0-9]* 201 ' '$LOG') -ge 3 ]" 20 || fail "the client's writes do not succeed before the change: $(tail -3 "$LOG")"
}
db_client_stop() {
  touch "$TMP/stop"
  wait "$CLIENT" || true
}

# `db switchover --to db-02` under the client through $1: every write acknowledged
# (each one issued during the switch waits, examples/foobar-app), every read answered,
# none lost on db-02; db-01 replicates from it. SWITCH_FIG: the figures.
check_switchover() {
  local url=$1 reads reads_failed writes acked refused lost pause total longest
  db_client_start switch "$url"
  sleep 2
  db switchover --to db-02 >"$TMP/switch" 2>&1 || { cat "$TMP/switch"; fail "db switchover failed"; }
  sleep 3
  db_client_stop
  cat "$TMP/switch"
  grep -q "^Switchover complete: db-02 is the primary" "$TMP/switch" || fail "the switchover does not say it completed"
  grep -q "change \`primary: db-01\` to \`primary: db-02\`" "$TMP/switch" || fail "no stack file line to change"
  grep -q "^  $COPY:[0-9]*: change" "$TMP/switch" || fail "the line to change is not named file:line"
  grep -q "^[a-z0-9-]*: write /etc/foobar/app.env with the new primary" "$TMP/switch" || fail "no app host's env file written before the roll"
  pause=$(sed -n 's/^Writes paused at the database for \([0-9.]*\) s.*/\1/p' "$TMP/switch")
  total=$(sed -n 's/^Switchover complete: .*; total \([0-9.]*\) s\.$/\1/p' "$TMP/switch")
  reads=$(grep -c '^r ' "$LOG" || true); reads_failed=$(awk '$1 == "r" && $3 != 200' "$LOG" | wc -l)
  writes=$(grep -c '^w ' "$LOG" || true); acked=$(awk '$1 == "w" && $3 == 201' "$LOG" | wc -l)
  refused=$((writes - acked))
  longest=$(awk '$1 == "w" && $4 > m { m = $4 } END { printf "%.2f", m }' "$LOG")
  [ "$reads_failed" -eq 0 ] || fail "$reads_failed of $reads reads failed: $(awk '$1 == "r" && $3 != 200' "$LOG" | head -5 | tr '\n' ' ')"
  [ "$refused" -eq 0 ] || fail "$refused of $writes writes refused: $(awk '$1 == "w" && $3 != 201' "$LOG" | head -5 | tr '\n' ' ')"
  [ "$acked" -ge 10 ] || fail "only $acked writes were acknowledged: the client proves nothing"
  on db-02 mysql -N foobar -e "SELECT message FROM entries WHERE message LIKE 'day2-switch-%'" | sort >"$TMP/stored"
  awk '$1 == "w" && $3 == 201 { print "day2-switch-" $2 }' "$LOG" | sort >"$TMP/acked"
  lost=$(comm -23 "$TMP/acked" "$TMP/stored" | wc -l)
  [ "$lost" -eq 0 ] || fail "$lost acknowledged writes are missing on db-02: $(comm -23 "$TMP/acked" "$TMP/stored" | head -5 | tr '\n' ' ')"
  on db-01 mysql -e 'SHOW SLAVE STATUS\G' | grep -q "Master_Host: 10.77.0.42" || fail "db-01 does not replicate from db-02"
  on db-02 mysql -N -e 'SELECT @@read_only' | grep -qx 0 || fail "db-02 is read-only"
  SWITCH_FIG="switchover: $writes writes (0 refused, 0 lost), $reads reads (0 failed); write pause at the database ${pause} s, longest write seen by the client ${longest} s; switchover total ${total} s"
  ok "$SWITCH_FIG"
}

# The stack file copy edited as the switchover said: plan says No changes.
check_switchover_edit() {
  local rc
  sed -i 's/^    primary: db-01$/    primary: db-02/; s/^    replicas: \[db-02\]$/    replicas: [db-01]/' "$COPY"
  set +e; "$F" plan --lab --no-color --detailed-exitcode "$COPY" >"$TMP/plan-edited" 2>&1; rc=$?; set -e
  [ $rc -eq 0 ] || { cat "$TMP/plan-edited"; fail "plan of the edited stack exits $rc: the switchover left changes (want No changes)"; }
  ok "edited stack (primary: db-02): plan says No changes"
}

# `db failover` after the primary $3's MariaDB stopped: the replica $2 is promoted, $3
# fenced (nftables foobar_fence), and writes through $1 work again. FAILOVER_SECS: how
# long after the go.
check_failover() {
  local url=$1 new=$2 old=$3 t1
  on "$old" service mariadb stop >/dev/null 2>&1 || true
  [ "$(status_of -d author=e2e -d message=primary-down "$url/entries")" != 201 ] || fail "a write succeeded with the primary down"
  t1=$(date +%s.%N)
  db failover >"$TMP/failover" 2>&1 || { cat "$TMP/failover"; fail "db failover failed"; }
  cat "$TMP/failover"
  grep -q "^Failover complete: $new is the primary" "$TMP/failover" || fail "the failover does not say it completed"
  wait_for "[ \"\$(status_of -d author=e2e -d message=after-failover $url/entries)\" = 201 ]" 20 ||
    fail "writes do not work after the failover"
  FAILOVER_SECS=$(awk -v a="$t1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  on "$new" mysql -N foobar -e "SELECT COUNT(*) FROM entries WHERE message = 'after-failover'" | grep -qx '[1-9][0-9]*' ||
    fail "the write after the failover is not on $new"
  on "$old" nft list table inet foobar_fence | grep -q "tcp dport 3306 drop" || fail "$old is not fenced"
  ok "failover: $new takes writes ${FAILOVER_SECS} s after the go; $old fenced (nftables foobar_fence)"
}

# Alerts that reach someone. The test receiver is tests/e2e/webhook.py on host
# $HOOK_HOST at $HOOK (address:port); $MON is the collector's address.
# alert_stack SRC DST: the stack file SRC with that webhook as its receiver, a firewall
# rule letting the collector reach it, and a 5 s scrape interval, written to DST.
alert_stack() {
  local rule="    - { hosts: [$HOOK_HOST], port: ${HOOK#*:}, proto: tcp, from: [$MON/32] }"
  local at='^  admin_cidrs: \[10.77.0.1/32\]$' head="  rules:\n"
  if grep -q '^  rules:$' "$1"; then at='^  rules:$' head=""; fi
  sed -e 's/^  scrape_interval: 15s$/  scrape_interval: 5s/' \
    -e "s|^  alerts:\$|  alerts_to:\n    - { webhook: \"http://$HOOK/alerts\" }\n  alerts:|" \
    -e "s|$at|&\n$head$rule|" "$1" >"$2"
  if ! { grep -q "webhook: \"http://$HOOK/alerts\"" "$2" && grep -q 'scrape_interval: 5s' "$2" &&
    grep -qF -- "$rule" "$2"; }; then fail "could not derive the alerting stack from $1"; fi
}

# The webhook listens, Alertmanager on the collector serves its config with the
# receiver, and Prometheus sends to it.
check_alertmanager() {
  on "$HOOK_HOST" sh -c "setsid python3 $PWD/tests/e2e/webhook.py ${HOOK%:*} ${HOOK#*:} /tmp/hook.log </dev/null >/tmp/hook.err 2>&1 &"
  wait_for "on $HOOK_HOST sh -c 'ss -ltn | grep -q :${HOOK#*:}'" 10 || fail "the test webhook does not listen on $HOOK_HOST"
  local am_status q
  am_status=$(curl -s -m 5 "http://$MON:9093/api/v2/status")
  case $am_status in *"http://$HOOK/alerts"*) ;; *) fail "Alertmanager on $MON does not have the webhook: $am_status" ;; esac
  q="import json,sys; print(len(json.load(sys.stdin)['data']['activeAlertmanagers']))"
  wait_for "[ \"\$(curl -s -m 5 http://$MON:9090/api/v1/alertmanagers | python3 -c \"$q\")\" = 1 ]" 30 ||
    fail "Prometheus has no active Alertmanager: $(curl -s -m 5 "http://$MON:9090/api/v1/alertmanagers")"
  ok "Alertmanager on $MON with the webhook receiver; Prometheus sends to it"
}

# Replication broken: MariaDB stopped on the replica $1. The ReplicationStopped alert
# must reach the webhook within 2 minutes (scrape and evaluation 5 s, for: 1m,
# group_wait 10 s). MariaDB is started again and replicates before this returns.
check_replication_alert() {
  local replica=$1 firing t0 arrived=0 delay log
  firing='import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if any(a["status"] == "firing" and a["labels"].get("alertname") == "ReplicationStopped" and
           a["labels"].get("host") == sys.argv[1] for a in m["alerts"]):
        sys.exit(0)
sys.exit(1)'
  on "$replica" service mariadb stop >/dev/null
  t0=$(date +%s)
  for _ in $(seq 75); do
    log=$(on "$HOOK_HOST" cat /tmp/hook.log 2>/dev/null || true)
    if [ -n "$log" ] && python3 -c "$firing" "$replica" <<<"$log"; then arrived=1; break; fi
    sleep 2
  done
  delay=$(($(date +%s) - t0))
  [ "$arrived" = 1 ] || fail "no firing ReplicationStopped for $replica at the webhook after $delay s: $(on "$HOOK_HOST" cat /tmp/hook.log 2>&1 | tail -3)"
  [ "$delay" -le 120 ] || fail "ReplicationStopped reached the webhook after $delay s, more than 2 minutes"
  ok "ReplicationStopped for $replica reached the webhook $delay s after MariaDB stopped on the replica"
  on "$replica" service mariadb start >/dev/null
  wait_for "on $replica mysql -e 'SHOW SLAVE STATUS\\G' | grep -q 'Slave_SQL_Running: Yes'" 30 ||
    fail "$replica does not replicate again after MariaDB started"
}
