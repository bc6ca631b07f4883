// Secrets come from the environment (FOOBAR_SECRET_<NAME>) or a KEY=VALUE file;
// never from the stack file. Error messages name the secret, never its value.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "stack/stack.h"
#include "util/file.h"

namespace foobar::stack {

namespace {

std::string trim(std::string_view s) {
  std::size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  std::size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

bool valid_key(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

// A value "@PATH" is the content of that file (relative to the secrets file), for
// multi-line secrets such as a PEM certificate bundle; "@@..." is a literal "@...".
Result<std::string> file_value(const std::string& value, const std::string& name, const std::string& secrets_file) {
  if (value.empty() || value[0] != '@') return value;
  if (value.size() > 1 && value[1] == '@') return value.substr(1);
  std::filesystem::path path = value.substr(1);
  if (path.is_relative()) path = std::filesystem::path(secrets_file).parent_path() / path;
  auto text = read_file(path);
  if (!text)
    return Diagnostic::error(secrets_file, "secret '" + name + "' names the file " + path.string() +
                                               ", which cannot be read: " + std::strerror(errno) +
                                               "; fix the path after '@' (write '@@' for a value starting with '@')");
  return text;
}

}  // namespace

Result<std::map<std::string, std::string>> parse_secrets_file(std::string_view text,
                                                              const std::string& file_name) {
  std::map<std::string, std::string> out;
  Diagnostics diags;
  int line_no = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (t.rfind("export ", 0) == 0) t = trim(t.substr(7));
    std::size_t eq = t.find('=');
    std::string key = trim(std::string_view(t).substr(0, eq == std::string::npos ? t.size() : eq));
    if (eq == std::string::npos || !valid_key(key)) {
      diags.push_back(Diagnostic::error(file_name, {line_no, 1},
                                        "expected KEY=VALUE with KEY made of A-Z, 0-9 and _"));
      continue;
    }
    std::string value = trim(std::string_view(t).substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    if (out.count(key)) {
      diags.push_back(Diagnostic::error(file_name, {line_no, 1},
                                        "secret '" + key + "' is defined twice"));
      continue;
    }
    out[key] = value;
  }
  if (!diags.empty()) return diags;
  return out;
}

Result<std::string> resolve_secret(const SecretRef& ref, const SecretSource& source) {
  std::string env_name = "FOOBAR_SECRET_" + ref.name;
  auto from_env = source.env ? source.env(env_name) : process_env(env_name);
  if (from_env) return *from_env;
  if (!source.file.empty()) {
    auto text = read_file(source.file);
    if (!text)
      return Diagnostic::error(source.file, "cannot open the secrets file: " +
                                                std::string(std::strerror(errno)));
    auto secrets = parse_secrets_file(*text, source.file);
    if (!secrets.ok()) return secrets.diagnostics();
    auto it = secrets->find(ref.name);
    if (it != secrets->end()) return file_value(it->second, ref.name, source.file);
  }
  std::string msg = "secret '" + ref.name + "' is not set; export " + env_name;
  msg += source.file.empty() ? " or pass a secrets file"
                             : " or add " + ref.name + "=... to " + source.file;
  return Diagnostic::error(ref.file, ref.pos, msg);
}

std::vector<SecretRef> secret_refs(const Stack& stack) {
  std::vector<SecretRef> refs;
  auto add = [&refs](const SecretRef& r) {
    for (const auto& have : refs)
      if (have.name == r.name) return;
    refs.push_back(r);
  };
  if (const auto& lb = stack.tiers.lb; lb && lb->tls && lb->tls->certificate.bundle) add(*lb->tls->certificate.bundle);
  if (const auto& app = stack.tiers.app)
    for (const auto& [key, value] : app->environment)
      if (value.secret) add(*value.secret);
  if (const auto& db = stack.tiers.db) {
    for (const auto& u : db->users) add(u.password);
    if (db->replication) add(db->replication->password);
  }
  if (stack.dns && stack.dns->transfer_key) add(*stack.dns->transfer_key);
  return refs;
}

}  // namespace foobar::stack
