#include "cli/commands.h"

namespace foobar::cli {

int cmd_apply(std::vector<std::string> /*args*/, const GlobalOptions& /*global*/) {
  return not_yet_implemented("apply");
}

}  // namespace foobar::cli
