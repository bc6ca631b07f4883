// Jinja2's builtin filters on any value: default, attr, tojson.
#include <algorithm>

#include "template/builtins.h"
#include "template/limits.h"

namespace foobar::tmpl {
namespace {

int64_t json_indent(Renderer& r, const Value& v, SourcePos pos) {
  if (v.is_none()) return -1;
  if (!v.is_int() && !v.is_bool()) r.fail(pos, "JSON indent must be an integer, got " + v.type_name());
  if (v.as_int() > kMaxIndent) r.fail(pos, "JSON indent is too large (at most " + std::to_string(kMaxIndent) + ")");
  return std::max<int64_t>(v.as_int(), -1);
}

Value do_default(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "default", {"default_value", "boolean"});
  if (v.is_undefined() || (p.get_bool(1, false) && !v.truthy())) return p.get(0, Value(""));
  return v;
}

Value do_attr(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  // Python attributes only: unlike `x.name`, attr() never looks up dict keys.
  Params p(r, a, pos, "attr", {"name"});
  std::string name = p.get_str(0, "");
  Value out;
  if (v.is_object() && v.as_object()->get_attr(name, out)) return out;
  return Value::undefined("'" + v.type_name() + " object' has no attribute '" + name + "'");
}

Value do_tojson(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "tojson", {"indent"});
  r.check_defined(v, pos);
  std::string out, err;
  if (!to_json_text(v, static_cast<int>(json_indent(r, p.get(0, Value()), pos)), out, err)) r.fail(pos, err);
  return Value(std::move(out));
}

}  // namespace

void add_value_filters(FilterTable& t) {
  add_named(t, {
      {"default", do_default},
      {"d", do_default},
      {"attr", do_attr},
      {"tojson", do_tojson},
  });
}

}  // namespace foobar::tmpl
