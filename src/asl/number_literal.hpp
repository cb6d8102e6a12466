// Number literals inside ASL expressions (intrinsic arguments, JSONPath filter
// operands): an optional sign, digits, and '.'/exponent parts. Integers that
// fit stay integers; anything else is a double, as AWS reads them.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/json.hpp"

namespace sluice::asl {

enum class NumberScan { Ok, Empty, Invalid };

// Scans from `pos` (advanced past what was consumed). `allowPlus` accepts a
// leading '+' (intrinsic arguments do; filters do not).
NumberScan scanNumberLiteral(std::string_view text, size_t& pos, bool allowPlus, Json& out);

}  // namespace sluice::asl
