"""The escaping filters of foobarctl's template engine (src/template/escape_filters.cc),
written again in Python for the Jinja2 side of the byte-for-byte comparisons.

An independent second implementation on purpose: render_test.sh compares foobarctl's
output with Jinja2's for every file of the four reference stacks, so the two must agree.
Usage: escape_filters.register(env)
"""
import re

import jinja2

WORD = "_.,:/@=+-"


class EscapeError(jinja2.TemplateRuntimeError):
    pass


def _control(s):
    for ch in s:
        c = ord(ch)
        if c < 0x20 or c == 0x7F:
            return {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}.get(ch, "\\x%02x" % c)
    return ""


def _refuse_control(name, s, target):
    c = _control(s)
    if c:
        raise EscapeError(f"{name}: the value holds a control character ({c}), which {target} cannot hold")


def _all_of(s, extra):
    return all(("a" <= c <= "z") or ("A" <= c <= "Z") or ("0" <= c <= "9") or c in extra for c in s)


def _text(v):
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise EscapeError(f"expected a string or a number, got {type(v).__name__}")
    return str(v)


def _bs(s, special):
    return "".join("\\" + c if c in special else c for c in s)


def nginx_str(v):
    s = _text(v)
    _refuse_control("nginx_str", s, "an nginx directive argument")
    if "$" in s:
        raise EscapeError("nginx_str: the value holds '$', which nginx expands as a variable and cannot escape")
    if s and _all_of(s, "_.,:/@=+*%-"):
        return s
    return '"' + _bs(s, '"\\') + '"'


def haproxy_arg(v, log_format=False):
    s = _text(v)
    _refuse_control("haproxy_arg", s, "an HAProxy argument")
    if log_format:
        s = s.replace("%", "%%")
    if s and _all_of(s, "_.,:/@=+*%-"):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


def keepalived_str(v):
    s = _text(v)
    _refuse_control("keepalived_str", s, "a keepalived keyword argument")
    if s and _all_of(s, "_.,:/=+-"):
        return s
    for c in '"\\$':
        if c in s:
            raise EscapeError(f"keepalived_str: the value holds '{c}', which keepalived cannot hold in a quoted string")
    return '"' + s + '"'


def systemd_value(v):
    s = _text(v)
    _refuse_control("systemd_value", s, "a systemd unit setting")
    if s.endswith("\\"):
        raise EscapeError("systemd_value: the value ends in '\\', which systemd reads as a line continuation")
    if s.startswith(" ") or s.endswith(" "):
        raise EscapeError("systemd_value: the value starts or ends with a space, which systemd strips")
    return s.replace("%", "%%")


def systemd_exec_arg(v):
    s = _text(v)
    _refuse_control("systemd_exec_arg", s, "an ExecStart= argument")
    s = s.replace("%", "%%").replace("$", "$$")
    if s and _all_of(s, "_.,:/@=+%$-") and s[0] not in "@-:+!":
        return s
    return '"' + _bs(s, '"\\') + '"'


def env_name(v):
    s = _text(v)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", s):
        raise EscapeError(f"env_name: {s!r} is not an environment variable name")
    return s


def systemd_env(v, name):
    env_name(name)
    s = _text(v)
    _refuse_control("systemd_env", s, "an Environment= assignment")
    return '"' + _bs((str(name) + "=" + s).replace("%", "%%"), '"\\') + '"'


def sh_word(v):
    s = _text(v)
    if "\0" in s:
        raise EscapeError("sh_word: the value holds a NUL byte")
    if s and _all_of(s, "_.,:/@=+%-"):
        return s
    if not _control(s) and not any(c in s for c in '"\\$`!'):
        return '"' + s + '"'
    return "'" + s.replace("'", "'\\''") + "'"


def env_value(v):
    s = _text(v)
    _refuse_control("env_value", s, "an environment file (read by sh and by systemd)")
    if "'" not in s:
        return "'" + s + "'"
    return '"' + _bs(s, '"\\$`') + '"'


def word(v):
    s = _text(v)
    if not s or not _all_of(s, WORD):
        raise EscapeError(f"word: the value {s!r} must be one word of letters, digits and _ . , : / @ = + -")
    return s


def one_line(v):
    s = _text(v)
    _refuse_control("one_line", s, "a single line")
    return s


def _plain_quoted(name, s, target):
    _refuse_control(name, s, target)
    if '"' in s or "\\" in s:
        raise EscapeError(f"{name}: the value holds '\"' or '\\', which {target} cannot hold")
    return '"' + s + '"'


def nsd_str(v):
    return _plain_quoted("nsd_str", _text(v), "an NSD quoted string")


def nft_str(v):
    return _plain_quoted("nft_str", _text(v), "an nftables quoted string")


def rsyslog_str(v):
    return _plain_quoted("rsyslog_str", _text(v), "an rsyslog string here")


def yaml_str(v):
    s = _text(v)
    _refuse_control("yaml_str", s, "a YAML single-quoted scalar")
    return "'" + s.replace("'", "''") + "'"


def zone_txt(v):
    data = _text(v).encode("utf-8")
    parts = []
    for i in range(0, max(len(data), 1), 255):
        out = []
        for c in data[i:i + 255]:
            if c < 0x20 or c >= 0x7F:
                out.append("\\%03d" % c)
            else:
                out.append(("\\" if c in b'"\\' else "") + chr(c))
        parts.append('"' + "".join(out) + '"')
    return " ".join(parts)


def zone_word(v):
    s = _text(v)
    if not s or not _all_of(s, "_.-*@/:+"):
        raise EscapeError(f"zone_word: the value {s!r} must be one zone file field")
    return s


FILTERS = {f.__name__: f for f in (nginx_str, haproxy_arg, keepalived_str, systemd_value, systemd_exec_arg,
                                   systemd_env, sh_word, env_value, env_name, word, one_line, nsd_str,
                                   nft_str, rsyslog_str, yaml_str, zone_txt, zone_word)}


def register(env):
    env.filters.update(FILTERS)
    return env
