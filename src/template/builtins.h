// The built-in filters, tests and methods of the template language, in families:
// each family is a file that adds its entries to the tables in filters.cc, so a
// new family is one file and one line there. Internal to the template module.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "template/renderer.h"

namespace foobar::tmpl {

using FilterFn = std::function<Value(Renderer&, const Value&, CallArgs&, SourcePos)>;
using TestFn = std::function<bool(Renderer&, const Value&, CallArgs&, SourcePos)>;
using FilterTable = std::unordered_map<std::string, FilterFn>;
using TestTable = std::unordered_map<std::string, TestFn>;

// Every filter and test the engine knows (built once, read-only after).
const FilterTable& filters();
const TestTable& tests();

// A family's rows: each name with the function that implements it (an alias is
// one more row naming the same function).
using FilterImpl = Value (*)(Renderer&, const Value&, CallArgs&, SourcePos);
using TestImpl = bool (*)(Renderer&, const Value&, CallArgs&, SourcePos);
struct NamedFilter {
  const char* name;
  FilterImpl fn;
};
struct NamedTest {
  const char* name;
  TestImpl fn;
};
inline void add_named(FilterTable& t, std::initializer_list<NamedFilter> rows) {
  for (const auto& row : rows) t[row.name] = row.fn;
}
inline void add_named(TestTable& t, std::initializer_list<NamedTest> rows) {
  for (const auto& row : rows) t[row.name] = row.fn;
}

// The families.
void add_value_filters(FilterTable& t);   // filters_value.cc: default, attr, tojson
void add_string_filters(FilterTable& t);  // filters_string.cc: Jinja2's filters on text
void add_list_filters(FilterTable& t);    // filters_list.cc: Jinja2's filters on sequences and mappings
void add_number_filters(FilterTable& t);  // filters_number.cc: Jinja2's filters on numbers
void add_jinja_tests(TestTable& t);       // jinja_tests.cc: Jinja2's builtin tests
void add_ansible_filters(FilterTable& t);  // ansible_filters.cc: Ansible's filters
void add_ansible_tests(TestTable& t);      // ansible_filters.cc: Ansible's tests
void add_ansible_data_filters(FilterTable& t);  // ansible_data_filters.cc: YAML, password_hash, random, sizes
void add_ansible_path_tests(TestTable& t);      // ansible_data_filters.cc: file, directory, link, exists, abs

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


// Text helpers shared by filters and methods (text.cc).
std::string ascii_lower(const std::string& s);
std::string ascii_upper(const std::string& s);
bool is_ws(char c);
// Python's str.strip(chars): `chars` is a string or None (whitespace).
std::string strip(const std::string& s, const Value& chars, bool left, bool right);
std::string replace_all(const std::string& s, const std::string& old, const std::string& repl, int64_t count);
// Fails before replace_all would build a string past the bound.
void check_replace_size(Renderer& r, const std::string& s, const std::string& old, const std::string& repl, SourcePos pos);
std::vector<std::string> split(const std::string& s, const Value& sep, int64_t maxsplit);
Value str_list(const std::vector<std::string>& parts);
std::string capitalize(const std::string& s);
std::string title(const std::string& s);
bool parse_py_int(std::string s, int base, int64_t& out);
bool parse_py_float(const std::string& s0, double& out);
// Jinja2's attribute paths: "a.b.0" looks up a, then b, then item 0.
Value get_path(Renderer& r, const Value& item, const std::string& path, SourcePos pos);
Value sort_key(const Value& v, bool case_sensitive);
size_t py_len(Renderer& r, const Value& v, SourcePos pos);

// Methods of str values (str_methods.cc); call_str_method refuses a name
// is_str_method does not know.
bool is_str_method(std::string_view name);
Value call_str_method(Renderer& r, const std::string& s, const std::string& m, CallArgs& a, SourcePos pos);

// Python's %-formatting for the format filter and the % operator (format.cc).
std::string percent_format(Renderer& r, const std::string& fmt, const std::vector<Value>& args,
                           const Dict* mapping, SourcePos pos);

}  // namespace foobar::tmpl
