#include "stack/grammar.h"

#include <algorithm>
#include <array>

#include "util/utf8.h"

namespace foobar::stack::grammar {

namespace {

// Written out, not std::regex: libstdc++'s regex recurses per character and
// overflows the stack on long input.
bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

template <class Allowed>
std::size_t first_not(std::string_view s, Allowed allowed) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (!allowed(s[i])) return i;
  return std::string_view::npos;
}

std::string contains(std::string_view s, std::size_t i) { return "contains " + describe_char(s, i); }

// Why `s` is not dot-separated labels; "" when it is.
std::string labels_reason(std::string_view s, bool underscore, bool trailing_dot) {
  if (s.empty()) return "it is empty";
  if (s.back() == '.') {
    if (!trailing_dot) return "it ends with '.'; write it without the trailing dot";
    s.remove_suffix(1);
  }
  if (s.size() > 253) return "it is longer than 253 characters";
  std::size_t bad = first_not(s, [&](char c) { return is_alnum(c) || c == '-' || c == '.' || (underscore && c == '_'); });
  if (bad != std::string_view::npos)
    return "it " + contains(s, bad) + "; use only letters, digits, '-'" + (underscore ? ", '_'" : "") +
           " and '.'";
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty()) return "it has an empty label (a dot at the start or two in a row)";
    if (label.size() > 63) return "a label is longer than 63 characters";
    if (label.front() == '-' || label.back() == '-') return "a label starts or ends with '-'";
    if (dot == std::string_view::npos) return "";
    start = dot + 1;
  }
}

