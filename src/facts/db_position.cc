#include "facts/db_position.h"

#include <charconv>

#include "facts/probe.h"
#include "util/base64.h"

namespace foobar {

namespace {

std::optional<unsigned long long> number(std::string_view s) {
  unsigned long long v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    auto i = s.find(sep, start);
    out.push_back(s.substr(start, i == std::string_view::npos ? std::string_view::npos : i - start));
    if (i == std::string_view::npos) return out;
    start = i + 1;
  }
}

}  // namespace

Result<GtidList> parse_gtid_list(const std::string& where, std::string_view text) {
  GtidList out;
  if (text.empty()) return out;
  for (auto item : split(text, ',')) {
    auto parts = split(item, '-');
    std::optional<unsigned long long> d, s, n;
    if (parts.size() == 3) d = number(parts[0]), s = number(parts[1]), n = number(parts[2]);
    if (!d || !s || !n)
      return Diagnostic::error(where, "'" + std::string(text.substr(0, 80)) +
                                          "' is not a GTID position (want DOMAIN-SERVER-SEQ[,...], e.g. 0-1-42)");
    if (out.count(*d))
      return Diagnostic::error(where, "GTID position '" + std::string(text.substr(0, 80)) + "' names domain " +
                                          std::to_string(*d) + " twice");
    out[*d] = Gtid{*d, *s, *n};
  }
  return out;
}

std::string gtid_text(const GtidList& list) {
  std::string out;
  for (const auto& [d, g] : list)
    out += (out.empty() ? "" : ",") + std::to_string(g.domain) + "-" + std::to_string(g.server) + "-" +
           std::to_string(g.seq);
  return out;
}

bool gtid_reached(const GtidList& have, const GtidList& want) {
  for (const auto& [d, g] : want) {
    auto it = have.find(d);
    if (it == have.end() || it->second.seq < g.seq) return false;
  }
  return true;
}

unsigned long long gtid_progress(const GtidList& list) {
  unsigned long long sum = 0;
  for (const auto& [d, g] : list) sum += g.seq;
  return sum;
}

Result<DbPosition> parse_position_output(const std::string& host, std::string_view out) {
  DbPosition p;
  p.host = host;
  bool seen = false;
  auto bad = [&](const std::string& what) {
    return Diagnostic::error(host, "the database position it reported is malformed: " + what);
  };
  for (auto line : split(out, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    auto f = split_record(line);
    if (f[0] == "dbpos") {
      seen = true;
      if (f.size() == 3 && f[1] == "down") {
        auto e = base64_decode(f[2]);
        p.error = e ? *e : "";
        continue;
      }
      if (f.size() != 6 || f[1] != "up") return bad("dbpos: " + std::string(line.substr(0, 80)));
      p.up = true;
      p.read_only = f[2] == "1";
      p.binlog_pos = f[3], p.slave_pos = f[4], p.current_pos = f[5];
    } else if (f[0] == "dbrelay") {
      if (f.size() == 2 && f[1] == "none") continue;
      if (f.size() != 9) return bad("dbrelay: expected 8 fields");
      RelayFact r;
      r.source_host = unescape_field(f[1]);
      r.io = f[2], r.sql = f[3], r.source_log = f[4], r.exec_log = f[6], r.gtid_io_pos = f[8];
      auto rp = number(f[5]), ep = number(f[7]);
      r.read_pos = rp ? static_cast<long long>(*rp) : -1;
      r.exec_pos = ep ? static_cast<long long>(*ep) : -1;
      p.relay = std::move(r);
    } else if (f[0] == "dbsqlstate") {
      if (f.size() != 2) return bad("dbsqlstate: expected 1 field");
      auto s = base64_decode(f[1]);
      if (p.relay && s) {
        p.relay->sql_state = *s;
        while (!p.relay->sql_state.empty() && p.relay->sql_state.back() == '\n') p.relay->sql_state.pop_back();
      }
    }
  }
  if (!seen) return bad("no dbpos record");
  return p;
}

std::optional<std::string> unapplied_reason(const DbPosition& p) {
  if (!p.up) return "its database server does not answer" + (p.error.empty() ? "" : ": " + p.error);
  if (!p.relay) return std::string("it is not a replica");
  const RelayFact& r = *p.relay;
  if (r.sql != "Yes") return "its SQL thread is not running (" + r.sql + (r.sql_state.empty() ? "" : ", " + r.sql_state) +
                             "): what it received is not applied";
  auto received = parse_gtid_list(p.host + " Gtid_IO_Pos", r.gtid_io_pos);
  auto applied = parse_gtid_list(p.host + " gtid_slave_pos", p.slave_pos);
  if (!received) return received.error().message;
  if (!applied) return applied.error().message;
  if (!gtid_reached(*applied, *received))
    return "it received up to " + r.gtid_io_pos + " but applied only " + p.slave_pos;
  if (r.source_log != r.exec_log || r.read_pos != r.exec_pos)
    return "its relay log is not fully applied (read " + r.source_log + ":" + std::to_string(r.read_pos) +
           ", executed " + r.exec_log + ":" + std::to_string(r.exec_pos) + ")";
  return std::nullopt;
}

std::string db_record_path(const std::string& stack_name, const std::string& state_dir) {
  return state_dir + "/" + stack_name + ".db-primary";
}

std::string db_record_text(const std::string& primary, const std::vector<std::string>& to_fence) {
  std::string out = "primary " + primary;
  for (const auto& h : to_fence) out += "\nfence " + h;
  return out;
}

bool parse_db_record(std::string_view text, std::string& primary, std::vector<std::string>& to_fence) {
  primary.clear();
  to_fence.clear();
  for (auto line : split(text, '\n')) {
    if (line.empty()) continue;
    if (line.rfind("primary ", 0) == 0) primary = std::string(line.substr(8));
    else if (line.rfind("fence ", 0) == 0) to_fence.emplace_back(line.substr(6));
    else return false;
  }
  return !primary.empty();
}

}  // namespace foobar
