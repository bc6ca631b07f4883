#!/usr/bin/env bash
# foobarctl check over the four reference stacks: each expected finding is there,
# what is no longer true of a design is not, and fixing a copy of the stack file
# makes the finding go away. Also exit codes, JSON fields and checks across stacks.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${FOOBARCTL:?set FOOBARCTL to the foobarctl binary}"

TMP=$(mktemp -d /tmp/foobar-check-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail=0

# codes FILE...: the sorted finding codes of a check run, one per line; sets $rc.
codes() {
  rc=0
  "$FOOBARCTL" check --format json "$@" >"$TMP/out.json" || rc=$?
  python3 -c 'import json,sys; print("\n".join(sorted(f["code"] for f in json.load(open(sys.argv[1]))["findings"])))' \
    "$TMP/out.json"
}
expect() {  # expect LABEL present|absent CODE FILE...
  local label=$1 want=$2 code=$3; shift 3
  local got; got=$(codes "$@")
  if { [ "$want" = present ] && ! grep -qx "$code" <<<"$got"; } ||
     { [ "$want" = absent ] && grep -qx "$code" <<<"$got"; }; then
    echo "FAIL: $label: $code should be $want; findings: $(tr '\n' ' ' <<<"$got")"; fail=1
  else
    echo "ok: $label: $code $want"
  fi
}
expect_rc() {  # expect_rc LABEL RC FILE...
  local label=$1 want=$2; shift 2
  codes "$@" >/dev/null
  if [ "$rc" != "$want" ]; then echo "FAIL: $label: exit $rc, want $want"; fail=1; else echo "ok: $label: exit $rc"; fi
}
# variant NAME SOURCE SED-SCRIPT [APPEND-TEXT]: a modified copy of a reference stack.
variant() {
  sed -e "$3" "$2" >"$TMP/$1.yaml"
  if [ $# -ge 4 ]; then printf '%s\n' "$4" >>"$TMP/$1.yaml"; fi
  "$FOOBARCTL" validate -q "$TMP/$1.yaml"
}

S0=stacks/0-simple-web-stack.yaml S1=stacks/1-distributed.yaml
S2=stacks/2-secured-monitored.yaml S3=stacks/3-scale-up.yaml

# Stack 0: one host for everything.
for c in SPOF-SITE MAINT-DOWNTIME SCALE-COLOCATED DB-NO-REPLICA FW-NONE; do expect stack0 present $c $S0; done
expect stack0 absent IDENTICAL-SERVERS $S0
expect_rc stack0 3 $S0

# Stack 1: LB SPOF, single write primary, no firewall, no HTTPS, no monitoring.
for c in SPOF-LB DB-SINGLE-PRIMARY FW-NONE TLS-NONE MON-NONE IDENTICAL-SERVERS; do expect stack1 present $c $S1; done
for c in SPOF-SITE MAINT-DOWNTIME DB-NO-REPLICA; do expect stack1 absent $c $S1; done

# Stack 2: TLS ends at the LB, single write primary, identical servers.
for c in TLS-PLAIN-BACKEND DB-SINGLE-PRIMARY IDENTICAL-SERVERS SPOF-LB; do expect stack2 present $c $S2; done
for c in FW-NONE TLS-NONE MON-NONE MON-NO-EXPORTER MON-NO-QPS-ALERT FW-SSH-BLOCKED; do expect stack2 absent $c $S2; done

# Stack 3: only the single write primary (plus whatever the file itself gets wrong).
expect stack3 present DB-SINGLE-PRIMARY $S3
for c in SPOF-LB SPOF-SITE SPOF-TIER FW-NONE FW-SSH-BLOCKED FW-VRRP-BLOCKED FW-RULE-CONFLICT TLS-NONE \
         MON-NONE MON-NO-EXPORTER MON-NO-QPS-ALERT IDENTICAL-SERVERS SCALE-COLOCATED DB-NO-REPLICA TLS-CERT-PER-LB; do
  expect stack3 absent $c $S3
done

# Fixes make findings go away.
variant s1-fw $S1 '' 'firewall: { enabled: true, admin_cidrs: [10.77.0.1/32] }'
expect "stack1+firewall" absent FW-NONE "$TMP/s1-fw.yaml"
variant s1-tls $S1 '/health_check:/a\    tls: { enabled: true, certificate: self-signed, reencrypt: true }'
expect "stack1+tls" absent TLS-NONE "$TMP/s1-tls.yaml"
expect "stack1+tls" absent TLS-PLAIN-BACKEND "$TMP/s1-tls.yaml"
variant s1-mon $S1 's/^  db-02:.*/&\n  mon-01: { address: 10.77.0.51 }/' \
  'monitoring: { collector: mon-01, alerts: [{ name: Qps, expr: "sum(rate(nginx_http_requests_total[1m])) > 50" }] }'
expect "stack1+monitoring" absent MON-NONE "$TMP/s1-mon.yaml"
expect "stack1+monitoring" absent MON-NO-EXPORTER "$TMP/s1-mon.yaml"
expect "stack1+monitoring" absent MON-NO-QPS-ALERT "$TMP/s1-mon.yaml"
variant s1-vip $S1 's/^  lb-01:.*/&\n  lb-02:  { address: 10.77.0.12 }/; s/hosts: \[lb-01\]/hosts: [lb-01, lb-02]\n    vip: { address: 10.77.0.10, router_id: 51 }/; s/value: lb-01/value: vip/'
expect "stack1+vip" absent SPOF-LB "$TMP/s1-vip.yaml"
variant s3-selfsigned $S3 's/certificate: { secret: TLS_CERTIFICATE }/certificate: self-signed/'
expect "stack3+self-signed" present TLS-CERT-PER-LB "$TMP/s3-selfsigned.yaml"
variant s2-reenc $S2 's/reencrypt: false/reencrypt: true/'
expect "stack2+reencrypt" absent TLS-PLAIN-BACKEND "$TMP/s2-reenc.yaml"
variant s2-apps $S2 's/^  db-01:.*/  app-01: { address: 10.77.0.31 }\n  app-02: { address: 10.77.0.32 }\n&/; /^  app:/,/^    hosts:/s/hosts: \[web-01, web-02\]/hosts: [app-01, app-02]/'
expect "stack2+app tier" absent IDENTICAL-SERVERS "$TMP/s2-apps.yaml"
variant s2-noexp $S2 's/exporters: \[node, nginx, haproxy, mysqld\]/exporters: [nginx, haproxy]/'
expect "stack2 without node exporter" present MON-NO-EXPORTER "$TMP/s2-noexp.yaml"
variant s2-noalert $S2 's/haproxy_frontend_http_requests_total/node_load1/'
expect "stack2 without qps alert" present MON-NO-QPS-ALERT "$TMP/s2-noalert.yaml"
expect stack2 present MON-NO-RECEIVER $S2
variant s2-hook $S2 's|^  alerts:$|  alerts_to: [{ webhook: "https://hooks.foobar.com/alerts" }]\n  alerts:|'
expect "stack2+receiver" absent MON-NO-RECEIVER "$TMP/s2-hook.yaml"

# A single nameserver is a DNS-SPOF in every reference stack; a secondary fixes it.
for s in $S0 $S1 $S2 $S3; do expect "$(basename "$s" .yaml)" present DNS-SPOF "$s"; done
variant s1-ns2 $S1 's/^  ttl: 300/  ttl: 300\n  secondaries: [web-02]\n  transfer_key: { secret: DNS_TRANSFER_KEY }/'
expect "stack1+secondary" absent DNS-SPOF "$TMP/s1-ns2.yaml"
# Standby web hosts are an active-passive trade-off (info: exit code unchanged).
variant s3-standby $S3 's/^    hosts: \[web-01, web-02\]/    hosts: [web-01, web-02]\n    standby: [web-02]/'
expect "stack3+standby" present ACTIVE-PASSIVE "$TMP/s3-standby.yaml"
expect stack3 absent ACTIVE-PASSIVE $S3
# sshd left alone.
variant s1-nossh $S1 '$a security: { ssh: false }'
expect "stack1 without ssh hardening" present SSH-PASSWORDS "$TMP/s1-nossh.yaml"
expect stack1 absent SSH-PASSWORDS $S1

# Health check path: the app answers /healthz, not /health.
variant s3-bad $S3 's#health_check: { path: [^,]*,#health_check: { path: /health,#'
expect "health /health" present HEALTH-PATH-UNSERVED "$TMP/s3-bad.yaml"
expect_rc "health /health" 3 "$TMP/s3-bad.yaml"
variant s3-good $S3 's#health_check: { path: [^,]*,#health_check: { path: /healthz,#; s/reencrypt: false/reencrypt: true/; s|^  alerts:$|  alerts_to: [{ email: ops@foobar.com, smarthost: "smtp.foobar.com:587" }]\n  alerts:|; s/^  nameserver: mon-01.*/  nameserver: mon-01\n  secondaries: [lb-02]\n  transfer_key: { secret: DNS_TRANSFER_KEY }/'
codes "$TMP/s3-good.yaml" >"$TMP/codes"  # not in $(...): $rc must survive
got=$(tr '\n' ' ' <"$TMP/codes")
if [ "$got" != "DB-SINGLE-PRIMARY " ] || [ "$rc" != 0 ]; then
  echo "FAIL: fixed stack3: want only DB-SINGLE-PRIMARY and exit 0, got '$got' exit $rc"; fail=1
else echo "ok: fixed stack3: only DB-SINGLE-PRIMARY, exit 0"; fi

# Firewall that would cut off SSH through a jump host not in admin_cidrs.
variant s3-jump $S3 's/^  db-02:  { address: 10.77.0.42 }/  db-02:  { address: 10.77.0.42, ssh: { jump: lb-01 } }/'
expect "jump host outside admin_cidrs" present FW-SSH-BLOCKED "$TMP/s3-jump.yaml"
variant s3-jump-ok $S3 's/^  db-02:  { address: 10.77.0.42 }/  db-02:  { address: 10.77.0.42, ssh: { jump: lb-01 } }/; s#admin_cidrs: \[10.77.0.1/32\]#admin_cidrs: [10.77.0.1/32, 10.77.0.11/32]#'
expect "jump host in admin_cidrs" absent FW-SSH-BLOCKED "$TMP/s3-jump-ok.yaml"
variant s3-ssh-open $S3 's/port: 9113, proto: tcp, from: \[10.77.0.51\/32\]/port: 22, proto: tcp/'
expect "rule opening ssh" present FW-RULE-CONFLICT "$TMP/s3-ssh-open.yaml"

# Across stacks: same VRRP router id on one network; a different id fixes it.
G3="$TMP/s3-good.yaml"
variant s3-twin "$G3" 's/^stack: .*/stack: foobar-twin/; s/address: 10.77.0.10, router_id: 51/address: 10.77.0.9, router_id: 51/; s/10.77.0.\([1-5]\)\([0-9]\) }/10.77.0.1\1\2 }/'
expect "two stacks, one router id" present VRRP-ID-DUP "$G3" "$TMP/s3-twin.yaml"
expect_rc "two stacks, one router id" 3 "$G3" "$TMP/s3-twin.yaml"
variant s3-twin2 "$TMP/s3-twin.yaml" 's/router_id: 51/router_id: 52/'
expect "two stacks, two router ids" absent VRRP-ID-DUP "$G3" "$TMP/s3-twin2.yaml"
expect_rc "two stacks, two router ids" 0 "$G3" "$TMP/s3-twin2.yaml"

# Output formats and invalid input.
"$FOOBARCTL" check $S2 >"$TMP/out.txt" || true
grep -q '^stacks/2-secured-monitored.yaml:[0-9]*:[0-9]*: warning \[TLS-PLAIN-BACKEND\]' "$TMP/out.txt" ||
  { echo "FAIL: text output lacks the positioned TLS-PLAIN-BACKEND line"; fail=1; }
grep -q '^    fix: ' "$TMP/out.txt" || { echo "FAIL: text output lacks fix lines"; fail=1; }
"$FOOBARCTL" check --format json $S2 >"$TMP/out.json" || true
python3 - "$TMP/out.json" <<'PY' || fail=1
import json, sys
doc = json.load(open(sys.argv[1]))
keys = {"code", "severity", "file", "line", "column", "tier", "hosts", "message", "why", "fix"}
assert all(set(f) == keys for f in doc["findings"]), "json fields"
assert all(f["severity"] in ("error", "warning", "info") for f in doc["findings"])
assert sum(doc["summary"].values()) == len(doc["findings"])
print("ok: json fields")
PY
printf 'stack: broken\nhosts: {}\n' >"$TMP/broken.yaml"
rc=0; "$FOOBARCTL" check "$TMP/broken.yaml" >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] && echo "ok: invalid input exits 1" || { echo "FAIL: invalid input exit $rc, want 1"; fail=1; }
rc=0; "$FOOBARCTL" check --format xml $S0 >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || { echo "FAIL: bad format exit $rc, want 1"; fail=1; }

exit $fail
