#include "template/value.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "template/limits.h"

namespace foobar::tmpl {

// ---- Dict ----

constexpr size_t kIndexThreshold = 8;

const Value* Dict::find(std::string_view key) const {
  if (m_items.size() > kIndexThreshold) {
    auto it = m_index.find(std::string(key));
    return it == m_index.end() ? nullptr : &m_items[it->second].second;
  }
  for (const auto& [k, v] : m_items)
    if (k == key) return &v;
  return nullptr;
}

size_t Dict::size() const { return m_items.size(); }

// ---- destruction without recursion ----

namespace {

// The containers waiting to be destroyed by the outermost ~List/~Dict of this thread.
thread_local std::vector<Value>* t_doomed = nullptr;

template <class MoveChildren>
void destroy_children(MoveChildren move_children) {
  if (t_doomed) {
    move_children(*t_doomed);
    return;
  }
  std::vector<Value> doomed;
  t_doomed = &doomed;
  move_children(doomed);
  while (!doomed.empty()) {
    Value last = std::move(doomed.back());
    doomed.pop_back();
    // `last` goes here; if it held the last reference, its children join `doomed`.
  }
  t_doomed = nullptr;
}

bool is_container(const Value& v) { return v.is_list() || v.is_dict(); }

}  // namespace

List::~List() {
  destroy_children([this](std::vector<Value>& out) {
    for (auto& v : items)
      if (is_container(v)) out.push_back(std::move(v));
  });
}

Dict::~Dict() {
  destroy_children([this](std::vector<Value>& out) {
    for (auto& kv : m_items)
      if (is_container(kv.second)) out.push_back(std::move(kv.second));
  });
}

// ---- bounded walks ----

namespace {
thread_local int t_walk_depth = 0;
thread_local int64_t t_walk_visits = 0;

void count_visit() {
  if (++t_walk_visits > kMaxValueVisits)
    throw ValueLimitError("the value is too large to walk (more than " + std::to_string(kMaxValueVisits) +
                          " items visited in this render)");
}
}  // namespace

ValueWalk::ValueWalk() {
  count_visit();
  if (t_walk_depth >= kMaxValueDepth)
    throw ValueLimitError("the value is nested too deeply (more than " + std::to_string(kMaxValueDepth) + " levels)");
  ++t_walk_depth;
}

ValueWalk::~ValueWalk() { --t_walk_depth; }

void ValueWalk::check_size(const std::string& text) {
  if (text.size() > kMaxStringBytes) throw ValueLimitError("string too large (more than 64 MiB)");
}

bool Dict::erase(std::string_view key) {
  auto it = std::find_if(m_items.begin(), m_items.end(), [&](const auto& kv) { return kv.first == key; });
  if (it == m_items.end()) return false;
  m_items.erase(it);
  m_index.clear();
  if (m_items.size() > kIndexThreshold)
    for (size_t i = 0; i < m_items.size(); ++i) m_index.emplace(m_items[i].first, i);
  return true;
}

void Dict::clear() {
  m_items.clear();
  m_index.clear();
}

// ---- render stamps ----

namespace {
thread_local uint64_t t_render_stamp = 0;
std::atomic<uint64_t> g_next_stamp{1};
}  // namespace

uint64_t current_render_stamp() { return t_render_stamp; }

RenderStamp::RenderStamp() : m_saved(t_render_stamp) {
  t_render_stamp = g_next_stamp.fetch_add(1);
  t_walk_visits = 0;
}
RenderStamp::~RenderStamp() { t_render_stamp = m_saved; }

List* Value::list_to_change() const {
  const auto& p = std::get<ListPtr>(m_v);
  if (p->stamp == 0 || p->stamp != t_render_stamp) return nullptr;
  return const_cast<List*>(p.get());  // made by make_shared<List>: not a const object
}

Dict* Value::dict_to_change() const {
  const auto& p = std::get<DictPtr>(m_v);
  if (p->stamp == 0 || p->stamp != t_render_stamp) return nullptr;
  return const_cast<Dict*>(p.get());
}

bool holds_container(const Value& v, const void* target) {
  // Iterative, so deeply nested data cannot exhaust the stack.
  std::vector<const Value*> todo{&v};
  while (!todo.empty()) {
    const Value* x = todo.back();
    todo.pop_back();
    count_visit();
    if (x->is_list()) {
      if (x->list_ptr().get() == target) return true;
      for (const auto& i : x->as_list().items) todo.push_back(&i);
    } else if (x->is_dict()) {
      if (&x->as_dict() == target) return true;
      for (const auto& kv : x->as_dict().items()) todo.push_back(&kv.second);
    }
  }
  return false;
}

Value* Dict::find_mut(std::string_view key) { return const_cast<Value*>(find(key)); }

void Dict::set(std::string key, Value v) {
  if (Value* existing = find_mut(key)) {
    *existing = std::move(v);
    return;
  }
  m_items.emplace_back(std::move(key), std::move(v));
  if (m_items.size() > kIndexThreshold) {
    if (m_index.empty())
      for (size_t i = 0; i < m_items.size(); ++i) m_index.emplace(m_items[i].first, i);
    else
      m_index.emplace(m_items.back().first, m_items.size() - 1);
  }
}

// ---- Object ----

bool Object::get_attr(std::string_view, Value&) const { return false; }
Value Object::call(Renderer&, CallArgs&, SourcePos) const {
  throw std::logic_error("Object::call on a non-callable object");
}
std::string Object::str() const { return "<" + type_name() + " object>"; }
bool Object::set_attr(std::string_view, Value) { return false; }

// ---- Value ----

Value::Value(std::vector<Value> items, bool tuple) {
  auto l = std::make_shared<List>();
  l->items = std::move(items);
  l->tuple = tuple;
  m_v = ListPtr(std::move(l));
}
Value::Value(Dict d) {
  d.stamp = current_render_stamp();
  m_v = DictPtr(std::make_shared<Dict>(std::move(d)));
}

int64_t Value::as_int() const {
  if (is_bool()) return as_bool() ? 1 : 0;
  return std::get<int64_t>(m_v);
}

double Value::as_double() const {
  if (is_real()) return std::get<double>(m_v);
  return static_cast<double>(as_int());
}

bool Value::truthy() const {
  switch (kind()) {
    case Kind::undefined:
    case Kind::none: return false;
    case Kind::boolean: return as_bool();
    case Kind::integer: return as_int() != 0;
    case Kind::real: return as_double() != 0.0;
    case Kind::string: return !as_string().empty();
    case Kind::list: return !as_list().items.empty();
    case Kind::dict: return as_dict().size() != 0;
    case Kind::object: return true;
  }
  return false;
}

std::string Value::type_name() const {
  switch (kind()) {
    case Kind::undefined: return "Undefined";
    case Kind::none: return "NoneType";
    case Kind::boolean: return "bool";
    case Kind::integer: return "int";
    case Kind::real: return "float";
    case Kind::string: return "str";
    case Kind::list: return as_list().tuple ? "tuple" : "list";
    case Kind::dict: return "dict";
    case Kind::object: return as_object()->type_name();
  }
  return "object";
}

// ---- str / repr ----

// Python's float repr: the shortest digits that round-trip; scientific notation
// when the decimal exponent is below -4 or at least 16.
std::string repr_double(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  // buf is like "-1.2345e+05": split into sign, digits, exponent.
  std::string s = buf;
  std::string sign;
  if (s[0] == '-') sign = "-", s.erase(0, 1);
  size_t e = s.find('e');
  int exp = std::atoi(s.c_str() + e + 1);
  std::string digits = s.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out;
  if (exp < -4 || exp >= 16) {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    out += eb;
  } else if (exp < 0) {
    out = "0." + std::string(-exp - 1, '0') + digits;
  } else {
    if (digits.size() <= static_cast<size_t>(exp) + 1) {
      out = digits + std::string(exp + 1 - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
    }
  }
  return sign + out;
}

std::string repr_string(std::string_view s) {
  char quote = '\'';
  if (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos) quote = '"';
  std::string out(1, quote);
  for (unsigned char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == static_cast<unsigned char>(quote)) out += '\\', out += c;
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", c);
      out += b;
    } else out += static_cast<char>(c);
  }
  out += quote;
  return out;
}

