#include "cli/commands.h"

namespace foobar::cli {

int cmd_check(std::vector<std::string> /*args*/, const GlobalOptions& /*global*/) {
  return not_yet_implemented("check");
}

}  // namespace foobar::cli
