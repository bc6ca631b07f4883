#!/usr/bin/env bash
# `cmake --install` under an arbitrary prefix gives a tree that works on its own: the
# binary finds the templates at ../share/foobarctl/templates (FOOBAR_TEMPLATES and
# --templates win, in that order), the man page lists every command and option that
# --help does, and the completion offers commands, options, host and tier names.
set -euo pipefail
F=$(realpath "${FOOBARCTL:-build/foobarctl}")
BUILD=${FOOBAR_BUILD_DIR:-build}
SRC=$PWD
source tests/package/completion_lib.sh
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

P=$TMP/prefix
cmake --install "$BUILD" --prefix "$P" >/dev/null
for f in bin/foobarctl share/foobarctl/templates/index.json share/foobarctl/stacks/stack.schema.json \
         share/foobarctl/examples/foobar-app/app.py share/man/man1/foobarctl.1 \
         share/bash-completion/completions/foobarctl; do
  [ -e "$P/$f" ] || fail "cmake --install left out $f"
done
[ "$(ls "$P"/share/foobarctl/stacks/*.yaml | wc -l)" -eq 4 ] || fail "not the four reference stacks"
ok "cmake --install lays out bin/, share/foobarctl/{templates,stacks,examples}, the man page and completion"

# Templates: a marker added to the installed copy shows up only when that copy is used.
echo "# installed-template-marker" >> "$P/share/foobarctl/templates/nginx-site.conf.j2"
render() { (cd "$TMP" && "$@" render "$SRC/stacks/0-simple-web-stack.yaml" --source-base "$SRC" -o "$TMP/out" >/dev/null) &&
           grep -rqs installed-template-marker "$TMP/out"; }
render env -u FOOBAR_TEMPLATES "$P/bin/foobarctl" || fail "the installed binary does not use ../share/foobarctl/templates"
ok "installed binary renders with the templates of its prefix"
if render env FOOBAR_TEMPLATES="$SRC/templates" "$P/bin/foobarctl"; then fail "FOOBAR_TEMPLATES is ignored"; fi
ok "FOOBAR_TEMPLATES wins over the prefix"
if (cd "$TMP" && FOOBAR_TEMPLATES="$P/share/foobarctl/templates" "$P/bin/foobarctl" render "$SRC/stacks/0-simple-web-stack.yaml" \
      --source-base "$SRC" --templates "$SRC/templates" -o "$TMP/out" >/dev/null) && grep -rqs installed-template-marker "$TMP/out"; then
  fail "--templates does not win over FOOBAR_TEMPLATES"
fi
ok "--templates wins over FOOBAR_TEMPLATES"
if render env -u FOOBAR_TEMPLATES "$F"; then fail "the build tree's binary used an installed prefix"; fi
ok "the build tree's binary falls back to the source tree"

"$P/bin/foobarctl" --version | grep -Eq '^foobarctl [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-zA-Z.-]+\)$' ||
  fail "--version: $("$P/bin/foobarctl" --version)"
ok "--version: $("$P/bin/foobarctl" --version)"

# The man page has every command of the usage text and every option of each --help.
MAN=$P/share/man/man1/foobarctl.1
cmds=$("$F" --help | awk '/^commands:/{on=1; next} on && /^  [a-z]/{print $1}')
[ "$(echo "$cmds" | wc -l)" -ge 10 ] || fail "usage lists only: $cmds"
for c in $cmds; do
  if [ "$c" = lab ]; then
    for sub in up down status ssh client; do grep -q "^\.SS \"lab $sub\"" "$MAN" || fail "man page lacks lab $sub"; done
    continue
  fi
  grep -q "^\.SS \"$c\"" "$MAN" || fail "man page lacks the command $c"
  section=$(awk -v c="$c" '$0 == ".SS \"" c "\"" {on=1; next} /^\.S[SH] / {on=0} on' "$MAN")
  for o in $("$F" "$c" --help | grep -Eo -- '--[a-z][a-z-]*' | sort -u); do
    echo "$section" | grep -qF -- "\\fB$(echo "$o" | sed 's/-/\\-/g')\\fR" || fail "man page: $c lacks $o"
  done
done
ok "man page: every command and every option of each command's --help ($(echo $cmds | wc -w) commands)"

COMP=$P/share/bash-completion/completions/foobarctl
echo "$(complete_words "$COMP" "$F" pl)" | grep -qx plan || fail "completion: commands"
echo "$(complete_words "$COMP" "$F" plan --det)" | grep -qx -- --detailed-exitcode || fail "completion: plan's options"
echo "$(complete_words "$COMP" "$F" lab s)" | grep -qx ssh || fail "completion: lab subcommands"
names=$(complete_words "$COMP" "$F" plan "$SRC/stacks/3-scale-up.yaml" --target "")
for n in lb-01 web-02 app-01 db-02 lb web app db; do echo "$names" | grep -qx "$n" || fail "completion: --target lacks $n: $names"; done
w=$(complete_words "$COMP" "$F" plan "$SRC/stacks/3-scale-up.yaml" --target w)
echo "$w" | grep -qx web-01 || fail "completion: --target w gives: $w"
ok "completion: commands, options, lab subcommands, host and tier names of the stack"
