// Semantic checks on a typed Stack: the grammar of every string (grammar.h),
// addresses, references between hosts and tiers, uniqueness, and the rules each
// tier needs to work. Every problem is reported; empty values were already
// reported as missing by the loader and are skipped here. Values are echoed with
// their control characters escaped, never raw.
#include <algorithm>
#include <map>
#include <set>

#include "stack/address.h"
#include "stack/grammar.h"
#include "stack/stack.h"
#include "stack/suggest.h"
#include "util/utf8.h"

namespace foobar::stack {

namespace {

constexpr std::size_t kMaxSqlName = 64;  // databases and tables
constexpr std::size_t kMaxSqlUser = 32;  // accounts (MySQL's limit; MariaDB allows more)

class Validator {
 public:
  explicit Validator(const Stack& s) : m_s(s) {
    for (const auto& h : s.hosts) m_host_names.push_back(h.name.value);
  }

  Diagnostics run() {
    check_header();
    check_ssh(m_s.ssh_defaults, "defaults.ssh");
    check_hosts();
    check_tiers();
    check_ports();
    if (m_s.dns) check_dns(*m_s.dns);
    if (m_s.firewall) check_firewall(*m_s.firewall);
    if (m_s.monitoring) check_monitoring(*m_s.monitoring);
    return std::move(m_diags);
  }

 private:
  void error(SourcePos pos, std::string msg) {
    m_diags.push_back(Diagnostic::error(escape_control(m_s.file), pos, shorten_quotes(escape_control(msg))));
  }

  // "<what> '<value>' <problem>" when the grammar has a problem with the value.
  bool rule(const Located<std::string>& v, std::string_view what, const std::string& problem) {
    if (problem.empty()) return true;
    error(v.pos, std::string(what) + " '" + *v + "' " + problem);
    return false;
  }

  void check_header() {
    if (!m_s.name->empty()) rule(m_s.name, "stack name", grammar::name_problem(*m_s.name));
    if (!m_s.domain->empty()) rule(m_s.domain, "domain", grammar::hostname_problem(*m_s.domain, true));
  }

  // A reference to a host by name; reports when it is not defined.
  bool host_ref(const Located<std::string>& ref, std::string_view what) {
    if (ref->empty()) return false;
    if (m_s.find_host(*ref)) return true;
    error(ref.pos, std::string(what) + " '" + *ref + "' is not a host defined under 'hosts'" +
                       did_you_mean(*ref, m_host_names));
    return false;
  }

  void check_port(const Located<int>& port, std::string_view what) {
    if (port.value < 1 || port.value > 65535)
      error(port.pos, std::string(what) + " " + std::to_string(port.value) +
                          " is not a valid port; use 1 to 65535");
  }

  void check_cidr(const Located<std::string>& c, std::string_view what) {
    if (c->empty()) return;
    std::string problem = cidr_problem(*c);
    if (!problem.empty())
      error(c.pos, std::string(what) + " '" + *c + "' is not a valid CIDR: " + problem);
  }

  void check_secret(const SecretRef& ref) {
    if (!ref.name.empty()) rule({ref.name, ref.pos}, "secret name", grammar::secret_name_problem(ref.name));
  }

  // A directory foobarctl owns on the hosts (the app's path, the web root): a
  // clean path, and not a system directory.
  void check_owned_dir(const Located<std::string>& p, std::string_view what, std::string_view example) {
    if (!rule(p, what, grammar::path_problem(*p))) return;
    std::string dir = grammar::system_directory(*p);
    if (!dir.empty())
      error(p.pos, std::string(what) + " '" + *p + "' is " + (dir == *p ? "the" : "inside the") +
                       " system directory " + dir + "; foobarctl owns this directory and what it puts there, " +
                       "so give it one of its own such as " + std::string(example));
  }

  // `own`: the settings came from this place in the file (a host's ssh block
  // repeats the defaults it did not override, which are checked once).
  void check_ssh(const SshConfig& ssh, std::string_view where, const SshConfig* defaults = nullptr) {
    auto own = [&](SourcePos pos, SourcePos inherited) { return pos.line && (!defaults || pos != inherited); };
    if (own(ssh.port.pos, defaults ? defaults->port.pos : SourcePos{}))
      check_port(ssh.port, std::string(where) + ".port");
    if (own(ssh.user.pos, defaults ? defaults->user.pos : SourcePos{}))
      rule(ssh.user, std::string(where) + ".user", grammar::user_name_problem(*ssh.user));
    if (ssh.key && own(ssh.key->pos, defaults && defaults->key ? defaults->key->pos : SourcePos{}))
      rule(*ssh.key, std::string(where) + ".key", grammar::line_problem(**ssh.key));
  }

