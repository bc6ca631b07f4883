#!/usr/bin/env bash
# The README's test command: install what is needed, build, run every test.
# Output ends with ctest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd "${FOOBAR_BUILD_DIR:-build}"
ctest --output-on-failure "$@"
