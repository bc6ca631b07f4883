// Pipelined apply scripts run under dash: a change's journal line is a step before
// the change, so a script cut after any step leaves a journal that still names every
// handler a finished change needs; a refused change takes back the line it added.
#include "apply/pipeline.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "util/shell.h"
#include "util/test_support.h"

using namespace foobar;
using test_support::TempDir;
using test_support::slurp;

namespace {

struct Host {
  TempDir dir;
  std::string journal() const { return (dir.path / "state/s.pending").string(); }
  std::string file() const { return (dir.path / "app.py").string(); }
  std::string log() const { return (dir.path / "restarts").string(); }

  // The steps apply makes of "update file app.py, notifying a restart of app", then
  // the restart: journal line, change (checked by `check`), handler, line gone.
  std::vector<PipelineStep> steps(const std::string& check) const {
    const std::string line = "restart\tapp\th:file:" + file();
    return {{RemoteOp{RemoteCall{"fb_journal_step", {journal(), line}}, ""}, {RemoteCall{"fb_undo_new", {journal(), line}}}},
            {RemoteOp{RemoteCall{"act_file", {file(), "root", "root", "0644", check}}, "new code\n"},
             {RemoteCall{"fb_undo_clear", {}}}},
            {RemoteOp{RemoteCall{"act_command", {"echo restarted >> " + shell_quote(log()), "", ""}}, ""}},
            {RemoteOp{RemoteCall{"fb_journal_done", {journal(), "app"}}, ""}}};
  }

  // Runs the first `n` steps as one script under dash; its step records.
  std::string run(std::vector<PipelineStep> s, std::size_t n) {
    s.resize(n);
    auto inv = pipeline_invocation(s);
    const auto in = dir.write("in", inv.input);
    int status = -1;
    REQUIRE(inv.command.rfind("sh -c ", 0) == 0);
    auto out = test_support::command_output("da" + inv.command + " < " + shell_quote(in), &status);  // dash -c
    CHECK(status == 0);
    return out;
  }
};

}  // namespace

TEST_CASE("pipelined apply: cut after any step, the journal still holds the restart a finished change needs") {
  for (std::size_t n = 0; n <= 4; ++n) {
    CAPTURE(n);
    Host h;
    h.dir.write("app.py", "old code\n");
    auto out = h.run(h.steps(""), n);
    const bool changed = slurp(h.file()) == "new code\n";
    const bool restarted = slurp(h.log()) == "restarted\n";
    const bool pending = slurp(h.journal()).find("restart\tapp\t") != std::string::npos;
    CHECK(changed == (n >= 2));
    CHECK(restarted == (n >= 3));
    // Changed but not restarted: the restart must be pending. Once the handler's
    // journal step ran, nothing is.
    if (changed && !restarted) CHECK(pending);
    CHECK(pending == (n >= 1 && n < 4));
  }
}

TEST_CASE("pipelined apply: a change its checker refuses takes back its new journal line and ends the script") {
  Host h;
  h.dir.write("app.py", "old code\n");
  auto out = h.run(h.steps("false"), 4);
  CHECK(out.find("step\t1\t3\t") != std::string::npos);
  CHECK(out.find("step\t2\t") == std::string::npos);  // no restart
  CHECK(slurp(h.file()) == "old code\n");
  CHECK(slurp(h.journal()).empty());

  // A line an earlier, killed run left is kept: its change happened.
  Host k;
  k.dir.write("app.py", "old code\n");
  k.dir.write("state/s.pending", "restart\tapp\th:file:" + k.file() + "\n");
  k.run(k.steps("false"), 4);
  CHECK(slurp(k.journal()) == "restart\tapp\th:file:" + k.file() + "\n");
}

TEST_CASE("pipelined apply: step records carry their duration; older four-field records still parse") {
  auto steps = parse_step_records("h", "step\t0\t0\tYWJj\t120\nstep\t1\t2\t\n");
  REQUIRE(steps.ok());
  REQUIRE(steps->size() == 2);
  CHECK((*steps)[0].output == "abc");
  CHECK((*steps)[0].ms == 120);
  CHECK((*steps)[1].status == 2);
  CHECK((*steps)[1].ms == 0);
  auto bad = parse_step_records("h", "step\t0\t0\t\tslow\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("apply output line 1") != std::string::npos);
}
