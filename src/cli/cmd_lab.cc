// foobarctl lab: up/down/status of a local lab of isolated hosts, and ssh into them.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <cstdio>
#include <cxxopts.hpp>
#include <future>
#include <iostream>
#include <iterator>

#include "cli/commands.h"
#include "cli/lab_args.h"
#include "lab/client.h"
#include "lab/lab.h"
#include "lab/provision.h"
#include "remote/library.h"
#include "transport/ssh_connector.h"
#include "util/shell.h"
#include "util/strings.h"
#include "util/thread_pool.h"

namespace foobar::cli {
namespace {

constexpr const char* kAbout =
    "A lab host is a network namespace on bridge labbr0 (10.77.0.0/24), an overlay root\n"
    "and its own PID/UTS/mount namespaces running sshd. Needs root. One lab at a time.\n"
    "--init systemd (the default) boots systemd as each host's PID 1, as on a real VM;\n"
    "--init sysv runs sshd and init scripts under a small PID 1 (light: 100 hosts).\n"
    "'lab ssh' without a command opens an interactive ssh session; with a command it\n"
    "(one word: a shell command line; several: an argv, passed on exactly)\n"
    "runs it and exits with its status.\n"
    "'lab client' runs COMMAND on this machine as the lab's visitor: names resolve through\n"
    "the stack's nameserver (NSD on a lab host) and the lab's CA is trusted.\n";

// The usage lines come from the subcommand table the man page is made from.
std::string lab_usage() {
  std::string out;
  for (const auto& c : commands())
    if (std::string(c.name) == "lab")
      for (const auto& sub : c.subcommands)
        out += std::string(out.empty() ? "usage: " : "       ") + "foobarctl lab " + sub.name + " " + sub.synopsis +
               "\n";
  return out + "\n" + kAbout;
}

int report(const Diagnostics& diags) {
  for (const auto& d : diags) std::fprintf(stderr, "%s\n", d.to_string().c_str());
  return 1;
}

// Splits at the first "--": options before, a remote command after.
std::pair<std::vector<std::string>, std::vector<std::string>> split_dashdash(std::vector<std::string> args) {
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i] == "--")
      return {std::vector<std::string>(args.begin(), args.begin() + static_cast<long>(i)),
              std::vector<std::string>(args.begin() + static_cast<long>(i) + 1, args.end())};
  return {args, {}};
}

// One word is a shell command line as it stands (`lab ssh h -- 'a | b'`); several
// words are an argv, each quoted so that it arrives exactly as given.
std::string command_line(const std::vector<std::string>& words) {
  if (words.size() == 1) return words.front();
  std::vector<std::string> quoted;
  for (const auto& w : words) quoted.push_back(shell_quote(w));
  return join(quoted, " ");
}

Result<std::string> lab_name(const std::vector<std::string>& positional) {
  if (!positional.empty() && names_stack_file(positional.front())) {
    auto target = lab_target_from_stack(positional.front());
    if (!target) return target.diagnostics();
    return target->name;
  }
  if (!positional.empty()) return positional.front();
  return lab::current_lab();
}

// Systemd hosts answer on ssh before their boot is done; waits until it is, so the first
// plan does not see units the boot is still starting as stopped.
void wait_for_boots(const lab::LabState& state) {
  ThreadPool pool(std::min<size_t>(16, state.hosts.size()));
  std::vector<std::future<Result<transport::CommandResult>>> results;
  for (const auto& h : state.hosts)
    if (h.init == lab::LabInit::systemd)
      results.push_back(pool.submit([&state, &h] {
        transport::SshConnector conn(h.address, lab::lab_ssh_options(state, ""));
        auto inv = remote::invoke({remote::call("fb_boot_wait")});
        return conn.run(inv.command, inv.input);
      }));
  for (auto& f : results)
    if (auto r = f.get(); !r) report(r.diagnostics());
}

