// foobarctl db switchover|failover|fence STACK: changes the running primary of the
// stack's database tier (docs/day2.md). The decisions are cli/db_move.h's; this
// file asks the hosts, runs each step through the remote library (src/remote/db.sh)
// and reports the write pause it measured.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "cli/db_move.h"
#include "apply/lock.h"
#include "apply/operations.h"
#include "cli/apply_run.h"
#include "cli/commands.h"
#include "cli/remote.h"
#include "cli/roll_policy.h"
#include "compile/context.h"
#include "compile/secrets.h"
#include "compile/topology.h"
#include "facts/db_position.h"
#include "facts/probe.h"
#include "plan/manifest.h"
#include "remote/library.h"
#include "util/base64.h"
#include "util/thread_pool.h"

namespace foobar::cli {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void print(const Diagnostics& ds) {
  for (const auto& d : ds) std::fprintf(stderr, "%s\n", d.to_string().c_str());
}

// One call of the remote library on `host`; its stdout, or why it failed.
Result<std::string> run_call(const Remote& r, const std::string& host, const RemoteCall& call,
                             const std::string& what, std::string_view payload = {}) {
  auto inv = remote::invoke({call.text()}, payload);
  auto out = r.connectors.at(host)->run(inv.command, inv.input);
  if (!out) return out.diagnostics();
  if (!out->ok()) return transport::command_failed(host, what, *out);
  return out->out;
}

Result<DbPosition> position(const Remote& r, const std::string& host) {
  auto out = run_call(r, host, RemoteCall{"fact_db_position", {}}, "reading its database position");
  if (!out) return out.diagnostics();
  return parse_position_output(host, *out);
}

const Resource* find_resource(const Graph& g, const std::string& host, ResourceKind kind) {
  for (const auto& res : g.resources())
    if (res.host == host && res.kind == kind) return &res;
  return nullptr;
}

// Everything a move needs besides the stack: the connections, the stack as it runs
// afterwards, and its compiled graph.
struct MoveRun {
  const std::string command;
  Remote& remote;
  const cxxopts::ParseResult& parsed;
  const GlobalOptions& global;
  DbMove move;
  stack::Stack after;
  Graph graph;  // compiled from `after`

  const stack::Stack& before() const { return remote.compiled.stack; }

  bool step(const std::string& host, const RemoteCall& call, const std::string& what, std::string_view payload = {}) {
    auto out = run_call(remote, host, call, what, payload);
    if (!out) {
      std::fprintf(stderr, "%s: %s: %s\n", command.c_str(), host.c_str(), out.error().message.c_str());
      return false;
    }
    std::printf("%s: %s: done\n", host.c_str(), what.c_str());
    std::fflush(stdout);
    return true;
  }

  // The replication account the new source needs for `replica`, made on `on`
  // (a server whose writes reach the new primary, or the new primary itself).
  bool account_for(const std::string& replica, const std::string& on) {
    const auto& db = *after.tiers.db;
    if (!db.replication) return true;
    const compile::Topology t = compile::derive_topology(after);
    const std::string id = make_resource_id(move.new_primary, ResourceKind::db_user,
                                            db.replication->user.value + "@" + t.address_of(replica));
    const Resource* res = graph.find(id);
    if (!res) return true;
    auto op = converge_op(*res, remote.secrets);
    if (!op) return print(op.diagnostics()), false;
    return step(on, op->call, "replication account " + res->name, op->input);
  }

  // `host` replicates from the new primary; a former primary from right after what
  // it wrote itself.
  bool repoint(const std::string& host, const std::optional<GtidList>& own) {
    const Resource* link = find_resource(graph, host, ResourceKind::replication);
    if (!link) {
      std::fprintf(stderr, "%s: %s has no replication settings in the stack (db.replication)\n", command.c_str(),
                   host.c_str());
      return false;
    }
    auto sql = change_master_sql(*link, remote.secrets);
    if (!sql) return print(sql.diagnostics()), false;
    return step(host, RemoteCall{"act_db_repoint", {}}, "replicate from " + move.new_primary, repoint_sql(*sql, own));
  }

