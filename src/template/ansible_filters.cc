// Ansible's filters and tests (ansible-core's core, mathstuff and urls plugins),
// with its signatures and results, for role templates brought from Ansible.
//
// Regular expressions are ECMAScript (std::regex), not Python's re: a pattern
// using what only Python has ((?P<name>...), (?P=name), inline flags such as
// (?i), lookbehind, \A, \Z) is refused with a located error rather than matched
// differently. Replacements take Python's \1, \g<1> and \g<name>-less forms.
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <regex>

#include "template/builtins.h"
#include "template/limits.h"

namespace foobar::tmpl {
namespace {

// The regex engine is recursive: long subjects would exhaust the stack.
constexpr size_t kMaxRegexSubject = 32 * 1024;
constexpr size_t kMaxRegexPattern = 4 * 1024;

std::string text_of(Renderer& r, const Value& v, SourcePos pos) {
  r.check_defined(v, pos);
  return py_str(v);
}

std::regex compile_regex(Renderer& r, const std::string& pattern, bool icase, bool multiline, SourcePos pos) {
  if (pattern.size() > kMaxRegexPattern) r.fail(pos, "regular expression too long (more than 4 KiB)");
  for (size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      char c = pattern[i + 1];
      if (c == 'A' || c == 'Z' || c == 'z')
        r.fail(pos, std::string("regular expression uses \\") + c +
                        ", which ECMAScript regular expressions (used here) do not have: use ^ or $");
      ++i;
      continue;
    }
    if (pattern[i] == '[') {  // skip a character class: '(' inside it is literal
      size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '^') ++j;
      if (j < pattern.size() && pattern[j] == ']') ++j;
      while (j < pattern.size() && pattern[j] != ']') j += pattern[j] == '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (pattern[i] == '(' && pattern[i + 1] == '?') {
      char c = i + 2 < pattern.size() ? pattern[i + 2] : '\0';
      if (c != ':' && c != '=' && c != '!')
        r.fail(pos, "regular expression uses '(?" + std::string(1, c) +
                        "', a Python-only construct; ECMAScript regular expressions (used here) have only "
                        "(?:...), (?=...) and (?!...): use the ignorecase/multiline arguments for flags");
    }
  }
  auto flags = std::regex::ECMAScript;
  if (icase) flags |= std::regex::icase;
  if (multiline) flags |= std::regex::multiline;
  try {
    return std::regex(pattern, flags);
  } catch (const std::regex_error& e) {
    r.fail(pos, "invalid regular expression " + repr_string(pattern) + ": " + e.what());
  }
}

void check_subject(Renderer& r, const std::string& s, SourcePos pos) {
  if (s.size() > kMaxRegexSubject) r.fail(pos, "text too long for a regular expression (more than 32 KiB)");
}

// Python's re.sub replacement: \1..\99, \g<n>, \\ and the escapes \n \t \r.
std::string expand_replacement(Renderer& r, const std::string& repl, const std::smatch& m, SourcePos pos) {
  std::string out;
  for (size_t i = 0; i < repl.size(); ++i) {
    char c = repl[i];
    if (c != '\\' || i + 1 == repl.size()) {
      out += c;
      continue;
    }
    char n = repl[++i];
    size_t group = 0;
    bool is_group = false;
    if (n >= '0' && n <= '9') {
      group = static_cast<size_t>(n - '0');
      if (i + 1 < repl.size() && repl[i + 1] >= '0' && repl[i + 1] <= '9') group = group * 10 + static_cast<size_t>(repl[++i] - '0');
      is_group = true;
    } else if (n == 'g' && i + 1 < repl.size() && repl[i + 1] == '<') {
      size_t close = repl.find('>', i);
      std::string name = close == std::string::npos ? "" : repl.substr(i + 2, close - i - 2);
      if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
        r.fail(pos, "replacement group " + repr_string("\\g<" + name + ">") + " must be a number (named groups are Python-only)");
      group = std::stoul(name.substr(0, 6));
      i = close;
      is_group = true;
    } else if (n == '\\') {
      out += '\\';
    } else if (n == 'n') {
      out += '\n';
    } else if (n == 't') {
      out += '\t';
    } else if (n == 'r') {
      out += '\r';
    } else if (std::isalpha(static_cast<unsigned char>(n))) {
      r.fail(pos, std::string("bad escape \\") + n + " in the replacement");
    } else {
      out += '\\';
      out += n;
    }
    if (is_group) {
      if (group >= m.size()) r.fail(pos, "invalid group reference " + std::to_string(group) + " in the replacement");
      out += m[group].str();
    }
    r.check_string_size(out.size(), pos);
  }
  return out;
}

Value regex_replace(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "regex_replace", {"pattern", "replacement", "ignorecase", "multiline"});
  std::string s = text_of(r, v, pos);
  check_subject(r, s, pos);
  std::regex re = compile_regex(r, p.get_str(0, ""), p.get_bool(2, false), p.get_bool(3, false), pos);
  std::string repl = p.get_str(1, "");
  std::string out;
  auto begin = s.cbegin();
  for (std::sregex_iterator it(s.begin(), s.end(), re), end; it != end; ++it) {
    const std::smatch& m = *it;
    out.append(begin, m[0].first);
    out += expand_replacement(r, repl, m, pos);
    begin = m[0].second;
    r.check_string_size(out.size(), pos);
  }
  out.append(begin, s.cend());
  return Value(std::move(out));
}

