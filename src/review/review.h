// The architecture review of a stack (`foobarctl check`): findings an experienced
// infrastructure engineer would write about the design, each with a stable code,
// a severity, the tier/hosts it concerns, why it matters and how to fix it.
// Who carries which tier, addresses, server ids, VRRP peers and scrape targets are
// read from compile's Topology of the stack, never derived here; nothing touches a host.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compile/topology.h"
#include "review/finding.h"
#include "stack/stack.h"

namespace foobar::review {

// Findings about one stack on its own.
Findings check_stack(const compile::Topology& t);
// Findings about stacks that share a network: VRRP router ids and MySQL server ids.
Findings check_across(const std::vector<const compile::Topology*>& topologies);
// Both of the above for every stack, in stack order (each stack's Topology derived once).
Findings check_stacks(const std::vector<const stack::Stack*>& stacks);

// Whether a GET of `path` through the web tier answers 200: a static location
// (nginx serves it from disk) or one of the example app's GET routes.
bool path_served(const stack::Stack& s, std::string_view path);
// The GET routes of examples/foobar-app ("<int>" matches a decimal number).
const std::vector<std::string>& app_get_routes();
// Whether a PromQL expression reads a request counter (web QPS).
bool expr_mentions_request_rate(std::string_view expr);

}  // namespace foobar::review
