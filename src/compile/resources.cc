#include "compile/resources.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "compile/context.h"
#include "compile/secrets.h"
#include "remote/library.h"

namespace foobar::compile {

namespace {

const std::vector<RoleSpec>& role_specs() {
  // Order matters: it is the order resources of a host are listed in.
  static const std::vector<RoleSpec> specs = {
      {Role::firewall, {"nftables"}, "", OnChange::reload},
      {Role::lb, {"haproxy", "openssl", "socat"}, "haproxy", OnChange::reload},
      {Role::keepalived, {"keepalived", "psmisc"}, "keepalived", OnChange::reload},
      {Role::web, {"nginx", "openssl"}, "nginx", OnChange::reload},
      {Role::app, {"gunicorn", "python3-flask", "python3-pymysql"}, "foobar-app", OnChange::restart},
      {Role::db, {"mariadb-server"}, "mariadb", OnChange::restart},
      {Role::collector, {"prometheus"}, "prometheus", OnChange::reload},
      {Role::alertmanager, {"prometheus-alertmanager"}, "prometheus-alertmanager", OnChange::reload},
      {Role::node_exporter, {"prometheus-node-exporter"}, "prometheus-node-exporter", OnChange::restart},
      {Role::nginx_exporter, {"prometheus-nginx-exporter"}, "prometheus-nginx-exporter", OnChange::restart},
      {Role::mysqld_exporter, {"prometheus-mysqld-exporter"}, "prometheus-mysqld-exporter", OnChange::restart},
      {Role::logs, {"rsyslog", "rsyslog-relp"}, "rsyslog", OnChange::restart},  // central logs, rsyslogd -N1
      {Role::log_store, {"logrotate"}, "", OnChange::reload},                    // the log collector's rotation
      {Role::dns, {"nsd"}, "nsd", OnChange::reload},  // authoritative for the zone; nsd-checkzone validates it
      // No package: openssh-server is how foobarctl comes in, so destroy --purge must
      // never remove it (and act_service_remove never stops sshd).
      {Role::ssh, {}, "ssh", OnChange::reload},
  };
  return specs;
}

// The specs of the host's roles, in role_specs() order.
std::vector<const RoleSpec*> roles_of(const HostModel& m) {
  std::vector<const RoleSpec*> out;
  for (const auto& spec : role_specs())
    if (m.has(spec.role)) out.push_back(&spec);
  return out;
}

// Collects one host's resources; per role it remembers what a file needs first
// (packages, directories, certificates) and what the role's service waits for.
class HostBuilder {
 public:
  HostBuilder(const Topology& topo, const HostModel& model)
      : m_topo(topo), m_model(model), m_host(model.name), m_roles(roles_of(model)) {}

  std::string add(ResourceKind kind, const std::string& name, DesiredState state,
                  std::vector<std::string> deps = {}, std::vector<Notify> notify = {}) {
    Resource r{m_host, kind, name, std::move(state), std::move(deps), std::move(notify)};
    std::string id = r.id();
    m_resources.push_back(std::move(r));
    return id;
  }
  // A resource files of `role` must wait for.
  void prereq(Role role, const std::string& id) {
    m_prereqs[role].push_back(id);
    m_members[role].push_back(id);
  }
  void member(Role role, const std::string& id) { m_members[role].push_back(id); }

  void build(const std::vector<RenderedFile>& files, const std::vector<SourceFile>& source);
  std::vector<Resource> take() { return std::move(m_resources); }

 private:
  bool has(Role role) const { return m_model.has(role); }
  std::string service_id(const std::string& host, const std::string& service) const {
    return make_resource_id(host, ResourceKind::service, service);
  }
  std::vector<Notify> notify_role(Role role, std::optional<OnChange> action = {}) const {
    const RoleSpec& spec = role_spec(role);
    if (spec.service.empty()) return {};
    return {{service_id(m_host, spec.service), action.value_or(spec.on_change)}};
  }

  void packages();
  void directories();
  void directory(Role role, const std::string& path, std::string mode, std::string owner);
  void certificates();
  void monitoring_certificates();
  void nginx_default_site();
  void rendered(const std::vector<RenderedFile>& files);
  void secret_env();
  void transfer_key();
  void app_source(const std::vector<SourceFile>& source);
  void nginx_site_link();
  void firewall();
  void services();
  std::vector<std::string> cross_host_deps(Role role) const;
  void databases();
  void replication();

