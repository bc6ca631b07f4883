#include "facts/probe.h"

#include "facts/db_position.h"

#include "remote/library.h"
#include "util/base64.h"
#include "util/hash.h"
#include "util/sql.h"

#include <map>

namespace foobar {

std::string manifest_path(const std::string& stack_name, const std::string& state_dir) {
  return state_dir + "/" + stack_name + ".json";
}

std::string lock_path(const std::string& stack_name, const std::string& state_dir) {
  return state_dir + "/" + stack_name + ".lock";
}

std::string journal_path(const std::string& stack_name, const std::string& state_dir) {
  return state_dir + "/" + stack_name + ".pending";
}

std::string created_log_path(const std::string& stack_name, const std::string& state_dir) {
  return state_dir + "/" + stack_name + ".created";
}

std::string escape_field(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

std::string unescape_field(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case '0': out += '\0'; break;
      default: out += c;  // "\\" and anything mysql escapes by a plain backslash
    }
  }
  return out;
}

namespace {

bool is_db_kind(ResourceKind k) {
  return k == ResourceKind::database || k == ResourceKind::db_user || k == ResourceKind::replication;
}

std::string account_where(const DbUserState& u) {
  return " FROM mysql.user WHERE User = " + sql_string(u.user) + " AND Host = " + sql_string(u.from_host) + ";";
}

std::string account_name(const DbUserState& u) { return u.user + "@" + u.from_host; }

}  // namespace

// The verdict is reached on the server, so only it comes back. Plugins whose stored
// credential is salted (MySQL 8's caching_sha2_password) cannot be compared: unchecked.
std::string account_auth_sql(const DbUserState& u, const std::optional<std::string>& password) {
  if (u.password_secret.empty())
    return "SELECT IF(plugin = 'unix_socket', 'matches', 'differs'), plugin" + account_where(u);
  if (!password) return "SELECT 'unchecked', plugin" + account_where(u);
  return "SELECT CASE WHEN plugin IN ('mysql_native_password', '') THEN IF(authentication_string = " +
         sql_string(mysql_native_password_hash(*password)) +
         ", 'matches', 'differs') WHEN plugin IN ('caching_sha2_password', 'sha256_password') THEN 'unchecked' "
         "ELSE 'differs' END, plugin" +
         account_where(u);
}

std::string account_grants_sql(const DbUserState& u) {
  return "SHOW GRANTS FOR " + sql_account(u.user, u.from_host) + ";";
}

std::string strip_identified(std::string_view line) {
  auto i = line.find(" IDENTIFIED ");
  if (i == std::string_view::npos) return std::string(line);
  auto with = line.find(" WITH ", i);
  return std::string(line.substr(0, i)) + (with == std::string_view::npos ? "" : std::string(line.substr(with)));
}

