#include "template/environment.h"


#include "template/parser.h"
#include "template/renderer.h"
#include "util/file.h"
#include "util/path.h"

namespace foobar::tmpl {

Environment::Environment(std::filesystem::path root, EnvironmentOptions options)
    : m_root(std::move(root)), m_options(options) {}

static LexerOptions lexer_options(const EnvironmentOptions& o) {
  return LexerOptions{o.trim_blocks, o.lstrip_blocks, o.keep_trailing_newline};
}

Result<std::shared_ptr<const Template>> Environment::load(const std::string& name) const {
  {
    std::lock_guard lock(m_mutex);
    auto it = m_cache.find(name);
    if (it != m_cache.end()) return it->second;
  }
  // Read and parse outside the lock; two threads racing on the same name parse
  // it twice and keep the first.
  // Templates come from the root alone, as Jinja2's FileSystemLoader has it: a name
  // with "..", "." or an absolute path, or one that resolves (through a symlink)
  // out of the root, is refused rather than read.
  std::filesystem::path path = m_root / name;
  if (!is_normal_relative_path(name))
    return Diagnostic::error(name, "template name '" + name +
                                       "' must be a relative path inside the templates directory (no '..', '.', "
                                       "empty or absolute part)");
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !resolves_under(path, m_root))
    return Diagnostic::error(name, "template '" + name + "' resolves to " +
                                       std::filesystem::canonical(path, ec).string() + ", outside " +
                                       m_root.string() + "; templates are read from that directory only");
  auto text = read_file(path);
  if (!text) return Diagnostic::error(name, "template '" + name + "' not found (looked in " + m_root.string() + ")");
  auto parsed = parse_source(*text, name, lexer_options(m_options));
  std::lock_guard lock(m_mutex);
  return m_cache.emplace(name, std::move(parsed)).first->second;
}

Result<std::shared_ptr<const Template>> Environment::parse_string(std::string_view text,
                                                                  const std::string& name) const {
  return parse_source(text, name, lexer_options(m_options));
}

Result<std::string> Environment::render(const Template& tmpl, const Value& context) const {
  if (!context.is_dict() && !context.is_none())
    return Diagnostic::error(tmpl.name, "the template context must be a mapping, got " + context.type_name());
  RenderStamp stamp;  // lists and dicts made from here on may be changed by this render
  Renderer r(*this, context.is_dict() ? &context.as_dict() : nullptr);
  Frame top;
  std::string out;
  try {
    r.render_template(tmpl, top, out);
  } catch (const RenderError& e) {
    return Diagnostic::error(e.where, e.pos, e.message);
  } catch (const ValueLimitError& e) {
    return Diagnostic::error(r.where(), r.current_pos(), e.what());
  } catch (const std::bad_alloc&) {
    return Diagnostic::error(r.where(), r.current_pos(), "out of memory while rendering this statement");
  } catch (const std::exception& e) {
    // Nothing but the engine's own error leaves it: a library exception is a bug
    // here, still reported at the statement that caused it.
    return Diagnostic::error(r.where(), r.current_pos(), std::string("internal error while rendering: ") + e.what());
  }
  return out;
}

Result<std::string> Environment::render_file(const std::string& name, const Value& context) const {
  auto t = load(name);
  if (!t) return t.diagnostics();
  return render(*t.value(), context);
}

Result<std::string> Environment::render_string(std::string_view text, const std::string& name,
                                               const Value& context) const {
  auto t = parse_string(text, name);
  if (!t) return t.diagnostics();
  return render(*t.value(), context);
}

}  // namespace foobar::tmpl
