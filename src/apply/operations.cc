#include "apply/operations.h"

#include "util/shell.h"
#include "util/sql.h"

namespace foobar {

namespace {

// Runs `verb` on a service with systemd when it is PID 1, else the init script. systemd
// acts on the unit it has loaded: when the unit file changed on disk (or appeared),
// daemon-reload first, so a changed unit is what starts.
std::string service_cmd(const std::string& service, const std::string& verb) {
  std::string q = shell_quote(service);
  return "if [ -d /run/systemd/system ]; then case \"$(systemctl show -p NeedDaemonReload -p LoadState --value -- " +
         q + " 2>/dev/null)\" in *yes*|*not-found*) systemctl daemon-reload ;; esac; systemctl " + verb + " " + q +
         "; else service " + q + " " + verb + "; fi";
}

std::string file_op(const std::string& path, const FileState& f) {
  const std::string p = shell_quote(path);
  std::string s = "set -e\np=" + p +
                  "\nd=$(dirname \"$p\")\nmkdir -p \"$d\"\n"
                  "t=\"$d/.$(basename \"$p\").foobarctl-new\"\n"
                  "trap 'rm -f \"$t\"' EXIT\n"
                  "(umask 077; cat > \"$t\")\n"
                  "chown " + shell_quote(f.owner + ":" + f.group) + " \"$t\"\n"
                  "chmod " + shell_quote(f.mode) + " \"$t\"\n"
                  "sync \"$t\" 2>/dev/null || true\n";
  const auto brace = f.validate.find("{}");
  if (f.validate.empty()) {
    s += "mv -f \"$t\" \"$p\"\n";
  } else if (brace != std::string::npos) {
    std::string check = f.validate;
    check.replace(brace, 2, "\"$t\"");
    s += "if ! out=$(" + check + " 2>&1); then printf '%s\\n' \"$out\" >&2; exit " +
         std::to_string(k_validation_failed_status) + "; fi\nmv -f \"$t\" \"$p\"\n";
  } else {
    // The checker reads the installed config: install, check, and put the old one back on failure.
    s += "b=\"$p.foobarctl-old\"\nhad=0\n"
         "if [ -e \"$p\" ]; then cp -p \"$p\" \"$b\"; had=1; fi\n"
         "mv -f \"$t\" \"$p\"\n"
         "if ! out=$(" + f.validate + " 2>&1); then\n"
         "  if [ $had = 1 ]; then mv -f \"$b\" \"$p\"; else rm -f \"$p\"; fi\n"
         "  printf '%s\\n' \"$out\" >&2; exit " + std::to_string(k_validation_failed_status) + "\n"
         "fi\nrm -f \"$b\"\n";
  }
  return s;
}

// After START SLAVE: wait (up to 30 s) until both replication threads run, else
// fail with the server's own status lines, so a broken link fails apply itself.
const std::string k_replication_running_check =
    "i=0; while [ $i -lt 30 ]; do st=$(mysql -e 'SHOW SLAVE STATUS\\G'); case \"$st\" in "
    "*'Slave_IO_Running: Yes'*'Slave_SQL_Running: Yes'*) exit 0;; esac; i=$((i+1)); sleep 1; done; "
    "echo 'replication is not running after 30 s:' >&2; "
    "printf '%s\\n' \"$st\" | grep -E 'Running:|Last_(IO_|SQL_)?Error:' >&2; exit 1";

// SQL goes through stdin to the local server's root account (unix socket).
RemoteOp sql_op(std::string sql) { return {"mysql --batch --skip-column-names", std::move(sql)}; }

Result<std::string> secret_value(const std::string& name, const std::string& host,
                                 const SecretLookup& secrets) {
  auto v = secrets ? secrets(name) : std::nullopt;
  if (!v)
    return Diagnostic::error(host, "secret '" + name + "' is not set; export FOOBAR_SECRET_" + name +
                                       " or add it to the secrets file");
  return *v;
}

// Points the replica at its primary from its gtid_slave_pos and starts it.
Result<std::string> change_master_sql(const Resource& r, const SecretLookup& secrets) {
  const auto& rep = std::get<ReplicationState>(r.state);
  auto pw = secret_value(rep.password_secret, r.host, secrets);
  if (!pw.ok()) return pw.diagnostics();
  return "CHANGE MASTER TO MASTER_HOST=" + sql_string(rep.primary_address) + ", MASTER_USER=" +
         sql_string(rep.user) + ", MASTER_PASSWORD=" + sql_string(*pw) +
         ", MASTER_USE_GTID=slave_pos;\nSTART SLAVE;\n";
}

const std::string k_system_schemas = "('mysql','information_schema','performance_schema','sys')";

// On the primary: every non-system database plus the accounts (as CREATE USER IF NOT
// EXISTS and GRANT), in one InnoDB snapshot. --master-data=1 with --gtid ends the dump
// with SET GLOBAL gtid_slave_pos at that snapshot, so the replica starts right after it.
std::string dump_command() {
  return "set -e\n"
         "dbs=$(mysql -N -B -e \"SELECT schema_name FROM information_schema.schemata WHERE schema_name NOT IN " +
         k_system_schemas +
         " ORDER BY schema_name\")\n"
         "set --\n"
         "if [ -n \"$dbs\" ]; then\n"
         "  while IFS= read -r d; do set -- \"$@\" \"$d\"; done <<EOF\n"
         "$dbs\n"
         "EOF\n"
         "  set -- --databases \"$@\"\n"
         "fi\n"
         "exec mysqldump --single-transaction --gtid --master-data=1 --routines --events --triggers --hex-blob "
         "--system=users --insert-ignore \"$@\"\n";
}

// On the replica: refuse when it is a replica already (exit 5) or holds tables of its
// own (exit 4, unless a previous seed was interrupted), then import with binary
// logging off for the session, so the replica's own binlog gets no GTIDs.
std::string import_command() {
  const std::string marker = shell_quote(k_seed_marker);
  return "set -e\n"
         "st=$(mysql -N -B -e 'SHOW SLAVE STATUS')\n"
         "h=$(printf '%s\\n' \"$st\" | head -n 1 | cut -f 2)\n"
         "if [ -n \"$h\" ]; then echo \"already a replica of $h: not seeded\" >&2; exit " +
         std::to_string(k_already_replica_status) +
         "; fi\n"
         "if [ ! -e " + marker + " ]; then\n"
         "  t=$(mysql -N -B -e \"SELECT GROUP_CONCAT(DISTINCT table_schema ORDER BY table_schema SEPARATOR ', ') "
         "FROM information_schema.tables WHERE table_schema NOT IN " + k_system_schemas + "\")\n"
         "  if [ -n \"$t\" ] && [ \"$t\" != NULL ]; then\n"
         "    echo \"the server is not a replica yet but already holds tables in: $t. Seeding would overwrite "
         "them, so nothing was changed. Move that data to the primary (or elsewhere) and drop those databases "
         "here, then apply again (see docs/replication.md)\" >&2\n"
         "    exit " + std::to_string(k_seed_refused_status) + "\n"
         "  fi\n"
         "fi\n"
         "mkdir -p \"$(dirname " + marker + ")\"\n"
         ": > " + marker + "\n"
         "{ printf 'SET SESSION sql_log_bin=0;\\n'; cat; } | mysql --batch\n"
         "rm -f " + marker + "\n" + k_replication_running_check + "\n";
}

}  // namespace

Result<RemoteOp> seed_replica_op(const Resource& r, const SecretLookup& secrets) {
  if (r.kind != ResourceKind::replication)
    return Diagnostic::error(r.host, "resource '" + r.id() + "' is not a replication link; only replicas are seeded");
  auto sql = change_master_sql(r, secrets);
  if (!sql.ok()) return sql.diagnostics();
  const auto& rep = std::get<ReplicationState>(r.state);
  return RemoteOp{import_command(), "\n" + *sql, StdinFrom{rep.primary_host, dump_command()}};
}

Result<RemoteOp> converge_op(const Resource& r, const SecretLookup& secrets, const std::vector<Grant>& revoke) {
  const std::string q = shell_quote(r.name);
  switch (r.kind) {
    case ResourceKind::package:
      return RemoteOp{"dpkg-query -W -f='${Status}' " + q +
                          " 2>/dev/null | grep -q 'install ok installed' || "
                          "DEBIAN_FRONTEND=noninteractive apt-get install -y -q " + q,
                      ""};
    case ResourceKind::directory: {
      const auto& d = std::get<DirectoryState>(r.state);
      return RemoteOp{"mkdir -p " + q + " && chown " + shell_quote(d.owner + ":" + d.group) + " " + q +
                          " && chmod " + shell_quote(d.mode) + " " + q,
                      ""};
    }
    case ResourceKind::file: {
      const auto& f = std::get<FileState>(r.state);
      return RemoteOp{file_op(r.name, f), f.content};
    }
    case ResourceKind::service: {
      const auto& s = std::get<ServiceState>(r.state);
      std::string cmd;
      if (s.enabled)
        cmd = "if [ -d /run/systemd/system ]; then systemctl enable " + q +
              "; else update-rc.d " + q + " defaults >/dev/null 2>&1 || true; fi";
      else
        cmd = "true";
      cmd += s.running ? "; " + service_cmd(r.name, "status") + " >/dev/null 2>&1 || " +
                             service_cmd(r.name, "start")
                       : "; " + service_cmd(r.name, "stop") + " || true";
      return RemoteOp{cmd, ""};
    }
    case ResourceKind::firewall: {
      const auto& fw = std::get<FirewallState>(r.state);
      return RemoteOp{"nft -f " + shell_quote(fw.ruleset_path), ""};
    }
    case ResourceKind::database:
      return sql_op("CREATE DATABASE IF NOT EXISTS " + sql_identifier(r.name) + ";\n");
    case ResourceKind::db_user: {
      const auto& u = std::get<DbUserState>(r.state);
      std::string who = sql_account(u.user, u.from_host), auth = "IDENTIFIED VIA unix_socket";
      if (!u.password_secret.empty()) {  // no secret: the OS user of the same name, over the socket
        auto pw = secret_value(u.password_secret, r.host, secrets);
        if (!pw.ok()) return pw.diagnostics();
        auth = "IDENTIFIED BY " + sql_string(*pw);
      }
      std::string sql = "CREATE USER IF NOT EXISTS " + who + " " + auth + ";\nALTER USER " + who + " " + auth + ";\n";
      for (const auto& g : revoke) sql += revoke_statement(g, who) + "\n";
      for (const auto& g : u.grants) sql += "GRANT " + g + " TO " + who + ";\n";
      return sql_op(sql);
    }
    case ResourceKind::replication: {
      auto sql = change_master_sql(r, secrets);
      if (!sql.ok()) return sql.diagnostics();
      RemoteOp op = sql_op("STOP SLAVE;\n" + *sql);
      op.command += " && { " + k_replication_running_check + "; }";
      return op;
    }
    case ResourceKind::command: {
      const auto& c = std::get<CommandState>(r.state);
      std::string cmd = c.command;
      if (!c.creates.empty()) cmd = "[ -e " + shell_quote(c.creates) + " ] || { " + cmd + "; }";
      if (!c.unless.empty()) cmd = "( " + c.unless + " ) >/dev/null 2>&1 || { " + cmd + "; }";
      return RemoteOp{cmd, ""};
    }
  }
  return Diagnostic::error(r.host, "resource '" + r.id() + "' has a kind apply does not know");
}

RemoteOp remove_op(ResourceKind kind, const std::string& name, bool purge) {
  const std::string q = shell_quote(name);
  switch (kind) {
    case ResourceKind::package:
      return {purge ? "DEBIAN_FRONTEND=noninteractive apt-get purge -y -q " + q : "true", ""};
    case ResourceKind::directory:
      return {"rmdir " + q + " 2>/dev/null || true", ""};
    case ResourceKind::file:
      return {"rm -f " + q, ""};
    case ResourceKind::service:
      return {service_cmd(name, "stop") + " || true; if [ -d /run/systemd/system ]; then systemctl disable " +
                  q + " || true; else update-rc.d -f " + q + " remove >/dev/null 2>&1 || true; fi",
              ""};
    case ResourceKind::firewall:
      return {"nft delete table inet foobar 2>/dev/null || true", ""};
    case ResourceKind::database:
      return purge ? sql_op("DROP DATABASE IF EXISTS " + sql_identifier(name) + ";\n") : RemoteOp{"true", ""};
    case ResourceKind::db_user: {
      // name is "user@host"
      auto at = name.rfind('@');
      std::string user = name.substr(0, at), host = at == std::string::npos ? "%" : name.substr(at + 1);
      return sql_op("DROP USER IF EXISTS " + sql_account(user, host) + ";\n");
    }
    case ResourceKind::replication:
      return sql_op("STOP SLAVE;\nRESET SLAVE ALL;\n");
    case ResourceKind::command:
      return {"true", ""};
  }
  return {"true", ""};
}

RemoteOp service_op(const std::string& service, OnChange action) {
  return {service_cmd(service, action == OnChange::reload ? "reload" : "restart"), ""};
}

}  // namespace foobar
