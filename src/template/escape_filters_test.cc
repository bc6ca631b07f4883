#include "template/escape_filters.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "template/environment.h"

using namespace foobar;
using namespace foobar::tmpl;

namespace {

// Inputs that would add a directive, a command or a record if printed raw.
const std::vector<std::string> kHostile = {
    "a\nb", "a\rb", "a\"b", "a'b", "a\\b", "a;b", "a{b", "a}b", "a$b", "a%b", "a#b", "a b", "a\tb",
    std::string("a\0b", 3), "a\x1b[31mb", "a\x7f", "`id`", "$(id)", "${X}", "x\\", "!x", "@x", "-x", "+x"};

std::string ok(const Escaped& e) {
  REQUIRE_MESSAGE(e.ok, e.text);
  return e.text;
}

std::string why(const Escaped& e) {
  REQUIRE_FALSE(e.ok);
  return e.text;
}

bool has_control(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

// Splits an nginx argument the way ngx_conf_read_token does for one token: bare up to
// a space ; { } or #, or a "..." with \ escapes. Returns the decoded token and how
// many characters it used.
std::pair<std::string, size_t> nginx_token(const std::string& s) {
  std::string out;
  if (!s.empty() && s[0] == '"') {
    for (size_t i = 1; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) out += s[++i];
      else if (s[i] == '"') return {out, i + 1};
      else out += s[i];
    }
    return {out, std::string::npos};
  }
  size_t i = 0;
  while (i < s.size() && std::string(" \t\n;{}#").find(s[i]) == std::string::npos) out += s[i++];
  return {out, i};
}

// POSIX sh's reading of one word made of '...' parts, "..." parts without
// expansions, and \x outside quotes: the word's value and its length.
std::pair<std::string, size_t> sh_token(const std::string& s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\'') {
      size_t e = s.find('\'', i + 1);
      REQUIRE(e != std::string::npos);
      out += s.substr(i + 1, e - i - 1);
      i = e + 1;
    } else if (c == '"') {
      size_t e = s.find('"', i + 1);
      REQUIRE(e != std::string::npos);
      out += s.substr(i + 1, e - i - 1);
      i = e + 1;
    } else if (c == '\\') {
      out += s[i + 1];
      i += 2;
    } else if (std::string(" \t\n;&|<>()$`*?[#~").find(c) != std::string::npos) {
      break;
    } else {
      out += s[i++];
    }
  }
  return {out, i};
}

std::string render(const std::string& text, const nlohmann::ordered_json& ctx) {
  Environment env;
  auto r = env.render_string(text, "t.j2", from_json(ctx));
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
  return r.value();
}

std::string render_error(const std::string& text, const nlohmann::ordered_json& ctx) {
  Environment env;
  auto r = env.render_string(text, "t.j2", from_json(ctx));
  REQUIRE_FALSE(r.ok());
  return r.error().to_string();
}

}  // namespace

TEST_CASE("escape filters: plain values print unchanged") {
  for (const char* v : {"/srv/foobar/static/", "10.77.0.21:8000", "www.foobar.com", "30s", "foobar_app", "app:app"}) {
    CAPTURE(v);
    CHECK(ok(nginx_str(v)) == v);
    CHECK(ok(haproxy_arg(v, false)) == v);
    CHECK(ok(systemd_value(v)) == v);
    CHECK(ok(systemd_exec_arg(v)) == v);
    CHECK(ok(sh_word(v)) == v);
    CHECK(ok(word(v)) == v);
    CHECK(ok(one_line(v)) == v);
  }
  CHECK(ok(keepalived_str("eth0")) == "eth0");
  CHECK(ok(haproxy_arg("*:80", false)) == "*:80");
  CHECK(ok(zone_word("www")) == "www");
  CHECK(ok(zone_word("@")) == "@");
}

TEST_CASE("escape filters: nginx_str keeps hostile text inside one token") {
  for (const auto& h : kHostile) {
    CAPTURE(h);
    Escaped e = nginx_str(h);
    if (has_control(h) || h.find('$') != std::string::npos) {
      CHECK_FALSE(e.ok);
      continue;
    }
    auto [value, used] = nginx_token(ok(e) + "; evil;");
    CHECK(value == h);
    CHECK(used == e.text.size());
  }
  CHECK(ok(nginx_str("/static { return 404; } location /etc/")) == "\"/static { return 404; } location /etc/\"");
  CHECK(ok(nginx_str("")) == "\"\"");
  CHECK(why(nginx_str("/x\nlocation /etc/")).find("control character (\\n)") != std::string::npos);
  CHECK(why(nginx_str("/$host")).find("'$'") != std::string::npos);
}

