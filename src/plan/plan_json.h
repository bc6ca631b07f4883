// The plan as JSON, for tools: every host, action, reason and diff. Keys are
// sorted, so equal plans serialize to equal text.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "plan/plan.h"
#include "util/result.h"

namespace foobar {

inline constexpr int k_plan_format_version = 1;

nlohmann::json plan_to_json(const Plan& plan);
std::string plan_json_text(const Plan& plan);  // indented, ends with a newline

// The plan back from plan_to_json's form (a saved plan, plan/plan_file.h): every
// field apply and the renderers use. `where` names the source in diagnostics.
Result<Plan> plan_from_json(const std::string& where, const nlohmann::json& j);

}  // namespace foobar
