// A host's facts in one hash: what a saved or shown plan was computed from. Apply
// compares it under the lock, so a host changed since the plan is refused. What
// moves on its own (replication lag and position) and the lock itself are left out.
#pragma once

#include <string>

#include "facts/facts.h"

namespace foobar {

// "sha256:<hex>" of a canonical form of the facts.
std::string facts_fingerprint(const Facts& facts);

}  // namespace foobar
