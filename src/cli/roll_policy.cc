#include "cli/roll_policy.h"

#include <algorithm>
#include <cstdio>

#include "compile/topology.h"
#include "stack/grammar.h"

namespace foobar::cli {

namespace {

using compile::Topology;

std::size_t batch_of(const std::optional<stack::Rolling>& rolling, const RollOptions& o, std::size_t hosts) {
  std::string batch = o.batch ? *o.batch : rolling ? rolling->batch.value : "1";
  return stack::batch_size(batch, hosts).value_or(1);
}

GuardCall guard(std::string host, std::string function, std::vector<std::string> args, std::string what) {
  return GuardCall{std::move(host), RemoteCall{std::move(function), std::move(args)}, std::move(what)};
}

// The app answers its health path on its own address and port.
void app_guard(const Topology& t, const std::string& host, HostGuard& g) {
  const std::string url = "http://" + t.service_address(host) + ":" + std::to_string(t.stack->tiers.app->port.value) +
                          t.health_path;
  g.gate.push_back(guard(host, "roll_http_gate", {url, std::to_string(k_gate_seconds), "200"},
                         "gate: the app answers " + url + " with 200"));
  if (t.stack->tiers.web) {
    const std::string secs = std::to_string(compile::k_upstream_fail_timeout_seconds);
    g.gate.push_back(guard(host, "roll_settle", {std::to_string(compile::k_upstream_fail_timeout_seconds + 1)},
                           "gate: nginx takes it back (fail_timeout " + secs + " s)"));
  }
}

// HAProxy on every lb host stops sending the web host requests before its change;
// after it nginx must answer, then each HAProxy takes it back and sees it UP.
void web_guard(const Topology& t, const std::string& host, HostGuard& g) {
  const auto& lbs = t.hosts_of(stack::Tier::lb);
  auto backend = std::find_if(t.backends.begin(), t.backends.end(), [&](const auto& b) { return b.name == host; });
  if (backend != t.backends.end())
    for (const auto& lb : lbs)
      g.drain.push_back(guard(lb, "roll_hap_drain",
                              {compile::k_haproxy_runtime_socket, compile::k_haproxy_web_backend, backend->name,
                               std::to_string(k_drain_seconds)},
                              "drain in HAProxy on " + lb));
  const bool tls = t.reencrypt;
  const int port = compile::web_serving_port(*t.stack);
  const std::string url = std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port) + t.health_path;
  g.gate.push_back(guard(host, "roll_http_gate", {url, std::to_string(k_gate_seconds), "any"},
                         "gate: nginx answers " + url));
  if (backend != t.backends.end())
    for (const auto& lb : lbs)
      g.gate.push_back(guard(lb, "roll_hap_ready",
                             {compile::k_haproxy_runtime_socket, compile::k_haproxy_web_backend, backend->name,
                              std::to_string(k_gate_seconds)},
                             "gate: back in HAProxy on " + lb + " and UP"));
}

void lb_guard(const Topology& t, const std::string& host, bool move_ip, HostGuard& g) {
  g.gate.push_back(guard(host, "roll_hap_gate",
                         {compile::k_haproxy_runtime_socket, compile::k_haproxy_web_backend,
                          std::to_string(k_gate_seconds)},
                         "gate: HAProxy answers with web servers UP"));
  // The holder of the floating IP (the highest priority) hands it to its peer before a
  // change that stops or restarts HAProxy or keepalived there.
  const auto& lb = t.stack->tiers.lb;
  const auto& lbs = t.hosts_of(stack::Tier::lb);
  if (!move_ip || !lb->vip || lbs.size() != 2) return;
  const std::string& peer = lbs[0] == host ? lbs[1] : lbs[0];
  if (t.vrrp_priority.at(host) <= t.vrrp_priority.at(peer)) return;
  const std::string vip = lb->vip->address.value, secs = std::to_string(k_gate_seconds);
  g.move_services = {"haproxy", "keepalived"};
  g.move = {guard(host, "roll_vip_hold", {compile::k_keepalived_hold_file, vip, secs},
                  "move the floating IP " + vip + " to " + peer + " (keepalived track file)"),
            guard(peer, "roll_vip_held", {vip, secs}, "the floating IP " + vip + " is on " + peer)};
  g.move_back = {guard(host, "roll_vip_release", {compile::k_keepalived_hold_file, vip, secs},
                       "the floating IP " + vip + " back on " + host)};
}

}  // namespace

