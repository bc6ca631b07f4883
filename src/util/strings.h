// Small string operations the modules share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace foobar {

// The parts with `sep` between them ("" for none).
std::string join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace foobar
