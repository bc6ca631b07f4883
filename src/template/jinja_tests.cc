// Jinja2's builtin tests (`x is defined`, `n is divisibleby 3`, ...).
#include <cmath>

#include "template/builtins.h"

namespace foobar::tmpl {

void add_jinja_tests(TestTable& t) {
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
}

}  // namespace foobar::tmpl
