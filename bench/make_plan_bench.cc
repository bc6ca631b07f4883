// Plan computation alone (no hosts, no I/O): a graph of HOSTS x FILES file resources
// of LINES lines each, facts in which every FRACTION-th file differs in a few lines
// (so that many unified diffs), timed over RUNS runs of make_plan. Prints the median
// and the spread. bench/make_plan_bench.sh builds and runs it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "util/hash.h"

using namespace foobar;

namespace {

std::string text(int file, int lines, int changed) {
  std::string out;
  for (int l = 0; l < lines; ++l) {
    out += "line " + std::to_string(l) + " of file " + std::to_string(file);
    if (changed && l % 50 == 7) out += " (changed)";
    out += '\n';
  }
  return out;
}

int arg(int argc, char** argv, int i, int fallback) { return argc > i ? std::atoi(argv[i]) : fallback; }

}  // namespace

int main(int argc, char** argv) {
  const int hosts = arg(argc, argv, 1, 100), files = arg(argc, argv, 2, 100), lines = arg(argc, argv, 3, 200);
  const int every = arg(argc, argv, 4, 5), runs = arg(argc, argv, 5, 7);
  Graph g;
  std::map<std::string, Facts> facts;
  int differing = 0;
  for (int h = 0; h < hosts; ++h) {
    const std::string host = "host-" + std::to_string(h);
    Facts& f = facts[host];
    f.host = host;
    for (int i = 0; i < files; ++i) {
      FileState want;
      want.content = text(i, lines, 0);
      const std::string path = "/etc/bench/" + std::to_string(i) + ".conf";
      (void)g.add(Resource{host, ResourceKind::file, path, want, {}, {}});
      const bool differs = i % every == 0;
      differing += differs;
      std::string have = differs ? text(i, lines, 1) : want.content;
      PathFact p;
      p.type = PathType::file;
      p.sha256 = sha256_hex(have);
      p.mode = "0644";
      p.owner = p.group = "root";
      if (differs) p.content = have;
      f.files[path] = p;
    }
  }
  std::vector<double> ms;
  std::size_t diffs = 0;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    Plan p = make_plan(g, facts, PlanOptions{});
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    diffs = 0;
    for (const auto& hp : p.hosts)
      for (const auto& a : hp.actions) diffs += !a.diff.empty();
  }
  std::sort(ms.begin(), ms.end());
  std::printf("make_plan: %zu resources (%d hosts x %d files of %d lines), %d differ, %zu diffs: "
              "median %.1f ms, min %.1f, max %.1f over %d runs\n",
              g.size(), hosts, files, lines, differing, diffs, ms[ms.size() / 2], ms.front(), ms.back(), runs);
  return diffs == static_cast<std::size_t>(differing) ? 0 : 1;
}
