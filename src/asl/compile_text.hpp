// Definition text → JSON value: JSON first, YAML when the text is not JSON
// (Step Functions accepts both in some front doors). Private to compile_*.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace sluice::asl::detail {

// The parsed definition, or nullopt with `error` describing the syntax problem.
std::optional<Json> parseDefinitionText(std::string_view text, std::string& error);

}  // namespace sluice::asl::detail
