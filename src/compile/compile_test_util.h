// Helpers for the compile module's tests: the reference stacks, also with a line changed.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "compile/compile.h"
#include "stack/stack.h"
#include "stack/stack_test_util.h"

namespace foobar::compile::testing {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The stack file at `path` with the first `from` replaced by `to` (which must exist),
// parsed under the same name so that relative sources still resolve.
inline stack::Stack reference_variant(const std::string& path, const std::string& from, const std::string& to) {
  auto s = stack::parse_stack(stack::testing::with(from, to, read_text(path)), path);
  REQUIRE_MESSAGE(s.ok(), s.diagnostics().front().to_string());
  return std::move(*s);
}

inline const char* const k_stack3 = "stacks/3-scale-up.yaml";

inline stack::Stack loaded(const std::string& path) {
  auto s = stack::load_stack(path);
  REQUIRE_MESSAGE(s.ok(), s.diagnostics().front().to_string());
  return std::move(*s);
}

inline Graph compiled(const stack::Stack& s) {
  auto g = compile_stack(s);
  REQUIRE_MESSAGE(g.ok(), g.diagnostics().front().to_string());
  return std::move(*g);
}

// The desired state of file resource `id` (which must exist).
inline const FileState& file(const Graph& g, const std::string& id) {
  const Resource* r = g.find(id);
  REQUIRE_MESSAGE(r, "no resource " << id);
  return std::get<FileState>(r->state);
}

// Stack 3 with `certificate: self-signed` instead of its TLS_CERTIFICATE bundle.
inline stack::Stack stack3_self_signed() {
  return reference_variant(k_stack3, "certificate: { secret: TLS_CERTIFICATE }", "certificate: self-signed");
}

}  // namespace foobar::compile::testing
