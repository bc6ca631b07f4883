// Ansible's YAML, password, random and size filters and its path tests
// (ansible-core's core, mathstuff, encrypt and files plugins), with its
// signatures and results.
#include <crypt.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <random>

#include "template/builtins.h"
#include "template/limits.h"
#include "template/number.h"
#include "template/py_random.h"
#include "template/yaml_text.h"

namespace foobar::tmpl {
namespace {

std::string text_arg(Renderer& r, const Value& v, SourcePos pos) {
  r.check_defined(v, pos);
  return py_str(v);
}

// yaml.dump's keyword arguments that change the text; the rest are refused.
YamlStyle yaml_style(Renderer& r, CallArgs& a, SourcePos pos, const std::string& fn, YamlStyle style) {
  if (!a.positional.empty() && fn == "to_nice_yaml") {
    if (a.positional.size() > 1) r.fail(pos, "'to_nice_yaml' takes at most 1 positional argument (indent)");
    a.keyword.emplace_back("indent", a.positional[0]);
  } else if (!a.positional.empty()) {
    r.fail(pos, "'" + fn + "' takes keyword arguments only (indent, width, sort_keys, default_flow_style)");
  }
  for (const auto& kw : a.keyword) {
    const std::string& k = kw.first;  // named: clang 14 cannot capture a structured binding
    const Value& v = kw.second;
    r.check_defined(v, pos);
    auto int_of = [&](int64_t lo, int64_t hi) {
      if (!v.is_int()) r.fail(pos, fn + ": " + k + " must be an integer, got " + v.type_name());
      if (v.as_int() < lo || v.as_int() > hi)
        r.fail(pos, fn + ": " + k + " must be " + std::to_string(lo) + " to " + std::to_string(hi));
      return static_cast<int>(v.as_int());
    };
    if (k == "indent") style.indent = int_of(0, kMaxIndent);
    else if (k == "width") style.width = v.is_real() && std::isinf(v.as_double()) ? -1 : int_of(-1, 1'000'000'000);
    else if (k == "sort_keys") style.sort_keys = v.truthy();
    else if (k == "default_flow_style" && fn == "to_yaml") style.flow = v.is_none() ? -1 : v.truthy() ? 1 : 0;
    else r.fail(pos, "'" + fn + "' got an unsupported keyword argument '" + k + "'");
  }
  return style;
}

Value dump_yaml(Renderer& r, const Value& v, const YamlStyle& style, const std::string& fn, SourcePos pos) {
  r.check_defined(v, pos);
  std::string out, err;
  if (!to_yaml_text(v, style, out, err)) r.fail(pos, fn + ": " + err);
  r.check_string_size(out.size(), pos);
  return Value(std::move(out));
}

// ---- password_hash: crypt(3) as ansible-core calls it without passlib ----

struct CryptAlgo {
  const char* name;
  const char* id;
  size_t salt_size;
};

const CryptAlgo* crypt_algo(const std::string& hashtype) {
  static const CryptAlgo algos[] = {{"sha512", "6", 16}, {"sha256", "5", 16}, {"md5", "1", 8}};
  for (const auto& a : algos)
    if (hashtype == a.name || hashtype == std::string(a.name) + "_crypt") return &a;
  return nullptr;
}

// ansible.utils.encrypt.random_salt: letters, digits, '.' and '/' from the system's randomness.
std::string random_salt(size_t n) {
  static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./";
  std::random_device rd;
  std::string s;
  for (size_t i = 0; i < n; ++i) s += chars[rd() % 64];
  return s;
}

constexpr int64_t kMaxCryptRounds = 1'000'000;

Value password_hash(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "password_hash", {"hashtype", "salt", "salt_size", "rounds", "ident"});
  std::string secret = text_arg(r, v, pos);
  if (secret.find('\0') != std::string::npos) r.fail(pos, "password_hash: the password contains a NUL character");
  std::string hashtype = p.get_str(0, "sha512");
  const CryptAlgo* algo = crypt_algo(hashtype);
  if (!algo) r.fail(pos, "password_hash: hashtype " + repr_string(hashtype) + " is not supported: sha512, sha256 or md5");
  if (p.has(4) && p.get(4, Value()).truthy())
    r.fail(pos, "password_hash: ident applies to bcrypt only, which is not supported here");
  int64_t salt_size = p.get_int(2, 0);
  if (salt_size < 0 || salt_size > 1024) r.fail(pos, "password_hash: salt_size must be 0 to 1024");
  std::string salt = p.get_str(1, "");
  if (salt.empty()) salt = random_salt(salt_size ? static_cast<size_t>(salt_size) : algo->salt_size);
  if (salt.find_first_not_of("./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != std::string::npos)
    r.fail(pos, "password_hash: invalid characters in salt (letters, digits, '.' and '/' only)");
  if (salt.size() > algo->salt_size)
    r.fail(pos, "password_hash: invalid salt size (at most " + std::to_string(algo->salt_size) + " characters for " +
                    hashtype + ")");
  std::string setting = std::string("$") + algo->id;
  int64_t rounds = 5000;  // crypt's default for sha256 and sha512
  if (p.has(3) && !p.get(3, Value()).is_none()) {
    rounds = p.get_int(3, 0);
    if (algo->id[0] == '1') r.fail(pos, "password_hash: md5 takes no rounds");
    if (rounds < 1000 || rounds > kMaxCryptRounds)
      r.fail(pos, "password_hash: rounds must be 1000 to " + std::to_string(kMaxCryptRounds));
    setting += "$rounds=" + std::to_string(rounds);
  }
  setting += "$" + salt;
  // A round of crypt costs about what a loop iteration does: a render cannot hash for hours.
  r.step(pos, rounds);
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_r(secret.c_str(), setting.c_str(), data.get());
  if (!out || out[0] == '*') r.fail(pos, "password_hash: crypt does not support '" + hashtype + "'");
  return Value(std::string(out));
}

// ---- random: ansible-core's rand filter ----

Value random_filter(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "random", {"start", "step", "seed"});
  r.check_defined(v, pos);
  Value seed = p.get(2, Value());
  r.check_defined(seed, pos);
  std::unique_ptr<PyRandom> gen;
  if (seed.is_none()) {
    std::random_device rd;
    gen = std::make_unique<PyRandom>((static_cast<uint64_t>(rd()) << 32) | rd());
  } else if (seed.is_int() || seed.is_bool()) {
    int64_t s = seed.as_int();
    gen = std::make_unique<PyRandom>(s < 0 ? 0 - static_cast<uint64_t>(s) : static_cast<uint64_t>(s));
  } else if (seed.is_string()) {
    gen = std::make_unique<PyRandom>(seed.as_string());
  } else {
    r.fail(pos, "random: seed must be an integer or a string, got " + seed.type_name());
  }
  Value start = p.get(0, Value()), step = p.get(1, Value());
  if (v.is_int() || v.is_bool()) {
    // `if not start: start = 0`, `if not step: step = 1`, then randrange(start, end, step).
    auto int_param = [&](const Value& x, int64_t dflt, const char* name) {
      r.check_defined(x, pos);
      if (!x.truthy()) return dflt;
      if (!x.is_int() && !x.is_bool()) r.fail(pos, std::string("random: ") + name + " must be an integer");
      return x.as_int();
    };
    __int128 istart = int_param(start, 0, "start"), istep = int_param(step, 1, "step"), istop = v.as_int();
    // Python's floor division of the number of steps.
    auto floordiv = [](__int128 x, __int128 y) { return x / y - ((x % y != 0 && ((x < 0) != (y < 0))) ? 1 : 0); };
    __int128 width = istop - istart;
    __int128 n = istep > 0 ? floordiv(width + istep - 1, istep) : floordiv(width + istep + 1, istep);
    if (n <= 0)
      r.fail(pos, "random: empty range for randrange() (" + std::to_string(static_cast<int64_t>(istart)) + ", " +
                      std::to_string(v.as_int()) + ", " + std::to_string(static_cast<int64_t>(istep)) + ")");
    __int128 x = istart + istep * static_cast<__int128>(gen->below(static_cast<uint64_t>(n)));
    return Value(static_cast<int64_t>(x));
  }
  if (v.is_list() || v.is_string()) {
    if (start.truthy() || step.truthy()) r.fail(pos, "random: start and step can only be used with integer values");
    if (v.is_string()) {
      auto chars = utf8_chars(v.as_string());
      if (chars.empty()) r.fail(pos, "random: cannot choose from an empty sequence");
      return Value(chars[gen->below(chars.size())]);
    }
    const auto& items = v.as_list().items;
    if (items.empty()) r.fail(pos, "random: cannot choose from an empty sequence");
    return items[gen->below(items.size())];
  }
  r.fail(pos, "random can only be used on sequences and integers, got " + v.type_name());
}

// ---- sizes: ansible.module_utils.common.text.formatters ----

const std::pair<char, int>* size_ranges() {
  static const std::pair<char, int> ranges[] = {{'Y', 80}, {'Z', 70}, {'E', 60}, {'P', 50}, {'T', 40},
                                                {'G', 30}, {'M', 20}, {'K', 10}, {'B', 0}};
  return ranges;
}

Value human_readable(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "human_readable", {"isbits", "unit"});
  r.check_defined(v, pos);
  if (!v.is_number()) r.fail(pos, "human_readable() failed on bad input: " + v.type_name() + " is not a number");
  bool isbits = p.get_bool(0, false);
  Value unit = p.get(1, Value());
  r.check_defined(unit, pos);
  if (!unit.is_none() && !unit.is_string()) r.fail(pos, "human_readable() can't interpret the unit " + py_str(unit));
  std::string u = unit.is_string() ? ascii_upper(unit.as_string()) : "";
  double size = v.as_double();
  const std::pair<char, int>* range = size_ranges();
  int i = 0;
  for (; i < 8; ++i) {
    double limit = std::ldexp(1.0, range[i].second);
    if (unit.is_none() ? size >= limit : u == std::string(1, range[i].first)) break;
  }
  std::string suffix = range[i].second == 0 ? (isbits ? "bits" : "Bytes")
                                            : std::string(1, range[i].first) + (isbits ? "b" : "B");
  char buf[400];
  std::snprintf(buf, sizeof buf, "%.2f %s", std::ldexp(size, -range[i].second), suffix.c_str());
  return Value(std::string(buf));
}

Value human_to_bytes(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "human_to_bytes", {"default_unit", "isbits"});
  std::string s = text_arg(r, v, pos);
  auto fail = [&](const std::string& why) {
    r.fail(pos, "human_to_bytes() can't interpret following string: " + s + " (" + why + ")");
  };
  // ^\s*(\d*\.?\d*)\s*([A-Za-z]+)?
  size_t i = 0;
  while (i < s.size() && is_ws(s[i])) ++i;
  size_t num_start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i < s.size() && s[i] == '.') ++i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  std::string digits = s.substr(num_start, i - num_start);
  while (i < s.size() && is_ws(s[i])) ++i;
  size_t unit_start = i;
  while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
  std::string unit = s.substr(unit_start, i - unit_start);
  double num = 0;
  if (digits.empty() || digits == "." || !parse_py_float(digits, num)) fail("no number");
  if (unit.empty()) {
    Value d = p.get(0, Value());
    r.check_defined(d, pos);
    if (!d.is_none()) {
      if (!d.is_string() || d.as_string().empty()) fail("default_unit must be a unit such as 'K' or 'MB'");
      unit = d.as_string();
    }
  }
  double limit = 1;
  if (!unit.empty()) {
    char key = static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0])));
    const std::pair<char, int>* range = size_ranges();
    int k = 0;
    while (k < 9 && range[k].first != key) ++k;
    if (k == 9) fail("the suffix must be one of Y, Z, E, P, T, G, M, K, B");
    limit = std::ldexp(1.0, range[k].second);
    bool isbits = p.get_bool(1, false);
    if (unit.size() > 1 && ascii_lower(unit).find(isbits ? "bit" : "byte") == std::string::npos &&
        unit[1] != (isbits ? 'b' : 'B'))
      fail(std::string("expect ") + (key == 'B' ? std::string(isbits ? "b or bit" : "B or byte")
                                                 : std::string(1, key) + (isbits ? "b" : "B") + " or " + key));
  }
  // int(round(num * limit)): round half to even.
  auto n = float_to_int(std::nearbyint(num * limit));
  if (!n) r.fail(pos, int_overflow_message("human_to_bytes(" + repr_string(s) + ")"));
  return Value(*n);
}

