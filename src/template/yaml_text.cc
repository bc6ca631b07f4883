#include "template/yaml_text.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <regex>

#include "template/builtins.h"
#include "template/limits.h"
#include "template/number.h"
#include "util/yaml_scan.h"

namespace foobar::tmpl {
namespace {

// ---- YAML 1.1 implicit types, as PyYAML's Resolver ----

enum class Implicit { str, null, boolean, integer, real, timestamp, other };

Implicit resolve_plain(const std::string& s) {
  static const std::regex null_re("^(?:~|null|Null|NULL|)$");
  static const std::regex bool_re("^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$");
  static const std::regex int_re(
      "^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$");
  static const std::regex float_re(
      "^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
      "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");
  static const std::regex time_re(
      "^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9]{2}:[0-9]{2}"
      "(?:\\.[0-9]*)?(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9]{2})?))?)$");
  // merge (<<), value (=) and yaml (! & *) are types of their own to the resolver.
  static const std::regex other_re("^(?:<<|=|!|&|\\*)$");
  if (s.size() > 64) return Implicit::str;  // no implicit type is that long
  if (std::regex_match(s, null_re)) return Implicit::null;
  if (std::regex_match(s, bool_re)) return Implicit::boolean;
  if (std::regex_match(s, int_re)) return Implicit::integer;
  if (std::regex_match(s, float_re)) return Implicit::real;
  if (std::regex_match(s, time_re)) return Implicit::timestamp;
  if (std::regex_match(s, other_re)) return Implicit::other;
  return Implicit::str;
}

// ---- text as code points ----

std::u32string decode(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + static_cast<size_t>(n) > s.size()) {
      out += static_cast<char32_t>(0xDC00 + c);  // an undecodable byte: never printable
      ++i;
      continue;
    }
    char32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
    out += cp;
    i += static_cast<size_t>(n);
  }
  return out;
}

void encode(std::string& out, char32_t c) {
  if (c >= 0xDC80 && c <= 0xDCFF) out += static_cast<char>(c - 0xDC00);
  else if (c < 0x80) out += static_cast<char>(c);
  else if (c < 0x800) out += static_cast<char>(0xC0 | (c >> 6)), out += static_cast<char>(0x80 | (c & 0x3F));
  else if (c < 0x10000)
    out += static_cast<char>(0xE0 | (c >> 12)), out += static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
        out += static_cast<char>(0x80 | (c & 0x3F));
  else
    out += static_cast<char>(0xF0 | (c >> 18)), out += static_cast<char>(0x80 | ((c >> 12) & 0x3F)),
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F)), out += static_cast<char>(0x80 | (c & 0x3F));
}

// libyaml's character classes (it decides the quoting of what Ansible writes).
bool is_printable(char32_t c) {
  return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF);
}
bool is_break(char32_t c) { return c == '\r' || c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029; }
bool is_blankz(char32_t c) { return c == ' ' || c == '\t' || c == 0 || is_break(c); }

struct Scalar {
  std::u32string text;
  size_t bytes = 0;
  bool plain_implicit = true;  // the text read back plain is this value
  bool multiline = false, flow_plain = true, block_plain = true, single_quoted = true;
};

