// Filters, tests and methods of the template language, with Jinja2's
// signatures and defaults (e.g. sort and unique ignore case unless told).
#include <algorithm>
#include <clocale>
#include <cwctype>
#include <locale.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <unordered_map>

#include "util/utf8.h"
#include "template/escape_filters.h"
#include "template/renderer.h"

namespace foobar::tmpl {
namespace {

// Binds positional and keyword arguments to a Python-like parameter list.
class Params {
 public:
  Params(Renderer& r, CallArgs& a, SourcePos pos, const std::string& fn, std::vector<const char*> names,
         bool varargs = false)
      : m_r(r), m_a(a), m_pos(pos), m_fn(fn), m_names(std::move(names)) {
    if (!varargs && a.positional.size() > m_names.size())
      r.fail(pos, "'" + fn + "' takes at most " + std::to_string(m_names.size()) + " argument(s), got " +
                      std::to_string(a.positional.size()));
    for (const auto& [k, v] : a.keyword) {
      auto it = std::find(m_names.begin(), m_names.end(), k);
      if (it == m_names.end()) r.fail(pos, "'" + fn + "' got an unexpected keyword argument '" + k + "'");
      if (static_cast<size_t>(it - m_names.begin()) < a.positional.size())
        r.fail(pos, "'" + fn + "' got multiple values for argument '" + k + "'");
    }
  }

  bool has(size_t i) const { return find(i) != nullptr; }
  Value get(size_t i, Value dflt) const {
    const Value* v = find(i);
    return v ? *v : dflt;
  }
  bool get_bool(size_t i, bool dflt) const {
    const Value* v = find(i);
    if (!v) return dflt;
    return m_r.truthy(*v, m_pos);
  }
  int64_t get_int(size_t i, int64_t dflt) const {
    const Value* v = find(i);
    if (!v || v->is_none()) return dflt;
    m_r.check_defined(*v, m_pos);
    if (!v->is_int() && !v->is_bool())
      m_r.fail(m_pos, "'" + m_fn + "' argument '" + m_names[i] + "' must be an integer, got " + v->type_name());
    return v->as_int();
  }
  std::string get_str(size_t i, std::string dflt) const {
    const Value* v = find(i);
    if (!v || v->is_none()) return dflt;
    m_r.check_defined(*v, m_pos);
    return py_str(*v);
  }
  // Positional arguments from index i on (the *args of select, map, format).
  std::vector<Value> rest(size_t i) const {
    if (i >= m_a.positional.size()) return {};
    return {m_a.positional.begin() + static_cast<std::ptrdiff_t>(i), m_a.positional.end()};
  }

 private:
  Renderer& m_r;
  CallArgs& m_a;
  SourcePos m_pos;
  std::string m_fn;
  std::vector<const char*> m_names;

