// Quoting for POSIX sh command lines built by foobarctl.
#pragma once

#include <string>
#include <string_view>

namespace foobar {

// 'text' with every ' written as '\'' : safe as one sh word, whatever it holds.
std::string shell_quote(std::string_view text);

}  // namespace foobar
