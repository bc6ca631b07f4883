// Facts: the present state of one host, as the probe found it. Plain data; the
// plan compares it with the desired state of the host's resources.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace foobar {

enum class PathType { absent, file, directory, other };

// A managed file or directory path.
struct PathFact {
  PathType type = PathType::absent;
  std::string sha256;  // files only; empty when unreadable
  std::string mode;    // 4-digit octal, e.g. "0644"
  std::string owner;
  std::string group;
  std::optional<std::string> content;  // sent only when it differs from the desired content
};

struct PackageFact {
  bool installed = false;
  bool known = true;  // false when the host has no dpkg-query
  std::string version;
};

struct ServiceFact {
  bool running = false;
  bool enabled = false;
};

struct ReplicaFact {
  bool io_running = false;
  bool sql_running = false;
  std::string source_host;
  std::string seconds_behind;  // "NULL" when not replicating
  std::string gtid_io_pos;
  std::string io_state;   // as the server says it: Yes, No, Connecting
  std::string sql_state;  // Yes, No
};

// A managed database account, as the server has it. The probe compares the password
// on the host and reports only the verdict: no password or hash leaves the host.
struct DbAccountFact {
  enum class Auth {
    unchecked,  // the wanted password was not known to the probe
    matches,    // the stored credential (or the unix_socket plugin) is the wanted one
    differs,
    missing,    // no such account
  };
  Auth auth = Auth::unchecked;
  std::string plugin;  // the account's authentication plugin, e.g. mysql_native_password
  bool grants_known = false;        // SHOW GRANTS answered
  std::vector<std::string> grants;  // its lines, with any IDENTIFIED part cut off on the host
};

struct DbFacts {
  bool probed = false;   // the host has database resources, so the probe asked
  bool answering = false;  // the server answered as root over its unix socket
  std::string error;     // why it did not answer
  std::set<std::string> databases;
  std::set<std::string> users;  // "user@host"
  std::map<std::string, DbAccountFact> accounts;  // "user@host" of the accounts the stack manages
  std::optional<ReplicaFact> replica;  // nullopt: not a replica
  // What `foobarctl db switchover|failover` recorded on the host (db_record_path):
  // the running primary, and former primaries still to fence. Absent: never changed.
  std::optional<std::string> recorded_primary;
  std::vector<std::string> to_fence;
};

struct LockFact {
  bool held = false;
  std::string holder;
};

// A guarded command's guard, evaluated by the probe: skip means the guard says done.
struct CommandFact {
  bool skip = false;
};

struct FirewallFact {
  bool loaded = false;  // an nftables ruleset with at least one table is active
};

// A handler a change notified that had not run when that apply stopped (the
// journal beside the manifest, src/remote/state.sh).
struct PendingHandler {
  std::string action;   // "restart" or "reload", as recorded
  std::string service;
  std::string source;   // id of the change that notified it
};

struct Facts {
  std::string host;
  std::map<std::string, PathFact> files;
  std::map<std::string, PathFact> dirs;
  std::map<std::string, PackageFact> packages;
  std::map<std::string, ServiceFact> services;
  std::map<std::string, CommandFact> commands;
  std::optional<FirewallFact> firewall;
  std::optional<std::string> manifest;  // the on-host manifest's content, if any
  std::optional<std::string> created;   // the manifest's log: entries created since it was written
  std::vector<PendingHandler> pending;
  LockFact lock;
  DbFacts db;
};

}  // namespace foobar