// yaml_emitter_analyze_scalar.
void analyze(Scalar& s) {
  const std::u32string& t = s.text;
  if (t.empty()) {
    s.flow_plain = false;
    return;
  }
  bool block_ind = false, flow_ind = false, line_breaks = false, special = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false;
  bool break_space = false, space_break = false, prev_space = false, prev_break = false;
  if (t.size() >= 3 && (t.compare(0, 3, U"---") == 0 || t.compare(0, 3, U"...") == 0)) block_ind = flow_ind = true;
  bool preceded_ws = true;
  bool followed_ws = t.size() == 1 || is_blankz(t[1]);
  for (size_t i = 0; i < t.size(); ++i) {
    char32_t c = t[i];
    if (i == 0) {
      if (std::u32string_view(U"#,[]{}&*!|>'\"%@`").find(c) != std::u32string_view::npos) flow_ind = block_ind = true;
      if (c == '?' || c == ':') {
        flow_ind = true;
        if (followed_ws) block_ind = true;
      }
      if (c == '-' && followed_ws) flow_ind = block_ind = true;
    } else {
      if (std::u32string_view(U",?[]{}").find(c) != std::u32string_view::npos) flow_ind = true;
      if (c == ':') {
        flow_ind = true;
        if (followed_ws) block_ind = true;
      }
      if (c == '#' && preceded_ws) flow_ind = block_ind = true;
    }
    if (!is_printable(c)) special = true;
    if (is_break(c)) line_breaks = true;
    if (c == ' ') {
      if (i == 0) leading_space = true;
      if (i + 1 == t.size()) trailing_space = true;
      if (prev_break) break_space = true;
      prev_space = true, prev_break = false;
    } else if (is_break(c)) {
      if (i == 0) leading_break = true;
      if (i + 1 == t.size()) trailing_break = true;
      if (prev_space) space_break = true;
      prev_space = false, prev_break = true;
    } else {
      prev_space = prev_break = false;
    }
    preceded_ws = is_blankz(c);
    followed_ws = i + 2 >= t.size() || is_blankz(t[i + 2]);
  }
  s.multiline = line_breaks;
  if (leading_space || leading_break || trailing_space || trailing_break) s.flow_plain = s.block_plain = false;
  if (break_space || space_break || special) s.flow_plain = s.block_plain = s.single_quoted = false;
  if (line_breaks) s.flow_plain = s.block_plain = false;
  if (flow_ind) s.flow_plain = false;
  if (block_ind) s.block_plain = false;
}

// Python's repr of a float as PyYAML's SafeRepresenter writes it.
std::string yaml_float(double d) {
  if (std::isnan(d)) return ".nan";
  if (std::isinf(d)) return d < 0 ? "-.inf" : ".inf";
  std::string s = ascii_lower(repr_double(d));
  if (s.find('.') == std::string::npos && s.find('e') != std::string::npos) s.insert(s.find('e'), ".0");
  return s;
}

class Emitter {
 public:
  Emitter(const YamlStyle& style, std::string& error) : m_style(style), m_error(error) {
    m_best_indent = style.indent > 1 && style.indent < 10 ? style.indent : 2;
    m_best_width = style.width < 0 ? INT_MAX : style.width <= 2 * m_best_indent ? 80 : style.width;
  }

  bool document(const Value& v) {
    if (!node(v, false, false)) return false;
    write_indent();
    return true;
  }
  std::string& out() { return m_out; }

 private:
  const YamlStyle& m_style;
  std::string& m_error;
  std::string m_out;
  int m_best_indent, m_best_width;
  int m_column = 0, m_indent = -1, m_flow_level = 0, m_depth = 0;
  bool m_whitespace = true, m_indention = true;
  bool m_mapping_ctx = false, m_simple_key_ctx = false;
  std::vector<int> m_indents;

  bool fail(std::string msg) {
    m_error = std::move(msg);
    return false;
  }

  void put(char32_t c) {
    encode(m_out, c);
    ++m_column;
  }
  void put_ascii(std::string_view s) {
    m_out += s;
    m_column += static_cast<int>(s.size());
  }
  void put_break() {
    m_out += '\n';
    m_column = 0;
  }
  void write_break(char32_t c) {
    if (c == '\n') put_break();
    else encode(m_out, c), m_column = 0;
  }
  void write_indicator(std::string_view ind, bool need_ws, bool is_ws, bool is_indention) {
    if (need_ws && !m_whitespace) put_ascii(" ");
    put_ascii(ind);
    m_whitespace = is_ws;
    m_indention = m_indention && is_indention;
  }
  void write_indent() {
    int indent = m_indent >= 0 ? m_indent : 0;
    if (!m_indention || m_column > indent || (m_column == indent && !m_whitespace)) put_break();
    while (m_column < indent) put_ascii(" ");
    m_whitespace = m_indention = true;
  }
  void increase_indent(bool flow, bool indentless) {
    m_indents.push_back(m_indent);
    if (m_indent < 0) m_indent = flow ? m_best_indent : 0;
    else if (!indentless) m_indent += m_best_indent;
  }
  void pop_indent() {
    m_indent = m_indents.back();
    m_indents.pop_back();
  }

