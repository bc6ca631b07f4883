// foobarctl manpage, completion and __names: the man page and the bash completion,
// made from the option tables, and the names the completion offers for a stack.
#include <cstdio>

#include "cli/commands.h"
#include "cli/option_docs.h"
#include "lab/lab.h"
#include "stack/stack.h"

namespace foobar::cli {

int cmd_manpage(std::vector<std::string> /*args*/, const GlobalOptions& /*global*/) {
  std::fputs(man_page().c_str(), stdout);
  return 0;
}

cxxopts::Options options_completion() {
  cxxopts::Options opts("foobarctl completion", "Print the bash completion script (source it, or install it as "
                                                "/usr/share/bash-completion/completions/foobarctl).");
  opts.positional_help("[bash]");
  opts.add_options()("h,help", "show this help")("shell", "shell", cxxopts::value<std::string>());
  opts.parse_positional({"shell"});
  return opts;
}

int cmd_completion(std::vector<std::string> args, const GlobalOptions& /*global*/) {
  cxxopts::Options opts = options_completion();
  auto parsed = parse_args(opts, args);
  if (!parsed) return 1;
  if (parsed->count("help")) return std::printf("%s", opts.help().c_str()), 0;
  if (parsed->count("shell") && (*parsed)["shell"].as<std::string>() != "bash") {
    std::fprintf(stderr, "%s: only bash is supported, not '%s'\n", args[0].c_str(),
                 (*parsed)["shell"].as<std::string>().c_str());
    return 1;
  }
  std::fputs(bash_completion().c_str(), stdout);
  return 0;
}

// Host and tier names of STACK, one a line; without STACK the hosts of the lab that is
// up. Prints nothing for a stack that does not load: completion stays quiet.
int cmd_names(std::vector<std::string> args, const GlobalOptions& /*global*/) {
  if (args.size() > 1 && !args[1].empty()) {
    auto s = stack::load_stack(args[1]);
    if (!s) return 1;
    for (const auto& h : s->hosts) std::printf("%s\n", h.name.value.c_str());
    for (const auto& t : s->tier_names()) std::printf("%s\n", t.c_str());
    return 0;
  }
  auto name = lab::current_lab();
  if (!name) return 1;
  auto state = lab::load_lab_state(*name);
  if (!state) return 1;
  for (const auto& h : state->hosts) std::printf("%s\n", h.name.c_str());
  return 0;
}

}  // namespace foobar::cli
