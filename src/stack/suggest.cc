#include "stack/suggest.h"

#include <algorithm>

namespace foobar::stack {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  // A one-letter word is one edit away from every other one-letter word.
  std::size_t limit = word.size() <= 2 ? 0 : word.size() <= 4 ? 1 : word.size() < 10 ? 2 : 3;
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(lower(word), lower(c));
    if (d < best_distance) best = c, best_distance = d;
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string c = closest(word, candidates);
  return c.empty() ? "" : "; did you mean '" + c + "'?";
}

std::string shorten_quotes(std::string message) {
  constexpr std::size_t kMax = 60;
  std::size_t open = message.find('\'');
  while (open != std::string::npos) {
    std::size_t close = message.find('\'', open + 1);
    if (close == std::string::npos) break;
    if (close - open - 1 > kMax) {
      message.replace(open + 1 + kMax - 3, close - (open + 1 + kMax - 3), "...");
      close = open + 1 + kMax;
    }
    open = message.find('\'', close + 1);
  }
  return message;
}

}  // namespace foobar::stack
