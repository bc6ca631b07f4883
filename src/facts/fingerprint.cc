#include "facts/fingerprint.h"

#include <nlohmann/json.hpp>

#include "util/hash.h"

namespace foobar {

using nlohmann::json;

namespace {

json path_json(const std::map<std::string, PathFact>& paths) {
  json out = json::object();
  for (const auto& [name, p] : paths)
    out[name] = {static_cast<int>(p.type), p.sha256, p.mode, p.owner, p.group};
  return out;
}

}  // namespace

std::string facts_fingerprint(const Facts& f) {
  json packages = json::object(), services = json::object(), commands = json::object(), accounts = json::object();
  for (const auto& [name, p] : f.packages) packages[name] = {p.installed, p.known, p.version};
  for (const auto& [name, s] : f.services) services[name] = {s.running, s.enabled};
  for (const auto& [name, c] : f.commands) commands[name] = c.skip;
  for (const auto& [name, a] : f.db.accounts)
    accounts[name] = {static_cast<int>(a.auth), a.plugin, a.grants_known, a.grants};
  json replica = nullptr;
  if (f.db.replica)
    replica = {f.db.replica->io_running, f.db.replica->sql_running, f.db.replica->source_host};
  json pending = json::array();
  for (const auto& p : f.pending) pending.push_back({p.action, p.service, p.source});
  json doc = {{"files", path_json(f.files)},
              {"dirs", path_json(f.dirs)},
              {"packages", packages},
              {"services", services},
              {"commands", commands},
              {"firewall", f.firewall ? json(f.firewall->loaded) : json(nullptr)},
              {"manifest", f.manifest ? json(sha256_hex(*f.manifest)) : json(nullptr)},
              {"created", f.created ? json(sha256_hex(*f.created)) : json(nullptr)},
              {"pending", pending},
              {"db", {f.db.probed, f.db.answering, f.db.databases, f.db.users, accounts, replica}}};
  return "sha256:" + sha256_hex(doc.dump());
}

}  // namespace foobar
