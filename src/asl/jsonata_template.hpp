// The value of a JSONata-mode field (Arguments, Output, Assign, Items,
// ItemSelector, Condition, Seconds, ...): any JSON value in which a string
// written "{% expression %}" is a JSONata expression and everything else is a
// literal, at any depth. Compiled once with the definition; evaluation only
// runs the pre-parsed expressions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asl/eval_env.hpp"
#include "asl/outcome.hpp"
#include "core/json.hpp"

namespace sluice::asl {

// A compile-time problem: `path` is relative to the compiled value ("" for the
// value itself, "result/0" for an element inside it).
struct JsonataProblem {
  const char* code;  // INVALID_JSONATA_EXPRESSION, UNSUPPORTED_JSONATA_EXPRESSION
  std::string message;
  std::string path;
};

class JsonataTemplate {
 public:
  // Compiles `value`, the content of field `field` ("Output", "Arguments",
  // "Assign"); nested fields are named "Output/result" in runtime causes.
  // Returns nullopt and fills `problems` when an expression does not parse.
  static std::optional<JsonataTemplate> compile(const Json& value, std::string field,
                                                std::vector<JsonataProblem>& problems);

  // Evaluates every expression. Failures are States.QueryEvaluationError with
  // AWS's causes ("The JSONata expression '$x' specified for the field
  // 'Output/result' returned nothing (undefined).") and the failing field as
  // the error's evaluation location.
  Outcome<Json> evaluate(const EvalEnv& env) const;

  // States.QueryEvaluationError for a value of the wrong type:
  // "The JSONata expression 'X' specified for the field 'Items' returned an
  // unexpected result type. Expected 'array', but was 'boolean' for value: true"
  StatesError unexpectedType(const Json& value, std::string_view expected) const;

  const std::string& field() const { return field_; }
  // The text of the expression when the whole value is one expression.
  const std::string* expressionText() const;

  struct Node;
  explicit JsonataTemplate(std::shared_ptr<const Node> root, std::string field);

 private:
  std::shared_ptr<const Node> root_;
  std::string field_;
};

// A StatesError recorded as an EvaluationFailed event at `location` (may be empty).
StatesError queryEvaluationError(std::string cause, std::string location);

}  // namespace sluice::asl
