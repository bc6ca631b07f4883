#include "cli/commands.h"

namespace foobar::cli {

int cmd_validate(std::vector<std::string> /*args*/, const GlobalOptions& /*global*/) {
  return not_yet_implemented("validate");
}

}  // namespace foobar::cli