// `lab up` of a lab that is up: the hosts the stack adds come up beside the running
// ones, which are left as they are; new hosts get --init, or the running hosts' init.
int lab_grow(const std::string& name, const std::vector<lab::LabHostSpec>& hosts, const lab::LabTarget& target,
             std::optional<lab::LabInit> init, std::chrono::steady_clock::time_point start) {
  auto running = lab::load_lab_state(name);
  if (!running) return report(running.diagnostics());
  const lab::LabInit kind = init ? *init : running->hosts.empty() ? lab::LabInit::systemd : running->hosts.front().init;
  auto grown = lab::lab_add_hosts(name, hosts, kind);
  if (!grown) return report(grown.diagnostics());
  // Keeps the lab's CA, certificates and secrets; adds what a new secret name needs.
  if (auto st = lab::prepare_lab_files(grown->state.dir, target); !st) return report(st.diagnostics());
  lab::LabState fresh = grown->state;
  fresh.hosts.erase(std::remove_if(fresh.hosts.begin(), fresh.hosts.end(),
                                   [&](const lab::LabHost& h) {
                                     return std::find(grown->added.begin(), grown->added.end(), h.name) ==
                                            grown->added.end();
                                   }),
                    fresh.hosts.end());
  wait_for_boots(fresh);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  if (grown->added.empty()) std::printf("lab %s is up; it has every host of the stack already\n", name.c_str());
  else
    std::printf("lab %s is up: added %zu %s %s in %.1f s; the %zu running hosts are left as they were\n", name.c_str(),
                grown->added.size(), lab::to_string(kind), grown->added.size() == 1 ? "host" : "hosts",
                ms.count() / 1000.0, grown->state.hosts.size() - grown->added.size());
  for (const auto& h : fresh.hosts)
    std::printf("  %-20s %-15s %s pid %d (new)\n", h.name.c_str(), h.address.c_str(),
                h.init == lab::LabInit::systemd ? "supervisor" : "init", h.init == lab::LabInit::systemd ? h.pid : h.init_pid);
  for (const auto& h : grown->not_in_stack)
    std::printf("  %-20s not in the stack: left running (destroy what runs there, then 'lab down' the lab)\n", h.c_str());
  return 0;
}

int lab_up_cmd(std::vector<std::string> args) {
  cxxopts::Options opts = options_lab_up();
  auto argv = to_argv(args);
  auto r = opts.parse(static_cast<int>(args.size()), argv.data());
  if (r.count("help")) return std::printf("%s", opts.help().c_str()), 0;
  if (!r.count("name")) return report({Diagnostic::error("lab up", "give a STACK file or a lab NAME with --host")});
  auto init = lab::parse_lab_init(r["init"].as<std::string>());
  if (!init) return report(init.diagnostics());
  std::string name = r["name"].as<std::vector<std::string>>().front();
  std::vector<lab::LabHostSpec> hosts;
  lab::LabTarget target;
  if (names_stack_file(name)) {
    auto t = lab_target_from_stack(name);
    if (!t) return report(t.diagnostics());
    target = std::move(*t);
    name = target.name;
    hosts = target.hosts;
    if (auto st = lab::install_lab_packages(target.packages); !st) return report(st.diagnostics());
  } else {
    auto specs = lab_specs_from_args(r.count("host") ? r["host"].as<std::vector<std::string>>()
                                                     : std::vector<std::string>{});
    if (!specs) return report(specs.diagnostics());
    hosts = std::move(*specs);
  }
  auto start = std::chrono::steady_clock::now();
  if (lab::load_lab_state(name)) return lab_grow(name, hosts, target, r.count("init") ? *init : std::optional<lab::LabInit>{}, start);
  auto state = lab::lab_up(name, hosts, *init);
  if (!state) return report(state.diagnostics());
  if (auto st = lab::prepare_lab_files(state->dir, target); !st) {
    (void)lab::lab_down(name);  // nothing half made stays behind
    return report(st.diagnostics());
  }
  wait_for_boots(*state);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  std::printf("lab %s is up: %zu %s hosts in %.1f s\n", name.c_str(), state->hosts.size(), lab::to_string(*init),
              ms.count() / 1000.0);
  for (const auto& h : state->hosts)
    std::printf("  %-20s %-15s %s pid %d\n", h.name.c_str(), h.address.c_str(),
                h.init == lab::LabInit::systemd ? "supervisor" : "init", h.init == lab::LabInit::systemd ? h.pid : h.init_pid);
  std::printf("key %s, known_hosts %s\nlog in with: foobarctl lab ssh HOST\n", state->key.c_str(),
              state->known_hosts.c_str());
  const std::string nameservers = join(target.nameserver_addresses, ", ");
  if (!nameservers.empty())
    std::printf("browse as a visitor (DNS via %s%s): foobarctl lab client -- curl https://%s/\n",
                nameservers.c_str(), target.certificate_secrets.empty() ? "" : ", lab CA trusted",
                target.tls_names.empty() ? "..." : target.tls_names.front().c_str());
  return 0;
}

