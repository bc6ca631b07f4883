#include "cli/commands.h"

namespace foobar::cli {

int cmd_lab(std::vector<std::string> /*args*/, const GlobalOptions& /*global*/) {
  return not_yet_implemented("lab");
}

}  // namespace foobar::cli
