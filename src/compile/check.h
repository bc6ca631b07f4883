// The architecture review of a stack (`foobarctl check`): findings an experienced
// infrastructure engineer would write about the design, each with a stable code,
// a severity, the tier/hosts it concerns, why it matters and how to fix it.
// Everything is computed from the typed Stack; nothing touches a host.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "stack/stack.h"

namespace foobar::compile {

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

// Findings about one stack on its own.
Findings check_stack(const stack::Stack& s);
// Findings about stacks that share a network: VRRP router ids and MySQL server ids.
Findings check_across(const std::vector<const stack::Stack*>& stacks);
// Both of the above for every stack, in stack order.
Findings check_stacks(const std::vector<const stack::Stack*>& stacks);

// Output for humans and for tools (stable field names, see docs/check.md).
std::string format_text(const Findings& findings);
std::string format_json(const Findings& findings);
// 3 when any finding is an error, else 0.
int exit_code(const Findings& findings);

// Facts derived from the stack that the findings (and tests) rely on.
// MySQL server_id per db host: the primary is 1, replicas 2, 3, ... in stack order.
std::vector<std::pair<std::string, int>> server_ids(const stack::Stack& s);
// The LB that starts as VRRP MASTER (the first one), or "" without a vip.
std::string vrrp_master(const stack::Stack& s);
// Whether a GET of `path` through the web tier answers 200: a static location
// (nginx serves it from disk) or one of the example app's GET routes.
bool path_served(const stack::Stack& s, std::string_view path);
// The GET routes of examples/foobar-app ("<int>" matches a decimal number).
const std::vector<std::string>& app_get_routes();
// Whether a PromQL expression reads a request counter (web QPS).
bool expr_mentions_request_rate(std::string_view expr);

}  // namespace foobar::compile
