#include "plan/grants.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "util/sql.h"

namespace foobar {

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct Token {
  enum Kind { word, ident, string, punct } kind;
  std::string text;  // unquoted
  bool is(const char* keyword) const { return kind == word && upper(text) == keyword; }
  bool is_punct(char c) const { return kind == punct && text.size() == 1 && text[0] == c; }
};

bool is_punct_char(char c) { return c == ',' || c == '.' || c == '(' || c == ')' || c == '@' || c == '*' || c == ';'; }

// Reads a quoted token starting at s[i] (the quote); a doubled quote or a
// backslash (in strings) escapes. Returns false when it is not closed.
bool read_quoted(std::string_view s, std::size_t& i, std::string& out) {
  const char q = s[i++];
  while (i < s.size()) {
    char c = s[i++];
    if (c == '\\' && q != '`' && i < s.size()) {
      out += s[i++];
    } else if (c == q) {
      if (i < s.size() && s[i] == q) {
        out += q;
        ++i;
      } else {
        return true;
      }
    } else {
      out += c;
    }
  }
  return false;
}

Result<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '`' || c == '"' || c == '\'') {
      Token t{c == '\'' ? Token::string : Token::ident, ""};
      if (!read_quoted(s, i, t.text))
        return Diagnostic::error("grant", "'" + std::string(s) + "' has an unclosed " + std::string(1, c) +
                                              " quote; close it");
      out.push_back(std::move(t));
    } else if (is_punct_char(c)) {
      out.push_back({Token::punct, std::string(1, c)});
      ++i;
    } else {
      std::size_t start = i;
      while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && !is_punct_char(s[i]) &&
             s[i] != '`' && s[i] != '\'' && s[i] != '"')
        ++i;
      out.push_back({Token::word, std::string(s.substr(start, i - start))});
    }
  }
  return out;
}

// Privileges under their current names: MariaDB 10.5 renamed some, and prints the new
// names whatever a GRANT said.
std::string canonical_privilege(const std::string& name) {
  if (name == "ALL") return "ALL PRIVILEGES";
  if (name == "REPLICATION CLIENT") return "BINLOG MONITOR";
  if (name == "REPLICATION REPLICA") return "REPLICATION SLAVE";
  if (name == "REPLICA MONITOR") return "SLAVE MONITOR";
  return name;
}

class GrantParser {
 public:
  GrantParser(std::string_view statement, std::vector<Token> tokens)
      : m_statement(statement), m_t(std::move(tokens)) {}

  Result<std::vector<Grant>> parse() {
    if (at_keyword("SET")) return std::vector<Grant>{};  // SET DEFAULT ROLE lines of SHOW GRANTS
    if (at_keyword("GRANT")) ++m_i;
    struct Entry {
      std::string name;
      std::vector<std::string> columns;
      bool quoted = false;
    };
    std::vector<Entry> entries;
    while (m_i < m_t.size() && !at_keyword("ON") && !at_keyword("TO")) {
      Entry e;
      if (m_t[m_i].kind == Token::ident || m_t[m_i].kind == Token::string) {
        e.name = m_t[m_i++].text;
        e.quoted = true;
      } else {
        std::string words;
        while (m_i < m_t.size() && m_t[m_i].kind == Token::word && !at_keyword("ON") && !at_keyword("TO"))
          words += (words.empty() ? "" : " ") + upper(m_t[m_i++].text);
        if (words.empty()) return error("expected a privilege name");
        e.name = canonical_privilege(words);
        if (m_i < m_t.size() && m_t[m_i].is_punct('(')) {
          auto cols = columns();
          if (!cols) return cols.diagnostics();
          e.columns = std::move(*cols);
        }
      }
      entries.push_back(std::move(e));
      if (m_i < m_t.size() && m_t[m_i].is_punct(',')) ++m_i;
      else if (m_i < m_t.size() && !at_keyword("ON") && !at_keyword("TO")) return error("expected ',' or ON");
    }
    if (entries.empty()) return error("names no privilege");
    std::vector<Grant> out;
    if (!at_keyword("ON")) {  // role grants: "GRANT `r` TO ..."
      for (auto& e : entries) out.push_back(Grant{e.name, {}, "", "", true});
    } else {
      ++m_i;
      auto obj = object();
      if (!obj) return obj.diagnostics();
      for (auto& e : entries) {
        if (e.quoted) return error("quotes a privilege name; write privileges unquoted");
        if (e.name == "USAGE") continue;  // grants nothing
        out.push_back(Grant{e.name, e.columns, obj->first, obj->second, false});
      }
      if (with_grant_option()) out.push_back(Grant{"GRANT OPTION", {}, obj->first, obj->second, false});
    }
    return out;
  }

 private:
  bool at_keyword(const char* k) const { return m_i < m_t.size() && m_t[m_i].is(k); }

  Diagnostic error(const std::string& what) const {
    return Diagnostic::error("grant", "'" + std::string(m_statement) + "' " + what +
                                          "; write it as 'PRIVILEGE[, PRIVILEGE...] ON db.table' (e.g. "
                                          "'SELECT, INSERT ON foobar.*')");
  }