  const Value* find(size_t i) const {
    if (i < m_a.positional.size()) return &m_a.positional[i];
    for (const auto& [k, v] : m_a.keyword)
      if (i < m_names.size() && k == m_names[i]) return &v;
    return nullptr;
  }
};

// Case mapping per code point with the C library's Unicode tables (C.UTF-8),
// close to Python's str.upper()/lower() (which also knows multi-char mappings).
locale_t utf8_locale() {
  static locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

uint32_t decode(std::string_view s, size_t& i) {
  auto c = static_cast<unsigned char>(s[i++]);
  int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
  uint32_t cp = extra == 3 ? c & 0x07u : extra == 2 ? c & 0x0fu : extra == 1 ? c & 0x1fu : c;
  for (int k = 0; k < extra && i < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3fu);
  return cp;
}

uint32_t cp_upper(uint32_t c) {
  if (c < 0x80) return static_cast<uint32_t>(std::toupper(static_cast<int>(c)));
  return utf8_locale() ? static_cast<uint32_t>(towupper_l(static_cast<wint_t>(c), utf8_locale())) : c;
}
uint32_t cp_lower(uint32_t c) {
  if (c < 0x80) return static_cast<uint32_t>(std::tolower(static_cast<int>(c)));
  return utf8_locale() ? static_cast<uint32_t>(towlower_l(static_cast<wint_t>(c), utf8_locale())) : c;
}

// Maps every code point with f(cp, index_in_word_or_string).
template <class F>
std::string map_chars(std::string_view s, F f) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) append_utf8(out, f(decode(s, i)));
  return out;
}

std::string ascii_lower(const std::string& s) { return map_chars(s, cp_lower); }
std::string ascii_upper(const std::string& s) { return map_chars(s, cp_upper); }
bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string strip(const std::string& s, const Value& chars, bool left, bool right) {
  auto in_set = [&](char c) { return chars.is_string() ? chars.as_string().find(c) != std::string::npos : is_ws(c); };
  size_t b = 0, e = s.size();
  if (left)
    while (b < e && in_set(s[b])) ++b;
  if (right)
    while (e > b && in_set(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::string replace_all(const std::string& s, const std::string& old, const std::string& repl, int64_t count) {
  if (count < 0) count = std::numeric_limits<int64_t>::max();
  std::string out;
  if (old.empty()) {
    auto chars = utf8_chars(s);
    int64_t done = 0;
    for (const auto& c : chars) {
      if (done < count) out += repl, ++done;
      out += c;
    }
    if (done < count) out += repl;
    return out;
  }
  size_t pos = 0;
  int64_t done = 0;
  while (done < count) {
    size_t f = s.find(old, pos);
    if (f == std::string::npos) break;
    out.append(s, pos, f - pos);
    out += repl;
    pos = f + old.size();
    ++done;
  }
  out.append(s, pos, std::string::npos);
  return out;
}

std::vector<std::string> split(const std::string& s, const Value& sep, int64_t maxsplit) {
  std::vector<std::string> out;
  if (maxsplit < 0) maxsplit = std::numeric_limits<int64_t>::max();
  if (!sep.is_string()) {
    size_t i = 0;
    while (true) {
      while (i < s.size() && is_ws(s[i])) ++i;
      if (i >= s.size()) break;
      if (static_cast<int64_t>(out.size()) == maxsplit) {
        size_t e = s.size();
        while (e > i && is_ws(s[e - 1])) --e;
        out.push_back(s.substr(i, e - i));
        break;
      }
      size_t j = i;
      while (j < s.size() && !is_ws(s[j])) ++j;
      out.push_back(s.substr(i, j - i));
      i = j;
    }
    return out;
  }
  const std::string& d = sep.as_string();
  size_t pos = 0;
  while (static_cast<int64_t>(out.size()) < maxsplit) {
    size_t f = s.find(d, pos);
    if (f == std::string::npos) break;
    out.push_back(s.substr(pos, f - pos));
    pos = f + d.size();
  }
  out.push_back(s.substr(pos));
  return out;
}

Value str_list(const std::vector<std::string>& parts) {
  std::vector<Value> items(parts.begin(), parts.end());
  return Value(std::move(items));
}

std::string capitalize(const std::string& s) {
  bool first = true;
  return map_chars(s, [&](uint32_t c) {
    uint32_t r = first ? cp_upper(c) : cp_lower(c);
    first = false;
    return r;
  });
}

// Jinja2's title: words start after whitespace or one of -({[<.
std::string title(const std::string& s) {
  bool start = true;
  return map_chars(s, [&](uint32_t c) {
    bool sep = c < 0x80 && (is_ws(static_cast<char>(c)) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<');
    uint32_t r = sep ? c : start ? cp_upper(c) : cp_lower(c);
    start = sep;
    return r;
  });
}

bool parse_py_int(std::string s, int base, int64_t& out) {
  s = strip(s, Value(), true, true);
  std::string clean;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_' && i > 0 && i + 1 < s.size() && std::isalnum(static_cast<unsigned char>(s[i - 1])) &&
        std::isalnum(static_cast<unsigned char>(s[i + 1])))
      continue;
    clean += s[i];
  }
  if (clean.empty()) return false;
  size_t b = (clean[0] == '-' || clean[0] == '+') ? 1 : 0;
  if (base == 16 && clean.size() > b + 2 && clean[b] == '0' && (clean[b + 1] | 0x20) == 'x') clean.erase(b, 2);
  if (b >= clean.size()) return false;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(clean.c_str(), &end, base);
  if (*end != '\0' || errno) return false;
  out = v;
  return true;
}

bool parse_py_float(const std::string& s0, double& out) {
  std::string s = strip(s0, Value(), true, true);
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return *end == '\0';
}

// Python's %-formatting for the format filter and the % operator.
std::string percent_format(Renderer& r, const std::string& fmt, const std::vector<Value>& args,
                           const Dict* mapping, SourcePos pos) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (++i >= fmt.size()) r.fail(pos, "incomplete format: '%' at the end of the format string");
    const Value* arg = nullptr;
    if (fmt[i] == '(') {
      size_t close = fmt.find(')', i);
      if (close == std::string::npos) r.fail(pos, "incomplete format key: expected ')'");
      std::string key = fmt.substr(i + 1, close - i - 1);
      if (!mapping) r.fail(pos, "format requires a mapping for '%(" + key + ")'");
      arg = mapping->find(key);
      if (!arg) r.fail(pos, "format: key '" + key + "' is missing");
      i = close + 1;
    }
    std::string spec = "%";
    while (i < fmt.size() && std::string_view("-+ #0").find(fmt[i]) != std::string_view::npos) spec += fmt[i++];
    while (i < fmt.size() && (std::isdigit(static_cast<unsigned char>(fmt[i])) || fmt[i] == '.')) spec += fmt[i++];
    if (i >= fmt.size()) r.fail(pos, "incomplete format specifier '" + spec + "'");
    char type = fmt[i];
    if (type == '%') {
      out += '%';
      continue;
    }
    if (!arg) {
      if (next >= args.size()) r.fail(pos, "not enough arguments for format string");
      arg = &args[next++];
    }
    r.check_defined(*arg, pos);
    char buf[512];
    switch (type) {
      case 's':
      case 'r': {
        std::string s = type == 's' ? py_str(*arg) : py_repr(*arg);
        std::snprintf(buf, sizeof buf, (spec + "s").c_str(), "");
        // Width and alignment apply to the whole string; format by hand for long values.
        std::string flags = spec.substr(1);
        bool left = flags.find('-') != std::string::npos;
        size_t dot = flags.find('.');
        std::string width_str = flags.substr(0, dot);
        width_str.erase(0, width_str.find_first_of("0123456789") == std::string::npos ? width_str.size() : width_str.find_first_of("123456789"));
        size_t width = width_str.empty() ? 0 : std::stoul(width_str);
        if (dot != std::string::npos) s = s.substr(0, std::stoul("0" + flags.substr(dot + 1)));
        size_t len = utf8_length(s);
        if (len < width) s = left ? s + std::string(width - len, ' ') : std::string(width - len, ' ') + s;
        out += s;
        break;
      }
      case 'd':
      case 'i':
      case 'x':
      case 'X':
      case 'o':
      case 'c': {
        int64_t v;
        if (arg->is_number()) v = arg->is_real() ? static_cast<int64_t>(arg->as_double()) : arg->as_int();
        else r.fail(pos, std::string("%") + type + " format: a number is required, not " + arg->type_name());
        if (type == 'c') {
          out += static_cast<char>(v);
          break;
        }
        std::snprintf(buf, sizeof buf, (spec + "ll" + (type == 'i' ? 'd' : type)).c_str(), static_cast<long long>(v));
        out += buf;
        break;
      }
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G': {
        if (!arg->is_number()) r.fail(pos, "must be real number, not " + arg->type_name());
        std::snprintf(buf, sizeof buf, (spec + type).c_str(), arg->as_double());
        out += buf;
        break;
      }
      default: r.fail(pos, std::string("unsupported format character '") + type + "'");
    }
  }
  if (!mapping && next < args.size()) r.fail(pos, "not all arguments converted during string formatting");
  return out;
}

