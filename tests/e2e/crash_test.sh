#!/usr/bin/env bash
# Stack 1 in the lab: an apply killed (SIGKILL) at several points between its plan
# and its end is finished by the next plain apply, with no clean-up by hand: a file
# updated but its service not restarted yet shows as a pending restart, the dead
# run's locks are taken over, and every app host ends up serving the new code. Then
# saved plans: one applies exactly; one made before a hand edit is refused with
# nothing changed anywhere; a stale template is refused. `unlock` clears a lock held
# from another machine, and destroy after an interrupted apply removes everything.
# The kill points come from FOOBARCTL_TEST_KILL_AFTER (src/apply/kill_point.h).
set -euo pipefail
STACK=stacks/1-distributed.yaml
source "$(dirname "$0")/lib.sh"
LOCK=/var/lib/foobarctl/foobar-distributed.lock
APP=/opt/foobar/app.py

# The app's code is a copy we change: --source-base points the stack at it.
mkdir -p "$TMP/src/examples"
cp -r examples/foobar-app "$TMP/src/examples/"
SRC=(--source-base "$TMP/src")
code_version() { sed -i "s/foobar.com guestbook[^<]*</foobar.com guestbook $1</" "$TMP/src/examples/foobar-app/app.py"; }
# What the app on a host serves, asked directly (not through the LB).
serves() { on "$1" curl -s -m 5 "http://$2:8000/healthz" >/dev/null && on "$1" curl -s -m 5 "http://$2:8000/" | grep -o 'guestbook[^<]*'; }
every_host_serves() {
  local want="guestbook $1" h
  for h in "web-01 10.77.0.21" "web-02 10.77.0.22"; do
    # shellcheck disable=SC2086
    wait_for "[ \"\$(serves $h)\" = '$want' ]" 20 || fail "${h%% *} serves '$(serves $h)', want '$want'"
  done
}
killed_apply() {  # killed_apply POINT [ARGS]: an apply that kills itself at POINT; must die of SIGKILL
  local point=$1; shift
  set +e
  FOOBARCTL_TEST_KILL_AFTER="$point" "$F" apply --lab --no-color --auto-approve "${SRC[@]}" "$@" "$STACK" >"$TMP/killed" 2>&1
  local rc=$?
  set -e
  [ $rc -eq 137 ] || { cat "$TMP/killed"; fail "apply with kill point '$point' exit $rc, want 137 (SIGKILL)"; }
  grep -q "killed after" "$TMP/killed" || fail "the kill point '$point' was not reached"
}
no_changes() {
  set +e; plan "${SRC[@]}" --detailed-exitcode >"$TMP/plan-after"; local rc=$?; set -e
  [ $rc -eq 0 ] || { cat "$TMP/plan-after"; fail "$1: plan exit $rc, want 0 (no changes)"; }
}
no_lock_anywhere() {
  local h
  for h in lb-01 web-01 web-02 db-01 db-02; do on $h test ! -e $LOCK || fail "$1: lock left on $h"; done
}

"$F" lab up "$STACK" >/dev/null
code_version v1
apply "${SRC[@]}" >"$TMP/apply1" 2>&1 || { cat "$TMP/apply1"; fail "first apply failed"; }
every_host_serves v1
ok "stack applied, both app hosts serve v1"

# 1. Killed between the file update and its restart.
code_version v2
killed_apply "web-01:update file:$APP"
on web-01 grep -q "guestbook v2" $APP || fail "the killed apply had not updated $APP on web-01"
[ "$(serves web-01 10.77.0.21)" = "guestbook v1" ] || fail "web-01 was restarted although the kill came first"
on web-01 test -d $LOCK || fail "the killed apply left no lock (the test would prove nothing)"
on web-01 grep -q "restart.foobar-app" /var/lib/foobarctl/foobar-distributed.pending || fail "no pending restart in the journal"
set +e; plan "${SRC[@]}" --detailed-exitcode >"$TMP/plan-pending"; rc=$?; set -e
[ $rc -eq 2 ] || { cat "$TMP/plan-pending"; fail "a pending restart is not a change (exit $rc, want 2)"; }
grep -q "\* restart service foobar-app (pending: recorded in the host's journal, not run yet)" "$TMP/plan-pending" ||
  { cat "$TMP/plan-pending"; fail "plan does not show the pending restart"; }
apply "${SRC[@]}" >"$TMP/apply2" 2>&1 || { cat "$TMP/apply2"; fail "the apply after the kill failed"; }
grep -q "took over the apply lock of a dead run" "$TMP/apply2" || { cat "$TMP/apply2"; fail "no takeover warning"; }
every_host_serves v2
no_changes "after the kill between update and restart"
no_lock_anywhere "after the kill between update and restart"
ok "killed between update and restart: the next apply restarts web-01 and finishes web-02"

# 2. Several more points of one change: after the locks; after the 6th step (5 locks,
# then the first action, hosts one at a time); after web-01's restart; after web-02's
# restart (its last step: the next apply has nothing to change but the dead run's
# locks). Each run picks up where the last one stopped.
code_version v3
killed_apply "lb-01:lock"
if on web-01 grep -q "guestbook v3" $APP; then fail "killed after the locks, yet $APP changed"; fi
killed_apply 6 --parallelism 1
killed_apply "web-01:restart service:foobar-app" --target web-01
killed_apply "web-02:restart service:foobar-app" --target web-02
apply "${SRC[@]}" >"$TMP/apply3" 2>&1 || { cat "$TMP/apply3"; fail "the apply after four kills failed"; }
every_host_serves v3
no_changes "after four kills"
no_lock_anywhere "after four kills"
ok "killed at four more points: one plain apply finishes the change"

