// Text helpers of the template language: Python's case mapping, strip, split,
// replace and number parsing as the filters and str methods need them.
#include <cctype>
#include <cerrno>
#include <clocale>
#include <cstdlib>
#include <cwctype>
#include <limits>
#include <locale.h>

#include "template/builtins.h"
#include "template/limits.h"
#include "util/utf8.h"

namespace foobar::tmpl {
namespace {

// Case mapping per code point with the C library's Unicode tables (C.UTF-8),
// close to Python's str.upper()/lower() (which also knows multi-char mappings).
locale_t utf8_locale() {
  static locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

uint32_t decode(std::string_view s, size_t& i) {
  auto c = static_cast<unsigned char>(s[i++]);
  int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
  uint32_t cp = extra == 3 ? c & 0x07u : extra == 2 ? c & 0x0fu : extra == 1 ? c & 0x1fu : c;
  for (int k = 0; k < extra && i < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3fu);
  return cp;
}

uint32_t cp_upper(uint32_t c) {
  if (c < 0x80) return static_cast<uint32_t>(std::toupper(static_cast<int>(c)));
  return utf8_locale() ? static_cast<uint32_t>(towupper_l(static_cast<wint_t>(c), utf8_locale())) : c;
}
uint32_t cp_lower(uint32_t c) {
  if (c < 0x80) return static_cast<uint32_t>(std::tolower(static_cast<int>(c)));
  return utf8_locale() ? static_cast<uint32_t>(towlower_l(static_cast<wint_t>(c), utf8_locale())) : c;
}

// Maps every code point with f(cp, index_in_word_or_string).
template <class F>
std::string map_chars(std::string_view s, F f) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) append_utf8(out, f(decode(s, i)));
  return out;
}

}  // namespace

