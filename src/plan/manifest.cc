#include "plan/manifest.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "graph/state_json.h"
#include "util/hash.h"

namespace foobar {

using nlohmann::json;

namespace {

// A file holding a secret is hashed without its content: the manifest is read on the
// host, and a hash of the content would let a reader guess the secret offline.
json manifest_state_json(const DesiredState& state) {
  json j = state_json(state);
  if (const auto* f = std::get_if<FileState>(&state); f && !f->sensitive) j["sha256"] = sha256_hex(f->content);
  return j;
}

}  // namespace

std::string state_hash(const Resource& r) {
  json j = {{"kind", to_string(r.kind)}, {"name", r.name}, {"state", manifest_state_json(r.state)}};
  return sha256_hex(j.dump());
}

namespace {

ManifestEntry entry_of(const Resource& r) {
  return ManifestEntry{r.id(), r.kind, r.name, state_hash(r), r.deps, r.notify};
}

json entry_json(const ManifestEntry& e) {
  json notify = json::array();
  for (const auto& n : e.notify) notify.push_back({{"target", n.target}, {"action", to_string(n.action)}});
  return {{"id", e.id}, {"kind", to_string(e.kind)}, {"name", e.name}, {"hash", e.hash},
          {"deps", e.deps}, {"notify", notify}};
}

}  // namespace

Manifest build_manifest(const std::string& stack, const std::string& host,
                        const std::vector<const Resource*>& resources) {
  Manifest m;
  m.stack = stack;
  m.host = host;
  for (const Resource* r : resources) {
    if (r->host != host) continue;
    m.resources.push_back(entry_of(*r));
  }
  std::sort(m.resources.begin(), m.resources.end(),
            [](const ManifestEntry& a, const ManifestEntry& b) { return a.id < b.id; });
  return m;
}

std::string manifest_to_json(const Manifest& m) {
  json resources = json::array();
  for (const auto& e : m.resources) resources.push_back(entry_json(e));
  json doc = {{"version", m.version}, {"stack", m.stack}, {"host", m.host}, {"resources", resources}};
  return doc.dump(2) + "\n";
}

namespace {

// Reads one entry; a message saying what is wrong, or empty.
std::string read_entry(const json& j, ManifestEntry& e) {
  if (!j.is_object()) return "is not an object";
  for (const char* key : {"id", "kind", "name"})
    if (!j.contains(key) || !j[key].is_string()) return std::string("has no string '") + key + "'";
  e.id = j["id"].get<std::string>();
  e.name = j["name"].get<std::string>();
  auto kind = kind_from_name(j["kind"].get<std::string>());
  if (!kind) return "has unknown kind '" + j["kind"].get<std::string>() + "'";
  e.kind = *kind;
  if (j.contains("hash") && j["hash"].is_string()) e.hash = j["hash"].get<std::string>();
  if (j.contains("deps")) {
    if (!j["deps"].is_array()) return "has 'deps' that is not a list";
    for (const auto& d : j["deps"]) {
      if (!d.is_string()) return "has a dependency that is not a string";
      e.deps.push_back(d.get<std::string>());
    }
  }
  if (j.contains("notify") && j["notify"].is_array()) {
    for (const auto& n : j["notify"]) {
      if (!n.is_object() || !n.contains("target") || !n["target"].is_string()) return "has a malformed 'notify'";
      bool restart = n.contains("action") && n["action"] == "restart";
      e.notify.push_back(Notify{n["target"].get<std::string>(), restart ? OnChange::restart : OnChange::reload});
    }
  }
  return "";
}

}  // namespace

Result<Manifest> parse_manifest(const std::string& where, std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Diagnostic::error(where, "manifest is not a JSON object; expected {\"version\", \"stack\", \"resources\"}");
  if (!doc.contains("version") || !doc["version"].is_number_integer())
    return Diagnostic::error(where, "manifest has no integer 'version'");
  int version = doc["version"].get<int>();
  if (version != k_manifest_version)
    return Diagnostic::error(where, "manifest version " + std::to_string(version) + " is not supported; expected " +
                                        std::to_string(k_manifest_version));
  Manifest m;
  m.version = version;
  if (doc.contains("stack") && doc["stack"].is_string()) m.stack = doc["stack"].get<std::string>();
  if (doc.contains("host") && doc["host"].is_string()) m.host = doc["host"].get<std::string>();
  if (!doc.contains("resources") || !doc["resources"].is_array())
    return Diagnostic::error(where, "manifest has no 'resources' list");
  Diagnostics errors;
  for (std::size_t i = 0; i < doc["resources"].size(); ++i) {
    ManifestEntry e;
    auto problem = read_entry(doc["resources"][i], e);
    if (!problem.empty())
      errors.push_back(Diagnostic::error(where, "manifest resource #" + std::to_string(i + 1) + " " + problem));
    else
      m.resources.push_back(std::move(e));
  }
  if (!errors.empty()) return errors;
  return m;
}

std::string manifest_log_line(const Resource& r) { return entry_json(entry_of(r)).dump(); }

Status merge_manifest_log(const std::string& where, std::string_view log, Manifest& m) {
  Diagnostics errors;
  std::size_t line_no = 0, pos = 0;
  while (pos < log.size()) {
    auto nl = log.find('\n', pos);
    auto line = log.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? log.size() : nl + 1;
    ++line_no;
    if (line.empty()) continue;
    json j = json::parse(line.begin(), line.end(), nullptr, false);
    ManifestEntry e;
    auto problem = j.is_discarded() ? std::string("is not JSON") : read_entry(j, e);
    if (!problem.empty()) {
      errors.push_back(Diagnostic::error(where, "manifest log line " + std::to_string(line_no) + " " + problem));
      continue;
    }
    auto same = std::find_if(m.resources.begin(), m.resources.end(), [&](const auto& x) { return x.id == e.id; });
    if (same != m.resources.end()) *same = std::move(e);
    else m.resources.push_back(std::move(e));
  }
  if (!errors.empty()) return errors;
  std::sort(m.resources.begin(), m.resources.end(),
            [](const ManifestEntry& a, const ManifestEntry& b) { return a.id < b.id; });
  return ok_status();
}

}  // namespace foobar
