// What a switchover or failover reads off a database server (fact_db_position in
// src/remote/db.sh): its GTID positions, whether it is read-only, and its replica
// threads' positions; and the record of the running primary that db switchover and
// failover leave on the database hosts (act_db_record, read back by the probe).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "facts/probe.h"
#include "util/result.h"

namespace foobar {

// One GTID of a position list: DOMAIN-SERVER-SEQ.
struct Gtid {
  unsigned long long domain = 0, server = 0, seq = 0;
};
// A position list (@@gtid_slave_pos and friends): one GTID a domain.
using GtidList = std::map<unsigned long long, Gtid>;

// "" or DOMAIN-SERVER-SEQ[,DOMAIN-SERVER-SEQ]...: the only text foobarctl passes on as
// a position; anything else is an error naming `where`.
Result<GtidList> parse_gtid_list(const std::string& where, std::string_view text);
std::string gtid_text(const GtidList& list);
// Every domain of `want` is in `have` at least as far.
bool gtid_reached(const GtidList& have, const GtidList& want);
// The sum of sequence numbers: which of several replicas of one primary is furthest.
unsigned long long gtid_progress(const GtidList& list);

struct RelayFact {
  std::string source_host;
  std::string io, sql;  // Yes, No, Connecting
  std::string source_log, exec_log;
  long long read_pos = -1, exec_pos = -1;
  std::string gtid_io_pos;  // what the IO thread received
  std::string sql_state;    // Slave_SQL_Running_State
};

struct DbPosition {
  std::string host;
  bool up = false;
  std::string error;  // why the server did not answer
  bool read_only = false;
  std::string binlog_pos, slave_pos, current_pos;
  std::optional<RelayFact> relay;  // nullopt: not a replica
};

Result<DbPosition> parse_position_output(const std::string& host, std::string_view out);

// Why `p` (a replica of a primary that is gone) may not be promoted without losing
// what it received: nullopt when it applied everything its IO thread received.
std::optional<std::string> unapplied_reason(const DbPosition& p);

// The record file's path and content: "primary NAME" then "fence HOST" lines.
std::string db_record_path(const std::string& stack_name, const std::string& state_dir = k_state_dir);
std::string db_record_text(const std::string& primary, const std::vector<std::string>& to_fence);
// The record's content into `primary` and `to_fence`; false when it is not one.
bool parse_db_record(std::string_view text, std::string& primary, std::vector<std::string>& to_fence);

}  // namespace foobar
