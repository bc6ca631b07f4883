#include "plan/plan_file.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "plan/manifest.h"
#include "plan/plan_json.h"
#include "util/file.h"
#include "util/hash.h"

namespace foobar {

using nlohmann::json;

namespace {

constexpr const char* k_format = "foobarctl-saved-plan";

json inputs_json(const PlanInputs& in) {
  return {{"version", in.version},           {"stack_file", in.stack_file},
          {"stack_hash", in.stack_hash},     {"templates_dir", in.templates_dir},
          {"templates_hash", in.templates_hash}, {"source_base", in.source_base},
          {"desired_hash", in.desired_hash}, {"fingerprints", in.fingerprints}};
}

std::string get_string(const json& j, const char* key, Diagnostics& errors, const std::string& where) {
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  errors.push_back(Diagnostic::error(where, std::string("saved plan has no string '") + key + "'"));
  return "";
}

std::string describe(const Action& a) {
  std::string s = std::string(to_string(a.type)) + " " + to_string(a.kind) + " " + a.name;
  if (!a.reasons.empty()) {
    s += " (";
    for (std::size_t i = 0; i < a.reasons.size(); ++i) s += (i ? "; " : "") + a.reasons[i];
    s += ")";
  }
  return s;
}

}  // namespace

std::string saved_plan_to_json(const SavedPlan& saved) {
  json doc = {{"format", k_format},
              {"format_version", k_saved_plan_version},
              {"created", saved.created},
              {"inputs", inputs_json(saved.inputs)},
              {"hosts", saved.hosts},
              {"plan", plan_to_json(saved.plan)}};
  return doc.dump(2) + "\n";
}

bool is_saved_plan(std::string_view text) {
  auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || text[start] != '{') return false;
  return text.find(std::string("\"") + k_format + "\"") != std::string_view::npos;
}

Result<SavedPlan> parse_saved_plan(const std::string& where, std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("format", "") != k_format)
    return Diagnostic::error(where, "not a saved plan (expected JSON written by 'foobarctl plan --out')");
  if (!doc.contains("format_version") || doc["format_version"] != k_saved_plan_version)
    return Diagnostic::error(where, "saved plan format version " + doc.value("format_version", json(0)).dump() +
                                        " is not supported; expected " + std::to_string(k_saved_plan_version) +
                                        ": make the plan again with this foobarctl");
  Diagnostics errors;
  SavedPlan s;
  s.created = get_string(doc, "created", errors, where);
  const json& in = doc.contains("inputs") ? doc["inputs"] : json::object();
  s.inputs.version = get_string(in, "version", errors, where);
  s.inputs.stack_file = get_string(in, "stack_file", errors, where);
  s.inputs.stack_hash = get_string(in, "stack_hash", errors, where);
  s.inputs.templates_dir = get_string(in, "templates_dir", errors, where);
  s.inputs.templates_hash = get_string(in, "templates_hash", errors, where);
  s.inputs.source_base = get_string(in, "source_base", errors, where);
  s.inputs.desired_hash = get_string(in, "desired_hash", errors, where);
  if (in.contains("fingerprints") && in["fingerprints"].is_object()) {
    for (const auto& [host, fp] : in["fingerprints"].items())
      if (fp.is_string()) s.inputs.fingerprints[host] = fp.get<std::string>();
  } else {
    errors.push_back(Diagnostic::error(where, "saved plan has no 'fingerprints'"));
  }
  if (doc.contains("hosts") && doc["hosts"].is_array()) {
    for (const auto& h : doc["hosts"])
      if (h.is_string()) s.hosts.push_back(h.get<std::string>());
  } else {
    errors.push_back(Diagnostic::error(where, "saved plan has no 'hosts' list"));
  }
  if (!errors.empty()) return errors;
  auto plan = plan_from_json(where, doc.contains("plan") ? doc["plan"] : json());
  if (!plan) return plan.diagnostics();
  s.plan = std::move(*plan);
  return s;
}

Result<std::string> tree_hash(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> files;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file()) files.push_back(fs::relative(it->path(), dir).generic_string());
  if (ec) return Diagnostic::error(dir.string(), "cannot read the directory: " + ec.message());
  std::sort(files.begin(), files.end());
  std::string all;
  for (const auto& f : files) {
    auto content = read_file(dir / f);
    if (!content) return content.diagnostics();
    all += f + '\0' + sha256_hex(*content) + '\n';
  }
  return sha256_hex(all);
}

std::string desired_hash(const Graph& graph) {
  std::vector<std::string> lines;
  for (const auto& r : graph.resources()) lines.push_back(r.id() + '\0' + state_hash(r));
  std::sort(lines.begin(), lines.end());
  std::string all;
  for (const auto& l : lines) all += l + '\n';
  return sha256_hex(all);
}

std::vector<std::string> host_drift(const HostPlan& before, const HostPlan& now, std::size_t limit) {
  std::vector<std::string> out;
  std::map<std::string, const Action*> old;
  for (const auto& a : before.actions) old[a.id] = &a;
  for (const auto& a : now.actions) {
    auto it = old.find(a.id);
    const Action* b = it == old.end() ? nullptr : it->second;
    if (b && b->type == a.type && b->reasons == a.reasons && b->diff == a.diff) continue;
    if (!a.changes() && !b) continue;
    out.push_back(describe(a) + " (the plan had: " + (b ? describe(*b) : std::string("nothing")) + ")");
  }
  std::map<std::string, bool> seen;
  for (const auto& a : now.actions) seen[a.id] = true;
  for (const auto& a : before.actions)
    if (!seen.count(a.id) && a.changes()) out.push_back("no longer: " + describe(a));
  if (out.size() > limit) {
    const std::size_t more = out.size() - limit;
    out.resize(limit);
    out.push_back("and " + std::to_string(more) + " more");
  }
  return out;
}

std::vector<std::string> stale_reasons(const SavedPlan& saved, const PlanInputs& now, const Plan& replan) {
  std::vector<std::string> out;
  const PlanInputs& was = saved.inputs;
  if (was.version != now.version)
    out.push_back("the plan was made by foobarctl " + was.version + ", this is " + now.version);
  if (was.stack_hash != now.stack_hash) out.push_back("the stack file " + now.stack_file + " changed since the plan");
  if (was.templates_hash != now.templates_hash)
    out.push_back("the templates in " + now.templates_dir + " changed since the plan");
  if (was.desired_hash != now.desired_hash && was.stack_hash == now.stack_hash &&
      was.templates_hash == now.templates_hash)
    out.push_back("the desired state changed since the plan (app source or secrets)");
  std::map<std::string, const HostPlan*> before;
  for (const auto& hp : saved.plan.hosts) before[hp.host] = &hp;
  for (const auto& [host, fp] : was.fingerprints) {
    auto it = now.fingerprints.find(host);
    if (it == now.fingerprints.end()) {
      out.push_back("host " + host + " could not be probed again");
      continue;
    }
    if (it->second == fp) continue;
    std::string what;
    for (const auto& hp : replan.hosts)
      if (hp.host == host && before.count(host))
        for (const auto& d : host_drift(*before[host], hp)) what += (what.empty() ? "" : "; ") + d;
    out.push_back("host " + host + " changed since the plan: " +
                  (what.empty() ? "its facts differ (" + fp + " then, " + it->second + " now)" : what));
  }
  for (const auto& [host, fp] : now.fingerprints)
    if (!was.fingerprints.count(host)) out.push_back("host " + host + " was not in the plan");
  return out;
}

}  // namespace foobar
