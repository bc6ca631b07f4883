#include "cli/lab_args.h"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include "stack/stack.h"

namespace foobar::cli {

Result<std::vector<lab::LabHostSpec>> lab_specs_from_args(const std::vector<std::string>& host_args) {
  std::vector<lab::LabHostSpec> specs;
  Diagnostics errs;
  for (const auto& a : host_args) {
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == a.size()) {
      errs.push_back(Diagnostic::error("--host", "'" + a + "' is not NAME=ADDRESS (e.g. web-01=10.77.0.11)"));
      continue;
    }
    specs.push_back({a.substr(0, eq), a.substr(eq + 1)});
  }
  if (!errs.empty()) return errs;
  if (specs.empty())
    return Diagnostic::error("lab up", "no hosts given: add --host NAME=ADDRESS (one per host)");
  return specs;
}

bool names_stack_file(const std::string& arg) {
  auto ext = std::filesystem::path(arg).extension();
  return ext == ".yaml" || ext == ".yml" || std::filesystem::is_regular_file(arg);
}

Result<LabTarget> lab_target_from_stack(const std::string& stack_path) {
  auto st = stack::load_stack(stack_path);
  if (!st) return st.diagnostics();
  LabTarget t{st->name.value, {}, {}};
  for (const auto& ref : stack::secret_refs(*st)) t.secret_names.push_back(ref.name);
  for (const auto& h : st->hosts) t.hosts.push_back({h.name.value, h.address.value});
  return t;
}

Status write_lab_secrets(const std::string& path, const std::vector<std::string>& names) {
  std::string text = "# Secrets of this lab, made by 'foobarctl lab up'; used with --lab.\n";
  for (const auto& name : names) {
    unsigned char raw[18];
    if (RAND_bytes(raw, sizeof raw) != 1) return Diagnostic::error(path, "cannot draw random bytes for secrets");
    std::string value;
    for (unsigned char c : raw) value += "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[c % 62];
    text += name + "=" + value + "\n";
  }
  const std::string tmp = path + ".new";
  {
    std::FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f) return Diagnostic::error(path, "cannot write the lab's secrets file");
    ::fchmod(fileno(f), 0600);
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Diagnostic::error(path, "cannot write the lab's secrets file");
  return ok_status();
}

}  // namespace foobar::cli