Value regex_findall(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "regex_findall", {"regex", "multiline", "ignorecase"});
  std::string s = text_of(r, v, pos);
  check_subject(r, s, pos);
  std::regex re = compile_regex(r, p.get_str(0, ""), p.get_bool(2, false), p.get_bool(1, false), pos);
  std::vector<Value> out;
  for (std::sregex_iterator it(s.begin(), s.end(), re), end; it != end; ++it) {
    const std::smatch& m = *it;
    // As re.findall: the whole match, the one group, or a tuple of the groups.
    if (m.size() == 1) out.emplace_back(m[0].str());
    else if (m.size() == 2) out.emplace_back(m[1].str());
    else {
      std::vector<Value> groups;
      for (size_t g = 1; g < m.size(); ++g) groups.emplace_back(m[g].str());
      out.emplace_back(std::move(groups), true);
    }
    r.check_list_size(out.size(), pos);
  }
  return Value(std::move(out));
}

Value regex_search(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  std::vector<size_t> groups;
  bool icase = false, multiline = false;
  for (const auto& [k, x] : a.keyword) {
    if (k == "ignorecase") icase = r.truthy(x, pos);
    else if (k == "multiline") multiline = r.truthy(x, pos);
    else r.fail(pos, "'regex_search' got an unexpected keyword argument '" + k + "'");
  }
  if (a.positional.empty()) r.fail(pos, "regex_search needs a regular expression");
  for (size_t i = 1; i < a.positional.size(); ++i) {
    std::string g = text_of(r, a.positional[i], pos);
    std::string digits = g.rfind("\\g<", 0) == 0 && g.back() == '>' ? g.substr(3, g.size() - 4)
                         : g.rfind('\\', 0) == 0                    ? g.substr(1)
                                                                    : "";
    if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string::npos)
      r.fail(pos, "regex_search: a group argument is '\\\\N' or '\\\\g<N>' with a number N, got " + repr_string(g));
    groups.push_back(std::stoul(digits));
  }
  std::string s = text_of(r, v, pos);
  check_subject(r, s, pos);
  std::regex re = compile_regex(r, text_of(r, a.positional[0], pos), icase, multiline, pos);
  std::smatch m;
  if (!std::regex_search(s, m, re)) return Value();
  if (groups.empty()) return Value(m[0].str());
  std::vector<Value> out;
  for (size_t g : groups) {
    if (g >= m.size()) r.fail(pos, "regex_search: no such group " + std::to_string(g));
    out.emplace_back(m[g].str());
  }
  return Value(std::move(out));
}

// Python's re.escape: everything but ASCII letters, digits and '_' is escaped.
std::string regex_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x80 && !std::isalnum(c) && c != '_') out += '\\';
    out += static_cast<char>(c);
  }
  return out;
}

