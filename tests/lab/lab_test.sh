#!/usr/bin/env bash
# End to end: two sysv lab hosts are really isolated from each other and from the machine,
# host keys are enforced, and 'lab down' leaves nothing behind.
set -euo pipefail
F=${FOOBARCTL:-build/foobarctl}
LAB=e2e-lab
[ "$(id -u)" -eq 0 ] || { echo "lab test skipped: needs root"; exit 77; }
TMP=$(mktemp -d)
MARK="/root/foobar-e2e-marker-$$"
cleanup() { "$F" lab down "$LAB" >/dev/null 2>&1 || true; rm -rf "$TMP"; rm -f "$MARK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
on() { local h=$1; shift; "$F" lab ssh --lab "$LAB" "$h" -- "$@"; }

"$F" lab up "$LAB" --init sysv --host h1=10.77.0.21 --host h2=10.77.0.22
"$F" lab status "$LAB" | grep -q "h2 .*sysv .*up .*sshd answering" || fail "status does not show h2 answering"

# One lab at a time: the bridge subnet is shared.
if "$F" lab up other-lab --host x=10.77.0.30 2>"$TMP/err"; then fail "a second lab came up"; fi
grep -q "another lab" "$TMP/err" || fail "second lab error unclear: $(cat "$TMP/err")"
ok "a second lab is refused"

[ "$(on h1 hostname)" = h1 ] || fail "h1 hostname"
[ "$(on h2 hostname)" = h2 ] || fail "h2 hostname"
on h1 ip -4 -o addr show dev eth0 | grep -q "10.77.0.21/24" || fail "h1 address"
on h2 ip -4 -o addr show dev eth0 | grep -q "10.77.0.22/24" || fail "h2 address"
ok "own hostnames and addresses"

procs=$(on h1 ps -e --no-headers | wc -l)
mine=$(ps -e --no-headers | wc -l)
[ "$procs" -lt 15 ] && [ "$procs" -lt "$mine" ] || fail "h1 sees $procs processes (machine: $mine)"
on h1 cat /proc/1/cmdline | tr '\0' ' ' | grep -q sleep || fail "h1's PID 1 is not its own init"
ok "own PID space ($procs processes inside, $mine on the machine)"

[ "$(on h1 "timeout 5 bash -c 'exec 3<>/dev/tcp/10.77.0.22/22; head -c 4 <&3'")" = SSH- ] ||
  fail "h1 cannot reach h2's sshd"
ok "h1 reaches h2's sshd"

on h1 "echo isolated > $MARK"
[ "$(on h1 cat "$MARK")" = isolated ] || fail "file not written on h1"
[ ! -e "$MARK" ] || fail "h1's file appeared on the machine"
if on h2 test -e "$MARK"; then fail "h1's file appeared on h2"; fi
ok "files stay on their host"

set +e
on h1 "echo to-out; echo to-err >&2; exit 7" >"$TMP/out" 2>"$TMP/err"; rc=$?
set -e
[ "$rc" = 7 ] && grep -qx to-out "$TMP/out" && grep -qx to-err "$TMP/err" || fail "status/output passthrough (rc=$rc)"
ok "exit status, stdout and stderr pass through"

# Host keys: unknown and changed keys are refused.
: >"$TMP/empty"
if on_kh=$("$F" lab ssh --lab "$LAB" --known-hosts "$TMP/empty" h1 -- true 2>&1); then fail "unknown key accepted"; fi
echo "$on_kh" | grep -q "unknown" && echo "$on_kh" | grep -q "SHA256:" || fail "unknown key error: $on_kh"
kh=/var/lib/foobarctl/lab/$LAB/known_hosts
grep "^10.77.0.22 " "$kh" | sed 's/^10.77.0.22 /10.77.0.21 /' >"$TMP/changed"
if out=$("$F" lab ssh --lab "$LAB" --known-hosts "$TMP/changed" h1 -- true 2>&1); then fail "changed key accepted"; fi
echo "$out" | grep -q "CHANGED" || fail "changed key error: $out"
ok "unknown and changed host keys are refused"

# OpenSSH's trust semantics against the real sshd of h1, with crafted known_hosts files.
h1_key=$(grep "^10.77.0.21 " "$kh" | cut -d' ' -f2,3)
[ -n "$h1_key" ] || fail "no key for h1 in $kh"
ssh-keygen -q -t ecdsa -N '' -f "$TMP/ecdsa" && ecdsa=$(cut -d' ' -f1,2 "$TMP/ecdsa.pub")
try_kh() {  # NAME CONTENT [--accept-new]: runs `true` on h1 and prints the error; the file must not change
  printf '%s\n' "$2" >"$TMP/$1"
  cp "$TMP/$1" "$TMP/$1.before"
  if out=$("$F" lab ssh --lab "$LAB" --known-hosts "$TMP/$1" ${3:-} h1 -- true 2>&1); then fail "$1: accepted"; fi
  cmp -s "$TMP/$1" "$TMP/$1.before" || fail "$1: known_hosts was modified"
  echo "$out"
}
out=$(try_kh other-type "10.77.0.21 $ecdsa" --accept-new)
echo "$out" | grep -q "CHANGED" && echo "$out" | grep -q "other-type:1 records a different ecdsa-sha2-nistp256 key" ||
  fail "another key type: $out"
ok "a key of another type is a changed key, refused with --accept-new, known_hosts untouched"
out=$(try_kh revoked "$(printf '10.77.0.21 %s\n@revoked unrelated.example %s' "$h1_key" "$h1_key")" --accept-new)
echo "$out" | grep -q "REVOKED" && echo "$out" | grep -q "revoked:2" || fail "revoked key: $out"
ok "a key on an @revoked line is refused whatever the line's host"
out=$(try_kh ca "@cert-authority 10.77.0.* $ecdsa" --accept-new)
echo "$out" | grep -q "@cert-authority" && echo "$out" | grep -q "does not support host certificates" ||
  fail "cert-authority: $out"
ok "@cert-authority is a clear not-supported error"
out=$(try_kh other-port "[10.77.0.21]:2222 $h1_key")
echo "$out" | grep -q "host key for 10.77.0.21 is unknown" || fail "[host]:port entry used for port 22: $out"
ok "a [host]:2222 entry does not apply to port 22"
printf '10.77.0.21 %s\n' "$h1_key" >"$TMP/hashed"
ssh-keygen -q -H -f "$TMP/hashed" >/dev/null 2>&1
grep -q '^|1|' "$TMP/hashed" || fail "ssh-keygen -H did not hash"
[ "$("$F" lab ssh --lab "$LAB" --known-hosts "$TMP/hashed" h1 -- echo hashed)" = hashed ] || fail "hashed entry not matched"
: >"$TMP/new"
[ "$("$F" lab ssh --lab "$LAB" --known-hosts "$TMP/new" --accept-new h1 -- echo first)" = first ] || fail "accept-new"
grep -q "^10.77.0.21 ssh-ed25519 " "$TMP/new" || fail "accept-new did not record h1: $(cat "$TMP/new")"
[ "$("$F" lab ssh --lab "$LAB" --known-hosts "$TMP/new" h1 -- echo again)" = again ] || fail "recorded key not trusted"
ok "hashed entries match; --accept-new records an unknown host once"

"$F" lab exec-all "$LAB" -- true | grep -q "2 ok, 0 failed" || fail "exec-all"

"$F" lab down "$LAB"
[ -z "$(ip netns list | grep '^fbl-')" ] || fail "namespaces left: $(ip netns list)"
! grep -q "/var/lib/foobarctl/lab/$LAB" /proc/self/mountinfo || fail "mounts left"
! ls /sys/class/net | grep -q '^fblv' || fail "veths left"
! pgrep -f "foobar-lab-sshd.log" >/dev/null || fail "lab sshd processes left"
[ ! -e "/var/lib/foobarctl/lab/$LAB" ] || fail "state left"
ok "lab down leaves no namespace, mount, veth, process or state"