# 3. A saved plan applies exactly, without asking.
code_version v4
plan "${SRC[@]}" --out "$TMP/v4.plan" >/dev/null
[ "$(stat -c %a "$TMP/v4.plan")" = 600 ] || fail "saved plan mode $(stat -c %a "$TMP/v4.plan"), want 600"
"$F" show --format markdown "$TMP/v4.plan" >"$TMP/v4.md"
grep -q '```diff' "$TMP/v4.md" && grep -q "guestbook v4" "$TMP/v4.md" || { cat "$TMP/v4.md"; fail "show lacks the diff"; }
if grep -q -F -f <(cut -d= -f2 "$(lab_dir)/secrets" | grep -v '^#') "$TMP/v4.plan"; then fail "a secret is in the saved plan"; fi
"$F" apply --lab --no-color "$TMP/v4.plan" </dev/null >"$TMP/apply4" 2>&1 || { cat "$TMP/apply4"; fail "saved plan not applied"; }
every_host_serves v4
no_changes "after the saved plan"
ok "a saved plan applies (mode 0600, shown as markdown, no secret in it)"

# 4. A saved plan made before a hand edit on one host is refused; nothing changes anywhere.
code_version v5
plan "${SRC[@]}" --out "$TMP/v5.plan" >/dev/null
on web-02 sh -c 'echo "# hand edit" >> /etc/nginx/sites-available/foobar'
set +e; "$F" apply --lab --no-color "$TMP/v5.plan" >"$TMP/apply5" 2>&1; rc=$?; set -e
[ $rc -eq 1 ] || { cat "$TMP/apply5"; fail "stale saved plan exit $rc, want 1"; }
grep -q "host web-02 changed since the plan: .*file /etc/nginx/sites-available/foobar" "$TMP/apply5" ||
  { cat "$TMP/apply5"; fail "the refusal does not name web-02 and what changed"; }
for h in web-01 web-02; do on $h grep -q "guestbook v4" $APP || fail "the refused plan changed $APP on $h"; done
on web-02 grep -q "# hand edit" /etc/nginx/sites-available/foobar || fail "the refused plan repaired web-02"
no_lock_anywhere "after the refused plan"
ok "a saved plan older than a hand edit is refused, nothing changed on any host"

# A template changed since the plan is refused as well.
cp -r templates "$TMP/templates"
plan "${SRC[@]}" --templates "$TMP/templates" --out "$TMP/tpl.plan" >/dev/null
echo "# changed after the plan" >>"$TMP/templates/nginx-site.conf.j2"
set +e; "$F" apply --lab --no-color "$TMP/tpl.plan" >"$TMP/apply6" 2>&1; rc=$?; set -e
[ $rc -eq 1 ] && grep -q "templates in .* changed since the plan" "$TMP/apply6" || { cat "$TMP/apply6"; fail "stale templates not refused"; }
ok "a saved plan older than a template change is refused"

# 5. A lock held from another machine is refused with who and since when; unlock clears it.
on lb-01 sh -c "mkdir -p $LOCK && printf 'program=foobarctl\nuser=alice\nmachine=laptop\nmachine_id=0123456789abcdef0123456789abcdef\nboot_id=b\npid=4242\nstart_time=1\nsince=2026-01-02T03:04:05Z\n' > $LOCK/holder"
set +e; apply "${SRC[@]}" >"$TMP/apply7" 2>&1; rc=$?; set -e
[ $rc -eq 1 ] || { cat "$TMP/apply7"; fail "apply beside another machine's lock exit $rc, want 1"; }
grep -q "alice@laptop pid 4242 (foobarctl) since 2026-01-02T03:04:05Z on another machine" "$TMP/apply7" ||
  { cat "$TMP/apply7"; fail "the refusal does not say who holds the lock and since when"; }
on web-01 test ! -e $LOCK || fail "a failed lock-all left web-01 locked"
on web-01 grep -q "guestbook v4" $APP || fail "apply changed web-01 although lb-01 was locked"
"$F" unlock --lab --auto-approve --target lb-01 "$STACK" >"$TMP/unlock" 2>&1 || { cat "$TMP/unlock"; fail "unlock failed"; }
grep -q "lb-01: unlocked" "$TMP/unlock" || { cat "$TMP/unlock"; fail "unlock did not report"; }
on lb-01 test ! -e $LOCK || fail "unlock left the lock"
apply "${SRC[@]}" >"$TMP/apply8" 2>&1 || { cat "$TMP/apply8"; fail "apply after unlock failed"; }
every_host_serves v5
no_changes "after unlock"
ok "another machine's lock refused with who and since when; unlock clears it"

# 6. Destroy after an interrupted first apply removes what that apply created.
"$F" destroy --lab --no-color --auto-approve "${SRC[@]}" "$STACK" >"$TMP/destroy1" 2>&1 || { cat "$TMP/destroy1"; fail "destroy failed"; }
killed_apply "web-01:create file:$APP"
on web-01 test -f $APP || fail "the interrupted apply had not created $APP"
on web-01 test ! -e /var/lib/foobarctl/foobar-distributed.json || fail "a manifest was written (the test would prove nothing)"
"$F" destroy --lab --no-color --auto-approve "${SRC[@]}" "$STACK" >"$TMP/destroy2" 2>&1 || { cat "$TMP/destroy2"; fail "destroy after the kill failed"; }
on web-01 test ! -e $APP || fail "destroy after an interrupted apply left $APP"
on web-01 sh -c 'test ! -e /var/lib/foobarctl/foobar-distributed.created' || fail "the manifest log was left"
no_lock_anywhere "after destroy"
ok "destroy after an interrupted apply removes what it created"
echo "crash safety and saved plans: all checks passed"
