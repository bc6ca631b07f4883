#!/usr/bin/python3
"""Renders one template case with ansible-core's templating, as its template module does.

usage: ansible_ref.py TEMPLATE.j2 VARS.json
Uses ansible.template.Templar with foobarctl's settings: trim_blocks and
lstrip_blocks on, one trailing newline dropped (Jinja2's default), includes from
the case's directory. Writes the output to stdout; on an error prints it to
stderr and exits 1.
"""
import json
import os
import sys

import jinja2
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar


def main() -> int:
    path, vars_path = sys.argv[1], sys.argv[2]
    with open(vars_path, encoding="utf-8") as f:
        variables = json.load(f)
    with open(path, encoding="utf-8") as f:
        source = f.read()
    templar = Templar(loader=DataLoader(), variables=variables)
    env = templar.environment
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.loader = jinja2.FileSystemLoader(os.path.dirname(path) or ".")
    try:
        out = templar.do_template(source, preserve_trailing_newlines=False, escape_backslashes=False)
    except Exception as e:  # any template error counts as a rejection
        print(f"{path}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(str(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