  bool scalar_of(const Value& v, Scalar& s) {
    std::string text;
    switch (v.kind()) {
      case Value::Kind::none: text = "null"; break;
      case Value::Kind::boolean: text = v.as_bool() ? "true" : "false"; break;
      case Value::Kind::integer: text = std::to_string(v.as_int()); break;
      case Value::Kind::real: text = yaml_float(v.as_double()); break;
      case Value::Kind::string:
        text = v.as_string();
        s.plain_implicit = resolve_plain(text) == Implicit::str;
        break;
      case Value::Kind::undefined: return fail("cannot represent an undefined value: " + v.undefined_hint());
      default: return fail("cannot represent an object of type " + v.type_name() + " in YAML");
    }
    s.bytes = text.size();
    s.text = decode(text);
    analyze(s);
    return true;
  }

  static bool is_collection(const Value& v) { return v.is_list() || v.is_dict(); }

  bool node(const Value& v, bool mapping, bool simple_key) {
    m_mapping_ctx = mapping;
    m_simple_key_ctx = simple_key;
    if (++m_depth > kMaxValueDepth) return fail("the value is nested too deeply for YAML");
    if (m_out.size() > kMaxStringBytes) return fail("the YAML text is too large (more than 64 MiB)");
    bool ok;
    if (v.is_list()) ok = list(v.as_list().items);
    else if (v.is_dict()) ok = dict(v.as_dict());
    else {
      Scalar s;
      ok = scalar_of(v, s) && (scalar(s), true);
    }
    --m_depth;
    return ok;
  }

  bool flow_style(bool all_scalars) const { return m_style.flow < 0 ? all_scalars : m_style.flow == 1; }

