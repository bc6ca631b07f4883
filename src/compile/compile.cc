#include "compile/compile.h"
#include "util/build_info.h"

#include <algorithm>
#include <cstdlib>

#include "compile/context.h"
#include "compile/resources.h"
#include "compile/topology.h"
#include "template/environment.h"
#include "util/file.h"
#include "util/path.h"
#include "util/thread_pool.h"

namespace foobar::compile {

namespace fs = std::filesystem;
using nlohmann::json;

// --templates is handled by the caller; then FOOBAR_TEMPLATES, the install prefix the
// binary sits in (<prefix>/bin/foobarctl -> <prefix>/share/foobarctl/templates), and
// last the source tree of a development build.
fs::path default_templates_dir() {
  if (const char* env = std::getenv("FOOBAR_TEMPLATES"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = (exe.parent_path() / "../share/foobarctl/templates").lexically_normal();
    if (fs::is_regular_file(installed / "index.json", ec)) return installed;
  }
  return fs::path(util::source_dir()) / "templates";
}

namespace {

Result<TemplateEntry> parse_entry(const json& j, const std::string& where) {
  TemplateEntry e;
  std::string role;
  try {
    e.template_name = j.at("template").get<std::string>();
    e.dest = j.at("dest").get<std::string>();
    e.owner = j.at("owner").get<std::string>();
    e.group = j.at("group").get<std::string>();
    e.mode = j.at("mode").get<std::string>();
    role = j.at("role").get<std::string>();
    e.when = j.at("when").get<std::vector<std::string>>();
    e.validate = j.value("validate", "");
    if (j.contains("on_change")) e.on_change = j["on_change"].get<std::string>();
  } catch (const json::exception& ex) {
    return Diagnostic::error(where, std::string("a template entry is malformed (") + ex.what() +
                                        "); each needs template, dest, owner, group, mode, role and when");
  }
  auto parsed = parse_role(role);
  if (!parsed)
    return Diagnostic::error(where, "template '" + e.template_name + "' has unknown role '" + role +
                                        "'; use one of the roles in src/compile/model.cc");
  e.role = *parsed;
  return e;
}

// The value at a dotted path, or null when a key is missing.
const json* lookup(const json& ctx, const std::string& dotted) {
  const json* v = &ctx;
  std::size_t pos = 0;
  while (true) {
    auto dot = dotted.find('.', pos);
    std::string part = dotted.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    if (!v->is_object() || !v->contains(part)) return nullptr;
    v = &(*v)[part];
    if (dot == std::string::npos) return v;
    pos = dot + 1;
  }
}

bool truthy(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return false;
    case json::value_t::boolean: return v.get<bool>();
    case json::value_t::string: return !v.get_ref<const std::string&>().empty();
    case json::value_t::array:
    case json::value_t::object: return !v.empty();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return v.get<std::int64_t>() != 0;
    case json::value_t::number_float: return v.get<double>() != 0.0;
    default: return true;
  }
}

// Why a symlink in the app source may not be shipped, or "" when it may: it must
// resolve to a regular file inside the source tree (shipped as a copy of that file).
// A link out of the tree would ship a file of the controller (/etc/hostname, a
// private key); a link to a directory is not followed (it could loop).
std::string symlink_problem(const fs::path& link, const fs::path& root) {
  std::error_code ec;
  std::string target = fs::read_symlink(link, ec).string();
  if (!fs::exists(link, ec)) return "is a symlink to '" + target + "', which does not exist";
  if (!resolves_under(link, root))
    return "is a symlink to '" + target + "' (" + fs::canonical(link, ec).string() +
           "), outside the source directory; copy the file into the tree instead";
  if (!fs::is_regular_file(link, ec))
    return "is a symlink to '" + target + "', which is not a regular file; only links to files are shipped";
  return "";
}

// App source files in path order; hidden files and byte-code caches are left out.
Result<std::vector<SourceFile>> read_app_source(const stack::Stack& s, const CompileOptions& o) {
  std::vector<SourceFile> out;
  if (!s.tiers.app) return out;
  const auto& src = s.tiers.app->source;
  fs::path dir = fs::path(src.value).is_absolute() ? fs::path(src.value) : o.source_base / src.value;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Diagnostic::error(s.file, src.pos,
                             "app source directory '" + src.value + "' does not exist (looked for " +
                                 dir.string() + "); relative paths start at the current directory or --source-base");
  Diagnostics errors;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.starts_with(".") || name == "__pycache__") {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink()) {
      if (auto why = symlink_problem(it->path(), dir); !why.empty()) {
        std::string rel = it->path().lexically_relative(dir).generic_string();
        errors.push_back(Diagnostic::error(s.file, src.pos, "app source file '" +
                                                                (fs::path(src.value) / rel).generic_string() + "' " + why));
        continue;
      }
    }
    if (!it->is_regular_file()) continue;
    auto content = read_file(it->path());
    if (!content.ok()) return content.diagnostics();
    std::string rel = it->path().lexically_relative(dir).generic_string();
    bool exec = (fs::status(it->path()).permissions() & fs::perms::owner_exec) != fs::perms::none;
    out.push_back({rel, (fs::path(src.value) / rel).generic_string(), std::move(*content), exec});
  }
  if (!errors.empty()) return errors;
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.relative < b.relative; });
  return out;
}

