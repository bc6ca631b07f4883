#include "compile/check.h"

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "stack/address.h"

namespace foobar::compile {

using stack::Stack;
using Sev = FindingSeverity;

const char* to_string(FindingSeverity s) {
  switch (s) {
    case Sev::error: return "error";
    case Sev::warning: return "warning";
    case Sev::info: return "info";
  }
  return "error";
}

namespace {

// Ports of the agents foobarctl installs; they only matter for messages here.
constexpr int kSshPortDefault = 22;

struct Ctx {
  const Stack& s;
  Findings& out;
  void add(std::string code, Sev sev, SourcePos pos, std::string tier, std::vector<std::string> hosts,
           std::string message, std::string why, std::string fix) const {
    out.push_back(Finding{std::move(code), sev, s.file, pos, std::move(tier), std::move(hosts),
                          std::move(message), std::move(why), std::move(fix)});
  }
};

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

std::vector<std::string> replica_names(const stack::DbTier& db) {
  std::vector<std::string> out;
  for (const auto& r : db.replicas) out.push_back(r.value);
  return out;
}

// Hosts that carry at least one tier or the collector: the machines the site runs on.
std::vector<std::string> used_hosts(const Stack& s) {
  std::vector<std::string> out;
  for (const auto& h : s.hosts)
    if (!s.tiers_of_host(h.name.value).empty() ||
        (s.monitoring && s.monitoring->collector.value == h.name.value))
      out.push_back(h.name.value);
  return out;
}

std::string address_of(const Stack& s, std::string_view host) {
  const stack::Host* h = s.find_host(host);
  return h ? h->address.value : std::string();
}

bool is_public(const Stack& s) {
  return (s.dns && !s.dns->records.empty()) || s.tiers.lb || s.tiers.web;
}

// --- single points of failure, scaling, maintenance -------------------------------

bool single_host_site(const Stack& s) { return used_hosts(s).size() == 1; }

void check_single_host(const Ctx& c) {
  if (!single_host_site(c.s)) return;
  auto hosts = used_hosts(c.s);
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
  auto tiers = c.s.tier_names();
  if (tiers.size() < 2) return;
  auto first = c.s.hosts_of_tier(tiers[0]);
  std::sort(first.begin(), first.end());
  for (const auto& t : tiers) {
    auto hs = c.s.hosts_of_tier(t);
    std::sort(hs.begin(), hs.end());
    if (hs != first) return;
  }
  c.add("SCALE-COLOCATED", Sev::warning, c.s.tiers.pos, "", first,
        "every tier (" + join(tiers) + ") runs on the same host(s): " + join(first),
        "nginx, the app server and MySQL compete for the same CPU, memory and disk, and no tier "
        "can be scaled out without copying all of them",
        "give the database its own host(s) first, then scale web/app hosts horizontally behind "
        "a load balancer");
}

// Several tiers share hosts (but not all of them: that is SCALE-COLOCATED).
void check_identical_servers(const Ctx& c) {
  std::vector<std::string> shared;
  std::set<std::string> combos;
  for (const auto& h : used_hosts(c.s)) {
    auto t = c.s.tiers_of_host(h);
    if (t.size() > 1) {
      shared.push_back(h);
      combos.insert(join(t, "+"));
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
  auto hosts = c.s.hosts_of_tier("lb");
  std::string what = hosts.size() == 1 ? "one load balancer (" + hosts[0] + ") and no floating IP"
                                       : "load balancers " + join(hosts) + " share no floating IP";
  c.add("SPOF-LB", Sev::warning, lb->pos, "lb", hosts, what,
        "every request enters through that one address; when its host fails or is rebooted the whole "
        "site is down even though the servers behind it are healthy",
        "add a second load balancer and a floating IP (tiers.lb.vip with keepalived/VRRP) and point "
        "the DNS records at the vip");
}

void check_tier_spof(const Ctx& c) {
  if (single_host_site(c.s)) return;  // SPOF-SITE says it once for every tier
  for (const char* tier : {"web", "app"}) {
    auto hosts = c.s.hosts_of_tier(tier);
    if (hosts.size() != 1) continue;
    SourcePos pos = std::string_view(tier) == "web" ? c.s.tiers.web->pos : c.s.tiers.app->pos;
    c.add("SPOF-TIER", Sev::warning, pos, tier, hosts,
          std::string("tier '") + tier + "' has a single host (" + hosts[0] + ")",
          "when that host fails or is being updated the tier is gone and the site with it",
          std::string("list at least two hosts under tiers.") + tier + ".hosts");
  }
}

// Standby hosts: a choice with a cost, worth saying out loud.
void check_active_passive(const Ctx& c) {
  for (const char* tier : {"web", "app"}) {
    const auto* standby = std::string_view(tier) == "web" ? (c.s.tiers.web ? &c.s.tiers.web->standby : nullptr)
                                                          : (c.s.tiers.app ? &c.s.tiers.app->standby : nullptr);
    if (!standby || standby->empty()) continue;
    std::vector<std::string> idle, active;
    for (const auto& h : *standby) idle.push_back(h.value);
    for (const auto& h : c.s.hosts_of_tier(tier))
      if (!c.s.is_standby(tier, h)) active.push_back(h);
    const char* who = std::string_view(tier) == "web" ? "the load balancer" : "nginx";
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
  if (!c.s.dns || !c.s.dns->secondaries.empty()) return;
  const std::string ns = c.s.nameserver_host();
  c.add("DNS-SPOF", Sev::warning, c.s.dns->nameserver ? c.s.dns->nameserver->pos : c.s.dns->pos, "dns", {ns},
        "one nameserver (" + ns + ") serves the zone " + c.s.domain.value,
        "when " + ns + " is down, " + c.s.domain.value + " and its names stop resolving once resolvers' caches "
        "expire (the TTL), however healthy the servers and the floating IP behind them are",
        "add a secondary nameserver on another host (dns.secondaries: [HOST] with dns.transfer_key: "
        "{ secret: NAME }); it transfers the zone from " + ns + " and is listed as NS with it");
}

void check_ssh_passwords(const Ctx& c) {
  if (c.s.security.ssh.value) return;
  c.add("SSH-PASSWORDS", Sev::warning, c.s.security.ssh.pos, "", used_hosts(c.s),
        "sshd is left as each host has it (security.ssh: false), password logins included",
        "a host that takes passwords can be brute-forced from wherever SSH reaches it, and root may log in "
        "with a password on some installs",
        "remove security.ssh: false so foobarctl turns password and keyboard-interactive logins off and lets "
        "root in with keys only");
}

void check_db_redundancy(const Ctx& c) {
  const auto& db = c.s.tiers.db;
  if (!db) return;
  const std::string& primary = db->primary.value;
  if (db->replicas.empty()) {
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
            join(replica_names(*db)) +
            ") only serve reads",
        "when the primary fails, posting entries fails until a replica is promoted and the app is "
        "pointed at it; replication lag also makes fresh writes briefly invisible on reads",
        "promote a replica with `foobarctl db failover " + c.s.file + "` when the primary is down (or "
        "`foobarctl db switchover " + c.s.file + " --to " + db->replicas.front().value +
            "` for planned maintenance; docs/day2.md) and rehearse it; add automated failover (e.g. MaxScale "
            "or orchestrator) or a multi-primary cluster (Galera) when write availability matters");
}

void check_replication_user(const Ctx& c) {
  const auto& db = c.s.tiers.db;
  if (!db || db->replicas.empty()) return;
  if (db->replication && !db->replication->user.value.empty()) return;
  c.add("DB-REPL-USER-MISSING", Sev::error, db->pos, "db", c.s.hosts_of_tier("db"),
        "replicas are listed but no replication user is defined",
        "the replicas cannot connect to the primary, so they stay empty and serve stale or no data",
        "add tiers.db.replication: { user: repl, password: { secret: DB_REPL_PASSWORD } }");
}

// --- firewall ---------------------------------------------------------------------

void check_no_firewall(const Ctx& c) {
  if (c.s.firewall_enabled()) return;
  bool pub = is_public(c.s);
  std::string exposed = c.s.tiers.db ? "MySQL (" + std::to_string(c.s.tiers.db->port.value) + ")" : "";
  if (c.s.tiers.app) exposed += std::string(exposed.empty() ? "" : ", ") + "the app server (" +
                                std::to_string(c.s.tiers.app->port.value) + ")";
  c.add("FW-NONE", pub ? Sev::error : Sev::warning,
        c.s.firewall ? c.s.firewall->enabled.pos : c.s.name.pos, "firewall", used_hosts(c.s),
        c.s.firewall ? "the firewall is disabled" : "no firewall is managed on any host",
        "every listening port, including " + (exposed.empty() ? std::string("SSH") : exposed + " and SSH") +
            ", is reachable from any network that routes to the hosts, not only the flows the "
            "stack needs",
        "add a firewall section (firewall: { enabled: true, admin_cidrs: [YOUR/32] }): foobarctl "
        "then allows only the flows between tiers, HTTP(S) on the entry hosts and SSH from admin_cidrs");
}

std::optional<stack::Cidr> cidr(const std::string& text) { return stack::parse_cidr(text); }

bool admin_allows(const stack::Firewall& fw, const std::string& address) {
  auto ip = stack::parse_ip(address);
  if (!ip) return false;
  for (const auto& a : fw.admin_cidrs) {
    auto c = cidr(a.value);
    if (c && !c->base.v6 && !ip->v6 && c->contains(*ip)) return true;
  }
  return false;
}

// The generated ruleset admits SSH only from the IPv4 set of admin_cidrs, and a host
// reached through a jump host sees the jump host's address as the source.
void check_ssh_reachable(const Ctx& c) {
  if (!c.s.firewall_enabled()) return;
  const auto& fw = *c.s.firewall;
  bool any_v4 = std::any_of(fw.admin_cidrs.begin(), fw.admin_cidrs.end(), [](const auto& a) {
    auto p = cidr(a.value);
    return p && !p->base.v6;
  });
  if (!any_v4) {
    c.add("FW-SSH-BLOCKED", Sev::error, fw.pos, "firewall", used_hosts(c.s),
          fw.admin_cidrs.empty() ? "the firewall allows SSH from nowhere: admin_cidrs is empty"
                                 : "admin_cidrs holds no IPv4 network, and the ruleset admits SSH "
                                   "only from IPv4 admin networks",
          "the first apply of the firewall cuts off foobarctl's own SSH session and every later "
          "change needs console access",
          "list the networks you manage from in firewall.admin_cidrs, e.g. [10.77.0.1/32]");
    return;
  }
  for (const auto& h : c.s.hosts) {
    if (!h.ssh.jump) continue;
    std::string via = address_of(c.s, h.ssh.jump->value);
    if (via.empty() || admin_allows(fw, via)) continue;
    c.add("FW-SSH-BLOCKED", Sev::error, h.ssh.jump->pos, "firewall", {h.name.value},
          "SSH to " + h.name.value + " goes through jump host " + h.ssh.jump->value + " (" + via +
              "), which is not in admin_cidrs",
          "the firewall on " + h.name.value + " drops SSH from the jump host, so foobarctl loses the "
          "host after the first apply",
          "add " + via + "/32 to firewall.admin_cidrs");
  }
}

// Whether every address of `text` (a CIDR) lies inside one of the admin networks.
bool within_admin(const stack::Firewall& fw, const std::string& text) {
  auto inner = cidr(text);
  if (!inner) return false;
  return std::any_of(fw.admin_cidrs.begin(), fw.admin_cidrs.end(), [&](const auto& a) {
    auto outer = cidr(a.value);
    return outer && outer->base.v6 == inner->base.v6 && outer->prefix <= inner->prefix &&
           outer->contains(inner->base);
  });
}

int ssh_port_of(const Stack& s, const std::string& host) {
  const stack::Host* h = s.find_host(host);
  return h ? h->ssh.port.value : kSshPortDefault;
}

// Extra rules only add accepts, so a rule "conflicts" by undoing a restriction the
// ruleset makes on purpose: SSH only from admin_cidrs, MySQL only from the app tier.
void check_extra_rules(const Ctx& c) {
  if (!c.s.firewall_enabled()) return;
  int db_port = c.s.tiers.db ? c.s.tiers.db->port.value : -1;
  for (const auto& r : c.s.firewall->rules) {
    if (r.proto.value != stack::Proto::tcp) continue;
    std::vector<std::string> ssh_hosts, db_hosts;
    for (const auto& h : r.hosts) {
      if (r.port.value == ssh_port_of(c.s, h.value)) ssh_hosts.push_back(h.value);
      auto tiers = c.s.tiers_of_host(h.value);
      if (r.port.value == db_port && std::find(tiers.begin(), tiers.end(), "db") != tiers.end())
        db_hosts.push_back(h.value);
    }
    std::string from = r.from.empty() ? "anywhere" : "networks outside admin_cidrs";
    bool outside_admin = r.from.empty() || std::any_of(r.from.begin(), r.from.end(), [&](const auto& f) {
      return !within_admin(*c.s.firewall, f.value);
    });
    if (!ssh_hosts.empty() && outside_admin)
      c.add("FW-RULE-CONFLICT", Sev::warning, r.pos, "firewall", ssh_hosts,
            "a firewall rule opens SSH (port " + std::to_string(r.port.value) + ") from " + from,
            "it overrides the admin-only SSH restriction derived from admin_cidrs and exposes the "
            "hosts to password guessing and SSH exploits",
            "remove the rule and add the source networks to firewall.admin_cidrs instead");
    if (!db_hosts.empty() && r.from.empty())
      c.add("FW-RULE-CONFLICT", Sev::warning, r.pos, "firewall", db_hosts,
            "a firewall rule opens MySQL (port " + std::to_string(db_port) + ") from anywhere",
            "the ruleset already admits the app tier and the replicas; this rule exposes the "
            "database to every network",
            "remove the rule, or restrict it with from: [...] to the clients that need it");
  }
}

// The ruleset admits VRRP (IP protocol 112) from the LB peers over IPv4 only.
void check_vrrp_allowed(const Ctx& c) {
  const auto& lb = c.s.tiers.lb;
  if (!c.s.firewall_enabled() || !lb || !lb->vip) return;
  std::vector<std::string> v6;
  for (const auto& h : lb->hosts) {
    auto ip = stack::parse_ip(address_of(c.s, h.value));
    if (ip && ip->v6) v6.push_back(h.value);
  }
  auto vip = stack::parse_ip(lb->vip->address.value);
  if (v6.empty() && !(vip && vip->v6)) return;
  c.add("FW-VRRP-BLOCKED", Sev::error, lb->vip->pos, "lb", c.s.hosts_of_tier("lb"),
        "the firewall admits VRRP between the load balancers over IPv4 only, but " +
            (v6.empty() ? "the vip is IPv6" : "lb hosts " + join(v6) + " have IPv6 addresses"),
        "the backup never hears the master's adverts, so both become MASTER and claim the floating "
        "IP (split brain)",
        "give the load balancers and the vip IPv4 addresses on the same network");
}

// --- TLS ----------------------------------------------------------------------------

void check_tls(const Ctx& c) {
  const auto& lb = c.s.tiers.lb;
  if (!c.s.tls_enabled()) {
    if (!is_public(c.s)) return;
    c.add("TLS-NONE", Sev::warning, lb ? lb->pos : c.s.name.pos, lb ? "lb" : "web",
          c.s.hosts_of_tier(lb ? "lb" : "web"), "the site is served over plain HTTP only",
          "whatever users post and every cookie crosses the internet readable and modifiable; "
          "browsers mark the site 'not secure'",
          lb ? "enable HTTPS at the load balancer: tiers.lb.tls: { enabled: true, certificate: ..., "
               "redirect_http: true }"
             : "put a load balancer with tiers.lb.tls in front of the web tier");
    return;
  }
  const auto& tls = *lb->tls;
  if (!tls.reencrypt.value && c.s.tiers.web)
    c.add("TLS-PLAIN-BACKEND", Sev::warning, tls.reencrypt.pos.line ? tls.reencrypt.pos : tls.pos, "lb",
          c.s.hosts_of_tier("lb"),
          "TLS ends at the load balancer; requests travel on to the web tier (" +
              join(c.s.hosts_of_tier("web")) + ") as plain HTTP",
          "anyone on the internal network can read or alter user data and session cookies between "
          "the load balancer and the web servers",
          "re-encrypt to the web tier: tiers.lb.tls.reencrypt: true");
  if (tls.certificate.self_signed && lb->hosts.size() > 1)
    c.add("TLS-CERT-PER-LB", Sev::warning, tls.pos, "lb", c.s.hosts_of_tier("lb"),
          "'certificate: self-signed' makes a different certificate on each of " + join(c.s.hosts_of_tier("lb")),
          "clients that pinned or accepted one load balancer's certificate get another after a failover "
          "and refuse to connect",
          "give every load balancer the same certificate: tiers.lb.tls.certificate: { secret: NAME } "
          "(a PEM bundle; 'foobarctl lab up' issues one from the lab's CA)");
  if (!tls.redirect_http.value)
    c.add("TLS-NO-REDIRECT", Sev::info, tls.redirect_http.pos, "lb", c.s.hosts_of_tier("lb"),
          "plain HTTP is served as well as HTTPS, not redirected",
          "users who type the bare name stay on the unencrypted site",
          "set tiers.lb.tls.redirect_http: true");
}

// --- monitoring ------------------------------------------------------------------------

// Exporters a host runs: node everywhere, the others on the tier they watch.
std::vector<std::string> exporters_of(const Stack& s, const std::string& host) {
  std::vector<std::string> out;
  if (!s.monitoring) return out;
  auto tiers = s.tiers_of_host(host);
  auto has = [&](const char* t) { return std::find(tiers.begin(), tiers.end(), t) != tiers.end(); };
  for (const auto& e : s.monitoring->exporters) {
    using stack::Exporter;
    bool runs = e.value == Exporter::node || (e.value == Exporter::nginx && has("web")) ||
                (e.value == Exporter::haproxy && has("lb")) || (e.value == Exporter::mysqld && has("db"));
    if (runs) out.push_back(stack::to_string(e.value));
  }
  return out;
}

void check_monitoring(const Ctx& c) {
  if (!c.s.monitoring) {
    c.add("MON-NONE", Sev::warning, c.s.name.pos, "monitoring", used_hosts(c.s),
          "nothing monitors the stack",
          "outages, full disks, replication breaks and load growth go unnoticed until users report "
          "them, and there is no history to size the next step from",
          "add monitoring: { collector: HOST, exporters: [node, nginx, haproxy, mysqld], alerts: [...] }");
    return;
  }
  const auto& mon = *c.s.monitoring;
  for (const auto& h : used_hosts(c.s)) {
    if (!exporters_of(c.s, h).empty()) continue;
    c.add("MON-NO-EXPORTER", Sev::warning, mon.pos, "monitoring", {h},
          "host " + h + " runs no exporter, so the collector cannot see it",
          "its failure or resource exhaustion raises no alert",
          "add 'node' to monitoring.exporters (it runs on every host)");
  }
  bool qps = std::any_of(mon.alerts.begin(), mon.alerts.end(),
                         [](const auto& a) { return expr_mentions_request_rate(a.expr.value); });
  if (!qps)
    c.add("MON-NO-QPS-ALERT", Sev::warning, mon.pos, "monitoring", {mon.collector.value},
          "no alert watches the request rate (web QPS)",
          "a traffic spike or a sudden drop to zero (the site unreachable) goes unnoticed",
          "add an alert such as expr: \"sum(rate(haproxy_frontend_http_requests_total[1m])) > 100\"");
  if (mon.alerts_to.empty())
    c.add("MON-NO-RECEIVER", Sev::info, mon.pos, "monitoring", {mon.collector.value},
          "alerts reach no one: monitoring.alerts_to names no receiver",
          "firing alerts wait in Alertmanager on the collector until someone looks at it",
          "add alerts_to: [{ webhook: URL }] or [{ email: ADDRESS, smarthost: HOST:PORT }]");
}

// --- health check ------------------------------------------------------------------------

void check_health_path(const Ctx& c) {
  const auto& lb = c.s.tiers.lb;
  if (!lb) return;
  const auto& path = lb->health_check.path;
  if (path.value.empty() || path_served(c.s, path.value)) return;
  c.add("HEALTH-PATH-UNSERVED", Sev::error, path.pos.line ? path.pos : lb->health_check.pos, "lb",
        c.s.hosts_of_tier("lb"),
        "the load balancer checks '" + path.value + "', which the web tier does not answer with 200 "
        "(it is neither a static location nor a GET route of the app: " + join(app_get_routes()) + ")",
        "every backend fails its health check, so the load balancer marks all servers down and the "
        "site answers 503",
        "use the app's health route: tiers.lb.health_check.path: /healthz");
}

}  // namespace

// --- derived facts -----------------------------------------------------------------------

std::vector<std::pair<std::string, int>> server_ids(const Stack& s) {
  std::vector<std::pair<std::string, int>> out;
  int id = 1;
  for (const auto& h : s.hosts_of_tier("db")) out.emplace_back(h, id++);
  return out;
}

std::string vrrp_master(const Stack& s) {
  if (!s.tiers.lb || !s.tiers.lb->vip || s.tiers.lb->hosts.empty()) return "";
  return s.tiers.lb->hosts.front().value;
}

const std::vector<std::string>& app_get_routes() {
  // examples/foobar-app/app.py: GET /healthz, GET /, GET /entries/<int>. POST /entries
  // exists too, but a health check is a GET and would get 405.
  static const std::vector<std::string> routes = {"/healthz", "/", "/entries/<int>"};
  return routes;
}

namespace {

bool route_matches(std::string_view route, std::string_view path) {
  auto hole = route.find("<int>");
  if (hole == std::string_view::npos) return route == path;
  if (path.substr(0, hole) != route.substr(0, hole) || path.size() <= hole) return false;
  auto digits = path.substr(hole);
  return std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

bool under_static(std::string_view location, std::string_view path) {
  if (path.substr(0, location.size()) != location) return false;
  return path.size() == location.size() || location.back() == '/' || path[location.size()] == '/';
}

}  // namespace

bool path_served(const Stack& s, std::string_view path) {
  path = path.substr(0, path.find('?'));  // the query string does not choose the route
  if (s.tiers.web)
    for (const auto& loc : s.tiers.web->static_paths)
      if (!loc.value.empty() && under_static(loc.value, path)) return true;
  if (!s.tiers.app) return false;
  return std::any_of(app_get_routes().begin(), app_get_routes().end(),
                     [&](const std::string& r) { return route_matches(r, path); });
}

bool expr_mentions_request_rate(std::string_view expr) {
  // Request counters of HAProxy, nginx (exporter and VTS) and common app instrumentation.
  static const std::regex counters(
      "haproxy_(frontend|backend|server)_http_requests_total|nginx_http_requests_total|"
      "nginx_vts_server_requests_total|http_requests_total|http_server_requests|"
      "flask_http_request_total|requests_per_second|\\bqps\\b",
      std::regex::icase);
  return std::regex_search(expr.begin(), expr.end(), counters);
}

Findings check_stack(const Stack& s) {
  Findings out;
  Ctx c{s, out};
  check_single_host(c);
  check_colocated(c);
  check_identical_servers(c);
  check_lb_spof(c);
  check_tier_spof(c);
  check_active_passive(c);
  check_dns_spof(c);
  check_db_redundancy(c);
  check_replication_user(c);
  check_health_path(c);
  check_no_firewall(c);
  check_ssh_reachable(c);
  check_ssh_passwords(c);
  check_extra_rules(c);
  check_vrrp_allowed(c);
  check_tls(c);
  check_monitoring(c);
  // Errors first; within a severity the order of the checks above (by theme).
  std::stable_sort(out.begin(), out.end(),
                   [](const Finding& a, const Finding& b) { return a.severity < b.severity; });
  return out;
}

// --- across stacks -------------------------------------------------------------------------

namespace {

// The network a VRRP router id must be unique on. The schema has no prefix length, so
// this uses the lab's and the templates' /24 (IPv4) and /64 (IPv6).
std::string vrrp_network(const Stack& s) {
  auto ip = stack::parse_ip(s.tiers.lb->vip->address.value);
  if (!ip) return "";
  stack::Cidr net{*ip, ip->v6 ? 64 : 24};
  for (int i = net.prefix / 8; i < 16; ++i) net.base.bytes[static_cast<std::size_t>(i)] = 0;
  return stack::to_string(net);
}

void check_router_ids(const std::vector<const Stack*>& stacks, Findings& out) {
  std::map<std::pair<std::string, int>, const Stack*> first;
  for (const Stack* s : stacks) {
    if (!s->tiers.lb || !s->tiers.lb->vip) continue;
    const auto& vip = *s->tiers.lb->vip;
    auto key = std::make_pair(vrrp_network(*s), vip.router_id.value);
    auto [it, fresh] = first.emplace(key, s);
    if (fresh) continue;
    out.push_back(Finding{
        "VRRP-ID-DUP", Sev::error, s->file, vip.router_id.pos, "lb", s->hosts_of_tier("lb"),
        "VRRP router id " + std::to_string(key.second) + " is also used by stack '" +
            it->second->name.value + "' (" + it->second->file + ") on network " + key.first,
        "both clusters use the same virtual MAC 00:00:5e:00:01:" + std::to_string(key.second) +
            " and read each other's adverts, so the floating IPs flap or vanish",
        "give each stack on a network its own tiers.lb.vip.router_id (1-255)"});
  }
}

struct DbNode {
  const Stack* s;
  std::string host, address;
  int id;
};

// Stacks replicate together when their db tiers share a host address (e.g. one
// stack's replica is another stack's primary); the schema has no explicit server
// ids, so duplicates can only arise there. Every distinct server in such a group
// needs its own id.
void check_server_ids(const std::vector<const Stack*>& stacks, Findings& out) {
  std::vector<DbNode> nodes;
  for (const Stack* s : stacks)
    for (const auto& [host, id] : server_ids(*s)) nodes.push_back({s, host, address_of(*s, host), id});
  std::vector<std::size_t> group(stacks.size());
  for (std::size_t i = 0; i < group.size(); ++i) group[i] = i;
  auto index = [&](const Stack* s) {
    return static_cast<std::size_t>(std::find(stacks.begin(), stacks.end(), s) - stacks.begin());
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

}  // namespace

Findings check_across(const std::vector<const Stack*>& stacks) {
  Findings out;
  check_router_ids(stacks, out);
  check_server_ids(stacks, out);
  return out;
}

Findings check_stacks(const std::vector<const Stack*>& stacks) {
  Findings out;
  for (const Stack* s : stacks) {
    Findings f = check_stack(*s);
    out.insert(out.end(), f.begin(), f.end());
  }
  Findings across = check_across(stacks);
  out.insert(out.end(), across.begin(), across.end());
  return out;
}

// --- output --------------------------------------------------------------------------------

namespace {

std::string place(const Finding& f) {
  std::string out = f.file;
  if (f.pos.line > 0) out += ":" + std::to_string(f.pos.line) + ":" + std::to_string(f.pos.column);
  return out;
}

std::string subject(const Finding& f) {
  std::string out = f.tier.empty() ? "" : "tier " + f.tier;
  if (!f.hosts.empty()) out += (out.empty() ? "" : ", ") + std::string("hosts ") + join(f.hosts);
  return out.empty() ? "stack" : out;
}

}  // namespace

std::string format_text(const Findings& findings) {
  std::string out;
  int counts[3] = {0, 0, 0};
  for (const auto& f : findings) {
    ++counts[static_cast<int>(f.severity)];
    out += place(f) + ": " + to_string(f.severity) + " [" + f.code + "] " + f.message + "\n";
    out += "    concerns: " + subject(f) + "\n";
    out += "    why: " + f.why + "\n";
    out += "    fix: " + f.fix + "\n";
  }
  out += std::to_string(counts[0]) + " error(s), " + std::to_string(counts[1]) + " warning(s), " +
         std::to_string(counts[2]) + " info\n";
  return out;
}

std::string format_json(const Findings& findings) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  nlohmann::ordered_json summary = {{"error", 0}, {"warning", 0}, {"info", 0}};
  for (const auto& f : findings) {
    summary[to_string(f.severity)] = summary[to_string(f.severity)].get<int>() + 1;
    list.push_back({{"code", f.code},
                    {"severity", to_string(f.severity)},
                    {"file", f.file},
                    {"line", f.pos.line},
                    {"column", f.pos.column},
                    {"tier", f.tier},
                    {"hosts", f.hosts},
                    {"message", f.message},
                    {"why", f.why},
                    {"fix", f.fix}});
  }
  nlohmann::ordered_json doc = {{"findings", list}, {"summary", summary}};
  return doc.dump(2) + "\n";
}

int exit_code(const Findings& findings) {
  bool err = std::any_of(findings.begin(), findings.end(),
                         [](const Finding& f) { return f.severity == Sev::error; });
  return err ? 3 : 0;
}

}  // namespace foobar::compile