// Jinja2's attribute paths: "a.b.0" looks up a, then b, then item 0.
Value get_path(Renderer& r, const Value& item, const std::string& path, SourcePos pos) {
  Value cur = item;
  size_t b = 0;
  while (true) {
    size_t dot = path.find('.', b);
    std::string part = path.substr(b, dot == std::string::npos ? std::string::npos : dot - b);
    int64_t idx;
    bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit) && parse_py_int(part, 10, idx);
    cur = r.get_item(cur, numeric ? Value(idx) : Value(part), pos);
    if (dot == std::string::npos) return cur;
    b = dot + 1;
  }
}

Value sort_key(const Value& v, bool case_sensitive) {
  if (!case_sensitive && v.is_string()) return Value(ascii_lower(v.as_string()));
  return v;
}

using FilterFn = std::function<Value(Renderer&, const Value&, CallArgs&, SourcePos)>;
using TestFn = std::function<bool(Renderer&, const Value&, CallArgs&, SourcePos)>;

size_t py_len(Renderer& r, const Value& v, SourcePos pos) {
  r.check_defined(v, pos);
  if (v.is_string()) return utf8_length(v.as_string());
  if (v.is_list()) return v.as_list().items.size();
  if (v.is_dict()) return v.as_dict().size();
  r.fail(pos, "object of type '" + v.type_name() + "' has no len()");
}

Value do_select(Renderer& r, const Value& seq, CallArgs& a, SourcePos pos, bool attr, bool keep) {
  size_t ti = attr ? 1 : 0;
  if (attr && (a.positional.empty() || !a.positional[0].is_string()))
    r.fail(pos, "selectattr/rejectattr expects an attribute name as first argument");
  std::string test = a.positional.size() > ti ? py_str(a.positional[ti]) : "";
  CallArgs targs;
  if (a.positional.size() > ti + 1)
    targs.positional.assign(a.positional.begin() + static_cast<std::ptrdiff_t>(ti + 1), a.positional.end());
  std::vector<Value> out;
  for (const auto& item : r.iterate(seq, pos)) {
    Value v = attr ? get_path(r, item, a.positional[0].as_string(), pos) : item;
    bool ok;
    if (test.empty()) {
      ok = r.truthy(v, pos);
    } else {
      CallArgs copy = targs;
      ok = r.apply_test(test, v, copy, pos);
    }
    if (ok == keep) out.push_back(item);
  }
  return Value(std::move(out));
}

