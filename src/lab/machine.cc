#include "lab/machine.h"

#include <chrono>
#include <utility>

#include "transport/local_connector.h"
#include "util/file.h"

namespace foobar::lab {

Result<std::string> run_here(const std::string& where, const std::string& what, const std::string& cmd,
                             std::string_view input) {
  transport::LocalConnector local(where);
  auto r = local.run(cmd, input, std::chrono::minutes(2));
  if (!r) return r.diagnostics();
  if (!r->ok()) return transport::command_failed(where, what, *r);
  return r->out;
}

std::string read_text(const std::string& path) {
  auto text = read_file(path);
  return text ? std::move(*text) : std::string();
}

}  // namespace foobar::lab
