// Choice rule compilation: checks a rule's shape the way Step Functions'
// schema does and builds the Node tree once.
#include <array>
#include <string_view>

#include "asl/choice_node.hpp"
#include "asl/timestamp.hpp"

namespace sluice::asl {

namespace {

using Node = ChoiceRule::Node;

struct Operator {
  std::string_view name;
  Node::Type type;
  Node::Op op;
  bool path;
};

constexpr std::array kOperators = {
    Operator{"StringEquals", Node::Type::String, Node::Op::Equals, false},
    Operator{"StringEqualsPath", Node::Type::String, Node::Op::Equals, true},
    Operator{"StringLessThan", Node::Type::String, Node::Op::LessThan, false},
    Operator{"StringLessThanPath", Node::Type::String, Node::Op::LessThan, true},
    Operator{"StringGreaterThan", Node::Type::String, Node::Op::GreaterThan, false},
    Operator{"StringGreaterThanPath", Node::Type::String, Node::Op::GreaterThan, true},
    Operator{"StringLessThanEquals", Node::Type::String, Node::Op::LessThanEquals, false},
    Operator{"StringLessThanEqualsPath", Node::Type::String, Node::Op::LessThanEquals, true},
    Operator{"StringGreaterThanEquals", Node::Type::String, Node::Op::GreaterThanEquals, false},
    Operator{"StringGreaterThanEqualsPath", Node::Type::String, Node::Op::GreaterThanEquals, true},
    Operator{"StringMatches", Node::Type::String, Node::Op::Matches, false},
    Operator{"NumericEquals", Node::Type::Numeric, Node::Op::Equals, false},
    Operator{"NumericEqualsPath", Node::Type::Numeric, Node::Op::Equals, true},
    Operator{"NumericLessThan", Node::Type::Numeric, Node::Op::LessThan, false},
    Operator{"NumericLessThanPath", Node::Type::Numeric, Node::Op::LessThan, true},
    Operator{"NumericGreaterThan", Node::Type::Numeric, Node::Op::GreaterThan, false},
    Operator{"NumericGreaterThanPath", Node::Type::Numeric, Node::Op::GreaterThan, true},
    Operator{"NumericLessThanEquals", Node::Type::Numeric, Node::Op::LessThanEquals, false},
    Operator{"NumericLessThanEqualsPath", Node::Type::Numeric, Node::Op::LessThanEquals, true},
    Operator{"NumericGreaterThanEquals", Node::Type::Numeric, Node::Op::GreaterThanEquals, false},
    Operator{"NumericGreaterThanEqualsPath", Node::Type::Numeric, Node::Op::GreaterThanEquals,
             true},
    Operator{"BooleanEquals", Node::Type::Boolean, Node::Op::Equals, false},
    Operator{"BooleanEqualsPath", Node::Type::Boolean, Node::Op::Equals, true},
    Operator{"TimestampEquals", Node::Type::Timestamp, Node::Op::Equals, false},
    Operator{"TimestampEqualsPath", Node::Type::Timestamp, Node::Op::Equals, true},
    Operator{"TimestampLessThan", Node::Type::Timestamp, Node::Op::LessThan, false},
    Operator{"TimestampLessThanPath", Node::Type::Timestamp, Node::Op::LessThan, true},
    Operator{"TimestampGreaterThan", Node::Type::Timestamp, Node::Op::GreaterThan, false},
    Operator{"TimestampGreaterThanPath", Node::Type::Timestamp, Node::Op::GreaterThan, true},
    Operator{"TimestampLessThanEquals", Node::Type::Timestamp, Node::Op::LessThanEquals, false},
    Operator{"TimestampLessThanEqualsPath", Node::Type::Timestamp, Node::Op::LessThanEquals, true},
    Operator{"TimestampGreaterThanEquals", Node::Type::Timestamp, Node::Op::GreaterThanEquals,
             false},
    Operator{"TimestampGreaterThanEqualsPath", Node::Type::Timestamp, Node::Op::GreaterThanEquals,
             true},
};

struct TestOperator {
  std::string_view name;
  Node::Test test;
};

constexpr std::array kTests = {
    TestOperator{"IsNull", Node::Test::IsNull},
    TestOperator{"IsPresent", Node::Test::IsPresent},
    TestOperator{"IsNumeric", Node::Test::IsNumeric},
    TestOperator{"IsString", Node::Test::IsString},
    TestOperator{"IsBoolean", Node::Test::IsBoolean},
    TestOperator{"IsTimestamp", Node::Test::IsTimestamp},
};

const Operator* findOperator(std::string_view key) {
  for (const auto& op : kOperators) {
    if (op.name == key) return &op;
  }
  return nullptr;
}

const TestOperator* findTest(std::string_view key) {
  for (const auto& t : kTests) {
    if (t.name == key) return &t;
  }
  return nullptr;
}

bool isConnective(std::string_view key) {
  return key == "And" || key == "Or" || key == "Not";
}

bool isOperatorKey(std::string_view key) {
  return findOperator(key) || findTest(key) || isConnective(key);
}

std::string_view typeLabel(Node::Type t) {
  switch (t) {
    case Node::Type::String:
      return "String";
    case Node::Type::Numeric:
      return "Number";
    case Node::Type::Boolean:
      return "Boolean";
    case Node::Type::Timestamp:
      return "String";
  }
  return "String";
}

bool literalHasType(const Json& v, Node::Type t) {
  switch (t) {
    case Node::Type::String:
    case Node::Type::Timestamp:
      return v.is_string();
    case Node::Type::Numeric:
      return isNumber(v);
    case Node::Type::Boolean:
      return v.is_bool();
  }
  return false;
}

class RuleCompiler {
 public:
  explicit RuleCompiler(std::vector<ChoiceRuleProblem>& problems) : problems_(problems) {}

