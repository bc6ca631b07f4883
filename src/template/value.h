// The value model of the template language: Python's types as Jinja2 sees them
// (None, bool, int, float, str, list/tuple, dict in insertion order) plus
// Undefined and callable objects (macros, loop, namespace).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <stdexcept>

#include "util/diagnostic.h"

namespace foobar::tmpl {

class Value;
class Renderer;

// The render that made a list or dict (see RenderStamp): only its own
// containers may be changed in place by methods such as append() and update(),
// so data passed in as variables, possibly shared with other renders, is never changed.
uint64_t current_render_stamp();

struct List {
  std::vector<Value> items;
  bool tuple = false;
  uint64_t stamp = current_render_stamp();

  List() = default;
  List(const List&) = default;
  List(List&&) = default;
  List& operator=(const List&) = default;
  List& operator=(List&&) = default;
  // Iterative: a list nested a million times is destroyed without recursion.
  ~List();
};

// Insertion-ordered mapping with string keys; an index is built for larger dicts.
class Dict {
 public:
  Dict() = default;
  Dict(const Dict&) = default;
  Dict(Dict&&) = default;
  Dict& operator=(const Dict&) = default;
  Dict& operator=(Dict&&) = default;
  ~Dict();  // iterative, as ~List

  const Value* find(std::string_view key) const;
  Value* find_mut(std::string_view key);
  void set(std::string key, Value v);
  // Defined in value.cc, where Value is complete (libc++ and clang need it).
  size_t size() const;
  const std::vector<std::pair<std::string, Value>>& items() const { return m_items; }
  bool erase(std::string_view key);
  void clear();
  uint64_t stamp = current_render_stamp();

 private:
  std::vector<std::pair<std::string, Value>> m_items;
  std::unordered_map<std::string, size_t> m_index;
};

struct CallArgs;

// Anything with attributes or a call operator that is not plain data.
class Object {
 public:
  virtual ~Object() = default;
  virtual std::string type_name() const = 0;
  // Returns false when the object has no such attribute.
  virtual bool get_attr(std::string_view name, Value& out) const;
  virtual bool callable() const { return false; }
  virtual Value call(Renderer& r, CallArgs& args, SourcePos pos) const;
  virtual std::string str() const;
  // Namespaces allow `{% set ns.attr = v %}`.
  virtual bool set_attr(std::string_view name, Value v);
};

struct Undefined {
  std::string hint;  // "'x' is undefined" or "'dict object' has no attribute 'y'"
  // Jinja2 makes `a if c` (no else) a plain, non-strict Undefined: it prints as ''.
  bool lenient = false;
};
struct None {};

using ListPtr = std::shared_ptr<const List>;
using DictPtr = std::shared_ptr<const Dict>;
using ObjectPtr = std::shared_ptr<Object>;

class Value {
 public:
  enum class Kind { undefined, none, boolean, integer, real, string, list, dict, object };

  Value() : m_v(None{}) {}
  Value(None) : m_v(None{}) {}
  Value(Undefined u) : m_v(std::move(u)) {}
  Value(bool b) : m_v(b) {}
  Value(int v) : m_v(int64_t{v}) {}
  Value(int64_t v) : m_v(v) {}
  Value(double v) : m_v(v) {}
  Value(std::string s) : m_v(std::move(s)) {}
  Value(const char* s) : m_v(std::string(s)) {}
  Value(std::vector<Value> items, bool tuple = false);
  Value(ListPtr l) : m_v(std::move(l)) {}
  Value(Dict d);
  Value(DictPtr d) : m_v(std::move(d)) {}
  Value(ObjectPtr o) : m_v(std::move(o)) {}

  static Value undefined(std::string hint) { return Value(Undefined{std::move(hint), false}); }
  static Value lenient_undefined(std::string hint) { return Value(Undefined{std::move(hint), true}); }

