// The public face of the template engine: an Environment loads templates from a
// directory, parses each once (cached, thread-safe) and renders them with a
// context. Settings default to what foobarctl uses everywhere: trim_blocks,
// lstrip_blocks and strict undefined variables.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "template/ast.h"
#include "template/lexer.h"
#include "template/value.h"
#include "util/result.h"

namespace foobar::tmpl {

struct EnvironmentOptions {
  bool trim_blocks = true;
  bool lstrip_blocks = true;
  bool keep_trailing_newline = false;
  // Kept for the API; foobarctl always renders with StrictUndefined semantics.
  bool strict_undefined = true;
};

class Environment {
 public:
  explicit Environment(std::filesystem::path root = ".", EnvironmentOptions options = {});

  // `name` is relative to the root (as for {% include %}). Parsed once, then cached.
  Result<std::shared_ptr<const Template>> load(const std::string& name) const;
  // Parses text that does not come from the loader (not cached).
  Result<std::shared_ptr<const Template>> parse_string(std::string_view text, const std::string& name) const;

  Result<std::string> render_file(const std::string& name, const Value& context) const;
  Result<std::string> render_string(std::string_view text, const std::string& name, const Value& context) const;
  // Renders an already parsed template; safe to call from many threads at once.
  Result<std::string> render(const Template& tmpl, const Value& context) const;

  const EnvironmentOptions& options() const { return m_options; }
  const std::filesystem::path& root() const { return m_root; }

 private:
  std::filesystem::path m_root;
  EnvironmentOptions m_options;
  mutable std::mutex m_mutex;
  mutable std::map<std::string, Result<std::shared_ptr<const Template>>> m_cache;
};

}  // namespace foobar::tmpl
