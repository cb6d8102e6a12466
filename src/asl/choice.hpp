// Choice rules: comparison operators (and their ...Path variants), the Is*
// tests, StringMatches, And/Or/Not, compiled once and evaluated per input.
#pragma once

#include <memory>
#include <string>

#include "asl/eval_env.hpp"
#include "asl/outcome.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::asl {

class ChoiceRule {
 public:
  // Compiles one rule (a Choices[] element, or a nested rule inside And/Or/Not).
  // `location` is the JSON-pointer location used in diagnostics
  // (e.g. "/States/Check/Choices/0").
  static Result<ChoiceRule> compile(const Json& rule, const std::string& location);

  // Evaluates the rule. A Variable path that selects nothing fails with
  // States.Runtime (AWS's message), except under IsPresent.
  Outcome<bool> evaluate(const EvalEnv& env) const;

  struct Node;

 private:
  explicit ChoiceRule(std::shared_ptr<const Node> root);
  std::shared_ptr<const Node> root_;
};

}  // namespace sluice::asl
