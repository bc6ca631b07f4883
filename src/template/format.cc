// Python's printf-style formatting (`'%-8s' % x`, `'%(k)05d' | format(...)`),
// written out by hand where C's printf differs (negative hex and octal, %c, %s
// widths in characters) and with width and precision bounded.
#include <cstdio>
#include <string>

#include "template/builtins.h"
#include "template/limits.h"
#include "template/number.h"
#include "util/utf8.h"

namespace foobar::tmpl {
namespace {

struct Spec {
  std::string flags;
  int64_t width = 0;
  int64_t precision = -1;
  bool has(char f) const { return flags.find(f) != std::string::npos; }
};

int64_t read_number(Renderer& r, const std::string& fmt, size_t& i, const char* what, SourcePos pos) {
  int64_t n = 0;
  while (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9') {
    n = n * 10 + (fmt[i++] - '0');
    if (n > kMaxWidth)
      r.fail(pos, std::string("format ") + what + " is too large (at most " + std::to_string(kMaxWidth) + ")");
  }
  return n;
}

// Appends sign + prefix + body padded to the width as Python does: left with '-',
// zeros after the sign with '0' (numbers only), else spaces before.
void pad(std::string& out, const std::string& head, const std::string& body, const Spec& spec, bool numeric) {
  size_t len = utf8_length(head) + utf8_length(body);
  size_t fill = spec.width > static_cast<int64_t>(len) ? static_cast<size_t>(spec.width) - len : 0;
  if (spec.has('-')) {
    out += head + body;
    out.append(fill, ' ');
  } else if (numeric && spec.has('0')) {
    out += head;
    out.append(fill, '0');
    out += body;
  } else {
    out.append(fill, ' ');
    out += head + body;
  }
}

void format_int(std::string& out, int64_t v, char type, const Spec& spec) {
  // The magnitude as unsigned, so that -2**63 has one.
  uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  int base = type == 'x' || type == 'X' ? 16 : type == 'o' ? 8 : 10;
  const char* digit_chars = type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string digits;
  do {
    digits.insert(digits.begin(), digit_chars[mag % static_cast<uint64_t>(base)]);
    mag /= static_cast<uint64_t>(base);
  } while (mag);
  if (spec.precision > static_cast<int64_t>(digits.size()))
    digits.insert(0, static_cast<size_t>(spec.precision) - digits.size(), '0');
  std::string head = v < 0 ? "-" : spec.has('+') ? "+" : spec.has(' ') ? " " : "";
  if (spec.has('#') && base != 10) head += type == 'X' ? "0X" : base == 16 ? "0x" : "0o";
  pad(out, head, digits, spec, true);
}

// `%(key)`: the mapping's value for the key that starts at fmt[i] ('('); i moves past ')'.
const Value* keyed_arg(Renderer& r, const std::string& fmt, size_t& i, const Dict* mapping, SourcePos pos) {
  size_t close = fmt.find(')', i);
  if (close == std::string::npos) r.fail(pos, "incomplete format key: expected ')'");
  std::string key = fmt.substr(i + 1, close - i - 1);
  if (!mapping) r.fail(pos, "format requires a mapping for '%(" + key + ")'");
  const Value* arg = mapping->find(key);
  if (!arg) r.fail(pos, "format: key '" + key + "' is missing");
  i = close + 1;
  return arg;
}

// Flags, width and precision from fmt[i]; i moves to the conversion character.
Spec read_spec(Renderer& r, const std::string& fmt, size_t& i, SourcePos pos) {
  Spec spec;
  while (i < fmt.size() && std::string_view("-+ #0").find(fmt[i]) != std::string_view::npos) spec.flags += fmt[i++];
  spec.width = read_number(r, fmt, i, "width", pos);
  if (i < fmt.size() && fmt[i] == '.') spec.precision = read_number(r, fmt, ++i, "precision", pos);
  if (i >= fmt.size()) r.fail(pos, "incomplete format specifier at the end of the format string");
  return spec;
}

// %s and %r: the precision cuts characters, not bytes.
void format_text(std::string& out, const Value& arg, char type, const Spec& spec) {
  std::string s = type == 's' ? py_str(arg) : py_repr(arg);
  if (spec.precision >= 0) {
    auto chars = utf8_chars(s);
    if (static_cast<size_t>(spec.precision) < chars.size()) {
      s.clear();
      for (size_t k = 0; k < static_cast<size_t>(spec.precision); ++k) s += chars[k];
    }
  }
  pad(out, "", s, spec, false);
}

// %c: one character, or the code point of an integer.
void format_char(Renderer& r, std::string& out, const Value& arg, const Spec& spec, SourcePos pos) {
  if (arg.is_string() && utf8_length(arg.as_string()) == 1) {
    pad(out, "", arg.as_string(), spec, false);
    return;
  }
  if (!arg.is_int() && !arg.is_bool()) r.fail(pos, "%c requires an int or a single character, not " + arg.type_name());
  int64_t c = arg.as_int();
  if (c < 0 || c > 0x10ffff) r.fail(pos, "%c arg not in range(0x110000)");
  std::string ch;
  append_utf8(ch, static_cast<uint32_t>(c));
  pad(out, "", ch, spec, false);
}

// %d %i %u %x %X %o: a float is truncated to an integer first.
void format_integer(Renderer& r, std::string& out, const Value& arg, char type, const Spec& spec, SourcePos pos) {
  if (!arg.is_number()) r.fail(pos, std::string("%") + type + " format: a number is required, not " + arg.type_name());
  int64_t v;
  if (arg.is_real()) {
    auto t = float_to_int(arg.as_double());
    if (!t) r.fail(pos, std::string("%") + type + " format: " + py_str(arg) + " has no 64-bit integer value");
    v = *t;
  } else {
    v = arg.as_int();
  }
  format_int(out, v, type, spec);
}

// %f %F %e %E %g %G: C's printf agrees with Python here.
void format_float(Renderer& r, std::string& out, const Value& arg, char type, const Spec& spec, SourcePos pos) {
  if (!arg.is_number()) r.fail(pos, "must be real number, not " + arg.type_name());
  std::string c_spec = "%" + spec.flags + (spec.width ? std::to_string(spec.width) : "") +
                       (spec.precision >= 0 ? "." + std::to_string(spec.precision) : "") + type;
  int n = std::snprintf(nullptr, 0, c_spec.c_str(), arg.as_double());
  std::string buf(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(buf.data(), buf.size(), c_spec.c_str(), arg.as_double());
  buf.resize(static_cast<size_t>(n));
  out += buf;
}

void convert(Renderer& r, std::string& out, const Value& arg, char type, const Spec& spec, SourcePos pos) {
  switch (type) {
    case 's':
    case 'r': return format_text(out, arg, type, spec);
    case 'c': return format_char(r, out, arg, spec, pos);
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
    case 'o': return format_integer(r, out, arg, type, spec, pos);
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': return format_float(r, out, arg, type, spec, pos);
    default: r.fail(pos, std::string("unsupported format character '") + type + "'");
  }
}

}  // namespace

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
    const Value* arg = fmt[i] == '(' ? keyed_arg(r, fmt, i, mapping, pos) : nullptr;
    Spec spec = read_spec(r, fmt, i, pos);
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
    convert(r, out, *arg, type, spec, pos);
  }
  if (!mapping && next < args.size()) r.fail(pos, "not all arguments converted during string formatting");
  return out;
}

}  // namespace foobar::tmpl
