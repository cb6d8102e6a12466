// Payload templates: Parameters, ItemSelector, ResultSelector and JSONPath
// Assign. Keys ending in `.$` take their value from a path or an intrinsic
// function call; everything else is copied as written.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "asl/eval_env.hpp"
#include "asl/outcome.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::asl {

class PayloadTemplate {
 public:
  // Compiles a template. `field` is the field's name ("Parameters", ...) used
  // in diagnostics. Returns an InvalidDefinition-style message on bad paths
  // or intrinsic calls (without the location suffix, which the caller adds).
  static Result<PayloadTemplate> compile(const Json& tmpl);

  // Evaluates the template. A path that selects nothing fails with
  // States.Runtime and AWS's message ("The JSONPath '$.x' specified for the
  // field 'y.$' could not be found in the input '...'").
  Outcome<Json> evaluate(const EvalEnv& env) const;

  const Json& source() const;

  struct Node;

 private:
  explicit PayloadTemplate(std::shared_ptr<const Node> root, Json source);
  std::shared_ptr<const Node> root_;
  Json source_;
};

}  // namespace sluice::asl