static void append_repr(std::string& out, const Value& v);

static void append_list(std::string& out, const List& l) {
  ValueWalk level;
  out += l.tuple ? '(' : '[';
  for (size_t i = 0; i < l.items.size(); ++i) {
    ValueWalk::check_size(out);
    if (i) out += ", ";
    append_repr(out, l.items[i]);
  }
  if (l.tuple && l.items.size() == 1) out += ',';
  out += l.tuple ? ')' : ']';
}

static void append_dict(std::string& out, const Dict& d) {
  ValueWalk level;
  out += '{';
  bool first = true;
  for (const auto& [k, v] : d.items()) {
    ValueWalk::check_size(out);
    if (!first) out += ", ";
    first = false;
    out += repr_string(k);
    out += ": ";
    append_repr(out, v);
  }
  out += '}';
}

void append_str(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::undefined: break;  // the renderer rejects it before
    case Value::Kind::none: out += "None"; break;
    case Value::Kind::boolean: out += v.as_bool() ? "True" : "False"; break;
    case Value::Kind::integer: out += std::to_string(v.as_int()); break;
    case Value::Kind::real: out += repr_double(v.as_double()); break;
    case Value::Kind::string: out += v.as_string(); break;
    case Value::Kind::list: append_list(out, v.as_list()); break;
    case Value::Kind::dict: append_dict(out, v.as_dict()); break;
    case Value::Kind::object: out += v.as_object()->str(); break;
  }
}

