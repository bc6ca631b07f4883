#!/usr/bin/env bash
# tests/e2e/failover-stack.yaml in the lab (SysV hosts: they boot in a second):
# web-01 active and web-02 standby behind HAProxy, two nameservers, sshd hardened
# on every host, and the firewall logging what it drops. Requests go to web-01 only,
# to web-02 once web-01's nginx stops, and back to web-01 when it returns;
# www.foobar.com resolves with NSD on lb-01 stopped; sshd takes keys only and a
# second apply still gets in; a dropped connection shows in the kernel log under
# the host's name; destroy leaves sshd running with the distribution's settings.
set -euo pipefail
STACK=tests/e2e/failover-stack.yaml
source "$(dirname "$0")/lib.sh"
LB=10.77.0.11 WEB1=10.77.0.21 WEB2=10.77.0.22

# Lab hosts share the machine's kernel, which logs netfilter lines of namespaces
# other than its own only with nf_log_all_netns set; it is put back on exit.
NFLOG=/proc/sys/net/netfilter/nf_log_all_netns
NFLOG0=$(cat "$NFLOG")
trap 'rc=$?; set +e; echo "$NFLOG0" > "$NFLOG"; (exit $rc); cleanup' EXIT

# sshd offers passwords until the stack hardens it: the lab's own drop-in turns
# them off, so one sorted before it turns them on again (and root logins with them).
offers() {  # offers ADDRESS: the login methods sshd offers a client without a key
  { ssh -o BatchMode=yes -o PubkeyAuthentication=no -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
      -o ConnectTimeout=5 root@"$1" true 2>&1 || true; } | sed -n 's/.*Permission denied (\(.*\)).*/\1/p'
}
lab_up
for h in lb-01 web-01 web-02; do
  on "$h" sh -c 'printf "PasswordAuthentication yes\nPermitRootLogin yes\n" > /etc/ssh/sshd_config.d/01-e2e-open.conf &&
    service ssh reload >/dev/null'
done
for a in $LB $WEB1 $WEB2; do
  wait_for "offers $a | grep -q password" 10 || fail "sshd on $a does not offer passwords before the apply: $(offers $a)"
done
set +e; plan --detailed-exitcode >"$TMP/plan1"; rc=$?; set -e
[ $rc -eq 2 ] || { cat "$TMP/plan1"; fail "first plan exit $rc, want 2"; }
grep -q "+ create file /etc/ssh/sshd_config.d/00-foobar.conf" "$TMP/plan1" || fail "the plan does not harden sshd"
apply >"$TMP/apply1" 2>&1 || { cat "$TMP/apply1"; fail "apply failed"; }
grep -q "^Apply complete" "$TMP/apply1" || fail "apply did not complete"
ok "apply"

# 1. Two nameservers: NSD on lb-01 and its secondary on web-02, which transferred the
# zone (same serial) and answers with authority; the zone names both.
check_dns lb-01 $LB $LB
serial=$(dig +short +norec @$LB foobar.com SOA | awk '{print $3}')
wait_for "[ \"\$(dig +short +norec @$WEB2 foobar.com SOA | awk '{print \$3}')\" = $serial ]" 20 ||
  fail "the secondary on web-02 does not serve serial $serial: $(dig +norec @$WEB2 foobar.com SOA 2>&1 | tail -5)"
dig +norec @$WEB2 www.foobar.com A | grep -q "flags: qr aa" || fail "web-02 does not answer with authority"
[ "$(dig +short +norec @$WEB2 www.foobar.com A)" = $LB ] || fail "web-02 does not resolve www.foobar.com"
[ "$(dig +short +norec @$LB foobar.com NS | sort | tr '\n' ' ')" = "ns1.foobar.com. ns2.foobar.com. " ] ||
  fail "the zone does not list both nameservers: $(dig +short @$LB foobar.com NS)"
[ "$(dig +short +norec @$LB ns2.foobar.com A)" = $WEB2 ] || fail "no glue for ns2"
set +e; dig +norec +tries=1 +time=2 @$LB foobar.com AXFR | grep -q "IN.*SOA"; rc=$?; set -e
[ $rc -ne 0 ] || fail "an AXFR without the key was answered"
ok "NSD on lb-01 and its secondary on web-02 serve serial $serial; the zone lists ns1 and ns2"

# 2. Active-passive: every request reaches nginx on web-01, none web-02, until
# web-01's nginx stops; then web-02 takes them (its nginx proxies to the app on
# web-01, the app tier's active host); and web-01 again once its nginx is back.
hits() { on "$1" sh -c "grep -c 'GET /$2 ' /var/log/nginx/foobar.access.log || true"; }
burst() { local i; for i in 1 2 3 4 5 6; do status_of "http://www.foobar.com/$1" >/dev/null; done; }
wait_for "[ \"\$(status_of http://www.foobar.com/healthz)\" = 200 ]" 30 || fail "the LB does not answer /healthz"
burst probe-a
[ "$(hits web-01 probe-a)" = 6 ] && [ "$(hits web-02 probe-a)" = 0 ] ||
  fail "with both up, web-01 got $(hits web-01 probe-a) and web-02 $(hits web-02 probe-a) of 6 requests"
