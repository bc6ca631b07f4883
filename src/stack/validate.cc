// Semantic checks on a typed Stack: names, addresses, references between hosts
// and tiers, uniqueness, and the rules each tier needs to work. Every problem
// is reported; empty values were already reported as missing by the loader and
// are skipped here.
#include <algorithm>
#include <map>
#include <set>

#include "stack/address.h"
#include "stack/stack.h"
#include "stack/suggest.h"

namespace foobar::stack {

namespace {

bool is_name(std::string_view s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool is_label(std::string_view s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// Dotted labels; a trailing dot (fully qualified) is allowed.
bool is_dns_name(std::string_view s, bool need_dot) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty() || s.size() > 253) return false;
  if (need_dot && s.find('.') == std::string_view::npos) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    if (!is_label(s.substr(start, dot == std::string_view::npos ? dot : dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_secret_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool is_sql_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// [A-Za-z_][A-Za-z0-9_]* (environment variables, alert names). Written out, not
// std::regex: libstdc++'s regex recurses per character and overflows the stack
// on long input.
bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// "PRIVILEGES ON db.table", db and table a name or '*'.
bool is_grant(std::string_view g) {
  std::size_t on = g.rfind(" ON ");
  if (on == std::string_view::npos || on == 0) return false;
  std::string_view privs = g.substr(0, on);
  if (!std::all_of(privs.begin(), privs.end(), [](char c) {
        return std::isalpha(static_cast<unsigned char>(c)) || c == ' ' || c == ',' || c == '_';
      }))
    return false;
  std::string_view target = g.substr(on + 4);
  std::size_t dot = target.find('.');
  if (dot == std::string_view::npos) return false;
  auto part = [](std::string_view p) { return p == "*" || is_sql_name(p); };
  return part(target.substr(0, dot)) && part(target.substr(dot + 1));
}

// "PRIORITY NAME" with PRIORITY 0..65535.
bool is_mx(std::string_view v) {
  std::size_t space = v.find(' ');
  if (space == 0 || space == std::string_view::npos || space > 5) return false;
  std::string_view prio = v.substr(0, space);
  if (!std::all_of(prio.begin(), prio.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  if (std::stoi(std::string(prio)) > 65535) return false;
  std::size_t name = v.find_first_not_of(' ', space);
  return name != std::string_view::npos && is_dns_name(v.substr(name), false);
}

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
    m_diags.push_back(Diagnostic::error(m_s.file, pos, shorten_quotes(std::move(msg))));
  }

  void check_header() {
    const auto& name = m_s.name;
    if (!name->empty() && !is_name(*name))
      error(name.pos, "stack name '" + *name +
                          "' must use only a-z, 0-9 and '-' (not at either end), at most 63 "
                          "characters");
    const auto& domain = m_s.domain;
    if (!domain->empty() && !is_dns_name(*domain, true))
      error(domain.pos, "domain '" + *domain + "' is not a DNS name such as foobar.com");
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
    if (!ref.name.empty() && !is_secret_name(ref.name))
      error(ref.pos, "secret name '" + ref.name +
                         "' must use only A-Z, 0-9 and _ (it is read from FOOBAR_SECRET_" +
                         "<NAME>)");
  }

  void check_absolute(const Located<std::string>& p, std::string_view what) {
    if (!p->empty() && p->front() != '/')
      error(p.pos, std::string(what) + " '" + *p + "' must be an absolute path");
  }

  void check_ssh(const SshConfig& ssh, std::string_view where) {
    check_port(ssh.port, std::string(where) + ".port");
    if (ssh.user.pos.line && ssh.user->empty())
      error(ssh.user.pos, std::string(where) + ".user must not be empty");
  }

  void check_hosts() {
    std::map<std::string, const Host*> by_address;
    for (const Host& h : m_s.hosts) {
      if (!is_name(*h.name))
        error(h.name.pos, "host name '" + *h.name +
                              "' must use only a-z, 0-9 and '-' (not at either end), at most 63 "
                              "characters");
      // host.ssh merges defaults, so only check values this host set itself.
      if (h.ssh.port.pos != m_s.ssh_defaults.port.pos) check_port(h.ssh.port, "ssh port");
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
    if (!hc.path->empty() && hc.path->front() != '/')
      error(hc.path.pos, "health check path '" + *hc.path + "' must start with '/'");
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
  }

  bool t_has_backends() const { return m_s.tiers.web || m_s.tiers.app; }

  void check_vip(const Vip& vip, const LbTier& lb) {
    if (lb.hosts.size() < 2)
      error(vip.pos, "a floating IP (vip) needs at least 2 hosts in tier 'lb' to fail over "
                     "between, but it has " + std::to_string(lb.hosts.size()));
    if (vip.router_id.pos.line && (vip.router_id.value < 1 || vip.router_id.value > 255))
      error(vip.router_id.pos, "vip router_id " + std::to_string(vip.router_id.value) +
                                   " is out of range; VRRP router ids are 1 to 255");
    const std::string& iface = *vip.interface;
    if (iface.empty() || iface.size() > 15 ||
        iface.find_first_of("/ \t:") != std::string::npos)
      error(vip.interface.pos, "vip interface '" + iface + "' is not a network interface name");
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
    if (!web.server_name->empty() && !is_dns_name(*web.server_name, false))
      error(web.server_name.pos, "server_name '" + *web.server_name + "' is not a DNS name");
    check_absolute(web.root, "tiers.web.root");
    for (const auto& p : web.static_paths)
      if (p->empty() || p->front() != '/')
        error(p.pos, "static location '" + *p + "' must start with '/'");
  }

  void check_app(const AppTier& app) {
    check_host_list(app.hosts, app.pos, "app");
    check_port(app.port, "tiers.app.port");
    check_absolute(app.path, "tiers.app.path");
    if (app.user.pos.line && app.user->empty()) error(app.user.pos, "tiers.app.user must not be empty");
    if (app.source.pos.line && app.source->empty())
      error(app.source.pos, "tiers.app.source must name the directory to copy");
    if (app.command.pos.line && app.command->empty())
      error(app.command.pos, "tiers.app.command must not be empty");
    for (const auto& [name, value] : app.environment) {
      if (!is_identifier(*name))
        error(name.pos, "environment variable name '" + *name +
                            "' must use only letters, digits and _ and not start with a digit");
      if (value.secret) check_secret(*value.secret);
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
      if (!u->empty() && !is_sql_name(*u))
        error(u.pos, "replication user '" + *u + "' must use only letters, digits and _");
    }
    std::set<std::string> dbs;
    for (const auto& d : db.databases) {
      if (!is_sql_name(*d))
        error(d.pos, "database name '" + *d + "' must use only letters, digits and _");
      else if (!dbs.insert(*d).second)
        error(d.pos, "database '" + *d + "' is listed twice");
    }
    std::set<std::string> users;
    for (const DbUser& u : db.users) check_db_user(u, db, users);
  }

  void check_db_user(const DbUser& u, const DbTier& db, std::set<std::string>& users) {
    if (!u.name->empty()) {
      if (!is_sql_name(*u.name) || u.name->size() > 32)
        error(u.name.pos, "db user name '" + *u.name +
                              "' must use only letters, digits and _, at most 32 characters");
      else if (!users.insert(*u.name).second)
        error(u.name.pos, "db user '" + *u.name + "' is defined twice");
      else if (db.replication && *u.name == *db.replication->user)
        error(u.name.pos, "db user '" + *u.name + "' is also the replication user");
    }
    check_secret(u.password);
    check_cidr(u.from, "db user source");
    for (const auto& g : u.grants) {
      if (!is_grant(*g))
        error(g.pos, "grant '" + *g + "' must look like 'PRIVILEGES ON database.table', "
                     "e.g. 'ALL PRIVILEGES ON foobar.*'");
    }
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
      claim(m_s.hosts_of_tier("lb"), t.lb->port, "lb", t.lb->pos);
      if (t.lb->tls && t.lb->tls->enabled.value)
        claim(m_s.hosts_of_tier("lb"), t.lb->tls->port, "lb tls", t.lb->tls->pos);
    }
    if (t.web) claim(m_s.hosts_of_tier("web"), t.web->port, "web", t.web->pos);
    if (t.app) claim(m_s.hosts_of_tier("app"), t.app->port, "app", t.app->pos);
    if (t.db) claim(m_s.hosts_of_tier("db"), t.db->port, "db", t.db->pos);
  }

  void check_dns(const Dns& dns) {
    if (dns.ttl.value < 1 || dns.ttl.value > 604800)
      error(dns.ttl.pos, "dns ttl " + std::to_string(dns.ttl.value) + " must be from 1 to 604800 seconds");
    if (dns.nameserver) host_ref(*dns.nameserver, "dns nameserver");
    std::map<std::pair<std::string, RecordType>, SourcePos> seen;
    std::map<std::string, std::pair<bool, bool>> kinds;  // name -> (has CNAME, has other)
    for (const DnsRecord& r : dns.records) {
      if (r.name->empty()) {
        if (r.name.pos.line) error(r.name.pos, "record name must not be empty; use '@' for the domain itself");
        continue;
      }
      if (*r.name != "@" && !is_dns_name(*r.name, false)) {
        error(r.name.pos, "record name '" + *r.name + "' must be '@' or a name relative to the domain");
        continue;
      }
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
        if (!is_dns_name(v, false))
          error(r.value.pos, "CNAME record value '" + v + "' is not a DNS name");
        break;
      case RecordType::mx: {
        if (!is_mx(v))
          error(r.value.pos, "MX record value '" + v + "' must be 'PRIORITY NAME', e.g. '10 mail'");
        break;
      }
      case RecordType::txt:
        if (v.size() > 255)
          error(r.value.pos, "TXT record value is longer than 255 characters");
        break;
    }
  }

  void check_firewall(const Firewall& fw) {
    for (const auto& c : fw.admin_cidrs) check_cidr(c, "admin CIDR");
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
    if (mon.scrape_interval->count() < 1000)
      error(mon.scrape_interval.pos, "scrape_interval must be at least 1s");
    std::set<Exporter> seen;
    for (const auto& e : mon.exporters) {
      if (!seen.insert(e.value).second) {
        error(e.pos, std::string("exporter '") + to_string(e.value) + "' is listed twice");
        continue;
      }
      const char* tier = e.value == Exporter::nginx     ? "web"
                         : e.value == Exporter::haproxy ? "lb"
                         : e.value == Exporter::mysqld  ? "db"
                                                        : nullptr;
      if (tier && m_s.hosts_of_tier(tier).empty() && !has_tier(tier))
        error(e.pos, std::string("exporter '") + to_string(e.value) + "' needs a '" + tier +
                         "' tier to run on");
    }
    std::set<std::string> names;
    for (const Alert& a : mon.alerts) {
      if (!a.name->empty()) {
        if (!is_identifier(*a.name))
          error(a.name.pos, "alert name '" + *a.name + "' must use only letters, digits and _");
        else if (!names.insert(*a.name).second)
          error(a.name.pos, "alert '" + *a.name + "' is defined twice");
      }
      if (a.expr.pos.line && a.expr->empty()) error(a.expr.pos, "alert expr must not be empty");
    }
  }

  bool has_tier(std::string_view t) const {
    auto names = m_s.tier_names();
    return std::find(names.begin(), names.end(), t) != names.end();
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
