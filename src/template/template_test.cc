#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "template/environment.h"
#include "template/lexer.h"
#include "template/parser.h"

using namespace foobar;
using namespace foobar::tmpl;

namespace {

Value ctx(const char* json) { return from_json(nlohmann::ordered_json::parse(json)); }

std::string render(const std::string& text, const char* json = "{}") {
  Environment env;
  auto r = env.render_string(text, "t.j2", ctx(json));
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
  return r.value();
}

std::string error_of(const std::string& text, const char* json = "{}") {
  Environment env;
  auto r = env.render_string(text, "t.j2", ctx(json));
  REQUIRE_FALSE(r.ok());
  return r.error().to_string();
}

}  // namespace

TEST_CASE("template lexer: tokens carry positions and decoded literals") {
  auto toks = tokenize("ab\n{{ x.y + 'q\\n' }}", "t", {});
  REQUIRE(toks.ok());
  const auto& t = toks.value();
  REQUIRE(t.size() == 9);
  CHECK(t[0].type == Tok::data);
  CHECK(t[0].text == "ab\n");
  CHECK(t[1].type == Tok::var_begin);
  CHECK(t[1].pos == SourcePos{2, 1});
  CHECK(t[2].text == "x");
  CHECK(t[2].pos == SourcePos{2, 4});
  CHECK(t[6].type == Tok::string);
  CHECK(t[6].text == "q\n");
  CHECK(t[8].type == Tok::eof);
}

TEST_CASE("template lexer: whitespace control as Jinja2") {
  // trim_blocks removes the newline after a block tag, lstrip_blocks the indentation before it.
  CHECK(render("a\n  {% if true %}\n  b\n  {% endif %}\nc") == "a\n  b\nc");
  // '-' strips all whitespace including newlines; '+' keeps the indentation.
  CHECK(render("a  \n  {%- if true -%}  \n b{% endif %}") == "ab");
  CHECK(render("a\n  {%+ if true %}b{% endif %}") == "a\n  b");
  CHECK(render("x {{- ' y ' -}} z") == "x y z");
  // Variables are never lstripped; comments are.
  CHECK(render("  {{ 1 }}\n  {# c #}\nz") == "  1\nz");
  // One trailing newline of the template goes, like keep_trailing_newline=False.
  CHECK(render("a\n\n") == "a\n");
  CHECK(render("{% raw %}{{ x }}{% endraw %}") == "{{ x }}");
}

TEST_CASE("template lexer: errors name the place") {
  auto r = tokenize("ok\n{# never closed", "c.j2", {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().to_string() == "c.j2:2:1: error: missing end of comment tag '#}'");
  auto s = tokenize("{{ 'abc }}", "s.j2", {});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().pos == SourcePos{1, 4});
}

TEST_CASE("template parser: unclosed and mismatched blocks") {
  auto r = parse_source("{% for x in y %}\n{{ x }}\n", "x.j2", {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().to_string() ==
        "x.j2:2:8: error: unexpected end of template: expected 'else' or 'endfor' to close 'for' opened at 1:1");
  auto m = parse_source("{% if a %}x{% endfor %}", "m.j2", {});
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().pos == SourcePos{1, 12});
  CHECK(m.error().message.find("'if' opened at 1:1") != std::string::npos);
  auto e = parse_source("{{ 1 + }}", "e.j2", {});
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message == "expected an expression, got end of print statement");
  auto u = parse_source("{% frob %}", "u.j2", {});
  REQUIRE_FALSE(u.ok());
  CHECK(u.error().message == "unknown statement 'frob'");
}

TEST_CASE("template parser: precedence") {
  CHECK(render("{{ 1 + 2 * 3 }} {{ -2 ** 2 }} {{ 2 ** 3 ** 2 }} {{ not 1 == 2 }} {{ 1 ~ 2 * 3 }}") ==
        "7 4 64 True 16");
  CHECK(render("{{ -1 | abs }} {{ 1 if 0 else 2 if 0 else 3 }}") == "1 3");
}

