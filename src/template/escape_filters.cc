// Escaping filters: one function per target syntax, then their registration.
// The rules each function follows are those of the target's own parser (see
// docs/security.md, "Escaping"); tests/template/escape_filters.py mirrors them
// for the Jinja2 side of the byte-for-byte comparisons.
#include "template/escape_filters.h"

#include <cstdio>
#include <optional>

#include "template/renderer.h"
#include "util/utf8.h"

namespace foobar::tmpl {
namespace {

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

Escaped fail(std::string why) { return {false, std::move(why)}; }
Escaped done(std::string text) { return {true, std::move(text)}; }

// The first control character of s, shown as diagnostics show it (\n, \x1b), or "".
std::string first_control(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (is_control(static_cast<unsigned char>(s[i]))) return escape_control(s.substr(i, 1));
  return "";
}

bool all_of(std::string_view s, std::string_view extra) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && extra.find(ch) == std::string_view::npos) return false;
  }
  return true;
}

std::optional<Escaped> refuse_control(std::string_view s, const char* target) {
  std::string c = first_control(s);
  if (c.empty()) return std::nullopt;
  return fail(std::string("the value holds a control character (") + c + "), which " + target + " cannot hold");
}

// s with every character of `special` preceded by a backslash.
std::string backslashed(std::string_view s, std::string_view special) {
  std::string out;
  for (char c : s) {
    if (special.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string doubled(std::string_view s, char c) {
  std::string out;
  for (char x : s) {
    out += x;
    if (x == c) out += c;
  }
  return out;
}

std::string quoted(std::string_view s, char q) { return std::string(1, q) + std::string(s) + q; }

// What may stand unquoted: letters, digits and these.
constexpr std::string_view kWordChars = "_.,:/@=+-";

}  // namespace

Escaped nginx_str(std::string_view s) {
  if (auto e = refuse_control(s, "an nginx directive argument")) return *e;
  // nginx expands $name in most arguments and has no escape for a literal $.
  if (s.find('$') != std::string_view::npos)
    return fail("the value holds '$', which nginx expands as a variable and cannot escape");
  if (!s.empty() && all_of(s, "_.,:/@=+*%-")) return done(std::string(s));
  return done(quoted(backslashed(s, "\"\\"), '"'));
}

Escaped haproxy_arg(std::string_view s, bool log_format) {
  if (auto e = refuse_control(s, "an HAProxy argument")) return *e;
  std::string v = log_format ? doubled(s, '%') : std::string(s);
  if (!v.empty() && all_of(v, "_.,:/@=+*%-")) return done(v);
  // Single quotes: no escapes, no $VAR expansion, no # comment; a ' is closed,
  // escaped and reopened, as HAProxy 2.x joins quoted and unquoted parts of a word.
  std::string out = "'";
  for (char c : v) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return done(out + "'");
}

Escaped keepalived_str(std::string_view s) {
  if (auto e = refuse_control(s, "a keepalived keyword argument")) return *e;
  if (!s.empty() && all_of(s, "_.,:/=+-")) return done(std::string(s));
  // keepalived substitutes $NAME before it splits a line and has no escape inside quotes.
  for (char c : std::string_view("\"\\$"))
    if (s.find(c) != std::string_view::npos)
      return fail(std::string("the value holds '") + c + "', which keepalived cannot hold in a quoted string");
  return done(quoted(s, '"'));
}

Escaped systemd_value(std::string_view s) {
  if (auto e = refuse_control(s, "a systemd unit setting")) return *e;
  if (!s.empty() && s.back() == '\\')
    return fail("the value ends in '\\', which systemd reads as a line continuation");
  if (!s.empty() && (s.front() == ' ' || s.back() == ' '))
    return fail("the value starts or ends with a space, which systemd strips");
  return done(doubled(s, '%'));  // %% is a literal % (specifiers)
}

Escaped systemd_exec_arg(std::string_view s) {
  if (auto e = refuse_control(s, "an ExecStart= argument")) return *e;
  std::string v = doubled(doubled(s, '%'), '$');  // specifiers, then $VAR expansion
  // Bare unless a character needs quotes, or the word starts with a prefix
  // systemd reads on a command's first word (@ - : + !).
  if (!v.empty() && all_of(v, "_.,:/@=+%$-") && std::string_view("@-:+!").find(v.front()) == std::string_view::npos)
    return done(v);
  return done(quoted(backslashed(v, "\"\\"), '"'));
}

Escaped systemd_env(std::string_view name, std::string_view value) {
  Escaped n = env_name(name);
  if (!n.ok) return n;
  if (auto e = refuse_control(value, "an Environment= assignment")) return *e;
  return done(quoted(backslashed(doubled(std::string(name) + "=" + std::string(value), '%'), "\"\\"), '"'));
}

Escaped sh_word(std::string_view s) {
  if (s.find('\0') != std::string_view::npos) return fail("the value holds a NUL byte, which no shell word can hold");
  if (!s.empty() && all_of(s, "_.,:/@=+%-")) return done(std::string(s));
  // Double quotes when nothing in the value expands there (the common "a title"),
  // else single quotes, with each ' closed, escaped and reopened.
  bool dq_safe = first_control(s).empty() && s.find_first_of("\"\\$`!") == std::string_view::npos;
  if (dq_safe) return done(quoted(s, '"'));
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return done(out + "'");
}

Escaped env_value(std::string_view s) {
  if (auto e = refuse_control(s, "an environment file (read by sh and by systemd)")) return *e;
  // Single quotes are literal for both readers; with a ' in the value, double quotes
  // with \ before " \ $ ` (what sh and systemd's EnvironmentFile= both unescape).
  if (s.find('\'') == std::string_view::npos) return done(quoted(s, '\''));
  return done(quoted(backslashed(s, "\"\\$`"), '"'));
}

Escaped env_name(std::string_view s) {
  bool ok = !s.empty() && !(s.front() >= '0' && s.front() <= '9') && all_of(s, "_");
  if (!ok) return fail(repr_string(s) + " is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
  return done(std::string(s));
}

Escaped word(std::string_view s) {
  if (s.empty()) return fail("the value is empty where one word is expected");
  if (!all_of(s, kWordChars))
    return fail("the value " + repr_string(s) +
                " must be one word of letters, digits and _ . , : / @ = + - (it is printed unquoted)");
  return done(std::string(s));
}

Escaped one_line(std::string_view s) {
  if (auto e = refuse_control(s, "a single line")) return *e;
  return done(std::string(s));
}

Escaped nsd_str(std::string_view s) {
  if (auto e = refuse_control(s, "an NSD string")) return *e;
  if (s.find_first_of("\"\\") != std::string_view::npos)
    return fail("the value holds '\"' or '\\', which an NSD quoted string cannot hold");
  return done(quoted(s, '"'));
}

Escaped nft_str(std::string_view s) {
  if (auto e = refuse_control(s, "an nftables string")) return *e;
  if (s.find_first_of("\"\\") != std::string_view::npos)
    return fail("the value holds '\"' or '\\', which an nftables quoted string cannot hold");
  return done(quoted(s, '"'));
}

Escaped rsyslog_str(std::string_view s) {
  if (auto e = refuse_control(s, "an rsyslog string")) return *e;
  if (s.find_first_of("\"\\") != std::string_view::npos)
    return fail("the value holds '\"' or '\\', which an rsyslog string here cannot hold");
  return done(quoted(s, '"'));
}

Escaped yaml_str(std::string_view s) {
  if (auto e = refuse_control(s, "a YAML single-quoted scalar")) return *e;
  return done(quoted(doubled(s, '\''), '\''));
}

Escaped zone_txt(std::string_view s) {
  // RFC 1035 character-strings of at most 255 octets each: " and \ escaped,
  // octets outside printable ASCII as \DDD.
  std::string out;
  size_t i = 0;
  do {
    std::string_view chunk = s.substr(i, 255);
    i += chunk.size();
    if (!out.empty()) out += ' ';
    out += '"';
    for (char ch : chunk) {
      auto c = static_cast<unsigned char>(ch);
      if (c < 0x20 || c >= 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\%03u", c);
        out += buf;
      } else {
        if (c == '"' || c == '\\') out += '\\';
        out += ch;
      }
    }
    out += '"';
  } while (i < s.size());
  return done(out);
}

Escaped zone_word(std::string_view s) {
  if (s.empty()) return fail("the value is empty where a zone file field is expected");
  if (!all_of(s, "_.-*@/:+"))
    return fail("the value " + repr_string(s) +
                " must be one zone file field of letters, digits and _ . - * @ / : + (it is printed unquoted)");
  return done(std::string(s));
}

namespace {

std::string subject_text(Renderer& r, const Value& v, SourcePos pos, const std::string& name) {
  r.check_defined(v, pos);
  if (v.is_string()) return v.as_string();
  if (v.is_int() || v.is_real()) return py_str(v);
  r.fail(pos, "'" + name + "' prints a string or a number, got " + v.type_name());
}

EscapeFilterFn unary(const std::string& name, Escaped (*f)(std::string_view)) {
  return [name, f](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
    if (!a.positional.empty() || !a.keyword.empty()) r.fail(pos, "'" + name + "' takes no arguments");
    Escaped e = f(subject_text(r, v, pos, name));
    if (!e.ok) r.fail(pos, name + ": " + e.text);
    return Value(std::move(e.text));
  };
}

}  // namespace

void add_escape_filters(std::unordered_map<std::string, EscapeFilterFn>& t) {
  t["nginx_str"] = unary("nginx_str", nginx_str);
  t["keepalived_str"] = unary("keepalived_str", keepalived_str);
  t["systemd_value"] = unary("systemd_value", systemd_value);
  t["systemd_exec_arg"] = unary("systemd_exec_arg", systemd_exec_arg);
  t["sh_word"] = unary("sh_word", sh_word);
  t["env_value"] = unary("env_value", env_value);
  t["env_name"] = unary("env_name", env_name);
  t["word"] = unary("word", word);
  t["one_line"] = unary("one_line", one_line);
  t["nsd_str"] = unary("nsd_str", nsd_str);
  t["nft_str"] = unary("nft_str", nft_str);
  t["yaml_str"] = unary("yaml_str", yaml_str);
  t["rsyslog_str"] = unary("rsyslog_str", rsyslog_str);
  t["zone_txt"] = unary("zone_txt", zone_txt);
  t["zone_word"] = unary("zone_word", zone_word);
  t["haproxy_arg"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
    bool log_format = false;
    if (a.positional.size() > 1) r.fail(pos, "'haproxy_arg' takes at most 1 argument (log_format)");
    if (!a.positional.empty()) log_format = r.truthy(a.positional[0], pos);
    for (const auto& [k, x] : a.keyword) {
      if (k != "log_format") r.fail(pos, "'haproxy_arg' got an unexpected keyword argument '" + k + "'");
      log_format = r.truthy(x, pos);
    }
    Escaped e = haproxy_arg(subject_text(r, v, pos, "haproxy_arg"), log_format);
    if (!e.ok) r.fail(pos, "haproxy_arg: " + e.text);
    return Value(std::move(e.text));
  };
  t["systemd_env"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
    if (a.positional.size() != 1 || !a.keyword.empty())
      r.fail(pos, "'systemd_env' takes the variable's name: value | systemd_env('NAME')");
    r.check_defined(a.positional[0], pos);
    Escaped e = systemd_env(py_str(a.positional[0]), subject_text(r, v, pos, "systemd_env"));
    if (!e.ok) r.fail(pos, "systemd_env: " + e.text);
    return Value(std::move(e.text));
  };
}

}  // namespace foobar::tmpl