ok "web-01 serves every request, web-02 none"
on web-01 service nginx stop >/dev/null
wait_for "status_of http://www.foobar.com/probe-wait >/dev/null; [ \"\$(hits web-02 probe-wait)\" -gt 0 ]" 20 ||
  fail "web-02 did not take over when web-01's nginx stopped"
burst probe-b
[ "$(hits web-02 probe-b)" = 6 ] || fail "web-02 served $(hits web-02 probe-b) of 6 requests after web-01's nginx stopped"
[ "$(served_by http://www.foobar.com/healthz)" = web-01 ] ||
  fail "web-02's nginx did not keep to the active app host web-01"
ok "web-01's nginx stopped: web-02 serves every request (through the app on web-01)"
on web-01 service nginx start >/dev/null
wait_for "status_of http://www.foobar.com/probe-back >/dev/null; [ \"\$(hits web-01 probe-back)\" -gt 0 ]" 20 ||
  fail "web-01 did not take the traffic back"
burst probe-c
[ "$(hits web-01 probe-c)" = 6 ] && [ "$(hits web-02 probe-c)" = 0 ] ||
  fail "after web-01 returned it got $(hits web-01 probe-c) and web-02 $(hits web-02 probe-c) of 6"
ok "web-01 back: it serves every request again"

# 3. With NSD on the first nameserver stopped, the lab's client still resolves
# through the second.
on lb-01 service nsd stop >/dev/null
set +e; dig +short +norec +tries=1 +time=1 @$LB www.foobar.com A >/dev/null; rc=$?; set -e
[ $rc -ne 0 ] || fail "NSD on lb-01 still answers"
got=$("$F" lab client "$STACK" -- getent hosts www.foobar.com | awk '{print $1}')
[ "$got" = $LB ] || fail "with NSD on lb-01 stopped, www.foobar.com resolves to '$got'"
[ "$(status_of http://www.foobar.com/healthz)" = 200 ] || fail "the site does not answer by name with lb-01's NSD stopped"
on lb-01 service nsd start >/dev/null
ok "NSD on lb-01 stopped: www.foobar.com resolves through web-02"

# 4. sshd on every host takes keys only, by its configuration and in what the running
# daemon offers; apply still reaches every host (a second plan and apply, no changes).
for h in lb-01 web-01 web-02; do
  on "$h" sshd -T >"$TMP/sshd-$h"
  grep -qx "passwordauthentication no" "$TMP/sshd-$h" && grep -qx "kbdinteractiveauthentication no" "$TMP/sshd-$h" &&
    grep -qxE "permitrootlogin (prohibit-password|without-password)" "$TMP/sshd-$h" ||
    fail "sshd -T on $h: $(grep -E '^(passwordauth|kbdinter|permitroot)' "$TMP/sshd-$h" | tr '\n' ' ')"
done
for a in $LB $WEB1 $WEB2; do
  [ "$(offers $a)" = publickey ] || fail "the running sshd on $a offers '$(offers $a)', want publickey only"
done
set +e; plan --detailed-exitcode >"$TMP/plan2"; rc=$?; set -e
[ $rc -eq 0 ] || { cat "$TMP/plan2"; fail "second plan exit $rc, want 0"; }
second_apply lb-01 /run/haproxy.pid
ok "sshd -T: passwordauthentication no on every host; sshd offers publickey only; a second apply reaches all"

# 5. A dropped connection shows in the kernel log, named after the host.
echo 1 > "$NFLOG"
set +e; curl -s -m 2 -o /dev/null http://$WEB1:8000/; set -e
wait_for "dmesg | grep 'web-01 drop: .*DST=$WEB1 .*DPT=8000' >/dev/null" 10 ||
  fail "no 'web-01 drop:' line for the blocked connection in the kernel log: $(dmesg | tail -3)"
ok "the blocked connection to web-01:8000 is logged: $(dmesg | grep 'web-01 drop: ' | tail -1 | cut -c1-100)"

# 6. Destroy removes nginx and HAProxy and the drop-in, and never stops sshd: it
# reloads it, so the host's own settings (here: passwords) are back.
"$F" destroy --lab --no-color --auto-approve "$STACK" >"$TMP/destroy" 2>&1 || { cat "$TMP/destroy"; fail "destroy failed"; }
for h in lb-01 web-01 web-02; do
  on "$h" test ! -e /etc/ssh/sshd_config.d/00-foobar.conf || fail "the sshd drop-in is left on $h"
  on "$h" sshd -T >"$TMP/sshd-after-$h"
  grep -qx "passwordauthentication yes" "$TMP/sshd-after-$h" || fail "sshd on $h does not have its own settings back"
done
for a in $LB $WEB1 $WEB2; do
  offers $a | grep -q password || fail "sshd on $a was not reloaded after destroy: it offers '$(offers $a)'"
done
on web-01 sh -c '! pidof nginx' || fail "nginx still runs on web-01 after destroy"
on lb-01 sh -c '! pidof haproxy' || fail "HAProxy still runs on lb-01 after destroy"
ok "destroy: nginx and HAProxy gone, sshd running (reloaded) with the host's own settings"
echo "failover end to end: all checks passed"
