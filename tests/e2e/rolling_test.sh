#!/usr/bin/env bash
# Rolling changes in the lab (docs/rolling.md): while a bounded client sends HTTPS
# requests to https://www.foobar.com (DNS in the lab, the floating IP, HAProxy, nginx,
# the app, MariaDB) the whole time, a new app release, a web-tier config change and
# an LB config change each fail 0 requests; a release whose app cannot start stops
# after the first app host (apply exits 1 naming it and its gate, the other host keeps
# serving the old code, 0 requests fail); re-applied unfixed it stops there again; the
# fixed release then rolls over both hosts, again with 0 failed requests. Then a
# third web host is added (lab up adds its host, apply gates it before the HAProxy
# reloads that send it traffic) and removed again (HAProxy drops it before its nginx
# stops), each with 0 failed requests.
set -euo pipefail
STACK=tests/e2e/rolling.yaml
source "$(dirname "$0")/lib.sh"
VIP=10.77.0.10

# The app's code and the stack are copies that each step changes.
mkdir -p "$TMP/src/examples"
cp -r examples/foobar-app "$TMP/src/examples/"
cp "$STACK" "$TMP/stack.yaml"
STACK_COPY=$TMP/stack.yaml
SRC=(--source-base "$TMP/src")
APP_PY=$TMP/src/examples/foobar-app/app.py
release() { sed -i "s/foobar.com guestbook[^<]*</foobar.com guestbook $1</" "$APP_PY"; }
roll_apply() { "$F" apply --lab --no-color --auto-approve "${SRC[@]}" "$@" "$STACK_COPY"; }
# What the app on app host $1 serves, asked directly.
serves() { on "$1" curl -s -m 3 "http://$2:8000/" 2>/dev/null | grep -o 'guestbook[^<]*' || true; }
both_serve() {
  local h
  for h in "app-01 10.77.0.31" "app-02 10.77.0.32"; do
    # shellcheck disable=SC2086
    [ "$(serves $h)" = "guestbook $1" ] || fail "${h%% *} serves '$(serves $h)', want 'guestbook $1'"
  done
}

