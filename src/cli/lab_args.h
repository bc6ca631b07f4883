// Turns `foobarctl lab up` arguments into lab host specs. The one place where a
// stack file will also be turned into hosts: reading the stack's compiled resources
// and topology needs compile/, which lab/ may not use, so the LabTarget is made here.
#pragma once

#include <string>
#include <vector>

#include "lab/lab.h"
#include "lab/provision.h"
#include "util/result.h"

namespace foobar::cli {

// host_args are "NAME=ADDRESS" (from --host).
Result<std::vector<lab::LabHostSpec>> lab_specs_from_args(const std::vector<std::string>& host_args);

// Whether a `lab` argument names a stack file rather than a lab.
bool names_stack_file(const std::string& arg);
// The lab a stack needs: its hosts with their units, packages, secrets and TLS names.
Result<lab::LabTarget> lab_target_from_stack(const std::string& stack_path);

}  // namespace foobar::cli