  void check_hosts() {
    std::map<std::string, const Host*> by_address;
    for (const Host& h : m_s.hosts) {
      rule(h.name, "host name", grammar::name_problem(*h.name));
      // host.ssh merges defaults, so only check values this host set itself.
      check_ssh(h.ssh, "hosts." + *h.name + ".ssh", &m_s.ssh_defaults);
      if (h.ssh.jump && h.ssh.jump->pos != (m_s.ssh_defaults.jump ? m_s.ssh_defaults.jump->pos : SourcePos{})) {
        if (host_ref(*h.ssh.jump, "ssh jump host") && **h.ssh.jump == *h.name)
          error(h.ssh.jump->pos, "host '" + *h.name + "' cannot be its own ssh jump host");
      }
      const auto& addr = h.address;
      if (addr->empty()) continue;
      auto ip = parse_ip(*addr);
      if (!ip) {
        error(addr.pos, "address '" + *addr + "' of host '" + *h.name +
                            "' is not a valid IPv4 or IPv6 address");
        continue;
      }
      std::string canonical = to_string(*ip);
      auto [it, fresh] = by_address.emplace(canonical, &h);
      if (!fresh)
        error(addr.pos, "address " + *addr + " of host '" + *h.name + "' is already used by host '" +
                            *it->second->name + "' (line " +
                            std::to_string(it->second->address.pos.line) + ")");
    }
    if (m_s.ssh_defaults.jump) host_ref(*m_s.ssh_defaults.jump, "ssh jump host");
  }

  // Host lists of tiers: defined, not repeated, not empty.
  void check_host_list(const std::vector<Located<std::string>>& hosts, SourcePos tier_pos,
                       const std::string& tier) {
    if (hosts.empty())
      error(tier_pos, "tier '" + tier + "' has no hosts; list at least one host under 'hosts'");
    std::set<std::string> seen;
    for (const auto& h : hosts) {
      if (!host_ref(h, "host")) continue;
      if (!seen.insert(*h).second)
        error(h.pos, "host '" + *h + "' is listed twice in tier '" + tier + "'");
    }
  }

  void check_tiers() {
    const Tiers& t = m_s.tiers;
    if (!t.lb && !t.web && !t.app && !t.db && t.pos.line)
      error(t.pos, "the stack has no tiers; define at least one of 'lb', 'web', 'app' or 'db'");
    if (t.lb) check_lb(*t.lb);
    if (t.web) check_web(*t.web);
    if (t.app) check_app(*t.app);
    if (t.db) check_db(*t.db);
  }

  void check_lb(const LbTier& lb) {
    check_host_list(lb.hosts, lb.pos, "lb");
    check_port(lb.port, "tiers.lb.port");
    const HealthCheck& hc = lb.health_check;
    rule(hc.path, "health check path", grammar::url_path_problem(*hc.path, true));
    if (hc.interval->count() < 100)
      error(hc.interval.pos, "health check interval must be at least 100ms");
    for (const auto* n : {&hc.rise, &hc.fall})
      if (n->value < 1 || n->value > 100)
        error(n->pos, "health check " + std::string(n == &hc.rise ? "rise" : "fall") +
                          " must be from 1 to 100, got " + std::to_string(n->value));
    if (!t_has_backends())
      error(lb.pos, "tier 'lb' has nothing to balance to; add a 'web' or 'app' tier");
    if (lb.vip) check_vip(*lb.vip, lb);
    if (lb.tls) check_tls(*lb.tls);
    check_rolling(lb.rolling, "tiers.lb.rolling.batch");
  }

  void check_rolling(const std::optional<Rolling>& r, const std::string& what) {
    if (r) rule(r->batch, what, grammar::rolling_batch_problem(*r->batch));
  }

  bool t_has_backends() const { return m_s.tiers.web || m_s.tiers.app; }