TEST_CASE("escape filters: haproxy_arg single-quotes, doubles % in log-format arguments") {
  CHECK(ok(haproxy_arg("/healthz listen x", false)) == "'/healthz listen x'");
  CHECK(ok(haproxy_arg("a'b", false)) == "'a'\\''b'");
  CHECK(ok(haproxy_arg("a#b", false)) == "'a#b'");
  CHECK(ok(haproxy_arg("$HOME", false)) == "'$HOME'");
  CHECK(ok(haproxy_arg("%[src]", true)) == "'%%[src]'");
  CHECK(ok(haproxy_arg("100%", true)) == "100%%");
  CHECK(ok(haproxy_arg("%[src]", false)) == "'%[src]'");
  CHECK(ok(haproxy_arg("", false)) == "''");
  for (const auto& h : kHostile)
    if (has_control(h)) CHECK_FALSE(haproxy_arg(h, false).ok);
  CHECK(why(haproxy_arg("/x\nlisten admin", false)).find("\\n") != std::string::npos);
}

TEST_CASE("escape filters: keepalived_str quotes or refuses") {
  CHECK(ok(keepalived_str("/usr/bin/killall -0 haproxy")) == "\"/usr/bin/killall -0 haproxy\"");
  CHECK(ok(keepalived_str("eth0 nopreempt")) == "\"eth0 nopreempt\"");
  CHECK(ok(keepalived_str("a}b{")) == "\"a}b{\"");
  CHECK(ok(keepalived_str("@lb-02")) == "\"@lb-02\"");
  CHECK_FALSE(keepalived_str("eth0\nnopreempt").ok);
  CHECK_FALSE(keepalived_str("eth0\vnopreempt").ok);
  CHECK_FALSE(keepalived_str("a\"b").ok);
  CHECK_FALSE(keepalived_str("a\\b").ok);
  CHECK(why(keepalived_str("${X}")).find("'$'") != std::string::npos);
}

TEST_CASE("escape filters: systemd settings, ExecStart= words and Environment=") {
  CHECK(ok(systemd_value("50% off")) == "50%% off");
  CHECK_FALSE(systemd_value("/opt/foobar\nExecStartPre=+/bin/sh -c id").ok);
  CHECK(why(systemd_value("/opt/x\\")).find("line continuation") != std::string::npos);
  CHECK_FALSE(systemd_value(" x").ok);
  CHECK(ok(systemd_exec_arg("+/bin/sh")) == "\"+/bin/sh\"");
  CHECK(ok(systemd_exec_arg("-/bin/sh")) == "\"-/bin/sh\"");
  CHECK(ok(systemd_exec_arg(";")) == "\";\"");
  CHECK(ok(systemd_exec_arg("a b")) == "\"a b\"");
  CHECK(ok(systemd_exec_arg("$HOME")) == "$$HOME");
  CHECK(ok(systemd_exec_arg("%h")) == "%%h");
  CHECK(ok(systemd_exec_arg("a\"b\\c")) == "\"a\\\"b\\\\c\"");
  CHECK_FALSE(systemd_exec_arg("a\nb").ok);
  CHECK(ok(systemd_env("LOG", "a \"b\" 100%")) == "\"LOG=a \\\"b\\\" 100%%\"");
  CHECK_FALSE(systemd_env("BAD NAME", "x").ok);
  CHECK_FALSE(systemd_env("X", "a\nb").ok);
}

TEST_CASE("escape filters: sh_word is one word whatever it holds") {
  for (const auto& h : kHostile) {
    CAPTURE(h);
    Escaped e = sh_word(h);
    if (h.find('\0') != std::string::npos) {
      CHECK_FALSE(e.ok);
      continue;
    }
    auto [value, used] = sh_token(ok(e) + "; id");
    CHECK(value == h);
    CHECK(used == e.text.size());
  }
  CHECK(ok(sh_word("foobar example app (gunicorn)")) == "\"foobar example app (gunicorn)\"");
  CHECK(ok(sh_word("X=1;id>/tmp/x")) == "\"X=1;id>/tmp/x\"");
  CHECK(ok(sh_word("info'; id > /tmp/x; : '")) == "\"info'; id > /tmp/x; : '\"");
  CHECK(ok(sh_word("it's $HOME")) == "'it'\\''s $HOME'");
  CHECK(ok(sh_word("")) == "\"\"");
}

