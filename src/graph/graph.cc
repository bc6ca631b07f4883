#include "graph/graph.h"

#include <algorithm>

namespace foobar {

Status Graph::add(Resource resource) {
  std::string id = resource.id();
  if (m_index.count(id))
    return Diagnostic::error(resource.host, "resource '" + id + "' is defined twice");
  m_index.emplace(id, m_resources.size());
  m_resources.push_back(std::move(resource));
  return ok_status();
}

const Resource* Graph::find(const std::string& id) const {
  auto it = m_index.find(id);
  return it == m_index.end() ? nullptr : &m_resources[it->second];
}

Result<std::vector<std::vector<std::size_t>>> Graph::dependency_indices() const {
  std::vector<std::vector<std::size_t>> deps(m_resources.size());
  Diagnostics errors;
  for (std::size_t i = 0; i < m_resources.size(); ++i) {
    for (const auto& dep : m_resources[i].deps) {
      auto it = m_index.find(dep);
      if (it == m_index.end()) {
        errors.push_back(Diagnostic::error(
            m_resources[i].host,
            "resource '" + m_resources[i].id() + "' depends on '" + dep + "', which is not defined"));
        continue;
      }
      deps[i].push_back(it->second);
    }
  }
  if (!errors.empty()) return errors;
  return deps;
}

Result<Layers> Graph::layers() const {
  auto deps = dependency_indices();
  if (!deps.ok()) return deps.diagnostics();
  const std::size_t n = m_resources.size();
  std::vector<std::size_t> waiting(n, 0);
  std::vector<std::vector<std::size_t>> users(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t d : (*deps)[i]) {
      ++waiting[i];
      users[d].push_back(i);
    }
  }
  auto by_id = [this](std::size_t a, std::size_t b) {
    return m_resources[a].id() < m_resources[b].id();
  };
  Layers out;
  std::vector<std::size_t> ready;
  for (std::size_t i = 0; i < n; ++i)
    if (waiting[i] == 0) ready.push_back(i);
  std::size_t placed = 0;
  while (!ready.empty()) {
    std::sort(ready.begin(), ready.end(), by_id);
    std::vector<std::size_t> next;
    for (std::size_t i : ready)
      for (std::size_t u : users[i])
        if (--waiting[u] == 0) next.push_back(u);
    placed += ready.size();
    out.push_back(std::move(ready));
    ready = std::move(next);
  }
  if (placed == n) return out;
  std::vector<bool> unresolved(n);
  for (std::size_t i = 0; i < n; ++i) unresolved[i] = waiting[i] > 0;
  return Diagnostic::error("graph", "dependency cycle: " + describe_cycle(*deps, unresolved));
}

// Walks dependencies from the smallest unresolved resource until one repeats; the
// repeated stretch is a cycle. Every unresolved node has an unresolved dependency.
std::string Graph::describe_cycle(const std::vector<std::vector<std::size_t>>& deps,
                                  const std::vector<bool>& unresolved) const {
  std::size_t start = m_resources.size();
  for (std::size_t i = 0; i < m_resources.size(); ++i)
    if (unresolved[i] && (start == m_resources.size() || m_resources[i].id() < m_resources[start].id()))
      start = i;
  std::vector<std::size_t> path;
  std::vector<int> seen_at(m_resources.size(), -1);
  std::size_t cur = start;
  while (seen_at[cur] < 0) {
    seen_at[cur] = static_cast<int>(path.size());
    path.push_back(cur);
    std::size_t next = cur;
    for (std::size_t d : deps[cur]) {
      if (unresolved[d] && (next == cur || m_resources[d].id() < m_resources[next].id())) next = d;
    }
    cur = next;
  }
  std::string text;
  for (std::size_t k = static_cast<std::size_t>(seen_at[cur]); k < path.size(); ++k)
    text += m_resources[path[k]].id() + " -> ";
  return text + m_resources[cur].id();
}

std::vector<std::size_t> Graph::dependents(std::size_t index) const {
  std::vector<std::size_t> out;
  const std::string id = m_resources[index].id();
  for (std::size_t i = 0; i < m_resources.size(); ++i)
    if (std::find(m_resources[i].deps.begin(), m_resources[i].deps.end(), id) != m_resources[i].deps.end())
      out.push_back(i);
  return out;
}

}  // namespace foobar
