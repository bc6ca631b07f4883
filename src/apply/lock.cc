#include "apply/lock.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>

#include "apply/kill_point.h"
#include "facts/probe.h"
#include "remote/library.h"
#include "util/hash.h"
#include "util/thread_pool.h"
#include "util/timestamp.h"

namespace foobar {

namespace {

constexpr int k_held_status = 75;

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// A value of the record is one line: a newline would forge another key.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

std::optional<unsigned long long> proc_start_time(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return std::nullopt;
  auto paren = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(paren + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i)
    if (!(rest >> field)) return std::nullopt;
  return std::strtoull(field.c_str(), nullptr, 10);
}

std::string lock_of(const std::string& stack) { return lock_path(stack); }

Result<transport::CommandResult> run_state(transport::Connector& c, const std::string& call,
                                           std::string_view input = {}) {
  auto inv = remote::invoke({call}, input);
  return c.run(inv.command, inv.input);
}

}  // namespace

std::string LockHolder::to_text() const {
  return "program=" + one_line(program) + "\nuser=" + one_line(user) + "\nmachine=" + one_line(machine) +
         "\nmachine_id=" + one_line(machine_id) + "\nboot_id=" + one_line(boot_id) + "\npid=" + std::to_string(pid) +
         "\nstart_time=" + std::to_string(start_time) + "\nsince=" + one_line(since) + "\n";
}

std::string LockHolder::describe() const {
  return user + "@" + machine + " pid " + std::to_string(pid) + " (" + program + ") since " + since;
}

std::optional<LockHolder> LockHolder::parse(std::string_view text) {
  LockHolder h;
  h.program.clear();
  bool have_pid = false, have_start = false;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    char* end = nullptr;
    if (key == "program") h.program = value;
    else if (key == "user") h.user = value;
    else if (key == "machine") h.machine = value;
    else if (key == "machine_id") h.machine_id = value;
    else if (key == "boot_id") h.boot_id = value;
    else if (key == "since") h.since = value;
    else if (key == "pid") {
      h.pid = std::strtol(value.c_str(), &end, 10);
      have_pid = !value.empty() && *end == '\0' && h.pid > 0;
    } else if (key == "start_time") {
      h.start_time = std::strtoull(value.c_str(), &end, 10);
      have_start = !value.empty() && *end == '\0';
    }
  }
  if (!have_pid || !have_start || h.machine_id.empty() || h.boot_id.empty()) return std::nullopt;
  return h;
}

ThisMachine ThisMachine::current() {
  ThisMachine m;
  m.machine_id = first_line("/etc/machine-id");
  if (m.machine_id.empty()) m.machine_id = first_line("/var/lib/dbus/machine-id");
  m.boot_id = first_line("/proc/sys/kernel/random/boot_id");
  m.start_time_of = proc_start_time;
  return m;
}

LockHolder current_holder(const ThisMachine& here) {
  LockHolder h;
  char host[256] = "?";
  gethostname(host, sizeof host - 1);
  const char* user = std::getenv("USER");
  h.user = user ? user : "root";
  h.machine = host;
  h.machine_id = here.machine_id;
  h.boot_id = here.boot_id;
  h.pid = getpid();
  if (here.start_time_of)
    if (auto t = here.start_time_of(h.pid)) h.start_time = *t;
  h.since = utc_timestamp();
  return h;
}

LockVerdict judge_lock(std::string_view holder_text, const ThisMachine& here) {
  auto h = LockHolder::parse(holder_text);
  if (!h) return {false, "held by '" + trim(std::string(holder_text)) + "', a holder this foobarctl cannot check"};
  const std::string who = "held by " + h->describe();
  if (here.machine_id.empty() || h->machine_id != here.machine_id)
    return {false, who + " on another machine (" + h->machine + ")"};
  if (h->program != "foobarctl") return {false, who + ", which is not foobarctl"};
  if (h->boot_id != here.boot_id) return {true, who + ": this machine was rebooted since"};
  auto started = here.start_time_of ? here.start_time_of(h->pid) : std::nullopt;
  if (!started) return {true, who + ": no process " + std::to_string(h->pid) + " runs on this machine"};
  if (*started != h->start_time) return {true, who + ": pid " + std::to_string(h->pid) + " is another process now"};
  return {false, who + ", still running on this machine"};
}