# The bounded client: one HTTPS request after the other through the floating IP as
# the lab's visitor, until client_stop, at most 4000 requests or 200 s; one status
# code a line (000: no answer).
client_start() {
  rm -f "$TMP/stop"
  CLIENT_LOG=$TMP/client-$1.log
  : >"$CLIENT_LOG"
  # shellcheck disable=SC2016 # the client's own script
  "$F" lab client "$STACK" -- sh -c '
    end=$(( $(date +%s) + 200 )); n=0
    while [ ! -e "$1" ] && [ "$n" -lt 4000 ] && [ "$(date +%s)" -lt "$end" ]; do
      curl -s -o /dev/null -m 5 -w "%{http_code}\n" https://www.foobar.com/ >>"$2" || true
      n=$((n + 1))
    done' sh "$TMP/stop" "$CLIENT_LOG" &
  CLIENT=$!
  wait_for "[ \$(wc -l <'$CLIENT_LOG') -ge 5 ]" 20 || fail "the client got no answers before the change"
}
# Stops the client and checks that none of its requests failed; $1 names the step.
FIGURES=""
client_stop() {  # client_stop WHAT SECS [ALLOWED]: at most ALLOWED (0) requests failed
  local what=$1 secs=$2 allowed=${3:-0} sent failed
  touch "$TMP/stop"
  wait "$CLIENT" || true
  sent=$(wc -l <"$CLIENT_LOG")
  failed=$(grep -vcx 200 "$CLIENT_LOG" || true)
  FIGURES="$FIGURES
  $what: $sent requests, $failed failed, apply $secs s"
  [ "$failed" -le "$allowed" ] || cat "$TMP/$LAST"
  [ "$failed" -le "$allowed" ] ||
    fail "$what: $failed of $sent requests failed: $(sort "$CLIENT_LOG" | uniq -c | tr '\n' ' ')"
  [ "$sent" -ge 20 ] || fail "$what: only $sent requests were sent (the client proves nothing)"
  ok "$what: $sent requests, $failed failed (apply $secs s)"
}
timed_apply() {  # timed_apply NAME [ARGS]: apply under load; sets SECS and RC, output in $TMP/NAME
  local name=$1 t0; shift
  LAST=$name
  t0=$(date +%s.%N)
  set +e; roll_apply "$@" >"$TMP/$name" 2>&1; RC=$?; set -e
  SECS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
}
# Line numbers of the apply output in $TMP/$1 that contain $2.
line_of() { grep -n -m1 -F -- "$2" "$TMP/$1" | cut -d: -f1; }
before() { local a b; a=$(line_of "$1" "$2"); b=$(line_of "$1" "$3"); [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; }

lab_up
release v1
roll_apply >"$TMP/apply1" 2>&1 || { cat "$TMP/apply1"; fail "first apply failed"; }
wait_for "[ \"\$(visit -s -m 5 -o /dev/null -w '%{http_code}' https://www.foobar.com/)\" = 200 ]" 30 ||
  fail "https://www.foobar.com/ does not answer after the first apply"
both_serve v1
ok "stack applied; both app hosts serve v1 through $VIP"

# 1. A new release: one line of app.py. The plan shows the roll; app-01 goes first and
# app-02 only after app-01's gate.
release v2
"$F" plan --lab --no-color "${SRC[@]}" "$STACK_COPY" >"$TMP/plan2"
grep -q "tier app: 2 hosts in 2 batches" "$TMP/plan2" || { cat "$TMP/plan2"; fail "the plan does not show the app roll"; }
grep -q "app-01: interrupts service: restart service foobar-app" "$TMP/plan2" || fail "the plan does not say what interrupts"
grep -q "after:  gate: the app answers http://10.77.0.31:8000/healthz with 200" "$TMP/plan2" || fail "the plan shows no gate"
"$F" plan --lab --format json "${SRC[@]}" "$STACK_COPY" >"$TMP/plan2.json"
python3 - "$TMP/plan2.json" <<'PY' || fail "the JSON plan does not carry the roll"
import json, sys
roll = {t["tier"]: t for t in json.load(open(sys.argv[1]))["roll"]}
app = roll["app"]
assert app["batches"] == [["app-01"], ["app-02"]], app["batches"]
assert "restart service foobar-app" in app["hosts"]["app-01"]["interrupts"], app
assert any("/healthz" in g for g in app["hosts"]["app-01"]["gates"]), app
PY
"$F" plan --lab --format markdown "${SRC[@]}" "$STACK_COPY" | grep -q '^  - batch 2: `app-02`$' ||
  fail "the markdown plan does not show the roll"
client_start release
timed_apply apply2
client_stop "new app release" "$SECS"
[ $RC -eq 0 ] || { cat "$TMP/apply2"; fail "the release's apply failed"; }
before apply2 "app-01: gate: the app answers" "app-02: update file:/opt/foobar/app.py" ||
  { cat "$TMP/apply2"; fail "app-02 changed before app-01 passed its gate"; }
both_serve v2

# 2. A web-tier config change (one more static location): each web host is drained in
# both HAProxy hosts, reloaded, gated and put back, one after the other (batch 50%).
sed -i 's|static: \[/static\]|static: [/static, /assets]|' "$STACK_COPY"
client_start web
timed_apply apply3
client_stop "web-tier config change" "$SECS"
[ $RC -eq 0 ] || { cat "$TMP/apply3"; fail "the web change's apply failed"; }
for h in web-01 web-02; do
  for lb in lb-01 lb-02; do
    grep -q "^$h: drain in HAProxy on $lb: drained" "$TMP/apply3" || { cat "$TMP/apply3"; fail "$h not drained in $lb"; }
    grep -q "^$h: gate: back in HAProxy on $lb and UP: $h is UP" "$TMP/apply3" || fail "$h not back UP in $lb"
  done
done
before apply3 "web-01: gate: back in HAProxy on lb-02" "web-02: drain in HAProxy on lb-01" ||
  { cat "$TMP/apply3"; fail "web-02 was drained before web-01 was back"; }
on web-01 grep -q "location /assets/" /etc/nginx/sites-available/foobar || fail "web-01 lacks the new location"

# 3. An LB config change (the health check interval): BACKUP (lb-02) first, then the MASTER.
sed -i 's|interval: 1s|interval: 2s|' "$STACK_COPY"
client_start lb
timed_apply apply4
client_stop "LB config change" "$SECS"
[ $RC -eq 0 ] || { cat "$TMP/apply4"; fail "the LB change's apply failed"; }
before apply4 "lb-02: gate: HAProxy answers" "lb-01: update file:/etc/haproxy/haproxy.cfg" ||
  { cat "$TMP/apply4"; fail "the MASTER lb-01 was reloaded before the BACKUP lb-02 passed its gate"; }

# 3b. A keepalived restart on the MASTER, left pending as a killed apply leaves it: the
# floating IP moves to lb-02 first (keepalived's track file), keepalived restarts (the
# init script's restart waits for the old daemon), and the address comes back after the
# gates. Each move resets the connections in flight to the address at that instant (the
# peer has no state for them): at most one request per move may fail.
vip_on() { on "$1" ip -o -4 addr show | grep -c "inet 10.77.0.10/" || true; }
[ "$(vip_on lb-01)" = 1 ] || fail "the floating IP is not on lb-01 before the move"
on lb-01 sh -c "printf 'restart\tkeepalived\tlb-01:file:/etc/keepalived/keepalived.conf\n' > /var/lib/foobarctl/foobar-rolling.pending"
"$F" plan --lab --no-color "${SRC[@]}" "$STACK_COPY" >"$TMP/plan-move" || true
grep -q "before: move the floating IP 10.77.0.10 to lb-02" "$TMP/plan-move" || { cat "$TMP/plan-move"; fail "the plan does not show the move"; }
client_start move
timed_apply apply-move
client_stop "keepalived restart on the MASTER (the floating IP moves and back)" "$SECS" 2
[ $RC -eq 0 ] || { cat "$TMP/apply-move"; fail "the keepalived restart's apply failed"; }
before apply-move "lb-01: the floating IP 10.77.0.10 is on lb-02: holds" "lb-01: restart service:keepalived: done" ||
  { cat "$TMP/apply-move"; fail "keepalived restarted on lb-01 before the address was on lb-02"; }
grep -q "lb-01: the floating IP 10.77.0.10 back on lb-01: holds 10.77.0.10 again" "$TMP/apply-move" ||
  { cat "$TMP/apply-move"; fail "the address did not come back to lb-01"; }
[ "$(vip_on lb-01)" = 1 ] && [ "$(vip_on lb-02)" = 0 ] || fail "after the move the floating IP is not on lb-01 alone"
[ "$(on lb-01 cat /etc/keepalived/foobar-hold)" = 0 ] || fail "lb-01's track file still holds the address away"
ok "the floating IP moved to lb-02 for lb-01's keepalived restart and came back"

# 4. A release whose app cannot start: apply stops after app-01's gate fails; app-02
# keeps v2 and serves every request.
release v3
sed -i 's/^import pymysql$/import pymysql\nimport foobar_module_that_does_not_exist/' "$APP_PY"
client_start broken
timed_apply apply5
client_stop "release that cannot start" "$SECS"
[ $RC -eq 1 ] || { cat "$TMP/apply5"; fail "the broken release's apply exit $RC, want 1"; }
grep -q "app-01: gate: the app answers http://10.77.0.31:8000/healthz with 200: .*did not answer 200" "$TMP/apply5" ||
  { cat "$TMP/apply5"; fail "apply does not name app-01 and its gate"; }
grep -q "app-02: update file:/opt/foobar/app.py: done" "$TMP/apply5" && fail "app-02 was changed after app-01 failed"
[ "$(serves app-02 10.77.0.32)" = "guestbook v2" ] || fail "app-02 does not keep serving v2"
[ -z "$(serves app-01 10.77.0.31)" ] || fail "app-01 serves although its release cannot start"
# Applied again unfixed, it stops at app-01 again: the host that is down goes first.
"$F" plan --lab --no-color "${SRC[@]}" "$STACK_COPY" >"$TMP/plan6" || true
grep -q "batch 1: app-01" "$TMP/plan6" || { cat "$TMP/plan6"; fail "the plan does not roll app-01 first"; }
timed_apply apply6
[ $RC -eq 1 ] || { cat "$TMP/apply6"; fail "the unfixed release applied again: exit $RC, want 1"; }
[ "$(serves app-02 10.77.0.32)" = "guestbook v2" ] || fail "re-applying the unfixed release reached app-02"
ok "a release that cannot start stops at app-01; app-02 keeps v2"

# 5. The fix rolls over both hosts.
sed -i '/^import foobar_module_that_does_not_exist$/d' "$APP_PY"
release v4
client_start fix
timed_apply apply7
client_stop "the fixed release" "$SECS"
[ $RC -eq 0 ] || { cat "$TMP/apply7"; fail "the fixed release's apply failed"; }
both_serve v4

set +e; "$F" plan --lab --no-color --detailed-exitcode "${SRC[@]}" "$STACK_COPY" >"$TMP/plan8"; rc=$?; set -e
[ $rc -eq 0 ] || { cat "$TMP/plan8"; fail "a plan after the rolls has changes (exit $rc)"; }
ok "no changes left after the rolls"

# 6. Adding a third web host: lab up of the stack with web-03 adds it and leaves the
# seven running hosts as they are; apply configures web-03 and gates it before either
# HAProxy reloads to send it traffic.
state_pids() { python3 -c 'import json, sys; print(" ".join("%s=%s" % (h["name"], h["init_pid"]) for h in json.load(open(sys.argv[1]))["hosts"]))' "$(lab_dir)/state.json"; }
pids_before=$(state_pids)
nginx_before=$(on web-01 cat /run/nginx.pid)
sed -i -e 's/^  web-02: { address: 10.77.0.22 }$/&\n  web-03: { address: 10.77.0.23 }/' \
  -e 's/hosts: \[web-01, web-02\]/hosts: [web-01, web-02, web-03]/' "$STACK_COPY"
{ grep -q "web-03: { address: 10.77.0.23 }" "$STACK_COPY" && grep -q "hosts: \[web-01, web-02, web-03\]" "$STACK_COPY"; } ||
  fail "could not add web-03 to the stack copy"
"$F" lab up --init "$INIT" "$STACK_COPY" >"$TMP/labup3" || { cat "$TMP/labup3"; fail "lab up of the stack with web-03 failed"; }
grep -q "added 1 $INIT host" "$TMP/labup3" || { cat "$TMP/labup3"; fail "lab up did not say it added web-03"; }
pids_after=$(state_pids)
[ "${pids_after% web-03=*}" = "$pids_before" ] || fail "lab up changed the running hosts: '$pids_before' -> '$pids_after'"
[ "$(on web-01 cat /run/nginx.pid)" = "$nginx_before" ] || fail "lab up restarted nginx on web-01"
on web-03 true || fail "web-03 does not answer on ssh after lab up"
ok "lab up added web-03; the running hosts kept their processes"
"$F" plan --lab --no-color "${SRC[@]}" "$STACK_COPY" >"$TMP/plan9" || true
# (start on SysV hosts; reload where systemd started the package's default site)
grep -qE "joins: web-03: (start|reload) service nginx; gated before lb-01, lb-02 change" "$TMP/plan9" ||
  { cat "$TMP/plan9"; fail "the plan does not show web-03 joining before the HAProxy reloads"; }
client_start add
timed_apply apply9
client_stop "adding a third web host" "$SECS"
[ $RC -eq 0 ] || { cat "$TMP/apply9"; fail "adding web-03 failed"; }
for lb in lb-02 lb-01; do
  before apply9 "web-03: gate: nginx answers" "$lb: update file:/etc/haproxy/haproxy.cfg" ||
    { cat "$TMP/apply9"; fail "$lb was reloaded before web-03 passed its gate"; }
done
hap_stat() { on "$1" sh -c "echo 'show stat' | socat -t 5 - UNIX-CONNECT:/run/haproxy/admin.sock" | awk -F, -v s="$2" -v f="$3" '$1 == "be_web" && $2 == s { print $f }'; }
for _ in $(seq 12); do visit -s -o /dev/null -m 5 https://www.foobar.com/ || true; done
# (a health check in its rise/fall window shows "UP 1/3" or the like for a moment)
wait_for "hap_stat lb-01 web-03 18 | grep -qx UP" 10 || fail "web-03 is not UP in HAProxy on lb-01: $(hap_stat lb-01 web-03 18)"
sessions=$(hap_stat lb-01 web-03 8)
[ "${sessions:-0}" -gt 0 ] || fail "HAProxy on lb-01 (the MASTER) sent web-03 no requests"
hits=$(on web-03 sh -c 'grep -c "GET / " /var/log/nginx/foobar.access.log || true')
[ "${hits:-0}" -gt 0 ] || fail "nginx on web-03 logged no request for /"
ok "web-03 serves: $sessions sessions in HAProxy on lb-01, $hits requests for / in its access log"

# 7. Removing the third web host from the web tier (the host stays in the stack): both
# HAProxy hosts reload without it (gated, BACKUP first) before nginx on web-03 stops.
sed -i 's/hosts: \[web-01, web-02, web-03\]/hosts: [web-01, web-02]/' "$STACK_COPY"
"$F" plan --lab --no-color "${SRC[@]}" "$STACK_COPY" >"$TMP/plan10" || true
grep -q "leaves: web-03: .*destroy service nginx.*; only after lb-01, lb-02 changed" "$TMP/plan10" ||
  { cat "$TMP/plan10"; fail "the plan does not show web-03 leaving after the HAProxy reloads"; }
client_start remove
timed_apply apply10
client_stop "removing the third web host" "$SECS"
[ $RC -eq 0 ] || { cat "$TMP/apply10"; fail "removing web-03 failed"; }
before apply10 "lb-01: gate: HAProxy answers" "web-03: destroy service:nginx" ||
  { cat "$TMP/apply10"; fail "nginx on web-03 stopped before the MASTER's HAProxy dropped it"; }
[ -z "$(hap_stat lb-01 web-03 18)" ] || fail "HAProxy on lb-01 still balances to web-03"
! on web-03 pidof nginx >/dev/null || fail "nginx still runs on web-03"
ok "web-03 left the web tier after both HAProxy hosts dropped it"

echo "figures:$FIGURES"
echo "rolling end to end: all checks passed"
