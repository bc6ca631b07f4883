#!/usr/bin/env bash
# `foobarctl schema` is a valid draft 2020-12 schema, equal to stacks/stack.schema.json
# (the file the stacks' `$schema=` line names), accepts the four reference stacks, and
# rejects stacks with an unknown key, a wrong type or an unknown enumeration value —
# each of which `foobarctl validate` rejects too.
set -euo pipefail
F=$(realpath "${FOOBARCTL:-build/foobarctl}")
python3 -c 'import jsonschema, yaml' 2>/dev/null || { echo "schema test skipped: needs python3-jsonschema and python3-yaml"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$F" schema > "$TMP/schema.json"
diff -u stacks/stack.schema.json "$TMP/schema.json" ||
  { echo "FAIL: stacks/stack.schema.json is stale; regenerate: foobarctl schema > stacks/stack.schema.json" >&2; exit 1; }
echo "ok: stacks/stack.schema.json is what foobarctl schema prints"

for s in stacks/*.yaml; do
  head -n 1 "$s" | grep -qx '# yaml-language-server: $schema=stack.schema.json' ||
    { echo "FAIL: $s does not start with the yaml-language-server \$schema line" >&2; exit 1; }
done
echo "ok: every reference stack names the schema"

python3 - "$TMP/schema.json" "$F" "$TMP" stacks/*.yaml <<'PY'
import copy, json, subprocess, sys, yaml, jsonschema

schema_path, foobarctl, tmp, *stacks = sys.argv[1:]
schema = json.load(open(schema_path))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
print("ok: the schema is a valid draft 2020-12 schema")

def schema_errors(doc):
    return [e.message for e in validator.iter_errors(doc)]

def validate_rejects(doc, name):
    path = f"{tmp}/{name}.yaml"
    with open(path, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)
    r = subprocess.run([foobarctl, "validate", path], capture_output=True, text=True)
    return r.returncode != 0, r.stderr.strip()

failed = False
docs = {}
for s in stacks:
    doc = yaml.safe_load(open(s))
    docs[s] = doc
    errs = schema_errors(doc)
    if errs:
        print(f"FAIL: schema rejects {s}: {errs[:3]}")
        failed = True
    else:
        print(f"ok: schema accepts {s}")

def mutate(doc, path, value=None, delete=False):
    d = copy.deepcopy(doc)
    node = d
    for k in path[:-1]:
        node = node[k]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return d

base3 = docs[[s for s in stacks if "3-scale-up" in s][0]]
first_host = next(iter(base3["hosts"]))
rejected, why = validate_rejects(base3, "base")
if rejected:
    print(f"FAIL: validate rejects stack 3 as written back by PyYAML: {why}")
    sys.exit(1)
cases = [
    ("unknown top-level key", ["colour"], "blue"),
    ("unknown key in tiers.lb", ["tiers", "lb", "balanse"], "roundrobin"),
    ("unknown key in a host", ["hosts", first_host, "adress"], "10.77.0.99"),
    ("unknown key in tls", ["tiers", "lb", "tls", "certificat"], "self-signed"),
    ("unknown tier", ["tiers", "cache"], {"hosts": [first_host]}),
    ("string where an integer belongs", ["tiers", "db", "port"], "three thousand"),
    ("list where a string belongs", ["hosts", first_host, "address"], ["10.77.0.11"]),
    ("mapping where a list belongs", ["tiers", "web", "hosts"], {"a": 1}),
    ("string where a bool belongs", ["tiers", "lb", "tls", "redirect_http"], "sometimes"),
    ("unknown enumeration value", ["tiers", "lb", "balance"], "random"),
    ("bad duration", ["tiers", "lb", "health_check", "interval"], "2 seconds"),
    ("literal secret", ["tiers", "db", "replication", "password"], "hunter2"),
]
for i, (what, path, value) in enumerate(cases):
    doc = mutate(base3, path, value)
    errs = schema_errors(doc)
    rejected, why = validate_rejects(doc, f"case{i}")
    if not errs:
        print(f"FAIL: schema accepts a stack with {what}")
        failed = True
    elif not rejected:
        print(f"FAIL: validate accepts a stack with {what} (the schema rejects it: {errs[0]})")
        failed = True
    else:
        print(f"ok: {what}: rejected by the schema ({errs[0][:60]}) and by validate")

missing = mutate(base3, ["tiers"], delete=True)
if not schema_errors(missing):
    print("FAIL: schema accepts a stack without tiers")
    failed = True
else:
    print("ok: a missing required key is rejected")
sys.exit(1 if failed else 0)
PY