std::string ascii_lower(const std::string& s) { return map_chars(s, cp_lower); }
std::string ascii_upper(const std::string& s) { return map_chars(s, cp_upper); }
bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string strip(const std::string& s, const Value& chars, bool left, bool right) {
  auto in_set = [&](char c) { return chars.is_string() ? chars.as_string().find(c) != std::string::npos : is_ws(c); };
  size_t b = 0, e = s.size();
  if (left)
    while (b < e && in_set(s[b])) ++b;
  if (right)
    while (e > b && in_set(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::string replace_all(const std::string& s, const std::string& old, const std::string& repl, int64_t count) {
  if (count < 0) count = std::numeric_limits<int64_t>::max();
  std::string out;
  if (old.empty()) {
    auto chars = utf8_chars(s);
    int64_t done = 0;
    for (const auto& c : chars) {
      if (done < count) out += repl, ++done;
      out += c;
    }
    if (done < count) out += repl;
    return out;
  }
  size_t pos = 0;
  int64_t done = 0;
  while (done < count) {
    size_t f = s.find(old, pos);
    if (f == std::string::npos) break;
    out.append(s, pos, f - pos);
    out += repl;
    pos = f + old.size();
    ++done;
  }
  out.append(s, pos, std::string::npos);
  return out;
}

std::vector<std::string> split(const std::string& s, const Value& sep, int64_t maxsplit) {
  std::vector<std::string> out;
  if (maxsplit < 0) maxsplit = std::numeric_limits<int64_t>::max();
  if (!sep.is_string()) {
    size_t i = 0;
    while (true) {
      while (i < s.size() && is_ws(s[i])) ++i;
      if (i >= s.size()) break;
      if (static_cast<int64_t>(out.size()) == maxsplit) {
        size_t e = s.size();
        while (e > i && is_ws(s[e - 1])) --e;
        out.push_back(s.substr(i, e - i));
        break;
      }
      size_t j = i;
      while (j < s.size() && !is_ws(s[j])) ++j;
      out.push_back(s.substr(i, j - i));
      i = j;
    }
    return out;
  }
  const std::string& d = sep.as_string();
  size_t pos = 0;
  while (static_cast<int64_t>(out.size()) < maxsplit) {
    size_t f = s.find(d, pos);
    if (f == std::string::npos) break;
    out.push_back(s.substr(pos, f - pos));
    pos = f + d.size();
  }
  out.push_back(s.substr(pos));
  return out;
}

Value str_list(const std::vector<std::string>& parts) {
  std::vector<Value> items(parts.begin(), parts.end());
  return Value(std::move(items));
}

std::string capitalize(const std::string& s) {
  bool first = true;
  return map_chars(s, [&](uint32_t c) {
    uint32_t r = first ? cp_upper(c) : cp_lower(c);
    first = false;
    return r;
  });
}

// Jinja2's title: words start after whitespace or one of -({[<.
std::string title(const std::string& s) {
  bool start = true;
  return map_chars(s, [&](uint32_t c) {
    bool sep = c < 0x80 && (is_ws(static_cast<char>(c)) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<');
    uint32_t r = sep ? c : start ? cp_upper(c) : cp_lower(c);
    start = sep;
    return r;
  });
}

bool parse_py_int(std::string s, int base, int64_t& out) {
  s = strip(s, Value(), true, true);
  std::string clean;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_' && i > 0 && i + 1 < s.size() && std::isalnum(static_cast<unsigned char>(s[i - 1])) &&
        std::isalnum(static_cast<unsigned char>(s[i + 1])))
      continue;
    clean += s[i];
  }
  if (clean.empty()) return false;
  size_t b = (clean[0] == '-' || clean[0] == '+') ? 1 : 0;
  if (base == 16 && clean.size() > b + 2 && clean[b] == '0' && (clean[b + 1] | 0x20) == 'x') clean.erase(b, 2);
  if (b >= clean.size()) return false;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(clean.c_str(), &end, base);
  if (*end != '\0' || errno) return false;
  out = v;
  return true;
}

bool parse_py_float(const std::string& s0, double& out) {
  std::string s = strip(s0, Value(), true, true);
  if (s.empty()) return false;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return *end == '\0';
}

Value get_path(Renderer& r, const Value& item, const std::string& path, SourcePos pos) {
  Value cur = item;
  size_t b = 0;
  while (true) {
    size_t dot = path.find('.', b);
    std::string part = path.substr(b, dot == std::string::npos ? std::string::npos : dot - b);
    int64_t idx;
    bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit) && parse_py_int(part, 10, idx);
    cur = r.get_item(cur, numeric ? Value(idx) : Value(part), pos);
    if (dot == std::string::npos) return cur;
    b = dot + 1;
  }
}

Value sort_key(const Value& v, bool case_sensitive) {
  if (!case_sensitive && v.is_string()) return Value(ascii_lower(v.as_string()));
  return v;
}


size_t py_len(Renderer& r, const Value& v, SourcePos pos) {
  r.check_defined(v, pos);
  if (v.is_string()) return utf8_length(v.as_string());
  if (v.is_list()) return v.as_list().items.size();
  if (v.is_dict()) return v.as_dict().size();
  r.fail(pos, "object of type '" + v.type_name() + "' has no len()");
}

// replace() grows a string by (len(new) - len(old)) per occurrence: refused before
// it is built when the result would pass the string bound.
void check_replace_size(Renderer& r, const std::string& s, const std::string& old, const std::string& repl, SourcePos pos) {
  if (repl.size() <= old.size()) return;
  size_t n = old.empty() ? utf8_length(s) + 1 : 0;
  if (!old.empty())
    for (size_t f = s.find(old); f != std::string::npos; f = s.find(old, f + old.size())) ++n;
  if (n > (kMaxStringBytes - std::min(s.size(), kMaxStringBytes)) / (repl.size() - old.size()))
    r.check_string_size(kMaxStringBytes + 1, pos);
}

}  // namespace foobar::tmpl
