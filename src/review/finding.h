// A finding of the architecture review (`foobarctl check`) and its renderings: text
// for humans, JSON for tools (stable field names, see docs/check.md).
#pragma once

#include <string>
#include <vector>

#include "stack/stack.h"

namespace foobar::review {

enum class FindingSeverity { error, warning, info };
const char* to_string(FindingSeverity s);

struct Finding {
  std::string code;  // stable, e.g. "SPOF-LB"; documented in docs/check.md
  FindingSeverity severity = FindingSeverity::warning;
  std::string file;                // stack file the finding is about
  SourcePos pos;                   // where in it; {0,0} when the file says nothing
  std::string tier;                // "lb", "web", "app", "db", "firewall", "monitoring", "dns", or ""
  std::vector<std::string> hosts;  // hosts concerned (may be empty: stack-wide)
  std::string message;             // what is the matter, one sentence
  std::string why;                 // why it matters
  std::string fix;                 // how to fix it
};

using Findings = std::vector<Finding>;

std::string format_text(const Findings& findings);
std::string format_json(const Findings& findings);
// 3 when any finding is an error, else 0.
int exit_code(const Findings& findings);

}  // namespace foobar::review
