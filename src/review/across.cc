// Checks across stacks that share a network: VRRP router ids and MySQL server ids.
#include <algorithm>
#include <map>
#include <set>

#include "review/checks.h"
#include "stack/address.h"

namespace foobar::review::detail {

namespace {

// The network a VRRP router id must be unique on. The schema has no prefix length, so
// this uses the lab's and the templates' /24 (IPv4) and /64 (IPv6).
std::string vrrp_network(const stack::Stack& s) {
  auto ip = stack::parse_ip(s.tiers.lb->vip->address.value);
  if (!ip) return "";
  stack::Cidr net{*ip, ip->v6 ? 64 : 24};
  for (int i = net.prefix / 8; i < 16; ++i) net.base.bytes[static_cast<std::size_t>(i)] = 0;
  return stack::to_string(net);
}

struct DbNode {
  const stack::Stack* s;
  std::string host, address;
  int id;
};

// Every db host of every stack with the MySQL server_id compile gives it.
std::vector<DbNode> db_nodes(const std::vector<const compile::Topology*>& topologies) {
  std::vector<DbNode> nodes;
  for (const compile::Topology* t : topologies)
    for (const auto& host : t->hosts_of(stack::Tier::db))
      nodes.push_back({t->stack, host, t->address_of(host), t->server_id.at(host)});
  return nodes;
}

}  // namespace

void check_router_ids(const std::vector<const compile::Topology*>& topologies, Findings& out) {
  std::map<std::pair<std::string, int>, const stack::Stack*> first;
  for (const compile::Topology* t : topologies) {
    const stack::Stack* s = t->stack;
    if (!s->tiers.lb || !s->tiers.lb->vip) continue;
    const auto& vip = *s->tiers.lb->vip;
    auto key = std::make_pair(vrrp_network(*s), vip.router_id.value);
    auto [it, fresh] = first.emplace(key, s);
    if (fresh) continue;
    out.push_back(Finding{
        "VRRP-ID-DUP", Sev::error, s->file, vip.router_id.pos, "lb", t->hosts_of(stack::Tier::lb),
        "VRRP router id " + std::to_string(key.second) + " is also used by stack '" +
            it->second->name.value + "' (" + it->second->file + ") on network " + key.first,
        "both clusters use the same virtual MAC 00:00:5e:00:01:" + std::to_string(key.second) +
            " and read each other's adverts, so the floating IPs flap or vanish",
        "give each stack on a network its own tiers.lb.vip.router_id (1-255)"});
  }
}

// Stacks replicate together when their db tiers share a host address (e.g. one
// stack's replica is another stack's primary); the schema has no explicit server
// ids, so duplicates can only arise there. Every distinct server in such a group
// needs its own id.
void check_server_ids(const std::vector<const compile::Topology*>& topologies, Findings& out) {
  const std::vector<DbNode> nodes = db_nodes(topologies);
  std::vector<std::size_t> group(topologies.size());
  for (std::size_t i = 0; i < group.size(); ++i) group[i] = i;
  auto index = [&](const stack::Stack* s) {
    auto at = std::find_if(topologies.begin(), topologies.end(), [&](const auto* t) { return t->stack == s; });
    return static_cast<std::size_t>(at - topologies.begin());
  };
  auto root = [&](std::size_t i) { while (group[i] != i) i = group[i]; return i; };
  for (const auto& a : nodes)
    for (const auto& b : nodes)
      if (a.s != b.s && a.address == b.address) group[root(index(a.s))] = root(index(b.s));
  std::set<std::pair<std::string, std::string>> reported;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) {
      const auto& a = nodes[i];
      const auto& b = nodes[j];
      if (a.s == b.s || a.id != b.id || a.address == b.address) continue;
      if (root(index(a.s)) != root(index(b.s))) continue;
      if (!reported.insert({a.s->file + a.host, b.s->file + b.host}).second) continue;
      out.push_back(Finding{
          "DB-SERVER-ID-DUP", Sev::error, a.s->file, a.s->tiers.db->pos, "db", {a.host},
          "MySQL server_id " + std::to_string(a.id) + " of " + a.host + " (" + a.address +
              ") is also the server_id of " + b.host + " (" + b.address + ") in stack '" +
              b.s->name.value + "', and the two stacks share database hosts",
          "servers of one replication topology with equal server_id skip each other's events as "
          "their own, so replicas silently miss writes",
          "do not share database hosts between stacks, or keep them in one stack so foobarctl "
          "numbers them 1, 2, ... itself"});
    }
}

}  // namespace foobar::review::detail
