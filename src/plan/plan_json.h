// The plan as JSON, for tools: every host, action, reason and diff. Keys are
// sorted, so equal plans serialize to equal text.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "plan/plan.h"

namespace foobar {

inline constexpr int k_plan_format_version = 1;

nlohmann::json plan_to_json(const Plan& plan);
std::string plan_json_text(const Plan& plan);  // indented, ends with a newline

}  // namespace foobar
