// The resources of one host: packages, directories, rendered and copied files,
// guarded commands, the firewall, services and database objects, with their
// dependencies (also across hosts) and handlers.
#pragma once

#include <string>
#include <vector>

#include "compile/compile.h"
#include "compile/topology.h"
#include "graph/resource.h"

namespace foobar::compile {

struct RenderedFile {
  std::string path;
  std::string content;
  const TemplateEntry* entry = nullptr;
  std::string validate;  // with {zone} filled in
};

// A file of the app's source directory, read once per compile.
struct SourceFile {
  std::string relative;  // path below the source directory, '/' separated
  std::string origin;    // as the user would name it (source dir + relative)
  std::string content;
  bool executable = false;
};

// Read from the host's model (Topology::host), never from its template context.
std::vector<Resource> host_resources(const Topology& topo, const std::string& host,
                                     const std::vector<RenderedFile>& files,
                                     const std::vector<SourceFile>& app_source);

// The service a role runs ("" when none) and how a changed config reaches it.
struct RoleSpec {
  Role role;
  std::vector<std::string> packages;
  std::string service;
  OnChange on_change = OnChange::reload;
};
// Every Role has one (compile_test checks).
const RoleSpec& role_spec(Role role);

}  // namespace foobar::compile
