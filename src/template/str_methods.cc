// Methods of str values: s.upper(), s.split(','), s.startswith(('a', 'b')), ...
// One named function per method (or per group sharing a signature), in one table
// that both lookup and has_method read.
#include <algorithm>
#include <cctype>

#include "template/builtins.h"

namespace foobar::tmpl {
namespace {

using StrMethod = Value (*)(Renderer&, const std::string& s, const std::string& m, CallArgs&, SourcePos);

Value str_case(Renderer& r, const std::string& s, const std::string& m, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, m, {});
  return Value(m == "upper" ? ascii_upper(s) : m == "lower" ? ascii_lower(s) : m == "title" ? title(s) : capitalize(s));
}

Value str_strip(Renderer& r, const std::string& s, const std::string& m, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, m, {"chars"});
  return Value(strip(s, p.get(0, Value()), m != "rstrip", m != "lstrip"));
}

bool starts_or_ends(Renderer& r, const std::string& s, const Value& arg, bool start, SourcePos pos) {
  std::vector<Value> options = arg.is_list() ? arg.as_list().items : std::vector<Value>{arg};
  for (const auto& o : options) {
    r.check_defined(o, pos);
    if (!o.is_string()) r.fail(pos, "startswith/endswith expects a string or a tuple of strings");
    const std::string& x = o.as_string();
    if (x.size() <= s.size() && (start ? s.compare(0, x.size(), x) == 0 : s.compare(s.size() - x.size(), x.size(), x) == 0))
      return true;
  }
  return false;
}

Value str_startswith(Renderer& r, const std::string& s, const std::string& m, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, m, {"prefix"});
  if (!p.has(0)) r.fail(pos, m + "() takes exactly one argument");
  return Value(starts_or_ends(r, s, p.get(0, Value()), m == "startswith", pos));
}

Value str_split(Renderer& r, const std::string& s, const std::string& m, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, m, {"sep", "maxsplit"});
  Value sep = p.get(0, Value());
  if (sep.is_string() && sep.as_string().empty()) r.fail(pos, "split(): empty separator");
  return str_list(split(s, sep, p.get_int(1, -1)));
}

Value str_splitlines(Renderer& r, const std::string& s, const std::string& m, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, m, {});
  std::vector<std::string> lines = split(s, Value("\n"), -1);
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return str_list(lines);
}

Value str_replace(Renderer& r, const std::string& s, const std::string& m, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, m, {"old", "new", "count"});
  std::string old = p.get_str(0, ""), repl = p.get_str(1, "");
  check_replace_size(r, s, old, repl, pos);
  return Value(replace_all(s, old, repl, p.get_int(2, -1)));
}

Value str_join(Renderer& r, const std::string& s, const std::string& m, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, m, {"iterable"});
  std::string out;
  bool first = true;
  for (const auto& item : r.iterate(p.get(0, Value(std::vector<Value>{})), pos)) {
    if (!item.is_string()) r.fail(pos, "join(): sequence item: expected str instance, " + item.type_name() + " found");
    if (!first) out += s;
    first = false;
    out += item.as_string();
    r.check_string_size(out.size(), pos);
  }
  return Value(std::move(out));
}

Value str_find(Renderer& r, const std::string& s, const std::string& m, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, m, {"sub"});
  std::string sub = p.get_str(0, "");
  size_t f = s.find(sub);
  return Value(f == std::string::npos ? int64_t{-1} : static_cast<int64_t>(utf8_length(s.substr(0, f))));
}

Value str_count(Renderer& r, const std::string& s, const std::string& m, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, m, {"sub"});
  std::string sub = p.get_str(0, "");
  if (sub.empty()) return Value(static_cast<int64_t>(utf8_length(s) + 1));
  int64_t n = 0;
  for (size_t f = s.find(sub); f != std::string::npos; f = s.find(sub, f + sub.size())) ++n;
  return Value(n);
}

Value str_is(Renderer& r, const std::string& s, const std::string& m, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, m, {});
  int (*pred)(int) = m == "isdigit" ? ::isdigit : m == "isalpha" ? ::isalpha : ::isalnum;
  return Value(!s.empty() && std::all_of(s.begin(), s.end(), [&](char c) { return pred(static_cast<unsigned char>(c)) != 0; }));
}

Value str_format(Renderer& r, const std::string&, const std::string&, CallArgs&, SourcePos pos) {
  r.fail(pos, "str.format() is not supported: use the format filter (\"%s\" | format(x)) or ~");
}

const std::unordered_map<std::string_view, StrMethod>& str_methods() {
  static const std::unordered_map<std::string_view, StrMethod> table = {
      {"upper", str_case},
      {"lower", str_case},
      {"title", str_case},
      {"capitalize", str_case},
      {"strip", str_strip},
      {"lstrip", str_strip},
      {"rstrip", str_strip},
      {"startswith", str_startswith},
      {"endswith", str_startswith},
      {"split", str_split},
      {"splitlines", str_splitlines},
      {"replace", str_replace},
      {"join", str_join},
      {"find", str_find},
      {"count", str_count},
      {"isdigit", str_is},
      {"isalpha", str_is},
      {"isalnum", str_is},
      {"format", str_format},
  };
  return table;
}

}  // namespace

bool is_str_method(std::string_view name) { return str_methods().count(name) != 0; }

Value call_str_method(Renderer& r, const std::string& s, const std::string& m, CallArgs& a, SourcePos pos) {
  auto it = str_methods().find(m);
  // Names outside the table are refused as str.format() was: has_method guards the call.
  if (it == str_methods().end()) return str_format(r, s, m, a, pos);
  return it->second(r, s, m, a, pos);
}

}  // namespace foobar::tmpl
