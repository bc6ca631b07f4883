#include "template/renderer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "template/environment.h"
#include "template/limits.h"
#include "template/number.h"

namespace foobar::tmpl {

const Value* Frame::lookup(std::string_view name) const {
  for (const Frame* f = this; f; f = f->parent)
    for (const auto& [k, v] : f->vars)
      if (k == name) return &v;
  return nullptr;
}

void Frame::set(const std::string& name, Value v) {
  for (auto& [k, old] : vars)
    if (k == name) {
      old = std::move(v);
      return;
    }
  vars.emplace_back(name, std::move(v));
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

std::vector<std::string> utf8_chars(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    size_t j = i + 1;
    while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xc0) == 0x80) ++j;
    out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

namespace {

// A macro defined with {% macro %}; it resolves free names in the frame it was
// defined in, as Jinja2's closures do.
class Macro : public Object {
 public:
  // `node` holds the parameters and body: a {% macro %}, or a {% call %} block as caller().
  Macro(const Node& node, std::string name, Frame* defined_in, std::string where)
      : m_node(node), m_name(std::move(name)), m_frame(defined_in), m_where(std::move(where)) {}
  std::string type_name() const override { return "Macro"; }
  std::string str() const override { return "<Macro '" + m_name + "'>"; }
  bool callable() const override { return true; }

  Value call(Renderer& r, CallArgs& args, SourcePos pos) const override {
    r.step(pos);
    const auto& params = m_node.params;
    if (args.positional.size() > params.size())
r.fail(pos, "macro '" + m_name + "' takes not more than " + std::to_string(params.size()) +
                      " argument(s), got " + std::to_string(args.positional.size()));
    Frame frame{m_frame, {}};
    std::vector<bool> given(params.size(), false);
    for (size_t i = 0; i < args.positional.size(); ++i) {
      frame.vars.emplace_back(params[i].name, std::move(args.positional[i]));
      given[i] = true;
    }
    for (auto& [k, v] : args.keyword) {
      size_t i = 0;
      while (i < params.size() && params[i].name != k) ++i;
      if (i == params.size() && k == "caller") {  // passed by a {% call %} block
        frame.vars.emplace_back(k, std::move(v));
        continue;
      }
      if (i == params.size()) r.fail(pos, "macro '" + m_name + "' takes no keyword argument '" + k + "'");
      if (given[i]) r.fail(pos, "macro '" + m_name + "' got multiple values for argument '" + k + "'");
      frame.vars.emplace_back(k, std::move(v));
      given[i] = true;
    }
    std::string saved = r.where();
    r.set_where(m_where);
    for (size_t i = 0; i < params.size(); ++i) {
      if (given[i]) continue;
      Value v = params[i].default_value
                    ? r.eval(*params[i].default_value, frame)
                    : Value::undefined("parameter '" + params[i].name + "' was not provided");
      frame.vars.emplace_back(params[i].name, std::move(v));
    }
    std::string out;
    bool discard = r.set_discard(false);
    r.render_nodes(m_node.body, frame, out);
    r.set_discard(discard);
    r.set_where(saved);
    return Value(std::move(out));
  }

 private:
  const Node& m_node;
  std::string m_name;
  Frame* m_frame;
  std::string m_where;
};

// super() in a block, and the blocks of `self`: renders one link of a block's chain.
class BlockCall : public Object {
 public:
  BlockCall(const TemplateScope& scope, std::string name, size_t index, Frame& outer)
      : m_scope(scope), m_name(std::move(name)), m_index(index), m_outer(outer) {}
  std::string type_name() const override { return "BlockReference"; }
  std::string str() const override { return "<BlockReference '" + m_name + "'>"; }
  bool callable() const override { return true; }
  Value call(Renderer& r, CallArgs& args, SourcePos pos) const override {
    if (!args.positional.empty() || !args.keyword.empty()) r.fail(pos, "a block reference takes no arguments");
    return Value(r.render_block(m_scope, m_name, m_index, m_outer, pos));
  }

 private:
  const TemplateScope& m_scope;
  std::string m_name;
  size_t m_index;
  Frame& m_outer;
};

// `self`: self.name() renders block `name` as the template's final form has it.
class SelfRef : public Object {
 public:
  SelfRef(const TemplateScope& scope, Frame& top) : m_scope(scope), m_top(top) {}
  std::string type_name() const override { return "TemplateReference"; }
  bool get_attr(std::string_view name, Value& out) const override {
    if (m_scope.blocks.find(name) == m_scope.blocks.end()) return false;
    out = Value(ObjectPtr(std::make_shared<BlockCall>(m_scope, std::string(name), 0, m_top)));
    return true;
  }

 private:
  const TemplateScope& m_scope;
  Frame& m_top;
};

// {% import "x" as m %}: the top-level names (macros and variables) of a rendered template.
class Module : public Object {
 public:
  std::string name;
  std::shared_ptr<const Template> tmpl;
  Frame frame;
  std::string type_name() const override { return "TemplateModule"; }
  std::string str() const override { return "<TemplateModule '" + name + "'>"; }
  bool get_attr(std::string_view attr, Value& out) const override {
    if (attr.empty() || attr[0] == '_') return false;
    for (const auto& [k, v] : frame.vars)
      if (k == attr) {
        out = v;
        return true;
      }
    return false;
  }
};

class Cycle : public Object {
 public:
  explicit Cycle(size_t index0) : m_index0(index0) {}
  std::string type_name() const override { return "method"; }
  bool callable() const override { return true; }
  Value call(Renderer& r, CallArgs& args, SourcePos pos) const override {
    if (args.positional.empty()) r.fail(pos, "loop.cycle() needs at least one argument");
    return args.positional[m_index0 % args.positional.size()];
  }

