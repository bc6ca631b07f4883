// Splits template source into tokens exactly as Jinja2's lexer does, including
// its whitespace control: `{%-`/`-%}` strip, `{%+`/`+%}` keep, trim_blocks and
// lstrip_blocks, and the removal of one trailing newline.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/diagnostic.h"
#include "util/result.h"

namespace foobar::tmpl {

enum class Tok {
  data,         // literal text
  var_begin,    // {{
  var_end,      // }}
  block_begin,  // {%
  block_end,    // %}
  name,
  string,
  integer,
  real,
  op,  // operator or punctuation; text holds it
  eof,
};

struct Token {
  Tok type;
  std::string text;  // data, name, operator, decoded string
  int64_t int_value = 0;
  double real_value = 0;
  SourcePos pos;
};

const char* token_description(const Token& t);

struct LexerOptions {
  bool trim_blocks = true;
  bool lstrip_blocks = true;
  bool keep_trailing_newline = false;
};

// `name` is only used in diagnostics.
Result<std::vector<Token>> tokenize(std::string_view source, const std::string& name,
                                    const LexerOptions& options);

}  // namespace foobar::tmpl
