// Plan renderers: for a terminal (optionally coloured), and markdown for code review.
// JSON comes from plan/plan_json.h. Rendering does no I/O on hosts.
#pragma once

#include <string>

#include "plan/plan.h"

namespace foobar::cli {

std::string plan_text(const Plan& plan, bool color);
std::string plan_markdown(const Plan& plan);
// Whether `format` is one a plan renders in (human, json, markdown); if not, says so
// on stderr for `command`.
bool plan_format_known(const std::string& command, const std::string& format);

}  // namespace foobar::cli
