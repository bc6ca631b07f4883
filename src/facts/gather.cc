#include "facts/gather.h"

#include <mutex>

#include <spdlog/spdlog.h>

#include "facts/probe.h"
#include "remote/library.h"
#include "util/stopwatch.h"
#include "util/thread_pool.h"

namespace foobar {

namespace {

Result<Facts> probe_host(const std::string& stack_name, const Graph& graph, const std::string& host,
                         const ConnectorFor& connector_for, const SecretValue& secrets) {
  std::vector<const Resource*> resources;
  for (const auto& r : graph.resources())
    if (r.host == host) resources.push_back(&r);
  auto conn = connector_for(host);
  if (!conn) return conn.diagnostics();
  auto probe = remote::invocation(make_probe(stack_name, resources, k_state_dir, secrets));
  if (spdlog::should_log(spdlog::level::trace))
    if (auto calls = remote::invoked(probe.command, probe.input)) spdlog::trace("{}: probe:\n{}", host, calls->calls);
  const Stopwatch clock;
  auto out = (*conn)->run(probe.command, probe.input);
  spdlog::debug("{}: probe of {} resources: {} in {} ms", host, resources.size(),
                !out ? "not run" : out->ok() ? std::to_string(out->out.size()) + " bytes back" : "failed", clock.ms());
  if (!out) {
    Diagnostic d = out.error();
    d.message = "facts probe: " + d.message;
    return d;
  }
  if (!out->ok()) return transport::command_failed(host, "running the facts probe", *out);
  return parse_probe_output(host, out->out);
}

}  // namespace

GatheredFacts gather_facts(const std::string& stack_name, const Graph& graph,
                           const std::vector<std::string>& hosts, const ConnectorFor& connector_for,
                           std::size_t parallelism, const SecretValue& secrets) {
  GatheredFacts result;
  std::mutex mutex;
  ThreadPool pool(std::max<std::size_t>(1, std::min(parallelism, hosts.size())));
  std::vector<std::future<void>> done;
  for (const auto& host : hosts) {
    done.push_back(pool.submit([&, host] {
      auto facts = probe_host(stack_name, graph, host, connector_for, secrets);
      std::lock_guard lock(mutex);
      if (facts)
        result.facts.emplace(host, std::move(*facts));
      else
        result.unreachable.emplace(host, facts.error().message);
    }));
  }
  for (auto& f : done) f.get();
  return result;
}

}  // namespace foobar