TEST_CASE("template values print like Python's str()") {
  CHECK(repr_double(0.1) == "0.1");
  CHECK(repr_double(1.0) == "1.0");
  CHECK(repr_double(1e-05) == "1e-05");
  CHECK(repr_double(1e16) == "1e+16");
  CHECK(repr_double(123456789.5) == "123456789.5");
  CHECK(repr_double(-0.0) == "-0.0");
  CHECK(repr_double(0.30000000000000004) == "0.30000000000000004");
  CHECK(repr_string("it's") == "\"it's\"");
  CHECK(repr_string("a\\b\n") == "'a\\\\b\\n'");
  CHECK(render("{{ x }}", R"({"x": {"b": [1, "s", null, true, 2.5], "a": {}}})") ==
        "{'b': [1, 's', None, True, 2.5], 'a': {}}");
  CHECK(render("{{ (1,) }} {{ (1, 'a') }}") == "(1,) (1, 'a')");
}

TEST_CASE("template renderer: strict undefined") {
  CHECK(error_of("ab\n  {{ nope }}") == "t.j2:2:6: error: 'nope' is undefined");
  CHECK(error_of("{{ d.missing }}", R"({"d": {}})") == "t.j2:1:4: error: 'dict object' has no attribute 'missing'");
  CHECK(error_of("{% for i in nope %}{% endfor %}").find("'nope' is undefined") != std::string::npos);
  CHECK(error_of("{% if nope == 1 %}{% endif %}").find("'nope' is undefined") != std::string::npos);
  CHECK(error_of("{{ nope.x | default(1) }}") == "t.j2:1:4: error: 'nope' is undefined");
  CHECK(render("{{ nope is defined }} {{ nope | default('d') }} {{ d.x is defined }}", R"({"d": {}})") ==
        "False d False");
}

TEST_CASE("template renderer: loops, scoping, macros") {
  CHECK(render("{% for x in l %}{{ loop.index }}{{ x }}{{ ',' if not loop.last }}{% endfor %}",
               R"({"l": ["a", "b"]})") == "1a,2b");
  CHECK(render("{% set x = 1 %}{% for i in [5] %}{% set x = i %}{% endfor %}{{ x }}") == "1");
  CHECK(render("{% for i in [] %}x{% else %}empty{% endfor %}") == "empty");
  CHECK(render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", R"({"d": {"b": 1, "a": 2}})") ==
        "b=1;a=2;");
  CHECK(render("{% macro m(a, b=2) %}{{ a }}+{{ b }}{% endmacro %}{{ m(1) }} {{ m(1, b=3) }}") == "1+2 1+3");
  CHECK(render("{% set ns = namespace(n=0) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}") ==
        "6");
}

TEST_CASE("template filters") {
  const char* hosts = R"({"h": [{"n": "b", "on": true, "w": 2}, {"n": "a", "on": false, "w": 1}]})";
  CHECK(render("{{ h | selectattr('on') | map(attribute='n') | join(',') }}", hosts) == "b");
  CHECK(render("{{ h | sort(attribute='w') | map(attribute='n') | list }}", hosts) == "['a', 'b']");
  CHECK(render("{{ h | selectattr('w', 'equalto', 1) | first | attr('x') is defined }}", hosts) == "False");
  CHECK(render("{{ ['b', 'A', 'a'] | sort }} {{ ['a', 'A'] | unique | list }}") == "['A', 'a', 'b'] ['a']");
  CHECK(render("{{ 'x\ny' | indent(2, first=true) }}") == "  x\n  y");
  CHECK(render("{{ '%s:%05.1f' | format('v', 2.25) }} {{ '42' | int + 1 }} {{ 2.5 | round }}") == "v:002.2 43 2.0");
  CHECK(render("{{ {'b': 1, 'a': '<'} | tojson }}") == "{\"a\": \"\\u003c\", \"b\": 1}");
  CHECK(render("{{ '' | default('e', true) }} {{ [3, 1] | max }} {{ [1, 2.5] | sum }}") == "e 3 3.5");
  CHECK(error_of("{{ 1 | nofilter }}") == "t.j2:1:8: error: no filter named 'nofilter'");
}