Value do_minmax(Renderer& r, const Value& v, CallArgs& a, SourcePos pos, const char* name, bool want_max) {
  Params p(r, a, pos, name, {"case_sensitive", "attribute"});
  bool cs = p.get_bool(0, false);
  std::string attr = p.get_str(1, "");
  auto items = r.iterate(v, pos);
  if (items.empty()) return Value::undefined(std::string("no aggregated item, sequence was empty (") + name + ")");
  size_t best = 0;
  auto key = [&](size_t i) { return sort_key(attr.empty() ? items[i] : get_path(r, items[i], attr, pos), cs); };
  Value best_key = key(0);
  for (size_t i = 1; i < items.size(); ++i) {
    Value k = key(i);
    if (want_max ? r.less(best_key, k, pos) : r.less(k, best_key, pos)) best = i, best_key = k;
  }
  return items[best];
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

Value py_round(Renderer& r, const Value& v, int64_t precision, const std::string& method, SourcePos pos) {
  r.check_defined(v, pos);
  if (!v.is_number()) r.fail(pos, "round expects a number, got " + v.type_name());
  if (method != "common" && method != "ceil" && method != "floor")
    r.fail(pos, "round method must be 'common', 'ceil' or 'floor'");
  if (method == "common") {
    if (!v.is_real() && precision >= 0) return Value(v.as_int());
    double x = v.as_double();
    if (precision >= 0 && precision < 300) {
      char buf[400];
      std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(precision), x);
      double rounded = std::strtod(buf, nullptr);
      return v.is_real() ? Value(rounded) : Value(static_cast<int64_t>(rounded));
    }
    double m = std::pow(10.0, static_cast<double>(-precision));
    double rounded = std::nearbyint(x / m) * m;
    return v.is_real() ? Value(rounded) : Value(static_cast<int64_t>(rounded));
  }
  double m = std::pow(10.0, static_cast<double>(precision));
  double x = v.as_double() * m;
  return Value((method == "ceil" ? std::ceil(x) : std::floor(x)) / m);
}

const std::unordered_map<std::string, FilterFn>& filters();

