#include "plan/diff.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

namespace foobar {

namespace {

// Lines keep their newline, so "x" at the end of a file differs from "x\n".
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

// Marks which lines of `a` are deleted and which of `b` inserted, over line ids.
class Myers {
 public:
  Myers(const std::vector<int>& a, const std::vector<int>& b)
      : m_a(a), m_b(b), m_deleted(a.size()), m_inserted(b.size()) {
    std::size_t size = 2 * (a.size() + b.size()) + 4;
    m_fv.resize(size);
    m_bv.resize(size);
  }

  void run() { compare(0, static_cast<int>(m_a.size()), 0, static_cast<int>(m_b.size())); }
  const std::vector<char>& deleted() const { return m_deleted; }
  const std::vector<char>& inserted() const { return m_inserted; }

 private:
  void compare(int a0, int a1, int b0, int b1) {
    while (a0 < a1 && b0 < b1 && m_a[a0] == m_b[b0]) ++a0, ++b0;
    while (a0 < a1 && b0 < b1 && m_a[a1 - 1] == m_b[b1 - 1]) --a1, --b1;
    if (a0 == a1 || b0 == b1) {
      for (int i = a0; i < a1; ++i) m_deleted[i] = 1;
      for (int j = b0; j < b1; ++j) m_inserted[j] = 1;
      return;
    }
    auto [x, y] = middle(a0, a1, b0, b1);
    if ((x == a0 && y == b0) || (x == a1 && y == b1)) {  // cannot happen with D >= 2; stay finite
      for (int i = a0; i < a1; ++i) m_deleted[i] = 1;
      for (int j = b0; j < b1; ++j) m_inserted[j] = 1;
      return;
    }
    compare(a0, x, b0, y);
    compare(x, a1, y, b1);
  }

  // A point on an optimal edit path, where the furthest forward and reverse paths
  // overlap (the end of the forward path on that diagonal).
  std::pair<int, int> middle(int a0, int a1, int b0, int b1) {
    const int n = a1 - a0, m = b1 - b0, delta = n - m;
    const bool odd = (delta & 1) != 0;
    const int max_d = (n + m + 1) / 2;
    const int off = max_d + 1;
    // fv[k]: furthest x on diagonal k (x - y) going forward; bv[k]: furthest
    // distance from the end on reverse diagonal k going backward.
    std::fill(m_fv.begin(), m_fv.begin() + 2 * off + 1, -1);
    std::fill(m_bv.begin(), m_bv.begin() + 2 * off + 1, -1);
    m_fv[off + 1] = 0;
    m_bv[off + 1] = 0;
    for (int d = 0; d <= max_d; ++d) {
      for (int k = -d; k <= d; k += 2) {
        int x = advance(m_fv, off, k, n, m);
        if (x < 0) {
          m_fv[off + k] = -1;
          continue;
        }
        int y = x - k;
        while (x < n && y < m && m_a[a0 + x] == m_b[b0 + y]) ++x, ++y;
        m_fv[off + k] = x;
        int rk = delta - k;
        if (odd && rk >= -(d - 1) && rk <= d - 1 && m_bv[off + rk] >= 0 && x + m_bv[off + rk] >= n)
          return {a0 + x, b0 + y};
      }
      for (int k = -d; k <= d; k += 2) {
        int x = advance(m_bv, off, k, n, m);
        if (x < 0) {
          m_bv[off + k] = -1;
          continue;
        }
        int y = x - k;
        while (x < n && y < m && m_a[a1 - 1 - x] == m_b[b1 - 1 - y]) ++x, ++y;
        m_bv[off + k] = x;
        int fk = delta - k;
        if (!odd && fk >= -d && fk <= d && m_fv[off + fk] >= 0 && m_fv[off + fk] + x >= n) {
          int fx = m_fv[off + fk];
          return {a0 + fx, b0 + fx - fk};
        }
      }
    }
    return {a1, b1};  // unreachable: a D-path exists for D <= n + m
  }

  // One edit onto diagonal k from its neighbours (-1 entries are unreached): a
  // deletion from k-1 or an insertion from k+1, whichever reaches further and stays
  // inside the n x m grid. Returns -1 when neither does.
  static int advance(const std::vector<int>& v, int off, int k, int n, int m) {
    int del = v[off + k - 1] >= 0 ? v[off + k - 1] + 1 : -1;
    int ins = v[off + k + 1];
    auto inside = [&](int x) { return x >= 0 && x <= n && x - k >= 0 && x - k <= m; };
    if (!inside(del)) del = -1;
    if (!inside(ins)) ins = -1;
    return del >= ins ? del : ins;
  }

