// foobarctl status STACK [--lab] [--format human|json] [--source auto|prometheus|ssh]:
// per tier and host, whether it is up (reachable, the stack's services running), its
// request rate (QPS) and 5xx rate, replication, the floating IP and the last apply.
// Rates come from the stack's Prometheus (asked on the collector itself, over the SSH
// connection) as the rate over the last minute; without monitoring, from counters
// SSH can read (HAProxy's runtime API, nginx's access log) sampled twice, --sample
// seconds apart. docs/day2.md.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <future>
#include <map>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/remote.h"
#include "compile/context.h"
#include "compile/topology.h"
#include "facts/probe.h"
#include "facts/status.h"
#include "remote/library.h"
#include "util/thread_pool.h"
#include "util/timestamp.h"

namespace foobar::cli {

using nlohmann::json;

namespace {

// The collector's queries, by index; each sums by the labels the view reads.
enum Query : std::size_t { q_up, q_lb_qps, q_server_qps, q_lb_5xx, q_server_5xx, q_nginx_qps, q_count };

std::vector<std::string> prom_queries() {
  const std::string fe = std::string("proxy=\"") + compile::k_haproxy_frontend + "\"";
  const std::string be = std::string("proxy=\"") + compile::k_haproxy_web_backend + "\"";
  std::vector<std::string> q(q_count);
  q[q_up] = "up";
  q[q_lb_qps] = "sum by (host) (rate(haproxy_frontend_http_requests_total{" + fe + "}[1m]))";
  q[q_server_qps] = "sum by (host, server) (rate(haproxy_server_http_responses_total{" + be + "}[1m]))";
  q[q_lb_5xx] = "sum by (host) (rate(haproxy_frontend_http_responses_total{" + fe + ",code=\"5xx\"}[1m]))";
  q[q_server_5xx] = "sum by (host, server) (rate(haproxy_server_http_responses_total{" + be + ",code=\"5xx\"}[1m]))";
  q[q_nginx_qps] = "sum by (host) (rate(nginx_http_requests_total[1m]))";
  return q;
}

struct Options {
  std::string source;  // "prometheus" or "ssh", decided
  int sample = 5;
};

// What to ask `host`.
StatusRequest request_for(const Remote& r, const compile::Topology& t, const std::string& host, const Options& o) {
  const stack::Stack& s = r.compiled.stack;
  StatusRequest q;
  q.manifest = manifest_path(s.name.value);
  for (const auto& res : r.compiled.graph.resources())
    if (res.host == host && res.kind == ResourceKind::service && std::get<ServiceState>(res.state).running)
      q.services.push_back(res.name);
  q.replica = t.carries(host, stack::Tier::db);
  if (t.carries(host, stack::Tier::lb) && s.tiers.lb->vip) q.addresses.push_back(s.tiers.lb->vip->address.value);
  if (o.source == "ssh") {
    if (t.carries(host, stack::Tier::lb)) q.haproxy_socket = compile::k_haproxy_runtime_socket;
    if (t.carries(host, stack::Tier::web) && !s.tiers.lb) q.logs.push_back(compile::k_nginx_access_log);
    q.sample_seconds = o.sample;
  } else if (t.is_collector(host)) {
    q.prometheus_url = "http://" + t.service_address(host) + ":" + std::to_string(compile::k_prometheus_port);
    q.queries = prom_queries();
  }
  return q;
}

Result<HostStatus> ask(const Remote& r, const std::string& host, const StatusRequest& q) {
  auto inv = remote::invoke(status_calls(q));
  auto out = r.connectors.at(host)->run(inv.command, inv.input);
  if (!out) return out.diagnostics();
  if (!out->ok()) return transport::command_failed(host, "reading its status", *out);
  return parse_status_output(host, out->out);
}

// Rates per host (and per HAProxy server) from the collector's answers.
struct Rates {
  std::map<std::string, double> lb_qps, lb_5xx, nginx_qps;
  std::map<std::string, std::map<std::string, double>> server_qps, server_5xx;  // lb -> server -> rate
  std::map<std::string, std::map<std::string, bool>> targets;                    // host -> job -> up
  double window = 0;
  std::vector<std::string> problems;
};

std::vector<PromValue> answer(const HostStatus& c, Query i, Rates& out) {
  auto it = c.prom.find(i);
  if (it == c.prom.end()) return {};
  if (!it->second.ok) {
    out.problems.push_back("Prometheus on " + c.host + " did not answer: " + it->second.body);
    return {};
  }
  auto v = parse_prom_vector(c.host, it->second.body);
  if (!v) {
    out.problems.push_back(v.error().to_string());
    return {};
  }
  return *v;
}

void from_prometheus(const HostStatus& c, Rates& out) {
  out.window = 60;
  auto by_host = [&](Query i, std::map<std::string, double>& m) {
    for (const auto& v : answer(c, i, out))
      if (v.labels.count("host")) m[v.labels.at("host")] = v.value;
  };
  auto by_server = [&](Query i, std::map<std::string, std::map<std::string, double>>& m) {
    for (const auto& v : answer(c, i, out))
      if (v.labels.count("host") && v.labels.count("server")) m[v.labels.at("host")][v.labels.at("server")] = v.value;
  };
  by_host(q_lb_qps, out.lb_qps);
  by_host(q_lb_5xx, out.lb_5xx);
  by_host(q_nginx_qps, out.nginx_qps);
  by_server(q_server_qps, out.server_qps);
  by_server(q_server_5xx, out.server_5xx);
  for (const auto& v : answer(c, q_up, out))
    if (v.labels.count("host") && v.labels.count("job")) out.targets[v.labels.at("host")][v.labels.at("job")] = v.value == 1;
}

void from_counters(const std::map<std::string, HostStatus>& st, const compile::Topology& t, int sample, Rates& out) {
  out.window = sample;
  for (const auto& [host, s] : st) {
    if (t.carries(host, stack::Tier::lb)) {
      if (auto q = counter_rate(hap_series(s.hap, compile::k_haproxy_frontend, "FRONTEND"))) out.lb_qps[host] = *q;
      if (auto e = counter_rate(hap_series(s.hap, compile::k_haproxy_frontend, "FRONTEND", true))) out.lb_5xx[host] = *e;
      for (const auto& b : t.backends) {
        if (auto q = counter_rate(hap_series(s.hap, compile::k_haproxy_web_backend, b.name))) out.server_qps[host][b.name] = *q;
        if (auto e = counter_rate(hap_series(s.hap, compile::k_haproxy_web_backend, b.name, true)))
          out.server_5xx[host][b.name] = *e;
      }
    }
    auto log = s.lines.find(compile::k_nginx_access_log);
    if (log != s.lines.end()) {
      std::vector<std::pair<double, double>> series;
      for (const auto& l : log->second) series.emplace_back(l.time, l.count);
      if (auto q = counter_rate(series)) out.nginx_qps[host] = *q;
    }
  }
}

json rate(const std::map<std::string, double>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? json(nullptr) : json(it->second);
}

// The sum over every HAProxy of what it sent `server`; null when none reported it.
json sum_over_lbs(const std::map<std::string, std::map<std::string, double>>& m, const std::string& server) {
  json total = nullptr;
  for (const auto& [lb, servers] : m) {
    auto it = servers.find(server);
    if (it != servers.end()) total = (total.is_null() ? 0.0 : total.get<double>()) + it->second;
  }
  return total;
}

json host_json(const stack::Stack& s, const compile::Topology& t, const std::string& host,
               const Result<HostStatus>* st, const Rates& rates) {
  json h = {{"tiers", t.host_index.count(host) ? t.host(host).tiers.names() : std::vector<std::string>{}}};
  if (!st || !*st) {
    h["up"] = false;
    h["reachable"] = false;
    h["error"] = st ? st->error().message : "not asked";
    return h;
  }
  const HostStatus& hs = **st;
  h["reachable"] = true;
  bool all = true;
  json services = json::object();
  for (const auto& [name, f] : hs.facts.services) {
    services[name] = f.running ? "running" : "stopped";
    all = all && f.running;
  }
  h["up"] = all;
  h["services"] = services;
  h["uptime_seconds"] = hs.uptime_seconds ? json(*hs.uptime_seconds) : json(nullptr);
  h["last_apply"] = hs.applied ? json(utc_timestamp(static_cast<std::time_t>(*hs.applied))) : json(nullptr);
  if (rates.targets.count(host)) h["targets"] = rates.targets.at(host);
  if (t.carries(host, stack::Tier::lb)) {
    h["qps"] = rate(rates.lb_qps, host);
    h["errors_5xx_per_second"] = rate(rates.lb_5xx, host);
    h["servers"] = rates.server_qps.count(host) ? json(rates.server_qps.at(host)) : json::object();
    for (const auto& [addr, held] : hs.addresses) h["floating_ip"] = {{"address", addr}, {"held", held}};
  }
  if (t.carries(host, stack::Tier::web)) {
    // What the LBs sent it (their health checks aside); nginx's own count without LBs.
    h["qps"] = s.tiers.lb ? sum_over_lbs(rates.server_qps, host) : rate(rates.nginx_qps, host);
    if (s.tiers.lb) h["errors_5xx_per_second"] = sum_over_lbs(rates.server_5xx, host);
    h["nginx_qps"] = rate(rates.nginx_qps, host);
  }
  if (t.carries(host, stack::Tier::db)) {
    const auto& rep = hs.facts.db.replica;
    h["db_role"] = rep ? "replica" : "primary";
    if (rep)
      h["replication"] = {{"source", rep->source_host},
                          {"io", rep->io_state},
                          {"sql", rep->sql_state},
                          {"lag_seconds", rep->seconds_behind == "NULL" ? json(nullptr)
                                                                         : json(std::atof(rep->seconds_behind.c_str()))}};
  }
  return h;
}

std::string figure(const json& v) {
  if (!v.is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v.get<double>());
  return buf;
}

std::string ago(const json& iso, long long applied, std::time_t now) {
  if (iso.is_null()) return "never applied";
  long long secs = static_cast<long long>(now) - applied;
  std::string a = secs < 120 ? std::to_string(secs) + " s" : secs < 7200 ? std::to_string(secs / 60) + " min"
                                                                          : std::to_string(secs / 3600) + " h";
  return "applied " + iso.get<std::string>() + " (" + a + " ago)";
}

void print_host(const std::string& host, const json& h, const HostStatus* hs) {
  std::string line = "  " + host + std::string(host.size() < 8 ? 8 - host.size() : 1, ' ');
  line += h["up"].get<bool>() ? " up  " : " DOWN";
  if (!h["reachable"].get<bool>()) return (void)std::printf("%s  unreachable: %s\n", line.c_str(),
                                                             h["error"].get<std::string>().c_str());
  for (const auto& [svc, state] : h["services"].items())
    if (state != "running") line += "  " + svc + " stopped";
  if (h.contains("qps")) line += "  qps " + figure(h["qps"]);
  if (h.contains("errors_5xx_per_second")) line += "  5xx/s " + figure(h["errors_5xx_per_second"]);
  // nginx's own count beside what the LBs sent (it also counts their health checks).
  if (h.contains("nginx_qps") && h["nginx_qps"].is_number() && h.contains("errors_5xx_per_second"))
    line += "  (nginx " + figure(h["nginx_qps"]) + ")";
  if (h.contains("floating_ip"))
    line += std::string("  floating IP ") + (h["floating_ip"]["held"].get<bool>() ? "held" : "not held");
  if (h.contains("replication")) {
    const auto& r = h["replication"];
    line += "  replica of " + r["source"].get<std::string>() + ", io " + r["io"].get<std::string>() + " sql " +
            r["sql"].get<std::string>() + ", lag " + (r["lag_seconds"].is_null() ? "-" : figure(r["lag_seconds"])) + " s";
  } else if (h.contains("db_role")) {
    line += "  primary";
  }
  line += "  " + ago(h["last_apply"], hs && hs->applied ? *hs->applied : 0, std::time(nullptr));
  std::printf("%s\n", line.c_str());
  if (h.contains("servers") && !h["servers"].empty()) {
    std::string servers = "      to servers:";
    for (const auto& [srv, q] : h["servers"].items()) servers += " " + srv + " " + figure(q);
    std::printf("%s\n", servers.c_str());
  }
}

void print_human(const stack::Stack& s, const json& out, const std::map<std::string, HostStatus>& st) {
  std::printf("Stack %s: %zu of %zu hosts up; rates from %s\n", s.name.value.c_str(),
              static_cast<std::size_t>(std::count_if(out["hosts"].begin(), out["hosts"].end(),
                                                     [](const json& h) { return h.value("up", false); })),
              out["hosts"].size(), out["rates_from"].get<std::string>().c_str());
  std::vector<std::string> shown;
  auto section = [&](const std::string& title, const std::vector<std::string>& hosts) {
    std::vector<std::string> these;
    for (const auto& h : hosts)
      if (out["hosts"].contains(h) && std::find(shown.begin(), shown.end(), h) == shown.end()) these.push_back(h);
    if (these.empty()) return;
    std::printf("%s\n", title.c_str());
    for (const auto& h : these) {
      auto it = st.find(h);
      print_host(h, out["hosts"][h], it == st.end() ? nullptr : &it->second);
      shown.push_back(h);
    }
  };
  for (stack::Tier tier : stack::k_tiers)
    if (s.has_tier(tier)) section(std::string("tier ") + stack::to_string(tier), s.hosts_of_tier(tier));
  std::vector<std::string> rest;
  for (const auto& h : s.hosts) rest.push_back(h.name.value);
  section("other hosts", rest);
  if (!out["floating_ip_holder"].is_null())
    std::printf("floating IP held by %s\n", out["floating_ip_holder"].get<std::string>().c_str());
  for (const auto& p : out["problems"]) std::printf("warning: %s\n", p.get<std::string>().c_str());
}

}  // namespace

cxxopts::Options options_status() {
  cxxopts::Options opts("foobarctl status", "per tier and host: up, request and 5xx rates, replication, the floating "
                                            "IP and the last apply");
  opts.positional_help("STACK");
  add_remote_options(opts);
  opts.add_options()("format", "human | json", cxxopts::value<std::string>()->default_value("human"))(
      "source", "where the rates come from: auto (Prometheus when the stack has monitoring), prometheus, ssh",
      cxxopts::value<std::string>()->default_value("auto"))(
      "sample", "with --source ssh: seconds between the two samples of the counters (1..60)",
      cxxopts::value<int>()->default_value("5"))("h,help", "show this help");
  return opts;
}

namespace {

// Every host asked at once, one round trip each.
std::map<std::string, Result<HostStatus>> ask_all(const Remote& r, const compile::Topology& t, const Options& o) {
  std::map<std::string, Result<HostStatus>> results;
  ThreadPool pool(std::max<std::size_t>(1, std::min(r.parallelism, r.hosts.size())));
  std::map<std::string, std::future<Result<HostStatus>>> pending;
  for (const auto& h : r.hosts) pending.emplace(h, pool.submit([&, h] { return ask(r, h, request_for(r, t, h, o)); }));
  for (auto& [h, f] : pending) results.emplace(h, f.get());
  return results;
}

json status_json(const stack::Stack& s, const compile::Topology& t, const std::vector<std::string>& hosts,
                 const std::map<std::string, Result<HostStatus>>& results, const Options& o, Rates& rates) {
  const bool prom = o.source == "prometheus";
  json out = {{"stack", s.name.value}, {"source", o.source}, {"window_seconds", rates.window}, {"hosts", json::object()}};
  out["collector"] = prom ? json(s.monitoring->collector.value) : json(nullptr);
  out["rates_from"] = prom ? "Prometheus on " + s.monitoring->collector.value + ", over the last minute"
                           : "counters read over SSH, over " + std::to_string(o.sample) + " s";
  std::vector<std::string> holders;
  for (const auto& h : hosts) {
    auto it = results.find(h);
    const json& j = out["hosts"][h] = host_json(s, t, h, it == results.end() ? nullptr : &it->second, rates);
    if (j.contains("floating_ip") && j["floating_ip"]["held"].get<bool>()) holders.push_back(h);
  }
  if (s.tiers.lb && s.tiers.lb->vip && holders.size() != 1)
    rates.problems.push_back(holders.empty() ? "the floating IP " + s.tiers.lb->vip->address.value +
                                                   " is held by no load balancer asked"
                                             : "the floating IP is held by more than one load balancer");
  out["floating_ip_holder"] = holders.size() == 1 ? json(holders.front()) : json(nullptr);
  out["problems"] = rates.problems;
  return out;
}

// --format, --source and --sample checked; the source still "auto".
std::optional<std::pair<std::string, Options>> read_options(const std::string& command,
                                                            const cxxopts::ParseResult& parsed) {
  const std::string format = parsed["format"].as<std::string>();
  Options o;
  o.source = parsed["source"].as<std::string>();
  o.sample = parsed["sample"].as<int>();
  if (format != "human" && format != "json")
    return std::fprintf(stderr, "%s: --format must be human or json, not '%s'\n", command.c_str(), format.c_str()),
           std::nullopt;
  if (o.source != "auto" && o.source != "prometheus" && o.source != "ssh")
    return std::fprintf(stderr, "%s: --source must be auto, prometheus or ssh, not '%s'\n", command.c_str(),
                        o.source.c_str()),
           std::nullopt;
  if (o.sample < 1 || o.sample > 60)
    return std::fprintf(stderr, "%s: --sample must be 1..60 seconds, not %d\n", command.c_str(), o.sample),
           std::nullopt;
  return std::pair{format, o};
}

}  // namespace

int cmd_status(std::vector<std::string> args, const GlobalOptions&) {
  const std::string command = "foobarctl status";
  cxxopts::Options opts = options_status();
  auto parsed_args = parse_args(opts, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& parsed = *parsed_args;
  if (parsed.count("help")) return std::printf("%s", opts.help().c_str()), 0;
  auto read = read_options(command, parsed);
  if (!read) return 1;
  auto& [format, o] = *read;
  auto remote = open_remote(command, parsed, false);
  if (!remote) return 1;
  const stack::Stack& s = remote->compiled.stack;
  const compile::Topology t = compile::derive_topology(s);
  const auto& hosts = remote->hosts;
  const bool collector_here =
      s.monitoring && std::find(hosts.begin(), hosts.end(), s.monitoring->collector.value) != hosts.end();
  if (o.source == "prometheus" && !collector_here)
    return std::fprintf(stderr, "%s: --source prometheus: %s\n", command.c_str(),
                        s.monitoring ? "the collector is not among the hosts asked (--target)"
                                     : "the stack has no monitoring (add monitoring: { collector: HOST })"),
           1;
  if (o.source == "auto") o.source = collector_here ? "prometheus" : "ssh";

  auto results = ask_all(*remote, t, o);
  std::map<std::string, HostStatus> st;
  for (const auto& [h, r] : results)
    if (r) st.emplace(h, *r);
  Rates rates;
  if (o.source == "ssh") {
    from_counters(st, t, o.sample, rates);
  } else if (auto c = st.find(s.monitoring->collector.value); c != st.end()) {
    from_prometheus(c->second, rates);
  } else {
    rates.problems.push_back("the collector " + s.monitoring->collector.value + " did not answer: no rates");
  }
  json out = status_json(s, t, hosts, results, o, rates);
  if (format == "json")
    std::printf("%s\n", out.dump(2).c_str());
  else
    print_human(s, out, st);
  bool all_up = std::all_of(out["hosts"].begin(), out["hosts"].end(), [](const json& h) { return h.value("up", false); });
  return all_up ? 0 : 3;
}

}  // namespace foobar::cli