const std::unordered_map<std::string, FilterFn>& filters() {
  static const std::unordered_map<std::string, FilterFn> table = [] {
    std::unordered_map<std::string, FilterFn> t;
    t["default"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "default", {"default_value", "boolean"});
      if (v.is_undefined() || (p.get_bool(1, false) && !v.truthy())) return p.get(0, Value(""));
      return v;
    };
    t["d"] = t["default"];
    t["join"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "join", {"d", "attribute"});
      std::string sep = p.get_str(0, "");
      std::string attr = p.get_str(1, "");
      std::string out;
      bool first = true;
      for (const auto& item : r.iterate(v, pos)) {
        if (!first) out += sep;
        first = false;
        Value x = attr.empty() ? item : get_path(r, item, attr, pos);
        r.check_defined(x, pos);
        append_str(out, x);
      }
      return Value(std::move(out));
    };
    auto string_filter = [](const char* name, std::function<std::string(const std::string&)> f) {
      return [name, f](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
        Params p(r, a, pos, name, {});
        r.check_defined(v, pos);
        return Value(f(py_str(v)));
      };
    };
    t["upper"] = string_filter("upper", ascii_upper);
    t["lower"] = string_filter("lower", ascii_lower);
    t["capitalize"] = string_filter("capitalize", capitalize);
    t["title"] = string_filter("title", title);
    t["string"] = string_filter("string", [](const std::string& s) { return s; });
    t["safe"] = [](Renderer& r, const Value& v, CallArgs&, SourcePos pos) { r.check_defined(v, pos); return v; };
    t["e"] = string_filter("escape", [](const std::string& s) {
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
    });
    t["escape"] = t["e"];
    t["trim"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "trim", {"chars"});
      r.check_defined(v, pos);
      return Value(strip(py_str(v), p.get(0, Value()), true, true));
    };
    t["replace"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "replace", {"old", "new", "count"});
      r.check_defined(v, pos);
      if (!p.has(0) || !p.has(1)) r.fail(pos, "'replace' needs the arguments old and new");
      return Value(replace_all(py_str(v), p.get_str(0, ""), p.get_str(1, ""), p.get_int(2, -1)));
    };
    t["length"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "length", {});
      return Value(static_cast<int64_t>(py_len(r, v, pos)));
    };
    t["count"] = t["length"];
    t["indent"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "indent", {"width", "first", "blank"});
      r.check_defined(v, pos);
      Value w = p.get(0, Value(4));
      std::string ind = w.is_string() ? w.as_string() : std::string(static_cast<size_t>(std::max<int64_t>(0, p.get_int(0, 4))), ' ');
      return Value(indent(py_str(v), ind, p.get_bool(1, false), p.get_bool(2, false)));
    };
    t["int"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "int", {"default", "base"});
      Value dflt = p.get(0, Value(0));
      int base = static_cast<int>(p.get_int(1, 10));
      if (v.is_real()) {
        if (std::isnan(v.as_double()) || std::isinf(v.as_double())) return dflt;
        return Value(static_cast<int64_t>(v.as_double()));
      }
      if (v.is_number()) return Value(v.as_int());
      if (v.is_string()) {
        int64_t i;
        double d;
        if (parse_py_int(v.as_string(), base, i)) return Value(i);
        if (parse_py_float(v.as_string(), d) && std::isfinite(d)) return Value(static_cast<int64_t>(d));
      }
      return dflt;
    };
    t["float"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "float", {"default"});
      if (v.is_number()) return Value(v.as_double());
      double d;
      if (v.is_string() && parse_py_float(v.as_string(), d)) return Value(d);
      return p.get(0, Value(0.0));
    };
    t["list"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "list", {});
      return Value(r.iterate(v, pos));
    };
    t["first"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "first", {});
      auto items = r.iterate(v, pos);
      if (items.empty()) return Value::undefined("no first item, sequence was empty");
      return items.front();
    };
    t["last"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "last", {});
      auto items = r.iterate(v, pos);
      if (items.empty()) return Value::undefined("no last item, sequence was empty");
      return items.back();
    };
    t["reverse"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "reverse", {});
      auto items = r.iterate(v, pos);
      std::reverse(items.begin(), items.end());
      if (v.is_string()) {
        std::string s;
        for (const auto& c : items) s += c.as_string();
        return Value(std::move(s));
      }
      return Value(std::move(items));
    };
    t["sort"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "sort", {"reverse", "case_sensitive", "attribute"});
      bool rev = p.get_bool(0, false), cs = p.get_bool(1, false);
      std::string attr = p.get_str(2, "");
      auto items = r.iterate(v, pos);
      std::vector<std::pair<Value, Value>> keyed;
      for (auto& item : items) {
        Value k = sort_key(attr.empty() ? item : get_path(r, item, attr, pos), cs);
        keyed.emplace_back(std::move(k), std::move(item));
      }
      std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
        return rev ? r.less(y.first, x.first, pos) : r.less(x.first, y.first, pos);
      });
      std::vector<Value> out;
      for (auto& kv : keyed) out.push_back(std::move(kv.second));
      return Value(std::move(out));
    };
    t["unique"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "unique", {"case_sensitive", "attribute"});
      bool cs = p.get_bool(0, false);
      std::string attr = p.get_str(1, "");
      std::vector<Value> out, seen;
      for (const auto& item : r.iterate(v, pos)) {
        Value k = sort_key(attr.empty() ? item : get_path(r, item, attr, pos), cs);
        r.check_defined(k, pos);
        if (std::none_of(seen.begin(), seen.end(), [&](const Value& s) { return py_equal(s, k); })) {
          seen.push_back(k);
          out.push_back(item);
        }
      }
      return Value(std::move(out));
    };
    t["map"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      std::vector<Value> out;
      std::string attr;
      Value dflt;
      bool has_default = false;
      for (const auto& [k, x] : a.keyword) {
        if (k == "attribute") attr = py_str(x);
        else if (k == "default") dflt = x, has_default = true;
      }
      if (!attr.empty()) {
        for (const auto& item : r.iterate(v, pos)) {
          Value x = get_path(r, item, attr, pos);
          out.push_back(x.is_undefined() && has_default ? dflt : x);
        }
        return Value(std::move(out));
      }
      if (a.positional.empty() || !a.positional[0].is_string())
        r.fail(pos, "map expects a filter name or attribute=");
      std::string name = a.positional[0].as_string();
      CallArgs fargs;
      fargs.positional.assign(a.positional.begin() + 1, a.positional.end());
      fargs.keyword = a.keyword;
      for (const auto& item : r.iterate(v, pos)) {
        CallArgs copy = fargs;
        out.push_back(r.apply_filter(name, item, copy, pos));
      }
      return Value(std::move(out));
    };
    t["select"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return do_select(r, v, a, pos, false, true); };
    t["reject"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return do_select(r, v, a, pos, false, false); };
    t["selectattr"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return do_select(r, v, a, pos, true, true); };
    t["rejectattr"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return do_select(r, v, a, pos, true, false); };
    t["tojson"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "tojson", {"indent"});
      r.check_defined(v, pos);
      std::string out, err;
      if (!to_json_text(v, static_cast<int>(p.get_int(0, -1)), out, err)) r.fail(pos, err);
      return Value(std::move(out));
    };
    t["format"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      r.check_defined(v, pos);
      if (!a.positional.empty() && !a.keyword.empty())
        r.fail(pos, "format takes either positional or keyword arguments, not both");
      Dict mapping;
      for (const auto& [k, x] : a.keyword) mapping.set(k, x);
      const Dict* m = a.keyword.empty() ? nullptr : &mapping;
      if (!m && a.positional.size() == 1 && a.positional[0].is_dict()) m = &a.positional[0].as_dict();
      return Value(percent_format(r, py_str(v), m ? std::vector<Value>{} : a.positional, m, pos));
    };
    t["dictsort"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "dictsort", {"case_sensitive", "by", "reverse"});
      r.check_defined(v, pos);
      if (!v.is_dict()) r.fail(pos, "dictsort expects a mapping, got " + v.type_name());
      bool cs = p.get_bool(0, false), rev = p.get_bool(2, false);
      std::string by = p.get_str(1, "key");
      if (by != "key" && by != "value") r.fail(pos, "dictsort: 'by' must be 'key' or 'value'");
      std::vector<Value> pairs;
      for (const auto& [k, x] : v.as_dict().items()) pairs.push_back(Value(std::vector<Value>{Value(k), x}, true));
      size_t idx = by == "key" ? 0 : 1;
      std::stable_sort(pairs.begin(), pairs.end(), [&](const Value& x, const Value& y) {
        Value kx = sort_key(x.as_list().items[idx], cs), ky = sort_key(y.as_list().items[idx], cs);
        return rev ? r.less(ky, kx, pos) : r.less(kx, ky, pos);
      });
      return Value(std::move(pairs));
    };
    t["items"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "items", {});
      r.check_defined(v, pos);
      if (!v.is_dict()) r.fail(pos, "items expects a mapping, got " + v.type_name());
      std::vector<Value> pairs;
      for (const auto& [k, x] : v.as_dict().items()) pairs.push_back(Value(std::vector<Value>{Value(k), x}, true));
      return Value(std::move(pairs));
    };
    t["min"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return do_minmax(r, v, a, pos, "min", false); };
    t["max"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return do_minmax(r, v, a, pos, "max", true); };
    t["sum"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "sum", {"attribute", "start"});
      std::string attr = p.get_str(0, "");
      Value total = p.get(1, Value(0));
      for (const auto& item : r.iterate(v, pos)) {
        Value x = attr.empty() ? item : get_path(r, item, attr, pos);
        r.check_defined(x, pos);
        if (!x.is_number() || !total.is_number())
          r.fail(pos, "unsupported operand type(s) for +: '" + total.type_name() + "' and '" + x.type_name() + "'");
        total = (x.is_real() || total.is_real()) ? Value(total.as_double() + x.as_double()) : Value(total.as_int() + x.as_int());
      }
      return total;
    };
    t["abs"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "abs", {});
      r.check_defined(v, pos);
      if (!v.is_number()) r.fail(pos, "bad operand type for abs(): '" + v.type_name() + "'");
      return v.is_real() ? Value(std::fabs(v.as_double())) : Value(static_cast<int64_t>(std::llabs(v.as_int())));
    };
    t["round"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "round", {"precision", "method"});
      return py_round(r, v, p.get_int(0, 0), p.get_str(1, "common"), pos);
    };
    t["attr"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      // Python attributes only: unlike `x.name`, attr() never looks up dict keys.
      Params p(r, a, pos, "attr", {"name"});
      std::string name = p.get_str(0, "");
      Value out;
      if (v.is_object() && v.as_object()->get_attr(name, out)) return out;
      return Value::undefined("'" + v.type_name() + " object' has no attribute '" + name + "'");
    };
    t["center"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Params p(r, a, pos, "center", {"width"});
      r.check_defined(v, pos);
      std::string s = py_str(v);
      auto width = static_cast<size_t>(std::max<int64_t>(0, p.get_int(0, 80)));
      size_t len = utf8_length(s);
      if (len >= width) return Value(s);
      size_t total = width - len, left = total / 2 + (total & width & 1);
      return Value(std::string(left, ' ') + s + std::string(total - left, ' '));
    };
    add_escape_filters(t);
    return t;
  }();
  return table;
}

