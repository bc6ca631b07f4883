#include "template/parser.h"

#include <algorithm>
#include <set>

#include "template/builtins.h"
#include "template/limits.h"

namespace foobar::tmpl {
namespace {

// Unwinds the recursive descent to parse(), which turns it into a Diagnostic.
struct ParseError {
  SourcePos pos;
  std::string message;
};

std::string pos_str(SourcePos p) { return std::to_string(p.line) + ":" + std::to_string(p.column); }

// An open block waiting for its end tag, for "expected 'endfor'" messages.
struct OpenBlock {
  std::string tag;
  SourcePos pos;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::string& name) : m_toks(std::move(tokens)), m_name(name) {}

  std::shared_ptr<Template> run() {
    auto t = std::make_shared<Template>();
    t->name = m_name;
    t->body = parse_body({});
    t->blocks = std::move(m_blocks);
    return t;
  }

 private:
  std::vector<Token> m_toks;
  const std::string& m_name;
  size_t m_i = 0;
  std::vector<OpenBlock> m_open;
  std::vector<const Node*> m_blocks;

  const Token& cur() const { return m_toks[m_i]; }
  const Token& peek(size_t n = 1) const { return m_toks[std::min(m_i + n, m_toks.size() - 1)]; }
  const Token& next() { return m_toks[m_i < m_toks.size() - 1 ? m_i++ : m_i]; }

  [[noreturn]] void fail(SourcePos pos, std::string msg) { throw ParseError{pos, std::move(msg)}; }

  // Bounds the recursion of the parser (nested blocks and parentheses) and the
  // height of each expression tree, which the renderer walks recursively.
  struct DepthGuard {
    int& depth;
    ~DepthGuard() { --depth; }
  };
  int m_depth = 0;
  int m_loops = 0;  // for bodies around the statement being parsed
  DepthGuard nest(SourcePos pos, const char* what) {
    if (++m_depth > kMaxDepth) fail(pos, std::string(what) + " nested too deeply (more than " + std::to_string(kMaxDepth) + " levels)");
    return DepthGuard{m_depth};
  }
  // Sets e's height from its operands; left-leaning chains (a + b + c, x.a.b,
  // x | f | g) grow it without recursion in the parser.
  ExprPtr sealed(ExprPtr e) {
    int h = 0;
    for (const auto& a : e->args)
      if (a) h = std::max(h, a->height);
    for (const auto& [k, v] : e->kwargs) h = std::max(h, v->height);
    e->height = h + 1;
    if (e->height > kMaxExprDepth)
      fail(e->pos, "expression nested too deeply (more than " + std::to_string(kMaxExprDepth) + " levels)");
    return e;
  }

  static std::string describe(const Token& t) {
    switch (t.type) {
      case Tok::name: return "'" + t.text + "'";
      case Tok::op: return "'" + t.text + "'";
      case Tok::string: return "string";
      case Tok::integer: case Tok::real: return "number '" + t.text + "'";
      default: return token_description(t);
    }
  }

  bool is_op(const char* op) const { return cur().type == Tok::op && cur().text == op; }
  bool is_name(const char* n) const { return cur().type == Tok::name && cur().text == n; }
  bool skip_op(const char* op) {
    if (!is_op(op)) return false;
    next();
    return true;
  }
  bool skip_name(const char* n) {
    if (!is_name(n)) return false;
    next();
    return true;
  }
  void expect_op(const char* op) {
    if (!skip_op(op)) fail(cur().pos, std::string("expected '") + op + "', got " + describe(cur()));
  }
  std::string expect_name(const char* what) {
    if (cur().type != Tok::name) fail(cur().pos, std::string("expected ") + what + ", got " + describe(cur()));
    return next().text;
  }
  void expect_block_end(const std::string& tag) {
    if (cur().type != Tok::block_end)
      fail(cur().pos, "expected end of '" + tag + "' statement '%}', got " + describe(cur()));
    next();
  }

  // ---- statements ----

