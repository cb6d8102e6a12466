// Choice rules: comparison operators (and their ...Path variants), the Is*
// tests, StringMatches, And/Or/Not, compiled once and evaluated per input.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asl/eval_env.hpp"
#include "asl/outcome.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::asl {

// One thing wrong with a rule, at a JSON-pointer location.
struct ChoiceRuleProblem {
  std::string message;
  std::string location;
};

class ChoiceRule {
 public:
  // Compiles one rule (a Choices[] element, or a nested rule inside And/Or/Not).
  // `location` is the JSON-pointer location used in diagnostics
  // (e.g. "/States/Check/Choices/0"). On failure the AwsError's message is the
  // first problem as "<message> at <location>" (code SCHEMA_VALIDATION_FAILED).
  static Result<ChoiceRule> compile(const Json& rule, const std::string& location);

  // Same, reporting every problem. `topLevel` allows the fields of a Choices[]
  // element (Next, Assign, Comment) next to the rule itself.
  static std::optional<ChoiceRule> compile(const Json& rule, const std::string& location,
                                           bool topLevel, std::vector<ChoiceRuleProblem>& problems);

  // Evaluates the rule. A Variable (or ...Path operand) that selects nothing
  // fails with States.Runtime, except under IsPresent, whose cause is AWS's
  // "Invalid path '$.x': The choice state's condition path references an
  // invalid value." (the engine prefixes "An error occurred while executing
  // the state ..."). Comparing values of the wrong type is simply false.
  Outcome<bool> evaluate(const EvalEnv& env) const;

  // A rule that always yields `value`: the placeholder of a JSONata Choices[]
  // element, whose `Condition` the engine evaluates from ChoiceBranch::raw.
  static ChoiceRule constant(bool value);

  struct Node;

 private:
  explicit ChoiceRule(std::shared_ptr<const Node> root);
  std::shared_ptr<const Node> root_;
};

}  // namespace sluice::asl
