// Turns tokens into a Template (statements and expressions), with Jinja2's
// grammar and operator precedence.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "template/ast.h"
#include "template/lexer.h"
#include "util/result.h"

namespace foobar::tmpl {

Result<std::shared_ptr<const Template>> parse(std::vector<Token> tokens, const std::string& name);

// Lexes and parses in one go.
Result<std::shared_ptr<const Template>> parse_source(std::string_view source, const std::string& name,
                                                     const LexerOptions& options);

}  // namespace foobar::tmpl
