#include "util/utf8.h"
#include "template/lexer.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace foobar::tmpl {

const char* token_description(const Token& t) {
  switch (t.type) {
    case Tok::data: return "template data";
    case Tok::var_begin: return "'{{'";
    case Tok::var_end: return "end of print statement";
    case Tok::block_begin: return "'{%'";
    case Tok::block_end: return "end of statement block";
    case Tok::name: return "name";
    case Tok::string: return "string";
    case Tok::integer: return "integer";
    case Tok::real: return "float";
    case Tok::op: return "operator";
    case Tok::eof: return "end of template";
  }
  return "token";
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

// Python's splitlines + "\n".join: CRLF and CR become LF, one trailing newline goes.
std::string normalize(std::string_view src, bool keep_trailing) {
  std::string out;
  out.reserve(src.size());
  for (size_t i = 0; i < src.size(); ++i) {
    if (src[i] == '\r') {
      out += '\n';
      if (i + 1 < src.size() && src[i + 1] == '\n') ++i;
    } else {
      out += src[i];
    }
  }
  if (!keep_trailing && !out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class Lexer {
 public:
  Lexer(std::string src, const std::string& name, const LexerOptions& o)
      : m_src(std::move(src)), m_name(name), m_opt(o) {
    m_line_starts.push_back(0);
    for (size_t i = 0; i < m_src.size(); ++i)
      if (m_src[i] == '\n') m_line_starts.push_back(i + 1);
  }

  Result<std::vector<Token>> run() {
    while (m_pos < m_src.size()) {
      if (!root_step()) return m_error;
    }
    push(Tok::eof, "", m_src.size());
    return std::move(m_tokens);
  }

 private:
  std::string m_src;
  const std::string& m_name;
  LexerOptions m_opt;
  std::vector<size_t> m_line_starts;
  std::vector<Token> m_tokens;
  size_t m_pos = 0;
  bool m_line_starting = true;
  Diagnostic m_error;

  SourcePos pos_of(size_t off) const {
    auto it = std::upper_bound(m_line_starts.begin(), m_line_starts.end(), off);
    size_t line = static_cast<size_t>(it - m_line_starts.begin());
    return {static_cast<int>(line), static_cast<int>(off - m_line_starts[line - 1] + 1)};
  }

  Token& push(Tok t, std::string text, size_t off) {
    m_tokens.push_back(Token{t, std::move(text), 0, 0, pos_of(off)});
    return m_tokens.back();
  }

  bool fail(size_t off, std::string msg) {
    m_error = Diagnostic::error(m_name, pos_of(off), std::move(msg));
    return false;
  }

  bool at(size_t off, std::string_view s) const { return m_src.compare(off, s.size(), s) == 0; }

  // The text before a tag, with `-` stripping or lstrip_blocks applied.
  void emit_text(size_t begin, size_t end, char sign, bool lstrip_applies) {
    std::string_view text(m_src.data() + begin, end - begin);
    if (sign == '-') {
      while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    } else if (sign != '+' && m_opt.lstrip_blocks && lstrip_applies) {
      size_t nl = text.rfind('\n');
      size_t l_pos = nl == std::string_view::npos ? 0 : nl + 1;
      if ((l_pos > 0 || m_line_starting) && l_pos < text.size() &&
          std::all_of(text.begin() + l_pos, text.end(), is_space))
        text = text.substr(0, l_pos);
    }
    if (!text.empty()) push(Tok::data, std::string(text), begin);
  }

  // After a `%}` / `#}`: `-` eats all whitespace, trim_blocks one newline.
  size_t after_block_end(size_t off, char sign) {
    if (sign == '-') {
      while (off < m_src.size() && is_space(m_src[off])) ++off;
    } else if (sign != '+' && m_opt.trim_blocks && off < m_src.size() && m_src[off] == '\n') {
      ++off;
    }
    return off;
  }

  void set_line_starting(size_t end) { m_line_starting = end > 0 && m_src[end - 1] == '\n'; }

  char sign_at(size_t off) const {
    return off < m_src.size() && (m_src[off] == '-' || m_src[off] == '+') ? m_src[off] : 0;
  }

  // Matches `{%[-+]?\s*WORD\s*(-%}|+%}|%})` at off; returns the end offset of `%}`
  // and the closing sign, or npos.
  size_t match_word_tag(size_t off, std::string_view word, char& open_sign, char& close_sign) const {
    if (!at(off, "{%")) return std::string::npos;
    size_t p = off + 2;
    open_sign = sign_at(p);
    if (open_sign) ++p;
    while (p < m_src.size() && is_space(m_src[p])) ++p;
    if (!at(p, word)) return std::string::npos;
    p += word.size();
    while (p < m_src.size() && is_space(m_src[p])) ++p;
    close_sign = 0;
    if (at(p, "-%}") || at(p, "+%}")) close_sign = m_src[p], ++p;
    if (!at(p, "%}")) return std::string::npos;
    return p + 2;
  }

  bool root_step() {
    size_t tag = m_src.find('{', m_pos);
    while (tag != std::string::npos && tag + 1 < m_src.size() && m_src[tag + 1] != '{' &&
           m_src[tag + 1] != '%' && m_src[tag + 1] != '#')
      tag = m_src.find('{', tag + 1);
    if (tag == std::string::npos || tag + 1 >= m_src.size()) {
      push(Tok::data, m_src.substr(m_pos), m_pos);
      m_pos = m_src.size();
      return true;
    }
    char kind = m_src[tag + 1];
    char sign = sign_at(tag + 2);
    char raw_open = 0, raw_close = 0;
    if (kind == '%') {
      size_t raw_end = match_word_tag(tag, "raw", raw_open, raw_close);
      // Jinja2's raw opening tag knows `-%}` but not `+%}`.
      if (raw_end != std::string::npos && raw_close != '+') return lex_raw(tag, raw_end, raw_open, raw_close);
    }
    emit_text(m_pos, tag, sign, kind != '{');
    size_t p = tag + 2 + (sign ? 1 : 0);
    if (kind == '#') return lex_comment(tag, p);
    push(kind == '{' ? Tok::var_begin : Tok::block_begin, kind == '{' ? "{{" : "{%", tag);
    return lex_expression(p, kind == '{');
  }

  bool lex_comment(size_t tag, size_t p) {
    for (; p < m_src.size(); ++p) {
      char s = 0;
      if ((m_src[p] == '+' || m_src[p] == '-') && at(p + 1, "#}")) s = m_src[p];
      else if (!at(p, "#}")) continue;
      size_t end = after_block_end(p + 2 + (s ? 1 : 0), s);
      set_line_starting(end);
      m_pos = end;
      return true;
    }
    return fail(tag, "missing end of comment tag '#}'");
  }

  bool lex_raw(size_t tag, size_t body, char open_sign, char close_sign) {
    emit_text(m_pos, tag, open_sign, true);
    if (close_sign == '-') {
      while (body < m_src.size() && is_space(m_src[body])) ++body;
    }
    set_line_starting(body);
    for (size_t p = m_src.find("{%", body); p != std::string::npos; p = m_src.find("{%", p + 1)) {
      char end_open = 0, end_close = 0;
      size_t end = match_word_tag(p, "endraw", end_open, end_close);
      if (end == std::string::npos) continue;
      emit_text(body, p, end_open, true);
      end = after_block_end(end, end_close);
      set_line_starting(end);
      m_pos = end;
      return true;
    }
    return fail(tag, "missing end of raw directive: expected '{% endraw %}'");
  }

  bool lex_expression(size_t p, bool variable) {
    std::vector<char> brackets;
    size_t start = p;
    while (true) {
      if (p >= m_src.size())
        return fail(start - 2, std::string("unexpected end of template: expected '") +
                                   (variable ? "}}" : "%}") + "' to close this tag");
      if (brackets.empty()) {
        if (variable) {
          size_t e = 0;
          if (at(p, "-}}")) e = p + 3;
          else if (at(p, "}}")) e = p + 2;
          if (e) {
            push(Tok::var_end, "}}", p);
            if (m_src[p] == '-') {
              while (e < m_src.size() && is_space(m_src[e])) ++e;
            }
            set_line_starting(e);
            m_pos = e;
            return true;
          }
        } else {
          char s = 0;
          if ((m_src[p] == '-' || m_src[p] == '+') && at(p + 1, "%}")) s = m_src[p];
          if (s || at(p, "%}")) {
            push(Tok::block_end, "%}", p);
            size_t e = after_block_end(p + 2 + (s ? 1 : 0), s);
            set_line_starting(e);
            m_pos = e;
            return true;
          }
        }
      }
      char c = m_src[p];
      if (is_space(c)) {
        ++p;
      } else if (is_digit(c)) {
        if (!lex_number(p)) return false;
      } else if (is_name_start(c)) {
        size_t b = p;
        while (p < m_src.size() && is_name_char(m_src[p])) ++p;
        push(Tok::name, m_src.substr(b, p - b), b);
      } else if (c == '\'' || c == '"') {
        if (!lex_string(p)) return false;
      } else {
        if (!lex_operator(p, brackets)) return false;
      }
    }
  }

  bool lex_number(size_t& p) {
    size_t b = p;
    auto digits = [&](auto pred) {
      size_t s = p;
      while (p < m_src.size() && (pred(m_src[p]) || (m_src[p] == '_' && p > s && p + 1 < m_src.size() && pred(m_src[p + 1])))) ++p;
      return p > s;
    };
    auto clean = [](std::string s) {
      s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
      return s;
    };
    if (m_src[p] == '0' && p + 1 < m_src.size() && std::string_view("xXoObB").find(m_src[p + 1]) != std::string_view::npos) {
      char k = static_cast<char>(m_src[p + 1] | 0x20);
      int base = k == 'x' ? 16 : k == 'o' ? 8 : 2;
      p += 2;
      if (p < m_src.size() && m_src[p] == '_') ++p;
      size_t ds = p;
      digits([base](char c) {
        return base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : c >= '0' && c < '0' + base;
      });
      return push_integer(m_src.substr(b, p - b), clean(m_src.substr(ds, p - ds)), base, b);
    }
    digits(is_digit);
    bool after_dot = !m_tokens.empty() && m_tokens.back().type == Tok::op && m_tokens.back().text == ".";
    bool real = false;
    if (!after_dot && p + 1 < m_src.size() && m_src[p] == '.' && is_digit(m_src[p + 1])) {
      ++p;
      digits(is_digit);
      real = true;
    }
    if (!after_dot && p < m_src.size() && (m_src[p] == 'e' || m_src[p] == 'E')) {
      size_t q = p + 1;
      if (q < m_src.size() && (m_src[q] == '+' || m_src[q] == '-')) ++q;
      if (q < m_src.size() && is_digit(m_src[q])) {
        p = q;
        digits(is_digit);
        real = true;
      }
    }
    std::string text = clean(m_src.substr(b, p - b));
    if (real) {
      push(Tok::real, text, b).real_value = std::strtod(text.c_str(), nullptr);
    } else {
      return push_integer(text, text, 10, b);
    }
    return true;
  }

  // Integers are 64-bit here, so a literal past that is refused where it stands.
  bool push_integer(std::string_view text, const std::string& digits, int base, size_t b) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(digits.c_str(), &end, base);
    if (digits.empty() || *end != '\0') return fail(b, "invalid integer literal '" + std::string(text) + "'");
    if (errno == ERANGE)
      return fail(b, "integer literal '" + std::string(text) + "' does not fit in 64 bits (at most 9223372036854775807)");
    push(Tok::integer, std::string(text), b).int_value = v;
    return true;
  }

  // Python "unicode-escape" decoding, as Jinja2 applies to string literals.
  bool lex_string(size_t& p) {
    size_t b = p;
    char q = m_src[p++];
    std::string out;
    while (true) {
      if (p >= m_src.size()) return fail(b, "unterminated string literal: expected a closing " + std::string(1, q));
      char c = m_src[p++];
      if (c == q) break;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (p >= m_src.size()) continue;
      char e = m_src[p++];
      auto hex = [&](int n) {
        uint32_t v = 0;
        for (int i = 0; i < n; ++i) {
          if (p >= m_src.size() || !std::isxdigit(static_cast<unsigned char>(m_src[p]))) return false;
          v = v * 16 + static_cast<uint32_t>(std::strtol(std::string(1, m_src[p++]).c_str(), nullptr, 16));
        }
        append_utf8(out, v);
        return true;
      };
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case '\n': break;
        case 'x': if (!hex(2)) return fail(p, "invalid \\x escape in string literal"); break;
        case 'u': if (!hex(4)) return fail(p, "invalid \\u escape in string literal"); break;
        case 'U': if (!hex(8)) return fail(p, "invalid \\U escape in string literal"); break;
        default:
          if (e >= '0' && e <= '7') {
            uint32_t v = static_cast<uint32_t>(e - '0');
            for (int i = 0; i < 2 && p < m_src.size() && m_src[p] >= '0' && m_src[p] <= '7'; ++i)
              v = v * 8 + static_cast<uint32_t>(m_src[p++] - '0');
            append_utf8(out, v);
          } else {
            out += '\\';
            out += e;
          }
      }
    }
    push(Tok::string, std::move(out), b);
    return true;
  }

  bool lex_operator(size_t& p, std::vector<char>& brackets) {
    static const char* const two[] = {"**", "//", "==", "!=", "<=", ">="};
    for (const char* op : two) {
      if (at(p, op)) {
        push(Tok::op, op, p);
        p += 2;
        return true;
      }
    }
    char c = m_src[p];
    if (std::string_view("+-/*%~[](){}<>=.:|,;").find(c) == std::string_view::npos)
      return fail(p, std::string("unexpected character '") + c + "' in expression");
    if (c == '(' || c == '[' || c == '{') {
      brackets.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
    } else if (c == ')' || c == ']' || c == '}') {
      if (brackets.empty()) return fail(p, std::string("unexpected '") + c + "'");
      if (brackets.back() != c)
        return fail(p, std::string("unexpected '") + c + "', expected '" + brackets.back() + "'");
      brackets.pop_back();
    }
    push(Tok::op, std::string(1, c), p);
    ++p;
    return true;
  }
};

}  // namespace

Result<std::vector<Token>> tokenize(std::string_view source, const std::string& name,
                                    const LexerOptions& options) {
  Lexer lexer(normalize(source, options.keep_trailing_newline), name, options);
  return lexer.run();
}

}  // namespace foobar::tmpl
