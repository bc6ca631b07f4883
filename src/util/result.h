// Expected failures are values: a Result holds either a value or the diagnostics
// (at least one) that say why there is none.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "util/diagnostic.h"

namespace foobar {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_data(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Diagnostic d) : m_data(Diagnostics{std::move(d)}) {}  // NOLINT
  Result(Diagnostics ds) : m_data(std::move(ds)) { assert(!diagnostics().empty()); }  // NOLINT

  bool ok() const { return m_data.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(m_data); }
  const T& value() const& { return std::get<0>(m_data); }
  T&& value() && { return std::get<0>(std::move(m_data)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Diagnostics& diagnostics() const { return std::get<1>(m_data); }
  const Diagnostic& error() const { return diagnostics().front(); }

 private:
  std::variant<T, Diagnostics> m_data;
};

// For operations that produce nothing but may fail.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace foobar