// One call per kind (fact_files, fact_dirs, fact_packages, fact_services, fact_db; see
// src/remote/*.sh), so each kind costs the host one pass however many resources it has.
std::string make_probe(const std::string& stack_name, const std::vector<const Resource*>& resources,
                       const std::string& state_dir, const SecretValue& secrets) {
  std::vector<std::string> files, dirs, packages, services, accounts;
  std::vector<std::string> calls{remote::call(
      "fb_probe_begin",
      {std::to_string(k_probe_version), std::to_string(k_probe_content_limit), std::to_string(k_probe_content_budget)})};
  bool db = false, firewall = false;
  for (const Resource* r : resources) {
    switch (r->kind) {
      case ResourceKind::file: {
        const auto& f = std::get<FileState>(r->state);
        // Sensitive files never travel back, nor their hash: the host compares it.
        files.insert(files.end(), {r->name, (f.sensitive ? "secret:" : "") + sha256_hex(f.content)});
        break;
      }
      case ResourceKind::directory: dirs.push_back(r->name); break;
      case ResourceKind::package: packages.push_back(r->name); break;
      case ResourceKind::service: services.push_back(r->name); break;
      case ResourceKind::command: {
        const auto& c = std::get<CommandState>(r->state);
        calls.push_back(remote::call("fact_command", {escape_field(r->name), c.creates, c.unless}));
        break;
      }
      case ResourceKind::firewall: firewall = true; break;
      case ResourceKind::db_user: {
        const auto& u = std::get<DbUserState>(r->state);
        std::optional<std::string> password;
        if (!u.password_secret.empty() && secrets) password = secrets(u.password_secret);
        accounts.insert(accounts.end(), {account_name(u), account_auth_sql(u, password), account_grants_sql(u)});
        break;
      }
      default: break;
    }
    db = db || is_db_kind(r->kind);
  }
  if (!files.empty()) calls.push_back(remote::call("fact_files", files));
  if (!dirs.empty()) calls.push_back(remote::call("fact_dirs", dirs));
  if (!packages.empty()) calls.push_back(remote::call("fact_packages", packages));
  if (!services.empty()) calls.push_back(remote::call("fact_services", services));
  if (firewall) calls.push_back(remote::call("fact_firewall"));
  if (db) calls.push_back(remote::call("fact_db", accounts));
  calls.push_back(
      remote::call("fact_manifest", {manifest_path(stack_name, state_dir), std::to_string(k_probe_manifest_limit)}));
  calls.push_back(remote::call("fact_lock", {lock_path(stack_name, state_dir), std::to_string(k_probe_holder_limit)}));
  // Every host: app hosts carry the running primary's record too, so a plan of the app
  // tier alone is refused as well (src/plan/plan.cc, check_running_primary).
  calls.push_back(remote::call("fact_db_record", {db_record_path(stack_name, state_dir)}));
  calls.push_back(remote::call("fb_probe_state",
                               {journal_path(stack_name, state_dir), created_log_path(stack_name, state_dir)}));
  calls.push_back(remote::call("fb_probe_end"));
  return remote::script(calls);
}

std::vector<std::string_view> split_record(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) return out;
    start = tab + 1;
  }
}

namespace {

struct Parser {
  const std::string& host;
  Facts facts;
  int line_no = 0;
  Diagnostics errors;

  void fail(std::string_view kind, const std::string& what) {
    errors.push_back(Diagnostic::error(
        host, SourcePos{line_no, 0},
        "probe output line " + std::to_string(line_no) + ": malformed '" + std::string(kind) + "' record: " + what));
  }

  bool arity(const std::vector<std::string_view>& f, std::size_t n) {
    if (f.size() == n) return true;
    fail(f[0], "expected " + std::to_string(n - 1) + " fields, got " + std::to_string(f.size() - 1));
    return false;
  }

  std::optional<std::string> b64(std::string_view kind, std::string_view text) {
    auto d = base64_decode(text);
    if (!d) fail(kind, "invalid base64 data");
    return d;
  }

  std::optional<PathFact> path_fact(const std::vector<std::string_view>& f, bool is_file) {
    PathFact p;
    auto type = f[2];
    if (type == "absent") return p;
    if (type == "file" && is_file) p.type = PathType::file;
    else if (type == "directory" && !is_file) p.type = PathType::directory;
    else if (type == "other") p.type = PathType::other;
    else {
      fail(f[0], "unknown path type '" + std::string(type) + "'");
      return std::nullopt;
    }
    std::size_t i = 3;
    if (is_file) p.sha256 = std::string(f[i++]);
    p.mode = std::string(f[i++]);
    if (!p.mode.empty()) p.mode.insert(0, p.mode.size() < 4 ? 4 - p.mode.size() : 0, '0');
    p.owner = std::string(f[i++]);
    p.group = std::string(f[i++]);
    if (is_file && f[i] != "-") {
      auto content = b64(f[0], f[i]);
      if (!content) return std::nullopt;
      p.content = std::move(*content);
    }
    return p;
  }

  // Each record's parser, named after it in the comment of the src/remote/ function
  // that prints it.
  void record(const std::vector<std::string_view>& f) {
    auto kind = f[0];
    if (kind == "file" || kind == "dir") parse_path_record(f);
    else if (kind == "pkg") parse_package_record(f);
    else if (kind == "svc") parse_service_record(f);
    else if (kind == "cmd") parse_command_record(f);
    else if (kind == "firewall") parse_firewall_record(f);
    else if (kind == "manifest") parse_manifest_record(f);
    else if (kind == "lock") parse_lock_record(f);
    else if (kind == "pending" || kind == "created") parse_state_record(f);
    else db_record(f);
  }

