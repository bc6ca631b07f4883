#include "cli/commands.h"

namespace foobar::cli {

int cmd_diagram(std::vector<std::string> /*args*/, const GlobalOptions& /*global*/) {
  return not_yet_implemented("diagram");
}

}  // namespace foobar::cli
