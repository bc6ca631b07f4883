// The remote shell library: POSIX sh functions (src/remote/*.sh) that run on managed
// hosts. Fact functions and action functions live side by side there, so the probe and
// apply share one meaning of "installed", "running", "replicating". C++ never writes
// shell itself: it sends the library and calls its functions through call().
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace foobar::remote {

// The whole library, every file in name order: the prefix of every remote script.
const std::string& library();

// One file of the library by name ("common.sh"); empty when there is none.
std::string_view file(std::string_view name);

// The library's file names, in order.
std::vector<std::string> file_names();

// `function 'arg1' 'arg2'`: a call of a library function, every argument one quoted
// word whatever it holds. The function name must be a library identifier.
std::string call(std::string_view function, const std::vector<std::string>& args = {});

// A whole remote script: the library, then each call (from call()) on its own line.
std::string script(const std::vector<std::string>& calls);

// How a script reaches a host: a constant command line that reads the script from the
// head of stdin and evaluates it, so neither the script nor `payload` (the rest of
// stdin, the script's own input: file contents, SQL with secrets) is ever on a command
// line.
struct Invocation {
  std::string command;
  std::string input;  // the script, then the payload
};
Invocation invoke(const std::vector<std::string>& calls, std::string_view payload = {});
// The same for a script made by script().
Invocation invocation(std::string script, std::string_view payload = {});

// The inverse of invoke(), for fakes of a host in tests: the calls after the library
// (one a line) and the payload; nullopt when `command` is not an invocation.
struct Invoked {
  std::string calls;
  std::string payload;
};
std::optional<Invoked> invoked(std::string_view command, std::string_view input);

}  // namespace foobar::remote
