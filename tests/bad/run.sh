#!/usr/bin/env bash
# Runs `foobarctl validate` on every broken stack in tests/bad and compares its
# stderr with NN-name.expected (exit code must be 1, stdout empty); then checks
# that the reference stacks in stacks/ validate with exit code 0.
# With --regenerate, rewrites the .expected files from the current output
# (review the diff before committing).
set -uo pipefail
cd "$(dirname "$0")/../.."
: "${FOOBARCTL:?set FOOBARCTL to the foobarctl binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

regenerate=0
[[ "${1:-}" == "--regenerate" ]] && regenerate=1
failures=0
count=0
for stack in tests/bad/[0-9][0-9]-*.yaml; do
  expected=${stack%.yaml}.expected
  count=$((count + 1))
  "$FOOBARCTL" validate "$stack" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if ((regenerate)); then
    cp "$tmp/err" "$expected"
    continue
  fi
  if [[ $rc -ne 1 ]]; then
    echo "FAIL $stack: exit code $rc, expected 1"
    failures=$((failures + 1))
  elif [[ -s "$tmp/out" ]]; then
    echo "FAIL $stack: unexpected stdout:"; cat "$tmp/out"
    failures=$((failures + 1))
  elif [[ ! -f "$expected" ]]; then
    echo "FAIL $stack: $expected is missing"
    failures=$((failures + 1))
  elif ! diff -u "$expected" "$tmp/err" >"$tmp/diff"; then
    echo "FAIL $stack: diagnostics differ (- expected, + actual):"
    cat "$tmp/diff"
    failures=$((failures + 1))
  fi
done
((regenerate)) && { echo "regenerated $count .expected files"; exit 0; }
if ((count < 30)); then
  echo "FAIL: only $count broken stacks found in tests/bad"
  failures=$((failures + 1))
fi

# Several files at once: every problem of every file, exit code 1.
"$FOOBARCTL" validate stacks/0-simple-web-stack.yaml tests/bad/12-duplicate-address.yaml \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
if [[ $rc -ne 1 ]] || ! grep -q '^stacks/0-simple-web-stack.yaml: ok' "$tmp/out" ||
  ! diff -q tests/bad/12-duplicate-address.expected "$tmp/err" >/dev/null; then
  echo "FAIL: mixed valid and invalid stacks (exit $rc)"
  failures=$((failures + 1))
fi

for stack in stacks/[0-9]-*.yaml; do
  if ! "$FOOBARCTL" validate "$stack" >"$tmp/out" 2>"$tmp/err"; then
    echo "FAIL reference $stack does not validate:"; cat "$tmp/err"
    failures=$((failures + 1))
  elif [[ -s "$tmp/err" ]] || ! grep -Eq "^$stack: ok \([0-9]+ hosts?, [0-9]+ tiers?\)$" "$tmp/out"; then
    echo "FAIL reference $stack: unexpected output:"; cat "$tmp/out" "$tmp/err"
    failures=$((failures + 1))
  fi
done

if ((failures)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "ok: $count broken stacks rejected as expected, reference stacks valid"
