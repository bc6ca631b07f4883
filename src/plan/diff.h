// Line diffs in the unified format of `diff -u` (Myers' O(ND) algorithm in linear
// space), for showing what a plan will change in a file.
#pragma once

#include <string>
#include <string_view>

namespace foobar {

// The unified diff from `old_text` to `new_text` with `context` lines of context,
// headed "--- old_label" / "+++ new_label"; empty when the texts are equal. A last
// line without a newline is followed by "\ No newline at end of file", as diff does.
std::string unified_diff(std::string_view old_text, std::string_view new_text, const std::string& old_label,
                         const std::string& new_label, int context = 3);

}  // namespace foobar
