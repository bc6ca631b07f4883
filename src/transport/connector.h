// A Connector runs shell commands on one host and returns what they printed and
// their exit status. Payloads and secrets travel through stdin (`input`), never on
// the command line, where `ps` and logs would show them.
// A connector is used by one thread at a time; run hosts in parallel with one
// connector per host (see util/thread_pool.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"
#include "util/shell.h"

namespace foobar::transport {

// How long one command may run; zero means the connector's default.
using Timeout = std::chrono::milliseconds;

// What one command may print, on stdout and on stderr each, before it is stopped
// and its run is an error: a host (or a file on it) cannot make foobarctl hold more.
// A caller that really moves more through the controller (a database dump) says so.
inline constexpr std::size_t k_output_cap = std::size_t{8} << 20;
inline constexpr std::size_t k_no_output_cap = SIZE_MAX;

struct CommandResult {
  int exit_status = 0;  // 128+N when the command was killed by signal N
  std::string out;
  std::string err;
  bool ok() const { return exit_status == 0; }
};

// How a connector logged in to its host over SSH.
struct SshLogin {
  std::string method;           // "publickey" (the only one foobarctl uses) or "password"
  std::string key_fingerprint;  // "SHA256:..." as ssh-keygen -l prints it; "" when unknown
};

class Connector {
 public:
  virtual ~Connector() = default;
  // The host name used in diagnostics.
  virtual const std::string& name() const = 0;
  // An error result means the command could not be run (connection, timeout) or
  // printed more than output_cap bytes on one stream (output_too_large); a command
  // that ran and failed is a CommandResult with exit_status != 0.
  virtual Result<CommandResult> run(const std::string& command, std::string_view input = {},
                                    Timeout timeout = Timeout::zero(), std::size_t output_cap = k_output_cap) = 0;
  // How it logged in (connecting first if need be); nullopt for a connector that does
  // not use SSH (local, fake) or could not connect.
  virtual std::optional<SshLogin> ssh_login() { return std::nullopt; }
};

// The error of a command that printed more than `cap` bytes on `stream` ("stdout"
// or "stderr"); it names the host and the command's first line.
Diagnostic output_too_large(const std::string& host, const std::string& command, const char* stream,
                            std::size_t cap);

// A Diagnostic for a command that ran but failed: host, command, status, stderr.
Diagnostic command_failed(const std::string& host, const std::string& what,
                          const CommandResult& r);

}  // namespace foobar::transport
