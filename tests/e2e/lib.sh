# Shared by the end-to-end tests: lab lifecycle with cleanup, assertions, helpers.
# Source it after setting STACK (the stack file). Every test brings its own lab up
# and tears it down on exit, also on failure.
F=${FOOBARCTL:-build/foobarctl}
[ "$(id -u)" -eq 0 ] || { echo "skipped: the lab needs root"; exit 77; }
TMP=$(mktemp -d)
T0=$(date +%s)
cleanup() {
  local rc=$?
  "$F" lab down "$STACK" >/dev/null 2>&1 || true
  rm -rf "$TMP"
  echo "$(basename "$0"): took $(( $(date +%s) - T0 )) s"
  exit $rc
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
on() { local h=$1; shift; "$F" lab ssh "$h" -- "$@"; }
plan() { "$F" plan --lab --no-color "$@" "$STACK"; }
apply() { "$F" apply --lab --no-color --auto-approve "$@" "$STACK"; }

# Waits up to $2 seconds (default 30) for a command to succeed.
wait_for() {
  local what=$1 secs=${2:-30} i
  for ((i = 0; i < secs * 2; i++)); do
    if eval "$what" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  return 1
}

# curl as the lab's visitor: names resolve through the stack's nameserver in the lab
# and the lab's CA is trusted (foobarctl lab client), so no --resolve and no -k.
visit() { "$F" lab client "$STACK" -- curl "$@"; }
# The X-Served-By header of a request, or nothing.
served_by() { visit -s -m 5 -o /dev/null -D - "$@" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-served-by"{print $2}'; }
status_of() { visit -s -m 5 -o /dev/null -w '%{http_code}' "$@"; }
lab_dir() { echo "/var/lib/foobarctl/lab/$(awk '/^stack:/ {print $2; exit}' "$STACK")"; }

# NSD on host $1 ($2) answers for the zone with authority, and the lab's client
# resolves www.foobar.com through it (glibc's resolver, as any program would) to $3.
check_dns() {
  local ns=$1 addr=$2 want=$3 got
  wait_for "dig +short +norec @$addr www.foobar.com A | grep -qx $want" 20 ||
    fail "NSD on $ns does not answer www.foobar.com with $want: $(dig +norec @"$addr" www.foobar.com A 2>&1 | tail -5)"
  dig +norec @"$addr" www.foobar.com A | grep -q "flags: qr aa" || fail "the answer of $ns is not authoritative"
  [ "$(dig +short +norec @"$addr" foobar.com SOA | awk '{print $3}')" = \
    "$(on "$ns" awk '/; serial/ {print $1}' /etc/foobar/dns/foobar.com.zone)" ] || fail "NSD serves another serial than the zone file"
  got=$("$F" lab client "$STACK" -- getent hosts www.foobar.com | awk '{print $1}')
  [ "$got" = "$want" ] || fail "the lab's client resolves www.foobar.com to '$got', want $want"
  ok "DNS: NSD on $ns serves foobar.com; the client resolves www.foobar.com to $want"
}

# Brings the stack's lab up; the first plan must have changes (exit 2, kept in
# $TMP/plan1) and the first apply must complete ($TMP/apply1).
first_apply() {
  "$F" lab up "$STACK" >/dev/null
  local rc
  set +e; plan --detailed-exitcode >"$TMP/plan1"; rc=$?; set -e
  [ $rc -eq 2 ] || { cat "$TMP/plan1"; fail "first plan exit $rc, want 2"; }
  apply >"$TMP/apply1" 2>&1 || { cat "$TMP/apply1"; fail "apply failed"; }
  grep -q "^Apply complete" "$TMP/apply1" || fail "apply did not complete"
  ok "apply"
}
