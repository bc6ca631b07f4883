#include "cli/apply_run.h"

#include "apply/ssh_guard.h"
#include "compile/context.h"

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include <filesystem>

#include "apply/executor.h"
#include "apply/lock.h"
#include "cli/plan_output.h"
#include "cli/roll_policy.h"
#include "util/build_info.h"
#include "util/file.h"
#include "util/hash.h"

namespace foobar::cli {

void add_apply_options(cxxopts::Options& opts) {
  opts.add_options()("auto-approve", "do not ask for confirmation")(
      "keep-going", "after a failure, finish everything that does not depend on it");
}

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

PlanInputs plan_inputs(const Remote& remote, std::map<std::string, std::string> fingerprints) {
  namespace fs = std::filesystem;
  const auto& options = remote.compiled.options;
  PlanInputs in;
  in.version = util::version();
  in.stack_file = fs::absolute(remote.compiled.stack.file).lexically_normal().string();
  auto stack_text = read_file(remote.compiled.stack.file);
  in.stack_hash = sha256_hex(stack_text ? *stack_text : std::string());
  in.templates_dir = fs::absolute(options.templates_dir).lexically_normal().string();
  auto templates = tree_hash(options.templates_dir);
  in.templates_hash = templates ? *templates : "unreadable";
  in.source_base = fs::absolute(options.source_base.empty() ? fs::current_path() : options.source_base)
                       .lexically_normal()
                       .string();
  in.desired_hash = desired_hash(remote.compiled.graph);
  in.fingerprints = std::move(fingerprints);
  return in;
}

namespace {

void print_event(const ApplyEvent& e) {
  switch (e.phase) {
    case ApplyEvent::Phase::started: break;
    case ApplyEvent::Phase::done:
      if (e.detail.empty()) std::printf("%s: %s: done\n", e.host.c_str(), e.what.c_str());
      else std::printf("%s: %s: %s\n", e.host.c_str(), e.what.c_str(), e.detail.c_str());
      break;
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

namespace {

// Locks, probes again and compares. Nothing is left locked when it returns false.
bool lock_and_recheck(const std::string& command, const Remote& remote, const SavedPlan& basis,
                      const Graph& desired, const LockHolder& me, std::vector<std::string>& locked) {
  const auto here = ThisMachine::current();
  const std::string& stack = remote.compiled.stack.name.value;
  auto connectors = remote.connector_map();
  auto outcome = lock_hosts(remote.hosts, connectors, stack, me, here, remote.parallelism);
  for (const auto& w : outcome.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  if (!outcome.ok()) {
    std::fprintf(stderr, "%s: could not lock every host, so nothing was changed:\n", command.c_str());
    for (const auto& d : outcome.errors) std::fprintf(stderr, "  %s\n", d.to_string().c_str());
    return false;
  }
  locked = outcome.locked;
  std::map<std::string, std::string> fingerprints;
  Plan replan = remote.make_plan(desired, &fingerprints);
  const PlanInputs now = plan_inputs(remote, fingerprints);
  auto stale = stale_reasons(basis, now, replan);
  if (stale.empty()) return true;
  std::fprintf(stderr, "%s: refusing: the plan no longer matches, so nothing was changed:\n", command.c_str());
  for (const auto& why : stale) std::fprintf(stderr, "  %s\n", why.c_str());
  std::fprintf(stderr, "Review a new plan and apply that.\n");
  auto released = release_hosts(locked, connectors, stack, me, remote.parallelism);
  for (const auto& d : released) std::fprintf(stderr, "  %s\n", d.to_string().c_str());
  locked.clear();
  return false;
}

// Nothing to change, but locks are held (the plan warned): those of dead runs are
// taken over and released, so a run killed after its last change leaves no lock
// behind once the next apply found nothing to do. Others are left alone.
void clear_dead_locks(const Remote& remote, const Plan& plan, const LockHolder& me) {
  std::vector<std::string> held;
  for (const auto& hp : plan.hosts)
    if (hp.lock.held) held.push_back(hp.host);
  if (held.empty()) return;
  const std::string& stack = remote.compiled.stack.name.value;
  auto connectors = remote.connector_map();
  for (const auto& host : held) {
    auto outcome = lock_hosts({host}, connectors, stack, me, ThisMachine::current(), 1);
    for (const auto& w : outcome.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    for (const auto& d : outcome.errors) std::fprintf(stderr, "warning: %s: %s\n", d.where.c_str(), d.message.c_str());
    for (const auto& d : release_hosts(outcome.locked, connectors, stack, me, 1))
      std::fprintf(stderr, "%s\n", d.to_string().c_str());
  }
}

// Turning password logins off must not lock foobarctl out (apply/ssh_guard.h).
bool ssh_access_kept(const std::string& command, const Remote& remote, const Plan& plan) {
  SshGuard guard{compile::k_sshd_dropin, {}};
  for (const auto& h : remote.compiled.stack.hosts) guard.users[h.name.value] = h.ssh.user.value;
  auto refused = check_ssh_access(plan, guard, remote.connector_map());
  if (refused.empty()) return true;
  std::fprintf(stderr, "%s: refusing, so nothing was changed:\n", command.c_str());
  for (const auto& d : refused) std::fprintf(stderr, "  %s\n", d.to_string().c_str());
  return false;
}

// How the plan is applied: the stack's secrets, the parallelism, the roll, and the
// progress shown (a live table on a terminal, one line per event otherwise).
ApplyOptions apply_options(const Remote& remote, const Plan& plan, const cxxopts::ParseResult& parsed, bool purge,
                           RollPolicy roll) {
  ApplyOptions options;
  options.stack = remote.compiled.stack.name.value;
  options.schedule.parallelism = remote.parallelism;
  options.schedule.keep_going = parsed.count("keep-going") > 0;
  options.purge = purge;
  options.secrets = remote.secrets;
  options.secret_values = remote.secret_values;
  options.roll = std::move(roll);
  auto progress = std::make_shared<TtyProgress>(plan);
  if (isatty(STDOUT_FILENO))
    options.on_event = [progress](const ApplyEvent& e) { progress->on(e); };
  else
    options.on_event = print_event;
  return options;
}

}  // namespace

int confirm_and_apply(const std::string& command, const Remote& remote, const SavedPlan& basis, const Graph& desired,
                      const cxxopts::ParseResult& parsed, const GlobalOptions& global, bool purge, bool saved) {
  const Plan& plan = basis.plan;
  RollPolicy roll;
  roll.enabled = false;
  if (!purge && command != "foobarctl destroy") {
    auto p = roll_policy(remote.compiled.stack, parsed);
    if (!p) return 1;
    roll = std::move(*p);
  }
  std::fputs((plan_text(plan, global.color) + roll_text(plan_roll(plan, roll), roll, write_interruptions(plan, roll))).c_str(), stdout);
  if (!plan.complete()) {
    std::fprintf(stderr, "%s: some hosts could not be reached (see above); nothing was changed\n", command.c_str());
    return 1;
  }
  if (plan.refused() && command == "foobarctl apply") {
    std::fprintf(stderr, "%s: refused (see the error above); nothing was changed\n", command.c_str());
    return 1;
  }
  const LockHolder me = current_holder(ThisMachine::current());
  if (!plan.has_changes()) {
    clear_dead_locks(remote, plan, me);
    return 0;
  }
  if (!saved && !confirmed(command, parsed)) return 1;
  std::vector<std::string> locked;
  if (!lock_and_recheck(command, remote, basis, desired, me, locked)) return 1;
  if (!ssh_access_kept(command, remote, plan)) {
    for (const auto& d : release_hosts(locked, remote.connector_map(), remote.compiled.stack.name.value, me,
                                       remote.parallelism))
      std::fprintf(stderr, "  %s\n", d.to_string().c_str());
    return 1;
  }
  ApplyOptions options = apply_options(remote, plan, parsed, purge, std::move(roll));
  const auto start = std::chrono::steady_clock::now();
  auto result = apply_plan(plan, desired, remote.connector_map(), options);
  auto released = release_hosts(locked, remote.connector_map(), options.stack, me, remote.parallelism);
  result.errors.insert(result.errors.end(), released.begin(), released.end());
  for (const auto& w : result.warnings) std::fprintf(stderr, "%s\n", w.to_string().c_str());
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
  std::printf("\n%s complete in %.1f s: %d created, %d updated, %d destroyed, %d reloaded/restarted.\n",
              verb.c_str(), secs, s.create, s.update, s.destroy, s.reload + s.restart);
  return 0;
}

}  // namespace foobar::cli
