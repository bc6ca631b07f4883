// Turns `foobarctl lab up` arguments into lab host specs. The one place where a
// stack file will also be turned into hosts.
#pragma once

#include <string>
#include <vector>

#include "lab/lab.h"
#include "util/result.h"

namespace foobar::cli {

// host_args are "NAME=ADDRESS" (from --host).
Result<std::vector<lab::LabHostSpec>> lab_specs_from_args(const std::vector<std::string>& host_args);

}  // namespace foobar::cli
