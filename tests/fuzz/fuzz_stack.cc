// libFuzzer target: any bytes as a stack file. The loader must answer with a
// Stack or diagnostics, never a crash, a sanitizer report or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stack/stack.h"

using namespace foobar;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = stack::parse_stack(text, "fuzz.yaml");
  if (!r.ok() && r.diagnostics().empty()) __builtin_trap();
  return 0;
}