 private:
  size_t m_index0;
};

class Loop : public Object {
 public:
  explicit Loop(const std::vector<Value>& items) : m_items(items) {}
  size_t index0 = 0;
  std::string type_name() const override { return "LoopContext"; }
  std::string str() const override {
    return "<LoopContext " + std::to_string(index0 + 1) + "/" + std::to_string(m_items.size()) + ">";
  }
  bool get_attr(std::string_view name, Value& out) const override {
    auto n = static_cast<int64_t>(m_items.size());
    auto i = static_cast<int64_t>(index0);
    if (name == "index") out = Value(i + 1);
    else if (name == "index0") out = Value(i);
    else if (name == "revindex") out = Value(n - i);
    else if (name == "revindex0") out = Value(n - i - 1);
    else if (name == "first") out = Value(i == 0);
    else if (name == "last") out = Value(i == n - 1);
    else if (name == "length") out = Value(n);
    else if (name == "depth") out = Value(1);
    else if (name == "depth0") out = Value(0);
    else if (name == "cycle") out = Value(ObjectPtr(std::make_shared<Cycle>(index0)));
    else if (name == "previtem")
      out = i > 0 ? m_items[index0 - 1] : Value::undefined("there is no previous item");
    else if (name == "nextitem")
      out = i + 1 < n ? m_items[index0 + 1] : Value::undefined("there is no next item");
    else return false;
    return true;
  }

 private:
  const std::vector<Value>& m_items;
};

// namespace(): the one mutable object, so loops can carry state out.
class Namespace : public Object {
 public:
  Dict attrs;
  std::string type_name() const override { return "Namespace"; }
  std::string str() const override { return "<Namespace " + py_str(Value(attrs)) + ">"; }
  bool get_attr(std::string_view name, Value& out) const override {
    const Value* v = attrs.find(name);
    if (!v) return false;
    out = *v;
    return true;
  }
  bool set_attr(std::string_view name, Value v) override {
    attrs.set(std::string(name), std::move(v));
    return true;
  }
};

// A global function such as range() or namespace().
class Global : public Object {
 public:
  explicit Global(std::string name) : m_name(std::move(name)) {}
  std::string type_name() const override { return "function"; }
  std::string str() const override { return "<function " + m_name + ">"; }
  bool callable() const override { return true; }
  Value call(Renderer& r, CallArgs& args, SourcePos pos) const override {
    if (m_name == "lookup" || m_name == "query" || m_name == "q")
      r.fail(pos, m_name + "() reads from the controller at render time, which templates here do not do: "
                           "pass the value in as a variable");
    if (m_name == "namespace" || m_name == "dict") {
      Dict d;
      for (auto& v : args.positional) {
        r.check_defined(v, pos);
        if (!v.is_dict()) r.fail(pos, m_name + "() takes a mapping or keyword arguments, got " + v.type_name());
        for (const auto& [k, x] : v.as_dict().items()) d.set(k, x);
      }
      for (auto& [k, v] : args.keyword) d.set(k, std::move(v));
      if (m_name == "dict") return Value(std::move(d));
      auto ns = std::make_shared<Namespace>();
      ns->attrs = std::move(d);
      return Value(ObjectPtr(ns));
    }
    // range(stop) / range(start, stop[, step])
    std::vector<int64_t> a;
    for (auto& v : args.positional) {
      r.check_defined(v, pos);
      if (!v.is_int() && !v.is_bool()) r.fail(pos, "range() expects integers, got " + v.type_name());
      a.push_back(v.as_int());
    }
    if (a.empty() || a.size() > 3) r.fail(pos, "range() expects 1 to 3 integer arguments");
    int64_t start = a.size() > 1 ? a[0] : 0, stop = a.size() > 1 ? a[1] : a[0], step = a.size() > 2 ? a[2] : 1;
    if (step == 0) r.fail(pos, "range() step must not be zero");
    // Wide arithmetic: start + k * step never wraps, and the length is known first.
    __int128 span = step > 0 ? __int128{stop} - start : __int128{start} - stop;
    __int128 abs_step = step > 0 ? __int128{step} : -__int128{step};
    __int128 count = span <= 0 ? 0 : (span + abs_step - 1) / abs_step;
    if (count > static_cast<__int128>(kMaxListItems))
      r.fail(pos, "range() is too large (more than " + std::to_string(kMaxListItems) + " items)");
    std::vector<Value> out;
    out.reserve(static_cast<size_t>(count));
    for (__int128 k = 0; k < count; ++k) out.emplace_back(static_cast<int64_t>(start + k * step));
    return Value(std::move(out));
  }