bool regex_test(Renderer& r, const Value& v, CallArgs& a, SourcePos pos, const char* name, bool whole_start) {
  // Only the regex test takes a match_type; match and search are fixed.
  std::vector<const char*> names{"pattern", "ignorecase", "multiline"};
  if (std::string_view(name) == "regex") names.push_back("match_type");
  Params p(r, a, pos, name, names);
  std::string s = text_of(r, v, pos);
  check_subject(r, s, pos);
  std::string type = p.get_str(3, whole_start ? "match" : "search");
  std::regex re = compile_regex(r, p.get_str(0, ""), p.get_bool(1, false), p.get_bool(2, false), pos);
  if (type == "match") return std::regex_search(s, re, std::regex_constants::match_continuous);
  if (type == "search") return std::regex_search(s, re);
  if (type == "fullmatch") return std::regex_match(s, re);
  r.fail(pos, "match_type must be 'match', 'search' or 'fullmatch', got " + repr_string(type));
}

std::string digest(Renderer& r, const std::string& data, const std::string& type, SourcePos pos) {
  const EVP_MD* md = type == "sha1"     ? EVP_sha1()
                     : type == "md5"    ? EVP_md5()
                     : type == "sha224" ? EVP_sha224()
                     : type == "sha256" ? EVP_sha256()
                     : type == "sha384" ? EVP_sha384()
                     : type == "sha512" ? EVP_sha512()
                                        : nullptr;
  if (!md) r.fail(pos, "unknown hash type " + repr_string(type) + ": md5, sha1, sha224, sha256, sha384 or sha512");
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), buf, &n, md, nullptr) != 1) r.fail(pos, "hashing failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) out += hex[buf[i] >> 4], out += hex[buf[i] & 15];
  return out;
}

Value to_bool(const Value& v) {
  if (v.is_none() || v.is_bool()) return v;
  if (v.is_string()) {
    std::string s = ascii_lower(v.as_string());
    return Value(s == "yes" || s == "on" || s == "1" || s == "true");
  }
  if (v.is_int() && v.as_int() == 1) return Value(true);
  if (v.is_real() && v.as_double() == 1.0) return Value(true);
  return Value(false);
}

// Ansible's is_sequence: lists and tuples, not strings or mappings.
bool is_seq(const Value& v) { return v.is_list(); }

void flatten_into(const Value& v, int64_t levels, bool skip_nulls, std::vector<Value>& out, int depth,
                  Renderer& r, SourcePos pos) {
  if (depth > kMaxDepth * 10) r.fail(pos, "flatten: the list is nested too deeply");
  for (const auto& e : v.as_list().items) {
    if (skip_nulls && (e.is_none() || (e.is_string() && (e.as_string() == "None" || e.as_string() == "null")))) continue;
    if (is_seq(e) && levels != 0) flatten_into(e, levels < 0 ? -1 : levels - 1, skip_nulls, out, depth + 1, r, pos);
    else out.push_back(e);
    r.check_list_size(out.size(), pos);
  }
}

bool contains_value(const std::vector<Value>& items, const Value& x) {
  return std::any_of(items.begin(), items.end(), [&](const Value& i) { return py_equal(i, x); });
}

std::vector<Value> unique_items(const std::vector<Value>& items) {
  std::vector<Value> out;
  for (const auto& i : items)
    if (!contains_value(out, i)) out.push_back(i);
  return out;
}

std::vector<Value> list_arg(Renderer& r, const Value& v, SourcePos pos) {
  r.check_defined(v, pos);
  return r.iterate(v, pos);
}

Value merge_hash(Renderer& r, const Dict& x, const Dict& y, bool recursive, const std::string& list_merge, int depth,
                 SourcePos pos) {
  if (depth > kMaxDepth * 10) r.fail(pos, "combine: the dicts are nested too deeply");
  if (x.size() == 0 || py_equal(Value(x), Value(y))) return Value(y);
  Dict out = x;
  for (const auto& [k, yv] : y.items()) {
    const Value* xv = out.find(k);
    if (!xv) {
      out.set(k, yv);
      continue;
    }
    if (xv->is_dict() && yv.is_dict()) {
      out.set(k, recursive ? merge_hash(r, xv->as_dict(), yv.as_dict(), recursive, list_merge, depth + 1, pos) : yv);
      continue;
    }
    if (xv->is_list() && yv.is_list() && !xv->as_list().tuple && !yv.as_list().tuple) {
      const auto& xi = xv->as_list().items;
      const auto& yi = yv.as_list().items;
      std::vector<Value> merged;
      if (list_merge == "replace") merged = yi;
      else if (list_merge == "keep") merged = xi;
      else if (list_merge == "append" || list_merge == "append_rp") {
        for (const auto& z : xi)
          if (list_merge == "append" || !contains_value(yi, z)) merged.push_back(z);
        merged.insert(merged.end(), yi.begin(), yi.end());
      } else {
        merged = yi;
        for (const auto& z : xi)
          if (list_merge == "prepend" || !contains_value(yi, z)) merged.push_back(z);
      }
      r.check_list_size(merged.size(), pos);
      out.set(k, Value(std::move(merged)));
      continue;
    }
    out.set(k, yv);
  }
  return Value(std::move(out));
}

