#include "transport/fake_connector.h"

namespace foobar::transport {

Result<CommandResult> FakeConnector::run(const std::string& command, std::string_view input,
                                         Timeout /*timeout*/) {
  m_calls.push_back({command, std::string(input)});
  for (const auto& rule : m_rules) {
    if (command.find(rule.substring) == std::string::npos) continue;
    if (rule.result) return *rule.result;
    return Diagnostic::error(m_name, rule.message);
  }
  if (m_default) return *m_default;
  return CommandResult{127, "", "fake: no scripted response for: " + command + "\n"};
}

void FakeConnector::respond(std::string substring, CommandResult result) {
  m_rules.push_back({std::move(substring), std::move(result), ""});
}

void FakeConnector::fail(std::string substring, std::string message) {
  m_rules.push_back({std::move(substring), std::nullopt, std::move(message)});
}

int FakeConnector::count(std::string_view substring) const {
  int n = 0;
  for (const auto& c : m_calls) n += c.command.find(substring) != std::string::npos;
  return n;
}

}  // namespace foobar::transport
