#include "transport/fake_connector.h"

namespace foobar::transport {

Result<CommandResult> FakeConnector::run(const std::string& command, std::string_view input,
                                         Timeout /*timeout*/, std::size_t output_cap) {
  m_calls.push_back({command, std::string(input)});
  // The cap applies as in the real connectors, so callers can be tested against it.
  auto capped = [&](const CommandResult& r) -> Result<CommandResult> {
    if (r.out.size() > output_cap) return output_too_large(m_name, command, "stdout", output_cap);
    if (r.err.size() > output_cap) return output_too_large(m_name, command, "stderr", output_cap);
    return r;
  };
  for (const auto& rule : m_rules) {
    if (command.find(rule.substring) == std::string::npos) continue;
    if (rule.result) return capped(*rule.result);
    return Diagnostic::error(m_name, rule.message);
  }
  if (m_default) return capped(*m_default);
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