  std::string close_hint(const std::vector<std::string>& ends) const {
    std::string s;
    for (size_t i = 0; i < ends.size(); ++i) s += (i ? (i + 1 == ends.size() ? " or '" : ", '") : "'") + ends[i] + "'";
    if (!m_open.empty()) s += " to close '" + m_open.back().tag + "' opened at " + pos_str(m_open.back().pos);
    return s;
  }

  // Parses until a block tag named in `ends` (left unconsumed) or the end.
  NodeList parse_body(const std::vector<std::string>& ends) {
    NodeList body;
    while (true) {
      const Token& t = cur();
      if (t.type == Tok::eof) {
        if (!ends.empty()) fail(t.pos, "unexpected end of template: expected " + close_hint(ends));
        return body;
      }
      if (t.type == Tok::data) {
        auto n = std::make_unique<Node>();
        n->kind = NodeKind::text;
        n->pos = t.pos;
        n->text = t.text;
        body.push_back(std::move(n));
        next();
      } else if (t.type == Tok::var_begin) {
        auto n = std::make_unique<Node>();
        n->kind = NodeKind::output;
        n->pos = t.pos;
        next();
        if (cur().type == Tok::var_end) fail(cur().pos, "expected an expression, got end of print statement");
        n->expr = parse_expression();
        if (cur().type != Tok::var_end) fail(cur().pos, "expected end of print statement '}}', got " + describe(cur()));
        next();
        body.push_back(std::move(n));
      } else if (t.type == Tok::block_begin) {
        const Token& kw = peek();
        if (kw.type != Tok::name) fail(kw.pos, "expected a statement name after '{%', got " + describe(kw));
        for (const auto& e : ends)
          if (kw.text == e) return body;
        SourcePos tag_pos = t.pos;
        next();
        body.push_back(parse_statement(tag_pos));
      } else {
        fail(t.pos, "unexpected " + describe(t));
      }
    }
  }

  // Consumes `{% name` of an end tag found by parse_body.
  std::string take_end_tag() {
    next();
    return next().text;
  }

  // `pos` is the position of the `{%` that opens the statement.
  NodePtr parse_statement(SourcePos pos) {
    auto guard = nest(pos, "blocks");
    const Token& kw = next();
    std::string k = kw.text;
    if (k == "if") return parse_if(pos);
    if (k == "for") return parse_for(pos);
    if (k == "set") return parse_set(pos);
    if (k == "include") return parse_include(pos);
    if (k == "macro") return parse_macro(pos);
    if (k == "filter") return parse_filter_block(pos);
    if (k == "with") return parse_with(pos);
    if (k == "extends") {
      auto n = make(NodeKind::extends, pos);
      n->expr = parse_expression();
      expect_block_end("extends");
      return n;
    }
    if (k == "block") return parse_block(pos);
    if (k == "import") return parse_import(pos);
    if (k == "from") return parse_from_import(pos);
    if (k == "call") return parse_call_block(pos);
    if (k == "break" || k == "continue") {
      // As Jinja2's loopcontrols: only directly in a loop body (a macro starts afresh).
      if (m_loops == 0) fail(pos, "'" + k + "' outside of a for loop");
      auto n = make(k == "break" ? NodeKind::break_ : NodeKind::continue_, pos);
      expect_block_end(k);
      return n;
    }
    static const std::set<std::string> ends = {"endif", "endfor", "else", "elif", "endset", "endmacro",
                                               "endfilter", "endwith", "endraw", "endblock", "endcall"};
    if (ends.count(k)) {
      if (m_open.empty()) fail(pos, "unexpected '" + k + "': no block is open");
      fail(pos, "unexpected '" + k + "': '" + m_open.back().tag + "' opened at " + pos_str(m_open.back().pos) +
                    " is still open");
    }
    fail(pos, "unknown statement '" + k + "'");
  }

  NodePtr make(NodeKind k, SourcePos pos) {
    auto n = std::make_unique<Node>();
    n->kind = k;
    n->pos = pos;
    return n;
  }

