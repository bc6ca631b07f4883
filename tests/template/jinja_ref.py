#!/usr/bin/env python3
"""Renders one template case with the real Jinja2, using foobarctl's settings.

usage: jinja_ref.py TEMPLATE.j2 VARS.json
Writes the output to stdout; on a template error prints it to stderr, exits 1.
"""
import json
import os
import sys

import jinja2

import escape_filters


def main() -> int:
    path, vars_path = sys.argv[1], sys.argv[2]
    with open(vars_path, encoding="utf-8") as f:
        context = json.load(f)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(os.path.dirname(path) or "."),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.loopcontrols"],
    )
    escape_filters.register(env)
    try:
        out = env.get_template(os.path.basename(path)).render(**context)
    except Exception as e:  # any template error counts as a rejection
        print(f"{path}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
