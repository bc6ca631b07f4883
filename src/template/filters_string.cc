// Jinja2's builtin filters on text: case, escape, trim, replace, indent, center, format.
#include <algorithm>

#include "template/builtins.h"
#include "template/limits.h"

namespace foobar::tmpl {
namespace {

Value string_filter(Renderer& r, const Value& v, CallArgs& a, SourcePos pos, const char* name,
                    std::string (*f)(const std::string&)) {
  Params p(r, a, pos, name, {});
  r.check_defined(v, pos);
  return Value(f(py_str(v)));
}

std::string identity(const std::string& s) { return s; }

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&#34;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string indent(const std::string& s0, const std::string& ind, bool first, bool blank) {
  std::string s = s0 + "\n";
  std::vector<std::string> lines;
  size_t b = 0;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\n') lines.push_back(s.substr(b, i - b)), b = i + 1;
  std::string rv;
  if (blank) {
    for (size_t i = 0; i < lines.size(); ++i) rv += (i ? "\n" + ind : "") + lines[i];
  } else {
    rv = lines[0];
    for (size_t i = 1; i < lines.size(); ++i) rv += "\n" + (lines[i].empty() ? "" : ind + lines[i]);
  }
  return first ? ind + rv : rv;
}

Value do_upper(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return string_filter(r, v, a, pos, "upper", ascii_upper); }
Value do_lower(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return string_filter(r, v, a, pos, "lower", ascii_lower); }
Value do_capitalize(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return string_filter(r, v, a, pos, "capitalize", capitalize); }
Value do_title(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return string_filter(r, v, a, pos, "title", title); }
Value do_string(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return string_filter(r, v, a, pos, "string", identity); }
Value do_escape(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return string_filter(r, v, a, pos, "escape", html_escape); }

Value do_safe(Renderer& r, const Value& v, CallArgs&, SourcePos pos) { r.check_defined(v, pos); return v; }

Value do_trim(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "trim", {"chars"});
  r.check_defined(v, pos);
  return Value(strip(py_str(v), p.get(0, Value()), true, true));
}

Value do_replace(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "replace", {"old", "new", "count"});
  r.check_defined(v, pos);
  if (!p.has(0) || !p.has(1)) r.fail(pos, "'replace' needs the arguments old and new");
  std::string s = py_str(v), old = p.get_str(0, ""), repl = p.get_str(1, "");
  check_replace_size(r, s, old, repl, pos);
  return Value(replace_all(s, old, repl, p.get_int(2, -1)));
}

Value do_indent(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "indent", {"width", "first", "blank"});
  r.check_defined(v, pos);
  Value w = p.get(0, Value(4));
  std::string ind = w.is_string() ? w.as_string() : std::string(static_cast<size_t>(std::clamp<int64_t>(p.get_int(0, 4), 0, kMaxWidth + 1)), ' ');
  if (!w.is_string() && static_cast<int64_t>(ind.size()) > kMaxWidth)
    r.fail(pos, "indent width is too large (at most " + std::to_string(kMaxWidth) + ")");
  std::string s = py_str(v);
  size_t lines = static_cast<size_t>(std::count(s.begin(), s.end(), '\n')) + 1;
  if (ind.size() > 0 && lines > (kMaxStringBytes - s.size()) / ind.size()) r.check_string_size(kMaxStringBytes + 1, pos);
  return Value(indent(s, ind, p.get_bool(1, false), p.get_bool(2, false)));
}

Value do_center(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "center", {"width"});
  r.check_defined(v, pos);
  std::string s = py_str(v);
  int64_t w = p.get_int(0, 80);
  if (w > kMaxWidth) r.fail(pos, "center width is too large (at most " + std::to_string(kMaxWidth) + ")");
  auto width = static_cast<size_t>(std::max<int64_t>(0, w));
  size_t len = utf8_length(s);
  if (len >= width) return Value(s);
  size_t total = width - len, left = total / 2 + (total & width & 1);
  return Value(std::string(left, ' ') + s + std::string(total - left, ' '));
}


Value do_format(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  r.check_defined(v, pos);
  if (!a.positional.empty() && !a.keyword.empty())
    r.fail(pos, "format takes either positional or keyword arguments, not both");
  Dict mapping;
  for (const auto& [k, x] : a.keyword) mapping.set(k, x);
  const Dict* m = a.keyword.empty() ? nullptr : &mapping;
  if (!m && a.positional.size() == 1 && a.positional[0].is_dict()) m = &a.positional[0].as_dict();
  return Value(percent_format(r, py_str(v), m ? std::vector<Value>{} : a.positional, m, pos));
}

}  // namespace

void add_string_filters(FilterTable& t) {
  add_named(t, {
      {"upper", do_upper},
      {"lower", do_lower},
      {"capitalize", do_capitalize},
      {"title", do_title},
      {"string", do_string},
      {"safe", do_safe},
      {"e", do_escape},
      {"escape", do_escape},
      {"trim", do_trim},
      {"replace", do_replace},
      {"indent", do_indent},
      {"center", do_center},
      {"format", do_format},
  });
}

}  // namespace foobar::tmpl
