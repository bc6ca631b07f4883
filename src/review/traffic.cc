// The request path: the load balancer's health check, HTTPS, the paths the web tier answers.
#include <algorithm>
#include <regex>

#include "review/checks.h"
#include "review/review.h"

namespace foobar::review {

const std::vector<std::string>& app_get_routes() {
  // examples/foobar-app/app.py: GET /healthz, GET /, GET /entries/<int>. POST /entries
  // exists too, but a health check is a GET and would get 405.
  static const std::vector<std::string> routes = {"/healthz", "/", "/entries/<int>"};
  return routes;
}

namespace {

bool route_matches(std::string_view route, std::string_view path) {
  auto hole = route.find("<int>");
  if (hole == std::string_view::npos) return route == path;
  if (path.substr(0, hole) != route.substr(0, hole) || path.size() <= hole) return false;
  auto digits = path.substr(hole);
  return std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

bool under_static(std::string_view location, std::string_view path) {
  if (path.substr(0, location.size()) != location) return false;
  return path.size() == location.size() || location.back() == '/' || path[location.size()] == '/';
}

}  // namespace

bool path_served(const stack::Stack& s, std::string_view path) {
  path = path.substr(0, path.find('?'));  // the query string does not choose the route
  if (s.tiers.web)
    for (const auto& loc : s.tiers.web->static_paths)
      if (!loc.value.empty() && under_static(loc.value, path)) return true;
  if (!s.tiers.app) return false;
  return std::any_of(app_get_routes().begin(), app_get_routes().end(),
                     [&](const std::string& r) { return route_matches(r, path); });
}

bool expr_mentions_request_rate(std::string_view expr) {
  // Request counters of HAProxy, nginx (exporter and VTS) and common app instrumentation.
  static const std::regex counters(
      "haproxy_(frontend|backend|server)_http_requests_total|nginx_http_requests_total|"
      "nginx_vts_server_requests_total|http_requests_total|http_server_requests|"
      "flask_http_request_total|requests_per_second|\\bqps\\b",
      std::regex::icase);
  return std::regex_search(expr.begin(), expr.end(), counters);
}

namespace detail {

void check_tls(const Ctx& c) {
  const auto& lb = c.s.tiers.lb;
  if (!c.t.tls) {
    if (!is_public(c.t)) return;
    c.add("TLS-NONE", Sev::warning, lb ? lb->pos : c.s.name.pos, lb ? "lb" : "web",
          c.t.hosts_of(lb ? stack::Tier::lb : stack::Tier::web), "the site is served over plain HTTP only",
          "whatever users post and every cookie crosses the internet readable and modifiable; "
          "browsers mark the site 'not secure'",
          lb ? "enable HTTPS at the load balancer: tiers.lb.tls: { enabled: true, certificate: ..., "
               "redirect_http: true }"
             : "put a load balancer with tiers.lb.tls in front of the web tier");
    return;
  }
  const auto& tls = *lb->tls;
  if (!c.t.reencrypt && !c.t.hosts_of(stack::Tier::web).empty())
    c.add("TLS-PLAIN-BACKEND", Sev::warning, tls.reencrypt.pos.line ? tls.reencrypt.pos : tls.pos, "lb",
          c.t.hosts_of(stack::Tier::lb),
          "TLS ends at the load balancer; requests travel on to the web tier (" +
              join(c.t.hosts_of(stack::Tier::web)) + ") as plain HTTP",
          "anyone on the internal network can read or alter user data and session cookies between "
          "the load balancer and the web servers",
          "re-encrypt to the web tier: tiers.lb.tls.reencrypt: true");
  if (tls.certificate.self_signed && c.t.hosts_of(stack::Tier::lb).size() > 1)
    c.add("TLS-CERT-PER-LB", Sev::warning, tls.pos, "lb", c.t.hosts_of(stack::Tier::lb),
          "'certificate: self-signed' makes a different certificate on each of " + join(c.t.hosts_of(stack::Tier::lb)),
          "clients that pinned or accepted one load balancer's certificate get another after a failover "
          "and refuse to connect",
          "give every load balancer the same certificate: tiers.lb.tls.certificate: { secret: NAME } "
          "(a PEM bundle; 'foobarctl lab up' issues one from the lab's CA)");
  if (!tls.redirect_http.value)
    c.add("TLS-NO-REDIRECT", Sev::info, tls.redirect_http.pos, "lb", c.t.hosts_of(stack::Tier::lb),
          "plain HTTP is served as well as HTTPS, not redirected",
          "users who type the bare name stay on the unencrypted site",
          "set tiers.lb.tls.redirect_http: true");
}

void check_health_path(const Ctx& c) {
  const auto& lb = c.s.tiers.lb;
  if (!lb) return;
  const auto& path = lb->health_check.path;
  if (path.value.empty() || path_served(c.s, path.value)) return;
  c.add("HEALTH-PATH-UNSERVED", Sev::error, path.pos.line ? path.pos : lb->health_check.pos, "lb",
        c.t.hosts_of(stack::Tier::lb),
        "the load balancer checks '" + path.value + "', which the web tier does not answer with 200 "
        "(it is neither a static location nor a GET route of the app: " + join(app_get_routes()) + ")",
        "every backend fails its health check, so the load balancer marks all servers down and the "
        "site answers 503",
        "use the app's health route: tiers.lb.health_check.path: /healthz");
}

}  // namespace detail

}  // namespace foobar::review