  void check_vip(const Vip& vip, const LbTier& lb) {
    if (lb.hosts.size() < 2)
      error(vip.pos, "a floating IP (vip) needs at least 2 hosts in tier 'lb' to fail over "
                     "between, but it has " + std::to_string(lb.hosts.size()));
    if (vip.router_id.pos.line && (vip.router_id.value < 1 || vip.router_id.value > 255))
      error(vip.router_id.pos, "vip router_id " + std::to_string(vip.router_id.value) +
                                   " is out of range; VRRP router ids are 1 to 255");
    rule(vip.interface, "vip interface", grammar::interface_problem(*vip.interface));
    if (vip.address->empty()) return;
    auto ip = parse_ip(*vip.address);
    if (!ip) {
      error(vip.address.pos, "vip address '" + *vip.address + "' is not a valid IPv4 or IPv6 address");
      return;
    }
    for (const Host& h : m_s.hosts) {
      auto hip = parse_ip(*h.address);
      if (hip && *hip == *ip)
        error(vip.address.pos, "vip address " + *vip.address + " is the address of host '" +
                                   *h.name + "'; a floating IP must be an unused address");
    }
  }

  void check_tls(const Tls& tls) {
    check_port(tls.port, "tiers.lb.tls.port");
    if (tls.certificate.bundle) check_secret(*tls.certificate.bundle);
    if (tls.reencrypt.value && !m_s.tiers.web)
      error(tls.reencrypt.pos, "tls reencrypt needs a 'web' tier to re-encrypt to");
  }

  void check_web(const WebTier& web) {
    check_host_list(web.hosts, web.pos, "web");
    check_port(web.port, "tiers.web.port");
    if (web.server_name.pos.line)
      rule(web.server_name, "server_name", grammar::hostname_problem(*web.server_name, false));
    check_owned_dir(web.root, "tiers.web.root", "/var/www/foobar or /srv/foobar");
    for (const auto& p : web.static_paths)
      rule(p, "static location", grammar::url_path_problem(*p, false));
    check_standby(web.standby, web.hosts, web.pos, "web");
    check_rolling(web.rolling, "tiers.web.rolling.batch");
  }

  // Standby hosts: hosts of the tier, each once, and at least one host left active.
  void check_standby(const std::vector<Located<std::string>>& standby,
                     const std::vector<Located<std::string>>& hosts, SourcePos tier_pos, const std::string& tier) {
    std::set<std::string> members, seen;
    for (const auto& h : hosts) members.insert(*h);
    for (const auto& h : standby) {
      // A host marked standby in the host list itself was checked there.
      if (!m_s.find_host(*h) && members.count(*h)) continue;
      if (!host_ref(h, "standby host")) continue;
      if (!members.count(*h))
        error(h.pos, "standby host '" + *h + "' is not listed in tiers." + tier + ".hosts; a standby is one of "
                     "the tier's hosts that waits for the others to fail");
      else if (!seen.insert(*h).second)
        error(h.pos, "standby host '" + *h + "' is listed twice in tiers." + tier + ".standby");
    }
    if (!hosts.empty() && seen.size() == members.size())
      error(standby.empty() ? tier_pos : standby.front().pos,
            "every host of tier '" + tier + "' is standby, so none takes traffic; leave at least one host out "
            "of tiers." + tier + ".standby");
  }

  void check_app(const AppTier& app) {
    check_host_list(app.hosts, app.pos, "app");
    check_port(app.port, "tiers.app.port");
    check_owned_dir(app.path, "tiers.app.path", "/opt/foobar or /srv/foobar");
    check_rolling(app.rolling, "tiers.app.rolling.batch");
    if (app.user.pos.line) rule(app.user, "tiers.app.user", grammar::user_name_problem(*app.user));
    if (app.source.pos.line && app.source->empty())
      error(app.source.pos, "tiers.app.source must name the directory to copy");
    else if (app.source.pos.line)
      rule(app.source, "tiers.app.source", grammar::line_problem(*app.source));
    if (app.command.pos.line) rule(app.command, "tiers.app.command", grammar::line_problem(*app.command));
    check_standby(app.standby, app.hosts, app.pos, "app");
    if (!app.standby.empty() && !m_s.tiers.web)
      error(app.standby.front().pos, "tiers.app.standby needs a 'web' tier: nginx's upstream is what keeps "
                                     "a standby app host idle");
    for (const auto& [name, value] : app.environment) {
      rule(name, "environment variable name", grammar::identifier_problem(*name));
      if (value.secret) check_secret(*value.secret);
      else rule({value.literal, value.pos}, "tiers.app.environment." + *name, grammar::env_value_problem(value.literal));
    }
  }