  // fact_files, fact_dirs (file.sh)
  void parse_path_record(const std::vector<std::string_view>& f) {
    bool is_file = f[0] == "file";
    if (!arity(f, is_file ? 8 : 6)) return;
    if (auto p = path_fact(f, is_file)) (is_file ? facts.files : facts.dirs)[unescape_field(f[1])] = *p;
  }

  // fact_packages (package.sh)
  void parse_package_record(const std::vector<std::string_view>& f) {
    if (!arity(f, 4)) return;
    PackageFact p;
    if (f[2] == "installed") p.installed = true;
    else if (f[2] == "unknown") p.known = false;
    else if (f[2] != "absent") return fail(f[0], "unknown package state '" + std::string(f[2]) + "'");
    p.version = std::string(f[3]);
    facts.packages[unescape_field(f[1])] = p;
  }

  // fact_services (service.sh)
  void parse_service_record(const std::vector<std::string_view>& f) {
    if (!arity(f, 4)) return;
    if ((f[2] != "running" && f[2] != "stopped") || (f[3] != "enabled" && f[3] != "disabled"))
      return fail(f[0], "expected running|stopped and enabled|disabled");
    facts.services[unescape_field(f[1])] = ServiceFact{f[2] == "running", f[3] == "enabled"};
  }

  // fact_command (guard.sh)
  void parse_command_record(const std::vector<std::string_view>& f) {
    if (!arity(f, 3)) return;
    if (f[2] != "run" && f[2] != "skip") return fail(f[0], "expected run or skip");
    facts.commands[unescape_field(f[1])] = CommandFact{f[2] == "skip"};
  }

  // fact_firewall (firewall.sh)
  void parse_firewall_record(const std::vector<std::string_view>& f) {
    if (!arity(f, 2)) return;
    if (f[1] != "loaded" && f[1] != "unloaded") return fail(f[0], "expected loaded or unloaded");
    facts.firewall = FirewallFact{f[1] == "loaded"};
  }

  // fact_manifest (state.sh)
  void parse_manifest_record(const std::vector<std::string_view>& f) {
    if (!arity(f, 3)) return;
    if (f[1] == "absent") facts.manifest.reset();
    else if (f[1] == "present") facts.manifest = b64(f[0], f[2]);
    else if (f[1] == "toobig")
      errors.push_back(Diagnostic::error(
          host, "the on-host manifest is " + std::string(f[2]) + " bytes, more than the " +
                    std::to_string(k_probe_manifest_limit) +
                    " the probe reads (a manifest lists one line per resource); move it away if "
                    "foobarctl did not write it, and apply again"));
    else fail(f[0], "expected present, toobig or absent");
  }

  // fb_probe_state (state.sh): the pending handlers' journal and the manifest's log.
  void parse_state_record(const std::vector<std::string_view>& f) {
    if (f[0] == "pending") {
      if (!arity(f, 4)) return;
      if (f[1] != "restart" && f[1] != "reload") return fail(f[0], "expected restart or reload");
      facts.pending.push_back({std::string(f[1]), unescape_field(f[2]), unescape_field(f[3])});
    } else {
      if (!arity(f, 2)) return;
      facts.created = b64(f[0], f[1]);
    }
  }

  // fact_lock (state.sh)
  void parse_lock_record(const std::vector<std::string_view>& f) {
    if (!arity(f, 3)) return;
    if (f[1] == "free") facts.lock = LockFact{};
    else if (f[1] == "held") {
      auto holder = b64(f[0], f[2]);
      facts.lock = LockFact{true, holder ? *holder : std::string()};
    } else fail(f[0], "expected held or free");
  }