const std::unordered_map<std::string, TestFn>& tests() {
  static const std::unordered_map<std::string, TestFn> table = [] {
    std::unordered_map<std::string, TestFn> t;
    auto arg0 = [](Renderer& r, CallArgs& a, SourcePos pos, const char* name) -> Value {
      if (a.positional.empty() && a.keyword.empty()) r.fail(pos, std::string("test '") + name + "' needs an argument");
      return a.positional.empty() ? a.keyword[0].second : a.positional[0];
    };
    t["defined"] = [](Renderer&, const Value& v, CallArgs&, SourcePos) { return !v.is_undefined(); };
    t["undefined"] = [](Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_undefined(); };
    t["none"] = [](Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_none(); };
    t["boolean"] = [](Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_bool(); };
    t["true"] = [](Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_bool() && v.as_bool(); };
    t["false"] = [](Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_bool() && !v.as_bool(); };
    t["string"] = [](Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_string(); };
    t["number"] = [](Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_number(); };
    t["integer"] = [](Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_int(); };
    t["float"] = [](Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_real(); };
    t["mapping"] = [](Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_dict(); };
    t["sequence"] = [](Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_list() || v.is_string() || v.is_dict(); };
    t["iterable"] = t["sequence"];
    t["callable"] = [](Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_object() && v.as_object()->callable(); };
    auto int_of = [](Renderer& r, const Value& v, SourcePos pos) {
      r.check_defined(v, pos);
      if (!v.is_number()) r.fail(pos, "unsupported operand type(s) for %: '" + v.type_name() + "' and 'int'");
      return v;
    };
    t["even"] = [int_of](Renderer& r, const Value& v, CallArgs&, SourcePos pos) {
      Value n = int_of(r, v, pos);
      return n.is_real() ? std::fmod(n.as_double(), 2.0) == 0 : n.as_int() % 2 == 0;
    };
    t["odd"] = [int_of](Renderer& r, const Value& v, CallArgs&, SourcePos pos) {
      Value n = int_of(r, v, pos);
      return n.is_real() ? std::fabs(std::fmod(n.as_double(), 2.0)) == 1 : n.as_int() % 2 != 0;
    };
    t["divisibleby"] = [int_of, arg0](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Value n = int_of(r, v, pos);
      Value d = int_of(r, arg0(r, a, pos, "divisibleby"), pos);
      if (d.as_double() == 0) r.fail(pos, "integer division or modulo by zero");
      if (n.is_real() || d.is_real()) return std::fmod(n.as_double(), d.as_double()) == 0;
      return n.as_int() % d.as_int() == 0;
    };
    auto cmp = [arg0](const char* name, std::function<bool(Renderer&, const Value&, const Value&, SourcePos)> f) {
      return [name, arg0, f](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
        Value other = arg0(r, a, pos, name);
        r.check_defined(v, pos);
        r.check_defined(other, pos);
        return f(r, v, other, pos);
      };
    };
    t["equalto"] = cmp("equalto", [](Renderer&, const Value& x, const Value& y, SourcePos) { return py_equal(x, y); });
    t["eq"] = t["=="] = t["equalto"];
    t["ne"] = t["!="] = cmp("ne", [](Renderer&, const Value& x, const Value& y, SourcePos) { return !py_equal(x, y); });
    t["lt"] = t["<"] = t["lessthan"] = cmp("lt", [](Renderer& r, const Value& x, const Value& y, SourcePos p) { return r.less(x, y, p); });
    t["gt"] = t[">"] = t["greaterthan"] = cmp("gt", [](Renderer& r, const Value& x, const Value& y, SourcePos p) { return r.less(y, x, p); });
    t["le"] = t["<="] = cmp("le", [](Renderer& r, const Value& x, const Value& y, SourcePos p) { return !r.less(y, x, p); });
    t["ge"] = t[">="] = cmp("ge", [](Renderer& r, const Value& x, const Value& y, SourcePos p) { return !r.less(x, y, p); });
    t["sameas"] = [arg0](Renderer&r, const Value& v, CallArgs& a, SourcePos pos) {
      Value o = arg0(r, a, pos, "sameas");
      if (v.kind() != o.kind()) return false;
      if (v.is_none() || v.is_undefined()) return true;
      if (v.is_bool()) return v.as_bool() == o.as_bool();
      return py_equal(v, o);
    };
    t["in"] = [arg0](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
      Value seq = arg0(r, a, pos, "in");
      r.check_defined(v, pos);
      r.check_defined(seq, pos);
      if (seq.is_string()) return v.is_string() && seq.as_string().find(v.as_string()) != std::string::npos;
      if (seq.is_dict()) return v.is_string() && seq.as_dict().find(v.as_string()) != nullptr;
      for (const auto& x : r.iterate(seq, pos))
        if (py_equal(x, v)) return true;
      return false;
    };
    t["lower"] = [](Renderer& r, const Value& v, CallArgs&, SourcePos pos) {
      r.check_defined(v, pos);
      std::string s = py_str(v);
      return ascii_lower(s) == s;
    };
    t["upper"] = [](Renderer& r, const Value& v, CallArgs&, SourcePos pos) {
      r.check_defined(v, pos);
      std::string s = py_str(v);
      return ascii_upper(s) == s;
    };
    return t;
  }();
  return table;
}