  void check_db(const DbTier& db) {
    check_port(db.port, "tiers.db.port");
    bool primary_ok = host_ref(db.primary, "db primary");
    std::set<std::string> seen;
    for (const auto& r : db.replicas) {
      if (!host_ref(r, "db replica")) continue;
      if (primary_ok && *r == *db.primary)
        error(r.pos, "db replica '" + *r + "' is also the primary; a replica must be another host");
      else if (!seen.insert(*r).second)
        error(r.pos, "db replica '" + *r + "' is listed twice");
    }
    if (!db.replicas.empty() && !db.replication)
      error(db.pos, "tier 'db' has replicas but no 'replication' settings; add replication: "
                    "{ user: repl, password: { secret: NAME } }");
    if (db.replication) {
      check_secret(db.replication->password);
      const auto& u = db.replication->user;
      if (!u->empty()) rule(u, "replication user", grammar::sql_name_problem(*u, kMaxSqlUser));
    }
    std::set<std::string> dbs;
    for (const auto& d : db.databases) {
      if (!rule(d, "database name", grammar::sql_name_problem(*d, kMaxSqlName))) continue;
      if (!dbs.insert(*d).second)
        error(d.pos, "database '" + *d + "' is listed twice");
    }
    std::set<std::string> users;
    for (const DbUser& u : db.users) check_db_user(u, db, users);
  }

  void check_db_user(const DbUser& u, const DbTier& db, std::set<std::string>& users) {
    if (!u.name->empty() && rule(u.name, "db user name", grammar::sql_name_problem(*u.name, kMaxSqlUser))) {
      if (!users.insert(*u.name).second)
        error(u.name.pos, "db user '" + *u.name + "' is defined twice");
      else if (db.replication && *u.name == *db.replication->user)
        error(u.name.pos, "db user '" + *u.name + "' is also the replication user");
    }
    check_secret(u.password);
    check_cidr(u.from, "db user source");
    for (const auto& g : u.grants) rule(g, "grant", grammar::grant_problem(*g));
  }

  // Two services of the stack listening on one port of one host cannot both work.
  void check_ports() {
    struct Use { std::string what; SourcePos pos; };
    std::map<std::pair<std::string, int>, Use> used;
    auto claim = [&](const std::vector<std::string>& hosts, const Located<int>& port,
                     const std::string& what, SourcePos tier_pos) {
      SourcePos at = port.pos.line ? port.pos : tier_pos;  // a defaulted port: blame the tier
      for (const auto& h : hosts) {
        auto [it, fresh] = used.emplace(std::make_pair(h, port.value), Use{what, at});
        if (!fresh && it->second.what != what) {
          error(at, what + " port " + std::to_string(port.value) + " on host '" + h +
                              "' is already used by " + it->second.what + "; pick another port");
          return;  // once per setting, not once per host
        }
      }
    };
    const Tiers& t = m_s.tiers;
    if (t.lb) {
      claim(m_s.hosts_of_tier(Tier::lb), t.lb->port, "lb", t.lb->pos);
      if (t.lb->tls && t.lb->tls->enabled.value)
        claim(m_s.hosts_of_tier(Tier::lb), t.lb->tls->port, "lb tls", t.lb->tls->pos);
    }
    if (t.web) claim(m_s.hosts_of_tier(Tier::web), t.web->port, "web", t.web->pos);
    if (t.app) claim(m_s.hosts_of_tier(Tier::app), t.app->port, "app", t.app->pos);
    if (t.db) claim(m_s.hosts_of_tier(Tier::db), t.db->port, "db", t.db->pos);
  }