// Why the '/'-separated names of `s` are not normalized: an empty name, '.' or
// '..', or a trailing '/' (unless `trailing_slash`); "" when they are.
std::string segments_reason(std::string_view s, bool trailing_slash) {
  if (s.find("//") != std::string_view::npos)
    return "contains '//'; separate names by a single '/'";
  std::size_t start = 1;
  while (start <= s.size()) {
    std::size_t slash = s.find('/', start);
    std::string_view seg = s.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (seg == "." || seg == "..")
      return "contains a '" + std::string(seg) + "' segment; write the normalized path, without '.' or '..'";
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (!trailing_slash && s.size() > 1 && s.back() == '/') return "ends with '/'; leave the trailing '/' out";
  return "";
}

// The directory and everything under it belong to the system.
constexpr std::array<std::string_view, 22> kSystemTrees = {
    "/bin",       "/boot",     "/dev",     "/etc",      "/lost+found", "/proc",      "/root",
    "/run",       "/sbin",     "/snap",    "/sys",      "/tmp",        "/usr",       "/var/backups",
    "/var/cache", "/var/lib",  "/var/lock", "/var/log", "/var/mail",   "/var/run",   "/var/spool",
    "/var/tmp"};
// Directories that hold other things: refused themselves, fine to be under.
constexpr std::array<std::string_view, 9> kSystemRoots = {"/",     "/home", "/media",   "/mnt",   "/opt",
                                                          "/srv",  "/var",  "/var/opt", "/var/www"};

bool is_under(std::string_view path, std::string_view dir) {
  return path == dir || (path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/');
}

}  // namespace

std::string describe_char(std::string_view s, std::size_t i) {
  std::uint32_t cp = 0;
  std::size_t n = decode_utf8(s, i, cp);
  if (n == 0) return "the byte " + escape_control(s.substr(i, 1)) + ", which is not UTF-8";
  switch (cp) {
    case ' ': return "a space";
    case '\n': return "a newline";
    case '\t': return "a tab";
    case '\r': return "a carriage return";
    case '\'': return "a single quote";
    case '"': return "a double quote";
    case '`': return "a backquote";
    case '\\': return "a backslash";
    default: break;
  }
  std::string text(s.substr(i, n));
  if (is_control(cp)) return "the control character " + escape_control(text);
  if (cp >= 0x80) return "the non-ASCII character '" + escape_control(text) + "'";
  return "'" + text + "'";
}

std::string name_problem(std::string_view s) {
  bool ok = !s.empty() && s.size() <= 63 && s.front() != '-' && s.back() != '-' &&
            std::all_of(s.begin(), s.end(), [](char c) { return is_lower_alnum(c) || c == '-'; });
  return ok ? "" : "must use only a-z, 0-9 and '-' (not at either end), at most 63 characters";
}

std::string hostname_problem(std::string_view s, bool need_dot) {
  std::string reason = labels_reason(s, false, false);
  if (reason.empty() && need_dot && s.find('.') == std::string_view::npos)
    reason = "it needs at least two labels";
  if (reason.empty()) return "";
  return std::string("is not a DNS name such as ") + (need_dot ? "foobar.com" : "www.foobar.com") + ": " +
         reason;
}

std::string record_name_problem(std::string_view s) {
  if (s == "@") return "";
  std::string reason = labels_reason(s, true, false);
  return reason.empty() ? "" : "must be '@' or a name relative to the domain: " + reason;
}

std::string record_target_problem(std::string_view s) {
  std::string reason = labels_reason(s, true, true);
  return reason.empty() ? "" : "is not a DNS name: " + reason;
}

std::string mx_problem(std::string_view v) {
  const std::string rule = "must be 'PRIORITY NAME' with PRIORITY 0 to 65535, e.g. '10 mail'";
  std::size_t space = v.find(' ');
  if (space == 0 || space == std::string_view::npos || space > 5) return rule;
  std::string_view prio = v.substr(0, space);
  if (!std::all_of(prio.begin(), prio.end(), is_digit) || std::stoi(std::string(prio)) > 65535) return rule;
  std::size_t name = v.find_first_not_of(' ', space);
  if (name == std::string_view::npos) return rule;
  std::string reason = labels_reason(v.substr(name), true, true);
  if (reason.empty()) return "";
  return rule + "; the name " + (reason.rfind("it ", 0) == 0 ? reason.substr(3) : "is wrong: " + reason);
}

std::string txt_problem(std::string_view s) {
  std::size_t bad = first_not(s, [](char c) { return c >= ' ' && c <= '~'; });
  if (bad != std::string_view::npos) return contains(s, bad) + "; TXT text must be printable ASCII (space to '~')";
  if (s.size() > 255) return "is longer than 255 characters, the most one TXT string holds";
  return "";
}

std::string path_problem(std::string_view s) {
  if (s.empty() || s.front() != '/') return "must be an absolute path (starting with '/')";
  std::size_t bad =
      first_not(s, [](char c) { return is_alnum(c) || c == '/' || c == '.' || c == '_' || c == '-' || c == '+' || c == '@'; });
  if (bad != std::string_view::npos)
    return contains(s, bad) + "; a path may use only letters, digits, '/', '.', '_', '-', '+' and '@'";
  if (s.size() > 4095) return "is longer than 4095 characters";
  std::string reason = segments_reason(s, false);
  if (!reason.empty()) return reason;
  std::size_t start = 1;
  while (start < s.size()) {
    std::size_t slash = std::min(s.find('/', start), s.size());
    if (slash - start > 255) return "has a name longer than 255 characters";
    start = slash + 1;
  }
  return "";
}

std::string system_directory(std::string_view path) {
  for (std::string_view dir : kSystemTrees)
    if (is_under(path, dir)) return std::string(dir);
  // /lib, /lib32, /lib64, /libx32, /libexec...
  if (path.substr(0, 4) == "/lib") return std::string(path.substr(0, std::min(path.find('/', 1), path.size())));
  for (std::string_view dir : kSystemRoots)
    if (path == dir) return std::string(dir);
  return "";
}

std::string url_path_problem(std::string_view s, bool query_and_escapes) {
  if (s.empty() || s.front() != '/') return "must start with '/'";
  auto path_char = [](char c) {
    return is_alnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~' || c == '!' || c == '&' ||
           c == '*' || c == '+' || c == ',' || c == '=' || c == ':' || c == '@';
  };
  std::string allowed = "letters, digits and - . _ ~ ! & * + , = : @ /";
  if (query_and_escapes) allowed += ", %HH escapes and a ?query";
  std::size_t q = query_and_escapes ? s.find('?') : std::string_view::npos;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (path_char(c) || (c == '?' && q != std::string_view::npos && i >= q)) continue;
    if (c == '%' && query_and_escapes) {
      if (i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
        i += 2;
        continue;
      }
      return "has a '%' that is not followed by two hex digits";
    }
    return contains(s, i) + "; a URL path here may use only " + allowed;
  }
  if (s.size() > 2048) return "is longer than 2048 characters";
  return segments_reason(s.substr(0, q), true);
}