  // The running primary (and the former primaries still to fence) on every db and
  // app host that answers: a plan of either tier alone sees it.
  void record(const std::vector<std::string>& to_fence) {
    const std::string path = db_record_path(before().name.value);
    std::vector<std::string> hosts = before().tiers.db->host_names();
    for (const auto& h : move.app_hosts)
      if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
    for (const auto& h : hosts) {
      if (std::find(to_fence.begin(), to_fence.end(), h) != to_fence.end()) continue;
      auto out = run_call(remote, h, RemoteCall{"act_db_record", {path, db_record_text(move.new_primary, to_fence)}},
                          "recording the running primary");
      if (out) std::printf("%s: recorded the running primary %s in %s\n", h.c_str(), move.new_primary.c_str(), path.c_str());
      else std::fprintf(stderr, "warning: %s\n", out.error().to_string().c_str());
    }
  }

  // The files that depend on the database role (mariadb.cnf's read_only, relay log,
  // the firewall's replica addresses) as the stack will say, and the manifest: no
  // restart, as the running servers already have the roles; the next apply of the
  // edited stack finds nothing to do. A changed ruleset is loaded (nft -f), so the
  // new primary accepts its replicas before they are re-pointed at it.
  void role_files(const std::vector<std::string>& hosts) {
    for (const auto& h : hosts) {
      std::vector<std::string> written;
      for (const auto& res : graph.resources()) {
        if (res.host != h || res.kind != ResourceKind::file) continue;
        const Resource* old = remote.compiled.graph.find(res.id());
        if (old && std::get<FileState>(old->state).content == std::get<FileState>(res.state).content) continue;
        auto op = converge_op(res, remote.secrets);
        if (!op) {
          print(op.diagnostics());
          continue;
        }
        if (!step(h, op->call, "write " + res.name + " for its new role (no restart)", op->input)) continue;
        written.push_back(res.name);
      }
      const Resource* fw = find_resource(graph, h, ResourceKind::firewall);
      if (fw && std::find(written.begin(), written.end(), std::get<FirewallState>(fw->state).ruleset_path) != written.end()) {
        if (auto op = converge_op(*fw, remote.secrets)) (void)step(h, op->call, "load the firewall for its new role", op->input);
        else print(op.diagnostics());
      }
      auto resources = host_resources(graph, h);
      step(h, RemoteCall{"fb_manifest_written", {manifest_path(before().name.value), created_log_path(before().name.value)}},
           "manifest", manifest_to_json(build_manifest(before().name.value, h, resources)));
    }
  }

  // The app hosts' env file as the stack will say, on all of them at once right
  // after the promotion: a write the old primary refuses as read-only re-reads its
  // primary there (examples/foobar-app), so it waits instead of failing. A reload of
  // the app server goes into each host's journal first (as apply records a handler),
  // so the app tier's rolling apply below runs it, or the next apply does if this run
  // dies in between. A reload, not the restart a changed file notifies: gunicorn
  // keeps its socket on HUP and its new workers read the env file as they load the
  // app, while a restart resets the connections queued at the stopping server, and
  // nginx passes no POST it already sent on to another upstream (docs/day2.md).
  void app_env_files() {
    struct Write {
      std::string host;
      std::vector<std::string> calls;
      std::string input;
    };
    std::vector<Write> writes;
    for (const auto& h : move.app_hosts) {
      const Resource* res = graph.find(make_resource_id(h, ResourceKind::file, compile::k_app_env));
      if (!res) continue;
      auto op = converge_op(*res, remote.secrets);
      if (!op) {
        print(op.diagnostics());
        continue;
      }
      std::vector<std::string> calls;
      for (const auto& n : res->notify)
        if (const Resource* service = graph.find(n.target))
          calls.push_back(RemoteCall{"fb_journal_add", {journal_path(before().name.value),
                                                        journal_line(OnChange::reload, service->name, res->id())}}.text());
      calls.push_back(op->call.text());
      writes.push_back({h, std::move(calls), op->input});
    }
    std::mutex out;
    parallel_for(writes.size(), writes.size(), [&](std::size_t i) {
      const std::string& h = writes[i].host;
      auto inv = remote::invoke(writes[i].calls, writes[i].input);
      auto r = remote.connectors.at(h)->run(inv.command, inv.input);
      std::lock_guard lock(out);
      if (r && r->ok()) std::printf("%s: write %s with the new primary (app reload pending)\n", h.c_str(), compile::k_app_env);
      else if (r) std::fprintf(stderr, "warning: %s\n", transport::command_failed(h, "writing its env file", *r).to_string().c_str());
      else std::fprintf(stderr, "warning: %s\n", r.error().to_string().c_str());
    });
    std::fflush(stdout);
  }