std::string b64(const std::string& s) {
  std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                          static_cast<int>(s.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Python's shlex.quote.
std::string shell_quote(const std::string& s) {
  if (s.empty()) return "''";
  bool safe = std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("@%+=:,./-_").find(c) != std::string_view::npos;
  });
  if (safe) return s;
  return "'" + replace_all(s, "'", "'\"'\"'", -1) + "'";
}

// Dotted numeric versions ('1.10.2'), compared number by number as LooseVersion does for digits.
std::vector<std::string> version_parts(const std::string& s) {
  std::vector<std::string> parts;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) parts.push_back(cur);
    cur.clear();
  };
  for (char c : s) {
    if (c == '.') flush();
    else if (!cur.empty() && (std::isdigit(static_cast<unsigned char>(c)) != 0) != (std::isdigit(static_cast<unsigned char>(cur.back())) != 0)) {
      flush();
      cur += c;
    } else cur += c;
  }
  flush();
  return parts;
}

Value do_to_json(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "to_json", {"indent", "sort_keys"});
  r.check_defined(v, pos);
  std::string out, err;
  int64_t indent = p.get_int(0, -1);
  if (indent > kMaxIndent) r.fail(pos, "to_json: indent too large");
  if (!to_json_text(v, JsonStyle{static_cast<int>(indent), p.get_bool(1, false), false}, out, err)) r.fail(pos, err);
  return Value(std::move(out));
}

Value do_to_nice_json(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "to_nice_json", {"indent", "sort_keys"});
  r.check_defined(v, pos);
  std::string out, err;
  int64_t indent = p.get_int(0, 4);
  if (indent < 0 || indent > kMaxIndent) r.fail(pos, "to_nice_json: indent must be 0 to " + std::to_string(kMaxIndent));
  if (!to_json_text(v, JsonStyle{static_cast<int>(indent), p.get_bool(1, true), false}, out, err)) r.fail(pos, err);
  return Value(std::move(out));
}

Value do_from_json(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "from_json", {});
  std::string s = text_of(r, v, pos);
  auto j = nlohmann::ordered_json::parse(s, nullptr, false);
  if (j.is_discarded()) r.fail(pos, "from_json: the text is not valid JSON");
  return from_json(j);
}

Value do_bool(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "bool", {});
  r.check_defined(v, pos);
  return to_bool(v);
}

Value do_ternary(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "ternary", {"true_val", "false_val", "none_val"});
  r.check_defined(v, pos);
  if (!p.has(0) || !p.has(1)) r.fail(pos, "ternary needs a true and a false value");
  Value none_val = p.get(2, Value());
  if (v.is_none() && !none_val.is_none()) return none_val;
  return v.truthy() ? p.get(0, Value()) : p.get(1, Value());
}

Value do_mandatory(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "mandatory", {"msg"});
  if (v.is_undefined()) {
    if (p.has(0)) r.fail(pos, p.get_str(0, ""));
    r.fail(pos, "mandatory variable not defined: " + v.undefined_hint());
  }
  return v;
}

Value do_b64encode(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "b64encode", {"encoding"});
  std::string s = text_of(r, v, pos);
  r.check_string_size(s.size() / 3 * 4 + 4, pos);
  return Value(b64(s));
}