namespace {
// "" when `s` is a port 1..65535 written without sign or leading zero.
bool is_port(std::string_view s) {
  if (s.empty() || s.size() > 5 || s.front() == '0' || !std::all_of(s.begin(), s.end(), is_digit)) return false;
  return std::stoi(std::string(s)) <= 65535;
}
}  // namespace

std::string host_port_problem(std::string_view s) {
  const std::string rule = "must be HOST:PORT with PORT 1 to 65535, e.g. 'smtp.foobar.com:587'";
  std::size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return rule;
  if (!is_port(s.substr(colon + 1))) return rule;
  std::string reason = labels_reason(s.substr(0, colon), false, false);
  return reason.empty() ? "" : rule + "; the host is wrong: " + reason;
}

std::string webhook_url_problem(std::string_view s) {
  const std::string rule = "must be an http:// or https:// URL such as 'https://hooks.foobar.com/alerts'";
  std::string_view rest;
  if (s.rfind("http://", 0) == 0) rest = s.substr(7);
  else if (s.rfind("https://", 0) == 0) rest = s.substr(8);
  else return rule;
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  std::size_t colon = authority.find(':');
  std::string_view host = authority.substr(0, colon);
  if (host.empty()) return rule + "; the host is missing";
  if (std::string reason = labels_reason(host, false, false); !reason.empty())
    return rule + "; the host is wrong: " + reason;
  if (colon != std::string_view::npos && !is_port(authority.substr(colon + 1)))
    return rule + "; the port must be 1 to 65535";
  if (!path.empty())
    if (std::string p = url_path_problem(path, true); !p.empty()) return rule + "; its path " + p;
  return "";
}

std::string email_problem(std::string_view s) {
  const std::string rule = "must be an e-mail address such as 'ops@foobar.com'";
  std::size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0) return rule;
  std::string_view local = s.substr(0, at);
  std::size_t bad = first_not(local, [](char c) {
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
  });
  if (bad != std::string_view::npos)
    return rule + "; its local part " + contains(local, bad) + " (use letters, digits and . _ % + -)";
  if (local.size() > 64 || local.front() == '.' || local.back() == '.')
    return rule + "; its local part must be 1 to 64 characters and not start or end with '.'";
  std::string_view domain = s.substr(at + 1);
  std::string reason = labels_reason(domain, false, false);
  if (reason.empty() && domain.find('.') == std::string_view::npos) reason = "it needs at least two labels";
  return reason.empty() ? "" : rule + "; its domain is wrong: " + reason;
}

std::string rolling_batch_problem(std::string_view s) {
  const bool percent = !s.empty() && s.back() == '%';
  std::string_view digits = percent ? s.substr(0, s.size() - 1) : s;
  const std::string rule = "must be a number of hosts from 1 to 1000, or a percentage of the tier from 1% to 100%";
  if (digits.empty() || digits.size() > 4) return rule;
  for (char c : digits)
    if (c < '0' || c > '9') return rule;
  if (digits[0] == '0') return rule;
  unsigned n = 0;
  for (char c : digits) n = n * 10 + unsigned(c - '0');
  if (n > (percent ? 100u : 1000u)) return rule;
  return "";
}

std::string user_name_problem(std::string_view s) {
  const std::string rule =
      "a user name uses only letters, digits, '.', '_' and '-' (not '-' first), at most 32 characters, not "
      "only digits";
  if (s.empty()) return "must not be empty; " + rule;
  std::size_t bad = first_not(s, [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; });
  if (bad != std::string_view::npos) return contains(s, bad) + "; " + rule;
  if (s.front() == '-') return "starts with '-'; " + rule;
  if (s.size() > 32) return "is longer than 32 characters; " + rule;
  if (std::all_of(s.begin(), s.end(), is_digit)) return "is only digits, which reads as a uid; " + rule;
  if (s == "." || s == "..") return "is not a user name; " + rule;
  return "";
}

