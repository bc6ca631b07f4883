#include <cstdio>
#include <string>

#include "template/builtins.h"

namespace foobar::tmpl {

// Python's %-formatting for the format filter and the % operator.
std::string percent_format(Renderer& r, const std::string& fmt, const std::vector<Value>& args,
                           const Dict* mapping, SourcePos pos) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (++i >= fmt.size()) r.fail(pos, "incomplete format: '%' at the end of the format string");
    const Value* arg = nullptr;
    if (fmt[i] == '(') {
      size_t close = fmt.find(')', i);
      if (close == std::string::npos) r.fail(pos, "incomplete format key: expected ')'");
      std::string key = fmt.substr(i + 1, close - i - 1);
      if (!mapping) r.fail(pos, "format requires a mapping for '%(" + key + ")'");
      arg = mapping->find(key);
      if (!arg) r.fail(pos, "format: key '" + key + "' is missing");
      i = close + 1;
    }
    std::string spec = "%";
    while (i < fmt.size() && std::string_view("-+ #0").find(fmt[i]) != std::string_view::npos) spec += fmt[i++];
    while (i < fmt.size() && (std::isdigit(static_cast<unsigned char>(fmt[i])) || fmt[i] == '.')) spec += fmt[i++];
    if (i >= fmt.size()) r.fail(pos, "incomplete format specifier '" + spec + "'");
    char type = fmt[i];
    if (type == '%') {
      out += '%';
      continue;
    }
    if (!arg) {
      if (next >= args.size()) r.fail(pos, "not enough arguments for format string");
      arg = &args[next++];
    }
    r.check_defined(*arg, pos);
    char buf[512];
    switch (type) {
      case 's':
      case 'r': {
        std::string s = type == 's' ? py_str(*arg) : py_repr(*arg);
        std::snprintf(buf, sizeof buf, (spec + "s").c_str(), "");
        // Width and alignment apply to the whole string; format by hand for long values.
        std::string flags = spec.substr(1);
        bool left = flags.find('-') != std::string::npos;
        size_t dot = flags.find('.');
        std::string width_str = flags.substr(0, dot);
        width_str.erase(0, width_str.find_first_of("0123456789") == std::string::npos ? width_str.size() : width_str.find_first_of("123456789"));
        size_t width = width_str.empty() ? 0 : std::stoul(width_str);
        if (dot != std::string::npos) s = s.substr(0, std::stoul("0" + flags.substr(dot + 1)));
        size_t len = utf8_length(s);
        if (len < width) s = left ? s + std::string(width - len, ' ') : std::string(width - len, ' ') + s;
        out += s;
        break;
      }
      case 'd':
      case 'i':
      case 'x':
      case 'X':
      case 'o':
      case 'c': {
        int64_t v;
        if (arg->is_number()) v = arg->is_real() ? static_cast<int64_t>(arg->as_double()) : arg->as_int();
        else r.fail(pos, std::string("%") + type + " format: a number is required, not " + arg->type_name());
        if (type == 'c') {
          out += static_cast<char>(v);
          break;
        }
        std::snprintf(buf, sizeof buf, (spec + "ll" + (type == 'i' ? 'd' : type)).c_str(), static_cast<long long>(v));
        out += buf;
        break;
      }
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G': {
        if (!arg->is_number()) r.fail(pos, "must be real number, not " + arg->type_name());
        std::snprintf(buf, sizeof buf, (spec + type).c_str(), arg->as_double());
        out += buf;
        break;
      }
      default: r.fail(pos, std::string("unsupported format character '") + type + "'");
    }
  }
  if (!mapping && next < args.size()) r.fail(pos, "not all arguments converted during string formatting");
  return out;
}

}  // namespace foobar::tmpl