  NodePtr parse_if(SourcePos pos) {
    auto n = make(NodeKind::if_, pos);
    m_open.push_back({"if", pos});
    ExprPtr cond = parse_expression();
    expect_block_end("if");
    while (true) {
      NodeList body = parse_body({"elif", "else", "endif"});
      n->branches.emplace_back(std::move(cond), std::move(body));
      std::string tag = take_end_tag();
      if (tag == "elif") {
        cond = parse_expression();
        expect_block_end("elif");
      } else if (tag == "else") {
        expect_block_end("else");
        n->branches.emplace_back(nullptr, parse_body({"endif"}));
        take_end_tag();
        break;
      } else {
        break;
      }
    }
    expect_block_end("endif");
    m_open.pop_back();
    return n;
  }

  std::vector<std::string> parse_targets(const char* what) {
    std::vector<std::string> t;
    bool paren = skip_op("(");
    t.push_back(expect_name(what));
    while (skip_op(",")) {
      if (cur().type != Tok::name) break;
      t.push_back(expect_name(what));
    }
    if (paren) expect_op(")");
    return t;
  }

  NodePtr parse_for(SourcePos pos) {
    auto n = make(NodeKind::for_, pos);
    m_open.push_back({"for", pos});
    n->targets = parse_targets("a loop variable name");
    if (!skip_name("in")) fail(cur().pos, "expected 'in' in for loop, got " + describe(cur()));
    n->expr = parse_expression(false);
    if (skip_name("if")) n->expr2 = parse_expression(false);
    if (is_name("recursive")) fail(cur().pos, "recursive loops are not supported");
    expect_block_end("for");
    ++m_loops;
    n->body = parse_body({"else", "endfor"});
    --m_loops;
    if (take_end_tag() == "else") {
      expect_block_end("else");
      n->else_body = parse_body({"endfor"});
      take_end_tag();
    }
    expect_block_end("endfor");
    m_open.pop_back();
    return n;
  }

  NodePtr parse_set(SourcePos pos) {
    if (cur().type == Tok::name && peek().type == Tok::op && peek().text == "." ) {
      auto n = make(NodeKind::set, pos);
      auto target = std::make_unique<Expr>();
      target->kind = ExprKind::name;
      target->pos = cur().pos;
      target->name = next().text;
      next();
      n->text = expect_name("an attribute name");
      n->expr2 = std::move(target);
      expect_op("=");
      n->expr = parse_tuple_expression();
      expect_block_end("set");
      return n;
    }
    auto targets = parse_targets("a variable name");
    if (skip_op("=")) {
      auto n = make(NodeKind::set, pos);
      n->targets = std::move(targets);
      n->expr = parse_tuple_expression();
      expect_block_end("set");
      return n;
    }
    auto n = make(NodeKind::set_block, pos);
    n->targets = std::move(targets);
    if (skip_op("|")) n->expr2 = parse_filter_chain(nullptr, pos);
    expect_block_end("set");
    m_open.push_back({"set", pos});
    n->body = parse_body({"endset"});
    take_end_tag();
    expect_block_end("endset");
    m_open.pop_back();
    return n;
  }

  NodePtr parse_include(SourcePos pos) {
    auto n = make(NodeKind::include, pos);
    n->expr = parse_expression();
    if (is_name("ignore") && peek().type == Tok::name && peek().text == "missing") {
      next();
      next();
      n->ignore_missing = true;
    }
    if ((is_name("with") || is_name("without")) && peek().type == Tok::name && peek().text == "context") {
      n->with_context = next().text == "with";
      next();
    }
    expect_block_end("include");
    return n;
  }

  // `(a, b=1)` of a macro or of a call block's caller.
  void parse_params(Node& n) {
    expect_op("(");
    while (!is_op(")")) {
      if (!n.params.empty()) expect_op(",");
      if (is_op(")")) break;
      Param p;
      p.name = expect_name("a parameter name");
      if (skip_op("=")) p.default_value = parse_expression();
      else if (!n.params.empty() && n.params.back().default_value)
        fail(cur().pos, "parameter '" + p.name + "' without a default follows one with a default");
      n.params.push_back(std::move(p));
    }
    next();
  }