  // fact_db (db.sh): db, dbname, dbuser, dbauth, dbgrant, dbgrants; the replica record
  // comes from fb_replica_parse (db.sh), which apply's replication checks use too.
  void db_record(const std::vector<std::string_view>& f) {
    auto kind = f[0];
    DbFacts& db = facts.db;
    if (kind == "db") {
      if (!arity(f, 3)) return;
      db.probed = true;
      db.answering = f[1] == "up";
      if (f[1] == "down") {
        auto e = b64(kind, f[2]);
        db.error = e ? *e : "";
      } else if (f[1] != "up") fail(kind, "expected up or down");
    } else if (kind == "dbname") {
      if (arity(f, 2)) db.databases.insert(unescape_field(f[1]));
    } else if (kind == "dbuser") {
      if (arity(f, 3)) db.users.insert(unescape_field(f[1]) + "@" + unescape_field(f[2]));
    } else if (kind == "dbauth") {
      if (!arity(f, 4)) return;
      static const std::map<std::string_view, DbAccountFact::Auth> verdicts{
          {"matches", DbAccountFact::Auth::matches},
          {"differs", DbAccountFact::Auth::differs},
          {"unchecked", DbAccountFact::Auth::unchecked},
          {"missing", DbAccountFact::Auth::missing}};
      auto v = verdicts.find(f[2]);
      if (v == verdicts.end()) return fail(kind, "expected matches, differs, unchecked or missing");
      auto& a = db.accounts[unescape_field(f[1])];
      a.auth = v->second;
      a.plugin = unescape_field(f[3]);
    } else if (kind == "dbgrant") {
      // Cut again here: should a host's probe not have, no hash is kept.
      if (arity(f, 3)) db.accounts[unescape_field(f[1])].grants.push_back(strip_identified(unescape_field(f[2])));
    } else if (kind == "dbgrants") {
      if (!arity(f, 3)) return;
      if (f[2] != "ok" && f[2] != "error") return fail(kind, "expected ok or error");
      auto& a = db.accounts[unescape_field(f[1])];
      a.grants_known = f[2] == "ok";
      if (!a.grants_known) a.grants.clear();
    } else if (kind == "replica") {
      if (f.size() == 2 && f[1] == "none") return db.replica.reset();
      if (!arity(f, 7)) return;
      db.replica = ReplicaFact{f[2] == "Yes",        f[3] == "Yes",         unescape_field(f[4]),
                               std::string(f[5]),    unescape_field(f[6]), std::string(f[2]),
                               std::string(f[3])};
    } else if (kind == "dbrecord") {
      // fact_db_record (db.sh): what db switchover or failover left here.
      if (f.size() == 2 && f[1] == "absent") return;
      if (!arity(f, 3) || f[1] != "present") return fail(kind, "expected absent or present");
      auto text = b64(kind, f[2]);
      std::string primary;
      std::vector<std::string> fence;
      if (!text) return;
      if (!parse_db_record(*text, primary, fence)) return fail(kind, "not a record of the running primary");
      db.recorded_primary = primary;
      db.to_fence = std::move(fence);
    } else {
      fail(kind, "unknown record type");
    }
  }
};

}  // namespace

Result<Facts> parse_probe_output(const std::string& host, std::string_view out) {
  Parser p{host, Facts{}, 0, {}};
  p.facts.host = host;
  bool header = false, end = false;
  std::size_t pos = 0;
  while (pos < out.size() && !end) {
    auto nl = out.find('\n', pos);
    auto line = out.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? out.size() : nl + 1;
    ++p.line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    auto fields = split_record(line);
    if (!header) {
      if (fields.size() != 2 || fields[0] != "foobar-probe" || fields[1] != std::to_string(k_probe_version))
        return Diagnostic::error(host, SourcePos{p.line_no, 0},
                                 "probe output line " + std::to_string(p.line_no) +
                                     ": expected the header 'foobar-probe\\t" + std::to_string(k_probe_version) +
                                     "', got '" + std::string(line.substr(0, 60)) + "'");
      header = true;
    } else if (fields[0] == "end") {
      end = true;
    } else {
      p.record(fields);
    }
  }
  if (!p.errors.empty()) return p.errors;
  if (!header)
    return Diagnostic::error(host, "probe output is empty; expected records starting with 'foobar-probe'");
  if (!end)
    return Diagnostic::error(host, SourcePos{p.line_no, 0},
                             "probe output ends after line " + std::to_string(p.line_no) +
                                 " without its 'end' record; the probe was cut short");
  return std::move(p.facts);
}

}  // namespace foobar
