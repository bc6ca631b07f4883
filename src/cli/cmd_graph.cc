#include "cli/commands.h"

namespace foobar::cli {

int cmd_graph(std::vector<std::string> /*args*/, const GlobalOptions& /*global*/) {
  return not_yet_implemented("graph");
}

}  // namespace foobar::cli
