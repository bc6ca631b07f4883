#include "cli/commands.h"

namespace foobar::cli {

int cmd_destroy(std::vector<std::string> /*args*/, const GlobalOptions& /*global*/) {
  return not_yet_implemented("destroy");
}

}  // namespace foobar::cli
