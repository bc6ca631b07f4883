// The grammar of every string a stack file holds. Values reach rendered configs
// (nginx, HAProxy, systemd, keepalived, zone files, SQL) and commands run as root,
// so each field is held to the narrowest rule that still says everything a real
// stack needs; a value outside it is an error at load, never something a template
// has to make harmless. docs/stack-file.md lists the rule of every field.
//
// Each *_problem function returns "" when the value follows its rule, else a phrase
// that follows "<field> '<value>' " in a diagnostic: what is wrong, and the rule.
#pragma once

#include <string>
#include <string_view>

namespace foobar::stack::grammar {

// Stack and host names: a-z, 0-9 and '-', not at either end, 1..63 characters.
std::string name_problem(std::string_view s);

// A host name after RFC 1123 (domain, server_name): dot-separated labels of
// letters, digits and '-' (not at either end), 1..63 each, at most 253 in all, no
// trailing dot. `need_dot`: at least two labels.
std::string hostname_problem(std::string_view s, bool need_dot);

// A record's owner name, relative to the domain: "@", or labels as in
// hostname_problem that may also hold '_' (_dmarc, _acme-challenge), no trailing dot.
std::string record_name_problem(std::string_view s);

// A CNAME or MX target: labels as for record names, relative to the domain, or
// fully qualified with a trailing dot.
std::string record_target_problem(std::string_view s);

// "PRIORITY NAME": PRIORITY 0..65535, NAME as in record_target_problem.
std::string mx_problem(std::string_view s);

// TXT text: printable ASCII (space to '~'), at most 255 characters (one
// character-string of RFC 1035; the zone template quotes it).
std::string txt_problem(std::string_view s);

// A managed path on a host: '/' then names of letters, digits, '.', '_', '-',
// '+', '@' separated by single '/', no '.' or '..' name, no trailing '/', at most
// 4095 characters (255 per name).
std::string path_problem(std::string_view s);

// The system directory `path` (a path_problem-clean path) is, or is under, when
// foobarctl must not own it as an app or web root; "" when it may. The list is
// kSystemTrees and kSystemRoots in grammar.cc and docs/stack-file.md.
std::string system_directory(std::string_view path);

// The path of a URL (health checks, static locations): '/' then RFC 3986 path
// characters without the ones nginx and HAProxy read as syntax: letters, digits,
// '-', '.', '_', '~', '!', '&', '*', '+', ',', '=', ':', '@', '/' (no empty,
// '.' or '..' segment; a trailing '/' is fine). `query_and_escapes`: '%HH'
// escapes and a '?query' of the same characters (plus '?') are allowed too.
std::string url_path_problem(std::string_view s, bool query_and_escapes);

// "HOST:PORT" (an Alertmanager smarthost): HOST as in hostname_problem (an IPv4
// address is such a name), PORT 1..65535.
std::string host_port_problem(std::string_view s);

// An alert receiver's webhook: "http://" or "https://", a host as in
// hostname_problem, an optional ":PORT" (1..65535), then an optional path as in
// url_path_problem with %HH escapes and a ?query. No user info, fragment, space or
// quote: the URL lands in a YAML string and in Alertmanager's HTTP client.
std::string webhook_url_problem(std::string_view s);

// An e-mail address: a local part of letters, digits and . _ % + - (1..64, no '.'
// at either end), '@', and a domain as in hostname_problem with at least two labels.
std::string email_problem(std::string_view s);

// A rolling batch: a whole number of hosts 1..1000 ("2"), or a percentage of the
// tier's hosts 1..100 followed by '%' ("50%"); no sign, space or leading zero.
std::string rolling_batch_problem(std::string_view s);

// A POSIX portable user name: letters, digits, '.', '_', '-', not starting with
// '-', 1..32 characters, not only digits (that would be a uid).
std::string user_name_problem(std::string_view s);

// A network interface name as Linux allows it, conservatively: letters, digits,
// '_', '.', '-', 1..15 characters, not "." or "..".
std::string interface_problem(std::string_view s);

// [A-Za-z_][A-Za-z0-9_]*: environment variable and alert names.
std::string identifier_problem(std::string_view s);

// An environment variable's value: no control characters and none of ' " ` \ $,
// the characters that a shell sourcing the env file and systemd's EnvironmentFile=
// read differently, so no value holding them means the same to both.
std::string env_value_problem(std::string_view s);

// One line of text (commands, PromQL expressions, local paths): not empty, no
// control characters (newline, tab, escape...).
std::string line_problem(std::string_view s);

// [A-Z0-9_]+: secret names (read from FOOBAR_SECRET_<NAME>).
std::string secret_name_problem(std::string_view s);

// A database, table or account name: letters, digits and '_', 1..`max` characters.
std::string sql_name_problem(std::string_view s, std::size_t max);

// "PRIVILEGE[, PRIVILEGE...] ON db.table": each privilege words of letters and '_'
// separated by single spaces (SELECT, ALL PRIVILEGES, GRANT OPTION), db and table
// a name or '*' ('*.*', 'foobar.*', 'foobar.t'; not '*.t').
std::string grant_problem(std::string_view s);

// How a character of a value is named in a message: "a space", "a newline",
// "';'", "the control character \x1b", "the non-ASCII character 'é'".
std::string describe_char(std::string_view s, std::size_t i);

}  // namespace foobar::stack::grammar
