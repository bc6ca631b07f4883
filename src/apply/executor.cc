#include "apply/executor.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "apply/kill_point.h"
#include "apply/pipeline.h"
#include "facts/probe.h"
#include "plan/manifest.h"
#include "remote/library.h"
#include "util/stopwatch.h"
#include "util/thread_pool.h"

namespace foobar {

namespace {

// One unit of scheduled work: a group of changing actions a host runs back to back in
// one remote script (none of them, but the first, waits for another host).
struct Work {
  const HostPlan* host = nullptr;
  std::vector<const Action*> actions;
  std::vector<GuardCall> before = {}, after = {};  // a rolled host's drains (first step) and gates (last step)
};

// Whether the steps' dependencies form a DAG (Kahn's algorithm).
bool acyclic(const std::vector<Step>& steps) {
  std::vector<std::size_t> waiting(steps.size());
  std::vector<std::vector<std::size_t>> users(steps.size());
  std::vector<std::size_t> ready;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    waiting[i] = steps[i].deps.size();
    for (std::size_t d : steps[i].deps) users[d].push_back(i);
    if (waiting[i] == 0) ready.push_back(i);
  }
  std::size_t seen = 0;
  while (!ready.empty()) {
    std::size_t i = ready.back();
    ready.pop_back();
    ++seen;
    for (std::size_t u : users[i])
      if (--waiting[u] == 0) ready.push_back(u);
  }
  return seen == steps.size();
}

// What became of one action of a group.
struct ActionResult {
  StepOutcome outcome = StepOutcome::not_run;
  std::string message;
};

std::string describe(const Action& a) {
  return std::string(to_string(a.type)) + " " + to_string(a.kind) + ":" + a.name;
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
    // The changes another host waits for end their group, so that host starts as soon
    // as they are done, not when the rest of the group is.
    std::unordered_set<std::string> awaited;
    for (const auto& hp : m_plan.hosts)
      if (hp.reachable)
        for (const auto& a : hp.actions)
          if (a.changes())
            for (auto& dep : cross_host_deps(hp, a, changing)) awaited.insert(std::move(dep));
    std::unordered_map<std::string, std::size_t> step_of;
    std::vector<std::vector<std::string>> waits;  // per step: the other hosts' action ids
    for (const auto& hp : m_plan.hosts) {
      if (!hp.reachable) continue;
      bool changes = false;
      for (const auto& a : hp.actions) changes |= a.changes();
      if (!changes) continue;
      std::optional<std::size_t> prev;
      bool open = false;  // the last step is a group more actions may join
      for (const auto& a : hp.actions) {
        if (!a.changes()) continue;
        auto cross = cross_host_deps(hp, a, changing);
        if (!open || !cross.empty() || is_seed(a)) {
          // A host runs its actions in plan order.
          prev = add_step({&hp, {}}, prev ? std::vector<std::size_t>{*prev} : std::vector<std::size_t>{});
          waits.push_back(cross);
        }
        m_work[*prev].actions.push_back(&a);
        open = !is_seed(a) && !awaited.count(a.id);
        step_of.emplace(a.id, *prev);
      }
    }
    // Cross-host dependencies: wait for the other host's step with that change.
    for (std::size_t i = 0; i < m_steps.size(); ++i)
      for (const auto& dep : waits[i]) m_steps[i].deps.push_back(step_of.at(dep));
    add_roll();
  }

