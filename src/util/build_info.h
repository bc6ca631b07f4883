// Facts fixed when foobarctl was built. Only build_info.cc sees the compile
// definitions, so no other object depends on where the tree was checked out.
#pragma once

#include <string>

namespace foobar::util {

// The source tree this binary was built from (templates, stacks, examples).
const std::string& source_dir();
// The project's version, e.g. "0.1.0".
const std::string& version();
// The commit the binary was built from (`git describe --always --dirty`), or "unknown".
const std::string& commit();

}  // namespace foobar::util
