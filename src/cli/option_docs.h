// The commands and options of foobarctl as data, read from the same cxxopts tables
// that parse the arguments and print --help: the man page and the bash completion
// are made from this, so they list exactly what the parser accepts.
#pragma once

#include <string>
#include <vector>

#include <cxxopts.hpp>

namespace foobar::cli {

struct OptionDoc {
  std::string short_name;  // "f", or empty
  std::string long_name;   // "format"
  std::string argument;    // "ARG" when the option takes a value, else empty
  std::string description;
  std::string default_value;  // empty when none
};

struct CommandDoc {
  std::string name;         // "plan", "lab up"
  std::string synopsis;     // "foobarctl plan [OPTION...] STACK"
  std::string description;  // the one-line summary
  std::vector<OptionDoc> options;  // documented options, positional and hidden ones left out
};

// The documented options of one table.
std::vector<OptionDoc> option_docs(const cxxopts::Options& opts);
// Every visible command, a command with subcommands as one entry per subcommand.
std::vector<CommandDoc> command_docs();

// The man page foobarctl(1) in roff.
std::string man_page();
// A bash completion script: commands, subcommands and options from the tables;
// host and tier names from the stack file on the command line (via `foobarctl __names`).
std::string bash_completion();

}  // namespace foobar::cli
