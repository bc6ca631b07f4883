// What plan, apply and destroy share: the stack compiled, the targeted hosts, one
// connector per host (the lab's key and known_hosts with --lab), the secrets, and
// the plan computed from one probe per host.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <cxxopts.hpp>

#include "apply/operations.h"
#include "cli/compile_args.h"
#include "plan/plan.h"
#include "stack/stack.h"
#include "transport/connector.h"
#include "transport/ssh_connector.h"

namespace foobar::cli {

void add_remote_options(cxxopts::Options& opts);

struct Remote {
  Compiled compiled;
  std::vector<std::string> hosts;  // targeted hosts, stack order
  std::map<std::string, std::unique_ptr<transport::Connector>> connectors;
  SecretLookup secrets;
  stack::SecretSource secret_source;  // where the secrets come from (files that hold them are filled from it)
  std::vector<std::string> secret_values;  // masked in every output
  std::size_t parallelism = 32;

  std::map<std::string, transport::Connector*> connector_map() const;
  // Probes every targeted host once (in parallel) and plans against `desired`; with
  // `fingerprints`, also each answering host's facts fingerprint.
  Plan make_plan(const Graph& desired, std::map<std::string, std::string>* fingerprints = nullptr) const;
};

// Loads, compiles, resolves targets and secrets (unless `with_secrets` is false: a
// command that only reads, such as status, needs none); prints diagnostics on failure.
std::optional<Remote> open_remote(const std::string& command, const cxxopts::ParseResult& parsed,
                                  bool with_secrets = true);

// The SSH options of stack host `h`: its address, user, port and key (unless
// `lab`, which uses the lab's key) on top of `base` (known_hosts, key, accept-new),
// and those of its ssh.jump host, built the same way and with the same base. A
// host whose jump is itself (a stack-wide default) or a host already on the way
// (`seen`, a loop) is connected to directly.
transport::SshOptions host_ssh_options(const stack::Stack& s, const stack::Host& h,
                                       const transport::SshOptions& base, bool lab,
                                       std::set<std::string> seen = {});

}  // namespace foobar::cli
