#include "cli/apply_run.h"

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "apply/executor.h"
#include "cli/plan_output.h"

namespace foobar::cli {

void add_apply_options(cxxopts::Options& opts) {
  opts.add_options()("auto-approve", "do not ask for confirmation")(
      "keep-going", "after a failure, finish everything that does not depend on it");
}

namespace {

bool confirmed(const std::string& command, const cxxopts::ParseResult& parsed) {
  if (parsed.count("auto-approve")) return true;
  if (!isatty(STDIN_FILENO)) {
    std::fprintf(stderr, "%s: no terminal to ask for confirmation; pass --auto-approve to go ahead\n",
                 command.c_str());
    return false;
  }
  std::printf("Do you want to perform these actions? Only 'yes' will be accepted: ");
  std::fflush(stdout);
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "yes";
}

void print_event(const ApplyEvent& e) {
  switch (e.phase) {
    case ApplyEvent::Phase::started: break;
    case ApplyEvent::Phase::done: std::printf("%s: %s: done\n", e.host.c_str(), e.what.c_str()); break;
    case ApplyEvent::Phase::failed:
      std::printf("%s: %s: FAILED: %s\n", e.host.c_str(), e.what.c_str(), e.detail.c_str());
      break;
    case ApplyEvent::Phase::skipped: std::printf("%s: %s: skipped\n", e.host.c_str(), e.what.c_str()); break;
  }
  std::fflush(stdout);
}

// On a terminal: one line per host showing its current step, redrawn in place.
class TtyProgress {
 public:
  explicit TtyProgress(const Plan& plan) {
    for (const auto& hp : plan.hosts)
      for (const auto& a : hp.actions)
        if (a.changes()) {
          m_lines.emplace_back(hp.host, "waiting");
          break;
        }
  }

  void on(const ApplyEvent& e) {
    for (auto& [host, line] : m_lines) {
      if (host != e.host) continue;
      const char* state = e.phase == ApplyEvent::Phase::started ? "..."
                          : e.phase == ApplyEvent::Phase::done  ? "done"
                          : e.phase == ApplyEvent::Phase::failed ? "FAILED"
                                                                 : "skipped";
      line = e.what + " " + state;
    }
    if (m_drawn) std::printf("\033[%zuA", m_lines.size());
    for (const auto& [host, line] : m_lines) std::printf("\033[2K  %-16s %s\n", host.c_str(), line.c_str());
    m_drawn = true;
    std::fflush(stdout);
  }

 private:
  std::vector<std::pair<std::string, std::string>> m_lines;
  bool m_drawn = false;
};

}  // namespace

int confirm_and_apply(const std::string& command, const Remote& remote, const Plan& plan, const Graph& desired,
                      const cxxopts::ParseResult& parsed, const GlobalOptions& global, bool purge) {
  std::fputs(plan_text(plan, global.color).c_str(), stdout);
  if (!plan.complete()) {
    std::fprintf(stderr, "%s: some hosts could not be reached (see above); nothing was changed\n", command.c_str());
    return 1;
  }
  if (!plan.has_changes()) return 0;
  if (!confirmed(command, parsed)) return 1;
  ApplyOptions options;
  options.stack = remote.compiled.stack.name.value;
  options.holder = lock_holder();
  options.schedule.parallelism = remote.parallelism;
  options.schedule.keep_going = parsed.count("keep-going") > 0;
  options.purge = purge;
  options.secrets = remote.secrets;
  options.secret_values = remote.secret_values;
  auto progress = std::make_shared<TtyProgress>(plan);
  if (isatty(STDOUT_FILENO))
    options.on_event = [progress](const ApplyEvent& e) { progress->on(e); };
  else
    options.on_event = print_event;
  const auto start = std::chrono::steady_clock::now();
  auto result = apply_plan(plan, desired, remote.connector_map(), options);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto s = plan.summary();
  if (!result.ok()) {
    std::fprintf(stderr, "\n%s failed after %.1f s:\n", command.c_str(), secs);
    for (const auto& d : result.errors) std::fprintf(stderr, "  %s\n", d.to_string().c_str());
    std::fprintf(stderr, "Fix the cause and run %s again: it picks up where this run stopped.\n", command.c_str());
    return 1;
  }
  std::string verb = command.substr(command.find(' ') + 1);  // "apply" or "destroy"
  verb[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(verb[0])));
  std::printf("\n%s complete in %.1f s: %d added, %d changed, %d destroyed, %d reloaded/restarted.\n",
              verb.c_str(), secs, s.add, s.change, s.destroy, s.reload + s.restart);
  return 0;
}

}  // namespace foobar::cli
