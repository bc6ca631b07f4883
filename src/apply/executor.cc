#include "apply/executor.h"

#include <mutex>
#include <unordered_map>

#include "facts/probe.h"
#include "plan/manifest.h"
#include "util/shell.h"
#include "util/thread_pool.h"

namespace foobar {

namespace {

// One unit of scheduled work: a host's lock, or one changing action.
struct Work {
  const HostPlan* host = nullptr;
  const Action* action = nullptr;  // null: the lock step
};

std::string describe(const Action& a) {
  return std::string(action_name(a.type)) + " " + kind_name(a.kind) + ":" + a.name;
}

class Executor {
 public:
  Executor(const Plan& plan, const Graph& graph,
           const std::map<std::string, transport::Connector*>& connectors, const ApplyOptions& options)
      : m_plan(plan), m_graph(graph), m_connectors(connectors), m_options(options) {
    for (const auto& [host, c] : m_connectors) m_host_mutex[host];  // made in place, never moved
  }

  ApplyResult run() {
    build_steps();
    auto outcomes = run_steps(m_steps, [this](std::size_t i) { return run_step(i); }, m_options.schedule);
    for (std::size_t i = 0; i < m_work.size(); ++i) {
      const Work& w = m_work[i];
      if (!w.action) {
        if (outcomes[i] == StepOutcome::succeeded) m_locked.push_back(w.host);
        continue;
      }
      std::string message;
      if (auto it = m_failures.find(i); it != m_failures.end()) message = it->second;
      m_result.actions.push_back({w.host->host, w.action->id, w.action->type, outcomes[i], message});
      if (outcomes[i] == StepOutcome::skipped || outcomes[i] == StepOutcome::not_run)
        notify({w.host->host, describe(*w.action), ApplyEvent::Phase::skipped, ""});
    }
    finish_hosts();
    return std::move(m_result);
  }

 private:
  void build_steps() {
    std::unordered_map<std::string, std::size_t> step_of;
    for (const auto& hp : m_plan.hosts) {
      if (!hp.reachable) continue;
      bool changes = false;
      for (const auto& a : hp.actions) changes |= a.changes();
      if (!changes) continue;
      std::size_t prev = add_step({&hp, nullptr}, {});
      for (const auto& a : hp.actions) {
        if (!a.changes()) continue;
        prev = add_step({&hp, &a}, {prev});  // a host runs its actions in plan order
        step_of.emplace(a.id, prev);
      }
    }
    // Cross-host dependencies: wait for the other host's change to the resource.
    for (std::size_t i = 0; i < m_work.size(); ++i) {
      if (!m_work[i].action) continue;
      const Resource* r = m_graph.find(m_work[i].action->id);
      if (!r) continue;
      for (const auto& dep : r->deps) {
        auto it = step_of.find(dep);
        if (it != step_of.end() && m_steps[it->second].host != m_steps[i].host) m_steps[i].deps.push_back(it->second);
      }
    }
  }

  std::size_t add_step(Work w, std::vector<std::size_t> deps) {
    m_steps.push_back({w.host->host, std::move(deps)});
    m_work.push_back(w);
    return m_steps.size() - 1;
  }

  bool run_step(std::size_t i) {
    const Work& w = m_work[i];
    const std::string what = w.action ? describe(*w.action) : "lock";
    notify({w.host->host, what, ApplyEvent::Phase::started, ""});
    auto status = w.action ? run_action(*w.host, *w.action) : take_lock(w.host->host);
    if (status.ok()) {
      notify({w.host->host, what, ApplyEvent::Phase::done, ""});
      return true;
    }
    std::string message = mask_secrets(status.error().message, m_options.secret_values);
    {
      std::lock_guard lock(m_mutex);
      m_failures[i] = message;
      m_result.errors.push_back(Diagnostic::error(w.host->host, what + ": " + message));
    }
    notify({w.host->host, what, ApplyEvent::Phase::failed, message});
    return false;
  }

