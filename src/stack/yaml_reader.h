// Typed reading of a YAML document with positions: mappings checked against a
// key set or a field table (fields.h), with unknown, misspelt, duplicate and
// missing keys reported; scalars read as strings, integers, booleans, durations
// and enumerations; every problem a file:line:col diagnostic, within a bound per
// file. What a stack file holds is loader.cc's business; this file knows YAML.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "stack/fields.h"
#include "stack/stack.h"
#include "stack/suggest.h"

namespace foobar::stack::yaml {

struct Entry {
  std::string key;
  SourcePos key_pos;
  YAML::Node value;
  SourcePos value_pos;
  std::string path;  // dotted path of this value, e.g. "tiers.web.port"
};

struct MapView {
  SourcePos pos;
  std::string path;
  std::vector<Entry> entries;
  std::vector<std::string> suggested;  // keys offered for misspelt ones
  const ObjectSpec* spec = nullptr;    // the table entry of this mapping; nullptr for free keys
  std::unordered_map<std::string, std::size_t> index;  // key -> entry (maps may be large)
  const Entry* get(std::string_view key) const {
    auto it = index.find(std::string(key));
    return it == index.end() ? nullptr : &entries[it->second];
  }
  void add(Entry e) {
    index.emplace(e.key, entries.size());
    entries.push_back(std::move(e));
  }
};

using Keys = std::vector<std::string>;

// 'a', 'b' or 'c'.
std::string quoted_list(const Keys& keys);

// Every diagnostic of the reader: values in it are echoed with control
// characters escaped, and long ones shortened.
Diagnostic file_error(const std::string& file, SourcePos pos, const std::string& message);

SourcePos to_pos(const YAML::Mark& m);

class Reader {
 public:
  Reader(const std::string& file, Diagnostics& diags) : m_file(file), m_diags(diags) {}

  void error(SourcePos pos, const std::string& message);

  // Adds `more` (sorted by position) within the bound, then sorts everything and
  // says how many problems were left out.
  void finish(Diagnostics more);

  SourcePos pos_of(const YAML::Node& n, SourcePos fallback) const;

  static std::string describe(const YAML::Node& n);

  // `keys` empty: free keys (host names); otherwise unknown keys are errors.
  std::optional<MapView> map(const YAML::Node& n, SourcePos at, const std::string& path,
                             const Keys& keys, std::string_view dup_what = "key");

  // A mapping whose keys, required keys and enumerations are those of the field table.
  std::optional<MapView> map(const YAML::Node& n, SourcePos at, const std::string& path, const ObjectSpec& spec,
                             std::string_view dup_what = "key");

  // The table's entry for a key the loader reads; reading a key the table lacks is a
  // programming error, so the table cannot fall behind the loader.
  static const FieldSpec& spec_of(const MapView& m, std::string_view key);

  const Entry* required(const MapView& m, std::string_view key, std::string_view hint = "");

  // Scalar readers on a node. They report and return nullopt on a wrong type.
  std::optional<std::string> str(const YAML::Node& n, SourcePos at, const std::string& path);
  std::optional<int> integer(const YAML::Node& n, SourcePos at, const std::string& path);
  std::optional<bool> boolean(const YAML::Node& n, SourcePos at, const std::string& path);

  // "500ms", "2s", "1m30s", "1h"
  std::optional<Duration> duration(const YAML::Node& n, SourcePos at, const std::string& path);

  // Field readers: look `key` up in `m`; absent keys keep the default (or, when
  // required, are reported and the field points at the mapping).
  void get(const MapView& m, std::string_view key, Located<std::string>& out);
  void get(const MapView& m, std::string_view key, Located<int>& out);
  void get(const MapView& m, std::string_view key, Located<bool>& out);
  void get(const MapView& m, std::string_view key, Located<Duration>& out);
  void get(const MapView& m, std::string_view key, std::optional<Located<std::string>>& out);
  void get_list(const MapView& m, std::string_view key, std::vector<Located<std::string>>& out);

  template <class E>
  static std::vector<std::pair<std::string, E>> enum_names(const FieldSpec& f) {
    std::vector<std::pair<std::string, E>> out;
    for (std::size_t i = 0; i < f.values.size(); ++i) out.emplace_back(f.values[i], static_cast<E>(i));
    return out;
  }

  template <class E>
  std::optional<E> enumeration(const YAML::Node& n, SourcePos at, const std::string& path,
                               const std::vector<std::pair<std::string, E>>& names) {
    Keys keys;
    for (const auto& [name, value] : names) keys.push_back(name);
    if (n.IsScalar()) {
      for (const auto& [name, value] : names)
        if (n.Scalar() == name) return value;
      std::string hint = did_you_mean(n.Scalar(), keys);
      error(at, "'" + path + "' must be one of " + quoted_list(keys) + ", got " + describe(n) +
                    hint);
      return std::nullopt;
    }
    error(at, "'" + path + "' must be one of " + quoted_list(keys) + ", got " + describe(n));
    return std::nullopt;
  }

  template <class T, class Read>
  void field(const MapView& m, std::string_view key, Located<T>& out, Read read) {
    const bool req = spec_of(m, key).required;
    const Entry* e = req ? required(m, key) : m.get(key);
    if (!e) {
      if (req) out.pos = m.pos;
      return;
    }
    out.pos = e->value_pos;
    if (auto v = (this->*read)(e->value, e->value_pos, e->path)) out.value = *v;
  }

  template <class E>
  void get_enum(const MapView& m, std::string_view key, Located<E>& out) {
    const auto names = enum_names<E>(spec_of(m, key));
    if (const Entry* e = m.get(key)) {
      out.pos = e->value_pos;
      if (auto v = enumeration(e->value, e->value_pos, e->path, names)) out.value = *v;
    }
  }

  template <class Fn>
  void each_item(const Entry& e, Fn fn) {
    if (!e.value.IsSequence()) {
      error(e.value_pos, "'" + e.path + "' must be a list, got " + describe(e.value));
      return;
    }
    std::size_t i = 0;
    for (const auto& item : e.value) {
      fn(item, pos_of(item, e.value_pos), e.path + "[" + std::to_string(i) + "]");
      ++i;
    }
  }

  const std::string& file() const { return m_file; }

 private:
  const std::string& m_file;
  Diagnostics& m_diags;
  std::set<SourcePos> m_error_positions;
  std::size_t m_dropped = 0;
};

// Checks that the text is exactly one YAML document (or none) of a bounded size
// once aliases are expanded; reports where a second one starts, where the parser
// could not make progress, or the alias that makes the document too big.
bool check_document(const std::string& text, Reader& reader);

// The first tab in the leading whitespace of a line up to `last_line`, if any:
// the usual cause of yaml-cpp's less helpful messages.
std::optional<SourcePos> indenting_tab(std::string_view text, int last_line);

}  // namespace foobar::stack::yaml