  // A rolled host's first step starts with its drains and its last ends with its
  // gates; each batch waits for the last steps (the gates) of the batch before it,
  // and each tier's first batch for the last batch of the tier rolled before.
  void add_roll() {
    auto rolls = plan_roll(m_plan, m_options.roll);
    if (rolls.empty()) return;
    std::map<std::string, std::pair<std::size_t, std::size_t>> span;  // host -> first and last step
    for (std::size_t i = 0; i < m_steps.size(); ++i) {
      auto [it, fresh] = span.emplace(m_steps[i].host, std::make_pair(i, i));
      if (!fresh) it->second.second = i;
    }
    const auto steps = m_steps;
    std::vector<std::size_t> previous;
    for (const auto& roll : rolls) {
      // A tier's roll also waits for every change of the hosts of the tiers before it
      // that are not its own: a new web or app host is configured (and its gate
      // passed, if it rolls) before the HAProxy or nginx reload that sends it traffic.
      for (std::size_t last : earlier_tiers_lasts(roll.tier, span)) previous.push_back(last);
      for (const auto& batch : roll.batches) {
        std::vector<std::size_t> lasts;
        for (const auto& host : batch) {
          auto it = span.find(host);
          if (it == span.end()) continue;
          auto [first, last] = it->second;
          for (std::size_t p : previous) m_steps[first].deps.push_back(p);
          lasts.push_back(last);
          m_rolled[host] = roll.interrupting.at(host);
          if (roll.moves_ip.count(host)) m_moves.insert(host);
        }
        previous = std::move(lasts);
      }
      join_and_leave(roll, span);
    }
    if (!acyclic(m_steps)) {
      m_steps = steps;
      m_rolled.clear();
      m_gated.clear();
      m_moves.clear();
      Diagnostic d = Diagnostic::error(
          "apply", "the rolling batches would wait on each other through cross-host dependencies, so this apply "
                   "changes the hosts without batches, drains or gates");
      d.severity = Severity::warning;
      m_result.warnings.push_back(std::move(d));
      return;
    }
    for (const auto& [host, why] : m_rolled) {
      auto g = m_options.roll.guards.find(host);
      if (g == m_options.roll.guards.end()) continue;
      const HostGuard guard = effective_guard(g->second, m_moves.count(host) > 0);
      m_work[span.at(host).first].before = guard.drain;
      m_work[span.at(host).second].after = guard.gate;
    }
    // A joining host is not in rotation yet: nothing to drain, only its gates; so is
    // a reload around joining or leaving hosts that does not roll (a tier of one).
    for (const auto& host : m_gated)
      if (auto g = m_options.roll.guards.find(host); g != m_options.roll.guards.end() && !m_rolled.count(host))
        m_work[span.at(host).second].after = g->second.gate;
  }

  // The later tiers' reloads (HAProxy, nginx) wait for the tier's rolled and joining
  // hosts, so a new host serves (its gate passed) before traffic is sent to it, also
  // where that later tier has one host and does not roll; a leaving host changes only
  // after them, once no HAProxy or nginx sends it requests.
  void join_and_leave(const TierRoll& roll,
                      const std::map<std::string, std::pair<std::size_t, std::size_t>>& span) {
    std::vector<std::string> before;
    for (const auto& batch : roll.batches) before.insert(before.end(), batch.begin(), batch.end());
    for (const auto& [host, why] : roll.joining)
      if (span.count(host)) {
        before.push_back(host);
        m_gated.push_back(host);
      }
    for (const auto& r : roll.reloads) {
      auto rs = span.find(r);
      if (rs == span.end()) continue;
      if (!roll.joining.empty() || !roll.leaving.empty()) m_gated.push_back(r);
      for (const auto& h : before)
        if (auto hs = span.find(h); hs != span.end() && h != r) m_steps[rs->second.first].deps.push_back(hs->second.second);
      for (const auto& [host, why] : roll.leaving)
        if (auto ls = span.find(host); ls != span.end() && host != r)
          m_steps[ls->second.first].deps.push_back(rs->second.second);
    }
  }

  std::size_t add_step(Work w, std::vector<std::size_t> deps) {
    m_steps.push_back({w.host->host, std::move(deps)});
    m_work.push_back(std::move(w));
    return m_steps.size() - 1;
  }

