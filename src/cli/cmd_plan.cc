#include "cli/commands.h"

namespace foobar::cli {

int cmd_plan(std::vector<std::string> /*args*/, const GlobalOptions& /*global*/) {
  return not_yet_implemented("plan");
}

}  // namespace foobar::cli
