// What apply runs on a host to bring one resource to its desired state: a POSIX sh
// command plus the bytes fed to its stdin. Payloads and secrets travel on stdin,
// never on the command line. Building an operation does no I/O.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "graph/resource.h"
#include "util/result.h"

namespace foobar {

struct RemoteOp {
  std::string command;
  std::string input;
};

// Exit status an operation uses when the service's checker rejected a new config:
// the old file was kept (or restored) and nothing was reloaded.
inline constexpr int k_validation_failed_status = 3;

// Looks a secret up by name; nullopt when it is not set.
using SecretLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Converges the resource (create or update). Files are written to a temporary file in
// the same directory, synced and renamed; a FileState::validate with "{}" checks the
// candidate before the rename, one without checks the whole config after it and puts
// the previous file back if the check fails.
Result<RemoteOp> converge_op(const Resource& resource, const SecretLookup& secrets);

// Removes what the resource put on the host (destroy, or no longer in the stack).
// Database data is kept unless `purge`; packages are kept unless `purge`.
RemoteOp remove_op(ResourceKind kind, const std::string& name, bool purge);

// Reloads or restarts a service (systemd where it runs, init scripts otherwise).
RemoteOp service_op(const std::string& service, OnChange action);

}  // namespace foobar