  // The last steps of the hosts that carry a tier the policy rolls before `tier`
  // and do not carry `tier` itself.
  std::vector<std::size_t> earlier_tiers_lasts(
      const std::string& tier, const std::map<std::string, std::pair<std::size_t, std::size_t>>& span) const {
    const auto& tiers = m_options.roll.tiers;
    auto self = std::find_if(tiers.begin(), tiers.end(), [&](const RollTier& t) { return t.tier == tier; });
    if (self == tiers.end()) return {};
    std::set<std::string> own(self->hosts.begin(), self->hosts.end()), earlier;
    for (auto t = tiers.begin(); t != self; ++t)
      for (const auto& h : t->hosts)
        if (!own.count(h)) earlier.insert(h);
    std::vector<std::size_t> out;
    for (const auto& h : earlier)
      if (auto it = span.find(h); it != span.end()) out.push_back(it->second.second);
    return out;
  }

  // A step's drains, its actions, then its gates, which run also after a failed
  // change: a config the checker refused left the old one serving, and the host
  // goes back into rotation if it passes.
  bool run_step(std::size_t i) {
    const Work& w = m_work[i];
    const HostPlan& hp = *w.host;
    bool ok = run_guards(hp.host, w.before);
    if (ok) ok = run_group(hp, w.actions);
    else
      for (const Action* a : w.actions) settle(hp, a, StepOutcome::not_run);
    if (!w.after.empty() && !run_guards(hp.host, w.after)) {
      ok = false;
      keep_pending(hp);
    }
    return ok;
  }

  // Runs drains or gates for `host` in order, up to the first that fails.
  bool run_guards(const std::string& host, const std::vector<GuardCall>& calls) {
    for (const GuardCall& g : calls) {
      notify({host, g.what, ApplyEvent::Phase::started, ""});
      if (!m_connectors.count(g.host)) {  // --target left it out: as without rolling there
        notify({host, g.what, ApplyEvent::Phase::done, "not run: " + g.host + " is not in this run (--target)"});
        continue;
      }
      auto inv = remote::invoke({g.call.text()});
      auto r = run_on(g.host, inv.command, inv.input);
      if (!r) {
        fail_work(host, g.what, r.error().message);
        return false;
      }
      std::string said = trim(r->out + r->err);
      if (!r->ok()) {
        fail_work(host, g.what, said.empty() ? "exit status " + std::to_string(r->exit_status) : said);
        return false;
      }
      notify({host, g.what, ApplyEvent::Phase::done, said});
    }
    return true;
  }

  // A host that failed its gate keeps the restarts and reloads that interrupted it
  // in its journal: the next plan shows them and the next apply rolls this host first
  // again, so re-applying an unfixed release stops there instead of reaching the
  // hosts that still serve.
  void keep_pending(const HostPlan& hp) {
    {
      std::lock_guard lock(m_mutex);
      m_gate_failed.insert(hp.host);
    }
    std::vector<std::string> calls;
    for (const auto& a : hp.actions) {
      if (!a.changes() || a.kind != ResourceKind::service) continue;
      auto it = m_rolled.find(hp.host);
      if (it == m_rolled.end()) continue;
      bool listed = false;
      for (const RollTier& t : m_options.roll.tiers) listed = listed || interrupts(a, t.services);
      if (!listed) continue;
      const bool restart = a.type == ActionType::restart || (a.handler && *a.handler == OnChange::restart);
      calls.push_back(remote::call("fb_journal_add", {journal_path(m_options.stack),
                                                      journal_line(restart ? OnChange::restart : OnChange::reload,
                                                                   a.name, a.id)}));
    }
    if (calls.empty()) return;
    auto inv = remote::invoke(calls);
    auto r = run_on(hp.host, inv.command, inv.input);
    if (!r || !r->ok()) record(hp.host, "journal", "could not keep the failed host's restart pending");
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
    if (outcome == StepOutcome::succeeded) {
      notify({hp.host, describe(*a), ApplyEvent::Phase::done, ""});
      kill_point(hp.host, describe(*a));
    } else if (outcome == StepOutcome::failed) fail_work(hp.host, describe(*a), message);
  }

