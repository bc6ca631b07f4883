// Each field's grammar on values that must pass and values that must not.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "stack/grammar.h"

using namespace foobar::stack::grammar;

namespace {

using Check = std::function<std::string(std::string_view)>;

void accepts(const Check& check, const std::vector<std::string>& values) {
  for (const auto& v : values) {
    INFO("value: '" << v << "'");
    CHECK(check(v) == "");
  }
}

// Each value is refused, and the problem contains `needle` (the rule or the reason).
void refuses(const Check& check, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& value : values) {
    const std::string& v = value.first;  // named: INFO captures it, which clang 14 cannot do for a binding
    const std::string& needle = value.second;
    std::string problem = check(v);
    INFO("value: '" << v << "' problem: " << problem);
    CHECK(problem.find(needle) != std::string::npos);
    CHECK(!problem.empty());
  }
}

}  // namespace

TEST_CASE("grammar: managed paths are absolute, normalized and plain") {
  accepts(path_problem, {"/opt/foobar", "/var/www/foobar", "/srv/site-1/v2.0", "/a/b_c/d+e/f@g", "/.hidden/x", "/a/...b"});
  refuses(path_problem, {{"", "absolute"},
                         {"opt/foobar", "absolute"},
                         {"/opt/foo bar", "contains a space"},
                         {"/opt/foo\nExecStartPre=/bin/id", "contains a newline"},
                         {"/opt/foo\tbar", "contains a tab"},
                         {"/opt/foo\x1b[31m", "the control character \\x1b"},
                         {"/opt/'x'", "single quote"},
                         {"/opt/\"x\"", "double quote"},
                         {"/opt/x;id", "';'"},
                         {"/opt/{x}", "'{'"},
                         {"/opt/$HOME", "'$'"},
                         {"/opt/`id`", "backquote"},
                         {"/opt/a\\b", "backslash"},
                         {"/opt/%h", "'%'"},
                         {"/opt/a:b", "':'"},
                         {"/opt/caf\xC3\xA9", "non-ASCII"},
                         {"/opt/\xFF", "not UTF-8"},
                         {"/../../../tmp/escaped", "'..' segment"},
                         {"/opt/foobar/..", "'..' segment"},
                         {"/opt/./foobar", "'.' segment"},
                         {"/opt//foobar", "'//'"},
                         {"/opt/foobar/", "ends with '/'"},
                         {"/opt/foobar/.", "'.' segment"},
                         {"/" + std::string(300, 'a'), "longer than 255"},
                         {std::string(2100, '/') , "'//'"},
                         {"/" + std::string(2100, 'a') + "/" + std::string(2100, 'b'), "longer than 4095"}});
}

TEST_CASE("grammar: app paths and web roots may not be system directories") {
  for (const char* dir : {"/", "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/libx32", "/boot", "/dev",
                          "/proc", "/sys", "/root", "/run", "/tmp", "/var/lib", "/var/run", "/var/log", "/home",
                          "/opt", "/srv", "/var", "/var/www", "/var/tmp", "/var/cache", "/var/spool", "/mnt"}) {
    INFO(dir);
    CHECK(system_directory(dir) == dir);
  }
  CHECK(system_directory("/etc/nginx") == "/etc");
  CHECK(system_directory("/usr/local/foobar") == "/usr");
  CHECK(system_directory("/lib/systemd/system") == "/lib");
  CHECK(system_directory("/var/lib/foobarctl") == "/var/lib");
  CHECK(system_directory("/run/foobar") == "/run");
  CHECK(system_directory("/tmp/escaped") == "/tmp");
  for (const char* ok : {"/opt/foobar", "/srv/foobar", "/var/www/foobar", "/home/app/foobar", "/data/www",
                         "/etcetera", "/variable", "/var/www2", "/mnt/data/app", "/usrx"}) {
    INFO(ok);
    CHECK(system_directory(ok) == "");
  }
}

TEST_CASE("grammar: URL paths for health checks and static locations") {
  Check health = [](std::string_view s) { return url_path_problem(s, true); };
  Check location = [](std::string_view s) { return url_path_problem(s, false); };
  accepts(health, {"/", "/healthz", "/health/ready", "/status?full=1&x=y", "/a%20b", "/~user/x", "/a-b_c.d", "/x?a=/b?c"});
  accepts(location, {"/static", "/static/", "/favicon.ico", "/assets/v1.2/", "/a:b@c", "/a+b,c=d!e*f&g"});
  refuses(health, {{"healthz", "must start with '/'"},
                   {"", "must start with '/'"},
                   {"/healthz\nlisten admin", "newline"},
                   {"/a b", "space"},
                   {"/a'b", "single quote"},
                   {"/a\"b", "double quote"},
                   {"/a;b", "';'"},
                   {"/a{b}", "'{'"},
                   {"/a$b", "'$'"},
                   {"/a#b", "'#'"},
                   {"/a%zz", "'%'"},
                   {"/a%2", "'%'"},
                   {"/a\\b", "backslash"},
                   {"/a//b", "'//'"},
                   {"/a/../b", "'..' segment"}});
  refuses(location, {{"/static { return 404; } location /etc/ { alias /etc/; }", "space"},
                     {"/s?x", "'?'"},
                     {"/s%20", "'%'"},
                     {"/s(x)", "'('"},
                     {"/./s", "'.' segment"},
                     {"static", "must start with '/'"}});
}