Result<RollPolicy> roll_policy(const stack::Stack& s, const RollOptions& o) {
  if (o.batch) {
    auto problem = stack::grammar::rolling_batch_problem(*o.batch);
    if (!problem.empty()) return Diagnostic::error("--batch", "'" + *o.batch + "' " + problem);
  }
  RollPolicy p;
  p.enabled = o.enabled;
  const Topology t = compile::derive_topology(s);
  const auto& tiers = s.tiers;
  if (tiers.app) {
    const auto& hosts = t.hosts_of(stack::Tier::app);
    p.tiers.push_back({"app", hosts, batch_of(tiers.app->rolling, o, hosts.size()), {"foobar-app"}});
  }
  if (tiers.web) {
    const auto& hosts = t.hosts_of(stack::Tier::web);
    p.tiers.push_back({"web", hosts, batch_of(tiers.web->rolling, o, hosts.size()), {"nginx"}});
  }
  if (tiers.lb) {
    auto hosts = t.hosts_of(stack::Tier::lb);
    // The BACKUP first: the MASTER (highest VRRP priority) changes last.
    std::stable_sort(hosts.begin(), hosts.end(), [&](const std::string& a, const std::string& b) {
      auto pa = t.vrrp_priority.find(a), pb = t.vrrp_priority.find(b);
      return (pa == t.vrrp_priority.end() ? 0 : pa->second) < (pb == t.vrrp_priority.end() ? 0 : pb->second);
    });
    p.tiers.push_back({"lb", hosts, batch_of(tiers.lb->rolling, o, hosts.size()), {"haproxy", "keepalived"}});
  }
  if (tiers.db) {
    p.write_primary = *tiers.db->primary;
    p.write_services = {"mariadb"};
  }
  for (const auto& h : s.hosts) {
    const std::string& host = h.name.value;
    HostGuard g;
    if (t.carries(host, stack::Tier::app)) app_guard(t, host, g);
    if (t.carries(host, stack::Tier::web)) web_guard(t, host, g);
    if (t.carries(host, stack::Tier::lb)) lb_guard(t, host, o.move_floating_ip, g);
    if (!g.drain.empty() || !g.gate.empty()) p.guards.emplace(host, std::move(g));
  }
  return p;
}

void add_roll_options(cxxopts::Options& opts) {
  opts.add_options()("batch", "roll changes that interrupt service N hosts (or N% of a tier) at a time, "
                              "instead of each tier's rolling.batch",
                     cxxopts::value<std::string>())(
      "no-rolling", "change every host at once, without batches, drains or health gates");
}

std::optional<RollPolicy> roll_policy(const stack::Stack& stack, const cxxopts::ParseResult& parsed) {
  RollOptions o;
  o.enabled = parsed.count("no-rolling") == 0;
  if (parsed.count("batch")) o.batch = parsed["batch"].as<std::string>();
  auto p = roll_policy(stack, o);
  if (!p) {
    for (const auto& d : p.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    return std::nullopt;
  }
  return std::move(*p);
}

nlohmann::json roll_json(const std::vector<TierRoll>& rolls, const RollPolicy& policy) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rolls) {
    nlohmann::json tier{{"tier", r.tier}, {"batches", r.batches}, {"hosts", nlohmann::json::object()}};
    for (const auto& batch : r.batches)
      for (const auto& h : batch) {
        const bool moves = r.moves_ip.count(h) > 0;
        nlohmann::json host{{"interrupts", r.interrupting.at(h)},
                            {"drains", nlohmann::json::array()},
                            {"gates", nlohmann::json::array()},
                            {"moves_ip", moves}};
        if (auto g = policy.guards.find(h); g != policy.guards.end()) {
          const HostGuard guard = effective_guard(g->second, moves);
          for (const auto& d : guard.drain) host["drains"].push_back(d.what);
          for (const auto& d : guard.gate) host["gates"].push_back(d.what);
        }
        tier["hosts"][h] = std::move(host);
      }
    // Scale out and in: who joins (gated first) and who leaves (after the reloads).
    tier["joining"] = nlohmann::json::object();
    for (const auto& [h, starts] : r.joining) {
      nlohmann::json host{{"starts", starts}, {"gates", nlohmann::json::array()}};
      if (auto g = policy.guards.find(h); g != policy.guards.end())
        for (const auto& d : g->second.gate) host["gates"].push_back(d.what);
      tier["joining"][h] = std::move(host);
    }
    tier["leaving"] = nlohmann::json::object();
    for (const auto& [h, removals] : r.leaving) tier["leaving"][h] = {{"removes", removals}, {"after", r.reloads}};
    tier["reloads"] = r.reloads;
    out.push_back(std::move(tier));
  }
  return out;
}