  // The steps that make a crash right after `op` harmless, then `op`: each handler
  // the change notifies goes into the journal and a created resource into the
  // manifest's log, in the same remote script. A change the service's checker refused
  // changed nothing, so the journal lines it added are taken back (fb_undo_new).
  std::vector<PipelineStep> recorded(const Action& a, const Resource& r, RemoteOp op) const {
    std::vector<PipelineStep> steps;
    const std::string journal = journal_path(m_options.stack);
    if (auto it = m_notifies.find(a.id); it != m_notifies.end()) {
      for (const Action* h : it->second) {
        const std::string line = journal_line(*h->handler, h->name, a.id);
        steps.push_back({RemoteOp{RemoteCall{"fb_journal_step", {journal, line}}, ""},
                         {RemoteCall{"fb_undo_new", {journal, line}}}});
      }
    }
    if (a.type == ActionType::create)
      steps.push_back(
          {RemoteOp{RemoteCall{"fb_manifest_record", {created_log_path(m_options.stack), manifest_log_line(r)}}, ""}});
    const bool armed = !steps.empty() && !steps.front().then.empty();
    steps.push_back({std::move(op)});
    if (armed) steps.back().then.push_back(RemoteCall{"fb_undo_clear", {}});
    return steps;
  }

  // The handler, then its journal lines gone: every change that notified it is served.
  std::vector<PipelineStep> handler(const Action& a, OnChange action) const {
    return {{service_op(a.name, action)},
            {RemoteOp{RemoteCall{"fb_journal_done", {journal_path(m_options.stack), a.name}}, ""}}};
  }

  // The steps of one action: its change, then its handler if it has one.
  Result<std::vector<PipelineStep>> steps_of(const HostPlan& hp, const Action& a) {
    switch (a.type) {
      case ActionType::destroy:
        return std::vector<PipelineStep>{{remove_op(a.kind, a.name, m_options.purge)}};
      case ActionType::reload:
      case ActionType::restart:
        return handler(a, a.type == ActionType::reload ? OnChange::reload : OnChange::restart);
      case ActionType::create:
      case ActionType::update: {
        const Resource* r = m_graph.find(a.id);
        if (!r) return Diagnostic::error(hp.host, "resource '" + a.id + "' is in the plan but not in the stack");
        auto op = converge_op(*r, m_options.secrets, a.revoke_grants);
        if (!op) return op.diagnostics();
        auto steps = recorded(a, *r, std::move(*op));
        if (a.handler)
          for (auto& s : handler(a, *a.handler)) steps.push_back(std::move(s));
        return steps;
      }
      case ActionType::noop:
        break;
    }
    return std::vector<PipelineStep>{};
  }

  // Runs a group of actions, in as few remote scripts as the kill point allows (one
  // without it); each action's outcome is settled.
  bool run_group(const HostPlan& hp, const std::vector<const Action*>& actions) {
    std::size_t k = 0;
    bool ok = true;
    while (ok && k < actions.size()) {
      std::vector<std::string> whats;
      for (std::size_t i = k; i < actions.size(); ++i) whats.push_back(describe(*actions[i]));
      const std::size_t n = steps_before_kill_point(hp.host, whats);
      ok = run_chunk(hp, {actions.begin() + static_cast<std::ptrdiff_t>(k),
                          actions.begin() + static_cast<std::ptrdiff_t>(k + n)});
      k += n;
    }
    for (; k < actions.size(); ++k) settle(hp, actions[k], StepOutcome::not_run);
    return ok;
  }

  // A chunk's remote operations, each owned by one of its actions.
  struct ChunkOps {
    std::vector<PipelineStep> ops;
    std::vector<std::size_t> owner;  // ops[i] belongs to actions[owner[i]]
    std::optional<std::pair<std::size_t, std::string>> unbuilt;  // an action whose ops failed to build
  };
  // What the host reported of a chunk's actions: an outcome each (none: no report).
  struct ChunkReport {
    std::vector<std::optional<ActionResult>> results;
    std::vector<long> ms;
    std::string transport_error;
  };

