// Before apply turns password logins off on a host (it creates or changes sshd's
// drop-in), it makes sure it will still get in afterwards: it must have logged in
// with a key, not a password, and sshd must accept that very key for the SSH user.
// A host failing either is refused before anything changes there.
#pragma once

#include <map>
#include <string>

#include "plan/plan.h"
#include "transport/connector.h"
#include "util/diagnostic.h"

namespace foobar {

struct SshGuard {
  std::string dropin;                          // the drop-in's path
  std::map<std::string, std::string> users;    // host -> the user foobarctl logs in as
};

// One error per host of `plan` that would lose password logins while foobarctl
// could not log in again without one. Hosts whose connector does not use SSH are
// not checked.
Diagnostics check_ssh_access(const Plan& plan, const SshGuard& guard,
                             const std::map<std::string, transport::Connector*>& connectors);

}  // namespace foobar
