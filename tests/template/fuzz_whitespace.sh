#!/usr/bin/env bash
# Randomised whitespace-control comparison with Jinja2 (see fuzz_whitespace.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec python3 tests/template/fuzz_whitespace.py "${FOOBARCTL:-build/foobarctl}" 300