// A context as the engine sees it, with the shared lists converted once per stack.
using SharedValues = std::vector<std::pair<SharedList, tmpl::Value>>;

tmpl::Value to_value(const json& local, const SharedValues& shared) {
  tmpl::Dict top;
  for (const auto& item : local.items()) {
    // Named, not a structured binding: clang 14 cannot capture those in the lambda.
    const std::string& key = item.key();
    const json& v = item.value();
    bool splice = v.is_object() && std::any_of(shared.begin(), shared.end(),
                                               [&](const auto& s) { return key == s.first.section; });
    if (!splice) {
      top.set(key, tmpl::from_json(v));
      continue;
    }
    tmpl::Dict section;
    for (const auto& [k, sv] : v.items()) section.set(k, tmpl::from_json(sv));
    for (const auto& [list, value] : shared)
      if (key == list.section) section.set(list.key, value);
    top.set(key, tmpl::Value(std::move(section)));
  }
  for (const auto& [list, value] : shared)
    if (*list.section == '\0') top.set(list.key, value);
  return tmpl::Value(std::move(top));
}

struct Parsed {
  const TemplateEntry* entry;
  std::shared_ptr<const tmpl::Template> body, dest;
};

struct HostOutput {
  std::vector<Resource> resources;
  Diagnostics errors;
};

tmpl::EnvironmentOptions env_options() {
  tmpl::EnvironmentOptions e;
  e.keep_trailing_newline = true;
  return e;
}

class Compiler {
 public:
  Compiler(const stack::Stack& s, const CompileOptions& o)
      : m_stack(s), m_options(o), m_topo(derive_topology(s, o.dns_serial)), m_env(o.templates_dir, env_options()) {}

  Result<Graph> run();
  Topology take_topology() { return std::move(m_topo); }

 private:
  Status prepare();
  HostOutput compile_host(const std::string& host) const;
  Result<std::vector<RenderedFile>> render_host(const std::string& host, const json& local) const;

  const stack::Stack& m_stack;
  const CompileOptions& m_options;
  Topology m_topo;
  tmpl::Environment m_env;
  std::vector<TemplateEntry> m_entries;
  std::vector<Parsed> m_parsed;
  std::vector<SourceFile> m_source;
  SharedValues m_shared;
};

void append(Diagnostics& to, const Diagnostics& from) { to.insert(to.end(), from.begin(), from.end()); }

Status Compiler::prepare() {
  auto entries = load_template_index(m_options.templates_dir);
  if (!entries.ok()) return entries.diagnostics();
  m_entries = std::move(*entries);
  Diagnostics errors;
  for (const auto& e : m_entries) {
    auto body = m_env.load(e.template_name);
    auto dest = m_env.parse_string(e.dest, e.template_name + " (dest)");
    if (!body.ok()) append(errors, body.diagnostics());
    if (!dest.ok()) append(errors, dest.diagnostics());
    if (body.ok() && dest.ok()) m_parsed.push_back({&e, *body, *dest});
  }
  auto source = read_app_source(m_stack, m_options);
  if (!source.ok()) append(errors, source.diagnostics());
  if (!errors.empty()) return errors;
  m_source = std::move(*source);
  for (const auto& l : shared_lists()) m_shared.emplace_back(l, tmpl::from_json(shared_list(m_topo, l)));
  return ok_status();
}