  bool list(const std::vector<Value>& items) {
    bool all_scalars = std::none_of(items.begin(), items.end(), is_collection);
    if (m_flow_level || items.empty() || flow_style(all_scalars)) {
      write_indicator("[", true, true, false);
      increase_indent(true, false);
      ++m_flow_level;
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) write_indicator(",", false, false, false);
        if (m_column > m_best_width) write_indent();
        if (!node(items[i], false, false)) return false;
      }
      --m_flow_level;
      pop_indent();
      write_indicator("]", false, false, false);
      return true;
    }
    increase_indent(false, m_mapping_ctx && !m_indention);
    for (const auto& item : items) {
      write_indent();
      write_indicator("-", true, false, true);
      if (!node(item, false, false)) return false;
    }
    pop_indent();
    return true;
  }

  bool dict(const Dict& d) {
    std::vector<const std::pair<std::string, Value>*> items;
    for (const auto& kv : d.items()) items.push_back(&kv);
    if (m_style.sort_keys)
      std::sort(items.begin(), items.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
    bool all_scalars = std::none_of(items.begin(), items.end(), [](const auto* kv) { return is_collection(kv->second); });
    bool flow = m_flow_level || items.empty() || flow_style(all_scalars);
    if (flow) {
      write_indicator("{", true, true, false);
      increase_indent(true, false);
      ++m_flow_level;
    } else {
      increase_indent(false, false);
    }
    for (size_t i = 0; i < items.size(); ++i) {
      if (flow) {
        if (i) write_indicator(",", false, false, false);
        if (m_column > m_best_width) write_indent();
      } else {
        write_indent();
      }
      Scalar key;
      if (!scalar_of(Value(items[i]->first), key)) return false;
      // check_simple_key: one line and at most 128 bytes.
      if (!key.multiline && key.bytes <= 128) {
        m_mapping_ctx = m_simple_key_ctx = true;
        scalar(key);
        write_indicator(":", false, false, false);
      } else {
        write_indicator("?", true, false, !flow);
        m_mapping_ctx = true, m_simple_key_ctx = false;
        scalar(key);
        if (flow) {
          if (m_column > m_best_width) write_indent();
          write_indicator(":", true, false, false);
        } else {
          write_indent();
          write_indicator(":", true, false, true);
        }
      }
      if (!node(items[i]->second, true, false)) return false;
    }
    if (flow) {
      --m_flow_level;
      pop_indent();
      write_indicator("}", false, false, false);
    } else {
      pop_indent();
    }
    return true;
  }

  // yaml_emitter_select_scalar_style, then the writer.
  void scalar(const Scalar& s) {
    enum { plain, single, dbl } style = plain;
    if (m_simple_key_ctx && s.multiline) style = dbl;
    if (style == plain) {
      if ((m_flow_level && !s.flow_plain) || (!m_flow_level && !s.block_plain)) style = single;
      if (s.text.empty() && (m_flow_level || m_simple_key_ctx)) style = single;
      if (!s.plain_implicit) style = single;
    }
    if (style == single && !s.single_quoted) style = dbl;
    bool breaks = !m_simple_key_ctx;
    increase_indent(true, false);
    if (style == dbl) write_double(s.text, breaks);
    else write_folded(s.text, breaks, style == single);
    pop_indent();
  }

  // libyaml's plain and single-quoted writers: a space past the width becomes a
  // line break, and a line break is written twice (YAML folds one).
  void write_folded(const std::u32string& t, bool allow_breaks, bool quoted) {
    if (quoted) write_indicator("'", true, false, false);
    else if (!m_whitespace) put_ascii(" ");
    bool spaces = false, breaks = false;
    for (size_t i = 0; i < t.size(); ++i) {
      char32_t c = t[i];
      if (c == ' ') {
        bool inner = !quoted || (i != 0 && i + 1 != t.size());
        if (allow_breaks && !spaces && m_column > m_best_width && inner && !(i + 1 < t.size() && t[i + 1] == ' '))
          write_indent();
        else put(c);
        spaces = true;
      } else if (is_break(c)) {
        if (!breaks && c == '\n') put_break();
        write_break(c);
        m_indention = breaks = true;
      } else {
        if (breaks) write_indent();
        if (quoted && c == '\'') put(c);
        put(c);
        m_indention = spaces = breaks = false;
      }
    }
    if (!quoted) {
      m_whitespace = m_indention = false;
      return;
    }
    if (breaks) write_indent();
    write_indicator("'", false, false, false);
  }

  void write_double(const std::u32string& t, bool allow_breaks) {
    write_indicator("\"", true, false, false);
    bool spaces = false;
    for (size_t i = 0; i < t.size(); ++i) {
      char32_t c = t[i];
      if (!is_printable(c) || is_break(c) || c == '"' || c == '\\') {
        put_ascii(escape(c));
        spaces = false;
      } else if (c == ' ') {
        if (allow_breaks && !spaces && m_column > m_best_width && i != 0 && i + 1 != t.size()) {
          write_indent();
          if (i + 1 < t.size() && t[i + 1] == ' ') put_ascii("\\");
        } else {
          put(c);
        }
        spaces = true;
      } else {
        put(c);
        spaces = false;
      }
    }
    write_indicator("\"", false, false, false);
  }

  static std::string escape(char32_t c) {
    switch (c) {
      case 0: return "\\0";
      case 0x07: return "\\a";
      case 0x08: return "\\b";
      case 0x09: return "\\t";
      case 0x0A: return "\\n";
      case 0x0B: return "\\v";
      case 0x0C: return "\\f";
      case 0x0D: return "\\r";
      case 0x1B: return "\\e";
      case '"': return "\\\"";
      case '\\': return "\\\\";
      case 0x85: return "\\N";
      case 0xA0: return "\\_";
      case 0x2028: return "\\L";
      case 0x2029: return "\\P";
      default: break;
    }
    char buf[16];
    if (c <= 0xFF) std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(c));
    else if (c <= 0xFFFF) std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(c));
    else std::snprintf(buf, sizeof buf, "\\U%08X", static_cast<unsigned>(c));
    return buf;
  }
};

