// The per-host template context: the JSON object every template of a host is
// rendered with. docs/template-context.md is the contract; this is its only
// producer. Secrets never enter it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compile/topology.h"
#include "stack/stack.h"

namespace foobar::compile {

// Where files that exist on every host of one kind go (also used by resources).
inline constexpr const char* k_haproxy_pem = "/etc/haproxy/certs/foobar.pem";
inline constexpr const char* k_web_cert = "/etc/ssl/foobar/web.crt";
inline constexpr const char* k_web_key = "/etc/ssl/foobar/web.key";
inline constexpr const char* k_app_env = "/etc/foobar/app.env";
inline constexpr const char* k_app_secret_env = "/etc/foobar/app.secret.env";
inline constexpr const char* k_app_log_dir = "/var/log/foobar-app";
inline constexpr const char* k_nginx_error_log = "/var/log/nginx/foobar.error.log";
// The log collector keeps each host's logs in <store>/<host>/<program>.log (foobarctl
// logs reads them there; <program> is a service's name for the stack's services).
inline constexpr const char* k_log_store = "/var/log/foobar";
inline constexpr const char* k_alerts_file = "/etc/prometheus/foobar-alerts.yml";
inline constexpr const char* k_alertmanager_config = "/etc/prometheus/alertmanager.yml";
inline constexpr const char* k_alertmanager_storage = "/var/lib/prometheus/alertmanager";
inline constexpr const char* k_mysqld_exporter_cnf = "/etc/foobar/mysqld-exporter.cnf";
// Monitoring over TLS: the CA, the host's certificate bundle (certificate, then key:
// every reader takes both from the one file) and each exporter's web config
// (exporter-toolkit's --web.config.file). The nginx exporter (0.11 in Debian 12 has no
// client authentication) listens on loopback behind an nginx TLS server.
inline constexpr const char* k_monitoring_dir = "/etc/foobar/monitoring";
inline constexpr const char* k_monitoring_ca = "/etc/foobar/monitoring/ca.crt";
inline constexpr const char* k_monitoring_pem = "/etc/foobar/monitoring/host.pem";
inline constexpr const char* k_node_exporter_web = "/etc/foobar/monitoring/node-exporter-web.yml";
inline constexpr const char* k_mysqld_exporter_web = "/etc/foobar/monitoring/mysqld-exporter-web.yml";
// The exporter's database user is the OS user it runs as (Debian's package): MariaDB's
// unix_socket authentication lets it in over the socket without a password.
inline constexpr const char* k_mysqld_exporter_user = "prometheus";
inline constexpr const char* k_mysqld_socket = "/run/mysqld/mysqld.sock";
// The TSIG key of the zone transfers (a sensitive file nsd.conf includes) and its name.
inline constexpr const char* k_nsd_key_file = "/etc/nsd/foobar-transfer.key";
inline constexpr const char* k_nsd_key_name = "foobar-transfer";
inline constexpr const char* k_nsd_key_algorithm = "hmac-sha256";
// sshd's drop-in; Debian's sshd_config includes sshd_config.d/*.conf first, so it wins.
inline constexpr const char* k_sshd_dropin = "/etc/ssh/sshd_config.d/00-foobar.conf";

// The context of one host of the stack (the host must exist).
nlohmann::json host_context(const Topology& topo, const std::string& host);
// Convenience for tests and tools: derives the topology first.
nlohmann::json host_context(const stack::Stack& stack, const std::string& host);

// Lists identical on every host whose context has the section ("" = top level):
// `hosts`, `monitoring.jobs`, `lb.backends`, `web.upstreams`, `db.replicas`.
// host_context includes them; compile converts each once and shares it.
struct SharedList {
  const char* section;
  const char* key;
};
const std::vector<SharedList>& shared_lists();
nlohmann::json shared_list(const Topology& topo, const SharedList& list);

namespace detail {
// The context without the shared lists.
nlohmann::json host_context_local(const Topology& topo, const std::string& host);
}  // namespace detail

}  // namespace foobar::compile
