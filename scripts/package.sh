#!/usr/bin/env bash
# Builds the Debian package foobarctl_<version>_<arch>.deb into the repository root:
# the binary, templates, reference stacks, example app, man page and bash completion,
# laid out by the same install rules as `cmake --install`. Prints the package's path.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${FOOBAR_BUILD_DIR:-build}
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$dir" -j"$(nproc)" --target foobarctl foobar_docs
rm -rf "$dir/package"
(cd "$dir" && cpack -G DEB -B "$PWD/package" >/dev/null)
deb=$(find "$dir/package" -maxdepth 1 -name 'foobarctl_*.deb' | head -n 1)
[ -n "$deb" ] || { echo "package.sh: cpack made no .deb (see $dir/package)" >&2; exit 1; }
mv -f "$deb" .
echo "$(basename "$deb")"
