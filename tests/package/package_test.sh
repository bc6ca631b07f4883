#!/usr/bin/env bash
# The .deb, installed with apt into a clean root (an overlay of this machine's / in its
# own mount namespace, with the source and build trees hidden), works on its own:
# man page and completion in place, and from the installed files foobarctl validates
# the reference stacks, renders stack 0 byte for byte as the build tree does, and plans
# it against a lab host. Prints the package's size and apt's install time.
set -euo pipefail
F=$(realpath "${FOOBARCTL:-build/foobarctl}")
SRC=$PWD
BUILD=$(cd "${FOOBAR_BUILD_DIR:-build}" && pwd)
STACK=stacks/0-simple-web-stack.yaml
[ "$(id -u)" -eq 0 ] || { echo "package test skipped: needs root"; exit 77; }
command -v dpkg-shlibdeps >/dev/null || { echo "package test skipped: needs dpkg-dev"; exit 77; }
TMP=$(mktemp -d)
cleanup() {
  "$F" lab down "$STACK" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

start=$(date +%s.%N)
deb=$(FOOBAR_BUILD_DIR=$BUILD bash scripts/package.sh | tail -n 1)
mv "$deb" "$TMP/"
deb=$TMP/$deb
echo "ok: built $(basename "$deb") in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}') s, $(du -k "$deb" | cut -f1) KiB"
dpkg-deb -f "$deb" Depends | grep -q libssh2 || fail "Depends does not come from the shared libraries: $(dpkg-deb -f "$deb" Depends)"
echo "ok: Depends: $(dpkg-deb -f "$deb" Depends)"
# The .deb holds the tree cmake --install lays out under /usr.
cmake --install "$BUILD" --prefix "$TMP/usr" >/dev/null
(cd "$TMP" && find usr -type f | sort) > "$TMP/installed.txt"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./||' | sort > "$TMP/packaged.txt"
diff -u "$TMP/installed.txt" "$TMP/packaged.txt" || fail "the .deb and cmake --install differ"
echo "ok: the .deb has the files of cmake --install ($(wc -l < "$TMP/packaged.txt") files)"
rm -rf "$TMP/usr"

# The lab host exists before the overlay is mounted, so its state is in the lower layer.
"$F" lab up "$STACK" >/dev/null

cat > "$TMP/inside.sh" <<INSIDE
set -euo pipefail
fail() { echo "FAIL (installed): \$*" >&2; exit 1; }
R=$TMP/root
mkdir -p $TMP/ovl && mount -t tmpfs tmpfs $TMP/ovl && mkdir -p $TMP/ovl/upper $TMP/ovl/work \$R
mount -t overlay overlay -o lowerdir=/,upperdir=$TMP/ovl/upper,workdir=$TMP/ovl/work \$R
for d in $SRC $BUILD /work; do [ -d "\$R\$d" ] && mount -t tmpfs tmpfs "\$R\$d"; done
mount --rbind /dev \$R/dev && mount -t proc proc \$R/proc && mount -t tmpfs tmpfs \$R/run
rm -f \$R/usr/bin/foobarctl
cp "$deb" \$R/tmp/
t0=\$(date +%s.%N)
chroot \$R apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$deb")" >/dev/null 2>\$R/tmp/apt.err ||
  fail "apt install: \$(cat \$R/tmp/apt.err)"
echo "ok: apt install ./$(basename "$deb") took \$(awk -v a="\$t0" -v b="\$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}') s"
[ ! -e "\$R$SRC/templates" ] || fail "the source tree is visible"
in_root() { chroot \$R env -u FOOBAR_TEMPLATES bash -c "cd /usr/share/foobarctl && \$1"; }
in_root 'test "\$(command -v foobarctl)" = /usr/bin/foobarctl' || fail "foobarctl is not /usr/bin/foobarctl"
in_root 'grep -q "^\.SS \"plan\"" /usr/share/man/man1/foobarctl.1' || fail "no man page"
in_root 'source /usr/share/bash-completion/completions/foobarctl; COMP_WORDS=(foobarctl plan stacks/1-distributed.yaml --target we); COMP_CWORD=4; _foobarctl; [[ " \${COMPREPLY[*]} " == *" web-01 "* ]]' ||
  fail "completion of host names"
echo "ok: /usr/bin/foobarctl, man page and completion (host names from the stack) installed"
in_root 'foobarctl validate stacks/*.yaml' || fail "validate"
echo "ok: the installed reference stacks validate"
in_root 'foobarctl render $STACK -o /tmp/rendered' || fail "render"
echo "ok: render with the installed templates"
in_root 'foobarctl plan --lab --detailed-exitcode --no-color $STACK > /tmp/plan.txt; test \$? -eq 2' ||
  fail "plan: \$(cat \$R/tmp/plan.txt)"
grep -q "create file /etc/nginx/sites-available/foobar" \$R/tmp/plan.txt || fail "plan lacks the nginx site: \$(head \$R/tmp/plan.txt)"
echo "ok: plan against the lab host: \$(tail -n 1 \$R/tmp/plan.txt)"
cp -a \$R/tmp/rendered $TMP/rendered-installed
INSIDE
unshare --mount --propagation private bash "$TMP/inside.sh"

# Same stack, same files, byte for byte, from the build tree and from the package.
(cd "$SRC" && "$F" render "$STACK" -o "$TMP/rendered-build" >/dev/null)
diff -r "$TMP/rendered-build" "$TMP/rendered-installed" >/dev/null || fail "the installed render differs from the build tree's"
echo "ok: the installed render is byte for byte the build tree's"
