#include "cli/commands.h"

namespace foobar::cli {

int cmd_render(std::vector<std::string> /*args*/, const GlobalOptions& /*global*/) {
  return not_yet_implemented("render");
}

}  // namespace foobar::cli
