#include "apply/operations.h"

#include "facts/probe.h"
#include "remote/library.h"
#include "util/sql.h"

namespace foobar {

std::string journal_line(OnChange action, const std::string& service, const std::string& source) {
  return std::string(to_string(action)) + "\t" + escape_field(service) + "\t" +
         escape_field(source);
}

namespace {

// The table templates/nftables.conf.j2 declares; removing it leaves other rules alone.
const char* const k_firewall_table = "foobar";

RemoteOp op(std::string function, std::vector<std::string> args, std::string input = "") {
  return RemoteOp{RemoteCall{std::move(function), std::move(args)}, std::move(input)};
}

// SQL goes through stdin to the local server's root account (unix socket).
RemoteOp sql_op(std::string sql) { return op("act_sql", {}, std::move(sql)); }

Result<std::string> secret_value(const std::string& name, const std::string& host,
                                 const SecretLookup& secrets) {
  auto v = secrets ? secrets(name) : std::nullopt;
  if (!v)
    return Diagnostic::error(host, "secret '" + name + "' is not set; export FOOBAR_SECRET_" + name +
                                       " or add it to the secrets file");
  return *v;
}

}  // namespace

// Points the replica at its primary from its gtid_slave_pos and starts it.
Result<std::string> change_master_sql(const Resource& r, const SecretLookup& secrets) {
  const auto& rep = std::get<ReplicationState>(r.state);
  auto pw = secret_value(rep.password_secret, r.host, secrets);
  if (!pw.ok()) return pw.diagnostics();
  return "CHANGE MASTER TO MASTER_HOST=" + sql_string(rep.primary_address) + ", MASTER_USER=" +
         sql_string(rep.user) + ", MASTER_PASSWORD=" + sql_string(*pw) +
         ", MASTER_USE_GTID=slave_pos;\nSTART SLAVE;\n";
}

Result<RemoteOp> seed_replica_op(const Resource& r, const SecretLookup& secrets) {
  if (r.kind != ResourceKind::replication)
    return Diagnostic::error(r.host, "resource '" + r.id() + "' is not a replication link; only replicas are seeded");
  auto sql = change_master_sql(r, secrets);
  if (!sql.ok()) return sql.diagnostics();
  const auto& rep = std::get<ReplicationState>(r.state);
  RemoteOp seed = op("act_seed_import", {k_seed_marker}, "\n" + *sql);
  seed.input_from = StdinFrom{rep.primary_host, RemoteCall{"fb_seed_dump", {}}};
  return seed;
}

Result<RemoteOp> converge_op(const Resource& r, const SecretLookup& secrets, const std::vector<Grant>& revoke) {
  switch (r.kind) {
    case ResourceKind::package:
      return op("act_package", {r.name});
    case ResourceKind::directory: {
      const auto& d = std::get<DirectoryState>(r.state);
      return op("act_dir", {r.name, d.owner, d.group, d.mode});
    }
    case ResourceKind::file: {
      const auto& f = std::get<FileState>(r.state);
      return op("act_file", {r.name, f.owner, f.group, f.mode, f.validate}, f.content);
    }
    case ResourceKind::service: {
      const auto& s = std::get<ServiceState>(r.state);
      return op("act_service", {r.name, s.running ? "running" : "stopped", s.enabled ? "enabled" : "keep"});
    }
    case ResourceKind::firewall: {
      const auto& fw = std::get<FirewallState>(r.state);
      return op("act_firewall", {fw.ruleset_path});
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
      return op("act_replication", {}, "STOP SLAVE;\n" + *sql);
    }
    case ResourceKind::command: {
      const auto& c = std::get<CommandState>(r.state);
      return op("act_command", {c.command, c.creates, c.unless});
    }
  }
  return Diagnostic::error(r.host, "resource '" + r.id() + "' has a kind apply does not know");
}

RemoteOp remove_op(ResourceKind kind, const std::string& name, bool purge) {
  switch (kind) {
    case ResourceKind::package:
      return op("act_package_remove", {name, purge ? "purge" : "keep"});
    case ResourceKind::directory:
      return op("act_dir_remove", {name});
    case ResourceKind::file:
      return op("act_file_remove", {name});
    case ResourceKind::service:
      return op("act_service_remove", {name});
    case ResourceKind::firewall:
      return op("act_firewall_remove", {k_firewall_table});
    case ResourceKind::database:
      return purge ? sql_op("DROP DATABASE IF EXISTS " + sql_identifier(name) + ";\n") : op("true", {});
    case ResourceKind::db_user: {
      // name is "user@host"
      auto at = name.rfind('@');
      std::string user = name.substr(0, at), host = at == std::string::npos ? "%" : name.substr(at + 1);
      return sql_op("DROP USER IF EXISTS " + sql_account(user, host) + ";\n");
    }
    case ResourceKind::replication:
      return sql_op("STOP SLAVE;\nRESET SLAVE ALL;\n");
    case ResourceKind::command:
      return op("true", {});
  }
  return op("true", {});
}

RemoteOp service_op(const std::string& service, OnChange action) {
  return op("act_service_do", {service, to_string(action)});
}

std::string RemoteCall::text() const { return remote::call(function, args); }

}  // namespace foobar