 private:
  std::string m_name;
};

}  // namespace

// ---- statements ----

void Renderer::fail(SourcePos pos, std::string message) const { throw RenderError{m_where, pos, std::move(message)}; }

void Renderer::check_string_size(size_t n, SourcePos pos) const {
  if (n > kMaxStringBytes) fail(pos, "string too large (more than 64 MiB)");
}

void Renderer::check_list_size(size_t n, SourcePos pos) const {
  if (n > kMaxListItems) fail(pos, "list too large (more than " + std::to_string(kMaxListItems) + " items)");
}

void Renderer::step(SourcePos pos, int64_t cost) {
  m_steps += cost;
  if (m_steps > kMaxSteps)
    fail(pos, "the template runs too long (more than " + std::to_string(kMaxSteps) + " loop iterations and macro calls)");
}

void Renderer::render_template(const Template& t, Frame& frame, std::string& out) {
  std::string saved = m_where;
  TemplateScope scope;
  scope.top = &frame;
  TemplateScope* saved_scope = std::exchange(m_scope, &scope);
  bool saved_discard = std::exchange(m_discard, false);
  // Each {% extends %} hands the rest of the render to the parent, which sees
  // the same top-level frame and the blocks of all templates below it.
  std::shared_ptr<const Template> keep;
  for (const Template* cur = &t; cur;) {
    for (const Node* b : cur->blocks) scope.blocks[b->text].push_back({b, cur->name});
    m_where = cur->name;
    render_nodes(cur->body, frame, out);
    m_discard = false;
    keep = std::move(scope.parent);
    cur = keep.get();
  }
  m_scope = saved_scope;
  m_discard = saved_discard;
  m_where = saved;
}

std::string Renderer::render_block(const TemplateScope& scope, const std::string& name, size_t index, Frame& outer,
                                   SourcePos pos) {
  auto it = scope.blocks.find(name);
  if (it == scope.blocks.end() || index >= it->second.size())
    fail(pos, "there is no parent block called '" + name + "'");
  const BlockRef& b = it->second[index];
  if (b.node->required)
    fail(b.node->pos, "required block '" + name + "' is not defined by any template that extends '" + b.where + "'");
  Frame* parent = &outer;
  Frame frame{parent, {}};
  frame.vars.emplace_back("super", Value(ObjectPtr(std::make_shared<BlockCall>(scope, name, index + 1, *parent))));
  std::string saved = std::exchange(m_where, b.where);
  bool discard = std::exchange(m_discard, false);
  std::string out;
  render_nodes(b.node->body, frame, out);
  m_discard = discard;
  m_where = saved;
  return out;
}

std::shared_ptr<const Template> Renderer::load_named(const Expr& e, Frame& frame, const char* what) {
  Value name = eval(e, frame);
  check_defined(name, e.pos);
  if (!name.is_string()) fail(e.pos, std::string(what) + " expects a template name (a string), got " + name.type_name());
  auto t = m_env.load(name.as_string());
  if (!t) {
    const Diagnostic& d = t.error();
    // A missing or refused name is reported here; a syntax error where it is.
    if (d.pos.line == 0) fail(e.pos, d.message);
    throw RenderError{d.where, d.pos, d.message};
  }
  return t.value();
}

Value Renderer::import_module(const Node& n, Frame& frame) {
  auto mod = std::make_shared<Module>();
  mod->tmpl = load_named(*n.expr, frame, "import");
  mod->name = mod->tmpl->name;
  // Without context (the default) the imported template sees no variables of this render.
  mod->frame.parent = n.with_context ? &frame : nullptr;
  mod->frame.sees_context = n.with_context;
  m_modules.push_back(mod);
  std::string discarded;
  render_template(*mod->tmpl, mod->frame, discarded);
  return Value(ObjectPtr(mod));
}

void Renderer::render_call_block(const Node& n, Frame& frame, std::string& out) {
  const Expr& call = *n.expr;
  Value fn = eval(*call.args[0], frame);
  CallArgs args = eval_args(call, frame);
  args.keyword.emplace_back("caller", Value(ObjectPtr(std::make_shared<Macro>(n, "caller", &frame, m_where))));
  Value v = call_value(fn, args, call.pos);
  check_defined(v, call.pos);
  if (!m_discard) append_str(out, v);
}

void Renderer::render_nodes(const NodeList& nodes, Frame& frame, std::string& out) {
  if (++m_depth > kMaxDepth)
    fail(nodes.empty() ? m_pos : nodes[0]->pos,
         "recursion too deep (more than " + std::to_string(kMaxDepth) + " nested blocks, includes or macro calls)");
  for (const auto& n : nodes) {
    m_pos = n->pos;
    render_node(*n, frame, out);
    if (out.size() > kMaxStringBytes) fail(n->pos, "the output is too large (more than 64 MiB)");
    if (m_loop_control != LoopControl::none) break;
  }
  --m_depth;
}

void Renderer::render_node(const Node& n, Frame& frame, std::string& out) {
  switch (n.kind) {
    case NodeKind::text:
      if (!m_discard) out += n.text;
      return;
    case NodeKind::break_: m_loop_control = LoopControl::break_; return;
    case NodeKind::continue_: m_loop_control = LoopControl::continue_; return;
    case NodeKind::output: {
      if (m_discard) return;
      Value v = eval(*n.expr, frame);
      check_defined(v, n.expr->pos);
      append_str(out, v);
      return;
    }
    case NodeKind::if_:
      for (const auto& [cond, body] : n.branches) {
        if (!cond || truthy(eval(*cond, frame), cond->pos)) {
          render_nodes(body, frame, out);
          return;
        }
      }
      return;
    case NodeKind::for_: render_for(n, frame, out); return;
    case NodeKind::set: {
      Value v = eval(*n.expr, frame);
      if (n.expr2) {
        Value target = eval(*n.expr2, frame);
        check_defined(target, n.expr2->pos);
        if (!target.is_object() || !target.as_object()->set_attr(n.text, std::move(v)))
          fail(n.expr2->pos, "cannot assign attribute '" + n.text + "' on " + target.type_name() +
                                 ": only namespace() objects can be changed");
        return;
      }
      assign(n.targets, v, frame, n.expr->pos);
      return;
    }
    case NodeKind::set_block: {
      std::string captured;
      render_nodes(n.body, frame, captured);
      Value v(std::move(captured));
      if (n.expr2) {
        // The filter chain was parsed with a null subject at its innermost link.
        const Expr* inner = n.expr2.get();
        (void)inner;
      }
      if (n.expr2) {
        std::vector<const Expr*> chain;
        for (const Expr* f = n.expr2.get(); f; f = f->args[0].get()) chain.push_back(f);
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
          CallArgs args = eval_args(**it, frame);
          v = apply_filter((*it)->name, v, args, (*it)->pos);
        }
      }
      frame.set(n.targets[0], std::move(v));
      return;
    }
    case NodeKind::include: render_include(n, frame, out); return;
    case NodeKind::macro:
      frame.set(n.text, Value(ObjectPtr(std::make_shared<Macro>(n, n.text, &frame, m_where))));
      return;
    case NodeKind::extends: {
      if (m_scope->parent) fail(n.pos, "the template extends another one twice ({% extends %} reached again)");
      m_scope->parent = load_named(*n.expr, frame, "extends");
      m_discard = true;
      return;
    }
    case NodeKind::block:
      if (m_discard) return;
      // A block sees the template's top-level names; one marked scoped where it
      // is rendered also sees those around it, whichever template overrides it.
      out += render_block(*m_scope, n.text, 0, n.scoped ? frame : *m_scope->top, n.pos);
      return;
    case NodeKind::import_: frame.set(n.text, import_module(n, frame)); return;
    case NodeKind::from_import: {
      Value mod = import_module(n, frame);
      for (size_t i = 0; i < n.targets.size(); ++i) {
        Value v;
        if (!mod.as_object()->get_attr(n.targets[i], v))
          v = Value::undefined("the template " + py_repr(Value(static_cast<const Module&>(*mod.as_object()).name)) +
                               " (imported on line " + std::to_string(n.pos.line) +
                               ") does not export the requested name '" + n.targets[i] + "'");
        frame.set(n.aliases[i], std::move(v));
      }
      return;
    }
    case NodeKind::call_block: render_call_block(n, frame, out); return;
    case NodeKind::filter_block: {
      std::string captured;
      render_nodes(n.body, frame, captured);
      Value v(std::move(captured));
      std::vector<const Expr*> chain;
      for (const Expr* f = n.expr2.get(); f; f = f->args[0].get()) chain.push_back(f);
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        CallArgs args = eval_args(**it, frame);
        v = apply_filter((*it)->name, v, args, (*it)->pos);
      }
      check_defined(v, n.pos);
      if (!m_discard) append_str(out, v);
      return;
    }
    case NodeKind::with: {
      Frame inner{&frame, {}};
      for (const auto& p : n.params) inner.set(p.name, eval(*p.default_value, frame));
      render_nodes(n.body, inner, out);
      return;
    }
  }
}

