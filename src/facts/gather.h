// Gathers the facts of many hosts: per host one connection and one exec of its
// generated probe, hosts in parallel.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "facts/facts.h"
#include "facts/probe.h"
#include "graph/graph.h"
#include "transport/connector.h"

namespace foobar {

struct GatheredFacts {
  std::map<std::string, Facts> facts;              // hosts that answered
  std::map<std::string, std::string> unreachable;  // host -> why not
};

// Returns the connector for a host, or a diagnostic saying why there is none.
using ConnectorFor = std::function<Result<transport::Connector*>(const std::string& host)>;

// `secrets` lets each probe check database passwords (see make_probe).
GatheredFacts gather_facts(const std::string& stack_name, const Graph& graph,
                           const std::vector<std::string>& hosts, const ConnectorFor& connector_for,
                           std::size_t parallelism, const SecretValue& secrets = {});

}  // namespace foobar
