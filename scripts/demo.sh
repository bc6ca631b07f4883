#!/usr/bin/env bash
# The README's main job: install what is needed, build, and run foobarctl on the
# reference stacks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
bin=${FOOBAR_BUILD_DIR:-build}/foobarctl
"$bin" validate stacks/*.yaml