  NodePtr parse_macro(SourcePos pos) {
    auto n = make(NodeKind::macro, pos);
    n->text = expect_name("a macro name");
    parse_params(*n);
    expect_block_end("macro");
    m_open.push_back({"macro", pos});
    int loops = std::exchange(m_loops, 0);
    n->body = parse_body({"endmacro"});
    m_loops = loops;
    take_end_tag();
    if (cur().type == Tok::name && cur().text == n->text) next();
    expect_block_end("endmacro");
    m_open.pop_back();
    return n;
  }

  NodePtr parse_filter_block(SourcePos pos) {
    auto n = make(NodeKind::filter_block, pos);
    n->expr2 = parse_filter_chain(nullptr, pos);
    expect_block_end("filter");
    m_open.push_back({"filter", pos});
    n->body = parse_body({"endfilter"});
    take_end_tag();
    expect_block_end("endfilter");
    m_open.pop_back();
    return n;
  }

  NodePtr parse_with(SourcePos pos) {
    auto n = make(NodeKind::with, pos);
    while (cur().type != Tok::block_end) {
      if (!n->params.empty()) expect_op(",");
      Param p;
      p.name = expect_name("a variable name");
      expect_op("=");
      p.default_value = parse_expression();
      n->params.push_back(std::move(p));
    }
    expect_block_end("with");
    m_open.push_back({"with", pos});
    n->body = parse_body({"endwith"});
    take_end_tag();
    expect_block_end("endwith");
    m_open.pop_back();
    return n;
  }

  NodePtr parse_block(SourcePos pos) {
    auto n = make(NodeKind::block, pos);
    n->text = expect_name("a block name");
    while (cur().type == Tok::name) {
      if (skip_name("scoped")) n->scoped = true;
      else if (skip_name("required")) n->required = true;
      else break;
    }
    expect_block_end("block");
    for (const Node* b : m_blocks)
      if (b->text == n->text)
        fail(pos, "block '" + n->text + "' defined twice (first at " + pos_str(b->pos) + ")");
    m_blocks.push_back(n.get());
    m_open.push_back({"block", pos});
    int loops = std::exchange(m_loops, 0);
    n->body = parse_body({"endblock"});
    m_loops = loops;
    take_end_tag();
    if (cur().type == Tok::name) {
      SourcePos at = cur().pos;
      if (next().text != n->text)
        fail(at, "'endblock' names '" + m_toks[m_i - 1].text + "', the block open since " + pos_str(pos) +
                     " is '" + n->text + "'");
    }
    expect_block_end("endblock");
    m_open.pop_back();
    if (n->required)
      for (const auto& c : n->body)
        if (c->kind != NodeKind::text || c->text.find_first_not_of(" \t\r\n") != std::string::npos)
          fail(c->pos, "required block '" + n->text + "' may only contain whitespace and comments");
    return n;
  }

  // `with context` / `without context` after an import; imports default to without.
  void parse_import_context(Node& n) {
    n.with_context = false;
    if ((is_name("with") || is_name("without")) && peek().type == Tok::name && peek().text == "context") {
      n.with_context = next().text == "with";
      next();
    }
  }

  NodePtr parse_import(SourcePos pos) {
    auto n = make(NodeKind::import_, pos);
    n->expr = parse_expression();
    if (!skip_name("as")) fail(cur().pos, "expected 'as' after the template name of an import, got " + describe(cur()));
    n->text = expect_name("a name for the imported template");
    parse_import_context(*n);
    expect_block_end("import");
    return n;
  }

