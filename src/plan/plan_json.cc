#include "plan/plan_json.h"

namespace foobar {

using nlohmann::json;

namespace {

json action_json(const Action& a) {
  json j = {{"id", a.id},
            {"host", a.host},
            {"kind", kind_name(a.kind)},
            {"name", a.name},
            {"action", action_name(a.type)},
            {"reasons", a.reasons},
            {"sensitive", a.sensitive},
            {"notified_by", a.notified_by}};
  j["diff"] = a.diff.empty() ? json(nullptr) : json(a.diff);
  j["handler"] = a.handler ? json(*a.handler == OnChange::restart ? "restart" : "reload") : json(nullptr);
  return j;
}

json summary_json(const PlanSummary& s) {
  return {{"add", s.add},           {"change", s.change},       {"destroy", s.destroy},
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
              {"actions", actions},
              {"facts", hp.facts}};
    h["unreachable_reason"] = hp.reachable ? json(nullptr) : json(hp.unreachable_reason);
    hosts.push_back(std::move(h));
  }
  json diags = json::array();
  for (const auto& d : plan.diagnostics)
    diags.push_back({{"severity", severity_name(d.severity)}, {"where", d.where}, {"message", d.message}});
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

}  // namespace foobar
