// Hostile templates end in a located error of the engine, never in a wrong
// number, an exhausted machine or a foreign exception.
#include <doctest/doctest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "template/environment.h"

using namespace foobar;
using namespace foobar::tmpl;

namespace {

Result<std::string> run(const std::string& text) {
  Environment env;
  return env.render_string(text, "t.j2", Value(Dict{}));
}

std::string ok(const std::string& text) {
  auto r = run(text);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
  return r.value();
}

// The error, which must name the template and a line and column.
std::string located_error(const std::string& text) {
  auto r = run(text);
  REQUIRE_FALSE(r.ok());
  std::string e = r.error().to_string();
  CHECK_MESSAGE(e.rfind("t.j2:", 0) == 0, e);
  CHECK_MESSAGE(r.error().pos.line > 0, e);
  return e;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("template integers: overflow is a located error, never a wrapped number") {
  CHECK(contains(located_error("{{ 1 + 9223372036854775807 }}"), "integer overflow: 1 + 9223372036854775807"));
  CHECK(contains(located_error("{{ -9223372036854775807 - 2 }}"), "integer overflow"));
  CHECK(contains(located_error("{{ 4611686018427387904 * 2 }}"), "integer overflow"));
  CHECK(contains(located_error("{{ 2 ** 75 }}"), "integer overflow: 2 ** 75"));
  CHECK(contains(located_error("{{ (-9223372036854775807 - 1) // -1 }}"), "integer overflow"));
  CHECK(contains(located_error("{{ -(-9223372036854775807 - 1) }}"), "integer overflow"));
  CHECK(contains(located_error("{{ [9223372036854775807, 1] | sum }}"), "integer overflow"));
  CHECK(contains(located_error("{{ (-9223372036854775807 - 1) | abs }}"), "integer overflow"));
  CHECK(contains(located_error("{{ 99999999999999999999 }}"), "does not fit in 64 bits"));
  // What fits is exact, as in Python.
  CHECK(ok("{{ 2 ** 62 }} {{ 2 ** 63 - 1 + 0 if false else 9223372036854775807 }}") ==
        "4611686018427387904 9223372036854775807");
  CHECK(ok("{{ (-2) ** 63 }}") == "-9223372036854775808");
  CHECK(ok("{{ (-9223372036854775807 - 1) % -1 }} {{ -7 // 2 }} {{ -7 % 3 }}") == "0 -4 2");
  CHECK(ok("{{ 2 ** -1 }}") == "0.5");
}

TEST_CASE("template integers: a huge exponent is computed at once") {
  auto start = std::chrono::steady_clock::now();
  CHECK(ok("{{ 1 ** 10**14 }} {{ (-1) ** (10**14 + 1) }} {{ 0 ** 10**14 }}") == "1 -1 0");
  CHECK(contains(located_error("{{ 3 ** 10**14 }}"), "integer overflow"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(contains(located_error("{{ 10.0 ** 400 }}"), "float overflow"));
}

TEST_CASE("template int filter: floats outside 64 bits are errors, NaN gives the default") {
  CHECK(contains(located_error("{{ 1e300 | int }}"), "has no 64-bit integer value"));
  CHECK(contains(located_error("{{ '1e30' | int }}"), "has no 64-bit integer value"));
  CHECK(contains(located_error("{{ (1e308 * 10) | int }}"), "has no 64-bit integer value"));
  CHECK(ok("{{ (1e308 * 10 - 1e308 * 10) | int(7) }} {{ 42.9 | int }} {{ '-3.5' | int }}") == "7 42 -3");
}

TEST_CASE("template % formatting: widths are bounded, no library exception escapes") {
  CHECK(contains(located_error("{{ '%9999999999s' % 'x' }}"), "format width is too large"));
  CHECK(contains(located_error("{{ '%99999999999999999999999s' % 'x' }}"), "format width is too large"));
  CHECK(contains(located_error("{{ '%.99999999999f' % 1.5 }}"), "format precision is too large"));
  CHECK(contains(located_error("{{ '%d' % 1e300 }}"), "has no 64-bit integer value"));
  CHECK(contains(located_error("{{ '%c' % 1114112 }}"), "range(0x110000)"));
  // Python's results where C's printf differs.
  CHECK(ok("[{{ '%5s|%-5s|%.2s' % ('ab', 'cd', 'xyz') }}]") == "[   ab|cd   |xy]");
  CHECK(ok("{{ '%x %X %o %#x %05d %+d %.3d' % (-255, 255, 8, 255, -42, 7, 5) }}") == "-ff FF 10 0xff -0042 +7 005");
  CHECK(ok("{{ '%600d' % 1 }}").size() == 600);
  CHECK(ok("{{ '%.400f' % 1.0 }}").size() == 402);
}

TEST_CASE("template sizes: repetition, output, range and widths are bounded") {
  CHECK(contains(located_error("{{ 'x' * 9223372036854775807 }}"), "string too large"));
  CHECK(contains(located_error("{{ [1, 2] * 9223372036854775807 }}"), "list too large"));
  CHECK(contains(located_error("{{ range(10**12) | length }}"), "range() is too large"));
  CHECK(contains(located_error("{% set ns = namespace(s='x' * 1000000) %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"),
                 "string too large"));
  CHECK(contains(located_error("{% set s = 'x' * 10000000 %}{% for i in range(10) %}{{ s }}{% endfor %}"),
                 "output is too large"));
  CHECK(contains(located_error("{{ 'x' | center(10**12) }}"), "center width is too large"));
  CHECK(contains(located_error("{{ 'a\nb' | indent(10**12) }}"), "indent width is too large"));
  CHECK(contains(located_error("{{ ('x' * 1000000) | replace('x', 'y' * 1000) }}"), "string too large"));
  CHECK(contains(located_error("{{ ('x' * 1000000).replace('', 'y' * 1000) }}"), "string too large"));
  CHECK(contains(located_error("{{ [1] | tojson(indent=10**9) }}"), "JSON indent is too large"));
  // Near the ends of the integer range, range() and slices neither wrap nor hang.
  CHECK(ok("{{ range(9223372036854775806, 9223372036854775807, 10) | list }}") == "[9223372036854775806]");
  CHECK(ok("{{ 'abc'[1::9223372036854775807] }}{{ 'abc'[::-9223372036854775807] }}") == "bc");
  CHECK(ok("{{ 'ab' * 3 }} {{ [0] * 2 }} {{ 'x' * -1 }}") == "ababab [0, 0] ");
}

TEST_CASE("template depth: recursion and nesting are bounded with located errors") {
  CHECK(contains(located_error("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"), "recursion too deep"));
  CHECK(contains(located_error("{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}"),
                 "nested too deeply"));
  CHECK(contains(located_error("{{ " + std::string(5000, '[') + std::string(5000, ']') + " }}"), "nested too deeply"));
  std::string chain = "{{ 1";
  for (int i = 0; i < 5000; ++i) chain += " + 1";
  CHECK(contains(located_error(chain + " }}"), "nested too deeply"));
  std::string filters = "{{ 'a'";
  for (int i = 0; i < 5000; ++i) filters += " | upper";
  CHECK(contains(located_error(filters + " }}"), "nested too deeply"));
  std::string ifs;
  for (int i = 0; i < 5000; ++i) ifs += "{% if true %}";
  CHECK(contains(located_error(ifs), "nested too deeply"));
  std::string nots = "{{ " ;
  for (int i = 0; i < 5000; ++i) nots += "not ";
  CHECK(contains(located_error(nots + "1 }}"), "nested too deeply"));
}

TEST_CASE("template steps: nested loops that would run for hours stop with a located error") {
  CHECK(contains(located_error("{% for i in range(1000000) %}{% for j in range(1000000) %}{% endfor %}{% endfor %}"),
                 "runs too long"));
}

TEST_CASE("template loader: names stay below the root") {
  CHECK(contains(located_error("{% include '/etc/passwd' %}"), "must be a relative path inside the templates directory"));
  CHECK(contains(located_error("{% include '../../etc/passwd' %}"), "must be a relative path inside the templates directory"));
}

TEST_CASE("template values: nesting built in a loop is bounded when walked, and freed without recursion") {
  const std::string deep =
      "{% set ns = namespace(l=[], m=[]) %}{% for i in range(200000) %}{% set ns.l = [ns.l] %}"
      "{% set ns.m = [ns.m] %}{% endfor %}";
  // Building and dropping it is fine (the destructor is iterative).
  CHECK(ok(deep + "{{ ns.l | length }}") == "1");
  CHECK(ok(deep + "{{ ns.l == ns.l }}") == "True");
  for (const char* use : {"{{ ns.l }}", "{{ ns.l == ns.m }}", "{{ ns.l < ns.m }}", "{{ ns.l in [ns.m] }}",
                          "{{ [ns.l, ns.m] | unique | length }}", "{{ ns.l | string }}"})
    CHECK(contains(located_error(deep + use), "nested too deeply (more than 1000 levels)"));
  CHECK(contains(located_error(deep + "{{ ns.l | to_json }}"), "nested too deeply for JSON"));
  CHECK(contains(located_error(deep + "{{ ns.l | to_yaml }}"), "nested too deeply for YAML"));
}

TEST_CASE("template values: walks of shared structure and large texts are bounded") {
  // [l, l] sixty times over is 2^60 items deep down: comparing it stops.
  auto start = std::chrono::steady_clock::now();
  CHECK(contains(located_error("{% set ns = namespace(l=[1], m=[1]) %}{% for i in range(60) %}"
                               "{% set ns.l = [ns.l, ns.l] %}{% set ns.m = [ns.m, ns.m] %}{% endfor %}{{ ns.l == ns.m }}"),
                 "too large to walk"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  // A thousand references to one 1 MB string: the texts stop at 64 MiB.
  const std::string big = "{% set l = ['x' * 1000000] * 1000 %}";
  CHECK(contains(located_error(big + "{{ l | string | length }}"), "string too large"));
  CHECK(contains(located_error(big + "{{ l | to_json | length }}"), "JSON text is too large"));
  CHECK(contains(located_error(big + "{{ l | tojson | length }}"), "JSON text is too large"));
  CHECK(contains(located_error(big + "{{ l | to_yaml | length }}"), "YAML text is too large"));
}