Value do_b64decode(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "b64decode", {"encoding"});
  std::string s = text_of(r, v, pos);
  if (s.size() % 4 != 0 || s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != std::string::npos)
    r.fail(pos, "b64decode: the text is not base64 (a multiple of 4 characters from A-Z, a-z, 0-9, +, / and =)");
  std::string out(s.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                          static_cast<int>(s.size()));
  if (n < 0) r.fail(pos, "b64decode: the text is not valid base64");
  size_t pad = s.size() >= 2 && s[s.size() - 2] == '=' ? 2 : !s.empty() && s.back() == '=' ? 1 : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return Value(std::move(out));
}

Value do_quote(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "quote", {});
  return Value(shell_quote(text_of(r, v, pos)));
}

Value do_basename(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "basename", {});
  std::string s = text_of(r, v, pos);
  size_t slash = s.rfind('/');
  return Value(slash == std::string::npos ? s : s.substr(slash + 1));
}

Value do_dirname(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "dirname", {});
  std::string s = text_of(r, v, pos);
  size_t slash = s.rfind('/');
  if (slash == std::string::npos) return Value("");
  std::string head = s.substr(0, slash + 1);
  // As os.path.dirname: trailing slashes go unless the head is all slashes.
  if (head.find_first_not_of('/') != std::string::npos)
    while (!head.empty() && head.back() == '/') head.pop_back();
  return Value(head);
}

Value do_splitext(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "splitext", {});
  std::string s = text_of(r, v, pos);
  size_t slash = s.rfind('/');
  size_t start = slash == std::string::npos ? 0 : slash + 1;
  size_t dot = s.rfind('.');
  // A leading dot (".bashrc") is not an extension.
  size_t first = s.find_first_not_of('.', start);
  if (dot == std::string::npos || dot < start || first == std::string::npos || dot < first)
    return Value(std::vector<Value>{Value(s), Value("")}, true);
  return Value(std::vector<Value>{Value(s.substr(0, dot)), Value(s.substr(dot))}, true);
}

Value do_combine(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  bool recursive = false;
  std::string list_merge = "replace";
  for (const auto& [k, x] : a.keyword) {
    if (k == "recursive") recursive = r.truthy(x, pos);
    else if (k == "list_merge") list_merge = text_of(r, x, pos);
    else r.fail(pos, "'recursive' and 'list_merge' are the only valid keyword arguments of combine");
  }
  static const char* const merges[] = {"replace", "keep", "append", "prepend", "append_rp", "prepend_rp"};
  if (std::none_of(std::begin(merges), std::end(merges), [&](const char* m) { return list_merge == m; }))
    r.fail(pos, "combine: list_merge must be replace, keep, append, prepend, append_rp or prepend_rp");
  std::vector<Value> terms{v};
  terms.insert(terms.end(), a.positional.begin(), a.positional.end());
  std::vector<Value> dicts;
  for (const auto& x : terms) {
    r.check_defined(x, pos);
    if (x.is_list()) dicts.insert(dicts.end(), x.as_list().items.begin(), x.as_list().items.end());
    else dicts.push_back(x);
  }
  for (const auto& d : dicts)
    if (!d.is_dict()) r.fail(pos, "combine expects dictionaries, got " + d.type_name());
  if (dicts.empty()) return Value(Dict{});
  Value result = dicts.back();
  for (size_t i = dicts.size() - 1; i-- > 0;)
    result = merge_hash(r, dicts[i].as_dict(), result.as_dict(), recursive, list_merge, 0, pos);
  return result;
}

Value do_dict2items(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "dict2items", {"key_name", "value_name"});
  r.check_defined(v, pos);
  if (!v.is_dict()) r.fail(pos, "dict2items requires a dictionary, got " + v.type_name());
  std::string kn = p.get_str(0, "key"), vn = p.get_str(1, "value");
  std::vector<Value> out;
  for (const auto& [k, x] : v.as_dict().items()) {
    Dict d;
    d.set(kn, Value(k));
    d.set(vn, x);
    out.emplace_back(std::move(d));
  }
  return Value(std::move(out));
}

