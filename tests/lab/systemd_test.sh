#!/usr/bin/env bash
# End to end: systemd lab hosts boot systemd as PID 1 with their own machine-id and
# host key and only sshd enabled; a host that reboots comes back with its disk and
# address; lab down halts hosts cleanly, and a host whose nspawn was killed is still
# cleaned up: no process, cgroup, mount, namespace or /run/systemd/nspawn entry stays.
set -euo pipefail
F=${FOOBARCTL:-build/foobarctl}
LAB=e2e-sd
[ "$(id -u)" -eq 0 ] || { echo "systemd lab test skipped: needs root"; exit 77; }
command -v systemd-nspawn >/dev/null || { echo "skipped: no systemd-nspawn (scripts/setup.sh installs it)"; exit 77; }
TMP=$(mktemp -d)
cleanup() { "$F" lab down "$LAB" >/dev/null 2>&1 || true; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
on() { local h=$1; shift; "$F" lab ssh --lab "$LAB" "$h" -- "$@"; }
wait_for() { local i; for ((i = 0; i < $2 * 2; i++)); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done; return 1; }
DIR=/var/lib/foobarctl/lab/$LAB

"$F" lab up "$LAB" --host s1=10.77.0.31 --host s2=10.77.0.32 | tee "$TMP/up"
grep -q "2 systemd hosts" "$TMP/up" || fail "lab up does not say the hosts are systemd hosts"
"$F" lab status "$LAB" >"$TMP/status"
grep -q "s1 .*systemd .*up .*sshd answering" "$TMP/status" && grep -q "s2 .*systemd .*up" "$TMP/status" ||
  { cat "$TMP/status"; fail "status does not show both systemd hosts up"; }
ok "lab up: 2 systemd hosts, status shows the init"

[ "$(on s1 cat /proc/1/comm)" = systemd ] || fail "s1's PID 1 is not systemd"
state=$(on s1 systemctl is-system-running --wait) || true
[ "$state" = running ] || { on s1 systemctl --failed --no-legend; fail "s1 is '$state', not running"; }
[ "$(on s1 hostname)" = s1 ] || fail "s1 hostname"
[ "$(on s1 cat /etc/machine-id)" != "$(on s2 cat /etc/machine-id)" ] || fail "s1 and s2 share a machine-id"
[ "$(on s1 cat /etc/machine-id)" != "$(cat /etc/machine-id 2>/dev/null)" ] || fail "s1 has the machine's machine-id"
on s1 systemctl is-active --quiet ssh || fail "sshd is not a running unit on s1"
# Units enabled on the machine's root (nginx, mariadb, postgresql...) stay off here.
enabled=$(on s1 systemctl list-unit-files --state=enabled --no-legend --type=service | awk '{print $1}' | sort | tr '\n' ' ')
[ "$enabled" = "ssh.service " ] || fail "s1 has more than sshd enabled: $enabled"
on s1 sh -c '! pidof nginx mariadbd postgres' >/dev/null || fail "a service of the machine runs on s1"
ok "PID 1 is systemd, running; own machine-id; only ssh.service enabled"

on s1 systemctl start nginx && on s1 systemctl reload nginx && on s1 systemctl is-active --quiet nginx ||
  fail "systemctl start/reload nginx on s1"
on s1 journalctl -u nginx --no-pager | grep -q Reloaded || fail "journalctl -u nginx lacks the reload"
on s1 systemctl stop nginx
ok "systemctl start, reload, stop; journald has the unit's log"

# Reboot: the supervisor boots the host again on the same overlay and namespace.
on s1 'echo kept > /root/disk-marker; systemctl enable --quiet nginx'
boot=$(on s1 cat /proc/sys/kernel/random/boot_id)
on s1 systemctl reboot || true
wait_for "'$F' lab status $LAB | grep -q 's1 .*up .*sshd answering, rebooted 1x'" 120 ||
  fail "s1 did not come back: $("$F" lab status "$LAB")"
[ "$(on s1 cat /proc/sys/kernel/random/boot_id)" != "$boot" ] || fail "s1 did not reboot"
[ "$(on s1 cat /root/disk-marker)" = kept ] || fail "s1 lost its disk on reboot"
on s1 ip -4 -o addr show dev eth0 | grep -q "10.77.0.31/24" || fail "s1 lost its address on reboot"
wait_for "'$F' lab ssh --lab $LAB s1 -- systemctl is-active --quiet nginx" 30 || fail "enabled nginx not started at boot"
ok "s1 rebooted: same disk and address, enabled nginx started at boot"

# A crash: s2's nspawn is killed; its guest is left without a supervisor.
kill -9 "$(cat "$DIR/hosts/s2/nspawn.pid")"
sleep 1
"$F" lab down "$LAB" | grep -q "is down" || fail "lab down failed"
[ -z "$(ip netns list | grep '^fbl-')" ] || fail "namespaces left: $(ip netns list)"
! grep -q "/var/lib/foobarctl/lab/$LAB" /proc/self/mountinfo || fail "mounts left"
! ls /sys/class/net | grep -q '^fblv' || fail "veths left"
for h in systemd unified; do
  ! ls /sys/fs/cgroup/$h | grep -q "^fbl-$LAB\." || fail "cgroups left in $h: $(ls /sys/fs/cgroup/$h | grep fbl-)"
done
[ ! -e /run/systemd/nspawn ] || fail "left under /run/systemd/nspawn: $(find /run/systemd/nspawn)"
! pgrep -f "systemd-nspawn --boot --directory=$DIR" >/dev/null || fail "systemd-nspawn left running"
[ ! -e "$DIR" ] || fail "state left"
ok "lab down after a crashed host: no process, cgroup, mount, namespace, veth, /run entry or state"
