#include "cli/option_docs.h"

#include <set>

#include "cli/commands.h"
#include "util/build_info.h"

namespace foobar::cli {

namespace {

// cxxopts does not say which options are positional; the one a bare word lands in is.
std::set<std::string> positional_names(cxxopts::Options opts) {
  std::set<std::string> out;
  const char* argv[] = {"foobarctl", "WORD", nullptr};
  try {
    auto parsed = opts.parse(2, argv);
    for (const auto& kv : parsed.arguments()) out.insert(kv.key());
  } catch (const cxxopts::exceptions::exception&) {
  }
  return out;
}

// "Usage:\n  foobarctl check [OPTION...] STACK...\n" as cxxopts prints it, without groups.
std::string synopsis_of(const cxxopts::Options& opts) {
  const std::string text = opts.help({"\x01no group"});
  const std::string marker = "Usage:\n  ";
  auto at = text.find(marker);
  if (at == std::string::npos) return opts.program();
  at += marker.size();
  return text.substr(at, text.find('\n', at) - at);
}

std::string description_of(const cxxopts::Options& opts) {
  const std::string text = opts.help({"\x01no group"});
  return text.substr(0, text.find("\nUsage:"));
}

CommandDoc doc_of(const std::string& name, const cxxopts::Options& opts) {
  return {name, synopsis_of(opts), description_of(opts), option_docs(opts)};
}

}  // namespace

std::vector<OptionDoc> option_docs(const cxxopts::Options& opts) {
  const auto positional = positional_names(opts);
  std::vector<OptionDoc> out;
  for (const auto& group : opts.groups()) {
    if (group == "hidden") continue;
    for (const auto& o : opts.group_help(group).options) {
      if (o.l.empty() || positional.count(o.l.front())) continue;
      OptionDoc d{o.s, o.l.front(), o.is_boolean ? "" : (o.arg_help.empty() ? "ARG" : o.arg_help), o.desc,
                  o.has_default && !o.is_boolean ? o.default_value : ""};
      out.push_back(std::move(d));
    }
  }
  return out;
}

std::vector<CommandDoc> command_docs() {
  std::vector<CommandDoc> out;
  for (const auto& c : commands()) {
    if (c.hidden) continue;
    if (c.options) {
      out.push_back(doc_of(c.name, c.options()));
      continue;
    }
    for (const auto& sub : c.subcommands) {
      const std::string name = std::string(c.name) + " " + sub.name;
      if (sub.options) {
        out.push_back(doc_of(name, sub.options()));
        out.back().description = sub.summary;
      } else {
        out.push_back({name, "foobarctl " + name + " " + sub.synopsis, sub.summary, {}});
      }
    }
  }
  return out;
}

namespace {

// Text for roff: backslashes and hyphens escaped, no line starting with a control character.
std::string roff(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

std::string option_head(const OptionDoc& o) {
  std::string out;
  if (!o.short_name.empty()) out += "\\fB\\-" + roff(o.short_name) + "\\fR, ";
  out += "\\fB\\-\\-" + roff(o.long_name) + "\\fR";
  if (!o.argument.empty()) out += " \\fI" + roff(o.argument) + "\\fR";
  return out;
}

std::string option_list(const std::vector<OptionDoc>& options) {
  std::string out;
  for (const auto& o : options) {
    out += ".TP\n" + option_head(o) + "\n" + roff(o.description);
    if (!o.default_value.empty()) out += " (default: " + roff(o.default_value) + ")";
    out += "\n";
  }
  return out;
}

}  // namespace

std::string man_page() {
  std::string out = ".\\\" The commands and options are generated from foobarctl's own option tables.\n";
  out += ".TH FOOBARCTL 1 \"\" \"foobarctl " + roff(util::version()) + "\" \"User Commands\"\n";
  out += ".SH NAME\nfoobarctl \\- infrastructure as code for the classic web stack\n";
  out += ".SH SYNOPSIS\n.B foobarctl\n[\\fB\\-\\-version\\fR] [\\fB\\-\\-no\\-color\\fR] [\\fB\\-v\\fR] "
         "\\fICOMMAND\\fR [\\fIARGS\\fR]\n";
  out += ".SH DESCRIPTION\n"
         "A declarative stack file (YAML) describes the tiers of a site: DNS name, HAProxy load balancers, "
         "nginx web servers, application servers, MariaDB/MySQL primary and replicas, nftables firewalls, "
         "HTTPS and monitoring.\n"
         ".B foobarctl\n"
         "compiles it into a dependency graph of resources, renders templates into configuration and "
         "applies it over SSH, idempotently, hosts in parallel.\n";
  out += ".SH GLOBAL OPTIONS\nThese may stand before or after the command.\n";
  out += option_list(option_docs(global_options()));
  out += ".SH COMMANDS\n";
  for (const auto& c : command_docs()) {
    out += ".SS \"" + roff(c.name) + "\"\n.B " + roff(c.synopsis) + "\n.PP\n" + roff(c.description) + "\n";
    out += option_list(c.options);
  }
  out += ".SH ENVIRONMENT\n"
         ".TP\n.B FOOBAR_TEMPLATES\nthe template directory when \\fB\\-\\-templates\\fR is not given\n"
         ".TP\n.B FOOBAR_SECRET_\\fINAME\\fR\nthe value of the secret \\fINAME\\fR (wins over "
         "\\fB\\-\\-secrets\\-file\\fR)\n"
         ".TP\n.B NO_COLOR\nwhen set and not empty, no colours\n";
  out += ".SH FILES\n"
         ".TP\n.I ../share/foobarctl/templates\nrelative to the binary: the templates, when neither "
         "\\fB\\-\\-templates\\fR nor FOOBAR_TEMPLATES names them (else the source tree it was built from)\n"
         ".TP\n.I /usr/share/foobarctl/stacks\nthe four reference stacks\n"
         ".TP\n.I /usr/share/foobarctl/examples\nthe example application the stacks deploy\n"
         ".TP\n.I /var/lib/foobarctl/\\fISTACK\\fR.json\non each managed host: what foobarctl manages there\n";
  out += ".SH EXIT STATUS\n0 success; 1 error; 2 \\fBplan \\-\\-detailed\\-exitcode\\fR found changes; "
         "3 \\fBcheck\\fR found error findings.\n";
  out += ".SH SEE ALSO\n\\fBfoobarctl schema\\fR prints the JSON Schema of the stack file.\n";
  return out;
}

namespace {

std::string words(const std::vector<OptionDoc>& options) {
  std::string out;
  for (const auto& o : options) {
    if (!o.short_name.empty()) out += (out.empty() ? "-" : " -") + o.short_name;
    out += (out.empty() ? "--" : " --") + o.long_name;
  }
  return out;
}

}  // namespace

std::string bash_completion() {
  const auto docs = command_docs();
  std::string commands_words, lab_subs, value_options, cases;
  for (const auto& c : commands())
    if (!c.hidden) {
      commands_words += (commands_words.empty() ? "" : " ") + std::string(c.name);
      for (const auto& s : c.subcommands) lab_subs += (lab_subs.empty() ? "" : " ") + std::string(s.name);
    }
  std::set<std::string> takes_value;
  for (const auto& c : docs) {
    cases += "    \"" + c.name + "\") opts=\"" + words(c.options) + "\" ;;\n";
    for (const auto& o : c.options)
      if (!o.argument.empty() && o.long_name != "target") {
        takes_value.insert("--" + o.long_name);
        if (!o.short_name.empty()) takes_value.insert("-" + o.short_name);
      }
  }
  for (const auto& v : takes_value) value_options += (value_options.empty() ? "" : "|") + v;
  const std::string globals = words(option_docs(global_options()));
  std::string out =
      "# bash completion for foobarctl, generated from its option tables (foobarctl completion)\n"
      "_foobarctl() {\n"
      "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
      "  local cmd=\"\" sub=\"\" stack=\"\" opts=\"\" i w\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    w=${COMP_WORDS[i]}\n"
      "    case $w in\n"
      "      -*) ;;\n"
      "      *.yaml|*.yml) stack=$w ;;\n"
      "      *) if [[ -z $cmd ]]; then cmd=$w; elif [[ -z $sub && $cmd == lab ]]; then sub=$w; fi ;;\n"
      "    esac\n"
      "  done\n"
      "  if [[ -z $cmd ]]; then\n"
      "    COMPREPLY=($(compgen -W \"" + commands_words + " " + globals + "\" -- \"$cur\"))\n"
      "    return\n"
      "  fi\n"
      "  if [[ $cmd == lab && -z $sub ]]; then\n"
      "    COMPREPLY=($(compgen -W \"" + lab_subs + "\" -- \"$cur\"))\n"
      "    return\n"
      "  fi\n"
      "  case $prev in\n"
      "    --target)\n"
      "      COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" __names \"$stack\" 2>/dev/null)\" -- \"$cur\"))\n"
      "      return ;;\n";
  if (!value_options.empty())
    out += "    " + value_options + ")\n      COMPREPLY=($(compgen -f -- \"$cur\"))\n      return ;;\n";
  out +=
      "  esac\n"
      "  case \"$cmd${sub:+ $sub}\" in\n" + cases +
      "  esac\n"
      "  if [[ $cur == -* ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$opts " + globals + "\" -- \"$cur\"))\n"
      "  elif [[ $cmd == lab && $sub == ssh ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" __names 2>/dev/null)\" -- \"$cur\"))\n"
      "  else\n"
      "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "  fi\n"
      "}\n"
      "complete -o filenames -F _foobarctl foobarctl\n";
  return out;
}

}  // namespace foobar::cli