const char* const kStrMethods[] = {"upper", "lower", "strip", "lstrip", "rstrip", "startswith", "endswith",
                                   "split", "replace", "join", "title", "capitalize", "find", "count",
                                   "splitlines", "isdigit", "isalpha", "isalnum", "format"};
const char* const kDictMethods[] = {"items", "keys", "values", "get"};
const char* const kListMethods[] = {"index", "count"};

template <size_t N>
bool contains(const char* const (&names)[N], std::string_view n) {
  return std::any_of(std::begin(names), std::end(names), [&](const char* x) { return n == x; });
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

Value str_method(Renderer& r, const std::string& s, const std::string& m, CallArgs& a, SourcePos pos) {
  if (m == "upper" || m == "lower" || m == "title" || m == "capitalize") {
    Params p(r, a, pos, m, {});
    return Value(m == "upper" ? ascii_upper(s) : m == "lower" ? ascii_lower(s) : m == "title" ? title(s) : capitalize(s));
  }
  if (m == "strip" || m == "lstrip" || m == "rstrip") {
    Params p(r, a, pos, m, {"chars"});
    return Value(strip(s, p.get(0, Value()), m != "rstrip", m != "lstrip"));
  }
  if (m == "startswith" || m == "endswith") {
    Params p(r, a, pos, m, {"prefix"});
    if (!p.has(0)) r.fail(pos, m + "() takes exactly one argument");
    return Value(starts_or_ends(r, s, p.get(0, Value()), m == "startswith", pos));
  }
  if (m == "split") {
    Params p(r, a, pos, m, {"sep", "maxsplit"});
    Value sep = p.get(0, Value());
    if (sep.is_string() && sep.as_string().empty()) r.fail(pos, "split(): empty separator");
    return str_list(split(s, sep, p.get_int(1, -1)));
  }
  if (m == "splitlines") {
    Params p(r, a, pos, m, {});
    std::vector<std::string> lines = split(s, Value("\n"), -1);
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    return str_list(lines);
  }
  if (m == "replace") {
    Params p(r, a, pos, m, {"old", "new", "count"});
    return Value(replace_all(s, p.get_str(0, ""), p.get_str(1, ""), p.get_int(2, -1)));
  }
  if (m == "join") {
    Params p(r, a, pos, m, {"iterable"});
    std::string out;
    bool first = true;
    for (const auto& item : r.iterate(p.get(0, Value(std::vector<Value>{})), pos)) {
      if (!item.is_string()) r.fail(pos, "join(): sequence item: expected str instance, " + item.type_name() + " found");
      if (!first) out += s;
      first = false;
      out += item.as_string();
    }
    return Value(std::move(out));
  }
  if (m == "find" || m == "count") {
    Params p(r, a, pos, m, {"sub"});
    std::string sub = p.get_str(0, "");
    if (m == "find") {
      size_t f = s.find(sub);
      return Value(f == std::string::npos ? int64_t{-1} : static_cast<int64_t>(utf8_length(s.substr(0, f))));
    }
    if (sub.empty()) return Value(static_cast<int64_t>(utf8_length(s) + 1));
    int64_t n = 0;
    for (size_t f = s.find(sub); f != std::string::npos; f = s.find(sub, f + sub.size())) ++n;
    return Value(n);
  }
  if (m == "isdigit" || m == "isalpha" || m == "isalnum") {
    Params p(r, a, pos, m, {});
    int (*pred)(int) = m == "isdigit" ? ::isdigit : m == "isalpha" ? ::isalpha : ::isalnum;
    return Value(!s.empty() && std::all_of(s.begin(), s.end(), [&](char c) { return pred(static_cast<unsigned char>(c)) != 0; }));
  }
  r.fail(pos, "str.format() is not supported: use the format filter (\"%s\" | format(x)) or ~");
}

}  // namespace

