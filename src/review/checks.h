// Inside the review: the context every check writes its findings through, the facts
// several checks share (read from the Topology), and the checks grouped by concern.
#pragma once

#include <string>
#include <vector>

#include "compile/topology.h"
#include "review/finding.h"
#include "stack/stack.h"
#include "util/strings.h"

namespace foobar::review::detail {

using Sev = FindingSeverity;

struct Ctx {
  const compile::Topology& t;
  const stack::Stack& s;  // *t.stack: the settings and source positions findings cite
  Findings& out;
  void add(std::string code, Sev sev, SourcePos pos, std::string tier, std::vector<std::string> hosts,
           std::string message, std::string why, std::string fix) const;
};

using foobar::join;
// Findings list hosts, tiers and ports with ", ".
inline std::string join(const std::vector<std::string>& v) { return foobar::join(v, ", "); }

// The tiers `host` carries, in tier order (none for a host outside every tier).
std::vector<std::string> tiers_of(const compile::Topology& t, const std::string& host);
// Hosts that carry at least one tier or the collector: the machines the site runs on.
std::vector<std::string> used_hosts(const compile::Topology& t);
// The site runs on one machine. Not Topology::single_host, which counts every listed
// host: a host that only serves as a jump host is not part of the site.
bool single_host_site(const compile::Topology& t);
// Something answers the internet: entry hosts (LBs or web hosts) or records in the zone.
bool is_public(const compile::Topology& t);

// Each writes its findings in a fixed order; check_stack calls them by theme.
void check_redundancy(const Ctx& c);   // redundancy.cc: SPOFs, scaling, maintenance, database
void check_health_path(const Ctx& c);  // traffic.cc
void check_firewall(const Ctx& c);     // firewall.cc: ruleset, SSH, VRRP
void check_tls(const Ctx& c);          // traffic.cc
void check_monitoring(const Ctx& c);   // monitoring.cc

// across.cc
void check_router_ids(const std::vector<const compile::Topology*>& topologies, Findings& out);
void check_server_ids(const std::vector<const compile::Topology*>& topologies, Findings& out);

}  // namespace foobar::review::detail
