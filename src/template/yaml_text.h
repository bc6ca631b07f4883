// YAML for Ansible's to_yaml/to_nice_yaml and from_yaml filters: the text
// PyYAML's dump writes through libyaml (yaml.CSafeDumper, as ansible-core uses
// it) and YAML 1.1 scalars read as PyYAML's SafeLoader reads them.
#pragma once

#include <string>
#include <string_view>

#include "template/value.h"

namespace foobar::tmpl {

struct YamlStyle {
  int indent = 2;           // PyYAML keeps 2..9, anything else is 2
  int width = 80;           // a negative width never folds
  int flow = -1;            // default_flow_style: -1 None, 0 False, 1 True
  bool sort_keys = true;
};

// yaml.dump(v, allow_unicode=True, ...). Returns false (with a message) for
// values YAML cannot hold here (undefined, macros, namespaces).
bool to_yaml_text(const Value& v, const YamlStyle& style, std::string& out, std::string& error);

// yaml.safe_load(text). Returns false with a message for text that is not one
// YAML document of data this engine holds (string keys, 64-bit integers).
bool from_yaml_text(std::string_view text, Value& out, std::string& error);

}  // namespace foobar::tmpl
