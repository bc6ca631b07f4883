#include "graph/state_json.h"

namespace foobar {

using nlohmann::json;

json state_json(const DesiredState& state) {
  struct Visitor {
    json operator()(const PackageState& s) const { return {{"present", s.present}}; }
    json operator()(const DirectoryState& s) const {
      return {{"mode", s.mode}, {"owner", s.owner}, {"group", s.group}};
    }
    json operator()(const FileState& s) const {
      return {{"mode", s.mode}, {"owner", s.owner}, {"group", s.group}, {"validate", s.validate},
              {"sensitive", s.sensitive}};
    }
    json operator()(const ServiceState& s) const {
      return {{"running", s.running}, {"enabled", s.enabled}, {"on_change", to_string(s.on_change)}};
    }
    json operator()(const FirewallState& s) const { return {{"ruleset_path", s.ruleset_path}}; }
    json operator()(const DatabaseState& s) const { return {{"engine", s.engine}}; }
    json operator()(const DbUserState& s) const {
      return {{"user", s.user}, {"from_host", s.from_host}, {"password_secret", s.password_secret},
              {"grants", s.grants}};
    }
    json operator()(const ReplicationState& s) const {
      return {{"primary_host", s.primary_host}, {"primary_address", s.primary_address}, {"user", s.user},
              {"password_secret", s.password_secret}};
    }
    json operator()(const CommandState& s) const {
      return {{"command", s.command}, {"creates", s.creates}, {"unless", s.unless}};
    }
  };
  return std::visit(Visitor{}, state);
}

}  // namespace foobar
