// Jinja2's builtin filters on sequences and mappings: join, sort, unique, map,
// select and the rest, with its signatures and defaults (sort and unique ignore
// case unless told).
#include <algorithm>

#include "template/builtins.h"

namespace foobar::tmpl {
namespace {

Value select_items(Renderer& r, const Value& seq, CallArgs& a, SourcePos pos, bool attr, bool keep) {
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

Value min_or_max(Renderer& r, const Value& v, CallArgs& a, SourcePos pos, const char* name, bool want_max) {
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

Value do_join(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
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
}

Value do_length(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "length", {});
  return Value(static_cast<int64_t>(py_len(r, v, pos)));
}

Value do_list(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "list", {});
  return Value(r.iterate(v, pos));
}

Value do_first(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "first", {});
  auto items = r.iterate(v, pos);
  if (items.empty()) return Value::undefined("no first item, sequence was empty");
  return items.front();
}

Value do_last(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "last", {});
  auto items = r.iterate(v, pos);
  if (items.empty()) return Value::undefined("no last item, sequence was empty");
  return items.back();
}

Value do_reverse(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "reverse", {});
  auto items = r.iterate(v, pos);
  std::reverse(items.begin(), items.end());
  if (v.is_string()) {
    std::string s;
    for (const auto& c : items) s += c.as_string();
    return Value(std::move(s));
  }
  return Value(std::move(items));
}

Value do_sort(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
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
}

Value do_unique(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
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
}

Value do_map(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
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
}

Value do_select(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return select_items(r, v, a, pos, false, true); }

Value do_reject(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return select_items(r, v, a, pos, false, false); }

Value do_selectattr(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return select_items(r, v, a, pos, true, true); }

Value do_rejectattr(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return select_items(r, v, a, pos, true, false); }

Value do_dictsort(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
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
}

Value do_items(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "items", {});
  r.check_defined(v, pos);
  if (!v.is_dict()) r.fail(pos, "items expects a mapping, got " + v.type_name());
  std::vector<Value> pairs;
  for (const auto& [k, x] : v.as_dict().items()) pairs.push_back(Value(std::vector<Value>{Value(k), x}, true));
  return Value(std::move(pairs));
}

Value do_min(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return min_or_max(r, v, a, pos, "min", false); }

Value do_max(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return min_or_max(r, v, a, pos, "max", true); }

}  // namespace

void add_list_filters(FilterTable& t) {
  add_named(t, {
      {"join", do_join},
      {"length", do_length},
      {"count", do_length},
      {"list", do_list},
      {"first", do_first},
      {"last", do_last},
      {"reverse", do_reverse},
      {"sort", do_sort},
      {"unique", do_unique},
      {"map", do_map},
      {"select", do_select},
      {"reject", do_reject},
      {"selectattr", do_selectattr},
      {"rejectattr", do_rejectattr},
      {"dictsort", do_dictsort},
      {"items", do_items},
      {"min", do_min},
      {"max", do_max},
  });
}

}  // namespace foobar::tmpl
