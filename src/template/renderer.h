// The tree-walking interpreter behind Environment::render. Internal to the
// template module (filters.cc and the environment use it).
//
// Render errors unwind with RenderError (thrown and caught only inside this
// module, turned into a Diagnostic by Environment::render): an expression
// evaluator that returned a Result from every step would bury the language's
// semantics under error plumbing.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "template/ast.h"
#include "template/value.h"

namespace foobar::tmpl {

class Environment;

struct RenderError {
  std::string where;
  SourcePos pos;
  std::string message;
};

// One scope: a for body, a macro call, an include, the template top level.
struct Frame {
  Frame* parent = nullptr;
  std::vector<std::pair<std::string, Value>> vars;
  // False on the outermost frame of an include or import without context:
  // names not found in the frames are not looked up in the render's variables.
  bool sees_context = true;

  const Value* lookup(std::string_view name) const;
  void set(const std::string& name, Value v);
};

// One block of a template, for the chain of overrides ({% extends %}).
struct BlockRef {
  const Node* node;
  std::string where;  // the template that defines it
};

// What one rendered template (with the templates it extends) shares: the
// blocks by name, most derived first, and its top-level frame.
struct TemplateScope {
  std::map<std::string, std::vector<BlockRef>, std::less<>> blocks;
  Frame* top = nullptr;
  std::shared_ptr<const Template> parent;  // set by {% extends %}
};

class Renderer {
 public:
  Renderer(const Environment& env, const Dict* context) : m_env(env), m_context(context) {}

  void render_template(const Template& t, Frame& frame, std::string& out);
  void render_nodes(const NodeList& nodes, Frame& frame, std::string& out);
  Value eval(const Expr& e, Frame& frame);

  [[noreturn]] void fail(SourcePos pos, std::string message) const;
  // Bounds of template/limits.h, checked before a value that large is built.
  void check_string_size(size_t n, SourcePos pos) const;
  void check_list_size(size_t n, SourcePos pos) const;
  // Counts one loop iteration or macro call (or work that costs as much as
  // `cost` of them) against the render's budget.
  void step(SourcePos pos, int64_t cost = 1);
  // The statement being rendered, for errors that arise below any expression.
  SourcePos current_pos() const { return m_pos; }
  // StrictUndefined: using an undefined value is an error naming it.
  void check_defined(const Value& v, SourcePos pos) const {
    if (v.is_strict_undefined()) fail(pos, v.undefined_hint());
  }
  bool truthy(const Value& v, SourcePos pos) const {
    check_defined(v, pos);
    return v.truthy();
  }

  Value apply_filter(const std::string& name, const Value& subject, CallArgs& args, SourcePos pos);
  bool apply_test(const std::string& name, const Value& subject, CallArgs& args, SourcePos pos);
  // Methods of str, list, dict and objects: x.upper(), d.items(), loop.cycle(...).
  bool has_method(const Value& obj, std::string_view name) const;
  Value call_method(const Value& obj, const std::string& name, CallArgs& args, SourcePos pos);
  Value get_attr(const Value& obj, const std::string& name, SourcePos pos);
  Value get_item(const Value& obj, const Value& key, SourcePos pos);
  Value call_value(const Value& callee, CallArgs& args, SourcePos pos);

  // Python comparison (<) that raises TypeError-like errors for mixed types.
  bool less(const Value& a, const Value& b, SourcePos pos) const;
  // Items of an iterable: list items, dict keys, string characters.
  std::vector<Value> iterate(const Value& v, SourcePos pos) const;

  // Renders block `name` at `index` of its chain of overrides in a frame below `outer`.
  std::string render_block(const TemplateScope& scope, const std::string& name, size_t index, Frame& outer,
                           SourcePos pos);
  // Output after {% extends %} at the top of a template is dropped; a macro
  // call or block renders its own output all the same.
  bool set_discard(bool d) { return std::exchange(m_discard, d); }

  const std::string& where() const { return m_where; }
  void set_where(const std::string& w) { m_where = w; }

 private:
  const Environment& m_env;
  const Dict* m_context;
  std::string m_where;
  int m_depth = 0;
  int m_eval_depth = 0;
  int64_t m_steps = 0;
  SourcePos m_pos;
  TemplateScope* m_scope = nullptr;
  bool m_discard = false;
  // Imported templates live as long as the render: their macros point into their frames.
  std::vector<std::shared_ptr<Object>> m_modules;
  // Set by {% break %}/{% continue %}: the enclosing render_nodes calls return up
  // to the loop, which clears it.
  enum class LoopControl { none, break_, continue_ } m_loop_control = LoopControl::none;

  void render_node(const Node& n, Frame& frame, std::string& out);
  void render_for(const Node& n, Frame& frame, std::string& out);
  void render_include(const Node& n, Frame& frame, std::string& out);
  std::shared_ptr<const Template> load_named(const Expr& e, Frame& frame, const char* what);
  Value import_module(const Node& n, Frame& frame);
  void render_call_block(const Node& n, Frame& frame, std::string& out);
  void assign(const std::vector<std::string>& targets, const Value& v, Frame& frame, SourcePos pos);
  Value lookup(const std::string& name, Frame& frame) const;
  const Value* lookup_ptr(const std::string& name, const Frame& frame) const;
  Value eval_inner(const Expr& e, Frame& frame);
  Value eval_binary(const Expr& e, Frame& frame);
  Value numeric_binary(const std::string& op, const Value& a, const Value& b, SourcePos pos) const;
  Value repeat(const Value& seq, int64_t times, SourcePos pos) const;
  bool compare(const std::string& op, const Value& a, const Value& b, SourcePos pos);
  Value eval_call(const Expr& e, Frame& frame);
  CallArgs eval_args(const Expr& e, Frame& frame);
  Value eval_slice(const Expr& e, Frame& frame);
};

// Shared helpers for filters and methods.
size_t utf8_length(std::string_view s);
std::vector<std::string> utf8_chars(std::string_view s);

}  // namespace foobar::tmpl