// ---- paths on the controller ----

// os.path.expanduser.
std::string expand_user(const std::string& path) {
  if (path.empty() || path[0] != '~') return path;
  size_t slash = path.find('/', 1);
  if (slash == std::string::npos) slash = path.size();
  std::string home;
  const char* env_home = std::getenv("HOME");
  std::vector<char> buf(16384);
  passwd pw{}, *found = nullptr;
  if (slash == 1 && env_home) {
    home = env_home;
  } else {
    if (slash == 1) getpwuid_r(getuid(), &pw, buf.data(), buf.size(), &found);
    else getpwnam_r(path.substr(1, slash - 1).c_str(), &pw, buf.data(), buf.size(), &found);
    if (!found) return path;
    home = found->pw_dir;
  }
  while (!home.empty() && home.back() == '/') home.pop_back();
  std::string out = home + path.substr(slash);
  return out.empty() ? "/" : out;
}

bool path_test(Renderer& r, const Value& v, CallArgs& a, SourcePos pos, const char* name, bool follow, mode_t type) {
  Params p(r, a, pos, name, {});
  r.check_defined(v, pos);
  if (!v.is_string()) r.fail(pos, std::string("the '") + name + "' test takes a path (a string), got " + v.type_name());
  const std::string& path = v.as_string();
  if (path.empty() || path.find('\0') != std::string::npos) return false;
  struct stat st {};
  if ((follow ? stat(path.c_str(), &st) : lstat(path.c_str(), &st)) != 0) return false;
  return type == 0 || (st.st_mode & S_IFMT) == type;
}

