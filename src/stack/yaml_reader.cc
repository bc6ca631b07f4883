#include "stack/yaml_reader.h"


#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <sstream>
#include <stdexcept>

#include "stack/utf8.h"
#include "util/utf8.h"
#include "util/yaml_scan.h"

namespace foobar::stack::yaml {
namespace {

// "tiers.web": the dotted path of `key` inside the mapping at `path`.
std::string key_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// "in 'tiers.web'", or "at the top level" for the root mapping.
std::string in(const std::string& path) {
  return path.empty() ? "at the top level" : "in '" + path + "'";
}

bool plain(const YAML::Node& n) { return n.Tag() == "?"; }

// The most values a stack file may hold with its aliases expanded. A stack of a
// thousand hosts holds some tens of thousands; the bound keeps a small file of
// nested aliases from costing minutes and gigabytes.
constexpr std::size_t kMaxExpandedValues = 1000000;

// The most problems reported for one file; the rest are counted. Past this many,
// the same mistake is usually repeated (often through an alias), and printing
// hundreds of thousands of lines helps nobody.
constexpr std::size_t kMaxDiagnostics = 1000;

}  // namespace

std::string quoted_list(const Keys& keys) {
  std::string out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i) out += i + 1 == keys.size() ? " or " : ", ";
    out += "'" + keys[i] + "'";
  }
  return out;
}

Diagnostic file_error(const std::string& file, SourcePos pos, const std::string& message) {
  return Diagnostic::error(escape_control(file), pos, shorten_quotes(escape_control(message)));
}

SourcePos to_pos(const YAML::Mark& m) {
  if (m.is_null() || m.line < 0 || m.column < 0) return {};
  return SourcePos{m.line + 1, m.column + 1};
}

void Reader::error(SourcePos pos, const std::string& message) {
  m_error_positions.insert(pos);
  if (m_diags.size() >= kMaxDiagnostics) {
    ++m_dropped;
    return;
  }
  m_diags.push_back(file_error(m_file, pos, message));
}

void Reader::finish(Diagnostics more) {
  for (Diagnostic& d : more) {
    if (m_error_positions.count(d.pos)) continue;  // already reported by the structural pass
    if (m_diags.size() >= kMaxDiagnostics) ++m_dropped;
    else m_diags.push_back(std::move(d));
  }
  sort_by_position(m_diags);
  if (m_dropped)
    m_diags.push_back(file_error(m_file, {}, std::to_string(m_dropped) + " more problems are not shown (at most " +
                                                 std::to_string(kMaxDiagnostics) +
                                                 " per file); fix these and validate again"));
}

SourcePos Reader::pos_of(const YAML::Node& n, SourcePos fallback) const {
  YAML::Mark m = n.Mark();
  if (m.is_null() || m.line < 0 || m.column < 0) return fallback;
  return SourcePos{m.line + 1, m.column + 1};
}

std::string Reader::describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Scalar: {
      std::string s = n.Scalar();
      if (s.size() > 40) s = s.substr(0, 37) + "...";
      return "'" + s + "'";
    }
    default: return "nothing";
  }
}

std::optional<MapView> Reader::map(const YAML::Node& n, SourcePos at, const std::string& path, const Keys& keys,
                                   std::string_view dup_what) {
  if (!n.IsMap()) {
    error(at, "'" + path + "' must be a mapping, got " + describe(n));
    return std::nullopt;
  }
  MapView view{pos_of(n, at), path, {}, {}, {}, {}};
  for (const auto& kv : n) {
    SourcePos key_pos = pos_of(kv.first, view.pos);
    if (!kv.first.IsScalar()) {
      error(key_pos, "keys " + in(path) + " must be plain names, got " + describe(kv.first));
      continue;
    }
    std::string key = kv.first.Scalar();
    if (const Entry* first = view.get(key)) {
      error(key_pos, "duplicate " + std::string(dup_what) + " '" + key + "' " + in(path) +
                         " (first defined at line " + std::to_string(first->key_pos.line) +
                         "); YAML keeps only one, so remove or rename one of them");
      continue;
    }
    if (!keys.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string hint = did_you_mean(key, keys);
      if (hint.empty()) hint = "; expected " + quoted_list(keys);
      else view.suggested.push_back(closest(key, keys));
      error(key_pos, "unknown key '" + key + "' " + in(path) + hint);
      continue;
    }
    view.add(Entry{key, key_pos, kv.second, pos_of(kv.second, key_pos), key_path(path, key)});
  }
  return view;
}

std::optional<MapView> Reader::map(const YAML::Node& n, SourcePos at, const std::string& path,
                                   const ObjectSpec& spec, std::string_view dup_what) {
  auto view = map(n, at, path, spec.keys(), dup_what);
  if (view) view->spec = &spec;
  return view;
}

const FieldSpec& Reader::spec_of(const MapView& m, std::string_view key) {
  const FieldSpec* f = m.spec ? m.spec->find(key) : nullptr;
  if (!f) throw std::logic_error("stack field table has no key '" + std::string(key) + "' in '" + m.path + "'");
  return *f;
}

