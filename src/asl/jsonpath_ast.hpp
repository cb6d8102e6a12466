// Internal representation of a compiled JSONPath (shared by the parser, the
// evaluator and Path). Steps follow Jayway's tokens, which AWS uses.
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "asl/path.hpp"
#include "core/json.hpp"

namespace sluice::asl::jsonpath {

struct FilterExpr;

struct Step {
  enum class Kind { Name, Names, Index, Indexes, Wildcard, Slice, Filter };
  Kind kind = Kind::Name;
  bool recursive = false;          // preceded by `..`
  std::vector<std::string> names;  // Name (one) / Names (several)
  std::vector<long long> indexes;  // Index (one) / Indexes (several)
  std::optional<long long> sliceStart, sliceEnd;
  std::shared_ptr<const FilterExpr> filter;
};

using Steps = std::vector<Step>;

// True when `steps` can only select one node (Jayway's "definite path"). A
// multi-name bracket at the leaf is definite: it merges into one object.
bool isDefinite(const Steps& steps);
// Only single names and indexes.
bool isReference(const Steps& steps);

// One side of a filter comparison.
struct Operand {
  enum class Kind { Literal, Current, Root, Regex };
  Kind kind = Kind::Literal;
  Json literal;  // Literal
  Steps steps;   // Current (`@...`) / Root (`$...`)
  bool definite = true;
  std::shared_ptr<const std::regex> regex;  // Regex
};

struct FilterExpr {
  enum class Op { Or, And, Not, Exists, Eq, Ne, Lt, Le, Gt, Ge, Match, In, Nin };
  Op op = Op::Exists;
  std::vector<FilterExpr> children;  // Or / And / Not
  Operand lhs, rhs;                  // comparisons; Exists uses lhs only
};

// Parses the steps following a root. `pos` starts after the root token and is
// left where parsing stopped; in a filter, names also end at operator chars.
// Returns an error message or nullopt.
std::optional<std::string> parseSteps(std::string_view text, size_t& pos, Steps& out,
                                      bool inFilter);

// Nodes selected by an indefinite path. Merged objects (multi-name leaves) are
// owned here; everything else points into the document.
struct Matches {
  std::vector<const Json*> nodes;
  std::vector<std::unique_ptr<Json>> owned;
};

// Walks `steps` from `node`; `root` is what `$` means inside filters.
void selectAll(const Steps& steps, const Json& node, const Json& root, Matches& out);
// Definite walk: the node or nullptr. A multi-name leaf is not handled here.
const Json* selectOne(const Steps& steps, const Json& node);
// Same, over the first `count` steps only.
const Json* selectPrefix(const Steps& steps, size_t count, const Json& node);
// Definite selection, merged multi-name leaf included.
std::optional<Json> selectDefinite(const Steps& steps, const Json& node);

std::string normalized(const Steps& steps);

}  // namespace sluice::asl::jsonpath

namespace sluice::asl {

struct Path::Impl {
  std::string text;
  Root root = Root::Input;
  std::string variable;
  jsonpath::Steps steps;
  bool definite = true;
  bool reference = true;
};

}  // namespace sluice::asl