static void append_repr(std::string& out, const Value& v) {
  if (v.is_string()) out += repr_string(v.as_string());
  else append_str(out, v);
}

std::string py_str(const Value& v) {
  std::string out;
  append_str(out, v);
  return out;
}

std::string py_repr(const Value& v) {
  std::string out;
  append_repr(out, v);
  return out;
}

bool py_equal(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_real() || b.is_real()) return a.as_double() == b.as_double();
    return a.as_int() == b.as_int();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::undefined: return true;
    case Value::Kind::none: return true;
    case Value::Kind::string: return a.as_string() == b.as_string();
    case Value::Kind::list: {
      const auto& x = a.as_list();
      const auto& y = b.as_list();
      if (&x == &y) return true;  // as Python, which compares identical items as equal
      ValueWalk level;
      if (x.tuple != y.tuple || x.items.size() != y.items.size()) return false;
      for (size_t i = 0; i < x.items.size(); ++i)
        if (!py_equal(x.items[i], y.items[i])) return false;
      return true;
    }
    case Value::Kind::dict: {
      const auto& x = a.as_dict();
      const auto& y = b.as_dict();
      if (&x == &y) return true;
      ValueWalk level;
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x.items()) {
        const Value* o = y.find(k);
        if (!o || !py_equal(v, *o)) return false;
      }
      return true;
    }
    case Value::Kind::object: return a.as_object() == b.as_object();
    default: return false;
  }
}

// ---- JSON ----

template <class Json>
static Value from_json_impl(const Json& j, int depth = 0) {
  if (depth > kMaxValueDepth)
    throw ValueLimitError("the data is nested too deeply (more than " + std::to_string(kMaxValueDepth) + " levels)");
  switch (j.type()) {
    case nlohmann::detail::value_t::null: return Value();
    case nlohmann::detail::value_t::boolean: return Value(j.template get<bool>());
    case nlohmann::detail::value_t::number_integer: return Value(j.template get<int64_t>());
    case nlohmann::detail::value_t::number_unsigned:
      return Value(static_cast<int64_t>(j.template get<uint64_t>()));
    case nlohmann::detail::value_t::number_float: return Value(j.template get<double>());
    case nlohmann::detail::value_t::string: return Value(j.template get<std::string>());
    case nlohmann::detail::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& e : j) items.push_back(from_json_impl(e, depth + 1));
      return Value(std::move(items));
    }
    case nlohmann::detail::value_t::object: {
      Dict d;
      for (auto it = j.begin(); it != j.end(); ++it) d.set(it.key(), from_json_impl(it.value(), depth + 1));
      return Value(std::move(d));
    }
    default: return Value();
  }
}