TEST_CASE("grammar: names, users and interfaces") {
  accepts(name_problem, {"web-01", "a", "foobar-scale-up", std::string(63, 'a')});
  refuses(name_problem, {{"Web-01", "a-z, 0-9 and '-'"}, {"-a", "not at either end"}, {"a_b", "a-z"},
                         {std::string(64, 'a'), "at most 63"}, {"", "a-z"}, {"a\nb", "a-z"}});
  accepts(user_name_problem, {"www-data", "root", "_apt", "app.user", "u1", std::string(32, 'u')});
  refuses(user_name_problem, {{"", "must not be empty"},
                              {"-oProxyCommand=id", "'='"},
                              {"-rf", "starts with '-'"},
                              {"a b", "space"},
                              {"a\nb", "newline"},
                              {"a:b", "':'"},
                              {"a/b", "'/'"},
                              {"1000", "only digits"},
                              {"..", "not a user name"},
                              {std::string(33, 'u'), "longer than 32"}});
  accepts(interface_problem, {"eth0", "ens3", "br-lab", "eth0.100", "wlan_1", std::string(15, 'e')});
  refuses(interface_problem, {{"eth0\nnopreempt", "newline"},
                              {"eth0\vnopreempt", "control character \\x0b"},
                              {"eth 0", "space"},
                              {"eth0:1", "':'"},
                              {"a/b", "'/'"},
                              {"", "empty"},
                              {".", "not a network interface name"},
                              {"..", "not a network interface name"},
                              {std::string(16, 'e'), "longer than 15"}});
  accepts(identifier_problem, {"LOG_LEVEL", "_x", "a1"});
  refuses(identifier_problem, {{"1X", "not start with a digit"}, {"A-B", "letters, digits and _"}, {"", "letters"},
                               {"A B", "letters"}, {"A=B", "letters"}});
  accepts(secret_name_problem, {"DB_APP_PASSWORD", "TLS_CERTIFICATE", "X1"});
  refuses(secret_name_problem, {{"db-app", "A-Z, 0-9 and _"}, {"", "A-Z"}, {"A B", "A-Z"}});
}

TEST_CASE("grammar: DNS names, record names and record values") {
  Check domain = [](std::string_view s) { return hostname_problem(s, true); };
  Check host = [](std::string_view s) { return hostname_problem(s, false); };
  accepts(domain, {"foobar.com", "a.b.c.example.org", "xn--bcher-kva.de", "1.example"});
  refuses(domain, {{"localhost", "two labels"},
                   {"foobar.com.", "trailing dot"},
                   {"foo_bar.com", "'_'"},
                   {"foo..com", "empty label"},
                   {".foo.com", "empty label"},
                   {"-foo.com", "starts or ends with '-'"},
                   {"foo-.com", "starts or ends with '-'"},
                   {std::string(64, 'a') + ".com", "longer than 63"},
                   {std::string(250, 'a') + ".com", "longer than 253"},
                   {"foo\x1b[2J.com", "control character \\x1b"},
                   {"", "empty"}});
  accepts(host, {"www.foobar.com", "localhost"});
  refuses(host, {{"bad name", "space"}, {"*.foobar.com", "'*'"}});
  accepts(record_name_problem, {"@", "www", "_dmarc", "_acme-challenge.www", "a.b"});
  refuses(record_name_problem, {{"www.", "trailing dot"}, {"w w", "space"}, {"", "empty"}, {"*", "'*'"},
                                {"a\nb", "newline"}});
  accepts(record_target_problem, {"lb-01", "www.example.org.", "mail"});
  refuses(record_target_problem, {{"a b", "space"}, {"a..b", "empty label"}, {"a\"b", "double quote"}});
  accepts(mx_problem, {"10 mail", "0 mx.example.org.", "65535 m"});
  refuses(mx_problem, {{"mail", "PRIORITY NAME"}, {"10 ", "PRIORITY NAME"}, {"70000 mail", "PRIORITY NAME"},
                       {"10 ma il", "space"}, {"x mail", "PRIORITY NAME"}});
  accepts(txt_problem, {"v=spf1 -all", "google-site-verification=abc", "quoted \"word\" and \\ backslash", "",
                        std::string(255, 'x')});
  refuses(txt_problem, {{"a\"\nb IN A 10.0.0.1", "newline"},
                        {"a\tb", "tab"},
                        {"caf\xC3\xA9", "non-ASCII"},
                        {"\x7F", "control character \\x7f"},
                        {std::string(256, 'x'), "longer than 255"}});
}

