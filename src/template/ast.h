// The parsed form of a template: expressions and statements, each with the
// position it came from so that render errors can name it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "template/value.h"
#include "util/diagnostic.h"

namespace foobar::tmpl {

enum class ExprKind {
  literal,   // literal
  name,      // name
  list,      // args
  tuple,     // args
  dict,      // args: key, value, key, value...
  attr,      // args[0].name
  item,      // args[0][args[1]]
  slice,     // args[0][args[1]:args[2]:args[3]] (null parts allowed)
  call,      // args[0](args[1..], kwargs)
  filter,    // args[0] | name(args[1..], kwargs)
  test,      // args[0] is [not] name(args[1..], kwargs)
  not_,      // not args[0]
  neg,       // -args[0]
  pos,       // +args[0]
  binary,    // args[0] name args[1]: + - * / // % ** ~
  compare,   // args[0] ops[0] args[1] ops[1] args[2] ...
  and_,      // args[0] and args[1]
  or_,       // args[0] or args[1]
  cond,      // args[0] if args[1] else args[2] (args[2] may be null)
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind;
  SourcePos pos;
  std::string name;
  Value literal;
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  std::vector<std::string> ops;
  bool negated = false;
  int height = 1;  // of the tree below, bounded by the parser
};

enum class NodeKind {
  text,         // text
  output,       // {{ expr }}
  if_,          // branches (cond null for else)
  for_,         // targets in expr [if filter]: body {% else %} else_body
  set,          // targets = expr, or set_attr: expr2.name = expr
  set_block,    // {% set targets[0] %}body{% endset %}
  include,      // expr (a name or list of names), ignore_missing, with_context
  macro,        // name(params), body
  filter_block, // {% filter expr2 %}body{% endfilter %}: expr2 is a filter chain on a null subject
  with,         // {% with a = x, b = y %}body{% endwith %}: params
  break_,       // {% break %} (only inside a for body)
  continue_,    // {% continue %}
  extends,      // {% extends expr %}
  block,        // {% block text [scoped] [required] %}body{% endblock %}
  import_,      // {% import expr as text [with context] %}
  from_import,  // {% from expr import names[0] as aliases[0], ... [with context] %}
  call_block,   // {% call(params) expr %}body{% endcall %}: expr is a call, body is caller()
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using NodeList = std::vector<NodePtr>;

struct Param {
  std::string name;
  ExprPtr default_value;  // may be null
};

struct Node {
  NodeKind kind;
  SourcePos pos;
  std::string text;  // text, macro name, set attribute name
  ExprPtr expr;
  ExprPtr expr2;     // for: filter condition; set: namespace target; filter block chain
  std::vector<std::pair<ExprPtr, NodeList>> branches;
  std::vector<std::string> targets;
  std::vector<Param> params;
  NodeList body;
  NodeList else_body;
  std::vector<std::string> aliases;  // from_import: the local name of each of targets
  bool ignore_missing = false;
  bool with_context = true;
  bool scoped = false;    // block: sees the variables around it
  bool required = false;  // block: must be overridden by a template that extends this one
};

struct Template {
  std::string name;
  NodeList body;
  // Every {% block %} of the template, nested ones included (names are unique).
  std::vector<const Node*> blocks;
};

}  // namespace foobar::tmpl
