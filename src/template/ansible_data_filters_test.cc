// Ansible's YAML, password_hash, random, size and path filters and tests; the
// expected values are what ansible-core 2.14 (Python 3.11, libyaml, libxcrypt) gives.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "template/environment.h"
#include "template/py_random.h"
#include "template/yaml_text.h"

using namespace foobar;
using namespace foobar::tmpl;

namespace {

Result<std::string> run(const std::string& text, const char* json) {
  Environment env;
  return env.render_string(text, "t.j2", from_json(nlohmann::ordered_json::parse(json)));
}

std::string render(const std::string& text, const char* json = "{}") {
  auto r = run(text, json);
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().to_string()));
  return r.value();
}

std::string error_of(const std::string& text, const char* json = "{}") {
  auto r = run(text, json);
  REQUIRE_FALSE(r.ok());
  std::string e = r.error().to_string();
  CHECK_MESSAGE(e.rfind("t.j2:1:", 0) == 0, e);
  return e;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("template to_yaml: PyYAML's layout through libyaml") {
  const char* vars = R"({"d": {"b": 1, "a": [1, 2], "c": {"x": "yes", "y": null}}, "l": [{"n": "web", "p": [80, 443]}]})";
  CHECK(render("{{ d | to_yaml }}", vars) == "a: [1, 2]\nb: 1\nc: {x: 'yes', y: null}\n");
  CHECK(render("{{ d | to_nice_yaml }}", vars) == "a:\n- 1\n- 2\nb: 1\nc:\n    x: 'yes'\n    y: null\n");
  CHECK(render("{{ l | to_nice_yaml(indent=2) }}", vars) == "- n: web\n  p:\n  - 80\n  - 443\n");
  CHECK(render("{{ l | to_yaml }}", vars) == "- n: web\n  p: [80, 443]\n");
  CHECK(render("{{ d | to_yaml(default_flow_style=true) }}", vars) == "{a: [1, 2], b: 1, c: {x: 'yes', y: null}}\n");
  CHECK(render("{{ {'b': 1, 'a': 2} | to_yaml(sort_keys=false) }}") == "{b: 1, a: 2}\n");
  // Scalars: quoted when they would read back as another type or hold indicators.
  CHECK(render("{{ ['1', 'on', '', 'a: b', '- x', 'it\\'s', ':a', 'x #y', 'tab\there', 1.5, 1e17, none, true] | to_yaml }}") ==
        "['1', 'on', '', 'a: b', '- x', it's, ':a', 'x #y', \"tab\\there\", 1.5, 1.0e+17, null,\n  true]\n");
  CHECK(render("{{ 'abc' | to_yaml }}") == "abc\n");
  CHECK(render("{{ 'a\nb' | to_yaml }}") == "'a\n\n  b'\n");
  CHECK(render("{{ 'a\n b' | to_yaml }}") == "\"a\\n b\"\n");
  // Long lines fold at 80 columns as PyYAML folds them.
  CHECK(render("{{ ('long ' * 30) | to_yaml }}") ==
        "'long long long long long long long long long long long long long long long long long\n"
        "  long long long long long long long long long long long long long '\n");
  CHECK(render("{{ {'k' * 130: 1} | to_nice_yaml }}") == "? " + std::string(130, 'k') + "\n: 1\n");
  CHECK(contains(error_of("{{ {'a': nope} | to_yaml }}"), "'nope' is undefined"));
  CHECK(contains(error_of("{{ [1] | to_yaml(indent=2, explicit_start=true) }}"), "unsupported keyword argument 'explicit_start'"));
}

TEST_CASE("template from_yaml: YAML 1.1 types as PyYAML's SafeLoader reads them") {
  CHECK(render("{{ 'a: 1\nb: [yes, off, ~, 0x1F, 010, 1_000, 1:30, 1.5e3, .inf, \"2\"]\nc: {d: null}' | from_yaml }}") ==
        "{'a': 1, 'b': [True, False, None, 31, 8, 1000, 90, '1.5e3', inf, '2'], 'c': {'d': None}}");
  CHECK(render("{{ 'base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3' | from_yaml }}") ==
        "{'base': {'x': 1, 'y': 2}, 'derived': {'x': 1, 'y': 3}}");
  CHECK(render("{{ ('' | from_yaml) is none }} {{ 5 | from_yaml }}") == "True 5");
  CHECK(render("{{ (d | to_yaml | from_yaml) == d }}", R"({"d": {"a": [1, "x: y", "no"], "b": {"c": 1.25}}})") == "True");
  CHECK(contains(error_of("{{ 'a: [1' | from_yaml }}"), "from_yaml: the text is not valid YAML"));
  CHECK(contains(error_of("{{ '1: a' | from_yaml }}"), "is not a string"));
  CHECK(contains(error_of("{{ 'a\\n---\\nb' | from_yaml }}"), "expected a single document"));
  // Input on which yaml-cpp 0.7's LoadAll never returns (found by fuzz_template) is an error.
  CHECK(contains(error_of("{{ ', 1' | from_yaml }}"), "the text is not valid YAML: nothing can start a document at line 1"));
  CHECK(contains(error_of("{{ ',' | from_yaml }}"), "not valid YAML"));
  CHECK(contains(error_of("{{ '---\\n---\\n' | from_yaml }}"), "expected a single document"));
  CHECK(contains(error_of("{{ 'x: 99999999999999999999' | from_yaml }}"), "does not fit in 64 bits"));
  // A document of aliases cannot expand without bound.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]";
  for (char c = 'b'; c <= 'j'; ++c)
    bomb += std::string("\\n") + c + ": &" + c + " [*" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) +
            ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" +
            char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + "]";
  CHECK(contains(error_of("{{ \"" + bomb + "\" | from_yaml }}"), "more than 1000000 nodes"));
}