void Renderer::assign(const std::vector<std::string>& targets, const Value& v, Frame& frame, SourcePos pos) {
  if (targets.size() == 1) {
    frame.set(targets[0], v);
    return;
  }
  check_defined(v, pos);
  std::vector<Value> items = iterate(v, pos);
  if (items.size() != targets.size())
    fail(pos, "cannot unpack " + std::to_string(items.size()) + " value(s) into " +
                  std::to_string(targets.size()) + " variables");
  for (size_t i = 0; i < targets.size(); ++i) frame.set(targets[i], items[i]);
}

void Renderer::render_for(const Node& n, Frame& frame, std::string& out) {
  Value seq = eval(*n.expr, frame);
  check_defined(seq, n.expr->pos);
  std::vector<Value> items = iterate(seq, n.expr->pos);
  Frame body{&frame, {}};
  if (n.expr2) {
    std::vector<Value> kept;
    for (auto& item : items) {
      body.vars.clear();
      assign(n.targets, item, body, n.expr->pos);
      if (truthy(eval(*n.expr2, body), n.expr2->pos)) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  if (items.empty()) {
    render_nodes(n.else_body, frame, out);
    return;
  }
  auto loop = std::make_shared<Loop>(items);
  Value loop_value{ObjectPtr(loop)};
  for (size_t i = 0; i < items.size(); ++i) {
    step(n.pos);
    loop->index0 = i;
    body.vars.clear();
    body.vars.emplace_back("loop", loop_value);
    assign(n.targets, items[i], body, n.expr->pos);
    render_nodes(n.body, body, out);
    LoopControl control = std::exchange(m_loop_control, LoopControl::none);
    if (control == LoopControl::break_) break;
  }
}

void Renderer::render_include(const Node& n, Frame& frame, std::string& out) {
  Value name = eval(*n.expr, frame);
  check_defined(name, n.expr->pos);
  std::vector<Value> names = name.is_list() ? name.as_list().items : std::vector<Value>{name};
  Diagnostics errors;
  for (const auto& candidate : names) {
    if (!candidate.is_string())
      fail(n.expr->pos, "include expects a template name (a string), got " + candidate.type_name());
    auto t = m_env.load(candidate.as_string());
    if (!t) {
      // A missing file may be skipped or replaced by the next candidate;
      // a syntax error in an existing file never is.
      const Diagnostic& d = t.error();
      bool missing = d.pos.line == 0;
      if (!missing) throw RenderError{d.where, d.pos, d.message};
      errors.push_back(d);
      continue;
    }
    Frame inner{n.with_context ? &frame : nullptr, {}, n.with_context};
    // Jinja2 does not pass the enclosing loop object into included templates.
    if (frame.lookup("loop")) inner.set("loop", Value::undefined("'loop' is undefined"));
    render_template(*t.value(), inner, out);
    return;
  }
  if (n.ignore_missing) return;
  fail(n.pos, names.size() == 1 ? errors.front().message
                                : "none of the templates " + py_str(name) + " could be found");
}

// ---- expressions ----

const Value* Renderer::lookup_ptr(const std::string& name, const Frame& frame) const {
  const Frame* f = &frame;
  for (;; f = f->parent) {
    for (const auto& [k, v] : f->vars)
      if (k == name) return &v;
    if (!f->parent) break;
  }
  return m_context && f->sees_context ? m_context->find(name) : nullptr;
}

Value Renderer::lookup(const std::string& name, Frame& frame) const {
  if (const Value* v = lookup_ptr(name, frame)) return *v;
  if (name == "range" || name == "namespace" || name == "dict" || name == "lookup" || name == "query" || name == "q")
    return Value(ObjectPtr(std::make_shared<Global>(name)));
  if (name == "self" && m_scope) return Value(ObjectPtr(std::make_shared<SelfRef>(*m_scope, *m_scope->top)));
  return Value::undefined("'" + name + "' is undefined");
}

CallArgs Renderer::eval_args(const Expr& e, Frame& frame) {
  CallArgs a;
  a.positional.reserve(e.args.size());
  for (size_t i = 1; i < e.args.size(); ++i) a.positional.push_back(eval(*e.args[i], frame));
  for (const auto& [k, v] : e.kwargs) a.keyword.emplace_back(k, eval(*v, frame));
  return a;
}

Value Renderer::eval(const Expr& e, Frame& frame) {
  // Parsed expressions are bounded in depth, but macros nest them.
  struct Guard {
    int& depth;
    ~Guard() { --depth; }
  } guard{++m_eval_depth};
  if (m_eval_depth > kMaxDepth * kMaxExprDepth / 4) fail(e.pos, "expression evaluation nested too deeply");
  return eval_inner(e, frame);
}

Value Renderer::eval_inner(const Expr& e, Frame& frame) {
  switch (e.kind) {
    case ExprKind::literal: return e.literal;
    case ExprKind::name: return lookup(e.name, frame);
    case ExprKind::list:
    case ExprKind::tuple: {
      std::vector<Value> items;
      items.reserve(e.args.size());
      for (const auto& a : e.args) items.push_back(eval(*a, frame));
      return Value(std::move(items), e.kind == ExprKind::tuple);
    }
    case ExprKind::dict: {
      Dict d;
      for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
        Value k = eval(*e.args[i], frame);
        check_defined(k, e.args[i]->pos);
        if (!k.is_string()) fail(e.args[i]->pos, "dict keys must be strings here, got " + k.type_name());
        d.set(k.as_string(), eval(*e.args[i + 1], frame));
      }
      return Value(std::move(d));
    }
    case ExprKind::attr: {
      // `h.name` on a variable: look at the variable in place instead of copying it.
      if (e.args[0]->kind == ExprKind::name)
        if (const Value* base = lookup_ptr(e.args[0]->name, frame)) return get_attr(*base, e.name, e.pos);
      Value obj = eval(*e.args[0], frame);
      return get_attr(obj, e.name, e.pos);
    }
    case ExprKind::item: {
      Value obj = eval(*e.args[0], frame);
      return get_item(obj, eval(*e.args[1], frame), e.pos);
    }
    case ExprKind::slice: return eval_slice(e, frame);
    case ExprKind::call: return eval_call(e, frame);
    case ExprKind::filter: {
      Value subject = eval(*e.args[0], frame);
      CallArgs args = eval_args(e, frame);
      return apply_filter(e.name, subject, args, e.pos);
    }
    case ExprKind::test: {
      Value subject = eval(*e.args[0], frame);
      CallArgs args = eval_args(e, frame);
      return Value(apply_test(e.name, subject, args, e.pos) != e.negated);
    }
    case ExprKind::not_: return Value(!truthy(eval(*e.args[0], frame), e.args[0]->pos));
    case ExprKind::neg:
    case ExprKind::pos: {
      Value v = eval(*e.args[0], frame);
      check_defined(v, e.args[0]->pos);
      if (!v.is_number())
        fail(e.pos, std::string("bad operand type for unary ") + (e.kind == ExprKind::neg ? "-" : "+") + ": '" +
                        v.type_name() + "'");
      if (e.kind == ExprKind::pos) return v.is_bool() ? Value(v.as_int()) : v;
      if (v.is_real()) return Value(-v.as_double());
      auto r = int_neg(v.as_int());
      if (!r) fail(e.pos, int_overflow_message("-(" + py_str(v) + ")"));
      return Value(*r);
    }
    case ExprKind::binary: return eval_binary(e, frame);
    case ExprKind::compare: {
      Value left = eval(*e.args[0], frame);
      for (size_t i = 0; i < e.ops.size(); ++i) {
        Value right = eval(*e.args[i + 1], frame);
        if (!compare(e.ops[i], left, right, e.args[i + 1]->pos)) return Value(false);
        left = std::move(right);
      }
      return Value(true);
    }
    case ExprKind::and_: {
      Value l = eval(*e.args[0], frame);
      if (!truthy(l, e.args[0]->pos)) return l;
      return eval(*e.args[1], frame);
    }
    case ExprKind::or_: {
      Value l = eval(*e.args[0], frame);
      if (truthy(l, e.args[0]->pos)) return l;
      return eval(*e.args[1], frame);
    }
    case ExprKind::cond: {
      if (truthy(eval(*e.args[1], frame), e.args[1]->pos)) return eval(*e.args[0], frame);
      if (e.args[2]) return eval(*e.args[2], frame);
      return Value::lenient_undefined("the inline if-expression on line " + std::to_string(e.pos.line) +
                              " evaluated to false and no else section was defined");
    }
  }
  return Value();
}

Value Renderer::eval_call(const Expr& e, Frame& frame) {
  const Expr& callee = *e.args[0];
  if (callee.kind == ExprKind::attr) {
    Value obj = eval(*callee.args[0], frame);
    check_defined(obj, callee.args[0]->pos);
    if (has_method(obj, callee.name)) {
      CallArgs args = eval_args(e, frame);
      return call_method(obj, callee.name, args, e.pos);
    }
    Value fn = get_attr(obj, callee.name, callee.pos);
    CallArgs args = eval_args(e, frame);
    return call_value(fn, args, e.pos);
  }
  Value fn = eval(callee, frame);
  CallArgs args = eval_args(e, frame);
  return call_value(fn, args, e.pos);
}

Value Renderer::call_value(const Value& fn, CallArgs& args, SourcePos pos) {
  check_defined(fn, pos);
  if (!fn.is_object() || !fn.as_object()->callable()) fail(pos, "'" + fn.type_name() + "' object is not callable");
  return fn.as_object()->call(*this, args, pos);
}

static const char* object_kind(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::dict: return "dict object";
    case Value::Kind::list: return v.as_list().tuple ? "tuple object" : "list object";
    case Value::Kind::string: return "str object";
    case Value::Kind::integer: return "int object";
    case Value::Kind::real: return "float object";
    case Value::Kind::boolean: return "bool object";
    case Value::Kind::none: return "None";
    default: return "object";
  }
}

