#include "util/build_info.h"

namespace foobar::util {

const std::string& source_dir() {
  static const std::string dir = FOOBAR_SOURCE_DIR;
  return dir;
}

const std::string& version() {
  static const std::string v = FOOBAR_VERSION;
  return v;
}

}  // namespace foobar::util
