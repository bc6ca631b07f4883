#!/usr/bin/env bash
# `foobarctl render` of the four reference stacks: every tree passes check_tree.sh,
# rendering is deterministic (two renders are byte-identical), a foreign non-empty
# directory is refused and an earlier render is replaced; then the negative checks
# (negatives.sh) on the rendered stack-3 tree; the same files rendered by Jinja2 from
# tests/render/contexts must be byte-identical, plus a broken copy of the app source.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${FOOBARCTL:?set FOOBARCTL to the foobarctl binary}"

OUT=$(mktemp -d /tmp/foobar-render-test.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

for f in stacks/[0-3]-*.yaml; do
  n=$(basename "$f" | cut -d- -f1)
  "$FOOBARCTL" render "$f" -o "$OUT/trees/stack$n"
  bash tests/render/check_tree.sh "$OUT/trees/stack$n"
  "$FOOBARCTL" render "$f" -o "$OUT/again"   # replaces the previous stack's tree
  diff -r "$OUT/trees/stack$n" "$OUT/again" >/dev/null || { echo "render of $f is not deterministic"; exit 1; }
done

# The sample contexts rendered by python3-jinja2 give the same bytes as foobarctl's
# compiler and engine (app source copies and manifests aside).
python3 tests/render/render_samples.py "$OUT/jinja2" >/dev/null
for n in 0 1 2 3; do
  diff -r -x .foobar-render.json -x .foobar-render -x opt "$OUT/jinja2/stack$n" "$OUT/trees/stack$n" ||
    { echo "foobarctl render of stack $n differs from Jinja2 on the sample contexts"; exit 1; }
done
echo "identical to Jinja2 on the sample contexts: 4 stacks"

# Modes are part of the tree.
[ "$(stat -c %a "$OUT/trees/stack3/lb-01/etc/nftables.conf")" = 755 ] || { echo "nftables.conf is not 0755"; exit 1; }
[ "$(stat -c %a "$OUT/trees/stack3/app-01/etc/foobar/app.env")" = 644 ] || { echo "app.env is not 0644 (the app re-reads it)"; exit 1; }

# Files that hold secrets are left out of the tree and listed with their secrets' names.
[ ! -e "$OUT/trees/stack3/app-01/etc/foobar/app.secret.env" ] || { echo "render wrote a secret file"; exit 1; }
python3 - "$OUT/trees/stack3/app-01/.foobar-render.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
s = {f["path"]: f for f in m["secret_files"]}
assert s["/etc/foobar/app.secret.env"]["secrets"] == ["DB_APP_PASSWORD"], s
assert s["/etc/foobar/app.secret.env"]["mode"] == "0600", s
assert all(f["path"] not in s for f in m["files"])
PY
! grep -rqP '\x00' "$OUT/trees" || { echo "a rendered file holds a secret placeholder"; exit 1; }
echo "secret files left out of the tree, listed in the manifest"

# graph: JSON layers respect every dependency; dot output is valid Graphviz.
for f in stacks/[0-3]-*.yaml; do
  "$FOOBARCTL" graph "$f" --format json | python3 -c '
import json, sys
g = json.load(sys.stdin)
layer = {r["id"]: r["layer"] for r in g["resources"]}
bad = [(r["id"], d) for r in g["resources"] for d in r["deps"] if layer[d] >= r["layer"]]
assert g["resources"] and not bad, bad[:3]
assert all(n["target"] in layer for r in g["resources"] for n in r["notify"])'
  if command -v dot >/dev/null; then "$FOOBARCTL" graph "$f" | dot -Tsvg >/dev/null; fi
done
echo "graph: json layers ordered, dot accepted by Graphviz: 4 stacks"

mkdir -p "$OUT/foreign" && echo keep >"$OUT/foreign/file"
if "$FOOBARCTL" render stacks/3-scale-up.yaml -o "$OUT/foreign" 2>"$OUT/err"; then
  echo "render wrote into a foreign non-empty directory"; exit 1
fi
grep -q "not written by foobarctl render" "$OUT/err" || { cat "$OUT/err"; exit 1; }
[ "$(cat "$OUT/foreign/file")" = keep ] || { echo "render touched a foreign file"; exit 1; }
echo "refused as expected: foreign non-empty directory"

# Links planted in an earlier render's tree are removed, never written or chmodded through.
mkdir -p "$OUT/victim" && echo keep >"$OUT/victim/passwd" && chmod 0640 "$OUT/victim/passwd"
"$FOOBARCTL" render stacks/0-simple-web-stack.yaml -o "$OUT/planted" >/dev/null
rm -rf "$OUT/planted/web-01/etc" && ln -s "$OUT/victim" "$OUT/planted/web-01/etc"
ln -s "$OUT/victim/passwd" "$OUT/planted/web-01/opt/foobar/app.py.link"
"$FOOBARCTL" render stacks/0-simple-web-stack.yaml -o "$OUT/planted" >/dev/null
[ "$(cat "$OUT/victim/passwd")" = keep ] && [ "$(stat -c %a "$OUT/victim/passwd")" = 640 ] &&
  [ "$(ls "$OUT/victim")" = passwd ] || { echo "render wrote through a planted symlink"; exit 1; }
[ -d "$OUT/planted/web-01/etc" ] && [ ! -L "$OUT/planted/web-01/etc" ] || { echo "planted link kept"; exit 1; }
echo "confined as expected: symlinks planted in DIR"

bash tests/render/negatives.sh "$OUT/trees/stack3" "$OUT"
rm -rf "$OUT/bad" && mkdir -p "$OUT/bad" && cp -a "$OUT/trees/stack3/app-01" "$OUT/bad/"
sed -i 's/^import html$/import html(/' "$OUT/bad/app-01/opt/foobar/app.py"
if bash tests/render/check_tree.sh "$OUT/bad" >"$OUT/neg.log" 2>&1 ||
   ! grep -qE '^FAIL +app-01 +/opt/foobar/app.py ' "$OUT/neg.log"; then
  cat "$OUT/neg.log"; echo "check_tree accepted a broken copy of app.py"; exit 1
fi
echo "rejected as expected: app-01:/opt/foobar/app.py"
echo "render: 4 stacks rendered by foobarctl, accepted and deterministic"
