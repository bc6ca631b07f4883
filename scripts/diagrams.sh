#!/usr/bin/env bash
# Draws the four reference stacks into docs/diagrams/: <stack>.dot, <stack>.mmd and
# <stack>.png (Graphviz). Usage: scripts/diagrams.sh [path/to/foobarctl]
set -euo pipefail
cd "$(dirname "$0")/.."
FOOBARCTL=${1:-${FOOBARCTL:-build/foobarctl}}
mkdir -p docs/diagrams
for f in stacks/[0-9]*.yaml; do
  name=$(basename "$f" .yaml)
  "$FOOBARCTL" diagram "$f" >"docs/diagrams/$name.dot"
  "$FOOBARCTL" diagram --format mermaid "$f" >"docs/diagrams/$name.mmd"
  dot -Tpng -Gdpi=110 "docs/diagrams/$name.dot" -o "docs/diagrams/$name.png"
  echo "docs/diagrams/$name.png"
done
