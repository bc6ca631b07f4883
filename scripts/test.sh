#!/usr/bin/env bash
# The README's test command: install what is needed, build, run every test.
# Output ends with ctest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd "${FOOBAR_BUILD_DIR:-build}"
# Two at a time by default: lab tests hold one lock (tests/tests.cmake), the others
# run beside them. FOOBAR_TEST_JOBS=1 runs them one by one.
ctest --output-on-failure -j "${FOOBAR_TEST_JOBS:-2}" "$@"
