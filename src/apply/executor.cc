#include "apply/executor.h"

#include <mutex>
#include <optional>
#include <unordered_map>

#include "apply/kill_point.h"
#include "facts/probe.h"
#include "plan/manifest.h"
#include "remote/library.h"
#include "util/thread_pool.h"

namespace foobar {

namespace {

// One unit of scheduled work: one changing action.
struct Work {
  const HostPlan* host = nullptr;
  const Action* action = nullptr;
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
    for (const auto& hp : m_plan.hosts)
      for (const auto& a : hp.actions)
        if (a.handler)
          for (const auto& source : a.notified_by) m_notifies[source].push_back(&a);
  }

  ApplyResult run() {
    build_steps();
    auto outcomes = run_steps(m_steps, [this](std::size_t i) { return run_step(i); }, m_options.schedule);
    for (std::size_t i = 0; i < m_work.size(); ++i) {
      const Work& w = m_work[i];
      if (m_changed.empty() || m_changed.back() != w.host) m_changed.push_back(w.host);
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
      std::optional<std::size_t> prev;
      for (const auto& a : hp.actions) {
        if (!a.changes()) continue;
        // A host runs its actions in plan order.
        prev = add_step({&hp, &a}, prev ? std::vector<std::size_t>{*prev} : std::vector<std::size_t>{});
        step_of.emplace(a.id, *prev);
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
    const std::string what = describe(*w.action);
    notify({w.host->host, what, ApplyEvent::Phase::started, ""});
    auto status = run_action(*w.host, *w.action);
    if (status.ok()) {
      notify({w.host->host, what, ApplyEvent::Phase::done, ""});
      kill_point(w.host->host, what);
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
  Status seed_replica(const HostPlan& hp, const Action& a, const Resource& r, const std::string& what) {
    auto seed = seed_replica_op(r, m_options.secrets);
    if (!seed) return seed.diagnostics();
    auto res = run_op_result(hp.host, recorded(a, r, std::move(*seed)), what,
                             {k_already_replica_status, k_seed_refused_status});
    if (!res) return res.diagnostics();
    if (res->exit_status == k_seed_refused_status)
      return Diagnostic::error(hp.host, "refusing to seed this replica from " +
                                            std::get<ReplicationState>(r.state).primary_host + ": " + trim(res->err));
    if (res->exit_status != k_already_replica_status) return ok_status();
    auto op = converge_op(r, m_options.secrets);
    if (!op) return op.diagnostics();
    return run_op(hp.host, recorded(a, r, std::move(*op)), what);
  }

  // The operation, preceded in the same remote step by the records that make a
  // crash right after it harmless: each handler it notifies goes into the journal
  // and a created resource into the manifest's log. A change the service's checker
  // refused changed nothing, so the journal lines it added are taken back.
  RemoteOp recorded(const Action& a, const Resource& r, RemoteOp op) const {
    std::string pre, undo;
    const std::string journal = journal_path(m_options.stack);
    int n = 0;
    if (auto it = m_notifies.find(a.id); it != m_notifies.end()) {
      for (const Action* h : it->second) {
        const std::string line = std::string(*h->handler == OnChange::restart ? "restart" : "reload") + "\t" +
                                 escape_field(h->name) + "\t" + escape_field(a.id);
        const std::string flag = "fb_new" + std::to_string(n++);
        pre += remote::call("fb_journal_add", {journal, line}) + " || exit 1\n" + flag + "=$FB_JOURNAL_NEW\n";
        undo += "  if [ \"$" + flag + "\" = 1 ]; then " + remote::call("fb_journal_remove", {journal, line}) + "; fi\n";
      }
    }
    if (a.type == ActionType::create)
      pre += remote::call("fb_manifest_record", {created_log_path(m_options.stack), manifest_log_line(r)}) +
             " || exit 1\n";
    if (pre.empty()) return op;
    op.command = remote::library() + pre + "(\n" + op.command + "\n)\nfb_st=$?\n" +
                 (undo.empty() ? "" : "if [ $fb_st = " + std::to_string(k_validation_failed_status) + " ]; then\n" +
                                          undo + "fi\n") +
                 "exit $fb_st\n";
    return op;
  }

  // The handler, and in the same remote step its journal lines gone.
  Status run_handler(const std::string& host, const Action& a, OnChange action) {
    RemoteOp op = service_op(a.name, action);
    op.command = remote::library() + "(\n" + op.command + "\n) || exit $?\n" +
                 remote::call("fb_journal_done", {journal_path(m_options.stack), a.name}) + "\n";
    return run_op(host, op, describe(a));
  }

  Status run_action(const HostPlan& hp, const Action& a) {
    switch (a.type) {
      case ActionType::destroy:
        return run_op(hp.host, remove_op(a.kind, a.name, m_options.purge), describe(a));
      case ActionType::reload:
      case ActionType::restart:
        return run_handler(hp.host, a, a.type == ActionType::reload ? OnChange::reload : OnChange::restart);
      case ActionType::create:
      case ActionType::update: {
        const Resource* r = m_graph.find(a.id);
        if (!r) return Diagnostic::error(hp.host, "resource '" + a.id + "' is in the plan but not in the stack");
        if (r->kind == ResourceKind::replication && a.type == ActionType::create)
          return seed_replica(hp, a, *r, describe(a));
        auto op = converge_op(*r, m_options.secrets, a.revoke_grants);
        if (!op) return op.diagnostics();
        auto st = run_op(hp.host, recorded(a, *r, std::move(*op)), describe(a));
        if (st.ok() && a.handler) st = run_handler(hp.host, a, *a.handler);
        return st;
      }
      case ActionType::noop:
        break;
    }
    return ok_status();
  }

  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  // Writes the manifest of each host that had changes (and drops its log), and
  // once all its actions succeeded, its journal: every handler ran. A host whose
  // destroy failed keeps its old manifest, so a re-run retries the removals.
  void finish_hosts() {
    ThreadPool pool(std::max<std::size_t>(1, std::min<std::size_t>(m_changed.size(), m_options.schedule.parallelism)));
    std::vector<std::future<void>> done;
    for (const HostPlan* hp : m_changed) done.push_back(pool.submit([this, hp] { finish_host(*hp); }));
    for (auto& f : done) f.get();
  }

  void finish_host(const HostPlan& hp) {
    bool destroy_failed = false, all_done = true;
    for (const auto& a : m_result.actions) {
      if (a.host != hp.host) continue;
      all_done = all_done && a.outcome == StepOutcome::succeeded;
      destroy_failed = destroy_failed || (a.type == ActionType::destroy && a.outcome != StepOutcome::succeeded);
    }
    auto resources = host_resources(m_graph, hp.host);
    const std::string path = manifest_path(m_options.stack), log = created_log_path(m_options.stack);
    std::string command, input;
    if (destroy_failed) {
      // keep the old manifest and its log
    } else if (resources.empty()) {
      command = remote::call("fb_manifest_remove", {path, log}) + "\n";
    } else {
      command = remote::call("fb_manifest_written", {path, log}) + "\n";
      input = manifest_to_json(build_manifest(m_options.stack, hp.host, resources));
    }
    if (all_done) command += remote::call("fb_journal_clear", {journal_path(m_options.stack)}) + "\n";
    if (command.empty()) return;
    auto r = run_on(hp.host, remote::library() + command, input);
    if (!r) record(hp.host, "manifest", r.error().message);
    else if (!r->ok()) record(hp.host, "manifest", transport::command_failed(hp.host, "writing the manifest", *r).message);
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
  std::vector<const HostPlan*> m_changed;  // hosts with actions, plan order
  std::map<std::string, std::vector<const Action*>> m_notifies;  // change id -> handlers it notifies
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
