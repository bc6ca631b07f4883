#!/usr/bin/env bash
# Stack 0 (one host: nginx -> gunicorn -> MariaDB) in the lab: apply, a page and a
# write through nginx to the app and the database, idempotency, and destroy.
set -euo pipefail
STACK=stacks/0-simple-web-stack.yaml
source "$(dirname "$0")/lib.sh"
WEB=10.77.0.10


# 1. The first plan has changes; apply converges.
first_apply

# 2. www.foobar.com resolves through NSD on web-01; nginx answers on port 80 and the
# page comes from the app (it names the host).
check_dns web-01 $WEB $WEB
SITE=http://www.foobar.com
wait_for "[ \"\$(status_of $SITE/)\" = 200 ]" 30 || fail "GET / is not 200: $(status_of $SITE/)"
[ "$(served_by $SITE/)" = web-01 ] || fail "GET / not served by the app on web-01"
visit -s -m 5 -D "$TMP/headers" $SITE/ >"$TMP/index"
grep -qi "^server: nginx" "$TMP/headers" || fail "GET / did not pass through nginx"
grep -q "foobar.com guestbook" "$TMP/index" || fail "GET / is not the app's page"
[ "$(status_of $SITE/healthz)" = 200 ] || fail "/healthz is not 200"
on web-01 sh -c 'pidof nginx >/dev/null && pgrep -f "[g]unicorn" >/dev/null && pidof mariadbd >/dev/null' ||
  fail "nginx, gunicorn or mariadbd not running on web-01"
ok "GET http://www.foobar.com/ answers 200 from the app behind nginx"

# 3. A write goes through nginx and the app into MariaDB and is listed back.
msg="stack0-$RANDOM$RANDOM"
[ "$(status_of -d author=e2e -d "message=$msg" $SITE/entries)" = 201 ] ||
  fail "POST /entries did not create an entry"
visit -s -m 5 $SITE/ | grep -q "$msg" || fail "the entry is not listed"
[ "$(on web-01 mysql -N foobar -e "SELECT COUNT(*) FROM entries WHERE message='$msg'")" = 1 ] ||
  fail "the entry is not in MariaDB"
[ "$(status_of -d author=e2e $SITE/entries)" = 400 ] || fail "an empty message was not refused"
ok "POST /entries stores the entry in MariaDB, GET / lists it"

# 4. A second plan reports no changes, and a second apply restarts nothing.
set +e; plan --detailed-exitcode >"$TMP/plan2"; rc=$?; set -e
[ $rc -eq 0 ] || { cat "$TMP/plan2"; fail "second plan exit $rc, want 0"; }
second_apply web-01 /run/nginx.pid
ok "second plan and apply: no changes"

# 5. -v logs each host's SSH session and probe, and each action with its duration;
# -vv adds the remote calls. A local edit of the nginx site is put back.
"$F" -vv plan --lab --no-color "$STACK" >/dev/null 2>"$TMP/plan-vv" || true
grep -qE "^debug: web-01: SSH session with $WEB as root in [0-9]+ ms" "$TMP/plan-vv" ||
  { cat "$TMP/plan-vv"; fail "-vv does not log the SSH session"; }
grep -qE "^debug: web-01: probe of [0-9]+ resources: [0-9]+ bytes back in [0-9]+ ms" "$TMP/plan-vv" ||
  fail "-vv does not log the probe"
grep -q "^fact_files " "$TMP/plan-vv" || grep -q "fact_" "$TMP/plan-vv" || fail "-vv does not log the probe's calls"
on web-01 sh -c 'echo "# local edit" >> /etc/nginx/sites-available/foobar'
"$F" -v apply --lab --no-color --auto-approve "$STACK" >"$TMP/apply-v" 2>&1 || { cat "$TMP/apply-v"; fail "apply -v failed"; }
grep -qE "^debug: web-01: update file:/etc/nginx/sites-available/foobar: done in [0-9]+ ms" "$TMP/apply-v" ||
  { cat "$TMP/apply-v"; fail "-v does not log the action and its duration"; }
grep -qE "^debug: web-01: apply script of [0-9]+ steps: ran in [0-9]+ ms" "$TMP/apply-v" || fail "-v does not log the script"
grep -q "^trace:" "$TMP/apply-v" && fail "-v logs what only -vv should"
on web-01 grep -q "# local edit" /etc/nginx/sites-available/foobar && fail "the local edit was not put back"
ok "-v and -vv log sessions, probes, actions with their durations, and the remote calls"

# 6. Destroy removes our files and services; data stays.
"$F" destroy --lab --no-color --auto-approve "$STACK" >"$TMP/destroy" 2>&1 || { cat "$TMP/destroy"; fail "destroy failed"; }
on web-01 test ! -e /etc/nginx/sites-available/foobar || fail "nginx site left behind"
on web-01 test ! -e /var/lib/foobarctl/foobar-simple.json || fail "manifest left behind"
on web-01 sh -c '! pgrep -f "[g]unicorn"' >/dev/null || fail "the app still runs after destroy"
dig +time=1 +tries=1 +short @$WEB www.foobar.com A >/dev/null 2>&1 && fail "NSD still answers after destroy"
on web-01 test -d /var/lib/mysql/foobar || fail "destroy removed database data without --purge"
ok "destroy"
echo "stack 0 end to end: all checks passed"
