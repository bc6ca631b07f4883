#include "cli/commands.h"

namespace foobar::cli {

int cmd_template(std::vector<std::string> /*args*/, const GlobalOptions& /*global*/) {
  return not_yet_implemented("template");
}

}  // namespace foobar::cli