  Result<std::vector<std::string>> columns() {
    std::vector<std::string> cols;
    ++m_i;  // (
    while (m_i < m_t.size() && !m_t[m_i].is_punct(')')) {
      if (m_t[m_i].kind == Token::word || m_t[m_i].kind == Token::ident) cols.push_back(m_t[m_i].text);
      else if (!m_t[m_i].is_punct(',')) return error("has an odd column list");
      ++m_i;
    }
    if (m_i == m_t.size()) return error("has an unclosed column list");
    ++m_i;  // )
    std::sort(cols.begin(), cols.end());  // the server lists them sorted
    return cols;
  }

  // The object after ON, up to TO or WITH: (shown, quoted for SQL).
  Result<std::pair<std::string, std::string>> object() {
    std::string shown, sql;
    if (at_keyword("TABLE")) ++m_i;  // the default kind, never printed by the server
    for (const char* kind : {"FUNCTION", "PROCEDURE", "PACKAGE"}) {
      if (!at_keyword(kind)) continue;
      shown = sql = kind;
      ++m_i;
      if (std::string(kind) == "PACKAGE" && at_keyword("BODY")) {
        shown = sql = "PACKAGE BODY";
        ++m_i;
      }
      shown += ' ';
      sql += ' ';
    }
    std::size_t start = m_i;
    for (; m_i < m_t.size() && !at_keyword("TO") && !at_keyword("WITH"); ++m_i) {
      const Token& t = m_t[m_i];
      if (t.kind == Token::punct) {
        shown += t.text;
        sql += t.text;
      } else if (t.kind == Token::string) {
        shown += sql_string(t.text);
        sql += sql_string(t.text);
      } else {
        shown += t.text;
        sql += sql_identifier(t.text);
      }
    }
    if (m_i == start) return error("has nothing after ON");
    return std::make_pair(shown, sql);
  }

  // Skips the account and its IDENTIFIED part; true when WITH ... GRANT OPTION follows.
  bool with_grant_option() {
    while (m_i < m_t.size() && !at_keyword("WITH")) ++m_i;
    for (; m_i + 1 < m_t.size(); ++m_i)
      if (m_t[m_i].is("GRANT") && m_t[m_i + 1].is("OPTION")) return true;
    return false;
  }

  std::string_view m_statement;
  std::vector<Token> m_t;
  std::size_t m_i = 0;
};

}  // namespace

std::string Grant::text() const {
  if (role) return "role " + privilege;
  std::string out = privilege;
  if (!columns.empty()) {
    out += " (";
    for (std::size_t i = 0; i < columns.size(); ++i) out += (i ? ", " : "") + columns[i];
    out += ")";
  }
  return out + " ON " + object;
}

std::string Grant::key() const { return upper(text()); }

Result<std::vector<Grant>> parse_grant(std::string_view statement) {
  auto tokens = tokenize(statement);
  if (!tokens) return tokens.diagnostics();
  return GrantParser(statement, std::move(*tokens)).parse();
}

GrantDiff diff_grants(const std::vector<Grant>& want, const std::vector<Grant>& have) {
  std::set<std::string> want_keys, have_keys, have_all;  // have_all: objects held with ALL PRIVILEGES
  for (const auto& g : want) want_keys.insert(g.key());
  for (const auto& g : have) {
    have_keys.insert(g.key());
    if (!g.role && g.privilege == "ALL PRIVILEGES") have_all.insert(upper(g.object));
  }
  GrantDiff d;
  std::set<std::string> seen;
  for (const auto& g : want) {
    if (!seen.insert(g.key()).second || have_keys.count(g.key())) continue;
    if (!g.role && g.privilege != "GRANT OPTION" && have_all.count(upper(g.object))) continue;
    d.missing.push_back(g);
  }
  seen.clear();
  for (const auto& g : have)
    if (seen.insert(g.key()).second && !want_keys.count(g.key())) d.extra.push_back(g);
  return d;
}

std::string grant_diff_reason(const GrantDiff& d) {
  std::string out = "grants differ:";
  const char* sep = " ";
  for (const auto& g : d.missing) out += sep + std::string("missing ") + g.text(), sep = ", ";
  for (const auto& g : d.extra) out += sep + std::string("extra ") + g.text(), sep = ", ";
  return out;
}

std::string revoke_statement(const Grant& g, const std::string& account_sql) {
  if (g.role) return "REVOKE " + sql_identifier(g.privilege) + " FROM " + account_sql + ";";
  std::string priv = g.privilege;
  if (!g.columns.empty()) {
    priv += " (";
    for (std::size_t i = 0; i < g.columns.size(); ++i) priv += (i ? ", " : "") + sql_identifier(g.columns[i]);
    priv += ")";
  }
  return "REVOKE " + priv + " ON " + g.object_sql + " FROM " + account_sql + ";";
}

}  // namespace foobar