// ---- reading: PyYAML's SafeConstructor over yaml-cpp's nodes ----

class Reader {
 public:
  explicit Reader(std::string& error) : m_error(error) {}

  bool value(const YAML::Node& n, Value& out, int depth) {
    if (depth > kMaxValueDepth) return fail("the document is nested too deeply");
    if (++m_nodes > kMaxListItems) return fail("the document has more than " + std::to_string(kMaxListItems) + " nodes");
    switch (n.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined: out = Value(); return true;
      case YAML::NodeType::Scalar: return scalar(n, out);
      case YAML::NodeType::Sequence: {
        std::vector<Value> items;
        for (const auto& e : n) {
          items.emplace_back();
          if (!value(e, items.back(), depth + 1)) return false;
        }
        out = Value(std::move(items));
        return true;
      }
      case YAML::NodeType::Map: {
        Dict d;
        if (!mapping(n, d, depth)) return false;
        out = Value(std::move(d));
        return true;
      }
    }
    return fail("unknown YAML node");
  }

 private:
  std::string& m_error;
  size_t m_nodes = 0;

  bool fail(std::string msg) {
    m_error = std::move(msg);
    return false;
  }

  // Merge keys (<<) first, in PyYAML's order, then the mapping's own keys over them.
  bool mapping(const YAML::Node& n, Dict& d, int depth) {
    for (const auto& kv : n) {
      if (!(kv.first.IsScalar() && kv.first.Tag() == "?" && kv.first.Scalar() == "<<")) continue;
      std::vector<YAML::Node> merged;
      if (kv.second.IsMap()) merged.push_back(kv.second);
      else if (kv.second.IsSequence())
        for (const auto& m : kv.second) merged.insert(merged.begin(), m);  // last first
      else return fail("a merge key (<<) takes a mapping or a list of mappings");
      for (const auto& m : merged) {
        if (!m.IsMap()) return fail("a merge key (<<) takes a mapping or a list of mappings");
        if (!mapping(m, d, depth + 1)) return false;
      }
    }
    for (const auto& kv : n) {
      if (kv.first.IsScalar() && kv.first.Tag() == "?" && kv.first.Scalar() == "<<") continue;
      Value k;
      if (!value(kv.first, k, depth + 1)) return false;
      if (!k.is_string())
        return fail("the key " + py_repr(k) + " is not a string (dicts here have string keys)");
      Value v;
      if (!value(kv.second, v, depth + 1)) return false;
      d.set(k.as_string(), std::move(v));
    }
    return true;
  }

  bool scalar(const YAML::Node& n, Value& out) {
    const std::string& s = n.Scalar();
    const std::string& tag = n.Tag();
    Implicit type;
    if (tag == "?") type = resolve_plain(s);
    else if (tag == "!" || tag == "tag:yaml.org,2002:str") type = Implicit::str;
    else if (tag == "tag:yaml.org,2002:int") type = Implicit::integer;
    else if (tag == "tag:yaml.org,2002:float") type = Implicit::real;
    else if (tag == "tag:yaml.org,2002:bool") type = Implicit::boolean;
    else if (tag == "tag:yaml.org,2002:null") type = Implicit::null;
    else return fail("the tag " + repr_string(tag) + " is not supported (only YAML's plain data types)");
    switch (type) {
      case Implicit::null: out = Value(); return true;
      case Implicit::boolean: {
        std::string l = ascii_lower(s);
        if (l != "yes" && l != "no" && l != "true" && l != "false" && l != "on" && l != "off")
          return fail(repr_string(s) + " is not a boolean");
        out = Value(l == "yes" || l == "true" || l == "on");
        return true;
      }
      case Implicit::integer: return integer(s, out);
      case Implicit::real: return real(s, out);
      default: out = Value(s); return true;  // str, timestamps (kept as text), merge/value names
    }
  }