Value Renderer::get_attr(const Value& obj, const std::string& name, SourcePos pos) {
  check_defined(obj, pos);
  if (obj.is_object()) {
    Value out;
    if (obj.as_object()->get_attr(name, out)) return out;
  } else if (obj.is_dict()) {
    const Value* v = obj.as_dict().find(name);
    if (v && !has_method(obj, name)) return *v;
  }
  if (has_method(obj, name)) {
    fail(pos, "'" + name + "' is a method of " + object_kind(obj) + ": call it as ." + name + "()");
  }
  return Value::undefined(std::string("'") + object_kind(obj) + "' has no attribute '" + name + "'");
}

Value Renderer::get_item(const Value& obj, const Value& key, SourcePos pos) {
  check_defined(obj, pos);
  check_defined(key, pos);
  if (obj.is_dict()) {
    if (key.is_string()) {
      if (const Value* v = obj.as_dict().find(key.as_string())) return *v;
      return Value::undefined("'dict object' has no attribute '" + key.as_string() + "'");
    }
    return Value::undefined("'dict object' has no attribute " + py_repr(key));
  }
  if ((obj.is_list() || obj.is_string()) && (key.is_int() || key.is_bool())) {
    int64_t i = key.as_int();
    if (obj.is_list()) {
      auto n = static_cast<int64_t>(obj.as_list().items.size());
      if (i < 0) i += n;
      if (i < 0 || i >= n)
        return Value::undefined(std::string("'") + object_kind(obj) + "' has no element " + py_str(key));
      return obj.as_list().items[static_cast<size_t>(i)];
    }
    auto chars = utf8_chars(obj.as_string());
    auto n = static_cast<int64_t>(chars.size());
    if (i < 0) i += n;
    if (i < 0 || i >= n) return Value::undefined("'str object' has no element " + py_str(key));
    return Value(chars[static_cast<size_t>(i)]);
  }
  if (key.is_string()) return get_attr(obj, key.as_string(), pos);
  return Value::undefined(std::string("'") + object_kind(obj) + "' has no element " + py_repr(key));
}

