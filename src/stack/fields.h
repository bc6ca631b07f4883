// The keys of the stack file, as one table: which keys each mapping has, their
// types, enumerated values, defaults, whether required, and what they mean. The
// loader takes its key sets, required keys and enumeration names from here, and
// `foobarctl schema` turns the same table into a JSON Schema, so an editor knows
// exactly the keys `validate` knows. The semantic rules (names, addresses,
// references) live in validate.cc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace foobar::stack {

enum class FieldType {
  string,       // any scalar, taken as text
  integer,
  boolean,
  duration,     // "500ms", "2s", "1m30s", "1h"
  enumeration,  // one of `values`
  string_list,
  host_list,    // host names, each a string or a mapping described by `object` ({ host, standby })
  enum_list,    // list of `values`
  object,       // a mapping described by `object`
  object_list,  // list of mappings described by `object`
  object_map,   // free keys (host names), each a mapping described by `object`
  secret,       // { secret: NAME }
  certificate,  // "self-signed" or { secret: NAME }
  environment,  // free keys (variable names), each a string or { secret: NAME }
};

struct ObjectSpec;

struct FieldSpec {
  std::string key;
  FieldType type;
  std::string description;
  bool required = false;
  std::string default_json = {};        // the default as JSON ("22", "\"root\"", "[\"node\"]"); empty: none
  std::vector<std::string> values = {}; // enumeration names, in the order of the C++ enum
  const ObjectSpec* object = nullptr;
};

struct ObjectSpec {
  std::string path;  // "tiers.lb", "" for the top level
  std::string description;
  std::vector<FieldSpec> fields;

  // nullptr for a key the mapping does not have.
  const FieldSpec* find(std::string_view key) const;
  std::vector<std::string> keys() const;
};

// The top level of a stack file; every other mapping hangs below it.
const ObjectSpec& stack_spec();

// The mappings by name, for the loader.
namespace spec {
const ObjectSpec& root();
const ObjectSpec& defaults();
const ObjectSpec& ssh();
const ObjectSpec& host();
const ObjectSpec& dns();
const ObjectSpec& record();
const ObjectSpec& tiers();
const ObjectSpec& lb();
const ObjectSpec& health_check();
const ObjectSpec& vip();
const ObjectSpec& tls();
const ObjectSpec& rolling();
const ObjectSpec& web();
const ObjectSpec& app();
const ObjectSpec& db();
const ObjectSpec& db_user();
const ObjectSpec& replication();
const ObjectSpec& firewall();
const ObjectSpec& rule();
const ObjectSpec& monitoring();
const ObjectSpec& alert();
const ObjectSpec& alert_receiver();
const ObjectSpec& logs();
const ObjectSpec& security();
const ObjectSpec& member();
const ObjectSpec& secret();
}  // namespace spec

}  // namespace foobar::stack
