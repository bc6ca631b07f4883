#!/usr/bin/env bash
# Renders every case in tests/template/cases with foobarctl and with Python's
# Jinja2 (same settings) and requires byte-identical output; err-* cases must be
# rejected by both. Prints one line per case and a final count.
# CASES and REF name another corpus and its reference renderer (ansible_compare.sh);
# a case without its own NAME.json takes the corpus's _vars.json.
set -u
cd "$(dirname "$0")/../.."
: "${FOOBARCTL:=build/foobarctl}"
cases=${CASES:-tests/template/cases}
ref=${REF:-python3 tests/template/jinja_ref.py}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass=0 fail=0 failed=()
for t in "$cases"/*.j2; do
  name=$(basename "$t" .j2)
  [[ $name == _* ]] && continue   # partials used by include cases
  vars="$cases/$name.json"
  [[ -f $vars ]] || vars="$cases/_vars.json"
  [[ -f $vars ]] || vars=/dev/null
  [[ $vars == /dev/null ]] && { echo '{}' >"$tmp/empty.json"; vars="$tmp/empty.json"; }
  "$FOOBARCTL" template "$t" --vars "$vars" >"$tmp/ours" 2>"$tmp/ours.err"; ours_rc=$?
  $ref "$t" "$vars" >"$tmp/ref" 2>"$tmp/ref.err"; ref_rc=$?
  ok=0
  if [[ $name == err-* ]]; then
    if [[ $ours_rc -ne 0 && $ref_rc -ne 0 ]]; then
      # Our message must carry a position: file:line:col (the case's own file, or
      # the template it imports or extends where the error is).
      grep -qE "\.j2:[0-9]+:[0-9]+: error: " "$tmp/ours.err" && ok=1
    fi
  elif [[ $ours_rc -eq 0 && $ref_rc -eq 0 ]] && cmp -s "$tmp/ours" "$tmp/ref"; then
    ok=1
  fi
  if [[ $ok -eq 1 ]]; then
    pass=$((pass + 1)); echo "ok    $name"
  else
    fail=$((fail + 1)); failed+=("$name"); echo "FAIL  $name (foobarctl rc=$ours_rc, reference rc=$ref_rc)"
    if [[ $name != err-* ]]; then
      diff <(cat -A "$tmp/ref") <(cat -A "$tmp/ours") | head -20 | sed 's/^/      /'
    fi
    sed 's/^/      ours: /' "$tmp/ours.err" | head -3
    sed 's/^/      ref:  /' "$tmp/ref.err" | head -3
  fi
done
echo "template corpus ($cases): $pass passed, $fail failed"
[[ $fail -eq 0 ]]