Value Renderer::eval_slice(const Expr& e, Frame& frame) {
  Value obj = eval(*e.args[0], frame);
  check_defined(obj, e.args[0]->pos);
  int64_t part[3];
  bool given[3];
  for (int i = 0; i < 3; ++i) {
    given[i] = false;
    if (!e.args[i + 1]) continue;
    Value v = eval(*e.args[i + 1], frame);
    check_defined(v, e.args[i + 1]->pos);
    if (v.is_none()) continue;
    if (!v.is_int() && !v.is_bool()) fail(e.args[i + 1]->pos, "slice indices must be integers or None, got " + v.type_name());
    part[i] = v.as_int();
    given[i] = true;
  }
  std::vector<Value> items;
  std::vector<std::string> chars;
  bool is_str = obj.is_string();
  if (is_str) chars = utf8_chars(obj.as_string());
  else if (obj.is_list()) items = obj.as_list().items;
  else fail(e.pos, "'" + obj.type_name() + "' object is not subscriptable with a slice");
  auto n = static_cast<int64_t>(is_str ? chars.size() : items.size());
  int64_t step = given[2] ? part[2] : 1;
  if (step == 0) fail(e.pos, "slice step cannot be zero");
  auto clamp = [&](int64_t v, bool is_given, int64_t dflt) {
    if (!is_given) return dflt;
    if (v < 0) v += n;
    if (step > 0) return std::clamp<int64_t>(v, 0, n);
    return std::clamp<int64_t>(v, -1, n - 1);
  };
  int64_t start = clamp(part[0], given[0], step > 0 ? 0 : n - 1);
  int64_t stop = clamp(part[1], given[1], step > 0 ? n : -1);
  std::vector<Value> out_items;
  std::string out_str;
  for (__int128 i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (is_str) out_str += chars[static_cast<size_t>(i)];
    else out_items.push_back(items[static_cast<size_t>(i)]);
  }
  if (is_str) return Value(std::move(out_str));
  return Value(std::move(out_items), obj.as_list().tuple);
}

