#include "compile/context.h"
#include "util/strings.h"

#include <algorithm>

namespace foobar::compile {

using nlohmann::json;
using stack::Exporter;
using stack::Stack;
using stack::Tier;

namespace {

json endpoints(const std::vector<Endpoint>& v, bool with_port) {
  json out = json::array();
  for (const auto& e : v) {
    json j{{"name", e.name}, {"address", e.address}};
    if (with_port) {
      j["port"] = e.port;
      j["backup"] = e.backup;
    }
    out.push_back(std::move(j));
  }
  return out;
}

int vip_prefix(const std::string& address) { return address.find(':') == std::string::npos ? 24 : 64; }

std::string interface_of(const Topology& t, const HostModel& m) {
  if (m.has(Role::keepalived)) return t.stack->tiers.lb->vip->interface.value;
  return "eth0";
}

json stack_section(const Stack& s) {
  return {{"name", s.name.value}, {"title", s.name.value}, {"domain", s.domain.value}};
}

json host_section(const Topology& t, const HostModel& m) {
  return {{"name", m.name},
          {"address", m.address},
          {"fqdn", m.name + "." + t.stack->domain.value},
          {"tiers", manifest_tiers(m)},
          {"interface", interface_of(t, m)}};
}

// Where a host of a monitored stack keeps its monitoring certificate and the CA.
json monitoring_tls() {
  return {{"ca_file", k_monitoring_ca}, {"cert_file", k_monitoring_pem}, {"key_file", k_monitoring_pem},
          {"client_auth", "RequireAndVerifyClientCert"}};
}

json lb_tls(const Topology& t) {
  if (!t.tls)
    return {{"enabled", false}, {"cert_path", nullptr}, {"redirect_http", false},
            {"reencrypt", false}, {"hsts_max_age", 0}};
  const auto& tls = *t.stack->tiers.lb->tls;
  return {{"enabled", true}, {"cert_path", k_haproxy_pem}, {"redirect_http", tls.redirect_http.value},
          {"reencrypt", t.reencrypt}, {"hsts_max_age", 0}};
}

json lb_section(const Topology& t, const HostModel& m) {
  if (!m.carries(Tier::lb)) return nullptr;
  const auto& lb = *t.stack->tiers.lb;
  const auto& hc = lb.health_check;
  json vip = nullptr;
  if (lb.vip)
    vip = {{"address", lb.vip->address.value}, {"prefix", vip_prefix(lb.vip->address.value)},
           {"router_id", lb.vip->router_id.value}, {"interface", lb.vip->interface.value}};
  return {{"hosts", endpoints(t.lb_hosts, false)},
          {"balance", stack::to_string(lb.balance.value)},
          {"bind_address", "*"},
          {"ports", {{"http", lb.port.value}, {"https", lb.tls ? lb.tls->port.value : 443}}},
          {"maxconn", 4096},
          {"health_check", {{"path", hc.path.value}, {"host", t.server_name},
                            {"interval", stack::format_duration(hc.interval.value)},
                            {"rise", hc.rise.value}, {"fall", hc.fall.value}}},
          {"vip", vip},
          {"tls", lb_tls(t)},
          // With a floating IP the collector also scrapes the stats frontend through it
          // (job "vip"), so it listens on every address; the firewall still admits only
          // the collector.
          {"stats", {{"bind_address", lb.vip ? "*" : m.address}, {"port", k_haproxy_stats_port},
                     {"tls", t.stack->monitoring ? monitoring_tls() : json(nullptr)}}},
          {"runtime_socket", k_haproxy_runtime_socket},
          {"frontend", k_haproxy_frontend},
          {"web_backend", k_haproxy_web_backend},
          {"timeouts", {{"connect", "5s"}, {"client", "30s"}, {"server", "30s"}, {"http_request", "10s"},
                        {"http_keep_alive", "10s"}, {"queue", "30s"}, {"check", "5s"}}}};
}

json keepalived_section(const Topology& t, const HostModel& m) {
  if (!m.has(Role::keepalived)) return nullptr;
  const auto& lb = t.stack->tiers.lb;
  return {{"instance", "VI_FOOBAR"},
          {"state", m.vrrp_state},
          {"priority", m.vrrp_priority},
          {"interface", lb->vip->interface.value},
          {"virtual_router_id", lb->vip->router_id.value},
          {"advert_int", 1},
          {"nopreempt", false},
          {"unicast_src_ip", m.address},
          {"peers", m.vrrp_peers},
          {"vip", {{"address", lb->vip->address.value}, {"prefix", vip_prefix(lb->vip->address.value)}}},
          {"check", {{"script", "/usr/bin/killall -0 haproxy"}, {"interval", 2}, {"timeout", 2},
                     {"rise", 2}, {"fall", 2}, {"weight", -60}}},
          {"script_user", "root"},
          {"hold_file", k_keepalived_hold_file},
          {"garp_refresh", 60}};
}

// "/static" -> a prefix location "/static/"; a path with a file extension
// ("/favicon.ico") -> an exact one.
json static_locations(const stack::WebTier& web) {
  json out = json::array();
  for (const auto& p : web.static_paths) {
    std::string path = p.value;
    auto last = path.substr(path.rfind('/') + 1);
    bool exact = last.find('.') != std::string::npos;
    if (!exact && path.back() != '/') path += '/';
    out.push_back({{"location", path}, {"exact", exact}, {"expires", exact ? "1d" : "7d"}});
  }
  return out;
}

json stub_status(const Topology& t, const HostModel& m) {
  if (!m.exporter(Exporter::nginx)) return nullptr;
  std::vector<std::string> allow{"127.0.0.1"};
  const auto& collector = t.address_of(t.stack->monitoring->collector.value);
  if (collector != "127.0.0.1") allow.push_back(collector);
  return {{"path", "/stub_status"}, {"allow", allow}};
}

json web_section(const Topology& t, const HostModel& m) {
  if (!m.carries(Tier::web)) return nullptr;
  const auto& web = *t.stack->tiers.web;
  int tls_port = t.reencrypt ? t.stack->tiers.lb->tls->port.value : 443;
  json tls = {{"enabled", t.reencrypt}, {"port", tls_port},
              {"cert_path", t.reencrypt ? json(k_web_cert) : json(nullptr)},
              {"key_path", t.reencrypt ? json(k_web_key) : json(nullptr)}};
  std::vector<std::string> proxies;
  for (const auto& e : t.lb_hosts) proxies.push_back(e.address);
  return {{"server_name", t.server_name},
          {"server_aliases", t.server_aliases},
          {"port", web.port.value},
          {"tls", tls},
          {"root", web.root.value},
          {"static", static_locations(web)},
          {"health_path", t.health_path},
          {"access_log", k_nginx_access_log},
          {"error_log", k_nginx_error_log},
          {"client_max_body_size", "10m"},
          {"upstream", {{"name", "foobar_app"}, {"keepalive", 16}, {"max_fails", 3}, {"fail_timeout", std::to_string(k_upstream_fail_timeout_seconds) + "s"}}},
          {"proxy", {{"connect_timeout", "5s"}, {"send_timeout", "30s"}, {"read_timeout", "30s"}}},
          {"trusted_proxies", proxies},
          {"stub_status", stub_status(t, m)}};
}

void set_env(json& env, const std::string& name, const std::string& value) {
  for (auto& e : env)
    if (e["name"] == name) {
      e["value"] = value;
      return;
    }
  env.push_back({{"name", name}, {"value", value}});
}

// Database settings for the app: the contract's names, plus FOOBAR_DB_PRIMARY and
// FOOBAR_DB_REPLICA, which examples/foobar-app reads (each app host its own replica,
// round robin, so reads spread over the replicas).
void db_environment(const Topology& t, const HostModel& m, json& env) {
  const auto& db = *t.stack->tiers.db;
  std::vector<std::string> reads;
  for (const auto& r : db.replicas) reads.push_back(t.service_address(r.value));
  std::string primary = t.service_address(db.primary.value);
  if (reads.empty()) reads.push_back(primary);
  const auto& apps = t.hosts_of(Tier::app);
  auto index = std::find(apps.begin(), apps.end(), m.name) - apps.begin();
  if (!db.databases.empty()) set_env(env, "FOOBAR_DB_NAME", db.databases.front().value);
  if (!db.users.empty()) set_env(env, "FOOBAR_DB_USER", db.users.front().name.value);
  set_env(env, "FOOBAR_DB_WRITE_HOST", primary);
  set_env(env, "FOOBAR_DB_PORT", std::to_string(db.port.value));
  set_env(env, "FOOBAR_DB_READ_HOSTS", join(reads, ","));
  set_env(env, "FOOBAR_DB_PRIMARY", primary);
  set_env(env, "FOOBAR_DB_REPLICA", reads[static_cast<std::size_t>(index) % reads.size()]);
}

// Secret values of the stack's environment go to the secret env file (apply).
json app_environment(const Topology& t, const HostModel& m) {
  json env = json::array();
  set_env(env, "FOOBAR_STACK", t.stack->name.value);
  set_env(env, "FOOBAR_ENV_FILE", k_app_env);  // the app re-reads its primary there (docs/day2.md)
  if (t.stack->tiers.db) db_environment(t, m, env);
  for (const auto& [name, value] : t.stack->tiers.app->environment)
    if (!value.secret) set_env(env, name.value, value.literal);
  return env;
}

json app_section(const Topology& t, const HostModel& m) {
  if (!m.carries(Tier::app)) return nullptr;
  const auto& app = *t.stack->tiers.app;
  return {{"name", "foobar-app"},
          {"description", "foobar example app (gunicorn)"},
          {"user", app.user.value},
          {"group", app.user.value},
          {"directory", app.path.value},
          {"wsgi_app", "app:app"},
          {"gunicorn", "/usr/bin/gunicorn"},
          {"bind_address", m.service_address},
          {"port", app.port.value},
          {"workers", 2},
          {"timeout_seconds", 30},
          {"env_file", k_app_env},
          {"secret_env_file", k_app_secret_env},
          {"pid_file", "/run/foobar-app/gunicorn.pid"},
          {"log_dir", k_app_log_dir},
          {"environment", app_environment(t, m)}};
}

json db_section(const Topology& t, const HostModel& m) {
  if (!m.carries(Tier::db)) return nullptr;
  const auto& db = *t.stack->tiers.db;
  auto or_null = [](bool has, const std::string& v) { return has ? json(v) : json(nullptr); };
  return {{"engine", stack::to_string(db.engine.value)},
          {"role", m.db_primary ? "primary" : "replica"},
          {"server_id", m.server_id},
          {"bind_address", m.service_address},
          {"port", db.port.value},
          {"database", or_null(!db.databases.empty(), db.databases.empty() ? "" : db.databases[0].value)},
          {"app_user", or_null(!db.users.empty(), db.users.empty() ? "" : db.users[0].name.value)},
          {"replication_user", or_null(db.replication.has_value(), db.replication ? db.replication->user.value : "")},
          {"primary", {{"name", db.primary.value}, {"address", t.service_address(db.primary.value)},
                       {"port", db.port.value}}},
          {"gtid_domain_id", 0},
          {"log_bin", "/var/log/mysql/mysql-bin"},
          {"relay_log", "/var/log/mysql/relay-bin"},
          {"binlog_expire_days", 7},
          {"max_connections", 200},
          {"innodb_buffer_pool_size", "256M"},
          {"replica_parallel_threads", 2}};
}

json firewall_section(const Topology& t, const HostModel& m) {
  const Stack& s = *t.stack;
  json fw = {{"enabled", m.has(Role::firewall)}, {"ssh_port", m.ssh_port}, {"admin_cidrs", json::array()},
             {"inbound", json::array()}, {"vrrp_peers", json::array()}, {"log_drops", false},
             {"log_prefix", m.name + " drop: "}};
  if (!m.has(Role::firewall)) return fw;
  fw["log_drops"] = s.firewall->log_drops.value;
  for (const auto& c : s.firewall->admin_cidrs) fw["admin_cidrs"].push_back(c.value);
  for (const auto& f : m.inbound)
    fw["inbound"].push_back({{"port", f.port}, {"proto", f.proto}, {"sources", f.sources}, {"comment", f.comment}});
  for (const auto& p : m.vrrp_peers) fw["vrrp_peers"].push_back(p);
  return fw;
}

json ssh_section() {
  return {{"dropin", k_sshd_dropin}, {"password_authentication", "no"}, {"kbd_interactive_authentication", "no"},
          {"permit_root_login", "prohibit-password"}};
}

json exporters_section(const Topology& t, const HostModel& m) {
  json ex = {{"node", nullptr}, {"nginx", nullptr}, {"mysqld", nullptr}};
  auto listen = [&](int port) { return m.address + ":" + std::to_string(port); };
  if (const auto* e = m.exporter(Exporter::node))
    ex["node"] = {{"listen_address", listen(e->port)}, {"collectors", json::array()},
                  {"web_config", k_node_exporter_web}};
  // nginx serves the exporter's metrics over TLS on the host's address (the port the
  // collector scrapes); the exporter itself answers on loopback only.
  if (const auto* e = m.exporter(Exporter::nginx))
    ex["nginx"] = {{"listen_address", "127.0.0.1:" + std::to_string(e->port)},
                   {"tls_listen_address", listen(e->port)},
                   {"scrape_uri", "http://127.0.0.1:" + std::to_string(t.stack->tiers.web->port.value) +
                                      "/stub_status"}};
  if (const auto* e = m.exporter(Exporter::mysqld))
    ex["mysqld"] = {{"listen_address", listen(e->port)},
                    {"web_config", k_mysqld_exporter_web},
                    {"my_cnf", k_mysqld_exporter_cnf},
                    {"user", k_mysqld_exporter_user},
                    {"socket", k_mysqld_socket}};
  return ex;
}

json alerts_section(const Stack& s) {
  json out = json::array();
  for (const auto& a : s.monitoring->alerts)
    out.push_back({{"name", a.name.value},
                   {"expr", a.expr.value},
                   {"for", stack::format_duration(a.for_.value)},
                   {"severity", stack::to_string(a.severity.value)},
                   {"summary", a.name.value + " (stack alert): " + a.expr.value}});
  return out;
}

// Alertmanager's receivers, by kind, as its configuration lists them.
json receivers_section(const Stack& s) {
  json hooks = json::array(), mails = json::array();
  for (const auto& r : s.monitoring->alerts_to) {
    if (!r.webhook->empty()) {
      hooks.push_back({{"url", r.webhook.value}});
    } else {
      std::string from = r.from->empty() ? "alertmanager@" + s.domain.value : r.from.value;
      mails.push_back({{"to", r.email.value}, {"from", from}, {"smarthost", r.smarthost.value}});
    }
  }
  return {{"webhooks", hooks}, {"emails", mails}};
}

json alertmanager_section(const Topology& t) {
  const auto& c = t.stack->monitoring->collector.value;
  return {{"address", t.address_of(c)},
          {"port", k_alertmanager_port},
          {"config", k_alertmanager_config},
          {"storage", k_alertmanager_storage},
          // Short enough that an alert reaches its receiver well within its `for`.
          {"group_wait", "10s"},
          {"group_interval", "1m"},
          {"repeat_interval", "4h"},
          {"receivers", receivers_section(*t.stack)}};
}

// Central logs (rsyslog): the files this host ships besides its syslog, tagged with
// the service they belong to, and on the log collector the hosts it takes logs from.
json logs_section(const Topology& t, const HostModel& m) {
  const std::string& c = t.stack->monitoring->log_collector();
  json files = json::array();
  if (m.carries(Tier::web)) {
    files.push_back({{"path", k_nginx_access_log}, {"tag", "nginx"}});
    files.push_back({{"path", k_nginx_error_log}, {"tag", "nginx"}});
  }
  if (m.carries(Tier::app)) files.push_back({{"path", std::string(k_app_log_dir) + "/*.log"}, {"tag", "foobar-app"}});
  json senders = json::array();
  if (m.log_collector) {
    senders.push_back({{"name", c}, {"address", "127.0.0.1"}});  // its own messages
    for (const auto& h : t.hosts)
      if (h.name != c) senders.push_back({{"name", h.name}, {"address", h.address}});
  }
  // MariaDB logs to syslog under these names; its file is the service's.
  json programs = json::array();
  for (const char* p : {"mariadbd", "mysqld", "mysqld_safe"}) programs.push_back({{"program", p}, {"service", "mariadb"}});
  return {{"collector", {{"name", c}, {"address", t.address_of(c)}, {"port", k_logs_port}}},
          {"is_collector", m.log_collector},
          {"files", files},
          {"senders", senders},
          {"programs", programs},
          {"store", k_log_store},
          {"rotate_days", 14},
          {"queue_max_disk_space", "512m"}};
}

// Prometheus rejects a scrape timeout longer than the interval.
std::string scrape_timeout(stack::Duration interval) {
  return stack::format_duration(std::min(interval, stack::Duration{10000}));
}

json monitoring_section(const Topology& t, const HostModel& m) {
  const Stack& s = *t.stack;
  bool on = s.monitoring.has_value();
  json collector = nullptr;
  std::string interval = "15s";
  std::string timeout = "10s";
  if (on) {
    const auto& c = s.monitoring->collector.value;
    collector = {{"name", c}, {"address", t.address_of(c)}, {"port", k_prometheus_port}};
    interval = stack::format_duration(s.monitoring->scrape_interval.value);
    timeout = scrape_timeout(s.monitoring->scrape_interval.value);
  }
  return {{"enabled", on},
            {"is_collector", m.collector},
            {"collector", collector},
            {"scrape_interval", interval},
            {"scrape_timeout", timeout},
            {"evaluation_interval", interval},
            {"retention", "15d"},
            {"rule_files", on ? json::array({k_alerts_file}) : json::array()},
            {"alerts", on ? alerts_section(s) : json::array()},
            {"alertmanager", m.has(Role::alertmanager) ? alertmanager_section(t) : json(nullptr)},
            {"thresholds", {{"web_qps", 100}, {"replication_lag_seconds", 30}, {"instance_down_for", "1m"},
                            {"disk_free_percent", 10}, {"http_5xx_percent", 5}}},
            {"exporters", exporters_section(t, m)},
            {"tls", on ? monitoring_tls() : json(nullptr)},
            {"logs", m.has(Role::logs) ? logs_section(t, m) : json(nullptr)}};
}

// Zone transfers: the primary notifies its secondaries and lets only them transfer;
// a secondary takes notifies from and transfers from the primary only. All signed.
json dns_transfer(const Topology& t, const HostModel& m) {
  if (t.nameservers.size() < 2) return nullptr;
  json peers = json::array();
  if (m.is_primary_nameserver()) {
    for (std::size_t i = 1; i < t.nameservers.size(); ++i) peers.push_back(t.address_of(t.nameservers[i]));
  } else {
    peers.push_back(t.address_of(t.nameserver));
  }
  return {{"key_name", k_nsd_key_name}, {"key_file", k_nsd_key_file}, {"algorithm", k_nsd_key_algorithm},
          {"peers", peers}};
}

json dns_section(const Topology& t, const HostModel& m) {
  const Stack& s = *t.stack;
  if (!m.has(Role::dns)) return nullptr;
  const std::string& d = s.domain.value;
  const bool primary = m.is_primary_nameserver();
  json records = json::array();
  for (const auto& r : t.zone_records)
    records.push_back({{"name", r.name}, {"type", r.type}, {"value", r.value},
                       {"ttl", r.ttl ? json(*r.ttl) : json(nullptr)}});
  json nameservers = json::array();
  for (std::size_t i = 0; i < t.nameservers.size(); ++i) nameservers.push_back(Topology::ns_label(i) + "." + d + ".");
  return {{"zone", d},
          {"is_primary", primary},
          {"primary", {{"name", t.nameserver}, {"address", t.address_of(t.nameserver)}}},
          {"transfer", dns_transfer(t, m)},
          {"ttl", s.dns->ttl.value},
          {"serial", t.dns_serial},
          {"soa", {{"primary_ns", "ns1." + d + "."}, {"admin", "hostmaster." + d + "."}, {"refresh", 3600},
                   {"retry", 600}, {"expire", 1209600}, {"minimum", s.dns->ttl.value}}},
          {"nameservers", nameservers},
          {"records", records},
          // A secondary keeps the transferred zone where NSD may write.
          {"zonefile", (primary ? "/etc/foobar/dns/" : "/var/lib/nsd/") + d + ".zone"},
          {"listen", json::array({m.address, "127.0.0.1"})}};
}

}  // namespace

namespace {

json hosts_section(const Topology& t) {
  json out = json::array();
  for (const auto& h : t.hosts)
    out.push_back({{"name", h.name}, {"address", h.address}, {"tiers", manifest_tiers(h)}});
  return out;
}

json jobs_section(const Topology& t) {
  json out = json::array();
  for (const auto& j : t.jobs) {
    json targets = json::array();
    for (const auto& e : j.targets) {
      // A database target says whether it is the primary or a replica: the replication
      // alert tells a stopped replica (its exporter reports mysql_up 0) from a primary.
      std::string role;
      if (j.job == "mysqld") role = t.host(e.name).db_primary ? "primary" : "replica";
      targets.push_back({{"host", e.name}, {"address", e.address + ":" + std::to_string(e.port)}, {"role", role}});
    }
    // Every exporter serves over TLS; Prometheus' own endpoint stays plain HTTP
    // (it scrapes itself; the firewall admits only the admin CIDRs there).
    std::string scheme = j.job == "prometheus" ? "http" : "https";
    out.push_back({{"job", j.job}, {"metrics_path", "/metrics"}, {"scheme", scheme}, {"up_only", j.up_only},
                   {"targets", targets}});
  }
  return out;
}

json replicas_section(const Topology& t) {
  json out = json::array();
  if (!t.stack->tiers.db) return out;
  for (const auto& r : t.stack->tiers.db->replicas)
    out.push_back({{"name", r.value}, {"address", t.service_address(r.value)}, {"server_id", t.host(r.value).server_id}});
  return out;
}

}  // namespace

const std::vector<SharedList>& shared_lists() {
  static const std::vector<SharedList> lists = {
      {"", "hosts"}, {"monitoring", "jobs"}, {"lb", "backends"}, {"web", "upstreams"}, {"db", "replicas"}};
  return lists;
}

json shared_list(const Topology& t, const SharedList& list) {
  std::string key = list.key;
  if (key == "hosts") return hosts_section(t);
  if (key == "jobs") return jobs_section(t);
  if (key == "backends") return endpoints(t.backends, true);
  if (key == "upstreams") return endpoints(t.upstreams, true);
  return replicas_section(t);
}

namespace detail {
// The context without the stack-wide lists (compile splices in shared copies).
json host_context_local(const Topology& t, const std::string& host) {
  const HostModel& m = t.host(host);
  return {{"schema_version", 1},
          {"stack", stack_section(*t.stack)},
          {"host", host_section(t, m)},
          {"lb", lb_section(t, m)},
          {"keepalived", keepalived_section(t, m)},
          {"web", web_section(t, m)},
          {"app", app_section(t, m)},
          {"db", db_section(t, m)},
          {"firewall", firewall_section(t, m)},
          {"monitoring", monitoring_section(t, m)},
          {"dns", dns_section(t, m)},
          {"ssh", m.has(Role::ssh) ? ssh_section() : json(nullptr)}};
}
}  // namespace detail

json host_context(const Topology& t, const std::string& host) {
  json ctx = detail::host_context_local(t, host);
  for (const auto& l : shared_lists()) {
    if (*l.section == '\0')
      ctx[l.key] = shared_list(t, l);
    else if (!ctx[l.section].is_null())
      ctx[l.section][l.key] = shared_list(t, l);
  }
  return ctx;
}

json host_context(const Stack& stack, const std::string& host) {
  return host_context(derive_topology(stack), host);
}

}  // namespace foobar::compile