Value do_items2dict(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "items2dict", {"key_name", "value_name"});
  r.check_defined(v, pos);
  if (!v.is_list()) r.fail(pos, "items2dict requires a list, got " + v.type_name());
  std::string kn = p.get_str(0, "key"), vn = p.get_str(1, "value");
  Dict out;
  for (const auto& item : v.as_list().items) {
    if (!item.is_dict()) r.fail(pos, "items2dict requires a list of dictionaries, got an item of type " + item.type_name());
    const Value* k = item.as_dict().find(kn);
    const Value* x = item.as_dict().find(vn);
    if (!k || !x) r.fail(pos, "items2dict: an item has no '" + std::string(!k ? kn : vn) + "' key");
    if (!k->is_string()) r.fail(pos, "dict keys must be strings here, got " + k->type_name());
    out.set(k->as_string(), *x);
  }
  return Value(std::move(out));
}

Value do_flatten(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "flatten", {"levels", "skip_nulls"});
  r.check_defined(v, pos);
  if (!v.is_list()) r.fail(pos, "flatten expects a list, got " + v.type_name());
  std::vector<Value> out;
  flatten_into(v, p.has(0) && !p.get(0, Value()).is_none() ? p.get_int(0, -1) : -1, p.get_bool(1, true), out, 0, r, pos);
  return Value(std::move(out));
}

Value do_product(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  std::vector<std::vector<Value>> seqs{list_arg(r, v, pos)};
  for (const auto& x : a.positional) seqs.push_back(list_arg(r, x, pos));
  int64_t repeat = 1;
  for (const auto& [k, x] : a.keyword) {
    if (k != "repeat" || !x.is_int()) r.fail(pos, "product takes only repeat=N as a keyword argument");
    repeat = x.as_int();
  }
  if (repeat < 0 || repeat > 16) r.fail(pos, "product: repeat must be 0 to 16");
  std::vector<std::vector<Value>> all;
  for (int64_t i = 0; i < repeat; ++i) all.insert(all.end(), seqs.begin(), seqs.end());
  std::vector<std::vector<Value>> rows{{}};
  for (const auto& s : all) {
    if (!rows.empty() && s.size() > kMaxListItems / rows.size()) r.check_list_size(kMaxListItems + 1, pos);
    std::vector<std::vector<Value>> next;
    for (const auto& row : rows)
      for (const auto& x : s) {
        next.push_back(row);
        next.back().push_back(x);
      }
    rows = std::move(next);
  }
  std::vector<Value> out;
  for (auto& row : rows) out.emplace_back(std::move(row), true);
  return Value(std::move(out));
}

Value do_hash(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "hash", {"hashtype"});
  return Value(digest(r, text_of(r, v, pos), p.get_str(0, "sha1"), pos));
}

Value do_checksum(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "checksum", {});
  return Value(digest(r, text_of(r, v, pos), "sha1", pos));
}

Value do_type_debug(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "type_debug", {});
  r.check_defined(v, pos);
  return Value(v.type_name());
}

Value do_regex_escape(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "regex_escape", {"re_type"});
  if (p.get_str(0, "python") != "python") r.fail(pos, "regex_escape: only re_type='python' is supported");
  return Value(regex_escape(text_of(r, v, pos)));
}

Value do_comment(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "comment", {"style"});
  std::string style = p.get_str(0, "plain");
  std::string begin, deco, end;
  if (style == "plain") deco = "# ";
  else if (style == "erlang") deco = "% ";
  else if (style == "c") deco = "// ";
  else if (style == "cblock") begin = "/*", deco = " * ", end = " */";
  else if (style == "xml") begin = "<!--", deco = " - ", end = "-->";
  else r.fail(pos, "comment: style must be plain, erlang, c, cblock or xml, got " + repr_string(style));
  // As Ansible composes it: beginning, prefix line, decorated lines, postfix line, end.
  std::string bare = strip(deco, Value(), false, true);
  std::string raw = text_of(r, v, pos);
  check_replace_size(r, raw, "\n", "\n" + deco, pos);
  std::string text = deco + replace_all(raw, "\n", "\n" + deco, -1);
  text = replace_all(text, deco + "\n", bare + "\n", -1);
  std::string out = begin.empty() ? "" : begin + "\n";
  out += bare + "\n" + text + "\n" + bare;
  if (!end.empty()) out += "\n" + end;
  r.check_string_size(out.size(), pos);
  return Value(std::move(out));
}

