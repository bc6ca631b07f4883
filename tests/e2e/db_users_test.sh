#!/usr/bin/env bash
# Database users converge on password and grants (stack 0, one host): a password
# and a grant changed by hand on the server are drift that the plan shows, without
# revealing any password or hash, and that apply undoes.
set -euo pipefail
STACK=stacks/0-simple-web-stack.yaml
source "$(dirname "$0")/lib.sh"
SITE=http://www.foobar.com
WHO="'foobar'@'127.0.0.1'"

# SQL as root on web-01, on mysql's stdin.
sql() { printf '%s\n' "$1" | "$F" lab ssh --stdin web-01 -- mysql -N -B; }
# Logs in as the app's account over TCP with password $1.
login() { on web-01 env MYSQL_PWD="$1" mysql -u foobar -h 127.0.0.1 -N -e 'select 1' 2>/dev/null; }
stored_hash() { sql "SELECT authentication_string FROM mysql.user WHERE User='foobar' AND Host='127.0.0.1'"; }
native_hash() { printf '%s' "$1" | python3 -c 'import hashlib,sys; print("*" + hashlib.sha1(hashlib.sha1(sys.stdin.buffer.read()).digest()).hexdigest().upper())'; }

# 1. Apply; the app's account logs in with its secret.
first_apply
SECRET=$(sed -n 's/^DB_APP_PASSWORD=//p' "$(lab_dir)/secrets")
[ -n "$SECRET" ] || fail "no DB_APP_PASSWORD in $(lab_dir)/secrets"
[ "$(login "$SECRET")" = 1 ] || fail "foobar cannot log in with its secret after apply"
# The controller's hash (unit-tested: mysql_native_password_hash) is the server's.
[ "$(sql "SELECT PASSWORD('password')")" = '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19' ] ||
  fail "the server's PASSWORD('password') is not the known vector"
[ "$(stored_hash)" = "$(native_hash "$SECRET")" ] || fail "the stored hash is not SHA1(SHA1(secret))"
set +e; plan --detailed-exitcode >"$TMP/plan-clean"; rc=$?; set -e
[ $rc -eq 0 ] || { cat "$TMP/plan-clean"; fail "plan after apply exit $rc, want 0"; }
ok "apply; foobar logs in with its secret; the plan after apply has no changes"

# 2. Drift by hand: another password and an extra grant.
HAND="hand-$RANDOM$RANDOM"
sql "ALTER USER $WHO IDENTIFIED BY '$HAND'; GRANT PROCESS ON *.* TO $WHO;"
[ "$(login "$HAND")" = 1 ] || fail "the hand-set password does not work"
DRIFT_HASH=$(stored_hash)
set +e; plan --detailed-exitcode >"$TMP/plan-drift"; rc=$?; set -e
cat "$TMP/plan-drift"
[ $rc -eq 2 ] || fail "plan after drift exit $rc, want 2"
grep -q "~ update db_user foobar@127.0.0.1" "$TMP/plan-drift" || fail "the account is not to be updated"
grep -q "password differs from secret DB_APP_PASSWORD" "$TMP/plan-drift" || fail "no 'password differs' reason"
grep -q "grants differ: extra PROCESS ON \*\.\*" "$TMP/plan-drift" || fail "no 'grants differ' reason"
grep -q "Plan: 0 to create, 1 to update, 0 to destroy." "$TMP/plan-drift" || fail "the plan changes more than the account"
"$F" plan --lab --format json "$STACK" >"$TMP/plan-drift.json" || fail "plan --format json failed"
grep -q '"password differs from secret DB_APP_PASSWORD"' "$TMP/plan-drift.json" || fail "the JSON plan lacks the reason"
for s in "$SECRET" "$HAND" "$DRIFT_HASH" "$(native_hash "$SECRET")" "${DRIFT_HASH:1:16}"; do
  ! grep -qF -- "$s" "$TMP/plan-drift" "$TMP/plan-drift.json" || fail "the plan shows a password or a hash"
done
ok "plan shows 'password differs' and 'grants differ', exit 2, no password or hash in text or JSON"

# 3. Apply restores the secret's password and revokes the extra grant; the app works.
apply >"$TMP/apply-drift" 2>&1 || { cat "$TMP/apply-drift"; fail "apply after drift failed"; }
grep -q "1 updated" "$TMP/apply-drift" || { cat "$TMP/apply-drift"; fail "apply did not change the account"; }
! grep -qF -- "$SECRET" "$TMP/apply-drift" || fail "apply printed the password"
[ "$(login "$SECRET")" = 1 ] || fail "foobar cannot log in with its secret after apply"
[ -z "$(login "$HAND")" ] || fail "the hand-set password still works"
sql "SHOW GRANTS FOR $WHO" >"$TMP/grants"
! grep -q PROCESS "$TMP/grants" || { cat "$TMP/grants"; fail "the extra PROCESS grant is still there"; }
grep -q "GRANT ALL PRIVILEGES ON \`foobar\`.\*" "$TMP/grants" || { cat "$TMP/grants"; fail "the stack's grant is gone"; }
wait_for "[ \"\$(status_of $SITE/healthz)\" = 200 ]" 20 || fail "/healthz is not 200 after apply"
msg="dbusers-$RANDOM$RANDOM"
[ "$(status_of -d author=e2e -d "message=$msg" $SITE/entries)" = 201 ] || fail "the app cannot write to MariaDB"
visit -s -m 5 $SITE/ | grep -q "$msg" || fail "the app cannot read its entry back"
ok "apply restores the password and revokes PROCESS; the app reads and writes through its account"

# 4. Converged: the second plan has no changes.
set +e; plan --detailed-exitcode >"$TMP/plan-after"; rc=$?; set -e
[ $rc -eq 0 ] || { cat "$TMP/plan-after"; fail "plan after the fix exit $rc, want 0"; }
ok "second plan: no changes"
echo "database users end to end: all checks passed"