  // The hosts outside the db tier whose files the move changes besides the app
  // hosts' env file (the collector's scrape labels name each server's role).
  std::vector<std::string> other_changed_hosts() const {
    // The db tier before and after the move: the move itself changed those hosts (a
    // fenced former primary leaves the tier and must not be planned as removed).
    auto db_hosts = after.tiers.db->host_names();
    for (const auto& h : before().tiers.db->host_names()) db_hosts.push_back(h);
    std::vector<std::string> out;
    for (const auto& res : graph.resources()) {
      if (res.kind != ResourceKind::file || res.name == compile::k_app_env) continue;
      if (std::find(db_hosts.begin(), db_hosts.end(), res.host) != db_hosts.end()) continue;
      const Resource* old = remote.compiled.graph.find(res.id());
      if (old && std::get<FileState>(old->state).content == std::get<FileState>(res.state).content) continue;
      if (std::find(out.begin(), out.end(), res.host) == out.end()) out.push_back(res.host);
    }
    return out;
  }

  // The app hosts get the new write host through apply's rolling machinery, and the
  // other hosts whose files changed (other_changed_hosts) are applied with them.
  int app_tier() {
    std::vector<std::string> targets = move.app_hosts;
    for (const auto& h : other_changed_hosts())
      if (std::find(targets.begin(), targets.end(), h) == targets.end()) targets.push_back(h);
    if (targets.empty()) return 0;
    std::printf("\nThe app tier's write host becomes %s:\n", move.new_primary.c_str());
    auto all = remote.hosts;
    remote.hosts.clear();
    for (const auto& h : all)
      if (std::find(targets.begin(), targets.end(), h) != targets.end()) remote.hosts.push_back(h);
    std::map<std::string, std::string> fingerprints;
    SavedPlan basis;
    basis.plan = remote.make_plan(graph, &fingerprints);
    basis.inputs = plan_inputs(remote, std::move(fingerprints));
    basis.hosts = remote.hosts;
    int rc = confirm_and_apply(command, remote, basis, graph, parsed, global, false, true);
    remote.hosts = all;
    return rc;
  }
};

void print_edit(const stack::Stack& s, const DbMove& m) {
  std::string text = stack_edit_text(s, m);
  for (std::size_t i = 0; (i = text.find('\n', i)) != std::string::npos; i += 3) text.replace(i, 1, "\n  ");
  std::printf("Now edit the stack file (plan and apply refuse until then):\n  %s\n", text.c_str());
}

// The stack's lock on the database hosts for the move (apply's lock, so no apply
// runs meanwhile); released when it goes out of scope. The app hosts are locked by
// their own apply.
class DbLock {
 public:
  DbLock(const std::string& command, const Remote& r, std::vector<std::string> hosts)
      : m_r(r), m_me(current_holder(ThisMachine::current())) {
    auto outcome = lock_hosts(hosts, r.connector_map(), r.compiled.stack.name.value, m_me, ThisMachine::current(),
                              r.parallelism);
    for (const auto& w : outcome.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    m_locked = outcome.locked;
    m_ok = outcome.ok();
    if (!m_ok) {
      std::fprintf(stderr, "%s: could not lock the database hosts, so nothing was changed:\n", command.c_str());
      for (const auto& d : outcome.errors) std::fprintf(stderr, "  %s\n", d.to_string().c_str());
    }
  }
  ~DbLock() {
    for (const auto& d : release_hosts(m_locked, m_r.connector_map(), m_r.compiled.stack.name.value, m_me, m_r.parallelism))
      std::fprintf(stderr, "%s\n", d.to_string().c_str());
  }
  DbLock(const DbLock&) = delete;
  DbLock& operator=(const DbLock&) = delete;
  bool ok() const { return m_ok; }

 private:
  const Remote& m_r;
  LockHolder m_me;
  std::vector<std::string> m_locked;
  bool m_ok = false;
};

// The database hosts that are not also app hosts (those are locked by the app tier's apply).
std::vector<std::string> db_only_hosts(const stack::Stack& s, const std::vector<std::string>& skip) {
  std::vector<std::string> out;
  const auto apps = s.tiers.app ? s.hosts_of_tier(stack::Tier::app) : std::vector<std::string>{};
  for (const auto& h : s.tiers.db->host_names())
    if (std::find(apps.begin(), apps.end(), h) == apps.end() && std::find(skip.begin(), skip.end(), h) == skip.end())
      out.push_back(h);
  return out;
}

std::optional<MoveRun> prepare(const std::string& command, Remote& remote, const cxxopts::ParseResult& parsed,
                               const GlobalOptions& global, Result<DbMove> move) {
  if (!move) return print(move.diagnostics()), std::nullopt;
  stack::Stack after = moved_stack(remote.compiled.stack, *move);
  auto graph = compile::compile_stack(after, remote.compiled.options);
  if (!graph) return print(graph.diagnostics()), std::nullopt;
  auto filled = compile::resolve_secrets(*graph, remote.secret_source);
  if (!filled) return print(filled.diagnostics()), std::nullopt;
  return MoveRun{command, remote, parsed, global, std::move(*move), std::move(after), std::move(*graph)};
}

// Why the switchover may not start: both servers must answer, the primary be the
// running one, and the target replicate from it with both threads. Empty: it may.
std::string switchover_refusal(const Remote& remote, const DbMove& m, const stack::Stack& before) {
  auto old_pos = position(remote, m.old_primary);
  auto new_pos = position(remote, m.new_primary);
  if (!old_pos || !new_pos) return (old_pos ? new_pos.error() : old_pos.error()).to_string();
  if (!old_pos->up) return "the primary " + m.old_primary + " does not answer (" + old_pos->error + "): use foobarctl db failover";
  if (old_pos->relay)
    return m.old_primary + " is itself a replica of " + old_pos->relay->source_host +
           ", not the running primary; see foobarctl status";
  if (!new_pos->up || !new_pos->relay || new_pos->relay->io != "Yes" || new_pos->relay->sql != "Yes")
    return m.new_primary + " is not replicating with both threads running, so it is not promoted: " +
           (!new_pos->up ? new_pos->error
                         : new_pos->relay ? "IO " + new_pos->relay->io + ", SQL " + new_pos->relay->sql : "not a replica");
  const compile::Topology topo = compile::derive_topology(before);
  const std::string& source = new_pos->relay->source_host;
  if (source != m.old_primary && source != topo.address_of(m.old_primary) && source != topo.service_address(m.old_primary))
    return m.new_primary + " replicates from " + source + ", not from the primary " + m.old_primary +
           "; see foobarctl status";
  return "";
}

// The switch itself: the old primary read-only, the target caught up with its
// binlog position and promoted. The old primary's position, or nothing after undoing
// the read-only (nothing else was changed then).
std::optional<GtidList> switch_primary(MoveRun& run, int wait) {
  const DbMove& m = run.move;
  if (!run.step(m.old_primary, RemoteCall{"act_db_readonly", {"1"}}, "read-only (writes paused)")) return std::nullopt;
  auto frozen = position(run.remote, m.old_primary);
  Result<GtidList> target = frozen ? parse_gtid_list(m.old_primary + " gtid_binlog_pos", frozen->binlog_pos)
                                   : Result<GtidList>(frozen.diagnostics());
  auto undo = [&](const std::string& why) -> std::optional<GtidList> {
    std::fprintf(stderr, "%s: %s; %s is writable again, nothing else was changed\n", run.command.c_str(), why.c_str(),
                 m.old_primary.c_str());
    (void)run.step(m.old_primary, RemoteCall{"act_db_readonly", {"0"}}, "writable again");
    return std::nullopt;
  };
  if (!target) return print(target.diagnostics()), undo("its position could not be read");
  std::printf("%s: gtid_binlog_pos %s\n", m.old_primary.c_str(), gtid_text(*target).c_str());
  if (!run.step(m.new_primary, RemoteCall{"act_db_wait", {std::to_string(wait)}},
                "applied " + gtid_text(*target) + " (waited at most " + std::to_string(wait) + " s)",
                gtid_wait_sql(*target, wait)))
    return undo(m.new_primary + " did not catch up");
  if (!run.step(m.new_primary, RemoteCall{"act_db_promote", {}}, "promoted: replication reset, writable"))
    return undo(m.new_primary + " could not be promoted");
  return *target;
}

int switchover(const std::string& command, Remote& remote, const cxxopts::ParseResult& parsed,
               const GlobalOptions& global) {
  if (!parsed.count("to")) return std::fprintf(stderr, "%s: name the replica to promote with --to HOST\n", command.c_str()), 1;
  auto run = prepare(command, remote, parsed, global, plan_switchover(remote.compiled.stack, parsed["to"].as<std::string>()));
  if (!run) return 1;
  const DbMove& m = run->move;
  std::printf("%s\n", move_text(run->before(), m).c_str());
  if (auto why = switchover_refusal(remote, m, run->before()); !why.empty())
    return std::fprintf(stderr, "%s: %s\n", command.c_str(), why.c_str()), 1;
  if (!confirmed(command, parsed)) return 1;
  DbLock lock(command, remote, db_only_hosts(run->before(), {}));
  if (!lock.ok()) return 1;

  const auto start = Clock::now();
  // The old primary's future source needs an account for it; made before the switch,
  // it replicates to every server.
  if (m.old_rejoins && !run->account_for(m.old_primary, m.old_primary)) return 1;
  const auto paused = Clock::now();
  auto target = switch_primary(*run, parsed["wait"].as<int>());
  if (!target) return 1;
  const double pause = since(paused);
  std::printf("Writes paused at the database for %.2f s (read-only on %s until writable on %s)\n", pause,
              m.old_primary.c_str(), m.new_primary.c_str());
  run->record({});
  run->app_env_files();
  const double env_at = since(paused);
  run->role_files(run->after.tiers.db->host_names());
  bool ok = true;
  for (const auto& r : m.repoint) ok = run->repoint(r, std::nullopt) && ok;
  ok = run->repoint(m.old_primary, *target) && ok;
  const int app = run->app_tier();
  std::printf("\nSwitchover %s: %s is the primary. Write pause at the database %.2f s; every app host's env file "
              "names it %.2f s after the pause began (a write waits until then); the app servers reloaded %.1f s "
              "after it; total %.1f s.\n",
              ok && app == 0 ? "complete" : "done with errors (see above)", m.new_primary.c_str(), pause, env_at,
              since(paused), since(start));
  print_edit(run->before(), m);
  return ok && app == 0 ? 0 : 1;
}

// The fence of a former primary: read-only and the app hosts' port dropped.
bool fence(MoveRun& run, const std::string& host) {
  const stack::Stack& s = run.before();
  const compile::Topology t = compile::derive_topology(s);
  std::vector<std::string> args{std::to_string(s.tiers.db->port.value)};
  for (const auto& h : s.hosts_of_tier(stack::Tier::app)) {
    for (const auto& a : {t.address_of(h), t.service_address(h)})
      if (std::find(args.begin() + 1, args.end(), a) == args.end()) args.push_back(a);
  }
  if (args.size() == 1) return true;
  return run.step(host, RemoteCall{"act_db_fence", args}, "fenced: read-only, nftables table foobar_fence");
}

// The replica a failover promotes: each replica gets up to `wait` seconds to apply
// what it received; `replicas` holds their last positions.
Result<std::string> choose_replica(const Remote& remote, const stack::Stack& s, const std::optional<std::string>& to,
                                   int wait, std::vector<DbPosition>& replicas) {
  Result<std::string> chosen = Diagnostic::error(s.name.value, "no replica answered");
  const auto deadline = Clock::now() + std::chrono::seconds(wait);
  do {
    replicas.clear();
    for (const auto& r : s.tiers.db->replicas) {
      auto p = position(remote, r.value);
      if (p) replicas.push_back(*p);
      else replicas.push_back(DbPosition{r.value, false, p.error().message, false, "", "", "", std::nullopt});
    }
    chosen = pick_failover(replicas, to);
    if (chosen) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  } while (Clock::now() < deadline);
  return chosen;
}

int failover(const std::string& command, Remote& remote, const cxxopts::ParseResult& parsed,
             const GlobalOptions& global) {
  const stack::Stack& s = remote.compiled.stack;
  if (!s.tiers.db) return std::fprintf(stderr, "%s: the stack has no db tier\n", command.c_str()), 1;
  const std::string old = s.tiers.db->primary.value;
  const int wait = parsed["wait"].as<int>();
  auto old_pos = position(remote, old);
  if (old_pos && old_pos->up && !old_pos->read_only && !parsed.count("force"))
    return std::fprintf(stderr, "%s: the primary %s answers and takes writes: use foobarctl db switchover (or "
                                "--force if it must go anyway)\n", command.c_str(), old.c_str()), 1;
  std::printf("The primary %s: %s\n", old.c_str(),
              !old_pos ? ("unreachable: " + old_pos.error().message).c_str()
                       : old_pos->up ? "answers, read-only" : ("its server does not answer: " + old_pos->error).c_str());
  std::optional<std::string> to;
  if (parsed.count("to")) to = parsed["to"].as<std::string>();
  std::vector<DbPosition> replicas;
  auto chosen = choose_replica(remote, s, to, wait, replicas);
  if (!chosen) return print(chosen.diagnostics()), 1;
  for (const auto& p : replicas)
    std::printf("  %s: applied %s%s\n", p.host.c_str(), p.slave_pos.empty() ? "-" : p.slave_pos.c_str(),
                p.host == *chosen ? " (promoted)" : "");
  auto run = prepare(command, remote, parsed, global, plan_failover(s, *chosen));
  if (!run) return 1;
  const DbMove& m = run->move;
  std::printf("%s\n", move_text(s, m).c_str());
  if (!confirmed(command, parsed)) return 1;
  // The old primary is locked only when it answers; a lock left there by a dead
  // foobarctl is taken over as apply does.
  DbLock lock(command, remote, db_only_hosts(s, old_pos ? std::vector<std::string>{} : std::vector<std::string>{old}));
  if (!lock.ok()) return 1;
  const auto start = Clock::now();
  if (!run->step(m.new_primary, RemoteCall{"act_db_promote", {}}, "promoted: replication reset, writable")) return 1;
  std::printf("%s takes writes %.2f s after the go\n", m.new_primary.c_str(), since(start));
  // The fence is recorded first, so a fence that cannot be applied now is not lost.
  run->record({m.old_primary});
  run->app_env_files();
  run->role_files(run->after.tiers.db->host_names());
  bool ok = true;
  for (const auto& r : m.repoint) ok = run->repoint(r, std::nullopt) && ok;
  const bool fenced = old_pos && fence(*run, m.old_primary);
  if (fenced) run->record({});
  else std::printf("%s: not reachable: the fence is recorded and applied by foobarctl db fence once it is\n",
                   m.old_primary.c_str());
  const int app = run->app_tier();
  std::printf("\nFailover %s: %s is the primary (total %.1f s); %s %s.\n",
              ok && app == 0 ? "complete" : "done with errors (see above)", m.new_primary.c_str(), since(start),
              m.old_primary.c_str(), fenced ? "is fenced" : "is to be fenced");
  print_edit(s, m);
  std::printf("%s rejoins only as a new replica: its data may hold writes the others never got (docs/day2.md).\n",
              m.old_primary.c_str());
  return ok && app == 0 ? 0 : 1;
}

// Applies the fences recorded by a failover to the former primaries that answer now.
int fence_cmd(const std::string& command, Remote& remote, const cxxopts::ParseResult& parsed,
              const GlobalOptions& global) {
  const stack::Stack& s = remote.compiled.stack;
  if (!s.tiers.db) return std::fprintf(stderr, "%s: the stack has no db tier\n", command.c_str()), 1;
  std::string primary;
  std::vector<std::string> to_fence;
  const std::string path = db_record_path(s.name.value);
  for (const auto& h : s.tiers.db->host_names()) {
    auto out = run_call(remote, h, RemoteCall{"fact_db_record", {path}}, "reading the record of the primary");
    if (!out) continue;
    auto f = split_record(std::string_view(*out).substr(0, out->find('\n')));
    if (f.size() != 3 || f[1] != "present") continue;
    auto text = base64_decode(f[2]);
    std::string p;
    std::vector<std::string> fence_list;
    if (text && parse_db_record(*text, p, fence_list)) primary = p, to_fence = fence_list;
    if (!primary.empty()) break;
  }
  if (to_fence.empty()) return std::printf("No former primary is to be fenced.\n"), 0;
  DbMove m;
  m.old_primary = to_fence.front();
  m.new_primary = primary;
  m.old_rejoins = false;
  m.app_hosts = s.tiers.app ? s.hosts_of_tier(stack::Tier::app) : std::vector<std::string>{};
  MoveRun run{command, remote, parsed, global, m, s, remote.compiled.graph};
  std::vector<std::string> left;
  for (const auto& h : to_fence)
    if (!fence(run, h)) left.push_back(h);
  run.record(left);
  return left.empty() ? 0 : 1;
}

}  // namespace

cxxopts::Options options_db() {
  cxxopts::Options opts("foobarctl db", "change the running primary of the database tier: switchover (planned), "
                                        "failover (the primary is gone), fence (a former primary, once reachable)");
  opts.positional_help("switchover|failover|fence STACK");
  add_remote_options(opts);
  add_apply_options(opts);
  add_roll_options(opts);
  opts.add_options()("to", "the replica to promote", cxxopts::value<std::string>())(
      "wait", "seconds a replica gets to apply what it received (1..300)", cxxopts::value<int>()->default_value("30"))(
      "force", "failover: even though the primary answers and takes writes")("h,help", "show this help");
  return opts;
}

int cmd_db(std::vector<std::string> args, const GlobalOptions& global) {
  cxxopts::Options opts = options_db();
  if (args.size() < 2 || (args[1] != "switchover" && args[1] != "failover" && args[1] != "fence")) {
    if (args.size() >= 2 && (args[1] == "-h" || args[1] == "--help")) return std::printf("%s", opts.help().c_str()), 0;
    std::fprintf(stderr, "foobarctl db: name switchover, failover or fence; see foobarctl db --help\n");
    return 1;
  }
  const std::string sub = args[1];
  const std::string command = "foobarctl db " + sub;
  args.erase(args.begin() + 1);
  args[0] = command;
  auto parsed_args = parse_args(opts, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& parsed = *parsed_args;
  if (parsed.count("help")) return std::printf("%s", opts.help().c_str()), 0;
  const int wait = parsed["wait"].as<int>();
  if (wait < 1 || wait > 300) return std::fprintf(stderr, "%s: --wait must be 1..300 seconds, not %d\n", command.c_str(), wait), 1;
  auto remote = open_remote(command, parsed);
  if (!remote) return 1;
  if (sub == "switchover") return switchover(command, *remote, parsed, global);
  if (sub == "failover") return failover(command, *remote, parsed, global);
  return fence_cmd(command, *remote, parsed, global);
}

}  // namespace foobar::cli