Value zip_lists(Renderer& r, const Value& v, CallArgs& a, SourcePos pos, bool longest) {
  Value fill;
  for (const auto& [k, x] : a.keyword) {
    if (longest && k == "fillvalue") fill = x;
    else r.fail(pos, std::string(longest ? "zip_longest" : "zip") + " got an unexpected keyword argument '" + k + "'");
  }
  std::vector<std::vector<Value>> seqs{list_arg(r, v, pos)};
  for (const auto& x : a.positional) seqs.push_back(list_arg(r, x, pos));
  size_t n = longest ? 0 : seqs[0].size();
  for (const auto& s : seqs) n = longest ? std::max(n, s.size()) : std::min(n, s.size());
  std::vector<Value> out;
  for (size_t i = 0; i < n; ++i) {
    std::vector<Value> row;
    for (const auto& s : seqs) row.push_back(i < s.size() ? s[i] : fill);
    out.emplace_back(std::move(row), true);
  }
  return Value(std::move(out));
}

Value do_zip(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return zip_lists(r, v, a, pos, false); }
Value do_zip_longest(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return zip_lists(r, v, a, pos, true); }

enum class SetOp { union_, intersect, difference, symmetric_difference };

Value set_op(Renderer& r, const Value& v, CallArgs& a, SourcePos pos, const std::string& op, SetOp kind) {
  Params p(r, a, pos, op, {"b"});
  if (!p.has(0)) r.fail(pos, op + " needs a second list");
  std::vector<Value> x = list_arg(r, v, pos), y = list_arg(r, p.get(0, Value()), pos), out;
  switch (kind) {
    case SetOp::union_:
      x.insert(x.end(), y.begin(), y.end());
      out = unique_items(x);
      break;
    case SetOp::intersect:
      for (const auto& i : unique_items(x))
        if (contains_value(y, i)) out.push_back(i);
      break;
    case SetOp::difference:
      for (const auto& i : unique_items(x))
        if (!contains_value(y, i)) out.push_back(i);
      break;
    case SetOp::symmetric_difference: {  // union minus intersection, in union order
      std::vector<Value> all = x;
      all.insert(all.end(), y.begin(), y.end());
      for (const auto& i : unique_items(all))
        if (!(contains_value(x, i) && contains_value(y, i))) out.push_back(i);
      break;
    }
  }
  return Value(std::move(out));
}

Value do_union(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return set_op(r, v, a, pos, "union", SetOp::union_); }
Value do_intersect(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return set_op(r, v, a, pos, "intersect", SetOp::intersect); }
Value do_difference(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return set_op(r, v, a, pos, "difference", SetOp::difference); }
Value do_symmetric_difference(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  return set_op(r, v, a, pos, "symmetric_difference", SetOp::symmetric_difference);
}

bool test_match(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return regex_test(r, v, a, pos, "match", true); }

bool test_search(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return regex_test(r, v, a, pos, "search", false); }

bool test_regex(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return regex_test(r, v, a, pos, "regex", false); }

bool test_truthy(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "truthy", {"convert_bool"});
  r.check_defined(v, pos);
  return p.get_bool(0, false) ? to_bool(v).truthy() : v.truthy();
}

bool test_falsy(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "falsy", {"convert_bool"});
  r.check_defined(v, pos);
  return !(p.get_bool(0, false) ? to_bool(v).truthy() : v.truthy());
}

bool test_contains(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "contains", {"value"});
  return contains_value(list_arg(r, v, pos), p.get(0, Value()));
}

bool test_any(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "any", {});
  auto items = list_arg(r, v, pos);
  return std::any_of(items.begin(), items.end(), [&](const Value& i) { return r.truthy(i, pos); });
}

bool test_all(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "all", {});
  auto items = list_arg(r, v, pos);
  return std::all_of(items.begin(), items.end(), [&](const Value& i) { return r.truthy(i, pos); });
}

