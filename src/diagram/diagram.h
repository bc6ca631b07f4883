// The topology picture of a stack (`foobarctl diagram`): what an operator draws on a
// whiteboard. One Diagram is built from compile's model of the stack (Topology and its
// HostModels, never re-derived here) and printed as Graphviz dot or as a Mermaid
// flowchart, so both formats always show the same nodes and edges.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compile/topology.h"

namespace foobar::diagram {

enum class NodeKind { user, dns, vip, host, collector };

struct DiagramNode {
  std::string id;                  // dot/mermaid identifier: [a-z0-9_]+
  NodeKind kind = NodeKind::host;
  std::vector<std::string> lines;  // label, one entry per line
  std::string group;               // id of the DiagramGroup holding it, or ""
  bool standby = false;            // a standby host: drawn dashed
  stack::TierSet tiers = {};       // a host's tiers: its colour
};

enum class EdgeStyle { solid, dashed, bold };

struct DiagramEdge {
  std::string from, to, label;
  EdgeStyle style = EdgeStyle::solid;
  bool layout = true;  // false: drawn, but does not push nodes apart (scrape arrows)
};

// The hosts carrying one combination of tiers ("web + app"); with a firewall the
// box is dashed and its label lists the inbound flows the ruleset admits.
struct DiagramGroup {
  std::string id;
  std::vector<std::string> lines;
  bool firewalled = false;
  stack::TierSet tiers;  // its hosts' tiers (empty: the monitoring or the other hosts)
};

struct Diagram {
  std::string title;
  std::vector<DiagramNode> nodes;
  std::vector<DiagramEdge> edges;
  std::vector<DiagramGroup> groups;
  // Nodes drawn in one column (dot only): the collector sits beside the middle of the
  // request path, so its scrape arrows fan out both ways instead of crossing the picture.
  std::vector<std::string> same_rank;
};

Diagram build_diagram(const compile::Topology& t);
std::string to_dot(const Diagram& t);
std::string to_mermaid(const Diagram& t);

// "web-01" -> "h_web_01": host names as diagram identifiers. The prefix keeps them
// apart from the fixed nodes (user, dns, vip) and from mermaid keywords (`end`).
std::string node_id(std::string_view host);
// Inbound flows the generated firewall admits on a host (the host's model), grouped
// by source, e.g. {"any: 80, 443, 53/udp, 53", "mon-01: 8404, 9100", "admin: ssh 22",
// "lb peers: vrrp"}; empty without a firewall.
std::vector<std::string> allowed_inbound(const compile::HostModel& host);

}  // namespace foobar::diagram
