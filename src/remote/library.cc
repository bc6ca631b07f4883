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

namespace {
const std::string_view k_invoke_head = "sh -c 'eval \"$(head -c ";
const std::string_view k_invoke_tail = ")\"'";
}  // namespace

Invocation invocation(std::string text, std::string_view payload) {
  // head -c reads exactly that many bytes, so the payload stays on stdin for the script.
  std::string command = std::string(k_invoke_head) + std::to_string(text.size()) + std::string(k_invoke_tail);
  text += payload;
  return {std::move(command), std::move(text)};
}

std::optional<Invoked> invoked(std::string_view command, std::string_view input) {
  if (command.substr(0, k_invoke_head.size()) != k_invoke_head) return std::nullopt;
  std::size_t n = 0, i = k_invoke_head.size();
  for (; i < command.size() && command[i] >= '0' && command[i] <= '9'; ++i) n = n * 10 + std::size_t(command[i] - '0');
  if (command.substr(i) != k_invoke_tail || n > input.size()) return std::nullopt;
  std::string_view script = input.substr(0, n);
  if (script.substr(0, library().size()) != library()) return std::nullopt;
  return Invoked{std::string(script.substr(library().size())), std::string(input.substr(n))};
}

}  // namespace foobar::remote
