// "did you mean ...?" for misspelt keys and names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace foobar::stack {

// Levenshtein distance (insert, delete, substitute; each costs 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a likely typo
// (distance at most 1 for short words, 2 for longer ones, 3 from 10 chars); else "".
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean 'x'?" or "" when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// Shortens every 'quoted' part of a message longer than 60 characters, so a
// huge value does not turn into a huge diagnostic.
std::string shorten_quotes(std::string message);

}  // namespace foobar::stack