TEST_CASE("template password_hash: crypt(3) with Ansible's salt rules") {
  CHECK(render("{{ 'secret' | password_hash('sha512', 'mysalt') }}") ==
        "$6$mysalt$UX6P1VKOf6dr0s2pg4pLNvIUB6hLXvP6M5f/Yj9hJgMPdAJ4oArvk5YUD9/XWtk1JOpVwt/JTsczMJr8sFVML1");
  CHECK(render("{{ 'secret' | password_hash('sha512', 'abcdefghijklmnop', rounds=5000) }}") ==
        "$6$rounds=5000$abcdefghijklmnop$J/AWykHqo2Tx5UtavGnFc3ytI33la50JpzLTarSWVhkIXK6wOjNwwZjsrIw2UgmrER2EKrSHCeQyAINEEXAk1/");
  CHECK(render("{{ 'secret' | password_hash('sha256', salt='mysalt') }}") == "$5$mysalt$I2SNajjJ3Gc5gIR/tkrLOGngF8wqv59buJCqxh.o9s8");
  CHECK(render("{{ 'secret' | password_hash('md5', 'mysalt') }}") == "$1$mysalt$n/EfEiV74OYgBdqhKQzSW/");
  // Without a salt: a random one of 16 characters, so two hashes differ.
  std::string a = render("{{ 'secret' | password_hash }}"), b = render("{{ 'secret' | password_hash }}");
  CHECK(a.rfind("$6$", 0) == 0);
  CHECK(a.size() == 3 + 16 + 1 + 86);
  CHECK(a != b);
  CHECK(contains(error_of("{{ 'x' | password_hash('sha512', 'bad salt') }}"), "invalid characters in salt"));
  CHECK(contains(error_of("{{ 'x' | password_hash('sha512', 'a' * 17) }}"), "invalid salt size"));
  CHECK(contains(error_of("{{ 'x' | password_hash('blowfish') }}"), "is not supported"));
  CHECK(contains(error_of("{{ 'x' | password_hash('sha512', 'salt', rounds=10**9) }}"), "rounds must be 1000 to 1000000"));
}

