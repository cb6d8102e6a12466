// JSONPath as Step Functions accepts it, compiled once.
//
// Three roots: `$` (the input), `$$` (the context object) and `$name` (a
// variable). A *reference path* names one node (only `.name`, `['name']` and
// `[n]` steps) and is what ResultPath, Choice `Variable`s etc. require; a full
// JSONPath may also use wildcards, recursive descent, slices, unions and
// filters, and then selects a list of nodes (Jayway semantics, which AWS uses).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "asl/eval_env.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::asl {

class Path {
 public:
  enum class Root { Input, Context, Variable };

  // Parses `text`. The error's message says what is wrong with the path
  // (callers add the field location to build an InvalidDefinition message).
  static Result<Path> parse(std::string_view text);

  const std::string& text() const;
  Root root() const;
  // Variable name for Root::Variable (without the `$`).
  const std::string& variable() const;
  // True when the path can only ever select a single node.
  bool isDefinite() const;
  // True when the path is a reference path (definite, simple steps only).
  bool isReferencePath() const;
  // `$.name` (one member of the input): the name; otherwise nullptr.
  const std::string* topLevelField() const;
  // Jayway's normalised rendering, used in AWS error messages: `$['a']['b'][0]`.
  std::string normalized() const;

  // Selects from the root chosen by the path. A definite path returns the node
  // or nullopt when it does not exist; an indefinite path returns an array of
  // every match (possibly empty).
  std::optional<Json> select(const EvalEnv& env) const;
  // Same, applied to an explicit document (ignoring the root kind).
  std::optional<Json> selectFrom(const Json& document) const;

  // Writes `value` at this reference path inside `document`, creating missing
  // objects on the way (ResultPath semantics). Returns false when the path runs
  // through a non-object (States.ResultPathMatchFailure).
  bool assign(Json& document, Json value) const;

  // The document the root refers to: the input, the context object or the
  // variable's value (nullptr when absent).
  const Json* document(const EvalEnv& env) const;
  // For reference paths: the selected node inside its document, without
  // copying (nullptr when missing or when the path is not a reference path).
  const Json* find(const EvalEnv& env) const;

  Path(const Path&);
  Path(Path&&) noexcept;
  Path& operator=(const Path&);
  Path& operator=(Path&&) noexcept;
  ~Path();

  struct Impl;

 private:
  explicit Path(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sluice::asl
