// foobarctl schema: the JSON Schema (draft 2020-12) of the stack file, made from
// the field table the loader reads (stack/fields.h), for editors and CI.
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "stack/fields.h"

namespace foobar::cli {

using nlohmann::ordered_json;
using stack::FieldSpec;
using stack::FieldType;
using stack::ObjectSpec;

namespace {

// "tiers.db.users[]" -> "tiers.db.users", "hosts.<name>" -> "hosts.name": names usable in a $ref.
std::string def_name(const ObjectSpec& o) {
  std::string out;
  for (char c : o.path)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.') out += c;
  return out;
}

std::string ref(const ObjectSpec& o) { return "#/$defs/" + def_name(o); }

// The loader takes any scalar where it wants text (`port: 80` under a string key is "80").
ordered_json scalar() { return {{"type", {"string", "number", "boolean"}}}; }

ordered_json value_schema(const FieldSpec& f) {
  switch (f.type) {
    case FieldType::string: return scalar();
    case FieldType::integer: return {{"type", "integer"}};
    case FieldType::boolean: return {{"type", "boolean"}};
    case FieldType::duration:
      return {{"type", "string"}, {"pattern", "^([0-9]{1,9}(ms|s|m|h))+$"}};
    case FieldType::enumeration: return {{"enum", f.values}};
    case FieldType::string_list: return {{"type", "array"}, {"items", scalar()}};
    case FieldType::host_list:
      return {{"type", "array"}, {"items", {{"anyOf", {scalar(), {{"$ref", ref(*f.object)}}}}}}};
    case FieldType::enum_list: return {{"type", "array"}, {"items", {{"enum", f.values}}}};
    case FieldType::object: return {{"$ref", ref(*f.object)}};
    case FieldType::object_list: return {{"type", "array"}, {"items", {{"$ref", ref(*f.object)}}}};
    case FieldType::object_map:
      return {{"type", "object"}, {"minProperties", 1}, {"additionalProperties", {{"$ref", ref(*f.object)}}}};
    case FieldType::secret: return {{"$ref", ref(stack::spec::secret())}};
    case FieldType::certificate:
      return {{"anyOf", {{{"const", "self-signed"}}, {{"$ref", ref(stack::spec::secret())}}}}};
    case FieldType::environment:
      return {{"type", "object"},
              {"additionalProperties", {{"anyOf", {scalar(), {{"$ref", ref(stack::spec::secret())}}}}}}};
  }
  return {};
}

ordered_json object_schema(const ObjectSpec& o) {
  ordered_json props = ordered_json::object();
  ordered_json required = ordered_json::array();
  for (const auto& f : o.fields) {
    ordered_json p = value_schema(f);
    if (!f.description.empty()) p["description"] = f.description;
    if (!f.default_json.empty()) p["default"] = ordered_json::parse(f.default_json);
    props[f.key] = std::move(p);
    if (f.required) required.push_back(f.key);
  }
  ordered_json out = {{"type", "object"}, {"description", o.description}, {"properties", props}};
  if (!required.empty()) out["required"] = required;
  out["additionalProperties"] = false;
  return out;
}

// Every mapping below `o`, each once, in the order they are met.
void collect(const ObjectSpec& o, std::vector<const ObjectSpec*>& out) {
  for (const auto* seen : out)
    if (seen == &o) return;
  out.push_back(&o);
  for (const auto& f : o.fields)
    if (f.object) collect(*f.object, out);
}

}  // namespace

std::string stack_schema_json() {
  const ObjectSpec& root = stack::stack_spec();
  std::vector<const ObjectSpec*> objects;
  collect(root, objects);
  collect(stack::spec::secret(), objects);
  ordered_json defs = ordered_json::object();
  for (const auto* o : objects)
    if (o != &root) defs[def_name(*o)] = object_schema(*o);
  ordered_json out = {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
                      {"title", "foobarctl stack file"}};
  const ordered_json top = object_schema(root);
  for (const auto& [k, v] : top.items()) out[k] = v;
  out["$defs"] = defs;
  return out.dump(2) + "\n";
}

cxxopts::Options options_schema() {
  cxxopts::Options opts("foobarctl schema",
                        "Print the JSON Schema (draft 2020-12) of the stack file: every key, its type, enumerated "
                        "values, default and meaning. Editors with yaml-language-server use it through a "
                        "'# yaml-language-server: $schema=PATH' line at the top of the stack file.");
  opts.add_options()("h,help", "show this help");
  return opts;
}

int cmd_schema(std::vector<std::string> args, const GlobalOptions& /*global*/) {
  cxxopts::Options opts = options_schema();
  auto parsed = parse_args(opts, args);
  if (!parsed) return 1;
  if (parsed->count("help")) return std::printf("%s", opts.help().c_str()), 0;
  std::fputs(stack_schema_json().c_str(), stdout);
  return 0;
}

}  // namespace foobar::cli
