// The compiled form of a Choice rule (private to choice_*.cpp): a tree of
// boolean connectives over typed comparisons, with every literal operand
// already converted (timestamps parsed, wildcard patterns split).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asl/choice.hpp"
#include "asl/choice_string.hpp"
#include "asl/path.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"

namespace sluice::asl {

struct ChoiceRule::Node {
  enum class Kind { And, Or, Not, Compare, Test, Constant };
  enum class Type { String, Numeric, Boolean, Timestamp };
  enum class Op { Equals, LessThan, GreaterThan, LessThanEquals, GreaterThanEquals, Matches };
  enum class Test { IsNull, IsPresent, IsNumeric, IsString, IsBoolean, IsTimestamp };

  Kind kind = Kind::Compare;
  std::vector<std::shared_ptr<const Node>> children;  // And / Or / Not

  std::optional<Path> variable;  // Compare / Test

  // Compare
  Type type = Type::String;
  Op op = Op::Equals;
  Json literal;                            // right-hand side when written literally
  std::optional<Path> operandPath;         // right-hand side of a ...Path operator
  std::optional<TimePoint> literalTime;    // literal parsed once for Timestamp*
  std::optional<WildcardPattern> pattern;  // StringMatches

  // Test
  Test test = Test::IsNull;
  bool expected = true;  // IsNull: true / false; the value of a Constant
};

}  // namespace sluice::asl