  std::shared_ptr<const Node> compile(const Json& rule, const std::string& loc, bool topLevel) {
    if (!rule.is_object()) {
      fail("Expected value of type: Object", loc);
      return nullptr;
    }
    const auto& obj = rule.get_object();
    std::string_view opKey;
    int operators = 0;
    for (const auto& kv : obj) {
      std::string_view key = kv.key();
      if (isOperatorKey(key)) {
        ++operators;
        if (opKey.empty()) opKey = key;
      } else if (key == "Variable" || key == "Comment") {
        // handled below
      } else if (topLevel && (key == "Next" || key == "Assign")) {
        // a Choices[] element's own fields, checked by the state compiler
      } else {
        fail("Field '" + std::string(key) + "' is not supported", loc);
      }
    }
    if (operators == 0) {
      fail("A choice rule must contain exactly one comparison operator", loc);
      return nullptr;
    }
    if (operators > 1) {
      fail("A choice rule must contain exactly one comparison operator", loc);
    }
    if (!topLevel && obj.contains("Next")) {
      fail("Field 'Next' is not supported", loc);
    }
    const Json& operand = obj.at(opKey);
    std::string operandLoc = loc + "/" + std::string(opKey);

    if (isConnective(opKey)) return compileConnective(obj, opKey, operand, loc, operandLoc);

    auto node = std::make_shared<Node>();
    node->variable = compileVariable(obj, loc);
    if (const auto* test = findTest(opKey)) {
      node->kind = Node::Kind::Test;
      node->test = test->test;
      if (!operand.is_bool()) {
        fail("Expected value of type: Boolean", operandLoc);
      } else {
        node->expected = operand.get_bool();
      }
      return node;
    }
    const Operator* op = findOperator(opKey);
    node->kind = Node::Kind::Compare;
    node->type = op->type;
    node->op = op->op;
    if (op->path) {
      if (!operand.is_string()) {
        fail("Expected value of type: String", operandLoc);
      } else if (auto path = Path::parse(operand.get_string()); !path) {
        fail("The value for the field '" + std::string(opKey) + "' must be a valid JSONPath",
             operandLoc);
      } else {
        node->operandPath = std::move(*path);
      }
      return node;
    }
    if (!literalHasType(operand, op->type)) {
      fail("Expected value of type: " + std::string(typeLabel(op->type)), operandLoc);
      return node;
    }
    node->literal = operand;
    if (op->type == Node::Type::Timestamp) {
      node->literalTime = parseTimestamp(operand.get_string());
      if (!node->literalTime) fail("String does not match RFC3339 timestamp", operandLoc);
    }
    if (op->op == Node::Op::Matches) node->pattern.emplace(operand.get_string());
    return node;
  }

 private:
  std::shared_ptr<const Node> compileConnective(const JsonObject& obj, std::string_view key,
                                                const Json& operand, const std::string& loc,
                                                const std::string& operandLoc) {
    auto node = std::make_shared<Node>();
    if (obj.contains("Variable")) fail("Field 'Variable' is not supported", loc);
    if (key == "Not") {
      node->kind = Node::Kind::Not;
      if (auto child = compile(operand, operandLoc, false)) node->children.push_back(child);
      return node;
    }
    node->kind = key == "And" ? Node::Kind::And : Node::Kind::Or;
    if (!operand.is_array()) {
      fail("Expected value of type: Array", operandLoc);
      return node;
    }
    if (operand.get_array().empty()) {
      fail("Array must contain at least 1 item", operandLoc);
    }
    size_t i = 0;
    for (const auto& sub : operand.get_array()) {
      if (auto child = compile(sub, operandLoc + "/" + std::to_string(i), false)) {
        node->children.push_back(child);
      }
      ++i;
    }
    return node;
  }

  std::optional<Path> compileVariable(const JsonObject& obj, const std::string& loc) {
    auto it = obj.find("Variable");
    if (it == obj.end()) {
      fail("These fields are required: [Variable]", loc);
      return std::nullopt;
    }
    if (!it->value().is_string()) {
      fail("Expected value of type: String", loc + "/Variable");
      return std::nullopt;
    }
    auto path = Path::parse(it->value().get_string());
    if (!path) {
      fail("The value for the field 'Variable' must be a valid JSONPath", loc + "/Variable");
      return std::nullopt;
    }
    return std::move(*path);
  }

  void fail(std::string message, std::string location) {
    problems_.push_back({std::move(message), std::move(location)});
  }

  std::vector<ChoiceRuleProblem>& problems_;
};

}  // namespace

std::optional<ChoiceRule> ChoiceRule::compile(const Json& rule, const std::string& location,
                                              bool topLevel,
                                              std::vector<ChoiceRuleProblem>& problems) {
  size_t before = problems.size();
  RuleCompiler compiler(problems);
  auto root = compiler.compile(rule, location, topLevel);
  if (!root || problems.size() != before) return std::nullopt;
  return ChoiceRule(std::move(root));
}

Result<ChoiceRule> ChoiceRule::compile(const Json& rule, const std::string& location) {
  std::vector<ChoiceRuleProblem> problems;
  auto compiled = compile(rule, location, true, problems);
  if (!compiled) {
    const auto& p = problems.front();
    return AwsError{"SCHEMA_VALIDATION_FAILED", p.message + " at " + p.location, 400};
  }
  return std::move(*compiled);
}

}  // namespace sluice::asl