  NodePtr parse_from_import(SourcePos pos) {
    auto n = make(NodeKind::from_import, pos);
    n->expr = parse_expression();
    if (!skip_name("import")) fail(cur().pos, "expected 'import' after the template name, got " + describe(cur()));
    while (true) {
      if ((is_name("with") || is_name("without")) && peek().type == Tok::name && peek().text == "context") break;
      SourcePos at = cur().pos;
      std::string name = expect_name("a name to import");
      if (name[0] == '_') fail(at, "names starting with an underscore cannot be imported ('" + name + "')");
      std::string alias = skip_name("as") ? expect_name("a local name") : name;
      n->targets.push_back(name);
      n->aliases.push_back(alias);
      if (!skip_op(",")) break;
    }
    if (n->targets.empty()) fail(cur().pos, "expected a name to import, got " + describe(cur()));
    parse_import_context(*n);
    expect_block_end("from");
    return n;
  }

  NodePtr parse_call_block(SourcePos pos) {
    auto n = make(NodeKind::call_block, pos);
    if (is_op("(")) parse_params(*n);
    n->expr = parse_expression();
    if (n->expr->kind != ExprKind::call) fail(n->expr->pos, "expected a call after 'call', as in {% call name(args) %}");
    expect_block_end("call");
    m_open.push_back({"call", pos});
    int loops = std::exchange(m_loops, 0);
    n->body = parse_body({"endcall"});
    m_loops = loops;
    take_end_tag();
    expect_block_end("endcall");
    m_open.pop_back();
    return n;
  }

  // ---- expressions ----

  ExprPtr make_expr(ExprKind k, SourcePos pos) {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->pos = pos;
    return e;
  }

  // `a, b` without brackets makes a tuple (as in `{% set x = 1, 2 %}`).
  ExprPtr parse_tuple_expression() {
    SourcePos pos = cur().pos;
    ExprPtr first = parse_expression();
    if (!is_op(",")) return first;
    auto t = make_expr(ExprKind::tuple, pos);
    t->args.push_back(std::move(first));
    while (skip_op(",")) {
      if (cur().type == Tok::block_end) break;
      t->args.push_back(parse_expression());
    }
    return t;
  }

  ExprPtr parse_expression(bool with_cond = true) {
    if (!with_cond) return parse_or();
    SourcePos pos = cur().pos;
    ExprPtr e = parse_or();
    while (skip_name("if")) {
      auto c = make_expr(ExprKind::cond, pos);
      c->args.push_back(std::move(e));
      c->args.push_back(parse_or());
      c->args.push_back(skip_name("else") ? parse_expression() : nullptr);
      e = sealed(std::move(c));
    }
    return e;
  }

  ExprPtr binary(ExprKind k, SourcePos pos, ExprPtr l, ExprPtr r, std::string op = {}) {
    auto e = make_expr(k, pos);
    e->name = std::move(op);
    e->args.push_back(std::move(l));
    e->args.push_back(std::move(r));
    return sealed(std::move(e));
  }

  ExprPtr parse_or() {
    SourcePos pos = cur().pos;
    ExprPtr l = parse_and();
    while (skip_name("or")) l = binary(ExprKind::or_, pos, std::move(l), parse_and());
    return l;
  }

  ExprPtr parse_and() {
    SourcePos pos = cur().pos;
    ExprPtr l = parse_not();
    while (skip_name("and")) l = binary(ExprKind::and_, pos, std::move(l), parse_not());
    return l;
  }

  ExprPtr parse_not() {
    if (is_name("not")) {
      auto e = make_expr(ExprKind::not_, next().pos);
      auto guard = nest(e->pos, "expressions");
      e->args.push_back(parse_not());
      return sealed(std::move(e));
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
    SourcePos pos = cur().pos;
    ExprPtr l = parse_math1();
    ExprPtr cmp;
    static const std::set<std::string> ops = {"==", "!=", "<", "<=", ">", ">="};
    while (true) {
      std::string op;
      if (cur().type == Tok::op && ops.count(cur().text)) op = next().text;
      else if (is_name("in")) next(), op = "in";
      else if (is_name("not") && peek().type == Tok::name && peek().text == "in") next(), next(), op = "notin";
      else break;
      if (!cmp) {
        cmp = make_expr(ExprKind::compare, pos);
        cmp->args.push_back(std::move(l));
      }
      cmp->ops.push_back(op);
      cmp->args.push_back(parse_math1());
    }
    return cmp ? sealed(std::move(cmp)) : std::move(l);
  }

  ExprPtr parse_math1() {
    SourcePos pos = cur().pos;
    ExprPtr l = parse_concat();
    while (is_op("+") || is_op("-")) {
      std::string op = next().text;
      l = binary(ExprKind::binary, pos, std::move(l), parse_concat(), op);
    }
    return l;
  }

  ExprPtr parse_concat() {
    SourcePos pos = cur().pos;
    ExprPtr l = parse_math2();
    while (skip_op("~")) l = binary(ExprKind::binary, pos, std::move(l), parse_math2(), "~");
    return l;
  }

  ExprPtr parse_math2() {
    SourcePos pos = cur().pos;
    ExprPtr l = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      std::string op = next().text;
      l = binary(ExprKind::binary, pos, std::move(l), parse_pow(), op);
    }
    return l;
  }

