#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "compile/compile.h"
#include "compile/context.h"
#include "compile/compile_test_util.h"
#include "compile/secrets.h"

using namespace foobar;
using namespace foobar::compile;

namespace {

// Stack 3 with its TLS bundle and one more app variable taken from secrets.
stack::Stack secret_stack() {
  using stack::testing::with;
  std::string text = with("certificate: { secret: TLS_CERTIFICATE }", "certificate: { secret: TLS_BUNDLE }",
                          testing::read_text(testing::k_stack3));
  auto line = text.rfind('\n', text.find("FOOBAR_DB_PASSWORD:"));
  std::string indent = text.substr(line + 1, text.find("FOOBAR_DB_PASSWORD:") - line - 1);
  text = with("FOOBAR_DB_PASSWORD: { secret: DB_APP_PASSWORD }",
              "FOOBAR_DB_PASSWORD: { secret: DB_APP_PASSWORD }\n" + indent + "API_TOKEN: { secret: API_TOKEN }", text);
  auto s = stack::parse_stack(text, testing::k_stack3);
  REQUIRE_MESSAGE(s.ok(), s.diagnostics().front().to_string());
  return std::move(*s);
}

using testing::compiled;
using testing::file;

stack::SecretSource env_source(std::map<std::string, std::string> env) {
  return {[env](const std::string& name) -> std::optional<std::string> {
            auto it = env.find(name);
            if (it == env.end()) return std::nullopt;
            return it->second;
          },
          ""};
}

const std::string k_pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
                          "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----";

// Stack 3's hosts: each has its monitoring certificate, signed by the monitoring CA.
const std::vector<std::string> k_stack3_hosts = {"lb-01", "lb-02", "web-01", "web-02", "app-01",
                                                 "app-02", "db-01", "db-02", "mon-01"};

// `names` plus the monitoring CA's and every stack-3 host's certificate, sorted.
std::vector<std::string> with_monitoring(std::vector<std::string> names) {
  names.push_back(k_monitoring_ca_secret);
  for (const auto& h : k_stack3_hosts) names.push_back(monitoring_cert_secret(h));
  std::sort(names.begin(), names.end());
  return names;
}

std::map<std::string, std::string> all_secrets() {
  std::map<std::string, std::string> s = {{"FOOBAR_SECRET_DB_APP_PASSWORD", "app pw $x\\"},
                                          {"FOOBAR_SECRET_DB_REPL_PASSWORD", "repl-pw"},
                                          {"FOOBAR_SECRET_API_TOKEN", "tok-123"},
                                          {"FOOBAR_SECRET_TLS_BUNDLE", k_pem}};
  for (const auto& name : with_monitoring({})) s["FOOBAR_SECRET_" + name] = k_pem;
  return s;
}

}  // namespace

TEST_CASE("placeholders: made, listed and shown") {
  std::string p = secret_placeholder("DB_APP_PASSWORD", SecretFormat::line);
  CHECK(p.front() == '\0');
  CHECK(p.back() == '\0');
  std::string text = "A='" + p + "'\nB='" + secret_placeholder("X", SecretFormat::block) + "'\n";
  CHECK(secret_names(text) == std::vector<std::string>{"DB_APP_PASSWORD", "X"});
  CHECK(show_placeholders(text) == "A='<secret:DB_APP_PASSWORD>'\nB='<secret:X>'\n");
  CHECK(secret_names("no placeholder here").empty());
  // A NUL without the rest of a placeholder is left alone.
  std::string odd("a\0secret:B\0c", 12);
  CHECK(secret_names(odd).empty());
  CHECK(show_placeholders(odd) == odd);
}

