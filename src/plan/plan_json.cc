#include "plan/plan_json.h"

namespace foobar {

using nlohmann::json;

namespace {

json action_json(const Action& a) {
  json j = {{"id", a.id},
            {"host", a.host},
            {"kind", to_string(a.kind)},
            {"name", a.name},
            {"action", to_string(a.type)},
            {"reasons", a.reasons},
            {"sensitive", a.sensitive},
            {"notified_by", a.notified_by}};
  j["diff"] = a.diff.empty() ? json(nullptr) : json(a.diff);
  j["handler"] = a.handler ? json(to_string(*a.handler)) : json(nullptr);
  json revoke = json::array();
  for (const auto& g : a.revoke_grants)
    revoke.push_back({{"privilege", g.privilege}, {"columns", g.columns}, {"object", g.object},
                      {"object_sql", g.object_sql}, {"role", g.role}});
  j["revoke_grants"] = revoke;
  return j;
}

// Reading: a value of the wrong type is a std::string message naming the key.
struct BadPlan {
  std::string message;
};

const json& at(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) throw BadPlan{std::string("has no '") + key + "'"};
  return j[key];
}

std::string str(const json& j, const char* key) {
  const json& v = at(j, key);
  if (v.is_null()) return "";
  if (!v.is_string()) throw BadPlan{std::string("'") + key + "' is not a string"};
  return v.get<std::string>();
}

bool boolean(const json& j, const char* key) {
  const json& v = at(j, key);
  if (!v.is_boolean()) throw BadPlan{std::string("'") + key + "' is not true or false"};
  return v.get<bool>();
}

std::vector<std::string> strings(const json& j, const char* key) {
  const json& v = at(j, key);
  std::vector<std::string> out;
  if (!v.is_array()) throw BadPlan{std::string("'") + key + "' is not a list"};
  for (const auto& e : v) {
    if (!e.is_string()) throw BadPlan{std::string("'") + key + "' holds a value that is not a string"};
    out.push_back(e.get<std::string>());
  }
  return out;
}

ActionType action_type(const std::string& name) {
  for (ActionType t : {ActionType::create, ActionType::update, ActionType::destroy, ActionType::noop,
                       ActionType::reload, ActionType::restart})
    if (name == to_string(t)) return t;
  throw BadPlan{"action '" + name + "' is not one of create, update, destroy, no-op, reload, restart"};
}

Action action_from(const json& j) {
  Action a;
  a.id = str(j, "id");
  a.host = str(j, "host");
  auto kind = kind_from_name(str(j, "kind"));
  if (!kind) throw BadPlan{"kind '" + str(j, "kind") + "' is unknown"};
  a.kind = *kind;
  a.name = str(j, "name");
  a.type = action_type(str(j, "action"));
  a.reasons = strings(j, "reasons");
  a.sensitive = boolean(j, "sensitive");
  a.notified_by = strings(j, "notified_by");
  a.diff = str(j, "diff");
  const std::string handler = str(j, "handler");
  if (handler == "restart") a.handler = OnChange::restart;
  else if (handler == "reload") a.handler = OnChange::reload;
  else if (!handler.empty()) throw BadPlan{"handler '" + handler + "' is not restart or reload"};
  if (j.contains("revoke_grants")) {
    for (const auto& g : at(j, "revoke_grants")) {
      Grant grant{str(g, "privilege"), strings(g, "columns"), str(g, "object"), str(g, "object_sql"),
                  boolean(g, "role")};
      a.revoke_grants.push_back(std::move(grant));
    }
  }
  return a;
}

json summary_json(const PlanSummary& s) {
  return {{"create", s.create},     {"update", s.update},       {"destroy", s.destroy},
          {"reload", s.reload},     {"restart", s.restart},     {"unchanged", s.unchanged},
          {"unreachable_hosts", s.unreachable}};
}

}  // namespace

json plan_to_json(const Plan& plan) {
  json hosts = json::array();
  for (const auto& hp : plan.hosts) {
    json actions = json::array();
    for (const auto& a : hp.actions) actions.push_back(action_json(a));
    json h = {{"host", hp.host},
              {"reachable", hp.reachable},
              {"lock", {{"held", hp.lock.held}, {"holder", hp.lock.holder}}},
              {"first_apply", hp.first_apply},
              {"actions", actions},
              {"facts", hp.facts}};
    h["unreachable_reason"] = hp.reachable ? json(nullptr) : json(hp.unreachable_reason);
    hosts.push_back(std::move(h));
  }
  json diags = json::array();
  for (const auto& d : plan.diagnostics)
    diags.push_back({{"severity", to_string(d.severity)}, {"where", d.where}, {"message", d.message}});
  return {{"format_version", k_plan_format_version},
          {"stack", plan.stack},
          {"summary", summary_json(plan.summary())},
          {"summary_line", summary_line(plan.summary())},
          {"has_changes", plan.has_changes()},
          {"complete", plan.complete()},
          {"hosts", hosts},
          {"diagnostics", diags}};
}

std::string plan_json_text(const Plan& plan) { return plan_to_json(plan).dump(2) + "\n"; }

Result<Plan> plan_from_json(const std::string& where, const json& j) {
  try {
    Plan plan;
    plan.stack = str(j, "stack");
    for (const auto& h : at(j, "hosts")) {
      HostPlan hp;
      hp.host = str(h, "host");
      hp.reachable = boolean(h, "reachable");
      hp.unreachable_reason = str(h, "unreachable_reason");
      hp.lock = LockFact{boolean(at(h, "lock"), "held"), str(at(h, "lock"), "holder")};
      hp.first_apply = h.contains("first_apply") && boolean(h, "first_apply");
      for (const auto& a : at(h, "actions")) hp.actions.push_back(action_from(a));
      hp.facts = strings(h, "facts");
      plan.hosts.push_back(std::move(hp));
    }
    for (const auto& d : at(j, "diagnostics")) {
      const std::string sev = str(d, "severity");
      Severity severity = sev == "error" ? Severity::error : sev == "note" ? Severity::note : Severity::warning;
      plan.diagnostics.push_back(Diagnostic{severity, str(d, "where"), {}, str(d, "message")});
    }
    return plan;
  } catch (const BadPlan& e) {
    return Diagnostic::error(where, "saved plan: " + e.message);
  }
}

}  // namespace foobar