  bool integer(std::string s, Value& out) {
    s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
    bool neg = !s.empty() && s[0] == '-';
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.erase(0, 1);
    int64_t v = 0;
    bool ok;
    if (s.find(':') != std::string::npos) {  // base 60
      ok = true;
      size_t b = 0;
      while (ok) {
        size_t colon = s.find(':', b);
        int64_t part = 0;
        ok = parse_py_int(s.substr(b, colon == std::string::npos ? std::string::npos : colon - b), 10, part);
        auto m = ok ? int_mul(v, 60) : std::nullopt;
        auto a = m ? int_add(*m, part) : std::nullopt;
        ok = a.has_value();
        if (ok) v = *a;
        if (colon == std::string::npos) break;
        b = colon + 1;
      }
    } else if (s.rfind("0b", 0) == 0) {
      ok = s.size() > 2 && parse_py_int(s.substr(2), 2, v);
    } else if (s.rfind("0x", 0) == 0) {
      ok = s.size() > 2 && parse_py_int(s.substr(2), 16, v);
    } else if (s.size() > 1 && s[0] == '0') {
      ok = parse_py_int(s, 8, v);
    } else {
      ok = parse_py_int(s, 10, v);
    }
    if (!ok) return fail("the integer " + repr_string(s) + " does not fit in 64 bits or is not a number");
    if (neg) {
      auto n = int_neg(v);
      if (!n) return fail("the integer does not fit in 64 bits");
      v = *n;
    }
    out = Value(v);
    return true;
  }

  bool real(std::string s, Value& out) {
    s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
    s = ascii_lower(s);
    double sign = !s.empty() && s[0] == '-' ? -1.0 : 1.0;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.erase(0, 1);
    double v = 0;
    if (s == ".inf") v = INFINITY;
    else if (s == ".nan") v = NAN;
    else if (s.find(':') != std::string::npos) {
      size_t b = 0;
      while (true) {
        size_t colon = s.find(':', b);
        double part = 0;
        if (!parse_py_float(s.substr(b, colon == std::string::npos ? std::string::npos : colon - b), part))
          return fail(repr_string(s) + " is not a float");
        v = v * 60 + part;
        if (colon == std::string::npos) break;
        b = colon + 1;
      }
    } else if (!parse_py_float(s, v)) {
      return fail(repr_string(s) + " is not a float");
    }
    out = Value(std::isnan(v) ? v : sign * v);
    return true;
  }
};

}  // namespace

bool to_yaml_text(const Value& v, const YamlStyle& style, std::string& out, std::string& error) {
  Emitter e(style, error);
  if (!e.document(v)) return false;
  out = std::move(e.out());
  return true;
}

bool from_yaml_text(std::string_view text, Value& out, std::string& error) {
  try {
    const std::string s(text);
    // The Reader bounds the expansion of aliases itself (limits.h), with its own message.
    const YamlScan scan = scan_yaml(s, SIZE_MAX);
    if (scan.stuck) {
      error = "the text is not valid YAML: nothing can start a document at line " +
              std::to_string(scan.second->line + 1) + ", column " + std::to_string(scan.second->column + 1);
      return false;
    }
    if (scan.second) {
      error = "expected a single document, found more than one";
      return false;
    }
    Reader r(error);
    return r.value(YAML::Load(s), out, 0);
  } catch (const YAML::Exception& e) {
    error = "the text is not valid YAML: " + e.msg + " (line " + std::to_string(e.mark.line + 1) + ")";
    return false;
  } catch (const std::exception& e) {
    error = std::string("the text is not valid YAML: ") + e.what();
    return false;
  }
}

}  // namespace foobar::tmpl
