// The facts probe: one generated POSIX sh script per host, run in one exec, whose
// output (tab-separated line records, see docs/plan.md) parses into Facts. Both
// halves are pure functions; running the script is the caller's one round trip.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "facts/facts.h"
#include "graph/resource.h"
#include "util/result.h"

namespace foobar {

inline constexpr int k_probe_version = 1;
// Old file content is sent back (for diffs) only below this size, and only while
// the contents sent so far stay within the budget. With the manifest and lock
// holder limits this keeps a probe's output well under the connector's cap
// (transport::k_output_cap), however many files differ.
inline constexpr std::size_t k_probe_content_limit = 1 << 20;
inline constexpr std::size_t k_probe_content_budget = 4 << 20;
// A larger manifest is reported as too big instead of read.
inline constexpr std::size_t k_probe_manifest_limit = 1 << 20;
// At most this much of the lock holder's line is read.
inline constexpr std::size_t k_probe_holder_limit = 4096;

// Where foobarctl keeps its per-stack state on a host.
inline constexpr const char* k_state_dir = "/var/lib/foobarctl";
std::string manifest_path(const std::string& stack_name, const std::string& state_dir = k_state_dir);
std::string lock_path(const std::string& stack_name, const std::string& state_dir = k_state_dir);
// The journal of pending handlers, and the log of resources created since the
// manifest was written (src/remote/state.sh).
std::string journal_path(const std::string& stack_name, const std::string& state_dir = k_state_dir);
std::string created_log_path(const std::string& stack_name, const std::string& state_dir = k_state_dir);

// Looks a secret's value up by name; nullopt when it is not set.
using SecretValue = std::function<std::optional<std::string>(const std::string& name)>;

// The probe for the given resources of one host. `state_dir` is overridable for tests.
// With `secrets`, each managed database account's password is compared on the host
// against the hash of its secret (the hash travels inside the script, which goes to
// sh on stdin, and from there to mysql on stdin); without, it is not checked.
// The script holds that hash: never log or print it.
std::string make_probe(const std::string& stack_name, const std::vector<const Resource*>& resources,
                       const std::string& state_dir = k_state_dir, const SecretValue& secrets = {});

// The SQL the probe runs for a managed account: the verdict on its credential
// (matches|differs|unchecked, and its plugin) and its grants.
std::string account_auth_sql(const DbUserState& user, const std::optional<std::string>& password);
std::string account_grants_sql(const DbUserState& user);

// A SHOW GRANTS line without its IDENTIFIED part (which holds the password hash).
std::string strip_identified(std::string_view grant_line);

Result<Facts> parse_probe_output(const std::string& host, std::string_view out);

// A record line's fields (split at tabs, still escaped).
std::vector<std::string_view> split_record(std::string_view line);

// Field escaping of the record format: backslash, tab, newline and CR become
// \\ \t \n \r (the escapes `mysql -B` uses, so its output passes through as is).
std::string escape_field(std::string_view s);
std::string unescape_field(std::string_view s);

}  // namespace foobar
