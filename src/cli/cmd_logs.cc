// foobarctl logs: the stack's central logs, read over SSH from the log collector
// (monitoring.logs.collector), where rsyslog keeps them per host and program
// (docs/monitoring.md#logs). Read-only.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/remote.h"
#include "compile/context.h"
#include "remote/library.h"
#include "util/strings.h"

namespace foobar::cli {

cxxopts::Options options_logs() {
  cxxopts::Options opts("foobarctl logs", "read the stack's central logs from the log collector");
  opts.positional_help("STACK");
  add_remote_options(opts);
  opts.add_options()("host", "only this host's logs", cxxopts::value<std::string>())(
      "service", "only this service's logs (a service of the stack: nginx, haproxy, foobar-app, mariadb, ...)",
      cxxopts::value<std::string>())("since", "only the last T: N followed by s, m, h or d (30s, 10m, 2h, 1d)",
                                     cxxopts::value<std::string>())(
      "f,follow", "go on printing messages as they arrive (Ctrl-C ends)")("h,help", "show this help");
  return opts;
}

namespace {

// "10m" -> 600; nullopt when it is not N followed by s, m, h or d.
std::optional<long> since_seconds(const std::string& t) {
  if (t.size() < 2 || t.size() > 10) return std::nullopt;
  const std::string n = t.substr(0, t.size() - 1);
  if (!std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  static const std::map<char, long> unit = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
  auto u = unit.find(t.back());
  if (u == unit.end()) return std::nullopt;
  return std::stol(n) * u->second;
}

std::string listed(const std::set<std::string>& names) {
  return join(std::vector<std::string>(names.begin(), names.end()), ", ");
}

// Prints the messages of one logs_read answer and keeps the offsets it reports.
void take(const std::string& out, std::map<std::string, std::string>& offsets) {
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("@ ", 0) == 0) {
      auto sp = line.rfind(' ');
      offsets[line.substr(2, sp - 2)] = line.substr(sp + 1);
      continue;
    }
    std::printf("%s\n", line.c_str());
  }
  std::fflush(stdout);
}

}  // namespace

int cmd_logs(std::vector<std::string> args, const GlobalOptions&) {
  const std::string command = "foobarctl logs";
  cxxopts::Options opts = options_logs();
  auto parsed_args = parse_args(opts, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& parsed = *parsed_args;
  if (parsed.count("help")) return std::printf("%s", opts.help().c_str()), 0;
  long seconds = 0;
  if (parsed.count("since")) {
    auto s = since_seconds(parsed["since"].as<std::string>());
    if (!s)
      return std::fprintf(stderr, "%s: --since '%s' is not a time span; use N followed by s, m, h or d (e.g. 10m)\n",
                          command.c_str(), parsed["since"].as<std::string>().c_str()),
             1;
    seconds = *s;
  }
  auto remote = open_remote(command, parsed, false);
  if (!remote) return 1;
  const stack::Stack& s = remote->compiled.stack;
  if (!s.monitoring)
    return std::fprintf(stderr, "%s: stack %s keeps no central logs; add monitoring: { collector: HOST }\n",
                        command.c_str(), s.name.value.c_str()),
           1;
  // --host and --service name one of the stack's hosts and services, nothing else.
  std::set<std::string> hosts, services;
  for (const auto& h : s.hosts) hosts.insert(h.name.value);
  std::string host = parsed.count("host") ? parsed["host"].as<std::string>() : "";
  std::string service = parsed.count("service") ? parsed["service"].as<std::string>() : "";
  for (const auto& r : remote->compiled.graph.resources())
    if (r.kind == ResourceKind::service && (host.empty() || r.host == host)) services.insert(r.name);
  if (!host.empty() && !hosts.count(host))
    return std::fprintf(stderr, "%s: --host '%s' is not a host of stack %s; use one of: %s\n", command.c_str(),
                        host.c_str(), s.name.value.c_str(), listed(hosts).c_str()),
           1;
  if (!service.empty() && !services.count(service))
    return std::fprintf(stderr, "%s: --service '%s' is not a service of %s; use one of: %s\n", command.c_str(),
                        service.c_str(), host.empty() ? ("stack " + s.name.value).c_str() : host.c_str(),
                        listed(services).c_str()),
           1;
  const std::string& collector = s.monitoring->log_collector();
  auto c = remote->connectors.find(collector);
  if (c == remote->connectors.end())
    return std::fprintf(stderr, "%s: the log collector %s is not among the hosts asked; drop --target or add it\n",
                        command.c_str(), collector.c_str()),
           1;
  std::map<std::string, std::string> offsets;  // file -> bytes already printed
  for (bool first = true;; first = false) {
    std::vector<std::string> a{compile::k_log_store, host, service, first ? std::to_string(seconds) : "0"};
    for (const auto& [file, size] : offsets) a.insert(a.end(), {file, size});
    auto inv = remote::invoke({remote::call("logs_read", a)});
    auto out = c->second->run(inv.command, inv.input);
    if (!out || !out->ok()) {
      auto d = out ? transport::command_failed(collector, "reading the central logs", *out) : out.diagnostics().front();
      std::fprintf(stderr, "%s\n", d.to_string().c_str());
      return 1;
    }
    take(out->out, offsets);
    if (!parsed.count("follow")) return 0;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace foobar::cli