  ChunkOps build_chunk(const HostPlan& hp, const std::vector<const Action*>& actions) {
    ChunkOps c;
    for (std::size_t k = 0; k < actions.size(); ++k) {
      auto built = steps_of(hp, *actions[k]);
      if (!built) {
        c.unbuilt.emplace(k, built.error().message);
        break;
      }
      for (auto& op : *built) {
        c.ops.push_back(std::move(op));
        c.owner.push_back(k);
      }
    }
    return c;
  }

  ChunkReport run_chunk_ops(const HostPlan& hp, const std::vector<const Action*>& actions, const ChunkOps& c) {
    ChunkReport r{std::vector<std::optional<ActionResult>>(actions.size()), std::vector<long>(actions.size(), 0), ""};
    if (c.ops.empty()) return r;
    auto steps = run_pipeline(hp.host, c.ops);
    if (!steps) r.transport_error = steps.error().message;
    else
      for (const auto& s : *steps) {
        if (s.op >= c.ops.size()) continue;
        r.ms[c.owner[s.op]] += s.ms;
        auto& res = r.results[c.owner[s.op]];
        if (s.status != 0)
          res = ActionResult{StepOutcome::failed, op_failure(hp.host, describe(*actions[c.owner[s.op]]), s)};
        else if (!res)
          res = ActionResult{StepOutcome::succeeded, ""};
      }
    // An action succeeded only when its last operation (its handler) reported too.
    for (std::size_t k = 0; k < actions.size(); ++k) {
      if (!r.results[k] || r.results[k]->outcome != StepOutcome::succeeded) continue;
      std::size_t last = 0;
      for (std::size_t i = 0; i < c.ops.size(); ++i)
        if (c.owner[i] == k) last = i;
      if (!steps || std::none_of(steps->begin(), steps->end(), [&](const StepResult& s) { return s.op == last; }))
        r.results[k].reset();
    }
    return r;
  }

  // Runs actions in one remote script; each action's outcome is settled.
  bool run_chunk(const HostPlan& hp, const std::vector<const Action*>& actions) {
    for (const Action* a : actions) notify({hp.host, describe(*a), ApplyEvent::Phase::started, ""});
    if (actions.size() == 1 && is_seed(*actions[0])) {
      const Resource* r = m_graph.find(actions[0]->id);
      Status st = r ? seed_replica(hp, *actions[0], *r, describe(*actions[0]))
                    : Status(Diagnostic::error(hp.host, "resource '" + actions[0]->id + "' is not in the stack"));
      settle(hp, actions[0], st.ok() ? StepOutcome::succeeded : StepOutcome::failed,
             st.ok() ? "" : st.error().message);
      return st.ok();
    }
    const ChunkOps c = build_chunk(hp, actions);
    const ChunkReport r = run_chunk_ops(hp, actions, c);
    bool ok = true;
    for (std::size_t k = 0; k < actions.size(); ++k) {
      bool has_ops = std::find(c.owner.begin(), c.owner.end(), k) != c.owner.end();
      if (!ok) {
        settle(hp, actions[k], StepOutcome::not_run);
      } else if (c.unbuilt && c.unbuilt->first == k) {
        settle(hp, actions[k], StepOutcome::failed, c.unbuilt->second);
        ok = false;
      } else if (!has_ops) {
        settle(hp, actions[k], StepOutcome::succeeded);
      } else if (r.results[k]) {
        spdlog::debug("{}: {}: {} in {} ms", hp.host, describe(*actions[k]),
                      r.results[k]->outcome == StepOutcome::succeeded ? "done" : "failed", r.ms[k]);
        settle(hp, actions[k], r.results[k]->outcome, r.results[k]->message);
        ok = r.results[k]->outcome == StepOutcome::succeeded;
      } else {
        settle(hp, actions[k], StepOutcome::failed,
               r.transport_error.empty() ? "the host reported no outcome (was the connection cut?)" : r.transport_error);
        ok = false;
      }
    }
    return ok;
  }

