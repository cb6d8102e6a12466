// StartExecution's limit on an execution's input (256 KiB of UTF-8), for
// every door that starts one: the StartExecution API and `sluice run`.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/error.hpp"

namespace sluice::engine {

inline constexpr size_t kMaxExecutionInputBytes = 262144;

// The ValidationException StartExecution answers for `input`, if too long.
inline std::optional<AwsError> executionInputTooLarge(std::string_view input) {
  if (input.size() <= kMaxExecutionInputBytes) return std::nullopt;
  return AwsError::validation(
      "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must "
      "have length less than or equal to 262144");
}

}  // namespace sluice::engine