TEST_CASE("template random: Python's Mersenne Twister, seeded as Ansible seeds it") {
  CHECK(render("{{ 65534 | random(seed='web-01') }} {{ 65534 | random(seed='db-01') }} {{ 100 | random(seed=42) }} "
               "{{ 60 | random(seed=0) }} {{ 1000000000000000000 | random(seed='x') }}") ==
        "58849 58517 81 54 363349193659207123");
  CHECK(render("{{ 100 | random(10, 7, seed='web-01') }} {{ -100 | random(0, -3, seed='a') }} "
               "{{ ['a', 'b', 'c', 'd'] | random(seed='web-01') }} {{ 9223372036854775807 | random(seed=-5) }}") ==
        "45 -51 c 2356064425258417221");
  for (int i = 0; i < 20; ++i) {
    int64_t n = std::stoll(render("{{ 10 | random(start=5) }}"));
    CHECK((n >= 5 && n < 10));
  }
  CHECK(contains(error_of("{{ 0 | random }}"), "empty range"));
  CHECK(contains(error_of("{{ [] | random }}"), "empty sequence"));
  CHECK(contains(error_of("{{ [1] | random(start=1) }}"), "only be used with integer values"));
  CHECK(contains(error_of("{{ 1.5 | random }}"), "sequences and integers"));
  // The generator itself against CPython: Random(5489).getrandbits(32) three times,
  // Random('abc').getrandbits(64), Random(2**40 + 3).getrandbits(20).
  PyRandom g(uint64_t{5489});
  CHECK(g.bits(32) == 3382763572U);
  CHECK(g.bits(32) == 956215839U);
  CHECK(g.bits(32) == 417760592U);
  CHECK(PyRandom(std::string_view("abc")).bits(64) == 18237557866672383999ULL);
  CHECK(PyRandom((uint64_t{1} << 40) + 3).bits(20) == 230463U);
}

TEST_CASE("template human_readable and human_to_bytes: Ansible's formatters") {
  CHECK(render("{{ 0 | human_readable }}|{{ 1023 | human_readable }}|{{ 1536 | human_readable }}|"
               "{{ 1000000000000 | human_readable }}|{{ 1048576 | human_readable(unit='K') }}|"
               "{{ 1048576 | human_readable(isbits=true) }}|{{ 2048 | human_readable(unit='KB') }}|{{ -5 | human_readable }}|"
               "{{ 1.5e9 | human_readable }}") ==
        "0.00 Bytes|1023.00 Bytes|1.50 KB|931.32 GB|1024.00 KB|1.00 Mb|2048.00 Bytes|-5.00 Bytes|1.40 GB");
  CHECK(render("{{ '10M' | human_to_bytes }} {{ '1.5K' | human_to_bytes }} {{ ' 2 KB' | human_to_bytes }} "
               "{{ 10 | human_to_bytes('M') }} {{ '1Mb' | human_to_bytes(isbits=true) }} {{ '0.5' | human_to_bytes }} "
               "{{ '2.5' | human_to_bytes }} {{ '3 byte' | human_to_bytes }} {{ '1e3' | human_to_bytes }}") ==
        "10485760 1536 2048 10485760 1048576 0 2 3 1152921504606846976");
  CHECK(contains(error_of("{{ '1Mb' | human_to_bytes }}"), "expect MB or M"));
  CHECK(contains(error_of("{{ 'abc' | human_to_bytes }}"), "can't interpret"));
  CHECK(contains(error_of("{{ '10X' | human_to_bytes }}"), "suffix must be one of"));
  CHECK(contains(error_of("{{ '99999999Y' | human_to_bytes }}"), "integer overflow"));
  CHECK(contains(error_of("{{ 'x' | human_readable }}"), "not a number"));
}

TEST_CASE("template expanduser and the path tests read the controller") {
  const char* home = std::getenv("HOME");
  REQUIRE(home != nullptr);
  CHECK(render("{{ '~/x' | expanduser }}") == std::string(home) + "/x");
  CHECK(render("{{ '~root/.ssh' | expanduser }}") == "/root/.ssh");
  CHECK(render("{{ '~nosuchuser-xyz/a' | expanduser }} {{ 'a/~' | expanduser }}") == "~nosuchuser-xyz/a a/~");
  auto dir = std::filesystem::temp_directory_path() / "foobar-path-tests";
  std::filesystem::create_directories(dir);
  { std::FILE* f = std::fopen((dir / "f").c_str(), "w"); REQUIRE(f); std::fclose(f); }
  std::string vars = R"({"d": ")" + dir.string() + R"("})";
  CHECK(render("{{ d is directory }} {{ d is file }} {{ (d ~ '/f') is file }} {{ (d ~ '/f') is directory }} "
               "{{ (d ~ '/none') is exists }} {{ d is exists }} {{ 'rel' is abs }} {{ d is abs }}", vars.c_str()) ==
        "True False True False False True False True");
  CHECK(contains(error_of("{{ 1 is file }}"), "takes a path"));
  std::filesystem::remove_all(dir);
}