Value Renderer::apply_filter(const std::string& name, const Value& subject, CallArgs& args, SourcePos pos) {
  const auto& table = filters();
  auto it = table.find(name);
  if (it == table.end()) fail(pos, "no filter named '" + name + "'");
  // StrictUndefined: only default/d accept an undefined subject.
  if (subject.is_strict_undefined() && name != "default" && name != "d") fail(pos, subject.undefined_hint());
  return it->second(*this, subject, args, pos);
}

bool Renderer::apply_test(const std::string& name, const Value& subject, CallArgs& args, SourcePos pos) {
  const auto& table = tests();
  auto it = table.find(name);
  if (it == table.end()) fail(pos, "no test named '" + name + "'");
  return it->second(*this, subject, args, pos);
}

bool Renderer::has_method(const Value& obj, std::string_view name) const {
  if (obj.is_string()) return contains(kStrMethods, name);
  if (obj.is_dict()) return contains(kDictMethods, name);
  if (obj.is_list()) return contains(kListMethods, name);
  return false;
}

Value Renderer::call_method(const Value& obj, const std::string& m, CallArgs& a, SourcePos pos) {
  if (obj.is_string()) return str_method(*this, obj.as_string(), m, a, pos);
  if (obj.is_dict()) {
    const Dict& d = obj.as_dict();
    if (m == "get") {
      Params p(*this, a, pos, "get", {"key", "default"});
      Value key = p.get(0, Value());
      check_defined(key, pos);
      const Value* v = key.is_string() ? d.find(key.as_string()) : nullptr;
      return v ? *v : p.get(1, Value());
    }
    Params p(*this, a, pos, m, {});
    std::vector<Value> out;
    for (const auto& [k, v] : d.items()) {
      if (m == "keys") out.emplace_back(k);
      else if (m == "values") out.push_back(v);
      else out.push_back(Value(std::vector<Value>{Value(k), v}, true));
    }
    return Value(std::move(out));
  }
  Params p(*this, a, pos, m, {"value"});
  Value x = p.get(0, Value());
  const auto& items = obj.as_list().items;
  int64_t n = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!py_equal(items[i], x)) continue;
    if (m == "index") return Value(static_cast<int64_t>(i));
    ++n;
  }
  if (m == "index") fail(pos, py_repr(x) + " is not in list");
  return Value(n);
}

}  // namespace foobar::tmpl