Value do_to_yaml(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  return dump_yaml(r, v, yaml_style(r, a, pos, "to_yaml", YamlStyle{}), "to_yaml", pos);
}

Value do_to_nice_yaml(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  YamlStyle nice;
  nice.indent = 4;
  nice.flow = 0;
  return dump_yaml(r, v, yaml_style(r, a, pos, "to_nice_yaml", nice), "to_nice_yaml", pos);
}

Value do_from_yaml(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "from_yaml", {});
  r.check_defined(v, pos);
  if (!v.is_string()) return v;  // as Ansible: only text is parsed
  Value out;
  std::string err;
  if (!from_yaml_text(v.as_string(), out, err)) r.fail(pos, "from_yaml: " + err);
  return out;
}

Value do_expanduser(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "expanduser", {});
  return Value(expand_user(text_arg(r, v, pos)));
}

bool test_file(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return path_test(r, v, a, pos, "file", true, S_IFREG); }

bool test_directory(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return path_test(r, v, a, pos, "directory", true, S_IFDIR); }

bool test_link(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return path_test(r, v, a, pos, "link", false, S_IFLNK); }

bool test_exists(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return path_test(r, v, a, pos, "exists", true, 0); }

bool test_abs(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "abs", {});
  r.check_defined(v, pos);
  return v.is_string() && !v.as_string().empty() && v.as_string()[0] == '/';
}

}  // namespace

void add_ansible_data_filters(FilterTable& t) {
  add_named(t, {
      {"to_yaml", do_to_yaml},
      {"to_nice_yaml", do_to_nice_yaml},
      {"from_yaml", do_from_yaml},
      {"password_hash", password_hash},
      {"random", random_filter},
      {"human_readable", human_readable},
      {"human_to_bytes", human_to_bytes},
      {"expanduser", do_expanduser},
  });
}

void add_ansible_path_tests(TestTable& t) {
  add_named(t, {
      {"file", test_file},
      {"directory", test_directory},
      {"link", test_link},
      {"exists", test_exists},
      {"abs", test_abs},
  });
}

}  // namespace foobar::tmpl
