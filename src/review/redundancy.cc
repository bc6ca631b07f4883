// Single points of failure, scaling and maintenance, the database's redundancy.
#include <algorithm>
#include <set>
#include <string_view>

#include "review/checks.h"

namespace foobar::review::detail {

namespace {

// The hosts of a tier that take requests: HAProxy's backends (web) or nginx's
// upstreams (app) that are no standby.
std::vector<std::string> active_hosts(const compile::Topology& t, stack::Tier tier) {
  const auto& members = tier == stack::Tier::web ? t.backends : t.upstreams;
  std::vector<std::string> out;
  for (const auto& e : members)
    if (!e.backup) out.push_back(e.name);
  return out;
}

// The db hosts other than the write primary, in stack order.
std::vector<std::string> replicas(const compile::Topology& t, const std::string& primary) {
  std::vector<std::string> out;
  for (const auto& h : t.hosts_of(stack::Tier::db))
    if (h != primary) out.push_back(h);
  return out;
}

void check_single_host(const Ctx& c) {
  if (!single_host_site(c.t)) return;
  auto hosts = used_hosts(c.t);
  c.add("SPOF-SITE", Sev::warning, c.s.name.pos, "", hosts,
        "one host (" + hosts[0] + ") carries the whole site: " + join(c.s.tier_names()),
        "any failure of that machine (disk, kernel, network, a bad config) takes the site and its "
        "data offline at once",
        "spread the tiers over several hosts: at least two web/app hosts behind a load balancer "
        "and a database replica (see stacks/1-distributed.yaml)");
  c.add("MAINT-DOWNTIME", Sev::warning, c.s.name.pos, "", hosts,
        "every OS update, reboot or database upgrade on " + hosts[0] + " is site downtime",
        "with no second host there is nothing to drain traffic to, so maintenance cannot be rolling",
        "add a second web/app host behind a load balancer so one can be drained while the other "
        "serves, and a replica to fail over to during database maintenance");
}

// Every tier on exactly the same hosts: nothing can be sized or scaled on its own.
void check_colocated(const Ctx& c) {
  std::vector<stack::Tier> tiers;
  for (stack::Tier t : stack::k_tiers)
    if (c.s.has_tier(t)) tiers.push_back(t);
  if (tiers.size() < 2) return;
  auto first = c.t.hosts_of(tiers[0]);
  std::sort(first.begin(), first.end());
  for (stack::Tier t : tiers) {
    auto hs = c.t.hosts_of(t);
    std::sort(hs.begin(), hs.end());
    if (hs != first) return;
  }
  c.add("SCALE-COLOCATED", Sev::warning, c.s.tiers.pos, "", first,
        "every tier (" + join(c.s.tier_names()) + ") runs on the same host(s): " + join(first),
        "nginx, the app server and MySQL compete for the same CPU, memory and disk, and no tier "
        "can be scaled out without copying all of them",
        "give the database its own host(s) first, then scale web/app hosts horizontally behind "
        "a load balancer");
}

// Several tiers share hosts (but not all of them: that is SCALE-COLOCATED).
void check_identical_servers(const Ctx& c) {
  std::vector<std::string> shared;
  std::set<std::string> combos;
  for (const auto& h : used_hosts(c.t)) {
    const auto& tiers = tiers_of(c.t, h);
    if (tiers.size() > 1) {
      shared.push_back(h);
      combos.insert(join(tiers, "+"));
    }
  }
  if (shared.size() < 2) return;
  for (const auto& o : c.out)
    if (o.code == "SCALE-COLOCATED" && o.file == c.s.file) return;
  c.add("IDENTICAL-SERVERS", Sev::warning, c.s.tiers.pos, join(std::vector(combos.begin(), combos.end())),
        shared,
        "hosts " + join(shared) + " are identical servers each carrying " +
            join(std::vector(combos.begin(), combos.end()), " and "),
        "the tiers compete for CPU and memory on each server (a slow app starves nginx), and "
        "web and app capacity can only grow together",
        "move the app tier to its own hosts (tiers.app.hosts) so web and app scale independently, "
        "as in stacks/3-scale-up.yaml");
}

void check_lb_spof(const Ctx& c) {
  const auto& lb = c.s.tiers.lb;
  if (!lb || lb->vip) return;
  const auto& hosts = c.t.hosts_of(stack::Tier::lb);
  std::string what = hosts.size() == 1 ? "one load balancer (" + hosts[0] + ") and no floating IP"
                                       : "load balancers " + join(hosts) + " share no floating IP";
  c.add("SPOF-LB", Sev::warning, lb->pos, "lb", hosts, what,
        "every request enters through that one address; when its host fails or is rebooted the whole "
        "site is down even though the servers behind it are healthy",
        "add a second load balancer and a floating IP (tiers.lb.vip with keepalived/VRRP) and point "
        "the DNS records at the vip");
}

void check_tier_spof(const Ctx& c) {
  if (single_host_site(c.t)) return;  // SPOF-SITE says it once for every tier
  for (stack::Tier t : {stack::Tier::web, stack::Tier::app}) {
    const auto& hosts = c.t.hosts_of(t);
    if (hosts.size() != 1) continue;
    const char* tier = stack::to_string(t);
    SourcePos pos = t == stack::Tier::web ? c.s.tiers.web->pos : c.s.tiers.app->pos;
    c.add("SPOF-TIER", Sev::warning, pos, tier, hosts,
          std::string("tier '") + tier + "' has a single host (" + hosts[0] + ")",
          "when that host fails or is being updated the tier is gone and the site with it",
          std::string("list at least two hosts under tiers.") + tier + ".hosts");
  }
}

// Standby hosts: a choice with a cost, worth saying out loud.
void check_active_passive(const Ctx& c) {
  for (stack::Tier t : {stack::Tier::web, stack::Tier::app}) {
    const char* tier = stack::to_string(t);
    const auto* standby = t == stack::Tier::web ? (c.s.tiers.web ? &c.s.tiers.web->standby : nullptr)
                                                : (c.s.tiers.app ? &c.s.tiers.app->standby : nullptr);
    if (!standby || standby->empty()) continue;
    std::vector<std::string> idle;
    for (const auto& h : *standby) idle.push_back(h.value);
    const auto active = active_hosts(c.t, t);
    const char* who = t == stack::Tier::web ? "the load balancer" : "nginx";
    c.add("ACTIVE-PASSIVE", Sev::info, standby->front().pos, tier, idle,
          std::string("tier '") + tier + "' is active-passive: " + join(active) + " take" +
              (active.size() == 1 ? "s" : "") + " every request, standby " + join(idle) + " only when " +
              (active.size() == 1 ? "it is" : "all of them are") + " down",
          std::string("the site's capacity is that of the active hosts alone while the standby sits idle, and a "
                      "standby that never serves can hide a broken deploy until the failover that needs it; in "
                      "exchange ") + who + " never splits traffic, so sessions and caches stay on one host",
          std::string("if the tier does not need a single active host, drop tiers.") + tier +
              ".standby and let every host serve (active-active); otherwise test the failover regularly "
              "(stop the active host's service and watch the standby take over)");
  }
}

void check_dns_spof(const Ctx& c) {
  if (c.t.nameservers.size() != 1) return;  // no zone, or secondaries already
  const std::string& ns = c.t.nameserver;
  c.add("DNS-SPOF", Sev::warning, c.s.dns->nameserver ? c.s.dns->nameserver->pos : c.s.dns->pos, "dns", {ns},
        "one nameserver (" + ns + ") serves the zone " + c.s.domain.value,
        "when " + ns + " is down, " + c.s.domain.value + " and its names stop resolving once resolvers' caches "
        "expire (the TTL), however healthy the servers and the floating IP behind them are",
        "add a secondary nameserver on another host (dns.secondaries: [HOST] with dns.transfer_key: "
        "{ secret: NAME }); it transfers the zone from " + ns + " and is listed as NS with it");
}

void check_db_redundancy(const Ctx& c) {
  const auto& db = c.s.tiers.db;
  if (!db) return;
  const std::string& primary = db->primary.value;
  const auto reps = replicas(c.t, primary);
  if (reps.empty()) {
    c.add("DB-NO-REPLICA", Sev::warning, db->primary.pos, "db", {primary},
          "the write primary " + primary + " has no replica",
          "if its disk or host is lost, every entry since the last backup is lost and the site is "
          "down until the database is rebuilt",
          "add a replica on another host (tiers.db.replicas) with replication settings; it also "
          "takes the read traffic");
    return;
  }
  c.add("DB-SINGLE-PRIMARY", Sev::warning, db->primary.pos, "db", {primary},
        "all writes go to the single primary " + primary + "; replicas (" +
            join(reps) + ") only serve reads",
        "when the primary fails, posting entries fails until a replica is promoted and the app is "
        "pointed at it; replication lag also makes fresh writes briefly invisible on reads",
        "promote a replica with `foobarctl db failover " + c.s.file + "` when the primary is down (or "
        "`foobarctl db switchover " + c.s.file + " --to " + reps.front() +
            "` for planned maintenance; docs/day2.md) and rehearse it; add automated failover (e.g. MaxScale "
            "or orchestrator) or a multi-primary cluster (Galera) when write availability matters");
}

void check_replication_user(const Ctx& c) {
  const auto& db = c.s.tiers.db;
  if (!db || db->replicas.empty()) return;
  if (db->replication && !db->replication->user.value.empty()) return;
  c.add("DB-REPL-USER-MISSING", Sev::error, db->pos, "db", c.t.hosts_of(stack::Tier::db),
        "replicas are listed but no replication user is defined",
        "the replicas cannot connect to the primary, so they stay empty and serve stale or no data",
        "add tiers.db.replication: { user: repl, password: { secret: DB_REPL_PASSWORD } }");
}

}  // namespace

void check_redundancy(const Ctx& c) {
  check_single_host(c);
  check_colocated(c);
  check_identical_servers(c);
  check_lb_spof(c);
  check_tier_spof(c);
  check_active_passive(c);
  check_dns_spof(c);
  check_db_redundancy(c);
  check_replication_user(c);
}

}  // namespace foobar::review::detail
