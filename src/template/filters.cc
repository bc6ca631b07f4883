// Jinja2's builtin filters, with its signatures and defaults (e.g. sort and
// unique ignore case unless told), and the filter and test tables.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "template/builtins.h"
#include "template/escape_filters.h"
#include "template/limits.h"
#include "template/number.h"

namespace foobar::tmpl {

const FilterTable& filters() {
  static const FilterTable table = [] {
    FilterTable t;
    add_jinja_filters(t);
    add_escape_filters(t);
    add_ansible_filters(t);
    add_ansible_data_filters(t);
    return t;
  }();
  return table;
}

const TestTable& tests() {
  static const TestTable table = [] {
    TestTable t;
    add_jinja_tests(t);
    add_ansible_tests(t);
    add_ansible_path_tests(t);
    return t;
  }();
  return table;
}

namespace {

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

Value int_of_rounded(Renderer& r, double x, SourcePos pos) {
  auto i = float_to_int(x);
  if (!i) r.fail(pos, "round: " + repr_double(x) + " has no 64-bit integer value");
  return Value(*i);
}

int64_t json_indent(Renderer& r, const Value& v, SourcePos pos) {
  if (v.is_none()) return -1;
  if (!v.is_int() && !v.is_bool()) r.fail(pos, "JSON indent must be an integer, got " + v.type_name());
  if (v.as_int() > kMaxIndent) r.fail(pos, "JSON indent is too large (at most " + std::to_string(kMaxIndent) + ")");
  return std::max<int64_t>(v.as_int(), -1);
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
      return v.is_real() ? Value(rounded) : int_of_rounded(r, rounded, pos);
    }
    double m = std::pow(10.0, -static_cast<double>(precision));
    double rounded = std::nearbyint(x / m) * m;
    return v.is_real() ? Value(rounded) : int_of_rounded(r, rounded, pos);
  }
  double m = std::pow(10.0, static_cast<double>(precision));
  double x = v.as_double() * m;
  return Value((method == "ceil" ? std::ceil(x) : std::floor(x)) / m);
}

}  // namespace

void add_jinja_filters(FilterTable& t) {
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
      r.check_string_size(out.size(), pos);
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
    std::string s = py_str(v), old = p.get_str(0, ""), repl = p.get_str(1, "");
    check_replace_size(r, s, old, repl, pos);
    return Value(replace_all(s, old, repl, p.get_int(2, -1)));
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
    std::string ind = w.is_string() ? w.as_string() : std::string(static_cast<size_t>(std::clamp<int64_t>(p.get_int(0, 4), 0, kMaxWidth + 1)), ' ');
    if (!w.is_string() && static_cast<int64_t>(ind.size()) > kMaxWidth)
      r.fail(pos, "indent width is too large (at most " + std::to_string(kMaxWidth) + ")");
    std::string s = py_str(v);
    size_t lines = static_cast<size_t>(std::count(s.begin(), s.end(), '\n')) + 1;
    if (ind.size() > 0 && lines > (kMaxStringBytes - s.size()) / ind.size()) r.check_string_size(kMaxStringBytes + 1, pos);
    return Value(indent(s, ind, p.get_bool(1, false), p.get_bool(2, false)));
  };
  t["int"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
    Params p(r, a, pos, "int", {"default", "base"});
    Value dflt = p.get(0, Value(0));
    int base = static_cast<int>(p.get_int(1, 10));
    // Python's int(): NaN has no integer value (the default); infinities and
    // numbers past 64 bits are errors (Python's OverflowError, or our int size).
    auto of_float = [&](double d) {
      if (std::isnan(d)) return dflt;
      auto i = float_to_int(d);
      if (!i) r.fail(pos, "int: " + repr_double(d) + " has no 64-bit integer value");
      return Value(*i);
    };
    if (v.is_real()) return of_float(v.as_double());
    if (v.is_number()) return Value(v.as_int());
    if (v.is_string()) {
      int64_t i;
      double d;
      if (parse_py_int(v.as_string(), base, i)) return Value(i);
      if (parse_py_float(v.as_string(), d)) return of_float(d);
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
    if (!to_json_text(v, static_cast<int>(json_indent(r, p.get(0, Value()), pos)), out, err)) r.fail(pos, err);
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
      if (x.is_real() || total.is_real()) {
        total = Value(total.as_double() + x.as_double());
        continue;
      }
      auto s = int_add(total.as_int(), x.as_int());
      if (!s) r.fail(pos, int_overflow_message("sum " + py_str(total) + " + " + py_str(x)));
      total = Value(*s);
    }
    return total;
  };
  t["abs"] = [](Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
    Params p(r, a, pos, "abs", {});
    r.check_defined(v, pos);
    if (!v.is_number()) r.fail(pos, "bad operand type for abs(): '" + v.type_name() + "'");
    if (v.is_real()) return Value(std::fabs(v.as_double()));
    auto m = v.as_int() < 0 ? int_neg(v.as_int()) : std::optional<int64_t>(v.as_int());
    if (!m) r.fail(pos, int_overflow_message("abs(" + py_str(v) + ")"));
    return Value(*m);
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
    int64_t w = p.get_int(0, 80);
    if (w > kMaxWidth) r.fail(pos, "center width is too large (at most " + std::to_string(kMaxWidth) + ")");
    auto width = static_cast<size_t>(std::max<int64_t>(0, w));
    size_t len = utf8_length(s);
    if (len >= width) return Value(s);
    size_t total = width - len, left = total / 2 + (total & width & 1);
    return Value(std::string(left, ' ') + s + std::string(total - left, ' '));
  };
}


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

}  // namespace foobar::tmpl
