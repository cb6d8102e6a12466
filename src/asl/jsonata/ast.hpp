// The syntax tree of a compiled JSONata expression. Nodes live in an arena
// owned by Ast and point at each other with raw pointers; a tree is built once
// and never changed afterwards.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "asl/jsonata/value.hpp"

namespace sluice::asl::jsonata {

struct Signature;
struct RegexData;

// Thrown inside the implementation; converted to Error at the API boundary.
struct JError {
  std::string code;
  int position = -1;
  std::string token;
  bool hasToken = false;
  Value value;
  Value value2;
  bool hasValue = false;
  int index = 0;
  std::string detail;  // extra text for messages

  JError() = default;
  explicit JError(std::string c) : code(std::move(c)) {}
  JError& at(int pos) {
    position = pos;
    return *this;
  }
  JError& tok(std::string t) {
    token = std::move(t);
    hasToken = true;
    return *this;
  }
  JError& val(Value v) {
    value = std::move(v);
    hasValue = true;
    return *this;
  }
  JError& idx(int i) {
    index = i;
    return *this;
  }
};

enum class NodeType : uint8_t {
  // Final forms (after processing).
  Path,
  Binary,  // arithmetic, comparison, boolean, &, .., in
  Negate,
  ArrayCons,
  ObjectCons,
  Name,
  String,
  Number,
  Literal,  // true / false / null
  Wildcard,
  Descendant,
  Parent,
  Condition,
  Block,
  Bind,
  Regex,
  Function,
  Partial,
  Variable,
  Lambda,
  Apply,
  Transform,
  Sort,
  Placeholder,  // `?` in a partial application
  // Raw forms produced by the parser only.
  RawBinary,    // op in `value`
  RawOperator,  // and/or/in used as a name
  RawEnd,
};

enum class Op : uint8_t {
  None,
  Add,
  Sub,
  Mul,
  Div,
  Mod,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  Concat,
  Range,
  In,
  And,
  Or
};

struct Slot {
  std::string label;
  int level = 1;
  int index = 0;
};

struct Node;

struct Stage {
  bool isIndex = false;  // index binding (#$var) rather than a filter
  Node* expr = nullptr;
  std::string var;
  int position = 0;
};

struct SortTerm {
  Node* expr = nullptr;
  bool descending = false;
};

struct GroupSpec {
  std::vector<std::pair<Node*, Node*>> pairs;
  int position = 0;
};

struct Node {
  NodeType type = NodeType::RawEnd;
  int position = 0;
  std::string value;  // name, variable, operator, string literal
  double num = 0;
  Op op = Op::None;  // Binary
  Value literal;     // for String/Number/Literal

  Node* lhs = nullptr;
  Node* rhs = nullptr;
  Node* expr = nullptr;       // unary operand, condition, procedure, lambda body, transform pattern
  Node* then = nullptr;       // condition then / transform update
  Node* otherwise = nullptr;  // condition else / transform delete
  std::vector<Node*> items;   // array items, block expressions, arguments, path steps
  std::vector<std::pair<Node*, Node*>> pairs;  // object constructor
  std::vector<SortTerm> terms;
  std::vector<std::string> params;  // lambda parameter names

  std::vector<Stage> predicate;  // filters on a non-path expression
  std::vector<Stage> stages;     // filters/index bindings on a path step
  std::unique_ptr<GroupSpec> group;

  bool keepArray = false;
  bool keepSingletonArray = false;
  bool consarray = false;
  bool tuple = false;
  bool thunk = false;
  bool hasFocus = false;
  bool hasIndex = false;
  std::string focus;
  std::string indexVar;
  std::shared_ptr<Slot> ancestor;
  std::shared_ptr<Slot> slot;
  std::vector<std::shared_ptr<Slot>> seekingParent;
  bool hasSeekingParent = false;

  std::shared_ptr<const Signature> signature;
  std::shared_ptr<const RegexData> regex;
};

struct Ast {
  std::deque<Node> nodes;
  Node* root = nullptr;
  Node* make(NodeType t, int pos) {
    nodes.emplace_back();
    Node* n = &nodes.back();
    n->type = t;
    n->position = pos;
    return n;
  }
};

// Parses and processes an expression; throws JError (S0xxx) on bad syntax.
std::shared_ptr<Ast> parseExpression(std::string_view text);

}  // namespace sluice::asl::jsonata
