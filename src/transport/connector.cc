#include "transport/connector.h"

#include <cstdio>

namespace foobar::transport {

Diagnostic output_too_large(const std::string& host, const std::string& command, const char* stream,
                            std::size_t cap) {
  std::string first = command.substr(0, command.find('\n'));
  if (first.size() > 120) first = first.substr(0, 117) + "...";
  std::string size = cap % (1 << 20) == 0 ? std::to_string(cap >> 20) + " MiB" : std::to_string(cap) + " bytes";
  return Diagnostic::error(host, std::string("the command printed more than ") + size + " on " + stream +
                                     ", the cap on one command's output; it was stopped and its output dropped "
                                     "(command: " + first + ")");
}

Diagnostic command_failed(const std::string& host, const std::string& what,
                          const CommandResult& r) {
  std::string err = r.err;
  while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
  std::string msg = what + " failed with exit status " + std::to_string(r.exit_status);
  if (!err.empty()) msg += ": " + err;
  return Diagnostic::error(host, msg);
}

}  // namespace foobar::transport
