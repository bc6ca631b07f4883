#include "apply/executor.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "facts/probe.h"
#include "plan/manifest.h"
#include "apply/pipeline.h"
#include "remote/library.h"
#include "util/thread_pool.h"

namespace foobar {

namespace {

// One unit of scheduled work: a host's lock, or a group of changing actions the host
// runs back to back in one remote script (none of them, but the first, waits for
// another host).
struct Work {
  const HostPlan* host = nullptr;
  std::vector<const Action*> actions;  // empty: the lock step
};

// What became of one action of a group.
struct ActionResult {
  StepOutcome outcome = StepOutcome::not_run;
  std::string message;
};

// The exit status of act_lock_take (src/remote/state.sh) when another run holds the lock.
constexpr int k_lock_held_status = 75;

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
      if (w.actions.empty()) {
        if (outcomes[i] == StepOutcome::succeeded) m_locked.push_back(w.host);
        continue;
      }
      for (const Action* a : w.actions) {
        ActionResult res{outcomes[i], ""};
        if (outcomes[i] == StepOutcome::succeeded || outcomes[i] == StepOutcome::failed) res = m_action_results[a];
        m_result.actions.push_back({w.host->host, a->id, a->type, res.outcome, res.message});
        if (res.outcome == StepOutcome::skipped || res.outcome == StepOutcome::not_run)
          notify({w.host->host, describe(*a), ApplyEvent::Phase::skipped, ""});
      }
    }
    finish_hosts();
    return std::move(m_result);
  }

 private:
  // A replica's first link is seeded from its primary's output: never pipelined.
  bool is_seed(const Action& a) const {
    return a.kind == ResourceKind::replication && a.type == ActionType::create;
  }

  // The changing actions of other hosts this one waits for.
  std::vector<std::string> cross_host_deps(const HostPlan& hp, const Action& a,
                                           const std::unordered_map<std::string, const HostPlan*>& changing) const {
    std::vector<std::string> out;
    const Resource* r = m_graph.find(a.id);
    if (!r) return out;
    for (const auto& dep : r->deps) {
      auto it = changing.find(dep);
      if (it != changing.end() && it->second != &hp) out.push_back(dep);
    }
    return out;
  }

  void build_steps() {
    std::unordered_map<std::string, const HostPlan*> changing;
    for (const auto& hp : m_plan.hosts)
      if (hp.reachable)
        for (const auto& a : hp.actions)
          if (a.changes()) changing.emplace(a.id, &hp);
    std::unordered_map<std::string, std::size_t> step_of;
    std::vector<std::vector<std::string>> waits;  // per step: the other hosts' action ids
    for (const auto& hp : m_plan.hosts) {
      if (!hp.reachable) continue;
      bool changes = false;
      for (const auto& a : hp.actions) changes |= a.changes();
      if (!changes) continue;
      std::size_t prev = add_step({&hp, {}}, {});
      waits.emplace_back();
      bool open = false;  // the last step is a group more actions may join
      for (const auto& a : hp.actions) {
        if (!a.changes()) continue;
        auto cross = cross_host_deps(hp, a, changing);
        if (!open || !cross.empty() || is_seed(a)) {
          prev = add_step({&hp, {}}, {prev});  // a host runs its actions in plan order
          waits.push_back(cross);
        }
        m_work[prev].actions.push_back(&a);
        open = !is_seed(a);
        step_of.emplace(a.id, prev);
      }
    }
    // Cross-host dependencies: wait for the other host's step with that change.
    for (std::size_t i = 0; i < m_steps.size(); ++i)
      for (const auto& dep : waits[i]) m_steps[i].deps.push_back(step_of.at(dep));
  }

  std::size_t add_step(Work w, std::vector<std::size_t> deps) {
    m_steps.push_back({w.host->host, std::move(deps)});
    m_work.push_back(std::move(w));
    return m_steps.size() - 1;
  }

  bool run_step(std::size_t i) {
    const Work& w = m_work[i];
    if (!w.actions.empty()) return run_group(*w.host, w.actions);
    notify({w.host->host, "lock", ApplyEvent::Phase::started, ""});
    auto status = take_lock(w.host->host);
    if (status.ok()) {
      notify({w.host->host, "lock", ApplyEvent::Phase::done, ""});
      return true;
    }
    fail_work(w.host->host, "lock", status.error().message);
    return false;
  }

  void fail_work(const std::string& host, const std::string& what, const std::string& raw) {
    std::string message = mask_secrets(raw, m_options.secret_values);
    {
      std::lock_guard lock(m_mutex);
      m_result.errors.push_back(Diagnostic::error(host, what + ": " + message));
    }
    notify({host, what, ApplyEvent::Phase::failed, message});
  }

  void settle(const HostPlan& hp, const Action* a, StepOutcome outcome, const std::string& message = "") {
    {
      std::lock_guard lock(m_mutex);
      m_action_results[a] = {outcome, mask_secrets(message, m_options.secret_values)};
    }
    if (outcome == StepOutcome::succeeded) notify({hp.host, describe(*a), ApplyEvent::Phase::done, ""});
    else if (outcome == StepOutcome::failed) fail_work(hp.host, describe(*a), message);
  }

  // The operations of one action: its change, then its handler if it has one.
  Result<std::vector<RemoteOp>> ops_of(const HostPlan& hp, const Action& a) {
    switch (a.type) {
      case ActionType::destroy:
        return std::vector<RemoteOp>{remove_op(a.kind, a.name, m_options.purge)};
      case ActionType::reload:
      case ActionType::restart:
        return std::vector<RemoteOp>{
            service_op(a.name, a.type == ActionType::reload ? OnChange::reload : OnChange::restart)};
      case ActionType::create:
      case ActionType::update: {
        const Resource* r = m_graph.find(a.id);
        if (!r) return Diagnostic::error(hp.host, "resource '" + a.id + "' is in the plan but not in the stack");
        auto op = converge_op(*r, m_options.secrets, a.revoke_grants);
        if (!op) return op.diagnostics();
        std::vector<RemoteOp> ops{std::move(*op)};
        if (a.handler) ops.push_back(service_op(a.name, *a.handler));
        return ops;
      }
      case ActionType::noop:
        break;
    }
    return std::vector<RemoteOp>{};
  }

  // Runs a group of actions in one remote script; each action's outcome is settled.
  bool run_group(const HostPlan& hp, const std::vector<const Action*>& actions) {
    for (const Action* a : actions) notify({hp.host, describe(*a), ApplyEvent::Phase::started, ""});
    if (actions.size() == 1 && is_seed(*actions[0])) {
      const Resource* r = m_graph.find(actions[0]->id);
      Status st = r ? seed_replica(hp, *r, describe(*actions[0]))
                    : Status(Diagnostic::error(hp.host, "resource '" + actions[0]->id + "' is not in the stack"));
      settle(hp, actions[0], st.ok() ? StepOutcome::succeeded : StepOutcome::failed,
             st.ok() ? "" : st.error().message);
      return st.ok();
    }
    std::vector<RemoteOp> ops;
    std::vector<std::size_t> owner;  // ops[i] belongs to actions[owner[i]]
    std::optional<std::pair<std::size_t, std::string>> unbuilt;  // an action whose ops failed to build
    for (std::size_t k = 0; k < actions.size() && !unbuilt; ++k) {
      auto built = ops_of(hp, *actions[k]);
      if (!built) {
        unbuilt.emplace(k, built.error().message);
        break;
      }
      for (auto& op : *built) {
        ops.push_back(std::move(op));
        owner.push_back(k);
      }
    }
    std::vector<std::optional<ActionResult>> results(actions.size());
    std::string transport_error;
    if (!ops.empty()) {
      auto steps = run_pipeline(hp.host, ops);
      if (!steps) transport_error = steps.error().message;
      else
        for (const auto& s : *steps) {
          if (s.op >= ops.size()) continue;
          auto& res = results[owner[s.op]];
          if (s.status != 0)
            res = ActionResult{StepOutcome::failed, op_failure(hp.host, describe(*actions[owner[s.op]]), s)};
          else if (!res)
            res = ActionResult{StepOutcome::succeeded, ""};
        }
      // An action succeeded only when its last operation (its handler) reported too.
      for (std::size_t k = 0; k < actions.size(); ++k) {
        if (!results[k] || results[k]->outcome != StepOutcome::succeeded) continue;
        std::size_t last = 0;
        for (std::size_t i = 0; i < ops.size(); ++i)
          if (owner[i] == k) last = i;
        if (!steps || std::none_of(steps->begin(), steps->end(), [&](const StepResult& s) { return s.op == last; }))
          results[k].reset();
      }
    }
    bool ok = true;
    for (std::size_t k = 0; k < actions.size(); ++k) {
      bool has_ops = std::find(owner.begin(), owner.end(), k) != owner.end();
      if (!ok) {
        settle(hp, actions[k], StepOutcome::not_run);
      } else if (unbuilt && unbuilt->first == k) {
        settle(hp, actions[k], StepOutcome::failed, unbuilt->second);
        ok = false;
      } else if (!has_ops) {
        settle(hp, actions[k], StepOutcome::succeeded);
      } else if (results[k]) {
        settle(hp, actions[k], results[k]->outcome, results[k]->message);
        ok = results[k]->outcome == StepOutcome::succeeded;
      } else {
        settle(hp, actions[k], StepOutcome::failed,
               transport_error.empty() ? "the host reported no outcome (was the connection cut?)" : transport_error);
        ok = false;
      }
    }
    return ok;
  }

  Result<std::vector<StepResult>> run_pipeline(const std::string& host, const std::vector<RemoteOp>& ops) {
    auto inv = pipeline_invocation(ops);
    auto r = run_on(host, inv.command, inv.input);
    if (!r) return r.diagnostics();
    if (!r->ok()) return transport::command_failed(host, "running the apply script", *r);
    return parse_step_records(host, r->out);
  }

  std::string op_failure(const std::string& host, const std::string& what, const StepResult& s) {
    if (s.status == k_validation_failed_status)
      return "the service's checker rejected the new config (the old one is kept, nothing was reloaded): " +
             s.output;
    return transport::command_failed(host, what, {s.status, "", s.output}).message;
  }

  // A connector serves one thread at a time (transport/connector.h). A host's own
  // steps run one after another, but another host's step may read from it (an
  // operation's input_from), so every use of a connector holds that host's mutex.
  // No thread ever holds two of them, so they cannot deadlock.
  Result<transport::CommandResult> run_on(const std::string& host, const std::string& command,
                                          std::string_view input = {}) {
    std::lock_guard lock(m_host_mutex.at(host));
    return m_connectors.at(host)->run(command, input);
  }

  // The operation's stdin: the output of its input_from command (run on that host
  // first), then its own input.
  Result<std::string> op_input(const std::string& host, const RemoteOp& op, const std::string& what) {
    if (!op.input_from) return op.input;
    const StdinFrom& from = *op.input_from;
    if (!m_connectors.count(from.host))
      return Diagnostic::error(host, what + " reads from " + from.host + ", which this run does not reach; " +
                                         "include " + from.host + " in --target");
    auto from_call = remote::invoke({from.call.text()});
    auto r = run_on(from.host, from_call.command, from_call.input);
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
    auto inv = remote::invoke({op.call.text()}, *input);
    auto r = run_on(host, inv.command, inv.input);
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

  Status take_lock(const std::string& host) {
    const std::string lock = lock_path(m_options.stack);
    auto inv = remote::invoke({remote::call("act_lock_take", {k_state_dir, lock})}, m_options.holder + "\n");
    auto r = run_on(host, inv.command, inv.input);
    if (!r) return r.diagnostics();
    if (r->exit_status == k_lock_held_status)
      return Diagnostic::error(host, "another apply holds the lock " + lock + " (" + trim(r->out) +
                                         "); wait for it, or remove the lock if that run is dead");
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
      auto inv = remote::invoke({remote::call("act_manifest_remove", {path})});
      auto r = run_on(hp.host, inv.command, inv.input);
      if (!r) st = r.diagnostics();
    } else {
      const std::string manifest = manifest_to_json(build_manifest(m_options.stack, hp.host, resources));
      std::lock_guard lock(m_host_mutex.at(hp.host));
      st = transport::upload(*m_connectors.at(hp.host), path, manifest, 0644);
    }
    if (!st.ok()) record(hp.host, "manifest", st.error().message);
    auto unlock = remote::invoke({remote::call("act_lock_release", {lock_path(m_options.stack)})});
    auto r = run_on(hp.host, unlock.command, unlock.input);
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
  std::map<const Action*, ActionResult> m_action_results;
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
