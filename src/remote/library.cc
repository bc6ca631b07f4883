#include "remote/library.h"

#include <stdexcept>

#include "remote/embedded.h"
#include "util/shell.h"

namespace foobar::remote {

const std::string& library() {
  static const std::string text = [] {
    std::string all;
    for (const auto& f : embedded::files()) {
      all += "# --- ";
      all += f.name;
      all += '\n';
      all += f.text;
      if (!all.empty() && all.back() != '\n') all += '\n';
    }
    return all;
  }();
  return text;
}

std::string_view file(std::string_view name) {
  for (const auto& f : embedded::files())
    if (f.name == name) return f.text;
  return {};
}

std::vector<std::string> file_names() {
  std::vector<std::string> names;
  for (const auto& f : embedded::files()) names.emplace_back(f.name);
  return names;
}

namespace {

bool is_identifier(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return !(name[0] >= '0' && name[0] <= '9');
}

}  // namespace

std::string call(std::string_view function, const std::vector<std::string>& args) {
  // A bad name is a bug in foobarctl, never input: the names are constants in C++.
  if (!is_identifier(function)) throw std::logic_error("not a remote library function name: " + std::string(function));
  std::string out(function);
  for (const auto& a : args) {
    out += ' ';
    out += shell_quote(a);
  }
  return out;
}

std::string script(const std::vector<std::string>& calls) {
  std::string out = library();
  for (const auto& c : calls) {
    out += c;
    out += '\n';
  }
  return out;
}

Invocation invoke(const std::vector<std::string>& calls, std::string_view payload) {
  return invocation(script(calls), payload);
}

Invocation invocation(std::string text, std::string_view payload) {
  // head -c reads exactly that many bytes, so the payload stays on stdin for the script.
  std::string command = "sh -c 'eval \"$(head -c " + std::to_string(text.size()) + ")\"'";
  text += payload;
  return {std::move(command), std::move(text)};
}

}  // namespace foobar::remote
