// The apply lock of a stack on its hosts (a directory beside the manifest, see
// src/remote/state.sh) and who holds it. A holder records its machine, boot, pid
// and the pid's start time, so a lock left by a foobarctl that died on this same
// machine is recognised and taken over; one held from another machine, or by a run
// still alive, is refused with who and since when. `foobarctl unlock` for the rest.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transport/connector.h"
#include "util/result.h"

namespace foobar {

struct LockHolder {
  std::string user;
  std::string machine;     // host name, for people
  std::string machine_id;  // /etc/machine-id
  std::string boot_id;     // /proc/sys/kernel/random/boot_id
  long pid = 0;
  unsigned long long start_time = 0;  // the pid's start, clock ticks after boot (proc(5) stat field 22)
  std::string program = "foobarctl";
  std::string since;  // UTC, ISO 8601

  std::string to_text() const;   // key=value lines, as written on the host
  std::string describe() const;  // "root@ctl pid 42 since 2026-12-01T21:00:00Z"
  static std::optional<LockHolder> parse(std::string_view text);
};

// This machine, as the lock rules see it.
struct ThisMachine {
  std::string machine_id;
  std::string boot_id;
  // The start time of a process of this machine; nullopt when there is no such process.
  std::function<std::optional<unsigned long long>(long pid)> start_time_of;

  static ThisMachine current();
};

// This process as a lock holder.
LockHolder current_holder(const ThisMachine& here);

struct LockVerdict {
  bool take_over = false;
  std::string why;  // "no process 42 runs on this machine", "still running on this machine"
};

// What to do about a lock held by `holder_text`: take it over only when its holder
// was foobarctl on this machine and is dead.
LockVerdict judge_lock(std::string_view holder_text, const ThisMachine& here);

struct LockOutcome {
  std::vector<std::string> locked;    // hosts whose lock this run holds
  std::vector<std::string> warnings;  // locks taken over from dead runs
  Diagnostics errors;
  bool ok() const { return errors.empty(); }
};

using ConnectorMap = std::map<std::string, transport::Connector*>;

// Locks every host, all or nothing: if one lock cannot be had, the ones taken are
// released and the outcome holds the errors.
LockOutcome lock_hosts(const std::vector<std::string>& hosts, const ConnectorMap& connectors,
                       const std::string& stack, const LockHolder& me, const ThisMachine& here,
                       std::size_t parallelism);

// Releases the locks `me` holds (a lock someone else holds by now is left alone).
Diagnostics release_hosts(const std::vector<std::string>& hosts, const ConnectorMap& connectors,
                          const std::string& stack, const LockHolder& me, std::size_t parallelism);

// The holder record of a host's lock; nullopt when nobody holds it.
Result<std::optional<std::string>> read_lock(transport::Connector& c, const std::string& host, const std::string& stack);
// Removes a host's lock whoever holds it.
Status remove_lock(transport::Connector& c, const std::string& host, const std::string& stack);

}  // namespace foobar