TEST_CASE("template environment: include, cache and concurrent renders") {
  auto dir = std::filesystem::temp_directory_path() / ("foobar-tmpl-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "parts");
  std::ofstream(dir / "main.j2") << "{% for h in hosts %}\n{% include 'parts/host.j2' %}\n{% endfor %}\n";
  std::ofstream(dir / "parts/host.j2") << "host {{ h }} in {{ site }}\n";
  Environment env(dir);
  Value c = ctx(R"({"hosts": ["a", "b"], "site": "s1"})");
  auto first = env.render_file("main.j2", c);
  REQUIRE(first.ok());
  // The include drops its trailing newline and trim_blocks eats the one after the tag, as in Jinja2.
  CHECK(first.value() == "host a in s1host b in s1");
  auto t1 = env.load("main.j2");
  auto t2 = env.load("main.j2");
  REQUIRE(t1.ok());
  CHECK(t1.value().get() == t2.value().get());  // parsed once

  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      for (int k = 0; k < 200; ++k) {
        auto r = env.render(*t1.value(), c);
        if (!r.ok() || r.value() != first.value()) ++mismatches;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(mismatches == 0);

  auto missing = env.render_string("{% include 'nope.j2' %}", "m.j2", c);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().to_string().rfind("m.j2:1:1: error: template 'nope.j2' not found", 0) == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("template loading stays inside the templates directory") {
  namespace fs = std::filesystem;
  auto base = fs::temp_directory_path() / ("foobar-tmpl-confine-" + std::to_string(::getpid()));
  fs::remove_all(base);
  fs::create_directories(base / "templates/parts");
  std::ofstream(base / "templates/parts/ok.j2") << "inside\n";
  std::ofstream(base / "secret.txt") << "outside\n";
  fs::create_symlink("ok.j2", base / "templates/parts/alias.j2");
  fs::create_symlink(base / "secret.txt", base / "templates/parts/leak.j2");
  fs::create_symlink("/etc", base / "templates/etc");
  Environment env(base / "templates");
  Value c = ctx("{}");
  auto error = [&](const std::string& include) {
    auto r = env.render_string("{% include '" + include + "' %}", "main.j2", c);
    return r.ok() ? std::string("rendered: " + r.value()) : r.error().to_string();
  };
  CHECK(error("parts/ok.j2") == "rendered: inside");
  CHECK(error("parts/alias.j2") == "rendered: inside");  // a link inside the directory is fine
  CHECK(error("../../etc/passwd").find("must be a relative path inside the templates directory") != std::string::npos);
  CHECK(error("parts/../../secret.txt").find("must be a relative path inside") != std::string::npos);
  CHECK(error("/etc/passwd").find("must be a relative path inside") != std::string::npos);
  CHECK(error("parts/leak.j2").find("outside") != std::string::npos);
  CHECK(error("etc/passwd").find("outside") != std::string::npos);
  CHECK(error("parts/leak.j2").find("outside\n") == std::string::npos);  // never rendered
  // extends, import and from-import load through the same confined loader.
  for (const char* stmt : {"{% extends '../secret.txt' %}", "{% import '/etc/passwd' as m %}",
                           "{% from 'parts/leak.j2' import x %}", "{% extends 'etc/passwd' %}"}) {
    auto r = env.render_string(stmt, "main.j2", c);
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.error().to_string().rfind("main.j2:1:", 0) == 0, r.error().to_string());
    CHECK(r.error().to_string().find("outside\n") == std::string::npos);
  }
  CHECK_FALSE(env.load("../secret.txt").ok());
  fs::remove_all(base);
}

TEST_CASE("template inheritance: blocks, super(), scoped and required blocks") {
  namespace fs = std::filesystem;
  auto dir = fs::temp_directory_path() / ("foobar-tmpl-extends-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "base.j2") << "<{% block a %}A{% endblock %}|{% for i in l %}{% block b scoped %}{{ i }}{% endblock %}{% endfor %}"
                                    "|{% block r required %}{% endblock %}>";
  std::ofstream(dir / "mid.j2") << "{% extends 'base.j2' %}{% block a %}m{{ super() }}{% endblock %}";
  Environment env(dir);
  Value c = ctx(R"({"l": [1, 2]})");
  auto r = env.render_string("{% extends 'mid.j2' %}ignored{% block a %}c{{ super() }}{% endblock %}"
                             "{% block b %}[{{ i * 10 }}]{% endblock %}{% block r %}R{% endblock %}",
                             "child.j2", c);
  REQUIRE_MESSAGE(r.ok(), r.error().to_string());
  CHECK(r.value() == "<cmA|[10][20]|R>");
  // The required block, not overridden, is an error at the block.
  auto missing = env.render_string("{% extends 'mid.j2' %}", "child.j2", c);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().to_string().rfind("base.j2:1:", 0) == 0);
  CHECK(missing.error().to_string().find("required block 'r'") != std::string::npos);
  // super() past the last parent, a second extends, a required block with content.
  CHECK(error_of("{% block a %}{{ super() }}{% endblock %}").find("no parent block called 'a'") != std::string::npos);
  CHECK(error_of("{% extends 'x' %}{% extends 'y' %}").find("t.j2:1:") == 0);
  CHECK(error_of("{% block a required %}text{% endblock %}").find("may only contain whitespace") != std::string::npos);
  CHECK(error_of("{% block a %}{% endblock b %}").find("t.j2:1:") == 0);
  fs::remove_all(dir);
}

TEST_CASE("template imports: modules, names, context") {
  namespace fs = std::filesystem;
  auto dir = fs::temp_directory_path() / ("foobar-tmpl-import-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "m.j2") << "{% set v = 7 %}{% set _hidden = 1 %}{% macro f(x) %}f{{ x }}{% endmacro %}"
                                 "{% macro g() %}{{ site }}{% endmacro %}";
  Environment env(dir);
  Value c = ctx(R"({"site": "s1"})");
  auto out = [&](const std::string& text) {
    auto r = env.render_string(text, "t.j2", c);
    return r.ok() ? r.value() : "error: " + r.error().to_string();
  };
  CHECK(out("{% import 'm.j2' as m %}{{ m.f(1) }} {{ m.v }} {{ m._hidden is defined }}") == "f1 7 False");
  CHECK(out("{% from 'm.j2' import f as h, v %}{{ h(v) }}") == "f7");
  CHECK(out("{% from 'm.j2' import g with context %}{{ g() }}") == "s1");
  // Without context (the default) the module does not see the render's variables.
  CHECK(out("{% from 'm.j2' import g %}{{ g() }}").find("'site' is undefined") != std::string::npos);
  CHECK(out("{% from 'm.j2' import nope %}{{ nope }}").find("does not export the requested name 'nope'") !=
        std::string::npos);
  CHECK(out("{% from 'm.j2' import _hidden %}").find("underscore") != std::string::npos);
  // A template importing itself ends in the recursion bound, not a crash.
  std::ofstream(dir / "self.j2") << "{% import 'self.j2' as s %}";
  CHECK(out("{% import 'self.j2' as s %}").find("recursion too deep") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("template call blocks pass caller() with arguments") {
  CHECK(render("{% macro m(x) %}<{{ caller(x * 2) }}>{% endmacro %}{% call(y) m(2) %}y={{ y }}{% endcall %}") ==
        "<y=4>");
  CHECK(render("{% macro m() %}{{ caller() }}{{ caller() }}{% endmacro %}{% call m() %}ab{% endcall %}") == "abab");
}

TEST_CASE("template list and dict methods change only what the template made") {
  CHECK(render("{% set l = [1] %}{% set m = l %}{{ m.append(2) }}{{ l }}") == "None[1, 2]");
  CHECK(render("{% set d = {} %}{{ d.update({'a': 1}, b=2) }}{{ d }}") == "None{'a': 1, 'b': 2}");
  // Variables of the render may be shared with other renders: they are never changed in place.
  CHECK(error_of("{{ l.append(3) }}", R"({"l": [1]})").find("passed in as a variable") != std::string::npos);
  CHECK(error_of("{{ d.update({}) }}", R"({"d": {}})").find("passed in as a variable") != std::string::npos);
  CHECK(render("{% set c = l | list %}{{ c.append(3) }}{{ c }} {{ l }}", R"({"l": [1]})") == "None[1, 3] [1]");
  CHECK(render("{% set c = d.copy() %}{{ c.update(x=1) }}{{ c }} {{ d }}", R"({"d": {}})") == "None{'x': 1} {}");
  // A value cannot be made to contain itself (Python prints [...]; printing it here would never end).
  CHECK(error_of("{% set l = [] %}{{ l.append([l]) }}").find("contain itself") != std::string::npos);
  CHECK(error_of("{% set d = {} %}{{ d.update({'k': {'x': d}}) }}").find("contain itself") != std::string::npos);
  // Growth is bounded like every other list.
  CHECK(error_of("{% set l = range(600000) | list %}{{ l.extend(l) }}").find("list too large") != std::string::npos);
  CHECK(error_of("{{ (1, 2).append(3) }}").find("t.j2:1:") == 0);
}

TEST_CASE("Ansible filters: Python-only regex constructs and lookups are located errors") {
  CHECK(render("{{ 'a1b22' | regex_replace('(\\\\d+)', '<\\\\1>') }}") == "a<1>b<22>");
  CHECK(render("{{ 'x=1 y=2' | regex_findall('(\\\\w)=(\\\\d)') }}") == "[('x', '1'), ('y', '2')]");
  for (const char* re : {"(?P<n>a)", "(?i)a", "(?<=a)b", "\\\\Aa", "a\\\\Z", "(?#c)a"}) {
    std::string e = error_of(std::string("{{ 'a' | regex_search('") + re + "') }}");
    CHECK_MESSAGE(e.rfind("t.j2:1:", 0) == 0, e);
    CHECK_MESSAGE((e.find("Python") != std::string::npos || e.find("ECMAScript") != std::string::npos), e);
  }
  CHECK(render("{{ '(?P<' | regex_search('[(?P<]+') }}") == "(?P<");  // inside a class it is literal
  CHECK(error_of("{{ 'a' | regex_search('(') }}").find("invalid regular expression") != std::string::npos);
  CHECK(error_of("{{ 'a' | regex_replace('a', '\\\\2') }}").find("invalid group reference") != std::string::npos);
  std::string big(40000, 'a');
  CHECK(error_of("{{ x | regex_replace('a', 'b') }}", ("{\"x\": \"" + big + "\"}").c_str()).find("32 KiB") !=
        std::string::npos);
  CHECK(error_of("{{ lookup('file', '/etc/passwd') }}").find("t.j2:1:") == 0);
  CHECK(error_of("{{ query('file', '/etc/passwd') }}").find("pass the value in as a variable") != std::string::npos);
  CHECK(error_of("{{ x | mandatory }}").find("t.j2:1:") == 0);
  CHECK(error_of("{{ 'a' | hash('crc') }}").find("unknown hash type") != std::string::npos);
  CHECK(error_of("{{ '@@' | b64decode }}").find("not base64") != std::string::npos);
}