namespace {

// Takes one host's lock, taking it over from a dead holder. A warning or an error.
struct TakeResult {
  bool locked = false;
  std::string warning;
  std::string error;
};

TakeResult take_one(transport::Connector& c, const std::string& host, const std::string& stack,
                    const std::string& mine, const ThisMachine& here) {
  const std::string lock = lock_of(stack);
  auto r = run_state(c, remote::call("fb_lock_take", {lock}), mine);
  if (!r) return {false, "", r.error().message};
  if (r->exit_status != k_held_status) {
    if (!r->ok()) return {false, "", transport::command_failed(host, "taking the apply lock", *r).message};
    return {true, "", ""};
  }
  const std::string old = r->out;
  auto verdict = judge_lock(old, here);
  const std::string fix = "wait for it, or if that run is dead: foobarctl unlock " + stack + " --target " + host;
  if (!verdict.take_over) return {false, "", "the apply lock " + lock + " is " + verdict.why + "; " + fix};
  auto t = run_state(c, remote::call("fb_lock_takeover", {lock, sha256_hex(old)}), mine);
  if (!t) return {false, "", t.error().message};
  if (t->exit_status == k_held_status)
    return {false, "", "the apply lock " + lock + " changed hands while it was taken over; run apply again"};
  if (!t->ok()) return {false, "", transport::command_failed(host, "taking over the apply lock", *t).message};
  return {true, "took over the apply lock of a dead run: " + verdict.why, ""};
}

}  // namespace

LockOutcome lock_hosts(const std::vector<std::string>& hosts, const ConnectorMap& connectors,
                       const std::string& stack, const LockHolder& me, const ThisMachine& here,
                       std::size_t parallelism) {
  LockOutcome out;
  std::mutex mutex;
  const std::string mine = me.to_text();
  {
    ThreadPool pool(std::max<std::size_t>(1, std::min(parallelism, hosts.size())));
    std::vector<std::future<void>> done;
    for (const auto& host : hosts) {
      done.push_back(pool.submit([&, host] {
        auto r = take_one(*connectors.at(host), host, stack, mine, here);
        std::lock_guard lock(mutex);
        if (r.locked) out.locked.push_back(host);
        if (!r.warning.empty()) out.warnings.push_back(host + ": " + r.warning);
        if (!r.error.empty()) out.errors.push_back(Diagnostic::error(host, r.error));
      }));
    }
    for (auto& f : done) f.get();
  }
  if (out.ok()) {
    for (const auto& host : hosts) kill_point(host, "lock");
    return out;
  }
  // All or nothing.
  auto released = release_hosts(out.locked, connectors, stack, me, parallelism);
  out.errors.insert(out.errors.end(), released.begin(), released.end());
  out.locked.clear();
  return out;
}

Diagnostics release_hosts(const std::vector<std::string>& hosts, const ConnectorMap& connectors,
                          const std::string& stack, const LockHolder& me, std::size_t parallelism) {
  Diagnostics errors;
  std::mutex mutex;
  const std::string sha = sha256_hex(me.to_text());
  ThreadPool pool(std::max<std::size_t>(1, std::min(parallelism, hosts.size())));
  std::vector<std::future<void>> done;
  for (const auto& host : hosts) {
    done.push_back(pool.submit([&, host] {
      auto r = run_state(*connectors.at(host), remote::call("fb_lock_release", {lock_of(stack), sha}));
      std::string error = !r ? r.error().message
                          : !r->ok() ? transport::command_failed(host, "releasing the apply lock", *r).message
                                     : "";
      if (error.empty()) return;
      std::lock_guard lock(mutex);
      errors.push_back(Diagnostic::error(host, "unlock: " + error));
    }));
  }
  for (auto& f : done) f.get();
  return errors;
}

Result<std::optional<std::string>> read_lock(transport::Connector& c, const std::string& host,
                                             const std::string& stack) {
  auto r = run_state(c, remote::call("fb_lock_read", {lock_of(stack)}));
  if (!r) return r.diagnostics();
  if (r->exit_status == 1) return std::optional<std::string>{};
  if (!r->ok()) return transport::command_failed(host, "reading the apply lock", *r);
  return std::optional<std::string>{r->out};
}

Status remove_lock(transport::Connector& c, const std::string& host, const std::string& stack) {
  auto r = run_state(c, remote::call("fb_lock_remove", {lock_of(stack)}));
  if (!r) return r.diagnostics();
  if (!r->ok()) return transport::command_failed(host, "removing the apply lock", *r);
  return ok_status();
}

}  // namespace foobar
