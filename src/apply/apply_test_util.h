// Helpers for the apply module's tests.
#pragma once

#include "graph/resource.h"
#include "plan/plan.h"

namespace foobar::testing {

// The plan's action of `type` on resource `r`.
inline Action action(const Resource& r, ActionType type) {
  Action a;
  a.id = r.id();
  a.host = r.host;
  a.kind = r.kind;
  a.name = r.name;
  a.type = type;
  return a;
}

}  // namespace foobar::testing