int lab_down_cmd(const std::vector<std::string>& positional) {
  auto name = lab_name(positional);
  if (!name) return report(name.diagnostics());
  auto st = lab::lab_down(*name);
  if (!st) return report(st.diagnostics());
  std::printf("lab %s is down\n", name->c_str());
  return 0;
}

int lab_status_cmd(const std::vector<std::string>& positional) {
  auto name = lab_name(positional);
  if (!name) return report(name.diagnostics());
  auto hosts = lab::lab_status(*name);
  if (!hosts) return report(hosts.diagnostics());
  int bad = 0;
  std::printf("lab %s\n", name->c_str());
  for (const auto& h : *hosts) {
    bad += !(h.up && h.sshd);
    std::string boots = h.boots > 1 ? ", rebooted " + std::to_string(h.boots - 1) + "x" : "";
    std::printf("  %-20s %-15s %-7s %-5s sshd %s%s\n", h.name.c_str(), h.address.c_str(), lab::to_string(h.init),
                h.up ? "up" : "DOWN", h.sshd ? "answering" : "NOT answering", boots.c_str());
  }
  return bad == 0 ? 0 : 1;
}

int lab_ssh_cmd(std::vector<std::string> args, const std::vector<std::string>& command) {
  cxxopts::Options opts = options_lab_ssh();
  auto argv = to_argv(args);
  auto r = opts.parse(static_cast<int>(args.size()), argv.data());
  if (r.count("help")) return std::printf("%s", opts.help({""}).c_str()), 0;
  if (!r.count("host")) return report({Diagnostic::error("lab ssh", "name the HOST to log in to")});
  auto name = r.count("lab") ? Result<std::string>(r["lab"].as<std::string>()) : lab::current_lab();
  if (!name) return report(name.diagnostics());
  auto state = lab::load_lab_state(*name);
  if (!state) return report(state.diagnostics());
  const std::string host_arg = r["host"].as<std::vector<std::string>>().front();
  const lab::LabHost* host = state->find(host_arg);
  if (!host) return report({Diagnostic::error("lab ssh", "lab " + *name + " has no host '" + host_arg + "'")});
  const std::string kh = r.count("known-hosts") ? r["known-hosts"].as<std::string>() : "";
  if (command.empty()) {
    std::vector<std::string> ssh = {"ssh", "-i", state->key, "-o", "IdentitiesOnly=yes", "-o",
                                    "UserKnownHostsFile=" + (kh.empty() ? state->known_hosts : kh), "-o",
                                    "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
                                    "root@" + host->address};
    auto av = to_argv(ssh);
    ::execvp("ssh", av.data());
    std::perror("foobarctl lab ssh: cannot run ssh");
    return 1;
  }
  std::string input;
  if (r.count("stdin")) input.assign(std::istreambuf_iterator<char>(std::cin), {});
  auto options = lab::lab_ssh_options(*state, kh);
  options.accept_new = r.count("accept-new") > 0;
  transport::SshConnector conn(host->address, options);
  // Like ssh: the user's own command, its output passed on whole.
  auto res = conn.run(command_line(command), input, transport::Timeout::zero(), transport::k_no_output_cap);
  if (!res) {
    report(res.diagnostics());
    return 255;  // like ssh: the command did not run
  }
  std::fwrite(res->out.data(), 1, res->out.size(), stdout);
  std::fwrite(res->err.data(), 1, res->err.size(), stderr);
  return res->exit_status & 0xff;
}

int lab_client_cmd(const std::vector<std::string>& positional, const std::vector<std::string>& command) {
  auto name = lab_name(positional);
  if (!name) return report(name.diagnostics());
  auto state = lab::load_lab_state(*name);
  if (!state) return report(state.diagnostics());
  std::fflush(stdout);
  auto st = lab::exec_as_client(state->dir, command);  // returns only on failure
  report(st.diagnostics());
  return 127;
}

