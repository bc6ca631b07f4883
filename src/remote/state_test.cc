// The host-side state functions (state.sh) run under dash, as on a host.
#include <doctest/doctest.h>

#include "facts/probe.h"
#include "remote/library.h"
#include "util/hash.h"
#include "util/test_support.h"

using namespace foobar;

namespace {

struct Host {
  test_support::TempDir dir;
  // Runs the calls after the library; stdout, and the exit status in *status.
  std::string run(const std::string& calls, int* status = nullptr, const std::string& input = "") {
    const auto in = dir.write("stdin", input);
    const auto script = dir.write("s.sh", remote::library() + calls + "\n");
    int st = 0;
    auto out = test_support::command_output("dash " + script + " < " + in, &st);
    if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
  }
  std::string path(const std::string& rel) const { return (dir.path / "state" / rel).string(); }
};

}  // namespace

TEST_CASE("state.sh journal: added before a change, taken back, done per service, reported to the probe") {
  Host h;
  const std::string j = h.path("s.pending");
  const std::string restart = "restart\tfoobar-app\tweb-01:file:/opt/foobar/app.py";
  const std::string reload = "reload\tnginx\tweb-01:file:/etc/nginx/sites-available/foobar";
  int st = 0;
  CHECK(h.run(remote::call("fb_journal_add", {j, restart}) + "; echo $FB_JOURNAL_NEW", &st) == "1\n");
  CHECK(st == 0);
  CHECK(h.run(remote::call("fb_journal_add", {j, restart}) + "; echo $FB_JOURNAL_NEW") == "0\n");  // once only
  h.run(remote::call("fb_journal_add", {j, reload}));
  auto out = h.run(remote::call("fb_probe_state", {j, h.path("s.created")}));
  CHECK(out == "pending\t" + restart + "\npending\t" + reload + "\n");
  auto facts = parse_probe_output("web-01", "foobar-probe\t1\n" + out + "end\tok\n");
  REQUIRE(facts.ok());
  REQUIRE(facts->pending.size() == 2);
  CHECK(facts->pending[0].action == "restart");
  CHECK(facts->pending[0].service == "foobar-app");
  CHECK(facts->pending[0].source == "web-01:file:/opt/foobar/app.py");
  h.run(remote::call("fb_journal_done", {j, "foobar-app"}));
  CHECK(h.run(remote::call("fb_probe_state", {j, h.path("s.created")})) == "pending\t" + reload + "\n");
  h.run(remote::call("fb_journal_remove", {j, reload}));
  CHECK(h.run(remote::call("fb_probe_state", {j, h.path("s.created")})).empty());
  h.run(remote::call("fb_journal_add", {j, reload}) + "\n" + remote::call("fb_journal_clear", {j}));
  CHECK(h.run("test -e " + j + " && echo left").empty());
  CHECK(h.run("stat -c %a " + h.path("")) == "700\n");  // the state directory is root's
}

TEST_CASE("state.sh manifest log: each entry once, reported, dropped when the manifest is written") {
  Host h;
  const std::string m = h.path("s.json"), log = h.path("s.created");
  h.run(remote::call("fb_manifest_record", {log, "{\"id\":\"a\"}"}) + "\n" +
        remote::call("fb_manifest_record", {log, "{\"id\":\"b\"}"}) + "\n" +
        remote::call("fb_manifest_record", {log, "{\"id\":\"a\"}"}));
  auto facts = parse_probe_output(
      "h", "foobar-probe\t1\n" + h.run(remote::call("fb_probe_state", {h.path("s.pending"), log})) + "end\tok\n");
  REQUIRE(facts.ok());
  REQUIRE(facts->created);
  CHECK(*facts->created == "{\"id\":\"a\"}\n{\"id\":\"b\"}\n");
  int st = 1;
  h.run(remote::call("fb_manifest_written", {m, log}), &st, "{\"version\": 1}\n");
  CHECK(st == 0);
  CHECK(h.run("cat " + m + "; stat -c %a " + m + "; test -e " + log + " || echo gone") == "{\"version\": 1}\n600\ngone\n");
}

TEST_CASE("state.sh lock: take, held by another, takeover only of the record named, release only our own") {
  Host h;
  const std::string lock = h.path("s.lock");
  int st = 0;
  h.run(remote::call("fb_lock_take", {lock}), &st, "pid=1\n");
  CHECK(st == 0);
  CHECK(h.run(remote::call("fb_lock_take", {lock}), &st, "pid=2\n") == "pid=1\n");
  CHECK(st == 75);
  // A takeover naming another record than the one there is refused with the one there.
  CHECK(h.run(remote::call("fb_lock_takeover", {lock, sha256_hex("pid=9\n")}), &st, "pid=2\n") == "pid=1\n");
  CHECK(st == 75);
  h.run(remote::call("fb_lock_takeover", {lock, sha256_hex("pid=1\n")}), &st, "pid=2\n");
  CHECK(st == 0);
  CHECK(h.run(remote::call("fb_lock_read", {lock})) == "pid=2\n");
  h.run(remote::call("fb_lock_release", {lock, sha256_hex("pid=1\n")}));  // not ours any more: kept
  CHECK(h.run(remote::call("fb_lock_read", {lock}), &st) == "pid=2\n");
  h.run(remote::call("fb_lock_release", {lock, sha256_hex("pid=2\n")}));
  h.run(remote::call("fb_lock_read", {lock}), &st);
  CHECK(st == 1);
  h.run(remote::call("fb_lock_take", {lock}), &st, "pid=3\n");
  h.run(remote::call("fb_lock_remove", {lock}));
  h.run(remote::call("fb_lock_read", {lock}), &st);
  CHECK(st == 1);
}