  const Topology& m_topo;
  const HostModel& m_model;
  std::string m_host;
  std::vector<const RoleSpec*> m_roles;
  std::vector<Resource> m_resources;
  std::map<Role, std::vector<std::string>> m_prereqs, m_members;
  std::string m_firewall_id;
};

void HostBuilder::build(const std::vector<RenderedFile>& files, const std::vector<SourceFile>& source) {
  packages();
  directories();
  certificates();
  monitoring_certificates();
  nginx_default_site();
  transfer_key();
  rendered(files);
  secret_env();
  app_source(source);
  nginx_site_link();
  firewall();
  services();
  databases();
  replication();
}

void HostBuilder::packages() {
  std::vector<std::string> seen;
  for (const RoleSpec* spec : m_roles)
    for (const auto& p : spec->packages) {
      if (p == "openssl" && !(spec->role == Role::lb ? m_topo.tls : m_topo.reencrypt)) continue;
      std::string id = make_resource_id(m_host, ResourceKind::package, p);
      if (std::find(seen.begin(), seen.end(), p) == seen.end()) {
        add(ResourceKind::package, p, PackageState{});
        seen.push_back(p);
      }
      prereq(spec->role, id);
    }
}

// A directory two roles need (/etc/foobar) is made once; both wait for it.
void HostBuilder::directory(Role role, const std::string& path, std::string mode,
                            std::string owner) {
  std::string id = make_resource_id(m_host, ResourceKind::directory, path);
  bool made = std::any_of(m_resources.begin(), m_resources.end(), [&](const Resource& r) { return r.id() == id; });
  std::string group = owner;
  if (!made) add(ResourceKind::directory, path, DirectoryState{std::move(mode), std::move(owner), group}, m_prereqs[role]);
  prereq(role, id);
}

void HostBuilder::directories() {
  const auto& tiers = m_topo.stack->tiers;
  if (has(Role::web)) directory(Role::web, tiers.web->root.value, "0755", "root");
  if (has(Role::web) && m_topo.reencrypt) directory(Role::web, "/etc/ssl/foobar", "0700", "root");
  if (has(Role::lb) && m_topo.tls) directory(Role::lb, "/etc/haproxy/certs", "0700", "root");
  if (has(Role::app)) {
    directory(Role::app, "/etc/foobar", "0755", "root");
    directory(Role::app, tiers.app->path.value, "0755", "root");
    directory(Role::app, k_app_log_dir, "0750", tiers.app->user.value);  // as the init script makes it
  }
  // The binary log lives here (mariadb.cnf.j2); Debian does not always create it.
  if (has(Role::db)) directory(Role::db, "/var/log/mysql", "2750", "mysql");
  if (has(Role::mysqld_exporter)) directory(Role::mysqld_exporter, "/etc/foobar", "0755", "root");
  if (has(Role::dns) && m_model.is_primary_nameserver()) directory(Role::dns, "/etc/foobar/dns", "0755", "root");
}

// A call of fb_tls_self_signed (src/remote/guard.sh): CN plus the aliases as DNS names.
std::string self_signed_command(const std::string& cn, const std::vector<std::string>& alt, const std::string& key,
                                const std::string& crt, const std::string& bundle = "") {
  std::string names;
  for (const auto& a : alt) names += (names.empty() ? "" : ",") + a;
  std::vector<std::string> args{cn, names, key, crt};
  if (!bundle.empty()) args.push_back(bundle);
  return remote::call("fb_tls_self_signed", args);
}

// Self-signed certificates are made once on the host (`creates:`); a PEM bundle
// from a secret is a sensitive file, checked with HAProxy's whole config in place.
void HostBuilder::certificates() {
  const auto& aliases = m_topo.server_aliases;
  const auto& cert = m_topo.tls ? m_topo.stack->tiers.lb->tls->certificate : stack::Certificate{};
  if (has(Role::lb) && m_topo.tls && cert.bundle) {
    FileState st{secret_placeholder(cert.bundle->name, SecretFormat::block), "0600", "root", "root",
                 "haproxy -c -f /etc/haproxy/haproxy.cfg", true, "secret " + cert.bundle->name};
    prereq(Role::lb, add(ResourceKind::file, k_haproxy_pem, std::move(st), m_prereqs[Role::lb], notify_role(Role::lb)));
  }
  if (has(Role::lb) && m_topo.tls && m_topo.stack->tiers.lb->tls->certificate.self_signed) {
    std::string pem = k_haproxy_pem, tmp = pem + ".new";
    std::string cmd = self_signed_command(m_topo.server_name, aliases, tmp + ".key", tmp + ".crt", pem);
    prereq(Role::lb, add(ResourceKind::command, "tls-self-signed", CommandState{cmd, pem, ""}, m_prereqs[Role::lb],
                     notify_role(Role::lb)));
  }
  if (has(Role::web) && m_topo.reencrypt) {
    std::string cmd = self_signed_command(m_topo.server_name, aliases, k_web_key, k_web_cert);
    prereq(Role::web, add(ResourceKind::command, "tls-self-signed", CommandState{cmd, k_web_cert, ""},
                      m_prereqs[Role::web], notify_role(Role::web)));
  }
}

// The monitoring CA and this host's certificate bundle, from secrets, before every
// file that names them (HAProxy's and nginx's configs are checked with them in place).
// The exporters and Prometheus read them as the prometheus user, and again at every
// connection; HAProxy and nginx read them at a reload, rsyslog (root) at a restart.
void HostBuilder::monitoring_certificates() {
  if (!m_topo.stack->monitoring) return;
  std::vector<Role> readers;
  for (Role role : {Role::collector, Role::node_exporter, Role::mysqld_exporter, Role::lb, Role::web, Role::logs}) {
    if (!has(role)) continue;
    if (role == Role::web && !has(Role::nginx_exporter)) continue;
    readers.push_back(role);
  }
  if (readers.empty()) return;
  const Role first = readers.front();
  const bool prometheus_user = first == Role::collector || first == Role::node_exporter || first == Role::mysqld_exporter;
  const std::string owner = prometheus_user ? "prometheus" : "root";
  for (Role role : readers) directory(role, k_monitoring_dir, "0755", "root");
  std::vector<Notify> notify;
  for (Role role : {Role::lb, Role::web, Role::logs})
    if (std::find(readers.begin(), readers.end(), role) != readers.end())
      for (auto& n : notify_role(role)) notify.push_back(std::move(n));
  auto file = [&](const std::string& path, const std::string& secret, const char* mode, const std::string& check) {
    FileState st{secret_placeholder(secret, SecretFormat::block), mode, owner, owner,
                 "sh -c 'command -v openssl >/dev/null || exit 0; " + check + "' sh {}", true, "secret " + secret};
    std::string id = add(ResourceKind::file, path, std::move(st), m_prereqs[first], notify);
    for (Role role : readers) prereq(role, id);
  };
  file(k_monitoring_ca, k_monitoring_ca_secret, "0644", "openssl x509 -noout -in \"$1\"");
  file(k_monitoring_pem, monitoring_cert_secret(m_host), "0600",
       "openssl x509 -noout -in \"$1\" && openssl pkey -noout -in \"$1\"");
}

// The distribution's default site is also a default_server on :80.
void HostBuilder::nginx_default_site() {
  if (!has(Role::web)) return;
  const std::string def = "/etc/nginx/sites-enabled/default";
  prereq(Role::web, add(ResourceKind::command, "nginx-default-site-removed",
                    CommandState{remote::call("act_file_remove", {def}), "", remote::call("fb_absent", {def})},
                    m_prereqs[Role::web], notify_role(Role::web)));
}

void HostBuilder::nginx_site_link() {
  if (!has(Role::web)) return;
  const std::string avail = "/etc/nginx/sites-available/foobar", link = "/etc/nginx/sites-enabled/foobar";
  std::vector<std::string> deps = m_prereqs[Role::web];
  deps.push_back(make_resource_id(m_host, ResourceKind::file, avail));
  member(Role::web, add(ResourceKind::command, "nginx-site-enabled",
                    CommandState{remote::call("fb_link", {link, avail}), "", remote::call("fb_link_is", {link, avail})},
                    std::move(deps), notify_role(Role::web)));
}

void HostBuilder::rendered(const std::vector<RenderedFile>& files) {
  for (const auto& f : files) {
    const auto& e = *f.entry;
    std::optional<OnChange> action;
    if (e.on_change) action = *e.on_change == "restart" ? OnChange::restart : OnChange::reload;
    FileState st{f.content, e.mode, e.owner, e.group, f.validate, false, "templates/" + e.template_name};
    member(e.role, add(ResourceKind::file, f.path, std::move(st), m_prereqs[e.role], notify_role(e.role, action)));
  }
}

// The app's secrets: the database password and every `{ secret: NAME }` entry of
// `environment` (which wins over the derived FOOBAR_DB_PASSWORD). Read as root by
// systemd or the init script before the app drops to its user.
void HostBuilder::secret_env() {
  if (!has(Role::app)) return;
  const auto& s = *m_topo.stack;
  std::vector<std::pair<std::string, std::string>> vars;  // name, secret
  auto set = [&](const std::string& name, const std::string& secret) {
    auto it = std::find_if(vars.begin(), vars.end(), [&](const auto& v) { return v.first == name; });
    if (it != vars.end()) it->second = secret;
    else vars.emplace_back(name, secret);
  };
  if (s.tiers.db && !s.tiers.db->users.empty()) set("FOOBAR_DB_PASSWORD", s.tiers.db->users.front().password.name);
  for (const auto& [name, value] : s.tiers.app->environment)
    if (value.secret) set(name.value, value.secret->name);
  if (vars.empty()) return;
  std::string text = "# Managed by foobarctl (stack " + s.name.value + ", host " + m_host +
                     "): local edits are overwritten.\n# Secrets of the app, from the secrets source; never in the stack file.\n";
  for (const auto& [name, secret] : vars) text += name + "='" + secret_placeholder(secret, SecretFormat::line) + "'\n";
  FileState st{std::move(text), "0600", "root", "root", "sh -n {}", true, "secrets"};
  member(Role::app, add(ResourceKind::file, k_app_secret_env, std::move(st), m_prereqs[Role::app], notify_role(Role::app)));
}

// The TSIG key of the zone transfers, included by nsd.conf, so nsd.conf (checked with
// nsd-checkconf) waits for it. NSD reads it as root at start; the group lets xfrd read it.
void HostBuilder::transfer_key() {
  if (!has(Role::dns) || m_topo.nameservers.size() < 2) return;
  const auto& key = *m_topo.stack->dns->transfer_key;
  std::string text = "# Managed by foobarctl (stack " + m_topo.stack->name.value + ", host " + m_host +
                     "): local edits are overwritten.\n# The TSIG key of the zone transfers, from the secrets "
                     "source; never in the stack file.\nkey:\n    name: \"" + k_nsd_key_name +
                     "\"\n    algorithm: " + k_nsd_key_algorithm +
                     "\n    secret: \"" + secret_placeholder(key.name, SecretFormat::base64) + "\"\n";
  FileState st{std::move(text), "0640", "root", "nsd", "", true, "secret " + key.name};
  prereq(Role::dns, add(ResourceKind::file, k_nsd_key_file, std::move(st), m_prereqs[Role::dns],
                    notify_role(Role::dns, OnChange::restart)));
}

void HostBuilder::app_source(const std::vector<SourceFile>& source) {
  if (!has(Role::app)) return;
  const std::string& dir = m_topo.stack->tiers.app->path.value;
  for (const auto& s : source) {
    FileState st{s.content, s.executable ? "0755" : "0644", "root", "root", "", false, s.origin};
    member(Role::app, add(ResourceKind::file, dir + "/" + s.relative, std::move(st), m_prereqs[Role::app],
                      notify_role(Role::app)));
  }
}

void HostBuilder::firewall() {
  if (!has(Role::firewall)) return;
  std::vector<std::string> deps = m_members[Role::firewall];
  m_firewall_id = add(ResourceKind::firewall, "nftables", FirewallState{"/etc/nftables.conf"}, std::move(deps));
}

// Services wait for what they talk to on other hosts, so a first apply brings a
// stack up from the back (databases) to the front (load balancers).
std::vector<std::string> HostBuilder::cross_host_deps(Role role) const {
  const auto& s = *m_topo.stack;
  std::vector<std::string> deps;
  auto each = [&](const std::vector<std::string>& hosts, const std::string& service) {
    for (const auto& h : hosts) deps.push_back(service_id(h, service));
  };
  if (role == Role::lb) each(m_topo.hosts_of(stack::Tier::web), "nginx");
  if (role == Role::keepalived) deps.push_back(service_id(m_host, "haproxy"));
  if (role == Role::web) each(m_topo.hosts_of(stack::Tier::app), "foobar-app");
  if (role == Role::nginx_exporter) deps.push_back(service_id(m_host, "nginx"));
  if (role == Role::mysqld_exporter) deps.push_back(service_id(m_host, "mariadb"));
  // A secondary's first transfer needs the primary serving.
  if (role == Role::dns && !m_model.is_primary_nameserver()) deps.push_back(service_id(m_topo.nameserver, "nsd"));
  if (role == Role::collector) {
    std::vector<std::string> all;
    for (const auto& h : s.hosts) all.push_back(h.name.value);
    if (m_topo.has_exporter(stack::Exporter::node)) each(all, "prometheus-node-exporter");
    if (m_topo.has_exporter(stack::Exporter::nginx)) each(m_topo.hosts_of(stack::Tier::web), "prometheus-nginx-exporter");
    if (m_topo.has_exporter(stack::Exporter::mysqld)) each(m_topo.hosts_of(stack::Tier::db), "prometheus-mysqld-exporter");
  }
  return deps;
}

void HostBuilder::services() {
  for (const RoleSpec* spec : m_roles) {
    if (spec->service.empty()) continue;
    std::vector<std::string> deps = m_members[spec->role];
    if (!m_firewall_id.empty()) deps.push_back(m_firewall_id);
    for (auto& d : cross_host_deps(spec->role)) deps.push_back(std::move(d));
    add(ResourceKind::service, spec->service, ServiceState{true, true, spec->on_change}, std::move(deps));
  }
}

// Databases and users are made on the primary only; replicas get them through
// replication.
void HostBuilder::databases() {
  if (!has(Role::db) || !m_model.db_primary) return;
  const auto& db = *m_topo.stack->tiers.db;
  const std::string mariadb = service_id(m_host, "mariadb");
  std::vector<std::string> dbs;
  for (const auto& name : db.databases)
    dbs.push_back(add(ResourceKind::database, name.value, DatabaseState{stack::to_string(db.engine.value)},
                      {mariadb}));
  std::vector<std::string> user_deps = dbs;
  user_deps.push_back(mariadb);
  for (const auto& u : db.users) {
    std::string from = mysql_host_pattern(u.from.value);
    std::vector<std::string> grants;
    for (const auto& g : u.grants) grants.push_back(g.value);
    add(ResourceKind::db_user, u.name.value + "@" + from,
        DbUserState{u.name.value, from, u.password.name, std::move(grants)}, user_deps);
  }
  // The mysqld exporter logs in over the socket as the OS user it runs as: no password.
  if (m_topo.has_exporter(stack::Exporter::mysqld))
    add(ResourceKind::db_user, std::string(k_mysqld_exporter_user) + "@localhost",
        DbUserState{k_mysqld_exporter_user, "localhost", "", {"PROCESS, REPLICATION CLIENT, SELECT ON *.*"}},
        {mariadb});
  if (!db.replication) return;
  for (const auto& r : db.replicas) {
    std::string from = m_topo.address_of(r.value);
    add(ResourceKind::db_user, db.replication->user.value + "@" + from,
        DbUserState{db.replication->user.value, from, db.replication->password.name, {"REPLICATION SLAVE ON *.*"}},
        {mariadb});
  }
}

// A replica's link waits for its primary's server and replication user.
void HostBuilder::replication() {
  if (!has(Role::db) || m_model.db_primary) return;
  const auto& db = *m_topo.stack->tiers.db;
  if (!db.replication) return;
  const std::string& primary = db.primary.value;
  const std::string& user = db.replication->user.value;
  std::vector<std::string> deps = {
      service_id(m_host, "mariadb"), service_id(primary, "mariadb"),
      make_resource_id(primary, ResourceKind::db_user, user + "@" + m_topo.address_of(m_host))};
  add(ResourceKind::replication, primary,
      ReplicationState{primary, m_topo.address_of(primary), user, db.replication->password.name}, std::move(deps));
}

}  // namespace

const RoleSpec& role_spec(Role role) {
  for (const auto& spec : role_specs())
    if (spec.role == role) return spec;
  throw std::logic_error(std::string("no RoleSpec for role ") + to_string(role));
}

std::vector<Resource> host_resources(const Topology& topo, const std::string& host,
                                     const std::vector<RenderedFile>& files,
                                     const std::vector<SourceFile>& app_source) {
  HostBuilder b(topo, topo.host(host));
  b.build(files, app_source);
  return b.take();
}

}  // namespace foobar::compile
