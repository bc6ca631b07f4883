#!/usr/bin/env python3
"""Render every template that applies to each sample host context.

Usage: render_samples.py OUT [STACK ...]

Reads tests/render/contexts/<stack>/<host>.json and templates/index.json and writes
OUT/<stack>/<host>/<absolute destination path>, the layout `foobarctl render STACK -o DIR`
produces per stack, plus OUT/<stack>/<host>/.foobar-render.json describing the host
(name, tiers, roles) and each file (template, owner, group, mode, validate).
Rendering uses the project's settings: trim_blocks, lstrip_blocks, StrictUndefined.
"""
import json
import os
import sys

import jinja2

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "template"))
import escape_filters  # noqa: E402  (foobarctl's escaping filters, for Jinja2)
TEMPLATES = os.path.join(ROOT, "templates")
CONTEXTS = os.path.join(ROOT, "tests", "render", "contexts")


def lookup(ctx, dotted):
    """Value at a dotted path; a missing key is a contract error, not 'false'."""
    value = ctx
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(f"context has no '{dotted}' (stopped at '{part}')")
        value = value[part]
    return value


def roles(ctx):
    """What the host runs: its tiers plus the cross-cutting roles the context enables."""
    result = list(ctx["host"]["tiers"])
    if ctx["firewall"]["enabled"]:
        result.append("firewall")
    if ctx["keepalived"] is not None:
        result.append("keepalived")
    if ctx["monitoring"]["enabled"]:
        result.append("node-exporter")
        if ctx["web"] is not None:
            result.append("nginx-exporter")
        if ctx["db"] is not None:
            result.append("mysqld-exporter")
    if ctx["dns"] is not None:
        result.append("dns")
    return result


def render_host(env, index, ctx, out_dir):
    manifest = {"host": ctx["host"]["name"], "address": ctx["host"]["address"],
                "tiers": ctx["host"]["tiers"], "roles": roles(ctx), "files": []}
    for entry in index["templates"]:
        if not all(lookup(ctx, w) for w in entry["when"]):
            continue
        dest = env.from_string(entry["dest"]).render(ctx)
        text = env.get_template(entry["template"]).render(ctx)
        path = os.path.join(out_dir, dest.lstrip("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, int(entry["mode"], 8))
        manifest["files"].append({"path": dest, "template": entry["template"], "owner": entry["owner"],
                                  "group": entry["group"], "mode": entry["mode"], "validate": entry["validate"]})
    with open(os.path.join(out_dir, ".foobar-render.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return len(manifest["files"])


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = argv[1]
    stacks = argv[2:] or sorted(os.listdir(CONTEXTS))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, autoescape=False)
    escape_filters.register(env)
    with open(os.path.join(TEMPLATES, "index.json")) as f:
        index = json.load(f)
    for stack in stacks:
        stack_dir = os.path.join(CONTEXTS, stack)
        for name in sorted(os.listdir(stack_dir)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(stack_dir, name)) as f:
                ctx = json.load(f)
            host = ctx["host"]["name"]
            count = render_host(env, index, ctx, os.path.join(out, stack, host))
            print(f"rendered {stack}/{host}: {count} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
