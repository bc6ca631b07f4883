// Jinja2's builtin tests (`x is defined`, `n is divisibleby 3`, ...).
#include <cmath>

#include "template/builtins.h"

namespace foobar::tmpl {
namespace {

Value arg0(Renderer& r, CallArgs& a, SourcePos pos, const char* name) {
  if (a.positional.empty() && a.keyword.empty()) r.fail(pos, std::string("test '") + name + "' needs an argument");
  return a.positional.empty() ? a.keyword[0].second : a.positional[0];
}

Value int_of(Renderer& r, const Value& v, SourcePos pos) {
  r.check_defined(v, pos);
  if (!v.is_number()) r.fail(pos, "unsupported operand type(s) for %: '" + v.type_name() + "' and 'int'");
  return v;
}

bool test_defined(Renderer&, const Value& v, CallArgs&, SourcePos) { return !v.is_undefined(); }
bool test_undefined(Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_undefined(); }
bool test_none(Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_none(); }
bool test_boolean(Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_bool(); }
bool test_true(Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_bool() && v.as_bool(); }
bool test_false(Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_bool() && !v.as_bool(); }
bool test_string(Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_string(); }
bool test_number(Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_number(); }
bool test_integer(Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_int(); }
bool test_float(Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_real(); }
bool test_mapping(Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_dict(); }
bool test_sequence(Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_list() || v.is_string() || v.is_dict(); }
bool test_callable(Renderer&, const Value& v, CallArgs&, SourcePos) { return v.is_object() && v.as_object()->callable(); }

bool test_even(Renderer& r, const Value& v, CallArgs&, SourcePos pos) {
  Value n = int_of(r, v, pos);
  return n.is_real() ? std::fmod(n.as_double(), 2.0) == 0 : n.as_int() % 2 == 0;
}

bool test_odd(Renderer& r, const Value& v, CallArgs&, SourcePos pos) {
  Value n = int_of(r, v, pos);
  return n.is_real() ? std::fabs(std::fmod(n.as_double(), 2.0)) == 1 : n.as_int() % 2 != 0;
}

bool test_divisibleby(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Value n = int_of(r, v, pos);
  Value d = int_of(r, arg0(r, a, pos, "divisibleby"), pos);
  if (d.as_double() == 0) r.fail(pos, "integer division or modulo by zero");
  if (n.is_real() || d.is_real()) return std::fmod(n.as_double(), d.as_double()) == 0;
  return n.as_int() % d.as_int() == 0;
}

// The argument of a comparison test (`x is lt 3`), both sides defined.
Value compared_with(Renderer& r, const Value& v, CallArgs& a, SourcePos pos, const char* name) {
  Value other = arg0(r, a, pos, name);
  r.check_defined(v, pos);
  r.check_defined(other, pos);
  return other;
}

bool test_eq(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return py_equal(v, compared_with(r, v, a, pos, "equalto")); }
bool test_ne(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return !py_equal(v, compared_with(r, v, a, pos, "ne")); }
bool test_lt(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return r.less(v, compared_with(r, v, a, pos, "lt"), pos); }
bool test_gt(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return r.less(compared_with(r, v, a, pos, "gt"), v, pos); }
bool test_le(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return !r.less(compared_with(r, v, a, pos, "le"), v, pos); }
bool test_ge(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return !r.less(v, compared_with(r, v, a, pos, "ge"), pos); }

bool test_sameas(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Value o = arg0(r, a, pos, "sameas");
  if (v.kind() != o.kind()) return false;
  if (v.is_none() || v.is_undefined()) return true;
  if (v.is_bool()) return v.as_bool() == o.as_bool();
  return py_equal(v, o);
}

bool test_in(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Value seq = arg0(r, a, pos, "in");
  r.check_defined(v, pos);
  r.check_defined(seq, pos);
  if (seq.is_string()) return v.is_string() && seq.as_string().find(v.as_string()) != std::string::npos;
  if (seq.is_dict()) return v.is_string() && seq.as_dict().find(v.as_string()) != nullptr;
  for (const auto& x : r.iterate(seq, pos))
    if (py_equal(x, v)) return true;
  return false;
}

bool test_lower(Renderer& r, const Value& v, CallArgs&, SourcePos pos) {
  r.check_defined(v, pos);
  std::string s = py_str(v);
  return ascii_lower(s) == s;
}

bool test_upper(Renderer& r, const Value& v, CallArgs&, SourcePos pos) {
  r.check_defined(v, pos);
  std::string s = py_str(v);
  return ascii_upper(s) == s;
}


}  // namespace

void add_jinja_tests(TestTable& t) {
  add_named(t, {
      {"defined", test_defined},
      {"undefined", test_undefined},
      {"none", test_none},
      {"boolean", test_boolean},
      {"true", test_true},
      {"false", test_false},
      {"string", test_string},
      {"number", test_number},
      {"integer", test_integer},
      {"float", test_float},
      {"mapping", test_mapping},
      {"sequence", test_sequence},
      {"iterable", test_sequence},
      {"callable", test_callable},
      {"even", test_even},
      {"odd", test_odd},
      {"divisibleby", test_divisibleby},
      {"equalto", test_eq},
      {"eq", test_eq},
      {"==", test_eq},
      {"ne", test_ne},
      {"!=", test_ne},
      {"lt", test_lt},
      {"<", test_lt},
      {"lessthan", test_lt},
      {"gt", test_gt},
      {">", test_gt},
      {"greaterthan", test_gt},
      {"le", test_le},
      {"<=", test_le},
      {"ge", test_ge},
      {">=", test_ge},
      {"sameas", test_sameas},
      {"in", test_in},
      {"lower", test_lower},
      {"upper", test_upper},
  });
}

}  // namespace foobar::tmpl