Value from_json(const nlohmann::json& j) { return from_json_impl(j); }
Value from_json(const nlohmann::ordered_json& j) { return from_json_impl(j); }

// Decodes one UTF-8 sequence; invalid bytes are taken as Latin-1.
static uint32_t next_code_point(std::string_view s, size_t& i) {
  unsigned char c = s[i++];
  int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
  uint32_t cp = extra == 3 ? c & 0x07 : extra == 2 ? c & 0x0f : extra == 1 ? c & 0x1f : c;
  for (int k = 0; k < extra && i < s.size(); ++k) cp = (cp << 6) | (s[i++] & 0x3f);
  return cp;
}

static void json_string(std::string& out, std::string_view s, bool html_safe) {
  out += '"';
  char b[16];
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = next_code_point(s, i);
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (html_safe) switch (cp) {  // as Jinja2's tojson
      case '<': out += "\\u003c"; continue;
      case '>': out += "\\u003e"; continue;
      case '&': out += "\\u0026"; continue;
      case '\'': out += "\\u0027"; continue;
      default: break;
    }
    if (cp < 0x20 || (cp >= 0x7f && cp < 0x10000)) {
      std::snprintf(b, sizeof b, "\\u%04x", cp);
      out += b;
    } else if (cp >= 0x10000) {
      cp -= 0x10000;
      std::snprintf(b, sizeof b, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      out += b;
    } else {
      out += static_cast<char>(cp);
    }
  }
  out += '"';
}

static bool json_value(const Value& v, const JsonStyle& style, int depth, std::string& out, std::string& err) {
  if (depth > kMaxValueDepth) {
    err = "the value is nested too deeply for JSON";
    return false;
  }
  if (out.size() > kMaxStringBytes) {
    err = "the JSON text is too large (more than 64 MiB)";
    return false;
  }
  const int indent = style.indent;
  auto newline = [&](int d) {
    out += '\n';
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  const char* item_sep = indent >= 0 ? "," : ", ";
  switch (v.kind()) {
    case Value::Kind::none: out += "null"; return true;
    case Value::Kind::boolean: out += v.as_bool() ? "true" : "false"; return true;
    case Value::Kind::integer: out += std::to_string(v.as_int()); return true;
    case Value::Kind::real: {
      double d = v.as_double();
      out += std::isnan(d) ? "NaN" : std::isinf(d) ? (d < 0 ? "-Infinity" : "Infinity") : repr_double(d);
      return true;
    }
    case Value::Kind::string: json_string(out, v.as_string(), style.html_safe); return true;
    case Value::Kind::list: {
      const auto& items = v.as_list().items;
      if (items.empty()) return out += "[]", true;
      out += '[';
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += item_sep;
        if (indent >= 0) newline(depth + 1);
        if (!json_value(items[i], style, depth + 1, out, err)) return false;
      }
      if (indent >= 0) newline(depth);
      out += ']';
      return true;
    }
    case Value::Kind::dict: {
      const auto& d = v.as_dict();
      if (d.size() == 0) return out += "{}", true;
      std::vector<const std::pair<std::string, Value>*> sorted;
      for (const auto& kv : d.items()) sorted.push_back(&kv);
      if (style.sort_keys)
        std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
      out += '{';
      for (size_t i = 0; i < sorted.size(); ++i) {
        if (i) out += item_sep;
        if (indent >= 0) newline(depth + 1);
        json_string(out, sorted[i]->first, style.html_safe);
        out += ": ";
        if (!json_value(sorted[i]->second, style, depth + 1, out, err)) return false;
      }
      if (indent >= 0) newline(depth);
      out += '}';
      return true;
    }
    default:
      err = "Object of type " + v.type_name() + " is not JSON serializable";
      return false;
  }
}

bool to_json_text(const Value& v, int indent, std::string& out, std::string& error) {
  return json_value(v, JsonStyle{indent, true, true}, 0, out, error);
}

bool to_json_text(const Value& v, const JsonStyle& style, std::string& out, std::string& error) {
  return json_value(v, style, 0, out, error);
}

}  // namespace foobar::tmpl