TEST_CASE("grammar: environment values, command lines and SQL") {
  accepts(env_value_problem, {"info", "", "postgres://u@h:5432/db?x=1&y=2", "a b c", "a;b", "caf\xC3\xA9", "{x}"});
  refuses(env_value_problem, {{"info'; id > /tmp/x; : '", "single quote"},
                              {"a\"b", "double quote"},
                              {"`id`", "backquote"},
                              {"$(id)", "'$'"},
                              {"a\\b", "backslash"},
                              {"a\nb", "newline"},
                              {"a\tb", "tab"},
                              {"a\xC2\x9B" "31m", "\\u009b"},
                              {"a\xFF", "not UTF-8"}});
  accepts(line_problem, {"/usr/bin/python3 /opt/foobar/app.py --workers 2", "sum(rate(x[1m])) > 100",
                         "up{job=\"node\"} == 0", "~/.ssh/id_ed25519"});
  refuses(line_problem, {{"", "must not be empty"},
                         {"python3 app.py\nExecStartPre=/bin/id", "newline"},
                         {"a\rb", "carriage return"},
                         {"a\x1b[31m", "\\x1b"},
                         {"a\tb", "tab"}});
  Check db = [](std::string_view s) { return sql_name_problem(s, 64); };
  accepts(db, {"foobar", "foo_bar2", std::string(64, 'd')});
  refuses(db, {{"foo-bar", "letters, digits and _"}, {"a`b", "letters"}, {"", "letters"},
               {std::string(65, 'd'), "at most 64"}});
  accepts(grant_problem, {"ALL PRIVILEGES ON foobar.*", "ALL ON *.*", "SELECT, INSERT ON foobar.*",
                          "SELECT,INSERT,UPDATE ON foobar.t1", "select on foobar.*", "REPLICATION SLAVE ON *.*",
                          "GRANT OPTION ON foobar.*", "READ_ONLY ADMIN ON *.*"});
  refuses(grant_problem, {{"ALL PRIVILEGES foobar", "must look like"},
                          {"ALL ON everything", "must look like"},
                          {"ALL ON foobar.* TO x; DROP DATABASE foobar", "must look like"},
                          {"ALL ON foobar.*; DROP USER x", "must look like"},
                          {"ALL ON `foobar`.*", "must look like"},
                          {"ALL ON *.t", "must look like"},
                          {"ON foobar.*", "must look like"},
                          {", ON foobar.*", "must look like"},
                          {"SELECT  INSERT ON foobar.*", "must look like"},
                          {"SELECT ON foobar.*\nDROP", "must look like"},
                          {"SELECT (a) ON foobar.*", "must look like"}});
}

TEST_CASE("grammar: rolling batches") {
  accepts(rolling_batch_problem, {"1", "2", "1000", "1%", "50%", "100%"});
  refuses(rolling_batch_problem, {{"", "from 1 to 1000"}, {"0", "from 1 to 1000"}, {"01", "from 1 to 1000"},
                                  {"1001", "from 1 to 1000"}, {"101%", "1% to 100%"}, {"0%", "1% to 100%"},
                                  {"-1", "from 1 to 1000"}, {"+1", "from 1 to 1000"}, {" 1", "from 1 to 1000"},
                                  {"1 ", "from 1 to 1000"}, {"%", "from 1 to 1000"}, {"5%%", "from 1 to 1000"},
                                  {"1; reboot", "from 1 to 1000"}, {"$(id)", "from 1 to 1000"}, {"2.5", "from 1 to 1000"}});
}

TEST_CASE("grammar: alert receivers' webhooks, addresses and smarthosts") {
  accepts(webhook_url_problem, {"http://10.77.0.1:9099/alerts", "https://hooks.foobar.com", "https://hooks.foobar.com/",
                                "https://h.foobar.com:8443/a/b?token=x%2Fy&z=1"});
  refuses(webhook_url_problem, {{"ftp://hooks.foobar.com/", "http:// or https://"},
                                {"http://", "the host is missing"},
                                {"http://a b/", "the host is wrong"},
                                {"http://user:pw@hooks.foobar.com/", "the port must be"},
                                {"http://hooks.foobar.com:0/", "the port must be"},
                                {"http://hooks.foobar.com/x'y", "a single quote"},
                                {"http://hooks.foobar.com/x\ny", "a newline"},
                                {"http://hooks.foobar.com/#frag", "'#'"}});
  accepts(email_problem, {"ops@foobar.com", "first.last+alerts@mail.foobar.com", "a_b-c%d@x.io"});
  refuses(email_problem, {{"ops", "e-mail address"},
                          {"@foobar.com", "e-mail address"},
                          {"o ps@foobar.com", "a space"},
                          {".ops@foobar.com", "not start or end with '.'"},
                          {"ops@localhost", "two labels"},
                          {"ops@foobar.com\"", "a double quote"}});
  accepts(host_port_problem, {"smtp.foobar.com:587", "10.77.0.1:25", "mail:2525"});
  refuses(host_port_problem, {{"smtp.foobar.com", "HOST:PORT"},
                              {":25", "HOST:PORT"},
                              {"smtp.foobar.com:65536", "HOST:PORT"},
                              {"smtp.foobar.com:025", "HOST:PORT"},
                              {"smtp'x:25", "the host is wrong"}});
}