  const std::vector<int>& m_a;
  const std::vector<int>& m_b;
  std::vector<char> m_deleted, m_inserted;
  std::vector<int> m_fv, m_bv;
};

// A line found in only one of the texts is deleted or inserted in every optimal
// script, so Myers runs on the others only: files with little in common stay fast.
std::pair<std::vector<char>, std::vector<char>> diff_ids(const std::vector<int>& a, const std::vector<int>& b,
                                                         std::size_t id_count) {
  std::vector<char> in_a(id_count), in_b(id_count);
  for (int id : a) in_a[id] = 1;
  for (int id : b) in_b[id] = 1;
  std::vector<int> fa, fb, ia, ib;  // filtered ids and their original indices
  for (std::size_t i = 0; i < a.size(); ++i)
    if (in_b[a[i]]) fa.push_back(a[i]), ia.push_back(static_cast<int>(i));
  for (std::size_t j = 0; j < b.size(); ++j)
    if (in_a[b[j]]) fb.push_back(b[j]), ib.push_back(static_cast<int>(j));
  Myers myers(fa, fb);
  myers.run();
  std::vector<char> deleted(a.size(), 1), inserted(b.size(), 1);
  for (std::size_t i = 0; i < fa.size(); ++i) deleted[ia[i]] = myers.deleted()[i];
  for (std::size_t j = 0; j < fb.size(); ++j) inserted[ib[j]] = myers.inserted()[j];
  return {std::move(deleted), std::move(inserted)};
}

enum class Op { equal, del, ins };

struct Edit {
  Op op;
  int a;  // index in old (for equal and del)
  int b;  // index in new (for equal and ins)
};

std::vector<Edit> edit_script(const std::vector<char>& deleted, const std::vector<char>& inserted) {
  std::vector<Edit> edits;
  int i = 0, j = 0;
  const int n = static_cast<int>(deleted.size()), m = static_cast<int>(inserted.size());
  while (i < n || j < m) {
    if (i < n && deleted[i]) edits.push_back({Op::del, i++, j});
    else if (j < m && inserted[j]) edits.push_back({Op::ins, i, j++});
    else edits.push_back({Op::equal, i++, j++});
  }
  return edits;
}

void append_line(std::string& out, char prefix, std::string_view line) {
  out += prefix;
  if (!line.empty() && line.back() == '\n') {
    out += line;
  } else {
    out += line;
    out += "\n\\ No newline at end of file\n";
  }
}

std::string range(int start, int count) {
  // diff numbers lines from 1; an empty range names the line before it.
  std::string s = std::to_string(count == 0 ? start : start + 1);
  if (count != 1) s += ',' + std::to_string(count);
  return s;
}

}  // namespace

std::string unified_diff(std::string_view old_text, std::string_view new_text, const std::string& old_label,
                         const std::string& new_label, int context) {
  if (old_text == new_text) return "";
  auto a_lines = split_lines(old_text);
  auto b_lines = split_lines(new_text);
  std::unordered_map<std::string_view, int> ids;
  auto to_ids = [&ids](const std::vector<std::string_view>& lines) {
    std::vector<int> out;
    out.reserve(lines.size());
    for (auto l : lines) out.push_back(ids.emplace(l, static_cast<int>(ids.size())).first->second);
    return out;
  };
  auto a = to_ids(a_lines);
  auto b = to_ids(b_lines);
  auto [deleted, inserted] = diff_ids(a, b, ids.size());
  auto edits = edit_script(deleted, inserted);

  std::string out = "--- " + old_label + "\n+++ " + new_label + "\n";
  const int total = static_cast<int>(edits.size());
  int e = 0;
  while (e < total) {
    while (e < total && edits[e].op == Op::equal) ++e;
    if (e == total) break;
    // A hunk runs from `context` lines before this change to `context` lines after
    // the last change that is at most 2 * context equal lines from the previous one.
    int first = std::max(0, e - context);
    int last = e;  // last change edit in the hunk
    for (int k = e + 1; k < total; ++k) {
      if (edits[k].op == Op::equal) continue;
      if (k - last - 1 > 2 * context) break;
      last = k;
    }
    int end = std::min(total, last + 1 + context);
    int a_start = edits[first].a, b_start = edits[first].b, a_count = 0, b_count = 0;
    for (int k = first; k < end; ++k) {
      a_count += edits[k].op != Op::ins;
      b_count += edits[k].op != Op::del;
    }
    out += "@@ -" + range(a_start, a_count) + " +" + range(b_start, b_count) + " @@\n";
    for (int k = first; k < end; ++k) {
      const Edit& ed = edits[k];
      if (ed.op == Op::equal) append_line(out, ' ', a_lines[ed.a]);
      else if (ed.op == Op::del) append_line(out, '-', a_lines[ed.a]);
      else append_line(out, '+', b_lines[ed.b]);
    }
    e = end;
  }
  return out;
}

}  // namespace foobar
