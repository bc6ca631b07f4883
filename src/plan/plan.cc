#include "plan/plan.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "facts/probe.h"
#include "plan/diff.h"
#include "plan/manifest.h"
#include "util/hash.h"
#include "util/strings.h"

namespace foobar {

const char* to_string(ActionType t) {
  switch (t) {
    case ActionType::create: return "create";
    case ActionType::update: return "update";
    case ActionType::destroy: return "destroy";
    case ActionType::noop: return "no-op";
    case ActionType::reload: return "reload";
    case ActionType::restart: return "restart";
  }
  return "no-op";
}

std::string mask_secrets(std::string_view text, const std::vector<std::string>& secrets) {
  std::vector<const std::string*> sorted;
  for (const auto& s : secrets)
    if (!s.empty()) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->size() > b->size(); });
  std::string out(text);
  for (const std::string* s : sorted) {
    for (auto pos = out.find(*s); pos != std::string::npos; pos = out.find(*s, pos + 8))
      out.replace(pos, s->size(), "********");
  }
  return out;
}

namespace {

std::string four_digit_mode(std::string mode) {
  if (mode.size() < 4) mode.insert(0, 4 - mode.size(), '0');
  return mode;
}

void compare_owner_mode(const std::string& mode, const std::string& owner, const std::string& group,
                        const PathFact& have, std::vector<std::string>& reasons) {
  std::string want = four_digit_mode(mode);
  if (have.mode != want) reasons.push_back("mode " + have.mode + " -> " + want);
  if (have.owner != owner) reasons.push_back("owner " + have.owner + " -> " + owner);
  if (have.group != group) reasons.push_back("group " + have.group + " -> " + group);
}

bool is_handler(ActionType t) { return t == ActionType::reload || t == ActionType::restart; }

int destroy_rank(ResourceKind k) {
  switch (k) {
    case ResourceKind::service: return 0;
    case ResourceKind::command: return 1;
    case ResourceKind::replication: return 2;
    case ResourceKind::db_user: return 3;
    case ResourceKind::database: return 4;
    case ResourceKind::firewall: return 5;
    case ResourceKind::file: return 6;
    case ResourceKind::directory: return 7;
    case ResourceKind::package: return 8;
  }
  return 9;
}

// Entries that nothing left depends on go first; among those, services before the
// files they read, and packages last.
std::vector<const ManifestEntry*> destroy_order(const std::vector<const ManifestEntry*>& gone) {
  std::unordered_map<std::string, const ManifestEntry*> by_id;
  for (auto* e : gone) by_id[e->id] = e;
  std::unordered_map<std::string, int> blockers;  // dependents still to destroy
  for (auto* e : gone)
    for (const auto& d : e->deps)
      if (by_id.count(d)) ++blockers[d];
  auto key = [](const ManifestEntry* e) { return std::make_pair(destroy_rank(e->kind), e->id); };
  std::set<std::pair<int, std::string>> ready;
  for (auto* e : gone)
    if (blockers[e->id] == 0) ready.insert(key(e));
  std::vector<const ManifestEntry*> out;
  std::unordered_set<std::string> done;
  while (!ready.empty()) {
    auto* e = by_id[ready.begin()->second];
    ready.erase(ready.begin());
    out.push_back(e);
    done.insert(e->id);
    for (const auto& d : e->deps)
      if (by_id.count(d) && --blockers[d] == 0) ready.insert(key(by_id[d]));
  }
  std::vector<const ManifestEntry*> rest;  // a cycle in an old manifest: any order will do
  for (auto* e : gone)
    if (!done.count(e->id)) rest.push_back(e);
  std::sort(rest.begin(), rest.end(), [&](auto* a, auto* b) { return key(a) < key(b); });
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

class Planner {
 public:
  Planner(const Graph& graph, const std::map<std::string, Facts>& facts, const PlanOptions& options)
      : m_graph(graph), m_facts(facts), m_options(options) {}

  Plan run();

 private:
  void plan_host(HostPlan& hp, const std::vector<const Resource*>& resources, const Facts& facts);
  Action plan_resource(const Resource& r, const Facts& facts);
  void plan_file(const Resource& r, const FileState& want, const Facts& facts, Action& a);
  void plan_directory(const Resource& r, const DirectoryState& want, const Facts& facts, Action& a);
  void plan_service(const Resource& r, const ServiceState& want, const Facts& facts, Action& a);
  void plan_database(const Resource& r, const Facts& facts, Action& a);
  void plan_seed(const Resource& r, const DbFacts& db, Action& a);
  void check_running_primary();
  void plan_account(const Resource& r, const DbUserState& u, const DbAccountFact& have, Action& a);
  static void finish_update(Action& a) {
    if (!a.reasons.empty()) a.type = ActionType::update;
  }
  void plan_firewalls(HostPlan& hp, const std::vector<const Resource*>& resources, const Facts& facts);
  void plan_destroys(HostPlan& hp, const std::vector<const Resource*>& resources, const Facts& facts);
  void apply_handlers();
  std::vector<std::vector<const Resource*>> host_order();

  const Graph& m_graph;
  const std::map<std::string, Facts>& m_facts;
  const PlanOptions& m_options;
  Plan m_plan;
  std::unordered_set<std::string> m_starting;  // services apply will start (no reload needed)
  std::unordered_map<std::string, std::vector<Notify>> m_destroy_notify;
  std::vector<Notify> m_pending;  // handlers an earlier apply recorded but did not run
};

constexpr const char* k_pending_reason = "pending: recorded in the host's journal, not run yet";

std::string replica_state(const std::string& raw, bool running) {
  return raw.empty() ? (running ? "Yes" : "No") : raw;
}

std::string file_label(const Resource& r) { return r.host + ":" + r.name; }

// As diff decides: a NUL byte makes a file binary, and binary files get no line diff.
bool is_binary(std::string_view text) { return text.find('\0') != std::string_view::npos; }

void Planner::plan_file(const Resource& r, const FileState& want, const Facts& facts, Action& a) {
  a.sensitive = want.sensitive;
  PathFact have;
  if (auto it = facts.files.find(r.name); it != facts.files.end()) have = it->second;
  auto show = [&](std::string_view old_text) {
    if (!want.sensitive && !is_binary(want.content))
      a.diff = mask_secrets(unified_diff(old_text, want.content, file_label(r), file_label(r), m_options.diff_context),
                            m_options.secret_values);
  };
  if (have.type == PathType::absent) {
    a.type = ActionType::create;
    a.reasons.push_back("file does not exist");
    if (want.sensitive) a.reasons.push_back("(sensitive content hidden)");
    show("");
    return;
  }
  if (have.type == PathType::other) a.reasons.push_back("path exists but is not a regular file");
  if (have.type == PathType::file && have.sha256 != sha256_hex(want.content)) {
    if (want.sensitive) {
      a.reasons.push_back("(sensitive content changed)");
    } else if (have.content && (is_binary(*have.content) || is_binary(want.content))) {
      a.reasons.push_back("content changed (binary)");
    } else if (have.content) {
      a.reasons.push_back("content changed");
      show(*have.content);
    } else {
      a.reasons.push_back("content changed (old content not fetched: unreadable, over " +
                          std::to_string(k_probe_content_limit) + " bytes, or past the probe's " +
                          std::to_string(k_probe_content_budget) + "-byte total for diffs)");
    }
  }
  if (have.type == PathType::file) compare_owner_mode(want.mode, want.owner, want.group, have, a.reasons);
  if (!a.reasons.empty()) a.type = ActionType::update;
}

void Planner::plan_directory(const Resource& r, const DirectoryState& want, const Facts& facts, Action& a) {
  PathFact have;
  if (auto it = facts.dirs.find(r.name); it != facts.dirs.end()) have = it->second;
  if (have.type == PathType::absent) {
    a.type = ActionType::create;
    a.reasons.push_back("directory does not exist");
    return;
  }
  if (have.type != PathType::directory) a.reasons.push_back("path exists but is not a directory");
  else compare_owner_mode(want.mode, want.owner, want.group, have, a.reasons);
  if (!a.reasons.empty()) a.type = ActionType::update;
}

void Planner::plan_service(const Resource& r, const ServiceState& want, const Facts& facts, Action& a) {
  ServiceFact have;
  auto it = facts.services.find(r.name);
  if (it == facts.services.end()) a.reasons.push_back("service state unknown (not probed)");
  else have = it->second;
  if (want.running && !have.running) {
    a.reasons.push_back("service stopped");
    m_starting.insert(a.id);
  }
  if (!want.running && have.running) a.reasons.push_back("service running, must be stopped");
  if (want.enabled && !have.enabled) a.reasons.push_back("service not enabled");
  if (!want.enabled && have.enabled) a.reasons.push_back("service enabled, must be disabled");
  if (!a.reasons.empty()) a.type = ActionType::update;
}

bool is_system_schema(const std::string& name) {
  return name == "mysql" || name == "information_schema" || name == "performance_schema" || name == "sys";
}

// SHOW SLAVE STATUS in one line, for the plan's facts.
std::string replication_fact(const ReplicationState& want, const ReplicaFact& have) {
  std::string lag = have.seconds_behind.empty() || have.seconds_behind == "NULL" ? "lag unknown"
                                                                                : have.seconds_behind + " s behind";
  return "replication from " + want.primary_host + " (" + have.source_host + "): IO " +
         replica_state(have.io_state, have.io_running) + ", SQL " + replica_state(have.sql_state, have.sql_running) +
         ", " + lag + (have.gtid_io_pos.empty() ? "" : ", GTID " + have.gtid_io_pos);
}

// A replica that is not configured is seeded from its primary (apply/operations.h);
// the plan says so, and warns when the server has databases a seed would refuse to
// overwrite if they hold tables.
void Planner::plan_seed(const Resource& r, const DbFacts& db, Action& a) {
  const auto& want = std::get<ReplicationState>(r.state);
  a.type = ActionType::create;
  a.reasons.push_back("replication not configured: will be seeded from " + want.primary_host +
                      " at its current GTID position");
  std::string own;
  for (const auto& name : db.databases)
    if (!is_system_schema(name)) own += (own.empty() ? "" : ", ") + name;
  if (own.empty()) return;
  a.reasons.push_back("the server already has databases (" + own + "): the seed refuses to run if they hold tables");
  m_plan.diagnostics.push_back(Diagnostic{Severity::warning, r.host, {},
                                          "not a replica yet but has databases " + own + "; apply seeds it from " +
                                              want.primary_host +
                                              " only if they hold no tables (see docs/replication.md)"});
}

// An existing account: its credential (as the probe judged it on the host) and its
// grants. The stack is the source of truth: grants it does not list are revoked.
void Planner::plan_account(const Resource& r, const DbUserState& u, const DbAccountFact& have, Action& a) {
  if (have.auth == DbAccountFact::Auth::differs) {
    if (u.password_secret.empty())
      a.reasons.push_back("authenticates via " + (have.plugin.empty() ? std::string("a password") : have.plugin) +
                          ", must be unix_socket");
    else
      a.reasons.push_back("password differs from secret " + u.password_secret);
  }
  if (!have.grants_known) return finish_update(a);
  std::vector<Grant> want, held;
  for (const auto& g : u.grants) {
    auto parsed = parse_grant(g);
    if (!parsed) {
      for (auto d : parsed.diagnostics()) {
        d.where = r.id();
        d.severity = Severity::warning;
        d.message += " (grants of this account are not compared)";
        m_plan.diagnostics.push_back(std::move(d));
      }
      return finish_update(a);
    }
    want.insert(want.end(), parsed->begin(), parsed->end());
  }
  for (const auto& line : have.grants) {
    auto parsed = parse_grant(line);
    if (!parsed) {
      m_plan.diagnostics.push_back(Diagnostic{Severity::warning, r.id(), {},
                                              "SHOW GRANTS line '" + line + "' is not understood; it is kept as is"});
      continue;
    }
    held.insert(held.end(), parsed->begin(), parsed->end());
  }
  auto diff = diff_grants(want, held);
  if (!diff.empty()) a.reasons.push_back(grant_diff_reason(diff));
  a.revoke_grants = std::move(diff.extra);
  finish_update(a);
}

void Planner::plan_database(const Resource& r, const Facts& facts, Action& a) {
  const DbFacts& db = facts.db;
  if (!db.answering) {
    a.type = ActionType::create;
    a.reasons.push_back("database server not answering" + (db.error.empty() ? "" : " (" + db.error + ")"));
    if (r.kind == ResourceKind::replication)
      a.reasons.push_back("unless it is a replica already, it will be seeded from " +
                          std::get<ReplicationState>(r.state).primary_host + " at its current GTID position");
    return;
  }
  if (r.kind == ResourceKind::database) {
    if (!db.databases.count(r.name)) {
      a.type = ActionType::create;
      a.reasons.push_back("database missing");
    }
  } else if (r.kind == ResourceKind::db_user) {
    const auto& u = std::get<DbUserState>(r.state);
    std::string account = u.user + "@" + u.from_host;
    if (!db.users.count(account)) {
      a.type = ActionType::create;
      a.reasons.push_back("user " + account + " missing");
    } else if (auto it = db.accounts.find(account); it != db.accounts.end()) {
      plan_account(r, u, it->second, a);
    }
  } else {
    const auto& want = std::get<ReplicationState>(r.state);
    // A link without a source host (a bare CHANGE MASTER) replicates from nowhere.
    if (!db.replica || db.replica->source_host.empty()) return plan_seed(r, db, a);
    const ReplicaFact& have = *db.replica;
    if (have.source_host != want.primary_address && have.source_host != want.primary_host)
      a.reasons.push_back("replicates from " + have.source_host + ", must be " + want.primary_address);
    if (!have.io_running || !have.sql_running)
      a.reasons.push_back("replication not running (IO: " + replica_state(have.io_state, have.io_running) +
                          ", SQL: " + replica_state(have.sql_state, have.sql_running) + ")");
    if (!a.reasons.empty()) a.type = ActionType::update;
  }
}

Action Planner::plan_resource(const Resource& r, const Facts& facts) {
  Action a;
  a.id = r.id();
  a.host = r.host;
  a.kind = r.kind;
  a.name = r.name;
  switch (r.kind) {
    case ResourceKind::file: plan_file(r, std::get<FileState>(r.state), facts, a); break;
    case ResourceKind::directory: plan_directory(r, std::get<DirectoryState>(r.state), facts, a); break;
    case ResourceKind::service: plan_service(r, std::get<ServiceState>(r.state), facts, a); break;
    case ResourceKind::package: {
      bool want = std::get<PackageState>(r.state).present;
      PackageFact have{false, true, ""};
      if (auto it = facts.packages.find(r.name); it != facts.packages.end()) have = it->second;
      if (!have.known) {
        a.type = ActionType::create;
        a.reasons.push_back("package state unknown (no dpkg-query on the host)");
      } else if (want && !have.installed) {
        a.type = ActionType::create;
        a.reasons.push_back("package missing");
      } else if (!want && have.installed) {
        a.type = ActionType::update;
        a.reasons.push_back("package " + have.version + " installed, must be removed");
      }
      break;
    }
    case ResourceKind::database:
    case ResourceKind::db_user:
    case ResourceKind::replication: plan_database(r, facts, a); break;
    case ResourceKind::command: {
      auto it = facts.commands.find(r.name);
      const auto& c = std::get<CommandState>(r.state);
      if (it == facts.commands.end() || !it->second.skip) {
        a.type = ActionType::update;
        a.reasons.push_back(c.creates.empty() && c.unless.empty() ? "no guard: runs on every apply"
                                                                  : "guard not satisfied: will run");
      }
      break;
    }
    case ResourceKind::firewall: break;  // decided once the ruleset file is planned
  }
  return a;
}

// A firewall is reloaded when its ruleset file changes or no ruleset is loaded.
void Planner::plan_firewalls(HostPlan& hp, const std::vector<const Resource*>& resources, const Facts& facts) {
  std::unordered_map<std::string, const Action*> by_id;
  for (const auto& a : hp.actions) by_id[a.id] = &a;
  for (std::size_t i = 0; i < resources.size(); ++i) {
    const Resource& r = *resources[i];
    if (r.kind != ResourceKind::firewall) continue;
    const auto& path = std::get<FirewallState>(r.state).ruleset_path;
    auto it = by_id.find(path);
    if (it == by_id.end()) it = by_id.find(make_resource_id(r.host, ResourceKind::file, path));
    Action& a = hp.actions[i];
    if (it != by_id.end() && it->second->changes()) a.reasons.push_back("ruleset changed");
    if (!facts.firewall) a.reasons.push_back("firewall state unknown (not probed)");
    else if (!facts.firewall->loaded) a.reasons.push_back("ruleset not loaded");
    if (!a.reasons.empty()) a.type = ActionType::update;
  }
}

void Planner::plan_destroys(HostPlan& hp, const std::vector<const Resource*>& resources, const Facts& facts) {
  if (!facts.manifest && !facts.created) return;
  const std::string stack = m_options.stack.empty() ? "<stack>" : m_options.stack;
  std::string where = hp.host + ":" + manifest_path(stack);
  auto warn = [&](const Diagnostics& ds) {
    for (auto d : ds) {
      d.severity = Severity::warning;
      d.message += "; nothing will be destroyed on this host";
      m_plan.diagnostics.push_back(std::move(d));
    }
  };
  Result<Manifest> manifest = Manifest{k_manifest_version, m_options.stack, hp.host, {}};
  if (facts.manifest) manifest = parse_manifest(where, *facts.manifest);
  if (!manifest.ok()) return warn(manifest.diagnostics());
  // Resources an interrupted apply created after the manifest was written.
  if (facts.created) {
    auto merged = merge_manifest_log(hp.host + ":" + created_log_path(stack), *facts.created, *manifest);
    if (!merged.ok()) return warn(merged.diagnostics());
  }
  if (!m_options.stack.empty() && manifest->stack != m_options.stack) {
    m_plan.diagnostics.push_back(Diagnostic{Severity::warning, where, {},
                                            "manifest belongs to stack '" + manifest->stack + "', not '" +
                                                m_options.stack + "'; nothing will be destroyed on this host"});
    return;
  }
  std::unordered_set<std::string> desired;
  for (auto* r : resources) desired.insert(r->id());
  std::vector<const ManifestEntry*> gone;
  for (const auto& e : manifest->resources)
    if (!desired.count(e.id)) gone.push_back(&e);
  for (const ManifestEntry* e : destroy_order(gone)) {
    Action a;
    a.id = e->id;
    a.host = hp.host;
    a.kind = e->kind;
    a.name = e->name;
    a.type = ActionType::destroy;
    a.reasons.push_back("no longer in the stack");
    if (e->kind == ResourceKind::database) a.reasons.push_back("its data is kept unless purged");
    if (!e->notify.empty()) m_destroy_notify[e->id] = e->notify;
    hp.actions.push_back(std::move(a));
  }
}

void Planner::plan_host(HostPlan& hp, const std::vector<const Resource*>& resources, const Facts& facts) {
  hp.lock = facts.lock;
  hp.first_apply = !facts.manifest.has_value();
  if (facts.lock.held)
    m_plan.diagnostics.push_back(Diagnostic{Severity::warning, hp.host, {},
                                            "apply lock is held by '" + facts.lock.holder +
                                                "'; an apply now would wait for it or fail"});
  for (const auto& p : facts.pending)
    m_pending.push_back(Notify{make_resource_id(hp.host, ResourceKind::service, p.service),
                               p.action == "restart" ? OnChange::restart : OnChange::reload});
  hp.actions.reserve(resources.size());
  for (const Resource* r : resources) {
    hp.actions.push_back(plan_resource(*r, facts));
    if (r->kind == ResourceKind::replication && facts.db.replica && !facts.db.replica->source_host.empty())
      hp.facts.push_back(replication_fact(std::get<ReplicationState>(r->state), *facts.db.replica));
  }
  plan_firewalls(hp, resources, facts);
  plan_destroys(hp, resources, facts);
}

// A change (create, update, destroy) of a notifying resource makes its target
// service reload or restart; restart wins over reload. A service apply starts
// anyway reads the new configuration then, so it needs neither.
void Planner::apply_handlers() {
  std::unordered_map<std::string, Action*> by_id;
  for (auto& hp : m_plan.hosts)
    for (auto& a : hp.actions) by_id[a.id] = &a;
  std::vector<std::pair<std::string, Notify>> triggers;
  for (auto& hp : m_plan.hosts) {
    for (auto& a : hp.actions) {
      if (!a.changes() || is_handler(a.type)) continue;
      if (a.type == ActionType::destroy) {
        if (auto it = m_destroy_notify.find(a.id); it != m_destroy_notify.end())
          for (const auto& n : it->second) triggers.emplace_back(a.id, n);
      } else if (const Resource* r = m_graph.find(a.id)) {
        for (const auto& n : r->notify) triggers.emplace_back(a.id, n);
      }
    }
  }
  for (const auto& [source, n] : triggers) {
    auto it = by_id.find(n.target);
    if (it == by_id.end()) continue;  // target on an unreachable or untargeted host
    Action& t = *it->second;
    if (t.type == ActionType::destroy || t.type == ActionType::create) continue;
    t.notified_by.push_back(source);
    if (m_starting.count(t.id)) continue;
    if (!t.handler || n.action == OnChange::restart) t.handler = n.action;
  }
  for (const auto& n : m_pending) {
    auto it = by_id.find(n.target);
    if (it == by_id.end()) continue;  // no longer in the stack: apply drops the journal
    Action& t = *it->second;
    if (t.type == ActionType::destroy || t.type == ActionType::create || m_starting.count(t.id)) continue;
    if (!t.handler || n.action == OnChange::restart) t.handler = n.action;
    if (std::find(t.reasons.begin(), t.reasons.end(), k_pending_reason) == t.reasons.end())
      t.reasons.push_back(k_pending_reason);
  }
  for (auto& hp : m_plan.hosts) {
    for (auto& a : hp.actions) {
      if (!a.handler) continue;
      const char* verb = to_string(*a.handler);
      if (a.type == ActionType::noop)
        a.type = *a.handler == OnChange::restart ? ActionType::restart : ActionType::reload;
      for (const auto& s : a.notified_by) a.reasons.push_back(std::string(verb) + ": notified by " + s);
    }
  }
}

// Resources grouped by host, each group in dependency order (insertion order if
// the graph has a cycle, which is reported).
std::vector<std::vector<const Resource*>> Planner::host_order() {
  std::vector<std::size_t> order;
  auto layers = m_graph.layers();
  if (layers.ok()) {
    for (const auto& layer : *layers) order.insert(order.end(), layer.begin(), layer.end());
  } else {
    for (const auto& d : layers.diagnostics()) m_plan.diagnostics.push_back(d);
    for (std::size_t i = 0; i < m_graph.size(); ++i) order.push_back(i);
  }
  std::map<std::string, std::size_t> host_index;
  for (const auto& hp : m_plan.hosts) host_index.emplace(hp.host, host_index.size());
  std::vector<std::vector<const Resource*>> out(m_plan.hosts.size());
  for (std::size_t i : order) {
    const Resource& r = m_graph.resources()[i];
    if (auto it = host_index.find(r.host); it != host_index.end()) out[it->second].push_back(&r);
  }
  return out;
}

// After db switchover or failover the database hosts record the running primary;
// a plan of a stack that still names the old one would re-point replication back.
void Planner::check_running_primary() {
  if (m_options.db_primary.empty()) return;
  std::map<std::string, std::vector<std::string>> running;  // recorded primary -> hosts that say so
  std::map<std::string, std::vector<std::string>> fence;    // former primary -> hosts that say so
  for (const auto& [host, f] : m_facts) {
    if (f.db.recorded_primary && *f.db.recorded_primary != m_options.db_primary)
      running[*f.db.recorded_primary].push_back(host);
    for (const auto& h : f.db.to_fence) fence[h].push_back(host);
  }
  for (const auto& [primary, hosts] : running)
    m_plan.diagnostics.push_back(Diagnostic::error(
        m_options.db_primary_file, m_options.db_primary_pos,
        "the stack's primary is " + m_options.db_primary + " but the running primary is " + primary +
            " (recorded by foobarctl db switchover/failover on " + join(hosts, ", ") +
            "); applying would re-point replication back to " + m_options.db_primary +
            ", so the plan is refused. Change `primary: " + m_options.db_primary + "` to `primary: " + primary +
            "` here (and list " + m_options.db_primary + " under replicas, or remove it)"));
  for (const auto& [host, by] : fence)
    m_plan.diagnostics.push_back(Diagnostic{Severity::warning, host, {},
                                            "a former primary still to fence (recorded on " + join(by, ", ") +
                                                "): run foobarctl db fence once it is reachable"});
}

Plan Planner::run() {
  m_plan.stack = m_options.stack;
  std::set<std::string> hosts;
  for (const auto& r : m_graph.resources()) hosts.insert(r.host);
  for (const auto& [h, f] : m_facts) hosts.insert(h);
  for (const auto& [h, why] : m_options.unreachable_reasons) hosts.insert(h);
  for (const auto& h : hosts) {
    if (!m_options.hosts.empty() &&
        std::find(m_options.hosts.begin(), m_options.hosts.end(), h) == m_options.hosts.end())
      continue;
    m_plan.hosts.push_back(HostPlan{h, true, "", {}, {}, {}});
  }
  auto per_host = host_order();
  for (std::size_t i = 0; i < m_plan.hosts.size(); ++i) {
    HostPlan& hp = m_plan.hosts[i];
    auto facts = m_facts.find(hp.host);
    if (facts == m_facts.end()) {
      hp.reachable = false;
      auto why = m_options.unreachable_reasons.find(hp.host);
      hp.unreachable_reason =
          why != m_options.unreachable_reasons.end() ? why->second : "no facts were gathered from this host";
      continue;
    }
    plan_host(hp, per_host[i], facts->second);
  }
  apply_handlers();
  check_running_primary();
  // Reasons quote host output (server errors, versions): mask them like diffs.
  if (!m_options.secret_values.empty())
    for (auto& hp : m_plan.hosts)
      for (auto& a : hp.actions)
        for (auto& reason : a.reasons) reason = mask_secrets(reason, m_options.secret_values);
  return std::move(m_plan);
}

}  // namespace

std::vector<const Resource*> host_resources(const Graph& graph, const std::string& host) {
  std::vector<const Resource*> out;
  for (const auto& r : graph.resources())
    if (r.host == host) out.push_back(&r);
  return out;
}

Plan make_plan(const Graph& graph, const std::map<std::string, Facts>& facts_by_host, const PlanOptions& options) {
  return Planner(graph, facts_by_host, options).run();
}

PlanSummary Plan::summary() const {
  PlanSummary s;
  for (const auto& hp : hosts) {
    if (!hp.reachable) ++s.unreachable;
    for (const auto& a : hp.actions) {
      switch (a.type) {
        case ActionType::create: ++s.create; break;
        case ActionType::update: ++s.update; break;
        case ActionType::destroy: ++s.destroy; break;
        case ActionType::noop: ++s.unchanged; break;
        case ActionType::reload: ++s.reload; break;
        case ActionType::restart: ++s.restart; break;
      }
      // A service updated for another reason whose handler also fires.
      if (a.handler && !is_handler(a.type)) ++(*a.handler == OnChange::restart ? s.restart : s.reload);
    }
  }
  return s;
}

bool Plan::has_changes() const {
  for (const auto& hp : hosts)
    for (const auto& a : hp.actions)
      if (a.changes()) return true;
  return false;
}

bool Plan::refused() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::error; });
}

bool Plan::complete() const {
  return std::all_of(hosts.begin(), hosts.end(), [](const HostPlan& hp) { return hp.reachable; });
}

const Action* Plan::find(const std::string& id) const {
  for (const auto& hp : hosts)
    for (const auto& a : hp.actions)
      if (a.id == id) return &a;
  return nullptr;
}

std::string summary_line(const PlanSummary& s) {
  return "Plan: " + std::to_string(s.create) + " to create, " + std::to_string(s.update) + " to update, " +
         std::to_string(s.destroy) + " to destroy.";
}

}  // namespace foobar
