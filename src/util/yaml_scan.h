// A YAML text's parser events read before any node is built (yaml-cpp): where its
// first two documents start, and how many values it holds once every alias is
// expanded. The stack loader and the template filter from_yaml check a text with it
// before they load it.
//
// Document starts: yaml-cpp 0.7's LoadAll loops forever (allocating) on some
// malformed input such as a stray ',' before the first node: the parser then "starts"
// a new document at the same place again and again. Reading stops at the second
// document, and one that starts where the first did is that case (`stuck`).
//
// Expansion: yaml-cpp shares an aliased node instead of copying it, so a short text
// of nested aliases (a "billion laughs") is cheap to parse but stands for billions of
// values, and every walk over it pays for all of them. The count is exact and linear
// in the text: an anchor's expanded size is recorded when its node ends, and an alias
// adds it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <yaml-cpp/mark.h>

namespace foobar {

struct YamlScan {
  std::optional<YAML::Mark> second;   // where a second document starts
  bool stuck = false;                 // ... at the first one's place: not valid YAML
  std::optional<YAML::Mark> too_big;  // the alias at which the expansion passed the limit
};

// Throws YAML::Exception on a syntax error the parser reports itself.
YamlScan scan_yaml(const std::string& text, std::size_t max_expanded_values);

}  // namespace foobar
