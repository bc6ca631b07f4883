// The graph of resources of a whole stack, with their dependency edges. It only
// orders: it knows nothing of hosts' present state or of how resources are applied.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph/resource.h"
#include "util/result.h"

namespace foobar {

// Resources in dependency order, as parallel layers: a resource depends only on
// resources of earlier layers. Within a layer, indices are sorted by resource id.
using Layers = std::vector<std::vector<std::size_t>>;

class Graph {
 public:
  // Adds a resource. A second resource with the same id is an error.
  Status add(Resource resource);

  const std::vector<Resource>& resources() const { return m_resources; }
  // For filling in states after compile (e.g. secrets); a resource's host, kind and
  // name make its id and must not change.
  std::vector<Resource>& mutable_resources() { return m_resources; }
  const Resource* find(const std::string& id) const;
  std::size_t size() const { return m_resources.size(); }

  // Every dependency must name a resource of the graph, and there may be no cycle;
  // a cycle is reported with its resources in order ("a -> b -> a").
  Result<Layers> layers() const;

  // Indices of the resources that list `index` among their dependencies.
  std::vector<std::size_t> dependents(std::size_t index) const;

 private:
  Result<std::vector<std::vector<std::size_t>>> dependency_indices() const;
  std::string describe_cycle(const std::vector<std::vector<std::size_t>>& deps,
                             const std::vector<bool>& unresolved) const;

  std::vector<Resource> m_resources;
  std::unordered_map<std::string, std::size_t> m_index;
};

}  // namespace foobar
