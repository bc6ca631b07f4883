// Filters that print a value as data for the syntax it lands in (nginx, HAProxy,
// keepalived, systemd, POSIX shell, env files, DNS zone files, NSD, nftables,
// YAML): each quotes or escapes what that syntax would read as code, and a value
// the syntax cannot hold safely is a render error naming the template's place.
// Plain values print unchanged, so quoting appears only where it is needed.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "template/ast.h"
#include "template/value.h"

namespace foobar::tmpl {

class Renderer;

// What a filter makes of a value: the text to print, or why it cannot be printed.
struct Escaped {
  bool ok = true;
  std::string text;  // the escaped value, or the reason when !ok
};

Escaped nginx_str(std::string_view s);
Escaped haproxy_arg(std::string_view s, bool log_format);
Escaped keepalived_str(std::string_view s);
Escaped systemd_value(std::string_view s);
Escaped systemd_exec_arg(std::string_view s);
Escaped systemd_env(std::string_view name, std::string_view value);
Escaped sh_word(std::string_view s);
Escaped env_value(std::string_view s);
Escaped env_name(std::string_view s);
Escaped word(std::string_view s);
Escaped one_line(std::string_view s);
Escaped nsd_str(std::string_view s);
Escaped nft_str(std::string_view s);
// An rsyslog (RainerScript) string: "..."; '"', '\' and control characters are errors.
Escaped rsyslog_str(std::string_view s);
Escaped yaml_str(std::string_view s);
Escaped zone_txt(std::string_view s);
Escaped zone_word(std::string_view s);

using EscapeFilterFn = std::function<Value(Renderer&, const Value&, CallArgs&, SourcePos)>;
// Adds the filters above to the engine's filter table (called once from filters.cc).
void add_escape_filters(std::unordered_map<std::string, EscapeFilterFn>& table);

}  // namespace foobar::tmpl
