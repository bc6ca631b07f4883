// Database grants compared the way the server means them, not the way they are
// spelled: a stack grant ("SELECT, INSERT ON foobar.*") and a SHOW GRANTS line
// ("GRANT SELECT, INSERT ON `foobar`.* TO `app`@`%` IDENTIFIED BY PASSWORD '*..'")
// both become single privileges on single objects. See docs/database-users.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace foobar {

// One privilege on one object, or one role.
struct Grant {
  std::string privilege;             // canonical upper case: "SELECT", "ALL PRIVILEGES", "GRANT OPTION"
  std::vector<std::string> columns;  // column privileges: "SELECT (a, b)"
  std::string object;                // as shown: "foobar.*", "*.*", "PROCEDURE foobar.p"; empty for a role
  std::string object_sql;            // quoted for a statement: "`foobar`.*"
  bool role = false;                 // `privilege` is then the role's name

  std::string text() const;  // "SELECT ON foobar.*", "ROLE admin"
  std::string key() const;   // text() case-folded: what two grants are compared by
};

// Parses a stack grant or one line of SHOW GRANTS (a leading GRANT, the TO part and
// an IDENTIFIED part are skipped; WITH GRANT OPTION becomes a "GRANT OPTION" grant).
// USAGE grants nothing and is dropped; privileges take their current names
// (ALL -> ALL PRIVILEGES, REPLICATION CLIENT -> BINLOG MONITOR, ...).
Result<std::vector<Grant>> parse_grant(std::string_view statement);

struct GrantDiff {
  std::vector<Grant> missing;  // wanted, not held
  std::vector<Grant> extra;    // held, not wanted
  bool empty() const { return missing.empty() && extra.empty(); }
};

// A wanted privilege on an object the account holds ALL PRIVILEGES on is held.
GrantDiff diff_grants(const std::vector<Grant>& want, const std::vector<Grant>& have);

// "grants differ: missing SELECT ON foobar.*, extra DELETE ON foobar.*"
std::string grant_diff_reason(const GrantDiff& d);

// "REVOKE SELECT ON `foobar`.* FROM <account_sql>;"
std::string revoke_statement(const Grant& g, const std::string& account_sql);

}  // namespace foobar
