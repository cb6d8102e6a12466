// Choice rule evaluation. Mirrors AWS: an operand of the wrong type makes a
// comparison false rather than failing; only missing paths are errors.
#include "asl/choice.hpp"

#include "asl/choice_node.hpp"
#include "asl/timestamp.hpp"

namespace sluice::asl {

namespace {

using Node = ChoiceRule::Node;

StatesError invalidPath(const Path& path) {
  return StatesError{errors::kRuntime,
                     "Invalid path '" + path.text() +
                         "': The choice state's condition path references an invalid value."};
}

bool applyOrder(Node::Op op, int cmp) {
  switch (op) {
    case Node::Op::Equals:
      return cmp == 0;
    case Node::Op::LessThan:
      return cmp < 0;
    case Node::Op::GreaterThan:
      return cmp > 0;
    case Node::Op::LessThanEquals:
      return cmp <= 0;
    case Node::Op::GreaterThanEquals:
      return cmp >= 0;
    case Node::Op::Matches:
      return false;
  }
  return false;
}

// Three-way numeric comparison; exact for two integers, by value otherwise.
int compareNumbers(const Json& a, const Json& b) {
  if (a.is_int64() && b.is_int64()) {
    auto x = a.get_int64(), y = b.get_int64();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  double x = toDouble(a), y = toDouble(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

template <typename T>
int threeWay(const T& a, const T& b) {
  return a < b ? -1 : b < a ? 1 : 0;
}

bool compare(const Node& n, const Json& lhs, const Json& rhs) {
  switch (n.type) {
    case Node::Type::String:
      if (!lhs.is_string() || !rhs.is_string()) return false;
      if (n.op == Node::Op::Matches) return n.pattern->matches(lhs.get_string());
      return applyOrder(n.op, compareUtf16(lhs.get_string(), rhs.get_string()));
    case Node::Type::Numeric:
      if (!isNumber(lhs) || !isNumber(rhs)) return false;
      return applyOrder(n.op, compareNumbers(lhs, rhs));
    case Node::Type::Boolean:
      if (!lhs.is_bool() || !rhs.is_bool()) return false;
      return lhs.get_bool() == rhs.get_bool();
    case Node::Type::Timestamp: {
      if (!lhs.is_string() || !rhs.is_string()) return false;
      auto l = parseTimestamp(lhs.get_string());
      auto r = n.literalTime ? n.literalTime : parseTimestamp(rhs.get_string());
      if (!l || !r) return false;
      return applyOrder(n.op, threeWay(*l, *r));
    }
  }
  return false;
}

bool test(Node::Test t, const Json& v) {
  switch (t) {
    case Node::Test::IsNull:
      return v.is_null();
    case Node::Test::IsPresent:
      return true;
    case Node::Test::IsNumeric:
      return isNumber(v);
    case Node::Test::IsString:
      return v.is_string();
    case Node::Test::IsBoolean:
      return v.is_bool();
    case Node::Test::IsTimestamp:
      return v.is_string() && parseTimestamp(v.get_string());
  }
  return false;
}

Outcome<bool> evaluateNode(const Node& n, const EvalEnv& env) {
  switch (n.kind) {
    case Node::Kind::And:
      for (const auto& c : n.children) {
        auto r = evaluateNode(*c, env);
        if (!r.ok() || !*r) return r;
      }
      return true;
    case Node::Kind::Or:
      for (const auto& c : n.children) {
        auto r = evaluateNode(*c, env);
        if (!r.ok() || *r) return r;
      }
      return false;
    case Node::Kind::Not: {
      auto r = evaluateNode(*n.children.front(), env);
      if (!r.ok()) return r;
      return !*r;
    }
    case Node::Kind::Constant:
      return n.expected;
    case Node::Kind::Test: {
      auto value = n.variable->select(env);
      if (!value) {
        if (n.test == Node::Test::IsPresent) return !n.expected;
        return invalidPath(*n.variable);
      }
      return test(n.test, *value) == n.expected;
    }
    case Node::Kind::Compare: {
      auto value = n.variable->select(env);
      if (!value) return invalidPath(*n.variable);
      if (n.operandPath) {
        auto rhs = n.operandPath->select(env);
        if (!rhs) return invalidPath(*n.operandPath);
        return compare(n, *value, *rhs);
      }
      return compare(n, *value, n.literal);
    }
  }
  return false;
}

}  // namespace

ChoiceRule::ChoiceRule(std::shared_ptr<const Node> root) : root_(std::move(root)) {}

ChoiceRule ChoiceRule::constant(bool value) {
  auto node = std::make_shared<Node>();
  node->kind = Node::Kind::Constant;
  node->expected = value;
  return ChoiceRule(std::move(node));
}

Outcome<bool> ChoiceRule::evaluate(const EvalEnv& env) const {
  return evaluateNode(*root_, env);
}

}  // namespace sluice::asl
