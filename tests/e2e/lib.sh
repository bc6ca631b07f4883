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

# The X-Served-By header of a request, or nothing.
served_by() { curl -s -m 5 -k -o /dev/null -D - "$@" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-served-by"{print $2}'; }
status_of() { curl -s -m 5 -k -o /dev/null -w '%{http_code}' "$@"; }

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
