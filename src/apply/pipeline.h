// Several operations of one host in one remote script, run back to back without a
// round trip between them. Each operation's outcome comes back as a step record and
// the script stops at its first failing step (fb_step in src/remote/common.sh).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "apply/operations.h"
#include "remote/library.h"
#include "util/result.h"

namespace foobar {

// What a step did: its operation's exit status and its output (stdout and stderr).
struct StepResult {
  std::size_t op = 0;  // index into the operations given to pipeline_invocation
  int status = 0;
  std::string output;
  long ms = 0;  // how long it ran on the host (10 ms resolution)
};

// One step of a pipeline: an operation, then calls the script makes itself once the
// step succeeded, without a record of their own (fb_undo_new and fb_undo_clear in
// src/remote/state.sh: a refused change takes back the journal lines added for it).
struct PipelineStep {
  RemoteOp op;
  std::vector<RemoteCall> then = {};
};

// The script and its stdin: each operation's input in turn. Operations with an
// input_from cannot be pipelined (their input is another host's output): the caller
// reads that output first and puts it into the operation's input.
remote::Invocation pipeline_invocation(const std::vector<PipelineStep>& steps);

// The step records of a pipeline's output, in order; anything else is an error.
Result<std::vector<StepResult>> parse_step_records(const std::string& host, std::string_view out);

}  // namespace foobar