  Kind kind() const { return static_cast<Kind>(m_v.index()); }
  bool is_undefined() const { return kind() == Kind::undefined; }
  bool is_none() const { return kind() == Kind::none; }
  bool is_bool() const { return kind() == Kind::boolean; }
  bool is_int() const { return kind() == Kind::integer; }
  bool is_real() const { return kind() == Kind::real; }
  // Python numbers: bool counts as int.
  bool is_number() const { return is_bool() || is_int() || is_real(); }
  bool is_string() const { return kind() == Kind::string; }
  bool is_list() const { return kind() == Kind::list; }
  bool is_dict() const { return kind() == Kind::dict; }
  bool is_object() const { return kind() == Kind::object; }

  bool as_bool() const { return std::get<bool>(m_v); }
  int64_t as_int() const;  // bool or int
  double as_double() const;  // any number
  const std::string& as_string() const { return std::get<std::string>(m_v); }
  const List& as_list() const { return *std::get<ListPtr>(m_v); }
  const ListPtr& list_ptr() const { return std::get<ListPtr>(m_v); }
  const Dict& as_dict() const { return *std::get<DictPtr>(m_v); }
  // The list or dict to change in place, or null when it was not made by the
  // render running on this thread.
  List* list_to_change() const;
  Dict* dict_to_change() const;
  const ObjectPtr& as_object() const { return std::get<ObjectPtr>(m_v); }
  const std::string& undefined_hint() const { return std::get<Undefined>(m_v).hint; }
  bool is_strict_undefined() const { return is_undefined() && !std::get<Undefined>(m_v).lenient; }

  // Python truthiness (the caller rejects Undefined first).
  bool truthy() const;
  // Python's type name: 'str', 'int', 'dict', ...
  std::string type_name() const;

 private:
  std::variant<Undefined, None, bool, int64_t, double, std::string, ListPtr, DictPtr, ObjectPtr> m_v;
};

// Marks the containers made on this thread while it lives as the current render's.
class RenderStamp {
 public:
  RenderStamp();
  ~RenderStamp();
  RenderStamp(const RenderStamp&) = delete;
  RenderStamp& operator=(const RenderStamp&) = delete;

 private:
  uint64_t m_saved;
};

// Raised by the helpers here that walk nested values (printing, ==, <, JSON,
// YAML) past the bounds of template/limits.h: nesting deeper than
// kMaxValueDepth, more than kMaxValueVisits items in one render, text over
// kMaxStringBytes. The engine reports it at the statement being rendered.
struct ValueLimitError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One level of such a walk: counts the level and the item, throws ValueLimitError past the bounds.
class ValueWalk {
 public:
  ValueWalk();
  ~ValueWalk();
  ValueWalk(const ValueWalk&) = delete;
  ValueWalk& operator=(const ValueWalk&) = delete;
  // Throws when `text` has grown past kMaxStringBytes.
  static void check_size(const std::string& text);
};

// Whether `v` is or holds (at any depth) the list or dict at `target`.
bool holds_container(const Value& v, const void* target);

struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
};

// Python's str() and repr().
std::string py_str(const Value& v);
std::string py_repr(const Value& v);
void append_str(std::string& out, const Value& v);
std::string repr_double(double d);
std::string repr_string(std::string_view s);

// Python ==, with 1 == 1.0 == True.
bool py_equal(const Value& a, const Value& b);

Value from_json(const nlohmann::json& j);
// Keeps the key order of the JSON text, as Python's json.load does.
Value from_json(const nlohmann::ordered_json& j);
// json.dumps(v, sort_keys=True) as Jinja2's tojson filter writes it (HTML-safe).
// Returns false (with a message) for values JSON cannot hold.
bool to_json_text(const Value& v, int indent, std::string& out, std::string& error);
// json.dumps with ensure_ascii: indent < 0 for one line; keys sorted or in order;
// html_safe escapes <, >, & and ' as Jinja2's tojson does.
struct JsonStyle {
  int indent = -1;
  bool sort_keys = false;
  bool html_safe = false;
};
bool to_json_text(const Value& v, const JsonStyle& style, std::string& out, std::string& error);

}  // namespace foobar::tmpl
