// The filter and test tables: every family adds its named functions here, once.
#include "template/builtins.h"
#include "template/escape_filters.h"

namespace foobar::tmpl {

const FilterTable& filters() {
  static const FilterTable table = [] {
    FilterTable t;
    add_value_filters(t);
    add_string_filters(t);
    add_list_filters(t);
    add_number_filters(t);
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
