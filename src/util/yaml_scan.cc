#include "util/yaml_scan.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <sstream>
#include <utility>
#include <vector>

namespace foobar {

namespace {

class DocumentScan : public YAML::EventHandler {
 public:
  explicit DocumentScan(std::size_t limit) : m_limit(limit) {}

  std::vector<YAML::Mark> starts;
  std::optional<YAML::Mark> too_big;  // the alias at which the expansion passed the limit

  void OnDocumentStart(const YAML::Mark& m) override { starts.push_back(m); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override { leaf(m, anchor); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    auto it = m_sizes.find(anchor);  // an alias inside its own anchor counts once
    add(m, it == m_sizes.end() ? 1 : it->second);
  }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    leaf(m, anchor);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(m, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(m, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  void add(const YAML::Mark& m, std::size_t n) {
    if (too_big) return;
    m_total += n;
    if (m_total > m_limit) too_big = m;
  }
  void leaf(const YAML::Mark& m, YAML::anchor_t anchor) {
    add(m, 1);
    if (anchor) m_sizes[anchor] = 1;
  }
  void open(const YAML::Mark& m, YAML::anchor_t anchor) {
    m_open.push_back({anchor, m_total});
    add(m, 1);
  }
  void close() {
    if (m_open.empty()) return;
    auto [anchor, before] = m_open.back();
    m_open.pop_back();
    if (anchor) m_sizes[anchor] = m_total - before;
  }

  std::size_t m_limit;
  std::size_t m_total = 0;
  std::vector<std::pair<YAML::anchor_t, std::size_t>> m_open;  // anchor, m_total at its start
  std::map<YAML::anchor_t, std::size_t> m_sizes;               // expanded size of each anchor
};

}  // namespace

YamlScan scan_yaml(const std::string& text, std::size_t max_expanded_values) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentScan scan(max_expanded_values);
  for (int i = 0; i < 2 && parser.HandleNextDocument(scan); ++i) {
  }
  YamlScan out;
  out.too_big = scan.too_big;
  if (scan.starts.size() >= 2) {
    out.second = scan.starts[1];
    out.stuck = scan.starts[1].pos == scan.starts[0].pos;
  }
  return out;
}

}  // namespace foobar