const Entry* Reader::required(const MapView& m, std::string_view key, std::string_view hint) {
  const Entry* e = m.get(key);
  bool misspelt = std::find(m.suggested.begin(), m.suggested.end(), key) != m.suggested.end();
  if (!e && !misspelt) {  // a misspelt key was already reported with this name
    std::string msg = "missing required key '" + std::string(key) + "' " + in(m.path);
    if (!hint.empty()) msg += "; " + std::string(hint);
    error(m.pos, msg);
  }
  return e;
}

std::optional<std::string> Reader::str(const YAML::Node& n, SourcePos at, const std::string& path) {
  if (n.IsScalar()) return n.Scalar();
  error(at, "'" + path + "' must be a string, got " + describe(n));
  return std::nullopt;
}

std::optional<int> Reader::integer(const YAML::Node& n, SourcePos at, const std::string& path) {
  if (n.IsScalar() && plain(n)) {
    const std::string& s = n.Scalar();
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return v;
    if (ec == std::errc::result_out_of_range) {
      error(at, "'" + path + "' is out of range: " + describe(n));
      return std::nullopt;
    }
  }
  error(at, "'" + path + "' must be an integer, got " + describe(n));
  return std::nullopt;
}

std::optional<bool> Reader::boolean(const YAML::Node& n, SourcePos at, const std::string& path) {
  if (n.IsScalar() && plain(n)) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  error(at, "'" + path + "' must be true or false, got " + describe(n));
  return std::nullopt;
}

std::optional<Duration> Reader::duration(const YAML::Node& n, SourcePos at, const std::string& path) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    long long total = 0;
    std::size_t i = 0;
    bool ok = !s.empty();
    while (ok && i < s.size()) {
      std::size_t digits = i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      if (i == digits || i - digits > 9) { ok = false; break; }
      long long v = std::stoll(s.substr(digits, i - digits));
      std::size_t unit = i;
      while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
      std::string u = s.substr(unit, i - unit);
      long long ms = u == "ms" ? 1 : u == "s" ? 1000 : u == "m" ? 60000 : u == "h" ? 3600000 : 0;
      if (ms == 0) { ok = false; break; }
      total += v * ms;
      if (total > 365LL * 24 * 3600000) { ok = false; break; }
    }
    if (ok) return Duration{total};
  }
  error(at, "'" + path + "' must be a duration such as 500ms, 2s, 1m or 1h, got " + describe(n));
  return std::nullopt;
}

void Reader::get(const MapView& m, std::string_view key, Located<std::string>& out) {
  field(m, key, out, &Reader::str);
}

void Reader::get(const MapView& m, std::string_view key, Located<int>& out) {
  field(m, key, out, &Reader::integer);
}

void Reader::get(const MapView& m, std::string_view key, Located<bool>& out) {
  field(m, key, out, &Reader::boolean);
}

void Reader::get(const MapView& m, std::string_view key, Located<Duration>& out) {
  field(m, key, out, &Reader::duration);
}

void Reader::get(const MapView& m, std::string_view key, std::optional<Located<std::string>>& out) {
  spec_of(m, key);
  if (const Entry* e = m.get(key)) {
    Located<std::string> v{{}, e->value_pos};
    if (auto s = str(e->value, e->value_pos, e->path)) v.value = *s;
    out = v;
  }
}

void Reader::get_list(const MapView& m, std::string_view key, std::vector<Located<std::string>>& out) {
  const Entry* e = spec_of(m, key).required ? required(m, key) : m.get(key);
  if (!e) return;
  each_item(*e, [&](const YAML::Node& item, SourcePos pos, const std::string& path) {
    if (auto s = str(item, pos, path)) out.push_back({*s, pos});
  });
}

bool check_document(const std::string& text, Reader& reader) {
  const YamlScan scan = scan_yaml(text, kMaxExpandedValues);
  if (scan.too_big) {
    reader.error(to_pos(*scan.too_big),
                 "YAML aliases expand the stack file to more than " + std::to_string(kMaxExpandedValues) +
                     " values at this alias; each alias repeats everything its anchor holds (aliases "
                     "within it too), so use fewer aliases or write the values out");
    return false;
  }
  if (!scan.second) return true;
  if (scan.stuck)
    reader.error(to_pos(*scan.second), "YAML syntax error: unexpected character here");
  else
    reader.error(to_pos(*scan.second), "a stack file holds one YAML document, but a second one starts here");
  return false;
}

std::optional<SourcePos> indenting_tab(std::string_view text, int last_line) {
  int line = 1;
  std::size_t start = 0;
  while (start < text.size() && (last_line <= 0 || line <= last_line)) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(start, end - start);
    std::size_t indent = l.find_first_not_of(" \t");
    if (indent != std::string_view::npos && l[indent] != '#') {
      std::size_t tab = l.substr(0, indent).find('\t');
      if (tab != std::string_view::npos) return SourcePos{line, static_cast<int>(tab) + 1};
    }
    start = end + 1;
    ++line;
  }
  return std::nullopt;
}

}  // namespace foobar::stack::yaml