namespace {

bool is_numeric(const Value& v) { return v.is_number(); }

double py_fmod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

}  // namespace

// Arithmetic on two numbers, as Python does it (ints exact and overflow-checked).
Value Renderer::numeric_binary(const std::string& op, const Value& a, const Value& b, SourcePos pos) const {
  bool real = a.is_real() || b.is_real();
  if (op == "/") {
    if (b.as_double() == 0) fail(pos, "division by zero");
    return Value(a.as_double() / b.as_double());
  }
  if (op == "**") {
    if (!real && b.as_int() >= 0) {
      auto r = int_pow(a.as_int(), b.as_int());
      if (!r) fail(pos, int_overflow_message(py_str(a) + " ** " + py_str(b)));
      return Value(*r);
    }
    double x = a.as_double(), y = b.as_double();
    if (x == 0 && y < 0) fail(pos, "0.0 cannot be raised to a negative power");
    if (x < 0 && std::isfinite(y) && y != std::floor(y))
      fail(pos, "a negative number raised to a fractional power is a complex number, not supported here");
    double r = std::pow(x, y);
    if (std::isinf(r) && std::isfinite(x) && std::isfinite(y)) fail(pos, "float overflow: " + py_str(a) + " ** " + py_str(b));
    return Value(r);
  }
  if (real) {
    double x = a.as_double(), y = b.as_double();
    if (op == "+") return Value(x + y);
    if (op == "-") return Value(x - y);
    if (op == "*") return Value(x * y);
    if (y == 0) fail(pos, "float division by zero");
    if (op == "//") return Value(std::floor(x / y));
    if (op == "%") return Value(py_fmod(x, y));
  } else {
    int64_t x = a.as_int(), y = b.as_int();
    std::optional<int64_t> r;
    if (op == "+") r = int_add(x, y);
    else if (op == "-") r = int_sub(x, y);
    else if (op == "*") r = int_mul(x, y);
    else if (y == 0) fail(pos, "integer division or modulo by zero");
    else if (op == "//") r = int_floordiv(x, y);
    else if (op == "%") r = int_mod(x, y);
    if (!r) fail(pos, int_overflow_message(py_str(a) + " " + op + " " + py_str(b)));
    return Value(*r);
  }
  fail(pos, "unsupported operand type(s) for " + op + ": '" + a.type_name() + "' and '" + b.type_name() + "'");
}

