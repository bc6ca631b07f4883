#include "compile/secrets.h"

#include "util/base64.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace foobar::compile {

namespace {

constexpr std::string_view k_open = std::string_view("\0secret:", 8);

struct Placeholder {
  std::size_t begin = 0, end = 0;  // [begin, end) in the content
  std::string name;
  SecretFormat format = SecretFormat::line;
};

const char* to_string(SecretFormat f) {
  switch (f) {
    case SecretFormat::line: return "line";
    case SecretFormat::block: return "block";
    case SecretFormat::base64: return "base64";
  }
  return "line";
}

std::optional<SecretFormat> format_of(std::string_view name) {
  for (auto f : {SecretFormat::line, SecretFormat::block, SecretFormat::base64})
    if (name == to_string(f)) return f;
  return std::nullopt;
}

// The first well-formed placeholder at or after `from`.
std::optional<Placeholder> next_placeholder(std::string_view s, std::size_t from) {
  for (std::size_t b = s.find(k_open, from); b != std::string_view::npos; b = s.find(k_open, b + 1)) {
    std::size_t e = s.find('\0', b + k_open.size());
    if (e == std::string_view::npos) return std::nullopt;
    std::string_view body = s.substr(b + k_open.size(), e - b - k_open.size());
    std::size_t colon = body.rfind(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    auto fmt = format_of(body.substr(colon + 1));
    if (!fmt) continue;
    return Placeholder{b, e + 1, std::string(body.substr(0, colon)), *fmt};
  }
  return std::nullopt;
}

// Replaces each placeholder by what `fill` makes of it; stops at the first error.
template <typename Fill>
Result<std::string> substitute(std::string_view s, Fill fill) {
  std::string out;
  std::size_t pos = 0;
  while (auto p = next_placeholder(s, pos)) {
    out.append(s.substr(pos, p->begin - pos));
    auto v = fill(*p);
    if (!v.ok()) return v.diagnostics();
    out += *v;
    pos = p->end;
  }
  out.append(s.substr(pos));
  return out;
}

// Why `value` cannot stand in a placeholder of `format` ("" when it can).
std::string unfit(const std::string& value, SecretFormat format) {
  if (value.find('\0') != std::string::npos) return "holds a NUL byte";
  if (format == SecretFormat::line && value.find_first_of("'\r\n") != std::string::npos)
    return "holds a single quote or a line break, which an env file value in single quotes cannot hold";
  if (format == SecretFormat::base64) {
    static constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    auto raw = base64_decode(value);
    if (!raw || value.find_first_not_of(alphabet) != std::string::npos || value.size() % 4 != 0) return "is not base64 (A-Z, a-z, 0-9, '+', '/', '=' padding to a multiple of 4 characters)";
    if (raw->size() < 16) return "is a key of " + std::to_string(raw->size()) + " bytes; a TSIG key needs at least 16 "
                                 "(e.g. openssl rand -base64 32)";
  }
  return "";
}

}  // namespace

std::string secret_placeholder(const std::string& name, SecretFormat format) {
  std::string s(k_open);
  s += name;
  s += ':';
  s += to_string(format);
  s += '\0';
  return s;
}

std::vector<std::string> secret_names(std::string_view content) {
  std::vector<std::string> out;
  for (auto p = next_placeholder(content, 0); p; p = next_placeholder(content, p->end)) out.push_back(p->name);
  return out;
}

std::vector<std::string> secret_names(const Graph& graph) {
  std::set<std::string> names;
  for (const auto& r : graph.resources())
    if (const auto* f = std::get_if<FileState>(&r.state); f && f->sensitive)
      for (auto& n : secret_names(f->content)) names.insert(std::move(n));
  return {names.begin(), names.end()};
}

std::string show_placeholders(std::string_view content) {
  auto shown = substitute(content, [](const Placeholder& p) -> Result<std::string> {
    return "<secret:" + p.name + ">";
  });
  return *shown;  // showing cannot fail
}

Result<std::vector<std::string>> resolve_secrets(Graph& graph, const stack::SecretSource& source) {
  std::map<std::string, std::string> values;  // name -> value, each looked up once
  Diagnostics errors;
  for (auto& r : graph.mutable_resources()) {
    auto* f = std::get_if<FileState>(&r.state);
    if (!f || !f->sensitive) continue;
    const std::string where = r.host + ":" + r.name;
    auto filled = substitute(f->content, [&](const Placeholder& p) -> Result<std::string> {
      auto it = values.find(p.name);
      if (it == values.end()) {
        auto v = stack::resolve_secret(stack::SecretRef{p.name, {}, where}, source);
        if (!v.ok()) return v.diagnostics();
        it = values.emplace(p.name, std::move(*v)).first;
      }
      std::string v = it->second;
      if (auto why = unfit(v, p.format); !why.empty())
        return Diagnostic::error(where, "secret '" + p.name + "' " + why + "; set FOOBAR_SECRET_" + p.name +
                                            " to a value without it");
      if (p.format == SecretFormat::block && (v.empty() || v.back() != '\n')) v += '\n';
      return v;
    });
    if (!filled.ok()) {
      errors.insert(errors.end(), filled.diagnostics().begin(), filled.diagnostics().end());
      continue;
    }
    f->content = std::move(*filled);
  }
  if (!errors.empty()) return errors;
  std::vector<std::string> used;
  for (const auto& [name, v] : values)
    if (!v.empty()) used.push_back(v);
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  return used;
}

}  // namespace foobar::compile