// Runs one command on every host at once, one connector per host (benchmarks).
int lab_exec_all_cmd(const std::vector<std::string>& positional, const std::vector<std::string>& command) {
  if (command.empty()) return report({Diagnostic::error("lab exec-all", "give a command after --")});
  auto name = lab_name(positional);
  if (!name) return report(name.diagnostics());
  auto state = lab::load_lab_state(*name);
  if (!state) return report(state.diagnostics());
  const std::string cmd = command_line(command);
  auto start = std::chrono::steady_clock::now();
  ThreadPool pool(std::min<size_t>(64, state->hosts.size()));
  std::vector<std::future<Result<transport::CommandResult>>> results;
  for (const auto& h : state->hosts)
    results.push_back(pool.submit([&state, &h, &cmd] {
      transport::SshConnector conn(h.address, lab::lab_ssh_options(*state, ""));
      return conn.run(cmd);
    }));
  int failed = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    auto r = results[i].get();
    if (!r) {
      ++failed;
      report(r.diagnostics());
    } else if (!r->ok()) {
      ++failed;
      std::fprintf(stderr, "%s: exit status %d: %s", state->hosts[i].name.c_str(), r->exit_status, r->err.c_str());
    }
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  std::printf("ran '%s' on %zu hosts: %zu ok, %d failed, %.3f s wall\n", cmd.c_str(), results.size(),
              results.size() - static_cast<size_t>(failed), failed, ms.count() / 1000.0);
  return failed == 0 ? 0 : 1;
}

}  // namespace

cxxopts::Options options_lab_up() {
  cxxopts::Options opts("foobarctl lab up", "bring up a lab of isolated hosts");
  opts.positional_help("STACK.yaml | NAME --host NAME=ADDRESS... [--init systemd|sysv]");
  opts.add_options()("host", "a host as NAME=ADDRESS (repeat)", cxxopts::value<std::vector<std::string>>())(
      "name", "lab name", cxxopts::value<std::vector<std::string>>())(
      "init", "PID 1 of each host: systemd (as on a real VM) or sysv (light)",
      cxxopts::value<std::string>()->default_value("systemd"))("h,help", "show this help");
  opts.parse_positional({"name"});
  return opts;
}

cxxopts::Options options_lab_ssh() {
  cxxopts::Options opts("foobarctl lab ssh", "log in to a lab host, or run COMMAND there");
  opts.positional_help("HOST [-- COMMAND...]");
  opts.add_options()("lab", "lab name (default: the lab that is up)", cxxopts::value<std::string>())(
      "stdin", "feed this process's stdin to COMMAND")("host", "host", cxxopts::value<std::vector<std::string>>())(
      "h,help", "show this help");
  opts.add_options("hidden")("known-hosts", "known_hosts file to check against", cxxopts::value<std::string>())(
      "accept-new", "record an unknown host key (never a changed one)");
  opts.parse_positional({"host"});
  return opts;
}

int cmd_lab(std::vector<std::string> args, const GlobalOptions& /*global*/) {
  if (args.size() < 2 || args[1] == "--help" || args[1] == "-h" || args[1] == "help") {
    std::printf("%s", lab_usage().c_str());
    return args.size() < 2 ? 1 : 0;
  }
  const std::string sub = args[1];
  auto [before, command] = split_dashdash(std::vector<std::string>(args.begin() + 2, args.end()));
  before.insert(before.begin(), "foobarctl lab " + sub);
  std::vector<std::string> positional(before.begin() + 1, before.end());
  try {
    if (sub == "up") return lab_up_cmd(before);
    if (sub == "ssh") return lab_ssh_cmd(before, command);
    for (const auto& p : positional)
      if (p == "--help" || p == "-h") return std::printf("%s", lab_usage().c_str()), 0;
    if (sub == "down") return lab_down_cmd(positional);
    if (sub == "status") return lab_status_cmd(positional);
    if (sub == "exec-all") return lab_exec_all_cmd(positional, command);
    if (sub == "client") return lab_client_cmd(positional, command);
  } catch (const cxxopts::exceptions::exception& e) {
    return report({Diagnostic::error("lab " + sub, e.what())});
  }
  return report({Diagnostic::error("lab", "unknown subcommand '" + sub + "': use up, down, status, ssh or client")});
}

}  // namespace foobar::cli
