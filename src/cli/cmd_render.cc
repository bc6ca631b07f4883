// foobarctl render STACK -o DIR: every file the stack puts on every host, written to
// DIR/<host>/<absolute path>, plus DIR/<host>/.foobar-render.json (host, tiers,
// roles, files). DIR must be empty, missing, or an earlier render's tree (marked by
// DIR/.foobar-render), which is then replaced as a whole. Files that hold secrets are
// left out of the tree (they would hold only placeholders): the manifest lists them
// under "secret_files" with the names of their secrets, so a tree never holds a secret.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "cli/commands.h"
#include "cli/compile_args.h"
#include "compile/secrets.h"
#include "util/path.h"
#include "util/thread_pool.h"

namespace foobar::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* k_marker = ".foobar-render";

// Empties DIR when it is ours; refuses a non-empty directory render did not make.
bool prepare_output(const fs::path& dir, std::string& error) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    if (fs::create_directories(dir, ec)) return true;
    error = "cannot create " + dir.string() + ": " + ec.message();
    return false;
  }
  if (!fs::is_directory(dir, ec)) {
    error = dir.string() + " exists and is not a directory";
    return false;
  }
  if (fs::is_empty(dir, ec)) return true;
  if (!fs::exists(dir / k_marker)) {
    error = dir.string() + " is not empty and was not written by foobarctl render; choose an empty or new directory";
    return false;
  }
  for (const auto& e : fs::directory_iterator(dir)) fs::remove_all(e.path(), ec);
  if (ec) error = "cannot empty " + dir.string() + ": " + ec.message();
  return !ec;
}

// Every write goes below DIR and through no symlink (util/path.h): neither a
// hostile path nor a link planted in DIR can make render write or chmod elsewhere.
bool write_file(const fs::path& dir, const std::string& relative, const std::string& content,
                const std::string& mode) {
  auto st = write_file_below(dir, relative, content, static_cast<unsigned>(std::stoul(mode, nullptr, 8)));
  if (!st) std::fprintf(stderr, "foobarctl render: %s\n", st.error().to_string().c_str());
  return st.ok();
}

json file_entry(const Resource& r, const FileState& f) {
  const std::string prefix = "templates/";
  bool templated = f.source.rfind(prefix, 0) == 0;
  return {{"path", r.name},
          {"template", templated ? json(f.source.substr(prefix.size())) : json(nullptr)},
          {"source", f.source},
          {"owner", f.owner},
          {"group", f.group},
          {"mode", f.mode},
          {"validate", f.validate}};
}

struct HostTree {
  std::string host;
  json manifest;
  std::vector<const Resource*> files;
  bool ok = true;
};

std::vector<HostTree> host_trees(const Compiled& c) {
  std::vector<HostTree> trees;
  std::map<std::string, std::size_t> index;
  for (const auto& h : c.stack.hosts) {
    const compile::HostModel& m = c.topology.host(h.name.value);
    index[h.name.value] = trees.size();
    trees.push_back({h.name.value,
                     {{"host", h.name.value}, {"address", h.address.value}, {"tiers", compile::manifest_tiers(m)},
                      {"roles", compile::manifest_roles(m)}, {"files", json::array()},
                      {"secret_files", json::array()}},
                     {}});
  }
  for (const auto& r : c.graph.resources())
    if (r.kind == ResourceKind::file) {
      auto& t = trees[index.at(r.host)];
      const auto& f = std::get<FileState>(r.state);
      if (f.sensitive) {
        json e = file_entry(r, f);
        e["secrets"] = compile::secret_names(f.content);
        t.manifest["secret_files"].push_back(std::move(e));
        continue;
      }
      t.files.push_back(&r);
      t.manifest["files"].push_back(file_entry(r, f));
    }
  return trees;
}

void write_tree(HostTree& t, const fs::path& out) {
  for (const Resource* r : t.files) {
    const auto& f = std::get<FileState>(r->state);
    // A resource path is absolute; below DIR/<host> it must stay normal (no "..").
    const std::string relative = r->name.starts_with('/') ? r->name.substr(1) : "/" + r->name;
    if (!write_file(out, t.host + "/" + relative, f.content, f.mode)) t.ok = false;
  }
  t.ok = write_file(out, t.host + "/.foobar-render.json", t.manifest.dump(2) + "\n", "0644") && t.ok;
}

// Hosts are written in parallel: each has its own directory.
bool write_trees(std::vector<HostTree>& trees, const fs::path& out) {
  parallel_for(trees.size(), 0, [&](std::size_t i) { write_tree(trees[i], out); });
  return std::all_of(trees.begin(), trees.end(), [](const HostTree& t) { return t.ok; });
}

int render(const Compiled& c, const fs::path& out) {
  std::string error;
  if (!prepare_output(out, error)) {
    std::fprintf(stderr, "foobarctl render: %s\n", error.c_str());
    return 1;
  }
  auto trees = host_trees(c);
  if (!write_trees(trees, out)) return 1;
  if (!write_file(out, k_marker, "foobarctl render tree of " + c.stack.file + "\n", "0644")) return 1;
  std::size_t files = 0;
  for (const auto& t : trees) files += t.files.size();
  std::printf("rendered %zu files for %zu hosts into %s\n", files, trees.size(), out.c_str());
  return 0;
}

}  // namespace

cxxopts::Options options_render() {
  cxxopts::Options opts("foobarctl render", "Write every file the stack puts on every host into DIR/<host>/<path>.");
  opts.positional_help("STACK -o DIR");
  opts.add_options()("h,help", "show this help")("o,output", "output directory", cxxopts::value<std::string>());
  add_compile_options(opts);
  return opts;
}

int cmd_render(std::vector<std::string> args, const GlobalOptions& /*global*/) {
  cxxopts::Options opts = options_render();
  auto parsed_args = parse_args(opts, args);
  if (!parsed_args) return 1;
  const cxxopts::ParseResult& parsed = *parsed_args;
  if (parsed.count("help")) {
    std::printf("%s\n", opts.help().c_str());
    std::printf("DIR must be missing, empty, or an earlier render's tree (it has DIR/%s),\n"
                "which is replaced as a whole. Same stack, same tree, byte for byte.\n", k_marker);
    return 0;
  }
  if (!parsed.count("output")) {
    std::fprintf(stderr, "%s: no output directory; usage: foobarctl render STACK -o DIR\n", args[0].c_str());
    return 1;
  }
  auto compiled = load_and_compile(args[0], parsed);
  if (!compiled) return 1;
  return render(*compiled, parsed["output"].as<std::string>());
}

}  // namespace foobar::cli
