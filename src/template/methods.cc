// Methods of list and dict values: d.items(), l.index(x), l.append(x); str
// methods are in str_methods.cc.
#include <algorithm>

#include "template/builtins.h"

namespace foobar::tmpl {
namespace {

const char* const kDictMethods[] = {"items", "keys", "values", "get", "update", "setdefault", "pop", "copy", "clear"};
const char* const kListMethods[] = {"index", "count", "append", "extend", "insert", "pop", "remove", "copy",
                                    "clear", "reverse"};
const char* const kTupleMethods[] = {"index", "count"};

template <size_t N>
bool contains(const char* const (&names)[N], std::string_view n) {
  return std::any_of(std::begin(names), std::end(names), [&](const char* x) { return n == x; });
}

}  // namespace

bool Renderer::has_method(const Value& obj, std::string_view name) const {
  if (obj.is_string()) return is_str_method(name);
  if (obj.is_dict()) return contains(kDictMethods, name);
  if (obj.is_list()) return obj.as_list().tuple ? contains(kTupleMethods, name) : contains(kListMethods, name);
  return false;
}

namespace {

// Methods that change a list or dict take it only from the render that made it.
[[noreturn]] void refuse_change(Renderer& r, const char* kind, const std::string& m, SourcePos pos) {
  r.fail(pos, std::string(kind) + "." + m + "() would change a " + kind +
                  " passed in as a variable: change a copy made by the template instead ({% set x = x" +
                  (kind[0] == 'l' ? " | list" : ".copy()") + " %})");
}

void check_no_cycle(Renderer& r, const Value& v, const void* self, const std::string& m, SourcePos pos) {
  if (holds_container(v, self)) r.fail(pos, m + "() would make a value contain itself");
}

// l.append(x), l.extend(xs).
Value list_add(Renderer& r, List* l, const std::string& m, CallArgs& a, SourcePos pos) {
  auto& items = l->items;
  Params p(r, a, pos, m, {m == "append" ? "object" : "iterable"});
  if (!p.has(0)) r.fail(pos, m + "() takes exactly one argument (0 given)");
  Value x = p.get(0, Value());
  r.check_defined(x, pos);
  if (m == "append") {
    check_no_cycle(r, x, l, m, pos);
    r.check_list_size(items.size() + 1, pos);
    items.push_back(std::move(x));
  } else {
    std::vector<Value> more = r.iterate(x, pos);  // l.extend(l) adds l's items, not l
    for (const auto& item : more) check_no_cycle(r, item, l, m, pos);
    r.check_list_size(items.size() + more.size(), pos);
    items.insert(items.end(), more.begin(), more.end());
  }
  return Value();
}

Value list_change(Renderer& r, const Value& obj, const std::string& m, CallArgs& a, SourcePos pos) {
  if (m == "copy") {
    Params p(r, a, pos, m, {});
    return Value(obj.as_list().items);
  }
  List* l = obj.list_to_change();
  if (!l) refuse_change(r, "list", m, pos);
  auto& items = l->items;
  auto n = static_cast<int64_t>(items.size());
  if (m == "append" || m == "extend") return list_add(r, l, m, a, pos);
  if (m == "insert") {
    Params p(r, a, pos, m, {"index", "object"});
    if (!p.has(1)) r.fail(pos, "insert() expected 2 arguments");
    int64_t i = p.get_int(0, 0);
    Value x = p.get(1, Value());
    r.check_defined(x, pos);
    check_no_cycle(r, x, l, m, pos);
    r.check_list_size(items.size() + 1, pos);
    if (i < 0) i = std::max<int64_t>(0, i + n);
    i = std::min(i, n);
    items.insert(items.begin() + i, std::move(x));
    return Value();
  }
  if (m == "pop") {
    Params p(r, a, pos, m, {"index"});
    int64_t i = p.get_int(0, -1);
    if (items.empty()) r.fail(pos, "pop from empty list");
    if (i < 0) i += n;
    if (i < 0 || i >= n) r.fail(pos, "pop index out of range");
    Value out = std::move(items[static_cast<size_t>(i)]);
    items.erase(items.begin() + i);
    return out;
  }
  if (m == "remove") {
    Params p(r, a, pos, m, {"value"});
    Value x = p.get(0, Value());
    for (auto it = items.begin(); it != items.end(); ++it)
      if (py_equal(*it, x)) {
        items.erase(it);
        return Value();
      }
    r.fail(pos, "list.remove(x): x not in list");
  }
  Params p(r, a, pos, m, {});
  if (m == "clear") items.clear();
  else std::reverse(items.begin(), items.end());
  return Value();
}

Value dict_change(Renderer& r, const Value& obj, const std::string& m, CallArgs& a, SourcePos pos) {
  if (m == "copy") {
    Params p(r, a, pos, m, {});
    return Value(obj.as_dict());
  }
  Dict* d = obj.dict_to_change();
  if (!d) refuse_change(r, "dict", m, pos);
  if (m == "update") {
    if (a.positional.size() > 1) r.fail(pos, "update expected at most 1 argument, got " + std::to_string(a.positional.size()));
    std::vector<std::pair<std::string, Value>> add;
    if (!a.positional.empty()) {
      const Value& x = a.positional[0];
      r.check_defined(x, pos);
      if (x.is_dict()) {
        add = x.as_dict().items();
      } else {
        for (const auto& pair : r.iterate(x, pos)) {
          if (!pair.is_list() || pair.as_list().items.size() != 2)
            r.fail(pos, "dictionary update sequence element has the wrong length (a key and a value needed)");
          const Value& k = pair.as_list().items[0];
          if (!k.is_string()) r.fail(pos, "dict keys must be strings here, got " + k.type_name());
          add.emplace_back(k.as_string(), pair.as_list().items[1]);
        }
      }
    }
    for (auto& kv : a.keyword) add.push_back(kv);
    r.check_list_size(d->size() + add.size(), pos);
    for (auto& [k, v] : add) {
      check_no_cycle(r, v, d, m, pos);
      d->set(k, v);
    }
    return Value();
  }
  if (m == "clear") {
    Params p(r, a, pos, m, {});
    d->clear();
    return Value();
  }
  Params p(r, a, pos, m, {"key", "default"});
  if (!p.has(0)) r.fail(pos, m + "() takes at least 1 argument (0 given)");
  Value key = p.get(0, Value());
  r.check_defined(key, pos);
  const Value* found = key.is_string() ? d->find(key.as_string()) : nullptr;
  if (m == "setdefault") {
    if (found) return *found;
    if (!key.is_string()) r.fail(pos, "dict keys must be strings here, got " + key.type_name());
    Value v = p.get(1, Value());
    check_no_cycle(r, v, d, m, pos);
    r.check_list_size(d->size() + 1, pos);
    d->set(key.as_string(), v);
    return v;
  }
  // pop
  if (!found) {
    if (p.has(1)) return p.get(1, Value());
    r.fail(pos, "KeyError: " + py_repr(key));
  }
  Value out = *found;
  d->erase(key.as_string());
  return out;
}

}  // namespace

Value Renderer::call_method(const Value& obj, const std::string& m, CallArgs& a, SourcePos pos) {
  if (obj.is_string()) return call_str_method(*this, obj.as_string(), m, a, pos);
  if (obj.is_dict()) {
    const Dict& d = obj.as_dict();
    if (m == "update" || m == "setdefault" || m == "pop" || m == "copy" || m == "clear")
      return dict_change(*this, obj, m, a, pos);
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
  if (m != "index" && m != "count") return list_change(*this, obj, m, a, pos);
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
