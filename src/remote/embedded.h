// The remote library's files as built into the binary (generated from src/remote/*.sh).
#pragma once

#include <string_view>
#include <vector>

namespace foobar::remote::embedded {

struct File {
  std::string_view name;  // "common.sh"
  std::string_view text;
};

// Every src/remote/*.sh, in name order.
const std::vector<File>& files();

}  // namespace foobar::remote::embedded