TEST_CASE("sensitive files hold placeholders, never values") {
  auto g = compiled(secret_stack());
  const auto& env = file(g, "app-01:file:/etc/foobar/app.secret.env");
  CHECK(env.sensitive);
  CHECK(env.mode == "0600");
  CHECK(env.owner == "root");
  CHECK(secret_names(env.content) == std::vector<std::string>{"DB_APP_PASSWORD", "API_TOKEN"});
  CHECK(show_placeholders(env.content).find("FOOBAR_DB_PASSWORD='<secret:DB_APP_PASSWORD>'\n") != std::string::npos);
  CHECK(show_placeholders(env.content).find("API_TOKEN='<secret:API_TOKEN>'\n") != std::string::npos);
  const Resource& env_r = *g.find("app-01:file:/etc/foobar/app.secret.env");
  REQUIRE(env_r.notify.size() == 1);
  CHECK(env_r.notify[0].target == "app-01:service:foobar-app");
  CHECK(env_r.notify[0].action == OnChange::restart);
  CHECK(std::find(env_r.deps.begin(), env_r.deps.end(), "app-01:directory:/etc/foobar") != env_r.deps.end());
  const auto* app_service = g.find("app-01:service:foobar-app");
  CHECK(std::find(app_service->deps.begin(), app_service->deps.end(), env_r.id()) != app_service->deps.end());

  const std::string pem_id = std::string("lb-01:file:") + k_haproxy_pem;
  const auto& pem = file(g, pem_id);
  CHECK(pem.sensitive);
  CHECK(pem.mode == "0600");
  CHECK(pem.validate == "haproxy -c -f /etc/haproxy/haproxy.cfg");  // in place, with the real config
  CHECK(secret_names(pem.content) == std::vector<std::string>{"TLS_BUNDLE"});
  CHECK(g.find(pem_id)->notify.at(0).target == "lb-01:service:haproxy");
  CHECK(g.find(pem_id)->notify.at(0).action == OnChange::reload);
  CHECK(!g.find("lb-01:command:tls-self-signed"));
  const auto& cfg_deps = g.find("lb-01:file:/etc/haproxy/haproxy.cfg")->deps;
  CHECK(std::find(cfg_deps.begin(), cfg_deps.end(), pem_id) != cfg_deps.end());

  CHECK(secret_names(g) == with_monitoring({"API_TOKEN", "DB_APP_PASSWORD", "TLS_BUNDLE"}));
  for (const auto& r : g.resources())
    if (const auto* f = std::get_if<FileState>(&r.state); f && !f->sensitive)
      CHECK_MESSAGE(secret_names(f->content).empty(), r.id());
}

TEST_CASE("the mysqld exporter logs in over the socket, without a secret") {
  auto g = compiled(secret_stack());
  const auto& cnf = file(g, std::string("db-02:file:") + k_mysqld_exporter_cnf);
  CHECK(!cnf.sensitive);
  CHECK(cnf.mode == "0600");
  CHECK(cnf.owner == "prometheus");
  CHECK(cnf.content.find("user=prometheus\n") != std::string::npos);
  CHECK(cnf.content.find("socket=/run/mysqld/mysqld.sock\n") != std::string::npos);
  CHECK(g.find("db-02:directory:/etc/foobar"));
  CHECK(g.find(std::string("db-02:file:") + k_mysqld_exporter_cnf)->notify.at(0).target ==
        "db-02:service:prometheus-mysqld-exporter");
  const auto& user = std::get<DbUserState>(g.find("db-01:db_user:prometheus@localhost")->state);
  CHECK(user.password_secret.empty());
  CHECK(user.grants == std::vector<std::string>{"PROCESS, REPLICATION CLIENT, SELECT ON *.*"});
  CHECK(!g.find("db-02:db_user:prometheus@localhost"));  // replicas get it through replication
}

TEST_CASE("resolve_secrets fills sensitive files and returns the values") {
  auto g = compiled(secret_stack());
  std::map<std::string, std::string> before;
  for (const auto& r : g.resources())
    if (const auto* f = std::get_if<FileState>(&r.state); f && !f->sensitive) before[r.id()] = f->content;

  auto used = resolve_secrets(g, env_source(all_secrets()));
  REQUIRE_MESSAGE(used.ok(), used.diagnostics().front().to_string());
  // Sorted, once each; the replication password is no file's secret.
  CHECK(*used == std::vector<std::string>{k_pem, "app pw $x\\", "tok-123"});

  const auto& env = file(g, "app-02:file:/etc/foobar/app.secret.env").content;
  CHECK(env.find("FOOBAR_DB_PASSWORD='app pw $x\\'\n") != std::string::npos);
  CHECK(env.find("API_TOKEN='tok-123'\n") != std::string::npos);
  CHECK(env.find('\0') == std::string::npos);
  CHECK(file(g, std::string("lb-02:file:") + k_haproxy_pem).content == k_pem + "\n");  // final newline added
  CHECK(secret_names(g).empty());

  for (const auto& r : g.resources())
    if (const auto* f = std::get_if<FileState>(&r.state); f && !f->sensitive)
      CHECK_MESSAGE(f->content == before.at(r.id()), r.id());
}

TEST_CASE("resolve_secrets: a missing or unfit secret is a clear error") {
  auto secrets = all_secrets();
  secrets.erase("FOOBAR_SECRET_API_TOKEN");
  auto g = compiled(secret_stack());
  auto r = resolve_secrets(g, env_source(secrets));
  REQUIRE(!r.ok());
  const std::string msg = r.error().to_string();
  CHECK(msg.find("secret 'API_TOKEN' is not set") != std::string::npos);
  CHECK(msg.find("export FOOBAR_SECRET_API_TOKEN") != std::string::npos);
  CHECK(msg.find("/etc/foobar/app.secret.env") != std::string::npos);
  CHECK(msg.find("tok") == std::string::npos);

  secrets = all_secrets();
  secrets["FOOBAR_SECRET_API_TOKEN"] = "it's";
  auto g2 = compiled(secret_stack());
  auto r2 = resolve_secrets(g2, env_source(secrets));
  REQUIRE(!r2.ok());
  CHECK(r2.error().message.find("'API_TOKEN' holds a single quote") != std::string::npos);
  CHECK(r2.error().message.find("it's") == std::string::npos);
}