  ExprPtr parse_pow() {
    SourcePos pos = cur().pos;
    ExprPtr l = parse_unary();
    while (skip_op("**")) l = binary(ExprKind::binary, pos, std::move(l), parse_unary(), "**");
    return l;
  }

  ExprPtr parse_unary(bool with_filter = true) {
    SourcePos pos = cur().pos;
    auto guard = nest(pos, "expressions");
    ExprPtr e;
    if (is_op("-") || is_op("+")) {
      e = make_expr(next().text == "-" ? ExprKind::neg : ExprKind::pos, pos);
      e->args.push_back(parse_unary(false));
      e = sealed(std::move(e));
    } else {
      e = parse_primary();
    }
    e = parse_postfix(std::move(e));
    if (with_filter) e = parse_filter_expr(std::move(e));
    return e;
  }

  // ( ), (e), (a, b, ...): a parenthesized expression or a tuple.
  ExprPtr parse_parenthesized(SourcePos pos) {
    next();
    if (skip_op(")")) return make_expr(ExprKind::tuple, pos);
    ExprPtr first = parse_expression();
    if (skip_op(")")) return first;
    auto tup = make_expr(ExprKind::tuple, pos);
    tup->args.push_back(std::move(first));
    while (skip_op(",")) {
      if (is_op(")")) break;
      tup->args.push_back(parse_expression());
    }
    expect_op(")");
    return sealed(std::move(tup));
  }

  // [a, b, ...] and {k: v, ...} (keys and values alternate in args): items up to
  // `close`, comma-separated, a trailing comma allowed; `item` parses one.
  template <class ParseItem>
  ExprPtr parse_display(SourcePos pos, ExprKind kind, const char* close, ParseItem item) {
    next();
    auto e = make_expr(kind, pos);
    while (!is_op(close)) {
      if (!e->args.empty()) expect_op(",");
      if (is_op(close)) break;
      item(*e);
    }
    next();
    return sealed(std::move(e));
  }
  ExprPtr parse_list_display(SourcePos pos) {
    return parse_display(pos, ExprKind::list, "]", [&](Expr& l) { l.args.push_back(parse_expression()); });
  }
  ExprPtr parse_dict_display(SourcePos pos) {
    return parse_display(pos, ExprKind::dict, "}", [&](Expr& d) {
      d.args.push_back(parse_expression());
      expect_op(":");
      d.args.push_back(parse_expression());
    });
  }

  ExprPtr parse_primary() {
    const Token& t = cur();
    SourcePos pos = t.pos;
    if (t.type == Tok::name) {
      static const std::set<std::string> reserved = {"and", "or", "not", "in", "is", "if", "else"};
      if (reserved.count(t.text)) fail(pos, "expected an expression, got '" + t.text + "'");
      auto e = make_expr(ExprKind::literal, pos);
      std::string n = next().text;
      if (n == "true" || n == "True") e->literal = Value(true);
      else if (n == "false" || n == "False") e->literal = Value(false);
      else if (n == "none" || n == "None") e->literal = Value();
      else e->kind = ExprKind::name, e->name = n;
      return e;
    }
    if (t.type == Tok::string) {
      std::string s;
      while (cur().type == Tok::string) s += next().text;
      auto e = make_expr(ExprKind::literal, pos);
      e->literal = Value(std::move(s));
      return e;
    }
    if (t.type == Tok::integer || t.type == Tok::real) {
      auto e = make_expr(ExprKind::literal, pos);
      e->literal = t.type == Tok::integer ? Value(t.int_value) : Value(t.real_value);
      next();
      return e;
    }
    if (is_op("(")) return parse_parenthesized(pos);
    if (is_op("[")) return parse_list_display(pos);
    if (is_op("{")) return parse_dict_display(pos);
    fail(pos, "expected an expression, got " + describe(t));
  }

