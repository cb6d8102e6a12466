// Intrinsic functions (States.Format, States.Array, ... States.UUID), parsed
// once into a call tree and evaluated against an EvalEnv.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "asl/eval_env.hpp"
#include "asl/outcome.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::asl {

class IntrinsicCall {
 public:
  // True when `text` looks like an intrinsic call (`States.Name(...)`).
  static bool looksLikeCall(std::string_view text);
  // Parses a call; the error message explains a syntax or arity problem.
  static Result<IntrinsicCall> parse(std::string_view text);

  // Evaluates the call. Failures are States.IntrinsicFailure (bad arguments)
  // or States.Runtime, with AWS's cause texts.
  Outcome<Json> evaluate(const EvalEnv& env) const;

  const std::string& text() const;

  struct Node;

 private:
  explicit IntrinsicCall(std::shared_ptr<const Node> root, std::string text);
  std::shared_ptr<const Node> root_;
  std::string text_;
};

}  // namespace sluice::asl
