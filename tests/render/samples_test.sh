#!/usr/bin/env bash
# Renders the sample contexts of the four reference stacks with python3-jinja2 and checks
# every rendered file with its service's own checker (check_tree.sh). Then proves the
# checker rejects: one broken copy per kind of file, and a tree with a missing file.
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=$(mktemp -d /tmp/foobar-render-samples.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

python3 tests/render/render_samples.py "$OUT/trees"
for tree in "$OUT"/trees/*; do
  bash tests/render/check_tree.sh "$tree"
done

bash tests/render/negatives.sh "$OUT/trees/stack3" "$OUT"
echo "render-samples: 4 stacks rendered and accepted, broken trees rejected"