  void check_dns(const Dns& dns) {
    if (dns.ttl.value < 1 || dns.ttl.value > 604800)
      error(dns.ttl.pos, "dns ttl " + std::to_string(dns.ttl.value) + " must be from 1 to 604800 seconds");
    if (dns.nameserver) host_ref(*dns.nameserver, "dns nameserver");
    check_secondaries(dns);
    std::map<std::pair<std::string, RecordType>, SourcePos> seen;
    std::map<std::string, std::pair<bool, bool>> kinds;  // name -> (has CNAME, has other)
    for (const DnsRecord& r : dns.records) {
      if (r.name->empty()) {
        if (r.name.pos.line) error(r.name.pos, "record name must not be empty; use '@' for the domain itself");
        continue;
      }
      if (!rule(r.name, "record name", grammar::record_name_problem(*r.name))) continue;
      if (*r.name != "@" && !m_s.domain->empty() && r.name->size() + 1 + m_s.domain->size() > 253)
        error(r.name.pos, "record name '" + *r.name + "' with the domain is longer than 253 characters");
      auto [it, fresh] = seen.emplace(std::make_pair(*r.name, r.type.value), r.name.pos);
      if (!fresh && r.type.value != RecordType::txt && r.type.value != RecordType::mx)
        error(r.name.pos, std::string("duplicate ") + to_string(r.type.value) + " record '" +
                              *r.name + "' (first at line " + std::to_string(it->second.line) + ")");
      auto& k = kinds[*r.name];
      bool cname = r.type.value == RecordType::cname;
      if ((cname && (k.first || k.second)) || (!cname && k.first))
        error(r.name.pos, "record '" + *r.name + "' has a CNAME and other records; a CNAME must be "
                          "the only record of its name");
      (cname ? k.first : k.second) = true;
      check_record_value(r);
    }
  }

  void check_secondaries(const Dns& dns) {
    const std::string primary = m_s.nameserver_host();
    std::set<std::string> seen;
    for (const auto& h : dns.secondaries) {
      if (!host_ref(h, "dns secondary")) continue;
      if (*h == primary)
        error(h.pos, "dns secondary '" + *h + "' is the primary nameserver; a secondary must be another host");
      else if (!seen.insert(*h).second)
        error(h.pos, "dns secondary '" + *h + "' is listed twice");
    }
    if (dns.transfer_key) check_secret(*dns.transfer_key);
    if (!dns.secondaries.empty() && !dns.transfer_key)
      error(dns.secondaries.front().pos,
            "dns secondaries need a TSIG key to sign the zone transfers: add transfer_key: { secret: NAME } "
            "(a base64 key, e.g. from 'openssl rand -base64 32')");
  }

  void check_record_value(const DnsRecord& r) {
    const std::string& v = *r.value;
    if (v.empty() && r.value.pos.line) {
      error(r.value.pos, "record value must not be empty");
      return;
    }
    if (v.empty()) return;
    switch (r.type.value) {
      case RecordType::a:
      case RecordType::aaaa: {
        bool v6 = r.type.value == RecordType::aaaa;
        std::string kind = v6 ? "AAAA" : "A";
        auto family_ok = [&](const std::string& addr) {
          auto ip = parse_ip(addr);
          return !ip || ip->v6 == v6;
        };
        if (v == "vip") {
          const auto& lb = m_s.tiers.lb;
          if (!lb || !lb->vip)
            error(r.value.pos, "record value 'vip' needs a floating IP: define tiers.lb.vip");
          else if (!family_ok(*lb->vip->address))
            error(r.value.pos, kind + " record points at the vip, which is not an " +
                                   (v6 ? "IPv6" : "IPv4") + " address");
        } else if (const Host* h = m_s.find_host(v)) {
          if (!family_ok(*h->address))
            error(r.value.pos, kind + " record points at host '" + v + "', whose address is not " +
                                   (v6 ? "IPv6" : "IPv4"));
        } else if (auto ip = parse_ip(v)) {
          if (ip->v6 != v6)
            error(r.value.pos, kind + " record value '" + v + "' must be an " +
                                   (v6 ? "IPv6" : "IPv4") + " address");
        } else {
          error(r.value.pos, kind + " record value '" + v + "' must be an address, a host name or "
                             "'vip'" + did_you_mean(v, m_host_names));
        }
        break;
      }
      case RecordType::cname:
        rule(r.value, "CNAME record value", grammar::record_target_problem(v));
        break;
      case RecordType::mx: {
        rule(r.value, "MX record value", grammar::mx_problem(v));
        break;
      }
      case RecordType::txt:
        rule(r.value, "TXT record value", grammar::txt_problem(v));
        break;
    }
  }

  void check_firewall(const Firewall& fw) {
    for (const auto& c : fw.admin_cidrs) check_cidr(c, "admin CIDR");
    if (fw.log_drops.value && !fw.enabled.value)
      error(fw.log_drops.pos, "firewall.log_drops needs the firewall enabled: with no rules nothing is dropped");
    if (fw.enabled.value && fw.admin_cidrs.empty())
      error(fw.pos, "the firewall is enabled but 'admin_cidrs' is empty, so SSH would be closed to "
                    "everyone; add the address you manage from, e.g. [10.77.0.1/32]");
    for (const FirewallRule& r : fw.rules) {
      if (r.hosts.empty() && r.port.pos.line)
        error(r.pos, "firewall rule lists no hosts");
      for (const auto& h : r.hosts) host_ref(h, "firewall rule host");
      if (r.port.pos.line) check_port(r.port, "firewall rule port");
      for (const auto& c : r.from) check_cidr(c, "firewall rule source");
    }
  }

