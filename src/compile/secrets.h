// Secrets in the files the compiler makes. A sensitive FileState holds placeholders,
// never values: "\0secret:NAME:FORMAT\0" (NUL bytes never occur in the text files the
// compiler writes, so a placeholder cannot clash with real content). resolve_secrets
// fills them in just before apply, from the environment or the secrets file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "graph/graph.h"
#include "stack/stack.h"
#include "util/result.h"

namespace foobar::compile {

enum class SecretFormat {
  line,   // one line inside single quotes (sh / systemd env file): no quote, no line break
  block,  // a whole file body (PEM): any text; a final newline is added when missing
  base64,  // a key in base64 (TSIG): RFC 4648 with padding, at least 16 bytes decoded
};

std::string secret_placeholder(const std::string& name, SecretFormat format);

// Names of the secrets the placeholders of `content` refer to, in order of appearance.
std::vector<std::string> secret_names(std::string_view content);
// Names of the secrets every sensitive file of the graph needs, sorted, once each.
std::vector<std::string> secret_names(const Graph& graph);

// Each placeholder shown as "<secret:NAME>" (for messages; render leaves such files out).
std::string show_placeholders(std::string_view content);

// Replaces every placeholder in sensitive file contents by the secret's value and
// returns the values used (sorted, once each), to mask them in plan output and logs.
// Non-sensitive files are left as they are.
Result<std::vector<std::string>> resolve_secrets(Graph& graph, const stack::SecretSource& source);

}  // namespace foobar::compile
