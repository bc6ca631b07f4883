// What apply runs on a host to bring one resource to its desired state: a call of an
// action function of the remote library (src/remote/*.sh) plus the bytes fed to its
// stdin. Payloads and secrets travel on stdin, never as arguments. Building an
// operation does no I/O.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "graph/resource.h"
#include "plan/grants.h"
#include "util/result.h"

namespace foobar {

// A call of a remote library function: its name and its arguments, each one word.
struct RemoteCall {
  std::string function;
  std::vector<std::string> args;
  std::string text() const;  // remote::call(function, args)
};

// Another host's call whose standard output feeds an operation's stdin. This is the
// one way data moves between hosts: through the controller, never host to host, so
// no host needs credentials for another. Apply runs `call` on `host` first, then the
// operation with stdin = that output followed by RemoteOp::input. The output is held
// in the controller's memory in between.
struct StdinFrom {
  std::string host;
  RemoteCall call;
};

struct RemoteOp {
  RemoteCall call;
  std::string input;
  std::optional<StdinFrom> input_from = std::nullopt;  // set: stdin starts with that call's output
};

// Exit status an operation uses when the service's checker rejected a new config:
// the old file was kept (or restored) and nothing was reloaded.
inline constexpr int k_validation_failed_status = 3;

// Exit status of a seed refused because the replica already holds tables of its own.
inline constexpr int k_seed_refused_status = 4;
// Exit status of a seed that found the server already configured as a replica: it
// read nothing and changed nothing; apply reconfigures it instead (converge_op).
inline constexpr int k_already_replica_status = 5;

// Where a seed marks the replica while its import runs. A seed interrupted midway
// leaves only the primary's data plus this marker, and may then be repeated.
inline constexpr const char* k_seed_marker = "/var/lib/foobarctl/replica-seed.partial";

// A line of the host's journal of pending handlers (src/remote/state.sh): `service`
// is to reload or restart because `source` (a resource id) changed.
std::string journal_line(OnChange action, const std::string& service, const std::string& source);

// Looks a secret up by name; nullopt when it is not set.
using SecretLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Converges the resource (create or update). Files are written to a temporary file in
// the same directory, synced and renamed; a FileState::validate with "{}" checks the
// candidate before the rename, one without checks the whole config after it and puts
// the previous file back if the check fails.
// A db_user gets its password (on stdin), then loses `revoke` (grants the plan found
// it holds beyond the stack's), then gets each of its grants: revoking first keeps a
// wanted privilege an extra ALL PRIVILEGES covered.
Result<RemoteOp> converge_op(const Resource& resource, const SecretLookup& secrets,
                             const std::vector<Grant>& revoke = {});

// Seeds a replica that is not configured yet (a replication resource): dumps the
// primary's databases and accounts at one consistent GTID position (as root over
// the primary's socket), imports them on the replica without writing its binlog,
// then points it at the primary from that position and checks both threads run.
// Refuses (k_seed_refused_status) when the replica holds tables of its own.
Result<RemoteOp> seed_replica_op(const Resource& resource, const SecretLookup& secrets);

// The CHANGE MASTER TO ... MASTER_USE_GTID=slave_pos and START SLAVE of a replication
// resource, its password from `secrets`.
Result<std::string> change_master_sql(const Resource& resource, const SecretLookup& secrets);

// Removes what the resource put on the host (destroy, or no longer in the stack).
// Database data is kept unless `purge`; packages are kept unless `purge`.
RemoteOp remove_op(ResourceKind kind, const std::string& name, bool purge);

// Reloads or restarts a service (systemd where it runs, init scripts otherwise).
RemoteOp service_op(const std::string& service, OnChange action);

}  // namespace foobar
