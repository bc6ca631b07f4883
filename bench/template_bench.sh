#!/usr/bin/env bash
# Renders templates with foobarctl's engine and with Python's Jinja2 for the same
# generated context and prints the time per render of each and their ratio.
# Both sides parse once, then render N times (only the renders are timed).
#
# usage: bench/template_bench.sh [-n RENDERS] [-g CONTEXT_GENERATOR] [TEMPLATE...]
#   default templates: bench/nginx-site.j2 bench/haproxy.cfg.j2
#   default generator: bench/gen_context.py (100 hosts); it must print JSON to stdout.
#   FOOBARCTL selects the binary (default build/foobarctl).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${FOOBARCTL:=build/foobarctl}"
n=2000
gen="python3 bench/gen_context.py 100"
while getopts "n:g:" opt; do
  case $opt in
    n) n=$OPTARG ;;
    g) gen=$OPTARG ;;
    *) echo "usage: $0 [-n RENDERS] [-g GENERATOR] [TEMPLATE...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
templates=("$@")
[[ ${#templates[@]} -gt 0 ]] || templates=(bench/nginx-site.j2 bench/haproxy.cfg.j2)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$gen >"$tmp/context.json"

printf '%-28s %8s %14s %14s %8s\n' template renders "foobarctl us" "jinja2 us" speedup
for t in "${templates[@]}"; do
  "$FOOBARCTL" template "$t" --vars "$tmp/context.json" --repeat "$n" >"$tmp/ours.out" 2>"$tmp/ours.err"
  ours=$(sed -n 's/.*: \([0-9.]*\) us per render/\1/p' "$tmp/ours.err")
  theirs=$(python3 - "$t" "$tmp/context.json" "$n" "$tmp/ref.out" <<'PY'
import json, os, sys, time
import jinja2
sys.path.insert(0, "tests/template")
import escape_filters
path, ctx_path, n, out_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.dirname(path) or "."),
                         trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
escape_filters.register(env)
tmpl = env.get_template(os.path.basename(path))
ctx = json.load(open(ctx_path))
start = time.perf_counter()
for _ in range(n):
    out = tmpl.render(**ctx)
elapsed = time.perf_counter() - start
open(out_path, "w").write(out)
print(f"{elapsed * 1e6 / n:.3f}")
PY
)
  same=yes
  cmp -s "$tmp/ours.out" "$tmp/ref.out" || same="NO (outputs differ)"
  ratio=$(python3 -c "print(f'{$theirs / $ours:.1f}x')")
  printf '%-28s %8d %14s %14s %8s  identical output: %s\n' "$(basename "$t")" "$n" "$ours" "$theirs" "$ratio" "$same"
done
