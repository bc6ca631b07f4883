// One typed model per host, derived once per compile (derive_topology): what the host
// carries and runs, who may reach it, its MySQL and VRRP identity, its nameserver label
// and its exporters. The template context, the resources and the diagram print these
// facts; none of them derives them again.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stack/stack.h"

namespace foobar::compile {

// What a host runs. resources.cc gives each role its packages and service, and
// templates/index.json names the role each template belongs to. Listed in the order
// a host's resources are.
enum class Role {
  firewall, lb, keepalived, web, app, db, collector, alertmanager, node_exporter,
  nginx_exporter, mysqld_exporter, logs, log_store, dns, ssh,
};
// "node-exporter" for Role::node_exporter, ...; the names templates/index.json uses.
const char* to_string(Role r);
std::optional<Role> parse_role(std::string_view name);

// One allowed inbound flow into a host.
struct Flow {
  int port = 0;
  std::string proto;                 // tcp | udp
  std::vector<std::string> sources;  // addresses or CIDRs; empty = anywhere
  std::string comment;
  // Who the sources are, for people: "any", "lb", "web", "app", "admin", the
  // collector's name, "all hosts", or a stack rule's CIDRs.
  std::string from;
};

// An exporter a host serves metrics with, and where the collector scrapes it.
struct ExporterEndpoint {
  stack::Exporter exporter = stack::Exporter::node;
  int port = 0;
};

struct HostModel {
  std::string name;
  std::string address;          // as in the stack file
  std::string service_address;  // how the stack's hosts reach it (loopback on a single host)
  stack::TierSet tiers;
  std::vector<Role> roles;  // in Role order
  // What its firewall admits, besides ssh from the admin networks (ssh_port) and VRRP
  // from the other load balancers (vrrp_peers). Filled with or without a firewall.
  std::vector<Flow> inbound;
  int ssh_port = 22;
  std::vector<std::string> vrrp_peers;  // addresses, with a floating IP only
  int server_id = 0;                    // MySQL server_id; 0 off the db tier
  bool db_primary = false;
  std::string vrrp_state;  // "MASTER", "BACKUP", or "" without a floating IP
  int vrrp_priority = 0;
  std::optional<std::size_t> nameserver;  // index in Topology::nameservers; 0 is the primary
  bool collector = false;                 // runs Prometheus
  bool log_collector = false;             // stores every host's logs
  std::vector<ExporterEndpoint> exporters;

  bool carries(stack::Tier t) const { return tiers.has(t); }
  bool has(Role r) const;
  const ExporterEndpoint* exporter(stack::Exporter e) const;
  bool is_primary_nameserver() const { return nameserver == std::size_t{0}; }
};

struct Topology;
// Fills t.hosts from the stack and the stack-wide fields derived before it (endpoints,
// server ids, VRRP priorities, nameservers); derive_topology calls it.
void derive_host_models(Topology& t);

// The port an exporter serves on.
int exporter_port(stack::Exporter e);

// The tiers the template context and the render manifest list: the host's tiers, then
// "monitoring" on the collector.
std::vector<std::string> manifest_tiers(const HostModel& m);

// The roles the render manifest (.foobar-render.json) lists: the tiers, "monitoring"
// on the collector, then the other roles but the collector's.
std::vector<std::string> manifest_roles(const HostModel& m);

}  // namespace foobar::compile
