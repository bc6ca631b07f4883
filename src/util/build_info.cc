#include "util/build_info.h"

#include FOOBAR_COMMIT_HEADER

namespace foobar::util {

const std::string& source_dir() {
  static const std::string dir = FOOBAR_SOURCE_DIR;
  return dir;
}

const std::string& version() {
  static const std::string v = FOOBAR_VERSION;
  return v;
}

const std::string& commit() {
  static const std::string c = FOOBAR_COMMIT;
  return c;
}

}  // namespace foobar::util
