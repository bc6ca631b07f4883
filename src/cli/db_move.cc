#include "cli/db_move.h"

#include <algorithm>

#include "util/sql.h"
#include "util/strings.h"

namespace foobar {

namespace {

std::string names(const std::vector<std::string>& v) {
  return v.empty() ? "none" : join(v, ", ");
}

std::vector<std::string> replica_names(const stack::DbTier& db) {
  std::vector<std::string> out;
  for (const auto& r : db.replicas) out.push_back(r.value);
  return out;
}

Result<DbMove> plan_move(const stack::Stack& s, const std::string& to, bool rejoin) {
  if (!s.tiers.db) return Diagnostic::error(s.file, "the stack has no db tier: there is no primary to change");
  const auto& db = *s.tiers.db;
  const auto replicas = replica_names(db);
  if (to == db.primary.value)
    return Diagnostic::error(s.file, db.primary.pos, to + " is the stack's primary already; name a replica (" +
                                                          names(replicas) + ") with --to");
  if (std::find(replicas.begin(), replicas.end(), to) == replicas.end())
    return Diagnostic::error(s.file, db.pos, "'" + to + "' is not a replica of the db tier; the replicas are " +
                                                 names(replicas));
  DbMove m;
  m.old_primary = db.primary.value;
  m.new_primary = to;
  m.old_rejoins = rejoin;
  for (const auto& r : replicas)
    if (r != to) m.repoint.push_back(r);
  m.app_hosts = s.tiers.app ? s.hosts_of_tier(stack::Tier::app) : std::vector<std::string>{};
  return m;
}

}  // namespace

Result<DbMove> plan_switchover(const stack::Stack& s, const std::string& to) { return plan_move(s, to, true); }
Result<DbMove> plan_failover(const stack::Stack& s, const std::string& to) { return plan_move(s, to, false); }

stack::Stack moved_stack(const stack::Stack& s, const DbMove& m) {
  stack::Stack out = s;
  auto& db = *out.tiers.db;
  std::vector<stack::Located<std::string>> replicas;
  for (const auto& r : db.replicas) {
    if (r.value == m.new_primary) {
      if (m.old_rejoins) replicas.push_back(stack::Located<std::string>{m.old_primary, r.pos});
    } else {
      replicas.push_back(r);
    }
  }
  db.primary.value = m.new_primary;
  db.replicas = std::move(replicas);
  return out;
}

std::string move_text(const stack::Stack& s, const DbMove& m) {
  std::string out = "The primary of stack " + s.name.value + " moves from " + m.old_primary + " to " +
                    m.new_primary + ":\n";
  if (m.old_rejoins)
    out += "  " + m.old_primary + ": read-only now; once " + m.new_primary +
           " has applied all it wrote, a replica of " + m.new_primary + "\n";
  else
    out += "  " + m.old_primary + ": fenced (read-only, nftables table foobar_fence drops the app hosts' port " +
           std::to_string(s.tiers.db->port.value) + "), now if reachable, else when it is\n";
  out += "  " + m.new_primary + ": replication stopped and reset, writable: the primary\n";
  out += "  re-pointed at " + m.new_primary + ": " + names(m.repoint) + "\n";
  out += "  app hosts whose write host becomes " + m.new_primary + " (rolling reload): " + names(m.app_hosts) + "\n";
  return out;
}

std::string stack_edit_text(const stack::Stack& s, const DbMove& m) {
  const auto& db = *s.tiers.db;
  const stack::Stack after = moved_stack(s, m);
  std::string out = s.file + ":" + std::to_string(db.primary.pos.line) + ": change `primary: " + m.old_primary +
                    "` to `primary: " + m.new_primary + "`";
  const int line = db.replicas.empty() ? db.pos.line : db.replicas.front().pos.line;
  out += "\n" + s.file + ":" + std::to_string(line) + ": and `replicas:` to [" +
         (after.tiers.db->replicas.empty() ? std::string() : names(replica_names(*after.tiers.db))) + "]";
  return out;
}

std::string gtid_wait_sql(const GtidList& pos, int seconds) {
  return "SELECT MASTER_GTID_WAIT(" + sql_string(gtid_text(pos)) + ", " + std::to_string(seconds) + ");\n";
}

std::string repoint_sql(const std::string& change_master, const std::optional<GtidList>& own_position) {
  std::string out = "STOP SLAVE;\n";
  if (own_position) out += "SET GLOBAL gtid_slave_pos = " + sql_string(gtid_text(*own_position)) + ";\n";
  return out + change_master;
}

Result<std::string> pick_failover(const std::vector<DbPosition>& replicas, const std::optional<std::string>& to) {
  std::string reasons;
  const DbPosition* best = nullptr;
  unsigned long long best_progress = 0;
  for (const auto& p : replicas) {
    if (to && p.host != *to) continue;
    auto why = unapplied_reason(p);
    if (why) {
      reasons += "\n  " + p.host + ": " + *why;
      continue;
    }
    auto pos = parse_gtid_list(p.host, p.slave_pos);
    if (!pos) {
      reasons += "\n  " + p.host + ": " + pos.error().message;
      continue;
    }
    unsigned long long progress = gtid_progress(*pos);
    if (!best || progress > best_progress) best = &p, best_progress = progress;
  }
  if (best) return best->host;
  if (to && reasons.empty()) return Diagnostic::error("--to", "'" + *to + "' is not a replica that answered");
  return Diagnostic::error("db failover", "no replica is safe to promote, so nothing was changed:" + reasons);
}

}  // namespace foobar
