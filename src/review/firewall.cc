// The firewall the stack gets (or lacks), SSH access through it, extra rules that
// undo its restrictions, VRRP between the load balancers.
#include <algorithm>
#include <optional>

#include "review/checks.h"
#include "stack/address.h"

namespace foobar::review::detail {

namespace {

// sshd's port on a host the stack does not list.
constexpr int kSshPortDefault = 22;

void check_no_firewall(const Ctx& c) {
  if (c.s.firewall_enabled()) return;
  bool pub = is_public(c.t);
  std::string exposed = c.s.tiers.db ? "MySQL (" + std::to_string(c.s.tiers.db->port.value) + ")" : "";
  if (c.s.tiers.app) exposed += std::string(exposed.empty() ? "" : ", ") + "the app server (" +
                                std::to_string(c.s.tiers.app->port.value) + ")";
  c.add("FW-NONE", pub ? Sev::error : Sev::warning,
        c.s.firewall ? c.s.firewall->enabled.pos : c.s.name.pos, "firewall", used_hosts(c.t),
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
    c.add("FW-SSH-BLOCKED", Sev::error, fw.pos, "firewall", used_hosts(c.t),
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
    std::string via = c.t.address_of(h.ssh.jump->value);
    if (via.empty() || admin_allows(fw, via)) continue;
    c.add("FW-SSH-BLOCKED", Sev::error, h.ssh.jump->pos, "firewall", {h.name.value},
          "SSH to " + h.name.value + " goes through jump host " + h.ssh.jump->value + " (" + via +
              "), which is not in admin_cidrs",
          "the firewall on " + h.name.value + " drops SSH from the jump host, so foobarctl loses the "
          "host after the first apply",
          "add " + via + "/32 to firewall.admin_cidrs");
  }
}

void check_ssh_passwords(const Ctx& c) {
  if (c.s.security.ssh.value) return;
  c.add("SSH-PASSWORDS", Sev::warning, c.s.security.ssh.pos, "", used_hosts(c.t),
        "sshd is left as each host has it (security.ssh: false), password logins included",
        "a host that takes passwords can be brute-forced from wherever SSH reaches it, and root may log in "
        "with a password on some installs",
        "remove security.ssh: false so foobarctl turns password and keyboard-interactive logins off and lets "
        "root in with keys only");
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

// The port sshd listens on: the host's own setting (no tier decides it).
int ssh_port_of(const stack::Stack& s, const std::string& host) {
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
      if (r.port.value == db_port && c.t.carries(h.value, stack::Tier::db)) db_hosts.push_back(h.value);
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
  for (const auto& h : c.t.hosts_of(stack::Tier::lb)) {
    auto ip = stack::parse_ip(c.t.address_of(h));
    if (ip && ip->v6) v6.push_back(h);
  }
  auto vip = stack::parse_ip(lb->vip->address.value);
  if (v6.empty() && !(vip && vip->v6)) return;
  c.add("FW-VRRP-BLOCKED", Sev::error, lb->vip->pos, "lb", c.t.hosts_of(stack::Tier::lb),
        "the firewall admits VRRP between the load balancers over IPv4 only, but " +
            (v6.empty() ? "the vip is IPv6" : "lb hosts " + join(v6) + " have IPv6 addresses"),
        "the backup never hears the master's adverts, so both become MASTER and claim the floating "
        "IP (split brain)",
        "give the load balancers and the vip IPv4 addresses on the same network");
}

}  // namespace

void check_firewall(const Ctx& c) {
  check_no_firewall(c);
  check_ssh_reachable(c);
  check_ssh_passwords(c);
  check_extra_rules(c);
  check_vrrp_allowed(c);
}

}  // namespace foobar::review::detail
