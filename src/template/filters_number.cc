// Jinja2's builtin filters on numbers: int, float, sum, abs, round (Python's
// results, 64-bit integers that fail rather than wrap).
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "template/builtins.h"
#include "template/number.h"

namespace foobar::tmpl {
namespace {

Value int_of_rounded(Renderer& r, double x, SourcePos pos) {
  auto i = float_to_int(x);
  if (!i) r.fail(pos, "round: " + repr_double(x) + " has no 64-bit integer value");
  return Value(*i);
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

Value do_int(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
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
}

Value do_float(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "float", {"default"});
  if (v.is_number()) return Value(v.as_double());
  double d;
  if (v.is_string() && parse_py_float(v.as_string(), d)) return Value(d);
  return p.get(0, Value(0.0));
}

Value do_sum(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
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
}

Value do_abs(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "abs", {});
  r.check_defined(v, pos);
  if (!v.is_number()) r.fail(pos, "bad operand type for abs(): '" + v.type_name() + "'");
  if (v.is_real()) return Value(std::fabs(v.as_double()));
  auto m = v.as_int() < 0 ? int_neg(v.as_int()) : std::optional<int64_t>(v.as_int());
  if (!m) r.fail(pos, int_overflow_message("abs(" + py_str(v) + ")"));
  return Value(*m);
}

Value do_round(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "round", {"precision", "method"});
  return py_round(r, v, p.get_int(0, 0), p.get_str(1, "common"), pos);
}

}  // namespace

void add_number_filters(FilterTable& t) {
  add_named(t, {
      {"int", do_int},
      {"float", do_float},
      {"sum", do_sum},
      {"abs", do_abs},
      {"round", do_round},
  });
}

}  // namespace foobar::tmpl