// A string or list repeated `times` times (Python's `seq * n`), within the size limits.
Value Renderer::repeat(const Value& seq, int64_t times, SourcePos pos) const {
  auto n = static_cast<size_t>(std::max<int64_t>(0, times));
  size_t unit = seq.is_string() ? seq.as_string().size() : seq.as_list().items.size();
  // Checked before anything is allocated: unit * n may not even fit in size_t.
  if (unit != 0 && n > (seq.is_string() ? kMaxStringBytes : kMaxListItems) / unit) {
    if (seq.is_string()) check_string_size(kMaxStringBytes + 1, pos);
    check_list_size(kMaxListItems + 1, pos);
  }
  if (unit == 0) n = 0;
  if (seq.is_string()) {
    std::string s;
    s.reserve(unit * n);
    for (size_t i = 0; i < n; ++i) s += seq.as_string();
    return Value(std::move(s));
  }
  std::vector<Value> items;
  items.reserve(unit * n);
  for (size_t i = 0; i < n; ++i) items.insert(items.end(), seq.as_list().items.begin(), seq.as_list().items.end());
  return Value(std::move(items), seq.as_list().tuple);
}

Value Renderer::eval_binary(const Expr& e, Frame& frame) {
  Value a = eval(*e.args[0], frame);
  Value b = eval(*e.args[1], frame);
  check_defined(a, e.args[0]->pos);
  check_defined(b, e.args[1]->pos);
  const std::string& op = e.name;
  if (op == "~") {
    std::string s = py_str(a);
    append_str(s, b);
    check_string_size(s.size(), e.pos);
    return Value(std::move(s));
  }
  if (is_numeric(a) && is_numeric(b)) return numeric_binary(op, a, b, e.pos);
  if (op == "+" && a.is_string() && b.is_string()) {
    check_string_size(a.as_string().size() + b.as_string().size(), e.pos);
    return Value(a.as_string() + b.as_string());
  }
  if (op == "+" && a.is_list() && b.is_list() && a.as_list().tuple == b.as_list().tuple) {
    check_list_size(a.as_list().items.size() + b.as_list().items.size(), e.pos);
    std::vector<Value> items = a.as_list().items;
    items.insert(items.end(), b.as_list().items.begin(), b.as_list().items.end());
    return Value(std::move(items), a.as_list().tuple);
  }
  if (op == "*" && (a.is_string() || a.is_list() || b.is_string() || b.is_list()) &&
      ((a.is_int() || a.is_bool()) || (b.is_int() || b.is_bool()))) {
    const Value& seq = (a.is_string() || a.is_list()) ? a : b;
    const Value& count = (a.is_string() || a.is_list()) ? b : a;
    if (count.is_int() || count.is_bool()) return repeat(seq, count.as_int(), e.pos);
  }
  if (op == "%" && a.is_string()) {
    CallArgs args;
    if (b.is_list() && b.as_list().tuple) args.positional = b.as_list().items;
    else args.positional.push_back(b);
    return apply_filter("format", a, args, e.pos);
  }
  fail(e.pos, "unsupported operand type(s) for " + op + ": '" + a.type_name() + "' and '" + b.type_name() + "'");
}

bool Renderer::less(const Value& a, const Value& b, SourcePos pos) const {
  check_defined(a, pos);
  check_defined(b, pos);
  if (a.is_number() && b.is_number()) {
    if (a.is_real() || b.is_real()) return a.as_double() < b.as_double();
    return a.as_int() < b.as_int();
  }
  if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();
  if (a.is_list() && b.is_list() && a.as_list().tuple == b.as_list().tuple) {
    ValueWalk level;
    const auto& x = a.as_list().items;
    const auto& y = b.as_list().items;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (py_equal(x[i], y[i])) continue;
      return less(x[i], y[i], pos);
    }
    return x.size() < y.size();
  }
  fail(pos, "'<' not supported between instances of '" + a.type_name() + "' and '" + b.type_name() + "'");
}

bool Renderer::compare(const std::string& op, const Value& a, const Value& b, SourcePos pos) {
  check_defined(a, pos);
  check_defined(b, pos);
  if (op == "==") return py_equal(a, b);
  if (op == "!=") return !py_equal(a, b);
  if (op == "<") return less(a, b, pos);
  if (op == ">") return less(b, a, pos);
  if (op == "<=") return less(a, b, pos) || py_equal(a, b);
  if (op == ">=") return less(b, a, pos) || py_equal(a, b);
  // in / not in
  bool found = false;
  if (b.is_string()) {
    if (!a.is_string()) fail(pos, "'in <string>' requires string as left operand, not " + a.type_name());
    found = b.as_string().find(a.as_string()) != std::string::npos;
  } else if (b.is_dict()) {
    found = a.is_string() && b.as_dict().find(a.as_string()) != nullptr;
  } else if (b.is_list()) {
    for (const auto& x : b.as_list().items)
      if (py_equal(a, x)) {
        found = true;
        break;
      }
  } else {
    fail(pos, "argument of type '" + b.type_name() + "' is not iterable");
  }
  return op == "in" ? found : !found;
}

std::vector<Value> Renderer::iterate(const Value& v, SourcePos pos) const {
  check_defined(v, pos);
  if (v.is_list()) return v.as_list().items;
  if (v.is_undefined()) return {};
  std::vector<Value> out;
  if (v.is_dict()) {
    for (const auto& kv : v.as_dict().items()) out.emplace_back(kv.first);
    return out;
  }
  if (v.is_string()) {
    for (auto& c : utf8_chars(v.as_string())) out.emplace_back(std::move(c));
    return out;
  }
  fail(pos, "'" + v.type_name() + "' object is not iterable");
}

}  // namespace foobar::tmpl
