// Standard base64 (RFC 4648, with padding), as coreutils' base64 writes it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace foobar {

std::string base64_encode(std::string_view data);
// Ignores whitespace; nullopt on any other character outside the alphabet or bad padding.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace foobar