  // Attribute and item errors point at the start of the whole expression.
  ExprPtr parse_postfix(ExprPtr e) {
    while (true) {
      SourcePos pos = is_op("(") ? cur().pos : e->pos;
      if (is_op(".")) {
        next();
        auto a = make_expr(ExprKind::attr, pos);
        if (cur().type == Tok::name) {
          a->name = next().text;
        } else if (cur().type == Tok::integer) {
          a->kind = ExprKind::item;
          auto idx = make_expr(ExprKind::literal, cur().pos);
          idx->literal = Value(next().int_value);
          a->args.push_back(std::move(e));
          a->args.push_back(std::move(idx));
          e = sealed(std::move(a));
          continue;
        } else {
          fail(cur().pos, "expected an attribute name after '.', got " + describe(cur()));
        }
        a->args.push_back(std::move(e));
        e = sealed(std::move(a));
      } else if (is_op("[")) {
        next();
        e = sealed(parse_subscript(std::move(e), pos));
      } else if (is_op("(")) {
        auto c = make_expr(ExprKind::call, pos);
        c->args.push_back(std::move(e));
        parse_call_args(*c);
        e = sealed(std::move(c));
      } else {
        return e;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr obj, SourcePos pos) {
    ExprPtr parts[3];
    bool is_slice = false;
    int idx = 0;
    while (!is_op("]")) {
      if (is_op(":")) {
        next();
        is_slice = true;
        if (++idx > 2) fail(cur().pos, "too many ':' in slice");
        continue;
      }
      if (parts[idx]) fail(cur().pos, "expected ']' or ':', got " + describe(cur()));
      parts[idx] = parse_expression();
    }
    next();
    if (!is_slice) {
      if (!parts[0]) fail(pos, "expected a subscript expression inside '[]'");
      auto e = make_expr(ExprKind::item, pos);
      e->args.push_back(std::move(obj));
      e->args.push_back(std::move(parts[0]));
      return e;
    }
    auto e = make_expr(ExprKind::slice, pos);
    e->args.push_back(std::move(obj));
    for (auto& p : parts) e->args.push_back(std::move(p));
    return e;
  }

  void parse_call_args(Expr& call) {
    expect_op("(");
    bool first = true;
    while (!is_op(")")) {
      if (!first) expect_op(",");
      first = false;
      if (is_op(")")) break;
      if (cur().type == Tok::name && peek().type == Tok::op && peek().text == "=") {
        std::string k = next().text;
        next();
        call.kwargs.emplace_back(k, parse_expression());
      } else {
        if (!call.kwargs.empty()) fail(cur().pos, "positional argument follows keyword argument");
        call.args.push_back(parse_expression());
      }
    }
    next();
  }

  // Parses `name(args) | name2 ...` after a '|' with `subject` as the input.
  ExprPtr parse_filter_chain(ExprPtr subject, SourcePos pos) {
    while (true) {
      auto f = make_expr(ExprKind::filter, cur().pos);
      f->name = expect_name("a filter name");
      while (skip_op(".")) f->name += "." + expect_name("a filter name");
      f->args.push_back(std::move(subject));
      if (is_op("(")) parse_call_args(*f);
      subject = sealed(std::move(f));
      (void)pos;
      if (!skip_op("|")) return subject;
    }
  }

  ExprPtr parse_filter_expr(ExprPtr e) {
    while (true) {
      if (is_op("|")) {
        SourcePos pos = next().pos;
        auto f = make_expr(ExprKind::filter, cur().pos);
        f->name = expect_name("a filter name");
        (void)pos;
        f->args.push_back(std::move(e));
        if (is_op("(")) parse_call_args(*f);
        e = sealed(std::move(f));
      } else if (is_name("is")) {
        next();
        auto t = make_expr(ExprKind::test, cur().pos);
        t->negated = skip_name("not");
        t->name = expect_name("a test name");
        t->args.push_back(std::move(e));
        if (is_op("(")) {
          parse_call_args(*t);
        } else if ((cur().type == Tok::name || cur().type == Tok::string || cur().type == Tok::integer ||
                    cur().type == Tok::real || is_op("[") || is_op("{")) &&
                   !is_name("else") && !is_name("or") && !is_name("and")) {
          if (is_name("is")) fail(cur().pos, "tests cannot be chained with 'is'");
          t->args.push_back(parse_postfix(parse_primary()));
        }
        e = sealed(std::move(t));
      } else if (is_op("(")) {
        auto c = make_expr(ExprKind::call, cur().pos);
        c->args.push_back(std::move(e));
        parse_call_args(*c);
        e = sealed(std::move(c));
      } else {
        return e;
      }
    }
  }
};

// Jinja2 refuses a template that names an unknown filter or test when it is
// compiled (TemplateAssertionError), also where it would never run, except in
// an if statement or an inline if at the same level ("soft" frames), where the
// error waits until the filter is reached (the renderer's own check).
struct NameCheck {
  static void expr(const Expr* e, bool soft) {
    if (!e) return;
    if (e->kind == ExprKind::cond) soft = true;
    if (!soft && e->kind == ExprKind::filter && !filters().count(e->name))
      throw ParseError{e->pos, "no filter named '" + e->name + "'"};
    if (!soft && e->kind == ExprKind::test && !tests().count(e->name))
      throw ParseError{e->pos, "no test named '" + e->name + "'"};
    for (const auto& a : e->args) expr(a.get(), soft);
    for (const auto& [k, v] : e->kwargs) expr(v.get(), soft);
  }
  static void nodes(const NodeList& list, bool soft) {
    for (const auto& n : list) node(*n, soft);
  }
  static void node(const Node& n, bool soft) {
    if (n.kind == NodeKind::if_) {
      for (const auto& [cond, body] : n.branches) {
        expr(cond.get(), true);
        nodes(body, true);
      }
      return;
    }
    // Loops, macros, with and filter/set blocks get a frame of their own.
    bool inner = n.kind == NodeKind::for_ || n.kind == NodeKind::macro || n.kind == NodeKind::with ||
                 n.kind == NodeKind::filter_block || n.kind == NodeKind::set_block || n.kind == NodeKind::block ||
                 n.kind == NodeKind::call_block;
    expr(n.expr.get(), soft);
    expr(n.expr2.get(), inner ? false : soft);
    for (const auto& p : n.params) expr(p.default_value.get(), inner ? false : soft);
    nodes(n.body, inner ? false : soft);
    nodes(n.else_body, inner ? false : soft);
  }
};

}  // namespace

Result<std::shared_ptr<const Template>> parse(std::vector<Token> tokens, const std::string& name) {
  Parser p(std::move(tokens), name);
  try {
    auto t = p.run();
    NameCheck::nodes(t->body, false);
    return std::shared_ptr<const Template>(std::move(t));
  } catch (const ParseError& e) {
    return Diagnostic::error(name, e.pos, e.message);
  } catch (const std::exception& e) {
    return Diagnostic::error(name, "internal error while parsing: " + std::string(e.what()));
  }
}

Result<std::shared_ptr<const Template>> parse_source(std::string_view source, const std::string& name,
                                                     const LexerOptions& options) {
  auto toks = tokenize(source, name, options);
  if (!toks) return toks.diagnostics();
  return parse(std::move(toks.value()), name);
}

}  // namespace foobar::tmpl
