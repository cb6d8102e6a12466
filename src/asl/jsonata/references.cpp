// Names an expression reads from its input at the top level, that is from
// the document it is evaluated against rather than from a value it navigated
// to (`phone`, `a.b`, `{"k": v}`; not `$x.phone` or `$x[phone > 1]`).
#include <algorithm>

#include "asl/jsonata/ast.hpp"
#include "asl/jsonata/jsonata.hpp"

namespace sluice::asl::jsonata {

namespace {

void collect(const Node* n, bool top, std::vector<std::string>& out);

void collectStages(const std::vector<Stage>& stages, std::vector<std::string>& out) {
  for (const auto& s : stages) collect(s.expr, false, out);
}

void collect(const Node* n, bool top, std::vector<std::string>& out) {
  if (!n) return;
  // Filters are evaluated against the items they filter.
  collectStages(n->predicate, out);
  collectStages(n->stages, out);
  if (n->group) {
    for (const auto& [k, v] : n->group->pairs) {
      collect(k, false, out);
      collect(v, false, out);
    }
  }
  switch (n->type) {
    case NodeType::Name:
      if (top && std::find(out.begin(), out.end(), n->value) == out.end()) {
        out.push_back(n->value);
      }
      return;
    case NodeType::Path:
      // Only the first step reads the input; the others read what it gave.
      for (size_t i = 0; i < n->items.size(); ++i) collect(n->items[i], top && i == 0, out);
      return;
    case NodeType::Sort:
      for (const auto& t : n->terms) collect(t.expr, false, out);
      return;
    case NodeType::Lambda:
    case NodeType::Transform:
      // Evaluated against whatever they are later applied to.
      return;
    default:
      break;
  }
  collect(n->lhs, top, out);
  collect(n->rhs, top, out);
  collect(n->expr, top, out);
  collect(n->then, top, out);
  collect(n->otherwise, top, out);
  for (const Node* item : n->items) collect(item, top, out);
  for (const auto& [k, v] : n->pairs) {
    collect(k, top, out);
    collect(v, top, out);
  }
}

}  // namespace

std::vector<std::string> Expression::topLevelReferences() const {
  std::vector<std::string> out;
  if (ast_) collect(ast_->root, true, out);
  return out;
}

}  // namespace sluice::asl::jsonata