  // A connector serves one thread at a time (transport/connector.h). A host's own
  // steps run one after another, but another host's step may read from it (an
  // operation's input_from), so every use of a connector holds that host's mutex.
  // No thread ever holds two of them, so they cannot deadlock.
  Result<transport::CommandResult> run_on(const std::string& host, const std::string& command,
                                          std::string_view input = {},
                                          std::size_t output_cap = transport::k_output_cap) {
    std::lock_guard lock(m_host_mutex.at(host));
    return m_connectors.at(host)->run(command, input, transport::Timeout::zero(), output_cap);
  }

  // The operation's stdin: the output of its input_from command (run on that host
  // first), then its own input.
  Result<std::string> op_input(const std::string& host, const RemoteOp& op, const std::string& what) {
    if (!op.input_from) return op.input;
    const StdinFrom& from = *op.input_from;
    if (!m_connectors.count(from.host))
      return Diagnostic::error(host, what + " reads from " + from.host + ", which this run does not reach; " +
                                         "include " + from.host + " in --target");
    // A dump of the primary's databases: as big as they are, by design held in memory.
    auto r = run_on(from.host, from.command, {}, transport::k_no_output_cap);
    if (!r) return r.diagnostics();
    if (!r->ok()) return transport::command_failed(from.host, "reading the input of " + host + ": " + what, *r);
    return std::move(r->out) + op.input;
  }

  // Runs the operation. A status in `expected` comes back as a result for the caller
  // to handle; any other failure is an error.
  Result<transport::CommandResult> run_op_result(const std::string& host, const RemoteOp& op,
                                                 const std::string& what, std::initializer_list<int> expected = {}) {
    auto input = op_input(host, op, what);
    if (!input) return input.diagnostics();
    auto r = run_on(host, op.command, *input);
    if (!r) return r.diagnostics();
    for (int e : expected)
      if (r->exit_status == e) return r;
    if (r->exit_status == k_validation_failed_status)
      return Diagnostic::error(host, "the service's checker rejected the new config (the old one is kept, "
                                     "nothing was reloaded): " + r->err);
    if (!r->ok()) return transport::command_failed(host, what, *r);
    return r;
  }

  Status run_op(const std::string& host, const RemoteOp& op, const std::string& what) {
    auto r = run_op_result(host, op, what);
    if (!r) return r.diagnostics();
    return ok_status();
  }

  // A replica that is not configured yet is seeded from its primary. One that turns
  // out to be configured after all (the plan's facts were older) is reconfigured
  // only, never seeded over.
  Status seed_replica(const HostPlan& hp, const Resource& r, const std::string& what) {
    auto seed = seed_replica_op(r, m_options.secrets);
    if (!seed) return seed.diagnostics();
    auto res = run_op_result(hp.host, *seed, what, {k_already_replica_status, k_seed_refused_status});
    if (!res) return res.diagnostics();
    if (res->exit_status == k_seed_refused_status)
      return Diagnostic::error(hp.host, "refusing to seed this replica from " +
                                            std::get<ReplicationState>(r.state).primary_host + ": " + trim(res->err));
    if (res->exit_status != k_already_replica_status) return ok_status();
    auto op = converge_op(r, m_options.secrets);
    if (!op) return op.diagnostics();
    return run_op(hp.host, *op, what);
  }

  Status run_action(const HostPlan& hp, const Action& a) {
    switch (a.type) {
      case ActionType::destroy:
        return run_op(hp.host, remove_op(a.kind, a.name, m_options.purge), describe(a));
      case ActionType::reload:
      case ActionType::restart:
        return run_op(hp.host, service_op(a.name, a.type == ActionType::reload ? OnChange::reload : OnChange::restart),
                      describe(a));
      case ActionType::create:
      case ActionType::update: {
        const Resource* r = m_graph.find(a.id);
        if (!r) return Diagnostic::error(hp.host, "resource '" + a.id + "' is in the plan but not in the stack");
        if (r->kind == ResourceKind::replication && a.type == ActionType::create)
          return seed_replica(hp, *r, describe(a));
        auto op = converge_op(*r, m_options.secrets, a.revoke_grants);
        if (!op) return op.diagnostics();
        auto st = run_op(hp.host, *op, describe(a));
        if (st.ok() && a.handler) st = run_op(hp.host, service_op(a.name, *a.handler), describe(a));
        return st;
      }
      case ActionType::noop:
        break;
    }
    return ok_status();
  }