Result<std::vector<RenderedFile>> Compiler::render_host(const std::string& host, const json& local) const {
  tmpl::Value ctx = to_value(local, m_shared);
  std::vector<RenderedFile> files;
  Diagnostics errors;
  for (const auto& p : m_parsed) {
    if (!applies(*p.entry, local)) continue;
    auto dest = m_env.render(*p.dest, ctx);
    auto body = m_env.render(*p.body, ctx);
    for (const auto* r : {&dest, &body})
      if (!r->ok())
        for (auto d : r->diagnostics()) {
          d.message = "host " + host + ": " + d.message;
          errors.push_back(std::move(d));
        }
    if (!dest.ok() || !body.ok()) continue;
    std::string validate = p.entry->validate;
    if (auto z = validate.find("{zone}"); z != std::string::npos && !local["dns"].is_null())
      validate.replace(z, 6, local["dns"]["zone"].get<std::string>());
    files.push_back({*dest, std::move(*body), p.entry, std::move(validate)});
  }
  if (!errors.empty()) return errors;
  return files;
}

// Every managed path is absolute and normal, whatever slipped past the stack's
// grammar or came out of a template: "/srv/app/../../etc/shadow" is never managed.
// App source files land under the app directory by construction (a normal directory
// plus a normal relative path), so a normal app directory confines them.
Diagnostics unconfined_paths(const std::vector<Resource>& resources) {
  Diagnostics errors;
  for (const auto& r : resources)
    if ((r.kind == ResourceKind::file || r.kind == ResourceKind::directory) && !is_normal_absolute_path(r.name))
      errors.push_back(Diagnostic::error(r.id(), "path '" + r.name +
                                                     "' is not a normalized absolute path (it has a '..', '.' or "
                                                     "empty part, or is not absolute); give one in the stack file"));
  return errors;
}

HostOutput Compiler::compile_host(const std::string& host) const {
  json local = detail::host_context_local(m_topo, host);
  auto files = render_host(host, local);
  if (!files.ok()) return {{}, files.diagnostics()};
  auto resources = host_resources(m_topo, host, *files, m_source);
  if (auto errors = unconfined_paths(resources); !errors.empty()) return {{}, std::move(errors)};
  return {std::move(resources), {}};
}

Result<Graph> Compiler::run() {
  if (auto st = prepare(); !st.ok()) return st.diagnostics();
  const auto& hosts = m_stack.hosts;
  std::vector<HostOutput> out(hosts.size());
  // Eight hosts a thread at least: a thread costs more than compiling a few hosts.
  const std::size_t n = std::min<std::size_t>(m_options.threads ? m_options.threads : core_threads(),
                                              (hosts.size() + 7) / 8);
  parallel_for(hosts.size(), std::max<std::size_t>(1, n),
               [&](std::size_t i) { out[i] = compile_host(hosts[i].name.value); });

  Graph graph;
  Diagnostics errors;
  for (auto& h : out) {
    append(errors, h.errors);
    for (auto& r : h.resources)
      if (auto st = graph.add(std::move(r)); !st.ok()) append(errors, st.diagnostics());
  }
  if (!errors.empty()) return errors;
  if (auto layers = graph.layers(); !layers.ok()) return layers.diagnostics();
  return graph;
}

}  // namespace

Result<std::vector<TemplateEntry>> load_template_index(const fs::path& templates_dir) {
  fs::path path = templates_dir / "index.json";
  auto text = read_file(path);
  if (!text.ok()) return text.diagnostics();
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.contains("templates") || !j["templates"].is_array())
    return Diagnostic::error(path.string(), "is not a template index: expected {\"templates\": [...]} in JSON");
  std::vector<TemplateEntry> out;
  for (const auto& e : j["templates"]) {
    auto entry = parse_entry(e, path.string());
    if (!entry.ok()) return entry.diagnostics();
    out.push_back(std::move(*entry));
  }
  return out;
}

bool applies(const TemplateEntry& entry, const json& context) {
  return std::all_of(entry.when.begin(), entry.when.end(), [&](const std::string& w) {
    const json* v = lookup(context, w);
    return v && truthy(*v);
  });
}

Result<Compilation> compile(const stack::Stack& stack, const CompileOptions& options) {
  Compiler compiler(stack, options);
  auto graph = compiler.run();
  if (!graph.ok()) return graph.diagnostics();
  return Compilation{compiler.take_topology(), std::move(*graph)};
}

Result<Graph> compile_stack(const stack::Stack& stack, const CompileOptions& options) {
  return Compiler(stack, options).run();
}

}  // namespace foobar::compile
