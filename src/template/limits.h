// Bounds on what a template may ask the engine for. A template is code from
// the repository, but a broken or hostile one must end in a located error, not
// in an exhausted machine; every bound sits far above what a configuration file
// needs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace foobar::tmpl {

// Any one string value, and the whole output of a render.
inline constexpr size_t kMaxStringBytes = size_t{64} << 20;
// Any one list (range(), repetition, concatenation).
inline constexpr size_t kMaxListItems = 1'000'000;
// `%` format width and precision, center() and indent() widths.
inline constexpr int64_t kMaxWidth = 100'000;
// JSON/YAML indentation.
inline constexpr int64_t kMaxIndent = 256;
// Nested includes, macro calls and blocks while rendering; nested blocks and
// expression depth while parsing.
inline constexpr int kMaxDepth = 100;
inline constexpr int kMaxExprDepth = 100;
// Loop iterations and macro calls in one render, so nested loops cannot run for hours.
inline constexpr int64_t kMaxSteps = 20'000'000;
// Nesting of lists and dicts that printing, comparing and converting walk
// (a loop can nest a list a million times), and the items such walks may visit
// in one render (a list holding itself twice at each level is 2^n items deep down).
inline constexpr int kMaxValueDepth = 1000;
inline constexpr int64_t kMaxValueVisits = 200'000'000;

}  // namespace foobar::tmpl