TEST_CASE("escape filters: env files read alike by sh and systemd") {
  CHECK(ok(env_value("info")) == "'info'");
  CHECK(ok(env_value("a $b `c` \"d\"")) == "'a $b `c` \"d\"'");
  CHECK(ok(env_value("info'; id > /tmp/x; : '")) == "\"info'; id > /tmp/x; : '\"");
  CHECK(ok(env_value("it's $HOME \\ `x` \"q\"")) == "\"it's \\$HOME \\\\ \\`x\\` \\\"q\\\"\"");
  CHECK_FALSE(env_value("a\nB=1").ok);
  CHECK(ok(env_name("LOG_LEVEL")) == "LOG_LEVEL");
  for (const char* bad : {"", "1X", "A-B", "A B", "A=B", "A\nB"}) CHECK_FALSE(env_name(bad).ok);
}

TEST_CASE("escape filters: word, one_line, nsd_str, nft_str and yaml_str") {
  for (const auto& h : kHostile) {
    CAPTURE(h);
    if (h[0] != '@' && h[0] != '-' && h[0] != '+') CHECK_FALSE(word(h).ok);
    CHECK(one_line(h).ok == !has_control(h));
  }
  CHECK_FALSE(word("").ok);
  CHECK(ok(nsd_str("foobar.com")) == "\"foobar.com\"");
  CHECK_FALSE(nsd_str("a\"b").ok);
  CHECK_FALSE(nsd_str("a\nb").ok);
  CHECK(ok(nft_str("web from lb; drop")) == "\"web from lb; drop\"");
  CHECK_FALSE(nft_str("x\" accept comment \"y").ok);
  CHECK(ok(rsyslog_str("web-01")) == "\"web-01\"");
  CHECK_FALSE(rsyslog_str("web-01\" then stop\n").ok);  // cannot end the string and add a statement
  CHECK_FALSE(rsyslog_str("a\\").ok);
  CHECK(ok(yaml_str("it's")) == "'it''s'");
  CHECK_FALSE(yaml_str("a\n  b: c").ok);
}

TEST_CASE("escape filters: zone_txt writes RFC 1035 character-strings") {
  CHECK(ok(zone_txt("v=spf1 -all")) == "\"v=spf1 -all\"");
  CHECK(ok(zone_txt("")) == "\"\"");
  CHECK(ok(zone_txt("a\"b\\c")) == "\"a\\\"b\\\\c\"");
  CHECK(ok(zone_txt("x\"\nevil IN A 1.2.3.4")) == "\"x\\\"\\010evil IN A 1.2.3.4\"");
  CHECK(ok(zone_txt(std::string("\0;\x7f", 3))) == "\"\\000;\\127\"");
  CHECK(ok(zone_txt("\xc3\xa9")) == "\"\\195\\169\"");
  std::string long_text(300, 'a');
  CHECK(ok(zone_txt(long_text)) == "\"" + std::string(255, 'a') + "\" \"" + std::string(45, 'a') + "\"");
  CHECK(ok(zone_txt(std::string(255, 'b'))) == "\"" + std::string(255, 'b') + "\"");
  for (const char* bad : {"www\nevil", "a b", "a;b", "a(b", "\"a\"", "a\\b", "$ORIGIN"}) CHECK_FALSE(zone_word(bad).ok);
}

TEST_CASE("escape filters: a value that cannot be printed is an error at the template's place") {
  std::string err = render_error("server {\n    location {{ p | nginx_str }} {}\n}\n",
                                 {{"p", "/static\nlocation /etc/"}});
  CHECK(err.find("t.j2:2:") != std::string::npos);
  CHECK(err.find("error: nginx_str: the value holds a control character (\\n)") != std::string::npos);
  CHECK(err.find('\n') == std::string::npos);  // the value's newline is never echoed raw
  CHECK(render_error("{{ x | word }}", {{"x", "a b"}}).find("t.j2:1:") != std::string::npos);
  CHECK(render_error("{{ x | nginx_str }}", {{"x", {1, 2}}}).find("prints a string or a number") != std::string::npos);
  CHECK(render_error("{{ x | haproxy_arg(oops=1) }}", {{"x", "a"}}).find("unexpected keyword") != std::string::npos);
  CHECK(render("{{ p | haproxy_arg(log_format=true) }} {{ n | nginx_str }}", {{"p", "100%"}, {"n", 8000}}) ==
        "100%% 8000");
  CHECK(render("{{ v.split(' ') | map('zone_word') | join(' ') }}", {{"v", "10 mail"}}) == "10 mail");
  CHECK(render("{{ 'x' | systemd_env('NAME') }}", nlohmann::ordered_json::object()) == "\"NAME=x\"");
}