  Status take_lock(const std::string& host) {
    const std::string lock = shell_quote(lock_path(m_options.stack));
    auto r = run_on(host,
                    "mkdir -p " + shell_quote(k_state_dir) + " && if mkdir " + lock + " 2>/dev/null; then cat > " +
                        lock + "/holder; else cat " + lock + "/holder 2>/dev/null; exit 75; fi",
                    m_options.holder + "\n");
    if (!r) return r.diagnostics();
    if (r->exit_status == 75)
      return Diagnostic::error(host, "another apply holds the lock " + lock_path(m_options.stack) + " (" +
                                         trim(r->out) + "); wait for it, or remove the lock if that run is dead");
    if (!r->ok()) return transport::command_failed(host, "taking the apply lock", *r);
    return ok_status();
  }

  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  // Writes each locked host's manifest, then releases its lock. A host whose
  // destroy failed keeps its old manifest, so a re-run retries the removals.
  void finish_hosts() {
    ThreadPool pool(std::max<std::size_t>(1, std::min<std::size_t>(m_locked.size(), m_options.schedule.parallelism)));
    std::vector<std::future<void>> done;
    for (const HostPlan* hp : m_locked) done.push_back(pool.submit([this, hp] { finish_host(*hp); }));
    for (auto& f : done) f.get();
  }

  void finish_host(const HostPlan& hp) {
    bool destroy_failed = false;
    for (const auto& a : m_result.actions)
      if (a.host == hp.host && a.type == ActionType::destroy && a.outcome != StepOutcome::succeeded)
        destroy_failed = true;
    auto resources = host_resources(m_graph, hp.host);
    const std::string path = manifest_path(m_options.stack);
    Status st = ok_status();
    if (destroy_failed) {
      // keep the old manifest
    } else if (resources.empty()) {
      auto r = run_on(hp.host, "rm -f " + shell_quote(path));
      if (!r) st = r.diagnostics();
    } else {
      const std::string manifest = manifest_to_json(build_manifest(m_options.stack, hp.host, resources));
      std::lock_guard lock(m_host_mutex.at(hp.host));
      st = transport::upload(*m_connectors.at(hp.host), path, manifest, 0600);
    }
    if (!st.ok()) record(hp.host, "manifest", st.error().message);
    auto r = run_on(hp.host, "rm -rf " + shell_quote(lock_path(m_options.stack)));
    if (!r) record(hp.host, "unlock", r.error().message);
  }

  void record(const std::string& host, const std::string& what, const std::string& message) {
    std::lock_guard lock(m_mutex);
    m_result.errors.push_back(Diagnostic::error(host, what + ": " + message));
  }

  void notify(const ApplyEvent& e) {
    if (!m_options.on_event) return;
    std::lock_guard lock(m_event_mutex);
    m_options.on_event(e);
  }

  const Plan& m_plan;
  const Graph& m_graph;
  const std::map<std::string, transport::Connector*>& m_connectors;
  const ApplyOptions& m_options;
  std::vector<Step> m_steps;
  std::vector<Work> m_work;
  std::vector<const HostPlan*> m_locked;
  std::map<std::size_t, std::string> m_failures;
  ApplyResult m_result;
  std::mutex m_mutex, m_event_mutex;
  std::map<std::string, std::mutex> m_host_mutex;  // one per connector
};

}  // namespace

ApplyResult apply_plan(const Plan& plan, const Graph& graph,
                       const std::map<std::string, transport::Connector*>& connectors,
                       const ApplyOptions& options) {
  return Executor(plan, graph, connectors, options).run();
}

}  // namespace foobar
