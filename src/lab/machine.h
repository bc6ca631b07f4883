// What the lab does on this machine itself: run a command, read a small file.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace foobar::lab {

// Runs `cmd` with sh on this machine; a failure names `what` was being done.
Result<std::string> run_here(const std::string& where, const std::string& what, const std::string& cmd,
                             std::string_view input = {});

// The whole file, or "" if it cannot be read.
std::string read_text(const std::string& path);

}  // namespace foobar::lab