std::string interface_problem(std::string_view s) {
  const std::string rule = "use 1 to 15 letters, digits, '_', '.' or '-'";
  std::string base = "is not a network interface name: ";
  if (s.empty()) return base + "it is empty; " + rule;
  std::size_t bad = first_not(s, [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
  if (bad != std::string_view::npos) return base + "it " + contains(s, bad) + "; " + rule;
  if (s.size() > 15) return base + "it is longer than 15 characters; " + rule;
  if (s == "." || s == "..") return base + rule;
  return "";
}

std::string identifier_problem(std::string_view s) {
  bool ok = !s.empty() && !is_digit(s[0]) &&
            std::all_of(s.begin(), s.end(), [](char c) { return is_alnum(c) || c == '_'; });
  return ok ? "" : "must use only letters, digits and _ and not start with a digit";
}

std::string env_value_problem(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::uint32_t cp = 0;
    std::size_t n = decode_utf8(s, i, cp);
    bool bad = n == 0 || is_control(cp) || cp == '\'' || cp == '"' || cp == '`' || cp == '\\' || cp == '$';
    if (bad)
      return contains(s, i) +
             "; an environment value may not hold control characters, quotes, backquotes, backslashes or '$' "
             "(a shell sourcing the env file and the EnvironmentFile= of systemd read them differently)";
    i += n - 1;
  }
  return "";
}

std::string line_problem(std::string_view s) {
  if (s.empty()) return "must not be empty";
  for (std::size_t i = 0; i < s.size(); ++i) {
    std::uint32_t cp = 0;
    std::size_t n = decode_utf8(s, i, cp);
    if (n == 0 || is_control(cp)) return contains(s, i) + "; it must be one line without control characters";
    i += n - 1;
  }
  return "";
}

std::string secret_name_problem(std::string_view s) {
  bool ok = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
  });
  return ok ? "" : "must use only A-Z, 0-9 and _ (it is read from FOOBAR_SECRET_<NAME>)";
}

std::string sql_name_problem(std::string_view s, std::size_t max) {
  bool ok = !s.empty() && s.size() <= max &&
            std::all_of(s.begin(), s.end(), [](char c) { return is_alnum(c) || c == '_'; });
  return ok ? "" : "must use only letters, digits and _, at most " + std::to_string(max) + " characters";
}

std::string grant_problem(std::string_view g) {
  const std::string rule =
      "must look like 'PRIVILEGE[, PRIVILEGE...] ON database.table', e.g. 'ALL PRIVILEGES ON foobar.*' or "
      "'SELECT, INSERT ON foobar.*'";
  std::size_t last = g.rfind(' ');
  if (last == std::string_view::npos) return rule;
  std::string_view object = g.substr(last + 1);
  std::string_view rest = g.substr(0, last);
  std::size_t on_at = rest.rfind(' ');
  if (on_at == std::string_view::npos) return rule;
  std::string_view on = rest.substr(on_at + 1);
  if (on.size() != 2 || (on[0] != 'O' && on[0] != 'o') || (on[1] != 'N' && on[1] != 'n')) return rule;
  // privileges: words of letters and '_' separated by single spaces, privileges by ',' (spaces after it)
  std::string_view privs = rest.substr(0, on_at);
  std::size_t start = 0;
  while (true) {
    std::size_t comma = privs.find(',', start);
    std::string_view priv = privs.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (start > 0) priv.remove_prefix(std::min(priv.find_first_not_of(' '), priv.size()));
    if (priv.empty() || priv.front() == ' ' || priv.back() == ' ' || priv.find("  ") != std::string_view::npos ||
        !std::all_of(priv.begin(), priv.end(), [](char c) { return is_alpha(c) || c == '_' || c == ' '; }))
      return rule;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  std::size_t dot = object.find('.');
  if (dot == std::string_view::npos) return rule;
  std::string_view db = object.substr(0, dot), table = object.substr(dot + 1);
  auto part = [](std::string_view p) { return p == "*" || sql_name_problem(p, 64).empty(); };
  if (!part(db) || !part(table) || (db == "*" && table != "*")) return rule;
  return "";
}

}  // namespace foobar::stack::grammar
