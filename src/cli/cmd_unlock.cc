// foobarctl unlock: removes a stack's apply lock on its hosts whatever holds it,
// for a lock apply will not take over (its holder ran on another machine, or its
// record cannot be checked). Shows each holder and asks first.
#include <cstdio>

#include "apply/lock.h"
#include "cli/apply_run.h"
#include "cli/commands.h"
#include "cli/remote.h"

namespace foobar::cli {

cxxopts::Options options_unlock() {
  cxxopts::Options opts("foobarctl unlock",
                        "remove the stack's apply lock on its hosts (all, or --target), whoever holds it");
  opts.positional_help("STACK");
  add_remote_options(opts);
  opts.add_options()("auto-approve", "do not ask for confirmation")("h,help", "show this help");
  return opts;
}

int cmd_unlock(std::vector<std::string> args, const GlobalOptions&) {
  const std::string command = "foobarctl unlock";
  cxxopts::Options opts = options_unlock();
  auto parsed_args = parse_args(opts, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& parsed = *parsed_args;
  if (parsed.count("help")) return std::printf("%s", opts.help().c_str()), 0;
  auto remote = open_remote(command, parsed);
  if (!remote) return 1;
  const std::string& stack = remote->compiled.stack.name.value;
  std::vector<std::string> held;
  int rc = 0;
  for (const auto& host : remote->hosts) {
    auto holder = read_lock(*remote->connectors.at(host), host, stack);
    if (!holder) {
      for (const auto& d : holder.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
      rc = 1;
      continue;
    }
    if (!*holder) continue;
    auto parsed_holder = LockHolder::parse(**holder);
    std::string who = parsed_holder ? parsed_holder->describe() : **holder;
    while (!who.empty() && who.back() == '\n') who.pop_back();
    std::printf("%s: apply lock held by %s\n", host.c_str(), who.c_str());
    held.push_back(host);
  }
  if (held.empty()) {
    std::printf("No apply lock of stack %s is held on %zu host(s).\n", stack.c_str(), remote->hosts.size());
    return rc;
  }
  std::printf("Removing a lock of a run that is still going lets another apply run beside it.\n");
  if (!confirmed(command, parsed)) return 1;
  for (const auto& host : held) {
    auto removed = remove_lock(*remote->connectors.at(host), host, stack);
    if (!removed) {
      for (const auto& d : removed.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
      rc = 1;
      continue;
    }
    std::printf("%s: unlocked\n", host.c_str());
  }
  return rc;
}

}  // namespace foobar::cli