namespace {

// The roll in the plan's text or markdown: one walk, two spellings.
struct RollStyle {
  std::string title, tier, batch, host, before, after, end, writes;
  std::string (*word)(const std::string&);
  std::string joins, leaves;
};

std::string plain(const std::string& s) { return s; }
std::string code(const std::string& s) { return "`" + s + "`"; }

// "Interrupts writes: db-01 (the primary): restart service mariadb": apart from the
// roll, since nothing drains a primary.
std::string writes_line(const std::vector<std::string>& writes, const RollPolicy& policy, const RollStyle& st) {
  if (writes.empty()) return "";
  std::string out = st.writes + st.word(policy.write_primary) + " (the database primary):";
  for (std::size_t i = 0; i < writes.size(); ++i) out += (i ? ", " : " ") + st.word(writes[i]);
  return out + "; writes pause until it is back, the replicas keep serving reads.\n";
}

std::string roll_lines(const std::vector<TierRoll>& rolls, const RollPolicy& policy, const RollStyle& st) {
  if (rolls.empty()) return "";
  std::string out = st.title;
  for (const auto& t : roll_json(rolls, policy)) {
    std::size_t n = t["hosts"].size(), batches = t["batches"].size();
    auto names = [&](const nlohmann::json& hosts) {
      std::string list;
      for (const auto& h : hosts) list += (list.empty() ? "" : ", ") + st.word(h.get<std::string>());
      return list;
    };
    std::vector<std::string> parts;
    if (batches)
      parts.push_back(std::to_string(n) + (n == 1 ? " host" : " hosts") + " in " + std::to_string(batches) +
                      (batches == 1 ? " batch" : " batches"));
    if (!t["joining"].empty()) parts.push_back(std::to_string(t["joining"].size()) + " joining");
    if (!t["leaving"].empty()) parts.push_back(std::to_string(t["leaving"].size()) + " leaving");
    out += st.tier + t["tier"].get<std::string>() + ":";
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : " ") + parts[i];
    out += "\n";
    for (const auto& [h, j] : t["joining"].items()) {
      out += st.joins + st.word(h) + ": " + names(j["starts"]) + "; gated before " + names(t["reloads"]) + " change\n";
      for (const auto& d : j["gates"]) out += st.after + d.get<std::string>() + "\n";
    }
    for (const auto& [h, l] : t["leaving"].items()) {
      out += st.leaves + st.word(h) + ": " + names(l["removes"]) + "; only after " + names(l["after"]) +
             " changed (and passed their gates), which stop sending it requests\n";
    }
    for (std::size_t i = 0; i < batches; ++i) {
      out += st.batch + std::to_string(i + 1) + ":";
      for (const auto& h : t["batches"][i]) out += " " + st.word(h.get<std::string>());
      out += "\n";
      for (const auto& h : t["batches"][i]) {
        const auto& host = t["hosts"][h.get<std::string>()];
        out += st.host + st.word(h.get<std::string>()) + ": interrupts service: " + names(host["interrupts"]) + "\n";
        for (const auto& d : host["drains"]) out += st.before + d.get<std::string>() + "\n";
        for (const auto& d : host["gates"]) out += st.after + d.get<std::string>() + "\n";
      }
    }
  }
  return out + st.end;
}

}  // namespace

std::string roll_text(const std::vector<TierRoll>& rolls, const RollPolicy& policy,
                      const std::vector<std::string>& writes) {
  static const RollStyle style{"\nRolling (a batch at a time, tier after tier; other hosts change in parallel):\n",
                               "  tier ", "    batch ", "      ", "        before: ", "        after:  ",
                               "  A failed gate stops the roll there; the hosts not yet changed keep serving.\n",
                               "\nInterrupts writes: ", plain, "    joins: ", "    leaves: "};
  return roll_lines(rolls, policy, style) + writes_line(writes, policy, style);
}

std::string roll_markdown(const std::vector<TierRoll>& rolls, const RollPolicy& policy,
                          const std::vector<std::string>& writes) {
  static const RollStyle style{"\n### Rolling\n\nA batch at a time, tier after tier; other hosts change in parallel.\n\n",
                               "- tier ", "  - batch ", "    - ", "      - before: ", "      - after: ",
                               "\nA failed gate stops the roll there; the hosts not yet changed keep serving.\n",
                               "\n**Interrupts writes:** ", code, "  - joins: ", "  - leaves: "};
  return roll_lines(rolls, policy, style) + writes_line(writes, policy, style);
}

}  // namespace foobar::cli