TEST_CASE("resolve_secrets reads the secrets file after the environment") {
  const std::string path = (std::filesystem::temp_directory_path() / "foobar-secrets-test.env").string();
  std::ofstream(path) << "DB_APP_PASSWORD=from-file\nAPI_TOKEN='t'\nTLS_BUNDLE=not-a-pem\n";
  auto g = compiled(secret_stack());
  auto env = all_secrets();
  for (const char* name : {"DB_APP_PASSWORD", "API_TOKEN", "TLS_BUNDLE"}) env.erase(std::string("FOOBAR_SECRET_") + name);
  env["FOOBAR_SECRET_API_TOKEN"] = "from-env";
  stack::SecretSource source = env_source(env);
  source.file = path;
  auto used = resolve_secrets(g, source);
  std::remove(path.c_str());
  REQUIRE_MESSAGE(used.ok(), used.diagnostics().front().to_string());
  CHECK(*used == std::vector<std::string>{k_pem, "from-env", "from-file", "not-a-pem"});
  CHECK(file(g, "app-01:file:/etc/foobar/app.secret.env").content.find("API_TOKEN='from-env'") != std::string::npos);
}

TEST_CASE("a stack with a self-signed certificate has no certificate secret to resolve") {
  auto s = stack::load_stack("stacks/3-scale-up.yaml");
  REQUIRE(s.ok());
  CHECK(secret_names(compiled(*s)) == with_monitoring({"DB_APP_PASSWORD", "TLS_CERTIFICATE"}));
  auto g = compiled(testing::stack3_self_signed());
  CHECK(secret_names(g) == with_monitoring({"DB_APP_PASSWORD"}));  // app.secret.env and monitoring
  CHECK(!g.find(std::string("lb-01:file:") + k_haproxy_pem));  // self-signed: made on the host
}

TEST_CASE("monitoring certificates: a secret per host and the CA, before every file that names them") {
  auto g = compiled(secret_stack());
  CHECK(monitoring_cert_secret("web-01") == "MONITORING_TLS_WEB_01");
  const std::string pem_id = std::string("web-01:file:") + k_monitoring_pem;
  const auto& pem = file(g, pem_id);
  CHECK(pem.sensitive);
  CHECK(pem.mode == "0600");
  CHECK(pem.owner == "prometheus");  // the exporters read it as their user
  CHECK(secret_names(pem.content) == std::vector<std::string>{"MONITORING_TLS_WEB_01"});
  CHECK(secret_names(file(g, std::string("web-01:file:") + k_monitoring_ca).content) ==
        std::vector<std::string>{"MONITORING_CA"});
  auto needs = [&](const std::string& id, const std::string& dep) {
    const auto& deps = g.find(id)->deps;
    return std::find(deps.begin(), deps.end(), dep) != deps.end();
  };
  // nginx serves the nginx exporter over TLS, so its site is checked with the files in place.
  CHECK(needs("web-01:file:/etc/nginx/sites-available/foobar", pem_id));
  CHECK(needs(std::string("web-01:file:") + k_node_exporter_web, pem_id));
  const std::string lb_pem = std::string("lb-01:file:") + k_monitoring_pem;
  CHECK(needs("lb-01:file:/etc/haproxy/haproxy.cfg", lb_pem));
  const auto& notify = g.find(lb_pem)->notify;
  CHECK(std::any_of(notify.begin(), notify.end(), [](const Notify& n) { return n.target == "lb-01:service:haproxy"; }));
  CHECK(needs("mon-01:file:/etc/prometheus/prometheus.yml", std::string("mon-01:file:") + k_monitoring_pem));
  CHECK(needs(std::string("db-02:file:") + k_mysqld_exporter_web, std::string("db-02:file:") + k_monitoring_ca));

  // The names Prometheus verifies: the address it scrapes; through the floating IP on an LB.
  auto s = stack::load_stack("stacks/3-scale-up.yaml");
  REQUIRE(s.ok());
  auto t = derive_topology(*s);
  CHECK(monitoring_cert_names(t, "web-01") ==
        std::vector<std::string>{"web-01", "web-01.foobar.com", "IP:10.77.0.21"});
  CHECK(monitoring_cert_names(t, "lb-02") ==
        std::vector<std::string>{"lb-02", "lb-02.foobar.com", "IP:10.77.0.12", "IP:10.77.0.10"});
}