  void check_monitoring(const Monitoring& mon) {
    host_ref(mon.collector, "monitoring collector");
    host_ref(mon.logs_collector, "logs collector");
    if (mon.scrape_interval->count() < 1000)
      error(mon.scrape_interval.pos, "scrape_interval must be at least 1s");
    std::set<Exporter> seen;
    for (const auto& e : mon.exporters) {
      if (!seen.insert(e.value).second) {
        error(e.pos, std::string("exporter '") + to_string(e.value) + "' is listed twice");
        continue;
      }
      std::optional<Tier> tier = e.value == Exporter::nginx     ? std::optional(Tier::web)
                                 : e.value == Exporter::haproxy ? std::optional(Tier::lb)
                                 : e.value == Exporter::mysqld  ? std::optional(Tier::db)
                                                                : std::nullopt;
      if (tier && m_s.hosts_of_tier(*tier).empty() && !m_s.has_tier(*tier))
        error(e.pos, std::string("exporter '") + to_string(e.value) + "' needs a '" + to_string(*tier) +
                         "' tier to run on");
    }
    std::set<std::string> names;
    for (const Alert& a : mon.alerts) {
      if (!a.name->empty()) {
        if (rule(a.name, "alert name", grammar::identifier_problem(*a.name)) && !names.insert(*a.name).second)
          error(a.name.pos, "alert '" + *a.name + "' is defined twice");
      }
      if (a.expr.pos.line) rule(a.expr, "alert expr", grammar::line_problem(*a.expr));
    }
    for (const AlertReceiver& r : mon.alerts_to) check_receiver(r);
  }

  // A receiver is a webhook or a mailbox behind a smarthost, never both.
  void check_receiver(const AlertReceiver& r) {
    bool hook = !r.webhook->empty(), mail = !r.email->empty();
    if (hook == mail) {
      error(r.pos, hook ? "an alert receiver has both 'webhook' and 'email'; write one receiver for each"
                        : "an alert receiver needs 'webhook: URL' or 'email: ADDRESS' (with 'smarthost: HOST:PORT')");
      return;
    }
    if (hook) {
      rule(r.webhook, "alert webhook", grammar::webhook_url_problem(*r.webhook));
      for (const auto* f : {&r.smarthost, &r.from})
        if (!(*f)->empty()) error(f->pos, "'smarthost' and 'from' belong to an e-mail receiver, not a webhook");
      return;
    }
    rule(r.email, "alert e-mail", grammar::email_problem(*r.email));
    if (r.smarthost->empty())
      error(r.pos, "an e-mail receiver needs 'smarthost: HOST:PORT', the SMTP relay that sends it");
    else
      rule(r.smarthost, "smarthost", grammar::host_port_problem(*r.smarthost));
    if (!r.from->empty()) rule(r.from, "alert sender", grammar::email_problem(*r.from));
  }

  const Stack& m_s;
  std::vector<std::string> m_host_names;
  Diagnostics m_diags;
};

}  // namespace

Diagnostics validate_stack(const Stack& stack) {
  Diagnostics d = Validator(stack).run();
  sort_by_position(d);
  return d;
}

// Fills in what each record's value denotes (run on a valid stack).
void resolve_dns(Stack& stack) {
  if (!stack.dns) return;
  for (DnsRecord& r : stack.dns->records) {
    r.resolved = *r.value;
    r.target = RecordTarget::text;
    if (r.type.value != RecordType::a && r.type.value != RecordType::aaaa) continue;
    if (*r.value == "vip" && stack.tiers.lb && stack.tiers.lb->vip) {
      r.target = RecordTarget::vip;
      r.resolved = *stack.tiers.lb->vip->address;
    } else if (const Host* h = stack.find_host(*r.value)) {
      r.target = RecordTarget::host;
      r.resolved = *h->address;
    } else {
      r.target = RecordTarget::address;
    }
  }
}

}  // namespace foobar::stack
