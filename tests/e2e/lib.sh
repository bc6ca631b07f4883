# Shared by the end-to-end tests: lab lifecycle with cleanup, assertions, helpers.
# Source it after setting STACK (the stack file). Every test brings its own lab up
# and tears it down on exit, also on failure.
# FOOBAR_LAB_INIT chooses the hosts' PID 1: systemd (the default, as on real VMs) or
# sysv (sshd and init scripts).
F=${FOOBARCTL:-build/foobarctl}
INIT=${FOOBAR_LAB_INIT:-systemd}
case $INIT in systemd|sysv) ;; *) echo "FOOBAR_LAB_INIT=$INIT: use systemd or sysv" >&2; exit 1 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "skipped: the lab needs root"; exit 77; }
TMP=$(mktemp -d)
T0=$(date +%s)
cleanup() {
  local rc=$?
  "$F" lab down "$STACK" >/dev/null 2>&1 || true
  rm -rf "$TMP"
  echo "$(basename "$0") ($INIT hosts): took $(( $(date +%s) - T0 )) s"
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

# The lab of stack file $1 (default $STACK), with hosts of the chosen init.
lab_up() { "$F" lab up --init "$INIT" "${1:-$STACK}" >/dev/null; }
lab_hosts() { "$F" lab status "$STACK" | awk 'NR > 1 {print $1}'; }

# On systemd hosts: per host and running service, its main PID and how often systemd
# started, stopped or reloaded it (from the unit's journal). Equal before and after an
# apply: that apply restarted and reloaded nothing.
services_snapshot() {
  local h
  [ "$INIT" = systemd ] || return 0
  for h in $(lab_hosts); do
    on "$h" 'for u in $(systemctl list-units --type=service --state=running --no-legend --plain |
        awk "{print \$1}" | grep -vE "^(systemd-|user@|dbus|ssh|console-getty|getty)"); do
      echo "$u $(systemctl show -p MainPID --value "$u") $(journalctl -q -o cat -u "$u" | grep -cE "^(Starting|Stopping|Reloading) ")"
    done' | sed "s/^/$h /"
  done
}
# A second apply, which must restart nothing: the pid file $2 on host $1 keeps its
# pid, and on systemd hosts no service of any host was started, stopped or reloaded.
second_apply() {
  local before pid_before
  before=$(services_snapshot)
  pid_before=$(on "$1" cat "$2")
  apply >"$TMP/apply2" 2>&1 || { cat "$TMP/apply2"; fail "second apply failed"; }
  [ "$(on "$1" cat "$2")" = "$pid_before" ] || fail "second apply restarted the service of $2 on $1"
  [ "$(services_snapshot)" = "$before" ] ||
    fail "second apply started, stopped or reloaded a service: $(diff <(echo "$before") <(services_snapshot))"
  [ "$INIT" = sysv ] || [ -n "$before" ] || fail "no running service seen on the systemd hosts"
}

# Brings the stack's lab up; the first plan must have changes (exit 2, kept in
# $TMP/plan1) and the first apply must complete ($TMP/apply1).
first_apply() {
  lab_up
  local rc
  set +e; plan --detailed-exitcode >"$TMP/plan1"; rc=$?; set -e
  [ $rc -eq 2 ] || { cat "$TMP/plan1"; fail "first plan exit $rc, want 2"; }
  apply >"$TMP/apply1" 2>&1 || { cat "$TMP/apply1"; fail "apply failed"; }
  grep -q "^Apply complete" "$TMP/apply1" || fail "apply did not complete"
  ok "apply"
}