  Result<std::vector<StepResult>> run_pipeline(const std::string& host, const std::vector<PipelineStep>& ops) {
    auto inv = pipeline_invocation(ops);
    if (spdlog::should_log(spdlog::level::trace))
      if (auto calls = remote::invoked(inv.command, inv.input))
        spdlog::trace("{}: apply script:\n{}", host, mask_secrets(calls->calls, m_options.secret_values));
    const Stopwatch clock;
    auto r = run_on(host, inv.command, inv.input);
    spdlog::debug("{}: apply script of {} steps: {} in {} ms", host, ops.size(),
                  !r ? "not run" : r->ok() ? "ran" : "failed", clock.ms());
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
    auto from_call = remote::invoke({from.call.text()});
    // A dump of the primary's databases: as big as they are, by design held in memory.
    auto r = run_on(from.host, from_call.command, from_call.input, transport::k_no_output_cap);
    if (!r) return r.diagnostics();
    if (!r->ok()) return transport::command_failed(from.host, "reading the input of " + host + ": " + what, *r);
    return std::move(r->out) + op.input;
  }

  // Runs the operation, after the steps that record it. A status in `expected` comes
  // back as a result for the caller to handle; any other failure is an error.
  Result<transport::CommandResult> run_op_result(const std::string& host, std::vector<PipelineStep> steps,
                                                 const std::string& what, std::initializer_list<int> expected = {}) {
    RemoteOp& op = steps.back().op;
    auto input = op_input(host, op, what);
    if (!input) return input.diagnostics();
    op.input = std::move(*input);
    op.input_from.reset();
    auto done = run_pipeline(host, steps);
    if (!done) return done.diagnostics();
    if (done->empty()) return Diagnostic::error(host, what + ": the host reported no outcome");
    const StepResult& last = done->back();
    if (last.status != 0 && last.op + 1 != steps.size())  // a record before the operation failed
      return Diagnostic::error(host, op_failure(host, what, last));
    transport::CommandResult r{last.status, "", last.output};
    for (int e : expected)
      if (r.exit_status == e) return r;
    if (r.exit_status != 0) return Diagnostic::error(host, op_failure(host, what, last));
    if (last.op + 1 != steps.size()) return Diagnostic::error(host, what + ": the host reported no outcome");
    return r;
  }

  Status run_op(const std::string& host, std::vector<PipelineStep> steps, const std::string& what) {
    auto r = run_op_result(host, std::move(steps), what);
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
      all_done = all_done && a.outcome == StepOutcome::succeeded && !m_gate_failed.count(hp.host);
      destroy_failed = destroy_failed || (a.type == ActionType::destroy && a.outcome != StepOutcome::succeeded);
    }
    auto resources = host_resources(m_graph, hp.host);
    const std::string path = manifest_path(m_options.stack), log = created_log_path(m_options.stack);
    std::vector<PipelineStep> steps;
    if (destroy_failed) {
      // keep the old manifest and its log
    } else if (resources.empty()) {
      steps.push_back({RemoteOp{RemoteCall{"fb_manifest_remove", {path, log}}, ""}});
    } else {
      steps.push_back({RemoteOp{RemoteCall{"fb_manifest_written", {path, log}},
                                manifest_to_json(build_manifest(m_options.stack, hp.host, resources))}});
    }
    if (all_done) steps.push_back({RemoteOp{RemoteCall{"fb_journal_clear", {journal_path(m_options.stack)}}, ""}});
    if (steps.empty()) return;
    // Each step must succeed: the script stops at the first that fails.
    auto done = run_pipeline(hp.host, steps);
    if (!done) return record(hp.host, "manifest", done.error().message);
    for (const auto& st : *done)
      if (st.status != 0)
        return record(hp.host, "manifest", op_failure(hp.host, "writing the manifest", st));
    if (done->size() != steps.size()) record(hp.host, "manifest", "the host reported no outcome");
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
  std::map<const Action*, ActionResult> m_action_results;
  std::map<std::string, std::vector<std::string>> m_rolled;  // rolled host -> what interrupts there
  std::vector<std::string> m_gated;  // joining hosts and the reloads around them: gated, not drained
  std::set<std::string> m_gate_failed, m_moves;  // m_moves: rolled hosts whose floating IP moves first
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