bool test_version(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) {
  Params p(r, a, pos, "version", {"version", "operator", "strict", "version_type"});
  std::string type = p.get_str(3, "loose");
  if (type != "loose" && type != "strict" && type != "semver" && type != "semantic")
    r.fail(pos, "version_type must be loose, strict, semver or semantic here, got " + repr_string(type));
  std::string op = p.get_str(1, "eq");
  auto x = version_parts(text_of(r, v, pos)), y = version_parts(p.get_str(0, ""));
  if (type != "loose")
    for (const auto* parts : {&x, &y})
      for (const auto& s : *parts)
        if (s.find_first_not_of("0123456789") != std::string::npos)
          r.fail(pos, "version: '" + s + "' is not a number; " + type + " versions here are numbers and dots only");
  int cmp = 0;
  for (size_t i = 0; i < std::max(x.size(), y.size()) && cmp == 0; ++i) {
    if (i >= x.size()) cmp = -1;
    else if (i >= y.size()) cmp = 1;
    else {
      bool xn = x[i].find_first_not_of("0123456789") == std::string::npos;
      bool yn = y[i].find_first_not_of("0123456789") == std::string::npos;
      if (xn && yn) {
        std::string a1 = x[i].substr(std::min(x[i].find_first_not_of('0'), x[i].size() - 1));
        std::string b1 = y[i].substr(std::min(y[i].find_first_not_of('0'), y[i].size() - 1));
        cmp = a1.size() != b1.size() ? (a1.size() < b1.size() ? -1 : 1) : a1.compare(b1) < 0 ? -1 : a1.compare(b1) > 0;
      } else if (xn != yn) {
        r.fail(pos, "version: cannot compare '" + x[i] + "' with '" + y[i] + "' (a number and a word)");
      } else {
        cmp = x[i] < y[i] ? -1 : x[i] > y[i];
      }
    }
  }
  if (op == "==" || op == "=" || op == "eq") return cmp == 0;
  if (op == "!=" || op == "<>" || op == "ne") return cmp != 0;
  if (op == "<" || op == "lt") return cmp < 0;
  if (op == "<=" || op == "le") return cmp <= 0;
  if (op == ">" || op == "gt") return cmp > 0;
  if (op == ">=" || op == "ge") return cmp >= 0;
  r.fail(pos, "version: unknown operator " + repr_string(op));
}

bool subset_of(Renderer& r, const Value& v, CallArgs& a, SourcePos pos, bool super) {
  Params p(r, a, pos, super ? "superset" : "subset", {"b"});
  std::vector<Value> x = list_arg(r, v, pos), y = list_arg(r, p.get(0, Value()), pos);
  const auto& small = super ? y : x;
  const auto& big = super ? x : y;
  return std::all_of(small.begin(), small.end(), [&](const Value& i) { return contains_value(big, i); });
}

bool test_subset(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return subset_of(r, v, a, pos, false); }
bool test_superset(Renderer& r, const Value& v, CallArgs& a, SourcePos pos) { return subset_of(r, v, a, pos, true); }

}  // namespace

void add_ansible_filters(FilterTable& t) {
  add_named(t, {
      {"to_json", do_to_json},
      {"to_nice_json", do_to_nice_json},
      {"from_json", do_from_json},
      {"bool", do_bool},
      {"ternary", do_ternary},
      {"mandatory", do_mandatory},
      {"b64encode", do_b64encode},
      {"b64decode", do_b64decode},
      {"quote", do_quote},
      {"basename", do_basename},
      {"dirname", do_dirname},
      {"splitext", do_splitext},
      {"combine", do_combine},
      {"dict2items", do_dict2items},
      {"items2dict", do_items2dict},
      {"flatten", do_flatten},
      {"zip", do_zip},
      {"zip_longest", do_zip_longest},
      {"product", do_product},
      {"union", do_union},
      {"intersect", do_intersect},
      {"difference", do_difference},
      {"symmetric_difference", do_symmetric_difference},
      {"hash", do_hash},
      {"checksum", do_checksum},
      {"type_debug", do_type_debug},
      {"regex_replace", regex_replace},
      {"regex_findall", regex_findall},
      {"regex_search", regex_search},
      {"regex_escape", do_regex_escape},
      {"comment", do_comment},
  });
}

void add_ansible_tests(TestTable& t) {
  add_named(t, {
      {"match", test_match},
      {"search", test_search},
      {"regex", test_regex},
      {"truthy", test_truthy},
      {"falsy", test_falsy},
      {"subset", test_subset},
      {"issubset", test_subset},
      {"superset", test_superset},
      {"issuperset", test_superset},
      {"contains", test_contains},
      {"any", test_any},
      {"all", test_all},
      {"version", test_version},
      {"version_compare", test_version},
  });
}

}  // namespace foobar::tmpl
