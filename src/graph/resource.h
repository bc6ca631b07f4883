// A resource is one thing foobarctl manages on one host, with the state it must be
// in. Its id is stable across runs: "host:kind:name".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace foobar {

enum class ResourceKind {
  package,      // an installed Debian package
  directory,    // a directory with mode/owner
  file,         // a file with exact content (rendered template or copied source)
  service,      // a service running/enabled, reloaded or restarted on change
  firewall,     // an nftables ruleset: a file plus its activation
  database,     // a database on a MariaDB/MySQL server
  db_user,      // a database user with its grants
  replication,  // a replica's link to its primary
  command,      // a guarded command, run only when its guard says so
};

const char* to_string(ResourceKind k);
std::optional<ResourceKind> kind_from_name(const std::string& name);

struct PackageState {
  bool present = true;
};

struct DirectoryState {
  std::string mode = "0755";
  std::string owner = "root";
  std::string group = "root";
};

struct FileState {
  std::string content;
  std::string mode = "0644";
  std::string owner = "root";
  std::string group = "root";
  // The service's own checker, run on the new file before it replaces the old one;
  // "{}" stands for the candidate file's path. Empty: no check.
  std::string validate;
  bool sensitive = false;  // holds secrets: written 0600, never shown in a diff
  std::string source;      // template or source file it came from, for messages
};

enum class OnChange { reload, restart };
// "reload" or "restart": the word in plans, manifests, journals and remote calls.
const char* to_string(OnChange c);

struct ServiceState {
  bool running = true;
  bool enabled = true;
  OnChange on_change = OnChange::reload;
};

struct FirewallState {
  std::string ruleset_path;  // the file resource that holds the ruleset
};

struct DatabaseState {
  std::string engine;  // mariadb | mysql
};

struct DbUserState {
  std::string user;
  std::string from_host;  // MySQL host part, e.g. 10.77.0.%
  std::string password_secret;  // name of the secret, never its value; empty: unix_socket login
  std::vector<std::string> grants;
};

struct ReplicationState {
  std::string primary_host;
  std::string primary_address;
  std::string user;
  std::string password_secret;
};

struct CommandState {
  std::string command;
  std::string creates;  // skip when this path exists
  std::string unless;   // skip when this command succeeds
};

using DesiredState = std::variant<PackageState, DirectoryState, FileState, ServiceState,
                                  FirewallState, DatabaseState, DbUserState, ReplicationState,
                                  CommandState>;

// A change to this resource makes `target` (a service resource id) reload or restart.
struct Notify {
  std::string target;
  OnChange action = OnChange::reload;
};

struct Resource {
  std::string host;
  ResourceKind kind = ResourceKind::file;
  std::string name;  // path, package, service, database... unique per host and kind
  DesiredState state;
  std::vector<std::string> deps;  // ids this resource waits for (any host)
  std::vector<Notify> notify;

  std::string id() const;
};

std::string make_resource_id(const std::string& host, ResourceKind kind, const std::string& name);

}  // namespace foobar
