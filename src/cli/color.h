// Whether output is coloured, by the usual conventions: never with --no-color or a
// non-empty NO_COLOR (no-color.org), otherwise only when the stream is a terminal.
#pragma once

namespace foobar::cli {

bool color_wanted(bool is_terminal, const char* no_color_env, bool no_color_flag);

}  // namespace foobar::cli
