#!/usr/bin/env python3
"""Random whitespace-control templates rendered by foobarctl and by Jinja2 must
match byte for byte. Builds templates from tag fragments (-, +, comments, raw,
set, if/for, CR LF, tabs) with fixed seeds so failures reproduce.

usage: fuzz_whitespace.py FOOBARCTL [COUNT]"""
import os
import random
import subprocess
import sys
import tempfile

import jinja2

FRAGMENTS = [
    "{% if a %}", "{%- if a %}", "{% if a -%}", "{%+ if a %}", "{% if a +%}", "{% endif %}",
    "{% for i in l %}", "{%- for i in l -%}", "{{ i if i is defined }}", "{% endfor %}",
    "{{ a }}", "{{- a }}", "{{ a -}}", "{# c #}", "{#- c -#}", "{#+ c #}",
    "{% raw %}x{% endraw %}", "{%- raw -%} y {%- endraw %}", "{% raw +%}\n z{% endraw -%}",
    "{% set q = 1 %}", "{%- set q = 2 -%}", "\n", "\n", "\n\n", "  ", "\t", "txt", " ", "\n  ", "\r\n",
]
OPENERS = {"if": "{% endif %}", "for": "{% endfor %}"}


def make_template(rng):
    parts, stack = [], []
    for _ in range(rng.randint(1, 16)):
        f = rng.choice(FRAGMENTS)
        if "endif" in f or "endfor" in f:
            want = "{% endif %}" if "endif" in f else "{% endfor %}"
            if not stack or stack[-1] != want:
                continue
            stack.pop()
        elif " if a" in f or " for " in f:
            stack.append(OPENERS["if" if " if a" in f else "for"])
        parts.append(f)
    parts += reversed(stack)
    return "".join(parts)


def main():
    binary = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    rng = random.Random(20261121)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fuzz.j2")
        for n in range(count):
            text = make_template(rng)
            ctx = '{"a": %d, "l": [1, 2]}' % (n % 2)
            try:
                ref = env.from_string(text).render(a=n % 2, l=[1, 2])
            except jinja2.TemplateError:
                ref = None
            with open(path, "w", newline="") as f:
                f.write(text)
            p = subprocess.run([binary, "template", path, "--vars", "-"], input=ctx.encode(), capture_output=True)
            ours = p.stdout.decode() if p.returncode == 0 else None
            if ours != ref:
                failures += 1
                print(f"FAIL {text!r} (a={n % 2})\n  jinja2:    {ref!r}\n  foobarctl: {ours!r} {p.stderr.decode()}")
    print(f"whitespace fuzz: {count - failures} of {count} identical")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
