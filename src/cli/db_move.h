// Changing the running primary of a stack's database tier (docs/day2.md): the
// decisions of `foobarctl db switchover` and `db failover`, without I/O. Who becomes
// primary, who is re-pointed, the stack as it runs afterwards (for the app tier's
// settings and the database hosts' role files), and the SQL each step sends.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "facts/db_position.h"
#include "stack/stack.h"
#include "util/result.h"

namespace foobar {

struct DbMove {
  std::string old_primary, new_primary;
  std::vector<std::string> repoint;  // the other replicas, re-pointed at new_primary
  bool old_rejoins = true;           // switchover: the old primary becomes a replica; failover: fenced
  std::vector<std::string> app_hosts;  // whose write host changes
};

// A switchover to replica `to`; an error names the stack's db tier and the replicas.
Result<DbMove> plan_switchover(const stack::Stack& s, const std::string& to);
// A failover to `to` (a replica, chosen by pick_failover or named).
Result<DbMove> plan_failover(const stack::Stack& s, const std::string& to);

// The stack as it runs after the move: `new_primary` its primary, the re-pointed
// replicas (and, with old_rejoins, the old primary in the new primary's place) its
// replicas.
stack::Stack moved_stack(const stack::Stack& s, const DbMove& m);

// The human plan of the move.
std::string move_text(const stack::Stack& s, const DbMove& m);

// Where the stack file says which host is the primary, and what to write there.
std::string stack_edit_text(const stack::Stack& s, const DbMove& m);

// SELECT MASTER_GTID_WAIT(pos, seconds): 0 once the replica applied `pos`.
std::string gtid_wait_sql(const GtidList& pos, int seconds);
// A former primary starts replicating right after what it wrote itself: its
// gtid_slave_pos is set to its gtid_binlog_pos before CHANGE MASTER (`change_master`,
// from change_master_sql).
std::string repoint_sql(const std::string& change_master, const std::optional<GtidList>& own_position);

// The replica to promote when the primary is gone: `to` if given and safe, else the
// most advanced safe one (by gtid_slave_pos). An error lists each replica's reason.
Result<std::string> pick_failover(const std::vector<DbPosition>& replicas, const std::optional<std::string>& to);

}  // namespace foobar
